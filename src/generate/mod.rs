//! Cases generated from the service model: one per input of the model's
//! enumeration (`dpconform_protocol::model::inputs`), each breaking exactly
//! one constraint or sitting exactly on a bound, written as ordinary case
//! files under `cases/generated/<action>/<position>__<kind>.json`.
//! `dpconform generate` writes them; [`drift`] says which committed files
//! regenerating would change, so model, cases and reference cannot drift.

mod body;
mod expect;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dpconform_protocol::model::{inputs, ModelInput, ServiceModel};
use dpconform_protocol::{snake_case, CONTENT_TYPE, OPERATIONS};
use serde_json::{json, Value};

pub use body::{UNDECLARED_MEMBER, UNKNOWN_PIPELINE, UNKNOWN_TASK};

/// The folder of generated cases, below the cases folder.
pub const GENERATED_DIR: &str = "generated";

/// One generated case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCase {
    /// Its path below the cases folder: `generated/create_pipeline/name__above_max.json`.
    pub path: PathBuf,
    /// The operation it sends.
    pub operation: &'static str,
    /// The input of the enumeration it sends.
    pub input: ModelInput,
    /// The file's text.
    pub text: String,
}

/// Every generated case, in path order.
pub fn generate() -> Vec<GeneratedCase> {
    let mut out = Vec::new();
    for operation in OPERATIONS {
        for input in inputs(operation) {
            out.push(case_for(operation, input));
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn case_for(operation: &'static str, input: ModelInput) -> GeneratedCase {
    let body = body::body(operation, &input);
    let e = expect::expectation(operation, &input);
    let step = if body.is_object() {
        json!({"operation": operation, "body": body, "expect": e.expect})
    } else {
        // A body that is not an object cannot be an operation step's `body`.
        json!({
            "raw": {
                "method": "POST",
                "path": "/",
                "headers": {"x-amz-target": format!("DataPipeline.{operation}"), "content-type": CONTENT_TYPE},
                "body": body.to_string(),
            },
            "sign": true,
            "expect": e.expect,
        })
    };
    let mut case = json!({
        "about": e.about,
        "grade": e.grade.name(),
        "source": e.source,
        "tags": ["validation", "generated"],
        "steps": [step],
    });
    if !e.finally.is_empty() {
        case["finally"] = Value::Array(e.finally);
    }
    let text = serde_json::to_string_pretty(&case).expect("a JSON value serializes") + "\n";
    let path = Path::new(GENERATED_DIR).join(snake_case(operation)).join(format!(
        "{}__{}.json",
        input.position.slug(),
        input.kind.name()
    ));
    GeneratedCase {
        path,
        operation,
        input,
        text,
    }
}

/// How the generated files under a cases folder differ from what
/// [`generate`] makes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Generated but not on disk.
    pub missing: Vec<PathBuf>,
    /// On disk with other contents.
    pub changed: Vec<PathBuf>,
    /// On disk under `generated/` but no longer generated.
    pub extra: Vec<PathBuf>,
}

impl Drift {
    /// Whether the folder holds exactly what is generated.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty() && self.extra.is_empty()
    }
}

/// Compares the generated files below `cases_dir` with [`generate`], in memory.
pub fn drift(cases_dir: &Path) -> std::io::Result<Drift> {
    let on_disk = existing(cases_dir)?;
    let mut drift = Drift::default();
    let wanted: BTreeMap<PathBuf, String> = generate().into_iter().map(|c| (c.path, c.text)).collect();
    for (path, text) in &wanted {
        match on_disk.get(path) {
            None => drift.missing.push(path.clone()),
            Some(have) if have != text => drift.changed.push(path.clone()),
            Some(_) => {}
        }
    }
    drift.extra = on_disk.keys().filter(|p| !wanted.contains_key(*p)).cloned().collect();
    Ok(drift)
}

/// Writes every generated case below `cases_dir` and removes generated
/// files no longer made; returns what changed.
pub fn write(cases_dir: &Path) -> std::io::Result<Drift> {
    let drift = drift(cases_dir)?;
    for case in generate() {
        if drift.missing.contains(&case.path) || drift.changed.contains(&case.path) {
            let path = cases_dir.join(&case.path);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(path, case.text)?;
        }
    }
    for path in &drift.extra {
        std::fs::remove_file(cases_dir.join(path))?;
    }
    Ok(drift)
}

/// The `*.json` files below `cases_dir/generated`, by path below `cases_dir`.
fn existing(cases_dir: &Path) -> std::io::Result<BTreeMap<PathBuf, String>> {
    let mut out = BTreeMap::new();
    let root = cases_dir.join(GENERATED_DIR);
    if !root.exists() {
        return Ok(out);
    }
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let relative = path.strip_prefix(cases_dir).unwrap_or(&path).to_path_buf();
                out.insert(relative, std::fs::read_to_string(&path)?);
            }
        }
    }
    Ok(out)
}

/// A summary line: how many cases, of which how many break a constraint.
pub fn summary(cases: &[GeneratedCase]) -> String {
    let breaking = cases.iter().filter(|c| c.input.kind.breaks()).count();
    format!(
        "{} generated cases from the service model {} ({breaking} break one constraint, {} are valid: on a bound or with an undeclared member)",
        cases.len(),
        ServiceModel::get().api_version(),
        cases.len() - breaking
    )
}

/// Whether the body a generated case sends holds exactly its input: the
/// self-check of the generator.
#[cfg(test)]
fn sends_its_input(case: &GeneratedCase) -> bool {
    let spec: Value = match serde_json::from_str(&case.text) {
        Ok(v) => v,
        Err(_) => return false,
    };
    let step = &spec["steps"][0];
    let body = match step.get("body") {
        Some(b) => render_repeats(b),
        None => match step["raw"]["body"].as_str().map(serde_json::from_str::<Value>) {
            Some(Ok(b)) => b,
            _ => return false,
        },
    };
    let found = dpconform_protocol::model::inspect(case.operation, &body);
    if case.input.kind.breaks() {
        found.single_break().as_ref() == Some(&case.input)
    } else {
        found.single_break().is_none()
            && found.violations.is_empty()
            && found.type_error.is_none()
            && found.valid.contains(&case.input)
    }
}

/// The body with `{{repeat(a, N)}}` expanded (the only template that changes a length here).
#[cfg(test)]
fn render_repeats(value: &Value) -> Value {
    match value {
        Value::String(s) => {
            let inner = s.strip_prefix("{{repeat(a, ").and_then(|r| r.strip_suffix(")}}"));
            match inner.and_then(|n| n.parse::<usize>().ok()) {
                Some(n) => Value::String("a".repeat(n)),
                None => value.clone(),
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(render_repeats).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), render_repeats(v))).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_case_per_input_each_sending_exactly_its_input() {
        let cases = generate();
        assert_eq!(cases.len(), 884 + 142);
        let wrong: Vec<String> = cases
            .iter()
            .filter(|c| !sends_its_input(c))
            .map(|c| c.path.display().to_string())
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
        let paths: std::collections::BTreeSet<&PathBuf> = cases.iter().map(|c| &c.path).collect();
        assert_eq!(paths.len(), cases.len(), "two inputs share a file name");
    }

    #[test]
    fn the_self_check_fails_on_a_case_that_sends_something_else() {
        let mut case = generate()
            .into_iter()
            .find(|c| c.path.ends_with("create_pipeline/name__above_max.json"))
            .expect("generated");
        assert!(sends_its_input(&case));
        case.text = case.text.replace("repeat(a, 1025)", "repeat(a, 1024)");
        assert!(!sends_its_input(&case));
    }
}

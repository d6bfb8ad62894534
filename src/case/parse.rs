//! Reading one case file into a [`Case`]: syntax and shape errors from serde_json
//! (with their positions), then the checks serde cannot express, positioned with
//! `locate`.

use std::fmt;
use std::path::{Path, PathBuf};

use super::locate::{line_column, locate, Seg};
use super::template::{self, ANY};
use super::CheckName;
use super::{Case, CaseSpec, Grade, HeaderExpect, HeaderRule, Signing, Step, MAX_GENERATED_BODY_BYTES};
use dpconform_protocol::{Operation, OPERATIONS};

/// How far from now a step may sign (`sign.time_offset`): 100 years.
pub const MAX_TIME_OFFSET_SECS: u64 = 3_155_760_000;

/// Variables every case has without capturing them.
pub const BUILTIN_VARS: [&str; 5] = ["run", "run_id", "case", "access_key", "region"];

/// A case file that cannot be used: `path:line:column: message`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFileError {
    /// The case file.
    pub path: PathBuf,
    /// Line of the problem, from 1.
    pub line: usize,
    /// Column of the problem, from 1.
    pub column: usize,
    /// What was expected.
    pub message: String,
    /// Further problems found in the same file, in file order: one run reports
    /// every broken rule it can (each step's first, and the case's own), not one per run.
    pub further: Vec<CaseFileError>,
}

impl fmt::Display for CaseFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )?;
        for more in &self.further {
            write!(f, "\n{more}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CaseFileError {}

/// Loads the case at `path`, named `name` (`area::stem`).
pub fn load_case(path: &Path, name: String) -> Result<Case, CaseFileError> {
    let bytes = std::fs::read(path).map_err(|e| CaseFileError {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("cannot read the case file: {e}"),
        further: Vec::new(),
    })?;
    parse_case_bytes(path, name, &bytes)
}

/// Parses a case file's bytes: text that is not UTF-8 is an error at the first bad byte.
pub fn parse_case_bytes(path: &Path, name: String, bytes: &[u8]) -> Result<Case, CaseFileError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let column = valid.len() - valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1) + 1;
        CaseFileError {
            path: path.to_path_buf(),
            line,
            column,
            message: "the case file is not valid UTF-8".into(),
            further: Vec::new(),
        }
    })?;
    parse_case(path, name, text)
}

/// Parses case-file text; `path` and `name` are only used in errors and the result.
pub fn parse_case(path: &Path, name: String, text: &str) -> Result<Case, CaseFileError> {
    let at = |(line, column): (usize, usize), message: String| CaseFileError {
        path: path.to_path_buf(),
        line,
        column,
        message,
        further: Vec::new(),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let spec: CaseSpec = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        let where_ = e.path().to_string();
        let message = with_path(&where_, clean_serde_message(&inner.to_string()));
        let mut first = at((inner.line().max(1), inner.column().max(1)), message);
        first.further = further_shape_errors(text, &where_)
            .into_iter()
            .map(|(segs, message)| {
                let segs: Vec<Seg> = segs.iter().map(PathSeg::as_seg).collect();
                at(locate(text, &segs).unwrap_or_else(|| line_column(text, 0)), message)
            })
            .collect();
        first
    })?;
    de.end()
        .map_err(|e| at((e.line(), e.column()), clean_serde_message(&e.to_string())))?;

    let area = name.split("::").next().unwrap_or_default().to_string();
    let invalid = Validator.case(&spec);
    let mut errors = invalid.into_iter().map(|(segs, message)| {
        let segs: Vec<Seg> = segs.iter().map(PathSeg::as_seg).collect();
        let position = locate(text, &segs)
            .or_else(|| segs.len().checked_sub(1).and_then(|n| locate(text, &segs[..n])))
            .unwrap_or_else(|| line_column(text, 0));
        at(position, message)
    });
    if let Some(mut first) = errors.next() {
        first.further = errors.collect();
        return Err(first);
    }
    Ok(Case {
        name,
        area,
        path: path.to_path_buf(),
        spec,
        sha256: super::sha256_hex(text.as_bytes()),
        literal_datetimes: super::literals::literal_datetimes(text),
    })
}

/// `path: message`, or the message alone at the top of the file.
fn with_path(path: &str, message: String) -> String {
    if path == "." || path == "?" || path.is_empty() {
        message
    } else {
        format!("{path}: {message}")
    }
}

/// The shape errors after the first (at `first_path`), so that one run names them all:
/// each offending member is taken out of the document and it is read again. A file that is
/// not JSON at all has no further errors to find (a parser cannot go past a syntax error);
/// a required member taken out is not reported as missing.
fn further_shape_errors(text: &str, first_path: &str) -> Vec<(Vec<PathSeg>, String)> {
    const MORE: usize = 20;
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    for _ in 0..=MORE {
        let Err(e) = serde_path_to_error::deserialize::<_, CaseSpec>(value.clone()) else {
            break;
        };
        let where_ = e.path().to_string();
        let message = clean_serde_message(&e.inner().to_string());
        if removed.iter().any(|key| message == format!("missing field `{key}`")) {
            break;
        }
        let segs: Vec<PathSeg> = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => Some(PathSeg::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(PathSeg::Key(key.clone())),
                _ => None,
            })
            .collect();
        let Some(PathSeg::Key(key)) = segs.last().cloned() else {
            break;
        };
        if !remove_at(&mut value, &segs) {
            break;
        }
        removed.push(key);
        if where_ != first_path {
            found.push((segs, with_path(&where_, message)));
        }
        if found.len() >= MORE {
            break;
        }
    }
    found
}

/// Removes the member at `path`; `false` if there is none.
fn remove_at(value: &mut serde_json::Value, path: &[PathSeg]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut node = value;
    for seg in parents {
        node = match (seg, node) {
            (PathSeg::Key(k), serde_json::Value::Object(map)) => match map.get_mut(k) {
                Some(next) => next,
                None => return false,
            },
            (PathSeg::Index(i), serde_json::Value::Array(items)) => match items.get_mut(*i) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, node) {
        (PathSeg::Key(k), serde_json::Value::Object(map)) => map.remove(k).is_some(),
        _ => false,
    }
}

/// serde_json appends " at line L column C"; the position is already in front.
fn clean_serde_message(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[derive(Debug, Clone)]
enum PathSeg {
    Key(String),
    Index(usize),
}

impl PathSeg {
    fn as_seg(&self) -> Seg<'_> {
        match self {
            PathSeg::Key(k) => Seg::Key(k),
            PathSeg::Index(i) => Seg::Index(*i),
        }
    }
}

fn key(k: &str) -> PathSeg {
    PathSeg::Key(k.to_string())
}

type Invalid = (Vec<PathSeg>, String);

/// The rules serde cannot express: every broken one of the case's own, and
/// the first of each step (a step's later rules often follow from its first).
struct Validator;

/// A citation fits its grade: present, and `inferred: why` exactly when the grade is inferred.
fn citation(grade: Grade, source: &str, at: Vec<PathSeg>) -> Result<(), Invalid> {
    let says_inferred = source.trim_start().to_ascii_lowercase().starts_with("inferred");
    if source.trim().is_empty() {
        return Err((
            at,
            "`source` must cite the evidence (`evidence/<file>.md` or a documentation page), or for grade `inferred` say `inferred: why`".into(),
        ));
    }
    match (grade, says_inferred) {
        (Grade::Inferred, false) => Err((
            at,
            "grade `inferred` needs a `source` that starts with `inferred:` and says why".into(),
        )),
        (g, true) if g != Grade::Inferred => Err((
            at,
            format!(
                "the `source` says inferred, but the grade is `{g}`: make the grade `inferred`, or cite the evidence"
            ),
        )),
        _ => Ok(()),
    }
}

impl Validator {
    fn case(self, spec: &CaseSpec) -> Vec<Invalid> {
        let mut invalid = Vec::new();
        if spec.about.trim().is_empty() {
            invalid.push((
                vec![key("about")],
                "`about` must say in one line what the case shows".into(),
            ));
        }
        invalid.extend(citation(spec.grade, &spec.source, vec![key("source")]).err());
        if spec.steps.is_empty() {
            invalid.push((vec![key("steps")], "a case needs at least one step".into()));
        }
        let mut defined: Vec<String> = BUILTIN_VARS.iter().map(|s| s.to_string()).collect();
        defined.extend(spec.vars.keys().cloned());
        for (i, step) in spec.steps.iter().enumerate() {
            invalid.extend(self.step(step, &[key("steps"), PathSeg::Index(i)], &defined).err());
            defined.extend(step.expect.capture.keys().cloned());
        }
        for (i, step) in spec.finally.iter().enumerate() {
            invalid.extend(self.step(step, &[key("finally"), PathSeg::Index(i)], &defined).err());
            defined.extend(step.expect.capture.keys().cloned());
        }
        invalid
    }

    fn step(&self, step: &Step, here: &[PathSeg], defined: &[String]) -> Result<(), Invalid> {
        let path = |extra: &[PathSeg]| -> Vec<PathSeg> { here.iter().cloned().chain(extra.iter().cloned()).collect() };
        let fail = |extra: &[PathSeg], message: String| Err((path(extra), message));
        let mut used = Vec::new();
        let templates = |value: &serde_json::Value, used: &mut Vec<String>| template::variables_in(value, used);

        match (&step.operation, &step.raw) {
            (Some(_), Some(_)) => {
                return fail(&[key("raw")], "a step has either `operation` or `raw`, not both".into())
            }
            (None, None) => {
                return fail(
                    &[],
                    "a step needs `operation` (an API call) or `raw` (a request sent as written)".into(),
                )
            }
            (Some(op), None) => {
                if !OPERATIONS.contains(&op.as_str()) {
                    let hint = OPERATIONS
                        .iter()
                        .find(|known| known.eq_ignore_ascii_case(op))
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                    return fail(
                        &[key("operation")],
                        format!("unknown operation `{op}`{hint}; use a `raw` step to send an unknown target"),
                    );
                }
                if let Some(body) = &step.body {
                    if !body.is_object() {
                        return fail(
                            &[key("body")],
                            "`body` of an operation step must be a JSON object".into(),
                        );
                    }
                    templates(body, &mut used).or_else(|e| fail(&[key("body")], e))?;
                }
            }
            (None, Some(raw)) => {
                if step.body.is_some() {
                    return fail(&[key("body")], "`body` belongs inside `raw` for a raw step".into());
                }
                if !step.headers.is_empty() {
                    return fail(&[key("headers")], "`headers` belong inside `raw` for a raw step".into());
                }
                match &raw.body {
                    super::RawBody::Text(body) => {
                        template::variables_in_str(body, &mut used).or_else(|e| fail(&[key("raw"), key("body")], e))?;
                    }
                    super::RawBody::Generated(generated) => {
                        if generated.byte_len().is_none_or(|n| n > MAX_GENERATED_BODY_BYTES) {
                            return fail(
                                &[key("raw"), key("body"), key("times")],
                                format!("the generated body must be at most {MAX_GENERATED_BODY_BYTES} bytes"),
                            );
                        }
                    }
                }
                for (name, value) in &raw.headers {
                    template::variables_in_str(value, &mut used)
                        .or_else(|e| fail(&[key("raw"), key("headers"), key(name)], e))?;
                }
                template::variables_in_str(&raw.path, &mut used).or_else(|e| fail(&[key("raw"), key("path")], e))?;
            }
        }
        for (name, value) in &step.headers {
            template::variables_in_str(value, &mut used).or_else(|e| fail(&[key("headers"), key(name)], e))?;
        }
        for (member, value) in [
            ("json", &step.expect.json),
            ("json_includes", &step.expect.json_includes),
            ("json_excludes", &step.expect.json_excludes),
        ] {
            if let Some(problem) = value.as_ref().and_then(super::operator_problem) {
                return fail(&[key("expect"), key(member)], problem);
            }
        }
        if let Some(t) = step.timeout {
            if !(t > 0.0 && t <= 3600.0) {
                return fail(&[key("timeout")], "must be more than 0 and at most 3600 seconds".into());
            }
        }
        if step.paginate {
            let pages = step
                .operation
                .as_deref()
                .and_then(Operation::from_name)
                .and_then(Operation::paginator);
            if pages.is_none() {
                return fail(
                    &[key("paginate")],
                    "only ListPipelines, DescribeObjects and QueryObjects steps page (`marker`, `hasMoreResults`)"
                        .into(),
                );
            }
        }
        match (step.expect.grade, &step.expect.source) {
            (Some(grade), Some(source)) => citation(grade, source, path(&[key("expect"), key("source")]))?,
            (None, None) => {}
            (Some(_), None) => {
                return fail(
                    &[key("expect"), key("grade")],
                    "a step's own `grade` needs its own `source` (the citation)".into(),
                )
            }
            (None, Some(_)) => {
                return fail(
                    &[key("expect"), key("source")],
                    "a step's own `source` needs its own `grade`".into(),
                )
            }
        }
        if let Some(Signing::With(o)) = &step.sign {
            if o.time_offset.is_some_and(|t| t.unsigned_abs() > MAX_TIME_OFFSET_SECS) {
                return fail(
                    &[key("sign"), key("time_offset")],
                    format!("must be within ±{MAX_TIME_OFFSET_SECS} seconds (100 years)"),
                );
            }
            for value in [&o.access_key, &o.secret_key, &o.session_token, &o.region, &o.service]
                .into_iter()
                .flatten()
            {
                template::variables_in_str(value, &mut used).or_else(|e| fail(&[key("sign")], e))?;
            }
        }
        for (name, reason) in &step.skip_checks {
            match CheckName::parse(name) {
                Some(c) if CheckName::ENVELOPE.contains(&c) => {}
                _ => {
                    let names: Vec<&str> = CheckName::ENVELOPE.iter().map(|c| c.as_str()).collect();
                    return fail(
                        &[key("skip_checks"), key(name)],
                        format!(
                            "`{name}` is not an envelope check that can be skipped (one of: {})",
                            names.join(", ")
                        ),
                    );
                }
            }
            if reason.trim().is_empty() {
                return fail(&[key("skip_checks"), key(name)], "say why the check is skipped".into());
            }
        }

        let expect = &step.expect;
        let e = |k: &str| [key("expect"), key(k)];
        if let Some(status) = expect.status {
            if !(100..=599).contains(&status) {
                return fail(&e("status"), format!("{status} is not an HTTP status code"));
            }
        }
        for (name, rule) in &expect.headers {
            let here = [key("expect"), key("headers"), key(name)];
            match rule {
                HeaderExpect::Rule(HeaderRule::Matches(_)) => {}
                HeaderExpect::Rule(HeaderRule::Present(false)) | HeaderExpect::Rule(HeaderRule::Absent(false)) => {
                    return fail(&here, "write `present: true` or `absent: true`".into());
                }
                HeaderExpect::Equals(v) | HeaderExpect::Rule(HeaderRule::Equals(v)) => {
                    template::variables_in_str(v, &mut used).or_else(|err| fail(&here, err))?;
                }
                _ => {}
            }
        }
        if expect.json.is_some() && expect.json_includes.is_some() {
            return fail(
                &e("json_includes"),
                "use `json` (exact) or `json_includes` (subset), not both".into(),
            );
        }
        // JSON expectations may name what this very step captures: captures are taken first.
        let mut judged = Vec::new();
        for (k, value) in [
            ("json", &expect.json),
            ("json_includes", &expect.json_includes),
            ("json_excludes", &expect.json_excludes),
        ] {
            if let Some(value) = value {
                let mut vars = Vec::new();
                templates(value, &mut vars).or_else(|err| fail(&e(k), err))?;
                judged.extend(vars.into_iter().filter(|v| v != ANY && !expect.capture.contains_key(v)));
            }
        }
        used.extend(judged);
        if let Some(body) = &expect.body {
            template::variables_in_str(body, &mut used).or_else(|err| fail(&e("body"), err))?;
        }
        for (name, pointer) in &expect.capture {
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                return fail(
                    &[key("expect"), key("capture"), key(name)],
                    format!("`{pointer}` is not a JSON pointer (it starts with `/`, e.g. `/pipelineId`)"),
                );
            }
            if BUILTIN_VARS.contains(&name.as_str()) || name == ANY {
                return fail(
                    &[key("expect"), key("capture"), key(name)],
                    format!("`{name}` is a built-in variable"),
                );
            }
        }
        for pointer in expect.redact.keys() {
            if !pointer.starts_with('/') {
                return fail(
                    &[key("expect"), key("redact"), key(pointer)],
                    format!("`{pointer}` is not a JSON pointer"),
                );
            }
        }
        if let Some(retry) = &step.retry {
            if !(retry.for_seconds > 0.0 && retry.for_seconds <= 600.0) {
                return fail(
                    &[key("retry"), key("for_seconds")],
                    "must be more than 0 and at most 600".into(),
                );
            }
        }
        if let Some(missing) = used.iter().find(|v| !defined.contains(v)) {
            return fail(
                &[],
                format!(
                    "`{{{{{missing}}}}}` is not defined here: not a built-in ({}), not in `vars`, and not captured by an earlier step",
                    BUILTIN_VARS.join(", ")
                ),
            );
        }
        Ok(())
    }
}

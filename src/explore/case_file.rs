//! A minimal difference written as an ordinary case file that `dpconform run`
//! replays: every call a step, the values later steps use captured, and the
//! last step expecting what the reference answered (status, error type, and
//! the body with run-dependent values as `{{any}}`), so it fails against the
//! endpoint and passes against the reference.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::compare::Signature;
use super::evidence::Judgement;
use super::lockstep::Found;
use super::sequence::{names_in, unbound, Bindings, Call, RUN_VAR};

/// What a written case comes from.
pub struct Finding<'a> {
    /// The seed of the sequence that showed the difference.
    pub seed: u64,
    /// The minimal sequence, ending with the call that differs.
    pub calls: &'a [Call],
    /// The difference at its last call.
    pub found: &'a Found,
    /// What the reference's answers bound in that sequence.
    pub bound: &'a Bindings,
    /// The reference's status and error type for each call.
    pub answers: &'a [(u16, Option<String>)],
    /// How well the reference's answer at the difference is known.
    pub judged: &'a Judgement,
}

/// The case file's path under `out` for `signature`: the same signature always
/// gets the same file, so findings of several runs merge without duplicates.
pub fn path_for(out: &Path, signature: &Signature) -> PathBuf {
    let digest = Sha256::digest(format!("{}\n{}\n{}", signature.action, signature.check, signature.path));
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    out.join(snake(&signature.action)).join(format!("explored_{hex}.json"))
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Values the reference never bound keep the stand-in the run used.
fn without_unbound(value: &Value, bound: &Bindings) -> Value {
    match value {
        Value::String(s) => {
            let mut names = Vec::new();
            names_in(value, &mut names);
            let mut out = s.clone();
            for name in names.iter().filter(|n| *n != RUN_VAR && !bound.contains_key(*n)) {
                out = out.replace(&format!("{{{{{name}}}}}"), &unbound(name));
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| without_unbound(v, bound)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), without_unbound(v, bound)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A step cannot expect what it captures itself: those values match anything.
fn without_own(value: &Value, own: &[String]) -> Value {
    match value {
        Value::String(s) if own.iter().any(|o| s.contains(o.as_str())) => json!("{{any}}"),
        Value::Array(items) => Value::Array(items.iter().map(|v| without_own(v, own)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), without_own(v, own))).collect()),
        other => other.clone(),
    }
}

/// The case file's JSON.
pub fn case_json(finding: &Finding) -> Value {
    let calls = finding.calls;
    let last = calls.len().saturating_sub(1);
    let mut used = Vec::new();
    for call in calls {
        names_in(&call.body, &mut used);
    }
    let mut steps = Vec::new();
    let mut created = Vec::new();
    for (i, call) in calls.iter().enumerate() {
        let mut expect = Map::new();
        let is_create = call.operation == "CreatePipeline";
        let mut capture = Map::new();
        for (name, pointer) in &call.produces {
            let Some(value) = finding.bound.get(name) else { continue };
            // Every pipeline made is captured, for the clean-up, once per id.
            let new_pipeline = is_create && !created.iter().any(|c| finding.bound.get(c) == Some(value));
            if new_pipeline {
                created.push(name.clone());
            }
            if used.contains(name) || new_pipeline {
                capture.insert(name.clone(), json!(pointer));
            }
        }
        if !capture.is_empty() {
            expect.insert("capture".into(), Value::Object(capture));
        }
        if let Some((status, error)) = finding.answers.get(i) {
            expect.insert("status".into(), json!(status));
            if let Some(error) = error {
                expect.insert("error".into(), json!(error));
            }
        }
        if i == last {
            let reference = &finding.found.reference;
            expect.insert("status".into(), json!(reference.status));
            if let Some(error) = &reference.error_type {
                expect.insert("error".into(), json!(error));
            } else if finding.found.signature.check == "body" {
                let mode = if call.operation == "ListPipelines" {
                    "json_includes"
                } else {
                    "json"
                };
                let own: Vec<String> = call
                    .produces
                    .iter()
                    .map(|(name, _)| format!("{{{{{name}}}}}"))
                    .collect();
                expect.insert(mode.into(), without_own(&finding.found.expected_body, &own));
            }
        }
        steps.push(json!({
            "name": format!("{} {}", i + 1, call.operation),
            "operation": call.operation,
            "body": without_unbound(&call.body, finding.bound),
            "expect": Value::Object(expect),
        }));
    }
    // A pipeline the sequence deleted itself is not deleted again (the service
    // answers PipelineNotFoundException then, and the clean-up would fail).
    let deleted: Vec<String> = calls
        .iter()
        .zip(finding.answers)
        .filter(|(call, (status, _))| call.operation == "DeletePipeline" && *status == 200)
        .filter_map(|(call, _)| call.body["pipelineId"].as_str().map(str::to_string))
        .collect();
    let finally: Vec<Value> = created
        .iter()
        .map(|name| format!("{{{{{name}}}}}"))
        .filter(|id| !deleted.contains(id))
        .map(|id| json!({"operation": "DeletePipeline", "body": {"pipelineId": id}}))
        .collect();
    let signature = &finding.found.signature;
    json!({
        "about": format!("found by exploration: {signature} differs from the reference after {} call(s)", calls.len()),
        "grade": "inferred",
        "source": format!(
            "inferred: found by dpconform explore, seed {}; the expected answer is the embedded reference's; \
             at the difference it is {}",
            finding.seed,
            finding.judged.describe()
        ),
        "tags": ["explored"],
        "steps": steps,
        "finally": finally,
    })
}

/// Writes the case for `finding` under `out` (unless a run before wrote one for
/// the same signature); returns its path.
pub fn write(out: &Path, finding: &Finding) -> Result<PathBuf, String> {
    let path = path_for(out, &finding.found.signature);
    if path.exists() {
        return Ok(path);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(&case_json(finding)).map_err(|e| e.to_string())? + "\n";
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::compare::Normal;
    use crate::explore::evidence::Basis;

    fn finding_json(delete_status: u16) -> Value {
        let calls = vec![
            Call::new("CreatePipeline", json!({"name": "n", "uniqueId": "u-{{run}}"})).producing("p0", "/pipelineId"),
            Call::new("DeletePipeline", json!({"pipelineId": "{{p0}}"})),
        ];
        let ok = Normal {
            status: 200,
            error_type: None,
            body: Value::Null,
        };
        let found = Found {
            index: 1,
            signature: Signature {
                action: "DeletePipeline".into(),
                check: "envelope:content-type".into(),
                path: String::new(),
            },
            signatures: vec![],
            reference: ok.clone(),
            endpoint: ok,
            expected_body: Value::Null,
            detail: None,
        };
        let bound = Bindings::from([("p0".to_string(), "df-0123".to_string())]);
        let answers = [(200, None), (delete_status, None)];
        let judged = Judgement {
            basis: Basis::Inferred,
            cited: None,
        };
        case_json(&Finding {
            seed: 1,
            calls: &calls,
            found: &found,
            bound: &bound,
            answers: &answers,
            judged: &judged,
        })
    }

    #[test]
    fn a_pipeline_the_sequence_deleted_is_not_deleted_again_in_finally() {
        assert_eq!(finding_json(200)["finally"], json!([]));
        assert_eq!(
            finding_json(400)["finally"],
            json!([{"operation": "DeletePipeline", "body": {"pipelineId": "{{p0}}"}}])
        );
        assert!(finding_json(200)["source"]
            .as_str()
            .unwrap()
            .ends_with("at the difference it is inferred (no case asserts it)"));
    }
}

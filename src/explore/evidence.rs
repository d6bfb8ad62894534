//! How well the reference's side of a difference is known, field by field:
//! an index of what the corpus asserts, with each assertion's grade, so that a
//! difference on behaviour only the reference decided (no evidenced case
//! asserts it) is reported apart from one on evidenced behaviour.
//!
//! The index is built from the case files (their grades and step grades) and
//! their snapshots. It holds, for each action:
//! - the outcomes the corpus expects (`200` or an error type), for status and
//!   error-type differences;
//! - the body paths it asserts (`json`, `json_includes`, snapshots, and the
//!   root `/` for a raw `body`), named the way [`compare`](mod@super::compare)
//!   names paths, for body differences;
//! - and, for every action alike, the response headers it asserts, for
//!   envelope differences.
//!
//! A difference is *evidenced* when a case of grade observed, model or
//! documented asserts the same thing (the same outcome; the same path or a path
//! inside it; the same header), and *inferred* otherwise: either only inferred
//! cases assert it, or no case does and the answer is the reference's choice.
//! The strongest such case is cited.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::Value;

use super::compare::{self, Normal, Signature};
use crate::case::discover::{self, CaseFolder};
use crate::case::{Case, Grade, Step};

/// How well the reference's side of a difference is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// A case of grade observed, model or documented asserts it.
    Evidenced,
    /// Only inferred cases assert it, or none does.
    Inferred,
}

impl Basis {
    /// `evidenced` or `inferred`.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Evidenced => "evidenced",
            Basis::Inferred => "inferred",
        }
    }
}

/// The strongest case that asserts something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// Its grade (the step's own where it has one).
    pub grade: Grade,
    /// The case (`area::stem`).
    pub case: String,
}

impl Citation {
    fn stronger_than(&self, other: &Citation) -> bool {
        (self.grade, &self.case) < (other.grade, &other.case)
    }
}

/// The basis of one difference, with the case it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judgement {
    /// Evidenced or inferred.
    pub basis: Basis,
    /// The strongest case asserting the same thing, if any does.
    pub cited: Option<Citation>,
}

impl Judgement {
    /// `evidenced (observed: area::case)`, `inferred (inferred: area::case)`,
    /// or `inferred (no case asserts it)`.
    pub fn describe(&self) -> String {
        match &self.cited {
            Some(c) => format!("{} ({}: {})", self.basis.as_str(), c.grade, c.case),
            None => format!("{} (no case asserts it)", self.basis.as_str()),
        }
    }
}

/// What the corpus asserts, by action (see the module comment).
#[derive(Debug, Default)]
pub struct Evidence {
    /// (action, outcome) → strongest case.
    outcomes: BTreeMap<(String, String), Citation>,
    /// (action, body path) → strongest case.
    paths: BTreeMap<(String, String), Citation>,
    /// Response header (lower case) → strongest case.
    headers: BTreeMap<String, Citation>,
}

impl Evidence {
    /// The index of dpconform's own corpus, read once per process.
    pub fn corpus() -> Result<&'static Evidence, String> {
        static CORPUS: OnceLock<Result<Evidence, String>> = OnceLock::new();
        CORPUS
            .get_or_init(|| {
                let folder = CaseFolder::corpus();
                let cases = discover::load_all(&folder.cases).map_err(|e| format!("cannot read the corpus: {e}"))?;
                Ok(Evidence::from_cases(&cases, Some(&folder.snapshots)))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The index of `cases`, with their snapshots under `snapshots` when given.
    pub fn from_cases(cases: &[Case], snapshots: Option<&Path>) -> Evidence {
        let mut evidence = Evidence::default();
        for case in cases.iter().filter(|c| c.spec.skip.is_none()) {
            for (index, step) in case.spec.steps.iter().enumerate() {
                let Some(action) = step.operation.as_deref() else {
                    continue;
                };
                let cited = Citation {
                    grade: case.step_grade(step),
                    case: case.name.clone(),
                };
                let expect = &step.expect;
                for header in expect.headers.keys() {
                    keep(&mut evidence.headers, header.to_ascii_lowercase(), &cited);
                }
                let outcome = match (&expect.error, expect.status) {
                    (Some(error), _) => error.clone(),
                    (None, Some(status)) if status != 200 => continue,
                    (None, _) => "200".to_string(),
                };
                keep(&mut evidence.outcomes, (action.to_string(), outcome.clone()), &cited);
                if outcome != "200" {
                    continue;
                }
                // A raw body expectation (`""`: DeletePipeline's empty answer) asserts the whole body.
                if expect.body.is_some() {
                    keep(&mut evidence.paths, (action.to_string(), "/".to_string()), &cited);
                }
                let snapshot = snapshots
                    .filter(|_| expect.snapshot)
                    .and_then(|root| stored_snapshot(root, case, step, index));
                for body in [&expect.json, &expect.json_includes, &snapshot].into_iter().flatten() {
                    for path in compare::paths(body) {
                        keep(&mut evidence.paths, (action.to_string(), path), &cited);
                    }
                }
            }
        }
        evidence
    }

    /// The basis of the difference `signature`, where the reference answered `reference`.
    pub fn judge(&self, signature: &Signature, reference: &Normal) -> Judgement {
        let action = signature.action.as_str();
        let cited = match signature.check.as_str() {
            "status" | "error type" => {
                let outcome = reference
                    .error_type
                    .clone()
                    .unwrap_or_else(|| reference.status.to_string());
                self.outcomes.get(&(action.to_string(), outcome)).cloned()
            }
            "body" => {
                let inside = format!("{}/", signature.path);
                self.paths
                    .range((action.to_string(), signature.path.clone())..)
                    .take_while(|((a, p), _)| a == action && (*p == signature.path || p.starts_with(&inside)))
                    .map(|(_, c)| c)
                    .fold(None::<&Citation>, |best, c| match best {
                        Some(b) if !c.stronger_than(b) => Some(b),
                        _ => Some(c),
                    })
                    .cloned()
            }
            check => check
                .strip_prefix("envelope:")
                .and_then(envelope_header)
                .and_then(|header| self.headers.get(header))
                .cloned(),
        };
        let basis = match &cited {
            Some(c) if c.grade != Grade::Inferred => Basis::Evidenced,
            _ => Basis::Inferred,
        };
        Judgement { basis, cited }
    }
}

/// Keeps `cited` under `key` when no stronger case is there.
fn keep<K: Ord>(map: &mut BTreeMap<K, Citation>, key: K, cited: &Citation) {
    match map.get(&key) {
        Some(held) if !cited.stronger_than(held) => {}
        _ => {
            map.insert(key, cited.clone());
        }
    }
}

/// The response header an envelope check is about.
fn envelope_header(check: &str) -> Option<&'static str> {
    Some(match check {
        "request-id" | "request-id-unique" => "x-amzn-requestid",
        "crc32" => "x-amz-crc32",
        "content-type" => "content-type",
        "content-length" => "content-length",
        "date" => "date",
        _ => return None,
    })
}

/// The JSON body of a step's stored snapshot, if it has one.
fn stored_snapshot(root: &Path, case: &Case, step: &Step, index: usize) -> Option<Value> {
    let name = format!(
        "{}__{}",
        case.stem(),
        crate::run::snapshot_slug(step, index, crate::outcome::Phase::Main)
    );
    let file = root.join(&case.area).join(format!("{name}.snap"));
    let snapshot = insta::Snapshot::from_file(&file).ok()?;
    serde_json::from_str(&snapshot.contents().as_text()?.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(name: &str, grade: &str, steps: Value) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        let source = format!("{grade}: s");
        let text = json!({"about": "a", "source": source, "grade": grade, "steps": steps}).to_string();
        std::fs::write(&path, text).unwrap();
        crate::case::load_case(&path, name.to_string()).unwrap()
    }

    fn body(action: &str, path: &str) -> Signature {
        Signature {
            action: action.into(),
            check: "body".into(),
            path: path.into(),
        }
    }

    fn ok() -> Normal {
        Normal {
            status: 200,
            error_type: None,
            body: Value::Null,
        }
    }

    #[test]
    fn a_body_path_is_judged_by_the_strongest_case_asserting_it_or_inside_it() {
        let cases = [
            case(
                "a::documented",
                "documented",
                json!([{"operation": "DescribeObjects", "expect": {"json_includes": {"pipelineObjects": [
                    {"id": "Schedule", "fields": [{"key": "@sphere", "stringValue": "COMPONENT"}, {"key": "@version"}]}
                ]}}}]),
            ),
            case(
                "a::inferred",
                "inferred",
                json!([{"operation": "DescribeObjects", "expect": {"json_includes": {"pipelineObjects": [
                    {"id": "X", "fields": [{"key": "@healthStatus", "stringValue": "HEALTHY"}]}
                ]}}}]),
            ),
        ];
        let evidence = Evidence::from_cases(&cases, None);
        // Object ids are data: any object's @sphere is the documented one.
        let sphere = evidence.judge(&body("DescribeObjects", "/pipelineObjects/*/fields/[@sphere]"), &ok());
        assert_eq!(sphere.basis, Basis::Evidenced);
        assert_eq!(sphere.describe(), "evidenced (documented: a::documented)");
        // A field asserted without a value is still named by its key.
        let version = evidence.judge(&body("DescribeObjects", "/pipelineObjects/*/fields/[@version]"), &ok());
        assert_eq!(version.basis, Basis::Evidenced);
        // A path above an asserted one: what is inside it is (partly) evidenced.
        let list = evidence.judge(&body("DescribeObjects", "/pipelineObjects"), &ok());
        assert_eq!(list.cited.unwrap().case, "a::documented");
        let health = evidence.judge(
            &body("DescribeObjects", "/pipelineObjects/*/fields/[@healthStatus]"),
            &ok(),
        );
        assert_eq!(health.describe(), "inferred (inferred: a::inferred)");
        let nobody = evidence.judge(&body("DescribeObjects", "/pipelineObjects/*/fields/[@other]"), &ok());
        assert_eq!(nobody.describe(), "inferred (no case asserts it)");
        // The same path of another action is not evidence.
        let other = evidence.judge(&body("QueryObjects", "/pipelineObjects/*/fields/[@sphere]"), &ok());
        assert_eq!(other.basis, Basis::Inferred);
    }

    #[test]
    fn status_and_error_type_are_judged_by_the_reference_outcome_and_envelope_by_header() {
        let cases = [
            case(
                "g::model",
                "model",
                json!([{"operation": "AddTags", "expect": {"error": "ValidationException"}}]),
            ),
            case(
                "p::observed",
                "documented",
                json!([{"operation": "ListPipelines", "expect": {
                    "grade": "observed", "source": "s",
                    "headers": {"x-amzn-RequestId": {"present": true}}
                }}]),
            ),
        ];
        let evidence = Evidence::from_cases(&cases, None);
        let status = |check: &str, status: u16, error: Option<&str>| {
            evidence.judge(
                &Signature {
                    action: "AddTags".into(),
                    check: check.into(),
                    path: String::new(),
                },
                &Normal {
                    status,
                    error_type: error.map(str::to_string),
                    body: Value::Null,
                },
            )
        };
        assert_eq!(
            status("status", 400, Some("ValidationException")).describe(),
            "evidenced (model: g::model)"
        );
        assert_eq!(
            status("error type", 400, Some("InvalidRequestException")).basis,
            Basis::Inferred
        );
        assert_eq!(status("status", 200, None).basis, Basis::Inferred);
        let envelope = |check: &str| {
            evidence
                .judge(
                    &Signature {
                        action: "CreatePipeline".into(),
                        check: format!("envelope:{check}"),
                        path: String::new(),
                    },
                    &ok(),
                )
                .describe()
        };
        // The step's own grade counts, and a header asserted on one action is the envelope of all.
        assert_eq!(envelope("request-id"), "evidenced (observed: p::observed)");
        assert_eq!(envelope("crc32"), "inferred (no case asserts it)");
    }

    #[test]
    fn the_corpus_index_evidences_what_the_corpus_documents() {
        let evidence = Evidence::corpus().unwrap();
        let sphere = evidence.judge(&body("DescribeObjects", "/pipelineObjects/*/fields/[@sphere]"), &ok());
        assert_eq!(sphere.basis, Basis::Evidenced, "{}", sphere.describe());
        let made_up = evidence.judge(&body("DescribeObjects", "/pipelineObjects/*/fields/[@madeUp]"), &ok());
        assert_eq!(made_up.describe(), "inferred (no case asserts it)");
    }
}

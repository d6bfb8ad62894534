//! Which of the reference's answers rest only on inferred behaviour, so that a
//! difference there is reported apart from differences on evidenced behaviour.
//!
//! A first version, by action: the grades proper live on case files (`grade`),
//! and the reference marks each behaviour where it decides it (`observed:`,
//! `documented:` or `inferred:`, see `crates/dpconform-reference/src`). What
//! the task runner sees (PollForTask, ReportTaskProgress, SetTaskStatus,
//! ReportTaskRunnerHeartbeat), how instances and attempts come and go
//! (QueryObjects, DescribeObjects, SetStatus) and expression evaluation are
//! documented only in outline (the Developer Guide's status pages; no recorded
//! answers in `evidence/`), so the reference's details there are inferred. The
//! pipeline actions (create, define, activate, describe, list, tag, delete)
//! have recorded answers (`evidence/aws-cli-examples-*.md`, the SDK
//! integration tests, the placebo recordings) and the service model's shapes.
//! A status or error-type difference is about the service model (grade
//! `model`) for every action.

use serde::Serialize;

use super::compare::Signature;

/// How well the reference's side of a difference is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The reference's answer rests on recorded or documented behaviour.
    Evidenced,
    /// The reference's answer rests only on inferred behaviour.
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

/// Actions whose answer bodies the reference infers (see the module comment).
const INFERRED_BODIES: [&str; 8] = [
    "PollForTask",
    "ReportTaskProgress",
    "SetTaskStatus",
    "ReportTaskRunnerHeartbeat",
    "QueryObjects",
    "DescribeObjects",
    "SetStatus",
    "EvaluateExpression",
];

/// The basis of the reference's answer under `signature`.
pub fn basis(signature: &Signature) -> Basis {
    let body = signature.check == "body";
    if body && INFERRED_BODIES.contains(&signature.action.as_str()) {
        Basis::Inferred
    } else {
        Basis::Evidenced
    }
}

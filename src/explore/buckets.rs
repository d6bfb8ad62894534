//! Findings put in buckets a person can take in at a glance: the same check
//! with the same two answers on several actions is one kind of difference
//! ("500 where the reference answers PipelineNotFoundException"), however many
//! actions show it.

use serde::Serialize;

use super::compare::Normal;
use super::evidence::Basis;
use super::report::Finding;

/// Findings of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// The check (`status`, `error type`, `body`, `envelope:<check>`, `transport`).
    pub check: String,
    /// The reference's answer, where the kind is about answers (status, error type, transport).
    pub reference: Option<String>,
    /// The endpoint's answer there.
    pub endpoint: Option<String>,
    /// Its findings: the action, and for body differences the path.
    pub members: Vec<String>,
    /// How many rest on evidenced behaviour (the rest on inferred).
    pub evidenced: usize,
}

impl Bucket {
    /// `status: reference 400 PipelineNotFoundException, endpoint 500`, or the check alone.
    pub fn title(&self) -> String {
        match (&self.reference, &self.endpoint) {
            (Some(r), Some(e)) => format!("{}: reference {r}, endpoint {e}", self.check),
            _ => self.check.clone(),
        }
    }

    /// How many rest on inferred behaviour.
    pub fn inferred(&self) -> usize {
        self.members.len() - self.evidenced
    }
}

/// An answer in a line: `400 PipelineNotFoundException`, `200`, `no answer (timeout)`.
pub fn answer(n: &Normal) -> String {
    match (&n.error_type, n.status) {
        (_, 0) => format!("no answer ({})", n.error_type.as_deref().unwrap_or("transport")),
        (Some(t), s) => format!("{s} {t}"),
        (None, s) => format!("{s}"),
    }
}

/// The answers a finding's kind is about: both, for status, error type and
/// transport; none for body and envelope differences (any answer has them).
fn answers(f: &Finding) -> (Option<String>, Option<String>) {
    if matches!(f.signature.check.as_str(), "status" | "error type" | "transport") {
        (Some(answer(&f.reference)), Some(answer(&f.endpoint)))
    } else {
        (None, None)
    }
}

impl Bucket {
    /// Whether `finding` is of this kind.
    pub fn holds(&self, finding: &Finding) -> bool {
        self.check == finding.signature.check && (self.reference.clone(), self.endpoint.clone()) == answers(finding)
    }
}

/// The buckets of `findings`, largest first.
pub fn buckets(findings: &[Finding]) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::new();
    for f in findings {
        let (reference, endpoint) = answers(f);
        let member = if f.signature.path.is_empty() {
            f.signature.action.clone()
        } else {
            format!("{} {}", f.signature.action, f.signature.path)
        };
        let evidenced = usize::from(f.basis == Basis::Evidenced);
        match out
            .iter_mut()
            .find(|b| b.check == f.signature.check && b.reference == reference && b.endpoint == endpoint)
        {
            Some(bucket) => {
                bucket.members.push(member);
                bucket.evidenced += evidenced;
            }
            None => out.push(Bucket {
                check: f.signature.check.clone(),
                reference,
                endpoint,
                members: vec![member],
                evidenced,
            }),
        }
    }
    for bucket in &mut out {
        bucket.members.sort();
    }
    out.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| a.title().cmp(&b.title()))
    });
    out
}

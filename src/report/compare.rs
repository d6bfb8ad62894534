//! Differential mode: the same cases run against two endpoints, and every step
//! whose normalised responses differ (status, error type, body after
//! redaction), whatever the cases expected.

use std::fmt::Write;

use super::diff::keyed_steps;
use super::json::{Report, RunInfo, StepReport};
use super::normalize::{self, Normalized};
use crate::check::labelled_diff;

/// A step whose normalised responses differ between the two endpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct StepDifference {
    /// The case's name.
    pub case: String,
    /// The step's name.
    pub step: String,
    /// The API operation the step called, when it named one.
    pub operation: Option<String>,
    /// What differs: `status`, `error type`, `body`, or `response` (one side has none).
    pub aspects: Vec<String>,
    /// Unified diff of the normalised responses (A -> B).
    pub diff: String,
}

/// The result of running the same cases against endpoints A and B.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The run against endpoint A.
    pub a: RunInfo,
    /// The run against endpoint B.
    pub b: RunInfo,
    /// Steps with a response from both endpoints.
    pub compared_steps: usize,
    /// Every step that differs, in A's case and step order.
    pub differences: Vec<StepDifference>,
}

/// Compares the responses of two runs of the same cases (A, then B). Steps are
/// matched by case, phase, name and occurrence.
pub fn compare(a: &Report, b: &Report) -> Comparison {
    let mut out = Comparison {
        a: a.run.clone(),
        b: b.run.clone(),
        compared_steps: 0,
        differences: Vec::new(),
    };
    for case_a in &a.cases {
        let Some(case_b) = b.case(&case_a.name) else { continue };
        let steps_b = keyed_steps(case_b);
        for (key, step_a) in keyed_steps(case_a) {
            let Some((_, step_b)) = steps_b.iter().find(|(k, _)| *k == key) else {
                continue;
            };
            let side =
                |s: &StepReport, run: &RunInfo| s.response.as_ref().map(|r| normalize::response(r, &run.run_ids()));
            let (na, nb) = (side(step_a, &a.run), side(step_b, &b.run));
            let aspects = match (&na, &nb) {
                (Some(x), Some(y)) => {
                    out.compared_steps += 1;
                    differing(x, y)
                }
                (None, None) => continue,
                _ => vec!["response".to_string()],
            };
            if aspects.is_empty() {
                continue;
            }
            let render = |n: &Option<Normalized>, s: &StepReport| match n {
                Some(n) => n.render(),
                None => format!(
                    "no response: {}\n",
                    s.failures
                        .first()
                        .map(|f| f.message.as_str())
                        .or(s.not_run_reason.as_deref())
                        .unwrap_or("not sent")
                ),
            };
            out.differences.push(StepDifference {
                case: case_a.name.clone(),
                step: step_a.name.clone(),
                operation: step_a.operation.clone().or_else(|| step_b.operation.clone()),
                aspects,
                diff: labelled_diff(&render(&na, step_a), &render(&nb, step_b), "A", "B"),
            });
        }
    }
    out
}

fn differing(a: &Normalized, b: &Normalized) -> Vec<String> {
    let mut aspects = Vec::new();
    if a.status != b.status {
        aspects.push("status".to_string());
    }
    if a.error_type != b.error_type {
        aspects.push("error type".to_string());
    }
    if a.body != b.body {
        aspects.push("body".to_string());
    }
    aspects
}

/// Plain text for the terminal.
pub fn console(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "A: {} (run {})", c.a.endpoint, c.a.run_id);
    let _ = writeln!(out, "B: {} (run {})", c.b.endpoint, c.b.run_id);
    for d in &c.differences {
        let _ = writeln!(out, "\nDIFF  {} / {}  ({})", d.case, d.step, d.aspects.join(", "));
        for line in d.diff.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    let _ = write!(
        out,
        "\n{} step(s) compared, {} differ",
        c.compared_steps,
        c.differences.len()
    );
    out
}

//! Differential mode: the same cases run against two endpoints, and every step
//! whose normalised responses differ (status, error type, body after
//! redaction), whatever the cases expected.

use std::fmt::Write;

use super::diff::keyed_steps;
use super::json::{Report, RunInfo, StepReport};
use super::normalize::{self, Normalized};
use crate::baseline::Baseline;
use crate::case::CheckName;
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
    /// Set when a baseline expects this difference: its reason.
    pub known: Option<String>,
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
                known: None,
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
        let known = d.known.as_deref().map(|r| format!("  known: {r}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "\nDIFF  {} / {}  ({}){known}",
            d.case,
            d.step,
            d.aspects.join(", ")
        );
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
    let known = c.known_differences();
    if known > 0 {
        let _ = write!(out, " ({known} known, {} new)", c.differences.len() - known);
    }
    out
}

impl Comparison {
    /// How many differences a baseline expects.
    pub fn known_differences(&self) -> usize {
        self.differences.iter().filter(|d| d.known.is_some()).count()
    }

    /// Marks the differences `baseline` expects as known: a `[[case]]` entry
    /// covers its case's differences (on the aspects its checks name, or any),
    /// a `[[check]]` entry the aspect it names in every case. Returns the
    /// `[[case]]` entries that match no difference (fixed: to be removed).
    pub fn apply_baseline(&mut self, baseline: &Baseline) -> Vec<String> {
        let mut stale = Vec::new();
        for d in &mut self.differences {
            if let Some(entry) = baseline
                .checks
                .iter()
                .find(|e| d.aspects.iter().all(|a| aspect_of(e.check) == Some(a.as_str())))
            {
                d.known = Some(format!("every case: {}", entry.reason));
            }
        }
        for entry in &baseline.cases {
            let mut hit = false;
            for d in self.differences.iter_mut().filter(|d| d.case == entry.case) {
                let covered = entry.checks.is_empty()
                    || d.aspects
                        .iter()
                        .all(|a| entry.checks.iter().any(|c| aspect_of(*c) == Some(a.as_str())));
                if covered {
                    hit = true;
                    d.known.get_or_insert_with(|| entry.reason.clone());
                }
            }
            if !hit {
                stale.push(format!(
                    "fixed: `{}` no longer differs: remove its entry from the baseline ({})",
                    entry.case, entry.at
                ));
            }
        }
        stale
    }
}

/// The aspect of a comparison a check's name stands for.
fn aspect_of(check: CheckName) -> Option<&'static str> {
    match check {
        CheckName::Status => Some("status"),
        CheckName::ErrorType => Some("error type"),
        CheckName::Json | CheckName::Body | CheckName::Snapshot => Some("body"),
        CheckName::Transport => Some("response"),
        _ => None,
    }
}

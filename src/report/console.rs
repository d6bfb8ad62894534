//! Plain-text output for people: a line per case as it finishes, the details of
//! failures at the end (sorted, so two runs read alike), then the failures
//! grouped by cause, the per-action matrix and the totals, so that the end of
//! the output says what went wrong however many cases failed. `--quiet` prints
//! only the groups and the totals ([`brief`]). Everything here is a pure function
//! of outcomes, so it is golden-tested.

use std::fmt::Write;
use std::time::Duration;

use super::groups::{self, FailureGroup};
use super::json::{Report, RunMeta};
use super::matrix::{self, Verdict};
use crate::case::Grade;
use crate::outcome::{BaselineVerdict, CaseOutcome, CaseStatus, GradeTotals, RunOutcome};

/// Failed checks shown under a case's line; the rest are counted.
const CHECKS_PER_CASE: usize = 3;

/// Groups of failures listed; the rest are counted (every one is in the reports).
const GROUPS_SHOWN: usize = 20;

/// One line for a finished case, plus one indented line per failed check (the
/// first few; the details at the end have them all).
pub fn case_line(case: &CaseOutcome) -> String {
    let mut out = String::new();
    let (label, tail) = match &case.status {
        CaseStatus::Passed => ("PASS", format!("({})", duration(case.duration))),
        CaseStatus::Failed => ("FAIL", format!("({})", duration(case.duration))),
        CaseStatus::Known => ("KNOWN", format!("({})", duration(case.duration))),
        CaseStatus::Skipped(reason) => ("SKIP", format!("({reason})")),
    };
    let _ = write!(out, "{label}  {}  {tail}", case.name);
    let failures: Vec<_> = case
        .failed_steps()
        .flat_map(|step| step.failures.iter().map(move |f| (step, f)))
        .collect();
    for (step, failure) in failures.iter().take(CHECKS_PER_CASE) {
        let _ = write!(
            out,
            "\n      {}: [{}] {}{}",
            step.name,
            failure.check,
            first_line(&failure.message),
            if failure.known.is_some() { " (known)" } else { "" }
        );
    }
    if failures.len() > CHECKS_PER_CASE {
        let _ = write!(
            out,
            "\n      … and {} more failed check(s)",
            failures.len() - CHECKS_PER_CASE
        );
    }
    out
}

/// The full story of a failed case: each failed step, its checks, messages and diffs.
/// `endpoint` names the target in the reproductions (`None`: the embedded reference).
pub fn failure_details(case: &CaseOutcome, endpoint: Option<&str>) -> String {
    super::text::case_details(&super::json::CaseReport::from_outcome(case, endpoint))
}

/// `observed 12 passed, 0 failed · model ...`: the grades that had cases, strongest first.
fn grade_line(by_grade: &GradeTotals) -> String {
    let parts: Vec<String> = Grade::ALL
        .iter()
        .filter_map(|g| {
            let t = by_grade.get(*g);
            let known = if t.known > 0 {
                format!(", {} known", t.known)
            } else {
                String::new()
            };
            (t.passed + t.failed + t.known > 0).then(|| format!("{g} {} passed, {} failed{known}", t.passed, t.failed))
        })
        .collect();
    if parts.is_empty() {
        "no case ran".into()
    } else {
        parts.join(" · ")
    }
}

/// The end of a run: failure details, failures by cause, the per-action
/// matrix, totals by grade, and the closing line.
pub fn summary(run: &RunOutcome) -> String {
    let mut out = String::new();
    let mut failed: Vec<&CaseOutcome> = run.cases.iter().filter(|c| c.status == CaseStatus::Failed).collect();
    failed.sort_by(|a, b| a.name.cmp(&b.name));
    if !failed.is_empty() {
        let _ = writeln!(out, "\nfailures:\n");
        for case in &failed {
            let _ = writeln!(out, "{}", failure_details(case, run.named_endpoint()));
        }
        let _ = writeln!(out, "failed cases:");
        for case in &failed {
            let _ = writeln!(out, "    {}", case.name);
        }
    }
    let report = Report::from_run(run, &RunMeta::default());
    causes(&mut out, &groups::group(&report));
    action_matrix(&mut out, &report);
    totals(&mut out, run);
    out
}

/// What `--quiet` prints at the end of a run: failures by cause and the totals.
pub fn brief(run: &RunOutcome) -> String {
    let mut out = String::new();
    causes(&mut out, &groups::group(&Report::from_run(run, &RunMeta::default())));
    totals(&mut out, run);
    out
}

/// `failures by cause`, largest first: one line per group, with examples.
fn causes(out: &mut String, groups: &[FailureGroup]) {
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nfailures by cause, largest first:");
    let width = groups
        .iter()
        .take(GROUPS_SHOWN)
        .map(|g| g.counts().len())
        .max()
        .unwrap_or(0);
    for g in groups.iter().take(GROUPS_SHOWN) {
        let more = if g.cases > g.examples.len() { ", …" } else { "" };
        let _ = writeln!(
            out,
            "  {:>width$}  {}  (e.g. {}{more})",
            g.counts(),
            g.cause(),
            g.examples.join(", ")
        );
    }
    if groups.len() > GROUPS_SHOWN {
        let _ = writeln!(
            out,
            "  … and {} more cause(s), in the reports (report.html, summary.md)",
            groups.len() - GROUPS_SHOWN
        );
    }
}

/// The per-action matrix: one line per action or area that ran, then those not covered.
fn action_matrix(out: &mut String, report: &Report) {
    let rows = matrix::build(report);
    let (ran, not_covered): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.verdict() != Verdict::NotCovered);
    let width = ran.iter().map(|r| r.label.len()).max().unwrap_or(0);
    let _ = writeln!(out, "\nper action:");
    for row in ran {
        let requests = if row.is_action {
            format!("; requests {} passed, {} failed", row.steps_passed, row.steps_failed)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {:width$}  {:8}  {} passed, {} failed{requests}",
            row.label,
            row.verdict().label(),
            row.passed,
            row.failed
        );
    }
    if !not_covered.is_empty() {
        let labels: Vec<&str> = not_covered.iter().map(|r| r.label.as_str()).collect();
        let _ = writeln!(out, "  not covered: {}", labels.join(", "));
    }
}

/// Totals by grade, the verdict, why the run stopped early, and the closing line.
fn totals(out: &mut String, run: &RunOutcome) {
    let t = run.totals();
    let _ = writeln!(out, "\nby grade: {}", grade_line(&t.by_grade));
    let _ = writeln!(out, "{}", t.by_grade.verdict());
    if run.interrupted {
        let _ = writeln!(out, "interrupted: only the cases that finished are counted");
    }
    if let Some(stopped) = &run.stopped {
        let _ = writeln!(out, "{}", stopped.line());
    }
    if let Some(baseline) = &run.baseline {
        let _ = write!(out, "{}", baseline_lines(baseline, &run.stale_entries()));
    }
    let throttled = match run.throttled() {
        0 => String::new(),
        n => format!(" ({n} more throttled, sent again after a backoff)"),
    };
    let _ = writeln!(
        out,
        "{} requests in {} against {}{throttled}",
        run.requests(),
        duration(run.duration),
        run.endpoint
    );
    let _ = write!(out, "{}", t.summary_line());
}

use super::text::first_line;

/// What the baseline did: the checks it waives for every case, and the entries
/// that no longer match a failure (each fails the run).
fn baseline_lines(baseline: &BaselineVerdict, stale: &[String]) -> String {
    let mut out = format!("baseline {}", baseline.file);
    if !baseline.waived.is_empty() {
        let waived: Vec<String> = baseline
            .waived
            .iter()
            .map(|w| format!("{} ({})", w.check, w.reason))
            .collect();
        out.push_str(&format!(": known to fail in every case: {}", waived.join("; ")));
    }
    out.push('\n');
    if !stale.is_empty() {
        out.push_str(&format!(
            "{} stale baseline entr{} (the run fails until they are removed):\n",
            stale.len(),
            if stale.len() == 1 { "y" } else { "ies" }
        ));
        for entry in stale {
            out.push_str(&format!("    {entry}\n"));
        }
    }
    out
}

fn duration(d: Duration) -> String {
    if d.as_secs() >= 1 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

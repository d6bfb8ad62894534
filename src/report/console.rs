//! Plain-text output for people: a line per case as it finishes, the details of
//! failures at the end (sorted, so two runs read alike), and the totals.
//! Everything here is a pure function of outcomes, so it is golden-tested.

use std::fmt::Write;
use std::time::Duration;

use crate::case::Grade;
use crate::outcome::{BaselineVerdict, CaseOutcome, CaseStatus, GradeTotals, RunOutcome};

/// One line for a finished case, plus one indented line per failed check.
pub fn case_line(case: &CaseOutcome) -> String {
    let mut out = String::new();
    let (label, tail) = match &case.status {
        CaseStatus::Passed => ("PASS", format!("({})", duration(case.duration))),
        CaseStatus::Failed => ("FAIL", format!("({})", duration(case.duration))),
        CaseStatus::Known => ("KNOWN", format!("({})", duration(case.duration))),
        CaseStatus::Skipped(reason) => ("SKIP", format!("({reason})")),
    };
    let _ = write!(out, "{label}  {}  {tail}", case.name);
    for step in case.failed_steps() {
        for failure in &step.failures {
            let _ = write!(
                out,
                "\n      {}: [{}] {}{}",
                step.name,
                failure.check,
                first_line(&failure.message),
                if failure.known.is_some() { " (known)" } else { "" }
            );
        }
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
            (t.passed + t.failed > 0).then(|| format!("{g} {} passed, {} failed", t.passed, t.failed))
        })
        .collect();
    if parts.is_empty() {
        "no case ran".into()
    } else {
        parts.join(" · ")
    }
}

/// The end of a run: failure details, totals by grade, and the closing line.
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
    let t = run.totals();
    let _ = writeln!(out, "\nby grade: {}", grade_line(&t.by_grade));
    let _ = writeln!(out, "{}", t.by_grade.verdict());
    if run.interrupted {
        let _ = writeln!(out, "interrupted: only the cases that finished are counted");
    }
    if let Some(baseline) = &run.baseline {
        let _ = write!(out, "{}", baseline_lines(baseline, &run.stale_entries()));
    }
    let _ = writeln!(
        out,
        "{} requests in {} against {}",
        run.requests(),
        duration(run.duration),
        run.endpoint
    );
    let _ = write!(out, "{}", t.summary_line());
    out
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

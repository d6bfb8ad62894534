//! Plain-text output for people: a line per case as it finishes, the details of
//! failures at the end (sorted, so two runs read alike), and the totals.
//! Everything here is a pure function of outcomes, so it is golden-tested.

use std::fmt::Write;
use std::time::Duration;

use crate::outcome::{CaseOutcome, CaseStatus, RunOutcome, StepStatus};

/// One line for a finished case, plus one indented line per failed check.
pub fn case_line(case: &CaseOutcome) -> String {
    let mut out = String::new();
    let (label, tail) = match &case.status {
        CaseStatus::Passed => ("PASS", format!("({})", duration(case.duration))),
        CaseStatus::Failed => ("FAIL", format!("({})", duration(case.duration))),
        CaseStatus::Skipped(reason) => ("SKIP", format!("({reason})")),
    };
    let _ = write!(out, "{label}  {}  {tail}", case.name);
    for step in case.failed_steps() {
        for failure in &step.failures {
            let _ = write!(
                out,
                "\n      {}: [{}] {}",
                step.name,
                failure.check,
                first_line(&failure.message)
            );
        }
    }
    out
}

/// The full story of a failed case: each failed step, its checks, messages and diffs.
pub fn failure_details(case: &CaseOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---- {} ----", case.name);
    let _ = writeln!(out, "  file:   {}", case.path.display());
    let _ = writeln!(out, "  about:  {}", case.about);
    let _ = writeln!(out, "  source: {}", case.source);
    for step in &case.steps {
        match &step.status {
            StepStatus::Failed => {
                let request = step
                    .request
                    .as_ref()
                    .map(|r| {
                        let target = r
                            .headers
                            .iter()
                            .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-target"))
                            .map(|(_, v)| format!(" {v}"))
                            .unwrap_or_default();
                        format!(" ({} {}{target})", r.method, r.url)
                    })
                    .unwrap_or_default();
                let _ = writeln!(out, "  step \"{}\"{request}:", step.name);
                for failure in &step.failures {
                    let _ = writeln!(out, "    [{}] {}", failure.check, failure.message);
                    if let Some(diff) = &failure.diff {
                        for line in diff.lines() {
                            let _ = writeln!(out, "      {line}");
                        }
                    }
                }
                if let Some(response) = &step.response {
                    let _ = writeln!(out, "    response: {} {}", response.status, first_line(&response.body));
                }
            }
            StepStatus::NotRun(reason) => {
                let _ = writeln!(out, "  step \"{}\": not run ({reason})", step.name);
            }
            StepStatus::Passed => {}
        }
    }
    out
}

/// The end of a run: failure details, totals by provenance, and the closing line.
pub fn summary(run: &RunOutcome) -> String {
    let mut out = String::new();
    let mut failed: Vec<&CaseOutcome> = run.cases.iter().filter(|c| c.status == CaseStatus::Failed).collect();
    failed.sort_by(|a, b| a.name.cmp(&b.name));
    if !failed.is_empty() {
        let _ = writeln!(out, "\nfailures:\n");
        for case in &failed {
            let _ = writeln!(out, "{}", failure_details(case));
        }
        let _ = writeln!(out, "failed cases:");
        for case in &failed {
            let _ = writeln!(out, "    {}", case.name);
        }
    }
    let t = run.totals();
    let _ = writeln!(
        out,
        "\ndocumented: {} passed, {} failed; inferred: {} passed, {} failed",
        t.documented_passed, t.documented_failed, t.inferred_passed, t.inferred_failed
    );
    if run.interrupted {
        let _ = writeln!(out, "interrupted: only the cases that finished are counted");
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

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn duration(d: Duration) -> String {
    if d.as_secs() >= 1 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

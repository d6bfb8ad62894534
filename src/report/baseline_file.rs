//! Writes a baseline of known failures (see [`crate::baseline`]) from a run's
//! report: what failed then is what the baseline expects from now on.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::json::{CaseReport, Report, Status};
use super::text::first_line;

/// A baseline (TOML) that expects exactly the failures of `report`: a check
/// that failed in every case that ran (or is named in `waive`) becomes a
/// `[[check]]` entry; each other failed case a `[[case]]` entry naming the
/// checks it failed, with its first failure as the reason.
pub fn baseline_toml(report: &Report, waive: &[String]) -> String {
    let ran: Vec<&CaseReport> = report
        .cases
        .iter()
        .filter(|c| matches!(c.status, Status::Passed | Status::Failed | Status::Known))
        .collect();
    let failed: Vec<&CaseReport> = ran
        .iter()
        .copied()
        .filter(|c| matches!(c.status, Status::Failed | Status::Known))
        .collect();
    let everywhere: BTreeSet<String> = match failed.first() {
        Some(first) if failed.len() == ran.len() => failed_checks(first)
            .into_iter()
            .filter(|check| failed.iter().all(|c| failed_checks(c).contains(check)))
            .collect(),
        _ => BTreeSet::new(),
    };
    let waived: BTreeSet<String> = everywhere.into_iter().chain(waive.iter().cloned()).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Known failures of {} (dpconform run {}, {}).\n\
         # Written by `dpconform baseline`; give each entry a real reason, and an `expires` date\n\
         # (expires = 2027-01-31) where a fix is planned. A new failure, an expired entry, or an\n\
         # entry that passes again fails the run: the baseline only shrinks.",
        report.run.endpoint, report.run.run_id, report.run.started
    );
    for check in &waived {
        let count = failed.iter().filter(|c| failed_checks(c).contains(check)).count();
        let _ = writeln!(
            out,
            "\n[[check]]\nname = {}\nreason = {}",
            toml_string(check),
            toml_string(&format!("fails in {count} of {} cases that ran", ran.len()))
        );
    }
    for case in failed {
        let checks: Vec<String> = failed_checks(case)
            .into_iter()
            .filter(|c| !waived.contains(c))
            .collect();
        if checks.is_empty() {
            continue;
        }
        let reason = first_failure(case, &waived).unwrap_or_else(|| "failed".into());
        let list: Vec<String> = checks.iter().map(|c| toml_string(c)).collect();
        let _ = writeln!(
            out,
            "\n[[case]]\nname = {}\nchecks = [{}]\nreason = {}",
            toml_string(&case.name),
            list.join(", "),
            toml_string(&reason)
        );
    }
    out
}

/// The checks a case failed, known or not.
fn failed_checks(case: &CaseReport) -> BTreeSet<String> {
    case.steps
        .iter()
        .flat_map(|s| s.failures.iter().map(|f| f.check.clone()))
        .collect()
}

/// `step: [check] message` of the first failure not on a waived check, cut to one short line.
fn first_failure(case: &CaseReport, waived: &BTreeSet<String>) -> Option<String> {
    case.steps.iter().find_map(|step| {
        step.failures.iter().find(|f| !waived.contains(&f.check)).map(|f| {
            let text = format!("{}: [{}] {}", step.name, f.check, first_line(&f.message));
            match text.char_indices().nth(160) {
                Some((cut, _)) => format!("{}…", &text[..cut]),
                None => text,
            }
        })
    })
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

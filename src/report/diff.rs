//! What changed between two runs: newly failing and newly passing cases, cases
//! that still fail but for another reason, added and removed cases, and
//! responses whose normalised form changed. Cases are matched by name, so runs
//! of different case-file versions compare case by case. Rendered for the
//! console here; Markdown and HTML in their modules.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::json::{CaseReport, Report, RunInfo, Status, StepReport};
use super::normalize;
use crate::check::labelled_diff;

/// Why a case fails, stable across runs: the step and the check (messages may hold ids).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reason {
    /// The failed step's name.
    pub step: String,
    /// The failed check's name (`status`, `json`, ...).
    pub check: String,
    /// First line of the message, for people.
    pub message: String,
}

impl Reason {
    fn key(&self) -> (&str, &str) {
        (&self.step, &self.check)
    }

    /// `step: [check] message`, for people.
    pub(crate) fn line(&self) -> String {
        format!("{}: [{}] {}", self.step, self.check, self.message)
    }
}

/// The reasons a case failed, one per (step, check).
pub(crate) fn reasons(case: &CaseReport) -> Vec<Reason> {
    let mut out: Vec<Reason> = Vec::new();
    for step in case.failed_steps() {
        for failure in &step.failures {
            let reason = Reason {
                step: step.name.clone(),
                check: failure.check.clone(),
                message: failure.message.lines().next().unwrap_or_default().to_string(),
            };
            if !out.iter().any(|r| r.key() == reason.key()) {
                out.push(reason);
            }
        }
    }
    out
}

/// A case that changed between passing and failing.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseChange {
    /// The case's name.
    pub name: String,
    /// The reasons in the new run (newly failing) or the old one (newly passing).
    pub reasons: Vec<Reason>,
    /// The case file differs between the runs, so the change may be the case's, not the endpoint's.
    pub file_changed: bool,
}

/// A case that fails in both runs, but not for the same reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonChange {
    /// The case's name.
    pub name: String,
    /// Reasons of the base run that are gone.
    pub gone: Vec<Reason>,
    /// Reasons the base run did not have: a regression.
    pub new: Vec<Reason>,
    /// The case file differs between the runs.
    pub file_changed: bool,
}

/// A case only one of the runs has.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseEntry {
    /// The case's name.
    pub name: String,
    /// Its status in the run that has it.
    pub status: Status,
}

/// A step whose normalised response changed between the runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseChange {
    /// The case's name.
    pub case: String,
    /// The step's name.
    pub step: String,
    /// Unified diff of the normalised responses (base -> new).
    pub diff: String,
}

/// What changed from a base run to a new one; every list is in case-name order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDiff {
    /// The earlier run.
    pub base: RunInfo,
    /// The later run.
    pub new: RunInfo,
    /// Cases that fail now and did not fail in the base run (a regression).
    pub newly_failing: Vec<CaseChange>,
    /// Cases that failed in the base run and pass now.
    pub newly_passing: Vec<CaseChange>,
    /// Cases that fail in both runs, for reasons that differ.
    pub different_reason: Vec<ReasonChange>,
    /// Cases only the new run has.
    pub added: Vec<CaseEntry>,
    /// Cases only the base run has.
    pub removed: Vec<CaseEntry>,
    /// Steps whose normalised responses differ (whether or not they pass).
    pub changed_responses: Vec<ResponseChange>,
    /// Cases present in both runs whose case file differs.
    pub changed_case_files: Vec<String>,
}

impl ReportDiff {
    /// A case fails that passed (or was not run) before, or a failing case has a new reason.
    pub fn regressed(&self) -> bool {
        !self.newly_failing.is_empty() || self.different_reason.iter().any(|r| !r.new.is_empty())
    }

    /// Both runs ran the same version of the whole cases folder.
    pub fn same_case_files(&self) -> bool {
        self.base.cases_sha256 == self.new.cases_sha256
    }

    /// One line: the counts.
    pub(crate) fn summary_line(&self) -> String {
        format!(
            "{} newly failing, {} newly passing, {} failing for a different reason, {} added, {} removed, {} response(s) changed",
            self.newly_failing.len(),
            self.newly_passing.len(),
            self.different_reason.len(),
            self.added.len(),
            self.removed.len(),
            self.changed_responses.len()
        )
    }
}

/// Compares two reports case by case.
pub fn diff(base: &Report, new: &Report) -> ReportDiff {
    let base_cases: BTreeMap<&str, &CaseReport> = base.cases.iter().map(|c| (c.name.as_str(), c)).collect();
    let new_cases: BTreeMap<&str, &CaseReport> = new.cases.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut out = ReportDiff {
        base: base.run.clone(),
        new: new.run.clone(),
        newly_failing: vec![],
        newly_passing: vec![],
        different_reason: vec![],
        added: vec![],
        removed: vec![],
        changed_responses: vec![],
        changed_case_files: vec![],
    };
    for (name, old) in &base_cases {
        let Some(now) = new_cases.get(name) else {
            out.removed.push(CaseEntry {
                name: name.to_string(),
                status: old.status,
            });
            continue;
        };
        let file_changed = match (&old.file_sha256, &now.file_sha256) {
            (Some(a), Some(b)) => a != b,
            _ => false,
        };
        if file_changed {
            out.changed_case_files.push(name.to_string());
        }
        match (old.status, now.status) {
            (Status::Failed, Status::Failed) => {
                let (before, after) = (reasons(old), reasons(now));
                let before_keys: BTreeSet<_> = before.iter().map(Reason::key).collect();
                let after_keys: BTreeSet<_> = after.iter().map(Reason::key).collect();
                if before_keys != after_keys {
                    out.different_reason.push(ReasonChange {
                        name: name.to_string(),
                        gone: before
                            .iter()
                            .filter(|r| !after_keys.contains(&r.key()))
                            .cloned()
                            .collect(),
                        new: after
                            .iter()
                            .filter(|r| !before_keys.contains(&r.key()))
                            .cloned()
                            .collect(),
                        file_changed,
                    });
                }
            }
            (_, Status::Failed) => out.newly_failing.push(CaseChange {
                name: name.to_string(),
                reasons: reasons(now),
                file_changed,
            }),
            (Status::Failed, Status::Passed) => out.newly_passing.push(CaseChange {
                name: name.to_string(),
                reasons: reasons(old),
                file_changed,
            }),
            _ => {}
        }
        out.changed_responses.extend(changed_responses(
            name,
            old,
            now,
            &base.run.run_ids(),
            &new.run.run_ids(),
        ));
    }
    for (name, now) in &new_cases {
        if !base_cases.contains_key(name) {
            out.added.push(CaseEntry {
                name: name.to_string(),
                status: now.status,
            });
        }
    }
    out
}

/// Steps are matched by phase, name and occurrence; both must have a response.
fn changed_responses(
    case: &str,
    old: &CaseReport,
    new: &CaseReport,
    old_run: &[&str],
    new_run: &[&str],
) -> Vec<ResponseChange> {
    let mut out = Vec::new();
    for (key, step) in keyed_steps(new) {
        let Some(before) = keyed_steps(old).into_iter().find(|(k, _)| *k == key).map(|(_, s)| s) else {
            continue;
        };
        let (Some(a), Some(b)) = (&before.response, &step.response) else {
            continue;
        };
        let (a, b) = (normalize::response(a, old_run), normalize::response(b, new_run));
        if a != b {
            out.push(ResponseChange {
                case: case.to_string(),
                step: step.name.clone(),
                diff: labelled_diff(&a.render(), &b.render(), "base", "new"),
            });
        }
    }
    out
}

/// Each step with a key that identifies it within its case across runs.
pub(crate) fn keyed_steps(case: &CaseReport) -> Vec<((String, String, usize), &StepReport)> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    case.steps
        .iter()
        .map(|s| {
            let phase = format!("{:?}", s.phase);
            let n = seen.entry((phase.clone(), s.name.clone())).or_insert(0);
            *n += 1;
            ((phase, s.name.clone(), *n), s)
        })
        .collect()
}

/// Plain text for the terminal.
pub fn console(d: &ReportDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "base: run {} against {} ({})\nnew:  run {} against {} ({})",
        d.base.run_id, d.base.endpoint, d.base.started, d.new.run_id, d.new.endpoint, d.new.started
    );
    if d.same_case_files() {
        let _ = writeln!(out, "case files: the same in both runs");
    } else {
        let _ = writeln!(
            out,
            "case files: different versions, compared case by case ({} common case file(s) changed)",
            d.changed_case_files.len()
        );
    }
    let changed = |c: bool| if c { "  (case file changed)" } else { "" };
    if !d.newly_failing.is_empty() {
        let _ = writeln!(out, "\nnewly failing ({}):", d.newly_failing.len());
        for c in &d.newly_failing {
            let _ = writeln!(out, "  FAIL  {}{}", c.name, changed(c.file_changed));
            for r in &c.reasons {
                let _ = writeln!(out, "        {}", r.line());
            }
        }
    }
    if !d.newly_passing.is_empty() {
        let _ = writeln!(out, "\nnewly passing ({}):", d.newly_passing.len());
        for c in &d.newly_passing {
            let _ = writeln!(out, "  PASS  {}{}", c.name, changed(c.file_changed));
        }
    }
    if !d.different_reason.is_empty() {
        let _ = writeln!(
            out,
            "\nstill failing, for a different reason ({}):",
            d.different_reason.len()
        );
        for c in &d.different_reason {
            let _ = writeln!(out, "  FAIL  {}{}", c.name, changed(c.file_changed));
            for r in &c.gone {
                let _ = writeln!(out, "      - {}", r.line());
            }
            for r in &c.new {
                let _ = writeln!(out, "      + {}", r.line());
            }
        }
    }
    if !d.added.is_empty() {
        let _ = writeln!(out, "\nadded cases ({}):", d.added.len());
        for c in &d.added {
            let _ = writeln!(out, "  + {} ({})", c.name, c.status.as_str());
        }
    }
    if !d.removed.is_empty() {
        let _ = writeln!(out, "\nremoved cases ({}):", d.removed.len());
        for c in &d.removed {
            let _ = writeln!(out, "  - {} (was {})", c.name, c.status.as_str());
        }
    }
    if !d.changed_responses.is_empty() {
        let _ = writeln!(out, "\nchanged responses ({}):", d.changed_responses.len());
        for r in &d.changed_responses {
            let _ = writeln!(out, "  {} / {}", r.case, r.step);
            for line in r.diff.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    let _ = writeln!(out, "\n{}", d.summary_line());
    let _ = write!(
        out,
        "{}",
        if d.regressed() {
            "regressed: yes"
        } else {
            "regressed: no"
        }
    );
    out
}

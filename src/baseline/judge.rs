//! Applying a baseline to case outcomes: failures it expects are marked known,
//! and entries that no longer match a failure are reported stale.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::Baseline;
use crate::outcome::{BaselineVerdict, CaseOutcome, CaseStatus, StepStatus, WaivedCheck};

/// A baseline, with what it has matched so far in a run (shared by the cases
/// in flight, so `[[check]]` entries that matched nothing can be named at the end).
#[derive(Debug)]
pub struct Judge {
    baseline: Baseline,
    check_hits: Vec<AtomicUsize>,
    judged: AtomicUsize,
}

impl Judge {
    /// A judge with nothing matched yet.
    pub fn new(baseline: Baseline) -> Judge {
        let check_hits = baseline.checks.iter().map(|_| AtomicUsize::new(0)).collect();
        Judge {
            baseline,
            check_hits,
            judged: AtomicUsize::new(0),
        }
    }

    /// The baseline judged by.
    pub fn baseline(&self) -> &Baseline {
        &self.baseline
    }

    /// Marks the failures of `case` the baseline expects (`known`), sets its
    /// status (failed: a failure is new; known: every failure is expected;
    /// passed: only `[[check]]` failures and every step ran), and records in
    /// `case.stale` each of its `[[case]]` entries that matched no failure.
    pub fn apply(&self, case: &mut CaseOutcome) {
        if matches!(case.status, CaseStatus::Skipped(_)) {
            return;
        }
        self.judged.fetch_add(1, Ordering::Relaxed);
        let entries: Vec<_> = self.baseline.cases.iter().filter(|e| e.case == case.name).collect();
        let mut entry_hit = vec![false; entries.len()];
        let mut matched_case_entry = false;
        for step in &mut case.steps {
            for failure in &mut step.failures {
                if let Some(i) = self.baseline.checks.iter().position(|c| c.check == failure.check) {
                    self.check_hits[i].fetch_add(1, Ordering::Relaxed);
                    failure.known = Some(format!("every case: {}", self.baseline.checks[i].reason));
                    continue;
                }
                let hit = entries
                    .iter()
                    .position(|e| e.checks.is_empty() || e.checks.contains(&failure.check));
                if let Some(j) = hit {
                    entry_hit[j] = true;
                    matched_case_entry = true;
                    failure.known = Some(entries[j].reason.clone());
                }
            }
            if step.status == StepStatus::Failed && step.failures.iter().all(|f| f.known.is_some()) {
                step.status = StepStatus::Known;
            }
        }
        for (entry, hit) in entries.iter().zip(entry_hit) {
            if !hit {
                let on = if entry.checks.is_empty() {
                    String::new()
                } else {
                    let names: Vec<&str> = entry.checks.iter().map(|c| c.as_str()).collect();
                    format!(" on {}", names.join(", "))
                };
                case.stale.push(format!(
                    "fixed: `{}` no longer fails{on}: remove its entry from the baseline ({})",
                    case.name, entry.at
                ));
            }
        }
        if case.status == CaseStatus::Failed && !case.steps.iter().any(|s| s.status == StepStatus::Failed) {
            let all_ran = !case.steps.iter().any(|s| matches!(s.status, StepStatus::NotRun(_)));
            if matched_case_entry || !all_ran {
                case.status = CaseStatus::Known;
            } else {
                case.status = CaseStatus::Passed;
                case.failed_grade = None;
            }
        }
    }

    /// What the baseline made of the run so far: `[[check]]` entries that
    /// matched nothing (once any case was judged), and the waived checks.
    pub fn verdict(&self) -> BaselineVerdict {
        let any = self.judged.load(Ordering::Relaxed) > 0;
        let stale_checks = self
            .baseline
            .checks
            .iter()
            .zip(&self.check_hits)
            .filter(|(_, hits)| any && hits.load(Ordering::Relaxed) == 0)
            .map(|(entry, _)| {
                format!(
                    "fixed: no case fails `{}` any more: remove its entry from the baseline ({})",
                    entry.check, entry.at
                )
            })
            .collect();
        let waived = self
            .baseline
            .checks
            .iter()
            .map(|c| WaivedCheck {
                check: c.check.to_string(),
                reason: c.reason.clone(),
            })
            .collect();
        BaselineVerdict {
            file: self.baseline.path.display().to_string(),
            waived,
            stale_checks,
        }
    }
}

//! The per-action conformance matrix shared by summary.md and report.html: one
//! row per API action (its case folder's cases, and every step of any case that
//! called the action), then one row per other area (`protocol`, `auth`, ...).

use std::collections::BTreeSet;

use super::json::{Report, Status};
use crate::case::Grade;
use crate::outcome::{Counted, GradeTotals};
use dpconform_protocol::{snake_case, OPERATIONS};

/// One row of the matrix: an API action, or another area of cases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixRow {
    /// The action (`CreatePipeline`) or, for other areas, the area (`protocol`).
    pub label: String,
    /// The case folder of the row (`create_pipeline`, `protocol`).
    pub area: String,
    /// The row is an API action (else another area, which has no request counts).
    pub is_action: bool,
    /// Cases in the row's folder.
    pub cases: usize,
    /// Of those, cases that passed.
    pub passed: usize,
    /// Of those, cases that failed.
    pub failed: usize,
    /// Of those, cases that failed as the baseline expects.
    pub known: usize,
    /// Of those, cases skipped.
    pub skipped: usize,
    /// Passed and failed cases of the row by grade.
    pub by_grade: GradeTotals,
    /// Steps of any case that called this action and passed (actions only).
    pub steps_passed: usize,
    /// Steps of any case that called this action and failed (actions only).
    pub steps_failed: usize,
}

/// A row's one-word result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every case and every request to the action passed.
    Conforms,
    /// A case of the row, or a request to the action, failed.
    Fails,
    /// No case of this row ran.
    NotCovered,
}

impl Verdict {
    /// The word shown in reports: `conforms`, `fails`, `not covered`.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::Fails => "fails",
            Verdict::NotCovered => "not covered",
        }
    }

    /// A short symbol for Markdown tables.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Verdict::Conforms => "✅",
            Verdict::Fails => "❌",
            Verdict::NotCovered => "➖",
        }
    }
}

impl MatrixRow {
    /// `passed / failed` requests to the action, from any case; empty for other areas.
    pub(crate) fn requests_cell(&self) -> String {
        if self.is_action {
            format!("{} / {}", self.steps_passed, self.steps_failed)
        } else {
            String::new()
        }
    }

    /// `passed/total` of one grade's cases, or `-` when it has none.
    pub(crate) fn grade_cell(&self, grade: Grade) -> String {
        let t = self.by_grade.get(grade);
        match t.passed + t.failed {
            0 => "-".into(),
            total => format!("{}/{total}", t.passed),
        }
    }

    /// Fails if anything in the row failed, conforms if something passed, else not covered.
    pub fn verdict(&self) -> Verdict {
        if self.failed > 0 || self.steps_failed > 0 {
            Verdict::Fails
        } else if self.passed > 0 || self.steps_passed > 0 {
            Verdict::Conforms
        } else {
            Verdict::NotCovered
        }
    }
}

/// The matrix of a report: the 19 actions in model order, then other areas by name.
pub fn build(report: &Report) -> Vec<MatrixRow> {
    let mut rows: Vec<MatrixRow> = OPERATIONS
        .iter()
        .map(|op| MatrixRow {
            label: op.to_string(),
            area: snake_case(op),
            is_action: true,
            ..MatrixRow::default()
        })
        .collect();
    let others: BTreeSet<&str> = report
        .cases
        .iter()
        .map(|c| c.area.as_str())
        .filter(|a| !rows.iter().any(|r| r.area == *a))
        .collect();
    rows.extend(others.into_iter().map(|area| MatrixRow {
        label: area.to_string(),
        area: area.to_string(),
        is_action: false,
        ..MatrixRow::default()
    }));
    for case in &report.cases {
        if let Some(row) = rows.iter_mut().find(|r| r.area == case.area) {
            row.cases += 1;
            let counted = case.failed_grade.unwrap_or(case.grade);
            match case.status {
                Status::Passed => {
                    row.passed += 1;
                    row.by_grade.count(counted, Counted::Passed);
                }
                Status::Failed => {
                    row.failed += 1;
                    row.by_grade.count(counted, Counted::Failed);
                }
                Status::Known => {
                    row.known += 1;
                    row.by_grade.count(counted, Counted::Known);
                }
                Status::Skipped | Status::NotRun => row.skipped += 1,
            }
        }
        for step in &case.steps {
            let Some(op) = &step.operation else { continue };
            if let Some(row) = rows.iter_mut().find(|r| r.is_action && r.label == *op) {
                match step.status {
                    Status::Passed => row.steps_passed += 1,
                    Status::Failed => row.steps_failed += 1,
                    Status::Known | Status::Skipped | Status::NotRun => {}
                }
            }
        }
    }
    rows
}

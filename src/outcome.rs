//! Typed results of a run. The runner produces them and prints nothing; the
//! console, `cargo test` and the reports consume them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::case::Grade;
pub use crate::check::{CheckFailure, CheckName};

/// Main steps run in order until one fails; `finally` steps always run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Main,
    Finally,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum StepStatus {
    Passed,
    Failed,
    /// Not sent: an earlier step failed, or a variable it needs was never captured.
    NotRun(String),
}

/// A request as sent, with secrets (signature, session token) redacted.
#[derive(Debug, Clone, Serialize)]
pub struct SentRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8), cut at [`RECORDED_BODY_LIMIT`] bytes.
    pub body: String,
    pub body_len: usize,
}

/// A response as received.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub body_len: usize,
}

/// Bodies longer than this are cut in recorded exchanges (checks see all of it).
pub const RECORDED_BODY_LIMIT: usize = 64 * 1024;

/// Text of a body for the record: lossy UTF-8, cut at the limit.
pub fn recorded_body(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(RECORDED_BODY_LIMIT)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > RECORDED_BODY_LIMIT {
        text.push_str(&format!("… [{} more bytes]", bytes.len() - RECORDED_BODY_LIMIT));
    }
    text
}

#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    pub name: String,
    pub phase: Phase,
    pub status: StepStatus,
    pub failures: Vec<CheckFailure>,
    /// Envelope checks the case switched off for this step, with its reasons.
    pub skipped_checks: Vec<(CheckName, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<SentRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ReceivedResponse>,
    /// How many times it was sent (more than 1 with `retry`).
    pub attempts: u32,
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum CaseStatus {
    Passed,
    Failed,
    Skipped(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseOutcome {
    pub name: String,
    pub area: String,
    pub path: PathBuf,
    pub about: String,
    pub source: String,
    /// The case's grade.
    pub grade: Grade,
    /// When it failed: the grade of the first failed step's assertions (a
    /// step may carry its own grade), which is what the difference rests on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_grade: Option<Grade>,
    pub status: CaseStatus,
    pub steps: Vec<StepOutcome>,
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

impl CaseOutcome {
    /// Failed steps with their failures, in order.
    pub fn failed_steps(&self) -> impl Iterator<Item = &StepOutcome> {
        self.steps.iter().filter(|s| s.status == StepStatus::Failed)
    }

    /// The grade the case's result counts under: its failed assertion's when
    /// it failed, else the case's own.
    pub fn counted_grade(&self) -> Grade {
        self.failed_grade.unwrap_or(self.grade)
    }

    /// Number of requests sent for this case.
    pub fn requests(&self) -> u32 {
        self.steps.iter().map(|s| s.attempts).sum()
    }
}

/// Passed and failed cases of one grade.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassFail {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
}

/// Results split by evidence grade (a failed case counts under the grade of
/// its failed assertion).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeTotals {
    /// Expectations observed on the real service.
    pub observed: PassFail,
    /// Expectations from the service model.
    pub model: PassFail,
    /// Expectations from the documentation.
    pub documented: PassFail,
    /// Inferred expectations.
    pub inferred: PassFail,
}

impl GradeTotals {
    /// The totals of one grade.
    pub fn get(&self, grade: Grade) -> PassFail {
        match grade {
            Grade::Observed => self.observed,
            Grade::Model => self.model,
            Grade::Documented => self.documented,
            Grade::Inferred => self.inferred,
        }
    }

    /// Adds another count to one grade's.
    pub fn add(&mut self, grade: Grade, more: PassFail) {
        let slot = self.get_mut(grade);
        slot.passed += more.passed;
        slot.failed += more.failed;
    }

    fn get_mut(&mut self, grade: Grade) -> &mut PassFail {
        match grade {
            Grade::Observed => &mut self.observed,
            Grade::Model => &mut self.model,
            Grade::Documented => &mut self.documented,
            Grade::Inferred => &mut self.inferred,
        }
    }

    /// One line a person reads at a glance: where the endpoint conforms and
    /// where it differs, strongest evidence first
    /// (`conforms on everything observed and model; differs on 12 inferred`).
    pub fn verdict(&self) -> String {
        let (mut conforms, mut differs) = (Vec::new(), Vec::new());
        for g in Grade::ALL {
            let t = self.get(g);
            if t.failed > 0 {
                differs.push(format!("{} {g}", t.failed));
            } else if t.passed > 0 {
                conforms.push(g.name());
            }
        }
        let join = |v: &[String]| match v {
            [] => String::new(),
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        };
        let conforms: Vec<String> = conforms.iter().map(|s| s.to_string()).collect();
        match (conforms.is_empty(), differs.is_empty()) {
            (true, true) => "nothing ran".into(),
            (false, true) => format!("conforms on everything {}", join(&conforms)),
            (true, false) => format!("differs on {} expectation(s)", join(&differs)),
            (false, false) => format!(
                "conforms on everything {}; differs on {} expectation(s)",
                join(&conforms),
                join(&differs)
            ),
        }
    }
}

/// Totals of a run, split by grade.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases not run (`skip`).
    pub skipped: usize,
    /// Passed and failed by evidence grade.
    #[serde(default)]
    pub by_grade: GradeTotals,
}

impl Totals {
    /// Totals of these case outcomes.
    pub fn of<'a>(cases: impl IntoIterator<Item = &'a CaseOutcome>) -> Totals {
        let mut t = Totals::default();
        for case in cases {
            match case.status {
                CaseStatus::Passed => t.add(case.counted_grade(), true),
                CaseStatus::Failed => t.add(case.counted_grade(), false),
                CaseStatus::Skipped(_) => t.skipped += 1,
            }
        }
        t
    }

    /// Counts one passed or failed case under `grade`.
    pub fn add(&mut self, grade: Grade, passed: bool) {
        let slot = self.by_grade.get_mut(grade);
        if passed {
            self.passed += 1;
            slot.passed += 1;
        } else {
            self.failed += 1;
            slot.failed += 1;
        }
    }

    /// The run's closing line: `N passed, N failed` (`, N skipped` where any).
    pub fn summary_line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            line.push_str(&format!(", {} skipped", self.skipped));
        }
        line
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    pub endpoint: String,
    pub run_id: String,
    #[serde(serialize_with = "rfc3339")]
    pub started: SystemTime,
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// In case-name order, whatever order they finished in.
    pub cases: Vec<CaseOutcome>,
    /// Set when the run stopped early (e.g. Ctrl-C): the cases listed are those that finished.
    pub interrupted: bool,
}

impl RunOutcome {
    pub fn totals(&self) -> Totals {
        Totals::of(&self.cases)
    }

    pub fn requests(&self) -> u32 {
        self.cases.iter().map(CaseOutcome::requests).sum()
    }
}

/// What the runner tells its observers as it goes.
#[derive(Debug, Clone)]
pub enum Event {
    RunStarted { endpoint: String, cases: usize },
    CaseStarted { name: String },
    CaseFinished(Box<CaseOutcome>),
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0)
}

fn rfc3339<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    let t = time::OffsetDateTime::from(*t);
    s.serialize_str(
        &t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    )
}

/// Receives events as the run goes (console, progress bar, ...).
pub type Observer = Arc<dyn Fn(Event) + Send + Sync>;

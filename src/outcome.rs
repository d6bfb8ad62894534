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
    /// A step of `steps`: run in order, until one fails.
    Main,
    /// A step of `finally`: run whatever happened before (clean-up).
    Finally,
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum StepStatus {
    /// Sent, and every check passed.
    Passed,
    /// At least one check failed (a transport or template error is a failed check too).
    Failed,
    /// Failed, but a baseline expects every one of its failures.
    Known,
    /// Not sent: an earlier step failed, or a variable it needs was never captured.
    NotRun(String),
}

/// A request as sent, with secrets (signature, session token) redacted.
#[derive(Debug, Clone, Serialize)]
pub struct SentRequest {
    /// HTTP method (`POST`, or a raw step's own).
    pub method: String,
    /// Full URL the request went to.
    pub url: String,
    /// Headers in the order sent; the signature and session token are redacted.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8), cut at 64 KiB.
    pub body: String,
    /// Length of the whole body in bytes, before any cut.
    pub body_len: usize,
}

/// A response as received.
#[derive(Debug, Clone, Serialize)]
pub struct ReceivedResponse {
    /// HTTP status code.
    pub status: u16,
    /// Headers as received, in order.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8), cut at 64 KiB.
    pub body: String,
    /// Length of the whole body in bytes, before any cut.
    pub body_len: usize,
}

/// Bodies longer than this are cut in recorded exchanges (checks see all of it).
pub(crate) const RECORDED_BODY_LIMIT: usize = 64 * 1024;

/// Text of a body for the record: lossy UTF-8, cut at the limit.
pub(crate) fn recorded_body(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(RECORDED_BODY_LIMIT)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > RECORDED_BODY_LIMIT {
        text.push_str(&format!("… [{} more bytes]", bytes.len() - RECORDED_BODY_LIMIT));
    }
    text
}

/// What one step of a case did: its status, failed checks and the exchange.
#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    /// The step's name in the case file.
    pub name: String,
    /// Whether it is a main or a `finally` step.
    pub phase: Phase,
    /// Passed, failed, or not run (with why).
    pub status: StepStatus,
    /// Every failed check, in the order checked; empty when the step passed.
    pub failures: Vec<CheckFailure>,
    /// Envelope checks the case switched off for this step, with its reasons.
    pub skipped_checks: Vec<(CheckName, String)>,
    /// The request as sent (the last attempt's); `None` when none was built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<SentRequest>,
    /// The response as received (the last attempt's); `None` without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<ReceivedResponse>,
    /// How many times it was sent (more than 1 with `retry`).
    pub attempts: u32,
    /// How many times the endpoint answered ThrottlingException and the
    /// request was sent again after a backoff (not counted in `attempts`).
    #[serde(skip_serializing_if = "is_zero")]
    pub throttled: u32,
    /// Wall time of the step, retries included.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum CaseStatus {
    /// Every step passed.
    Passed,
    /// A step failed.
    Failed,
    /// Failed, but a baseline expects every one of its failures.
    Known,
    /// Not run: the case file's `skip`, with its reason.
    Skipped(String),
}

/// What one case did: its status and every step's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct CaseOutcome {
    /// The case's name, from its path: `create_pipeline::idempotent_retry`.
    pub name: String,
    /// The case's folder under `cases/` (`create_pipeline`, `protocol`, ...).
    pub area: String,
    /// The case file.
    pub path: PathBuf,
    /// The case file's `about`: what the case shows.
    pub about: String,
    /// The case file's `source`: where the expected behaviour comes from.
    pub source: String,
    /// The case's grade.
    pub grade: Grade,
    /// When it failed: the grade of the first failed step's assertions (a
    /// step may carry its own grade), which is what the difference rests on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_grade: Option<Grade>,
    /// Passed, failed or skipped.
    pub status: CaseStatus,
    /// Main steps, then `finally` steps, in the order run.
    pub steps: Vec<StepOutcome>,
    /// Baseline entries for this case that matched no failure: each fails the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<String>,
    /// Wall time of the whole case.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
}

impl CaseOutcome {
    /// Failed steps with their failures, in order.
    pub(crate) fn failed_steps(&self) -> impl Iterator<Item = &StepOutcome> {
        self.steps.iter().filter(|s| s.status == StepStatus::Failed)
    }

    /// The grade the case's result counts under: its failed assertion's when
    /// it failed, else the case's own.
    fn counted_grade(&self) -> Grade {
        self.failed_grade.unwrap_or(self.grade)
    }

    /// Number of requests sent for this case.
    pub(crate) fn requests(&self) -> u32 {
        self.steps.iter().map(|s| s.attempts).sum()
    }
}

/// Passed, failed and known-failing cases of one grade.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassFail {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases that failed as a baseline expects.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub known: usize,
}

fn is_zero<N: Default + PartialEq>(n: &N) -> bool {
    *n == N::default()
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
    pub(crate) fn get(&self, grade: Grade) -> PassFail {
        match grade {
            Grade::Observed => self.observed,
            Grade::Model => self.model,
            Grade::Documented => self.documented,
            Grade::Inferred => self.inferred,
        }
    }

    /// Counts one passed, failed or known case under `grade`.
    pub(crate) fn count(&mut self, grade: Grade, result: Counted) {
        let slot = self.get_mut(grade);
        match result {
            Counted::Passed => slot.passed += 1,
            Counted::Failed => slot.failed += 1,
            Counted::Known => slot.known += 1,
        }
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
    pub(crate) fn verdict(&self) -> String {
        let (mut conforms, mut differs) = (Vec::new(), Vec::new());
        for g in Grade::ALL {
            let t = self.get(g);
            if t.failed + t.known > 0 {
                differs.push(match t.known {
                    0 => format!("{} {g}", t.failed),
                    known => format!("{} {g} ({known} known)", t.failed + known),
                });
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

/// How a case counts in the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counted {
    Passed,
    Failed,
    Known,
}

/// Totals of a run, split by grade.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases that failed as a baseline expects.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub known: usize,
    /// Cases not run (`skip`).
    pub skipped: usize,
    /// Passed and failed by evidence grade.
    #[serde(default)]
    pub by_grade: GradeTotals,
}

impl Totals {
    /// Totals of these case outcomes.
    fn of<'a>(cases: impl IntoIterator<Item = &'a CaseOutcome>) -> Totals {
        let mut t = Totals::default();
        for case in cases {
            match case.status {
                CaseStatus::Passed => t.add(case.counted_grade(), Counted::Passed),
                CaseStatus::Failed => t.add(case.counted_grade(), Counted::Failed),
                CaseStatus::Known => t.add(case.counted_grade(), Counted::Known),
                CaseStatus::Skipped(_) => t.skipped += 1,
            }
        }
        t
    }

    /// Counts one passed, failed or known case under `grade`.
    pub(crate) fn add(&mut self, grade: Grade, result: Counted) {
        match result {
            Counted::Passed => self.passed += 1,
            Counted::Failed => self.failed += 1,
            Counted::Known => self.known += 1,
        }
        self.by_grade.count(grade, result);
    }

    /// The run's closing line: `N passed, N failed` (`, N known`, `, N skipped` where any).
    pub fn summary_line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.known > 0 {
            line.push_str(&format!(", {} known", self.known));
        }
        if self.skipped > 0 {
            line.push_str(&format!(", {} skipped", self.skipped));
        }
        line
    }
}

/// What a whole run did: every finished case, and when and where it ran.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    /// Base URL of the endpoint under test.
    pub endpoint: String,
    /// The run's id: the `{{run_id}}` of its templates (and the start of each case's `{{run}}`).
    pub run_id: String,
    /// When the run started.
    #[serde(serialize_with = "rfc3339")]
    pub started: SystemTime,
    /// Wall time of the whole run.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// In case-name order, whatever order they finished in.
    pub cases: Vec<CaseOutcome>,
    /// Set when the run stopped early (e.g. Ctrl-C): the cases listed are those that finished.
    pub interrupted: bool,
    /// The target was the embedded reference (reproductions then name no endpoint).
    #[serde(skip)]
    pub embedded_reference: bool,
    /// What a baseline of known failures made of the run; `None` without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineVerdict>,
    /// Set when the run stopped starting cases because enough had failed (`--max-failures`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stopped>,
}

/// What a baseline made of a whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineVerdict {
    /// The baseline file.
    pub file: String,
    /// Checks the baseline expects to fail in every case, with its reasons.
    pub waived: Vec<WaivedCheck>,
    /// `[[check]]` entries that matched no failure: fixed, to be removed (each fails the run).
    pub stale_checks: Vec<String>,
}

/// A check a baseline expects to fail in every case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaivedCheck {
    /// The check's name.
    pub check: String,
    /// Why it fails.
    pub reason: String,
}

/// Why and where a run stopped starting new cases before the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stopped {
    /// The failure limit that was reached.
    pub max_failures: usize,
    /// Selected cases that were never started (they are not in the outcome).
    pub not_started: usize,
}

impl Stopped {
    /// `stopped after 5 failed case(s) (--max-failures): 120 case(s) not started`.
    pub fn line(&self) -> String {
        format!(
            "stopped after {} failed case(s) (--max-failures): {} case(s) not started",
            self.max_failures, self.not_started
        )
    }
}

impl RunOutcome {
    /// Passed, failed and skipped cases, in all and by grade.
    pub fn totals(&self) -> Totals {
        Totals::of(&self.cases)
    }

    /// The endpoint as reproductions name it: `None` for the embedded reference.
    pub fn named_endpoint(&self) -> Option<&str> {
        (!self.embedded_reference).then_some(self.endpoint.as_str())
    }

    /// Every stale baseline entry of the run: `[[case]]` entries, then `[[check]]` entries.
    pub fn stale_entries(&self) -> Vec<String> {
        let cases = self.cases.iter().flat_map(|c| c.stale.iter().cloned());
        let checks = self.baseline.iter().flat_map(|b| b.stale_checks.iter().cloned());
        cases.chain(checks).collect()
    }

    /// Number of requests sent in the run, retries included.
    pub fn requests(&self) -> u32 {
        self.cases.iter().map(CaseOutcome::requests).sum()
    }

    /// Requests the endpoint throttled and that were sent again after a backoff
    /// (not counted in [`RunOutcome::requests`]).
    pub fn throttled(&self) -> u32 {
        self.cases.iter().flat_map(|c| &c.steps).map(|s| s.throttled).sum()
    }
}

/// What the runner tells its observers as it goes.
#[derive(Debug, Clone)]
pub enum Event {
    /// The run begins; sent once, before any case starts.
    RunStarted {
        /// Base URL of the endpoint under test.
        endpoint: String,
        /// How many cases will run.
        cases: usize,
    },
    /// A case has started (cases run concurrently: several may be in flight).
    CaseStarted {
        /// The case's name.
        name: String,
    },
    /// A case has finished, with its outcome.
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

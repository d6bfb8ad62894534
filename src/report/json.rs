//! `report.json`: the versioned, self-contained record of a run, and the
//! document every other report (JUnit, Markdown, HTML, diff, merge) is made
//! from. It is built from a [`RunOutcome`] plus what the runner does not know
//! (the dpconform version, the hash of the case files, the partition), has
//! secrets scrubbed, and can be read back (`dpconform diff`, `dpconform merge`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::reproduce::{reproduce, Reproduction};
use crate::case::Grade;
use crate::outcome::{
    BaselineVerdict, CaseOutcome, CaseStatus, Counted, Phase, RunOutcome, StepOutcome, StepStatus, Stopped, Totals,
};

/// The `schema` member of every report.json.
pub(crate) const SCHEMA: &str = "dpconform-report";
/// Bumped on any change that an older reader would misread.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// A whole report.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always `dpconform-report`: what the file is.
    pub schema: String,
    /// The version of this layout; a reader refuses any other.
    pub schema_version: u32,
    /// Where, when and how the run ran.
    pub run: RunInfo,
    /// Case counts, in all and by evidence grade (recomputable from `cases`).
    pub totals: Totals,
    /// Every case that ran or was skipped, in case-name order.
    pub cases: Vec<CaseReport>,
}

/// Metadata of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Base URL of the endpoint under test (for a merge, the parts' endpoints, comma-separated).
    pub endpoint: String,
    /// Version of the dpconform that wrote the report.
    pub dpconform_version: String,
    /// The run's id (`merged-<first part's id>` for a merge).
    pub run_id: String,
    /// When the run started: RFC 3339, UTC.
    pub started: String,
    /// Wall time of the run in milliseconds.
    pub duration_ms: f64,
    /// SHA-256 over every case file of the cases folder (names and contents), so two
    /// reports tell whether they ran the same version of the cases.
    pub cases_sha256: String,
    /// `K/N` when the run was one part of a partitioned run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// The run ids of the parts, for a report made by `dpconform merge`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
    /// The run stopped early (Ctrl-C): only the cases that finished are in the report.
    pub interrupted: bool,
    /// The run stopped starting cases after too many failed (`--max-failures`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stopped>,
    /// Requests sent, retries included.
    pub requests: u32,
    /// The baseline of known failures the run was judged by, and what it made of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineVerdict>,
}

/// The `status` of a case or a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// `passed`: every check passed.
    Passed,
    /// `failed`: a check failed.
    Failed,
    /// `known`: failed as the baseline expects (every failure is a known one).
    Known,
    /// `skipped`: a case the case file marks `skip`.
    Skipped,
    /// `not_run`: a step not sent (an earlier step failed, or a variable it needs is missing).
    NotRun,
}

impl Status {
    /// How people read it: `passed`, `failed`, `skipped`, `not run`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Known => "known",
            Status::Skipped => "skipped",
            Status::NotRun => "not run",
        }
    }
}

/// One case of `cases`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseReport {
    /// The case's name, from its path: `create_pipeline::idempotent_retry`.
    pub name: String,
    /// The case's folder under `cases/` (`create_pipeline`, `protocol`, ...).
    pub area: String,
    /// The case file, as the run found it.
    pub file: String,
    /// SHA-256 of the case file's contents (absent when it could not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_sha256: Option<String>,
    /// The case file's `about`: what the case shows.
    pub about: String,
    /// The case file's `source`: where the expected behaviour comes from.
    pub source: String,
    /// The case's evidence grade (`kind` in reports written before grades:
    /// `documented` or `inferred`).
    #[serde(alias = "kind")]
    pub grade: Grade,
    /// When it failed: the grade of the failed assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_grade: Option<Grade>,
    /// `passed`, `failed` or `skipped`.
    pub status: Status,
    /// Why the case was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// Wall time of the case in milliseconds.
    pub duration_ms: f64,
    /// Main steps, then `finally` steps, in the order run.
    pub steps: Vec<StepReport>,
    /// Baseline entries for this case that matched no failure (fixed: remove them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<String>,
}

/// One step of a case's `steps`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// The step's name in the case file.
    pub name: String,
    /// `main` or `finally`.
    pub phase: Phase,
    /// `passed`, `failed` or `not_run`.
    pub status: Status,
    /// Why the step was not sent (status `not_run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_run_reason: Option<String>,
    /// The API operation (from `x-amz-target`), when the request named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Every failed check, in the order checked; empty when the step passed.
    pub failures: Vec<FailureReport>,
    /// Envelope checks the case switched off for this step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_checks: Vec<SkippedCheck>,
    /// The request as sent (secrets redacted); absent when none was built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Exchange>,
    /// The response as received; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Exchange>,
    /// How many times the request was sent (more than 1 with `retry`).
    pub attempts: u32,
    /// How many times the endpoint throttled the request (ThrottlingException)
    /// and it was sent again after a backoff; absent when never.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub throttled: u32,
    /// For a failed (or known) step: commands that reproduce it alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reproduce: Option<Reproduction>,
    /// Wall time of the step in milliseconds, retries included.
    pub duration_ms: f64,
}

/// One failed check of a step's `failures`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureReport {
    /// The check's name as case files write it (`status`, `crc32`, `json`, ...).
    pub check: String,
    /// What was wrong, for people.
    pub message: String,
    /// A unified diff of expected and actual, for the checks that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Set when the baseline expects this failure: its reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<String>,
}

/// One entry of a step's `skipped_checks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedCheck {
    /// The check's name as case files write it.
    pub check: String,
    /// Why the case file switches it off.
    pub reason: String,
}

/// A request as sent or a response as received; `method`/`url` for requests,
/// `status` for responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// The HTTP method (requests only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The full URL (requests only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The HTTP status code (responses only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Headers in wire order, as `[name, value]` pairs.
    pub headers: Vec<(String, String)>,
    /// The body as text: lossy UTF-8, cut at 64 KiB.
    pub body: String,
    /// Length of the whole body in bytes, before any cut.
    pub body_len: usize,
}

impl Exchange {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a report needs beyond the outcome.
#[derive(Debug, Clone, Default)]
pub struct RunMeta {
    /// SHA-256 over every case file of the cases folder: [`RunInfo::cases_sha256`].
    pub cases_sha256: String,
    /// Case name -> SHA-256 of its file.
    pub case_sha256: BTreeMap<String, String>,
    /// `K/N` when the run is one part of a partitioned run.
    pub partition: Option<String>,
}

impl Report {
    /// The report of a finished run.
    pub fn from_run(run: &RunOutcome, meta: &RunMeta) -> Report {
        let endpoint = run.named_endpoint();
        let cases: Vec<CaseReport> = run.cases.iter().map(|c| case_report(c, meta, endpoint)).collect();
        let mut report = Report {
            schema: SCHEMA.into(),
            schema_version: SCHEMA_VERSION,
            run: RunInfo {
                endpoint: run.endpoint.clone(),
                dpconform_version: env!("CARGO_PKG_VERSION").into(),
                run_id: run.run_id.clone(),
                started: rfc3339(run.started),
                duration_ms: millis(run.duration),
                cases_sha256: meta.cases_sha256.clone(),
                partition: meta.partition.clone(),
                merged_from: Vec::new(),
                interrupted: run.interrupted,
                stopped: run.stopped,
                requests: run.requests(),
                baseline: run.baseline.clone(),
            },
            totals: Totals::default(),
            cases,
        };
        report.totals = report.compute_totals();
        report
    }

    /// Totals recomputed from the cases (the stored `totals` is a convenience for readers).
    pub(crate) fn compute_totals(&self) -> Totals {
        let mut t = Totals::default();
        for case in &self.cases {
            let counted = case.failed_grade.unwrap_or(case.grade);
            match case.status {
                Status::Passed => t.add(counted, Counted::Passed),
                Status::Failed => t.add(counted, Counted::Failed),
                Status::Known => t.add(counted, Counted::Known),
                Status::Skipped | Status::NotRun => t.skipped += 1,
            }
        }
        t
    }

    /// The case of that name, if the report has it.
    pub fn case(&self, name: &str) -> Option<&CaseReport> {
        self.cases.iter().find(|c| c.name == name)
    }

    /// The cases that failed, in case-name order.
    pub fn failed_cases(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(|c| c.status == Status::Failed)
    }

    /// Pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        text.push('\n');
        text
    }

    /// Parses a report.json; every problem is one message naming the file.
    pub fn parse(text: &str, origin: &str) -> Result<Report, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("{origin}: not a JSON document: {e}"))?;
        match value.get("schema").and_then(|s| s.as_str()) {
            Some(SCHEMA) => {}
            Some(other) => return Err(format!("{origin}: schema is `{other}`, not `{SCHEMA}`")),
            None => return Err(format!("{origin}: not a dpconform report (no `schema` member)")),
        }
        match value.get("schema_version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(SCHEMA_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "{origin}: schema version {v}; this dpconform reads version {SCHEMA_VERSION}"
                ))
            }
            None => return Err(format!("{origin}: no schema_version")),
        }
        serde_path_to_error::deserialize(value).map_err(|e| format!("{origin}: at {}: {}", e.path(), e.inner()))
    }

    /// Reads and parses a report.json file (see [`Report::parse`]).
    pub fn load(path: &Path) -> Result<Report, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Report::parse(&text, &path.display().to_string())
    }
}

impl CaseReport {
    /// The report of one case, without file hashes (for the console and `cargo test`).
    /// `endpoint`: how reproductions name the target (`None`: the embedded reference).
    pub(crate) fn from_outcome(case: &CaseOutcome, endpoint: Option<&str>) -> CaseReport {
        case_report(case, &RunMeta::default(), endpoint)
    }

    /// The steps that failed, in the order run.
    pub fn failed_steps(&self) -> impl Iterator<Item = &StepReport> {
        self.steps.iter().filter(|s| s.status == Status::Failed)
    }
}

fn case_report(case: &CaseOutcome, meta: &RunMeta, endpoint: Option<&str>) -> CaseReport {
    let (status, skip_reason) = match &case.status {
        CaseStatus::Passed => (Status::Passed, None),
        CaseStatus::Failed => (Status::Failed, None),
        CaseStatus::Known => (Status::Known, None),
        CaseStatus::Skipped(reason) => (Status::Skipped, Some(reason.clone())),
    };
    CaseReport {
        name: case.name.clone(),
        area: case.area.clone(),
        file: case.path.display().to_string(),
        file_sha256: meta.case_sha256.get(&case.name).cloned(),
        about: case.about.clone(),
        source: case.source.clone(),
        grade: case.grade,
        failed_grade: case.failed_grade,
        status,
        skip_reason,
        duration_ms: millis(case.duration),
        steps: case
            .steps
            .iter()
            .map(|step| step_report(&case.name, step, endpoint))
            .collect(),
        stale: case.stale.clone(),
    }
}

fn step_report(case: &str, step: &StepOutcome, endpoint: Option<&str>) -> StepReport {
    let (status, not_run_reason) = match &step.status {
        StepStatus::Passed => (Status::Passed, None),
        StepStatus::Failed => (Status::Failed, None),
        StepStatus::Known => (Status::Known, None),
        StepStatus::NotRun(reason) => (Status::NotRun, Some(reason.clone())),
    };
    let request = step.request.as_ref().map(|r| Exchange {
        method: Some(r.method.clone()),
        url: Some(r.url.clone()),
        status: None,
        headers: r.headers.clone(),
        body: r.body.clone(),
        body_len: r.body_len,
    });
    let operation = request.as_ref().and_then(|r| r.header("x-amz-target")).and_then(|t| {
        let (prefix, op) = t.split_once('.')?;
        (prefix == dpconform_protocol::TARGET_PREFIX && !op.is_empty()).then(|| op.to_string())
    });
    let reproduction = matches!(status, Status::Failed | Status::Known)
        .then(|| reproduce(case, endpoint, operation.as_deref(), request.as_ref()));
    StepReport {
        name: step.name.clone(),
        phase: step.phase,
        status,
        not_run_reason,
        operation,
        failures: step
            .failures
            .iter()
            .map(|f| FailureReport {
                check: f.check.to_string(),
                message: f.message.clone(),
                diff: f.diff.clone(),
                known: f.known.clone(),
            })
            .collect(),
        skipped_checks: step
            .skipped_checks
            .iter()
            .map(|(check, reason)| SkippedCheck {
                check: check.to_string(),
                reason: reason.clone(),
            })
            .collect(),
        request,
        response: step.response.as_ref().map(|r| Exchange {
            method: None,
            url: None,
            status: Some(r.status),
            headers: r.headers.clone(),
            body: r.body.clone(),
            body_len: r.body_len,
        }),
        attempts: step.attempts,
        throttled: step.throttled,
        reproduce: reproduction,
        duration_ms: millis(step.duration),
    }
}

/// Milliseconds with microsecond precision.
fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn millis(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

/// RFC 3339 in UTC, whole seconds.
fn rfc3339(t: std::time::SystemTime) -> String {
    let t = time::OffsetDateTime::from(t)
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The hashes of a set of case files: one per case, and one over all of them
/// (names and file hashes, in name order), from the hashes taken when the files were read.
pub fn hash_case_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> (String, BTreeMap<String, String>) {
    let per_case: BTreeMap<String, String> = files
        .into_iter()
        .map(|(name, sha256)| (name.to_string(), sha256.to_string()))
        .collect();
    let mut all = String::new();
    for (name, hash) in &per_case {
        all.push_str(name);
        all.push(' ');
        all.push_str(hash);
        all.push('\n');
    }
    (crate::case::sha256_hex(all.as_bytes()), per_case)
}

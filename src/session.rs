//! One conformance run as a library call: choose the cases, resolve the
//! endpoint, check that it answers, run with interrupts, and hand back the
//! outcome with the secrets its reports must not contain. `dpconform run`,
//! `dpconform compare` and the tests are callers of this module; they decide
//! only how to print and which exit status to give.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::case::discover::{load_all, matches_filters, LoadError};
use crate::case::{Case, Grade};
use crate::outcome::{Observer, RunOutcome};
use crate::report::json::{hash_case_files, Report, RunMeta};
use crate::report::partition::Partition;
use crate::report::redact::{scrub, Secrets};
use crate::run::interrupt::{Interrupt, StopHandle, StopLevel};
use crate::run::{default_jobs, RunConfig, Runner};
use crate::send::target::{self, Credentials};
use crate::snapshot::SnapshotStore;

/// Why a session could not run. Each is the caller's to print; none is a
/// failed case (those are in the [`RunOutcome`]).
#[derive(Debug)]
pub enum SessionError {
    /// A setting is out of range (the message says which and why).
    Usage(String),
    /// One or more case files are malformed; nothing was sent.
    CaseFiles(LoadError),
    /// No case matches the filters.
    NoCaseMatches {
        /// The filters given.
        filters: Vec<String>,
        /// The folder searched.
        cases: PathBuf,
    },
    /// The endpoint is not a usable URL, or nothing answers there.
    Endpoint(String),
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::Usage(m) | SessionError::Endpoint(m) => f.write_str(m),
            SessionError::CaseFiles(e) => write!(f, "{e}\nno request was sent: fix the case files above first"),
            SessionError::NoCaseMatches { filters, cases } => {
                write!(f, "no case matches {filters:?} in {}", cases.display())
            }
        }
    }
}

impl std::error::Error for SessionError {}

/// Which cases run and how.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Folder of case files.
    pub cases: PathBuf,
    /// Folder of snapshots.
    pub snapshots: PathBuf,
    /// Cases in flight at once (default: cores x 4).
    pub jobs: Option<usize>,
    /// Deadline of each request, in seconds.
    pub timeout_seconds: f64,
    /// Run only one part of the cases.
    pub partition: Option<Partition>,
    /// Filters match case names exactly instead of as substrings.
    pub exact: bool,
    /// Case-name filters; none selects every case.
    pub filters: Vec<String>,
    /// Only cases of these evidence grades; empty selects every grade.
    pub grades: Vec<Grade>,
}

/// Cases chosen to run, with what reports need to know about them.
pub struct Chosen {
    /// The cases, in the order they start.
    pub cases: Vec<Case>,
    /// Hashes of the case files and the partition, for the report.
    pub meta: RunMeta,
    /// Deadline of each request.
    pub timeout: Duration,
    /// Cases in flight at once.
    pub jobs: usize,
    /// Start no new case once this many have failed (`None`: run them all).
    pub max_failures: Option<usize>,
}

impl Selection {
    /// Loads, filters and partitions the cases. Every case file is read once, here.
    pub fn choose(&self) -> Result<Chosen, SessionError> {
        if !(self.timeout_seconds > 0.0 && self.timeout_seconds <= 3600.0) {
            return Err(SessionError::Usage(
                "--timeout must be more than 0 and at most 3600 seconds".into(),
            ));
        }
        let all = load_all(&self.cases).map_err(SessionError::CaseFiles)?;
        let (cases_sha256, case_sha256) = hash_case_files(all.iter().map(|c| (c.name.as_str(), c.sha256.as_str())));
        let mut cases: Vec<Case> = all
            .into_iter()
            .filter(|c| matches_filters(&c.name, &self.filters, self.exact))
            .filter(|c| self.grades.is_empty() || self.grades.contains(&c.grade()))
            .collect();
        if cases.is_empty() {
            let mut filters = self.filters.clone();
            if !self.grades.is_empty() {
                let grades: Vec<&str> = self.grades.iter().map(|g| g.name()).collect();
                filters.push(format!("--grade {}", grades.join(",")));
            }
            return Err(SessionError::NoCaseMatches {
                filters,
                cases: self.cases.clone(),
            });
        }
        if let Some(partition) = self.partition {
            cases.sort_by(|a, b| a.name.cmp(&b.name));
            cases = partition.select(cases);
        }
        Ok(Chosen {
            cases,
            meta: RunMeta {
                cases_sha256,
                case_sha256,
                partition: self.partition.map(|p| p.to_string()),
            },
            timeout: Duration::from_secs_f64(self.timeout_seconds),
            jobs: self.jobs.unwrap_or_else(default_jobs),
            max_failures: None,
        })
    }

    /// The snapshot folder.
    pub fn snapshots(&self) -> &Path {
        &self.snapshots
    }
}

/// A finished run and the secrets its reports must not contain.
pub struct Finished {
    /// What every case did.
    pub outcome: RunOutcome,
    /// The secret values the run signed with.
    pub secrets: Secrets,
    /// How output names the target (`the embedded reference (URL)` or the URL).
    pub target: String,
}

impl Finished {
    /// The run's report, with secrets scrubbed.
    pub fn report(&self, meta: &RunMeta) -> Report {
        let mut report = Report::from_run(&self.outcome, meta);
        scrub(&mut report, &self.secrets);
        report
    }
}

/// The secret keys and session tokens of `credentials`.
fn secrets_of(credentials: &[Credentials]) -> Secrets {
    Secrets::new(credentials.iter().flat_map(Credentials::secret_values))
}

/// Every secret a run may sign with, known before the target is resolved (for the console).
pub fn possible_secrets() -> Secrets {
    secrets_of(&[Credentials::from_env(), Credentials::embedded()])
}

/// What a session says before its first case starts.
pub struct Started<'a> {
    /// How many cases run.
    pub cases: usize,
    /// How output names the target.
    pub target: &'a str,
    /// The run's id.
    pub run_id: &'a str,
}

/// Resolves `endpoint` (else the endpoint variables, else the embedded
/// reference), checks it answers, and runs `cases` against it until they end
/// or `interrupt` stops them. `on_start` is called once the target answers.
pub async fn execute(
    endpoint: Option<&str>,
    cases: Vec<Case>,
    chosen: &Chosen,
    snapshots: SnapshotStore,
    observer: Observer,
    interrupt: Interrupt,
    on_start: impl FnOnce(Started<'_>),
) -> Result<Finished, SessionError> {
    let target = target::resolve(endpoint).await.map_err(SessionError::Endpoint)?;
    target::check_reachable(&target.endpoint, chosen.timeout)
        .await
        .map_err(SessionError::Endpoint)?;
    let runner = Runner::new(RunConfig {
        endpoint: target.endpoint.clone(),
        credentials: target.credentials.clone(),
        timeout: chosen.timeout,
        jobs: chosen.jobs,
        // The corpus is read-only against anything but the embedded reference.
        snapshots: snapshots.for_target(target.is_embedded()),
    })
    .map(|runner| Arc::new(runner.with_max_failures(chosen.max_failures)))
    .map_err(SessionError::Usage)?;
    let described = target.describe();
    on_start(Started {
        cases: cases.len(),
        target: &described,
        run_id: runner.run_id(),
    });
    let secrets = secrets_of(std::slice::from_ref(&target.credentials));
    let outcome = runner.run_all_until(cases, observer, interrupt).await;
    drop(target);
    Ok(Finished {
        outcome,
        secrets,
        target: described,
    })
}

/// Ctrl-C once: start no new case, let those in flight finish (their `finally`
/// steps clean up); twice: stop them; three times: `on_third` (the CLI exits).
pub async fn stop_on_ctrl_c(stop: StopHandle, on_third: impl FnOnce()) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    eprintln!("\ndpconform: interrupted; finishing the cases in flight, then writing what the run has (Ctrl-C again to stop them now)");
    stop.raise(StopLevel::Drain);
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    eprintln!("dpconform: stopping the cases in flight (Ctrl-C again to exit without reports)");
    stop.raise(StopLevel::Abort);
    if tokio::signal::ctrl_c().await.is_ok() {
        on_third();
    }
}

/// A fresh interrupt channel: the handle stops the run, the [`Interrupt`] goes to [`execute`].
pub fn interrupt_channel() -> (StopHandle, Interrupt) {
    Interrupt::channel()
}

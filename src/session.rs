//! One conformance run as a library call: choose the cases, resolve the
//! endpoint, check that it answers, run with interrupts, and hand back the
//! outcome with the secrets its reports must not contain. `dpconform run`,
//! `dpconform compare` and the tests are callers of this module; they decide
//! only how to print and which exit status to give.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::baseline::{Baseline, BaselineError, Judge};
use crate::case::discover::{load_folders, matches_filters, CaseFolder, LoadError};
use crate::case::{Case, Grade};
use crate::outcome::{CaseOutcome, Observer, RunOutcome};
use crate::report::json::{hash_case_files, Report, RunMeta};
use crate::report::partition::Partition;
use crate::report::redact::{scrub, Secrets};
use crate::run::interrupt::{Interrupt, StopHandle, StopLevel};
use crate::run::{default_jobs, RunConfig, Runner};
use crate::send::target::{self, Credentials, ResolvedTarget};
use crate::snapshot::SnapshotStore;

/// Why a session could not run. Each is the caller's to print; none is a
/// failed case (those are in the [`RunOutcome`]).
#[derive(Debug)]
pub enum SessionError {
    /// A setting is out of range (the message says which and why).
    Usage(String),
    /// One or more case files are malformed; nothing was sent.
    CaseFiles(LoadError),
    /// The baseline file is malformed, names what does not exist, or has expired entries.
    Baseline(BaselineError),
    /// No case matches the filters.
    NoCaseMatches {
        /// The filters given.
        filters: Vec<String>,
        /// The folders searched.
        cases: Vec<PathBuf>,
    },
    /// The endpoint is not a usable URL, or nothing answers there.
    Endpoint(String),
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::Usage(m) | SessionError::Endpoint(m) => f.write_str(m),
            SessionError::CaseFiles(e) => write!(f, "{e}\nno request was sent: fix the case files above first"),
            SessionError::Baseline(e) => write!(f, "{e}\nno request was sent: fix the baseline above first"),
            SessionError::NoCaseMatches { filters, cases } => {
                let folders: Vec<String> = cases.iter().map(|c| c.display().to_string()).collect();
                write!(f, "no case matches {filters:?} in {}", folders.join(", "))
            }
        }
    }
}

impl std::error::Error for SessionError {}

/// Which cases run and how.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Folders of case files with their snapshots (default: the corpus, [`CaseFolder::corpus`]).
    pub folders: Vec<CaseFolder>,
    /// Cases in flight at once (default: cores x 4).
    pub jobs: Option<usize>,
    /// Deadline of each request, in seconds.
    pub timeout_seconds: f64,
    /// Run only one part of the cases.
    pub partition: Option<Partition>,
    /// Filters match case names exactly instead of as substrings.
    pub exact: bool,
    /// Case-name filters, or paths of case files or folders; none selects every case.
    pub filters: Vec<String>,
    /// Cases whose name contains one of these are not run.
    pub skip: Vec<String>,
    /// Only cases with one of these tags; empty selects every case.
    pub tags: Vec<String>,
    /// Only cases of these evidence grades; empty selects every grade.
    pub grades: Vec<Grade>,
    /// A baseline of known failures to judge the run by.
    pub baseline: Option<PathBuf>,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            folders: vec![CaseFolder::corpus()],
            jobs: None,
            timeout_seconds: 10.0,
            partition: None,
            exact: false,
            filters: Vec::new(),
            skip: Vec::new(),
            tags: Vec::new(),
            grades: Vec::new(),
            baseline: None,
        }
    }
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
    /// Where each folder's snapshots are.
    pub snapshots: SnapshotStore,
    /// The baseline, ready to judge the run.
    pub baseline: Option<Arc<Judge>>,
    /// Start no new case once this many have failed (`None`: run them all).
    pub max_failures: Option<usize>,
}

impl Selection {
    /// Loads, filters and partitions the cases, and reads the baseline. Every
    /// case file is read once, here.
    pub fn choose(&self) -> Result<Chosen, SessionError> {
        if !(self.timeout_seconds > 0.0 && self.timeout_seconds <= 3600.0) {
            return Err(SessionError::Usage(
                "--timeout must be more than 0 and at most 3600 seconds".into(),
            ));
        }
        if self.folders.is_empty() {
            return Err(SessionError::Usage("no case folder given".into()));
        }
        let all = load_folders(&self.folders).map_err(SessionError::CaseFiles)?;
        let baseline = match &self.baseline {
            None => None,
            Some(path) => {
                let names: HashSet<&str> = all.iter().map(|c| c.name.as_str()).collect();
                let today = time::OffsetDateTime::now_utc().date();
                let baseline = Baseline::load(path, &names, today).map_err(SessionError::Baseline)?;
                Some(Arc::new(Judge::new(baseline)))
            }
        };
        let (cases_sha256, case_sha256) = hash_case_files(all.iter().map(|c| (c.name.as_str(), c.sha256.as_str())));
        let paths = PathFilters::new(&self.filters);
        let mut cases: Vec<Case> = all.into_iter().filter(|c| self.keeps(c, &paths)).collect();
        if cases.is_empty() {
            return Err(SessionError::NoCaseMatches {
                filters: self.described_filters(),
                cases: self.folders.iter().map(|f| f.cases.clone()).collect(),
            });
        }
        if let Some(partition) = self.partition {
            cases = partition.select(cases);
        }
        let snapshots = self
            .folders
            .iter()
            .fold(SnapshotStore::new(&self.folders[0].snapshots), |store, folder| {
                store.with_folder(&folder.cases, &folder.snapshots)
            });
        Ok(Chosen {
            cases,
            meta: RunMeta {
                cases_sha256,
                case_sha256,
                partition: self.partition.map(|p| p.to_string()),
            },
            timeout: Duration::from_secs_f64(self.timeout_seconds),
            jobs: self.jobs.unwrap_or_else(default_jobs),
            snapshots,
            baseline,
            max_failures: None,
        })
    }

    /// Whether `case` is selected: by name or path, not skipped, with a chosen tag and grade.
    fn keeps(&self, case: &Case, paths: &PathFilters) -> bool {
        let names: Vec<String> = self.filters.iter().filter(|f| !paths.is_path(f)).cloned().collect();
        let by_filter = self.filters.is_empty()
            || (!names.is_empty() && matches_filters(&case.name, &names, self.exact))
            || paths.contains(&case.path);
        by_filter
            && !self.skip.iter().any(|s| case.name.contains(s.as_str()))
            && (self.tags.is_empty() || case.spec.tags.iter().any(|t| self.tags.contains(t)))
            && (self.grades.is_empty() || self.grades.contains(&case.grade()))
    }

    /// The filters as the user gave them, for "no case matches".
    fn described_filters(&self) -> Vec<String> {
        let mut filters = self.filters.clone();
        filters.extend(self.skip.iter().map(|s| format!("--skip {s}")));
        if !self.tags.is_empty() {
            filters.push(format!("--tag {}", self.tags.join(",")));
        }
        if !self.grades.is_empty() {
            let grades: Vec<&str> = self.grades.iter().map(|g| g.name()).collect();
            filters.push(format!("--grade {}", grades.join(",")));
        }
        filters
    }
}

/// Filters that name an existing case file or folder select the cases at or below it.
struct PathFilters {
    paths: Vec<(String, PathBuf)>,
}

impl PathFilters {
    fn new(filters: &[String]) -> Self {
        let paths = filters
            .iter()
            .filter(|f| f.ends_with(".json") || f.contains('/') || f.contains(std::path::MAIN_SEPARATOR))
            .filter_map(|f| Path::new(f).canonicalize().ok().map(|p| (f.clone(), p)))
            .collect();
        PathFilters { paths }
    }

    fn is_path(&self, filter: &str) -> bool {
        self.paths.iter().any(|(f, _)| f == filter)
    }

    fn contains(&self, case_file: &Path) -> bool {
        let Ok(file) = case_file.canonicalize() else {
            return false;
        };
        self.paths.iter().any(|(_, p)| file.starts_with(p))
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

/// An endpoint resolved and answering, and a runner ready for it: what
/// `dpconform run` and a user's own `cargo test` (`dpconform::Harness`, feature `libtest`) share.
pub struct Session {
    runner: Arc<Runner>,
    secrets: Secrets,
    described: String,
    // Dropping it stops the embedded reference, if that is the target.
    _target: ResolvedTarget,
}

impl Session {
    /// Resolves `endpoint` (else the endpoint variables, else the embedded
    /// reference), checks it answers, and readies a runner with `credentials`
    /// (default: the environment's, or the embedded reference's).
    pub async fn start(
        endpoint: Option<&str>,
        credentials: Option<Credentials>,
        chosen: &Chosen,
        snapshots: SnapshotStore,
    ) -> Result<Session, SessionError> {
        let mut target = target::resolve(endpoint).await.map_err(SessionError::Endpoint)?;
        if let Some(credentials) = credentials {
            target.credentials = credentials;
        }
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
            baseline: chosen.baseline.clone(),
        })
        .map(|runner| Arc::new(runner.with_max_failures(chosen.max_failures)))
        .map_err(SessionError::Usage)?;
        Ok(Session {
            runner,
            secrets: secrets_of(std::slice::from_ref(&target.credentials)),
            described: target.describe(),
            _target: target,
        })
    }

    /// How output names the target.
    pub fn target(&self) -> &str {
        &self.described
    }

    /// The run's id.
    pub fn run_id(&self) -> &str {
        self.runner.run_id()
    }

    /// The secret values the session signs with (reports must not contain them).
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// Whether the target is the embedded reference.
    pub fn is_embedded(&self) -> bool {
        self._target.is_embedded()
    }

    /// Whether the session may not write into the snapshot folders (a foreign endpoint).
    pub fn corpus_is_read_only(&self) -> bool {
        self.runner.config().snapshots.is_read_only()
    }

    /// The endpoint as reproductions name it: `None` for the embedded reference.
    pub fn named_endpoint(&self) -> Option<&str> {
        (!self.is_embedded()).then_some(self.runner.config().endpoint.as_str())
    }

    /// Runs one case (judged by the baseline, if any).
    pub async fn run_case(&self, case: &Case) -> CaseOutcome {
        self.runner.run_case(case).await
    }

    /// What the baseline made of the cases run so far; `None` without one.
    pub fn baseline_verdict(&self) -> Option<crate::outcome::BaselineVerdict> {
        self.runner.config().baseline.as_ref().map(|judge| judge.verdict())
    }

    /// Runs `cases` until they end or `interrupt` stops them.
    pub async fn run_all(self, cases: Vec<Case>, observer: Observer, interrupt: Interrupt) -> Finished {
        let mut outcome = self.runner.clone().run_all_until(cases, observer, interrupt).await;
        outcome.embedded_reference = self.is_embedded();
        Finished {
            outcome,
            secrets: self.secrets,
            target: self.described,
        }
    }
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
    let session = Session::start(endpoint, None, chosen, snapshots).await?;
    on_start(Started {
        cases: cases.len(),
        target: session.target(),
        run_id: session.run_id(),
    });
    Ok(session.run_all(cases, observer, interrupt).await)
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

//! `dpconform run`: load cases, resolve the target, run, print, write the
//! reports, set the exit status.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::{runtime, Locations, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE};
use crate::case::discover::{load_all, matches_filters};
use crate::case::Case;
use crate::outcome::RunOutcome;
use crate::report::json::{hash_case_files, Report, RunMeta};
use crate::report::partition::Partition;
use crate::report::progress::{Progress, ProgressMode};
use crate::report::redact::{scrub, Secrets};
use crate::report::{console, write};
use crate::run::interrupt::{Interrupt, StopHandle, StopLevel};
use crate::run::target::Credentials;
use crate::run::{default_jobs, target, Observer, RunConfig, Runner};
use crate::snapshot::SnapshotStore;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    dpconform run                                  all cases against the embedded reference\n  \
    dpconform run create_pipeline                  cases whose name contains `create_pipeline`\n  \
    dpconform run --endpoint http://localhost:5000 against another implementation\n  \
    dpconform run --report-dir reports/ --partition 2/4   part 2 of 4, with report files\n\n\
    Credentials and region come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, \
    AWS_SESSION_TOKEN and AWS_REGION (test defaults when unset).")]
pub struct RunArgs {
    /// Endpoint under test [default: AWS_ENDPOINT_URL_DATA_PIPELINE, then AWS_ENDPOINT_URL,
    /// then the embedded reference on an ephemeral loopback port]
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    #[command(flatten)]
    select: Selection,
    /// Write report.json, junit.xml, summary.md and report.html into this folder
    #[arg(long, value_name = "DIR")]
    report_dir: Option<PathBuf>,
    /// Progress display: a bar on a terminal, plain lines otherwise
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    progress: ProgressMode,
}

/// Which cases run and how: shared by `run` and `compare`.
#[derive(Debug, clap::Args)]
pub struct Selection {
    #[command(flatten)]
    locations: Locations,
    /// Cases in flight at once [default: number of cores x 4]
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Deadline of each request in seconds, body included
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    timeout: f64,
    /// Run only part K of N: cases in name order, dealt round-robin (for a CI matrix;
    /// put the parts together with `dpconform merge`)
    #[arg(long, value_name = "K/N", value_parser = Partition::parse)]
    partition: Option<Partition>,
    /// Match filters exactly instead of as substrings
    #[arg(long)]
    exact: bool,
    /// Run only cases whose name contains one of these (e.g. `create_pipeline::` or `auth`)
    #[arg(value_name = "FILTER")]
    filters: Vec<String>,
}

/// Cases chosen to run, with what reports need to know about them.
pub struct Chosen {
    pub cases: Vec<Case>,
    pub meta: RunMeta,
    pub timeout: Duration,
    pub jobs: usize,
}

impl Selection {
    /// Loads, filters and partitions the cases; the error is the exit status (message printed).
    pub fn choose(&self) -> Result<Chosen, u8> {
        if !(self.timeout > 0.0 && self.timeout <= 3600.0) {
            eprintln!("dpconform: --timeout must be more than 0 and at most 3600 seconds");
            return Err(EXIT_USAGE);
        }
        let all = match load_all(&self.locations.cases) {
            Ok(cases) => cases,
            Err(e) => {
                eprintln!("{e}");
                eprintln!("dpconform: no request was sent: fix the case files above first");
                return Err(EXIT_USAGE);
            }
        };
        let (cases_sha256, case_sha256) = hash_case_files(all.iter().map(|c| (c.name.as_str(), c.path.as_path())));
        let mut cases: Vec<Case> = all
            .into_iter()
            .filter(|c| matches_filters(&c.name, &self.filters, self.exact))
            .collect();
        if cases.is_empty() {
            eprintln!(
                "dpconform: no case matches {:?} in {}",
                self.filters,
                self.locations.cases.display()
            );
            return Err(EXIT_USAGE);
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
            timeout: Duration::from_secs_f64(self.timeout),
            jobs: self.jobs.map_or_else(default_jobs, usize::from),
        })
    }

    pub fn snapshots(&self) -> &std::path::Path {
        &self.locations.snapshots
    }
}

/// A finished run and the secrets its reports must not contain.
pub struct Finished {
    pub outcome: RunOutcome,
    pub secrets: Secrets,
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
pub fn secrets_of(credentials: &[Credentials]) -> Secrets {
    Secrets::new(credentials.iter().flat_map(Credentials::secret_values))
}

/// Every secret a run may sign with, known before the target is resolved (for the console).
pub fn possible_secrets() -> Secrets {
    secrets_of(&[Credentials::from_env(), Credentials::embedded()])
}

/// Resolves `endpoint`, checks it answers, and runs `cases` against it.
pub async fn execute(
    endpoint: Option<&str>,
    cases: Vec<Case>,
    chosen: &Chosen,
    snapshots: SnapshotStore,
    observer: Observer,
    announce: bool,
) -> Result<Finished, u8> {
    let target = match target::resolve(endpoint).await {
        Ok(t) => t,
        Err(message) => {
            eprintln!("dpconform: {message}");
            return Err(EXIT_USAGE);
        }
    };
    if let Err(message) = target::check_reachable(&target.endpoint, chosen.timeout).await {
        eprintln!("dpconform: {message}");
        return Err(EXIT_USAGE);
    }
    let runner = match Runner::new(RunConfig {
        endpoint: target.endpoint.clone(),
        credentials: target.credentials.clone(),
        timeout: chosen.timeout,
        jobs: chosen.jobs,
        snapshots,
    }) {
        Ok(r) => Arc::new(r),
        Err(message) => {
            eprintln!("dpconform: {message}");
            return Err(EXIT_USAGE);
        }
    };
    if announce {
        crate::outln!(
            "running {} case(s) against {} (run {}){}",
            cases.len(),
            target.describe(),
            runner.run_id(),
            chosen
                .meta
                .partition
                .as_deref()
                .map(|p| format!(", partition {p}"))
                .unwrap_or_default()
        );
    }
    let secrets = secrets_of(std::slice::from_ref(&target.credentials));
    let (stop, interrupt) = Interrupt::channel();
    let ctrl_c = tokio::spawn(stop_on_ctrl_c(stop));
    let outcome = runner.run_all_until(cases, observer, interrupt).await;
    ctrl_c.abort();
    drop(target);
    Ok(Finished { outcome, secrets })
}

/// Ctrl-C once: start no new case, let those in flight finish (their `finally` steps clean
/// up); twice: stop them; three times: exit at once.
async fn stop_on_ctrl_c(stop: StopHandle) {
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
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    }
}

pub fn run(args: RunArgs) -> u8 {
    let mut chosen = match args.select.choose() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let cases = std::mem::take(&mut chosen.cases);
    let selected = cases.len();
    let secrets = possible_secrets();
    let (progress, observer) = Progress::new(args.progress, secrets.clone());
    let finished = rt.block_on(execute(
        args.endpoint.as_deref(),
        cases,
        &chosen,
        SnapshotStore::new(args.select.snapshots()),
        observer,
        true,
    ));
    progress.finish();
    let finished = match finished {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut code = EXIT_OK;
    if let Some(dir) = &args.report_dir {
        match write::run_reports(dir, &finished.report(&chosen.meta)) {
            Ok(_) => crate::outln!("reports written to {} ({})", dir.display(), write::RUN_FILES.join(", ")),
            Err(message) => {
                eprintln!("dpconform: {message}");
                code = EXIT_USAGE;
            }
        }
    }
    crate::outln!("{}", secrets.apply(&console::summary(&finished.outcome)));
    if code != EXIT_OK {
        return code;
    }
    if finished.outcome.interrupted {
        eprintln!(
            "dpconform: interrupted: {} of {} case(s) finished and are reported",
            finished.outcome.cases.len(),
            selected
        );
        EXIT_INTERRUPTED
    } else if finished.outcome.totals().failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

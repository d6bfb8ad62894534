//! `dpconform run`: load cases, resolve the target, run, print, write the
//! reports, set the exit status.

use std::path::PathBuf;

use super::progress::{Progress, ProgressMode};
use dpconform::case::Grade;
use dpconform::report::partition::Partition;
use dpconform::report::{console, write};
use dpconform::session::{self, possible_secrets, Chosen, SessionError};

use super::{runtime, Locations, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    dpconform run                                  all cases against the embedded reference\n  \
    dpconform run create_pipeline                  cases whose name contains `create_pipeline`\n  \
    dpconform run --endpoint http://localhost:5000 against another implementation\n  \
    dpconform run --report-dir reports/ --partition 2/4   part 2 of 4, with report files\n  \
    dpconform run --quiet --max-failures 50        failures by cause and totals; stop after 50 failed\n\n\
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
    /// Run only the cases that failed in an earlier run: DIR is its --report-dir (or its report.json)
    #[arg(long, value_name = "DIR")]
    rerun_failed: Option<PathBuf>,
    /// Print only the failures grouped by cause and the totals (no line per case,
    /// no failure details: those are in the reports)
    #[arg(short, long)]
    quiet: bool,
    /// Start no new case once N cases have failed; the cases in flight finish,
    /// and the reports are written and say the run stopped
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_failures: Option<u32>,
    /// Where new or changed snapshots (.snap.new) go on a run against any endpoint
    /// but the embedded reference, whose corpus stays read-only
    /// [default: <report-dir>/pending-snapshots; without --report-dir, nowhere]
    #[arg(long, value_name = "DIR")]
    pending: Option<PathBuf>,
    /// Let a run against another endpoint change the corpus's snapshots as a run
    /// against the embedded reference does (.snap.new beside the .snap; INSTA_UPDATE)
    #[arg(long)]
    write_corpus: bool,
}

/// The names of the failed cases of an earlier run's report.
fn failed_cases_of(dir: &std::path::Path) -> Result<Vec<String>, String> {
    let file = if dir.is_dir() {
        dir.join("report.json")
    } else {
        dir.to_path_buf()
    };
    let report = dpconform::Report::load(&file)?;
    Ok(report.failed_cases().map(|c| c.name.clone()).collect())
}

/// Which cases: shared by `run`, `compare` and `list`.
#[derive(Debug, clap::Args)]
pub struct Filters {
    #[command(flatten)]
    locations: Locations,
    /// Match filters exactly instead of as substrings
    #[arg(long)]
    exact: bool,
    /// Run only cases of these evidence grades (comma-separated: observed, model,
    /// documented, inferred); e.g. `--grade observed,model` runs what the real
    /// service's captures and model evidence
    #[arg(long, value_name = "GRADES", value_delimiter = ',', value_parser = clap::value_parser!(Grade))]
    grade: Vec<Grade>,
    /// Leave out cases whose name contains this (repeatable)
    #[arg(long, value_name = "PATTERN")]
    skip: Vec<String>,
    /// Run only cases with one of these tags (comma-separated: happy, errors, validation, paging, ...)
    #[arg(long, value_name = "TAGS", value_delimiter = ',')]
    tag: Vec<String>,
    /// Run only cases whose name contains one of these (e.g. `create_pipeline::` or `auth`),
    /// or the case files at or below these paths (e.g. `cases/auth/`)
    #[arg(value_name = "FILTER")]
    filters: Vec<String>,
}

impl Filters {
    /// The library's selection of these options (the other settings at their defaults).
    pub fn to_session(&self) -> Result<session::Selection, u8> {
        let folders = self.locations.folders().map_err(|message| {
            eprintln!("dpconform: {message}");
            EXIT_USAGE
        })?;
        Ok(session::Selection {
            folders,
            exact: self.exact,
            filters: self.filters.clone(),
            skip: self.skip.clone(),
            tags: self.tag.clone(),
            grades: self.grade.clone(),
            ..session::Selection::default()
        })
    }
}

/// Which cases run and how: shared by `run` and `compare`.
#[derive(Debug, clap::Args)]
pub struct Selection {
    #[command(flatten)]
    filters: Filters,
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
    /// A baseline of known failures (TOML; `dpconform baseline --from report.json` writes one):
    /// known failures are reported as known; a new failure, an expired entry or an entry that
    /// now passes fails the run
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
}

impl Selection {
    /// The library's selection of these options.
    pub fn to_session(&self) -> Result<session::Selection, u8> {
        Ok(session::Selection {
            jobs: self.jobs.map(usize::from),
            timeout_seconds: self.timeout,
            partition: self.partition,
            baseline: self.baseline.clone(),
            ..self.filters.to_session()?
        })
    }
}

/// Loads and selects the cases; a bad selection or case file is printed and is exit status 2.
pub fn choose(selection: &session::Selection) -> Result<Chosen, u8> {
    selection.choose().map_err(|e| {
        eprintln!("{}", usage_message(&e));
        EXIT_USAGE
    })
}

/// How a session error reads on the console.
pub fn usage_message(e: &SessionError) -> String {
    match e {
        SessionError::CaseFiles(_) => e.to_string().replace("\nno request", "\ndpconform: no request"),
        _ => format!("dpconform: {e}"),
    }
}

pub fn run(args: RunArgs) -> u8 {
    let mut selection = match args.select.to_session() {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Some(dir) = &args.rerun_failed {
        match failed_cases_of(dir) {
            Ok(names) if names.is_empty() => {
                crate::outln!("no case failed in {}: nothing to rerun", dir.display());
                return EXIT_OK;
            }
            Ok(names) => {
                selection.filters = names;
                selection.exact = true;
            }
            Err(message) => {
                eprintln!("dpconform: --rerun-failed: {message}");
                return EXIT_USAGE;
            }
        }
    }
    let mut chosen = match choose(&selection) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let pending = args
        .pending
        .clone()
        .or_else(|| args.report_dir.as_ref().map(|d| d.join("pending-snapshots")));
    if let (Some(dir), false) = (&pending, args.write_corpus) {
        let inside = |d: &std::path::Path| std::path::absolute(d).unwrap_or_else(|_| d.to_path_buf());
        let folders = selection.folders.iter().map(|f| &f.snapshots);
        if let Some(snapshots) = folders.into_iter().find(|s| inside(dir).starts_with(inside(s))) {
            eprintln!(
                "dpconform: --pending {} is inside the snapshots folder {}, which a run against another endpoint \
                 leaves untouched: choose another folder (or --write-corpus)",
                dir.display(),
                snapshots.display()
            );
            return EXIT_USAGE;
        }
    }
    let snapshots = chosen
        .snapshots
        .clone()
        .pending_in(pending.as_deref())
        .writing_corpus(args.write_corpus);
    let cases = std::mem::take(&mut chosen.cases);
    let selected = cases.len();
    let secrets = possible_secrets();
    let mode = if args.quiet { ProgressMode::Quiet } else { args.progress };
    let (progress, observer) = Progress::new(mode, secrets.clone());
    chosen.max_failures = args.max_failures.map(|n| n as usize);
    let partition = chosen
        .meta
        .partition
        .as_deref()
        .map(|p| format!(", partition {p}"))
        .unwrap_or_default();
    let finished = rt.block_on(async {
        let (stop, interrupt) = session::interrupt_channel();
        let ctrl_c = tokio::spawn(session::stop_on_ctrl_c(stop, || {
            std::process::exit(i32::from(EXIT_INTERRUPTED))
        }));
        let finished = session::execute(
            args.endpoint.as_deref(),
            cases,
            &chosen,
            snapshots,
            observer,
            interrupt,
            |s| {
                crate::outln!(
                    "running {} case(s) against {} (run {}){partition}",
                    s.cases,
                    s.target,
                    s.run_id
                )
            },
        )
        .await;
        ctrl_c.abort();
        finished
    });
    progress.finish();
    let finished = match finished {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}", usage_message(&e));
            return EXIT_USAGE;
        }
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
    let end = if args.quiet {
        console::brief(&finished.outcome)
    } else {
        console::summary(&finished.outcome)
    };
    crate::outln!("{}", secrets.apply(&end));
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
    } else if finished.outcome.totals().failed > 0 || !finished.outcome.stale_entries().is_empty() {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

//! `dpconform explore`: generated call sequences against an endpoint and the
//! embedded reference in lock step; each difference shrunk and written as a case.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use dpconform::explore::{self, report, Settings};
use dpconform::report::partition::Partition;

use super::progress::{Progress, ProgressMode};
use super::{runtime, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    dpconform explore --endpoint http://127.0.0.1:5000 --time 60\n  \
    dpconform explore --endpoint http://127.0.0.1:5000 --seed 7 --sequences 500 --out found/\n  \
    dpconform run --endpoint http://127.0.0.1:5000 --cases found/   replays what was found\n\n\
    Each sequence of calls runs against the endpoint and, in lock step, against a fresh embedded \
    reference; answers are compared after normalisation (ids mapped between the two sides, dates and \
    request ids redacted, lists sorted, error messages ignored). A difference is shrunk to a minimal \
    sequence and written to --out as a case file (one per action, check and JSON path); \
    --report-dir gets explore.json, explore.md and explore.html, each difference marked evidenced (a \
    corpus case of grade observed, model or documented asserts it; the strongest is cited) or inferred. \
    Pipelines a sequence created are deleted after it.\n\n\
    Exit status: 0 nothing differs, 1 a difference was found, 2 usage error or unreachable endpoint, \
    130 interrupted by Ctrl-C (what was found is written).")]
pub struct ExploreArgs {
    /// The endpoint to explore [default: AWS_ENDPOINT_URL_DATA_PIPELINE, AWS_ENDPOINT_URL, else the
    /// embedded reference (a self-test)]
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// Base seed: the same seed and endpoint give the same sequences
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Stop after this many seconds (the sequences under way finish)
    #[arg(long, value_name = "S")]
    time: Option<f64>,
    /// Stop after this many sequences [default: 100 when --time is not given]
    #[arg(long, value_name = "N")]
    sequences: Option<u64>,
    /// Calls per generated sequence
    #[arg(long, value_name = "N", default_value_t = 30)]
    length: usize,
    /// Folder for the case files (replay them with `dpconform run --cases DIR`)
    #[arg(long, value_name = "DIR", default_value = "explored")]
    out: PathBuf,
    /// Folder for explore.json, explore.md and explore.html
    #[arg(long, value_name = "DIR", default_value = "explore-report")]
    report_dir: PathBuf,
    /// Sequences run at once
    #[arg(short = 'j', long, value_name = "N", default_value_t = 1)]
    jobs: usize,
    /// At most N requests per second to the endpoint (for a real service)
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Run part K of N of the sequences (split seeds across CI machines)
    #[arg(long, value_name = "K/N", value_parser = Partition::parse)]
    partition: Option<Partition>,
    /// Deadline of each request, in seconds
    #[arg(long, value_name = "S", default_value_t = 30.0)]
    timeout: f64,
    /// Most replays spent shrinking one difference
    #[arg(long, value_name = "N", default_value_t = 400)]
    shrink_budget: usize,
    /// Stop once N differences (of different signatures) were found
    #[arg(long, value_name = "N")]
    max_findings: Option<usize>,
    /// Also send PollForTask when the reference has no task for it, waiting at most S seconds for
    /// the endpoint's answer (held open that long counts as no task) [default: not sent, since
    /// against a long-polling endpoint each costs S seconds]
    #[arg(long, value_name = "S")]
    empty_polls: Option<f64>,
    /// Progress while exploring: a spinner with the totals (auto, on a terminal) or a line per
    /// difference found and the totals every 30 s (plain)
    #[arg(long, value_enum, default_value = "auto")]
    progress: ProgressMode,
}

pub fn explore(args: ExploreArgs) -> u8 {
    let seconds = |s: f64, name: &str| {
        (s.is_finite() && s > 0.0)
            .then(|| Duration::from_secs_f64(s))
            .ok_or(format!("dpconform: --{name} must be a number of seconds above 0"))
    };
    let timeout = match seconds(args.timeout, "timeout") {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    let time = match args.time.map(|t| seconds(t, "time")).transpose() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    let empty_polls = match args.empty_polls.map(|s| seconds(s, "empty-polls")).transpose() {
        Ok(wait) => wait,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    if args.length == 0 || args.jobs == 0 {
        eprintln!("dpconform: --length and -j must be at least 1");
        return EXIT_USAGE;
    }
    let settings = Settings {
        seed: args.seed,
        sequences: args.sequences.or(if time.is_none() { Some(100) } else { None }),
        time,
        length: args.length,
        jobs: args.jobs,
        partition: args.partition,
        out: args.out,
        report_dir: Some(args.report_dir.clone()),
        shrink_budget: args.shrink_budget,
        max_findings: args.max_findings,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async {
        let (endpoint, target) = match explore::connect(args.endpoint.as_deref(), timeout, args.rate).await {
            Ok((endpoint, target)) => match empty_polls {
                Some(wait) => (endpoint.with_empty_polls(wait), target),
                None => (endpoint, target),
            },
            Err(e) => {
                eprintln!("dpconform: {e}");
                return EXIT_USAGE;
            }
        };
        let stop = Arc::new(AtomicBool::new(false));
        if let Err(e) = stop_on_ctrl_c(stop.clone()) {
            eprintln!("dpconform: cannot listen for Ctrl-C: {e}");
            return EXIT_USAGE;
        }
        eprintln!("exploring {} (seed {})", target.describe(), settings.seed);
        let (progress, watcher) = Progress::for_explore(args.progress);
        let explored = explore::explore_watched(endpoint, settings, stop, watcher).await;
        progress.finish();
        match explored {
            Ok(summary) => {
                print!("{}", report::console(&summary));
                println!(
                    "reports: {} (explore.html, explore.md, explore.json)",
                    args.report_dir.display()
                );
                if summary.interrupted {
                    EXIT_INTERRUPTED
                } else if summary.findings.is_empty() {
                    EXIT_OK
                } else {
                    EXIT_FAILED
                }
            }
            Err(e) => {
                eprintln!("dpconform: {e}");
                EXIT_USAGE
            }
        }
    })
}

/// Sets `stop` on Ctrl-C. The handler is in place when this returns (before
/// anything is printed), so an early Ctrl-C is not the default kill.
fn stop_on_ctrl_c(stop: Arc<AtomicBool>) -> std::io::Result<()> {
    #[cfg(unix)]
    let mut interrupts = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    tokio::spawn(async move {
        #[cfg(unix)]
        let received = interrupts.recv().await.is_some();
        #[cfg(not(unix))]
        let received = tokio::signal::ctrl_c().await.is_ok();
        if received {
            eprintln!("\ninterrupted: finishing the sequences under way and writing what was found");
            stop.store(true, Ordering::Relaxed);
        }
    });
    Ok(())
}

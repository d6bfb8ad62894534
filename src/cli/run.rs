//! `dpconform run`: load cases, resolve the target, run, print, set the exit status.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use super::{runtime, Locations, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::case::discover::{load_all, matches_filters};
use crate::outcome::Event;
use crate::report::console;
use crate::run::{default_jobs, target, RunConfig, Runner};
use crate::snapshot::SnapshotStore;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    dpconform run                                  all cases against the embedded reference\n  \
    dpconform run create_pipeline                  cases whose name contains `create_pipeline`\n  \
    dpconform run --endpoint http://localhost:5000 against another implementation\n\n\
    Credentials and region come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, \
    AWS_SESSION_TOKEN and AWS_REGION (test defaults when unset).")]
pub struct RunArgs {
    /// Endpoint under test [default: AWS_ENDPOINT_URL_DATA_PIPELINE, then AWS_ENDPOINT_URL,
    /// then the embedded reference on an ephemeral loopback port]
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    #[command(flatten)]
    locations: Locations,
    /// Cases in flight at once [default: number of cores x 4]
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Deadline of each request in seconds, body included
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    timeout: f64,
    /// Match filters exactly instead of as substrings
    #[arg(long)]
    exact: bool,
    /// Run only cases whose name contains one of these (e.g. `create_pipeline::` or `auth`)
    #[arg(value_name = "FILTER")]
    filters: Vec<String>,
}

pub fn run(args: RunArgs) -> u8 {
    if !(args.timeout > 0.0 && args.timeout <= 3600.0) {
        eprintln!("dpconform: --timeout must be more than 0 and at most 3600 seconds");
        return EXIT_USAGE;
    }
    let cases = match load_all(&args.locations.cases) {
        Ok(cases) => cases,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("dpconform: no request was sent: fix the case files above first");
            return EXIT_USAGE;
        }
    };
    let cases: Vec<_> = cases
        .into_iter()
        .filter(|c| matches_filters(&c.name, &args.filters, args.exact))
        .collect();
    if cases.is_empty() {
        eprintln!(
            "dpconform: no case matches {:?} in {}",
            args.filters,
            args.locations.cases.display()
        );
        return EXIT_USAGE;
    }
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async move {
        let timeout = Duration::from_secs_f64(args.timeout);
        let target = match target::resolve(args.endpoint.as_deref()).await {
            Ok(t) => t,
            Err(message) => {
                eprintln!("dpconform: {message}");
                return EXIT_USAGE;
            }
        };
        if let Err(message) = target::check_reachable(&target.endpoint, timeout).await {
            eprintln!("dpconform: {message}");
            return EXIT_USAGE;
        }
        let runner = match Runner::new(RunConfig {
            endpoint: target.endpoint.clone(),
            credentials: target.credentials.clone(),
            timeout,
            jobs: args.jobs.map_or_else(default_jobs, usize::from),
            snapshots: SnapshotStore::new(&args.locations.snapshots),
        }) {
            Ok(r) => Arc::new(r),
            Err(message) => {
                eprintln!("dpconform: {message}");
                return EXIT_USAGE;
            }
        };
        println!(
            "running {} case(s) against {} (run {})",
            cases.len(),
            target.describe(),
            runner.run_id()
        );
        let observer = Arc::new(|event: Event| {
            if let Event::CaseFinished(case) = event {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", console::case_line(&case));
            }
        });
        let outcome = runner.run_all(cases, observer).await;
        println!("{}", console::summary(&outcome));
        drop(target);
        if outcome.totals().failed > 0 {
            EXIT_FAILED
        } else {
            EXIT_OK
        }
    })
}

//! `dpconform compare --endpoint A --endpoint B`: differential mode. The same
//! cases run against both endpoints; every step whose normalised responses
//! differ is reported, whatever the cases expect.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dpconform::outcome::{Event, Observer};
use dpconform::report::json::Report;
use dpconform::report::{compare, html, markdown, write};
use dpconform::session;
use dpconform::snapshot::SnapshotStore;

use super::run::{choose, usage_message, Selection};
use super::{runtime, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE};

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  \
    dpconform compare --endpoint http://127.0.0.1:8080 --endpoint http://127.0.0.1:5000 --report-dir cmp\n\n\
    Both endpoints get the same credentials (AWS_* variables, test defaults when unset). \
    Snapshots are not compared. Exit status: 0 no step differs, 1 a step differs, 2 usage error, 130 interrupted by Ctrl-C.")]
pub struct CompareArgs {
    /// The two endpoints, A then B
    #[arg(long = "endpoint", value_name = "URL", required = true, num_args = 1)]
    endpoints: Vec<String>,
    #[command(flatten)]
    select: Selection,
    /// Write compare.md and compare.html, and each side's run reports in a/ and b/
    #[arg(long, value_name = "DIR")]
    report_dir: Option<PathBuf>,
}

pub fn compare(args: CompareArgs) -> u8 {
    if args.endpoints.len() != 2 {
        eprintln!(
            "dpconform: compare needs exactly two --endpoint options, got {}",
            args.endpoints.len()
        );
        return EXIT_USAGE;
    }
    let selection = match args.select.to_session() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let chosen = match choose(&selection) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    // Expected values do not matter here: snapshots go to a scratch folder.
    let scratch = std::env::temp_dir().join(format!("dpconform-compare-{}", uuid::Uuid::new_v4()));
    let quiet: Observer = Arc::new(|_: Event| {});
    let result = rt.block_on(async {
        let (stop, interrupt) = session::interrupt_channel();
        let ctrl_c = tokio::spawn(session::stop_on_ctrl_c(stop, || {
            std::process::exit(i32::from(EXIT_INTERRUPTED))
        }));
        let mut reports = Vec::new();
        for (label, endpoint) in ["A", "B"].iter().zip(&args.endpoints) {
            crate::outln!("{label}: running {} case(s) against {endpoint}", chosen.cases.len());
            let finished = session::execute(
                Some(endpoint),
                chosen.cases.clone(),
                &chosen,
                SnapshotStore::new(&scratch),
                quiet.clone(),
                interrupt.clone(),
                |_| {},
            )
            .await;
            let finished = match finished {
                Ok(f) => f,
                Err(e) => {
                    ctrl_c.abort();
                    eprintln!("{}", usage_message(&e));
                    return Err(EXIT_USAGE);
                }
            };
            let interrupted = finished.outcome.interrupted;
            reports.push(finished.report(&chosen.meta));
            if interrupted {
                break;
            }
        }
        ctrl_c.abort();
        Ok::<_, u8>(reports)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let reports = match result {
        Ok(r) => r,
        Err(code) => return code,
    };
    if reports.len() < 2 || reports.iter().any(|r| r.run.interrupted) {
        return interrupted(&reports, args.report_dir.as_deref());
    }
    let (a, b) = (&reports[0], &reports[1]);
    let mut comparison = compare::compare(a, b);
    // A baseline here lists known differences: `[[case]]` entries by case (and
    // aspect: status, error-type, json/body/snapshot), `[[check]]` entries by aspect.
    let stale = chosen
        .baseline
        .as_ref()
        .map(|judge| comparison.apply_baseline(judge.baseline()))
        .unwrap_or_default();
    if let Some(dir) = &args.report_dir {
        let written = write::files(
            dir,
            &[
                ("compare.md", markdown::compare(&comparison)),
                ("compare.html", html::compare(&comparison)),
            ],
        )
        .and_then(|_| write::run_reports(&dir.join("a"), a))
        .and_then(|_| write::run_reports(&dir.join("b"), b));
        if let Err(message) = written {
            eprintln!("dpconform: {message}");
            return EXIT_USAGE;
        }
        crate::outln!("reports written to {}", dir.display());
    }
    crate::outln!("{}", compare::console(&comparison));
    for entry in &stale {
        crate::outln!("{entry}");
    }
    if comparison.differences.len() == comparison.known_differences() && stale.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}

/// An interrupted comparison compares nothing, but the runs' reports keep what they have.
fn interrupted(reports: &[Report], dir: Option<&Path>) -> u8 {
    if let Some(dir) = dir {
        for (label, report) in ["a", "b"].iter().zip(reports) {
            if let Err(message) = write::run_reports(&dir.join(label), report) {
                eprintln!("dpconform: {message}");
                return EXIT_USAGE;
            }
        }
        crate::outln!("reports of the interrupted run(s) written to {}", dir.display());
    }
    eprintln!("dpconform: interrupted: no comparison");
    EXIT_INTERRUPTED
}

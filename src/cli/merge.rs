//! `dpconform merge PART...`: the reports of a partitioned run put together,
//! written as the four report files of one run.

use std::path::PathBuf;

use super::diff::report_path;
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use dpconform::report::json::Report;
use dpconform::report::{merge, write};

#[derive(Debug, clap::Args)]
#[command(after_help = "Example (a CI matrix of 4 jobs, then one merge job):\n  \
    dpconform run --partition 1/4 --report-dir part-1   # ... up to 4/4\n  \
    dpconform merge part-*/report.json --out reports\n\n\
    Exit status: 0 every case passed, 1 a case failed, 2 unreadable, inconsistent or missing parts.")]
pub struct MergeArgs {
    /// report.json of each part (or its folder)
    #[arg(value_name = "PART", required = true)]
    parts: Vec<PathBuf>,
    /// Where to write report.json, junit.xml, summary.md and report.html
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Merge even when parts of the partitioned run are missing (a warning names them)
    #[arg(long)]
    allow_missing: bool,
}

pub fn merge(args: MergeArgs) -> u8 {
    let mut parts = Vec::new();
    for path in &args.parts {
        let path = report_path(path);
        match Report::load(&path) {
            Ok(report) => parts.push((path.display().to_string(), report)),
            Err(message) => {
                eprintln!("dpconform: {message}");
                return EXIT_USAGE;
            }
        }
    }
    let merged = match merge::merge(&parts, args.allow_missing) {
        Ok(m) => m,
        Err(message) => {
            eprintln!("dpconform: cannot merge: {message}");
            return EXIT_USAGE;
        }
    };
    for warning in &merged.warnings {
        eprintln!("dpconform: warning: {warning}");
    }
    if let Err(message) = write::run_reports(&args.out, &merged.report) {
        eprintln!("dpconform: {message}");
        return EXIT_USAGE;
    }
    crate::outln!(
        "merged {} part(s), {} case(s) into {}",
        parts.len(),
        merged.report.cases.len(),
        args.out.display()
    );
    crate::outln!("{}", merged.report.totals.summary_line());
    if merged.report.totals.failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

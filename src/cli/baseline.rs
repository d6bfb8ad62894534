//! `dpconform baseline --from report.json`: a baseline of known failures that
//! expects what failed in that run.

use std::path::PathBuf;

use dpconform::report::baseline_file::baseline_toml;
use dpconform::{CheckName, Report};

use super::{EXIT_OK, EXIT_USAGE};

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  \
    dpconform run --endpoint http://127.0.0.1:5000 --report-dir night\n  \
    dpconform baseline --from night/report.json > baseline.toml\n  \
    dpconform run --endpoint http://127.0.0.1:5000 --baseline baseline.toml\n\n\
    A check that failed in every case that ran is written as a [[check]] entry (known to \
    fail everywhere, so the cases still show what else the endpoint gets right); each other \
    failed case as a [[case]] entry naming the checks it failed. Edit the reasons; add \
    `expires = 2027-01-31` where a fix is planned.")]
pub struct BaselineArgs {
    /// The report.json of the run whose failures are known (or its --report-dir)
    #[arg(long = "from", value_name = "REPORT")]
    from: PathBuf,
    /// Also expect this check to fail in every case (repeatable: crc32, content-type, ...)
    #[arg(long, value_name = "CHECK")]
    waive: Vec<String>,
}

pub fn baseline(args: BaselineArgs) -> u8 {
    for check in &args.waive {
        if CheckName::parse(check).is_none() {
            let names: Vec<&str> = CheckName::ALL.iter().map(|c| c.as_str()).collect();
            eprintln!(
                "dpconform: --waive {check}: not a check; checks are {}",
                names.join(", ")
            );
            return EXIT_USAGE;
        }
    }
    let file = if args.from.is_dir() {
        args.from.join("report.json")
    } else {
        args.from.clone()
    };
    match Report::load(&file) {
        Ok(report) => {
            crate::out!("{}", baseline_toml(&report, &args.waive));
            EXIT_OK
        }
        Err(message) => {
            eprintln!("dpconform: {message}");
            EXIT_USAGE
        }
    }
}

//! The command line: argument parsing and one module per command. Thin: the
//! work is done by the library.

mod compare;
mod diff;
mod list;
mod merge;
mod progress;
mod run;
mod schema;
mod serve;
mod snapshots;
pub mod stdout;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit status: every case passed.
pub const EXIT_OK: u8 = 0;
/// Exit status: a case failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: bad usage, a bad case file, or an endpoint that cannot be reached.
pub const EXIT_USAGE: u8 = 2;
/// Exit status: stopped by Ctrl-C (128 + SIGINT, as shells report it); the reports hold what finished.
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Debug, Parser)]
#[command(
    name = "dpconform",
    version,
    about = "Conformance tests for endpoints that speak the AWS Data Pipeline API",
    long_about = "Conformance tests for endpoints that speak the AWS Data Pipeline API.\n\n\
        dpconform replays declarative case files (cases/) against an endpoint and checks \
        status codes, error types, x-amzn-RequestId, x-amz-crc32, the other envelope headers, \
        and JSON bodies against insta snapshots (snapshots/). With no endpoint it starts its \
        embedded reference implementation of all 19 actions.\n\n\
        Exit status: 0 all passed, 1 a case failed, 2 usage or case-file error or unreachable endpoint, \
        130 interrupted by Ctrl-C (the reports hold the cases that finished)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run cases against an endpoint (default: the embedded reference)
    Run(run::RunArgs),
    /// List cases (or, with --coverage, count them per action and kind)
    List(list::ListArgs),
    /// Serve the reference endpoint for real clients (AWS CLI, SDKs)
    Serve(serve::ServeArgs),
    /// Review snapshots written by failed comparisons (.snap.new files)
    Snapshots(snapshots::SnapshotsArgs),
    /// Compare two runs' report.json: newly failing/passing cases, changed responses
    Diff(diff::DiffArgs),
    /// Run the same cases against two endpoints and report every response that differs
    Compare(compare::CompareArgs),
    /// Merge the report.json files of a partitioned run (--partition K/N) into one report
    Merge(merge::MergeArgs),
    /// Print the JSON Schema of case files (for editor completion and checking)
    Schema(schema::SchemaArgs),
}

/// Where case files and snapshots are found.
#[derive(Debug, Clone, clap::Args)]
struct Locations {
    /// Folder of case files (one JSON file per case, one subfolder per area)
    #[arg(long, value_name = "DIR", default_value = "cases")]
    cases: PathBuf,
    /// Folder of insta snapshots
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    snapshots: PathBuf,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(args) => run::run(args),
        Command::List(args) => list::list(args),
        Command::Serve(args) => serve::serve(args),
        Command::Snapshots(args) => snapshots::snapshots(args),
        Command::Diff(args) => diff::diff(args),
        Command::Compare(args) => compare::compare(args),
        Command::Merge(args) => merge::merge(args),
        Command::Schema(args) => schema::schema(args),
    };
    ExitCode::from(code)
}

/// A multi-threaded runtime for a command; failing to build one is a usage-level error.
fn runtime() -> Result<tokio::runtime::Runtime, u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("dpconform: cannot start the async runtime: {e}");
            EXIT_USAGE
        })
}

//! `dpconform diff BASE NEW`: what changed between two runs, printed and
//! written as diff.md and diff.html. Exit 1 when something regressed.

use std::path::{Path, PathBuf};

use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use dpconform::report::json::Report;
use dpconform::report::{diff, html, markdown, write};

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  \
    dpconform diff nightly-2024-05-01/report.json nightly-2024-05-02/report.json\n\n\
    Exit status: 0 no regression, 1 a case newly fails or fails for a new reason, 2 unreadable reports.")]
pub struct DiffArgs {
    /// report.json of the earlier run (or its folder)
    #[arg(value_name = "BASE")]
    base: PathBuf,
    /// report.json of the later run (or its folder)
    #[arg(value_name = "NEW")]
    new: PathBuf,
    /// Where to write diff.md and diff.html [default: NEW's folder]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// A report file given as itself or as the folder holding report.json.
pub fn report_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("report.json")
    } else {
        path.to_path_buf()
    }
}

pub fn diff(args: DiffArgs) -> u8 {
    let (base_path, new_path) = (report_path(&args.base), report_path(&args.new));
    let loaded = Report::load(&base_path).and_then(|b| Report::load(&new_path).map(|n| (b, n)));
    let (base, new) = match loaded {
        Ok(pair) => pair,
        Err(message) => {
            eprintln!("dpconform: {message}");
            return EXIT_USAGE;
        }
    };
    let d = diff::diff(&base, &new);
    let out = args.out.unwrap_or_else(|| {
        new_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    });
    if let Err(message) = write::files(&out, &[("diff.md", markdown::diff(&d)), ("diff.html", html::diff(&d))]) {
        eprintln!("dpconform: {message}");
        return EXIT_USAGE;
    }
    crate::outln!(
        "written: {}, {}\n",
        out.join("diff.md").display(),
        out.join("diff.html").display()
    );
    crate::outln!("{}", diff::console(&d));
    if d.regressed() {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

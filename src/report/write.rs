//! Writing report files: the four files of a run (or of a merge), and the
//! files of `diff` and `compare`. Each file is written whole to a temporary
//! name and renamed, so a reader never sees half a report.

use std::path::{Path, PathBuf};

use super::json::Report;
use super::{html, junit, markdown};

/// The files of a run report, in the order they are written.
pub const RUN_FILES: [&str; 4] = ["report.json", "junit.xml", "summary.md", "report.html"];

/// Writes report.json, junit.xml, summary.md and report.html into `dir` (created if needed).
pub fn run_reports(dir: &Path, report: &Report) -> Result<Vec<PathBuf>, String> {
    let junit = junit::render(report)?;
    files(
        dir,
        &[
            ("report.json", report.to_json()),
            ("junit.xml", junit),
            ("summary.md", markdown::summary(report)),
            ("report.html", html::report(report)),
        ],
    )
}

/// Writes each `(name, contents)` into `dir`.
pub fn files(dir: &Path, files: &[(&str, String)]) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for (name, contents) in files {
        let path = dir.join(name);
        let partial = dir.join(format!(".{name}.partial"));
        std::fs::write(&partial, contents).map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
        std::fs::rename(&partial, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

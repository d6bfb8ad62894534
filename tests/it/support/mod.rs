//! Test helpers shared by the integration tests.

#![allow(dead_code)]

pub mod faulty_endpoint;
pub mod load;
pub mod planted;
pub mod report;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The dpconform binary, run in `dir`, with no endpoint taken from the environment.
pub fn dpconform_command(dir: &TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dpconform"));
    command
        .current_dir(dir.path())
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_DATA_PIPELINE");
    command
}

/// Runs dpconform with `args` in `dir` to the end. Commands that read cases
/// read the temporary folder's `cases/` (not the corpus) unless `args` name a `--cases`.
pub fn dpconform(dir: &TempDir, args: &[&str]) -> Output {
    dpconform_command(dir)
        .args(local_cases(args))
        .output()
        .expect("run dpconform")
}

/// `args` with `--cases cases` after a `run`, `list` or `compare` that names no `--cases`.
pub fn local_cases<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut args = args.to_vec();
    if matches!(args.first(), Some(&"run" | &"list" | &"compare")) && !args.contains(&"--cases") {
        args.splice(1..1, ["--cases", "cases"]);
    }
    args
}

/// A fresh, empty folder (removed on drop), with a helper to write files in it.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(label: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("dpconform-{label}-"))
            .tempdir()
            .expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// Writes `text` to `relative` below the folder, creating parents.
    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create parent");
        std::fs::write(&path, text).expect("write file");
        path
    }
}

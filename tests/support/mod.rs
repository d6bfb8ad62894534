//! Test helpers shared by the integration tests.

#![allow(dead_code)]

pub mod faulty_endpoint;

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

/// Runs dpconform with `args` in `dir` to the end.
pub fn dpconform(dir: &TempDir, args: &[&str]) -> Output {
    dpconform_command(dir).args(args).output().expect("run dpconform")
}

/// A fresh, empty folder under the system temp dir (removed on drop).
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        let path = std::env::temp_dir().join(format!("dpconform-{label}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `relative` below the folder, creating parents.
    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create parent");
        std::fs::write(&path, text).expect("write file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

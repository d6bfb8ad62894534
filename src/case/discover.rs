//! Finding case files under the cases folder and naming them by their path.

use std::path::{Path, PathBuf};

use super::{load_case, Case, CaseFileError};

/// Every `*.json` below `root`, sorted, with its test name (`area::stem`).
pub fn case_files(root: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut found = Vec::new();
    walk(root, root, &mut found)?;
    found.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(found)
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<(PathBuf, String)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(root, &path, found)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            let relative = path.strip_prefix(root).unwrap_or(&path).with_extension("");
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("::");
            found.push((path, name));
        }
    }
    Ok(())
}

/// Why a set of cases could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The folder itself is missing or unreadable.
    Folder(PathBuf, std::io::Error),
    /// One entry per bad file.
    Files(Vec<CaseFileError>),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Folder(path, e) => write!(f, "cannot read the cases folder {}: {e}", path.display()),
            LoadError::Files(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Loads every case below `root`; all bad files are reported together.
pub fn load_all(root: &Path) -> Result<Vec<Case>, LoadError> {
    let files = case_files(root).map_err(|e| LoadError::Folder(root.to_path_buf(), e))?;
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for (path, name) in files {
        match load_case(&path, name) {
            Ok(case) => cases.push(case),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(LoadError::Files(errors))
    }
}

/// libtest-style filtering: a case is kept if any filter is a substring of its
/// name (or equals it, with `exact`); no filters keep everything.
pub fn matches_filters(name: &str, filters: &[String], exact: bool) -> bool {
    filters.is_empty()
        || filters
            .iter()
            .any(|f| if exact { name == f } else { name.contains(f.as_str()) })
}

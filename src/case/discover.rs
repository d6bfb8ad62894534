//! Finding case files in case folders and naming them by their path.

use std::path::{Path, PathBuf};

use super::{load_case, Case, CaseFileError};

/// A folder of case files and the folder of their snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFolder {
    /// The case files, one subfolder per area.
    pub cases: PathBuf,
    /// Their insta snapshots, one subfolder per area.
    pub snapshots: PathBuf,
}

impl CaseFolder {
    /// Case files in `cases`, their snapshots in `snapshots`.
    pub fn new(cases: impl Into<PathBuf>, snapshots: impl Into<PathBuf>) -> Self {
        CaseFolder {
            cases: cases.into(),
            snapshots: snapshots.into(),
        }
    }

    /// Case files in `cases`, their snapshots in the `snapshots` folder beside it
    /// (`tests/cases` → `tests/snapshots`), as the corpus keeps them.
    pub fn beside(cases: impl Into<PathBuf>) -> Self {
        let cases = cases.into();
        let snapshots = cases
            .parent()
            .map_or_else(|| PathBuf::from("snapshots"), |p| p.join("snapshots"));
        CaseFolder { cases, snapshots }
    }

    /// dpconform's own corpus: the case files and snapshots shipped in this
    /// crate's package, found wherever the crate was built from.
    pub fn corpus() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        CaseFolder::new(root.join("cases"), root.join("snapshots"))
    }

    /// Whether this is the corpus that ships with dpconform.
    pub fn is_corpus(&self) -> bool {
        let corpus = CaseFolder::corpus();
        same_dir(&self.cases, &corpus.cases)
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

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
    /// Two case folders hold a case of the same name.
    Duplicate {
        /// The case's name.
        name: String,
        /// The two files.
        files: [PathBuf; 2],
    },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Folder(path, e) => write!(f, "cannot read the cases folder {}: {e}", path.display()),
            LoadError::Duplicate { name, files } => write!(
                f,
                "two case files are named `{name}`: {} and {}; rename one (case names must be unique across --cases folders)",
                files[0].display(),
                files[1].display()
            ),
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

/// Loads every case of every folder, in name order; all bad files of all
/// folders are reported together, and two cases may not share a name.
pub fn load_folders(folders: &[CaseFolder]) -> Result<Vec<Case>, LoadError> {
    let mut cases: Vec<Case> = Vec::new();
    let mut errors = Vec::new();
    for folder in folders {
        match load_all(&folder.cases) {
            Ok(found) => cases.extend(found),
            Err(LoadError::Files(mut bad)) => errors.append(&mut bad),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(LoadError::Files(errors));
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(pair) = cases.windows(2).find(|w| w[0].name == w[1].name) {
        return Err(LoadError::Duplicate {
            name: pair[0].name.clone(),
            files: [pair[0].path.clone(), pair[1].path.clone()],
        });
    }
    Ok(cases)
}

/// libtest-style filtering: a case is kept if any filter is a substring of its
/// name (or equals it, with `exact`); no filters keep everything.
pub fn matches_filters(name: &str, filters: &[String], exact: bool) -> bool {
    filters.is_empty()
        || filters
            .iter()
            .any(|f| if exact { name == f } else { name.contains(f.as_str()) })
}

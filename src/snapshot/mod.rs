//! JSON snapshots in insta's `.snap` format under `snapshots/<area>/`.
//!
//! dpconform compares a step's redacted body with the stored snapshot itself
//! (so the diff lands in the step's outcome instead of on stdout) and uses
//! insta's own macro to write `.snap.new` (or, with `INSTA_UPDATE=always`, the
//! `.snap`), so `cargo insta review` and `INSTA_UPDATE` behave as insta users expect.
//! [`pending`], [`accept`] and [`reject`] do what `cargo insta` does for users of
//! the installed binary, outside any cargo package.
//!
//! The corpus is read-only unless a run means to change it: against any endpoint
//! but the embedded reference ([`SnapshotStore::for_target`]) nothing under the
//! snapshot folder is written, whatever `INSTA_UPDATE` says; a new or changed
//! snapshot goes to a pending folder (the report folder's `pending-snapshots/`,
//! or one the user names) as a `.snap.new`, to review and accept on purpose.

pub(crate) mod redact;

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use crate::check::{labelled_diff, CheckFailure, CheckName};

/// Where snapshots live and how to write new ones.
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    root: PathBuf,
    /// Further case folders, each with its own snapshot folder: `(cases, snapshots)`.
    folders: Vec<(PathBuf, PathBuf)>,
    /// Nothing below `root` is written (a run against a foreign endpoint).
    read_only: bool,
    /// Where `.snap.new` files go when the corpus is read-only (`None`: nowhere).
    pending: Option<PathBuf>,
    /// The user said a run against any endpoint may change the corpus.
    write_corpus: bool,
}

/// One snapshot to compare.
pub(crate) struct SnapshotInput<'a> {
    /// The case's area: the snapshot's folder under the root.
    pub(crate) area: &'a str,
    /// File name without `.snap`: `<case>__<step>`.
    pub(crate) name: &'a str,
    /// The redacted body, as it would be stored.
    pub(crate) text: &'a str,
    /// Written into the snapshot's header for reviewers.
    pub(crate) description: &'a str,
    /// The case file, written into the snapshot's header as its source.
    pub(crate) case_file: &'a Path,
}

impl SnapshotStore {
    /// The snapshots under `root`, written the way insta does (`.snap.new` beside
    /// the `.snap`, `INSTA_UPDATE` honoured); see [`SnapshotStore::for_target`] for
    /// the read-only corpus. `root` is made absolute so insta writes exactly there.
    pub fn new(root: &Path) -> Self {
        SnapshotStore {
            root: absolute(root),
            folders: Vec::new(),
            read_only: false,
            pending: None,
            write_corpus: false,
        }
    }

    /// The same store, with the snapshots of the cases below `cases` kept in `snapshots`.
    pub fn with_folder(mut self, cases: &Path, snapshots: &Path) -> Self {
        self.folders.push((absolute(cases), absolute(snapshots)));
        self
    }

    /// The snapshot folder of a case file: its case folder's, else the store's root.
    fn root_for(&self, case_file: &Path) -> &Path {
        let file = absolute(case_file);
        self.folders
            .iter()
            .find(|(cases, _)| file.starts_with(cases))
            .map_or(&self.root, |(_, snapshots)| snapshots)
    }

    /// Where pending snapshots go when the corpus is read-only (`None`: they are not written).
    pub fn pending_in(mut self, dir: Option<&Path>) -> Self {
        self.pending = dir.map(absolute);
        self
    }

    /// Lets a run against any endpoint change the corpus, as one against the
    /// embedded reference does (`--write-corpus`: recording a new source of truth).
    pub fn writing_corpus(mut self, write_corpus: bool) -> Self {
        self.write_corpus = write_corpus;
        self
    }

    /// The policy of a run: the corpus may change only on a run against the
    /// embedded reference, or when [`SnapshotStore::writing_corpus`] says so;
    /// otherwise it is read-only and pending snapshots go to the pending folder.
    pub fn for_target(mut self, embedded_reference: bool) -> Self {
        self.read_only = !(embedded_reference || self.write_corpus);
        self
    }

    /// Nothing under the snapshot folder is written by this store.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Where pending snapshots of a read-only corpus go.
    pub fn pending_dir(&self) -> Option<&Path> {
        self.pending.as_deref()
    }

    /// The `.snap` file of a snapshot.
    fn path_of(&self, input: &SnapshotInput) -> PathBuf {
        self.root_for(input.case_file)
            .join(input.area)
            .join(format!("{}.snap", input.name))
    }

    /// Compares `input.text` with the stored snapshot; on a difference (or none
    /// stored) lets insta write the new one and returns the failure with a diff.
    pub(crate) fn compare(&self, input: &SnapshotInput) -> Result<(), CheckFailure> {
        let path = self.path_of(input);
        let stored = if path.exists() {
            match insta::Snapshot::from_file(&path) {
                Ok(s) => Some(s.contents().as_text().map(|t| t.to_string()).unwrap_or_default()),
                Err(e) => {
                    return Err(CheckFailure::new(
                        CheckName::Snapshot,
                        format!("cannot read {}: {e}", path.display()),
                    ))
                }
            }
        } else {
            None
        };
        if stored.as_deref().map(str::trim_end) == Some(input.text.trim_end()) {
            if !self.read_only {
                let _ = std::fs::remove_file(path.with_extension("snap.new"));
            }
            return Ok(());
        }
        let written = if self.read_only {
            match self.write_pending(input) {
                Some(new_file) => format!(
                    "; new snapshot written to {} (the corpus is read-only against this endpoint)",
                    relative(&new_file)
                ),
                None => "; the corpus is read-only against this endpoint (give --report-dir or --pending DIR \
                         to keep the new snapshot)"
                    .to_string(),
            }
        } else {
            if self.write_with_insta(self.root_for(input.case_file), input) {
                // insta accepted it in place (INSTA_UPDATE=always/unseen/force).
                return Ok(());
            }
            let new_file = path.with_extension("snap.new");
            if new_file.exists() {
                format!("; new snapshot written to {}", relative(&new_file))
            } else {
                String::new()
            }
        };
        Err(match stored {
            None => CheckFailure::new(
                CheckName::Snapshot,
                format!("no snapshot {} yet{written}", relative(&path)),
            ),
            Some(old) => CheckFailure::new(
                CheckName::Snapshot,
                format!("the body differs from {}{written}", relative(&path)),
            )
            .with_diff(labelled_diff(
                old.trim_end(),
                input.text.trim_end(),
                "stored snapshot",
                "this response",
            )),
        })
    }

    /// A read-only corpus: insta writes the snapshot into the pending folder,
    /// where there is no `.snap` to compare with, so whatever `INSTA_UPDATE` says
    /// the result is a pending `.snap.new` there (a `.snap` insta wrote in place
    /// becomes one) and never a passed check. Returns the file, if one was written.
    fn write_pending(&self, input: &SnapshotInput) -> Option<PathBuf> {
        let pending = self.pending.as_deref()?;
        let snap = pending.join(input.area).join(format!("{}.snap", input.name));
        let new_file = snap.with_extension("snap.new");
        let _ = std::fs::remove_file(&snap);
        if self.write_with_insta(pending, input) {
            std::fs::rename(&snap, &new_file).ok()?;
        }
        new_file.exists().then_some(new_file)
    }

    /// Runs insta's assertion against the snapshots under `root`; `true` if it
    /// passed (i.e. it updated the snapshot in place).
    fn write_with_insta(&self, root: &Path, input: &SnapshotInput) -> bool {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(root.join(input.area));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(input.description);
        settings.set_input_file(input.case_file);
        let name = input.name.to_string();
        let text = input.text.to_string();
        quietly(|| {
            catch_unwind(AssertUnwindSafe(|| {
                settings.bind(|| insta::assert_snapshot!(name, text));
            }))
            .is_ok()
        })
    }
}

/// Sets insta's environment defaults before the first assertion (insta reads it once
/// per process): a changed or missing snapshot always leaves a `.snap.new` to review
/// (also under `CI=true`), insta prints nothing (dpconform prints its own diffs), and
/// the workspace root is the current directory. Variables the user set are kept.
pub fn configure_insta_environment() {
    let defaults = [("INSTA_UPDATE", "new"), ("INSTA_OUTPUT", "none")];
    for (name, value) in defaults {
        if std::env::var_os(name).is_none() {
            // SAFETY: called at start-up before any other thread exists.
            std::env::set_var(name, value);
        }
    }
    if std::env::var_os("INSTA_WORKSPACE_ROOT").is_none() {
        if let Ok(dir) = std::env::current_dir() {
            std::env::set_var("INSTA_WORKSPACE_ROOT", dir);
        }
    }
    install_quiet_panic_hook();
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with panic messages of this thread suppressed (insta reports a
/// mismatch by panicking; that panic is an expected outcome here, not a crash).
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    QUIET.with(|q| q.set(true));
    let result = f();
    QUIET.with(|q| q.set(false));
    result
}

fn install_quiet_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn relative(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|d| path.strip_prefix(d).ok().map(|p| p.display().to_string()))
        .unwrap_or_else(|| path.display().to_string())
}

/// A `.snap.new` waiting for review, with the snapshot it would replace.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The `.snap.new` file insta wrote.
    pub new_file: PathBuf,
    /// The `.snap` file it would replace (which may not exist yet).
    pub snap_file: PathBuf,
}

/// Every `.snap.new` below `root`, sorted.
pub fn pending(root: &Path) -> std::io::Result<Vec<Pending>> {
    let mut found = Vec::new();
    if root.exists() {
        collect_pending(root, &mut found)?;
    }
    found.sort_by(|a, b| a.new_file.cmp(&b.new_file));
    Ok(found)
}

/// Every `.snap.new` below `pending_root` (a foreign run's pending folder), each
/// paired with the `.snap` of the same place below `corpus_root` that it would replace.
pub fn pending_from(pending_root: &Path, corpus_root: &Path) -> std::io::Result<Vec<Pending>> {
    let mut found = pending(pending_root)?;
    for p in &mut found {
        if let Ok(below) = p.snap_file.strip_prefix(pending_root) {
            p.snap_file = corpus_root.join(below);
        }
    }
    Ok(found)
}

fn collect_pending(dir: &Path, found: &mut Vec<Pending>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_pending(&path, found)?;
        } else if path.to_string_lossy().ends_with(".snap.new") {
            let snap_file = PathBuf::from(path.to_string_lossy().trim_end_matches(".new").to_string());
            found.push(Pending {
                new_file: path,
                snap_file,
            });
        }
    }
    Ok(())
}

/// The diff a pending snapshot would make (old -> new).
pub fn pending_diff(p: &Pending) -> String {
    let text = |path: &Path| {
        insta::Snapshot::from_file(path)
            .ok()
            .and_then(|s| s.contents().as_text().map(|t| t.to_string()))
            .unwrap_or_default()
    };
    let old = if p.snap_file.exists() {
        text(&p.snap_file)
    } else {
        String::new()
    };
    labelled_diff(old.trim_end(), text(&p.new_file).trim_end(), "stored", "pending")
}

/// Makes a pending snapshot the stored one, dropping insta's `assertion_line`
/// (a `.snap.new` is a `.snap` plus that header line).
pub fn accept(p: &Pending) -> std::io::Result<()> {
    let content = std::fs::read_to_string(&p.new_file)?;
    let mut in_header = true;
    let mut out = String::with_capacity(content.len());
    for (i, line) in content.split_inclusive('\n').enumerate() {
        if i > 0 && line.trim_end() == "---" {
            in_header = false;
        }
        if in_header && line.starts_with("assertion_line:") {
            continue;
        }
        out.push_str(line);
    }
    if let Some(folder) = p.snap_file.parent() {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::write(&p.snap_file, out)?;
    std::fs::remove_file(&p.new_file)
}

/// Deletes a pending snapshot; the stored one stays.
pub fn reject(p: &Pending) -> std::io::Result<()> {
    std::fs::remove_file(&p.new_file)
}

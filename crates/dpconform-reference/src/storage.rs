//! `--state-dir DIR`: the [`Journal`] kept in a folder, and reading it back.
//!
//! The folder holds `snapshot-G.json` (the whole state when generation G began;
//! none for generation 0) and `journal-G.log` (every record since, one a line:
//! eight hex digits of the CRC-32 of the record, a space, the record, a newline).
//! A change is answered only after its line is written and flushed to disk
//! (`fsync`). Once the journal passes [`COMPACT_AFTER_BYTES`], a snapshot of
//! generation G+1 is written to a temporary file, flushed, and renamed into place
//! (atomic), and journal G+1 begins; the older files are then removed. So disk use
//! stays near one snapshot and one journal, and a process killed at any moment
//! leaves either the old generation or the new one whole.
//!
//! Reading back: the newest snapshot, then its journal. A last line cut short (the
//! process was killed while writing it, so it was never answered) is dropped and
//! reported; anything else that does not read back (a damaged line, a snapshot
//! that is not one, a file that cannot be read) is an error naming the file and
//! line: the state is never silently emptied.
//!
//! One `dpconform serve` per folder: two writing to the same folder would
//! interleave their journals.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::journal::{Journal, Saved};

/// Journal size past which a snapshot replaces it.
pub const COMPACT_AFTER_BYTES: u64 = 8 * 1024 * 1024;

/// A state folder that cannot be used, and why (with the file and line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDirError(pub String);

impl std::fmt::Display for StateDirError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StateDirError {}

/// The journal of a state folder.
pub struct DiskJournal {
    dir: PathBuf,
    compact_after: u64,
    open: Mutex<OpenJournal>,
}

struct OpenJournal {
    generation: u64,
    file: File,
    bytes: u64,
}

/// What opening a state folder found.
pub struct Opened {
    /// The journal to give the reference.
    pub journal: DiskJournal,
    /// The state to restore.
    pub saved: Saved,
    /// Things worth telling the user (a dropped incomplete last line).
    pub notes: Vec<String>,
}

fn snapshot_name(generation: u64) -> String {
    format!("snapshot-{generation}.json")
}

fn journal_name(generation: u64) -> String {
    format!("journal-{generation}.log")
}

/// The generation of a `snapshot-G.json` or `journal-G.log` file name.
fn generation_of(name: &str, prefix: &str, suffix: &str) -> Option<u64> {
    name.strip_prefix(prefix)?.strip_suffix(suffix)?.parse().ok()
}

/// Opens (creating it if missing) a state folder and reads its state back.
pub fn open(dir: &Path, compact_after: u64) -> Result<Opened, StateDirError> {
    let fail = |what: String| StateDirError(what);
    if dir.exists() && !dir.is_dir() {
        return Err(fail(format!("{}: not a folder", dir.display())));
    }
    fs::create_dir_all(dir).map_err(|e| fail(format!("{}: cannot create the state folder: {e}", dir.display())))?;
    let entries =
        fs::read_dir(dir).map_err(|e| fail(format!("{}: cannot read the state folder: {e}", dir.display())))?;
    let (mut snapshots, mut journals) = (Vec::new(), Vec::new());
    for entry in entries {
        let entry = entry.map_err(|e| fail(format!("{}: cannot read the state folder: {e}", dir.display())))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(g) = generation_of(&name, "snapshot-", ".json") {
            snapshots.push(g);
        } else if let Some(g) = generation_of(&name, "journal-", ".log") {
            journals.push(g);
        } else if name.ends_with(".tmp") {
            // A snapshot whose writing was cut short: never renamed into place, never used.
            let _ = fs::remove_file(entry.path());
        } else {
            return Err(fail(format!(
                "{}: unexpected file `{name}` in the state folder (it holds only snapshot-N.json and journal-N.log)",
                dir.display()
            )));
        }
    }
    let generation = snapshots.iter().copied().max().unwrap_or(0);
    let mut saved = Saved::default();
    if generation > 0 {
        let path = dir.join(snapshot_name(generation));
        saved.snapshot = Some(read_snapshot(&path)?);
    }
    for newer in journals.iter().filter(|&&g| g > generation) {
        let path = dir.join(journal_name(*newer));
        if fs::metadata(&path).map_or(0, |m| m.len()) > 0 {
            return Err(fail(format!(
                "{}: a journal newer than the newest snapshot ({}) holds records",
                path.display(),
                snapshot_name(generation)
            )));
        }
    }
    let path = dir.join(journal_name(generation));
    let mut notes = Vec::new();
    let bytes = if path.exists() {
        read_journal(&path, &mut saved, &mut notes)?
    } else if generation > 0 {
        return Err(fail(format!(
            "{}: missing (its snapshot {} is there)",
            path.display(),
            snapshot_name(generation)
        )));
    } else {
        0
    };
    // Leftovers of an interrupted compaction: older generations, an empty newer journal.
    for g in snapshots.iter().filter(|&&g| g < generation) {
        let _ = fs::remove_file(dir.join(snapshot_name(*g)));
    }
    for g in journals.iter().filter(|&&g| g != generation) {
        let _ = fs::remove_file(dir.join(journal_name(*g)));
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| fail(format!("{}: cannot open for writing: {e}", path.display())))?;
    sync_dir(dir).map_err(|e| fail(format!("{}: cannot sync the state folder: {e}", dir.display())))?;
    Ok(Opened {
        journal: DiskJournal {
            dir: dir.to_path_buf(),
            compact_after,
            open: Mutex::new(OpenJournal {
                generation,
                file,
                bytes,
            }),
        },
        saved,
        notes,
    })
}

fn read_snapshot(path: &Path) -> Result<Vec<u8>, StateDirError> {
    let text = fs::read(path).map_err(|e| StateDirError(format!("{}: cannot read: {e}", path.display())))?;
    let damaged = |why: &str| StateDirError(format!("{}:1: not a dpconform state snapshot: {why}", path.display()));
    let newline = text
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| damaged("no checksum line"))?;
    let expected = std::str::from_utf8(&text[..newline])
        .ok()
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .ok_or_else(|| damaged("no checksum line"))?;
    let body = &text[newline + 1..];
    if crc32fast::hash(body) != expected {
        return Err(StateDirError(format!(
            "{}:2: the snapshot is damaged (checksum mismatch)",
            path.display()
        )));
    }
    Ok(body.to_vec())
}

/// Reads a journal's records into `saved`; returns the length kept. A last line
/// without its newline was cut short by a kill mid-write: it is cut off the file.
fn read_journal(path: &Path, saved: &mut Saved, notes: &mut Vec<String>) -> Result<u64, StateDirError> {
    let text = fs::read(path).map_err(|e| StateDirError(format!("{}: cannot read: {e}", path.display())))?;
    let mut start = 0;
    let mut line = 0;
    while start < text.len() {
        line += 1;
        let Some(end) = text[start..].iter().position(|&b| b == b'\n').map(|i| start + i) else {
            let cut = text.len() - start;
            let file = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| StateDirError(format!("{}: cannot open for writing: {e}", path.display())))?;
            file.set_len(start as u64).and_then(|()| file.sync_all()).map_err(|e| {
                StateDirError(format!(
                    "{}: cannot cut off its incomplete last line: {e}",
                    path.display()
                ))
            })?;
            notes.push(format!(
                "{}:{line}: dropped an incomplete last line ({cut} bytes): the process stopped while writing it, before answering",
                path.display()
            ));
            return Ok(start as u64);
        };
        let record = &text[start..end];
        let place = format!("{}:{line}", path.display());
        let damaged = || {
            StateDirError(format!(
                "{place}: damaged journal line (checksum mismatch or no checksum)"
            ))
        };
        if record.len() < 10 || record[8] != b' ' {
            return Err(damaged());
        }
        let expected = std::str::from_utf8(&record[..8])
            .ok()
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .ok_or_else(damaged)?;
        let body = &record[9..];
        if crc32fast::hash(body) != expected {
            return Err(damaged());
        }
        saved.records.push((place, body.to_vec()));
        start = end + 1;
    }
    Ok(text.len() as u64)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

impl DiskJournal {
    fn lock(&self) -> std::sync::MutexGuard<'_, OpenJournal> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Journal for DiskJournal {
    fn append(&self, record: &[u8], durable: bool) -> std::io::Result<()> {
        let mut open = self.lock();
        let mut line = Vec::with_capacity(record.len() + 10);
        line.extend_from_slice(format!("{:08x} ", crc32fast::hash(record)).as_bytes());
        line.extend_from_slice(record);
        line.push(b'\n');
        // One write of the whole line: a kill can cut it short only at the end of the file.
        open.file.write_all(&line)?;
        open.bytes += line.len() as u64;
        if durable {
            open.file.sync_data()?;
        }
        Ok(())
    }

    fn wants_snapshot(&self) -> bool {
        self.lock().bytes >= self.compact_after
    }

    fn snapshot(&self, state: &[u8]) -> std::io::Result<()> {
        let mut open = self.lock();
        let next = open.generation + 1;
        let tmp = self.dir.join(format!("{}.tmp", snapshot_name(next)));
        {
            let mut file = File::create(&tmp)?;
            file.write_all(format!("{:08x}\n", crc32fast::hash(state)).as_bytes())?;
            file.write_all(state)?;
            file.sync_all()?;
        }
        let journal_path = self.dir.join(journal_name(next));
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&journal_path)?;
        file.sync_all()?;
        sync_dir(&self.dir)?;
        // The switch: from here on the new generation is the state.
        fs::rename(&tmp, self.dir.join(snapshot_name(next)))?;
        sync_dir(&self.dir)?;
        let old = open.generation;
        *open = OpenJournal {
            generation: next,
            file: OpenOptions::new().append(true).open(&journal_path)?,
            bytes: 0,
        };
        let _ = fs::remove_file(self.dir.join(journal_name(old)));
        if old > 0 {
            let _ = fs::remove_file(self.dir.join(snapshot_name(old)));
        }
        Ok(())
    }
}

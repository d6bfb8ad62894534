//! A baseline of known failures: a committed file that says which failures an
//! endpoint is known to have, so that its runs fail only on what is new.
//!
//! The file ([`file`]) holds two kinds of entry: a whole check known to fail
//! for every case (`[[check]]`: an endpoint that sends no `x-amz-crc32` still
//! shows which behaviours it gets right), and a case known to fail, on any
//! check or on the ones named (`[[case]]`). `judge` applies them to a case's
//! outcome. The baseline only shrinks: an entry that no longer matches a
//! failure is *stale* and fails the run ("fixed: remove it"), and an expired
//! one is refused before anything runs.

mod file;
mod judge;

pub use file::{Baseline, BaselineError, CaseEntry, CheckEntry};
pub use judge::Judge;

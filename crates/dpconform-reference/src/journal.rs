//! What `--state-dir` keeps: every change as a journal record written before it is
//! answered, and now and then the whole state as a snapshot that replaces the records
//! before it. The core decides what a record holds and how records and snapshots are
//! read back; where they are kept is the [`Journal`] it is given (the `storage` module
//! keeps them in a folder).
//!
//! A record is the request that passed the front end, with everything its effect
//! depends on (account and region, the service clock, the seed of the ids it makes
//! up), so applying the records again in order to the snapshot they follow rebuilds
//! the state exactly.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::region::Scope;
use super::state::Stores;
use super::Operation;

/// Where the core keeps its records and snapshots.
pub trait Journal: Send + Sync {
    /// Appends one record (one line of JSON, without its newline). With `durable`,
    /// returns only once the record, and every one before it, is on stable storage.
    fn append(&self, record: &[u8], durable: bool) -> std::io::Result<()>;
    /// True when the records have grown enough that a snapshot should replace them.
    fn wants_snapshot(&self) -> bool;
    /// Replaces every record so far with a snapshot of the whole state (JSON).
    fn snapshot(&self, state: &[u8]) -> std::io::Result<()>;
}

/// A state read back: the last snapshot, if any, and the records written after it.
#[derive(Debug, Default)]
pub struct Saved {
    /// The snapshot, as written.
    pub snapshot: Option<Vec<u8>>,
    /// The records after it, in order, each with where it was read from
    /// (`file:line`), for error messages.
    pub records: Vec<(String, Vec<u8>)>,
}

/// One journal record.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub(crate) enum Record {
    /// An API call (see `Call`).
    Call {
        scope: Scope,
        op: String,
        input: Value,
        /// The service clock, in nanoseconds since the Unix epoch.
        now_ns: u64,
        seed: u64,
    },
    /// `/_dpconform/reset`: one account and region, or (None) all.
    Reset { scope: Option<Scope> },
    /// `/_dpconform/clock`: where the manual clock now stands.
    Clock { now_ns: u64 },
}

/// The snapshot document, as read.
#[derive(Deserialize)]
pub(crate) struct Snapshot {
    /// Always [`SNAPSHOT_FORMAT`].
    pub(crate) format: String,
    /// Where the manual clock stood, if there is one.
    pub(crate) clock_ns: Option<u64>,
    /// Every account's and region's state.
    pub(crate) stores: Stores,
}

/// The snapshot document, as written (the same members as [`Snapshot`]).
#[derive(Serialize)]
struct SnapshotOut<'a> {
    format: &'a str,
    clock_ns: Option<u64>,
    stores: &'a Stores,
}

/// The snapshot of `stores` (and of the manual clock, at `clock_ns`).
pub(crate) fn encode_snapshot(clock_ns: Option<u64>, stores: &Stores) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&SnapshotOut {
        format: SNAPSHOT_FORMAT,
        clock_ns,
        stores,
    })
}

/// The `format` of a snapshot this version reads and writes.
pub(crate) const SNAPSHOT_FORMAT: &str = "dpconform-state-1";

/// Nanoseconds since the epoch (0 before it, the largest u64 after 2554).
pub(crate) fn to_ns(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The time `ns` nanoseconds after the epoch.
pub(crate) fn from_ns(ns: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_nanos(ns)
}

/// Whether a call may change the state beyond letting time pass; such calls are
/// on stable storage before they are answered. (Reads are recorded too, since
/// time passing at a read moves the scheduler on, but not waited for.)
pub(crate) fn changes_state(op: Operation) -> bool {
    use Operation::*;
    !matches!(
        op,
        DescribePipelines
            | ListPipelines
            | GetPipelineDefinition
            | DescribeObjects
            | QueryObjects
            | ValidatePipelineDefinition
            | EvaluateExpression
    )
}

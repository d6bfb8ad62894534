//! The run-time side of a pipeline: activation turns the active definition's
//! activities into plans; time passing creates instances (`@Act_<start>`)
//! with attempts (`..._Attempt=<n>`); task runners, SetTaskStatus and
//! SetStatus move them through the documented states.
//!
//! Everything here is a function of the pipeline, its definition and `now`
//! (Unix seconds): no clock, no I/O.

//!
//! By concept: [`activation`] (plans, activate, deactivate), [`advance`]
//! (time passing: instances created, dependents released, pipelines
//! finished), [`tasks`] (task runners: poll, progress, task status) and
//! [`status`] (SetStatus).

mod activation;
mod advance;
mod status;
mod tasks;

pub use activation::*;
pub use advance::*;
pub use status::*;
pub use tasks::*;

/// Instances created for one component in one step (bounds a backfill).
pub(crate) const MAX_CREATIONS_PER_STEP: usize = 32;
/// Instances kept per pipeline; the oldest ended ones are forgotten beyond.
pub const MAX_INSTANCES: usize = 1000;
/// Attempts one instance may accumulate through reruns.
pub(crate) const MAX_ATTEMPTS: usize = 100;
/// DG limits: at most 5 retries, at most 5 active instances per object.
pub(crate) const MAX_RETRIES_CAP: u32 = 5;
pub(crate) const MAX_ACTIVE_CAP: usize = 5;
/// DG: retries at least 2 minutes apart when a `retryDelay` is given.
/// inferred: without a `retryDelay` the retry attempt is queued at once (the
/// default delay is UNK), which keeps runs short and deterministic.
pub(crate) const MIN_RETRY_DELAY: i64 = 120;
/// inferred: `maximumRetries` defaults to 2 (UNK in the facts).
pub(crate) const DEFAULT_MAX_RETRIES: u32 = 2;
/// M (ReportTaskProgress): a runner acknowledges a task with ReportTaskProgress
/// within 2 minutes, or the task is reassigned in a later PollForTask.
pub(crate) const ACK_WINDOW: i64 = 120;

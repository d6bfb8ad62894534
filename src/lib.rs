//! dpconform: a wire-protocol conformance harness for the AWS Data Pipeline API.
//!
//! Data flows one way: case files are parsed into [`case`] models; [`send`]
//! renders, signs and sends a step's request; [`check`] judges each response;
//! [`snapshot`] compares bodies with insta snapshots; [`run`] drives cases
//! through those and produces the typed results of [`outcome`], which
//! [`report`] consumes. [`session`] is one whole run, as `dpconform run` and
//! `cargo test` do it. No module imports one that comes later in that order
//! (`tests/it/layering.rs` holds the order). The reference endpoint is its own
//! crate, `dpconform-reference`; the wire facts both share are in
//! `dpconform-protocol`, the service model among them, from which [`generate`]
//! makes the cases under `cases/generated/`.

pub mod baseline;
pub mod case;
pub mod check;
#[cfg(feature = "embedded-reference")]
pub mod explore;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod generate;
#[cfg(feature = "libtest")]
pub mod harness;
pub mod outcome;
pub mod report;
pub mod run;
pub mod secrets;
pub mod send;
pub mod session;
pub mod snapshot;

// The front door: what a user's own `cargo test` or tool needs most, by name.
pub use baseline::Baseline;
pub use case::discover::CaseFolder;
pub use case::discover::{load_all, LoadError};
pub use case::{Case, CaseFileError, CheckName, Grade};
#[cfg(feature = "libtest")]
pub use harness::Harness;
pub use outcome::{CaseOutcome, CaseStatus, GradeTotals, RunOutcome, Totals};
pub use report::json::Report;
pub use run::{RunConfig, Runner};
pub use send::target::Credentials;
pub use session::{Selection, Session, SessionError};
pub use snapshot::SnapshotStore;

pub use dpconform_protocol as protocol;
#[cfg(feature = "embedded-reference")]
pub use dpconform_reference as reference;

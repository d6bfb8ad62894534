//! dpconform: a wire-protocol conformance harness for the AWS Data Pipeline API.
//!
//! Data flows one way: case files are parsed into [`case`] models, the [`run`]
//! module renders, signs and sends their steps, [`check`] judges each response,
//! [`snapshot`] compares bodies with insta snapshots, and the typed results in
//! [`outcome`] are consumed by [`report`]. The [`reference`] endpoint stands
//! apart: an in-process implementation of the service that cases run against
//! when no endpoint is given.

pub mod api;
pub mod case;
pub mod check;
pub mod cli;
#[doc(hidden)]
pub mod fuzzing;
pub mod headers;
pub mod outcome;
pub mod reference;
pub mod report;
pub mod run;
pub mod secrets;
pub mod snapshot;
pub mod stdout;

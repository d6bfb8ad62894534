//! Consumers of outcomes. Each reporter reads [`crate::outcome`] types, or the
//! [`json::Report`] made from them, only.
//!
//! - [`console`]: lines and the summary of a run, for the terminal
//! - [`groups`]: failures grouped by check and cause, largest first (every report opens with them)
//! - [`json`]: report.json, the versioned record every other report is made from
//! - [`junit`], [`markdown`], [`html`]: junit.xml, summary.md, report.html (and the
//!   Markdown/HTML of diff and compare)
//! - [`diff`]: what changed between two runs; [`compare`]: two endpoints, same cases
//! - [`merge`] and [`partition`]: one run split across machines, and put together
//! - [`matrix`] (per-action table), `normalize` (comparable responses), [`redact`]
//!   (no secret in any report), `text` (failure details), [`write`](mod@write) (files)

pub mod baseline_file;
pub mod compare;
pub mod console;
pub mod diff;
pub mod groups;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod merge;
pub(crate) mod normalize;
pub mod partition;
pub mod redact;
pub mod reproduce;
pub(crate) mod text;
pub mod write;

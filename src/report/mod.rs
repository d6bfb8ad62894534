//! Consumers of outcomes. Each reporter reads [`crate::outcome`] types only.

pub mod console;

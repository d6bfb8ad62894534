//! Judging one response: the envelope checks every response gets ([`envelope`]),
//! the step's own expectations ([`expect`]), and JSON matching ([`json_match`]).
//! Each problem is a [`CheckFailure`] under one [`CheckName`].

mod context;
pub mod envelope;
pub mod expect;
pub mod json_match;

use serde::Serialize;

pub use crate::case::CheckName;
pub use context::RunContext;

/// A check that did not hold, with what it saw.
#[derive(Debug, Clone, Serialize)]
pub struct CheckFailure {
    /// The check.
    pub check: CheckName,
    /// What was wrong, in one or a few lines.
    pub message: String,
    /// A unified diff (expected -> actual) where one helps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Set when a baseline expects this failure: the baseline entry's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known: Option<String>,
}

impl CheckFailure {
    /// A failure of `check` with its message.
    pub fn new(check: CheckName, message: impl Into<String>) -> Self {
        CheckFailure {
            check,
            message: message.into(),
            diff: None,
            known: None,
        }
    }

    /// The same failure with a diff attached.
    pub fn with_diff(mut self, diff: String) -> Self {
        self.diff = Some(diff);
        self
    }
}

/// A unified diff of two texts, labelled, for failure messages.
pub fn unified_diff(expected: &str, actual: &str) -> String {
    labelled_diff(expected, actual, "expected", "actual")
}

/// A unified diff with the given labels; both texts end with a newline, so the
/// diff shows no "No newline at end of file" noise.
pub fn labelled_diff(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    let terminate = |t: &str| {
        if t.ends_with('\n') || t.is_empty() {
            t.to_string()
        } else {
            format!("{t}\n")
        }
    };
    let (old, new) = (terminate(old), terminate(new));
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string()
}

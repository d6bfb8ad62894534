//! Judging one response: the envelope checks every response gets ([`envelope`]),
//! the step's own expectations ([`expect`]), and JSON matching ([`json_match`]).
//! Each problem is a [`CheckFailure`](crate::outcome::CheckFailure) under one [`CheckName`].

pub mod envelope;
pub mod expect;
pub mod json_match;
mod name;

pub use name::CheckName;

/// A unified diff of two texts, labelled, for failure messages.
pub fn unified_diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

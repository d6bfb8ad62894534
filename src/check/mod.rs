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

//! What a case file's text says as it is: its SHA-256 (reports name the exact
//! file a result came from) and the date-times written in it (snapshots keep
//! those, while date-times the endpoint made up are redacted). Taken once, when
//! the file is read.

use std::sync::OnceLock;

use regex::Regex;

pub(crate) fn datetime_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?").expect("valid regex"))
}

/// Every date-time written literally in a case file: those are not dynamic.
pub(crate) fn literal_datetimes(text: &str) -> Vec<String> {
    let mut found: Vec<String> = datetime_pattern()
        .find_iter(text)
        .map(|m| m.as_str().to_string())
        .collect();
    found.sort();
    found.dedup();
    found
}

/// The SHA-256 of bytes, in lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

//! The secrets of a run and how they are kept out of everything dpconform
//! writes: console output, reports, and the pending snapshots of a leaky
//! endpoint's answers. The runner hides the request signature and session token
//! in what it records; an endpoint may still echo them, or the secret key.

use std::sync::OnceLock;

use regex::Regex;

/// What replaces a secret.
pub(crate) const REDACTED: &str = "[redacted]";

/// Secrets to remove wherever they appear: the secret key and session token of the run.
#[derive(Clone, Default)]
pub struct Secrets {
    values: Vec<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} value(s))", self.values.len())
    }
}

impl Secrets {
    /// Empty and very short values are ignored (they would redact ordinary text).
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Self {
        let mut values: Vec<String> = values
            .into_iter()
            .map(Into::into)
            .filter(|v: &String| v.len() >= 8)
            .collect();
        // Longest first, so a secret containing another is removed whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Secrets { values }
    }

    /// `text` with every known secret, SigV4 signature and credential-bearing
    /// header value replaced.
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.values {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        signature_pattern()
            .replace_all(&out, |c: &regex::Captures| format!("{}{REDACTED}", &c[1]))
            .into_owned()
    }

    /// [`Secrets::apply`] in place, writing only when something changed.
    pub(crate) fn apply_in_place(&self, text: &mut String) {
        let cleaned = self.apply(text);
        if cleaned != *text {
            *text = cleaned;
        }
    }
}

/// Headers whose values are credentials.
pub(crate) fn is_secret_header(name: &str) -> bool {
    [
        "authorization",
        "x-amz-security-token",
        "proxy-authorization",
        "cookie",
        "set-cookie",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

/// `Signature=<hex>` (header form) and `X-Amz-Signature=<hex>` (query form).
fn signature_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"(?i)((?:x-amz-)?signature=)[0-9a-f]{16,}").unwrap_or_else(|_| Regex::new("$^").expect("trivial"))
    })
}

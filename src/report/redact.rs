//! Keeping secrets out of every report. The runner already hides the request
//! signature and session token in what it records; an endpoint may still echo
//! them (or a secret key) in a response, and a failure message may quote a
//! response. [`scrub`] goes over every text of a report before anything is written.

use std::sync::OnceLock;

use regex::Regex;

use super::json::{Exchange, Report};

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

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

    fn apply_in_place(&self, text: &mut String) {
        let cleaned = self.apply(text);
        if cleaned != *text {
            *text = cleaned;
        }
    }

    fn exchange(&self, exchange: &mut Exchange) {
        for (name, value) in &mut exchange.headers {
            if is_secret_header(name) && value != REDACTED {
                *value = match value.find("Signature=") {
                    Some(i) if name.eq_ignore_ascii_case("authorization") => {
                        format!("{}Signature={REDACTED}", self.apply(&value[..i]))
                    }
                    _ => REDACTED.into(),
                };
            } else {
                self.apply_in_place(value);
            }
        }
        if let Some(url) = &mut exchange.url {
            self.apply_in_place(url);
        }
        self.apply_in_place(&mut exchange.body);
    }
}

/// Headers whose values are credentials.
pub fn is_secret_header(name: &str) -> bool {
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

/// Removes secrets from every text of `report`.
pub fn scrub(report: &mut Report, secrets: &Secrets) {
    secrets.apply_in_place(&mut report.run.endpoint);
    for case in &mut report.cases {
        for step in &mut case.steps {
            for failure in &mut step.failures {
                secrets.apply_in_place(&mut failure.message);
                if let Some(diff) = &mut failure.diff {
                    secrets.apply_in_place(diff);
                }
            }
            if let Some(request) = &mut step.request {
                secrets.exchange(request);
            }
            if let Some(response) = &mut step.response {
                secrets.exchange(response);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_secrets_and_signatures() {
        let secrets = Secrets::new(["wJalrXUtnFEMI/K7MDENG", "", "short"]);
        let text = "key wJalrXUtnFEMI/K7MDENG sig Signature=0123456789abcdef0123456789abcdef short";
        assert_eq!(secrets.apply(text), "key [redacted] sig Signature=[redacted] short");
        assert_eq!(
            secrets.apply("?X-Amz-Signature=aaaaaaaaaaaaaaaaaaaa&x=1"),
            "?X-Amz-Signature=[redacted]&x=1"
        );
    }

    #[test]
    fn secret_headers_are_hidden_whole_or_after_the_signature() {
        let secrets = Secrets::default();
        let mut exchange = Exchange {
            method: None,
            url: None,
            status: Some(200),
            headers: vec![
                (
                    "Authorization".into(),
                    "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=abc".into(),
                ),
                ("X-Amz-Security-Token".into(), "FwoGZXIvYXdzE".into()),
                ("content-type".into(), "text/plain".into()),
            ],
            body: String::new(),
            body_len: 0,
        };
        secrets.exchange(&mut exchange);
        assert_eq!(
            exchange.headers[0].1,
            "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=[redacted]"
        );
        assert_eq!(exchange.headers[1].1, REDACTED);
        assert_eq!(exchange.headers[2].1, "text/plain");
    }
}

//! Keeping secrets out of every report. [`scrub`] goes over every text of a
//! report before anything is written; what a secret is lives in [`crate::secrets`].

pub use crate::secrets::Secrets;

use crate::secrets::{is_secret_header, REDACTED};

use super::json::{Exchange, Report};

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
                scrub_exchange(secrets, request);
            }
            if let Some(response) = &mut step.response {
                scrub_exchange(secrets, response);
            }
        }
    }
}

/// Credential headers replaced whole; secrets removed from every other text.
fn scrub_exchange(secrets: &Secrets, exchange: &mut Exchange) {
    for (name, value) in &mut exchange.headers {
        if is_secret_header(name) && value != REDACTED {
            *value = match value.find("Signature=") {
                Some(i) if name.eq_ignore_ascii_case("authorization") => {
                    format!("{}Signature={REDACTED}", secrets.apply(&value[..i]))
                }
                _ => REDACTED.into(),
            };
        } else {
            secrets.apply_in_place(value);
        }
    }
    if let Some(url) = &mut exchange.url {
        secrets.apply_in_place(url);
    }
    secrets.apply_in_place(&mut exchange.body);
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
        scrub_exchange(&secrets, &mut exchange);
        assert_eq!(
            exchange.headers[0].1,
            "AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=[redacted]"
        );
        assert_eq!(exchange.headers[1].1, REDACTED);
        assert_eq!(exchange.headers[2].1, "text/plain");
    }
}

//! SigV4 verification: requests signed by `aws-sigv4` are accepted, and each
//! kind of bad request gets the error the awsJson services give.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use dpconform_reference::{Config, ManualClock, Reference, TEST_ACCESS_KEY, TEST_REGION, TEST_SECRET_KEY};
use http::header::{HeaderName, HeaderValue};

use crate::common::HeaderText;

type Request = http::Request<Bytes>;
use serde_json::Value;

const NOW: u64 = 1_700_000_000;
const HOST: &str = "datapipeline.us-east-1.amazonaws.com";
const BODY: &str = r#"{"name":"n","uniqueId":"u"}"#;

fn reference() -> Reference {
    let clock = Arc::new(ManualClock::at_unix(NOW));
    Reference::new(Config::embedded().with_clock(clock))
}

struct Signing<'a> {
    key: &'a str,
    secret: &'a str,
    token: Option<&'a str>,
    region: &'a str,
    service: &'a str,
    time: SystemTime,
    /// More headers to sign, after host, content type and target.
    extra: &'a [(&'a str, &'a str)],
    method: &'a str,
}

impl Default for Signing<'_> {
    fn default() -> Self {
        Signing {
            key: TEST_ACCESS_KEY,
            secret: TEST_SECRET_KEY,
            token: None,
            region: TEST_REGION,
            service: "datapipeline",
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(NOW),
            extra: &[],
            method: "POST",
        }
    }
}

/// A CreatePipeline request signed with `aws_sigv4::http_request::sign`.
fn signed(s: Signing<'_>) -> Request {
    let identity: Identity = Credentials::new(s.key, s.secret, s.token.map(str::to_string), None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(s.region)
        .name(s.service)
        .time(s.time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let mut headers = vec![
        ("host", HOST),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "DataPipeline.CreatePipeline"),
    ];
    headers.extend_from_slice(s.extra);
    let signable = SignableRequest::new(
        s.method,
        format!("https://{HOST}/"),
        headers.iter().copied(),
        SignableBody::Bytes(BODY.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder().method(s.method).uri("/");
    for (k, v) in headers.iter().copied().chain(instructions.headers()) {
        req = req.header(k, v);
    }
    req.body(Bytes::from(BODY)).unwrap()
}

/// A copy of a request (`http::Request` is not `Clone`).
fn copy(req: &Request) -> Request {
    let mut out = http::Request::new(req.body().clone());
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req.uri().clone();
    *out.headers_mut() = req.headers().clone();
    out
}

fn set_method(req: &mut Request, method: &str) {
    *req.method_mut() = http::Method::from_bytes(method.as_bytes()).unwrap();
}

fn remove_header(req: &mut Request, name: &str) {
    req.headers_mut().remove(name);
}

/// (status, short error type, message) — or (200, "", "") on success.
fn outcome(req: Request) -> (u16, String, String) {
    let r = reference().handle(req);
    let v: Value = serde_json::from_slice(r.body()).unwrap();
    let t = v["__type"].as_str().unwrap_or("");
    (
        r.status().as_u16(),
        t.rsplit('#').next().unwrap_or("").to_string(),
        v["message"].as_str().unwrap_or("").to_string(),
    )
}

fn set_header(req: &mut Request, name: &str, value: &str) {
    req.headers_mut().insert(
        HeaderName::from_bytes(name.as_bytes()).unwrap(),
        HeaderValue::from_str(value).unwrap(),
    );
}

fn header(req: &Request, name: &str) -> String {
    req.header(name).unwrap().to_string()
}

#[test]
fn valid_signatures_are_accepted() {
    assert_eq!(outcome(signed(Signing::default())).0, 200);
    let with_token = signed(Signing {
        token: Some("session-token-value"),
        ..Signing::default()
    });
    assert!(with_token.header("x-amz-security-token").is_some());
    assert_eq!(outcome(with_token).0, 200);
    // Unsigned headers may be added without breaking the signature.
    let mut extra = signed(Signing::default());
    extra
        .headers_mut()
        .append("user-agent", HeaderValue::from_static("aws-cli/1.0"));
    assert_eq!(outcome(extra).0, 200);
    // Within the allowed skew.
    let early = signed(Signing {
        time: SystemTime::UNIX_EPOCH + Duration::from_secs(NOW - 240),
        ..Signing::default()
    });
    assert_eq!(outcome(early).0, 200);
}

#[test]
fn header_values_with_other_whitespace_are_accepted_from_either_signer() {
    // aws-sigv4 folds only spaces, so it signs a tab as a tab (found by fuzzing).
    for value in ["a\tb", "\t", "a \t  b", "\u{a0}x"] {
        let req = signed(Signing {
            extra: &[("x-custom", value)],
            ..Signing::default()
        });
        assert_eq!(outcome(req).0, 200, "{value:?}");
    }
    // botocore folds all whitespace: for `a\tb` it signs `a b`.
    let mut req = signed(Signing {
        extra: &[("x-custom", "a b")],
        ..Signing::default()
    });
    set_header(&mut req, "x-custom", "a\tb");
    assert_eq!(outcome(copy(&req)).0, 200);
    set_header(&mut req, "x-custom", "a\tc");
    assert_eq!(outcome(req).1, "InvalidSignatureException");
}

#[test]
fn a_method_not_in_capitals_is_accepted_from_either_signer() {
    // aws-sigv4 signs the method as sent (found by fuzzing); botocore upper-cases it.
    let as_sent = signed(Signing {
        method: "post",
        ..Signing::default()
    });
    assert_eq!(outcome(as_sent).0, 200);
    let mut upper_cased = signed(Signing::default());
    set_method(&mut upper_cased, "pOsT");
    assert_eq!(outcome(upper_cased).0, 200);
    let mut other = signed(Signing {
        method: "post",
        ..Signing::default()
    });
    set_method(&mut other, "pOsT");
    assert_eq!(outcome(other).1, "InvalidSignatureException");
}

#[test]
fn missing_and_malformed() {
    let mut req = signed(Signing::default());
    remove_header(&mut req, "authorization");
    assert_eq!(
        outcome(req),
        (
            400,
            "MissingAuthenticationTokenException".into(),
            "Missing Authentication Token".into()
        )
    );

    let mut req = signed(Signing::default());
    set_header(&mut req, "Authorization", "AWS4-HMAC-SHA256 garbage");
    let (status, kind, message) = outcome(req);
    assert_eq!((status, kind.as_str()), (400, "IncompleteSignatureException"));
    assert!(
        message.contains("Authorization header requires 'Credential' parameter."),
        "{message}"
    );
    assert!(message.contains("Authorization header requires 'Signature' parameter."));

    let mut req = signed(Signing::default());
    let auth = header(&req, "authorization").replace(&format!("{TEST_ACCESS_KEY}/"), "");
    set_header(&mut req, "Authorization", &auth);
    assert_eq!(outcome(req).1, "IncompleteSignatureException");

    let mut req = signed(Signing::default());
    remove_header(&mut req, "x-amz-date");
    let (_, kind, message) = outcome(req);
    assert_eq!(kind, "IncompleteSignatureException");
    assert!(message.contains("'X-Amz-Date' or a 'Date' header"), "{message}");

    let mut req = signed(Signing::default());
    set_header(&mut req, "Authorization", "AWS abc:def");
    assert_eq!(outcome(req).1, "IncompleteSignatureException");
}

#[test]
fn wrong_credentials_scope_and_time() {
    let (status, kind, message) = outcome(signed(Signing {
        secret: "wrong-secret",
        ..Signing::default()
    }));
    assert_eq!((status, kind.as_str()), (400, "InvalidSignatureException"));
    assert!(
        message.starts_with("The request signature we calculated does not match"),
        "{message}"
    );

    assert_eq!(
        outcome(signed(Signing {
            key: "AKIDUNKNOWN",
            ..Signing::default()
        })),
        (
            400,
            "UnrecognizedClientException".into(),
            "The security token included in the request is invalid.".into()
        )
    );

    let (_, kind, message) = outcome(signed(Signing {
        region: "eu-west-1",
        ..Signing::default()
    }));
    assert_eq!(kind, "InvalidSignatureException");
    assert!(message.contains("scoped to a valid region"), "{message}");

    let (_, kind, message) = outcome(signed(Signing {
        service: "dynamodb",
        ..Signing::default()
    }));
    assert_eq!(kind, "InvalidSignatureException");
    assert!(
        message.contains("scoped to correct service: 'datapipeline'"),
        "{message}"
    );

    let stale = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW - 600);
    let (status, kind, message) = outcome(signed(Signing {
        time: stale,
        ..Signing::default()
    }));
    assert_eq!((status, kind.as_str()), (400, "InvalidSignatureException"));
    assert_eq!(
        message,
        "Signature expired: 20231114T220320Z is now earlier than 20231114T220820Z (20231114T221320Z - 5 min.)"
    );

    let future = SystemTime::UNIX_EPOCH + Duration::from_secs(NOW + 600);
    let (_, kind, message) = outcome(signed(Signing {
        time: future,
        ..Signing::default()
    }));
    assert_eq!(kind, "InvalidSignatureException");
    assert!(message.starts_with("Signature not yet current"), "{message}");
}

#[test]
fn tampering_breaks_the_signature() {
    let mut req = signed(Signing::default());
    *req.body_mut() = Bytes::from(r#"{"name":"m","uniqueId":"u"}"#);
    assert_eq!(outcome(req).1, "InvalidSignatureException");

    let mut req = signed(Signing::default());
    set_header(&mut req, "content-type", "application/x-amz-json-1.0");
    assert_eq!(outcome(req).1, "InvalidSignatureException");

    let mut req = signed(Signing::default());
    let sig = header(&req, "authorization");
    let flipped = format!(
        "{}{}",
        &sig[..sig.len() - 1],
        if sig.ends_with('0') { '1' } else { '0' }
    );
    set_header(&mut req, "Authorization", &flipped);
    assert_eq!(outcome(req).1, "InvalidSignatureException");

    // The scope date must be the request's date.
    let mut req = signed(Signing::default());
    set_header(&mut req, "x-amz-date", "20231115T221320Z");
    assert_eq!(outcome(req).1, "InvalidSignatureException");
}

#[test]
fn auth_errors_carry_the_envelope() {
    let mut req = signed(Signing::default());
    remove_header(&mut req, "authorization");
    let r = reference().handle(req);
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.header("x-amz-crc32"),
        Some(crc32fast::hash(r.body()).to_string().as_str())
    );
    assert!(r.header("x-amzn-requestid").is_some());
    assert!(r.header("date").is_some());
    let v: Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(v["__type"], "MissingAuthenticationTokenException");
}

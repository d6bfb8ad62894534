//! SigV4 verification of the `Authorization` header.
//!
//! The canonical request is rebuilt from exactly the headers named in
//! `SignedHeaders`, as the signer built it (lower-case names, trimmed values
//! with inner runs of spaces collapsed, multiple values joined by `,`,
//! URI-encoded path and sorted query), and signed at the request's own time
//! with `aws-sigv4`'s key derivation and HMAC. The canonical request is built
//! here rather than by `aws_sigv4::http_request::sign` because that signer
//! always adds its own `x-amz-date` (ISO-8601 basic) and `host` to what it
//! signs, so it cannot reproduce a signature over a `Date` header or over an
//! `x-amz-date` in one of the RFC 1123 / RFC 850 / asctime forms the
//! Developer Guide allows; the tests sign with `aws_sigv4::http_request::sign`
//! and check that this verifier accepts the result.
//!
//! Errors follow the other awsJson services: MissingAuthenticationToken,
//! IncompleteSignature (malformed header), InvalidSignature (wrong scope,
//! expired, mismatch), UnrecognizedClient (unknown access key), all 400.

use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::dates;
use super::error::{ApiError, ApiResult, ErrorKind};
use super::{Credential, Request};

pub const SERVICE: &str = "datapipeline";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The parts of a SigV4 `Authorization` header.
#[derive(Debug)]
struct AuthHeader<'a> {
    access_key: &'a str,
    scope_date: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn incomplete(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::IncompleteSignature, message)
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidSignature, message)
}

/// Checks a request's signature against the accepted credentials.
/// A session token (`x-amz-security-token`) is accepted with any known key
/// (inferred: the reference has no token service to check it against).
pub fn verify(req: &Request, creds: &[Credential], region: &str, now: SystemTime, max_skew: Duration) -> ApiResult<()> {
    let Some(header) = req.header("authorization") else {
        return Err(ApiError::new(
            ErrorKind::MissingAuthenticationToken,
            "Missing Authentication Token",
        ));
    };
    let date_header = req.header("x-amz-date").or_else(|| req.header("date"));
    let auth = parse_header(header, date_header.is_some())?;
    let date_text = date_header.unwrap_or_default();
    let request_time = dates::parse_request_date(date_text).ok_or_else(|| {
        incomplete(format!(
            "Date must be in ISO-8601 'basic format' or one of the HTTP date formats. Got '{date_text}'."
        ))
    })?;
    let iso = dates::iso_basic(request_time);
    if auth.terminator != "aws4_request" {
        return Err(invalid(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
            auth.terminator
        )));
    }
    if auth.service != SERVICE {
        return Err(invalid(format!(
            "Credential should be scoped to correct service: '{SERVICE}'. "
        )));
    }
    if auth.region != region {
        return Err(invalid(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            auth.region
        )));
    }
    if auth.scope_date != &iso[..8] {
        return Err(invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{date_text}'.",
            auth.scope_date,
            &iso[..8]
        )));
    }
    let Some(cred) = creds.iter().find(|c| c.access_key == auth.access_key) else {
        return Err(ApiError::new(
            ErrorKind::UnrecognizedClient,
            "The security token included in the request is invalid.",
        ));
    };
    let now_secs = dates::unix_seconds(now);
    let skew = i64::try_from(max_skew.as_secs()).unwrap_or(i64::MAX);
    let skew_minutes = skew / 60;
    if request_time < now_secs.saturating_sub(skew) {
        return Err(invalid(format!(
            "Signature expired: {iso} is now earlier than {} ({} - {skew_minutes} min.)",
            dates::iso_basic(now_secs - skew),
            dates::iso_basic(now_secs)
        )));
    }
    if request_time > now_secs.saturating_add(skew) {
        return Err(invalid(format!(
            "Signature not yet current: {iso} is still later than {} ({} + {skew_minutes} min.)",
            dates::iso_basic(now_secs + skew),
            dates::iso_basic(now_secs)
        )));
    }
    let scope = format!(
        "{}/{}/{}/{}",
        auth.scope_date, auth.region, auth.service, auth.terminator
    );
    let key = aws_sigv4::sign::v4::generate_signing_key(
        &cred.secret_key,
        dates::system_time(request_time),
        auth.region,
        auth.service,
    );
    let matches = |reading: Reading| -> bool {
        let creq = canonical_request(req, &auth.signed_headers, reading);
        let string_to_sign = format!("{ALGORITHM}\n{iso}\n{scope}\n{}", hex_sha256(creq.as_bytes()));
        let expected = aws_sigv4::sign::v4::calculate_signature(&key, string_to_sign.as_bytes());
        expected.as_bytes().ct_eq(auth.signature.as_bytes()).into()
    };
    if readings(req, &auth.signed_headers).into_iter().any(matches) {
        Ok(())
    } else {
        Err(invalid(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ))
    }
}

/// Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
/// Missing parts are listed in one IncompleteSignatureException, in the
/// form AWS uses ("Authorization header requires 'X' parameter. ...
/// Authorization=<header>").
fn parse_header(header: &str, has_date: bool) -> ApiResult<AuthHeader<'_>> {
    let header_trim = header.trim();
    let (algorithm, rest) = header_trim.split_once(' ').unwrap_or((header_trim, ""));
    if algorithm != ALGORITHM {
        return Err(incomplete(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'. Only {ALGORITHM} is supported. Authorization={header}"
        )));
    }
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        match k.trim() {
            "Credential" => credential = Some(v.trim()),
            "SignedHeaders" => signed = Some(v.trim()),
            "Signature" => signature = Some(v.trim()),
            _ => {}
        }
    }
    let mut missing = Vec::new();
    if credential.is_none() {
        missing.push("Authorization header requires 'Credential' parameter.");
    }
    if signature.is_none() {
        missing.push("Authorization header requires 'Signature' parameter.");
    }
    if signed.is_none() {
        missing.push("Authorization header requires 'SignedHeaders' parameter.");
    }
    if !has_date {
        missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    let (Some(credential), Some(signed), Some(signature), true) = (credential, signed, signature, has_date) else {
        return Err(incomplete(format!("{} Authorization={header}", missing.join(" "))));
    };
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key, scope_date, region, service, terminator] = parts.as_slice() else {
        return Err(incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };
    let signed_headers: Vec<&str> = signed.split(';').filter(|h| !h.is_empty()).collect();
    if !signed_headers.iter().any(|h| h.eq_ignore_ascii_case("host")) {
        return Err(incomplete(format!(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization. Authorization={header}"
        )));
    }
    Ok(AuthHeader {
        access_key,
        scope_date,
        region,
        service,
        terminator,
        signed_headers,
        signature,
    })
}

/// How a header value's whitespace is folded into its canonical form. SigV4
/// says "trim, and collapse sequential spaces"; signers read that two ways:
/// botocore (the AWS CLI) folds every kind of whitespace, aws-sigv4 (the Rust
/// SDK, and dpconform's own signer) only spaces, keeping tabs.
#[derive(Debug, Clone, Copy)]
enum Fold {
    Whitespace,
    Spaces,
}

/// One reading of the SigV4 canonical request. Signers differ on whitespace
/// (see [`Fold`]) and on the method: botocore upper-cases it, aws-sigv4 signs
/// it as sent. inferred: the service accepts what either signs, so every
/// reading is tried; the first is botocore's, the others only when they differ.
#[derive(Debug, Clone, Copy)]
struct Reading {
    fold: Fold,
    upper_method: bool,
}

fn readings(req: &Request, signed: &[&str]) -> Vec<Reading> {
    let folds: &[Fold] = if has_other_whitespace(req, signed) {
        &[Fold::Whitespace, Fold::Spaces]
    } else {
        &[Fold::Whitespace]
    };
    let methods: &[bool] = if req.method == req.method.to_ascii_uppercase() {
        &[true]
    } else {
        &[true, false]
    };
    methods
        .iter()
        .flat_map(|&upper_method| folds.iter().map(move |&fold| Reading { fold, upper_method }))
        .collect()
}

impl Fold {
    fn apply(self, value: &str) -> String {
        match self {
            Fold::Whitespace => value.split_whitespace().collect::<Vec<_>>().join(" "),
            Fold::Spaces => value.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" "),
        }
    }
}

/// Whether a signed header's value has whitespace the two folds treat differently.
fn has_other_whitespace(req: &Request, signed: &[&str]) -> bool {
    req.headers.iter().any(|(name, value)| {
        signed.iter().any(|s| s.eq_ignore_ascii_case(name)) && value.chars().any(|c| c.is_whitespace() && c != ' ')
    })
}

/// The SigV4 canonical request of `req` over `signed` headers.
fn canonical_request(req: &Request, signed: &[&str], reading: Reading) -> String {
    let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let mut out = String::new();
    if reading.upper_method {
        out.push_str(&req.method.to_ascii_uppercase());
    } else {
        out.push_str(&req.method);
    }
    out.push('\n');
    out.push_str(&canonical_path(path));
    out.push('\n');
    out.push_str(&canonical_query(query));
    out.push('\n');
    let names: Vec<String> = signed.iter().map(|h| h.to_ascii_lowercase()).collect();
    for name in &names {
        let values: Vec<String> = req
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| reading.fold.apply(v))
            .collect();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&names.join(";"));
    out.push('\n');
    out.push_str(&hex_sha256(&req.body));
    out
}

/// Each segment URI-encoded again (non-S3 services encode the path twice).
fn canonical_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_string();
    }
    path.split('/').map(uri_encode).collect::<Vec<_>>().join("/")
}

fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&percent_decode(k)), uri_encode(&percent_decode(v)))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn uri_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_sha256(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

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

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::dates;
use super::dispatch::{header, Request};
use super::error::{ApiError, ApiResult, ErrorKind};
use super::region::{Regions, Scope};
use super::Credential;

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

/// Derived signing keys by secret and scope: the four chained HMACs of the key
/// derivation give the same key for every request of a day, so each is computed once.
/// Only scopes that passed the region, service and clock checks get here, so the
/// cache holds a few days per credential; it is emptied if it ever grows past
/// [`SigningKeys::CAPACITY`].
#[derive(Default)]
pub struct SigningKeys {
    keys: Mutex<Vec<(KeyScope, [u8; 32])>>,
}

#[derive(PartialEq, Eq)]
struct KeyScope {
    secret: String,
    date: String,
    region: String,
    service: String,
}

impl SigningKeys {
    const CAPACITY: usize = 64;

    fn get(&self, secret: &str, date: &str, region: &str, service: &str, time: SystemTime) -> [u8; 32] {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        let cached = keys.iter().find(|(scope, _)| {
            scope.secret == secret && scope.date == date && scope.region == region && scope.service == service
        });
        if let Some((_, key)) = cached {
            return *key;
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(aws_sigv4::sign::v4::generate_signing_key(secret, time, region, service).as_ref());
        if keys.len() >= Self::CAPACITY {
            keys.clear();
        }
        keys.push((
            KeyScope {
                secret: secret.to_string(),
                date: date.to_string(),
                region: region.to_string(),
                service: service.to_string(),
            },
            key,
        ));
        key
    }
}

/// The region a request's `Authorization` header scopes its signature to,
/// if it has a readable one; for a reference that checks no signatures.
pub fn claimed_region(req: &Request) -> Option<String> {
    let authorization = header(req, "authorization")?;
    parse_header(&authorization, true)
        .ok()
        .map(|auth| auth.region.to_string())
}

/// Checks a request's signature against the accepted credentials; the
/// account of the credential and the region of the signature are whose state
/// the request works on. A session token (`x-amz-security-token`) is accepted
/// with any known key (inferred: the reference has no token service to check
/// it against).
pub fn verify(
    req: &Request,
    creds: &[Credential],
    regions: &Regions,
    now: SystemTime,
    max_skew: Duration,
    keys: &SigningKeys,
) -> ApiResult<Scope> {
    let Some(authorization) = header(req, "authorization") else {
        return Err(ApiError::new(
            ErrorKind::MissingAuthenticationToken,
            "Missing Authentication Token",
        ));
    };
    let date_header = header(req, "x-amz-date").or_else(|| header(req, "date"));
    let auth = parse_header(&authorization, date_header.is_some())?;
    let date_text = date_header.as_deref().unwrap_or_default();
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
    if !regions.accepts(auth.region) {
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
    let key = keys.get(
        &cred.secret_key,
        auth.scope_date,
        auth.region,
        auth.service,
        dates::system_time(request_time),
    );
    let matches = |reading: Reading| -> bool {
        let creq = canonical_request(req, &auth.signed_headers, reading);
        let mut string_to_sign = String::with_capacity(160);
        for part in [
            ALGORITHM,
            "\n",
            &iso,
            "\n",
            auth.scope_date,
            "/",
            auth.region,
            "/",
            auth.service,
            "/",
            auth.terminator,
            "\n",
        ] {
            string_to_sign.push_str(part);
        }
        push_hex(&mut string_to_sign, &Sha256::digest(creq.as_bytes()));
        let expected = aws_sigv4::sign::v4::calculate_signature(key, string_to_sign.as_bytes());
        expected.as_bytes().ct_eq(auth.signature.as_bytes()).into()
    };
    if readings(req, &auth.signed_headers).into_iter().any(matches) {
        Ok(Scope {
            account_id: cred.account_id.clone(),
            region: auth.region.to_string(),
        })
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
    let mut parts = credential.split('/');
    let (Some(access_key), Some(scope_date), Some(region), Some(service), Some(terminator), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
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
    let method = req.method().as_str();
    let methods: &[bool] = if !method.bytes().any(|b| b.is_ascii_lowercase()) {
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
    /// Appends `value` trimmed, with inner runs of (every kind of, or only space) whitespace as one space.
    fn push(self, out: &mut String, value: &str) {
        let words: Box<dyn Iterator<Item = &str>> = match self {
            Fold::Whitespace => Box::new(value.split_whitespace()),
            Fold::Spaces => Box::new(value.split(' ').filter(|w| !w.is_empty())),
        };
        for (j, word) in words.enumerate() {
            if j > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
}

/// Whether a signed header's value has whitespace the two folds treat differently.
fn has_other_whitespace(req: &Request, signed: &[&str]) -> bool {
    signed.iter().any(|name| {
        req.headers().get_all(*name).iter().any(|value| {
            String::from_utf8_lossy(value.as_bytes())
                .chars()
                .any(|c| c.is_whitespace() && c != ' ')
        })
    })
}

/// The SigV4 canonical request of `req` over `signed` headers in one `reading`, written into one string.
fn canonical_request(req: &Request, signed: &[&str], reading: Reading) -> String {
    let full = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let (path, query) = full.split_once('?').unwrap_or((full, ""));
    let method = req.method().as_str();
    let mut out = String::with_capacity(256);
    if reading.upper_method {
        push_ascii_case(&mut out, method, true);
    } else {
        out.push_str(method);
    }
    out.push('\n');
    push_canonical_path(&mut out, path);
    out.push('\n');
    out.push_str(&canonical_query(query));
    out.push('\n');
    for name in signed {
        push_ascii_case(&mut out, name, false);
        out.push(':');
        // Every value of the header, trimmed with inner runs of whitespace folded, joined by `,`.
        for (i, value) in req.headers().get_all(*name).iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            reading.fold.push(&mut out, &String::from_utf8_lossy(value.as_bytes()));
        }
        out.push('\n');
    }
    out.push('\n');
    for (i, name) in signed.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        push_ascii_case(&mut out, name, false);
    }
    out.push('\n');
    push_hex(&mut out, &Sha256::digest(req.body()));
    out
}

/// `text` in ASCII upper or lower case; copied as is when it already is (the usual case).
fn push_ascii_case(out: &mut String, text: &str, upper: bool) {
    let converted = |b: u8| {
        if upper {
            b.is_ascii_lowercase()
        } else {
            b.is_ascii_uppercase()
        }
    };
    if text.bytes().any(converted) {
        out.extend(text.chars().map(|c| {
            if upper {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        }));
    } else {
        out.push_str(text);
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Each segment URI-encoded again (non-S3 services encode the path twice).
fn push_canonical_path(out: &mut String, path: &str) {
    if path.is_empty() {
        out.push('/');
    } else if path.bytes().all(|b| b == b'/' || is_unreserved(b)) {
        // Nothing to encode (the usual `/`).
        out.push_str(path);
    } else {
        out.push_str(&path.split('/').map(uri_encode).collect::<Vec<_>>().join("/"));
    }
}

fn canonical_query(query: &str) -> String {
    if query.is_empty() {
        return String::new();
    }
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

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0xf)]));
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

/// Lower-case hex, as SigV4 writes hashes.
fn push_hex(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX_LOWER[usize::from(b >> 4)]));
        out.push(char::from(HEX_LOWER[usize::from(b & 0xf)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derived(secret: &str, time: SystemTime, region: &str) -> Vec<u8> {
        aws_sigv4::sign::v4::generate_signing_key(secret, time, region, SERVICE)
            .as_ref()
            .to_vec()
    }

    #[test]
    fn cached_signing_keys_are_those_of_their_own_scope() {
        let keys = SigningKeys::default();
        let day1 = dates::system_time(1_700_000_000);
        let day2 = dates::system_time(1_700_000_000 + 86_400);
        let a = keys.get("secret-a", "20231114", "us-east-1", SERVICE, day1);
        assert_eq!(a.to_vec(), derived("secret-a", day1, "us-east-1"));
        // Another secret, day or region under the same cache gets its own key.
        assert_eq!(
            keys.get("secret-b", "20231114", "us-east-1", SERVICE, day1).to_vec(),
            derived("secret-b", day1, "us-east-1")
        );
        assert_eq!(
            keys.get("secret-a", "20231115", "us-east-1", SERVICE, day2).to_vec(),
            derived("secret-a", day2, "us-east-1")
        );
        assert_eq!(
            keys.get("secret-a", "20231114", "eu-west-1", SERVICE, day1).to_vec(),
            derived("secret-a", day1, "eu-west-1")
        );
        // And asking again answers the first key from the cache.
        assert_eq!(keys.get("secret-a", "20231114", "us-east-1", SERVICE, day1), a);
        assert_eq!(keys.keys.lock().unwrap().len(), 4);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let keys = SigningKeys::default();
        let time = dates::system_time(1_700_000_000);
        for i in 0..(SigningKeys::CAPACITY * 2 + 1) {
            keys.get(&format!("secret-{i}"), "20231114", "us-east-1", SERVICE, time);
        }
        assert!(keys.keys.lock().unwrap().len() <= SigningKeys::CAPACITY);
    }

    #[test]
    fn canonical_request_collapses_values_and_joins_repeated_headers() {
        let req = ::http::Request::builder()
            .method("post")
            .uri("/a%20b/?z=1&a=%41")
            .header("Host", "example.com")
            .header("X-Amz-Date", "20231114T000000Z")
            .header("x-multi", "  one   two ")
            .header("X-Multi", "three")
            .body(bytes::Bytes::from_static(b"{}"))
            .unwrap();
        let botocore = Reading {
            fold: Fold::Whitespace,
            upper_method: true,
        };
        let creq = canonical_request(&req, &["host", "X-Amz-Date", "x-multi"], botocore);
        let body_hash: String = Sha256::digest(b"{}").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            creq,
            format!(
                "POST\n/a%2520b/\na=A&z=1\nhost:example.com\nx-amz-date:20231114T000000Z\nx-multi:one two,three\n\nhost;x-amz-date;x-multi\n{body_hash}"
            )
        );
    }
}

//! The response envelope: body bytes, and the headers every response carries
//! (`x-amzn-RequestId`, `x-amz-crc32`, `Content-Type`, `Content-Length`,
//! `Date`), errors included.
//!
//! `x-amz-crc32`: none of the 127 real responses of 2017 carried it (observed:
//! evidence/ansible-community-aws-data-pipeline-placebo-recordings.md), while
//! the 2012 API Reference samples do (documented). It is kept: clients that
//! find it verify it (botocore, the SDKs), clients that do not find it do not
//! miss it, so sending a correct one cannot break any client, and the harness
//! checks it when present.

use std::cell::Cell;
use std::time::SystemTime;

use ::http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE as CONTENT_TYPE_HEADER, DATE};
use bytes::Bytes;
use serde_json::{json, Value};

use super::dates;
use super::error::ApiError;

/// The response type of the core.
pub type Response = ::http::Response<Bytes>;

/// The awsJson 1.1 media type of every response (observed in all 2017 responses:
/// evidence/ansible-community-aws-data-pipeline-placebo-recordings.md).
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
const CRC32: HeaderName = HeaderName::from_static("x-amz-crc32");

/// What a successful operation answers.
#[derive(Debug, Clone)]
pub enum Body {
    /// A JSON document (`{}` for outputs without members).
    Json(Value),
    /// A JSON document already serialized, byte for byte what `Json` of its
    /// `serde_json::Value` form would give (keys in sorted order), without
    /// building that tree first.
    Serialized(Bytes),
    /// No body at all (operations without an output shape: DeletePipeline,
    /// SetStatus).
    Empty,
}

pub fn success(body: Body, now: SystemTime) -> Response {
    let bytes = match body {
        // The same bytes as `to_string` (compact), without the `Display` detour.
        Body::Json(v) => Bytes::from(serde_json::to_vec(&v).unwrap_or_default()),
        Body::Serialized(bytes) => bytes,
        Body::Empty => Bytes::new(),
    };
    envelope(200, bytes, now)
}

pub fn failure(err: &ApiError, now: SystemTime) -> Response {
    let body = json!({ "__type": err.kind.wire_type(), "message": err.message });
    envelope(
        err.kind.status(),
        Bytes::from(serde_json::to_vec(&body).unwrap_or_default()),
        now,
    )
}

fn envelope(status: u16, body: Bytes, now: SystemTime) -> Response {
    // Every value is ASCII made here (digits, a UUID, an HTTP date), so none can be
    // refused; an empty value stands in should one ever be.
    let value = |text: String| HeaderValue::try_from(text).unwrap_or_else(|_| HeaderValue::from_static(""));
    let crc = crc32fast::hash(&body);
    let len = body.len();
    let mut response = Response::new(body);
    *response.status_mut() = ::http::StatusCode::from_u16(status).unwrap_or(::http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.reserve(5);
    headers.insert(REQUEST_ID, value(request_id()));
    headers.insert(CRC32, value(crc.to_string()));
    headers.insert(CONTENT_TYPE_HEADER, HeaderValue::from_static(CONTENT_TYPE));
    headers.insert(CONTENT_LENGTH, value(len.to_string()));
    headers.insert(DATE, value(dates::http_date(now)));
    response
}

/// A random (version 4) UUID for `x-amzn-RequestId`. `Uuid::new_v4` asks the OS for
/// 16 bytes on every response (a system call each); here each thread draws from a
/// SplitMix64 sequence seeded once by the OS. SplitMix64 never repeats a value within
/// 2^64 draws, so the ids of one thread are distinct, and threads start at random
/// points of the sequence.
fn request_id() -> String {
    thread_local! {
        static STATE: Cell<u64> = Cell::new(uuid::Uuid::new_v4().as_u64_pair().0);
    }
    let (high, low) = STATE.with(|state| (split_mix(state), split_mix(state)));
    let bits = (u128::from(high) << 64) | u128::from(low);
    let id = uuid::Builder::from_random_bytes(bits.to_le_bytes()).into_uuid();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    id.hyphenated().encode_lower(&mut text).to_string()
}

fn split_mix(state: &Cell<u64>) -> u64 {
    let next = state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
    state.set(next);
    let mut z = next;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
        r.headers().get(name).and_then(|v| v.to_str().ok())
    }

    #[test]
    fn envelope_headers_describe_the_body() {
        let r = success(Body::Json(json!({"a": 1})), SystemTime::UNIX_EPOCH);
        assert_eq!(r.status(), 200);
        assert_eq!(r.body().as_ref(), br#"{"a":1}"#);
        assert_eq!(header(&r, "content-length"), Some("7"));
        assert_eq!(
            header(&r, "x-amz-crc32"),
            Some(crc32fast::hash(br#"{"a":1}"#).to_string().as_str())
        );
        assert_eq!(header(&r, "date"), Some("Thu, 01 Jan 1970 00:00:00 GMT"));
        let id = uuid::Uuid::parse_str(header(&r, "x-amzn-RequestId").unwrap()).unwrap();
        assert_eq!(id.get_version(), Some(uuid::Version::Random));

        let e = failure(
            &ApiError::new(ErrorKind::InternalServiceError, "boom"),
            SystemTime::UNIX_EPOCH,
        );
        assert_eq!(e.status(), 500);
        let v: Value = serde_json::from_slice(e.body()).unwrap();
        assert_eq!(v["__type"], ErrorKind::InternalServiceError.wire_type());
        assert_eq!(v["message"], "boom");

        let empty = success(Body::Empty, SystemTime::UNIX_EPOCH);
        assert_eq!(header(&empty, "content-length"), Some("0"));
        assert_eq!(header(&empty, "x-amz-crc32"), Some("0"));
    }

    #[test]
    fn request_ids_are_lowercase_v4_uuids_and_distinct() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| request_id()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            assert_eq!(id.len(), 36);
            assert_eq!(id, &id.to_lowercase());
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(parsed.get_version(), Some(uuid::Version::Random));
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        }
        // Another thread starts elsewhere in the sequence.
        let other = std::thread::spawn(request_id).join().unwrap();
        assert!(!ids.contains(&other));
    }
}

//! The response envelope: body bytes, and the headers every response carries
//! (`x-amzn-RequestId`, `x-amz-crc32`, `Content-Type`, `Content-Length`,
//! `Date`), errors included.

use std::cell::Cell;
use std::time::SystemTime;

use bytes::Bytes;
use serde_json::{json, Value};

use super::dates;
use super::error::ApiError;
use super::Response;

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

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
    let crc = crc32fast::hash(&body);
    Response {
        status,
        headers: vec![
            ("x-amzn-RequestId".to_string(), request_id()),
            ("x-amz-crc32".to_string(), crc.to_string()),
            ("Content-Type".to_string(), CONTENT_TYPE.to_string()),
            ("Content-Length".to_string(), body.len().to_string()),
            ("Date".to_string(), dates::http_date(now)),
        ],
        body,
    }
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

    #[test]
    fn envelope_headers_describe_the_body() {
        let r = success(Body::Json(json!({"a": 1})), SystemTime::UNIX_EPOCH);
        assert_eq!(r.status, 200);
        assert_eq!(r.body.as_ref(), br#"{"a":1}"#);
        assert_eq!(r.header("content-length"), Some("7"));
        assert_eq!(
            r.header("x-amz-crc32"),
            Some(crc32fast::hash(br#"{"a":1}"#).to_string().as_str())
        );
        assert_eq!(r.header("date"), Some("Thu, 01 Jan 1970 00:00:00 GMT"));
        let id = uuid::Uuid::parse_str(r.header("x-amzn-requestid").unwrap()).unwrap();
        assert_eq!(id.get_version(), Some(uuid::Version::Random));

        let e = failure(
            &ApiError::new(ErrorKind::InternalServiceError, "boom"),
            SystemTime::UNIX_EPOCH,
        );
        assert_eq!(e.status, 500);
        let v: Value = serde_json::from_slice(&e.body).unwrap();
        assert_eq!(v["__type"], "com.amazon.setl.webservice#InternalServiceError");
        assert_eq!(v["message"], "boom");

        let empty = success(Body::Empty, SystemTime::UNIX_EPOCH);
        assert_eq!(empty.header("content-length"), Some("0"));
        assert_eq!(empty.header("x-amz-crc32"), Some("0"));
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

//! The response envelope: body bytes, and the headers every response carries
//! (`x-amzn-RequestId`, `x-amz-crc32`, `Content-Type`, `Content-Length`,
//! `Date`), errors included.

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
    /// No body at all (operations without an output shape: DeletePipeline,
    /// SetStatus).
    Empty,
}

pub fn success(body: Body, now: SystemTime) -> Response {
    let bytes = match body {
        Body::Json(v) => Bytes::from(v.to_string()),
        Body::Empty => Bytes::new(),
    };
    envelope(200, bytes, now)
}

pub fn failure(err: &ApiError, now: SystemTime) -> Response {
    let body = json!({ "__type": err.kind.wire_type(), "message": err.message });
    envelope(err.kind.status(), Bytes::from(body.to_string()), now)
}

fn envelope(status: u16, body: Bytes, now: SystemTime) -> Response {
    let crc = crc32fast::hash(&body);
    Response {
        status,
        headers: vec![
            ("x-amzn-RequestId".to_string(), uuid::Uuid::new_v4().to_string()),
            ("x-amz-crc32".to_string(), crc.to_string()),
            ("Content-Type".to_string(), CONTENT_TYPE.to_string()),
            ("Content-Length".to_string(), body.len().to_string()),
            ("Date".to_string(), dates::http_date(now)),
        ],
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::error::ErrorKind;

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
        assert!(uuid::Uuid::parse_str(r.header("x-amzn-requestid").unwrap()).is_ok());

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
}

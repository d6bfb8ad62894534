//! From an HTTP request to the operation it names: method, `X-Amz-Target`
//! and `Content-Type` checks.

use std::borrow::Cow;

use bytes::Bytes;

use super::error::{ApiError, ApiResult, ErrorKind};

pub use dpconform_protocol::Operation;

/// The request type of the core.
pub type Request = ::http::Request<Bytes>;

/// The first value of a header (names compare case-insensitively), as text; bytes
/// that are not UTF-8 become U+FFFD, so such a value can only fail a comparison.
pub fn header<'a>(req: &'a Request, name: &str) -> Option<Cow<'a, str>> {
    req.headers().get(name).map(|v| String::from_utf8_lossy(v.as_bytes()))
}

/// The operation a request names, or the front-end error it gets.
pub fn route(req: &Request) -> ApiResult<Operation> {
    // inferred: a method other than POST names no operation of the awsJson
    // protocol, so it gets UnknownOperationException (400) like an unknown
    // target; the real service's answer to GET / is UNK. The method's case is
    // kept as sent (`post` is an extension method to `http`) and ignored here.
    let method = req.method().as_str();
    if !method.eq_ignore_ascii_case("POST") {
        return Err(unknown(format!("Operation is not supported for method {method}")));
    }
    let target = match header(req, "x-amz-target") {
        Some(t) => t,
        None => return Err(unknown("No operation specified: missing X-Amz-Target header")),
    };
    let target = target.trim();
    let op = Operation::from_target(target).ok_or_else(|| unknown(format!("Operation {target} is not supported")))?;
    check_content_type(req)?;
    Ok(op)
}

/// inferred: the awsJson front end accepts `application/x-amz-json-1.0`,
/// `-1.1` and `application/json` (parameters such as `charset` ignored) and
/// a missing Content-Type (the operation is known from the target). Any other
/// media type selects no JSON codec, which coral services answer with
/// UnknownOperationException.
fn check_content_type(req: &Request) -> ApiResult<()> {
    let Some(ct) = header(req, "content-type") else {
        return Ok(());
    };
    let media = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match media.as_str() {
        "application/x-amz-json-1.1" | "application/x-amz-json-1.0" | "application/json" => Ok(()),
        _ => Err(unknown(format!("Content-Type {ct} is not supported"))),
    }
}

fn unknown(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::UnknownOperation, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, headers: &[(&str, &str)]) -> Request {
        let mut b = ::http::Request::builder().method(method).uri("/");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Bytes::new()).unwrap()
    }

    #[test]
    fn both_prefixes_and_all_operations() {
        for op in Operation::ALL {
            for prefix in dpconform_protocol::TARGET_PREFIXES {
                let t = format!("{prefix}.{}", op.name());
                assert_eq!(route(&req("POST", &[("X-Amz-Target", &t)])), Ok(*op));
            }
        }
        assert_eq!(Operation::ALL.len(), 19);
    }

    #[test]
    fn front_end_errors() {
        let kind = |r: Request| route(&r).unwrap_err().kind;
        assert_eq!(kind(req("POST", &[])), ErrorKind::UnknownOperation);
        assert_eq!(
            kind(req("GET", &[("x-amz-target", "DataPipeline.ListPipelines")])),
            ErrorKind::UnknownOperation
        );
        assert_eq!(
            kind(req("POST", &[("x-amz-target", "DataPipeline.NoSuch")])),
            ErrorKind::UnknownOperation
        );
        assert_eq!(
            kind(req("POST", &[("x-amz-target", "Other.ListPipelines")])),
            ErrorKind::UnknownOperation
        );
        assert_eq!(
            kind(req(
                "POST",
                &[
                    ("x-amz-target", "DataPipeline.ListPipelines"),
                    ("content-type", "text/plain")
                ]
            )),
            ErrorKind::UnknownOperation
        );
        assert_eq!(
            route(&req("post", &[("x-amz-target", "DataPipeline.ListPipelines")])),
            Ok(Operation::ListPipelines)
        );
        assert!(route(&req(
            "POST",
            &[
                ("x-amz-target", "DataPipeline.ListPipelines"),
                ("content-type", "application/x-amz-json-1.0; charset=utf-8")
            ]
        ))
        .is_ok());
    }
}

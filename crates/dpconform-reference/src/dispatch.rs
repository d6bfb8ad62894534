//! From an HTTP request to the operation it names: method, `X-Amz-Target`
//! and `Content-Type` checks.

use super::error::{ApiError, ApiResult, ErrorKind};
use super::Request;

pub use dpconform_protocol::Operation;

/// The operation a request names, or the front-end error it gets.
pub fn route(req: &Request) -> ApiResult<Operation> {
    // inferred: a method other than POST names no operation of the awsJson
    // protocol, so it gets UnknownOperationException (400) like an unknown
    // target; the real service's answer to GET / is UNK.
    if !req.method.eq_ignore_ascii_case("POST") {
        return Err(unknown(format!("Operation is not supported for method {}", req.method)));
    }
    let target = match req.header("x-amz-target") {
        Some(t) => t.trim(),
        None => return Err(unknown("No operation specified: missing X-Amz-Target header")),
    };
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
    let Some(ct) = req.header("content-type") else {
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
    use bytes::Bytes;

    fn req(method: &str, headers: &[(&str, &str)]) -> Request {
        Request {
            method: method.into(),
            path: "/".into(),
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: Bytes::new(),
        }
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

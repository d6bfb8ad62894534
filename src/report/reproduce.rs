//! How to reproduce a failed step alone: the `dpconform run` line for its
//! case, and for an operation step the same request as a `curl` command and
//! as an `aws datapipeline` command. Credentials appear only as the
//! environment variables' names, never as values.

use serde::{Deserialize, Serialize};

use super::json::Exchange;
use dpconform_protocol::{snake_case, OPERATIONS, SIGNING_NAME};

/// Commands that reproduce one failed step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reproduction {
    /// Reruns the case alone: `dpconform run --exact NAME --endpoint URL`.
    pub dpconform: String,
    /// The step's request as sent, signed by curl (`--aws-sigv4`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curl: Option<String>,
    /// The same call with the AWS CLI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<String>,
}

/// The reproduction of a step of `case` whose request was `request`;
/// `endpoint` is `None` when the run's target was the embedded reference.
pub fn reproduce(
    case: &str,
    endpoint: Option<&str>,
    operation: Option<&str>,
    request: Option<&Exchange>,
) -> Reproduction {
    let dpconform = match endpoint {
        Some(url) => format!("dpconform run --exact {} --endpoint {}", quote(case), quote(url)),
        None => format!("dpconform run --exact {}", quote(case)),
    };
    let (curl, aws) = match (operation, request) {
        (Some(op), Some(request)) if request.body.len() == request.body_len => {
            // The AWS CLI knows only the service's own operations.
            let known = OPERATIONS.contains(&op);
            (
                curl(request),
                endpoint.filter(|_| known).map(|url| aws_cli(op, url, request)),
            )
        }
        _ => (None, None),
    };
    Reproduction { dpconform, curl, aws }
}

/// Headers curl sets itself when it signs (or that only the signature needs).
const SET_BY_CURL: [&str; 6] = [
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "host",
    "content-length",
];

fn curl(request: &Exchange) -> Option<String> {
    let url = request.url.as_deref()?;
    let mut parts = vec!["curl -sS -i".to_string()];
    if let Some(region) = request.header("authorization").and_then(scope_region) {
        parts.push(format!(
            "--aws-sigv4 {}",
            quote(&format!("aws:amz:{region}:{SIGNING_NAME}"))
        ));
        parts.push("--user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\"".into());
        if request.header("x-amz-security-token").is_some() {
            parts.push("-H \"X-Amz-Security-Token: $AWS_SESSION_TOKEN\"".into());
        }
    }
    if let Some(method) = request.method.as_deref().filter(|m| *m != "POST") {
        parts.push(format!("-X {method}"));
    }
    for (name, value) in &request.headers {
        if !SET_BY_CURL.contains(&name.to_ascii_lowercase().as_str()) {
            parts.push(format!("-H {}", quote(&format!("{name}: {value}"))));
        }
    }
    parts.push(format!("--data-binary {}", quote(&request.body)));
    parts.push(quote(url));
    Some(parts.join(" "))
}

fn aws_cli(operation: &str, endpoint: &str, request: &Exchange) -> String {
    let region = request
        .header("authorization")
        .and_then(scope_region)
        .unwrap_or_else(|| "us-east-1".into());
    let command = snake_case(operation).replace('_', "-");
    let input = if request.body.trim().is_empty() {
        "{}"
    } else {
        request.body.as_str()
    };
    format!(
        "aws datapipeline {command} --endpoint-url {} --region {region} --cli-input-json {}",
        quote(endpoint),
        quote(input)
    )
}

/// The region of a SigV4 `Authorization` header's credential scope.
fn scope_region(authorization: &str) -> Option<String> {
    let credential = authorization.split("Credential=").nth(1)?;
    let scope = credential.split([',', ' ']).next()?;
    let mut parts = scope.split('/');
    let (_key, _date, region) = (parts.next()?, parts.next()?, parts.next()?);
    (!region.is_empty()).then(|| region.to_string())
}

/// Single-quoted for a POSIX shell.
fn quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/=@,+".contains(c))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

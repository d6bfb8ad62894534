//! Turning a step into the exact request to send: templates rendered, the
//! operation's target and content type set, the endpoint's URL joined.

use bytes::Bytes;

use crate::case::template::Scope;
use crate::case::{RawBody, SignOverrides, Signing, Step, MAX_GENERATED_BODY_BYTES};
use dpconform_protocol::{CONTENT_TYPE, TARGET_PREFIX};

/// A request ready to be signed and sent.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    /// HTTP method.
    pub method: String,
    /// Full URL: the endpoint joined with the path.
    pub url: String,
    /// Headers in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes.
    pub body: Bytes,
    /// `None`: send unsigned.
    pub signing: Option<SignOverrides>,
}

impl PreparedRequest {
    /// The first header of that name (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        dpconform_protocol::headers::find(&self.headers, name)
    }

    /// Sets a header, replacing any of the same name (case-insensitive).
    pub(crate) fn set_header(&mut self, name: &str, value: String) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value));
    }
}

/// Renders `step` against `endpoint` (a base URL without a trailing slash).
pub(crate) fn prepare(step: &Step, endpoint: &str, scope: &mut Scope) -> Result<PreparedRequest, String> {
    scope.begin_request();
    if let Some(raw) = &step.raw {
        let mut headers = Vec::new();
        for (name, value) in &raw.headers {
            headers.push((name.clone(), scope.render_str(value)?));
        }
        let body = match &raw.body {
            RawBody::Text(text) => Bytes::from(scope.render_str(text)?),
            RawBody::Generated(g) => {
                let len = g
                    .byte_len()
                    .filter(|n| *n <= MAX_GENERATED_BODY_BYTES)
                    .ok_or_else(|| format!("the generated body must be at most {MAX_GENERATED_BODY_BYTES} bytes"))?;
                scope.reserve(len)?;
                generated_body(&g.prefix, &g.repeat, g.times, &g.suffix)
            }
        };
        return Ok(PreparedRequest {
            method: raw.method.clone(),
            url: join(endpoint, &scope.render_str(&raw.path)?),
            headers,
            body,
            signing: signing(step, scope, false)?,
        });
    }

    let operation = step.operation.as_deref().unwrap_or_default();
    let body = match &step.body {
        Some(body) => scope.render_value(body)?,
        None => serde_json::json!({}),
    };
    let mut request = PreparedRequest {
        method: "POST".into(),
        url: join(endpoint, "/"),
        headers: vec![
            ("content-type".into(), CONTENT_TYPE.into()),
            ("x-amz-target".into(), format!("{TARGET_PREFIX}.{operation}")),
        ],
        body: Bytes::from(to_json(&body, scope.rendered())?),
        signing: signing(step, scope, true)?,
    };
    for (name, value) in &step.headers {
        let value = scope.render_str(value)?;
        request.set_header(name, value);
    }
    Ok(request)
}

/// `prefix` + `repeat` x `times` + `suffix`. The repetition is copied in doubling
/// blocks: one `push_str` per repetition made a 25 MiB body cost more than sending it.
fn generated_body(prefix: &str, repeat: &str, times: usize, suffix: &str) -> Bytes {
    let repeated = repeat.len().saturating_mul(times);
    let mut body = Vec::with_capacity(prefix.len().saturating_add(repeated).saturating_add(suffix.len()));
    body.extend_from_slice(prefix.as_bytes());
    let start = body.len();
    if repeated > 0 {
        body.extend_from_slice(repeat.as_bytes());
        while body.len() - start < repeated {
            let done = body.len() - start;
            body.extend_from_within(start..start + done.min(repeated - done));
        }
    }
    body.extend_from_slice(suffix.as_bytes());
    Bytes::from(body)
}

fn join(endpoint: &str, path: &str) -> String {
    let base = endpoint.trim_end_matches('/');
    if path.starts_with('/') {
        format!("{base}{path}")
    } else {
        format!("{base}/{path}")
    }
}

/// What signing a step asks for: `None` unsigned, else the (rendered) overrides.
fn signing(step: &Step, scope: &mut Scope, default: bool) -> Result<Option<SignOverrides>, String> {
    Ok(match &step.sign {
        None if default => Some(SignOverrides::default()),
        None | Some(Signing::Enabled(false)) => None,
        Some(Signing::Enabled(true)) => Some(SignOverrides::default()),
        Some(Signing::With(o)) => {
            let mut render = |v: &Option<String>| v.as_deref().map(|s| scope.render_str(s)).transpose();
            Some(SignOverrides {
                access_key: render(&o.access_key)?,
                secret_key: render(&o.secret_key)?,
                session_token: render(&o.session_token)?,
                region: render(&o.region)?,
                service: render(&o.service)?,
                time_offset: o.time_offset,
            })
        }
    })
}

/// A rendered body as JSON, in a buffer sized from what the templates rendered
/// (plus room for quotes and brackets): a 20 MiB bound is written without
/// doubling its way up, which copied and page-faulted it several times.
fn to_json(body: &serde_json::Value, rendered: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(rendered.saturating_add(rendered / 8).saturating_add(256));
    serde_json::to_writer(&mut out, body).map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_bodies_repeat_exactly_times() {
        for (repeat, times) in [
            ("a", 0),
            ("a", 1),
            ("ab", 2),
            ("xyz", 7),
            ("é", 1000),
            ("", 5),
            ("ab", 1 << 20),
        ] {
            let body = generated_body("<", repeat, times, ">");
            let expected = format!("<{}>", repeat.repeat(times));
            assert_eq!(body.len(), expected.len(), "{repeat} x {times}");
            assert!(body == expected.as_bytes(), "{repeat} x {times}");
        }
    }
}

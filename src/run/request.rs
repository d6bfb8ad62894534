//! Turning a step into the exact request to send: templates rendered, the
//! operation's target and content type set, the endpoint's URL joined.

use bytes::Bytes;

use crate::api::{CONTENT_TYPE, TARGET_PREFIX};
use crate::case::template::Scope;
use crate::case::{RawBody, SignOverrides, Signing, Step, MAX_GENERATED_BODY_BYTES};

/// A request ready to be signed and sent.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// `None`: send unsigned.
    pub signing: Option<SignOverrides>,
}

impl PreparedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::headers::find(&self.headers, name)
    }

    /// Sets a header, replacing any of the same name (case-insensitive).
    pub fn set_header(&mut self, name: &str, value: String) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value));
    }
}

/// Renders `step` against `endpoint` (a base URL without a trailing slash).
pub fn prepare(step: &Step, endpoint: &str, scope: &mut Scope) -> Result<PreparedRequest, String> {
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
                let mut body = String::with_capacity(len);
                body.push_str(&g.prefix);
                for _ in 0..g.times {
                    body.push_str(&g.repeat);
                }
                body.push_str(&g.suffix);
                Bytes::from(body)
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
        body: Bytes::from(serde_json::to_vec(&body).map_err(|e| e.to_string())?),
        signing: signing(step, scope, true)?,
    };
    for (name, value) in &step.headers {
        let value = scope.render_str(value)?;
        request.set_header(name, value);
    }
    Ok(request)
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

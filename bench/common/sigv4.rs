//! SigV4 signing for the benchmark's helper programs: `aws-sigv4` directly, as
//! any client would sign, with no dpconform code in between.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;

/// Who signs, for which region and service.
#[derive(Debug, Clone)]
pub struct Key {
    pub access_key: String,
    pub secret_key: String,
    pub session_token: Option<String>,
    pub region: String,
    pub service: String,
}

impl Key {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_REGION`, else the reference's test credentials.
    pub fn from_env() -> Key {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Key {
            access_key: var("AWS_ACCESS_KEY_ID").unwrap_or_else(|| dpconform::reference::TEST_ACCESS_KEY.into()),
            secret_key: var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|| dpconform::reference::TEST_SECRET_KEY.into()),
            session_token: None,
            region: var("AWS_REGION").unwrap_or_else(|| dpconform::reference::TEST_REGION.into()),
            service: "datapipeline".into(),
        }
    }
}

/// Signs with every header in `headers` (which must hold `host`) and adds
/// `x-amz-date`, `authorization` and, with a session token, `x-amz-security-token`.
pub fn sign_headers(
    method: &str,
    url: &str,
    headers: &mut Vec<(String, String)>,
    body: &[u8],
    key: &Key,
    time: SystemTime,
) -> Result<(), String> {
    let identity = Credentials::new(
        key.access_key.clone(),
        key.secret_key.clone(),
        key.session_token.clone(),
        None,
        "bench",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&key.region)
        .name(&key.service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign: {e}"))?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| format!("cannot sign: {e}"))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| format!("cannot sign: {e}"))?
        .into_parts();
    for (name, value) in instructions.headers() {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.to_string(), value.to_string()));
    }
    Ok(())
}

/// `host:port` of an http URL, as signed in the `host` header.
pub fn authority(url: &str) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}`: {e}"))?;
    let host = parsed.host_str().ok_or_else(|| format!("`{url}` has no host"))?;
    Ok(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

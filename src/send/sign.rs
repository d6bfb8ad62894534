//! SigV4 signing with the `aws-sigv4` crate; a case may override any input to
//! produce a deliberately wrong signature.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;

use super::request::PreparedRequest;
use super::target::Credentials;
use crate::case::SignOverrides;
use dpconform_protocol::SIGNING_NAME;

/// Signs `request` with SigV4: adds `host` (unless present), `x-amz-date`,
/// `authorization` (and `x-amz-security-token`). `overrides` replace any input
/// (keys, region, service, a time offset from `now`) to make a deliberately wrong signature.
pub fn sign_request(
    request: &mut PreparedRequest,
    credentials: &Credentials,
    overrides: &SignOverrides,
    now: SystemTime,
) -> Result<(), String> {
    let url = reqwest::Url::parse(&request.url).map_err(|e| format!("cannot sign: bad URL: {e}"))?;
    if request.header("host").is_none() {
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            (None, _) => return Err("cannot sign: the URL has no host".into()),
        };
        request.headers.push(("host".into(), host));
    }
    let time = match overrides.time_offset {
        Some(offset) if offset >= 0 => now.checked_add(Duration::from_secs(offset.unsigned_abs())),
        Some(offset) => now.checked_sub(Duration::from_secs(offset.unsigned_abs())),
        None => Some(now),
    }
    .ok_or("cannot sign: `time_offset` is out of range")?;
    let identity = AwsCredentials::new(
        overrides
            .access_key
            .clone()
            .unwrap_or_else(|| credentials.access_key.clone()),
        overrides
            .secret_key
            .clone()
            .unwrap_or_else(|| credentials.secret_key.clone()),
        overrides
            .session_token
            .clone()
            .or_else(|| credentials.session_token.clone()),
        None,
        "dpconform",
    )
    .into();
    let region = overrides.region.clone().unwrap_or_else(|| credentials.region.clone());
    let service = overrides.service.clone().unwrap_or_else(|| SIGNING_NAME.to_string());
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name(&service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign: {e}"))?
        .into();
    // x-amz-date is the signer's to set.
    request.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("x-amz-date"));
    let signable = SignableRequest::new(
        &request.method,
        request.url.as_str(),
        request.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(&request.body),
    )
    .map_err(|e| format!("cannot sign: {e}"))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| format!("cannot sign: {e}"))?
        .into_parts();
    for (name, value) in instructions.headers() {
        request.set_header(name, value.to_string());
    }
    Ok(())
}

/// The headers of a request with the signature and the session token hidden, for records.
pub(crate) fn redact_secrets(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = if name.eq_ignore_ascii_case("authorization") {
                match value.find("Signature=") {
                    Some(i) => format!("{}Signature=[redacted]", &value[..i]),
                    None => "[redacted]".into(),
                }
            } else if name.eq_ignore_ascii_case("x-amz-security-token") {
                "[redacted]".into()
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect()
}

//! Sending one request with a deadline and reading the whole response,
//! turning every transport problem into a message instead of a panic.

use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::request::PreparedRequest;

/// Responses larger than this are cut off and fail the step (an endless body must not hang a run).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// A response as read off the wire.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl RawResponse {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::headers::find(&self.headers, name)
    }
}

/// The HTTP client of a run: one connection pool, one timeout for every request.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    timeout: Duration,
}

impl HttpClient {
    pub fn new(timeout: Duration) -> Result<Self, String> {
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .http1_only()
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(HttpClient { client, timeout })
    }

    pub async fn send(&self, request: &PreparedRequest) -> Result<RawResponse, String> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| format!("`{}` is not an HTTP method", request.method))?;
        let mut builder = self.client.request(method, &request.url).body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder.send().await.map_err(|e| self.describe(&e, &request.url))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.describe(&e, &request.url))? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(format!(
                    "the response body exceeds {} MiB; stopped reading",
                    MAX_RESPONSE_BYTES / (1024 * 1024)
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            headers,
            body: body.freeze(),
        })
    }

    /// One line that says what went wrong, for people.
    fn describe(&self, error: &reqwest::Error, url: &str) -> String {
        let mut causes = Vec::new();
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !causes.contains(&text) {
                causes.push(text);
            }
            source = cause.source();
        }
        let detail = if causes.is_empty() {
            error.to_string()
        } else {
            causes.join(": ")
        };
        if error.is_timeout() {
            format!("no complete response within {:.1?} (timeout) from {url}", self.timeout)
        } else if error.is_connect() {
            format!("cannot connect to {url}: {detail}")
        } else if error.is_body() || error.is_decode() {
            format!("the response body could not be read: {detail}")
        } else {
            format!("request to {url} failed: {detail}")
        }
    }
}

/// rustls needs one process-wide crypto provider; ring builds without a C toolchain dance.
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

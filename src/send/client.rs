//! Sending one request with a deadline and reading the whole response,
//! turning every transport problem into a message instead of a panic.

use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::request::PreparedRequest;
use super::transport::{self, Phase};

/// Responses larger than this are cut off and fail the step (an endless body must not hang a run).
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// A response as read off the wire.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The HTTP version the endpoint answered in.
    pub version: http::Version,
    /// HTTP status code.
    pub status: u16,
    /// Headers in wire order (values lossy UTF-8).
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Bytes,
}

impl RawResponse {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        dpconform_protocol::headers::find(&self.headers, name)
    }
}

/// The HTTP client of a run: one connection pool, one timeout for every request.
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    timeout: Duration,
}

impl HttpClient {
    /// A client whose every request must complete, body included, within `timeout`;
    /// it follows no redirect and speaks HTTP/1.1 only.
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

    /// Sends `request` as it is (sign it first) and reads the whole response. A transport
    /// problem (refused, timeout, reset, a body over 64 MiB, ...) is an error message that
    /// starts with the fault's name (`timeout: ...`).
    pub async fn send(&self, request: &PreparedRequest) -> Result<RawResponse, String> {
        self.send_within(request, self.timeout).await
    }

    /// Sends with its own deadline instead of the run's (a step's `timeout`, a long poll).
    pub async fn send_within(&self, request: &PreparedRequest, timeout: Duration) -> Result<RawResponse, String> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| format!("`{}` is not an HTTP method", request.method))?;
        let mut builder = self
            .client
            .request(method, &request.url)
            .timeout(timeout)
            .body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| transport::describe(&e, Phase::Head, &request.url, timeout))?;
        let status = response.status().as_u16();
        let version = response.version();
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
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport::describe(&e, Phase::Body, &request.url, timeout))?
        {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(transport::body_too_large(MAX_RESPONSE_BYTES));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            version,
            status,
            headers,
            body: body.freeze(),
        })
    }
}

/// rustls needs one process-wide crypto provider; ring builds without a C toolchain dance.
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

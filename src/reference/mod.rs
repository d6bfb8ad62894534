//! The embedded reference endpoint: an in-memory implementation of the AWS Data
//! Pipeline API (all 19 actions) with the real service's wire behaviour.
//!
//! Layering: [`Reference::handle`] is the core, a function from a request to a
//! response with no I/O (state lives behind a lock, time comes from the
//! injected clock); [`http`] is the thin hyper socket layer around it.

use std::time::Duration;

use bytes::Bytes;

/// Access key the harness signs with when it targets the embedded reference,
/// and that the embedded reference accepts by default.
pub const TEST_ACCESS_KEY: &str = "AKIDDPCONFORMTEST000";
/// Secret key paired with [`TEST_ACCESS_KEY`].
pub const TEST_SECRET_KEY: &str = "dpconform/test/secret/key/0000000000000000";
/// Region of the embedded reference.
pub const TEST_REGION: &str = "us-east-1";

/// One HTTP request as the core sees it: already read from the socket.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as on the request line (`/` or `/?a=b`).
    pub path: String,
    /// Header names as received; look-ups are case-insensitive.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

/// One HTTP response as the core produces it; the socket layer writes it as is.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

// ---- Temporary shim of the agreed interface; replaced by the full reference endpoint. ----
use std::sync::{Arc, Mutex};

pub trait Clock: Send + Sync {
    fn now(&self) -> std::time::SystemTime;
}
pub struct SystemClock;
impl Clock for SystemClock {
    fn now(&self) -> std::time::SystemTime {
        std::time::SystemTime::now()
    }
}
pub enum Auth {
    Disabled,
    Verify(Vec<Credential>),
}
pub struct Credential {
    pub access_key: String,
    pub secret_key: String,
}
pub struct Config {
    pub auth: Auth,
    pub region: String,
    pub clock: Arc<dyn Clock>,
    pub poll_wait: Duration,
    pub max_body_bytes: usize,
}
impl Config {
    pub fn embedded() -> Self {
        Self::from_credentials(TEST_ACCESS_KEY, TEST_SECRET_KEY, TEST_REGION)
    }
    pub fn from_credentials(access_key: &str, secret_key: &str, region: &str) -> Self {
        Config {
            auth: Auth::Verify(vec![Credential {
                access_key: access_key.into(),
                secret_key: secret_key.into(),
            }]),
            region: region.into(),
            clock: Arc::new(SystemClock),
            poll_wait: Duration::from_millis(100),
            max_body_bytes: 32 << 20,
        }
    }
}
pub struct Reference {
    pipelines: Mutex<Vec<(String, String, String)>>,
}
impl Reference {
    pub fn new(_config: Config) -> Self {
        Reference {
            pipelines: Mutex::new(Vec::new()),
        }
    }
    pub fn handle(&self, req: Request) -> Response {
        let target = req
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-target"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let mut p = self.pipelines.lock().unwrap();
        let (status, out) = match target.trim_start_matches("DataPipeline.") {
            "CreatePipeline" => {
                let name = body["name"].as_str().unwrap_or_default().to_string();
                let uid = body["uniqueId"].as_str().unwrap_or_default().to_string();
                let id = match p.iter().find(|x| x.1 == name && x.2 == uid) {
                    Some(x) => x.0.clone(),
                    None => {
                        let id = format!("df-{:019}", p.len() + 1);
                        p.push((id.clone(), name, uid));
                        id
                    }
                };
                (200, serde_json::json!({"pipelineId": id}).to_string())
            }
            "DeletePipeline" => {
                let id = body["pipelineId"].as_str().unwrap_or_default();
                p.retain(|x| x.0 != id);
                (200, String::new())
            }
            "DescribePipelines" => {
                let ids: Vec<String> = body["pipelineIds"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                let found: Vec<_> = p.iter().filter(|x| ids.contains(&x.0)).map(|x| serde_json::json!({"pipelineId": x.0, "name": x.1, "fields": [{"key": "@pipelineState", "stringValue": "PENDING"}, {"key": "@creationTime", "stringValue": "2026-11-23T12:00:00"}]})).collect();
                if found.len() < ids.len() {
                    (400, serde_json::json!({"__type": "com.amazon.setl.webservice#PipelineNotFoundException", "message": "not found"}).to_string())
                } else {
                    (200, serde_json::json!({"pipelineDescriptionList": found}).to_string())
                }
            }
            _ => (
                400,
                serde_json::json!({"__type": "com.amazon.coral.service#UnknownOperationException"}).to_string(),
            ),
        };
        let body = Bytes::from(out);
        Response {
            status,
            headers: vec![
                ("x-amzn-RequestId".into(), uuid::Uuid::new_v4().to_string()),
                ("x-amz-crc32".into(), crc32fast::hash(&body).to_string()),
                ("Content-Type".into(), "application/x-amz-json-1.1".into()),
                ("Date".into(), httpdate::fmt_http_date(std::time::SystemTime::now())),
            ],
            body,
        }
    }
}
pub mod http;

//! An endpoint with a planted bug: a proxy in front of an embedded reference
//! (authentication off) that rewrites some answers the way a broken
//! implementation would, keeping the envelope sound (`x-amz-crc32` and
//! `Content-Length` recomputed), so only an assertion on the body can tell.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use dpconform::reference::http::Embedded;
use dpconform::reference::Config;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// The bugs a proxy can plant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bug {
    /// ListPipelines answers leave out the pipeline created last.
    ListDropsNewestPipeline,
    /// PollForTask's task objects lose their `@pipelineId` field.
    TaskObjectLosesPipelineId,
}

/// A running proxy; stops when dropped.
pub struct Planted {
    pub url: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Planted {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

struct State {
    bug: Bug,
    upstream: String,
    client: reqwest::Client,
    newest_pipeline: Mutex<Option<String>>,
}

/// Starts an embedded reference and the proxy in front of it.
pub fn start(bug: Bug) -> Planted {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (listener, embedded) = runtime.block_on(async {
        let embedded = Embedded::start(Config::embedded().without_auth()).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        (listener, embedded)
    });
    let addr: SocketAddr = listener.local_addr().unwrap();
    let state = Arc::new(State {
        bug,
        upstream: embedded.url(),
        client: {
            // reqwest is built without a default provider; this test must not depend on
            // another test having installed one in the same process.
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::new()
        },
        newest_pipeline: Mutex::new(None),
    });
    runtime.spawn(async move {
        let _embedded = embedded;
        while let Ok((stream, _)) = listener.accept().await {
            let state = state.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let state = state.clone();
                    async move { Ok::<_, std::convert::Infallible>(forward(&state, req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Planted {
        url: format!("http://{addr}"),
        runtime: Some(runtime),
    }
}

async fn forward(state: &State, req: hyper::Request<hyper::body::Incoming>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let mut upstream = state
        .client
        .request(parts.method.clone(), format!("{}{}", state.upstream, parts.uri))
        .body(body);
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            upstream = upstream.header(name, value);
        }
    }
    let answer = upstream.send().await.expect("the reference answers");
    let status = answer.status();
    let headers = answer.headers().clone();
    let mut bytes = answer.bytes().await.unwrap_or_default();
    if status.is_success() {
        if let Ok(mut json) = serde_json::from_slice::<Value>(&bytes) {
            if plant(state, &target, &mut json) {
                bytes = Bytes::from(serde_json::to_vec(&json).unwrap());
            }
        }
    }
    let mut builder = hyper::Response::builder().status(status);
    for (name, value) in &headers {
        match name.as_str() {
            "content-length" => {}
            "x-amz-crc32" => builder = builder.header(name, crc32fast::hash(&bytes).to_string()),
            _ => builder = builder.header(name, value),
        }
    }
    builder.body(Full::new(bytes)).unwrap()
}

/// Rewrites one answer; true when it changed.
fn plant(state: &State, target: &str, json: &mut Value) -> bool {
    let newest = || state.newest_pipeline.lock().unwrap();
    match (state.bug, target) {
        (_, "DataPipeline.CreatePipeline") => {
            *newest() = json["pipelineId"].as_str().map(str::to_string);
            false
        }
        (Bug::ListDropsNewestPipeline, "DataPipeline.ListPipelines") => {
            let Some(id) = newest().clone() else { return false };
            let Some(list) = json["pipelineIdList"].as_array_mut() else {
                return false;
            };
            let before = list.len();
            list.retain(|p| p["id"] != id.as_str());
            list.len() != before
        }
        (Bug::TaskObjectLosesPipelineId, "DataPipeline.PollForTask") => {
            let Some(objects) = json.pointer_mut("/taskObject/objects").and_then(Value::as_object_mut) else {
                return false;
            };
            for object in objects.values_mut() {
                if let Some(fields) = object["fields"].as_array_mut() {
                    fields.retain(|f| f["key"] != "@pipelineId");
                }
            }
            true
        }
        _ => false,
    }
}

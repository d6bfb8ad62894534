//! A stand-in for your own Data Pipeline implementation: dpconform's
//! reference behind a small hyper server, with two deliberate differences that
//! its baseline (`tests/baseline.toml`) declares as known:
//! - every answer says `Content-Type: application/json` (the service says
//!   `application/x-amz-json-1.1`);
//! - DescribePipelines leaves out each pipeline's `tags`.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use dpconform_reference::{Config, Reference};

/// Serves the implementation on `listener` until the process ends.
pub async fn serve(listener: TcpListener) {
    let reference = Arc::new(Reference::new(Config::embedded()));
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let reference = reference.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| answer(reference.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(reference: Arc<Reference>, req: http::Request<Incoming>) -> Result<http::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let describe = parts
        .headers
        .get("x-amz-target")
        .is_some_and(|t| t == "DataPipeline.DescribePipelines");
    let response = reference.handle(http::Request::from_parts(parts, body));
    let (mut parts, mut body) = response.into_parts();
    parts
        .headers
        .insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    if describe && parts.status == http::StatusCode::OK {
        body = without_tags(&body);
        parts.headers.remove("x-amz-crc32");
        parts.headers.insert(http::header::CONTENT_LENGTH, body.len().into());
    }
    Ok(http::Response::from_parts(parts, Full::new(body)))
}

/// The DescribePipelines answer without each pipeline's `tags`.
fn without_tags(body: &Bytes) -> Bytes {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return body.clone();
    };
    if let Some(list) = value.get_mut("pipelineDescriptionList").and_then(|l| l.as_array_mut()) {
        for pipeline in list {
            if let Some(object) = pipeline.as_object_mut() {
                object.remove("tags");
            }
        }
    }
    Bytes::from(serde_json::to_vec(&value).unwrap_or_default())
}

//! Temporary shim: replaced by the full reference endpoint's socket layer.
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use super::{Config, Reference, Request};

pub struct Embedded {
    url: String,
    reference: Arc<Reference>,
    task: tokio::task::JoinHandle<()>,
}
impl Drop for Embedded {
    fn drop(&mut self) {
        self.task.abort();
    }
}
impl Embedded {
    pub async fn start(config: Config) -> std::io::Result<Embedded> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let reference = Arc::new(Reference::new(config));
        let r = reference.clone();
        let task = tokio::spawn(async move {
            let _ = serve(listener, r, false).await;
        });
        Ok(Embedded { url, reference, task })
    }
    pub fn url(&self) -> String {
        self.url.clone()
    }
    pub fn reference(&self) -> &Arc<Reference> {
        &self.reference
    }
}
pub async fn run_server(addr: std::net::SocketAddr, config: Config, log: bool) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!(
        "dpconform reference endpoint listening on http://{}",
        listener.local_addr()?
    );
    serve(listener, Arc::new(Reference::new(config)), log).await
}
pub async fn serve(listener: tokio::net::TcpListener, reference: Arc<Reference>, _log: bool) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let reference = reference.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let reference = reference.clone();
                async move {
                    let (parts, body) = req.into_parts();
                    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                    let request = Request {
                        method: parts.method.to_string(),
                        path: parts.uri.to_string(),
                        headers: parts
                            .headers
                            .iter()
                            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
                            .collect(),
                        body,
                    };
                    let response = reference.handle(request);
                    let mut builder = hyper::Response::builder().status(response.status);
                    for (n, v) in &response.headers {
                        builder = builder.header(n, v);
                    }
                    Ok::<_, std::convert::Infallible>(builder.body(Full::new(response.body)).unwrap())
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

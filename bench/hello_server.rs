//! The ceiling of `bench/run` (figure c): a minimal hyper 1 server with the
//! same set-up as `dpconform serve` (tokio multi-thread runtime with its default
//! workers, one task per connection, `http1::Builder` with the same timer and
//! header timeout) that reads each request body and answers a fixed small JSON
//! body. Whatever the reference costs beyond this is its own work.
//!
//! Usage: `bench-hello [--port N]` (default 0: any free port); prints
//! `listening on http://ADDR`.

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

const BODY: &[u8] = br#"{"pipelineIdList":[],"hasMoreResults":false}"#;

async fn answer(request: hyper::Request<hyper::body::Incoming>) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let _ = request.into_body().collect().await;
    let mut response = hyper::Response::new(Full::new(Bytes::from_static(BODY)));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    Ok(response)
}

async fn serve(port: u16) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
        });
    }
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let port = match (args.next().as_deref(), args.next()) {
        (None, _) => 0,
        (Some("--port"), Some(p)) if p.parse::<u16>().is_ok() => p.parse().unwrap_or(0),
        _ => {
            eprintln!("usage: bench-hello [--port N]");
            return std::process::ExitCode::from(2);
        }
    };
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .and_then(|rt| rt.block_on(serve(port)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-hello: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

//! A deliberately faulty Data Pipeline endpoint, written at the socket level so
//! that each fault is exactly one deviation from a correct response.
//!
//! It knows two answers: CreatePipeline -> 200 `{"pipelineId": PIPELINE_ID}` and
//! anything else -> 400 PipelineNotFoundException. A [`Fault`] changes one thing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const PIPELINE_ID: &str = "df-0123456789ABCDEFGHI";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    WrongCrc,
    MissingRequestId,
    RepeatedRequestId,
    /// 200 becomes 201, body unchanged.
    WrongStatus,
    /// PipelineNotFoundException becomes PipelineDeletedException.
    WrongErrorType,
    /// The pipeline id in the body changes (CRC and length stay consistent).
    ChangedJsonField,
    WrongContentType,
    /// A chunked body with a Content-Length header that does not match it.
    WrongContentLength,
    MissingDate,
    /// Answers after the given delay.
    Slow(Duration),
    /// Reads the request and closes the connection without answering.
    DropConnection,
    /// A body that is not JSON (correct CRC and length).
    NotJson,
}

pub struct FaultyEndpoint {
    pub url: String,
    /// Requests received so far.
    pub requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultyEndpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultyEndpoint {
    pub async fn start(fault: Fault) -> FaultyEndpoint {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let counter = counter.clone();
                tokio::spawn(async move {
                    let _ = serve_connection(stream, fault, counter).await;
                });
            }
        });
        FaultyEndpoint { url, requests, task }
    }
}

async fn serve_connection(mut stream: TcpStream, fault: Fault, counter: Arc<AtomicUsize>) -> std::io::Result<()> {
    loop {
        let Some(target) = read_request(&mut stream).await? else {
            return Ok(());
        };
        let n = counter.fetch_add(1, Ordering::SeqCst);
        if fault == Fault::DropConnection {
            return Ok(());
        }
        if let Fault::Slow(delay) = fault {
            tokio::time::sleep(delay).await;
        }
        stream.write_all(&response(&target, fault, n)).await?;
    }
}

/// Reads one request; returns its x-amz-target (or `None` at end of stream).
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        })
    };
    let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buffer.len() < header_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(header("x-amz-target").unwrap_or_default()))
}

fn response(target: &str, fault: Fault, n: usize) -> Vec<u8> {
    let create = target.ends_with(".CreatePipeline");
    let (mut status, mut body) = if create {
        (200, format!(r#"{{"pipelineId":"{PIPELINE_ID}"}}"#))
    } else {
        (
            400,
            r#"{"__type":"com.amazon.setl.webservice#PipelineNotFoundException","message":"Pipeline not found"}"#
                .to_string(),
        )
    };
    match fault {
        Fault::WrongStatus if status == 200 => status = 201,
        Fault::WrongErrorType => body = body.replace("PipelineNotFoundException", "PipelineDeletedException"),
        Fault::ChangedJsonField => body = body.replace(PIPELINE_ID, "df-ZZZZZZZZZZZZZZZZZZZ"),
        Fault::NotJson => body = "<html>oops</html>".into(),
        _ => {}
    }
    let reason = match status {
        200 => "OK",
        201 => "Created",
        _ => "Bad Request",
    };
    let crc = crc32fast::hash(body.as_bytes());
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    let request_id = if fault == Fault::RepeatedRequestId {
        "00000000-0000-4000-8000-000000000000".to_string()
    } else {
        format!("00000000-0000-4000-8000-{n:012}")
    };
    if fault != Fault::MissingRequestId {
        head.push_str(&format!("x-amzn-RequestId: {request_id}\r\n"));
    }
    let crc = if fault == Fault::WrongCrc {
        crc.wrapping_add(1)
    } else {
        crc
    };
    head.push_str(&format!("x-amz-crc32: {crc}\r\n"));
    let content_type = if fault == Fault::WrongContentType {
        "application/json"
    } else {
        "application/x-amz-json-1.1"
    };
    head.push_str(&format!("Content-Type: {content_type}\r\n"));
    if fault != Fault::MissingDate {
        head.push_str("Date: Mon, 23 Nov 2026 12:00:00 GMT\r\n");
    }
    if fault == Fault::WrongContentLength {
        head.push_str(&format!(
            "Content-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
            body.len() + 7
        ));
        head.push_str(&format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len()));
        return head.into_bytes();
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    head.into_bytes()
}

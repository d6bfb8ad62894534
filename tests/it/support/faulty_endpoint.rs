//! A deliberately faulty Data Pipeline endpoint, written at the socket level so
//! that each fault is exactly one deviation from a correct response, down to
//! broken HTTP that no well-behaved server library would produce.
//!
//! It knows two answers: CreatePipeline -> 200 `{"pipelineId": PIPELINE_ID}` and
//! anything else -> 400 PipelineNotFoundException. A [`Fault`] changes one thing.
//! The endpoint's fault applies to every request unless the request names its
//! own in an `x-fault` header (see [`Fault::parse`]), so that one run can hold a
//! different fault per case.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub const PIPELINE_ID: &str = "df-0123456789ABCDEFGHI";

/// The request header that picks a fault for one request.
pub const FAULT_HEADER: &str = "x-fault";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    WrongCrc,
    /// No x-amz-crc32 at all, as the real service's recorded answers.
    NoCrc,
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
    /// Reads the request and never answers, keeping the connection open.
    NeverAnswers,
    /// Sends the head and half the body, then resets the connection (TCP RST).
    ResetMidBody,
    /// A chunked body that never ends.
    EndlessBody,
    /// JSON whose string holds bytes that are not UTF-8 (correct CRC and length).
    InvalidUtf8,
    /// JSON cut off in the middle (correct CRC and length).
    InvalidJson,
    /// Content-Length promises more bytes than are sent before the connection closes.
    ContentLengthTooLong,
    /// Answers `HTTP/1.0` (with a correct Content-Length) and closes the connection.
    Http10,
    /// Answers this request, then stops listening and closes every connection:
    /// later requests are refused.
    StopListening,
}

impl Fault {
    /// The faults an `x-fault` header can name (kebab-case of the variant).
    pub fn parse(name: &str) -> Option<Fault> {
        Some(match name {
            "none" => Fault::None,
            "slow-3s" => Fault::Slow(Duration::from_secs(3)),
            "wrong-crc" => Fault::WrongCrc,
            "not-json" => Fault::NotJson,
            "never-answers" => Fault::NeverAnswers,
            "reset-mid-body" => Fault::ResetMidBody,
            "endless-body" => Fault::EndlessBody,
            "invalid-utf8" => Fault::InvalidUtf8,
            "invalid-json" => Fault::InvalidJson,
            "content-length-too-long" => Fault::ContentLengthTooLong,
            "wrong-content-length" => Fault::WrongContentLength,
            "http10" => Fault::Http10,
            "drop-connection" => Fault::DropConnection,
            "stop-listening" => Fault::StopListening,
            _ => return None,
        })
    }
}

/// Where a StopListening request has taken the endpoint (see `FaultyEndpoint::start`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Serving,
    StopAccepting,
    ListenerClosed,
    Closed,
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
        // A StopListening request walks the endpoint through these phases in order, so
        // that the next request is refused, never reset: the listener is closed before
        // the answer leaves (a client that reconnects at once cannot land in a backlog
        // that is about to be dropped), the answer says `Connection: close` (so no pooled
        // connection is reused), and only then do the open connections end.
        let (phase, phases) = watch::channel(Phase::Serving);
        let phase = Arc::new(phase);
        let task = tokio::spawn(async move {
            let mut stop_accepting = phases.clone();
            loop {
                // (wait_for's value is a read guard on the phase: drop it before sending.)
                let accepted = tokio::select! {
                    accepted = listener.accept() => Some(accepted),
                    _ = stop_accepting.wait_for(|p| *p >= Phase::StopAccepting) => None,
                };
                let Some(accepted) = accepted else {
                    drop(listener);
                    phase.send_replace(Phase::ListenerClosed);
                    return;
                };
                let Ok((stream, _)) = accepted else {
                    return;
                };
                let (counter, phase, mut phases) = (counter.clone(), phase.clone(), phases.clone());
                tokio::spawn(async move {
                    tokio::select! {
                        _ = serve_connection(stream, fault, counter, &phase) => {}
                        _ = phases.wait_for(|p| *p == Phase::Closed) => {}
                    }
                });
            }
        });
        FaultyEndpoint { url, requests, task }
    }
}

async fn serve_connection(
    mut stream: TcpStream,
    default: Fault,
    counter: Arc<AtomicUsize>,
    phase: &watch::Sender<Phase>,
) -> std::io::Result<()> {
    loop {
        let Some(request) = read_request(&mut stream).await? else {
            return Ok(());
        };
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let fault = request.fault.unwrap_or(default);
        match fault {
            Fault::DropConnection => return Ok(()),
            Fault::NeverAnswers => std::future::pending::<()>().await,
            Fault::Slow(delay) => tokio::time::sleep(delay).await,
            _ => {}
        }
        let (head, body) = response(&request.target, fault, n);
        match fault {
            Fault::ResetMidBody => {
                stream.write_all(&head).await?;
                stream.write_all(&body[..body.len() / 2]).await?;
                stream.flush().await?;
                // SO_LINGER 0 turns the close into a reset.
                stream.set_zero_linger()?;
                return Ok(());
            }
            Fault::EndlessBody => {
                stream.write_all(&head).await?;
                let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "[".repeat(64 * 1024));
                loop {
                    stream.write_all(chunk.as_bytes()).await?;
                }
            }
            Fault::ContentLengthTooLong | Fault::Http10 => {
                stream.write_all(&head).await?;
                stream.write_all(&body).await?;
                return Ok(());
            }
            Fault::StopListening => {
                phase.send_replace(Phase::StopAccepting);
                let _ = phase
                    .subscribe()
                    .wait_for(|p| *p >= Phase::ListenerClosed)
                    .await
                    .map(drop);
                stream.write_all(&head).await?;
                stream.write_all(&body).await?;
                stream.flush().await?;
                phase.send_replace(Phase::Closed);
                return Ok(());
            }
            _ => {
                stream.write_all(&head).await?;
                stream.write_all(&body).await?;
            }
        }
    }
}

struct Request {
    target: String,
    fault: Option<Fault>,
}

/// Reads one request (`None` at end of stream).
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Request>> {
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
    Ok(Some(Request {
        target: header("x-amz-target").unwrap_or_default(),
        fault: header(FAULT_HEADER).and_then(|name| Fault::parse(&name)),
    }))
}

/// The response's head and body bytes.
fn response(target: &str, fault: Fault, n: usize) -> (Vec<u8>, Vec<u8>) {
    let create = target.ends_with(".CreatePipeline");
    let (mut status, mut body) = if create {
        (200, format!(r#"{{"pipelineId":"{PIPELINE_ID}"}}"#).into_bytes())
    } else {
        (
            400,
            br#"{"__type":"com.amazon.setl.webservice#PipelineNotFoundException","message":"Pipeline not found"}"#
                .to_vec(),
        )
    };
    let replace = |body: &[u8], from: &str, to: &str| String::from_utf8_lossy(body).replace(from, to).into_bytes();
    match fault {
        Fault::WrongStatus if status == 200 => status = 201,
        Fault::WrongErrorType => body = replace(&body, "PipelineNotFoundException", "PipelineDeletedException"),
        Fault::ChangedJsonField => body = replace(&body, PIPELINE_ID, "df-ZZZZZZZZZZZZZZZZZZZ"),
        Fault::NotJson => body = b"<html>oops</html>".to_vec(),
        Fault::InvalidUtf8 => body = b"{\"pipelineId\":\"df-\xff\xfe\xc0\"}".to_vec(),
        Fault::InvalidJson => body.truncate(body.len() / 2),
        _ => {}
    }
    let reason = match status {
        200 => "OK",
        201 => "Created",
        _ => "Bad Request",
    };
    let crc = crc32fast::hash(&body);
    let version = if fault == Fault::Http10 { "HTTP/1.0" } else { "HTTP/1.1" };
    let mut head = format!("{version} {status} {reason}\r\n");
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
    if fault != Fault::NoCrc {
        head.push_str(&format!("x-amz-crc32: {crc}\r\n"));
    }
    let content_type = if fault == Fault::WrongContentType {
        "application/json"
    } else {
        "application/x-amz-json-1.1"
    };
    head.push_str(&format!("Content-Type: {content_type}\r\n"));
    if fault != Fault::MissingDate {
        head.push_str("Date: Mon, 23 Nov 2026 12:00:00 GMT\r\n");
    }
    match fault {
        Fault::WrongContentLength => {
            head.push_str(&format!(
                "Content-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
                body.len() + 7
            ));
            let mut chunked = format!("{:x}\r\n", body.len()).into_bytes();
            chunked.extend_from_slice(&body);
            chunked.extend_from_slice(b"\r\n0\r\n\r\n");
            return (head.into_bytes(), chunked);
        }
        Fault::EndlessBody => head.push_str("Transfer-Encoding: chunked\r\n\r\n"),
        Fault::ContentLengthTooLong => head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len() + 100)),
        Fault::Http10 | Fault::StopListening => {
            head.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()))
        }
        _ => head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len())),
    }
    (head.into_bytes(), body)
}

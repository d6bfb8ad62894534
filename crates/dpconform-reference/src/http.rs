//! The socket layer (feature `server`): a hyper 1 HTTP/1.1 server with one
//! route, everything goes to [`Reference::handle_detailed`]. It reads bodies up
//! to the configured limit (413 beyond), holds a `PollForTask` that found
//! nothing until a task appears or `poll_wait` passes, and optionally logs one
//! line per request. [`run_server`] is `dpconform serve`; [`Embedded`] is the
//! reference on a loopback port inside a test or a harness run.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::error::{ApiError, ErrorKind};
use super::{dates, wire, Config, Handled, Reference};

/// How long a client may take to send its headers, and its body.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);
const BODY_TIMEOUT: Duration = Duration::from_secs(60);
/// How far past the limit an oversize body is still read (and discarded), so that
/// the 413 reaches a client that is still sending instead of a broken pipe.
const DRAIN_FACTOR: u64 = 4;
/// Largest buffer reserved for a body from its declared length before any of it arrives.
const PRESIZE_MAX: u64 = 1024 * 1024;
/// While long-polling, look again at least this often (time passing can
/// make a scheduled task due without any request).
const POLL_RECHECK: Duration = Duration::from_millis(500);

/// Serves `reference` on `listener` until the task is dropped or aborted.
async fn serve(listener: TcpListener, reference: Arc<Reference>, log: bool) -> std::io::Result<()> {
    serve_counted(listener, reference, log, Arc::default()).await
}

/// What the socket layer holds right now; tests use it to check that
/// connections and long polls are let go of.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketLoad {
    /// Client connections accepted and not yet closed.
    pub open_connections: usize,
    /// `PollForTask`s held open waiting for a task.
    pub waiting_polls: usize,
}

#[derive(Debug, Default)]
struct Gauges {
    connections: AtomicUsize,
    waiting_polls: AtomicUsize,
}

/// Counts one held resource for as long as it lives (also when its future is
/// dropped half-way).
struct Held<'a>(&'a AtomicUsize);

impl<'a> Held<'a> {
    fn new(gauge: &'a AtomicUsize) -> Held<'a> {
        gauge.fetch_add(1, Ordering::SeqCst);
        Held(gauge)
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn serve_counted(
    listener: TcpListener,
    reference: Arc<Reference>,
    log: bool,
    gauges: Arc<Gauges>,
) -> std::io::Result<()> {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            // Per-connection failures (e.g. too many open files) must not end
            // the server; back off briefly and keep accepting.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let reference = reference.clone();
        let gauges = gauges.clone();
        tokio::spawn(async move {
            let _open = Held::new(&gauges.connections);
            let service = service_fn(|req| {
                let reference = reference.clone();
                let gauges = gauges.clone();
                async move { Ok::<_, Infallible>(respond(&reference, &gauges, req, log).await) }
            });
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Binds `addr`, prints `dpconform reference endpoint listening on
/// http://ADDR` and serves until the process ends: all `dpconform serve`
/// needs.
pub async fn run_server(addr: SocketAddr, config: Config, log: bool) -> std::io::Result<()> {
    serve_reference(addr, Reference::new(config), log).await
}

/// [`run_server`] for a reference already made (e.g. restored from a state folder).
pub async fn serve_reference(addr: SocketAddr, reference: Reference, log: bool) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    print_line(format_args!("dpconform reference endpoint listening on http://{local}"));
    serve(listener, Arc::new(reference), log).await
}

/// The reference endpoint on an ephemeral loopback port, in the current
/// tokio runtime; dropping it stops the server.
pub struct Embedded {
    addr: SocketAddr,
    reference: Arc<Reference>,
    gauges: Arc<Gauges>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Embedded {
    /// Binds `127.0.0.1:0` and serves a new [`Reference`] with `config` on a
    /// task of the current tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Embedded> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let reference = Arc::new(Reference::new(config));
        let gauges = Arc::new(Gauges::default());
        let task = tokio::spawn(serve_counted(listener, reference.clone(), false, gauges.clone()));
        Ok(Embedded {
            addr,
            reference,
            gauges,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`: the endpoint URL to give a client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address (loopback, ephemeral port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The core being served, for looking at its state from a test.
    pub fn reference(&self) -> &Arc<Reference> {
        &self.reference
    }

    /// Connections open and long polls waiting at this moment.
    #[doc(hidden)]
    pub fn socket_load(&self) -> SocketLoad {
        SocketLoad {
            open_connections: self.gauges.connections.load(Ordering::SeqCst),
            waiting_polls: self.gauges.waiting_polls.load(Ordering::SeqCst),
        }
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn respond(
    reference: &Reference,
    gauges: &Gauges,
    req: hyper::Request<Incoming>,
    log: bool,
) -> hyper::Response<Full<Bytes>> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let limit = reference.config().max_body_bytes;
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        let now = reference.config().clock.now();
        let err = ApiError::new(
            ErrorKind::RequestEntityTooLarge,
            format!("Request body is larger than the limit of {limit} bytes."),
        );
        Handled {
            response: wire::failure(&err, now),
            operation: None,
            error_type: Some(err.kind.type_name().to_string()),
            empty_poll: false,
        }
    };
    let drain_cap = (limit as u64).saturating_mul(DRAIN_FACTOR);
    let handled = if declared.is_some_and(|n| n > drain_cap) {
        // Too large even to drain: answer at once (the client may not see it).
        too_large()
    } else {
        match tokio::time::timeout(BODY_TIMEOUT, read_body(body, limit, declared, drain_cap)).await {
            Ok(Ok(None)) => too_large(),
            Ok(Ok(Some(collected))) => {
                let request = hyper::Request::from_parts(parts, collected);
                long_poll(reference, gauges, &request).await
            }
            // The client stopped sending or broke the connection mid-body.
            _ => {
                let now = reference.config().clock.now();
                let err = ApiError::serialization("The request body could not be read.");
                Handled {
                    response: wire::failure(&err, now),
                    operation: None,
                    error_type: Some(err.kind.type_name().to_string()),
                    empty_poll: false,
                }
            }
        }
    };
    if log {
        print_line(format_args!(
            "{} {} {} {} {}ms",
            dates::format_field(dates::unix_seconds(std::time::SystemTime::now())),
            handled.operation.map_or("-", |o| o.name()),
            handled.response.status().as_u16(),
            handled.error_type.as_deref().unwrap_or("-"),
            started.elapsed().as_millis()
        ));
    }
    to_hyper(handled.response)
}

/// Handles a request; a PollForTask that found nothing is asked again when
/// tasks may have appeared, until `poll_wait` has passed. When the client
/// hangs up, hyper drops this future: a waiting poll leaves no waiter behind
/// and takes no task.
async fn long_poll(reference: &Reference, gauges: &Gauges, request: &hyper::Request<Bytes>) -> Handled {
    // Only a PollForTask is ever held; any other request is answered at once, without
    // registering for the task signal (a lock on the shared Notify each way).
    if !request
        .headers()
        .get("x-amz-target")
        .is_some_and(|t| t.as_bytes().windows(11).any(|w| w == b"PollForTask"))
    {
        return reference.handle_detailed(request);
    }
    let deadline = tokio::time::Instant::now() + reference.config().poll_wait;
    let mut first = true;
    loop {
        let notify = reference.tasks_ready().clone();
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        // Asking again is the same call: it counts against the rate once.
        let handled = if first {
            reference.handle_detailed(request)
        } else {
            reference.handle_again(request)
        };
        first = false;
        let now = tokio::time::Instant::now();
        if !handled.empty_poll || now >= deadline {
            return handled;
        }
        let wait = (deadline - now).min(POLL_RECHECK);
        let _waiting = Held::new(&gauges.waiting_polls);
        let _ = tokio::time::timeout(wait, notified).await;
    }
}

/// The core's response as hyper's: the body wrapped, everything else as is.
fn to_hyper(resp: ::http::Response<Bytes>) -> hyper::Response<Full<Bytes>> {
    resp.map(Full::new)
}

/// Reads a request body of at most `limit` bytes; `Ok(None)` if it is longer. A longer
/// body is read to its end and discarded (up to `drain_cap` bytes, never stored), so
/// that the client, which sends it whole before reading, receives the 413. A declared
/// length sizes the buffer once, and one over the limit is not kept from the start.
async fn read_body(
    mut body: Incoming,
    limit: usize,
    declared: Option<u64>,
    drain_cap: u64,
) -> Result<Option<Bytes>, hyper::Error> {
    let declared_too_large = declared.is_some_and(|n| n > limit as u64);
    let keep_up_to = if declared_too_large { 0 } else { limit as u64 };
    // Sized by the declared length, up to PRESIZE_MAX: a length alone must not make the
    // server allocate megabytes for a client that then sends nothing.
    let mut kept = BytesMut::with_capacity(declared.map_or(0, |n| n.min(keep_up_to).min(PRESIZE_MAX) as usize));
    let mut seen: u64 = 0;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else { continue };
        seen += data.len() as u64;
        if seen <= keep_up_to {
            kept.extend_from_slice(&data);
        } else {
            kept.clear();
            if seen > drain_cap {
                return Ok(None);
            }
        }
    }
    Ok((!declared_too_large && seen <= limit as u64).then(|| kept.freeze()))
}

/// Writes one line to stdout; a closed pipe (`dpconform serve | head`) drops
/// the line instead of panicking as `println!` would, so serving goes on.
fn print_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_fmt(args).and_then(|()| out.write_all(b"\n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_keep_their_status_headers_and_body() {
        let mut core = ::http::Response::new(Bytes::from_static(b"{}"));
        core.headers_mut().insert("x-amzn-requestid", "id-1".parse().unwrap());
        core.headers_mut().append("x-extra", "a".parse().unwrap());
        core.headers_mut().append("x-extra", "b".parse().unwrap());
        *core.status_mut() = hyper::StatusCode::BAD_REQUEST;
        let out = to_hyper(core);
        assert_eq!(out.status(), hyper::StatusCode::BAD_REQUEST);
        assert_eq!(out.headers()["x-amzn-requestid"], "id-1");
        let extra: Vec<_> = out.headers().get_all("x-extra").iter().collect();
        assert_eq!(extra, ["a", "b"]);
    }
}

//! Naming what went wrong on the wire. A transport failure's message starts
//! with the fault's name (`timeout:`, `connection refused:`, ...) so that people
//! and run-to-run diffs see at a glance which fault it was; the rest says where.

use std::error::Error;
use std::fmt;
use std::io::ErrorKind;
use std::time::Duration;

/// The faults a request can meet before a complete response is in hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TransportFault {
    /// Nothing listens on the port.
    ConnectionRefused,
    /// Connecting failed otherwise (DNS, unreachable network, TLS).
    CannotConnect,
    /// No complete response before the deadline.
    Timeout,
    /// The endpoint reset the connection (TCP RST).
    ConnectionReset,
    /// The connection closed before any response arrived.
    ConnectionClosed,
    /// The connection closed before the body was complete (a short body, a broken chunk).
    IncompleteBody,
    /// The response is not HTTP the client can parse.
    MalformedResponse,
    /// The body exceeds the limit; reading stopped.
    BodyTooLarge,
    /// Anything else.
    RequestFailed,
}

impl TransportFault {
    /// The name a message starts with.
    fn name(self) -> &'static str {
        match self {
            TransportFault::ConnectionRefused => "connection refused",
            TransportFault::CannotConnect => "cannot connect",
            TransportFault::Timeout => "timeout",
            TransportFault::ConnectionReset => "connection reset",
            TransportFault::ConnectionClosed => "connection closed",
            TransportFault::IncompleteBody => "incomplete body",
            TransportFault::MalformedResponse => "malformed response",
            TransportFault::BodyTooLarge => "body too large",
            TransportFault::RequestFailed => "request failed",
        }
    }
}

impl fmt::Display for TransportFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where in the exchange the error happened: it decides what a closed connection means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Sending the request or waiting for the response's head.
    Head,
    /// Reading the body.
    Body,
}

/// Classifies a reqwest error and says it in one line: `name: what happened (root cause)`.
pub(crate) fn describe(error: &reqwest::Error, phase: Phase, url: &str, timeout: Duration) -> String {
    let fault = classify(error, phase);
    let cause = root_cause(error);
    let what = match fault {
        TransportFault::ConnectionRefused | TransportFault::CannotConnect => format!("cannot connect to {url}"),
        TransportFault::Timeout => format!("no complete response within {timeout:.1?} from {url}"),
        TransportFault::ConnectionReset if phase == Phase::Body => {
            "the endpoint reset the connection while sending the body".to_string()
        }
        TransportFault::ConnectionReset => "the endpoint reset the connection before answering".to_string(),
        TransportFault::ConnectionClosed => "the endpoint closed the connection without answering".to_string(),
        TransportFault::IncompleteBody => "the connection closed before the whole body arrived".to_string(),
        TransportFault::MalformedResponse => "the response is not valid HTTP/1.1".to_string(),
        TransportFault::BodyTooLarge | TransportFault::RequestFailed => format!("request to {url} failed"),
    };
    format!("{fault}: {what} ({cause})")
}

fn classify(error: &reqwest::Error, phase: Phase) -> TransportFault {
    if error.is_timeout() {
        return TransportFault::Timeout;
    }
    let mut io_kind = None;
    let mut hyper_error: Option<&hyper::Error> = None;
    let mut source: Option<&dyn Error> = Some(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            io_kind.get_or_insert(io.kind());
        }
        if let Some(h) = cause.downcast_ref::<hyper::Error>() {
            hyper_error.get_or_insert(h);
        }
        source = cause.source();
    }
    match io_kind {
        Some(ErrorKind::ConnectionRefused) => return TransportFault::ConnectionRefused,
        Some(ErrorKind::ConnectionReset | ErrorKind::BrokenPipe | ErrorKind::ConnectionAborted) => {
            return TransportFault::ConnectionReset
        }
        Some(ErrorKind::TimedOut) => return TransportFault::Timeout,
        _ => {}
    }
    if error.is_connect() {
        return TransportFault::CannotConnect;
    }
    match hyper_error {
        Some(h) if h.is_parse() || h.is_parse_status() => TransportFault::MalformedResponse,
        Some(h) if h.is_incomplete_message() && phase == Phase::Head => TransportFault::ConnectionClosed,
        Some(h) if h.is_incomplete_message() => TransportFault::IncompleteBody,
        _ if phase == Phase::Body => TransportFault::IncompleteBody,
        _ => TransportFault::RequestFailed,
    }
}

/// The innermost cause: the one that says what happened (the outer ones say where).
fn root_cause(error: &reqwest::Error) -> String {
    let mut cause: &dyn Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// The message of a body over the limit.
pub(crate) fn body_too_large(limit: usize) -> String {
    format!(
        "{}: the response body exceeds {} MiB; stopped reading",
        TransportFault::BodyTooLarge,
        limit / (1024 * 1024)
    )
}

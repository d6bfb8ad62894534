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

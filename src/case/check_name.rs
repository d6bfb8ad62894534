//! The names of checks, as printed in output and written in `skip_checks`.

use std::fmt;

/// Every check a step can fail, each reported under its own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckName {
    /// The request could not be sent or the response not read (refused, reset, timeout).
    Transport,
    /// A template could not be rendered (a variable without a value).
    Template,
    /// The HTTP status is the expected one.
    Status,
    /// `x-amzn-RequestId` is present and not empty.
    RequestId,
    /// No two responses of a run share a request id.
    RequestIdUnique,
    /// `x-amz-crc32`, when present, is the CRC32 of the body bytes.
    Crc32,
    /// `Content-Type` is awsJson 1.1.
    ContentType,
    /// `Content-Length` is the body's length.
    ContentLength,
    /// `Date` is present and an HTTP date.
    Date,
    /// The response's HTTP version is the request's (HTTP/1.1).
    HttpVersion,
    /// The error type (`__type`) is the expected one.
    ErrorType,
    /// The error message matches the expected pattern.
    ErrorMessage,
    /// The step's header expectations.
    Headers,
    /// The step's JSON expectations (`json`, `json_includes`, `json_excludes`, pages).
    Json,
    /// The raw body: the expected text, or JSON at all.
    Body,
    /// The redacted body equals its snapshot.
    Snapshot,
    /// A captured JSON pointer exists.
    Capture,
}

impl CheckName {
    /// Every check.
    pub const ALL: [CheckName; 17] = [
        CheckName::Transport,
        CheckName::Template,
        CheckName::Status,
        CheckName::RequestId,
        CheckName::RequestIdUnique,
        CheckName::Crc32,
        CheckName::ContentType,
        CheckName::ContentLength,
        CheckName::Date,
        CheckName::HttpVersion,
        CheckName::ErrorType,
        CheckName::ErrorMessage,
        CheckName::Headers,
        CheckName::Json,
        CheckName::Body,
        CheckName::Snapshot,
        CheckName::Capture,
    ];

    /// Envelope checks run on every response; a step may switch these off.
    pub const ENVELOPE: [CheckName; 7] = [
        CheckName::RequestId,
        CheckName::RequestIdUnique,
        CheckName::Crc32,
        CheckName::ContentType,
        CheckName::ContentLength,
        CheckName::Date,
        CheckName::HttpVersion,
    ];

    /// Whether a failure of this check leaves later steps without what they need
    /// (a response, the expected state, a captured variable): they are then not run.
    pub fn blocks_later_steps(self) -> bool {
        matches!(
            self,
            CheckName::Transport | CheckName::Template | CheckName::Status | CheckName::ErrorType | CheckName::Capture
        )
    }

    /// The check's name as in output and `skip_checks` (`request-id`).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckName::Transport => "transport",
            CheckName::Template => "template",
            CheckName::Status => "status",
            CheckName::RequestId => "request-id",
            CheckName::RequestIdUnique => "request-id-unique",
            CheckName::Crc32 => "crc32",
            CheckName::ContentType => "content-type",
            CheckName::ContentLength => "content-length",
            CheckName::Date => "date",
            CheckName::HttpVersion => "http-version",
            CheckName::ErrorType => "error-type",
            CheckName::ErrorMessage => "error-message",
            CheckName::Headers => "headers",
            CheckName::Json => "json",
            CheckName::Body => "body",
            CheckName::Snapshot => "snapshot",
            CheckName::Capture => "capture",
        }
    }

    /// The check of a name, if it is one.
    pub fn parse(name: &str) -> Option<CheckName> {
        CheckName::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for CheckName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

//! The case model: what a case file says, typed. Parsing lives in [`parse`],
//! finding files in [`discover`], `{{...}}` templates in [`template`].

mod check_name;
pub mod coverage;
pub mod discover;
mod grade;
mod literals;
mod locate;
pub mod model_coverage;
mod operators;
pub mod parse;
pub mod schema;
pub mod template;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

pub use check_name::CheckName;
pub use grade::Grade;
pub(crate) use literals::{datetime_pattern, sha256_hex};
pub(crate) use locate::line_column;
pub use operators::{operator, operator_problem, Operator};
pub use parse::{load_case, CaseFileError};

/// One case file, parsed and validated.
#[derive(Debug, Clone)]
pub struct Case {
    /// Test name: the path below the cases folder, `::`-separated (`create_pipeline::idempotent_retry`).
    pub name: String,
    /// First path component: the action folder, `protocol`, `auth` or `flows`.
    pub area: String,
    /// The file it came from, as given to the loader.
    pub path: PathBuf,
    /// The file's contents.
    pub spec: CaseSpec,
    /// SHA-256 of the file's bytes, in hex (reports name the exact file a result came from).
    pub sha256: String,
    /// Date-times written in the file itself: snapshots keep them as they are.
    pub literal_datetimes: Vec<String>,
}

impl Case {
    /// The grade of the case's evidence (see [`Grade`]).
    pub fn grade(&self) -> Grade {
        self.spec.grade
    }

    /// The grade of one step's assertions: its own where it has one, else the case's.
    pub fn step_grade(&self, step: &Step) -> Grade {
        step.expect.grade.unwrap_or(self.spec.grade)
    }

    /// The case's file stem, used to name its snapshots.
    pub fn stem(&self) -> &str {
        self.name.rsplit("::").next().unwrap_or(&self.name)
    }
}

/// The file's contents, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    /// `"$schema"`: the case schema, for editors (`dpconform schema`); not used.
    #[serde(rename = "$schema", default)]
    pub json_schema: Option<String>,
    /// One line: what the case shows.
    pub about: String,
    /// How the expected behaviour is known.
    pub grade: Grade,
    /// The citation: a ledger entry (`evidence/<file>.md`) or a documentation
    /// page, and what it shows; for `inferred`, `inferred: why`.
    pub source: String,
    /// Free words for choosing cases (`happy`, `errors`, `validation`, `paging`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Present: the case is not run (`cargo test` shows it as ignored), with this reason.
    #[serde(default)]
    pub skip: Option<String>,
    /// Constants usable as `{{name}}` in every step.
    #[serde(default)]
    pub vars: BTreeMap<String, Value>,
    /// The steps, run in order.
    pub steps: Vec<Step>,
    /// Clean-up steps: run after the main steps whatever happened to them.
    #[serde(default)]
    pub finally: Vec<Step>,
}

/// One request and what its response must look like.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Shown in output and used in snapshot names.
    #[serde(default)]
    pub name: Option<String>,
    /// An API operation: sets `x-amz-target` and the JSON content type, signed by default.
    #[serde(default)]
    pub operation: Option<String>,
    /// The JSON body of an operation step (default `{}`).
    #[serde(default)]
    pub body: Option<Value>,
    /// Extra or overriding headers of an operation step.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A raw request, sent exactly as written (for protocol cases).
    #[serde(default)]
    pub raw: Option<RawRequest>,
    /// `true`/`false`, or signing overrides; default: operation steps are signed, raw ones not.
    #[serde(default)]
    pub sign: Option<Signing>,
    /// What the response must look like.
    #[serde(default)]
    pub expect: Expect,
    /// Envelope checks switched off for this step: check name -> reason.
    #[serde(default)]
    pub skip_checks: BTreeMap<String, String>,
    /// Re-send until the expectations hold (eventually consistent reads).
    #[serde(default)]
    pub retry: Option<Retry>,
    /// Deadline of each of this step's requests, in seconds (default: the
    /// run's `--timeout`; a PollForTask waits at least the long poll).
    #[serde(default)]
    pub timeout: Option<f64>,
    /// Follow `marker` / `hasMoreResults` to the last page; the expectations
    /// see one body whose result list holds every page's elements.
    #[serde(default)]
    pub paginate: bool,
}

impl Step {
    /// The name shown in output: the given one, else the operation, else `raw`.
    pub fn display_name(&self, index: usize) -> String {
        match (&self.name, &self.operation) {
            (Some(name), _) => name.clone(),
            (None, Some(op)) => format!("{} #{}", op, index + 1),
            (None, None) => format!("raw #{}", index + 1),
        }
    }
}

/// A request sent exactly as written (protocol cases).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    /// The HTTP method, as sent (case included).
    #[serde(default = "default_method")]
    pub method: String,
    /// Path and query (`/`).
    #[serde(default = "default_path")]
    pub path: String,
    /// Sent as written; a header listed here is not added by dpconform.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body: text, or a generated large one.
    #[serde(default)]
    pub body: RawBody,
}

fn default_method() -> String {
    "POST".into()
}
fn default_path() -> String {
    "/".into()
}

/// A raw body: text, or a generated one for size tests.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawBody {
    /// The body as written (templates rendered).
    Text(String),
    /// A large body made by repetition.
    Generated(GeneratedBody),
}

impl Default for RawBody {
    fn default() -> Self {
        RawBody::Text(String::new())
    }
}

/// `prefix` + `repeat` x `times` + `suffix`, so a case can send megabytes without holding them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedBody {
    /// Text before the repetition.
    #[serde(default)]
    pub prefix: String,
    /// The text repeated.
    pub repeat: String,
    /// How many times.
    pub times: usize,
    /// Text after the repetition.
    #[serde(default)]
    pub suffix: String,
}

/// The largest generated body: far above the reference's 24 MiB limit, so
/// oversize bodies can be sent, yet bounded, so a typo cannot exhaust memory.
pub const MAX_GENERATED_BODY_BYTES: usize = 64 * 1024 * 1024;

impl GeneratedBody {
    /// The body's length in bytes; `None` if it does not fit in memory at all.
    pub fn byte_len(&self) -> Option<usize> {
        self.repeat
            .len()
            .checked_mul(self.times)?
            .checked_add(self.prefix.len())?
            .checked_add(self.suffix.len())
    }
}

/// `"sign": false`, `"sign": true`, or `"sign": { overrides }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Signing {
    /// `true`: sign with the run's credentials; `false`: send unsigned.
    Enabled(bool),
    /// Sign with deliberate deviations.
    With(SignOverrides),
}

/// Deliberate deviations from correct signing, for auth cases.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOverrides {
    /// Another access key.
    pub access_key: Option<String>,
    /// Another secret key (a wrong signature).
    pub secret_key: Option<String>,
    /// A session token to send.
    pub session_token: Option<String>,
    /// Another signing region.
    pub region: Option<String>,
    /// Another signing service name.
    pub service: Option<String>,
    /// Signing time relative to now, in seconds (negative: in the past).
    pub time_offset: Option<i64>,
}

/// What a response must look like. Envelope checks are implied.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// This step's grade where it differs from the case's (with its own `source`).
    pub grade: Option<Grade>,
    /// The citation of this step's grade.
    pub source: Option<String>,
    /// Default: 200, or 400 when `error` is given.
    pub status: Option<u16>,
    /// The error type: `__type` after `#` and before `:`.
    pub error: Option<String>,
    /// A regular expression the error message must match.
    pub message: Option<Pattern>,
    /// Header name (case-insensitive) -> what it must be.
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderExpect>,
    /// The body equals this JSON (`"{{any}}"` matches any value).
    pub json: Option<Value>,
    /// The body contains this JSON: objects by key, arrays element by element in any order.
    pub json_includes: Option<Value>,
    /// The body does not contain this JSON (in the sense of `json_includes`):
    /// "my deleted pipeline is not listed".
    pub json_excludes: Option<Value>,
    /// The raw body equals this text (e.g. `""` for empty responses).
    pub body: Option<String>,
    /// Compare the (redacted) body with `snapshots/<area>/<case>__<step>.snap`.
    #[serde(default)]
    pub snapshot: bool,
    /// Variable name -> JSON pointer into the body.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    /// Extra redactions for the snapshot: JSON pointer -> placeholder label.
    #[serde(default)]
    pub redact: BTreeMap<String, String>,
}

/// A header expectation: a string is shorthand for `equals`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum HeaderExpect {
    /// The header equals this text.
    Equals(String),
    /// A rule for the header.
    Rule(HeaderRule),
}

/// A header rule: exactly one of the members.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum HeaderRule {
    /// Equals this text.
    Equals(String),
    /// Matches this regular expression.
    Matches(Pattern),
    /// `true`: the header is there.
    Present(bool),
    /// `true`: the header is not there.
    Absent(bool),
}

/// How long and how often a step is re-sent until its expectations hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Give up after this many seconds (the last attempt's results count).
    pub for_seconds: f64,
    /// Pause between attempts.
    #[serde(default = "default_interval")]
    pub interval_ms: u64,
}

fn default_interval() -> u64 {
    250
}

/// A regular expression of a case file, compiled once, when the file is read
/// (a bad one is a case-file error with its position).
#[derive(Debug, Clone)]
pub struct Pattern(regex::Regex);

impl Pattern {
    /// Whether the text matches.
    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text)
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        regex::Regex::new(&text)
            .map(Pattern)
            .map_err(|e| serde::de::Error::custom(format!("not a valid regular expression: {e}")))
    }
}

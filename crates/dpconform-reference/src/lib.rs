//! The embedded reference endpoint: an in-memory implementation of the AWS Data
//! Pipeline API (all 19 actions) with the real service's wire behaviour, as far
//! as it is evidenced (see `evidence/` in the repository).
//!
//! Layering: [`Reference::handle`] is the core, a function from an
//! `http::Request<Bytes>` to an `http::Response<Bytes>` with no I/O (state lives
//! behind a lock, time comes from the injected [`Clock`]); [`http`] (feature
//! `server`) is the thin hyper socket layer around it.
//!
//! Inside the core a request flows through: `dispatch` (method, target,
//! content type) → `auth` (SigV4) → `throttle` (with [`Config::throttle`]: the
//! per-account call rates) → `validate` (the operation's input
//! shape) → `api` (one module per action group, working on `state` and the
//! `scheduler`) → `wire` (the response envelope). Every behaviour is marked
//! where it is decided with its evidence (`observed:`/`documented:` and the
//! ledger file) or as `inferred:` with the reason.

mod api;
mod auth;
mod clock;
mod control;
pub mod credentials;
mod dates;
mod definition_check;
mod dispatch;
mod error;
mod expr;
#[cfg(feature = "server")]
pub mod http;
mod ids;
pub mod journal;
mod model;
mod region;
mod runtime;
mod schedule;
mod scheduler;
mod state;
pub mod storage;
mod throttle;
mod validate;
mod wire;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use tokio::sync::Notify;

pub use clock::{Clock, ManualClock, SystemClock};
pub use dispatch::Operation;
pub use region::{is_aws_region, Regions, Scope};
#[doc(hidden)]
pub use state::StoreSizes;

/// Access key the harness signs with when it targets the embedded reference,
/// and that the embedded reference accepts by default (the protocol crate's
/// `test_credentials`, so both sides share one definition).
pub const TEST_ACCESS_KEY: &str = dpconform_protocol::test_credentials::ACCESS_KEY;
/// Secret key paired with [`TEST_ACCESS_KEY`].
pub const TEST_SECRET_KEY: &str = dpconform_protocol::test_credentials::SECRET_KEY;
/// Region of the embedded reference.
pub const TEST_REGION: &str = dpconform_protocol::test_credentials::REGION;
/// The account of a credential given without one (the test key's account).
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// Largest request body accepted by default. The largest shape-valid request
/// (an `EvaluateExpression` with a 20,971,520-character expression) fits.
/// inferred: the real service's body limit is undocumented (UNK); anything
/// larger is refused with 413 `RequestEntityTooLargeException`.
pub const DEFAULT_MAX_BODY_BYTES: usize = 24 * 1024 * 1024;

/// An unsigned call of `operation` (`CreatePipeline`, ...) with a JSON body, as an SDK
/// sends it: `POST /` with `X-Amz-Target: DataPipeline.<operation>` and the awsJson 1.1
/// content type. For tests and fuzzing with authentication off; sign it to call a
/// reference that verifies signatures.
pub fn operation_request(operation: &str, body: impl Into<Bytes>) -> ::http::Request<Bytes> {
    let mut req = ::http::Request::new(body.into());
    *req.method_mut() = ::http::Method::POST;
    *req.uri_mut() = ::http::Uri::from_static("/");
    let headers = req.headers_mut();
    if let Ok(target) = ::http::HeaderValue::try_from(format!("DataPipeline.{operation}")) {
        headers.insert("x-amz-target", target);
    }
    headers.insert(
        ::http::header::CONTENT_TYPE,
        ::http::HeaderValue::from_static(wire::CONTENT_TYPE),
    );
    req
}

/// Whether and how requests are authenticated.
#[derive(Debug, Clone)]
pub enum Auth {
    /// Accept every request, signed or not.
    Disabled,
    /// Require a valid SigV4 signature by one of these credentials.
    Verify(Vec<Credential>),
}

/// One access key the endpoint accepts, and the account it belongs to.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The access key id a request names in its `Credential=` scope.
    pub access_key: String,
    /// The secret the signature must be made with.
    pub secret_key: String,
    /// The 12-digit account whose pipelines the key works on.
    pub account_id: String,
}

impl Credential {
    /// A key pair of the [`DEFAULT_ACCOUNT_ID`] account.
    pub fn new(access_key: &str, secret_key: &str) -> Credential {
        Credential {
            access_key: access_key.to_string(),
            secret_key: secret_key.to_string(),
            account_id: DEFAULT_ACCOUNT_ID.to_string(),
        }
    }
}

/// Everything the reference endpoint is configured with.
#[derive(Clone)]
pub struct Config {
    /// Whether requests must be signed, and by whom.
    pub auth: Auth,
    /// The regions requests may be signed for; each has its own state.
    pub regions: Regions,
    /// The source of "now": every time-dependent behaviour (scheduling, retries,
    /// the deleting phase, signature expiry) reads it, so tests can move it by hand.
    pub clock: Arc<dyn Clock>,
    /// How long a `PollForTask` that finds nothing is held open (the real
    /// service: up to 90 s).
    pub poll_wait: Duration,
    /// Largest request body; larger ones get 413.
    pub max_body_bytes: usize,
    /// How far a request's signing time may be from the clock (SigV4: 5 min).
    pub max_clock_skew: Duration,
    /// How long a deleted pipeline stays in its deleting phase (described with
    /// `@pipelineState` DELETING) before DescribePipelines too answers
    /// PipelineDeletedException.
    ///
    /// observed: evidence/ansible-community-aws-data-pipeline-placebo-recordings.md
    /// (DELETING 0.5 s after DeletePipeline; already PipelineDeletedException 1.2 s
    /// after in another run). inferred: how long the phase lasts is otherwise UNK
    /// ("about a second, at most about 10 s"); [`DEFAULT_DELETION_DELAY`] is short so
    /// that suites stay fast.
    pub deletion_delay: Duration,
    /// The clock `POST /_dpconform/clock` moves, when [`Config::clock`] is one
    /// (`dpconform serve --clock manual`); without it the route is refused.
    pub manual_clock: Option<Arc<ManualClock>>,
    /// The time signatures are checked against and the `Date` header tells,
    /// when it is not [`Config::clock`]'s: a service clock moved ahead by hand
    /// must not make every client's signature expire.
    pub signing_clock: Option<Arc<dyn Clock>>,
    /// Where every change is recorded before it is answered (`dpconform serve
    /// --state-dir`); None keeps the state in memory only.
    pub journal: Option<Arc<dyn journal::Journal>>,
    /// Refuse calls over the service's documented per-account rates with
    /// `ThrottlingException` (`dpconform serve --throttle`); off by default.
    /// The buckets follow the time signatures are checked against, so with a
    /// manual service clock they still refill as the machine's clock moves.
    pub throttle: bool,
}

/// The default of [`Config::deletion_delay`]: within the observed window.
pub const DEFAULT_DELETION_DELAY: Duration = Duration::from_secs(1);

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("auth", &self.auth)
            .field("regions", &self.regions)
            .field("poll_wait", &self.poll_wait)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_clock_skew", &self.max_clock_skew)
            .field("deletion_delay", &self.deletion_delay)
            .field("throttle", &self.throttle)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The embedded default: SigV4 with the `TEST_*` credentials, the system
    /// clock, and a short long-poll and DELETING phase so that suites wait
    /// little (both phases still happen; `serve` keeps the longer defaults).
    pub fn embedded() -> Config {
        Config::from_credentials(TEST_ACCESS_KEY, TEST_SECRET_KEY, TEST_REGION)
            .with_poll_wait(Duration::from_millis(150))
            .with_deletion_delay(Duration::from_millis(300))
    }

    /// SigV4 with one key pair (of the [`DEFAULT_ACCOUNT_ID`] account),
    /// signatures scoped to `region` only.
    ///
    /// inferred: the long poll is 20 s rather than the service's 90 s so that
    /// clients with a 60 s read timeout (the AWS CLI's default) are answered
    /// before they give up and retry.
    pub fn from_credentials(access_key: &str, secret_key: &str, region: &str) -> Config {
        Config {
            auth: Auth::Verify(vec![Credential::new(access_key, secret_key)]),
            regions: Regions::Only(region.to_string()),
            clock: Arc::new(SystemClock),
            poll_wait: Duration::from_secs(20),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_clock_skew: Duration::from_secs(5 * 60),
            deletion_delay: DEFAULT_DELETION_DELAY,
            manual_clock: None,
            signing_clock: None,
            journal: None,
            throttle: false,
        }
    }

    /// The same configuration with authentication switched off.
    pub fn without_auth(mut self) -> Config {
        self.auth = Auth::Disabled;
        self
    }

    /// The same configuration with other regions.
    pub fn with_regions(mut self, regions: Regions) -> Config {
        self.regions = regions;
        self
    }

    /// The same configuration with another clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Config {
        self.clock = clock;
        self
    }

    /// The same configuration with a service clock that only moves when
    /// `POST /_dpconform/clock` moves it; signatures and the `Date` header
    /// keep following the system clock.
    pub fn with_manual_clock(mut self, clock: Arc<ManualClock>) -> Config {
        self.clock = clock.clone();
        self.manual_clock = Some(clock);
        self.signing_clock = Some(Arc::new(SystemClock));
        self
    }

    /// The time signatures are checked against, when the service clock reads `now`.
    fn wall_time(&self, now: SystemTime) -> SystemTime {
        self.signing_clock.as_ref().map_or(now, |clock| clock.now())
    }

    /// The same configuration recording every change in `journal`.
    pub fn with_journal(mut self, journal: Arc<dyn journal::Journal>) -> Config {
        self.journal = Some(journal);
        self
    }

    /// The same configuration with the service's call rates applied (see
    /// [`Config::throttle`]).
    pub fn with_throttle(mut self, throttle: bool) -> Config {
        self.throttle = throttle;
        self
    }

    /// The same configuration with another long-poll wait.
    pub fn with_poll_wait(mut self, wait: Duration) -> Config {
        self.poll_wait = wait;
        self
    }

    /// The same configuration with another deleting phase; zero makes a deleted
    /// pipeline answer PipelineDeletedException to every call at once.
    pub fn with_deletion_delay(mut self, delay: Duration) -> Config {
        self.deletion_delay = delay;
        self
    }
}

/// What the core did with one request: the response, and what the socket
/// layer and the fuzz properties need to know besides it.
#[derive(Debug)]
pub struct Handled {
    /// The response, envelope headers included.
    pub response: ::http::Response<Bytes>,
    /// The operation named by the target, when it named a known one.
    pub operation: Option<Operation>,
    /// The short error type (`PipelineNotFoundException`) when it failed.
    pub error_type: Option<String>,
    /// True for a successful `PollForTask` that found no task: the socket
    /// layer may hold it and ask again until the long-poll deadline.
    pub empty_poll: bool,
}

/// The reference endpoint: configuration, state and the task-arrival signal.
pub struct Reference {
    config: Config,
    stores: Mutex<state::Stores>,
    tasks_ready: Arc<Notify>,
    signing_keys: auth::SigningKeys,
    limiter: throttle::Limiter,
}

impl Reference {
    /// An endpoint with no pipelines.
    pub fn new(config: Config) -> Reference {
        Reference {
            config,
            stores: Mutex::new(state::Stores::default()),
            tasks_ready: Arc::new(Notify::new()),
            signing_keys: auth::SigningKeys::default(),
            limiter: throttle::Limiter::default(),
        }
    }

    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// Notified (all waiters) whenever a task may have become available to a
    /// task runner; long-polling `PollForTask`s wait on it.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn tasks_ready(&self) -> &Arc<Notify> {
        &self.tasks_ready
    }

    /// How much the state holds, summed over every account and region; tests
    /// use it to check that memory is let go of.
    #[doc(hidden)]
    pub fn store_sizes(&self) -> StoreSizes {
        self.lock().sizes()
    }

    /// The core: one HTTP request in (already read from the socket: method,
    /// path, headers as received, whole body), one response out. Never panics,
    /// never blocks beyond the state lock, never waits for time to pass (a
    /// `PollForTask` that finds nothing answers `{}` at once; the socket layer
    /// holds it).
    pub fn handle(&self, req: ::http::Request<Bytes>) -> ::http::Response<Bytes> {
        self.handle_detailed(&req).response
    }

    /// [`Reference::handle`] with what the socket layer needs to know besides
    /// the response. Takes the request by reference so that a held `PollForTask`
    /// can be asked again.
    pub fn handle_detailed(&self, req: &::http::Request<Bytes>) -> Handled {
        self.handle_counted(req, true)
    }

    /// A held `PollForTask` asked again: the same call, so it is not counted
    /// against the call rate a second time.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) fn handle_again(&self, req: &::http::Request<Bytes>) -> Handled {
        self.handle_counted(req, false)
    }

    /// [`Reference::handle_detailed`]; `counted` says whether the call takes
    /// from its action's rate ([`Config::throttle`]).
    fn handle_counted(&self, req: &::http::Request<Bytes>, counted: bool) -> Handled {
        let now = self.config.clock.now();
        let wall = self.config.wall_time(now);
        // No input should make the core panic; if a defect does, the caller
        // gets the service's fault (500 InternalServiceError) instead of a
        // dropped connection.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.process(req, now, wall, counted)))
            .unwrap_or_else(|_| Outcome {
                operation: dispatch::route(req).ok(),
                result: Err(error::ApiError::new(
                    error::ErrorKind::InternalServiceError,
                    "An internal error occurred.",
                )),
                advanced: false,
            });
        let (response, error_type, empty_poll, tasks_changed) = match outcome.result {
            Ok(reply) => {
                let empty_poll = outcome.operation == Some(Operation::PollForTask)
                    && matches!(&reply.body, wire::Body::Json(v) if v.get("taskObject").is_none());
                (wire::success(reply.body, wall), None, empty_poll, reply.tasks_changed)
            }
            Err(err) => {
                let short = err.kind.type_name().to_string();
                (wire::failure(&err, wall), Some(short), false, false)
            }
        };
        if tasks_changed || outcome.advanced {
            self.tasks_ready.notify_waiters();
        }
        Handled {
            response,
            operation: outcome.operation,
            error_type,
            empty_poll,
        }
    }

    fn process(&self, req: &::http::Request<Bytes>, now: SystemTime, wall: SystemTime, counted: bool) -> Outcome {
        let fail = |operation, err| Outcome {
            operation,
            result: Err(err),
            advanced: false,
        };
        if control::is_control(req) {
            return match self.authenticate(req, wall) {
                Ok(scope) => self.control(req, &scope),
                Err(err) => fail(None, err),
            };
        }
        let operation = match dispatch::route(req) {
            Ok(op) => op,
            Err(err) => return fail(None, err),
        };
        let scope = match self.authenticate(req, wall) {
            Ok(scope) => scope,
            Err(err) => return fail(Some(operation), err),
        };
        // inferred: the rate is checked once the caller is known and before the
        // input is read, so a throttled call is refused whatever its body (and is
        // neither journaled nor applied).
        if self.config.throttle && counted {
            if let Err(err) = self.limiter.admit(&scope.account_id, operation, wall) {
                return fail(Some(operation), err);
            }
        }
        let input = match validate::parse_input(operation, req.body()) {
            Ok(input) => input,
            Err(err) => return fail(Some(operation), err),
        };
        let call = Call {
            scope,
            operation,
            input,
            now,
            seed: ids::Ids::random_seed(),
        };
        let mut stores = self.lock();
        let record = journal::Record::Call {
            scope: call.scope.clone(),
            op: operation.name().to_string(),
            input: call.input.clone(),
            now_ns: journal::to_ns(now),
            seed: call.seed,
        };
        if let Err(err) = self.record(&record, journal::changes_state(operation)) {
            return fail(Some(operation), err);
        }
        let (result, advanced) = call.apply(&mut stores, &self.config);
        self.snapshot_if_due(&stores);
        Outcome {
            operation: Some(operation),
            result,
            advanced,
        }
    }

    /// Writes a record to the journal, if there is one; a change that cannot be
    /// recorded is not made (the caller gets the service's fault and may retry).
    fn record(&self, record: &journal::Record, durable: bool) -> Result<(), error::ApiError> {
        let Some(journal) = &self.config.journal else {
            return Ok(());
        };
        let bytes = serde_json::to_vec(record).map_err(|_| internal("The change could not be recorded."))?;
        journal
            .append(&bytes, durable)
            .map_err(|e| internal(format!("The change could not be recorded: {e}")))
    }

    /// Replaces the journal's records with a snapshot once they have grown enough.
    /// A snapshot that cannot be written leaves the records as they are (they still
    /// hold every change), to be tried again after a later call.
    fn snapshot_if_due(&self, stores: &state::Stores) {
        let Some(journal) = &self.config.journal else {
            return;
        };
        if !journal.wants_snapshot() {
            return;
        }
        let clock_ns = self.config.manual_clock.as_ref().map(|c| journal::to_ns(c.now()));
        if let Ok(bytes) = journal::encode_snapshot(clock_ns, stores) {
            let _ = journal.snapshot(&bytes);
        }
    }

    /// An endpoint whose state is read back from `saved`: the snapshot, then its
    /// records applied in order (the manual clock, if any, set where it stood).
    /// A snapshot or record that cannot be read is an error naming where it is:
    /// a state is never silently dropped.
    pub fn restore(config: Config, saved: journal::Saved) -> Result<Reference, String> {
        let reference = Reference::new(config);
        {
            let mut stores = reference.lock();
            if let Some(bytes) = &saved.snapshot {
                let snapshot: journal::Snapshot =
                    serde_json::from_slice(bytes).map_err(|e| format!("the snapshot cannot be read: {e}"))?;
                if snapshot.format != journal::SNAPSHOT_FORMAT {
                    return Err(format!(
                        "the snapshot is in format `{}`; this version reads `{}`",
                        snapshot.format,
                        journal::SNAPSHOT_FORMAT
                    ));
                }
                *stores = snapshot.stores;
                if let (Some(clock), Some(ns)) = (&reference.config.manual_clock, snapshot.clock_ns) {
                    clock.set(journal::from_ns(ns));
                }
            }
            for (place, bytes) in &saved.records {
                let record: journal::Record =
                    serde_json::from_slice(bytes).map_err(|e| format!("{place}: not a journal record: {e}"))?;
                reference
                    .replay(&mut stores, record)
                    .map_err(|e| format!("{place}: {e}"))?;
            }
        }
        Ok(reference)
    }

    fn replay(&self, stores: &mut state::Stores, record: journal::Record) -> Result<(), String> {
        match record {
            journal::Record::Call {
                scope,
                op,
                input,
                now_ns,
                seed,
            } => {
                let operation = Operation::from_name(&op).ok_or_else(|| format!("unknown operation `{op}`"))?;
                let call = Call {
                    scope,
                    operation,
                    input,
                    now: journal::from_ns(now_ns),
                    seed,
                };
                let _ = call.apply(stores, &self.config);
            }
            journal::Record::Reset { scope } => stores.reset(scope.as_ref()),
            journal::Record::Clock { now_ns } => {
                if let Some(clock) = &self.config.manual_clock {
                    clock.set(journal::from_ns(now_ns));
                }
            }
        }
        Ok(())
    }

    /// The account and region a request works on: those of the credential
    /// that signed it, or (authentication off) the default account and the
    /// region its `Authorization` header names, if any.
    fn authenticate(&self, req: &::http::Request<Bytes>, wall: SystemTime) -> Result<Scope, error::ApiError> {
        match &self.config.auth {
            Auth::Verify(creds) => auth::verify(
                req,
                creds,
                &self.config.regions,
                wall,
                self.config.max_clock_skew,
                &self.signing_keys,
            ),
            Auth::Disabled => Ok(Scope {
                account_id: DEFAULT_ACCOUNT_ID.to_string(),
                region: auth::claimed_region(req)
                    .filter(|r| self.config.regions.accepts(r))
                    .unwrap_or_else(|| self.config.regions.fallback().to_string()),
            }),
        }
    }

    /// A `/_dpconform/` control request, already authenticated.
    fn control(&self, req: &::http::Request<Bytes>, scope: &Scope) -> Outcome {
        let result = control::parse(req).and_then(|command| match command {
            control::Command::Reset { all } => {
                let mut stores = self.lock();
                let scope = (!all).then(|| scope.clone());
                self.record(&journal::Record::Reset { scope: scope.clone() }, true)?;
                stores.reset(scope.as_ref());
                self.snapshot_if_due(&stores);
                Ok(api::Reply::empty_object())
            }
            control::Command::Clock { advance } => {
                let Some(clock) = &self.config.manual_clock else {
                    return Err(error::ApiError::invalid(
                        "The service clock is the system clock; start dpconform serve with --clock manual to move it.",
                    ));
                };
                // Under the state lock, so that no call sees the clock move mid-way.
                let _stores = self.lock();
                let moved = clock.now() + advance;
                self.record(
                    &journal::Record::Clock {
                        now_ns: journal::to_ns(moved),
                    },
                    true,
                )?;
                clock.set(moved);
                Ok(api::Reply::json(control::clock_answer(clock.now())).with_tasks_changed(true))
            }
        });
        Outcome {
            operation: None,
            result,
            advanced: false,
        }
    }

    fn lock(&self) -> MutexGuard<'_, state::Stores> {
        // A poisoned lock means an earlier request panicked mid-update; the
        // store is still structurally sound, so keep serving rather than
        // failing every later request.
        self.stores.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One API call that passed the front end: everything its effect on the state
/// depends on, so that applying it again to the same state gives the same
/// state (the journal of `--state-dir` keeps these).
struct Call {
    scope: Scope,
    operation: Operation,
    input: serde_json::Value,
    /// The service clock when it arrived.
    now: SystemTime,
    /// Where the ids it makes up come from.
    seed: u64,
}

impl Call {
    /// Lets time pass in the caller's account and region, then performs the
    /// call there; true when a task may have appeared.
    fn apply(self, stores: &mut state::Stores, config: &Config) -> (Result<api::Reply, error::ApiError>, bool) {
        let ctx = api::Ctx {
            now: dates::unix_seconds(self.now),
            now_ms: dates::unix_millis(self.now),
            deletion_delay_ms: i64::try_from(config.deletion_delay.as_millis()).unwrap_or(i64::MAX),
            account_id: self.scope.account_id.clone(),
            ids: ids::Ids::new(self.seed),
        };
        let store = stores.scope_mut(&self.scope);
        let advanced = api::advance_all(store, &ctx);
        let result = api::call(self.operation, store, &ctx, self.input);
        (result, advanced)
    }
}

/// The service's fault, for what the endpoint itself failed to do.
fn internal(message: impl Into<String>) -> error::ApiError {
    error::ApiError::new(error::ErrorKind::InternalServiceError, message)
}

struct Outcome {
    operation: Option<Operation>,
    result: Result<api::Reply, error::ApiError>,
    /// Time passing made a task available.
    advanced: bool,
}

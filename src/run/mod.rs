//! Running cases: render, sign and send each step, judge the response, and
//! produce typed outcomes. Cases run concurrently (bounded), the steps of a
//! case in order. The runner prints nothing; observers receive [`Event`]s.

pub mod interrupt;
mod throttle;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::baseline::Judge;
use crate::case::template::{self, Scope};
use crate::case::{Case, Step};
use crate::check::RunContext;
use crate::check::{envelope, expect, CheckName};
use crate::outcome::Observer;
use crate::outcome::{
    recorded_body, CaseOutcome, CaseStatus, CheckFailure, Event, Phase, ReceivedResponse, RunOutcome, SentRequest,
    StepOutcome, StepStatus,
};
use crate::secrets::Secrets;
use crate::send::client::{HttpClient, RawResponse};
use crate::send::request::{prepare, PreparedRequest};
use crate::send::sign;
use crate::send::target::Credentials;
use crate::snapshot::redact::Redactor;
use crate::snapshot::{SnapshotInput, SnapshotStore};
use dpconform_protocol::{Operation, LONG_POLL_SECONDS};
use interrupt::{Interrupt, StopLevel};

/// Everything a run needs to know.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Base URL of the endpoint under test.
    pub endpoint: String,
    /// Signing credentials and region.
    pub credentials: Credentials,
    /// Deadline of every request, body included.
    pub timeout: Duration,
    /// Cases in flight at once.
    pub jobs: usize,
    /// Where snapshots are compared and written.
    pub snapshots: SnapshotStore,
    /// Known failures: applied to each case as it finishes.
    pub baseline: Option<Arc<Judge>>,
}

/// The default number of cases in flight: the number of cores x 4.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) * 4
}

/// Runs cases against one endpoint: one HTTP client, one run id.
pub struct Runner {
    config: RunConfig,
    client: HttpClient,
    context: RunContext,
    /// Kept out of pending snapshots (an endpoint may echo them).
    secrets: Secrets,
    /// Start no new case once this many have failed.
    max_failures: Option<usize>,
}

impl Runner {
    /// A runner for this configuration (fails only if the HTTP client cannot be built).
    pub fn new(config: RunConfig) -> Result<Self, String> {
        let client = HttpClient::new(config.timeout)?;
        Ok(Runner {
            secrets: Secrets::new(config.credentials.secret_values()),
            config,
            client,
            context: RunContext::new(),
            max_failures: None,
        })
    }

    /// Starts no new case once `max` cases have failed (`None`: run them all); the
    /// cases in flight finish, and the outcome says the run [stopped](crate::outcome::Stopped).
    pub fn with_max_failures(mut self, max: Option<usize>) -> Self {
        self.max_failures = max.map(|m| m.max(1));
        self
    }

    /// The run's id (`{{run_id}}`).
    pub fn run_id(&self) -> &str {
        &self.context.run_id
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// Runs `cases` with at most `jobs` in flight; outcomes come back in the given order.
    pub async fn run_all(self: Arc<Self>, cases: Vec<Case>, observer: Observer) -> RunOutcome {
        self.run_all_until(cases, observer, Interrupt::never()).await
    }

    /// [`Runner::run_all`] that stops early on `interrupt`: the outcome then holds the
    /// cases that finished, and says it was interrupted.
    pub async fn run_all_until(
        self: Arc<Self>,
        cases: Vec<Case>,
        observer: Observer,
        interrupt: Interrupt,
    ) -> RunOutcome {
        let started = SystemTime::now();
        let clock = Instant::now();
        observer(Event::RunStarted {
            endpoint: self.config.endpoint.clone(),
            cases: cases.len(),
        });
        let semaphore = Arc::new(Semaphore::new(self.config.jobs.max(1)));
        // A case that long-polls mostly waits on the endpoint (up to the service's 90 s): such
        // cases get their own, wider limit, so that a run takes about the longest poll rather
        // than the sum of the polls over `-j` slots. `-j 1` stays strictly serial.
        let polling = Arc::new(Semaphore::new(LONG_POLL_CASES_AT_ONCE));
        let mut tasks = JoinSet::new();
        let mut indices = std::collections::HashMap::new();
        let placeholders: Vec<CaseOutcome> = cases.iter().map(|c| skeleton(c, CaseStatus::Failed)).collect();
        let total = cases.len();
        let mut started_cases = 0;
        let failures = FailureLimit::new(self.max_failures);
        for (index, case) in cases.into_iter().enumerate() {
            let slots = if self.config.jobs > 1 && long_polls(&case) {
                &polling
            } else {
                &semaphore
            };
            let permit = tokio::select! {
                biased;
                _ = interrupt.reached(StopLevel::Drain) => break,
                _ = failures.reached() => break,
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            // A case may have failed while this one waited for its permit.
            if failures.is_reached() {
                break;
            }
            started_cases += 1;
            let runner = self.clone();
            let observer = observer.clone();
            let failures = failures.clone();
            let task = tasks.spawn(async move {
                observer(Event::CaseStarted {
                    name: case.name.clone(),
                });
                let outcome = runner.run_case(&case).await;
                if outcome.status == CaseStatus::Failed {
                    failures.count();
                }
                drop(permit);
                observer(Event::CaseFinished(Box::new(outcome.clone())));
                (index, outcome)
            });
            indices.insert(task.id(), index);
        }
        let mut slots: Vec<Option<CaseOutcome>> = vec![None; placeholders.len()];
        let mut died: Vec<usize> = Vec::new();
        let mut aborted = false;
        loop {
            tokio::select! {
                joined = tasks.join_next_with_id() => match joined {
                    None => break,
                    Some(Ok((_, (index, outcome)))) => slots[index] = Some(outcome),
                    Some(Err(error)) if error.is_panic() => {
                        if let Some(index) = indices.get(&error.id()) {
                            died.push(*index);
                        }
                    }
                    // Stopped by a second interrupt: not a result.
                    Some(Err(_)) => {}
                },
                _ = interrupt.reached(StopLevel::Abort), if !aborted => {
                    tasks.abort_all();
                    aborted = true;
                }
            }
        }
        let interrupted = interrupt.level() > StopLevel::Running;
        let stopped = match self.max_failures {
            Some(max_failures) if !interrupted && started_cases < total => Some(crate::outcome::Stopped {
                max_failures,
                not_started: total - started_cases,
            }),
            _ => None,
        };
        // A case whose task died (a bug in dpconform) is still reported, as failed.
        for index in died {
            let mut placeholder = placeholders[index].clone();
            placeholder
                .steps
                .push(internal_error_step("the case's task stopped unexpectedly"));
            observer(Event::CaseFinished(Box::new(placeholder.clone())));
            slots[index] = Some(placeholder);
        }
        RunOutcome {
            endpoint: self.config.endpoint.clone(),
            run_id: self.context.run_id.clone(),
            started,
            duration: clock.elapsed(),
            cases: slots.into_iter().flatten().collect(),
            interrupted,
            embedded_reference: false,
            baseline: self.config.baseline.as_ref().map(|judge| judge.verdict()),
            stopped,
        }
    }

    /// Runs one case: main steps in order until one fails, then every `finally` step.
    pub async fn run_case(&self, case: &Case) -> CaseOutcome {
        let clock = Instant::now();
        if let Some(reason) = &case.spec.skip {
            return skeleton(case, CaseStatus::Skipped(reason.clone()));
        }
        let mut scope = self.scope_for(case);
        let mut outcome = skeleton(case, CaseStatus::Passed);
        if let Err(message) = self.define_vars(case, &mut scope) {
            outcome.steps.push(StepOutcome {
                failures: vec![CheckFailure::new(CheckName::Template, message)],
                ..internal_error_step("vars")
            });
            outcome.failed_grade = Some(case.grade());
        }
        let literals = &case.literal_datetimes;
        let mut failed = !outcome.steps.is_empty();
        for (index, step) in case.spec.steps.iter().enumerate() {
            let name = step.display_name(index);
            if failed {
                outcome.steps.push(not_run(
                    name,
                    Phase::Main,
                    "an earlier step failed in a way later steps depend on".into(),
                ));
                continue;
            }
            let result = self
                .run_step(
                    case,
                    step,
                    &name,
                    snapshot_slug(step, index, Phase::Main),
                    Phase::Main,
                    &mut scope,
                    literals,
                )
                .await;
            failed = result.failures.iter().any(|f| f.check.blocks_later_steps());
            note_failed_grade(&mut outcome, case, step, &result);
            outcome.steps.push(result);
        }
        for (index, step) in case.spec.finally.iter().enumerate() {
            let name = step.display_name(index);
            let result = self
                .run_step(
                    case,
                    step,
                    &name,
                    snapshot_slug(step, index, Phase::Finally),
                    Phase::Finally,
                    &mut scope,
                    literals,
                )
                .await;
            note_failed_grade(&mut outcome, case, step, &result);
            outcome.steps.push(result);
        }
        if outcome.steps.iter().any(|s| s.status == StepStatus::Failed) {
            outcome.status = CaseStatus::Failed;
        }
        if let Some(judge) = &self.config.baseline {
            judge.apply(&mut outcome);
        }
        outcome.duration = clock.elapsed();
        outcome
    }

    fn scope_for(&self, case: &Case) -> Scope {
        let mut scope = Scope::new(SystemTime::now());
        let run = format!("{}-{}", self.context.run_id, short_hash(&case.name));
        scope.set("run", run.into());
        scope.set("run_id", self.context.run_id.clone().into());
        scope.set("case", case.name.clone().into());
        scope.set("access_key", self.config.credentials.access_key.clone().into());
        scope.set("region", self.config.credentials.region.clone().into());
        scope
    }

    fn define_vars(&self, case: &Case, scope: &mut Scope) -> Result<(), String> {
        for (name, value) in &case.spec.vars {
            let value = scope.render_value(value)?;
            scope.set(name, value);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_step(
        &self,
        case: &Case,
        step: &Step,
        name: &str,
        slug: String,
        phase: Phase,
        scope: &mut Scope,
        literals: &[String],
    ) -> StepOutcome {
        let clock = Instant::now();
        let deadline = step
            .retry
            .as_ref()
            .map(|r| clock + Duration::from_secs_f64(r.for_seconds));
        let interval = Duration::from_millis(step.retry.as_ref().map_or(0, |r| r.interval_ms));
        let label = format!("{} / {name}", case.name);
        let step_timeout = self.step_timeout(step);
        let skipped_checks: Vec<(CheckName, String)> = step
            .skip_checks
            .iter()
            .filter_map(|(n, reason)| CheckName::parse(n).map(|c| (c, reason.clone())))
            .collect();
        // A clean-up step whose variables were never captured has nothing to clean.
        if phase == Phase::Finally {
            if let Some(unbound) = unbound_variable(step, scope) {
                return not_run(
                    name.to_string(),
                    phase,
                    format!("variable `{{{{{unbound}}}}}` has no value (its capture step was skipped or failed)"),
                );
            }
        }
        let mut attempts = 0;
        let mut throttled = 0;
        loop {
            attempts += 1;
            let mut outcome = StepOutcome {
                name: name.to_string(),
                phase,
                status: StepStatus::Passed,
                failures: Vec::new(),
                skipped_checks: skipped_checks.clone(),
                request: None,
                response: None,
                attempts,
                throttled,
                duration: Duration::ZERO,
            };
            let exchanged = match self.exchange(step, scope, &label, step_timeout).await {
                Ok(e) => e,
                Err(Stop::Template(message)) => {
                    outcome.failures.push(CheckFailure::new(CheckName::Template, message));
                    return finish(outcome, clock);
                }
                Err(Stop::Transport {
                    request,
                    message,
                    throttled: throttled_now,
                }) => {
                    outcome.throttled = throttled + throttled_now;
                    outcome.request = Some(request);
                    outcome.failures.push(CheckFailure::new(CheckName::Transport, message));
                    return finish(outcome, clock);
                }
            };
            let Exchanged {
                request,
                response,
                failures,
                pages,
                throttled: throttled_now,
            } = exchanged;
            throttled += throttled_now;
            outcome.throttled = throttled;
            outcome.attempts = attempts + pages.saturating_sub(1);
            outcome.request = Some(request);
            outcome.response = Some(ReceivedResponse {
                status: response.status,
                headers: response.headers.clone(),
                body: recorded_body(&response.body),
                body_len: response.body.len(),
            });
            outcome.failures = failures;
            let body = expect::parse_body(&response);
            outcome
                .failures
                .extend(expect::check(&step.expect, &response, body.as_ref(), scope));
            if retry_may_help(&outcome.failures, &response) && deadline.is_some_and(|d| Instant::now() + interval < d) {
                tokio::time::sleep(interval).await;
                continue;
            }
            if step.expect.snapshot {
                if let Some(failure) = self.compare_snapshot(case, step, name, &slug, &response, body, scope, literals)
                {
                    outcome.failures.push(failure);
                }
            }
            return finish(outcome, clock);
        }
    }

    /// The deadline of a step's requests: its own `timeout`, else the run's;
    /// a PollForTask waits at least out the service's long poll.
    fn step_timeout(&self, step: &Step) -> Duration {
        if let Some(seconds) = step.timeout {
            return Duration::from_secs_f64(seconds);
        }
        if step.operation.as_deref() == Some(Operation::PollForTask.name()) {
            return self.config.timeout.max(LONG_POLL_DEADLINE);
        }
        self.config.timeout
    }

    /// Sends a step's request, or for a paginated step every page, checking
    /// each answer's envelope. A paginated step's response carries one body
    /// whose result list holds every page's elements.
    async fn exchange(
        &self,
        step: &Step,
        scope: &mut Scope,
        label: &str,
        timeout: Duration,
    ) -> Result<Exchanged, Stop> {
        let paginator = step
            .paginate
            .then(|| step.operation.as_deref().and_then(Operation::from_name))
            .flatten()
            .and_then(Operation::paginator);
        let mut marker: Option<String> = None;
        let mut collected: Vec<serde_json::Value> = Vec::new();
        let mut failures = Vec::new();
        let mut pages = 0;
        let mut throttled = 0;
        let started = Instant::now();
        loop {
            pages += 1;
            let mut retries = 0;
            let (sent, mut response) = loop {
                let request = self
                    .build_request(step, scope, paginator.zip(marker.as_deref()))
                    .map_err(Stop::Template)?;
                let sent = SentRequest {
                    method: request.method.clone(),
                    url: request.url.clone(),
                    headers: sign::redact_secrets(&request.headers),
                    body: recorded_body(&request.body),
                    body_len: request.body.len(),
                };
                let response = match self.client.send_within(&request, timeout).await {
                    Ok(r) => r,
                    Err(message) => {
                        return Err(Stop::Transport {
                            request: sent,
                            message,
                            throttled,
                        })
                    }
                };
                // Throttled: wait and send it again (signed anew), unless the case
                // expects the throttling or the waits would pass the step's deadline.
                if retries < throttle::MAX_RETRIES && throttle::may_retry(step) && throttle::is_throttled(&response) {
                    let wait = throttle::backoff(retries);
                    if started.elapsed() + wait < timeout {
                        retries += 1;
                        throttled += 1;
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                }
                break (sent, response);
            };
            failures.extend(envelope::check(&response, &step.skip_checks, &self.context, label));
            // Only a paginated step reads the body here; the checks parse it once anyway.
            let page = paginator.and_then(|_| serde_json::from_slice::<serde_json::Value>(&response.body).ok());
            let (Some(p), Some(mut page)) = (paginator, page) else {
                return Ok(Exchanged {
                    request: sent,
                    response,
                    failures,
                    pages,
                    throttled,
                });
            };
            if let Some(items) = page.get_mut(p.result_key).and_then(|v| v.as_array_mut()) {
                collected.append(items);
            }
            let next = page
                .get(p.output_token)
                .and_then(|m| m.as_str())
                .filter(|m| !m.is_empty())
                .map(str::to_string);
            let more = page
                .get(p.more_results)
                .and_then(|v| v.as_bool())
                .unwrap_or(next.is_some());
            let stop = !failures.is_empty() || response.status != 200 || !more || next.is_none();
            if stop || pages >= MAX_PAGES || next == marker {
                if let Some(object) = page.as_object_mut() {
                    object.insert(p.result_key.to_string(), serde_json::Value::Array(collected));
                }
                response.body = serde_json::to_vec(&page).unwrap_or_default().into();
                if pages >= MAX_PAGES && !stop {
                    failures.push(CheckFailure::new(
                        CheckName::Json,
                        format!(
                            "still more pages after {MAX_PAGES}: stopped following `{}`",
                            p.output_token
                        ),
                    ));
                } else if next == marker && !stop {
                    failures.push(CheckFailure::new(
                        CheckName::Json,
                        format!(
                            "the `{}` did not change from one page to the next: it would never end",
                            p.output_token
                        ),
                    ));
                }
                return Ok(Exchanged {
                    request: sent,
                    response,
                    failures,
                    pages,
                    throttled,
                });
            }
            marker = next;
        }
    }

    fn build_request(
        &self,
        step: &Step,
        scope: &mut Scope,
        page: Option<(dpconform_protocol::Paginator, &str)>,
    ) -> Result<PreparedRequest, String> {
        let mut request = prepare(step, &self.config.endpoint, scope)?;
        if let Some((paginator, marker)) = page {
            let mut body: serde_json::Value =
                serde_json::from_slice(&request.body).unwrap_or_else(|_| serde_json::json!({}));
            if let Some(object) = body.as_object_mut() {
                object.insert(paginator.input_token.to_string(), marker.into());
            }
            request.body = serde_json::to_vec(&body).unwrap_or_default().into();
        }
        if let Some(overrides) = request.signing.clone() {
            sign::sign_request(&mut request, &self.config.credentials, &overrides, SystemTime::now())?;
        }
        Ok(request)
    }

    #[allow(clippy::too_many_arguments)]
    fn compare_snapshot(
        &self,
        case: &Case,
        step: &Step,
        name: &str,
        slug: &str,
        response: &RawResponse,
        body: Option<Result<serde_json::Value, String>>,
        scope: &Scope,
        literals: &[String],
    ) -> Option<CheckFailure> {
        let text = match body {
            None => "(empty body)".to_string(),
            // Already reported by the body check.
            Some(Err(_)) => return None,
            Some(Ok(json)) => {
                let redacted = Redactor::new(scope, literals, &step.expect.redact).apply(&json);
                self.secrets.apply(&expect::pretty(&redacted))
            }
        };
        let _ = response;
        let file_name = format!("{}__{slug}", case.stem());
        let description = format!("{} / {name}: {}", case.name, case.spec.about);
        self.config
            .snapshots
            .compare(&SnapshotInput {
                area: &case.area,
                name: &file_name,
                text: &text,
                description: &description,
                case_file: &case.path,
            })
            .err()
    }
}

fn finish(mut outcome: StepOutcome, clock: Instant) -> StepOutcome {
    outcome.duration = clock.elapsed();
    outcome.status = if outcome.failures.is_empty() {
        StepStatus::Passed
    } else {
        StepStatus::Failed
    };
    outcome
}

/// Pages a paginated step follows at most: far more than any case needs, few
/// enough that an endpoint that always says "more" fails in seconds.
const MAX_PAGES: u32 = 200;

/// A PollForTask's deadline unless the step sets one: above the service's long
/// poll, so an endpoint that holds the poll the documented 90 s is waited for.
const LONG_POLL_DEADLINE: Duration = Duration::from_secs(LONG_POLL_SECONDS + 10);

/// What one step sent and got back.
struct Exchanged {
    request: SentRequest,
    response: RawResponse,
    /// Envelope failures of every page.
    failures: Vec<CheckFailure>,
    pages: u32,
    /// Throttled answers that were retried, over every page.
    throttled: u32,
}

/// Counts failed cases against `--max-failures`, and tells the loop that
/// starts cases when the limit is reached.
#[derive(Clone)]
struct FailureLimit {
    max: Option<usize>,
    failed: Arc<std::sync::atomic::AtomicUsize>,
    reached: Arc<tokio::sync::watch::Sender<bool>>,
}

impl FailureLimit {
    fn new(max: Option<usize>) -> Self {
        FailureLimit {
            max,
            failed: Arc::default(),
            reached: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    /// One more case failed.
    fn count(&self) {
        let failed = self.failed.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if self.max.is_some_and(|max| failed >= max) {
            self.reached.send_replace(true);
        }
    }

    fn is_reached(&self) -> bool {
        *self.reached.borrow()
    }

    /// Resolves once the limit is reached; never, without one.
    async fn reached(&self) {
        let mut rx = self.reached.subscribe();
        if rx.wait_for(|r| *r).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Why a step's exchange stopped before there was a response to judge.
enum Stop {
    Template(String),
    Transport {
        request: SentRequest,
        message: String,
        /// Throttled answers retried before the request that failed.
        throttled: u32,
    },
}

/// Whether sending again may turn these failures into a pass: only when the
/// endpoint gave a well-formed answer (status 200 or 400, envelope sound, a
/// JSON body) that differs in what state can change. A broken answer fails at
/// once instead of being re-sent for the whole retry window.
fn retry_may_help(failures: &[CheckFailure], response: &RawResponse) -> bool {
    !failures.is_empty()
        && matches!(response.status, 200 | 400)
        && failures.iter().all(|f| {
            matches!(
                f.check,
                CheckName::Status
                    | CheckName::ErrorType
                    | CheckName::ErrorMessage
                    | CheckName::Json
                    | CheckName::Capture
            )
        })
}

/// The first variable a step's request names that has no value yet.
fn unbound_variable(step: &Step, scope: &Scope) -> Option<String> {
    let mut names = Vec::new();
    if let Some(body) = &step.body {
        let _ = template::variables_in(body, &mut names);
    }
    for value in step.headers.values() {
        let _ = template::variables_in_str(value, &mut names);
    }
    if let Some(raw) = &step.raw {
        let _ = template::variables_in_str(&raw.path, &mut names);
        if let crate::case::RawBody::Text(body) = &raw.body {
            let _ = template::variables_in_str(body, &mut names);
        }
        for value in raw.headers.values() {
            let _ = template::variables_in_str(value, &mut names);
        }
    }
    names.into_iter().find(|n| scope.get(n).is_none())
}

/// Cases with a long poll that may run at once beside the `-j` others.
const LONG_POLL_CASES_AT_ONCE: usize = 64;

/// Whether a case calls PollForTask, which the service may hold up to its long poll.
fn long_polls(case: &Case) -> bool {
    case.spec
        .steps
        .iter()
        .chain(&case.spec.finally)
        .any(|s| s.operation.as_deref() == Some(Operation::PollForTask.name()))
}

/// The first failed step decides which grade a failed case counts under.
fn note_failed_grade(outcome: &mut CaseOutcome, case: &Case, step: &Step, result: &StepOutcome) {
    if result.status == StepStatus::Failed && outcome.failed_grade.is_none() {
        outcome.failed_grade = Some(case.step_grade(step));
    }
}

fn skeleton(case: &Case, status: CaseStatus) -> CaseOutcome {
    CaseOutcome {
        name: case.name.clone(),
        area: case.area.clone(),
        path: case.path.clone(),
        about: case.spec.about.clone(),
        source: case.spec.source.clone(),
        grade: case.grade(),
        failed_grade: None,
        status,
        steps: Vec::new(),
        stale: Vec::new(),
        duration: Duration::ZERO,
    }
}

fn not_run(name: String, phase: Phase, reason: String) -> StepOutcome {
    StepOutcome {
        name,
        phase,
        status: StepStatus::NotRun(reason),
        failures: Vec::new(),
        skipped_checks: Vec::new(),
        request: None,
        response: None,
        attempts: 0,
        throttled: 0,
        duration: Duration::ZERO,
    }
}

fn internal_error_step(message: &str) -> StepOutcome {
    StepOutcome {
        status: StepStatus::Failed,
        failures: vec![CheckFailure::new(
            CheckName::Transport,
            format!("internal error: {message}"),
        )],
        ..not_run(message.to_string(), Phase::Main, String::new())
    }
}

/// The snapshot file suffix of a step: its name as a slug, else its position.
pub(crate) fn snapshot_slug(step: &Step, index: usize, phase: Phase) -> String {
    let prefix = if phase == Phase::Finally { "finally-" } else { "" };
    match &step.name {
        Some(name) => {
            let slug: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let slug = slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
            format!("{prefix}{slug}")
        }
        None => format!("{prefix}step{}", index + 1),
    }
}

/// Six base-36 characters of FNV-1a: distinguishes cases within a run.
fn short_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in text.bytes() {
        hash ^= byte as u64;
        hash = hash.wrapping_mul(0x100000001b3);
    }
    let mut out = String::new();
    for _ in 0..6 {
        out.push(char::from(
            b"0123456789abcdefghijklmnopqrstuvwxyz"[(hash % 36) as usize],
        ));
        hash /= 36;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16) -> RawResponse {
        RawResponse {
            version: http::Version::HTTP_11,
            status,
            headers: vec![],
            body: bytes::Bytes::from_static(b"{}"),
        }
    }

    fn failures(checks: &[CheckName]) -> Vec<CheckFailure> {
        checks.iter().map(|c| CheckFailure::new(*c, "x")).collect()
    }

    #[test]
    fn only_a_well_formed_answer_that_state_may_change_is_sent_again() {
        // What eventual consistency explains: another state, another status or error, no capture yet.
        assert!(retry_may_help(&failures(&[CheckName::Json]), &response(200)));
        assert!(retry_may_help(
            &failures(&[CheckName::Status, CheckName::ErrorType]),
            &response(400)
        ));
        // Nothing to retry, or nothing a retry can fix: a broken envelope, a body that is not
        // JSON, a server fault, an unexpected status code.
        assert!(!retry_may_help(&[], &response(200)));
        assert!(!retry_may_help(
            &failures(&[CheckName::Json, CheckName::Crc32]),
            &response(200)
        ));
        assert!(!retry_may_help(&failures(&[CheckName::Body]), &response(200)));
        assert!(!retry_may_help(&failures(&[CheckName::Status]), &response(500)));
        assert!(!retry_may_help(&failures(&[CheckName::Status]), &response(302)));
    }
}

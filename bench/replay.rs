//! The raw client loop of `bench/run` (figure b): replays the requests of a
//! recorded run (`dpconform run --report-dir`) with plain reqwest and aws-sigv4,
//! case by case in the recorded order, the steps of a case in order, at most
//! `-j` cases in flight, exactly as the harness schedules them. No checks, no
//! templates, no snapshots, no reports: the floor the harness is measured against.
//!
//! What is adapted so that the server does the same work as in the recorded run:
//! - the recorded run id (inside every `{{run}}` name and uniqueId) is replaced by a
//!   fresh one of the same shape, so repeated replays never hit idempotent retries;
//! - values the server generated (pipeline, task, attempt and instance ids, markers)
//!   are found at load time: strings that a response introduced and a later request
//!   of the same case uses. At run time the live response's value at the same JSON
//!   pointer replaces the recorded one in later request bodies (a string replace);
//! - signed requests are signed again now, with the recorded scope's access key,
//!   region and service and the recorded clock offset (`x-amz-date` minus the
//!   response's `Date`), so skew cases stay skewed. A deliberately wrong secret key
//!   cannot be seen in a report (it is redacted): a step whose recorded answer was
//!   "signature does not match" is signed with a wrong one;
//! - bodies the report cut at 64 KiB are rebuilt to their recorded length by
//!   repeating the last recorded byte and closing the open JSON strings and objects
//!   (the corpus's large bodies are `prefix + "a" x N + "\"}"`). One cannot be rebuilt
//!   exactly: `evaluate_expression_1mib` sends `{"expression":"a…a","objectId":…}` whose
//!   members after the cut are unknown; it goes out at its recorded length, 1 MiB that
//!   the server reads and parses whole, and is answered 400 instead of 200.
//!
//! Usage: `bench-replay --report report.json (--endpoint URL | --embedded) [-j N]`.
//! Prints one line: `replay: requests=N as_recorded=N seconds=S jobs=N`.

#[path = "common/sigv4.rs"]
mod sigv4;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::sync::Semaphore;

struct Args {
    report: String,
    endpoint: Option<String>,
    jobs: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut report = None;
    let mut endpoint = None;
    let mut embedded = false;
    let mut jobs = std::thread::available_parallelism().map_or(2, |n| n.get()) * 4;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--report" => report = args.next(),
            "--endpoint" => endpoint = args.next(),
            "--embedded" => embedded = true,
            "-j" | "--jobs" => {
                jobs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("-j needs a positive number")?
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let report = report.ok_or("--report FILE is required")?;
    if endpoint.is_some() == embedded {
        return Err("give exactly one of --endpoint URL and --embedded".into());
    }
    Ok(Args { report, endpoint, jobs })
}

/// A request body; `fill` rebuilds what the report cut off.
#[derive(Debug, Clone)]
struct BodyPlan {
    text: String,
    fill: Option<(u8, usize, String)>,
}

#[derive(Debug, Clone)]
struct StepPlan {
    method: reqwest::Method,
    /// Path and query, after the endpoint.
    path: String,
    /// As recorded, without `authorization`, `x-amz-date` and `x-amz-security-token` when re-signed.
    headers: Vec<(String, String)>,
    body: BodyPlan,
    /// `Some` when the harness signed the step.
    signing: Option<(sigv4::Key, i64)>,
    recorded_status: u16,
    /// (recorded value, JSON pointer in the response) of server-generated values later steps use.
    captures: Vec<(String, String)>,
}

struct Plan {
    cases: Vec<Vec<StepPlan>>,
    run_id: String,
}

fn load(path: &str) -> Result<Plan, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let report: Value = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let run = &report["run"];
    let endpoint = run["endpoint"].as_str().ok_or("report without run.endpoint")?;
    let run_id = run["run_id"].as_str().ok_or("report without run.run_id")?.to_string();
    let recorded_host = sigv4::authority(endpoint)?;
    let secret = sigv4::Key::from_env().secret_key;
    let mut cases = Vec::new();
    for case in report["cases"].as_array().ok_or("report without cases")? {
        let recorded: Vec<&Value> = case["steps"]
            .as_array()
            .map(|steps| steps.iter().filter(|s| s.get("request").is_some()).collect())
            .unwrap_or_default();
        let bodies: Vec<&str> = recorded
            .iter()
            .map(|s| s["request"]["body"].as_str().unwrap_or(""))
            .collect();
        let mut steps = Vec::new();
        for (index, step) in recorded.iter().enumerate() {
            steps.push(plan_step(step, endpoint, &recorded_host, &secret, &bodies, index)?);
        }
        cases.push(steps);
    }
    Ok(Plan { cases, run_id })
}

fn plan_step(
    step: &Value,
    endpoint: &str,
    recorded_host: &str,
    secret: &str,
    bodies: &[&str],
    index: usize,
) -> Result<StepPlan, String> {
    let request = &step["request"];
    let response = &step["response"];
    let method = request["method"].as_str().unwrap_or("POST");
    let url = request["url"].as_str().unwrap_or(endpoint);
    let headers: Vec<(String, String)> = request["headers"]
        .as_array()
        .map(|hs| {
            hs.iter()
                .filter_map(|h| Some((h[0].as_str()?.to_string(), h[1].as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let find = |name: &str| dpconform::protocol::headers::find(&headers, name).map(str::to_string);
    let signing = match (find("authorization"), find("x-amz-date")) {
        (Some(auth), Some(date)) if auth.ends_with("Signature=[redacted]") => {
            scope_of(&auth, secret, find("x-amz-security-token")).map(|mut key| {
                // The recorded answer shows a deliberately wrong secret key.
                if response["body"]
                    .as_str()
                    .is_some_and(|b| b.contains("signature we calculated does not match"))
                {
                    key.secret_key = format!("not-{secret}");
                }
                let response_date = response["headers"]
                    .as_array()
                    .and_then(|hs| hs.iter().find(|h| h[0].as_str() == Some("date")))
                    .and_then(|h| h[1].as_str());
                (key, clock_offset(&date, response_date))
            })
        }
        _ => None,
    };
    let headers = headers
        .into_iter()
        .filter(|(n, _)| {
            signing.is_none()
                || !["authorization", "x-amz-date", "x-amz-security-token"]
                    .iter()
                    .any(|s| n.eq_ignore_ascii_case(s))
        })
        .map(|(n, v)| {
            let v = if n.eq_ignore_ascii_case("host") && v == recorded_host {
                String::new() // filled with the live authority
            } else {
                v
            };
            (n, v)
        })
        .collect();
    let body_len = request["body_len"].as_u64().unwrap_or(0) as usize;
    let body = rebuild_body(bodies[index], body_len);
    Ok(StepPlan {
        method: reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?,
        path: url.strip_prefix(endpoint).unwrap_or("/").to_string(),
        headers,
        body,
        signing,
        recorded_status: response["status"].as_u64().unwrap_or(0) as u16,
        captures: captures(response["body"].as_str().unwrap_or(""), bodies, index),
    })
}

/// The key of `AWS4-HMAC-SHA256 Credential=AK/DATE/REGION/SERVICE/aws4_request, ...`.
fn scope_of(auth: &str, secret: &str, token: Option<String>) -> Option<sigv4::Key> {
    let credential = auth.split("Credential=").nth(1)?.split(',').next()?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key, _, region, service, _] = parts.as_slice() else {
        return None;
    };
    Some(sigv4::Key {
        access_key: access_key.to_string(),
        secret_key: secret.to_string(),
        session_token: token,
        region: region.to_string(),
        service: service.to_string(),
    })
}

/// Seconds the step's signing time was away from the server's clock (0 within 2 s).
fn clock_offset(amz_date: &str, response_date: Option<&str>) -> i64 {
    let signed = time::PrimitiveDateTime::parse(
        amz_date,
        time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"),
    );
    let served = response_date.and_then(|d| httpdate::parse_http_date(d).ok());
    match (signed, served) {
        (Ok(signed), Some(served)) => {
            let signed = signed.assume_utc().unix_timestamp();
            let served = served.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
            let offset = signed - served;
            if offset.abs() <= 2 {
                0
            } else {
                offset
            }
        }
        _ => 0,
    }
}

/// The recorded body, with a cut-off tail (`… [N more bytes]`) to be rebuilt.
fn rebuild_body(recorded: &str, body_len: usize) -> BodyPlan {
    let Some(cut) = recorded.rfind("… [").filter(|_| recorded.ends_with(" more bytes]")) else {
        return BodyPlan {
            text: recorded.to_string(),
            fill: None,
        };
    };
    let prefix = &recorded[..cut];
    let closers = json_closers(prefix);
    let last = prefix.bytes().last().unwrap_or(b' ');
    let count = body_len.saturating_sub(prefix.len() + closers.len());
    BodyPlan {
        text: prefix.to_string(),
        fill: Some((last, count, closers)),
    }
}

/// What closes the strings, arrays and objects left open at the end of `prefix`.
fn json_closers(prefix: &str) -> String {
    let mut stack = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    for b in prefix.bytes() {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'{') => stack.push('}'),
            (false, _, b'[') => stack.push(']'),
            (false, _, b'}' | b']') => {
                stack.pop();
            }
            _ => {}
        }
    }
    let mut out = String::new();
    if in_string {
        out.push('"');
    }
    out.extend(stack.iter().rev());
    out
}

/// Strings of this step's response that no earlier request held and a later one uses.
fn captures(response_body: &str, bodies: &[&str], index: usize) -> Vec<(String, String)> {
    let Ok(json) = serde_json::from_str::<Value>(response_body) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    collect_strings(&json, String::new(), &mut found);
    found
        .into_iter()
        .filter(|(value, _)| value.len() >= 6)
        .filter(|(value, _)| !bodies[..=index].iter().any(|b| b.contains(value.as_str())))
        .filter(|(value, _)| bodies[index + 1..].iter().any(|b| b.contains(value.as_str())))
        .collect()
}

fn collect_strings(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) if !out.iter().any(|(v, _)| v == s) => out.push((s.clone(), pointer)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_strings(item, format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(members) => {
            for (k, v) in members {
                let k = k.replace('~', "~0").replace('/', "~1");
                collect_strings(v, format!("{pointer}/{k}"), out);
            }
        }
        _ => {}
    }
}

/// A run id of the harness's shape (`base36 seconds-4 chars`), the same length as `recorded`.
fn fresh_run_id(recorded: &str) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = uuid::Uuid::new_v4().as_u128();
    recorded
        .chars()
        .map(|c| {
            if c == '-' {
                '-'
            } else {
                let d = digits[(n % 36) as usize];
                n /= 36;
                char::from(d)
            }
        })
        .collect()
}

/// What one case's replay saw: requests sent, statuses equal to the recorded ones.
#[derive(Default)]
struct Tally {
    requests: usize,
    as_recorded: usize,
    errors: Vec<String>,
}

async fn replay_case(client: &reqwest::Client, endpoint: &str, steps: &[StepPlan], run_ids: (&str, &str)) -> Tally {
    let live_host = sigv4::authority(endpoint).unwrap_or_default();
    let mut replacements: Vec<(String, String)> = vec![(run_ids.0.to_string(), run_ids.1.to_string())];
    let mut tally = Tally::default();
    for step in steps {
        let mut body = step.body.text.clone();
        for (old, new) in &replacements {
            if body.contains(old.as_str()) {
                body = body.replace(old.as_str(), new);
            }
        }
        let mut body = body.into_bytes();
        if let Some((byte, count, closers)) = &step.body.fill {
            body.resize(body.len() + count, *byte);
            body.extend_from_slice(closers.as_bytes());
        }
        let url = format!("{endpoint}{}", step.path);
        let mut headers = step.headers.clone();
        for (name, value) in headers.iter_mut() {
            if name.eq_ignore_ascii_case("host") && value.is_empty() {
                value.clone_from(&live_host);
            }
        }
        if let Some((key, offset)) = &step.signing {
            if dpconform::protocol::headers::find(&headers, "host").is_none() {
                headers.push(("host".into(), live_host.clone()));
            }
            let now = SystemTime::now();
            let time = if *offset >= 0 {
                now + Duration::from_secs(*offset as u64)
            } else {
                now - Duration::from_secs(offset.unsigned_abs())
            };
            if let Err(e) = sigv4::sign_headers(step.method.as_str(), &url, &mut headers, &body, key, time) {
                tally.errors.push(e);
                continue;
            }
        }
        let mut request = client.request(step.method.clone(), &url).body(body);
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        tally.requests += 1;
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                tally.errors.push(e.to_string());
                continue;
            }
        };
        let status = response.status().as_u16();
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => {
                tally.errors.push(e.to_string());
                continue;
            }
        };
        if status == step.recorded_status {
            tally.as_recorded += 1;
        } else if std::env::var_os("BENCH_REPLAY_VERBOSE").is_some() {
            eprintln!(
                "bench-replay: {} {}: status {status}, recorded {}: {}",
                step.method,
                step.path,
                step.recorded_status,
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
            );
        }
        if !step.captures.is_empty() {
            if let Ok(live) = serde_json::from_slice::<Value>(&bytes) {
                for (old, pointer) in &step.captures {
                    if let Some(Value::String(new)) = live.pointer(pointer) {
                        replacements.push((old.clone(), new.clone()));
                    }
                }
            }
        }
    }
    tally
}

async fn replay(plan: Plan, endpoint: String, jobs: usize) -> Result<(Tally, Duration), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .http1_only()
        .build()
        .map_err(|e| e.to_string())?;
    let live_run_id = fresh_run_id(&plan.run_id);
    let started = Instant::now();
    let semaphore = Arc::new(Semaphore::new(jobs));
    let mut tasks = tokio::task::JoinSet::new();
    let shared = Arc::new((client, endpoint, plan.run_id.clone(), live_run_id));
    for steps in plan.cases {
        let permit = semaphore.clone().acquire_owned().await.map_err(|e| e.to_string())?;
        let shared = shared.clone();
        tasks.spawn(async move {
            let (client, endpoint, recorded, live) = &*shared;
            let tally = replay_case(client, endpoint, &steps, (recorded, live)).await;
            drop(permit);
            tally
        });
    }
    let mut total = Tally::default();
    while let Some(joined) = tasks.join_next().await {
        let tally = joined.map_err(|e| e.to_string())?;
        total.requests += tally.requests;
        total.as_recorded += tally.as_recorded;
        total.errors.extend(tally.errors);
    }
    Ok((total, started.elapsed()))
}

fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bench-replay: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let plan = match load(&args.report) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("bench-replay: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench-replay: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match args.endpoint {
            Some(endpoint) => replay(plan, endpoint.trim_end_matches('/').to_string(), args.jobs).await,
            None => {
                let config = dpconform::reference::Config::embedded();
                let server = dpconform::reference::http::Embedded::start(config)
                    .await
                    .map_err(|e| e.to_string())?;
                replay(plan, server.url(), args.jobs).await
            }
        }
    });
    match result {
        Ok((tally, elapsed)) => {
            println!(
                "replay: requests={} as_recorded={} seconds={:.4} jobs={} errors={}",
                tally.requests,
                tally.as_recorded,
                elapsed.as_secs_f64(),
                args.jobs,
                tally.errors.len()
            );
            for e in tally.errors.iter().take(5) {
                eprintln!("bench-replay: {e}");
            }
            std::process::ExitCode::from(u8::from(!tally.errors.is_empty()))
        }
        Err(e) => {
            eprintln!("bench-replay: {e}");
            std::process::ExitCode::from(1)
        }
    }
}

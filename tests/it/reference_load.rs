//! The reference endpoint under load: many signed clients at once over
//! loopback HTTP, for a bounded amount of work.
//!
//! Pipeline clients create pipelines (with idempotent retries and racing
//! creates of one uniqueId), put an on-demand definition with two activities
//! on one worker group, activate it twice, wait until runners have done every
//! task, check the objects' final states and delete all but the last round's
//! pipelines. Task runners long-poll that worker group, report progress,
//! heartbeat and finish each task (the first attempt of `Flaky` fails, so its
//! retry is a task too). Idle pollers long-poll an empty worker group and hang
//! up mid-poll; a lister pages through ListPipelines meanwhile.
//!
//! Asserted: every answer is the expected one (no 5xx, no transport error),
//! request ids are unique, every task goes to exactly one runner and none is
//! lost, ListPipelines shows exactly the pipelines that should exist, and
//! memory is let go of: no more long polls wait once their clients left, no
//! connection stays open once every client is gone, and after the last
//! deletion the store holds no pipeline, uniqueId or task (only the bounded
//! tombstones and runner heartbeats remain).
//!
//! Sizes come from `LOAD_CLIENTS`, `LOAD_RUNNERS`, `LOAD_IDLERS`,
//! `LOAD_ROUNDS` and `LOAD_ACTIVATIONS` (defaults: 32, 8, 4, 3, 2), so that a
//! release build can be run with bigger numbers.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::support::load::{Client, Handed, Lcg, Ledger};
use dpconform::reference::http::{Embedded, SocketLoad};
use dpconform::reference::{Config, ManualClock};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::sync::watch;

const WORKER_GROUP: &str = "load-wg";
/// Nobody ever gets a task from it: its pollers only wait and hang up.
const IDLE_WORKER_GROUP: &str = "load-idle-wg";
/// Long enough that a waiter left behind by a departed client would still be
/// there when the test looks, so letting go of it is what is tested.
const POLL_WAIT: Duration = Duration::from_secs(30);
/// Per activation: `Steady` once, `Flaky` twice (attempt 1 fails, the retry
/// finishes).
const TASKS_PER_ACTIVATION: usize = 3;
/// Concurrent CreatePipeline calls racing on one uniqueId.
const RACERS: usize = 4;
/// The reference's limit of live pipelines (state::MAX_PIPELINES).
const MAX_LIVE_PIPELINES: usize = 100;
/// Deleted pipelines the reference remembers (state::MAX_TOMBSTONES).
const MAX_TOMBSTONES: usize = 1000;
/// Liveness only: a deadlock or a lost task fails the test instead of hanging
/// it. Never a speed limit; a normal debug run takes a fraction of it.
const HARD_LIMIT: Duration = Duration::from_secs(240);
const WAIT_LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
struct Sizes {
    clients: usize,
    runners: usize,
    idlers: usize,
    rounds: usize,
    activations: usize,
}

impl Sizes {
    fn from_env() -> Sizes {
        let get = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(default)
        };
        let sizes = Sizes {
            clients: get("LOAD_CLIENTS", 32),
            runners: get("LOAD_RUNNERS", 8),
            idlers: get("LOAD_IDLERS", 4),
            rounds: get("LOAD_ROUNDS", 3),
            activations: get("LOAD_ACTIVATIONS", 2),
        };
        // Each client holds two live pipelines at most.
        assert!(sizes.clients * 2 <= MAX_LIVE_PIPELINES, "at most 50 clients: {sizes:?}");
        // All attempts of a pipeline fit one DescribeObjects call (25 ids).
        assert!(sizes.activations * TASKS_PER_ACTIVATION <= 25, "at most 8 activations");
        sizes
    }

    fn pipelines(&self) -> usize {
        self.clients * self.rounds * 2
    }

    fn tasks_per_pipeline(&self) -> usize {
        self.activations * TASKS_PER_ACTIVATION
    }
}

/// An on-demand pipeline: two independent activities on [`WORKER_GROUP`].
fn definition() -> Value {
    let obj = |id: &str, fields: &[(&str, &str)]| {
        let fields: Vec<Value> = fields
            .iter()
            .map(|(k, v)| json!({"key": k, "stringValue": v}))
            .collect();
        json!({"id": id, "name": id, "fields": fields})
    };
    json!([
        obj(
            "Default",
            &[
                ("scheduleType", "ondemand"),
                ("workerGroup", WORKER_GROUP),
                ("pipelineLogUri", "s3://logs/")
            ]
        ),
        obj("Steady", &[("type", "ShellCommandActivity"), ("command", "true")]),
        obj(
            "Flaky",
            &[
                ("type", "ShellCommandActivity"),
                ("command", "false"),
                ("maximumRetries", "1")
            ]
        ),
    ])
}

/// The runners fail exactly this: the first attempt of `Flaky`.
fn fails(attempt_id: &str) -> bool {
    attempt_id.starts_with("@Flaky_") && attempt_id.ends_with("_Attempt=1")
}

/// Runs `f` on its own thread and fails if it has not returned within
/// `limit`, even when its runtime's threads are all stuck.
fn with_watchdog<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => v,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("not finished within {limit:?}: a deadlock or a lost task"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Waits until `done` holds; false after `limit`.
async fn eventually(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while !done() {
        if start.elapsed() > limit {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

#[test]
fn many_clients_at_once() {
    let sizes = Sizes::from_env();
    let figures = with_watchdog(HARD_LIMIT, move || {
        // The server and the clients have a runtime each, as if they were
        // separate processes: a stuck server shows as client errors.
        let server = runtime();
        let embedded = server
            // No deleting phase: deleted pipelines are checked to be refused at once.
            .block_on(Embedded::start(
                Config::embedded()
                    .with_poll_wait(POLL_WAIT)
                    .with_deletion_delay(Duration::ZERO),
            ))
            .expect("the reference starts");
        let figures = runtime().block_on(scenario(sizes, &embedded));
        drop(embedded);
        figures
    });
    println!("{figures}");
}

/// What the pipeline clients made.
#[derive(Debug, Default)]
struct Made {
    kept: Vec<String>,
    deleted: Vec<String>,
}

#[derive(Debug, Default)]
struct Counters {
    empty_polls: AtomicUsize,
    abandoned_polls: AtomicUsize,
    list_walks: AtomicUsize,
}

async fn scenario(sizes: Sizes, embedded: &Embedded) -> String {
    let started = Instant::now();
    let url = embedded.url();
    let ledger = Ledger::default();
    let counters = Arc::new(Counters::default());
    let (stop_tx, stop) = watch::channel(false);
    let client = |who: String| Client::new(&url, who, ledger.clone());

    let mut background = Vec::new();
    for r in 0..sizes.runners {
        let c = client(format!("runner-{r}"));
        background.push(tokio::spawn(runner(c, stop.clone(), counters.clone())));
    }
    for i in 0..sizes.idlers {
        let c = client(format!("idler-{i}"));
        background.push(tokio::spawn(idle_poller(c, i as u64, stop.clone(), counters.clone())));
    }
    background.push(tokio::spawn(lister(
        client("lister".into()),
        stop.clone(),
        counters.clone(),
    )));
    let workers: Vec<_> = (0..sizes.clients)
        .map(|n| tokio::spawn(pipeline_client(n, sizes, client(format!("client-{n}")))))
        .collect();

    // Sample what the server holds while the load runs.
    let mut peak = SocketLoad {
        open_connections: 0,
        waiting_polls: 0,
    };
    let mut peak_live = 0;
    let mut made = Made::default();
    let mut workers = workers.into_iter();
    let mut current = workers.next();
    while let Some(handle) = current.as_mut() {
        tokio::select! {
            result = handle => {
                match result {
                    Ok(m) => {
                        made.kept.extend(m.kept);
                        made.deleted.extend(m.deleted);
                    }
                    Err(e) => ledger.problem(format!("a pipeline client panicked: {e}")),
                }
                current = workers.next();
            }
            _ = tokio::time::sleep(Duration::from_millis(10)) => {
                let load = embedded.socket_load();
                peak.open_connections = peak.open_connections.max(load.open_connections);
                peak.waiting_polls = peak.waiting_polls.max(load.waiting_polls);
                peak_live = peak_live.max(embedded.reference().store_sizes().pipelines);
            }
        }
    }
    // Runners hang up mid-poll, like runners shutting down.
    let _ = stop_tx.send(true);
    for handle in background {
        if let Err(e) = handle.await {
            ledger.problem(format!("a background client panicked: {e}"));
        }
    }
    let load_time = started.elapsed();

    let checker = client("checker".into());
    check_listing(&checker, &made.kept).await;
    check_tasks(&ledger, sizes, &made);
    let before = embedded.reference().store_sizes();
    checker.expect(before.pipelines == made.kept.len(), || {
        format!("store before deleting: {before:?}")
    });
    checker.expect(before.unique_ids == made.kept.len(), || {
        format!("store before deleting: {before:?}")
    });
    checker.expect(before.tasks == 0, || {
        format!("finished tasks are forgotten: {before:?}")
    });
    checker.expect(before.runners == sizes.runners, || {
        format!("one heartbeat entry per runner: {before:?}")
    });

    // Delete the rest at once, from several clients.
    let deleters: Vec<_> = made
        .kept
        .chunks(8)
        .enumerate()
        .map(|(n, ids)| {
            let c = client(format!("deleter-{n}"));
            let ids = ids.to_vec();
            tokio::spawn(async move {
                for id in ids {
                    delete(&c, &id).await;
                }
            })
        })
        .collect();
    for d in deleters {
        let _ = d.await;
    }
    let after = embedded.reference().store_sizes();
    let all = made.kept.len() + made.deleted.len();
    checker.expect(
        after.pipelines == 0 && after.unique_ids == 0 && after.tasks == 0,
        || format!("the store still holds pipelines, uniqueIds or tasks after deleting all: {after:?}"),
    );
    checker.expect(after.tombstones == all.min(MAX_TOMBSTONES), || {
        format!("one tombstone per deleted pipeline, at most {MAX_TOMBSTONES}: {after:?}")
    });
    checker.expect(after.runners == sizes.runners, || format!("runners: {after:?}"));
    let requests = ledger.lock().requests;
    drop(checker);

    // Every client is gone now (their pools with them): nothing may stay open
    // or waiting, long before any long poll would have ended by itself.
    let closed = eventually(Duration::from_secs(10), || {
        embedded.socket_load()
            == SocketLoad {
                open_connections: 0,
                waiting_polls: 0,
            }
    })
    .await;
    let left = embedded.socket_load();
    let actors = sizes.clients * RACERS + sizes.runners + sizes.idlers + 1;
    let records = ledger.lock();
    let problems = &records.problems;
    assert!(
        problems.is_empty(),
        "{} problems, the first ones:\n{}",
        problems.len(),
        problems.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(closed, "the server still holds {left:?} after every client left");
    assert!(peak_live <= sizes.clients * 2, "{peak_live} live pipelines");
    // Bounded by the clients, not by the number of requests: each sends one
    // request at a time (RACERS at once while racing), and a connection just
    // closed by its client may linger an instant.
    assert!(
        peak.waiting_polls <= 2 * (sizes.runners + sizes.idlers),
        "waiting polls accumulate: {peak:?}"
    );
    assert!(peak.open_connections <= 2 * actors, "connections accumulate: {peak:?}");
    format!(
        "load: {} pipeline clients, {} runners, {} idle pollers; {} pipelines, {} tasks, {} requests \
         ({} empty polls, {} abandoned polls, {} ListPipelines walks); peak {} connections, {} waiting polls, \
         {} live pipelines; load {:.1?}, total {:.1?} (for information only)",
        sizes.clients,
        sizes.runners,
        sizes.idlers,
        all,
        records.handed.len(),
        requests,
        counters.empty_polls.load(Ordering::Relaxed),
        counters.abandoned_polls.load(Ordering::Relaxed),
        counters.list_walks.load(Ordering::Relaxed),
        peak.open_connections,
        peak.waiting_polls,
        peak_live,
        load_time,
        started.elapsed(),
    )
}

/// Every task went to exactly one runner (also checked as they were handed
/// out) and none was lost.
fn check_tasks(ledger: &Ledger, sizes: Sizes, made: &Made) {
    let pipelines = made.kept.len() + made.deleted.len();
    let expected = pipelines * sizes.tasks_per_pipeline();
    let mut records = ledger.lock();
    if pipelines != sizes.pipelines() {
        records
            .problems
            .push(format!("{} pipelines planned, {pipelines} made", sizes.pipelines()));
    }
    let handed = records.handed.len();
    let attempts = records.attempts.len();
    if handed != expected || attempts != expected {
        records.problems.push(format!(
            "{expected} tasks expected, {handed} task ids and {attempts} attempts handed out"
        ));
    }
    for id in made.kept.iter().chain(&made.deleted) {
        let done = records.done.get(id).copied().unwrap_or(0);
        if done != sizes.tasks_per_pipeline() {
            records.problems.push(format!("{id}: {done} tasks done"));
        }
    }
}

/// ListPipelines, page by page, has every pipeline of `expected` once and
/// nothing else.
async fn check_listing(c: &Client, expected: &[String]) {
    let Some(listed) = list_all(c).await else { return };
    let unique: HashSet<&String> = listed.iter().collect();
    c.expect(unique.len() == listed.len(), || {
        "ListPipelines lists a pipeline twice".into()
    });
    let wanted: HashSet<&String> = expected.iter().collect();
    c.expect(unique == wanted, || {
        let missing = wanted.difference(&unique).count();
        let extra = unique.difference(&wanted).count();
        format!("ListPipelines: {missing} pipelines missing, {extra} extra")
    });
}

/// All pipeline ids, following markers; None after a failed call.
async fn list_all(c: &Client) -> Option<Vec<String>> {
    let mut ids = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..1000 {
        let body = match &marker {
            Some(m) => json!({"marker": m}),
            None => json!({}),
        };
        let page = c.ok("ListPipelines", &body).await?;
        for p in page["pipelineIdList"].as_array().into_iter().flatten() {
            ids.push(p["id"].as_str().unwrap_or_default().to_string());
        }
        match (page["hasMoreResults"].as_bool(), page["marker"].as_str()) {
            (Some(true), Some(m)) => marker = Some(m.to_string()),
            (Some(false), _) => return Some(ids),
            _ => {
                c.problem(format!("ListPipelines: a page with more results and no marker: {page}"));
                return None;
            }
        }
    }
    c.problem("ListPipelines: no end after 1000 pages".into());
    None
}

/// One pipeline client: `rounds` rounds of two pipelines each.
async fn pipeline_client(n: usize, sizes: Sizes, c: Client) -> Made {
    let mut made = Made::default();
    for round in 0..sizes.rounds {
        let Some(ids) = one_round(&c, n, round, sizes).await else {
            break;
        };
        if round + 1 < sizes.rounds {
            for id in &ids {
                delete(&c, id).await;
            }
            made.deleted.extend(ids);
        } else {
            made.kept.extend(ids);
        }
    }
    made
}

/// Creates two pipelines, runs them `activations` times and checks their
/// objects; returns their ids.
async fn one_round(c: &Client, n: usize, round: usize, sizes: Sizes) -> Option<Vec<String>> {
    let name = format!("load-{n}-{round}");
    let id = create(c, &name).await?;
    // A retry of the same request is the same pipeline.
    let again = create(c, &name).await?;
    c.expect(again == id, || {
        format!("{name}: a retried create gave {again}, not {id}")
    });
    // Creates racing on one uniqueId all get the one pipeline.
    let race = format!("{name}-race");
    let racers: Vec<_> = (0..RACERS)
        .map(|_| {
            let (c, race) = (c.clone(), race.clone());
            tokio::spawn(async move { create(&c, &race).await })
        })
        .collect();
    let mut raced = HashSet::new();
    for r in racers {
        raced.insert(r.await.ok()??);
    }
    c.expect(raced.len() == 1, || format!("{race}: racing creates gave {raced:?}"));
    let race_id = raced.into_iter().next()?;
    let ids = vec![id, race_id];

    for id in &ids {
        let put = c
            .ok(
                "PutPipelineDefinition",
                &json!({"pipelineId": id, "pipelineObjects": definition()}),
            )
            .await?;
        c.expect(put["errored"] == false, || format!("{id}: definition refused: {put}"));
    }
    for activation in 1..=sizes.activations {
        for id in &ids {
            c.ok("ActivatePipeline", &json!({"pipelineId": id})).await?;
        }
        for id in &ids {
            let want = activation * TASKS_PER_ACTIVATION;
            let ledger = c.ledger();
            if !eventually(WAIT_LIMIT, || ledger.done(id) >= want).await {
                c.problem(format!("{id}: {} of {want} tasks done", ledger.done(id)));
                return None;
            }
        }
    }
    for id in &ids {
        check_objects(c, id, sizes).await?;
    }
    Some(ids)
}

/// After its runs: every instance FINISHED; every attempt FINISHED except the
/// failed first attempts of `Flaky`, each run by the runner that got it.
async fn check_objects(c: &Client, id: &str, sizes: Sizes) -> Option<()> {
    let query = |sphere: &str| json!({"pipelineId": id, "sphere": sphere, "query": {"selectors": []}});
    let instances = ids_of(&c.ok("QueryObjects", &query("INSTANCE")).await?);
    c.expect(instances.len() == 2 * sizes.activations, || {
        format!("{id}: instances {instances:?}")
    });
    for (object, fields) in describe(c, id, &instances).await? {
        let status = field(&fields, "@status");
        c.expect(status == "FINISHED", || format!("{id}: {object} is {status}"));
    }
    let attempts = ids_of(&c.ok("QueryObjects", &query("ATTEMPT")).await?);
    c.expect(attempts.len() == sizes.tasks_per_pipeline(), || {
        format!("{id}: attempts {attempts:?}")
    });
    for (object, fields) in describe(c, id, &attempts).await? {
        let status = field(&fields, "@status");
        let want = if fails(&object) { "FAILED" } else { "FINISHED" };
        c.expect(status == want, || format!("{id}: {object} is {status}, not {want}"));
        let host = field(&fields, "hostname");
        let runner = c.ledger().runner_of(id, &object).unwrap_or_default();
        c.expect(host == runner, || {
            format!("{id}: {object} ran on {host} but was handed to {runner}")
        });
    }
    Some(())
}

fn ids_of(answer: &Value) -> Vec<String> {
    answer["ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// DescribeObjects: (object id, its fields).
async fn describe(c: &Client, id: &str, objects: &[String]) -> Option<Vec<(String, Vec<Value>)>> {
    let answer = c
        .ok("DescribeObjects", &json!({"pipelineId": id, "objectIds": objects}))
        .await?;
    let described: Vec<(String, Vec<Value>)> = answer["pipelineObjects"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            let fields = o["fields"].as_array().cloned().unwrap_or_default();
            (o["id"].as_str().unwrap_or_default().to_string(), fields)
        })
        .collect();
    c.expect(described.len() == objects.len(), || {
        format!("{id}: {} of {} objects described", described.len(), objects.len())
    });
    Some(described)
}

fn field(fields: &[Value], key: &str) -> String {
    fields
        .iter()
        .find(|f| f["key"] == key)
        .and_then(|f| f["stringValue"].as_str())
        .unwrap_or_default()
        .to_string()
}

async fn create(c: &Client, name: &str) -> Option<String> {
    let answer = c.ok("CreatePipeline", &json!({"name": name, "uniqueId": name})).await?;
    let id = answer["pipelineId"].as_str().map(str::to_string);
    c.expect(id.is_some(), || format!("CreatePipeline {name}: {answer}"));
    id
}

/// Deletes a pipeline; afterwards it answers PipelineDeletedException.
async fn delete(c: &Client, id: &str) {
    if c.ok("DeletePipeline", &json!({"pipelineId": id})).await.is_none() {
        return;
    }
    if let Some(a) = c.call("DescribePipelines", &json!({"pipelineIds": [id]})).await {
        c.expect(
            a.status == 400 && a.error_type() == Some("PipelineDeletedException"),
            || format!("{id} after deletion: {} {}", a.status, a.body),
        );
    }
}

/// One task runner: polls until stopped, hanging up on its last poll.
async fn runner(c: Client, mut stop: watch::Receiver<bool>, counters: Arc<Counters>) {
    let heartbeat = json!({"taskrunnerId": c.who, "workerGroup": WORKER_GROUP, "hostname": c.who});
    let beat = |c: &Client| {
        let (c, heartbeat) = (c.clone(), heartbeat.clone());
        async move {
            if let Some(a) = c.ok("ReportTaskRunnerHeartbeat", &heartbeat).await {
                c.expect(a == json!({"terminate": false}), || format!("heartbeat: {a}"));
            }
        }
    };
    beat(&c).await;
    let poll = json!({"workerGroup": WORKER_GROUP, "hostname": c.who});
    let mut tasks = 0usize;
    loop {
        let answer = tokio::select! {
            answer = c.ok("PollForTask", &poll) => answer,
            _ = stop.wait_for(|stopped| *stopped) => return,
        };
        let Some(answer) = answer else {
            // Already recorded; do not spin on a broken server.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let Some(task) = answer.get("taskObject") else {
            counters.empty_polls.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let text = |k: &str| task[k].as_str().unwrap_or_default().to_string();
        let (task_id, pipeline_id, attempt_id) = (text("taskId"), text("pipelineId"), text("attemptId"));
        c.ledger().hand(
            &task_id,
            Handed {
                runner: c.who.clone(),
                pipeline_id: pipeline_id.clone(),
                attempt_id: attempt_id.clone(),
            },
        );
        let progress = json!({"taskId": task_id, "fields": [{"key": "percentComplete", "stringValue": "50"}]});
        if let Some(a) = c.ok("ReportTaskProgress", &progress).await {
            c.expect(a == json!({"canceled": false}), || {
                format!("{attempt_id}: progress {a}")
            });
        }
        tasks += 1;
        if tasks % 4 == 0 {
            beat(&c).await;
        }
        let status = if fails(&attempt_id) {
            json!({"taskId": task_id, "taskStatus": "FAILED", "errorId": "LoadTest", "errorMessage": "failed on purpose"})
        } else {
            json!({"taskId": task_id, "taskStatus": "FINISHED"})
        };
        if let Some(a) = c.ok("SetTaskStatus", &status).await {
            c.expect(a == json!({}), || format!("{attempt_id}: SetTaskStatus {a}"));
            c.ledger().finish(&pipeline_id);
        }
    }
}

/// Long-polls a worker group without tasks and hangs up after a short, varied
/// time; the server must let go of each abandoned poll.
async fn idle_poller(c: Client, seed: u64, stop: watch::Receiver<bool>, counters: Arc<Counters>) {
    let mut rng = Lcg::new(seed + 1);
    let poll = json!({"workerGroup": IDLE_WORKER_GROUP, "hostname": c.who});
    while !*stop.borrow() {
        let patience = Duration::from_millis(5 + rng.below(200));
        match tokio::time::timeout(patience, c.call("PollForTask", &poll)).await {
            Err(_) => {
                counters.abandoned_polls.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Some(a)) => c.expect(a.status == 200 && a.body.get("taskObject").is_none(), || {
                format!("idle poll: {} {}", a.status, a.body)
            }),
            Ok(None) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Pages through ListPipelines while pipelines come and go: every page
/// answers, and one walk never lists a pipeline twice (new pipelines come
/// last, and a deletion only moves later ones forward).
async fn lister(c: Client, stop: watch::Receiver<bool>, counters: Arc<Counters>) {
    while !*stop.borrow() {
        if let Some(ids) = list_all(&c).await {
            let unique: HashSet<&String> = ids.iter().collect();
            c.expect(unique.len() == ids.len(), || {
                "a walk of ListPipelines repeats a pipeline".into()
            });
            counters.list_walks.fetch_add(1, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A long poll whose client hangs up leaves no waiter behind and takes no
/// task: the task that appears afterwards goes to the next poller.
#[test]
fn a_poll_whose_client_left_takes_no_task() {
    with_watchdog(Duration::from_secs(60), || {
        runtime().block_on(async {
            let config = Config::embedded().without_auth().with_poll_wait(POLL_WAIT);
            let e = Embedded::start(config).await.expect("the reference starts");
            let poll = |hostname: &str| {
                let body = json!({"workerGroup": WORKER_GROUP, "hostname": hostname}).to_string();
                format!(
                    "POST / HTTP/1.1\r\nhost: x\r\nx-amz-target: DataPipeline.PollForTask\r\n\
                     content-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                )
            };
            let mut gone = Vec::new();
            for n in 0..4 {
                let mut s = tokio::net::TcpStream::connect(e.addr()).await.unwrap();
                s.write_all(poll(&format!("gone-{n}")).as_bytes()).await.unwrap();
                gone.push(s);
            }
            assert!(
                eventually(Duration::from_secs(10), || e.socket_load().waiting_polls == 4).await,
                "{:?}",
                e.socket_load()
            );
            drop(gone);
            let idle = SocketLoad {
                open_connections: 0,
                waiting_polls: 0,
            };
            // Well before the long poll would end by itself.
            assert!(
                eventually(Duration::from_secs(10), || e.socket_load() == idle).await,
                "{:?}",
                e.socket_load()
            );

            let c = Client::new(&e.url(), "test".into(), Ledger::default());
            let id = create(&c, "left").await.unwrap();
            let put = json!({"pipelineId": id, "pipelineObjects": definition()});
            assert_eq!(c.ok("PutPipelineDefinition", &put).await.unwrap()["errored"], false);
            c.ok("ActivatePipeline", &json!({"pipelineId": id})).await.unwrap();
            let attempts = ids_of(
                &c.ok(
                    "QueryObjects",
                    &json!({"pipelineId": id, "sphere": "ATTEMPT", "query": {"selectors": []}}),
                )
                .await
                .unwrap(),
            );
            assert_eq!(attempts.len(), 2, "{attempts:?}");
            for (object, fields) in describe(&c, &id, &attempts).await.unwrap() {
                assert_eq!(field(&fields, "@status"), "WAITING_FOR_RUNNER", "{object}");
                assert_eq!(field(&fields, "hostname"), "", "{object}");
            }
            let got = poll_attempts(&c, 2).await;
            assert_eq!(got, attempts.into_iter().collect());
            assert!(
                c.ledger().lock().problems.is_empty(),
                "{:?}",
                c.ledger().lock().problems
            );
        })
    });
}

/// A poller that hangs up right after sending may still be handed a task
/// (the answer is written to a closed connection). Like the service, the
/// reference reassigns a task not acknowledged within 2 minutes, so such a
/// task is not lost.
#[test]
fn a_task_answered_to_a_vanished_poller_is_reassigned() {
    with_watchdog(Duration::from_secs(60), || {
        runtime().block_on(async {
            let clock = Arc::new(ManualClock::new(SystemTime::now()));
            let config = Config::embedded()
                .without_auth()
                .with_clock(clock.clone())
                .with_poll_wait(POLL_WAIT);
            let e = Embedded::start(config).await.expect("the reference starts");
            let idle = || {
                e.socket_load()
                    == SocketLoad {
                        open_connections: 0,
                        waiting_polls: 0,
                    }
            };
            let setup = Client::new(&e.url(), "setup".into(), Ledger::default());
            let id = create(&setup, "vanished").await.unwrap();
            let put = json!({"pipelineId": id, "pipelineObjects": definition()});
            assert_eq!(setup.ok("PutPipelineDefinition", &put).await.unwrap()["errored"], false);
            setup.ok("ActivatePipeline", &json!({"pipelineId": id})).await.unwrap();
            let query = json!({"pipelineId": id, "sphere": "ATTEMPT", "query": {"selectors": []}});
            let attempts: HashSet<String> = ids_of(&setup.ok("QueryObjects", &query).await.unwrap())
                .into_iter()
                .collect();
            assert_eq!(attempts.len(), 2);
            assert!(setup.ledger().lock().problems.is_empty());
            drop(setup);
            assert!(eventually(Duration::from_secs(10), idle).await);

            // Two pollers send and hang up at once; each may or may not take a
            // task before the server notices.
            let body = json!({"workerGroup": WORKER_GROUP, "hostname": "vanished"}).to_string();
            let poll = format!(
                "POST / HTTP/1.1\r\nhost: x\r\nx-amz-target: DataPipeline.PollForTask\r\n\
                 content-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            for _ in 0..2 {
                let mut s = tokio::net::TcpStream::connect(e.addr()).await.unwrap();
                assert!(eventually(Duration::from_secs(10), || e.socket_load().open_connections == 1).await);
                s.write_all(poll.as_bytes()).await.unwrap();
                drop(s);
                // The server is done with that connection.
                assert!(eventually(Duration::from_secs(10), idle).await, "{:?}", e.socket_load());
            }

            clock.advance(Duration::from_secs(120));
            let c = Client::new(&e.url(), "runner".into(), Ledger::default());
            let got = poll_attempts(&c, 2).await;
            assert_eq!(got, attempts, "every task is handed out again");
            assert!(
                c.ledger().lock().problems.is_empty(),
                "{:?}",
                c.ledger().lock().problems
            );
        })
    });
}

/// The attempt ids of `n` tasks polled one after the other by `c` (a poll that hands out no
/// task counts as the attempt id "").
async fn poll_attempts(c: &Client, n: usize) -> HashSet<String> {
    let mut got = HashSet::new();
    for _ in 0..n {
        let answer = c
            .ok("PollForTask", &json!({"workerGroup": WORKER_GROUP}))
            .await
            .unwrap();
        got.insert(
            answer["taskObject"]["attemptId"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
    }
    got
}

//! `dpconform serve` as a process: what it refuses at start.

use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::{dpconform, dpconform_command, TempDir};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_bad_credentials_file_is_refused_at_start_with_its_line() {
    let dir = TempDir::new("serve-credentials");
    let file = dir.write(
        "accounts.txt",
        "# key secret account\nAKIDALICE00000000000 alice/secret 111111111111\nAKIDBOB0000000000000 bob/secret 2222\n",
    );
    let out = dpconform(&dir, &["serve", "--port", "0", "--credentials", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:3: account id `2222` must be 12 digits", file.display())),
        "{stderr}"
    );
    assert!(!text(&out.stdout).contains("listening"));

    let missing = dir.path().join("no-such-file");
    let out = dpconform(
        &dir,
        &["serve", "--port", "0", "--credentials", missing.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot read the credentials file"),
        "{}",
        text(&out.stderr)
    );
}

/// A minimal HTTP/1.1 client for a serve process (`--no-auth`): one request per
/// connection, with deadlines; None when the connection fails (serve was killed).
fn call(addr: &str, op: &str, body: &serde_json::Value) -> Option<(u16, serde_json::Value)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    stream.set_write_timeout(Some(Duration::from_secs(30))).ok()?;
    let body = body.to_string();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nX-Amz-Target: DataPipeline.{op}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status: u16 = head.split_whitespace().nth(1)?.parse().ok()?;
    let value = if body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(body).ok()?
    };
    Some((status, value))
}

/// A running `dpconform serve`; killed (SIGKILL) on drop.
struct Serve {
    child: std::process::Child,
    addr: String,
}

impl Serve {
    fn start(dir: &TempDir, args: &[&str]) -> Serve {
        use std::io::BufRead;
        let mut child = dpconform_command(dir)
            .args(["serve", "--port", "0", "--quiet", "--no-auth"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .filter(|a| a.contains(':'))
            .unwrap_or_else(|| {
                let _ = child.wait();
                let mut err = String::new();
                let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
                panic!("serve did not start: {line}{err}")
            })
            .to_string();
        Serve { child, addr }
    }

    fn ok(&self, op: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, v) = call(&self.addr, op, &body).expect("serve answers");
        assert_eq!(status, 200, "{op}: {v}");
        v
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one writer had acknowledged when serve was killed.
#[derive(Default)]
struct Acknowledged {
    created: Vec<(String, String)>,
    tagged: Vec<(String, String)>,
    defined: Vec<String>,
    finished: Vec<(String, String)>,
}

fn on_demand_definition() -> serde_json::Value {
    serde_json::json!([
        {"id": "Default", "name": "Default", "fields": [
            {"key": "scheduleType", "stringValue": "ondemand"},
            {"key": "pipelineLogUri", "stringValue": "s3://logs/"}]},
        {"id": "Run", "name": "Run", "fields": [
            {"key": "type", "stringValue": "ShellCommandActivity"},
            {"key": "command", "stringValue": "true"},
            {"key": "workerGroup", "stringValue": "wg"}]}
    ])
}

/// One writer's loop: create, tag, define, activate, poll and finish its task,
/// until serve stops answering. Each pipeline has its own worker group.
fn write_until_killed(addr: &str, writer: usize, progress: &AtomicUsize) -> Acknowledged {
    use serde_json::json;
    let mut acked = Acknowledged::default();
    for i in 0.. {
        let name = format!("w{writer}-{i}");
        let Some((200, v)) = call(addr, "CreatePipeline", &json!({"name": name, "uniqueId": name})) else {
            break;
        };
        let id = v["pipelineId"].as_str().unwrap().to_string();
        acked.created.push((id.clone(), name.clone()));
        let tag = json!({"pipelineId": id, "tags": [{"key": "writer", "value": name}]});
        let Some((200, _)) = call(addr, "AddTags", &tag) else {
            break;
        };
        acked.tagged.push((id.clone(), name.clone()));
        let mut objects = on_demand_definition();
        objects[1]["fields"][2]["stringValue"] = json!(name);
        let put = json!({"pipelineId": id, "pipelineObjects": objects});
        let Some((200, _)) = call(addr, "PutPipelineDefinition", &put) else {
            break;
        };
        acked.defined.push(id.clone());
        let Some((200, _)) = call(addr, "ActivatePipeline", &json!({"pipelineId": id})) else {
            break;
        };
        let Some((200, task)) = call(addr, "PollForTask", &json!({"workerGroup": name})) else {
            break;
        };
        let task = &task["taskObject"];
        let (task_id, attempt) = (task["taskId"].clone(), task["attemptId"].as_str().unwrap().to_string());
        let status = json!({"taskId": task_id, "taskStatus": "FINISHED"});
        let Some((200, _)) = call(addr, "SetTaskStatus", &status) else {
            break;
        };
        acked.finished.push((id, attempt));
        progress.fetch_add(1, Ordering::SeqCst);
        // The account's limit of 100 pipelines: 4 writers stop before it.
        if i >= 23 {
            break;
        }
    }
    acked
}

#[test]
fn a_kill_9_in_the_middle_of_writes_loses_nothing_acknowledged() {
    use serde_json::json;
    let dir = TempDir::new("serve-state");
    let state = dir.path().join("state");
    let state_arg = state.to_str().unwrap().to_string();
    // A small journal limit, so that snapshots replace the journal during the load.
    let args = ["--state-dir", &state_arg, "--compact-after-bytes", "10000"];
    let serve = Serve::start(&dir, &args);
    let progress = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (addr, progress) = (serve.addr.clone(), progress.clone());
            std::thread::spawn(move || write_until_killed(&addr, w, &progress))
        })
        .collect();
    // Kill once every kind of write has been acknowledged a few times, with the
    // writers still going (they stop after 96 tasks).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while progress.load(Ordering::SeqCst) < 12 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(serve);
    let acked: Vec<Acknowledged> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let finished: usize = acked.iter().map(|a| a.finished.len()).sum();
    assert!(
        (12..96).contains(&finished),
        "killed in the middle of the load ({finished} tasks finished)"
    );

    let files: Vec<String> = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().any(|f| f.starts_with("snapshot-")),
        "compaction ran: {files:?}"
    );
    assert!(
        files.len() <= 3,
        "one snapshot and one journal (and perhaps an unfinished .tmp): {files:?}"
    );

    let serve = Serve::start(&dir, &args);
    for a in &acked {
        for (id, name) in &a.created {
            let v = serve.ok("DescribePipelines", json!({"pipelineIds": [id]}));
            assert_eq!(v["pipelineDescriptionList"][0]["name"], json!(name));
        }
        for (id, name) in &a.tagged {
            let v = serve.ok("DescribePipelines", json!({"pipelineIds": [id]}));
            assert_eq!(
                v["pipelineDescriptionList"][0]["tags"],
                json!([{"key": "writer", "value": name}]),
                "{id}"
            );
        }
        for id in &a.defined {
            let v = serve.ok("GetPipelineDefinition", json!({"pipelineId": id}));
            assert_eq!(v["pipelineObjects"].as_array().map(Vec::len), Some(2), "{id}: {v}");
        }
        for (id, attempt) in &a.finished {
            let v = serve.ok("DescribeObjects", json!({"pipelineId": id, "objectIds": [attempt]}));
            let fields = v["pipelineObjects"][0]["fields"].as_array().unwrap();
            assert!(
                fields.contains(&json!({"key": "@status", "stringValue": "FINISHED"})),
                "{attempt}: {v}"
            );
        }
    }
}

#[test]
fn a_damaged_state_folder_is_refused_at_start_never_emptied() {
    let dir = TempDir::new("serve-state-damaged");
    let state = dir.path().join("state");
    let state_arg = state.to_str().unwrap().to_string();
    {
        let serve = Serve::start(&dir, &["--state-dir", &state_arg]);
        serve.ok(
            "CreatePipeline",
            serde_json::json!({"name": "keep", "uniqueId": "keep"}),
        );
        serve.ok(
            "CreatePipeline",
            serde_json::json!({"name": "keep2", "uniqueId": "keep2"}),
        );
    }
    let journal = state.join("journal-0.log");
    let written = std::fs::read_to_string(&journal).unwrap();
    let damaged = written.replacen("keep", "kept", 1);
    std::fs::write(&journal, &damaged).unwrap();
    let out = dpconform(&dir, &["serve", "--port", "0", "--no-auth", "--state-dir", &state_arg]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:1: damaged journal line", journal.display())),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), damaged, "left as it was");

    let not_a_folder = dir.write("file", "x");
    let out = dpconform(
        &dir,
        &["serve", "--port", "0", "--state-dir", not_a_folder.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a folder"), "{}", text(&out.stderr));
}

#[test]
fn a_run_that_bursts_over_the_rate_of_serve_throttle_passes_with_its_retries_reported() {
    // ListPipelines: a burst of 100, then 1 call per second. One case of 105
    // calls in a row: the last ones are throttled until the bucket refills
    // (unless sending the burst took over five seconds: a margin for a loaded machine).
    let steps: Vec<serde_json::Value> = (0..105)
        .map(|i| serde_json::json!({"name": format!("list {i}"), "operation": "ListPipelines", "body": {}}))
        .collect();
    let case = serde_json::json!({
        "about": "more ListPipelines calls than the burst allows",
        "source": "self-test", "grade": "documented",
        "steps": steps,
    });
    let dir = TempDir::new("serve-throttle");
    dir.write("cases/t/burst.json", &case.to_string());
    let serve = Serve::start(&dir, &["--throttle"]);
    let url = format!("http://{}", serve.addr);
    let run = dpconform(
        &dir,
        &["run", "--endpoint", &url, "--report-dir", "r", "--progress", "plain"],
    );
    let stdout = text(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{stdout}{}", text(&run.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r/report.json")).unwrap()).unwrap();
    let steps = report["cases"][0]["steps"].as_array().unwrap();
    let throttled: Vec<(usize, u64)> = steps
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s["throttled"].as_u64().map(|n| (i, n)))
        .collect();
    // The burst passes untouched; the calls after it waited for the refill (both,
    // unless sending the burst itself took over a second).
    assert!(
        !throttled.is_empty() && throttled.iter().all(|(i, _)| *i >= 100),
        "{throttled:?}"
    );
    let total: u64 = throttled.iter().map(|(_, n)| n).sum();
    assert!(
        stdout.contains(&format!("({total} more throttled, sent again after a backoff)")),
        "{stdout}"
    );
    // Without --throttle nothing is throttled.
    drop(serve);
    let serve = Serve::start(&dir, &[]);
    let url = format!("http://{}", serve.addr);
    let run = dpconform(&dir, &["run", "--endpoint", &url, "--report-dir", "r2"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stdout));
    assert!(!text(&run.stdout).contains("throttled"), "{}", text(&run.stdout));
}

#[test]
fn deletion_delay_sets_how_long_a_deleted_pipeline_is_still_described() {
    use serde_json::json;
    let dir = TempDir::new("serve-deletion");
    let describe = |serve: &Serve, id: &str| {
        let (status, v) = call(&serve.addr, "DescribePipelines", &json!({"pipelineIds": [id]})).expect("serve answers");
        (status, v["__type"].as_str().unwrap_or_default().to_string())
    };
    let create_and_delete = |serve: &Serve| {
        let id = serve.ok("CreatePipeline", json!({"name": "d", "uniqueId": "d"}))["pipelineId"]
            .as_str()
            .unwrap()
            .to_string();
        serve.ok("DeletePipeline", json!({"pipelineId": id}));
        id
    };
    // A long phase: still described right after the delete.
    let long = Serve::start(&dir, &["--deletion-delay", "30"]);
    let id = create_and_delete(&long);
    assert_eq!(describe(&long, &id), (200, String::new()));
    // None: refused at once.
    let none = Serve::start(&dir, &["--deletion-delay", "0"]);
    let id = create_and_delete(&none);
    let (status, error) = describe(&none, &id);
    assert_eq!(status, 400);
    assert!(error.ends_with("PipelineDeletedException"), "{error}");
    // Out of range: refused with the option's words.
    let out = dpconform_command(&dir)
        .args(["serve", "--deletion-delay", "61"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("from 0 to 60"));
}

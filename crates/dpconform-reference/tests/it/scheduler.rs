//! The scheduler's state transitions, driven through the API on a manual
//! clock: activation, instances and attempts, task runners, retries,
//! SetStatus and deactivation.

use crate::common::{hourly, object, ondemand, Fixture};
use serde_json::json;

const I0: &str = "@SayHello_2012-12-12T00:00:00";
const I1: &str = "@SayHello_2012-12-12T01:00:00";

fn a(inst: &str, n: u32) -> String {
    format!("{inst}_Attempt={n}")
}

#[test]
fn activate_poll_progress_finish() {
    let f = Fixture::new();
    let id = f.activated("p", hourly(&[]));
    assert_eq!(f.pipeline_field(&id, "@pipelineState").as_deref(), Some("SCHEDULED"));
    // 01:30 with an hourly schedule from 00:00: the first interval is due,
    // the second waits for it (maxActiveInstances defaults to 1).
    assert_eq!(f.query(&id, "INSTANCE", json!([])), vec![I0]);
    assert_eq!(f.status(&id, I0), "WAITING_FOR_RUNNER");
    assert_eq!(f.status(&id, &a(I0, 1)), "WAITING_FOR_RUNNER");

    assert!(f.poll("WG").is_none(), "worker groups are case-sensitive");
    assert!(f.poll("other").is_none());
    let task = f.poll("wg").expect("a task for wg");
    assert_eq!(task["pipelineId"], id.as_str());
    assert_eq!(task["attemptId"], a(I0, 1));
    let obj = &task["objects"][a(I0, 1)];
    let fields = obj["fields"].as_array().unwrap();
    for expected in [
        json!({"key": "@sphere", "stringValue": "ATTEMPT"}),
        json!({"key": "@status", "stringValue": "WAITING_FOR_RUNNER"}),
        json!({"key": "@instanceParent", "refValue": I0}),
        json!({"key": "@componentParent", "refValue": "SayHello"}),
        json!({"key": "command", "stringValue": "echo hello"}),
        json!({"key": "workerGroup", "stringValue": "wg"}),
        json!({"key": "@scheduledStartTime", "stringValue": "2012-12-12T00:00:00"}),
        json!({"key": "@actualStartTime", "stringValue": "2012-12-12T01:30:00"}),
    ] {
        assert!(fields.contains(&expected), "{expected} missing from {obj}");
    }
    assert!(f.poll("wg").is_none(), "a task goes to exactly one runner");
    assert_eq!(f.status(&id, I0), "RUNNING");
    assert_eq!(f.field(&id, &a(I0, 1), "hostname").as_deref(), Some("runner-1"));

    f.advance(30);
    let progress = f.ok(
        "ReportTaskProgress",
        json!({"taskId": task["taskId"], "fields": [{"key": "percentComplete", "stringValue": "50"}]}),
    );
    assert_eq!(progress, json!({"canceled": false}));
    assert_eq!(f.field(&id, &a(I0, 1), "percentComplete").as_deref(), Some("50"));
    assert_eq!(
        f.field(&id, &a(I0, 1), "reportProgressTime").as_deref(),
        Some("2012-12-12T01:30:30")
    );
    assert_eq!(
        f.ok(
            "ReportTaskRunnerHeartbeat",
            json!({"taskrunnerId": "r1", "workerGroup": "wg"})
        ),
        json!({"terminate": false})
    );

    f.advance(30);
    assert_eq!(
        f.ok(
            "SetTaskStatus",
            json!({"taskId": task["taskId"], "taskStatus": "FINISHED"})
        ),
        json!({})
    );
    assert_eq!(f.status(&id, I0), "FINISHED");
    assert_eq!(f.status(&id, &a(I0, 1)), "FINISHED");
    assert_eq!(
        f.field(&id, I0, "@actualEndTime").as_deref(),
        Some("2012-12-12T01:31:00")
    );
    assert_eq!(f.pipeline_field(&id, "@healthStatus").as_deref(), Some("HEALTHY"));
    // The task id is spent.
    assert_eq!(
        f.err("ReportTaskProgress", json!({"taskId": task["taskId"]})),
        "TaskNotFoundException"
    );
    // The next interval's instance is created now that the first ended.
    assert_eq!(f.query(&id, "INSTANCE", json!([])), vec![I0, I1]);
    let next = f.poll("wg").unwrap();
    assert_eq!(next["attemptId"], a(I1, 1));
    // Nothing more is due before 02:00.
    f.ok(
        "SetTaskStatus",
        json!({"taskId": next["taskId"], "taskStatus": "FINISHED"}),
    );
    assert!(f.poll("wg").is_none());
    assert_eq!(
        f.pipeline_field(&id, "@nextRunTime").as_deref(),
        Some("2012-12-12T02:00:00")
    );
    f.advance(30 * 60);
    assert_eq!(
        f.poll("wg").unwrap()["attemptId"],
        a("@SayHello_2012-12-12T02:00:00", 1)
    );
}

#[test]
fn failures_are_retried_up_to_maximum_retries() {
    let f = Fixture::new();
    let id = f.activated("p", hourly(&[("maximumRetries", "1")]));
    let t1 = f.poll("wg").unwrap();
    f.ok(
        "SetTaskStatus",
        json!({"taskId": t1["taskId"], "taskStatus": "FAILED", "errorId": "E1", "errorMessage": "boom"}),
    );
    assert_eq!(f.status(&id, &a(I0, 1)), "FAILED");
    assert_eq!(f.field(&id, &a(I0, 1), "errorMessage").as_deref(), Some("boom"));
    assert_eq!(f.status(&id, I0), "WAITING_FOR_RUNNER", "retrying, not failed yet");
    let t2 = f.poll("wg").unwrap();
    assert_eq!(t2["attemptId"], a(I0, 2));
    f.ok(
        "SetTaskStatus",
        json!({"taskId": t2["taskId"], "taskStatus": "FAILED", "errorMessage": "again"}),
    );
    assert_eq!(f.status(&id, I0), "FAILED");
    assert_eq!(f.field(&id, I0, "errorMessage").as_deref(), Some("again"));
    let attempts = json!([{"fieldName": "@instanceParent", "operator": {"type": "REF_EQ", "values": [I0]}}]);
    assert_eq!(f.query(&id, "ATTEMPT", attempts), vec![a(I0, 1), a(I0, 2)]);
    assert_eq!(f.pipeline_field(&id, "@healthStatus").as_deref(), Some("ERROR"));
}

#[test]
fn default_retries_and_retry_delay() {
    let f = Fixture::new();
    let id = f.activated("p", hourly(&[("retryDelay", "10 minutes")]));
    for n in 1..=3 {
        let t = f.poll("wg").unwrap_or_else(|| panic!("attempt {n}"));
        assert_eq!(t["attemptId"], a(I0, n));
        f.ok("SetTaskStatus", json!({"taskId": t["taskId"], "taskStatus": "FAILED"}));
        if n < 3 {
            assert!(f.poll("wg").is_none(), "the retry waits for retryDelay");
            f.advance(600);
        }
    }
    assert_eq!(f.status(&id, I0), "FAILED", "2 retries by default, then FAILED");
}

#[test]
fn set_status_pause_resume_cancel_rerun_mark_finished() {
    let f = Fixture::new();
    let id = f.activated("p", hourly(&[]));
    let set = |ids: serde_json::Value, status: &str| {
        f.call(
            "SetStatus",
            json!({"pipelineId": id, "objectIds": ids, "status": status}),
        )
    };
    let (status, body) = set(json!(["SayHello"]), "PAUSE");
    assert_eq!(
        (status, body),
        (200, serde_json::Value::Null),
        "SetStatus answers no body"
    );
    assert_eq!(f.status(&id, "SayHello"), "PAUSED");
    assert_eq!(f.status(&id, I0), "PAUSED");
    assert!(f.poll("wg").is_none(), "a paused component hands out nothing");
    assert_eq!(
        set(json!(["SayHello"]), "resume").0,
        200,
        "statuses are case-insensitive"
    );
    assert_eq!(f.status(&id, I0), "WAITING_FOR_RUNNER");

    let t = f.poll("wg").unwrap();
    assert_eq!(set(json!([I0]), "TRY_CANCEL").0, 200);
    assert_eq!(f.status(&id, I0), "CANCELED");
    assert_eq!(
        f.ok("ReportTaskProgress", json!({"taskId": t["taskId"]})),
        json!({"canceled": true})
    );
    assert_eq!(
        f.ok(
            "SetTaskStatus",
            json!({"taskId": t["taskId"], "taskStatus": "FINISHED"})
        ),
        json!({})
    );
    assert_eq!(f.status(&id, I0), "CANCELED", "a report after cancel changes nothing");
    assert_eq!(f.pipeline_field(&id, "@healthStatus").as_deref(), Some("ERROR"));

    assert_eq!(set(json!([I0]), "RERUN").0, 200);
    assert_eq!(f.status(&id, I0), "WAITING_FOR_RUNNER");
    let t = f.poll("wg").unwrap();
    assert_eq!(t["attemptId"], a(I0, 2));
    f.ok("SetTaskStatus", json!({"taskId": t["taskId"], "taskStatus": "FAILED"}));
    f.ok(
        "SetTaskStatus",
        json!({"taskId": f.poll("wg").unwrap()["taskId"], "taskStatus": "FAILED"}),
    );
    f.ok(
        "SetTaskStatus",
        json!({"taskId": f.poll("wg").unwrap()["taskId"], "taskStatus": "FAILED"}),
    );
    assert_eq!(f.status(&id, I0), "FAILED");
    assert_eq!(set(json!([I0]), "MARK_FINISHED").0, 200);
    assert_eq!(f.status(&id, I0), "MARK_FINISHED");
    assert_eq!(f.pipeline_field(&id, "@healthStatus").as_deref(), Some("HEALTHY"));

    for (ids, status) in [
        (json!([I0]), "PAUSE"),
        (json!(["SayHello"]), "RERUN"),
        (json!(["SayHello", I0]), "PAUSE"),
        (json!(["nope"]), "PAUSE"),
        (json!([a(I0, 1)]), "RERUN"),
        (json!(["SayHello"]), "CANCEL"),
    ] {
        assert_eq!(
            f.err(
                "SetStatus",
                json!({"pipelineId": id, "objectIds": ids, "status": status})
            ),
            "InvalidRequestException",
            "{ids} {status}"
        );
    }
}

#[test]
fn deactivate_with_and_without_cancel_active() {
    let f = Fixture::new();
    let id = f.activated("p", hourly(&[]));
    let t = f.poll("wg").unwrap();
    f.advance(60);
    assert_eq!(f.ok("DeactivatePipeline", json!({"pipelineId": id})), json!({}));
    assert_eq!(f.pipeline_field(&id, "@pipelineState").as_deref(), Some("INACTIVE"));
    assert_eq!(f.status(&id, I0), "CANCELED", "cancelActive defaults to true");
    assert_eq!(
        f.ok("ReportTaskProgress", json!({"taskId": t["taskId"]})),
        json!({"canceled": true})
    );
    assert_eq!(
        f.field(&id, "SayHello", "@lastDeactivatedTime").as_deref(),
        Some("2012-12-12T01:31:00")
    );
    // Re-activation resumes with the next interval.
    f.ok("ActivatePipeline", json!({"pipelineId": id}));
    assert_eq!(f.pipeline_field(&id, "@pipelineState").as_deref(), Some("SCHEDULED"));
    let t = f.poll("wg").unwrap();
    assert_eq!(t["attemptId"], a(I1, 1));

    f.ok("DeactivatePipeline", json!({"pipelineId": id, "cancelActive": false}));
    assert_eq!(f.status(&id, I1), "RUNNING", "running work goes on");
    assert_eq!(
        f.ok("ReportTaskProgress", json!({"taskId": t["taskId"]})),
        json!({"canceled": false})
    );
    f.ok(
        "SetTaskStatus",
        json!({"taskId": t["taskId"], "taskStatus": "FINISHED"}),
    );
    assert_eq!(f.status(&id, I1), "FINISHED");
    f.advance(3600);
    assert!(f.poll("wg").is_none(), "an inactive pipeline makes no new work");
    f.ok("ActivatePipeline", json!({"pipelineId": id}));
    assert!(f.poll("wg").is_some());
}

#[test]
fn timeseries_occurrences_and_finished_pipeline() {
    let f = Fixture::new();
    let objects = json!([
        object(
            "Default",
            &[
                ("scheduleType", "timeseries"),
                ("workerGroup", "wg"),
                ("pipelineLogUri", "s3://l/")
            ]
        ),
        object(
            "Twice",
            &[
                ("type", "Schedule"),
                ("period", "1 hour"),
                ("startDateTime", "2012-12-12T00:00:00"),
                ("occurrences", "2")
            ]
        ),
        object(
            "SayHello",
            &[
                ("type", "ShellCommandActivity"),
                ("command", "x"),
                ("schedule", "&Twice")
            ]
        ),
    ]);
    let id = f.activated("p", objects);
    // timeseries: an instance is made at the end of its interval; at 01:30
    // only 00:00-01:00 has ended.
    let t = f.poll("wg").unwrap();
    assert_eq!(t["attemptId"], a(I0, 1));
    f.ok(
        "SetTaskStatus",
        json!({"taskId": t["taskId"], "taskStatus": "FINISHED"}),
    );
    assert!(f.poll("wg").is_none());
    f.advance(30 * 60);
    let t = f.poll("wg").unwrap();
    assert_eq!(t["attemptId"], a(I1, 1));
    f.ok(
        "SetTaskStatus",
        json!({"taskId": t["taskId"], "taskStatus": "FINISHED"}),
    );
    f.advance(3600);
    assert!(f.poll("wg").is_none());
    assert_eq!(f.pipeline_field(&id, "@pipelineState").as_deref(), Some("FINISHED"));
    assert_eq!(
        f.err(
            "PutPipelineDefinition",
            json!({"pipelineId": id, "pipelineObjects": hourly(&[])})
        ),
        "InvalidRequestException"
    );
    assert_eq!(
        f.err(
            "SetStatus",
            json!({"pipelineId": id, "objectIds": ["SayHello"], "status": "PAUSE"})
        ),
        "InvalidRequestException"
    );
}

#[test]
fn start_timestamp_skips_earlier_intervals() {
    let f = Fixture::new();
    let id = f.create("p");
    f.ok(
        "PutPipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": hourly(&[])}),
    );
    // 2012-12-12T01:00:00
    f.ok(
        "ActivatePipeline",
        json!({"pipelineId": id, "startTimestamp": 1_355_274_000}),
    );
    assert_eq!(f.query(&id, "INSTANCE", json!([])), vec![I1]);
}

#[test]
fn depends_on_waits_for_the_same_interval() {
    let f = Fixture::new();
    let mut objects = hourly(&[]);
    objects.as_array_mut().unwrap().push(object(
        "After",
        &[
            ("type", "ShellCommandActivity"),
            ("command", "y"),
            ("schedule", "&Hourly"),
            ("dependsOn", "&SayHello"),
        ],
    ));
    let id = f.activated("p", objects);
    let after = "@After_2012-12-12T00:00:00";
    assert_eq!(f.status(&id, after), "WAITING_ON_DEPENDENCIES");
    let t = f.poll("wg").unwrap();
    assert_eq!(t["attemptId"], a(I0, 1));
    assert!(f.poll("wg").is_none(), "After waits for SayHello");
    f.ok(
        "SetTaskStatus",
        json!({"taskId": t["taskId"], "taskStatus": "FINISHED"}),
    );
    assert_eq!(f.status(&id, after), "WAITING_FOR_RUNNER");
    let polled: Vec<String> = (0..2)
        .filter_map(|_| f.poll("wg"))
        .map(|t| t["attemptId"].as_str().unwrap().to_string())
        .collect();
    assert!(polled.contains(&a(after, 1)), "{polled:?}");
}

#[test]
fn task_errors_and_deleted_pipelines() {
    let f = Fixture::new();
    let id = f.activated("p", ondemand(&[]));
    let t = f.poll("wg").unwrap();
    assert_eq!(
        f.err(
            "SetTaskStatus",
            json!({"taskId": t["taskId"], "taskStatus": "FAILED", "errorId": "Service_X"})
        ),
        "InvalidRequestException"
    );
    assert_eq!(
        f.err("SetTaskStatus", json!({"taskId": "nope", "taskStatus": "FINISHED"})),
        "TaskNotFoundException"
    );
    assert_eq!(
        f.err("ReportTaskProgress", json!({"taskId": "nope"})),
        "TaskNotFoundException"
    );
    f.ok("DeletePipeline", json!({"pipelineId": id}));
    assert_eq!(
        f.ok("ReportTaskProgress", json!({"taskId": t["taskId"]})),
        json!({"canceled": true})
    );
    assert_eq!(
        f.ok(
            "SetTaskStatus",
            json!({"taskId": t["taskId"], "taskStatus": "FINISHED"})
        ),
        json!({})
    );
}

#[test]
fn runs_on_without_worker_group_waits_for_a_runner() {
    let f = Fixture::new();
    let objects = json!([
        object(
            "Default",
            &[("scheduleType", "ondemand"), ("pipelineLogUri", "s3://l/")]
        ),
        object(
            "Ec2",
            &[
                ("type", "Ec2Resource"),
                ("terminateAfter", "1 hour"),
                ("role", "DataPipelineDefaultRole"),
                ("resourceRole", "DataPipelineDefaultResourceRole")
            ]
        ),
        object(
            "Run",
            &[
                ("type", "ShellCommandActivity"),
                ("command", "x"),
                ("runsOn", "&Ec2"),
                ("workerGroup", "wg")
            ]
        ),
    ]);
    let id = f.activated("p", objects);
    assert!(f.poll("wg").is_none(), "runsOn wins over workerGroup");
    assert_eq!(f.status(&id, "@Run_2012-12-12T01:30:00"), "WAITING_FOR_RUNNER");
    // The resource has an instance too, running while its activity waits.
    assert_eq!(f.status(&id, "@Ec2_2012-12-12T01:30:00"), "RUNNING");
}

/// Data nodes and resources get instances (DG: their types have the invocation
/// field `schedule`): an input node is FINISHED at once, an output node waits for
/// its activity, a resource ends after the activities that run on it.
#[test]
fn data_nodes_and_resources_get_instances() {
    let f = Fixture::new();
    let objects = json!([
        object(
            "Default",
            &[
                ("scheduleType", "cron"),
                ("pipelineLogUri", "s3://l/"),
                ("schedule", "&Hourly")
            ]
        ),
        object(
            "Hourly",
            &[
                ("type", "Schedule"),
                ("period", "1 hour"),
                ("startDateTime", "2012-12-12T01:00:00"),
                ("occurrences", "1")
            ]
        ),
        object("In", &[("type", "S3DataNode"), ("filePath", "s3://b/in")]),
        object("Out", &[("type", "S3DataNode"), ("directoryPath", "s3://b/out")]),
        object(
            "Ec2",
            &[
                ("type", "Ec2Resource"),
                ("role", "r"),
                ("resourceRole", "rr"),
                ("terminateAfter", "1 hour")
            ]
        ),
        object(
            "Copy",
            &[
                ("type", "ShellCommandActivity"),
                ("command", "x"),
                ("input", "&In"),
                ("output", "&Out"),
                ("workerGroup", "wg")
            ]
        ),
        object(
            "OnEc2",
            &[("type", "ShellCommandActivity"), ("command", "y"), ("runsOn", "&Ec2")]
        ),
    ]);
    let id = f.activated("p", objects);
    let at = "2012-12-12T01:00:00";
    assert_eq!(f.status(&id, &format!("@In_{at}")), "FINISHED");
    assert_eq!(f.status(&id, &format!("@Out_{at}")), "WAITING_ON_DEPENDENCIES");
    assert_eq!(f.status(&id, &format!("@Ec2_{at}")), "RUNNING");
    // Every instance has started at creation, waiting ones included.
    assert_eq!(
        f.field(&id, &format!("@Copy_{at}"), "@actualStartTime").as_deref(),
        Some("2012-12-12T01:30:00")
    );
    assert_eq!(f.query(&id, "INSTANCE", json!([])).len(), 5);
    let task = f.poll("wg").expect("the activity is handed out");
    f.ok(
        "SetTaskStatus",
        json!({"taskId": task["taskId"], "taskStatus": "FINISHED"}),
    );
    assert_eq!(f.status(&id, &format!("@Out_{at}")), "FINISHED");
    assert_eq!(f.status(&id, &format!("@Ec2_{at}")), "RUNNING", "OnEc2 still waits");
    let on_ec2 = format!("@OnEc2_{at}");
    f.ok(
        "SetStatus",
        json!({"pipelineId": id, "objectIds": [on_ec2], "status": "MARK_FINISHED"}),
    );
    f.advance(1);
    assert_eq!(f.status(&id, &format!("@Ec2_{at}")), "FINISHED");
    assert_eq!(f.pipeline_field(&id, "@pipelineState").as_deref(), Some("FINISHED"));
    assert_eq!(
        f.pipeline_field(&id, "@finishedTime").as_deref(),
        Some("2012-12-12T01:30:01")
    );
}

/// M (ReportTaskProgress): a task not acknowledged within 2 minutes is
/// reassigned; its old task id is spent. An acknowledged one stays.
#[test]
fn an_unacknowledged_task_is_reassigned_after_two_minutes() {
    let f = Fixture::new();
    let id = f.activated("p", ondemand(&[]));
    let attempt = f.query(&id, "ATTEMPT", json!([])).pop().unwrap();
    // The answer to this poll never reached its runner.
    let lost = f.poll("wg").unwrap();
    f.advance(119);
    assert!(f.poll("wg").is_none(), "not before 2 minutes");
    assert_eq!(f.status(&id, &attempt), "RUNNING");
    f.advance(1);
    assert_eq!(f.status(&id, &attempt), "WAITING_FOR_RUNNER");
    assert_eq!(f.field(&id, &attempt, "hostname"), None);
    let again = f.poll("wg").expect("the task is handed out again");
    assert_eq!(again["attemptId"], attempt.as_str(), "the same attempt, not a retry");
    assert_ne!(again["taskId"], lost["taskId"]);
    assert_eq!(
        f.err("ReportTaskProgress", json!({"taskId": lost["taskId"]})),
        "TaskNotFoundException"
    );
    assert_eq!(
        f.err(
            "SetTaskStatus",
            json!({"taskId": lost["taskId"], "taskStatus": "FINISHED"})
        ),
        "TaskNotFoundException"
    );

    // Acknowledged in time: kept however long the runner then takes.
    f.advance(60);
    assert_eq!(
        f.ok("ReportTaskProgress", json!({"taskId": again["taskId"]})),
        json!({"canceled": false})
    );
    f.advance(600);
    assert!(f.poll("wg").is_none());
    f.ok(
        "SetTaskStatus",
        json!({"taskId": again["taskId"], "taskStatus": "FINISHED"}),
    );
    assert_eq!(f.status(&id, &attempt), "FINISHED");
    assert_eq!(f.query(&id, "ATTEMPT", json!([])).len(), 1, "no retry was consumed");
}

//! The control routes: `/_dpconform/reset` and `/_dpconform/clock`, signed like
//! API calls.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dpconform_reference::{Config, ManualClock, Reference, Regions, TEST_ACCESS_KEY, TEST_SECRET_KEY};
use serde_json::json;

use crate::common::{object, Caller};

const WEST: Caller = Caller {
    key: TEST_ACCESS_KEY,
    secret: TEST_SECRET_KEY,
    region: "us-west-2",
};
const EAST: Caller = Caller {
    region: "us-east-1",
    ..WEST
};

fn any_region() -> Reference {
    Reference::new(Config::embedded().with_regions(Regions::Any))
}

fn create(caller: Caller, reference: &Reference, name: &str) {
    caller.ok(reference, "CreatePipeline", json!({"name": name, "uniqueId": name}));
}

#[test]
fn reset_empties_the_callers_account_and_region_only() {
    let reference = any_region();
    create(WEST, &reference, "w");
    create(EAST, &reference, "e");
    assert_eq!(WEST.ok(&reference, "/_dpconform/reset", json!({})), json!({}));
    assert!(WEST.listed(&reference).is_empty());
    assert_eq!(EAST.listed(&reference).len(), 1);
    // Emptied, not broken: the region takes new pipelines.
    create(WEST, &reference, "w");
    assert_eq!(WEST.listed(&reference).len(), 1);
}

#[test]
fn reset_all_empties_every_account_and_region() {
    let reference = any_region();
    create(WEST, &reference, "w");
    create(EAST, &reference, "e");
    WEST.ok(&reference, "/_dpconform/reset", json!({"all": true}));
    assert!(WEST.listed(&reference).is_empty());
    assert!(EAST.listed(&reference).is_empty());
    assert_eq!(reference.store_sizes().pipelines, 0);
}

#[test]
fn control_routes_are_authenticated() {
    let reference = any_region();
    create(WEST, &reference, "w");
    let unsigned = http::Request::builder()
        .method("POST")
        .uri("/_dpconform/reset")
        .body(bytes::Bytes::from_static(br#"{"all":true}"#))
        .unwrap();
    let r = reference.handle(unsigned);
    assert_eq!(r.status(), 400);
    assert!(std::str::from_utf8(r.body())
        .unwrap()
        .contains("MissingAuthenticationToken"));
    let wrong_secret = Caller {
        secret: "not the secret",
        ..WEST
    };
    let (status, v) = wrong_secret.call(&reference, "/_dpconform/reset", json!({"all": true}));
    assert_eq!((status, v["__type"].as_str()), (400, Some("InvalidSignatureException")));
    assert_eq!(WEST.listed(&reference).len(), 1);
}

#[test]
fn the_clock_moves_only_when_manual() {
    let reference = any_region();
    let (status, v) = WEST.call(&reference, "/_dpconform/clock", json!({"advance_seconds": 60}));
    assert_eq!((status, v["__type"].as_str()), (400, Some("InvalidRequestException")));
    assert!(v["message"].as_str().unwrap().contains("--clock manual"), "{v}");
}

/// A timeseries pipeline's first instance falls due at the end of its first
/// hour: with a manual clock, a test moves the clock instead of waiting.
#[test]
fn advancing_the_manual_clock_makes_a_scheduled_pipeline_run() {
    // A service clock a year behind the signing clock: signatures still verify.
    let start = SystemTime::now() - Duration::from_secs(365 * 86_400);
    let clock = Arc::new(ManualClock::new(start));
    let reference = Reference::new(
        Config::embedded()
            .with_regions(Regions::Any)
            .with_manual_clock(clock.clone()),
    );
    let now = WEST.ok(&reference, "/_dpconform/clock", json!({}));
    let start_text = now["time"].as_str().unwrap().to_string();
    assert_eq!(
        now["now"].as_f64().unwrap().floor() as i64,
        (start.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()) as i64
    );

    let id = EAST.ok(&reference, "CreatePipeline", json!({"name": "ts", "uniqueId": "ts"}))["pipelineId"].clone();
    let objects = json!([
        object(
            "Default",
            &[
                ("scheduleType", "timeseries"),
                ("workerGroup", "wg"),
                ("pipelineLogUri", "s3://logs/")
            ]
        ),
        object(
            "Hourly",
            &[
                ("type", "Schedule"),
                ("period", "1 hour"),
                ("startDateTime", &start_text)
            ]
        ),
        object(
            "Act",
            &[
                ("type", "ShellCommandActivity"),
                ("command", "true"),
                ("schedule", "&Hourly")
            ]
        ),
    ]);
    let put = EAST.ok(
        &reference,
        "PutPipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": objects}),
    );
    assert_eq!(put["errored"], false, "{put}");
    EAST.ok(&reference, "ActivatePipeline", json!({"pipelineId": id}));
    let poll = || EAST.ok(&reference, "PollForTask", json!({"workerGroup": "wg"}));
    assert!(
        poll().get("taskObject").is_none(),
        "nothing is due before the hour ends"
    );

    let moved = EAST.ok(&reference, "/_dpconform/clock", json!({"advance_seconds": 3600}));
    assert_eq!(moved["now"].as_f64().unwrap() - now["now"].as_f64().unwrap(), 3600.0);
    let task = poll();
    let attempt = task["taskObject"]["attemptId"]
        .as_str()
        .expect("a task once the hour is over");
    assert_eq!(attempt, format!("@Act_{start_text}_Attempt=1"));
}

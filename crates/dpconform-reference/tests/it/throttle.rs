//! `Config::throttle` (`dpconform serve --throttle`): the documented per-account
//! call rates, on a manual clock.

use std::sync::Arc;
use std::time::Duration;

use dpconform_reference::{Auth, Clock, Config, Credential, ManualClock, Reference};
use serde_json::json;

use crate::common::{Caller, Fixture, T0};

/// A reference without authentication, throttling, on a manual clock at [`T0`].
fn throttled() -> Fixture {
    let clock = Arc::new(ManualClock::at_unix(T0));
    let config = Config::embedded()
        .without_auth()
        .with_clock(clock.clone())
        .with_throttle(true);
    Fixture {
        reference: Reference::new(config),
        clock,
    }
}

/// How many of `n` calls of `op` in a row are answered 200; every other answer
/// must be the throttling error.
fn admitted(f: &Fixture, op: &str, body: serde_json::Value, n: usize) -> usize {
    let mut ok = 0;
    for _ in 0..n {
        let (status, v) = f.call(op, body.clone());
        if status == 200 {
            ok += 1;
        } else {
            assert_eq!(status, 400, "{op}: {v}");
            assert_eq!(v["__type"], "ThrottlingException", "{op}: {v}");
            assert_eq!(v["message"], "Rate exceeded", "{op}: {v}");
        }
    }
    ok
}

#[test]
fn off_by_default() {
    let f = Fixture::new();
    assert_eq!(admitted(&f, "ListPipelines", json!({}), 150), 150);
}

#[test]
fn a_burst_of_100_then_refusals_until_the_rate_refills() {
    let f = throttled();
    assert_eq!(admitted(&f, "ListPipelines", json!({}), 120), 100);
    // 1 call per second.
    f.clock.advance(Duration::from_millis(500));
    assert_eq!(admitted(&f, "ListPipelines", json!({}), 3), 0);
    f.clock.advance(Duration::from_millis(500));
    assert_eq!(admitted(&f, "ListPipelines", json!({}), 3), 1);
    f.advance(5);
    assert_eq!(admitted(&f, "ListPipelines", json!({}), 10), 5);
    // Saving up stops at the burst.
    f.advance(3600);
    assert_eq!(admitted(&f, "ListPipelines", json!({}), 120), 100);
}

#[test]
fn each_action_has_its_own_bucket_and_rate() {
    let f = throttled();
    assert_eq!(admitted(&f, "ListPipelines", json!({}), 101), 100);
    // Another action's bucket is full.
    let progress = json!({"taskId": "no-such-task"});
    for _ in 0..100 {
        let (status, v) = f.call("ReportTaskProgress", progress.clone());
        assert_eq!(
            (status, v["__type"].as_str()),
            (400, Some("TaskNotFoundException")),
            "{v}"
        );
    }
    assert_eq!(f.err("ReportTaskProgress", progress.clone()), "ThrottlingException");
    // ReportTaskProgress refills at 10 calls per second, DescribeObjects at 2.
    f.clock.advance(Duration::from_millis(100));
    assert_eq!(f.err("ReportTaskProgress", progress.clone()), "TaskNotFoundException");
    assert_eq!(f.err("ReportTaskProgress", progress), "ThrottlingException");
    let describe = json!({"pipelineId": "df-NOSUCH", "objectIds": ["x"]});
    for _ in 0..100 {
        assert_eq!(f.err("DescribeObjects", describe.clone()), "PipelineNotFoundException");
    }
    assert_eq!(f.err("DescribeObjects", describe.clone()), "ThrottlingException");
    f.clock.advance(Duration::from_millis(500));
    assert_eq!(f.err("DescribeObjects", describe.clone()), "PipelineNotFoundException");
    assert_eq!(f.err("DescribeObjects", describe), "ThrottlingException");
}

#[test]
fn a_throttled_call_changes_nothing() {
    let f = throttled();
    for i in 0..101 {
        let (status, _) = f.call("CreatePipeline", json!({"name": "p", "uniqueId": format!("u{i}")}));
        assert_eq!(status, if i < 100 { 200 } else { 400 });
    }
    let (mut count, mut marker) = (0, None::<String>);
    loop {
        let body = marker.as_ref().map_or(json!({}), |m| json!({"marker": m}));
        let page = f.ok("ListPipelines", body);
        count += page["pipelineIdList"].as_array().unwrap().len();
        match page["marker"].as_str() {
            Some(m) if page["hasMoreResults"] == true => marker = Some(m.to_string()),
            _ => break,
        }
    }
    assert_eq!(count, 100);
}

#[test]
fn accounts_do_not_share_buckets() {
    let alice = Caller {
        key: "AKIDALICE00000000000",
        secret: "alice/secret",
        region: "us-east-1",
    };
    let bob = Caller {
        key: "AKIDBOB0000000000000",
        secret: "bob/secret",
        region: "us-east-1",
    };
    let mut config = Config::embedded().with_throttle(true);
    config.regions = dpconform_reference::Regions::Any;
    config.auth = Auth::Verify(vec![
        Credential {
            access_key: alice.key.into(),
            secret_key: alice.secret.into(),
            account_id: "111111111111".into(),
        },
        Credential {
            access_key: bob.key.into(),
            secret_key: bob.secret.into(),
            account_id: "222222222222".into(),
        },
    ]);
    let clock = Arc::new(ManualClock::new(std::time::SystemTime::now()));
    let reference = Reference::new(config.with_clock(clock.clone()));
    let at = clock.now();
    for _ in 0..100 {
        assert_eq!(alice.call_at(&reference, "ListPipelines", json!({}), at).0, 200);
    }
    let (status, v) = alice.call_at(&reference, "ListPipelines", json!({}), at);
    assert_eq!((status, v["__type"].as_str()), (400, Some("ThrottlingException")));
    // documented: per account; inferred: across regions.
    let alice_west = Caller {
        region: "us-west-2",
        ..alice
    };
    let (status, v) = alice_west.call_at(&reference, "ListPipelines", json!({}), at);
    assert_eq!((status, v["__type"].as_str()), (400, Some("ThrottlingException")));
    assert_eq!(bob.call_at(&reference, "ListPipelines", json!({}), at).0, 200);
}

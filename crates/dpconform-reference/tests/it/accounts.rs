//! Regions and accounts: every account and region has its own pipelines and
//! tasks; a pinned region refuses the others.

use dpconform_reference::{Auth, Config, Credential, Reference, Regions, TEST_ACCESS_KEY, TEST_SECRET_KEY};
use serde_json::json;

use crate::common::{ondemand, Caller};

const ALICE: Caller = Caller {
    key: "AKIDALICE00000000000",
    secret: "alice/secret",
    region: "us-west-2",
};
const BOB: Caller = Caller {
    key: "AKIDBOB0000000000000",
    secret: "bob/secret",
    region: "us-west-2",
};

fn two_accounts() -> Reference {
    let mut config = Config::embedded().with_regions(Regions::Any);
    config.auth = Auth::Verify(vec![
        Credential {
            access_key: ALICE.key.into(),
            secret_key: ALICE.secret.into(),
            account_id: "111111111111".into(),
        },
        Credential {
            access_key: BOB.key.into(),
            secret_key: BOB.secret.into(),
            account_id: "222222222222".into(),
        },
    ]);
    Reference::new(config)
}

fn test_key(region: &str) -> Caller<'_> {
    Caller {
        key: TEST_ACCESS_KEY,
        secret: TEST_SECRET_KEY,
        region,
    }
}

#[test]
fn each_region_has_its_own_pipelines() {
    let reference = Reference::new(Config::embedded().with_regions(Regions::Any));
    let (west, east) = (test_key("us-west-2"), test_key("us-east-1"));
    let id = west.ok(&reference, "CreatePipeline", json!({"name": "p", "uniqueId": "p"}))["pipelineId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(west.listed(&reference), vec![id.clone()]);
    assert!(east.listed(&reference).is_empty());
    let (status, v) = east.call(&reference, "DescribePipelines", json!({"pipelineIds": [id]}));
    assert_eq!((status, v["__type"].as_str()), (400, Some("PipelineNotFoundException")));
    // The same name and uniqueId in another region is another pipeline.
    let other = east.ok(&reference, "CreatePipeline", json!({"name": "p", "uniqueId": "p"}))["pipelineId"].clone();
    assert_ne!(other, json!(id));
}

#[test]
fn any_region_is_every_aws_region_but_no_made_up_one() {
    let reference = Reference::new(Config::embedded().with_regions(Regions::Any));
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1"] {
        test_key(region).ok(&reference, "ListPipelines", json!({}));
    }
    let (status, v) = test_key("xx-nowhere-9").call(&reference, "ListPipelines", json!({}));
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "InvalidSignatureException");
    assert!(v["message"].as_str().unwrap().contains("not 'xx-nowhere-9'"), "{v}");
}

#[test]
fn a_pinned_region_refuses_the_others() {
    let reference = Reference::new(Config::embedded().with_regions(Regions::Only("eu-west-1".into())));
    test_key("eu-west-1").ok(&reference, "ListPipelines", json!({}));
    let (status, v) = test_key("us-west-2").call(&reference, "ListPipelines", json!({}));
    assert_eq!((status, v["__type"].as_str()), (400, Some("InvalidSignatureException")));
}

#[test]
fn accounts_never_see_each_others_pipelines_or_tasks() {
    let reference = two_accounts();
    let id = ALICE.ok(&reference, "CreatePipeline", json!({"name": "a", "uniqueId": "a"}))["pipelineId"]
        .as_str()
        .unwrap()
        .to_string();
    let put = ALICE.ok(
        &reference,
        "PutPipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": ondemand(&[])}),
    );
    assert_eq!(put["errored"], false, "{put}");
    ALICE.ok(&reference, "ActivatePipeline", json!({"pipelineId": id}));

    assert!(BOB.listed(&reference).is_empty());
    let (status, v) = BOB.call(&reference, "DescribePipelines", json!({"pipelineIds": [id]}));
    assert_eq!((status, v["__type"].as_str()), (400, Some("PipelineNotFoundException")));
    let (status, v) = BOB.call(&reference, "DeletePipeline", json!({"pipelineId": id}));
    assert_eq!((status, v["__type"].as_str()), (400, Some("PipelineNotFoundException")));
    let bob_poll = BOB.ok(&reference, "PollForTask", json!({"workerGroup": "wg"}));
    assert!(bob_poll.get("taskObject").is_none(), "{bob_poll}");

    let described = ALICE.ok(&reference, "DescribePipelines", json!({"pipelineIds": [id]}));
    let fields = described["pipelineDescriptionList"][0]["fields"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        fields.contains(&json!({"key": "@accountId", "stringValue": "111111111111"})),
        "{described}"
    );
    let alice_poll = ALICE.ok(&reference, "PollForTask", json!({"workerGroup": "wg"}));
    let task_id = alice_poll["taskObject"]["taskId"].as_str().unwrap().to_string();
    // Another account cannot report on the task either.
    let (status, v) = BOB.call(
        &reference,
        "SetTaskStatus",
        json!({"taskId": task_id, "taskStatus": "FINISHED"}),
    );
    assert_eq!(
        (status, v["__type"].as_str()),
        (400, Some("TaskNotFoundException")),
        "{v}"
    );
    ALICE.ok(
        &reference,
        "SetTaskStatus",
        json!({"taskId": task_id, "taskStatus": "FINISHED"}),
    );
}

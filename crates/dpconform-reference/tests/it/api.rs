//! The reference endpoint's actions and wire behaviour, through
//! `Reference::handle` (no sockets, manual clock, authentication off).

use crate::common::{hourly, object, ondemand, Fixture, HeaderText, Response};
use bytes::Bytes;
use serde_json::{json, Value};

fn envelope_ok(r: &Response) {
    let crc = crc32fast::hash(r.body()).to_string();
    assert_eq!(r.header("x-amz-crc32"), Some(crc.as_str()));
    assert_eq!(r.header("content-length"), Some(r.body().len().to_string().as_str()));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert!(r.header("date").is_some_and(|d| httpdate::parse_http_date(d).is_ok()));
    assert!(uuid::Uuid::parse_str(r.header("x-amzn-requestid").unwrap()).is_ok());
}

#[test]
fn create_is_idempotent_on_name_and_unique_id() {
    let f = Fixture::new();
    let a = f.ok("CreatePipeline", json!({"name": "n", "uniqueId": "u"}))["pipelineId"].clone();
    let b = f.ok(
        "CreatePipeline",
        json!({"name": "n", "uniqueId": "u", "description": "other"}),
    )["pipelineId"]
        .clone();
    let c = f.ok("CreatePipeline", json!({"name": "n2", "uniqueId": "u"}))["pipelineId"].clone();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let id = a.as_str().unwrap();
    assert!(id.starts_with("df-") && id.len() == 23, "{id}");
    assert!(id[3..].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
}

#[test]
fn describe_list_and_tags() {
    let f = Fixture::new();
    let id = f.ok(
        "CreatePipeline",
        json!({"name": "n", "uniqueId": "u", "description": "d", "tags": [{"key": "k", "value": "v"}]}),
    )["pipelineId"]
        .as_str()
        .unwrap()
        .to_string();
    let d = f.ok("DescribePipelines", json!({"pipelineIds": [id]}));
    let desc = &d["pipelineDescriptionList"][0];
    assert_eq!(desc["name"], "n");
    assert_eq!(desc["description"], "d");
    assert_eq!(desc["tags"], json!([{"key": "k", "value": "v"}]));
    assert_eq!(f.pipeline_field(&id, "@pipelineState").as_deref(), Some("PENDING"));
    assert_eq!(
        f.pipeline_field(&id, "@creationTime").as_deref(),
        Some("2012-12-12T01:30:00")
    );
    assert_eq!(f.pipeline_field(&id, "@sphere").as_deref(), Some("PIPELINE"));
    assert_eq!(f.pipeline_field(&id, "uniqueId").as_deref(), Some("u"));

    assert_eq!(
        f.ok(
            "AddTags",
            json!({"pipelineId": id, "tags": [{"key": "k", "value": "w"}, {"key": "x", "value": ""}]})
        ),
        json!({})
    );
    let d = f.ok("DescribePipelines", json!({"pipelineIds": [id]}));
    assert_eq!(
        d["pipelineDescriptionList"][0]["tags"],
        json!([{"key": "k", "value": "w"}, {"key": "x", "value": ""}])
    );
    assert_eq!(
        f.ok("RemoveTags", json!({"pipelineId": id, "tagKeys": ["k", "missing"]})),
        json!({})
    );
    let d = f.ok("DescribePipelines", json!({"pipelineIds": [id]}));
    assert_eq!(
        d["pipelineDescriptionList"][0]["tags"],
        json!([{"key": "x", "value": ""}])
    );
    // 11 tags in one request: the model's list bound, before the pipeline is looked up.
    let eleven: Vec<Value> = (0..11).map(|i| json!({"key": format!("t{i}"), "value": "v"})).collect();
    let (status, v) = f.call("AddTags", json!({"pipelineId": "df-NOPE", "tags": eleven}));
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "ValidationException");
    assert!(v["message"]
        .as_str()
        .unwrap()
        .ends_with("at 'tags' failed to satisfy constraint: Member must have length less than or equal to 10"));
    let (_, v) = f.call("CreatePipeline", json!({"name": "n", "uniqueId": "u", "tags": eleven}));
    assert_eq!(
        v["__type"], "ValidationException",
        "even for an existing (name, uniqueId)"
    );
    // 10 in one request but 11 in all: the service's own limit.
    let ten: Vec<Value> = (0..10).map(|i| json!({"key": format!("t{i}"), "value": "v"})).collect();
    assert_eq!(
        f.err("AddTags", json!({"pipelineId": id, "tags": ten})),
        "InvalidRequestException"
    );
    assert_eq!(
        f.err(
            "AddTags",
            json!({"pipelineId": id, "tags": [{"key": "aws:x", "value": "v"}]})
        ),
        "InvalidRequestException"
    );

    let ids: Vec<String> = (0..25).map(|_| id.clone()).collect();
    f.ok("DescribePipelines", json!({"pipelineIds": ids}));
    let ids: Vec<String> = (0..26).map(|_| id.clone()).collect();
    assert_eq!(
        f.err("DescribePipelines", json!({"pipelineIds": ids})),
        "InvalidRequestException"
    );
    assert_eq!(
        f.err("DescribePipelines", json!({"pipelineIds": ["df-NOPE"]})),
        "PipelineNotFoundException"
    );
}

#[test]
fn list_pages_with_marker() {
    let f = Fixture::new();
    let created: Vec<String> = (0..35).map(|i| f.create(&format!("p{i}"))).collect();
    let first = f.ok("ListPipelines", json!({}));
    assert_eq!(first["pipelineIdList"].as_array().unwrap().len(), 25);
    assert_eq!(first["hasMoreResults"], true);
    let second = f.ok("ListPipelines", json!({"marker": first["marker"]}));
    assert_eq!(second["pipelineIdList"].as_array().unwrap().len(), 10);
    assert_eq!(second["hasMoreResults"], false);
    assert!(second.get("marker").is_none());
    let listed: Vec<String> = first["pipelineIdList"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["pipelineIdList"].as_array().unwrap())
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, created);
    assert_eq!(
        f.err("ListPipelines", json!({"marker": "garbage"})),
        "InvalidRequestException"
    );
}

#[test]
fn pipeline_limit_is_100() {
    let f = Fixture::new();
    for i in 0..100 {
        f.create(&format!("p{i}"));
    }
    assert_eq!(
        f.err("CreatePipeline", json!({"name": "x", "uniqueId": "x"})),
        "InvalidRequestException"
    );
}

#[test]
fn delete_leaves_a_tombstone() {
    let f = Fixture::new();
    let id = f.create("p");
    let r = f.raw("DeletePipeline", &json!({"pipelineId": id}).to_string());
    assert_eq!(r.status(), 200);
    assert!(r.body().is_empty());
    assert_eq!(r.header("content-length"), Some("0"));
    envelope_ok(&r);
    // The deleting phase: described as DELETING, refused by everything else,
    // gone from the list; its (name, uniqueId) is free again.
    assert_eq!(f.pipeline_field(&id, "@pipelineState").as_deref(), Some("DELETING"));
    assert_eq!(
        f.pipeline_field(&id, "@deletionRequestTime").as_deref(),
        Some("2012-12-12T01:30:00")
    );
    assert_eq!(
        f.err("GetPipelineDefinition", json!({"pipelineId": id})),
        "PipelineDeletedException"
    );
    assert_eq!(
        f.err("DeletePipeline", json!({"pipelineId": id})),
        "PipelineNotFoundException"
    );
    assert_eq!(f.ok("ListPipelines", json!({}))["pipelineIdList"], json!([]));
    assert_ne!(f.create("p"), id);
    // After the phase (the embedded configuration's), describe fails too.
    let phase = dpconform_reference::Config::embedded().deletion_delay;
    f.clock.advance(phase - std::time::Duration::from_millis(1));
    assert_eq!(f.pipeline_field(&id, "@pipelineState").as_deref(), Some("DELETING"));
    f.clock.advance(std::time::Duration::from_millis(1));
    let (status, v) = f.call("DescribePipelines", json!({"pipelineIds": [id]}));
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "PipelineDeletedException");
    assert_eq!(v["message"], format!("Pipeline with id: {id} does not exist"));
}

#[test]
fn deletion_delay_zero_deletes_at_once() {
    let clock = std::sync::Arc::new(dpconform_reference::ManualClock::at_unix(crate::common::T0));
    let reference = dpconform_reference::Reference::new(
        dpconform_reference::Config::embedded()
            .without_auth()
            .with_clock(clock)
            .with_deletion_delay(std::time::Duration::ZERO),
    );
    let call = |op: &str, body: Value| {
        let r = reference.handle(dpconform_reference::operation_request(op, body.to_string()));
        (
            r.status(),
            serde_json::from_slice::<Value>(r.body()).unwrap_or(Value::Null),
        )
    };
    let (_, v) = call("CreatePipeline", json!({"name": "n", "uniqueId": "u"}));
    let id = v["pipelineId"].clone();
    assert_eq!(call("DeletePipeline", json!({"pipelineId": id})).0, 200);
    let (status, v) = call("DescribePipelines", json!({"pipelineIds": [id]}));
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "PipelineDeletedException");
}

#[test]
fn describe_pipeline_fields_follow_the_evidence() {
    let f = Fixture::new();
    let id = f.ok(
        "CreatePipeline",
        json!({"name": "n", "uniqueId": "u", "tags": [{"key": "ansible", "value": "te\"st"}]}),
    )["pipelineId"]
        .as_str()
        .unwrap()
        .to_string();
    f.ok(
        "PutPipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": hourly(&[])}),
    );
    // No @version before the first activation; *tags as compact JSON.
    assert_eq!(f.pipeline_field(&id, "@version"), None);
    assert_eq!(
        f.pipeline_field(&id, "*tags").as_deref(),
        Some(r#"[{"key":"ansible","value":"te\"st"}]"#)
    );
    assert_eq!(f.pipeline_field(&id, "@healthStatus"), None);
    f.ok("ActivatePipeline", json!({"pipelineId": id}));
    assert_eq!(f.pipeline_field(&id, "@version").as_deref(), Some("1"));
    // No health before an instance has ended.
    assert_eq!(f.pipeline_field(&id, "@healthStatus"), None);
    f.ok("RemoveTags", json!({"pipelineId": id, "tagKeys": ["ansible"]}));
    assert_eq!(f.pipeline_field(&id, "*tags"), None);
}

#[test]
fn put_get_and_validate_definitions() {
    let f = Fixture::new();
    let id = f.create("p");
    assert_eq!(
        f.ok("GetPipelineDefinition", json!({"pipelineId": id})),
        json!({"pipelineObjects": []})
    );
    let objects = hourly(&[]);
    let put = f.ok(
        "PutPipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": objects,
               "parameterObjects": [{"id": "myX", "attributes": [{"key": "type", "stringValue": "String"}, {"key": "default", "stringValue": "d"}]}],
               "parameterValues": [{"id": "myX", "stringValue": "v"}]}),
    );
    assert_eq!(
        put,
        json!({"errored": false, "validationErrors": [], "validationWarnings": []})
    );
    let got = f.ok("GetPipelineDefinition", json!({"pipelineId": id}));
    assert_eq!(got["pipelineObjects"], objects);
    assert_eq!(got["parameterValues"], json!([{"id": "myX", "stringValue": "v"}]));
    assert_eq!(
        f.ok("GetPipelineDefinition", json!({"pipelineId": id, "version": "active"})),
        json!({"pipelineObjects": []})
    );
    assert_eq!(
        f.err("GetPipelineDefinition", json!({"pipelineId": id, "version": "v1"})),
        "InvalidRequestException"
    );

    // Errors: stored with errored=true, cannot be activated.
    let bad = json!([
        object(
            "Schedule",
            &[("type", "Schedule"), ("period", "1 hour"), ("startDateTime", "soon")]
        ),
        object("X", &[("type", "Nope")])
    ]);
    let put = f.ok(
        "PutPipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": bad}),
    );
    assert_eq!(put["errored"], true);
    let errors = put["validationErrors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["id"] == "Schedule"
        && e["errors"][0] == "INVALID_FIELD_VALUE:  'startDateTime' value must be a literal datetime value."));
    assert!(errors.iter().any(|e| e["id"] == "X"));
    assert_eq!(
        f.ok("GetPipelineDefinition", json!({"pipelineId": id}))["pipelineObjects"],
        bad
    );
    assert_eq!(
        f.err("ActivatePipeline", json!({"pipelineId": id})),
        "InvalidRequestException"
    );

    // Fatal: nothing saved.
    let fatal = json!([object("Default", &[("workerGroup", "")])]);
    let (status, v) = f.call(
        "PutPipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": fatal}),
    );
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "InvalidRequestException");
    assert!(v["message"]
        .as_str()
        .unwrap()
        .starts_with("Pipeline definition has errors: Could not save the pipeline definition due to FATAL errors"));
    assert_eq!(
        f.ok("GetPipelineDefinition", json!({"pipelineId": id}))["pipelineObjects"],
        bad
    );

    // Validate stores nothing.
    let v = f.ok(
        "ValidatePipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": hourly(&[])}),
    );
    assert_eq!(
        v,
        json!({"errored": false, "validationErrors": [], "validationWarnings": []})
    );
    // An empty value on Validate: one error on its object, alone.
    let v = f.ok(
        "ValidatePipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": [object("Schedule", &[("type", "")])]}),
    );
    assert_eq!(
        v,
        json!({"errored": true, "validationErrors": [{"id": "Schedule", "errors": ["INVALID_FIELD: Field values cannot be empty. Found empty values for 'type'"]}], "validationWarnings": []})
    );
    let v = f.ok(
        "ValidatePipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": [object("A", &[("type", "ShellCommandActivity")])]}),
    );
    assert_eq!(v["errored"], true);
    assert_eq!(
        f.ok("GetPipelineDefinition", json!({"pipelineId": id}))["pipelineObjects"],
        bad
    );
    // The model requires ids and names and refs of at least 1 character.
    let no_id = json!([{"name": "n", "fields": []}]);
    assert_eq!(
        f.err(
            "PutPipelineDefinition",
            json!({"pipelineId": id, "pipelineObjects": no_id})
        ),
        "ValidationException"
    );
    let empty_ref = json!([object("A", &[("type", "S3DataNode")]), {"id": "B", "name": "B", "fields": [{"key": "input", "refValue": ""}]}]);
    assert_eq!(
        f.err(
            "PutPipelineDefinition",
            json!({"pipelineId": id, "pipelineObjects": empty_ref})
        ),
        "ValidationException"
    );
    let too_many: Vec<Value> = (0..101)
        .map(|i| object(&format!("o{i}"), &[("type", "S3DataNode")]))
        .collect();
    for op in ["PutPipelineDefinition", "ValidatePipelineDefinition"] {
        let (status, v) = f.call(op, json!({"pipelineId": id, "pipelineObjects": too_many}));
        assert_eq!(status, 400);
        assert_eq!(v["__type"], "InvalidRequestException");
        assert_eq!(
            v["message"],
            "Web service limit exceeded: Exceeded maximum number of objects allowed per pipeline"
        );
    }
}

#[test]
fn describe_and_query_objects_and_evaluate() {
    let f = Fixture::new();
    let id = f.activated("p", hourly(&[("myOut", "#{format(@scheduledStartTime,'YYYY-MM-dd')}")]));
    let comp = f.ok(
        "DescribeObjects",
        json!({"pipelineId": id, "objectIds": ["SayHello", "nope"]}),
    );
    let objs = comp["pipelineObjects"].as_array().unwrap();
    assert_eq!(objs.len(), 1);
    let fields = objs[0]["fields"].as_array().unwrap();
    assert!(fields.contains(&json!({"key": "parent", "refValue": "Default"})));
    assert!(fields.contains(&json!({"key": "@sphere", "stringValue": "COMPONENT"})));
    assert!(fields.contains(&json!({"key": "@status", "stringValue": "SCHEDULED"})));

    let inst = "@SayHello_2012-12-12T00:00:00";
    assert_eq!(f.query(&id, "INSTANCE", json!([])), vec![inst.to_string()]);
    assert_eq!(
        f.field(&id, inst, "@scheduledEndTime").as_deref(),
        Some("2012-12-12T01:00:00")
    );
    assert_eq!(f.field(&id, inst, "@componentParent").as_deref(), Some("SayHello"));
    let v = f.ok(
        "DescribeObjects",
        json!({"pipelineId": id, "objectIds": [inst], "evaluateExpressions": true}),
    );
    assert!(v["pipelineObjects"][0]["fields"]
        .as_array()
        .unwrap()
        .contains(&json!({"key": "myOut", "stringValue": "2012-12-12"})));

    assert_eq!(
        f.query(
            &id,
            "COMPONENT",
            json!([{"fieldName": "name", "operator": {"type": "EQ", "values": ["SayHello"]}}])
        ),
        vec!["SayHello"]
    );
    // EQ takes exactly one value (the real service refused several).
    let (status, v) = f.call(
        "QueryObjects",
        json!({"pipelineId": id, "sphere": "COMPONENT", "query": {"selectors": [
            {"fieldName": "name", "operator": {"type": "EQ", "values": ["Hourly", "SayHello"]}}]}}),
    );
    assert_eq!(status, 400);
    assert_eq!(v["__type"], "InvalidRequestException");
    assert_eq!(
        v["message"],
        "The request is missing a required value: Missing single value for field: name in query"
    );
    assert_eq!(
        f.query(
            &id,
            "COMPONENT",
            json!([{"fieldName": "parent", "operator": {"type": "REF_EQ", "values": ["Default"]}}])
        )
        .len(),
        2
    );
    assert_eq!(
        f.query(
            &id,
            "INSTANCE",
            json!([{"fieldName": "@status", "operator": {"type": "EQ", "values": ["WAITING_FOR_RUNNER"]}}])
        ),
        vec![inst]
    );
    assert_eq!(f.query(&id, "INSTANCE", json!([{"fieldName": "@scheduledStartTime", "operator": {"type": "BETWEEN", "values": ["2012-12-12T00:00:00", "2012-12-12T00:00:00"]}}])), vec![inst]);
    assert!(f
        .query(
            &id,
            "INSTANCE",
            json!([{"fieldName": "@scheduledStartTime", "operator": {"type": "GE", "values": ["2012-12-12T00:00:01"]}}])
        )
        .is_empty());
    assert!(
        f.query(
            &id,
            "INSTANCE",
            json!([{"fieldName": "@actualEndTime", "operator": {"type": "LE", "values": ["2099-01-01T00:00:00"]}}])
        )
        .is_empty(),
        "unset fields fail"
    );
    assert_eq!(f.query(&id, "ATTEMPT", json!([])), vec![format!("{inst}_Attempt=1")]);
    // An operator on a field it does not act on matches nothing.
    assert!(f
        .query(
            &id,
            "COMPONENT",
            json!([{"fieldName": "name", "operator": {"type": "GE", "values": ["A"]}}])
        )
        .is_empty());
    assert!(f
        .query(
            &id,
            "COMPONENT",
            json!([{"fieldName": "type", "operator": {"type": "EQ", "values": ["Schedule"]}}])
        )
        .is_empty());
    let no_op = json!({"pipelineId": id, "sphere": "INSTANCE", "query": {"selectors": [{"fieldName": "name"}]}});
    assert_eq!(f.err("QueryObjects", no_op), "InvalidRequestException");
    assert_eq!(
        f.err("QueryObjects", json!({"pipelineId": id, "sphere": "PLANET"})),
        "InvalidRequestException"
    );
    let page = f.ok(
        "QueryObjects",
        json!({"pipelineId": id, "sphere": "COMPONENT", "limit": 2}),
    );
    assert_eq!(page["ids"], json!(["Default", "Hourly"]));
    assert_eq!(page["hasMoreResults"], true);
    let rest = f.ok(
        "QueryObjects",
        json!({"pipelineId": id, "sphere": "COMPONENT", "limit": 2, "marker": page["marker"]}),
    );
    assert_eq!(rest["ids"], json!(["SayHello"]));
    assert_eq!(rest["hasMoreResults"], false);

    let e = f.ok(
        "EvaluateExpression",
        json!({"pipelineId": id, "objectId": "Hourly", "expression": "#{startDateTime}"}),
    );
    assert_eq!(e, json!({"evaluatedExpression": "2012-12-12T00:00:00"}));
    let e = f.ok("EvaluateExpression", json!({"pipelineId": id, "objectId": inst, "expression": "s3://b/#{format(minusDays(@scheduledStartTime,1),'YYYY-MM-dd')}"}));
    assert_eq!(e["evaluatedExpression"], "s3://b/2012-12-11");
    assert_eq!(
        f.err(
            "EvaluateExpression",
            json!({"pipelineId": id, "objectId": "nope", "expression": "x"})
        ),
        "TaskNotFoundException"
    );
    assert_eq!(
        f.err(
            "EvaluateExpression",
            json!({"pipelineId": id, "objectId": "Hourly", "expression": "#{nothing}"})
        ),
        "InvalidRequestException"
    );
}

#[test]
fn wire_errors_and_envelope() {
    let f = Fixture::new();
    let send = |method: &str, headers: &[(&str, &str)], body: &str| {
        let mut req = http::Request::builder().method(method).uri("/");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        f.reference.handle(req.body(Bytes::from(body.to_string())).unwrap())
    };
    let kind = |r: &Response| -> String {
        let v: Value = serde_json::from_slice(r.body()).unwrap();
        v["__type"].as_str().unwrap().to_string()
    };
    let target = ("x-amz-target", "DataPipeline.ListPipelines");
    let ct = ("content-type", "application/x-amz-json-1.1");

    let r = send("POST", &[target, ct], "{}");
    assert_eq!(r.status(), 200);
    envelope_ok(&r);
    let r = send(
        "POST",
        &[("x-amz-target", "DataPipeline_20121129.ListPipelines"), ct],
        "",
    );
    assert_eq!(r.status(), 200);

    for (r, t) in [
        (send("POST", &[ct], "{}"), "UnknownOperationException"),
        (
            send("POST", &[("x-amz-target", "DataPipeline.Nope"), ct], "{}"),
            "UnknownOperationException",
        ),
        (send("GET", &[target], ""), "UnknownOperationException"),
        (
            send("POST", &[target, ("content-type", "text/xml")], "{}"),
            "UnknownOperationException",
        ),
        (send("POST", &[target, ct], "{not json"), "SerializationException"),
        (
            send("POST", &[target, ct], r#"{"marker": 7}"#),
            "SerializationException",
        ),
        (
            send("POST", &[("x-amz-target", "DataPipeline.DeletePipeline"), ct], "{}"),
            "ValidationException",
        ),
    ] {
        assert_eq!(r.status(), 400);
        assert_eq!(kind(&r), t);
        envelope_ok(&r);
    }
    let (status, v) = f.call("DeletePipeline", json!({}));
    assert_eq!(status, 400);
    assert_eq!(
        v["message"],
        "1 validation error detected: Value null at 'pipelineId' failed to satisfy constraint: Member must not be null"
    );
    // Request ids are fresh per response.
    let a = send("POST", &[target, ct], "{}");
    let b = send("POST", &[target, ct], "{}");
    assert_ne!(a.header("x-amzn-requestid"), b.header("x-amzn-requestid"));
}

#[test]
fn on_demand_activation_and_reactivation() {
    let f = Fixture::new();
    let id = f.activated("p", ondemand(&[]));
    assert_eq!(f.pipeline_field(&id, "@pipelineState").as_deref(), Some("SCHEDULED"));
    let first = "@Run_2012-12-12T01:30:00";
    assert_eq!(f.status(&id, first), "WAITING_FOR_RUNNER");
    let task = f.poll("wg").unwrap();
    assert_eq!(task["attemptId"], format!("{first}_Attempt=1"));
    f.advance(60);
    f.ok("ActivatePipeline", json!({"pipelineId": id}));
    assert_eq!(f.status(&id, first), "CANCELED");
    let second = "@Run_2012-12-12T01:31:00";
    assert_eq!(f.status(&id, second), "WAITING_FOR_RUNNER");
    let canceled = f.ok("ReportTaskProgress", json!({"taskId": task["taskId"]}));
    assert_eq!(canceled, json!({"canceled": true}));
    assert_eq!(f.pipeline_field(&id, "@version").as_deref(), Some("2"));
    assert_eq!(
        f.ok("GetPipelineDefinition", json!({"pipelineId": id, "version": "active"}))["pipelineObjects"],
        ondemand(&[])
    );
}

/// The bytes of a body re-serialized from its own JSON: compact, object keys sorted.
fn canonical(body: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::from_slice::<Value>(body).expect("a JSON body")).unwrap()
}

#[test]
fn read_outputs_are_compact_json_with_keys_in_sorted_order() {
    // Outputs serialized straight from typed structs must keep the bytes of the
    // serde_json::Value form (sorted keys) that every other output has.
    let f = Fixture::new();
    let id = f.ok(
        "CreatePipeline",
        json!({"name": "p", "uniqueId": "u", "description": "d", "tags": [{"key": "k", "value": "v"}]}),
    )["pipelineId"]
        .as_str()
        .unwrap()
        .to_string();
    f.ok(
        "PutPipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": hourly(&[("myInput", "&Hourly")]),
               "parameterObjects": [{"id": "myX", "attributes": [{"key": "type", "stringValue": "String"}]}],
               "parameterValues": [{"id": "myX", "stringValue": "v"}]}),
    );
    f.ok("ActivatePipeline", json!({"pipelineId": id}));
    f.advance(7200);
    for n in 0..30 {
        f.create(&format!("more-{n}"));
    }
    let reads = [
        ("DescribePipelines", json!({"pipelineIds": [id]})),
        ("GetPipelineDefinition", json!({"pipelineId": id})),
        ("GetPipelineDefinition", json!({"pipelineId": id, "version": "active"})),
        ("ListPipelines", json!({})),
        ("ListPipelines", json!({"marker": "25"})),
    ];
    for (op, body) in reads {
        let r = f.raw(op, &body.to_string());
        assert_eq!(r.status(), 200, "{op} {body}");
        assert_eq!(
            String::from_utf8_lossy(r.body()),
            String::from_utf8_lossy(&canonical(r.body())),
            "{op} {body}"
        );
    }
    let described = f.ok("DescribePipelines", json!({"pipelineIds": [id]}));
    assert_eq!(described["pipelineDescriptionList"][0]["description"], "d");
    assert_eq!(
        described["pipelineDescriptionList"][0]["tags"],
        json!([{"key": "k", "value": "v"}])
    );
    let listed = f.ok("ListPipelines", json!({}));
    assert_eq!(listed["hasMoreResults"], true);
    assert_eq!(listed["marker"], "25");
}

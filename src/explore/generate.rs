//! The sequence generator: a state machine over the 19 actions, in the manner of
//! stateful property-based testing. It remembers what earlier answers produced
//! (pipelines, their definitions' objects and tags, tasks, attempts, instance
//! ids, markers) and builds later calls on them, mostly valid, sometimes not
//! (an unknown id, a bad definition, a bad enum value). Definitions come from
//! [`definition`], a generator of pipeline definitions.

use serde_json::{json, Value};

use super::lockstep::Source;
use super::sequence::{Bindings, Call};

/// A pipeline id that no endpoint has (the `df-` form of a real one).
const UNKNOWN_PIPELINE: &str = "df-00000000000000000000";
/// A task id that no endpoint handed out.
const UNKNOWN_TASK: &str = "UnknownTaskId";

/// What the generator knows of one pipeline it created.
#[derive(Debug, Clone)]
struct Pipeline {
    var: String,
    /// The variable its name was made from (the first create's).
    name_var: String,
    unique_id: String,
    /// Component object ids of the definition put last.
    objects: Vec<String>,
    /// Tag keys added and not removed.
    tags: Vec<String>,
}

/// Generates the calls of one sequence from a seed; the same seed and the
/// same answers give the same calls.
pub struct Generator {
    rng: fastrand::Rng,
    pipelines: Vec<Pipeline>,
    next_var: usize,
    tasks: Vec<String>,
    instances: Vec<String>,
    markers: Vec<String>,
}

impl Generator {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: fastrand::Rng::with_seed(seed),
            pipelines: Vec::new(),
            next_var: 0,
            tasks: Vec::new(),
            instances: Vec::new(),
            markers: Vec::new(),
        }
    }

    fn var(&mut self, prefix: &str) -> String {
        self.next_var += 1;
        format!("{prefix}{}", self.next_var - 1)
    }

    fn chance(&mut self, percent: u8) -> bool {
        self.rng.u8(0..100) < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.rng.usize(..items.len())].clone())
    }

    /// A pipeline reference: a known one, or (sometimes, or when none is known) an unknown id.
    fn pipeline(&mut self) -> (Option<usize>, String) {
        if self.pipelines.is_empty() || self.chance(5) {
            return (None, UNKNOWN_PIPELINE.into());
        }
        // Mostly the newest, so that lifecycles (define, activate, run) happen.
        let i = if self.chance(60) {
            self.pipelines.len() - 1
        } else {
            self.rng.usize(..self.pipelines.len())
        };
        (Some(i), format!("{{{{{}}}}}", self.pipelines[i].var))
    }

    fn object_of(&mut self, pipeline: Option<usize>) -> String {
        let objects = pipeline.map(|i| self.pipelines[i].objects.clone()).unwrap_or_default();
        if self.chance(40) {
            if let Some(instance) = self.pick(&self.instances.clone()) {
                return format!("{{{{{instance}}}}}");
            }
        }
        match self.pick(&objects) {
            Some(o) if !self.chance(5) => o,
            _ => "NoSuchObject".into(),
        }
    }

    fn task(&mut self) -> String {
        match self.pick(&self.tasks.clone()) {
            Some(t) if !self.chance(5) => format!("{{{{{t}}}}}"),
            _ => UNKNOWN_TASK.into(),
        }
    }

    /// The next call; `bound` is what the reference's answers bound so far (a
    /// task or marker is used only once it exists).
    pub fn next(&mut self, bound: &Bindings) -> Call {
        self.tasks.retain(|t| bound.contains_key(t));
        self.instances.retain(|t| bound.contains_key(t));
        self.markers.retain(|t| bound.contains_key(t));
        // Early on, make something to work on.
        let roll = if self.pipelines.is_empty() && self.chance(80) {
            0
        } else {
            self.rng.u32(0..100)
        };
        match roll {
            0..=7 => self.create_pipeline(),
            8..=17 => self.put_definition(),
            18..=21 => self.validate_definition(),
            22..=25 => self.get_definition(),
            26..=31 => self.activate(),
            32..=34 => self.deactivate(),
            35..=37 => self.delete(),
            38..=42 => self.describe_pipelines(),
            43..=45 => self.list_pipelines(),
            46..=50 => self.add_tags(),
            51..=53 => self.remove_tags(),
            54..=57 => self.describe_objects(),
            58..=62 => self.query_objects(),
            63..=65 => self.evaluate_expression(),
            66..=69 => self.set_status(),
            70..=79 => self.poll_for_task(),
            80..=85 => self.report_task_progress(),
            86..=92 => self.set_task_status(),
            _ => self.heartbeat(),
        }
    }

    fn create_pipeline(&mut self) -> Call {
        // Sometimes the same uniqueId again: the answer is the same pipeline.
        if self.chance(10) {
            if let Some(p) = self.pick(&self.pipelines.clone()) {
                let var = self.var("p");
                // The same name and uniqueId: the same pipeline (perhaps told another description).
                let mut body = json!({"name": format!("explore-{}", p.name_var), "uniqueId": p.unique_id});
                if self.chance(50) {
                    body["description"] = json!("described again");
                }
                self.pipelines.push(Pipeline { var: var.clone(), ..p });
                return Call::new("CreatePipeline", body).producing(&var, "/pipelineId");
            }
        }
        let var = self.var("p");
        let unique_id = format!("{var}-{{{{run}}}}");
        let mut body = json!({"name": format!("explore-{var}"), "uniqueId": unique_id});
        let mut tags = Vec::new();
        if self.chance(30) {
            body["description"] = json!(format!("described {var}"));
        }
        if self.chance(30) {
            let n = self.rng.usize(1..3);
            let list: Vec<Value> = (0..n)
                .map(|i| json!({"key": format!("k{i}"), "value": format!("v{i}")}))
                .collect();
            tags = (0..n).map(|i| format!("k{i}")).collect();
            body["tags"] = json!(list);
        }
        if self.chance(3) {
            body["name"] = json!("");
        }
        self.pipelines.push(Pipeline {
            var: var.clone(),
            name_var: var.clone(),
            unique_id,
            objects: Vec::new(),
            tags,
        });
        Call::new("CreatePipeline", body).producing(&var, "/pipelineId")
    }

    fn put_definition(&mut self) -> Call {
        let (i, id) = self.pipeline();
        let def = definition(&mut self.rng);
        if let Some(i) = i {
            self.pipelines[i].objects = def.component_ids.clone();
        }
        let mut body = json!({"pipelineId": id, "pipelineObjects": def.objects});
        if let Some(parameters) = def.parameter_objects {
            body["parameterObjects"] = parameters;
            if self.chance(50) {
                body["parameterValues"] = json!([{"id": "myMessage", "stringValue": "from values"}]);
            }
        }
        Call::new("PutPipelineDefinition", body)
    }

    fn validate_definition(&mut self) -> Call {
        let (_, id) = self.pipeline();
        let def = definition(&mut self.rng);
        let mut body = json!({"pipelineId": id, "pipelineObjects": def.objects});
        if let Some(parameters) = def.parameter_objects {
            body["parameterObjects"] = parameters;
        }
        Call::new("ValidatePipelineDefinition", body)
    }

    fn get_definition(&mut self) -> Call {
        let (_, id) = self.pipeline();
        let mut body = json!({"pipelineId": id});
        match self.rng.u8(0..4) {
            0 => body["version"] = json!("active"),
            1 => body["version"] = json!("latest"),
            2 if self.chance(20) => body["version"] = json!("bogus"),
            _ => {}
        }
        Call::new("GetPipelineDefinition", body)
    }

    fn activate(&mut self) -> Call {
        let (_, id) = self.pipeline();
        let mut body = json!({"pipelineId": id});
        if self.chance(20) {
            body["parameterValues"] = json!([{"id": "myMessage", "stringValue": "at activation"}]);
        }
        if self.chance(15) {
            // A start in the past (seconds since the epoch): 2012-12-12T00:00:00Z.
            body["startTimestamp"] = json!(1_355_270_400);
        }
        Call::new("ActivatePipeline", body)
    }

    fn deactivate(&mut self) -> Call {
        let (_, id) = self.pipeline();
        let mut body = json!({"pipelineId": id});
        if self.chance(60) {
            body["cancelActive"] = json!(self.chance(50));
        }
        Call::new("DeactivatePipeline", body)
    }

    fn delete(&mut self) -> Call {
        let (_, id) = self.pipeline();
        Call::new("DeletePipeline", json!({"pipelineId": id}))
    }

    fn describe_pipelines(&mut self) -> Call {
        let n = self.rng.usize(1..3);
        let ids: Vec<String> = (0..n).map(|_| self.pipeline().1).collect();
        Call::new("DescribePipelines", json!({"pipelineIds": ids}))
    }

    fn list_pipelines(&mut self) -> Call {
        let var = self.var("m");
        let mut body = json!({});
        if let Some(marker) = self.pick(&self.markers.clone()) {
            if self.chance(50) {
                body["marker"] = json!(format!("{{{{{marker}}}}}"));
            }
        }
        self.markers.push(var.clone());
        Call::new("ListPipelines", body).producing(&var, "/marker")
    }

    fn add_tags(&mut self) -> Call {
        let (i, id) = self.pipeline();
        let n = self.rng.usize(1..3);
        let keys: Vec<String> = (0..n).map(|_| format!("k{}", self.rng.u8(0..4))).collect();
        let tags: Vec<Value> = keys
            .iter()
            .map(|k| json!({"key": k, "value": format!("v{}", self.rng.u8(0..3))}))
            .collect();
        if let Some(i) = i {
            for k in keys {
                if !self.pipelines[i].tags.contains(&k) {
                    self.pipelines[i].tags.push(k);
                }
            }
        }
        Call::new("AddTags", json!({"pipelineId": id, "tags": tags}))
    }

    fn remove_tags(&mut self) -> Call {
        let (i, id) = self.pipeline();
        let known = i.map(|i| self.pipelines[i].tags.clone()).unwrap_or_default();
        let key = match self.pick(&known) {
            Some(k) if !self.chance(20) => k,
            _ => "k9".into(),
        };
        if let Some(i) = i {
            self.pipelines[i].tags.retain(|k| *k != key);
        }
        Call::new("RemoveTags", json!({"pipelineId": id, "tagKeys": [key]}))
    }

    fn describe_objects(&mut self) -> Call {
        let (i, id) = self.pipeline();
        let object = self.object_of(i);
        let mut body = json!({"pipelineId": id, "objectIds": [object]});
        if self.chance(40) {
            body["evaluateExpressions"] = json!(self.chance(50));
        }
        Call::new("DescribeObjects", body)
    }

    fn query_objects(&mut self) -> Call {
        let (_, id) = self.pipeline();
        let sphere = ["COMPONENT", "INSTANCE", "ATTEMPT", "COMPONENT", "INSTANCE", "nope"][self.rng.usize(..6)];
        let mut body = json!({"pipelineId": id, "sphere": sphere});
        if self.chance(40) {
            body["limit"] = json!(self.rng.u8(1..5));
        }
        if self.chance(20) {
            body["query"] = json!({"selectors": [{"fieldName": "@status", "operator": {"type": "EQ", "values": ["WAITING_ON_DEPENDENCIES", "RUNNING"]}}]});
        }
        let var = self.var("o");
        if sphere != "COMPONENT" {
            self.instances.push(var.clone());
        }
        Call::new("QueryObjects", body).producing(&var, "/ids/0")
    }

    fn evaluate_expression(&mut self) -> Call {
        let (i, id) = self.pipeline();
        let object = self.object_of(i);
        let expression = [
            "#{@scheduledStartTime}",
            "#{name}",
            "#{format(minusDays(@scheduledStartTime, 1), 'YYYY-MM-dd')}",
            "#{myMessage}",
            "#{nope(}",
        ][self.rng.usize(..5)];
        Call::new(
            "EvaluateExpression",
            json!({"pipelineId": id, "objectId": object, "expression": expression}),
        )
    }

    fn set_status(&mut self) -> Call {
        let (i, id) = self.pipeline();
        let object = self.object_of(i);
        let status = [
            "PAUSE",
            "RESUME",
            "CANCEL",
            "TRY_CANCEL",
            "RERUN",
            "MARK_FINISHED",
            "BOGUS",
        ][self.rng.usize(..7)];
        Call::new(
            "SetStatus",
            json!({"pipelineId": id, "objectIds": [object], "status": status}),
        )
    }

    fn poll_for_task(&mut self) -> Call {
        let task = self.var("t");
        let attempt = format!("a{}", &task[1..]);
        self.tasks.push(task.clone());
        let group = if self.chance(5) { "other-{{run}}" } else { "wg-{{run}}" };
        Call::new(
            "PollForTask",
            json!({"workerGroup": group, "hostname": "explore.example.com"}),
        )
        .producing(&task, "/taskObject/taskId")
        .producing(&attempt, "/taskObject/attemptId")
    }

    fn report_task_progress(&mut self) -> Call {
        let task = self.task();
        Call::new("ReportTaskProgress", json!({"taskId": task}))
    }

    fn set_task_status(&mut self) -> Call {
        let task = self.task();
        let status = ["FINISHED", "FAILED", "FALSE", "FINISHED", "FAILED"][self.rng.usize(..5)];
        let mut body = json!({"taskId": task, "taskStatus": status});
        if status == "FAILED" && self.chance(50) {
            body["errorId"] = json!("Explore.Error");
            body["errorMessage"] = json!("failed on purpose");
        }
        Call::new("SetTaskStatus", body)
    }

    fn heartbeat(&mut self) -> Call {
        let mut body = json!({"taskrunnerId": "runner-{{run}}"});
        if self.chance(70) {
            body["workerGroup"] = json!("wg-{{run}}");
        }
        Call::new("ReportTaskRunnerHeartbeat", body)
    }
}

/// A generated pipeline definition.
pub struct Definition {
    /// The `pipelineObjects`.
    pub objects: Value,
    /// The ids of its objects (for DescribeObjects, SetStatus, EvaluateExpression).
    pub component_ids: Vec<String>,
    /// The `parameterObjects`, when the definition uses a parameter.
    pub parameter_objects: Option<Value>,
}

fn field(key: &str, value: &str) -> Value {
    json!({"key": key, "stringValue": value})
}

fn reference(key: &str, id: &str) -> Value {
    json!({"key": key, "refValue": id})
}

/// A pipeline definition: a Default object with a schedule type and the worker
/// group, perhaps a Schedule, one to three activities (perhaps depending on one
/// another, retrying, using expressions or a parameter), and sometimes a defect
/// (a reference to a missing object, an unknown type, a missing required field).
pub fn definition(rng: &mut fastrand::Rng) -> Definition {
    let schedule_type = ["ondemand", "ondemand", "cron", "timeseries"][rng.usize(..4)];
    let mut default_fields = vec![
        field("scheduleType", schedule_type),
        field("workerGroup", "wg-{{run}}"),
        field("failureAndRerunMode", "CASCADE"),
    ];
    let mut objects = Vec::new();
    let mut ids = vec!["Default".to_string()];
    if schedule_type != "ondemand" {
        default_fields.push(reference("schedule", "Every"));
        let mut fields = vec![
            field("type", "Schedule"),
            field("period", ["1 days", "1 hours"][rng.usize(..2)]),
        ];
        if rng.bool() {
            fields.push(field("startAt", "FIRST_ACTIVATION_DATE_TIME"));
        } else {
            fields.push(field("startDateTime", "2012-12-12T00:00:00"));
            fields.push(field("occurrences", &rng.u8(1..4).to_string()));
        }
        objects.push(json!({"id": "Every", "name": "Every", "fields": fields}));
        ids.push("Every".into());
    }
    objects.insert(0, json!({"id": "Default", "name": "Default", "fields": default_fields}));
    let uses_parameter = rng.u8(0..5) == 0;
    let activities = rng.usize(1..4);
    for a in 0..activities {
        let id = format!("Act{a}");
        let command = match rng.u8(0..3) {
            0 => "echo hello".to_string(),
            1 => "echo #{@scheduledStartTime}".to_string(),
            _ if uses_parameter => "echo #{myMessage}".to_string(),
            _ => "echo #{name}".to_string(),
        };
        let mut fields = vec![field("type", "ShellCommandActivity"), field("command", &command)];
        if a > 0 && rng.bool() {
            fields.push(reference("dependsOn", &format!("Act{}", rng.usize(..a))));
        }
        if rng.u8(0..3) == 0 {
            fields.push(field("maximumRetries", &rng.u8(0..3).to_string()));
        }
        objects.push(json!({"id": id, "name": id, "fields": fields}));
        ids.push(id);
    }
    match rng.u8(0..12) {
        0 => objects.push(json!({"id": "Broken", "name": "Broken", "fields": [reference("dependsOn", "Missing")]})),
        1 => objects.push(json!({"id": "Odd", "name": "Odd", "fields": [field("type", "NoSuchType")]})),
        2 => objects.push(json!({"id": "Bare", "name": "Bare", "fields": [field("type", "ShellCommandActivity")]})),
        _ => {}
    }
    let parameter_objects = uses_parameter.then(|| {
        json!([{"id": "myMessage", "attributes": [
            {"key": "type", "stringValue": "String"},
            {"key": "default", "stringValue": "hello"}
        ]}])
    });
    Definition {
        objects: Value::Array(objects),
        component_ids: ids,
        parameter_objects,
    }
}

/// The calls of one generated sequence: `length` calls from `seed`, each made
/// from what the reference bound so far.
pub struct Generated {
    generator: Generator,
    left: usize,
}

impl Generated {
    /// `length` calls from `seed`.
    pub fn new(seed: u64, length: usize) -> Generated {
        Generated {
            generator: Generator::new(seed),
            left: length,
        }
    }
}

impl Source for Generated {
    fn next(&mut self, bound: &Bindings) -> Option<Call> {
        self.left = self.left.checked_sub(1)?;
        Some(self.generator.next(bound))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(seed: u64) -> Vec<Call> {
        let mut generator = Generator::new(seed);
        // Bind everything, as if every producer succeeded.
        let mut bound = Bindings::new();
        (0..200)
            .map(|_| {
                let call = generator.next(&bound);
                for (name, _) in &call.produces {
                    bound.insert(name.clone(), "x".into());
                }
                call
            })
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_calls_and_every_action_is_reached() {
        assert_eq!(calls(7), calls(7));
        assert_ne!(calls(7), calls(8));
        let reached: std::collections::BTreeSet<String> = (0..5).flat_map(calls).map(|c| c.operation).collect();
        assert_eq!(reached.len(), dpconform_protocol::Operation::ALL.len(), "{reached:?}");
    }
}

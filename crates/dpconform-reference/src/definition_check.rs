//! Checking a pipeline definition: the fatal problems that keep
//! PutPipelineDefinition from saving anything, and the validation errors and
//! warnings that ValidatePipelineDefinition and PutPipelineDefinition report.
//!
//! Message style follows the API Reference sample
//! (`INVALID_FIELD_VALUE:  'startDateTime' value must be a literal datetime value.`);
//! the other messages are the reference's own wording (inferred: the real
//! service's texts are UNK).

use std::collections::HashSet;

use super::model::{Definition, Findings, PipelineObject};
use super::schedule::{self, ScheduleType};

/// DG limits.
pub const MAX_OBJECTS: usize = 100;
pub const MAX_FIELDS: usize = 50;
pub const MAX_OBJECT_BYTES: usize = 15_360;
pub const MAX_PARAMETERS: usize = 50;
pub const MAX_PARAMETER_VALUE_BYTES: usize = 15 * 1024;

/// Object types the service knows (DG: pipeline object reference).
const KNOWN_TYPES: &[&str] = &[
    "DynamoDBDataNode",
    "MySqlDataNode",
    "RedshiftDataNode",
    "S3DataNode",
    "SqlDataNode",
    "CopyActivity",
    "EmrActivity",
    "HadoopActivity",
    "HiveActivity",
    "HiveCopyActivity",
    "PigActivity",
    "RedshiftCopyActivity",
    "ShellCommandActivity",
    "SqlActivity",
    "Ec2Resource",
    "EmrCluster",
    "HttpProxy",
    "DynamoDBDataExists",
    "DynamoDBTableExists",
    "S3KeyExists",
    "S3PrefixNotEmpty",
    "Exists",
    "ShellCommandPrecondition",
    "JdbcDatabase",
    "RdsDatabase",
    "RedshiftDatabase",
    "CSV",
    "TSV",
    "Custom",
    "RegEx",
    "DynamoDBDataFormat",
    "DynamoDBExportDataFormat",
    "SnsAlarm",
    "Terminate",
    "Schedule",
    "ShellScriptConfig",
    "EmrConfiguration",
    "Property",
];

const RESOURCE_TYPES: &[&str] = &["Ec2Resource", "EmrCluster"];

/// Problems that keep a definition from being saved at all (M: an object
/// without id or name, an empty string or ref value, more than the maximum
/// objects). Missing ids and names and empty ref values get here because the
/// input validation leaves them to the service (see `validate`). inferred: the DG size limits (fields per object, object bytes,
/// parameters) and duplicate object ids are fatal too, so nothing over a
/// limit is ever stored.
pub fn fatal(def: &Definition) -> Vec<String> {
    let mut out = Vec::new();
    if def.objects.len() > MAX_OBJECTS {
        out.push(format!(
            "The pipeline has {} objects; at most {MAX_OBJECTS} are allowed",
            def.objects.len()
        ));
    }
    let mut seen = HashSet::new();
    for (i, o) in def.objects.iter().enumerate() {
        if o.id.is_empty() {
            out.push(format!("Object {} is missing its id", i + 1));
            continue;
        }
        if o.name.is_empty() {
            out.push(format!("ObjectId = '{}': the object is missing its name", o.id));
        }
        if !seen.insert(o.id.as_str()) {
            out.push(format!("ObjectId = '{}': duplicate object id", o.id));
        }
        if o.fields.len() > MAX_FIELDS {
            out.push(format!(
                "ObjectId = '{}': {} fields; at most {MAX_FIELDS} are allowed",
                o.id,
                o.fields.len()
            ));
        }
        let bytes: usize = o.id.len()
            + o.name.len()
            + o.fields
                .iter()
                .map(|f| {
                    f.key.len()
                        + f.string_value.as_ref().map_or(0, String::len)
                        + f.ref_value.as_ref().map_or(0, String::len)
                })
                .sum::<usize>();
        if bytes > MAX_OBJECT_BYTES {
            out.push(format!(
                "ObjectId = '{}': the object is {bytes} bytes; at most {MAX_OBJECT_BYTES} are allowed",
                o.id
            ));
        }
        for f in &o.fields {
            match (&f.string_value, &f.ref_value) {
                (Some(s), None) | (None, Some(s)) if s.is_empty() => {
                    out.push(format!("ObjectId = '{}': Empty value for field '{}'", o.id, f.key))
                }
                (None, None) => out.push(format!(
                    "ObjectId = '{}': field '{}' has neither a stringValue nor a refValue",
                    o.id, f.key
                )),
                (Some(_), Some(_)) => out.push(format!(
                    "ObjectId = '{}': field '{}' has both a stringValue and a refValue",
                    o.id, f.key
                )),
                _ => {}
            }
        }
    }
    for p in &def.parameter_objects {
        let bytes: usize = p.id.len()
            + p.attributes
                .iter()
                .map(|a| a.key.len() + a.string_value.len())
                .sum::<usize>();
        if bytes > MAX_OBJECT_BYTES {
            out.push(format!(
                "Parameter '{}': the parameter object is {bytes} bytes; at most {MAX_OBJECT_BYTES} are allowed",
                p.id
            ));
        }
    }
    if def.parameter_objects.len() > MAX_PARAMETERS {
        out.push(format!(
            "{} parameter objects; at most {MAX_PARAMETERS} are allowed",
            def.parameter_objects.len()
        ));
    }
    let value_bytes: usize = def
        .parameter_values
        .iter()
        .map(|v| v.id.len() + v.string_value.len())
        .sum();
    if value_bytes > MAX_PARAMETER_VALUE_BYTES {
        out.push(format!(
            "Parameter values are {value_bytes} bytes; at most {MAX_PARAMETER_VALUE_BYTES} are allowed"
        ));
    }
    out
}

/// Validation errors and warnings of a (savable) definition.
pub fn check(def: &Definition) -> Findings {
    let mut f = Findings::default();
    let ids: HashSet<&str> = def.objects.iter().map(|o| o.id.as_str()).collect();
    let stype = match schedule::schedule_type(def) {
        Ok(t) => Some(t),
        Err(e) => {
            f.error("Default", e);
            None
        }
    };
    for o in &def.objects {
        check_object(def, o, &ids, stype, &mut f);
    }
    check_parameters(def, &mut f);
    // A missing `pipelineLogUri` is not warned about: the API Reference's
    // ValidatePipelineDefinition sample has none and answers only
    // `{"errored": false}`.
    f
}

fn check_object(
    def: &Definition,
    o: &PipelineObject,
    ids: &HashSet<&str>,
    stype: Option<ScheduleType>,
    f: &mut Findings,
) {
    for field in &o.fields {
        if field.key.starts_with('@') {
            f.error(
                &o.id,
                format!(
                    "INVALID_FIELD_NAME:  '{}' is a read-only runtime field and cannot be set.",
                    field.key
                ),
            );
        }
        if let Some(r) = &field.ref_value {
            if !ids.contains(r.as_str()) {
                f.error(
                    &o.id,
                    format!(
                        "INVALID_FIELD_VALUE:  '{}' refers to '{r}', which is not an object of this pipeline.",
                        field.key
                    ),
                );
            }
        }
    }
    if parent_cycle(def, o) {
        f.error(&o.id, "INVALID_FIELD_VALUE:  'parent' references form a cycle.");
    }
    let ty = schedule::inherited_string(def, o, "type");
    let Some(ty) = ty else {
        if o.id != "Default" {
            f.error(&o.id, "MISSING_REQUIRED_FIELD:  'type' is required.");
        }
        return;
    };
    if !KNOWN_TYPES.contains(&ty.as_str()) {
        f.error(
            &o.id,
            format!("INVALID_OBJECT_TYPE:  '{ty}' is not a known object type."),
        );
        return;
    }
    if ty == "Schedule" {
        if let Err(errors) = schedule::parse_schedule(o) {
            for e in errors {
                f.error(&o.id, e);
            }
        }
        if stype == Some(ScheduleType::OnDemand) {
            f.error(
                &o.id,
                "INVALID_OBJECT_TYPE:  a pipeline with scheduleType 'ondemand' cannot have Schedule objects.",
            );
        }
    }
    if RESOURCE_TYPES.contains(&ty.as_str()) && schedule::inherited_string(def, o, "terminateAfter").is_none() {
        f.warning(
            &o.id,
            "WARNING:  'terminateAfter' is not set; the resource may run indefinitely.",
        );
    }
    if ty.ends_with("Activity") {
        check_activity(def, o, &ty, stype, f);
    }
}

fn check_activity(def: &Definition, o: &PipelineObject, ty: &str, stype: Option<ScheduleType>, f: &mut Findings) {
    let has = |k: &str| schedule::resolved_fields(def, o).iter().any(|x| x.key == k);
    if stype != Some(ScheduleType::OnDemand) {
        match schedule::inherited_ref(def, o, "schedule") {
            None => f.error(
                &o.id,
                "MISSING_REQUIRED_FIELD:  'schedule' is required unless the pipeline's scheduleType is 'ondemand'.",
            ),
            Some(s) => {
                let is_schedule = def
                    .object(&s)
                    .and_then(|so| schedule::inherited_string(def, so, "type"))
                    .is_some_and(|t| t == "Schedule");
                if def.object(&s).is_some() && !is_schedule {
                    f.error(
                        &o.id,
                        format!("INVALID_FIELD_VALUE:  'schedule' refers to '{s}', which is not a Schedule."),
                    );
                }
            }
        }
    }
    if !has("runsOn") && !has("workerGroup") {
        f.error(
            &o.id,
            "MISSING_REQUIRED_FIELD:  one of 'runsOn' or 'workerGroup' is required.",
        );
    }
    if ty == "ShellCommandActivity" && !has("command") && !has("scriptUri") {
        f.error(
            &o.id,
            "MISSING_REQUIRED_FIELD:  one of 'command' or 'scriptUri' is required.",
        );
    }
    for (key, max) in [("maximumRetries", 5u32), ("maxActiveInstances", 5u32)] {
        if let Some(v) = schedule::inherited_string(def, o, key) {
            match v.trim().parse::<u32>() {
                Ok(n) if n <= max && (key != "maxActiveInstances" || n >= 1) => {}
                _ => f.error(
                    &o.id,
                    format!(
                        "INVALID_FIELD_VALUE:  '{key}' value '{v}' must be an integer from {} to {max}.",
                        if key == "maxActiveInstances" { 1 } else { 0 }
                    ),
                ),
            }
        }
    }
}

fn parent_cycle(def: &Definition, o: &PipelineObject) -> bool {
    let mut seen = HashSet::new();
    let mut current = o.reference("parent");
    while let Some(p) = current {
        if p == o.id || !seen.insert(p.to_string()) {
            return true;
        }
        current = def.object(p).and_then(|x| x.reference("parent"));
    }
    false
}

fn check_parameters(def: &Definition, f: &mut Findings) {
    const TYPES: &[&str] = &["String", "Integer", "Double", "AWS::S3::ObjectKey"];
    for p in &def.parameter_objects {
        if !p.id.starts_with("my") && !p.id.starts_with("*my") {
            f.error(
                &p.id,
                "INVALID_PARAMETER:  parameter ids must start with 'my' (or '*my').",
            );
        }
        if let Some(t) = p.attribute("type") {
            if !TYPES.contains(&t) {
                f.error(
                    &p.id,
                    format!(
                        "INVALID_PARAMETER:  type '{t}' must be one of String, Integer, Double, AWS::S3::ObjectKey."
                    ),
                );
            }
        }
        let values: Vec<&str> = def
            .parameter_values
            .iter()
            .filter(|v| v.id == p.id)
            .map(|v| v.string_value.as_str())
            .collect();
        let optional = p.attribute("optional").is_some_and(|o| o.eq_ignore_ascii_case("true"));
        if values.is_empty() && p.attribute("default").is_none() && !optional {
            f.error(
                &p.id,
                "MISSING_PARAMETER_VALUE:  the parameter has no value and no default.",
            );
        }
        let allowed: Vec<&str> = p
            .attributes
            .iter()
            .filter(|a| a.key == "allowedValues")
            .map(|a| a.string_value.as_str())
            .collect();
        for v in &values {
            if !allowed.is_empty() && !allowed.contains(v) {
                f.error(
                    &p.id,
                    format!("INVALID_PARAMETER_VALUE:  '{v}' is not one of the allowedValues."),
                );
            }
            let ok = match p.attribute("type") {
                Some("Integer") => v.trim().parse::<i64>().is_ok(),
                Some("Double") => v.trim().parse::<f64>().is_ok(),
                _ => true,
            };
            if !ok {
                f.error(
                    &p.id,
                    format!(
                        "INVALID_PARAMETER_VALUE:  '{v}' is not a valid {}.",
                        p.attribute("type").unwrap_or("value")
                    ),
                );
            }
        }
        let is_array = p.attribute("isArray").is_some_and(|a| a.eq_ignore_ascii_case("true"));
        if values.len() > 1 && !is_array {
            f.error(
                &p.id,
                "INVALID_PARAMETER_VALUE:  several values given for a parameter that is not an array.",
            );
        }
    }
    for v in &def.parameter_values {
        if !def.parameter_objects.iter().any(|p| p.id == v.id) {
            f.error(
                &v.id,
                "INVALID_PARAMETER_VALUE:  a value is given for a parameter that is not declared.",
            );
        }
    }
    // `#{myX}` references in field values need a declared parameter (or a
    // user field of that name on some object).
    let declared: HashSet<&str> = def
        .parameter_objects
        .iter()
        .map(|p| p.id.trim_start_matches('*'))
        .collect();
    for o in &def.objects {
        for field in &o.fields {
            let Some(s) = &field.string_value else {
                continue;
            };
            for name in referenced_parameters(s) {
                let is_field = def.objects.iter().any(|x| x.has(&name));
                if !declared.contains(name.as_str()) && !is_field {
                    f.error(
                        &o.id,
                        format!(
                            "INVALID_FIELD_VALUE:  '{}' references '#{{{name}}}', which is not a declared parameter.",
                            field.key
                        ),
                    );
                }
            }
        }
    }
}

/// Names `my...` used as a whole expression (`#{myVar}`).
fn referenced_parameters(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(p) = rest.find("#{") {
        let after = &rest[p + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = after[..end].trim();
        if inner.starts_with("my") && inner.chars().all(|c| c.is_alphanumeric() || c == '_') {
            out.push(inner.to_string());
        }
        rest = &after[end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, ParameterAttribute, ParameterObject, ParameterValue};

    fn obj(id: &str, fields: &[(&str, &str)]) -> PipelineObject {
        PipelineObject::from_pairs(id, fields)
    }

    fn valid() -> Definition {
        Definition {
            objects: vec![
                obj(
                    "Default",
                    &[
                        ("scheduleType", "cron"),
                        ("pipelineLogUri", "s3://logs/"),
                        ("workerGroup", "wg"),
                    ],
                ),
                obj(
                    "Schedule",
                    &[
                        ("type", "Schedule"),
                        ("period", "1 hour"),
                        ("startDateTime", "2012-09-25T17:00:00"),
                    ],
                ),
                obj(
                    "Act",
                    &[
                        ("type", "ShellCommandActivity"),
                        ("command", "echo hi"),
                        ("schedule", "&Schedule"),
                    ],
                ),
            ],
            ..Definition::default()
        }
    }

    fn errors_of(def: &Definition, id: &str) -> Vec<String> {
        check(def)
            .errors
            .into_iter()
            .find(|(i, _)| i == id)
            .map(|(_, e)| e)
            .unwrap_or_default()
    }

    #[test]
    fn a_valid_definition_has_no_findings() {
        let f = check(&valid());
        assert_eq!(f, Findings::default(), "{f:?}");
        assert!(fatal(&valid()).is_empty());
    }

    #[test]
    fn errors_per_object() {
        let mut d = valid();
        d.objects.push(obj("NoType", &[("x", "y")]));
        d.objects.push(obj("Bad", &[("type", "Rocket")]));
        d.objects
            .push(obj("Dangling", &[("type", "S3DataNode"), ("schedule", "&Nowhere")]));
        d.objects[1] = obj(
            "Schedule",
            &[("type", "Schedule"), ("period", "1 hour"), ("startDateTime", "soon")],
        );
        assert_eq!(
            errors_of(&d, "NoType"),
            vec!["MISSING_REQUIRED_FIELD:  'type' is required.".to_string()]
        );
        assert!(errors_of(&d, "Bad")[0].starts_with("INVALID_OBJECT_TYPE"));
        assert!(errors_of(&d, "Dangling")[0].contains("'Nowhere'"));
        assert_eq!(
            errors_of(&d, "Schedule"),
            vec!["INVALID_FIELD_VALUE:  'startDateTime' value must be a literal datetime value.".to_string()]
        );
    }

    #[test]
    fn activities_need_schedule_and_runner() {
        let mut d = valid();
        d.objects[0] = obj("Default", &[("pipelineLogUri", "s3://l/")]);
        d.objects[2] = obj("Act", &[("type", "ShellCommandActivity")]);
        let e = errors_of(&d, "Act");
        assert_eq!(e.len(), 3, "{e:?}");
    }

    #[test]
    fn warnings_do_not_error() {
        let mut d = valid();
        d.objects[0] = obj("Default", &[("workerGroup", "wg")]);
        d.objects.push(obj("Ec2", &[("type", "Ec2Resource")]));
        let f = check(&d);
        assert!(!f.errored());
        assert_eq!(f.warnings.len(), 1);
        assert_eq!(f.warnings[0].0, "Ec2");
    }

    #[test]
    fn fatal_problems() {
        let mut d = valid();
        d.objects.push(obj("Empty", &[("type", "")]));
        d.objects.push(obj("Empty", &[]));
        d.objects.push(PipelineObject {
            id: String::new(),
            name: "n".into(),
            fields: vec![],
        });
        d.objects.push(PipelineObject {
            id: "R".into(),
            name: "R".into(),
            fields: vec![Field::reference("x", "")],
        });
        let f = fatal(&d);
        assert_eq!(f.len(), 4, "{f:?}");
        let mut big = valid();
        big.objects = (0..101).map(|i| obj(&format!("o{i}"), &[])).collect();
        assert_eq!(fatal(&big).len(), 1);
    }

    #[test]
    fn parameters() {
        let mut d = valid();
        d.objects[2].fields.push(Field::string("myPath", "#{myInput}"));
        d.parameter_objects = vec![ParameterObject {
            id: "myInput".into(),
            attributes: vec![ParameterAttribute {
                key: "type".into(),
                string_value: "Integer".into(),
            }],
        }];
        assert!(errors_of(&d, "myInput")[0].starts_with("MISSING_PARAMETER_VALUE"));
        d.parameter_values = vec![ParameterValue {
            id: "myInput".into(),
            string_value: "x".into(),
        }];
        assert!(errors_of(&d, "myInput")[0].starts_with("INVALID_PARAMETER_VALUE"));
        d.parameter_values[0].string_value = "5".into();
        assert!(!check(&d).errored(), "{:?}", check(&d));
        d.parameter_objects.clear();
        d.parameter_values.clear();
        assert!(errors_of(&d, "Act")[0].contains("#{myInput}"));
    }
}

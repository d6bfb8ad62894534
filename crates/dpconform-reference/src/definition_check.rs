//! Checking a pipeline definition: the problems that keep PutPipelineDefinition
//! from saving anything, and the validation errors and warnings that
//! ValidatePipelineDefinition and PutPipelineDefinition report.
//!
//! The rules per object type come from the Developer Guide's object reference,
//! loaded from `data/object-types.json` (documented: evidence/dg-object-reference.md):
//! required fields, required groups, fields not allowed, the types a reference may
//! point to, enumerated values and period forms. Where observed behaviour
//! contradicts the guide, it wins:
//! - an object without `type` is valid; no per-type rule can apply to it
//!   (observed: evidence/aws-sdk-java-v2-integration-test.md — a lone untyped object
//!   with `startDateTime` validates `errored: false` and activates;
//!   evidence/gh-harrystech-arthur-redshift-etl-657.md — untyped parent objects);
//! - a field key that is in no type's table and is not a user field (`my...`) is an
//!   error (observed: the same Java test, `radom_key` → `errored: true`);
//! - an empty value is an error standing alone on its object for Validate
//!   (observed: evidence/aws-sdk-ruby-v1-integration-features.md), and a FATAL
//!   error for Put (observed there too: InvalidRequestException).
//!
//! Messages: `INVALID_FIELD: Field values cannot be empty. Found empty values for
//! 'type'` is observed (evidence/aws-sdk-ruby-v1-integration-features.md) and
//! `INVALID_FIELD_VALUE:  'startDateTime' value must be a literal datetime value.`
//! documented (API Reference sample); the other texts follow those forms and are
//! inferred (the real service's wording is UNK).

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

use super::model::{Definition, Findings, PipelineObject};
use super::schedule::{self, ScheduleType};

/// DG limits (dp-limits): objects per pipeline.
pub const MAX_OBJECTS: usize = 100;
/// DG limits: fields per object, bytes per object; parameters per definition and
/// bytes of parameter values (dp-custom-templates).
pub const MAX_FIELDS: usize = 50;
pub const MAX_OBJECT_BYTES: usize = 15_360;
pub const MAX_PARAMETERS: usize = 50;
pub const MAX_PARAMETER_VALUE_BYTES: usize = 15 * 1024;

/// The refusal of a definition with too many objects.
/// observed: evidence/gh-krux-hyperion-467.md (InvalidRequestException, this text).
pub const TOO_MANY_OBJECTS: &str =
    "Web service limit exceeded: Exceeded maximum number of objects allowed per pipeline";

/// The Developer Guide's object reference, as `scripts/dg-object-table.py` wrote it.
#[derive(Debug, Deserialize)]
struct Table {
    types: Vec<TypeEntry>,
}

#[derive(Debug, Deserialize)]
struct TypeEntry {
    #[serde(rename = "type")]
    name: String,
    category: String,
    #[serde(default)]
    fields: BTreeMap<String, FieldSpec>,
    #[serde(default)]
    runtime_fields: Vec<String>,
    #[serde(default)]
    system_fields: Vec<String>,
    #[serde(default)]
    rules: Vec<Rule>,
    #[serde(default)]
    example_fields: Vec<String>,
    #[serde(default)]
    example_keys_outside_table: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct FieldSpec {
    kind: String,
    group: String,
    #[serde(default)]
    invocation: bool,
    #[serde(default)]
    refs: Option<Refs>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    values_elsewhere: Option<ValuesElsewhere>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Refs {
    /// `"any"`: the page does not narrow it.
    Any(#[allow(dead_code)] String),
    Types(Vec<String>),
}

#[derive(Debug, Deserialize)]
struct ValuesElsewhere {
    values: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Rule {
    kind: String,
    fields: Vec<String>,
}

/// The table and what is derived from it once.
struct Reference {
    types: BTreeMap<String, TypeEntry>,
    /// Every field name the guide knows on some object: the field tables, the
    /// runtime and system fields, and the keys its own examples use.
    known_keys: HashSet<String>,
}

fn reference() -> &'static Reference {
    static TABLE: OnceLock<Reference> = OnceLock::new();
    TABLE.get_or_init(|| {
        // A unit test parses the embedded file, so this cannot fail at run time.
        let table: Table =
            serde_json::from_str(include_str!("../data/object-types.json")).unwrap_or(Table { types: Vec::new() });
        let mut known_keys: HashSet<String> = ["type", "parent", "id", "name"].iter().map(|k| k.to_string()).collect();
        let mut types = BTreeMap::new();
        for t in table.types {
            // Parameter objects travel in parameterObjects, not as pipeline objects.
            if t.category == "parameter" {
                continue;
            }
            known_keys.extend(t.fields.keys().cloned());
            known_keys.extend(t.runtime_fields.iter().cloned());
            known_keys.extend(t.system_fields.iter().cloned());
            known_keys.extend(t.example_fields.iter().cloned());
            known_keys.extend(t.example_keys_outside_table.iter().cloned());
            // `Default` is the object with that id, not a type.
            if t.category != "default" {
                types.insert(t.name.clone(), t);
            }
        }
        Reference { types, known_keys }
    })
}

/// Whether a field key is one the service knows. User fields (`my` + a capital
/// or `_`) are free (documented: dp-writing-pipeline-definition). inferred: an
/// encrypted `*key` is known when `key` is, and runtime `@` keys are not refused
/// (what the service does with them is UNK).
fn known_key(key: &str) -> bool {
    let user = |k: &str| {
        k.strip_prefix("my")
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
    };
    let known = |k: &str| reference().known_keys.contains(k) || user(k);
    key.starts_with('@') || known(key) || key.strip_prefix('*').is_some_and(known)
}

/// A problem found before anything is saved: PutPipelineDefinition refuses the
/// whole definition, ValidatePipelineDefinition reports it on `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal {
    /// The object (or parameter) it is about; None for the definition as a whole.
    pub id: Option<String>,
    pub message: String,
}

/// Problems that keep a definition from being saved at all (M: an empty string
/// value, more than the maximum objects). Missing ids and names and empty refs
/// never get here: the request validator refuses them (see `validate`).
/// inferred: the DG size limits (fields per object, object bytes, parameters)
/// are fatal too, so nothing over a limit is ever stored.
/// The object count is checked apart, first: see [`TOO_MANY_OBJECTS`].
pub fn fatal(def: &Definition) -> Vec<Fatal> {
    let mut out = Vec::new();
    let mut on = |id: &str, message: String| {
        out.push(Fatal {
            id: Some(id.to_string()),
            message,
        })
    };
    for o in &def.objects {
        let empty = empty_keys(o);
        if !empty.is_empty() {
            on(&o.id, empty_message(&empty));
        }
        if o.fields.len() > MAX_FIELDS {
            on(
                &o.id,
                format!(
                    "INVALID_OBJECT:  {} fields; at most {MAX_FIELDS} are allowed.",
                    o.fields.len()
                ),
            );
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
            on(
                &o.id,
                format!("INVALID_OBJECT:  the object is {bytes} bytes; at most {MAX_OBJECT_BYTES} are allowed."),
            );
        }
        for f in &o.fields {
            match (&f.string_value, &f.ref_value) {
                (None, None) => on(
                    &o.id,
                    format!(
                        "INVALID_FIELD: Field '{}' has neither a stringValue nor a refValue",
                        f.key
                    ),
                ),
                (Some(_), Some(_)) => on(
                    &o.id,
                    format!("INVALID_FIELD: Field '{}' has both a stringValue and a refValue", f.key),
                ),
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
            on(
                &p.id,
                format!("INVALID_PARAMETER:  the parameter object is {bytes} bytes; at most {MAX_OBJECT_BYTES} are allowed."),
            );
        }
    }
    if def.parameter_objects.len() > MAX_PARAMETERS {
        out.push(Fatal {
            id: None,
            message: format!(
                "INVALID_PARAMETER:  {} parameter objects; at most {MAX_PARAMETERS} are allowed.",
                def.parameter_objects.len()
            ),
        });
    }
    let value_bytes: usize = def
        .parameter_values
        .iter()
        .map(|v| v.id.len() + v.string_value.len())
        .sum();
    if value_bytes > MAX_PARAMETER_VALUE_BYTES {
        out.push(Fatal {
            id: None,
            message: format!(
                "INVALID_PARAMETER_VALUE:  parameter values are {value_bytes} bytes; at most {MAX_PARAMETER_VALUE_BYTES} are allowed."
            ),
        });
    }
    out
}

/// Keys of an object's fields with an empty string value.
fn empty_keys(o: &PipelineObject) -> Vec<&str> {
    o.fields
        .iter()
        .filter(|f| f.string_value.as_deref() == Some(""))
        .map(|f| f.key.as_str())
        .collect()
}

/// observed: evidence/aws-sdk-ruby-v1-integration-features.md (one key).
/// inferred: several keys are listed in one message, comma-separated.
fn empty_message(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("'{k}'")).collect();
    format!(
        "INVALID_FIELD: Field values cannot be empty. Found empty values for {}",
        quoted.join(", ")
    )
}

/// Validation errors and warnings of a definition. Objects with an empty value
/// get no other finding here (the empty value is reported by [`fatal`]; observed:
/// the Ruby v1 test's object with an empty `type` got that one error only).
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
    let mut seen = HashSet::new();
    for o in &def.objects {
        // documented (dp-writing-pipeline-definition): ids are unique. inferred:
        // a duplicate is a validation error on that id (not one of M's FATAL ones).
        if !seen.insert(o.id.as_str()) {
            f.error(&o.id, format!("INVALID_OBJECT:  duplicate object id '{}'.", o.id));
        }
        if empty_keys(o).is_empty() {
            check_object(def, o, &ids, stype, &mut f);
        }
    }
    check_parameters(def, &mut f);
    // A missing `pipelineLogUri` is not warned about: a lone object without one
    // validated with no warnings (observed: evidence/aws-sdk-java-v2-integration-test.md).
    f
}

fn one_of(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("'{k}'")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

fn check_object(
    def: &Definition,
    o: &PipelineObject,
    ids: &HashSet<&str>,
    stype: Option<ScheduleType>,
    f: &mut Findings,
) {
    // Type-independent: unknown keys, and references that resolve.
    for field in &o.fields {
        if !known_key(&field.key) {
            // observed: evidence/aws-sdk-java-v2-integration-test.md (`radom_key` is
            // an error); inferred: the message names the key.
            f.error(&o.id, format!("INVALID_FIELD: Unknown field '{}'", field.key));
        }
        if let Some(r) = &field.ref_value {
            // documented (dp-writing-pipeline-definition): references are checked,
            // user fields' included.
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
    let ty = schedule::inherited_string(def, o, "type").filter(|t| !t.is_empty());
    // observed: an object without a type is valid (module documentation).
    let Some(ty) = ty else { return };
    let Some(entry) = reference().types.get(&ty) else {
        // documented (dp-pipeline-objects lists the types); inferred: an unknown
        // one is a validation error, not a FATAL one.
        f.error(
            &o.id,
            format!("INVALID_OBJECT_TYPE:  '{ty}' is not a known object type."),
        );
        return;
    };
    let resolved = schedule::resolved_object(def, o);
    if ty == "Schedule" {
        // The Schedule rules (dp-object-schedule), on own and inherited fields.
        if !schedule::is_on_demand_schedule(&resolved) {
            if let Err(errors) = schedule::parse_schedule(&resolved) {
                for e in errors {
                    f.error(&o.id, e);
                }
            }
        }
        return;
    }
    let has = |k: &str| resolved.has(k);
    // Required fields, own or inherited.
    for (key, spec) in &entry.fields {
        if spec.group != "required" || has(key) {
            continue;
        }
        if spec.invocation {
            // documented (dp-concepts-schedules): on-demand pipelines need no
            // schedule; inferred: an unreadable scheduleType (already an error on
            // Default) does not add this one.
            if stype != Some(ScheduleType::OnDemand) && stype.is_some() {
                f.error(
                    &o.id,
                    "MISSING_REQUIRED_FIELD:  'schedule' is required unless the pipeline's scheduleType is 'ondemand'.",
                );
            }
        } else {
            f.error(
                &o.id,
                format!("MISSING_REQUIRED_FIELD:  '{key}' is required on a {ty}."),
            );
        }
    }
    // Required groups ("one of the following is required") and the prose rules of
    // the same kind (S3DataNode: filePath or directoryPath).
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (key, spec) in &entry.fields {
        if spec.group.starts_with("required_group:") {
            groups.entry(spec.group.as_str()).or_default().push(key.as_str());
        }
    }
    let mut alternatives: Vec<Vec<&str>> = groups.into_values().collect();
    for rule in entry.rules.iter().filter(|r| r.kind == "one_of_required") {
        alternatives.push(rule.fields.iter().map(String::as_str).collect());
    }
    for group in alternatives {
        if !group.iter().any(|k| has(k)) {
            f.error(
                &o.id,
                format!("MISSING_REQUIRED_FIELD:  one of {} is required.", one_of(&group)),
            );
        }
    }
    // "Specify only one of" rules.
    for rule in entry.rules.iter().filter(|r| r.kind == "exclusive") {
        let set: Vec<&str> = rule.fields.iter().map(String::as_str).filter(|k| has(k)).collect();
        if set.len() > 1 {
            f.error(
                &o.id,
                format!(
                    "INVALID_FIELD_VALUE:  {} cannot both be set.",
                    one_of(&set).replace(" or ", " and ")
                ),
            );
        }
    }
    // Values, where they are written: not-allowed fields, reference targets,
    // enumerations and periods of the object's own fields in its type's table.
    // inferred: inherited values are checked on the object that sets them, and a
    // value with an expression (`#{...}`) is not checked before it is evaluated.
    for field in &o.fields {
        let Some(spec) = entry.fields.get(&field.key) else {
            continue;
        };
        if spec.group == "not_allowed" {
            f.error(
                &o.id,
                format!("INVALID_FIELD:  '{}' is not allowed on a {ty}.", field.key),
            );
            continue;
        }
        if let (Some(target), Some(Refs::Types(allowed))) = (&field.ref_value, &spec.refs) {
            // inferred: `dependsOn` is left out: the guide does not list which types
            // are "runnable" (its table guesses from an example id).
            let target_type = def
                .object(target)
                .and_then(|t| schedule::inherited_string(def, t, "type"))
                .filter(|t| !t.is_empty());
            if let Some(target_type) = target_type {
                if field.key != "dependsOn" && !allowed.contains(&target_type) {
                    f.error(
                        &o.id,
                        format!(
                            "INVALID_FIELD_VALUE:  '{}' refers to '{target}', which is not {}.",
                            field.key,
                            a_type(allowed)
                        ),
                    );
                }
            }
        }
        let Some(value) = field.string_value.as_deref().filter(|v| !v.contains("#{")) else {
            continue;
        };
        let values = match (&spec.values_elsewhere, spec.values.is_empty()) {
            (_, false) => spec.values.as_slice(),
            (Some(elsewhere), true) => elsewhere.values.as_slice(),
            (None, true) => &[],
        };
        // inferred: compared without case; the guide's own examples write CRON,
        // ONDEMAND, CASCADE and retryAll for cron, ondemand, cascade and retryall.
        if !values.is_empty() && !values.iter().any(|v| v.eq_ignore_ascii_case(value)) {
            f.error(
                &o.id,
                format!(
                    "INVALID_FIELD_VALUE:  '{}' value '{value}' must be one of {}.",
                    field.key,
                    values.join(", ")
                ),
            );
        }
        if spec.kind == "period" && schedule::parse_period_any(value).is_none() {
            f.error(
                &o.id,
                format!(
                    "INVALID_FIELD_VALUE:  '{}' value '{value}' is not a valid period, e.g. '1 hour' or '15 minutes'.",
                    field.key
                ),
            );
        }
    }
    // inferred from a change to AWS's samples (evidence/gh-data-pipeline-samples-16.md):
    // a resource without `terminateAfter` (own or inherited) draws a warning.
    if entry.category == "resource" && entry.fields.contains_key("terminateAfter") && !has("terminateAfter") {
        f.warning(
            &o.id,
            "WARNING:  'terminateAfter' is not set; the resource may run indefinitely.",
        );
    }
}

/// "a Schedule", "one of: Ec2Resource, EmrCluster".
fn a_type(types: &[String]) -> String {
    match types {
        [one] => format!("a {one}"),
        _ => format!("one of: {}", types.join(", ")),
    }
}

/// Parameter objects (documented: dp-custom-templates): ids start with `my`, the
/// four types, `optional`, `allowedValues`, `isArray`, and a value or default for
/// every required parameter.
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
}

/// Whether objects of this type get instances: those whose type has the invocation
/// field `schedule` in the guide (activities, data nodes, Ec2Resource, EmrCluster).
/// documented: dp-object-* "Object Invocation Fields".
pub fn is_scheduled_type(ty: &str) -> bool {
    reference()
        .types
        .get(ty)
        .is_some_and(|t| t.fields.values().any(|f| f.invocation))
}

/// The category of a type in the guide (`activity`, `datanode`, `resource`, ...).
pub fn category(ty: &str) -> Option<&'static str> {
    reference().types.get(ty).map(|t| t.category.as_str())
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
    fn the_table_loads() {
        let r = reference();
        assert_eq!(r.types.len(), 41, "43 entries less Default and Parameter");
        assert!(r.known_keys.contains("startDateTime"));
        assert!(r.known_keys.contains("*password"));
        assert!(!r.known_keys.contains("radom_key"));
        assert!(is_scheduled_type("S3DataNode") && is_scheduled_type("EmrCluster"));
        assert!(!is_scheduled_type("Schedule") && !is_scheduled_type("SnsAlarm"));
    }

    #[test]
    fn a_valid_definition_has_no_findings() {
        let f = check(&valid());
        assert_eq!(f, Findings::default(), "{f:?}");
        assert!(fatal(&valid()).is_empty());
    }

    #[test]
    fn untyped_objects_are_valid_and_unknown_keys_are_not() {
        // The Java SDK v2 integration test's two definitions.
        let lone = Definition {
            objects: vec![obj("123", &[("startDateTime", "2012-09-25T17:00:00")])],
            ..Definition::default()
        };
        assert_eq!(check(&lone), Findings::default());
        let unknown = Definition {
            objects: vec![obj("123", &[("radom_key", "2012-09-25T17:00:00")])],
            ..Definition::default()
        };
        assert_eq!(
            errors_of(&unknown, "123"),
            vec!["INVALID_FIELD: Unknown field 'radom_key'".to_string()]
        );
        assert!(check(&unknown).warnings.is_empty());
        // User fields, encrypted forms and runtime keys are not unknown.
        let mut d = valid();
        d.objects[2].fields.push(Field::string("myThing", "x"));
        d.objects[2].fields.push(Field::string("my_other", "x"));
        d.objects.push(obj("Db", &[("*myPassword", "x")]));
        assert!(!check(&d).errored(), "{:?}", check(&d));
    }

    #[test]
    fn an_empty_value_stands_alone() {
        let d = Definition {
            objects: vec![obj("Schedule", &[("type", "")])],
            ..Definition::default()
        };
        assert_eq!(check(&d), Findings::default());
        assert_eq!(
            fatal(&d),
            vec![Fatal {
                id: Some("Schedule".into()),
                message: "INVALID_FIELD: Field values cannot be empty. Found empty values for 'type'".into()
            }]
        );
    }

    #[test]
    fn typed_objects_follow_their_table() {
        let mut d = valid();
        d.objects.push(obj("Bad", &[("type", "Rocket")]));
        d.objects.push(obj(
            "Dangling",
            &[
                ("type", "S3DataNode"),
                ("schedule", "&Nowhere"),
                ("filePath", "s3://b/k"),
            ],
        ));
        d.objects
            .push(obj("Table", &[("type", "DynamoDBDataNode"), ("schedule", "&Schedule")]));
        d.objects
            .push(obj("Node", &[("type", "S3DataNode"), ("schedule", "&Schedule")]));
        d.objects.push(obj(
            "Copy",
            &[
                ("type", "RedshiftCopyActivity"),
                ("insertMode", "sometimes"),
                ("runsOn", "&Schedule"),
                ("attemptTimeout", "soon"),
                ("failureAndRerunMode", "CASCADE"),
            ],
        ));
        d.objects.push(obj(
            "Ec2",
            &[
                ("type", "Ec2Resource"),
                ("role", "r"),
                ("resourceRole", "rr"),
                ("workerGroup", "wg"),
            ],
        ));
        d.objects[1] = obj(
            "Schedule",
            &[("type", "Schedule"), ("period", "1 hour"), ("startDateTime", "soon")],
        );
        assert!(errors_of(&d, "Bad")[0].starts_with("INVALID_OBJECT_TYPE"));
        assert_eq!(errors_of(&d, "Dangling").len(), 1);
        assert!(errors_of(&d, "Dangling")[0].contains("'Nowhere'"));
        assert_eq!(
            errors_of(&d, "Schedule"),
            vec!["INVALID_FIELD_VALUE:  'startDateTime' value must be a literal datetime value.".to_string()]
        );
        assert_eq!(
            errors_of(&d, "Table"),
            vec!["MISSING_REQUIRED_FIELD:  'tableName' is required on a DynamoDBDataNode.".to_string()]
        );
        assert_eq!(
            errors_of(&d, "Node"),
            vec!["MISSING_REQUIRED_FIELD:  one of 'directoryPath' or 'filePath' is required.".to_string()]
        );
        let copy = errors_of(&d, "Copy");
        assert_eq!(copy.len(), 3, "{copy:?}");
        assert!(copy[0].starts_with("INVALID_FIELD_VALUE:  'insertMode' value 'sometimes' must be one of"));
        assert!(copy[1].contains("'runsOn' refers to 'Schedule', which is not one of: Ec2Resource, EmrCluster"));
        assert!(copy[2].contains("'attemptTimeout' value 'soon' is not a valid period"));
        assert_eq!(
            errors_of(&d, "Ec2"),
            vec!["INVALID_FIELD:  'workerGroup' is not allowed on a Ec2Resource.".to_string()]
        );
    }

    #[test]
    fn activities_need_schedule_and_runner_unless_on_demand() {
        let mut d = valid();
        d.objects[0] = obj("Default", &[("pipelineLogUri", "s3://l/")]);
        d.objects[2] = obj("Act", &[("type", "ShellCommandActivity")]);
        let e = errors_of(&d, "Act");
        assert_eq!(e.len(), 3, "{e:?}");
        d.objects[0] = obj("Default", &[("scheduleType", "ondemand"), ("workerGroup", "wg")]);
        d.objects[2] = obj("Act", &[("type", "ShellCommandActivity"), ("command", "x")]);
        // A Schedule in an on-demand pipeline is no error (invented rule removed).
        assert!(!check(&d).errored(), "{:?}", check(&d));
    }

    #[test]
    fn on_demand_schedule_objects_are_accepted() {
        let mut d = valid();
        d.objects[1] = obj(
            "Schedule",
            &[
                ("type", "Schedule"),
                ("period", "ONDEMAND_PERIOD"),
                ("startAt", "ONDEMAND_ACTIVATION_TIME"),
            ],
        );
        assert!(!check(&d).errored(), "{:?}", check(&d));
    }

    #[test]
    fn warnings_do_not_error() {
        let mut d = valid();
        d.objects[0] = obj("Default", &[("workerGroup", "wg")]);
        d.objects.push(obj(
            "Ec2",
            &[("type", "Ec2Resource"), ("role", "r"), ("resourceRole", "rr")],
        ));
        let f = check(&d);
        assert!(!f.errored(), "{f:?}");
        assert_eq!(f.warnings.len(), 1);
        assert_eq!(f.warnings[0].0, "Ec2");
    }

    #[test]
    fn fatal_problems() {
        let mut d = valid();
        d.objects.push(obj("Empty", &[("type", ""), ("x", "")]));
        d.objects.push(PipelineObject {
            id: "R".into(),
            name: "R".into(),
            fields: vec![Field {
                key: "x".into(),
                string_value: None,
                ref_value: None,
            }],
        });
        let f = fatal(&d);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].message.ends_with("Found empty values for 'type', 'x'"));
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
        // Undeclared parameters are not refused (the guide says nothing).
        d.parameter_objects.clear();
        d.parameter_values = vec![ParameterValue {
            id: "myOther".into(),
            string_value: "1".into(),
        }];
        assert!(!check(&d).errored(), "{:?}", check(&d));
    }
}

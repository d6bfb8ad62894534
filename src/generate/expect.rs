//! What a generated case expects, and the evidence it cites. A broken model
//! constraint is answered by the request validator before the service looks
//! anything up (evidence.md: ValidationException with Coral's message); the
//! message is asserted where its form is observed (null members, length
//! bounds), the error type alone where it is not (patterns, enums). A value
//! of the wrong JSON type, a null list item and an undeclared member are the
//! protocol's business, not the model's: those cases are `inferred`. A valid
//! input goes on to the service, which answers for the unknown pipeline or
//! task the body names, so no case depends on state.

use dpconform_protocol::model::{InputKind, ModelInput, Segment, ServiceModel, Shape, ShapeType};
use serde_json::{json, Value};

use super::body::{UNKNOWN_PIPELINE, UNKNOWN_TASK};
use crate::case::Grade;

/// The ledger entry of the model.
const MODEL_ENTRY: &str = "evidence/botocore-model.md";
/// The model, as a source names it.
const MODEL_NAME: &str = "model: datapipeline 2012-10-29";

/// The parts of a case that depend on the input.
pub struct Expectation {
    /// One line for `about`.
    pub about: String,
    /// The case's grade.
    pub grade: Grade,
    /// The case's citation.
    pub source: String,
    /// The step's `expect`.
    pub expect: Value,
    /// Clean-up steps (a created pipeline is deleted).
    pub finally: Vec<Value>,
}

/// Where an input sits, in the model's words.
struct Place<'m> {
    /// The shape of the value at the position.
    shape: &'m Shape,
    shape_name: &'m str,
    /// `CreatePipelineInput.name`, `Tag.key`, `idList[]` (an item), `CreatePipelineInput` (the body).
    member: String,
}

fn place<'m>(model: &'m ServiceModel, operation: &str, input: &ModelInput) -> Place<'m> {
    let (mut name, mut shape) = model.input_shape(operation).expect("every operation has an input");
    let mut member = name.to_string();
    for segment in &input.position.0 {
        let next = match segment {
            Segment::Member(m) => {
                member = format!("{name}.{m}");
                &shape.members[m].shape
            }
            Segment::Item => {
                member = format!("{name}[]");
                &shape.member.as_ref().expect("a list names its item shape").shape
            }
        };
        name = next;
        shape = model.shape(next);
    }
    Place {
        shape,
        shape_name: name,
        member,
    }
}

/// The expectation of one input of `operation`.
pub fn expectation(operation: &str, input: &ModelInput) -> Expectation {
    let model = ServiceModel::get();
    let at = place(model, operation, input);
    let position = input.position.to_string();
    // What `about` calls the position.
    let subject = if input.position.is_body() {
        "the body".to_string()
    } else {
        position.clone()
    };
    let cite = |constraint: &str| {
        format!(
            "{MODEL_NAME} {} ({}) {constraint}, reached as {operation} {position}; {MODEL_ENTRY}",
            at.member, at.shape_name
        )
    };
    let min = at.shape.min.unwrap_or(0);
    let max = at.shape.max.unwrap_or(0);
    let refused = |what: &str| format!("{operation} with {subject} {what} is refused by the request validator");
    let validation = |message: Option<String>| match message {
        Some(m) => json!({"error": "ValidationException", "message": m}),
        None => json!({"error": "ValidationException"}),
    };
    let coral = |value: &str, constraint: String| Some(coral_message(input, value, &constraint));
    let broken = |about: String, grade: Grade, source: String, expect: Value| Expectation {
        about,
        grade,
        source,
        expect,
        finally: Vec::new(),
    };
    match input.kind {
        InputKind::Missing | InputKind::Null if is_item(input) => broken(
            format!("{operation} with a null item in {subject} is refused by the request validator"),
            Grade::Inferred,
            format!(
                "inferred: the model declares no sparse list, so a null item breaks the item's shape ({}); taken to be refused as a null member is (ValidationException). {}",
                at.shape_name,
                cite("list item")
            ),
            validation(None),
        ),
        InputKind::Missing | InputKind::Null => broken(
            refused(if input.kind == InputKind::Missing { "missing" } else { "set to null" }),
            Grade::Model,
            format!(
                "{}; the Coral message for a null member: evidence/gh-aws-sdk-ruby-324.md",
                cite("required")
            ),
            validation(coral("null", "Member must not be null".into())),
        ),
        InputKind::WrongType(t) => broken(
            format!(
                "{operation} with {subject} sent as a JSON {} is refused while deserializing",
                t.name()
            ),
            Grade::Inferred,
            format!(
                "inferred: awsJson 1.1 services refuse a value of the wrong JSON type with SerializationException, before validation (as the corpus's hand-written *_wrong_type cases). {}",
                cite(&format!("type {}", type_name(at.shape.kind)))
            ),
            json!({"error": "SerializationException"}),
        ),
        InputKind::BelowMin => broken(
            refused(&format!("one character below its minimum length {min}")),
            Grade::Model,
            format!(
                "{}; the Coral message for a string minimum: evidence/aws-sdk-js-features-datapipeline.md",
                cite(&format!("length min {min}"))
            ),
            validation(coral(
                ".*",
                format!("Member must have length greater than or equal to {min}"),
            )),
        ),
        InputKind::AboveMax => broken(
            refused(&format!("one character over its maximum length {max}")),
            Grade::Model,
            format!(
                "{}; the Coral message for a length maximum: evidence/gh-aws-cdk-13794.md",
                cite(&format!("length max {max}"))
            ),
            validation(coral(".*", format!("Member must have length less than or equal to {max}"))),
        ),
        InputKind::ListShort => broken(
            refused(&format!("one item below its minimum length {min}")),
            Grade::Model,
            cite(&format!("list length min {min}")),
            validation(coral(
                ".*",
                format!("Member must have length greater than or equal to {min}"),
            )),
        ),
        InputKind::ListLong => broken(
            refused(&format!("one item over its maximum length {max}")),
            Grade::Model,
            format!(
                "{}; the Coral message for a list maximum: evidence/gh-aws-cdk-13794.md",
                cite(&format!("list length max {max}"))
            ),
            validation(coral(".*", format!("Member must have length less than or equal to {max}"))),
        ),
        InputKind::Pattern => broken(
            refused("holding U+0001, outside its pattern of XML characters"),
            Grade::Model,
            format!(
                "{} (the message of a pattern violation is unobserved: only the type is asserted)",
                cite("pattern (XML characters)")
            ),
            validation(None),
        ),
        InputKind::Enum => broken(
            refused("outside its enum"),
            Grade::Model,
            format!(
                "{} (the message of an enum violation is unobserved: only the type is asserted)",
                cite(&format!("enum {}", at.shape.values.as_deref().unwrap_or_default().join("|")))
            ),
            validation(None),
        ),
        InputKind::AtMin | InputKind::AtMax | InputKind::ListAtMin | InputKind::ListAtMax => {
            let (what, constraint) = match input.kind {
                InputKind::AtMin => (format!("of exactly {} (its minimum)", count(min, "character")), format!("length min {min}")),
                InputKind::AtMax => (format!("of exactly {} (its maximum)", count(max, "character")), format!("length max {max}")),
                InputKind::ListAtMin => (format!("of exactly {} (its minimum)", count(min, "item")), format!("list length min {min}")),
                _ => (format!("of exactly {} (its maximum)", count(max, "item")), format!("list length max {max}")),
            };
            passes(
                operation,
                input,
                format!("{operation} with {subject} {what} passes the request validator"),
                Grade::Model,
                format!("{}: a value on the bound is valid", cite(&constraint)),
            )
        }
        InputKind::Unknown => passes(
            operation,
            input,
            format!("{operation} with an undeclared member in {subject} is accepted; the member is ignored"),
            Grade::Inferred,
            format!(
                "inferred: awsJson services ignore members the model does not declare (the SDKs send no others, and older clients must keep working). {}",
                cite("declares its members")
            ),
        ),
    }
}

/// `1 character`, `0 items`.
fn count(n: u64, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn is_item(input: &ModelInput) -> bool {
    input.position.0.last() == Some(&Segment::Item)
}

fn type_name(kind: ShapeType) -> &'static str {
    match kind {
        ShapeType::String => "string",
        ShapeType::Integer => "integer",
        ShapeType::Long => "long",
        ShapeType::Boolean => "boolean",
        ShapeType::Timestamp => "timestamp",
        ShapeType::List => "list",
        ShapeType::Map => "map",
        ShapeType::Structure => "structure",
    }
}

/// Coral's message for one violation, as a regular expression: the member
/// path is exact at the top level (observed form); deeper, the path's
/// notation is unobserved, so any path matches.
fn coral_message(input: &ModelInput, value: &str, constraint: &str) -> String {
    let path = match input.position.0.as_slice() {
        [Segment::Member(m)] => regex::escape(m),
        _ => "[^']+".to_string(),
    };
    let value = if value == "null" { "null" } else { "(?s:.*)" };
    format!(
        "^1 validation error detected: Value {value} at '{path}' failed to satisfy constraint: {}$",
        regex::escape(constraint)
    )
}

/// A valid input reaches the service, which answers for what the body names.
fn passes(operation: &str, input: &ModelInput, about: String, grade: Grade, source: String) -> Expectation {
    let page = format!("https://docs.aws.amazon.com/datapipeline/latest/APIReference/API_{operation}.html");
    let own = |error: &str, why: String| json!({"error": error, "grade": "documented", "source": why});
    let mut finally = Vec::new();
    let expect = match operation {
        "CreatePipeline" => {
            finally.push(json!({"operation": "DeletePipeline", "body": {"pipelineId": "{{pipeline}}"}}));
            json!({"status": 200, "capture": {"pipeline": "/pipelineId"}})
        }
        "PollForTask" | "ReportTaskRunnerHeartbeat" => json!({"status": 200}),
        "ListPipelines" => match input.kind {
            // A marker the endpoint never issued (inferred, as list_pipelines::marker_not_issued).
            InputKind::AtMax => json!({
                "error": "InvalidRequestException", "grade": "inferred",
                "source": "inferred: a marker the endpoint never issued is refused as an invalid request (as list_pipelines::marker_not_issued)"
            }),
            _ => json!({"status": 200}),
        },
        "ReportTaskProgress" | "SetTaskStatus" => own(
            "TaskNotFoundException",
            format!("{page}: Errors, TaskNotFoundException (the specified task was not found): the body names a task id no endpoint issued ({UNKNOWN_TASK} or a bound filler)"),
        ),
        _ => own(
            "PipelineNotFoundException",
            format!("{page}: Errors, PipelineNotFoundException (the specified pipeline was not found): the body names a pipeline id no endpoint issued ({UNKNOWN_PIPELINE} or a bound filler)"),
        ),
    };
    Expectation {
        about,
        grade,
        source,
        expect,
        finally,
    }
}

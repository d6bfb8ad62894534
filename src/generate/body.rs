//! Request bodies for the inputs of the model's enumeration: the minimal
//! valid input of an operation with one position set to the input's value.
//! Lists on the way to a position hold one item; everything else is valid
//! and minimal (required members only).

use dpconform_protocol::model::{InputKind, JsonType, ModelInput, Segment, ServiceModel, Shape, ShapeType};
use serde_json::{json, Map, Value};

/// A pipeline id no endpoint has issued: a valid request naming it is
/// answered PipelineNotFoundException, the same on every run.
pub const UNKNOWN_PIPELINE: &str = "df-DPCONFORMMODEL00000";
/// A task id no endpoint has issued.
pub const UNKNOWN_TASK: &str = "dpconform-model-unknown-task";
/// The member name of an undeclared member.
pub const UNDECLARED_MEMBER: &str = "dpconformUndeclared";
/// Strings longer than this are written as a `{{repeat(a, N)}}` template.
const LITERAL_UP_TO: u64 = 32;

/// The body that sends `input` to `operation` (not an object for the body's wrong types).
pub fn body(operation: &str, input: &ModelInput) -> Value {
    let model = ServiceModel::get();
    let (_, shape) = model.input_shape(operation).expect("every operation has an input");
    let ctx = Ctx { model, operation };
    ctx.build(shape, "", &input.position.0, input.kind)
        .unwrap_or(Value::Null)
}

struct Ctx<'a> {
    model: &'a ServiceModel,
    operation: &'a str,
}

impl Ctx<'_> {
    /// The value of `shape` (reached as member `name`) with `rest` leading to
    /// the position that takes `kind`; `None`: the member is left out.
    fn build(&self, shape: &Shape, name: &str, rest: &[Segment], kind: InputKind) -> Option<Value> {
        let Some((first, rest)) = rest.split_first() else {
            return self.at_position(shape, name, kind);
        };
        match first {
            Segment::Member(member) => {
                let mut out = self.minimal_members(shape);
                let member_shape = self.model.shape(&shape.members[member].shape);
                match self.build(member_shape, member, rest, kind) {
                    Some(v) => out.insert(member.clone(), v),
                    None => out.remove(member),
                };
                Some(Value::Object(out))
            }
            Segment::Item => {
                let item = self.item_shape(shape);
                Some(Value::Array(vec![self.build(item, name, rest, kind)?]))
            }
        }
    }

    fn item_shape(&self, list: &Shape) -> &Shape {
        self.model
            .shape(&list.member.as_ref().expect("a list names its item shape").shape)
    }

    fn at_position(&self, shape: &Shape, name: &str, kind: InputKind) -> Option<Value> {
        let min = shape.min.unwrap_or(0);
        let max = shape.max.unwrap_or(0);
        Some(match kind {
            InputKind::Missing => return None,
            InputKind::Null => Value::Null,
            InputKind::WrongType(t) => wrong_value(t),
            InputKind::BelowMin => filler(min - 1),
            InputKind::AboveMax => filler(max + 1),
            InputKind::AtMin => filler(min),
            InputKind::AtMax => filler(max),
            InputKind::Pattern => Value::String("dpconform\u{1}".into()),
            InputKind::Enum => Value::String("DPCONFORM_NOT_IN_ENUM".into()),
            InputKind::ListShort => self.items(shape, name, min - 1),
            InputKind::ListLong => self.items(shape, name, max + 1),
            InputKind::ListAtMin => self.items(shape, name, min),
            InputKind::ListAtMax => self.items(shape, name, max),
            InputKind::Unknown => {
                let mut out = self.minimal_members(shape);
                out.insert(UNDECLARED_MEMBER.into(), json!("x"));
                Value::Object(out)
            }
        })
    }

    /// `n` valid items; structures with a `key` get distinct keys (tags).
    fn items(&self, list: &Shape, name: &str, n: u64) -> Value {
        let item = self.item_shape(list);
        Value::Array(
            (1..=n)
                .map(|i| {
                    let mut v = self.minimal(item, name);
                    if let Some(key) = v.get_mut("key") {
                        *key = Value::String(format!("k{i:02}"));
                    }
                    v
                })
                .collect(),
        )
    }

    fn minimal_members(&self, shape: &Shape) -> Map<String, Value> {
        shape
            .required
            .iter()
            .map(|m| (m.clone(), self.minimal(self.model.shape(&shape.members[m].shape), m)))
            .collect()
    }

    /// The minimal valid value of a shape reached as member `name`: values
    /// that mean something to the service where it reads them.
    fn minimal(&self, shape: &Shape, name: &str) -> Value {
        match shape.kind {
            ShapeType::Structure | ShapeType::Map => Value::Object(self.minimal_members(shape)),
            // DescribePipelines answers an empty list with an empty list: name one pipeline.
            ShapeType::List if (self.operation, name) == ("DescribePipelines", "pipelineIds") => {
                json!([UNKNOWN_PIPELINE])
            }
            ShapeType::List => Value::Array(Vec::new()),
            ShapeType::Boolean => Value::Bool(false),
            ShapeType::Integer | ShapeType::Long | ShapeType::Timestamp => json!(1),
            ShapeType::String => {
                if let Some(values) = &shape.values {
                    return Value::String(values[0].clone());
                }
                let text = match (self.operation, name) {
                    (_, "pipelineId") => UNKNOWN_PIPELINE,
                    (_, "taskId") => UNKNOWN_TASK,
                    ("CreatePipeline", "name" | "uniqueId") => "dpc-{{run}}",
                    (_, "workerGroup") => "dpconform-model-no-tasks",
                    (_, "taskrunnerId") => "dpconform-model-runner",
                    (_, "sphere") => "COMPONENT",
                    ("SetStatus", "status") => "PAUSE",
                    (_, "objectId") => "Default",
                    _ => "dpconform",
                };
                Value::String(text.into())
            }
        }
    }
}

/// A string of `n` characters: literal when short, a template when long.
fn filler(n: u64) -> Value {
    if n <= LITERAL_UP_TO {
        Value::String("a".repeat(n as usize))
    } else {
        Value::String(format!("{{{{repeat(a, {n})}}}}"))
    }
}

/// A value of a JSON type that no coercion turns into another.
fn wrong_value(t: JsonType) -> Value {
    match t {
        JsonType::String => json!("dpconform"),
        JsonType::Number => json!(5),
        JsonType::Fraction => json!(1.5),
        JsonType::Boolean => json!(true),
        JsonType::Array => json!([]),
        JsonType::Object => json!({}),
    }
}

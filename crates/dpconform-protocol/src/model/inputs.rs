//! The inputs a coverage-style enumeration of the model gives for an
//! operation (Schemathesis's coverage phase, read on the model's shapes):
//! at every position of the input, at every depth, each input that breaks
//! exactly one constraint and each that sits exactly on a bound.
//! `scripts/count-model-constraints.py` counts the same inputs.

use std::fmt;

use super::{ServiceModel, Shape, ShapeType};

/// One step from a shape into a part of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    /// A structure's member.
    Member(String),
    /// A list's item (the first; the others are alike).
    Item,
}

/// Where in an input a value sits: `name`, `tags[].key`; empty for the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position(pub Vec<Segment>);

impl Position {
    /// The position one step further.
    pub fn join(&self, segment: Segment) -> Position {
        let mut out = self.0.clone();
        out.push(segment);
        Position(out)
    }

    /// Whether this is the body itself.
    pub fn is_body(&self) -> bool {
        self.0.is_empty()
    }

    /// The position as a file-name part: `tags_item_key`, `body`.
    pub fn slug(&self) -> String {
        if self.is_body() {
            return "body".into();
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|s| match s {
                Segment::Member(m) => crate::snake_case(m),
                Segment::Item => "item".into(),
            })
            .collect();
        parts.join("_")
    }
}

impl fmt::Display for Position {
    /// `tags[].key`; `(body)` for the body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_body() {
            return f.write_str("(body)");
        }
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Member(m) if i == 0 => f.write_str(m)?,
                Segment::Member(m) => write!(f, ".{m}")?,
                Segment::Item => f.write_str("[]")?,
            }
        }
        Ok(())
    }
}

/// A JSON type a value of the wrong type is sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JsonType {
    /// A string.
    String,
    /// A whole number.
    Number,
    /// A fractional number (wrong for an integer).
    Fraction,
    /// `true` or `false`.
    Boolean,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonType {
    /// The type's name in file names and output.
    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Fraction => "fraction",
            JsonType::Boolean => "boolean",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }

    /// The JSON types a shape does not accept, in a fixed order.
    pub fn wrong_for(kind: ShapeType) -> Vec<JsonType> {
        use JsonType::*;
        let right = match kind {
            ShapeType::String => String,
            ShapeType::Integer | ShapeType::Long | ShapeType::Timestamp => Number,
            ShapeType::Boolean => Boolean,
            ShapeType::List => Array,
            ShapeType::Map | ShapeType::Structure => Object,
        };
        let mut wrong: Vec<JsonType> = [String, Number, Boolean, Array, Object]
            .into_iter()
            .filter(|t| *t != right)
            .collect();
        if matches!(kind, ShapeType::Integer | ShapeType::Long) {
            wrong.push(Fraction);
        }
        wrong
    }
}

/// What an input does at its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputKind {
    /// A required member left out.
    Missing,
    /// A required member, or a list item, set to `null`.
    Null,
    /// A value of another JSON type.
    WrongType(JsonType),
    /// A string one character shorter than its minimum (> 0).
    BelowMin,
    /// A string one character longer than its maximum.
    AboveMax,
    /// A string with a character outside its pattern.
    Pattern,
    /// A string outside its enum.
    Enum,
    /// A list one item shorter than its minimum (> 0).
    ListShort,
    /// A list one item longer than its maximum.
    ListLong,
    /// A structure with one member it does not declare (awsJson ignores it).
    Unknown,
    /// A string of exactly its minimum length (valid).
    AtMin,
    /// A string of exactly its maximum length (valid).
    AtMax,
    /// A list of exactly its minimum length (valid).
    ListAtMin,
    /// A list of exactly its maximum length (valid).
    ListAtMax,
}

impl InputKind {
    /// The kind's name in file names and output: `above_max`, `type_number`.
    pub fn name(self) -> String {
        match self {
            InputKind::Missing => "missing".into(),
            InputKind::Null => "null".into(),
            InputKind::WrongType(t) => format!("type_{}", t.name()),
            InputKind::BelowMin => "below_min".into(),
            InputKind::AboveMax => "above_max".into(),
            InputKind::Pattern => "pattern".into(),
            InputKind::Enum => "enum".into(),
            InputKind::ListShort => "list_short".into(),
            InputKind::ListLong => "list_long".into(),
            InputKind::Unknown => "unknown".into(),
            InputKind::AtMin => "at_min".into(),
            InputKind::AtMax => "at_max".into(),
            InputKind::ListAtMin => "list_at_min".into(),
            InputKind::ListAtMax => "list_at_max".into(),
        }
    }

    /// Whether the input breaks a constraint (else it sits on a bound, or is
    /// an undeclared member, and is valid).
    pub fn breaks(self) -> bool {
        !matches!(
            self,
            InputKind::Unknown | InputKind::AtMin | InputKind::AtMax | InputKind::ListAtMin | InputKind::ListAtMax
        )
    }
}

/// One input of the enumeration: an operation's position and what is sent there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModelInput {
    /// Where.
    pub position: Position,
    /// What.
    pub kind: InputKind,
}

impl fmt::Display for ModelInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.position, self.kind.name())
    }
}

/// Every input of the enumeration for an operation (by name), in a fixed order.
pub fn inputs(operation: &str) -> Vec<ModelInput> {
    let model = ServiceModel::get();
    let mut out = Vec::new();
    if let Some((_, shape)) = model.input_shape(operation) {
        walk(model, shape, &Position::default(), false, false, &mut out);
    }
    out
}

fn walk(model: &ServiceModel, shape: &Shape, at: &Position, required: bool, item: bool, out: &mut Vec<ModelInput>) {
    let mut push = |kind| {
        out.push(ModelInput {
            position: at.clone(),
            kind,
        })
    };
    if required {
        push(InputKind::Missing);
    }
    if required || item {
        push(InputKind::Null);
    }
    for t in JsonType::wrong_for(shape.kind) {
        push(InputKind::WrongType(t));
    }
    match shape.kind {
        ShapeType::String => {
            if shape.values.is_some() {
                push(InputKind::Enum);
            }
            if shape.min.unwrap_or(0) > 0 {
                push(InputKind::BelowMin);
            }
            if shape.max.is_some() {
                push(InputKind::AboveMax);
            }
            if shape.pattern.is_some() {
                push(InputKind::Pattern);
            }
            if shape.min.is_some() {
                push(InputKind::AtMin);
            }
            if shape.max.is_some() && shape.max != shape.min {
                push(InputKind::AtMax);
            }
        }
        ShapeType::List => {
            if shape.min.unwrap_or(0) > 0 {
                push(InputKind::ListShort);
            }
            if shape.max.is_some() {
                push(InputKind::ListLong);
            }
            if shape.min.is_some() {
                push(InputKind::ListAtMin);
            }
            if shape.max.is_some() && shape.max != shape.min {
                push(InputKind::ListAtMax);
            }
            if let Some(m) = &shape.member {
                walk(model, model.shape(&m.shape), &at.join(Segment::Item), false, true, out);
            }
        }
        ShapeType::Structure => {
            push(InputKind::Unknown);
            for (name, m) in &shape.members {
                let required = shape.required.contains(name);
                let sub = at.join(Segment::Member(name.clone()));
                walk(model, model.shape(&m.shape), &sub, required, false, out);
            }
        }
        // No operation's input has a map; numbers and booleans have no bounds here.
        ShapeType::Map | ShapeType::Integer | ShapeType::Long | ShapeType::Boolean | ShapeType::Timestamp => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OPERATIONS;

    /// The figures `scripts/count-model-constraints.py` prints for the committed model.
    #[test]
    fn the_enumeration_counts_what_the_script_counts() {
        let all: Vec<ModelInput> = OPERATIONS.iter().flat_map(|op| inputs(op)).collect();
        let breaking = all.iter().filter(|i| i.kind.breaks()).count();
        let unknown = all.iter().filter(|i| i.kind == InputKind::Unknown).count();
        let on_bound = all.len() - breaking - unknown;
        // The script's 884 include the 37 unknown-member inputs.
        assert_eq!((breaking + unknown, on_bound), (884, 142));
        let create = inputs("CreatePipeline");
        assert!(create.contains(&ModelInput {
            position: Position(vec![
                Segment::Member("tags".into()),
                Segment::Item,
                Segment::Member("key".into())
            ]),
            kind: InputKind::AboveMax,
        }));
        assert_eq!(create.iter().filter(|i| i.position.is_body()).count(), 5);
    }

    #[test]
    fn positions_print_and_slug() {
        let p = Position(vec![
            Segment::Member("pipelineObjects".into()),
            Segment::Item,
            Segment::Member("id".into()),
        ]);
        assert_eq!(p.to_string(), "pipelineObjects[].id");
        assert_eq!(p.slug(), "pipeline_objects_item_id");
        assert_eq!(Position::default().to_string(), "(body)");
    }
}

//! The service model as data: `model/datapipeline.json` (botocore's
//! `datapipeline/2012-10-29/service-2.json` reduced by `scripts/refresh-model`),
//! typed. The reference validates requests from it ([`inspect`]), the harness
//! generates cases from it and measures the corpus against it ([`inputs`]).

mod inputs;
mod inspect;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

pub use inputs::{inputs, InputKind, JsonType, ModelInput, Position, Segment};
pub use inspect::{inspect, strip_ignored, Inspection, TypeMismatch, Violation, VALUE_KEPT};

/// The committed model file, as written by `scripts/refresh-model`.
pub const MODEL_JSON: &str = include_str!("../../model/datapipeline.json");

/// The pattern the model puts on almost every string: any XML character.
pub const XML_CHARS_PATTERN: &str = r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*";

/// The whole model: metadata, operations, shapes, paginators.
#[derive(Debug, Deserialize)]
pub struct ServiceModel {
    /// Protocol metadata (`apiVersion`, `targetPrefix`, ...).
    pub metadata: BTreeMap<String, String>,
    /// Operations by name.
    pub operations: BTreeMap<String, OperationModel>,
    /// Shapes by name.
    pub shapes: BTreeMap<String, Shape>,
}

/// One operation: its input and output shapes and the errors it declares.
#[derive(Debug, Deserialize)]
pub struct OperationModel {
    /// The input shape's name.
    pub input: Option<String>,
    /// The output shape's name (none: an empty body).
    pub output: Option<String>,
    /// The error shapes the operation declares.
    #[serde(default)]
    pub errors: Vec<String>,
}

/// The JSON-level type of a shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeType {
    /// A JSON string (with bounds, pattern or enum).
    String,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    Long,
    /// `true` or `false`.
    Boolean,
    /// Epoch seconds, a JSON number (awsJson).
    Timestamp,
    /// A JSON array.
    List,
    /// A JSON object of string keys.
    Map,
    /// A JSON object of declared members.
    Structure,
}

/// A member reference: the shape a member, list item, map key or value has.
#[derive(Debug, Deserialize)]
pub struct MemberRef {
    /// The shape's name.
    pub shape: String,
}

/// A shape, with the constraints the request validator enforces.
#[derive(Debug, Deserialize)]
pub struct Shape {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ShapeType,
    /// A structure's members, by name.
    #[serde(default)]
    pub members: BTreeMap<String, MemberRef>,
    /// A structure's required members.
    #[serde(default)]
    pub required: Vec<String>,
    /// Minimum length (strings: characters; lists: items).
    pub min: Option<u64>,
    /// Maximum length.
    pub max: Option<u64>,
    /// A string's pattern (Java regular expression syntax).
    pub pattern: Option<String>,
    /// A string's allowed values.
    #[serde(rename = "enum")]
    pub values: Option<Vec<String>>,
    /// A list's item shape.
    pub member: Option<MemberRef>,
    /// A map's key shape.
    pub key: Option<MemberRef>,
    /// A map's value shape.
    pub value: Option<MemberRef>,
    /// An error shape.
    #[serde(default)]
    pub exception: bool,
    /// A server-side error (a fault, HTTP 500).
    #[serde(default)]
    pub fault: bool,
}

impl Shape {
    /// Whether `text` matches the shape's pattern. The model uses one
    /// pattern, [`XML_CHARS_PATTERN`]; another is not enforced (a test keeps
    /// the model free of others).
    pub fn pattern_allows(&self, text: &str) -> bool {
        match self.pattern.as_deref() {
            // Printable ASCII, TAB, LF and CR byte by byte (most text, and fast on
            // the 20 MiB bound of an expression); anything else by its character.
            Some(XML_CHARS_PATTERN) => {
                text.bytes()
                    .all(|b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
                    || text.chars().all(is_xml_char)
            }
            _ => true,
        }
    }
}

/// One character of [`XML_CHARS_PATTERN`] (a surrogate pair is one `char` here).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

impl ServiceModel {
    /// The model committed with this crate, parsed once.
    pub fn get() -> &'static ServiceModel {
        static MODEL: OnceLock<ServiceModel> = OnceLock::new();
        // The file is part of the build, not input: the tests prove it parses.
        MODEL.get_or_init(|| serde_json::from_str(MODEL_JSON).expect("model/datapipeline.json is a service model"))
    }

    /// A shape by name. Every name the model uses resolves (`scripts/refresh-model` checks it).
    pub fn shape(&self, name: &str) -> &Shape {
        &self.shapes[name]
    }

    /// An operation by name.
    pub fn operation(&self, name: &str) -> Option<&OperationModel> {
        self.operations.get(name)
    }

    /// The input shape of an operation, by its name.
    pub fn input_shape(&self, operation: &str) -> Option<(&str, &Shape)> {
        let name = self.operation(operation)?.input.as_deref()?;
        Some((name, self.shape(name)))
    }

    /// The `apiVersion` of the model.
    pub fn api_version(&self) -> &str {
        self.metadata.get("apiVersion").map_or("", String::as_str)
    }

    /// Every (operation, declared error) pair, in name order.
    pub fn declared_errors(&self) -> Vec<(&str, &str)> {
        self.operations
            .iter()
            .flat_map(|(op, m)| m.errors.iter().map(move |e| (op.as_str(), e.as_str())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OPERATIONS;

    #[test]
    fn the_committed_model_loads_and_names_the_19_operations() {
        let model = ServiceModel::get();
        let names: Vec<&str> = model.operations.keys().map(String::as_str).collect();
        assert_eq!(names, OPERATIONS);
        assert_eq!(model.api_version(), "2012-10-29");
        assert_eq!(model.declared_errors().len(), 71);
        assert!(model.shape("InternalServiceError").fault);
    }

    #[test]
    fn every_pattern_of_the_model_is_understood() {
        for (name, shape) in &ServiceModel::get().shapes {
            if let Some(p) = &shape.pattern {
                assert_eq!(
                    p, XML_CHARS_PATTERN,
                    "shape {name}: a pattern pattern_allows does not know"
                );
            }
        }
        let id = ServiceModel::get().shape("id");
        assert!(id.pattern_allows("df-1\t\u{10000}"));
        assert!(!id.pattern_allows("a\u{1}"));
        assert!(!id.pattern_allows("\u{FFFE}"));
    }
}

//! The data structures of the service model that are stored and returned.

use serde::{Deserialize, Serialize};

/// A key with a string or a reference value. Repeated keys form lists.
// Struct fields of the types answered to clients are declared in the sorted order of
// their JSON names: serialized directly they give the bytes of their Value form.

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
}

impl Field {
    pub fn string(key: &str, value: impl Into<String>) -> Field {
        Field {
            key: key.to_string(),
            string_value: Some(value.into()),
            ref_value: None,
        }
    }

    pub fn reference(key: &str, id: impl Into<String>) -> Field {
        Field {
            key: key.to_string(),
            string_value: None,
            ref_value: Some(id.into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineObject {
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Never empty in a request that got this far: the request validator requires
    /// 1..1024 characters (the model's PipelineObject.id and name).
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
}

impl PipelineObject {
    /// The first string value of a key.
    pub fn string(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| f.string_value.as_deref())
    }

    /// The first reference value of a key.
    pub fn reference(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| f.ref_value.as_deref())
    }

    pub fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|f| f.key == key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterAttribute {
    pub key: String,
    pub string_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParameterObject {
    #[serde(default)]
    pub attributes: Vec<ParameterAttribute>,
    pub id: String,
}

impl ParameterObject {
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.string_value.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterValue {
    pub id: String,
    pub string_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// One `{id, errors}` or `{id, warnings}` entry of a validation result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// Object id → messages, in the order found.
    pub errors: Vec<(String, Vec<String>)>,
    pub warnings: Vec<(String, Vec<String>)>,
}

impl Findings {
    pub fn error(&mut self, id: &str, message: impl Into<String>) {
        push(&mut self.errors, id, message.into());
    }

    pub fn warning(&mut self, id: &str, message: impl Into<String>) {
        push(&mut self.warnings, id, message.into());
    }

    pub fn errored(&self) -> bool {
        !self.errors.is_empty()
    }
}

fn push(list: &mut Vec<(String, Vec<String>)>, id: &str, message: String) {
    match list.iter_mut().find(|(i, _)| i == id) {
        Some((_, msgs)) => msgs.push(message),
        None => list.push((id.to_string(), vec![message])),
    }
}

#[cfg(test)]
impl PipelineObject {
    /// A test object named after its id; a value starting with `&` is a reference.
    pub(crate) fn from_pairs(id: &str, fields: &[(&str, &str)]) -> PipelineObject {
        PipelineObject {
            id: id.into(),
            name: id.into(),
            fields: fields
                .iter()
                .map(|(k, v)| match v.strip_prefix('&') {
                    Some(r) => Field::reference(k, r),
                    None => Field::string(k, *v),
                })
                .collect(),
        }
    }
}

/// One saved pipeline definition.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Definition {
    pub objects: Vec<PipelineObject>,
    pub parameter_objects: Vec<ParameterObject>,
    pub parameter_values: Vec<ParameterValue>,
    /// Saved with validation errors: cannot be activated.
    pub errored: bool,
}

impl Definition {
    pub fn object(&self, id: &str) -> Option<&PipelineObject> {
        self.objects.iter().find(|o| o.id == id)
    }
}

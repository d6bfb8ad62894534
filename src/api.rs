//! Facts about the Data Pipeline API that the harness itself needs.

/// The 19 operations of the service model.
pub const OPERATIONS: [&str; 19] = [
    "ActivatePipeline",
    "AddTags",
    "CreatePipeline",
    "DeactivatePipeline",
    "DeletePipeline",
    "DescribeObjects",
    "DescribePipelines",
    "EvaluateExpression",
    "GetPipelineDefinition",
    "ListPipelines",
    "PollForTask",
    "PutPipelineDefinition",
    "QueryObjects",
    "RemoveTags",
    "ReportTaskProgress",
    "ReportTaskRunnerHeartbeat",
    "SetStatus",
    "SetTaskStatus",
    "ValidatePipelineDefinition",
];

/// The `x-amz-target` prefix of the service model.
pub const TARGET_PREFIX: &str = "DataPipeline";
/// The content type of awsJson 1.1.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The SigV4 signing name.
pub const SIGNING_NAME: &str = "datapipeline";

/// `CreatePipeline` -> `create_pipeline`: the case folder of an operation.
pub fn snake_case(operation: &str) -> String {
    let mut out = String::new();
    for (i, c) in operation.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The error type of an awsJson error body: `__type` after `#` and before `:`,
/// as botocore reads it (`code` or `Code` as fallbacks).
pub fn error_type(body: &serde_json::Value) -> Option<String> {
    let raw = ["__type", "code", "Code"]
        .iter()
        .find_map(|k| body.get(*k).and_then(|v| v.as_str()))?;
    let after_hash = raw.rsplit('#').next().unwrap_or(raw);
    Some(after_hash.split(':').next().unwrap_or(after_hash).to_string())
}

/// The error message of an awsJson error body (`message` or `Message`).
pub fn error_message(body: &serde_json::Value) -> Option<&str> {
    ["message", "Message"]
        .iter()
        .find_map(|k| body.get(*k).and_then(|v| v.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_type_strips_namespace_and_suffix() {
        assert_eq!(
            error_type(&json!({"__type": "com.amazon.setl.webservice#InvalidRequestException"})),
            Some("InvalidRequestException".into())
        );
        assert_eq!(error_type(&json!({"__type": "X#Y:http://internal"})), Some("Y".into()));
        assert_eq!(error_type(&json!({"code": "Z"})), Some("Z".into()));
        assert_eq!(error_type(&json!({})), None);
    }

    #[test]
    fn operation_folders() {
        assert_eq!(snake_case("ReportTaskRunnerHeartbeat"), "report_task_runner_heartbeat");
    }
}

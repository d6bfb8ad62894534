//! The wire facts of the AWS Data Pipeline API that both halves of dpconform
//! share: the 19 operations, the target prefixes, the content type, the
//! header names and how an awsJson error body names its type. Defined here
//! once; the harness and the reference endpoint both read them from here.

pub mod headers;
pub mod model;

macro_rules! operations {
    ($($name:ident),* $(,)?) => {
        /// The 19 actions of the Data Pipeline API (service model 2012-10-29).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Operation {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name
            ),*
        }

        impl Operation {
            /// Every operation, in name order.
            pub const ALL: &'static [Operation] = &[$(Operation::$name),*];

            /// The operation's name as in the model and in `x-amz-target`.
            pub fn name(self) -> &'static str {
                match self { $(Operation::$name => stringify!($name)),* }
            }
        }

        /// The names of the 19 operations, in name order.
        pub const OPERATIONS: [&str; 19] = [$(stringify!($name)),*];
    };
}

operations!(
    ActivatePipeline,
    AddTags,
    CreatePipeline,
    DeactivatePipeline,
    DeletePipeline,
    DescribeObjects,
    DescribePipelines,
    EvaluateExpression,
    GetPipelineDefinition,
    ListPipelines,
    PollForTask,
    PutPipelineDefinition,
    QueryObjects,
    RemoveTags,
    ReportTaskProgress,
    ReportTaskRunnerHeartbeat,
    SetStatus,
    SetTaskStatus,
    ValidatePipelineDefinition,
);

impl Operation {
    /// The operation of a name (`CreatePipeline`), if it is one of the 19.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// The operation an `x-amz-target` value names, under either accepted prefix.
    pub fn from_target(target: &str) -> Option<Operation> {
        TARGET_PREFIXES
            .iter()
            .find_map(|p| target.strip_prefix(p)?.strip_prefix('.'))
            .and_then(Operation::from_name)
    }

    /// The `x-amz-target` value the SDKs send: `DataPipeline.<Operation>`.
    pub fn target(self) -> String {
        format!("{TARGET_PREFIX}.{}", self.name())
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How an operation pages its results (the model's paginators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paginator {
    /// The request member that asks for the next page.
    pub input_token: &'static str,
    /// The response member that holds the next page's token.
    pub output_token: &'static str,
    /// The response member that says more pages follow.
    pub more_results: &'static str,
    /// The response member whose list the pages split.
    pub result_key: &'static str,
}

impl Operation {
    /// The operation's paginator, for the three operations that page.
    pub fn paginator(self) -> Option<Paginator> {
        let result_key = match self {
            Operation::ListPipelines => "pipelineIdList",
            Operation::DescribeObjects => "pipelineObjects",
            Operation::QueryObjects => "ids",
            _ => return None,
        };
        Some(Paginator {
            input_token: "marker",
            output_token: "marker",
            more_results: "hasMoreResults",
            result_key,
        })
    }
}

/// How long the service holds a PollForTask that finds no task, at most
/// (M: PollForTask, "the long-poll ... 90 seconds").
pub const LONG_POLL_SECONDS: u64 = 90;

/// The service model (botocore's `service-2.json` for Data Pipeline, as
/// `scripts/refresh-model` keeps it): operations, their input shapes and members.
pub const SERVICE_MODEL_JSON: &str = include_str!("../model/datapipeline.json");

/// The `x-amz-target` prefix of the service model (sent by the SDKs).
pub const TARGET_PREFIX: &str = "DataPipeline";
/// Both prefixes the service is taken to accept: the model's `DataPipeline`
/// and the Developer Guide's `DataPipeline_20121129`.
pub const TARGET_PREFIXES: [&str; 2] = [TARGET_PREFIX, "DataPipeline_20121129"];
/// The content type of awsJson 1.1.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The SigV4 signing name.
pub const SIGNING_NAME: &str = "datapipeline";

/// The fixed test credentials: what the harness signs with when it targets the
/// embedded reference, and what the reference accepts by default. Not secret.
pub mod test_credentials {
    /// The access key.
    pub const ACCESS_KEY: &str = "AKIDDPCONFORMTEST000";
    /// The secret key paired with [`ACCESS_KEY`].
    pub const SECRET_KEY: &str = "dpconform/test/secret/key/0000000000000000";
    /// The region.
    pub const REGION: &str = "us-east-1";
}

/// Header names of the protocol, as the service spells them.
pub mod header {
    /// Names the operation: `DataPipeline.<Operation>`.
    pub const TARGET: &str = "x-amz-target";
    /// The request id of every response.
    pub const REQUEST_ID: &str = "x-amzn-RequestId";
    /// The CRC32 of the response body, as an unsigned decimal.
    pub const CRC32: &str = "x-amz-crc32";
}

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
    fn targets_under_both_prefixes() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_target(&op.target()), Some(*op));
            let dg = format!("DataPipeline_20121129.{}", op.name());
            assert_eq!(Operation::from_target(&dg), Some(*op));
        }
        assert_eq!(Operation::ALL.len(), 19);
        assert_eq!(Operation::from_target("DataPipeline.NoSuch"), None);
        assert_eq!(Operation::from_target("Other.ListPipelines"), None);
        assert_eq!(Operation::from_target("DataPipelineListPipelines"), None);
    }

    #[test]
    fn paginators_are_the_models() {
        let model: serde_json::Value = serde_json::from_str(SERVICE_MODEL_JSON).expect("the model parses");
        let paginators = model["paginators"].as_object().expect("paginators");
        for op in Operation::ALL {
            match (op.paginator(), paginators.get(op.name())) {
                (None, None) => {}
                (Some(p), Some(m)) => {
                    assert_eq!(m["input_token"], p.input_token, "{op}");
                    assert_eq!(m["output_token"], p.output_token, "{op}");
                    assert_eq!(m["more_results"], p.more_results, "{op}");
                    assert_eq!(m["result_key"], p.result_key, "{op}");
                }
                (ours, model) => panic!("{op}: paginator {ours:?} here, {model:?} in the model"),
            }
        }
    }

    #[test]
    fn operation_folders() {
        assert_eq!(snake_case("ReportTaskRunnerHeartbeat"), "report_task_runner_heartbeat");
    }
}

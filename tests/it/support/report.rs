//! Shared by the report tests: a temporary cases folder that does not depend on
//! the project's corpus, an in-process endpoint that can be honest or broken in
//! known ways, and running the dpconform binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use bytes::Bytes;
use dpconform::reference::{Auth, Config, Reference};

type Response = http::Response<Bytes>;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// A secret key and session token the tests look for in every output.
pub const SECRET_KEY: &str = "SecretKeyOfTheReportTests0123456789abcdef";
pub const SESSION_TOKEN: &str = "SessionTokenOfTheReportTests0123456789";

/// The cases the broken endpoint breaks.
pub const BROKEN: [&str; 3] = [
    "delete_pipeline::deletes",
    "describe_pipelines::describes",
    "protocol::unknown_operation",
];
pub const INTACT: [&str; 1] = ["create_pipeline::creates"];

/// Writes four cases into `dir/cases`, returns that folder.
pub fn write_cases(dir: &Path) -> PathBuf {
    let cases = dir.join("cases");
    let files = [
        (
            "create_pipeline/creates.json",
            r#"{ "about": "CreatePipeline returns a pipeline id",
                 "source": "API Reference, CreatePipeline", "grade": "documented",
                 "steps": [ { "name": "create", "operation": "CreatePipeline",
                              "body": { "name": "r-{{run}}", "uniqueId": "r-{{run}}" },
                              "expect": { "status": 200, "capture": { "pipeline": "/pipelineId" } } } ] }"#,
        ),
        (
            "describe_pipelines/describes.json",
            r#"{ "about": "DescribePipelines describes a created pipeline",
                 "source": "API Reference, DescribePipelines", "grade": "documented",
                 "steps": [ { "name": "create", "operation": "CreatePipeline",
                              "body": { "name": "r-{{run}}", "uniqueId": "r-{{run}}" },
                              "expect": { "capture": { "pipeline": "/pipelineId" } } },
                            { "name": "describe", "operation": "DescribePipelines",
                              "body": { "pipelineIds": ["{{pipeline}}"] },
                              "expect": { "json_includes": { "pipelineDescriptionList": [ { "pipelineId": "{{pipeline}}" } ] } } } ] }"#,
        ),
        (
            "delete_pipeline/deletes.json",
            r#"{ "about": "DeletePipeline answers with an empty body",
                 "source": "API Reference, DeletePipeline", "grade": "documented",
                 "steps": [ { "name": "create", "operation": "CreatePipeline",
                              "body": { "name": "r-{{run}}", "uniqueId": "r-{{run}}" },
                              "expect": { "capture": { "pipeline": "/pipelineId" } } },
                            { "name": "delete", "operation": "DeletePipeline",
                              "body": { "pipelineId": "{{pipeline}}" }, "expect": { "body": "" } } ] }"#,
        ),
        (
            "protocol/unknown_operation.json",
            r#"{ "about": "An unknown operation is UnknownOperationException",
                 "source": "inferred: awsJson services answer UnknownOperationException", "grade": "inferred",
                 "steps": [ { "name": "unknown", "sign": true,
                              "raw": { "method": "POST", "path": "/",
                                       "headers": { "x-amz-target": "DataPipeline.NoSuchOperation",
                                                    "content-type": "application/x-amz-json-1.1" },
                                       "body": "{}" },
                              "expect": { "status": 400, "error": "UnknownOperationException" } } ] }"#,
        ),
    ];
    for (name, text) in files {
        let path = cases.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    cases
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The embedded reference's answers, unchanged.
    Honest,
    /// DescribePipelines: a wrong x-amz-crc32. Unknown operations: status 500.
    /// DeletePipeline: a body that echoes the Authorization header, the session
    /// token and the secret key (a leaky endpoint).
    Broken,
}

/// An endpoint in this process, stopped when dropped.
pub struct Endpoint {
    pub url: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

pub fn start(mode: Mode) -> Endpoint {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut config = Config::embedded();
    config.auth = Auth::Disabled;
    let reference = Arc::new(Reference::new(config));
    runtime.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let reference = reference.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let reference = reference.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                        let headers: Vec<(String, String)> = parts
                            .headers
                            .iter()
                            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
                            .collect();
                        let response = reference.handle(hyper::Request::from_parts(parts, body));
                        let response = if mode == Mode::Broken {
                            corrupt(&headers, response)
                        } else {
                            response
                        };
                        Ok::<_, std::convert::Infallible>(response.map(Full::new))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Endpoint {
        url,
        runtime: Some(runtime),
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

fn corrupt(request: &[(String, String)], mut response: Response) -> Response {
    let set = |response: &mut Response, name: &'static str, value: String| {
        response
            .headers_mut()
            .insert(name, http::HeaderValue::try_from(value).unwrap());
    };
    match header(request, "x-amz-target") {
        "DataPipeline.DescribePipelines" => {
            let wrong = crc32fast::hash(response.body()).wrapping_add(1);
            set(&mut response, "x-amz-crc32", wrong.to_string());
        }
        "DataPipeline.DeletePipeline" => {
            let body = serde_json::json!({
                "message": format!(
                    "deleted; you sent Authorization: {}, token {}, and your secret key is {}",
                    header(request, "authorization"),
                    header(request, "x-amz-security-token"),
                    SECRET_KEY
                )
            })
            .to_string();
            set(
                &mut response,
                "x-amz-crc32",
                crc32fast::hash(body.as_bytes()).to_string(),
            );
            set(&mut response, "content-length", body.len().to_string());
            *response.body_mut() = Bytes::from(body);
        }
        "DataPipeline.CreatePipeline" => {}
        _ => *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR,
    }
    response
}

/// Runs the dpconform binary with the AWS variables of the caller removed.
pub fn dpconform(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dpconform"));
    command.args(args);
    for name in [
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DATA_PIPELINE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ] {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the dpconform binary runs")
}

pub fn text(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `dpconform run` over `cases` with reports in `dir`; `endpoint` None = embedded reference.
pub fn run(cases: &Path, dir: &Path, endpoint: Option<&str>, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let snapshots = dir.with_extension("snapshots");
    let mut args = vec![
        "run".to_string(),
        "--cases".into(),
        cases.display().to_string(),
        "--snapshots".into(),
        snapshots.display().to_string(),
        "--report-dir".into(),
        dir.display().to_string(),
        "--progress".into(),
        "plain".into(),
        "-j".into(),
        "2".into(),
    ];
    if let Some(url) = endpoint {
        args.push("--endpoint".into());
        args.push(url.into());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    dpconform(&args, env)
}

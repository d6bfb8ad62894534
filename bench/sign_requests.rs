//! Prepares the signed load of `bench/run` (figure c and the memory figure):
//! creates one pipeline with a small definition on the endpoint, then writes
//! a Lua file of read-only requests (ListPipelines, DescribePipelines,
//! GetPipelineDefinition), each signed now with aws-sigv4, for `bench/signed.lua`
//! to send with wrk. Signatures stay valid for the endpoint's clock-skew window
//! (5 minutes), so run it shortly before each load.
//!
//! Usage: `bench-sign --endpoint URL --out FILE`.

#[path = "common/sigv4.rs"]
mod sigv4;

use std::time::{Duration, SystemTime};

use serde_json::{json, Value};

const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// A request ready to send: method, path, headers (with `Host`), body.
struct Signed {
    headers: Vec<(String, String)>,
    body: String,
}

fn signed(endpoint: &str, key: &sigv4::Key, operation: &str, body: &Value) -> Result<Signed, String> {
    let body = body.to_string();
    let mut headers = vec![
        ("Host".to_string(), sigv4::authority(endpoint)?),
        ("Content-Type".to_string(), CONTENT_TYPE.to_string()),
        ("X-Amz-Target".to_string(), format!("DataPipeline.{operation}")),
    ];
    sigv4::sign_headers(
        "POST",
        &format!("{endpoint}/"),
        &mut headers,
        body.as_bytes(),
        key,
        SystemTime::now(),
    )?;
    Ok(Signed { headers, body })
}

async fn call(
    client: &reqwest::Client,
    endpoint: &str,
    key: &sigv4::Key,
    operation: &str,
    body: Value,
) -> Result<Value, String> {
    let request = signed(endpoint, key, operation, &body)?;
    let mut builder = client.post(format!("{endpoint}/")).body(request.body);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = builder.send().await.map_err(|e| format!("{operation}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("{operation}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{operation}: {status} {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{operation}: {e}: {text}"))
}

/// A Lua string literal of ASCII text.
fn lua_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            other => out.push_str(&format!("\\{}", u32::from(other).min(255))),
        }
    }
    out.push('"');
    out
}

async fn prepare(endpoint: &str, out: &str) -> Result<String, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .http1_only()
        .build()
        .map_err(|e| e.to_string())?;
    let key = sigv4::Key::from_env();
    let created = call(
        &client,
        endpoint,
        &key,
        "CreatePipeline",
        json!({"name": "bench-load", "uniqueId": "bench-load"}),
    )
    .await?;
    let id = created["pipelineId"]
        .as_str()
        .ok_or("CreatePipeline returned no pipelineId")?
        .to_string();
    let objects = json!([
        {"id": "Default", "name": "Default", "fields": [{"key": "scheduleType", "stringValue": "ondemand"}]},
        {"id": "Echo", "name": "Echo", "fields": [
            {"key": "type", "stringValue": "ShellCommandActivity"},
            {"key": "command", "stringValue": "echo hello"},
            {"key": "workerGroup", "stringValue": "bench"}
        ]}
    ]);
    call(
        &client,
        endpoint,
        &key,
        "PutPipelineDefinition",
        json!({"pipelineId": id, "pipelineObjects": objects}),
    )
    .await?;
    let load = [
        ("ListPipelines", json!({})),
        ("DescribePipelines", json!({"pipelineIds": [id]})),
        ("GetPipelineDefinition", json!({"pipelineId": id})),
    ];
    let mut lua = String::from("-- written by bench-sign: signed requests for bench/signed.lua\nreturn {\n");
    for (operation, body) in &load {
        // Each must be accepted now, or the load would measure error answers.
        call(&client, endpoint, &key, operation, body.clone()).await?;
        let request = signed(endpoint, &key, operation, body)?;
        let headers: Vec<String> = request
            .headers
            .iter()
            .map(|(n, v)| format!("[{}] = {}", lua_string(n), lua_string(v)))
            .collect();
        lua.push_str(&format!(
            "  {{ method = \"POST\", path = \"/\", headers = {{ {} }}, body = {} }},\n",
            headers.join(", "),
            lua_string(&request.body)
        ));
    }
    lua.push_str("}\n");
    std::fs::write(out, lua).map_err(|e| format!("{out}: {e}"))?;
    Ok(id)
}

fn main() -> std::process::ExitCode {
    let mut endpoint = None;
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--endpoint" => endpoint = args.next(),
            "--out" => out = args.next(),
            other => {
                eprintln!("bench-sign: unknown argument `{other}`");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let (Some(endpoint), Some(out)) = (endpoint, out) else {
        eprintln!("usage: bench-sign --endpoint URL --out FILE");
        return std::process::ExitCode::from(2);
    };
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(prepare(endpoint.trim_end_matches('/'), &out)));
    match result {
        Ok(id) => {
            println!("bench-sign: pipeline {id}; signed requests in {out}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench-sign: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

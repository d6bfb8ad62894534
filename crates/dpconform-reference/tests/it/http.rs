//! The socket layer: the embedded endpoint over real HTTP — envelope, long
//! polling, the body limit and signed requests.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use dpconform_reference::http::Embedded;
use dpconform_reference::{operation_request, Config, ManualClock, TEST_ACCESS_KEY, TEST_REGION, TEST_SECRET_KEY};
use serde_json::{json, Value};

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn call(c: &reqwest::Client, url: &str, op: &str, body: &str) -> reqwest::Response {
    c.post(url)
        .header("x-amz-target", format!("DataPipeline.{op}"))
        .header("content-type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn json_of(r: reqwest::Response) -> Value {
    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
}

fn unsigned(poll_ms: u64) -> Config {
    Config::embedded()
        .without_auth()
        .with_poll_wait(Duration::from_millis(poll_ms))
}

#[tokio::test]
async fn envelope_over_http() {
    let e = Embedded::start(unsigned(100)).await.unwrap();
    let r = call(&client(), &e.url(), "ListPipelines", "{}").await;
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    let body = r.bytes().await.unwrap();
    assert_eq!(h["x-amz-crc32"].to_str().unwrap(), crc32fast::hash(&body).to_string());
    assert_eq!(h["content-length"].to_str().unwrap(), body.len().to_string());
    assert_eq!(h["content-type"], "application/x-amz-json-1.1");
    assert!(h.contains_key("x-amzn-requestid") && h.contains_key("date"));
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap(),
        json!({"pipelineIdList": [], "hasMoreResults": false})
    );
}

#[tokio::test]
async fn an_empty_poll_waits_for_poll_wait() {
    let e = Embedded::start(unsigned(300)).await.unwrap();
    let start = Instant::now();
    let r = call(&client(), &e.url(), "PollForTask", r#"{"workerGroup":"wg"}"#).await;
    let took = start.elapsed();
    assert_eq!(json_of(r).await, json!({}));
    assert!(took >= Duration::from_millis(280), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn a_waiting_poll_is_woken_by_a_new_task() {
    let e = Embedded::start(unsigned(10_000)).await.unwrap();
    let c = client();
    let url = e.url();
    let poller = {
        let (c, url) = (c.clone(), url.clone());
        tokio::spawn(async move {
            let start = Instant::now();
            let r = call(&c, &url, "PollForTask", r#"{"workerGroup":"wg"}"#).await;
            (json_of(r).await, start.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let id =
        json_of(call(&c, &url, "CreatePipeline", r#"{"name":"n","uniqueId":"u"}"#).await).await["pipelineId"].clone();
    let objects = json!([
        {"id": "Default", "name": "Default", "fields": [{"key": "scheduleType", "stringValue": "ondemand"}, {"key": "workerGroup", "stringValue": "wg"}]},
        {"id": "Run", "name": "Run", "fields": [{"key": "type", "stringValue": "ShellCommandActivity"}, {"key": "command", "stringValue": "true"}]}
    ]);
    let put = json!({"pipelineId": id, "pipelineObjects": objects}).to_string();
    assert_eq!(
        json_of(call(&c, &url, "PutPipelineDefinition", &put).await).await["errored"],
        false
    );
    let r = call(&c, &url, "ActivatePipeline", &json!({"pipelineId": id}).to_string()).await;
    assert_eq!(r.status(), 200);
    let (task, took) = poller.await.unwrap();
    assert_eq!(task["taskObject"]["pipelineId"], id);
    assert!(took < Duration::from_secs(5), "woken, not timed out: {took:?}");
}

#[tokio::test]
async fn oversize_bodies_get_413() {
    let mut config = unsigned(100);
    config.max_body_bytes = 1024;
    let e = Embedded::start(config).await.unwrap();
    let big = format!(r#"{{"marker":"{}"}}"#, "x".repeat(2000));
    let r = call(&client(), &e.url(), "ListPipelines", &big).await;
    assert_eq!(r.status(), 413);
    assert!(r.headers().contains_key("x-amz-crc32"));
    let v = json_of(r).await;
    assert_eq!(v["__type"], "RequestEntityTooLargeException");
    // At the limit exactly, the body is read whole.
    let at_limit = format!(r#"{{"marker":"{}"}}"#, "x".repeat(1024 - 13));
    assert_eq!(at_limit.len(), 1024);
    let r = call(&client(), &e.url(), "ListPipelines", &at_limit).await;
    assert_eq!(json_of(r).await["__type"], "InvalidRequestException");
}

/// Sends `body` in chunks of 100 bytes without a Content-Length; returns the status line.
async fn chunked_status(url: &str, body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(url.trim_start_matches("http://"))
        .await
        .unwrap();
    let mut request = String::from(
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DataPipeline.ListPipelines\r\n\
         Content-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    for chunk in body.as_bytes().chunks(100) {
        request.push_str(&format!("{:x}\r\n{}\r\n", chunk.len(), String::from_utf8_lossy(chunk)));
    }
    request.push_str("0\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn chunked_bodies_without_a_length_have_the_same_limit() {
    let mut config = unsigned(100);
    config.max_body_bytes = 1024;
    let e = Embedded::start(config).await.unwrap();
    // Unknown members are ignored: only a body read whole and parsed gets 200.
    let small = json!({"padding": "x".repeat(900)}).to_string();
    let status = chunked_status(&e.url(), &small).await;
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let big = json!({"padding": "x".repeat(2000)}).to_string();
    let status = chunked_status(&e.url(), &big).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
}

#[tokio::test]
async fn signed_requests_over_http() {
    let e = Embedded::start(Config::embedded()).await.unwrap();
    let host = e.addr().to_string();
    let body = "{}";
    let identity: Identity = Credentials::new(TEST_ACCESS_KEY, TEST_SECRET_KEY, None, None, "t").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(TEST_REGION)
        .name("datapipeline")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let headers = [
        ("host", host.as_str()),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "DataPipeline.ListPipelines"),
    ];
    let signable = SignableRequest::new(
        "POST",
        format!("http://{host}/"),
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let c = client();
    let mut req = c.post(e.url()).body(body);
    for (k, v) in headers.iter().skip(1).copied().chain(instructions.headers()) {
        req = req.header(k, v);
    }
    assert_eq!(req.send().await.unwrap().status(), 200);
    let unsigned = call(&c, &e.url(), "ListPipelines", body).await;
    assert_eq!(unsigned.status(), 400);
    assert_eq!(json_of(unsigned).await["__type"], "MissingAuthenticationTokenException");
}

#[tokio::test]
async fn a_held_poll_counts_once_against_the_rate() {
    // The manual clock stands still: the PollForTask bucket never refills.
    let clock = Arc::new(ManualClock::at_unix(crate::common::T0));
    let e = Embedded::start(unsigned(1_200).with_clock(clock).with_throttle(true))
        .await
        .unwrap();
    let poll = || operation_request("PollForTask", r#"{"workerGroup":"wg"}"#);
    for _ in 0..99 {
        assert_eq!(e.reference().handle(poll()).status(), 200);
    }
    // Held 1.2 s and asked again every 0.5 s: still the 100th call, not the 101st.
    let r = call(&client(), &e.url(), "PollForTask", r#"{"workerGroup":"wg"}"#).await;
    assert_eq!(json_of(r).await, json!({}));
    let refused = e.reference().handle(poll());
    assert_eq!(refused.status(), 400);
    let v: Value = serde_json::from_slice(refused.body()).unwrap();
    assert_eq!(v["__type"], "ThrottlingException");
}

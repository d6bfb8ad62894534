//! Choosing cases: name filters, `--skip`, `--tag`, paths, several `--cases`
//! folders, and `--rerun-failed`.

use crate::support::faulty_endpoint::{Fault, FaultyEndpoint};
use crate::support::{dpconform, TempDir};

fn case(tags: &str, error: &str) -> String {
    format!(
        r#"{{ "about": "describe an unknown pipeline", "source": "self-test", "grade": "documented",
  "tags": [{tags}],
  "steps": [ {{ "operation": "DescribePipelines", "body": {{ "pipelineIds": ["df-x"] }},
               "expect": {{ "error": "{error}" }} }} ] }}"#
    )
}

fn listed(dir: &TempDir, args: &[&str]) -> Vec<String> {
    let out = dpconform(dir, args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("step(s)"))
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn skip_tag_paths_and_several_folders_choose_the_cases() {
    let dir = TempDir::new("selection");
    dir.write("cases/a/one.json", &case("\"errors\"", "PipelineNotFoundException"));
    dir.write("cases/a/two.json", &case("\"happy\"", "PipelineNotFoundException"));
    dir.write("cases/b/three.json", &case("\"errors\"", "PipelineNotFoundException"));
    dir.write("mine/cases/c/four.json", &case("", "PipelineNotFoundException"));
    assert_eq!(listed(&dir, &["list", "--skip", "a::one"]), ["a::two", "b::three"]);
    assert_eq!(listed(&dir, &["list", "--tag", "errors"]), ["a::one", "b::three"]);
    assert_eq!(listed(&dir, &["list", "cases/b"]), ["b::three"]);
    assert_eq!(
        listed(&dir, &["list", "cases/a/two.json", "three"]),
        ["a::two", "b::three"]
    );
    assert_eq!(
        listed(
            &dir,
            &["list", "--cases", "cases", "--cases", "mine/cases", "--skip", "a::"]
        ),
        ["b::three", "c::four"]
    );
    // The same name in two folders is refused, naming both files.
    dir.write("mine/cases/a/one.json", &case("", "PipelineNotFoundException"));
    let out = dpconform(&dir, &["list", "--cases", "cases", "--cases", "mine/cases"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("two case files are named `a::one`"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rerun_failed_runs_only_the_cases_that_failed() {
    let endpoint = FaultyEndpoint::start(Fault::None).await;
    let dir = TempDir::new("rerun");
    dir.write("cases/a/good.json", &case("", "PipelineNotFoundException"));
    dir.write("cases/a/bad.json", &case("", "PipelineDeletedException"));
    let first = dpconform(&dir, &["run", "--endpoint", &endpoint.url, "--report-dir", "r"]);
    assert_eq!(first.status.code(), Some(1));
    let again = dpconform(&dir, &["run", "--endpoint", &endpoint.url, "--rerun-failed", "r"]);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.starts_with("running 1 case(s)"), "{stdout}");
    assert!(stdout.contains("FAIL  a::bad"), "{stdout}");
    assert!(
        stdout.contains("reproduce:\n      dpconform run --exact a::bad --endpoint http://127.0.0.1:"),
        "{stdout}"
    );
    assert!(stdout.contains("curl -sS -i --aws-sigv4 aws:amz:us-east-1:datapipeline --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\""), "{stdout}");
    assert!(
        stdout.contains("aws datapipeline describe-pipelines --endpoint-url http://127.0.0.1:"),
        "{stdout}"
    );
}

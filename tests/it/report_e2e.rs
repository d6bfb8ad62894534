//! End to end through the binary: a run against the embedded reference and one
//! against an endpoint broken in known ways produce complete reports, and their
//! diff names exactly the broken cases; compare, partition and merge; no secret
//! reaches any output.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::report::*;
use dpconform::report::diff;
use dpconform::report::json::{Report, Status};

fn names(list: impl IntoIterator<Item = String>) -> BTreeSet<String> {
    list.into_iter().collect()
}

fn set(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Every report file exists, report.json and junit.xml hold every case.
fn assert_complete(dir: &Path, cases: &BTreeSet<String>) -> Report {
    for file in ["report.json", "junit.xml", "summary.md", "report.html"] {
        let path = dir.join(file);
        assert!(
            path.is_file() && std::fs::metadata(&path).unwrap().len() > 0,
            "{file} missing in {}",
            dir.display()
        );
    }
    let report = Report::load(&dir.join("report.json")).expect("report.json parses");
    assert_eq!(names(report.cases.iter().map(|c| c.name.clone())), *cases);
    let junit = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    for case in cases {
        assert!(junit.contains(&format!("name=\"{case}\"")), "{case} not in junit.xml");
    }
    assert_eq!(junit.matches("<testcase ").count(), cases.len());
    report
}

fn assert_no_secret(label: &str, text: &str) {
    for secret in [SECRET_KEY, SESSION_TOKEN, dpconform::reference::TEST_SECRET_KEY] {
        assert!(!text.contains(secret), "{label} contains the secret {secret}");
    }
    let signature = regex::Regex::new(r"(?i)signature=[0-9a-f]{16,}").unwrap();
    assert!(!signature.is_match(text), "{label} contains a request signature");
}

#[test]
fn the_diff_of_a_reference_run_and_a_broken_run_names_exactly_the_broken_cases() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = write_cases(tmp.path());
    let all = set(&[BROKEN.as_slice(), INTACT.as_slice()].concat());

    let base_dir = tmp.path().join("base");
    let base = run(&cases, &base_dir, None, &[], &[]);
    assert_eq!(base.status.code(), Some(0), "{}", text(&base));
    assert!(String::from_utf8_lossy(&base.stdout)
        .trim_end()
        .ends_with("4 passed, 0 failed"));
    let base_report = assert_complete(&base_dir, &all);
    assert_eq!(base_report.totals.passed, 4);
    assert_eq!(base_report.run.dpconform_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(base_report.run.cases_sha256.len(), 64);

    let broken = start(Mode::Broken);
    let new_dir = tmp.path().join("new");
    let secrets = [
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
    ];
    let new = run(&cases, &new_dir, Some(&broken.url), &[], &secrets);
    assert_eq!(new.status.code(), Some(1), "{}", text(&new));
    let new_report = assert_complete(&new_dir, &all);
    let failed = names(new_report.failed_cases().map(|c| c.name.clone()));
    assert_eq!(failed, set(&BROKEN));
    let junit = std::fs::read_to_string(new_dir.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<failure").count(), BROKEN.len());
    // Each broken case fails for the reason it was broken.
    let checks = |name: &str| -> BTreeSet<String> {
        new_report
            .case(name)
            .unwrap()
            .failed_steps()
            .flat_map(|s| s.failures.iter().map(|f| f.check.clone()))
            .collect()
    };
    assert!(checks("describe_pipelines::describes").contains("crc32"));
    assert!(checks("protocol::unknown_operation").contains("status"));
    assert!(checks("delete_pipeline::deletes").contains("body"));
    // The request as sent and the response as received are recorded.
    let delete = new_report.case("delete_pipeline::deletes").unwrap();
    let step = delete.steps.iter().find(|s| s.name == "delete").unwrap();
    assert_eq!(step.operation.as_deref(), Some("DeletePipeline"));
    let request = step.request.as_ref().unwrap();
    assert!(request
        .header("authorization")
        .unwrap()
        .ends_with("Signature=[redacted]"));
    assert_eq!(request.header("x-amz-security-token"), Some("[redacted]"));
    assert!(step
        .response
        .as_ref()
        .unwrap()
        .body
        .contains("your secret key is [redacted]"));

    let diff_out = dpconform(
        &[
            "diff",
            base_dir.join("report.json").to_str().unwrap(),
            new_dir.join("report.json").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(diff_out.status.code(), Some(1), "{}", text(&diff_out));
    let stdout = String::from_utf8_lossy(&diff_out.stdout).to_string();
    let d = diff::diff(&base_report, &new_report);
    assert_eq!(names(d.newly_failing.iter().map(|c| c.name.clone())), set(&BROKEN));
    assert!(d.newly_passing.is_empty() && d.added.is_empty() && d.removed.is_empty());
    for case in BROKEN {
        assert!(stdout.contains(&format!("FAIL  {case}")), "{case} not named:\n{stdout}");
    }
    for case in INTACT {
        assert!(!stdout.contains(case), "{case} named though intact:\n{stdout}");
    }
    assert!(stdout.contains("newly failing (3)"));
    assert!(
        stdout.contains("delete_pipeline::deletes / delete"),
        "changed response:\n{stdout}"
    );
    assert!(stdout.trim_end().ends_with("regressed: yes"));
    let diff_md = std::fs::read_to_string(new_dir.join("diff.md")).unwrap();
    let diff_html = std::fs::read_to_string(new_dir.join("diff.html")).unwrap();
    for case in BROKEN {
        assert!(diff_md.contains(&format!("❌ `{case}`")));
        assert!(diff_html.contains(case));
    }

    // No secret anywhere: the four files of both runs, the diff files and output.
    for dir in [&base_dir, &new_dir] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            assert_no_secret(&path.display().to_string(), &std::fs::read_to_string(&path).unwrap());
        }
    }
    assert_no_secret("diff output", &text(&diff_out));
    assert_no_secret("run output", &text(&new));

    // The reverse direction: the same cases are newly passing, nothing regressed.
    let back = dpconform(
        &[
            "diff",
            new_dir.to_str().unwrap(),
            base_dir.to_str().unwrap(),
            "--out",
            tmp.path().join("back").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(back.status.code(), Some(0), "{}", text(&back));
    let stdout = String::from_utf8_lossy(&back.stdout);
    assert!(stdout.contains("newly passing (3)") && stdout.trim_end().ends_with("regressed: no"));
}

/// `compare` of endpoints `a` and `b` over `cases`, one case at a time (the same order of
/// calls on both endpoints), with `extra` arguments.
fn compare_args<'a>(a: &'a str, b: &'a str, cases: &'a std::path::Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "compare",
        "--endpoint",
        a,
        "--endpoint",
        b,
        "--cases",
        cases.to_str().unwrap(),
        "-j",
        "1",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn compare_reports_exactly_the_steps_whose_normalised_responses_differ() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = write_cases(tmp.path());
    let (honest, broken) = (start(Mode::Honest), start(Mode::Broken));
    let out_dir = tmp.path().join("cmp");
    let out = dpconform(
        &compare_args(
            &honest.url,
            &broken.url,
            &cases,
            &["--report-dir", out_dir.to_str().unwrap()],
        ),
        &[("AWS_SECRET_ACCESS_KEY", SECRET_KEY)],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    // The CRC of DescribePipelines is not part of a normalised response; status and body are.
    let differing: BTreeSet<String> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("DIFF  "))
        .map(|l| l.split("  (").next().unwrap().to_string())
        .collect();
    assert_eq!(
        differing,
        set(&[
            "delete_pipeline::deletes / delete",
            "protocol::unknown_operation / unknown"
        ]),
        "{stdout}"
    );
    assert!(stdout.contains("(status)") && stdout.contains("(body)"), "{stdout}");
    assert!(stdout.trim_end().ends_with("differ"));
    let md = std::fs::read_to_string(out_dir.join("compare.md")).unwrap();
    assert!(md.starts_with("# dpconform compare: 2 of "));
    assert!(out_dir.join("compare.html").is_file());
    assert_complete(
        &out_dir.join("a"),
        &set(&[BROKEN.as_slice(), INTACT.as_slice()].concat()),
    );
    assert_no_secret("compare output", &text(&out));
    assert_no_secret("compare.md", &md);

    // A baseline of known differences: both known, the run passes; one left out fails it.
    let compare_with = |baseline: &str| {
        let file = tmp.path().join("known.toml");
        std::fs::write(&file, baseline).unwrap();
        dpconform(
            &compare_args(
                &honest.url,
                &broken.url,
                &cases,
                &["--baseline", file.to_str().unwrap()],
            ),
            &[],
        )
    };
    let both = "[[case]]\nname = \"delete_pipeline::deletes\"\nreason = \"b answers 500\"\n\n\
                [[case]]\nname = \"protocol::unknown_operation\"\nchecks = [\"status\"]\nreason = \"b answers 500\"\n";
    let known = compare_with(both);
    assert_eq!(known.status.code(), Some(0), "{}", text(&known));
    assert!(text(&known).contains("2 differ (2 known, 0 new)"), "{}", text(&known));
    let one_known = compare_with(&both[..both.find("\n\n").unwrap()]);
    assert_eq!(one_known.status.code(), Some(1), "{}", text(&one_known));
    assert!(
        text(&one_known).contains("2 differ (1 known, 1 new)"),
        "{}",
        text(&one_known)
    );

    // Two fresh honest endpoints do not differ, though ids and run tokens do.
    let (one, other) = (start(Mode::Honest), start(Mode::Honest));
    let same = dpconform(&compare_args(&one.url, &other.url, &cases, &[]), &[]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    assert!(String::from_utf8_lossy(&same.stdout).contains(", 0 differ"));

    let one = dpconform(
        &["compare", "--endpoint", &honest.url, "--cases", cases.to_str().unwrap()],
        &[],
    );
    assert_eq!(one.status.code(), Some(2));
}

#[test]
fn partitions_split_the_cases_and_merge_into_the_whole_run() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = write_cases(tmp.path());
    let endpoint = start(Mode::Broken);
    let mut parts = Vec::new();
    let mut seen = BTreeSet::new();
    for k in 1..=3 {
        let dir = tmp.path().join(format!("part-{k}"));
        let partition = format!("{k}/3");
        let out = run(&cases, &dir, Some(&endpoint.url), &["--partition", &partition], &[]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", text(&out));
        let report = Report::load(&dir.join("report.json")).unwrap();
        assert_eq!(report.run.partition.as_deref(), Some(partition.as_str()));
        for case in &report.cases {
            assert!(seen.insert(case.name.clone()), "{} in two parts", case.name);
        }
        parts.push(dir);
    }
    let all = set(&[BROKEN.as_slice(), INTACT.as_slice()].concat());
    assert_eq!(seen, all, "the parts cover every case");

    // The same split every time.
    let again = run(
        &cases,
        &tmp.path().join("again"),
        Some(&endpoint.url),
        &["--partition", "2/3"],
        &[],
    );
    assert!(matches!(again.status.code(), Some(0 | 1)));
    let a = Report::load(&tmp.path().join("again/report.json")).unwrap();
    let b = Report::load(&parts[1].join("report.json")).unwrap();
    assert_eq!(
        a.cases.iter().map(|c| &c.name).collect::<Vec<_>>(),
        b.cases.iter().map(|c| &c.name).collect::<Vec<_>>()
    );

    let merged_dir = tmp.path().join("merged");
    let mut args = vec!["merge".to_string()];
    args.extend(parts.iter().map(|p| p.join("report.json").display().to_string()));
    args.extend(["--out".to_string(), merged_dir.display().to_string()]);
    let args_ref: Vec<&str> = args.iter().map(String::as_str).collect();
    let merged = dpconform(&args_ref, &[]);
    assert_eq!(merged.status.code(), Some(1), "{}", text(&merged));
    assert!(String::from_utf8_lossy(&merged.stdout)
        .trim_end()
        .ends_with("1 passed, 3 failed"));
    let report = assert_complete(&merged_dir, &all);
    assert_eq!(report.totals.failed, 3);
    assert_eq!(report.run.merged_from.len(), 3);
    assert_eq!(report.run.partition, None);
    assert_eq!(names(report.failed_cases().map(|c| c.name.clone())), set(&BROKEN));
    assert!(report.cases.iter().all(|c| c.status != Status::Skipped));

    // The same part twice is refused.
    let p1 = parts[0].join("report.json");
    let twice = dpconform(
        &[
            "merge",
            p1.to_str().unwrap(),
            p1.to_str().unwrap(),
            "--out",
            tmp.path().join("x").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("cannot merge"));

    // A missing part is refused, unless allowed: then merged with a warning.
    let partial = dpconform(
        &[
            "merge",
            p1.to_str().unwrap(),
            "--out",
            tmp.path().join("y").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(partial.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&partial.stderr).contains("missing part(s) 2/3, 3/3"));
    assert!(!tmp.path().join("y").join("report.json").exists());
    let allowed = dpconform(
        &[
            "merge",
            "--allow-missing",
            p1.to_str().unwrap(),
            "--out",
            tmp.path().join("y").to_str().unwrap(),
        ],
        &[],
    );
    assert_ne!(allowed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&allowed.stderr).contains("warning: missing part(s) 2/3, 3/3"));
    assert!(tmp.path().join("y").join("report.json").exists());

    let bad = run(
        &cases,
        &tmp.path().join("z"),
        Some(&endpoint.url),
        &["--partition", "4/3"],
        &[],
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn corrupt_or_foreign_reports_are_a_clear_error_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.json");
    let cases = write_cases(tmp.path());
    let out = run(&cases, &tmp.path().join("r"), None, &["create_pipeline"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    std::fs::copy(tmp.path().join("r/report.json"), &good).unwrap();
    let text_of = std::fs::read_to_string(&good).unwrap();
    let bad_files = [
        (
            "truncated.json",
            text_of[..text_of.len() / 2].to_string(),
            "not a JSON document",
        ),
        ("other.json", r#"{"hello": 1}"#.to_string(), "not a dpconform report"),
        (
            "future.json",
            text_of.replace("\"schema_version\": 1", "\"schema_version\": 99"),
            "schema version 99",
        ),
        (
            "wrongtype.json",
            text_of.replacen("\"status\": \"passed\"", "\"status\": 7", 1),
            "status",
        ),
    ];
    for (name, contents, expected) in bad_files {
        let path = tmp.path().join(name);
        std::fs::write(&path, contents).unwrap();
        for args in [
            vec!["diff", good.to_str().unwrap(), path.to_str().unwrap()],
            vec![
                "merge",
                path.to_str().unwrap(),
                "--out",
                tmp.path().join("m").to_str().unwrap(),
            ],
        ] {
            let out = dpconform(&args, &[]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name}: {}", text(&out));
            assert!(stderr.contains(expected) && stderr.contains(name), "{name}: {stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
    let missing = dpconform(&["diff", good.to_str().unwrap(), "/nonexistent/report.json"], &[]);
    assert_eq!(missing.status.code(), Some(2));
}

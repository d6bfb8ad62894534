//! `junit.xml`: one test suite per area, one test case per case, written with
//! quick-junit so that CI viewers (GitHub, GitLab, Jenkins) read it.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::json::{Report, Status};
use super::text::{case_details, first_line};

/// The junit.xml of a report; fails only if quick-junit cannot serialise it.
pub fn render(report: &Report) -> Result<String, String> {
    let mut junit = JunitReport::new("dpconform");
    junit.set_time(ms(report.run.duration_ms));
    let mut areas: Vec<&str> = report.cases.iter().map(|c| c.area.as_str()).collect();
    areas.dedup();
    areas.sort();
    areas.dedup();
    for area in areas {
        let mut suite = TestSuite::new(area);
        suite.add_property(Property::new("endpoint", report.run.endpoint.as_str()));
        suite.add_property(Property::new("run_id", report.run.run_id.as_str()));
        suite.add_property(Property::new("started", report.run.started.as_str()));
        suite.add_property(Property::new(
            "dpconform_version",
            report.run.dpconform_version.as_str(),
        ));
        let mut time = 0.0;
        for case in report.cases.iter().filter(|c| c.area == area) {
            time += case.duration_ms;
            let status = match case.status {
                Status::Passed => TestCaseStatus::success(),
                Status::Skipped | Status::NotRun => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(case.skip_reason.clone().unwrap_or_else(|| "not run".into()));
                    s
                }
                // A known failure must not fail a CI job: reported as skipped, with why.
                Status::Known => {
                    let mut s = TestCaseStatus::skipped();
                    let reasons: Vec<&str> = case
                        .steps
                        .iter()
                        .flat_map(|step| step.failures.iter().filter_map(|f| f.known.as_deref()))
                        .collect();
                    s.set_message(format!("known failure (baseline): {}", reasons.first().unwrap_or(&"")));
                    s.set_description(case_details(case));
                    s
                }
                Status::Failed => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let first = case.failed_steps().find_map(|step| {
                        step.failures.first().map(|f| {
                            (
                                f.check.clone(),
                                format!("{}: [{}] {}", step.name, f.check, first_line(&f.message)),
                            )
                        })
                    });
                    if let Some((check, message)) = first {
                        s.set_type(check);
                        // The grade of what failed leads the message: a CI viewer shows
                        // "[inferred]" differences apart from evidenced ones at a glance.
                        let grade = case.failed_grade.unwrap_or(case.grade);
                        s.set_message(format!("[{grade}] {message}"));
                    }
                    s.set_description(case_details(case));
                    s
                }
            };
            let mut test = TestCase::new(case.name.as_str(), status);
            test.set_classname(format!("dpconform.{area}"));
            test.add_property(Property::new("grade", case.grade.name()));
            test.add_property(Property::new("source", case.source.as_str()));
            test.set_time(ms(case.duration_ms));
            suite.add_test_case(test);
        }
        suite.set_time(ms(time));
        junit.add_test_suite(suite);
    }
    junit.to_string().map_err(|e| format!("cannot write junit.xml: {e}"))
}

fn ms(millis: f64) -> Duration {
    Duration::from_secs_f64((millis / 1000.0).max(0.0))
}

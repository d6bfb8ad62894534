//! The harness's integration tests, in one binary: the CLI end to end, the
//! runner against faulty endpoints, reports and their goldens, fuzz
//! regressions, and the reference under load through the harness's client.

mod baseline;
mod case_files;
mod case_schema;
mod cli;
mod console_output;
mod corpus_citations;
mod corpus_read_only;
mod endpoint_faults;
mod explore;
mod explore_report;
mod fault_checks;
mod fuzz_regressions;
mod generated_cases;
mod interrupted_run;
mod layering;
mod no_secrets;
mod planted_bugs;
mod reference_load;
mod report_e2e;
mod report_golden;
mod selection;
mod serve;
mod support;

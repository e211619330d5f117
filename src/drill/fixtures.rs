//! The four kinds of drill as their JSON reports (a pass, a fail, an
//! abort, two tasks), from demo runs: what the report's tests draw.

use crate::model::drill::report::Report;

pub fn report(name: &str) -> Report {
    let text = match name {
        "pass" => include_str!("../../tests/fixtures/reports/pass.json"),
        "fail" => include_str!("../../tests/fixtures/reports/fail.json"),
        "aborted" => include_str!("../../tests/fixtures/reports/aborted.json"),
        "two-task" => include_str!("../../tests/fixtures/reports/two-task.json"),
        _ => panic!("no fixture {name}"),
    };
    serde_json::from_str(text).expect("a report")
}

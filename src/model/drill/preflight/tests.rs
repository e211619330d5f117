use std::time::Duration;

use super::*;
use crate::model::fixtures::*;
use crate::model::observe::{Observation, PollEvent, Resource};
use crate::model::probe::ProbeInfo;

/// One task behind a target group with AWS's 300 s deregistration delay.
fn world() -> World {
    let mut w = World::new(Some(ProbeInfo::default()));
    let mut g = tg(vec![target("10.0.1.5", "healthy", None)]);
    g.deregistration_delay_s = Some(300);
    for (resource, obs) in [
        (Resource::Service, Observation::Service(Box::new(service()))),
        (Resource::TaskDefs, Observation::TaskDefs(vec![task_def()])),
        (
            Resource::Tasks,
            Observation::Tasks(vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")]),
        ),
        (Resource::Targets, Observation::Targets(vec![g])),
    ] {
        w.apply(PollEvent {
            resource,
            at: ts(0).expect("t"),
            result: Ok(obs),
        });
    }
    w
}

#[test]
fn the_default_timeout_follows_this_services_worst_case() {
    let p = preflight(&world(), "c", RestartKind::StopTask, None).expect("preflight");
    assert!(
        p.estimate.max_s >= 300,
        "the whole drain at worst: {:?}",
        p.estimate
    );
    assert_eq!(p.timeout, p.estimate.default_timeout());
    assert!(p.timeout.as_secs() > u64::from(p.estimate.max_s));
    assert!(
        !p.warnings.iter().any(|w| w.contains("timeout")),
        "{:?}",
        p.warnings
    );
    assert!(p.lines()[0].starts_with("expect about "), "{:?}", p.lines());
}

#[test]
fn a_timeout_below_the_worst_case_is_warned_about_and_kept() {
    let given = Duration::from_secs(120);
    let p = preflight(&world(), "c", RestartKind::StopTask, Some(given)).expect("preflight");
    assert_eq!(p.timeout, given, "--timeout still overrides");
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("the timeout 2m is shorter than this service's worst case")),
        "{:?}",
        p.warnings
    );
}

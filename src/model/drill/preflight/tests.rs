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
    let p = preflight(&world(), "c", RestartKind::StopTask, None, &[]).expect("preflight");
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
    let p = preflight(&world(), "c", RestartKind::StopTask, Some(given), &[]).expect("preflight");
    assert_eq!(p.timeout, given, "--timeout still overrides");
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("the timeout 2m is shorter than this service's worst case")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn a_listener_rule_sending_the_drills_write_elsewhere_needs_evidence() {
    use crate::model::{Listener, ListenerRule, LoadBalancer, RuleCondition};
    let svc = service();
    let ours = svc.target_group_arns()[0].clone();
    let mut g = tg(vec![target("10.0.1.5", "healthy", None)]);
    g.arn = ours.clone();
    g.load_balancers = vec![LoadBalancer {
        unreadable: None,
        arn: "arn:lb".into(),
        name: "goals-alb".into(),
        dns_name: "goals-alb-1.elb.amazonaws.com".into(),
        scheme: None,
        state: None,
        listeners: vec![Listener {
            protocol: "HTTP".into(),
            port: 80,
            forwards: vec![ours],
            // Writes go to another copy of the API.
            rules: vec![ListenerRule {
                priority: 10,
                conditions: vec![RuleCondition {
                    field: "http-request-method".into(),
                    values: vec!["POST".into()],
                }],
                forwards: vec![
                    "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/writer/1".into(),
                ],
            }],
            rules_error: None,
        }],
    }];
    let mut w = world();
    w.apply(PollEvent {
        resource: Resource::Targets,
        at: ts(1).expect("t"),
        result: Ok(Observation::Targets(vec![g])),
    });
    let requests = crate::model::drill::Contract::default().requests();
    let p = preflight(&w, "c", RestartKind::StopTask, None, &requests).expect("preflight");
    assert!(p.hand_set_url, "the URL needs evidence now");
    assert!(
        p.warnings
            .iter()
            .any(|x| x.contains("POST /goals goes to writer by rule 10")),
        "{:?}",
        p.warnings
    );
    // The probe's own GET still reaches the service: its URL is found.
    assert!(
        matches!(w.derived.probe_base, Some(Ok(_))),
        "{:?}",
        w.derived.probe_base
    );
}

use super::*;
use crate::model::fixtures::*;

fn ev(resource: Resource, obs: Observation) -> PollEvent {
    PollEvent {
        resource,
        at: ts(0).expect("time"),
        result: Ok(obs),
    }
}

#[test]
fn a_container_without_a_health_check_in_its_revision_has_none_whatever_aws_reports() {
    let mut td = task_def();
    td.containers[0].health_check = None;
    let mut t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    // AWS reports UNKNOWN for ever for a container with no healthCheck.
    t.containers[0].health = Some("UNKNOWN".into());
    let mut w = World::new(None);
    w.apply(ev(Resource::TaskDefs, Observation::TaskDefs(vec![td])));
    w.apply(ev(Resource::Tasks, Observation::Tasks(vec![t.clone()])));
    assert!(!w.health_checked(&t, &t.containers[0]), "goals-api: none");
    assert!(w.health_checked(&t, &t.containers[1]), "mongodb: one");
    // Without the revision, a reported HEALTHY counts as a check, an
    // UNKNOWN does not (the drill waits for the revision).
    let blank = World::new(None);
    assert!(!blank.health_checked(&t, &t.containers[0]));
    assert!(blank.health_checked(&t, &t.containers[1]));
}

#[test]
fn only_essential_containers_gate_ready_and_one_without_a_check_is_ready_when_running() {
    let mut td = task_def();
    td.containers[0].health_check = None;
    // A non-essential sidecar that fails does not hold the task back.
    td.containers.push(crate::model::ContainerDef {
        readonly_root: false,
        name: "xray".into(),
        image: "amazon/aws-xray-daemon".into(),
        essential: false,
        health_check: Some(vec!["CMD".into(), "true".into()]),
        mount_points: vec![],
        log: None,
        stop_timeout_s: None,
        limits: Default::default(),
    });
    let mut t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    t.containers[0].health = Some("UNKNOWN".into());
    let mut sidecar = t.containers[1].clone();
    sidecar.name = "xray".into();
    sidecar.health = Some("UNHEALTHY".into());
    t.containers.push(sidecar);
    let mut w = World::new(None);
    w.apply(ev(Resource::TaskDefs, Observation::TaskDefs(vec![td])));
    w.apply(ev(Resource::Tasks, Observation::Tasks(vec![t.clone()])));
    assert!(
        w.task_ready(&t),
        "goals-api RUNNING with no check, mongodb HEALTHY"
    );
    // The essential container with a check still decides.
    t.containers[1].health = Some("UNKNOWN".into());
    assert!(!w.task_ready(&t), "mongodb not yet HEALTHY");
    // Without a check, a container that is not RUNNING is not ready.
    t.containers[1].health = Some("HEALTHY".into());
    t.containers[0].last_status = "PENDING".into();
    assert!(!w.task_ready(&t));
}

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
    // Without the revision, a reported health counts as a check.
    let blank = World::new(None);
    assert!(blank.health_checked(&t, &t.containers[0]));
}

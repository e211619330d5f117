use super::*;
use crate::model::fixtures::*;

#[test]
fn a_forced_deployment_waits_out_the_deregistration_delay() {
    let svc = service();
    let td = task_def();
    let mut g = tg(vec![]);
    g.deregistration_delay_s = Some(300);
    let stop = drill_estimate(false, &svc, Some(&td), std::slice::from_ref(&g));
    let force = drill_estimate(true, &svc, Some(&td), &[g]);
    assert!(force.seconds >= stop.seconds + 300, "{force:?} vs {stop:?}");
    assert!(
        force
            .parts
            .iter()
            .any(|p| p.contains("300 s deregistration delay")),
        "{force:?}"
    );
    assert!(
        stop.parts
            .iter()
            .any(|p| p.contains("does not wait for the 300 s drain")),
        "{stop:?}"
    );
}

use super::*;
use crate::model::fixtures::*;

/// AWS's defaults: a 300 s deregistration delay, a 30 s stopTimeout, the
/// ALB's 30 s interval with a healthy threshold of 5.
fn defaults() -> (crate::model::Service, crate::model::TaskDef, TargetGroup) {
    let svc = service();
    let td = task_def();
    let mut g = tg(vec![]);
    g.deregistration_delay_s = Some(300);
    g.health_check.interval_s = Some(30);
    g.health_check.healthy_threshold = Some(5);
    (svc, td, g)
}

#[test]
fn the_estimate_is_a_range_that_includes_the_whole_drain_at_worst() {
    let (svc, td, g) = defaults();
    let e = drill_estimate(false, &svc, Some(&td), std::slice::from_ref(&g), 1);
    // ELB shows the old target draining for the whole 300 s and ECS
    // waits for it: at best the drain, at worst + 30 s stop + 30 s
    // deprovisioning (a 90 s start + 150 s of checks end sooner).
    assert_eq!((e.min_s, e.max_s), (300 + 5, 300 + 30 + 30 + 5), "{e:?}");
    assert!(
        e.parts
            .iter()
            .any(|p| p.contains("drains for the deregistration delay (300 s:")),
        "{e:?}"
    );
    assert!(
        !e.parts.iter().any(|p| p.contains("does not wait")),
        "ECS waits for the target to be unused before it stops a service's task: {e:?}"
    );
}

#[test]
fn several_tasks_one_at_a_time_add_up() {
    let (svc, td, g) = defaults();
    let one = drill_estimate(false, &svc, Some(&td), std::slice::from_ref(&g), 1);
    let three = drill_estimate(false, &svc, Some(&td), std::slice::from_ref(&g), 3);
    assert_eq!(three.max_s - READS_S, 3 * (one.max_s - READS_S));
    assert!(
        three
            .parts
            .iter()
            .any(|p| p.contains("3 tasks, one at a time"))
    );
}

#[test]
fn a_forced_deployment_replaces_one_after_the_other_whatever_its_room() {
    let (mut svc, td, g) = defaults();
    let e = drill_estimate(true, &svc, Some(&td), std::slice::from_ref(&g), 1);
    // 360 s for the old task, then 90 s + 150 s for the new one.
    assert_eq!(e.max_s, 300 + 30 + 30 + 90 + 150 + 5, "{e:?}");
    // With room (200 %) the new one is healthy first, then the old one
    // drains: the same sum, not the longer of the two.
    svc.config.max_percent = 200;
    let e = drill_estimate(true, &svc, Some(&td), std::slice::from_ref(&g), 1);
    assert_eq!(e.max_s, 300 + 30 + 30 + 90 + 150 + 5, "{e:?}");
    // 150 % of one task rounds down to one: no room.
    svc.config.max_percent = 150;
    let e = drill_estimate(true, &svc, Some(&td), std::slice::from_ref(&g), 1);
    assert!(e.parts.iter().any(|p| p.contains("no room")), "{e:?}");
}

#[test]
fn the_default_timeout_follows_the_worst_case_with_a_margin_and_a_floor() {
    let (svc, td, g) = defaults();
    let e = drill_estimate(false, &svc, Some(&td), std::slice::from_ref(&g), 2);
    let t = e.default_timeout().as_secs();
    assert!(t > u64::from(e.max_s) + 59, "{t} vs {e:?}");
    // A quick service still gets 5 minutes.
    let mut quick = g.clone();
    quick.deregistration_delay_s = Some(5);
    quick.health_check.interval_s = Some(5);
    quick.health_check.healthy_threshold = Some(2);
    let e = drill_estimate(false, &svc, Some(&td), &[quick], 1);
    assert_eq!(e.default_timeout().as_secs(), 300, "{e:?}");
}

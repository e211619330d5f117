use crate::model::TaskDef;
use crate::model::derive::*;
use crate::model::fixtures::*;

fn kinds(w: &[Warning]) -> Vec<WarningKind> {
    w.iter().map(|w| w.kind).collect()
}

/// A task definition whose containers stop within `s` seconds.
fn stopping_in(s: i32) -> TaskDef {
    let mut td = task_def();
    for c in &mut td.containers {
        c.stop_timeout_s = Some(s);
    }
    td
}

#[test]
fn clean_service_has_no_warnings() {
    let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
    let mut group = tg(vec![]);
    group.deregistration_delay_s = Some(10);
    let w = preflight(
        &service(),
        Some(&stopping_in(10)),
        &[group],
        &[fs(&["us-east-1a"])],
        &tasks,
    );
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn a_long_drain_at_max_100_still_lets_two_writers_meet() {
    // 30 s drain + ECS's default 30 s stopTimeout: the replacement can
    // be up before the old mongod has exited.
    let w = preflight(&service(), Some(&task_def()), &[tg(vec![])], &[], &[]);
    assert_eq!(kinds(&w), vec![WarningKind::DrainOverlap]);
    assert!(w[0].message.contains("drains 30 s"), "{}", w[0].message);
    assert!(w[0].message.contains("60 s"), "{}", w[0].message);
    assert!(w[0].message.contains("mongod.lock"));
    assert!(
        !w[0].message.contains("max 200"),
        "not the max-200 % wording"
    );
    // Nothing can overlap: a short drain and a short stop.
    let mut group = tg(vec![]);
    group.deregistration_delay_s = Some(5);
    assert!(preflight(&service(), Some(&stopping_in(10)), &[group], &[], &[]).is_empty());
    // No database on EFS, nothing to warn about.
    let mut td = task_def();
    td.containers[1].mount_points.clear();
    assert!(preflight(&service(), Some(&td), &[tg(vec![])], &[], &[]).is_empty());
}

#[test]
fn single_writer_advice_is_safe_to_follow() {
    let mut svc = service();
    svc.config.max_percent = 200;
    let w = preflight(&svc, Some(&stopping_in(5)), &[], &[], &[]);
    assert!(
        w[0].message
            .ends_with("set maximumPercent 100 and minimumHealthyPercent 0"),
        "{}",
        w[0].message
    );
}

#[test]
fn a_deployment_that_cannot_replace_its_task_is_flagged() {
    assert!(!deployment_can_replace(1, 100, 100));
    assert!(!deployment_can_replace(1, 50, 100));
    assert!(deployment_can_replace(1, 0, 100));
    assert!(deployment_can_replace(1, 100, 200));
    assert!(deployment_can_replace(2, 50, 100));
    assert!(!deployment_can_replace(3, 100, 120));
    let mut svc = service();
    svc.config.min_percent = 100;
    let w = preflight(&svc, Some(&stopping_in(5)), &[], &[], &[]);
    assert_eq!(kinds(&w), vec![WarningKind::DeploymentStuck]);
    assert!(w[0].message.contains("it hangs"), "{}", w[0].message);
    assert!(w[0].message.contains("a stopped task is still replaced"));
}

#[test]
fn single_writer_trap_from_max_percent_and_desired_count() {
    let mut svc = service();
    svc.config.max_percent = 200;
    let w = preflight(&svc, Some(&stopping_in(5)), &[], &[], &[]);
    assert_eq!(kinds(&w), vec![WarningKind::SingleWriter]);
    assert!(w[0].message.contains("mongod.lock"), "{}", w[0].message);
    assert!(w[0].message.contains("max 200%"));
    svc.config.max_percent = 100;
    svc.desired = 2;
    let w = preflight(&svc, Some(&stopping_in(5)), &[], &[], &[]);
    assert_eq!(kinds(&w), vec![WarningKind::SingleWriter]);
    // Read-only mounts cannot corrupt anything.
    let mut td = stopping_in(5);
    td.containers[1].mount_points[0].read_only = true;
    assert!(preflight(&svc, Some(&td), &[], &[], &[]).is_empty());
}

#[test]
fn live_overlap_is_flagged() {
    let tasks = vec![
        task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING"),
        task("bbbb2222", "10.0.1.6", "PENDING", "RUNNING"),
    ];
    let w = preflight(&service(), Some(&stopping_in(5)), &[], &[], &tasks);
    assert_eq!(kinds(&w), vec![WarningKind::LiveOverlap]);
    assert!(w[0].message.contains("aaaa1111, bbbb2222"));
}

#[test]
fn missing_health_check_slow_check_long_drain_and_missing_mount_target() {
    let mut td = stopping_in(5);
    td.containers[0].health_check = None;
    let mut group = tg(vec![]);
    group.health_check.interval_s = Some(30);
    group.health_check.healthy_threshold = Some(5);
    group.deregistration_delay_s = Some(300);
    let mut t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    t.az = Some("us-east-1c".into());
    let w = preflight(
        &service(),
        Some(&td),
        &[group],
        &[fs(&["us-east-1a", "us-east-1b"])],
        &[t],
    );
    assert_eq!(
        kinds(&w),
        vec![
            WarningKind::DrainOverlap,
            WarningKind::NoHealthCheck,
            WarningKind::MissingMountTarget,
            WarningKind::SlowHealthCheck,
            WarningKind::LongDeregistration
        ]
    );
    assert!(w[0].message.contains("drains 300 s"), "{}", w[0].message);
    assert!(
        w[1].message
            .starts_with("goals-api has no container health check")
    );
    assert!(w[2].message.contains("us-east-1c"));
    // A new target needs one check; interval × threshold is recovery.
    assert!(
        w[3].message
            .contains("takes traffic after one passing check (every 30 s)"),
        "{}",
        w[3].message
    );
    assert!(
        w[3].message
            .contains("5 × 30 s = 150 s of passing checks to recover")
    );
    assert!(w[4].message.contains("300 s"));
}

use crate::model::derive::*;
use crate::model::fixtures::*;

#[test]
fn verdict_healthy_when_running_and_target_healthy() {
    let svc = service();
    let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
    let tgs = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
    let v = verdict(Some(&svc), Some(&tasks), Some(&tgs));
    assert_eq!(v.health, Health::Healthy, "{v:?}");
    assert_eq!(v.reason, "1/1 running, 1 target healthy");
}

#[test]
fn verdict_down_with_empty_target_group_even_if_steady() {
    let svc = service();
    let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
    let tgs = vec![tg(vec![])];
    let v = verdict(Some(&svc), Some(&tasks), Some(&tgs));
    assert_eq!(v.health, Health::Down);
    assert!(v.reason.contains("no healthy target in goals-tg"));
}

#[test]
fn verdict_down_without_running_task() {
    let svc = service();
    let tasks = vec![task("aaaa1111", "10.0.1.5", "STOPPED", "STOPPED")];
    let v = verdict(Some(&svc), Some(&tasks), None);
    assert_eq!(v.health, Health::Down);
    assert_eq!(v.reason, "0/1 tasks running");
}

#[test]
fn verdict_degraded_on_unhealthy_container_or_initial_target() {
    let svc = service();
    let mut t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    t.containers[1].health = Some("UNHEALTHY".into());
    let tgs = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
    let v = verdict(Some(&svc), Some(std::slice::from_ref(&t)), Some(&tgs));
    assert_eq!(v.health, Health::Degraded);
    assert!(v.reason.contains("mongodb"));

    let mut svc2 = service();
    svc2.desired = 2;
    let tasks = vec![
        task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING"),
        task("bbbb2222", "10.0.1.6", "RUNNING", "RUNNING"),
    ];
    let tgs = vec![tg(vec![
        target("10.0.1.5", "healthy", None),
        target("10.0.1.6", "initial", Some("Elb.RegistrationInProgress")),
    ])];
    let v = verdict(Some(&svc2), Some(&tasks), Some(&tgs));
    assert_eq!(v.health, Health::Degraded);
    assert_eq!(
        v.reason,
        "target 10.0.1.6 initial (Elb.RegistrationInProgress)"
    );
}

#[test]
fn draining_target_of_a_leaving_task_does_not_degrade() {
    let svc = service();
    let tasks = vec![
        task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING"),
        task("old00000", "10.0.1.9", "RUNNING", "STOPPED"),
    ];
    let tgs = vec![tg(vec![
        target("10.0.1.5", "healthy", None),
        target(
            "10.0.1.9",
            "draining",
            Some("Target.DeregistrationInProgress"),
        ),
    ])];
    assert_eq!(
        verdict(Some(&svc), Some(&tasks), Some(&tgs)).health,
        Health::Healthy
    );
}

#[test]
fn verdict_unknown_before_load_and_degraded_on_failed_rollout() {
    assert_eq!(verdict(None, None, None).health, Health::Unknown);
    let mut svc = service();
    svc.deployments[0].rollout_state = Some("FAILED".into());
    svc.deployments[0].rollout_reason = Some("tasks failed to start".into());
    let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
    let v = verdict(Some(&svc), Some(&tasks), None);
    assert_eq!(v.health, Health::Degraded);
    assert_eq!(v.reason, "deployment failed: tasks failed to start");
}

#[test]
fn each_target_group_is_judged_on_its_own() {
    let mut svc = service();
    svc.load_balancers.push(crate::model::LbBinding {
        target_group_arn: "arn:tg/admin-tg".into(),
        container_name: "goals-api".into(),
        container_port: 80,
    });
    let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
    let mut empty = tg(vec![]);
    empty.arn = "arn:tg/admin-tg".into();
    empty.name = "admin-tg".into();
    let groups = vec![tg(vec![target("10.0.1.5", "healthy", None)]), empty];
    let v = verdict(Some(&svc), Some(&tasks), Some(&groups));
    assert_eq!(v.health, Health::Degraded, "{v:?}");
    assert!(
        v.reason
            .contains("no healthy target in admin-tg (none registered)"),
        "{v:?}"
    );
}

#[test]
fn a_healthy_target_of_nobody_does_not_make_the_service_healthy() {
    let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
    let groups = vec![tg(vec![target("10.0.9.9", "healthy", None)])];
    let v = verdict(Some(&service()), Some(&tasks), Some(&groups));
    assert_eq!(v.health, Health::Down, "{v:?}");
    assert!(v.reason.contains("belong to none of them"), "{v:?}");
}

#[test]
fn without_the_tasks_ownership_is_unknown_never_down() {
    let groups = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
    let v = verdict(Some(&service()), None, Some(&groups));
    assert_eq!(v.health, Health::Unknown, "{v:?}");
}

fn probed(outcomes: &[(i64, u16)]) -> crate::model::probe::History {
    use chrono::TimeZone;
    let mut h = crate::model::probe::History::default();
    for (at, code) in outcomes {
        h.push(crate::model::probe::Sample {
            at: chrono::Utc
                .timestamp_opt(1_800_000_000 + at, 0)
                .single()
                .expect("valid"),
            outcome: crate::model::probe::Outcome::Http(*code),
            up: (200..300).contains(code),
            total_ms: 10,
            connect_ms: None,
            first_byte_ms: None,
            records: None,
            records_at_least: false,
            served_by: None,
            detail: None,
        });
    }
    h
}

#[test]
fn the_probe_turns_the_verdict_only_on_a_confirmed_outage() {
    let svc = service();
    let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
    let tgs = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
    let aws = verdict(Some(&svc), Some(&tasks), Some(&tgs));
    assert_eq!(aws.health, Health::Healthy);
    let two_s = std::time::Duration::from_secs(2);
    // One failed sample: the header stays as AWS says.
    let v = with_probe(aws.clone(), &probed(&[(0, 200), (1, 503)]), two_s);
    assert_eq!(v, aws);
    // Three in a row: DOWN, with the probe's reason first and AWS's kept.
    let v = with_probe(
        aws.clone(),
        &probed(&[(0, 200), (1, 503), (2, 503), (3, 503)]),
        two_s,
    );
    assert_eq!(v.health, Health::Down);
    assert!(
        v.reason
            .starts_with("probe 503 for 2 s — no healthy targets"),
        "{}",
        v.reason
    );
    assert!(v.reason.contains("AWS: 1/1 running"), "{}", v.reason);
    // An unexpected 404 is an answer, not an outage of the service.
    let v = with_probe(aws.clone(), &probed(&[(0, 404), (1, 404), (2, 404)]), two_s);
    assert_eq!(v.health, Health::Degraded);
    // Recovered: AWS's verdict again.
    let v = with_probe(
        aws.clone(),
        &probed(&[(0, 503), (1, 503), (2, 503), (3, 200)]),
        two_s,
    );
    assert_eq!(v, aws);
}

#[test]
fn a_200_while_aws_says_down_is_said_beside_it_never_instead() {
    let svc = service();
    let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
    let tgs = vec![tg(vec![target(
        "10.0.1.5",
        "unhealthy",
        Some("Target.Timeout"),
    )])];
    let aws = verdict(Some(&svc), Some(&tasks), Some(&tgs));
    assert_eq!(aws.health, Health::Down);
    let v = with_probe(aws, &probed(&[(0, 200)]), std::time::Duration::from_secs(2));
    assert_eq!(v.health, Health::Down);
    assert!(v.reason.contains("fails open"), "{}", v.reason);
}

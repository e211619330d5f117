//! `status` runs the dashboard's own update without a screen: the same
//! observations give the same verdict, warnings and joins.

use super::*;
use crate::model::Identity;
use crate::model::fixtures::*;
use crate::model::observe::Observation;

fn events() -> Vec<PollEvent> {
    let ok = |resource, obs| PollEvent {
        resource,
        at: ts(100).expect("time"),
        result: Ok(obs),
    };
    let a = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    let b = task("bbbb2222", "10.0.1.6", "RUNNING", "RUNNING");
    vec![
        ok(
            Resource::Identity,
            Observation::Identity(Identity {
                account: "123456789012".into(),
                arn: "arn:aws:sts::123456789012:assumed-role/ops/alice".into(),
            }),
        ),
        ok(Resource::Service, Observation::Service(Box::new(service()))),
        ok(Resource::TaskDefs, Observation::TaskDefs(vec![task_def()])),
        ok(Resource::Tasks, Observation::Tasks(vec![a, b])),
        ok(
            Resource::Targets,
            Observation::Targets(vec![tg(vec![
                target("10.0.1.5", "healthy", None),
                target("10.0.1.6", "draining", None),
            ])]),
        ),
        ok(Resource::Efs, Observation::Efs(vec![fs(&["us-east-1a"])])),
        ok(
            Resource::Metrics,
            Observation::Metrics(Box::new(metrics_reading(
                &[("aaaa1111", 600.0, 1..61)],
                ts(60).expect("time"),
                0..0,
            ))),
        ),
    ]
}

#[test]
fn status_and_the_dashboard_read_the_same_world_through_the_same_update() {
    let svc = ServiceRef {
        cluster: "goals-cluster".into(),
        service: "goals-service".into(),
    };
    let mut c = Collected::new(&svc, "us-east-1".into(), None);
    let mut dash = State::new(Context::new(svc.clone(), "us-east-1"), ts(100).expect("t"));
    for ev in events() {
        assert!(!c.complete(), "not before every resource is in");
        assert_eq!(c.take(ev.clone()), Taken::Kept);
        update(&mut dash, Msg::Poll(Box::new(ev)));
    }
    assert!(c.complete(), "missing: {:?}", c.missing());
    let snap = build(c, &svc, "us-east-1".into()).expect("a snapshot");
    assert_eq!(&snap.verdict, dash.verdict());
    // CPU and memory: the service's newest minute, each task's or why not.
    let cpu = snap.cpu.as_ref().expect("the service's cpu");
    assert_eq!(cpu.percent, 17.0);
    assert!(snap.metrics_reason.is_none());
    let a = &snap.task_metrics[0];
    assert_eq!(a.task, "aaaa1111");
    assert_eq!(a.memory_mib, Some(689.0));
    let mongo = a
        .containers
        .iter()
        .find(|c| c.name == "mongodb")
        .expect("mongodb");
    assert_eq!(mongo.memory_limit_mib, Some(1024));
    assert_eq!(mongo.memory_mib, Some(599.0));
    let b = &snap.task_metrics[1];
    assert!(b.cpu.is_none() && b.memory.is_none());
    assert!(
        b.reason
            .as_deref()
            .is_some_and(|r| r.contains("no Container Insights points")),
        "{:?}",
        b.reason
    );
    let json = serde_json::to_value(&snap).expect("json");
    assert_eq!(json["cpu"]["percent"], 17.0);
    assert!(json["task_metrics"][1]["cpu"].is_null());
    assert_eq!(snap.warnings, dash.warnings());
    assert!(
        snap.warnings
            .iter()
            .any(|w| w.tasks == ["aaaa1111", "bbbb2222"]),
        "two tasks up on one volume, named as data: {:?}",
        snap.warnings
    );
    let owners: Vec<Option<String>> = snap.targets.iter().map(|t| t.task.clone()).collect();
    assert_eq!(
        owners,
        vec![
            Some(crate::model::arn_tail(&dash.task_list()[0].arn).to_string()),
            Some(crate::model::arn_tail(&dash.task_list()[1].arn).to_string()),
        ]
    );
}

#[test]
fn a_failed_poll_ends_the_snapshot_with_its_error_but_the_identity_does_not() {
    use crate::model::error::ErrorKind;
    use crate::model::observe::Failure;
    let svc = ServiceRef {
        cluster: "goals-cluster".into(),
        service: "goals-service".into(),
    };
    let mut c = Collected::new(&svc, "us-east-1".into(), None);
    let fail = |resource, action: &str| PollEvent {
        resource,
        at: ts(100).expect("time"),
        result: Err(Failure {
            error: CloudError::new(ErrorKind::AccessDenied, action, "not authorized"),
            retry_in: Duration::from_secs(30),
        }),
    };
    assert_eq!(
        c.take(fail(Resource::Identity, "sts:GetCallerIdentity")),
        Taken::Kept
    );
    let Taken::Failed(e) = c.take(fail(Resource::Tasks, "ecs:DescribeTasks")) else {
        panic!("a denied call ends the snapshot at once")
    };
    assert_eq!(e.action, "ecs:DescribeTasks");
}

#[test]
fn a_throttle_or_a_5xx_is_tried_again_a_few_times_before_the_snapshot_fails() {
    use crate::model::error::ErrorKind;
    use crate::model::observe::Failure;
    let svc = ServiceRef {
        cluster: "goals-cluster".into(),
        service: "goals-service".into(),
    };
    let mut c = Collected::new(&svc, "us-east-1".into(), None);
    let fail = |kind, code: &str| {
        let mut error = CloudError::new(kind, "ecs:DescribeServices", "Rate exceeded");
        error.code = Some(code.into());
        PollEvent {
            resource: Resource::Service,
            at: ts(100).expect("time"),
            result: Err(Failure {
                error,
                retry_in: Duration::from_secs(30),
            }),
        }
    };
    // One throttle in a CI gate: tried again, and it passes.
    let throttled = || fail(ErrorKind::Throttled, "ThrottlingException");
    assert_eq!(c.take(throttled()), Taken::Retry(Duration::from_secs(1)));
    assert_eq!(
        c.take(fail(ErrorKind::Other, "ServerException")),
        Taken::Retry(Duration::from_secs(2)),
        "AWS's 5xx too"
    );
    let ok = PollEvent {
        resource: Resource::Service,
        at: ts(101).expect("time"),
        result: Ok(crate::model::observe::Observation::Service(Box::new(
            crate::model::fixtures::service(),
        ))),
    };
    assert_eq!(c.take(ok), Taken::Kept);
    // A throttle that does not pass: three more tries, then it says so.
    for wait in [1, 2, 4] {
        assert_eq!(c.take(throttled()), Taken::Retry(Duration::from_secs(wait)));
    }
    let Taken::Failed(e) = c.take(throttled()) else {
        panic!("gives up")
    };
    assert!(e.message.contains("after 4 tries"), "{}", e.message);
    assert_eq!(e.action, "ecs:DescribeServices");
}

use std::os::unix::fs::PermissionsExt;

use super::*;

#[tokio::test]
async fn a_session_without_an_operator_cannot_reach_stop_task_at_all() {
    use crate::cloud::Cloud;
    use crate::cloud::demo::{CLUSTER, DemoEnv, DemoOptions, SERVICE};
    let env = DemoEnv::start(DemoOptions::default()).await.expect("demo");
    let demo = std::sync::Arc::new(env.cloud());
    let cloud: std::sync::Arc<dyn Cloud> = demo.clone();
    let target = crate::model::ServiceRef {
        cluster: CLUSTER.into(),
        service: SERVICE.into(),
    };
    // As a read-only run builds it: no operator.
    let session = Session::start(
        cloud.clone(),
        target.clone(),
        crate::poll::Plan {
            refresh: std::time::Duration::from_secs(5),
            logs: false,
            probe: None,
        },
    );
    assert!(session.operator().is_none());
    let task = cloud.tasks(&target).await.expect("tasks")[0].arn.clone();
    let (tx, mut rx) = mpsc::channel(4);
    Effects::new(Links::of(&session), tx, None).run(Effect::StopTask {
        cluster: CLUSTER.into(),
        task_arn: task.clone(),
        reason: "x".into(),
    });
    let Some(Msg::Restarted(Err(e))) = rx.recv().await else {
        panic!("an answer")
    };
    assert!(e.message.contains("read-only"), "{e:?}");
    let stops = demo
        .api_calls_by()
        .into_iter()
        .find(|(api, _)| api == "ecs:StopTask");
    assert_eq!(stops, None, "StopTask never called");
    let t = cloud.tasks(&target).await.expect("tasks");
    assert!(t.iter().any(|t| t.arn == task && !t.is_leaving()));
}

#[tokio::test]
async fn saved_logs_are_owner_only_and_never_overwrite() {
    let dir = tempfile::tempdir().expect("tmp");
    let name = dir.path().join("ecsdeck-test.log");
    let name = name.to_str().expect("utf-8");
    let path = save(name, "line\n").await.expect("saved");
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    assert!(
        save(name, "again\n").await.is_err(),
        "an existing file is kept"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "line\n");
}

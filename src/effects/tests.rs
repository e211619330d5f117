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
            metrics: false,
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

/// An operator whose every call panics (a bug in ecsdeck or the SDK).
struct Panicking;

#[async_trait::async_trait]
impl Operate for Panicking {
    async fn stop_task_receipt(
        &self,
        _: &str,
        _: &str,
        _: &str,
    ) -> crate::cloud::CloudResult<crate::cloud::Receipt> {
        panic!("boom in stop_task")
    }
    async fn force_deployment_receipt(
        &self,
        _: &str,
        _: &str,
    ) -> crate::cloud::CloudResult<crate::cloud::Receipt> {
        panic!("boom in force_deployment")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_while_sending_a_restart_answers_outcome_unknown_and_never_hangs() {
    let (tx, mut rx) = mpsc::channel(4);
    let links = Links {
        cloud: None,
        operator: Some(Arc::new(Panicking)),
        target: crate::model::ServiceRef {
            cluster: "c".into(),
            service: "s".into(),
        },
        hurry: Hurry::default(),
        journal: None,
    };
    let mut fx = Effects::new(links, tx, None);
    fx.run(Effect::StopTask {
        cluster: "c".into(),
        task_arn: "t".into(),
        reason: "x".into(),
    });
    let answer = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("an answer, not silence");
    let Some(Msg::Restarted(Err(e))) = answer else {
        panic!("a failed restart: {answer:?}")
    };
    assert!(e.outcome_unknown(), "it may have been sent: {e:?}");
    assert!(e.message.contains("boom in stop_task"), "{e:?}");
    // The drill's restart: the drill hears of the panic and cleans up.
    fx.run(Effect::Drill(DrillEffect::Restart {
        cluster: "c".into(),
        service: "s".into(),
        tasks: Some(vec!["t".into()]),
        reason: "x".into(),
    }));
    let mut got = None;
    while let Ok(Some(m)) = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
        if let Msg::Drill(DrillMsg::Internal(p)) = m {
            got = Some(p);
            break;
        }
    }
    assert!(
        got.is_some_and(|p| p.contains("boom")),
        "DrillMsg::Internal"
    );
}

#[test]
fn a_copy_is_the_osc_52_sequence_of_the_text() {
    assert_eq!(super::osc52("abc"), "\x1b]52;c;YWJj\x07");
    assert_eq!(
        super::osc52("6299e51e9a1b4c5d"),
        "\x1b]52;c;NjI5OWU1MWU5YTFiNGM1ZA==\x07"
    );
}

/// `:` moved the session on: what the old runner still had under way (a
/// listing, a page of older logs) ends there and answers nobody.
#[tokio::test]
async fn a_stopped_runner_finishes_nothing_it_had_under_way() {
    use crate::app::Listed;
    use crate::cloud::demo::{DemoEnv, DemoOptions};
    let env = DemoEnv::start(DemoOptions::default()).await.expect("demo");
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud());
    let links = Links {
        cloud: None,
        operator: None,
        target: crate::model::ServiceRef {
            cluster: "c".into(),
            service: "s".into(),
        },
        hurry: Hurry::default(),
        journal: None,
    };
    // Going on: the two services, then the end.
    let (tx, mut rx) = mpsc::channel(8);
    let fx = Effects::new(links.clone(), tx, None);
    fx.list_services_of(cloud.clone(), 1, None);
    let first = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
    assert!(
        matches!(first, Ok(Some(Msg::Listed(1, Listed::Page(ref p)))) if p.len() == 2),
        "{first:?}"
    );
    // Stopped before it ran: nothing comes.
    let (tx, mut rx) = mpsc::channel(8);
    let fx = Effects::new(links, tx, None);
    fx.list_services_of(cloud, 2, None);
    fx.stop();
    let none = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await;
    assert!(!matches!(none, Ok(Some(_))), "{none:?}");
}

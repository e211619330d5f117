use super::*;
use std::os::unix::fs::PermissionsExt as _;
use std::sync::Mutex;

use crate::cloud::{CloudError, ErrorKind};
use crate::model::ServiceRef;

/// An operator that answers as it is told, with request ids.
struct Scripted {
    answers: Mutex<Vec<CloudResult<Receipt>>>,
}

#[async_trait]
impl Operate for Scripted {
    async fn stop_task_receipt(&self, _: &str, _: &str, _: &str) -> CloudResult<Receipt> {
        self.answers.lock().expect("lock").remove(0)
    }
    async fn force_deployment_receipt(&self, _: &str, _: &str) -> CloudResult<Receipt> {
        self.answers.lock().expect("lock").remove(0)
    }
}

fn refused() -> CloudError {
    let mut e = CloudError::new(
        ErrorKind::AccessDenied,
        "ecs:StopTask",
        "User: arn:aws:sts::123456789012:assumed-role/ops/alice is not authorized to perform: ecs:StopTask",
    );
    e.code = Some("AccessDeniedException".into());
    e.request_id = Some("req-refused".into());
    e
}

fn lost() -> CloudError {
    let mut e = CloudError::new(ErrorKind::Other, "ecs:UpdateService", "ServiceUnavailable");
    e.code = Some("ServiceUnavailableException".into());
    e
}

#[tokio::test]
async fn every_change_is_one_line_with_its_outcome_and_request_id_in_a_private_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir
        .path()
        .join("state")
        .join("ecsdeck")
        .join("journal.jsonl");
    let env = crate::cloud::demo::DemoEnv::start(Default::default())
        .await
        .expect("demo");
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud());
    let journal = Arc::new(Journal::new(
        Some(path.clone()),
        Some("ops".into()),
        cloud,
        ServiceRef {
            cluster: "goals-cluster".into(),
            service: "goals-service".into(),
        },
    ));
    let op = Journaled {
        inner: Arc::new(Scripted {
            answers: Mutex::new(vec![
                Ok(Receipt {
                    request_id: Some("req-ok".into()),
                }),
                Err(refused()),
                Err(lost()),
            ]),
        }),
        journal: journal.clone(),
    };
    op.stop_task(
        "goals-cluster",
        "arn:aws:ecs:us-east-1:1:task/goals-cluster/6299e51e",
        "restart from ecsdeck by alice",
    )
    .await
    .expect("ok");
    assert!(
        op.stop_task("goals-cluster", "arn:t2", "again")
            .await
            .is_err()
    );
    assert!(
        op.force_deployment("goals-cluster", "goals-service")
            .await
            .is_err()
    );
    journal
        .record(
            "drill_end",
            "ecsdeck-drill-1",
            None,
            ("PASS".into(), None),
            Some("cleanup: deleted".into()),
        )
        .await;

    let mode = std::fs::metadata(&path).expect("file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "owner only");
    let dir_mode = std::fs::metadata(path.parent().expect("dir"))
        .expect("dir")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
    let (entries, bad) = read(&path, None).expect("read");
    assert_eq!(bad, 0);
    assert_eq!(entries.len(), 4);
    let e = &entries[0];
    assert_eq!(e.action, "stop_task");
    assert_eq!(e.outcome, "ok");
    assert_eq!(e.request_id.as_deref(), Some("req-ok"));
    assert_eq!(e.reason.as_deref(), Some("restart from ecsdeck by alice"));
    assert_eq!(
        e.caller.as_deref(),
        Some("arn:aws:iam::000000000000:user/demo-operator")
    );
    assert_eq!(e.profile.as_deref(), Some("ops"));
    assert_eq!(
        (e.cluster.as_str(), e.service.as_str()),
        ("goals-cluster", "goals-service")
    );
    assert!(
        entries[1].outcome.starts_with("refused: ") && entries[1].outcome.contains("ecs:StopTask"),
        "{}",
        entries[1].outcome
    );
    assert_eq!(entries[1].request_id.as_deref(), Some("req-refused"));
    assert_eq!(entries[2].action, "force_deployment");
    assert!(
        entries[2].outcome.starts_with("unknown: "),
        "{}",
        entries[2].outcome
    );
    assert_eq!(entries[3].outcome, "PASS");
    // Reading from a time on leaves the older lines out.
    let later = entries[3].at + chrono::Duration::seconds(1);
    assert!(read(&path, Some(later)).expect("read").0.is_empty());
    let table = print(&entries, false);
    assert!(
        table.contains("stop_task") && table.contains("request req-ok"),
        "{table}"
    );
    let json = print(&entries, true);
    assert_eq!(json.lines().count(), 4);
}

#[test]
fn a_damaged_line_is_counted_not_fatal_and_no_file_is_an_empty_journal() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("journal.jsonl");
    assert_eq!(read(&path, None).expect("none yet").0.len(), 0);
    std::fs::write(&path, "{not json\n").expect("write");
    let (entries, bad) = read(&path, None).expect("read");
    assert!(entries.is_empty());
    assert_eq!(bad, 1);
}

#[test]
fn the_journal_is_never_written_through_a_symlink() {
    let dir = tempfile::tempdir().expect("tmp");
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, "").expect("write");
    let path = dir.path().join("journal.jsonl");
    std::os::unix::fs::symlink(&target, &path).expect("symlink");
    let e = Entry {
        at: crate::clock::now(),
        action: "stop_task".into(),
        caller: None,
        profile: None,
        region: "us-east-1".into(),
        cluster: "c".into(),
        service: "s".into(),
        target: "t".into(),
        reason: None,
        request_id: None,
        outcome: "ok".into(),
        detail: None,
    };
    assert!(append(&path, &e).is_err());
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "");
}

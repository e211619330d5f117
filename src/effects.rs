//! Runs what the reducer asks for. Work that takes time runs in a spawned
//! task and answers with a message, so keys are never kept waiting.

use tokio::sync::mpsc;

use crate::app::{Effect, Msg};
use crate::session::Session;

/// What the event loop does after an effect.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
}

pub fn run(effect: Effect, session: &Session, answers: &mpsc::Sender<Msg>) -> Next {
    match effect {
        Effect::Quit => return Next::Quit,
        Effect::RefreshNow => session.refresh(),
        Effect::StopTask {
            cluster,
            task_arn,
            reason,
        } => {
            let tx = answers.clone();
            let op = session.operator().cloned();
            session.hurry();
            tokio::spawn(async move {
                let r = match op {
                    Some(op) => op.stop_task(&cluster, &task_arn, &reason).await,
                    None => Err(read_only("ecs:StopTask")),
                };
                let _ = tx.send(Msg::Restarted(r)).await;
            });
        }
        Effect::ForceDeployment { cluster, service } => {
            let tx = answers.clone();
            let op = session.operator().cloned();
            session.hurry();
            tokio::spawn(async move {
                let r = match op {
                    Some(op) => op.force_deployment(&cluster, &service).await,
                    None => Err(read_only("ecs:UpdateService")),
                };
                let _ = tx.send(Msg::Restarted(r)).await;
            });
        }
        Effect::SaveLogs { name, contents } => {
            let tx = answers.clone();
            tokio::spawn(async move {
                let _ = tx.send(Msg::LogsSaved(save(&name, &contents).await)).await;
            });
        }
    }
    Next::Continue
}

/// A session without an operator cannot change anything.
fn read_only(action: &str) -> crate::cloud::CloudError {
    crate::cloud::CloudError::new(
        crate::cloud::ErrorKind::Other,
        action,
        "this session is read-only: it holds no way to change AWS",
    )
}

/// Writes a new file in the working directory; never overwrites one.
async fn save(name: &str, contents: &str) -> Result<String, String> {
    use tokio::io::AsyncWriteExt;
    let dir = std::env::current_dir().map_err(|e| e.to_string())?;
    let path = dir.join(name);
    // Logs can hold what the service must keep private: owner-only.
    let mut f = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(contents.as_bytes())
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

#[cfg(test)]
mod tests {
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
        run(
            Effect::StopTask {
                cluster: CLUSTER.into(),
                task_arn: task.clone(),
                reason: "x".into(),
            },
            &session,
            &tx,
        );
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
}

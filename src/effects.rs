//! Runs what the reducer asks for. Work that takes time runs in a spawned
//! task and answers with a message, so keys are never kept waiting.

use tokio::sync::{mpsc, oneshot};

use crate::app::drill::DrillMsg;
use crate::app::{Effect, Msg};
use crate::drill::machine::RestartKind;
use crate::drill::report::write_pair;
use crate::drill::run::{Links, Options, Progress, run as run_drill};
use crate::model::observe::PollEvent;
use crate::session::Session;

/// What the event loop does after an effect.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
}

/// What the dashboard needs to run a drill, and the running one's links.
#[derive(Default)]
pub struct DrillHost {
    /// None: the drill cannot run here (read-only, or no probe).
    pub setup: Option<DrillSetup>,
    feed: Option<mpsc::Sender<PollEvent>>,
    cancel: Option<oneshot::Sender<()>>,
}

#[derive(Clone)]
pub struct DrillSetup {
    pub timeout: std::time::Duration,
    pub contract: crate::model::drill::Contract,
    pub probe: crate::model::probe::ProbeConfig,
    pub redact: bool,
    /// Where the report files go (the working directory).
    pub dir: std::path::PathBuf,
}

impl DrillHost {
    pub fn new(setup: Option<DrillSetup>) -> DrillHost {
        DrillHost {
            setup,
            feed: None,
            cancel: None,
        }
    }

    /// Hands an observation of the dashboard's session to the running
    /// drill, which sees the same polls (nothing is polled twice).
    pub fn forward(&mut self, ev: &PollEvent) {
        if let Some(tx) = &self.feed {
            match tx.try_send(ev.clone()) {
                Ok(()) => {}
                // The next poll brings the same facts again.
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!("drill feed full: an observation skipped");
                }
                Err(mpsc::error::TrySendError::Closed(_)) => self.feed = None,
            }
        }
    }

    fn start(
        &mut self,
        restart: RestartKind,
        caller: Option<String>,
        session: &Session,
        answers: &mpsc::Sender<Msg>,
    ) {
        let fail = |why: String| {
            let tx = answers.clone();
            tokio::spawn(async move {
                let _ = tx.send(Msg::Drill(DrillMsg::Failed(why))).await;
            });
        };
        let (Some(setup), Some(links)) = (self.setup.clone(), Links::of(session)) else {
            return fail("this run cannot change AWS (read-only, or the probe is off)".into());
        };
        if self.feed.as_ref().is_some_and(|f| !f.is_closed()) {
            return fail("a drill is already running".into());
        }
        let (feed_tx, mut feed_rx) = mpsc::channel::<PollEvent>(256);
        let (cancel_tx, cancel_rx) = oneshot::channel::<()>();
        self.feed = Some(feed_tx);
        self.cancel = Some(cancel_tx);
        // The session's pollers run at the dashboard's refresh: poll fast
        // from now, not from the restart on.
        links.hurry.now();
        let tx = answers.clone();
        tokio::spawn(async move {
            let opts = Options {
                restart,
                timeout: setup.timeout,
                contract: setup.contract,
                probe: setup.probe,
                redact: setup.redact,
                caller,
                // The dashboard polled it long before.
                wait_for_identity: false,
                confirm: None,
            };
            let progress = tx.clone();
            let on = move |p: Progress<'_>| {
                let m = match p {
                    Progress::Line(_) => return,
                    Progress::State(d) => DrillMsg::State(Box::new(d.clone())),
                    Progress::Requested(t, at) => DrillMsg::Requested(t.map(String::from), at),
                };
                // A full channel only drops a state the next one replaces;
                // a restart request always gets through.
                if progress.try_send(Msg::Drill(m.clone())).is_err()
                    && matches!(m, DrillMsg::Requested(..))
                {
                    let progress = progress.clone();
                    tokio::spawn(async move {
                        let _ = progress.send(Msg::Drill(m)).await;
                    });
                }
            };
            let cancel = async move {
                // Only a sent cancel counts; a dropped sender is no Esc.
                if cancel_rx.await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            let msg = match run_drill(&mut feed_rx, links, opts, on, cancel).await {
                Ok(report) => {
                    let masked = report.redaction(setup.redact).map(String::from);
                    let dir = setup.dir.clone();
                    let r = report.clone();
                    let files = tokio::task::spawn_blocking(move || {
                        write_pair(&r, &dir, masked.as_deref())
                    })
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|x| x)
                    .map(|v| v.iter().map(|p| p.display().to_string()).collect());
                    DrillMsg::Finished {
                        report: Box::new(report),
                        files,
                    }
                }
                Err(e) => DrillMsg::Failed(e),
            };
            let _ = tx.send(Msg::Drill(msg)).await;
        });
    }
}

pub fn run(
    effect: Effect,
    session: &Session,
    answers: &mpsc::Sender<Msg>,
    drill: &mut DrillHost,
) -> Next {
    match effect {
        Effect::StartDrill { restart, caller } => drill.start(restart, caller, session, answers),
        Effect::CancelDrill => {
            if let Some(c) = drill.cancel.take() {
                let _ = c.send(());
            }
        }
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
            &mut DrillHost::default(),
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

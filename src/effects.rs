//! Runs what the reducer asks for. Work that takes time runs in a spawned
//! task and answers with a message, so keys are never kept waiting. The
//! dashboard, `status` and `ecsdeck drill` share this runner.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::drill::{DrillEffect, DrillMsg};
use crate::app::{Effect, Msg};
use crate::cloud::{Cloud, CloudError, ErrorKind, Operate};
use crate::drill::api::{Api, new_marker};
use crate::model::ServiceRef;
use crate::model::drill::Contract;
use crate::model::drill::report::{Report, rfc3339};
use crate::model::probe::ProbeConfig;
use crate::poll::Hurry;
use crate::poll::runner::contained;
use crate::session::Session;

/// What the event loop does after an effect.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
    /// Hand the terminal to this shell: only the event loop that owns the
    /// terminal can.
    Exec(crate::model::exec::Plan),
    /// Start the session again on this service: the event loop owns it.
    Switch(crate::model::ServiceRef),
    /// Open AWS with another profile or region, for the picker: the event
    /// loop keeps what it opens until a service is chosen.
    Connect(u64, Option<String>, Option<String>),
}

/// What effects act through.
#[derive(Clone)]
pub struct Links {
    /// The backend, for its counters and clock offset.
    pub cloud: Option<Arc<dyn Cloud>>,
    /// The half that changes things; a read-only run has none.
    pub operator: Option<Arc<dyn Operate>>,
    pub target: ServiceRef,
    /// The session's pollers: poll now, or fast for a while.
    pub hurry: Hurry,
    /// Where the drill's start and end are journaled; None: nowhere.
    pub journal: Option<Arc<crate::journal::Journal>>,
}

impl Links {
    pub fn of(session: &Session) -> Links {
        Links {
            cloud: Some(session.cloud().clone()),
            operator: session.operator().cloned(),
            target: session.target().clone(),
            hurry: session.hurry_handle(),
            journal: session.journal().cloned(),
        }
    }
}

/// What the drill's HTTP needs, and where its report files go.
#[derive(Clone)]
pub struct DrillSetup {
    pub contract: Contract,
    pub probe: ProbeConfig,
    pub redact: bool,
    /// Where the dashboard writes the report pair (the working
    /// directory); None: the caller writes what it wants (`--report`).
    pub dir: Option<std::path::PathBuf>,
    /// The drills' history (`drill::history::default_path()`); None: none
    /// kept (tests).
    pub history: Option<std::path::PathBuf>,
    /// The report file the caller writes (`--report`), for the history.
    pub report_file: Option<std::path::PathBuf>,
}

pub struct Effects {
    links: Links,
    answers: mpsc::Sender<Msg>,
    /// None: the drill cannot run here (read-only, or no probe).
    drill: Option<DrillSetup>,
    /// The backend's calls when the drill began.
    calls_before: Option<u64>,
    /// The drill's HTTP client, for the base URL it was made for.
    api: Option<(String, Arc<Api>)>,
    /// Ends the work still under way (`stop`).
    stop: tokio_util::sync::CancellationToken,
}

impl Effects {
    pub fn new(links: Links, answers: mpsc::Sender<Msg>, drill: Option<DrillSetup>) -> Effects {
        Effects {
            links,
            answers,
            drill,
            calls_before: None,
            api: None,
            stop: tokio_util::sync::CancellationToken::new(),
        }
    }

    /// Runs `work` in a task of its own and sends its answer. A panic in
    /// it sends `on_panic(message)` instead: the reducer always hears
    /// back, so no dialog waits for ever and a drill cleans up.
    fn spawn_answer<F>(&self, work: F, on_panic: impl FnOnce(String) -> Msg + Send + 'static)
    where
        F: Future<Output = Msg> + Send + 'static,
    {
        let tx = self.answers.clone();
        let stop = self.stop.clone();
        tokio::spawn(async move {
            let work = async {
                contained(work).await.unwrap_or_else(|p| {
                    tracing::error!(panic = %p, "an effect panicked");
                    on_panic(p)
                })
            };
            tokio::select! {
                msg = work => {
                    let _ = tx.send(msg).await;
                }
                () = stop.cancelled() => {}
            }
        });
    }

    /// Ends the work still under way: the session moved to another
    /// service, and a page of older logs or a listing is for nobody now.
    /// (Nothing that changes AWS is under way then: a drill or a restart
    /// awaiting its answer holds the switch.)
    pub fn stop(&self) {
        self.stop.cancel();
    }

    /// Answers `msg` from a task of its own.
    fn answer(&self, msg: Msg) {
        let tx = self.answers.clone();
        tokio::spawn(async move {
            let _ = tx.send(msg).await;
        });
    }

    /// Lists the services for `:`, a page at a time. Where
    /// `ecs:ListClusters` is refused (a policy scoped to one cluster),
    /// the cluster watched is listed alone, and the picker says so.
    fn list_services(&self, n: u64, cluster: String) {
        if let Some(cloud) = self.links.cloud.clone() {
            self.list_services_of(cloud, n, Some(cluster));
        }
    }

    /// Lists `cloud`'s services for the picker (listing `n`); when
    /// `ecs:ListClusters` is refused, `cluster` alone, if one is known.
    pub fn list_services_of(&self, cloud: Arc<dyn Cloud>, n: u64, cluster: Option<String>) {
        use crate::app::Listed;
        let answers = self.answers.clone();
        let stop = self.stop.clone();
        tokio::spawn(stop.run_until_cancelled_owned(async move {
            let (tx, mut rx) = mpsc::unbounded_channel();
            let forward = {
                let answers = answers.clone();
                async move {
                    while let Some(page) = rx.recv().await {
                        if answers
                            .send(Msg::Listed(n, Listed::Page(page)))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
            };
            let list = async move {
                let r = match (cloud.list_services_each(None, &tx).await, cluster) {
                    (Err(e), Some(cluster)) if e.action == "ecs:ListClusters" => cloud
                        .list_services_each(Some(&cluster), &tx)
                        .await
                        .map(|()| {
                            Some(format!(
                                "ecs:ListClusters is not allowed: cluster {cluster} only ({})",
                                e.code.as_deref().unwrap_or("refused")
                            ))
                        }),
                    (r, _) => r.map(|()| None),
                };
                drop(tx);
                r
            };
            let (r, ()) = tokio::join!(list, forward);
            let note = r.unwrap_or_else(|e| Some(format!("not everything could be listed: {e}")));
            let _ = answers.send(Msg::Listed(n, Listed::Done(note))).await;
        }));
    }

    pub fn run(&mut self, effect: Effect) -> Next {
        match effect {
            Effect::Quit => return Next::Quit,
            Effect::Exec(plan) => return Next::Exec(plan),
            Effect::SwitchTo(s) => return Next::Switch(s),
            Effect::Connect(n, profile, region) => return Next::Connect(n, profile, region),
            Effect::ListProfiles(n) => {
                let answers = self.answers.clone();
                tokio::spawn(async move {
                    use crate::app::Listed;
                    let names = tokio::task::spawn_blocking(crate::cloud::aws::profiles::list)
                        .await
                        .unwrap_or_default();
                    let _ = answers.send(Msg::Listed(n, Listed::Names(names))).await;
                });
            }
            Effect::ListServices(n, cluster) => self.list_services(n, cluster),
            Effect::RefreshNow => self.links.hurry.refresh(),
            Effect::StopTask {
                cluster,
                task_arn,
                reason,
            } => {
                let op = self.links.operator.clone();
                self.links.hurry.now();
                self.spawn_answer(
                    async move {
                        Msg::Restarted(match op {
                            Some(op) => op.stop_task(&cluster, &task_arn, &reason).await,
                            None => Err(read_only("ecs:StopTask")),
                        })
                    },
                    |p| Msg::Restarted(Err(internal("ecs:StopTask", &p))),
                );
            }
            Effect::ForceDeployment { cluster, service } => {
                let op = self.links.operator.clone();
                self.links.hurry.now();
                self.spawn_answer(
                    async move {
                        Msg::Restarted(match op {
                            Some(op) => op.force_deployment(&cluster, &service).await,
                            None => Err(read_only("ecs:UpdateService")),
                        })
                    },
                    |p| Msg::Restarted(Err(internal("ecs:UpdateService", &p))),
                );
            }
            Effect::SaveLogs { name, contents } => {
                self.spawn_answer(
                    async move { Msg::LogsSaved(save(&name, &contents).await) },
                    |p| Msg::LogsSaved(Err(format!("internal error in ecsdeck ({p})"))),
                );
            }
            Effect::Drill(d) => self.drill(d),
            Effect::Copy(text) => {
                use std::io::Write as _;
                // Drawn around, not through: the sequence moves no cursor.
                let mut out = std::io::stdout();
                let _ = out
                    .write_all(osc52(&text).as_bytes())
                    .and_then(|()| out.flush());
            }
            Effect::LoadHistory(ask) => {
                let cloud = self.links.cloud.clone();
                let (from, to, limit) = (ask.from, ask.to, ask.limit);
                let failed = move |e: CloudError| {
                    Msg::History(Box::new(crate::model::logs::History {
                        asked: (from, to),
                        limit,
                        from,
                        narrowed: None,
                        batches: Vec::new(),
                        lines: 0,
                        calls: 0,
                        hole: None,
                        error: Some(e),
                    }))
                };
                let failed2 = failed;
                self.spawn_answer(
                    async move {
                        match cloud {
                            Some(c) => Msg::History(Box::new(
                                crate::logfollow::history::load(&*c, &ask).await,
                            )),
                            None => failed(CloudError::new(
                                ErrorKind::Other,
                                "logs:FilterLogEvents",
                                "no AWS connection in this run",
                            )),
                        }
                    },
                    move |p| {
                        failed2(CloudError::new(
                            ErrorKind::Other,
                            "logs:FilterLogEvents",
                            format!("internal error in ecsdeck ({p})"),
                        ))
                    },
                );
            }
        }
        Next::Continue
    }

    /// The drill's HTTP client for `base`, made once.
    fn api(&mut self, base: &str) -> Result<Arc<Api>, String> {
        if let Some((b, api)) = &self.api
            && b == base
        {
            return Ok(api.clone());
        }
        let setup = self.drill.as_ref().ok_or("the drill is not set up")?;
        let api = Arc::new(Api::new(base, &setup.probe, setup.contract.clone())?);
        self.api = Some((base.to_string(), api.clone()));
        Ok(api)
    }

    fn drill(&mut self, effect: DrillEffect) {
        let tx = self.answers.clone();
        let send = |m: DrillMsg| Msg::Drill(m);
        match effect {
            DrillEffect::Begin => {
                if self.drill.is_none() || self.links.operator.is_none() {
                    return self.answer(send(DrillMsg::Failed(
                        "this run cannot change AWS (read-only, or the probe is off)".into(),
                    )));
                }
                self.calls_before = self.links.cloud.as_ref().map(|c| c.api_calls());
                self.api = None;
                // The pollers run at the dashboard's refresh: poll fast
                // from now, not from the restart on.
                self.links.hurry.now();
                let marker = new_marker();
                if let Some(j) = self.links.journal.clone() {
                    let m = marker.clone();
                    tokio::spawn(async move { journal_start(&j, &m).await });
                }
                self.answer(send(DrillMsg::Begun {
                    marker,
                    at: crate::clock::now(),
                    clock_offset_s: self.links.cloud.as_ref().and_then(|c| c.clock_offset_s()),
                }));
            }
            DrillEffect::Hold => self.links.hurry.keep(),
            DrillEffect::Relax => self.links.hurry.relax(Duration::from_secs(3)),
            DrillEffect::Read {
                base,
                marker,
                again,
            } => match self.api(&base) {
                Ok(api) => self.spawn_answer(
                    async move {
                        if again {
                            tokio::time::sleep(Duration::from_secs(2)).await;
                        }
                        let result = api.read(&marker).await;
                        send(DrillMsg::Read {
                            result,
                            at: crate::clock::now(),
                        })
                    },
                    move |p| send(DrillMsg::Internal(p)),
                ),
                Err(e) => self.answer(send(DrillMsg::Failed(e))),
            },
            DrillEffect::Write { base, marker } => match self.api(&base) {
                Ok(api) => self.spawn_answer(
                    async move { send(DrillMsg::Written(api.write(&marker).await)) },
                    move |p| send(DrillMsg::Internal(p)),
                ),
                Err(e) => self.answer(send(DrillMsg::Failed(e))),
            },
            DrillEffect::Delete { base, id, wait } => match self.api(&base) {
                Ok(api) => self.spawn_answer(
                    async move { send(DrillMsg::Deleted(api.delete_patiently(&id, wait).await)) },
                    move |p| {
                        send(DrillMsg::Deleted(Err(format!(
                            "internal error in ecsdeck ({p})"
                        ))))
                    },
                ),
                Err(e) => self.answer(send(DrillMsg::Deleted(Err(e)))),
            },
            DrillEffect::Restart {
                cluster,
                service,
                tasks,
                reason,
            } => {
                self.links.hurry.now();
                let op = self.links.operator.clone();
                self.spawn_answer(
                    async move {
                        let r = match op {
                            Some(op) => {
                                restart(&*op, &tx, &cluster, &service, tasks, &reason).await
                            }
                            None => Err(read_only("ecs:StopTask")),
                        };
                        send(DrillMsg::Restarted(r))
                    },
                    move |p| send(DrillMsg::Internal(p)),
                );
            }
            DrillEffect::Finish(report) => self.finish(report),
        }
    }

    /// The drill's end: its figures filled in, then journaled and its
    /// report pair written, off the loop.
    fn finish(&mut self, mut report: Box<Report>) {
        let send = |m: DrillMsg| Msg::Drill(m);
        let cloud = self.links.cloud.clone();
        if let (Some(c), Some(before)) = (&cloud, self.calls_before) {
            report.aws_calls = Some(c.api_calls().saturating_sub(before));
        }
        report.clock_offset_s = cloud.as_ref().and_then(|c| c.clock_offset_s());
        report.ended_at = rfc3339(crate::clock::now());
        let dir = self
            .drill
            .as_ref()
            .and_then(|s| Some((s.dir.clone()?, s.redact)));
        let kept = report.clone();
        let journal = self.links.journal.clone();
        let history = self.drill.as_ref().and_then(|s| s.history.clone());
        let named = self.drill.as_ref().and_then(|s| s.report_file.clone());
        self.spawn_answer(
            async move {
                if let Some(j) = journal {
                    journal_end(&j, &report).await;
                }
                // Held against the service's earlier drills before the
                // report is written: a regression is in its notes.
                if let Some(h) = history.clone() {
                    let past = tokio::task::spawn_blocking(move || crate::drill::history::load(&h))
                        .await
                        .unwrap_or_default();
                    report
                        .notes
                        .extend(crate::model::drill::history::regression(&report, &past));
                    report.history = crate::model::drill::history::recent(&report, &past);
                }
                let files = match dir {
                    Some((dir, redact)) => write_files(&report, dir, redact).await,
                    None => Ok(Vec::new()),
                };
                if let Some(h) = history {
                    let mut written = files.clone().unwrap_or_default();
                    written.extend(named.map(|p| p.display().to_string()));
                    let past = crate::model::drill::history::Past::of(&report, written);
                    let kept = tokio::task::spawn_blocking(move || {
                        crate::drill::history::record(&h, &past)
                    })
                    .await;
                    if let Ok(Err(e)) = kept {
                        tracing::warn!(error = %e, "the drills' history could not be written");
                    }
                }
                send(DrillMsg::Finished { report, files })
            },
            move |p| {
                send(DrillMsg::Finished {
                    report: kept,
                    files: Err(format!("internal error in ecsdeck ({p})")),
                })
            },
        );
    }
}

/// The OSC 52 sequence that puts `text` on the terminal's clipboard.
pub fn osc52(text: &str) -> String {
    use base64::Engine as _;
    format!(
        "\x1b]52;c;{}\x07",
        base64::engine::general_purpose::STANDARD.encode(text)
    )
}

/// A panic while a restart was being sent: it may or may not have gone
/// out, so its outcome is unknown (no code), never a refusal.
fn internal(action: &str, panic: &str) -> CloudError {
    CloudError::new(
        ErrorKind::Other,
        action,
        format!("internal error in ecsdeck ({panic}); it may have been sent"),
    )
}

/// A session without an operator cannot change anything.
fn read_only(action: &str) -> CloudError {
    let mut e = CloudError::new(
        ErrorKind::Other,
        action,
        "this session is read-only: it holds no way to change AWS",
    );
    // Refused here, never sent: not an outcome to wonder about.
    e.code = Some("ReadOnly".into());
    e
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
    // tokio's File hands the write to a blocking thread: until flushed it
    // may still be in flight, and the file read back (or left at exit)
    // empty.
    f.flush()
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

mod drill;
use drill::{journal_end, journal_start, restart, write_files};

#[cfg(test)]
mod tests;

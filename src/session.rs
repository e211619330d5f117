//! The session core, one per run: the backend, the pollers and the channel
//! their observations arrive on. The dashboard, `status` and `ecsdeck
//! drill` are its consumers; nothing polls twice.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::cloud::{Cloud, CloudError, ErrorKind, Operate};
use crate::model::ServiceRef;
use crate::model::observe::{Counters, Failure, PollEvent, Resource};
use crate::poll::{self, Plan, Pollers};

pub struct Session {
    cloud: Arc<dyn Cloud>,
    target: ServiceRef,
    pollers: Pollers,
    rx: mpsc::Receiver<PollEvent>,
    /// Holds a given probe URL (the probe's input never changes).
    _probe_url: Option<watch::Sender<Option<String>>>,
    /// The half that changes things; a read-only session has none.
    operator: Option<Arc<dyn Operate>>,
    journal: Option<Arc<crate::journal::Journal>>,
    /// What the session was started with, to start it again on another
    /// service: the plan, the operate half before the journal wrapped
    /// it, and where the journal goes with which profile.
    plan: Plan,
    bare_operator: Option<Arc<dyn Operate>>,
    journal_at: Option<(Option<std::path::PathBuf>, Option<String>)>,
    /// When the session next tells its counters.
    counters: tokio::time::Interval,
}

/// Another AWS profile or region to move a session to (`:`, Tab).
pub struct Backend {
    pub cloud: Arc<dyn Cloud>,
    /// Its operate half; used only when the session had one.
    pub operator: Option<Arc<dyn Operate>>,
    pub profile: Option<String>,
    pub region: String,
}

/// What a session tells its consumer: an observation, or its counters.
#[derive(Debug)]
pub enum Event {
    Poll(PollEvent),
    Counters(Counters),
}

impl Session {
    /// Starts the pollers of `plan` against `target`, and the probe: at
    /// the URL given, or at the one the pollers find from the load
    /// balancer.
    pub fn start(cloud: Arc<dyn Cloud>, target: ServiceRef, plan: Plan) -> Session {
        let (tx, rx) = mpsc::channel(64);
        let probe = plan.probe.clone();
        let pollers = poll::spawn(cloud.clone(), target.clone(), plan.clone(), tx.clone());
        let mut given = None;
        if let Some(cfg) = probe {
            let url = match &cfg.info.url {
                Some(u) => {
                    let (url_tx, url_rx) = watch::channel(Some(u.clone()));
                    given = Some(url_tx);
                    url_rx
                }
                None => pollers.probe_url(),
            };
            match crate::probe::Prober::new(cfg) {
                Ok(p) => crate::probe::spawn(&pollers.sibling(), p, url, tx),
                Err(e) => {
                    let _ = tx.try_send(PollEvent {
                        resource: Resource::Probe,
                        at: crate::clock::now(),
                        result: Err(Failure {
                            error: CloudError::new(ErrorKind::Other, "ecsdeck probe", e),
                            retry_in: Duration::ZERO,
                        }),
                    });
                }
            }
        }
        Session {
            cloud,
            target,
            pollers,
            rx,
            _probe_url: given,
            operator: None,
            journal: None,
            plan,
            bare_operator: None,
            journal_at: None,
            counters: {
                let mut i = tokio::time::interval(Duration::from_secs(1));
                i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                i
            },
        }
    }

    /// Gives the session the power to change things (StopTask,
    /// UpdateService). A read-only run never calls this.
    pub fn with_operator(mut self, op: Arc<dyn Operate>) -> Session {
        self.bare_operator = Some(op.clone());
        self.operator = Some(op);
        self
    }

    /// The same session on another service: the pollers, the logs and
    /// the probe of this one stop before those of `target` start; the
    /// operate half and the journal follow. A probe URL that was given
    /// was this service's: the new one's is found from its load balancer.
    /// Returns the session, and whether a given probe URL was dropped.
    pub fn switch(self, target: ServiceRef, backend: Option<Backend>) -> (Session, bool) {
        let Session {
            mut cloud,
            mut plan,
            mut bare_operator,
            mut journal_at,
            pollers,
            rx,
            _probe_url,
            ..
        } = self;
        drop((pollers, rx, _probe_url));
        if let Some(b) = backend {
            cloud = b.cloud;
            // A read-only session stays read-only in the other account.
            bare_operator = bare_operator.and(b.operator);
            if let Some((_, profile)) = journal_at.as_mut() {
                *profile = b.profile;
            }
        }
        let given = plan
            .probe
            .as_mut()
            .is_some_and(|p| p.info.url.take().is_some());
        let mut next = Session::start(cloud, target, plan);
        if let Some(op) = bare_operator {
            next = next.with_operator(op);
        }
        if let Some((path, profile)) = journal_at {
            next = next.with_journal(path, profile);
        }
        (next, given)
    }

    /// Journals every change the operator sends, and the drill's start
    /// and end, to `path` (`journal::default_path()`).
    pub fn with_journal(
        mut self,
        path: Option<std::path::PathBuf>,
        profile: Option<String>,
    ) -> Session {
        self.journal_at = Some((path.clone(), profile.clone()));
        let journal = Arc::new(crate::journal::Journal::new(
            path,
            profile,
            self.cloud.clone(),
            self.target.clone(),
        ));
        if let Some(op) = self.operator.take() {
            self.operator = Some(Arc::new(crate::journal::Journaled {
                inner: op,
                journal: journal.clone(),
            }));
        }
        self.journal = Some(journal);
        self
    }

    /// The session's journal, when it keeps one.
    pub fn journal(&self) -> Option<&Arc<crate::journal::Journal>> {
        self.journal.as_ref()
    }

    /// The operate half, when the session has one.
    pub fn operator(&self) -> Option<&Arc<dyn Operate>> {
        self.operator.as_ref()
    }

    /// The next observation, in arrival order. Cancel-safe, so it can sit
    /// in a `select!` beside the keys.
    pub async fn next(&mut self) -> Option<PollEvent> {
        self.rx.recv().await
    }

    /// The next observation, or the session's counters once a second (the
    /// call rate, the APIs slowed down, the cadence). Cancel-safe.
    pub async fn next_event(&mut self) -> Option<Event> {
        tokio::select! {
            ev = self.rx.recv() => ev.map(Event::Poll),
            _ = self.counters.tick() => Some(Event::Counters(Counters {
                at: crate::clock::now(),
                calls: self.cloud.api_calls(),
                by_api: self.cloud.api_calls_by(),
                slowed: self.pollers.slowed(),
                cadence: self.pollers.cadence(),
                paused: self.pollers.paused(),
            })),
        }
    }

    /// The next observation, or None after `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<PollEvent> {
        tokio::time::timeout(wait, self.rx.recv())
            .await
            .ok()
            .flatten()
    }

    /// Poll everything now.
    pub fn refresh(&self) {
        self.pollers.refresh();
    }

    /// Something is about to change (a restart was sent): poll the
    /// service, tasks and targets fast for a while, and now.
    pub fn hurry(&self) {
        self.pollers.hurry();
        self.pollers.refresh();
    }

    /// Hurries these pollers from another task (the dashboard's drill).
    pub fn hurry_handle(&self) -> crate::poll::Hurry {
        self.pollers.hurry_handle()
    }

    pub fn cloud(&self) -> &Arc<dyn Cloud> {
        &self.cloud
    }

    pub fn target(&self) -> &ServiceRef {
        &self.target
    }

    /// How often the service, tasks and targets are polled now.
    pub fn cadence(&self) -> Duration {
        self.pollers.cadence()
    }

    /// The APIs being slowed down because AWS throttles them.
    pub fn slowed(&self) -> Vec<crate::model::observe::Slowed> {
        self.pollers.slowed()
    }

    /// The backend's running totals per API.
    pub fn api_calls_by(&self) -> Vec<(String, u64)> {
        self.cloud.api_calls_by()
    }

    /// The backend's running total of API calls.
    pub fn api_calls(&self) -> u64 {
        self.cloud.api_calls()
    }
}

//! The scheduler: launches tasks to the desired count, moves each through
//! ECS's phases, starts and stops their API servers, and drains targets.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::cloud::demo::lock;

impl World {
    fn launch(&mut self) {
        let id = uuid_hex();
        let az_index = self.tasks.len() % AZS.len();
        let host = self.next_host;
        self.next_host = if host >= 250 { 10 } else { host + 23 };
        let data_dir = if self.fresh_volume {
            self.data_root.join(format!("task-{id}"))
        } else {
            self.data_root.join("efs")
        };
        self.event(format!("has started 1 tasks: (task {id})."));
        self.tasks.push(SimTask {
            deployment: self.deployment.clone(),
            id,
            az: AZS[az_index],
            ip: format!("10.0.{}.{host}", az_index + 1),
            phase: Phase::Provisioning,
            since: self.clock.now(),
            desired_stopped: false,
            created_at: self.clock.utc(),
            started_at: None,
            pull_started_at: None,
            pull_stopped_at: None,
            stopping_at: None,
            stopped_at: None,
            stop_code: None,
            stopped_reason: None,
            server: None,
            starting_server: false,
            api_health: "UNKNOWN",
            api_fails: 0,
            running_since: None,
            data_dir,
            crash: None,
        });
        self.steady_said = false;
    }

    pub fn set_desired(&mut self, n: u32) {
        self.desired = i32::try_from(n).unwrap_or(1);
    }

    /// The service as an operator finds it when opening the dashboard:
    /// one task up for a while, healthy, its target healthy. Returns the
    /// task's id and data directory, for its API server (`seeded`).
    pub fn seed(&mut self) -> (String, PathBuf) {
        self.launch();
        let now = self.clock.now();
        let utc = self.clock.utc();
        let ago = |s: i64| utc - chrono::Duration::seconds(s);
        let t = self.tasks.last_mut().expect("just launched");
        t.phase = Phase::Running;
        t.since = now;
        t.created_at = ago(95);
        t.started_at = Some(ago(60));
        t.running_since = now.checked_sub(MONGO_READY).or(Some(now));
        t.api_health = "HEALTHY";
        let (id, ip, dir) = (t.id.clone(), t.ip.clone(), t.data_dir.clone());
        self.events.clear();
        for (secs, message) in [
            (95, format!("has started 1 tasks: (task {id}).")),
            (
                60,
                "registered 1 targets in (target-group goals-tg)".to_string(),
            ),
            (50, "has reached a steady state.".to_string()),
        ] {
            self.event_seq += 1;
            self.events.push_front(ServiceEvent {
                id: format!("demo-event-{}", self.event_seq),
                at: Some(ago(secs)),
                message: format!("(service {SERVICE}) {message}"),
            });
        }
        self.steady_said = true;
        self.targets.push(SimTarget {
            task_id: id.clone(),
            ip,
            state: TargetState::Healthy,
            reason: None,
            ok_streak: HC_HEALTHY,
            fail_streak: 0,
            last_fail: None,
            draining_since: None,
        });
        (id, dir)
    }

    /// The seeded task's server is up: it serves, and it has logged its
    /// start-up.
    pub fn seeded(&mut self, id: &str, server: Option<Server>) {
        let fresh = self.fresh_volume;
        if let Some(t) = self.tasks.iter_mut().find(|t| t.id == id) {
            t.server = server;
        }
        self.mongo_starts(id, fresh);
        self.api_starts(id);
    }

    pub fn stop_task(&mut self, arn: &str, reason: &str) -> bool {
        let Some(t) = self
            .tasks
            .iter_mut()
            .find(|t| t.arn() == arn && !t.desired_stopped)
        else {
            return false;
        };
        t.desired_stopped = true;
        t.stop_code = Some("UserInitiated".into());
        // Free text from whoever stopped it: as untrusted as AWS's.
        t.stopped_reason = Some(crate::model::sanitize::clean(reason));
        t.stopping_at = Some(self.clock.utc());
        if matches!(t.phase, Phase::Running) {
            t.phase = Phase::Deactivating;
            t.since = self.clock.now();
        }
        let id = t.id.clone();
        let mut deregistered = false;
        for tg in self.targets.iter_mut().filter(|g| g.task_id == id) {
            tg.state = TargetState::Draining;
            tg.reason = Some("Target.DeregistrationInProgress");
            tg.draining_since = Some(self.clock.now());
            deregistered = true;
        }
        if deregistered {
            self.event("deregistered 1 targets in (target-group goals-tg)".into());
        }
        self.event(format!("has stopped 1 running tasks: (task {id})."));
        self.steady_said = false;
        true
    }

    /// `UpdateService --force-new-deployment` under the demo's deployment
    /// configuration (minimumHealthyPercent 0, maximumPercent 100): a new
    /// PRIMARY deployment; the old one's tasks are stopped first, then the
    /// scheduler starts the new ones.
    pub fn force_deployment(&mut self) {
        self.deployment_seq += 1;
        let new = format!(
            "ecs-svc/{}",
            5_000_000_000_000_000_000u64 + self.deployment_seq
        );
        let old = std::mem::replace(&mut self.deployment, new.clone());
        self.previous = Some(old.clone());
        // With minimumHealthyPercent 100 and maximumPercent 100, ECS can
        // neither stop a task first nor start one beside it: the
        // deployment stays in progress and the old tasks run on.
        if !crate::model::derive::deployment_can_replace(self.desired, self.min_percent, 100) {
            return;
        }
        let live: Vec<String> = self
            .tasks
            .iter()
            .filter(|t| !t.desired_stopped && t.deployment == old)
            .map(|t| t.arn())
            .collect();
        for arn in live {
            self.stop_task(
                &arn,
                &format!("Scaling activity initiated by (deployment {new})"),
            );
            if let Some(t) = self.tasks.iter_mut().find(|t| t.arn() == arn) {
                t.stop_code = Some("ServiceSchedulerInitiated".into());
            }
        }
    }

    /// Advances every task one step; returns servers to start and stop,
    /// which the caller does outside the lock.
    pub(super) fn step(&mut self) -> (Vec<(String, PathBuf)>, Vec<Server>) {
        let now = self.clock.now();
        let Moves {
            start,
            stop,
            registered,
            logs,
        } = self.advance(now);
        for (id, ev) in logs {
            match ev {
                LogEvent::MongoStarts => {
                    let fresh = self.fresh_volume;
                    self.mongo_starts(&id, fresh)
                }
                LogEvent::ApiStarts => self.api_starts(&id),
                LogEvent::Stops => self.task_stops(&id),
            }
        }
        for (task_id, ip) in registered {
            self.targets.push(SimTarget {
                task_id,
                ip,
                state: TargetState::Initial,
                reason: Some("Elb.RegistrationInProgress"),
                ok_streak: 0,
                fail_streak: 0,
                last_fail: None,
                draining_since: None,
            });
            self.event("registered 1 targets in (target-group goals-tg)".into());
        }
        self.targets.retain(|g| {
            g.draining_since.is_none_or(|s| {
                now.duration_since(s) < Duration::from_secs(self.deregistration_s.into())
            })
        });
        let active = self.tasks.iter().filter(|t| !t.desired_stopped).count() as i32;
        for _ in active..self.desired {
            self.launch();
        }
        self.keep_recent();
        self.say_steady();
        (start, stop)
    }

    /// Each task's next phase, when its time has come.
    fn advance(&mut self, now: std::time::Instant) -> Moves {
        let mut start = Vec::new();
        let mut stop = Vec::new();
        let mut registered = Vec::new();
        let mut logs = Vec::new();
        for t in &mut self.tasks {
            let age = now.duration_since(t.since);
            let next = match t.phase {
                Phase::Provisioning if age >= PROVISIONING => Some(Phase::Pending),
                Phase::Pending if age >= PENDING => Some(Phase::Activating),
                Phase::Activating if age >= ACTIVATING && t.server.is_some() => {
                    Some(Phase::Running)
                }
                Phase::Deactivating => {
                    let drained = !self
                        .targets
                        .iter()
                        .any(|g| g.task_id == t.id && g.state == TargetState::Draining);
                    drained.then_some(Phase::Stopping)
                }
                Phase::Stopping if age >= STOPPING => Some(Phase::Deprovisioning),
                Phase::Deprovisioning if age >= DEPROVISIONING => Some(Phase::Stopped),
                _ => None,
            };
            if t.phase == Phase::Activating && t.server.is_none() && !t.starting_server {
                t.starting_server = true;
                start.push((t.id.clone(), t.data_dir.clone()));
            }
            // A task asked to stop before it ran skips straight to stopping.
            if t.desired_stopped
                && matches!(
                    t.phase,
                    Phase::Provisioning | Phase::Pending | Phase::Activating
                )
            {
                t.phase = Phase::Stopping;
                t.since = now;
                continue;
            }
            let Some(next) = next else { continue };
            t.phase = next;
            t.since = now;
            match next {
                Phase::Pending => t.pull_started_at = Some(self.clock.utc()),
                Phase::Activating => {
                    t.pull_stopped_at = Some(self.clock.utc());
                    logs.push((t.id.clone(), LogEvent::MongoStarts))
                }
                Phase::Running => {
                    t.started_at = Some(self.clock.utc());
                    t.running_since = Some(now);
                    registered.push((t.id.clone(), t.ip.clone()));
                    logs.push((t.id.clone(), LogEvent::ApiStarts));
                }
                Phase::Stopping => {
                    if let Some(s) = t.server.take() {
                        stop.push(s);
                        logs.push((t.id.clone(), LogEvent::Stops));
                    }
                }
                Phase::Stopped => t.stopped_at = Some(self.clock.utc()),
                _ => {}
            }
        }
        Moves {
            start,
            stop,
            registered,
            logs,
        }
    }

    /// The stopped tasks kept are the most recent; their streams go with
    /// the others.
    fn keep_recent(&mut self) {
        let mut stopped_seen = 0;
        let mut keep = Vec::with_capacity(self.tasks.len());
        for t in self.tasks.drain(..).rev() {
            if t.phase == Phase::Stopped {
                stopped_seen += 1;
                if stopped_seen > STOPPED_KEPT {
                    continue;
                }
            }
            keep.push(t);
        }
        keep.reverse();
        self.tasks = keep;
        // The streams of tasks no longer kept go with them.
        let ids: Vec<&str> = self.tasks.iter().map(|t| t.id.as_str()).collect();
        self.logs
            .retain(|stream, _| ids.iter().any(|id| stream.ends_with(id)));
    }

    /// The service's steady state and a finished deployment, said once.
    fn say_steady(&mut self) {
        let steady = self.tasks.iter().all(|t| {
            matches!(t.phase, Phase::Running | Phase::Stopped)
                && (t.phase == Phase::Running) != t.desired_stopped
        }) && !self.targets.is_empty()
            && self.targets.iter().all(|g| g.state == TargetState::Healthy);
        if steady
            && let Some(old) = &self.previous
            && !self
                .tasks
                .iter()
                .any(|t| &t.deployment == old && t.phase != Phase::Stopped)
        {
            let new = self.deployment.clone();
            self.previous = None;
            self.event(format!("(deployment {new}) deployment completed."));
        }
        if steady && !self.steady_said {
            self.steady_said = true;
            self.event("has reached a steady state.".into());
        }
    }

    pub(super) fn server_started(&mut self, id: &str, server: Option<Server>) {
        let Some(t) = self.tasks.iter_mut().find(|t| t.id == id) else {
            return;
        };
        t.starting_server = false;
        match server {
            Some(s) if !t.desired_stopped => t.server = Some(s),
            Some(s) => {
                let _ = s.shutdown.send(());
            }
            None => {}
        }
    }
}

pub async fn start_server(world: Arc<Mutex<World>>, id: String, dir: PathBuf) -> Option<Server> {
    tokio::fs::create_dir_all(&dir).await.ok()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.ok()?;
    let addr = listener.local_addr().ok()?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = {
        let log_id = id.clone();
        let sink: crate::cloud::demo::api::Sink =
            Arc::new(move |line| lock(&world).log("goals-api", &log_id, line));
        crate::cloud::demo::api::router(&id, &dir, sink)
    };
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Some(Server { addr, shutdown: tx })
}

pub async fn run_scheduler(world: Arc<Mutex<World>>, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        let (start, stop) = lock(&world).step();
        for s in stop {
            let _ = s.shutdown.send(());
        }
        for (id, dir) in start {
            let server = start_server(world.clone(), id.clone(), dir).await;
            lock(&world).server_started(&id, server);
        }
    }
    lock(&world).shutdown_all();
}

/// What one step of the scheduler moved: servers to start and stop,
/// targets to register, log lines to write.
struct Moves {
    start: Vec<(String, PathBuf)>,
    stop: Vec<Server>,
    registered: Vec<(String, String)>,
    logs: Vec<(String, LogEvent)>,
}

#[cfg(test)]
mod tests;

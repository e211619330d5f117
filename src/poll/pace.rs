//! The fast pace while something changes: a restart sent, a task between
//! states, a rollout; shared by the service, task and target pollers, and
//! hurried from outside (the drill) through `Hurry`.

use std::sync::Arc;
use std::time::Duration;

use super::runner::Control;
use crate::model::TaskDef;
use crate::model::observe::Observation;
use crate::model::world::{gates_readiness, has_health_check};

/// While something changes, the service, task and target pollers run at
/// this cadence (unless `--refresh` is faster, or AWS throttles).
pub const FAST: Duration = Duration::from_secs(1);
/// How long a restart the operator sent keeps them fast.
pub const FAST_AFTER_ACTION: Duration = Duration::from_secs(60);
/// How long an observation of something changing keeps them fast: the
/// service must look steady this long before the cadence relaxes.
pub const FAST_WHILE_CHANGING: Duration = Duration::from_secs(30);
/// While a drill only waits out a long drain, the pollers (the logs too)
/// run no faster than this: AWS's own timestamps keep the precision.
pub const RELAXED: Duration = Duration::from_secs(5);

/// The shared "something is changing" clock of the fast pollers.
#[derive(Debug, Default)]
pub struct Pace {
    fast_until_ms: std::sync::atomic::AtomicI64,
    /// Until then, the drill waits out a drain: no poller runs faster than
    /// `RELAXED`.
    relaxed_until_ms: std::sync::atomic::AtomicI64,
    /// The task definitions in use: which containers have a health check
    /// (one without reports UNKNOWN for ever, which is no motion).
    task_defs: std::sync::Mutex<Vec<TaskDef>>,
}

impl Pace {
    fn now_ms() -> i64 {
        crate::clock::now().timestamp_millis()
    }

    /// Fast for at least `d` from now.
    pub fn hurry_for(&self, d: Duration) {
        let until = Self::now_ms() + i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2);
        self.fast_until_ms
            .fetch_max(until, std::sync::atomic::Ordering::Relaxed);
    }

    /// No faster than `RELAXED` for `d` from now (or until `fast_for`).
    pub fn relax_for(&self, d: Duration) {
        let until = Self::now_ms() + i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2);
        self.relaxed_until_ms
            .store(until, std::sync::atomic::Ordering::Relaxed);
    }

    fn relaxed(&self) -> bool {
        Self::now_ms()
            < self
                .relaxed_until_ms
                .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn fast(&self) -> bool {
        Self::now_ms()
            < self
                .fast_until_ms
                .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The task definitions the task poller's observations are read with.
    pub fn set_task_defs(&self, tds: Vec<TaskDef>) {
        *self.task_defs.lock().unwrap_or_else(|p| p.into_inner()) = tds;
    }

    /// Whether `obs` shows the service in motion, by the task definitions
    /// known.
    pub fn moving(&self, obs: &Observation) -> bool {
        let tds = self.task_defs.lock().unwrap_or_else(|p| p.into_inner());
        in_motion_with(obs, &tds)
    }

    /// The cadence of the fast-changing pollers now.
    pub fn cadence(&self, refresh: Duration) -> Duration {
        if self.relaxed() {
            return refresh.max(RELAXED);
        }
        if self.fast() {
            refresh.min(FAST)
        } else {
            refresh
        }
    }
}

/// Whether an observation shows the service in motion: a task between
/// states, a deployment rolling out, a target registering or draining.
/// (A target that stays unhealthy is not motion: it would keep the
/// pollers fast for ever.)
pub fn in_motion(obs: &Observation) -> bool {
    in_motion_with(obs, &[])
}

/// `in_motion`, reading each task's containers with its own revision from
/// `tds`: a container with no health check is UNKNOWN for ever, and only
/// an essential one with a check still UNKNOWN is starting.
pub fn in_motion_with(obs: &Observation, tds: &[TaskDef]) -> bool {
    match obs {
        Observation::Service(s) => {
            s.deployments.len() > 1
                || s.pending > 0
                || s.deployments
                    .iter()
                    .any(|d| d.rollout_state.as_deref() == Some("IN_PROGRESS"))
        }
        Observation::Tasks(ts) => ts.iter().any(|t| {
            !matches!(
                (t.last_status.as_str(), t.desired_status.as_str()),
                ("RUNNING", "RUNNING") | ("STOPPED", _)
            ) || (t.last_status == "RUNNING" && {
                let td = tds.iter().find(|d| d.arn == t.task_definition);
                t.containers.iter().any(|c| {
                    c.health.as_deref() == Some("UNKNOWN")
                        && gates_readiness(td, c)
                        && has_health_check(td, c)
                })
            })
        }),
        Observation::Targets(gs) => gs
            .iter()
            .flat_map(|g| &g.targets)
            .any(|t| matches!(t.state.as_str(), "initial" | "draining")),
        _ => false,
    }
}

/// Hurries a session's pollers from a task that does not own them. The
/// default hurries nothing (a drill fed by hand, in tests).
#[derive(Clone, Default)]
pub struct Hurry {
    pub(super) pace: Arc<Pace>,
    pub(super) ctl: Control,
}

impl Hurry {
    /// A restart was sent: fast for a while, and poll now.
    pub fn now(&self) {
        self.pace.hurry_for(FAST_AFTER_ACTION);
        self.ctl.kick();
    }

    /// Poll now, at the cadence there is.
    pub fn refresh(&self) {
        self.ctl.kick();
    }

    /// Stay fast (called every second while a drill expects a step).
    pub fn keep(&self) {
        self.pace.relax_for(Duration::ZERO);
        self.pace.hurry_for(FAST_AFTER_ACTION);
    }

    /// Relax for a while: the drill waits out a drain.
    pub fn relax(&self, d: Duration) {
        self.pace.relax_for(d);
    }
}

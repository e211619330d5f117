//! The fast pace while something changes: a restart sent, a task between
//! states, a rollout; shared by the service, task and target pollers, and
//! hurried from outside (the drill) through `Hurry`.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::runner::Control;
use crate::model::observe::Observation;

/// While something changes, the service, task and target pollers run at
/// this cadence (unless `--refresh` is faster, or AWS throttles).
pub const FAST: Duration = Duration::from_secs(1);
/// How long a restart the operator sent keeps them fast.
pub const FAST_AFTER_ACTION: Duration = Duration::from_secs(60);
/// How long an observation of something changing keeps them fast: the
/// service must look steady this long before the cadence relaxes.
pub const FAST_WHILE_CHANGING: Duration = Duration::from_secs(30);

/// The shared "something is changing" clock of the fast pollers.
#[derive(Debug, Default)]
pub struct Pace {
    fast_until_ms: std::sync::atomic::AtomicI64,
}

impl Pace {
    fn now_ms() -> i64 {
        Utc::now().timestamp_millis()
    }

    /// Fast for at least `d` from now.
    pub fn hurry_for(&self, d: Duration) {
        let until = Self::now_ms() + i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2);
        self.fast_until_ms
            .fetch_max(until, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn fast(&self) -> bool {
        Self::now_ms()
            < self
                .fast_until_ms
                .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The cadence of the fast-changing pollers now.
    pub fn cadence(&self, refresh: Duration) -> Duration {
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
            ) || (t.last_status == "RUNNING"
                && t.containers
                    .iter()
                    .any(|c| c.health.as_deref() == Some("UNKNOWN")))
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

    /// Stay fast (called every second while a drill runs).
    pub fn keep(&self) {
        self.pace.hurry_for(FAST_AFTER_ACTION);
    }
}

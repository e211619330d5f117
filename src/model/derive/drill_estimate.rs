//! How long a restart drill will take, from the service's configuration:
//! shown in the drill's preflight so nobody aborts a drill that is only
//! waiting out a 300 s deregistration delay.

use super::preflight::time_to_healthy_s;
use super::restart::{bound_groups, stop_timeout};
use crate::model::{Service, TargetGroup, TaskDef};

/// A Fargate task from created to its containers running: 30 s at best
/// (a cached image), 90 s in the usual worst case.
pub const START_S: (u32, u32) = (30, 90);
/// From the containers' exit to STOPPED (deprovisioning the ENI), worst.
pub const DEPROVISION_S: u32 = 30;
/// The drill's own reads, and the polls between the steps.
pub const READS_S: u32 = 5;
/// A drill's default timeout is never shorter than this.
pub const MIN_TIMEOUT_S: u32 = 300;

/// How long a drill should take on AWS: a range, from this service's own
/// settings and task count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// Best case: no connection open (the drain ends at once), a quick
    /// start, the first health check passing.
    pub min_s: u32,
    /// Worst case: the whole deregistration delay, the whole stopTimeout,
    /// a slow start and a target that failed a check first.
    pub max_s: u32,
    /// What the time is made of, in words.
    pub parts: Vec<String>,
}

impl Estimate {
    /// The default timeout: the worst case with a margin (a quarter, at
    /// least a minute), never under 5 minutes.
    pub fn default_timeout(&self) -> std::time::Duration {
        let with_margin = self.max_s + (self.max_s / 4).max(60);
        std::time::Duration::from_secs(u64::from(with_margin.max(MIN_TIMEOUT_S)))
    }
}

/// The estimate of a drill restarting `tasks` tasks of `svc`: StopTask one
/// task at a time (each replaced before the next), or one forced
/// deployment.
pub fn drill_estimate(
    force: bool,
    svc: &Service,
    td: Option<&TaskDef>,
    tgs: &[TargetGroup],
    tasks: usize,
) -> Estimate {
    let (bound, drain) = bound_groups(svc, tgs);
    // No load balancer, no drain.
    let drain = if bound.is_empty() { 0 } else { drain };
    let first = bound
        .first()
        .and_then(|g| g.health_check.interval_s)
        .map_or(30, |s| s.max(0) as u32);
    let recover = bound
        .first()
        .and_then(|g| time_to_healthy_s(g))
        .map_or(150, |s| s.max(0) as u32);
    let stop = stop_timeout(td).0.max(0) as u32;
    // The replacement: started, then its target's health checks (one
    // passing check when new; interval × threshold after a failed one).
    let new = (START_S.0 + first, START_S.1 + recover);
    // The old task: ECS waits until its target is unused. ELB shows a
    // deregistering target draining for the whole deregistration delay,
    // even when no connection is open; then SIGTERM and up to
    // stopTimeout, then deprovisioning.
    let old = (drain, drain + stop + DEPROVISION_S);
    let mut parts = vec![
        format!(
            "a new task starts in {}–{} s, then {first}–{recover} s of health checks for its target",
            START_S.0, START_S.1
        ),
        format!(
            "the old task's target drains for the deregistration delay ({drain} s: ECS waits for it to be unused), then the task stops within {stop} s (stopTimeout) and deprovisions (up to {DEPROVISION_S} s)"
        ),
    ];
    let n = u32::try_from(tasks.max(1)).unwrap_or(u32::MAX);
    let (min, max) = if force {
        // A deployment replaces in order: with room beside the old task
        // (maximumPercent, rounded down) the new one is healthy before the
        // old one drains; without, the old one stops before the new one
        // starts. Either way one after the other.
        let d = i64::from(svc.desired.max(1));
        let room = d * i64::from(svc.config.max_percent) / 100 > d;
        parts.push(if room {
            "a deployment starts the new tasks and drains the old ones once the new are healthy".into()
        } else {
            "a deployment with no room beside the old tasks (maximumPercent, rounded down) stops them before it starts new ones".into()
        });
        (new.0 + old.0, new.1 + old.1)
    } else {
        if n > 1 {
            parts.push(format!(
                "{n} tasks, one at a time (each replaced and healthy before the next)"
            ));
        }
        // The replacement starts at once; back needs both ends.
        (
            new.0.max(old.0).saturating_mul(n),
            new.1.max(old.1).saturating_mul(n),
        )
    };
    parts.push("a few seconds for the reads".into());
    Estimate {
        min_s: min + READS_S,
        max_s: max + READS_S,
        parts,
    }
}

#[cfg(test)]
mod tests;

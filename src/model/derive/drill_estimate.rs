//! How long a restart drill will take, from the service's configuration:
//! shown in the drill's preflight so nobody aborts a drill that is only
//! waiting out a 300 s deregistration delay.

use super::preflight::time_to_healthy_s;
use super::restart::{bound_groups, stop_timeout};
use crate::model::{Service, TargetGroup, TaskDef};

/// A replacement task from created to its containers running, with a
/// cached image: typical, not a bound.
pub const TYPICAL_START_S: u32 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    pub seconds: u32,
    /// What the time is made of, in words.
    pub parts: Vec<String>,
}

pub fn drill_estimate(
    force: bool,
    svc: &Service,
    td: Option<&TaskDef>,
    tgs: &[TargetGroup],
) -> Estimate {
    let (bound, drain) = bound_groups(svc, tgs);
    // No load balancer, no drain.
    let drain = if bound.is_empty() { 0 } else { drain };
    let healthy = bound
        .first()
        .and_then(|g| time_to_healthy_s(g))
        .map_or(30, |s| s.max(0) as u32);
    let stop = stop_timeout(td).0.max(0) as u32;
    let mut parts = vec![
        format!("~{TYPICAL_START_S} s for the new task to start"),
        format!("~{healthy} s of health checks for its target"),
    ];
    let mut seconds = TYPICAL_START_S + healthy;
    if force {
        // A deployment drains the old target before stopping the task.
        parts.push(format!("{drain} s deregistration delay for the old target"));
        parts.push(format!("up to {stop} s stopTimeout for the old task"));
        seconds += drain + stop;
    } else {
        // StopTask stops at once; the old task's exit overlaps the start.
        parts.push(format!(
            "the old task's stop (up to {stop} s stopTimeout) overlaps the start; StopTask does not wait for the {drain} s drain"
        ));
        seconds = seconds.max(stop);
    }
    parts.push("a few seconds for the reads".into());
    Estimate {
        seconds: seconds + 5,
        parts,
    }
}

#[cfg(test)]
mod tests;

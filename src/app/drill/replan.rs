//! The plan the preflight froze, brought up to date at the baseline.

use super::{Preflight, State, preflight, run_of};
use crate::model::short_id;

/// The tasks to restart changed between the preflight and the baseline
/// (a deployment, a task that stopped): the plan becomes what runs now,
/// and says so.
pub(super) fn replan(state: &mut State) {
    let Some(d) = state.drill.as_ref() else {
        return;
    };
    let was = d.preflight.tasks.clone();
    let Ok(now) = preflight(
        &state.world,
        &state.ctx.target.cluster,
        d.preflight.restart,
        state.ctx.drill_timeout,
        &state.ctx.drill_requests,
    ) else {
        return;
    };
    if now.tasks == was {
        return;
    }
    let line = format!(
        "the tasks changed since the preflight: the drill restarts {} (was {})",
        short_tasks(&now.tasks),
        short_tasks(&was)
    );
    if let Some(d) = state.drill.as_mut() {
        // The estimate and the timeout the run was started with stay.
        let (estimate, timeout) = (d.preflight.estimate.clone(), d.preflight.timeout);
        d.preflight = Preflight {
            estimate,
            timeout,
            ..now
        };
    }
    if let Some((_, c)) = run_of(state) {
        c.say(line);
    }
}

/// The tasks, short, for one line.
pub fn short_tasks(arns: &[String]) -> String {
    arns.iter()
        .map(|a| short_id(a).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

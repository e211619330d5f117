//! What a restart will do, in words, before it is sent: the confirm
//! dialog's lines. Pure, from the service's configuration.

use super::preflight::{DEFAULT_STOP_TIMEOUT_S, deployment_can_replace};
use crate::model::{Service, TargetGroup, Task, TaskDef};

/// Which restart the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restart {
    /// StopTask on this task (its ARN, frozen when the key was pressed).
    StopTask { task_arn: String },
    /// UpdateService with forceNewDeployment.
    ForceDeployment,
}

/// The longest stopTimeout of the task definition's containers, and which
/// container has it: the time ECS waits after SIGTERM.
pub(super) fn stop_timeout(td: Option<&TaskDef>) -> (i32, Option<String>) {
    td.and_then(|td| {
        td.containers
            .iter()
            .map(|c| (c.stop_timeout_s.unwrap_or(DEFAULT_STOP_TIMEOUT_S), c))
            .max_by_key(|(s, _)| *s)
            .map(|(s, c)| (s, Some(c.name.clone())))
    })
    .unwrap_or((DEFAULT_STOP_TIMEOUT_S, None))
}

/// The target groups the service is bound to, and their longest
/// deregistration delay (the ALB default, 300 s, when unknown).
pub(super) fn bound_groups<'a>(
    svc: &Service,
    tgs: &'a [TargetGroup],
) -> (Vec<&'a TargetGroup>, u32) {
    let bound: Vec<&TargetGroup> = tgs
        .iter()
        .filter(|g| svc.target_group_arns().contains(&g.arn))
        .collect();
    let drain = bound
        .iter()
        .filter_map(|g| g.deregistration_delay_s)
        .max()
        .unwrap_or(300);
    (bound, drain)
}

/// Each step ECS will take, in order, from the deployment configuration.
pub fn restart_plan(
    restart: &Restart,
    svc: &Service,
    td: Option<&TaskDef>,
    tgs: &[TargetGroup],
    task: Option<&Task>,
) -> Vec<String> {
    let mut out = Vec::new();
    let (bound, drain) = bound_groups(svc, tgs);
    let (stop_s, who) = stop_timeout(td);
    let who = who
        .map(|w| format!("{w} and the other containers"))
        .unwrap_or_else(|| "the containers".into());
    let (min, max) = (svc.config.min_percent, svc.config.max_percent);
    // ECS waits until a service task's target is unused before it stops
    // the containers, for a deployment and a StopTask alike: at once when
    // no connection is open, else the deregistration delay (AWS's
    // "Optimize load balancer connection draining parameters").
    let drains = |out: &mut Vec<String>, what: &str| {
        if !bound.is_empty() {
            out.push(format!(
                "{what}'s target is deregistered and drains for the deregistration delay ({drain} s) — ELB shows it draining for the whole delay even when no connection is open — and ECS waits for it to be unused before it stops the task"
            ));
        }
        out.push(format!(
            "{who} get SIGTERM (or the image's STOPSIGNAL), then {stop_s} s (stopTimeout) to exit before SIGKILL"
        ));
    };
    match restart {
        Restart::StopTask { task_arn } => {
            let id = crate::model::short_id(task_arn);
            let ip = task
                .and_then(|t| t.private_ip.as_deref())
                .map(|ip| format!(" ({ip})"))
                .unwrap_or_default();
            out.push(format!(
                "ECS stops task {id}{ip} of service {} (StopTask, sent once)",
                svc.name
            ));
            drains(&mut out, &format!("task {id}"));
            out.push(format!(
                "the service scheduler starts a replacement to keep {} desired{}; it keeps the deployment's image digest (no new pull of a newer tag)",
                svc.desired,
                if max > 100 {
                    format!(" — with maximumPercent {max} it may start while task {id} still drains or stops")
                } else {
                    format!(" within maximumPercent {max}")
                }
            ));
        }
        Restart::ForceDeployment => {
            out.push(format!(
                "ECS starts a new deployment of service {} with the same task definition ({}), replacing all {} task{} (UpdateService forceNewDeployment, sent once)",
                svc.name,
                crate::model::task_def_label(&svc.task_definition),
                svc.desired,
                if svc.desired == 1 { "" } else { "s" }
            ));
            if !deployment_can_replace(svc.desired, min, max) {
                out.push(format!(
                    "with minimumHealthyPercent {min} and maximumPercent {max} the deployment cannot replace a task: it can neither start one beside the old nor stop one first, and will not progress"
                ));
            } else if i64::from(svc.desired) * i64::from(max) / 100 > i64::from(svc.desired) {
                out.push(format!(
                    "maximumPercent {max}: each new task starts beside the old one, which is stopped once the new one is healthy — two tasks run at once"
                ));
                drains(&mut out, "then the old task");
            } else {
                out.push(format!(
                    "minimumHealthyPercent {min}, maximumPercent {max}: the old task is stopped first, then the new one starts — expect an outage"
                ));
                drains(&mut out, "the old task");
            }
            out.push(
                "a forced deployment resolves image tags to digests again: a tag such as mongo:7 may now mean a newer image (unless the container sets versionConsistency: disabled)"
                    .into(),
            );
        }
    }
    if let Some(g) = bound.first()
        && let Some(t) = super::preflight::time_to_healthy_s(g)
    {
        // A newly registered target needs one passing check (AWS's
        // target group health checks page); the threshold applies after a
        // failed one.
        out.push(format!(
            "the new task's target turns healthy after one passing health check (~{} s after registering); {} in a row (~{t} s) if it failed one first (probed before the API listened)",
            g.health_check.interval_s.unwrap_or(0),
            g.health_check.healthy_threshold.unwrap_or(1),
        ));
    }
    out
}

/// StopTask's reason may be at most 255 characters.
const REASON_MAX: usize = 255;

/// `<by>: stopped by <caller ARN>`, at most 255 characters; the caller
/// masked with `--redact`, and said unknown when the identity is.
pub fn stop_reason(by: &str, caller: Option<&str>, redact: bool) -> String {
    let who = match caller {
        _ if redact => "an operator (redacted)",
        Some(arn) => arn,
        None => "an operator (identity unknown)",
    };
    format!("{by}: stopped by {who}")
        .chars()
        .take(REASON_MAX)
        .collect()
}

#[cfg(test)]
mod tests;

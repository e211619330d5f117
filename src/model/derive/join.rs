//! The target↔task join: which task is behind each ALB target.

use crate::model::{LbBinding, Service, Target, TargetGroup, Task};

/// The service binding that points at this target group, if any.
pub fn binding_for<'a>(service: &'a Service, tg: &TargetGroup) -> Option<&'a LbBinding> {
    service
        .load_balancers
        .iter()
        .find(|b| b.target_group_arn == tg.arn)
}

/// The task behind a target. awsvpc tasks are joined by the private IPv4 of
/// their ENI and the container port; bridge/host tasks by EC2 instance and
/// host port. When an IP was reused, a task that is still around wins over
/// one that has stopped.
pub fn task_for_target<'a>(
    tg: &TargetGroup,
    binding: Option<&LbBinding>,
    target: &Target,
    tasks: &'a [Task],
) -> Option<&'a Task> {
    let matches = |t: &&Task| -> bool {
        if tg.target_type == "instance" {
            if t.ec2_instance.as_deref() != Some(target.id.as_str()) {
                return false;
            }
            let Some(port) = target.port else {
                return true;
            };
            t.containers.iter().any(|c| {
                binding.is_none_or(|b| b.container_name == c.name)
                    && c.bindings.iter().any(|&(cp, hp)| {
                        hp == port && binding.is_none_or(|b| b.container_port == cp)
                    })
            })
        } else {
            if t.private_ip.as_deref() != Some(target.id.as_str()) {
                return false;
            }
            match (binding, target.port) {
                (Some(b), Some(p)) => b.container_port == p,
                _ => true,
            }
        }
    };
    let mut found: Vec<&Task> = tasks.iter().filter(matches).collect();
    found.sort_by_key(|t| (t.is_stopped(), std::cmp::Reverse(t.created_at)));
    found.into_iter().next()
}

/// The target for a task in any of the service's target groups.
pub fn targets_for_task<'a>(
    service: &Service,
    tgs: &'a [TargetGroup],
    task: &Task,
    tasks: &[Task],
) -> Vec<(&'a TargetGroup, &'a Target)> {
    let mut out = Vec::new();
    for tg in tgs {
        let b = binding_for(service, tg);
        for target in &tg.targets {
            if task_for_target(tg, b, target, tasks).is_some_and(|t| t.arn == task.arn) {
                out.push((tg, target));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;

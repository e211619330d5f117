//! The service's tasks: the running ones every refresh, the stopped ones
//! when something may have stopped, described in batches of 100, bridge
//! tasks joined to their EC2 instances.

use std::time::{Duration, Instant};

use aws_sdk_ecs::types::DesiredStatus;

use super::{AwsCloud, convert};
use crate::cloud::CloudResult;
use crate::model::{ServiceRef, Task};

/// How many stopped tasks to show: enough to see the last replacements.
const STOPPED_TASKS_KEPT: usize = 10;

/// The stopped tasks, listed less often while nothing is stopping: a task
/// only becomes STOPPED after it was seen leaving or gone from RUNNING.
#[derive(Debug, Default)]
pub(super) struct StoppedList {
    at: Option<Instant>,
    arns: Vec<String>,
    running: Vec<String>,
    leaving: bool,
}

/// How often the stopped tasks are listed while nothing changes.
const STOPPED_EVERY: Duration = Duration::from_secs(30);

impl StoppedList {
    #[cfg(test)]
    fn asked(running: &[&str], leaving: bool) -> StoppedList {
        StoppedList {
            at: Some(Instant::now()),
            arns: Vec::new(),
            running: running.iter().map(|s| s.to_string()).collect(),
            leaving,
        }
    }

    /// Whether ListTasks(STOPPED) must be asked now: never asked, or
    /// asked long ago, or a task was leaving, or the running set changed.
    pub(super) fn due(&self, running: &[String]) -> bool {
        self.at.is_none_or(|at| at.elapsed() >= STOPPED_EVERY)
            || self.leaving
            || self.running != running
    }
}

impl AwsCloud {
    pub(super) async fn list_tasks(&self, svc: &ServiceRef) -> CloudResult<Vec<Task>> {
        // ListTasks defaults to RUNNING, where a stopping task vanishes: ask
        // for both so the old task can be seen leaving.
        let mut running = self.task_arns(svc, DesiredStatus::Running).await?;
        running.sort();
        let due = self
            .stopped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .due(&running);
        let stopped = if due {
            let s = self.task_arns(svc, DesiredStatus::Stopped).await?;
            let mut l = self.stopped.lock().unwrap_or_else(|p| p.into_inner());
            l.at = Some(Instant::now());
            l.arns = s.clone();
            s
        } else {
            self.stopped
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .arns
                .clone()
        };
        let mut arns = running.clone();
        for a in stopped {
            if !arns.contains(&a) {
                arns.push(a);
            }
        }
        let mut tasks = Vec::new();
        for batch in arns.chunks(100) {
            let out = self
                .c()
                .ecs
                .describe_tasks()
                .cluster(&svc.cluster)
                .set_tasks(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|e| self.err(e, "ecs:DescribeTasks"))?;
            tasks.extend(out.tasks().iter().map(convert::task));
        }
        // Bridge and host mode tasks are joined to targets by EC2 instance.
        let mut instances: Vec<String> = tasks
            .iter()
            .filter(|t| t.private_ip.is_none())
            .filter_map(|t| t.ec2_instance.clone())
            .collect();
        instances.sort();
        instances.dedup();
        if !instances.is_empty() {
            let mut map = std::collections::HashMap::new();
            for batch in instances.chunks(100) {
                let out = self
                    .c()
                    .ecs
                    .describe_container_instances()
                    .cluster(&svc.cluster)
                    .set_container_instances(Some(batch.to_vec()))
                    .send()
                    .await
                    .map_err(|e| self.err(e, "ecs:DescribeContainerInstances"))?;
                for ci in out.container_instances() {
                    if let (Some(arn), Some(id)) =
                        (ci.container_instance_arn(), ci.ec2_instance_id())
                    {
                        map.insert(arn.to_string(), id.to_string());
                    }
                }
            }
            for t in tasks.iter_mut().filter(|t| t.private_ip.is_none()) {
                if let Some(ci) = &t.ec2_instance {
                    t.ec2_instance = map.get(ci).cloned();
                }
            }
        }
        {
            let mut l = self.stopped.lock().unwrap_or_else(|p| p.into_inner());
            l.running = running;
            l.leaving = tasks.iter().any(|t| t.is_leaving() && !t.is_stopped());
        }
        Ok(trim_stopped(tasks))
    }
}

/// Keeps every task that is not stopped, and the most recently stopped ones.
fn trim_stopped(mut tasks: Vec<Task>) -> Vec<Task> {
    crate::model::sort_tasks(&mut tasks);
    let mut stopped = 0;
    tasks.retain(|t| {
        if t.is_stopped() {
            stopped += 1;
            stopped <= STOPPED_TASKS_KEPT
        } else {
            true
        }
    });
    tasks
}

#[cfg(test)]
mod tests;

//! CPU and memory: what CloudWatch has for the service (`AWS/ECS`), and,
//! where the cluster has Container Insights with enhanced observability,
//! for each task and container (`ECS/ContainerInsights`). One-minute
//! points; a minute without a point is missing, never zero.

use serde::Serialize;

use super::Time;
use super::error::CloudError;

/// The last hour of one-minute points is what the charts draw.
pub const WINDOW_MIN: i64 = 60;

/// A series' points, oldest first, at most one a minute.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Series {
    pub points: Vec<(Time, f64)>,
}

impl Series {
    /// From CloudWatch's answer (newest first by default, in any order
    /// here): sorted, one point a minute, the non-finite ones dropped.
    pub fn from_points(mut points: Vec<(Time, f64)>) -> Series {
        points.retain(|(_, v)| v.is_finite());
        points.sort_by_key(|(t, _)| *t);
        points.dedup_by_key(|(t, _)| *t);
        Series { points }
    }

    pub fn last(&self) -> Option<(Time, f64)> {
        self.points.last().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The value at `at`'s minute, when there is one.
    pub fn at(&self, at: Time) -> Option<f64> {
        self.points
            .binary_search_by_key(&at, |(t, _)| *t)
            .ok()
            .map(|i| self.points[i].1)
    }
}

/// The cluster's Container Insights setting (`ecs:DescribeClusters` with
/// its settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Insights {
    /// `enhanced`: task- and container-level metrics.
    Enhanced,
    /// `enabled`: cluster- and service-level only.
    Standard,
    /// `disabled`.
    Off,
    /// The cluster reports no setting (an account default may apply).
    NotSaid,
}

impl Insights {
    pub fn from_setting(value: Option<&str>) -> Insights {
        match value {
            Some("enhanced") => Insights::Enhanced,
            Some("enabled") => Insights::Standard,
            Some("disabled") => Insights::Off,
            _ => Insights::NotSaid,
        }
    }

    /// Whether per-task metrics may exist, so are worth asking for.
    pub fn may_have_tasks(self) -> bool {
        matches!(self, Insights::Enhanced | Insights::NotSaid)
    }
}

/// The command that turns task- and container-level metrics on, in the
/// region ecsdeck watches (the CLI's own default may be another).
pub fn enable_command(cluster: &str, region: &str) -> String {
    format!(
        "aws ecs update-cluster-settings --region {region} --cluster {cluster} --settings name=containerInsights,value=enhanced"
    )
}

/// What one GetMetricData asks for: the service, and each task with the
/// containers it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsAsk {
    pub cluster: String,
    pub service: String,
    pub tasks: Vec<TaskAsk>,
    pub start: Time,
    pub end: Time,
}

impl MetricsAsk {
    /// For `svc`: CloudWatch's dimensions are names, where `--cluster`
    /// may have given an ARN.
    pub fn new(svc: &super::ServiceRef, tasks: Vec<TaskAsk>, start: Time, end: Time) -> MetricsAsk {
        MetricsAsk {
            cluster: super::arn_tail(&svc.cluster).to_string(),
            service: super::arn_tail(&svc.service).to_string(),
            tasks,
            start,
            end,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskAsk {
    /// The task's id (the last part of its ARN): the `TaskId` dimension.
    pub id: String,
    pub containers: Vec<String>,
}

/// A task the metrics poller remembers between reads: a task gone from
/// the list still has its points on the charts for the rest of the hour.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub containers: Vec<String>,
    /// When the task list last had it.
    pub seen: Time,
    pub started: Option<Time>,
    pub stopped: Option<Time>,
}

/// Takes the tasks listed now into `memory`, and forgets those with no
/// point left in the window from `start`: stopped before it, or (gone
/// from the list unseen) last seen before it.
pub fn remember(
    memory: &mut std::collections::BTreeMap<String, Seen>,
    tasks: &[super::Task],
    now: Time,
    start: Time,
) {
    for t in tasks {
        memory.insert(
            t.id().to_string(),
            Seen {
                containers: t.containers.iter().map(|c| c.name.clone()).collect(),
                seen: now,
                started: t.started_at,
                stopped: t.stopped_at,
            },
        );
    }
    memory.retain(|_, s| s.stopped.map_or(s.seen > start, |at| at > start));
}

/// What to ask for, the tasks that matter most first (one call holds 500
/// series; those that do not fit are left out, named): the running ones,
/// then the most recently started.
pub fn asks(memory: &std::collections::BTreeMap<String, Seen>) -> Vec<TaskAsk> {
    let mut v: Vec<(&String, &Seen)> = memory.iter().collect();
    v.sort_by_key(|(_, s)| (s.stopped.is_some(), std::cmp::Reverse(s.started)));
    v.into_iter()
        .map(|(id, s)| TaskAsk {
            id: id.clone(),
            containers: s.containers.clone(),
        })
        .collect()
}

/// GetMetricData's answer, in domain terms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsPage {
    /// `AWS/ECS` CPUUtilization and MemoryUtilization, percent (Average).
    pub service_cpu: Series,
    pub service_mem: Series,
    /// In the order asked.
    pub tasks: Vec<TaskSeries>,
    /// What CloudWatch said beside the data (a partial answer, a series
    /// it refused).
    pub messages: Vec<String>,
    /// Tasks not asked for: one call holds 500 series.
    pub left_out: Vec<String>,
}

/// One task's series: CPU units and MiB, used and reserved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskSeries {
    pub id: String,
    pub cpu_used: Series,
    pub cpu_reserved: Series,
    pub mem_used: Series,
    pub mem_reserved: Series,
    pub containers: Vec<ContainerSeries>,
}

/// One container's series: CPU units and MiB used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerSeries {
    pub name: String,
    pub cpu_used: Series,
    pub mem_used: Series,
}

/// What the metrics poller sends once a minute.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsReading {
    /// The cluster's setting, or why it is not known.
    pub insights: Result<Insights, CloudError>,
    pub page: MetricsPage,
    /// The end of the window read (a minute boundary).
    pub end: Time,
}

#[cfg(test)]
mod tests;

/// Why a task has no CPU and memory figures, in words an operator acts on
/// (the Tasks and Containers panes and `status` say the same).
pub fn why_no_task_points(
    insights: &Result<Insights, CloudError>,
    cluster: &str,
    region: &str,
) -> String {
    let command = enable_command(cluster, region);
    let cost = "CloudWatch charges for its metrics and logs";
    match insights {
        Ok(Insights::Standard) => format!(
            "per-task CPU and memory need Container Insights with enhanced observability; cluster {cluster} has Container Insights, not enhanced ({cost}); to turn it on: {command}"
        ),
        Ok(Insights::Off) => format!(
            "per-task CPU and memory need Container Insights with enhanced observability, off for cluster {cluster} ({cost}); to turn it on: {command}"
        ),
        Ok(Insights::Enhanced) => {
            "no Container Insights points for this task yet (a new task reports after a minute or two)".into()
        }
        Ok(Insights::NotSaid) => format!(
            "no Container Insights points for this task: the cluster reports no containerInsights setting ({cost}); to turn on per-task metrics: {command}"
        ),
        Err(e) => format!(
            "no Container Insights points for this task, and the cluster's setting is unknown: {}",
            e.operator_text()
        ),
    }
}

/// Why one task has no figures in a reading that has some.
pub fn why_task_missing(r: &MetricsReading, task_id: &str, cluster: &str, region: &str) -> String {
    if r.page.left_out.iter().any(|t| t == task_id) {
        return "not read: one GetMetricData holds 500 series, and the running and newest tasks came first".into();
    }
    why_no_task_points(&r.insights, cluster, region)
}

/// Why the service has no CPU and memory figures at all.
pub fn why_no_service_points(
    reading: Option<&MetricsReading>,
    error: Option<&CloudError>,
) -> Option<String> {
    if let Some(e) = error
        && reading.is_none()
    {
        return Some(e.operator_text());
    }
    match reading {
        None => Some("waiting for CloudWatch's first answer".into()),
        Some(r) if r.page.service_cpu.is_empty() && r.page.service_mem.is_empty() => {
            Some(if r.page.messages.is_empty() {
                "AWS/ECS has no points for the last hour: the service ran no task, or is new (ECS reports each minute, a minute or two late)".into()
            } else {
                format!("CloudWatch: {}", r.page.messages.join("; "))
            })
        }
        Some(_) => None,
    }
}

//! CPU and memory in a snapshot: the service's (`AWS/ECS`) and each
//! task's and container's (Container Insights), each null with a reason
//! when CloudWatch has none.

use serde::Serialize;

use crate::model::Time;
use crate::model::metrics::{why_no_service_points, why_task_missing};
use crate::model::world::World;

/// A percentage and the minute it is from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Percent {
    pub percent: f64,
    pub at: Option<Time>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskMetrics {
    pub task: String,
    /// Percent of the task's reserved CPU and memory.
    pub cpu: Option<Percent>,
    pub memory: Option<Percent>,
    pub memory_mib: Option<f64>,
    pub memory_reserved_mib: Option<f64>,
    /// Why `cpu` and `memory` are null.
    pub reason: Option<String>,
    pub containers: Vec<ContainerMetrics>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerMetrics {
    pub name: String,
    pub cpu_percent: Option<f64>,
    pub memory_mib: Option<f64>,
    /// The container's hard limit, else the task's.
    pub memory_limit_mib: Option<u32>,
    pub memory_percent: Option<f64>,
}

/// The service's figures, and why they are missing.
pub fn service(w: &World) -> (Option<Percent>, Option<Percent>, Option<String>) {
    let reading = w.metrics.get();
    let error = w.metrics.error.as_ref().map(|e| &e.error);
    let at = |s: &crate::model::metrics::Series| {
        s.last().map(|(at, v)| Percent {
            percent: v,
            at: Some(at),
        })
    };
    let cpu = reading.and_then(|r| at(&r.page.service_cpu));
    let mem = reading.and_then(|r| at(&r.page.service_mem));
    (cpu, mem, why_no_service_points(reading, error))
}

/// Each listed task's figures.
pub fn tasks(w: &World, cluster: &str, region: &str) -> Vec<TaskMetrics> {
    let reading = w.metrics.get();
    w.task_list()
        .iter()
        .map(|t| {
            let u = w.task_usage(&t.arn);
            let has = u.is_some_and(|u| u.at.is_some());
            let reason = match (has, reading) {
                (true, _) => None,
                (false, Some(r)) => Some(why_task_missing(r, t.id(), cluster, region)),
                (false, None) => {
                    why_no_service_points(None, w.metrics.error.as_ref().map(|e| &e.error))
                }
            };
            let pct = |v: Option<f64>| {
                v.map(|percent| Percent {
                    percent,
                    at: u.and_then(|u| u.at),
                })
            };
            TaskMetrics {
                task: t.id().to_string(),
                cpu: pct(u.and_then(|u| u.cpu_pct)),
                memory: pct(u.and_then(|u| u.mem_pct)),
                memory_mib: u.and_then(|u| u.mem_mib),
                memory_reserved_mib: u.and_then(|u| u.mem_reserved_mib),
                reason,
                containers: u
                    .map(|u| {
                        u.containers
                            .iter()
                            .map(|c| ContainerMetrics {
                                name: c.name.clone(),
                                cpu_percent: c.cpu_pct,
                                memory_mib: c.mem_mib,
                                memory_limit_mib: c.limit_mib,
                                memory_percent: c.mem_pct,
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// One line for the table: `cpu 23 %  memory 41 %`, or why not.
pub fn line(cpu: &Option<Percent>, mem: &Option<Percent>, reason: &Option<String>) -> String {
    let p = |x: &Option<Percent>| {
        x.as_ref()
            .map_or("-".to_string(), |p| format!("{:.0} %", p.percent))
    };
    match reason {
        Some(r) if cpu.is_none() && mem.is_none() => format!("cpu/memory: {r}"),
        _ => format!("cpu {}  memory {}  (AWS/ECS, last minute)", p(cpu), p(mem)),
    }
}

//! CPU and memory from CloudWatch: the cluster's Container Insights
//! setting (`ecs:DescribeClusters`) and every series in one
//! `cloudwatch:GetMetricData`.

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use aws_sdk_ecs::types::ClusterField;

use super::AwsCloud;
use crate::cloud::CloudResult;
use crate::model::metrics::{
    ContainerSeries, Insights, MetricsAsk, MetricsPage, Series, TaskSeries,
};
use crate::model::sanitize::clean;

/// GetMetricData takes at most 500 queries a call.
pub const MAX_QUERIES: usize = 500;

/// What one query reads, to put its answer back in place.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    ServiceCpu,
    ServiceMem,
    Task(usize, TaskMetric),
    Container(usize, usize, ContainerMetric),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TaskMetric {
    CpuUsed,
    CpuReserved,
    MemUsed,
    MemReserved,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ContainerMetric {
    Cpu,
    Mem,
}

fn dim(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

fn query(id: String, namespace: &str, name: &str, dims: Vec<Dimension>) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(namespace)
                        .metric_name(name)
                        .set_dimensions(Some(dims))
                        .build(),
                )
                .period(60)
                .stat("Average")
                .build(),
        )
        .return_data(true)
        .build()
}

/// Every query of `ask`, in order: the service's two, then each task's
/// four and each of its containers' two, as far as one call holds.
fn queries(ask: &MetricsAsk) -> Vec<(Slot, MetricDataQuery)> {
    let svc = || {
        vec![
            dim("ClusterName", &ask.cluster),
            dim("ServiceName", &ask.service),
        ]
    };
    let mut out = vec![
        (
            Slot::ServiceCpu,
            query("s_cpu".into(), "AWS/ECS", "CPUUtilization", svc()),
        ),
        (
            Slot::ServiceMem,
            query("s_mem".into(), "AWS/ECS", "MemoryUtilization", svc()),
        ),
    ];
    const NS: &str = "ECS/ContainerInsights";
    for (i, t) in ask.tasks.iter().enumerate() {
        let need = 4 + 2 * t.containers.len();
        if out.len() + need > MAX_QUERIES {
            // The rest too: the asks come most important first.
            break;
        }
        // {ClusterName, ServiceName, TaskId}: the documented task-level set.
        let task_dims = || {
            let mut d = svc();
            d.push(dim("TaskId", &t.id));
            d
        };
        for (m, name, id) in [
            (TaskMetric::CpuUsed, "CpuUtilized", "cu"),
            (TaskMetric::CpuReserved, "CpuReserved", "cr"),
            (TaskMetric::MemUsed, "MemoryUtilized", "mu"),
            (TaskMetric::MemReserved, "MemoryReserved", "mr"),
        ] {
            out.push((
                Slot::Task(i, m),
                query(format!("t{i}_{id}"), NS, name, task_dims()),
            ));
        }
        for (j, c) in t.containers.iter().enumerate() {
            // {ClusterName, ServiceName, TaskId, ContainerName}.
            let dims = || {
                let mut d = task_dims();
                d.push(dim("ContainerName", c));
                d
            };
            out.push((
                Slot::Container(i, j, ContainerMetric::Cpu),
                query(format!("t{i}_c{j}_cu"), NS, "ContainerCpuUtilized", dims()),
            ));
            out.push((
                Slot::Container(i, j, ContainerMetric::Mem),
                query(
                    format!("t{i}_c{j}_mu"),
                    NS,
                    "ContainerMemoryUtilized",
                    dims(),
                ),
            ));
        }
    }
    out
}

fn empty_page(ask: &MetricsAsk) -> MetricsPage {
    MetricsPage {
        tasks: ask
            .tasks
            .iter()
            .map(|t| TaskSeries {
                id: t.id.clone(),
                containers: t
                    .containers
                    .iter()
                    .map(|c| ContainerSeries {
                        name: c.clone(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn place(page: &mut MetricsPage, slot: Slot) -> Option<&mut Series> {
    Some(match slot {
        Slot::ServiceCpu => &mut page.service_cpu,
        Slot::ServiceMem => &mut page.service_mem,
        Slot::Task(i, m) => {
            let t = page.tasks.get_mut(i)?;
            match m {
                TaskMetric::CpuUsed => &mut t.cpu_used,
                TaskMetric::CpuReserved => &mut t.cpu_reserved,
                TaskMetric::MemUsed => &mut t.mem_used,
                TaskMetric::MemReserved => &mut t.mem_reserved,
            }
        }
        Slot::Container(i, j, m) => {
            let c = page.tasks.get_mut(i)?.containers.get_mut(j)?;
            match m {
                ContainerMetric::Cpu => &mut c.cpu_used,
                ContainerMetric::Mem => &mut c.mem_used,
            }
        }
    })
}

/// On a minute boundary (`up`: the next one): one-minute points are
/// stamped with their minute's start, and an unaligned window would cut
/// the first and last minutes into other buckets.
fn minute(t: crate::model::Time, up: bool) -> aws_sdk_cloudwatch::primitives::DateTime {
    let s = t.timestamp();
    let down = s.div_euclid(60) * 60;
    aws_sdk_cloudwatch::primitives::DateTime::from_secs(if up && down < s {
        down + 60
    } else {
        down
    })
}

impl AwsCloud {
    pub(super) async fn cluster_insights(&self, cluster: &str) -> CloudResult<Insights> {
        let out = self
            .c()
            .ecs
            .describe_clusters()
            .clusters(cluster)
            .include(ClusterField::Settings)
            .send()
            .await
            .map_err(|e| self.err(e, "ecs:DescribeClusters"))?;
        let setting = out.clusters().first().and_then(|c| {
            c.settings()
                .iter()
                .find(|s| s.name().map(|n| n.as_str()) == Some("containerInsights"))
                .and_then(|s| s.value())
                .map(clean)
        });
        Ok(Insights::from_setting(setting.as_deref()))
    }

    pub(super) async fn metric_data(&self, ask: &MetricsAsk) -> CloudResult<MetricsPage> {
        let qs = queries(ask);
        let mut page = empty_page(ask);
        page.left_out = ask
            .tasks
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                !qs.iter()
                    .any(|(s, _)| matches!(s, Slot::Task(t, _) if t == i))
            })
            .map(|(_, t)| t.id.clone())
            .collect();
        let mut points: Vec<Vec<(crate::model::Time, f64)>> = vec![Vec::new(); qs.len()];
        let mut token: Option<String> = None;
        let mut seen_tokens = std::collections::HashSet::new();
        loop {
            let out = self
                .c()
                .cw
                .get_metric_data()
                .set_metric_data_queries(Some(qs.iter().map(|(_, q)| q.clone()).collect()))
                .start_time(minute(ask.start, false))
                .end_time(minute(ask.end, true))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| self.err(e, "cloudwatch:GetMetricData"))?;
            for r in out.metric_data_results() {
                let Some(i) = qs.iter().position(|(_, q)| q.id() == r.id()) else {
                    continue;
                };
                // A series CloudWatch refused or failed reads as no data
                // unless said: say it.
                if let Some(code) = r.status_code().map(|c| c.as_str())
                    && matches!(code, "Forbidden" | "InternalError")
                {
                    let text = format!(
                        "{} {code}{}",
                        clean(r.label().unwrap_or_default()),
                        r.messages()
                            .iter()
                            .filter_map(|m| m.value())
                            .map(|v| format!(": {}", clean(v)))
                            .collect::<String>()
                    );
                    if !page.messages.contains(&text) {
                        page.messages.push(text);
                    }
                }
                for (t, v) in r.timestamps().iter().zip(r.values()) {
                    if let Some(at) = chrono::DateTime::from_timestamp(t.secs(), 0) {
                        points[i].push((at, *v));
                    }
                }
            }
            for m in out.messages() {
                let text = clean(m.value().unwrap_or_default());
                if !text.is_empty() && !page.messages.contains(&text) {
                    page.messages.push(text);
                }
            }
            // A repeated token would loop for ever.
            match out.next_token() {
                Some(t) if seen_tokens.insert(t.to_string()) => token = Some(t.to_string()),
                _ => break,
            }
        }
        for ((slot, _), p) in qs.iter().zip(points) {
            if let Some(s) = place(&mut page, *slot) {
                *s = Series::from_points(p);
            }
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests;

//! Plausible CPU and memory for the demo's tasks, as Container Insights
//! with enhanced observability would report them: mongod's memory grows
//! after start towards its 1024 MiB limit (the replaced task reached it
//! and was killed), its CPU is high while it starts, and the API's CPU
//! follows the requests in its log, so a drill's writes show as a spike.

use super::*;
use crate::model::metrics::{ContainerSeries, MetricsAsk, MetricsPage, Series, TaskSeries};

/// The task definition's task-level reservation.
const TASK_CPU: f64 = 1024.0;
const TASK_MEM: f64 = 2048.0;

/// A small, repeatable wobble for a task's minute.
fn jitter(id: &str, minute: i64, span: f64) -> f64 {
    let mut h: u64 = 1469598103934665603;
    for b in id.bytes().chain(minute.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(1099511628211);
    }
    (h % 1000) as f64 / 1000.0 * span
}

impl World {
    /// The answer to `ask` over the demo's tasks.
    pub fn metrics(&self, ask: &MetricsAsk) -> MetricsPage {
        let mut page = MetricsPage::default();
        let minutes = minutes(ask.start, ask.end);
        let mut cpu_pct: BTreeMap<Time, Vec<f64>> = BTreeMap::new();
        let mut mem_pct: BTreeMap<Time, Vec<f64>> = BTreeMap::new();
        for t in &self.tasks {
            let Some(started) = t.started_at else {
                continue;
            };
            let end = t.stopped_at.unwrap_or(ask.end);
            let live: Vec<Time> = minutes
                .iter()
                .copied()
                .filter(|m| *m >= started && *m < end)
                .collect();
            let mut series = TaskSeries {
                id: t.id.clone(),
                ..Default::default()
            };
            let mut api = ContainerSeries {
                name: "goals-api".into(),
                ..Default::default()
            };
            let mut db = ContainerSeries {
                name: "mongodb".into(),
                ..Default::default()
            };
            for m in &live {
                let age = (*m - started).num_seconds() as f64 / 60.0;
                let key = m.timestamp() / 60;
                // A read costs the API little; a write (a drill's marker,
                // its clean-up) a burst of JSON and a volume write.
                let (writes, reads) = self.lines_in("goals-api", &t.id, *m);
                let (writes, reads) = (writes as f64, reads as f64);
                let api_cpu =
                    (12.0 + jitter(&t.id, key, 8.0) + 0.6 * reads + 90.0 * writes).min(1024.0);
                let api_mem = 88.0 + jitter(&t.id, key, 6.0) + 0.05 * reads + 2.0 * writes;
                // Journal replay and index builds, then a quiet database.
                let db_cpu = if age < 2.0 { 310.0 } else { 24.0 } + jitter(&t.id, key + 7, 10.0);
                let db_mem = match t.crash {
                    // The replaced task climbed to its limit and was killed.
                    Some(_) => {
                        let left = (end - *m).num_seconds() as f64 / 60.0;
                        (1018.0 - 8.0 * left.max(0.0)).clamp(220.0, 1018.0)
                    }
                    None => 190.0 + 310.0 * (1.0 - (-age / 12.0).exp()),
                } + jitter(&t.id, key + 3, 4.0);
                api.cpu_used.points.push((*m, api_cpu));
                api.mem_used.points.push((*m, api_mem));
                db.cpu_used.points.push((*m, db_cpu));
                db.mem_used.points.push((*m, db_mem));
                let (cpu, mem) = (api_cpu + db_cpu, api_mem + db_mem);
                series.cpu_used.points.push((*m, cpu));
                series.cpu_reserved.points.push((*m, TASK_CPU));
                series.mem_used.points.push((*m, mem));
                series.mem_reserved.points.push((*m, TASK_MEM));
                cpu_pct.entry(*m).or_default().push(100.0 * cpu / TASK_CPU);
                mem_pct.entry(*m).or_default().push(100.0 * mem / TASK_MEM);
            }
            series.containers = vec![api, db];
            if let Some(a) = ask
                .tasks
                .iter()
                .find(|a| a.id == t.id)
                .filter(|_| self.container_insights)
            {
                series.containers.retain(|c| a.containers.contains(&c.name));
                page.tasks.push(series);
            }
        }
        let avg = |m: BTreeMap<Time, Vec<f64>>| {
            Series::from_points(
                m.into_iter()
                    .map(|(t, v)| (t, v.iter().sum::<f64>() / v.len() as f64))
                    .collect(),
            )
        };
        page.service_cpu = avg(cpu_pct);
        page.service_mem = avg(mem_pct);
        page
    }

    /// Lines a container of a task wrote in the minute from `m`: those
    /// of writes, and the others.
    fn lines_in(&self, container: &str, task_id: &str, m: Time) -> (usize, usize) {
        let Some(s) = self
            .logs
            .get(&format!("{LOG_PREFIX}/{container}/{task_id}"))
        else {
            return (0, 0);
        };
        let (from, to) = (m.timestamp_millis(), m.timestamp_millis() + 60_000);
        s.count_between(from, to)
    }
}

/// The minute starts from `start` (rounded up) to before `end`.
fn minutes(start: Time, end: Time) -> Vec<Time> {
    let first =
        start.timestamp().div_euclid(60) * 60 + if start.timestamp() % 60 == 0 { 0 } else { 60 };
    (0..)
        .map(|i| first + i * 60)
        .take_while(|s| *s < end.timestamp())
        .filter_map(|s| chrono::DateTime::from_timestamp(s, 0))
        .collect()
}

use std::collections::BTreeMap;

#[cfg(test)]
mod tests;

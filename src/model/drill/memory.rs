//! The old and new tasks' memory around a drill's restart, as CloudWatch
//! last had it: the old task's last minute before it stopped, the new
//! one's newest (often none yet: Container Insights is a minute or two
//! behind a task's start).

use serde::Serialize;

use crate::model::short_id;
use crate::model::world::World;

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct TaskMemory {
    pub task: String,
    /// `old` or `new`.
    pub role: String,
    /// The task's memory and its share of what it reserves; None when
    /// CloudWatch has no point for it.
    pub memory_mib: Option<f64>,
    pub memory_percent: Option<f64>,
    pub at: Option<String>,
    pub containers: Vec<ContainerMemory>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ContainerMemory {
    pub name: String,
    pub memory_mib: Option<f64>,
    pub limit_mib: Option<u32>,
    pub percent_of_limit: Option<f64>,
}

/// Each old and new task's figures, and the same in words for the notes.
pub fn around_restart(
    w: &World,
    old: &[String],
    new: &[String],
) -> (Vec<TaskMemory>, Option<String>) {
    if w.metrics.get().is_none() {
        return (Vec::new(), None);
    }
    let one = |arn: &String, role: &'static str| {
        let u = w.task_usage(arn);
        TaskMemory {
            task: crate::model::arn_tail(arn).to_string(),
            role: role.to_string(),
            memory_mib: u.and_then(|u| u.mem_mib),
            memory_percent: u.and_then(|u| u.mem_pct),
            at: u.and_then(|u| u.at).map(|t| t.to_rfc3339()),
            containers: u
                .map(|u| {
                    u.containers
                        .iter()
                        .map(|c| ContainerMemory {
                            name: c.name.clone(),
                            memory_mib: c.mem_mib,
                            limit_mib: c.limit_mib,
                            percent_of_limit: c.mem_pct,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    };
    let all: Vec<TaskMemory> = old
        .iter()
        .map(|a| one(a, "old"))
        .chain(new.iter().map(|a| one(a, "new")))
        .collect();
    let words: Vec<String> = all.iter().map(in_words).collect();
    let note =
        (!words.is_empty()).then(|| format!("memory around the restart: {}", words.join("; ")));
    (all, note)
}

fn in_words(t: &TaskMemory) -> String {
    let id = short_id(&t.task);
    let Some(mib) = t.memory_mib else {
        return format!(
            "{} task {id}: no CloudWatch point yet (Container Insights reports a minute or two late, and only with enhanced observability)",
            t.role
        );
    };
    let mut s = format!("{} task {id} {mib:.0} MiB", t.role);
    if let Some(p) = t.memory_percent {
        s.push_str(&format!(" ({p:.0} % of its reservation)"));
    }
    for c in &t.containers {
        if let (Some(m), Some(l), Some(p)) = (c.memory_mib, c.limit_mib, c.percent_of_limit) {
            s.push_str(&format!(", {} {m:.0} of {l} MiB ({p:.0} %)", c.name));
        }
    }
    s
}

#[cfg(test)]
mod tests;

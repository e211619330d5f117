//! CPU and memory as the panes show them: the last hour in one-minute
//! slots per chart, joined across task replacements (each task its own
//! series: a minute no task reported is a gap, never a zero or a line
//! drawn across), with a mark where a task started or stopped; and the
//! newest figures, as a percentage of what is reserved (tasks) or of the
//! hard limit (containers).

use serde::Serialize;

use super::{Warning, WarningKind};
use crate::model::metrics::{MetricsPage, Series, WINDOW_MIN};
use crate::model::{Task, TaskDef, Time, short_id};

/// One chart: `WINDOW_MIN` one-minute slots, oldest first, ending with
/// the minute before `end`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Chart {
    pub slots: Vec<Option<f64>>,
    /// Slots in which a task started or stopped.
    pub marks: Vec<usize>,
}

impl Chart {
    pub fn has_data(&self) -> bool {
        self.slots.iter().any(Option::is_some)
    }
}

/// A task's part of a joined chart: its life and its series.
pub struct Member<'a> {
    pub started: Option<Time>,
    pub stopped: Option<Time>,
    pub series: &'a Series,
}

/// The slot of the minute holding `at`, when it is in the window that
/// ends at `end` (a minute boundary: CloudWatch's points are stamped with
/// their minute's start).
fn slot_of(at: Time, end: Time) -> Option<usize> {
    let back = (end - at).num_seconds();
    if back <= 0 || back > WINDOW_MIN * 60 {
        return None;
    }
    usize::try_from(WINDOW_MIN - 1 - (back - 1) / 60).ok()
}

/// Joins the members' series into one chart: in each minute the newest
/// member that reported wins, so an old task draining beside its
/// replacement never mixes into the new series; marks at every start and
/// stop inside the window.
pub fn join(members: &[Member], end: Time) -> Chart {
    let mut slots = vec![None; WINDOW_MIN as usize];
    let mut order: Vec<&Member> = members.iter().collect();
    order.sort_by_key(|m| m.started);
    for m in order {
        for (at, v) in &m.series.points {
            if let Some(i) = slot_of(*at, end).and_then(|i| slots.get_mut(i)) {
                *i = Some(*v);
            }
        }
    }
    let marks = marks_at(members.iter().flat_map(|m| [m.started, m.stopped]), end);
    Chart { slots, marks }
}

/// The slots of the moments in the window, each once, in order.
fn marks_at(moments: impl Iterator<Item = Option<Time>>, end: Time) -> Vec<usize> {
    let mut marks: Vec<usize> = moments.flatten().filter_map(|t| slot_of(t, end)).collect();
    marks.sort_unstable();
    marks.dedup();
    marks
}

/// The chart of a series that spans tasks (the service's): its points,
/// and a mark at every task's start and stop.
pub fn with_marks(series: &Series, tasks: &[Task], end: Time) -> Chart {
    let mut c = join(
        &[Member {
            started: None,
            stopped: None,
            series,
        }],
        end,
    );
    c.marks = marks_at(tasks.iter().flat_map(|t| [t.started_at, t.stopped_at]), end);
    c
}

/// `used / of` as a percentage, per minute where both are known.
pub fn ratio(used: &Series, of: &Series, fixed: Option<f64>) -> Series {
    Series::from_points(
        used.points
            .iter()
            .filter_map(|(t, u)| {
                let d = of.at(*t).or(fixed)?;
                (d > 0.0).then(|| (*t, 100.0 * u / d))
            })
            .collect(),
    )
}

/// A series scaled to a percentage of a fixed amount.
pub fn of_fixed(used: &Series, of: f64) -> Series {
    ratio(used, &Series::default(), Some(of))
}

/// The figures of a task now, and its charts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TaskUsage {
    pub task_arn: String,
    /// Percent of the reserved CPU and memory, the newest point.
    pub cpu_pct: Option<f64>,
    pub mem_pct: Option<f64>,
    pub mem_mib: Option<f64>,
    pub mem_reserved_mib: Option<f64>,
    /// The task's own hard limit (task-level `memory`), which its
    /// containers share.
    pub limit_mib: Option<u32>,
    /// When the newest point was.
    pub at: Option<Time>,
    pub cpu: Chart,
    pub mem: Chart,
    pub containers: Vec<ContainerUsage>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ContainerUsage {
    pub name: String,
    pub cpu_pct: Option<f64>,
    pub mem_mib: Option<f64>,
    /// The hard limit: the container's `memory`, else the task's.
    pub limit_mib: Option<u32>,
    /// `limit_mib` is the container's own, not the task's it shares.
    pub own_limit: bool,
    pub mem_pct: Option<f64>,
    /// Percent of the limit, across the task's predecessors (one-task
    /// services), marked where one stopped and the next started.
    pub mem: Chart,
}

/// The container's hard memory limit: its own, else the task's.
pub fn hard_limit(td: Option<&TaskDef>, container: &str) -> Option<u32> {
    let td = td?;
    td.container(container)
        .and_then(|c| c.limits.memory_mib)
        .or(td.memory_mib)
}

/// Every task's figures and charts. `tasks` are the world's (running and
/// recently stopped); a task the page has no series for gets none.
pub fn task_usage(
    page: &MetricsPage,
    tasks: &[Task],
    tds: &[TaskDef],
    end: Time,
) -> Vec<TaskUsage> {
    let live = tasks.iter().filter(|t| !t.is_leaving()).count();
    let mut out = Vec::new();
    for t in tasks {
        let Some(s) = page.tasks.iter().find(|s| s.id == t.id()) else {
            continue;
        };
        let td = tds.iter().find(|d| d.arn == t.task_definition);
        let fixed = |v: Option<u32>| v.map(f64::from);
        let cpu = ratio(&s.cpu_used, &s.cpu_reserved, fixed(td.and_then(|d| d.cpu)));
        let mem = ratio(
            &s.mem_used,
            &s.mem_reserved,
            fixed(td.and_then(|d| d.memory_mib)),
        );
        let me = |series| Member {
            started: t.started_at,
            stopped: t.stopped_at,
            series,
        };
        // The tasks this one replaced: in a one-task service, every
        // earlier one; with several, which replaced which is not known.
        let before: Vec<&Task> = if live <= 1 {
            tasks
                .iter()
                .filter(|p| p.arn != t.arn && p.started_at < t.started_at)
                .collect()
        } else {
            Vec::new()
        };
        let containers = s
            .containers
            .iter()
            .map(|c| {
                let limit = hard_limit(td, &c.name);
                let pct_of = |task: &Task| {
                    let ptd = tds.iter().find(|d| d.arn == task.task_definition);
                    let series = page
                        .tasks
                        .iter()
                        .find(|s| s.id == task.id())
                        .and_then(|s| s.containers.iter().find(|x| x.name == c.name))
                        .map(|x| &x.mem_used);
                    match (series, hard_limit(ptd, &c.name)) {
                        (Some(s), Some(l)) => of_fixed(s, f64::from(l)),
                        _ => Series::default(),
                    }
                };
                let mine = pct_of(t);
                let theirs: Vec<(Option<Time>, Option<Time>, Series)> = before
                    .iter()
                    .map(|p| (p.started_at, p.stopped_at, pct_of(p)))
                    .collect();
                // Only those with points: a task that never reported (one
                // that failed to start) has nothing to mark on this chart.
                let mut members: Vec<Member> = theirs
                    .iter()
                    .filter(|(_, _, s)| !s.is_empty())
                    .map(|(a, b, s)| Member {
                        started: *a,
                        stopped: *b,
                        series: s,
                    })
                    .collect();
                members.push(Member {
                    started: t.started_at,
                    stopped: t.stopped_at,
                    series: &mine,
                });
                let cpu_of = fixed(
                    td.and_then(|d| d.container(&c.name))
                        .and_then(|d| d.limits.cpu)
                        .or(td.and_then(|d| d.cpu)),
                );
                ContainerUsage {
                    name: c.name.clone(),
                    cpu_pct: c
                        .cpu_used
                        .last()
                        .and_then(|(_, v)| cpu_of.filter(|d| *d > 0.0).map(|d| 100.0 * v / d)),
                    mem_mib: c.mem_used.last().map(|p| p.1),
                    limit_mib: limit,
                    own_limit: td
                        .and_then(|d| d.container(&c.name))
                        .is_some_and(|d| d.limits.memory_mib.is_some()),
                    mem_pct: mine.last().map(|p| p.1),
                    mem: join(&members, end),
                }
            })
            .collect();
        out.push(TaskUsage {
            task_arn: t.arn.clone(),
            cpu_pct: cpu.last().map(|p| p.1),
            mem_pct: mem.last().map(|p| p.1),
            mem_mib: s.mem_used.last().map(|p| p.1),
            mem_reserved_mib: s
                .mem_reserved
                .last()
                .map(|p| p.1)
                .or(fixed(td.and_then(|d| d.memory_mib))),
            limit_mib: td.and_then(|d| d.memory_mib),
            at: s.mem_used.last().or(s.cpu_used.last()).map(|p| p.0),
            cpu: join(&[me(&cpu)], end),
            mem: join(&[me(&mem)], end),
            containers,
        });
    }
    out
}

/// Above this share of its hard limit a container is near being killed.
pub const MEMORY_WARN_PCT: f64 = 90.0;

/// A running container over 90 % of its own hard limit, or a task over
/// 90 % of the limit its containers share, by the newest point (no older
/// than `fresh_min` minutes before `end`): at the limit the kernel kills
/// the process for its memory, and ECS reports OutOfMemoryError (exit 137
/// when it was the container's main process). A one-minute average can
/// hide a shorter peak: near the limit is already late.
pub fn memory_warnings(
    usage: &[TaskUsage],
    tasks: &[Task],
    end: Time,
    fresh_min: i64,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let killed = "at the limit the kernel kills it for its memory (OutOfMemoryError, exit 137)";
    for u in usage {
        let Some(t) = tasks.iter().find(|t| t.arn == u.task_arn) else {
            continue;
        };
        let recent = u.at.is_some_and(|at| (end - at).num_minutes() <= fresh_min);
        if t.is_stopped() || !recent {
            continue;
        }
        let id = short_id(&t.arn).to_string();
        let mut warn = |message: String| {
            out.push(Warning {
                kind: WarningKind::MemoryNearLimit,
                message,
                tasks: vec![id.clone()],
            })
        };
        for c in u.containers.iter().filter(|c| c.own_limit) {
            if let (Some(pct), Some(limit)) = (c.mem_pct, c.limit_mib)
                && pct > MEMORY_WARN_PCT
            {
                warn(format!(
                    "{} at {:.0} % of {limit} MiB (task {id}): {killed}",
                    c.name,
                    pct.floor()
                ));
            }
        }
        if let (Some(mib), Some(limit)) = (u.mem_mib, u.limit_mib) {
            let pct = 100.0 * mib / f64::from(limit);
            if limit > 0 && pct > MEMORY_WARN_PCT {
                warn(format!(
                    "task {id} at {:.0} % of its {limit} MiB, which its containers share: at the limit the kernel kills one of them for its memory (OutOfMemoryError, exit 137)",
                    pct.floor()
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;

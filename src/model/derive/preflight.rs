//! The restart-safety preflight: what will go wrong, or take long, when a
//! task of this service is restarted.

use serde::Serialize;

use super::mount::is_efs_mount_failure;

use crate::model::{FileSystem, Service, TargetGroup, Task, TaskDef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    SingleWriter,
    /// maximumPercent ≤ 100, but a stopped task drains and exits while its
    /// replacement starts.
    DrainOverlap,
    /// A deployment can neither stop a task first nor start one beside it.
    DeploymentStuck,
    LiveOverlap,
    NoHealthCheck,
    SlowHealthCheck,
    LongDeregistration,
    MissingMountTarget,
    MountFailed,
    /// A running container near its hard memory limit (CloudWatch).
    MemoryNearLimit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
    /// The tasks it is about (short ids), as data: the header names the
    /// overlapping tasks from here, never from the message's words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<String>,
}

const DATABASES: &[(&str, &str)] = &[
    ("mongo", "mongod.lock"),
    ("postgres", "postmaster.pid"),
    ("mysql", "ibdata lock"),
    ("mariadb", "ibdata lock"),
    ("redis", "its dump file"),
];

/// The database a container runs, judged by its image or name, and the lock
/// that two copies of it would fight over.
fn database_of(image: &str, name: &str) -> Option<(&'static str, &'static str)> {
    let image = image.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    DATABASES
        .iter()
        .find(|(db, _)| image.contains(db) || name.contains(db))
        .copied()
}

/// Seconds of passing checks a target that went unhealthy needs to turn
/// healthy again (a newly registered target needs only one).
pub fn time_to_healthy_s(tg: &TargetGroup) -> Option<i32> {
    Some(tg.health_check.interval_s? * tg.health_check.healthy_threshold?)
}

pub const SLOW_HEALTH_CHECK_S: i32 = 60;
pub const LONG_DEREGISTRATION_S: u32 = 60;
/// ECS's stopTimeout when the task definition sets none.
pub const DEFAULT_STOP_TIMEOUT_S: i32 = 30;
/// About the fastest a replacement task gets its containers running (a
/// Fargate task with a cached image; 35–60 s is usual). An old task that
/// may still run longer than this after a stop can meet its replacement.
pub const FASTEST_REPLACEMENT_S: i64 = 30;

/// Whether a rolling deployment of `desired` tasks can make progress:
/// ECS must be able to start a task beside the old ones (within
/// maximumPercent) or stop one first (within minimumHealthyPercent).
pub fn deployment_can_replace(desired: i32, min_percent: i32, max_percent: i32) -> bool {
    if desired <= 0 {
        return true;
    }
    let d = i64::from(desired);
    // floor(d × max / 100) and ceil(d × min / 100), in integers.
    let max_tasks = d * i64::from(max_percent) / 100;
    let min_tasks = (d * i64::from(min_percent) + 99) / 100;
    // Room for d + 1 tasks, or d − 1 tasks still enough.
    d < max_tasks || d > min_tasks
}

impl Warning {
    fn new(kind: WarningKind, message: String) -> Warning {
        Warning {
            kind,
            message,
            tasks: Vec::new(),
        }
    }
}

/// The restart-safety preflight: what will go wrong, or take long, when a
/// task of this service is restarted.
pub fn preflight(
    svc: &Service,
    td: Option<&TaskDef>,
    tgs: &[TargetGroup],
    fss: &[FileSystem],
    tasks: &[Task],
) -> Vec<Warning> {
    let mut out = Vec::new();
    if let Some(td) = td {
        databases_on_efs(&mut out, svc, td, tgs, tasks);
        if !deployment_can_replace(svc.desired, svc.config.min_percent, svc.config.max_percent) {
            out.push(Warning::new(
                WarningKind::DeploymentStuck,
                format!(
                    "deploy min {}% max {}% with {} task{}: a deployment can neither start a new task beside the old nor stop one first, so it cannot replace the task (it hangs); a stopped task is still replaced. Set minimumHealthyPercent 0 (or raise maximumPercent where two copies are safe)",
                    svc.config.min_percent,
                    svc.config.max_percent,
                    svc.desired,
                    if svc.desired == 1 { "" } else { "s" }
                ),
            ));
        }
        for c in td.containers.iter().filter(|c| c.essential) {
            if c.health_check.is_none() {
                out.push(Warning::new(
                    WarningKind::NoHealthCheck,
                    format!(
                        "{} has no container health check: ECS cannot tell when it is ready",
                        c.name
                    ),
                ));
            }
        }
        mount_targets(&mut out, td, fss, tasks);
    }
    for tg in tgs {
        target_group(&mut out, tg);
    }
    if let Some(t) = tasks.iter().find(|t| is_efs_mount_failure(t)) {
        out.push(Warning::new(
            WarningKind::MountFailed,
            format!(
                "task {} failed to mount EFS: {}",
                t.short(),
                t.stopped_reason.as_deref().unwrap_or("")
            ),
        ));
    }
    out
}

/// A database writing to an EFS volume: two copies of it on the same
/// files, by configuration (max percent, desired count, the drain
/// overlapping the replacement) or live (two tasks up now).
fn databases_on_efs(
    out: &mut Vec<Warning>,
    svc: &Service,
    td: &TaskDef,
    tgs: &[TargetGroup],
    tasks: &[Task],
) {
    for vol in &td.volumes {
        let Some(efs) = &vol.efs else { continue };
        for c in &td.containers {
            let Some(mp) = c.mount_points.iter().find(|m| m.volume == vol.name) else {
                continue;
            };
            if mp.read_only {
                continue;
            }
            let Some((db, lock)) = database_of(&c.image, &c.name) else {
                continue;
            };
            let proc_name = if db == "mongo" { "mongod" } else { db };
            if svc.config.max_percent > 100 {
                out.push(Warning::new(
                    WarningKind::SingleWriter,
                    format!(
                        "max {}% with {} on EFS volume \"{}\" ({}): a restart can start a second {proc_name} on the same files ({lock}); set maximumPercent 100 and minimumHealthyPercent 0",
                        svc.config.max_percent, c.name, vol.name, efs.file_system_id
                    ),
                ));
            } else if svc.desired >= 1 {
                // The replacement of a stopped task is launched at once;
                // the old one first drains, then has stopTimeout to exit.
                let drain = tgs
                    .iter()
                    .filter_map(|g| g.deregistration_delay_s)
                    .max()
                    .unwrap_or(0);
                let stop = c.stop_timeout_s.unwrap_or(DEFAULT_STOP_TIMEOUT_S).max(0);
                let window = i64::from(drain) + i64::from(stop);
                if window > FASTEST_REPLACEMENT_S {
                    out.push(Warning::new(
                        WarningKind::DrainOverlap,
                        format!(
                            "{} on EFS volume \"{}\": a stopped task drains {drain} s (deregistration delay) and its {proc_name} may run {stop} s more (stopTimeout) while ECS starts the replacement; a replacement up within that {window} s opens the same files ({lock}). Lower the deregistration delay",
                            c.name, vol.name
                        ),
                    ));
                }
            }
            if svc.desired > 1 {
                out.push(Warning::new(
                    WarningKind::SingleWriter,
                    format!(
                        "desired count {} with {} on EFS volume \"{}\": every task runs its own {proc_name} on the same files ({lock})",
                        svc.desired, c.name, vol.name
                    ),
                ));
            }
            let alive: Vec<&Task> = tasks.iter().filter(|t| !t.is_stopped()).collect();
            if alive.len() > 1 {
                let ids: Vec<&str> = alive.iter().map(|t| t.short()).collect();
                out.push(Warning {
                    kind: WarningKind::LiveOverlap,
                    tasks: ids.iter().map(|i| i.to_string()).collect(),
                    message: format!(
                        "{} tasks are up at once on EFS volume \"{}\" ({}): {proc_name} lock conflict likely",
                        alive.len(),
                        vol.name,
                        ids.join(", ")
                    ),
                });
            }
        }
    }
}

/// An EFS file system with no mount target in an AZ the service's tasks
/// run in: they cannot mount it.
fn mount_targets(out: &mut Vec<Warning>, td: &TaskDef, fss: &[FileSystem], tasks: &[Task]) {
    for vol in &td.volumes {
        let Some(efs) = &vol.efs else { continue };
        let Some(fs) = fss.iter().find(|f| f.id == efs.file_system_id) else {
            continue;
        };
        let mut azs: Vec<&str> = tasks
            .iter()
            .filter(|t| !t.is_stopped())
            .filter_map(|t| t.az.as_deref())
            .collect();
        azs.sort_unstable();
        azs.dedup();
        for az in azs {
            if !fs.mount_targets.iter().any(|m| m.az.as_deref() == Some(az)) {
                out.push(Warning::new(
                    WarningKind::MissingMountTarget,
                    format!(
                        "{} has no mount target in {az}, where the service runs tasks: they cannot mount \"{}\"",
                        fs.id, vol.name
                    ),
                ));
            }
        }
    }
}

/// A target group's health checks slow to recover, or a long drain.
fn target_group(out: &mut Vec<Warning>, tg: &TargetGroup) {
    if let Some(s) = time_to_healthy_s(tg).filter(|s| *s >= SLOW_HEALTH_CHECK_S) {
        out.push(Warning::new(
            WarningKind::SlowHealthCheck,
            format!(
                "{}: a new target takes traffic after one passing check (every {} s), but one that failed checks first (probed before the API listened) needs {} × {} s = {s} s of passing checks to recover",
                tg.name,
                tg.health_check.interval_s.unwrap_or(0),
                tg.health_check.healthy_threshold.unwrap_or(0),
                tg.health_check.interval_s.unwrap_or(0)
            ),
        ));
    }
    if let Some(d) = tg
        .deregistration_delay_s
        .filter(|d| *d > LONG_DEREGISTRATION_S)
    {
        out.push(Warning::new(
            WarningKind::LongDeregistration,
            format!(
                "{}: deregistration delay {d} s: a stopped task drains that long before it stops",
                tg.name
            ),
        ));
    }
}

#[cfg(test)]
mod tests;

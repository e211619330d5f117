//! Per-task EFS mount inference: no AWS API reports it, so it is read
//! from the mount target in the task's AZ, the stop reason and the
//! database container's health.

use serde::Serialize;

use crate::model::{FileSystem, Task, TaskDef};

/// What can be said about a task's EFS mount. No AWS API reports it, so it
/// is inferred from the mount target in the task's AZ, the task's stop
/// reason and the health of the container that uses the volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "snake_case")]
pub enum MountStatus {
    /// Running, mount target available, and the container using the volume
    /// is healthy.
    Mounted,
    /// Running, mount target available, but nothing confirms the mount
    /// (no health check, or not healthy yet).
    Likely(String),
    Pending,
    /// The task is stopping (DEACTIVATING, STOPPING, DEPROVISIONING, or
    /// RUNNING and asked to stop): it still holds the volume, and its
    /// database may still be writing.
    Stopping,
    Failed(String),
    NoMountTarget(String),
    MountTargetNotAvailable(String),
    Unknown(String),
    Stopped,
}

impl MountStatus {
    pub fn label(&self) -> String {
        match self {
            MountStatus::Mounted => "mounted ✓".into(),
            MountStatus::Likely(why) => format!("likely mounted ({why})"),
            MountStatus::Pending => "mounting…".into(),
            MountStatus::Stopping => "mounted, stopping".into(),
            MountStatus::Failed(r) => format!("MOUNT FAILED: {r}"),
            MountStatus::NoMountTarget(az) => format!("no mount target in {az}"),
            MountStatus::MountTargetNotAvailable(s) => format!("mount target {s}"),
            MountStatus::Unknown(why) => format!("unknown ({why})"),
            MountStatus::Stopped => "task stopped".into(),
        }
    }
    pub fn is_problem(&self) -> bool {
        matches!(
            self,
            MountStatus::Failed(_)
                | MountStatus::NoMountTarget(_)
                | MountStatus::MountTargetNotAvailable(_)
        )
    }
}

/// A stop reason that means the EFS volume could not be mounted.
pub fn is_efs_mount_failure(task: &Task) -> bool {
    let reason = task.stopped_reason.as_deref().unwrap_or("");
    reason.starts_with("ResourceInitializationError")
        && (reason.contains("EFS") || reason.contains("efs"))
}

pub fn mount_status(task: &Task, task_def: &TaskDef, volume: &str, fs: &FileSystem) -> MountStatus {
    if is_efs_mount_failure(task) {
        return MountStatus::Failed(task.stopped_reason.clone().unwrap_or_default());
    }
    if task.is_stopped() {
        return MountStatus::Stopped;
    }
    let Some(az) = task.az.as_deref() else {
        return MountStatus::Unknown("task AZ not known".into());
    };
    let Some(mt) = fs
        .mount_targets
        .iter()
        .find(|m| m.az.as_deref() == Some(az))
    else {
        return MountStatus::NoMountTarget(az.to_string());
    };
    if mt.state != "available" {
        return MountStatus::MountTargetNotAvailable(mt.state.clone());
    }
    let leaving = matches!(
        task.last_status.as_str(),
        "DEACTIVATING" | "STOPPING" | "DEPROVISIONING"
    ) || (task.last_status == "RUNNING" && task.desired_status == "STOPPED");
    if leaving {
        return MountStatus::Stopping;
    }
    if task.last_status != "RUNNING" {
        return MountStatus::Pending;
    }
    let users: Vec<&str> = task_def
        .containers
        .iter()
        .filter(|c| c.mount_points.iter().any(|m| m.volume == volume))
        .map(|c| c.name.as_str())
        .collect();
    let healths: Vec<Option<&str>> = task
        .containers
        .iter()
        .filter(|c| users.contains(&c.name.as_str()))
        .map(|c| c.health.as_deref())
        .collect();
    if !healths.is_empty() && healths.iter().all(|h| *h == Some("HEALTHY")) {
        MountStatus::Mounted
    } else if healths.contains(&Some("UNHEALTHY")) {
        MountStatus::Likely(format!("{} UNHEALTHY", users.join(", ")))
    } else if task_def
        .containers
        .iter()
        .filter(|c| users.contains(&c.name.as_str()))
        .all(|c| c.health_check.is_none())
    {
        MountStatus::Likely("no health check to confirm".into())
    } else {
        MountStatus::Likely("waiting for health check".into())
    }
}

#[cfg(test)]
mod tests;

//! The joins every view shows, computed once per observation: which task
//! owns each target, and each task's mount of each EFS volume.

use serde::Serialize;

use super::join::{binding_for, task_for_target};
use super::mount::{MountStatus, is_efs_mount_failure, mount_status};
use crate::model::{FileSystem, Service, TargetGroup, Task, TaskDef};

/// For each target group, for each of its targets (in their order): the
/// ARN of the task behind it.
pub fn target_owners(
    service: &Service,
    groups: &[TargetGroup],
    tasks: &[Task],
) -> Vec<Vec<Option<String>>> {
    groups
        .iter()
        .map(|g| {
            let b = binding_for(service, g);
            g.targets
                .iter()
                .map(|t| task_for_target(g, b, t, tasks).map(|t| t.arn.clone()))
                .collect()
        })
        .collect()
}

/// One task's mount of one EFS volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskMount {
    pub task_arn: String,
    pub volume: String,
    pub file_system: String,
    pub status: MountStatus,
}

/// Every living task's mount of every EFS volume of its own task
/// definition whose file system is known, and the stopped tasks that
/// failed to mount one.
pub fn task_mounts(tds: &[TaskDef], file_systems: &[FileSystem], tasks: &[Task]) -> Vec<TaskMount> {
    let mut out = Vec::new();
    for t in tasks
        .iter()
        .filter(|t| !t.is_stopped() || is_efs_mount_failure(t))
    {
        let Some(td) = tds.iter().find(|td| td.arn == t.task_definition) else {
            continue;
        };
        for v in &td.volumes {
            let Some(e) = &v.efs else { continue };
            let Some(fs) = file_systems.iter().find(|f| f.id == e.file_system_id) else {
                continue;
            };
            out.push(TaskMount {
                task_arn: t.arn.clone(),
                volume: v.name.clone(),
                file_system: fs.id.clone(),
                status: mount_status(t, td, &v.name, fs),
            });
        }
    }
    out
}

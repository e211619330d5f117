//! Pure derivations over the domain types: the target↔task join, the
//! service verdict, per-task EFS mount inference and the restart-safety
//! preflight. No I/O; everything here is unit-tested.

use serde::Serialize;

use super::{FileSystem, LbBinding, Service, Target, TargetGroup, Task, TaskDef};

/// The service binding that points at this target group, if any.
pub fn binding_for<'a>(service: &'a Service, tg: &TargetGroup) -> Option<&'a LbBinding> {
    service
        .load_balancers
        .iter()
        .find(|b| b.target_group_arn == tg.arn)
}

/// The task behind a target. awsvpc tasks are joined by the private IPv4 of
/// their ENI and the container port; bridge/host tasks by EC2 instance and
/// host port. When an IP was reused, a task that is still around wins over
/// one that has stopped.
pub fn task_for_target<'a>(
    tg: &TargetGroup,
    binding: Option<&LbBinding>,
    target: &Target,
    tasks: &'a [Task],
) -> Option<&'a Task> {
    let matches = |t: &&Task| -> bool {
        if tg.target_type == "instance" {
            if t.ec2_instance.as_deref() != Some(target.id.as_str()) {
                return false;
            }
            let Some(port) = target.port else {
                return true;
            };
            t.containers.iter().any(|c| {
                binding.is_none_or(|b| b.container_name == c.name)
                    && c.bindings.iter().any(|&(cp, hp)| {
                        hp == port && binding.is_none_or(|b| b.container_port == cp)
                    })
            })
        } else {
            if t.private_ip.as_deref() != Some(target.id.as_str()) {
                return false;
            }
            match (binding, target.port) {
                (Some(b), Some(p)) => b.container_port == p,
                _ => true,
            }
        }
    };
    let mut found: Vec<&Task> = tasks.iter().filter(matches).collect();
    found.sort_by_key(|t| (t.is_stopped(), std::cmp::Reverse(t.created_at)));
    found.into_iter().next()
}

/// The target for a task in any of the service's target groups.
pub fn targets_for_task<'a>(
    service: &Service,
    tgs: &'a [TargetGroup],
    task: &Task,
    tasks: &[Task],
) -> Vec<(&'a TargetGroup, &'a Target)> {
    let mut out = Vec::new();
    for tg in tgs {
        let b = binding_for(service, tg);
        for target in &tg.targets {
            if task_for_target(tg, b, target, tasks).is_some_and(|t| t.arn == task.arn) {
                out.push((tg, target));
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Degraded,
    Down,
    Unknown,
}

impl Health {
    pub fn word(self) -> &'static str {
        match self {
            Health::Healthy => "HEALTHY",
            Health::Degraded => "DEGRADED",
            Health::Down => "DOWN",
            Health::Unknown => "UNKNOWN",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub health: Health,
    pub reason: String,
}

impl Verdict {
    fn new(health: Health, reason: impl Into<String>) -> Self {
        Verdict {
            health,
            reason: reason.into(),
        }
    }
}

fn is_live(t: &Task) -> bool {
    t.desired_status == "RUNNING" && t.last_status == "RUNNING"
}

/// One word for the whole service, and why. "Steady" is not "healthy": a
/// service whose target group has no healthy target is down even when ECS
/// reports the desired count running.
pub fn verdict(
    service: Option<&Service>,
    tasks: Option<&[Task]>,
    tgs: Option<&[TargetGroup]>,
) -> Verdict {
    let Some(svc) = service else {
        return Verdict::new(Health::Unknown, "service not loaded yet");
    };
    if svc.status != "ACTIVE" {
        return Verdict::new(Health::Down, format!("service is {}", svc.status));
    }
    if svc.desired == 0 {
        return Verdict::new(Health::Down, "desired count is 0");
    }
    let live: Vec<&Task> = tasks
        .map(|ts| ts.iter().filter(|t| is_live(t)).collect())
        .unwrap_or_default();
    let running = if tasks.is_some() {
        live.len() as i32
    } else {
        svc.running
    };
    if running == 0 {
        return Verdict::new(Health::Down, format!("0/{} tasks running", svc.desired));
    }
    let mut healthy_targets = 0usize;
    let mut target_problem: Option<String> = None;
    if let Some(tgs) = tgs.filter(|_| !svc.load_balancers.is_empty()) {
        for tg in tgs {
            let b = binding_for(svc, tg);
            for target in &tg.targets {
                let owner = tasks.and_then(|ts| task_for_target(tg, b, target, ts));
                if target.state == "healthy" {
                    healthy_targets += 1;
                } else if owner.is_none_or(|t| !t.is_leaving()) && target.state != "draining" {
                    target_problem.get_or_insert_with(|| {
                        format!(
                            "target {} {}{}",
                            target.id,
                            target.state,
                            target
                                .reason
                                .as_deref()
                                .map(|r| format!(" ({r})"))
                                .unwrap_or_default()
                        )
                    });
                }
            }
        }
        if healthy_targets == 0 {
            let names: Vec<&str> = tgs.iter().map(|t| t.name.as_str()).collect();
            return Verdict::new(
                Health::Down,
                format!("no healthy target in {}", names.join(", ")),
            );
        }
    }
    for t in &live {
        for c in &t.containers {
            if c.health.as_deref() == Some("UNHEALTHY") {
                return Verdict::new(
                    Health::Degraded,
                    format!("{} in task {} is UNHEALTHY", c.name, t.short()),
                );
            }
        }
    }
    if running < svc.desired {
        return Verdict::new(
            Health::Degraded,
            format!("{running}/{} tasks running", svc.desired),
        );
    }
    if let Some(p) = target_problem {
        return Verdict::new(Health::Degraded, p);
    }
    if let Some(d) = svc
        .deployments
        .iter()
        .find(|d| d.rollout_state.as_deref() == Some("FAILED"))
    {
        return Verdict::new(
            Health::Degraded,
            format!(
                "deployment failed: {}",
                d.rollout_reason.as_deref().unwrap_or("no reason given")
            ),
        );
    }
    if svc.deployments.len() > 1 {
        return Verdict::new(Health::Degraded, "deployment in progress");
    }
    let mut reason = format!("{running}/{} running", svc.desired);
    if !svc.load_balancers.is_empty() && tgs.is_some() {
        reason.push_str(&format!(
            ", {healthy_targets} target{} healthy",
            if healthy_targets == 1 { "" } else { "s" }
        ));
    }
    Verdict::new(Health::Healthy, reason)
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    SingleWriter,
    LiveOverlap,
    NoHealthCheck,
    SlowHealthCheck,
    LongDeregistration,
    MissingMountTarget,
    MountFailed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
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

/// Seconds a new target needs before the ALB calls it healthy.
pub fn time_to_healthy_s(tg: &TargetGroup) -> Option<i32> {
    Some(tg.health_check.interval_s? * tg.health_check.healthy_threshold?)
}

pub const SLOW_HEALTH_CHECK_S: i32 = 60;
pub const LONG_DEREGISTRATION_S: u32 = 60;

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
                    out.push(Warning {
                        kind: WarningKind::SingleWriter,
                        message: format!(
                            "max {}% with {} on EFS volume \"{}\" ({}): a restart can start a second {proc_name} on the same files ({lock}); set maximumPercent to 100",
                            svc.config.max_percent, c.name, vol.name, efs.file_system_id
                        ),
                    });
                }
                if svc.desired > 1 {
                    out.push(Warning {
                        kind: WarningKind::SingleWriter,
                        message: format!(
                            "desired count {} with {} on EFS volume \"{}\": every task runs its own {proc_name} on the same files ({lock})",
                            svc.desired, c.name, vol.name
                        ),
                    });
                }
                let alive: Vec<&Task> = tasks.iter().filter(|t| !t.is_stopped()).collect();
                if alive.len() > 1 {
                    let ids: Vec<&str> = alive.iter().map(|t| t.short()).collect();
                    out.push(Warning {
                        kind: WarningKind::LiveOverlap,
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
        for c in td.containers.iter().filter(|c| c.essential) {
            if c.health_check.is_none() {
                out.push(Warning {
                    kind: WarningKind::NoHealthCheck,
                    message: format!(
                        "{} has no container health check: ECS cannot tell when it is ready",
                        c.name
                    ),
                });
            }
        }
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
                    out.push(Warning {
                        kind: WarningKind::MissingMountTarget,
                        message: format!(
                            "{} has no mount target in {az}, where the service runs tasks: they cannot mount \"{}\"",
                            fs.id, vol.name
                        ),
                    });
                }
            }
        }
    }
    for tg in tgs {
        if let Some(s) = time_to_healthy_s(tg).filter(|s| *s >= SLOW_HEALTH_CHECK_S) {
            out.push(Warning {
                kind: WarningKind::SlowHealthCheck,
                message: format!(
                    "{}: a new target needs {} × {} s = {s} s of passing checks before it takes traffic",
                    tg.name,
                    tg.health_check.healthy_threshold.unwrap_or(0),
                    tg.health_check.interval_s.unwrap_or(0)
                ),
            });
        }
        if let Some(d) = tg
            .deregistration_delay_s
            .filter(|d| *d > LONG_DEREGISTRATION_S)
        {
            out.push(Warning {
                kind: WarningKind::LongDeregistration,
                message: format!(
                    "{}: deregistration delay {d} s: a stopped task drains that long before it stops",
                    tg.name
                ),
            });
        }
    }
    if let Some(t) = tasks.iter().find(|t| is_efs_mount_failure(t)) {
        out.push(Warning {
            kind: WarningKind::MountFailed,
            message: format!(
                "task {} failed to mount EFS: {}",
                t.short(),
                t.stopped_reason.as_deref().unwrap_or("")
            ),
        });
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::*;
    use chrono::TimeZone;

    pub fn ts(secs: i64) -> Option<Time> {
        Utc.timestamp_opt(1_790_000_000 + secs, 0).single()
    }

    pub fn service() -> Service {
        Service {
            name: "goals-service".into(),
            arn: "arn:aws:ecs:us-east-1:123456789012:service/goals-cluster/goals-service".into(),
            cluster: "goals-cluster".into(),
            status: "ACTIVE".into(),
            launch_type: Some("FARGATE".into()),
            desired: 1,
            running: 1,
            pending: 0,
            task_definition: "arn:aws:ecs:us-east-1:123456789012:task-definition/goals:3".into(),
            deployments: vec![Deployment {
                id: "ecs-svc/1".into(),
                status: "PRIMARY".into(),
                rollout_state: Some("COMPLETED".into()),
                rollout_reason: None,
                task_definition: "arn:aws:ecs:us-east-1:123456789012:task-definition/goals:3"
                    .into(),
                desired: 1,
                running: 1,
                pending: 0,
                failed: 0,
                updated_at: ts(0),
            }],
            config: DeploymentConfig {
                min_percent: 0,
                max_percent: 100,
                circuit_breaker: Some(CircuitBreaker {
                    enable: true,
                    rollback: true,
                }),
            },
            load_balancers: vec![LbBinding {
                target_group_arn: "arn:tg/goals-tg".into(),
                container_name: "goals-api".into(),
                container_port: 80,
            }],
            events: vec![],
        }
    }

    pub fn task_def() -> TaskDef {
        TaskDef {
            arn: "arn:aws:ecs:us-east-1:123456789012:task-definition/goals:3".into(),
            family: "goals".into(),
            revision: 3,
            network_mode: "awsvpc".into(),
            containers: vec![
                ContainerDef {
                    name: "goals-api".into(),
                    image: "node:18".into(),
                    essential: true,
                    health_check: Some(vec![
                        "CMD-SHELL".into(),
                        "wget -q -O- localhost/goals".into(),
                    ]),
                    mount_points: vec![],
                    log: None,
                },
                ContainerDef {
                    name: "mongodb".into(),
                    image: "mongo:7".into(),
                    essential: true,
                    health_check: Some(vec!["CMD".into(), "mongosh".into()]),
                    mount_points: vec![MountPoint {
                        volume: "data".into(),
                        path: "/data/db".into(),
                        read_only: false,
                    }],
                    log: None,
                },
            ],
            volumes: vec![Volume {
                name: "data".into(),
                efs: Some(EfsVolume {
                    file_system_id: "fs-a85a7c53".into(),
                    root_directory: Some("/".into()),
                    access_point: None,
                    transit_encryption: true,
                    iam: false,
                }),
            }],
        }
    }

    pub fn task(id: &str, ip: &str, last: &str, desired: &str) -> Task {
        Task {
            arn: format!("arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/{id}"),
            task_definition: "arn:aws:ecs:us-east-1:123456789012:task-definition/goals:3".into(),
            last_status: last.into(),
            desired_status: desired.into(),
            health: Some("HEALTHY".into()),
            launch_type: Some("FARGATE".into()),
            az: Some("us-east-1a".into()),
            private_ip: Some(ip.into()),
            ec2_instance: None,
            created_at: ts(0),
            started_at: ts(30),
            stopping_at: None,
            stopped_at: None,
            stop_code: None,
            stopped_reason: None,
            containers: vec![
                Container {
                    name: "goals-api".into(),
                    image: "node:18".into(),
                    last_status: last.into(),
                    health: Some("HEALTHY".into()),
                    exit_code: None,
                    reason: None,
                    bindings: vec![],
                },
                Container {
                    name: "mongodb".into(),
                    image: "mongo:7".into(),
                    last_status: last.into(),
                    health: Some("HEALTHY".into()),
                    exit_code: None,
                    reason: None,
                    bindings: vec![],
                },
            ],
        }
    }

    pub fn target(ip: &str, state: &str, reason: Option<&str>) -> Target {
        Target {
            id: ip.into(),
            port: Some(80),
            az: Some("us-east-1a".into()),
            state: state.into(),
            reason: reason.map(Into::into),
            description: None,
        }
    }

    pub fn tg(targets: Vec<Target>) -> TargetGroup {
        TargetGroup {
            arn: "arn:tg/goals-tg".into(),
            name: "goals-tg".into(),
            protocol: Some("HTTP".into()),
            port: Some(80),
            target_type: "ip".into(),
            health_check: HealthCheck {
                protocol: Some("HTTP".into()),
                path: Some("/goals".into()),
                port: Some("traffic-port".into()),
                interval_s: Some(10),
                timeout_s: Some(5),
                healthy_threshold: Some(2),
                unhealthy_threshold: Some(2),
                matcher: Some("200".into()),
            },
            deregistration_delay_s: Some(30),
            load_balancers: vec![],
            targets,
        }
    }

    pub fn fs(azs: &[&str]) -> FileSystem {
        FileSystem {
            id: "fs-a85a7c53".into(),
            name: Some("goals-data".into()),
            lifecycle: "available".into(),
            size_bytes: 6 << 20,
            mount_target_count: azs.len() as i32,
            mount_targets: azs
                .iter()
                .enumerate()
                .map(|(i, az)| MountTarget {
                    id: format!("fsmt-{i}"),
                    az: Some(az.to_string()),
                    state: "available".into(),
                    ip: Some(format!("10.0.{i}.9")),
                })
                .collect(),
        }
    }

    #[test]
    fn awsvpc_join_by_ip_and_container_port() {
        let svc = service();
        let tasks = vec![
            task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING"),
            task("bbbb2222", "10.0.1.6", "RUNNING", "RUNNING"),
        ];
        let group = tg(vec![target("10.0.1.6", "healthy", None)]);
        let t = task_for_target(&group, binding_for(&svc, &group), &group.targets[0], &tasks);
        assert_eq!(t.map(|t| t.short()), Some("bbbb2222"));
        // A different port is another container, not this binding.
        let mut other = target("10.0.1.6", "healthy", None);
        other.port = Some(8080);
        assert!(task_for_target(&group, binding_for(&svc, &group), &other, &tasks).is_none());
    }

    #[test]
    fn reused_ip_prefers_the_task_still_running() {
        let svc = service();
        let mut old = task("old00000", "10.0.1.5", "STOPPED", "STOPPED");
        old.created_at = ts(-600);
        let new = task("new00000", "10.0.1.5", "RUNNING", "RUNNING");
        let tasks = vec![old, new];
        let group = tg(vec![target("10.0.1.5", "healthy", None)]);
        let t = task_for_target(&group, binding_for(&svc, &group), &group.targets[0], &tasks);
        assert_eq!(t.map(|t| t.short()), Some("new00000"));
    }

    #[test]
    fn bridge_join_by_instance_and_host_port() {
        let mut svc = service();
        svc.load_balancers[0].container_port = 3000;
        let mut a = task("aaaa1111", "", "RUNNING", "RUNNING");
        a.private_ip = None;
        a.ec2_instance = Some("i-0abc".into());
        a.containers[0].bindings = vec![(3000, 32768)];
        let mut b = a.clone();
        b.arn = b.arn.replace("aaaa1111", "bbbb2222");
        b.containers[0].bindings = vec![(3000, 32769)];
        let tasks = vec![a, b];
        let mut group = tg(vec![Target {
            id: "i-0abc".into(),
            port: Some(32769),
            az: None,
            state: "healthy".into(),
            reason: None,
            description: None,
        }]);
        group.target_type = "instance".into();
        let t = task_for_target(&group, binding_for(&svc, &group), &group.targets[0], &tasks);
        assert_eq!(t.map(|t| t.short()), Some("bbbb2222"));
        let found = targets_for_task(&svc, std::slice::from_ref(&group), &tasks[1], &tasks);
        assert_eq!(found.len(), 1);
        assert!(targets_for_task(&svc, &[group], &tasks[0], &tasks).is_empty());
    }

    #[test]
    fn verdict_healthy_when_running_and_target_healthy() {
        let svc = service();
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let tgs = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
        let v = verdict(Some(&svc), Some(&tasks), Some(&tgs));
        assert_eq!(v.health, Health::Healthy, "{v:?}");
        assert_eq!(v.reason, "1/1 running, 1 target healthy");
    }

    #[test]
    fn verdict_down_with_empty_target_group_even_if_steady() {
        let svc = service();
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let tgs = vec![tg(vec![])];
        let v = verdict(Some(&svc), Some(&tasks), Some(&tgs));
        assert_eq!(v.health, Health::Down);
        assert!(v.reason.contains("no healthy target in goals-tg"));
    }

    #[test]
    fn verdict_down_without_running_task() {
        let svc = service();
        let tasks = vec![task("aaaa1111", "10.0.1.5", "STOPPED", "STOPPED")];
        let v = verdict(Some(&svc), Some(&tasks), None);
        assert_eq!(v.health, Health::Down);
        assert_eq!(v.reason, "0/1 tasks running");
    }

    #[test]
    fn verdict_degraded_on_unhealthy_container_or_initial_target() {
        let svc = service();
        let mut t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
        t.containers[1].health = Some("UNHEALTHY".into());
        let tgs = vec![tg(vec![target("10.0.1.5", "healthy", None)])];
        let v = verdict(Some(&svc), Some(std::slice::from_ref(&t)), Some(&tgs));
        assert_eq!(v.health, Health::Degraded);
        assert!(v.reason.contains("mongodb"));

        let mut svc2 = service();
        svc2.desired = 2;
        let tasks = vec![
            task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING"),
            task("bbbb2222", "10.0.1.6", "RUNNING", "RUNNING"),
        ];
        let tgs = vec![tg(vec![
            target("10.0.1.5", "healthy", None),
            target("10.0.1.6", "initial", Some("Elb.RegistrationInProgress")),
        ])];
        let v = verdict(Some(&svc2), Some(&tasks), Some(&tgs));
        assert_eq!(v.health, Health::Degraded);
        assert_eq!(
            v.reason,
            "target 10.0.1.6 initial (Elb.RegistrationInProgress)"
        );
    }

    #[test]
    fn draining_target_of_a_leaving_task_does_not_degrade() {
        let svc = service();
        let tasks = vec![
            task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING"),
            task("old00000", "10.0.1.9", "RUNNING", "STOPPED"),
        ];
        let tgs = vec![tg(vec![
            target("10.0.1.5", "healthy", None),
            target(
                "10.0.1.9",
                "draining",
                Some("Target.DeregistrationInProgress"),
            ),
        ])];
        assert_eq!(
            verdict(Some(&svc), Some(&tasks), Some(&tgs)).health,
            Health::Healthy
        );
    }

    #[test]
    fn verdict_unknown_before_load_and_degraded_on_failed_rollout() {
        assert_eq!(verdict(None, None, None).health, Health::Unknown);
        let mut svc = service();
        svc.deployments[0].rollout_state = Some("FAILED".into());
        svc.deployments[0].rollout_reason = Some("tasks failed to start".into());
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let v = verdict(Some(&svc), Some(&tasks), None);
        assert_eq!(v.health, Health::Degraded);
        assert_eq!(v.reason, "deployment failed: tasks failed to start");
    }

    #[test]
    fn efs_mount_failure_is_detected_from_stop_reason() {
        let td = task_def();
        let mut t = task("aaaa1111", "10.0.1.5", "STOPPED", "STOPPED");
        t.stop_code = Some("TaskFailedToStart".into());
        t.stopped_reason = Some("ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection timed out".into());
        match mount_status(&t, &td, "data", &fs(&["us-east-1a"])) {
            MountStatus::Failed(r) => assert!(r.contains("mount.nfs4")),
            other => panic!("expected failure, got {other:?}"),
        }
        let w = preflight(&service(), Some(&td), &[], &[], &[t]);
        assert!(w.iter().any(|w| w.kind == WarningKind::MountFailed));
    }

    #[test]
    fn efs_mount_inferred_from_az_and_health() {
        let td = task_def();
        let t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
        assert_eq!(
            mount_status(&t, &td, "data", &fs(&["us-east-1a"])),
            MountStatus::Mounted
        );
        assert_eq!(
            mount_status(&t, &td, "data", &fs(&["us-east-1b"])),
            MountStatus::NoMountTarget("us-east-1a".into())
        );
        let mut pending = t.clone();
        pending.last_status = "PENDING".into();
        assert_eq!(
            mount_status(&pending, &td, "data", &fs(&["us-east-1a"])),
            MountStatus::Pending
        );
        let mut creating = fs(&["us-east-1a"]);
        creating.mount_targets[0].state = "creating".into();
        assert_eq!(
            mount_status(&t, &td, "data", &creating),
            MountStatus::MountTargetNotAvailable("creating".into())
        );
        let mut no_hc = td.clone();
        no_hc.containers[1].health_check = None;
        let mut t2 = t.clone();
        t2.containers[1].health = Some("UNKNOWN".into());
        assert_eq!(
            mount_status(&t2, &no_hc, "data", &fs(&["us-east-1a"])),
            MountStatus::Likely("no health check to confirm".into())
        );
    }

    fn kinds(w: &[Warning]) -> Vec<WarningKind> {
        w.iter().map(|w| w.kind).collect()
    }

    #[test]
    fn clean_service_has_no_warnings() {
        let tasks = vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")];
        let w = preflight(
            &service(),
            Some(&task_def()),
            &[tg(vec![])],
            &[fs(&["us-east-1a"])],
            &tasks,
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn single_writer_trap_from_max_percent_and_desired_count() {
        let mut svc = service();
        svc.config.max_percent = 200;
        let w = preflight(&svc, Some(&task_def()), &[], &[], &[]);
        assert_eq!(kinds(&w), vec![WarningKind::SingleWriter]);
        assert!(w[0].message.contains("mongod.lock"), "{}", w[0].message);
        assert!(w[0].message.contains("max 200%"));
        svc.config.max_percent = 100;
        svc.desired = 2;
        let w = preflight(&svc, Some(&task_def()), &[], &[], &[]);
        assert_eq!(kinds(&w), vec![WarningKind::SingleWriter]);
        // Read-only mounts cannot corrupt anything.
        let mut td = task_def();
        td.containers[1].mount_points[0].read_only = true;
        assert!(preflight(&svc, Some(&td), &[], &[], &[]).is_empty());
    }

    #[test]
    fn live_overlap_is_flagged() {
        let tasks = vec![
            task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING"),
            task("bbbb2222", "10.0.1.6", "PENDING", "RUNNING"),
        ];
        let w = preflight(&service(), Some(&task_def()), &[], &[], &tasks);
        assert_eq!(kinds(&w), vec![WarningKind::LiveOverlap]);
        assert!(w[0].message.contains("aaaa1111, bbbb2222"));
    }

    #[test]
    fn missing_health_check_slow_check_long_drain_and_missing_mount_target() {
        let mut td = task_def();
        td.containers[0].health_check = None;
        let mut group = tg(vec![]);
        group.health_check.interval_s = Some(30);
        group.health_check.healthy_threshold = Some(5);
        group.deregistration_delay_s = Some(300);
        let mut t = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
        t.az = Some("us-east-1c".into());
        let w = preflight(
            &service(),
            Some(&td),
            &[group],
            &[fs(&["us-east-1a", "us-east-1b"])],
            &[t],
        );
        assert_eq!(
            kinds(&w),
            vec![
                WarningKind::NoHealthCheck,
                WarningKind::MissingMountTarget,
                WarningKind::SlowHealthCheck,
                WarningKind::LongDeregistration
            ]
        );
        assert!(
            w[0].message
                .starts_with("goals-api has no container health check")
        );
        assert!(w[1].message.contains("us-east-1c"));
        assert!(w[2].message.contains("5 × 30 s = 150 s"));
        assert!(w[3].message.contains("300 s"));
    }

    #[test]
    fn short_ids() {
        assert_eq!(
            short_id("arn:aws:ecs:r:1:task/c/6299e51e9a1b4c"),
            "6299e51e"
        );
        assert_eq!(short_id("abc"), "abc");
    }
}

//! Domain types: what ecsdeck knows about one ECS service and the resources
//! around it. Both backends produce these; nothing here knows about the SDK,
//! the terminal or the runtime.

pub mod derive;
pub mod drill;
pub mod error;
pub mod exec;
#[cfg(test)]
pub mod fixtures;
pub mod lb;
pub mod loadable;
pub mod logs;
pub mod metrics;
pub mod observe;
pub mod probe;
pub mod regions;
pub mod sanitize;
pub mod secret;
pub mod timeline;
pub mod world;

use chrono::{DateTime, Utc};
use serde::Serialize;

pub type Time = DateTime<Utc>;

/// Who the credentials belong to (`sts:GetCallerIdentity`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRef {
    pub cluster: String,
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    pub name: String,
    pub arn: String,
    pub cluster: String,
    pub status: String,
    pub launch_type: Option<String>,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub task_definition: String,
    pub deployments: Vec<Deployment>,
    pub config: DeploymentConfig,
    pub load_balancers: Vec<LbBinding>,
    pub events: Vec<ServiceEvent>,
    /// `enableExecuteCommand`: tasks it starts from now on can be
    /// entered with ECS Exec (a task started before keeps its own flag).
    pub exec_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployment {
    pub id: String,
    pub status: String,
    pub rollout_state: Option<String>,
    pub rollout_reason: Option<String>,
    pub task_definition: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub failed: i32,
    pub updated_at: Option<Time>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeploymentConfig {
    pub min_percent: i32,
    pub max_percent: i32,
    pub circuit_breaker: Option<CircuitBreaker>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CircuitBreaker {
    pub enable: bool,
    pub rollback: bool,
}

/// One entry of the service's `loadBalancers`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LbBinding {
    pub target_group_arn: String,
    pub container_name: String,
    pub container_port: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceEvent {
    pub id: String,
    pub at: Option<Time>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskDef {
    pub arn: String,
    pub family: String,
    pub revision: i32,
    pub network_mode: String,
    pub containers: Vec<ContainerDef>,
    pub volumes: Vec<Volume>,
    /// Task-level `cpu` (units) and `memory` (MiB): required on Fargate.
    pub cpu: Option<u32>,
    pub memory_mib: Option<u32>,
    /// The role the containers' processes run as: ECS Exec's agent needs
    /// `ssmmessages:*` on it.
    pub task_role_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerDef {
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub health_check: Option<Vec<String>>,
    pub mount_points: Vec<MountPoint>,
    pub log: Option<LogConfig>,
    /// Seconds between SIGTERM and SIGKILL when the task stops (ECS's
    /// default when unset: 30).
    pub stop_timeout_s: Option<i32>,
    /// The container's own `cpu` units, `memory` (the hard limit: the
    /// container is killed with exit 137 at it) and `memoryReservation`.
    pub limits: ContainerLimits,
    /// `readonlyRootFilesystem`: ECS Exec's agent cannot run there.
    pub readonly_root: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ContainerLimits {
    pub cpu: Option<u32>,
    pub memory_mib: Option<u32>,
    pub memory_reservation_mib: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MountPoint {
    pub volume: String,
    pub path: String,
    pub read_only: bool,
}

/// The `awslogs` driver's options, used to follow a container's logs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogConfig {
    pub group: String,
    pub region: Option<String>,
    pub stream_prefix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Volume {
    pub name: String,
    pub efs: Option<EfsVolume>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EfsVolume {
    pub file_system_id: String,
    pub root_directory: Option<String>,
    pub access_point: Option<String>,
    pub transit_encryption: bool,
    pub iam: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    pub arn: String,
    pub task_definition: String,
    pub last_status: String,
    pub desired_status: String,
    pub health: Option<String>,
    pub launch_type: Option<String>,
    pub az: Option<String>,
    pub private_ip: Option<String>,
    /// EC2 instance id of the container instance (bridge/host mode joins).
    pub ec2_instance: Option<String>,
    pub created_at: Option<Time>,
    pub started_at: Option<Time>,
    /// When the image pulls began and ended (AWS's own record).
    pub pull_started_at: Option<Time>,
    pub pull_stopped_at: Option<Time>,
    pub stopping_at: Option<Time>,
    pub stopped_at: Option<Time>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub containers: Vec<Container>,
    /// `enableExecuteCommand` as the task was started with.
    pub exec_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub last_status: String,
    pub health: Option<String>,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    /// (container port, host port) pairs, for bridge-mode target joins.
    pub bindings: Vec<(i32, i32)>,
    /// The `ExecuteCommandAgent`'s `lastStatus` (`managedAgents`); None
    /// when the task was started without ECS Exec.
    pub exec_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub protocol: Option<String>,
    pub port: Option<i32>,
    pub target_type: String,
    pub health_check: HealthCheck,
    pub deregistration_delay_s: Option<u32>,
    pub load_balancers: Vec<LoadBalancer>,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthCheck {
    pub protocol: Option<String>,
    pub path: Option<String>,
    pub port: Option<String>,
    pub interval_s: Option<i32>,
    pub timeout_s: Option<i32>,
    pub healthy_threshold: Option<i32>,
    pub unhealthy_threshold: Option<i32>,
    pub matcher: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    pub dns_name: String,
    pub scheme: Option<String>,
    pub state: Option<String>,
    pub listeners: Vec<Listener>,
    /// Its description or listeners could not be read (a denied
    /// DescribeListeners): why. The target group's health is still shown.
    pub unreadable: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listener {
    pub protocol: String,
    pub port: i32,
    /// The target groups its default action forwards to.
    pub forwards: Vec<String>,
    /// Its rules other than the default, in priority order: they, not
    /// the default action, decide where a path goes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ListenerRule>,
    /// Why the rules could not be read (then where a path goes is not
    /// known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_error: Option<String>,
}

/// A listener rule: when every condition matches, its actions decide.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListenerRule {
    pub priority: i32,
    pub conditions: Vec<RuleCondition>,
    /// The target groups it forwards to (empty: a fixed response or a
    /// redirect).
    pub forwards: Vec<String>,
}

/// One condition: `path-pattern`, `host-header`, `http-request-method`,
/// `http-header:<name>`, `query-string`, `source-ip`, and its values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleCondition {
    pub field: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub id: String,
    pub port: Option<i32>,
    pub az: Option<String>,
    pub state: String,
    pub reason: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSystem {
    pub id: String,
    pub name: Option<String>,
    pub lifecycle: String,
    pub size_bytes: i64,
    pub mount_target_count: i32,
    pub mount_targets: Vec<MountTarget>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MountTarget {
    pub id: String,
    pub az: Option<String>,
    pub state: String,
    pub ip: Option<String>,
}

/// Last component of an ARN (`.../cluster/abc123` -> `abc123`).
pub fn arn_tail(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// What a container's exit code means, where it has a usual meaning (a
/// shell's 128 + signal for the signals a container dies of).
pub fn exit_meaning(code: i32) -> Option<&'static str> {
    Some(match code {
        0 => "exited cleanly",
        1 => "the application failed",
        126 | 127 => "its command could not be run",
        134 => "aborted (SIGABRT)",
        137 => "killed (SIGKILL: out of memory, or still running at stopTimeout)",
        139 => "segfault (SIGSEGV)",
        143 => "stopped by SIGTERM",
        _ => return None,
    })
}

/// A stopped task's containers in words: `mongodb exit 137 — killed
/// (SIGKILL: …), goals-api exit 0 — exited cleanly`; a container that
/// gave a reason (`OutOfMemoryError: …`) says it. The containers that
/// failed come first: where the words are cut, the crash is what stays.
pub fn exits_in_words(t: &Task) -> String {
    let mut containers: Vec<&Container> = t.containers.iter().collect();
    containers.sort_by_key(|c| c.exit_code == Some(0));
    containers
        .into_iter()
        .filter_map(|c| {
            let code = c.exit_code?;
            let mut s = format!("{} exit {code}", c.name);
            if let Some(m) = exit_meaning(code) {
                s.push_str(&format!(" — {m}"));
            }
            if let Some(r) = c.reason.as_deref().filter(|r| !r.is_empty()) {
                s.push_str(&format!(" ({r})"));
            }
            Some(s)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Local wall-clock time, short (`14:02:31`): how the screen and the
/// notices say a time.
pub fn local_clock(t: Time) -> String {
    t.with_timezone(&chrono::Local)
        .format("%H:%M:%S")
        .to_string()
}

/// The first 8 characters of a task id, as the console shows it.
pub fn short_id(arn: &str) -> &str {
    let tail = arn_tail(arn);
    match tail.char_indices().nth(8) {
        Some((i, _)) => &tail[..i],
        None => tail,
    }
}

/// `family:revision` of a task definition ARN.
pub fn task_def_label(arn: &str) -> &str {
    arn_tail(arn)
}

impl Task {
    pub fn id(&self) -> &str {
        arn_tail(&self.arn)
    }
    pub fn short(&self) -> &str {
        short_id(&self.arn)
    }
    pub fn is_stopped(&self) -> bool {
        self.last_status == "STOPPED"
    }
    /// Stopping or stopped: ECS has been asked to take it away.
    pub fn is_leaving(&self) -> bool {
        self.desired_status == "STOPPED" || self.is_stopped()
    }
}

impl TaskDef {
    pub fn container(&self, name: &str) -> Option<&ContainerDef> {
        self.containers.iter().find(|c| c.name == name)
    }

    /// The EFS file systems its volumes use, each once, sorted.
    pub fn efs_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .volumes
            .iter()
            .filter_map(|v| v.efs.as_ref().map(|e| e.file_system_id.clone()))
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

impl Service {
    /// The target groups the service registers its tasks in, each once, in
    /// the service's order.
    pub fn target_group_arns(&self) -> Vec<String> {
        let mut arns: Vec<String> = Vec::new();
        for b in &self.load_balancers {
            if !arns.contains(&b.target_group_arn) {
                arns.push(b.target_group_arn.clone());
            }
        }
        arns
    }
}

/// The order every view shows tasks in: living tasks first, newest on top;
/// then the stopped ones, newest first; ties by ARN, so it is stable.
pub fn sort_tasks(tasks: &mut [Task]) {
    tasks.sort_by(|a, b| {
        a.is_stopped()
            .cmp(&b.is_stopped())
            .then(b.created_at.cmp(&a.created_at))
            .then(a.arn.cmp(&b.arn))
    });
}

impl TargetGroup {
    pub fn short_name(&self) -> &str {
        &self.name
    }
}

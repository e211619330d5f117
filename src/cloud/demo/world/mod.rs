//! The simulated world: one service, its tasks through ECS's phases, the
//! target group's health and the EFS file system. One file a job: the
//! scheduler, the ALB's health, the log streams, the views the backend
//! returns, and the task definition. Time comes from an injectable clock,
//! so the phases can be stepped through in tests.

mod alb;
mod clock;
mod history;
mod logs;
mod metrics;
mod scheduler;
mod taskdef;
mod view;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::model::*;
pub use alb::run_health_checker;
pub use clock::Clock;
use logs::Stream;
pub use scheduler::{run_scheduler, start_server};
pub use taskdef::task_def_with;

pub const CLUSTER: &str = "demo";
pub const SERVICE: &str = "goals-service";
pub const ACCOUNT: &str = "000000000000";
pub const TG_ARN: &str =
    "arn:aws:elasticloadbalancing:demo:000000000000:targetgroup/goals-tg/6d0ecf831eec9f09";
pub const FS_ID: &str = "fs-0de3a85a7c53demo";
const TD_ARN: &str = "arn:aws:ecs:demo:000000000000:task-definition/goals:3";
const LB_ARN: &str =
    "arn:aws:elasticloadbalancing:demo:000000000000:loadbalancer/app/goals-alb/50dc6c495c0c9188";

// ECS's phases, compressed from minutes to seconds.
const PROVISIONING: Duration = Duration::from_millis(1500);
const PENDING: Duration = Duration::from_millis(1500);
const ACTIVATING: Duration = Duration::from_millis(800);
const MONGO_READY: Duration = Duration::from_millis(1500);
const STOPPING: Duration = Duration::from_millis(1000);
const DEPROVISIONING: Duration = Duration::from_millis(1000);
// The target group's settings, also compressed; shown as they are.
pub const HC_INTERVAL_S: i32 = 2;
pub const HC_HEALTHY: u32 = 2;
pub const HC_UNHEALTHY: u32 = 2;
pub const DEREGISTRATION_S: u32 = 4;
const STOPPED_KEPT: usize = 10;
const EVENTS_KEPT: usize = 50;
const AZS: [&str; 2] = ["us-east-1a", "us-east-1b"];
pub const LOG_GROUP: &str = "/ecs/goals";
const LOG_PREFIX: &str = "ecs";
const LOG_KEPT: usize = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Provisioning,
    Pending,
    Activating,
    Running,
    Deactivating,
    Stopping,
    Deprovisioning,
    Stopped,
}

impl Phase {
    fn status(self) -> &'static str {
        match self {
            Phase::Provisioning => "PROVISIONING",
            Phase::Pending => "PENDING",
            Phase::Activating => "ACTIVATING",
            Phase::Running => "RUNNING",
            Phase::Deactivating => "DEACTIVATING",
            Phase::Stopping => "STOPPING",
            Phase::Deprovisioning => "DEPROVISIONING",
            Phase::Stopped => "STOPPED",
        }
    }
}

enum LogEvent {
    MongoStarts,
    ApiStarts,
    Stops,
}

pub struct Server {
    pub addr: SocketAddr,
    pub shutdown: oneshot::Sender<()>,
}

struct SimTask {
    id: String,
    az: &'static str,
    ip: String,
    phase: Phase,
    since: Instant,
    desired_stopped: bool,
    created_at: Time,
    started_at: Option<Time>,
    pull_started_at: Option<Time>,
    pull_stopped_at: Option<Time>,
    stopping_at: Option<Time>,
    stopped_at: Option<Time>,
    stop_code: Option<String>,
    stopped_reason: Option<String>,
    server: Option<Server>,
    starting_server: bool,
    api_health: &'static str,
    api_fails: u32,
    running_since: Option<Instant>,
    data_dir: PathBuf,
    /// The deployment that started it.
    deployment: String,
    /// How its containers ended, when they did not end cleanly.
    crash: Option<Crash>,
}

/// A task's containers' end: exit codes, and the container's reason.
#[derive(Debug, Clone, Copy)]
struct Crash {
    api_exit: i32,
    db_exit: i32,
    db_reason: &'static str,
}

impl SimTask {
    fn arn(&self) -> String {
        format!("arn:aws:ecs:demo:{ACCOUNT}:task/{CLUSTER}/{}", self.id)
    }
    fn mongo_health(&self, now: Instant) -> &'static str {
        match (self.phase, self.running_since) {
            (Phase::Running | Phase::Deactivating, Some(t))
                if now.duration_since(t) >= MONGO_READY =>
            {
                "HEALTHY"
            }
            _ => "UNKNOWN",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TargetState {
    Initial,
    Healthy,
    Unhealthy,
    Draining,
}

struct SimTarget {
    task_id: String,
    ip: String,
    state: TargetState,
    reason: Option<&'static str>,
    ok_streak: u32,
    fail_streak: u32,
    last_fail: Option<&'static str>,
    draining_since: Option<Instant>,
}

pub struct World {
    desired: i32,
    tasks: Vec<SimTask>,
    targets: Vec<SimTarget>,
    events: VecDeque<ServiceEvent>,
    event_seq: u64,
    data_root: PathBuf,
    fresh_volume: bool,
    lb_addr: SocketAddr,
    next_host: u32,
    rr: usize,
    steady_said: bool,
    logs: HashMap<String, Stream>,
    connections: u32,
    clock: Clock,
    /// The PRIMARY deployment's id, and the one it replaces while its
    /// tasks are still up.
    deployment: String,
    previous: Option<String>,
    deployment_seq: u64,
    /// The API container has a health check in the task definition (most
    /// real ones do not: AWS then reports its health UNKNOWN for ever).
    pub api_health_check: bool,
    /// Container Insights with enhanced observability: CloudWatch has
    /// each task's and container's CPU and memory.
    pub container_insights: bool,
    /// The deployment configuration's minimumHealthyPercent (maximumPercent
    /// is 100): 100 leaves a deployment unable to replace the only task.
    pub min_percent: i32,
    /// The target group's deregistration delay, in seconds.
    pub deregistration_s: u32,
}

const FIRST_DEPLOYMENT: &str = "ecs-svc/1204518762918329481";

fn uuid_hex() -> String {
    format!("{:032x}", rand::random::<u128>())
}

impl World {
    pub fn new(data_root: PathBuf, fresh_volume: bool, lb_addr: SocketAddr, clock: Clock) -> World {
        World {
            desired: 1,
            tasks: Vec::new(),
            targets: Vec::new(),
            events: VecDeque::new(),
            event_seq: 0,
            data_root,
            fresh_volume,
            lb_addr,
            next_host: 17,
            rr: 0,
            steady_said: false,
            logs: HashMap::new(),
            connections: 0,
            clock,
            deployment: FIRST_DEPLOYMENT.into(),
            api_health_check: true,
            container_insights: true,
            min_percent: 0,
            deregistration_s: DEREGISTRATION_S,
            previous: None,
            deployment_seq: 0,
        }
    }

    fn event(&mut self, message: String) {
        self.event_seq += 1;
        self.events.push_front(ServiceEvent {
            id: format!("demo-event-{}", self.event_seq),
            at: Some(self.clock.utc()),
            message: format!("(service {SERVICE}) {message}"),
        });
        self.events.truncate(EVENTS_KEPT);
    }

    pub fn shutdown_all(&mut self) {
        for t in &mut self.tasks {
            if let Some(s) = t.server.take() {
                let _ = s.shutdown.send(());
            }
        }
    }
}

//! The simulated world: one service, its tasks through ECS's phases, the
//! target group's health and the EFS file system.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::lock;
use crate::model::logs::{LogCursor, LogPage, RawLogEvent};
use crate::model::*;

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

/// One simulated CloudWatch log stream. `base` is the index of the first
/// event kept, so forward tokens stay valid when old events are dropped.
#[derive(Default)]
struct Stream {
    base: usize,
    events: VecDeque<RawLogEvent>,
}

fn mongo(c: &str, id: u32, ctx: &str, msg: &str, attr: &str) -> String {
    let t = Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+00:00");
    let attr = if attr.is_empty() {
        String::new()
    } else {
        format!(",\"attr\":{attr}")
    };
    format!(
        "{{\"t\":{{\"$date\":\"{t}\"}},\"s\":\"I\",  \"c\":\"{c}\", \"id\":{id}, \"ctx\":\"{ctx}\",\"msg\":\"{msg}\"{attr}}}"
    )
}

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

struct Server {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
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
}

impl SimTask {
    fn arn(&self) -> String {
        format!("arn:aws:ecs:demo:{ACCOUNT}:task/{CLUSTER}/{}", self.id)
    }
    fn mongo_health(&self) -> &'static str {
        match (self.phase, self.running_since) {
            (Phase::Running | Phase::Deactivating, Some(t)) if t.elapsed() >= MONGO_READY => {
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
}

fn uuid_hex() -> String {
    format!("{:032x}", rand::random::<u128>())
}

pub fn task_def() -> TaskDef {
    let log = || LogConfig {
        group: "/ecs/goals".into(),
        region: Some("demo".into()),
        stream_prefix: Some("ecs".into()),
    };
    TaskDef {
        arn: TD_ARN.into(),
        family: "goals".into(),
        revision: 3,
        network_mode: "awsvpc".into(),
        containers: vec![
            ContainerDef {
                name: "goals-api".into(),
                image: "academind/goals-api:node18".into(),
                essential: true,
                health_check: Some(vec![
                    "CMD-SHELL".into(),
                    "wget -qO- http://localhost/goals || exit 1".into(),
                ]),
                mount_points: vec![],
                log: Some(log()),
            },
            ContainerDef {
                name: "mongodb".into(),
                image: "mongo:7.0".into(),
                essential: true,
                health_check: Some(vec![
                    "CMD".into(),
                    "mongosh".into(),
                    "--eval".into(),
                    "db.adminCommand('ping')".into(),
                ]),
                mount_points: vec![MountPoint {
                    volume: "data".into(),
                    path: "/data/db".into(),
                    read_only: false,
                }],
                log: Some(log()),
            },
        ],
        volumes: vec![Volume {
            name: "data".into(),
            efs: Some(EfsVolume {
                file_system_id: FS_ID.into(),
                root_directory: Some("/".into()),
                access_point: None,
                transit_encryption: true,
                iam: false,
            }),
        }],
    }
}

impl World {
    pub fn new(data_root: PathBuf, fresh_volume: bool, lb_addr: SocketAddr) -> World {
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
        }
    }

    /// Appends a line to a container's stream, `ecs/<container>/<task>`.
    pub fn log(&mut self, container: &str, task_id: &str, message: String) {
        let stream = self
            .logs
            .entry(format!("{LOG_PREFIX}/{container}/{task_id}"))
            .or_default();
        stream.events.push_back(RawLogEvent {
            timestamp_ms: Utc::now().timestamp_millis(),
            message,
        });
        if stream.events.len() > LOG_KEPT {
            stream.events.pop_front();
            stream.base += 1;
        }
    }

    /// `GetLogEvents` over the simulated streams; tokens are positions.
    pub fn log_page(
        &self,
        group: &str,
        stream: &str,
        cursor: &LogCursor,
        limit: i32,
    ) -> Result<LogPage, &'static str> {
        if group != LOG_GROUP {
            return Err("The specified log group does not exist.");
        }
        let Some(s) = self.logs.get(stream) else {
            return Err("The specified log stream does not exist.");
        };
        let end = s.base + s.events.len();
        let (from, to) = match cursor {
            LogCursor::Tail(n) => (end.saturating_sub((*n).max(0) as usize).max(s.base), end),
            LogCursor::After(t) => {
                let from = t
                    .strip_prefix("f/")
                    .and_then(|n| n.parse::<usize>().ok())
                    .ok_or("The specified nextToken is invalid.")?
                    .max(s.base);
                (from, (from + limit.max(1) as usize).min(end))
            }
        };
        Ok(LogPage {
            events: s
                .events
                .range(from.min(end) - s.base..to - s.base)
                .cloned()
                .collect(),
            next: format!("f/{to}"),
        })
    }

    fn mongo_starts(&mut self, id: &str, fresh: bool) {
        let host = format!("ip-10-0-{}", &id[..4]);
        let lines = [
            mongo(
                "CONTROL",
                23285,
                "main",
                "Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols 'none'",
                "",
            ),
            mongo(
                "CONTROL",
                4615611,
                "initandlisten",
                "MongoDB starting",
                &format!(
                    "{{\"pid\":1,\"port\":27017,\"dbPath\":\"/data/db\",\"architecture\":\"64-bit\",\"host\":\"{host}\"}}"
                ),
            ),
            mongo(
                "CONTROL",
                23403,
                "initandlisten",
                "Build Info",
                "{\"buildInfo\":{\"version\":\"7.0.14\"}}",
            ),
            mongo(
                "STORAGE",
                22315,
                "initandlisten",
                "Opening WiredTiger",
                "{\"config\":\"create,cache_size=3414M,session_max=33000\"}",
            ),
        ];
        for l in lines {
            self.log("mongodb", id, l);
        }
        if fresh {
            self.log(
                "mongodb",
                id,
                mongo(
                    "STORAGE",
                    20320,
                    "initandlisten",
                    "createCollection",
                    "{\"namespace\":\"admin.system.version\",\"uuidDisposition\":\"provided\"}",
                ),
            );
        } else {
            self.log(
                "mongodb",
                id,
                mongo(
                    "RECOVERY",
                    23987,
                    "initandlisten",
                    "WiredTiger recoveryTimestamp",
                    "{\"recoveryTimestamp\":{\"$timestamp\":{\"t\":0,\"i\":0}}}",
                ),
            );
        }
        self.log(
            "mongodb",
            id,
            mongo(
                "NETWORK",
                23015,
                "listener",
                "Listening on",
                "{\"address\":\"0.0.0.0\"}",
            ),
        );
        self.log(
            "mongodb",
            id,
            mongo(
                "NETWORK",
                23016,
                "listener",
                "Waiting for connections",
                "{\"port\":27017,\"ssl\":\"off\"}",
            ),
        );
    }

    fn api_starts(&mut self, id: &str) {
        self.connections += 1;
        let n = self.connections;
        self.log("mongodb", id, mongo("NETWORK", 22943, "listener", "Connection accepted", &format!("{{\"remote\":\"127.0.0.1:{}\",\"uuid\":{{\"uuid\":{{\"$uuid\":\"{}\"}}}},\"connectionId\":{n},\"connectionCount\":1}}", 40000 + n, uuid_hex())));
        self.log("goals-api", id, "> goals-api@1.0.0 start".into());
        self.log("goals-api", id, "> node app.js".into());
        self.log("goals-api", id, "CONNECTED TO MONGODB!!".into());
        self.log("goals-api", id, "Goals API listening on port 80".into());
    }

    fn task_stops(&mut self, id: &str) {
        self.log(
            "goals-api",
            id,
            "SIGTERM received: closing HTTP server".into(),
        );
        self.log("goals-api", id, "HTTP server closed".into());
        self.log(
            "mongodb",
            id,
            mongo(
                "CONTROL",
                23377,
                "SignalHandler",
                "Received signal",
                "{\"signal\":15,\"error\":\"Terminated\"}",
            ),
        );
        self.log(
            "mongodb",
            id,
            mongo("CONTROL", 4784900, "SignalHandler", "Shutting down", ""),
        );
        self.log(
            "mongodb",
            id,
            mongo(
                "STORAGE",
                4784915,
                "SignalHandler",
                "Shutting down the storage engine",
                "",
            ),
        );
        self.log(
            "mongodb",
            id,
            mongo("CONTROL", 20565, "SignalHandler", "Now exiting", ""),
        );
        self.log(
            "mongodb",
            id,
            mongo(
                "CONTROL",
                23138,
                "SignalHandler",
                "Shutting down",
                "{\"exitCode\":0}",
            ),
        );
    }

    fn event(&mut self, message: String) {
        self.event_seq += 1;
        self.events.push_front(ServiceEvent {
            id: format!("demo-event-{}", self.event_seq),
            at: Some(Utc::now()),
            message: format!("(service {SERVICE}) {message}"),
        });
        self.events.truncate(EVENTS_KEPT);
    }

    fn launch(&mut self) {
        let id = uuid_hex();
        let az_index = self.tasks.len() % AZS.len();
        let host = self.next_host;
        self.next_host = if host >= 250 { 10 } else { host + 23 };
        let data_dir = if self.fresh_volume {
            self.data_root.join(format!("task-{id}"))
        } else {
            self.data_root.join("efs")
        };
        self.event(format!("has started 1 tasks: (task {id})."));
        self.tasks.push(SimTask {
            id,
            az: AZS[az_index],
            ip: format!("10.0.{}.{host}", az_index + 1),
            phase: Phase::Provisioning,
            since: Instant::now(),
            desired_stopped: false,
            created_at: Utc::now(),
            started_at: None,
            stopping_at: None,
            stopped_at: None,
            stop_code: None,
            stopped_reason: None,
            server: None,
            starting_server: false,
            api_health: "UNKNOWN",
            api_fails: 0,
            running_since: None,
            data_dir,
        });
        self.steady_said = false;
    }

    pub fn stop_task(&mut self, arn: &str, reason: &str) -> bool {
        let Some(t) = self
            .tasks
            .iter_mut()
            .find(|t| t.arn() == arn && !t.desired_stopped)
        else {
            return false;
        };
        t.desired_stopped = true;
        t.stop_code = Some("UserInitiated".into());
        t.stopped_reason = Some(reason.to_string());
        t.stopping_at = Some(Utc::now());
        if matches!(t.phase, Phase::Running) {
            t.phase = Phase::Deactivating;
            t.since = Instant::now();
        }
        let id = t.id.clone();
        let mut deregistered = false;
        for tg in self.targets.iter_mut().filter(|g| g.task_id == id) {
            tg.state = TargetState::Draining;
            tg.reason = Some("Target.DeregistrationInProgress");
            tg.draining_since = Some(Instant::now());
            deregistered = true;
        }
        if deregistered {
            self.event("deregistered 1 targets in (target-group goals-tg)".into());
        }
        self.event(format!("has stopped 1 running tasks: (task {id})."));
        self.steady_said = false;
        true
    }

    /// Advances every task one step; returns servers to start and stop,
    /// which the caller does outside the lock.
    fn step(&mut self) -> (Vec<(String, PathBuf)>, Vec<Server>) {
        let now = Instant::now();
        let mut start = Vec::new();
        let mut stop = Vec::new();
        let mut registered = Vec::new();
        let mut logs = Vec::new();
        for t in &mut self.tasks {
            let age = now.duration_since(t.since);
            let next = match t.phase {
                Phase::Provisioning if age >= PROVISIONING => Some(Phase::Pending),
                Phase::Pending if age >= PENDING => Some(Phase::Activating),
                Phase::Activating if age >= ACTIVATING && t.server.is_some() => {
                    Some(Phase::Running)
                }
                Phase::Deactivating => {
                    let drained = !self
                        .targets
                        .iter()
                        .any(|g| g.task_id == t.id && g.state == TargetState::Draining);
                    drained.then_some(Phase::Stopping)
                }
                Phase::Stopping if age >= STOPPING => Some(Phase::Deprovisioning),
                Phase::Deprovisioning if age >= DEPROVISIONING => Some(Phase::Stopped),
                _ => None,
            };
            if t.phase == Phase::Activating && t.server.is_none() && !t.starting_server {
                t.starting_server = true;
                start.push((t.id.clone(), t.data_dir.clone()));
            }
            // A task asked to stop before it ran skips straight to stopping.
            if t.desired_stopped
                && matches!(
                    t.phase,
                    Phase::Provisioning | Phase::Pending | Phase::Activating
                )
            {
                t.phase = Phase::Stopping;
                t.since = now;
                continue;
            }
            let Some(next) = next else { continue };
            t.phase = next;
            t.since = now;
            match next {
                Phase::Activating => logs.push((t.id.clone(), LogEvent::MongoStarts)),
                Phase::Running => {
                    t.started_at = Some(Utc::now());
                    t.running_since = Some(now);
                    registered.push((t.id.clone(), t.ip.clone()));
                    logs.push((t.id.clone(), LogEvent::ApiStarts));
                }
                Phase::Stopping => {
                    if let Some(s) = t.server.take() {
                        stop.push(s);
                        logs.push((t.id.clone(), LogEvent::Stops));
                    }
                }
                Phase::Stopped => t.stopped_at = Some(Utc::now()),
                _ => {}
            }
        }
        for (id, ev) in logs {
            match ev {
                LogEvent::MongoStarts => {
                    let fresh = self.fresh_volume;
                    self.mongo_starts(&id, fresh)
                }
                LogEvent::ApiStarts => self.api_starts(&id),
                LogEvent::Stops => self.task_stops(&id),
            }
        }
        for (task_id, ip) in registered {
            self.targets.push(SimTarget {
                task_id,
                ip,
                state: TargetState::Initial,
                reason: Some("Elb.RegistrationInProgress"),
                ok_streak: 0,
                fail_streak: 0,
                last_fail: None,
                draining_since: None,
            });
            self.event("registered 1 targets in (target-group goals-tg)".into());
        }
        self.targets.retain(|g| {
            g.draining_since.is_none_or(|s| {
                now.duration_since(s) < Duration::from_secs(DEREGISTRATION_S.into())
            })
        });
        let active = self.tasks.iter().filter(|t| !t.desired_stopped).count() as i32;
        for _ in active..self.desired {
            self.launch();
        }
        let mut stopped_seen = 0;
        let mut keep = Vec::with_capacity(self.tasks.len());
        for t in self.tasks.drain(..).rev() {
            if t.phase == Phase::Stopped {
                stopped_seen += 1;
                if stopped_seen > STOPPED_KEPT {
                    continue;
                }
            }
            keep.push(t);
        }
        keep.reverse();
        self.tasks = keep;
        let steady = self.tasks.iter().all(|t| {
            matches!(t.phase, Phase::Running | Phase::Stopped)
                && (t.phase == Phase::Running) != t.desired_stopped
        }) && !self.targets.is_empty()
            && self.targets.iter().all(|g| g.state == TargetState::Healthy);
        if steady && !self.steady_said {
            self.steady_said = true;
            self.event("has reached a steady state.".into());
        }
        (start, stop)
    }

    fn server_started(&mut self, id: &str, server: Option<Server>) {
        let Some(t) = self.tasks.iter_mut().find(|t| t.id == id) else {
            return;
        };
        t.starting_server = false;
        match server {
            Some(s) if !t.desired_stopped => t.server = Some(s),
            Some(s) => {
                let _ = s.shutdown.send(());
            }
            None => {}
        }
    }

    /// What the health checker should probe: each registered target's task
    /// and the loopback address its server really listens on.
    fn check_list(&self) -> Vec<(String, Option<SocketAddr>)> {
        self.targets
            .iter()
            .filter(|g| g.state != TargetState::Draining)
            .map(|g| {
                let addr = self
                    .tasks
                    .iter()
                    .find(|t| t.id == g.task_id)
                    .and_then(|t| t.server.as_ref().map(|s| s.addr));
                (g.task_id.clone(), addr)
            })
            .collect()
    }

    fn record_check(&mut self, task_id: &str, result: Result<(), &'static str>) {
        if let Some(t) = self.tasks.iter_mut().find(|t| t.id == task_id) {
            match result {
                Ok(()) => {
                    t.api_fails = 0;
                    t.api_health = "HEALTHY";
                }
                Err(_) => {
                    t.api_fails += 1;
                    if t.api_fails >= HC_UNHEALTHY {
                        t.api_health = "UNHEALTHY";
                    }
                }
            }
        }
        let mut became_healthy = false;
        for g in self
            .targets
            .iter_mut()
            .filter(|g| g.task_id == task_id && g.state != TargetState::Draining)
        {
            match result {
                Ok(()) => {
                    g.ok_streak += 1;
                    g.fail_streak = 0;
                    if g.ok_streak >= HC_HEALTHY && g.state != TargetState::Healthy {
                        g.state = TargetState::Healthy;
                        g.reason = None;
                        became_healthy = true;
                    }
                }
                Err(reason) => {
                    g.fail_streak += 1;
                    g.ok_streak = 0;
                    g.last_fail = Some(reason);
                    if g.fail_streak >= HC_UNHEALTHY {
                        g.state = TargetState::Unhealthy;
                        g.reason = Some(reason);
                    }
                }
            }
        }
        if became_healthy {
            self.steady_said = false;
        }
    }

    pub fn pick_target(&mut self) -> Option<SocketAddr> {
        let healthy: Vec<SocketAddr> = self
            .targets
            .iter()
            .filter(|g| g.state == TargetState::Healthy)
            .filter_map(|g| {
                self.tasks
                    .iter()
                    .find(|t| t.id == g.task_id)
                    .and_then(|t| t.server.as_ref().map(|s| s.addr))
            })
            .collect();
        if healthy.is_empty() {
            return None;
        }
        self.rr = self.rr.wrapping_add(1);
        Some(healthy[self.rr % healthy.len()])
    }

    pub fn shutdown_all(&mut self) {
        for t in &mut self.tasks {
            if let Some(s) = t.server.take() {
                let _ = s.shutdown.send(());
            }
        }
    }

    pub fn service(&self) -> Service {
        let running = self
            .tasks
            .iter()
            .filter(|t| t.phase == Phase::Running && !t.desired_stopped)
            .count() as i32;
        let pending = self
            .tasks
            .iter()
            .filter(|t| {
                !t.desired_stopped
                    && matches!(
                        t.phase,
                        Phase::Provisioning | Phase::Pending | Phase::Activating
                    )
            })
            .count() as i32;
        let steady = running == self.desired && pending == 0;
        Service {
            name: SERVICE.into(),
            arn: format!("arn:aws:ecs:demo:{ACCOUNT}:service/{CLUSTER}/{SERVICE}"),
            cluster: CLUSTER.into(),
            status: "ACTIVE".into(),
            launch_type: Some("FARGATE".into()),
            desired: self.desired,
            running,
            pending,
            task_definition: TD_ARN.into(),
            deployments: vec![Deployment {
                id: "ecs-svc/1204518762918329481".into(),
                status: "PRIMARY".into(),
                rollout_state: Some(if steady { "COMPLETED" } else { "IN_PROGRESS" }.into()),
                rollout_reason: Some(
                    if steady {
                        "ECS deployment ecs-svc/1204518762918329481 completed."
                    } else {
                        "ECS deployment ecs-svc/1204518762918329481 in progress."
                    }
                    .into(),
                ),
                task_definition: TD_ARN.into(),
                desired: self.desired,
                running,
                pending,
                failed: 0,
                updated_at: self.events.front().and_then(|e| e.at),
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
                target_group_arn: TG_ARN.into(),
                container_name: "goals-api".into(),
                container_port: 80,
            }],
            events: self.events.iter().cloned().collect(),
        }
    }

    pub fn tasks(&self) -> Vec<Task> {
        let mut out: Vec<Task> = self
            .tasks
            .iter()
            .rev()
            .map(|t| {
                let stopped = t.phase == Phase::Stopped;
                let early = matches!(
                    t.phase,
                    Phase::Provisioning | Phase::Pending | Phase::Activating
                );
                let container_status = match t.phase {
                    Phase::Running | Phase::Deactivating => "RUNNING",
                    Phase::Stopping | Phase::Deprovisioning | Phase::Stopped => "STOPPED",
                    _ => "PENDING",
                };
                let (api_h, db_h) = if early {
                    ("UNKNOWN", "UNKNOWN")
                } else if matches!(t.phase, Phase::Running | Phase::Deactivating) {
                    (t.api_health, t.mongo_health())
                } else {
                    ("UNKNOWN", "UNKNOWN")
                };
                let health = if [api_h, db_h].contains(&"UNHEALTHY") {
                    "UNHEALTHY"
                } else if api_h == "HEALTHY" && db_h == "HEALTHY" {
                    "HEALTHY"
                } else {
                    "UNKNOWN"
                };
                let exit = |code: i32| {
                    (t.phase == Phase::Stopped || t.phase == Phase::Deprovisioning).then_some(code)
                };
                Task {
                    arn: t.arn(),
                    task_definition: TD_ARN.into(),
                    last_status: t.phase.status().into(),
                    desired_status: if t.desired_stopped {
                        "STOPPED"
                    } else {
                        "RUNNING"
                    }
                    .into(),
                    health: Some(health.into()),
                    launch_type: Some("FARGATE".into()),
                    az: Some(t.az.into()),
                    private_ip: (!stopped || t.started_at.is_some()).then(|| t.ip.clone()),
                    ec2_instance: None,
                    created_at: Some(t.created_at),
                    started_at: t.started_at,
                    stopping_at: t.stopping_at,
                    stopped_at: t.stopped_at,
                    stop_code: t.stop_code.clone().filter(|_| t.desired_stopped),
                    stopped_reason: t.stopped_reason.clone(),
                    containers: vec![
                        Container {
                            name: "goals-api".into(),
                            image: "academind/goals-api:node18".into(),
                            last_status: container_status.into(),
                            health: Some(api_h.into()),
                            exit_code: exit(0),
                            reason: None,
                            bindings: vec![],
                        },
                        Container {
                            name: "mongodb".into(),
                            image: "mongo:7.0".into(),
                            last_status: container_status.into(),
                            health: Some(db_h.into()),
                            exit_code: exit(0),
                            reason: None,
                            bindings: vec![],
                        },
                    ],
                }
            })
            .collect();
        // Newest first among the living, then the stopped ones.
        out.sort_by_key(|t| t.is_stopped());
        out
    }

    pub fn target_group(&self) -> TargetGroup {
        TargetGroup {
            arn: TG_ARN.into(),
            name: "goals-tg".into(),
            protocol: Some("HTTP".into()),
            port: Some(80),
            target_type: "ip".into(),
            health_check: HealthCheck {
                protocol: Some("HTTP".into()),
                path: Some("/goals".into()),
                port: Some("traffic-port".into()),
                interval_s: Some(HC_INTERVAL_S),
                timeout_s: Some(1),
                healthy_threshold: Some(HC_HEALTHY as i32),
                unhealthy_threshold: Some(HC_UNHEALTHY as i32),
                matcher: Some("200".into()),
            },
            deregistration_delay_s: Some(DEREGISTRATION_S),
            load_balancers: vec![LoadBalancer {
                arn: LB_ARN.into(),
                name: "goals-alb".into(),
                dns_name: self.lb_addr.to_string(),
                scheme: Some("internet-facing".into()),
                state: Some("active".into()),
                listeners: vec![Listener {
                    protocol: "HTTP".into(),
                    port: i32::from(self.lb_addr.port()),
                }],
            }],
            targets: self
                .targets
                .iter()
                .map(|g| {
                    let (state, description) = match g.state {
                        TargetState::Initial => {
                            ("initial", Some("Target registration is in progress"))
                        }
                        TargetState::Healthy => ("healthy", None),
                        TargetState::Unhealthy => (
                            "unhealthy",
                            Some(match g.last_fail {
                                Some("Target.Timeout") => "Request timed out",
                                _ => "Health checks failed",
                            }),
                        ),
                        TargetState::Draining => {
                            ("draining", Some("Target deregistration is in progress"))
                        }
                    };
                    Target {
                        id: g.ip.clone(),
                        port: Some(80),
                        az: self
                            .tasks
                            .iter()
                            .find(|t| t.id == g.task_id)
                            .map(|t| t.az.to_string()),
                        state: state.into(),
                        reason: g.reason.map(Into::into),
                        description: description.map(Into::into),
                    }
                })
                .collect(),
        }
    }

    pub fn file_system(&self) -> FileSystem {
        FileSystem {
            id: FS_ID.into(),
            name: Some("goals-data".into()),
            lifecycle: "available".into(),
            // EFS meters in whole blocks; an empty file system reports 6 KiB.
            size_bytes: 6144 + super::api::dir_size(&self.data_root) as i64,
            mount_target_count: AZS.len() as i32,
            mount_targets: AZS
                .iter()
                .enumerate()
                .map(|(i, az)| MountTarget {
                    id: format!("fsmt-0{}a4{}demo", i + 4, i * 2 + 4),
                    az: Some(az.to_string()),
                    state: "available".into(),
                    ip: Some(format!("10.0.{}.8", i + 1)),
                })
                .collect(),
        }
    }
}

async fn start_server(world: Arc<Mutex<World>>, id: String, dir: PathBuf) -> Option<Server> {
    tokio::fs::create_dir_all(&dir).await.ok()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.ok()?;
    let addr = listener.local_addr().ok()?;
    let (tx, rx) = oneshot::channel::<()>();
    let sink: super::api::Sink = Arc::new(move |line| lock(&world).log("goals-api", &id, line));
    let app = super::api::router(&dir, sink);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Some(Server { addr, shutdown: tx })
}

pub async fn run_scheduler(world: Arc<Mutex<World>>, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        let (start, stop) = lock(&world).step();
        for s in stop {
            let _ = s.shutdown.send(());
        }
        for (id, dir) in start {
            let server = start_server(world.clone(), id.clone(), dir).await;
            lock(&world).server_started(&id, server);
        }
    }
    lock(&world).shutdown_all();
}

/// The ALB's health checker: a real HTTP GET of the health check path on
/// each registered target's server.
pub async fn run_health_checker(world: Arc<Mutex<World>>, cancel: CancellationToken) {
    let Ok(client) = reqwest::Client::builder()
        .user_agent("ELB-HealthChecker/2.0")
        .timeout(Duration::from_secs(1))
        .pool_max_idle_per_host(0)
        .build()
    else {
        return;
    };
    let mut tick = tokio::time::interval(Duration::from_secs(HC_INTERVAL_S as u64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        let list = lock(&world).check_list();
        for (task_id, addr) in list {
            let result = match addr {
                None => Err("Target.FailedHealthChecks"),
                Some(addr) => match client.get(format!("http://{addr}/goals")).send().await {
                    Ok(r) if r.status().as_u16() == 200 => Ok(()),
                    Ok(_) => Err("Target.ResponseCodeMismatch"),
                    Err(e) if e.is_timeout() => Err("Target.Timeout"),
                    Err(_) => Err("Target.FailedHealthChecks"),
                },
            };
            lock(&world).record_check(&task_id, result);
        }
    }
}

//! What the pollers send: one observation of one resource, or the error
//! that kept it from being observed. Domain types, so the consumers of a
//! session (the dashboard, `status`, the drill) need nothing from the
//! pollers or the backends to read them.

use std::time::Duration;

use super::error::CloudError;
use super::logs::FollowResult;
use super::probe::Sample;
use super::{FileSystem, Identity, Service, TargetGroup, Task, TaskDef, Time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Identity,
    Service,
    /// The task definitions in use, by revision: the service's and each
    /// task's own (during a deployment they differ).
    TaskDefs,
    Tasks,
    Targets,
    Efs,
    Logs,
    /// The HTTP probe through the load balancer.
    Probe,
    /// CPU and memory from CloudWatch.
    Metrics,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    Identity(Identity),
    Service(Box<Service>),
    TaskDefs(Vec<TaskDef>),
    Tasks(Vec<Task>),
    Targets(Vec<TargetGroup>),
    Efs(Vec<FileSystem>),
    Logs(Box<FollowResult>),
    Probe(Box<ProbeResult>),
    Metrics(Box<super::metrics::MetricsReading>),
}

/// One probe sample and the URL it requested.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeResult {
    pub url: String,
    pub sample: Sample,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub error: CloudError,
    /// When the poller will try again.
    pub retry_in: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PollEvent {
    pub resource: Resource,
    pub at: Time,
    pub result: Result<Observation, Failure>,
}

/// The session's own figures, pushed once a second with its observations.
#[derive(Debug, Clone, PartialEq)]
pub struct Counters {
    pub at: crate::model::Time,
    /// The backend's running total of API calls.
    pub calls: u64,
    /// The running totals per API (`ecs:DescribeTasks`).
    pub by_api: Vec<(String, u64)>,
    /// The APIs being slowed down because AWS throttles them.
    pub slowed: Vec<Slowed>,
    /// How often the service, tasks and targets are polled now.
    pub cadence: std::time::Duration,
    /// AWS polling is paused: the credentials were refused.
    pub paused: Option<Paused>,
}

/// AWS polling stopped because AWS refused the credentials (an SSO
/// session that expired): one call tries again every 30 s.
#[derive(Debug, Clone, PartialEq)]
pub struct Paused {
    pub since: Time,
    /// The last refusal, with its hint (`run aws sso login --profile ops`).
    pub error: crate::model::error::CloudError,
    /// Tries since the pause, all refused.
    pub tries: u32,
    /// Until the next try.
    pub next_try_in: Option<std::time::Duration>,
}

/// An API ecsdeck is slowing down on because AWS throttles it.
#[derive(Debug, Clone, PartialEq)]
pub struct Slowed {
    /// The API's IAM prefix: `ecs`, `elasticloadbalancing`, `logs`, …
    pub api: String,
    /// 1.0 is full speed; 0.5 polls half as often.
    pub pace: f64,
    /// Throttles seen so far.
    pub throttles: u64,
}

/// The account-wide quota an API shares with everything else the account
/// runs, in requests per second, as AWS documents it for most regions.
pub fn quota_per_s(api: &str) -> Option<f64> {
    let (service, op) = api.split_once(':')?;
    match service {
        "ecs" if op.starts_with("Describe") || op.starts_with("List") => Some(20.0),
        "elasticloadbalancing" if op.starts_with("Describe") => Some(10.0),
        "logs" if op == "FilterLogEvents" => Some(10.0),
        "logs" if op == "GetLogEvents" => Some(25.0),
        _ => None,
    }
}

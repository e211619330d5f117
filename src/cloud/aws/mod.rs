//! The AWS backend: the official SDK, converted to domain types at this
//! boundary. Nothing outside this module sees an SDK type.

mod convert;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_config::{BehaviorVersion, Region, SdkConfig, retry::RetryConfig};
use aws_sdk_ecs::types::DesiredStatus;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::{Cloud, CloudError, CloudResult, ErrorKind};
use crate::model::logs::{
    FilterPage, FilteredEvent, LogCursor, LogPage, LogQuery, LogSource, RawLogEvent,
};
use crate::model::sanitize::sanitize;
use crate::model::{FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef};
pub use convert::classify;

/// How many stopped tasks to show: enough to see the last replacements.
const STOPPED_TASKS_KEPT: usize = 10;
/// Target group attributes, load balancers and listeners hardly ever
/// change; describing them on every refresh would spend a third of the
/// calls on nothing.
const SLOW_CACHE: Duration = Duration::from_secs(300);

type Cache<T> = Mutex<HashMap<String, (Instant, T)>>;

fn cached<T: Clone>(cache: &Cache<T>, key: &str) -> Option<T> {
    let map = cache.lock().unwrap_or_else(|p| p.into_inner());
    map.get(key)
        .filter(|(at, _)| at.elapsed() < SLOW_CACHE)
        .map(|(_, v)| v.clone())
}

fn remember<T>(cache: &Cache<T>, key: &str, value: T) {
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key.to_string(), (Instant::now(), value));
}

/// Counts every request attempt the SDK sends, in total and per API
/// (`ecs:DescribeTasks`), so the screen can show ecsdeck's own share of
/// the account's API quotas.
#[derive(Debug, Clone)]
struct CallCounter {
    total: Arc<AtomicU64>,
    by_api: Arc<Mutex<BTreeMap<String, u64>>>,
    /// The IAM prefix of the client's service.
    service: &'static str,
}

impl CallCounter {
    fn for_service(&self, service: &'static str) -> CallCounter {
        CallCounter {
            service,
            ..self.clone()
        }
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "ecsdeck-call-counter"
    }
    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.total.fetch_add(1, Ordering::Relaxed);
        let op = cfg
            .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_else(|| "?".into());
        *self
            .by_api
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(format!("{}:{op}", self.service))
            .or_default() += 1;
        Ok(())
    }
}

/// Where to point the SDK. Everything unset falls through to the SDK's own
/// chain (environment, profiles, SSO, instance metadata).
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Loads the shared SDK configuration, and fails early and clearly when no
/// region can be found (the SDK itself would only fail at the first call).
pub async fn load_config(opts: &AwsOptions) -> Result<SdkConfig, String> {
    // The SDK waits forever for an answer by default: a panel would say
    // "loading" forever behind a black-holed endpoint. Bound each attempt.
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(30))
        .build();
    // Each call is sent once. The pollers call again on their cadence, and
    // a throttle slows every poller of that API through one governor; SDK
    // retries would answer a throttle with more calls, unseen.
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::disabled())
        .timeout_config(timeouts);
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &opts.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    let conf = loader.load().await;
    if conf.region().is_none() {
        return Err("no AWS region configured: pass --region, set `region` in the config file, or set AWS_REGION".into());
    }
    Ok(conf)
}

pub struct AwsCloud {
    ecs: aws_sdk_ecs::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    efs: aws_sdk_efs::Client,
    sts: aws_sdk_sts::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    region: String,
    profile: Option<String>,
    calls: Arc<AtomicU64>,
    by_api: Arc<Mutex<BTreeMap<String, u64>>>,
    deregistration: Cache<Option<u32>>,
    lbs: Cache<crate::model::LoadBalancer>,
    /// The service's target groups, by their ARNs: they change only when
    /// the service's load balancers do.
    groups: Cache<Vec<(TargetGroup, Vec<String>)>>,
    stopped: Mutex<StoppedList>,
}

/// The stopped tasks, listed less often while nothing is stopping: a task
/// only becomes STOPPED after it was seen leaving or gone from RUNNING.
#[derive(Debug, Default)]
struct StoppedList {
    at: Option<Instant>,
    arns: Vec<String>,
    running: Vec<String>,
    leaving: bool,
}

/// How often the stopped tasks are listed while nothing changes.
const STOPPED_EVERY: Duration = Duration::from_secs(30);

impl StoppedList {
    #[cfg(test)]
    fn asked(running: &[&str], leaving: bool) -> StoppedList {
        StoppedList {
            at: Some(Instant::now()),
            arns: Vec::new(),
            running: running.iter().map(|s| s.to_string()).collect(),
            leaving,
        }
    }

    /// Whether ListTasks(STOPPED) must be asked now: never asked, or
    /// asked long ago, or a task was leaving, or the running set changed.
    fn due(&self, running: &[String]) -> bool {
        self.at.is_none_or(|at| at.elapsed() >= STOPPED_EVERY)
            || self.leaving
            || self.running != running
    }
}

impl AwsCloud {
    pub fn new(conf: &SdkConfig, profile: Option<String>) -> Self {
        let calls = Arc::new(AtomicU64::new(0));
        let by_api: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
        let counter = CallCounter {
            total: calls.clone(),
            by_api: by_api.clone(),
            service: "",
        };
        AwsCloud {
            ecs: aws_sdk_ecs::Client::from_conf(
                aws_sdk_ecs::config::Builder::from(conf)
                    .interceptor(counter.for_service("ecs"))
                    .build(),
            ),
            elb: aws_sdk_elasticloadbalancingv2::Client::from_conf(
                aws_sdk_elasticloadbalancingv2::config::Builder::from(conf)
                    .interceptor(counter.for_service("elasticloadbalancing"))
                    .build(),
            ),
            efs: aws_sdk_efs::Client::from_conf(
                aws_sdk_efs::config::Builder::from(conf)
                    .interceptor(counter.for_service("elasticfilesystem"))
                    .build(),
            ),
            sts: aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(conf)
                    .interceptor(counter.for_service("sts"))
                    .build(),
            ),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(
                aws_sdk_cloudwatchlogs::config::Builder::from(conf)
                    .interceptor(counter.for_service("logs"))
                    .build(),
            ),
            region: conf
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "?".into()),
            profile,
            calls,
            by_api,
            deregistration: Mutex::default(),
            lbs: Mutex::default(),
            groups: Mutex::default(),
            stopped: Mutex::default(),
        }
    }

    /// Builds the backend from explicit clients, for tests that feed the SDK
    /// canned responses.
    pub fn from_clients(
        ecs: aws_sdk_ecs::Client,
        elb: aws_sdk_elasticloadbalancingv2::Client,
        efs: aws_sdk_efs::Client,
        sts: aws_sdk_sts::Client,
        logs: aws_sdk_cloudwatchlogs::Client,
    ) -> Self {
        AwsCloud {
            ecs,
            elb,
            efs,
            sts,
            logs,
            region: "test".into(),
            profile: None,
            calls: Arc::new(AtomicU64::new(0)),
            by_api: Arc::default(),
            deregistration: Mutex::default(),
            lbs: Mutex::default(),
            groups: Mutex::default(),
            stopped: Mutex::default(),
        }
    }

    fn err<E>(&self, e: E, action: &str) -> CloudError
    where
        E: Into<convert::AnySdkError>,
    {
        let mut err = classify(e.into(), action);
        if err.kind == ErrorKind::Credentials {
            err.hint = Some(match &self.profile {
                Some(p) => {
                    format!("run aws sso login --profile {p}, or refresh the profile's keys")
                }
                None => "refresh your credentials (aws sso login, or new keys in the environment)"
                    .into(),
            });
        }
        err
    }

    async fn task_arns(&self, svc: &ServiceRef, status: DesiredStatus) -> CloudResult<Vec<String>> {
        self.ecs
            .list_tasks()
            .cluster(&svc.cluster)
            .service_name(&svc.service)
            .desired_status(status)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| self.err(e, "ecs:ListTasks"))
    }
}

#[async_trait]
impl Cloud for AwsCloud {
    fn region(&self) -> String {
        self.region.clone()
    }

    async fn identity(&self) -> CloudResult<Identity> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| self.err(e, "sts:GetCallerIdentity"))?;
        Ok(Identity {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
        })
    }

    async fn list_services(&self, cluster: Option<&str>) -> CloudResult<Vec<ServiceRef>> {
        // With a cluster given, only that one: a cluster-scoped IAM policy
        // (as the README recommends) does not allow ecs:ListClusters.
        let clusters: Vec<String> = match cluster {
            Some(c) => vec![c.to_string()],
            None => self
                .ecs
                .list_clusters()
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(|e| self.err(e, "ecs:ListClusters"))?,
        };
        let mut out = Vec::new();
        for cluster in clusters {
            let services: Vec<String> = self
                .ecs
                .list_services()
                .cluster(&cluster)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(|e| self.err(e, "ecs:ListServices"))?;
            let cluster_name = crate::model::arn_tail(&cluster).to_string();
            for s in services {
                out.push(ServiceRef {
                    cluster: cluster_name.clone(),
                    service: crate::model::arn_tail(&s).to_string(),
                });
            }
        }
        Ok(out)
    }

    async fn service(&self, svc: &ServiceRef) -> CloudResult<Service> {
        let out = self
            .ecs
            .describe_services()
            .cluster(&svc.cluster)
            .services(&svc.service)
            .send()
            .await
            .map_err(|e| self.err(e, "ecs:DescribeServices"))?;
        match out.services().first() {
            Some(s) => Ok(convert::service(s, &svc.cluster)),
            None => {
                let reason = out
                    .failures()
                    .first()
                    .and_then(|f| f.reason())
                    .unwrap_or("MISSING");
                let mut e = CloudError::new(
                    ErrorKind::NotFound,
                    "ecs:DescribeServices",
                    format!(
                        "service {} in cluster {}: {reason}",
                        svc.service, svc.cluster
                    ),
                );
                e.code = Some("ServiceNotFound".into());
                Err(e)
            }
        }
    }

    async fn task_definition(&self, arn: &str) -> CloudResult<TaskDef> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(arn)
            .send()
            .await
            .map_err(|e| self.err(e, "ecs:DescribeTaskDefinition"))?;
        out.task_definition().map(convert::task_def).ok_or_else(|| {
            CloudError::new(
                ErrorKind::NotFound,
                "ecs:DescribeTaskDefinition",
                format!("task definition {arn} not returned"),
            )
        })
    }

    async fn tasks(&self, svc: &ServiceRef) -> CloudResult<Vec<Task>> {
        // ListTasks defaults to RUNNING, where a stopping task vanishes: ask
        // for both so the old task can be seen leaving.
        let mut running = self.task_arns(svc, DesiredStatus::Running).await?;
        running.sort();
        let due = self
            .stopped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .due(&running);
        let stopped = if due {
            let s = self.task_arns(svc, DesiredStatus::Stopped).await?;
            let mut l = self.stopped.lock().unwrap_or_else(|p| p.into_inner());
            l.at = Some(Instant::now());
            l.arns = s.clone();
            s
        } else {
            self.stopped
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .arns
                .clone()
        };
        let mut arns = running.clone();
        for a in stopped {
            if !arns.contains(&a) {
                arns.push(a);
            }
        }
        let mut tasks = Vec::new();
        for batch in arns.chunks(100) {
            let out = self
                .ecs
                .describe_tasks()
                .cluster(&svc.cluster)
                .set_tasks(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|e| self.err(e, "ecs:DescribeTasks"))?;
            tasks.extend(out.tasks().iter().map(convert::task));
        }
        // Bridge and host mode tasks are joined to targets by EC2 instance.
        let mut instances: Vec<String> = tasks
            .iter()
            .filter(|t| t.private_ip.is_none())
            .filter_map(|t| t.ec2_instance.clone())
            .collect();
        instances.sort();
        instances.dedup();
        if !instances.is_empty() {
            let mut map = std::collections::HashMap::new();
            for batch in instances.chunks(100) {
                let out = self
                    .ecs
                    .describe_container_instances()
                    .cluster(&svc.cluster)
                    .set_container_instances(Some(batch.to_vec()))
                    .send()
                    .await
                    .map_err(|e| self.err(e, "ecs:DescribeContainerInstances"))?;
                for ci in out.container_instances() {
                    if let (Some(arn), Some(id)) =
                        (ci.container_instance_arn(), ci.ec2_instance_id())
                    {
                        map.insert(arn.to_string(), id.to_string());
                    }
                }
            }
            for t in tasks.iter_mut().filter(|t| t.private_ip.is_none()) {
                if let Some(ci) = &t.ec2_instance {
                    t.ec2_instance = map.get(ci).cloned();
                }
            }
        }
        {
            let mut l = self.stopped.lock().unwrap_or_else(|p| p.into_inner());
            l.running = running;
            l.leaving = tasks.iter().any(|t| t.is_leaving() && !t.is_stopped());
        }
        Ok(trim_stopped(tasks))
    }

    async fn target_groups(&self, arns: &[String]) -> CloudResult<Vec<TargetGroup>> {
        if arns.is_empty() {
            return Ok(Vec::new());
        }
        let key = arns.join(",");
        let described = match cached(&self.groups, &key) {
            Some(g) => g,
            None => {
                let out = self
                    .elb
                    .describe_target_groups()
                    .set_target_group_arns(Some(arns.to_vec()))
                    .send()
                    .await
                    .map_err(|e| self.err(e, "elasticloadbalancing:DescribeTargetGroups"))?;
                let g: Vec<(TargetGroup, Vec<String>)> = out
                    .target_groups()
                    .iter()
                    .map(|tg| (convert::target_group(tg), tg.load_balancer_arns().to_vec()))
                    .collect();
                remember(&self.groups, &key, g.clone());
                g
            }
        };
        let mut groups = Vec::new();
        for (mut group, lb_arns) in described {
            group.deregistration_delay_s = match cached(&self.deregistration, &group.arn) {
                Some(d) => d,
                None => {
                    let attrs = self
                        .elb
                        .describe_target_group_attributes()
                        .target_group_arn(&group.arn)
                        .send()
                        .await
                        .map_err(|e| {
                            self.err(e, "elasticloadbalancing:DescribeTargetGroupAttributes")
                        })?;
                    let d = attrs
                        .attributes()
                        .iter()
                        .find(|a| a.key() == Some("deregistration_delay.timeout_seconds"))
                        .and_then(|a| a.value())
                        .and_then(|v| v.parse().ok());
                    remember(&self.deregistration, &group.arn, d);
                    d
                }
            };
            let health = self
                .elb
                .describe_target_health()
                .target_group_arn(&group.arn)
                .send()
                .await
                .map_err(|e| self.err(e, "elasticloadbalancing:DescribeTargetHealth"))?;
            group.targets = health
                .target_health_descriptions()
                .iter()
                .map(convert::target)
                .collect();
            for lb_arn in &lb_arns {
                let lb = match cached(&self.lbs, lb_arn) {
                    Some(lb) => lb,
                    None => {
                        let lb = self.load_balancer(lb_arn).await?;
                        remember(&self.lbs, lb_arn, lb.clone());
                        lb
                    }
                };
                group.load_balancers.push(lb);
            }
            groups.push(group);
        }
        Ok(groups)
    }

    async fn file_systems(&self, ids: &[String]) -> CloudResult<Vec<FileSystem>> {
        let mut out = Vec::new();
        for id in ids {
            let fs = self
                .efs
                .describe_file_systems()
                .file_system_id(id)
                .send()
                .await
                .map_err(|e| self.err(e, "elasticfilesystem:DescribeFileSystems"))?;
            let Some(desc) = fs.file_systems().first() else {
                continue;
            };
            let mts = self
                .efs
                .describe_mount_targets()
                .file_system_id(id)
                .send()
                .await
                .map_err(|e| self.err(e, "elasticfilesystem:DescribeMountTargets"))?;
            out.push(convert::file_system(desc, mts.mount_targets()));
        }
        Ok(out)
    }

    async fn stop_task(&self, cluster: &str, task_arn: &str, reason: &str) -> CloudResult<()> {
        // Destructive calls are sent once: after a timeout the stop may
        // have happened, and the task list, not a retry, tells.
        self.ecs
            .stop_task()
            .cluster(cluster)
            .task(task_arn)
            .reason(reason)
            .customize()
            .config_override(
                aws_sdk_ecs::config::Builder::default().retry_config(RetryConfig::disabled()),
            )
            .send()
            .await
            .map_err(|e| self.err(e, "ecs:StopTask"))?;
        Ok(())
    }

    async fn filter_logs(&self, q: &LogQuery, token: Option<&str>) -> CloudResult<FilterPage> {
        let req = self
            .logs
            .filter_log_events()
            .log_group_name(&q.group)
            .set_log_stream_names(Some(q.streams.clone()))
            .start_time(q.start_ms)
            .limit(q.limit)
            .set_next_token(token.map(str::to_string));
        let out = match q.region.as_deref().filter(|r| *r != self.region) {
            Some(r) => {
                req.customize()
                    .config_override(
                        aws_sdk_cloudwatchlogs::config::Builder::default()
                            .region(Region::new(r.to_string())),
                    )
                    .send()
                    .await
            }
            None => req.send().await,
        }
        .map_err(|e| self.err(e, "logs:FilterLogEvents"))?;
        Ok(FilterPage {
            events: out
                .events()
                .iter()
                .map(|e| FilteredEvent {
                    id: e.event_id().unwrap_or_default().to_string(),
                    stream: crate::model::sanitize::clean(e.log_stream_name().unwrap_or_default()),
                    timestamp_ms: e.timestamp().unwrap_or(0),
                    message: sanitize(e.message().unwrap_or_default().as_bytes()),
                })
                .collect(),
            next: out.next_token().map(str::to_string),
        })
    }

    async fn log_page(
        &self,
        src: &LogSource,
        cursor: &LogCursor,
        limit: i32,
    ) -> CloudResult<LogPage> {
        let mut req = self
            .logs
            .get_log_events()
            .log_group_name(&src.group)
            .log_stream_name(&src.stream);
        req = match cursor {
            LogCursor::Tail(n) => req.start_from_head(false).limit(*n),
            LogCursor::After(token) => req.start_from_head(true).next_token(token).limit(limit),
        };
        // The task definition may send logs to another region
        // (awslogs-region): read them there.
        let out = match src.region.as_deref().filter(|r| *r != self.region) {
            Some(r) => {
                req.customize()
                    .config_override(
                        aws_sdk_cloudwatchlogs::config::Builder::default()
                            .region(Region::new(r.to_string())),
                    )
                    .send()
                    .await
            }
            None => req.send().await,
        }
        .map_err(|e| self.err(e, "logs:GetLogEvents"))?;
        let next = match (out.next_forward_token(), cursor) {
            (Some(t), _) => t.to_string(),
            (None, LogCursor::After(t)) => t.clone(),
            (None, LogCursor::Tail(_)) => String::new(),
        };
        Ok(LogPage {
            events: out
                .events()
                .iter()
                .map(|e| RawLogEvent {
                    timestamp_ms: e.timestamp().unwrap_or(0),
                    message: sanitize(e.message().unwrap_or_default().as_bytes()),
                })
                .collect(),
            next,
        })
    }

    fn api_calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    fn api_calls_by(&self) -> Vec<(String, u64)> {
        let m = self.by_api.lock().unwrap_or_else(|p| p.into_inner());
        m.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}

impl AwsCloud {
    async fn load_balancer(&self, arn: &str) -> CloudResult<crate::model::LoadBalancer> {
        let out = self
            .elb
            .describe_load_balancers()
            .load_balancer_arns(arn)
            .send()
            .await
            .map_err(|e| self.err(e, "elasticloadbalancing:DescribeLoadBalancers"))?;
        let listeners = self
            .elb
            .describe_listeners()
            .load_balancer_arn(arn)
            .send()
            .await
            .map_err(|e| self.err(e, "elasticloadbalancing:DescribeListeners"))?;
        let lb = out.load_balancers().first();
        Ok(convert::load_balancer(arn, lb, listeners.listeners()))
    }
}

/// Keeps every task that is not stopped, and the most recently stopped ones.
fn trim_stopped(mut tasks: Vec<Task>) -> Vec<Task> {
    crate::model::sort_tasks(&mut tasks);
    let mut stopped = 0;
    tasks.retain(|t| {
        if t.is_stopped() {
            stopped += 1;
            stopped <= STOPPED_TASKS_KEPT
        } else {
            true
        }
    });
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopped_tasks_are_listed_only_when_something_may_have_stopped() {
        let run = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(StoppedList::default().due(&run(&["t1"])), "never asked");
        let l = StoppedList::asked(&["t1"], false);
        assert!(!l.due(&run(&["t1"])), "nothing changed: not again for 30 s");
        assert!(l.due(&run(&["t2"])), "the running set changed");
        assert!(l.due(&run(&[])), "a task is gone from RUNNING");
        assert!(
            StoppedList::asked(&["t1"], true).due(&run(&["t1"])),
            "one is leaving"
        );
    }
}

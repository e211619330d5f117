//! The AWS backend: the official SDK, converted to domain types at this
//! boundary. Nothing outside this module sees an SDK type.

mod clients;
mod convert;
mod json_wire;
mod logs;
mod metrics;
mod operate;
pub mod profiles;
mod setup;
mod tasks;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_ecs::types::DesiredStatus;

use super::{Cloud, CloudError, CloudResult, ErrorKind};
use crate::model::logs::{FilterPage, LogCursor, LogPage, LogQuery, LogSource};
use crate::model::sanitize::clean;
use crate::model::{FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef};
use clients::Clients;
pub use convert::classify;

/// The CloudWatch client as ecsdeck builds it (JSON 1.0 on the wire),
/// for a test that seeds metrics through it.
pub fn cloudwatch_client(conf: &SdkConfig) -> aws_sdk_cloudwatch::Client {
    let counter = CallCounter {
        total: Arc::default(),
        by_api: Arc::default(),
        service: "",
        clock: Arc::default(),
    };
    clients::cloudwatch(conf, &counter)
}
pub use setup::{AwsOptions, load_config};
use setup::{Cache, CallCounter, cached, cached_within, remember};
use tasks::StoppedList;

/// The AWS backend: one client per service, sharing one configuration,
/// each counting its calls.
pub struct AwsCloud {
    clients: std::sync::RwLock<Clients>,
    /// Where the clients' configuration came from, to load it again while
    /// the credentials are refused (keys replaced in ~/.aws/credentials,
    /// a session revoked before its expiry): the SDK reads a profile
    /// once, and caches credentials until their own expiry.
    reload: Option<(AwsOptions, CallCounter)>,
    region: String,
    profile: Option<String>,
    calls: Arc<AtomicU64>,
    by_api: Arc<Mutex<BTreeMap<String, u64>>>,
    clock: Arc<setup::ClockOffset>,
    deregistration: Cache<Option<u32>>,
    lbs: Cache<crate::model::LoadBalancer>,
    /// The service's target groups, by their ARNs: they change only when
    /// the service's load balancers do.
    groups: Cache<Vec<(TargetGroup, Vec<String>)>>,
    stopped: Mutex<StoppedList>,
}

impl AwsCloud {
    pub fn new(conf: &SdkConfig, profile: Option<String>) -> Self {
        let calls = Arc::new(AtomicU64::new(0));
        let by_api: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
        let clock: Arc<setup::ClockOffset> = Arc::default();
        let counter = CallCounter {
            total: calls.clone(),
            by_api: by_api.clone(),
            service: "",
            clock: clock.clone(),
        };
        AwsCloud {
            clients: std::sync::RwLock::new(Clients::build(conf, &counter)),
            reload: None,
            region: conf
                .region()
                .map(|r| r.to_string())
                .unwrap_or_else(|| "?".into()),
            profile,
            calls,
            by_api,
            clock,
            deregistration: Mutex::default(),
            lbs: Mutex::default(),
            groups: Mutex::default(),
            stopped: Mutex::default(),
        }
    }

    /// While the credentials are refused, each retry loads the
    /// configuration from `opts` again and rebuilds the clients.
    pub fn reloading(mut self, opts: AwsOptions) -> Self {
        let counter = CallCounter {
            total: self.calls.clone(),
            by_api: self.by_api.clone(),
            service: "",
            clock: self.clock.clone(),
        };
        self.reload = Some((opts, counter));
        self
    }

    /// The clients now (a reload may have replaced them).
    fn c(&self) -> Clients {
        self.clients
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
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
            clients: std::sync::RwLock::new(Clients {
                ecs,
                elb,
                efs,
                sts,
                logs,
                // Unused unless a test gives its own (`with_cloudwatch`).
                cw: aws_sdk_cloudwatch::Client::from_conf(
                    aws_sdk_cloudwatch::Config::builder()
                        .behavior_version_latest()
                        .region(aws_config::Region::new("test"))
                        .build(),
                ),
            }),
            reload: None,
            region: "test".into(),
            profile: None,
            calls: Arc::new(AtomicU64::new(0)),
            by_api: Arc::default(),
            clock: Arc::default(),
            deregistration: Mutex::default(),
            lbs: Mutex::default(),
            groups: Mutex::default(),
            stopped: Mutex::default(),
        }
    }

    /// The CloudWatch client of a test.
    pub fn with_cloudwatch(self, cw: aws_sdk_cloudwatch::Client) -> Self {
        self.clients.write().unwrap_or_else(|p| p.into_inner()).cw = cw;
        self
    }

    fn err<E>(&self, e: E, action: &str) -> CloudError
    where
        E: Into<convert::AnySdkError>,
    {
        let mut err = classify(e.into(), action);
        if err.kind == ErrorKind::Credentials {
            // The profile in use: the flag or the config file's, else the
            // SDK's own AWS_PROFILE.
            let profile = self
                .profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok())
                .map(|p| crate::model::sanitize::clean(&p))
                .filter(|p| !p.is_empty());
            err.hint = Some(match &profile {
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
        self.c()
            .ecs
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

    async fn reload_credentials(&self) {
        let Some((opts, counter)) = &self.reload else {
            return;
        };
        match load_config(opts).await {
            Ok(conf) => {
                let fresh = Clients::build(&conf, counter);
                *self.clients.write().unwrap_or_else(|p| p.into_inner()) = fresh;
            }
            Err(e) => tracing::warn!(error = %e, "reloading the AWS configuration failed"),
        }
    }

    async fn insights(&self, cluster: &str) -> CloudResult<crate::model::metrics::Insights> {
        self.cluster_insights(cluster).await
    }

    async fn metrics(
        &self,
        ask: &crate::model::metrics::MetricsAsk,
    ) -> CloudResult<crate::model::metrics::MetricsPage> {
        self.metric_data(ask).await
    }

    async fn identity(&self) -> CloudResult<Identity> {
        let out = self
            .c()
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| self.err(e, "sts:GetCallerIdentity"))?;
        // Untrusted text like every other answer: the caller's ARN is on
        // the header line and in every stop reason.
        Ok(Identity {
            account: clean(out.account().unwrap_or_default()),
            arn: clean(out.arn().unwrap_or_default()),
        })
    }

    async fn list_services(&self, cluster: Option<&str>) -> CloudResult<Vec<ServiceRef>> {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        self.list_services_each(cluster, &tx).await?;
        drop(tx);
        let mut out = Vec::new();
        while let Some(page) = rx.recv().await {
            out.extend(page);
        }
        Ok(out)
    }

    async fn list_services_each(
        &self,
        cluster: Option<&str>,
        pages: &tokio::sync::mpsc::UnboundedSender<Vec<ServiceRef>>,
    ) -> CloudResult<()> {
        // With a cluster given, only that one: a cluster-scoped IAM policy
        // (as the README recommends) does not allow ecs:ListClusters.
        let clusters: Vec<String> = match cluster {
            Some(c) => vec![c.to_string()],
            None => self
                .c()
                .ecs
                .list_clusters()
                // The most a page holds (the default is 100 here, 10 for
                // services): a large account lists in few calls.
                .max_results(100)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(|e| self.err(e, "ecs:ListClusters"))?,
        };
        // A cluster refused (a policy naming some clusters only) does not
        // hide the others: the first refusal is said once all are listed.
        let mut refused = None;
        for cluster in clusters {
            // The picker shows these names.
            let cluster_name = clean(crate::model::arn_tail(&cluster));
            let mut stream = self
                .c()
                .ecs
                .list_services()
                .cluster(&cluster)
                .max_results(100)
                .into_paginator()
                .send();
            while let Some(page) = stream.next().await {
                let page = match page {
                    Ok(p) => p,
                    Err(e) => {
                        refused.get_or_insert(self.err(e, "ecs:ListServices"));
                        break;
                    }
                };
                let refs = page
                    .service_arns()
                    .iter()
                    .map(|s| ServiceRef {
                        cluster: cluster_name.clone(),
                        service: clean(crate::model::arn_tail(s)),
                    })
                    .collect();
                if pages.send(refs).is_err() {
                    return Ok(());
                }
            }
        }
        refused.map_or(Ok(()), Err)
    }

    async fn service(&self, svc: &ServiceRef) -> CloudResult<Service> {
        let out = self
            .c()
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
                let reason = clean(
                    out.failures()
                        .first()
                        .and_then(|f| f.reason())
                        .unwrap_or("MISSING"),
                );
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
            .c()
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
        self.list_tasks(svc).await
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
                    .c()
                    .elb
                    .describe_target_groups()
                    .set_target_group_arns(Some(arns.to_vec()))
                    .send()
                    .await
                    .map_err(|e| self.err(e, "elasticloadbalancing:DescribeTargetGroups"))?;
                let g: Vec<(TargetGroup, Vec<String>)> = out
                    .target_groups()
                    .iter()
                    .map(|tg| {
                        let lbs = tg.load_balancer_arns().iter().map(|a| clean(a)).collect();
                        (convert::target_group(tg), lbs)
                    })
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
                        .c()
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
                .c()
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
                let known = cached(&self.lbs, lb_arn).filter(|lb| {
                    lb.unreadable.is_none()
                        || cached_within(&self.lbs, lb_arn, setup::FAILED_CACHE).is_some()
                });
                let lb = match known {
                    Some(lb) => lb,
                    None => match self.load_balancer(lb_arn).await {
                        Ok(lb) => {
                            remember(&self.lbs, lb_arn, lb.clone());
                            lb
                        }
                        // A denied DescribeListeners costs the probe's URL,
                        // not the target group's health: the group is kept,
                        // its load balancer says why it is unknown (and is
                        // asked again after a minute).
                        Err(e) => {
                            let lb = crate::model::LoadBalancer {
                                arn: lb_arn.clone(),
                                // loadbalancer/app/NAME/ID
                                name: lb_arn
                                    .split('/')
                                    .nth(2)
                                    .unwrap_or_else(|| crate::model::arn_tail(lb_arn))
                                    .to_string(),
                                dns_name: String::new(),
                                scheme: None,
                                state: None,
                                listeners: Vec::new(),
                                unreadable: Some(e.operator_text()),
                            };
                            remember(&self.lbs, lb_arn, lb.clone());
                            lb
                        }
                    },
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
                .c()
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
                .c()
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

    async fn filter_logs(&self, q: &LogQuery, token: Option<&str>) -> CloudResult<FilterPage> {
        self.filter_log_events(q, token).await
    }

    async fn log_page(
        &self,
        src: &LogSource,
        cursor: &LogCursor,
        limit: i32,
    ) -> CloudResult<LogPage> {
        self.get_log_events(src, cursor, limit).await
    }

    fn api_calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    fn api_calls_by(&self) -> Vec<(String, u64)> {
        let m = self.by_api.lock().unwrap_or_else(|p| p.into_inner());
        m.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    fn clock_offset_s(&self) -> Option<f64> {
        self.clock.seconds()
    }
}

impl AwsCloud {
    async fn load_balancer(&self, arn: &str) -> CloudResult<crate::model::LoadBalancer> {
        let out = self
            .c()
            .elb
            .describe_load_balancers()
            .load_balancer_arns(arn)
            .send()
            .await
            .map_err(|e| self.err(e, "elasticloadbalancing:DescribeLoadBalancers"))?;
        let listeners = self
            .c()
            .elb
            .describe_listeners()
            .load_balancer_arn(arn)
            .send()
            .await
            .map_err(|e| self.err(e, "elasticloadbalancing:DescribeListeners"))?;
        let lb = out.load_balancers().first();
        let mut found = convert::load_balancer(arn, lb, listeners.listeners());
        // The rules, not the default action, decide where a path goes. A
        // listener whose rules cannot be read is said so, and the rest of
        // the load balancer is still shown.
        for (l, sdk) in found.listeners.iter_mut().zip(listeners.listeners()) {
            let Some(listener_arn) = sdk.listener_arn() else {
                continue;
            };
            match self
                .c()
                .elb
                .describe_rules()
                .listener_arn(listener_arn)
                .page_size(400)
                .send()
                .await
            {
                Ok(r) => l.rules = convert::rules(r.rules()),
                Err(e) => {
                    l.rules_error = Some(
                        self.err(e, "elasticloadbalancing:DescribeRules")
                            .operator_text(),
                    )
                }
            }
        }
        Ok(found)
    }
}

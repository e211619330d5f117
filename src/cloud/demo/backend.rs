//! The demo as a backend: what the AWS backend would answer for the
//! simulated world (and its second service), with the calls counted as
//! the AWS backend would send them.

use std::sync::atomic::Ordering;

use async_trait::async_trait;

use super::{CLUSTER, DemoCloud, SERVICE, WORKER, lock, not_found, worker, world};
use crate::cloud::{Cloud, CloudResult};
use crate::model::logs::{FilterPage, LogCursor, LogPage, LogQuery, LogSource};
use crate::model::{FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef};

#[async_trait]
impl Cloud for DemoCloud {
    fn region(&self) -> String {
        "us-east-1".into()
    }
    fn is_demo(&self) -> bool {
        true
    }
    async fn identity(&self) -> CloudResult<Identity> {
        self.count(&[("sts:GetCallerIdentity", 1)]);
        self.signed("sts:GetCallerIdentity")?;
        Ok(Identity {
            account: "000000000000".into(),
            arn: "arn:aws:iam::000000000000:user/demo-operator".into(),
        })
    }
    async fn list_services(&self, _cluster: Option<&str>) -> CloudResult<Vec<ServiceRef>> {
        self.count(&[("ecs:ListClusters", 1), ("ecs:ListServices", 1)]);
        self.signed("ecs:ListServices")?;
        Ok([SERVICE, WORKER]
            .into_iter()
            .map(|s| ServiceRef {
                cluster: CLUSTER.into(),
                service: s.into(),
            })
            .collect())
    }
    async fn service(&self, svc: &ServiceRef) -> CloudResult<Service> {
        self.count(&[("ecs:DescribeServices", 1)]);
        self.signed("ecs:DescribeServices")?;
        self.named(&svc.service, 1);
        if svc.cluster == CLUSTER && svc.service == WORKER {
            return Ok(worker::service(self.worker_since));
        }
        if svc.cluster != CLUSTER || svc.service != SERVICE {
            return Err(not_found(
                "ecs:DescribeServices",
                format!(
                    "service {} in cluster {}: MISSING",
                    svc.service, svc.cluster
                ),
            ));
        }
        Ok(lock(&self.world).service())
    }
    async fn task_definition(&self, arn: &str) -> CloudResult<TaskDef> {
        self.count(&[("ecs:DescribeTaskDefinition", 1)]);
        self.signed("ecs:DescribeTaskDefinition")?;
        if arn == worker::TD_ARN {
            return Ok(worker::task_def());
        }
        let td = world::task_def_with(lock(&self.world).api_health_check);
        if arn != td.arn {
            return Err(not_found(
                "ecs:DescribeTaskDefinition",
                format!("task definition {arn}"),
            ));
        }
        Ok(td)
    }
    async fn tasks(&self, svc: &ServiceRef) -> CloudResult<Vec<Task>> {
        // As the AWS backend: ListTasks(RUNNING) and DescribeTasks each
        // time; ListTasks(STOPPED) while a task is leaving, else every 30 s.
        self.named(&svc.service, 2);
        let tasks = if svc.service == WORKER {
            worker::tasks(self.worker_since)
        } else {
            lock(&self.world).tasks()
        };
        let leaving = tasks.iter().any(|t| t.is_leaving() && !t.is_stopped());
        let n = self.task_polls.fetch_add(1, Ordering::Relaxed);
        let stopped_too = u64::from(leaving || n.is_multiple_of(6));
        self.count(&[("ecs:ListTasks", 1 + stopped_too), ("ecs:DescribeTasks", 1)]);
        self.signed("ecs:ListTasks")?;
        Ok(tasks)
    }
    async fn target_groups(&self, arns: &[String]) -> CloudResult<Vec<TargetGroup>> {
        let w = lock(&self.world);
        let tgs: Vec<TargetGroup> = arns
            .iter()
            .filter(|a| **a == world::TG_ARN)
            .map(|_| w.target_group())
            .collect();
        // As the AWS backend: health each refresh; the groups, their
        // attributes, load balancer and listeners are cached 5 minutes.
        self.count(&[(
            "elasticloadbalancing:DescribeTargetHealth",
            tgs.len() as u64,
        )]);
        drop(w);
        self.signed("elasticloadbalancing:DescribeTargetHealth")?;
        Ok(tgs)
    }
    async fn file_systems(&self, ids: &[String]) -> CloudResult<Vec<FileSystem>> {
        self.count(&[
            ("elasticfilesystem:DescribeFileSystems", ids.len() as u64),
            ("elasticfilesystem:DescribeMountTargets", ids.len() as u64),
        ]);
        self.signed("elasticfilesystem:DescribeFileSystems")?;
        let w = lock(&self.world);
        Ok(ids
            .iter()
            .filter(|i| *i == world::FS_ID)
            .map(|_| w.file_system())
            .collect())
    }
    async fn log_page(
        &self,
        src: &LogSource,
        cursor: &LogCursor,
        limit: i32,
    ) -> CloudResult<LogPage> {
        self.count(&[("logs:GetLogEvents", 1)]);
        self.signed("logs:GetLogEvents")?;
        if src.group == worker::LOG_GROUP {
            let now = crate::clock::now();
            return worker::log_page(self.worker_since, now, &src.stream, cursor, limit)
                .map_err(|m| not_found("logs:GetLogEvents", m.to_string()));
        }
        // The API's access log carries request paths anyone can send.
        lock(&self.world)
            .log_page(&src.group, &src.stream, cursor, limit)
            .map(|mut page| {
                for e in &mut page.events {
                    e.message = crate::model::sanitize::sanitize(e.message.as_bytes());
                }
                page
            })
            .map_err(|m| not_found("logs:GetLogEvents", m.to_string()))
    }

    async fn filter_logs(&self, q: &LogQuery, _token: Option<&str>) -> CloudResult<FilterPage> {
        self.count(&[("logs:FilterLogEvents", 1)]);
        self.signed("logs:FilterLogEvents")?;
        // The worker's lines are read as they come, not searched.
        if q.group == worker::LOG_GROUP {
            return Ok(FilterPage {
                events: Vec::new(),
                next: None,
            });
        }
        let mut page = lock(&self.world)
            .filter_logs(q)
            .map_err(|m| not_found("logs:FilterLogEvents", m.to_string()))?;
        for e in &mut page.events {
            e.message = crate::model::sanitize::sanitize(e.message.as_bytes());
        }
        Ok(page)
    }

    async fn insights(&self, _cluster: &str) -> CloudResult<crate::model::metrics::Insights> {
        self.count(&[("ecs:DescribeClusters", 1)]);
        self.signed("ecs:DescribeClusters")?;
        Ok(if lock(&self.world).container_insights {
            crate::model::metrics::Insights::Enhanced
        } else {
            crate::model::metrics::Insights::Standard
        })
    }

    async fn metrics(
        &self,
        ask: &crate::model::metrics::MetricsAsk,
    ) -> CloudResult<crate::model::metrics::MetricsPage> {
        self.count(&[("cloudwatch:GetMetricData", 1)]);
        self.signed("cloudwatch:GetMetricData")?;
        if ask.service == WORKER {
            // A worker this quiet reports nothing worth a chart.
            return Ok(crate::model::metrics::MetricsPage::default());
        }
        Ok(lock(&self.world).metrics(ask))
    }

    fn api_calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    fn api_calls_by(&self) -> Vec<(String, u64)> {
        let m = self.by_api.lock().unwrap_or_else(|p| p.into_inner());
        m.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    /// The demo stamps its timestamps with this host's clock.
    fn clock_offset_s(&self) -> Option<f64> {
        Some(0.0)
    }
}

//! Backends: the AWS SDK and the embedded demo, each in two halves that
//! speak domain types only: `Cloud` observes, `Operate` changes things. A
//! read-only session is never given an `Operate` at all.

pub mod aws;
pub mod demo;

pub use crate::model::error::{CloudError, CloudResult, ErrorKind};
use crate::model::logs::{FilterPage, LogCursor, LogPage, LogQuery, LogSource};
use crate::model::metrics::{Insights, MetricsAsk, MetricsPage};
use crate::model::{FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef};
use async_trait::async_trait;

/// Everything ecsdeck reads from a cloud (the observe half). Implemented
/// by the AWS SDK backend and by the embedded demo.
#[async_trait]
pub trait Cloud: Send + Sync {
    /// Where this backend points, for the header ("us-east-1", "demo").
    fn region(&self) -> String;
    fn is_demo(&self) -> bool {
        false
    }
    async fn identity(&self) -> CloudResult<Identity>;
    /// Loads the credentials afresh, as a new process would (the AWS
    /// backend rebuilds its clients); while AWS refuses them, before each
    /// try. Nothing to do for a backend without credentials.
    async fn reload_credentials(&self) {}
    /// Every (cluster, service) the credentials can see, for the picker;
    /// only in `cluster` when one is given.
    async fn list_services(&self, cluster: Option<&str>) -> CloudResult<Vec<ServiceRef>>;
    /// The same, a page at a time as AWS answers: the picker shows the
    /// first services while the rest are still listed. Stops early when
    /// nobody listens any more.
    async fn list_services_each(
        &self,
        cluster: Option<&str>,
        pages: &tokio::sync::mpsc::UnboundedSender<Vec<ServiceRef>>,
    ) -> CloudResult<()> {
        let all = self.list_services(cluster).await?;
        let _ = pages.send(all);
        Ok(())
    }
    async fn service(&self, svc: &ServiceRef) -> CloudResult<Service>;
    async fn task_definition(&self, arn: &str) -> CloudResult<TaskDef>;
    /// Running tasks and the recently stopped ones.
    async fn tasks(&self, svc: &ServiceRef) -> CloudResult<Vec<Task>>;
    async fn target_groups(&self, arns: &[String]) -> CloudResult<Vec<TargetGroup>>;
    async fn file_systems(&self, ids: &[String]) -> CloudResult<Vec<FileSystem>>;
    /// One page of a log stream, oldest first (`logs:GetLogEvents`).
    async fn log_page(
        &self,
        src: &LogSource,
        cursor: &LogCursor,
        limit: i32,
    ) -> CloudResult<LogPage>;
    /// One page of events of many streams of a group, oldest first
    /// (`logs:FilterLogEvents`).
    async fn filter_logs(&self, q: &LogQuery, token: Option<&str>) -> CloudResult<FilterPage>;
    /// The cluster's Container Insights setting (`ecs:DescribeClusters`).
    async fn insights(&self, cluster: &str) -> CloudResult<Insights>;
    /// The service's, tasks' and containers' CPU and memory for
    /// `ask`'s window, in one `cloudwatch:GetMetricData`.
    async fn metrics(&self, ask: &MetricsAsk) -> CloudResult<MetricsPage>;
    /// API requests sent so far (every attempt, retries included).
    fn api_calls(&self) -> u64;
    /// The same, per API (`ecs:DescribeTasks`).
    fn api_calls_by(&self) -> Vec<(String, u64)> {
        Vec::new()
    }
    /// This host's clock minus the backend's, in seconds (to about a
    /// second), once known: AWS's timestamps and this host's are mixed in
    /// one timeline.
    fn clock_offset_s(&self) -> Option<f64> {
        None
    }
}

/// The half of a backend that changes things in AWS. Every call is sent
/// once and never retried: after a timeout the outcome is unknown, and the
/// next observation, not a second request, tells what happened.
#[async_trait]
pub trait Operate: Send + Sync {
    /// `ecs:StopTask` with `reason` (at most 255 characters), and AWS's
    /// request id of the answer (for the journal).
    async fn stop_task_receipt(
        &self,
        cluster: &str,
        task_arn: &str,
        reason: &str,
    ) -> CloudResult<Receipt>;
    /// `ecs:UpdateService` with `forceNewDeployment`, and AWS's request id.
    async fn force_deployment_receipt(&self, cluster: &str, service: &str) -> CloudResult<Receipt>;
    /// `ecs:StopTask`, when the request id is not wanted.
    async fn stop_task(&self, cluster: &str, task_arn: &str, reason: &str) -> CloudResult<()> {
        self.stop_task_receipt(cluster, task_arn, reason)
            .await
            .map(|_| ())
    }
    /// `ecs:UpdateService` with `forceNewDeployment`, when the request id
    /// is not wanted.
    async fn force_deployment(&self, cluster: &str, service: &str) -> CloudResult<()> {
        self.force_deployment_receipt(cluster, service)
            .await
            .map(|_| ())
    }
}

/// What AWS said when it took a change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Receipt {
    pub request_id: Option<String>,
}

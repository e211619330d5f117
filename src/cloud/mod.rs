//! Backends: the AWS SDK and the embedded demo, behind one trait that speaks
//! domain types only.

pub mod aws;
pub mod demo;

pub use crate::model::error::{CloudError, CloudResult, ErrorKind};
use crate::model::logs::{FilterPage, LogCursor, LogPage, LogQuery, LogSource};
use crate::model::{FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef};
use async_trait::async_trait;

/// Everything ecsdeck asks of a cloud. Implemented by the AWS SDK backend
/// and by the embedded demo.
#[async_trait]
pub trait Cloud: Send + Sync {
    /// Where this backend points, for the header ("us-east-1", "demo").
    fn region(&self) -> String;
    fn is_demo(&self) -> bool {
        false
    }
    async fn identity(&self) -> CloudResult<Identity>;
    /// Every (cluster, service) the credentials can see, for the picker;
    /// only in `cluster` when one is given.
    async fn list_services(&self, cluster: Option<&str>) -> CloudResult<Vec<ServiceRef>>;
    async fn service(&self, svc: &ServiceRef) -> CloudResult<Service>;
    async fn task_definition(&self, arn: &str) -> CloudResult<TaskDef>;
    /// Running tasks and the recently stopped ones.
    async fn tasks(&self, svc: &ServiceRef) -> CloudResult<Vec<Task>>;
    async fn target_groups(&self, arns: &[String]) -> CloudResult<Vec<TargetGroup>>;
    async fn file_systems(&self, ids: &[String]) -> CloudResult<Vec<FileSystem>>;
    async fn stop_task(&self, cluster: &str, task_arn: &str, reason: &str) -> CloudResult<()>;
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
    /// API requests sent so far (every attempt, retries included).
    fn api_calls(&self) -> u64;
    /// The same, per API (`ecs:DescribeTasks`).
    fn api_calls_by(&self) -> Vec<(String, u64)> {
        Vec::new()
    }
}

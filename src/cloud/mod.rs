//! Backends: the AWS SDK and the embedded demo, behind one trait that speaks
//! domain types only.

pub mod aws;
pub mod demo;

use std::fmt;

use async_trait::async_trait;
use serde::Serialize;

use crate::model::logs::{LogCursor, LogPage, LogSource};
use crate::model::{FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Throttled,
    AccessDenied,
    NotFound,
    Network,
    Credentials,
    Other,
}

/// An error from a backend, classified so the UI can say what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloudError {
    pub kind: ErrorKind,
    /// The IAM action of the failed call, e.g. `ecs:DescribeServices`.
    pub action: String,
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    /// What the operator can do about it, when we know.
    pub hint: Option<String>,
}

impl CloudError {
    pub fn new(kind: ErrorKind, action: &str, message: impl Into<String>) -> Self {
        CloudError {
            kind,
            action: action.to_string(),
            code: None,
            message: message.into(),
            request_id: None,
            hint: None,
        }
    }

    /// One line an operator can act on.
    pub fn operator_text(&self) -> String {
        match self.kind {
            ErrorKind::AccessDenied => format!(
                "{}: add {} to the IAM policy",
                self.code.as_deref().unwrap_or("AccessDenied"),
                self.action
            ),
            ErrorKind::Throttled => format!("throttled on {}", self.action),
            ErrorKind::Credentials => match &self.hint {
                Some(h) => format!("credentials: {} ({h})", self.message),
                None => format!("credentials: {}", self.message),
            },
            ErrorKind::Network => format!("cannot reach endpoint: {}", self.message),
            ErrorKind::NotFound => format!(
                "{}: {}",
                self.code.as_deref().unwrap_or("not found"),
                self.message
            ),
            ErrorKind::Other => format!(
                "{} failed: {}{}",
                self.action,
                self.code
                    .as_deref()
                    .map(|c| format!("{c}: "))
                    .unwrap_or_default(),
                self.message
            ),
        }
    }
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.operator_text())?;
        if let Some(id) = &self.request_id {
            write!(f, " [request {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for CloudError {}

pub type CloudResult<T> = Result<T, CloudError>;

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
    /// Every (cluster, service) the credentials can see, for the picker.
    async fn list_services(&self) -> CloudResult<Vec<ServiceRef>>;
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
    /// API requests sent so far (every attempt, retries included).
    fn api_calls(&self) -> u64;
}

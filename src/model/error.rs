//! Errors from a backend, classified so the UI can say what to do about
//! them. A domain type: the pollers send it, the app shows it, and neither
//! needs to know which backend produced it.

use std::fmt;

use serde::Serialize;

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

/// AWS's own faults (HTTP 5xx): the request may have been carried out.
const SERVER_FAULTS: &[&str] = &[
    "ServerException",
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

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
    /// The call may have happened: the connection broke or it timed out
    /// before AWS answered. Such a call is never taken as refused (nor
    /// retried: it could be a second StopTask).
    pub fn outcome_unknown(&self) -> bool {
        let server = self
            .code
            .as_deref()
            .is_some_and(|c| SERVER_FAULTS.contains(&c));
        // No error code at all: AWS's answer could not be understood.
        let unreadable = self.kind == ErrorKind::Other && self.code.is_none();
        self.kind == ErrorKind::Network
            || self.message.contains("timed out")
            || server
            || unreadable
    }

    pub fn operator_text(&self) -> String {
        match self.kind {
            // The action first: it is the one word the operator needs,
            // and the one a narrow pane must not cut.
            ErrorKind::AccessDenied => format!(
                "add {} to the IAM policy ({})",
                self.action,
                self.code.as_deref().unwrap_or("AccessDenied")
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
                "{} failed: {}{}{}",
                self.action,
                self.code
                    .as_deref()
                    .map(|c| format!("{c}: "))
                    .unwrap_or_default(),
                self.message,
                self.hint
                    .as_deref()
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default()
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

#[cfg(test)]
mod tests;

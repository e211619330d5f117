use std::time::Duration;

use crate::model::Time;
use crate::model::error::CloudError;

/// A panel's data: not loaded yet, loaded at a time, or failed with the
/// last good data kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Loadable<T> {
    pub data: Option<T>,
    pub updated: Option<Time>,
    pub error: Option<LoadError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub error: CloudError,
    pub at: Time,
    pub retry_in: Duration,
}

impl<T> Default for Loadable<T> {
    fn default() -> Self {
        Loadable {
            data: None,
            updated: None,
            error: None,
        }
    }
}

impl<T> Loadable<T> {
    pub fn set(&mut self, data: T, at: Time) {
        self.data = Some(data);
        self.updated = Some(at);
        self.error = None;
    }
    pub fn fail(&mut self, error: CloudError, at: Time, retry_in: Duration) {
        self.error = Some(LoadError {
            error,
            at,
            retry_in,
        });
    }
    pub fn get(&self) -> Option<&T> {
        self.data.as_ref()
    }
}

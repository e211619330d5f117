//! The world's clock: the system's, or a manual one that tests move on by
//! hand, so a task's phases can be stepped through without waiting.

use std::sync::{Arc, Mutex};
#[cfg(test)]
use std::time::Duration;
use std::time::Instant;

use crate::model::Time;

#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<(Instant, Time)>>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    #[cfg(test)]
    /// A clock that stands still until `advance` moves it.
    pub fn manual() -> Clock {
        Clock {
            manual: Some(Arc::new(Mutex::new((Instant::now(), crate::clock::now())))),
        }
    }

    #[cfg(test)]
    pub fn advance(&self, by: Duration) {
        if let Some(m) = &self.manual {
            let mut t = m.lock().unwrap_or_else(|p| p.into_inner());
            t.0 += by;
            t.1 += chrono::Duration::from_std(by).unwrap_or_default();
        }
    }

    pub fn now(&self) -> Instant {
        match &self.manual {
            Some(m) => m.lock().unwrap_or_else(|p| p.into_inner()).0,
            None => Instant::now(),
        }
    }

    pub fn utc(&self) -> Time {
        match &self.manual {
            Some(m) => m.lock().unwrap_or_else(|p| p.into_inner()).1,
            None => crate::clock::now(),
        }
    }
}

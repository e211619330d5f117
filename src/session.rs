//! The session core, one per run: the backend, the pollers and the channel
//! their observations arrive on. The dashboard, `status` and (later) the
//! drill are its consumers; nothing polls twice.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::cloud::Cloud;
use crate::model::ServiceRef;
use crate::model::observe::PollEvent;
use crate::poll::{self, Plan, Pollers};

pub struct Session {
    cloud: Arc<dyn Cloud>,
    target: ServiceRef,
    pollers: Pollers,
    rx: mpsc::Receiver<PollEvent>,
}

impl Session {
    /// Starts the pollers of `plan` against `target`.
    pub fn start(cloud: Arc<dyn Cloud>, target: ServiceRef, plan: Plan) -> Session {
        let (tx, rx) = mpsc::channel(64);
        let pollers = poll::spawn(cloud.clone(), target.clone(), plan, tx);
        Session {
            cloud,
            target,
            pollers,
            rx,
        }
    }

    /// The next observation, in arrival order. Cancel-safe, so it can sit
    /// in a `select!` beside the keys.
    pub async fn next(&mut self) -> Option<PollEvent> {
        self.rx.recv().await
    }

    /// The next observation, or None after `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<PollEvent> {
        tokio::time::timeout(wait, self.rx.recv())
            .await
            .ok()
            .flatten()
    }

    /// Poll everything now.
    pub fn refresh(&self) {
        self.pollers.refresh();
    }

    pub fn cloud(&self) -> &Arc<dyn Cloud> {
        &self.cloud
    }

    pub fn target(&self) -> &ServiceRef {
        &self.target
    }

    /// The APIs being slowed down because AWS throttles them.
    pub fn slowed(&self) -> Vec<crate::model::observe::Slowed> {
        self.pollers.slowed()
    }

    /// The backend's running totals per API.
    pub fn api_calls_by(&self) -> Vec<(String, u64)> {
        self.cloud.api_calls_by()
    }

    /// The backend's running total of API calls.
    pub fn api_calls(&self) -> u64 {
        self.cloud.api_calls()
    }
}

//! The ALB's side: which targets the health checker probes, what a check
//! does to a target's state, and which healthy target a request goes to.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::*;
use crate::cloud::demo::lock;

impl World {
    /// What the health checker should probe: each registered target's task
    /// and the loopback address its server really listens on.
    pub(super) fn check_list(&self) -> Vec<(String, Option<SocketAddr>)> {
        self.targets
            .iter()
            .filter(|g| g.state != TargetState::Draining)
            .map(|g| {
                let addr = self
                    .tasks
                    .iter()
                    .find(|t| t.id == g.task_id)
                    .and_then(|t| t.server.as_ref().map(|s| s.addr));
                (g.task_id.clone(), addr)
            })
            .collect()
    }

    pub(super) fn record_check(&mut self, task_id: &str, result: Result<(), &'static str>) {
        if let Some(t) = self.tasks.iter_mut().find(|t| t.id == task_id) {
            match result {
                Ok(()) => {
                    t.api_fails = 0;
                    t.api_health = "HEALTHY";
                }
                Err(_) => {
                    t.api_fails += 1;
                    if t.api_fails >= HC_UNHEALTHY {
                        t.api_health = "UNHEALTHY";
                    }
                }
            }
        }
        let mut became_healthy = false;
        for g in self
            .targets
            .iter_mut()
            .filter(|g| g.task_id == task_id && g.state != TargetState::Draining)
        {
            match result {
                Ok(()) => {
                    g.ok_streak += 1;
                    g.fail_streak = 0;
                    if g.ok_streak >= HC_HEALTHY && g.state != TargetState::Healthy {
                        g.state = TargetState::Healthy;
                        g.reason = None;
                        became_healthy = true;
                    }
                }
                Err(reason) => {
                    g.fail_streak += 1;
                    g.ok_streak = 0;
                    g.last_fail = Some(reason);
                    if g.fail_streak >= HC_UNHEALTHY {
                        g.state = TargetState::Unhealthy;
                        g.reason = Some(reason);
                    }
                }
            }
        }
        if became_healthy {
            self.steady_said = false;
        }
    }

    pub fn pick_target(&mut self) -> Option<SocketAddr> {
        let healthy: Vec<SocketAddr> = self
            .targets
            .iter()
            .filter(|g| g.state == TargetState::Healthy)
            .filter_map(|g| {
                self.tasks
                    .iter()
                    .find(|t| t.id == g.task_id)
                    .and_then(|t| t.server.as_ref().map(|s| s.addr))
            })
            .collect();
        if healthy.is_empty() {
            return None;
        }
        self.rr = self.rr.wrapping_add(1);
        Some(healthy[self.rr % healthy.len()])
    }
}

/// The ALB's health checker: a real HTTP GET of the health check path on
/// each registered target's server.
pub async fn run_health_checker(world: Arc<Mutex<World>>, cancel: CancellationToken) {
    // Loopback only: a bastion's HTTP_PROXY must not carry the checks.
    let Ok(client) = reqwest::Client::builder()
        .no_proxy()
        .user_agent("ELB-HealthChecker/2.0")
        .timeout(Duration::from_secs(1))
        .pool_max_idle_per_host(0)
        .build()
    else {
        return;
    };
    let mut tick = tokio::time::interval(Duration::from_secs(HC_INTERVAL_S as u64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        let list = lock(&world).check_list();
        for (task_id, addr) in list {
            let result = match addr {
                None => Err("Target.FailedHealthChecks"),
                Some(addr) => match client.get(format!("http://{addr}/goals")).send().await {
                    Ok(r) if r.status().as_u16() == 200 => Ok(()),
                    Ok(_) => Err("Target.ResponseCodeMismatch"),
                    Err(e) if e.is_timeout() => Err("Target.Timeout"),
                    Err(_) => Err("Target.FailedHealthChecks"),
                },
            };
            lock(&world).record_check(&task_id, result);
        }
    }
}

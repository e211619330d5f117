//! The pollers of a session against a backend whose credentials expire
//! and are renewed, on tokio's virtual clock.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::*;
use crate::cloud::CloudResult;
use crate::model::fixtures;
use crate::model::logs::{FilterPage, LogCursor, LogPage, LogQuery, LogSource};
use crate::model::observe::{PollEvent, Resource};
use crate::model::{FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef};
use crate::poll::{Plan, spawn};

/// The fixtures' service, answered while `refused` is false; every call
/// logged with the virtual time it was made at.
#[derive(Default)]
struct Expiring {
    refused: AtomicBool,
    /// STS itself out of reach (no VPC endpoint for it), or panicking.
    sts_down: AtomicBool,
    sts_panics: AtomicBool,
    calls: Mutex<Vec<(tokio::time::Instant, &'static str)>>,
}

impl Expiring {
    #[allow(clippy::result_large_err)] // the Cloud trait's own result, for `?`
    fn call(&self, action: &'static str) -> CloudResult<()> {
        self.calls
            .lock()
            .expect("lock")
            .push((tokio::time::Instant::now(), action));
        if self.refused.load(Ordering::SeqCst) {
            let mut e = CloudError::new(
                ErrorKind::Credentials,
                action,
                "The security token included in the request is expired",
            );
            e.code = Some("ExpiredTokenException".into());
            e.hint = Some("run aws sso login --profile ops".into());
            return Err(e);
        }
        Ok(())
    }

    fn calls_since(&self, t: tokio::time::Instant) -> Vec<&'static str> {
        let calls = self.calls.lock().expect("lock");
        calls.iter().filter(|c| c.0 >= t).map(|c| c.1).collect()
    }
}

#[async_trait]
impl Cloud for Expiring {
    fn region(&self) -> String {
        "us-east-1".into()
    }
    async fn identity(&self) -> CloudResult<Identity> {
        if self.sts_panics.load(Ordering::SeqCst) {
            panic!("a bug in the retry's call");
        }
        if self.sts_down.load(Ordering::SeqCst) {
            self.calls
                .lock()
                .expect("lock")
                .push((tokio::time::Instant::now(), "sts:GetCallerIdentity"));
            return Err(CloudError::new(
                ErrorKind::Network,
                "sts:GetCallerIdentity",
                "Connection timed out",
            ));
        }
        self.call("sts:GetCallerIdentity")?;
        Ok(Identity {
            account: "123456789012".into(),
            arn: "arn:aws:sts::123456789012:assumed-role/ops/me".into(),
        })
    }
    async fn list_services(&self, _: Option<&str>) -> CloudResult<Vec<ServiceRef>> {
        self.call("ecs:ListServices")?;
        Ok(Vec::new())
    }
    async fn service(&self, _: &ServiceRef) -> CloudResult<Service> {
        self.call("ecs:DescribeServices")?;
        Ok(fixtures::service())
    }
    async fn task_definition(&self, _: &str) -> CloudResult<TaskDef> {
        self.call("ecs:DescribeTaskDefinition")?;
        Ok(fixtures::task_def())
    }
    async fn tasks(&self, _: &ServiceRef) -> CloudResult<Vec<Task>> {
        self.call("ecs:ListTasks")?;
        Ok(vec![fixtures::task(
            "aaaa1111", "10.0.1.5", "RUNNING", "RUNNING",
        )])
    }
    async fn target_groups(&self, _: &[String]) -> CloudResult<Vec<TargetGroup>> {
        self.call("elasticloadbalancing:DescribeTargetHealth")?;
        Ok(vec![fixtures::tg(vec![fixtures::target(
            "10.0.1.5", "healthy", None,
        )])])
    }
    async fn file_systems(&self, _: &[String]) -> CloudResult<Vec<FileSystem>> {
        self.call("elasticfilesystem:DescribeFileSystems")?;
        Ok(vec![fixtures::fs(&["us-east-1a"])])
    }
    async fn insights(&self, _: &str) -> CloudResult<crate::model::metrics::Insights> {
        self.call("ecs:DescribeClusters")?;
        Ok(crate::model::metrics::Insights::Enhanced)
    }
    async fn metrics(
        &self,
        _: &crate::model::metrics::MetricsAsk,
    ) -> CloudResult<crate::model::metrics::MetricsPage> {
        self.call("cloudwatch:GetMetricData")?;
        Ok(Default::default())
    }
    async fn log_page(&self, _: &LogSource, _: &LogCursor, _: i32) -> CloudResult<LogPage> {
        self.call("logs:GetLogEvents")?;
        Err(CloudError::new(
            ErrorKind::NotFound,
            "logs:GetLogEvents",
            "none",
        ))
    }
    async fn filter_logs(&self, _: &LogQuery, _: Option<&str>) -> CloudResult<FilterPage> {
        self.call("logs:FilterLogEvents")?;
        Ok(FilterPage::default())
    }
    fn api_calls(&self) -> u64 {
        self.calls.lock().expect("lock").len() as u64
    }
}

/// A session's pollers on `cloud` (the logs too, with `logs`), at a 5 s
/// refresh.
fn start(cloud: &Arc<Expiring>, logs: bool) -> (crate::poll::Pollers, mpsc::Receiver<PollEvent>) {
    start_with(cloud, logs, false)
}

fn start_with(
    cloud: &Arc<Expiring>,
    logs: bool,
    metrics: bool,
) -> (crate::poll::Pollers, mpsc::Receiver<PollEvent>) {
    let (tx, rx) = mpsc::channel(1024);
    let svc = ServiceRef {
        cluster: "prod".into(),
        service: "goals".into(),
    };
    let plan = Plan {
        refresh: Duration::from_secs(5),
        logs,
        metrics,
        probe: None,
    };
    (spawn(cloud.clone(), svc, plan, tx), rx)
}

/// Lets `secs` of virtual time pass, the events drained as they come.
async fn run_for(secs: u64, rx: &mut mpsc::Receiver<PollEvent>, seen: &mut Vec<PollEvent>) {
    let until = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        tokio::select! {
            ev = rx.recv() => match ev {
                Some(ev) => seen.push(ev),
                None => return,
            },
            _ = tokio::time::sleep_until(until) => return,
        }
    }
}

#[tokio::test(start_paused = true)]
async fn expired_credentials_pause_every_poller_one_call_tries_every_30_s_and_all_resume() {
    let cloud = Arc::new(Expiring::default());
    let (pollers, mut rx) = start(&cloud, true);
    let mut seen = Vec::new();
    run_for(60, &mut rx, &mut seen).await;
    let healthy_rate = cloud.calls_since(tokio::time::Instant::now() - Duration::from_secs(30));
    assert!(healthy_rate.len() >= 12, "{healthy_rate:?}");
    assert!(pollers.paused().is_none());

    // The SSO session runs out.
    cloud.refused.store(true, Ordering::SeqCst);
    let expired = tokio::time::Instant::now();
    run_for(30, &mut rx, &mut seen).await;
    let p = pollers.paused().expect("paused after a refusal");
    assert_eq!(
        p.error.hint.as_deref(),
        Some("run aws sso login --profile ops")
    );
    // The first refusals: at most one call per poller, none after.
    let first = cloud.calls_since(expired);
    assert!(first.len() <= 8, "{first:?}");
    let later = tokio::time::Instant::now();
    run_for(300, &mut rx, &mut seen).await;
    let tries = cloud.calls_since(later);
    assert!(
        tries.iter().all(|a| *a == "sts:GetCallerIdentity"),
        "while paused, only the one try: {tries:?}"
    );
    assert!(
        (9..=11).contains(&tries.len()),
        "one try every 30 s for 300 s: {tries:?}"
    );
    let p = pollers.paused().expect("still paused");
    assert!(p.tries >= 9, "{p:?}");
    assert!(p.next_try_in.is_some_and(|d| d <= RETRY));
    // Every pane learnt why, none is left saying "updated" as if live.
    for r in [Resource::Service, Resource::Tasks, Resource::Targets] {
        let last = seen.iter().rev().find(|e| e.resource == r).expect("events");
        let e = last.result.as_ref().expect_err("shown as refused");
        assert_eq!(e.error.kind, ErrorKind::Credentials, "{r:?}");
    }

    // `aws sso login` in another window: back within one try, every
    // poller at once (not after its own backoff of up to 2 minutes).
    cloud.refused.store(false, Ordering::SeqCst);
    let renewed = tokio::time::Instant::now();
    let from = seen.len();
    run_for(32, &mut rx, &mut seen).await;
    assert!(pollers.paused().is_none(), "resumed by itself");
    for r in [Resource::Service, Resource::Tasks, Resource::Targets] {
        assert!(
            seen[from..]
                .iter()
                .any(|e| e.resource == r && e.result.is_ok()),
            "{r:?} polled again within 32 s of the renewal"
        );
    }
    let after = cloud.calls_since(renewed);
    assert!(after.len() >= 6, "{after:?}");
}

#[tokio::test(start_paused = true)]
async fn a_refresh_tries_at_once_but_not_more_than_once_in_2_s() {
    let cloud = Arc::new(Expiring::default());
    cloud.refused.store(true, Ordering::SeqCst);
    let (pollers, mut rx) = start(&cloud, false);
    let mut seen = Vec::new();
    run_for(5, &mut rx, &mut seen).await;
    assert_eq!(pollers.paused().map(|p| p.tries), Some(0));
    // `r` pressed five times in a second: one try at once, and one more
    // when the 2 s floor allows (the last press is not lost), no more.
    let t = tokio::time::Instant::now();
    for _ in 0..5 {
        pollers.refresh();
        run_for(0, &mut rx, &mut seen).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    run_for(5, &mut rx, &mut seen).await;
    let tries = cloud.calls_since(t);
    assert_eq!(tries.len(), 2, "{tries:?}");
    assert!(tries.iter().all(|a| *a == "sts:GetCallerIdentity"));
    // The operator renewed the credentials and pressed r: back at once.
    cloud.refused.store(false, Ordering::SeqCst);
    run_for(2, &mut rx, &mut seen).await;
    pollers.refresh();
    run_for(1, &mut rx, &mut seen).await;
    assert!(pollers.paused().is_none());
}

fn refusal() -> CloudError {
    let mut e = CloudError::new(ErrorKind::Credentials, "ecs:ListTasks", "expired");
    e.code = Some("ExpiredTokenException".into());
    e
}

#[tokio::test(start_paused = true)]
async fn a_refusal_sent_before_the_resume_does_not_pause_again() {
    let gate = Arc::new(Gate::default());
    let cloud: Arc<dyn Cloud> = Arc::new(Expiring::default());
    let ctl = Control::new();
    let before = gate.enter().expect("open");
    gate.failed((&refusal(), before), crate::clock::now(), &cloud, &ctl);
    assert!(gate.enter().is_err(), "paused");
    // A call sent before the pause is still out; the retry succeeds.
    tokio::time::sleep(RETRY + Duration::from_secs(1)).await;
    let after = gate.enter().expect("resumed");
    // The old call's refusal comes back now: old news.
    gate.failed((&refusal(), before), crate::clock::now(), &cloud, &ctl);
    assert!(gate.enter().is_ok(), "not paused by a stale refusal");
    // A refusal of a call sent after the resume pauses again.
    gate.failed((&refusal(), after), crate::clock::now(), &cloud, &ctl);
    assert!(gate.enter().is_err());
    ctl.cancel();
}

#[tokio::test(start_paused = true)]
async fn sts_out_of_reach_lets_the_pollers_find_out_and_the_pause_keeps_its_age() {
    let cloud = Arc::new(Expiring::default());
    cloud.refused.store(true, Ordering::SeqCst);
    cloud.sts_down.store(true, Ordering::SeqCst);
    let (pollers, mut rx) = start(&cloud, false);
    let mut seen = Vec::new();
    run_for(5, &mut rx, &mut seen).await;
    let first = pollers.paused().expect("paused").since;
    // STS cannot say: the pollers try, are refused, and it is the same
    // pause (never stuck paused by an STS that cannot be reached, never
    // a banner that starts counting again every 30 s).
    run_for(95, &mut rx, &mut seen).await;
    let p = pollers.paused().expect("paused again by the pollers");
    assert_eq!(p.since, first, "{p:?}");
    // With STS reachable and the credentials renewed, back for good.
    cloud.sts_down.store(false, Ordering::SeqCst);
    cloud.refused.store(false, Ordering::SeqCst);
    run_for(35, &mut rx, &mut seen).await;
    assert!(pollers.paused().is_none());
}

#[tokio::test(start_paused = true)]
async fn a_panic_in_the_retry_resumes_rather_than_pausing_for_ever() {
    let cloud = Arc::new(Expiring::default());
    cloud.sts_panics.store(true, Ordering::SeqCst);
    let gate = Arc::new(Gate::default());
    let dyn_cloud: Arc<dyn Cloud> = cloud.clone();
    let ctl = Control::new();
    gate.failed((&refusal(), 0), crate::clock::now(), &dyn_cloud, &ctl);
    assert!(gate.paused().is_some());
    tokio::time::sleep(RETRY + Duration::from_secs(1)).await;
    assert!(gate.paused().is_none(), "the pollers try for themselves");
    ctl.cancel();
}

#[tokio::test(start_paused = true)]
async fn cpu_and_memory_cost_one_get_metric_data_a_minute_and_a_refresh_does_not_repeat_it() {
    let cloud = Arc::new(Expiring::default());
    let (pollers, mut rx) = start_with(&cloud, true, true);
    let mut seen = Vec::new();
    run_for(30, &mut rx, &mut seen).await;
    let from = tokio::time::Instant::now();
    // The operator refreshes now and then: the other pollers run again,
    // the one-minute points are not asked for again.
    for _ in 0..20 {
        run_for(30, &mut rx, &mut seen).await;
        pollers.refresh();
    }
    let calls = cloud.calls_since(from);
    let count = |api: &str| calls.iter().filter(|c| **c == api).count();
    let minutes = 10;
    assert!(
        (minutes..=minutes + 1).contains(&count("cloudwatch:GetMetricData")),
        "{} GetMetricData in {minutes} minutes",
        count("cloudwatch:GetMetricData")
    );
    assert!(count("ecs:DescribeClusters") <= 1, "every ten minutes");
    assert!(
        seen.iter()
            .any(|e| e.resource == Resource::Metrics && e.result.is_ok()),
        "the readings reach the session"
    );
}

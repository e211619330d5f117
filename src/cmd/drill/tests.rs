//! The headless drill — the dashboard's update and effects without a
//! screen — against local HTTP servers: an API that keeps its records
//! (PASS), one that loses them on restart (FAIL) and an endpoint that
//! echoes what it is asked (ABORTED, never PASS). The AWS side is a
//! scripted feed of observations and an operator whose StopTask starts
//! the scripted replacement.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::*;
use crate::cloud::CloudResult;
use crate::model::drill::machine::Verdict;
use crate::model::fixtures::{service, target, task, tg};
use crate::model::observe::{Observation, ProbeResult, Resource};
use crate::model::probe::{Outcome, ProbeInfo, Sample};
use crate::poll::Hurry;

const OLD: &str = "0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a";
const NEW: &str = "1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b";

mod server;
use server::*;

struct Operator {
    world: Shared,
    kind: Api,
    stops: Arc<Mutex<Vec<(String, String)>>>,
}

#[async_trait]
impl Operate for Operator {
    async fn stop_task_receipt(
        &self,
        _cluster: &str,
        task_arn: &str,
        reason: &str,
    ) -> CloudResult<crate::cloud::Receipt> {
        self.stops
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((task_arn.to_string(), reason.to_string()));
        let mut w = lock(&self.world);
        w.stopped_at = Some(crate::clock::now());
        if self.kind == Api::Loses {
            w.records.clear();
        }
        Ok(crate::cloud::Receipt::default())
    }
    async fn force_deployment_receipt(
        &self,
        _: &str,
        _: &str,
    ) -> CloudResult<crate::cloud::Receipt> {
        Ok(crate::cloud::Receipt::default())
    }
}

const CALLER: &str = "arn:aws:sts::123456789012:assumed-role/ops/alice";

/// The links of a drill on the scripted service, with `kind`'s operator.
fn links(world: &Shared, kind: Api, stops: &Arc<Mutex<Vec<(String, String)>>>) -> Links {
    Links {
        cloud: None,
        operator: Some(Arc::new(Operator {
            world: world.clone(),
            kind,
            stops: stops.clone(),
        })),
        target: ServiceRef {
            cluster: "goals-cluster".into(),
            service: "goals-service".into(),
        },
        hurry: Hurry::default(),
        journal: None,
    }
}

/// StopTask, a 20 s timeout, the goals contract, no question.
fn options(probe: ProbeConfig) -> Options {
    Options {
        restart: RestartKind::StopTask,
        timeout: Some(Duration::from_secs(20)),
        read_window: crate::model::drill::machine::READ_WINDOW,
        contract: Contract::default(),
        probe,
        redact: false,
        ask: None,
        history: None,
        report_file: None,
    }
}

fn ev(resource: Resource, obs: Observation) -> PollEvent {
    PollEvent {
        resource,
        at: crate::clock::now(),
        result: Ok(obs),
    }
}

/// What ECS and the load balancer look like `since` the stop: the old
/// task stops at 0.6 s, the new one runs at 1 s, its target is healthy
/// at 1.4 s; the probe is down in between.
fn observations(url: &str, since: Option<f64>, decoy: bool) -> Vec<PollEvent> {
    let mut old = task(OLD, "10.0.1.5", "RUNNING", "RUNNING");
    let mut new = task(NEW, "10.0.2.9", "PROVISIONING", "RUNNING");
    // As AWS says it: the replacement was created when the old task was
    // stopped.
    new.created_at =
        since.map(|s| crate::clock::now() - chrono::Duration::milliseconds((s * 1000.0) as i64));
    let mut tasks = vec![old.clone()];
    let mut targets = vec![target("10.0.1.5", "healthy", None)];
    let mut up = true;
    if let Some(s) = since {
        old.desired_status = "STOPPED".into();
        old.last_status = if s < 0.6 { "DEACTIVATING" } else { "STOPPED" }.into();
        if s >= 1.0 {
            new.last_status = "RUNNING".into();
        }
        tasks = vec![old, new];
        targets = vec![target(
            "10.0.1.5",
            if s < 0.6 { "draining" } else { "unused" },
            None,
        )];
        if s >= 1.0 {
            targets.push(target(
                "10.0.2.9",
                if s >= 1.4 { "healthy" } else { "initial" },
                None,
            ));
        }
        up = !(0.1..1.5).contains(&s) || decoy;
    }
    let sample = Sample {
        at: crate::clock::now(),
        outcome: Outcome::Http(if up { 200 } else { 503 }),
        up,
        total_ms: 4,
        connect_ms: Some(1),
        first_byte_ms: Some(3),
        records: None,
        records_at_least: false,
        served_by: Some(
            if decoy {
                "elsewhere"
            } else if since.is_some_and(|s| s >= 1.5) {
                NEW
            } else {
                OLD
            }
            .into(),
        ),
        detail: None,
    };
    vec![
        ev(
            Resource::Identity,
            Observation::Identity(crate::model::Identity {
                account: "123456789012".into(),
                arn: CALLER.into(),
            }),
        ),
        ev(Resource::Service, Observation::Service(Box::new(service()))),
        ev(
            Resource::TaskDefs,
            Observation::TaskDefs(vec![crate::model::fixtures::task_def()]),
        ),
        ev(Resource::Tasks, Observation::Tasks(tasks)),
        ev(Resource::Targets, Observation::Targets(vec![tg(targets)])),
        ev(
            Resource::Probe,
            Observation::Probe(Box::new(ProbeResult {
                url: format!("{url}/goals"),
                sample,
            })),
        ),
    ]
}

/// The task definition gives goals-api no health check: the tasks report
/// its health UNKNOWN, as AWS does, and the revision says why.
fn without_api_health_check(events: &mut [PollEvent]) {
    for e in events.iter_mut() {
        if let Ok(Observation::Tasks(tasks)) = &mut e.result {
            for t in tasks {
                // As AWS reports a running task's containers.
                for c in &mut t.containers {
                    c.last_status.clone_from(&t.last_status);
                }
                t.containers[0].health = Some("UNKNOWN".into());
            }
        }
    }
    for e in events.iter_mut() {
        if let Ok(Observation::TaskDefs(tds)) = &mut e.result {
            for td in tds {
                td.containers[0].health_check = None;
            }
        }
    }
}

async fn drill(kind: Api) -> (Report, Arc<Mutex<Vec<(String, String)>>>, Shared) {
    drill_with(kind, std::future::pending()).await
}

/// A drill on the scripted service, `cancel` resolving when the operator
/// presses Ctrl-C.
async fn drill_with(
    kind: Api,
    cancel: impl Future<Output = ()>,
) -> (Report, Arc<Mutex<Vec<(String, String)>>>, Shared) {
    let world: Shared = Arc::default();
    // Three records before the drill.
    {
        let mut w = lock(&world);
        for i in 1..=3 {
            w.records.push((i, format!("goal {i}")));
        }
        w.next_id = 3;
    }
    drill_on(kind, world, cancel).await
}

async fn drill_on(
    kind: Api,
    world: Shared,
    cancel: impl Future<Output = ()>,
) -> (Report, Arc<Mutex<Vec<(String, String)>>>, Shared) {
    let mut opts_window = crate::model::drill::machine::READ_WINDOW;
    if kind == Api::HtmlAfter {
        // Short, so the test need not wait a minute.
        opts_window = Duration::from_secs(4);
    }
    let url = api(kind, world.clone()).await;
    let stops = Arc::new(Mutex::new(Vec::new()));
    let (tx, mut rx) = mpsc::channel(256);
    let feed_world = world.clone();
    let feed_url = url.clone();
    tokio::spawn(async move {
        loop {
            let since = lock(&feed_world)
                .stopped_at
                .map(|t| (crate::clock::now() - t).num_milliseconds() as f64 / 1000.0);
            let mut events = observations(&feed_url, since, kind == Api::Decoy);
            if kind == Api::NoApiCheck {
                without_api_health_check(&mut events);
            }
            for e in events {
                if tx.send(e).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let links = links(&world, kind, &stops);
    let probe = ProbeConfig {
        info: ProbeInfo {
            // Set by hand: the evidence rule applies.
            url: Some(url.clone()),
            served_by_header: Some("x-served-by".into()),
            ..ProbeInfo::default()
        },
        ..ProbeConfig::default()
    };
    let ends = Box::pin(
        futures_util::stream::once(async move {
            cancel.await;
            // Ctrl-C at the terminal the drill runs in.
            Shutdown::Signal(2)
        })
        .chain(futures_util::stream::pending()),
    );
    let report = tokio::time::timeout(
        Duration::from_secs(30),
        run(
            &mut rx,
            links,
            Options {
                read_window: opts_window,
                ..options(probe)
            },
            |_| {},
            ends,
        ),
    )
    .await
    .expect("the drill ends")
    .expect("the drill runs");
    (report, stops, world)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_that_keeps_its_records_passes() {
    let (r, stops, world) = drill(Api::Keeps).await;
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.reason);
    let stops = stops.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert_eq!(stops.len(), 1, "one StopTask");
    assert!(stops[0].0.ends_with(OLD));
    assert_eq!(stops[0].1, format!("ecsdeck drill: stopped by {CALLER}"));
    assert_eq!(r.cleanup, "deleted");
    assert_eq!(lock(&world).records.len(), 3, "the marker is gone again");
    assert!(r.probe_url_verified);
    assert!(r.phases.iter().any(|p| p.name == "marker_read"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_container_without_a_health_check_is_ready_when_running_and_the_drill_passes() {
    let (r, stops, _) = drill(Api::NoApiCheck).await;
    assert_eq!(r.verdict, Verdict::Pass, "{}", r.reason);
    assert_eq!(stops.lock().unwrap_or_else(|p| p.into_inner()).len(), 1);
    assert!(
        r.steps
            .iter()
            .any(|(_, s)| s == "new task running, containers healthy"),
        "{:?}",
        r.steps
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_page_after_the_restart_is_unreadable_and_aborted_never_a_fail() {
    let (r, stops, _) = drill(Api::HtmlAfter).await;
    assert_eq!(r.verdict, Verdict::Aborted, "{}", r.reason);
    assert!(
        r.reason.contains("could not be read by the contract") && r.reason.contains("not JSON"),
        "{}",
        r.reason
    );
    assert_eq!(stops.lock().unwrap_or_else(|p| p.into_inner()).len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_that_loses_the_record_on_restart_fails() {
    let (r, stops, _) = drill(Api::Loses).await;
    assert_eq!(r.verdict, Verdict::Fail, "{}", r.reason);
    assert!(
        r.reason
            .contains(&format!("the marker {} is missing", r.marker)),
        "{}",
        r.reason
    );
    assert_eq!(stops.lock().unwrap_or_else(|p| p.into_inner()).len(), 1);
    assert!(r.cleanup.starts_with("already gone"), "{}", r.cleanup);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoing_endpoint_is_aborted_never_passed_and_nothing_is_restarted() {
    let (r, stops, world) = drill(Api::Echoes).await;
    assert_eq!(r.verdict, Verdict::Aborted, "{}", r.reason);
    assert!(
        stops.lock().unwrap_or_else(|p| p.into_inner()).is_empty(),
        "no restart without a valid test"
    );
    // It read, wrote, read back — and found nothing where the contract
    // says, since the echo of a GET carries no marker.
    let seen = lock(&world).seen.clone();
    assert!(
        seen.iter().any(|l| l.starts_with("POST /goals")),
        "{seen:?}"
    );
    assert!(r.reason.contains("could not be read back"), "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_set_url_that_never_shows_this_service_is_aborted_not_passed() {
    let (r, stops, _) = drill(Api::Decoy).await;
    assert_eq!(r.verdict, Verdict::Aborted, "{}", r.reason);
    assert!(r.reason.contains("cannot tell"), "{}", r.reason);
    assert!(!r.probe_url_verified);
    assert_eq!(stops.lock().unwrap_or_else(|p| p.into_inner()).len(), 1);
    assert_eq!(r.cleanup, "deleted", "the marker written to it is removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_while_the_write_is_in_flight_sends_no_stop_task_and_removes_the_marker() {
    let world: Shared = Arc::default();
    {
        let mut w = lock(&world);
        for i in 1..=3 {
            w.records.push((i, format!("goal {i}")));
        }
        w.next_id = 3;
    }
    let seen = world.clone();
    // Ctrl-C once the write has reached the API and before it answers.
    let cancel = async move {
        while !lock(&seen).seen.iter().any(|l| l == "POST held") {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let (r, stops, world) = drill_on(Api::SlowWrite, world, cancel).await;
    assert_eq!(r.verdict, Verdict::Aborted, "{}", r.reason);
    assert!(
        r.reason
            .contains("cancelled by SIGINT; no restart was requested"),
        "{}",
        r.reason
    );
    assert!(
        stops.lock().unwrap_or_else(|p| p.into_inner()).is_empty(),
        "no StopTask after a cancel"
    );
    assert_eq!(r.cleanup, "deleted", "the marker the write made is removed");
    assert_eq!(lock(&world).records.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_target_health_stops_the_drill_before_anything_is_sent() {
    use crate::cloud::{CloudError, ErrorKind};
    use crate::model::observe::Failure;
    let world: Shared = Arc::default();
    let url = api(Api::Keeps, world.clone()).await;
    let stops = Arc::new(Mutex::new(Vec::new()));
    let (tx, mut rx) = mpsc::channel(256);
    let feed_url = url.clone();
    tokio::spawn(async move {
        loop {
            for mut e in observations(&feed_url, None, false) {
                if e.resource == Resource::Targets {
                    e.result = Err(Failure {
                        error: CloudError::new(
                            ErrorKind::AccessDenied,
                            "elasticloadbalancing:DescribeTargetHealth",
                            "not authorized",
                        ),
                        retry_in: Duration::from_secs(30),
                    });
                }
                if tx.send(e).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let links = links(&world, Api::Keeps, &stops);
    let probe = ProbeConfig {
        info: ProbeInfo {
            url: Some(url),
            ..ProbeInfo::default()
        },
        ..ProbeConfig::default()
    };
    let r = tokio::time::timeout(
        Duration::from_secs(10),
        run(
            &mut rx,
            links,
            options(probe),
            |_| {},
            futures_util::stream::pending(),
        ),
    )
    .await
    .expect("ends at once");
    let e = r.expect_err("no drill without the target health");
    assert!(
        e.contains("elasticloadbalancing:DescribeTargetHealth") && e.contains("nothing was sent"),
        "{e}"
    );
    assert!(stops.lock().unwrap_or_else(|p| p.into_inner()).is_empty());
    assert!(
        !lock(&world).seen.iter().any(|l| l.starts_with("POST")),
        "no marker written"
    );
}

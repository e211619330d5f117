//! The embedded demo behaves like the reference deployment: real HTTP
//! through a stable load balancer address, a task replaced through ECS's
//! phases after a stop, and data that survives on the shared volume (or
//! does not, in fresh-volume mode).

use std::time::{Duration, Instant};

use ecsdeck::cloud::demo::{CLUSTER, DemoEnv, DemoOptions, SERVICE};
use ecsdeck::cloud::{Cloud, Operate};
use ecsdeck::model::ServiceRef;
use ecsdeck::model::derive::{self, Health};

fn svc() -> ServiceRef {
    ServiceRef {
        cluster: CLUSTER.into(),
        service: SERVICE.into(),
    }
}

async fn verdict(cloud: &dyn Cloud) -> Health {
    let s = cloud.service(&svc()).await.expect("service");
    let t = cloud.tasks(&svc()).await.expect("tasks");
    let g = cloud
        .target_groups(&[s.load_balancers[0].target_group_arn.clone()])
        .await
        .expect("tgs");
    derive::verdict(Some(&s), Some(&t), Some(&g)).health
}

async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let start = Instant::now();
    while !f().await {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn goals(http: &reqwest::Client, lb: &str) -> (u16, serde_json::Value) {
    let r = http.get(format!("{lb}/goals")).send().await.expect("get");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

async fn restart_and_read_back(fresh_volume: bool) -> (bool, Vec<String>) {
    let env = DemoEnv::start(DemoOptions {
        fresh_volume,
        ..DemoOptions::default()
    })
    .await
    .expect("demo");
    let cloud = env.cloud();
    let lb = env.lb_url();
    let http = reqwest::Client::new();
    wait_until("first task healthy", Duration::from_secs(30), || async {
        verdict(&cloud).await == Health::Healthy
    })
    .await;

    let created = http
        .post(format!("{lb}/goals"))
        .json(&serde_json::json!({"text": "survive a restart"}))
        .send()
        .await
        .expect("post");
    assert_eq!(created.status().as_u16(), 201);
    let (status, body) = goals(&http, &lb).await;
    assert_eq!(status, 200);
    assert_eq!(body["goals"][0]["text"], "survive a restart");

    let old = cloud.tasks(&svc()).await.expect("tasks")[0].clone();
    cloud
        .stop_task(CLUSTER, &old.arn, "restart from test")
        .await
        .expect("stop");
    let mut phases: Vec<String> = Vec::new();
    let mut saw_draining = false;
    let start = Instant::now();
    loop {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "replacement not healthy in time; phases {phases:?}"
        );
        let tasks = cloud.tasks(&svc()).await.expect("tasks");
        if let Some(new) = tasks.iter().find(|t| t.arn != old.arn && !t.is_stopped())
            && phases.last() != Some(&new.last_status)
        {
            phases.push(new.last_status.clone());
        }
        let s = cloud.service(&svc()).await.expect("service");
        let g = cloud
            .target_groups(&[s.load_balancers[0].target_group_arn.clone()])
            .await
            .expect("tgs");
        saw_draining |= g[0].targets.iter().any(|t| t.state == "draining");
        let old_stopped = tasks.iter().any(|t| {
            t.arn == old.arn && t.is_stopped() && t.stop_code.as_deref() == Some("UserInitiated")
        });
        if old_stopped
            && derive::verdict(Some(&s), Some(&tasks), Some(&g)).health == Health::Healthy
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(saw_draining, "the old target drained");
    let old_now = cloud
        .tasks(&svc())
        .await
        .expect("tasks")
        .into_iter()
        .find(|t| t.arn == old.arn)
        .expect("old task still listed as stopped");
    assert_eq!(old_now.stopped_reason.as_deref(), Some("restart from test"));
    // Both tasks' logs are there: the old one's shutdown, the new one's
    // start-up banner, read the way the dashboard reads them.
    let td = cloud
        .task_definition(&cloud.service(&svc()).await.expect("svc").task_definition)
        .await
        .expect("td");
    let tasks = cloud.tasks(&svc()).await.expect("tasks");
    let (sources, unfollowable) = ecsdeck::model::logs::log_sources(&td, &tasks);
    assert!(unfollowable.is_empty());
    let r = ecsdeck::logfollow::LogFollower::default()
        .poll(&cloud, &sources, ecsdeck::clock::now())
        .await;
    let said = |task: &str, container: &str, text: &str| {
        r.batches.iter().any(|b| {
            b.source.task_arn == task
                && b.source.container == container
                && b.events.iter().any(|e| e.message.contains(text))
        })
    };
    let new = tasks.iter().find(|t| !t.is_stopped()).expect("new task");
    assert!(said(&old.arn, "goals-api", "SIGTERM received"));
    assert!(said(&old.arn, "mongodb", "Now exiting"));
    assert!(said(
        &new.arn,
        "goals-api",
        "Goals API listening on port 80"
    ));
    assert!(said(&new.arn, "mongodb", "Waiting for connections"));
    assert!(said(&old.arn, "goals-api", "\"POST /goals HTTP/1.1\" 201"));

    let (status, body) = goals(&http, &lb).await;
    assert_eq!(status, 200);
    let survived = body["goals"]
        .as_array()
        .is_some_and(|g| g.iter().any(|x| x["text"] == "survive a restart"));
    (survived, phases)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_task_is_replaced_and_data_survives() {
    let (survived, phases) = restart_and_read_back(false).await;
    assert!(survived, "the goal is read back through the load balancer");
    // The replacement went through ECS's phases, not straight to RUNNING.
    for p in ["PROVISIONING", "PENDING", "RUNNING"] {
        assert!(phases.iter().any(|x| x == p), "{p} not seen in {phases:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_volume_mode_loses_the_data() {
    let (survived, _) = restart_and_read_back(true).await;
    assert!(!survived, "a fresh volume must not have the old record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_validates_and_deletes_and_lb_answers_503_without_targets() {
    let env = DemoEnv::start(DemoOptions::default()).await.expect("demo");
    let lb = env.lb_url();
    let http = reqwest::Client::new();
    // The demo opens on a service that is up, as a real one is.
    let cloud = env.cloud();
    assert_eq!(verdict(&cloud).await, Health::Healthy);
    let r = http.get(format!("{lb}/goals")).send().await.expect("get");
    assert_eq!(r.status().as_u16(), 200);
    let r = http
        .post(format!("{lb}/goals"))
        .json(&serde_json::json!({"text": "  "}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 422);
    let r: serde_json::Value = http
        .post(format!("{lb}/goals"))
        .json(&serde_json::json!({"text": "temp"}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let id = r["goal"]["id"].as_str().expect("id").to_string();
    let d = http
        .delete(format!("{lb}/goals/{id}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(d.status().as_u16(), 200);
    let d = http
        .delete(format!("{lb}/goals/{id}"))
        .send()
        .await
        .expect("delete");
    assert_eq!(d.status().as_u16(), 404);
    let (_, body) = goals(&http, &lb).await;
    assert_eq!(body["goals"].as_array().map(Vec::len), Some(0));

    // With its only task stopped, the load balancer has no healthy target:
    // 503, until the replacement is healthy.
    let t = cloud.tasks(&svc()).await.expect("tasks")[0].arn.clone();
    cloud.stop_task(CLUSTER, &t, "test").await.expect("stop");
    wait_until(
        "a 503 while no target is healthy",
        Duration::from_secs(30),
        || {
            let http = http.clone();
            let lb = lb.clone();
            async move {
                http.get(format!("{lb}/goals"))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 503)
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_dir_keeps_the_records_between_runs() {
    let dir = tempfile::tempdir().expect("tmp");
    let opts = || DemoOptions {
        data_dir: Some(dir.path().join("volume")),
        ..DemoOptions::default()
    };
    let http = reqwest::Client::new();
    {
        let env = DemoEnv::start(opts()).await.expect("demo");
        let r = http
            .post(format!("{}/goals", env.lb_url()))
            .json(&serde_json::json!({"text": "kept between runs"}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status().as_u16(), 201);
    }
    let env = DemoEnv::start(opts()).await.expect("demo again");
    let (status, body) = goals(&http, &env.lb_url()).await;
    assert_eq!(status, 200);
    assert_eq!(body["goals"][0]["text"], "kept between runs", "{body}");
}

/// `:` in the dashboard: the session switched to the demo's second
/// service stops polling the first (its calls stop), polls the second,
/// and its observations are the second's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_switched_session_stops_polling_the_old_service_and_polls_the_new() {
    use ecsdeck::cloud::demo::WORKER;
    use ecsdeck::model::observe::{Observation, Resource};
    use ecsdeck::poll::Plan;
    use ecsdeck::session::Session;
    use std::sync::Arc;
    let env = DemoEnv::start(DemoOptions::default()).await.expect("demo");
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud());
    let listed = cloud.list_services(None).await.expect("listed");
    assert_eq!(listed.len(), 2, "{listed:?}");
    let plan = Plan {
        refresh: Duration::from_secs(1),
        logs: true,
        metrics: true,
        probe: None,
    };
    let mut session = Session::start(cloud.clone(), svc(), plan);
    // A few polls of the first.
    tokio::time::sleep(Duration::from_secs(3)).await;
    while session
        .next_within(Duration::from_millis(10))
        .await
        .is_some()
    {}
    assert!(
        env.calls_naming(SERVICE) >= 6,
        "polled: {}",
        env.calls_naming(SERVICE)
    );
    let worker = ServiceRef {
        cluster: CLUSTER.into(),
        service: WORKER.into(),
    };
    let (mut session, dropped_url) = session.switch(worker.clone(), None);
    assert!(!dropped_url);
    let old_at_switch = env.calls_naming(SERVICE);
    let new_at_switch = env.calls_naming(WORKER);
    // Every observation from now on is the worker's.
    let until = Instant::now() + Duration::from_secs(5);
    let mut services = 0;
    while Instant::now() < until {
        if let Some(ev) = session.next_within(Duration::from_millis(200)).await
            && let (Resource::Service, Ok(Observation::Service(s))) = (ev.resource, &ev.result)
        {
            assert_eq!(s.name, WORKER);
            services += 1;
        }
    }
    assert!(services >= 3, "the worker polled each second: {services}");
    assert!(env.calls_naming(WORKER) >= new_at_switch + 6);
    // A call already under way at the switch may still land; nothing more.
    assert!(
        env.calls_naming(SERVICE) <= old_at_switch + 2,
        "the first service's pollers stopped: {} calls at the switch, {} now",
        old_at_switch,
        env.calls_naming(SERVICE)
    );
    assert_eq!(session.target(), &worker);
}

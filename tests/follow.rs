//! The whole pipeline without a terminal: the session core → reducer →
//! screen, as the drill will drive it, on
//! the demo, while a task is replaced. The logs must keep flowing across
//! the replacement with no key pressed, with a divider between the tasks.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ecsdeck::app::{Action, Context, Msg, State, update};
use ecsdeck::cloud::demo::{CLUSTER, DemoEnv, DemoOptions, SERVICE};
use ecsdeck::cloud::{Cloud, Operate};
use ecsdeck::model::ServiceRef;
use ecsdeck::model::derive::Health;
use ecsdeck::poll::Plan;
use ecsdeck::session::Session;
use ecsdeck::ui::{Theme, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(state: &State) -> String {
    let mut term = Terminal::new(TestBackend::new(140, 40)).expect("terminal");
    term.draw(|f| render(state, &Theme { color: false }, f))
        .expect("draw");
    term.backend().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_a_task_replacement_with_a_divider() {
    let env = DemoEnv::start(DemoOptions::default()).await.expect("demo");
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud());
    let target = ServiceRef {
        cluster: CLUSTER.into(),
        service: SERVICE.into(),
    };
    let mut session = Session::start(
        cloud.clone(),
        target.clone(),
        Plan {
            refresh: Duration::from_secs(1),
            logs: true,
            metrics: false,
            probe: None,
        },
    );
    let mut state = State::new(
        Context {
            target,
            region: cloud.region(),
            demo: true,
            read_only: false,
            refresh: Duration::from_secs(1),
            log_buffer: 10_000,
            logs_since: None,
            probe: None,
            redact: false,
            drill_restart: ecsdeck::model::drill::RestartKind::StopTask,
            drill_timeout: None,
            drill_read_window: ecsdeck::model::drill::machine::READ_WINDOW,
            drill_requests: vec![],
            exec: Default::default(),
        },
        ecsdeck::clock::now(),
    );
    update(&mut state, Msg::Action(Action::LogsFull));

    let start = Instant::now();
    let mut stopped: Option<String> = None;
    let mut new_task: Option<String> = None;
    loop {
        let elapsed = start.elapsed();
        assert!(
            elapsed < Duration::from_secs(90),
            "no divider after the replacement; screen:\n{}",
            screen(&state)
        );
        if let Some(ev) = session.next_within(Duration::from_millis(500)).await {
            update(&mut state, Msg::Poll(Box::new(ev)));
        }
        update(&mut state, Msg::Tick(ecsdeck::clock::now()));
        match &stopped {
            None if state.verdict().health == Health::Healthy
                && screen(&state).contains("Goals API listening on port 80") =>
            {
                let t = state
                    .task_list()
                    .iter()
                    .find(|t| !t.is_stopped())
                    .map(|t| t.arn.clone())
                    .expect("a running task");
                env.cloud()
                    .stop_task(CLUSTER, &t, "restart from ecsdeck")
                    .await
                    .expect("stop");
                stopped = Some(t);
            }
            Some(old) => {
                if new_task.is_none() {
                    new_task = state
                        .task_list()
                        .iter()
                        .find(|t| &t.arn != old && !t.is_stopped())
                        .map(|t| t.arn.clone());
                }
                let Some(new) = &new_task else { continue };
                let s = screen(&state);
                let old_short = ecsdeck::model::short_id(old);
                let new_short = ecsdeck::model::short_id(new);
                let started = format!("task {new_short} started, replacing task {old_short}");
                // Why, and each container's exit code with its meaning.
                let stopped = format!(
                    "task {old_short} stopped (goals-api exit 0 — exited cleanly, mongodb exit 0 — exited cleanly; UserInitiated: restart from ecsdeck)"
                );
                let banner = format!("goals-api {new_short} Goals API listening on port 80");
                let last = format!("mongodb   {old_short} I ");
                // The old task's last line may arrive a poll after its stop
                // is seen: wait for it too (or time out, failing).
                let sigterm = format!("goals-api {old_short} SIGTERM received");
                if s.contains(&started)
                    && s.contains(&stopped)
                    && s.contains(&banner)
                    && s.contains(&sigterm)
                {
                    let at = |n: &str| s.find(n).unwrap_or_else(|| panic!("{n} missing:\n{s}"));
                    // New task's banner below its "started" rule; the old
                    // task's last lines above its "stopped" rule.
                    assert!(at(&started) < at(&banner), "{s}");
                    assert!(s.rfind(&last).is_some_and(|p| p < at(&stopped)), "{s}");
                    assert!(at(&format!("goals-api {old_short} SIGTERM received")) < at(&stopped));
                    assert!(!state.logs.paused(), "still following, no key pressed");
                    return;
                }
            }
            None => {}
        }
    }
}

/// The probe through the demo's load balancer while its task is replaced:
/// up on the old task, down (503) while no target is healthy — the header
/// says so after three failures —, then up on the new task with the same
/// records.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_probe_sees_the_outage_and_the_new_task_take_over_with_the_records() {
    use ecsdeck::model::probe::{ProbeConfig, ProbeInfo, Standing, glance, short_served};
    let env = DemoEnv::start(DemoOptions {
        seed_records: true,
        ..DemoOptions::default()
    })
    .await
    .expect("demo");
    let cloud: Arc<dyn Cloud> = Arc::new(env.cloud());
    let target = ServiceRef {
        cluster: CLUSTER.into(),
        service: SERVICE.into(),
    };
    let probe = ProbeConfig {
        info: ProbeInfo {
            interval: Duration::from_millis(500),
            served_by_header: Some(ecsdeck::cloud::demo::SERVED_BY.into()),
            ..ProbeInfo::default()
        },
        ..ProbeConfig::default()
    };
    let mut session = Session::start(
        cloud.clone(),
        target.clone(),
        Plan {
            refresh: Duration::from_secs(1),
            logs: false,
            metrics: false,
            probe: Some(probe.clone()),
        },
    );
    let mut ctx = Context::new(target, cloud.region());
    ctx.demo = true;
    ctx.refresh = Duration::from_secs(1);
    ctx.probe = Some(probe.info.clone());
    let mut state = State::new(ctx, ecsdeck::clock::now());
    let start = Instant::now();
    let mut old: Option<String> = None;
    let mut saw_down_header = false;
    let mut failures = 0;
    loop {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "the probe never saw the new task; screen:\n{}",
            screen(&state)
        );
        if let Some(ev) = session.next_within(Duration::from_millis(500)).await {
            update(&mut state, Msg::Poll(Box::new(ev)));
        }
        update(&mut state, Msg::Tick(ecsdeck::clock::now()));
        let h = &state.world.probe.history;
        let Some(last) = h.last() else { continue };
        match &old {
            None => {
                // Up on the seeded task, with its three records: restart it.
                // (The demo opens with a task replaced before: it is
                // stopped and not the one to restart.)
                let live: Vec<_> = state
                    .task_list()
                    .iter()
                    .filter(|t| !t.is_stopped())
                    .cloned()
                    .collect();
                if last.up && last.records == Some(3) && live.len() == 1 {
                    let t = live[0].clone();
                    assert_eq!(last.served_by.as_deref(), Some(t.id()));
                    env.cloud()
                        .stop_task(CLUSTER, &t.arn, "probe test")
                        .await
                        .expect("stop");
                    old = Some(t.id().to_string());
                }
            }
            Some(old_id) => {
                if !last.up {
                    failures += 1;
                }
                let s = screen(&state);
                if s.contains("● DOWN  probe ") {
                    saw_down_header = true;
                }
                if last.up && last.served_by.as_deref().is_some_and(|b| b != old_id) {
                    assert!(
                        failures >= 3,
                        "an outage was seen: {failures} failed samples"
                    );
                    assert!(saw_down_header, "three failures turned the header DOWN");
                    assert_eq!(last.records, Some(3), "the records survived");
                    let g = glance(h, probe.info.timeout).expect("glance");
                    assert_eq!(g.state, Standing::Up);
                    let new = last.served_by.clone().unwrap_or_default();
                    assert!(
                        g.rest.contains(&format!(
                            "served by {} (was {})",
                            short_served(&new),
                            short_served(old_id)
                        )),
                        "{}",
                        g.rest
                    );
                    let o = h.longest_outage(state.now).expect("an outage");
                    assert!(o >= Duration::from_secs(1), "{o:?}");
                    assert!(s.contains("503 ×"), "{s}");
                    return;
                }
            }
        }
    }
}

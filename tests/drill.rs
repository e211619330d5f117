//! The drill end to end on the demo, through the session core: PASS when
//! the data is on the shared volume, FAIL when every task gets a fresh one.

use std::sync::Arc;
use std::time::Duration;

use ecsdeck::cloud::Cloud;
use ecsdeck::cloud::demo::{CLUSTER, DemoEnv, DemoOptions, SERVED_BY, SERVICE};
use ecsdeck::cmd::drill::{Options, run};
use ecsdeck::drill::machine::{RestartKind, Verdict};
use ecsdeck::drill::report::Report;
use ecsdeck::effects::Links;
use ecsdeck::model::ServiceRef;
use ecsdeck::model::drill::Contract;
use ecsdeck::model::probe::{ProbeConfig, ProbeInfo};
use ecsdeck::poll::Plan;
use ecsdeck::session::Session;

async fn drill(fresh_volume: bool) -> (Report, Vec<String>) {
    drill_on(DemoOptions {
        seed_records: true,
        fresh_volume,
        ..DemoOptions::default()
    })
    .await
}

async fn drill_on(opts: DemoOptions) -> (Report, Vec<String>) {
    let env = DemoEnv::start(opts).await.expect("demo");
    let demo = Arc::new(env.cloud());
    let cloud: Arc<dyn Cloud> = demo.clone();
    let probe = ProbeConfig {
        info: ProbeInfo {
            served_by_header: Some(SERVED_BY.into()),
            ..ProbeInfo::default()
        },
        ..ProbeConfig::default()
    };
    let mut session = Session::start(
        cloud,
        ServiceRef {
            cluster: CLUSTER.into(),
            service: SERVICE.into(),
        },
        Plan {
            refresh: Duration::from_secs(1),
            logs: false,
            metrics: false,
            probe: Some(probe.clone()),
        },
    )
    .with_operator(demo);
    let mut lines = Vec::new();
    let links = Links::of(&session);
    let report = tokio::time::timeout(
        Duration::from_secs(120),
        run(
            &mut session,
            links,
            Options {
                restart: RestartKind::StopTask,
                timeout: Some(Duration::from_secs(90)),
                read_window: ecsdeck::model::drill::machine::READ_WINDOW,
                contract: Contract::default(),
                probe,
                redact: false,
                ask: None,
                history: None,
                report_file: None,
            },
            |l: &str| lines.push(l.to_string()),
            futures_util::stream::pending(),
        ),
    )
    .await
    .expect("the drill ends")
    .expect("the drill runs");
    (report, lines)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_passes_and_a_fresh_volume_fails() {
    let (r, lines) = drill(false).await;
    assert_eq!(
        r.verdict,
        Verdict::Pass,
        "{}\n{}",
        r.reason,
        lines.join("\n")
    );
    assert_eq!(r.cleanup, "deleted");
    assert!(r.new_task.is_some());
    assert!(!r.old_tasks.is_empty() && r.new_task.as_ref() != r.old_tasks.first());
    let names: Vec<&str> = r.phases.iter().map(|p| p.name.as_str()).collect();
    for n in [
        "stop_requested",
        "old_task_stopped",
        "new_task_running",
        "new_target_healthy",
        "first_2xx",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    assert!(r.downtime_s.is_some_and(|d| d > 0.0), "{:?}", r.downtime_s);
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["verdict"], "PASS");

    let (r, lines) = drill(true).await;
    assert_eq!(
        r.verdict,
        Verdict::Fail,
        "{}\n{}",
        r.reason,
        lines.join("\n")
    );
    assert!(r.reason.contains("is missing"), "{}", r.reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_tasks_each_is_stopped_in_turn_and_the_service_keeps_serving() {
    let (r, lines) = drill_on(DemoOptions {
        seed_records: true,
        tasks: 2,
        ..DemoOptions::default()
    })
    .await;
    let all = lines.join("\n");
    assert_eq!(r.old_tasks.len(), 2, "{all}");
    assert!(all.contains("stopping the next task"), "in turn: {all}");
    assert!(all.contains("(2 of 2)"), "{all}");
    assert_eq!(r.verdict, Verdict::Pass, "{}\n{all}", r.reason);
    // The second task's replacement is told too.
    assert!(all.matches("new task RUNNING").count() >= 2, "{all}");
    // The report has both: each old task with its replacement and phases.
    assert_eq!(r.restarts.len(), 2, "{:?}", r.restarts);
    for x in &r.restarts {
        assert!(r.old_tasks.contains(&x.old_task));
        assert!(x.new_task.is_some(), "{x:?}");
        assert!(
            x.phases.iter().any(|p| p.name == "old_task_stopped"),
            "{x:?}"
        );
    }
    assert!(r.new_tasks.len() >= 2, "{:?}", r.new_tasks);
    assert!(r.new_task.as_ref().is_some_and(|n| r.new_tasks.contains(n)));
    // One at a time, the service kept serving: no outage, said as 0.
    assert_eq!(r.downtime_s, Some(0.0), "{all}");
    // The picture: each restart its four lanes, numbered, in turn, and
    // nothing shaded.
    let st = ecsdeck::model::drill::story::Story::of(&r).expect("story");
    let titles: Vec<&str> = st.lanes.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles.len(), 10, "{titles:?}");
    assert!(titles[0].starts_with("1 old task"), "{titles:?}");
    assert!(titles[4].starts_with("2 old task"), "{titles:?}");
    let stop = |lane: usize| {
        st.lanes[lane]
            .spans
            .iter()
            .find(|s| s.state.word() == "stopping")
            .map(|s| s.from)
            .expect("a stop")
    };
    assert!(stop(0) < stop(4), "in turn: {} {}", stop(0), stop(4));
    assert!(st.outages.is_empty(), "{:?}", st.outages);
}

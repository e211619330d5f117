//! Whole-screen snapshots from a known state, at the two sizes that
//! matter: a roomy terminal and the 80×24 of a bastion's default window.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{Theme, render};
use crate::app::{Action, Context, Msg, Pane, State, update};
use crate::model::error::{CloudError, ErrorKind};
use crate::model::fixtures::{fs, service, target, task, task_def, tg, ts};
use crate::model::observe::{Failure, Observation, PollEvent, Resource};
use crate::model::{Identity, ServiceEvent, ServiceRef, Time};

pub(super) fn at(s: i64) -> Time {
    ts(s).expect("time")
}

fn ok(resource: Resource, obs: Observation) -> Msg {
    Msg::Poll(Box::new(PollEvent {
        resource,
        at: at(98),
        result: Ok(obs),
    }))
}

/// A service in the middle of a replacement: the old task draining, the
/// new one healthy, one earlier task that failed to mount EFS.
pub(super) fn replacing() -> State {
    let mut s = State::new(
        Context::new(
            ServiceRef {
                cluster: "goals-cluster".into(),
                service: "goals-service".into(),
            },
            "us-east-1",
        ),
        at(100),
    );
    let mut svc = service();
    svc.config.max_percent = 200;
    svc.events = vec![
        ServiceEvent {
            id: "e2".into(),
            at: ts(90),
            message: "(service goals-service) registered 1 targets in (target-group goals-tg)"
                .into(),
        },
        ServiceEvent {
            id: "e1".into(),
            at: ts(60),
            message: "(service goals-service) has started 1 tasks: (task 6299e51e9a1b4c5d).".into(),
        },
    ];
    update(
        &mut s,
        ok(
            Resource::Identity,
            Observation::Identity(Identity {
                account: "123456789012".into(),
                arn: "arn:aws:sts::123456789012:assumed-role/ops/operator".into(),
            }),
        ),
    );
    update(
        &mut s,
        ok(Resource::Service, Observation::Service(Box::new(svc))),
    );
    update(
        &mut s,
        ok(Resource::TaskDefs, Observation::TaskDefs(vec![task_def()])),
    );
    let mut new = task("6299e51e9a1b4c5d", "10.0.1.205", "RUNNING", "RUNNING");
    new.created_at = ts(30);
    new.started_at = ts(40);
    let mut old = task("3f2a91bc77aa0c1e", "10.0.2.17", "RUNNING", "STOPPED");
    old.created_at = ts(-700);
    old.started_at = ts(-690);
    old.az = Some("us-east-1b".into());
    old.stop_code = Some("UserInitiated".into());
    old.stopped_reason = Some("restart from ecsdeck".into());
    let mut failed = task("a1b2c3d4e5f60718", "10.0.1.90", "STOPPED", "STOPPED");
    failed.created_at = ts(-2000);
    // It never started: the mount failed first.
    failed.started_at = None;
    failed.stopped_at = ts(-1900);
    failed.stop_code = Some("TaskFailedToStart".into());
    failed.stopped_reason = Some(
        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: mount.nfs4: Connection timed out"
            .into(),
    );
    update(
        &mut s,
        ok(Resource::Tasks, Observation::Tasks(vec![failed, old, new])),
    );
    let mut group = tg(vec![
        target("10.0.1.205", "healthy", None),
        target(
            "10.0.2.17",
            "draining",
            Some("Target.DeregistrationInProgress"),
        ),
    ]);
    group.targets[1].description = Some("Target deregistration is in progress".into());
    group.load_balancers = vec![crate::model::LoadBalancer {
        unreadable: None,
        arn: "arn:lb".into(),
        name: "goals-alb".into(),
        dns_name: "goals-alb-1.us-east-1.elb.amazonaws.com".into(),
        scheme: Some("internet-facing".into()),
        state: Some("active".into()),
        listeners: vec![crate::model::Listener {
            protocol: "HTTP".into(),
            port: 80,
            forwards: vec![group.arn.clone()],
            rules: vec![],
            rules_error: None,
        }],
    }];
    update(
        &mut s,
        ok(Resource::Targets, Observation::Targets(vec![group])),
    );
    update(
        &mut s,
        ok(
            Resource::Efs,
            Observation::Efs(vec![fs(&["us-east-1a", "us-east-1b"])]),
        ),
    );
    // CloudWatch: the old task's mongod near its limit, the new one just
    // started; the service reported nothing for three minutes long ago.
    update(
        &mut s,
        ok(
            Resource::Metrics,
            Observation::Metrics(Box::new(crate::model::fixtures::metrics_reading(
                &[
                    ("3f2a91bc77aa0c1e", 963.0, 1..14),
                    ("6299e51e9a1b4c5d", 310.0, 1..2),
                ],
                at(100),
                20..23,
            ))),
        ),
    );
    let src = |container: &str, task: &str| crate::model::logs::LogSource {
        group: "/ecs/goals".into(),
        region: None,
        stream: format!("ecs/{container}/{task}"),
        container: container.into(),
        task_arn: format!("arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/{task}"),
        stopped_at: None,
        started: true,
        stop_reason: None,
    };
    // As a backend delivers them: sanitised where they became domain
    // types (a hostile line among them).
    let ev = |t: i64, m: &str| crate::model::logs::RawLogEvent {
        timestamp_ms: at(t).timestamp_millis(),
        message: crate::model::sanitize::sanitize(m.as_bytes()),
    };
    let batches = vec![
        crate::model::logs::LogBatch {
            source: src("goals-api", "3f2a91bc77aa0c1e"),
            events: vec![
                ev(
                    20,
                    "::ffff:10.0.0.34 - - \"GET /goals HTTP/1.1\" 200 52 \"-\" \"ELB-HealthChecker/2.0\"",
                ),
                ev(35, "SIGTERM received: closing HTTP server"),
            ],
        },
        crate::model::logs::LogBatch {
            source: src("mongodb", "3f2a91bc77aa0c1e"),
            events: vec![ev(
                36,
                "{\"s\":\"I\",\"c\":\"CONTROL\",\"msg\":\"Now exiting\"}",
            )],
        },
        crate::model::logs::LogBatch {
            source: src("goals-api", "6299e51e9a1b4c5d"),
            events: vec![
                ev(41, "CONNECTED TO MONGODB!!"),
                ev(42, "Goals API listening on port 80"),
                ev(
                    50,
                    "\x1b]52;c;aGFja2Vk\x07\x1b[2J::ffff:10.0.0.34 \"POST /goals HTTP/1.1\" 201 61",
                ),
            ],
        },
        crate::model::logs::LogBatch {
            source: src("mongodb", "6299e51e9a1b4c5d"),
            events: vec![ev(
                39,
                "{\"s\":\"I\",\"c\":\"NETWORK\",\"msg\":\"Waiting for connections\",\"attr\":{\"port\":27017}}",
            )],
        },
    ];
    update(
        &mut s,
        ok(
            Resource::Logs,
            Observation::Logs(Box::new(crate::model::logs::FollowResult {
                batches,
                problems: vec![],
                calls: 4,
                following: 4,
                ..Default::default()
            })),
        ),
    );
    update(&mut s, Msg::ApiCalls(at(40), 10));
    update(&mut s, Msg::ApiCalls(at(100), 48));
    s
}

pub(super) fn screen(state: &State, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(|f| render(state, &Theme { color: true }, f))
        .expect("draw");
    term.backend().to_string()
}

macro_rules! snap {
    ($name:expr, $screen:expr) => {
        insta::with_settings!({filters => vec![(r"\d\d:\d\d:\d\d?", "[clock]")]}, {
            insta::assert_snapshot!($name, $screen);
        });
    };
}

#[test]
fn dashboard_120x40() {
    let s = replacing();
    let out = screen(&s, 120, 40);
    // What an operator checks at a glance, independent of the snapshot.
    assert!(out.contains("● HEALTHY"));
    assert!(out.contains("→ 6299e51e"));
    assert!(out.contains("draining"));
    assert!(out.contains("EFS MOUNT FAILED"));
    // Four warnings are one line; `w` shows them whole, advice included.
    assert!(out.contains("⚠ 4 warnings (w to read)"), "{out}");
    // CPU and memory: the service's hour, each task's figures, each
    // container's of its limit, the old mongod near it.
    assert!(out.contains("cpu 17% "), "{out}");
    assert!(out.contains("cpu 15% mem 51%"), "{out}");
    assert!(out.contains("mem 30%"), "{out}");
    snap!("dashboard_120x40", out);
    let mut s = s;
    update(&mut s, Msg::Action(Action::Wrap));
    let whole = screen(&s, 120, 40);
    assert!(
        whole.contains("mongod.lock") && whole.contains("set maximumPercent 100"),
        "{whole}"
    );
    assert!(
        whole.contains(
            "mongodb at 93 % of 1024 MiB (task 3f2a91bc): at the limit the kernel kills it"
        ),
        "{whole}"
    );
}

#[test]
fn dashboard_80x24() {
    let s = replacing();
    let out = screen(&s, 80, 24);
    assert!(out.contains("HEALTHY"));
    snap!("dashboard_80x24", out);
}

#[test]
fn stale_panel_says_why_and_keeps_data() {
    let mut s = replacing();
    update(
        &mut s,
        Msg::Poll(Box::new(PollEvent {
            resource: Resource::Targets,
            at: at(100),
            result: Err(Failure {
                error: CloudError::new(
                    ErrorKind::AccessDenied,
                    "elasticloadbalancing:DescribeTargetHealth",
                    "User is not authorized",
                ),
                retry_in: Duration::from_secs(30),
            }),
        })),
    );
    update(&mut s, Msg::Tick(at(112)));
    let out = screen(&s, 160, 40);
    assert!(out.contains("stale 14s"), "{out}");
    assert!(
        out.contains("add elasticloadbalancing:DescribeTargetHealth"),
        "{out}"
    );
    assert!(out.contains("10.0.1.205:80"), "last data kept: {out}");
}

#[test]
fn help_overlay_and_zoom() {
    let mut s = replacing();
    update(&mut s, Msg::Action(Action::Help));
    let out = screen(&s, 80, 24);
    assert!(out.contains("Help: keys"));
    assert!(out.contains("refresh everything now"));
    snap!("help_80x24", out);
    update(&mut s, Msg::Action(Action::Close));
    update(&mut s, Msg::Action(Action::NextPane));
    update(&mut s, Msg::Action(Action::NextPane));
    assert_eq!(s.focus, Pane::Targets);
    update(&mut s, Msg::Action(Action::PrevPane));
    update(&mut s, Msg::Action(Action::PrevPane));
    update(&mut s, Msg::Action(Action::PrevPane));
    assert_eq!(s.focus, Pane::Service);
    update(&mut s, Msg::Action(Action::Zoom));
    let out = screen(&s, 80, 24);
    assert!(
        out.contains("100 and minimumHealthyPercent 0"),
        "zoomed service shows warnings whole: {out}"
    );
    update(&mut s, Msg::Action(Action::Zoom));
    for _ in 0..3 {
        update(&mut s, Msg::Action(Action::NextPane));
    }
    assert_eq!(s.focus, Pane::Targets);
    update(&mut s, Msg::Action(Action::Zoom));
    let out = screen(&s, 120, 30);
    assert!(
        out.contains("Target.DeregistrationInProgress: Target deregistration"),
        "{out}"
    );
    assert!(
        !out.contains("Containers"),
        "zoomed pane fills the body: {out}"
    );
}

#[test]
fn loading_screen_and_tiny_terminal_do_not_panic() {
    let s = State::new(replacing().ctx, at(0));
    let out = screen(&s, 80, 24);
    assert!(out.contains("UNKNOWN"));
    assert!(out.contains("loading"));
    for (w, h) in [(10, 5), (1, 1), (40, 12), (200, 60)] {
        let _ = screen(&replacing(), w, h);
    }
}

#[test]
fn long_lines_end_in_an_ellipsis_never_a_silent_cut() {
    use ratatui::text::{Line, Span};
    let l = Line::from(vec![
        Span::raw("no EFS volume "),
        Span::raw("in the task definition"),
    ]);
    let cut = super::pane::fit_line(l, 20);
    let text: String = cut.spans.iter().map(|s| s.content.as_ref()).collect();
    assert_eq!(text, "no EFS volume in th…");
    let short = super::pane::fit_line(Line::from("fits"), 20);
    assert_eq!(short.width(), 4);
}

#[test]
fn logs_full_screen_with_divider_filter_and_prompt() {
    let mut s = replacing();
    update(&mut s, Msg::Action(Action::LogsFull));
    let out = screen(&s, 100, 20);
    assert!(
        out.contains("task 6299e51e started, replacing task 3f2a91bc"),
        "{out}"
    );
    assert!(
        out.contains("task a1b2c3d4 stopped (TaskFailedToStart: ResourceInit"),
        "{out}"
    );
    assert!(out.contains("Goals API listening on port 80"));
    assert!(!out.contains("\u{1b}"), "no escape reaches the screen");
    snap!("logs_full_100x20", out);
    // The new task's lines follow its rule; the old task, still draining,
    // goes on below it, labelled with its own id.
    let pos = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing"))
    };
    assert!(pos("6299e51e started") < pos("CONNECTED TO MONGODB"));
    assert!(
        pos("6299e51e started") < pos("SIGTERM received"),
        "old task's lines go on below, labelled"
    );
    update(&mut s, Msg::Action(Action::Filter));
    for c in "post".chars() {
        update(&mut s, Msg::Action(Action::PromptChar(c)));
    }
    let out = screen(&s, 100, 20);
    assert!(out.contains("text /post█"), "{out}");
    update(&mut s, Msg::Action(Action::PromptSubmit));
    let out = screen(&s, 100, 20);
    assert!(out.contains("/post/ text, only, 1 matches"), "{out}");
    assert!(out.contains("POST /goals"));
    assert!(
        !out.contains("CONNECTED TO MONGODB"),
        "non-matching lines hidden"
    );
}

#[test]
fn scrolling_the_logs_pauses_and_end_follows_again() {
    let mut s = replacing();
    update(&mut s, Msg::Action(Action::LogsFull));
    update(&mut s, Msg::Action(Action::Up));
    update(&mut s, Msg::Action(Action::Up));
    // Fewer rows than lines, so there is something to scroll past.
    let out = screen(&s, 100, 11);
    assert!(out.contains("PAUSED · 2 newer · End follows"), "{out}");
    assert!(
        !out.contains("POST /goals"),
        "the newest line is below the view"
    );
    update(&mut s, Msg::Action(Action::Bottom));
    let out = screen(&s, 100, 20);
    assert!(out.contains("following 4 streams"), "{out}");
    assert!(out.contains("POST /goals"));
}

#[test]
fn g_shows_the_oldest_screenful_not_one_line() {
    let mut s = replacing();
    update(&mut s, Msg::Action(Action::LogsFull));
    update(&mut s, Msg::Action(Action::Top));
    let out = screen(&s, 100, 20);
    let rows: Vec<&str> = out.lines().collect();
    // Rows 2.. are the pane's body; the oldest lines fill it from the top.
    let filled = rows
        .iter()
        .skip(2)
        .take(15)
        .filter(|r| r.contains("goals-api") || r.contains("mongodb") || r.contains("────"))
        .count();
    assert!(filled >= 8, "{out}");
    assert!(
        out.contains("ELB-HealthChec"),
        "the oldest lines on top: {out}"
    );
}

#[test]
fn n_and_shift_n_say_which_match_is_current() {
    let mut s = replacing();
    update(&mut s, Msg::Action(Action::LogsFull));
    update(&mut s, Msg::Action(Action::Filter));
    for c in "goals".chars() {
        update(&mut s, Msg::Action(Action::PromptChar(c)));
    }
    update(&mut s, Msg::Action(Action::PromptSubmit));
    update(&mut s, Msg::Action(Action::FilterMode));
    update(&mut s, Msg::Action(Action::PrevMatch));
    let total = s.logs.match_count();
    let out = screen(&s, 120, 20);
    assert!(
        out.contains(&format!("{total}/{total} matches")),
        "the newest match is current: {out}"
    );
    update(&mut s, Msg::Action(Action::PrevMatch));
    let out = screen(&s, 120, 20);
    assert!(
        out.contains(&format!("{}/{total} matches", total - 1)),
        "{out}"
    );
}

#[test]
fn z_shows_a_pane_whole_even_on_a_wide_screen() {
    let mut s = replacing();
    let long = format!(
        "(service goals-service) (deployment ecs-svc/1204518762918329481) {} END-OF-MESSAGE",
        "failed to launch a task with (error ECS was unable to assume the role) ".repeat(4)
    );
    let mut svc = s.world.service.get().cloned().expect("service");
    svc.events.insert(
        0,
        ServiceEvent {
            id: "e3".into(),
            at: ts(95),
            message: long,
        },
    );
    update(
        &mut s,
        Msg::Poll(Box::new(PollEvent {
            resource: Resource::Service,
            at: at(100),
            result: Ok(Observation::Service(Box::new(svc))),
        })),
    );
    while s.focus != Pane::Events {
        update(&mut s, Msg::Action(Action::NextPane));
    }
    let out = screen(&s, 200, 40);
    assert!(!out.contains("END-OF-MESSAGE"), "cut when not zoomed");
    update(&mut s, Msg::Action(Action::Zoom));
    let out = screen(&s, 200, 40);
    assert!(
        out.contains("END-OF-MESSAGE"),
        "zoomed, the message is whole: {out}"
    );
    // Tasks zoomed: the stopped task's whole reason.
    update(&mut s, Msg::Action(Action::Zoom));
    while s.focus != Pane::Tasks {
        update(&mut s, Msg::Action(Action::NextPane));
    }
    update(&mut s, Msg::Action(Action::Zoom));
    let out = screen(&s, 80, 24);
    assert!(out.contains("Connection timed out"), "{out}");
}

#[test]
fn the_help_is_whole_at_120x40() {
    let mut s = replacing();
    update(&mut s, Msg::Action(Action::Help));
    let out = screen(&s, 120, 40);
    assert!(out.contains("Esc or ? closes this help"), "{out}");
    assert!(out.contains("save lines in view to a file"), "{out}");
}

#[test]
fn the_bottom_bar_says_when_aws_throttles_and_for_which_api() {
    let mut s = replacing();
    update(
        &mut s,
        Msg::Slowed(vec![crate::model::observe::Slowed {
            api: "ecs".into(),
            pace: 0.25,
            throttles: 3,
        }]),
    );
    for (w, h) in [(120, 40), (80, 24)] {
        let out = screen(&s, w, h);
        let last = out
            .lines()
            .nth(h as usize - 1)
            .unwrap_or_default()
            .to_string();
        assert!(
            last.contains("AWS throttles us: ecs at 1/4 speed"),
            "{w}x{h}: {last}"
        );
    }
}

#[test]
fn the_help_lists_the_calls_per_api_and_their_share_of_the_quota() {
    let mut s = replacing();
    for (t, n) in [(40, 0u64), (100, 60)] {
        update(
            &mut s,
            Msg::ApiCallsBy(
                at(t),
                vec![
                    ("ecs:DescribeTasks".into(), n / 5),
                    ("logs:FilterLogEvents".into(), n),
                ],
            ),
        );
    }
    update(&mut s, Msg::Action(Action::Help));
    let out = screen(&s, 120, 40);
    assert!(out.contains("AWS calls, last minute"), "{out}");
    assert!(
        out.contains("60.0 /min logs:FilterLogEvents  10.0% of 10/s"),
        "{out}"
    );
    assert!(
        out.contains("12.0 /min ecs:DescribeTasks  1.0% of 20/s"),
        "{out}"
    );
}

//! `[`, PgUp at the top and `--since`: what is asked, and what the answer
//! does to the logs.

use crate::app::logs::Entry;
use crate::app::testing::{loaded_with, ok};
use crate::app::{Action, Effect, Msg, Pane, State, divider_words, update};
use crate::model::fixtures::{task, task_def, ts};
use crate::model::logs::{
    FollowResult, History, HistoryAsk, Hole, HoleWhy, LogBatch, LogSource, RawLogEvent,
};
use crate::model::observe::{Observation, Resource};
use crate::model::{LogConfig, Time};

const ARN: &str = "arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/new00000";

fn t(s: i64) -> Time {
    ts(s).expect("t")
}

/// The service with awslogs on both containers, one task running.
fn service(since: Option<i64>) -> State {
    let mut s = loaded_with(
        false,
        vec![task("new00000", "10.0.1.5", "RUNNING", "RUNNING")],
    );
    s.ctx.logs_since = since.map(chrono::Duration::seconds);
    let mut td = task_def();
    for c in &mut td.containers {
        c.log = Some(LogConfig {
            group: "/ecs/goals".into(),
            region: None,
            stream_prefix: Some("ecs".into()),
        });
    }
    update(
        &mut s,
        ok(Resource::TaskDefs, Observation::TaskDefs(vec![td])),
    );
    s.focus = Pane::Logs;
    s
}

fn source(container: &str) -> LogSource {
    LogSource {
        group: "/ecs/goals".into(),
        region: None,
        stream: format!("ecs/{container}/new00000"),
        container: container.into(),
        task_arn: ARN.into(),
        stopped_at: None,
        started: true,
        stop_reason: None,
    }
}

fn batch(container: &str, lines: &[(i64, &str)]) -> LogBatch {
    LogBatch {
        source: source(container),
        events: lines
            .iter()
            .map(|(s, m)| RawLogEvent {
                timestamp_ms: t(*s).timestamp_millis(),
                message: (*m).into(),
            })
            .collect(),
    }
}

/// The logs poller's answer with these lines.
fn polled(batches: Vec<LogBatch>) -> Msg {
    ok(
        Resource::Logs,
        Observation::Logs(Box::new(FollowResult {
            batches,
            following: 2,
            ..FollowResult::default()
        })),
    )
}

fn asked(effects: &[Effect]) -> Option<&HistoryAsk> {
    effects.iter().find_map(|e| match e {
        Effect::LoadHistory(a) => Some(&**a),
        _ => None,
    })
}

/// `[` pressed: the request it makes.
fn press_older(s: &mut State) -> HistoryAsk {
    asked(&update(s, Msg::Action(Action::Older)))
        .expect("a request")
        .clone()
}

fn answer(ask: &HistoryAsk, batches: Vec<LogBatch>, hole: Option<(Time, Time)>) -> Msg {
    let hole = hole.map(|(from, until)| Hole {
        from,
        until,
        why: HoleWhy::TooMany(ask.limit),
    });
    let lines = batches.iter().map(|b| b.events.len()).sum();
    Msg::History(Box::new(History {
        asked: (ask.from, ask.to),
        limit: ask.limit,
        from: ask.from,
        narrowed: None,
        batches,
        lines,
        calls: 2,
        hole,
        error: None,
    }))
}

fn texts(s: &State) -> Vec<String> {
    s.logs
        .entries()
        .map(|e| match e {
            Entry::Line(l) => l.text.clone(),
            other => format!("-- {}", divider_words(other, s.task_list())),
        })
        .collect()
}

#[test]
fn the_bracket_loads_the_hour_before_the_oldest_line_and_says_what_came() {
    let mut s = service(None);
    update(
        &mut s,
        polled(vec![batch("goals-api", &[(50, "listening")])]),
    );
    let out = update(&mut s, Msg::Action(Action::Older));
    let ask = asked(&out).expect("a request").clone();
    // The hour before the oldest line held, of every container's stream.
    assert_eq!((ask.from, ask.to), (t(50 - 3600), t(50)));
    let mut streams: Vec<&str> = ask.sources.iter().map(|s| s.stream.as_str()).collect();
    streams.sort();
    assert_eq!(streams, ["ecs/goals-api/new00000", "ecs/mongodb/new00000"]);
    assert!(ask.limit > 0);
    // Pressed again while it loads: nothing more is asked.
    let again = update(&mut s, Msg::Action(Action::Older));
    assert!(asked(&again).is_none());
    assert!(
        s.logs
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("still loading"))
    );
    update(
        &mut s,
        answer(
            &ask,
            vec![
                batch("mongodb", &[(-3000, "mongod started")]),
                // Held already (a tail reaching into the window).
                batch("goals-api", &[(-10, "connected"), (50, "listening")]),
            ],
            None,
        ),
    );
    assert_eq!(texts(&s), ["mongod started", "connected", "listening"]);
    let notice = s.logs.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("loaded 2 lines from ") && notice.contains("(2 calls)"),
        "{notice}"
    );
    // The next press reaches the hour before that.
    let out = update(&mut s, Msg::Action(Action::Older));
    let next = asked(&out).expect("a request");
    assert_eq!((next.from, next.to), (t(50 - 7200), t(50 - 3600)));
}

#[test]
fn a_hole_is_a_rule_in_the_logs_and_nothing_found_is_said() {
    let mut s = service(None);
    update(
        &mut s,
        polled(vec![batch("goals-api", &[(50, "listening")])]),
    );
    let ask = press_older(&mut s);
    update(
        &mut s,
        answer(
            &ask,
            vec![batch("goals-api", &[(-100, "burst 1")])],
            Some((t(-99), t(50))),
        ),
    );
    let all = texts(&s);
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(
        all[1].starts_with("-- ") && all[1].contains("not loaded: more than"),
        "{all:?}"
    );
    assert!(
        s.logs
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("not loaded"))
    );
    let ask = press_older(&mut s);
    update(&mut s, answer(&ask, Vec::new(), None));
    let notice = s.logs.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("nothing more was logged from"),
        "{notice}"
    );
}

#[test]
fn page_up_at_the_top_of_the_logs_loads_and_elsewhere_scrolls() {
    let mut s = service(None);
    let lines: Vec<(i64, String)> = (0..40).map(|i| (i, format!("line {i}"))).collect();
    let refs: Vec<(i64, &str)> = lines.iter().map(|(a, b)| (*a, b.as_str())).collect();
    update(&mut s, polled(vec![batch("goals-api", &refs)]));
    // Following, with older lines held: PgUp scrolls.
    assert!(asked(&update(&mut s, Msg::Action(Action::PageUp))).is_none());
    update(&mut s, Msg::Action(Action::Top));
    assert!(s.logs.at_top());
    assert!(asked(&update(&mut s, Msg::Action(Action::PageUp))).is_some());
    // Not where the logs are read: PgUp is the pane's own.
    let mut s = service(None);
    update(&mut s, polled(vec![batch("goals-api", &refs)]));
    update(&mut s, Msg::Action(Action::Top));
    s.focus = Pane::Tasks;
    assert!(asked(&update(&mut s, Msg::Action(Action::PageUp))).is_none());
}

#[test]
fn since_asks_once_at_start_from_that_long_ago_up_to_the_first_lines() {
    let mut s = service(Some(7200));
    let out = update(
        &mut s,
        polled(vec![batch("goals-api", &[(50, "listening")])]),
    );
    let ask = asked(&out).expect("the look-back at start");
    assert_eq!((ask.from, ask.to), (t(100 - 7200), t(50)));
    let out = update(&mut s, polled(vec![batch("goals-api", &[(60, "next")])]));
    assert!(asked(&out).is_none());
    // Before any stream is known (no log configuration read yet), it waits
    // quietly and asks once one is.
    let mut s = loaded_with(
        false,
        vec![task("new00000", "10.0.1.5", "RUNNING", "RUNNING")],
    );
    s.ctx.logs_since = Some(chrono::Duration::seconds(7200));
    let out = update(&mut s, polled(Vec::new()));
    assert!(
        asked(&out).is_none() && s.logs.notice.is_none(),
        "{:?}",
        s.logs.notice
    );
    let mut with_logs = service(Some(7200));
    with_logs.logs = s.logs.clone();
    let out = update(
        &mut with_logs,
        polled(vec![batch("goals-api", &[(50, "listening")])]),
    );
    assert!(asked(&out).is_some());
    // Without --since, nothing is asked at start.
    let mut s = service(None);
    let out = update(
        &mut s,
        polled(vec![batch("goals-api", &[(50, "listening")])]),
    );
    assert!(asked(&out).is_none());
}

#[test]
fn loaded_lines_are_not_pushed_out_by_the_cap_and_a_full_buffer_says_so() {
    let mut s = service(None);
    s.logs = crate::app::logs::LogState::new(100);
    let lines: Vec<(i64, String)> = (0..100).map(|i| (i, format!("line {i}"))).collect();
    let refs: Vec<(i64, &str)> = lines.iter().map(|(a, b)| (*a, b.as_str())).collect();
    update(&mut s, polled(vec![batch("goals-api", &refs)]));
    let ask = press_older(&mut s);
    // Twice the cap may be held for loaded lines.
    assert_eq!(ask.limit, 100);
    let old: Vec<(i64, String)> = (0..100).map(|i| (i - 1000, format!("old {i}"))).collect();
    let refs: Vec<(i64, &str)> = old.iter().map(|(a, b)| (*a, b.as_str())).collect();
    update(&mut s, answer(&ask, vec![batch("goals-api", &refs)], None));
    assert_eq!(s.logs.len(), 200);
    assert_eq!(texts(&s).first().map(String::as_str), Some("old 0"));
    assert!(asked(&update(&mut s, Msg::Action(Action::Older))).is_none());
    assert!(
        s.logs
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("hold their most")),
        "{:?}",
        s.logs.notice
    );
}

#[test]
fn the_request_ends_where_a_cut_tail_begins_and_a_rule_marks_it() {
    let mut s = service(None);
    // mongod's quiet stream was read whole; the API's first read was a
    // full tail (200 lines from t=1000 on), so older lines of it exist.
    let api: Vec<(i64, String)> = (0..200).map(|i| (1000 + i, format!("api {i}"))).collect();
    let refs: Vec<(i64, &str)> = api.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let mut first = FollowResult {
        batches: vec![
            batch("mongodb", &[(0, "mongod started"), (500, "checkpoint")]),
            batch("goals-api", &refs),
        ],
        following: 2,
        ..FollowResult::default()
    };
    first.cut = vec![(ARN.into(), "goals-api".into())];
    update(
        &mut s,
        ok(Resource::Logs, Observation::Logs(Box::new(first))),
    );
    // mongod's lines before 1000 are held, the API's are not: the rule
    // goes before the first line at 1000.
    let (at, edge) = s.logs.edge_index().expect("a rule");
    assert_eq!((at, edge), (2, t(1000)));
    let ask = press_older(&mut s);
    assert_eq!((ask.from, ask.to), (t(1000 - 3600), t(1000)));
    // A stream that grew past 200 lines while followed was read whole:
    // it moves nothing.
    let more: Vec<(i64, String)> = (0..300).map(|i| (1300 + i, format!("more {i}"))).collect();
    let refs: Vec<(i64, &str)> = more.iter().map(|(a, b)| (*a, b.as_str())).collect();
    update(&mut s, polled(vec![batch("mongodb", &refs)]));
    assert_eq!(s.logs.older_than(t(5000)), t(1000));
    // Once loaded back to before every held line, no rule is left.
    update(
        &mut s,
        answer(&ask, vec![batch("goals-api", &[(900, "api older")])], None),
    );
    assert!(s.logs.edge_index().is_none());
}

#[test]
fn narrowed_for_a_slow_search_is_said_so_and_a_refusal_keeps_what_came() {
    let mut s = service(None);
    update(
        &mut s,
        polled(vec![batch("goals-api", &[(50, "listening")])]),
    );
    let ask = press_older(&mut s);
    let mut h = History {
        asked: (ask.from, ask.to),
        limit: ask.limit,
        from: t(-100),
        narrowed: Some(HoleWhy::StillSearching(30)),
        batches: vec![batch("goals-api", &[(-50, "older")])],
        lines: 1,
        calls: 90,
        hole: None,
        error: None,
    };
    update(&mut s, Msg::History(Box::new(h.clone())));
    let notice = s.logs.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("CloudWatch was still searching after 30 pages since")
            && !notice.contains("more than"),
        "{notice}"
    );
    // Refused half way: the lines that came are shown, the refusal said.
    let ask = press_older(&mut s);
    h.asked = (ask.from, ask.to);
    h.from = ask.from;
    h.narrowed = None;
    h.batches = vec![batch("mongodb", &[(-3650, "refused after me")])];
    h.hole = Some(Hole {
        from: t(-3649),
        until: ask.to,
        why: HoleWhy::Failed,
    });
    h.error = Some(crate::model::error::CloudError::new(
        crate::model::error::ErrorKind::Throttled,
        "logs:FilterLogEvents",
        "Rate exceeded",
    ));
    update(&mut s, Msg::History(Box::new(h)));
    assert!(texts(&s).iter().any(|l| l == "refused after me"));
    let notice = s.logs.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("not loaded (the request failed)") && notice.contains("throttled"),
        "{notice}"
    );
}

#[test]
fn a_stream_cut_after_a_load_moves_the_end_and_the_follower_never_repeats_a_loaded_line() {
    let mut s = service(None);
    // Nothing held yet: the window ends now.
    let ask = press_older(&mut s);
    assert_eq!(ask.to, t(100));
    update(
        &mut s,
        answer(&ask, vec![batch("goals-api", &[(90, "loaded")])], None),
    );
    // The stream's first read then brings the same line: shown once.
    update(
        &mut s,
        polled(vec![batch("goals-api", &[(90, "loaded"), (95, "new")])]),
    );
    assert_eq!(texts(&s), ["loaded", "new"]);
    // A task whose first read was a full tail after the load: the next
    // request ends at its oldest line, not at the loaded start.
    let mut r = FollowResult {
        batches: vec![batch("mongodb", &[(80, "mongod tail start")])],
        following: 2,
        ..FollowResult::default()
    };
    r.cut = vec![(ARN.into(), "mongodb".into())];
    update(&mut s, ok(Resource::Logs, Observation::Logs(Box::new(r))));
    assert_eq!(s.logs.older_than(t(200)), t(80));
}

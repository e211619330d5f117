use super::*;
use crate::model::fixtures::{task, ts};
use crate::model::logs::{LogBatch, StreamProblem};
use crate::model::logs::{LogSource, RawLogEvent};

fn src(container: &str, task: &str) -> LogSource {
    LogSource {
        group: "/ecs/goals".into(),
        region: None,
        stream: format!("ecs/{container}/{task}"),
        container: container.into(),
        task_arn: format!("arn:aws:ecs:us-east-1:1:task/c/{task}"),
        stopped_at: None,
        started: true,
        stop_reason: None,
    }
}

fn ms(s: i64) -> i64 {
    ts(s).expect("t").timestamp_millis()
}

fn batch(container: &str, task: &str, events: &[(i64, &str)]) -> LogBatch {
    LogBatch {
        source: src(container, task),
        events: events
            .iter()
            .map(|(t, m)| RawLogEvent {
                timestamp_ms: ms(*t),
                message: m.to_string(),
            })
            .collect(),
    }
}

fn result(batches: Vec<LogBatch>) -> FollowResult {
    FollowResult {
        batches,
        problems: vec![],
        calls: 2,
        following: 2,
        ..Default::default()
    }
}

fn texts(s: &LogState) -> Vec<String> {
    (0..s.len())
        .filter(|&i| s.visible(i))
        .filter_map(|i| s.get(i))
        .map(|e| match e {
            Entry::Line(l) => l.text.clone(),
            Entry::Divider { .. } | Entry::Gap { .. } => "--".into(),
        })
        .collect()
}

#[test]
fn lines_of_both_containers_interleave_in_time_order() {
    let mut s = LogState::new(100);
    s.ingest(
        &result(vec![batch("goals-api", "t1", &[(1, "a1"), (5, "a5")])]),
        ts(6).expect("t"),
    );
    // mongodb's stream lagged: its earlier lines slot in between.
    s.ingest(
        &result(vec![batch(
            "mongodb",
            "t1",
            &[(2, "m2"), (5, "m5"), (7, "m7")],
        )]),
        ts(8).expect("t"),
    );
    assert_eq!(texts(&s), vec!["a1", "m2", "a5", "m5", "m7"]);
}

#[test]
fn buffer_is_bounded_and_a_paused_view_stays_put() {
    let mut s = LogState::new(5);
    let evs: Vec<(i64, String)> = (0..5).map(|i| (i, format!("l{i}"))).collect();
    let evs: Vec<(i64, &str)> = evs.iter().map(|(t, m)| (*t, m.as_str())).collect();
    s.ingest(
        &result(vec![batch("goals-api", "t1", &evs)]),
        ts(9).expect("t"),
    );
    s.up(1);
    assert_eq!(s.anchor(), Some(3));
    let at = |s: &LogState| match s.get(s.anchor().expect("paused")) {
        Some(Entry::Line(l)) => l.text.clone(),
        _ => String::new(),
    };
    assert_eq!(at(&s), "l3");
    s.ingest(
        &result(vec![batch("goals-api", "t1", &[(10, "l10"), (11, "l11")])]),
        ts(12).expect("t"),
    );
    assert_eq!(s.len(), 5, "never more than the cap");
    assert_eq!(at(&s), "l3", "the paused view did not move");
    // A late line older than the anchor shifts it, not the view.
    s.ingest(
        &result(vec![batch("mongodb", "t1", &[(3, "m3")])]),
        ts(12).expect("t"),
    );
    assert_eq!(at(&s), "l3");
    s.follow();
    assert!(!s.paused());
}

#[test]
fn scrolling_down_past_the_end_resumes_following() {
    let mut s = LogState::new(100);
    s.ingest(
        &result(vec![batch(
            "goals-api",
            "t1",
            &[(1, "a"), (2, "b"), (3, "c")],
        )]),
        ts(4).expect("t"),
    );
    s.up(2);
    assert_eq!(s.anchor(), Some(0));
    s.down(1);
    assert_eq!(s.anchor(), Some(1));
    s.down(5);
    assert_eq!(s.anchor(), None);
    s.top();
    assert_eq!(s.anchor(), Some(0));
}

#[test]
fn divider_between_old_and_new_task() {
    let mut s = LogState::new(100);
    let mut old = task("old00000", "10.0.1.9", "STOPPED", "STOPPED");
    old.created_at = ts(0);
    old.stopped_at = ts(20);
    let mut new = task("new00000", "10.0.1.5", "RUNNING", "RUNNING");
    new.created_at = ts(10);
    s.ingest(
        &result(vec![batch("goals-api", "old00000", &[(5, "old says bye")])]),
        ts(30).expect("t"),
    );
    s.ingest(
        &result(vec![batch("goals-api", "new00000", &[(12, "new banner")])]),
        ts(30).expect("t"),
    );
    s.ingest(
        &result(vec![batch(
            "goals-api",
            "old00000",
            &[(15, "old shuts down")],
        )]),
        ts(30).expect("t"),
    );
    s.note_tasks(&[old.clone(), new.clone()]);
    s.note_tasks(&[old.clone(), new.clone()]);
    // They overlapped: "started" at 10, "stopped" at 20.
    assert_eq!(
        texts(&s),
        vec!["old says bye", "--", "new banner", "old shuts down", "--"],
        "two rules, each once, in place"
    );
    // No overlap: one rule says both.
    let mut s3 = LogState::new(100);
    let mut old2 = old;
    old2.stopped_at = ts(8);
    s3.note_tasks(&[old2, new]);
    assert_eq!(s3.len(), 1);
    // The first task of a service has no divider.
    let mut s2 = LogState::new(10);
    s2.note_tasks(&[task("only0000", "10.0.1.5", "RUNNING", "RUNNING")]);
    assert!(s2.is_empty());
}

#[test]
fn filter_plain_and_regex_with_match_navigation() {
    let mut s = LogState::new(100);
    s.ingest(
        &result(vec![batch(
            "goals-api",
            "t1",
            &[
                (1, "GET /goals 200"),
                (2, "POST /goals 201"),
                (3, "GET /goals 500"),
                (4, "boot"),
            ],
        )]),
        ts(5).expect("t"),
    );
    s.set_filter(Some(Filter::new("get", false).expect("plain")));
    assert_eq!(
        texts(&s),
        vec!["GET /goals 200", "GET /goals 500"],
        "case-insensitive"
    );
    assert_eq!(s.match_count(), 2);
    s.set_filter(Some(Filter::new(r" [45]\d\d$", true).expect("regex")));
    assert_eq!(texts(&s), vec!["GET /goals 500"]);
    assert_eq!(
        s.filter().map(|f| f.find("GET /goals 500")),
        Some(vec![(10, 14)])
    );
    assert!(Filter::new("(", true).is_err());

    // All lines shown, matches stepped through with n/N.
    let mut f = Filter::new("goals", false).expect("plain");
    f.only_matches = false;
    s.set_filter(Some(f));
    assert_eq!(texts(&s).len(), 4);
    s.jump(false);
    assert_eq!(s.anchor(), Some(2), "N from the tail: newest match");
    s.jump(false);
    assert_eq!(s.anchor(), Some(1));
    s.jump(true);
    assert_eq!(s.anchor(), Some(2));
    s.jump(true);
    assert_eq!(s.anchor(), Some(2), "no newer match: stays");
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("no newer match"))
    );
}

#[test]
fn hidden_container_and_export() {
    let mut s = LogState::new(100);
    s.ingest(
        &result(vec![
            batch("goals-api", "t1", &[(1, "api")]),
            batch("mongodb", "t1", &[(2, "db")]),
        ]),
        ts(3).expect("t"),
    );
    s.toggle_hidden("mongodb");
    assert_eq!(texts(&s), vec!["api"]);
    let out = s.export(&|_| String::new());
    assert!(out.ends_with("goals-api t1 api\n"), "{out}");
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn stream_problems_are_kept_in_words() {
    let mut s = LogState::new(10);
    let mut r = result(vec![batch("goals-api", "t1", &[(1, "ok")])]);
    r.problems.push(StreamProblem {
        source: src("mongodb", "t1"),
        error: crate::model::error::CloudError::new(
            crate::model::error::ErrorKind::AccessDenied,
            "logs:GetLogEvents",
            "denied",
        ),
    });
    s.ingest(&r, ts(2).expect("t"));
    assert_eq!(texts(&s), vec!["ok"]);
    assert_eq!(
        s.problems,
        vec!["ecs/mongodb/t1: add logs:GetLogEvents to the IAM policy (AccessDenied)"]
    );
}

#[test]
fn poller_call_rate() {
    let mut s = LogState::new(10);
    for i in 0..=10 {
        s.ingest(&result(vec![]), ts(i).expect("t"));
    }
    let r = s.calls_per_s().expect("rate");
    assert!((r - 2.0).abs() < 1e-9, "{r}");
}

#[test]
fn tasks_that_left_the_list_are_forgotten() {
    let mut s = LogState::new(100);
    for i in 0..50 {
        let mut t = task(&format!("t{i:07}"), "10.0.1.5", "STOPPED", "STOPPED");
        t.created_at = ts(i);
        t.stopped_at = ts(i + 1);
        s.note_tasks(&[t]);
    }
    assert_eq!(s.remembered_tasks(), 1, "only the task still listed");
}

#[test]
fn paused_with_a_filter_counts_only_what_the_view_would_show() {
    let mut s = LogState::new(100);
    let evs: Vec<(i64, String)> = (0..10)
        .map(|i| {
            (
                i,
                if i % 3 == 0 {
                    format!("ERROR {i}")
                } else {
                    format!("ok {i}")
                },
            )
        })
        .collect();
    let evs: Vec<(i64, &str)> = evs.iter().map(|(t, m)| (*t, m.as_str())).collect();
    s.ingest(
        &result(vec![batch("goals-api", "t1", &evs)]),
        ts(20).expect("t"),
    );
    s.set_filter(Some(Filter::new("error", false).expect("plain")));
    s.top();
    // Matches at 0, 3, 6, 9: paused on the first, three newer shown.
    assert_eq!(s.newer_visible(), 3);
    assert_eq!(s.match_ordinal(), Some(1));
    s.jump(true);
    assert_eq!(s.match_ordinal(), Some(2), "n moves to the 2nd of 4");
    assert_eq!(s.match_count(), 4);
    // Regex mode is case-insensitive too.
    s.set_filter(Some(Filter::new("^error", true).expect("regex")));
    assert_eq!(s.match_count(), 4);
}

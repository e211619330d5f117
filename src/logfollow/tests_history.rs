//! Loading the hour before the oldest line held.

use super::history::{HistoryAsk, load};
use super::tests::{Fake, ms, source};
use crate::model::fixtures::ts;

fn t(s: i64) -> crate::model::Time {
    ts(s).expect("t")
}

/// The hour from 0 to 3600 s of these sources, at most `limit` lines.
fn hour(sources: Vec<crate::model::logs::LogSource>, limit: usize) -> HistoryAsk {
    HistoryAsk {
        sources,
        from: t(0),
        to: t(3600),
        limit,
    }
}

fn all_lines(h: &super::history::History) -> Vec<(i64, String, String)> {
    let mut out: Vec<(i64, String, String)> = h
        .batches
        .iter()
        .flat_map(|b| {
            b.events
                .iter()
                .map(|e| (e.timestamp_ms, b.source.task_arn.clone(), e.message.clone()))
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(start_paused = true)]
async fn an_hour_is_read_with_one_query_per_prefix_including_tasks_ecs_no_longer_lists() {
    let cloud = Fake::default();
    cloud.at(ms(10_000));
    let listed = [
        source("goals-api", "new1", true, false),
        source("mongodb", "new1", true, false),
    ];
    // A task replaced 50 minutes ago: ECS lists it no more, its streams
    // are still in the group.
    cloud.put("ecs/mongodb/gone1", ms(0), ms(0), "mongod starting");
    cloud.put(
        "ecs/mongodb/gone1",
        ms(600),
        ms(600),
        "Out of memory: killed",
    );
    cloud.put(
        "ecs/goals-api/new1",
        ms(3000),
        ms(3000),
        "listening on 3000",
    );
    // Before the window; and in its last millisecond (endTime is
    // inclusive: the held copy is dropped by the logs, not here).
    cloud.put("ecs/goals-api/new1", ms(-10), ms(-10), "too old");
    cloud.put("ecs/goals-api/new1", ms(3600), ms(3600), "held already");
    // Another service writing to the same group and prefix.
    cloud.put("ecs/billing/xyz", ms(100), ms(100), "not ours");
    let h = load(&cloud, &hour(listed.to_vec(), 1000)).await;
    assert!(h.error.is_none() && h.hole.is_none(), "{h:?}");
    assert_eq!((h.from, h.calls, h.lines), (t(0), 1, 4));
    let lines = all_lines(&h);
    assert_eq!(
        lines.iter().map(|l| l.2.as_str()).collect::<Vec<_>>(),
        [
            "mongod starting",
            "Out of memory: killed",
            "listening on 3000",
            "held already"
        ]
    );
    // The unlisted task is named with the cluster's ARN.
    assert_eq!(lines[0].1, "arn:aws:ecs:r:1:task/c/gone1");
    let q = cloud.queries.lock().expect("lock").clone();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].prefix.as_deref(), Some("ecs/"));
    assert_eq!((q[0].start_ms, q[0].end_ms), (ms(0), Some(ms(3600))));
}

#[tokio::test(start_paused = true)]
async fn a_window_with_more_than_the_limit_is_narrowed_to_its_end_without_a_hole() {
    let cloud = Fake {
        cap: 500,
        ..Fake::default()
    };
    cloud.at(ms(10_000));
    // One line a second for an hour: 3600 lines, the limit 1000.
    for s in 0..3600 {
        cloud.put("ecs/goals-api/new1", ms(s), ms(s), &format!("line {s}"));
    }
    let h = load(
        &cloud,
        &hour(vec![source("goals-api", "new1", true, false)], 1000),
    )
    .await;
    assert!(h.error.is_none() && h.hole.is_none(), "{h:?}");
    let lines = all_lines(&h);
    // Joined to what is held: the newest line is the window's last, every
    // second from the narrowed start is there, and no more than the limit.
    assert_eq!(lines.last().map(|l| l.2.as_str()), Some("line 3599"));
    assert!(h.from > t(0) && h.lines <= 1000 && h.lines > 300, "{h:?}");
    let from_ms = h.from.timestamp_millis();
    let expected = (0..3600).filter(|s| ms(*s) >= from_ms).count();
    assert_eq!(h.lines, expected);
    assert!(h.calls <= 3 * 3 + 4, "{} calls", h.calls);
}

#[tokio::test(start_paused = true)]
async fn a_burst_that_overflows_every_narrowing_is_said_as_a_hole() {
    let cloud = Fake::default();
    cloud.at(ms(10_000));
    // 5000 lines in one millisecond, the window's last but one: no
    // narrowing helps, and a millisecond is never split (its lines past
    // the limit would be lost without a word).
    for i in 0..5000 {
        cloud.put(
            "ecs/goals-api/new1",
            ms(3599),
            ms(3599),
            &format!("burst {i}"),
        );
    }
    let h = load(
        &cloud,
        &hour(vec![source("goals-api", "new1", true, false)], 1000),
    )
    .await;
    assert_eq!(h.lines, 0);
    let hole = h.hole.expect("a hole");
    assert_eq!((hole.from, hole.until), (t(3599), t(3600)));
    assert_eq!(hole.why, crate::model::logs::HoleWhy::TooMany(1000));
}

#[tokio::test(start_paused = true)]
async fn a_refusal_loads_nothing_and_says_why() {
    let cloud = Fake::default();
    // The fake answers "not in this fake" for a group it does not know.
    let mut src = source("goals-api", "new1", true, false);
    src.stream = "no-prefix-here".into();
    let h = load(&cloud, &hour(vec![src], 1000)).await;
    // A stream whose name is not <prefix>/<container>/<task> cannot be
    // read by prefix: nothing is asked, nothing loaded.
    assert_eq!((h.calls, h.lines), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn empty_pages_while_cloudwatch_searches_are_never_called_too_many_lines() {
    let cloud = Fake {
        searching: true,
        ..Fake::default()
    };
    cloud.at(ms(10_000));
    let started = tokio::time::Instant::now();
    let h = load(
        &cloud,
        &hour(vec![source("goals-api", "new1", true, false)], 1000),
    )
    .await;
    // Read on as CloudWatch asks, within a bound, then said for what it is.
    let hole = h.hole.expect("a hole");
    assert_eq!(hole.why, crate::model::logs::HoleWhy::StillSearching(30));
    assert_eq!(
        hole.why.words(),
        "CloudWatch was still searching after 30 pages"
    );
    assert!(h.calls <= 3 * 30, "{} calls", h.calls);
    // Never faster than four calls a second.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(250) * (h.calls as u32 - 1),
        "{:?} for {} calls",
        started.elapsed(),
        h.calls
    );
}

#[tokio::test(start_paused = true)]
async fn a_request_refused_half_way_keeps_what_was_whole_and_says_the_rest() {
    let cloud = Fake {
        cap: 500,
        fail_from: Some(2),
        ..Fake::default()
    };
    cloud.at(ms(10_000));
    for s in 0..1200 {
        cloud.put("ecs/goals-api/new1", ms(s), ms(s), &format!("line {s}"));
    }
    let h = load(
        &cloud,
        &hour(vec![source("goals-api", "new1", true, false)], 5000),
    )
    .await;
    // The first page (500 lines) is kept, the rest is a hole, the refusal
    // said, and nothing is retried.
    assert_eq!((h.lines, h.calls), (500, 2));
    let hole = h.hole.expect("a hole");
    assert_eq!(
        (hole.from, hole.until),
        (t(499) + chrono::Duration::milliseconds(1), t(3600))
    );
    assert_eq!(hole.why, crate::model::logs::HoleWhy::Failed);
    assert!(h.error.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_query_cut_short_bounds_what_the_others_claim() {
    // Two prefixes (a task definition revision changed it): the first
    // query holds more than the limit, so the second is never sent; what
    // is kept ends where the least read query does.
    let cloud = Fake::default();
    cloud.at(ms(10_000));
    for i in 0..1500 {
        cloud.put(
            "app/goals-api/old1",
            ms(3599),
            ms(3599),
            &format!("old {i}"),
        );
    }
    cloud.put("ecs/goals-api/new1", ms(3000), ms(3000), "new");
    let mut old = source("goals-api", "old1", true, true);
    old.stream = "app/goals-api/old1".into();
    let ask = hour(vec![old, source("goals-api", "new1", true, false)], 1000);
    let h = load(&cloud, &ask).await;
    let hole = h.hole.clone().expect("a hole");
    // Never a line after the hole begins, from either query.
    assert!(
        h.batches
            .iter()
            .flat_map(|b| &b.events)
            .all(|e| e.timestamp_ms < hole.from.timestamp_millis()),
        "{hole:?}"
    );
    // The second query was never sent: nothing of the window is whole,
    // and "new" is not passed off as all there is.
    assert_eq!((hole.from, h.lines), (h.from, 0));
}

use super::*;
use chrono::TimeZone;

fn t(s: i64) -> Time {
    chrono::Utc
        .timestamp_opt(1_800_000_000 + s, 0)
        .single()
        .expect("valid")
}

fn sample(at: i64, outcome: Outcome) -> Sample {
    let up = matches!(outcome, Outcome::Http(c) if (200..300).contains(&c));
    Sample {
        at: t(at),
        outcome,
        up,
        total_ms: 12,
        connect_ms: Some(3),
        first_byte_ms: Some(10),
        records: up.then_some(4),
        records_at_least: false,
        served_by: None,
        detail: None,
    }
}

fn history(outcomes: &[(i64, Outcome)]) -> History {
    let mut h = History::default();
    for (at, o) in outcomes {
        h.push(sample(*at, *o));
    }
    h
}

const OK: Outcome = Outcome::Http(200);
const NO_TARGETS: Outcome = Outcome::Http(503);

#[test]
fn one_or_two_failures_are_not_down_three_in_a_row_are() {
    let h = history(&[(0, OK), (1, NO_TARGETS)]);
    assert!(h.down().is_none(), "one failed sample never means down");
    let h = history(&[(0, OK), (1, NO_TARGETS), (2, NO_TARGETS)]);
    assert!(h.down().is_none(), "two 1 s apart span less than 3 s");
    let h = history(&[(0, OK), (1, NO_TARGETS), (2, NO_TARGETS), (3, NO_TARGETS)]);
    let o = h.down().expect("three in a row");
    assert_eq!(o.from, t(1));
    assert_eq!(o.samples, 3);
    // A success in between resets the run.
    let h = history(&[(0, NO_TARGETS), (1, NO_TARGETS), (2, OK), (3, NO_TARGETS)]);
    assert!(h.down().is_none());
}

#[test]
fn two_failures_over_three_seconds_are_down_at_a_slow_interval() {
    let h = history(&[(0, OK), (10, NO_TARGETS), (20, NO_TARGETS)]);
    assert!(h.down().is_some());
}

#[test]
fn a_url_never_answered_is_unreachable_and_never_down() {
    let refused = Outcome::Failed(ErrorClass::ConnectTimeout);
    let h = history(&[(0, refused), (1, refused)]);
    assert_eq!(h.unreachable(), None, "too early to say");
    let h = history(&[(0, refused), (1, refused), (2, refused), (3, refused)]);
    assert_eq!(h.unreachable(), Some(ErrorClass::ConnectTimeout));
    assert!(h.down().is_none(), "says nothing about the service");
    // Once it answered, the same failures are an outage.
    let h = history(&[(0, OK), (1, refused), (2, refused), (3, refused)]);
    assert_eq!(h.unreachable(), None);
    assert!(h.down().is_some());
    // An HTTP error is an answer: reachable, and down.
    let h = history(&[(0, NO_TARGETS), (1, NO_TARGETS), (2, NO_TARGETS)]);
    assert_eq!(h.unreachable(), None);
    assert!(h.down().is_some());
}

#[test]
fn availability_per_window_and_since_start() {
    let mut outcomes = Vec::new();
    // 10 minutes: the first 5 all up, then 30 s down at minute 8.
    for s in 0..600 {
        let o = if (480..510).contains(&s) {
            NO_TARGETS
        } else {
            OK
        };
        outcomes.push((s, o));
    }
    let h = history(&outcomes);
    let now = t(599);
    assert_eq!(h.availability(now, Duration::from_secs(60)), Some(100.0));
    // The last 5 minutes (301 samples at 299..=599) hold the 30 failures.
    let five = h.availability(now, Duration::from_secs(300)).expect("some");
    assert!((five - 271.0 / 301.0 * 100.0).abs() < 1e-9, "{five}");
    assert_eq!(h.availability_total(), Some(95.0));
    assert_eq!(History::default().availability_total(), None);
}

#[test]
fn outages_current_and_longest() {
    let h = history(&[
        (0, OK),
        (1, NO_TARGETS),
        (2, NO_TARGETS),
        (3, OK),
        (10, Outcome::Http(502)),
        (11, NO_TARGETS),
        (12, NO_TARGETS),
        (13, NO_TARGETS),
    ]);
    let cur = h.current_outage().expect("ongoing");
    assert_eq!(cur.from, t(10));
    assert_eq!(cur.samples, 4);
    assert_eq!(cur.outcomes, vec![(Outcome::Http(502), 1), (NO_TARGETS, 3)]);
    let prev = h.previous_outage().expect("one ended");
    assert_eq!((prev.from, prev.to, prev.samples), (t(1), Some(t(3)), 2));
    // Closed: 2 s (1 → 3). Open: 10 → now.
    assert_eq!(h.longest_outage(t(11)), Some(Duration::from_secs(2)));
    assert_eq!(h.longest_outage(t(20)), Some(Duration::from_secs(10)));
}

#[test]
fn the_ring_is_bounded_and_totals_go_on() {
    let mut h = History::with_capacity(5);
    for s in 0..12 {
        h.push(sample(s, OK));
    }
    assert_eq!(h.samples().len(), 5);
    assert_eq!(h.total(), 12);
    assert_eq!(h.samples().next().map(|s| s.at), Some(t(7)));
}

#[test]
fn expect_codes_and_classes() {
    let e = Expect::parse("2xx").expect("valid");
    assert!(e.matches(200) && e.matches(299) && !e.matches(301) && !e.matches(503));
    let e = Expect::parse("200, 204,3XX").expect("valid");
    assert!(e.matches(204) && e.matches(302) && !e.matches(201));
    let e = Expect::parse("200-399").expect("valid");
    assert!(e.matches(399) && !e.matches(400));
    assert!(Expect::parse("").is_err());
    assert!(Expect::parse("ok").expect_err("bad").contains("\"ok\""));
    assert!(Expect::parse("9xx").is_err());
    assert!(Expect::parse("300-200").is_err());
    assert!(Expect::parse("700").is_err());
}

#[test]
fn alb_codes_are_explained_in_words() {
    let d = Duration::from_secs(2);
    assert!(meaning(Outcome::Http(503), d).contains("no healthy targets"));
    assert!(meaning(Outcome::Http(502), d).contains("closed the connection"));
    assert!(meaning(Outcome::Http(504), d).contains("did not answer in time"));
    assert_eq!(
        meaning(Outcome::Failed(ErrorClass::Timeout), d),
        "no answer within 2s"
    );
    assert_eq!(
        Outcome::Failed(ErrorClass::ConnectTimeout).label(),
        "connect timeout"
    );
    assert_eq!(
        serde_json::to_string(&Outcome::Failed(ErrorClass::ConnectTimeout)).expect("json"),
        "\"connect_timeout\""
    );
    assert_eq!(
        serde_json::to_string(&Outcome::Http(503)).expect("json"),
        "503"
    );
}

#[test]
fn base_urls_are_checked() {
    assert_eq!(
        check_base_url("https://api.example.com/").as_deref(),
        Ok("https://api.example.com")
    );
    assert_eq!(
        check_base_url("http://10.0.0.5:8080/v1").as_deref(),
        Ok("http://10.0.0.5:8080/v1")
    );
    assert!(check_base_url("api.example.com").is_err());
    assert!(check_base_url("ftp://x").is_err());
    assert!(
        check_base_url("https://")
            .expect_err("host")
            .contains("no host")
    );
    assert!(
        check_base_url("https://x:http")
            .expect_err("port")
            .contains("port")
    );
    assert!(
        check_base_url("https://x/?a=1")
            .expect_err("query")
            .contains("path")
    );
    assert!(
        check_base_url("https://u:p@x")
            .expect_err("creds")
            .contains("headers")
    );
    assert!(check_header_name("X-Api-Key").is_ok());
    assert!(check_header_name("bad header").is_err());
    let e = check_header_value("X-Key", "sec\nret").expect_err("control");
    assert!(!e.contains("sec"), "the value is never repeated: {e}");
}

#[test]
fn at_a_glance_up_failing_down_and_unreachable() {
    let mut up = sample(0, OK);
    up.served_by = Some("6299e51e0c2f4c7e9a1b2c3d4e5f6a7b".into());
    let mut h = History::default();
    h.push(up);
    let g = glance(&h, Duration::from_secs(2)).expect("a sample");
    assert_eq!(g.state, Standing::Up);
    assert_eq!(
        format!("{} {}", g.head, g.rest),
        "UP 200 in 12 ms (connect 3 ms) · 4 records · served by 6299e51e"
    );
    h.push(sample(1, NO_TARGETS));
    let g = glance(&h, Duration::from_secs(2)).expect("a sample");
    assert_eq!(g.state, Standing::Failing, "one failure is not down");
    assert!(
        g.rest.starts_with("1 in a row — no healthy targets"),
        "{}",
        g.rest
    );
    for at in 2..10 {
        h.push(sample(at, NO_TARGETS));
    }
    let g = glance(&h, Duration::from_secs(2)).expect("a sample");
    assert_eq!(g.head, "DOWN 503");
    assert!(
        g.rest.starts_with("for 8 s — no healthy targets"),
        "{}",
        g.rest
    );
    let dns = Outcome::Failed(ErrorClass::Dns);
    let h = history(&[(0, dns), (1, dns), (2, dns)]);
    let g = glance(&h, Duration::from_secs(2)).expect("a sample");
    assert_eq!(g.state, Standing::Unreachable);
    assert!(g.rest.contains("dns ×3"), "{}", g.rest);
}

#[test]
fn urls_join_with_one_slash() {
    assert_eq!(join_url("http://a:80", "/goals"), "http://a:80/goals");
    assert_eq!(
        join_url("https://api.example.com/v1/", "goals"),
        "https://api.example.com/v1/goals"
    );
}

#[test]
fn a_count_cut_at_the_read_limit_says_at_least_and_is_never_called_fewer() {
    let mut s = sample(0, OK);
    s.records = Some(14319);
    s.records_at_least = true;
    let mut h = History::default();
    h.push(s.clone());
    let g = glance(&h, Duration::from_secs(2)).expect("a sample");
    assert_eq!(
        format!("{} {}", g.head, g.rest),
        "UP 200 in 12 ms (connect 3 ms) · ≥ 14319 records"
    );
    let before = Count {
        n: 20000,
        at_least: false,
    };
    let after = s.count().expect("counted");
    assert!(!after.fewer_than(before), "a lower bound is not fewer");
    let exact = Count {
        n: 19999,
        at_least: false,
    };
    assert!(exact.fewer_than(before));
    let less = Count {
        n: 14000,
        at_least: false,
    };
    assert!(less.fewer_than(after), "fewer than a lower bound is fewer");
    assert!(!exact.fewer_than(after));
}

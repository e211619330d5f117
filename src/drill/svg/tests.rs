use super::*;
use crate::model::drill::report::Report;

fn fixture(name: &str) -> Report {
    crate::drill::fixtures::report(name)
}

/// A `<text>` of the picture: its class, where it starts, its words.
#[derive(Debug)]
struct Text {
    class: String,
    x: f64,
    y: f64,
    words: String,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')? + i;
    Some(tag[i..j].to_string())
}

fn texts(svg: &str) -> Vec<Text> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text ") {
        let tag_end = rest[i..].find('>').expect("tag end") + i;
        let tag = &rest[i..tag_end];
        let close = rest[tag_end..].find("</text>").expect("close") + tag_end;
        let words = rest[tag_end + 1..close]
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'");
        out.push(Text {
            class: attr(tag, "class").unwrap_or_default(),
            x: attr(tag, "x").and_then(|v| v.parse().ok()).unwrap_or(0.0),
            y: attr(tag, "y").and_then(|v| v.parse().ok()).unwrap_or(0.0),
            words,
        });
        rest = &rest[close..];
    }
    out
}

/// The box a text takes: monospace labels at CHAR_W a character, lane
/// titles (11 px bold sans) at a generous 7.5 px, the baseline at y.
type Box4 = (f64, f64, f64, f64);

fn text_box(t: &Text) -> Box4 {
    let n = t.words.chars().count() as f64;
    let (w, h) = if t.class == "lane" {
        (n * 7.5, 11.0)
    } else {
        (n * CHAR_W, 10.0)
    };
    let x0 = if t.class == "tick" {
        t.x - w / 2.0
    } else {
        t.x
    };
    (x0, t.y - h + 2.0, x0 + w, t.y + 2.0)
}

fn overlaps(a: Box4, b: Box4) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// The picture's structure, for a snapshot: the lanes in order with
/// their stretches, the outages, and every label where it stands.
fn structure(svg: &str) -> String {
    let mut out = String::new();
    for t in texts(svg) {
        let _ = writeln!(out, "{:<6} {:>6.1} {:>6.1}  {}", t.class, t.x, t.y, t.words);
    }
    let mut rest = svg;
    while let Some(i) = rest.find("<rect class=\"outage\"") {
        let end = rest[i..].find('>').expect("end") + i;
        let tag = &rest[i..end];
        let _ = writeln!(
            out,
            "outage x={} width={} height={}",
            attr(tag, "x").unwrap_or_default(),
            attr(tag, "width").unwrap_or_default(),
            attr(tag, "height").unwrap_or_default()
        );
        rest = &rest[end..];
    }
    out
}

fn picture(name: &str) -> String {
    let r = fixture(name);
    swimlane(&Story::of(&r).expect("a story"))
}

#[test]
fn no_label_touches_another_in_any_of_the_four_drills() {
    for name in ["pass", "fail", "aborted", "two-task"] {
        no_overlap(name, &picture(name));
    }
}

/// Every text's box clear of every other's, and on the picture.
fn no_overlap(name: &str, svg: &str) {
    {
        let all = texts(svg);
        // The legend is one row laid out end to end: checked on its own.
        let boxes: Vec<(&Text, Box4)> = all.iter().map(|t| (t, text_box(t))).collect();
        for (i, (a, ba)) in boxes.iter().enumerate() {
            assert!(ba.2 <= WIDTH + 0.5, "{name}: {a:?} runs off the picture");
            for (b, bb) in &boxes[i + 1..] {
                assert!(
                    !overlaps(*ba, *bb),
                    "{name}: {:?} {:?} overlaps {:?} {:?}",
                    a.words,
                    ba,
                    b.words,
                    bb
                );
            }
        }
    }
}

#[test]
fn a_pass_has_the_old_and_new_task_and_target_the_probe_and_the_data_with_its_outage() {
    let r = fixture("pass");
    let st = Story::of(&r).expect("story");
    let kinds: Vec<LaneKind> = st.lanes.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            LaneKind::OldTask,
            LaneKind::OldTarget,
            LaneKind::NewTask,
            LaneKind::NewTarget,
            LaneKind::Probe,
            LaneKind::Data
        ]
    );
    // The shaded outages add up to the report's downtime.
    let shaded: f64 = st.outages.iter().map(|(a, b)| b - a).sum();
    assert!(
        (shaded - r.downtime_s.expect("downtime")).abs() < 0.01,
        "{shaded}"
    );
    let svg = swimlane(&st);
    assert!(svg.contains(&format!("outage {:.1} s", shaded)), "{svg}");
    // The old task runs, stops and is stopped; the new one goes through
    // its states to healthy.
    let words = |k: LaneKind| -> Vec<&str> {
        st.lanes
            .iter()
            .find(|l| l.kind == k)
            .map(|l| l.spans.iter().map(|s| s.state.word()).collect())
            .unwrap_or_default()
    };
    // Running, deactivating while its target drains, SIGTERM when the
    // drain is over, then stopped: AWS's order.
    assert_eq!(
        words(LaneKind::OldTask),
        ["running", "draining", "stopping", "stopped"]
    );
    assert_eq!(words(LaneKind::OldTarget), ["healthy", "draining"]);
    assert_eq!(
        words(LaneKind::NewTask),
        ["provisioning", "pending", "running", "healthy"]
    );
    assert_eq!(words(LaneKind::NewTarget), ["initial", "healthy"]);
    insta::assert_snapshot!("swimlane_pass", structure(&svg));
}

#[test]
fn a_fail_shows_the_marker_missing_after_the_restart_once_with_its_count() {
    let svg = picture("fail");
    let labels: Vec<String> = texts(&svg)
        .into_iter()
        .filter(|t| t.class == "lbl")
        .map(|t| t.words)
        .collect();
    assert!(labels.iter().any(|l| l == "MISSING (0) ×11"), "{labels:?}");
    assert!(labels.iter().any(|l| l == "read back (4)"), "{labels:?}");
    insta::assert_snapshot!("swimlane_fail", structure(&svg));
}

#[test]
fn an_aborted_drill_without_a_restart_has_no_outage_and_says_so() {
    let svg = picture("aborted");
    assert!(!svg.contains("class=\"outage\""));
    assert!(svg.contains("0 s drill start (no restart)"));
    let st = Story::of(&fixture("aborted")).expect("story");
    assert_eq!(st.lanes[0].spans.len(), 1, "the old task ran on");
    insta::assert_snapshot!("swimlane_aborted", structure(&svg));
}

#[test]
fn two_tasks_get_their_lanes_in_order_numbered() {
    let st = Story::of(&fixture("two-task")).expect("story");
    let titles: Vec<&str> = st.lanes.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(titles.len(), 10, "{titles:?}");
    assert!(titles[0].starts_with("1 old task"), "{titles:?}");
    assert!(titles[4].starts_with("2 old task"), "{titles:?}");
    // The second stop comes after the first replacement is healthy.
    let stop = |i: usize| st.lanes[i].spans[1].from;
    assert!(stop(4) > stop(0) + 20.0);
    assert!(st.outages.is_empty(), "the other task served meanwhile");
    insta::assert_snapshot!("swimlane_two_task", structure(&swimlane(&st)));
}

/// A host clock 30 s behind AWS's puts the old task's STOPPED before the
/// drill began: the picture widens to hold it, draws nothing backwards,
/// and still no label touches another.
#[test]
fn aws_times_far_off_this_hosts_clock_widen_the_axis_and_break_nothing() {
    let mut r = fixture("pass");
    r.clock_offset_s = Some(-30.0);
    let st = Story::of(&r).expect("story");
    assert!(st.from <= -29.0, "{}", st.from);
    for l in &st.lanes {
        for s in &l.spans {
            assert!(s.from <= s.to, "{}: {s:?}", l.title);
        }
        for m in &l.marks {
            assert!(m.at >= st.from && m.at <= st.to, "{}: {m:?}", l.title);
        }
    }
    no_overlap("skewed", &swimlane(&st));
}

/// An API whose healthy answer is a 401 (`expect = [401]`): the samples
/// the report counts as up are up in the picture, with no outage the
/// figures do not have.
#[test]
fn the_probes_expected_status_is_up_in_the_picture_as_in_the_figures() {
    let mut r = fixture("two-task");
    for p in &mut r.probe {
        p.outcome = crate::model::probe::Outcome::Http(401);
        p.up = Some(true);
    }
    let st = Story::of(&r).expect("story");
    assert!(st.outages.is_empty(), "{:?}", st.outages);
    let probe = st
        .lanes
        .iter()
        .find(|l| l.kind == LaneKind::Probe)
        .expect("probe");
    assert!(probe.marks.iter().all(|m| m.shape == Shape::Up));
}

/// A forced deployment of two tasks timed only one: the other is said,
/// never drawn as if its phases were known.
#[test]
fn an_old_task_without_a_timeline_is_said_not_drawn() {
    let mut r = fixture("pass");
    r.old_tasks
        .push("arn:aws:ecs:demo:000000000000:task/demo/77aa88bb99cc00dd11ee22ff33aa44bb".into());
    let st = Story::of(&r).expect("story");
    let lane = st
        .lanes
        .iter()
        .find(|l| l.title == "old task 77aa88bb")
        .expect("its lane");
    assert!(lane.spans.is_empty());
    assert!(
        lane.note
            .as_deref()
            .is_some_and(|n| n.contains("not timed"))
    );
    assert!(swimlane(&st).contains("its phases were not timed"));
}

/// The old task leaves when AWS says (stoppingAt), not when the
/// deployment was asked for: it served until then.
#[test]
fn the_old_task_runs_until_aws_says_it_is_stopping_and_a_stopped_replacement_takes_its_target() {
    let mut r = fixture("fail");
    let at = |s: f64| {
        let stop = chrono::DateTime::parse_from_rfc3339(&r.restarts[0].phases[0].at)
            .expect("stop")
            .with_timezone(&chrono::Utc);
        crate::model::drill::report::rfc3339(
            stop + chrono::Duration::milliseconds((s * 1000.0) as i64),
        )
    };
    let (late, died) = (at(3.0), at(6.5));
    for p in &mut r.restarts[0].phases {
        if p.name == "old_task_stopping" {
            p.at = late.clone();
        }
    }
    r.restarts[0]
        .phases
        .push(crate::model::drill::report::Phase {
            name: "new_task_stopped".into(),
            at: died,
            source: "aws".into(),
            uncertainty_s: None,
            note: None,
        });
    let st = Story::of(&r).expect("story");
    let old = &st.lanes[0];
    assert_eq!(old.spans[0].state.word(), "running");
    assert!((old.spans[1].from - 3.0).abs() < 0.01, "{:?}", old.spans);
    let target = st
        .lanes
        .iter()
        .find(|l| l.kind == LaneKind::NewTarget)
        .expect("target");
    assert!(
        target.spans.iter().all(|s| s.to <= 6.51),
        "{:?}",
        target.spans
    );
}

/// An API container without a health check: AWS never says HEALTHY, so
/// the picture says so and leaves the task running, never "healthy".
#[test]
fn a_replacement_without_a_health_check_is_running_not_healthy() {
    let mut r = fixture("pass");
    for p in &mut r.restarts[0].phases {
        if p.name == "new_containers_healthy" {
            p.note = Some("no health check".into());
        }
    }
    let st = Story::of(&r).expect("story");
    let new = st
        .lanes
        .iter()
        .find(|l| l.kind == LaneKind::NewTask)
        .expect("new task");
    assert!(new.marks.iter().any(|m| m.label == "no health check"));
    assert!(new.marks.iter().all(|m| m.label != "HEALTHY"));
    assert!(
        new.spans.iter().all(|s| s.state != State::Healthy),
        "{:?}",
        new.spans
    );
}

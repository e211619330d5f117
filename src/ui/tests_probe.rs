//! The Probe pane on screen: up, down and recovering, at 120×40 and at
//! the 80×24 of a bastion's default window, and zoomed.

use super::tests::{at, replacing, screen};
use crate::app::{Action, Msg, Pane, State, update};
use crate::model::observe::{Observation, PollEvent, ProbeResult, Resource};
use crate::model::probe::{ErrorClass, Outcome, ProbeInfo, Sample};

const URL: &str = "http://goals-alb-1.us-east-1.elb.amazonaws.com:80/goals";
pub(super) const OLD: &str = "6299e51e9a1b4c5d8e7f6a5b4c3d2e1f";
pub(super) const NEW: &str = "7a3c11d0b2e44f6a9c8d7e6f5a4b3c2d";

macro_rules! snap {
    ($name:expr, $screen:expr) => {
        insta::with_settings!({filters => vec![(r"\d\d:\d\d:\d\d?", "[clock]")]}, {
            insta::assert_snapshot!($name, $screen);
        });
    };
}

pub(super) fn sample(t: i64, outcome: Outcome, served_by: &str) -> Sample {
    let up = matches!(outcome, Outcome::Http(200));
    Sample {
        at: at(t),
        outcome,
        up,
        // A little jitter, so the sparkline has a shape.
        total_ms: if up {
            9 + (t.rem_euclid(7) as u32) * 2
        } else {
            3
        },
        connect_ms: Some(2),
        first_byte_ms: Some(8),
        records: up.then_some(4),
        records_at_least: false,
        served_by: up.then(|| served_by.to_string()),
        detail: None,
    }
}

/// The dashboard with the probe on, fed `samples` (the clock at 100 s).
pub(super) fn probed(samples: Vec<Sample>) -> State {
    let mut s = replacing();
    // One task up: the probe, not an overlap, is what the header says.
    let tasks: Vec<_> = s
        .task_list()
        .iter()
        .filter(|t| !t.is_leaving() || t.is_stopped())
        .cloned()
        .collect();
    update(
        &mut s,
        Msg::Poll(Box::new(PollEvent {
            resource: Resource::Tasks,
            at: at(98),
            result: Ok(Observation::Tasks(tasks)),
        })),
    );
    s.set_probe(Some(ProbeInfo {
        served_by_header: Some("X-Served-By".into()),
        ..ProbeInfo::default()
    }));
    for sample in samples {
        let at = sample.at;
        update(
            &mut s,
            Msg::Poll(Box::new(PollEvent {
                resource: Resource::Probe,
                at,
                result: Ok(Observation::Probe(Box::new(ProbeResult {
                    url: URL.into(),
                    sample,
                }))),
            })),
        );
    }
    update(&mut s, Msg::Tick(at(100)));
    s
}

fn up_for(from: i64, to: i64, task: &str) -> Vec<Sample> {
    (from..to)
        .map(|t| sample(t, Outcome::Http(200), task))
        .collect()
}

#[test]
fn probe_up() {
    let s = probed(up_for(0, 100, OLD));
    let big = screen(&s, 120, 40);
    assert!(
        big.contains("UP 200 in 11 ms (connect 2 ms) · 4 records · served by 6299e51e"),
        "{big}"
    );
    assert!(big.contains("every 1s · new connection"));
    assert!(big.contains("available 1m 100%  5m 100%  since start 100%"));
    assert!(big.contains("● HEALTHY"));
    snap!("probe_up_120x40", big);
    let small = screen(&s, 80, 24);
    assert!(small.contains("UP 200 in 11 ms"), "{small}");
    snap!("probe_up_80x24", small);
}

#[test]
fn probe_down() {
    let mut samples = up_for(0, 91, OLD);
    samples.extend((91..100).map(|t| sample(t, Outcome::Http(503), "")));
    let s = probed(samples);
    let big = screen(&s, 120, 40);
    assert!(
        big.contains("DOWN 503 for 8 s — no healthy targets (the task is down or draining)"),
        "{big}"
    );
    // The header turns: users cannot reach the API, whatever ECS says.
    assert!(big.contains("● DOWN  probe 503 for 8 s"), "{big}");
    assert!(big.contains("503 ×9: no healthy targets"), "{big}");
    snap!("probe_down_120x40", big);
    let small = screen(&s, 80, 24);
    assert!(small.contains("DOWN 503 for 8 s"), "{small}");
    snap!("probe_down_80x24", small);
}

#[test]
fn one_failed_sample_never_turns_the_header() {
    let mut samples = up_for(0, 99, OLD);
    samples.push(sample(99, Outcome::Failed(ErrorClass::Reset), ""));
    let s = probed(samples);
    let big = screen(&s, 120, 40);
    assert!(big.contains("FAILING reset 1 in a row"), "{big}");
    assert!(big.contains("● HEALTHY"), "{big}");
}

#[test]
fn probe_recovering_on_the_new_task() {
    let mut samples = up_for(0, 70, OLD);
    samples.push(sample(70, Outcome::Http(502), ""));
    samples.extend((71..90).map(|t| sample(t, Outcome::Http(503), "")));
    samples.extend(up_for(90, 100, NEW));
    let s = probed(samples);
    let big = screen(&s, 120, 40);
    assert!(big.contains("served by 7a3c11d0 (was 6299e51e)"), "{big}");
    assert!(big.contains("records 4 "), "{big}");
    assert!(big.contains("longest outage 20s"), "{big}");
    assert!(big.contains("1m 66.7%"), "{big}");
    assert!(
        big.contains("available 1m 66.7%  5m 80.0%  since start 80.0%"),
        "{big}"
    );
    snap!("probe_recovering_120x40", big);
    let small = screen(&s, 80, 24);
    assert!(small.contains("served by 7a3c11d0"), "{small}");
    snap!("probe_recovering_80x24", small);
}

#[test]
fn z_shows_the_probe_whole_with_its_recent_samples() {
    let mut samples = up_for(0, 95, OLD);
    samples.extend((95..100).map(|t| sample(t, Outcome::Failed(ErrorClass::Timeout), "")));
    let mut s = probed(samples);
    s.focus = Pane::Probe;
    update(&mut s, Msg::Action(Action::Zoom));
    let out = screen(&s, 120, 40);
    assert!(
        out.contains("DOWN timeout for 4 s — no answer within 2s"),
        "{out}"
    );
    assert!(out.contains("first byte"), "{out}");
    assert!(out.contains("timeout"), "{out}");
    snap!("probe_zoomed_120x40", out);
}

#[test]
fn a_url_never_reachable_from_here_is_said_and_leaves_the_verdict() {
    let samples = (90..100)
        .map(|t| sample(t, Outcome::Failed(ErrorClass::ConnectTimeout), ""))
        .collect();
    let s = probed(samples);
    let out = screen(&s, 120, 40);
    assert!(
        out.contains("NOT REACHABLE from this host: connect timeout ×10"),
        "{out}"
    );
    assert!(out.contains("never reached from this host"), "{out}");
    assert!(out.contains("● HEALTHY"), "{out}");
}

#[test]
fn a_certificate_for_another_name_suggests_probe_url() {
    let mut samples = up_for(0, 0, OLD);
    let mut tls = sample(99, Outcome::Failed(ErrorClass::Tls), "");
    tls.detail = Some("invalid peer certificate: NotValidForName".into());
    samples.push(tls);
    let mut s = probed(samples);
    s.world.probe.url = Some("https://goals-alb-1.us-east-1.elb.amazonaws.com:443/goals".into());
    let out = screen(&s, 120, 40);
    assert!(
        out.contains("TLS verification failed for goals-alb-1.us-east-1.elb.amazonaws.com"),
        "{out}"
    );
    assert!(out.contains("--probe-url https://<your domain>"), "{out}");
}

#[test]
fn an_answer_longer_than_the_read_limit_shows_at_least_its_records() {
    let samples: Vec<Sample> = (90..100)
        .map(|t| Sample {
            records: Some(14319),
            records_at_least: true,
            ..sample(t, Outcome::Http(200), NEW)
        })
        .collect();
    let s = probed(samples);
    let big = screen(&s, 120, 40);
    assert!(big.contains("· ≥ 14319 records ·"), "{big}");
    assert!(
        big.contains("records ≥ 14319 "),
        "a space before the plot: {big}"
    );
}

//! The restart drill on screen: the preflight, a running drill, and each
//! verdict, at 120×40 and 80×24.

use super::tests::{at, screen};
use super::tests_probe::{NEW, OLD, probed, sample};
use crate::app::drill::{DrillMsg, Phase};
use crate::app::{Action, Msg, State, update};
use crate::model::drill::machine::{Drill, RestartKind, Stage, Verdict};
use crate::model::drill::report::{Phase as ReportPhase, ProbeRow, Report};
use crate::model::probe::Outcome;

macro_rules! snap {
    ($name:expr, $screen:expr) => {
        insta::with_settings!({filters => vec![(r"\d\d:\d\d:\d\d?", "[clock]")]}, {
            insta::assert_snapshot!($name, $screen);
        });
    };
}

fn up_for_a_while() -> State {
    probed(
        (80..=99)
            .map(|t| sample(t, Outcome::Http(200), OLD))
            .collect(),
    )
}

fn rfc(t: i64) -> String {
    crate::model::drill::report::rfc3339(at(t))
}

#[test]
fn the_preflight_says_what_the_drill_will_do_and_how_long_it_takes() {
    let mut s = up_for_a_while();
    update(&mut s, Msg::Action(Action::Drill));
    let big = screen(&s, 120, 40);
    assert!(big.contains("Restart drill of goals-service?"), "{big}");
    assert!(big.contains("restart StopTask of task 6299e51e"), "{big}");
    assert!(big.contains("probe now UP 200"), "the baseline: {big}");
    assert!(big.contains("expect about"), "{big}");
    assert!(
        big.contains("max 200% with mongodb on EFS"),
        "the warnings: {big}"
    );
    assert!(big.contains("nothing is sent before y"), "{big}");
    snap!("drill_preflight_120x40", big);
    let small = screen(&s, 80, 24);
    assert!(small.contains("nothing is sent before y"), "{small}");
    assert!(
        small.contains("max 200%"),
        "warnings survive a short screen: {small}"
    );
    snap!("drill_preflight_80x24", small);
}

#[test]
fn a_running_drill_shows_its_steps_the_probe_and_what_it_waits_for() {
    let mut s = up_for_a_while();
    update(&mut s, Msg::Action(Action::Drill));
    update(&mut s, Msg::Action(Action::Confirm));
    let started = match &s.drill.as_ref().expect("drill").phase {
        Phase::Running { started, .. } => *started,
        p => panic!("{p:?}"),
    };
    let mut d = Drill::new(
        "ecsdeck-drill-0a1b2c3d4e5f".into(),
        RestartKind::StopTask,
        false,
        std::time::Duration::from_secs(600),
        started,
    );
    d.stage = Stage::Observing;
    d.restart_sent = true;
    d.restart_at = Some(at(101));
    d.before_tasks = vec![format!(
        "arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/{OLD}"
    )];
    d.log = vec![
        (
            at(100),
            "baseline: the API answers through the load balancer".into(),
        ),
        (at(101), "restart requested".into()),
    ];
    d.missing = vec![
        "the old task to stop".into(),
        "a new task running and healthy".into(),
    ];
    // The machine as the run would have stepped it.
    if let Some(Phase::Running { drill, conduct, .. }) = s.drill.as_mut().map(|x| &mut x.phase) {
        *drill = Some(Box::new(d));
        let mut c = crate::model::drill::Conduct::new(started);
        c.data_event(at(100), "checked_absent", true, Some(200), Some(3));
        c.data_event(at(100), "written", true, None, None);
        c.data_event(at(100), "read_back", true, Some(200), Some(4));
        *conduct = Some(Box::new(c));
    }
    for t in 101..=106 {
        let o = if t < 103 {
            Outcome::Http(200)
        } else {
            Outcome::Http(503)
        };
        let sm = sample(t, o, OLD);
        update(
            &mut s,
            Msg::Poll(Box::new(crate::model::observe::PollEvent {
                resource: crate::model::observe::Resource::Probe,
                at: sm.at,
                result: Ok(crate::model::observe::Observation::Probe(Box::new(
                    crate::model::observe::ProbeResult {
                        url: "http://alb/goals".into(),
                        sample: sm,
                    },
                ))),
            })),
        );
    }
    update(&mut s, Msg::Tick(at(106)));
    let big = screen(&s, 120, 40);
    assert!(big.contains("watching the replacement"), "{big}");
    assert!(
        big.contains("waiting for: the old task to stop, a new task running and healthy"),
        "{big}"
    );
    assert!(big.contains("marker ecsdeck-drill-0a1b2c3d4e5f"), "{big}");
    assert!(big.contains("restart requested"), "{big}");
    assert!(big.contains("×"), "the outage in the strip: {big}");
    // The lanes the verdict window and the report will draw, so far.
    assert!(big.contains("old task 6299e51e │running"), "{big}");
    assert!(big.contains("marker: absent"), "{big}");
    assert!(big.contains("Esc cancel"), "{big}");
    snap!("drill_running_120x40", big);
    let small = screen(&s, 80, 24);
    assert!(small.contains("waiting for:"), "{small}");
    assert!(small.contains("Esc"), "{small}");
    snap!("drill_running_80x24", small);
}

fn report(v: Verdict, reason: &str) -> Report {
    let phases = [
        ("stop_requested", 101, "observed"),
        ("old_target_draining", 102, "observed"),
        ("new_task_seen", 102, "aws"),
        ("new_task_running", 140, "aws"),
        ("old_task_stopped", 131, "aws"),
        ("new_target_healthy", 160, "observed"),
        ("first_2xx", 158, "probe"),
        ("marker_read", 161, "observed"),
    ];
    let old = format!("arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/{OLD}");
    let new = format!("arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/{NEW}");
    let lane_phases = [
        ("stop_requested", 101, "observed"),
        ("old_task_stopping", 101, "aws"),
        ("old_target_draining", 102, "observed"),
        ("new_task_seen", 102, "aws"),
        ("new_task_provisioning", 103, "observed"),
        ("new_task_pending", 110, "observed"),
        ("old_task_stopped", 131, "aws"),
        ("new_task_running", 140, "aws"),
        ("new_containers_healthy", 150, "observed"),
        ("new_target_initial", 141, "observed"),
        ("new_target_healthy", 160, "observed"),
        ("first_2xx", 158, "probe"),
    ];
    let found = v == Verdict::Pass;
    let data = [
        ("checked_absent", 100, true, Some(3)),
        ("written", 100, true, None),
        ("read_back", 100, true, Some(4)),
        ("read_after", 161, found, Some(if found { 4 } else { 0 })),
        ("deleted", 162, true, None),
    ];
    Report {
        history: Vec::new(),
        data: data
            .iter()
            .map(|(e, t, ok, count)| crate::model::drill::report::DataEvent {
                at: rfc(*t),
                event: e.to_string(),
                ok: *ok,
                status: count.map(|_| 200),
                count: *count,
            })
            .collect(),
        records_before: Some(4),
        records_after: Some(if found { 4 } else { 0 }),
        memory: Vec::new(),
        verdict: v,
        reason: reason.into(),
        service: "goals-service".into(),
        cluster: "goals-cluster".into(),
        restart: RestartKind::StopTask,
        marker: "ecsdeck-drill-0a1b2c3d4e5f".into(),
        old_task: Some(format!("arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/{OLD}")),
        old_tasks: vec![old.clone()],
        new_task: Some(format!("arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/{NEW}")),
        probe_url: Some("http://alb/goals".into()),
        probe_url_verified: true,
        warnings: vec!["max 200% with mongodb on EFS volume \"data\"".into()],
        notes: vec!["container mongodb of the old task 6299e51e exited 137: it was killed (SIGKILL) after stopTimeout, not stopped cleanly".into()],
        cleanup: "deleted".into(),
        started_at: rfc(100),
        ended_at: rfc(162),
        downtime_s: Some(55.0),
        stop_to_first_2xx_s: Some(57.0),
        clock_offset_s: Some(0.3),
        aws_calls: None,
        longest_outage_s: None,
        new_tasks: vec![new.clone()],
        restarts: vec![crate::model::drill::report::Restarted {
            old_task: old.clone(),
            new_task: Some(new.clone()),
            phases: lane_phases
                .iter()
                .map(|(n, t, src)| ReportPhase {
                    name: n.to_string(),
                    at: rfc(*t),
                    source: src.to_string(),
                    uncertainty_s: (*src == "observed" && *n != "stop_requested").then_some(1.0),
                    note: None,
                })
                .collect(),
        }],
        estimate_s: None,
        timeout_s: 600,
        phases: phases
            .iter()
            .map(|(n, t, src)| ReportPhase {
                name: n.to_string(),
                at: rfc(*t),
                source: src.to_string(),
                uncertainty_s: None,
                note: None,
            })
            .collect(),
        steps: vec![],
        probe: (100..162)
            .map(|t| ProbeRow {
                at: rfc(t),
                outcome: if (103..158).contains(&t) {
                    Outcome::Http(503)
                } else {
                    Outcome::Http(200)
                },
                latency_ms: 9 + (t % 5) as u32,
                up: None,
            })
            .collect(),
        cancelled_by: None,
        cleanup_limit_s: None,
        account: None,
    }
}

#[test]
fn each_verdict_in_large_type_with_its_word_its_figures_and_the_files() {
    for (v, word, reason) in [
        (
            Verdict::Pass,
            "PASS",
            "a restart happened (every old task stopped, a new task serves) and the marker and the record count survived",
        ),
        (
            Verdict::Fail,
            "FAIL",
            "the restart happened and the marker ecsdeck-drill-0a1b2c3d4e5f is missing: the data did not survive",
        ),
        (
            Verdict::Aborted,
            "ABORTED",
            "the restart was refused: add ecs:StopTask to the IAM policy (AccessDeniedException)",
        ),
    ] {
        let mut s = up_for_a_while();
        update(&mut s, Msg::Action(Action::Drill));
        update(&mut s, Msg::Action(Action::Confirm));
        let base = format!("ecsdeck-drill-20261202030000-{}", word.to_lowercase());
        update(
            &mut s,
            Msg::Drill(DrillMsg::Finished {
                report: Box::new(report(v, reason)),
                files: Ok(vec![
                    format!("/work/{base}.json"),
                    format!("/work/{base}.html"),
                ]),
            }),
        );
        for (w, h) in [(120, 40), (80, 24)] {
            let sc = screen(&s, w, h);
            assert!(sc.contains(&format!("{word} — ")), "the word itself: {sc}");
            if h == 40 {
                let first = sc
                    .lines()
                    .skip_while(|l| !l.contains("Restart drill —"))
                    .nth(1)
                    .unwrap_or("");
                assert!(
                    first.contains("║█") || first.contains("║ █"),
                    "large type: {sc}"
                );
            }
            // The story: the lanes, the outage on the axis, the marker.
            assert!(sc.contains("old task"), "{sc}");
            assert!(sc.contains("draining▒"), "{sc}");
            assert!(sc.contains("outage 55.0 s"), "{sc}");
            assert!(sc.contains("marker: absent"), "{sc}");
            assert!(
                sc.contains(if v == Verdict::Pass {
                    "records 4 → 4"
                } else {
                    "records 4 → 0"
                }),
                "{sc}"
            );
            assert!(sc.contains("downtime (probe) 55.0 s"), "{sc}");
            assert!(sc.contains("stop → first 2xx 57.0 s"), "{sc}");
            assert!(sc.contains(&format!("{base}.json")), "the files: {sc}");
            assert!(sc.contains("Esc close"), "{sc}");
            snap!(format!("drill_{}_{w}x{h}", word.to_lowercase()), sc);
        }
    }
}

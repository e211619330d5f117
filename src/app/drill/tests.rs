use super::*;
use crate::app::testing::{loaded_with, ok, probe_up};
use crate::app::{Action, Msg, update};
use crate::model::drill::machine::Verdict;
use crate::model::fixtures::*;
use crate::model::observe::{Observation, ProbeResult, Resource};
use crate::model::probe::{Outcome, ProbeInfo, Sample};

/// One running task, the identity known, the probe up.
fn loaded(read_only: bool) -> State {
    let mut s = loaded_with(
        read_only,
        vec![task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING")],
    );
    s.set_probe(Some(ProbeInfo::default()));
    update(&mut s, ok(Resource::Probe, probe_up(99)));
    s
}

fn act(s: &mut State, a: Action) -> Vec<Effect> {
    update(s, Msg::Action(a))
}

/// The run has its marker.
fn begun(s: &mut State) {
    update(
        s,
        Msg::Drill(DrillMsg::Begun {
            marker: "ecsdeck-drill-0a1b2c3d4e5f".into(),
            at: ts(100).expect("time"),
            clock_offset_s: None,
        }),
    );
}

/// The report a Finish effect carries.
fn finished(fx: &[Effect]) -> Option<&Report> {
    fx.iter().find_map(|e| match e {
        Effect::Drill(DrillEffect::Finish(r)) => Some(&**r),
        _ => None,
    })
}

fn report(v: Verdict) -> Report {
    Report {
        history: Vec::new(),
        data: Vec::new(),
        records_before: None,
        records_after: None,
        memory: Vec::new(),
        verdict: v,
        reason: "why".into(),
        service: "goals-service".into(),
        cluster: "goals-cluster".into(),
        restart: RestartKind::StopTask,
        marker: "ecsdeck-drill-x".into(),
        old_task: None,
        old_tasks: vec![],
        new_task: None,
        probe_url: None,
        probe_url_verified: true,
        warnings: vec![],
        notes: vec![],
        cleanup: "deleted".into(),
        started_at: "2026-12-02T03:00:00.000Z".into(),
        ended_at: "2026-12-02T03:00:09.000Z".into(),
        downtime_s: None,
        stop_to_first_2xx_s: None,
        clock_offset_s: None,
        aws_calls: None,
        longest_outage_s: None,
        new_tasks: vec![],
        restarts: vec![],
        estimate_s: None,
        timeout_s: 600,
        phases: vec![],
        steps: vec![],
        probe: vec![],
        cancelled_by: None,
        cleanup_limit_s: None,
        account: None,
    }
}

#[test]
fn r_asks_first_and_n_or_esc_send_nothing() {
    let mut s = loaded(false);
    assert!(act(&mut s, Action::Drill).is_empty(), "nothing before y");
    let d = s.drill.as_ref().expect("the preflight");
    assert_eq!(d.phase, Phase::Asking);
    assert_eq!(d.preflight.tasks.len(), 1);
    assert!(d.preflight.baseline_ok, "{}", d.preflight.baseline);
    assert!(d.preflight.baseline.starts_with("UP 200"));
    assert!(d.preflight.estimate.max_s > d.preflight.estimate.min_s);
    assert_eq!(s.mode(), crate::app::Mode::Confirm, "only y, n and Esc");
    assert!(act(&mut s, Action::Cancel).is_empty());
    assert!(s.drill.is_none() && s.modal.is_none());
    assert_eq!(
        s.notice.as_deref(),
        Some("drill cancelled: nothing was sent")
    );
}

#[test]
fn y_starts_the_drill_once_and_s_d_r_wait_for_it() {
    let mut s = loaded(false);
    act(&mut s, Action::Drill);
    let fx = act(&mut s, Action::Confirm);
    assert_eq!(fx, vec![Effect::Drill(DrillEffect::Begin)]);
    assert!(busy(&s));
    assert_eq!(s.mode(), crate::app::Mode::Drill);
    assert!(
        act(&mut s, Action::Confirm).is_empty(),
        "a second y does nothing"
    );
    // S, D and R do nothing while it runs, even with the window away.
    s.modal = None;
    for a in [Action::StopTask, Action::ForceDeploy, Action::Drill] {
        assert!(act(&mut s, a).is_empty(), "{a:?}");
        assert!(s.confirm().is_none(), "{a:?} opened no dialog");
        assert!(busy(&s));
    }
    // Esc cancels, once; the drill cleans up and reports.
    s.modal = Some(Modal::Drill);
    begun(&mut s);
    let fx = act(&mut s, Action::Cancel);
    assert!(
        finished(&fx).is_some_and(
            |r| r.verdict == Verdict::Aborted && r.reason.contains("cancelled by the operator")
        ),
        "{fx:?}"
    );
    assert!(act(&mut s, Action::Cancel).is_empty(), "already cancelling");
    // The restart the drill sends starts the dashboard's timeline.
    update(
        &mut s,
        Msg::Drill(DrillMsg::Requested(
            Some("arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/aaaa1111".into()),
            ts(101).expect("time"),
        )),
    );
    assert!(
        s.world.timeline.current.is_some(),
        "the timeline follows the drill's restart"
    );
    update(
        &mut s,
        Msg::Drill(DrillMsg::Finished {
            report: Box::new(report(Verdict::Aborted)),
            files: Ok(vec![
                "/w/ecsdeck-drill-1-aborted.json".into(),
                "/w/ecsdeck-drill-1-aborted.html".into(),
            ]),
        }),
    );
    assert!(!busy(&s));
    assert!(matches!(
        s.drill.as_ref().map(|d| &d.phase),
        Some(Phase::Done { .. })
    ));
    // Esc closes the verdict; the dashboard goes on.
    assert!(act(&mut s, Action::Cancel).is_empty());
    assert!(s.modal.is_none() && s.drill.is_none());
    let n = s.notice.clone().unwrap_or_default();
    assert!(
        n.contains("ABORTED") && n.contains("ecsdeck-drill-1-aborted.json"),
        "{n}"
    );
    // And the actions are back.
    act(&mut s, Action::StopTask);
    assert!(s.confirm().is_some());
}

#[test]
fn ctrl_c_cancels_a_running_drill_first_and_quits_the_second_time() {
    let mut s = loaded(false);
    act(&mut s, Action::Drill);
    act(&mut s, Action::Confirm);
    begun(&mut s);
    assert!(finished(&act(&mut s, Action::Quit)).is_some(), "cancelled");
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("Ctrl-C again quits once its delete was tried"))
    );
    // The report is being written: the second quits once it is out.
    assert!(act(&mut s, Action::Quit).is_empty());
    let fx = update(
        &mut s,
        Msg::Drill(DrillMsg::Finished {
            report: Box::new(report(Verdict::Aborted)),
            files: Ok(vec![]),
        }),
    );
    assert_eq!(fx, vec![Effect::Quit]);
    // At the verdict, or in the preflight, it quits at once.
    let mut s = loaded(false);
    act(&mut s, Action::Drill);
    assert_eq!(act(&mut s, Action::Quit), vec![Effect::Quit]);
}

#[test]
fn a_read_only_run_starts_no_drill() {
    let mut s = loaded(true);
    assert!(act(&mut s, Action::Drill).is_empty());
    assert!(s.drill.is_none());
    // The key table drops every action that changes AWS in a read-only
    // run (ui::keys' tests): R is one of them.
    assert!(Action::Drill.changes_aws(), "R is not bound");
    // Even a preflight forced open sends nothing on y.
    s.ctx.read_only = false;
    act(&mut s, Action::Drill);
    s.ctx.read_only = true;
    assert!(act(&mut s, Action::Confirm).is_empty());
}

#[test]
fn no_probe_no_drill_and_a_probe_down_is_said_before_y() {
    let mut s = loaded(false);
    s.set_probe(None);
    act(&mut s, Action::Drill);
    assert!(s.drill.is_none());
    assert!(
        s.notice
            .as_deref()
            .is_some_and(|n| n.contains("needs the probe"))
    );
    let mut s = loaded(false);
    update(
        &mut s,
        ok(
            Resource::Probe,
            Observation::Probe(Box::new(ProbeResult {
                url: "http://alb/goals".into(),
                sample: Sample {
                    at: ts(100).expect("time"),
                    outcome: Outcome::Http(503),
                    up: false,
                    total_ms: 2,
                    connect_ms: Some(1),
                    first_byte_ms: Some(2),
                    records: None,
                    records_at_least: false,
                    served_by: None,
                    detail: None,
                },
            })),
        ),
    );
    act(&mut s, Action::Drill);
    let d = s.drill.as_ref().expect("the preflight still opens");
    assert!(!d.preflight.baseline_ok, "{}", d.preflight.baseline);
}

#[test]
fn the_drill_never_waits_for_ever_for_its_preflight_or_its_baseline() {
    // `ecsdeck drill`: nothing seen yet; a minute on, it gives up, naming
    // what it still waits for, having sent nothing.
    let mut s = State::new(
        crate::app::Context::new(
            crate::model::ServiceRef {
                cluster: "c".into(),
                service: "s".into(),
            },
            "us-east-1",
        ),
        ts(0).expect("t"),
    );
    prepare(&mut s);
    assert!(update(&mut s, Msg::Tick(ts(30).expect("t"))).is_empty());
    assert!(s.drill_failed.is_none(), "still waiting at 30 s");
    assert!(update(&mut s, Msg::Tick(ts(61).expect("t"))).is_empty());
    let why = s.drill_failed.clone().expect("given up");
    assert!(
        why.contains("no baseline after 60 s")
            && why.contains("the service (no answer yet)")
            && why.contains("nothing was sent"),
        "{why}"
    );
    // The dashboard's R: begun, but the probe never answers again.
    let mut s = loaded(false);
    act(&mut s, Action::Drill);
    act(&mut s, Action::Confirm);
    begun(&mut s);
    let fx = update(&mut s, Msg::Tick(ts(130).expect("t")));
    assert_eq!(
        fx,
        vec![Effect::Drill(DrillEffect::Hold)],
        "waits, polling fast"
    );
    update(&mut s, Msg::Tick(ts(161).expect("t")));
    assert!(s.drill.is_none(), "the window closes");
    assert!(
        s.drill_failed
            .as_deref()
            .is_some_and(|w| w.contains("no baseline after 60 s")),
        "{:?}",
        s.drill_failed
    );
}

#[test]
fn before_is_what_the_polls_after_yes_say_and_a_deployment_during_the_question_is_replanned() {
    let at = |t| ts(t).expect("t");
    let poll = |s: &mut State, t: i64, resource, obs| {
        update(
            s,
            Msg::Poll(Box::new(crate::model::observe::PollEvent {
                resource,
                at: at(t),
                result: Ok(obs),
            })),
        )
    };
    let mut s = loaded(false);
    poll(
        &mut s,
        100,
        Resource::Targets,
        Observation::Targets(vec![tg(vec![target("10.0.1.5", "healthy", None)])]),
    );
    act(&mut s, Action::Drill);
    assert_eq!(s.drill.as_ref().map(|d| d.preflight.tasks.len()), Some(1));
    // The operator reads the preflight; meanwhile a deployment replaces
    // task aaaa1111 with bbbb2222. Then y.
    act(&mut s, Action::Confirm);
    update(
        &mut s,
        Msg::Drill(DrillMsg::Begun {
            marker: "ecsdeck-drill-0a1b2c3d4e5f".into(),
            at: at(130),
            clock_offset_s: None,
        }),
    );
    // A probe answer alone, with tasks and targets from before yes: no
    // baseline from that stale picture.
    assert!(poll(&mut s, 131, Resource::Probe, probe_up(131)).is_empty());
    let mut gone = task("aaaa1111", "10.0.1.5", "STOPPED", "STOPPED");
    gone.stop_code = Some("ServiceSchedulerInitiated".into());
    let mid = task("bbbb2222", "10.0.1.6", "RUNNING", "RUNNING");
    poll(
        &mut s,
        132,
        Resource::Tasks,
        Observation::Tasks(vec![gone, mid.clone()]),
    );
    let fx = poll(
        &mut s,
        132,
        Resource::Targets,
        Observation::Targets(vec![tg(vec![target("10.0.1.6", "healthy", None)])]),
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Drill(DrillEffect::Read { .. }))),
        "the baseline, from the polls after yes: {fx:?}"
    );
    let d = s.drill.as_ref().expect("drill");
    assert_eq!(
        d.preflight.tasks,
        vec![mid.arn.clone()],
        "the plan is what runs now"
    );
    assert!(
        d.transcript().iter().any(|l| l.contains(
            "the tasks changed since the preflight: the drill restarts bbbb2222 (was aaaa1111)"
        )),
        "{:?}",
        d.transcript()
    );
    let Phase::Running { drill: Some(m), .. } = &d.phase else {
        panic!("running")
    };
    assert_eq!(m.before_tasks, vec![mid.arn.clone()]);
}

#[test]
fn r_and_y_1_ms_apart_start_nothing() {
    let mut s = loaded(false);
    let t0 = ts(100).expect("t");
    let at = |ms: i64| t0 + chrono::Duration::milliseconds(ms);
    assert!(update(&mut s, Msg::Pressed(Action::Drill, at(0))).is_empty());
    assert!(update(&mut s, Msg::Pressed(Action::Confirm, at(1))).is_empty());
    assert_eq!(s.drill.as_ref().map(|d| &d.phase), Some(&Phase::Asking));
    assert_eq!(
        update(&mut s, Msg::Pressed(Action::Confirm, at(400))),
        vec![Effect::Drill(DrillEffect::Begin)]
    );
}

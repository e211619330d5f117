use super::*;
use crate::model::fixtures::*;

fn at(s: i64) -> Time {
    ts(s).expect("time")
}

fn running(id: &str, ip: &str, created: i64) -> Task {
    let mut t = task(id, ip, "RUNNING", "RUNNING");
    t.created_at = Some(at(created));
    t.started_at = Some(at(created + 20));
    t
}

#[test]
fn a_stop_ecsdeck_sent_told_step_by_step_with_aws_times_preferred() {
    let mut tr = Tracker::default();
    let old = running("aaaa1111", "10.0.1.5", 0);
    tr.on_tasks(std::slice::from_ref(&old), at(100));
    tr.requested(Some(old.arn.clone()), at(101));
    // The old task stopping, its target draining.
    let mut stopping = old.clone();
    stopping.desired_status = "STOPPED".into();
    stopping.last_status = "DEACTIVATING".into();
    stopping.stopping_at = Some(at(101));
    tr.on_tasks(std::slice::from_ref(&stopping), at(102));
    let mut g = tg(vec![target("10.0.1.5", "draining", None)]);
    tr.on_targets(
        std::slice::from_ref(&g),
        &[vec![Some(old.arn.clone())]],
        at(102),
    );
    // The replacement, seen PROVISIONING at 104 (the poll before: 102).
    let mut new = task("bbbb2222", "10.0.2.9", "PROVISIONING", "RUNNING");
    new.created_at = Some(at(103));
    let mut stopped = stopping.clone();
    stopped.last_status = "STOPPED".into();
    stopped.stopped_at = Some(at(108));
    tr.on_tasks(&[stopping.clone(), new.clone()], at(104));
    new.last_status = "RUNNING".into();
    new.started_at = Some(at(110));
    new.pull_started_at = Some(at(105));
    new.pull_stopped_at = Some(at(107));
    tr.on_tasks(&[stopped.clone(), new.clone()], at(111));
    g.targets = vec![target("10.0.2.9", "healthy", None)];
    tr.on_targets(
        std::slice::from_ref(&g),
        &[vec![Some(new.arn.clone())]],
        at(116),
    );
    let tl = tr.current.clone().expect("a timeline");
    assert_eq!(tl.began, at(101));
    assert_eq!(tl.new_task.as_deref(), Some(new.arn.as_str()));
    let m = |s| {
        tl.steps
            .get(&s)
            .cloned()
            .unwrap_or_else(|| panic!("{s:?}: {tl:#?}"))
    };
    assert_eq!(m(Step::StopRequested).within, None);
    assert_eq!(
        m(Step::OldStopped).at,
        at(108),
        "AWS's stoppedAt, not the poll"
    );
    assert_eq!(m(Step::OldStopped).within, None);
    assert_eq!(m(Step::Running).at, at(110), "startedAt");
    assert_eq!(m(Step::PullStarted).at, at(105));
    let p = m(Step::Provisioning);
    assert_eq!(
        (p.at, p.within),
        (at(104), Some(Duration::from_secs(2))),
        "polled: ±2 s"
    );
    let h = m(Step::NewTargetHealthy);
    assert_eq!((h.at, h.within), (at(116), Some(Duration::from_secs(14))));
    let order: Vec<Step> = tl.ordered().into_iter().map(|(s, _)| s).collect();
    assert_eq!(
        order,
        vec![
            Step::StopRequested,
            Step::OldStopping,
            Step::OldTargetDraining,
            Step::NewTaskSeen,
            Step::Provisioning,
            Step::PullStarted,
            Step::PullStopped,
            Step::OldStopped,
            Step::Running,
            Step::ContainersHealthy,
            // The poll at 116 no longer lists the old target.
            Step::OldTargetGone,
            Step::NewTargetHealthy,
        ]
    );
    let g = m(Step::OldTargetGone);
    assert_eq!((g.at, g.within), (at(116), Some(Duration::from_secs(14))));
    assert!(tl.back(false));
    assert!(!tl.back(true), "not back until the probe answers");
}

#[test]
fn a_stop_someone_else_caused_starts_a_timeline_at_stopping_at() {
    let mut tr = Tracker::default();
    let old = running("aaaa1111", "10.0.1.5", 0);
    tr.on_tasks(std::slice::from_ref(&old), at(100));
    assert!(tr.current.is_none());
    let mut stopping = old.clone();
    stopping.desired_status = "STOPPED".into();
    stopping.stopping_at = Some(at(103));
    tr.on_tasks(std::slice::from_ref(&stopping), at(105));
    let tl = tr.current.expect("started by the observation");
    assert_eq!(tl.began, at(103));
    assert!(!tl.steps.contains_key(&Step::StopRequested), "not ours");
}

#[test]
fn a_replacement_that_fails_to_start_says_why() {
    let mut tr = Tracker::default();
    let old = running("aaaa1111", "10.0.1.5", 0);
    tr.on_tasks(std::slice::from_ref(&old), at(100));
    tr.requested(Some(old.arn.clone()), at(101));
    let mut new = task("bbbb2222", "10.0.2.9", "STOPPED", "STOPPED");
    new.created_at = Some(at(103));
    new.stopped_at = Some(at(130));
    new.stop_code = Some("TaskFailedToStart".into());
    new.stopped_reason = Some("ResourceInitializationError: failed to invoke EFS utils".into());
    tr.on_tasks(&[old.clone(), new], at(131));
    let tl = tr.current.expect("timeline");
    let s = tl.steps.get(&Step::NewStopped).expect("said");
    assert!(
        s.note
            .as_deref()
            .is_some_and(|n| n.contains("TaskFailedToStart: ResourceInitializationError"))
    );
    assert!(!tl.back(false));
}

#[test]
fn the_probe_outage_and_the_records_before_and_after() {
    let mut tr = Tracker::default();
    let sample = |t: i64, up: bool, records: Option<u32>| Sample {
        at: at(t),
        outcome: crate::model::probe::Outcome::Http(if up { 200 } else { 503 }),
        up,
        total_ms: 5,
        connect_ms: None,
        first_byte_ms: None,
        records,
        records_at_least: false,
        served_by: None,
        detail: None,
    };
    let old = running("aaaa1111", "10.0.1.5", 0);
    tr.on_probe(&sample(99, true, Some(4)));
    tr.on_tasks(std::slice::from_ref(&old), at(100));
    tr.requested(Some(old.arn.clone()), at(101));
    tr.on_probe(&sample(102, false, None));
    tr.on_probe(&sample(103, false, None));
    tr.on_probe(&sample(120, true, Some(4)));
    let tl = tr.current.expect("timeline");
    assert_eq!(tl.outage, Some((at(102), Some(at(120)))));
    assert_eq!(
        (
            tl.records_before.map(|c| c.n),
            tl.records_after.map(|c| c.n)
        ),
        (Some(4), Some(4))
    );
    assert_eq!(tl.steps.get(&Step::FirstUp).map(|m| m.at), Some(at(120)));
}

#[test]
fn a_refused_restart_leaves_no_timeline() {
    let mut tr = Tracker::default();
    let old = running("aaaa1111", "10.0.1.5", 0);
    tr.on_tasks(std::slice::from_ref(&old), at(100));
    tr.requested(Some(old.arn.clone()), at(101));
    assert!(tr.current.is_some());
    tr.refused();
    assert!(tr.current.is_none());
    tr.on_tasks(std::slice::from_ref(&old), at(102));
    assert!(tr.current.is_none(), "not started again by the old request");
}

#[test]
fn with_no_health_check_it_says_so() {
    let mut tr = Tracker::default();
    let old = running("aaaa1111", "10.0.1.5", 0);
    tr.on_tasks(std::slice::from_ref(&old), at(100));
    tr.requested(Some(old.arn.clone()), at(101));
    let mut new = running("bbbb2222", "10.0.2.9", 103);
    for c in &mut new.containers {
        c.health = None;
    }
    tr.on_tasks(&[old, new], at(130));
    let tl = tr.current.expect("timeline");
    assert!(!tl.health_checked);
    let m = tl.steps.get(&Step::ContainersHealthy).expect("marked");
    assert_eq!(m.note.as_deref(), Some("no health check"));
}

#[test]
fn a_stop_seen_before_the_news_of_our_request_is_one_restart_not_two() {
    let mut tr = Tracker::default();
    let old = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    tr.on_tasks(std::slice::from_ref(&old), at(0));
    // The poll shows it leaving before the drill's request is told.
    let mut leaving = old.clone();
    leaving.desired_status = "STOPPED".into();
    tr.on_tasks(std::slice::from_ref(&leaving), at(2));
    tr.requested(Some(old.arn.clone()), at(1));
    assert!(tr.past.is_empty(), "one timeline: {:?}", tr.past);
    let tl = tr.current.as_ref().expect("timeline");
    assert!(tl.steps.contains_key(&Step::StopRequested));
    assert_eq!(tl.began, at(1));
}

/// The first target poll after the stop sees the old target draining:
/// this host's clock, sometime since the stop — never an exact AWS time
/// (the report would call it `aws` and shift it by the clock offset).
#[test]
fn a_step_seen_on_the_first_poll_is_bracketed_since_the_stop_not_taken_as_exact() {
    let mut tr = Tracker::default();
    let old = running("aaaa1111", "10.0.1.5", 0);
    tr.on_tasks(std::slice::from_ref(&old), at(100));
    tr.requested(Some(old.arn.clone()), at(101));
    let g = tg(vec![target("10.0.1.5", "draining", None)]);
    tr.on_targets(
        std::slice::from_ref(&g),
        &[vec![Some(old.arn.clone())]],
        at(104),
    );
    let tl = tr.current.clone().expect("a timeline");
    let m = tl.steps.get(&Step::OldTargetDraining).expect("draining");
    assert_eq!(m.at, at(104));
    assert_eq!(m.within, Some(Duration::from_secs(3)));
    let phases = crate::model::drill::report::phases(Some(&tl));
    let p = phases
        .iter()
        .find(|p| p.name == "old_target_draining")
        .expect("phase");
    assert_eq!(p.source, "observed");
    assert_eq!(p.uncertainty_s, Some(3.0));
}

/// The drain is over when the old target is no longer registered; a
/// draining target whose task is not known might be it, so not yet.
#[test]
fn the_old_targets_drain_ends_when_it_leaves_the_group_and_not_before() {
    let mut tr = Tracker::default();
    let old = running("aaaa1111", "10.0.1.5", 0);
    tr.on_tasks(std::slice::from_ref(&old), at(100));
    tr.requested(Some(old.arn.clone()), at(101));
    let draining = tg(vec![target("10.0.1.5", "draining", None)]);
    tr.on_targets(
        std::slice::from_ref(&draining),
        &[vec![Some(old.arn.clone())]],
        at(102),
    );
    // Its task no longer known: it could still be the old one.
    tr.on_targets(std::slice::from_ref(&draining), &[vec![None]], at(130));
    let gone = |tr: &Tracker| {
        tr.current
            .as_ref()
            .and_then(|t| t.steps.get(&Step::OldTargetGone).cloned())
    };
    assert!(gone(&tr).is_none());
    let empty = tg(vec![]);
    tr.on_targets(std::slice::from_ref(&empty), &[vec![]], at(160));
    let g = gone(&tr).expect("gone");
    assert_eq!((g.at, g.within), (at(160), Some(Duration::from_secs(30))));
}

use super::*;
use crate::model::drill::view::notes;

#[test]
fn a_url_loses_its_user_name_and_password_and_keeps_the_rest() {
    assert_eq!(
        without_userinfo("https://bob:secret@api.example.com:8443/goals?a=b@c"),
        "https://api.example.com:8443/goals?a=b@c"
    );
    assert_eq!(
        without_userinfo("http://127.0.0.1:80/goals"),
        "http://127.0.0.1:80/goals"
    );
}

#[test]
fn every_outage_after_the_stop_is_added_up_with_the_longest_beside() {
    use crate::model::fixtures::ts;
    use crate::model::observe::{Observation, PollEvent, ProbeResult, Resource};
    use crate::model::probe::{Outcome, Sample};
    let mut w = World::new(None);
    // Up, a failure before the stop (not counted), the stop at 10 s, down
    // 12–15 s, up, down 20–28 s, up.
    let ups = [
        (5, true),
        (8, false),
        (9, true),
        (12, false),
        (13, false),
        (15, true),
        (20, false),
        (28, true),
    ];
    for (t, up) in ups {
        let at = ts(t).expect("t");
        w.apply(PollEvent {
            resource: Resource::Probe,
            at,
            result: Ok(Observation::Probe(Box::new(ProbeResult {
                url: "http://alb/goals".into(),
                sample: Sample {
                    at,
                    outcome: Outcome::Http(if up { 200 } else { 503 }),
                    up,
                    total_ms: 3,
                    connect_ms: None,
                    first_byte_ms: None,
                    records: None,
                    records_at_least: false,
                    served_by: None,
                    detail: None,
                },
            }))),
        });
    }
    let (total, longest) = outages(&w, ts(10).expect("t"));
    assert_eq!((total, longest), (3.0 + 8.0, 8.0));
    // No failure after the stop: 0, not unknown.
    assert_eq!(outages(&w, ts(29).expect("t")), (0.0, 0.0));
}

#[test]
fn two_tasks_on_the_data_volume_at_once_are_noted_with_how_long_and_the_log_that_says_so() {
    use crate::model::fixtures::{task, task_def, ts};
    use crate::model::logs::{FollowResult, LogBatch, LogSource, RawLogEvent};
    use crate::model::observe::{Observation, PollEvent, Resource};
    let at = |t| ts(t).expect("t");
    let ev = |t, resource, obs| PollEvent {
        resource,
        at: at(t),
        result: Ok(obs),
    };
    let mut w = World::new(None);
    w.apply(ev(
        0,
        Resource::Service,
        Observation::Service(Box::new(crate::model::fixtures::service())),
    ));
    w.apply(ev(
        0,
        Resource::TaskDefs,
        Observation::TaskDefs(vec![task_def()]),
    ));
    let mut c = Conduct::new(at(0));
    let old = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    let mut draining = old.clone();
    draining.last_status = "DEACTIVATING".into();
    draining.desired_status = "STOPPED".into();
    let new = task("bbbb2222", "10.0.2.9", "RUNNING", "RUNNING");
    let mut stopped = old.clone();
    stopped.last_status = "STOPPED".into();
    for (t, tasks) in [
        (5, vec![old.clone()]),
        // The replacement runs beside the draining old task: 39 s.
        (10, vec![draining.clone(), new.clone()]),
        (30, vec![draining, new.clone()]),
        (49, vec![stopped, new]),
    ] {
        w.apply(ev(t, Resource::Tasks, Observation::Tasks(tasks)));
        c.note_running(&w, at(t));
    }
    w.apply(ev(
        31,
        Resource::Logs,
        Observation::Logs(Box::new(FollowResult {
            batches: vec![LogBatch {
                source: LogSource {
                    group: "/ecs/goals".into(),
                    region: None,
                    stream: "ecs/mongodb/bbbb2222".into(),
                    container: "mongodb".into(),
                    task_arn: "arn:aws:ecs:us-east-1:1:task/c/bbbb2222".into(),
                    stopped_at: None,
                    started: true,
                    stop_reason: None,
                },
                events: vec![RawLogEvent {
                    timestamp_ms: at(20).timestamp_millis(),
                    message: "DBPathInUse: Unable to lock the lock file".into(),
                }],
            }],
            problems: vec![],
            notes: vec![],
            calls: 1,
            following: 1,
            live_problems: 0,
            cut: vec![],
        })),
    ));
    let n = notes(
        &w,
        std::slice::from_ref(&old.arn),
        &c.overlap.until(at(60)),
        at(0),
        Verdict::Fail,
        RestartKind::StopTask,
    );
    let all = n.join("\n");
    assert!(
        all.contains("2 tasks had the data volume (fs-a85a7c53) at once for 39 s")
            && all.contains("DBPathInUse in the log of mongodb of task bbbb2222"),
        "{all}"
    );
    assert_eq!(all.matches("DBPathInUse").count(), 1, "cited once: {all}");
}

#[test]
fn an_overlap_is_never_counted_through_polls_that_failed() {
    // Expired credentials from 12 s to 70 s: the tasks were last seen
    // both up at 10 s; at 70 s the old one is STOPPED. When it stopped in
    // between is unknown, so the overlap is what was seen: 5–10 s.
    use crate::model::error::{CloudError, ErrorKind};
    use crate::model::fixtures::{task, ts};
    use crate::model::observe::{Failure, Observation, PollEvent, Resource};
    let at = |t| ts(t).expect("t");
    let mut w = World::new(None);
    let mut c = Conduct::new(at(0));
    let old = task("aaaa1111", "10.0.1.5", "RUNNING", "RUNNING");
    let mut draining = old.clone();
    draining.last_status = "DEACTIVATING".into();
    let new = task("bbbb2222", "10.0.2.9", "RUNNING", "RUNNING");
    let mut stopped = old.clone();
    stopped.last_status = "STOPPED".into();
    let seen = |w: &mut World, c: &mut Conduct, t, tasks| {
        w.apply(PollEvent {
            resource: Resource::Tasks,
            at: at(t),
            result: Ok(Observation::Tasks(tasks)),
        });
        c.note_running(w, at(t));
    };
    seen(&mut w, &mut c, 0, vec![old.clone()]);
    seen(&mut w, &mut c, 5, vec![draining.clone(), new.clone()]);
    seen(&mut w, &mut c, 10, vec![draining.clone(), new.clone()]);
    for t in [12, 42] {
        w.apply(PollEvent {
            resource: Resource::Tasks,
            at: at(t),
            result: Err(Failure {
                error: CloudError::new(ErrorKind::Credentials, "ecs:ListTasks", "expired"),
                retry_in: std::time::Duration::from_secs(30),
            }),
        });
        c.note_running(&w, at(t));
    }
    // Still unseen at the report: counted to the last sight, not to now.
    assert_eq!(c.overlap.until(at(60)).total_s, 5.0);
    seen(&mut w, &mut c, 70, vec![stopped, new]);
    assert_eq!(c.overlap.until(at(80)).total_s, 5.0);
}

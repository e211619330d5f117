use super::*;
use crate::model::fixtures::{metrics_reading, service, task, task_def, ts};
use crate::model::observe::{Observation, PollEvent, Resource};

fn world() -> World {
    let mut w = World::new(None);
    let at = ts(100).expect("time");
    let ok = |resource, obs| PollEvent {
        resource,
        at,
        result: Ok(obs),
    };
    let mut old = task("3f2a91bc77aa0c1e", "10.0.2.17", "STOPPED", "STOPPED");
    old.started_at = ts(-3000);
    old.stopped_at = ts(-200);
    let mut new = task("6299e51e9a1b4c5d", "10.0.1.205", "RUNNING", "RUNNING");
    new.started_at = ts(-150);
    w.apply(ok(
        Resource::Service,
        Observation::Service(Box::new(service())),
    ));
    w.apply(ok(
        Resource::TaskDefs,
        Observation::TaskDefs(vec![task_def()]),
    ));
    w.apply(ok(Resource::Tasks, Observation::Tasks(vec![new, old])));
    w.apply(ok(
        Resource::Metrics,
        Observation::Metrics(Box::new(metrics_reading(
            &[("3f2a91bc77aa0c1e", 1000.0, 5..40)],
            ts(60).expect("time"),
            0..0,
        ))),
    ));
    w
}

#[test]
fn the_report_has_the_old_tasks_last_memory_and_says_the_new_one_has_none_yet() {
    let w = world();
    let old =
        vec!["arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/3f2a91bc77aa0c1e".to_string()];
    let new =
        vec!["arn:aws:ecs:us-east-1:123456789012:task/goals-cluster/6299e51e9a1b4c5d".to_string()];
    let (tasks, note) = around_restart(&w, &old, &new);
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[0].role, "old");
    // Its last minute before it stopped: five minutes before the end.
    assert_eq!(tasks[0].memory_mib, Some(1085.0));
    let mongo = tasks[0]
        .containers
        .iter()
        .find(|c| c.name == "mongodb")
        .expect("mongodb");
    assert_eq!(mongo.memory_mib, Some(995.0));
    assert_eq!(mongo.limit_mib, Some(1024));
    assert_eq!(tasks[1].memory_mib, None);
    let note = note.expect("a note");
    assert!(note.contains("old task 3f2a91bc 1085 MiB"), "{note}");
    assert!(note.contains("mongodb 995 of 1024 MiB (97 %)"), "{note}");
    assert!(
        note.contains("new task 6299e51e: no CloudWatch point yet"),
        "{note}"
    );
}

#[test]
fn without_metrics_the_report_says_nothing_of_memory() {
    let w = World::new(None);
    let (tasks, note) = around_restart(&w, &["a".into()], &[]);
    assert!(tasks.is_empty() && note.is_none());
}

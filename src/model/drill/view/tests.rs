//! The notes the drill's report gives, read from the world.

use super::*;
use crate::model::observe::{Observation, PollEvent, Resource};

fn ev(resource: Resource, obs: Observation) -> PollEvent {
    PollEvent {
        resource,
        at: crate::clock::now(),
        result: Ok(obs),
    }
}

#[test]
fn dbpathinuse_in_the_logs_is_a_note_of_the_report() {
    use crate::model::logs::{FollowResult, LogBatch, LogSource, RawLogEvent};
    let started = crate::clock::now();
    let line = |ms: i64, m: &str| RawLogEvent {
        timestamp_ms: started.timestamp_millis() + ms,
        message: m.into(),
    };
    let batch = |events| LogBatch {
        source: LogSource {
            group: "/ecs/goals".into(),
            region: None,
            stream: "ecs/mongodb/1b1b".into(),
            container: "mongodb".into(),
            task_arn: "arn:aws:ecs:us-east-1:1:task/c/1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b".to_string(),
            stopped_at: None,
            started: true,
            stop_reason: None,
        },
        events,
    };
    let logs = |events| {
        ev(
            Resource::Logs,
            Observation::Logs(Box::new(FollowResult {
                batches: vec![batch(events)],
                problems: vec![],
                notes: vec![],
                calls: 1,
                following: 1,
                live_problems: 0,
                cut: vec![],
            })),
        )
    };
    let mut w = World::new(None);
    w.apply(logs(vec![line(
        -5000,
        "DBPathInUse: before the drill, not its doing",
    )]));
    let hit = line(
        2000,
        "exception in initAndListen: DBPathInUse: Unable to lock the lock file",
    );
    w.apply(logs(vec![hit.clone()]));
    w.apply(logs(vec![hit]));
    let none = crate::model::drill::conduct::Overlap::default();
    let log_notes: Vec<String> = notes(
        &w,
        &[],
        &none,
        started,
        Verdict::Fail,
        RestartKind::StopTask,
    )
    .into_iter()
    .filter(|n| n.contains("DBPathInUse"))
    .collect();
    assert_eq!(log_notes.len(), 1, "said once: {log_notes:?}");
    assert!(
        log_notes[0].contains("mongodb of task 1b1b1b1b"),
        "{log_notes:?}"
    );
}

use super::*;
use crate::model::LogConfig;
use crate::model::fixtures::{task, task_def};

#[test]
fn stream_names_follow_the_awslogs_convention() {
    let mut td = task_def();
    for c in &mut td.containers {
        c.log = Some(LogConfig {
            group: "/ecs/goals".into(),
            region: Some("us-east-1".into()),
            stream_prefix: Some("ecs".into()),
        });
    }
    if let Some(l) = td.containers[1].log.as_mut() {
        l.stream_prefix = None;
    }
    let tasks = vec![task("6299e51e9a1b", "10.0.1.5", "RUNNING", "RUNNING")];
    let (s, bad) = log_sources(&td, &tasks);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].stream, "ecs/goals-api/6299e51e9a1b");
    assert_eq!(s[0].group, "/ecs/goals");
    assert_eq!(bad[0].container, "mongodb");
    assert!(bad[0].why.contains("awslogs-stream-prefix"));
}

#[test]
fn each_task_is_read_with_its_own_task_definition() {
    let old_td = task_def();
    let mut new_td = task_def();
    new_td.arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/goals:4".into();
    for c in &mut new_td.containers {
        c.log = Some(LogConfig {
            group: "/ecs/goals-v2".into(),
            region: None,
            stream_prefix: Some("v2".into()),
        });
    }
    let old = task("old00000", "10.0.1.5", "RUNNING", "STOPPED");
    let mut new = task("new00000", "10.0.1.6", "RUNNING", "RUNNING");
    new.task_definition = new_td.arn.clone();
    let mut old_td = old_td;
    for c in &mut old_td.containers {
        c.log = Some(LogConfig {
            group: "/ecs/goals".into(),
            region: None,
            stream_prefix: Some("ecs".into()),
        });
    }
    let s = log_sources_by_task(&[old_td, new_td], &[old, new]);
    let streams: Vec<(&str, &str)> = s
        .iter()
        .map(|x| (x.group.as_str(), x.stream.as_str()))
        .collect();
    assert!(
        streams.contains(&("/ecs/goals", "ecs/mongodb/old00000")),
        "{streams:?}"
    );
    assert!(
        streams.contains(&("/ecs/goals-v2", "v2/mongodb/new00000")),
        "{streams:?}"
    );
    assert!(
        !streams
            .iter()
            .any(|(g, st)| *g == "/ecs/goals-v2" && st.ends_with("old00000"))
    );
}

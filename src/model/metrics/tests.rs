use super::*;

fn t(min: i64) -> Time {
    chrono::DateTime::from_timestamp(1_700_000_000 - 1_700_000_000 % 60 + min * 60, 0)
        .expect("time")
}

#[test]
fn an_answer_newest_first_reads_oldest_first_with_its_holes_kept() {
    let s = Series::from_points(vec![(t(3), 30.0), (t(1), 10.0), (t(0), f64::NAN)]);
    assert_eq!(s.points, vec![(t(1), 10.0), (t(3), 30.0)]);
    assert_eq!(s.at(t(2)), None, "a missing minute stays missing");
    assert_eq!(s.at(t(3)), Some(30.0));
    assert_eq!(s.last(), Some((t(3), 30.0)));
}

#[test]
fn the_setting_reads_as_ecs_writes_it() {
    assert_eq!(Insights::from_setting(Some("enhanced")), Insights::Enhanced);
    assert_eq!(Insights::from_setting(Some("enabled")), Insights::Standard);
    assert_eq!(Insights::from_setting(Some("disabled")), Insights::Off);
    assert_eq!(Insights::from_setting(None), Insights::NotSaid);
    assert!(Insights::NotSaid.may_have_tasks());
    assert!(!Insights::Standard.may_have_tasks());
    let cmd = enable_command("goals-cluster", "eu-west-1");
    assert!(cmd.contains("--cluster goals-cluster") && cmd.contains("--region eu-west-1"));
}

#[test]
fn a_missing_figure_says_why_and_how_to_get_it() {
    let off = why_no_task_points(&Ok(Insights::Standard), "goals-cluster", "us-east-1");
    assert!(off.contains("not enhanced"), "{off}");
    assert!(
        off.contains(&enable_command("goals-cluster", "us-east-1")),
        "{off}"
    );
    let denied = CloudError::new(
        crate::model::error::ErrorKind::AccessDenied,
        "ecs:DescribeClusters",
        "not authorized",
    );
    let unknown = why_no_task_points(&Err(denied.clone()), "c", "us-east-1");
    assert!(unknown.contains("ecs:DescribeClusters"), "{unknown}");
    assert_eq!(
        why_no_service_points(None, None).as_deref(),
        Some("waiting for CloudWatch's first answer")
    );
    let refused = why_no_service_points(None, Some(&denied)).expect("a reason");
    assert!(refused.contains("ecs:DescribeClusters"), "{refused}");
    let empty = MetricsReading {
        insights: Ok(Insights::Enhanced),
        page: MetricsPage::default(),
        end: t(0),
    };
    assert!(why_no_service_points(Some(&empty), None).is_some());
}

#[test]
fn the_tasks_that_matter_are_asked_for_first_and_the_long_stopped_forgotten() {
    use std::collections::BTreeMap;
    let mut memory = BTreeMap::new();
    let task = |id: &str, started: i64, stopped: Option<i64>| {
        let mut t = crate::model::fixtures::task(id, "10.0.0.1", "RUNNING", "RUNNING");
        t.started_at = Some(t_at(started));
        t.stopped_at = stopped.map(t_at);
        if stopped.is_some() {
            t.last_status = "STOPPED".into();
        }
        t
    };
    // Ids sort the other way round from what matters.
    let tasks = vec![
        task("aaaa-old-stopped", -50, Some(-20)),
        task("bbbb-long-gone", -200, Some(-90)),
        task("cccc-newer-stopped", -15, Some(-5)),
        task("zzzz-running", -4, None),
    ];
    let start = t_at(-60);
    remember(&mut memory, &tasks, t_at(0), start);
    let ids: Vec<String> = asks(&memory).into_iter().map(|a| a.id).collect();
    assert_eq!(
        ids,
        ["zzzz-running", "cccc-newer-stopped", "aaaa-old-stopped"]
    );
    // An hour on, the stopped ones are forgotten even while still listed.
    remember(&mut memory, &tasks, t_at(60), t_at(0));
    let ids: Vec<String> = asks(&memory).into_iter().map(|a| a.id).collect();
    assert_eq!(ids, ["zzzz-running"]);
}

fn t_at(min: i64) -> Time {
    t(0) + chrono::Duration::minutes(min)
}

#[test]
fn a_cluster_given_as_an_arn_is_asked_for_by_its_name() {
    let svc = crate::model::ServiceRef {
        cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/goals-cluster".into(),
        service: "goals-service".into(),
    };
    let ask = MetricsAsk::new(&svc, Vec::new(), t(0), t(60));
    assert_eq!(ask.cluster, "goals-cluster");
    assert_eq!(ask.service, "goals-service");
}

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
    assert!(enable_command("goals-cluster").contains("--cluster goals-cluster"));
}

#[test]
fn a_missing_figure_says_why_and_how_to_get_it() {
    let off = why_no_task_points(&Ok(Insights::Standard), "goals-cluster");
    assert!(off.contains("enhanced observability"), "{off}");
    assert!(off.contains(&enable_command("goals-cluster")), "{off}");
    let denied = CloudError::new(
        crate::model::error::ErrorKind::AccessDenied,
        "ecs:DescribeClusters",
        "not authorized",
    );
    let unknown = why_no_task_points(&Err(denied.clone()), "c");
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

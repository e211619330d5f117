use super::*;
use crate::model::fixtures;
use crate::model::metrics::{ContainerSeries, TaskSeries};

/// The window's end: a minute boundary.
fn end() -> Time {
    chrono::DateTime::from_timestamp(1_796_000_040 / 60 * 60, 0).expect("time")
}

/// The start of the minute `ago` minutes before the end's.
fn min(ago: i64) -> Time {
    end() - chrono::Duration::minutes(ago)
}

fn series(points: impl IntoIterator<Item = (i64, f64)>) -> Series {
    Series::from_points(points.into_iter().map(|(ago, v)| (min(ago), v)).collect())
}

#[test]
fn a_replacement_starts_a_new_series_with_a_gap_and_marks_between() {
    // The old task reported minutes 40..=21 ago and stopped 20.5 minutes
    // ago; the new one started 18.5 minutes ago and reports from 18 on.
    let old = series((21..=40).map(|m| (m, 90.0)));
    let new = series((1..=18).map(|m| (m, 30.0)));
    let secs = |s: i64| end() - chrono::Duration::seconds(s);
    let chart = join(
        &[
            Member {
                started: Some(min(41)),
                stopped: Some(secs(20 * 60 + 30)),
                series: &old,
            },
            Member {
                started: Some(secs(18 * 60 + 30)),
                stopped: None,
                series: &new,
            },
        ],
        end(),
    );
    assert_eq!(chart.slots.len(), 60);
    let slot = |ago: i64| (60 - ago) as usize;
    assert_eq!(
        chart.slots[slot(21)],
        Some(90.0),
        "the old task's last point"
    );
    assert_eq!(chart.slots[slot(20)], None, "no task reported: a gap");
    assert_eq!(
        chart.slots[slot(19)],
        None,
        "still none: never a line across"
    );
    assert_eq!(
        chart.slots[slot(18)],
        Some(30.0),
        "the new task's first point"
    );
    // Each task's start and stop, in the minute it happened: the stop in
    // the one from 21 ago, the new start in the one from 19 ago.
    assert_eq!(chart.marks, vec![slot(41), slot(21), slot(19)]);
    assert_eq!(chart.slots[slot(41)], None, "before the old task started");
    assert!(chart.slots[..slot(41)].iter().all(Option::is_none));
}

#[test]
fn while_the_old_task_drains_beside_the_new_the_new_one_is_drawn() {
    // A 300 s deregistration delay: both report for five minutes.
    let old = series((5..=30).map(|m| (m, 95.0)));
    let new = series((1..=10).map(|m| (m, 20.0)));
    let chart = join(
        &[
            Member {
                started: Some(min(31)),
                stopped: Some(min(5)),
                series: &old,
            },
            Member {
                started: Some(min(10)),
                stopped: None,
                series: &new,
            },
        ],
        end(),
    );
    let slot = |ago: i64| (60 - ago) as usize;
    assert_eq!(chart.slots[slot(11)], Some(95.0));
    assert_eq!(chart.slots[slot(10)], Some(20.0));
    assert_eq!(
        chart.slots[slot(6)],
        Some(20.0),
        "never the old one's again"
    );
    assert_eq!(chart.marks, vec![slot(31), slot(10), slot(5)]);
}

#[test]
fn points_outside_the_hour_are_left_out() {
    let s = series([(61, 1.0), (60, 2.0), (1, 3.0), (0, 4.0)]);
    let chart = join(
        &[Member {
            started: None,
            stopped: None,
            series: &s,
        }],
        end(),
    );
    assert_eq!(chart.slots[0], Some(2.0));
    assert_eq!(chart.slots[59], Some(3.0));
    assert_eq!(chart.slots.iter().flatten().count(), 2);
}

#[test]
fn percentages_are_of_what_is_reserved_and_of_the_hard_limit() {
    let used = series([(2, 512.0), (1, 768.0)]);
    let reserved = series([(1, 1024.0)]);
    // Minute 2 has no reserved point: the task definition's 2048 is used.
    let pct = ratio(&used, &reserved, Some(2048.0));
    assert_eq!(
        pct.points.iter().map(|p| p.1).collect::<Vec<_>>(),
        [25.0, 75.0]
    );
    let td = fixtures::task_def();
    assert_eq!(hard_limit(Some(&td), "mongodb"), Some(1024), "its own");
    assert_eq!(hard_limit(Some(&td), "goals-api"), Some(2048), "the task's");
}

fn page_for(tasks: &[(&Task, f64)]) -> MetricsPage {
    MetricsPage {
        tasks: tasks
            .iter()
            .map(|(t, mongo)| TaskSeries {
                id: t.id().to_string(),
                mem_used: series([(1, mongo + 100.0)]),
                mem_reserved: series([(1, 2048.0)]),
                cpu_used: series([(1, 256.0)]),
                cpu_reserved: series([(1, 1024.0)]),
                containers: vec![ContainerSeries {
                    name: "mongodb".into(),
                    mem_used: series([(2, mongo - 10.0), (1, *mongo)]),
                    cpu_used: series([(1, 102.4)]),
                }],
            })
            .collect(),
        ..Default::default()
    }
}

#[test]
fn mongod_over_ninety_percent_of_its_limit_is_a_warning_naming_it() {
    let mut t = fixtures::task("6299e51e9a1b4c5d", "10.0.1.205", "RUNNING", "RUNNING");
    t.started_at = Some(min(30));
    let tasks = vec![t.clone()];
    let tds = vec![fixtures::task_def()];
    let usage = task_usage(&page_for(&[(&t, 963.0)]), &tasks, &tds, end());
    let u = &usage[0];
    assert_eq!(u.cpu_pct, Some(25.0));
    let c = &u.containers[0];
    assert_eq!(c.limit_mib, Some(1024));
    assert_eq!(c.cpu_pct, Some(10.0), "of the task's units: no own cpu");
    let w = memory_warnings(&usage, &tasks, end(), 5);
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].message,
        "mongodb at 94 % of 1024 MiB (task 6299e51e): at the limit the kernel kills it for its memory (OutOfMemoryError, exit 137)"
    );
    // At 80 % nothing is said; nor for a stopped task, nor a stale point.
    let calm = task_usage(&page_for(&[(&t, 820.0)]), &tasks, &tds, end());
    assert!(memory_warnings(&calm, &tasks, end(), 5).is_empty());
    assert!(memory_warnings(&usage, &tasks, end() + chrono::Duration::minutes(10), 5).is_empty());
    let mut stopped = t.clone();
    stopped.last_status = "STOPPED".into();
    assert!(memory_warnings(&usage, &[stopped], end(), 5).is_empty());
}

#[test]
fn a_containers_chart_in_a_one_task_service_reaches_back_over_the_task_it_replaced() {
    let mut old = fixtures::task("aaaa1111bbbb2222", "10.0.2.40", "STOPPED", "STOPPED");
    old.started_at = Some(min(50));
    old.stopped_at = Some(min(12));
    let mut new = fixtures::task("cccc3333dddd4444", "10.0.1.205", "RUNNING", "RUNNING");
    new.started_at = Some(min(10));
    let mut page = page_for(&[(&old, 1010.0), (&new, 300.0)]);
    page.tasks[0].containers[0].mem_used = series((13..=49).map(|m| (m, 1000.0)));
    let tasks = vec![new.clone(), old.clone()];
    let usage = task_usage(&page, &tasks, &[fixtures::task_def()], end());
    let u = usage.iter().find(|u| u.task_arn == new.arn).expect("new");
    let chart = &u.containers[0].mem;
    let slot = |ago: i64| (60 - ago) as usize;
    let pct = |v: f64| Some(100.0 * v / 1024.0);
    assert_eq!(chart.slots[slot(13)], pct(1000.0), "the old task's mongod");
    assert_eq!(chart.slots[slot(11)], None, "between the two: a gap");
    assert_eq!(chart.slots[slot(1)], pct(300.0));
    assert_eq!(chart.marks, vec![slot(50), slot(12), slot(10)]);
    // The task's own charts are its own series only.
    assert_eq!(u.mem.marks, vec![slot(10)]);
}

#[test]
fn a_container_without_its_own_limit_is_warned_of_through_its_tasks() {
    // goals-api has no hard limit of its own: the task's 2048 MiB is
    // shared by both containers, so the task is what is near it.
    let mut t = fixtures::task("6299e51e9a1b4c5d", "10.0.1.205", "RUNNING", "RUNNING");
    t.started_at = Some(min(30));
    let tasks = vec![t.clone()];
    let tds = vec![fixtures::task_def()];
    let mut page = page_for(&[(&t, 500.0)]);
    page.tasks[0].mem_used = series([(1, 1900.0)]);
    page.tasks[0].containers[0].name = "goals-api".into();
    let usage = task_usage(&page, &tasks, &tds, end());
    let w = memory_warnings(&usage, &tasks, end(), 5);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].message
            .starts_with("task 6299e51e at 92 % of its 2048 MiB, which its containers share"),
        "{}",
        w[0].message
    );
    // A container at 95 % of the task's limit, without its own, is not
    // itself said to be near a limit it does not have.
    page.tasks[0].mem_used = series([(1, 1000.0)]);
    page.tasks[0].containers[0].mem_used = series([(1, 1950.0)]);
    let usage = task_usage(&page, &tasks, &tds, end());
    assert!(memory_warnings(&usage, &tasks, end(), 5).is_empty());
}

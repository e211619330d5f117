use super::*;
use crate::model::drill::machine::{RestartKind, Verdict};

fn report(downtime: Option<f64>) -> Report {
    Report {
        history: Vec::new(),
        data: Vec::new(),
        records_before: None,
        records_after: None,
        memory: Vec::new(),
        verdict: Verdict::Pass,
        reason: "the marker read back".into(),
        service: "goals-service".into(),
        cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/prod".into(),
        restart: RestartKind::StopTask,
        marker: "ecsdeck-drill-0a1b".into(),
        old_task: None,
        old_tasks: vec![],
        new_task: None,
        probe_url: None,
        probe_url_verified: true,
        warnings: vec![],
        notes: vec![],
        cleanup: "deleted".into(),
        started_at: "2026-12-02T03:00:00.000Z".into(),
        ended_at: "2026-12-02T03:01:00.000Z".into(),
        downtime_s: downtime,
        stop_to_first_2xx_s: Some(41.5),
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

fn past(service: &str, verdict: &str, downtime: f64) -> Past {
    Past {
        at: "2026-12-01T03:01:00.000Z".into(),
        cluster: "prod".into(),
        service: service.into(),
        verdict: verdict.into(),
        restart: "stop-task".into(),
        downtime_s: Some(downtime),
        stop_to_first_2xx_s: Some(40.0),
        records_before: None,
        records_after: None,
        reports: vec![],
    }
}

#[test]
fn a_drill_is_kept_with_its_figures_and_reads_back_the_same() {
    let p = Past::of(&report(Some(7.0)), vec!["ecsdeck-drill.html".into()]);
    assert_eq!(
        (p.verdict.as_str(), p.restart.as_str(), p.downtime_s),
        ("PASS", "stop-task", Some(7.0))
    );
    let line = serde_json::to_string(&p).expect("json");
    assert_eq!(serde_json::from_str::<Past>(&line).expect("back"), p);
    // A line written before `reports` existed still reads.
    let old = r#"{"at":"x","cluster":"c","service":"s","verdict":"FAIL","restart":"stop-task","downtime_s":null,"stop_to_first_2xx_s":null}"#;
    assert!(serde_json::from_str::<Past>(old).is_ok());
}

#[test]
fn a_downtime_well_above_the_services_usual_is_a_regression() {
    let usual = vec![
        past("goals-service", "PASS", 8.0),
        past("goals-service", "PASS", 7.0),
        past("other", "PASS", 300.0),
        past("goals-service", "FAIL", 200.0),
        past("goals-service", "PASS", 9.0),
    ];
    let note = regression(&report(Some(31.0)), &usual).expect("a regression");
    assert!(
        note.contains("31.0 s") && note.contains("median 8.0 s over its last 3"),
        "{note}"
    );
    // Within the usual spread, or too few earlier drills: nothing said.
    assert_eq!(regression(&report(Some(12.0)), &usual), None);
    assert_eq!(regression(&report(Some(31.0)), &usual[..2]), None);
    assert_eq!(regression(&report(None), &usual), None);
}

#[test]
fn the_history_lists_one_line_a_drill_for_the_service_asked() {
    let all = vec![
        past("goals-service", "PASS", 8.0),
        past("other", "PASS", 3.0),
        past("goals-service", "FAIL", 61.2),
    ];
    let mine = of_service(
        &all,
        "arn:aws:ecs:us-east-1:1:cluster/prod",
        "goals-service",
    );
    let t = table(&mine);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 3, "{t}");
    assert!(
        lines[1].contains("PASS") && lines[1].contains("8.0 s"),
        "{t}"
    );
    assert!(
        lines[2].contains("FAIL") && lines[2].contains("61.2 s"),
        "{t}"
    );
    assert!(lines[2].starts_with("2026-12-01 03:01:00"), "{t}");
}

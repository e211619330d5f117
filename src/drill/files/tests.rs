use super::*;
use crate::model::drill::machine::{RestartKind, Verdict};
use crate::model::drill::report::*;
use crate::model::probe::{ErrorClass, Outcome};

fn report(verdict: Verdict) -> Report {
    Report {
        history: Vec::new(),
        data: Vec::new(),
        records_before: None,
        records_after: None,
        memory: Vec::new(),
        verdict,
        reason: "the marker <script>alert(1)</script> is missing".into(),
        service: "goals-service".into(),
        cluster: "prod".into(),
        restart: RestartKind::StopTask,
        marker: "ecsdeck-drill-0a1b2c3d4e5f".into(),
        old_task: Some("arn:aws:ecs:eu-west-1:123456789012:task/prod/aaaa".into()),
        old_tasks: vec!["arn:aws:ecs:eu-west-1:123456789012:task/prod/aaaa".into()],
        new_task: Some("arn:aws:ecs:eu-west-1:123456789012:task/prod/bbbb".into()),
        probe_url: Some("http://alb.example/goals".into()),
        probe_url_verified: true,
        warnings: vec!["max 200% with mongo on EFS".into()],
        notes: vec![],
        cleanup: "deleted".into(),
        started_at: "2026-12-02T03:00:00.000Z".into(),
        ended_at: "2026-12-02T03:01:00.000Z".into(),
        downtime_s: Some(7.0),
        stop_to_first_2xx_s: Some(41.5),
        clock_offset_s: Some(0.2),
        aws_calls: None,
        longest_outage_s: None,
        new_tasks: vec![],
        restarts: vec![],
        estimate_s: Some(crate::model::drill::report::Range { min: 65, max: 365 }),
        timeout_s: 600,
        phases: vec![Phase {
            name: "old_task_stopped".into(),
            at: "2026-12-02T03:00:30.000Z".into(),
            source: "aws".into(),
            uncertainty_s: None,
            note: None,
        }],
        steps: vec![("2026-12-02T03:00:00.000Z".into(), "baseline".into())],
        probe: vec![
            ProbeRow {
                at: "2026-12-02T03:00:01.000Z".into(),
                outcome: Outcome::Http(200),
                latency_ms: 12,
                up: None,
            },
            ProbeRow {
                at: "2026-12-02T03:00:10.000Z".into(),
                outcome: Outcome::Failed(ErrorClass::Refused),
                latency_ms: 1,
                up: None,
            },
        ],
        cancelled_by: None,
        cleanup_limit_s: None,
        account: Some("123456789012".into()),
    }
}

#[test]
fn the_json_says_the_verdict_in_the_exact_words_scripts_match() {
    for (v, word) in [
        (Verdict::Pass, "PASS"),
        (Verdict::Fail, "FAIL"),
        (Verdict::Aborted, "ABORTED"),
    ] {
        let j: serde_json::Value =
            serde_json::from_str(&report(v).json(None).expect("json")).expect("valid JSON");
        assert_eq!(j["verdict"], word);
        for key in [
            "reason",
            "service",
            "cluster",
            "restart",
            "marker",
            "old_task",
            "new_task",
            "probe_url",
            "probe_url_verified",
            "warnings",
            "cleanup",
            "started_at",
            "ended_at",
            "downtime_s",
            "phases",
            "probe",
            "clock_offset_s",
        ] {
            assert!(j.get(key).is_some(), "{key} missing");
        }
        assert!(j.get("account").is_none(), "the account is never written");
        assert_eq!(j["timeout_s"], 600);
        assert_eq!(j["estimate_s"]["min"], 65);
        assert_eq!(j["estimate_s"]["max"], 365);
        assert_eq!(j["phases"][0]["name"], "old_task_stopped");
        assert_eq!(j["probe"][1]["outcome"], "refused");
    }
}

#[test]
fn redaction_masks_the_account_in_arns_and_as_a_whole_number_only() {
    let s = "arn:aws:ecs:eu-west-1:123456789012:task/prod/aaaa 123456789012 91234567890123";
    let m = mask(s, Some("123456789012"));
    assert_eq!(
        m,
        "arn:aws:ecs:eu-west-1:************:task/prod/aaaa ************ 91234567890123"
    );
    // Without the account known, the ARNs are still masked.
    assert_eq!(
        mask("arn:aws:iam::123456789012:role/x", Some("")),
        "arn:aws:iam::************:role/x"
    );
    assert_eq!(mask(s, None), s);
    let j = report(Verdict::Pass)
        .json(Some("123456789012"))
        .expect("json");
    assert!(!j.contains("123456789012"), "{j}");
}

#[test]
fn the_html_page_is_self_contained_and_escapes_what_it_was_given() {
    let h = crate::drill::html::page(&report(Verdict::Fail));
    assert!(h.contains(">FAIL<"));
    assert!(!h.to_lowercase().contains("<script"), "escaped");
    assert!(h.contains("&lt;script&gt;"));
    // No fetch of anything: the only URL is the SVG namespace and the
    // probed URL, as text.
    let without_ns = h.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("src="), "nothing loaded");
    assert!(!without_ns.contains("href="), "nothing linked");
    assert!(h.contains("<svg"), "the chart");
    assert!(h.contains("old_task_stopped"), "the phase marks");
}

#[test]
fn report_files_are_new_and_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let r = report(Verdict::Pass);
    let paths = write_pair(&r, dir.path(), None).expect("written");
    assert_eq!(paths.len(), 2);
    for p in &paths {
        let mode = std::fs::metadata(p).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", p.display());
    }
    let json = std::fs::read_to_string(&paths[0]).expect("read");
    let _: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    // A second drill in the same second does not overwrite the first.
    let again = write_file(&r, &paths[0], None);
    assert!(again.is_err());
    assert_eq!(std::fs::read_to_string(&paths[0]).expect("read"), json);
    let second = write_pair(&r, dir.path(), None).expect("a second pair");
    assert!(
        second[0].to_string_lossy().ends_with("-pass-2.json"),
        "{second:?}"
    );
}

#[test]
fn a_clock_more_than_a_second_off_is_warned_about() {
    let mut r = report(Verdict::Pass);
    assert_eq!(r.clock_warning(), None);
    r.clock_offset_s = Some(-3.4);
    let w = r.clock_warning().expect("a warning");
    assert!(w.contains("3.4 s behind AWS"), "{w}");
}

#[test]
fn a_json_report_reads_back_as_the_report_it_was() {
    let mut r = report(Verdict::Fail);
    let json = r.json(None).expect("json");
    let back: Report = serde_json::from_str(&json).expect("reads back");
    // The account is never written.
    r.account = None;
    assert_eq!(back, r);
}

#[test]
fn the_page_shows_the_services_earlier_drills_as_a_trend_readable_without_colour() {
    use crate::model::drill::history::Past;
    let mut r = report(Verdict::Pass);
    let page = crate::drill::html::page(&r);
    assert!(
        !page.contains("This service's drills"),
        "no history, no trend"
    );
    let past = |verdict: &str, d: f64| Past {
        at: "2026-12-01T03:00:00.000Z".into(),
        cluster: "prod".into(),
        service: "goals-service".into(),
        verdict: verdict.into(),
        restart: "stop-task".into(),
        downtime_s: Some(d),
        stop_to_first_2xx_s: None,
        records_before: None,
        records_after: None,
        reports: vec![],
    };
    r.history = vec![past("PASS", 6.0), past("FAIL", 60.0), past("<é>", 3.0)];
    let page = crate::drill::html::page(&r);
    let trend = page
        .split("This service's drills")
        .nth(1)
        .and_then(|t| t.split("</svg>").next())
        .expect("the trend");
    assert_eq!(
        trend.matches("<rect").count(),
        4,
        "three earlier and this one"
    );
    for letter in [">P</text>", ">F</text>", ">&lt;</text>"] {
        assert!(trend.contains(letter), "{letter} in {trend}");
    }
    assert_eq!(
        trend.matches("stroke=\"#000\"").count(),
        1,
        "this drill outlined"
    );
    assert!(
        trend.contains(">60</text>"),
        "each bar's seconds written above it"
    );
}

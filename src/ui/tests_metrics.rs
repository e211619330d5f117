//! CPU and memory on screen when CloudWatch cannot give them all: a
//! cluster without enhanced observability, a denied GetMetricData.

use std::time::Duration;

use super::tests::{at, replacing, screen};
use crate::app::{Action, Msg, Pane, update};
use crate::model::error::{CloudError, ErrorKind};
use crate::model::metrics::{Insights, MetricsPage, MetricsReading, enable_command};
use crate::model::observe::{Failure, Observation, PollEvent, Resource};

fn reading(insights: Insights) -> Msg {
    let mut r = crate::model::fixtures::metrics_reading(&[], at(100), 0..0);
    r.insights = Ok(insights);
    Msg::Poll(Box::new(PollEvent {
        resource: Resource::Metrics,
        at: at(100),
        result: Ok(Observation::Metrics(Box::new(r))),
    }))
}

#[test]
fn without_enhanced_observability_the_containers_pane_says_so_once_and_zoomed_how() {
    let mut s = replacing();
    update(&mut s, reading(Insights::Standard));
    for (w, h) in [(120, 40), (80, 24)] {
        let out = screen(&s, w, h);
        assert_eq!(
            out.matches("no per-task cpu/memory").count(),
            1,
            "{w}x{h}: once, not per task\n{out}"
        );
        // The service's own figures are there regardless (at 80×24 the
        // warnings keep the Service pane's last row).
        assert!(w < 120 || out.contains("cpu 17% "), "{w}x{h}\n{out}");
        assert!(!out.contains("mem 30%"), "no task figures\n{out}");
    }
    s.focus = Pane::Containers;
    update(&mut s, Msg::Action(Action::Zoom));
    let out = screen(&s, 120, 40);
    // Whole, to paste: broken before an option with a `\`.
    let pasted: String = out
        .lines()
        .map(|l| l.trim_matches(|c| c == '"' || c == '┃' || c == ' '))
        .skip_while(|l| !l.starts_with("aws ecs"))
        .take_while(|l| !l.is_empty())
        .map(|l| l.trim_end_matches('\\').trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(
        pasted,
        enable_command("goals-cluster", "us-east-1"),
        "{out}"
    );
    assert!(out.contains("CloudWatch charges"), "{out}");
}

#[test]
fn a_denied_get_metric_data_costs_the_charts_only_and_names_the_action() {
    let mut s = replacing();
    // The replacing fixture has a reading; a fresh session had none.
    s.world.metrics = Default::default();
    let mut e = CloudError::new(
        ErrorKind::AccessDenied,
        "cloudwatch:GetMetricData",
        "User: arn:aws:sts::123456789012:assumed-role/ops/operator is not authorized to perform: cloudwatch:GetMetricData",
    );
    e.code = Some("AccessDenied".into());
    update(
        &mut s,
        Msg::Poll(Box::new(PollEvent {
            resource: Resource::Metrics,
            at: at(100),
            result: Err(Failure {
                error: e,
                retry_in: Duration::from_secs(30),
            }),
        })),
    );
    let out = screen(&s, 120, 40);
    assert!(out.contains("cpu/memory: "), "{out}");
    assert!(out.contains("cloudwatch:GetMetricData"), "{out}");
    // Everything else as before: the tasks, the targets, the logs.
    assert!(
        out.contains("→ 6299e51e") && out.contains("draining"),
        "{out}"
    );
    assert!(
        out.contains("Goals API") || out.contains("SIGTERM"),
        "{out}"
    );
}

#[test]
fn an_empty_page_says_why_the_service_has_no_chart() {
    let mut s = replacing();
    update(
        &mut s,
        Msg::Poll(Box::new(PollEvent {
            resource: Resource::Metrics,
            at: at(100),
            result: Ok(Observation::Metrics(Box::new(MetricsReading {
                insights: Ok(Insights::Enhanced),
                page: MetricsPage::default(),
                end: at(100),
            }))),
        })),
    );
    let out = screen(&s, 120, 40);
    assert!(
        out.contains("AWS/ECS has no points for the last hour"),
        "{out}"
    );
}

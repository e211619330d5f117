//! The logs keep their room (issue 20): a realistic service — three
//! restart-safety warnings, three stopped tasks, a probe that never reached
//! the load balancer — at 120×40, 100×30 and 80×24.

use super::tests::{at, screen};
use super::tests_probe::probed;
use crate::app::{Action, Msg, Pane, State, update};
use crate::model::fixtures::task;
use crate::model::observe::{Observation, PollEvent, Resource};
use crate::model::probe::{ErrorClass, Outcome};

macro_rules! snap {
    ($name:expr, $screen:expr) => {
        insta::with_settings!({filters => vec![(r"\d\d:\d\d:\d\d?", "[clock]")]}, {
            insta::assert_snapshot!($name, $screen);
        });
    };
}

/// What the pollers observed at 99 s.
fn observed(s: &mut State, resource: Resource, obs: Observation) {
    update(
        s,
        Msg::Poll(Box::new(PollEvent {
            resource,
            at: at(99),
            result: Ok(obs),
        })),
    );
}

fn crowded() -> State {
    // The probe's name does not resolve from this host.
    let samples = (90..100)
        .map(|t| super::tests_probe::sample(t, Outcome::Failed(ErrorClass::Dns), ""))
        .collect();
    let mut s = probed(samples);
    // AWS's defaults: a 300 s deregistration delay; a slow health check.
    let mut groups = s.world.targets.get().cloned().unwrap_or_default();
    for g in &mut groups {
        g.deregistration_delay_s = Some(300);
        g.health_check.interval_s = Some(30);
        g.health_check.healthy_threshold = Some(5);
    }
    observed(&mut s, Resource::Targets, Observation::Targets(groups));
    // Three earlier replacements, stopped.
    let mut tasks = s.world.tasks.get().cloned().unwrap_or_default();
    tasks.retain(|t| !t.is_stopped());
    for (i, id) in ["b1b1b1b1", "c2c2c2c2", "d3d3d3d3"].iter().enumerate() {
        let mut t = task(id, "10.0.1.9", "STOPPED", "STOPPED");
        t.created_at = Some(at(-3600 * (i as i64 + 1)));
        t.stopped_at = Some(at(-3600 * i as i64 - 60));
        t.stop_code = Some("ServiceSchedulerInitiated".into());
        t.stopped_reason = Some("Task failed ELB health checks in (target-group goals-tg)".into());
        tasks.push(t);
    }
    observed(&mut s, Resource::Tasks, Observation::Tasks(tasks));
    update(&mut s, Msg::Tick(at(100)));
    s
}

/// The rows of the Logs pane, borders included.
pub(super) fn logs_rows(screen: &str) -> usize {
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains("┌ Logs"))
        .expect("a Logs pane");
    let bottom = lines[top..]
        .iter()
        .position(|l| l.starts_with("\"└"))
        .expect("its bottom border");
    bottom + 1
}

#[test]
fn on_a_crowded_service_the_logs_keep_a_third_of_the_screen() {
    let s = crowded();
    assert_eq!(s.warnings().len(), 3, "{:?}", s.warnings());
    for (w, h, min_rows) in [(120, 40, 13), (100, 30, 10), (80, 24, 8)] {
        let out = screen(&s, w, h);
        let rows = logs_rows(&out);
        assert!(
            rows >= min_rows,
            "{w}x{h}: the logs have {rows} rows\n{out}"
        );
        // What was folded says how to see it, where there is a row for it.
        if w >= 100 {
            assert!(out.contains("3 warnings (w to read)"), "{w}x{h}\n{out}");
            assert!(out.contains("1 running · 3 stopped"), "{w}x{h}\n{out}");
        }
        if w >= 120 {
            assert!(out.contains("+ 1 stopped"), "{w}x{h}\n{out}");
            assert!(
                out.contains("never reached from this host (dns)"),
                "{w}x{h}\n{out}"
            );
        }
        snap!(format!("crowded_{w}x{h}"), out);
    }
    // Zoomed, or with the cursor on them, the stopped tasks are listed.
    let mut s = s;
    s.focus = Pane::Tasks;
    update(&mut s, Msg::Action(Action::Zoom));
    let out = screen(&s, 120, 40);
    assert!(
        out.contains("d3d3d3d3") && !out.contains("+ 1 stopped"),
        "{out}"
    );
    update(&mut s, Msg::Action(Action::Zoom));
    for _ in 0..3 {
        update(&mut s, Msg::Action(Action::Down));
    }
    let out = screen(&s, 120, 40);
    assert!(
        out.contains("d3d3d3d3") && !out.contains("+ 1 stopped"),
        "{out}"
    );
}

#[test]
fn enter_on_a_stopped_task_shows_only_its_lines_and_esc_every_task_again() {
    let mut s = super::tests::replacing();
    // The old task has stopped since.
    let mut tasks = s.world.tasks.get().cloned().unwrap_or_default();
    for t in tasks.iter_mut().filter(|t| t.arn.contains("3f2a91bc")) {
        t.last_status = "STOPPED".into();
        t.stopped_at = Some(at(99));
    }
    observed(&mut s, Resource::Tasks, Observation::Tasks(tasks));
    let row = s
        .task_list()
        .iter()
        .position(|t| t.arn.contains("3f2a91bc"))
        .expect("the stopped task");
    s.focus = Pane::Tasks;
    for _ in 0..row {
        update(&mut s, Msg::Action(Action::Down));
    }
    update(&mut s, Msg::Action(Action::Select));
    let out = screen(&s, 120, 40);
    assert!(
        out.contains("task 3f2a91bc only · Esc: every task"),
        "{out}"
    );
    assert!(out.contains("goals-api 3f2a91bc SIGTERM received"), "{out}");
    assert!(!out.contains("6299e51e CONNECTED TO MONGODB"), "{out}");
    update(&mut s, Msg::Action(Action::Close));
    let out = screen(&s, 120, 40);
    assert!(!out.contains(" only · Esc"), "{out}");
    assert!(out.contains("6299e51e CONNECTED TO MONGODB"), "{out}");
}

#[test]
fn any_terminal_size_draws_without_a_panic_and_keeps_the_logs_when_it_can() {
    let s = crowded();
    for (w, h) in [
        (20, 6),
        (40, 10),
        (60, 15),
        (80, 24),
        (100, 30),
        (200, 60),
        (300, 20),
    ] {
        let out = screen(&s, w, h);
        if h >= 24 && w >= 80 {
            assert!(logs_rows(&out) >= 8, "{w}x{h}\n{out}");
        }
    }
}

//! The Service pane: counts, deployments and the restart-safety warnings.

use ratatui::text::{Line, Span};

use crate::app::State;
use crate::model::derive::WarningKind;
use crate::model::task_def_label;
use crate::ui::Theme;
use crate::ui::pane::{Content, freshness, placeholder, title, waiting};
use crate::ui::text::fit;

pub fn service(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.world.service, state, theme);
    let Some(snap) = state.world.service.get() else {
        return waiting(
            "Service",
            status,
            notice,
            placeholder(&state.world.service, "service", theme, width),
            theme,
        );
    };
    let s = snap;
    let mut lines = Vec::new();
    let cfg = &s.config;
    let breaker = match cfg.circuit_breaker {
        Some(b) if b.enable && b.rollback => "breaker on (rollback)",
        Some(b) if b.enable => "breaker on",
        _ => "breaker off",
    };
    let counts = vec![
        Span::raw(format!("desired {}  ", s.desired)),
        Span::styled(
            format!("running {}", s.running),
            if s.running >= s.desired && s.desired > 0 {
                theme.good()
            } else {
                theme.warn()
            },
        ),
        Span::raw(format!("  pending {}  ", s.pending)),
    ];
    let used: usize = counts.iter().map(|s| s.width()).sum();
    let mut first = counts;
    first.push(Span::raw(fit(
        &format!(
            "deploy min {}% max {}%  {breaker}  {}  {}",
            cfg.min_percent,
            cfg.max_percent,
            task_def_label(&s.task_definition),
            s.launch_type.as_deref().unwrap_or("-"),
        ),
        width.saturating_sub(used),
    )));
    lines.push(Line::from(first));
    for d in &s.deployments {
        let state_word = d.rollout_state.clone().unwrap_or_default();
        let head = format!(
            "{} {} ",
            fit(&d.id, if width >= 150 { 32 } else { 14 }),
            d.status,
        );
        let tail = format!(
            " {}  {}/{} running {} pending{}  {}",
            task_def_label(&d.task_definition),
            d.running,
            d.desired,
            d.pending,
            if d.failed > 0 {
                format!(" {} failed", d.failed)
            } else {
                String::new()
            },
            d.rollout_reason.as_deref().unwrap_or("")
        );
        let room = width.saturating_sub(head.len() + state_word.len());
        lines.push(Line::from(vec![
            Span::raw(head),
            Span::styled(state_word.clone(), theme.status(&state_word)),
            Span::styled(fit(&tail, room), theme.dim()),
        ]));
    }
    // One line each, so the logs keep their room; more than two are one
    // line in all. Zoomed (`z` here, or `w`), each is whole, its advice too.
    let whole = state.zoom;
    let warnings = state.warnings();
    if !whole && warnings.len() > 2 {
        lines.push(Line::from(Span::styled(
            fit(
                &format!(
                    "⚠ {} warnings (w to read): {}",
                    warnings.len(),
                    warnings
                        .iter()
                        .map(|w| label(w.kind))
                        .collect::<Vec<_>>()
                        .join(" · ")
                ),
                width,
            ),
            theme.warn(),
        )));
    }
    for w in warnings.iter().filter(|_| whole || warnings.len() <= 2) {
        if !whole {
            lines.push(Line::from(Span::styled(
                fit(&format!("⚠ {}", w.message), width),
                theme.warn(),
            )));
            continue;
        }
        for (i, part) in crate::ui::text::wrap(&w.message, width.saturating_sub(2))
            .into_iter()
            .enumerate()
        {
            let lead = if i == 0 { "⚠ " } else { "  " };
            lines.push(Line::from(Span::styled(
                format!("{lead}{part}"),
                theme.warn(),
            )));
        }
    }
    Content {
        notice,
        title: title("Service", &s.name, theme),
        status,
        lines,
        cursor_line: None,
    }
}

/// A warning in a few words, for the folded line.
fn label(kind: WarningKind) -> &'static str {
    match kind {
        WarningKind::SingleWriter => "a restart can start a second database on the volume",
        WarningKind::DrainOverlap => "the old task drains beside the new",
        WarningKind::DeploymentStuck => "a deployment cannot proceed",
        WarningKind::LiveOverlap => "2 tasks up on one volume",
        WarningKind::NoHealthCheck => "no health check",
        WarningKind::SlowHealthCheck => "slow health-check recovery",
        WarningKind::LongDeregistration => "long deregistration delay",
        WarningKind::MissingMountTarget => "an EFS mount target missing",
        WarningKind::MountFailed => "an EFS mount failed",
        WarningKind::MemoryNearLimit => "a container near its memory limit",
    }
}

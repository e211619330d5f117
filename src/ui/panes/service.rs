//! The Service pane: counts, deployments and the restart-safety warnings.

use ratatui::text::{Line, Span};

use crate::app::State;
use crate::model::derive::{MEMORY_WARN_PCT, WarningKind};
use crate::model::metrics::why_no_service_points;
use crate::model::task_def_label;
use crate::ui::Theme;
use crate::ui::pane::{Content, freshness, placeholder, title, waiting};
use crate::ui::spark::{self, pct};
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
    lines.extend(warning_lines(state, theme, width));
    // Last: where the pane is short, the warnings keep their line.
    lines.push(usage_line(state, theme, width));
    Content {
        notice,
        title: title("Service", &s.name, theme),
        status,
        lines,
        cursor_line: None,
    }
}

/// The warnings: one line each, so the logs keep their room; more than
/// two are one line in all. Zoomed (`z` here, or `w`), each is whole, its
/// advice too.
fn warning_lines(state: &State, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
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
    lines
}

/// The service's CPU and memory now and over the last hour (`AWS/ECS`),
/// or why there are none.
fn usage_line(state: &State, theme: &Theme, width: usize) -> Line<'static> {
    let w = &state.world;
    let why = why_no_service_points(w.metrics.get(), w.metrics.error.as_ref().map(|e| &e.error));
    let Some(u) = w.derived.usage.as_ref().filter(|_| why.is_none()) else {
        let text = format!("cpu/memory: {}", why.unwrap_or_default());
        let style = if w.metrics.error.is_some() {
            theme.warn()
        } else {
            theme.dim()
        };
        return Line::from(Span::styled(fit(&text, width), style));
    };
    // Two charts side by side, one column a minute when there is room.
    let label = |name: &str, v: Option<f64>| format!("{name} {:>3} ", pct(v));
    let cpu = label("cpu", u.service_cpu_pct);
    let mem = label("  mem", u.service_mem_pct);
    let tail = if width >= 100 { "  last hour" } else { "" };
    let room = width.saturating_sub(cpu.len() + mem.len() + tail.len()) / 2;
    let chart = |c, v: Option<f64>| {
        let style = if v.is_some_and(|v| v > MEMORY_WARN_PCT) {
            theme.warn()
        } else {
            ratatui::style::Style::new()
        };
        spark::spans(c, room.min(66), 100.0, style, theme)
    };
    let mut spans = vec![Span::raw(cpu)];
    spans.extend(chart(&u.service_cpu, u.service_cpu_pct));
    spans.push(Span::raw(mem));
    spans.extend(chart(&u.service_mem, u.service_mem_pct));
    spans.push(Span::styled(tail, theme.dim()));
    Line::from(spans)
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

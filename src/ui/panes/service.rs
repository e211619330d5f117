//! The Service pane: counts, deployments and the restart-safety warnings.

use ratatui::text::{Line, Span};

use crate::app::State;
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
    // Wrapped where there is room (or zoomed); a narrow screen shows each
    // warning's start, and `z` on this pane shows them whole.
    let whole = width >= 100 || state.zoom;
    for w in state.warnings() {
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

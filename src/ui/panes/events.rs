//! The Events pane: what ECS says about the service.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::{Pane, State};
use crate::ui::Theme;
use crate::ui::pane::{Content, freshness, placeholder, title, waiting};
use crate::ui::text::{clock, fit};

pub fn events(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.world.service, state, theme);
    let Some(snap) = state.world.service.get() else {
        return waiting(
            "Events",
            status,
            notice,
            placeholder(&state.world.service, "events", theme, width),
            theme,
        );
    };
    let prefix = format!("(service {}) ", snap.name);
    let lines: Vec<Line> = snap
        .events
        .iter()
        .map(|e| {
            let msg = e.message.strip_prefix(&prefix).unwrap_or(&e.message);
            let style =
                if msg.contains("unhealthy") || msg.contains("failed") || msg.contains("unable") {
                    theme.warn()
                } else {
                    Style::new()
                };
            Line::from(vec![
                Span::styled(
                    format!("{}  ", e.at.map(clock).unwrap_or_else(|| "--:--:--".into())),
                    theme.dim(),
                ),
                Span::styled(fit(msg, width.saturating_sub(10)), style),
            ])
        })
        .collect();
    let n = lines.len();
    Content {
        notice,
        title: title("Events", "", theme),
        status,
        lines: if n == 0 {
            vec![Line::from(Span::styled("no events", theme.dim()))]
        } else {
            lines
        },
        cursor_line: (state.focus == Pane::Events && n > 0)
            .then_some(state.cursor[Pane::Events.index()]),
    }
}

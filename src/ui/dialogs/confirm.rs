//! The confirm dialog of a restart: exactly what will happen, the
//! warnings that apply, and the only two answers.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::app::{Confirm, State};
use crate::ui::Theme;
use crate::ui::pane::{fit_line, wrapped};

fn lines(c: &Confirm, state: &State, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut out = vec![super::service_line(
        &c.service,
        &c.cluster,
        state.ctx.demo,
        theme,
    )];
    out.push(Line::default());
    out.push(Line::from(Span::styled("What happens next", theme.title())));
    super::numbered(&mut out, &c.plan, width, theme);
    if !c.warnings.is_empty() {
        out.push(Line::default());
        for w in &c.warnings {
            out.extend(wrapped(&format!("⚠ {w}"), width, theme.warn()));
        }
    }
    out.push(Line::default());
    out.push(Line::from(vec![
        Span::styled(" y ", theme.key()),
        Span::raw("send it (once, never retried)   "),
        Span::styled(" n/Esc ", theme.key()),
        Span::raw("cancel — nothing is sent before y"),
    ]));
    out
}

pub fn draw(state: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let Some(c) = state.confirm() else {
        return;
    };
    let w = area.width.min(100);
    let inner_w = w.saturating_sub(2) as usize;
    let body = lines(c, state, theme, inner_w);
    let h = (body.len() as u16 + 2).min(area.height);
    let r = super::centered(area, w, h);
    f.render_widget(Clear, r);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.warn())
        .title(Span::styled(format!(" {} ", c.title), theme.title()));
    let body: Vec<Line<'static>> = body.into_iter().map(|l| fit_line(l, inner_w)).collect();
    // When the screen is too short, the answers must stay visible: the
    // last row is always the key line.
    let body = super::keeping_last(body, h.saturating_sub(2) as usize);
    f.render_widget(Paragraph::new(body).block(block), r);
}

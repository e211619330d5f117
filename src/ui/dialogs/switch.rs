//! The `:` picker, drawn over the dashboard: the service watched stays
//! on screen around it until another is chosen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Clear};

use crate::app::{Modal, State};
use crate::ui::Theme;

pub fn draw(state: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let Some(Modal::Switch(p)) = &state.modal else {
        return;
    };
    let w = area.width.saturating_sub(4).clamp(20, 110).min(area.width);
    let h = area.height.saturating_sub(4).max(8).min(area.height);
    let r = super::centered(area, w, h);
    f.render_widget(Clear, r);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(Span::styled(" Switch to another service ", theme.title()));
    let inner = block.inner(r);
    f.render_widget(block, r);
    p.render_in(theme, f, inner);
}

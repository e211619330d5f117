//! The shell menu (`e`): the task's containers, the command each runs,
//! why one cannot be entered, and the AWS CLI command that will run.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::app::{ExecMenu, Modal, State};
use crate::model::exec::Plan;
use crate::ui::Theme;
use crate::ui::pane::{fit_line, wrapped};

fn lines(m: &ExecMenu, state: &State, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let t = &state.ctx.target;
    let mut out = vec![super::service_line(
        &t.service,
        &t.cluster,
        state.ctx.demo,
        theme,
    )];
    out.push(Line::default());
    let name_w = m
        .menu
        .choices
        .iter()
        .map(|c| c.container.chars().count())
        .max()
        .unwrap_or(0);
    let cmd_w = m
        .menu
        .choices
        .iter()
        .map(|c| c.command.chars().count())
        .max()
        .unwrap_or(0);
    for (i, c) in m.menu.choices.iter().enumerate() {
        let here = i == m.cursor;
        let ready = m.menu.blockers_of(i).is_empty();
        let mut spans = vec![
            Span::styled(if here { " ▶ " } else { "   " }, theme.key()),
            Span::styled(
                format!("{:<name_w$}  ", c.container),
                if here { theme.title() } else { Style::new() },
            ),
            Span::raw(format!("{:<cmd_w$}", c.command)),
        ];
        if !ready {
            spans.push(Span::styled("  ✗ cannot be entered now", theme.warn()));
        }
        out.push(Line::from(spans));
    }
    out.push(Line::default());
    if !m.refused.is_empty() {
        out.push(Line::from(Span::styled(
            "Not opened; nothing was run:",
            theme.warn(),
        )));
        for r in &m.refused {
            out.extend(wrapped(&format!("✗ {r}"), width, theme.warn()));
        }
    } else {
        for b in m.menu.blockers_of(m.cursor) {
            out.extend(wrapped(&format!("✗ {b}"), width, theme.warn()));
        }
    }
    for n in &m.menu.notes {
        out.extend(wrapped(&format!("· {n}"), width, theme.dim()));
    }
    if let Some(c) = m.menu.choices.get(m.cursor) {
        let plan = Plan {
            cluster: t.cluster.clone(),
            task_arn: m.menu.task_arn.clone(),
            container: c.container.clone(),
            command: c.command.clone(),
            profile: state.ctx.exec.profile.clone(),
            region: state.ctx.region.clone(),
            endpoint_url: state.ctx.exec.endpoint_url.clone(),
        };
        let runs = if state.ctx.demo {
            "Stands in for (the demo opens a shell on this machine):"
        } else {
            "Runs:"
        };
        out.push(Line::from(Span::styled(runs, theme.dim())));
        out.extend(wrapped(&plan.shown(), width, Style::new()));
    }
    out.push(Line::default());
    out.push(Line::from(vec![
        Span::styled(" ↑/↓ ", theme.key()),
        Span::raw("container   "),
        Span::styled(" Enter ", theme.key()),
        Span::raw("open a shell (back here when it exits)   "),
        Span::styled(" Esc ", theme.key()),
        Span::raw("close"),
    ]));
    out
}

pub fn draw(state: &State, theme: &Theme, f: &mut Frame, area: Rect) {
    let Some(Modal::Exec(m)) = &state.modal else {
        return;
    };
    let w = area.width.min(100);
    let inner_w = w.saturating_sub(2) as usize;
    let body: Vec<Line<'static>> = lines(m, state, theme, inner_w)
        .into_iter()
        .map(|l| fit_line(l, inner_w))
        .collect();
    let h = (body.len() as u16 + 2).min(area.height);
    let r = super::centered(area, w, h);
    f.render_widget(Clear, r);
    let title = format!(" A shell in task {} (ECS Exec) ", m.menu.task_id);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(theme.warn())
        .title(Span::styled(title, theme.title()));
    // Too short a screen keeps the key line.
    let body = super::keeping_last(body, h.saturating_sub(2) as usize);
    f.render_widget(Paragraph::new(body).block(block), r);
}

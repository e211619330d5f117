//! The logs pane: the newest lines that fit (or the lines around the paused
//! anchor), drawn from the bottom up so the cost does not depend on how
//! many lines are buffered.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::logs::{Entry, LogLine, TsMode};
use crate::app::{State, divider_words};
use crate::model::logs::log_sources;
use crate::model::short_id;
use crate::ui::pane::{block, fit_line, freshness, wrap_spans};
use crate::ui::text::{self, fit};
use crate::ui::{Theme, keys};

const PALETTE: [Color; 6] = [
    Color::Cyan,
    Color::Magenta,
    Color::Blue,
    Color::Green,
    Color::LightYellow,
    Color::LightRed,
];

fn container_style(theme: &Theme, names: &[String], name: &str) -> Style {
    if !theme.color {
        return Style::new();
    }
    let i = names.iter().position(|n| n == name).unwrap_or(names.len());
    Style::new().fg(PALETTE[i % PALETTE.len()])
}

fn highlight(theme: &Theme) -> Style {
    if theme.color {
        Style::new().fg(Color::Black).bg(Color::Yellow)
    } else {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}

/// Time, container and task: the head of every log row.
fn prefix_spans(
    l: &LogLine,
    state: &State,
    theme: &Theme,
    names: &[String],
    name_w: usize,
) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    match state.logs.ts {
        TsMode::Off => {}
        TsMode::Local => spans.push(Span::styled(format!("{} ", text::clock(l.at)), theme.dim())),
        TsMode::Relative => spans.push(Span::styled(
            format!("{:>4} ", text::age(l.at, state.now)),
            theme.dim(),
        )),
    }
    spans.push(Span::styled(
        format!("{:<name_w$} ", l.container),
        container_style(theme, names, &l.container),
    ));
    spans.push(Span::styled(
        format!("{} ", short_id(&l.task_arn)),
        theme.dim(),
    ));
    spans
}

/// The message, with the filter's matches lit.
fn text_spans(text: &str, state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let ranges = state
        .logs
        .filter()
        .map(|f| f.find(text))
        .unwrap_or_default();
    let mut at = 0;
    for (s, e) in ranges.into_iter().filter(|(s, e)| e > s) {
        if s < at || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        if s > at {
            spans.push(Span::raw(text[at..s].to_string()));
        }
        spans.push(Span::styled(text[s..e].to_string(), highlight(theme)));
        at = e;
    }
    if at < text.len() {
        spans.push(Span::raw(text[at..].to_string()));
    }
    spans
}

/// Rows a divider may take: a crash's exit codes and reasons are worth
/// two or three rows, never the whole pane.
const DIVIDER_ROWS: usize = 3;

fn divider(e: &Entry, state: &State, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let words = divider_words(e, state.task_list());
    let room = width.saturating_sub(8).max(1);
    let mut rows = crate::ui::text::wrap(&words, room);
    if rows.len() > DIVIDER_ROWS {
        let rest = rows.split_off(DIVIDER_ROWS - 1).join(" ");
        rows.push(fit(&rest, room));
    }
    rows.into_iter()
        .map(|r| {
            let r = format!(" {r} ");
            let w = unicode_width::UnicodeWidthStr::width(r.as_str());
            let side = width.saturating_sub(w) / 2;
            let (left, right) = ("─".repeat(side), "─".repeat(width.saturating_sub(w + side)));
            Line::from(Span::styled(
                format!("{left}{r}{right}"),
                theme.warn().add_modifier(Modifier::BOLD),
            ))
        })
        .collect()
}

/// The rows to show, bottom-aligned to the anchor (or the newest line).
pub(crate) fn window(
    state: &State,
    theme: &Theme,
    width: usize,
    height: usize,
) -> Vec<Line<'static>> {
    let logs = &state.logs;
    let names = state.log_containers();
    let name_w = names.iter().map(|n| n.len()).max().unwrap_or(0).min(16);
    let current = logs.current_match();
    let edge = logs.edge_index();
    let entry_rows = |i: usize| -> Option<Vec<Line<'static>>> {
        let e = logs.get(i).filter(|_| logs.visible(i))?;
        let mut rows = match e {
            Entry::Line(l) => {
                let prefix = prefix_spans(l, state, theme, &names, name_w);
                let indent: usize = prefix.iter().map(|s| s.width()).sum();
                let pretty = if logs.readable_json {
                    l.readable.as_ref()
                } else {
                    None
                };
                let texts: Vec<&str> = match pretty {
                    Some(lines) => lines.iter().map(String::as_str).collect(),
                    None => vec![l.text.as_str()],
                };
                let mut rows = Vec::new();
                for (n, t) in texts.iter().enumerate() {
                    let mut spans = if n == 0 {
                        prefix.clone()
                    } else {
                        vec![Span::raw(" ".repeat(indent))]
                    };
                    spans.extend(text_spans(t, state, theme));
                    if logs.wrap {
                        rows.extend(wrap_spans(spans, width));
                    } else {
                        rows.push(fit_line(Line::from(spans), width));
                    }
                }
                rows
            }
            Entry::Divider { .. } | Entry::Gap { .. } => divider(e, state, theme, width),
        };
        // Before this entry only the streams read whole are complete.
        if let Some((at, edge)) = edge
            && at == i
        {
            let words = format!(
                " older lines of busier streams are not loaded · [ loads the hour before {} ",
                crate::ui::text::clock(edge)
            );
            let words = fit(&words, width.saturating_sub(4));
            let side =
                width.saturating_sub(unicode_width::UnicodeWidthStr::width(words.as_str())) / 2;
            let rule = "┄".repeat(side);
            rows.insert(
                0,
                Line::from(Span::styled(format!("{rule}{words}{rule}"), theme.dim())),
            );
        }
        // The match n/N went to stands out from the others.
        if current == Some(i) {
            rows = rows
                .into_iter()
                .map(|r| r.patch_style(theme.cursor()))
                .collect();
        }
        Some(rows)
    };
    let Some(bottom) = logs.anchor().or(logs.len().checked_sub(1)) else {
        return Vec::new();
    };
    // Upwards from the bottom line until the pane is full.
    let mut above: Vec<Vec<Line<'static>>> = Vec::new();
    let mut used = 0;
    let mut i = bottom;
    loop {
        if let Some(r) = entry_rows(i) {
            used += r.len();
            above.push(r);
        }
        if used >= height || i == 0 {
            break;
        }
        i -= 1;
    }
    let mut out: Vec<Line<'static>> = above.into_iter().rev().flatten().collect();
    if out.len() > height {
        out.drain(..out.len() - height);
        return out;
    }
    // Paused near the top (`g`): the oldest screenful, not one line and
    // blank rows below it.
    if logs.anchor().is_some() {
        let mut j = bottom + 1;
        while out.len() < height && j < logs.len() {
            if let Some(r) = entry_rows(j) {
                out.extend(r);
            }
            j += 1;
        }
        out.truncate(height);
    }
    out
}

fn title(state: &State, theme: &Theme) -> Line<'static> {
    let names = state.log_containers();
    let mut spans = vec![Span::styled(" Logs ", theme.title())];
    for (i, n) in names.iter().enumerate() {
        let hidden = state.logs.is_hidden(n);
        let style = if hidden {
            theme.dim().add_modifier(Modifier::CROSSED_OUT)
        } else {
            container_style(theme, &names, n)
        };
        spans.push(Span::styled(format!("{}:{n}", i + 1), style));
        spans.push(Span::raw(" "));
    }
    if let Some(t) = state.logs.only_task() {
        spans.push(Span::styled(
            format!("task {} only · Esc: every task ", crate::model::short_id(t)),
            theme.warn(),
        ));
    }
    if let Some(f) = state.logs.filter() {
        let mode = if f.is_regex() { "regex" } else { "text" };
        let how = if f.only_matches { "only" } else { "lit" };
        let count = match state.logs.match_ordinal() {
            Some(n) => format!("{n}/{}", state.logs.match_count()),
            None => state.logs.match_count().to_string(),
        };
        spans.push(Span::styled(
            format!("/{}/ {mode}, {how}, {count} matches ", f.text),
            theme.warn(),
        ));
    }
    Line::from(spans)
}

fn status(state: &State, theme: &Theme) -> Line<'static> {
    let logs = &state.logs;
    let rate = logs
        .calls_per_s()
        .map(|r| format!(" · {r:.1} calls/s"))
        .unwrap_or_default();
    let mut spans = Vec::new();
    if logs.anchor().is_some() {
        // What the view would show below, not lines the filter hides.
        let newer = logs.newer_visible();
        spans.push(Span::styled(
            format!(" PAUSED · {newer} newer · End follows "),
            theme.warn().add_modifier(Modifier::BOLD),
        ));
    } else {
        spans.push(Span::styled(
            format!(
                " following {} stream{}{rate} ",
                logs.following,
                if logs.following == 1 { "" } else { "s" }
            ),
            theme.dim(),
        ));
    }
    if let Some((from, to)) = logs.loading {
        spans.push(Span::styled(
            format!(
                " loading {}–{}… ",
                crate::ui::text::clock(from),
                crate::ui::text::clock(to)
            ),
            theme.warn(),
        ));
    } else if logs.anchor().is_some() && logs.at_top() {
        spans.push(Span::styled(" [ loads the hour before ", theme.dim()));
    }
    let (fresh, _) = freshness(&logs.status, state, theme);
    spans.extend(fresh.spans);
    Line::from(spans)
}

pub fn draw(f: &mut Frame, area: Rect, state: &State, theme: &Theme, focused: bool) {
    if area.height < 3 || area.width < 10 {
        return;
    }
    let logs = &state.logs;
    let width = area.width.saturating_sub(2) as usize;
    let mut height = area.height.saturating_sub(2) as usize;
    let mut top: Vec<Line<'static>> = Vec::new();
    // Refused credentials are said once, in the banner at the top.
    if let Some(e) = &logs.status.error
        && !(state.paused.is_some() && e.error.kind == crate::model::error::ErrorKind::Credentials)
    {
        top.push(Line::from(Span::styled(
            format!("⚠ {}", e.error.operator_text()),
            theme.warn(),
        )));
    }
    for p in logs.problems.iter().take(2) {
        top.push(Line::from(Span::styled(format!("⚠ {p}"), theme.warn())));
    }
    for n in logs.notes.iter().rev().take(2) {
        top.push(Line::from(Span::styled(n.clone(), theme.dim())));
    }
    if let Some(n) = &logs.notice {
        top.push(Line::from(Span::styled(n.clone(), theme.good())));
    }
    let mut bottom: Vec<Line<'static>> = Vec::new();
    if let Some(p) = state.prompt() {
        let spans = vec![
            Span::styled(if p.regex { "regex /" } else { "text /" }, theme.key()),
            Span::raw(p.text.clone()),
            Span::styled("█", theme.key()),
            Span::styled(format!("   {}", keys::PROMPT_HELP), theme.dim()),
        ];
        // A bad regex's message keeps its lines (it points at the error
        // with a caret), above the prompt.
        if let Some(e) = &p.error {
            for l in e.lines().filter(|l| !l.trim().is_empty()) {
                bottom.push(Line::from(Span::styled(l.to_string(), theme.bad())));
            }
        }
        bottom.push(Line::from(spans));
    }
    top.truncate(height.saturating_sub(bottom.len() + 1));
    height = height.saturating_sub(top.len() + bottom.len());
    let mut body = window(state, theme, width, height);
    if body.is_empty() {
        body = empty_text(state, theme);
    }
    let lines: Vec<Line<'static>> = top
        .into_iter()
        .chain(body)
        .map(|l| fit_line(l, width))
        .chain(bottom.into_iter().map(|l| fit_line(l, width)))
        .collect();
    let status = status(state, theme);
    let room = (area.width as usize).saturating_sub(status.width() + 3);
    let title = fit_line(title(state, theme), room);
    f.render_widget(
        Paragraph::new(lines).block(block(title, status, focused, theme)),
        area,
    );
}

fn empty_text(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let Some(td) = state.task_def() else {
        return match &state.world.task_defs.error {
            Some(e) => vec![Line::from(Span::styled(
                format!(
                    "needs the task definition (its log configuration): {}",
                    e.error.operator_text()
                ),
                theme.bad(),
            ))],
            None => vec![Line::from(Span::styled("loading…", theme.dim()))],
        };
    };
    let (_, bad) = log_sources(td, &[]);
    let mut out = Vec::new();
    let followable = td.containers.len() - bad.len();
    if followable == 0 {
        out.push(Line::from(Span::styled(
            "no container uses the awslogs driver with a stream prefix: nothing to follow",
            theme.warn(),
        )));
    } else if state.logs.filter().is_some() && !state.logs.is_empty() {
        out.push(Line::from(Span::styled(
            "no line matches the filter",
            theme.dim(),
        )));
    } else {
        out.push(Line::from(Span::styled(
            "waiting for log lines…",
            theme.dim(),
        )));
    }
    for b in bad {
        out.push(Line::from(Span::styled(
            format!("{}: {}", b.container, b.why),
            theme.warn(),
        )));
    }
    out
}

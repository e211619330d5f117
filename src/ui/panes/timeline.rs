//! The restart timeline: each step of the replacement with its time since
//! the stop; AWS's own times plain, polled ones with their uncertainty.

use ratatui::text::{Line, Span};

use crate::app::State;
use crate::model::short_id;
use crate::model::timeline::{Step, Timeline};
use crate::ui::Theme;
use crate::ui::pane::{Content, title};
use crate::ui::text::fit;

fn secs(v: f64) -> String {
    format!("{:+.1}s", v)
}

/// Where the replacement stands, in a few words.
fn standing(tl: &Timeline, probed: bool) -> (String, bool) {
    if let Some(m) = tl.steps.get(&Step::NewStopped) {
        return (
            format!(
                "the replacement STOPPED at {}: {}",
                secs(tl.offset(m.at)),
                m.note.as_deref().unwrap_or("no reason given")
            ),
            true,
        );
    }
    if tl.back(probed) {
        let last = tl.ordered().last().map(|(_, m)| m.at).unwrap_or(tl.began);
        return (format!("back after {:.1} s", tl.offset(last)), false);
    }
    ("in progress".into(), false)
}

pub fn timeline(state: &State, theme: &Theme, width: usize) -> Option<Content> {
    let tl = state.timeline.current.as_ref()?;
    let probed = state.ctx.probe.is_some();
    let (words, bad) = standing(tl, probed);
    let new = tl
        .new_task
        .as_deref()
        .map(|n| format!(" → {}", short_id(n)))
        .unwrap_or_default();
    let extra = format!("task {}{new} · {words} · x dismiss", short_id(&tl.old_task));
    // The outage and the records first: on a short pane the tail, the
    // newest step, is what shows.
    let mut lines = Vec::new();
    if let Some((from, to)) = tl.outage {
        let span = match to {
            Some(to) => format!(
                "probe: down from {} to {} ({:.1} s)",
                secs(tl.offset(from)),
                secs(tl.offset(to)),
                (to - from).num_milliseconds() as f64 / 1000.0
            ),
            None => format!("probe: down since {}", secs(tl.offset(from))),
        };
        lines.push(Line::from(Span::styled(span, theme.warn())));
    }
    if tl.records_before.is_some() || tl.records_after.is_some() {
        let n = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
        let dropped = matches!((tl.records_before, tl.records_after), (Some(b), Some(a)) if a < b);
        lines.push(Line::from(Span::styled(
            format!(
                "records: {} before → {} after{}",
                n(tl.records_before),
                n(tl.records_after),
                if dropped { "  ⚠ fewer records" } else { "" }
            ),
            if dropped { theme.bad() } else { theme.dim() },
        )));
    }
    for (step, m) in tl.ordered() {
        let within = m
            .within
            .map(|d| format!("  (polled: within {} s before)", d.as_secs().max(1)))
            .unwrap_or_default();
        let note = m
            .note
            .as_deref()
            .map(|n| format!("  {n}"))
            .unwrap_or_default();
        let style = if step == Step::NewStopped {
            theme.bad()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>8}  ", secs(tl.offset(m.at))), theme.dim()),
            Span::styled(format!("{:<38}", step.words()), style),
            Span::styled(
                fit(&format!("{within}{note}"), width.saturating_sub(48)),
                theme.dim(),
            ),
        ]));
    }
    let mut t = title("Restart", &extra, theme);
    if bad {
        t = t.style(theme.bad());
    }
    let last = lines.len().checked_sub(1);
    Some(Content {
        notice: None,
        title: t,
        status: if width >= 100 {
            Line::from(Span::styled(
                " AWS times; polled steps say so ",
                theme.dim(),
            ))
        } else {
            Line::default()
        },
        lines,
        // Short of room, the newest steps are the ones shown.
        cursor_line: last,
    })
}

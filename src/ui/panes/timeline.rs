//! The restart timeline: each step of the replacement with its time since
//! the stop; AWS's own times plain, polled ones with their uncertainty.

use ratatui::text::{Line, Span};

use crate::app::State;
use crate::model::probe::Count;
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
    let tl = state.world.timeline.current.as_ref()?;
    let probed = state.ctx.probe.is_some();
    let (words, bad) = standing(tl, probed);
    let new = tl
        .new_task
        .as_deref()
        .map(|n| format!(" → {}", short_id(n)))
        .unwrap_or_default();
    // The outage and the records in the title: a short pane keeps them.
    let mut summary = Vec::new();
    if let Some((from, to)) = tl.outage {
        summary.push(match to {
            Some(to) => format!(
                "probe down {:.1} s from {}",
                (to - from).num_milliseconds() as f64 / 1000.0,
                secs(tl.offset(from)),
            ),
            None => format!("probe down since {}", secs(tl.offset(from))),
        });
    }
    let dropped =
        matches!((tl.records_before, tl.records_after), (Some(b), Some(a)) if a.fewer_than(b));
    if tl.records_before.is_some() || tl.records_after.is_some() {
        let n = |v: Option<Count>| v.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
        summary.push(format!(
            "records {} → {}{}",
            n(tl.records_before),
            n(tl.records_after),
            if dropped { " ⚠ FEWER" } else { "" }
        ));
    }
    let summary: String = summary.iter().map(|s| format!(" · {s}")).collect();
    let extra = format!(
        "task {}{new} · {words}{summary} · x dismiss",
        short_id(&tl.old_task)
    );
    let bad = bad || dropped;
    let mut lines = Vec::new();
    for (step, m) in tl.ordered() {
        let (within, note) = (m.polled_words(), m.note_words());
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
        status: Line::default(),
        lines,
        // Short of room, the newest steps are the ones shown.
        cursor_line: last,
    })
}

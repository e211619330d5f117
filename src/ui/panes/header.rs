//! The header line: where this is, who is looking, and the verdict.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use crate::app::State;
use crate::model::arn_tail;
use crate::model::derive::Health;
use crate::ui::Theme;
use crate::ui::text::fit;

pub fn header(state: &State, theme: &Theme, width: u16) -> Line<'static> {
    let ctx = &state.ctx;
    let width = width as usize;
    let mut spans = vec![Span::styled(" ecsdeck ", theme.title())];
    let narrow = width < 100;
    if ctx.demo {
        let label = if narrow {
            " DEMO "
        } else {
            " DEMO (simulated) "
        };
        spans.push(Span::styled(label, theme.demo()));
    }
    if narrow {
        spans.push(Span::raw(format!(
            " {} / {} ",
            ctx.target.cluster, ctx.target.service
        )));
    } else {
        spans.push(Span::raw(format!(
            " {} / {}  {} ",
            ctx.target.cluster, ctx.target.service, ctx.region
        )));
    }
    if ctx.read_only {
        spans.push(Span::styled(" read-only ", theme.dim()));
    }
    // Two tasks up at once on a database's EFS volume: the single-writer
    // trap happening now. Said in red before anything else.
    if let Some(w) = state
        .warnings()
        .iter()
        .find(|w| w.kind == crate::model::derive::WarningKind::LiveOverlap)
    {
        let ids = w.tasks.join(", ");
        let n = w.tasks.len();
        // Short on a narrow screen: the verdict must keep its place.
        let text = if width < 120 {
            format!(" ⚠ {n} TASKS/VOLUME ")
        } else {
            format!(" ⚠ {n} TASKS ON ONE VOLUME: {ids} ")
        };
        spans.push(Span::styled(text, theme.bad()));
    }
    let v = state.verdict();
    let style = match v.health {
        Health::Healthy => theme.good(),
        Health::Degraded => theme.warn(),
        Health::Down => theme.bad(),
        Health::Unknown => theme.dim(),
    };
    let verdict = format!("● {}  ", v.health.word());
    let used: usize = spans.iter().map(|s| s.width()).sum::<usize>() + verdict.width() + 1;
    // The verdict's reason matters more than who is logged in: it gets the
    // room first, the identity whatever is left.
    let reason = fit(&v.reason, width.saturating_sub(used));
    let mut left = width.saturating_sub(used + reason.width());
    let identity = match (state.world.identity.get(), &state.world.identity.error) {
        (Some(_), _) if ctx.redact => Some((" account redacted ".to_string(), theme.dim())),
        (Some(id), _) => Some((
            format!(" {} {} ", id.account, arn_tail(&id.arn)),
            theme.dim(),
        )),
        (None, Some(e)) => Some((
            format!(" identity: {} ", e.error.operator_text()),
            theme.warn(),
        )),
        _ => None,
    };
    if let Some((text, st)) = identity
        && left > 12
    {
        let text = fit(&text, left - 2);
        left -= text.width();
        spans.push(Span::styled(text, st));
    }
    spans.push(Span::raw(" ".repeat(left)));
    spans.push(Span::styled(verdict, style));
    spans.push(Span::styled(reason, style));
    Line::from(spans)
}

/// The row under the header while AWS polling is paused because the
/// credentials were refused: said once, here, not in every pane.
pub fn paused(state: &State, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let Some(p) = state.paused.as_ref() else {
        return Vec::new();
    };
    let e = &p.error;
    let expired = e
        .code
        .as_deref()
        .is_some_and(|c| c.starts_with("ExpiredToken"))
        || e.message.to_ascii_lowercase().contains("expired");
    let what = if expired {
        "credentials expired"
    } else {
        "credentials refused"
    };
    let todo = e
        .hint
        .clone()
        .unwrap_or_else(|| "refresh the credentials".into());
    let next = match p.next_try_in {
        Some(d) if d.as_secs() > 0 => format!("next try in {} s", d.as_secs()),
        _ => "trying now".into(),
    };
    let refused = match p.tries {
        0 => String::new(),
        1 => " (1 try refused)".into(),
        n => format!(" ({n} tries refused)"),
    };
    // What to do first; the rest on as many as two rows, each part whole.
    let parts = [
        format!("⚠ {what}: {todo}"),
        format!(
            "AWS polling paused {}{refused}",
            crate::ui::text::age(p.since, state.now)
        ),
        format!("{next}, r: now"),
        "the probe goes on".to_string(),
    ];
    let width = width as usize;
    let mut rows: Vec<String> = Vec::new();
    let mut row = String::from(" ");
    for part in parts {
        let sep = if row.trim().is_empty() { "" } else { " · " };
        if sep.is_empty() || row.width() + sep.width() + part.width() <= width {
            row.push_str(sep);
            row.push_str(&part);
        } else if rows.is_empty() {
            rows.push(std::mem::replace(&mut row, format!("   {part}")));
        } else {
            break;
        }
    }
    rows.push(row);
    rows.into_iter()
        .map(|r| Line::from(Span::styled(fit(&r, width), theme.bad())))
        .collect()
}

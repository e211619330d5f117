//! The Load balancer pane: targets with state and reason, the health
//! check, and the listeners.

use ratatui::text::{Line, Span};

use crate::app::{Pane, State};
use crate::model::derive::{self};
use crate::ui::Theme;
use crate::ui::pane::{Content, freshness, placeholder, title, waiting};
use crate::ui::text::{fit, pad};

pub fn targets(state: &State, theme: &Theme, width: usize) -> Content {
    let (status, notice) = freshness(&state.world.targets, state, theme);
    let Some(snap) = state.world.service.get() else {
        return waiting(
            "Load balancer",
            status,
            notice,
            placeholder(&state.world.service, "service", theme, width),
            theme,
        );
    };
    if snap.load_balancers.is_empty() {
        return waiting(
            "Load balancer",
            Line::from(""),
            notice,
            vec![Line::from(Span::styled(
                "the service has no load balancer",
                theme.dim(),
            ))],
            theme,
        );
    }
    let Some(groups) = state.world.targets.get() else {
        return waiting(
            "Load balancer",
            status,
            notice,
            placeholder(&state.world.targets, "target groups", theme, width),
            theme,
        );
    };
    let mut lines = Vec::new();
    let mut cursor_line = None;
    let mut row = 0;
    let mut extra = String::new();
    // As wide as the longest address, so states line up.
    let addr_w = groups
        .iter()
        .flat_map(|g| g.targets.iter())
        .map(|t| t.id.len() + 1 + t.port.map_or(0, |p| p.to_string().len()))
        .max()
        .unwrap_or(0)
        .max(12);
    for (gi, g) in groups.iter().enumerate() {
        extra = g.name.clone();
        let settings = health_check_words(g, groups.len() > 1);
        if groups.len() > 1 {
            lines.push(Line::from(Span::styled(
                fit(&settings, width),
                theme.title(),
            )));
        }
        if g.targets.is_empty() {
            lines.push(Line::from(Span::styled(
                "no registered targets: nothing can serve traffic",
                theme.bad(),
            )));
        }
        for (ti, t) in g.targets.iter().enumerate() {
            if state.focus == Pane::Targets && row == state.cursor[Pane::Targets.index()] {
                cursor_line = Some(lines.len());
            }
            row += 1;
            let owner = state.target_owner(gi, ti).map(|t| t.short());
            lines.push(target_line(t, owner, addr_w, theme, width));
        }
        // Below the targets (on a small screen they matter most), unless
        // several groups need it as their heading.
        if groups.len() == 1 {
            lines.push(Line::from(Span::styled(fit(&settings, width), theme.dim())));
        }
        for lb in &g.load_balancers {
            if let Some(why) = &lb.unreadable {
                lines.push(Line::from(Span::styled(
                    fit(&format!("{}: listeners unknown — {why}", lb.name), width),
                    theme.warn(),
                )));
            }
            for l in &lb.listeners {
                lines.push(Line::from(Span::styled(
                    fit(
                        &format!(
                            "{}  {} {}",
                            crate::model::lb::listener_url(lb, l),
                            lb.name,
                            lb.state.as_deref().unwrap_or("")
                        ),
                        width,
                    ),
                    theme.dim(),
                )));
            }
        }
    }
    if groups.len() > 1 {
        extra = format!("{} target groups", groups.len());
    }
    Content {
        notice,
        title: title("Load balancer", &extra, theme),
        status,
        lines,
        cursor_line,
    }
}

/// The health check, in the terms that decide how long a new task waits
/// for traffic and an old one drains; named when there are several groups.
fn health_check_words(g: &crate::model::TargetGroup, named: bool) -> String {
    let hc = &g.health_check;
    format!(
        "{}{} {} every {}s · recovers after {}{} · drain {}",
        if named {
            format!("{}: ", g.name)
        } else {
            String::new()
        },
        hc.protocol.as_deref().unwrap_or(""),
        hc.path.as_deref().unwrap_or(""),
        hc.interval_s.unwrap_or(0),
        hc.healthy_threshold.unwrap_or(0),
        derive::time_to_healthy_s(g)
            .map(|s| format!(" ({s}s)"))
            .unwrap_or_default(),
        g.deregistration_delay_s
            .map(|d| format!("{d}s"))
            .unwrap_or_else(|| "?".into())
    )
}

/// A target: its address, state, reason and the task behind it.
fn target_line(
    t: &crate::model::Target,
    owner: Option<&str>,
    addr_w: usize,
    theme: &Theme,
    width: usize,
) -> Line<'static> {
    let addr = format!(
        "{}:{}",
        t.id,
        t.port.map(|p| p.to_string()).unwrap_or_default()
    );
    // The reason code is what an operator searches for; the description
    // only when there is room for it.
    let why = match (t.reason.as_deref(), t.description.as_deref()) {
        (Some(r), Some(d)) if width >= 90 => format!("{r}: {d}"),
        (Some(r), _) => r.to_string(),
        (None, Some(d)) => d.to_string(),
        (None, None) => String::new(),
    };
    let who = match owner {
        Some(task) => format!("→ {task}"),
        None => "→ no task".into(),
    };
    let fixed = addr_w + 1 + 10 + who.len() + 2;
    Line::from(vec![
        Span::raw(format!("{} ", pad(&addr, addr_w))),
        Span::styled(pad(&t.state, 9), theme.status(&t.state)),
        Span::raw(" "),
        Span::styled(pad(&why, width.saturating_sub(fixed)), theme.dim()),
        Span::raw(" "),
        Span::raw(who),
    ])
}

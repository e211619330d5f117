//! The whole screen: the header, the panes laid out for the terminal's
//! size (or one pane zoomed), the key-hint bar and any dialog on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::pane::{Content, WHOLE, draw, draw_whole};
use super::panes::{self, logs};
use super::{Theme, dialogs, keys, text};
use crate::app::{Action, Pane, State};

pub fn render(state: &State, theme: &Theme, f: &mut Frame) {
    let area = f.area();
    let paused = panes::header::paused(state, theme, area.width);
    let [header, banner, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(paused.len() as u16),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(panes::header::header(state, theme, area.width)),
        header,
    );
    if !paused.is_empty() {
        f.render_widget(Paragraph::new(paused), banner);
    }
    f.render_widget(Paragraph::new(hint_bar(state, theme, area.width)), footer);

    if state.logs.full || (state.zoom && state.focus == Pane::Logs) {
        logs::draw(f, body, state, theme, true);
    } else if state.zoom && state.focus == Pane::Probe {
        // Laid out at the real width: its strips are as wide as the
        // screen, and the rows below hold the recent samples.
        let c = panes::probe::probe(
            state,
            theme,
            body.width.saturating_sub(2) as usize,
            body.height.saturating_sub(2) as usize,
        );
        draw(f, body, c, true, theme);
    } else if state.zoom {
        // Laid out wide, then wrapped: a zoomed pane shows every id and
        // message whole.
        let c = pane_content(state, theme, state.focus, WHOLE as u16 + 2);
        draw_whole(f, body, c, theme);
    } else {
        body_layout(state, theme, f, body);
    }
    if state.help_open() {
        dialogs::help::draw(state, theme, f, area);
    }
    if state.confirm().is_some() {
        dialogs::confirm::draw(state, theme, f, area);
    }
    dialogs::drill::draw(state, theme, f, area);
    dialogs::exec::draw(state, theme, f, area);
    dialogs::switch::draw(state, theme, f, area);
    if state.ctx.redact {
        // From the first frame: before the caller's identity is known (or
        // when STS cannot be reached) every ARN's account field is masked;
        // once it is, the account wherever it stands.
        redact_arns(f.buffer_mut());
        if let Some(id) = state.world.identity.get() {
            redact(f.buffer_mut(), &id.account);
        }
    }
}

/// One row of the screen, a character a cell.
fn row_chars(buf: &ratatui::buffer::Buffer, y: u16) -> Vec<char> {
    let area = buf.area;
    (area.left()..area.right())
        .map(|x| buf[(x, y)].symbol().chars().next().unwrap_or(' '))
        .collect()
}

/// The account field of every ARN on screen (`arn:aws:ecs:region:ACCOUNT:`).
fn redact_arns(buf: &mut ratatui::buffer::Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let row = row_chars(buf, y);
        let mut i = 0;
        while i + 4 <= row.len() {
            if row[i..i + 4] != ['a', 'r', 'n', ':'] {
                i += 1;
                continue;
            }
            // Past partition, service and region to the account field.
            let mut at = i + 4;
            let mut colons = 0;
            while at < row.len() && colons < 3 {
                if row[at] == ':' {
                    colons += 1;
                } else if row[at] == ' ' {
                    break;
                }
                at += 1;
            }
            let digits = row[at.min(row.len())..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if colons == 3 && digits == 12 && row.get(at + 12) == Some(&':') {
                for k in 0..12 {
                    buf[(area.left() + (at + k) as u16, y)].set_symbol("•");
                }
            }
            i = at.max(i + 1);
        }
    }
}

/// `--redact`: the account id is masked wherever it shows (ARNs in stop
/// reasons, events, the zoomed panes), after everything is drawn, so no
/// pane can forget to.
fn redact(buf: &mut ratatui::buffer::Buffer, account: &str) {
    let digits: Vec<char> = account.chars().collect();
    if digits.len() < 6 {
        return;
    }
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let row = row_chars(buf, y);
        let mut i = 0;
        while i + digits.len() <= row.len() {
            // A whole number only: not the middle of a longer one.
            let bounded = (i == 0 || !row[i - 1].is_ascii_digit())
                && row
                    .get(i + digits.len())
                    .is_none_or(|c| !c.is_ascii_digit());
            if bounded && row[i..i + digits.len()] == digits[..] {
                for k in 0..digits.len() {
                    buf[(area.left() + (i + k) as u16, y)].set_symbol("•");
                }
                i += digits.len();
            } else {
                i += 1;
            }
        }
    }
}

fn pane_content(state: &State, theme: &Theme, pane: Pane, width: u16) -> Content {
    let inner = width.saturating_sub(2) as usize;
    match pane {
        Pane::Service => panes::service::service(state, theme, inner),
        Pane::Tasks => panes::tasks::tasks(state, theme, inner),
        Pane::Containers => panes::containers::containers(state, theme, inner),
        Pane::Targets => panes::targets::targets(state, theme, inner),
        Pane::Efs => panes::efs::efs(state, theme, inner),
        Pane::Events => panes::events::events(state, theme, inner),
        Pane::Probe => panes::probe::probe(state, theme, inner, 4),
        // Drawn by `logs::draw`, which needs the height.
        Pane::Logs => panes::events::events(state, theme, inner),
    }
}

/// The panes of the dashboard's body, laid out for its width, and the
/// heights they want before the logs take their share.
struct Panes {
    svc: Content,
    tasks: Content,
    conts: Content,
    lb: Content,
    efs: Content,
    events: Content,
    /// While a restart is told, its timeline takes the events' place.
    restart: Option<Content>,
    probe: Option<Content>,
    left_w: u16,
    tall: bool,
    svc_h: u16,
    mid_h: u16,
    probe_h: u16,
    /// The rows left once the logs have theirs.
    room: u16,
}

/// A pane's height for its lines (and borders), within `min..=max`.
fn rows(c: &Content, min: u16, max: u16) -> u16 {
    (c.lines.len() as u16 + 2).clamp(min, max)
}

fn body_layout(state: &State, theme: &Theme, f: &mut Frame, body: Rect) {
    let wide = body.width >= 110;
    let tall = body.height >= 34;
    let left_pct = if wide { 58 } else { 55 };
    let left_w = (body.width as u32 * left_pct / 100) as u16;
    let right_w = body.width - left_w;
    let full = body.width.saturating_sub(2) as usize;
    let (tasks_w, cont_w) = if wide {
        (left_w, right_w)
    } else {
        (body.width, body.width)
    };
    let svc = panes::service::service(state, theme, full);
    let lb = panes::targets::targets(state, theme, left_w.saturating_sub(2) as usize);
    let efs = panes::efs::efs(state, theme, right_w.saturating_sub(2) as usize);
    let probe = state
        .ctx
        .probe
        .is_some()
        .then(|| panes::probe::probe(state, theme, full, 4));
    // The service box grows with its warnings, but never crowds out the
    // tasks and targets.
    let svc_h = rows(&svc, 3, if tall { 9 } else { 5 });
    let mid_h =
        rows(&lb, 4, if tall { 10 } else { 5 }).max(rows(&efs, 4, if tall { 10 } else { 5 }));
    // The probe sits under the load balancer, full width: its strips need
    // the room. One line on a small screen, up to four on a tall one.
    let probe_max = if tall {
        6
    } else if wide {
        4
    } else {
        3
    };
    let probe_h = probe.as_ref().map_or(0, |c| rows(c, 3, probe_max));
    // The logs keep a third of the screen (6 lines at least): during a
    // restart they are half of what the operator watches. The other panes
    // give up rows to them, the least needed first.
    let screen_rows = body.height + 2;
    let logs_min = (screen_rows / 3).max(8);
    let p = Panes {
        svc,
        tasks: panes::tasks::tasks(state, theme, tasks_w.saturating_sub(2) as usize),
        conts: panes::containers::containers(state, theme, cont_w.saturating_sub(2) as usize),
        lb,
        efs,
        events: panes::events::events(state, theme, full),
        restart: panes::timeline::timeline(state, theme, full),
        probe,
        left_w,
        tall,
        svc_h,
        mid_h,
        probe_h,
        room: body.height.saturating_sub(logs_min),
    };
    if wide {
        wide_layout(state, theme, f, body, p);
    } else {
        narrow_layout(state, theme, f, body, p);
    }
}

/// Side by side: tasks beside containers, the load balancer beside EFS.
fn wide_layout(state: &State, theme: &Theme, f: &mut Frame, body: Rect, p: Panes) {
    let focus = |x: Pane| state.focus == x;
    let tall = p.tall;
    let mut row1_h = rows(&p.tasks, 4, if tall { 10 } else { 6 }).max(rows(
        &p.conts,
        4,
        if tall { 10 } else { 6 },
    ));
    let (mut ev_h, ev_min) = match &p.restart {
        Some(r) => (rows(r, 4, if tall { 18 } else { 8 }), 6),
        None => (rows(&p.events, 3, if tall { 7 } else { 4 }), 3),
    };
    let (mut svc_h, mut mid_h, mut probe_h) = (p.svc_h, p.mid_h, p.probe_h);
    let probe_min = probe_h.min(3);
    // A restart's timeline is the story being told (its target steps
    // among it): the load balancer and EFS give up their rows first.
    if p.restart.is_some() {
        let probe_keep = probe_h.min(5);
        let mid_floor = if focus(Pane::Targets) || focus(Pane::Efs) {
            4
        } else {
            0
        };
        squeeze(
            p.room,
            &mut [
                (&mut mid_h, mid_floor),
                (&mut row1_h, 4),
                (&mut ev_h, ev_min),
                // The probe keeps its outage in words (`503 ×4: …`).
                (&mut probe_h, probe_keep),
                (&mut svc_h, 3),
            ],
        );
    } else {
        squeeze(
            p.room,
            &mut [
                (&mut ev_h, ev_min),
                (&mut mid_h, 4),
                (&mut probe_h, probe_min),
                (&mut row1_h, 4),
                (&mut svc_h, 3),
            ],
        );
    }
    let [s, row1, row2, pr, ev, lg] = Layout::vertical([
        Constraint::Length(svc_h),
        Constraint::Length(row1_h),
        Constraint::Length(mid_h),
        Constraint::Length(probe_h),
        Constraint::Length(ev_h),
        Constraint::Min(3),
    ])
    .areas(body);
    if let Some(c) = p.probe {
        draw(f, pr, c, focus(Pane::Probe), theme);
    }
    logs::draw(f, lg, state, theme, focus(Pane::Logs));
    draw(f, s, p.svc, focus(Pane::Service), theme);
    let halves = |r: Rect| {
        Layout::horizontal([Constraint::Length(p.left_w), Constraint::Min(0)]).areas::<2>(r)
    };
    let [t, c] = halves(row1);
    draw(f, t, p.tasks, focus(Pane::Tasks), theme);
    draw(f, c, p.conts, focus(Pane::Containers), theme);
    let [l, e] = halves(row2);
    draw(f, l, p.lb, focus(Pane::Targets), theme);
    draw(f, e, p.efs, focus(Pane::Efs), theme);
    match p.restart {
        Some(r) => draw(f, ev, r, false, theme),
        None => draw(f, ev, p.events, focus(Pane::Events), theme),
    }
}

/// One pane a row; events and logs share the last slot on a small screen:
/// the one focused last is shown (logs by default).
fn narrow_layout(state: &State, theme: &Theme, f: &mut Frame, body: Rect, p: Panes) {
    let focus = |x: Pane| state.focus == x;
    // A restart's timeline needs its title and two steps beside the logs.
    let room = if p.restart.is_some() {
        p.room.saturating_sub(4)
    } else {
        p.room
    };
    let (mut svc_h, mut tasks_h, mut conts_h, mut probe_h) = (
        rows(&p.svc, 3, 5),
        rows(&p.tasks, 3, 5),
        rows(&p.conts, 3, 4),
        p.probe_h,
    );
    let mut mid_h = p.mid_h.min(5);
    let probe_min = probe_h.min(3);
    // During a restart the timeline tells the containers' story and
    // shares the last slot with the logs: the containers give up their
    // rows unless focused, and the service keeps one line.
    if p.restart.is_some() {
        if !focus(Pane::Containers) {
            conts_h = 0;
        }
        svc_h = svc_h.min(3);
    }
    let rest = svc_h + tasks_h + conts_h + mid_h;
    squeeze(room.saturating_sub(rest), &mut [(&mut probe_h, probe_min)]);
    // Short of rows, the load balancer and EFS give theirs up first
    // (the header keeps the targets' count; Tab brings them back).
    if svc_h + tasks_h + conts_h + probe_h + mid_h > room
        && !(focus(Pane::Targets) || focus(Pane::Efs))
    {
        mid_h = 0;
    }
    let mid_min = mid_h.min(4);
    squeeze(
        room.saturating_sub(probe_h),
        &mut [
            (&mut mid_h, mid_min),
            (&mut tasks_h, 3),
            (&mut svc_h, 3),
            (&mut conts_h, 3),
        ],
    );
    let [s, t, c, row, pr, ev] = Layout::vertical([
        Constraint::Length(svc_h),
        Constraint::Length(tasks_h),
        Constraint::Length(conts_h),
        Constraint::Length(mid_h),
        Constraint::Length(probe_h),
        Constraint::Min(3),
    ])
    .areas(body);
    if let Some(c) = p.probe {
        draw(f, pr, c, focus(Pane::Probe), theme);
    }
    draw(f, s, p.svc, focus(Pane::Service), theme);
    draw(f, t, p.tasks, focus(Pane::Tasks), theme);
    draw(f, c, p.conts, focus(Pane::Containers), theme);
    let [l, e] = Layout::horizontal([Constraint::Length(p.left_w), Constraint::Min(0)]).areas(row);
    draw(f, l, p.lb, focus(Pane::Targets), theme);
    draw(f, e, p.efs, focus(Pane::Efs), theme);
    if let Some(r) = p.restart {
        // The newest steps above the logs' 6 lines (half the slot on a
        // smaller screen).
        let logs_h = if ev.height >= 8 + 4 { 8 } else { ev.height / 2 };
        let tl_h = rows(&r, 3, 10).min(ev.height.saturating_sub(logs_h));
        let [tl, lg] = Layout::vertical([Constraint::Length(tl_h), Constraint::Min(0)]).areas(ev);
        draw(f, tl, newest(r, tl_h.saturating_sub(2)), false, theme);
        logs::draw(f, lg, state, theme, focus(Pane::Logs));
    } else if focus(Pane::Events) {
        draw(f, ev, p.events, true, theme);
    } else {
        logs::draw(f, ev, state, theme, focus(Pane::Logs));
    }
}

/// The content's last `n` lines: a short timeline shows its newest steps.
fn newest(mut c: Content, n: u16) -> Content {
    let n = usize::from(n);
    if c.lines.len() > n {
        c.lines.drain(..c.lines.len() - n);
        c.cursor_line = None;
    }
    c
}

/// Cuts the heights, least needed first, each down to its minimum, until
/// they fit `room` (or all are at their minimum).
fn squeeze(room: u16, parts: &mut [(&mut u16, u16)]) {
    let mut total: u16 = parts.iter().map(|(h, _)| **h).sum();
    for (h, min) in parts.iter_mut() {
        if total <= room {
            return;
        }
        let cut = (**h).saturating_sub(*min).min(total - room);
        **h -= cut;
        total -= cut;
    }
}

fn hint_bar(state: &State, theme: &Theme, width: u16) -> Line<'static> {
    // When AWS throttles, that comes first: the operator must know why
    // the panels refresh less often.
    let slowed: Vec<String> = state
        .slowed
        .iter()
        .map(|s| format!("{} at 1/{:.0} speed", s.api, (1.0 / s.pace).round()))
        .collect();
    let narrow = width < 100;
    let cadence = match (state.cadence < state.ctx.refresh, narrow) {
        (true, false) => format!(
            "polling {} (changing) · ",
            humantime::format_duration(state.cadence)
        ),
        (true, true) => format!("poll {} · ", humantime::format_duration(state.cadence)),
        (false, _) => String::new(),
    };
    let rate = match state.calls_per_min() {
        Some(r) => format!("{cadence}AWS {r:.0} calls/min "),
        None => format!("{cadence}AWS calls/min: measuring "),
    };
    let (right, right_style) = if !slowed.is_empty() {
        (
            format!("⚠ AWS throttles us: {} · {rate}", slowed.join(", ")),
            theme.warn(),
        )
    } else if state.ctx.demo && !narrow {
        (format!("simulated {rate}"), theme.dim())
    } else {
        (rate, theme.dim())
    };
    // The call rate and the cadence keep their place: hints give way.
    let reserve = right.width() + 1;
    let mut spans = vec![Span::raw(" ")];
    // Help and quit first: on a narrow screen they are the ones that must
    // stay visible; then the actions, the story a demo tells.
    // The shell last: moving about matters more on a narrow screen.
    let first = |b: &&keys::Binding| match b.action {
        Action::Help | Action::Quit => 0,
        Action::Exec | Action::Switch => 3,
        a if a.changes_aws() => 1,
        _ => 2,
    };
    // The drill's window has its own keys; elsewhere the dashboard's.
    let hint_mode = match state.mode() {
        crate::app::Mode::Drill => crate::app::Mode::Drill,
        _ => crate::app::Mode::Dashboard,
    };
    let mut hinted: Vec<&keys::Binding> = keys::bindings(hint_mode, state.ctx.read_only)
        .filter(|b| b.hint.is_some())
        .collect();
    hinted.sort_by_key(first);
    let mut used = 1;
    // The answer to the operator's last action comes before the hints.
    if let Some(n) = &state.notice {
        let room = (width as usize).saturating_sub(right.width() + 3).max(20);
        let text = text::fit(n, room);
        used += text.width() + 2;
        spans.push(Span::styled(format!("{text}  "), theme.warn()));
        hinted.clear();
    }
    for b in hinted {
        let Some(h) = b.hint else { continue };
        let w = b.label.chars().count() + h.chars().count() + 3;
        if used + w + reserve > width as usize {
            break;
        }
        used += w;
        spans.push(Span::styled(b.label, theme.key()));
        spans.push(Span::raw(format!(" {h}  ")));
    }
    let left: usize = spans.iter().map(|s| s.width()).sum();
    let gap = (width as usize).saturating_sub(left + right.width());
    if gap > 0 {
        spans.push(Span::raw(" ".repeat(gap)));
        spans.push(Span::styled(right, right_style));
    } else if !slowed.is_empty() {
        spans.push(Span::styled(
            text::fit(&right, (width as usize).saturating_sub(left)),
            right_style,
        ));
    }
    Line::from(spans)
}

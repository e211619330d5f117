use super::logs::TsMode;
use super::{Action, Effect, Modal, Msg, Pane, Prompt, State};
use crate::model::observe::{Observation, PollEvent, Resource};

const PAGE: usize = 10;

/// The reducer: applies one message to the state and says what work to do.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick(now) => {
            state.now = now;
            let mut out = super::drill::on_tick(state, now);
            out.extend(super::shutdown::on_tick(state, now));
            out
        }
        Msg::Shutdown(why, at) => super::shutdown::shutdown(state, why, at),
        Msg::ApiCalls(at, total) => {
            state.call_rate.record(at, total);
            Vec::new()
        }
        Msg::ApiCallsBy(at, totals) => {
            for (api, n) in totals {
                state.api_rates.entry(api).or_default().record(at, n);
            }
            Vec::new()
        }
        Msg::Slowed(s) => {
            state.slowed = s;
            Vec::new()
        }
        Msg::Paused(p) => {
            state.paused = p;
            Vec::new()
        }
        Msg::Poll(ev) => {
            let (resource, at) = (ev.resource, ev.at);
            let logs_in = resource == Resource::Logs && ev.result.is_ok();
            apply_poll(state, *ev);
            clamp_cursors(state);
            let mut out = super::drill::on_poll(state, resource, at);
            if logs_in {
                out.extend(super::older::at_start(state));
            }
            out
        }
        Msg::History(h) => {
            super::older::answered(state, &h);
            Vec::new()
        }
        Msg::Action(a) => action(state, a),
        Msg::Pressed(a, at) => pressed(state, a, at),
        Msg::Shown(at) => {
            if !state.asked_shown && (state.confirm().is_some() || asking(state)) {
                state.asked_at = Some(at);
                state.asked_shown = true;
            }
            Vec::new()
        }
        Msg::Cadence(d) => {
            state.cadence = d;
            Vec::new()
        }
        Msg::Restarted(r) => {
            super::restart::answered(state, r);
            Vec::new()
        }
        Msg::Drill(m) => super::drill::on_msg(state, m),
        Msg::Exec(o) => {
            super::exec::answered(state, o);
            Vec::new()
        }
        Msg::Listed(n, what) => {
            super::switch::listed(state, n, what);
            Vec::new()
        }
        // The runtime makes the fresh state; a state that hears this
        // (a test, a headless run) only says it.
        Msg::Switched(s) => {
            state.notice = Some(format!("now watching {}/{}", s.cluster, s.service));
            Vec::new()
        }
        Msg::LogsSaved(r) => {
            state.logs.notice = Some(match r {
                Ok(path) => format!("saved to {path}"),
                Err(e) => format!("could not save: {e}"),
            });
            Vec::new()
        }
    }
}

/// The world takes every observation; the logs view keeps its lines and
/// its own status, and learns of the tasks it follows.
fn apply_poll(state: &mut State, ev: PollEvent) {
    let at = ev.at;
    match &ev.result {
        Ok(Observation::Logs(r)) => state.logs.ingest(r, at),
        Err(f) if ev.resource == Resource::Logs => {
            state.logs.status.fail(f.error.clone(), at, f.retry_in)
        }
        _ => {}
    }
    let tasks = ev.resource == Resource::Tasks && ev.result.is_ok();
    state.world.apply(ev);
    if tasks {
        state.logs.note_tasks(state.world.task_list());
    }
}

/// The pane `by` steps on in Tab order, skipping the probe when it is off.
fn step_pane(state: &State, from: Pane, by: usize) -> Pane {
    let n = Pane::ALL.len();
    let mut i = from.index();
    loop {
        i = (i + by) % n;
        let p = Pane::ALL[i];
        if p != Pane::Probe || state.ctx.probe.is_some() {
            return p;
        }
    }
}

fn clamp_cursors(state: &mut State) {
    for pane in Pane::ALL {
        let rows = state.rows(pane);
        let c = &mut state.cursor[pane.index()];
        *c = (*c).min(rows.saturating_sub(1));
    }
}

/// Keys typed into the filter prompt.
fn prompt(state: &mut State, a: Action) {
    let Some(Modal::Prompt(p)) = state.modal.as_mut() else {
        return;
    };
    match a {
        Action::PromptChar(c) => {
            p.text.push(c);
            p.error = None;
        }
        Action::PromptBackspace => {
            p.text.pop();
            p.error = None;
        }
        Action::PromptRegex => {
            p.regex = !p.regex;
            p.error = None;
        }
        Action::PromptCancel => state.modal = None,
        Action::PromptSubmit => {
            if p.text.is_empty() {
                state.logs.set_filter(None);
                state.modal = None;
                return;
            }
            match super::logs::Filter::new(&p.text, p.regex) {
                Ok(mut f) => {
                    f.only_matches = state.logs.filter().is_none_or(|o| o.only_matches);
                    state.logs.set_filter(Some(f));
                    state.modal = None;
                    state.logs.notice = None;
                    state.logs.follow();
                }
                Err(e) => p.error = Some(e),
            }
        }
        _ => {}
    }
}

/// The logs view's own keys; false when the action is not one of them.
fn logs_action(state: &mut State, a: Action) -> bool {
    let active = state.logs_active();
    // An answer to the previous key goes away with the next one.
    state.logs.notice = None;
    let logs = &mut state.logs;
    match a {
        Action::Up if active => logs.up(1),
        Action::Down if active => logs.down(1),
        Action::PageUp if active => logs.up(PAGE),
        Action::PageDown if active => logs.down(PAGE),
        Action::Top if active => logs.top(),
        Action::Bottom if active => logs.follow(),
        Action::Close if active && logs.filter().is_some() => logs.set_filter(None),
        Action::Close if logs.full => logs.full = false,
        Action::LogsFull => {
            logs.full = !logs.full;
            if logs.full {
                state.focus = Pane::Logs;
            }
        }
        Action::Filter => {
            // The current filter, to edit (Backspace, or Enter on empty
            // to clear it).
            let regex = logs.filter().is_some_and(|f| f.is_regex());
            let text = logs.filter().map(|f| f.text.clone()).unwrap_or_default();
            state.modal = Some(Modal::Prompt(Prompt {
                text,
                regex,
                error: None,
            }))
        }
        Action::FilterMode => {
            if !logs.toggle_only_matches() {
                logs.notice = Some("no filter: press / to set one".into())
            }
        }
        Action::NextMatch => logs.jump(true),
        Action::PrevMatch => logs.jump(false),
        // `w` wraps the logs where they are read; elsewhere it opens the
        // service's warnings whole (the pane shows one line each).
        Action::Wrap if !(logs.full || state.focus == Pane::Logs) => {
            state.focus = Pane::Service;
            state.zoom = true;
        }
        Action::Wrap => logs.wrap = !logs.wrap,
        Action::Json => logs.readable_json = !logs.readable_json,
        Action::Timestamps => {
            logs.ts = match logs.ts {
                TsMode::Off => TsMode::Local,
                TsMode::Local => TsMode::Relative,
                TsMode::Relative => TsMode::Off,
            }
        }
        Action::ToggleContainer(n) => {
            let names = state.log_containers();
            let logs = &mut state.logs;
            match names.get(usize::from(n).saturating_sub(1)) {
                Some(c) => logs.toggle_hidden(c),
                None => logs.notice = Some(format!("no container {n}")),
            }
        }
        _ => return false,
    }
    true
}

fn save_logs(state: &State) -> Effect {
    let tasks = state.task_list();
    let words = |e: &super::logs::Entry| divider_words(e, tasks);
    Effect::SaveLogs {
        name: format!(
            "ecsdeck-{}-{}.log",
            file_word(&state.ctx.target.service),
            state.now.format("%Y%m%d-%H%M%S")
        ),
        contents: state.logs.export(&words),
    }
}

/// A service (given by name or by ARN) as a word fit for a file name.
fn file_word(service: &str) -> String {
    crate::model::arn_tail(service)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// How a task left, in words: "stopped (UserInitiated: reason)".
fn how_it_left(t: Option<&crate::model::Task>) -> String {
    match t {
        Some(t) if t.is_stopped() => {
            let exits = crate::model::exits_in_words(t);
            let why = [t.stop_code.as_deref(), t.stopped_reason.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
            // The crash explained where its lines are: each container's
            // exit code with its meaning (the failed first, so a cut
            // divider keeps it), then the stop code and reason.
            let why = match (why.is_empty(), exits.is_empty()) {
                (_, true) => why,
                (true, false) => exits,
                (false, false) => format!("{exits}; {why}"),
            };
            if why.is_empty() {
                "stopped".to_string()
            } else {
                format!("stopped ({why})")
            }
        }
        Some(t) => match t.stopped_reason.as_deref() {
            Some(r) => format!("stopping ({r})"),
            None => "stopping".to_string(),
        },
        None => "left".to_string(),
    }
}

/// A divider's words, from the current task list (they change as the old
/// task goes from stopping to stopped): "task 3f2a91bc stopped
/// (UserInitiated: reason) — task 91bc4e0a started".
pub fn divider_words(e: &super::logs::Entry, tasks: &[crate::model::Task]) -> String {
    use crate::model::local_clock;
    if let super::logs::Entry::Gap { at, until, why } = e {
        return format!(
            "{} to {} not loaded: {}",
            local_clock(*at),
            local_clock(*until),
            why.words()
        );
    }
    let super::logs::Entry::Divider {
        at,
        old_task,
        new_task,
    } = e
    else {
        return String::new();
    };
    let old = tasks.iter().find(|t| &t.arn == old_task);
    let old_id = crate::model::short_id(old_task);
    match new_task {
        None => format!("task {old_id} {}", how_it_left(old)),
        Some(new) => {
            let new_id = crate::model::short_id(new);
            // Still up when the new one started: its stop gets its own rule.
            let overlapped = old.is_none_or(|t| t.stopped_at.is_none_or(|s| s > *at));
            if overlapped {
                format!("task {new_id} started, replacing task {old_id}")
            } else {
                format!("task {old_id} {} — task {new_id} started", how_it_left(old))
            }
        }
    }
}

/// How long a dialog that changes AWS is on screen before `y` counts: a
/// `y` within it came with the key that opened the dialog (pasted text in
/// a terminal without bracketed paste, a key held down), not from an
/// operator who read it.
pub const READ_FIRST: std::time::Duration = std::time::Duration::from_millis(300);

/// A key press at `at`.
fn pressed(state: &mut State, a: Action, at: crate::model::Time) -> Vec<Effect> {
    if a == Action::Confirm
        && let Some(asked) = state.asked_at
        && (at - asked).to_std().map_or(true, |d| d < READ_FIRST)
        && (state.confirm().is_some() || asking(state))
    {
        state.notice =
            Some("y came too soon after the dialog opened: read it, then press y".into());
        return Vec::new();
    }
    let out = action(state, a);
    if !(state.confirm().is_some() || asking(state)) {
        state.asked_at = None;
    } else if state.asked_at.is_none() {
        state.asked_at = Some(at);
        state.asked_shown = false;
    }
    out
}

/// The drill's preflight is on screen, waiting for y.
fn asking(state: &State) -> bool {
    state.modal == Some(Modal::Drill)
        && state
            .drill
            .as_ref()
            .is_some_and(|d| d.phase == super::drill::Phase::Asking)
}

/// A key in the drill's window: its preflight, its run, its verdict.
fn drill_window(state: &mut State, a: Action) -> Vec<Effect> {
    match a {
        Action::Confirm if asking(state) => super::drill::confirm(state),
        Action::Cancel | Action::Close => super::drill::cancel(state),
        // Only Ctrl-C reaches here (q is not bound in the drill's
        // window). Mid-drill the first one cancels, so the marker is
        // still removed; a second quits once the delete was tried.
        Action::Quit if super::drill::busy(state) && !super::drill::cancelling(state) => {
            let fx = super::drill::cancel(state);
            state.notice = Some(
                "cancelling the drill (it removes its marker); Ctrl-C again quits once its delete was tried".into(),
            );
            fx
        }
        Action::Quit if super::drill::busy(state) => {
            let now = state.now;
            super::shutdown::shutdown(state, super::shutdown::Shutdown::Quit, now)
        }
        Action::Quit => {
            state.quit = true;
            vec![Effect::Quit]
        }
        _ => Vec::new(),
    }
}

fn action(state: &mut State, a: Action) -> Vec<Effect> {
    // A read-only run has no such bindings; and should one arrive anyway,
    // nothing happens.
    if state.ctx.read_only && a.changes_aws() {
        return Vec::new();
    }
    state.notice = None;
    if state.modal == Some(Modal::Drill) {
        return drill_window(state, a);
    }
    if state.confirm().is_some() {
        return match a {
            Action::Confirm => super::restart::confirm(state),
            Action::Cancel => {
                state.modal = None;
                state.notice = Some("cancelled: nothing was sent".into());
                Vec::new()
            }
            Action::Quit => {
                state.quit = true;
                vec![Effect::Quit]
            }
            _ => Vec::new(),
        };
    }
    if matches!(state.modal, Some(Modal::Exec(_))) {
        return super::exec::key(state, a);
    }
    if matches!(state.modal, Some(Modal::Switch(_))) {
        return super::switch::key(state, a);
    }
    if state.prompt().is_some() {
        prompt(state, a);
        return Vec::new();
    }
    // The help overlay is modal: only closing it (or quitting) works.
    if state.help_open() {
        match a {
            Action::Help | Action::Close => state.modal = None,
            Action::Quit => {
                state.quit = true;
                return vec![Effect::Quit];
            }
            _ => {}
        }
        return Vec::new();
    }
    if a == Action::SaveLogs {
        return vec![save_logs(state)];
    }
    // `[`, or PgUp where the logs are read and nothing older is held.
    if a == Action::Older || (a == Action::PageUp && state.logs_active() && state.logs.at_top()) {
        state.logs.notice = None;
        return super::older::older(state, super::older::hour());
    }
    if logs_action(state, a) {
        return Vec::new();
    }
    if let Some(why) = held(state, a) {
        state.notice = Some(why.into());
        return Vec::new();
    }
    let pane = state.focus;
    let rows = state.rows(pane);
    let cur = &mut state.cursor[pane.index()];
    match a {
        Action::Quit => {
            state.quit = true;
            return vec![Effect::Quit];
        }
        Action::Help => state.modal = Some(Modal::Help),
        Action::Switch => return super::switch::open(state),
        Action::Exec => super::exec::open(state),
        Action::Drill => super::drill::open(state),
        Action::StopTask => super::restart::open(state, false),
        Action::DismissTimeline => state.world.timeline.dismiss(),
        Action::ForceDeploy => super::restart::open(state, true),
        Action::Close => {
            if state.zoom {
                state.zoom = false;
            } else if state.logs.only_task().is_some() {
                // Back to following every task.
                state.logs.set_only_task(None);
                state.pinned_task = None;
            } else if pane == Pane::Tasks {
                state.pinned_task = None;
            }
        }
        Action::Up => *cur = cur.saturating_sub(1),
        Action::Down => *cur = (*cur + 1).min(rows.saturating_sub(1)),
        Action::PageUp => *cur = cur.saturating_sub(PAGE),
        Action::PageDown => *cur = (*cur + PAGE).min(rows.saturating_sub(1)),
        Action::Top => *cur = 0,
        Action::Bottom => *cur = rows.saturating_sub(1),
        Action::NextPane => state.focus = step_pane(state, pane, 1),
        Action::PrevPane => state.focus = step_pane(state, pane, Pane::ALL.len() - 1),
        Action::Select => {
            if pane == Pane::Tasks
                && let Some(t) = state.task_list().get(state.cursor[Pane::Tasks.index()])
            {
                let (arn, stopped) = (t.arn.clone(), t.is_stopped());
                // A stopped task's own lines, to read what it did before
                // it stopped; a running one's show among the rest.
                state.logs.set_only_task(stopped.then(|| arn.clone()));
                state.pinned_task = Some(arn);
                state.cursor[Pane::Containers.index()] = 0;
                state.focus = Pane::Containers;
            }
        }
        Action::Refresh => return vec![Effect::RefreshNow],
        Action::Zoom => state.zoom = !state.zoom,
        Action::CopyId | Action::CopyArn => return copy(state, a == Action::CopyArn),
        _ => {}
    }
    Vec::new()
}

/// Why `a` must wait: a drill runs, or AWS has not answered the last
/// restart. S, D, R, e and : all wait, so that nothing else acts on, or
/// steps away from, a service in the middle of a change.
fn held(state: &State, a: Action) -> Option<&'static str> {
    let waits = matches!(
        a,
        Action::StopTask | Action::ForceDeploy | Action::Drill | Action::Exec | Action::Switch
    );
    if !waits {
        None
    } else if super::drill::busy(state) {
        Some("a drill is running: S, D, R, e and : wait for it")
    } else if state
        .restart
        .as_ref()
        .is_some_and(|r| r.answer == super::restart::Answer::Waiting)
    {
        Some("waiting for AWS's answer to the last restart: S, D, R, e and : wait for it")
    } else {
        None
    }
}

/// `c`/`C`: the selected task's id or ARN to the terminal's clipboard.
/// The terminal does the copying (OSC 52), so it works over SSH; tmux
/// passes it on only with `set-clipboard on`.
fn copy(state: &mut State, arn: bool) -> Vec<Effect> {
    let Some(t) = state.selected_task() else {
        state.notice = Some("no task to copy".into());
        return Vec::new();
    };
    let (what, text) = if arn {
        ("ARN", t.arn.clone())
    } else {
        ("id", t.id().to_string())
    };
    state.notice = Some(format!(
        "copied task {what} {text} (OSC 52: the terminal must allow it; in tmux, set -g set-clipboard on)"
    ));
    vec![Effect::Copy(text)]
}

#[cfg(test)]
mod tests;

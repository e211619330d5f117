use super::logs::TsMode;
use super::{Action, Effect, Modal, Msg, Pane, Prompt, State};
use crate::model::observe::{Observation, PollEvent, Resource};

const PAGE: usize = 10;

/// The reducer: applies one message to the state and says what work to do.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick(now) => {
            state.now = now;
            Vec::new()
        }
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
        Msg::Poll(ev) => {
            let (resource, at) = (ev.resource, ev.at);
            let ok = ev.result.is_ok();
            apply_poll(state, *ev);
            state.derive();
            if ok {
                feed_timeline(state, resource, at);
            }
            clamp_cursors(state);
            Vec::new()
        }
        Msg::Action(a) => action(state, a),
        Msg::Cadence(d) => {
            state.cadence = d;
            Vec::new()
        }
        Msg::Restarted(r) => {
            super::restart::answered(state, r);
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

fn apply_poll(state: &mut State, ev: PollEvent) {
    let at = ev.at;
    match ev.result {
        Ok(Observation::Identity(i)) => state.identity.set(i, at),
        Ok(Observation::Service(s)) => state.service.set(*s, at),
        Ok(Observation::TaskDefs(t)) => state.task_defs.set(t, at),
        Ok(Observation::Tasks(mut t)) => {
            crate::model::sort_tasks(&mut t);
            state.logs.note_tasks(&t);
            state.tasks.set(t, at)
        }
        Ok(Observation::Targets(t)) => state.targets.set(t, at),
        Ok(Observation::Efs(f)) => state.efs.set(f, at),
        Ok(Observation::Logs(r)) => state.logs.ingest(&r, at),
        Ok(Observation::Probe(r)) => {
            let p = &mut state.probe;
            if p.url.as_deref() != Some(r.url.as_str()) {
                p.url = Some(r.url);
            }
            p.history.push(r.sample);
            p.updated = Some(at);
        }
        Err(f) => match ev.resource {
            Resource::Identity => state.identity.fail(f.error, at, f.retry_in),
            Resource::Service => state.service.fail(f.error, at, f.retry_in),
            Resource::TaskDefs => state.task_defs.fail(f.error, at, f.retry_in),
            Resource::Tasks => state.tasks.fail(f.error, at, f.retry_in),
            Resource::Targets => state.targets.fail(f.error, at, f.retry_in),
            Resource::Efs => state.efs.fail(f.error, at, f.retry_in),
            Resource::Logs => state.logs.status.fail(f.error, at, f.retry_in),
            // Samples carry their own failures: this is the probe that
            // could not start at all.
            Resource::Probe => state.probe.error = Some(f.error.message.clone()),
        },
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

/// The restart timeline reads the same observations, once derived.
fn feed_timeline(state: &mut State, resource: Resource, at: crate::model::Time) {
    match resource {
        Resource::Tasks => {
            let tasks = state.task_list().to_vec();
            state.timeline.on_tasks(&tasks, at);
        }
        Resource::Targets => {
            let groups = state.target_groups().to_vec();
            let owners = state.derived.owners.clone();
            state.timeline.on_targets(&groups, &owners, at);
        }
        Resource::Probe => {
            if let Some(s) = state.probe.history.last().cloned() {
                state.timeline.on_probe(&s);
            }
        }
        _ => {}
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
            let why = [t.stop_code.as_deref(), t.stopped_reason.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
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

fn action(state: &mut State, a: Action) -> Vec<Effect> {
    // A read-only run has no such bindings; and should one arrive anyway,
    // nothing happens.
    if state.ctx.read_only && a.changes_aws() {
        return Vec::new();
    }
    state.notice = None;
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
    if logs_action(state, a) {
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
        Action::StopTask => super::restart::open(state, false),
        Action::DismissTimeline => state.timeline.dismiss(),
        Action::ForceDeploy => super::restart::open(state, true),
        Action::Close => {
            if state.zoom {
                state.zoom = false;
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
                state.pinned_task = Some(t.arn.clone());
                state.cursor[Pane::Containers.index()] = 0;
                state.focus = Pane::Containers;
            }
        }
        Action::Refresh => return vec![Effect::RefreshNow],
        Action::Zoom => state.zoom = !state.zoom,
        _ => {}
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::app::Context;
    use crate::model::error::{CloudError, ErrorKind};
    use crate::model::fixtures::{service, target, task, task_def, tg, ts};
    use crate::model::observe::Failure;
    use crate::model::{ServiceRef, Time};

    fn now() -> Time {
        ts(100).expect("time")
    }

    fn state() -> State {
        State::new(
            Context {
                log_buffer: 100,
                ..Context::new(
                    ServiceRef {
                        cluster: "goals-cluster".into(),
                        service: "goals-service".into(),
                    },
                    "us-east-1",
                )
            },
            now(),
        )
    }

    fn ok(resource: Resource, obs: Observation) -> Msg {
        Msg::Poll(Box::new(PollEvent {
            resource,
            at: now(),
            result: Ok(obs),
        }))
    }

    fn loaded() -> State {
        let mut s = state();
        update(
            &mut s,
            ok(Resource::Service, Observation::Service(Box::new(service()))),
        );
        update(
            &mut s,
            ok(Resource::TaskDefs, Observation::TaskDefs(vec![task_def()])),
        );
        let mut old = task("old00000", "10.0.1.9", "STOPPED", "STOPPED");
        old.created_at = ts(-500);
        let mut new = task("new00000", "10.0.1.5", "RUNNING", "RUNNING");
        new.created_at = ts(10);
        update(
            &mut s,
            ok(Resource::Tasks, Observation::Tasks(vec![old, new])),
        );
        update(
            &mut s,
            ok(
                Resource::Targets,
                Observation::Targets(vec![tg(vec![target("10.0.1.5", "healthy", None)])]),
            ),
        );
        s
    }

    #[test]
    fn tasks_sorted_living_first_and_selection_follows_newest() {
        let s = loaded();
        let ids: Vec<&str> = s.task_list().iter().map(|t| t.short()).collect();
        assert_eq!(ids, vec!["new00000", "old00000"]);
        assert_eq!(s.selected_task().map(|t| t.short()), Some("new00000"));
        assert_eq!(s.verdict().health, crate::model::derive::Health::Healthy);
    }

    #[test]
    fn enter_pins_a_task_and_esc_unpins() {
        let mut s = loaded();
        update(&mut s, Msg::Action(Action::Down));
        update(&mut s, Msg::Action(Action::Select));
        assert_eq!(s.selected_task().map(|t| t.short()), Some("old00000"));
        assert_eq!(s.focus, Pane::Containers);
        update(&mut s, Msg::Action(Action::PrevPane));
        update(&mut s, Msg::Action(Action::Close));
        assert_eq!(s.selected_task().map(|t| t.short()), Some("new00000"));
    }

    #[test]
    fn failed_poll_keeps_last_data_and_records_why() {
        let mut s = loaded();
        let err = CloudError::new(ErrorKind::AccessDenied, "ecs:DescribeTasks", "not allowed");
        update(
            &mut s,
            Msg::Poll(Box::new(PollEvent {
                resource: Resource::Tasks,
                at: ts(200).expect("time"),
                result: Err(Failure {
                    error: err.clone(),
                    retry_in: Duration::from_secs(30),
                }),
            })),
        );
        assert_eq!(s.task_list().len(), 2, "data kept");
        let e = s.tasks.error.as_ref().expect("error recorded");
        assert_eq!(e.error, err);
        assert_eq!(s.tasks.updated, Some(now()));
        assert_eq!(
            e.error.operator_text(),
            "add ecs:DescribeTasks to the IAM policy (AccessDenied)"
        );
    }

    #[test]
    fn cursor_stays_in_bounds_and_tab_cycles() {
        let mut s = loaded();
        for _ in 0..5 {
            update(&mut s, Msg::Action(Action::Down));
        }
        assert_eq!(s.cursor[Pane::Tasks.index()], 1);
        update(&mut s, Msg::Action(Action::Top));
        assert_eq!(s.cursor[Pane::Tasks.index()], 0);
        // The probe is off here: Tab never lands on it.
        for _ in 0..Pane::ALL.len() - 1 {
            update(&mut s, Msg::Action(Action::NextPane));
            assert_ne!(s.focus, Pane::Probe);
        }
        assert_eq!(s.focus, Pane::Tasks);
        s.ctx.probe = Some(crate::model::probe::ProbeInfo::default());
        for _ in 0..Pane::ALL.len() {
            update(&mut s, Msg::Action(Action::NextPane));
        }
        assert_eq!(s.focus, Pane::Tasks, "with the probe on, one more stop");
        s.focus = Pane::Efs;
        update(&mut s, Msg::Action(Action::NextPane));
        assert_eq!(s.focus, Pane::Probe);
        s.ctx.probe = None;
        s.focus = Pane::Tasks;
        update(&mut s, Msg::Action(Action::PrevPane));
        update(&mut s, Msg::Action(Action::PrevPane));
        assert_eq!(s.focus, Pane::Logs);
        // Fewer tasks after a poll: the cursor follows.
        update(&mut s, Msg::Action(Action::NextPane));
        update(&mut s, Msg::Action(Action::NextPane));
        update(&mut s, Msg::Action(Action::Bottom));
        update(&mut s, ok(Resource::Tasks, Observation::Tasks(vec![])));
        assert_eq!(s.cursor[Pane::Tasks.index()], 0);
    }

    #[test]
    fn help_is_modal_and_quit_always_works() {
        let mut s = loaded();
        update(&mut s, Msg::Action(Action::Help));
        assert!(s.help_open());
        update(&mut s, Msg::Action(Action::Down));
        assert_eq!(s.cursor[0], 0, "keys behind the overlay are ignored");
        update(&mut s, Msg::Action(Action::Close));
        assert!(!s.help_open());
        update(&mut s, Msg::Action(Action::Help));
        assert_eq!(
            update(&mut s, Msg::Action(Action::Quit)),
            vec![Effect::Quit]
        );
        assert!(s.quit);
    }

    #[test]
    fn refresh_asks_for_an_effect() {
        let mut s = loaded();
        assert_eq!(
            update(&mut s, Msg::Action(Action::Refresh)),
            vec![Effect::RefreshNow]
        );
    }

    #[test]
    fn call_rate_over_the_last_minute() {
        let mut s = state();
        assert_eq!(s.calls_per_min(), None);
        for i in 0..=12 {
            update(
                &mut s,
                Msg::ApiCalls(ts(i * 10).expect("t"), (i * 5) as u64),
            );
        }
        // 60 s window kept: 6 samples apart, 30 calls.
        let rate = s.calls_per_min().expect("rate");
        assert!((rate - 30.0).abs() < 0.01, "{rate}");
    }

    #[test]
    fn a_service_given_as_an_arn_saves_to_a_plain_file_name() {
        let mut s = State::new(
            Context::new(
                ServiceRef {
                    cluster: "goals-cluster".into(),
                    service:
                        "arn:aws:ecs:us-east-1:123456789012:service/goals-cluster/goals-service"
                            .into(),
                },
                "us-east-1",
            ),
            now(),
        );
        let effects = update(&mut s, Msg::Action(Action::SaveLogs));
        let Some(Effect::SaveLogs { name, .. }) = effects.first() else {
            panic!("no save: {effects:?}");
        };
        assert!(name.starts_with("ecsdeck-goals-service-"), "{name}");
        assert!(!name.contains('/') && !name.contains(':'), "{name}");
    }

    #[test]
    fn reopening_the_filter_prompt_edits_the_current_filter() {
        let mut s = loaded();
        update(&mut s, Msg::Action(Action::Filter));
        for c in "mongo".chars() {
            update(&mut s, Msg::Action(Action::PromptChar(c)));
        }
        update(&mut s, Msg::Action(Action::PromptSubmit));
        assert_eq!(s.logs.filter().map(|f| f.text.as_str()), Some("mongo"));
        update(&mut s, Msg::Action(Action::Filter));
        assert_eq!(s.prompt().map(|p| p.text.as_str()), Some("mongo"));
        // A bad regex keeps the prompt open with the message.
        update(&mut s, Msg::Action(Action::PromptRegex));
        update(&mut s, Msg::Action(Action::PromptChar('(')));
        update(&mut s, Msg::Action(Action::PromptSubmit));
        assert!(s.prompt().is_some_and(|p| p.error.is_some()));
    }
}

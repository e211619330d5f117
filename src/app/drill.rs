//! The restart drill in the reducer: `R` opens the preflight (frozen when
//! the key was pressed), `y` starts the run, and from then on the drill's
//! machine is stepped here, on the one loop: every observation, every
//! second and every answer to its commands is a message, and its commands
//! (read, write, restart, delete, finish) are effects. A cancel is a
//! message like any other, so nothing the drill does can run past it.
//! Nothing is sent before `y`, and nothing at all in a read-only run.
//! `ecsdeck drill` runs this same code without a screen.

use super::{Effect, Modal, State};
use crate::model::Time;
use crate::model::derive::stop_reason;
use crate::model::drill::conduct::{restart_words, without_userinfo};
use crate::model::drill::machine::{Command, Input, Read, RestartError, Stage, Stop, WriteError};
use crate::model::drill::view::{BASELINE_WAIT, cannot_start, missing, ready, sight};
use crate::model::drill::{Conduct, Drill, Report, preflight};
use crate::model::error::CloudError;
use crate::model::observe::Resource;

pub use crate::model::drill::{Preflight, RestartKind};

/// How long the marker's delete keeps trying while the API does not
/// answer (a drill cancelled during the outage), when nothing hurries it.
pub const CLEANUP_WAIT: std::time::Duration = std::time::Duration::from_secs(90);

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The preflight dialog: `y` starts, `n`/`Esc` cancels.
    Asking,
    Running {
        started: Time,
        /// The machine, once the run has its marker.
        drill: Option<Box<Drill>>,
        /// The run's record beside it.
        conduct: Option<Box<Conduct>>,
        /// `Esc` was pressed: the drill is cleaning up.
        cancelling: bool,
    },
    Done {
        report: Box<Report>,
        /// The report files, or why they could not be written.
        files: Result<Vec<String>, String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DrillScreen {
    pub preflight: Preflight,
    pub phase: Phase,
}

impl DrillScreen {
    pub fn running(&self) -> bool {
        matches!(self.phase, Phase::Running { .. })
    }

    /// The lines told so far, for a terminal.
    pub fn transcript(&self) -> &[String] {
        match &self.phase {
            Phase::Running {
                conduct: Some(c), ..
            } => &c.transcript,
            _ => &[],
        }
    }
}

/// What the drill's commands answer, and how its run begins and ends.
#[derive(Debug, Clone, PartialEq)]
pub enum DrillMsg {
    /// The run has its marker (chosen where randomness lives), and this
    /// host's clock minus AWS's, when measured.
    Begun {
        marker: String,
        at: Time,
        clock_offset_s: Option<f64>,
    },
    /// A read through the load balancer, or why it got no answer.
    Read {
        result: Result<Read, String>,
        at: Time,
    },
    Written(Result<Option<String>, WriteError>),
    /// The restart is being sent: the task (StopTask) or the service.
    Requested(Option<String>, Time),
    /// AWS's answer to the restart.
    Restarted(Result<(), CloudError>),
    Deleted(Result<(), String>),
    Finished {
        report: Box<Report>,
        files: Result<Vec<String>, String>,
    },
    /// The drill could not run at all.
    Failed(String),
    /// One of the drill's tasks failed inside ecsdeck (a panic): the
    /// drill ends ABORTED and cleans up.
    Internal(String),
}

/// The drill's work, carried out by the effects runner.
#[derive(Debug, Clone, PartialEq)]
pub enum DrillEffect {
    /// Choose the marker, count the calls from here, poll fast.
    Begin,
    /// Keep the pollers fast: the drill expects a step.
    Hold,
    /// Let them relax: the drill only waits out a long drain.
    Relax,
    /// Read through the load balancer at `base`; `again`: after a pause.
    Read {
        base: String,
        marker: String,
        again: bool,
    },
    Write {
        base: String,
        marker: String,
    },
    /// StopTask each of `tasks` (the service's when None: a forced
    /// deployment), never retried.
    Restart {
        cluster: String,
        service: String,
        tasks: Option<Vec<String>>,
        reason: String,
    },
    /// Delete the marker, trying again for up to `wait` while the API
    /// does not answer.
    Delete {
        base: String,
        id: String,
        wait: std::time::Duration,
    },
    /// Fill in the backend's figures, write the files, answer Finished.
    Finish(Box<Report>),
}

/// Whether a drill runs now: S, D and R wait for it.
pub fn busy(state: &State) -> bool {
    state.drill.as_ref().is_some_and(DrillScreen::running)
}

/// Whether a running drill was asked to stop.
pub fn cancelling(state: &State) -> bool {
    state.drill.as_ref().is_some_and(|d| {
        matches!(
            d.phase,
            Phase::Running {
                cancelling: true,
                ..
            }
        )
    })
}

/// `R`: the preflight, everything frozen now.
pub fn open(state: &mut State) {
    if busy(state) {
        state.notice = Some("a drill is running: Esc in its window cancels it".into());
        state.modal = Some(Modal::Drill);
        return;
    }
    match preflight(
        &state.world,
        &state.ctx.target.cluster,
        state.ctx.drill_restart,
        state.ctx.drill_timeout,
        &state.ctx.drill_requests,
    ) {
        Ok(p) => {
            state.drill = Some(DrillScreen {
                preflight: p,
                phase: Phase::Asking,
            });
            state.modal = Some(Modal::Drill);
        }
        Err(why) => state.notice = Some(why),
    }
}

/// `ecsdeck drill`: the preflight opens by itself once the world can
/// show it (the caller, the service, its tasks and targets, a probe
/// answer); until then the drill waits, at most `BASELINE_WAIT`.
pub fn prepare(state: &mut State) {
    state.drill_waiting = Some(state.now);
    state.drill_failed = None;
}

/// `y` in the preflight: the run begins.
pub fn confirm(state: &mut State) -> Vec<Effect> {
    if state.ctx.read_only {
        return Vec::new();
    }
    let now = state.now;
    let Some(d) = state.drill.as_mut() else {
        return Vec::new();
    };
    if d.phase != Phase::Asking {
        return Vec::new();
    }
    d.phase = Phase::Running {
        started: now,
        drill: None,
        conduct: None,
        cancelling: false,
    };
    vec![Effect::Drill(DrillEffect::Begin)]
}

/// `n`/`Esc`: cancel the preflight (nothing sent), cancel a running drill
/// (it cleans up and reports), or close the verdict.
pub fn cancel(state: &mut State) -> Vec<Effect> {
    let Some(d) = state.drill.as_mut() else {
        state.modal = None;
        return Vec::new();
    };
    match &mut d.phase {
        Phase::Asking => {
            state.drill = None;
            state.modal = None;
            state.notice = Some("drill cancelled: nothing was sent".into());
            Vec::new()
        }
        Phase::Running { cancelling, .. } => {
            if *cancelling {
                return Vec::new();
            }
            *cancelling = true;
            step(
                state,
                Input::Cancel(Stop::Operator),
                Some("cancelled: cleaning up"),
            )
        }
        Phase::Done { report, files } => {
            state.notice = Some(match files {
                Ok(f) => format!(
                    "drill {}: report {}",
                    report.verdict.word(),
                    f.iter()
                        .map(|p| p.rsplit('/').next().unwrap_or(p))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                Err(e) => format!("drill {}: no report file ({e})", report.verdict.word()),
            });
            state.modal = None;
            state.drill = None;
            Vec::new()
        }
    }
}

/// The drill could not run: nothing was sent.
fn fail(state: &mut State, why: String) {
    state.notice = Some(format!("the drill could not run: {why}"));
    state.drill_failed = Some(why);
    state.drill_waiting = None;
    state.drill = None;
    if state.modal == Some(Modal::Drill) {
        state.modal = None;
    }
}

/// The running machine's stage, when there is one.
pub(super) fn stage(state: &State) -> Option<Stage> {
    match &state.drill.as_ref()?.phase {
        Phase::Running { drill: Some(d), .. } => Some(d.stage),
        _ => None,
    }
}

/// The running machine and its record, when there is one.
fn run_of(state: &mut State) -> Option<(&mut Drill, &mut Conduct)> {
    match &mut state.drill.as_mut()?.phase {
        Phase::Running {
            drill: Some(d),
            conduct: Some(c),
            ..
        } => Some((d, c)),
        _ => None,
    }
}

/// Steps the machine with `input` and carries out what it asks.
pub(super) fn step_input(state: &mut State, input: Input, say: Option<&str>) -> Vec<Effect> {
    step(state, input, say)
}

fn step(state: &mut State, input: Input, say: Option<&str>) -> Vec<Effect> {
    let Some((d, c)) = run_of(state) else {
        return Vec::new();
    };
    if let Some(line) = say {
        c.say(line);
    }
    let cmds = d.step(input);
    carry(state, cmds)
}

/// The machine's commands as effects; the transcript told.
fn carry(state: &mut State, cmds: Vec<Command>) -> Vec<Effect> {
    let target = state.ctx.target.clone();
    let caller = state.world.identity.get().map(|i| i.arn.clone());
    let redact = state.ctx.redact;
    let now = state.now;
    let wait = super::shutdown::delete_wait(state, CLEANUP_WAIT);
    let mut out = Vec::new();
    let Some(screen) = state.drill.as_mut() else {
        return out;
    };
    let Phase::Running {
        drill: Some(d),
        conduct: Some(c),
        ..
    } = &mut screen.phase
    else {
        return out;
    };
    let base = c.base.clone().unwrap_or_default();
    for cmd in cmds {
        out.push(Effect::Drill(match cmd {
            Command::Read | Command::ReadAgain => DrillEffect::Read {
                base: base.clone(),
                marker: d.marker.clone(),
                again: cmd == Command::ReadAgain,
            },
            Command::Write => {
                c.say(format!("writing the marker {}", d.marker));
                DrillEffect::Write {
                    base: base.clone(),
                    marker: d.marker.clone(),
                }
            }
            Command::Delete(id) => {
                c.say("removing the marker");
                DrillEffect::Delete {
                    base: base.clone(),
                    id,
                    wait,
                }
            }
            Command::Restart(tasks) => DrillEffect::Restart {
                cluster: target.cluster.clone(),
                service: target.service.clone(),
                tasks,
                reason: stop_reason("ecsdeck drill", caller.as_deref(), redact),
            },
            Command::Finish => {
                DrillEffect::Finish(Box::new(c.report(d, &state.world, &target, now)))
            }
        }));
    }
    c.tell(d, state.world.timeline.current.as_ref());
    c.retell(d, &state.world, &target, now);
    out
}

/// An observation was folded into the world: the drill looks at it.
pub fn on_poll(state: &mut State, resource: Resource, at: Time) -> Vec<Effect> {
    if state.drill_waiting.is_some() {
        if let Some(why) = cannot_start(&state.world) {
            fail(state, why);
        } else if ready(&state.world) {
            state.drill_waiting = None;
            open(state);
            if state.drill.is_none() {
                let why = state.notice.clone().unwrap_or_default();
                fail(state, why);
            }
        }
        return Vec::new();
    }
    let Some((_, c)) = run_of(state) else {
        return Vec::new();
    };
    let (began, baseline_sent) = (c.began, c.baseline_sent);
    if resource == Resource::Tasks
        && let Some(Phase::Running {
            conduct: Some(c), ..
        }) = state.drill.as_mut().map(|d| &mut d.phase)
    {
        c.note_running(&state.world, at);
    }
    if !baseline_sent {
        if let Some(why) = cannot_start(&state.world) {
            fail(state, why);
            return Vec::new();
        }
        let base = state.world.api_base();
        // "Before" is what is true once the operator said yes: the tasks
        // and targets from polls answered after it, never older ones.
        let fresh = |t: Option<Time>| t.is_some_and(|t| t >= began);
        if !ready(&state.world)
            || base.is_none()
            || !fresh(state.world.tasks.updated)
            || !fresh(state.world.targets.updated)
        {
            return Vec::new();
        }
        replan(state);
        let warnings: Vec<String> = state
            .world
            .warnings()
            .iter()
            .map(|w| w.message.clone())
            .collect();
        let url = state.world.probe.url.as_deref().map(without_userinfo);
        let sight = sight(&state.world, at, began);
        let Some((_, c)) = run_of(state) else {
            return Vec::new();
        };
        c.baseline_sent = true;
        c.warnings = warnings;
        c.probe_url = url;
        c.base = base;
        return step(state, Input::Baseline(sight), None);
    }
    let sight = sight(&state.world, at, began);
    step(state, Input::Observed(sight), None)
}

/// A second passed: the drill's timeout and the baseline's wait.
pub fn on_tick(state: &mut State, now: Time) -> Vec<Effect> {
    // The drill never waits for ever to start: neither for the world to
    // show its preflight (`ecsdeck drill`) nor for its baseline.
    let waiting_since = match (state.drill_waiting, run_of(state)) {
        (Some(since), _) => Some(since),
        (None, Some((_, c))) if !c.baseline_sent => Some(c.began),
        (None, Some(_)) => None,
        (None, None) => return Vec::new(),
    };
    if let Some(since) = waiting_since
        && (now - since).to_std().is_ok_and(|d| d > BASELINE_WAIT)
    {
        let why = format!(
            "no baseline after {} s: {}; nothing was sent",
            BASELINE_WAIT.as_secs(),
            missing(&state.world)
        );
        fail(state, why);
        return Vec::new();
    }
    if state.drill_waiting.is_some() {
        return Vec::new();
    }
    let relax = run_of(state).is_some_and(|(d, _)| d.waiting_out_drain());
    let mut out = vec![Effect::Drill(if relax {
        DrillEffect::Relax
    } else {
        DrillEffect::Hold
    })];
    out.extend(step(state, Input::Tick(now), None));
    out
}

pub fn on_msg(state: &mut State, m: DrillMsg) -> Vec<Effect> {
    let Some(d) = state.drill.as_mut() else {
        return Vec::new();
    };
    match m {
        DrillMsg::Begun {
            marker,
            at,
            clock_offset_s,
        } => {
            let Phase::Running {
                drill,
                conduct,
                cancelling,
                ..
            } = &mut d.phase
            else {
                return Vec::new();
            };
            let hand_set = d.preflight.hand_set_url;
            let timeout = d.preflight.timeout;
            let mut m = Drill::new(marker, d.preflight.restart, hand_set, timeout, at);
            m.read_window = state.ctx.drill_read_window;
            m.clock_offset_s = clock_offset_s.unwrap_or(0.0);
            *drill = Some(Box::new(m));
            let mut c = Conduct::new(at);
            c.estimate = Some((d.preflight.estimate.min_s, d.preflight.estimate.max_s));
            *conduct = Some(Box::new(c));
            if *cancelling {
                let stop = state.ending.map_or(Stop::Operator, |e| e.why.stop());
                let line = format!("{}: cleaning up", stop.words());
                return step(state, Input::Cancel(stop), Some(&line));
            }
            Vec::new()
        }
        DrillMsg::Read { result, at } => {
            if let Some((d, c)) = run_of(state) {
                if d.stage == Stage::Verifying {
                    c.final_read = Some(at);
                }
                c.read_answered(d.stage, &result, at);
            }
            let input = match result {
                Ok(r) => Input::Read(r),
                Err(e) => Input::ReadFailed(e),
            };
            step(state, input, None)
        }
        DrillMsg::Written(r) => {
            let now = state.now;
            if let Some((_, c)) = run_of(state) {
                c.written(now, r.is_ok());
            }
            step(state, Input::Written(r), None)
        }
        DrillMsg::Requested(task, at) => {
            state.world.timeline.requested(task, at);
            Vec::new()
        }
        DrillMsg::Restarted(r) => {
            let kind = d.preflight.restart;
            let line = format!(
                "restart sent ({}): {}",
                restart_words(kind),
                match &r {
                    Ok(()) => "accepted".to_string(),
                    Err(e) if e.outcome_unknown() => format!(
                        "outcome unknown ({}); not retried, watching whether it happens",
                        e.operator_text()
                    ),
                    Err(e) => format!("refused: {}", e.operator_text()),
                }
            );
            let r = r.map_err(|e| RestartError {
                unknown: e.outcome_unknown(),
                message: e.operator_text(),
            });
            if r.as_ref().is_err_and(|e| !e.unknown) {
                // Nothing was restarted: the timeline has nothing to tell.
                state.world.timeline.refused();
            }
            step(state, Input::Restarted(r), Some(&line))
        }
        DrillMsg::Deleted(r) => {
            let now = state.now;
            if let Some((d, c)) = run_of(state)
                && d.stage == Stage::CleaningUp
            {
                c.deleted(now, &r);
            }
            step(state, Input::Deleted(r), None)
        }
        DrillMsg::Finished { report, files } => {
            d.phase = Phase::Done { report, files };
            // The verdict is shown whatever else was open.
            state.modal = Some(Modal::Drill);
            super::shutdown::drill_over(state)
        }
        DrillMsg::Failed(e) => {
            fail(state, e);
            super::shutdown::drill_over(state)
        }
        DrillMsg::Internal(e) => internal(state, e),
    }
}

/// A drill task panicked: the drill ends ABORTED and cleans up. Its
/// answer never comes, so one awaited (the write, the restart) is taken
/// as unknown.
fn internal(state: &mut State, e: String) -> Vec<Effect> {
    if let Some(d) = state.drill.as_mut()
        && let Phase::Running { cancelling, .. } = &mut d.phase
    {
        *cancelling = true;
    }
    let line = format!("internal error in ecsdeck ({e}): cleaning up");
    let mut out = step(state, Input::Cancel(Stop::Internal(e)), Some(&line));
    if matches!(stage(state), Some(Stage::Writing | Stage::Restarting)) {
        out.extend(step(state, Input::Hurry("an internal error".into()), None));
    }
    out
}

mod replan;

use replan::replan;
pub use replan::short_tasks;

#[cfg(test)]
mod tests;

//! The restart drill in the reducer: `R` opens the preflight (frozen when
//! the key was pressed), `y` asks the runtime to start the drill, which
//! then reports its machine's state, the restart it sends and, at the end,
//! the report and where it was written. `Esc` cancels a running drill (it
//! still cleans up) and closes the verdict. Nothing is sent before `y`,
//! and nothing at all in a read-only run.

use super::{Effect, Modal, State};
use crate::drill::machine::{Drill, RestartKind, Stage};
use crate::drill::report::Report;
use crate::model::derive::{Estimate, Restart, drill_estimate, restart_plan};
use crate::model::probe::{Standing, glance};
use crate::model::{Time, short_id};

/// What the preflight dialog shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Preflight {
    pub cluster: String,
    pub service: String,
    pub restart: RestartKind,
    /// The tasks that will be restarted (every running task).
    pub tasks: Vec<String>,
    /// What ECS will do, step by step (as the restart dialog says it).
    pub plan: Vec<String>,
    pub warnings: Vec<String>,
    pub estimate: Estimate,
    /// The probe now, in words (`UP 200 in 3 ms …`).
    pub baseline: String,
    /// The API answers its expected status: without it the drill would
    /// only end ABORTED.
    pub baseline_ok: bool,
    /// The probe URL was set by hand.
    pub hand_set_url: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The preflight dialog: `y` starts, `n`/`Esc` cancels.
    Asking,
    Running {
        started: Time,
        /// The machine as last reported.
        drill: Option<Box<Drill>>,
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
}

/// What the drill's runtime tells the reducer.
#[derive(Debug, Clone, PartialEq)]
pub enum DrillMsg {
    State(Box<Drill>),
    /// The restart is being sent: the task (StopTask) or the service.
    Requested(Option<String>, Time),
    Finished {
        report: Box<Report>,
        files: Result<Vec<String>, String>,
    },
    /// The drill could not run at all.
    Failed(String),
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
    let Some(svc) = state.service.get() else {
        state.notice = Some("the service is not loaded yet: no drill can start".into());
        return;
    };
    let Some(info) = state.ctx.probe.as_ref() else {
        state.notice = Some(
            "the drill needs the probe ([probe] enabled = false): it reads and writes through the load balancer"
                .into(),
        );
        return;
    };
    let restart = match state.ctx.drill_restart {
        RestartKind::ForceDeployment => Restart::ForceDeployment,
        RestartKind::StopTask => match state.task_list().iter().find(|t| !t.is_leaving()) {
            Some(t) => Restart::StopTask {
                task_arn: t.arn.clone(),
            },
            None => {
                state.notice = Some("no running task: nothing for the drill to restart".into());
                return;
            }
        },
    };
    let tasks: Vec<String> = state
        .task_list()
        .iter()
        .filter(|t| !t.is_leaving() && !t.is_stopped())
        .map(|t| t.arn.clone())
        .collect();
    let first = state.task_list().iter().find(|t| !t.is_leaving());
    let td = first
        .and_then(|t| state.task_def_of(t))
        .or_else(|| state.task_def());
    let mut plan = restart_plan(&restart, svc, td, state.target_groups(), first);
    if tasks.len() > 1 && matches!(restart, Restart::StopTask { .. }) {
        plan.insert(
            0,
            format!(
                "the service runs {} tasks: the drill stops every one of them, one at a time (each replaced and healthy before the next), so no read can be answered by a task that was never restarted",
                tasks.len()
            ),
        );
    }
    let estimate = drill_estimate(
        matches!(restart, Restart::ForceDeployment),
        svc,
        td,
        state.target_groups(),
    );
    let (baseline, baseline_ok) = match glance(&state.probe.history, info.timeout) {
        Some(g) => (format!("{} {}", g.head, g.rest), g.state == Standing::Up),
        None => ("no probe answer yet".to_string(), false),
    };
    state.drill = Some(DrillScreen {
        preflight: Preflight {
            cluster: state.ctx.target.cluster.clone(),
            service: svc.name.clone(),
            restart: state.ctx.drill_restart,
            tasks,
            plan,
            warnings: state.warnings().iter().map(|w| w.message.clone()).collect(),
            estimate,
            baseline,
            baseline_ok,
            hand_set_url: info.url.is_some(),
        },
        phase: Phase::Asking,
    });
    state.modal = Some(Modal::Drill);
}

/// `y` in the preflight: the effect that starts the drill.
pub fn confirm(state: &mut State) -> Vec<Effect> {
    if state.ctx.read_only {
        return Vec::new();
    }
    let caller = state.identity.get().map(|i| i.arn.clone());
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
        cancelling: false,
    };
    vec![Effect::StartDrill {
        restart: d.preflight.restart,
        caller,
    }]
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
            vec![Effect::CancelDrill]
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

pub fn on_msg(state: &mut State, m: DrillMsg) {
    let Some(d) = state.drill.as_mut() else {
        return;
    };
    match m {
        DrillMsg::State(s) => {
            if s.restart_refused {
                // Nothing was restarted: the timeline has nothing to tell.
                state.timeline.refused();
            }
            if let Phase::Running { drill, .. } = &mut d.phase {
                *drill = Some(s);
            }
        }
        DrillMsg::Requested(task, at) => state.timeline.requested(task, at),
        DrillMsg::Finished { report, files } => {
            d.phase = Phase::Done { report, files };
            // The verdict is shown whatever else was open.
            state.modal = Some(Modal::Drill);
        }
        DrillMsg::Failed(e) => {
            state.notice = Some(format!("the drill could not run: {e}"));
            state.drill = None;
            if state.modal == Some(Modal::Drill) {
                state.modal = None;
            }
        }
    }
}

/// The stage in a few words, for the running view's title.
pub fn stage_words(s: Stage) -> &'static str {
    match s {
        Stage::Preflight => "baseline",
        Stage::CheckAbsent => "checking the marker is absent",
        Stage::Writing => "writing the marker",
        Stage::ReadBack => "reading it back",
        Stage::Restarting => "restarting",
        Stage::Observing => "watching the replacement",
        Stage::Verifying => "reading the marker after the restart",
        Stage::CleaningUp => "cleaning up",
        Stage::Done => "done",
    }
}

/// The tasks, short, for one line.
pub fn short_tasks(arns: &[String]) -> String {
    arns.iter()
        .map(|a| short_id(a).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;

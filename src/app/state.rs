use std::time::Duration;

use super::logs::LogState;
use crate::model::derive::{self, Verdict, Warning};
use crate::model::probe::ProbeInfo;
use crate::model::world::World;
use crate::model::{FileSystem, ServiceRef, TargetGroup, Task, TaskDef, Time};

/// The panes that take the focus, in the order Tab visits them: the path
/// of a request, from the task to its volume, then what ECS says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Service,
    Tasks,
    Containers,
    Targets,
    Efs,
    Probe,
    Events,
    Logs,
}

impl Pane {
    pub const ALL: [Pane; 8] = [
        Pane::Service,
        Pane::Tasks,
        Pane::Containers,
        Pane::Targets,
        Pane::Efs,
        Pane::Probe,
        Pane::Events,
        Pane::Logs,
    ];
    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
    pub fn title(self) -> &'static str {
        match self {
            Pane::Service => "Service",
            Pane::Tasks => "Tasks",
            Pane::Containers => "Containers",
            Pane::Targets => "Load balancer",
            Pane::Efs => "EFS",
            Pane::Probe => "Probe",
            Pane::Events => "Events",
            Pane::Logs => "Logs",
        }
    }
}

/// Static facts about this run, shown in the header.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub target: ServiceRef,
    pub region: String,
    pub demo: bool,
    pub read_only: bool,
    pub refresh: Duration,
    /// Lines the logs buffer keeps.
    pub log_buffer: usize,
    /// How far back the logs reach at start (`--since`, `logs_since`);
    /// None: each stream's last lines.
    pub logs_since: Option<chrono::Duration>,
    /// The HTTP probe's settings; None when it does not run.
    pub probe: Option<ProbeInfo>,
    /// Mask the account id and the caller on screen and in stop reasons.
    pub redact: bool,
    /// How `R` restarts the service (`[drill] restart`).
    pub drill_restart: crate::model::drill::RestartKind,
    /// How long the drill waits for the service to come back (None: the
    /// worst case of this service's own estimate, with a margin).
    pub drill_timeout: Option<Duration>,
    /// How long the final reads are tried once the service is back.
    pub drill_read_window: Duration,
    /// The drill's own requests (method, path), whose way through the
    /// load balancer's rules is checked.
    pub drill_requests: Vec<(String, String)>,
    /// What `e` runs, and with which AWS settings.
    pub exec: ExecContext,
}

/// What a shell opened with `e` needs besides the task.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExecContext {
    /// `[exec]`: container name → command.
    pub commands: Vec<(String, String)>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

impl Context {
    /// A context with the defaults: not the demo, read-write, 5 s refresh,
    /// the default log buffer.
    pub fn new(target: ServiceRef, region: impl Into<String>) -> Context {
        Context {
            target,
            region: region.into(),
            demo: false,
            read_only: false,
            refresh: Duration::from_secs(5),
            log_buffer: super::logs::DEFAULT_BUFFER,
            logs_since: None,
            probe: None,
            drill_restart: crate::model::drill::RestartKind::StopTask,
            drill_timeout: None,
            drill_read_window: crate::model::drill::machine::READ_WINDOW,
            drill_requests: crate::model::drill::Contract::default().requests(),
            redact: false,
            exec: ExecContext::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub ctx: Context,
    pub now: Time,
    /// The one picture of the service: its observations and every fact
    /// derived from them.
    pub world: World,
    pub focus: Pane,
    /// Cursor row per pane, indexed by `Pane::index`.
    pub cursor: [usize; 8],
    /// The task whose containers are shown; None follows the newest live
    /// task by itself.
    pub pinned_task: Option<String>,
    /// A modal on top of the dashboard, taking every key.
    pub modal: Option<super::Modal>,
    pub zoom: bool,
    pub quit: bool,
    /// The program is ending (a signal, the terminal gone): why, and
    /// until when it waits for a running drill's cleanup.
    pub ending: Option<super::shutdown::Ending>,
    /// The backend's AWS calls over the last minute.
    pub call_rate: super::CallRate,
    /// The APIs being slowed down because AWS throttles them.
    pub slowed: Vec<crate::model::observe::Slowed>,
    /// AWS polling is paused: the credentials were refused.
    pub paused: Option<crate::model::observe::Paused>,
    /// Each API's calls over the last minute.
    pub api_rates: std::collections::BTreeMap<String, super::CallRate>,
    pub logs: LogState,
    /// The last restart the operator confirmed, and AWS's answer.
    pub restart: Option<super::restart::Requested>,
    /// The restart drill: its preflight, its run, its verdict.
    pub drill: Option<super::drill::DrillScreen>,
    /// `ecsdeck drill`: since when the drill waits for the world to show
    /// its preflight.
    pub drill_waiting: Option<Time>,
    /// Why the last drill could not run (nothing was sent).
    pub drill_failed: Option<String>,
    /// When the confirm dialog or the drill's preflight on screen was
    /// opened (by a key press): `y` before `READ_FIRST` has passed is not
    /// the operator's answer.
    pub asked_at: Option<Time>,
    /// The dialog has been drawn since it opened: `asked_at` is when.
    pub asked_shown: bool,
    /// An answer to the operator's last key, in the bottom bar until the
    /// next key.
    pub notice: Option<String>,
    /// How often the service, tasks and targets are polled now (1 s while
    /// something changes).
    pub cadence: Duration,
    /// Which `:` listing the open picker takes pages from: an older
    /// one's late pages are not its.
    pub listing: u64,
}

pub use crate::model::world::{Derived, ProbeState};

impl State {
    /// The sizes of everything that is kept across polls, for the
    /// day-long memory figures (`examples/day.rs`).
    pub fn footprint(&self) -> Vec<(&'static str, usize)> {
        let w = &self.world;
        let mut out = vec![
            ("tasks", w.tasks.get().map_or(0, Vec::len)),
            (
                "service events",
                w.service.get().map_or(0, |s| s.events.len()),
            ),
            ("probe samples", w.probe.history.samples().len()),
            ("probe KiB", w.probe.history.approx_bytes() >> 10),
            (
                "timelines",
                w.timeline.past.len() + usize::from(w.timeline.current.is_some()),
            ),
            ("log alarms", w.log_alarms.len()),
            ("call rate samples", self.call_rate.kept()),
            ("APIs rated", self.api_rates.len()),
            (
                "API rate samples",
                self.api_rates.values().map(|r| r.kept()).sum(),
            ),
        ];
        out.extend(self.logs.footprint());
        out
    }

    pub fn new(ctx: Context, now: Time) -> State {
        let logs = LogState::new(ctx.log_buffer);
        let ctx_refresh = ctx.refresh;
        let world = World::new(ctx.probe.clone());
        State {
            logs,
            ctx,
            now,
            world,
            focus: Pane::Tasks,
            cursor: [0; 8],
            pinned_task: None,
            modal: None,
            zoom: false,
            quit: false,
            ending: None,
            call_rate: super::CallRate::default(),
            slowed: Vec::new(),
            paused: None,
            api_rates: std::collections::BTreeMap::new(),
            restart: None,
            drill: None,
            drill_waiting: None,
            drill_failed: None,
            asked_at: None,
            asked_shown: false,
            notice: None,
            cadence: ctx_refresh,
            listing: 0,
        }
    }

    /// The probe's settings, for the header and for the world's verdict
    /// alike.
    pub fn set_probe(&mut self, info: Option<ProbeInfo>) {
        self.ctx.probe = info.clone();
        self.world.probe_info = info;
        self.world.derive();
    }

    pub fn task_def(&self) -> Option<&TaskDef> {
        self.world.task_def()
    }

    pub fn task_def_by_arn(&self, arn: &str) -> Option<&TaskDef> {
        self.world.task_def_by_arn(arn)
    }

    /// The task definition a task runs: its own revision, which during a
    /// deployment is not the service's.
    pub fn task_def_of(&self, task: &Task) -> Option<&TaskDef> {
        self.world.task_def_of(task)
    }

    pub fn task_list(&self) -> &[Task] {
        self.world.task_list()
    }

    pub fn target_groups(&self) -> &[TargetGroup] {
        self.world.target_groups()
    }

    pub fn file_systems(&self) -> &[FileSystem] {
        self.world.file_systems()
    }

    /// The task whose containers are shown.
    /// The task a key acts on (`S`, `e`): the one under the cursor when
    /// the Tasks pane has the focus, else the selected one.
    pub fn task_to_act_on(&self) -> Option<&Task> {
        if self.focus == Pane::Tasks {
            self.task_list()
                .get(self.cursor[Pane::Tasks.index()])
                .or_else(|| self.selected_task())
        } else {
            self.selected_task()
        }
    }

    pub fn selected_task(&self) -> Option<&Task> {
        let tasks = self.task_list();
        if let Some(arn) = &self.pinned_task
            && let Some(t) = tasks.iter().find(|t| &t.arn == arn)
        {
            return Some(t);
        }
        tasks
            .iter()
            .filter(|t| !t.is_stopped())
            .max_by_key(|t| t.created_at)
            .or_else(|| tasks.first())
    }

    /// Containers in task-definition order: the order of the 1..9 keys and
    /// of the colours.
    pub fn log_containers(&self) -> Vec<String> {
        self.task_def()
            .map(|td| td.containers.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    }

    /// The logs view has the keys when it is focused or full-screen.
    pub fn logs_active(&self) -> bool {
        self.logs.full || self.focus == Pane::Logs
    }

    pub fn verdict(&self) -> &Verdict {
        self.world.verdict()
    }

    pub fn warnings(&self) -> &[Warning] {
        self.world.warnings()
    }

    pub fn mounts(&self) -> &[derive::TaskMount] {
        self.world.mounts()
    }

    /// The task behind the `target`-th target of the `group`-th group.
    pub fn target_owner(&self, group: usize, target: usize) -> Option<&Task> {
        self.world.target_owner(group, target)
    }

    /// Calls per minute over the last minute.
    pub fn calls_per_min(&self) -> Option<f64> {
        self.call_rate.per_s(5.0).map(|r| r * 60.0)
    }

    pub fn help_open(&self) -> bool {
        self.modal == Some(super::Modal::Help)
    }

    pub fn confirm(&self) -> Option<&super::Confirm> {
        match &self.modal {
            Some(super::Modal::Confirm(c)) => Some(c),
            _ => None,
        }
    }

    pub fn prompt(&self) -> Option<&super::Prompt> {
        match &self.modal {
            Some(super::Modal::Prompt(p)) => Some(p),
            _ => None,
        }
    }

    /// Which key table is in force.
    pub fn mode(&self) -> super::Mode {
        match &self.modal {
            Some(super::Modal::Help) => super::Mode::Help,
            Some(super::Modal::Prompt(_)) => super::Mode::Prompt,
            Some(super::Modal::Confirm(_)) => super::Mode::Confirm,
            Some(super::Modal::Exec(_)) => super::Mode::Exec,
            Some(super::Modal::Switch(_)) => super::Mode::Switch,
            Some(super::Modal::Drill) => match &self.drill {
                Some(d) if d.phase == super::drill::Phase::Asking => super::Mode::Confirm,
                _ => super::Mode::Drill,
            },
            None if self.logs_active() => super::Mode::Logs,
            None => super::Mode::Dashboard,
        }
    }

    /// Rows in a pane, for cursor bounds.
    pub fn rows(&self, pane: Pane) -> usize {
        match pane {
            Pane::Service => 0,
            Pane::Tasks => self.task_list().len(),
            Pane::Containers => self.selected_task().map_or(0, |t| t.containers.len()),
            Pane::Targets => self.target_groups().iter().map(|g| g.targets.len()).sum(),
            Pane::Efs => self
                .file_systems()
                .iter()
                .map(|f| f.mount_targets.len())
                .sum(),
            Pane::Events => self.world.service.get().map_or(0, |s| s.events.len()),
            Pane::Probe => 0,
            // The logs pane has its own anchor, not a cursor row.
            Pane::Logs => 0,
        }
    }
}

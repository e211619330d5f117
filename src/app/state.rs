use std::time::Duration;

use super::Loadable;
use super::logs::LogState;
use crate::model::derive::{self, Verdict, Warning};
use crate::model::probe::{History, ProbeInfo};
use crate::model::{FileSystem, Identity, Service, ServiceRef, TargetGroup, Task, TaskDef, Time};

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
    /// The HTTP probe's settings; None when it does not run.
    pub probe: Option<ProbeInfo>,
    /// Mask the account id and the caller on screen and in stop reasons.
    pub redact: bool,
    /// How `R` restarts the service (`[drill] restart`).
    pub drill_restart: crate::drill::machine::RestartKind,
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
            probe: None,
            drill_restart: crate::drill::machine::RestartKind::StopTask,
            redact: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub ctx: Context,
    pub now: Time,
    pub identity: Loadable<Identity>,
    pub service: Loadable<Service>,
    /// The task definitions in use, by revision.
    pub task_defs: Loadable<Vec<TaskDef>>,
    pub tasks: Loadable<Vec<Task>>,
    pub targets: Loadable<Vec<TargetGroup>>,
    pub efs: Loadable<Vec<FileSystem>>,
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
    /// The backend's AWS calls over the last minute.
    pub call_rate: super::CallRate,
    /// The APIs being slowed down because AWS throttles them.
    pub slowed: Vec<crate::model::observe::Slowed>,
    /// Each API's calls over the last minute.
    pub api_rates: std::collections::BTreeMap<String, super::CallRate>,
    pub logs: LogState,
    pub probe: ProbeState,
    /// The last restart the operator confirmed, and AWS's answer.
    pub restart: Option<super::restart::Requested>,
    /// The restart timeline, whoever caused the restart.
    pub timeline: crate::model::timeline::Tracker,
    /// The restart drill: its preflight, its run, its verdict.
    pub drill: Option<super::drill::DrillScreen>,
    /// An answer to the operator's last key, in the bottom bar until the
    /// next key.
    pub notice: Option<String>,
    /// How often the service, tasks and targets are polled now (1 s while
    /// something changes).
    pub cadence: Duration,
    /// What the panes show that is derived from several observations,
    /// worked out when one arrives (`derive`), never while drawing.
    pub derived: Derived,
}

/// The verdict, the warnings and the joins, as of the last observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub verdict: Verdict,
    pub warnings: Vec<Warning>,
    /// Per target group, per target: the ARN of the task behind it.
    pub owners: Vec<Vec<Option<String>>>,
    pub mounts: Vec<derive::TaskMount>,
    /// The URL the probe found from the load balancer, or why there is
    /// none (None: a URL was given, or the probe is off).
    pub probe_base: Option<Result<String, String>>,
}

/// What the probe has seen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProbeState {
    /// The URL of the last sample.
    pub url: Option<String>,
    pub history: History,
    pub updated: Option<Time>,
    /// The probe could not start.
    pub error: Option<String>,
}

impl Default for Derived {
    fn default() -> Self {
        Derived {
            verdict: derive::verdict(None, None, None),
            warnings: Vec::new(),
            owners: Vec::new(),
            mounts: Vec::new(),
            probe_base: None,
        }
    }
}

impl State {
    pub fn new(ctx: Context, now: Time) -> State {
        let logs = LogState::new(ctx.log_buffer);
        let ctx_refresh = ctx.refresh;
        State {
            logs,
            ctx,
            now,
            identity: Loadable::default(),
            service: Loadable::default(),
            task_defs: Loadable::default(),
            tasks: Loadable::default(),
            targets: Loadable::default(),
            efs: Loadable::default(),
            focus: Pane::Tasks,
            cursor: [0; 8],
            pinned_task: None,
            modal: None,
            zoom: false,
            quit: false,
            call_rate: super::CallRate::default(),
            slowed: Vec::new(),
            api_rates: std::collections::BTreeMap::new(),
            derived: Derived::default(),
            probe: ProbeState::default(),
            restart: None,
            timeline: Default::default(),
            drill: None,
            notice: None,
            cadence: ctx_refresh,
        }
    }

    pub fn task_def(&self) -> Option<&TaskDef> {
        let arn = &self.service.get()?.task_definition;
        self.task_def_by_arn(arn)
    }

    pub fn task_def_by_arn(&self, arn: &str) -> Option<&TaskDef> {
        self.task_defs.get()?.iter().find(|td| td.arn == arn)
    }

    /// The task definition a task runs: its own revision, which during a
    /// deployment is not the service's.
    pub fn task_def_of(&self, task: &Task) -> Option<&TaskDef> {
        self.task_def_by_arn(&task.task_definition)
    }

    pub fn task_list(&self) -> &[Task] {
        self.tasks.get().map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn target_groups(&self) -> &[TargetGroup] {
        self.targets.get().map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn file_systems(&self) -> &[FileSystem] {
        self.efs.get().map(Vec::as_slice).unwrap_or(&[])
    }

    /// The task whose containers are shown.
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

    /// Works out the derived views again; the reducer calls it after
    /// every observation.
    pub fn derive(&mut self) {
        let service = self.service.get();
        let tasks = self.task_list();
        let aws = derive::verdict(
            service,
            self.tasks.get().map(Vec::as_slice),
            self.targets.get().map(Vec::as_slice),
        );
        let probe = self.ctx.probe.as_ref();
        self.derived = Derived {
            verdict: match probe {
                Some(p) => derive::with_probe(aws, &self.probe.history, p.timeout),
                None => aws,
            },
            probe_base: match (probe, service) {
                (Some(p), _) if p.url.is_some() => None,
                (Some(_), Some(s)) => Some(crate::model::lb::probe_base(
                    &s.target_group_arns(),
                    self.target_groups(),
                )),
                _ => None,
            },
            warnings: match service {
                Some(s) => derive::preflight(
                    s,
                    self.task_def(),
                    self.target_groups(),
                    self.file_systems(),
                    tasks,
                ),
                None => Vec::new(),
            },
            owners: match service {
                Some(s) => derive::target_owners(s, self.target_groups(), tasks),
                None => Vec::new(),
            },
            mounts: derive::task_mounts(
                self.task_defs.get().map(Vec::as_slice).unwrap_or(&[]),
                self.file_systems(),
                tasks,
            ),
        };
    }

    pub fn verdict(&self) -> &Verdict {
        &self.derived.verdict
    }

    pub fn warnings(&self) -> &[Warning] {
        &self.derived.warnings
    }

    pub fn mounts(&self) -> &[derive::TaskMount] {
        &self.derived.mounts
    }

    /// The task behind the `target`-th target of the `group`-th group.
    pub fn target_owner(&self, group: usize, target: usize) -> Option<&Task> {
        let arn = self.derived.owners.get(group)?.get(target)?.as_ref()?;
        self.task_list().iter().find(|t| &t.arn == arn)
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
            Pane::Events => self.service.get().map_or(0, |s| s.events.len()),
            Pane::Probe => 0,
            // The logs pane has its own anchor, not a cursor row.
            Pane::Logs => 0,
        }
    }
}

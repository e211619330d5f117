//! Application state and the reducer: the only writer of state. Pure and
//! synchronous: no I/O, no runtime, no terminal.

pub mod drill;
mod exec;
pub mod logs;
mod modal;
mod older;
pub mod picker;
mod rate;
pub mod restart;
pub mod shutdown;
mod state;
mod switch;
#[cfg(test)]
mod testing;
mod update;

pub use crate::model::loadable::{LoadError, Loadable};
pub use modal::{Confirm, ExecMenu, Modal, Mode, Prompt};
pub use rate::CallRate;
pub use state::*;
pub use update::{divider_words, update};

use crate::model::Time;
use crate::model::observe::PollEvent;

/// A user intent, bound to keys in `ui::keys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Close,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextPane,
    PrevPane,
    Select,
    Refresh,
    Zoom,
    /// Full-screen logs on and off.
    LogsFull,
    /// Open the filter prompt.
    Filter,
    /// Only matching lines, or all lines with matches highlighted.
    FilterMode,
    NextMatch,
    PrevMatch,
    Wrap,
    /// JSON lines as they are, or readable.
    Json,
    Timestamps,
    /// Show or hide the n-th container's lines (1-based).
    ToggleContainer(u8),
    SaveLogs,
    PromptChar(char),
    PromptBackspace,
    PromptSubmit,
    PromptCancel,
    PromptRegex,
    /// `S`: stop the selected task (asks first).
    StopTask,
    /// `D`: force a new deployment of the service (asks first).
    ForceDeploy,
    /// `x`: put the restart timeline away.
    DismissTimeline,
    /// `y` in a confirm dialog.
    Confirm,
    /// `n` or `Esc` in a confirm dialog; `Esc` in the drill's window.
    Cancel,
    /// `R`: the restart drill (asks first).
    Drill,
    /// `[`: load the hour before the oldest log line held.
    Older,
    /// `c`: the selected task's id to the clipboard.
    CopyId,
    /// `C`: its ARN.
    CopyArn,
    /// `e`: a shell in one of the selected task's containers (ECS Exec).
    Exec,
    /// `:`: switch the session to another service.
    Switch,
}

impl Action {
    /// Whether the action changes anything in AWS: such bindings do not
    /// exist in a read-only run.
    pub fn changes_aws(self) -> bool {
        matches!(
            self,
            Action::StopTask | Action::ForceDeploy | Action::Drill | Action::Confirm | Action::Exec
        )
    }
}

/// Everything entering the reducer.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// An action with no time of its own (the headless drill's answer,
    /// tests): taken at once.
    Action(Action),
    /// A key the operator pressed, and when: `y` counts only once the
    /// dialog it answers has been on screen `READ_FIRST`.
    Pressed(Action, Time),
    /// A frame was written to the terminal at this time: a dialog opened
    /// by a key is on screen from then (a slow draw must not count as
    /// reading time).
    Shown(Time),
    /// The clock moved on; ages and staleness are computed against it.
    Tick(Time),
    Poll(Box<PollEvent>),
    /// The backend's running total of API calls at a moment.
    ApiCalls(Time, u64),
    /// The backend's running totals per API (`ecs:DescribeTasks`).
    ApiCallsBy(Time, Vec<(String, u64)>),
    /// The APIs ecsdeck is slowing down on, because AWS throttles them.
    Slowed(Vec<crate::model::observe::Slowed>),
    /// AWS polling is paused (the credentials were refused), or not.
    Paused(Option<crate::model::observe::Paused>),
    /// The logs were saved to this path, or could not be.
    LogsSaved(Result<String, String>),
    /// Older log lines, as asked for (`[`, `--since`).
    History(Box<crate::model::logs::History>),
    /// The pollers' cadence now.
    Cadence(std::time::Duration),
    /// AWS's answer to a restart the operator confirmed.
    Restarted(Result<(), crate::model::error::CloudError>),
    /// The restart drill's runtime.
    Drill(drill::DrillMsg),
    /// The program is asked to end (a signal, the terminal gone).
    Shutdown(shutdown::Shutdown, Time),
    /// How the shell asked for with `e` went.
    Exec(crate::model::exec::Outcome),
    /// A page of the services `:` lists (which listing, what came).
    Listed(u64, Listed),
    /// The session now watches this service (`:`): a fresh state.
    Switched(crate::model::ServiceRef),
}

/// What a listing for `:` brought.
#[derive(Debug, Clone, PartialEq)]
pub enum Listed {
    Page(Vec<crate::model::ServiceRef>),
    /// The profiles this machine has.
    Names(Vec<String>),
    /// The profile and region the listing looks in.
    Account(Option<String>, String),
    /// It ended; with what to say (a refusal, a narrower listing).
    Done(Option<String>),
}

/// Work the reducer asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    RefreshNow,
    /// Write `contents` to a new file named `name` in the working directory.
    SaveLogs {
        name: String,
        contents: String,
    },
    /// Send StopTask, once.
    StopTask {
        cluster: String,
        task_arn: String,
        reason: String,
    },
    /// Send UpdateService forceNewDeployment, once.
    ForceDeployment {
        cluster: String,
        service: String,
    },
    /// The restart drill's work.
    Drill(drill::DrillEffect),
    /// Load log lines from before the oldest held.
    LoadHistory(Box<crate::model::logs::HistoryAsk>),
    /// Put `text` on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Hand the terminal to a shell in a container until it exits.
    Exec(crate::model::exec::Plan),
    /// List the services the credentials can see, a page at a time, for
    /// the `:` picker (listing number, the cluster watched now).
    ListServices(u64, String),
    /// Start the session again on this service.
    SwitchTo(crate::model::ServiceRef),
    /// Read this machine's AWS profiles (listing number).
    ListProfiles(u64),
    /// Open AWS with this profile and region (None: the profile's own),
    /// and list its services for the picker (listing number). The
    /// session moves there only once a service is chosen.
    Connect(u64, Option<String>, Option<String>),
}

//! Application state and the reducer: the only writer of state. Pure and
//! synchronous: no I/O, no runtime, no terminal.

mod state;
mod update;

pub use state::*;
pub use update::update;

use crate::model::Time;
use crate::poll::PollEvent;

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
}

/// Everything entering the reducer.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Action(Action),
    /// The clock moved on; ages and staleness are computed against it.
    Tick(Time),
    Poll(Box<PollEvent>),
    /// The backend's running total of API calls at a moment.
    ApiCalls(Time, u64),
}

/// Work the reducer asks the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
    RefreshNow,
}

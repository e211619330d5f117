//! Rendering: reads state only, never waits on anything.

pub(crate) mod dialogs;
mod frame;
pub mod keys;
mod pane;
mod panes;
pub mod picker;
mod spark;
pub mod text;
pub mod theme;

pub use frame::render;
pub use theme::Theme;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_drill;
#[cfg(test)]
mod tests_exec;
#[cfg(test)]
mod tests_metrics;
#[cfg(test)]
mod tests_paused;
#[cfg(test)]
mod tests_probe;
#[cfg(test)]
mod tests_restart;
#[cfg(test)]
mod tests_room;

//! The restart drill's I/O: the marker's HTTP through the load balancer
//! (`api.rs`) and the report's files (`files.rs`, `html.rs`). The drill's
//! machine, its vocabulary and its report are pure and live in
//! `model::drill`; the reducer steps the machine and the effects runner
//! carries out its commands with these.

pub mod api;
pub mod files;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod history;
pub mod html;
pub mod svg;

pub use crate::model::drill::{machine, report};

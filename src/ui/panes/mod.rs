//! One file a pane: each turns the state into the lines an operator reads.

pub mod containers;
pub mod efs;
pub mod events;
pub mod header;
pub mod logs;
pub mod probe;
pub mod service;
pub mod targets;
pub mod tasks;
pub mod timeline;

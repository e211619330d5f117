//! The commands: each a consumer of one session.

pub mod dashboard;
pub mod drill;
pub mod launch;
pub mod picker;
pub mod report;
pub mod status;

//! Dialogs drawn over the dashboard.

pub mod big;
pub mod confirm;
pub mod drill;
pub mod help;

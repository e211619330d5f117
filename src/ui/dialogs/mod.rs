//! Dialogs drawn over the dashboard.

pub mod confirm;
pub mod help;

//! Dialogs drawn over the dashboard.

pub mod help;

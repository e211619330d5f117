//! The restart drill. `machine.rs` is the pure state machine every guard
//! lives in; the runtime that feeds it (reads and writes through the load
//! balancer, the restart, the session's observations) and the reports
//! come next (issue 11).

pub mod api;
pub mod machine;
pub mod run;

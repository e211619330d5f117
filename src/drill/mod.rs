//! The restart drill. `machine.rs` is the pure state machine every guard
//! lives in; `run.rs` feeds it (reads and writes through the load
//! balancer, the restart, the session's observations) and carries out its
//! commands; `report.rs` is what it leaves behind.

pub mod api;
pub mod html;
pub mod machine;
pub mod report;
pub mod run;

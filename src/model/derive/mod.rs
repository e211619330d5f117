//! Pure derivations over the domain types, one file each: the target↔task
//! join, the service verdict, per-task EFS mount inference and the
//! restart-safety preflight. No I/O; everything here is unit-tested.

mod drill_estimate;
mod join;
mod mount;
mod preflight;
mod restart;
mod usage;
mod verdict;
mod view;

pub use drill_estimate::*;
pub use join::*;
pub use mount::*;
pub use preflight::*;
pub use restart::*;
pub use usage::*;
pub use verdict::*;
pub use view::*;

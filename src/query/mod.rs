//! Questions asked of the built network beyond the checks: one packet's hops (`trace`),
//! zone × zone flows (`matrix`), and what a change gains or loses (`diff`).

pub mod diff;
pub mod matrix;
pub mod trace;

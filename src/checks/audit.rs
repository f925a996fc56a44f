//! The audit pipeline as one call: load → graph → rules → report.

use crate::checks::{self as rules, Evaluation, Rule};
use crate::model::{InputError, Snapshot};
use crate::net::Graph;
use std::path::Path;

pub struct Audit {
    pub snapshot: Snapshot,
    /// The rules of the snapshot's model, resolved ([`Rule::in_model`]).
    pub rules: Vec<Rule>,
    pub eval: Evaluation,
}

/// A step of a long run, reported to a caller-supplied callback (the CLI draws a
/// progress bar from it; the library never touches the terminal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Parse,
    /// Configurations read: how many devices.
    Parsed {
        devices: usize,
    },
    Graph,
    Rules,
    /// `done` of the `total` checks that apply have been evaluated.
    Checked {
        done: usize,
        total: usize,
    },
    ZonePairs,
}

pub fn run(root: &Path) -> Result<Audit, InputError> {
    run_with(root, &mut |_| {})
}

/// [`run`], announcing each phase before it starts.
pub fn run_with(root: &Path, on_phase: &mut dyn FnMut(Phase)) -> Result<Audit, InputError> {
    run_keep_graph(root, on_phase).map(|(a, _)| a)
}

/// [`run_with`], also returning the graph (for commands that query it further).
pub fn run_keep_graph(
    root: &Path,
    on_phase: &mut dyn FnMut(Phase),
) -> Result<(Audit, Graph), InputError> {
    on_phase(Phase::Parse);
    let snapshot = Snapshot::load(root)?;
    on_phase(Phase::Parsed {
        devices: snapshot.devices.len(),
    });
    check_with(snapshot, on_phase)
}

/// Graph and rules over an already loaded snapshot (for commands that load snapshots
/// themselves, like `diff`).
pub fn check(
    snapshot: Snapshot,
    on_phase: &mut dyn FnMut(Phase),
) -> Result<(Audit, Graph), InputError> {
    check_with(snapshot, on_phase)
}

/// The graph is compiled to exact header sets, not atoms: what the rules need and much
/// cheaper to build (see docs/performance.md).
fn check_with(
    snapshot: Snapshot,
    on_phase: &mut dyn FnMut(Phase),
) -> Result<(Audit, Graph), InputError> {
    let pack = rules::load_builtin().map_err(|e| InputError {
        file: e.file,
        line: None,
        message: e.message,
    })?;
    // The rules of the model in force, with that model's severities and parameters.
    let rules = rules::for_model(&pack, &snapshot.model);
    on_phase(Phase::Graph);
    let mut g = Graph::build_sets_for(&snapshot, &rules::query_ports(&rules, &snapshot));
    on_phase(Phase::Rules);
    let eval = rules::evaluate_with(&rules, &snapshot, &mut g, &mut |done, total| {
        on_phase(Phase::Checked { done, total })
    });
    Ok((
        Audit {
            snapshot,
            rules,
            eval,
        },
        g,
    ))
}

impl Audit {
    /// 0 = every check passes (or does not apply), 1 = any violated or unproven, or
    /// none applied at all.
    pub fn exit_code(&self) -> i32 {
        use crate::checks::Status;
        let bad = self
            .eval
            .checks
            .iter()
            .any(|c| matches!(c.status, Status::Violated | Status::Unproven));
        // A report in which no check applied proves nothing: not a pass.
        let none_applied = self
            .eval
            .checks
            .iter()
            .all(|c| c.status == Status::NotApplicable);
        (bad || none_applied) as i32
    }
}

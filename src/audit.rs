//! The audit pipeline as one call: load → graph → rules → report.

use crate::graph::Graph;
use crate::report::{self, Lang, Report};
use crate::rules::{self, Evaluation, Rule};
use crate::snapshot::{InputError, Snapshot};
use std::path::Path;

pub struct Audit {
    pub snapshot: Snapshot,
    pub rules: Vec<Rule>,
    pub eval: Evaluation,
}

pub fn run(root: &Path) -> Result<Audit, InputError> {
    let snapshot = Snapshot::load(root)?;
    let rules = rules::load_builtin().map_err(|e| InputError {
        file: e.file,
        line: None,
        message: e.message,
    })?;
    let mut g = Graph::build_sets(&snapshot);
    let eval = rules::evaluate(&rules, &snapshot, &mut g);
    Ok(Audit {
        snapshot,
        rules,
        eval,
    })
}

impl Audit {
    pub fn report(&self, lang: Lang) -> Report {
        report::build(&self.snapshot, &self.rules, &self.eval, lang)
    }
    /// 0 = every check passes (or does not apply), 1 = any violated or unproven.
    pub fn exit_code(&self) -> i32 {
        use crate::rules::Status;
        let bad = self
            .eval
            .checks
            .iter()
            .any(|c| matches!(c.status, Status::Violated | Status::Unproven));
        bad as i32
    }
}

//! The audit pipeline as one call: load → graph → rules → report.

use crate::checks::{self as rules, Evaluation, Rule};
use crate::model::part::{self, Share};
use crate::model::{InputError, Snapshot};
use crate::net::Graph;
use std::path::Path;

pub struct Audit {
    pub snapshot: Snapshot,
    /// The rules of the snapshot's model, resolved ([`Rule::in_model`]).
    pub rules: Vec<Rule>,
    pub eval: Evaluation,
    /// Set when this is one part of a split run (`--part K/N`).
    pub part: Option<PartRun>,
}

/// One part of a split run: which part, and what `sanso merge` needs to join it with
/// the others exactly (see `report::merge`).
pub struct PartRun {
    pub share: Share,
    /// Components of the whole snapshot, and which this part audited (ascending).
    pub components: usize,
    pub own: Vec<usize>,
    /// SHA-256 over the snapshot's input files and their hashes: the same for every
    /// part of one snapshot.
    pub inputs: String,
    /// Whole-snapshot index of each zone and link of the part's snapshot.
    pub zone_index: Vec<usize>,
    pub link_index: Vec<usize>,
    /// Per zone of the part's snapshot: whether the part's graph places it anywhere.
    pub located: Vec<bool>,
    /// The rules that span parts ([`rules::spans_parts`]): part 1 runs them on the
    /// whole snapshot (this audit), the other parts not at all.
    pub global_rules: Vec<String>,
    pub global: Option<Box<Audit>>,
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

/// One job of a split run (`share`): the snapshot is loaded whole, cut into its
/// independent components ([`part::components`]), and only the components of this job
/// are built and checked: for `--part K/N` those [`part::assign`] gives it over parts
/// 2…N (part 1 alone gets them when N = 1), for `--select` those [`part::select`]
/// picks. Part 1 and `--spanning` run the rules that span parts ([`rules::spans_parts`])
/// on the whole snapshot.
pub fn run_part(
    root: &Path,
    share: Share,
    on_phase: &mut dyn FnMut(Phase),
) -> Result<Audit, InputError> {
    on_phase(Phase::Parse);
    let whole = Snapshot::load(root)?;
    let comps = part::components(&whole);
    // Part 1 runs the rules that span parts on the whole snapshot (a whole graph): with
    // more than one part it gets no component and the others share them.
    let (mine, spanning) = match &share {
        Share::Part(spec) => {
            let mut shares = match spec.count {
                1 => part::assign(&comps, 1),
                n => std::iter::once(vec![])
                    .chain(part::assign(&comps, n - 1))
                    .collect(),
            };
            (shares.swap_remove(spec.index - 1), spec.index == 1)
        }
        Share::Select(prefixes) => (part::select(&whole, &comps, prefixes), false),
        Share::Spanning => (vec![], true),
    };
    let devices: std::collections::BTreeSet<usize> = mine
        .iter()
        .flat_map(|&c| comps[c].devices.clone())
        .collect();
    let zones: std::collections::BTreeSet<usize> =
        mine.iter().flat_map(|&c| comps[c].zones.clone()).collect();
    let bad = |message: String| InputError {
        file: "sanso.toml".into(),
        line: None,
        message,
    };
    let present = part::present_external(&whole, None).map_err(bad)?;
    let here = part::present_external(&whole, Some(&devices)).map_err(bad)?;
    let elsewhere = present.difference(&here).copied().collect();
    let cut = whole.restrict(&devices, &zones, &elsewhere);
    let inputs = inputs_id(&whole);
    let pack = load_rules(&whole.model)?;
    let (global_rules, local_rules): (Vec<Rule>, Vec<Rule>) =
        pack.into_iter().partition(rules::spans_parts);
    // The designated part: the rules that span parts, over the whole snapshot.
    let global = if spanning && global_rules.iter().any(|r| r.models.contains(&whole.model)) {
        on_phase(Phase::Parsed {
            devices: whole.devices.len(),
        });
        Some(Box::new(
            check_rules(whole, global_rules.clone(), on_phase).0,
        ))
    } else {
        drop(whole);
        None
    };
    on_phase(Phase::Parsed {
        devices: cut.snapshot.devices.len(),
    });
    let (mut a, g) = check_rules(cut.snapshot, local_rules, on_phase);
    let mut located = vec![false; a.snapshot.zones.len()];
    for p in &g.points {
        for &z in &p.zones {
            located[z] = true;
        }
    }
    a.part = Some(PartRun {
        share,
        components: comps.len(),
        own: mine,
        inputs,
        zone_index: cut.zone_index,
        link_index: cut.link_index,
        located,
        global_rules: global_rules.into_iter().map(|r| r.id).collect(),
        global,
    });
    Ok(a)
}

/// SHA-256 of the snapshot's `path\tsha256` input rows: names one snapshot's contents.
pub fn inputs_id(snap: &Snapshot) -> String {
    let rows: String = snap
        .input_hashes()
        .iter()
        .map(|(p, h, _)| format!("{p}\t{h}\n"))
        .collect();
    crate::ingest::source::sha256_hex(rows.as_bytes())
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
    let model = snapshot.model.clone();
    Ok(check_rules(snapshot, load_rules(&model)?, on_phase))
}

/// The rules of the model in force, with that model's severities and parameters.
fn load_rules(model: &str) -> Result<Vec<Rule>, InputError> {
    let pack = rules::load_builtin().map_err(|e| InputError {
        file: e.file,
        line: None,
        message: e.message,
    })?;
    Ok(rules::for_model(&pack, model))
}

/// Graph and `rules` over a loaded snapshot.
fn check_rules(
    snapshot: Snapshot,
    rules: Vec<Rule>,
    on_phase: &mut dyn FnMut(Phase),
) -> (Audit, Graph) {
    on_phase(Phase::Graph);
    let mut g = Graph::build_sets_for(&snapshot, &rules::query_ports(&rules, &snapshot));
    on_phase(Phase::Rules);
    let eval = rules::evaluate_with(&rules, &snapshot, &mut g, &mut |done, total| {
        on_phase(Phase::Checked { done, total })
    });
    (
        Audit {
            snapshot,
            rules,
            eval,
            part: None,
        },
        g,
    )
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

//! The evaluator kinds. A rule (`rules/<ID>/rule.toml`) names one kind and gives it
//! parameters; a kind validates them at load, says which services it will ask the graph
//! about, evaluates over the reach context, and carries the sentences of its findings.
//! Adding a kind is one file here and one line in [`KINDS`].

mod flow_tightness;
mod isolation;
mod only_declared_flows;
mod protocol_allowlist;

use super::ctx::{Ctx, Outcome};
use super::{Params, Rule};
use crate::hs::Space;
use crate::model::{PortSpec, Snapshot, Tier};

/// A finding sentence for one subject `detail`, with `{src}`, `{dst}` and `{flow}`
/// filled in by the report.
pub struct Message {
    pub detail: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
}

pub trait Kind: Sync {
    /// The name rules use in `kind = …`.
    fn id(&self) -> &'static str;
    /// Reject parameters the kind cannot use (a load error naming the rule file).
    fn check_params(&self, p: &Params) -> Result<(), String>;
    /// The services this rule will ask the graph about (registered as queries).
    fn ports(&self, p: &Params, snap: &Snapshot) -> Vec<PortSpec>;
    /// The sentences of the findings it produces.
    fn messages(&self) -> &'static [Message];
    /// Violating sets (with witness preferences), plain findings and taint.
    fn evaluate(&self, rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome;
}

/// Every evaluator kind.
pub static KINDS: &[&dyn Kind] = &[
    &isolation::Isolation,
    &only_declared_flows::OnlyDeclaredFlows,
    &protocol_allowlist::ProtocolAllowlist,
    &flow_tightness::FlowTightness,
];

pub fn by_id(id: &str) -> Option<&'static dyn Kind> {
    KINDS.iter().copied().find(|k| k.id() == id)
}

/// The sentence template for a finding detail, from whichever kind produces it.
pub fn message(detail: &str) -> Option<&'static Message> {
    KINDS
        .iter()
        .flat_map(|k| k.messages())
        .find(|m| m.detail == detail)
}

/// Before zone pairs are judged: with no zone on a side the rule has nothing to judge
/// (`not-applicable`, returns false); a zone of either side that the network places nowhere
/// (no interface, route or attach reaches its subnets — a mistyped subnet, say) cannot be
/// judged, so the rule is `unproven` naming it rather than passing.
fn sides(
    cx: &Ctx,
    a: &dyn Fn(usize) -> bool,
    b: &dyn Fn(usize) -> bool,
    out: &mut Outcome,
) -> bool {
    let nz = cx.snap.zones.len();
    if !(0..nz).any(a) {
        out.not_applicable = Some("no-source-zone".into());
        return false;
    }
    if !(0..nz).any(b) {
        out.not_applicable = Some("no-destination-zone".into());
        return false;
    }
    let nowhere: Vec<&str> = (0..nz)
        .filter(|&z| (a(z) || b(z)) && cx.points_of_zone(z).is_empty())
        .map(|z| cx.snap.zones[z].name.as_str())
        .collect();
    if !nowhere.is_empty() {
        out.unproven_note = Some(format!("zone-located-nowhere: {}", nowhere.join(", ")));
    }
    true
}

/// External zone kinds the inventory knows (DESIGN.md): rule parameters may name only these.
pub const EXTERNAL_KINDS: &[&str] = &[
    "lgwan",
    "internet",
    "security-cloud",
    "juki-net",
    "chukan-server",
    "conveni",
    "lgwan-asp",
    "backup-center",
    "dedicated-line",
];

/// `from`/`to` name tiers and `to_kinds`/`exclude_kinds` external kinds: a typo is an
/// error, not a silently empty set.
fn check_tiers(p: &Params) -> Result<(), String> {
    for (field, v) in [("from", &p.from), ("to", &p.to)] {
        for t in v {
            if Tier::parse(t).is_none() {
                return Err(format!(
                    "params.{field}: unknown tier {t:?} (mynumber | lgwan | internet | external)"
                ));
            }
        }
    }
    for (field, v) in [
        ("to_kinds", &p.to_kinds),
        ("exclude_kinds", &p.exclude_kinds),
    ] {
        for k in v {
            if !EXTERNAL_KINDS.contains(&k.as_str()) {
                return Err(format!(
                    "params.{field}: unknown external kind {k:?} ({})",
                    EXTERNAL_KINDS.join(" | ")
                ));
            }
        }
    }
    if p.from.is_empty() || p.to.is_empty() {
        return Err("params.from and params.to name at least one tier each".into());
    }
    Ok(())
}

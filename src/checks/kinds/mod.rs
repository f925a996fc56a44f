//! The evaluator kinds. A rule (`rules/<ID>/rule.toml`) names one kind and gives it
//! parameters; a kind validates them at load, says which services it will ask the graph
//! about, evaluates over the reach context, and carries the sentences of its findings.
//! Adding a kind is one file here and one line in [`KINDS`].

mod filter_hygiene;
mod flow_tightness;
mod isolation;
pub mod known_exploited;
mod mgmt_plaintext;
mod no_egress;
mod only_declared_flows;
mod password_reuse;
mod password_storage;
mod port_admission;
mod protocol_allowlist;
mod role_presence;
mod shared_device;
mod shared_host;
mod snmp_community;
mod topology_record;

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
    /// The parts of a policy's match its findings are about: a cause cites their lines
    /// first (the deciding line). Empty: the policy as written.
    fn decided_by(&self, _p: &Params) -> &'static [crate::model::MatchField] {
        &[]
    }
}

/// Every evaluator kind.
pub static KINDS: &[&dyn Kind] = &[
    &isolation::Isolation,
    &only_declared_flows::OnlyDeclaredFlows,
    &protocol_allowlist::ProtocolAllowlist,
    &flow_tightness::FlowTightness,
    &no_egress::NoEgress,
    &shared_host::SharedHost,
    &role_presence::RolePresence,
    &port_admission::PortAdmission,
    &shared_device::SharedDevice,
    &filter_hygiene::FilterHygiene,
    &topology_record::TopologyRecord,
    &mgmt_plaintext::MgmtPlaintext,
    &snmp_community::SnmpCommunity,
    &password_reuse::PasswordReuse,
    &password_storage::PasswordStorage,
    &known_exploited::KnownExploited,
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
        ("from_kinds", &p.from_kinds),
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

/// Host roles the inventory knows (DESIGN.md): rule parameters may name only these.
pub const HOST_ROLES: &[&str] = &[
    "server",
    "terminal",
    "printer",
    "wsus",
    "av-pattern",
    "mail-sanitizer",
    "vdi-gateway",
    "file-sanitizer",
    "jalert",
    "ap",
];

/// `roles` name known host roles; `detail` (if the kind has several sentences) is one of
/// the kind's; `minor_severity` is a known severity.
fn check_common(p: &Params, messages: &[Message], need_roles: bool) -> Result<(), String> {
    for r in &p.roles {
        if !HOST_ROLES.contains(&r.as_str()) {
            return Err(format!(
                "params.roles: unknown host role {r:?} ({})",
                HOST_ROLES.join(" | ")
            ));
        }
    }
    if need_roles && p.roles.is_empty() {
        return Err("params.roles names at least one host role".into());
    }
    if !p.detail.is_empty() && !messages.iter().any(|m| m.detail == p.detail) {
        let known: Vec<&str> = messages.iter().map(|m| m.detail).collect();
        return Err(format!(
            "params.detail: {:?} is not one of {}",
            p.detail,
            known.join(" | ")
        ));
    }
    if !p.minor_severity.is_empty()
        && !["critical", "high", "warning", "info"].contains(&p.minor_severity.as_str())
    {
        return Err(format!(
            "params.minor_severity: {:?} is not critical | high | warning | info",
            p.minor_severity
        ));
    }
    Ok(())
}

/// Edge points where host `h` sends from: the port topology.toml links it to (or the
/// Linux stack that owns its address); else every point of its zone (a host without a
/// link sits in its zone's subnet). Ascending, like [`Ctx::points_of_zone`]: callers
/// test membership by binary search.
fn host_points(cx: &Ctx, h: usize) -> Vec<usize> {
    let own: Vec<usize> = (0..cx.g.points.len())
        .filter(|p| {
            cx.g.points[*p].host == Some(h) || cx.local_hosts.get(p).is_some_and(|v| v.contains(&h))
        })
        .collect();
    if own.is_empty() {
        cx.points_of_zone(cx.snap.hosts[h].zone).to_vec()
    } else {
        own
    }
}

/// Parameters of the configuration-hygiene kinds: no tiers or roles, only `detail` and
/// `minor_severity` as `check_common` knows them.
fn check_hygiene(p: &Params, messages: &[Message]) -> Result<(), String> {
    check_common(p, messages, false)?;
    if !(p.from.is_empty() && p.to.is_empty() && p.roles.is_empty()) {
        return Err(
            "configuration-hygiene kinds judge every device: no params.from / to / roles".into(),
        );
    }
    Ok(())
}

/// A configuration-level finding on one device, citing `spans` (each once, in order).
fn config_finding(
    device: &str,
    dst: String,
    detail: &str,
    minor: bool,
    spans: &[&crate::model::Span],
) -> super::ctx::Plain {
    let mut lines: Vec<String> = vec![];
    for s in spans {
        let l = s.to_string();
        if !lines.contains(&l) {
            lines.push(l);
        }
    }
    super::ctx::Plain {
        subject: super::Subject {
            src: device.to_string(),
            dst,
            flow: None,
            detail: detail.to_string(),
        },
        minor,
        evidence: vec![crate::net::path::Hop {
            device: device.to_string(),
            in_if: None,
            out: None,
            lines,
        }],
    }
}

/// `not-applicable` when the snapshot has no device configuration at all.
fn no_devices(cx: &Ctx, out: &mut Outcome) -> bool {
    if cx.snap.devices.is_empty() {
        out.not_applicable = Some("no-device".into());
        return true;
    }
    false
}

//! Root causes: one finding per cause, not per zone pair. A rogue link between two cores
//! lets every zone of one tier reach every zone of the other; reported per pair it is
//! hundreds of findings citing the same lines. Here the findings of one rule are grouped
//! by the place their witness leaves the source's tier and the lines that let it in
//! there; each group is one finding that lists every pair it affects.
//!
//! The deciding hop of a witness path is the first device that is not wholly the source
//! tier's: a device hosting zones of another tier (on its ports, its SVIs or routed
//! interfaces, or by `attach`: a shared core, a firewall, the other tier's core) or none
//! at all (a transit firewall or router). Its cause is the lines of
//! that hop that act on the arriving packet — the permitting ACL entry or policy and the
//! objects it uses, NAT — without the lines that depend on where the packet goes next
//! (routes, the egress interface and its filter), plus the link it arrived on and the
//! route that sent it there. Two pairs
//! share a cause when they enter the same deciding hop the same way through the same
//! lines. Findings about declared flows (特定通信, 無害化) and findings without a path
//! stay one per subject: each names its own flow.

use super::{Affected, Finding};
use crate::model::{Device, IfMode, Link, LinkEnd, MatchField, Snapshot, Tier};
use crate::net::Graph;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Per device, the internal tiers it hosts. External zones are left out: their subnets
/// are remote networks (the Internet's is 0.0.0.0/0), located wherever traffic leaves
/// the snapshot, and say nothing about which tier a device belongs to.
pub(super) struct Tiers(HashMap<String, BTreeSet<Tier>>);

impl Tiers {
    pub(super) fn new(snap: &Snapshot, g: &Graph) -> Tiers {
        let mut m: HashMap<String, BTreeSet<Tier>> = HashMap::new();
        for p in &g.points {
            let e = m.entry(p.device.clone()).or_default();
            e.extend(
                p.zones
                    .iter()
                    .map(|&z| snap.zones[z].tier)
                    .filter(|&t| t != Tier::External),
            );
        }
        // A core hosts the zones it routes for (an SVI or routed port inside a zone's
        // subnet) even though the zones' edge points are on its floor switches.
        for d in &snap.devices {
            let e = m.entry(d.name.clone()).or_default();
            for i in d.interfaces.iter().filter(|i| !i.shutdown) {
                for &(ip, _) in &i.addresses {
                    e.extend(
                        snap.zones
                            .iter()
                            .filter(|z| z.tier != Tier::External)
                            .filter(|z| z.subnets.iter().any(|n| n.contains(ip)))
                            .map(|z| z.tier),
                    );
                }
            }
        }
        for z in snap.zones.iter().filter(|z| z.tier != Tier::External) {
            for (d, _) in &z.attach {
                m.entry(d.clone()).or_default().insert(z.tier);
            }
        }
        Tiers(m)
    }
}

/// The tier a subject side (a zone or a host) belongs to.
fn tier_of(snap: &Snapshot, name: &str) -> Option<Tier> {
    if let Some(z) = snap.zones.iter().find(|z| z.name == name) {
        return Some(z.tier);
    }
    snap.hosts
        .iter()
        .find(|h| h.name == name)
        .map(|h| snap.zones[h.zone].tier)
}

/// Lines of a device that depend on where the packet leaves it: its routes, and the
/// egress interface with its outbound filter.
fn egress_lines(lk: &Lookup, device: &str, out: Option<&str>) -> HashSet<String> {
    let mut s = HashSet::new();
    let Some(d) = lk.dev.get(device) else {
        return s;
    };
    s.extend(d.routes.iter().map(|r| r.span.to_string()));
    if let Some(i) = out.and_then(|o| d.interfaces.iter().find(|i| i.name == o)) {
        s.insert(i.span.to_string());
        s.extend(i.lines.iter().map(|l| l.to_string()));
        if let Some(acl) = i.acl_out.as_ref().and_then(|a| d.acls.get(&a.name)) {
            s.insert(acl.span.to_string());
            s.extend(acl.rules.iter().map(|r| r.span.to_string()));
        }
    }
    s
}

/// The line that declares the link between two ports, if any (topology.toml, or the two
/// config lines an inferred link rests on).
fn link_lines(snap: &Snapshot, a: (&str, &str), b: (&str, &str)) -> Vec<String> {
    let is = |e: &LinkEnd, (d, i): (&str, &str)| matches!(e, LinkEnd::Port { device, interface } if device == d && interface == i);
    snap.links
        .iter()
        .find(|l| (is(&l.a, a) && is(&l.b, b)) || (is(&l.a, b) && is(&l.b, a)))
        .map(cite_link)
        .unwrap_or_default()
}

/// The lines a link rests on: its topology.toml line, the two config lines it was inferred
/// from, or the state/ lines that observed it.
fn cite_link(l: &Link) -> Vec<String> {
    if let Some(i) = &l.inferred {
        return vec![i.a_span.to_string(), i.b_span.to_string()];
    }
    if let Some(o) = &l.observed {
        return o.evidence.iter().map(|s| s.to_string()).collect();
    }
    vec![format!("topology.toml:{}", l.line)]
}

/// 誤配線 at L2: the links of the switched fabric around `start` (the device the witness
/// was injected at; walked over links between switch ports) whose two ends send untagged
/// frames in different VLANs. Such a cable joins two VLANs into one L2 domain, which is how
/// a zone of one tier comes to be present on another tier's switch.
fn l2_crossings<'a>(
    snap: &'a Snapshot,
    dev: &HashMap<&str, &Device>,
    start: &str,
) -> Vec<&'a Link> {
    let untagged = |d: &str, i: &str| {
        let x = dev
            .get(d)?
            .interfaces
            .iter()
            .find(|y| y.name == i && !y.shutdown)?;
        match &x.mode {
            IfMode::Access { vlan } => Some(Some(*vlan)),
            IfMode::Trunk { allowed, native } => Some(allowed.contains(*native).then_some(*native)),
            _ => None,
        }
    };
    let mut seen: BTreeSet<&str> = BTreeSet::from([start]);
    let mut queue = vec![start];
    let mut out: Vec<&Link> = vec![];
    while let Some(d) = queue.pop() {
        for l in &snap.links {
            let (
                LinkEnd::Port {
                    device: da,
                    interface: ia,
                },
                LinkEnd::Port {
                    device: db,
                    interface: ib,
                },
            ) = (&l.a, &l.b)
            else {
                continue;
            };
            // Links away from `d` first: the port lookups are the expensive part.
            let next = if da == d {
                db.as_str()
            } else if db == d {
                da.as_str()
            } else {
                continue;
            };
            let (Some(ua), Some(ub)) = (untagged(da, ia), untagged(db, ib)) else {
                continue;
            };
            if matches!((ua, ub), (Some(x), Some(y)) if x != y)
                && !out.iter().any(|o| std::ptr::eq(*o, l))
            {
                out.push(l);
            }
            if seen.insert(next) {
                queue.push(next);
            }
        }
    }
    out
}

/// Where the witness path of `f` leaves its source's tier, and what let it: the grouping
/// key, and the cause lines (deciding line first). `None`: the finding stays on its own.
/// Devices by name and the L2 crossings around each device a witness starts at, for one
/// rule's findings: scanning every device (and, per fabric device, every link) for each
/// finding was most of an audit with thousands of findings.
struct Lookup<'a> {
    dev: HashMap<&'a str, &'a Device>,
    crossings: HashMap<String, Vec<&'a Link>>,
}

fn cause_of<'a>(
    f: &Finding,
    snap: &'a Snapshot,
    tiers: &Tiers,
    lk: &mut Lookup<'a>,
) -> Option<(String, Vec<String>)> {
    f.witness.as_ref()?;
    if f.path.is_empty() {
        return None;
    }
    let own = tier_of(snap, &f.subject.src)?;
    let realm = |d: &str| {
        tiers
            .0
            .get(d)
            .is_some_and(|t| t.len() == 1 && t.contains(&own))
    };
    let j = f
        .path
        .iter()
        .position(|h| !realm(&h.device))
        .unwrap_or(f.path.len() - 1);
    let hop = &f.path[j];
    let egress = egress_lines(lk, &hop.device, hop.out.as_deref());
    // Entered another tier's switch directly: the cable that merged the VLANs decides.
    let mut cause: Vec<String> = vec![];
    if j == 0 && own != Tier::External {
        if !lk.crossings.contains_key(&hop.device) {
            let c = l2_crossings(snap, &lk.dev, &hop.device);
            lk.crossings.insert(hop.device.clone(), c);
        }
        for l in &lk.crossings[&hop.device] {
            cause.extend(cite_link(l));
            for e in [&l.a, &l.b] {
                if let LinkEnd::Port { device, interface } = e {
                    if let Some(i) = lk
                        .dev
                        .get(device.as_str())
                        .and_then(|d| d.interfaces.iter().find(|i| &i.name == interface))
                    {
                        cause.push(i.span.to_string());
                    }
                }
            }
        }
    }
    for l in hop.lines.iter().filter(|l| !egress.contains(*l)) {
        if !cause.contains(l) {
            cause.push(l.clone());
        }
    }
    let mut key = format!(
        "{}\u{1}{}\u{1}{}",
        hop.device,
        hop.in_if.as_deref().unwrap_or("-"),
        cause.join("\u{2}")
    );
    if j > 0 {
        let prev = &f.path[j - 1];
        if let (Some(po), Some(hi)) = (prev.out.as_deref(), hop.in_if.as_deref()) {
            for l in link_lines(snap, (&prev.device, po), (&hop.device, hi)) {
                if !cause.contains(&l) {
                    cause.push(l);
                }
            }
            // The route that sends the packet over that link (not part of the key: each
            // destination may have its own).
            let routes: HashSet<String> = lk
                .dev
                .get(prev.device.as_str())
                .map(|d| d.routes.iter().map(|r| r.span.to_string()).collect())
                .unwrap_or_default();
            for l in prev.lines.iter().filter(|l| routes.contains(*l)) {
                if !cause.contains(l) {
                    cause.push(l.clone());
                }
            }
        }
        key.push_str(&format!(
            "\u{1}{}\u{1}{}",
            prev.device,
            prev.out.as_deref().unwrap_or("-")
        ));
    }
    // The arriving interface itself, when nothing else on the hop names it.
    if let Some(i) = hop.in_if.as_deref().and_then(|i| {
        lk.dev
            .get(hop.device.as_str())?
            .interfaces
            .iter()
            .find(|x| x.name == i)
    }) {
        let l = i.span.to_string();
        if !cause.contains(&l) {
            cause.push(l);
        }
    }
    Some((key, cause))
}

/// `cause` with the lines that set the `first` parts of a policy's match (on the path's
/// devices) moved to the front, in their order: the deciding line of a 特定通信 admitted
/// on too many ports is the policy's service, not its header.
fn decided_first(
    cause: Vec<String>,
    f: &Finding,
    snap: &Snapshot,
    first: &[MatchField],
) -> Vec<String> {
    if first.is_empty() {
        return cause;
    }
    let on_path: HashSet<&str> = f.path.iter().map(|h| h.device.as_str()).collect();
    let mut lead: Vec<String> = vec![];
    for want in first {
        for d in snap
            .devices
            .iter()
            .filter(|d| on_path.contains(d.name.as_str()))
        {
            for p in &d.policies {
                for (fl, sp) in &p.field_lines {
                    let l = sp.to_string();
                    if fl == want && cause.contains(&l) && !lead.contains(&l) {
                        lead.push(l);
                    }
                }
            }
        }
    }
    let rest: Vec<String> = cause.into_iter().filter(|l| !lead.contains(l)).collect();
    lead.extend(rest);
    lead
}

/// Group `fs` (one rule's findings, in report order) by cause: the first finding of a
/// group keeps its witness and path and lists the others' pairs in `also`. Every finding
/// gets its cause lines; groups keep the order of their first finding.
pub(super) fn group(
    fs: Vec<Finding>,
    snap: &Snapshot,
    tiers: &Tiers,
    first: &[MatchField],
) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(fs.len());
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut lk = Lookup {
        dev: HashMap::new(),
        crossings: HashMap::new(),
    };
    // The first device of a name, as a scan would find.
    for d in &snap.devices {
        lk.dev.entry(d.name.as_str()).or_insert(d);
    }
    for mut f in fs {
        let Some((key, cause)) = cause_of(&f, snap, tiers, &mut lk) else {
            out.push(f);
            continue;
        };
        f.cause = decided_first(cause, &f, snap, first);
        if f.subject.flow.is_some() {
            out.push(f);
            continue;
        }
        match by_key.get(&key) {
            Some(&i) => out[i].also.push(Affected {
                subject: f.subject,
                witness: f.witness,
                delivered: f.delivered,
                src_point: f.src_point,
                dst_point: f.dst_point,
            }),
            None => {
                by_key.insert(key, out.len());
                out.push(f);
            }
        }
    }
    out
}

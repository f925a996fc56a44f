//! `shared-device`: a switch or router (not a policy firewall, the sanctioned boundary)
//! carries zones of two internal tiers — edge ports of their zones, or interfaces in
//! their subnets. When no new flow passes between those zones (beyond declared 無害化
//! paths) the tiers are separated by ACLs on a shared device: the lesser finding
//! (`minor_severity`); when one does, the full severity (and MN-ISOLATION or
//! SPLIT-MUGAIKA-ONLY reports the flow with its witness).

use super::{Kind, Message};
use crate::checks::ctx::{Ctx, Outcome, Plain};
use crate::checks::{Params, Rule, Subject};
use crate::hs::{Bdd, Space, FALSE};
use crate::model::{PortSpec, Snapshot, Tier};
use crate::net::path::Hop;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub struct SharedDevice;

const MESSAGES: &[Message] = &[
    Message {
        detail: "shared-device-gap",
        ja: "{src} は複数の領域（{dst}）を収容し、その間で通信できます",
        en: "{src} carries several tiers ({dst}) and passes flows between them",
    },
    Message {
        detail: "shared-device-separated",
        ja: "{src} は複数の領域（{dst}）を収容しています（ACL で分離されていますが機器を共用しています）",
        en: "{src} carries several tiers ({dst}); ACLs separate them, but the device is shared",
    },
];

impl Kind for SharedDevice {
    fn id(&self) -> &'static str {
        "shared-device"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_common(p, MESSAGES, false)?;
        if p.minor_severity.is_empty() {
            return Err("params.minor_severity is the severity of separated tiers".into());
        }
        Ok(())
    }

    fn ports(&self, p: &Params, snap: &Snapshot) -> Vec<PortSpec> {
        let _ = p;
        snap.mugaika
            .iter()
            .flat_map(|f| f.ports.iter().copied())
            .collect()
    }

    fn messages(&self) -> &'static [Message] {
        MESSAGES
    }

    fn evaluate(&self, _rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        let snap = cx.snap;
        let internal = |z: usize| snap.zones[z].tier != Tier::External;
        if !(0..snap.zones.len()).any(internal) {
            out.not_applicable = Some("no-source-zone".into());
            return out;
        }
        // Internal traffic only: the reaches below start from internal zones.
        let mut y = FALSE;
        for z in (0..snap.zones.len()).filter(|&z| internal(z)) {
            y = sp.or(y, cx.q(cx.g.q.zone_dst[z]));
        }
        let new_flow = cx.q(cx.g.q.new_flow);
        let restrict = !cx.g.engine.has_rewrites();
        let inject = if restrict {
            sp.and(new_flow, y)
        } else {
            new_flow
        };
        // Each device's edge points, in point order (a scan of every point per device was
        // quadratic at prefecture scale).
        let mut by_device: HashMap<&str, Vec<&crate::net::Point>> = HashMap::new();
        for p in &cx.g.points {
            by_device.entry(p.device.as_str()).or_default().push(p);
        }
        for d in &snap.devices {
            if d.policy_based || d.netfilter.is_some() {
                continue;
            }
            // tier → zones carried, and the lines that show it.
            let mut carried: BTreeMap<Tier, BTreeSet<usize>> = BTreeMap::new();
            let mut lines: BTreeMap<Tier, BTreeSet<String>> = BTreeMap::new();
            for pt in by_device.get(d.name.as_str()).into_iter().flatten() {
                for &z in pt.zones.iter().filter(|&&z| internal(z)) {
                    let t = snap.zones[z].tier;
                    carried.entry(t).or_default().insert(z);
                    if let Some(i) = d.interface(&pt.interface) {
                        lines.entry(t).or_default().insert(i.span.to_string());
                    }
                }
            }
            for i in d.interfaces.iter().filter(|i| !i.shutdown) {
                for (a, _) in &i.addresses {
                    if let Some(z) = snap.zone_of(*a).filter(|&z| internal(z)) {
                        let t = snap.zones[z].tier;
                        carried.entry(t).or_default().insert(z);
                        lines.entry(t).or_default().insert(i.span.to_string());
                    }
                }
            }
            let ts: Vec<Tier> = carried.keys().copied().collect();
            for (ai, &ta) in ts.iter().enumerate() {
                for &tb in &ts[ai + 1..] {
                    let (za, zb) = (&carried[&ta], &carried[&tb]);
                    let gap = za.iter().any(|&a| {
                        zb.iter()
                            .any(|&b| passes(cx, sp, a, b, inject) || passes(cx, sp, b, a, inject))
                    });
                    if restrict && !gap {
                        let zs: Vec<usize> = za.iter().chain(zb).copied().collect();
                        cx.zones_taint(sp, &zs, new_flow, &mut out.taint);
                    }
                    let names: Vec<&str> = za
                        .iter()
                        .chain(zb)
                        .map(|&z| snap.zones[z].name.as_str())
                        .collect();
                    let mut ls: Vec<String> =
                        lines[&ta].iter().chain(&lines[&tb]).cloned().collect();
                    ls.sort();
                    ls.dedup();
                    out.plains.push(Plain {
                        subject: Subject {
                            src: d.name.clone(),
                            dst: names.join(" / "),
                            flow: None,
                            detail: MESSAGES[usize::from(!gap)].detail.into(),
                        },
                        minor: !gap,
                        evidence: vec![Hop {
                            device: d.name.clone(),
                            in_if: None,
                            out: None,
                            lines: ls,
                        }],
                    });
                }
            }
        }
        out
    }
}

/// Does a new flow from zone `a`, beyond the declared 無害化 paths, reach zone `b`
/// addressed into it?
fn passes(cx: &Ctx, sp: &mut Space, a: usize, b: usize, inject: Bdd) -> bool {
    let pts = cx.points_of_zone(a);
    if pts.is_empty() {
        return false;
    }
    let reach = cx.reach_from_zone(sp, pts, inject, Some(a), &mut BTreeSet::new());
    let mut ok = FALSE;
    for f in &cx.snap.mugaika {
        if cx.snap.endpoint_zone(f.from) == a && cx.snap.endpoint_zone(f.to) == b {
            let sd = sp.and(cx.ep_src(f.from), cx.ep_dst(f.to));
            let pb = cx.ports_bdd(sp, &f.ports);
            let x = sp.and(sd, pb);
            ok = sp.or(ok, x);
        }
    }
    let zd = cx.q(cx.g.q.zone_dst[b]);
    cx.points_of_zone(b)
        .iter()
        .filter(|pi| pts.binary_search(pi).is_err())
        .any(|&pi| {
            let v = sp.and(reach.at(pi), zd);
            sp.diff(v, ok) != FALSE
        })
}

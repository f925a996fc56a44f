//! `shared-host`: a host of `roles` (a printer / 複合機) that the `from` tiers reach is
//! not reached by the `to` tiers, and the other way round. A host is reached by its own
//! tier; by another zone when a new flow from it is delivered to the host's port
//! addressed to the host. Separate LAN ports per tier are separate hosts (addresses).

use super::{host_points, Kind, Message};
use crate::checks::ctx::{tiers, Ctx, Outcome, Raw};
use crate::checks::{Params, Rule, Subject};
use crate::hs::{Bdd, Space, FALSE};
use crate::model::{PortSpec, Snapshot, Tier};
use std::collections::BTreeSet;

pub struct SharedHost;

const MESSAGES: &[Message] = &[Message {
    detail: "shared-printer",
    ja: "{dst} はインターネット接続系と他の領域（マイナンバー利用事務系・LGWAN接続系）の双方から利用できます（{src} から到達）",
    en: "{dst} is reachable both from インターネット接続系 and from another tier (マイナンバー利用事務系 / LGWAN接続系): reached from {src}",
}];

impl Kind for SharedHost {
    fn id(&self) -> &'static str {
        "shared-host"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_tiers(p)?;
        super::check_common(p, MESSAGES, true)?;
        for t in p.from.iter().chain(&p.to) {
            if t == "external" {
                return Err("params.from / params.to name internal tiers only".into());
            }
        }
        Ok(())
    }

    fn ports(&self, _p: &Params, _snap: &Snapshot) -> Vec<PortSpec> {
        vec![]
    }

    fn messages(&self) -> &'static [Message] {
        MESSAGES
    }

    fn evaluate(&self, rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        let p = &rule.params;
        let snap = cx.snap;
        let from_t = tiers(&p.from);
        let to_t = tiers(&p.to);
        let side = |t: Tier| (from_t.contains(&t), to_t.contains(&t));
        let shared: Vec<usize> = (0..snap.hosts.len())
            .filter(|&h| {
                let t = snap.zones[snap.hosts[h].zone].tier;
                p.roles.contains(&snap.hosts[h].role) && side(t) != (false, false)
            })
            .collect();
        if shared.is_empty() {
            out.not_applicable = Some(format!("no-host-of-role: {}", p.roles.join(", ")));
            return out;
        }
        let nz = snap.zones.len();
        let zones: Vec<usize> = (0..nz)
            .filter(|&z| side(snap.zones[z].tier) != (false, false))
            .filter(|&z| !cx.points_of_zone(z).is_empty())
            .collect();
        let mut nowhere: Vec<&str> = shared
            .iter()
            .map(|&h| snap.hosts[h].zone)
            .filter(|&z| cx.points_of_zone(z).is_empty())
            .map(|z| snap.zones[z].name.as_str())
            .collect();
        nowhere.dedup();
        if !nowhere.is_empty() {
            out.unproven_note = Some(format!("zone-located-nowhere: {}", nowhere.join(", ")));
        }
        let new_flow = cx.q(cx.g.q.new_flow);
        let restrict = !cx.g.engine.has_rewrites();
        let mut y = FALSE;
        for &h in &shared {
            y = sp.or(y, cx.q(cx.g.q.host_dst[h]));
        }
        let inject = if restrict {
            cx.zones_taint(sp, &zones, new_flow, &mut out.taint);
            sp.and(new_flow, y)
        } else {
            new_flow
        };
        // (host, reaching zone, point, violating set)
        let mut reached: Vec<(usize, usize, usize, Bdd)> = vec![];
        for &sz in &zones {
            let pts = cx.points_of_zone(sz);
            let mut t = BTreeSet::new();
            let reach = cx.reach_from_zone(sp, pts, inject, Some(sz), &mut t);
            if !restrict {
                out.taint.extend(t);
            }
            for &h in shared.iter().filter(|&&h| snap.hosts[h].zone != sz) {
                let hd = cx.q(cx.g.q.host_dst[h]);
                for pi in host_points(cx, h) {
                    if pts.binary_search(&pi).is_ok() {
                        continue;
                    }
                    let v = sp.and(reach.at(pi), hd);
                    if v != FALSE {
                        reached.push((h, sz, pi, v));
                        break;
                    }
                }
            }
        }
        for &h in &shared {
            let own = side(snap.zones[snap.hosts[h].zone].tier);
            let by: Vec<&(usize, usize, usize, Bdd)> =
                reached.iter().filter(|r| r.0 == h).collect();
            let any_from = own.0 || by.iter().any(|r| side(snap.zones[r.1].tier).0);
            let any_to = own.1 || by.iter().any(|r| side(snap.zones[r.1].tier).1);
            if !(any_from && any_to) {
                continue;
            }
            for &&(_, sz, pi, v) in &by {
                let s = side(snap.zones[sz].tier);
                // Name the zones of the side the host does not belong to.
                let name_it = match own {
                    (true, false) => s.1,
                    (false, true) => s.0,
                    _ => true,
                };
                if !name_it {
                    continue;
                }
                let pts = cx.points_of_zone(sz);
                out.raws.push(Raw {
                    subject: Subject {
                        src: snap.zones[sz].name.clone(),
                        dst: snap.hosts[h].name.clone(),
                        flow: None,
                        detail: MESSAGES[0].detail.into(),
                    },
                    viol: v,
                    witness: None,
                    sources: cx.injected(sp, pts, inject, Some(sz)),
                    sink: cx.g.points[pi].sink,
                    prefs: {
                        let mut v = cx.src_prefs(sz, None);
                        v.extend(cx.dst_prefs(snap.hosts[h].zone));
                        v
                    },
                    src_point: None,
                    dst_point: pi,
                });
            }
        }
        out
    }
}

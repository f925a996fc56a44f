//! `no-egress`: chosen sources open no new flow to the `to` zones. Sources are the zones
//! of the `from` tiers (external ones restricted by `from_kinds`), or the hosts of
//! `roles` in those tiers, plus the destination of every [[tokutei]] with
//! `tokutei_dest`. With `dst = "from-tiers"` only flows addressed into a zone of the
//! internal `from` tiers count (internal traffic leaving by the sink); with
//! `declared = "tokutei"` the 特定通信 declared from the source (source, destination and
//! ports) are allowed.

use super::{host_points, Kind, Message};
use crate::checks::ctx::{tiers, Ctx, Outcome, Raw};
use crate::checks::{Params, Rule, Subject};
use crate::hs::{Bdd, Space, FALSE};
use crate::model::{Endpoint, PortSpec, Snapshot, Tier};
use std::collections::BTreeSet;

pub struct NoEgress;

const MESSAGES: &[Message] = &[
    Message {
        detail: "tokutei-dest-internet",
        ja: "特定通信の宛先 {src} からインターネット（{dst}）へ通信できます",
        en: "The 特定通信 destination {src} can open flows to the Internet ({dst})",
    },
    Message {
        detail: "update-server-internet",
        ja: "更新配信サーバ {src}（WSUS・ウイルスパターン）からインターネット（{dst}）へ通信できます",
        en: "The update server {src} (WSUS / AV patterns) can open flows to the Internet ({dst})",
    },
    Message {
        detail: "internal-over-internet",
        ja: "{src} からマイナンバー利用事務系・LGWAN接続系宛ての通信がインターネット回線 {dst} へ出ます（拠点間が閉域網・固定端点の VPN でない）",
        en: "Traffic from {src} addressed to マイナンバー利用事務系 / LGWAN接続系 leaves by the Internet line {dst} (sites not joined by a closed network or fixed-endpoint VPN)",
    },
    Message {
        detail: "dual-homed-undeclared",
        ja: "両系接続システム {src} から {dst} へ特定通信として宣言されていない通信が可能です",
        en: "The dual-homed system {src} can reach {dst} with traffic that is not a declared 特定通信",
    },
];

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Src {
    Zone(usize),
    Host(usize),
}

impl Kind for NoEgress {
    fn id(&self) -> &'static str {
        "no-egress"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_tiers(p)?;
        super::check_common(p, MESSAGES, false)?;
        if p.detail.is_empty() {
            return Err("params.detail names the finding sentence".into());
        }
        if !matches!(p.dst.as_str(), "" | "from-tiers") {
            return Err(format!(
                "params.dst must be \"\" or \"from-tiers\", not {:?}",
                p.dst
            ));
        }
        if !matches!(p.declared.as_str(), "" | "tokutei") {
            return Err(format!(
                "params.declared must be \"\" or \"tokutei\", not {:?}",
                p.declared
            ));
        }
        Ok(())
    }

    fn ports(&self, p: &Params, snap: &Snapshot) -> Vec<PortSpec> {
        if p.declared == "tokutei" {
            snap.tokutei
                .iter()
                .flat_map(|f| f.ports.iter().copied())
                .collect()
        } else {
            vec![]
        }
    }

    fn messages(&self) -> &'static [Message] {
        MESSAGES
    }

    fn evaluate(&self, rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        let p = &rule.params;
        let snap = cx.snap;
        let nz = snap.zones.len();
        let from_t = tiers(&p.from);
        let to_t = tiers(&p.to);
        let a = |z: usize| cx.zone_in(z, &from_t, &p.from_kinds, &[]);
        let b = |z: usize| cx.zone_in(z, &to_t, &p.to_kinds, &p.exclude_kinds);

        let mut srcs: BTreeSet<Src> = BTreeSet::new();
        if p.roles.is_empty() {
            srcs.extend((0..nz).filter(|&z| a(z)).map(Src::Zone));
        } else {
            srcs.extend(
                (0..snap.hosts.len())
                    .filter(|&h| p.roles.contains(&snap.hosts[h].role) && a(snap.hosts[h].zone))
                    .map(Src::Host),
            );
        }
        if p.tokutei_dest {
            // A destination inside a sink zone is the sink itself (J-ALERT's 特定通信 to
            // the Internet): not a source.
            for f in &snap.tokutei {
                if let Endpoint::Zone(z) = f.to {
                    if !b(z) {
                        srcs.insert(Src::Zone(z));
                    }
                }
            }
            for f in &snap.tokutei {
                if let Endpoint::Host(h) = f.to {
                    let z = snap.hosts[h].zone;
                    if !b(z) && !srcs.contains(&Src::Zone(z)) {
                        srcs.insert(Src::Host(h));
                    }
                }
            }
        }
        let sinks: Vec<usize> = (0..nz).filter(|&z| b(z)).collect();
        if srcs.is_empty() {
            out.not_applicable = Some(if p.roles.is_empty() {
                "no-source-zone".into()
            } else {
                format!("no-host-of-role: {}", p.roles.join(", "))
            });
            return out;
        }
        if sinks.is_empty() {
            out.not_applicable = Some("no-destination-zone".into());
            return out;
        }
        let src_zone = |s: &Src| match *s {
            Src::Zone(z) => z,
            Src::Host(h) => snap.hosts[h].zone,
        };
        let mut nowhere: Vec<&str> = srcs
            .iter()
            .map(src_zone)
            .chain(sinks.iter().copied())
            .filter(|&z| cx.points_of_zone(z).is_empty())
            .map(|z| snap.zones[z].name.as_str())
            .collect();
        nowhere.sort();
        nowhere.dedup();
        if !nowhere.is_empty() {
            out.unproven_note = Some(format!("zone-located-nowhere: {}", nowhere.join(", ")));
        }

        // The destination addresses that count at each sink.
        let internal = if p.dst == "from-tiers" {
            let mut x = FALSE;
            for z in (0..nz).filter(|&z| snap.zones[z].tier != Tier::External && a(z)) {
                x = sp.or(x, cx.q(cx.g.q.zone_dst[z]));
            }
            Some(x)
        } else {
            None
        };
        let dset = |dz: usize| internal.unwrap_or_else(|| cx.q(cx.g.q.zone_dst[dz]));
        let new_flow = cx.q(cx.g.q.new_flow);
        // Without rewrites an edge only filters: propagate only what could violate (the
        // taint is that of the full reaches, as in `Ctx::zone_pairs`).
        let restrict = !cx.g.engine.has_rewrites();
        let mut y = FALSE;
        for &dz in &sinks {
            y = sp.or(y, dset(dz));
        }
        for s in &srcs {
            let sz = src_zone(s);
            let (name, pts, inject, zctx, host) = match *s {
                Src::Zone(z) => (
                    snap.zones[z].name.clone(),
                    cx.points_of_zone(z).to_vec(),
                    new_flow,
                    Some(z),
                    None,
                ),
                Src::Host(h) => {
                    let x = sp.and(new_flow, cx.q(cx.g.q.host_src[h]));
                    (
                        snap.hosts[h].name.clone(),
                        host_points(cx, h),
                        x,
                        None,
                        Some(h),
                    )
                }
            };
            if pts.is_empty() {
                continue;
            }
            // Across header rewrites (a firewall translating the source), a declared
            // 特定通信 is judged on the packet as its source sent it (source and ports),
            // the destination as delivered, as `flow-tightness` does: the injection is
            // split by the declared flows' sent-side conditions, one reach per class.
            let mine: Vec<usize> = if p.declared == "tokutei" {
                flows_from(cx, *s)
            } else {
                vec![]
            };
            let cases: Vec<(Bdd, Option<Vec<usize>>)> = if !restrict && !mine.is_empty() {
                let mut conds = vec![];
                for &i in &mine {
                    let f = &snap.tokutei[i];
                    let pb = cx.ports_bdd(sp, &f.ports);
                    conds.push(sp.and(cx.ep_src(f.from), pb));
                }
                crate::checks::ctx::classes(sp, inject, &conds)
                    .into_iter()
                    .map(|(a, ks)| (a, Some(ks.into_iter().map(|k| mine[k]).collect())))
                    .collect()
            } else {
                vec![(inject, None)]
            };
            let mut reaches = vec![];
            for (part, held) in &cases {
                let reach = match *s {
                    Src::Zone(z) if restrict => {
                        cx.zones_taint(sp, &[z], inject, &mut out.taint);
                        let inj = sp.and(*part, y);
                        cx.reach_from_zone(sp, &pts, inj, zctx, &mut BTreeSet::new())
                    }
                    _ => cx.reach_from_zone(sp, &pts, *part, zctx, &mut out.taint),
                };
                reaches.push((reach, held.clone(), *part));
            }
            for &dz in sinks.iter().filter(|&&dz| dz != sz) {
                let mut allowed = vec![];
                for (_, held, _) in &reaches {
                    allowed.push(match held {
                        None if p.declared == "tokutei" => declared_from(cx, sp, *s, dz),
                        None => FALSE,
                        // Delivered to a declared destination in `dz` of a flow whose
                        // sent-side conditions the class meets.
                        Some(fs) => {
                            let mut x = FALSE;
                            for &i in fs {
                                let f = &snap.tokutei[i];
                                if snap.endpoint_zone(f.to) == dz {
                                    x = sp.or(x, cx.ep_dst(f.to));
                                }
                            }
                            x
                        }
                    });
                }
                let want = dset(dz);
                for &pi in cx.points_of_zone(dz) {
                    if pts.binary_search(&pi).is_ok() {
                        continue;
                    }
                    // The first class that violates here: its witness is a packet as
                    // sent whose delivery violates (a union of classes could pair a
                    // translated packet with a declared sender).
                    let mut hit = None;
                    for ((reach, held, part), &allow) in reaches.iter().zip(&allowed) {
                        let at = reach.at(pi);
                        let x = sp.and(at, want);
                        let x = sp.diff(x, allow);
                        if x != FALSE {
                            hit = Some((x, if held.is_some() { *part } else { inject }));
                            break;
                        }
                    }
                    let Some((v, injected)) = hit else {
                        continue;
                    };
                    out.raws.push(Raw {
                        subject: Subject {
                            src: name.clone(),
                            dst: snap.zones[dz].name.clone(),
                            flow: None,
                            detail: p.detail.clone(),
                        },
                        viol: v,
                        witness: None,
                        sources: cx.injected(sp, &pts, injected, zctx),
                        sink: cx.g.points[pi].sink,
                        prefs: {
                            let mut v = cx.src_prefs(sz, host);
                            v.extend(cx.dst_prefs(dz));
                            v
                        },
                        src_point: None,
                        dst_point: pi,
                    });
                    break;
                }
            }
        }
        out
    }
}

/// The 特定通信 entries declared from source `s`.
fn flows_from(cx: &Ctx, s: Src) -> Vec<usize> {
    let snap = cx.snap;
    (0..snap.tokutei.len())
        .filter(|&i| match (s, snap.tokutei[i].from) {
            (Src::Host(h), Endpoint::Host(fh)) => h == fh,
            (Src::Zone(z), from) => snap.endpoint_zone(from) == z,
            _ => false,
        })
        .collect()
}

/// The 特定通信 declared from source `s` into zone `dz`: source, destination and ports.
fn declared_from(cx: &Ctx, sp: &mut Space, s: Src, dz: usize) -> Bdd {
    let snap = cx.snap;
    let mut acc = FALSE;
    for i in flows_from(cx, s) {
        let f = &snap.tokutei[i];
        if snap.endpoint_zone(f.to) != dz {
            continue;
        }
        let sd = sp.and(cx.ep_src(f.from), cx.ep_dst(f.to));
        let pb = cx.ports_bdd(sp, &f.ports);
        let x = sp.and(sd, pb);
        acc = sp.or(acc, x);
    }
    acc
}

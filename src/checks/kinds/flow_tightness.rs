//! `flow-tightness`: how tightly the network limits each declared 特定通信 — to its
//! source IP (`aspect = "ip"`), its ports (`"port"`), its source MAC at the host's port
//! (`"mac"`), and its path (`"path"`: no other edge port can send it).

use super::{Kind, Message};
use crate::checks::ctx::{Ctx, Outcome, Raw, Reached};
use crate::checks::{Params, Rule, Subject};
use crate::hs::{Bdd, Field, Space, FALSE};
use crate::model::{Endpoint, PortSpec, Snapshot};
use crate::net::Taint;
use std::collections::BTreeSet;
use std::rc::Rc;

pub struct FlowTightness;

impl Kind for FlowTightness {
    fn id(&self) -> &'static str {
        "flow-tightness"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        match p.aspect.as_str() {
            "ip" | "port" | "mac" | "path" => Ok(()),
            a => Err(format!(
                "params.aspect must be ip, port, mac or path, not {a:?}"
            )),
        }
    }

    fn ports(&self, _p: &Params, snap: &Snapshot) -> Vec<PortSpec> {
        snap.tokutei
            .iter()
            .flat_map(|f| f.ports.iter().copied())
            .collect()
    }

    fn messages(&self) -> &'static [Message] {
        &[
            Message {
                detail: "ip",
                ja: "特定通信「{flow}」の宛先 {dst} へ、宣言された送信元以外の IP アドレスから到達できます",
                en: "The destination {dst} of 特定通信 \"{flow}\" admits packets from a source address other than the declared one",
            },
            Message {
                detail: "port",
                ja: "特定通信「{flow}」の宛先 {dst} へ、宣言されていないポートで到達できます",
                en: "The destination {dst} of 特定通信 \"{flow}\" admits ports that are not declared",
            },
            Message {
                detail: "mac",
                ja: "特定通信「{flow}」の送信元 {src} の接続ポートが、登録 MAC アドレス以外からの通信を通します",
                en: "The access port of {src}, source of 特定通信 \"{flow}\", passes frames from MAC addresses other than the registered one",
            },
            Message {
                detail: "path",
                ja: "特定通信「{flow}」と同じ送信元 IP・ポートのパケットを、{src} 以外のエッジポートから {dst} へ送れます（送信元詐称）",
                en: "Another edge port than {src}'s can send packets matching 特定通信 \"{flow}\" to {dst} (source spoofing)",
            },
        ]
    }

    fn evaluate(&self, rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        tightness(rule, cx, sp, &mut out);
        out
    }
}

/// One 特定通信 to check: reach from `sources` injecting `inject`; what arrives at a
/// `dst_points` sink inside `viol_filter` is a finding.
struct Job<'s> {
    t: &'s crate::model::Flow,
    fz: usize,
    tz: usize,
    src_host: Option<usize>,
    dst_points: Vec<usize>,
    sources: Vec<usize>,
    inject: Bdd,
    viol_filter: Bdd,
    detail: &'s str,
}

/// TOKUTEI-PATH reaches, shared: one reach from every edge port per 特定通信 was
/// quadratic. Without header rewrites an edge only filters, so reach is additive in the
/// injected set and never leaves it. Jobs are put in groups whose injections are
/// pairwise disjoint; each group runs one reach in which a source point injects the
/// union of the injections of the group's jobs that start there. At any node, that
/// reach ∩ a job's injection is exactly the job's own reach (the others' parts lie
/// outside it), and the edges visited — hence the taint — are the union of the jobs'.
fn shared_path_reaches(
    cx: &Ctx,
    sp: &mut Space,
    jobs: &[Job],
    taint: &mut BTreeSet<Taint>,
) -> Vec<Option<Rc<Reached>>> {
    let mut groups: Vec<(Bdd, Vec<usize>)> = vec![];
    for (ji, j) in jobs.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|(u, _)| sp.and(*u, j.inject) == FALSE)
        {
            Some((u, members)) => {
                *u = sp.or(*u, j.inject);
                members.push(ji);
            }
            None => groups.push((j.inject, vec![ji])),
        }
    }
    let n = cx.g.points.len();
    let mut res = vec![None; jobs.len()];
    for (union, members) in groups {
        // Points that some member does not start from (its host and destination ports).
        let mut missing: Vec<Vec<usize>> = vec![vec![]; n];
        for &ji in &members {
            let mut it = jobs[ji].sources.iter().peekable();
            for (p, miss) in missing.iter_mut().enumerate() {
                if it.peek() == Some(&&p) {
                    it.next();
                } else {
                    miss.push(ji);
                }
            }
        }
        let mut sources = vec![];
        for (p, miss) in missing.iter().enumerate() {
            let inj = if miss.is_empty() {
                union
            } else {
                let mut acc = FALSE;
                for &ji in members.iter().filter(|ji| !miss.contains(ji)) {
                    acc = sp.or(acc, jobs[ji].inject);
                }
                acc
            };
            if inj != FALSE {
                sources.push((cx.g.points[p].src, inj));
            }
        }
        let r = Rc::new(cx.reach_nodes(sp, &sources));
        taint.extend(r.taint.iter().cloned());
        for ji in members {
            res[ji] = Some(r.clone());
        }
    }
    res
}

/// TOKUTEI-IP / PORT / MAC / PATH: how tightly the network limits each 特定通信.
fn tightness(rule: &Rule, cx: &Ctx, sp: &mut Space, out: &mut Outcome) {
    let snap = cx.snap;
    let g = cx.g;
    if snap.tokutei.is_empty() {
        out.not_applicable = Some("no-tokutei".into());
        return;
    }
    let mut notes = vec![];
    let mut done_dst: BTreeSet<(usize, String)> = BTreeSet::new();
    let mut jobs: Vec<Job> = vec![];
    for t in &snap.tokutei {
        let fz = snap.endpoint_zone(t.from);
        let tz = snap.endpoint_zone(t.to);
        // All declared flows to the same destination.
        let same_dst: Vec<&crate::model::Flow> =
            snap.tokutei.iter().filter(|o| o.to == t.to).collect();
        let mut ports_any = FALSE;
        let mut allowed = FALSE;
        for o in &same_dst {
            let pb = cx.ports_bdd(sp, &o.ports);
            ports_any = sp.or(ports_any, pb);
            let x = sp.and(cx.ep_src(o.from), pb);
            allowed = sp.or(allowed, x);
        }
        let dst = cx.ep_dst(t.to);
        let dst_points: Vec<usize> = cx.points_of_zone(tz).to_vec();
        let src_host = match t.from {
            Endpoint::Host(h) => Some(h),
            Endpoint::Zone(_) => None,
        };
        let host_point = src_host.and_then(|h| g.points.iter().position(|p| p.host == Some(h)));
        let new_flow = cx.q(g.q.new_flow);
        let (sources, inject, viol_filter, detail): (Vec<usize>, Bdd, Bdd, &str) =
            match rule.params.aspect.as_str() {
                "ip" | "port" => {
                    // Once per destination: the rule concerns what reaches it.
                    let key = (tz, format!("{:?}", t.to));
                    if !done_dst.insert(key) {
                        continue;
                    }
                    let src_tier = snap.zones[fz].tier;
                    let pts: Vec<usize> = (0..g.points.len())
                        .filter(|&p| {
                            g.points[p]
                                .zones
                                .iter()
                                .any(|&z| snap.zones[z].tier == src_tier)
                                && !dst_points.contains(&p)
                        })
                        .collect();
                    let filt = if rule.params.aspect == "ip" {
                        let x = sp.and(dst, ports_any);
                        sp.diff(x, allowed)
                    } else {
                        sp.diff(dst, ports_any)
                    };
                    (pts, new_flow, filt, rule.params.aspect.as_str())
                }
                "mac" | "path" => {
                    let Some(h) = src_host else { continue };
                    let Some(hp) = host_point else {
                        notes.push(format!("{}: host-port-unknown", snap.hosts[h].name));
                        continue;
                    };
                    let flow = sp.and(new_flow, cx.ep_src(t.from));
                    let pb = cx.ports_bdd(sp, &t.ports);
                    let flow = sp.and(flow, pb);
                    if rule.params.aspect == "mac" {
                        let Some(mq) = g.q.host_mac[h] else {
                            notes.push(format!("{}: no-mac-registered", snap.hosts[h].name));
                            continue;
                        };
                        (vec![hp], sp.diff(flow, cx.q(mq)), dst, "mac")
                    } else {
                        let pts: Vec<usize> = (0..g.points.len())
                            .filter(|&p| p != hp && !dst_points.contains(&p))
                            .collect();
                        (pts, flow, dst, "path")
                    }
                }
                other => {
                    notes.push(format!("unknown aspect {other}"));
                    continue;
                }
            };
        if sources.is_empty() {
            continue;
        }
        jobs.push(Job {
            t,
            fz,
            tz,
            src_host,
            dst_points,
            sources,
            inject,
            viol_filter,
            detail,
        });
    }
    let shared = if rule.params.aspect == "path" && !g.engine.has_rewrites() {
        shared_path_reaches(cx, sp, &jobs, &mut out.taint)
    } else {
        vec![None; jobs.len()]
    };
    for (j, shared) in jobs.into_iter().zip(shared) {
        let Job {
            t,
            fz,
            tz,
            src_host,
            dst_points,
            sources,
            inject,
            viol_filter,
            detail,
        } = j;
        let reach = match &shared {
            Some(r) => r.clone(),
            None => cx.reach_from(sp, &sources, inject, &mut out.taint),
        };
        for &dp in &dst_points {
            let mut at = reach.at(dp);
            if shared.is_some() {
                at = sp.and(at, inject);
            }
            let v = sp.and(at, viol_filter);
            if v == FALSE {
                continue;
            }
            // For "path", name the spoofing port: the first source that reaches alone.
            let (srcs, src_point) = if detail == "path" || detail == "mac" {
                let sink = g.points[dp].sink as usize;
                let sp_ = sources
                    .iter()
                    .copied()
                    .find(|&s| {
                        let r = g
                            .engine
                            .reach_sets(sp, &[(g.points[s].src, inject)], |_| {});
                        let x = r[sink];
                        sp.and(x, viol_filter) != FALSE
                    })
                    .expect("a union's member reaches");
                (vec![(g.points[sp_].src, inject)], Some(sp_))
            } else {
                (cx.injected(sp, &sources, inject, None), None)
            };
            let mut prefs = vec![];
            if detail == "path" || detail == "mac" {
                let h = &snap.hosts[src_host.expect("host")];
                prefs.push((Field::SrcIp, u32::from(h.ip) as u64));
                if detail == "mac" {
                    // A locally administered address: visibly not the registered MAC.
                    prefs.push((Field::SrcMac, 0x02_00_00_00_00_01));
                }
            }
            prefs.extend(cx.src_prefs(fz, None));
            prefs.extend(cx.dst_prefs(tz));
            out.raws.push(Raw {
                subject: Subject {
                    src: snap.endpoint_name(t.from).into(),
                    dst: snap.endpoint_name(t.to).into(),
                    flow: Some(t.name.clone()),
                    detail: detail.into(),
                },
                viol: v,
                witness: None,
                sources: srcs,
                sink: g.points[dp].sink,
                prefs,
                src_point,
                dst_point: dp,
            });
            break;
        }
    }
    if !notes.is_empty() {
        out.unproven_note = Some(notes.join("; "));
    }
}

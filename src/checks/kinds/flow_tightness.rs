//! `flow-tightness`: how tightly the network limits each declared 特定通信 — to its
//! source IP (`aspect = "ip"`), its ports (`"port"`), its source MAC at the host's port
//! (`"mac"`), and its path (`"path"`: no other edge port can send it).

use super::{Kind, Message};
use crate::checks::ctx::{Ctx, Outcome, Raw, Reached};
use crate::checks::{Params, Rule, Subject};
use crate::hs::{Bdd, Field, Space, FALSE};
use crate::model::{Endpoint, PortSpec, Snapshot, Tier};
use std::collections::{BTreeMap, BTreeSet, HashMap};
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

    fn decided_by(&self, p: &Params) -> &'static [crate::model::MatchField] {
        use crate::model::MatchField;
        match p.aspect.as_str() {
            // Too wide a source: the policy's source addresses; too many ports: its service.
            "ip" => &[MatchField::Src],
            "port" => &[MatchField::Service],
            _ => &[],
        }
    }

    fn evaluate(&self, rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        tightness(rule, cx, sp, &mut out);
        out
    }
}

/// One 特定通信 to check: for each (inject, viol_filter) case, reach from its source
/// points injecting `inject`; what arrives at a `dst_points` sink inside `viol_filter` is
/// a finding. One case, except across header rewrites (see [`as_sent`]).
struct Job<'s> {
    t: &'s crate::model::Flow,
    fz: usize,
    tz: usize,
    src_host: Option<usize>,
    dst_points: Vec<usize>,
    /// Source points: `universe` (a tier's points, or all; shared by the jobs) less
    /// `excluded` (ascending, inside `universe`). A list per job was jobs × points.
    universe: Rc<[usize]>,
    excluded: Vec<usize>,
    cases: Vec<(Bdd, Bdd)>,
    detail: &'s str,
}

impl Job<'_> {
    fn source_points(&self) -> impl Iterator<Item = usize> + '_ {
        self.universe
            .iter()
            .copied()
            .filter(|p| self.excluded.binary_search(p).is_err())
    }

    /// One reach per distinct (universe, excluded, inject): jobs share it, and the
    /// points are listed (and the reach cache's key hashed) once, not per job.
    fn reach(
        &self,
        cx: &Ctx,
        sp: &mut Space,
        inject: Bdd,
        memo: &mut HashMap<(usize, Vec<usize>, Bdd), Rc<Reached>>,
        taint: &mut BTreeSet<crate::engine::EdgeId>,
    ) -> Rc<Reached> {
        let key = (
            Rc::as_ptr(&self.universe) as *const usize as usize,
            self.excluded.clone(),
            inject,
        );
        if let Some(r) = memo.get(&key) {
            return r.clone();
        }
        let pts: Vec<usize> = self.source_points().collect();
        let r = cx.reach_from(sp, &pts, inject, taint);
        memo.insert(key, r.clone());
        r
    }
}

/// A job's universe, excluded points, cases and detail, as decided per aspect.
type JobSources<'s> = (Rc<[usize]>, Vec<usize>, Vec<(Bdd, Bdd)>, &'s str);

/// The points of `minus` that lie in `of` (ascending `of`), sorted: [`Job::excluded`].
fn inside(of: &[usize], minus: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = minus
        .into_iter()
        .filter(|p| of.binary_search(p).is_ok())
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Across header rewrites (a firewall translating the source towards 住基ネット), the
/// declared source of a 特定通信 is judged on the packet as its sender sent it, the
/// destination as delivered. The injection `inject` is split by the flows' sent-side
/// conditions `conds`; `filter(sp, class)` is the violating delivered set for a class
/// (the indices of the conditions its packets satisfy).
fn as_sent(
    sp: &mut Space,
    inject: Bdd,
    conds: &[Bdd],
    filter: &dyn Fn(&mut Space, &[usize]) -> Bdd,
) -> Vec<(Bdd, Bdd)> {
    crate::checks::ctx::classes(sp, inject, conds)
        .into_iter()
        .map(|(a, s)| (a, filter(sp, &s)))
        .filter(|c| c.1 != FALSE)
        .collect()
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
    taint: &mut BTreeSet<crate::engine::EdgeId>,
) -> Vec<Option<Rc<Reached>>> {
    let mut groups: Vec<(Bdd, Vec<usize>)> = vec![];
    for (ji, j) in jobs.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|(u, _)| sp.and(*u, j.cases[0].0) == FALSE)
        {
            Some((u, members)) => {
                *u = sp.or(*u, j.cases[0].0);
                members.push(ji);
            }
            None => groups.push((j.cases[0].0, vec![ji])),
        }
    }
    let n = cx.g.points.len();
    let mut res = vec![None; jobs.len()];
    for (union, members) in groups {
        // Points that some member does not start from (its host and destination ports):
        // a path job starts from every point but its excluded ones.
        let mut missing: Vec<Vec<usize>> = vec![vec![]; n];
        for &ji in &members {
            debug_assert_eq!(jobs[ji].universe.len(), n);
            for &p in &jobs[ji].excluded {
                missing[p].push(ji);
            }
        }
        let mut sources = vec![];
        for (p, miss) in missing.iter().enumerate() {
            // The group's injections are pairwise disjoint, so the union less the missing
            // members' parts is the union of the others (folding those per point was
            // quadratic in 特定通信 entries).
            let inj = if miss.is_empty() {
                union
            } else {
                let mut gone = FALSE;
                for &ji in miss {
                    gone = sp.or(gone, jobs[ji].cases[0].0);
                }
                sp.diff(union, gone)
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
    let mut jobs: Vec<Job> = vec![];
    // What the declared flows admit, over all entries: a packet one entry declares is
    // legitimate whichever other entry's destination also holds its address (a flow to a
    // host inside another flow's destination zone).
    let mut covered = FALSE;
    let mut declared = FALSE;
    for o in &snap.tokutei {
        let pb = cx.ports_bdd(sp, &o.ports);
        let d = cx.ep_dst(o.to);
        let dp = sp.and(d, pb);
        declared = sp.or(declared, dp);
        let x = sp.and(dp, cx.ep_src(o.from));
        covered = sp.or(covered, x);
    }
    // Per tier, the points in a zone of it; per host, its first point; per source tier,
    // the (source, destination) pairs its entries declare. Each was recomputed per entry
    // (quadratic in entries × points at prefecture scale).
    let mut tier_points: BTreeMap<Tier, Vec<usize>> = BTreeMap::new();
    let all_points: Rc<[usize]> = (0..g.points.len()).collect();
    let mut host_points: HashMap<usize, usize> = HashMap::new();
    for (pi, p) in g.points.iter().enumerate() {
        let mut tiers: Vec<Tier> = p.zones.iter().map(|&z| snap.zones[z].tier).collect();
        tiers.sort();
        tiers.dedup();
        for t in tiers {
            tier_points.entry(t).or_default().push(pi);
        }
        if let Some(h) = p.host {
            host_points.entry(h).or_insert(pi);
        }
    }
    let tier_points: BTreeMap<Tier, Rc<[usize]>> = tier_points
        .into_iter()
        .map(|(t, v)| (t, v.into()))
        .collect();
    let no_points: Rc<[usize]> = Rc::new([]);
    let mut owned_by_tier: BTreeMap<Tier, Bdd> = BTreeMap::new();
    for t in &snap.tokutei {
        let fz = snap.endpoint_zone(t.from);
        let tz = snap.endpoint_zone(t.to);
        let dst = cx.ep_dst(t.to);
        // Ascending (points of a zone are in point order): membership by binary search, as
        // a shared destination zone (住基ネット) has a point in every municipality.
        let dst_points: Vec<usize> = cx.points_of_zone(tz).to_vec();
        debug_assert!(dst_points.windows(2).all(|w| w[0] < w[1]));
        let src_host = match t.from {
            Endpoint::Host(h) => Some(h),
            Endpoint::Zone(_) => None,
        };
        let host_point = src_host.and_then(|h| host_points.get(&h).copied());
        let new_flow = cx.q(g.q.new_flow);
        let rewrites = g.engine.has_rewrites();
        let (universe, excluded, cases, detail): JobSources = match rule.params.aspect.as_str() {
            "ip" | "port" => {
                // Per entry, on its own destination: see docs/semantics.md
                // ("特定通信 attribution").
                let src_tier = snap.zones[fz].tier;
                let universe = tier_points
                    .get(&src_tier)
                    .cloned()
                    .unwrap_or_else(|| no_points.clone());
                let excluded = inside(&universe, dst_points.iter().copied());
                let pb = cx.ports_bdd(sp, &t.ports);
                let mine = sp.and(dst, pb);
                let not_declared = sp.diff(dst, declared);
                let filt = if rewrites {
                    // Classes by each entry's source and ports as sent.
                    let ip = rule.params.aspect == "ip";
                    let mut conds = vec![];
                    let mut dsts = vec![];
                    for (oi, o) in snap.tokutei.iter().enumerate() {
                        let same_tier = snap.zones[snap.endpoint_zone(o.from)].tier == src_tier;
                        if !ip && !same_tier && !std::ptr::eq(o, t) {
                            continue;
                        }
                        let c = if ip {
                            let pb = cx.ports_bdd(sp, &o.ports);
                            sp.and(cx.ep_src(o.from), pb)
                        } else {
                            cx.ep_src(o.from)
                        };
                        conds.push(c);
                        dsts.push((cx.ep_dst(o.to), std::ptr::eq(o, t), oi));
                    }
                    let filter = |sp: &mut Space, s: &[usize]| {
                        let mut held = FALSE;
                        for &i in s {
                            held = sp.or(held, dsts[i].0);
                        }
                        if ip {
                            // Declared by an entry whose source and ports it has.
                            sp.diff(mine, held)
                        } else if s.iter().any(|&i| dsts[i].1) {
                            // Sent from this entry's own source.
                            not_declared
                        } else {
                            // From a source that no entry to the address declares.
                            sp.diff(not_declared, held)
                        }
                    };
                    let cases = as_sent(sp, new_flow, &conds, &filter);
                    jobs.push(Job {
                        t,
                        fz,
                        tz,
                        src_host,
                        dst_points,
                        universe,
                        excluded,
                        cases,
                        detail: if ip { "ip" } else { "port" },
                    });
                    continue;
                } else if rule.params.aspect == "ip" {
                    // This entry's destination and ports, admitted from a source no
                    // entry declares for that packet.
                    sp.diff(mine, covered)
                } else {
                    // An undeclared port at this entry's destination, sent from its
                    // own source — or from a source that no entry to that address
                    // declares (then every entry holding the address is named).
                    let x = not_declared;
                    // (source, destination) pairs some entry of this tier declares.
                    let owned = match owned_by_tier.get(&src_tier) {
                        Some(&o) => o,
                        None => {
                            let mut owned = FALSE;
                            for o in &snap.tokutei {
                                if snap.zones[snap.endpoint_zone(o.from)].tier == src_tier {
                                    let y = sp.and(cx.ep_dst(o.to), cx.ep_src(o.from));
                                    owned = sp.or(owned, y);
                                }
                            }
                            owned_by_tier.insert(src_tier, owned);
                            owned
                        }
                    };
                    let nobody = sp.not(owned);
                    let who = sp.or(cx.ep_src(t.from), nobody);
                    sp.and(x, who)
                };
                (
                    universe,
                    excluded,
                    vec![(new_flow, filt)],
                    rule.params.aspect.as_str(),
                )
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
                    let hp: Rc<[usize]> = Rc::new([hp]);
                    (hp, vec![], vec![(sp.diff(flow, cx.q(mq)), dst)], "mac")
                } else {
                    let excluded = inside(&all_points, dst_points.iter().copied().chain([hp]));
                    (all_points.clone(), excluded, vec![(flow, dst)], "path")
                }
            }
            other => {
                notes.push(format!("unknown aspect {other}"));
                continue;
            }
        };
        let job = Job {
            t,
            fz,
            tz,
            src_host,
            dst_points,
            universe,
            excluded,
            cases,
            detail,
        };
        if job.source_points().next().is_none() {
            continue;
        }
        jobs.push(job);
    }
    let shared = if rule.params.aspect == "path" && !g.engine.has_rewrites() {
        shared_path_reaches(cx, sp, &jobs, &mut out.taint)
    } else {
        vec![None; jobs.len()]
    };
    // Per reach, the union of what its single-case jobs flag at any point: a destination
    // point where the reach meets none of it holds no violation of any of them (each
    // job's set there is a subset), so it is skipped. Jobs × destination points was
    // quadratic: a shared destination zone (住基ネット) has a point in every municipality.
    let mut flagged: HashMap<usize, Bdd> = HashMap::new();
    let mut memo = HashMap::new();
    let mut pre: Vec<Option<Rc<Reached>>> = vec![None; jobs.len()];
    for (ji, j) in jobs.iter().enumerate() {
        let [(inject, viol)] = j.cases[..] else {
            continue;
        };
        let (r, f) = match &shared[ji] {
            Some(r) => (r.clone(), sp.and(inject, viol)),
            None => (j.reach(cx, sp, inject, &mut memo, &mut out.taint), viol),
        };
        let u = flagged.entry(Rc::as_ptr(&r) as usize).or_insert(FALSE);
        *u = sp.or(*u, f);
        pre[ji] = Some(r);
    }
    let mut live: HashMap<(usize, usize), bool> = HashMap::new();
    for ((j, shared), pre) in jobs.iter().zip(shared).zip(pre) {
        let Job {
            t,
            fz,
            tz,
            src_host,
            ref dst_points,
            detail,
            ..
        } = *j;
        'cases: for &(inject, viol_filter) in &j.cases {
            out.sinks
                .extend(dst_points.iter().map(|&p| g.points[p].sink));
            let reach = match &shared {
                Some(r) => r.clone(),
                None => j.reach(cx, sp, inject, &mut memo, &mut out.taint),
            };
            for &dp in dst_points {
                if let Some(r) = &pre {
                    let key = (Rc::as_ptr(r) as usize, dp);
                    let hit = match live.get(&key) {
                        Some(&h) => h,
                        None => {
                            let h = sp.and(r.at(dp), flagged[&key.0]) != FALSE;
                            live.insert(key, h);
                            h
                        }
                    };
                    if !hit {
                        continue;
                    }
                }
                let mut at = reach.at(dp);
                if shared.is_some() {
                    at = sp.and(at, inject);
                }
                let v = sp.and(at, viol_filter);
                if v == FALSE {
                    continue;
                }
                // For "path" and "mac", name one port: the first source that reaches alone,
                // and draw the witness from what that port alone delivers (its port security
                // admits the witness's source MAC), not from the union over all sources.
                let (v, srcs, src_point) = if detail == "path" || detail == "mac" {
                    let sink = g.points[dp].sink as usize;
                    let mut found = None;
                    for s in j.source_points() {
                        let r = g
                            .engine
                            .reach_sets(sp, &[(g.points[s].src, inject)], |_| {});
                        let x = sp.and(r[sink], viol_filter);
                        if x != FALSE {
                            found = Some((s, x));
                            break;
                        }
                    }
                    let Some((s, vs)) = found else {
                        // Reach is additive: a member must reach. If not, say so.
                        out.internal.push(format!(
                        "internal: no single source re-derives the {detail} violation of {} at {}:{}",
                        t.name, g.points[dp].device, g.points[dp].interface
                    ));
                        continue;
                    };
                    (vs, vec![(g.points[s].src, inject)], Some(s))
                } else {
                    let pts: Vec<usize> = j.source_points().collect();
                    (v, cx.injected(sp, &pts, inject, None), None)
                };
                let mut prefs = vec![];
                if let (true, Some(h)) = (detail == "path" || detail == "mac", src_host) {
                    let h = &snap.hosts[h];
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
                break 'cases;
            }
        }
    }
    if !notes.is_empty() {
        out.unproven_note = Some(notes.join("; "));
    }
}

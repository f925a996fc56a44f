//! What every evaluator kind works with: the reach context over the built graph
//! (cached reaches, zone edge points, query predicates) and the raw outcome of a rule.

use crate::engine::{EdgeId, NodeId};
use crate::hs::{Bdd, Field, Packet, Space, FALSE};
use crate::model::{Endpoint, PortSpec, Snapshot, Tier};
use crate::net::{portspec_bdd, Graph};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use super::Subject;

/// A violation with its witness drawn, before its path is.
pub struct Raw {
    pub(crate) subject: Subject,
    /// The violating set (in the worker's space) until the witness is drawn.
    pub(crate) viol: Bdd,
    pub(crate) witness: Option<Packet>,
    /// Source nodes with what each injects.
    pub(crate) sources: Vec<(NodeId, Bdd)>,
    pub(crate) sink: NodeId,
    pub(crate) prefs: Vec<(Field, u64)>,
    pub(crate) src_point: Option<usize>,
    pub(crate) dst_point: usize,
}

/// A witness-free finding (inventory- or configuration-level).
pub struct Plain {
    pub(crate) subject: Subject,
    /// The rule's `minor_severity` instead of its severity.
    pub(crate) minor: bool,
    /// The devices, interfaces and config lines it is about (shown as its path).
    pub(crate) evidence: Vec<crate::net::path::Hop>,
}

impl Plain {
    pub(crate) fn new(subject: Subject) -> Plain {
        Plain {
            subject,
            minor: false,
            evidence: vec![],
        }
    }
}

pub struct Outcome {
    pub(crate) raws: Vec<Raw>,
    pub(crate) plains: Vec<Plain>,
    /// Edges with lines not understood that the check's packets met, with the sinks
    /// those packets are judged at: a tainted edge concerns the check only if its effect
    /// could still carry packets to one of them (`TaintReach`). Empty sinks: no such
    /// knowledge, every tainted edge met concerns it. One group per direction judged.
    pub(crate) taint: BTreeSet<EdgeId>,
    pub(crate) sinks: BTreeSet<NodeId>,
    pub(crate) taint_groups: Vec<(BTreeSet<EdgeId>, BTreeSet<NodeId>)>,
    pub(crate) not_applicable: Option<String>,
    pub(crate) unproven_note: Option<String>,
    /// Internal inconsistencies (a violation whose witness or path could not be drawn):
    /// never a crash; the check is `unproven` unless other findings stand.
    pub(crate) internal: Vec<String>,
}

impl Outcome {
    pub(crate) fn new() -> Self {
        Outcome {
            raws: vec![],
            plains: vec![],
            taint: BTreeSet::new(),
            sinks: BTreeSet::new(),
            taint_groups: vec![],
            not_applicable: None,
            unproven_note: None,
            internal: vec![],
        }
    }
}

/// What [`Ctx::zone_pairs`] allows from a source zone to a sink zone: `pair(sz, dz)`,
/// and a set `all` that every pair allows (a lower bound, for restricting reaches).
pub(crate) struct Allowed<'a> {
    pub(crate) pair: &'a dyn Fn(&mut Space, usize, usize) -> Bdd,
    pub(crate) all: Bdd,
    /// Flows judged partly on the packet as sent: `sent(sz, dz)` lists (condition on the
    /// packet as the source zone sends it, set allowed on the packet as delivered). Only
    /// consulted when the network rewrites headers (without rewrites sent = delivered and
    /// `pair` is exact): a 無害化 flow whose source a firewall translates (FortiGate `set
    /// nat enable` on the VDI policy) is still that flow.
    pub(crate) sent: Option<SentFlows<'a>>,
}

/// See [`Allowed::sent`].
pub(crate) type SentFlows<'a> = &'a dyn Fn(&mut Space, usize, usize) -> Vec<(Bdd, Bdd)>;

/// What a set of sources reaches: (point, set at its sink) for every point reached, in
/// point order, and the uncertain lines evaluated on the way.
pub(crate) struct Reached {
    pub(crate) sinks: Vec<(usize, Bdd)>,
    /// Edges with lines not understood that the reach evaluated with packets.
    pub(crate) taint: Vec<EdgeId>,
}

impl Reached {
    /// The reach of the union of the sources of `parts`, reaches that share no node.
    fn union(parts: &[Rc<Reached>]) -> Reached {
        let mut sinks: Vec<(usize, Bdd)> =
            parts.iter().flat_map(|r| r.sinks.iter().copied()).collect();
        sinks.sort_unstable_by_key(|x| x.0);
        let mut taint: Vec<EdgeId> = parts.iter().flat_map(|r| r.taint.iter().copied()).collect();
        taint.sort_unstable();
        taint.dedup();
        Reached { sinks, taint }
    }

    pub(crate) fn at(&self, point: usize) -> Bdd {
        match self.sinks.binary_search_by_key(&point, |x| x.0) {
            Ok(i) => self.sinks[i].1,
            Err(_) => FALSE,
        }
    }
}

/// Reach results by (source points, injected set).
/// Reach results by (source points, injected set, zone a Linux stack speaks for).
pub(crate) type ReachCache = HashMap<(Vec<usize>, Bdd, Option<usize>), Rc<Reached>>;

/// Taint of the full reaches by (source zones, injected set).
pub(crate) type TaintCache = HashMap<(Vec<usize>, Bdd), Vec<EdgeId>>;

pub struct Ctx<'a> {
    pub snap: &'a Snapshot,
    pub g: &'a Graph,
    /// Edge points of each zone, in point order.
    pub(crate) zone_points: Vec<Vec<usize>>,
    /// Reach results by (source points, injected set): several rules start from the
    /// same zones with the same injection.
    pub(crate) cache: RefCell<ReachCache>,
    /// Does any edge carry taint? If not, no reach can be tainted.
    pub(crate) any_taint: bool,
    /// Taint of the full reaches from a set of zones: [`Ctx::zones_taint`].
    pub(crate) taint_cache: RefCell<TaintCache>,
    /// For each Linux stack point: the hosts declared with its device's addresses.
    pub(crate) local_hosts: HashMap<usize, Vec<usize>>,
    /// The points whose sink each node is, ascending.
    sink_points: HashMap<NodeId, Vec<usize>>,
    /// Buffers every reach reuses ([`Ctx::reach_nodes`]).
    scratch: RefCell<Scratch>,
    /// The graph's parts ([`Ctx::parts`]), found on first use.
    parts: std::cell::OnceCell<Parts>,
    /// Device by name (the first of a name): a scan per point was points × devices.
    device_of: HashMap<&'a str, usize>,
}

/// The parts of the graph: nodes joined by edges that admit anything at all.
struct Parts {
    /// Part of each point (of its source node).
    of_point: Vec<u32>,
    /// Zones with a point in each part, ascending.
    zones: HashMap<u32, Rc<[usize]>>,
}

/// Buffers of [`Ctx::reach_nodes`], empty between reaches.
#[derive(Default)]
struct Scratch {
    sets: crate::engine::SetScratch,
    visited: Vec<bool>,
    edges: Vec<EdgeId>,
}

pub(crate) fn tiers(v: &[String]) -> Vec<Tier> {
    v.iter().filter_map(|s| Tier::parse(s)).collect()
}

impl<'a> Ctx<'a> {
    pub fn new(snap: &'a Snapshot, g: &'a Graph) -> Self {
        let mut zone_points = vec![vec![]; snap.zones.len()];
        for (pi, p) in g.points.iter().enumerate() {
            for &z in &p.zones {
                if zone_points[z].last() != Some(&pi) {
                    zone_points[z].push(pi);
                }
            }
        }
        let mut device_of = HashMap::new();
        for (i, d) in snap.devices.iter().enumerate() {
            device_of.entry(d.name.as_str()).or_insert(i);
        }
        let mut local_hosts = HashMap::new();
        for (pi, p) in g.points.iter().enumerate() {
            if p.interface != crate::net::LOCAL {
                continue;
            }
            if let Some(&d) = device_of.get(p.device.as_str()) {
                let d = &snap.devices[d];
                local_hosts.insert(pi, crate::net::local_hosts(d, snap));
            }
        }
        let mut sink_points: HashMap<NodeId, Vec<usize>> = HashMap::new();
        for (pi, p) in g.points.iter().enumerate() {
            sink_points.entry(p.sink).or_default().push(pi);
        }
        Ctx {
            snap,
            g,
            zone_points,
            local_hosts,
            cache: RefCell::new(HashMap::new()),
            any_taint: g.info.iter().any(|i| !i.taint.is_empty()),
            taint_cache: RefCell::new(HashMap::new()),
            sink_points,
            scratch: RefCell::new(Scratch::default()),
            parts: std::cell::OnceCell::new(),
            device_of,
        }
    }

    /// The device named `name` (the first, if several are).
    pub(crate) fn device(&self, name: &str) -> Option<&'a crate::model::Device> {
        self.device_of.get(name).map(|&i| &self.snap.devices[i])
    }

    /// The zones with a point in part `part` (ascending).
    fn zones_of_part(&self, part: u32) -> Rc<[usize]> {
        self.parts().zones[&part].clone()
    }

    /// `points` grouped by graph part, parts ascending, each group ascending as given.
    fn points_by_part(&self, points: &[usize]) -> Vec<(u32, Vec<usize>)> {
        let of = &self.parts().of_point;
        let mut groups: Vec<(u32, Vec<usize>)> = vec![];
        for &p in points {
            match groups.binary_search_by_key(&of[p], |g| g.0) {
                Ok(i) => groups[i].1.push(p),
                Err(i) => groups.insert(i, (of[p], vec![p])),
            }
        }
        groups
    }

    fn parts(&self) -> &Parts {
        self.parts.get_or_init(|| {
            let e = &self.g.engine;
            let mut uf = petgraph::unionfind::UnionFind::<u32>::new(e.node_count());
            for (ei, &(a, b)) in e.edges.iter().enumerate() {
                if e.edge_pred[ei] != FALSE {
                    uf.union(a, b);
                }
            }
            let mut by_part: HashMap<u32, Vec<usize>> = HashMap::new();
            for p in &self.g.points {
                for node in [p.src, p.sink] {
                    by_part
                        .entry(uf.find(node))
                        .or_default()
                        .extend(p.zones.iter().copied());
                }
            }
            let zones: HashMap<u32, Rc<[usize]>> = by_part
                .into_iter()
                .map(|(k, mut v)| {
                    v.sort_unstable();
                    v.dedup();
                    (k, v.into())
                })
                .collect();
            let of_point: Vec<u32> = self.g.points.iter().map(|p| uf.find(p.src)).collect();
            Parts { of_point, zones }
        })
    }

    pub(crate) fn zone_in(
        &self,
        zi: usize,
        tiers: &[Tier],
        kinds: &[String],
        exclude: &[String],
    ) -> bool {
        let z = &self.snap.zones[zi];
        if exclude.contains(&z.kind) && z.tier == Tier::External {
            return false;
        }
        if z.tier == Tier::External && tiers.contains(&Tier::External) {
            return kinds.is_empty() || kinds.contains(&z.kind);
        }
        tiers.contains(&z.tier) || (z.tier == Tier::External && kinds.contains(&z.kind))
    }

    /// Reach from `points` (injecting `inject`), recording taint.
    pub(crate) fn reach_from(
        &self,
        sp: &mut Space,
        points: &[usize],
        inject: Bdd,
        taint: &mut BTreeSet<EdgeId>,
    ) -> Rc<Reached> {
        self.reach_from_zone(sp, points, inject, None, taint)
    }

    /// As [`Ctx::reach_from`]; with `zone`, a Linux device's own stack (a member of the
    /// zones it is declared in as a `[[host]]`) speaks for that zone with any of its own
    /// addresses except those declared as its hosts in other zones: a relay declared on
    /// both sides sends as each side with that side's address, and what it forwards
    /// between them is judged like any router. (The graph already limits a stack to its
    /// own source addresses.)
    pub(crate) fn reach_from_zone(
        &self,
        sp: &mut Space,
        points: &[usize],
        inject: Bdd,
        zone: Option<usize>,
        taint: &mut BTreeSet<EdgeId>,
    ) -> Rc<Reached> {
        let key = (points.to_vec(), inject, zone);
        if let Some(r) = self.cache.borrow().get(&key) {
            taint.extend(r.taint.iter().cloned());
            return r.clone();
        }
        let sources = self.injected(sp, points, inject, zone);
        let r = Rc::new(self.reach_nodes(sp, &sources));
        taint.extend(r.taint.iter().cloned());
        self.cache.borrow_mut().insert(key, r.clone());
        r
    }

    /// What each of `points` injects for [`Ctx::reach_from_zone`].
    pub(crate) fn injected(
        &self,
        sp: &mut Space,
        points: &[usize],
        inject: Bdd,
        zone: Option<usize>,
    ) -> Vec<(NodeId, Bdd)> {
        points
            .iter()
            .map(|&p| {
                let pt = &self.g.points[p];
                match (zone, self.local_hosts.get(&p)) {
                    (Some(z), Some(hs)) => {
                        let mut x = inject;
                        for &h in hs.iter().filter(|&&h| self.snap.hosts[h].zone != z) {
                            x = sp.diff(x, self.q(self.g.q.host_src[h]));
                        }
                        (pt.src, x)
                    }
                    _ => (pt.src, inject),
                }
            })
            .collect()
    }

    /// Reach from `(node, injected set)` sources, uncached.
    pub(crate) fn reach_nodes(&self, sp: &mut Space, sources: &[(NodeId, Bdd)]) -> Reached {
        // Edges first, lines after: a reach visits an edge many times, and an edge may
        // carry thousands of lines not understood.
        let mut scratch = self.scratch.borrow_mut();
        let Scratch {
            sets,
            visited,
            edges,
        } = &mut *scratch;
        if visited.len() != self.g.info.len() {
            *visited = vec![false; self.g.info.len()];
        }
        let reached = self
            .g
            .engine
            .reach_sets_sparse(sp, sources, sets, |edge: EdgeId| {
                if !visited[edge as usize] {
                    visited[edge as usize] = true;
                    edges.push(edge);
                }
            });
        edges.sort_unstable();
        let seen: Vec<EdgeId> = edges
            .iter()
            .copied()
            .filter(|&e| !self.g.info[e as usize].taint.is_empty())
            .collect();
        for e in edges.drain(..) {
            visited[e as usize] = false;
        }
        let mut sinks: Vec<(usize, Bdd)> = reached
            .iter()
            .filter_map(|&(node, b)| self.sink_points.get(&node).map(|ps| (ps, b)))
            .flat_map(|(ps, b)| ps.iter().map(move |&p| (p, b)))
            .collect();
        sinks.sort_unstable_by_key(|x| x.0);
        Reached { sinks, taint: seen }
    }

    /// The edge points of zone `zi`, ascending (callers test membership by binary search).
    pub(crate) fn points_of_zone(&self, zi: usize) -> &[usize] {
        &self.zone_points[zi]
    }

    pub(crate) fn q(&self, id: u32) -> Bdd {
        self.g.query(id)
    }

    pub(crate) fn ports_bdd(&self, sp: &mut Space, ports: &[PortSpec]) -> Bdd {
        let mut b = FALSE;
        for p in ports {
            let x = portspec_bdd(sp, p);
            b = sp.or(b, x);
        }
        b
    }

    pub(crate) fn ep_dst(&self, e: Endpoint) -> Bdd {
        match e {
            Endpoint::Host(h) => self.q(self.g.q.host_dst[h]),
            Endpoint::Zone(z) => self.q(self.g.q.zone_dst[z]),
        }
    }
    pub(crate) fn ep_src(&self, e: Endpoint) -> Bdd {
        match e {
            Endpoint::Host(h) => self.q(self.g.q.host_src[h]),
            Endpoint::Zone(z) => self.q(self.g.q.zone_src[z]),
        }
    }

    pub(crate) fn src_prefs(&self, zi: usize, host: Option<usize>) -> Vec<(Field, u64)> {
        let mut v = vec![];
        if let Some(h) = host {
            let h = &self.snap.hosts[h];
            v.push((Field::SrcIp, u32::from(h.ip) as u64));
            if let Some(m) = h.mac {
                v.push((Field::SrcMac, crate::hs::mac_u64(m)));
            }
        }
        if let Some(n) = self.snap.zones[zi].subnets.first() {
            // A plausible host address inside the source zone.
            let ks: &[u32] = if n.prefix() < 31 { &[10, 1] } else { &[0] };
            if let Some(a) = ks.iter().find_map(|&k| nth_addr(n, k)) {
                v.push((Field::SrcIp, a as u64));
            }
        }
        v
    }

    pub(crate) fn dst_prefs(&self, zi: usize) -> Vec<(Field, u64)> {
        let z = &self.snap.zones[zi];
        let mut v: Vec<(Field, u64)> = self
            .snap
            .hosts
            .iter()
            .filter(|h| h.zone == zi)
            .map(|h| (Field::DstIp, u32::from(h.ip) as u64))
            .collect();
        if let Some(n) = z.subnets.first() {
            if n.prefix() < 31 {
                for k in [10u32, 11, 100] {
                    if let Some(a) = nth_addr(n, k) {
                        v.push((Field::DstIp, a as u64));
                    }
                }
            }
        }
        v
    }

    /// For every source zone in `from` and sink zone in `to`: the new flows the sink
    /// receives addressed into that zone, minus `allowed(src_zone, dst_zone)`.
    ///
    /// Without header rewrites an edge only filters, so the reach of `inject ∧ Y` is the
    /// reach of `inject`, ∩ Y, at every node. With Y ⊇ every `zone_dst(dz) ∖ allowed`
    /// judged for the source zone, the violations computed from the restricted reach are
    /// exactly those of the full one; only packets that could violate are propagated (an
    /// internet zone's full reach spans every municipality, its restricted one stops at
    /// the first filter). The taint is that of the full reaches: see [`Ctx::zones_taint`].
    pub(crate) fn zone_pairs(
        &self,
        sp: &mut Space,
        from: &dyn Fn(usize) -> bool,
        to: &dyn Fn(usize) -> bool,
        allowed: Allowed,
        detail: &str,
        out: &mut Outcome,
    ) {
        let Allowed {
            pair: allowed,
            all: allowed_all,
            sent,
        } = allowed;
        let nz = self.snap.zones.len();
        let inject = self.q(self.g.q.new_flow);
        let targets: Vec<usize> = (0..nz).filter(|&z| to(z)).collect();
        let mut sinks = BTreeSet::new();
        for &dz in &targets {
            for &pi in self.points_of_zone(dz) {
                sinks.insert(self.g.points[pi].sink);
            }
        }
        let mut taint = BTreeSet::new();
        let sources: Vec<usize> = (0..nz)
            .filter(|&z| from(z) && !self.points_of_zone(z).is_empty())
            .collect();
        let restrict = !self.g.engine.has_rewrites();
        if restrict {
            self.zones_taint(sp, &sources, inject, &mut taint);
        }
        // Without rewrites a reach only filters, so each source zone's reach is restricted
        // to the addresses of the target zones it is wired to, less what every pair allows.
        // (Restricting every reach to all target zones of the prefecture made each reach's
        // sets grow with the number of municipalities.) At a target zone's point the
        // restricted reach ∩ its addresses is the full reach ∩ its addresses minus
        // `allowed_all`, as before; zones it is not wired to are never reached.
        let mut restriction: HashMap<Vec<usize>, Bdd> = HashMap::new();
        for sz in sources {
            let pts = self.points_of_zone(sz);
            if let (false, Some(sent)) = (restrict, sent) {
                self.zone_pairs_as_sent(sp, sz, to, sent, inject, detail, out, &mut taint);
                continue;
            }
            let reach = if !restrict {
                self.reach_from_zone(sp, pts, inject, Some(sz), &mut taint)
            } else {
                // Per graph part of the zone's points: a zone with points in many parts
                // (an external zone every municipality meets) injects at each part only
                // the addresses of the target zones of that part, so no reach carries
                // sets that grow with the number of municipalities. Parts share no node,
                // so the reaches are disjoint and their union is the zone's reach.
                let mut parts = vec![];
                for (part, gpts) in self.points_by_part(pts) {
                    let wired: Vec<usize> = self
                        .zones_of_part(part)
                        .iter()
                        .copied()
                        .filter(|&z| targets.binary_search(&z).is_ok())
                        .collect();
                    let y = match restriction.get(&wired) {
                        Some(&y) => y,
                        None => {
                            let mut y = FALSE;
                            for &dz in &wired {
                                y = sp.or(y, self.q(self.g.q.zone_dst[dz]));
                            }
                            let y = sp.diff(y, allowed_all);
                            restriction.insert(wired, y);
                            y
                        }
                    };
                    if y == FALSE {
                        continue;
                    }
                    let inj = sp.and(inject, y);
                    // Its taint is part of the zones' taint, added above.
                    parts.push(self.reach_from_zone(
                        sp,
                        &gpts,
                        inj,
                        Some(sz),
                        &mut BTreeSet::new(),
                    ));
                }
                match parts.len() {
                    0 => continue,
                    1 => parts.pop().expect("one part"),
                    _ => Rc::new(Reached::union(&parts)),
                }
            };
            // Only sink zones with a point this reach got to can hold a finding: visit
            // those, ascending, instead of every zone for every source zone.
            let mut hit: Vec<usize> = reach
                .sinks
                .iter()
                .flat_map(|&(pi, _)| self.g.points[pi].zones.iter().copied())
                .filter(|&z| z != sz && targets.binary_search(&z).is_ok())
                .collect();
            hit.sort_unstable();
            hit.dedup();
            for dz in hit {
                let zd = self.q(self.g.q.zone_dst[dz]);
                let mut ok = None;
                for &pi in self.points_of_zone(dz) {
                    let at = reach.at(pi);
                    if at == FALSE || pts.binary_search(&pi).is_ok() {
                        continue;
                    }
                    let ok = *ok.get_or_insert_with(|| allowed(sp, sz, dz));
                    let v = sp.and(at, zd);
                    let v = sp.diff(v, ok);
                    if v == FALSE {
                        continue;
                    }
                    let sources = self.injected(sp, pts, inject, Some(sz));
                    out.raws.push(self.zone_raw(sz, dz, pi, v, sources, detail));
                    break;
                }
            }
        }
        out.taint_groups.push((taint, sinks));
    }

    /// The finding of zone pair (`sz`, `dz`): `viol` delivered at point `pi` from `sources`.
    fn zone_raw(
        &self,
        sz: usize,
        dz: usize,
        pi: usize,
        viol: Bdd,
        sources: Vec<(NodeId, Bdd)>,
        detail: &str,
    ) -> Raw {
        let mut prefs = self.src_prefs(sz, None);
        prefs.extend(self.dst_prefs(dz));
        Raw {
            subject: Subject {
                src: self.snap.zones[sz].name.clone(),
                dst: self.snap.zones[dz].name.clone(),
                flow: None,
                detail: detail.into(),
            },
            viol,
            witness: None,
            sources,
            sink: self.g.points[pi].sink,
            prefs,
            src_point: None,
            dst_point: pi,
        }
    }

    /// [`Ctx::zone_pairs`] for one source zone when flows are judged on the packet as sent
    /// ([`Allowed::sent`]) and headers are rewritten: the injection is split into the
    /// classes the flows' sent-conditions tell apart, each class is reached on its own,
    /// and what a class delivers into a sink zone is allowed only by the flows whose
    /// condition the class satisfies. One finding per (source, sink) zone pair, its
    /// witness drawn from the first class that violates (a union of classes could pair a
    /// delivered packet with a declared sender).
    #[allow(clippy::too_many_arguments)]
    fn zone_pairs_as_sent(
        &self,
        sp: &mut Space,
        sz: usize,
        to: &dyn Fn(usize) -> bool,
        sent: SentFlows,
        inject: Bdd,
        detail: &str,
        out: &mut Outcome,
        taint: &mut BTreeSet<EdgeId>,
    ) {
        let nz = self.snap.zones.len();
        let pts = self.points_of_zone(sz);
        let sinks: Vec<usize> = (0..nz).filter(|&z| to(z) && z != sz).collect();
        let mut flows: Vec<(Bdd, Bdd, usize)> = vec![];
        for &dz in &sinks {
            for (c, d) in sent(sp, sz, dz) {
                flows.push((c, d, dz));
            }
        }
        let conds: Vec<Bdd> = flows.iter().map(|f| f.0).collect();
        let classes = classes(sp, inject, &conds);
        let mut done = vec![false; nz];
        let mut found: Vec<(usize, Raw)> = vec![];
        for (a, fs) in classes {
            let reach = self.reach_from_zone(sp, pts, a, Some(sz), taint);
            for &dz in &sinks {
                if done[dz] {
                    continue;
                }
                let zd = self.q(self.g.q.zone_dst[dz]);
                let mut ok = FALSE;
                for &i in fs.iter().filter(|&&i| flows[i].2 == dz) {
                    ok = sp.or(ok, flows[i].1);
                }
                for &pi in self.points_of_zone(dz) {
                    let at = reach.at(pi);
                    if at == FALSE || pts.binary_search(&pi).is_ok() {
                        continue;
                    }
                    let v = sp.and(at, zd);
                    let v = sp.diff(v, ok);
                    if v == FALSE {
                        continue;
                    }
                    done[dz] = true;
                    let sources = self.injected(sp, pts, a, Some(sz));
                    found.push((dz, self.zone_raw(sz, dz, pi, v, sources, detail)));
                    break;
                }
            }
        }
        // Findings in sink-zone order, as the one-reach path reports them.
        found.sort_by_key(|x| x.0);
        out.raws.extend(found.into_iter().map(|x| x.1));
    }

    /// The taint of the full reaches from each of `zones` (injecting `inject`), without
    /// computing them one by one: a reach visits the out-edges of every node it reaches,
    /// and the reach from all zones at once reaches exactly the nodes some zone's reach
    /// reaches (every edge's image distributes over union), so its taint is the union.
    pub(crate) fn zones_taint(
        &self,
        sp: &mut Space,
        zones: &[usize],
        inject: Bdd,
        taint: &mut BTreeSet<EdgeId>,
    ) {
        if !self.any_taint {
            return;
        }
        if let Some(t) = self.taint_cache.borrow().get(&(zones.to_vec(), inject)) {
            taint.extend(t.iter().cloned());
            return;
        }
        let mut sources = vec![];
        for &z in zones {
            sources.extend(self.injected(sp, self.points_of_zone(z), inject, Some(z)));
        }
        let r = self.reach_nodes(sp, &sources);
        taint.extend(r.taint.iter().cloned());
        self.taint_cache
            .borrow_mut()
            .insert((zones.to_vec(), inject), r.taint);
    }
}

/// The classes into which `conds` split `set` (partition refinement): each non-empty
/// class with the indices of the conditions it satisfies (ascending). Classes are few
/// in practice: conditions are the sources of the declared flows of one zone.
pub(crate) fn classes(sp: &mut Space, set: Bdd, conds: &[Bdd]) -> Vec<(Bdd, Vec<usize>)> {
    let mut classes: Vec<(Bdd, Vec<usize>)> = vec![(set, vec![])];
    for (i, &c) in conds.iter().enumerate() {
        let mut next = vec![];
        for (a, fs) in classes {
            let yes = sp.and(a, c);
            let no = sp.diff(a, c);
            if yes != FALSE {
                let mut f2 = fs.clone();
                f2.push(i);
                next.push((yes, f2));
            }
            if no != FALSE {
                next.push((no, fs));
            }
        }
        classes = next;
    }
    classes.retain(|c| c.0 != FALSE);
    classes
}

/// Address `k` of subnet `n` (`network + k`) when it lies inside `n`: a zone such as
/// `255.255.255.252/30` has no address `network + 10`, and the sum must not wrap.
fn nth_addr(n: &ipnetwork::Ipv4Network, k: u32) -> Option<u32> {
    let a = u32::from(n.network()).checked_add(k)?;
    n.contains(std::net::Ipv4Addr::from(a)).then_some(a)
}

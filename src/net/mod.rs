//! Connectivity graph: turns the parsed devices, links and zones of a snapshot into
//! predicate-labelled edges for the engine.
//!
//! Nodes: `Seg(dev,vlan)` (a VLAN bridge on one device), `L3In/L3Out(dev,if)` (routed
//! interfaces and SVIs), `Router(dev)` (ACL devices) or `Pol(dev,in,out)` (policy-based
//! firewalls), and a source/sink pair per edge point (an interface not linked to another
//! device: where hosts, free ports and external networks are).
//!
//! Semantics (documented in docs/semantics.md): a frame in a VLAN reaches every port of
//! that VLAN and every L3 interface on it (flooding; conservative); routing is longest
//! prefix over connected and static routes; ACLs are first-match with implicit deny;
//! firewall policies are evaluated in file order per (in, out) interface pair.

pub mod netfilter;
pub mod path;

use crate::engine::{Engine, NetBuilder, NodeId, QueryId, Rewrite};
use crate::hs::{Bdd, Field, Space, FALSE, TRUE};
use crate::model::NfHook;
use crate::model::{Action, AuthAdmit, Device, IfMode, Scope, Span};
use crate::model::{LinkEnd, PortSpec, Snapshot};
use crate::net::netfilter::{self as nfsem, HookCtx};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A config line that may change a result but was not understood.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct TaintLine {
    pub file: String,
    pub line: u32,
    pub text: String,
    pub reason: String,
}

/// A shared handle on a [`TaintLine`]: one line not understood is stored once, however
/// many edges and checks it touches (a file of 60k unknown lines used to be copied onto
/// every edge of its device). Compares, orders and hashes by content.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Taint(std::sync::Arc<TaintLine>);

impl serde::Serialize for Taint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.as_ref().serialize(s)
    }
}

impl Taint {
    pub fn new(file: String, line: u32, text: String, reason: String) -> Taint {
        Taint(std::sync::Arc::new(TaintLine {
            file,
            line,
            text,
            reason,
        }))
    }
}

impl std::ops::Deref for Taint {
    type Target = TaintLine;
    fn deref(&self) -> &TaintLine {
        &self.0
    }
}

#[derive(Clone, Debug)]
pub struct EdgeInfo {
    pub device: Option<String>,
    pub in_if: Option<String>,
    pub out_if: Option<String>,
    /// Disjoint parts of the edge predicate with the lines that admit them.
    pub pieces: Vec<(Bdd, Vec<Span>)>,
    pub taint: Vec<Taint>,
}

/// Where traffic enters and leaves the modelled network.
#[derive(Clone, Debug)]
pub struct Point {
    pub device: String,
    pub interface: String,
    pub host: Option<usize>,
    pub zones: Vec<usize>,
    pub src: NodeId,
    pub sink: NodeId,
}

/// Query predicates registered for the rules (each an exact union of atoms).
#[derive(Default, Clone, Debug)]
pub struct Queries {
    pub new_flow: QueryId,
    pub zone_dst: Vec<QueryId>,
    pub zone_src: Vec<QueryId>,
    pub host_src: Vec<QueryId>,
    pub host_dst: Vec<QueryId>,
    pub host_mac: Vec<Option<QueryId>>,
    pub ports: HashMap<PortSpec, QueryId>,
}

pub struct Graph {
    pub engine: Engine,
    pub info: Vec<EdgeInfo>,
    pub points: Vec<Point>,
    pub q: Queries,
    /// BDDs of the queries (for witnesses steered into a region).
    pub zone_dst_bdd: Vec<Bdd>,
    pub zone_src_bdd: Vec<Bdd>,
    /// Edge points that lead to no modelled device, host or external zone (a routed port a
    /// route leaves by, a trunk, with no peer in topology.toml): what leaves by them is
    /// tainted ("unproven"), never silently dropped.
    pub dangling: Vec<usize>,
}

/// Per interface: (wire tag, where the frame goes). `None` = untagged.
type Attachments = Vec<(Option<u16>, Att)>;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Att {
    Seg(usize, u16),
    L3(usize, usize),
}

struct Builder<'a> {
    snap: &'a Snapshot,
    nb: NetBuilder,
    info: Vec<EdgeInfo>,
    seg: HashMap<(usize, u16), NodeId>,
    l3in: HashMap<(usize, usize), NodeId>,
    l3out: HashMap<(usize, usize), NodeId>,
    /// Linux devices: (local source, local sink) of the host's own stack.
    local: BTreeMap<usize, (NodeId, NodeId)>,
    /// Permit pieces per (device, ACL): one ACL is often bound to many ports.
    acl_memo: HashMap<(String, String), Vec<(Bdd, Span)>>,
    /// Each device's lines not understood as shared handles ([`Builder::dev_taint`]).
    taint_cache: std::cell::RefCell<HashMap<String, Vec<Taint>>>,
}

pub fn portspec_bdd(s: &mut Space, p: &PortSpec) -> Bdd {
    if p.proto == 0 {
        return TRUE;
    }
    let pr = s.eq(Field::Proto, p.proto as u64);
    let range = if p.proto == 1 {
        if p.lo == 0 && p.hi == 65535 {
            TRUE
        } else {
            s.range(Field::IcmpType, p.lo as u64, p.hi.min(255) as u64)
        }
    } else if p.lo == 0 && p.hi == 65535 {
        TRUE
    } else {
        s.range(Field::DstPort, p.lo as u64, p.hi as u64)
    };
    s.and(pr, range)
}

impl<'a> Builder<'a> {
    fn edge(&mut self, from: NodeId, to: NodeId, info: EdgeInfo) {
        let pred = self
            .nb
            .space
            .or_all(info.pieces.iter().map(|p| p.0).collect::<Vec<_>>());
        if pred == FALSE && info.taint.is_empty() {
            return;
        }
        self.nb.add_edge(from, to, pred);
        self.info.push(info);
    }

    /// An edge that rewrites what it admits (NAT, a router's own source MAC).
    fn rewrite_edge(&mut self, from: NodeId, to: NodeId, info: EdgeInfo, rw: Rewrite) {
        let pred = self
            .nb
            .space
            .or_all(info.pieces.iter().map(|p| p.0).collect::<Vec<_>>());
        if pred == FALSE && info.taint.is_empty() {
            return;
        }
        self.nb.add_rewrite_edge(from, to, pred, rw);
        self.info.push(info);
    }

    /// The lines not understood of device `d` whose scope `pred` selects (and the
    /// device-wide ones), as shared handles made once per device.
    fn dev_taint(&self, d: &Device, pred: impl Fn(&Scope) -> bool) -> Vec<Taint> {
        let mut cache = self.taint_cache.borrow_mut();
        let all = cache.entry(d.name.clone()).or_insert_with(|| {
            d.unrecognized
                .iter()
                .map(|u| {
                    Taint::new(
                        d.unrecognized_file(u).to_string(),
                        u.line,
                        u.text.clone(),
                        u.reason.clone(),
                    )
                })
                .collect()
        });
        d.unrecognized
            .iter()
            .zip(all.iter())
            .filter(|(u, _)| pred(&u.scope) || u.scope == Scope::Device)
            .map(|(_, t)| t.clone())
            .collect()
    }

    /// Permit pieces of an ACL (first match wins, implicit deny).
    fn acl_pieces(
        &mut self,
        d: &Device,
        name: &str,
        bind: &Span,
    ) -> (Vec<(Bdd, Vec<Span>)>, Vec<Taint>) {
        let taint = self.dev_taint(d, |s| *s == Scope::Acl(name.to_string()));
        let Some(acl) = d.acls.get(name) else {
            // IOS: an access-group naming an undefined ACL filters nothing.
            return (vec![(TRUE, vec![bind.clone()])], taint);
        };
        let key = (d.name.clone(), name.to_string());
        if !self.acl_memo.contains_key(&key) {
            let mut seen = FALSE;
            let mut pieces = vec![];
            for r in &acl.rules {
                let m = self.nb.space.matches(&r.m);
                let eff = self.nb.space.diff(m, seen);
                seen = self.nb.space.or(seen, m);
                if r.action == Action::Permit && eff != FALSE {
                    pieces.push((eff, r.span.clone()));
                }
            }
            self.acl_memo.insert(key.clone(), pieces);
        }
        let pieces = self.acl_memo[&key]
            .iter()
            .map(|(b, s)| (*b, vec![s.clone(), bind.clone()]))
            .collect();
        (pieces, taint)
    }
}

/// Registered MACs of the hosts that topology.toml links to `device:interface`: what an
/// 802.1X / MAB port with [`AuthAdmit::LinkedHosts`] admits (empty = no such host, then
/// any MAC).
pub fn port_auth_macs(snap: &Snapshot, device: &str, interface: &str) -> Vec<crate::model::Mac> {
    let mut out = vec![];
    for l in &snap.links {
        let (h, p) = match (&l.a, &l.b) {
            (LinkEnd::Host(h), p) | (p, LinkEnd::Host(h)) => (h, p),
            _ => continue,
        };
        if !matches!(p, LinkEnd::Port { device: d, interface: i } if d == device && i == interface)
        {
            continue;
        }
        if let Some(m) = snap.hosts.iter().find(|x| &x.name == h).and_then(|x| x.mac) {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

/// Canonical VLAN attachments of an interface: (wire tag, attachment). `None` = untagged.
fn attachments(
    d: &Device,
    di: usize,
    ii: usize,
    universe: &BTreeSet<u16>,
) -> Vec<(Option<u16>, Att)> {
    let i = &d.interfaces[ii];
    if i.shutdown {
        return vec![];
    }
    let mut out = vec![];
    match &i.mode {
        IfMode::Access { vlan } => out.push((None, Att::Seg(di, *vlan))),
        IfMode::Trunk { allowed, native } => {
            if allowed.contains(*native) {
                out.push((None, Att::Seg(di, *native)));
            }
            for &v in universe {
                if v != *native && allowed.contains(v) {
                    out.push((Some(v), Att::Seg(di, v)));
                }
            }
        }
        IfMode::Svi { .. } => {}
        IfMode::Routed => {
            if i.parent.is_none() && !i.addresses.is_empty() {
                out.push((None, Att::L3(di, ii)));
            }
            for (si, s) in d.interfaces.iter().enumerate() {
                if let Some((p, tag)) = &s.parent {
                    if *p == i.name && !s.shutdown {
                        out.push((Some(*tag), Att::L3(di, si)));
                    }
                }
            }
        }
    }
    out
}

/// Union-find over attachments, for L2 domains.
struct Dsu(Vec<usize>);
impl Dsu {
    fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut c = x;
        while self.0[c] != r {
            let n = self.0[c];
            self.0[c] = r;
            c = n;
        }
        r
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a] = b;
        }
    }
}

impl Graph {
    /// The exact set of a registered query predicate (`Queries` ids).
    pub fn query(&self, id: QueryId) -> Bdd {
        self.engine.query_pred[id as usize]
    }

    /// The header-set manager, read-only (membership, witnesses of existing sets).
    pub fn space(&self) -> &Space {
        &self.engine.space
    }

    /// The header-set manager, to build new sets over the graph's.
    pub fn space_mut(&mut self) -> &mut Space {
        &mut self.engine.space
    }

    /// Lends the manager out while the graph is read elsewhere (reaches over `&Graph`
    /// that build sets); give it back with [`Graph::put_space`].
    pub fn take_space(&mut self) -> Space {
        std::mem::take(&mut self.engine.space)
    }

    pub fn put_space(&mut self, sp: Space) {
        self.engine.space = sp;
    }

    /// The graph with exact atoms (`engine.bits_exact`): for trace, matrix and anything
    /// using the atom API.
    pub fn build(snap: &Snapshot) -> Graph {
        Self::build_with(snap, true, &[])
    }

    /// The graph for set reachability only ([`Engine::reach_sets`]): skips the atom split,
    /// which grows with the product of independent predicates (source classes × destination
    /// classes × services) and dominates at prefecture scale. Rewrites (NAT, a router's own
    /// MAC) are images of sets here; paths across them come from
    /// [`crate::engine::Engine::witness_path`].
    pub fn build_sets(snap: &Snapshot) -> Graph {
        Self::build_with(snap, false, &[])
    }

    /// [`Graph::build_sets`], also registering the services the checks will ask about
    /// (`checks::query_ports`): the graph does not know the checks.
    pub fn build_sets_for(snap: &Snapshot, ports: &[PortSpec]) -> Graph {
        Self::build_with(snap, false, ports)
    }

    /// [`Graph::build`] (atoms), with the services the checks ask about.
    pub fn build_for(snap: &Snapshot, ports: &[PortSpec]) -> Graph {
        Self::build_with(snap, true, ports)
    }

    fn build_with(snap: &Snapshot, atoms: bool, ports: &[PortSpec]) -> Graph {
        let dev_idx: HashMap<&str, usize> = snap
            .devices
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.as_str(), i))
            .collect();
        let if_idx = |d: usize, name: &str| {
            snap.devices[d]
                .interfaces
                .iter()
                .position(|i| i.name == name)
        };

        // VLAN universe: every VLAN anything declares or uses.
        let mut universe = BTreeSet::new();
        for d in &snap.devices {
            universe.extend(d.vlans.keys().copied());
            for i in &d.interfaces {
                match &i.mode {
                    IfMode::Access { vlan } | IfMode::Svi { vlan } => {
                        universe.insert(*vlan);
                    }
                    IfMode::Trunk { native, .. } => {
                        universe.insert(*native);
                    }
                    IfMode::Routed => {}
                }
                if let Some((_, t)) = &i.parent {
                    universe.insert(*t);
                }
            }
        }
        for z in &snap.zones {
            universe.extend(z.vlans.iter().copied());
        }

        let mut b = Builder {
            snap,
            nb: NetBuilder::new(),
            info: vec![],
            seg: HashMap::new(),
            l3in: HashMap::new(),
            l3out: HashMap::new(),
            local: BTreeMap::new(),
            acl_memo: HashMap::new(),
            taint_cache: Default::default(),
        };

        // Per-device attachments and nodes.
        let mut atts: HashMap<(usize, usize), Attachments> = HashMap::new();
        for (di, d) in snap.devices.iter().enumerate() {
            for ii in 0..d.interfaces.len() {
                let a = attachments(d, di, ii, &universe);
                for (_, att) in &a {
                    b.node_for(*att);
                }
                atts.insert((di, ii), a);
                let i = &d.interfaces[ii];
                if !i.shutdown
                    && (matches!(i.mode, IfMode::Svi { .. })
                        || (i.mode == IfMode::Routed && !i.addresses.is_empty()))
                {
                    b.node_for(Att::L3(di, ii));
                }
            }
        }

        // Device-internal edges.
        for (di, d) in snap.devices.iter().enumerate() {
            b.device_edges(di, d);
        }

        // Links.
        let mut linked: BTreeMap<(usize, usize), LinkEnd> = BTreeMap::new();
        let mut host_port: HashMap<(usize, usize), usize> = HashMap::new();
        let host_idx: HashMap<&str, usize> = snap
            .hosts
            .iter()
            .enumerate()
            .map(|(i, h)| (h.name.as_str(), i))
            .collect();
        for l in &snap.links {
            let res = |e: &LinkEnd| match e {
                LinkEnd::Port { device, interface } => {
                    let d = dev_idx[device.as_str()];
                    Some((d, if_idx(d, interface).expect("validated at load")))
                }
                LinkEnd::Host(_) => None,
            };
            match (res(&l.a), res(&l.b)) {
                (Some(pa), Some(pb)) => {
                    linked.insert(pa, l.b.clone());
                    linked.insert(pb, l.a.clone());
                    let span = match &l.inferred {
                        Some(inf) => inf.a_span.clone(),
                        None => Span::new("topology.toml", l.line),
                    };
                    b.link(pa, pb, &atts[&pa], &atts[&pb], &span);
                    b.link(pb, pa, &atts[&pb], &atts[&pa], &span);
                }
                (Some(p), None) | (None, Some(p)) => {
                    let h = match (&l.a, &l.b) {
                        (LinkEnd::Host(h), _) | (_, LinkEnd::Host(h)) => host_idx[h.as_str()],
                        _ => unreachable!(),
                    };
                    host_port.insert(p, h);
                }
                (None, None) => {}
            }
        }

        // L2 domains: union attachments joined by links, and SVIs with their VLAN.
        let mut att_ids: HashMap<Att, usize> = HashMap::new();
        let id = |a: Att, m: &mut HashMap<Att, usize>| {
            let n = m.len();
            *m.entry(a).or_insert(n)
        };
        let mut pairs = vec![];
        for ((pa, pb), _) in linked.iter().map(|(k, v)| ((*k, v), ())) {
            if let LinkEnd::Port { device, interface } = pb {
                let db = dev_idx[device.as_str()];
                let ib = if_idx(db, interface).expect("validated");
                for (ta, xa) in &atts[&pa] {
                    for (tb, xb) in &atts[&(db, ib)] {
                        if ta == tb {
                            pairs.push((*xa, *xb));
                        }
                    }
                }
            }
        }
        for (di, d) in snap.devices.iter().enumerate() {
            for (ii, i) in d.interfaces.iter().enumerate() {
                if let (IfMode::Svi { vlan }, false) = (&i.mode, i.shutdown) {
                    pairs.push((Att::Seg(di, *vlan), Att::L3(di, ii)));
                }
            }
        }
        for (a, c) in &pairs {
            id(*a, &mut att_ids);
            id(*c, &mut att_ids);
        }
        for v in atts.values() {
            for (_, a) in v {
                id(*a, &mut att_ids);
            }
        }
        for (di, d) in snap.devices.iter().enumerate() {
            for ii in 0..d.interfaces.len() {
                if b.l3in.contains_key(&(di, ii)) {
                    id(Att::L3(di, ii), &mut att_ids);
                }
            }
        }
        let mut dsu = Dsu((0..att_ids.len()).collect());
        for (a, c) in &pairs {
            dsu.union(att_ids[a], att_ids[c]);
        }

        // Edge points: interfaces not linked to another device.
        let mut points: Vec<Point> = vec![];
        // Per point: its attachment ids, and the edge ids (= `info` indices) from its source
        // and into its sink.
        let mut point_atts: Vec<Vec<usize>> = vec![];
        let mut point_edges: Vec<(Vec<usize>, Vec<usize>)> = vec![];
        for (di, d) in snap.devices.iter().enumerate() {
            for (ii, i) in d.interfaces.iter().enumerate() {
                if linked.contains_key(&(di, ii)) || i.shutdown || i.parent.is_some() {
                    continue;
                }
                let a = &atts[&(di, ii)];
                if a.is_empty() {
                    continue;
                }
                let src = b.nb.add_node();
                let sink = b.nb.add_node();
                let ingress = b.port_ingress(di, ii);
                let mut my_atts = vec![];
                let (mut e_src, mut e_sink) = (vec![], vec![]);
                for (tag, att) in a.clone() {
                    let vlan = b.nb.space.eq(Field::Vlan, tag.unwrap_or(0) as u64);
                    let pieces = ingress
                        .0
                        .iter()
                        .map(|(p, l)| (b.nb.space.and(*p, vlan), l.clone()))
                        .collect();
                    let to = b.in_node(att);
                    let t = ingress.1.clone();
                    let n0 = b.info.len();
                    b.edge(
                        src,
                        to,
                        EdgeInfo {
                            device: Some(d.name.clone()),
                            in_if: Some(i.name.clone()),
                            out_if: None,
                            pieces,
                            taint: t,
                        },
                    );
                    e_src.extend(n0..b.info.len());
                    let from = b.out_node(att);
                    let n0 = b.info.len();
                    b.edge(
                        from,
                        sink,
                        EdgeInfo {
                            device: Some(d.name.clone()),
                            in_if: None,
                            out_if: Some(i.name.clone()),
                            pieces: vec![(TRUE, vec![])],
                            taint: vec![],
                        },
                    );
                    e_sink.extend(n0..b.info.len());
                    my_atts.push(att_ids[&att]);
                }
                points.push(Point {
                    device: d.name.clone(),
                    interface: i.name.clone(),
                    host: host_port.get(&(di, ii)).copied(),
                    zones: vec![],
                    src,
                    sink,
                });
                point_atts.push(my_atts);
                point_edges.push((e_src, e_sink));
            }
        }

        // Linux devices: the host's own stack is an edge point too (it originates and
        // terminates traffic: relays, proxies, sanitisers).
        let first_local = points.len();
        for (&di, &(src, sink)) in &b.local {
            points.push(Point {
                device: snap.devices[di].name.clone(),
                interface: LOCAL.into(),
                host: None,
                zones: vec![],
                src,
                sink,
            });
            point_atts.push(vec![]);
            point_edges.push((vec![], vec![]));
        }

        // Zone locations. The addressed L3 attachments and the segments per VLAN are
        // listed once: scanning every interface of every device for each zone was
        // zones × interfaces (most of the graph build's own time at 1×).
        let mut l3_nets: Vec<(ipnetwork::Ipv4Network, usize)> = vec![];
        let mut segs: HashMap<u16, Vec<usize>> = HashMap::new();
        for (di, d) in snap.devices.iter().enumerate() {
            for (ii, i) in d.interfaces.iter().enumerate() {
                if i.shutdown {
                    continue;
                }
                let Some(&aid) = att_ids.get(&Att::L3(di, ii)) else {
                    continue;
                };
                for (a, len) in &i.addresses {
                    if let Ok(net) = ipnetwork::Ipv4Network::new(*a, *len) {
                        l3_nets.push((net, aid));
                    }
                }
            }
        }
        for (att, &aid) in &att_ids {
            if let Att::Seg(_, v) = att {
                segs.entry(*v).or_default().push(aid);
            }
        }
        // Switched domains ("fabrics"): every VLAN segment of one device is in one fabric
        // (a switch's VLAN ids are one namespace), links join fabrics, and a routed port or
        // SVI joins the fabric of the segment it sits on. VLAN ids are local to a fabric:
        // VLAN 110 at two unconnected sites is two domains.
        let mut fab = Dsu((0..att_ids.len()).collect());
        for (a, c) in &pairs {
            fab.union(att_ids[a], att_ids[c]);
        }
        let mut dev_seg: HashMap<usize, usize> = HashMap::new();
        for (att, &aid) in &att_ids {
            if let Att::Seg(d, _) = att {
                match dev_seg.get(d) {
                    Some(&o) => fab.union(o, aid),
                    None => {
                        dev_seg.insert(*d, aid);
                    }
                }
            }
        }
        // `vlans` that could not be placed unambiguously: (the L2 domains, taint).
        let mut zone_notes: Vec<(BTreeSet<usize>, Taint)> = vec![];
        for (zi, z) in snap.zones.iter().enumerate() {
            let mut doms = BTreeSet::new();
            // Fabrics where the zone is present (an L3 interface in its subnet, an
            // `attach`, a host of the zone linked to a port).
            let mut present = BTreeSet::new();
            for &(net, aid) in &l3_nets {
                // A zone lives on a connected subnet that holds it or that it holds;
                // a /0 zone (the Internet) lives only where routes lead.
                let overlaps = z.subnets.iter().any(|zn| {
                    (net.contains(zn.network()) && zn.prefix() >= net.prefix())
                        || (zn.prefix() > 0 && zn.contains(net.network()))
                });
                if overlaps {
                    doms.insert(dsu.find(aid));
                    present.insert(fab.find(aid));
                }
            }
            for (pi, p) in points.iter().enumerate() {
                let explicit = z
                    .attach
                    .iter()
                    .any(|(dv, ifn)| *dv == p.device && *ifn == p.interface);
                if explicit || p.host.is_some_and(|h| snap.hosts[h].zone == zi) {
                    present.extend(point_atts[pi].iter().map(|&a| fab.find(a)));
                }
            }
            for v in &z.vlans {
                let all: Vec<usize> = segs.get(v).into_iter().flatten().copied().collect();
                let fabs: BTreeSet<usize> = all.iter().map(|&a| fab.find(a)).collect();
                let chosen: Vec<usize> = if !present.is_empty() {
                    all.into_iter()
                        .filter(|&a| present.contains(&fab.find(a)))
                        .collect()
                } else if fabs.len() <= 1 {
                    // No presence to choose by, but only one domain has this VLAN.
                    all
                } else {
                    // No presence to choose by among several domains: the zone is not
                    // placed there, and every port of those domains is tainted, so the
                    // checks that reach them say "unproven" (naming the zone), neither a
                    // silent pass nor a violation of a zone that may not be there.
                    zone_notes.push((
                        all.iter().map(|&a| dsu.find(a)).collect(),
                        Taint::new(
                            "sanso.toml".into(),
                            z.line,
                            format!("zone {}: vlans = {:?}", z.name, z.vlans),
                            format!(
                                "VLAN {v} of zone {} exists in {} separate switched domains and the zone has no interface in its subnet, host link or attach to choose one; not placed (add `attach` or the gateway's config)",
                                z.name,
                                fabs.len()
                            ),
                        ),
                    ));
                    vec![]
                };
                for a in chosen {
                    doms.insert(dsu.find(a));
                }
            }
            for (pi, p) in points.iter_mut().enumerate() {
                let explicit = z
                    .attach
                    .iter()
                    .any(|(dv, ifn)| *dv == p.device && *ifn == p.interface);
                let by_host = p.host.map(|h| snap.hosts[h].zone == zi);
                let by_domain = point_atts[pi].iter().any(|&a| doms.contains(&dsu.find(a)));
                let here = match by_host {
                    Some(true) => true,
                    Some(false) => false,
                    None => explicit || by_domain,
                };
                if here {
                    p.zones.push(zi);
                }
            }
        }
        // A local stack is tier traffic only where the device is declared: it belongs to
        // the zones of the `[[host]]` entries that carry one of its own addresses (and to
        // zones that `attach` it). An undeclared router's or firewall's own traffic is
        // not a zone's (docs/semantics.md, "Linux devices").
        for p in &mut points[first_local..] {
            let d = &snap.devices[dev_idx[p.device.as_str()]];
            let mut zs: BTreeSet<usize> = p.zones.iter().copied().collect();
            zs.extend(local_hosts(d, snap).into_iter().map(|h| snap.hosts[h].zone));
            p.zones = zs.into_iter().collect();
        }
        // Ports whose connected subnet holds another device's address: a link to a device
        // of the snapshot that topology.toml lacks (and inference could not make certain).
        let mut peer_of: HashMap<(usize, usize), String> = HashMap::new();
        // Every live address, sorted: a subnet's addresses are one range (linear in the
        // snapshot, not devices × interfaces squared at prefecture scale).
        let mut all_addrs: Vec<(u32, usize, usize)> = vec![];
        for (dj, e) in snap.devices.iter().enumerate() {
            for (jj, j) in e.interfaces.iter().enumerate() {
                if !j.shutdown {
                    all_addrs.extend(j.addresses.iter().map(|(b, _)| (u32::from(*b), dj, jj)));
                }
            }
        }
        all_addrs.sort_unstable();
        for (di, d) in snap.devices.iter().enumerate() {
            for (ii, i) in d.interfaces.iter().enumerate() {
                if i.shutdown || i.mode != IfMode::Routed {
                    continue;
                }
                let port = match &i.parent {
                    Some((p, _)) => match if_idx(di, p) {
                        Some(pi) => pi,
                        None => continue,
                    },
                    None => ii,
                };
                if linked.contains_key(&(di, port)) {
                    continue;
                }
                for (a, len) in &i.addresses {
                    let Ok(net) = ipnetwork::Ipv4Network::new(*a, *len) else {
                        continue;
                    };
                    if *len == 32 || peer_of.contains_key(&(di, port)) {
                        continue;
                    }
                    let (lo, hi) = (u32::from(net.network()), u32::from(net.broadcast()));
                    let from = all_addrs.partition_point(|x| x.0 < lo);
                    if let Some(&(b, dj, jj)) = all_addrs[from..]
                        .iter()
                        .take_while(|x| x.0 <= hi)
                        .find(|x| x.1 != di && x.0 != u32::from(*a))
                    {
                        let e = &snap.devices[dj];
                        peer_of.insert(
                            (di, port),
                            format!(
                                "{} ({}:{})",
                                std::net::Ipv4Addr::from(b),
                                e.name,
                                e.interfaces[jj].name
                            ),
                        );
                    }
                }
            }
        }
        // The physical port a route's exit interface is cabled by (a sub-interface's parent).
        let cable_port = |d: &Device, ifn: &str| -> String {
            d.interfaces
                .iter()
                .find(|i| i.name == ifn)
                .and_then(|i| i.parent.as_ref().map(|p| p.0.clone()))
                .unwrap_or_else(|| ifn.to_string())
        };
        // External zones without a connected location live past the edge interface
        // that routes towards them leave by (not a port whose subnet holds another
        // device of the snapshot: that is a missing link, not the outside).
        for (zi, z) in snap.zones.iter().enumerate() {
            if points.iter().any(|p| p.zones.contains(&zi)) || !z.attach.is_empty() {
                continue;
            }
            for p in points
                .iter_mut()
                .filter(|p| p.host.is_none() && p.interface != LOCAL)
            {
                let di = dev_idx[p.device.as_str()];
                let d = &snap.devices[di];
                if if_idx(di, &p.interface).is_some_and(|ii| peer_of.contains_key(&(di, ii))) {
                    continue;
                }
                let exits = z.subnets.iter().any(|n| {
                    route_exit(d, n.network(), n.prefix())
                        .is_some_and(|x| cable_port(d, &x) == p.interface)
                });
                if exits {
                    p.zones.push(zi);
                }
            }
        }
        for (doms, t) in &zone_notes {
            for pi in 0..points.len() {
                if point_atts[pi].iter().any(|&a| doms.contains(&dsu.find(a))) {
                    let (es, ek) = &point_edges[pi];
                    for &e in es.iter().chain(ek) {
                        b.info[e].taint.push(t.clone());
                    }
                }
            }
        }
        // Dangling edge points: what leaves by them reaches something unmodelled.
        let mut dangling = vec![];
        for (pi, p) in points.iter().enumerate() {
            if p.host.is_some() || p.interface == LOCAL || !p.zones.is_empty() {
                continue;
            }
            let di = dev_idx[p.device.as_str()];
            let d = &snap.devices[di];
            let Some(ii) = if_idx(di, &p.interface) else {
                continue;
            };
            let i = &d.interfaces[ii];
            let why = match &i.mode {
                IfMode::Trunk { .. } => Some("a trunk with no peer in topology.toml".to_string()),
                IfMode::Routed => {
                    if let Some(peer) = peer_of.get(&(di, ii)) {
                        Some(format!("its subnet holds {peer}, not linked to it"))
                    } else {
                        routes(d)
                            .iter()
                            .filter(|f| f.span != d.interfaces[f.out.unwrap_or(0)].span)
                            .find(|f| {
                                f.out.is_some_and(|o| {
                                    cable_port(d, &d.interfaces[o].name) == p.interface
                                })
                            })
                            .map(|f| {
                                format!(
                                    "route {}/{} ({}:{}) leaves by it to no peer",
                                    f.prefix, f.len, f.span.file, f.span.line
                                )
                            })
                    }
                }
                _ => None,
            };
            let Some(why) = why else {
                continue;
            };
            let t = Taint::new(
                i.span.file.clone(),
                i.span.line,
                format!("interface {}", i.name),
                format!(
                    "interface {}:{} leads to no modelled device (missing link in topology.toml?): {why}",
                    d.name, i.name
                ),
            );
            for &e in &point_edges[pi].1 {
                b.info[e].taint.push(t.clone());
            }
            dangling.push(pi);
        }
        // Query predicates.
        let mut q = Queries::default();
        let s = &mut b.nb.space;
        let est0 = s.eq(Field::Established, 0);
        let mut zone_dst_bdd = vec![];
        let mut zone_src_bdd = vec![];
        for zi in 0..snap.zones.len() {
            zone_dst_bdd.push(zone_region(s, snap, zi, Field::DstIp));
            zone_src_bdd.push(zone_region(s, snap, zi, Field::SrcIp));
        }
        let mut host_src = vec![];
        let mut host_dst = vec![];
        let mut host_mac = vec![];
        for h in &snap.hosts {
            host_src.push(s.prefix(Field::SrcIp, h.ip, 32));
            host_dst.push(s.prefix(Field::DstIp, h.ip, 32));
            host_mac.push(h.mac.map(|m| s.eq(Field::SrcMac, crate::hs::mac_u64(m))));
        }
        let mut specs: BTreeSet<(u8, u16, u16)> = BTreeSet::new();
        for f in snap.tokutei.iter().chain(&snap.mugaika) {
            for p in &f.ports {
                specs.insert((p.proto, p.lo, p.hi));
            }
        }
        for p in snap.lgwan_allowed.iter().flatten().chain(ports) {
            specs.insert((p.proto, p.lo, p.hi));
        }
        let spec_bdds: Vec<(PortSpec, Bdd)> = specs
            .into_iter()
            .map(|(proto, lo, hi)| {
                let p = PortSpec { proto, lo, hi };
                (p, portspec_bdd(s, &p))
            })
            .collect();
        q.new_flow = b.nb.add_query(est0);
        q.zone_dst = zone_dst_bdd.iter().map(|x| b.nb.add_query(*x)).collect();
        q.zone_src = zone_src_bdd.iter().map(|x| b.nb.add_query(*x)).collect();
        q.host_src = host_src.iter().map(|x| b.nb.add_query(*x)).collect();
        q.host_dst = host_dst.iter().map(|x| b.nb.add_query(*x)).collect();
        q.host_mac = host_mac
            .iter()
            .map(|x| x.map(|x| b.nb.add_query(x)))
            .collect();
        for (p, x) in spec_bdds {
            let id = b.nb.add_query(x);
            q.ports.insert(p, id);
        }

        let info = b.info;
        let engine = if atoms {
            b.nb.compile()
        } else {
            b.nb.compile_sets()
        };
        Graph {
            engine,
            info,
            points,
            q,
            zone_dst_bdd,
            zone_src_bdd,
            dangling,
        }
    }
}

/// `Point::interface` of a Linux device's own stack.
pub const LOCAL: &str = "(local)";

/// The `[[host]]` entries declared with one of `d`'s own (up) addresses: the zones its
/// own stack speaks for, and the addresses it speaks with in each.
pub fn local_hosts(d: &Device, snap: &Snapshot) -> Vec<usize> {
    let own: BTreeSet<std::net::Ipv4Addr> = d
        .interfaces
        .iter()
        .filter(|i| !i.shutdown)
        .flat_map(|i| i.addresses.iter().map(|a| a.0))
        .collect();
    (0..snap.hosts.len())
        .filter(|&h| own.contains(&snap.hosts[h].ip))
        .collect()
}

impl Graph {
    /// The points whose sink one concrete packet reaches when sent from point `src`
    /// (after any rewrite on the way): atom bitsets when exact and nothing rewrites, else
    /// header space.
    pub fn deliveries(&mut self, src: usize, p: &crate::hs::Packet) -> BTreeSet<usize> {
        let e = &mut self.engine;
        if e.bits_exact && !e.has_rewrites() {
            let mut start = crate::engine::Bits::empty(e.words);
            start.set(e.atom_of(p));
            let reach = e.reach(&[(self.points[src].src, start)], |_, _| {});
            return (0..self.points.len())
                .filter(|&k| !reach[self.points[k].sink as usize].is_empty())
                .collect();
        }
        let one = e.space.packet(p);
        let reach = e.reach_bdd(&[(self.points[src].src, one)]);
        (0..self.points.len())
            .filter(|&k| reach[self.points[k].sink as usize] != FALSE)
            .collect()
    }
}

/// Addresses whose longest-prefix zone is `zi`.
fn zone_region(s: &mut Space, snap: &Snapshot, zi: usize, f: Field) -> Bdd {
    let z = &snap.zones[zi];
    let mut r = FALSE;
    for n in &z.subnets {
        let mut b = s.prefix(f, n.network(), n.prefix());
        for (oi, o) in snap.zones.iter().enumerate() {
            if oi == zi {
                continue;
            }
            for on in &o.subnets {
                if on.prefix() > n.prefix() && n.contains(on.network()) {
                    let x = s.prefix(f, on.network(), on.prefix());
                    b = s.diff(b, x);
                }
            }
        }
        r = s.or(r, b);
    }
    r
}

/// The interface a device's routing table sends `prefix/len` out of (longest match on
/// the prefix's network address), for locating external zones.
pub fn route_exit(d: &Device, addr: std::net::Ipv4Addr, len: u8) -> Option<String> {
    let table = routes(d);
    let a = u32::from(addr);
    table
        .iter()
        .filter(|r| {
            r.len <= len
                && (r.len == 0 || (a >> (32 - r.len)) == (u32::from(r.prefix) >> (32 - r.len)))
        })
        // A default route is not "the route to" a specific external network.
        .filter(|r| r.len > 0 || len == 0)
        .max_by_key(|r| r.len)
        .and_then(|r| r.out.map(|o| d.interfaces[o].name.clone()))
}

/// A resolved forwarding entry.
#[derive(Clone, Debug)]
pub struct Fib {
    pub prefix: std::net::Ipv4Addr,
    pub len: u8,
    /// Exit interface index; `None` = discard.
    pub out: Option<usize>,
    pub span: Span,
}

/// Connected + static routes with exit interfaces resolved (one level of recursion).
pub fn routes(d: &Device) -> Vec<Fib> {
    let mut fib = vec![];
    for (ii, i) in d.interfaces.iter().enumerate() {
        if i.shutdown || matches!(i.mode, IfMode::Access { .. } | IfMode::Trunk { .. }) {
            continue;
        }
        for (a, len) in &i.addresses {
            if let Ok(n) = ipnetwork::Ipv4Network::new(*a, *len) {
                fib.push(Fib {
                    prefix: n.network(),
                    len: *len,
                    out: Some(ii),
                    span: i.span.clone(),
                });
            }
        }
    }
    let connected = fib.clone();
    let via = |nh: std::net::Ipv4Addr, table: &[Fib]| -> Option<usize> {
        table
            .iter()
            .filter(|f| {
                f.len == 0
                    || (u32::from(nh) >> (32 - f.len)) == (u32::from(f.prefix) >> (32 - f.len))
            })
            .max_by_key(|f| f.len)
            .and_then(|f| f.out)
    };
    let mut statics = vec![];
    for r in &d.routes {
        let Ok(n) = ipnetwork::Ipv4Network::new(r.prefix, r.len) else {
            continue;
        };
        let out = if r.discard {
            None
        } else if let Some(ifn) = &r.interface {
            match d.interfaces.iter().position(|i| &i.name == ifn) {
                Some(ii) if !d.interfaces[ii].shutdown => Some(ii),
                _ => continue,
            }
        } else if let Some(nh) = r.next_hop {
            match via(nh, &connected) {
                Some(o) => Some(o),
                None => continue,
            }
        } else {
            continue;
        };
        statics.push((
            Fib {
                prefix: n.network(),
                len: r.len,
                out,
                span: r.span.clone(),
            },
            r.next_hop,
            r.interface.is_some() || r.discard,
        ));
    }
    // Recursive next hops resolved through other static routes.
    let resolved: Vec<Fib> = statics.iter().map(|s| s.0.clone()).collect();
    for (f, nh, direct) in statics {
        if direct || nh.is_none() {
            fib.push(f);
            continue;
        }
        let nh = nh.expect("checked");
        if connected.iter().any(|c| {
            c.len > 0 && (u32::from(nh) >> (32 - c.len)) == (u32::from(c.prefix) >> (32 - c.len))
        }) {
            fib.push(f);
        } else if let Some(o) = via(nh, &resolved) {
            fib.push(Fib { out: Some(o), ..f });
        }
    }
    fib
}

impl Builder<'_> {
    fn node_for(&mut self, a: Att) {
        match a {
            Att::Seg(d, v) => {
                if !self.seg.contains_key(&(d, v)) {
                    let n = self.nb.add_node();
                    self.seg.insert((d, v), n);
                }
            }
            Att::L3(d, i) => {
                if !self.l3in.contains_key(&(d, i)) {
                    let a = self.nb.add_node();
                    let b = self.nb.add_node();
                    self.l3in.insert((d, i), a);
                    self.l3out.insert((d, i), b);
                }
            }
        }
    }
    fn in_node(&self, a: Att) -> NodeId {
        match a {
            Att::Seg(d, v) => self.seg[&(d, v)],
            Att::L3(d, i) => self.l3in[&(d, i)],
        }
    }
    fn out_node(&self, a: Att) -> NodeId {
        match a {
            Att::Seg(d, v) => self.seg[&(d, v)],
            Att::L3(d, i) => self.l3out[&(d, i)],
        }
    }

    /// What a switchport admits from the wire: port security and a port ACL.
    fn port_ingress(&mut self, di: usize, ii: usize) -> (Vec<(Bdd, Vec<Span>)>, Vec<Taint>) {
        let d = &self.snap.devices[di];
        let i = &d.interfaces[ii];
        let name = i.name.clone();
        let mut taint = self.dev_taint(d, |s| *s == Scope::Interface(name.clone()));
        if !matches!(i.mode, IfMode::Access { .. } | IfMode::Trunk { .. }) {
            return (vec![(TRUE, vec![])], taint);
        }
        let mut base = vec![(TRUE, vec![i.span.clone()])];
        if let Some(acl) = &i.acl_in {
            let (p, t) = self.acl_pieces(d, &acl.name.clone(), &acl.span.clone());
            base = p;
            taint.extend(t);
        }
        if let Some(pa) = &i.port_auth {
            // 802.1X / MAB (docs/semantics.md): only the hosts linked to this port.
            let macs = match pa.admit {
                AuthAdmit::Any => None,
                AuthAdmit::Nothing => Some(vec![]),
                AuthAdmit::LinkedHosts => {
                    let v = port_auth_macs(self.snap, &d.name, &name);
                    (!v.is_empty()).then_some(v)
                }
            };
            if let Some(macs) = macs {
                let m = self.nb.space.mac_set(Field::SrcMac, &macs);
                base = base
                    .into_iter()
                    .map(|(b, mut l)| {
                        l.insert(0, pa.span.clone());
                        (self.nb.space.and(b, m), l)
                    })
                    .collect();
            }
        }
        if let Some(ps) = &i.port_security {
            if !ps.macs.is_empty() {
                let m = self.nb.space.mac_set(Field::SrcMac, &ps.macs);
                base = base
                    .into_iter()
                    .map(|(b, mut l)| {
                        l.insert(0, ps.span.clone());
                        (self.nb.space.and(b, m), l)
                    })
                    .collect();
            }
        }
        (base, taint)
    }

    fn link(
        &mut self,
        pa: (usize, usize),
        pb: (usize, usize),
        aa: &[(Option<u16>, Att)],
        ab: &[(Option<u16>, Att)],
        span: &Span,
    ) {
        let ingress = self.port_ingress(pb.0, pb.1);
        let da = &self.snap.devices[pa.0];
        let db = &self.snap.devices[pb.0];
        for (ta, xa) in aa {
            for (tb, xb) in ab {
                if ta != tb {
                    continue;
                }
                let pieces = ingress
                    .0
                    .iter()
                    .map(|(p, l)| {
                        let mut l = l.clone();
                        l.insert(0, span.clone());
                        (*p, l)
                    })
                    .collect();
                let from = self.out_node(*xa);
                let to = self.in_node(*xb);
                self.edge(
                    from,
                    to,
                    EdgeInfo {
                        device: None,
                        in_if: Some(format!("{}:{}", db.name, db.interfaces[pb.1].name)),
                        out_if: Some(format!("{}:{}", da.name, da.interfaces[pa.1].name)),
                        pieces,
                        taint: ingress.1.clone(),
                    },
                );
            }
        }
    }

    fn device_edges(&mut self, di: usize, d: &Device) {
        let snap_dev = d;
        // SVIs join their VLAN bridge.
        for (ii, i) in d.interfaces.iter().enumerate() {
            if let (IfMode::Svi { vlan }, false) = (&i.mode, i.shutdown) {
                self.node_for(Att::Seg(di, *vlan));
                let (s, li, lo) = (
                    self.seg[&(di, *vlan)],
                    self.l3in[&(di, ii)],
                    self.l3out[&(di, ii)],
                );
                let t = self.dev_taint(d, |s| *s == Scope::Interface(i.name.clone()));
                let mk = |o: bool| EdgeInfo {
                    device: Some(d.name.clone()),
                    in_if: (!o).then(|| i.name.clone()),
                    out_if: o.then(|| i.name.clone()),
                    pieces: vec![(TRUE, vec![i.span.clone()])],
                    taint: t.clone(),
                };
                self.edge(s, li, mk(false));
                self.edge(lo, s, mk(true));
            }
        }
        let l3: Vec<usize> = (0..d.interfaces.len())
            .filter(|ii| self.l3in.contains_key(&(di, *ii)))
            .collect();
        if l3.is_empty() {
            return;
        }
        // Route pieces per exit interface (longest prefix first).
        let fib = routes(snap_dev);
        let mut by_len: BTreeMap<std::cmp::Reverse<u8>, Vec<&Fib>> = BTreeMap::new();
        for f in &fib {
            by_len.entry(std::cmp::Reverse(f.len)).or_default().push(f);
        }
        let mut covered = FALSE;
        let mut route_pieces: HashMap<usize, Vec<(Bdd, Vec<Span>)>> = HashMap::new();
        for (_, group) in by_len {
            let mut grp = FALSE;
            for f in group {
                let p = self.nb.space.prefix(Field::DstIp, f.prefix, f.len);
                let eff = self.nb.space.diff(p, covered);
                grp = self.nb.space.or(grp, p);
                if let (Some(o), true) = (f.out, eff != FALSE) {
                    if self.l3in.contains_key(&(di, o)) {
                        route_pieces
                            .entry(o)
                            .or_default()
                            .push((eff, vec![f.span.clone()]));
                    }
                }
            }
            covered = self.nb.space.or(covered, grp);
        }
        let route_taint = self.dev_taint(d, |s| *s == Scope::Routing);

        if d.netfilter.is_some() {
            self.linux_edges(di, d, &l3, &route_pieces, &route_taint);
            return;
        }

        if d.policy_based {
            self.policy_edges(di, d, &l3, &route_pieces, &route_taint);
            return;
        }

        let router = self.nb.add_node();
        for &ii in &l3 {
            let i = &d.interfaces[ii];
            let (pieces, mut taint) = match &i.acl_in {
                Some(a) => self.acl_pieces(d, &a.name, &a.span),
                None => (vec![(TRUE, vec![])], vec![]),
            };
            taint.extend(self.dev_taint(d, |s| *s == Scope::Interface(i.name.clone())));
            taint.sort();
            taint.dedup();
            let from = self.l3in[&(di, ii)];
            self.edge(
                from,
                router,
                EdgeInfo {
                    device: Some(d.name.clone()),
                    in_if: Some(i.name.clone()),
                    out_if: None,
                    pieces,
                    taint,
                },
            );
        }
        for &oi in &l3 {
            let o = &d.interfaces[oi];
            let rp = route_pieces.get(&oi).cloned().unwrap_or_default();
            let mut taint = route_taint.clone();
            taint.extend(self.dev_taint(d, |s| *s == Scope::Interface(o.name.clone())));
            taint.sort();
            taint.dedup();
            let to = self.l3out[&(di, oi)];
            match &o.acl_out {
                None => self.edge(
                    router,
                    to,
                    EdgeInfo {
                        device: Some(d.name.clone()),
                        in_if: None,
                        out_if: Some(o.name.clone()),
                        pieces: rp,
                        taint,
                    },
                ),
                Some(a) => {
                    let mid = self.nb.add_node();
                    self.edge(
                        router,
                        mid,
                        EdgeInfo {
                            device: Some(d.name.clone()),
                            in_if: None,
                            out_if: Some(o.name.clone()),
                            pieces: rp,
                            taint: taint.clone(),
                        },
                    );
                    let (pieces, t2) = self.acl_pieces(d, &a.name, &a.span);
                    taint.extend(t2);
                    self.edge(
                        mid,
                        to,
                        EdgeInfo {
                            device: Some(d.name.clone()),
                            in_if: None,
                            out_if: Some(o.name.clone()),
                            pieces,
                            taint,
                        },
                    );
                }
            }
        }
    }
}

impl Builder<'_> {
    /// Run the base chains of `hook` from node `from`; returns the node where what they
    /// all accept arrives. Each chain becomes edges to a fresh node: one edge for what it
    /// accepts unchanged, one rewrite edge per NAT rule.
    fn hook_stage(
        &mut self,
        d: &Device,
        from: NodeId,
        hook: NfHook,
        ctx: HookCtx,
        names: (Option<&str>, Option<&str>),
    ) -> NodeId {
        let nf = d.netfilter.as_ref().expect("linux device");
        let mut taint = self.dev_taint(d, |s| *s == Scope::Policy);
        let mut cur = from;
        for chain in nfsem::hook_chains(nf, hook) {
            let next = self.nb.add_node();
            let (pieces, broken) = nfsem::base_chain(&mut self.nb.space, nf, chain, TRUE, ctx);
            for sp in broken {
                taint.push(Taint::new(
                    sp.file.clone(),
                    sp.line,
                    String::new(),
                    "jump/goto target missing or nested too deep".into(),
                ));
            }
            let info = |pieces: Vec<(Bdd, Vec<Span>)>| EdgeInfo {
                device: Some(d.name.clone()),
                in_if: names.0.map(str::to_string),
                out_if: names.1.map(str::to_string),
                pieces,
                taint: taint.clone(),
            };
            let plain: Vec<(Bdd, Vec<Span>)> = pieces
                .iter()
                .filter(|p| p.rw.is_none())
                .map(|p| (p.pred, p.lines.clone()))
                .collect();
            if !plain.is_empty() || !taint.is_empty() {
                self.edge(cur, next, info(plain));
            }
            for p in pieces.into_iter().filter(|p| p.rw.is_some()) {
                let rw = p.rw.expect("filtered");
                self.rewrite_edge(cur, next, info(vec![(p.pred, p.lines)]), rw);
            }
            cur = next;
        }
        cur
    }

    /// The last step of a routed packet out of interface `o`: it leaves with that
    /// interface's MAC as source (when known), so filters on later hops see the router.
    fn leave(&mut self, d: &Device, o: usize, from: NodeId, to: NodeId, info: EdgeInfo) {
        match d.interfaces[o].mac {
            Some(m) => {
                let v = self.nb.space.eq(Field::SrcMac, crate::hs::mac_u64(m));
                let rw = Rewrite {
                    set: vec![(Field::SrcMac, v)],
                };
                self.rewrite_edge(from, to, info, rw);
            }
            None => self.edge(from, to, info),
        }
    }

    /// A Linux host or router: PREROUTING, then local delivery (INPUT) or forwarding
    /// (routing, FORWARD, POSTROUTING); its own traffic goes routing, OUTPUT, POSTROUTING.
    fn linux_edges(
        &mut self,
        di: usize,
        d: &Device,
        l3: &[usize],
        route_pieces: &HashMap<usize, Vec<(Bdd, Vec<Span>)>>,
        route_taint: &[Taint],
    ) {
        let nf = d.netfilter.as_ref().expect("linux device");
        let primary = |ii: usize| d.interfaces[ii].addresses.first().map(|a| a.0);
        let mut local = FALSE;
        for i in d.interfaces.iter().filter(|i| !i.shutdown) {
            for (a, _) in &i.addresses {
                let b = self.nb.space.prefix(Field::DstIp, *a, 32);
                local = self.nb.space.or(local, b);
            }
        }
        let local_src = self.nb.add_node();
        let local_sink = self.nb.add_node();
        self.local.insert(di, (local_src, local_sink));
        let plain =
            |pieces: Vec<(Bdd, Vec<Span>)>, inf: Option<&str>, outf: Option<&str>| EdgeInfo {
                device: Some(d.name.clone()),
                in_if: inf.map(str::to_string),
                out_if: outf.map(str::to_string),
                pieces,
                taint: vec![],
            };
        // Routing towards `o`, minus the host's own addresses (those are delivered locally).
        let mut routed: HashMap<usize, Vec<(Bdd, Vec<Span>)>> = HashMap::new();
        for &o in l3 {
            let v = route_pieces
                .get(&o)
                .map(|v| {
                    v.iter()
                        .map(|(b, l)| (self.nb.space.diff(*b, local), l.clone()))
                        .filter(|(b, _)| *b != FALSE)
                        .collect()
                })
                .unwrap_or_default();
            routed.insert(o, v);
        }
        for &i in l3 {
            let iname = d.interfaces[i].name.as_str();
            let ctx_in = HookCtx {
                iif: Some(iname),
                iif_addr: primary(i),
                ..HookCtx::default()
            };
            let from = self.l3in[&(di, i)];
            let pre = self.hook_stage(d, from, NfHook::Prerouting, ctx_in, (Some(iname), None));
            // Local delivery.
            let n = self.nb.add_node();
            self.edge(pre, n, plain(vec![(local, vec![])], Some(iname), None));
            let end = self.hook_stage(d, n, NfHook::Input, ctx_in, (Some(iname), None));
            self.edge(
                end,
                local_sink,
                plain(vec![(TRUE, vec![])], Some(iname), None),
            );
            if !nf.ip_forward {
                continue;
            }
            for &o in l3 {
                let oname = d.interfaces[o].name.as_str();
                let ctx = HookCtx {
                    oif: Some(oname),
                    oif_addr: primary(o),
                    ..ctx_in
                };
                let n = self.nb.add_node();
                let mut info = plain(routed[&o].clone(), Some(iname), Some(oname));
                info.taint = route_taint.to_vec();
                self.edge(pre, n, info);
                let names = (Some(iname), Some(oname));
                let f = self.hook_stage(d, n, NfHook::Forward, ctx, names);
                let p = self.hook_stage(d, f, NfHook::Postrouting, ctx, names);
                let to = self.l3out[&(di, o)];
                let info = plain(vec![(TRUE, vec![])], Some(iname), Some(oname));
                self.leave(d, o, p, to, info);
            }
        }
        // The host's own packets carry one of its own addresses (any of them: the kernel
        // picks the route's preferred source or the egress interface's address, and a
        // process may bind any local address). docs/semantics.md, "Linux devices".
        let mut own_src = FALSE;
        for i in d.interfaces.iter().filter(|i| !i.shutdown) {
            for (a, _) in &i.addresses {
                let b = self.nb.space.prefix(Field::SrcIp, *a, 32);
                own_src = self.nb.space.or(own_src, b);
            }
        }
        for &o in l3 {
            let oname = d.interfaces[o].name.as_str();
            let ctx = HookCtx {
                oif: Some(oname),
                oif_addr: primary(o),
                ..HookCtx::default()
            };
            let n = self.nb.add_node();
            let pieces = routed[&o]
                .iter()
                .map(|(b, l)| (self.nb.space.and(*b, own_src), l.clone()))
                .filter(|(b, _)| *b != FALSE)
                .collect();
            let mut info = plain(pieces, None, Some(oname));
            info.taint = route_taint.to_vec();
            self.edge(local_src, n, info);
            let names = (None, Some(oname));
            let out = self.hook_stage(d, n, NfHook::Output, ctx, names);
            let p = self.hook_stage(d, out, NfHook::Postrouting, ctx, names);
            let to = self.l3out[&(di, o)];
            let info = plain(vec![(TRUE, vec![])], None, Some(oname));
            self.leave(d, o, p, to, info);
        }
    }
}

/// Permit pieces of the policies sharing one source NAT (`None` = no NAT).
type SnatGroup = (Option<crate::model::PolicySnat>, Vec<(Bdd, Vec<Span>)>);

/// FortiOS-style NAT: the header rewrite of a destination NAT (VIP) and the packets it
/// translates; the rewrite of a policy's source NAT on egress interface `o`.
fn dnat_bdd(s: &mut Space, v: &crate::model::Dnat) -> (Bdd, Rewrite) {
    let ip = |a: std::net::Ipv4Addr| u32::from(a) as u64;
    let mut m = s.range(Field::DstIp, ip(v.ext.0), ip(v.ext.1));
    let mut set = vec![(Field::DstIp, s.eq(Field::DstIp, ip(v.mapped)))];
    if let Some((proto, ext, to)) = v.port {
        let pr = s.eq(Field::Proto, proto as u64);
        let pt = s.range(Field::DstPort, ext.lo as u64, ext.hi as u64);
        m = s.and(m, pr);
        m = s.and(m, pt);
        if let Some(to) = to {
            set.push((Field::DstPort, s.eq(Field::DstPort, to as u64)));
        }
    }
    (m, Rewrite { set })
}

fn snat_rewrite(s: &mut Space, d: &Device, o: usize, n: &crate::model::PolicySnat) -> Rewrite {
    let ip = |a: std::net::Ipv4Addr| u32::from(a) as u64;
    let v = match n {
        crate::model::PolicySnat::Egress => match d.interfaces[o].addresses.first() {
            Some((a, _)) => s.eq(Field::SrcIp, ip(*a)),
            // No address to translate to: the packet cannot leave.
            None => FALSE,
        },
        crate::model::PolicySnat::Pool(rs) => {
            let mut acc = FALSE;
            for (lo, hi) in rs {
                let r = s.range(Field::SrcIp, ip(*lo), ip(*hi));
                acc = s.or(acc, r);
            }
            acc
        }
    };
    Rewrite {
        set: vec![(Field::SrcIp, v)],
    }
}

impl Builder<'_> {
    /// A policy-based firewall (FortiOS). Per input interface, destination NATs (VIPs some
    /// enabled policy names) translate on arrival, first VIP in file order wins; a
    /// translated packet is matched only against the policies naming its VIP (with the
    /// destination already translated), any other packet against the policies in order
    /// (a VIP in `dstaddr` adds nothing for them). Per (in, out) pair: what each
    /// policy admits, then routing to `out` on the (translated) destination; a policy's
    /// source NAT rewrites the source of what it admits.
    fn policy_edges(
        &mut self,
        di: usize,
        d: &Device,
        l3: &[usize],
        route_pieces: &HashMap<usize, Vec<(Bdd, Vec<Span>)>>,
        route_taint: &[Taint],
    ) {
        let pol_taint = self.dev_taint(d, |s| *s == Scope::Policy);
        let mut pol_match: Vec<Option<Bdd>> = vec![None; d.policies.len()];
        let mut vip_match: Vec<Option<Bdd>> = vec![None; d.policies.len()];
        let used: BTreeSet<usize> = d
            .policies
            .iter()
            .filter(|p| p.enabled)
            .flat_map(|p| p.dnat.iter().copied())
            .collect();
        for &ii in l3 {
            let iname = d.interfaces[ii].name.clone();
            let mut in_taint = pol_taint.clone();
            in_taint.extend(self.dev_taint(d, |s| *s == Scope::Interface(iname.clone())));
            let from = self.l3in[&(di, ii)];
            // Destination NAT on arrival.
            let mut translated = FALSE;
            let mut vips: Vec<(usize, NodeId)> = vec![];
            for (vi, v) in d.dnats.iter().enumerate() {
                if !used.contains(&vi) || !v.in_intf.iter().any(|n| n == "any" || *n == iname) {
                    continue;
                }
                let (m, rw) = dnat_bdd(&mut self.nb.space, v);
                let eff = self.nb.space.diff(m, translated);
                translated = self.nb.space.or(translated, m);
                if eff == FALSE {
                    continue;
                }
                let node = self.nb.add_node();
                self.rewrite_edge(
                    from,
                    node,
                    EdgeInfo {
                        device: Some(d.name.clone()),
                        in_if: Some(iname.clone()),
                        out_if: None,
                        pieces: vec![(eff, v.lines.clone())],
                        taint: in_taint.clone(),
                    },
                    rw,
                );
                vips.push((vi, node));
            }
            let plain = self.nb.space.not(translated);
            for &oi in l3 {
                let oname = d.interfaces[oi].name.clone();
                let starts: Vec<(NodeId, Option<usize>)> = std::iter::once((from, None))
                    .chain(vips.iter().map(|&(vi, n)| (n, Some(vi))))
                    .collect();
                for (start, vip) in starts {
                    // Permit pieces grouped by source NAT (None = no NAT).
                    let mut groups: Vec<SnatGroup> = vec![(None, vec![])];
                    let mut seen = FALSE;
                    for (pi, p) in d.policies.iter().enumerate().filter(|(_, p)| p.enabled) {
                        let hit =
                            |l: &Vec<String>, n: &String| l.iter().any(|x| x == n || x == "any");
                        if !hit(&p.src_intf, &iname) || !hit(&p.dst_intf, &oname) {
                            continue;
                        }
                        let m = match vip {
                            None => match pol_match[pi] {
                                Some(m) => m,
                                None => {
                                    let m = self.nb.space.matches(&p.m);
                                    *pol_match[pi].insert(m)
                                }
                            },
                            Some(vi) if p.dnat.contains(&vi) => match vip_match[pi] {
                                Some(m) => m,
                                None => {
                                    let mut pm = p.m.clone();
                                    pm.dst = crate::model::AddrSet::any();
                                    let m = self.nb.space.matches(&pm);
                                    *vip_match[pi].insert(m)
                                }
                            },
                            Some(_) => continue,
                        };
                        let m = if vip.is_none() {
                            self.nb.space.and(m, plain)
                        } else {
                            m
                        };
                        let eff = self.nb.space.diff(m, seen);
                        seen = self.nb.space.or(seen, m);
                        if p.action == Action::Permit && eff != FALSE {
                            let mut lines = p.lines.clone();
                            if let Some(vi) = vip {
                                lines.extend(d.dnats[vi].lines.iter().cloned());
                            }
                            match groups.iter_mut().find(|g| g.0 == p.snat) {
                                Some(g) => g.1.push((eff, lines)),
                                None => groups.push((p.snat.clone(), vec![(eff, lines)])),
                            }
                        }
                    }
                    let rp = route_pieces.get(&oi).cloned().unwrap_or_default();
                    for (snat, pieces) in groups {
                        let keep = !pieces.is_empty() && !rp.is_empty();
                        if !keep && (snat.is_some() || in_taint.is_empty()) {
                            continue;
                        }
                        let mid = self.nb.add_node();
                        let info = EdgeInfo {
                            device: Some(d.name.clone()),
                            in_if: Some(iname.clone()),
                            out_if: Some(oname.clone()),
                            pieces,
                            taint: in_taint.clone(),
                        };
                        match &snat {
                            None => self.edge(start, mid, info),
                            Some(n) => {
                                let rw = snat_rewrite(&mut self.nb.space, d, oi, n);
                                self.rewrite_edge(start, mid, info, rw)
                            }
                        }
                        let mut t = route_taint.to_vec();
                        t.extend(self.dev_taint(d, |s| *s == Scope::Interface(oname.clone())));
                        let to = self.l3out[&(di, oi)];
                        self.edge(
                            mid,
                            to,
                            EdgeInfo {
                                device: Some(d.name.clone()),
                                in_if: Some(iname.clone()),
                                out_if: Some(oname.clone()),
                                pieces: rp.clone(),
                                taint: t,
                            },
                        );
                    }
                }
            }
        }
    }
}

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
use crate::model::{Action, Device, IfMode, Scope, Span};
use crate::model::{LinkEnd, PortSpec, Snapshot};
use crate::net::netfilter::{self as nfsem, HookCtx};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A config line that may change a result but was not understood.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Taint {
    pub file: String,
    pub line: u32,
    pub text: String,
    pub reason: String,
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

    fn dev_taint(d: &Device, pred: impl Fn(&Scope) -> bool) -> Vec<Taint> {
        d.unrecognized
            .iter()
            .filter(|u| pred(&u.scope) || u.scope == Scope::Device)
            .map(|u| Taint {
                file: d.unrecognized_file(u).to_string(),
                line: u.line,
                text: u.text.clone(),
                reason: u.reason.clone(),
            })
            .collect()
    }

    /// Permit pieces of an ACL (first match wins, implicit deny).
    fn acl_pieces(
        &mut self,
        d: &Device,
        name: &str,
        bind: &Span,
    ) -> (Vec<(Bdd, Vec<Span>)>, Vec<Taint>) {
        let taint = Self::dev_taint(d, |s| *s == Scope::Acl(name.to_string()));
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
                    let span = Span::new("topology.toml", l.line);
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
        let mut point_domains: Vec<Vec<usize>> = vec![];
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
                let mut doms = vec![];
                for (tag, att) in a.clone() {
                    let vlan = b.nb.space.eq(Field::Vlan, tag.unwrap_or(0) as u64);
                    let pieces = ingress
                        .0
                        .iter()
                        .map(|(p, l)| (b.nb.space.and(*p, vlan), l.clone()))
                        .collect();
                    let to = b.in_node(att);
                    let t = ingress.1.clone();
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
                    let from = b.out_node(att);
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
                    doms.push(dsu.find(att_ids[&att]));
                }
                points.push(Point {
                    device: d.name.clone(),
                    interface: i.name.clone(),
                    host: host_port.get(&(di, ii)).copied(),
                    zones: vec![],
                    src,
                    sink,
                });
                point_domains.push(doms);
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
            point_domains.push(vec![]);
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
        for (zi, z) in snap.zones.iter().enumerate() {
            let mut doms = BTreeSet::new();
            for &(net, aid) in &l3_nets {
                // A zone lives on a connected subnet that holds it or that it holds;
                // a /0 zone (the Internet) lives only where routes lead.
                let overlaps = z.subnets.iter().any(|zn| {
                    (net.contains(zn.network()) && zn.prefix() >= net.prefix())
                        || (zn.prefix() > 0 && zn.contains(net.network()))
                });
                if overlaps {
                    doms.insert(dsu.find(aid));
                }
            }
            for v in &z.vlans {
                for &aid in segs.get(v).into_iter().flatten() {
                    doms.insert(dsu.find(aid));
                }
            }
            for (pi, p) in points.iter_mut().enumerate() {
                let explicit = z
                    .attach
                    .iter()
                    .any(|(dv, ifn)| *dv == p.device && *ifn == p.interface);
                let by_host = p.host.map(|h| snap.hosts[h].zone == zi);
                let by_domain = point_domains[pi].iter().any(|d| doms.contains(d));
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
        // External zones without a connected location live past the edge interface
        // that routes towards them leave by.
        for (zi, z) in snap.zones.iter().enumerate() {
            if points.iter().any(|p| p.zones.contains(&zi)) || !z.attach.is_empty() {
                continue;
            }
            for p in points
                .iter_mut()
                .filter(|p| p.host.is_none() && p.interface != LOCAL)
            {
                let d = &snap.devices[dev_idx[p.device.as_str()]];
                let exits = z.subnets.iter().any(|n| {
                    route_exit(d, n.network(), n.prefix()).as_deref() == Some(p.interface.as_str())
                });
                if exits {
                    p.zones.push(zi);
                }
            }
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
        let mut taint = Self::dev_taint(d, |s| *s == Scope::Interface(name.clone()));
        if !matches!(i.mode, IfMode::Access { .. } | IfMode::Trunk { .. }) {
            return (vec![(TRUE, vec![])], taint);
        }
        let mut base = vec![(TRUE, vec![i.span.clone()])];
        if let Some(acl) = &i.acl_in {
            let (p, t) = self.acl_pieces(d, &acl.name.clone(), &acl.span.clone());
            base = p;
            taint.extend(t);
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
                let t = Self::dev_taint(d, |s| *s == Scope::Interface(i.name.clone()));
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
        let route_taint = Self::dev_taint(d, |s| *s == Scope::Routing);

        if d.netfilter.is_some() {
            self.linux_edges(di, d, &l3, &route_pieces, &route_taint);
            return;
        }

        if d.policy_based {
            let pol_taint = Self::dev_taint(d, |s| *s == Scope::Policy);
            // Each policy's match, built once for all interface pairs it applies to.
            let mut pol_match: Vec<Option<Bdd>> = vec![None; d.policies.len()];
            for &ii in &l3 {
                for &oi in &l3 {
                    let (iname, oname) = (&d.interfaces[ii].name, &d.interfaces[oi].name);
                    let mut seen = FALSE;
                    let mut pieces = vec![];
                    for (pi, p) in d.policies.iter().enumerate().filter(|(_, p)| p.enabled) {
                        let hit =
                            |l: &Vec<String>, n: &String| l.iter().any(|x| x == n || x == "any");
                        if !hit(&p.src_intf, iname) || !hit(&p.dst_intf, oname) {
                            continue;
                        }
                        let m = match pol_match[pi] {
                            Some(m) => m,
                            None => *pol_match[pi].insert(self.nb.space.matches(&p.m)),
                        };
                        let eff = self.nb.space.diff(m, seen);
                        seen = self.nb.space.or(seen, m);
                        if p.action == Action::Permit && eff != FALSE {
                            pieces.push((eff, p.lines.clone()));
                        }
                    }
                    let rp = route_pieces.get(&oi).cloned().unwrap_or_default();
                    if (pieces.is_empty() || rp.is_empty()) && pol_taint.is_empty() {
                        continue;
                    }
                    let mid = self.nb.add_node();
                    let mut t = pol_taint.clone();
                    t.extend(Self::dev_taint(d, |s| {
                        *s == Scope::Interface(iname.clone())
                    }));
                    let from = self.l3in[&(di, ii)];
                    self.edge(
                        from,
                        mid,
                        EdgeInfo {
                            device: Some(d.name.clone()),
                            in_if: Some(iname.clone()),
                            out_if: Some(oname.clone()),
                            pieces,
                            taint: t,
                        },
                    );
                    let mut t = route_taint.clone();
                    t.extend(Self::dev_taint(d, |s| {
                        *s == Scope::Interface(oname.clone())
                    }));
                    let to = self.l3out[&(di, oi)];
                    self.edge(
                        mid,
                        to,
                        EdgeInfo {
                            device: Some(d.name.clone()),
                            in_if: Some(iname.clone()),
                            out_if: Some(oname.clone()),
                            pieces: rp,
                            taint: t,
                        },
                    );
                }
            }
            return;
        }

        let router = self.nb.add_node();
        for &ii in &l3 {
            let i = &d.interfaces[ii];
            let (pieces, mut taint) = match &i.acl_in {
                Some(a) => self.acl_pieces(d, &a.name, &a.span),
                None => (vec![(TRUE, vec![])], vec![]),
            };
            taint.extend(Self::dev_taint(d, |s| {
                *s == Scope::Interface(i.name.clone())
            }));
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
            taint.extend(Self::dev_taint(d, |s| {
                *s == Scope::Interface(o.name.clone())
            }));
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
        let mut taint = Self::dev_taint(d, |s| *s == Scope::Policy);
        let mut cur = from;
        for chain in nfsem::hook_chains(nf, hook) {
            let next = self.nb.add_node();
            let (pieces, broken) = nfsem::base_chain(&mut self.nb.space, nf, chain, TRUE, ctx);
            for sp in broken {
                taint.push(Taint {
                    file: sp.file.clone(),
                    line: sp.line,
                    text: String::new(),
                    reason: "jump/goto target missing or nested too deep".into(),
                });
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

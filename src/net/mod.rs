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

mod fib;
mod fortios;
mod ifnat;
mod ios;
mod l2;
mod links;
mod linux;
pub mod netfilter;
pub mod path;
mod queries;
mod zones;

pub use fib::{route_exit, routes, Fib};
pub use ios::port_auth_macs;
pub use zones::local_hosts;

use crate::engine::{Engine, NetBuilder, NodeId, QueryId, Rewrite};
use crate::hs::{Bdd, Field, Space, FALSE, TRUE};
use crate::model::{Device, IfMode, Scope, Span};
use crate::model::{PortSpec, Snapshot};
use l2::Att;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A config line that may change a result but was not understood.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct TaintLine {
    pub file: String,
    pub line: u32,
    pub text: String,
    pub reason: String,
    /// How far the line's effect can carry a packet, for deciding which checks it
    /// concerns (see [`TaintReach`]).
    #[serde(skip)]
    pub reach: TaintReach,
}

/// What a line not understood can do to packets on the edges it is attached to, so a
/// check is unproven only by lines whose effect could still bring its packets to its
/// sinks (issue 12: "only a check whose packets reach that line's scope and could still
/// reach the check's sink from there").
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum TaintReach {
    /// Only which packets its edges pass (an entry of an ACL): relevant when the edge's
    /// target can still lead to a sink of the check.
    Edge,
    /// Anything on its device, new forwarding included (routing, policy table, interface,
    /// device-wide lines): relevant when any part of the device can lead to a sink.
    Device,
    /// Anything at all (packets leave into the unmodelled, a zone not placed): always.
    #[default]
    Always,
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
    /// A taint that concerns every check whose packets meet it ([`TaintReach::Always`]).
    pub fn new(file: String, line: u32, text: String, reason: String) -> Taint {
        Taint::scoped(file, line, text, reason, TaintReach::Always)
    }
    pub fn scoped(
        file: String,
        line: u32,
        text: String,
        reason: String,
        reach: TaintReach,
    ) -> Taint {
        Taint(std::sync::Arc::new(TaintLine {
            file,
            line,
            text,
            reason,
            reach,
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
    /// The nodes of each device (by name): its ports, VLAN segments, stack and internal
    /// nodes — every node its own edges touch. A line not understood that may add
    /// forwarding on a device can join any two of them.
    pub device_nodes: HashMap<String, Vec<NodeId>>,
    /// Conditions beyond headers under which a policy admits (`Device::conditions`), by
    /// the policy's line: a finding whose path uses that policy says "admitted if …".
    pub conditions: HashMap<Span, String>,
    /// First-match sets of every ACL the graph lowered, by (device, ACL): per entry its
    /// match and what it decides (the match less every earlier entry's). FILTER-HYGIENE
    /// reads shadowing from them instead of rebuilding the same unions.
    pub acl_matches: HashMap<(String, String), Vec<(Bdd, Bdd)>>,
    /// Each firewall policy's match (`Space::matches` of its `m`, in the graph's space) by
    /// device and policy index, where the lowering built it (`None` where it did not):
    /// FILTER-HYGIENE reads them instead of rebuilding the same sets.
    pub policy_matches: HashMap<String, Vec<Option<Bdd>>>,
    /// Wall time of each step of the build, in order (examples/prefecture prints them:
    /// where a snapshot's build time goes).
    pub timings: Vec<(&'static str, std::time::Duration)>,
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
    /// Per (device, ACL), each entry's (match, decided set): one ACL is often bound to
    /// many ports; kept in [`Graph::acl_matches`].
    acl_memo: HashMap<(String, String), Vec<(Bdd, Bdd)>>,
    /// Kept in [`Graph::policy_matches`].
    policy_matches: HashMap<String, Vec<Option<Bdd>>>,
    /// Each device's lines not understood as shared handles ([`Builder::dev_taint`]).
    taint_cache: std::cell::RefCell<HashMap<String, Vec<Taint>>>,
    /// Unions of edge pieces by their piece list ([`Builder::pieces_union`]).
    union_memo: HashMap<Vec<Bdd>, Bdd>,
    /// What each 802.1X / MAB port admits ([`ios::port_auth_index`]), built when first asked.
    auth_macs: Option<HashMap<(String, String), Vec<crate::model::Mac>>>,
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
    /// The union of an edge's pieces. One ACL's permit pieces (or one interface's route
    /// pieces) label every edge the ACL is bound to, and the direct-mapped op cache has
    /// usually lost the earlier union by then (15 % of a zones-corner audit), so unions of
    /// three or more pieces are kept by their piece list. Same set, hence same node.
    fn pieces_union(&mut self, pieces: &[(Bdd, Vec<Span>)]) -> Bdd {
        let key: Vec<Bdd> = pieces.iter().map(|p| p.0).collect();
        if key.len() < 3 {
            return self.nb.space.or_all(key);
        }
        if let Some(&u) = self.union_memo.get(&key) {
            return u;
        }
        let u = self.nb.space.or_all(key.iter().copied());
        self.union_memo.insert(key, u);
        u
    }

    fn edge(&mut self, from: NodeId, to: NodeId, info: EdgeInfo) {
        let pred = self.pieces_union(&info.pieces);
        if pred == FALSE && info.taint.is_empty() {
            return;
        }
        self.nb.add_edge(from, to, pred);
        self.info.push(info);
    }

    /// An edge that rewrites what it admits (NAT, a router's own source MAC).
    fn rewrite_edge(&mut self, from: NodeId, to: NodeId, info: EdgeInfo, rw: Rewrite) {
        let pred = self.pieces_union(&info.pieces);
        if pred == FALSE && info.taint.is_empty() {
            return;
        }
        self.nb.add_rewrite_edge(from, to, pred, rw);
        self.info.push(info);
    }

    /// [`Graph::device_nodes`]: ports and segments by device index, and the endpoints of
    /// the device's own edges (its internal nodes).
    fn device_nodes(&self) -> HashMap<String, Vec<NodeId>> {
        let mut by_dev: Vec<Vec<NodeId>> = vec![vec![]; self.snap.devices.len()];
        for (&(d, _), &n) in self.seg.iter() {
            by_dev[d].push(n);
        }
        for (&(d, _), &n) in self.l3in.iter().chain(self.l3out.iter()) {
            by_dev[d].push(n);
        }
        for (&d, &(a, b)) in &self.local {
            by_dev[d].extend([a, b]);
        }
        let mut out: HashMap<String, Vec<NodeId>> = HashMap::new();
        for (d, ns) in by_dev.into_iter().enumerate() {
            out.entry(self.snap.devices[d].name.clone())
                .or_default()
                .extend(ns);
        }
        for (e, info) in self.info.iter().enumerate() {
            if let Some(d) = &info.device {
                let (a, b, _) = self.nb.edge_ends(e as crate::engine::EdgeId);
                out.entry(d.clone()).or_default().extend([a, b]);
            }
        }
        for ns in out.values_mut() {
            ns.sort_unstable();
            ns.dedup();
        }
        out
    }

    /// The lines not understood of device `d` whose scope `pred` selects (and the
    /// device-wide ones), as shared handles made once per device.
    fn dev_taint(&self, d: &Device, pred: impl Fn(&Scope) -> bool) -> Vec<Taint> {
        let mut cache = self.taint_cache.borrow_mut();
        let all = cache.entry(d.name.clone()).or_insert_with(|| {
            d.unrecognized
                .iter()
                .map(|u| {
                    Taint::scoped(
                        d.unrecognized_file(u).to_string(),
                        u.line,
                        u.text.clone(),
                        u.reason.clone(),
                        match u.scope {
                            Scope::Acl(_) => TaintReach::Edge,
                            _ => TaintReach::Device,
                        },
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
}

/// Devices by name, interfaces by name, of one snapshot.
struct Index<'a> {
    snap: &'a Snapshot,
    dev: HashMap<&'a str, usize>,
}

impl<'a> Index<'a> {
    fn new(snap: &'a Snapshot) -> Index<'a> {
        let dev = snap
            .devices
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.as_str(), i))
            .collect();
        Index { snap, dev }
    }

    fn if_idx(&self, d: usize, name: &str) -> Option<usize> {
        self.snap.devices[d]
            .interfaces
            .iter()
            .position(|i| i.name == name)
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
        let mut timings = vec![];
        let mut t = std::time::Instant::now();
        let mut lap = |name: &'static str| {
            timings.push((name, t.elapsed()));
            t = std::time::Instant::now();
        };
        let ix = Index::new(snap);
        let universe = snap.vlan_universe();
        let mut b = Builder::new(snap);
        let atts = b.attach(&universe);
        lap("attach");
        b.lower_devices();
        lap("devices");
        let lk = b.links(&ix, &atts);
        let mut dom = l2::l2_domains(&ix, &atts, &lk.linked, &b.l3in);
        let mut ep = b.edge_points(&atts, &lk, &dom.att_ids);
        lap("links+l2");
        let zone_notes = zones::locate_zones(&ix, &mut dom, &mut ep);
        lap("zones");
        let peer_of = zones::peers(&ix, &lk.linked);
        zones::external_zones(&ix, &peer_of, &mut ep.points);
        b.taint_zone_notes(&zone_notes, &mut dom, &ep);
        let dangling = b.dangling(&ix, &ep, &peer_of);
        lap("external");
        let (q, zone_dst_bdd, zone_src_bdd) = b.queries(ports);
        lap("queries");
        let points = ep.points;
        let device_nodes = b.device_nodes();
        let info = b.info;
        let acl_matches = b.acl_memo;
        let policy_matches = b.policy_matches;
        let engine = if atoms {
            b.nb.compile()
        } else {
            b.nb.compile_sets()
        };
        lap("compile");
        Graph {
            engine,
            info,
            points,
            q,
            zone_dst_bdd,
            zone_src_bdd,
            dangling,
            device_nodes,
            conditions: snap
                .devices
                .iter()
                .flat_map(|d| d.conditions.iter().cloned())
                .collect(),
            acl_matches,
            policy_matches,
            timings,
        }
    }
}

/// `Point::interface` of a Linux device's own stack.
pub const LOCAL: &str = "(local)";

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

/// About how many BDD nodes lowering `snap` makes: per ACL entry or policy (each a
/// chain of tests plus its first-match pieces) and per device (routes, ports). The
/// generated corners of docs/performance.md hold 78–134 per entry with ~1,000 per
/// device. Aimed at the middle: a table sized short doubles once at the end, when old
/// and new tables are both resident (that was the peak RSS of the 1× and 2× corners);
/// one sized long costs its empty slots (policies800: +60 MB, still far from 1 GB).
fn expected_nodes(snap: &Snapshot) -> usize {
    let entries: usize = snap
        .devices
        .iter()
        .map(|d| d.acls.values().map(|a| a.rules.len()).sum::<usize>() + d.policies.len())
        .sum();
    // Capped: node ids are u32, and a far larger guess would only reserve address space.
    (entries.saturating_mul(96) + snap.devices.len().saturating_mul(1500)).min(1 << 26)
}

impl<'a> Builder<'a> {
    fn new(snap: &'a Snapshot) -> Builder<'a> {
        Builder {
            snap,
            nb: NetBuilder::with_space(Space::with_capacity(expected_nodes(snap))),
            info: vec![],
            seg: HashMap::new(),
            l3in: HashMap::new(),
            l3out: HashMap::new(),
            local: BTreeMap::new(),
            acl_memo: HashMap::new(),
            policy_matches: HashMap::new(),
            taint_cache: Default::default(),
            union_memo: HashMap::new(),
            auth_macs: None,
        }
    }

    /// Device-internal edges.
    fn lower_devices(&mut self) {
        let snap = self.snap;
        for (di, d) in snap.devices.iter().enumerate() {
            self.device_edges(di, d);
        }
    }

    fn device_edges(&mut self, di: usize, d: &Device) {
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
        let route_pieces = self.route_pieces(di, d);
        let route_taint = self.dev_taint(d, |s| *s == Scope::Routing);

        if d.netfilter.is_some() {
            self.linux_edges(di, d, &l3, &route_pieces, &route_taint);
            return;
        }

        if d.policy_based {
            self.policy_edges(di, d, &l3, &route_pieces, &route_taint);
            return;
        }

        self.ios_edges(di, d, &l3, &route_pieces, &route_taint);
    }
}

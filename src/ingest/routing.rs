//! Dynamic routing across the snapshot (docs/semantics.md, "Dynamic routing"): OSPFv2
//! routes computed from the configs when the OSPF domain is closed, and a precise routing
//! taint where routes depend on state sanso cannot see (an adjacency towards something
//! outside the snapshot, a BGP neighbour, EIGRP / RIP, an unmodelled OSPF line).
//!
//! [`compute`] reads the devices as parsed (config static routes, unrecognised lines);
//! [`install`] runs after the routing-table dumps were applied and leaves the devices
//! with a dump alone (the dump wins).

use crate::model::{
    Device, DynRoute, IfMode, OspfNetType, OspfPath, ProtocolKind, RedistSource, Scope, SourceFile,
    Span, Unrecognized,
};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::net::Ipv4Addr;

/// What [`compute`] found, per device index.
#[derive(Debug, Default)]
pub struct Outcome {
    routes: BTreeMap<usize, Vec<DynRoute>>,
    taints: BTreeMap<usize, Vec<Unrecognized>>,
}

fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len)
    }
}

fn net(a: Ipv4Addr, len: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(a) & mask(len))
}

/// IOS default bandwidth (kbit/s) of an interface by its name; `None` when it depends on
/// the hardware (port-channels, tunnels, unknown kinds).
fn default_bw(name: &str) -> Option<u64> {
    let l = name.to_ascii_lowercase();
    const K: &[(&str, u64)] = &[
        ("hundredgige", 100_000_000),
        ("fortygigabitethernet", 40_000_000),
        ("twentyfivegige", 25_000_000),
        ("tengigabitethernet", 10_000_000),
        ("appgigabitethernet", 1_000_000),
        ("gigabitethernet", 1_000_000),
        ("fastethernet", 100_000),
        ("ethernet", 10_000),
        ("vlan", 1_000_000),
        ("loopback", 8_000_000),
        ("serial", 1_544),
        // Junos.
        ("ge-", 1_000_000),
        ("xe-", 10_000_000),
        ("fe-", 100_000),
        ("lo0", 8_000_000),
    ];
    K.iter().find(|(p, _)| l.starts_with(p)).map(|(_, b)| *b)
}

/// One OSPF-enabled interface.
#[derive(Clone, Debug)]
struct OIf {
    ifi: usize,
    name: String,
    addr: Ipv4Addr,
    len: u8,
    /// Every (network, len) it advertises (secondaries too; a loopback as a /32).
    prefixes: Vec<(Ipv4Addr, u8)>,
    area: u32,
    cost: Option<u32>,
    passive: bool,
    loopback: bool,
    /// The line that puts it in OSPF (network statement or `ip ospf N area M`).
    enable: Span,
    hello: u32,
    dead: u32,
    p2p: bool,
    prio0: bool,
}

/// One external route an ASBR injects.
#[derive(Clone, Debug)]
struct Ext {
    prefix: Ipv4Addr,
    len: u8,
    type1: bool,
    metric: u32,
    spans: Vec<Span>,
}

/// An OSPF router of the snapshot.
#[derive(Debug)]
struct Rtr {
    dev: usize,
    ifs: Vec<OIf>,
    ext: Vec<Ext>,
    max_paths: usize,
    /// Why what this router learns or sends is not known from the configs.
    open: Vec<(Span, String)>,
}

impl Rtr {
    fn areas(&self) -> BTreeSet<u32> {
        self.ifs.iter().map(|i| i.area).collect()
    }
    fn is_abr(&self) -> bool {
        let a = self.areas();
        a.len() > 1 && a.contains(&0)
    }
}

/// A destination of the OSPF routing table: a network or a router (ASBR).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Dest {
    Net(Ipv4Addr, u8),
    Rtr(usize),
}

/// First hop: (interface index in the router's `ifs`, neighbour address).
type Hop = (usize, Ipv4Addr);
/// Shortest paths of one area from one router: distance and first hops per router.
type Spf = (Vec<Option<u64>>, Vec<BTreeSet<Hop>>);

#[derive(Clone, Debug)]
struct Entry {
    path: OspfPath,
    cost: u64,
    /// E2: the cost to the ASBR (tie-break).
    fwd: u64,
    hops: BTreeSet<Hop>,
    /// Areas of an intra-area entry that achieve `cost`.
    areas: BTreeSet<u32>,
    origins: BTreeSet<Span>,
}

/// The L3 interfaces of `d` that are up, with their addresses.
fn l3_up(d: &Device) -> impl Iterator<Item = (usize, &crate::model::Interface)> {
    d.interfaces.iter().enumerate().filter(|(_, i)| {
        !i.shutdown
            && !i.addresses.is_empty()
            && matches!(i.mode, IfMode::Routed | IfMode::Svi { .. })
    })
}

/// Does `d` have routing-protocol config that no parser modelled (FortiOS `config router
/// ospf`, Junos `protocols ospf`, RTX `ospf …`)? Read before dumps are applied.
fn unmodelled_speaker(d: &Device) -> Option<&Unrecognized> {
    d.unrecognized.iter().find(|u| {
        u.scope == Scope::Routing
            && (crate::ingest::state::routes::covered_by_rib(u)
                || u.reason.contains("routing protocol"))
            // Leftovers of a modelled process open its own domain instead.
            && !u.reason.starts_with("inside `router ")
            && !u.reason.starts_with("inside `protocols ")
            && !u.reason.starts_with("OSPF interface setting")
    })
}

/// Config static routes of `d` that are installed (connected next hop, exit interface up,
/// discard, or one level of recursion through such a route), with their spans.
fn installed_statics(d: &Device) -> Vec<(Ipv4Addr, u8, Span, Option<Ipv4Addr>)> {
    let conn: Vec<(Ipv4Addr, u8, usize)> = l3_up(d)
        .flat_map(|(k, i)| i.addresses.iter().map(move |(a, l)| (net(*a, *l), *l, k)))
        .collect();
    let on_conn = |nh: Ipv4Addr| conn.iter().any(|(p, l, _)| *l > 0 && net(nh, *l) == *p);
    let direct = |r: &crate::model::Route| {
        r.discard
            || r.interface
                .as_ref()
                .is_some_and(|n| l3_up(d).any(|(_, i)| &i.name == n))
            || (r.interface.is_none() && r.next_hop.is_some_and(on_conn))
    };
    d.routes
        .iter()
        .filter(|r| {
            direct(r)
                || r.next_hop.is_some_and(|nh| {
                    d.routes
                        .iter()
                        .any(|o| o.len > 0 && net(nh, o.len) == net(o.prefix, o.len) && direct(o))
                })
        })
        .map(|r| (net(r.prefix, r.len), r.len, r.span.clone(), r.next_hop))
        .collect()
}

fn classful_len(a: Ipv4Addr) -> u8 {
    match a.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        _ => 24,
    }
}

/// Read the OSPF routers of the snapshot from the devices' routing facts.
fn routers(devices: &[Device], speakers: &BTreeSet<usize>) -> Vec<Rtr> {
    let mut out = vec![];
    for (di, d) in devices.iter().enumerate() {
        let procs: Vec<_> = d.routing.protocols.iter().filter(|p| p.is_ospf()).collect();
        let Some(p) = procs.first() else { continue };
        let ProtocolKind::Ospf { process } = p.kind else {
            continue;
        };
        let mut open: Vec<(Span, String)> = vec![];
        if procs.len() > 1 {
            open.push((
                procs[1].span.clone(),
                "a second OSPF process (routes between processes not modelled)".into(),
            ));
        }
        for s in &p.unmodelled {
            open.push((s.clone(), "OSPF line sanso does not model".into()));
        }
        let others = d.routing.protocols.iter().any(|q| !q.is_ospf()) || speakers.contains(&di);
        let ref_kbps = p.reference_bw_mbps.unwrap_or(100).saturating_mul(1000);
        let mut ifs = vec![];
        for (ifi, i) in l3_up(d) {
            let (addr, len) = i.addresses[0];
            let r = d.routing.interfaces.get(&i.name);
            let by_if = r
                .and_then(|r| r.ospf_area.clone())
                .filter(|(pr, _, _)| *pr == process);
            let enable = match by_if {
                Some((_, a, s)) => Some((a, s)),
                None => p
                    .networks
                    .iter()
                    .filter(|n| n.contains(addr))
                    // The most specific statement decides.
                    .max_by_key(|n| (u32::from(n.wildcard).count_zeros(), Reverse(n.span.line)))
                    .and_then(|n| n.area.map(|a| (a, n.span.clone()))),
            };
            let Some((area, enable)) = enable else {
                continue;
            };
            let lname = i.name.to_ascii_lowercase();
            let loopback = lname.starts_with("loopback") || lname.starts_with("lo0");
            let net_type = r.and_then(|r| r.net_type);
            let p2p = net_type == Some(OspfNetType::PointToPoint);
            let cost = match r.and_then(|r| r.ospf_cost.clone()) {
                Some((c, _)) => Some(c),
                // Junos: a loopback's metric is 0.
                None if loopback && d.dialect.id() == "junos" => Some(0),
                None => r
                    .and_then(|r| r.bandwidth_kbps.clone().map(|b| b.0))
                    .or_else(|| default_bw(&i.name))
                    .map(|bw| (ref_kbps / bw).clamp(1, 65535) as u32),
            };
            if cost.is_none() {
                open.push((
                    enable.clone(),
                    format!(
                        "the OSPF cost of {} depends on a bandwidth sanso does not know (set `ip ospf cost`)",
                        i.name
                    ),
                ));
            }
            if let Some(r) = r {
                for s in &r.unmodelled {
                    open.push((
                        s.clone(),
                        format!("OSPF setting of {} not modelled", i.name),
                    ));
                }
            }
            let prefixes = i
                .addresses
                .iter()
                .map(|(a, l)| {
                    if loopback && !p2p {
                        (*a, 32)
                    } else {
                        (net(*a, *l), *l)
                    }
                })
                .collect();
            ifs.push(OIf {
                ifi,
                name: i.name.clone(),
                addr,
                len,
                prefixes,
                area,
                cost,
                passive: p.is_passive(&i.name),
                loopback,
                enable,
                hello: r.and_then(|r| r.hello).unwrap_or(10),
                dead: r
                    .and_then(|r| r.dead)
                    .unwrap_or(4 * r.and_then(|r| r.hello).unwrap_or(10)),
                p2p,
                prio0: r.and_then(|r| r.priority) == Some(0),
            });
        }
        let areas: BTreeSet<u32> = ifs.iter().map(|i| i.area).collect();
        if areas.len() > 1 && !areas.contains(&0) {
            open.push((
                p.span.clone(),
                "attached to several areas without the backbone (not modelled)".into(),
            ));
        }
        // External routes.
        let mut ext = vec![];
        let statics = installed_statics(d);
        for rd in &p.redistribute {
            let mut add = |prefix: Ipv4Addr, len: u8, span: &Span| {
                if len == 0 || (!rd.subnets && len != classful_len(prefix)) {
                    return;
                }
                ext.push(Ext {
                    prefix,
                    len,
                    type1: rd.type1,
                    metric: rd.metric.unwrap_or(20),
                    spans: vec![rd.span.clone(), span.clone()],
                });
            };
            match &rd.source {
                RedistSource::Static => {
                    for (pfx, len, span, nh) in &statics {
                        // IOS sets a forwarding address when the next hop is on a
                        // non-passive broadcast OSPF interface: not modelled.
                        if let Some(nh) = nh {
                            if ifs.iter().any(|o| {
                                !o.passive
                                    && !o.p2p
                                    && o.len > 0
                                    && net(*nh, o.len) == net(o.addr, o.len)
                            }) {
                                open.push((
                                    span.clone(),
                                    "redistributed static route with an OSPF forwarding address (not modelled)".into(),
                                ));
                            }
                        }
                        add(*pfx, *len, span);
                    }
                }
                RedistSource::Connected => {
                    for (_, i) in l3_up(d) {
                        for (a, l) in &i.addresses {
                            add(net(*a, *l), *l, &i.span);
                        }
                    }
                }
                RedistSource::Other(w) => open.push((
                    rd.span.clone(),
                    format!("routes of {w} redistributed into OSPF are not in the configs"),
                )),
            }
        }
        if let Some((always, metric, type1, span)) = &p.default_originate {
            let static_default = statics.iter().find(|s| s.1 == 0);
            if *always || static_default.is_some() {
                let mut spans = vec![span.clone()];
                if let (false, Some(s)) = (*always, static_default) {
                    spans.push(s.2.clone());
                }
                ext.push(Ext {
                    prefix: Ipv4Addr::UNSPECIFIED,
                    len: 0,
                    type1: *type1,
                    metric: metric.unwrap_or(1),
                    spans,
                });
            } else if others {
                open.push((
                    span.clone(),
                    "default-information originate depends on a default route of another protocol"
                        .into(),
                ));
            }
        }
        out.push(Rtr {
            dev: di,
            ifs,
            ext,
            max_paths: p.maximum_paths.unwrap_or(4) as usize,
            open,
        });
    }
    out
}

/// Adjacencies: (router, its interface k) → [(neighbour router, its interface k)].
fn adjacencies(rs: &[Rtr]) -> BTreeMap<(usize, usize), Vec<(usize, usize)>> {
    let mut by_net: BTreeMap<(Ipv4Addr, u8), Vec<(usize, usize)>> = BTreeMap::new();
    for (r, x) in rs.iter().enumerate() {
        for (k, i) in x.ifs.iter().enumerate() {
            if !i.passive && !i.loopback {
                by_net
                    .entry((net(i.addr, i.len), i.len))
                    .or_default()
                    .push((r, k));
            }
        }
    }
    let mut adj: BTreeMap<(usize, usize), Vec<(usize, usize)>> = BTreeMap::new();
    for members in by_net.values() {
        // A broadcast segment needs a DR: some router with a priority above 0.
        let broadcast_ok = members.iter().any(|&(r, k)| !rs[r].ifs[k].prio0);
        for &(r, k) in members {
            let a = &rs[r].ifs[k];
            for &(s, m) in members {
                let b = &rs[s].ifs[m];
                let ok = s != r
                    && rs[s].dev != rs[r].dev
                    && a.area == b.area
                    && a.hello == b.hello
                    && a.dead == b.dead
                    && a.p2p == b.p2p
                    && (a.p2p || broadcast_ok)
                    && a.addr != b.addr;
                if ok {
                    adj.entry((r, k)).or_default().push((s, m));
                }
            }
        }
    }
    adj
}

/// Shortest paths in `area` from `src`: distance and first hops to every router.
fn spf(
    rs: &[Rtr],
    adj: &BTreeMap<(usize, usize), Vec<(usize, usize)>>,
    area: u32,
    src: usize,
) -> Spf {
    let n = rs.len();
    let mut dist: Vec<Option<u64>> = vec![None; n];
    let mut first: Vec<BTreeSet<Hop>> = vec![BTreeSet::new(); n];
    let mut done = vec![false; n];
    dist[src] = Some(0);
    let mut heap = BinaryHeap::new();
    heap.push(Reverse((0u64, src)));
    while let Some(Reverse((d, u))) = heap.pop() {
        if done[u] || dist[u] != Some(d) {
            continue;
        }
        done[u] = true;
        for (k, i) in rs[u].ifs.iter().enumerate() {
            if i.area != area {
                continue;
            }
            let Some(c) = i.cost else { continue };
            for &(v, m) in adj.get(&(u, k)).map(Vec::as_slice).unwrap_or(&[]) {
                let nd = d + u64::from(c);
                let hops: BTreeSet<Hop> = if u == src {
                    [(k, rs[v].ifs[m].addr)].into()
                } else {
                    first[u].clone()
                };
                match dist[v] {
                    Some(old) if old < nd => {}
                    Some(old) if old == nd => first[v].extend(hops),
                    _ => {
                        dist[v] = Some(nd);
                        first[v] = hops;
                        heap.push(Reverse((nd, v)));
                    }
                }
            }
        }
    }
    (dist, first)
}

/// Merge a candidate into a table: lower cost wins, equal costs join their hops.
fn offer(t: &mut BTreeMap<Dest, Entry>, d: Dest, e: Entry) {
    match t.get_mut(&d) {
        None => {
            t.insert(d, e);
        }
        Some(old) => {
            let rank = |x: &Entry| (x.cost, x.fwd);
            if rank(&e) < rank(old) {
                *old = e;
            } else if rank(&e) == rank(old) {
                old.hops.extend(e.hops);
                old.areas.extend(e.areas);
                old.origins.extend(e.origins);
            }
        }
    }
}

/// Compute every OSPF router's routes and the routing taints of the snapshot.
pub fn compute(devices: &[Device], sources: &BTreeMap<String, SourceFile>) -> Outcome {
    let mut out = Outcome::default();
    let speakers: BTreeSet<usize> = devices
        .iter()
        .enumerate()
        .filter(|(_, d)| unmodelled_speaker(d).is_some())
        .map(|(i, _)| i)
        .collect();
    let mut rs = routers(devices, &speakers);
    let adj = adjacencies(&rs);

    // Open adjacencies: a non-passive interface with no OSPF neighbour of the snapshot,
    // or a segment shared with a device whose routing sanso does not model.
    for r in 0..rs.len() {
        for k in 0..rs[r].ifs.len() {
            let i = rs[r].ifs[k].clone();
            if i.passive || i.loopback {
                continue;
            }
            let n = net(i.addr, i.len);
            if !adj.contains_key(&(r, k)) {
                rs[r].open.push((
                    i.enable.clone(),
                    format!(
                        "OSPF on {} ({n}/{}, area {}) has no OSPF neighbour in the snapshot: a router outside it may send any route",
                        i.name,
                        i.len,
                        area_str(i.area)
                    ),
                ));
            }
            for &s in &speakers {
                if s == rs[r].dev {
                    continue;
                }
                if l3_up(&devices[s]).any(|(_, j)| {
                    j.addresses
                        .iter()
                        .any(|(a, l)| *l == i.len && net(*a, *l) == n)
                }) {
                    let u = unmodelled_speaker(&devices[s]).expect("speaker");
                    let me = devices[rs[r].dev].name.clone();
                    rs[r].open.push((
                        i.enable.clone(),
                        format!(
                            "{} on {} shares {n}/{} with {}, whose routing protocol sanso does not model ({}:{})",
                            me,
                            i.name,
                            i.len,
                            devices[s].name,
                            devices[s].unrecognized_file(u),
                            u.line
                        ),
                    ));
                }
            }
        }
    }

    // OSPF domains: routers joined by adjacencies.
    let mut comp: Vec<usize> = (0..rs.len()).collect();
    fn find(c: &mut [usize], x: usize) -> usize {
        let mut x = x;
        while c[x] != x {
            c[x] = c[c[x]];
            x = c[x];
        }
        x
    }
    for (&(r, _), ns) in &adj {
        for &(s, _) in ns {
            let (a, b) = (find(&mut comp, r), find(&mut comp, s));
            comp[a] = b;
        }
    }

    // Routing tables.
    let n = rs.len();
    let areas: BTreeSet<u32> = rs.iter().flat_map(|r| r.areas()).collect();
    // dist[area][src] = (dist, first hops)
    let mut sp: BTreeMap<(u32, usize), Spf> = BTreeMap::new();
    for &a in &areas {
        for s in 0..n {
            if rs[s].areas().contains(&a) {
                sp.insert((a, s), spf(&rs, &adj, a, s));
            }
        }
    }
    let asbr: Vec<bool> = rs.iter().map(|r| !r.ext.is_empty()).collect();
    // Intra-area.
    let mut table: Vec<BTreeMap<Dest, Entry>> = vec![BTreeMap::new(); n];
    for s in 0..n {
        for a in rs[s].areas() {
            let (dist, first) = &sp[&(a, s)];
            for r in 0..n {
                let Some(dr) = dist[r] else { continue };
                if r == s {
                    continue;
                }
                for i in rs[r].ifs.iter().filter(|i| i.area == a) {
                    let Some(c) = i.cost else { continue };
                    for &(p, l) in &i.prefixes {
                        offer(
                            &mut table[s],
                            Dest::Net(p, l),
                            Entry {
                                path: OspfPath::IntraArea,
                                cost: dr + u64::from(c),
                                fwd: 0,
                                hops: first[r].clone(),
                                areas: [a].into(),
                                origins: [i.enable.clone()].into(),
                            },
                        );
                    }
                }
                if asbr[r] {
                    offer(
                        &mut table[s],
                        Dest::Rtr(r),
                        Entry {
                            path: OspfPath::IntraArea,
                            cost: dr,
                            fwd: 0,
                            hops: first[r].clone(),
                            areas: [a].into(),
                            origins: BTreeSet::new(),
                        },
                    );
                }
            }
        }
    }
    // What ABR `b` summarises into `area`: intra routes of another area; inter-area
    // routes (learned over the backbone) into non-backbone areas.
    let summary = |t: &BTreeMap<Dest, Entry>, area: u32| -> Vec<(Dest, u64, BTreeSet<Span>)> {
        t.iter()
            .filter(|(_, e)| match e.path {
                OspfPath::IntraArea => e.areas.iter().any(|x| *x != area),
                OspfPath::InterArea => area != 0,
                _ => false,
            })
            .map(|(d, e)| (*d, e.cost, e.origins.clone()))
            .collect()
    };
    let inter = |s: usize, area: u32, src: &[BTreeMap<Dest, Entry>], abrs: &[usize]| {
        let (dist, first) = &sp[&(area, s)];
        let mut t: BTreeMap<Dest, Entry> = BTreeMap::new();
        for &b in abrs {
            let Some(db) = dist[b] else { continue };
            if b == s {
                continue;
            }
            for (d, c, o) in summary(&src[b], area) {
                if d == Dest::Rtr(s) {
                    continue;
                }
                offer(
                    &mut t,
                    d,
                    Entry {
                        path: OspfPath::InterArea,
                        cost: db + c,
                        fwd: 0,
                        hops: first[b].clone(),
                        areas: BTreeSet::new(),
                        origins: o,
                    },
                );
            }
        }
        t
    };
    let abrs: Vec<usize> = (0..n).filter(|&r| rs[r].is_abr()).collect();
    // ABRs consider backbone summaries only; then the other routers.
    let intra = table.clone();
    for &s in &abrs {
        for (d, e) in inter(s, 0, &intra, &abrs) {
            table[s].entry(d).or_insert(e);
        }
    }
    let with_abr = table.clone();
    for s in (0..n).filter(|r| !rs[*r].is_abr()) {
        let Some(&a) = rs[s].areas().iter().next() else {
            continue;
        };
        for (d, e) in inter(s, a, &with_abr, &abrs) {
            table[s].entry(d).or_insert(e);
        }
    }
    // External routes: type 1 before type 2; E2 ties broken by the cost to the ASBR.
    #[allow(clippy::needless_range_loop)] // `s` and `a` are router ids, compared
    for s in 0..n {
        let mut ext: BTreeMap<Dest, Entry> = BTreeMap::new();
        for a in 0..n {
            if a == s {
                continue;
            }
            let Some(to) = table[s].get(&Dest::Rtr(a)).cloned() else {
                continue;
            };
            for x in &rs[a].ext {
                let d = Dest::Net(x.prefix, x.len);
                let (path, cost, fwd) = if x.type1 {
                    (OspfPath::External1, to.cost + u64::from(x.metric), 0)
                } else {
                    (OspfPath::External2, u64::from(x.metric), to.cost)
                };
                let e = Entry {
                    path,
                    cost,
                    fwd,
                    hops: to.hops.clone(),
                    areas: BTreeSet::new(),
                    origins: x.spans.iter().cloned().collect(),
                };
                match ext.get(&d).map(|o| o.path) {
                    Some(OspfPath::External1) if path == OspfPath::External2 => {}
                    Some(OspfPath::External2) if path == OspfPath::External1 => {
                        ext.insert(d, e);
                    }
                    _ => offer(&mut ext, d, e),
                }
            }
        }
        for (d, e) in ext {
            table[s].entry(d).or_insert(e);
        }
    }

    // Routes into the devices: connected and static routes of the same prefix win.
    // `local`: why one router's own choice among its paths depends on state.
    let mut local: Vec<Vec<String>> = vec![vec![]; n];
    for s in 0..n {
        let d = &devices[rs[s].dev];
        let own: BTreeSet<(Ipv4Addr, u8)> = l3_up(d)
            .flat_map(|(_, i)| i.addresses.iter().map(|(a, l)| (net(*a, *l), *l)))
            .chain(d.routes.iter().map(|r| (net(r.prefix, r.len), r.len)))
            .collect();
        // Neighbour address → its OSPF line.
        let nb_line = |addr: Ipv4Addr| -> Option<Span> {
            rs.iter()
                .flat_map(|r| r.ifs.iter())
                .find(|i| i.addr == addr)
                .map(|i| i.enable.clone())
        };
        let mut routes = vec![];
        for (dest, e) in &table[s] {
            let Dest::Net(p, l) = *dest else { continue };
            if own.contains(&(p, l)) || e.hops.is_empty() {
                continue;
            }
            if e.hops.len() > rs[s].max_paths {
                local[s].push(format!(
                    "{} equal-cost OSPF paths to {p}/{l}, more than maximum-paths {}: which are installed depends on state",
                    e.hops.len(),
                    rs[s].max_paths
                ));
                continue;
            }
            for &(k, nh) in &e.hops {
                let i = &rs[s].ifs[k];
                let mut spans = vec![i.enable.clone()];
                spans.extend(nb_line(nh));
                spans.extend(e.origins.iter().cloned());
                let mut seen = BTreeSet::new();
                spans.retain(|x| seen.insert(x.clone()));
                routes.push(DynRoute {
                    prefix: p,
                    len: l,
                    interface: d.interfaces[i.ifi].name.clone(),
                    next_hop: nh,
                    path: e.path,
                    metric: u32::try_from(e.cost).unwrap_or(u32::MAX),
                    spans,
                });
            }
        }
        out.routes.insert(rs[s].dev, routes);
    }

    // Taints: every router of a domain with an open point; BGP, EIGRP and RIP devices.
    let mut domain_open: BTreeMap<usize, Vec<(Span, String)>> = BTreeMap::new();
    for (r, x) in rs.iter().enumerate() {
        let c = find(&mut comp, r);
        domain_open
            .entry(c)
            .or_default()
            .extend(x.open.iter().cloned());
    }
    for r in 0..n {
        let c = find(&mut comp, r);
        let d = &devices[rs[r].dev];
        let mut why: Vec<(Span, String)> = domain_open[&c].clone();
        if why.is_empty() && local[r].is_empty() {
            continue;
        }
        if !why.is_empty() {
            // What an open domain's routers learn is unknown: no route is assumed.
            out.routes.remove(&rs[r].dev);
        }
        why.sort();
        why.dedup();
        // Local only: more equal-cost paths than installed.
        let why: Vec<String> = local[r]
            .iter()
            .cloned()
            .chain(why.iter().map(|(s, w)| format!("{w} ({s})")))
            .collect();
        let shown: Vec<String> = why.iter().take(3).cloned().collect();
        let more = why.len().saturating_sub(3);
        let reason = format!(
            "OSPF routes depend on state: {}{} — add state/{}/show_ip_route.txt",
            shown.join("; "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            },
            d.name
        );
        let line = d
            .routing
            .protocols
            .iter()
            .find(|p| p.is_ospf())
            .map(|p| p.span.line)
            .unwrap_or(1);
        out.taints
            .entry(rs[r].dev)
            .or_default()
            .push(taint(d, line, reason, sources));
    }
    for (di, d) in devices.iter().enumerate() {
        for p in &d.routing.protocols {
            let what = match &p.kind {
                ProtocolKind::Ospf { .. } => continue,
                ProtocolKind::Bgp { .. } => {
                    for nb in &p.neighbors {
                        let asn = nb
                            .remote_as
                            .map(|a| format!(" (AS {a})"))
                            .unwrap_or_default();
                        let reason = format!(
                            "BGP neighbour {}{asn}: the routes it sends are not in the configs — add state/{}/show_ip_route.txt",
                            nb.peer, d.name
                        );
                        out.taints.entry(di).or_default().push(taint(
                            d,
                            nb.span.line,
                            reason,
                            sources,
                        ));
                    }
                    continue;
                }
                ProtocolKind::Eigrp { .. } => "EIGRP",
                ProtocolKind::Rip => "RIP",
            };
            if !p.taints_routing() {
                continue;
            }
            let reason = format!(
                "{what} routes are not computed by sanso — add state/{}/show_ip_route.txt",
                d.name
            );
            out.taints
                .entry(di)
                .or_default()
                .push(taint(d, p.span.line, reason, sources));
        }
    }
    out
}

fn area_str(a: u32) -> String {
    if a < 256 {
        a.to_string()
    } else {
        Ipv4Addr::from(a).to_string()
    }
}

fn taint(
    d: &Device,
    line: u32,
    reason: String,
    sources: &BTreeMap<String, SourceFile>,
) -> Unrecognized {
    Unrecognized {
        file: None,
        line,
        text: crate::ingest::state::routes::line_text(sources, &d.file, line),
        reason,
        scope: Scope::Routing,
    }
}

/// Give the devices without a routing-table dump their computed routes and taints.
pub fn install(devices: &mut [Device], mut o: Outcome, dumped: &BTreeSet<String>) {
    for (di, d) in devices.iter_mut().enumerate() {
        if dumped.contains(&d.name) {
            continue;
        }
        if let Some(r) = o.routes.remove(&di) {
            d.routing.computed = r;
        }
        if let Some(t) = o.taints.remove(&di) {
            d.unrecognized.extend(t);
        }
    }
}

/// Interfaces whose address is learnt at run time (`Interface::dynamic_address`, a DHCP
/// client): the config does not say their subnet, nor the default route a DHCP server
/// may hand out (ASA `setroute`, Junos and PAN-OS install it). The interface has no
/// address in the model, so whatever it would add is missing: its device's routing is
/// tainted, on the line that asks for the address. A routing-table dump
/// does not lift it (the connected subnet is not taken from dumps).
pub fn runtime_address_taints(devices: &mut [Device], sources: &BTreeMap<String, SourceFile>) {
    for d in devices.iter_mut() {
        let mut add = vec![];
        for i in d.interfaces.iter().filter(|i| !i.shutdown) {
            let Some(s) = &i.dynamic_address else {
                continue;
            };
            add.push(Unrecognized {
                file: (s.file != d.file).then(|| s.file.clone()),
                line: s.line,
                text: crate::ingest::state::routes::line_text(sources, &s.file, s.line),
                reason: format!(
                    "{} takes its address from DHCP at run time: its subnet and any route the \
                     server gives are not in the config",
                    i.name
                ),
                // A learnt default route changes the whole device's routing.
                scope: Scope::Routing,
            });
        }
        d.unrecognized.extend(add);
    }
}

//! Edge points (where traffic enters and leaves), zone location, missing links and
//! dangling edge points.

use super::fib::{route_exit, routes};
use super::l2::{fabrics, Att, Attachments, Domains};
use super::links::Linked;
use super::{Builder, EdgeInfo, Index, Point, Taint, LOCAL};
use crate::hs::{Field, TRUE};
use crate::model::{Device, IfMode, LinkEnd, Snapshot};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Edge points, with per point its attachment ids and the edge ids (= `info` indices)
/// from its source and into its sink; Linux local stacks from `first_local` on.
pub(super) struct EdgePoints {
    pub(super) points: Vec<Point>,
    pub(super) point_atts: Vec<Vec<usize>>,
    pub(super) point_edges: Vec<(Vec<usize>, Vec<usize>)>,
    pub(super) first_local: usize,
}

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

impl Builder<'_> {
    /// Edge points: interfaces not linked to another device.
    pub(super) fn edge_points(
        &mut self,
        atts: &HashMap<(usize, usize), Attachments>,
        lk: &Linked,
        att_ids: &HashMap<Att, usize>,
    ) -> EdgePoints {
        let snap = self.snap;
        let b = self;
        let Linked { linked, host_port } = lk;
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
        EdgePoints {
            points,
            point_atts,
            point_edges,
            first_local,
        }
    }

    /// Taints the edges of every point in the L2 domains of a zone that could not be placed.
    pub(super) fn taint_zone_notes(
        &mut self,
        zone_notes: &[(BTreeSet<usize>, Taint)],
        dom: &mut Domains,
        ep: &EdgePoints,
    ) {
        let b = self;
        let dsu = &mut dom.dsu;
        let EdgePoints {
            points,
            point_atts,
            point_edges,
            ..
        } = ep;
        for (doms, t) in zone_notes {
            for pi in 0..points.len() {
                if point_atts[pi].iter().any(|&a| doms.contains(&dsu.find(a))) {
                    let (es, ek) = &point_edges[pi];
                    for &e in es.iter().chain(ek) {
                        b.info[e].taint.push(t.clone());
                    }
                }
            }
        }
    }

    /// Dangling edge points: what leaves by them reaches something unmodelled.
    pub(super) fn dangling(
        &mut self,
        ix: &Index,
        ep: &EdgePoints,
        peer_of: &HashMap<(usize, usize), String>,
    ) -> Vec<usize> {
        let b = self;
        let snap = ix.snap;
        let EdgePoints {
            points,
            point_edges,
            ..
        } = ep;
        let mut dangling = vec![];
        for (pi, p) in points.iter().enumerate() {
            if p.host.is_some() || p.interface == LOCAL || !p.zones.is_empty() {
                continue;
            }
            let di = ix.dev[p.device.as_str()];
            let d = &snap.devices[di];
            let Some(ii) = ix.if_idx(di, &p.interface) else {
                continue;
            };
            // A member of a routed aggregator leads where the aggregator does.
            let ii = super::l2::routed_aggregator(d, ii).unwrap_or(ii);
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
                                f.out
                                    .is_some_and(|o| cable_port(d, &d.interfaces[o].name) == i.name)
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
        dangling
    }
}

/// Zone locations; returns the `vlans` that could not be placed unambiguously: (the L2
/// domains, taint).
pub(super) fn locate_zones(
    ix: &Index,
    dom: &mut Domains,
    ep: &mut EdgePoints,
) -> Vec<(BTreeSet<usize>, Taint)> {
    let snap = ix.snap;
    let fab_dsu = fabrics(dom);
    let Domains { att_ids, dsu, .. } = dom;
    let EdgePoints {
        points,
        point_atts,
        first_local,
        ..
    } = ep;
    let first_local = *first_local;
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
    for (att, &aid) in att_ids.iter() {
        if let Att::Seg(_, v) = att {
            segs.entry(*v).or_default().push(aid);
        }
    }
    let mut fab = fab_dsu;
    // Indexes instead of scanning every L3 net and every point for each zone (zones ×
    // points was most of the build at tens of zones per municipality). Connected nets
    // by (network, prefix length) for the nets that hold a zone subnet, and sorted by
    // network for the nets a zone subnet holds.
    let mut net_at: HashMap<(u32, u8), Vec<usize>> = HashMap::new();
    for &(net, aid) in &l3_nets {
        net_at
            .entry((u32::from(net.network()), net.prefix()))
            .or_default()
            .push(aid);
    }
    let mut by_network: Vec<(u32, usize)> = l3_nets
        .iter()
        .map(|&(net, aid)| (u32::from(net.network()), aid))
        .collect();
    by_network.sort_unstable();
    // Points by attachment domain, by port (for `attach`) and by their host's zone; the
    // domains and fabrics of each point's attachments. The DSUs are not joined further
    // while zones are located, so their roots are fixed.
    let point_doms: Vec<Vec<usize>> = point_atts
        .iter()
        .map(|atts| atts.iter().map(|&a| dsu.find(a)).collect())
        .collect();
    let point_fabs: Vec<Vec<usize>> = point_atts
        .iter()
        .map(|atts| atts.iter().map(|&a| fab.find(a)).collect())
        .collect();
    let mut by_dom: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut by_port: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    let mut by_host_zone: HashMap<usize, Vec<usize>> = HashMap::new();
    for (pi, p) in points.iter().enumerate() {
        for &d in &point_doms[pi] {
            by_dom.entry(d).or_default().push(pi);
        }
        by_port
            .entry((p.device.as_str(), p.interface.as_str()))
            .or_default()
            .push(pi);
        if let Some(h) = p.host {
            by_host_zone.entry(snap.hosts[h].zone).or_default().push(pi);
        }
    }
    let mut placed: Vec<Vec<usize>> = vec![vec![]; points.len()];
    // `vlans` that could not be placed unambiguously: (the L2 domains, taint).
    let mut zone_notes: Vec<(BTreeSet<usize>, Taint)> = vec![];
    for (zi, z) in snap.zones.iter().enumerate() {
        let mut doms = BTreeSet::new();
        // Fabrics where the zone is present (an L3 interface in its subnet, an
        // `attach`, a host of the zone linked to a port).
        let mut present = BTreeSet::new();
        // A zone lives on a connected subnet that holds it or that it holds; a /0 zone
        // (the Internet) lives only where routes lead.
        for zn in &z.subnets {
            let base = u32::from(zn.network());
            let holding = (0..=zn.prefix()).flat_map(|len| {
                let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
                net_at
                    .get(&(base & mask, len))
                    .into_iter()
                    .flatten()
                    .copied()
            });
            let held: &[(u32, usize)] = if zn.prefix() > 0 {
                let top = u32::from(zn.broadcast());
                let from = by_network.partition_point(|x| x.0 < base);
                let to = by_network.partition_point(|x| x.0 <= top);
                &by_network[from..to]
            } else {
                &[]
            };
            for aid in holding.chain(held.iter().map(|x| x.1)) {
                doms.insert(dsu.find(aid));
                present.insert(fab.find(aid));
            }
        }
        let attached: BTreeSet<usize> = z
            .attach
            .iter()
            .flat_map(|(dv, ifn)| by_port.get(&(dv.as_str(), ifn.as_str())))
            .flatten()
            .copied()
            .collect();
        let hosted: &[usize] = by_host_zone.get(&zi).map_or(&[], |v| &v[..]);
        for &pi in attached.iter().chain(hosted) {
            present.extend(point_fabs[pi].iter().copied());
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
        // A point of a host is in its host's zone only; any other point is where the
        // zone is attached or in one of its domains.
        let in_doms = doms.iter().flat_map(|d| by_dom.get(d)).flatten().copied();
        let here: BTreeSet<usize> = attached
            .iter()
            .copied()
            .chain(in_doms)
            .filter(|&pi| points[pi].host.is_none())
            .chain(hosted.iter().copied())
            .collect();
        for pi in here {
            placed[pi].push(zi);
        }
    }
    for (p, zs) in points.iter_mut().zip(placed) {
        p.zones.extend(zs);
    }
    // A local stack is tier traffic only where the device is declared: it belongs to
    // the zones of the `[[host]]` entries that carry one of its own addresses (and to
    // zones that `attach` it). An undeclared router's or firewall's own traffic is
    // not a zone's (docs/semantics.md, "Linux devices").
    for p in &mut points[first_local..] {
        let d = &snap.devices[ix.dev[p.device.as_str()]];
        let mut zs: BTreeSet<usize> = p.zones.iter().copied().collect();
        zs.extend(local_hosts(d, snap).into_iter().map(|h| snap.hosts[h].zone));
        p.zones = zs.into_iter().collect();
    }
    zone_notes
}

/// Ports whose connected subnet holds another device's address: a link to a device
/// of the snapshot that topology.toml lacks (and inference could not make certain).
pub(super) fn peers(
    ix: &Index,
    linked: &BTreeMap<(usize, usize), LinkEnd>,
) -> HashMap<(usize, usize), String> {
    let snap = ix.snap;
    let mut peer_of: HashMap<(usize, usize), String> = HashMap::new();
    // Every live address, sorted: a subnet's addresses are one range (linear in the
    // snapshot, not devices × interfaces squared at prefecture scale). In one part of a
    // split run, the other parts' devices are peers too, and the order is the whole
    // snapshot's: (address, device index in the whole snapshot, interface).
    let split = snap.split.as_ref();
    let whole_dev = |dj: usize| split.map_or(dj, |s| s.device_index[dj]);
    let mut all_addrs: Vec<(u32, usize, usize, Option<usize>)> = vec![];
    for (dj, e) in snap.devices.iter().enumerate() {
        for (jj, j) in e.interfaces.iter().enumerate() {
            if !j.shutdown {
                all_addrs.extend(
                    j.addresses
                        .iter()
                        .map(|(b, _)| (u32::from(*b), whole_dev(dj), jj, None)),
                );
            }
        }
    }
    for (k, o) in split.iter().flat_map(|s| s.outside.iter().enumerate()) {
        all_addrs.push((u32::from(o.ip), o.device_index, o.interface_index, Some(k)));
    }
    all_addrs.sort_unstable();
    for (di, d) in snap.devices.iter().enumerate() {
        for (ii, i) in d.interfaces.iter().enumerate() {
            if i.shutdown || i.mode != IfMode::Routed {
                continue;
            }
            let port = match &i.parent {
                Some((p, _)) => match ix.if_idx(di, p) {
                    Some(pi) => pi,
                    None => continue,
                },
                None => ii,
            };
            // A routed aggregator is linked when one of its members is.
            let members = d.aggregates.get(&d.interfaces[port].name);
            let member_linked = members.is_some_and(|m| {
                m.iter().any(|n| {
                    ix.if_idx(di, n)
                        .is_some_and(|mi| linked.contains_key(&(di, mi)))
                })
            });
            if linked.contains_key(&(di, port)) || member_linked {
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
                if let Some(&(b, dj, jj, outside)) = all_addrs[from..]
                    .iter()
                    .take_while(|x| x.0 <= hi)
                    .find(|x| x.1 != whole_dev(di) && x.0 != u32::from(*a))
                {
                    let (dev, ifn) = match (outside, split) {
                        (Some(k), Some(s)) => (&s.outside[k].device, &s.outside[k].interface),
                        _ => {
                            // `device_index` is ascending: the part keeps the order.
                            let local =
                                split.map_or(Some(dj), |s| s.device_index.binary_search(&dj).ok());
                            let Some(e) = local.map(|l| &snap.devices[l]) else {
                                continue;
                            };
                            (&e.name, &e.interfaces[jj].name)
                        }
                    };
                    peer_of.insert(
                        (di, port),
                        format!("{} ({dev}:{ifn})", std::net::Ipv4Addr::from(b)),
                    );
                }
            }
        }
    }
    peer_of
}

/// The physical port a route's exit interface is cabled by (a sub-interface's parent).
fn cable_port(d: &Device, ifn: &str) -> String {
    d.interfaces
        .iter()
        .find(|i| i.name == ifn)
        .and_then(|i| i.parent.as_ref().map(|p| p.0.clone()))
        .unwrap_or_else(|| ifn.to_string())
}

/// External zones without a connected location live past the edge interface
/// that routes towards them leave by (not a port whose subnet holds another
/// device of the snapshot: that is a missing link, not the outside).
pub(super) fn external_zones(
    ix: &Index,
    peer_of: &HashMap<(usize, usize), String>,
    points: &mut [Point],
) {
    let snap = ix.snap;
    // Zones placed before this step (this loop only adds the zone it is at).
    let mut located = vec![false; snap.zones.len()];
    for &zi in points.iter().flat_map(|p| &p.zones) {
        // A hand-built snapshot may name a zone index it lacks (hosts of a zone-less
        // test network): that cannot locate any of `snap.zones`, so it is skipped.
        if let Some(l) = located.get_mut(zi) {
            *l = true;
        }
    }
    for (zi, z) in snap.zones.iter().enumerate() {
        if located[zi] || !z.attach.is_empty() {
            continue;
        }
        for p in points
            .iter_mut()
            .filter(|p| p.host.is_none() && p.interface != LOCAL)
        {
            let di = ix.dev[p.device.as_str()];
            let d = &snap.devices[di];
            // A member of a routed aggregator is a cable of the aggregator.
            let Some(ii) = ix.if_idx(di, &p.interface) else {
                continue;
            };
            let ii = super::l2::routed_aggregator(d, ii).unwrap_or(ii);
            if peer_of.contains_key(&(di, ii)) {
                continue;
            }
            let port = &d.interfaces[ii].name;
            let exits = z.subnets.iter().any(|n| {
                route_exit(d, n.network(), n.prefix()).is_some_and(|x| cable_port(d, &x) == *port)
            });
            if exits {
                p.zones.push(zi);
            }
        }
    }
}

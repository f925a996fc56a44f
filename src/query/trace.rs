//! `sanso trace`: follow one concrete packet through the modelled network.

use crate::engine::{EdgeId, NodeId};
use crate::hs::Packet;
use crate::model::{parse_mac, Snapshot};
use crate::net::path::{hops_seq, Hop};
use crate::net::Graph;
use serde::Serialize;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// What the user asked to trace.
#[derive(Clone, Debug)]
pub struct TraceArgs {
    pub src: String,
    pub dst: String,
    pub proto: String,
    pub dport: u16,
    pub sport: u16,
    pub src_mac: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    pub point: String,
    pub zones: Vec<String>,
    /// The destination host or zone (vs. a port the packet merely floods to).
    pub destination: bool,
    pub src_point: Option<String>,
    pub path: Vec<Hop>,
    /// The packet as it arrives, when NAT changed its addresses or ports on the way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrives_as: Option<Packet>,
    /// Where NAT rewrote it: each device that changed addresses or ports, with the packet
    /// as it left that device (hop order).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rewrites: Vec<Rewrite>,
}

/// A device on a delivery's path that rewrote the packet (NAT).
#[derive(Clone, Debug, Serialize)]
pub struct Rewrite {
    pub device: String,
    #[serde(serialize_with = "packet_json")]
    pub leaves_as: Packet,
}

/// The devices of a concrete path that changed the packet's addresses or ports, and how
/// it left each: a device's packet is the one entering its first edge; the next device's
/// (or the delivered packet, for the last) is how it left.
fn rewrites(g: &Graph, steps: &[(EdgeId, Packet)], delivered: &Packet) -> Vec<Rewrite> {
    let key = |p: &Packet| (p.src_ip, p.dst_ip, p.src_port, p.dst_port);
    let mut seq: Vec<(&str, &Packet)> = vec![];
    for (e, p) in steps {
        let Some(d) = g.info[*e as usize].device.as_deref() else {
            continue;
        };
        if seq.last().is_none_or(|(x, _)| *x != d) {
            seq.push((d, p));
        }
    }
    let mut out = vec![];
    for (i, (d, entered)) in seq.iter().enumerate() {
        let left = seq.get(i + 1).map_or(delivered, |(_, p)| *p);
        if key(entered) != key(left) {
            out.push(Rewrite {
                device: d.to_string(),
                leaves_as: left.clone(),
            });
        }
    }
    out
}

/// Schema id of `sanso trace --format json`.
pub const SCHEMA: &str = "sanso.trace/v1";

#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    pub schema: &'static str,
    /// The header as traced; `proto` is written as in every JSON output of sanso
    /// (`"tcp"`, `"udp"`, `"icmp"`, `"sctp"`, else the number).
    #[serde(serialize_with = "packet_json")]
    pub packet: Packet,
    pub src_points: Vec<String>,
    pub dst_zone: Option<String>,
    pub verdict: &'static str,
    pub deliveries: Vec<Delivery>,
    /// Devices that received the packet (all of them; for a drop, where it died).
    pub devices_reached: Vec<String>,
    /// When dropped: the filters or routing steps that stopped the packet closest to its
    /// destination (fewest edges left), with the interfaces they sit between; empty when
    /// no forwarding path leads towards the destination at all.
    pub blocked_at: Vec<Blocked>,
}

/// A step that did not let the traced packet through.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Blocked {
    pub device: String,
    pub in_if: Option<String>,
    pub out_if: Option<String>,
}

/// [`Packet`] as JSON with the protocol by name ([`crate::report::proto_name`]).
fn packet_json<S: serde::Serializer>(p: &Packet, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Out<'a> {
        src_mac: String,
        dst_mac: String,
        vlan: u16,
        src_ip: &'a Ipv4Addr,
        dst_ip: &'a Ipv4Addr,
        proto: String,
        src_port: u16,
        dst_port: u16,
        icmp_type: u8,
        icmp_code: u8,
        established: bool,
    }
    Out {
        src_mac: p.src_mac.to_string(),
        dst_mac: p.dst_mac.to_string(),
        vlan: p.vlan,
        src_ip: &p.src_ip,
        dst_ip: &p.dst_ip,
        proto: crate::report::proto_name(p.proto),
        src_port: p.src_port,
        dst_port: p.dst_port,
        icmp_type: p.icmp_type,
        icmp_code: p.icmp_code,
        established: p.established,
    }
    .serialize(s)
}

fn resolve(snap: &Snapshot, s: &str) -> Result<(Ipv4Addr, Option<usize>), String> {
    if let Ok(ip) = s.parse::<Ipv4Addr>() {
        let h = snap.hosts.iter().position(|h| h.ip == ip);
        return Ok((ip, h));
    }
    match snap.hosts.iter().position(|h| h.name == s) {
        Some(h) => Ok((snap.hosts[h].ip, Some(h))),
        None => Err(format!("unknown host or address: {s}")),
    }
}

fn parse_proto(s: &str) -> Result<u8, String> {
    match s.to_ascii_lowercase().as_str() {
        "tcp" => Ok(6),
        "udp" => Ok(17),
        "icmp" => Ok(1),
        n => n.parse::<u8>().map_err(|_| format!("bad protocol: {s}")),
    }
}

pub fn run(snap: &Snapshot, g: &mut Graph, a: &TraceArgs) -> Result<Trace, String> {
    let (src_ip, src_host) = resolve(snap, &a.src)?;
    let (dst_ip, dst_host) = resolve(snap, &a.dst)?;
    let proto = parse_proto(&a.proto)?;
    let mut pkt = Packet::zero();
    pkt.src_ip = src_ip;
    pkt.dst_ip = dst_ip;
    pkt.proto = proto;
    if pkt.has_ports() {
        pkt.src_port = a.sport;
        pkt.dst_port = a.dport;
    } else if proto == 1 {
        pkt.icmp_type = 8;
    }
    pkt.src_mac = match &a.src_mac {
        Some(m) => parse_mac(m).ok_or_else(|| format!("bad MAC: {m}"))?,
        None => src_host
            .and_then(|h| snap.hosts[h].mac)
            .unwrap_or(pkt.src_mac),
    };

    let pt = |i: usize| format!("{}:{}", g.points[i].device, g.points[i].interface);
    let mut srcs: Vec<usize> = match src_host {
        Some(h) => (0..g.points.len())
            .filter(|&p| g.points[p].host == Some(h))
            .collect(),
        None => vec![],
    };
    if srcs.is_empty() {
        if let Some(z) = snap.zone_of(src_ip) {
            srcs = (0..g.points.len())
                .filter(|&p| g.points[p].zones.contains(&z))
                .collect();
        }
    }
    if srcs.is_empty() {
        return Err(format!("no edge point for source {}", a.src));
    }
    let dst_zone = snap.zone_of(dst_ip);

    let src_nodes: Vec<NodeId> = srcs.iter().map(|&p| g.points[p].src).collect();
    // Concrete forwarding over the engine's edges: exact for this packet, NAT included.
    let reached = g.engine.packet_paths(&src_nodes, &pkt);
    // A node lives in the device whose edges leave it: the packet entered every device
    // owning an out-edge of a node it reached, whether that edge let it through or not.
    let mut devices = BTreeSet::new();
    let mut stopped: Vec<(NodeId, EdgeId)> = vec![];
    let mut nodes: Vec<NodeId> = reached.keys().copied().collect();
    nodes.sort_unstable();
    for &u in &nodes {
        let at = &reached[&u].2;
        for &e in g.engine.out_edges(u) {
            let info = &g.info[e as usize];
            if let Some(d) = &info.device {
                devices.insert(d.clone());
            }
            let to = g.engine.edges[e as usize].1;
            if !reached.contains_key(&to) && !g.space().contains(g.engine.edge_pred[e as usize], at)
            {
                stopped.push((to, e));
            }
        }
    }

    let mut deliveries = vec![];
    for (pi, p) in g.points.iter().enumerate() {
        let Some((start, steps, at)) = reached.get(&p.sink) else {
            continue;
        };
        if srcs.contains(&pi) {
            continue;
        }
        let destination = match dst_host {
            Some(h) if p.host == Some(h) => true,
            _ => dst_zone.is_some_and(|z| p.zones.contains(&z)),
        };
        let sp = g.points.iter().position(|q| q.src == *start);
        deliveries.push(Delivery {
            point: pt(pi),
            zones: p
                .zones
                .iter()
                .map(|&z| snap.zones[z].name.clone())
                .collect(),
            destination,
            src_point: sp.map(pt),
            path: hops_seq(g, steps),
            arrives_as: ((at.src_ip, at.dst_ip, at.src_port, at.dst_port)
                != (pkt.src_ip, pkt.dst_ip, pkt.src_port, pkt.dst_port))
                .then(|| at.clone()),
            rewrites: rewrites(g, steps, at),
        });
    }
    deliveries.sort_by_key(|d| !d.destination);
    let delivered = deliveries.iter().any(|d| d.destination);
    let verdict = if delivered { "delivered" } else { "dropped" };
    let blocked_at = if delivered {
        vec![]
    } else {
        // The destination host's own port if it has one, else its zone's edge points.
        let of_host: Vec<NodeId> = g
            .points
            .iter()
            .filter(|p| dst_host.is_some() && p.host == dst_host)
            .map(|p| p.sink)
            .collect();
        let targets = if of_host.is_empty() {
            g.points
                .iter()
                .filter(|p| dst_zone.is_some_and(|z| p.zones.contains(&z)))
                .map(|p| p.sink)
                .collect()
        } else {
            of_host
        };
        closest_blocks(g, &targets, &stopped)
    };
    Ok(Trace {
        schema: SCHEMA,
        packet: pkt,
        src_points: srcs.iter().map(|&p| pt(p)).collect(),
        dst_zone: dst_zone.map(|z| snap.zones[z].name.clone()),
        verdict,
        deliveries,
        devices_reached: devices.into_iter().collect(),
        blocked_at,
    })
}

/// Of the edges that stopped the packet, those whose far end is fewest edges (ignoring
/// filters) from one of `targets`.
fn closest_blocks(g: &Graph, targets: &[NodeId], stopped: &[(NodeId, EdgeId)]) -> Vec<Blocked> {
    let n = g.engine.node_count();
    let mut into: Vec<Vec<NodeId>> = vec![vec![]; n];
    for &(a, b) in &g.engine.edges {
        into[b as usize].push(a);
    }
    let mut dist = vec![u32::MAX; n];
    let mut q = std::collections::VecDeque::new();
    for &t in targets {
        dist[t as usize] = 0;
        q.push_back(t);
    }
    while let Some(v) = q.pop_front() {
        for &u in &into[v as usize] {
            if dist[u as usize] == u32::MAX {
                dist[u as usize] = dist[v as usize] + 1;
                q.push_back(u);
            }
        }
    }
    let best = stopped.iter().map(|&(to, _)| dist[to as usize]).min();
    let Some(best) = best.filter(|&d| d != u32::MAX) else {
        return vec![];
    };
    let mut out: BTreeSet<Blocked> = BTreeSet::new();
    for &(to, e) in stopped {
        let info = &g.info[e as usize];
        if dist[to as usize] != best {
            continue;
        }
        if let Some(d) = &info.device {
            out.insert(Blocked {
                device: d.clone(),
                in_if: info.in_if.clone(),
                out_if: info.out_if.clone(),
            });
        }
    }
    out.into_iter().collect()
}

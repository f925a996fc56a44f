//! Dynamic routing as configured (OSPFv2, BGP, EIGRP, RIP) and the routes sanso computes
//! from it. Parsers fill [`Routing::protocols`] and [`Routing::interfaces`] with spans;
//! `ingest::routing` computes OSPF routes when the OSPF domain is closed in the snapshot
//! (docs/semantics.md, "Dynamic routing") and stores them in [`Routing::computed`].

use super::Span;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// Which protocol a `router …` stanza runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "protocol", rename_all = "lowercase")]
pub enum ProtocolKind {
    Ospf { process: u32 },
    Bgp { asn: u32 },
    Eigrp { asn: String },
    Rip,
}

/// A `network` statement: addresses an interface's primary address must fall in (Cisco
/// wildcard) and, for OSPF, the area.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RpNetwork {
    pub addr: Ipv4Addr,
    pub wildcard: Ipv4Addr,
    pub area: Option<u32>,
    pub span: Span,
}

impl RpNetwork {
    pub fn contains(&self, a: Ipv4Addr) -> bool {
        let w = u32::from(self.wildcard);
        (u32::from(a) & !w) == (u32::from(self.addr) & !w)
    }
}

/// What a `redistribute` line injects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RedistSource {
    Static,
    Connected,
    /// Another protocol (`bgp 65001`, `eigrp 1`, `ospf 2`, `rip`): routes sanso does not
    /// know, so an OSPF domain that receives them is open.
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Redistribute {
    pub source: RedistSource,
    /// IOS `subnets`: without it only classful networks are redistributed into OSPF.
    pub subnets: bool,
    /// External metric (OSPF default 20).
    pub metric: Option<u32>,
    /// OSPF external type 1 (`metric-type 1`); default type 2.
    pub type1: bool,
    pub span: Span,
}

/// A configured neighbour (BGP `neighbor A remote-as N`, EIGRP / RIP `neighbor A`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RpNeighbor {
    /// Address, or a peer-group name.
    pub peer: String,
    pub remote_as: Option<u32>,
    pub span: Span,
}

/// One routing process (`router ospf 1`, `router bgp 65001`, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoutingProtocol {
    pub kind: ProtocolKind,
    /// The `router …` line.
    pub span: Span,
    pub router_id: Option<Ipv4Addr>,
    pub networks: Vec<RpNetwork>,
    /// `passive-interface default`.
    pub passive_default: Option<Span>,
    /// `passive-interface IF` (true) / `no passive-interface IF` (false), canonical names.
    pub passive: Vec<(String, bool, Span)>,
    pub redistribute: Vec<Redistribute>,
    /// OSPF `default-information originate [always]`: (always, metric, type 1, line).
    pub default_originate: Option<(bool, Option<u32>, bool, Span)>,
    /// OSPF `auto-cost reference-bandwidth N` (Mbit/s; default 100).
    pub reference_bw_mbps: Option<u64>,
    /// `maximum-paths N` (IOS OSPF default 4).
    pub maximum_paths: Option<u32>,
    pub neighbors: Vec<RpNeighbor>,
    /// Lines of the stanza that stayed unrecognised: what they do to the routes (a
    /// distribute-list, a stub area, a summary) is unknown.
    pub unmodelled: Vec<Span>,
}

impl RoutingProtocol {
    pub fn new(kind: ProtocolKind, span: Span) -> Self {
        RoutingProtocol {
            kind,
            span,
            router_id: None,
            networks: vec![],
            passive_default: None,
            passive: vec![],
            redistribute: vec![],
            default_originate: None,
            reference_bw_mbps: None,
            maximum_paths: None,
            neighbors: vec![],
            unmodelled: vec![],
        }
    }
    pub fn is_ospf(&self) -> bool {
        matches!(self.kind, ProtocolKind::Ospf { .. })
    }
    /// A BGP, EIGRP or RIP process that learns routes sanso does not compute: the
    /// snapshot's routing taints the device's routing with its neighbour lines (BGP) or its
    /// `router` line (`ingest::routing::compute`), so whatever its other lines change
    /// (route-maps, timers, address families) lies inside that taint.
    pub fn taints_routing(&self) -> bool {
        match self.kind {
            ProtocolKind::Ospf { .. } => false,
            ProtocolKind::Bgp { .. } => !self.neighbors.is_empty(),
            ProtocolKind::Eigrp { .. } | ProtocolKind::Rip => {
                !(self.networks.is_empty() && self.neighbors.is_empty())
            }
        }
    }
    /// Is `ifname` passive in this process?
    pub fn is_passive(&self, ifname: &str) -> bool {
        let mut p = self.passive_default.is_some();
        for (n, v, _) in &self.passive {
            if n == ifname {
                p = *v;
            }
        }
        p
    }
}

/// OSPF network type of an interface (`ip ospf network …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OspfNetType {
    Broadcast,
    PointToPoint,
}

/// Routing settings of one interface (IOS `ip ospf …`, `bandwidth`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IfRouting {
    /// `ip ospf PROCESS area AREA`.
    pub ospf_area: Option<(u32, u32, Span)>,
    pub ospf_cost: Option<(u32, Span)>,
    /// `bandwidth N` (kbit/s): the OSPF cost is the reference bandwidth over it.
    pub bandwidth_kbps: Option<(u64, Span)>,
    pub hello: Option<u32>,
    pub dead: Option<u32>,
    pub net_type: Option<OspfNetType>,
    /// `ip ospf priority 0`: never DR.
    pub priority: Option<u32>,
    /// Routing lines of the interface that stayed unrecognised (authentication, …):
    /// whether the adjacency forms is unknown.
    pub unmodelled: Vec<Span>,
    /// Every modelled routing line of the interface.
    pub lines: Vec<Span>,
}

/// How a computed OSPF route was learned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OspfPath {
    IntraArea,
    InterArea,
    External1,
    External2,
}

/// A route computed from the OSPF configs of the snapshot: one per (prefix, exit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DynRoute {
    pub prefix: Ipv4Addr,
    pub len: u8,
    /// Exit interface (canonical name) and next-hop address.
    pub interface: String,
    pub next_hop: Ipv4Addr,
    pub path: OspfPath,
    pub metric: u32,
    /// The lines that produced it: this router's OSPF line for the exit interface, the
    /// neighbour's for its interface, and the originator's line for the prefix.
    pub spans: Vec<Span>,
}

/// Dynamic routing of a device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Routing {
    pub protocols: Vec<RoutingProtocol>,
    /// Per interface (canonical name).
    pub interfaces: BTreeMap<String, IfRouting>,
    /// OSPF routes computed from the snapshot (empty when a routing-table dump gives the
    /// device's routes).
    pub computed: Vec<DynRoute>,
}

impl Routing {
    pub fn is_empty(&self) -> bool {
        self.protocols.is_empty() && self.interfaces.is_empty() && self.computed.is_empty()
    }
}

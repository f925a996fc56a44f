//! Dynamic routing stanzas (`router ospf|bgp|eigrp|rip`) and the interface OSPF settings,
//! read into [`crate::model::Routing`]. What a line of these stanzas does and sanso does
//! not model (route-maps, distribute-lists, stub areas, summaries, authentication) stays
//! unrecognised with routing scope and is recorded on the process or interface, so the
//! route computation (`ingest::routing`) treats the OSPF domain as open.

use super::lexing::{ip, mask_len};
use super::{canon_if, un, Ctx, Out, Parser};
use crate::model::{
    OspfNetType, ProtocolKind, RedistSource, Redistribute, RoutingProtocol, RpNeighbor, RpNetwork,
    Scope,
};
use std::net::Ipv4Addr;

const NOT_MODELLED: &str = "routing protocol setting (not modelled)";
/// Lines that change nothing in the converged routing table (logging, timers, graceful
/// restart, BFD, SNMP traps).
const RT_IRR: &str = "routing protocol logging / timers (no effect on converged routes)";

/// An OSPF area: a number or a dotted quad.
fn area(s: &str) -> Option<u32> {
    s.parse::<u32>()
        .ok()
        .or_else(|| s.parse::<Ipv4Addr>().ok().map(u32::from))
}

fn num(s: Option<&&str>) -> Option<u32> {
    s.and_then(|s| s.parse().ok())
}

impl Parser {
    /// `router ospf N` / `router bgp AS` / `router eigrp X` / `router rip`.
    pub(in crate::ingest) fn router_header(&mut self, ln: u32, trimmed: &str, t: &[&str]) -> Out {
        let k1 = t.get(1).map(|s| s.to_ascii_lowercase()).unwrap_or_default();
        let kind = match (k1.as_str(), t.len()) {
            ("ospf", 3) => num(t.get(2)).map(|process| ProtocolKind::Ospf { process }),
            ("bgp", 3) => t
                .get(2)
                .and_then(|a| bgp_asn(a))
                .map(|asn| ProtocolKind::Bgp { asn }),
            ("eigrp", 3) => t.get(2).map(|a| ProtocolKind::Eigrp { asn: a.to_string() }),
            ("rip", 2) => Some(ProtocolKind::Rip),
            _ => None,
        };
        let Some(kind) = kind else {
            return self.unknown_stanza(
                trimmed,
                Scope::Routing,
                "dynamic routing protocol (not modelled)",
            );
        };
        let span = self.span(ln);
        self.dev
            .routing
            .protocols
            .push(RoutingProtocol::new(kind, span));
        self.ctx = Ctx::Router {
            idx: self.dev.routing.protocols.len() - 1,
        };
        Out::Ok
    }

    /// A line inside a `router …` stanza.
    pub(in crate::ingest) fn router_sub(
        &mut self,
        ln: u32,
        idx: usize,
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let out = self.router_line(ln, idx, t, kw);
        let span = self.span(ln);
        let Some(p) = self.dev.routing.protocols.get_mut(idx) else {
            return out;
        };
        match out {
            // Named after the stanza, as other stanzas' lines are: a routing-table dump
            // covers them (`state::routes::covered_by_rib`).
            Out::Un(reason, scope) => {
                p.unmodelled.push(span);
                let head = match &p.kind {
                    ProtocolKind::Ospf { process } => format!("router ospf {process}"),
                    ProtocolKind::Bgp { asn } => format!("router bgp {asn}"),
                    ProtocolKind::Eigrp { asn } => format!("router eigrp {asn}"),
                    ProtocolKind::Rip => "router rip".into(),
                };
                Out::Un(format!("inside `{head}`: {reason}"), scope)
            }
            o => o,
        }
    }

    fn router_line(&mut self, ln: u32, idx: usize, t: &[&str], kw: &[String]) -> Out {
        let span = self.span(ln);
        let Some(kind) = self.dev.routing.protocols.get(idx).map(|p| p.kind.clone()) else {
            return un(NOT_MODELLED, Scope::Routing);
        };
        let k = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        let n = t.len();
        let p = &mut self.dev.routing.protocols[idx];
        let ospf = matches!(kind, ProtocolKind::Ospf { .. });
        let bgp = matches!(kind, ProtocolKind::Bgp { .. });
        match k(0) {
            "router-id" if ospf && n == 2 => match t.get(1).and_then(|s| ip(s)) {
                Some(a) => {
                    p.router_id = Some(a);
                    Out::Ok
                }
                None => un("malformed router-id", Scope::Routing),
            },
            "eigrp" if k(1) == "router-id" && n == 3 => Out::Ok,
            "bgp" if bgp => match k(1) {
                "router-id" if n == 3 => match t.get(2).and_then(|s| ip(s)) {
                    Some(a) => {
                        p.router_id = Some(a);
                        Out::Ok
                    }
                    None => un("malformed bgp router-id", Scope::Routing),
                },
                "log-neighbor-changes" => Out::Irr(RT_IRR),
                _ => un(NOT_MODELLED, Scope::Routing),
            },
            "log-adjacency-changes"
            | "log-neighbor-changes"
            | "timers"
            | "nsf"
            | "bfd"
            | "ispf" => Out::Irr(RT_IRR),
            "network" => self.router_network(span, idx, &kind, t, kw),
            "passive-interface" if !bgp => {
                match t.get(1) {
                    Some(_) if k(1) == "default" && n == 2 => p.passive_default = Some(span),
                    Some(i) if n == 2 => p.passive.push((canon_if(i), true, span)),
                    _ => return un("malformed passive-interface", Scope::Routing),
                }
                Out::Ok
            }
            "no" if k(1) == "passive-interface" && !bgp => match t.get(2) {
                Some(_) if k(2) == "default" && n == 3 => {
                    p.passive_default = None;
                    Out::Ok
                }
                Some(i) if n == 3 => {
                    p.passive.push((canon_if(i), false, span));
                    Out::Ok
                }
                _ => un("malformed no passive-interface", Scope::Routing),
            },
            // Classful summarisation at network boundaries (EIGRP / RIP): `no
            // auto-summary` is the modern default and the only form modelled.
            "no" if k(1) == "auto-summary" && n == 2 => Out::Ok,
            "version" if matches!(kind, ProtocolKind::Rip) && k(1) == "2" && n == 2 => Out::Ok,
            "auto-cost" if ospf && k(1) == "reference-bandwidth" && n == 3 => {
                match t.get(2).and_then(|s| s.parse::<u64>().ok()) {
                    Some(b) if b > 0 => {
                        p.reference_bw_mbps = Some(b);
                        Out::Ok
                    }
                    _ => un("malformed reference bandwidth", Scope::Routing),
                }
            }
            "maximum-paths" if n == 2 => match num(t.get(1)) {
                Some(m) if m > 0 => {
                    p.maximum_paths = Some(m);
                    Out::Ok
                }
                _ => un("malformed maximum-paths", Scope::Routing),
            },
            "redistribute" => redistribute(p, span, ospf, t, kw),
            "default-information" if ospf && k(1) == "originate" => {
                let (mut always, mut metric, mut type1) = (false, None, false);
                let mut i = 2;
                while i < n {
                    match k(i) {
                        "always" => always = true,
                        "metric" => {
                            metric = num(t.get(i + 1));
                            if metric.is_none() {
                                return un("malformed default-information metric", Scope::Routing);
                            }
                            i += 1;
                        }
                        "metric-type" => {
                            match k(i + 1) {
                                "1" => type1 = true,
                                "2" => type1 = false,
                                _ => return un("malformed metric-type", Scope::Routing),
                            }
                            i += 1;
                        }
                        _ => return un("default-information option not modelled", Scope::Routing),
                    }
                    i += 1;
                }
                p.default_originate = Some((always, metric, type1, span));
                Out::Ok
            }
            "neighbor" => {
                let Some(peer) = t.get(1) else {
                    return un("malformed neighbor", Scope::Routing);
                };
                let peer = peer.to_string();
                if !bgp {
                    // EIGRP / RIP unicast neighbour (`neighbor A [IF]`).
                    return if ip(&peer).is_some() && n <= 3 {
                        p.neighbors.push(RpNeighbor {
                            peer,
                            remote_as: None,
                            span,
                        });
                        Out::Ok
                    } else {
                        un(NOT_MODELLED, Scope::Routing)
                    };
                }
                match k(2) {
                    "remote-as" if n == 4 => match t.get(3).and_then(|a| bgp_asn(a)) {
                        Some(a) => {
                            p.neighbors.push(RpNeighbor {
                                peer,
                                remote_as: Some(a),
                                span,
                            });
                            Out::Ok
                        }
                        None => un("malformed remote-as", Scope::Routing),
                    },
                    // Session bookkeeping: which routes are learned is unknown anyway
                    // (a BGP neighbour makes the device's routing state-dependent).
                    "activate"
                    | "peer-group"
                    | "update-source"
                    | "send-community"
                    | "soft-reconfiguration" => Out::Ok,
                    "description" | "timers" => Out::Irr(RT_IRR),
                    _ => un(NOT_MODELLED, Scope::Routing),
                }
            }
            "address-family" if bgp => match (k(1), k(2)) {
                ("ipv4", "" | "unicast") => Out::Ok,
                // A VRF's table serves only the VRF's interfaces, which are unrecognised;
                // its neighbours still taint the device's routing (over-approximation).
                ("ipv4", "vrf") if n == 4 => Out::Ok,
                _ => un("BGP address family outside IPv4 unicast", Scope::Routing),
            },
            "exit-address-family" | "exit" => Out::Ok,
            _ => un(NOT_MODELLED, Scope::Routing),
        }
    }

    fn router_network(
        &mut self,
        span: crate::model::Span,
        idx: usize,
        kind: &ProtocolKind,
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let n = t.len();
        let p = &mut self.dev.routing.protocols[idx];
        let push = |p: &mut RoutingProtocol, addr: Ipv4Addr, wildcard: Ipv4Addr, area| {
            p.networks.push(RpNetwork {
                addr,
                wildcard,
                area,
                span: span.clone(),
            });
            Out::Ok
        };
        let prefix_wc = |len: u8| {
            Ipv4Addr::from(if len == 0 {
                u32::MAX
            } else {
                !(u32::MAX << (32 - len))
            })
        };
        match kind {
            // `network A W area N` (IOS) or `network A/L area N` (AlliedWare Plus).
            ProtocolKind::Ospf { .. } => {
                let (a, w, rest) = match t.get(1).and_then(|s| s.split_once('/')) {
                    Some((a, l)) => match (ip(a), l.parse::<u8>().ok().filter(|l| *l <= 32)) {
                        (Some(a), Some(l)) => (a, prefix_wc(l), 2),
                        _ => return un("malformed OSPF network", Scope::Routing),
                    },
                    None => match (t.get(1).and_then(|s| ip(s)), t.get(2).and_then(|s| ip(s))) {
                        (Some(a), Some(w)) => (a, w, 3),
                        _ => return un("malformed OSPF network", Scope::Routing),
                    },
                };
                match (kw.get(rest).map(String::as_str), t.get(rest + 1)) {
                    (Some("area"), Some(ar)) if n == rest + 2 => match area(ar) {
                        Some(ar) => push(p, a, w, Some(ar)),
                        None => un("malformed OSPF area", Scope::Routing),
                    },
                    _ => un("malformed OSPF network", Scope::Routing),
                }
            }
            // `network A [mask M] [route-map X]` (IOS), `network A/L [route-map X]`
            // (AlliedWare Plus): BGP origination. A route-map only shapes what is sent to
            // peers, whose BGP routes are state-dependent anyway (docs/semantics.md).
            ProtocolKind::Bgp { .. } => {
                let n = match kw.get(n.saturating_sub(2)).map(String::as_str) {
                    Some("route-map") if n >= 4 => n - 2,
                    _ => n,
                };
                let prefix = t
                    .get(1)
                    .and_then(|s| s.split_once('/'))
                    .map(|(a, l)| (ip(a), l.parse::<u8>().ok().filter(|l| *l <= 32)));
                match (prefix, t.get(1).and_then(|s| ip(s)), n) {
                    (Some((Some(a), Some(l))), _, 2) => push(p, a, prefix_wc(l), None),
                    (Some(_), _, _) => un("malformed BGP network", Scope::Routing),
                    (None, Some(a), 2) => push(p, a, classful_wildcard(a), None),
                    (None, Some(a), 4) if kw[2] == "mask" => {
                        match t.get(3).and_then(|m| ip(m)).and_then(mask_len) {
                            Some(l) => push(p, a, prefix_wc(l), None),
                            None => un("malformed BGP network mask", Scope::Routing),
                        }
                    }
                    _ => un("BGP network option not modelled", Scope::Routing),
                }
            }
            // EIGRP `network A [W]`, RIP `network A` (classful).
            ProtocolKind::Eigrp { .. } | ProtocolKind::Rip => {
                match (
                    t.get(1).and_then(|s| ip(s)),
                    t.get(2).and_then(|s| ip(s)),
                    n,
                ) {
                    (Some(a), _, 2) => push(p, a, classful_wildcard(a), None),
                    (Some(a), Some(w), 3) => push(p, a, w, None),
                    _ => un("malformed network", Scope::Routing),
                }
            }
        }
    }

    /// `ip ospf …` on an interface (`idx`: the interfaces of the stanza).
    pub(in crate::ingest) fn iface_ospf(
        &mut self,
        ln: u32,
        idx: &[usize],
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let span = self.span(ln);
        let k = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        let n = t.len();
        enum Set {
            Area(u32, u32),
            Cost(u32),
            Hello(u32),
            Dead(u32),
            Net(OspfNetType),
            Prio(u32),
        }
        // Retransmission and transmit-delay timers need not match between neighbours
        // (only hello / dead intervals must): no effect on adjacencies or routes.
        if n == 4 && matches!(k(2), "retransmit-interval" | "transmit-delay") {
            return Out::Irr(
                "OSPF retransmit / transmit-delay timer (need not match between neighbours; no effect on adjacencies or routes)",
            );
        }
        let set = match k(2) {
            "cost" if n == 4 => num(t.get(3)).filter(|c| *c > 0).map(Set::Cost),
            "hello-interval" if n == 4 => num(t.get(3)).map(Set::Hello),
            "dead-interval" if n == 4 => num(t.get(3)).map(Set::Dead),
            "priority" if n == 4 => num(t.get(3)).map(Set::Prio),
            "network" if n == 4 => match k(3) {
                "point-to-point" => Some(Set::Net(OspfNetType::PointToPoint)),
                "broadcast" => Some(Set::Net(OspfNetType::Broadcast)),
                _ => None,
            },
            p if n == 5 && k(3) == "area" => match (p.parse::<u32>().ok(), t.get(4)) {
                (Some(pr), Some(a)) => area(a).map(|a| Set::Area(pr, a)),
                _ => None,
            },
            _ => None,
        };
        let names: Vec<String> = idx
            .iter()
            .filter_map(|&i| self.dev.interfaces.get(i))
            .map(|i| i.name.clone())
            .collect();
        for name in names {
            let r = self.dev.routing.interfaces.entry(name).or_default();
            match &set {
                None => r.unmodelled.push(span.clone()),
                Some(s) => {
                    r.lines.push(span.clone());
                    match s {
                        Set::Area(p, a) => r.ospf_area = Some((*p, *a, span.clone())),
                        Set::Cost(c) => r.ospf_cost = Some((*c, span.clone())),
                        Set::Hello(h) => r.hello = Some(*h),
                        Set::Dead(d) => r.dead = Some(*d),
                        Set::Net(x) => r.net_type = Some(*x),
                        Set::Prio(x) => r.priority = Some(*x),
                    }
                }
            }
        }
        match set {
            Some(_) => Out::Ok,
            None => un(
                "OSPF interface setting (not modelled: whether the adjacency forms is unknown)",
                Scope::Routing,
            ),
        }
    }

    /// `bandwidth N` (kbit/s) on an interface: the base of its OSPF cost.
    pub(in crate::ingest) fn iface_bandwidth(
        &mut self,
        ln: u32,
        idx: &[usize],
        t: &[&str],
    ) -> bool {
        let Some(bw) = t
            .get(1)
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|b| *b > 0)
        else {
            return false;
        };
        if t.len() != 2 {
            return false;
        }
        let span = self.span(ln);
        let names: Vec<String> = idx
            .iter()
            .filter_map(|&i| self.dev.interfaces.get(i))
            .map(|i| i.name.clone())
            .collect();
        for name in names {
            let r = self.dev.routing.interfaces.entry(name).or_default();
            r.bandwidth_kbps = Some((bw, span.clone()));
        }
        true
    }
}

/// `redistribute static|connected|PROTO … [subnets] [metric N] [metric-type 1|2] [tag N]`;
/// a route-map (or any other option) filters or rewrites what is injected: unrecognised.
fn redistribute(
    p: &mut RoutingProtocol,
    span: crate::model::Span,
    ospf: bool,
    t: &[&str],
    kw: &[String],
) -> Out {
    let k = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
    let (source, mut i) = match k(1) {
        "static" => (RedistSource::Static, 2),
        "connected" => (RedistSource::Connected, 2),
        "bgp" | "eigrp" | "ospf" if t.get(2).is_some_and(|a| a.parse::<u32>().is_ok()) => {
            (RedistSource::Other(format!("{} {}", k(1), k(2))), 3)
        }
        "rip" | "isis" | "odr" => (RedistSource::Other(k(1).to_string()), 2),
        _ => return un("redistribute source not modelled", Scope::Routing),
    };
    let mut r = Redistribute {
        source,
        // Only OSPF restricts to classful networks without `subnets`.
        subnets: !ospf,
        metric: None,
        type1: false,
        span,
    };
    while i < t.len() {
        match k(i) {
            "subnets" => r.subnets = true,
            "metric" => {
                r.metric = num(t.get(i + 1));
                if r.metric.is_none() {
                    return un("redistribute metric not modelled", Scope::Routing);
                }
                i += 1;
            }
            "metric-type" if ospf => {
                match k(i + 1) {
                    "1" => r.type1 = true,
                    "2" => r.type1 = false,
                    _ => return un("malformed metric-type", Scope::Routing),
                }
                i += 1;
            }
            "tag" if num(t.get(i + 1)).is_some() => i += 1,
            _ => {
                return un(
                    "redistribute option not modelled (route-map, …)",
                    Scope::Routing,
                )
            }
        }
        i += 1;
    }
    p.redistribute.push(r);
    Out::Ok
}

/// A BGP AS number: `65001` or asdot `1.10`.
fn bgp_asn(s: &str) -> Option<u32> {
    if let Some((hi, lo)) = s.split_once('.') {
        let (hi, lo): (u32, u32) = (hi.parse().ok()?, lo.parse().ok()?);
        (hi <= 65535 && lo <= 65535).then_some((hi << 16) | lo)
    } else {
        s.parse().ok()
    }
}

/// The classful network of `a` as a wildcard (A /8, B /16, C /24).
pub(in crate::ingest) fn classful_wildcard(a: Ipv4Addr) -> Ipv4Addr {
    let first = a.octets()[0];
    Ipv4Addr::from(match first {
        0..=127 => 0x00ff_ffffu32,
        128..=191 => 0x0000_ffff,
        _ => 0x0000_00ff,
    })
}

//! `protocols ospf` and `protocols bgp` read into [`crate::model::Routing`] (the
//! vendor-neutral facts the OSPF computation of `ingest::routing` uses). What these
//! hierarchies say and sanso does not model (export policies, stub areas,
//! authentication) stays unrecognised with routing scope and opens the OSPF domain.
//! BGP's other statements are read as part of its neighbours' state-dependent fact.

use super::lexing::Leaf;
use super::J;
use crate::model::{OspfNetType, ProtocolKind, RoutingProtocol, RpNeighbor, Scope};
use std::net::Ipv4Addr;

const RT_IRR: &str = "routing protocol logging / timers (no effect on converged routes)";

/// An OSPF area (`0.0.0.1` or `1`).
fn area(s: &str) -> Option<u32> {
    s.parse::<Ipv4Addr>()
        .ok()
        .map(u32::from)
        .or_else(|| s.parse().ok())
}

/// Junos bandwidth (`1g`, `100m`, `10000`), in kbit/s.
fn bandwidth_kbps(s: &str) -> Option<u64> {
    let l = s.to_ascii_lowercase();
    let (num, mul) = match l.chars().last()? {
        'k' => (&l[..l.len() - 1], 1),
        'm' => (&l[..l.len() - 1], 1_000),
        'g' => (&l[..l.len() - 1], 1_000_000),
        _ => (l.as_str(), 0),
    };
    let n: u64 = num.parse().ok()?;
    Some(if mul == 0 { n / 1000 } else { n * mul })
}

/// A logical interface name: `ge-0/0/0` means unit 0.
fn unit_name(s: &str) -> String {
    if s.contains('.') {
        s.to_string()
    } else {
        format!("{s}.0")
    }
}

impl J {
    fn proto_idx(&mut self, ospf: bool, line: u32) -> usize {
        let found = self
            .routing
            .protocols
            .iter()
            .position(|p| p.is_ospf() == ospf);
        found.unwrap_or_else(|| {
            let kind = if ospf {
                ProtocolKind::Ospf { process: 0 }
            } else {
                ProtocolKind::Bgp { asn: 0 }
            };
            let mut p = RoutingProtocol::new(kind, self.span(line));
            // Junos installs one of several equal-cost paths unless a forwarding-table
            // policy asks for load balancing.
            p.maximum_paths = Some(1);
            self.routing.protocols.push(p);
            self.routing.protocols.len() - 1
        })
    }

    /// A line of `protocols ospf` / `protocols bgp` not modelled: unrecognised, and the
    /// process records it (the domain is open).
    fn rp_bad(&mut self, idx: usize, ln: u32, why: &str) {
        let head = if self.routing.protocols[idx].is_ospf() {
            "protocols ospf"
        } else {
            "protocols bgp"
        };
        let span = self.span(ln);
        self.routing.protocols[idx].unmodelled.push(span);
        self.acc
            .bad(ln, &format!("inside `{head}`: {why}"), Scope::Routing);
    }

    pub(super) fn ospf(&mut self, l: &Leaf) {
        let ln = l.line;
        let idx = self.proto_idx(true, ln);
        let w: Vec<&str> = l.w.iter().skip(2).map(String::as_str).collect();
        match w.as_slice() {
            ["area", a, "interface", i, rest @ ..] => {
                let Some(a) = area(a) else {
                    return self.rp_bad(idx, ln, "malformed area");
                };
                if *i == "all" {
                    return self.rp_bad(idx, ln, "`interface all` not modelled");
                }
                let name = unit_name(i);
                let span = self.span(ln);
                let r = self.routing.interfaces.entry(name.clone()).or_default();
                if r.ospf_area.is_none() {
                    r.ospf_area = Some((0, a, span.clone()));
                }
                let ok = match rest {
                    [] => true,
                    ["passive"] => {
                        self.routing.protocols[idx].passive.push((
                            name.clone(),
                            true,
                            span.clone(),
                        ));
                        true
                    }
                    ["metric", m] => match m.parse::<u32>() {
                        Ok(m) => {
                            r.ospf_cost = Some((m, span.clone()));
                            true
                        }
                        Err(_) => false,
                    },
                    ["interface-type", "p2p"] => {
                        r.net_type = Some(OspfNetType::PointToPoint);
                        true
                    }
                    ["hello-interval", h] => h.parse().map(|h| r.hello = Some(h)).is_ok(),
                    ["dead-interval", h] => h.parse().map(|h| r.dead = Some(h)).is_ok(),
                    ["priority", p] => p.parse().map(|p| r.priority = Some(p)).is_ok(),
                    ["bfd-liveness-detection", ..] => {
                        self.acc.irr(ln, RT_IRR);
                        return;
                    }
                    _ => false,
                };
                if ok {
                    r.lines.push(span);
                    self.acc.ok(ln);
                } else {
                    r.unmodelled.push(span);
                    self.acc.bad(
                        ln,
                        "OSPF interface setting (not modelled: whether the adjacency forms is unknown)",
                        Scope::Routing,
                    );
                }
            }
            ["reference-bandwidth", b] => match bandwidth_kbps(b) {
                Some(k) if k >= 1000 => {
                    self.routing.protocols[idx].reference_bw_mbps = Some(k / 1000);
                    self.acc.ok(ln);
                }
                _ => self.rp_bad(idx, ln, "malformed reference-bandwidth"),
            },
            ["traceoptions", ..] | ["graceful-restart", ..] => self.acc.irr(ln, RT_IRR),
            _ => self.rp_bad(idx, ln, "OSPF statement not modelled"),
        }
    }

    pub(super) fn bgp(&mut self, l: &Leaf) {
        let ln = l.line;
        let idx = self.proto_idx(false, ln);
        let w: Vec<&str> = l.w.iter().skip(2).map(String::as_str).collect();
        let span = self.span(ln);
        let peer = |j: &mut J, addr: &str, asn: Option<u32>| {
            let p = &mut j.routing.protocols[idx];
            match p.neighbors.iter_mut().find(|n| n.peer == addr) {
                Some(n) => {
                    if asn.is_some() {
                        n.remote_as = asn;
                    }
                }
                None => p.neighbors.push(RpNeighbor {
                    peer: addr.to_string(),
                    remote_as: asn,
                    span: span.clone(),
                }),
            }
            j.acc.ok(ln);
        };
        match w.as_slice() {
            ["group", _, "neighbor", a, "peer-as", n] => peer(self, a, n.parse().ok()),
            ["group", _, "neighbor", a] => peer(self, a, None),
            ["group", _, "neighbor", _, "description", ..]
            | ["group", _, "description", ..]
            | ["log-updown"]
            | ["group", _, "log-updown"]
            | ["traceoptions", ..] => self.acc.irr(ln, RT_IRR),
            ["group", _, "type", "external" | "internal"]
            | ["group", _, "peer-as", _]
            | ["group", _, "local-address", _]
            | ["group", _, "neighbor", _, "local-address", _]
            | ["group", _, "family", "inet", "unicast"]
            | ["local-as", _] => self.acc.ok(ln),
            // Dynamic neighbours: any peer in the prefix may open a session.
            ["group", _, "allow", p] => peer(self, &format!("(any in {p})"), None),
            // Anything else (import / export policies, multipath, families, timers,
            // per-neighbour settings) only changes which routes BGP learns or sends. BGP
            // routes are not computed: every neighbour makes the device's routing
            // state-dependent (ingest/routing.rs), which covers what these lines do. So
            // they are read as part of that fact, and the neighbour they name is one;
            // without any neighbour they stay unrecognised (`finish_bgp`).
            ["group", _, "neighbor", a, ..] => {
                peer(self, a, None);
                self.routing.protocols[idx].unmodelled.push(span.clone());
            }
            _ => {
                self.routing.protocols[idx].unmodelled.push(span.clone());
                self.acc.ok(ln);
            }
        }
    }

    /// BGP lines read as part of the neighbours' routing fact (above) when the process
    /// has no neighbour: nothing taints the device for them, so they are unrecognised.
    pub(super) fn finish_bgp(&mut self) {
        let lines: Vec<u32> = self
            .routing
            .protocols
            .iter()
            .filter(|p| !p.is_ospf() && p.neighbors.is_empty())
            .flat_map(|p| p.unmodelled.iter().map(|s| s.line))
            .collect();
        for l in lines {
            self.acc.bad(
                l,
                "inside `protocols bgp`: BGP statement not modelled (no neighbour)",
                Scope::Routing,
            );
        }
    }
}

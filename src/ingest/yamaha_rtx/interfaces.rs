//! Interfaces: `ip lanN address`, `ip lanN secondary address`, `ip lanN secure filter`,
//! VLAN interfaces (`vlan lanN/M 802.1q vid=V`: lanN/M is a routed sub-interface of
//! lanN with tag V), port separation (`lan type lanN port-based-option=divide-network`:
//! the switch ports of lanN become the separate routed interfaces lanN.1, lanN.2, …,
//! each configured by its own `ip lanN.M …` lines), `lan shutdown`.

use super::{lexing, un, Bind, Dir, Out, Parser};
use crate::model::{Route, Scope};
use std::net::Ipv4Addr;

impl Parser {
    /// `ip lanN …`, and `ip pp …` / `ip tunnel …` in a `pp|tunnel select` context:
    /// `name` is the interface, the command starts at t[2].
    pub(super) fn ip_if(&mut self, ln: u32, name: String, t: &[&str]) -> Out {
        let scope = Scope::Interface(name.clone());
        let w = |i: usize| t.get(i).copied().unwrap_or("");
        match (w(2), w(3)) {
            ("address", "dhcp") => {
                self.iface(&name, ln);
                un(
                    "address from DHCP: the connected subnet is not in the configuration",
                    scope,
                )
            }
            ("address", _) | ("secondary", "address") => {
                let a = if w(2) == "secondary" { w(4) } else { w(3) };
                let Some((addr, len)) = lexing::prefix(a) else {
                    return un(format!("address {a} not understood"), scope);
                };
                if (w(2) == "address" && t.len() > 4) || t.len() > 5 {
                    return un("address options not modelled", scope);
                }
                let i = self.iface(&name, ln);
                let itf = &mut self.dev.interfaces[i];
                if w(2) == "address" {
                    // One primary address: a later line replaces it.
                    if itf.addresses.is_empty() {
                        itf.addresses.push((addr, len));
                    } else {
                        itf.addresses[0] = (addr, len);
                    }
                } else {
                    itf.addresses.push((addr, len));
                }
                Out::Ok
            }
            ("secure", "filter") => {
                let Some(dir) = Dir::parse(w(4)) else {
                    return un("secure filter direction", scope);
                };
                let mut statics = vec![];
                let mut dynamics = vec![];
                let mut dynamic = false;
                for x in &t[5..] {
                    if *x == "dynamic" {
                        dynamic = true;
                        continue;
                    }
                    let Ok(n) = x.parse::<u32>() else {
                        return un(format!("secure filter list item {x} not modelled"), scope);
                    };
                    if dynamic {
                        dynamics.push(n);
                    } else {
                        statics.push(n);
                    }
                }
                self.iface(&name, ln);
                self.binds.retain(|b| !(b.ifname == name && b.dir == dir));
                self.binds.push(Bind {
                    ifname: name,
                    dir,
                    statics,
                    dynamics,
                    line: ln,
                });
                Out::Ok
            }
            ("nat", "descriptor") => {
                let ids: Vec<u32> = t[4..].iter().filter_map(|x| x.parse().ok()).collect();
                self.iface(&name, ln);
                self.nat_binds.push((name, ids, ln));
                Out::Ok
            }
            // The addresses remote-access clients of a pp receive: routed into the pp
            // (every pool address, a superset of the clients connected at one time).
            ("remote", "address") if name.starts_with("pp") => match (w(4), w(5)) {
                ("pool", r) if r.contains('-') && t.len() == 6 => {
                    let Some((lo, hi)) = r
                        .split_once('-')
                        .and_then(|(a, b)| Some((a.parse::<Ipv4Addr>().ok()?, b.parse::<Ipv4Addr>().ok()?)))
                        .filter(|(a, b)| a <= b)
                    else {
                        return un(format!("address pool {r} not understood"), scope);
                    };
                    self.iface(&name, ln);
                    for (prefix, len) in crate::model::range_prefixes(lo, hi) {
                        self.dev.routes.push(Route {
                            prefix,
                            len,
                            next_hop: None,
                            interface: Some(name.clone()),
                            discard: false,
                            span: self.dev.span(ln),
                        });
                    }
                    Out::Ok
                }
                ("pool", "dhcp") => un(
                    "remote addresses from the DHCP scope: which LAN addresses are behind the pp depends on the leases",
                    scope,
                ),
                _ => un("remote address form not modelled", scope),
            },
            ("proxyarp", _) => Out::Irr(
                "proxy ARP (hosts reach other subnets through this router and its filters)",
            ),
            ("mtu", _) | ("tcp", _) => Out::Irr("MTU / TCP MSS"),
            ("intrusion", _) => Out::Irr("intrusion detection (can only drop attack packets)"),
            ("vrrp", _) => Out::Irr("VRRP (which router of a pair answers the virtual address)"),
            ("rip", _) | ("ospf", _) => {
                un("dynamic routing protocol (not modelled)", Scope::Routing)
            }
            _ => un("RTX interface command not modelled", scope),
        }
    }

    /// `vlan lanN/M 802.1q vid=V [name=…]`.
    pub(super) fn vlan(&mut self, ln: u32, t: &[&str]) -> Out {
        let name = lexing::ifname(t.get(1).copied().unwrap_or(""));
        let parent = name.split_once('/').map(|(p, _)| p.to_string());
        let vid = t
            .get(3)
            .and_then(|v| v.strip_prefix("vid="))
            .and_then(|v| v.parse::<u16>().ok())
            .filter(|v| (1..=4094).contains(v));
        match (parent, t.get(2).copied(), vid) {
            (Some(p), Some("802.1q"), Some(v))
                if lexing::is_lan(&name) && t[4..].iter().all(|o| o.starts_with("name=")) =>
            {
                self.iface(&p, ln);
                let i = self.iface(&name, ln);
                self.dev.interfaces[i].parent = Some((p, v));
                let span = self.dev.span(ln);
                self.dev.vlans.entry(v).or_insert(span);
                Out::Ok
            }
            _ => un("vlan form not modelled", Scope::Device),
        }
    }

    /// `lan type lanN …`, `lan shutdown lanN`, other `lan` settings.
    pub(super) fn lan(&mut self, ln: u32, t: &[&str]) -> Out {
        let name = lexing::ifname(t.get(2).copied().unwrap_or(""));
        match t.get(1).copied() {
            Some("type") if t[3..].iter().any(|o| o.starts_with("port-based-option=")) => {
                let modelled = t[3..].iter().all(|o| {
                    !o.starts_with("port-based-option=") || *o == "port-based-option=divide-network"
                });
                if modelled {
                    // Port separation: lanN.M are separate interfaces, each defined by
                    // its own lines; nothing else to record.
                    self.iface(&name, ln);
                    Out::Ok
                } else {
                    un("port-based option not modelled", Scope::Interface(name))
                }
            }
            Some("type") => Out::Irr("LAN port speed / duplex"),
            Some("shutdown") if lexing::is_lan(&name) => {
                let i = self.iface(&name, ln);
                self.dev.interfaces[i].shutdown = true;
                Out::Ok
            }
            Some("linkup" | "keepalive" | "backup" | "port-mirroring" | "count-hub-port") => {
                Out::Irr("LAN port setting")
            }
            _ => un("lan command not modelled", Scope::Device),
        }
    }
}

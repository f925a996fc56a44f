//! `ip route NET gateway GW [gateway GW …] [options]`: next hops, `gateway dhcp lanN`
//! (next hop learned by DHCP: the exit interface), `gateway pp N` / `gateway tunnel N`
//! (the exit interface `ppN` / `tunnelN`), `gateway null` (discard). Policy routes are
//! reported with Routing scope, so what they carry is unproven rather than lost.

use super::{lexing, un, Out, Parser};
use crate::model::{Route, Scope};
use std::net::Ipv4Addr;

impl Parser {
    /// Tokens after `ip route`.
    pub(super) fn route(&mut self, ln: u32, t: &[&str]) -> Out {
        let Some(&net) = t.first() else {
            return un("route without destination", Scope::Routing);
        };
        let Some((prefix, len)) = (if net == "default" {
            Some((Ipv4Addr::UNSPECIFIED, 0))
        } else {
            lexing::prefix(net)
        }) else {
            return un(format!("route destination {net}"), Scope::Routing);
        };
        let base = Route {
            prefix,
            len,
            next_hop: None,
            interface: None,
            discard: false,
            span: self.dev.span(ln),
        };
        let mut routes = vec![];
        let mut i = 1;
        while i < t.len() {
            match t[i] {
                "gateway" => {
                    let g = t.get(i + 1).copied().unwrap_or("");
                    let mut r = base.clone();
                    match g {
                        // Into the pp / tunnel interface (down unless enabled).
                        "pp" | "tunnel" => {
                            let Some(id) = t.get(i + 2).filter(|x| !x.contains('=')) else {
                                return un(format!("gateway {g} without a number"), Scope::Routing);
                            };
                            let name = super::tunnel_ifname(g, id);
                            self.iface(&name, ln);
                            r.interface = Some(name);
                            i += 1;
                        }
                        "dhcp" => {
                            let itf = t.get(i + 2).map(|s| lexing::ifname(s));
                            match itf {
                                Some(x) if lexing::is_lan(&x) => r.interface = Some(x),
                                _ => return un("gateway dhcp without a LAN", Scope::Routing),
                            }
                            i += 1;
                        }
                        "null" => r.discard = true,
                        _ if lexing::is_lan(g) => r.interface = Some(lexing::ifname(g)),
                        _ => match g.parse::<Ipv4Addr>() {
                            Ok(a) => r.next_hop = Some(a),
                            Err(_) => {
                                return un(format!("gateway {g} not modelled"), Scope::Routing)
                            }
                        },
                    }
                    routes.push(r);
                    i += 2;
                }
                // Preference among gateways: sanso keeps every gateway (a superset of
                // the paths the router may use).
                "metric" | "weight" | "keepalive" => i += 2,
                "hide" => i += 1,
                "filter" => return un("policy route (gateway chosen by filter)", Scope::Routing),
                o => return un(format!("route option {o} not modelled"), Scope::Routing),
            }
        }
        if routes.is_empty() {
            return un("route without gateway", Scope::Routing);
        }
        self.dev.routes.extend(routes);
        Out::Ok
    }
}

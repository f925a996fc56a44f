//! Static routes: `ip route`.

use super::interfaces::canon_if;
use super::lexing::{ip, mask_len};
use super::{un, Out, Parser};
use crate::model::{Route, Scope};
use std::net::Ipv4Addr;

impl Parser {
    // ------------------------------------------------------------------ static routes

    pub(in crate::ingest) fn ip_route(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let (Some(prefix), Some(mask)) =
            (t.get(2).and_then(|s| ip(s)), t.get(3).and_then(|s| ip(s)))
        else {
            return un("malformed ip route (prefix / mask)", Scope::Routing);
        };
        let Some(len) = mask_len(mask) else {
            return un("ip route with a non-contiguous mask", Scope::Routing);
        };
        let mut i = 4;
        let mut next_hop = None;
        let mut interface = None;
        let mut discard = false;
        match t.get(i) {
            None => return un("ip route without next hop", Scope::Routing),
            Some(tok) => {
                if let Some(a) = ip(tok) {
                    next_hop = Some(a);
                    i += 1;
                } else {
                    let k = kw.get(i).map(String::as_str).unwrap_or("");
                    if matches!(
                        k,
                        "dhcp"
                            | "vrf"
                            | "profile"
                            | "static"
                            | "name"
                            | "tag"
                            | "track"
                            | "permanent"
                            | "global"
                            | "multicast"
                    ) {
                        return un(
                            format!("ip route with `{k}` next hop (not modelled)"),
                            Scope::Routing,
                        );
                    }
                    if !tok.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        return un(
                            format!("malformed ip route next hop `{tok}`"),
                            Scope::Routing,
                        );
                    }
                    let name = canon_if(tok);
                    if name == "Null0" {
                        discard = true;
                    } else {
                        interface = Some(name);
                    }
                    i += 1;
                    if let Some(a) = t.get(i).and_then(|s| ip(s)) {
                        next_hop = Some(a);
                        i += 1;
                    }
                }
            }
        }
        while i < t.len() {
            let k = kw.get(i).map(String::as_str).unwrap_or("");
            match k {
                "permanent" => i += 1,
                "name" | "tag" if i + 1 < t.len() => i += 2,
                _ => {
                    if let Ok(d) = k.parse::<u16>() {
                        if d == 255 {
                            return un(
                                "administrative distance 255: route is never installed",
                                Scope::Routing,
                            );
                        }
                        if (1..=254).contains(&d) {
                            i += 1;
                            continue;
                        }
                    }
                    return un(format!("unsupported ip route option `{k}`"), Scope::Routing);
                }
            }
        }
        let m = if len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(len))
        };
        let span = self.span(ln);
        self.dev.routes.push(Route {
            prefix: Ipv4Addr::from(u32::from(prefix) & m),
            len,
            next_hop,
            interface,
            discard,
            span,
        });
        Out::Ok
    }
}

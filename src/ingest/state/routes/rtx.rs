//! Yamaha RTX `show ip route`: one row per route, columns destination, gateway, interface,
//! kind and additional information, under a header (`宛先ネットワーク ゲートウェイ
//! インタフェース 種別 付加情報`, English firmware `Destination Gateway Interface Kind
//! Additional Info.`):
//!
//! ```text
//! default             203.0.113.1      LAN2      static
//! 192.168.100.0/24    192.168.100.1    LAN1    implicit
//! 10.8.0.0/16         PP[01]           PP[01]    static
//! 10.1.0.0/16         192.168.100.254  LAN1         OSPF  cost=10
//! ```
//!
//! Kinds become the IOS codes the table check reads (`implicit` = connected `C`, `static`
//! = `S`, `RIP`/`OSPF`/`BGP` = `R`/`O`/`B`); interfaces are written as the RTX parser
//! names them (`LAN1` → `lan1`, `PP[01]` → `pp1`, `TUNNEL[1]` → `tunnel1`); a gateway of
//! `NULL` is a discard. Rows of the same destination one after the other are equal-cost
//! next hops of one entry. Anything else is listed with its line (scope Routing).

use super::unrec;
pub use super::{Fib, FibEntry, NextHop};
use std::net::Ipv4Addr;

/// `A/len` (host bits clear), `A` (a host route) or `default`.
fn destination(s: &str) -> Option<(Ipv4Addr, u8)> {
    if s.eq_ignore_ascii_case("default") {
        return Some((Ipv4Addr::UNSPECIFIED, 0));
    }
    let (a, l) = s.split_once('/').unwrap_or((s, "32"));
    let a: Ipv4Addr = a.parse().ok()?;
    let l: u8 = l.parse().ok().filter(|l| *l <= 32)?;
    let m = if l == 0 { 0 } else { u32::MAX << (32 - l) };
    (u32::from(a) & !m == 0).then_some((a, l))
}

/// The model's name of an interface column (`LAN1`, `LAN1/2`, `PP[01]`, `TUNNEL[1]`,
/// `PP[ANONYMOUS]`), or `None` for a word that names no interface.
fn interface(s: &str) -> Option<String> {
    let l = s.to_ascii_lowercase();
    for kind in ["pp", "tunnel"] {
        if let Some(id) = l
            .strip_prefix(kind)
            .and_then(|r| r.strip_prefix('['))
            .and_then(|r| r.strip_suffix(']'))
        {
            if id.is_empty() {
                return None;
            }
            let id = if id.bytes().all(|c| c.is_ascii_digit()) {
                id.trim_start_matches('0').to_string()
            } else {
                id.to_string()
            };
            let id = if id.is_empty() { "0".into() } else { id };
            return Some(crate::ingest::yamaha_rtx::tunnel_ifname(kind, &id));
        }
    }
    crate::ingest::yamaha_rtx::lexing::is_lan(&l).then_some(l)
}

fn code(kind: &str) -> Option<&'static str> {
    Some(match kind.to_ascii_lowercase().as_str() {
        "implicit" => "C",
        "static" => "S",
        "rip" => "R",
        "ospf" => "O",
        "bgp" => "B",
        _ => return None,
    })
}

/// Parse RTX `show ip route` output.
pub fn parse_show_ip_route(file: &str, text: &str) -> Fib {
    let mut fib = Fib {
        file: file.to_string(),
        ..Fib::default()
    };
    for (i, raw) in text.lines().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t: Vec<&str> = raw.split_whitespace().collect();
        let Some(&first) = t.first() else {
            continue;
        };
        // Header, or a closing prompt (`#`, `>`) left by the capture.
        if first.starts_with("宛先")
            || first.eq_ignore_ascii_case("destination")
            || (t.len() == 1 && (first == "#" || first == ">"))
        {
            continue;
        }
        let Some((prefix, len)) = destination(first) else {
            unrec(&mut fib, ln, raw, "destination not understood");
            continue;
        };
        let (Some(gw), Some(itf), Some(kind)) = (t.get(1), t.get(2), t.get(3)) else {
            unrec(
                &mut fib,
                ln,
                raw,
                "row without gateway, interface and kind (truncated?)",
            );
            continue;
        };
        let Some(code) = code(kind) else {
            unrec(&mut fib, ln, raw, "route kind not understood");
            continue;
        };
        let nh = if gw.eq_ignore_ascii_case("null") || itf.eq_ignore_ascii_case("null") {
            NextHop::Drop
        } else {
            let Some(interface) = interface(itf) else {
                unrec(&mut fib, ln, raw, "interface not understood");
                continue;
            };
            match gw.parse::<Ipv4Addr>() {
                // A connected route shows the router's own address on the interface.
                Ok(_) if code == "C" => NextHop::Attached { interface },
                Ok(addr) => NextHop::Via {
                    addr,
                    interface: Some(interface),
                },
                // `PP[01]` / `TUNNEL[1]` as gateway: the point-to-point interface itself.
                Err(_) if interface_eq(gw, &interface) => NextHop::Attached { interface },
                Err(_) => {
                    unrec(&mut fib, ln, raw, "gateway not understood");
                    continue;
                }
            }
        };
        match fib.entries.last_mut() {
            Some(e) if e.prefix == prefix && e.len == len && e.code == code => e.next_hops.push(nh),
            _ => fib.entries.push(FibEntry {
                prefix,
                len,
                next_hops: vec![nh],
                code: code.to_string(),
                line: ln,
            }),
        }
    }
    fib
}

fn interface_eq(word: &str, name: &str) -> bool {
    interface(word).as_deref() == Some(name)
}

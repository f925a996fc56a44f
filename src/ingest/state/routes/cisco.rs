//! Cisco IOS / IOS-XE `show ip cef` and `show ip route` text, and the route tables that
//! share the `show ip route` layout: AlliedWare Plus `show ip route` and FortiOS `get
//! router info routing-table all` (codes, `[AD/metric] via A, Intf` rows, equal-cost
//! continuation rows). Also the reader of the Stanford dataset's `show ip cef` files.

use super::unrec;
pub use super::{Fib, FibEntry, NextHop};
use std::net::Ipv4Addr;

/// `a.b.c.d/len` (len 0–32, host bits must be clear).
fn parse_prefix(s: &str) -> Option<(Ipv4Addr, u8)> {
    let (a, l) = s.split_once('/')?;
    let a: Ipv4Addr = a.parse().ok()?;
    let l: u8 = l.parse().ok()?;
    if l > 32 {
        return None;
    }
    let m = if l == 0 { 0 } else { u32::MAX << (32 - l) };
    (u32::from(a) & !m == 0).then_some((a, l))
}

fn is_drop_interface(s: &str) -> bool {
    s.to_ascii_lowercase().starts_with("null")
}

/// CEF next hop from its two columns.
fn cef_next_hop(hop: &str, intf: Option<&str>) -> Option<NextHop> {
    let intf = intf.map(str::to_string);
    Some(match hop {
        "attached" => match intf {
            Some(i) if is_drop_interface(&i) => NextHop::Drop,
            Some(i) => NextHop::Attached { interface: i },
            None => return None,
        },
        "receive" => NextHop::Receive,
        "drop" | "discard" | "null" => NextHop::Drop,
        "multicast" => NextHop::Multicast,
        _ => {
            let addr: Ipv4Addr = hop.parse().ok()?;
            match intf {
                Some(i) if is_drop_interface(&i) => NextHop::Drop,
                interface => NextHop::Via { addr, interface },
            }
        }
    })
}

/// Parse `show ip cef` output: `Prefix  Next Hop  Interface` rows; a row that starts
/// with blanks adds another next hop to the prefix above it.
pub fn parse_show_ip_cef(file: &str, text: &str) -> Fib {
    let mut fib = Fib {
        file: file.to_string(),
        ..Fib::default()
    };
    for (i, raw) in text.lines().enumerate() {
        let ln = i as u32 + 1;
        let t: Vec<&str> = raw.split_whitespace().collect();
        if t.is_empty() {
            continue;
        }
        if t[0] == "Prefix" && raw.contains("Next Hop") {
            continue; // column header
        }
        let continuation = raw.starts_with(char::is_whitespace);
        if continuation {
            let nh = (t.len() <= 2).then(|| cef_next_hop(t[0], t.get(1).copied()));
            match (nh.flatten(), fib.entries.last_mut()) {
                (Some(nh), Some(e)) => e.next_hops.push(nh),
                (None, _) => unrec(&mut fib, ln, raw, "unknown CEF next hop"),
                (Some(_), None) => unrec(&mut fib, ln, raw, "next hop before any prefix"),
            }
            continue;
        }
        let Some((prefix, len)) = parse_prefix(t[0]) else {
            unrec(&mut fib, ln, raw, "not a CEF row (prefix expected)");
            continue;
        };
        let nh = match t.len() {
            2 | 3 => cef_next_hop(t[1], t.get(2).copied()),
            _ => None,
        };
        match nh {
            Some(nh) => fib.entries.push(FibEntry {
                prefix,
                len,
                next_hops: vec![nh],
                code: String::new(),
                line: ln,
            }),
            None => unrec(&mut fib, ln, raw, "unknown CEF next hop"),
        }
    }
    fib
}

/// Classful mask of a network address (for `show ip route` rows without a mask).
fn classful_len(a: Ipv4Addr) -> u8 {
    match a.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        _ => 24,
    }
}

/// The route part after the prefix: `[AD/metric] via A, age, Intf`,
/// `is directly connected, Intf`, `is a summary, age, Null0`; FortiOS adds `, [1/0]`
/// (priority/weight) and `(recursive via A, Intf)`.
fn route_next_hop(rest: &str) -> Option<NextHop> {
    let parts: Vec<&str> = rest.split(',').map(str::trim).collect();
    let head = parts.first()?;
    // The interface is the last part that is a single word and neither an age (`1d02h`,
    // `00:01:02`) nor a bracket (`[1/0]`).
    let intf = parts
        .iter()
        .skip(1)
        .map(|p| p.trim_end_matches(')'))
        .rev()
        .find(|p| {
            !p.is_empty()
                && !p.contains(char::is_whitespace)
                && !p.starts_with(|c: char| c.is_ascii_digit() || c == '[')
        })
        .map(|s| s.to_string());
    if head.ends_with("is directly connected") {
        let i = intf?;
        return Some(if is_drop_interface(&i) {
            NextHop::Drop
        } else {
            NextHop::Attached { interface: i }
        });
    }
    if head.ends_with("is a summary") {
        return Some(NextHop::Drop);
    }
    let mut w = head.split_whitespace();
    // `[AD/metric]` then `via A`; nothing else may come first.
    if w.next().is_some_and(|x| !x.starts_with('[')) {
        return None;
    }
    if w.next() != Some("via") {
        return None;
    }
    let addr: Ipv4Addr = w.next()?.parse().ok()?;
    Some(match intf {
        Some(i) if is_drop_interface(&i) => NextHop::Drop,
        interface => NextHop::Via { addr, interface },
    })
}

/// Parse `show ip route`-style output (codes legend, `Gateway of last resort`, `is
/// subnetted` headers, rows like `O IA 10.1.0.0/16 [110/2] via 10.0.0.1, 1d, Gi0/1`,
/// equal-cost continuation rows `[110/2] via 10.0.0.5, 1d, Gi0/2`, and rows whose prefix
/// is too long for its column, continued on the next line).
pub fn parse_show_ip_route(file: &str, text: &str) -> Fib {
    let mut fib = Fib {
        file: file.to_string(),
        ..Fib::default()
    };
    // Mask from the last `X/len is subnetted` header, for rows without a mask.
    let mut subnet_len: Option<(Ipv4Addr, u8)> = None;
    let mut in_legend = false;
    // A row whose next hop is on the following line: its entry waits for it.
    let mut waiting: Option<(FibEntry, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let ln = i as u32 + 1;
        let line = raw.trim();
        let cont = line.starts_with('[') || line.starts_with("is ") || line.starts_with("via ");
        if let Some((e, raw0)) = waiting.take() {
            match route_next_hop(line).filter(|_| cont) {
                Some(nh) => {
                    fib.entries.push(FibEntry {
                        next_hops: vec![local(&e.code, nh)],
                        ..e
                    });
                    continue;
                }
                None => unrec(&mut fib, e.line, &raw0, "route row without next hop"),
            }
        }
        if line.is_empty() {
            in_legend = false;
            continue;
        }
        if line.starts_with("Codes:") {
            in_legend = true;
            continue;
        }
        if in_legend && line.contains(" - ") && !line.contains(" via ") {
            continue;
        }
        in_legend = false;
        if line.starts_with("Gateway of last resort")
            || line.starts_with("Routing Table:")
            || line.starts_with("Routing table for VRF=")
        {
            continue;
        }
        if line.contains(" is subnetted") || line.contains(" is variably subnetted") {
            let first = line.split_whitespace().next().unwrap_or("");
            subnet_len = match parse_prefix(first) {
                Some((a, l)) if line.contains(" is subnetted") => Some((a, l)),
                _ => None,
            };
            continue;
        }
        if cont {
            // Equal-cost continuation of the row above.
            match (route_next_hop(line), fib.entries.last_mut()) {
                (Some(nh), Some(e)) => {
                    let nh = local(&e.code, nh);
                    e.next_hops.push(nh)
                }
                _ => unrec(&mut fib, ln, raw, "unknown route continuation"),
            }
            continue;
        }
        // `<codes> <prefix>[/len] <rest>`: the codes are the words before the first
        // word that starts with a digit.
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(pi) = words
            .iter()
            .position(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        else {
            unrec(&mut fib, ln, raw, "not a route row");
            continue;
        };
        let code = words[..pi].join(" ");
        let pfx = words[pi];
        let parsed = if pfx.contains('/') {
            parse_prefix(pfx)
        } else {
            pfx.parse::<Ipv4Addr>().ok().map(|a| {
                let l = subnet_len
                    .map(|(_, l)| l)
                    .unwrap_or_else(|| classful_len(a));
                (a, l)
            })
        };
        let rest = words[pi + 1..].join(" ");
        let (Some((prefix, len)), false) = (parsed, code.is_empty()) else {
            unrec(&mut fib, ln, raw, "not a route row");
            continue;
        };
        let entry = FibEntry {
            prefix,
            len,
            next_hops: vec![],
            code,
            line: ln,
        };
        if rest.is_empty() {
            waiting = Some((entry, raw.to_string()));
            continue;
        }
        match route_next_hop(&rest) {
            Some(nh) => fib.entries.push(FibEntry {
                next_hops: vec![local(&entry.code, nh)],
                ..entry
            }),
            None => unrec(&mut fib, ln, raw, "not a route row"),
        }
    }
    if let Some((e, raw0)) = waiting {
        unrec(
            &mut fib,
            e.line,
            &raw0,
            "route row without next hop (truncated?)",
        );
    }
    fib
}

/// `L` (local) rows are the device's own addresses.
fn local(code: &str, nh: NextHop) -> NextHop {
    if code.starts_with('L') && matches!(nh, NextHop::Attached { .. }) {
        NextHop::Receive
    } else {
        nh
    }
}

/// Either format, told apart by the CEF column header (or rows without route codes).
pub fn parse(file: &str, text: &str) -> Fib {
    let cef = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with("Prefix") && l.contains("Next Hop"));
    if cef {
        parse_show_ip_cef(file, text)
    } else {
        parse_show_ip_route(file, text)
    }
}

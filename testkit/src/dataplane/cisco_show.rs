//! Cisco IOS `show ip cef` and `show ip route` text: the forwarding table of a device
//! whose routes are dynamic (OSPF, EIGRP, BGP…) and therefore not in its config.
//!
//! The parser only reads what the device forwards; it decides nothing about
//! compliance. Every line it does not understand is kept with its line number and a
//! reason, as the config parsers do, so a caller can report `file:line`.

use sanso::model::{Route, Scope, Span, Unrecognized};
use std::net::Ipv4Addr;

/// Where one forwarding entry sends packets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextHop {
    /// To a neighbour address, out of an interface if the table names one.
    Via {
        addr: Ipv4Addr,
        interface: Option<String>,
    },
    /// The destination is on the attached interface (CEF `attached`, route `C`).
    Attached { interface: String },
    /// Addressed to the device itself (CEF `receive`, route `L`).
    Receive,
    /// Dropped (`drop`, `Null0`, `discard`, `null0`).
    Drop,
    /// Handled by the multicast path (CEF `multicast`); not unicast forwarding.
    Multicast,
}

/// One prefix of the table with its next hops (several for equal-cost paths).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FibEntry {
    pub prefix: Ipv4Addr,
    pub len: u8,
    pub next_hops: Vec<NextHop>,
    /// Route source code for `show ip route` (`O`, `S*`, `B`…); empty for CEF.
    pub code: String,
    /// Line of the prefix (1-based).
    pub line: u32,
}

/// A parsed table: entries in file order and the lines not understood.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fib {
    pub file: String,
    pub entries: Vec<FibEntry>,
    pub unrecognized: Vec<Unrecognized>,
}

fn unrec(fib: &mut Fib, line: u32, text: &str, reason: &str) {
    fib.unrecognized.push(Unrecognized {
        line,
        text: text.trim_end().to_string(),
        reason: reason.to_string(),
        scope: Scope::Routing,
        file: None,
    });
}

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
/// `is directly connected, Intf`, `is a summary, age, Null0`.
fn route_next_hop(rest: &str) -> Option<NextHop> {
    let parts: Vec<&str> = rest.split(',').map(str::trim).collect();
    let head = parts.first()?;
    let intf = parts
        .iter()
        .skip(1)
        .rev()
        .find(|p| !p.is_empty() && !p.chars().next().is_some_and(|c| c.is_ascii_digit()))
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
    let via = head.split_whitespace().skip_while(|w| *w != "via").nth(1)?;
    let addr: Ipv4Addr = via.parse().ok()?;
    Some(match intf {
        Some(i) if is_drop_interface(&i) => NextHop::Drop,
        interface => NextHop::Via { addr, interface },
    })
}

/// Parse classic `show ip route` output (codes legend, `Gateway of last resort`,
/// `is subnetted` headers, rows like `O IA 10.1.0.0/16 [110/2] via 10.0.0.1, 1d, Gi0/1`,
/// and equal-cost continuation rows `[110/2] via 10.0.0.5, 1d, Gi0/2`).
pub fn parse_show_ip_route(file: &str, text: &str) -> Fib {
    let mut fib = Fib {
        file: file.to_string(),
        ..Fib::default()
    };
    // Mask from the last `X/len is subnetted` header, for rows without a mask.
    let mut subnet_len: Option<(Ipv4Addr, u8)> = None;
    let mut in_legend = false;
    for (i, raw) in text.lines().enumerate() {
        let ln = i as u32 + 1;
        let line = raw.trim();
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
        if line.starts_with("Gateway of last resort") || line.starts_with("Routing Table:") {
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
        if line.starts_with('[') {
            // Equal-cost continuation of the row above.
            match (route_next_hop(line), fib.entries.last_mut()) {
                (Some(nh), Some(e)) => e.next_hops.push(nh),
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
        match (code.is_empty(), parsed, route_next_hop(&rest)) {
            (false, Some((prefix, len)), Some(nh)) => {
                let nh = if code.starts_with('L') && matches!(nh, NextHop::Attached { .. }) {
                    NextHop::Receive
                } else {
                    nh
                };
                fib.entries.push(FibEntry {
                    prefix,
                    len,
                    next_hops: vec![nh],
                    code,
                    line: ln,
                })
            }
            _ => unrec(&mut fib, ln, raw, "not a route row"),
        }
    }
    fib
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

impl Fib {
    /// Number of distinct prefixes.
    pub fn prefixes(&self) -> usize {
        let mut v: Vec<(Ipv4Addr, u8)> = self.entries.iter().map(|e| (e.prefix, e.len)).collect();
        v.sort();
        v.dedup();
        v.len()
    }

    /// Longest-prefix match for `dst` (the first entry of that prefix).
    pub fn lookup(&self, dst: Ipv4Addr) -> Option<&FibEntry> {
        let d = u32::from(dst);
        self.entries
            .iter()
            .filter(|e| {
                let m = if e.len == 0 {
                    0
                } else {
                    u32::MAX << (32 - e.len)
                };
                d & m == u32::from(e.prefix)
            })
            .max_by_key(|e| (e.len, std::cmp::Reverse(e.line)))
    }

    /// The forwarding entries as model routes, one per (prefix, next hop); `receive`
    /// and multicast entries are not forwarding routes and are left out.
    pub fn to_routes(&self) -> Vec<Route> {
        let mut out = vec![];
        for e in &self.entries {
            for nh in &e.next_hops {
                let (next_hop, interface, discard) = match nh {
                    NextHop::Via { addr, interface } => (Some(*addr), interface.clone(), false),
                    NextHop::Attached { interface } => (None, Some(interface.clone()), false),
                    NextHop::Drop => (None, None, true),
                    NextHop::Receive | NextHop::Multicast => continue,
                };
                out.push(Route {
                    prefix: e.prefix,
                    len: e.len,
                    next_hop,
                    interface,
                    discard,
                    span: Span::new(self.file.clone(), e.line),
                });
            }
        }
        out
    }
}

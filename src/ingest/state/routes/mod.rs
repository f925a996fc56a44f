//! Routing state: a device's routing table as captured (`show ip route`, `show ip cef`,
//! FortiOS `get router info routing-table all`, Linux `ip -j route`). When a device has
//! one, its forwarding comes from it: [`apply`] replaces the device's routes with the
//! dump's (spans point into the state file), recognises the config's dynamic-routing lines
//! the dump covers, and checks the config's own static and connected routes against it.
//!
//! Readers only read; they decide nothing about compliance. Every line they do not
//! understand is kept with its line number and a reason (scope `Routing`: it taints the
//! device's routing, so results through it become unproven), never dropped.

pub mod cisco;
pub mod rtx;

use crate::model::{
    canon_ifname, Device, IfMode, Route, Scope, SourceFile, Span, StateFile, Unrecognized,
};
use std::collections::BTreeMap;
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

impl FibEntry {
    /// The source of the route, from its code: `C`onnected, `S`tatic, or another protocol.
    pub fn is_connected(&self) -> bool {
        self.code.starts_with('C')
    }
    pub fn is_static(&self) -> bool {
        self.code.starts_with('S')
    }
}

/// A parsed table: entries in file order and the lines not understood.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fib {
    pub file: String,
    pub entries: Vec<FibEntry>,
    pub unrecognized: Vec<Unrecognized>,
}

pub(crate) fn unrec(fib: &mut Fib, line: u32, text: &str, reason: &str) {
    fib.unrecognized.push(Unrecognized {
        line,
        text: crate::ingest::redact::redact_line(text.trim_end()),
        reason: reason.to_string(),
        scope: Scope::Routing,
        // Set to the table's file when the table is applied to a device.
        file: None,
    });
}

fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len)
    }
}

fn covers(prefix: Ipv4Addr, len: u8, a: Ipv4Addr) -> bool {
    u32::from(a) & mask(len) == u32::from(prefix)
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
        self.entries
            .iter()
            .filter(|e| covers(e.prefix, e.len, dst))
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

/// The text with its prompt lines blanked (kept as empty lines so line numbers stay those
/// of the file): a first line such as `r1#show ip route`, `FGT # get router info
/// routing-table all` or `$ ip -j route` (the command possibly abbreviated, `sh ip ro`),
/// and a last line that is only a prompt (`r1#`).
pub fn blank_prompts(text: &str, command: &str) -> String {
    let words: Vec<String> = command
        .split('_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    // `r1#sh ip ro`, `FGT # get router …`, `user@h:~$ ip -j route`: one word (or none)
    // of prompt, then the command's words, each possibly abbreviated.
    let is_command_line = |l: &str| -> bool {
        let Some(i) = l.find(['#', '>', '$']) else {
            return false;
        };
        let typed: Vec<String> = l[i + 1..]
            .split_whitespace()
            .map(str::to_ascii_lowercase)
            .collect();
        l[..i].split_whitespace().count() <= 1
            && !typed.is_empty()
            && typed.len() <= words.len()
            && typed
                .iter()
                .zip(&words)
                .all(|(t, w)| w.starts_with(t.as_str()))
    };
    let is_bare_prompt = |l: &str| {
        let t = l.trim();
        t.len() > 1
            && t.ends_with(['#', '>', '$'])
            && !t[..t.len() - 1].trim_end().contains(char::is_whitespace)
    };
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    let mut out = String::with_capacity(text.len());
    for (i, l) in lines.iter().enumerate() {
        let drop = (Some(i) == first && is_command_line(l))
            || (Some(i) == last && Some(i) != first && is_bare_prompt(l));
        if !drop {
            out.push_str(l);
        }
        out.push('\n');
    }
    out
}

/// Which reader reads a command's output for a device, if any (docs/snapshot.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reader {
    ShowIpRoute,
    ShowIpCef,
    FortiRoutingTable,
    IpJsonRoute,
    RtxShowIpRoute,
}

/// Readers for `d` in order of preference: the first file present is the device's table.
fn readers(d: &Device) -> &'static [(&'static str, Reader)] {
    match d.dialect.id() {
        "cisco-ios" | "allied-awplus" => &[
            ("show_ip_route", Reader::ShowIpRoute),
            ("show_ip_cef", Reader::ShowIpCef),
        ],
        "yamaha-rtx" => &[("show_ip_route", Reader::RtxShowIpRoute)],
        "fortios" => &[(
            "get_router_info_routing-table_all",
            Reader::FortiRoutingTable,
        )],
        _ if d.netfilter.is_some() => &[
            ("ip_-j_route", Reader::IpJsonRoute),
            ("ip_-json_route", Reader::IpJsonRoute),
            ("ip_--json_route", Reader::IpJsonRoute),
        ],
        _ => &[],
    }
}

/// A device's routing table read from `file` (`command` is its file name's stem).
fn read(reader: Reader, file: &str, command: &str, text: &str) -> Fib {
    let text = blank_prompts(text, command);
    match reader {
        Reader::ShowIpRoute | Reader::FortiRoutingTable => cisco::parse_show_ip_route(file, &text),
        Reader::ShowIpCef => cisco::parse_show_ip_cef(file, &text),
        Reader::RtxShowIpRoute => rtx::parse_show_ip_route(file, &text),
        Reader::IpJsonRoute => {
            let mut fib = Fib {
                file: file.to_string(),
                ..Fib::default()
            };
            match crate::ingest::linux::ip_route_json(file, &text) {
                Ok((routes, un)) => {
                    fib.unrecognized = un;
                    // `ip -j route` leaves connected routes out (they come from the
                    // addresses); each route is one entry, ECMP hops grouped by line.
                    for r in routes {
                        let nh = match (r.discard, r.next_hop, r.interface) {
                            (true, _, _) => NextHop::Drop,
                            (false, Some(addr), interface) => NextHop::Via { addr, interface },
                            (false, None, Some(interface)) => NextHop::Attached { interface },
                            (false, None, None) => {
                                unrec(&mut fib, r.span.line, "", "route without gateway or device");
                                continue;
                            }
                        };
                        match fib.entries.last_mut() {
                            Some(e) if e.line == r.span.line => e.next_hops.push(nh),
                            _ => fib.entries.push(FibEntry {
                                prefix: r.prefix,
                                len: r.len,
                                next_hops: vec![nh],
                                code: String::new(),
                                line: r.span.line,
                            }),
                        }
                    }
                }
                Err(e) => unrec(&mut fib, e.line.max(1), "", &e.message),
            }
            fib
        }
    }
}

/// The config interface a dump names (`Gi0/1`, `GigabitEthernet0/1`, `port1`, `vlan10`):
/// the same name, the same canonical name, or the one interface whose name starts with the
/// dump's letters and ends with the same numbers.
fn resolve_interface(d: &Device, name: &str) -> Option<usize> {
    if let Some(i) = d.interfaces.iter().position(|i| i.name == name) {
        return Some(i);
    }
    let c = canon_ifname(name);
    if let Some(i) = d.interfaces.iter().position(|i| canon_ifname(&i.name) == c) {
        return Some(i);
    }
    let split = |s: &str| {
        let l = s.to_ascii_lowercase();
        let k = l.find(|c: char| c.is_ascii_digit()).unwrap_or(l.len());
        let (a, b) = l.split_at(k);
        (a.to_string(), b.to_string())
    };
    let (abbr, num) = split(name);
    if abbr.is_empty() || num.is_empty() {
        return None;
    }
    let hits: Vec<usize> = d
        .interfaces
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            let (w, n) = split(&i.name);
            n == num && w.starts_with(&abbr)
        })
        .map(|(k, _)| k)
        .collect();
    (hits.len() == 1).then(|| hits[0])
}

/// Config lines whose only effect is on the routing table a dump shows: dynamic routing
/// protocol stanzas (`router ospf|bgp|eigrp|rip|isis …` and their lines, FortiOS `config
/// router ospf|bgp|rip|isis|…`, RTX `ospf …`/`bgp …`/`rip …`) and protocol settings of
/// interfaces (`ip ospf cost 10`, `ip lan1 ospf area …`). Decided from the parsers' reasons
/// and the line's words; tests/state_routes.rs pins them for each dialect.
pub fn covered_by_rib(u: &Unrecognized) -> bool {
    const PROTO: &[&str] = &[
        "ospf", "bgp", "eigrp", "rip", "isis", "ospf6", "ripng", "odr", "ospfv3",
    ];
    if u.scope != Scope::Routing {
        return false;
    }
    let words: Vec<String> = u
        .text
        .split_whitespace()
        .take(4)
        .map(str::to_ascii_lowercase)
        .collect();
    let is_proto = |w: Option<&String>| w.is_some_and(|w| PROTO.contains(&w.as_str()));
    // `router ospf 1` / RTX `ospf area …` / interface `ip ospf cost 10`, `ip lan1 ospf …`,
    // `ip summary-address eigrp …`.
    if (words.first().map(String::as_str) == Some("router") && is_proto(words.get(1)))
        || is_proto(words.first())
        || (words.first().map(String::as_str) == Some("ip")
            && words.iter().skip(1).any(|w| PROTO.contains(&w.as_str())))
    {
        return true;
    }
    // Lines inside such a stanza: IOS `inside `router ospf 1``, FortiOS
    // "`config router ospf` is not modeled".
    for head in ["inside `router ", "`config router "] {
        if let Some(rest) = u.reason.strip_prefix(head) {
            let p: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if PROTO.contains(&p.as_str()) {
                return true;
            }
        }
    }
    false
}

/// For every device with a routing-table dump in `state`: its routes become the dump's,
/// the dynamic-routing config lines the dump covers are recognised, and disagreements
/// between the config's static / connected routes and the dump are listed as unrecognized
/// lines of scope `Routing` ("stale dump or unsaved config", citing both files' lines).
/// Returns the names of the devices whose routes now come from a dump.
pub fn apply(
    devices: &mut [Device],
    state: &BTreeMap<String, Vec<StateFile>>,
    sources: &BTreeMap<String, SourceFile>,
) -> std::collections::BTreeSet<String> {
    let mut dumped = std::collections::BTreeSet::new();
    for d in devices.iter_mut() {
        let Some(files) = state.get(&d.name) else {
            continue;
        };
        let Some((sf, reader)) = readers(d).iter().find_map(|(cmd, r)| {
            files
                .iter()
                .find(|f| f.command.eq_ignore_ascii_case(cmd))
                .map(|f| (f, *r))
        }) else {
            continue;
        };
        let Some(src) = sources.get(&sf.file) else {
            continue;
        };
        let fib = read(reader, &sf.file, &sf.command, src.text());
        use_table(d, &fib, reader == Reader::ShowIpCef, sources);
        d.extra_files
            .push((sf.file.clone(), src.line_count() as u32));
        dumped.insert(d.name.clone());
    }
    dumped
}

pub(crate) fn line_text(sources: &BTreeMap<String, SourceFile>, file: &str, line: u32) -> String {
    let t = sources
        .get(file)
        .and_then(|s| s.line(line as usize))
        .unwrap_or("");
    crate::ingest::redact::redact_line(t.trim())
}

/// Replace `d`'s routes with `fib`'s and check the config against it.
fn use_table(d: &mut Device, fib: &Fib, cef: bool, sources: &BTreeMap<String, SourceFile>) {
    let file = fib.file.clone();
    let mut un: Vec<Unrecognized> = fib.unrecognized.clone();
    for u in &mut un {
        u.file.get_or_insert_with(|| file.clone());
    }
    let mut on_config: Vec<(u32, String)> = vec![];
    let mut on_dump: Vec<(u32, String)> = vec![];

    // Connected networks of the config (live routed interfaces).
    let connected: Vec<(usize, Ipv4Addr, u8, Span)> = d
        .interfaces
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            !i.shutdown && !matches!(i.mode, IfMode::Access { .. } | IfMode::Trunk { .. })
        })
        .flat_map(|(k, i)| {
            i.addresses.iter().map(move |(a, l)| {
                (
                    k,
                    Ipv4Addr::from(u32::from(*a) & mask(*l)),
                    *l,
                    i.span.clone(),
                )
            })
        })
        .collect();
    let has_codes = !cef && fib.entries.iter().any(|e| !e.code.is_empty());
    let in_dump = |p: Ipv4Addr, l: u8| {
        fib.entries
            .iter()
            .filter(move |e| e.prefix == p && e.len == l)
    };

    // The config's connected networks must be in the dump: as `C` routes in a table with
    // codes, as any entry (`attached`) in CEF. (`ip -j route` lists no connected routes.)
    if has_codes || cef {
        for (k, p, l, span) in &connected {
            if !in_dump(*p, *l).any(|e| cef || e.is_connected()) {
                on_config.push((
                    span.line,
                    format!(
                        "connected network {p}/{l} of {} is not in {file} (interface down, stale dump or unsaved config)",
                        d.interfaces[*k].name
                    ),
                ));
            }
        }
    }
    // The config's static routes must be in the dump; a static route of the dump must be
    // in the config.
    for r in &d.routes {
        let p = Ipv4Addr::from(u32::from(r.prefix) & mask(r.len));
        let mut hits = in_dump(p, r.len).peekable();
        if hits.peek().is_none() {
            on_config.push((
                r.span.line,
                format!(
                    "static route {p}/{} is not in {file} (stale dump or unsaved config)",
                    r.len
                ),
            ));
            continue;
        }
        let statics: Vec<&FibEntry> = hits.filter(|e| e.is_static()).collect();
        if let (Some(nh), false) = (r.next_hop, statics.is_empty()) {
            let same = statics.iter().any(|e| {
                e.next_hops
                    .iter()
                    .any(|h| matches!(h, NextHop::Via { addr, .. } if *addr == nh))
            });
            if !same {
                on_config.push((
                    r.span.line,
                    format!(
                        "static route {p}/{} via {nh}: {file}:{} has other next hops (stale dump or unsaved config)",
                        r.len, statics[0].line
                    ),
                ));
            }
        }
    }
    if has_codes {
        for e in &fib.entries {
            if e.is_static() {
                let in_config = d.routes.iter().any(|r| {
                    Ipv4Addr::from(u32::from(r.prefix) & mask(r.len)) == e.prefix && r.len == e.len
                });
                if !in_config {
                    on_dump.push((
                        e.line,
                        format!(
                            "static route {}/{} is not in {} (unsaved config or stale dump)",
                            e.prefix, e.len, d.file
                        ),
                    ));
                }
            }
            if e.is_connected()
                && !connected
                    .iter()
                    .any(|(_, p, l, _)| *p == e.prefix && *l == e.len)
            {
                on_dump.push((
                    e.line,
                    format!(
                        "connected network {}/{} is not an interface address in {} (unsaved config or stale dump)",
                        e.prefix, e.len, d.file
                    ),
                ));
            }
        }
    }

    // The dump's routes, interface names resolved to the config's.
    let mut routes = vec![];
    for mut r in fib.to_routes() {
        if let Some(name) = &r.interface {
            let Some(k) = resolve_interface(d, name) else {
                un.push(Unrecognized {
                    file: Some(file.clone()),
                    line: r.span.line,
                    text: line_text(sources, &file, r.span.line),
                    reason: format!("interface {name} is not in {}", d.file),
                    scope: Scope::Routing,
                });
                continue;
            };
            r.interface = Some(d.interfaces[k].name.clone());
            // A connected route of the config is already in the table.
            if r.next_hop.is_none()
                && !r.discard
                && connected
                    .iter()
                    .any(|(ck, p, l, _)| *ck == k && *p == r.prefix && *l == r.len)
            {
                continue;
            }
        }
        routes.push(r);
    }
    let config_file = d.file.clone();
    for (line, reason) in on_config {
        un.push(Unrecognized {
            file: None,
            line,
            text: line_text(sources, &config_file, line),
            reason,
            scope: Scope::Routing,
        });
    }
    for (line, reason) in on_dump {
        un.push(Unrecognized {
            file: Some(file.clone()),
            line,
            text: line_text(sources, &file, line),
            reason,
            scope: Scope::Routing,
        });
    }
    d.routes = routes;

    // Dynamic-routing lines are what the dump shows: recognised, no longer tainting.
    let mut covered = 0;
    d.unrecognized.retain(|u| {
        let c = u.file.is_none() && covered_by_rib(u);
        covered += c as u32;
        !c
    });
    if covered > 0 {
        *d.irrelevant
            .entry(format!("dynamic routing (its routes are read from {file})"))
            .or_default() += covered;
    }
    d.unrecognized.extend(un);
}

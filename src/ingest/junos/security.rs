//! SRX security: zones and their interfaces, address books (global, named and attached,
//! per zone), applications, security policies (zone pairs in order, then `global`, then
//! the default policy) and NAT.

use super::lexing::Leaf;
use super::objects::{resolve_addr, AppTerm, Apps, Book};
use super::{Acc, J};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Default, Debug)]
pub(super) struct Zone {
    line: u32,
    ifs: Vec<(String, u32)>,
    book: Book,
}

/// One security policy as written.
#[derive(Default, Debug)]
struct Pol {
    /// `None` for a global policy.
    pair: Option<(String, String)>,
    name: String,
    lines: Vec<u32>,
    src: Vec<(String, u32)>,
    dst: Vec<(String, u32)>,
    apps: Vec<(String, u32)>,
    from_zones: Vec<(String, u32)>,
    to_zones: Vec<(String, u32)>,
    action: Option<(Action, u32)>,
    /// App-ID / URL conditions (not decidable from headers): lines.
    app_id: Vec<u32>,
}

#[derive(Default, Debug)]
pub(super) struct Security {
    zones: BTreeMap<String, Zone>,
    /// Named address books (`global` included) and the zones each is attached to.
    books: BTreeMap<String, (Book, Vec<String>)>,
    pub apps: Apps,
    pols: Vec<Pol>,
    default_permit: Option<u32>,
    nat: super::nat::Nat,
}

const HOST: &str = "traffic to or from the firewall itself (host-inbound, junos-host)";

impl Security {
    fn pol(&mut self, pair: Option<(String, String)>, name: &str) -> &mut Pol {
        let i = match self
            .pols
            .iter()
            .position(|p| p.pair == pair && p.name == name)
        {
            Some(i) => i,
            None => {
                self.pols.push(Pol {
                    pair,
                    name: name.to_string(),
                    ..Default::default()
                });
                self.pols.len() - 1
            }
        };
        &mut self.pols[i]
    }

    pub(super) fn applications(&mut self, acc: &mut Acc, l: &Leaf) {
        let ln = l.line;
        let w: Vec<&str> = l.w.iter().map(String::as_str).collect();
        match w.as_slice() {
            ["applications", "application", a] => {
                self.apps.term(a, "", ln);
                acc.ok(ln)
            }
            ["applications", "application", a, rest @ ..] => {
                let (term, kv) = match rest {
                    ["term", t, kv @ ..] => (*t, kv),
                    kv => ("", kv),
                };
                let t: &mut AppTerm = self.apps.term(a, term, ln);
                if kv.is_empty() {
                    return acc.ok(ln);
                }
                let mut modelled = false;
                for p in kv.chunks(2) {
                    match p {
                        [k, v] => match t.set(k, v) {
                            Ok(m) => modelled |= m,
                            Err(e) => return acc.bad(ln, &e, Scope::Policy),
                        },
                        _ => {
                            return acc.bad(
                                ln,
                                "application attribute without value",
                                Scope::Policy,
                            )
                        }
                    }
                }
                if modelled {
                    acc.ok(ln)
                } else {
                    acc.irr(ln, "application attribute (timeouts, ALG)")
                }
            }
            ["applications", "application-set", s, "application" | "application-set", m] => {
                let e = self.apps.sets.entry(s.to_string()).or_default();
                e.0.push(m.to_string());
                e.1.push(ln);
                acc.ok(ln)
            }
            ["applications", "application-set", _, "description", ..] => acc.irr(ln, "description"),
            _ => acc.bad(ln, "applications statement not modelled", Scope::Policy),
        }
    }
}

/// A `security …` set-path.
pub(super) fn leaf(j: &mut J, l: &Leaf) {
    let ln = l.line;
    let acc = &mut j.acc;
    let s = &mut j.sec;
    let w: Vec<&str> = l.w.iter().map(String::as_str).collect();
    match w.as_slice() {
        ["security", "zones", "security-zone", z, rest @ ..] => {
            let zone = s.zones.entry(z.to_string()).or_insert_with(|| Zone {
                line: ln,
                ..Default::default()
            });
            match rest {
                [] => acc.ok(ln),
                ["interfaces", i] => {
                    zone.ifs.push((i.to_string(), ln));
                    acc.ok(ln)
                }
                ["interfaces", i, ..] => {
                    if !zone.ifs.iter().any(|x| x.0 == *i) {
                        zone.ifs.push((i.to_string(), ln));
                    }
                    acc.irr(ln, HOST)
                }
                ["address-book", "address", n, r @ ..] => {
                    let r: Vec<String> = r.iter().map(|x| x.to_string()).collect();
                    book_address(acc, &mut zone.book, n, &r, ln)
                }
                ["address-book", "address-set", n, "address" | "address-set", m] => {
                    zone.book.set_member(n, m, ln);
                    acc.ok(ln)
                }
                ["address-book", "address-set", _, "description", ..] => acc.irr(ln, "description"),
                ["host-inbound-traffic", ..] => acc.irr(ln, HOST),
                ["screen", ..]
                | ["tcp-rst"]
                | ["application-tracking"]
                | ["description", ..]
                | ["enable-reverse-reroute"]
                | ["source-identity-log"] => acc.irr(ln, "zone settings (screens, logging)"),
                _ => acc.bad(ln, "security zone statement not modelled", Scope::Policy),
            }
        }
        ["security", "zones", "functional-zone", ..] => {
            acc.irr(ln, "management zone (traffic to the firewall itself)")
        }
        ["security", "address-book", b, rest @ ..] => {
            let book = &mut s.books.entry(b.to_string()).or_default();
            match rest {
                [] => acc.ok(ln),
                ["address", n, r @ ..] => {
                    let r: Vec<String> = r.iter().map(|x| x.to_string()).collect();
                    book_address(acc, &mut book.0, n, &r, ln)
                }
                ["address-set", n, "address" | "address-set", m] => {
                    book.0.set_member(n, m, ln);
                    acc.ok(ln)
                }
                ["attach", "zone", z] => {
                    book.1.push(z.to_string());
                    acc.ok(ln)
                }
                ["description", ..] | ["address-set", _, "description", ..] => {
                    acc.irr(ln, "description")
                }
                _ => acc.bad(ln, "address-book statement not modelled", Scope::Policy),
            }
        }
        ["security", "policies", "from-zone", a, "to-zone", b, rest @ ..] => {
            if *a == "junos-host" || *b == "junos-host" {
                return acc.irr(ln, HOST);
            }
            match rest {
                [] => acc.ok(ln),
                ["policy", p, r @ ..] => {
                    let pol = s.pol(Some((a.to_string(), b.to_string())), p);
                    policy_stmt(acc, pol, r, ln)
                }
                _ => acc.bad(ln, "policy statement not modelled", Scope::Policy),
            }
        }
        ["security", "policies", "global", rest @ ..] => match rest {
            [] => acc.ok(ln),
            ["policy", p, r @ ..] => {
                let pol = s.pol(None, p);
                policy_stmt(acc, pol, r, ln)
            }
            _ => acc.bad(ln, "global policy statement not modelled", Scope::Policy),
        },
        ["security", "policies", "default-policy", a] => match *a {
            "permit-all" => {
                s.default_permit = Some(ln);
                acc.ok(ln)
            }
            "deny-all" => {
                s.default_permit = None;
                acc.ok(ln)
            }
            _ => acc.bad(ln, "default policy not modelled", Scope::Policy),
        },
        ["security", "policies", "policy-rematch", ..]
        | ["security", "policies", "pre-id-default-policy", ..]
        | ["security", "policies", "traceoptions", ..] => acc.irr(
            ln,
            "policy settings without effect on the first packet's verdict",
        ),
        ["security", "nat", "proxy-arp", ..] => acc.irr(ln, "proxy ARP for NAT addresses"),
        ["security", "nat", "static", ..] => acc.bad(ln, "static NAT not modelled", Scope::Policy),
        ["security", "nat", rest @ ..] => s.nat.leaf(acc, rest, ln),
        // IKE gateways, proposals and policies only parametrise the IPsec VPNs that name
        // them, and every VPN (`ipsec vpn`) is reported below: they add nothing a VPN
        // line does not already taint (as policy-options do for routing protocols).
        ["security", "ike", ..]
        | ["security", "ipsec", "proposal" | "policy" | "traceoptions" | "vpn-monitor-options", ..] => {
            acc.irr(
                ln,
                "VPN parameters (IKE gateways, proposals, policies): act only through the IPsec VPNs that use them, which are reported unrecognised",
            )
        }
        ["security", "ipsec" | "gvpn" | "group-vpn", ..] => {
            acc.bad(ln, "VPN (IKE / IPsec) not modelled", Scope::Routing)
        }
        ["security", "forwarding-options", ..] if w.contains(&"packet-based") => acc.bad(
            ln,
            "packet-based forwarding (policies bypassed) not modelled",
            Scope::Policy,
        ),
        ["security", "screen"
        | "log"
        | "alg"
        | "flow"
        | "idp"
        | "utm"
        | "application-tracking"
        | "ssh-known-hosts"
        | "pki"
        | "certificates"
        | "forwarding-options"
        | "idp-sensor-config"
        | "authentication-key-chains"
        | "ssl"
        | "traceoptions"
        | "address-book-description", ..] => acc.irr(
            ln,
            "security services (screens, logging, ALGs, IDP, PKI, flow settings)",
        ),
        _ => acc.bad(ln, "security statement not modelled", Scope::Policy),
    }
}

fn book_address(acc: &mut Acc, b: &mut Book, n: &str, r: &[String], ln: u32) {
    match b.address(n, r, ln) {
        Ok(true) => acc.ok(ln),
        Ok(false) => acc.irr(ln, "description"),
        Err(e) => acc.bad(ln, &e, Scope::Policy),
    }
}

/// `policy P …` below the zone pair or `global`; `r` starts after the policy name.
fn policy_stmt(acc: &mut Acc, pol: &mut Pol, r: &[&str], ln: u32) {
    pol.lines.push(ln);
    let v = |x: &str| (x.to_string(), ln);
    match r {
        [] => acc.ok(ln),
        ["match", "source-address", a] => {
            pol.src.push(v(a));
            acc.ok(ln)
        }
        ["match", "destination-address", a] => {
            pol.dst.push(v(a));
            acc.ok(ln)
        }
        ["match", "application", a] => {
            pol.apps.push(v(a));
            acc.ok(ln)
        }
        ["match", "from-zone", z] if pol.pair.is_none() => {
            pol.from_zones.push(v(z));
            acc.ok(ln)
        }
        ["match", "to-zone", z] if pol.pair.is_none() => {
            pol.to_zones.push(v(z));
            acc.ok(ln)
        }
        ["match", "dynamic-application" | "url-category", "any" | "none"] => acc.ok(ln),
        ["match", "dynamic-application" | "url-category", ..] => {
            pol.app_id.push(ln);
            acc.ok(ln)
        }
        ["then", "permit"] => {
            pol.action = Some((Action::Permit, ln));
            acc.ok(ln)
        }
        ["then", "permit", "application-services", ..] => {
            pol.action = Some((Action::Permit, ln));
            acc.irr(
                ln,
                "security services on permitted traffic (IDP, UTM, AppFW)",
            )
        }
        ["then", "permit", ..] => {
            pol.action = Some((Action::Permit, ln));
            acc.bad(
                ln,
                "permit with tunnel / destination-address options not modelled",
                Scope::Policy,
            )
        }
        ["then", "deny" | "reject", ..] => {
            pol.action = Some((Action::Deny, ln));
            acc.ok(ln)
        }
        ["then", "log" | "count", ..] => acc.irr(ln, "logging and counting"),
        ["description", ..] => acc.irr(ln, "description"),
        _ => acc.bad(
            ln,
            "policy condition not modelled (negated addresses, users, schedules, …)",
            Scope::Policy,
        ),
    }
}

/// Zones, policies (and NAT) into the device. Unresolvable references are unrecognised.
pub(super) fn build(j: &mut J, d: &mut Device) {
    let s = std::mem::take(&mut j.sec);
    let acc = &mut j.acc;
    let known: BTreeSet<String> = d.interfaces.iter().map(|i| i.name.clone()).collect();
    let mut zone_ifs: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (z, zone) in &s.zones {
        let v = zone_ifs.entry(z).or_default();
        for (i, ln) in &zone.ifs {
            let name = if i.contains('.') {
                i.clone()
            } else {
                format!("{i}.0")
            };
            if !known.contains(&name) {
                acc.bad(
                    *ln,
                    &format!("zone {z} names interface {name}, which is not configured"),
                    Scope::Policy,
                );
            }
            v.push(name);
        }
        let _ = zone.line;
    }
    let all: Vec<String> = zone_ifs.values().flatten().cloned().collect();
    d.dnats = s.nat.dnats(acc, &zone_ifs, &j.file);
    let snats = s.nat.snat_rules(acc);
    let global_book = s.books.get("global").map(|b| &b.0);
    let books_for = |zone: Option<&str>| -> Vec<&Book> {
        let mut v = vec![];
        if let Some(z) = zone {
            if let Some(zn) = s.zones.get(z) {
                v.push(&zn.book);
            }
            for (name, (b, att)) in &s.books {
                if name != "global" && att.iter().any(|a| a == z) {
                    v.push(b);
                }
            }
        }
        v.extend(global_book);
        v
    };
    let (zoned, global): (Vec<&Pol>, Vec<&Pol>) = s.pols.iter().partition(|p| p.pair.is_some());
    for p in zoned.into_iter().chain(global) {
        let first = p.lines.first().copied().unwrap_or(1);
        let fail = |acc: &mut Acc, ln: u32, e: String| acc.bad(ln, &e, Scope::Policy);
        let zones = |acc: &mut Acc, zs: &[(String, u32)]| -> Option<Vec<String>> {
            if zs.is_empty() || zs.iter().any(|z| z.0 == "any") {
                return Some(all.clone());
            }
            let mut v = vec![];
            for (z, ln) in zs {
                match zone_ifs.get(z.as_str()) {
                    Some(ifs) => v.extend(ifs.iter().cloned()),
                    None => {
                        fail(acc, *ln, format!("zone {z} is not defined"));
                        return None;
                    }
                }
            }
            Some(v)
        };
        let (id, src_intf, dst_intf, sbooks, dbooks) = match &p.pair {
            Some((a, b)) => {
                let (Some(si), Some(di)) = (
                    zones(acc, &[(a.clone(), first)]),
                    zones(acc, &[(b.clone(), first)]),
                ) else {
                    continue;
                };
                (
                    format!("{a}>{b} {}", p.name),
                    si,
                    di,
                    books_for(Some(a)),
                    books_for(Some(b)),
                )
            }
            None => {
                let (Some(si), Some(di)) = (zones(acc, &p.from_zones), zones(acc, &p.to_zones))
                else {
                    continue;
                };
                (
                    format!("global {}", p.name),
                    si,
                    di,
                    books_for(None),
                    books_for(None),
                )
            }
        };
        let Some((action, _)) = p.action else {
            fail(acc, first, format!("policy {} has no action", p.name));
            continue;
        };
        if p.src.is_empty() || p.dst.is_empty() || p.apps.is_empty() {
            fail(
                acc,
                first,
                format!("policy {} lacks source, destination or application", p.name),
            );
            continue;
        }
        if !p.app_id.is_empty() && action == Action::Deny {
            // Over-approximating an App-ID deny would under-approximate reach.
            for &l in &p.app_id {
                fail(
                    acc,
                    l,
                    "deny restricted by application (App-ID) not decidable".into(),
                );
            }
            continue;
        }
        let mut lines: Vec<u32> = p.lines.clone();
        let mut ok = true;
        let mut addr = |acc: &mut Acc, books: &[&Book], names: &[(String, u32)]| {
            let mut set = AddrSet { items: vec![] };
            for (n, ln) in names {
                match resolve_addr(books, n, &mut lines) {
                    Ok(a) => set.items.extend(a.items),
                    Err(e) => {
                        fail(acc, *ln, e);
                        ok = false;
                    }
                }
            }
            if set.items.contains(&IpMatch::Any) {
                set = AddrSet::any();
            }
            set
        };
        let src = addr(acc, &sbooks, &p.src);
        let dst = addr(acc, &dbooks, &p.dst);
        let mut services = vec![];
        let mut any_app = false;
        let mut app_lines = vec![];
        for (a, ln) in &p.apps {
            if a == "any" {
                any_app = true;
                continue;
            }
            if let Err(e) = s.apps.resolve(a, 0, &mut services, &mut app_lines) {
                fail(acc, *ln, e);
                ok = false;
            }
        }
        if !ok {
            continue;
        }
        lines.extend(app_lines);
        if any_app {
            services.clear();
        }
        lines.sort();
        lines.dedup();
        let mut pol = Policy {
            id,
            src_intf,
            dst_intf,
            m: Match {
                src,
                dst,
                services,
                established: None,
                src_mac: None,
            },
            action,
            enabled: true,
            span: j_span(&j.file, first),
            lines: lines.iter().map(|&l| j_span(&j.file, l)).collect(),
            field_lines: vec![],
            snat: None,
            dnat: vec![],
        };
        // Source NAT after the policy: one refined copy per rule, in rule order.
        if action == Action::Permit {
            for r in &snats {
                let ifs = |zs: &[String]| -> Vec<&String> {
                    zs.iter()
                        .filter_map(|z| zone_ifs.get(z.as_str()))
                        .flatten()
                        .collect()
                };
                let (rf, rt) = (ifs(&r.from), ifs(&r.to));
                let si: Vec<String> = pol
                    .src_intf
                    .iter()
                    .filter(|i| rf.contains(i))
                    .cloned()
                    .collect();
                let di: Vec<String> = pol
                    .dst_intf
                    .iter()
                    .filter(|i| rt.contains(i))
                    .cloned()
                    .collect();
                if si.is_empty() || di.is_empty() {
                    continue;
                }
                let (Some(src), Some(dst)) = (
                    super::nat::intersect(&pol.m.src, &r.src),
                    super::nat::intersect(&pol.m.dst, &r.dst),
                ) else {
                    for &l in &r.lines {
                        fail(acc, l, "source NAT over address ranges not modelled".into());
                    }
                    continue;
                };
                if src.items.is_empty() || dst.items.is_empty() {
                    continue;
                }
                if src == pol.m.src && dst == pol.m.dst {
                    // The rule covers the whole policy: no copy, later rules never apply.
                    pol.snat = r.snat.clone();
                    pol.lines
                        .extend(r.lines.iter().map(|&l| j_span(&j.file, l)));
                    break;
                }
                let mut lines = pol.lines.clone();
                lines.extend(r.lines.iter().map(|&l| j_span(&j.file, l)));
                d.policies.push(Policy {
                    id: format!("{} [source NAT {}]", pol.id, r.name),
                    src_intf: si,
                    dst_intf: di,
                    m: Match {
                        src,
                        dst,
                        ..pol.m.clone()
                    },
                    lines,
                    field_lines: vec![],
                    snat: r.snat.clone(),
                    ..pol.clone()
                });
            }
        }
        d.policies.push(pol);
    }
    if let Some(ln) = s.default_permit {
        d.policies.push(Policy {
            id: "default-policy permit-all".into(),
            src_intf: all.clone(),
            dst_intf: all,
            m: Match::any(),
            action: Action::Permit,
            enabled: true,
            span: j_span(&j.file, ln),
            lines: vec![j_span(&j.file, ln)],
            field_lines: vec![],
            snat: None,
            dnat: vec![],
        });
    }
    // Destination NAT: a policy admits a translated packet when the mapped address is in
    // its destination and the NAT applies on one of its ingress interfaces.
    for p in &mut d.policies {
        for (k, v) in d.dnats.iter().enumerate() {
            let on = v.in_intf.iter().any(|i| p.src_intf.contains(i));
            if on && p.m.dst.contains(v.mapped) {
                p.dnat.push(k);
            }
        }
    }
    j.sec.apps = s.apps;
}

fn j_span(file: &str, l: u32) -> Span {
    Span::new(file, l)
}

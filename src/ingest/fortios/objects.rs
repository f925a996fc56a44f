//! Firewall objects: addresses and address groups, services and service groups,
//! IP pools and VIPs.

use super::lexing::{
    build_table, is_enable, mark_block, mark_obj_ok, no_reset, parse_addr_mask, parse_port_item,
    parse_port_range, prefix_match, Attr, Block, Obj,
};
use super::{Ctx, Resolved};
use crate::model::*;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::net::Ipv4Addr;
use std::rc::Rc;

// --- addresses -------------------------------------------------------------

/// Named objects (addresses or services) and groups of them, resolved on demand with
/// memoisation (each group is flattened once) and cycle detection.
pub(super) struct Resolver<T> {
    pub(super) kind: &'static str,
    pub(super) leaves: HashMap<String, Resolved<T>>,
    pub(super) groups: HashMap<String, Group>,
    pub(super) fallback: fn(&str) -> Option<Vec<T>>,
    pub(super) cache: RefCell<HashMap<String, Rc<Resolved<T>>>>,
}

/// A group's members, problems and defining lines.
pub(super) type Group = (Vec<String>, Vec<String>, Vec<Span>);

/// Order-preserving union with hash-based deduplication.
pub(super) struct Union<T> {
    pub(super) items: Vec<T>,
    pub(super) seen: HashSet<T>,
    pub(super) problems: Vec<String>,
    pub(super) pseen: HashSet<String>,
    pub(super) spans: Vec<Span>,
}

impl<T: Clone + Eq + Hash> Union<T> {
    pub(super) fn new() -> Self {
        Union {
            items: Vec::new(),
            seen: HashSet::new(),
            problems: Vec::new(),
            pseen: HashSet::new(),
            spans: Vec::new(),
        }
    }
    pub(super) fn add(&mut self, r: &Resolved<T>) {
        for i in &r.items {
            if self.seen.insert(i.clone()) {
                self.items.push(i.clone());
            }
        }
        for p in &r.problems {
            self.add_problem(p);
        }
        self.add_spans(&r.spans);
    }
    pub(super) fn add_spans(&mut self, spans: &[Span]) {
        for sp in spans {
            if !self.spans.contains(sp) {
                self.spans.push(sp.clone());
            }
        }
    }
    pub(super) fn add_problem(&mut self, p: &str) {
        if self.pseen.insert(p.to_string()) {
            self.problems.push(p.to_string());
        }
    }
    pub(super) fn finish(self) -> Resolved<T> {
        Resolved {
            items: self.items,
            problems: self.problems,
            spans: self.spans,
        }
    }
}

impl<T: Clone + Eq + Hash> Resolver<T> {
    pub(super) fn resolve(&self, name: &str) -> Rc<Resolved<T>> {
        self.resolve_in(name, &mut Vec::new())
    }

    pub(super) fn resolve_in(&self, name: &str, stack: &mut Vec<String>) -> Rc<Resolved<T>> {
        if let Some(r) = self.cache.borrow().get(name) {
            return r.clone();
        }
        let r = if let Some(r) = self.leaves.get(name) {
            r.clone()
        } else if let Some((members, problems, spans)) = self.groups.get(name) {
            if stack.iter().any(|s| s == name) {
                // Not cached: the result depends on the entry point.
                return Rc::new(Resolved {
                    items: vec![],
                    problems: vec![format!("{} group cycle through `{name}`", self.kind)],
                    spans: vec![],
                });
            }
            let mut u = Union::new();
            for p in problems {
                u.add_problem(p);
            }
            u.add_spans(spans);
            stack.push(name.to_string());
            for m in members {
                let r = self.resolve_in(m, stack);
                u.add(&r);
            }
            stack.pop();
            u.finish()
        } else if let Some(items) = (self.fallback)(name) {
            Resolved {
                items,
                problems: vec![],
                spans: vec![],
            }
        } else {
            Resolved {
                items: vec![],
                problems: vec![format!("undefined {} `{name}`", self.kind)],
                spans: vec![],
            }
        };
        let r = Rc::new(r);
        self.cache.borrow_mut().insert(name.to_string(), r.clone());
        r
    }
}

pub(super) type Addresses = Resolver<IpMatch>;
pub(super) type Services = Resolver<Service>;

/// The lines that define an object: its `edit` line and those of the `keys` it sets.
fn defining(ctx: &Ctx, o: &Obj, keys: &[&str]) -> Vec<Span> {
    let mut v: Vec<Span> = o.opens.iter().map(|s| ctx.span(s.first)).collect();
    for a in o.attrs.iter().filter(|a| keys.contains(&a.key.as_str())) {
        v.extend(a.stmts.iter().map(|s| ctx.span(s.first)));
    }
    v
}

pub(super) fn no_fallback<T>(_: &str) -> Option<Vec<T>> {
    None
}

impl Resolver<IpMatch> {
    pub(super) fn build(
        ctx: &mut Ctx,
        ablocks: &[Block],
        gblocks: &[Block],
        ifaces: &[Interface],
    ) -> Self {
        let sc = Scope::Policy;
        let mut addrs = HashMap::new();
        addrs.insert(
            "all".to_string(),
            Resolved {
                items: vec![IpMatch::Any],
                problems: vec![],
                spans: vec![],
            },
        );
        addrs.insert("none".to_string(), Resolved::default());
        let t = build_table(ctx, ablocks, &sc, no_reset);
        for a in &t.direct.attrs {
            for s in &a.stmts {
                ctx.bad_stmt(s, "attribute outside of an address entry", &sc);
            }
        }
        for b in &t.direct.subs {
            mark_block(ctx, b, Some(("unexpected block in firewall address", &sc)));
        }
        for o in &t.objs {
            let ty = o.val("type").unwrap_or("ipmask");
            let mut r = Resolved::default();
            // (attribute, error) for attributes that fail.
            let mut errs: Vec<(&Attr, String, Scope)> = Vec::new();
            match ty {
                "ipmask" => match o.get("subnet") {
                    None => r.items.push(IpMatch::Any),
                    Some(a) => match parse_addr_mask(&a.vals) {
                        Ok((ip, len)) => r.items.push(prefix_match(ip, len)),
                        Err(e) => {
                            r.problems.push(format!("address `{}`: {e}", o.name));
                            errs.push((a, e, Scope::None));
                        }
                    },
                },
                "iprange" => {
                    let get = |k: &str| -> Result<Ipv4Addr, (Option<&Attr>, String)> {
                        match o.get(k) {
                            None => Ok(Ipv4Addr::UNSPECIFIED),
                            Some(a) => match a.vals.as_slice() {
                                [v] => v.parse().map_err(|_| (Some(a), format!("malformed {k}"))),
                                _ => Err((Some(a), format!("malformed {k}"))),
                            },
                        }
                    };
                    match (get("start-ip"), get("end-ip")) {
                        (Ok(lo), Ok(hi)) if lo <= hi => r.items.push(IpMatch::Range { lo, hi }),
                        (Ok(_), Ok(_)) => {
                            let e = "address range with start-ip after end-ip".to_string();
                            r.problems.push(format!("address `{}`: {e}", o.name));
                            if let Some(a) = o.get("end-ip").or(o.get("type")) {
                                errs.push((a, e, Scope::None));
                            }
                        }
                        (Err((a, e)), _) | (_, Err((a, e))) => {
                            r.problems.push(format!("address `{}`: {e}", o.name));
                            if let Some(a) = a {
                                errs.push((a, e, Scope::None));
                            }
                        }
                    }
                }
                "wildcard" => match o.get("wildcard") {
                    None => r.items.push(IpMatch::Any),
                    Some(a) => {
                        let p: Option<(Ipv4Addr, Ipv4Addr)> = match a.vals.as_slice() {
                            [x, m] => x.parse().ok().zip(m.parse().ok()),
                            _ => None,
                        };
                        match p {
                            Some((x, m)) => {
                                let m = u32::from(m);
                                r.items.push(IpMatch::Wildcard {
                                    addr: Ipv4Addr::from(u32::from(x) & m),
                                    wildcard: Ipv4Addr::from(!m),
                                })
                            }
                            None => {
                                let e = "malformed wildcard".to_string();
                                r.problems.push(format!("address `{}`: {e}", o.name));
                                errs.push((a, e, Scope::None));
                            }
                        }
                    }
                },
                "interface-subnet" => {
                    let ifc = o
                        .val("interface")
                        .and_then(|n| ifaces.iter().find(|i| i.name == n))
                        .and_then(|i| i.addresses.first());
                    match ifc {
                        Some(&(ip, len)) => r.items.push(prefix_match(ip, len)),
                        None => {
                            let e =
                                "interface-subnet address of an interface without a known address"
                                    .to_string();
                            r.problems.push(format!("address `{}`: {e}", o.name));
                            if let Some(a) = o.get("type") {
                                errs.push((a, e, Scope::None));
                            }
                        }
                    }
                }
                other => {
                    // Recognised: its addresses are known only at run time. The
                    // definition alone does nothing; every policy that uses it is
                    // unrecognised with this reason (policy scope).
                    let e = format!("{other} address cannot be resolved from configuration");
                    r.problems.push(format!("address `{}`: {e}", o.name));
                }
            }
            for a in &o.attrs {
                if let Some((_, e, s)) = errs.iter().find(|(x, _, _)| std::ptr::eq(*x, a)) {
                    for st in &a.stmts {
                        ctx.bad_stmt(st, e, s);
                    }
                    continue;
                }
                let known = matches!(
                    a.key.as_str(),
                    "type"
                        | "subnet"
                        | "start-ip"
                        | "end-ip"
                        | "wildcard"
                        | "interface"
                        | "fqdn"
                        | "country"
                        | "sdn"
                        | "sub-type"
                        | "wildcard-fqdn"
                        | "start-mac"
                        | "end-mac"
                        | "macaddr"
                        | "uuid"
                        | "comment"
                        | "color"
                        | "associated-interface"
                        | "allow-routing"
                        | "fabric-object"
                        | "visibility"
                        | "cache-ttl"
                        | "obj-type"
                        | "list"
                        | "filter"
                        | "sdn-addr-type"
                        | "clearpass-spt"
                        | "node-ip-only"
                        | "dirty"
                        | "policy-group"
                        | "tenant"
                        | "organization"
                        | "epg-name"
                        | "obj-id"
                        | "tag-detection-level"
                        | "tag-type"
                        | "fsso-group"
                        | "hw-vendor"
                        | "hw-model"
                        | "os"
                        | "sw-version"
                        | "route-tag"
                );
                for st in &a.stmts {
                    if known {
                        ctx.ok_stmt(st);
                    } else {
                        ctx.bad_stmt(
                            st,
                            &format!("address attribute `{}` not modeled", a.key),
                            &sc,
                        );
                    }
                }
            }
            for b in &o.subs {
                if b.path
                    .first()
                    .map(|s| s == "tagging" || s == "list")
                    .unwrap_or(false)
                {
                    mark_block(ctx, b, None);
                } else {
                    mark_block(ctx, b, Some(("address block not modeled", &sc)));
                }
            }
            r.spans = defining(
                ctx,
                o,
                &["type", "subnet", "start-ip", "end-ip", "wildcard", "fqdn"],
            );
            addrs.insert(o.name.clone(), r);
        }

        let mut groups = HashMap::new();
        let t = build_table(ctx, gblocks, &sc, no_reset);
        for a in &t.direct.attrs {
            for s in &a.stmts {
                ctx.bad_stmt(s, "attribute outside of an address group entry", &sc);
            }
        }
        for b in &t.direct.subs {
            mark_block(ctx, b, Some(("unexpected block in firewall addrgrp", &sc)));
        }
        for o in &t.objs {
            let mut problems = Vec::new();
            let exclude = o.get("exclude").map(is_enable).unwrap_or(false);
            for a in &o.attrs {
                let r: Result<(), (String, Scope)> = match a.key.as_str() {
                    "member" | "uuid" | "comment" | "color" | "visibility" | "allow-routing"
                    | "fabric-object" | "category" | "type" => Ok(()),
                    "exclude" => Ok(()),
                    "exclude-member" if !exclude => Ok(()),
                    "exclude-member" => {
                        // The definition alone does nothing; policies using the group are
                        // unrecognised with this reason.
                        let e = "address group exclusion not modeled".to_string();
                        problems.push(format!("address group `{}`: {e}", o.name));
                        Ok(())
                    }
                    k => Err((
                        format!("address group attribute `{k}` not modeled"),
                        sc.clone(),
                    )),
                };
                for st in &a.stmts {
                    match &r {
                        Ok(()) => ctx.ok_stmt(st),
                        Err((e, s)) => ctx.bad_stmt(st, e, s),
                    }
                }
            }
            for b in &o.subs {
                if b.path.first().map(|s| s == "tagging").unwrap_or(false) {
                    mark_block(ctx, b, None);
                } else {
                    mark_block(ctx, b, Some(("address group block not modeled", &sc)));
                }
            }
            let members = o.get("member").map(|a| a.vals.clone()).unwrap_or_default();
            let spans = defining(ctx, o, &["member"]);
            groups.insert(o.name.clone(), (members, problems, spans));
        }
        Resolver {
            kind: "address",
            leaves: addrs,
            groups,
            fallback: no_fallback,
            cache: RefCell::new(HashMap::new()),
        }
    }
}

// --- services --------------------------------------------------------------

/// FortiOS factory-default services (FortiOS 6.4), used when the file does not
/// define them. (protocol, ranges): `tcp`/`udp`/`sctp` with port ranges,
/// `icmp` with an optional type, `ip` with a protocol number (0 = any), `none`.
pub(super) const PREDEFINED: &[(&str, &[(&str, &str)])] = &[
    ("ALL", &[("ip", "0")]),
    ("ALL_TCP", &[("tcp", "1-65535")]),
    ("ALL_UDP", &[("udp", "1-65535")]),
    ("ALL_ICMP", &[("icmp", "")]),
    ("ALL_ICMP6", &[("none", "")]),
    ("PING", &[("icmp", "8")]),
    ("PING6", &[("none", "")]),
    ("TIMESTAMP", &[("icmp", "13")]),
    ("INFO_REQUEST", &[("icmp", "15")]),
    ("INFO_ADDRESS", &[("icmp", "17")]),
    ("GRE", &[("ip", "47")]),
    ("AH", &[("ip", "51")]),
    ("ESP", &[("ip", "50")]),
    ("OSPF", &[("ip", "89")]),
    ("DNS", &[("tcp", "53"), ("udp", "53")]),
    ("HTTP", &[("tcp", "80")]),
    ("HTTPS", &[("tcp", "443")]),
    ("IMAP", &[("tcp", "143")]),
    ("IMAPS", &[("tcp", "993")]),
    ("LDAP", &[("tcp", "389")]),
    ("LDAP_UDP", &[("udp", "389")]),
    ("DCE-RPC", &[("tcp", "135"), ("udp", "135")]),
    ("POP3", &[("tcp", "110")]),
    ("POP3S", &[("tcp", "995")]),
    ("SAMBA", &[("tcp", "139")]),
    ("SMB", &[("tcp", "445")]),
    ("SMTP", &[("tcp", "25")]),
    ("SMTPS", &[("tcp", "465")]),
    ("KERBEROS", &[("tcp", "88 464"), ("udp", "88 464")]),
    ("AOL", &[("tcp", "5190-5194")]),
    ("BGP", &[("tcp", "179")]),
    ("DHCP", &[("udp", "67-68")]),
    ("DHCP6", &[("udp", "546 547")]),
    ("FINGER", &[("tcp", "79")]),
    ("FTP", &[("tcp", "21")]),
    ("FTP_GET", &[("tcp", "21")]),
    ("FTP_PUT", &[("tcp", "21")]),
    ("GOPHER", &[("tcp", "70")]),
    ("H323", &[("tcp", "1720 1503"), ("udp", "1719")]),
    ("IKE", &[("udp", "500 4500")]),
    ("Internet-Locator-Service", &[("tcp", "389")]),
    ("IRC", &[("tcp", "6660-6669")]),
    ("L2TP", &[("tcp", "1701"), ("udp", "1701")]),
    ("REXEC", &[("tcp", "512")]),
    ("RSH", &[("tcp", "514:512-1023")]),
    ("SCCP", &[("tcp", "2000")]),
    ("MGCP", &[("udp", "2427 2727")]),
    ("WINFRAME", &[("tcp", "1494 2598")]),
    ("VNC", &[("tcp", "5900")]),
    ("RADIUS", &[("udp", "1812 1813")]),
    ("RADIUS-OLD", &[("udp", "1645 1646")]),
    ("RTSP", &[("tcp", "554 7070 8554"), ("udp", "554")]),
    ("NetMeeting", &[("tcp", "1720")]),
    ("NFS", &[("tcp", "111 2049"), ("udp", "111 2049")]),
    ("NNTP", &[("tcp", "119")]),
    ("NTP", &[("tcp", "123"), ("udp", "123")]),
    ("PC-Anywhere", &[("tcp", "5631"), ("udp", "5632")]),
    ("ONC-RPC", &[("tcp", "111"), ("udp", "111")]),
    ("PPTP", &[("tcp", "1723")]),
    ("QUAKE", &[("udp", "26000 27000 27910 27960")]),
    ("RAUDIO", &[("udp", "7070")]),
    ("RIP", &[("udp", "520")]),
    ("RLOGIN", &[("tcp", "513:512-1023")]),
    ("SIP", &[("tcp", "5060"), ("udp", "5060")]),
    ("SIP-MSNmessenger", &[("tcp", "1863")]),
    ("SNMP", &[("tcp", "161-162"), ("udp", "161-162")]),
    ("SSH", &[("tcp", "22")]),
    ("SYSLOG", &[("udp", "514")]),
    ("TALK", &[("udp", "517-518")]),
    ("TELNET", &[("tcp", "23")]),
    ("TFTP", &[("udp", "69")]),
    ("UUCP", &[("tcp", "540")]),
    ("VDOLIVE", &[("tcp", "7000-7010")]),
    ("WAIS", &[("tcp", "210")]),
    ("X-WINDOWS", &[("tcp", "6000-6063")]),
    ("MS-SQL", &[("tcp", "1433 1434")]),
    ("MYSQL", &[("tcp", "3306")]),
    ("RDP", &[("tcp", "3389")]),
    ("SQUID", &[("tcp", "3128")]),
    ("SOCKS", &[("tcp", "1080"), ("udp", "1080")]),
    ("WINS", &[("tcp", "1512"), ("udp", "1512")]),
    ("CVSPSERVER", &[("tcp", "2401"), ("udp", "2401")]),
    ("AFS3", &[("tcp", "7000-7009"), ("udp", "7000-7009")]),
    ("TRACEROUTE", &[("udp", "33434-33535")]),
    ("MMS", &[("tcp", "1755"), ("udp", "1024-5000")]),
    ("NONE", &[("tcp", "0")]),
];

pub(super) fn port_services(p: u8, items: &[String]) -> Result<Vec<Service>, String> {
    let mut out = Vec::new();
    for it in items {
        let (d, s) = parse_port_item(it).ok_or_else(|| format!("malformed port range `{it}`"))?;
        out.push(Service {
            proto: Some(p),
            sport: s,
            dport: d,
            icmp_type: None,
            icmp_code: None,
        });
    }
    Ok(out)
}

pub(super) fn predefined(name: &str) -> Option<Vec<Service>> {
    let (_, spec) = PREDEFINED.iter().find(|(n, _)| *n == name)?;
    let mut out = Vec::new();
    for (p, r) in spec.iter() {
        let items: Vec<String> = r.split_whitespace().map(String::from).collect();
        match *p {
            "tcp" => out.extend(port_services(proto::TCP, &items).ok()?),
            "udp" => out.extend(port_services(proto::UDP, &items).ok()?),
            "icmp" => out.push(Service {
                icmp_type: r.parse().ok(),
                ..Service::proto(proto::ICMP)
            }),
            "ip" => match r.parse::<u8>().ok()? {
                0 => out.push(Service::any()),
                n => out.push(Service::proto(n)),
            },
            _ => {}
        }
    }
    Some(out)
}

pub(super) fn service_reset(key: &str) -> &'static [&'static str] {
    if key == "protocol" {
        &[
            "tcp-portrange",
            "udp-portrange",
            "sctp-portrange",
            "icmptype",
            "icmpcode",
            "protocol-number",
        ]
    } else {
        &[]
    }
}

impl Resolver<Service> {
    pub(super) fn build(ctx: &mut Ctx, cblocks: &[Block], gblocks: &[Block]) -> Self {
        let sc = Scope::Policy;
        let mut custom = HashMap::new();
        let t = build_table(ctx, cblocks, &sc, service_reset);
        for a in &t.direct.attrs {
            for s in &a.stmts {
                ctx.bad_stmt(s, "attribute outside of a service entry", &sc);
            }
        }
        for b in &t.direct.subs {
            mark_block(
                ctx,
                b,
                Some(("unexpected block in firewall service custom", &sc)),
            );
        }
        for o in &t.objs {
            let protocol = o
                .val("protocol")
                .unwrap_or("TCP/UDP/SCTP")
                .to_ascii_uppercase();
            let mut r = Resolved::default();
            let proxy = o.get("proxy").map(is_enable).unwrap_or(false);
            if proxy {
                r.problems
                    .push(format!("service `{}` is an explicit-proxy service", o.name));
            }
            for a in &o.attrs {
                let key = a.key.as_str();
                let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
                let res: Result<(), (String, Scope)> = match key {
                    "protocol" => match protocol.as_str() {
                        "TCP/UDP/SCTP" | "ICMP" | "ICMP6" | "IP" => Ok(()),
                        // Explicit-proxy services: already a problem when referenced.
                        _ if proxy => Ok(()),
                        p => {
                            let e = format!("service protocol `{p}` not modeled");
                            r.problems.push(format!("service `{}`: {e}", o.name));
                            Err((e, Scope::None))
                        }
                    },
                    "tcp-portrange" | "udp-portrange" | "sctp-portrange"
                        if protocol == "TCP/UDP/SCTP" && !proxy =>
                    {
                        let p = match key {
                            "tcp-portrange" => proto::TCP,
                            "udp-portrange" => proto::UDP,
                            _ => proto::SCTP,
                        };
                        match port_services(p, &a.vals) {
                            Ok(v) => {
                                r.items.extend(v);
                                Ok(())
                            }
                            Err(e) => {
                                r.problems.push(format!("service `{}`: {e}", o.name));
                                Err((e, sc.clone()))
                            }
                        }
                    }
                    "icmptype" | "icmpcode" if protocol == "ICMP" || protocol == "ICMP6" => {
                        match v0.parse::<u8>() {
                            Ok(_) if a.vals.len() == 1 => Ok(()),
                            _ => {
                                let e = format!("invalid {key} `{}`", a.vals.join(" "));
                                r.problems.push(format!("service `{}`: {e}", o.name));
                                Err((e, sc.clone()))
                            }
                        }
                    }
                    "protocol-number" if protocol == "IP" => match v0.parse::<u8>() {
                        Ok(_) => Ok(()),
                        Err(_) => {
                            let e = format!("invalid protocol-number `{v0}`");
                            r.problems.push(format!("service `{}`: {e}", o.name));
                            Err((e, sc.clone()))
                        }
                    },
                    "tcp-portrange" | "udp-portrange" | "sctp-portrange" | "icmptype"
                    | "icmpcode" | "protocol-number" => {
                        if proxy {
                            Ok(())
                        } else {
                            Err((
                                format!("`{key}` does not apply to protocol {protocol} (ignored)"),
                                Scope::None,
                            ))
                        }
                    }
                    "iprange" => {
                        if v0 == "0.0.0.0" || v0.is_empty() {
                            Ok(())
                        } else {
                            let e = "service restricted to a destination address range not modeled"
                                .to_string();
                            r.problems.push(format!("service `{}`: {e}", o.name));
                            Err((e, Scope::None))
                        }
                    }
                    "fqdn" => {
                        if v0.is_empty() {
                            Ok(())
                        } else {
                            let e =
                                "service restricted to a destination FQDN not modeled".to_string();
                            r.problems.push(format!("service `{}`: {e}", o.name));
                            Err((e, Scope::None))
                        }
                    }
                    "proxy"
                    | "category"
                    | "comment"
                    | "color"
                    | "visibility"
                    | "uuid"
                    | "session-ttl"
                    | "check-reset-range"
                    | "tcp-halfclose-timer"
                    | "tcp-halfopen-timer"
                    | "tcp-timewait-timer"
                    | "udp-idle-timer"
                    | "app-service-type"
                    | "app-category"
                    | "application"
                    | "fabric-object"
                    | "helper"
                    | "tcp-rst-timer" => Ok(()),
                    k => Err((format!("service attribute `{k}` not modeled"), sc.clone())),
                };
                for st in &a.stmts {
                    match &res {
                        Ok(()) => ctx.ok_stmt(st),
                        Err((e, s)) => ctx.bad_stmt(st, e, s),
                    }
                }
            }
            match protocol.as_str() {
                "ICMP" => {
                    let num = |k: &str| o.val(k).and_then(|v| v.parse::<u8>().ok());
                    r.items.push(Service {
                        icmp_type: num("icmptype"),
                        icmp_code: num("icmpcode"),
                        ..Service::proto(proto::ICMP)
                    });
                }
                "IP" => match o.val("protocol-number").and_then(|v| v.parse::<u8>().ok()) {
                    None | Some(0) => r.items.push(Service::any()),
                    Some(n) => r.items.push(Service::proto(n)),
                },
                _ => {}
            }
            for b in &o.subs {
                mark_block(ctx, b, Some(("service block not modeled", &sc)));
            }
            r.spans = defining(
                ctx,
                o,
                &[
                    "protocol",
                    "protocol-number",
                    "tcp-portrange",
                    "udp-portrange",
                    "sctp-portrange",
                    "icmptype",
                    "icmpcode",
                ],
            );
            custom.insert(o.name.clone(), r);
        }

        let mut groups = HashMap::new();
        let t = build_table(ctx, gblocks, &sc, no_reset);
        for a in &t.direct.attrs {
            for s in &a.stmts {
                ctx.bad_stmt(s, "attribute outside of a service group entry", &sc);
            }
        }
        for b in &t.direct.subs {
            mark_block(
                ctx,
                b,
                Some(("unexpected block in firewall service group", &sc)),
            );
        }
        for o in &t.objs {
            let mut problems = Vec::new();
            for a in &o.attrs {
                let r: Result<(), (String, Scope)> = match a.key.as_str() {
                    "member" | "comment" | "color" | "uuid" | "fabric-object" => Ok(()),
                    "proxy" => {
                        if is_enable(a) {
                            problems.push(format!(
                                "service group `{}` is an explicit-proxy group",
                                o.name
                            ));
                        }
                        Ok(())
                    }
                    k => Err((
                        format!("service group attribute `{k}` not modeled"),
                        sc.clone(),
                    )),
                };
                for st in &a.stmts {
                    match &r {
                        Ok(()) => ctx.ok_stmt(st),
                        Err((e, s)) => ctx.bad_stmt(st, e, s),
                    }
                }
            }
            for b in &o.subs {
                mark_block(ctx, b, Some(("service group block not modeled", &sc)));
            }
            let members = o.get("member").map(|a| a.vals.clone()).unwrap_or_default();
            let spans = defining(ctx, o, &["member"]);
            groups.insert(o.name.clone(), (members, problems, spans));
        }
        Resolver {
            kind: "service",
            leaves: custom,
            groups,
            fallback: predefined,
            cache: RefCell::new(HashMap::new()),
        }
    }
}

// --- NAT objects -------------------------------------------------------------

/// VIPs (destination NAT), VIP groups and IP pools (source NAT) of the device.
pub(super) struct Nat {
    /// In file order: name → the modelled DNAT (`None` when not modelled: policies
    /// naming it are unrecognised with `why`).
    pub(super) vips: Vec<(String, Option<Dnat>, String)>,
    pub(super) vipgrps: HashMap<String, Vec<String>>,
    /// Pool name → its address range, or why it is not modelled.
    pub(super) pools: HashMap<String, Result<(Ipv4Addr, Ipv4Addr), String>>,
}

pub(super) fn ip_range(v: &str) -> Option<(Ipv4Addr, Ipv4Addr)> {
    match v.split_once('-') {
        Some((a, b)) => {
            let (a, b): (Ipv4Addr, Ipv4Addr) = (a.parse().ok()?, b.parse().ok()?);
            (a <= b).then_some((a, b))
        }
        None => {
            let a: Ipv4Addr = v.parse().ok()?;
            Some((a, a))
        }
    }
}

impl Nat {
    /// Indices into `Device::dnats` of a VIP or VIP group name; `None` if `name` is
    /// neither; `Err` when one is not modelled.
    pub(super) fn vip_refs(&self, name: &str) -> Option<Result<Vec<usize>, String>> {
        let one = |n: &str| -> Option<Result<usize, String>> {
            let pos = self.vips.iter().position(|v| v.0 == n)?;
            let v = &self.vips[pos];
            Some(match &v.1 {
                Some(_) => Ok(self.vips[..pos].iter().filter(|x| x.1.is_some()).count()),
                None => Err(format!("VIP `{n}`: {}", v.2)),
            })
        };
        if let Some(r) = one(name) {
            return Some(r.map(|i| vec![i]));
        }
        let members = self.vipgrps.get(name)?;
        let mut out = vec![];
        for m in members {
            match one(m) {
                Some(Ok(i)) => out.push(i),
                Some(Err(e)) => return Some(Err(e)),
                None => return Some(Err(format!("VIP group `{name}`: undefined VIP `{m}`"))),
            }
        }
        Some(Ok(out))
    }

    pub(super) fn build(
        ctx: &mut Ctx,
        vblocks: &[Block],
        gblocks: &[Block],
        pblocks: &[Block],
        ifaces: &[Interface],
        zones: &HashMap<String, Vec<String>>,
    ) -> Nat {
        let sc = Scope::Policy;
        let mut nat = Nat {
            vips: vec![],
            vipgrps: HashMap::new(),
            pools: HashMap::new(),
        };
        // IP pools.
        let t = build_table(ctx, pblocks, &sc, no_reset);
        mark_obj_ok(ctx, &t.direct);
        for o in &t.objs {
            let mut why: Option<String> = None;
            for a in &o.attrs {
                let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
                let r: Result<(), String> = match a.key.as_str() {
                    "startip" | "endip" => v0
                        .parse::<Ipv4Addr>()
                        .map(|_| ())
                        .map_err(|_| format!("malformed {} `{v0}`", a.key)),
                    "type" => match v0 {
                        "overload" | "one-to-one" => Ok(()),
                        t => Err(format!("IP pool type `{t}` not modeled")),
                    },
                    "source-startip" | "source-endip" => Ok(()),
                    "comments"
                    | "arp-reply"
                    | "arp-intf"
                    | "associated-interface"
                    | "block-size"
                    | "num-blocks-per-user"
                    | "pba-timeout"
                    | "permit-any-host"
                    | "nat64" => Ok(()),
                    k => Err(format!("IP pool attribute `{k}` not modeled")),
                };
                for st in &a.stmts {
                    match &r {
                        Ok(()) => ctx.ok_stmt(st),
                        Err(e) => ctx.bad_stmt(st, e, &sc),
                    }
                }
                if let Err(e) = r {
                    why.get_or_insert(e);
                }
            }
            mark_obj_ok(
                ctx,
                &Obj {
                    name: o.name.clone(),
                    opens: o.opens.clone(),
                    attrs: vec![],
                    subs: o.subs.clone(),
                },
            );
            let range = match (o.val("startip"), o.val("endip")) {
                (Some(a), Some(b)) => ip_range(&format!("{a}-{b}")),
                (Some(a), None) => ip_range(a),
                _ => None,
            };
            let r = match (why, range) {
                (Some(e), _) => Err(e),
                (None, Some(r)) => Ok(r),
                (None, None) => {
                    ctx.bad(o.line(), "IP pool without a valid startip-endip range", &sc);
                    Err("no valid address range".into())
                }
            };
            nat.pools.insert(o.name.clone(), r);
        }
        // VIPs.
        let t = build_table(ctx, vblocks, &sc, no_reset);
        mark_obj_ok(ctx, &t.direct);
        for o in &t.objs {
            let mut problems: Vec<String> = vec![];
            let mut lines = vec![ctx.span(o.line())];
            let pf = o.get("portforward").map(is_enable).unwrap_or(false);
            for a in &o.attrs {
                let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
                let r: Result<(), String> = match a.key.as_str() {
                    "extip" => ip_range(v0)
                        .map(|_| ())
                        .ok_or_else(|| format!("malformed extip `{v0}`")),
                    "mappedip" => match a.vals.as_slice() {
                        [one] => match ip_range(one) {
                            Some((lo, hi)) if lo == hi => Ok(()),
                            Some(_) => {
                                Err("mappedip range (one-to-one offset mapping) not modeled".into())
                            }
                            None => Err(format!("malformed mappedip `{one}`")),
                        },
                        _ => Err("several mappedip ranges (load balancing) not modeled".into()),
                    },
                    "extintf" => {
                        let bad: Vec<&String> = a
                            .vals
                            .iter()
                            .filter(|v| {
                                *v != "any"
                                    && !ifaces.iter().any(|i| &i.name == *v)
                                    && !zones.contains_key(*v)
                            })
                            .collect();
                        if bad.is_empty() {
                            Ok(())
                        } else {
                            Err(format!(
                                "extintf `{}` does not exist (FortiOS rejects it)",
                                bad[0]
                            ))
                        }
                    }
                    "portforward" | "arp-reply" | "comment" | "uuid" | "color" => Ok(()),
                    "protocol" => match v0 {
                        "tcp" | "udp" | "sctp" => Ok(()),
                        p => Err(format!("VIP port-forward protocol `{p}` not modeled")),
                    },
                    "extport" | "mappedport" if !pf => Ok(()),
                    "extport" | "mappedport" => match parse_port_range(v0) {
                        Some(r) if a.key == "mappedport" && r.lo != r.hi => {
                            Err("mappedport range (offset mapping) not modeled".into())
                        }
                        Some(_) => Ok(()),
                        None => Err(format!("malformed {} `{v0}`", a.key)),
                    },
                    "type" => match v0 {
                        "static-nat" => Ok(()),
                        t => Err(format!("VIP type `{t}` not modeled")),
                    },
                    "nat-source-vip" | "src-filter" | "service" | "srcintf-filter"
                    | "http-redirect" => {
                        if a.vals.is_empty() || v0 == "disable" {
                            Ok(())
                        } else {
                            Err(format!("VIP attribute `{}` not modeled", a.key))
                        }
                    }
                    k => Err(format!("VIP attribute `{k}` not modeled")),
                };
                for st in &a.stmts {
                    match &r {
                        Ok(()) => {
                            ctx.ok_stmt(st);
                            lines.push(ctx.span(st.first));
                        }
                        Err(e) => ctx.bad_stmt(st, e, &sc),
                    }
                }
                if let Err(e) = r {
                    problems.push(e);
                }
            }
            mark_obj_ok(
                ctx,
                &Obj {
                    name: o.name.clone(),
                    opens: o.opens.clone(),
                    attrs: vec![],
                    subs: vec![],
                },
            );
            for b in &o.subs {
                mark_block(ctx, b, Some(("VIP block not modeled", &sc)));
                problems.push("VIP block not modeled".into());
            }
            let ext = o.val("extip").and_then(ip_range);
            let mapped = o.val("mappedip").and_then(ip_range).map(|r| r.0);
            if ext.is_some_and(|(a, b)| a != b) {
                let e = "extip range (one-to-one offset mapping) not modeled";
                if let Some(a) = o.get("extip") {
                    for st in &a.stmts {
                        ctx.bad_stmt(st, e, &sc);
                    }
                }
                problems.push(e.into());
            }
            if ext.is_none() || mapped.is_none() {
                problems.push("VIP without extip or mappedip".into());
                ctx.bad(o.line(), "VIP without a valid extip and mappedip", &sc);
            }
            let port = if pf {
                let proto = match o.val("protocol").unwrap_or("tcp") {
                    "udp" => proto::UDP,
                    "sctp" => proto::SCTP,
                    _ => proto::TCP,
                };
                let ep = o.val("extport").and_then(parse_port_range);
                let mp = o.val("mappedport").and_then(parse_port_range);
                match (ep, mp) {
                    (Some(e), None) => Some((proto, e, None)),
                    (Some(e), Some(m)) if e == m => Some((proto, e, None)),
                    (Some(e), Some(m)) if e.lo == e.hi => Some((proto, e, Some(m.lo))),
                    (Some(_), Some(_)) => {
                        problems.push("extport range mapped to other ports not modeled".into());
                        None
                    }
                    _ => {
                        problems.push("port forwarding without extport".into());
                        ctx.bad(o.line(), "port-forward VIP without a valid extport", &sc);
                        None
                    }
                }
            } else {
                None
            };
            let in_intf = match o.get("extintf") {
                None => vec!["any".to_string()],
                Some(a) => a
                    .vals
                    .iter()
                    .flat_map(|v| zones.get(v).cloned().unwrap_or_else(|| vec![v.clone()]))
                    .collect(),
            };
            let d = match (problems.is_empty(), ext, mapped) {
                (true, Some(ext), Some(mapped)) => Some(Dnat {
                    name: o.name.clone(),
                    in_intf,
                    ext,
                    mapped,
                    port,
                    src: None,
                    span: ctx.span(o.line()),
                    lines,
                }),
                _ => None,
            };
            nat.vips.push((o.name.clone(), d, problems.join("; ")));
        }
        // VIP groups.
        let t = build_table(ctx, gblocks, &sc, no_reset);
        mark_obj_ok(ctx, &t.direct);
        for o in &t.objs {
            for a in &o.attrs {
                let ok = matches!(
                    a.key.as_str(),
                    "member" | "interface" | "comments" | "uuid" | "color"
                );
                for st in &a.stmts {
                    if ok {
                        ctx.ok_stmt(st);
                    } else {
                        ctx.bad_stmt(
                            st,
                            &format!("VIP group attribute `{}` not modeled", a.key),
                            &sc,
                        );
                    }
                }
            }
            mark_obj_ok(
                ctx,
                &Obj {
                    name: o.name.clone(),
                    opens: o.opens.clone(),
                    attrs: vec![],
                    subs: o.subs.clone(),
                },
            );
            let m = o.get("member").map(|a| a.vals.clone()).unwrap_or_default();
            nat.vipgrps.insert(o.name.clone(), m);
        }
        nat
    }
}

//! Object groups: IOS `object-group network|service NAME` and the NX-OS-style
//! `object-group ip address|port NAME` (used in ACLs as `addrgroup` / `portgroup`).
//!
//! Members are read as the group stanza is read; ACL entries that name a group are parsed
//! at the end of the file (a group may be defined after the ACL), so a group is always
//! resolved in full. A group that is not defined, or that has a member sanso could not
//! read, makes every ACL entry naming it unrecognized: never silently any or none.

use super::lexing::{ip, mask_len, parse_cidr};
use super::Out;
use crate::model::AddrSet;
use crate::model::{proto, IpMatch, PortRange, Scope, Service};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(in crate::ingest) enum GroupKind {
    /// IOS `object-group network` (`A MASK` is a subnet mask).
    Network,
    /// NX-OS `object-group ip address` (`A WILDCARD`).
    IpAddress,
    Service,
    /// NX-OS `object-group ip port`.
    IpPort,
}

pub(in crate::ingest) struct GroupDef<T> {
    pub items: Vec<T>,
    pub nested: Vec<String>,
    /// First member line that could not be read.
    pub bad: Option<u32>,
}

impl<T> Default for GroupDef<T> {
    fn default() -> Self {
        GroupDef {
            items: vec![],
            nested: vec![],
            bad: None,
        }
    }
}

#[derive(Default)]
pub(in crate::ingest) struct Groups {
    pub net: BTreeMap<String, GroupDef<IpMatch>>,
    pub svc: BTreeMap<String, GroupDef<Service>>,
    pub port: BTreeMap<String, GroupDef<PortRange>>,
}

const DEPTH: usize = 16;

fn resolve<T: Clone>(
    map: &BTreeMap<String, GroupDef<T>>,
    what: &str,
    name: &str,
    depth: usize,
    out: &mut Vec<T>,
) -> Result<(), String> {
    if depth > DEPTH {
        return Err(format!(
            "{what} object-group `{name}`: nesting deeper than {DEPTH} (cyclic?)"
        ));
    }
    let Some(g) = map.get(name) else {
        return Err(format!("{what} object-group `{name}` is not defined"));
    };
    if let Some(l) = g.bad {
        return Err(format!(
            "{what} object-group `{name}` has a member sanso could not read (line {l})"
        ));
    }
    out.extend(g.items.iter().cloned());
    for n in &g.nested {
        resolve(map, what, n, depth + 1, out)?;
    }
    Ok(())
}

impl Groups {
    pub fn net(&self, name: &str) -> Result<Vec<IpMatch>, String> {
        let mut v = vec![];
        resolve(&self.net, "network", name, 0, &mut v)?;
        Ok(v)
    }
    pub fn svc(&self, name: &str) -> Result<Vec<Service>, String> {
        let mut v = vec![];
        resolve(&self.svc, "service", name, 0, &mut v)?;
        Ok(v)
    }
    pub fn port(&self, name: &str) -> Result<Vec<PortRange>, String> {
        let mut v = vec![];
        resolve(&self.port, "port", name, 0, &mut v)?;
        Ok(v)
    }

    /// Open a group stanza (a repeated header adds to the group, as IOS does).
    pub fn open(&mut self, kind: GroupKind, name: &str) {
        match kind {
            GroupKind::Network | GroupKind::IpAddress => {
                self.net.entry(name.to_string()).or_default();
            }
            GroupKind::Service => {
                self.svc.entry(name.to_string()).or_default();
            }
            GroupKind::IpPort => {
                self.port.entry(name.to_string()).or_default();
            }
        }
    }

    /// One member line of group `name`.
    pub fn member(
        &mut self,
        ln: u32,
        kind: GroupKind,
        name: &str,
        t: &[&str],
        kw: &[String],
    ) -> Out {
        // NX-OS members may carry a sequence number.
        let skip = usize::from(
            matches!(kind, GroupKind::IpAddress | GroupKind::IpPort)
                && kw
                    .first()
                    .is_some_and(|k| k.bytes().all(|b| b.is_ascii_digit())),
        );
        let (t, kw) = (t.get(skip..).unwrap_or(&[]), kw.get(skip..).unwrap_or(&[]));
        let k0 = kw.first().map(String::as_str).unwrap_or("");
        if k0 == "description" {
            return Out::Ok;
        }
        if k0 == "group-object" && kw.len() == 2 && kind != GroupKind::IpPort {
            let n = t[1].to_string();
            match kind {
                GroupKind::Service => self.svc.entry(name.into()).or_default().nested.push(n),
                _ => self.net.entry(name.into()).or_default().nested.push(n),
            }
            return Out::Ok;
        }
        let res = match kind {
            GroupKind::Network | GroupKind::IpAddress => net_member(t, kw, kind)
                .map(|m| self.net.entry(name.into()).or_default().items.push(m)),
            GroupKind::Service => {
                svc_member(kw).map(|v| self.svc.entry(name.into()).or_default().items.extend(v))
            }
            GroupKind::IpPort => {
                let mut i = 0;
                parse_ports(kw, &mut i, true).and_then(|v| {
                    if i != kw.len() || v == [PortRange::ANY] {
                        Err("unsupported port object-group member".into())
                    } else {
                        self.port.entry(name.into()).or_default().items.extend(v);
                        Ok(())
                    }
                })
            }
        };
        match res {
            Ok(()) => Out::Ok,
            Err(e) => {
                let bad = match kind {
                    GroupKind::Network | GroupKind::IpAddress => {
                        &mut self.net.entry(name.into()).or_default().bad
                    }
                    GroupKind::Service => &mut self.svc.entry(name.into()).or_default().bad,
                    GroupKind::IpPort => &mut self.port.entry(name.into()).or_default().bad,
                };
                bad.get_or_insert(ln);
                // ACL entries naming the group are reported with the ACL's scope.
                Out::Un(
                    format!("object-group member: {e} (ACL entries using the group are reported)"),
                    Scope::None,
                )
            }
        }
    }
}

fn net_member(t: &[&str], kw: &[String], kind: GroupKind) -> Result<IpMatch, String> {
    let k0 = kw.first().map(String::as_str).unwrap_or("");
    let n = kw.len();
    match k0 {
        "any" if n == 1 => Ok(IpMatch::Any),
        "host" if n == 2 => ip(t[1])
            .map(IpMatch::host)
            .ok_or_else(|| format!("bad host address `{}`", t[1])),
        "range" if n == 3 => match (ip(t[1]), ip(t[2])) {
            (Some(lo), Some(hi)) if lo <= hi => Ok(IpMatch::Range { lo, hi }),
            _ => Err("bad address range".into()),
        },
        _ if n == 1 && t[0].contains('/') => parse_cidr(t[0])
            .map(|(a, l)| IpMatch::prefix(a, l))
            .ok_or_else(|| format!("bad prefix `{}`", t[0])),
        _ if n == 2 => {
            let (Some(a), Some(m)) = (ip(t[0]), ip(t[1])) else {
                return Err(format!("unsupported member `{}`", t.join(" ")));
            };
            let wildcard = if kind == GroupKind::Network {
                mask_len(m).ok_or("non-contiguous subnet mask")?;
                !u32::from(m)
            } else {
                u32::from(m)
            };
            Ok(IpMatch::Wildcard {
                addr: Ipv4Addr::from(u32::from(a) & !wildcard),
                wildcard: Ipv4Addr::from(wildcard),
            })
        }
        _ => Err(format!("unsupported member `{}`", t.join(" "))),
    }
}

/// `tcp|udp|tcp-udp [source OP P] [OP P]`, `icmp [TYPE [CODE]]`, or a protocol alone.
fn svc_member(kw: &[String]) -> Result<Vec<Service>, String> {
    let k0 = kw.first().map(String::as_str).unwrap_or("");
    let protos: Vec<u8> = match k0 {
        "tcp-udp" => vec![proto::TCP, proto::UDP],
        _ => match proto_num(k0)? {
            Some(p) => vec![p],
            None if kw.len() == 1 => return Ok(vec![Service::any()]),
            None => return Err("`ip` with options".into()),
        },
    };
    let ported = protos
        .iter()
        .all(|p| matches!(*p, proto::TCP | proto::UDP | proto::SCTP));
    let mut i = 1;
    let mut sports = vec![PortRange::ANY];
    if kw.get(i).map(String::as_str) == Some("source") {
        i += 1;
        sports = parse_ports(kw, &mut i, ported)?;
        if sports == [PortRange::ANY] {
            return Err("`source` without a port".into());
        }
    }
    let dports = parse_ports(kw, &mut i, ported)?;
    let mut icmp = None;
    if protos == [proto::ICMP] {
        if let Some(k) = kw.get(i) {
            if let Ok(ty) = k.parse::<u8>() {
                i += 1;
                let code = kw.get(i).and_then(|c| c.parse::<u8>().ok());
                i += usize::from(code.is_some());
                icmp = Some((ty, code));
            } else if let Some(tc) = icmp_name(k) {
                i += 1;
                icmp = Some(tc);
            }
        }
    }
    if i != kw.len() {
        return Err(format!("unsupported service member option `{}`", kw[i]));
    }
    let mut v = vec![];
    for p in protos {
        for s in &sports {
            for d in &dports {
                v.push(Service {
                    proto: Some(p),
                    sport: *s,
                    dport: *d,
                    icmp_type: icmp.map(|(t, _)| t),
                    icmp_code: icmp.and_then(|(_, c)| c),
                });
            }
        }
    }
    Ok(v)
}

// ---------------------------------------------------------------------- addresses and ports

pub(in crate::ingest) fn parse_addr(
    t: &[&str],
    kw: &[String],
    i: &mut usize,
    standard: bool,
) -> Result<IpMatch, String> {
    let Some(k) = kw.get(*i) else {
        return Err("missing address".into());
    };
    match k.as_str() {
        "any" => {
            *i += 1;
            Ok(IpMatch::Any)
        }
        "host" => {
            let a = t
                .get(*i + 1)
                .and_then(|s| ip(s))
                .ok_or_else(|| "bad host address".to_string())?;
            *i += 2;
            Ok(IpMatch::host(a))
        }
        other => {
            let Some(a) = ip(t.get(*i).copied().unwrap_or("")) else {
                return Err(format!("unsupported address `{other}`"));
            };
            match t.get(*i + 1).and_then(|s| ip(s)) {
                Some(w) => {
                    *i += 2;
                    let wv = u32::from(w);
                    Ok(IpMatch::Wildcard {
                        addr: Ipv4Addr::from(u32::from(a) & !wv),
                        wildcard: w,
                    })
                }
                None if standard => {
                    *i += 1;
                    Ok(IpMatch::host(a))
                }
                None => Err(format!("address `{other}` without wildcard")),
            }
        }
    }
}

/// An address, or `object-group NAME` / `addrgroup NAME`.
pub(in crate::ingest) fn parse_addr_set(
    t: &[&str],
    kw: &[String],
    i: &mut usize,
    g: &Groups,
) -> Result<AddrSet, String> {
    match kw.get(*i).map(String::as_str) {
        Some("object-group" | "addrgroup") => {
            let name = t.get(*i + 1).ok_or("missing object-group name")?;
            *i += 2;
            Ok(AddrSet {
                items: g.net(name)?,
            })
        }
        _ => parse_addr(t, kw, i, false).map(AddrSet::one),
    }
}

/// Ports, or `portgroup NAME`.
pub(in crate::ingest) fn parse_ports_g(
    t: &[&str],
    kw: &[String],
    i: &mut usize,
    has_ports: bool,
    g: &Groups,
) -> Result<Vec<PortRange>, String> {
    if kw.get(*i).map(String::as_str) == Some("portgroup") {
        if !has_ports {
            return Err("portgroup on a protocol without ports".into());
        }
        let name = t.get(*i + 1).ok_or("missing portgroup name")?;
        *i += 2;
        return g.port(name);
    }
    parse_ports(kw, i, has_ports)
}

pub(in crate::ingest) fn proto_num(k: &str) -> Result<Option<u8>, String> {
    Ok(Some(match k {
        "ip" => return Ok(None),
        "icmp" => proto::ICMP,
        "igmp" => 2,
        "ipinip" => 4,
        "tcp" => proto::TCP,
        "udp" => proto::UDP,
        "gre" => 47,
        "esp" => 50,
        "ahp" => 51,
        "eigrp" => 88,
        "ospf" => 89,
        "nos" => 94,
        "pim" => 103,
        "pcp" => 108,
        "sctp" => proto::SCTP,
        o => match o.parse::<u8>() {
            Ok(n) => n,
            Err(_) => return Err(format!("unsupported protocol `{o}`")),
        },
    }))
}

pub(in crate::ingest) fn port_name(k: &str) -> Option<u16> {
    if let Ok(n) = k.parse::<u16>() {
        return Some(n);
    }
    Some(match k {
        "echo" => 7,
        "discard" => 9,
        "daytime" => 13,
        "chargen" => 19,
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "time" => 37,
        "nameserver" => 42,
        "whois" => 43,
        "tacacs" => 49,
        "domain" => 53,
        "bootps" => 67,
        "bootpc" => 68,
        "tftp" => 69,
        "gopher" => 70,
        "finger" => 79,
        "www" | "http" => 80,
        "hostname" => 101,
        "pop2" => 109,
        "pop3" => 110,
        "sunrpc" => 111,
        "ident" => 113,
        "nntp" => 119,
        "ntp" => 123,
        "msrpc" => 135,
        "netbios-ns" => 137,
        "netbios-dgm" => 138,
        "netbios-ss" => 139,
        "imap" | "imap4" => 143,
        "snmp" => 161,
        "snmptrap" => 162,
        "xdmcp" => 177,
        "bgp" => 179,
        "irc" => 194,
        "dnsix" => 195,
        "ldap" => 389,
        "mobile-ip" => 434,
        "https" => 443,
        "pim-auto-rp" => 496,
        "isakmp" => 500,
        "exec" | "biff" => 512,
        "login" | "who" => 513,
        "cmd" | "syslog" => 514,
        "lpd" => 515,
        "talk" => 517,
        "rip" => 520,
        "uucp" => 540,
        "klogin" => 543,
        "kshell" => 544,
        "ldaps" => 636,
        "non500-isakmp" => 4500,
        _ => return None,
    })
}

/// Optional port operator; returns the admitted ranges (ANY if none given).
pub(in crate::ingest) fn parse_ports(
    kw: &[String],
    i: &mut usize,
    has_ports: bool,
) -> Result<Vec<PortRange>, String> {
    let op = kw.get(*i).map(String::as_str).unwrap_or("");
    if !matches!(op, "eq" | "neq" | "lt" | "gt" | "range") {
        return Ok(vec![PortRange::ANY]);
    }
    if !has_ports {
        return Err(format!("port operator `{op}` on a protocol without ports"));
    }
    let port = |j: usize| -> Result<u16, String> {
        let k = kw.get(j).map(String::as_str).unwrap_or("");
        port_name(k).ok_or_else(|| format!("unknown port `{k}`"))
    };
    let out = match op {
        "eq" => {
            let mut v = vec![PortRange::single(port(*i + 1)?)];
            *i += 2;
            while let Some(p) = kw.get(*i).and_then(|k| port_name(k)) {
                v.push(PortRange::single(p));
                *i += 1;
            }
            return Ok(v);
        }
        "neq" => {
            let p = port(*i + 1)?;
            let mut v = vec![];
            if p > 0 {
                v.push(PortRange { lo: 0, hi: p - 1 });
            }
            if p < u16::MAX {
                v.push(PortRange {
                    lo: p + 1,
                    hi: u16::MAX,
                });
            }
            *i += 2;
            v
        }
        "lt" => {
            let p = port(*i + 1)?;
            if p == 0 {
                return Err("`lt 0` matches no port".into());
            }
            *i += 2;
            vec![PortRange { lo: 0, hi: p - 1 }]
        }
        "gt" => {
            let p = port(*i + 1)?;
            if p == u16::MAX {
                return Err("`gt 65535` matches no port".into());
            }
            *i += 2;
            vec![PortRange {
                lo: p + 1,
                hi: u16::MAX,
            }]
        }
        _ => {
            let (lo, hi) = (port(*i + 1)?, port(*i + 2)?);
            if lo > hi {
                return Err("reversed port range".into());
            }
            *i += 3;
            vec![PortRange { lo, hi }]
        }
    };
    Ok(out)
}

pub(in crate::ingest) fn icmp_name(k: &str) -> Option<(u8, Option<u8>)> {
    Some(match k {
        "echo-reply" => (0, None),
        "unreachable" => (3, None),
        "net-unreachable" => (3, Some(0)),
        "host-unreachable" => (3, Some(1)),
        "protocol-unreachable" => (3, Some(2)),
        "port-unreachable" => (3, Some(3)),
        "packet-too-big" => (3, Some(4)),
        "source-route-failed" => (3, Some(5)),
        "network-unknown" => (3, Some(6)),
        "host-unknown" => (3, Some(7)),
        "host-isolated" => (3, Some(8)),
        "dod-net-prohibited" => (3, Some(9)),
        "dod-host-prohibited" => (3, Some(10)),
        "net-tos-unreachable" => (3, Some(11)),
        "host-tos-unreachable" => (3, Some(12)),
        "administratively-prohibited" => (3, Some(13)),
        "host-precedence-unreachable" => (3, Some(14)),
        "precedence-unreachable" => (3, Some(15)),
        "source-quench" => (4, None),
        "redirect" => (5, None),
        "net-redirect" => (5, Some(0)),
        "host-redirect" => (5, Some(1)),
        "net-tos-redirect" => (5, Some(2)),
        "host-tos-redirect" => (5, Some(3)),
        "alternate-address" => (6, None),
        "echo" => (8, None),
        "router-advertisement" => (9, None),
        "router-solicitation" => (10, None),
        "time-exceeded" => (11, None),
        "ttl-exceeded" => (11, Some(0)),
        "reassembly-timeout" => (11, Some(1)),
        "parameter-problem" => (12, None),
        "general-parameter-problem" => (12, Some(0)),
        "option-missing" => (12, Some(1)),
        "timestamp-request" => (13, None),
        "timestamp-reply" => (14, None),
        "information-request" => (15, None),
        "information-reply" => (16, None),
        "mask-request" => (17, None),
        "mask-reply" => (18, None),
        "traceroute" => (30, None),
        "conversion-error" => (31, None),
        "mobile-redirect" => (32, None),
        _ => return None,
    })
}

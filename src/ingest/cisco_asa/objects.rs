//! Objects and object-groups (`object network|service`, `object-group
//! network|service|protocol|icmp-type`) and the address / service grammar they share
//! with ACL entries.
//!
//! Member lines are kept as read and resolved when first used, after the whole file is
//! read: a reference is resolved in full or not at all (an undefined name, a member sanso
//! cannot read, a cycle), never to a guessed any or none.

use crate::ingest::cisco_ios::lexing::{ip, mask_len};
use crate::ingest::cisco_ios::objects::{icmp_name, parse_ports, port_name, proto_num};
use crate::model::{proto, IpMatch, PortRange, Service};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// What kind of object or group a definition is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    NetObj,
    SvcObj,
    NetGrp,
    /// `object-group service NAME` (service-object members).
    SvcGrp,
    /// `object-group service NAME tcp|udp|tcp-udp` (port-object members): protocols.
    PortGrp(&'static [u8]),
    ProtoGrp,
    IcmpGrp,
}

/// One object or group: its header line and member lines (line, tokens).
pub(super) struct Def {
    pub kind: Kind,
    pub line: u32,
    pub members: Vec<(u32, Vec<String>)>,
}

/// An address set, or `None` for an IPv6-only spec (matches no IPv4 packet).
pub(super) type Addrs = Option<Vec<IpMatch>>;

/// Every object and group of the file, and `name` aliases.
#[derive(Default)]
pub(super) struct Objects {
    pub defs: BTreeMap<String, Def>,
    pub names: BTreeMap<String, Ipv4Addr>,
    /// nameif → interface primary address (ACL `interface IF`).
    pub if_addr: BTreeMap<String, Option<Ipv4Addr>>,
}

const DEPTH: usize = 16;

fn is_v6(s: &str) -> bool {
    s.contains(':')
}

impl Objects {
    fn def(&self, name: &str, want: &[Kind], what: &str) -> Result<&Def, String> {
        match self.defs.get(name) {
            Some(d) if want.iter().any(|k| same_kind(*k, d.kind)) => Ok(d),
            Some(_) => Err(format!("`{name}` is not a {what}")),
            None => Err(format!("{what} `{name}` is not defined")),
        }
    }

    pub fn kind(&self, name: &str) -> Option<Kind> {
        self.defs.get(name).map(|d| d.kind)
    }

    /// An IPv4 address or a `name` alias.
    pub fn host(&self, s: &str) -> Result<Option<Ipv4Addr>, String> {
        if is_v6(s) {
            return Ok(None);
        }
        ip(s)
            .or_else(|| self.names.get(s).copied())
            .map(Some)
            .ok_or_else(|| format!("`{s}` is neither an address nor a defined name"))
    }

    /// `A MASK` (netmask, contiguous).
    pub fn subnet(&self, a: &str, m: &str) -> Result<IpMatch, String> {
        let Some(a) = self.host(a)? else {
            return Err("IPv6 address with a netmask".into());
        };
        let m = ip(m).ok_or_else(|| format!("bad netmask `{m}`"))?;
        let len = mask_len(m).ok_or("non-contiguous netmask")?;
        Ok(IpMatch::prefix(a, len))
    }

    /// Addresses of network object or group `name`.
    pub fn net(&self, name: &str, depth: usize) -> Result<Vec<IpMatch>, String> {
        if depth > DEPTH {
            return Err(format!("`{name}`: nesting deeper than {DEPTH} (cyclic?)"));
        }
        let d = self.def(name, &[Kind::NetObj, Kind::NetGrp], "network object")?;
        let mut out = vec![];
        for (ln, kw) in &d.members {
            let k: Vec<&str> = kw.iter().map(String::as_str).collect();
            let r: Result<Addrs, String> = match (d.kind, k.as_slice()) {
                (_, ["description", ..]) => continue,
                (Kind::NetObj, ["host", a]) => {
                    self.host(a).map(|h| h.map(|h| vec![IpMatch::host(h)]))
                }
                (Kind::NetObj, ["subnet", a]) if is_v6(a) => Ok(None),
                (Kind::NetObj, ["subnet", a, m]) => self.subnet(a, m).map(|x| Some(vec![x])),
                (Kind::NetObj, ["range", a, b]) => match (self.host(a)?, self.host(b)?) {
                    (Some(lo), Some(hi)) if lo <= hi => Ok(Some(vec![IpMatch::Range { lo, hi }])),
                    (None, None) => Ok(None),
                    _ => Err("bad address range".into()),
                },
                (Kind::NetGrp, ["network-object", "host", a]) => {
                    self.host(a).map(|h| h.map(|h| vec![IpMatch::host(h)]))
                }
                (Kind::NetGrp, ["network-object", "object", n]) => self.net(n, depth + 1).map(Some),
                (Kind::NetGrp, ["network-object", a]) if is_v6(a) => Ok(None),
                (Kind::NetGrp, ["network-object", a, m]) => {
                    self.subnet(a, m).map(|x| Some(vec![x]))
                }
                (Kind::NetGrp, ["group-object", n]) => self.net(n, depth + 1).map(Some),
                _ => Err(format!("unsupported member `{}`", kw.join(" "))),
            };
            match r {
                Ok(Some(v)) => out.extend(v),
                Ok(None) => {}
                Err(e) => return Err(format!("`{name}` (line {ln}): {e}")),
            }
        }
        Ok(out)
    }

    /// Services of a service object or a `service-object` group.
    pub fn svc(&self, name: &str, depth: usize) -> Result<Vec<Service>, String> {
        if depth > DEPTH {
            return Err(format!("`{name}`: nesting deeper than {DEPTH} (cyclic?)"));
        }
        let d = self.def(name, &[Kind::SvcObj, Kind::SvcGrp], "service object")?;
        let mut out = vec![];
        for (ln, kw) in &d.members {
            let k: Vec<&str> = kw.iter().map(String::as_str).collect();
            let r = match (d.kind, k.as_slice()) {
                (_, ["description", ..]) => continue,
                (Kind::SvcObj, ["service", rest @ ..]) => service_spec(rest),
                (Kind::SvcGrp, ["service-object", "object", n]) => self.svc(n, depth + 1),
                (Kind::SvcGrp, ["service-object", rest @ ..]) => service_spec(rest),
                (Kind::SvcGrp, ["group-object", n]) => self.svc(n, depth + 1),
                _ => Err(format!("unsupported member `{}`", kw.join(" "))),
            };
            match r {
                Ok(v) => out.extend(v),
                Err(e) => return Err(format!("`{name}` (line {ln}): {e}")),
            }
        }
        Ok(out)
    }

    /// Protocols and ports of a `port-object` group.
    pub fn ports(
        &self,
        name: &str,
        depth: usize,
    ) -> Result<(&'static [u8], Vec<PortRange>), String> {
        if depth > DEPTH {
            return Err(format!("`{name}`: nesting deeper than {DEPTH} (cyclic?)"));
        }
        let d = self.def(name, &[Kind::PortGrp(&[])], "port object-group")?;
        let Kind::PortGrp(protos) = d.kind else {
            return Err(format!("`{name}` is not a port object-group"));
        };
        let mut out = vec![];
        for (ln, kw) in &d.members {
            let r = match kw.first().map(String::as_str) {
                Some("description") => continue,
                Some("port-object") => {
                    let mut i = 1;
                    parse_ports(kw, &mut i, true).and_then(|v| {
                        if i == kw.len() && i > 1 {
                            Ok(v)
                        } else {
                            Err(format!("unsupported port-object `{}`", kw.join(" ")))
                        }
                    })
                }
                Some("group-object") if kw.len() == 2 => {
                    self.ports(&kw[1], depth + 1).and_then(|(p, v)| {
                        if p == protos {
                            Ok(v)
                        } else {
                            Err("nested port group of another protocol".into())
                        }
                    })
                }
                _ => Err(format!("unsupported member `{}`", kw.join(" "))),
            };
            match r {
                Ok(v) => out.extend(v),
                Err(e) => return Err(format!("`{name}` (line {ln}): {e}")),
            }
        }
        Ok((protos, out))
    }

    /// Protocols of a protocol group (`None` = `ip`, any protocol).
    pub fn protos(&self, name: &str, depth: usize) -> Result<Vec<Option<u8>>, String> {
        if depth > DEPTH {
            return Err(format!("`{name}`: nesting deeper than {DEPTH} (cyclic?)"));
        }
        let d = self.def(name, &[Kind::ProtoGrp], "protocol object-group")?;
        let mut out = vec![];
        for (ln, kw) in &d.members {
            let r = match (kw.first().map(String::as_str), kw.len()) {
                (Some("description"), _) => continue,
                (Some("protocol-object"), 2) => asa_proto(&kw[1]).map(|p| vec![p]),
                (Some("group-object"), 2) => self.protos(&kw[1], depth + 1),
                _ => Err(format!("unsupported member `{}`", kw.join(" "))),
            };
            match r {
                Ok(v) => out.extend(v),
                Err(e) => return Err(format!("`{name}` (line {ln}): {e}")),
            }
        }
        Ok(out)
    }

    /// ICMP types (and codes) of an icmp-type group.
    pub fn icmps(&self, name: &str, depth: usize) -> Result<Vec<(u8, Option<u8>)>, String> {
        if depth > DEPTH {
            return Err(format!("`{name}`: nesting deeper than {DEPTH} (cyclic?)"));
        }
        let d = self.def(name, &[Kind::IcmpGrp], "icmp-type object-group")?;
        let mut out = vec![];
        for (ln, kw) in &d.members {
            let r = match (kw.first().map(String::as_str), kw.len()) {
                (Some("description"), _) => continue,
                (Some("icmp-object"), 2) => icmp_type(&kw[1])
                    .map(|t| vec![t])
                    .ok_or_else(|| format!("unknown ICMP type `{}`", kw[1])),
                (Some("group-object"), 2) => self.icmps(&kw[1], depth + 1),
                _ => Err(format!("unsupported member `{}`", kw.join(" "))),
            };
            match r {
                Ok(v) => out.extend(v),
                Err(e) => return Err(format!("`{name}` (line {ln}): {e}")),
            }
        }
        Ok(out)
    }

    /// Resolve every definition once, for reporting unreadable members at their line.
    pub fn check_all(&self) -> Vec<(u32, String)> {
        let mut bad = vec![];
        for (name, d) in &self.defs {
            let r = match d.kind {
                Kind::NetObj | Kind::NetGrp => self.net(name, 0).map(|_| ()),
                Kind::SvcObj | Kind::SvcGrp => self.svc(name, 0).map(|_| ()),
                Kind::PortGrp(_) => self.ports(name, 0).map(|_| ()),
                Kind::ProtoGrp => self.protos(name, 0).map(|_| ()),
                Kind::IcmpGrp => self.icmps(name, 0).map(|_| ()),
            };
            if let Err(e) = r {
                bad.push((d.line, e));
            }
        }
        bad
    }
}

fn same_kind(a: Kind, b: Kind) -> bool {
    matches!((a, b), (Kind::PortGrp(_), Kind::PortGrp(_))) || a == b
}

/// A protocol keyword of ASA (`None` = `ip`).
pub(super) fn asa_proto(k: &str) -> Result<Option<u8>, String> {
    match k {
        "ah" => Ok(Some(51)),
        "igrp" => Ok(Some(9)),
        "ipsec" => Ok(Some(50)),
        "pptp" => Ok(Some(47)),
        "snp" => Ok(Some(109)),
        o => proto_num(o),
    }
}

/// ASA port names beyond the IOS ones.
pub(super) fn asa_port(k: &str) -> Option<u16> {
    if let Some(p) = port_name(k) {
        return Some(p);
    }
    Some(match k {
        "aol" => 5190,
        "citrix-ica" => 1494,
        "cifs" => 3020,
        "ctiqbe" => 2748,
        "h323" => 1720,
        "kerberos" => 750,
        "lotusnotes" => 1352,
        "netbios-ssn" => 139,
        "pcanywhere-data" => 5631,
        "pcanywhere-status" => 5632,
        "pptp" => 1723,
        "radius" => 1645,
        "radius-acct" => 1646,
        "rsh" => 514,
        "rtsp" => 554,
        "secureid-udp" => 5510,
        "sip" => 5060,
        "sqlnet" => 1521,
        "vxlan" => 4789,
        "wins" => 1512,
        "nfs" => 2049,
        "lpd" => 515,
        "imap4" => 143,
        "ldap" => 389,
        "ldaps" => 636,
        _ => return None,
    })
}

/// Port operator and port(s) with ASA names: rewrite names to numbers, then the IOS
/// reader does the rest.
pub(super) fn ports_at(kw: &[String], i: &mut usize) -> Result<Vec<PortRange>, String> {
    let op = kw.get(*i).map(String::as_str).unwrap_or("");
    let n = match op {
        "eq" | "neq" | "lt" | "gt" => 1,
        "range" => 2,
        _ => return Ok(vec![PortRange::ANY]),
    };
    let mut v: Vec<String> = vec![op.to_string()];
    for j in 1..=n {
        let k = kw.get(*i + j).map(String::as_str).unwrap_or("");
        let p = asa_port(k).ok_or_else(|| format!("unknown port `{k}`"))?;
        v.push(p.to_string());
    }
    let mut k = 0;
    let r = parse_ports(&v, &mut k, true)?;
    *i += n + 1;
    Ok(r)
}

/// ICMP type name or number.
pub(super) fn icmp_type(k: &str) -> Option<(u8, Option<u8>)> {
    if let Ok(t) = k.parse::<u8>() {
        return Some((t, None));
    }
    match k {
        "echo-reply" => Some((0, None)),
        "unreachable" => Some((3, None)),
        "timestamp-request" => Some((13, None)),
        "timestamp-reply" => Some((14, None)),
        "mask-request" => Some((17, None)),
        "mask-reply" => Some((18, None)),
        "time-exceeded" => Some((11, None)),
        "parameter-problem" => Some((12, None)),
        _ => icmp_name(k),
    }
}

/// `PROTO [source OP P] [destination OP P]`, `icmp [TYPE [CODE]]`, or a protocol alone
/// (service objects and `service-object` members).
pub(super) fn service_spec(k: &[&str]) -> Result<Vec<Service>, String> {
    let kw: Vec<String> = k.iter().map(|s| s.to_string()).collect();
    let Some(p0) = kw.first() else {
        return Err("empty service".into());
    };
    let protos: Vec<u8> = match p0.as_str() {
        "tcp-udp" => vec![proto::TCP, proto::UDP],
        "icmp6" => return Ok(vec![]),
        o => match asa_proto(o)? {
            Some(p) => vec![p],
            None if kw.len() == 1 => return Ok(vec![Service::any()]),
            None => return Err("`ip` with options".into()),
        },
    };
    let ported = protos
        .iter()
        .all(|p| matches!(*p, proto::TCP | proto::UDP | proto::SCTP));
    let mut i = 1;
    let mut sport = vec![PortRange::ANY];
    let mut dport = vec![PortRange::ANY];
    let mut icmp = None;
    while i < kw.len() {
        match kw[i].as_str() {
            "source" if ported => {
                i += 1;
                sport = ports_at(&kw, &mut i)?;
            }
            "destination" if ported => {
                i += 1;
                dport = ports_at(&kw, &mut i)?;
            }
            "eq" | "neq" | "lt" | "gt" | "range" if ported => dport = ports_at(&kw, &mut i)?,
            t if protos == [proto::ICMP] && icmp.is_none() => {
                let (ty, code) = icmp_type(t).ok_or_else(|| format!("unknown ICMP type `{t}`"))?;
                i += 1;
                let code = match kw.get(i).and_then(|c| c.parse::<u8>().ok()) {
                    Some(c) => {
                        i += 1;
                        Some(c)
                    }
                    None => code,
                };
                icmp = Some((ty, code));
            }
            o => return Err(format!("unsupported service option `{o}`")),
        }
    }
    let mut v = vec![];
    for p in protos {
        for s in &sport {
            for d in &dport {
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

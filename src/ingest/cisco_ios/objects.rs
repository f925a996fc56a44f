//! Object groups: IOS `object-group network|service NAME` and the NX-OS-style
//! `object-group ip address|port NAME` (used in ACLs as `addrgroup` / `portgroup`).
//!
//! Members are read as the group stanza is read; ACL entries that name a group are parsed
//! at the end of the file (a group may be defined after the ACL), so a group is always
//! resolved in full. A group that is not defined, or that has a member sanso could not
//! read, makes every ACL entry naming it unrecognized: never silently any or none.

use super::{ip, mask_len, parse_cidr, parse_ports, proto_num, Out};
use crate::model::{proto, IpMatch, PortRange, Scope, Service};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum GroupKind {
    /// IOS `object-group network` (`A MASK` is a subnet mask).
    Network,
    /// NX-OS `object-group ip address` (`A WILDCARD`).
    IpAddress,
    Service,
    /// NX-OS `object-group ip port`.
    IpPort,
}

pub(super) struct GroupDef<T> {
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
pub(super) struct Groups {
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
            } else if let Some(tc) = super::icmp_name(k) {
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

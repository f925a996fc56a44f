//! `access-list NAME [line N] extended|standard …` entries, read after the whole file so
//! that objects, groups and `name` aliases are known.

use super::objects::{asa_proto, icmp_type, ports_at, Addrs, Kind, Objects};
use crate::ingest::cisco_ios::acls::action;
use crate::model::{proto, Action, AddrSet, IpMatch, Match, PortRange, Service};

/// One entry: `None` when it matches no IPv4 packet (IPv6-only, `inactive`).
pub(super) type Entry = Option<(Action, Match)>;

/// An address spec at `kw[*i]`: `any|any4|any6`, `host A`, `A MASK`, `object N`,
/// `object-group N`, `interface IF`.
fn addr(o: &Objects, kw: &[String], i: &mut usize) -> Result<Addrs, String> {
    let k = kw.get(*i).map(String::as_str).ok_or("missing address")?;
    let arg = kw.get(*i + 1).map(String::as_str);
    let (r, n) = match (k, arg) {
        ("any" | "any4", _) => (Some(vec![IpMatch::Any]), 1),
        ("any6", _) => (None, 1),
        ("host", Some(a)) => (o.host(a)?.map(|h| vec![IpMatch::host(h)]), 2),
        ("object" | "object-group", Some(n)) => (Some(o.net(n, 0)?), 2),
        ("interface", Some(n)) => match o.if_addr.get(n) {
            Some(Some(a)) => (Some(vec![IpMatch::host(*a)]), 2),
            Some(None) => return Err(format!("interface `{n}` has no static address")),
            None => return Err(format!("interface `{n}` is not a nameif")),
        },
        (a, _) if a.contains(':') => (None, 1),
        (a, Some(m)) => (Some(vec![o.subnet(a, m)?]), 2),
        (a, None) => return Err(format!("address `{a}` without a netmask")),
    };
    *i += n;
    Ok(r)
}

/// Ports after an address: an operator, or `object-group` naming a port group.
fn ports(
    o: &Objects,
    kw: &[String],
    i: &mut usize,
    protos: &[Option<u8>],
) -> Result<Vec<PortRange>, String> {
    let ported = !protos.is_empty()
        && protos
            .iter()
            .all(|p| matches!(p, Some(proto::TCP | proto::UDP | proto::SCTP)));
    if kw.get(*i).map(String::as_str) == Some("object-group") {
        if let Some(n) = kw.get(*i + 1) {
            if let Some(Kind::PortGrp(gp)) = o.kind(n) {
                if !ported || !protos.iter().flatten().all(|p| gp.contains(p)) {
                    return Err(format!("port group `{n}` on another protocol"));
                }
                let (_, v) = o.ports(n, 0)?;
                *i += 2;
                return Ok(v);
            }
        }
        return Ok(vec![PortRange::ANY]);
    }
    if matches!(
        kw.get(*i).map(String::as_str),
        Some("eq" | "neq" | "lt" | "gt" | "range")
    ) && !ported
    {
        return Err("port operator on a protocol without ports".into());
    }
    ports_at(kw, i)
}

/// An extended entry from the action on: `permit|deny PROTO SRC [P] DST [P|ICMP] [opts]`.
pub(super) fn extended(o: &Objects, kw: &[String]) -> Result<Entry, String> {
    let act = action(kw.first().map(String::as_str).unwrap_or(""))?;
    let pk = kw.get(1).map(String::as_str).ok_or("missing protocol")?;
    let name = kw.get(2).cloned().unwrap_or_default();
    // The protocol position: a protocol, a protocol group, or a service object / group
    // (then the services are complete and no ports follow).
    let (protos, svc, mut i): (Vec<Option<u8>>, Option<Vec<Service>>, usize) = match pk {
        "object" => (vec![], Some(o.svc(&name, 0)?), 3),
        "object-group" => match o.kind(&name) {
            Some(Kind::ProtoGrp) => (o.protos(&name, 0)?, None, 3),
            Some(Kind::SvcGrp) => (vec![], Some(o.svc(&name, 0)?), 3),
            Some(_) => return Err(format!("`{name}` is not a protocol or service group")),
            None => return Err(format!("object-group `{name}` is not defined")),
        },
        "icmp6" => return Ok(None),
        p => (vec![asa_proto(p)?], None, 2),
    };
    let src = addr(o, kw, &mut i)?;
    let sports = if svc.is_none() {
        ports(o, kw, &mut i, &protos)?
    } else {
        vec![PortRange::ANY]
    };
    let dst = addr(o, kw, &mut i)?;
    let mut dports = vec![PortRange::ANY];
    let mut icmp: Vec<Option<(u8, Option<u8>)>> = vec![None];
    if svc.is_none() {
        if protos == [Some(proto::ICMP)] {
            match kw.get(i).map(String::as_str) {
                Some("object-group") => {
                    let n = kw.get(i + 1).ok_or("missing icmp-type group")?;
                    icmp = o.icmps(n, 0)?.into_iter().map(Some).collect();
                    i += 2;
                }
                Some(k) => {
                    if let Some((t, c)) = icmp_type(k) {
                        i += 1;
                        let c = match kw.get(i).and_then(|x| x.parse::<u8>().ok()) {
                            Some(x) => {
                                i += 1;
                                Some(x)
                            }
                            None => c,
                        };
                        icmp = vec![Some((t, c))];
                    }
                }
                None => {}
            }
        } else {
            dports = ports(o, kw, &mut i, &protos)?;
        }
    }
    let mut inactive = false;
    while let Some(k) = kw.get(i) {
        match k.as_str() {
            "log" => {
                i += 1;
                // `log [LEVEL] [interval N]`, `log disable`, `log default`.
                while let Some(x) = kw.get(i) {
                    match x.as_str() {
                        "interval" => i += 2,
                        "disable" | "default" | "emergencies" | "alerts" | "critical"
                        | "errors" | "warnings" | "notifications" | "informational"
                        | "debugging" => i += 1,
                        n if n.parse::<u8>().is_ok() => i += 1,
                        _ => break,
                    }
                }
            }
            "inactive" => {
                inactive = true;
                i += 1;
            }
            "time-range" => return Err("time-range (time-dependent entry, not modelled)".into()),
            o => return Err(format!("unsupported ACL option `{o}`")),
        }
    }
    let (Some(src), Some(dst)) = (src, dst) else {
        return Ok(None);
    };
    if inactive {
        return Ok(None);
    }
    let services = match svc {
        Some(v) => v,
        None => {
            let mut v = vec![];
            for p in &protos {
                match p {
                    None => {
                        if sports != [PortRange::ANY] || dports != [PortRange::ANY] {
                            return Err("`ip` with ports".into());
                        }
                        v.push(Service::any());
                    }
                    Some(pn) => {
                        for s in &sports {
                            for d in &dports {
                                for ic in &icmp {
                                    v.push(Service {
                                        proto: Some(*pn),
                                        sport: *s,
                                        dport: *d,
                                        icmp_type: ic.map(|(t, _)| t),
                                        icmp_code: ic.and_then(|(_, c)| c),
                                    });
                                }
                            }
                        }
                    }
                }
            }
            v
        }
    };
    // Any protocol among the services: the entry does not constrain the service.
    let any_svc = services.iter().any(|s| *s == Service::any());
    // An empty set of services or addresses matches nothing (an empty `services` list
    // would mean any service).
    let empty = (services.is_empty() && !any_svc) || src.is_empty() || dst.is_empty();
    let m = Match {
        src: AddrSet {
            items: if empty { vec![] } else { src },
        },
        dst: AddrSet { items: dst },
        services: if any_svc { vec![] } else { services },
        established: None,
        src_mac: None,
    };
    Ok(Some((act, m)))
}

/// A standard entry (route filters, VPN split tunnels): `permit|deny any4|host A|A MASK`,
/// read as a destination filter as ASA does.
pub(super) fn standard(o: &Objects, kw: &[String]) -> Result<Entry, String> {
    let act = action(kw.first().map(String::as_str).unwrap_or(""))?;
    let mut i = 1;
    let dst = addr(o, kw, &mut i)?;
    if i != kw.len() {
        return Err(format!("unsupported standard ACL option `{}`", kw[i]));
    }
    Ok(dst.map(|d| {
        (
            act,
            Match {
                dst: AddrSet { items: d },
                ..Match::any()
            },
        )
    }))
}

//! Access lists: numbered and named ACL stanzas, deferred entries naming object-groups,
//! and the standard / extended entry grammar.

use super::objects::Groups;
use super::objects::{icmp_name, parse_addr, parse_addr_set, parse_ports_g, proto_num};
use super::{un, Out, Parser, PendingAcl};
use crate::model::{proto, AclRule, Action, AddrSet, Match, PortRange, Scope, Service};

impl Parser {
    // ------------------------------------------------------------------ ACLs

    pub(in crate::ingest) fn ensure_acl(&mut self, name: &str, ln: u32) {
        if !self.acls.contains_key(name) {
            let span = self.span(ln);
            self.acls.insert(
                name.to_string(),
                PendingAcl {
                    span,
                    rules: vec![],
                    next_seq: 10,
                    deferred: vec![],
                },
            );
        }
    }

    pub(in crate::ingest) fn numbered_acl(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let Some(num_s) = t.get(1) else {
            return un("malformed access-list", Scope::Device);
        };
        let Ok(num) = num_s.parse::<u32>() else {
            return un("access-list with a non-numeric name", Scope::Device);
        };
        let extended = match num {
            1..=99 | 1300..=1999 => false,
            100..=199 | 2000..=2699 => true,
            _ => {
                return un(
                    "access-list number of a non-IP type (not modelled)",
                    Scope::Device,
                )
            }
        };
        let name = num.to_string();
        self.ensure_acl(&name, ln);
        let scope = Scope::Acl(name.clone());
        match kw.get(2).map(String::as_str) {
            Some("remark") => Out::Ok,
            Some("permit" | "deny") if uses_groups(kw) => self
                .defer(&name, None, ln, extended, 2)
                .unwrap_or_else(|e| un(e, scope)),
            Some("permit" | "deny") => {
                let res = if extended {
                    parse_extended(
                        t.get(2..).unwrap_or(&[]),
                        kw.get(2..).unwrap_or(&[]),
                        &NO_GROUPS,
                    )
                } else {
                    parse_standard(t.get(2..).unwrap_or(&[]), kw.get(2..).unwrap_or(&[]))
                };
                match res {
                    Ok((action, m)) => self
                        .push_rule(&name, None, action, m, ln)
                        .unwrap_or_else(|e| un(e, scope)),
                    Err(e) => un(e, scope),
                }
            }
            Some(o) => un(format!("unsupported access-list entry `{o}`"), scope),
            None => un("access-list without an entry", scope),
        }
    }

    pub(in crate::ingest) fn acl_sub(
        &mut self,
        ln: u32,
        name: &str,
        extended: bool,
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let scope = Scope::Acl(name.to_string());
        let mut start = 0;
        let mut seq = None;
        if let Some(first) = kw.first() {
            if first.bytes().all(|b| b.is_ascii_digit()) {
                match first.parse::<u64>() {
                    Ok(s) => {
                        seq = Some(s);
                        start = 1;
                    }
                    Err(_) => return un("invalid sequence number", scope),
                }
            }
        }
        let toks = t.get(start..).unwrap_or(&[]);
        let kws = kw.get(start..).unwrap_or(&[]);
        match kws.first().map(String::as_str) {
            Some("remark") => Out::Ok,
            Some("statistics") if seq.is_none() => Out::Ok,
            Some("exit") if seq.is_none() => Out::Ok,
            Some("permit" | "deny") if uses_groups(kws) => self
                .defer(name, seq, ln, extended, start)
                .unwrap_or_else(|e| un(e, scope)),
            Some("permit" | "deny") => {
                let res = if extended {
                    parse_extended(toks, kws, &NO_GROUPS)
                } else {
                    parse_standard(toks, kws)
                };
                match res {
                    Ok((action, m)) => self
                        .push_rule(name, seq, action, m, ln)
                        .unwrap_or_else(|e| un(e, scope)),
                    Err(e) => un(e, scope),
                }
            }
            Some(o) => un(format!("unsupported ACL entry `{o}`"), scope),
            None => un("empty ACL entry", scope),
        }
    }

    /// Reserve the entry's place; it is parsed at the end, when every group is known.
    pub(in crate::ingest) fn defer(
        &mut self,
        name: &str,
        seq: Option<u64>,
        ln: u32,
        extended: bool,
        start: usize,
    ) -> Result<Out, String> {
        let Some(acl) = self.acls.get_mut(name) else {
            return Err("internal: ACL not opened".into());
        };
        let s = match seq {
            Some(s) => {
                if acl.rules.iter().any(|(x, _)| *x == s) || acl.deferred.iter().any(|d| d.0 == s) {
                    return Err(format!("duplicate sequence number {s}"));
                }
                s
            }
            None => acl.next_seq,
        };
        acl.next_seq = acl.next_seq.max(s.saturating_add(10));
        acl.deferred.push((s, ln, extended, start));
        Ok(Out::Ok)
    }

    /// Parse the deferred entries of every ACL.
    pub(in crate::ingest) fn resolve_deferred(&mut self) {
        let mut late = vec![];
        for (name, acl) in self.acls.iter_mut() {
            for (seq, ln, extended, start) in std::mem::take(&mut acl.deferred) {
                let raw = self
                    .src
                    .get((ln as usize).saturating_sub(1))
                    .cloned()
                    .unwrap_or_default();
                let t: Vec<&str> = raw.split_whitespace().collect();
                let kw: Vec<String> = t.iter().map(|x| x.to_ascii_lowercase()).collect();
                let (t, kw) = (
                    t.get(start..).unwrap_or(&[]),
                    kw.get(start..).unwrap_or(&[]),
                );
                let res = if extended {
                    parse_extended(t, kw, &self.groups)
                } else {
                    parse_standard(t, kw)
                };
                match res {
                    Ok((action, m)) => acl.rules.push((
                        seq,
                        AclRule {
                            action,
                            m,
                            span: self.dev.span(ln),
                        },
                    )),
                    Err(e) => late.push((ln, e, Scope::Acl(name.clone()))),
                }
            }
        }
        for (ln, e, scope) in late {
            self.unrec_late(ln, e, scope);
        }
    }

    pub(in crate::ingest) fn push_rule(
        &mut self,
        name: &str,
        seq: Option<u64>,
        action: Action,
        m: Match,
        ln: u32,
    ) -> Result<Out, String> {
        let span = self.span(ln);
        let Some(acl) = self.acls.get_mut(name) else {
            return Err("internal: ACL not opened".into());
        };
        let s = match seq {
            Some(s) => {
                if acl.rules.iter().any(|(x, _)| *x == s) || acl.deferred.iter().any(|d| d.0 == s) {
                    return Err(format!("duplicate sequence number {s}"));
                }
                s
            }
            None => acl.next_seq,
        };
        acl.next_seq = acl.next_seq.max(s.saturating_add(10));
        acl.rules.push((s, AclRule { action, m, span }));
        Ok(Out::Ok)
    }
}

// ---------------------------------------------------------------------- ACL entries

pub(in crate::ingest) fn action(k: &str) -> Result<Action, String> {
    match k {
        "permit" => Ok(Action::Permit),
        "deny" => Ok(Action::Deny),
        o => Err(format!("unsupported ACL action `{o}`")),
    }
}

/// Standard entry: `permit|deny SRC [log]`.
pub(in crate::ingest) fn parse_standard(
    t: &[&str],
    kw: &[String],
) -> Result<(Action, Match), String> {
    let act = action(kw.first().map(String::as_str).unwrap_or(""))?;
    let mut i = 1;
    let src = parse_addr(t, kw, &mut i, true)?;
    parse_log(kw, i)?;
    Ok((
        act,
        Match {
            src: AddrSet::one(src),
            ..Match::any()
        },
    ))
}

/// Only `log` / `log-input` may follow.
pub(in crate::ingest) fn parse_log(kw: &[String], mut i: usize) -> Result<(), String> {
    while let Some(k) = kw.get(i) {
        match k.as_str() {
            "log" | "log-input" => i += 1,
            o => return Err(format!("unsupported ACL option `{o}`")),
        }
    }
    Ok(())
}

pub(in crate::ingest) static NO_GROUPS: std::sync::LazyLock<Groups> =
    std::sync::LazyLock::new(Groups::default);

/// Does an ACL entry name an object-group?
pub(in crate::ingest) fn uses_groups(kw: &[String]) -> bool {
    kw.iter()
        .any(|k| matches!(k.as_str(), "object-group" | "addrgroup" | "portgroup"))
}

/// Extended entry: `permit|deny PROTO SRC [PORTS] DST [PORTS] [options]`.
pub(in crate::ingest) fn parse_extended(
    t: &[&str],
    kw: &[String],
    g: &Groups,
) -> Result<(Action, Match), String> {
    let act = action(kw.first().map(String::as_str).unwrap_or(""))?;
    let pk = kw.get(1).map(String::as_str).unwrap_or("");
    // `permit object-group SVC SRC DST`: the service group takes the protocol's place.
    let (p, mut i, svc_group) = if pk == "object-group" {
        let name = t.get(2).ok_or("missing service object-group name")?;
        (None, 3, Some(g.svc(name)?))
    } else {
        (proto_num(pk)?, 2, None)
    };
    let has_ports = matches!(p, Some(proto::TCP | proto::UDP | proto::SCTP));
    let src = parse_addr_set(t, kw, &mut i, g)?;
    let sports = parse_ports_g(t, kw, &mut i, has_ports, g)?;
    let dst = parse_addr_set(t, kw, &mut i, g)?;
    let dports = parse_ports_g(t, kw, &mut i, has_ports, g)?;
    let mut icmp: Option<(u8, Option<u8>)> = None;
    if p == Some(proto::ICMP) {
        if let Some(k) = kw.get(i) {
            if let Ok(ty) = k.parse::<u8>() {
                i += 1;
                let code = match kw.get(i).and_then(|c| c.parse::<u8>().ok()) {
                    Some(c) => {
                        i += 1;
                        Some(c)
                    }
                    None => None,
                };
                icmp = Some((ty, code));
            } else if let Some(tc) = icmp_name(k) {
                i += 1;
                icmp = Some(tc);
            }
        }
    }
    let mut established = None;
    if let Some(svcs) = svc_group {
        while let Some(k) = kw.get(i) {
            match k.as_str() {
                "log" | "log-input" => i += 1,
                o => {
                    return Err(format!(
                        "unsupported ACL option `{o}` after a service object-group"
                    ))
                }
            }
        }
        // An empty group matches nothing (an empty `services` list would mean any).
        let (src, services) = if svcs.is_empty() {
            (AddrSet { items: vec![] }, vec![])
        } else {
            (src, svcs)
        };
        return Ok((
            act,
            Match {
                src,
                dst,
                services,
                established: None,
                src_mac: None,
            },
        ));
    }
    while let Some(k) = kw.get(i) {
        match k.as_str() {
            "log" | "log-input" => i += 1,
            "established" if p == Some(proto::TCP) => {
                established = Some(true);
                i += 1;
            }
            o => return Err(format!("unsupported ACL option `{o}`")),
        }
    }
    let services = match p {
        None => vec![],
        Some(pn) if has_ports => {
            if sports == [PortRange::ANY] && dports == [PortRange::ANY] {
                vec![Service::proto(pn)]
            } else {
                let mut v = vec![];
                for s in &sports {
                    for d in &dports {
                        v.push(Service {
                            proto: Some(pn),
                            sport: *s,
                            dport: *d,
                            icmp_type: None,
                            icmp_code: None,
                        });
                    }
                }
                v
            }
        }
        Some(pn) => vec![Service {
            icmp_type: icmp.map(|(t, _)| t),
            icmp_code: icmp.and_then(|(_, c)| c),
            ..Service::proto(pn)
        }],
    };
    // An empty port group matches nothing (an empty `services` list would mean any).
    let src = if has_ports && (sports.is_empty() || dports.is_empty()) {
        AddrSet { items: vec![] }
    } else {
        src
    };
    Ok((
        act,
        Match {
            src,
            dst,
            services,
            established,
            src_mac: None,
        },
    ))
}

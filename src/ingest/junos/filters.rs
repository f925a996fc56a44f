//! Stateless firewall filters (`firewall family inet filter F term T from … then …`) as
//! interface ACLs, and the `policy-options prefix-list`s they may name.
//!
//! A term is a conjunction of its `from` conditions (each a union of its values); its
//! `then` decides (`accept`; `discard`/`reject`), `next term` passes the packet on, and a
//! term without a terminating action accepts (Junos default). The end of a filter
//! discards. `address` and `port` (either direction) become one ACL rule per direction in
//! sequence, which is exact under first match.

use super::lexing::Leaf;
use super::objects::{icmp_type, port_range, prefix, proto_num};
use super::Acc;
use crate::model::*;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// A value with the lines that defined it.
type Lined<T> = (T, Vec<u32>);

#[derive(Default, Debug)]
struct Term {
    name: String,
    lines: Vec<u32>,
    /// `from` condition: key, value words, line.
    from: Vec<(String, Vec<String>, u32)>,
    /// `then` words, line.
    then: Vec<(Vec<String>, u32)>,
}

#[derive(Default, Debug)]
struct Filter {
    line: u32,
    terms: Vec<Term>,
}

#[derive(Default, Debug)]
pub(super) struct Filters {
    filters: Vec<(String, Filter)>,
    /// name → (prefixes, lines).
    prefix_lists: BTreeMap<String, Lined<Vec<(Ipv4Addr, u8)>>>,
    /// `prefix-list L apply-path "PATH"`: list, path, line (expanded by `apply_paths`).
    apply_paths: Vec<(String, String, u32)>,
}

/// Does the config word `w` match the apply-path element `p` (`<glob>` with `*` for
/// any characters, or a literal)? `None`: the element is malformed.
fn path_elem(p: &str, w: &str) -> Option<bool> {
    let Some(g) = p.strip_prefix('<').and_then(|g| g.strip_suffix('>')) else {
        return (!p.contains(['<', '>', ';'])).then(|| p == w);
    };
    if g.is_empty()
        || g.contains(['<', '>'])
        || !g.chars().all(|c| {
            c == '*' || c == '.' || c == ':' || c == '-' || c == '/' || c.is_ascii_alphanumeric()
        })
    {
        return None;
    }
    // Glob match: the literal pieces in order, anchored at both ends.
    let parts: Vec<&str> = g.split('*').collect();
    let mut rest = w;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return Some(false);
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return Some(rest.len() >= part.len() && rest.ends_with(part));
        } else {
            let Some(at) = rest.find(part) else {
                return Some(false);
            };
            rest = &rest[at + part.len()..];
        }
    }
    Some(rest.is_empty())
}

const NOT_IPV4: &str = "filter of a family other than inet (outside the IPv4 model)";

impl Filters {
    pub(super) fn defined(&self, name: &str) -> bool {
        self.filters.iter().any(|f| f.0 == name)
    }

    pub(super) fn policy_options(&mut self, acc: &mut Acc, l: &Leaf) {
        let ln = l.line;
        if l.at(1) == "prefix-list" && l.w.len() >= 3 {
            let e = self.prefix_lists.entry(l.w[2].clone()).or_default();
            e.1.push(ln);
            match l.w.get(3).map(String::as_str) {
                None => return acc.ok(ln),
                Some("apply-path") if l.w.len() == 5 => {
                    self.apply_paths.push((l.w[2].clone(), l.w[4].clone(), ln));
                    return;
                }
                Some("apply-path") => {
                    return acc.bad(ln, "malformed apply-path", Scope::Acl(l.w[2].clone()))
                }
                Some(p) => match prefix(p) {
                    Ok(x) => {
                        e.0.push(x);
                        return acc.ok(ln);
                    }
                    // IPv6 entries: no IPv4 address; the list's IPv4 part is exact.
                    Err(e) if e.contains("IPv6") => return acc.irr(ln, "IPv6 prefix-list entry"),
                    Err(e) => return acc.bad(ln, &e, Scope::Acl(l.w[2].clone())),
                },
            }
        }
        acc.irr(
            ln,
            "routing policy definition (acts only through the routing protocols that use it, \
             which are reported unrecognised)",
        );
    }

    /// Expand each `apply-path`: every active statement of the configuration (groups
    /// applied) whose leading words match the path contributes the word matched by the
    /// path's last element, an address with its prefix length (an interface address
    /// `10.0.0.1/24` gives 10.0.0.0/24; IPv6 values match no IPv4 packet). A malformed
    /// path, a matched value that is no address, or a path that matches nothing stays
    /// unrecognised (the filters using the list are then unproven).
    pub(super) fn apply_paths(&mut self, acc: &mut Acc, leaves: &[Leaf]) {
        for (list, path, ln) in std::mem::take(&mut self.apply_paths) {
            let scope = Scope::Acl(list.clone());
            let pat: Vec<&str> = path.split_whitespace().collect();
            if pat.is_empty() || pat.iter().any(|p| path_elem(p, "").is_none()) {
                acc.bad(ln, "malformed apply-path", scope);
                continue;
            }
            let (mut found, mut bad) = (vec![], None);
            for leaf in leaves.iter().filter(|l| l.active && l.w.len() >= pat.len()) {
                if !pat
                    .iter()
                    .zip(&leaf.w)
                    .all(|(p, w)| path_elem(p, w) == Some(true))
                {
                    continue;
                }
                match prefix(&leaf.w[pat.len() - 1]) {
                    Ok(x) if !found.contains(&x) => found.push(x),
                    Ok(_) => {}
                    Err(e) if e.contains("IPv6") => {}
                    Err(e) => bad = Some(e),
                }
            }
            if let Some(e) = bad {
                acc.bad(
                    ln,
                    &format!("apply-path matches a value that is no address: {e}"),
                    scope,
                );
                continue;
            }
            if found.is_empty() {
                acc.bad(
                    ln,
                    "apply-path matches no IPv4 address of the configuration",
                    scope,
                );
                continue;
            }
            self.prefix_lists.entry(list).or_default().0.extend(found);
            acc.ok(ln);
        }
    }

    pub(super) fn firewall(&mut self, acc: &mut Acc, l: &Leaf) {
        let ln = l.line;
        let w: Vec<&str> = l.w.iter().map(String::as_str).collect();
        let rest = match w.as_slice() {
            ["firewall", "family", "inet", "filter", rest @ ..]
            | ["firewall", "filter", rest @ ..] => rest,
            ["firewall", "policer" | "three-color-policer" | "hierarchical-policer", ..]
            | ["firewall", "family", "inet", "prefix-action", ..] => {
                return acc.irr(ln, "policer (rate limit; no effect on reachability)")
            }
            ["firewall", "family", "inet6", ..] => {
                return acc.irr(ln, crate::ingest::IPV6_OUT_OF_SCOPE)
            }
            // Filters of these families act on frames (switch ports): an applied one is
            // reported on its interface (`family ethernet-switching` not modelled).
            ["firewall", "family", "ethernet-switching" | "bridge" | "any" | "vpls" | "mpls" | "ccc", ..] => {
                return acc.bad(ln, NOT_IPV4, Scope::None)
            }
            // An interface set acts only through the filter terms naming it (`from
            // interface-set`), which are reported unrecognised.
            ["firewall", "interface-set", ..] => {
                return acc.irr(ln, "interface set (acts only through the filter terms that name it, which are reported)")
            }
            _ => return acc.bad(ln, "firewall statement not modelled", Scope::Device),
        };
        let Some(name) = rest.first() else {
            return acc.bad(ln, "filter without name", Scope::Device);
        };
        let f = match self.filters.iter().position(|f| f.0 == *name) {
            Some(i) => &mut self.filters[i].1,
            None => {
                self.filters.push((
                    name.to_string(),
                    Filter {
                        line: ln,
                        terms: vec![],
                    },
                ));
                &mut self.filters.last_mut().expect("pushed").1
            }
        };
        let scope = Scope::Acl(name.to_string());
        match &rest[1..] {
            [] => acc.ok(ln),
            ["interface-specific"] | ["physical-interface-filter"] | ["description", ..] => {
                acc.irr(ln, "filter attribute")
            }
            ["term", t, tail @ ..] => {
                let term = match f.terms.iter().position(|x| x.name == *t) {
                    Some(i) => &mut f.terms[i],
                    None => {
                        f.terms.push(Term {
                            name: t.to_string(),
                            ..Default::default()
                        });
                        f.terms.last_mut().expect("pushed")
                    }
                };
                term.lines.push(ln);
                match tail {
                    [] => acc.ok(ln),
                    ["from", k, v @ ..] => {
                        term.from.push((
                            k.to_string(),
                            v.iter().map(|s| s.to_string()).collect(),
                            ln,
                        ));
                        acc.ok(ln)
                    }
                    ["then", v @ ..] => {
                        term.then
                            .push((v.iter().map(|s| s.to_string()).collect(), ln));
                        acc.ok(ln)
                    }
                    _ => acc.bad(ln, "filter term statement not modelled", scope),
                }
            }
            _ => acc.bad(ln, "filter statement not modelled", scope),
        }
    }

    /// The ACLs, with every condition or action that is not modelled reported.
    pub(super) fn build(&self, acc: &mut Acc, file: &str) -> BTreeMap<String, Acl> {
        let mut out = BTreeMap::new();
        for (name, f) in &self.filters {
            let scope = Scope::Acl(name.clone());
            let mut rules = vec![];
            for t in &f.terms {
                let span = Span::new(file, t.lines.first().copied().unwrap_or(f.line));
                match self.term(t) {
                    Ok(Some((action, ms))) => {
                        for m in ms {
                            rules.push(AclRule {
                                action,
                                m,
                                span: span.clone(),
                            });
                        }
                    }
                    Ok(None) => {}
                    Err((line, e)) => acc.bad(line, &e, scope.clone()),
                }
            }
            out.insert(
                name.clone(),
                Acl {
                    name: name.clone(),
                    rules,
                    span: Span::new(file, f.line),
                },
            );
        }
        out
    }

    /// A term's action and matches (several when `address` / `port` name either
    /// direction); `None` for a term that never decides (`next term`).
    #[allow(clippy::type_complexity)]
    fn term(&self, t: &Term) -> Result<Option<(Action, Vec<Match>)>, (u32, String)> {
        // Action.
        let mut action = None;
        let mut next = false;
        for (v, ln) in &t.then {
            let v: Vec<&str> = v.iter().map(String::as_str).collect();
            match v.as_slice() {
                ["accept"] => action = Some(Action::Permit),
                ["discard", ..] | ["reject", ..] => action = Some(Action::Deny),
                ["next", "term"] => next = true,
                ["count", ..]
                | ["log"]
                | ["syslog"]
                | ["sample"]
                | ["policer", ..]
                | ["loss-priority", ..]
                | ["forwarding-class", ..]
                | ["dscp", ..]
                | ["port-mirror", ..]
                | ["three-color-policer", ..]
                | ["packet-mode"] => {}
                _ => return Err((*ln, format!("filter action `{}` not modelled", v.join(" ")))),
            }
        }
        if next && action.is_none() {
            return Ok(None);
        }
        let action = action.unwrap_or(Action::Permit);
        // Conditions, grouped by key.
        let mut src: Vec<IpMatch> = vec![];
        let mut dst: Vec<IpMatch> = vec![];
        let mut either: Vec<IpMatch> = vec![];
        let (mut has_src, mut has_dst, mut has_either) = (false, false, false);
        let mut protos: Vec<Option<u8>> = vec![];
        let mut sport: Vec<PortRange> = vec![];
        let mut dport: Vec<PortRange> = vec![];
        let mut port: Vec<PortRange> = vec![];
        let mut icmp: Vec<u8> = vec![];
        let mut codes: Vec<u8> = vec![];
        let mut established = None;
        for (k, v, ln) in &t.from {
            let err = |e: String| Err((*ln, e));
            let vs: Vec<&str> = v.iter().map(String::as_str).collect();
            if vs.last() == Some(&"except") {
                return err(format!("`{k} … except` not modelled"));
            }
            let val = vs.first().copied().unwrap_or("");
            let addr = |out: &mut Vec<IpMatch>| -> Result<(), String> {
                match prefix(val) {
                    Ok((a, l)) => {
                        out.push(IpMatch::prefix(a, l));
                        Ok(())
                    }
                    // An IPv6 value never matches an IPv4 packet.
                    Err(e) if e.contains("IPv6") => Ok(()),
                    Err(e) => Err(e),
                }
            };
            let plist = |out: &mut Vec<IpMatch>| -> Result<(), String> {
                let (ps, _) = self
                    .prefix_lists
                    .get(val)
                    .ok_or(format!("prefix-list {val} is not defined"))?;
                out.extend(ps.iter().map(|&(a, l)| IpMatch::prefix(a, l)));
                Ok(())
            };
            let r = match k.as_str() {
                "source-address" => {
                    has_src = true;
                    addr(&mut src)
                }
                "destination-address" => {
                    has_dst = true;
                    addr(&mut dst)
                }
                "address" => {
                    has_either = true;
                    addr(&mut either)
                }
                "source-prefix-list" => {
                    has_src = true;
                    plist(&mut src)
                }
                "destination-prefix-list" => {
                    has_dst = true;
                    plist(&mut dst)
                }
                "prefix-list" => {
                    has_either = true;
                    plist(&mut either)
                }
                "protocol" => proto_num(val).map(|p| protos.push(p)),
                "source-port" => port_range(val).map(|p| sport.push(p)),
                "destination-port" => port_range(val).map(|p| dport.push(p)),
                "port" => port_range(val).map(|p| port.push(p)),
                // A name or number, or a numeric range `10-20`.
                "icmp-type" | "icmp-code" => {
                    let one = |x: &str| {
                        if k == "icmp-type" {
                            icmp_type(x)
                        } else {
                            x.parse().ok()
                        }
                    };
                    let (lo, hi) = match val.split_once('-') {
                        Some((a, b)) if a.parse::<u8>().is_ok() => (a.parse().ok(), b.parse().ok()),
                        _ => (one(val), one(val)),
                    };
                    match (lo, hi) {
                        (Some(lo), Some(hi)) if lo <= hi => {
                            let out = if k == "icmp-type" {
                                &mut icmp
                            } else {
                                &mut codes
                            };
                            out.extend(lo..=hi);
                            Ok(())
                        }
                        _ => Err(format!("{k} `{val}`")),
                    }
                }
                "tcp-established" => {
                    established = Some(true);
                    protos.push(Some(proto::TCP));
                    Ok(())
                }
                "tcp-initial" => {
                    established = Some(false);
                    protos.push(Some(proto::TCP));
                    Ok(())
                }
                _ => Err(format!("filter condition `{k}` not modelled")),
            };
            if let Err(e) = r {
                return err(e);
            }
        }
        protos.sort();
        protos.dedup();
        let set = |has: bool, v: &Vec<IpMatch>| {
            if has {
                AddrSet { items: v.clone() }
            } else {
                AddrSet::any()
            }
        };
        // Services: protocols × source ports × destination ports (or ICMP types).
        let services = |sp: &[PortRange], dp: &[PortRange]| -> Vec<Service> {
            let ports = !sp.is_empty() || !dp.is_empty();
            let ps: Vec<Option<u8>> = if protos.is_empty() {
                if ports {
                    vec![Some(proto::TCP), Some(proto::UDP)]
                } else if !icmp.is_empty() || !codes.is_empty() {
                    vec![Some(proto::ICMP)]
                } else {
                    vec![]
                }
            } else {
                protos.clone()
            };
            let any = [PortRange::ANY];
            let sp = if sp.is_empty() { &any[..] } else { sp };
            let dp = if dp.is_empty() { &any[..] } else { dp };
            let mut out = vec![];
            for p in ps {
                let l4 = matches!(p, Some(proto::TCP | proto::UDP | proto::SCTP));
                if ports && !l4 {
                    // Ports never match a protocol without ports.
                    continue;
                }
                // ICMP types × codes (either may be unconstrained).
                let (ts, cs): (Vec<Option<u8>>, Vec<Option<u8>>) = (
                    if icmp.is_empty() {
                        vec![None]
                    } else {
                        icmp.iter().map(|&t| Some(t)).collect()
                    },
                    if codes.is_empty() {
                        vec![None]
                    } else {
                        codes.iter().map(|&c| Some(c)).collect()
                    },
                );
                let icmp_cond = !icmp.is_empty() || !codes.is_empty();
                if p == Some(proto::ICMP) && icmp_cond {
                    for &t in &ts {
                        for &c in &cs {
                            out.push(Service {
                                icmp_type: t,
                                icmp_code: c,
                                ..Service::proto(proto::ICMP)
                            });
                        }
                    }
                    continue;
                }
                if icmp_cond {
                    continue;
                }
                for s in sp {
                    for d in dp {
                        out.push(Service {
                            proto: p,
                            sport: *s,
                            dport: *d,
                            ..Service::any()
                        });
                    }
                }
            }
            out
        };
        let constrained = !protos.is_empty()
            || !sport.is_empty()
            || !dport.is_empty()
            || !port.is_empty()
            || !icmp.is_empty()
            || !codes.is_empty();
        let mut out = vec![];
        let addr_variants: Vec<(AddrSet, AddrSet)> = if has_either {
            vec![
                (
                    AddrSet {
                        items: either.clone(),
                    },
                    set(has_dst, &dst),
                ),
                (
                    set(has_src, &src),
                    AddrSet {
                        items: either.clone(),
                    },
                ),
            ]
        } else {
            vec![(set(has_src, &src), set(has_dst, &dst))]
        };
        let svc_variants: Vec<Vec<Service>> = if port.is_empty() {
            vec![services(&sport, &dport)]
        } else if sport.is_empty() && dport.is_empty() {
            vec![services(&port, &[]), services(&[], &port)]
        } else {
            let ln = t.from.iter().find(|f| f.0 == "port").map_or(0, |f| f.2);
            return Err((
                ln,
                "`port` with `source-port`/`destination-port` not modelled".into(),
            ));
        };
        for (s, d) in &addr_variants {
            for sv in &svc_variants {
                if constrained && sv.is_empty() {
                    // Conditions no packet meets (ports on ICMP): the term never matches.
                    continue;
                }
                out.push(Match {
                    src: s.clone(),
                    dst: d.clone(),
                    services: sv.clone(),
                    established,
                    src_mac: None,
                });
            }
        }
        Ok(Some((action, out)))
    }
}

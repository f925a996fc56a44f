//! The forwarding decision of ASA between interfaces, as first-match policies.
//!
//! Per inbound interface I (a `nameif` interface that is not `management-only`):
//! - if an ACL applies to I (`access-group X in interface I`, or `access-group Y
//!   global`), the policies are X's entries, then Y's, from I to every other interface
//!   (then the implicit deny). The security-level default no longer applies to I;
//! - otherwise one permit-any policy from I to every interface of a lower level.
//!
//! Either way, I reaches an interface of the same level only with `same-security-traffic
//! permit inter-interface`, and itself (hairpin) only with `… intra-interface`: an ACL
//! does not lift that restriction. An unset `security-level` is 100 on an interface
//! named `inside` and 0 otherwise (ASA assigns it when `nameif` is entered).

use super::Parser;
use crate::model::{AclRef, Action, Match, Policy, Scope, Span};
use std::collections::BTreeMap;

struct Side {
    idx: usize,
    phys: String,
    level: u8,
    /// `nameif` and `security-level` lines.
    lines: Vec<Span>,
}

pub(super) fn build(p: &mut Parser, by_nameif: &BTreeMap<String, usize>) {
    // Bindings: each must name a nameif and a defined ACL (ASA rejects others).
    let mut bad = vec![];
    let mut ins: BTreeMap<usize, (String, Span)> = BTreeMap::new();
    for (dir_in, binds) in [(true, &p.bind_in), (false, &p.bind_out)] {
        for (ifn, b) in binds {
            let Some(&i) = by_nameif.get(ifn) else {
                bad.push((
                    b.span.line,
                    format!("access-group names interface `{ifn}`, which is not a nameif"),
                    Scope::Policy,
                ));
                continue;
            };
            let phys = p.dev.interfaces[i].name.clone();
            if !p.dev.acls.contains_key(&b.acl) {
                bad.push((b.span.line, format!("access-group names ACL `{}`, which is not defined (ASA rejects it; not assumed)", b.acl), Scope::Interface(phys)));
                continue;
            }
            let r = AclRef {
                name: b.acl.clone(),
                span: b.span.clone(),
            };
            if dir_in {
                // Expressed as policies below (with the global ACL after it, against
                // real addresses after NAT), not as `acl_in`: on a policy-based device
                // `acl_in` is a stateless filter before NAT (Junos SRX).
                ins.insert(i, (b.acl.clone(), b.span.clone()));
            } else {
                p.dev.interfaces[i].acl_out = Some(r);
            }
        }
    }
    let global = match &p.bind_global {
        Some(b) if p.dev.acls.contains_key(&b.acl) => Some((b.acl.clone(), b.span.clone())),
        Some(b) => {
            bad.push((b.span.line, format!("access-group global names ACL `{}`, which is not defined (ASA rejects it; not assumed)", b.acl), Scope::Policy));
            None
        }
        None => None,
    };
    for (ln, e, s) in bad {
        p.unrec_line(ln, e, s);
    }
    let mut sides: Vec<Side> = by_nameif
        .iter()
        .filter(|(_, &i)| !p.aux[i].mgmt_only)
        .map(|(n, &i)| {
            let a = &p.aux[i];
            let mut lines: Vec<Span> = a.nameif.iter().map(|x| x.1.clone()).collect();
            lines.extend(a.level.iter().map(|x| x.1.clone()));
            Side {
                idx: i,
                phys: p.dev.interfaces[i].name.clone(),
                level: a
                    .level
                    .as_ref()
                    .map(|x| x.0)
                    .unwrap_or(if n == "inside" { 100 } else { 0 }),
                lines,
            }
        })
        .collect();
    // Configuration order of the interfaces.
    sides.sort_by_key(|s| s.idx);
    let mut pols = vec![];
    for s in &sides {
        // Interfaces the same-security rules let S reach at all.
        let mut reach = vec![];
        for o in &sides {
            let ok = if o.idx == s.idx {
                p.intra.is_some()
            } else {
                o.level != s.level || p.inter.is_some()
            };
            if ok {
                reach.push(o);
            }
        }
        let acls: Vec<(String, Span)> = ins
            .get(&s.idx)
            .cloned()
            .into_iter()
            .chain(global.clone())
            .collect();
        if acls.is_empty() {
            // Security-level default: permit to lower levels (and what same-security allows).
            let outs: Vec<&&Side> = reach.iter().filter(|o| o.level <= s.level).collect();
            if outs.is_empty() {
                continue;
            }
            let mut lines = s.lines.clone();
            for o in &outs {
                lines.extend(o.lines.iter().cloned());
            }
            if outs.iter().any(|o| o.level == s.level && o.idx != s.idx) {
                lines.extend(p.inter.clone());
            }
            if outs.iter().any(|o| o.idx == s.idx) {
                lines.extend(p.intra.clone());
            }
            lines.sort();
            lines.dedup();
            pols.push(Policy {
                id: format!(
                    "security-level {}",
                    p.aux[s.idx]
                        .nameif
                        .as_ref()
                        .map(|x| x.0.as_str())
                        .unwrap_or("")
                ),
                src_intf: vec![s.phys.clone()],
                dst_intf: outs.iter().map(|o| o.phys.clone()).collect(),
                m: Match::any(),
                action: Action::Permit,
                enabled: true,
                span: s
                    .lines
                    .first()
                    .cloned()
                    .unwrap_or_else(|| p.dev.interfaces[s.idx].span.clone()),
                lines,
                field_lines: vec![],
                snat: None,
                dnat: vec![],
            });
            continue;
        }
        let outs: Vec<String> = reach.iter().map(|o| o.phys.clone()).collect();
        if outs.is_empty() {
            continue;
        }
        for (acl, bind) in acls {
            let Some(a) = p.dev.acls.get(&acl) else {
                continue;
            };
            for (n, r) in a.rules.iter().enumerate() {
                let mut lines = vec![r.span.clone(), bind.clone()];
                lines.extend(s.lines.iter().cloned());
                pols.push(Policy {
                    id: format!("{acl}#{}", n + 1),
                    src_intf: vec![s.phys.clone()],
                    dst_intf: outs.clone(),
                    m: r.m.clone(),
                    action: r.action,
                    enabled: true,
                    span: r.span.clone(),
                    lines,
                    field_lines: vec![],
                    snat: None,
                    dnat: vec![],
                });
            }
        }
    }
    p.dev.policies = pols;
    super::nat::apply(p, by_nameif);
}

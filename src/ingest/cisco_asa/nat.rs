//! NAT as rewrites: object NAT (`object network X` + `nat (real,mapped) static|dynamic
//! …`) and twice NAT (`nat (real,mapped) [after-auto] source static|dynamic REAL
//! MAPPED`), in ASA's order: twice NAT, object NAT (static before dynamic), twice NAT
//! `after-auto`; the first match translates.
//!
//! - A static translation of one host R to one address M is a destination NAT
//!   ([`Dnat`]) on arrival at the mapped interface (packets to M go to R; ACLs name the
//!   real address R, as on ASA 8.3+), and a source NAT of R's flows leaving by the mapped
//!   interface (source M, [`PolicySnat::Pool`]).
//! - A dynamic translation (`interface`, an address, a range, a subnet, `pat-pool`) is a
//!   source NAT of the real addresses' flows leaving by the mapped interface.
//! - Identity NAT (`static` of an object to itself, `any any`) changes nothing.
//! - A static translation of a block onto a block of the same size (at most 256
//!   addresses; an inline mapped address takes the real object's size) is that, address
//!   by address.
//!
//! Source NAT is attached to the synthesised policies: before each permit policy from
//! the real interface, a copy restricted to the real source addresses and the mapped
//! interfaces carries the translation (first match keeps the meaning of the list).
//!
//! - Twice NAT with `destination static MAPPED_DST REAL_DST`: see [`twice_dst`].
//! - `unidirectional`: a static has no destination NAT (the mapped side cannot initiate).
//!
//! Forms beyond these (twice-NAT `service`, `destination static interface`, blocks of
//! other sizes) are unrecognized with [`Scope::Policy`].

use super::objects::Objects;
use super::{un, Out, Parser};
use crate::model::{AddrSet, Dnat, IpMatch, PolicySnat, PortRange, Scope, Span};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

#[derive(Default)]
pub(super) struct NatLines {
    /// (line, object name for object NAT, tokens).
    lines: Vec<(u32, Option<String>, Vec<String>)>,
}

impl NatLines {
    pub fn top(&mut self, ln: u32, t: &[&str]) -> Out {
        self.lines
            .push((ln, None, t.iter().map(|s| s.to_string()).collect()));
        Out::Ok
    }
    pub fn object(&mut self, ln: u32, obj: &str, t: &[&str]) -> Out {
        if t.len() < 2 {
            return un("malformed nat", Scope::Policy);
        }
        self.lines.push((
            ln,
            Some(obj.to_string()),
            t.iter().map(|s| s.to_string()).collect(),
        ));
        Out::Ok
    }
}

/// One translation, resolved.
struct Rule {
    ln: u32,
    /// Section: 1 twice NAT, 2 object static, 3 object dynamic, 4 after-auto.
    section: u8,
    real_if: Option<String>,
    mapped_if: Option<String>,
    real: Vec<IpMatch>,
    kind: Kind,
    /// Twice NAT `destination static MAPPED REAL`.
    dst: Option<Dst>,
    /// `unidirectional`: a static translates only from the real side.
    unidir: bool,
}

/// The destination part of a twice NAT: packets from the real sources to `mapped` get a
/// destination in `real` (static: address by address).
struct Dst {
    mapped: Vec<IpMatch>,
    real: Vec<IpMatch>,
    /// (mapped, real) host pairs; `None` = identity (the destination is only a condition).
    pairs: Option<Vec<(Ipv4Addr, Ipv4Addr)>>,
}

enum Kind {
    Identity,
    /// Host R ↔ host M, optionally one port (proto, real port, mapped port).
    Static(Ipv4Addr, Ipv4Addr, Option<(u8, u16, u16)>),
    /// Static NAT of a block onto a block of the same size: the i-th real address ↔ the
    /// i-th mapped address, as (real, mapped) host pairs.
    Block(Vec<(Ipv4Addr, Ipv4Addr)>),
    Dynamic(PolicySnat),
}

fn one_host(v: &[IpMatch]) -> Option<Ipv4Addr> {
    match v {
        [IpMatch::Wildcard { addr, wildcard }] if u32::from(*wildcard) == 0 => Some(*addr),
        [IpMatch::Range { lo, hi }] if lo == hi => Some(*lo),
        _ => None,
    }
}

/// Largest block of a static NAT expanded into host pairs (a /24).
const MAX_BLOCK: u32 = 256;

/// One contiguous block of addresses (a subnet object or a range).
fn one_block(v: &[IpMatch]) -> Option<(u32, u32)> {
    match v {
        [IpMatch::Wildcard { addr, wildcard }] => {
            let w = u32::from(*wildcard);
            (w & w.wrapping_add(1) == 0).then(|| (u32::from(*addr) & !w, u32::from(*addr) | w))
        }
        [IpMatch::Range { lo, hi }] if lo <= hi => Some((u32::from(*lo), u32::from(*hi))),
        _ => None,
    }
}

fn pool(v: &[IpMatch]) -> Result<PolicySnat, String> {
    let mut out = vec![];
    for m in v {
        match m {
            IpMatch::Range { lo, hi } => out.push((*lo, *hi)),
            IpMatch::Wildcard { addr, wildcard } => {
                let w = u32::from(*wildcard);
                if w & w.wrapping_add(1) != 0 {
                    return Err("non-contiguous mapped addresses".into());
                }
                out.push((*addr, Ipv4Addr::from(u32::from(*addr) | w)));
            }
            IpMatch::Any => return Err("mapped address `any`".into()),
        }
    }
    if out.is_empty() {
        return Err("empty mapped address set".into());
    }
    Ok(PolicySnat::Pool(out))
}

/// A mapped address: an IP, a network object / group.
fn mapped(o: &Objects, k: &str) -> Result<Vec<IpMatch>, String> {
    if let Some(a) = crate::ingest::cisco_ios::lexing::ip(k) {
        return Ok(vec![IpMatch::host(a)]);
    }
    o.net(k, 0)
}

fn iface_pair(k: &str) -> Option<(Option<String>, Option<String>)> {
    let inner = k.strip_prefix('(')?.strip_suffix(')')?;
    let (a, b) = inner.split_once(',')?;
    let f = |x: &str| (x != "any").then(|| x.to_string());
    Some((f(a), f(b)))
}

/// Options that do not change which packets are translated or how.
fn harmless(k: &str) -> bool {
    matches!(
        k,
        "dns"
            | "no-proxy-arp"
            | "route-lookup"
            | "net-to-net"
            | "flat"
            | "include-reserve"
            | "round-robin"
            | "extended"
            | "block-allocation"
    )
}

fn parse_rule(
    o: &Objects,
    ln: u32,
    obj: &Option<String>,
    kw: &[String],
) -> Result<Option<Rule>, String> {
    let mut i = 1;
    let (real_if, mapped_if) = match kw.get(1).and_then(|k| iface_pair(k)) {
        Some(p) => {
            i += 1;
            p
        }
        None => (None, None),
    };
    if let Some(d) = kw.iter().position(|k| k == "description") {
        if kw[..d].iter().any(|k| k == "inactive") {
            return Ok(None);
        }
    } else if kw.iter().any(|k| k == "inactive") {
        return Ok(None);
    }
    let end = kw
        .iter()
        .position(|k| k == "description")
        .unwrap_or(kw.len());
    let kw = &kw[..end];
    let mut section = 1;
    let (real, kind_kw, mut j) = match obj {
        Some(name) => {
            let real = o.net(name, 0)?;
            (real, kw.get(i).map(String::as_str).unwrap_or(""), i)
        }
        None => {
            if kw.get(i).map(String::as_str) == Some("after-auto") {
                section = 4;
                i += 1;
            }
            if kw.get(i).map(String::as_str) != Some("source") {
                return Err("twice NAT without `source`".into());
            }
            let kind = kw.get(i + 1).map(String::as_str).unwrap_or("");
            let r = kw.get(i + 2).ok_or("missing real source")?;
            let real = if r == "any" {
                vec![IpMatch::Any]
            } else {
                o.net(r, 0)?
            };
            (real, kind, i + 2)
        }
    };
    if obj.is_some() {
        section = if kind_kw == "static" { 2 } else { 3 };
    }
    let rest: Vec<&str> = kw
        .get(j + 1..)
        .unwrap_or(&[])
        .iter()
        .map(String::as_str)
        .collect();
    let (m, after) = match rest.as_slice() {
        [] => return Err("missing mapped address".into()),
        ["pat-pool", n, tail @ ..] => (o.net(n, 0).map(Some)?, tail.to_vec()),
        [m, tail @ ..] if *m == "interface" => (None, tail.to_vec()),
        [m, tail @ ..] => {
            if *m == "any" && obj.is_none() {
                (Some(vec![IpMatch::Any]), tail.to_vec())
            } else {
                (Some(mapped(o, m)?), tail.to_vec())
            }
        }
    };
    j = 0;
    let mut svc = None;
    let mut fallback_if = false;
    let mut dst = None;
    let mut unidir = false;
    while let Some(k) = after.get(j) {
        match *k {
            "destination" if obj.is_none() && dst.is_none() => {
                let (Some(&"static"), Some(dm), Some(dr)) =
                    (after.get(j + 1), after.get(j + 2), after.get(j + 3))
                else {
                    return Err(
                        "malformed `destination` (ASA has only `destination static`)".into(),
                    );
                };
                dst = Some(destination(o, dm, dr)?);
                j += 4;
            }
            "unidirectional" => {
                unidir = true;
                j += 1;
            }
            "service" if obj.is_some() => {
                let (Some(p), Some(r), Some(mp)) =
                    (after.get(j + 1), after.get(j + 2), after.get(j + 3))
                else {
                    return Err("malformed `service`".into());
                };
                let pn = match *p {
                    "tcp" => 6,
                    "udp" => 17,
                    _ => return Err(format!("static NAT service on `{p}` (not modelled)")),
                };
                let port = |s: &str| {
                    super::objects::asa_port(s).ok_or_else(|| format!("unknown port `{s}`"))
                };
                svc = Some((pn, port(r)?, port(mp)?));
                j += 4;
            }
            "service" => return Err("twice NAT with `service` (not modelled)".into()),
            "interface" => {
                fallback_if = true;
                j += 1;
            }
            k if harmless(k) => j += 1,
            o => return Err(format!("unsupported NAT option `{o}`")),
        }
    }
    let kind = match (kind_kw, m) {
        ("static", Some(m)) => {
            let identity = m == real || (m == [IpMatch::Any] && real == [IpMatch::Any]);
            if identity && svc.is_none() {
                Kind::Identity
            } else {
                match (one_host(&real), one_host(&m)) {
                    (Some(r), Some(mm)) => Kind::Static(r, mm, svc),
                    _ => {
                        // Object NAT to an inline address: the mapped block has the real
                        // object's size (ASA: "the mapped network uses the same netmask or
                        // range as the real object"). Otherwise both blocks must be the
                        // same size; each real address maps to the mapped address at the
                        // same offset.
                        let rb = one_block(&real);
                        let inline = obj.is_some()
                            && rest
                                .first()
                                .is_some_and(|x| crate::ingest::cisco_ios::lexing::ip(x).is_some());
                        let mb = match (rb, one_host(&m)) {
                            (Some((lo, hi)), Some(a)) if inline => {
                                u32::from(a).checked_add(hi - lo).map(|e| (u32::from(a), e))
                            }
                            _ => one_block(&m),
                        };
                        match (rb, mb, svc) {
                            (Some((rl, rh)), Some((ml, mh)), None)
                                if rh - rl == mh - ml && rh - rl < MAX_BLOCK =>
                            {
                                Kind::Block(
                                    (0..=rh - rl)
                                        .map(|k| (Ipv4Addr::from(rl + k), Ipv4Addr::from(ml + k)))
                                        .collect(),
                                )
                            }
                            _ => {
                                return Err(
                                    "static NAT of more than one address (not modelled)".into()
                                )
                            }
                        }
                    }
                }
            }
        }
        ("static", None) => match (one_host(&real), svc) {
            (Some(_), _) => return Err("static NAT to the interface address (not modelled)".into()),
            _ => return Err("static NAT to the interface address (not modelled)".into()),
        },
        ("dynamic", None) => Kind::Dynamic(PolicySnat::Egress),
        ("dynamic", Some(m)) => {
            if fallback_if {
                // Pool first, the interface when it is exhausted: either source.
                return Err("dynamic NAT with interface fallback (not modelled)".into());
            }
            Kind::Dynamic(pool(&m)?)
        }
        (k, _) => return Err(format!("unsupported NAT type `{k}`")),
    };
    if dst.is_some() && matches!(kind, Kind::Identity) {
        // Exempting some flows from the rules after it (or translating only their
        // destination) is not expressed by the rewrites here: not modelled.
        return Err("identity source NAT with `destination` (not modelled)".into());
    }
    Ok(Some(Rule {
        ln,
        section,
        real_if,
        mapped_if,
        real,
        kind,
        dst,
        unidir,
    }))
}

/// One side of a twice NAT: `any`, an inline address or a network object / group.
fn twice_addr(o: &Objects, k: &str) -> Result<Vec<IpMatch>, String> {
    if k == "any" {
        return Ok(vec![IpMatch::Any]);
    }
    mapped(o, k)
}

/// `destination static MAPPED REAL`: identity (the same addresses, or `any any`), one
/// host onto one host, or a block onto a block of the same size (≤ [`MAX_BLOCK`]).
fn destination(o: &Objects, dm: &str, dr: &str) -> Result<Dst, String> {
    if dm == "interface" || dr == "interface" {
        // The interface address as the mapped destination is documented for port
        // translation only; which interface's address is meant here is not certain.
        return Err("twice NAT `destination static interface` (not modelled)".into());
    }
    let mapped = twice_addr(o, dm)?;
    let real = twice_addr(o, dr)?;
    if mapped == real {
        return Ok(Dst {
            mapped,
            real,
            pairs: None,
        });
    }
    let pairs = match (one_block(&mapped), one_block(&real)) {
        (Some((ml, mh)), Some((rl, rh))) if mh - ml == rh - rl && mh - ml < MAX_BLOCK => (0
            ..=mh - ml)
            .map(|k| (Ipv4Addr::from(ml + k), Ipv4Addr::from(rl + k)))
            .collect(),
        _ => {
            return Err(
                "twice NAT destination other than one host or block onto one of the same size (not modelled)"
                    .into(),
            )
        }
    };
    Ok(Dst {
        mapped,
        real,
        pairs: Some(pairs),
    })
}

/// The inclusive bounds of a contiguous address constraint (`None` otherwise).
fn bounds(m: &IpMatch) -> Option<(u32, u32)> {
    match m {
        IpMatch::Any => Some((0, u32::MAX)),
        IpMatch::Range { lo, hi } => Some((u32::from(*lo), u32::from(*hi))),
        IpMatch::Wildcard { addr, wildcard } => {
            let w = u32::from(*wildcard);
            (w & w.wrapping_add(1) == 0).then(|| (u32::from(*addr) & !w, u32::from(*addr) | w))
        }
    }
}

/// Intersection of two address constraints (`Err` when not representable).
fn inter(a: &IpMatch, b: &IpMatch) -> Result<Option<IpMatch>, ()> {
    Ok(match (a, b) {
        (IpMatch::Any, x) | (x, IpMatch::Any) => Some(x.clone()),
        (
            IpMatch::Wildcard {
                addr: a1,
                wildcard: w1,
            },
            IpMatch::Wildcard {
                addr: a2,
                wildcard: w2,
            },
        ) => {
            let (a1, w1, a2, w2) = (
                u32::from(*a1),
                u32::from(*w1),
                u32::from(*a2),
                u32::from(*w2),
            );
            let common = !w1 & !w2;
            if (a1 ^ a2) & common != 0 {
                None
            } else {
                Some(IpMatch::Wildcard {
                    addr: Ipv4Addr::from((a1 & !w1) | (a2 & !w2)),
                    wildcard: Ipv4Addr::from(w1 & w2),
                })
            }
        }
        _ => {
            let (l1, h1) = bounds(a).ok_or(())?;
            let (l2, h2) = bounds(b).ok_or(())?;
            let (lo, hi) = (l1.max(l2), h1.min(h2));
            (lo <= hi).then(|| IpMatch::Range {
                lo: Ipv4Addr::from(lo),
                hi: Ipv4Addr::from(hi),
            })
        }
    })
}

fn inter_set(a: &AddrSet, b: &[IpMatch]) -> Result<AddrSet, ()> {
    let mut items = vec![];
    for x in &a.items {
        for y in b {
            if let Some(z) = inter(x, y)? {
                items.push(z);
            }
        }
    }
    Ok(AddrSet { items })
}

pub(super) fn apply(p: &mut Parser, by_nameif: &BTreeMap<String, usize>) {
    let mut rules = vec![];
    for (ln, obj, kw) in std::mem::take(&mut p.nat.lines) {
        match parse_rule(&p.objs, ln, &obj, &kw) {
            Ok(Some(r)) => rules.push(r),
            Ok(None) => {}
            Err(e) => p.unrec_line(ln, format!("NAT: {e}"), Scope::Policy),
        }
    }
    rules.sort_by_key(|r| r.section);
    let names: BTreeMap<String, String> = by_nameif
        .iter()
        .map(|(n, &i)| (n.clone(), p.dev.interfaces[i].name.clone()))
        .collect();
    let phys = |n: &Option<String>| -> Result<Option<String>, String> {
        match n {
            None => Ok(None),
            Some(n) => names
                .get(n)
                .map(|x| Some(x.clone()))
                .ok_or_else(|| format!("NAT names interface `{n}`, which is not a nameif")),
        }
    };
    // Destination NATs of twice NAT with `destination`: their policies are set here,
    // not by the generic naming below.
    let mut own_path = BTreeSet::new();
    // Rules naming an interface that is not a nameif are rejected by ASA: not in effect.
    let (mut valid, mut ifs) = (vec![], vec![]);
    for r in rules {
        match (phys(&r.real_if), phys(&r.mapped_if)) {
            (Ok(a), Ok(b)) => {
                valid.push(r);
                ifs.push((a, b));
            }
            (Err(e), _) | (_, Err(e)) => p.unrec_line(r.ln, e, Scope::Policy),
        }
    }
    let rules = valid;
    for (k, (r, (ri, mi))) in rules.iter().zip(ifs).enumerate() {
        let span = p.span(r.ln);
        if let Some(d) = &r.dst {
            if let Err(e) = twice_dst(p, r, d, &rules[..k], &ri, &mi, &span, &mut own_path) {
                p.unrec_line(r.ln, format!("NAT: {e}"), Scope::Policy);
            }
            continue;
        }
        let snat = match &r.kind {
            Kind::Identity => continue,
            Kind::Static(_, m, svc) if r.unidir => {
                // No translation of flows initiated from the mapped side.
                if svc.is_some() {
                    continue;
                }
                PolicySnat::Pool(vec![(*m, *m)])
            }
            Kind::Static(real, m, svc) => {
                p.dev.dnats.push(Dnat {
                    name: format!("nat line {}", r.ln),
                    in_intf: vec![mi.clone().unwrap_or_else(|| "any".into())],
                    ext: (*m, *m),
                    mapped: *real,
                    port: svc.map(|(pn, rp, mp)| (pn, PortRange::single(mp), Some(rp))),
                    src: None,
                    span: span.clone(),
                    lines: vec![span.clone()],
                });
                // A port static translates only flows from the real port: not as a
                // source NAT of every flow of the host.
                if svc.is_some() {
                    continue;
                }
                PolicySnat::Pool(vec![(*m, *m)])
            }
            Kind::Block(pairs) => {
                let mut failed = false;
                for (real, m) in pairs {
                    if !r.unidir {
                        p.dev.dnats.push(Dnat {
                            name: format!("nat line {}", r.ln),
                            in_intf: vec![mi.clone().unwrap_or_else(|| "any".into())],
                            ext: (*m, *m),
                            mapped: *real,
                            port: None,
                            src: None,
                            span: span.clone(),
                            lines: vec![span.clone()],
                        });
                    }
                    let snat = PolicySnat::Pool(vec![(*m, *m)]);
                    failed |=
                        add_snat(p, &ri, &mi, &[IpMatch::host(*real)], None, snat, &span).is_err();
                }
                if failed {
                    p.unrec_line(
                        r.ln,
                        "NAT: real addresses not intersectable with a policy source (not modelled)"
                            .into(),
                        Scope::Policy,
                    );
                }
                continue;
            }
            Kind::Dynamic(s) => s.clone(),
        };
        if add_snat(p, &ri, &mi, &r.real, None, snat, &span).is_err() {
            p.unrec_line(
                r.ln,
                "NAT: real addresses not intersectable with a policy source (not modelled)".into(),
                Scope::Policy,
            );
        }
    }
    // Destination NATs: every policy whose destination holds the real address admits
    // the translated packets (ACLs name real addresses).
    for (vi, d) in p.dev.dnats.iter().enumerate() {
        if own_path.contains(&vi) {
            continue;
        }
        for pol in p.dev.policies.iter_mut() {
            let on = d
                .in_intf
                .iter()
                .any(|n| n == "any" || pol.src_intf.contains(n));
            if on && pol.m.dst.contains(d.mapped) {
                pol.dnat.push(vi);
                pol.lines.extend(d.lines.iter().cloned());
            }
        }
    }
}

/// Before each permit policy from `ri` (any when `None`) towards `mi`, a copy for the
/// real sources (and the destinations `dst`, when given) carrying `snat`.
fn add_snat(
    p: &mut Parser,
    ri: &Option<String>,
    mi: &Option<String>,
    real: &[IpMatch],
    dst: Option<&[IpMatch]>,
    snat: PolicySnat,
    span: &Span,
) -> Result<(), ()> {
    let mut out = vec![];
    for pol in std::mem::take(&mut p.dev.policies) {
        let from_ok = ri.as_ref().is_none_or(|r| pol.src_intf.contains(r));
        let outs: Vec<String> = pol
            .dst_intf
            .iter()
            .filter(|o| mi.as_ref().is_none_or(|m| m == *o))
            .cloned()
            .collect();
        // A policy naming a destination NAT is a twice NAT's translated path: a later
        // rule does not apply to what it admits.
        if from_ok
            && pol.snat.is_none()
            && pol.dnat.is_empty()
            && pol.action == crate::model::Action::Permit
            && !outs.is_empty()
        {
            let src = inter_set(&pol.m.src, real)?;
            let dst_set = match dst {
                Some(d) => inter_set(&pol.m.dst, d)?,
                None => pol.m.dst.clone(),
            };
            if !src.items.is_empty() && !dst_set.items.is_empty() {
                let mut c = pol.clone();
                c.id = format!("{} nat", pol.id);
                c.dst_intf = outs;
                c.m.src = src;
                c.m.dst = dst_set;
                c.snat = Some(snat.clone());
                c.lines.push(span.clone());
                out.push(c);
            }
        }
        out.push(pol);
    }
    p.dev.policies = out;
    Ok(())
}

/// Whether two address lists may share an address (`true` when not decidable here).
fn meet(a: &[IpMatch], b: &[IpMatch]) -> bool {
    a.iter()
        .any(|x| b.iter().any(|y| !matches!(inter(x, y), Ok(None))))
}

/// Whether every address of `a` is in `b` (`false` when not decidable here).
fn within(a: &[IpMatch], b: &[IpMatch]) -> bool {
    a.iter().all(|x| {
        b.iter().any(|y| {
            *y == IpMatch::Any
                || matches!((bounds(x), bounds(y)), (Some((xl, xh)), Some((yl, yh))) if yl <= xl && xh <= yh)
        })
    })
}

/// Packets a rule translates: (arrival nameif, `None` = any; sources; destinations;
/// whether the rule surely claims all of them: not when it depends on the egress
/// interface, which a route lookup decides, or on ports).
type Region<'a> = (&'a Option<String>, Vec<IpMatch>, Vec<IpMatch>, bool);

/// The packets a rule claims (ASA applies the first rule that matches, in either
/// direction): from its real interface, its real sources (to the mapped destinations of
/// a twice NAT); for a static, also from its mapped interface, to its mapped sources
/// (from the real destinations of a twice NAT).
fn regions(r: &Rule) -> Vec<Region<'_>> {
    let any = || vec![IpMatch::Any];
    let (fwd_dst, rev_src) = match &r.dst {
        Some(d) => (d.mapped.clone(), d.real.clone()),
        None => (any(), any()),
    };
    let ports = matches!(r.kind, Kind::Static(_, _, Some(_)));
    // Towards the mapped interface, unless that is any or the rule translates the
    // destination (ASA then takes the egress interface from the rule).
    let fwd_sure = !ports && (r.mapped_if.is_none() || r.dst.is_some());
    let mut out = vec![(&r.real_if, r.real.clone(), fwd_dst, fwd_sure)];
    let mapped = match &r.kind {
        Kind::Identity => Some(r.real.clone()),
        Kind::Static(_, m, _) => Some(vec![IpMatch::host(*m)]),
        Kind::Block(v) => v.first().zip(v.last()).map(|(a, b)| {
            vec![IpMatch::Range {
                lo: a.1.min(b.1),
                hi: a.1.max(b.1),
            }]
        }),
        Kind::Dynamic(_) => None,
    };
    if let (Some(m), false) = (mapped, r.unidir) {
        out.push((&r.mapped_if, rev_src, m, !ports));
    }
    out
}

/// Whether `a` surely claims every packet of `b`.
fn covers(a: &Region, b: &Region) -> bool {
    a.3 && (a.0.is_none() || a.0 == b.0) && within(&b.1, &a.1) && within(&b.2, &a.2)
}

fn overlap(a: &Region, b: &Region) -> bool {
    (a.0.is_none() || b.0.is_none() || a.0 == b.0) && meet(&a.1, &b.1) && meet(&a.2, &b.2)
}

/// Twice NAT with `destination static` (ASA: from the real interface, a packet from the
/// real sources to the mapped destinations gets the real destination and the mapped
/// source; a static rule is bidirectional: from the mapped interface, a packet from the
/// real destinations to the mapped sources gets the real source and the mapped
/// destination). Each destination translation is a [`Dnat`] conditioned on the sources
/// (see [`vip_path`]); an identity destination is only a condition on the source NAT.
/// ASA applies the first rule that matches: a direction whose every packet an earlier
/// rule surely claims has no effect; one that an earlier rule claims in part is refused,
/// as is a rule whose two directions overlap.
#[allow(clippy::too_many_arguments)]
fn twice_dst(
    p: &mut Parser,
    r: &Rule,
    d: &Dst,
    earlier: &[Rule],
    ri: &Option<String>,
    mi: &Option<String>,
    span: &Span,
    own_path: &mut BTreeSet<usize>,
) -> Result<(), String> {
    // A static's (real, mapped) source pairs; a dynamic's source NAT.
    let (pairs, dynamic) = match &r.kind {
        Kind::Static(real, m, None) => (vec![(*real, *m)], None),
        Kind::Block(v) => (v.clone(), None),
        Kind::Dynamic(s) => (vec![], Some(s.clone())),
        Kind::Static(_, _, Some(_)) | Kind::Identity => {
            return Err("twice NAT with `destination` of this kind (not modelled)".into())
        }
    };
    let reverse = dynamic.is_none() && !r.unidir;
    let n = pairs.len().max(1) * d.pairs.as_ref().map_or(1, Vec::len);
    if n > MAX_BLOCK as usize {
        return Err(format!(
            "twice NAT with `destination` of {n} address pairs (more than {MAX_BLOCK}; not modelled)"
        ));
    }
    let before: Vec<Region> = earlier.iter().flat_map(regions).collect();
    let dead = |b: &Region| before.iter().any(|a| covers(a, b));
    let fwd: Region = (&r.real_if, r.real.clone(), d.mapped.clone(), true);
    let m = pairs.iter().map(|x| IpMatch::host(x.1)).collect();
    let rev: Region = (&r.mapped_if, d.real.clone(), m, true);
    let forward = !dead(&fwd);
    let reverse = reverse && !dead(&rev);
    let mine: Vec<&Region> = [(forward, &fwd), (reverse, &rev)]
        .into_iter()
        .filter_map(|(live, x)| live.then_some(x))
        .collect();
    if before.iter().any(|a| mine.iter().any(|b| overlap(a, b))) {
        return Err(
            "twice NAT with `destination` after a NAT rule that matches some of its packets (not modelled)"
                .into(),
        );
    }
    if forward && reverse && overlap(&fwd, &rev) {
        return Err(
            "twice NAT with `destination` whose two directions overlap (not modelled)".into(),
        );
    }
    let fail =
        |_| "real addresses not intersectable with a policy address (not modelled)".to_string();
    let host_pool = |a: Ipv4Addr| Some(PolicySnat::Pool(vec![(a, a)]));
    let dnat = |from: &Option<String>, ext: Ipv4Addr, to: Ipv4Addr, src: &[IpMatch]| Dnat {
        name: format!("nat line {}", r.ln),
        in_intf: vec![from.clone().unwrap_or_else(|| "any".into())],
        ext: (ext, ext),
        mapped: to,
        port: None,
        src: Some(AddrSet {
            items: src.to_vec(),
        }),
        span: span.clone(),
        lines: vec![span.clone()],
    };
    // From the real side.
    match &d.pairs {
        _ if !forward => {}
        None => match &dynamic {
            Some(s) => {
                add_snat(p, ri, mi, &r.real, Some(&d.real), s.clone(), span).map_err(fail)?
            }
            None => {
                for (real, m) in &pairs {
                    let s = PolicySnat::Pool(vec![(*m, *m)]);
                    add_snat(p, ri, mi, &[IpMatch::host(*real)], Some(&d.real), s, span)
                        .map_err(fail)?;
                }
            }
        },
        Some(dp) => {
            let snats: Vec<(Vec<IpMatch>, Option<PolicySnat>)> = match &dynamic {
                Some(s) => vec![(r.real.clone(), Some(s.clone()))],
                None => pairs
                    .iter()
                    .map(|(real, m)| (vec![IpMatch::host(*real)], host_pool(*m)))
                    .collect(),
            };
            for (md, rd) in dp {
                vip_path(p, dnat(ri, *md, *rd, &r.real), ri, mi, &snats, own_path).map_err(fail)?;
            }
        }
    }
    // From the mapped side (static only).
    if reverse {
        let snats: Vec<(Vec<IpMatch>, Option<PolicySnat>)> = match &d.pairs {
            None => vec![(d.real.clone(), None)],
            Some(dp) => dp
                .iter()
                .map(|(md, rd)| (vec![IpMatch::host(*rd)], host_pool(*md)))
                .collect(),
        };
        for (real, m) in &pairs {
            vip_path(p, dnat(mi, *m, *real, &d.real), mi, ri, &snats, own_path).map_err(fail)?;
        }
    }
    Ok(())
}

/// Adds `d` with the policies that decide its translated packets, arriving from `from`
/// and sent out `to` only (ASA takes the egress interface from the rule), in order:
/// a deny whose destination holds the new address names it; before each permit that
/// does, a copy per (sources, source NAT) of `snats` names it, with an empty destination
/// so that no untranslated packet matches the copy (translated packets are matched
/// without their destination, which the lowering has set). When nothing names it, a
/// deny does: the translation still takes place, and ASA's implicit deny drops it.
fn vip_path(
    p: &mut Parser,
    d: Dnat,
    from: &Option<String>,
    to: &Option<String>,
    snats: &[(Vec<IpMatch>, Option<PolicySnat>)],
    own_path: &mut BTreeSet<usize>,
) -> Result<(), ()> {
    use crate::model::Action;
    let vi = p.dev.dnats.len();
    let new_dst = d.mapped;
    let span = d.span.clone();
    p.dev.dnats.push(d);
    own_path.insert(vi);
    let mut named = false;
    let mut out = vec![];
    for mut pol in std::mem::take(&mut p.dev.policies) {
        let from_ok = from.as_ref().is_none_or(|f| pol.src_intf.contains(f));
        if from_ok && pol.m.dst.contains(new_dst) {
            match pol.action {
                Action::Deny => {
                    pol.dnat.push(vi);
                    named = true;
                }
                Action::Permit if pol.snat.is_none() => {
                    let outs: Vec<String> = pol
                        .dst_intf
                        .iter()
                        .filter(|o| to.as_ref().is_none_or(|t| t == *o || *o == "any"))
                        .map(|o| match (o.as_str(), to) {
                            ("any", Some(t)) => t.clone(),
                            _ => o.clone(),
                        })
                        .collect();
                    for (srcs, snat) in snats.iter().filter(|_| !outs.is_empty()) {
                        let src = inter_set(&pol.m.src, srcs)?;
                        if src.items.is_empty() {
                            continue;
                        }
                        let mut c = pol.clone();
                        c.id = format!("{} nat", pol.id);
                        c.dst_intf = outs.clone();
                        c.m.src = src;
                        c.m.dst = AddrSet { items: vec![] };
                        c.snat = snat.clone();
                        c.dnat = vec![vi];
                        c.lines.push(span.clone());
                        out.push(c);
                        named = true;
                    }
                }
                _ => {}
            }
        }
        out.push(pol);
    }
    if !named {
        out.push(crate::model::Policy {
            id: format!("{} (translated; no policy admits it)", p.dev.dnats[vi].name),
            src_intf: vec![from.clone().unwrap_or_else(|| "any".into())],
            dst_intf: vec!["any".into()],
            m: crate::model::Match {
                dst: AddrSet { items: vec![] },
                ..crate::model::Match::any()
            },
            action: Action::Deny,
            enabled: true,
            span: span.clone(),
            lines: vec![span],
            field_lines: vec![],
            snat: None,
            dnat: vec![vi],
        });
    }
    p.dev.policies = out;
    Ok(())
}

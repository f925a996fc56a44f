//! SRX NAT as rewrites. Destination NAT rules become [`Dnat`]s applied on arrival (the
//! policies that admit the translated address name them, so the lowering matches the
//! translated packet); source NAT rules refine the zone policies they follow: for a zone
//! pair with a source rule-set, each permit policy P is preceded by a copy per rule R
//! restricted to R's match and carrying R's translation — first match over the copies
//! then P is exactly "P, then the first NAT rule that matches". Forms outside these
//! (static NAT, address-book names, ports in source rules, `off`, interface /
//! routing-instance contexts of source rules) are unrecognised.

use super::objects::{prefix, proto_num};
use super::Acc;
use crate::model::*;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// A value with the lines that defined it.
type Lined<T> = (T, Vec<u32>);

/// A destination pool: the new address and, optionally, the new port.
type DstPool = (Ipv4Addr, Option<u16>);

#[derive(Default, Debug)]
struct Rule {
    name: String,
    lines: Vec<u32>,
    src: Vec<(String, u32)>,
    dst: Vec<(String, u32)>,
    dport: Vec<(String, u32)>,
    proto: Vec<(String, u32)>,
    then: Option<(Vec<String>, u32)>,
    other: Vec<u32>,
}

#[derive(Default, Debug)]
struct RuleSet {
    dest: bool,
    line: u32,
    from: Vec<(String, String, u32)>,
    to: Vec<(String, String, u32)>,
    rules: Vec<Rule>,
}

#[derive(Default, Debug)]
pub(super) struct Nat {
    src_pools: BTreeMap<String, Lined<Vec<(Ipv4Addr, Ipv4Addr)>>>,
    /// Destination pools: (address, port) when modelled.
    dst_pools: BTreeMap<String, Lined<Option<DstPool>>>,
    sets: Vec<(String, RuleSet)>,
}

/// A source NAT rule ready to refine policies: zones, match, translation, lines.
pub(super) struct SnatRule {
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub src: AddrSet,
    pub dst: AddrSet,
    pub snat: Option<PolicySnat>,
    pub lines: Vec<u32>,
    pub name: String,
}

impl Nat {
    /// A `security nat source|destination …` path (`w` starts after `nat`).
    pub(super) fn leaf(&mut self, acc: &mut Acc, w: &[&str], ln: u32) {
        let dest = w.first() == Some(&"destination");
        match w {
            ["source" | "destination", "pool", p, rest @ ..] => {
                let r = self.pool(dest, p, rest, ln);
                match r {
                    Ok(true) => acc.ok(ln),
                    Ok(false) => acc.irr(ln, "NAT pool attribute"),
                    Err(e) => acc.bad(ln, &e, Scope::Policy),
                }
            }
            ["source", "pool-utilization-alarm"
            | "pool-default-port-range"
            | "address-persistent"
            | "interface"
            | "port-randomization", ..] => acc.irr(ln, "NAT settings"),
            ["source" | "destination", "rule-set", rs, rest @ ..] => {
                let set = match self.sets.iter().position(|s| s.0 == *rs) {
                    Some(i) => &mut self.sets[i].1,
                    None => {
                        self.sets.push((
                            rs.to_string(),
                            RuleSet {
                                dest,
                                line: ln,
                                ..Default::default()
                            },
                        ));
                        &mut self.sets.last_mut().expect("pushed").1
                    }
                };
                match rest {
                    [] | ["description", ..] => acc.ok(ln),
                    [dir @ ("from" | "to"), kind, v] => {
                        let e = (kind.to_string(), v.to_string(), ln);
                        if *dir == "from" {
                            set.from.push(e)
                        } else {
                            set.to.push(e)
                        }
                        acc.ok(ln)
                    }
                    ["rule", r, tail @ ..] => {
                        let rule = match set.rules.iter().position(|x| x.name == *r) {
                            Some(i) => &mut set.rules[i],
                            None => {
                                set.rules.push(Rule {
                                    name: r.to_string(),
                                    ..Default::default()
                                });
                                set.rules.last_mut().expect("pushed")
                            }
                        };
                        rule.lines.push(ln);
                        let v = |x: &str| (x.to_string(), ln);
                        match tail {
                            [] | ["description", ..] => {}
                            ["match", "source-address", a] => rule.src.push(v(a)),
                            ["match", "destination-address", a] => rule.dst.push(v(a)),
                            ["match", "destination-port", p] => rule.dport.push(v(p)),
                            ["match", "protocol", p] => rule.proto.push(v(p)),
                            ["then", t @ ..] => {
                                rule.then = Some((t.iter().map(|s| s.to_string()).collect(), ln))
                            }
                            _ => rule.other.push(ln),
                        }
                        acc.ok(ln)
                    }
                    _ => acc.bad(ln, "NAT rule-set statement not modelled", Scope::Policy),
                }
            }
            _ => acc.bad(ln, "NAT statement not modelled", Scope::Policy),
        }
    }

    fn pool(&mut self, dest: bool, p: &str, rest: &[&str], ln: u32) -> Result<bool, String> {
        let range = |a: &str, b: Option<&str>| -> Result<(Ipv4Addr, Ipv4Addr), String> {
            let (x, l) = prefix(a)?;
            let mask = if l == 0 { 0 } else { u32::MAX << (32 - l) };
            let lo = Ipv4Addr::from(u32::from(x) & mask);
            let hi = Ipv4Addr::from(u32::from(x) | !mask);
            match b {
                None => Ok((lo, hi)),
                Some(b) => Ok((x, prefix(b)?.0)),
            }
        };
        if dest {
            let e = self.dst_pools.entry(p.to_string()).or_default();
            e.1.push(ln);
            match rest {
                ["address", a] => {
                    e.0 = Some((prefix(a)?.0, None));
                    // A prefix longer than a host maps to its first address only when /32.
                    if prefix(a)?.1 != 32 {
                        return Err(format!("destination pool {p}: address range {a}"));
                    }
                    Ok(true)
                }
                ["address", a, "port", n] => {
                    let port = n.parse().map_err(|_| format!("pool port {n}"))?;
                    if prefix(a)?.1 != 32 {
                        return Err(format!("destination pool {p}: address range {a}"));
                    }
                    e.0 = Some((prefix(a)?.0, Some(port)));
                    Ok(true)
                }
                ["description", ..] => Ok(false),
                _ => Err(format!(
                    "destination pool form `{}` not modelled",
                    rest.join(" ")
                )),
            }
        } else {
            let e = self.src_pools.entry(p.to_string()).or_default();
            e.1.push(ln);
            match rest {
                ["address", a] => {
                    e.0.push(range(a, None)?);
                    Ok(true)
                }
                ["address", a, "to", b] => {
                    e.0.push(range(a, Some(b))?);
                    Ok(true)
                }
                ["description", ..] | ["port", ..] | ["address-pooling", ..] => Ok(false),
                _ => Err(format!(
                    "source pool form `{}` not modelled",
                    rest.join(" ")
                )),
            }
        }
    }

    /// Destination NATs; `zone_ifs` gives the interfaces of each zone.
    pub(super) fn dnats(
        &self,
        acc: &mut Acc,
        zone_ifs: &BTreeMap<&str, Vec<String>>,
        file: &str,
    ) -> Vec<Dnat> {
        let mut out = vec![];
        for (name, s) in self.sets.iter().filter(|s| s.1.dest) {
            let mut in_intf = vec![];
            for (kind, v, ln) in &s.from {
                match (kind.as_str(), zone_ifs.get(v.as_str())) {
                    ("zone", Some(ifs)) => in_intf.extend(ifs.iter().cloned()),
                    ("interface", _) => in_intf.push(v.clone()),
                    _ => acc.bad(
                        *ln,
                        "NAT context not modelled (or zone undefined)",
                        Scope::Policy,
                    ),
                }
            }
            for r in &s.rules {
                let fail = |acc: &mut Acc, e: &str| {
                    for &l in &r.lines {
                        acc.bad(l, e, Scope::Policy);
                    }
                };
                if !r.other.is_empty() || !r.src.is_empty() {
                    fail(
                        acc,
                        "destination NAT condition (source, names, ports) not modelled",
                    );
                    continue;
                }
                let pool = match &r.then {
                    Some((t, _)) if t.len() == 3 && t[0] == "destination-nat" && t[1] == "pool" => {
                        &t[2]
                    }
                    _ => {
                        fail(acc, "destination NAT action (off, rule-set) not modelled");
                        continue;
                    }
                };
                let Some((Some((mapped, mport)), plines)) = self.dst_pools.get(pool) else {
                    fail(acc, "destination NAT pool undefined or not modelled");
                    continue;
                };
                let (Some((d, _)), true) = (r.dst.first(), r.dst.len() == 1) else {
                    fail(acc, "destination NAT without one destination-address");
                    continue;
                };
                let Ok((a, l)) = prefix(d) else {
                    fail(acc, "destination-address not IPv4");
                    continue;
                };
                let mask = if l == 0 { 0 } else { u32::MAX << (32 - l) };
                let ext = (
                    Ipv4Addr::from(u32::from(a) & mask),
                    Ipv4Addr::from(u32::from(a) | !mask),
                );
                let protos: Vec<u8> = match r
                    .proto
                    .iter()
                    .map(|p| proto_num(&p.0))
                    .collect::<Result<Vec<_>, _>>()
                {
                    Ok(v) => v.into_iter().flatten().collect::<Vec<u8>>(),
                    Err(e) => {
                        fail(acc, &e);
                        continue;
                    }
                };
                let ports: Vec<u16> = r.dport.iter().filter_map(|p| p.0.parse().ok()).collect();
                if ports.len() != r.dport.len()
                    || ports.len() > 1
                    || (!ports.is_empty() && protos.is_empty())
                {
                    fail(
                        acc,
                        "destination NAT port match not modelled (one port with a protocol)",
                    );
                    continue;
                }
                let mut lines: Vec<Span> = r
                    .lines
                    .iter()
                    .chain(plines)
                    .map(|&l| Span::new(file, l))
                    .collect();
                lines.sort();
                let base = Dnat {
                    name: format!("{name} {}", r.name),
                    in_intf: in_intf.clone(),
                    ext,
                    mapped: *mapped,
                    port: None,
                    src: None,
                    span: Span::new(file, r.lines.first().copied().unwrap_or(s.line)),
                    lines,
                };
                match ports.first() {
                    None if mport.is_none() => out.push(base),
                    None => fail(acc, "pool port without a port match not modelled"),
                    Some(&p) => {
                        for &pr in &protos {
                            out.push(Dnat {
                                port: Some((pr, PortRange::single(p), *mport)),
                                ..base.clone()
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// Source NAT rules in rule-set order.
    pub(super) fn snat_rules(&self, acc: &mut Acc) -> Vec<SnatRule> {
        let mut out = vec![];
        for (name, s) in self.sets.iter().filter(|s| !s.1.dest) {
            let zones = |acc: &mut Acc, v: &[(String, String, u32)]| -> Option<Vec<String>> {
                let mut z = vec![];
                for (kind, n, ln) in v {
                    if kind != "zone" {
                        acc.bad(
                            *ln,
                            "source NAT context other than zones not modelled",
                            Scope::Policy,
                        );
                        return None;
                    }
                    z.push(n.clone());
                }
                Some(z)
            };
            let (Some(from), Some(to)) = (zones(acc, &s.from), zones(acc, &s.to)) else {
                continue;
            };
            for r in &s.rules {
                let fail = |acc: &mut Acc, e: &str| {
                    for &l in &r.lines {
                        acc.bad(l, e, Scope::Policy);
                    }
                };
                if !r.other.is_empty() || !r.dport.is_empty() || !r.proto.is_empty() {
                    fail(
                        acc,
                        "source NAT condition (names, ports, protocols) not modelled",
                    );
                    continue;
                }
                let mut lines = r.lines.clone();
                let snat = match r
                    .then
                    .as_ref()
                    .map(|t| t.0.iter().map(String::as_str).collect::<Vec<_>>())
                {
                    Some(t) if t == ["source-nat", "interface"] => Some(PolicySnat::Egress),
                    Some(t) if t == ["source-nat", "off"] => None,
                    Some(t) if t.len() == 3 && t[..2] == ["source-nat", "pool"] => {
                        match self.src_pools.get(t[2]) {
                            Some((rs, ls)) if !rs.is_empty() => {
                                lines.extend(ls);
                                Some(PolicySnat::Pool(rs.clone()))
                            }
                            _ => {
                                fail(acc, "source NAT pool undefined");
                                continue;
                            }
                        }
                    }
                    _ => {
                        fail(acc, "source NAT action not modelled");
                        continue;
                    }
                };
                let set = |acc: &mut Acc, v: &[(String, u32)]| -> Option<AddrSet> {
                    if v.is_empty() {
                        return Some(AddrSet::any());
                    }
                    let mut s = AddrSet { items: vec![] };
                    for (a, ln) in v {
                        match prefix(a) {
                            Ok((a, l)) => s.items.push(IpMatch::prefix(a, l)),
                            Err(e) => {
                                acc.bad(*ln, &e, Scope::Policy);
                                return None;
                            }
                        }
                    }
                    Some(s)
                };
                let (Some(src), Some(dst)) = (set(acc, &r.src), set(acc, &r.dst)) else {
                    continue;
                };
                out.push(SnatRule {
                    from: from.clone(),
                    to: to.clone(),
                    src,
                    dst,
                    snat,
                    lines,
                    name: format!("{name} {}", r.name),
                });
            }
        }
        out
    }
}

/// Contiguous prefix of a wildcard match, if it is one.
fn as_prefix(m: &IpMatch) -> Option<(u32, u32)> {
    match m {
        IpMatch::Any => Some((0, 0)),
        IpMatch::Wildcard { addr, wildcard } => {
            let w = u32::from(*wildcard);
            (w.checked_add(1).is_none_or(|x| x.is_power_of_two()))
                .then_some((u32::from(*addr) & !w, !w))
        }
        IpMatch::Range { .. } => None,
    }
}

/// `a ∩ b` for sets of prefixes; `None` when an item is not a prefix.
pub(super) fn intersect(a: &AddrSet, b: &AddrSet) -> Option<AddrSet> {
    let mut out = vec![];
    for x in &a.items {
        for y in &b.items {
            let ((xa, xm), (ya, ym)) = (as_prefix(x)?, as_prefix(y)?);
            // Nested or disjoint: the longer mask wins when both agree on the shorter.
            let m = xm & ym;
            if xa & m == ya & m {
                out.push(if xm.count_ones() >= ym.count_ones() {
                    x.clone()
                } else {
                    y.clone()
                });
            }
        }
    }
    if out.contains(&IpMatch::Any) {
        return Some(AddrSet::any());
    }
    Some(AddrSet { items: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_intersection() {
        let p = |s: &str, l| IpMatch::prefix(s.parse().unwrap(), l);
        let a = AddrSet {
            items: vec![p("10.0.0.0", 8), p("192.168.1.0", 24)],
        };
        let b = AddrSet {
            items: vec![p("10.1.0.0", 16)],
        };
        assert_eq!(intersect(&a, &b).unwrap().items, vec![p("10.1.0.0", 16)]);
        assert_eq!(intersect(&AddrSet::any(), &b).unwrap(), b);
        let c = AddrSet {
            items: vec![p("172.16.0.0", 12)],
        };
        assert!(intersect(&a, &c).unwrap().items.is_empty());
        let r = AddrSet::one(IpMatch::Range {
            lo: "1.1.1.1".parse().unwrap(),
            hi: "1.1.1.2".parse().unwrap(),
        });
        assert!(intersect(&r, &a).is_none());
    }
}

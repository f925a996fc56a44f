//! NAT descriptors (`nat descriptor type N masquerade|nat|nat-masquerade`, `… address
//! outer|inner`, `… static`, `… masquerade static`) and their binding `ip lanN nat
//! descriptor N`, lowered to [`IfNat`]: the bound interface is the outer side, every other
//! interface inner; NAT is applied outside the interface's filters (receive: NAT, filter,
//! route; send: route, filter, NAT). Meaning: docs/semantics.md, "Interface NAT".
//!
//! A descriptor is modelled only when every line of it is: otherwise the binding line
//! and the lines of the descriptor are reported with the interface's scope (what crosses
//! that interface is unproven), the line that could not be read with its own reason. A
//! descriptor bound to no interface changes nothing.

use super::lexing::{port_bound, prefix};
use super::{un, Out, Parser};
use crate::model::{AddrSet, IfNat, IpMatch, NatAddr, NatDynamic, NatFrom, NatStatic, Scope};
use std::net::Ipv4Addr;

/// The most addresses `nat descriptor static … count` is expanded to.
const MAX_STATIC_COUNT: u32 = 256;

/// `nat descriptor address outer`.
enum Outer {
    Ipcp,
    Primary,
    Ranges(Vec<(Ipv4Addr, Ipv4Addr)>),
}

/// `masquerade static`: (inner address, protocol, (outer port, inner port) for TCP / UDP,
/// line).
type MStatic = (Ipv4Addr, u8, Option<(u16, u16)>, u32);

/// One descriptor, read from its lines.
struct Desc {
    kind: Option<String>,
    outer: Outer,
    inner: Option<AddrSet>,
    /// (outer, inner, count, line).
    statics: Vec<(Ipv4Addr, Ipv4Addr, u32, u32)>,
    mstatics: Vec<MStatic>,
}

/// `A`, `A-B` or `A/len` as an inclusive range.
fn range(s: &str) -> Option<(Ipv4Addr, Ipv4Addr)> {
    if let Some((a, b)) = s.split_once('-') {
        let (a, b): (Ipv4Addr, Ipv4Addr) = (a.parse().ok()?, b.parse().ok()?);
        return (a <= b).then_some((a, b));
    }
    let (a, len) = prefix(s)?;
    let m = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    let lo = u32::from(a) & m;
    Some((Ipv4Addr::from(lo), Ipv4Addr::from(lo | !m)))
}

/// One definition line into `d`; `Err` = not modelled (the reason).
fn read_line(d: &mut Desc, ln: u32, t: &[&str]) -> Result<(), String> {
    let w = |i: usize| t.get(i).copied().unwrap_or("");
    match (w(2), w(3)) {
        ("type", _) => match w(4) {
            k @ ("masquerade" | "nat" | "nat-masquerade" | "none") if t.len() == 5 => {
                d.kind = Some(k.to_string());
                Ok(())
            }
            k => Err(format!("NAT descriptor type `{k}` not modelled")),
        },
        ("address", "outer") if t.len() >= 6 => {
            d.outer = match &t[5..] {
                ["ipcp"] => Outer::Ipcp,
                ["primary"] => Outer::Primary,
                rs => Outer::Ranges(
                    rs.iter()
                        .map(|r| {
                            range(r).ok_or_else(|| format!("NAT outer address `{r}` not modelled"))
                        })
                        .collect::<Result<_, _>>()?,
                ),
            };
            Ok(())
        }
        ("address", "inner") if t.len() >= 6 => {
            d.inner = Some(match &t[5..] {
                ["auto"] => AddrSet::any(),
                rs => AddrSet {
                    items: rs
                        .iter()
                        .map(|r| {
                            range(r)
                                .map(|(lo, hi)| IpMatch::Range { lo, hi })
                                .ok_or_else(|| format!("NAT inner address `{r}` not modelled"))
                        })
                        .collect::<Result<_, _>>()?,
                },
            });
            Ok(())
        }
        ("static", _) if t.len() == 6 || t.len() == 7 => {
            let (o, i) = w(5)
                .split_once('=')
                .ok_or("static NAT without OUTER=INNER")?;
            let (o, i): (Ipv4Addr, Ipv4Addr) = match (o.parse(), i.parse()) {
                (Ok(o), Ok(i)) => (o, i),
                _ => return Err("static NAT addresses not read".into()),
            };
            let count = if t.len() == 7 {
                w(6).parse::<u32>()
                    .map_err(|_| "static NAT count not read")?
            } else {
                1
            };
            let fits = |a: Ipv4Addr| u32::from(a).checked_add(count.saturating_sub(1)).is_some();
            if count == 0 || count > MAX_STATIC_COUNT || !fits(o) || !fits(i) {
                return Err(format!("static NAT of {count} addresses not modelled"));
            }
            d.statics.push((o, i, count, ln));
            Ok(())
        }
        ("masquerade", "static") if t.len() == 8 || t.len() == 9 => {
            let inner: Ipv4Addr = w(6)
                .parse()
                .map_err(|_| "masquerade static address not read")?;
            // A protocol without ports forwards the whole protocol (IPsec passthrough).
            let (proto, with_ports) = match w(7) {
                "tcp" => (6, true),
                "udp" => (17, true),
                "esp" => (50, false),
                "ah" => (51, false),
                "gre" => (47, false),
                p => return Err(format!("masquerade static for protocol `{p}` not modelled")),
            };
            if with_ports != (t.len() == 9) {
                return Err("masquerade static ports not read".into());
            }
            let ports = if !with_ports {
                None
            } else {
                Some(match w(8).split_once('=') {
                    Some((o, i)) => (port_bound(o)?, port_bound(i)?),
                    None => {
                        let p = port_bound(w(8))?;
                        (p, p)
                    }
                })
            };
            d.mstatics.push((inner, proto, ports, ln));
            Ok(())
        }
        // Unsolicited packets to the outer address are refused (reject / discard): the
        // router's own address, not forwarded either way.
        ("masquerade", "incoming") if matches!(w(5), "reject" | "discard") && t.len() == 6 => {
            Ok(())
        }
        ("masquerade", "port" | "session" | "unconvertible" | "ttl" | "remove" | "rlogin")
        | ("timer" | "log" | "sip" | "ftp", _) => Ok(()),
        _ => Err("NAT descriptor command not modelled".into()),
    }
}

impl Parser {
    /// `nat descriptor …` (definition lines, resolved at the end).
    pub(super) fn nat_def(&mut self, ln: u32, t: &[&str]) -> Out {
        if t.get(1) != Some(&"descriptor") {
            return un("nat command not modelled", Scope::Device);
        }
        match t[2..].iter().find_map(|x| x.parse::<u32>().ok()) {
            Some(id) => {
                self.nat_defs.entry(id).or_default().push(ln);
                Out::Ok
            }
            None => Out::Irr("NAT logging / global NAT setting"),
        }
    }

    /// Descriptor `id` bound to `ifname` as an [`IfNat`], or the first line (and reason)
    /// that keeps it from being modelled.
    /// `Ok(None)`: the descriptor translates nothing (type `none`).
    fn nat_model(&self, id: u32, ifname: &str, bind: u32) -> Result<Option<IfNat>, (u32, String)> {
        let lines = self.nat_defs.get(&id).cloned().unwrap_or_default();
        let mut d = Desc {
            kind: None,
            outer: Outer::Ipcp,
            inner: None,
            statics: vec![],
            mstatics: vec![],
        };
        for &ln in &lines {
            let raw = self
                .src
                .get((ln as usize).saturating_sub(1))
                .cloned()
                .unwrap_or_default();
            let t: Vec<&str> = raw.split_whitespace().collect();
            read_line(&mut d, ln, &t).map_err(|e| (ln, e))?;
        }
        let first = lines.first().copied().unwrap_or(bind);
        // No `nat descriptor type` line: the initial type is `none`, "NAT 変換機能を利用
        // しない" (command reference 23.3), so the descriptor translates nothing, whatever
        // its outer address.
        let kind = d.kind.clone().unwrap_or_else(|| "none".to_string());
        if kind == "none" {
            if d.statics.is_empty() && d.mstatics.is_empty() {
                return Ok(None);
            }
            return Err((first, "static entries in a descriptor of type none".into()));
        }
        let own = self
            .dev
            .interface(ifname)
            .and_then(|i| i.addresses.first())
            .map(|a| a.0);
        let to = match (&d.outer, own) {
            (Outer::Ipcp, _) => {
                return Err((
                    first,
                    format!(
                    "NAT descriptor {id}: outer address negotiated (ipcp) or not set: not modelled"
                ),
                ))
            }
            (Outer::Primary, Some(_)) => NatAddr::Interface(ifname.to_string()),
            (Outer::Primary, None) => {
                return Err((
                    first,
                    format!(
                        "NAT descriptor {id}: `primary` outer address, but {ifname} has no address"
                    ),
                ))
            }
            (Outer::Ranges(rs), _) => NatAddr::Pool(rs.clone()),
        };
        // The one outer address masquerade uses (and static masquerade forwards from).
        let single = match (&d.outer, own) {
            (Outer::Primary, a) => a,
            (Outer::Ranges(rs), _) if rs.len() == 1 && rs[0].0 == rs[0].1 => Some(rs[0].0),
            _ => None,
        };
        let mut dynamic = vec![];
        let from = NatFrom::Src(d.inner.unwrap_or_else(AddrSet::any));
        let span = self.dev.span(first);
        match kind.as_str() {
            "masquerade" if single.is_none() => {
                return Err((
                    first,
                    format!(
                        "NAT descriptor {id}: masquerade over several outer addresses not modelled"
                    ),
                ))
            }
            _ => dynamic.push(NatDynamic { from, to, span }),
        }
        let mut statics = vec![];
        for (o, i, count, ln) in d.statics {
            for k in 0..count {
                statics.push(NatStatic {
                    local: Ipv4Addr::from(u32::from(i) + k),
                    global: Ipv4Addr::from(u32::from(o) + k),
                    proto: None,
                    ports: None,
                    span: self.dev.span(ln),
                });
            }
        }
        for (inner, proto, ports, ln) in d.mstatics {
            let Some(g) = single.filter(|_| kind != "nat") else {
                return Err((
                    ln,
                    "masquerade static without one outer address (or in a descriptor of type nat)"
                        .into(),
                ));
            };
            statics.push(NatStatic {
                local: inner,
                global: g,
                proto: Some(proto),
                ports: ports.map(|(o, i)| (i, o)),
                span: self.dev.span(ln),
            });
        }
        let mut nat_lines = vec![self.dev.span(bind)];
        nat_lines.extend(lines.iter().map(|&l| self.dev.span(l)));
        Ok(Some(IfNat {
            inside: (self.dev.interfaces.iter())
                .map(|i| i.name.clone())
                .filter(|n| n != ifname)
                .collect(),
            outside: vec![ifname.to_string()],
            statics,
            dynamic,
            filters_see_inside: true,
            lines: nat_lines,
        }))
    }

    pub(super) fn resolve_nat(&mut self) {
        let binds = std::mem::take(&mut self.nat_binds);
        let mut bound = std::collections::BTreeSet::new();
        for (ifname, ids, line) in &binds {
            let scope = Scope::Interface(ifname.clone());
            let names: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            ids.iter().for_each(|i| {
                bound.insert(*i);
            });
            let once = binds.iter().filter(|b| b.0 == *ifname).count() == 1;
            let model = match ids.as_slice() {
                [id] if once => self.nat_model(*id, ifname, *line),
                _ => Err((
                    *line,
                    "several NAT descriptors on one interface: their order is not modelled".into(),
                )),
            };
            let (bad, why) = match model {
                Ok(n) => {
                    self.dev.nat.extend(n);
                    continue;
                }
                Err(e) => e,
            };
            self.unrec(
                *line,
                format!(
                    "NAT descriptor {} on {ifname} not modelled{}",
                    names.join(" "),
                    if bad == *line {
                        format!(": {why}")
                    } else {
                        String::new()
                    }
                ),
                scope.clone(),
            );
            for id in ids {
                for l in self.nat_defs.get(id).cloned().unwrap_or_default() {
                    let reason = if l == bad {
                        why.clone()
                    } else {
                        format!("NAT descriptor {id} (bound to {ifname}) is not modelled")
                    };
                    self.unrec(l, reason, scope.clone());
                }
            }
        }
        let unbound: usize = self
            .nat_defs
            .iter()
            .filter(|(id, _)| !bound.contains(id))
            .map(|(_, v)| v.len())
            .sum();
        for _ in 0..unbound {
            self.dev
                .irrelevant_line("NAT descriptor bound to no interface");
        }
    }
}

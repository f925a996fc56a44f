//! Cisco IOS NAT: `ip nat inside|outside` on interfaces, `ip nat pool`, and
//! `ip nat inside source static|list …`, assembled into one [`IfNat`] at the end
//! (meaning: docs/semantics.md, "Interface NAT"). Forms not modelled exactly stay
//! unrecognized with the device's scope (they may rewrite any packet it forwards).

use super::lexing::{ip, mask_len};
use super::{Out, Parser};
use crate::model::{IfNat, NatAddr, NatDynamic, NatFrom, NatStatic, Scope, Span};
use std::net::Ipv4Addr;

/// `ip nat …` lines read so far.
#[derive(Default)]
pub(in crate::ingest) struct IosNat {
    /// (interface index, inside?, line) of `ip nat inside|outside`.
    pub(in crate::ingest) marks: Vec<(usize, bool, u32)>,
    /// Pool name → (first, last, line).
    pub(in crate::ingest) pools: std::collections::BTreeMap<String, (Ipv4Addr, Ipv4Addr, u32)>,
    pub(in crate::ingest) statics: Vec<NatStatic>,
    /// (ACL, pool or interface, line), in file order.
    pub(in crate::ingest) dynamic: Vec<(String, Target, u32)>,
}

/// Where a dynamic rule translates to, by name (resolved at the end).
pub(in crate::ingest) enum Target {
    Interface(String),
    Pool(String),
}

fn un(reason: impl Into<String>) -> Out {
    Out::Un(reason.into(), Scope::Device)
}

fn proto(s: &str) -> Option<u8> {
    match s {
        "tcp" => Some(6),
        "udp" => Some(17),
        _ => None,
    }
}

impl Parser {
    /// Interface `ip nat inside|outside`.
    pub(in crate::ingest) fn iface_nat(&mut self, ln: u32, idx: &[usize], kw: &[String]) -> Out {
        let inside = match (kw.get(2).map(String::as_str), kw.len()) {
            (Some("inside"), 3) => true,
            (Some("outside"), 3) => false,
            _ => return Out::Un(
                "IOS NAT interface option not modelled (NAT virtual interface `ip nat enable`, …)"
                    .into(),
                Scope::Interface(String::new()),
            ),
        };
        for &i in idx {
            self.nat.marks.push((i, inside, ln));
        }
        Out::Ok
    }

    /// Top-level `ip nat …`.
    pub(in crate::ingest) fn top_nat(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let k = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        match (k(2), k(3)) {
            ("translation", _) | ("log", _) => Out::Irr("NAT timers and logging"),
            ("pool", _) => self.nat_pool(ln, t, kw),
            ("inside", "source") => self.nat_inside_source(ln, t, kw),
            ("outside", _) => {
                un("`ip nat outside source` (translation of outside addresses) is not modelled")
            }
            _ => un("IOS NAT command not modelled"),
        }
    }

    /// `ip nat pool NAME FIRST LAST netmask M|prefix-length N`.
    fn nat_pool(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let (Some(name), Some(a), Some(b)) = (
            t.get(3),
            t.get(4).and_then(|x| ip(x)),
            t.get(5).and_then(|x| ip(x)),
        ) else {
            return un("IOS NAT pool form not modelled");
        };
        let len_ok = match (kw.get(6).map(String::as_str), t.get(7)) {
            (Some("netmask"), Some(m)) => ip(m).and_then(mask_len).is_some(),
            (Some("prefix-length"), Some(l)) => l.parse::<u8>().is_ok_and(|l| l <= 32),
            _ => false,
        };
        if !len_ok || t.len() != 8 || u32::from(a) > u32::from(b) {
            return un("IOS NAT pool form not modelled (options such as `type rotary`, address ranges in sub-mode)");
        }
        self.nat.pools.insert(name.to_string(), (a, b, ln));
        Out::Ok
    }

    /// `ip nat inside source static [tcp|udp] A [P] B [Q]` and
    /// `ip nat inside source list ACL interface IF overload | pool P [overload]`.
    fn nat_inside_source(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let k = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        let span = Span::new(self.dev.file.clone(), ln);
        match k(4) {
            "static" => {
                let st = match t.len() {
                    7 => ip(t[5]).zip(ip(t[6])).map(|(l, g)| NatStatic {
                        local: l,
                        global: g,
                        proto: None,
                        ports: None,
                        span,
                    }),
                    10 => {
                        let p = proto(k(5));
                        let lp = t[7].parse::<u16>().ok();
                        let gp = t[9].parse::<u16>().ok();
                        match (p, ip(t[6]), lp, ip(t[8]), gp) {
                            (Some(p), Some(l), Some(lp), Some(g), Some(gp)) => Some(NatStatic {
                                local: l,
                                global: g,
                                proto: Some(p),
                                ports: Some((lp, gp)),
                                span,
                            }),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                match st {
                    Some(st) => {
                        self.nat.statics.push(st);
                        Out::Ok
                    }
                    None => un("IOS static NAT form not modelled (network, route-map, vrf, extendable, no-alias, reversible, named ports …)"),
                }
            }
            "list" => {
                let acl = t.get(5).map(|s| s.to_string()).unwrap_or_default();
                let to = match (k(6), t.get(7), &kw[8.min(kw.len())..]) {
                    // Without `overload` the interface's one address is still what the
                    // source becomes (for one inside host at a time).
                    ("interface", Some(i), []) => Target::Interface(super::canon_if(i)),
                    ("interface", Some(i), [o]) if o == "overload" => {
                        Target::Interface(super::canon_if(i))
                    }
                    ("pool", Some(p), []) => Target::Pool(p.to_string()),
                    ("pool", Some(p), [o]) if o == "overload" => Target::Pool(p.to_string()),
                    _ => {
                        return un(
                            "IOS dynamic NAT form not modelled (route-map, vrf, reversible, …)",
                        )
                    }
                };
                self.nat.dynamic.push((acl, to, ln));
                Out::Ok
            }
            _ => un("IOS NAT inside source form not modelled (route-map, …)"),
        }
    }

    /// The device's [`IfNat`] from what was read; references to things not defined, and
    /// dynamic entries after the first, stay unrecognized.
    pub(in crate::ingest) fn resolve_ios_nat(&mut self) {
        let nat = std::mem::take(&mut self.nat);
        if nat.marks.is_empty() && nat.statics.is_empty() && nat.dynamic.is_empty() {
            return;
        }
        let mut late: Vec<(u32, String)> = vec![];
        let mut dynamic = vec![];
        for (i, (acl, to, ln)) in nat.dynamic.into_iter().enumerate() {
            if i > 0 {
                late.push((
                    ln,
                    "a second dynamic NAT rule: the order IOS tries them in is not modelled".into(),
                ));
                continue;
            }
            if !self.dev.acls.contains_key(&acl) {
                late.push((
                    ln,
                    format!("NAT list `{acl}` names an ACL that is not defined"),
                ));
                continue;
            }
            let to = match to {
                Target::Pool(p) => match nat.pools.get(&p) {
                    Some(&(a, b, _)) => NatAddr::Pool(vec![(a, b)]),
                    None => {
                        late.push((ln, format!("NAT pool `{p}` is not defined")));
                        continue;
                    }
                },
                Target::Interface(n) => match self.dev.interface(&n) {
                    Some(itf) if !itf.addresses.is_empty() => NatAddr::Interface(n),
                    _ => {
                        late.push((ln, format!("NAT to interface `{n}`, which has no configured address (negotiated or missing: not modelled)")));
                        continue;
                    }
                },
            };
            dynamic.push(NatDynamic {
                from: NatFrom::Acl(acl),
                to,
                span: Span::new(self.dev.file.clone(), ln),
            });
        }
        let mut inside = vec![];
        let mut outside = vec![];
        let mut lines = vec![];
        for (i, ins, ln) in nat.marks {
            let Some(itf) = self.dev.interfaces.get(i) else {
                continue;
            };
            // An interface marked both ways keeps its last marking (IOS replaces it).
            inside.retain(|n: &String| *n != itf.name);
            outside.retain(|n: &String| *n != itf.name);
            let list = if ins { &mut inside } else { &mut outside };
            list.push(itf.name.clone());
            lines.push(Span::new(self.dev.file.clone(), ln));
        }
        self.dev.nat.push(IfNat {
            inside,
            outside,
            statics: nat.statics,
            dynamic,
            filters_see_inside: false,
            lines,
        });
        for (ln, reason) in late {
            self.unrec_late(ln, reason, Scope::Device);
        }
    }
}

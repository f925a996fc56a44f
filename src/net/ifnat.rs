//! Interface-bound NAT (Cisco IOS `ip nat inside|outside`, Yamaha RTX `nat descriptor`)
//! as header rewrites on the router of an ACL device ([`crate::model::IfNat`]; meaning in
//! docs/semantics.md, "Interface NAT").
//!
//! The router is split by what NAT can do to a packet: one router node per class of input
//! interfaces (the NAT entries they are inside of). On arrival at an outside interface the
//! static entries translate the destination (IOS: after the inbound ACL; RTX: before it);
//! a packet routed from an inside to an outside interface of the same entry has its
//! source translated (IOS: before the outbound ACL; RTX: after it).

use super::{Builder, EdgeInfo, Taint};
use crate::engine::{NodeId, Rewrite};
use crate::hs::{Bdd, Field, Space, FALSE, TRUE};
use crate::model::{Device, IfNat, NatAddr, NatFrom, NatStatic, Span};
use std::collections::{BTreeMap, HashMap};

fn ip(a: std::net::Ipv4Addr) -> u64 {
    u32::from(a) as u64
}

/// Packets a static entry translates on the way out (`out`) or in, and its rewrite.
fn static_bdd(s: &mut Space, st: &NatStatic, out: bool) -> (Bdd, Rewrite) {
    let (af, pf, from, to) = if out {
        (Field::SrcIp, Field::SrcPort, st.local, st.global)
    } else {
        (Field::DstIp, Field::DstPort, st.global, st.local)
    };
    let mut m = s.eq(af, ip(from));
    let mut set = vec![(af, s.eq(af, ip(to)))];
    if let Some(proto) = st.proto {
        let pr = s.eq(Field::Proto, proto as u64);
        m = s.and(m, pr);
    }
    if let Some((lp, gp)) = st.ports {
        let (fp, tp) = if out { (lp, gp) } else { (gp, lp) };
        let pt = s.eq(pf, fp as u64);
        m = s.and(m, pt);
        set.push((pf, s.eq(pf, tp as u64)));
    }
    (m, Rewrite { set })
}

/// One interface NAT step: disjoint pieces, each with its rewrite (`None` = unchanged).
type Steps = Vec<(Bdd, Option<Rewrite>, Vec<Span>)>;

impl Builder<'_> {
    /// Destination NAT on arrival at an outside interface of `n`: static entries in order,
    /// the rest unchanged.
    fn nat_in_steps(&mut self, n: &IfNat) -> Steps {
        let mut seen = FALSE;
        let mut out = vec![];
        for st in &n.statics {
            let (m, rw) = static_bdd(&mut self.nb.space, st, false);
            let eff = self.nb.space.diff(m, seen);
            seen = self.nb.space.or(seen, m);
            if eff != FALSE {
                out.push((eff, Some(rw), vec![st.span.clone()]));
            }
        }
        out.push((self.nb.space.not(seen), None, n.lines.clone()));
        out
    }

    /// Source NAT from inside to outside: static entries, then dynamic ones, in order.
    fn nat_out_steps(&mut self, d: &Device, n: &IfNat) -> Steps {
        let mut seen = FALSE;
        let mut out = vec![];
        for st in &n.statics {
            let (m, rw) = static_bdd(&mut self.nb.space, st, true);
            let eff = self.nb.space.diff(m, seen);
            seen = self.nb.space.or(seen, m);
            if eff != FALSE {
                out.push((eff, Some(rw), vec![st.span.clone()]));
            }
        }
        for dy in &n.dynamic {
            let m = match &dy.from {
                NatFrom::Acl(a) => {
                    let (p, _) = self.acl_pieces(d, a, &dy.span);
                    self.nb
                        .space
                        .or_all(p.iter().map(|x| x.0).collect::<Vec<_>>())
                }
                NatFrom::Src(set) => {
                    let mut mm = crate::model::Match::any();
                    mm.src = set.clone();
                    self.nb.space.matches(&mm)
                }
            };
            let v = match &dy.to {
                NatAddr::Interface(i) => match d.interface(i).and_then(|i| i.addresses.first()) {
                    Some((a, _)) => self.nb.space.eq(Field::SrcIp, ip(*a)),
                    // No address to translate to: the packet cannot leave.
                    None => FALSE,
                },
                NatAddr::Pool(rs) => {
                    let mut acc = FALSE;
                    for (lo, hi) in rs {
                        let r = self.nb.space.range(Field::SrcIp, ip(*lo), ip(*hi));
                        acc = self.nb.space.or(acc, r);
                    }
                    acc
                }
            };
            let eff = self.nb.space.diff(m, seen);
            seen = self.nb.space.or(seen, m);
            if eff != FALSE {
                let rw = Rewrite {
                    set: vec![(Field::SrcIp, v)],
                };
                out.push((eff, Some(rw), vec![dy.span.clone()]));
            }
        }
        out.push((self.nb.space.not(seen), None, n.lines.clone()));
        out
    }

    /// Edges `from` → `to` for each step (a rewrite edge where it translates).
    fn nat_step_edges(
        &mut self,
        d: &Device,
        from: NodeId,
        to: NodeId,
        steps: Steps,
        (in_if, out_if): (Option<String>, Option<String>),
        taint: &[Taint],
    ) {
        for (b, rw, lines) in steps {
            let info = EdgeInfo {
                device: Some(d.name.clone()),
                in_if: in_if.clone(),
                out_if: out_if.clone(),
                pieces: vec![(b, lines)],
                taint: taint.to_vec(),
            };
            match rw {
                Some(rw) => self.rewrite_edge(from, to, info, rw),
                None => self.edge(from, to, info),
            }
        }
    }

    /// [`Builder::ios_edges`] for a device with interface NAT.
    pub(super) fn ifnat_edges(
        &mut self,
        di: usize,
        d: &Device,
        l3: &[usize],
        route_pieces: &HashMap<usize, Vec<(Bdd, Vec<Span>)>>,
        route_taint: &[Taint],
    ) {
        let name = |ii: usize| d.interfaces[ii].name.clone();
        // The entry an interface is outside of, and the entries it is inside of.
        let outside_of =
            |ii: usize| (d.nat.iter()).position(|n| n.outside.contains(&d.interfaces[ii].name));
        let inside_of = |ii: usize| -> Vec<bool> {
            (d.nat.iter())
                .map(|n| n.inside.contains(&d.interfaces[ii].name))
                .collect()
        };
        let mut routers: BTreeMap<Vec<bool>, NodeId> = BTreeMap::new();
        for &ii in l3 {
            let class = inside_of(ii);
            let router = *routers.entry(class).or_insert_with(|| self.nb.add_node());
            let from = self.l3in[&(di, ii)];
            let Some(k) = outside_of(ii) else {
                self.ios_in(d, ii, from, router);
                continue;
            };
            let n = &d.nat[k];
            let steps = self.nat_in_steps(n);
            let mid = self.nb.add_node();
            let ends = (Some(name(ii)), None);
            if n.filters_see_inside {
                self.nat_step_edges(d, from, mid, steps, ends, &[]);
                self.ios_in(d, ii, mid, router);
            } else {
                self.ios_in(d, ii, from, mid);
                self.nat_step_edges(d, mid, router, steps, ends, &[]);
            }
        }
        for (class, router) in routers {
            for &oi in l3 {
                let rp = route_pieces.get(&oi).cloned().unwrap_or_default();
                let to = self.l3out[&(di, oi)];
                let k = outside_of(oi).filter(|&k| class[k]);
                let Some(k) = k else {
                    self.ios_out(d, oi, router, to, rp, route_taint);
                    continue;
                };
                let n = &d.nat[k];
                let steps = self.nat_out_steps(d, n);
                let ends = (None, Some(name(oi)));
                let mid = self.nb.add_node();
                if n.filters_see_inside {
                    self.ios_out(d, oi, router, mid, rp, route_taint);
                    self.nat_step_edges(d, mid, to, steps, ends, &[]);
                } else {
                    self.ios_out(d, oi, mid, to, vec![(TRUE, vec![])], &[]);
                    let post = mid;
                    let pre = self.nb.add_node();
                    self.nat_step_edges(d, pre, post, steps, ends, &[]);
                    let info = EdgeInfo {
                        device: Some(d.name.clone()),
                        in_if: None,
                        out_if: Some(name(oi)),
                        pieces: rp,
                        taint: route_taint.to_vec(),
                    };
                    self.edge(router, pre, info);
                }
            }
        }
    }
}

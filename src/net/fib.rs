//! Routing: the FIB of a device (connected and static routes, next-hop resolution),
//! route exits, and route pieces per exit interface.

use super::Builder;
use crate::hs::{Bdd, Field, FALSE};
use crate::model::{Device, IfMode, Span};
use std::collections::{BTreeMap, HashMap};

/// The interface a device's routing table sends `prefix/len` out of (longest match on
/// the prefix's network address), for locating external zones.
pub fn route_exit(d: &Device, addr: std::net::Ipv4Addr, len: u8) -> Option<String> {
    let table = routes(d);
    let a = u32::from(addr);
    table
        .iter()
        .filter(|r| {
            r.len <= len
                && (r.len == 0 || (a >> (32 - r.len)) == (u32::from(r.prefix) >> (32 - r.len)))
        })
        // A default route is not "the route to" a specific external network.
        .filter(|r| r.len > 0 || len == 0)
        .max_by_key(|r| r.len)
        .and_then(|r| r.out.map(|o| d.interfaces[o].name.clone()))
}

/// A resolved forwarding entry.
#[derive(Clone, Debug)]
pub struct Fib {
    pub prefix: std::net::Ipv4Addr,
    pub len: u8,
    /// Exit interface index; `None` = discard.
    pub out: Option<usize>,
    pub span: Span,
    /// Further lines that produced it (a computed OSPF route: the neighbour's OSPF line
    /// and the originator's).
    pub also: Vec<Span>,
}

/// Connected + static routes with exit interfaces resolved (one level of recursion).
pub fn routes(d: &Device) -> Vec<Fib> {
    let mut fib = vec![];
    for (ii, i) in d.interfaces.iter().enumerate() {
        if i.shutdown || matches!(i.mode, IfMode::Access { .. } | IfMode::Trunk { .. }) {
            continue;
        }
        for (a, len) in &i.addresses {
            if let Ok(n) = ipnetwork::Ipv4Network::new(*a, *len) {
                fib.push(Fib {
                    prefix: n.network(),
                    len: *len,
                    out: Some(ii),
                    span: i.span.clone(),
                    also: vec![],
                });
            }
        }
    }
    let connected = fib.clone();
    let via = |nh: std::net::Ipv4Addr, table: &[Fib]| -> Option<usize> {
        table
            .iter()
            .filter(|f| {
                f.len == 0
                    || (u32::from(nh) >> (32 - f.len)) == (u32::from(f.prefix) >> (32 - f.len))
            })
            .max_by_key(|f| f.len)
            .and_then(|f| f.out)
    };
    let mut statics = vec![];
    for r in &d.routes {
        let Ok(n) = ipnetwork::Ipv4Network::new(r.prefix, r.len) else {
            continue;
        };
        let out = if r.discard {
            None
        } else if let Some(ifn) = &r.interface {
            match d.interfaces.iter().position(|i| &i.name == ifn) {
                Some(ii) if !d.interfaces[ii].shutdown => Some(ii),
                _ => continue,
            }
        } else if let Some(nh) = r.next_hop {
            match via(nh, &connected) {
                Some(o) => Some(o),
                None => continue,
            }
        } else {
            continue;
        };
        statics.push((
            Fib {
                prefix: n.network(),
                len: r.len,
                out,
                span: r.span.clone(),
                also: vec![],
            },
            r.next_hop,
            r.interface.is_some() || r.discard,
        ));
    }
    // Recursive next hops resolved through other static routes.
    let resolved: Vec<Fib> = statics.iter().map(|s| s.0.clone()).collect();
    for (f, nh, direct) in statics {
        if direct || nh.is_none() {
            fib.push(f);
            continue;
        }
        let nh = nh.expect("checked");
        if connected.iter().any(|c| {
            c.len > 0 && (u32::from(nh) >> (32 - c.len)) == (u32::from(c.prefix) >> (32 - c.len))
        }) {
            fib.push(f);
        } else if let Some(o) = via(nh, &resolved) {
            fib.push(Fib { out: Some(o), ..f });
        }
    }
    // Computed OSPF routes (administrative distance 110): a connected or static route of
    // the same prefix wins.
    let installed: std::collections::HashSet<(std::net::Ipv4Addr, u8)> =
        fib.iter().map(|f| (f.prefix, f.len)).collect();
    for r in &d.routing.computed {
        if installed.contains(&(r.prefix, r.len)) {
            continue;
        }
        let Some(o) = d
            .interfaces
            .iter()
            .position(|i| i.name == r.interface && !i.shutdown)
        else {
            continue;
        };
        let mut spans = r.spans.iter().cloned();
        let Some(span) = spans.next() else { continue };
        fib.push(Fib {
            prefix: r.prefix,
            len: r.len,
            out: Some(o),
            span,
            also: spans.collect(),
        });
    }
    fib
}

impl Builder<'_> {
    /// Route pieces per exit interface (longest prefix first).
    pub(super) fn route_pieces(
        &mut self,
        di: usize,
        d: &Device,
    ) -> HashMap<usize, Vec<(Bdd, Vec<Span>)>> {
        let fib = routes(d);
        let mut by_len: BTreeMap<std::cmp::Reverse<u8>, Vec<&Fib>> = BTreeMap::new();
        for f in &fib {
            by_len.entry(std::cmp::Reverse(f.len)).or_default().push(f);
        }
        let mut covered = FALSE;
        let mut route_pieces: HashMap<usize, Vec<(Bdd, Vec<Span>)>> = HashMap::new();
        for (_, group) in by_len {
            let mut grp = FALSE;
            for f in group {
                let p = self.nb.space.prefix(Field::DstIp, f.prefix, f.len);
                let eff = self.nb.space.diff(p, covered);
                grp = self.nb.space.or(grp, p);
                if let (Some(o), true) = (f.out, eff != FALSE) {
                    if self.l3in.contains_key(&(di, o)) {
                        route_pieces.entry(o).or_default().push((
                            eff,
                            std::iter::once(&f.span).chain(&f.also).cloned().collect(),
                        ));
                    }
                }
            }
            covered = self.nb.space.or(covered, grp);
        }
        route_pieces
    }
}

//! IOS-style lowering: ACLs (first match, implicit deny), switchport ingress (port ACL,
//! port security, 802.1X / MAB admission) and the router of an ACL device.

use super::{Builder, EdgeInfo, Taint};
use crate::engine::NodeId;
use crate::hs::{Bdd, Field, FALSE, TRUE};
use crate::model::{Action, AuthAdmit, Device, IfMode, LinkEnd, Mac, Scope, Snapshot, Span};
use std::collections::HashMap;

/// Registered MACs of the hosts that topology.toml links to `device:interface`: what an
/// 802.1X / MAB port with [`AuthAdmit::LinkedHosts`] admits (empty = no such host, then
/// any MAC).
pub fn port_auth_macs(snap: &Snapshot, device: &str, interface: &str) -> Vec<crate::model::Mac> {
    port_auth_index(snap)
        .remove(&(device.to_string(), interface.to_string()))
        .unwrap_or_default()
}

/// [`port_auth_macs`] of every port at once, by (device, interface): one pass over the
/// links instead of one per port.
pub(super) fn port_auth_index(snap: &Snapshot) -> HashMap<(String, String), Vec<Mac>> {
    let mac_of: HashMap<&str, Option<Mac>> = snap
        .hosts
        .iter()
        .rev()
        .map(|x| (x.name.as_str(), x.mac))
        .collect();
    let mut out: HashMap<(String, String), Vec<Mac>> = HashMap::new();
    for l in &snap.links {
        let (h, device, interface) = match (&l.a, &l.b) {
            (LinkEnd::Host(h), LinkEnd::Port { device, interface })
            | (LinkEnd::Port { device, interface }, LinkEnd::Host(h)) => (h, device, interface),
            _ => continue,
        };
        if let Some(&Some(m)) = mac_of.get(h.as_str()) {
            let v = out.entry((device.clone(), interface.clone())).or_default();
            if !v.contains(&m) {
                v.push(m);
            }
        }
    }
    out
}

impl Builder<'_> {
    /// Permit pieces of an ACL (first match wins, implicit deny).
    pub(super) fn acl_pieces(
        &mut self,
        d: &Device,
        name: &str,
        bind: &Span,
    ) -> (Vec<(Bdd, Vec<Span>)>, Vec<Taint>) {
        let taint = self.dev_taint(d, |s| *s == Scope::Acl(name.to_string()));
        let Some(acl) = d.acls.get(name) else {
            // IOS: an access-group naming an undefined ACL filters nothing.
            return (vec![(TRUE, vec![bind.clone()])], taint);
        };
        let key = (d.name.clone(), name.to_string());
        if !self.acl_memo.contains_key(&key) {
            let mut seen = FALSE;
            let mut entries = vec![];
            for r in &acl.rules {
                let m = self.nb.space.matches(&r.m);
                let eff = self.nb.space.diff(m, seen);
                seen = self.nb.space.or(seen, m);
                entries.push((m, eff));
            }
            self.seed_permit_union(acl, &entries, seen);
            self.acl_memo.insert(key.clone(), entries);
        }
        let pieces = self.acl_memo[&key]
            .iter()
            .zip(&acl.rules)
            .filter(|(&(_, eff), r)| r.action == Action::Permit && eff != FALSE)
            .map(|(&(_, eff), r)| (eff, vec![r.span.clone(), bind.clone()]))
            .collect();
        (pieces, taint)
    }

    /// Puts the union of an ACL's permit pieces into the edge-union memo while `seen`
    /// (every entry's match) is at hand. The first-match sets partition `seen`, so the
    /// permits are `seen` minus the deny pieces: with fewer denies than permits that is
    /// one short fold and one `diff` instead of folding thousands of permit pieces (a
    /// fold that was 28 % of an acl4000 audit). Same set, hence the same node.
    fn seed_permit_union(&mut self, acl: &crate::model::Acl, entries: &[(Bdd, Bdd)], seen: Bdd) {
        let (mut permits, mut denies) = (vec![], vec![]);
        for (&(_, eff), r) in entries.iter().zip(&acl.rules) {
            match (eff, r.action) {
                (FALSE, _) => {}
                (_, Action::Permit) => permits.push(eff),
                (_, Action::Deny) => denies.push(eff),
            }
        }
        if permits.len() < 3 || denies.len() >= permits.len() {
            return; // `pieces_union` folds the permits as before
        }
        if !self.union_memo.contains_key(&permits) {
            let d = self.nb.space.or_all(denies);
            let u = self.nb.space.diff(seen, d);
            self.union_memo.insert(permits, u);
        }
    }

    /// What a switchport admits from the wire: port security and a port ACL.
    pub(super) fn port_ingress(
        &mut self,
        di: usize,
        ii: usize,
    ) -> (Vec<(Bdd, Vec<Span>)>, Vec<Taint>) {
        let d = &self.snap.devices[di];
        let i = &d.interfaces[ii];
        let name = i.name.clone();
        let mut taint = self.dev_taint(d, |s| *s == Scope::Interface(name.clone()));
        if !matches!(i.mode, IfMode::Access { .. } | IfMode::Trunk { .. }) {
            return (vec![(TRUE, vec![])], taint);
        }
        let mut base = vec![(TRUE, vec![i.span.clone()])];
        if let Some(acl) = &i.acl_in {
            let (p, t) = self.acl_pieces(d, &acl.name.clone(), &acl.span.clone());
            base = p;
            taint.extend(t);
        }
        if let Some(pa) = &i.port_auth {
            // 802.1X / MAB (docs/semantics.md): only the hosts linked to this port.
            let macs = match pa.admit {
                AuthAdmit::Any => None,
                AuthAdmit::Nothing => Some(vec![]),
                AuthAdmit::LinkedHosts => {
                    let v = self
                        .auth_macs
                        .get_or_insert_with(|| port_auth_index(self.snap))
                        .get(&(d.name.clone(), name.clone()))
                        .cloned()
                        .unwrap_or_default();
                    (!v.is_empty()).then_some(v)
                }
            };
            if let Some(macs) = macs {
                let m = self.nb.space.mac_set(Field::SrcMac, &macs);
                base = base
                    .into_iter()
                    .map(|(b, mut l)| {
                        l.insert(0, pa.span.clone());
                        (self.nb.space.and(b, m), l)
                    })
                    .collect();
            }
        }
        if let Some(ps) = &i.port_security {
            if !ps.macs.is_empty() {
                let m = self.nb.space.mac_set(Field::SrcMac, &ps.macs);
                base = base
                    .into_iter()
                    .map(|(b, mut l)| {
                        l.insert(0, ps.span.clone());
                        (self.nb.space.and(b, m), l)
                    })
                    .collect();
            }
        }
        (base, taint)
    }

    /// The router of an ACL device: inbound ACLs into it, routes and outbound ACLs out.
    /// A device with interface NAT is lowered by [`Builder::ifnat_edges`].
    pub(super) fn ios_edges(
        &mut self,
        di: usize,
        d: &Device,
        l3: &[usize],
        route_pieces: &HashMap<usize, Vec<(Bdd, Vec<Span>)>>,
        route_taint: &[Taint],
    ) {
        if !d.nat.is_empty() {
            self.ifnat_edges(di, d, l3, route_pieces, route_taint);
            return;
        }
        let router = self.nb.add_node();
        for &ii in l3 {
            let from = self.l3in[&(di, ii)];
            self.ios_in(d, ii, from, router);
        }
        for &oi in l3 {
            let rp = route_pieces.get(&oi).cloned().unwrap_or_default();
            let to = self.l3out[&(di, oi)];
            self.ios_out(d, oi, router, to, rp, route_taint);
        }
    }

    /// Interface `ii`'s inbound ACL, from `from` to `to`.
    pub(super) fn ios_in(&mut self, d: &Device, ii: usize, from: NodeId, to: NodeId) {
        let i = &d.interfaces[ii];
        let (pieces, mut taint) = match &i.acl_in {
            Some(a) => self.acl_pieces(d, &a.name, &a.span),
            None => (vec![(TRUE, vec![])], vec![]),
        };
        taint.extend(self.dev_taint(d, |s| *s == Scope::Interface(i.name.clone())));
        taint.sort();
        taint.dedup();
        self.edge(
            from,
            to,
            EdgeInfo {
                device: Some(d.name.clone()),
                in_if: Some(i.name.clone()),
                out_if: None,
                pieces,
                taint,
            },
        );
    }

    /// Out of interface `oi`: `first` (the route pieces) then its outbound ACL, from
    /// `from` to `to`.
    pub(super) fn ios_out(
        &mut self,
        d: &Device,
        oi: usize,
        from: NodeId,
        to: NodeId,
        first: Vec<(Bdd, Vec<Span>)>,
        route_taint: &[Taint],
    ) {
        let o = &d.interfaces[oi];
        let mut taint = route_taint.to_vec();
        taint.extend(self.dev_taint(d, |s| *s == Scope::Interface(o.name.clone())));
        taint.sort();
        taint.dedup();
        let info = |pieces, taint| EdgeInfo {
            device: Some(d.name.clone()),
            in_if: None,
            out_if: Some(o.name.clone()),
            pieces,
            taint,
        };
        match &o.acl_out {
            None => self.edge(from, to, info(first, taint)),
            Some(a) => {
                let mid = self.nb.add_node();
                self.edge(from, mid, info(first, taint.clone()));
                let (pieces, t2) = self.acl_pieces(d, &a.name, &a.span);
                taint.extend(t2);
                self.edge(mid, to, info(pieces, taint));
            }
        }
    }
}

//! FortiOS lowering: firewall policies per (in, out) interface pair, with NAT (VIPs,
//! policy source NAT to the egress address or IP pools). Also every policy-based device
//! (Junos SRX): stateless interface filters (`acl_in` / `acl_out`) run before arrival NAT
//! and after routing.

use super::{Builder, EdgeInfo, Taint};
use crate::engine::{NodeId, Rewrite};
use crate::hs::{Bdd, Field, Space, FALSE};
use crate::model::{Action, Device, Scope, Span};
use std::collections::{BTreeSet, HashMap};

/// Permit pieces of the policies sharing one source NAT (`None` = no NAT).
type SnatGroup = (Option<crate::model::PolicySnat>, Vec<(Bdd, Vec<Span>)>);

/// FortiOS-style NAT: the header rewrite of a destination NAT (VIP) and the packets it
/// translates (those from its sources only, when it names them); the rewrite of a policy's source NAT on egress interface `o`.
fn dnat_bdd(s: &mut Space, v: &crate::model::Dnat) -> (Bdd, Rewrite) {
    let ip = |a: std::net::Ipv4Addr| u32::from(a) as u64;
    let mut m = s.range(Field::DstIp, ip(v.ext.0), ip(v.ext.1));
    if let Some(src) = &v.src {
        let sm = s.addrs(Field::SrcIp, src);
        m = s.and(m, sm);
    }
    let mut set = vec![(Field::DstIp, s.eq(Field::DstIp, ip(v.mapped)))];
    if let Some((proto, ext, to)) = v.port {
        let pr = s.eq(Field::Proto, proto as u64);
        let pt = s.range(Field::DstPort, ext.lo as u64, ext.hi as u64);
        m = s.and(m, pr);
        m = s.and(m, pt);
        if let Some(to) = to {
            set.push((Field::DstPort, s.eq(Field::DstPort, to as u64)));
        }
    }
    (m, Rewrite { set })
}

fn snat_rewrite(s: &mut Space, d: &Device, o: usize, n: &crate::model::PolicySnat) -> Rewrite {
    let ip = |a: std::net::Ipv4Addr| u32::from(a) as u64;
    let v = match n {
        crate::model::PolicySnat::Egress => match d.interfaces[o].addresses.first() {
            Some((a, _)) => s.eq(Field::SrcIp, ip(*a)),
            // No address to translate to: the packet cannot leave.
            None => FALSE,
        },
        crate::model::PolicySnat::Pool(rs) => {
            let mut acc = FALSE;
            for (lo, hi) in rs {
                let r = s.range(Field::SrcIp, ip(*lo), ip(*hi));
                acc = s.or(acc, r);
            }
            acc
        }
    };
    Rewrite {
        set: vec![(Field::SrcIp, v)],
    }
}

impl Builder<'_> {
    /// A policy-based firewall (FortiOS). Per input interface, destination NATs (VIPs some
    /// enabled policy names) translate on arrival, first VIP in file order wins; a
    /// translated packet is matched only against the policies naming its VIP (with the
    /// destination already translated), any other packet against the policies in order
    /// (a VIP in `dstaddr` adds nothing for them). Per (in, out) pair: what each
    /// policy admits, then routing to `out` on the (translated) destination; a policy's
    /// source NAT rewrites the source of what it admits. An interface's outbound ACL
    /// (`acl_out`) filters last; inbound ACLs are expressed as policies by the parser.
    pub(super) fn policy_edges(
        &mut self,
        di: usize,
        d: &Device,
        l3: &[usize],
        route_pieces: &HashMap<usize, Vec<(Bdd, Vec<Span>)>>,
        route_taint: &[Taint],
    ) {
        let pol_taint = self.dev_taint(d, |s| *s == Scope::Policy);
        let mut pol_match: Vec<Option<Bdd>> = vec![None; d.policies.len()];
        let mut vip_match: Vec<Option<Bdd>> = vec![None; d.policies.len()];
        let used: BTreeSet<usize> = d
            .policies
            .iter()
            .filter(|p| p.enabled)
            .flat_map(|p| p.dnat.iter().copied())
            .collect();
        for &ii in l3 {
            let iname = d.interfaces[ii].name.clone();
            let mut in_taint = pol_taint.clone();
            in_taint.extend(self.dev_taint(d, |s| *s == Scope::Interface(iname.clone())));
            let mut from = self.l3in[&(di, ii)];
            // A stateless input filter (Junos SRX) runs before NAT and policies.
            if d.interfaces[ii].acl_in.is_some() {
                let n = self.nb.add_node();
                self.ios_in(d, ii, from, n);
                from = n;
            }
            // Destination NAT on arrival.
            let mut translated = FALSE;
            let mut vips: Vec<(usize, NodeId)> = vec![];
            for (vi, v) in d.dnats.iter().enumerate() {
                if !used.contains(&vi) || !v.in_intf.iter().any(|n| n == "any" || *n == iname) {
                    continue;
                }
                let (m, rw) = dnat_bdd(&mut self.nb.space, v);
                let eff = self.nb.space.diff(m, translated);
                translated = self.nb.space.or(translated, m);
                if eff == FALSE {
                    continue;
                }
                let node = self.nb.add_node();
                self.rewrite_edge(
                    from,
                    node,
                    EdgeInfo {
                        device: Some(d.name.clone()),
                        in_if: Some(iname.clone()),
                        out_if: None,
                        pieces: vec![(eff, v.lines.clone())],
                        taint: in_taint.clone(),
                    },
                    rw,
                );
                vips.push((vi, node));
            }
            let plain = self.nb.space.not(translated);
            for &oi in l3 {
                let oname = d.interfaces[oi].name.clone();
                let starts: Vec<(NodeId, Option<usize>)> = std::iter::once((from, None))
                    .chain(vips.iter().map(|&(vi, n)| (n, Some(vi))))
                    .collect();
                for (start, vip) in starts {
                    // Permit pieces grouped by source NAT (None = no NAT).
                    let mut groups: Vec<SnatGroup> = vec![(None, vec![])];
                    let mut seen = FALSE;
                    for (pi, p) in d.policies.iter().enumerate().filter(|(_, p)| p.enabled) {
                        let hit =
                            |l: &Vec<String>, n: &String| l.iter().any(|x| x == n || x == "any");
                        if !hit(&p.src_intf, &iname) || !hit(&p.dst_intf, &oname) {
                            continue;
                        }
                        let m = match vip {
                            None => match pol_match[pi] {
                                Some(m) => m,
                                None => {
                                    let m = self.nb.space.matches(&p.m);
                                    *pol_match[pi].insert(m)
                                }
                            },
                            Some(vi) if p.dnat.contains(&vi) => match vip_match[pi] {
                                Some(m) => m,
                                None => {
                                    let mut pm = p.m.clone();
                                    pm.dst = crate::model::AddrSet::any();
                                    let m = self.nb.space.matches(&pm);
                                    *vip_match[pi].insert(m)
                                }
                            },
                            Some(_) => continue,
                        };
                        let m = if vip.is_none() {
                            self.nb.space.and(m, plain)
                        } else {
                            m
                        };
                        let eff = self.nb.space.diff(m, seen);
                        seen = self.nb.space.or(seen, m);
                        if p.action == Action::Permit && eff != FALSE {
                            let mut lines = p.lines.clone();
                            if let Some(vi) = vip {
                                lines.extend(d.dnats[vi].lines.iter().cloned());
                            }
                            match groups.iter_mut().find(|g| g.0 == p.snat) {
                                Some(g) => g.1.push((eff, lines)),
                                None => groups.push((p.snat.clone(), vec![(eff, lines)])),
                            }
                        }
                    }
                    let rp = route_pieces.get(&oi).cloned().unwrap_or_default();
                    for (snat, pieces) in groups {
                        let keep = !pieces.is_empty() && !rp.is_empty();
                        if !keep && (snat.is_some() || in_taint.is_empty()) {
                            continue;
                        }
                        let mid = self.nb.add_node();
                        let info = EdgeInfo {
                            device: Some(d.name.clone()),
                            in_if: Some(iname.clone()),
                            out_if: Some(oname.clone()),
                            pieces,
                            taint: in_taint.clone(),
                        };
                        match &snat {
                            None => self.edge(start, mid, info),
                            Some(n) => {
                                let rw = snat_rewrite(&mut self.nb.space, d, oi, n);
                                self.rewrite_edge(start, mid, info, rw)
                            }
                        }
                        let to = self.l3out[&(di, oi)];
                        if d.interfaces[oi].acl_out.is_some() {
                            // Routing, then the outbound interface filter (Cisco ASA
                            // `access-group … out`, Junos SRX stateless output filter).
                            self.ios_out(d, oi, mid, to, rp.clone(), route_taint);
                            continue;
                        }
                        let mut t = route_taint.to_vec();
                        t.extend(self.dev_taint(d, |s| *s == Scope::Interface(oname.clone())));
                        self.edge(
                            mid,
                            to,
                            EdgeInfo {
                                device: Some(d.name.clone()),
                                in_if: Some(iname.clone()),
                                out_if: Some(oname.clone()),
                                pieces: rp.clone(),
                                taint: t,
                            },
                        );
                    }
                }
            }
        }
        self.policy_matches.insert(d.name.clone(), pol_match);
    }
}

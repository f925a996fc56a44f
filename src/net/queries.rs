//! Query predicates registered for the rules: zones, hosts, services.

use super::{portspec_bdd, Builder, Queries};
use crate::hs::{Bdd, Field, Space, FALSE};
use crate::model::{PortSpec, Snapshot};
use std::collections::BTreeSet;

/// Addresses whose longest-prefix zone is `zi`.
fn zone_region(s: &mut Space, snap: &Snapshot, zi: usize, f: Field) -> Bdd {
    let z = &snap.zones[zi];
    let mut r = FALSE;
    for n in &z.subnets {
        let mut b = s.prefix(f, n.network(), n.prefix());
        for (oi, o) in snap.zones.iter().enumerate() {
            if oi == zi {
                continue;
            }
            for on in &o.subnets {
                if on.prefix() > n.prefix() && n.contains(on.network()) {
                    let x = s.prefix(f, on.network(), on.prefix());
                    b = s.diff(b, x);
                }
            }
        }
        r = s.or(r, b);
    }
    r
}

impl Builder<'_> {
    /// Query predicates; returns them with the zone destination and source regions.
    pub(super) fn queries(&mut self, ports: &[PortSpec]) -> (Queries, Vec<Bdd>, Vec<Bdd>) {
        let snap = self.snap;
        let b = self;
        let mut q = Queries::default();
        let s = &mut b.nb.space;
        let est0 = s.eq(Field::Established, 0);
        let mut zone_dst_bdd = vec![];
        let mut zone_src_bdd = vec![];
        for zi in 0..snap.zones.len() {
            zone_dst_bdd.push(zone_region(s, snap, zi, Field::DstIp));
            zone_src_bdd.push(zone_region(s, snap, zi, Field::SrcIp));
        }
        let mut host_src = vec![];
        let mut host_dst = vec![];
        let mut host_mac = vec![];
        for h in &snap.hosts {
            host_src.push(s.prefix(Field::SrcIp, h.ip, 32));
            host_dst.push(s.prefix(Field::DstIp, h.ip, 32));
            host_mac.push(h.mac.map(|m| s.eq(Field::SrcMac, crate::hs::mac_u64(m))));
        }
        let mut specs: BTreeSet<(u8, u16, u16)> = BTreeSet::new();
        for f in snap.tokutei.iter().chain(&snap.mugaika) {
            for p in &f.ports {
                specs.insert((p.proto, p.lo, p.hi));
            }
        }
        for p in snap.lgwan_allowed.iter().flatten().chain(ports) {
            specs.insert((p.proto, p.lo, p.hi));
        }
        let spec_bdds: Vec<(PortSpec, Bdd)> = specs
            .into_iter()
            .map(|(proto, lo, hi)| {
                let p = PortSpec { proto, lo, hi };
                (p, portspec_bdd(s, &p))
            })
            .collect();
        q.new_flow = b.nb.add_query(est0);
        q.zone_dst = zone_dst_bdd.iter().map(|x| b.nb.add_query(*x)).collect();
        q.zone_src = zone_src_bdd.iter().map(|x| b.nb.add_query(*x)).collect();
        q.host_src = host_src.iter().map(|x| b.nb.add_query(*x)).collect();
        q.host_dst = host_dst.iter().map(|x| b.nb.add_query(*x)).collect();
        q.host_mac = host_mac
            .iter()
            .map(|x| x.map(|x| b.nb.add_query(x)))
            .collect();
        for (p, x) in spec_bdds {
            let id = b.nb.add_query(x);
            q.ports.insert(p, id);
        }
        (q, zone_dst_bdd, zone_src_bdd)
    }
}

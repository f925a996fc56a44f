//! What sanso predicts for one probe.

use sanso::engine::Bits;
use sanso::graph::Graph;
use sanso::hs::{Field, Packet, FALSE};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Like `Graph::deliveries` (the edge points whose sink the packet reaches, after NAT),
/// restricted to packets still addressed to `dst` when they get there — what the kernel
/// referee observes: a packet for the host arriving on the host's wire. (Flooding in a
/// VLAN also "delivers" frames addressed elsewhere to a port; a host drops those.)
/// The packet's atom is followed through the engine; rewrite edges turn it into the
/// atoms of its NAT images (the atom partition is stable under rewrites, so one atom
/// answers for this one packet).
pub fn deliveries_to(
    g: &mut Graph,
    src_point: usize,
    p: &Packet,
    dst: Ipv4Addr,
) -> BTreeSet<usize> {
    let dst = Some(dst);
    let atom = g.engine.atom_of(p);
    let mut bits = Bits::empty(g.engine.words);
    bits.set(atom);
    let reach = g
        .engine
        .reach(&[(g.points[src_point].src, bits)], |_, _| {});
    let want = dst.map(|d| g.engine.space.prefix(Field::DstIp, d, 32));
    let mut out = BTreeSet::new();
    for (i, pt) in g.points.iter().enumerate() {
        let at = &reach[pt.sink as usize];
        if at.is_empty() {
            continue;
        }
        if let Some(w) = want {
            let b = g.engine.to_bdd(at);
            if g.engine.space.and(b, w) == FALSE {
                continue;
            }
        }
        out.insert(i);
    }
    out
}

//! What sanso predicts for one probe: the edge points whose sink the packet reaches.

use sanso::engine::Bits;
use sanso::graph::Graph;
use sanso::hs::Packet;
use std::collections::BTreeSet;

/// Adapter with the signature of `Graph::deliveries` (announced for `main`). Until it
/// lands this follows the packet's atom through the engine; rewrite edges turn it into
/// the atoms of its NAT images, so a sink reached by any atom is reached by this packet.
pub fn deliveries(g: &mut Graph, src_point: usize, p: &Packet) -> BTreeSet<usize> {
    let atom = g.engine.atom_of(p);
    let mut bits = Bits::empty(g.engine.words);
    bits.set(atom);
    let reach = g
        .engine
        .reach(&[(g.points[src_point].src, bits)], |_, _| {});
    g.points
        .iter()
        .enumerate()
        .filter(|(_, pt)| !reach[pt.sink as usize].is_empty())
        .map(|(i, _)| i)
        .collect()
}

//! What sanso predicts for one probe.

use sanso::hs::{Field, Packet, FALSE};
use sanso::net::Graph;
use std::net::Ipv4Addr;

/// sanso's verdict for one probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prediction {
    /// `Graph::deliveries` includes the target's point.
    pub reaches_point: bool,
    /// ... with the packet (after NAT) addressed to the target: what the referee observes,
    /// a packet for the host arriving on the host's wire. The two differ only when L2
    /// flooding (documented over-approximation: next-hop MAC selection is not modelled)
    /// carries a frame addressed elsewhere to the target's port; a host drops those.
    pub addressed: bool,
}

pub fn predict(
    g: &mut Graph,
    src_point: usize,
    p: &Packet,
    dst_point: usize,
    dst: Ipv4Addr,
) -> Prediction {
    let reaches_point = g.deliveries(src_point, p).contains(&dst_point);
    if !reaches_point {
        return Prediction {
            reaches_point,
            addressed: false,
        };
    }
    // The same header-space walk as `deliveries`, keeping what arrives at the sink.
    let one = g.engine.space.packet(p);
    let reach = g.engine.reach_bdd(&[(g.points[src_point].src, one)]);
    let at = reach[g.points[dst_point].sink as usize];
    let to = g.engine.space.prefix(Field::DstIp, dst, 32);
    Prediction {
        reaches_point,
        addressed: g.engine.space.and(at, to) != FALSE,
    }
}

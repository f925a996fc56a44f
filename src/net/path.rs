//! A path through the graph as the user reads it: the devices a packet crosses, with the
//! interfaces and the config lines that admitted it at each.

use super::Graph;
use crate::engine::EdgeId;
use crate::hs::Packet;
use crate::model::Span;
use serde::Serialize;

/// One device on a path: where the packet entered and left it, and the lines that let it
/// through.
#[derive(Clone, Debug, Serialize)]
pub struct Hop {
    pub device: String,
    #[serde(rename = "in")]
    pub in_if: Option<String>,
    pub out: Option<String>,
    pub lines: Vec<String>,
}

/// Hops along an edge path for a concrete packet, grouped by device (as in findings).
pub fn hops(g: &Graph, edges: &[EdgeId], pkt: &Packet) -> Vec<Hop> {
    let steps: Vec<(EdgeId, Packet)> = edges.iter().map(|&e| (e, pkt.clone())).collect();
    hops_seq(g, &steps)
}

/// As [`hops`], with the packet as it enters each edge (NAT changes it on the way).
pub fn hops_seq(g: &Graph, steps: &[(EdgeId, Packet)]) -> Vec<Hop> {
    let mut hops: Vec<Hop> = vec![];
    for (e, pkt) in steps {
        let e = *e;
        let info = &g.info[e as usize];
        let lines: Vec<String> = info
            .pieces
            .iter()
            .find(|(b, _)| g.space().contains(*b, pkt))
            .map(|(_, l)| {
                l.iter()
                    // Device input lines: configs and captured state (a route read from
                    // `state/<device>/show_ip_route.txt`), not inventory files.
                    .filter(|s| s.file.starts_with("configs/") || s.file.starts_with("state/"))
                    .map(Span::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let Some(dev) = &info.device else { continue };
        match hops.last_mut() {
            Some(h) if h.device == *dev => {
                if info.out_if.is_some() {
                    h.out = info.out_if.clone();
                }
                for l in lines {
                    if !h.lines.contains(&l) {
                        h.lines.push(l);
                    }
                }
            }
            _ => hops.push(Hop {
                device: dev.clone(),
                in_if: info.in_if.clone(),
                out: info.out_if.clone(),
                lines,
            }),
        }
    }
    hops
}

//! `sanso matrix`: zone × zone matrix of new flows with exact service summaries.

use crate::engine::NodeId;
use crate::hs::{Bdd, FALSE};
use crate::model::{PortSpec, Snapshot};
use crate::net::{portspec_bdd, Graph};
use serde::Serialize;

/// The fixed service list (label, protocol, port). `other` is everything else.
const SERVICES: [(&str, u8, u16); 10] = [
    ("tcp/22", 6, 22),
    ("tcp/25", 6, 25),
    ("tcp/53", 6, 53),
    ("tcp/80", 6, 80),
    ("tcp/443", 6, 443),
    ("tcp/445", 6, 445),
    ("tcp/3389", 6, 3389),
    ("udp/53", 17, 53),
    ("udp/123", 17, 123),
    ("icmp", 1, 0),
];

#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    pub empty: bool,
    /// The cell is every new flow into the destination zone.
    pub any: bool,
    pub services: Vec<String>,
}

impl Cell {
    /// The cell holds every listed service and `other`.
    pub fn every_service(&self) -> bool {
        self.services.len() == SERVICES.len() + 1
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Matrix {
    pub zones: Vec<String>,
    /// cells[src][dst]
    pub cells: Vec<Vec<Cell>>,
}

/// New flows per zone pair, `[src][dst]`: the new flows (TCP SYN, any UDP/ICMP/other)
/// that edge points of the source zone deliver to edge points of the destination zone,
/// addressed into the destination zone, as exact header sets of the graph's space.
/// Shared by `matrix` and `diff`.
pub fn zone_flows(snap: &Snapshot, g: &mut Graph) -> Vec<Vec<Bdd>> {
    let nf = g.query(g.q.new_flow);
    let nz = snap.zones.len();
    let mut space = g.take_space();
    let mut out = vec![];
    for sz in 0..nz {
        let sources: Vec<(NodeId, Bdd)> = g
            .points
            .iter()
            .filter(|p| p.zones.contains(&sz))
            .map(|p| (p.src, nf))
            .collect();
        let reach = g.engine.reach_sets(&mut space, &sources, |_| {});
        let mut row = vec![];
        for dz in 0..nz {
            let sinks: Vec<Bdd> = g
                .points
                .iter()
                .filter(|p| p.zones.contains(&dz))
                .map(|p| reach[p.sink as usize])
                .collect();
            let at = space.or_all(sinks);
            let at = space.and(at, nf);
            row.push(space.and(at, g.query(g.q.zone_dst[dz])));
        }
        out.push(row);
    }
    g.put_space(space);
    out
}

pub fn compute(snap: &Snapshot, g: &mut Graph) -> Matrix {
    let mut svc_bdd = vec![];
    for (_, proto, port) in SERVICES {
        let spec = if proto == 1 {
            PortSpec {
                proto,
                lo: 0,
                hi: 65535,
            }
        } else {
            PortSpec {
                proto,
                lo: port,
                hi: port,
            }
        };
        svc_bdd.push(portspec_bdd(g.space_mut(), &spec));
    }
    let listed = g.space_mut().or_all(svc_bdd.clone());
    let other = g.space_mut().not(listed);
    svc_bdd.push(other);

    let flows = zone_flows(snap, g);
    let nf = g.query(g.q.new_flow);
    let zone_dst: Vec<_> = g.q.zone_dst.iter().map(|&q| g.query(q)).collect();
    let s = g.space_mut();
    let mut cells = vec![];
    for row_flows in flows {
        let mut row = vec![];
        for (dz, cell) in row_flows.into_iter().enumerate() {
            let region = s.and(nf, zone_dst[dz]);
            // Exact: the cell intersects the service.
            let hit: Vec<bool> = svc_bdd.iter().map(|&x| s.and(cell, x) != FALSE).collect();
            let mut services: Vec<String> = SERVICES
                .iter()
                .zip(&hit)
                .filter(|(_, h)| **h)
                .map(|(s, _)| s.0.to_string())
                .collect();
            if hit[SERVICES.len()] {
                services.push("other".into());
            }
            row.push(Cell {
                empty: cell == FALSE,
                any: cell != FALSE && cell == region,
                services,
            });
        }
        cells.push(row);
    }
    Matrix {
        zones: snap.zones.iter().map(|z| z.name.clone()).collect(),
        cells,
    }
}

/// The matrix over groups of zones (`key` names a zone's group; groups in order of their
/// first zone): a cell has the new flows of every pair of its groups' zones — empty when
/// all are, the union of their services, `any` only when every pair is `any`.
pub fn group(m: &Matrix, key: &dyn Fn(usize) -> String) -> Matrix {
    let mut names: Vec<String> = vec![];
    let of: Vec<usize> = (0..m.zones.len())
        .map(|z| {
            let k = key(z);
            names.iter().position(|n| *n == k).unwrap_or_else(|| {
                names.push(k);
                names.len() - 1
            })
        })
        .collect();
    let order: Vec<&str> = SERVICES
        .iter()
        .map(|s| s.0)
        .chain(std::iter::once("other"))
        .collect();
    let n = names.len();
    let mut cells = vec![
        vec![
            Cell {
                empty: true,
                any: true,
                services: vec![],
            };
            n
        ];
        n
    ];
    for (s, row) in m.cells.iter().enumerate() {
        for (d, c) in row.iter().enumerate() {
            let g = &mut cells[of[s]][of[d]];
            g.empty &= c.empty;
            g.any &= c.any;
            for svc in &c.services {
                if !g.services.contains(svc) {
                    g.services.push(svc.clone());
                }
            }
        }
    }
    for row in &mut cells {
        for c in row {
            c.any &= !c.empty;
            c.services
                .sort_by_key(|s| order.iter().position(|o| o == s).unwrap_or(usize::MAX));
        }
    }
    Matrix {
        zones: names,
        cells,
    }
}

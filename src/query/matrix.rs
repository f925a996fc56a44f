//! `sanso matrix`: zone × zone matrix of new flows with exact service summaries.

use crate::engine::NodeId;
use crate::hs::{Bdd, FALSE};
use crate::model::{PortSpec, Snapshot};
use crate::net::{portspec_bdd, Graph};
use crate::report::Lang;
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
    pub fn summary(&self) -> String {
        if self.empty {
            return "-".into();
        }
        let mut v = vec![];
        if self.any {
            v.push("any".to_string());
        }
        if self.services.len() == SERVICES.len() + 1 {
            v.push("all-svc".to_string());
        } else {
            v.extend(self.services.iter().cloned());
        }
        v.join(" ")
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
    let nf = g.engine.query_pred[g.q.new_flow as usize];
    let nz = snap.zones.len();
    let mut space = std::mem::take(&mut g.engine.space);
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
            row.push(space.and(at, g.engine.query_pred[g.q.zone_dst[dz] as usize]));
        }
        out.push(row);
    }
    g.engine.space = space;
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
        svc_bdd.push(portspec_bdd(&mut g.engine.space, &spec));
    }
    let listed = g.engine.space.or_all(svc_bdd.clone());
    let other = g.engine.space.not(listed);
    svc_bdd.push(other);

    let flows = zone_flows(snap, g);
    let nf = g.engine.query_pred[g.q.new_flow as usize];
    let s = &mut g.engine.space;
    let mut cells = vec![];
    for row_flows in flows {
        let mut row = vec![];
        for (dz, cell) in row_flows.into_iter().enumerate() {
            let region = s.and(nf, g.engine.query_pred[g.q.zone_dst[dz] as usize]);
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

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV, UTF-8 with BOM (for spreadsheet software).
pub fn csv(m: &Matrix, lang: Lang) -> String {
    let corner = if lang == Lang::Ja {
        "送信元＼宛先"
    } else {
        "from\\to"
    };
    let mut out = String::from("\u{feff}");
    out.push_str(corner);
    for z in &m.zones {
        out.push(',');
        out.push_str(&csv_field(z));
    }
    out.push_str("\r\n");
    for (i, row) in m.cells.iter().enumerate() {
        out.push_str(&csv_field(&m.zones[i]));
        for c in row {
            out.push(',');
            out.push_str(&csv_field(&c.summary()));
        }
        out.push_str("\r\n");
    }
    out
}

fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

pub fn text(m: &Matrix, lang: Lang) -> String {
    let corner = if lang == Lang::Ja {
        "送信元＼宛先"
    } else {
        "from\\to"
    };
    let n = m.zones.len();
    let mut cols: Vec<Vec<String>> = vec![];
    let mut first = vec![corner.to_string()];
    first.extend(m.zones.iter().cloned());
    cols.push(first);
    for d in 0..n {
        let mut c = vec![m.zones[d].clone()];
        for s in 0..n {
            c.push(m.cells[s][d].summary());
        }
        cols.push(c);
    }
    let widths: Vec<usize> = cols
        .iter()
        .map(|c| c.iter().map(|s| width(s)).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in 0..=n {
        let line: Vec<String> = cols
            .iter()
            .zip(&widths)
            .map(|(c, &w)| pad(&c[r], w))
            .collect();
        out.push_str(line.join(" | ").trim_end());
        out.push('\n');
        if r == 0 {
            let sep: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            out.push_str(&sep.join("-+-"));
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(if lang == Lang::Ja {
        "凡例: - = 新規通信なし / all-svc = 一覧の全サービス(tcp/22,25,53,80,443,445,3389 udp/53,123 icmp)とその他を含む / any = 宛先ゾーンへの全新規通信\n"
    } else {
        "Legend: - = no new flows / all-svc = every listed service (tcp/22,25,53,80,443,445,3389 udp/53,123 icmp) and other / any = every new flow into the zone\n"
    });
    out
}

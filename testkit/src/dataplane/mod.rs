//! Data-plane inputs for the reachability engine: Hassel transfer functions
//! (Stanford `hassel-tf`, Internet2) and APKeep's Stanford network (forwarding, ACLs,
//! VLANs, topology, rule updates), and Cisco `show ip cef` / `show ip route` tables
//! (`cisco_show`). Every loader compiles into the same
//! [`sanso::engine::Engine`] the audits use.

pub mod apkeep;
pub mod cisco_show;
pub mod hassel;

use std::collections::BTreeSet;
use std::path::Path;

/// One row of a Hassel-C reference file: source port and the distinct output ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefRow {
    pub src: u32,
    pub out_ports: BTreeSet<u32>,
}

/// Read `hassel-reference*.tsv` (columns `src_port … out_ports`).
pub fn read_reference(path: &Path) -> std::io::Result<Vec<RefRow>> {
    let text = std::fs::read_to_string(path)?;
    let mut rows = vec![];
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 6 {
            continue;
        }
        let src = cols[0].parse().map_err(bad)?;
        let out_ports = if cols[5] == "-" {
            BTreeSet::new()
        } else {
            cols[5]
                .split(',')
                .map(|x| x.parse::<u32>().map_err(bad))
                .collect::<Result<_, _>>()?
        };
        rows.push(RefRow { src, out_ports });
    }
    Ok(rows)
}

pub(crate) fn bad<E: std::fmt::Display>(e: E) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

/// Percentile (0–100) of a list of durations in µs (sorted copy).
pub fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let idx = ((p / 100.0) * (s.len() - 1) as f64).round() as usize;
    s[idx.min(s.len() - 1)]
}

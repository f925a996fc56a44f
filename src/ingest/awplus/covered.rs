//! AlliedWare Plus lines recognised only once the whole file is read, because their
//! effect on forwarding goes wholly through another line that stays unrecognised (and
//! so taints its scope), or is nil because that line is absent (the principle of
//! `cisco_ios::covered` for IOS BGP settings):
//!
//! - `nat` stanza: its `rule …` lines (and the `nat` line) translate nothing until the
//!   stanza's `enable` line turns NAT on. With `enable` they act through it (it stays
//!   unrecognised, scope device); without it they have no effect.
//! - MLAG: `service mlag`, `mlag domain N` and its timers / peer addresses change
//!   forwarding only through the ports that take part: the domain's `peer-link PORT`
//!   and the member ports' `mlag N` lines, which stay unrecognised. With neither, no
//!   port forwards differently.
//! - OpenFlow: the global `openflow controller|native vlan|failmode|datapath-id|
//!   inactivity|version …` lines act only on ports with `openflow` enabled (that port
//!   line stays unrecognised); with no such port they control nothing.
//! - `nvo vxlan`: its `host-reachability-protocol` and `source-interface` lines (and
//!   the `nvo vxlan` line) carry traffic only for VLANs mapped to a VNI by
//!   `map-access …` lines, which stay unrecognised; with none, the overlay carries no
//!   traffic.
//!
//! Any other line of these stanzas stays unrecognised.

use crate::ingest::cisco_ios::Parser;
use crate::model::Unrecognized;
use std::collections::BTreeSet;

const NAT_COVERED: &str = "AW+ NAT rule / stanza line: translates only through the stanza's `enable` line (unrecognised: it taints the device)";
const NAT_OFF: &str = "AW+ NAT stanza without `enable` (NAT is off: its rules translate nothing)";
const MLAG_COVERED: &str = "AW+ MLAG domain setting: acts only through the `peer-link` / member-port `mlag N` lines (unrecognised: they taint the device)";
const MLAG_IDLE: &str =
    "AW+ MLAG setting with no `peer-link` and no member port `mlag N` (no port forwards differently)";
const OF_COVERED: &str = "AW+ OpenFlow agent setting: acts only on ports with `openflow` enabled (unrecognised: they taint the device)";
const OF_IDLE: &str =
    "AW+ OpenFlow agent setting with no port running `openflow` (controls no port)";
const VXLAN_COVERED: &str = "AW+ VXLAN overlay setting: carries traffic only for the `map-access` VLAN-to-VNI lines (unrecognised: they taint the device)";
const VXLAN_IDLE: &str =
    "AW+ VXLAN overlay with no `map-access` line (no VLAN is mapped to a VNI: carries no traffic)";

/// OpenFlow agent settings (global `openflow …` lines) that act only on OpenFlow ports.
const OF_SETTINGS: &[&str] = &[
    "controller",
    "native",
    "failmode",
    "datapath-id",
    "inactivity",
    "version",
];

fn line_no(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

/// A top-level stanza: header line number, header text, children (line number, text).
struct Stanza {
    line: u32,
    head: String,
    children: Vec<(u32, String)>,
}

fn stanzas(src: &[String]) -> Vec<Stanza> {
    let mut out: Vec<Stanza> = vec![];
    for (i, raw) in src.iter().enumerate() {
        let t = raw.trim();
        if t.is_empty() || t.starts_with('!') {
            continue;
        }
        if raw.len() == raw.trim_start().len() {
            out.push(Stanza {
                line: line_no(i),
                head: t.split_whitespace().collect::<Vec<_>>().join(" "),
                children: vec![],
            });
        } else if let Some(s) = out.last_mut() {
            s.children.push((line_no(i), t.to_string()));
        }
    }
    out
}

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

impl Parser {
    pub(in crate::ingest) fn awp_recognise_covered(&mut self) {
        let st = stanzas(&self.src);
        // Only lines that are still unrecognised matter: an enabling line counts when it
        // stays unrecognised (it then taints), a setting line is recognised only here.
        let unrec: BTreeSet<u32> = self.dev.unrecognized.iter().map(|u| u.line).collect();
        let mut nat_cov = BTreeSet::new();
        let mut nat_off = BTreeSet::new();
        for s in st.iter().filter(|s| s.head == "nat") {
            let enabled = s
                .children
                .iter()
                .any(|(l, t)| t == "enable" && unrec.contains(l));
            let mut lines: BTreeSet<u32> = s
                .children
                .iter()
                .filter(|(_, t)| first_word(t) == "rule")
                .map(|(l, _)| *l)
                .collect();
            lines.insert(s.line);
            if enabled {
                nat_cov.extend(lines);
            } else if s.children.iter().all(|(_, t)| first_word(t) == "rule") {
                // Only rules: nothing turns them on.
                nat_off.extend(lines);
            }
        }
        // MLAG.
        // (present, all still unrecognised) for the enabling lines.
        let (mut mlag_any, mut mlag_enabling) = (false, true);
        let mut mlag_settings = BTreeSet::new();
        for s in &st {
            let w: Vec<&str> = s.head.split_whitespace().collect();
            match w.as_slice() {
                ["service", "mlag"] => {
                    mlag_settings.insert(s.line);
                }
                ["mlag", "domain", _] => {
                    mlag_settings.insert(s.line);
                    for (l, t) in &s.children {
                        match first_word(t) {
                            "peer-link" => {
                                mlag_any = true;
                                mlag_enabling &= unrec.contains(l);
                            }
                            "peer-address" | "source-address" | "session-timeout"
                            | "keepalive-interval" => {
                                mlag_settings.insert(*l);
                            }
                            _ => {}
                        }
                    }
                }
                ["interface", ..] => {
                    for (l, t) in &s.children {
                        let c: Vec<&str> = t.split_whitespace().collect();
                        if matches!(c.as_slice(), ["mlag", _]) {
                            mlag_any = true;
                            mlag_enabling &= unrec.contains(l);
                        }
                    }
                }
                _ => {}
            }
        }
        // OpenFlow: a port line `openflow` (indented; in a fragment it may follow another
        // stanza) keeps the settings covered.
        let of_ports: Vec<u32> = st
            .iter()
            .flat_map(|s| s.children.iter())
            .filter(|(_, t)| t == "openflow")
            .map(|(l, _)| *l)
            .collect();
        let of_enabling = of_ports.iter().all(|l| unrec.contains(l));
        let of_settings: BTreeSet<u32> = st
            .iter()
            .filter(|s| {
                let w: Vec<&str> = s.head.split_whitespace().collect();
                w.len() >= 2 && w[0] == "openflow" && OF_SETTINGS.contains(&w[1])
            })
            .map(|s| s.line)
            .collect();
        // VXLAN.
        let mut vx_cov = BTreeSet::new();
        let mut vx_idle = BTreeSet::new();
        for s in st.iter().filter(|s| s.head == "nvo vxlan") {
            let maps: Vec<u32> = s
                .children
                .iter()
                .filter(|(_, t)| first_word(t) == "map-access")
                .map(|(l, _)| *l)
                .collect();
            if !maps.iter().all(|l| unrec.contains(l)) {
                continue;
            }
            let mapped = !maps.is_empty();
            let mut lines: BTreeSet<u32> = s
                .children
                .iter()
                .filter(|(_, t)| {
                    matches!(
                        first_word(t),
                        "host-reachability-protocol" | "source-interface"
                    )
                })
                .map(|(l, _)| *l)
                .collect();
            lines.insert(s.line);
            if mapped {
                vx_cov.extend(lines);
            } else {
                vx_idle.extend(lines);
            }
        }
        let pick = |set: BTreeSet<u32>| move |u: &Unrecognized| set.contains(&u.line);
        self.recognise(pick(nat_cov), NAT_COVERED);
        self.recognise(pick(nat_off), NAT_OFF);
        // A setting is recognised only when its enabling lines are absent (idle) or all
        // still unrecognised (covered); otherwise it stays as it is.
        match (mlag_any, mlag_enabling) {
            (false, _) => {
                self.recognise(pick(mlag_settings), MLAG_IDLE);
            }
            (true, true) => {
                self.recognise(pick(mlag_settings), MLAG_COVERED);
            }
            (true, false) => {}
        }
        match (of_ports.is_empty(), of_enabling) {
            (true, _) => {
                self.recognise(pick(of_settings), OF_IDLE);
            }
            (false, true) => {
                self.recognise(pick(of_settings), OF_COVERED);
            }
            (false, false) => {}
        }
        self.recognise(pick(vx_cov), VXLAN_COVERED);
        self.recognise(pick(vx_idle), VXLAN_IDLE);
    }
}

//! MAC address tables: on which port a switch learnt a MAC. Cisco IOS
//! `show mac address-table` (`  110    001b.210a.0b0c    DYNAMIC     Gi1/0/1`) and
//! AlliedWare Plus `show mac address-table` (`110  port1.0.3  001b.210a.0b0c  forward
//! dynamic`).

use super::{is_prompt, Read};
use crate::model::{parse_mac, Mac};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacEntry {
    pub vlan: Option<u16>,
    pub mac: Mac,
    /// The port as printed (`Gi1/0/1`, `port1.0.3`).
    pub port: String,
    pub line: u32,
}

pub const COMMANDS: &[&str] = &["show_mac_address-table", "show_mac-address-table"];

const TYPE_WORDS: &[&str] = &[
    "dynamic", "static", "secure", "forward", "discard", "self", "igmp", "sticky", "yes", "no", "-",
];

/// Ports that are the switch itself, not a cable.
const NOT_PORTS: &[&str] = &["cpu", "router", "switch", "drop", "sup-eth1(r)"];

pub fn read(command: &str, text: &str) -> Option<Read<MacEntry>> {
    if !COMMANDS.contains(&command) {
        return None;
    }
    let mut out = Read::default();
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let t = raw.trim();
        if t.is_empty() || is_prompt(raw) || super::rule_line(t) {
            continue;
        }
        let lower = t.to_ascii_lowercase();
        if lower.contains("mac address")
            || lower.starts_with("total")
            || lower.starts_with("multicast")
            || lower.starts_with("unicast")
            || lower.starts_with("vlan ")
            || lower.contains("entries")
        {
            continue; // titles, column headers, counts
        }
        let toks: Vec<&str> = t.split_whitespace().collect();
        let Some(mi) = toks
            .iter()
            .position(|w| parse_mac(w).is_some() && w.len() >= 12)
        else {
            out.unrecognized
                .push((n, "not a MAC table entry (no MAC address)".to_string()));
            continue;
        };
        let vlan = toks.first().and_then(|w| w.parse::<u16>().ok());
        let port = toks
            .iter()
            .enumerate()
            .filter(|(j, w)| {
                *j != mi
                    && !(*j == 0 && (vlan.is_some() || w.eq_ignore_ascii_case("all")))
                    && !TYPE_WORDS.contains(&w.to_ascii_lowercase().as_str())
                    && w.parse::<u32>().is_err()
            })
            .map(|(_, w)| *w)
            .next();
        match port {
            Some(p) if !NOT_PORTS.contains(&p.to_ascii_lowercase().as_str()) => {
                out.items.push(MacEntry {
                    vlan,
                    mac: parse_mac(toks[mi]).expect("checked"),
                    port: p.trim_end_matches(',').to_string(),
                    line: n,
                })
            }
            Some(_) => {} // learnt by the switch itself
            None => out
                .unrecognized
                .push((n, "MAC table entry without a port".to_string())),
        }
    }
    Some(out)
}

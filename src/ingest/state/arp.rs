//! ARP tables: which MAC answers for an address, and on which interface. Cisco IOS
//! `show ip arp` / `show arp` (`Internet  10.1.10.21  5  001b.210a.0b0c  ARPA  Vlan10`),
//! AlliedWare Plus `show arp` (`10.1.10.21  001b.210a.0b0c  vlan10  port1.0.3  dynamic`)
//! and FortiOS `get system arp` (`10.1.10.21  0  00:1b:21:0a:0b:0c  port2`).

use super::{is_prompt, Read};
use crate::model::{parse_mac, Mac};
use std::net::Ipv4Addr;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArpEntry {
    pub ip: Ipv4Addr,
    pub mac: Mac,
    /// The L3 interface (`Vlan10`, `port2`), when printed.
    pub interface: Option<String>,
    /// The switch port behind it (AlliedWare Plus prints it), when printed.
    pub port: Option<String>,
    pub line: u32,
}

pub const COMMANDS: &[&str] = &["show_ip_arp", "show_arp", "get_system_arp"];

/// Words of the type / protocol columns.
const TYPE_WORDS: &[&str] = &[
    "internet", "arpa", "snap", "sap", "dynamic", "static", "other", "invalid", "-",
];

pub fn read(command: &str, text: &str) -> Option<Read<ArpEntry>> {
    if !COMMANDS.contains(&command) {
        return None;
    }
    let mut out = Read::default();
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let t = raw.trim();
        if t.is_empty() || is_prompt(raw) {
            continue;
        }
        let lower = t.to_ascii_lowercase();
        if lower.contains("address") && (lower.contains("hardware") || lower.contains("mac")) {
            continue; // column header
        }
        if lower.starts_with("total") || super::rule_line(t) {
            continue;
        }
        let toks: Vec<&str> = t.split_whitespace().collect();
        let ip = toks.iter().position(|w| w.parse::<Ipv4Addr>().is_ok());
        let Some(ipi) = ip else {
            out.unrecognized
                .push((n, "not an ARP entry (no IPv4 address)".to_string()));
            continue;
        };
        let ipa: Ipv4Addr = toks[ipi].parse().expect("checked");
        if lower.contains("incomplete") {
            continue; // no answer: no MAC to place
        }
        let Some(mi) = toks
            .iter()
            .position(|w| parse_mac(w).is_some() && w.len() >= 12)
        else {
            out.unrecognized
                .push((n, "ARP entry without a MAC address".to_string()));
            continue;
        };
        let rest: Vec<&str> = toks[mi + 1..]
            .iter()
            .copied()
            .filter(|w| {
                !TYPE_WORDS.contains(&w.to_ascii_lowercase().as_str()) && w.parse::<u32>().is_err()
            })
            .collect();
        out.items.push(ArpEntry {
            ip: ipa,
            mac: parse_mac(toks[mi]).expect("checked"),
            interface: rest.first().map(|s| s.to_string()),
            port: rest.get(1).map(|s| s.to_string()),
            line: n,
        });
    }
    Some(out)
}

//! Cisco IOS / IOS-XE `show lldp neighbors detail` and `show cdp neighbors detail`.

use super::super::{is_prompt, Read};
use super::{field, rule_line, Neighbor};

/// Fields of an LLDP entry that are read and not needed (their values never name a link).
const LLDP_FIELDS: &[&str] = &[
    "chassis id",
    "port description",
    "system name",
    "time remaining",
    "system capabilities",
    "enabled capabilities",
    "auto negotiation",
    "media attachment unit type",
    "vlan id",
    "peer source mac",
    "total entries displayed",
    "capability codes",
    "device type",
    "network policy",
    "power type",
    "power source",
    "power priority",
    "wattage",
];

/// Multi-line fields: the lines after them (until a blank line or a known field) are
/// free text or a list (system description, addresses, media capabilities, LLDP-MED).
const LLDP_BLOCKS: &[&str] = &[
    "system description",
    "management addresses",
    "physical media capabilities",
    "med information",
    "unknown tlvs",
];

#[derive(Default)]
struct Entry {
    local: Option<(String, u32)>,
    name: Option<String>,
    port: Option<String>,
    desc: Option<String>,
    start: u32,
}

fn flush(e: &mut Entry, proto: &'static str, out: &mut Read<Neighbor>) {
    let e = std::mem::take(e);
    if e.start == 0 {
        return;
    }
    match (e.local, e.name, e.port) {
        (Some((local_if, line)), Some(remote_name), Some(remote_port)) => {
            out.items.push(Neighbor {
                local_if,
                remote_name,
                remote_port,
                remote_port_desc: e.desc,
                protocol: proto,
                line,
            })
        }
        (local, name, port) => {
            let missing: Vec<&str> = [
                (local.is_none(), "local interface"),
                (name.is_none(), "neighbour name"),
                (port.is_none(), "neighbour port"),
            ]
            .iter()
            .filter(|m| m.0)
            .map(|m| m.1)
            .collect();
            out.unrecognized.push((
                local.map(|l| l.1).unwrap_or(e.start),
                format!(
                    "{proto} entry without {} (truncated output?)",
                    missing.join(", ")
                ),
            ));
        }
    }
}

/// `show lldp neighbors detail`: entries separated by dashed lines, one `Key: value` per
/// line.
pub fn lldp(text: &str) -> Read<Neighbor> {
    let mut out = Read::default();
    let mut e = Entry::default();
    let mut in_block = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let line = raw.trim_end();
        if line.trim().is_empty() {
            in_block = false;
            continue;
        }
        if rule_line(line) {
            flush(&mut e, "LLDP", &mut out);
            in_block = false;
            continue;
        }
        if is_prompt(line) {
            continue;
        }
        // `Key: value`, or `Key - value` (`Auto Negotiation - supported, enabled`).
        let key = line
            .split_once(':')
            .or_else(|| line.split_once(" - "))
            .map(|(k, _)| k.trim().to_ascii_lowercase());
        let known = key.as_deref().is_some_and(|k| {
            k == "local intf"
                || k == "port id"
                || LLDP_FIELDS.contains(&k)
                || LLDP_BLOCKS.contains(&k)
        });
        if !known && in_block {
            continue; // free text of a multi-line field
        }
        if e.start == 0 && key.as_deref() != Some("total entries displayed") {
            e.start = n;
        }
        if let Some(v) = field(line, "local intf") {
            if e.local.is_some() {
                // A second entry without a separator line.
                flush(&mut e, "LLDP", &mut out);
                e.start = n;
            }
            e.local = Some((v.to_string(), n));
        } else if let Some(v) = field(line, "port id") {
            e.port = Some(v.to_string());
        } else if let Some(v) = field(line, "system name") {
            e.name = Some(v.to_string());
        } else if let Some(v) = field(line, "port description") {
            e.desc = Some(v.to_string());
        } else if key.as_deref().is_some_and(|k| LLDP_BLOCKS.contains(&k)) {
            in_block = true;
        } else if known {
            in_block = false;
        } else if line.trim_start().starts_with('(') {
            // Capability legend lines under `Capability codes:`.
        } else {
            out.unrecognized
                .push((n, "not an LLDP neighbour field".to_string()));
        }
    }
    flush(&mut e, "LLDP", &mut out);
    out
}

/// Fields of a CDP entry that are read and not needed.
const CDP_FIELDS: &[&str] = &[
    "platform",
    "holdtime",
    "advertisement version",
    "protocol hello",
    "vtp management domain",
    "native vlan",
    "duplex",
    "power drawn",
    "power request id",
    "power management id",
    "power request levels are",
    "power available toi",
    "unidirectional mode",
    "system name",
    "mgmt address(es)",
    "peer source mac",
    "total cdp entries displayed",
];

const CDP_BLOCKS: &[&str] = &["entry address(es)", "management address(es)", "version"];

/// `show cdp neighbors detail`: entries separated by dashed lines; `Device ID:` names
/// the neighbour, `Interface: <local>,  Port ID (outgoing port): <remote>` the two ports.
pub fn cdp(text: &str) -> Read<Neighbor> {
    let mut out = Read::default();
    let mut e = Entry::default();
    let mut in_block = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let line = raw.trim_end();
        if line.trim().is_empty() {
            in_block = false;
            continue;
        }
        if rule_line(line) {
            flush(&mut e, "CDP", &mut out);
            in_block = false;
            continue;
        }
        if is_prompt(line) {
            continue;
        }
        let t = line.trim_start();
        let key = t
            .split_once(':')
            .map(|(k, _)| k.trim().to_ascii_lowercase());
        let known = key.as_deref().is_some_and(|k| {
            k == "device id"
                || k == "interface"
                || CDP_FIELDS.contains(&k)
                || CDP_BLOCKS.contains(&k)
        });
        if !known && in_block {
            continue;
        }
        if e.start == 0 && key.as_deref() != Some("total cdp entries displayed") {
            e.start = n;
        }
        if let Some(v) = field(t, "device id") {
            if e.name.is_some() {
                flush(&mut e, "CDP", &mut out);
                e.start = n;
            }
            e.name = Some(v.to_string());
        } else if key.as_deref() == Some("interface") {
            // `Interface: Gi1/0/24,  Port ID (outgoing port): Gi0/1`
            let rest = t.split_once(':').map(|x| x.1).unwrap_or("");
            match rest.split_once(',') {
                Some((local, r)) if field(r, "port id (outgoing port)").is_some() => {
                    e.local = Some((local.trim().to_string(), n));
                    e.port = field(r, "port id (outgoing port)").map(str::to_string);
                }
                _ => out.unrecognized.push((
                    n,
                    "CDP Interface line without \"Port ID (outgoing port)\"".to_string(),
                )),
            }
        } else if key.as_deref().is_some_and(|k| k == "platform") {
            // `Platform: cisco WS-C2960X,  Capabilities: Switch IGMP`
        } else if key.as_deref().is_some_and(|k| CDP_BLOCKS.contains(&k)) {
            in_block = true;
        } else if known {
            in_block = false;
        } else {
            out.unrecognized
                .push((n, "not a CDP neighbour field".to_string()));
        }
    }
    flush(&mut e, "CDP", &mut out);
    out
}

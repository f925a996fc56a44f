//! AlliedWare Plus `show lldp neighbors detail`: one block per local port, headed
//! `Local port1.0.1:`, fields as `Name ....... value`; several neighbours on one port
//! each start again with their `Chassis ID Type`.

use super::super::{is_prompt, Read};
use super::Neighbor;

/// AlliedWare Plus output heads a port's block with `Local <port>:`.
pub fn looks_like(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        t.starts_with("Local ") && t.ends_with(':') && !t.contains("Intf")
    })
}

/// `Name ...... value` → (name lower-cased, value).
fn dotted(line: &str) -> Option<(String, &str)> {
    let t = line.trim();
    let i = t.find(" ..")?;
    let k = t[..i].trim().to_ascii_lowercase();
    let v = t[i..].trim_start_matches([' ', '.']).trim();
    Some((k, v))
}

#[derive(Default)]
struct Entry {
    name: Option<String>,
    port: Option<String>,
    desc: Option<String>,
    start: u32,
}

pub fn lldp(text: &str) -> Read<Neighbor> {
    let mut out = Read::default();
    let mut local: Option<String> = None;
    let mut e = Entry::default();
    let flush = |local: &Option<String>, e: &mut Entry, out: &mut Read<Neighbor>| {
        let e = std::mem::take(e);
        if e.start == 0 {
            return;
        }
        match (local, e.name, e.port) {
            (Some(l), Some(name), Some(port)) => out.items.push(Neighbor {
                local_if: l.clone(),
                remote_name: name,
                remote_port: port,
                remote_port_desc: e.desc,
                protocol: "LLDP",
                line: e.start,
            }),
            _ => out.unrecognized.push((
                e.start,
                "LLDP neighbour without local port, System Name or Port ID (truncated output?)"
                    .to_string(),
            )),
        }
    };
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let t = raw.trim();
        if t.is_empty() || is_prompt(raw) {
            continue;
        }
        if let Some(p) = t.strip_prefix("Local ").and_then(|r| r.strip_suffix(':')) {
            flush(&local, &mut e, &mut out);
            local = Some(p.trim().to_string());
            continue;
        }
        if t.starts_with("Neighbors table last updated") {
            continue;
        }
        let Some((k, v)) = dotted(t) else {
            // `- Enabled .... Bridge` continuation of System Capabilities is dotted too;
            // anything else here is not this output.
            out.unrecognized
                .push((n, "not an LLDP neighbour field".to_string()));
            continue;
        };
        match k.as_str() {
            "chassis id type" => {
                flush(&local, &mut e, &mut out);
                e.start = n;
            }
            "system name" => e.name = Some(v.to_string()),
            "port id" => e.port = Some(v.to_string()),
            "port description" => e.desc = Some(v.to_string()),
            _ => {}
        }
        if e.start == 0 {
            e.start = n;
        }
    }
    flush(&local, &mut e, &mut out);
    out
}

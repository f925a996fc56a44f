//! FortiOS `diagnose lldprx neighbor [summary|details]` (and `get system lldp
//! neighbors`): one line per neighbour,
//! `1 port 'wan1' 5 mac 6c:41:… chassis 6c:41:… port 'Te1/0/1' system 'Switch'` — the
//! first quoted `port` is the local one, the second the neighbour's.

use super::super::{is_prompt, Read};
use super::Neighbor;

/// The quoted values after each occurrence of `key` (`port 'x'`), in order.
fn quoted<'a>(line: &'a str, key: &str) -> Vec<&'a str> {
    let pat = format!("{key} '");
    let mut v = vec![];
    let mut rest = line;
    while let Some(i) = rest.find(&pat) {
        // Only a whole word: `port` not inside `xport`.
        let ok = i == 0 || rest.as_bytes()[i - 1] == b' ';
        let after = &rest[i + pat.len()..];
        let Some(j) = after.find('\'') else { break };
        if ok {
            v.push(&after[..j]);
        }
        rest = &after[j + 1..];
    }
    v
}

pub fn lldprx(text: &str) -> Read<Neighbor> {
    let mut out = Read::default();
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let t = raw.trim();
        if t.is_empty() || is_prompt(raw) {
            continue;
        }
        let ports = quoted(t, "port");
        let sys = quoted(t, "system");
        match (ports.as_slice(), sys.first()) {
            ([local, remote, ..], Some(name)) => out.items.push(Neighbor {
                local_if: local.to_string(),
                remote_name: name.to_string(),
                remote_port: remote.to_string(),
                remote_port_desc: None,
                protocol: "LLDP",
                line: n,
            }),
            _ => out.unrecognized.push((
                n,
                "not an LLDP neighbour line (port '<local>' … port '<remote>' system '<name>')"
                    .to_string(),
            )),
        }
    }
    out
}

//! Neighbour tables: who a device says is at the far end of each of its ports.
//! Cisco IOS/IOS-XE `show lldp neighbors detail` and `show cdp neighbors detail`,
//! AlliedWare Plus `show lldp neighbors detail`, FortiOS `diagnose lldprx neighbor
//! [summary|details]` / `get system lldp neighbors`. Each reader turns the text into
//! [`Neighbor`] entries and lists every line it does not understand; resolving the
//! names to devices and interfaces of the snapshot is [`super::topology`]'s job.

mod awplus;
mod cisco;
mod fortios;

pub(crate) use super::rule_line;
use super::Read;

/// One neighbour entry: on `local_if` the device hears `remote_name` on `remote_port`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neighbor {
    /// The local interface as printed (`Gi1/0/24`, `port1.0.1`, `port1`).
    pub local_if: String,
    /// The neighbour's system name / device ID as printed (may carry a domain suffix
    /// or, for CDP on NX-OS, a serial number in parentheses).
    pub remote_name: String,
    /// The neighbour's port id as printed (an interface name, or a MAC for hosts).
    pub remote_port: String,
    /// The neighbour's port description, when given (a second chance to name the port).
    pub remote_port_desc: Option<String>,
    /// `LLDP` or `CDP`.
    pub protocol: &'static str,
    /// Line of the entry (its local interface line, or the entry's only line).
    pub line: u32,
}

/// The commands (state file names) this module reads.
pub const COMMANDS: &[&str] = &[
    "show_lldp_neighbors_detail",
    "show_cdp_neighbors_detail",
    "diagnose_lldprx_neighbor",
    "diagnose_lldprx_neighbor_summary",
    "diagnose_lldprx_neighbor_details",
    "get_system_lldp_neighbors",
];

/// Read the neighbour table of `command`'s output, or `None` if `command` is not one.
/// `show lldp neighbors detail` is written by Cisco and AlliedWare Plus alike; the text
/// tells them apart (AlliedWare Plus heads each port's block with `Local port…:` and
/// dots its fields).
pub fn read(command: &str, text: &str) -> Option<Read<Neighbor>> {
    let mut r = match command {
        "show_lldp_neighbors_detail" => {
            if awplus::looks_like(text) {
                awplus::lldp(text)
            } else {
                cisco::lldp(text)
            }
        }
        "show_cdp_neighbors_detail" => cisco::cdp(text),
        c if COMMANDS.contains(&c) => fortios::lldprx(text),
        _ => return None,
    };
    r.unrecognized.sort();
    Some(r)
}

/// `key: value` with the key one of `keys` (compared case-insensitively, spaces inside
/// the key kept): the value, trimmed.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let t = line.trim_start();
    let (k, v) = t.split_once(':')?;
    k.trim().eq_ignore_ascii_case(key).then(|| v.trim())
}

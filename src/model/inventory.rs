//! The inventory a snapshot declares (sanso.toml, topology.toml) and the loaded snapshot:
//! tiers, zones, hosts, declared flows, links — vendor-neutral, read by every later stage.

use super::device::{Device, Mac};
use ipnetwork::Ipv4Network;
use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::path::PathBuf;

/// A user input problem: exit code 2.
#[derive(Debug, thiserror::Error)]
pub struct InputError {
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Mynumber,
    Lgwan,
    Internet,
    External,
}

impl Tier {
    pub fn parse(s: &str) -> Option<Tier> {
        Some(match s {
            "mynumber" => Tier::Mynumber,
            "lgwan" => Tier::Lgwan,
            "internet" => Tier::Internet,
            "external" => Tier::External,
            _ => return None,
        })
    }
    pub fn id(&self) -> &'static str {
        match self {
            Tier::Mynumber => "mynumber",
            Tier::Lgwan => "lgwan",
            Tier::Internet => "internet",
            Tier::External => "external",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Zone {
    pub name: String,
    pub tier: Tier,
    pub kind: String,
    pub subnets: Vec<Ipv4Network>,
    pub vlans: Vec<u16>,
    /// Explicit attachment points (device, interface).
    pub attach: Vec<(String, String)>,
    pub line: u32,
}

#[derive(Clone, Debug)]
pub struct Host {
    pub name: String,
    pub ip: Ipv4Addr,
    pub mac: Option<Mac>,
    pub zone: usize,
    pub role: String,
    pub line: u32,
}

/// `proto/lo-hi`; `proto` 0 with full range means any protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PortSpec {
    pub proto: u8,
    pub lo: u16,
    pub hi: u16,
}

impl PortSpec {
    pub fn parse(s: &str) -> Option<PortSpec> {
        let s = s.trim().to_ascii_lowercase();
        if s == "any" || s == "ip" {
            return Some(PortSpec {
                proto: 0,
                lo: 0,
                hi: 65535,
            });
        }
        let (p, ports) = match s.split_once('/') {
            Some((p, r)) => (p, Some(r)),
            None => (s.as_str(), None),
        };
        let proto = match p {
            "tcp" => 6,
            "udp" => 17,
            "sctp" => 132,
            "icmp" => 1,
            n => n.parse().ok()?,
        };
        let (lo, hi) = match ports {
            None => (0, 65535),
            Some(r) => match r.split_once('-') {
                Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
                None => {
                    let v = r.parse().ok()?;
                    (v, v)
                }
            },
        };
        if lo > hi || (proto == 1 && ports.is_some() && hi > 255) {
            return None;
        }
        Some(PortSpec { proto, lo, hi })
    }
}

impl fmt::Display for PortSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = match self.proto {
            0 => return write!(f, "any"),
            6 => "tcp".to_string(),
            17 => "udp".to_string(),
            132 => "sctp".to_string(),
            1 => "icmp".to_string(),
            n => n.to_string(),
        };
        if self.lo == 0 && self.hi == 65535 {
            write!(f, "{p}")
        } else if self.lo == self.hi {
            write!(f, "{p}/{}", self.lo)
        } else {
            write!(f, "{p}/{}-{}", self.lo, self.hi)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Host(usize),
    Zone(usize),
}

/// The 無害化 methods a `[[mugaika]]` may declare (DESIGN.md).
pub const MUGAIKA_METHODS: &[&str] = &["mail-text", "screen-transfer", "file-sanitize"];

#[derive(Clone, Debug)]
pub struct Flow {
    pub name: String,
    pub method: Option<String>,
    pub from: Endpoint,
    pub to: Endpoint,
    pub ports: Vec<PortSpec>,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkEnd {
    Port { device: String, interface: String },
    Host(String),
}

impl fmt::Display for LinkEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkEnd::Port { device, interface } => write!(f, "{device}:{interface}"),
            LinkEnd::Host(h) => write!(f, "{h}"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Link {
    pub a: LinkEnd,
    pub b: LinkEnd,
    /// Line in topology.toml; 0 for an inferred link.
    pub line: u32,
    /// Not in topology.toml: inferred from the configs (see [`InferredLink`]).
    pub inferred: Option<InferredLink>,
    /// Not in topology.toml: observed in device state or another topology file (see
    /// [`ObservedLink`]).
    pub observed: Option<ObservedLink>,
}

/// Why a link missing from topology.toml was taken from observation: both ends reported
/// by a neighbour protocol (LLDP, CDP) in `state/`, a host's MAC learnt on an access port
/// (MAC address table, with ARP giving the MAC of an address), or Batfish's
/// `batfish/layer1_topology.json`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ObservedLink {
    /// `LLDP`, `CDP`, `MAC table` or `Batfish layer-1`.
    pub from: String,
    /// The lines that say so (one per side that reported it, or the table lines).
    pub evidence: Vec<crate::model::Span>,
}

/// Why a link missing from topology.toml was inferred: two routed interfaces (ports,
/// sub-interfaces' parents, firewall ports) on two devices are the only addresses of one
/// subnet (a /30 or /31, or any subnet with exactly two addresses and no declared host).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InferredLink {
    /// The config lines of the two interfaces (`a` side first).
    pub a_span: crate::model::Span,
    pub b_span: crate::model::Span,
    /// The shared subnet, e.g. `10.1.250.0/30`.
    pub subnet: String,
}

/// A config file that could not be parsed at all; every check becomes unproven.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FileError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Snapshot {
    pub root: PathBuf,
    pub name: String,
    pub model: String,
    pub zones: Vec<Zone>,
    pub hosts: Vec<Host>,
    pub tokutei: Vec<Flow>,
    pub mugaika: Vec<Flow>,
    pub links: Vec<Link>,
    pub devices: Vec<Device>,
    pub file_errors: Vec<FileError>,
    /// Override of the LGWAN-PROTOCOLS allow-list.
    pub lgwan_allowed: Option<Vec<PortSpec>>,
    /// Input files (relative path) in load order, for manifests.
    pub inputs: Vec<String>,
    /// Every input file as it was read at load time, by relative path: what manifests hash
    /// and what reports quote, so no output re-reads the snapshot folder.
    pub sources: BTreeMap<String, SourceFile>,
    /// Device state (`state/<hostname>/<command>.txt`), per device name; the text of each
    /// file is in `sources`.
    pub state: BTreeMap<String, Vec<StateFile>>,
    /// Every device-to-device link the neighbour tables of `state/` show (LLDP, CDP),
    /// whether or not it is in `links` (topology.toml wins): what the TOPOLOGY-RECORD
    /// check compares topology.toml with.
    pub observed_links: Vec<Link>,
    /// Set on the snapshot of one part of a split run (`model::part`): what the part
    /// must know of the rest of the whole snapshot.
    pub split: Option<crate::model::part::SplitContext>,
}

/// One captured `show` output of a device: `state/<hostname>/<command>.txt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateFile {
    /// The command's words joined by `_` (the file name without `.txt`), e.g. `show_ip_route`.
    pub command: String,
    /// Path relative to the snapshot root.
    pub file: String,
}

/// One input file as the loader read it: the SHA-256 and length of its bytes, and its text
/// (lossily decoded as UTF-8, as the parsers saw it) stored once, with the start of every
/// line, so a cited line is a slice and a prefecture of files costs one copy of the text.
#[derive(Clone, Debug, Default)]
pub struct SourceFile {
    /// Lower-case hex SHA-256 of the bytes read.
    pub sha256: String,
    /// Length in bytes of the file read.
    pub len: u64,
    text: String,
    /// Byte offset of the start of each line, as [`str::lines`] counts them.
    starts: Vec<u32>,
    /// One byte per line: how the line must be redacted given the lines before it (a
    /// line inside a key block is secret as a whole), set by the loader
    /// (`ingest::redact::FileRedaction`); empty means no context.
    pub redaction: Vec<u8>,
}

impl SourceFile {
    /// `text` is the decoded content of a file of `len` bytes whose SHA-256 is `sha256`.
    pub fn new(text: String, sha256: String, len: u64) -> SourceFile {
        let mut starts = Vec::new();
        if !text.is_empty() {
            starts.push(0);
        }
        let b = text.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' && i + 1 < b.len() {
                starts.push((i + 1) as u32);
            }
        }
        SourceFile {
            sha256,
            len,
            text,
            starts,
            redaction: Vec::new(),
        }
    }

    /// The whole decoded text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of lines (as [`str::lines`] counts them).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Line `n` (1-based) without its line ending, or `None` past the end.
    pub fn line(&self, n: usize) -> Option<&str> {
        let start = *self.starts.get(n.checked_sub(1)?)? as usize;
        let rest = &self.text[start..];
        let l = rest.split('\n').next().unwrap_or("");
        Some(l.strip_suffix('\r').unwrap_or(l))
    }
}

impl Snapshot {
    /// Every input file once, sorted: (relative path, SHA-256, bytes) as the loader
    /// recorded them when it read the file (never re-read from disk). An input the
    /// loader has no record of gets an empty hash.
    pub fn input_hashes(&self) -> Vec<(String, String, u64)> {
        let mut inputs: Vec<&String> = self.inputs.iter().collect();
        inputs.sort();
        inputs.dedup();
        inputs
            .into_iter()
            .map(|rel| match self.sources.get(rel) {
                Some(s) => (rel.clone(), s.sha256.clone(), s.len),
                None => (rel.clone(), String::new(), 0),
            })
            .collect()
    }

    /// Longest-prefix zone of an address.
    pub fn zone_of(&self, ip: Ipv4Addr) -> Option<usize> {
        let mut best: Option<(u8, usize)> = None;
        for (i, z) in self.zones.iter().enumerate() {
            for n in &z.subnets {
                if n.contains(ip) && best.is_none_or(|(l, _)| n.prefix() > l) {
                    best = Some((n.prefix(), i));
                }
            }
        }
        best.map(|b| b.1)
    }

    pub fn endpoint_name(&self, e: Endpoint) -> &str {
        match e {
            Endpoint::Host(h) => &self.hosts[h].name,
            Endpoint::Zone(z) => &self.zones[z].name,
        }
    }
    pub fn endpoint_zone(&self, e: Endpoint) -> usize {
        match e {
            Endpoint::Host(h) => self.hosts[h].zone,
            Endpoint::Zone(z) => z,
        }
    }
}

/// Canonical interface name: expands the usual Cisco abbreviations so links may use
/// `Gi1/0/1` or `GigabitEthernet1/0/1`. Comparison is case-insensitive.
pub fn canon_ifname(name: &str) -> String {
    const ABBR: &[(&str, &str)] = &[
        ("tengigabitethernet", "TenGigabitEthernet"),
        ("gigabitethernet", "GigabitEthernet"),
        ("fastethernet", "FastEthernet"),
        ("port-channel", "Port-channel"),
        ("te", "TenGigabitEthernet"),
        ("gi", "GigabitEthernet"),
        ("fa", "FastEthernet"),
        ("po", "Port-channel"),
        ("vl", "Vlan"),
    ];
    let lower = name.to_ascii_lowercase();
    let split = lower
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (word, rest) = lower.split_at(split);
    for (a, full) in ABBR {
        if word == *a {
            return format!("{full}{rest}").to_ascii_lowercase();
        }
    }
    lower
}

pub fn parse_mac(s: &str) -> Option<Mac> {
    let hex: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let seps = s
        .chars()
        .filter(|c| !c.is_ascii_hexdigit())
        .all(|c| matches!(c, ':' | '-' | '.'));
    if hex.len() != 12 || !seps {
        return None;
    }
    let v = u64::from_str_radix(&hex, 16).ok()?;
    let b = v.to_be_bytes();
    Some(Mac::new(b[2], b[3], b[4], b[5], b[6], b[7]))
}

#[cfg(test)]
mod tests {
    use super::SourceFile;

    #[test]
    fn source_lines_are_the_lines_str_lines_gives() {
        for text in ["", "\n", "a", "a\n", "a\r\nb", "a\n\nb\n", "x\ny\r\n\r\nz"] {
            let f = SourceFile::new(text.to_string(), String::new(), text.len() as u64);
            let want: Vec<&str> = text.lines().collect();
            let got: Vec<&str> = (1..=f.line_count()).map(|n| f.line(n).unwrap()).collect();
            assert_eq!(got, want, "{text:?}");
            assert_eq!(f.line(0), None);
            assert_eq!(f.line(want.len() + 1), None);
        }
    }
}

//! A Linux device folder (`configs/<device>/`): netfilter ruleset plus `ip -j` dumps.
//!
//! | file | produced by | gives |
//! |---|---|---|
//! | `ruleset.nft` / `ruleset.json` | `nft list ruleset` / `nft -j list ruleset` | netfilter chains |
//! | `iptables.rules` | `iptables-save` | netfilter chains (merged with nft's) |
//! | `ip-addr.json` | `ip -j addr` | interfaces, addresses, VLAN sub-interfaces, up/down |
//! | `ip-route.json` | `ip -j route` | static routes (connected routes come from addresses) |
//! | `bridge-link.json` | `bridge -j link` | bridge ports (`master`) |
//! | `bridge-vlan.json` | `bridge -j vlan` | VLAN filtering: access / trunk ports, bridge SVIs |
//! | `sysctl.txt` | `sysctl net.ipv4.ip_forward` | forwarding on/off (default: on) |
//!
//! Missing `sysctl.txt` means forwarding ON: the conservative choice, since a device that
//! forwards can only connect more than one that does not. See docs/linux.md.

pub mod secrets;

use super::{iptables, nftables, ParseError};
use crate::model::{
    Device, IfMode, Interface, Route, Scope, SourceFile, Span, Unrecognized, VlanSet,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::Path;

/// File names this loader reads; a folder under `configs/` with any of them is a Linux
/// device.
pub const FILES: &[&str] = &[
    "ruleset.nft",
    "ruleset.json",
    "iptables.rules",
    "ip-addr.json",
    "ip-route.json",
    "bridge-link.json",
    "bridge-vlan.json",
    "sysctl.txt",
];

/// Is `dir` a Linux device folder?
pub fn is_device_dir(dir: &Path) -> bool {
    dir.is_dir() && FILES.iter().any(|f| dir.join(f).is_file())
}

/// Load the device in `dir`; `rel_dir` is its path relative to the snapshot root
/// (`configs/gw1`). The device is named after the folder.
pub fn load(dir: &Path, rel_dir: &str) -> Result<Device, ParseError> {
    load_sources(dir, rel_dir).map(|(d, _)| d)
}

/// [`load`], also returning every file read, by path relative to the snapshot root
/// (`configs/gw1/ruleset.nft`), as read.
pub fn load_sources(
    dir: &Path,
    rel_dir: &str,
) -> Result<(Device, BTreeMap<String, SourceFile>), ParseError> {
    let mut read: BTreeMap<&str, SourceFile> = BTreeMap::new();
    for f in FILES {
        let p = dir.join(f);
        if p.is_file() {
            let src = super::source::read(&p).map_err(|e| ParseError {
                file: format!("{rel_dir}/{f}"),
                line: 1,
                message: format!("cannot read: {e}"),
            })?;
            read.insert(f, src);
        }
    }
    let texts: BTreeMap<&str, String> = read
        .iter()
        .map(|(f, s)| (*f, s.text().to_string()))
        .collect();
    let name = rel_dir.rsplit('/').next().unwrap_or(rel_dir);
    let dev = from_texts(name, rel_dir, &texts)?;
    drop(texts);
    let sources = read
        .into_iter()
        .map(|(f, s)| (format!("{rel_dir}/{f}"), s))
        .collect();
    Ok((dev, sources))
}

/// Build the device from file contents keyed by file name (see [`FILES`]).
pub fn from_texts(
    name: &str,
    rel_dir: &str,
    texts: &BTreeMap<&str, String>,
) -> Result<Device, ParseError> {
    let path = |f: &str| format!("{rel_dir}/{f}");
    let lines_of = |f: &str| texts.get(f).map(|t| t.lines().count() as u32).unwrap_or(0);

    // Rulesets: nft text is preferred to nft JSON (same content); iptables is merged.
    let mut parts: Vec<Device> = vec![];
    let mut ignored_json = false;
    if let Some(t) = texts.get("ruleset.nft") {
        parts.push(nftables::parse(&path("ruleset.nft"), t)?);
        ignored_json = texts.contains_key("ruleset.json");
    } else if let Some(t) = texts.get("ruleset.json") {
        parts.push(nftables::parse_json(&path("ruleset.json"), t)?);
    }
    if let Some(t) = texts.get("iptables.rules") {
        parts.push(iptables::parse(&path("iptables.rules"), t)?);
    }
    let (file, dialect) = match parts.first() {
        Some(p) => (p.file.clone(), p.dialect),
        None => match ["ip-addr.json", "ip-route.json"]
            .iter()
            .find(|f| texts.contains_key(*f))
        {
            // No firewall at all: every packet is accepted by netfilter.
            Some(f) => (path(f), super::nftables::DIALECT),
            None => {
                return Err(ParseError {
                    file: rel_dir.to_string(),
                    line: 1,
                    message: "Linux device folder has neither a ruleset nor ip-addr.json".into(),
                })
            }
        },
    };
    let mut dev = Device::new(name, &file, dialect);
    dev.stateful = true;
    dev.policy_based = false;
    dev.lines = lines_of(file.rsplit('/').next().unwrap_or(""));
    let mut nf = crate::model::Netfilter {
        ip_forward: true,
        chains: vec![],
    };
    for p in parts {
        let pf = p.file.clone();
        if pf != dev.file {
            dev.extra_files.push((pf.clone(), p.lines));
        }
        for mut u in p.unrecognized {
            if pf != dev.file {
                u.file = Some(pf.clone());
            }
            dev.unrecognized.push(u);
        }
        if let Some(n) = p.netfilter {
            nf.chains.extend(n.chains);
        }
    }
    let mut l = Loader {
        dev,
        rel_dir: rel_dir.to_string(),
    };
    if ignored_json {
        l.extra("ruleset.json", lines_of("ruleset.json"));
        l.unrec(
            "ruleset.json",
            1,
            "",
            "not read: ruleset.nft holds the same ruleset",
            Scope::None,
        );
    }
    for f in FILES[3..].iter() {
        if texts.contains_key(f) && path(f) != l.dev.file {
            l.extra(f, lines_of(f));
        }
    }
    if let Some(t) = texts.get("sysctl.txt") {
        nf.ip_forward = l.sysctl(t);
    }
    l.dev.netfilter = Some(nf);
    let bridge_ports = match texts.get("bridge-link.json") {
        Some(t) => l.bridge_links(t)?,
        None => BTreeMap::new(),
    };
    if let Some(t) = texts.get("ip-addr.json") {
        l.addrs(
            t,
            bridge_ports,
            texts.get("bridge-vlan.json").map(|s| s.as_str()),
        )?;
    }
    if let Some(t) = texts.get("ip-route.json") {
        l.routes(t)?;
    }
    Ok(l.dev)
}

struct Loader {
    dev: Device,
    rel_dir: String,
}

fn json(file: &str, text: &str) -> Result<Vec<(u32, Value)>, ParseError> {
    let v: Value = serde_json::from_str(text).map_err(|e| ParseError {
        file: file.to_string(),
        line: e.line() as u32,
        message: format!("invalid JSON: {e}"),
    })?;
    let lines = nftables::element_lines(text, 1);
    match v {
        Value::Array(a) => Ok(a
            .into_iter()
            .enumerate()
            .map(|(i, x)| (lines.get(i).copied().unwrap_or(1), x))
            .collect()),
        // Older iproute2 `bridge -j vlan`: { "port": [vlans…], … }.
        Value::Object(o) => Ok(o
            .into_iter()
            .map(|(k, v)| {
                let mut m = serde_json::Map::new();
                m.insert("ifname".into(), Value::String(k));
                m.insert("vlans".into(), v);
                (1, Value::Object(m))
            })
            .collect()),
        _ => Err(ParseError {
            file: file.to_string(),
            line: 1,
            message: "expected a JSON array".into(),
        }),
    }
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(|x| x.as_str())
}

fn has_flag(v: &Value, k: &str, flag: &str) -> bool {
    v.get(k)
        .and_then(|f| f.as_array())
        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(flag)))
}

/// One bridge VLAN entry: (lo, hi, pvid, untagged).
type VlanEntry = (u16, u16, bool, bool);

fn vlan_entries(v: &Value) -> Vec<VlanEntry> {
    let mut out = vec![];
    for e in v
        .get("vlans")
        .and_then(|x| x.as_array())
        .into_iter()
        .flatten()
    {
        let Some(lo) = e.get("vlan").and_then(|x| x.as_u64()) else {
            continue;
        };
        let hi = e.get("vlanEnd").and_then(|x| x.as_u64()).unwrap_or(lo);
        if !(1..=4094).contains(&lo) || hi < lo || hi > 4094 {
            continue;
        }
        out.push((
            lo as u16,
            hi as u16,
            has_flag(e, "flags", "PVID"),
            has_flag(e, "flags", "Egress Untagged"),
        ));
    }
    out
}

impl Loader {
    fn path(&self, f: &str) -> String {
        format!("{}/{f}", self.rel_dir)
    }
    fn extra(&mut self, f: &str, lines: u32) {
        let p = self.path(f);
        if !self.dev.extra_files.iter().any(|(x, _)| *x == p) {
            self.dev.extra_files.push((p, lines));
        }
    }
    fn unrec(&mut self, f: &str, line: u32, text: &str, reason: &str, scope: Scope) {
        let p = self.path(f);
        self.dev.unrecognized.push(Unrecognized {
            file: (p != self.dev.file).then_some(p),
            line,
            text: crate::ingest::redact::redact_line(text),
            reason: reason.to_string(),
            scope,
        });
    }

    /// `net.ipv4.ip_forward = 0|1`; other keys are listed as not modelled.
    fn sysctl(&mut self, t: &str) -> bool {
        let mut fwd = true;
        for (i, raw) in t.lines().enumerate() {
            let ln = i as u32 + 1;
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') || l.starts_with(';') {
                continue;
            }
            let Some((k, v)) = l.split_once('=') else {
                self.unrec(
                    "sysctl.txt",
                    ln,
                    l,
                    "not a `key = value` line",
                    Scope::Device,
                );
                continue;
            };
            let (k, v) = (k.trim().replace('/', "."), v.trim());
            match k.as_str() {
                "net.ipv4.ip_forward" | "net.ipv4.conf.all.forwarding" => match v {
                    "0" => fwd = false,
                    "1" => fwd = true,
                    _ => self.unrec(
                        "sysctl.txt",
                        ln,
                        l,
                        "forwarding value is not 0 or 1",
                        Scope::Device,
                    ),
                },
                k if k.starts_with("net.ipv4.conf.") && k.ends_with(".forwarding") => {
                    let ifn = k
                        .trim_start_matches("net.ipv4.conf.")
                        .trim_end_matches(".forwarding")
                        .to_string();
                    self.unrec(
                        "sysctl.txt",
                        ln,
                        l,
                        "per-interface forwarding is not modelled",
                        Scope::Interface(ifn),
                    );
                }
                _ => self.unrec("sysctl.txt", ln, l, "sysctl not modelled", Scope::None),
            }
        }
        fwd
    }

    /// `bridge -j link`: port → (bridge, line).
    fn bridge_links(&mut self, t: &str) -> Result<BTreeMap<String, (String, u32)>, ParseError> {
        let mut out = BTreeMap::new();
        for (line, o) in json(&self.path("bridge-link.json"), t)? {
            if let (Some(p), Some(m)) = (s(&o, "ifname"), s(&o, "master")) {
                out.insert(p.to_string(), (m.to_string(), line));
            }
        }
        Ok(out)
    }

    fn addrs(
        &mut self,
        t: &str,
        mut ports: BTreeMap<String, (String, u32)>,
        vlan_text: Option<&str>,
    ) -> Result<(), ParseError> {
        let f = "ip-addr.json";
        let file = self.path(f);
        let objs = json(&file, t)?;
        // Bridge ports also show `master` in `ip addr`.
        for (line, o) in &objs {
            if let (Some(p), Some(m)) = (s(o, "ifname"), s(o, "master")) {
                ports
                    .entry(p.to_string())
                    .or_insert_with(|| (m.to_string(), *line));
            }
        }
        let bridges: BTreeSet<String> = ports.values().map(|(b, _)| b.clone()).collect();
        let mut bridge_kind: BTreeSet<String> = bridges.clone();
        for (_, o) in &objs {
            if o.get("linkinfo").and_then(|l| s(l, "info_kind")) == Some("bridge") {
                if let Some(n) = s(o, "ifname") {
                    bridge_kind.insert(n.to_string());
                }
            }
        }
        if bridge_kind.len() > 1 {
            let line = objs
                .iter()
                .find(|(_, o)| s(o, "ifname").is_some_and(|n| bridge_kind.contains(n)))
                .map(|(l, _)| *l)
                .unwrap_or(1);
            self.unrec(
                f,
                line,
                "",
                &format!(
                    "{} bridges ({}): VLAN ids of different bridges would collide in the model",
                    bridge_kind.len(),
                    bridge_kind.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
                Scope::Device,
            );
        }
        // VLAN filtering per port (and the bridge's own `self` entry).
        let mut vlans: BTreeMap<String, (u32, Vec<VlanEntry>)> = BTreeMap::new();
        let vf = "bridge-vlan.json";
        if let Some(vt) = vlan_text {
            for (line, o) in json(&self.path(vf), vt)? {
                if let Some(n) = s(&o, "ifname") {
                    vlans.insert(n.to_string(), (line, vlan_entries(&o)));
                }
            }
        }
        for (line, o) in objs {
            let Some(name) = s(&o, "ifname").map(str::to_string) else {
                self.unrec(f, line, "", "interface without ifname", Scope::Device);
                continue;
            };
            if name == "lo" || has_flag(&o, "flags", "LOOPBACK") {
                continue;
            }
            let span = Span::new(file.clone(), line);
            let mut i = Interface::new(name.clone(), span.clone());
            i.mac = s(&o, "address").and_then(crate::model::parse_mac);
            let oper = s(&o, "operstate").unwrap_or("UNKNOWN");
            i.shutdown = !has_flag(&o, "flags", "UP")
                || matches!(oper, "DOWN" | "LOWERLAYERDOWN" | "NOTPRESENT");
            for a in o
                .get("addr_info")
                .and_then(|x| x.as_array())
                .into_iter()
                .flatten()
            {
                if s(a, "family") != Some("inet") {
                    continue;
                }
                let ip = s(a, "local").and_then(|x| x.parse::<Ipv4Addr>().ok());
                let len = a
                    .get("prefixlen")
                    .and_then(|x| x.as_u64())
                    .filter(|l| *l <= 32);
                match (ip, len) {
                    (Some(ip), Some(len)) => i.addresses.push((ip, len as u8)),
                    _ => self.unrec(
                        f,
                        line,
                        &name,
                        "IPv4 address entry without local/prefixlen",
                        Scope::Interface(name.clone()),
                    ),
                }
            }
            // VLAN sub-interface: `linkinfo` (ip -d) or the `parent.N` naming convention.
            let link = s(&o, "link").map(str::to_string);
            let info = o.get("linkinfo");
            let vid = if info.and_then(|l| s(l, "info_kind")) == Some("vlan") {
                info.and_then(|l| l.get("info_data"))
                    .and_then(|d| d.get("id"))
                    .and_then(|x| x.as_u64())
                    .map(|x| x as u16)
            } else {
                link.as_ref().and_then(|p| {
                    name.strip_prefix(&format!("{p}."))
                        .and_then(|n| n.parse::<u16>().ok())
                })
            };
            if let (Some(p), Some(v)) = (&link, vid) {
                if bridge_kind.contains(p) {
                    // VLAN device on top of the bridge: the bridge's L3 interface of VLAN v.
                    i.mode = IfMode::Svi { vlan: v };
                    self.dev.vlans.entry(v).or_insert_with(|| span.clone());
                } else {
                    i.parent = Some((p.clone(), v));
                }
            } else if bridge_kind.contains(&name) {
                i.mode = match vlans.get(&name) {
                    None if vlan_text.is_none() => IfMode::Svi { vlan: 1 },
                    None => {
                        self.unrec(
                            vf,
                            1,
                            &name,
                            "bridge has no `self` VLAN entry: assumed VLAN 1",
                            Scope::Interface(name.clone()),
                        );
                        IfMode::Svi { vlan: 1 }
                    }
                    Some((vl, es)) => match es.iter().find(|e| e.2 && e.3) {
                        Some(e) => IfMode::Svi { vlan: e.0 },
                        None => {
                            let vl = *vl;
                            self.unrec(
                                vf,
                                vl,
                                &name,
                                "bridge has no untagged PVID: assumed VLAN 1",
                                Scope::Interface(name.clone()),
                            );
                            IfMode::Svi { vlan: 1 }
                        }
                    },
                };
                if let IfMode::Svi { vlan } = i.mode {
                    self.dev.vlans.entry(vlan).or_insert_with(|| span.clone());
                }
            }
            if ports.contains_key(&name) {
                i.mode = if vlan_text.is_none() {
                    self.dev.vlans.entry(1).or_insert_with(|| span.clone());
                    IfMode::Access { vlan: 1 }
                } else {
                    match vlans.get(&name).cloned() {
                        None => {
                            self.unrec(
                                vf,
                                1,
                                &name,
                                "bridge port without VLAN entries: carries no VLAN",
                                Scope::None,
                            );
                            IfMode::Trunk {
                                allowed: VlanSet::none(),
                                native: 0,
                            }
                        }
                        Some((vl, es)) => {
                            let vspan = Span::new(self.path(vf), vl);
                            i.lines.push(vspan.clone());
                            for e in &es {
                                for v in e.0..=e.1 {
                                    self.dev.vlans.entry(v).or_insert_with(|| vspan.clone());
                                }
                            }
                            self.port_mode(vf, vl, &name, &es)
                        }
                    }
                };
            }
            self.dev.interfaces.push(i);
        }
        Ok(())
    }

    fn port_mode(&mut self, vf: &str, line: u32, name: &str, es: &[VlanEntry]) -> IfMode {
        if let [(lo, hi, true, true)] = es {
            if lo == hi {
                return IfMode::Access { vlan: *lo };
            }
        }
        let mut allowed = VlanSet::none();
        for e in es {
            allowed.add(e.0, e.1);
        }
        let pvid = es.iter().find(|e| e.2);
        let untagged: Vec<_> = es.iter().filter(|e| e.3).collect();
        let native = match pvid {
            Some(p) if p.3 && p.0 == p.1 => p.0,
            _ => 0,
        };
        let asym = match pvid {
            Some(p) => !p.3 || untagged.len() > 1,
            None => !untagged.is_empty(),
        };
        if asym {
            self.unrec(
                vf,
                line,
                name,
                "PVID and untagged egress VLANs differ: untagged frames are not modelled",
                Scope::Interface(name.to_string()),
            );
        }
        IfMode::Trunk { allowed, native }
    }

    fn routes(&mut self, t: &str) -> Result<(), ParseError> {
        let file = self.path("ip-route.json");
        let (routes, unrec) = ip_route_json(&file, t)?;
        self.dev.routes.extend(routes);
        for mut u in unrec {
            if u.file.as_deref() == Some(self.dev.file.as_str()) {
                u.file = None;
            }
            self.dev.unrecognized.push(u);
        }
        Ok(())
    }
}

/// The routes of `ip -j route` output (`file` relative to the snapshot root): unicast and
/// discard routes of the main table, one [`Route`] per next hop; connected routes are left
/// out (they come from interface addresses); routes of other tables and types are listed
/// as not understood (with `file` set). Also read from `state/<device>/ip_-j_route.txt`.
pub fn ip_route_json(file: &str, t: &str) -> Result<(Vec<Route>, Vec<Unrecognized>), ParseError> {
    let mut routes = vec![];
    let mut unrec = vec![];
    let mut un = |line: u32, text: &str, reason: &str| {
        unrec.push(Unrecognized {
            file: Some(file.to_string()),
            line,
            text: crate::ingest::redact::redact_line(text),
            reason: reason.to_string(),
            scope: Scope::Routing,
        })
    };
    for (line, o) in json(file, t)? {
        let ty = s(&o, "type").unwrap_or("unicast");
        let table = s(&o, "table").unwrap_or("main");
        let dst = s(&o, "dst").unwrap_or("");
        if matches!(table, "local" | "broadcast")
            || matches!(ty, "local" | "broadcast" | "multicast" | "anycast")
        {
            continue;
        }
        if dst.contains(':') {
            continue; // IPv6 (out of scope)
        }
        if table != "main" && table != "default" {
            un(
                line,
                dst,
                &format!("route in table `{table}` (policy routing is not modelled)"),
            );
            continue;
        }
        let (prefix, len) = if dst == "default" {
            (Ipv4Addr::UNSPECIFIED, 0)
        } else {
            let (a, l) = dst.split_once('/').unwrap_or((dst, "32"));
            match (a.parse::<Ipv4Addr>(), l.parse::<u8>()) {
                (Ok(a), Ok(l)) if l <= 32 => (a, l),
                _ => {
                    un(line, dst, "route destination is not understood");
                    continue;
                }
            }
        };
        let span = Span::new(file, line);
        let discard = matches!(ty, "blackhole" | "unreachable" | "prohibit");
        if !discard && ty != "unicast" {
            un(line, dst, &format!("route type `{ty}` is not modelled"));
            continue;
        }
        // Connected routes come from interface addresses.
        if s(&o, "protocol") == Some("kernel")
            && s(&o, "scope") == Some("link")
            && o.get("gateway").is_none()
        {
            continue;
        }
        let hops: Vec<Value> = match o.get("nexthops").and_then(|x| x.as_array()) {
            Some(h) => h.clone(),
            None => vec![o.clone()],
        };
        for h in hops {
            let gw = s(&h, "gateway");
            let next_hop = match gw.map(|g| g.parse::<Ipv4Addr>()) {
                None => None,
                Some(Ok(g)) => Some(g),
                Some(Err(_)) => {
                    un(line, dst, "gateway is not an IPv4 address");
                    continue;
                }
            };
            routes.push(Route {
                prefix: Ipv4Addr::from(
                    u32::from(prefix) & if len == 0 { 0 } else { u32::MAX << (32 - len) },
                ),
                len,
                next_hop,
                interface: s(&h, "dev").map(str::to_string),
                discard,
                span: span.clone(),
            });
        }
    }
    Ok((routes, unrec))
}

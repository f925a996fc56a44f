//! `sanso init`: a draft `sanso.toml` and `topology.toml` from `configs/` and `state/`.
//! One zone per network of an SVI, a routed port or a firewall interface (a /30 or /31
//! that two devices share is a transit link, not a zone), named from the VLAN name or the
//! interface description; every tier left as [`UNSET_TIER`] for the user, who alone knows
//! which tier a network serves. Hosts come from ARP tables, links from the neighbour
//! tables, shared point-to-point subnets ([`infer_links`]) and MAC tables.

use super::snapshot::{infer_links, load_configs, UNSET_TIER};
use super::state;
use crate::model::{Host, IfMode, InputError, Link, LinkEnd, SourceFile, Span};
use ipnetwork::Ipv4Network;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write;
use std::net::Ipv4Addr;
use std::path::Path;

/// The two drafted files and what they hold.
pub struct Draft {
    pub sanso_toml: String,
    pub topology_toml: String,
    pub zones: usize,
    pub hosts: usize,
    pub links: usize,
}

struct DraftZone {
    name: String,
    net: Ipv4Network,
    vlans: BTreeSet<u16>,
    /// Where it was seen: `device interface (file:line)`, and the name's source.
    seen: Vec<String>,
}

/// The value of the first of `keys` in the stanza that starts at `span` (`description
/// …`, `name …`, FortiOS `set alias "…"`): the lines after the header that are indented
/// deeper than it, up to `next`, `!` or `exit`.
pub fn stanza_value(
    sources: &BTreeMap<String, SourceFile>,
    span: &Span,
    keys: &[&str],
) -> Option<String> {
    let src = sources.get(&span.file)?;
    let header = src.line(span.line as usize)?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let hi = indent(header);
    let mut n = span.line as usize + 1;
    let mut found: Option<(usize, String)> = None;
    while let Some(l) = src.line(n) {
        let t = l.trim();
        if t.is_empty() {
            n += 1;
            continue;
        }
        if indent(l) <= hi || ["next", "end", "!", "exit"].contains(&t) {
            break;
        }
        for (k_i, k) in keys.iter().enumerate() {
            if let Some(v) = t.strip_prefix(k).filter(|v| v.starts_with(' ')) {
                let v = v.trim().trim_matches('"').to_string();
                if !v.is_empty() && found.as_ref().is_none_or(|(fi, _)| k_i < *fi) {
                    found = Some((k_i, v));
                }
            }
        }
        n += 1;
    }
    found.map(|f| f.1)
}

/// A zone name from free text: ASCII letters and digits lower-cased, runs of anything
/// else one `-`; empty when nothing ASCII is left (a Japanese-only description).
pub fn sanitise(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-')
        .chars()
        .take(40)
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

/// TOML basic string (quotes, backslashes and control characters escaped).
fn q(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A comment's text on one line.
fn c(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

fn cable_or_l3(i: &crate::model::Interface) -> bool {
    let l = i.name.to_ascii_lowercase();
    let virtual_if = l == "lo"
        || ["loopback", "null", "tunnel", "ssl.", "dialer"]
            .iter()
            .any(|p| l.starts_with(p));
    !i.shutdown && !virtual_if && matches!(i.mode, IfMode::Routed | IfMode::Svi { .. })
}

/// Draft the two files for the snapshot folder `root` (its configs/ and state/).
pub fn draft(root: &Path) -> Result<Draft, InputError> {
    let cfg = load_configs(root, &HashMap::new())?;
    let mut devices = cfg.devices;
    let mut sources = cfg.sources;
    if devices.is_empty() {
        return Err(InputError {
            file: "configs/".into(),
            line: None,
            message: "no device configurations to draft from".into(),
        });
    }
    let found = state::discover(root, &devices);
    sources.extend(found.sources);
    let tables = state::read_tables(&mut devices, &found.files, &sources);
    let observed = state::topology::neighbor_links(&mut devices, &tables, &sources);

    // Which devices hold an address in each /30 or /31: two or more make it a transit.
    let mut p2p: HashMap<Ipv4Network, BTreeSet<usize>> = HashMap::new();
    let own: HashSet<Ipv4Addr> = devices
        .iter()
        .flat_map(|d| {
            d.interfaces
                .iter()
                .flat_map(|i| i.addresses.iter().map(|a| a.0))
        })
        .collect();
    for (di, d) in devices.iter().enumerate() {
        for i in &d.interfaces {
            for &(a, len) in &i.addresses {
                if let (true, Ok(n)) = (len >= 30, Ipv4Network::new(a, len)) {
                    p2p.entry(Ipv4Network::new(n.network(), len).expect("valid"))
                        .or_default()
                        .insert(di);
                }
            }
        }
    }

    // Zones, in device and interface order.
    let mut zones: Vec<DraftZone> = vec![];
    let mut names: HashSet<String> = HashSet::new();
    for d in &devices {
        for i in &d.interfaces {
            if !cable_or_l3(i) {
                continue;
            }
            for &(a, len) in &i.addresses {
                if len > 30 {
                    continue;
                }
                let Ok(n) = Ipv4Network::new(a, len) else {
                    continue;
                };
                let net = Ipv4Network::new(n.network(), len).expect("valid");
                if len >= 30 && p2p.get(&net).is_some_and(|s| s.len() >= 2) {
                    continue;
                }
                let vlan = match i.mode {
                    IfMode::Svi { vlan } => Some(vlan),
                    _ => None,
                };
                let where_ = format!("{} {} ({})", d.name, i.name, i.span);
                if let Some(z) = zones.iter_mut().find(|z| z.net == net) {
                    z.vlans.extend(vlan);
                    z.seen.push(where_);
                    continue;
                }
                let vname = vlan
                    .and_then(|v| d.vlans.get(&v))
                    .and_then(|s| stanza_value(&sources, s, &["name"]));
                let desc = stanza_value(
                    &sources,
                    &i.span,
                    &["description", "set alias", "set description"],
                );
                let (base, why) = match (
                    vname.as_deref().map(sanitise),
                    desc.as_deref().map(sanitise),
                ) {
                    (Some(v), _) if !v.is_empty() => (
                        v,
                        format!(
                            "VLAN {} name {}",
                            vlan.unwrap_or(0),
                            vname.clone().unwrap_or_default()
                        ),
                    ),
                    (_, Some(x)) if !x.is_empty() => (
                        x,
                        format!("description {}", desc.clone().unwrap_or_default()),
                    ),
                    _ => (
                        sanitise(&format!("{}-{}", d.name, i.name)),
                        match &desc {
                            Some(x) => format!("description {x} (no ASCII to name it by)"),
                            None => "no VLAN name or description".to_string(),
                        },
                    ),
                };
                let mut name = if base.is_empty() {
                    "zone".to_string()
                } else {
                    base
                };
                if names.contains(&name) {
                    let mut k = 2;
                    while names.contains(&format!("{name}-{k}")) {
                        k += 1;
                    }
                    name = format!("{name}-{k}");
                }
                names.insert(name.clone());
                zones.push(DraftZone {
                    name,
                    net,
                    vlans: vlan.into_iter().collect(),
                    seen: vec![format!("{where_}: {why}")],
                });
            }
        }
    }

    // Hosts: answered ARP entries inside a drafted zone that are no device's own address.
    let zone_of = |ip: Ipv4Addr| -> Option<usize> {
        zones
            .iter()
            .enumerate()
            .filter(|(_, z)| z.net.contains(ip))
            .max_by_key(|(_, z)| z.net.prefix())
            .map(|(i, _)| i)
    };
    let mut arp_hosts: BTreeMap<Ipv4Addr, (crate::model::Mac, Span)> = BTreeMap::new();
    for (_, f, e) in &tables.arp {
        if own.contains(&e.ip) || zone_of(e.ip).is_none() {
            continue;
        }
        arp_hosts
            .entry(e.ip)
            .or_insert((e.mac, Span::new(f.clone(), e.line)));
    }
    // A MAC answering for several addresses (proxy ARP, a router) names no one host.
    let mut mac_count: HashMap<crate::model::Mac, usize> = HashMap::new();
    for (m, _) in arp_hosts.values() {
        *mac_count.entry(*m).or_default() += 1;
    }
    let hosts: Vec<Host> = arp_hosts
        .iter()
        .map(|(ip, (m, _))| Host {
            name: format!("host-{}", ip.to_string().replace('.', "-")),
            ip: *ip,
            mac: (mac_count[m] == 1).then_some(*m),
            zone: zone_of(*ip).expect("filtered"),
            role: String::new(),
            line: 0,
        })
        .collect();

    // Links: neighbours, then shared point-to-point subnets, then hosts on access ports.
    let mut links: Vec<Link> = observed.clone();
    let mut taken: HashSet<(String, String)> = HashSet::new();
    for l in &links {
        for e in [&l.a, &l.b] {
            if let LinkEnd::Port { device, interface } = e {
                taken.insert((device.clone(), interface.clone()));
            }
        }
    }
    let host_ips: Vec<Ipv4Addr> = hosts.iter().map(|h| h.ip).collect();
    let inferred = infer_links(&devices, &taken, &host_ips);
    for l in &inferred {
        for e in [&l.a, &l.b] {
            if let LinkEnd::Port { device, interface } = e {
                taken.insert((device.clone(), interface.clone()));
            }
        }
    }
    links.extend(inferred);
    links.extend(state::topology::host_links(
        &devices,
        &hosts,
        &tables,
        &HashSet::new(),
        &taken,
    ));

    // sanso.toml
    let org = root
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "draft".into());
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Draft written by `sanso init` from configs/ and state/: check every entry."
    );
    let _ = writeln!(s, "# Every zone's tier is \"{UNSET_TIER}\": set it to mynumber | lgwan | internet | external.");
    let _ = writeln!(
        s,
        "# `sanso audit` names the zones still to do until every tier is set."
    );
    let _ = writeln!(s, "[organization]");
    let _ = writeln!(s, "name  = {}", q(&org));
    let _ = writeln!(
        s,
        "model = \"alpha\"                  # alpha | alpha-prime | beta | beta-prime"
    );
    for z in &zones {
        let _ = writeln!(s);
        let _ = writeln!(s, "[[zone]]");
        for w in &z.seen {
            let _ = writeln!(s, "# {}", c(w));
        }
        let _ = writeln!(s, "name    = {}", q(&z.name));
        let _ = writeln!(
            s,
            "tier    = \"{UNSET_TIER}\"                 # mynumber | lgwan | internet | external"
        );
        let _ = writeln!(s, "# kind  = \"servers\" | \"terminals\"; external: lgwan | internet | security-cloud | juki-net | chukan-server | …");
        let _ = writeln!(s, "subnets = [\"{}\"]", z.net);
        if !z.vlans.is_empty() {
            let v: Vec<String> = z.vlans.iter().map(|v| v.to_string()).collect();
            let _ = writeln!(s, "vlans   = [{}]", v.join(", "));
        }
    }
    for h in &hosts {
        let _ = writeln!(s);
        let _ = writeln!(s, "[[host]]");
        let (_, sp) = &arp_hosts[&h.ip];
        let _ = writeln!(s, "# from ARP {sp}");
        let _ = writeln!(s, "name = {}", q(&h.name));
        let _ = writeln!(s, "ip   = \"{}\"", h.ip);
        if let Some(m) = h.mac {
            let _ = writeln!(s, "mac  = \"{m}\"");
        }
        let _ = writeln!(s, "zone = {}", q(&zones[h.zone].name));
        let _ = writeln!(s, "# role = \"server\" | \"terminal\" | \"printer\" | …");
    }

    // topology.toml
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Draft written by `sanso init`: links from neighbour tables (LLDP, CDP),"
    );
    let _ = writeln!(
        t,
        "# point-to-point subnets two devices share, and hosts learnt on access ports."
    );
    let _ = writeln!(
        t,
        "# Add the links nothing showed (a link left out can hide a path)."
    );
    for l in &links {
        let _ = writeln!(t);
        let _ = writeln!(t, "[[link]]");
        let why = match (&l.inferred, &l.observed) {
            (Some(i), _) => format!("shared subnet {} ({}, {})", i.subnet, i.a_span, i.b_span),
            (None, Some(o)) => format!(
                "from {}: {}",
                o.from,
                o.evidence
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (None, None) => String::new(),
        };
        let _ = writeln!(t, "# {}", c(&why));
        let _ = writeln!(t, "a = {}", q(&l.a.to_string()));
        let _ = writeln!(t, "b = {}", q(&l.b.to_string()));
    }
    Ok(Draft {
        sanso_toml: s,
        topology_toml: t,
        zones: zones.len(),
        hosts: hosts.len(),
        links: links.len(),
    })
}

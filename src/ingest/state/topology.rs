//! From tables to links: neighbour entries resolved to ports of the snapshot's devices
//! (device-to-device links, with the lines that report them), and declared hosts placed
//! on the access port their MAC was learnt on.

use super::Tables;
use crate::model::{
    canon_ifname, Device, Host, IfMode, Link, LinkEnd, Mac, ObservedLink, Scope, SourceFile, Span,
    Unrecognized,
};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The device a neighbour's system name (or CDP device ID) names: its hostname compared
/// case-insensitively, with a domain suffix (`core.example.lg.jp`) and an NX-OS serial
/// (`core(FOC123)`) stripped from either side.
pub fn device_by_sysname(devices: &[Device], name: &str) -> Option<usize> {
    let bare = |s: &str| {
        let s = s.split('(').next().unwrap_or(s).trim();
        s.split('.').next().unwrap_or(s).to_ascii_lowercase()
    };
    let full = name.split('(').next().unwrap_or(name).trim();
    devices
        .iter()
        .position(|d| d.name.eq_ignore_ascii_case(full))
        .or_else(|| {
            let b = bare(name);
            let hits: Vec<usize> = (0..devices.len())
                .filter(|&i| bare(&devices[i].name) == b)
                .collect();
            (hits.len() == 1).then(|| hits[0])
        })
}

/// The interface of `d` that `name` names (`Gi1/0/24`, `GigabitEthernet1/0/24`, `port1`).
pub fn interface_of(d: &Device, name: &str) -> Option<usize> {
    let want = canon_ifname(name.trim());
    d.interfaces
        .iter()
        .position(|i| canon_ifname(&i.name) == want)
}

fn note(d: &mut Device, file: &str, line: u32, text: String, reason: String) {
    d.unrecognized.push(Unrecognized {
        file: Some(file.to_string()),
        line,
        text,
        reason,
        scope: Scope::None,
    });
}

fn port(devices: &[Device], di: usize, ii: usize) -> LinkEnd {
    LinkEnd::Port {
        device: devices[di].name.clone(),
        interface: devices[di].interfaces[ii].name.clone(),
    }
}

/// Device-to-device links the neighbour tables show, each once (both sides' reports
/// merged), sorted. A neighbour that is not a device of the snapshot (a phone, an access
/// point, a host) is counted as irrelevant; a name that resolves to a device but a port it
/// does not have, and a port that hears two different neighbours, are listed as
/// unrecognized on the reporting device and linked to nothing.
pub fn neighbor_links(
    devices: &mut [Device],
    t: &Tables,
    sources: &BTreeMap<String, SourceFile>,
) -> Vec<Link> {
    type End = (usize, usize);
    /// Who reported a pair: (reporting device, line, protocol).
    type Report = (usize, Span, &'static str);
    let mut pairs: BTreeMap<(End, End), Vec<Report>> = BTreeMap::new();
    let mut notes: Vec<(usize, String, u32, String)> = vec![];
    let mut outside: Vec<usize> = vec![];
    for (di, file, n) in &t.neighbors {
        let (di, d) = (*di, &devices[*di]);
        let Some(li) = interface_of(d, &n.local_if) else {
            notes.push((
                di,
                file.clone(),
                n.line,
                format!(
                    "local interface \"{}\" is not in {}'s config",
                    n.local_if, d.name
                ),
            ));
            continue;
        };
        let Some(ri) = device_by_sysname(devices, &n.remote_name) else {
            outside.push(di);
            continue;
        };
        if ri == di {
            continue; // a loop back to itself: not a link between devices
        }
        let r = &devices[ri];
        let Some(rp) = interface_of(r, &n.remote_port).or_else(|| {
            n.remote_port_desc
                .as_deref()
                .and_then(|x| interface_of(r, x))
        }) else {
            notes.push((
                di,
                file.clone(),
                n.line,
                format!(
                    "neighbour {} port \"{}\" is not an interface of its config",
                    r.name, n.remote_port
                ),
            ));
            continue;
        };
        let (a, b) = ((di, li), (ri, rp));
        let key = if a <= b { (a, b) } else { (b, a) };
        pairs
            .entry(key)
            .or_default()
            .push((di, Span::new(file.clone(), n.line), n.protocol));
    }
    // A port in two different pairs hears two neighbours (a hub, a stale entry): neither
    // is certain.
    let mut seen: BTreeMap<End, usize> = BTreeMap::new();
    for (a, b) in pairs.keys() {
        *seen.entry(*a).or_default() += 1;
        *seen.entry(*b).or_default() += 1;
    }
    let mut out = vec![];
    for ((a, b), ev) in pairs {
        if seen[&a] > 1 || seen[&b] > 1 {
            for (di, s, _) in &ev {
                notes.push((
                    *di,
                    s.file.clone(),
                    s.line,
                    format!(
                        "{} or {} also hears another neighbour: link left out (ambiguous)",
                        port(devices, a.0, a.1),
                        port(devices, b.0, b.1)
                    ),
                ));
            }
            continue;
        }
        let protos: BTreeSet<&str> = ev.iter().map(|e| e.2).collect();
        let mut evidence: Vec<Span> = ev.into_iter().map(|e| e.1).collect();
        evidence.sort_by(|x, y| (&x.file, x.line).cmp(&(&y.file, y.line)));
        evidence.dedup();
        out.push(Link {
            a: port(devices, a.0, a.1),
            b: port(devices, b.0, b.1),
            line: 0,
            inferred: None,
            observed: Some(ObservedLink {
                from: protos.into_iter().collect::<Vec<_>>().join(", "),
                evidence,
            }),
        });
    }
    for di in outside {
        devices[di].irrelevant_line("neighbour outside the snapshot");
    }
    notes.sort();
    notes.dedup();
    for (di, file, line, reason) in notes {
        let text = sources
            .get(&file)
            .and_then(|s| s.line(line as usize))
            .unwrap_or("")
            .to_string();
        note(&mut devices[di], &file, line, text, reason);
    }
    out
}

/// Declared hosts placed on ports by the tables: a host with no link whose MAC (its own,
/// or the one ARP gives for its address) a switch learnt on exactly one access port that
/// no link uses. Learnt on a trunk or a linked port means "somewhere beyond", which says
/// nothing; two hosts on one port, or one host on two ports, are left unplaced.
pub fn host_links(
    devices: &[Device],
    hosts: &[Host],
    t: &Tables,
    linked_hosts: &HashSet<String>,
    used_ports: &HashSet<(String, String)>,
) -> Vec<Link> {
    /// Per port: the hosts placed on it, each with the table lines that place it.
    type Placed = Vec<(usize, Vec<Span>)>;
    let mut placed: BTreeMap<(usize, usize), Placed> = BTreeMap::new();
    for (hi, h) in hosts.iter().enumerate() {
        if linked_hosts.contains(&h.name) {
            continue;
        }
        let arp: Vec<&(usize, String, super::arp::ArpEntry)> =
            t.arp.iter().filter(|(_, _, e)| e.ip == h.ip).collect();
        let macs: BTreeSet<Mac> = arp.iter().map(|e| e.2.mac).collect();
        let (mac, arp_ev): (Mac, Vec<Span>) = match h.mac {
            Some(m) => (m, vec![]),
            None if macs.len() == 1 => (
                *macs.iter().next().expect("one"),
                arp.iter()
                    .map(|(_, f, e)| Span::new(f.clone(), e.line))
                    .collect(),
            ),
            None => continue,
        };
        let mut cands: BTreeMap<(usize, usize), Vec<Span>> = BTreeMap::new();
        for (di, f, e) in &t.macs {
            if e.mac != mac {
                continue;
            }
            let d = &devices[*di];
            let Some(ii) = interface_of(d, &e.port) else {
                continue;
            };
            let i = &d.interfaces[ii];
            if !matches!(i.mode, IfMode::Access { .. })
                || i.shutdown
                || used_ports.contains(&(d.name.clone(), i.name.clone()))
            {
                continue;
            }
            cands
                .entry((*di, ii))
                .or_default()
                .push(Span::new(f.clone(), e.line));
        }
        if cands.len() == 1 {
            let (p, mut ev) = cands.into_iter().next().expect("one");
            ev.extend(arp_ev);
            placed.entry(p).or_default().push((hi, ev));
        }
    }
    let mut out = vec![];
    for ((di, ii), v) in placed {
        if v.len() != 1 {
            continue;
        }
        let (hi, evidence) = v.into_iter().next().expect("one");
        out.push(Link {
            a: LinkEnd::Host(hosts[hi].name.clone()),
            b: port(devices, di, ii),
            line: 0,
            inferred: None,
            observed: Some(ObservedLink {
                from: "MAC table".into(),
                evidence,
            }),
        });
    }
    out
}

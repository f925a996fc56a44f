//! Splitting a snapshot into independent parts (`sanso audit --part K/N`).
//!
//! Devices, internal zones and their hosts form a graph whose connected components only
//! meet at the shared external zones (LGWAN, the security cloud, 住基ネット …): no packet
//! crosses from one component to another except by leaving the snapshot, so each
//! component can be audited on its own and the results joined (`sanso merge`). The edges
//! are an over-approximation of everything the graph lowering couples (`net/zones.rs`,
//! `net/links.rs`): when in doubt two things share a component, which costs balance but
//! never exactness.

use super::{Endpoint, IfMode, LinkEnd, Snapshot, Tier};
use petgraph::unionfind::UnionFind;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One independent piece: device and zone indices of the whole snapshot, ascending.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Component {
    pub devices: Vec<usize>,
    /// Internal zones (external zones are shared by every part).
    pub zones: Vec<usize>,
    /// Work estimate: config lines of its devices plus one per zone.
    pub weight: u64,
}

/// `K/N`: the K-th (1-based) of N parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartSpec {
    pub index: usize,
    pub count: usize,
}

impl std::str::FromStr for PartSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<PartSpec, String> {
        let bad = || format!("{s:?}: expected K/N with 1 ≤ K ≤ N, e.g. 2/5");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(PartSpec { index, count })
    }
}

impl std::fmt::Display for PartSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What one job of a split run audits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Share {
    /// `--part K/N`: a balanced, deterministic share of the components ([`assign`]);
    /// part 1 runs the rules that span parts (and, when N > 1, nothing else).
    Part(PartSpec),
    /// `--select PREFIX,…`: the components holding a device (name or config file name)
    /// or an internal zone whose name starts with one of the prefixes ([`select`]),
    /// without the rules that span parts.
    Select(Vec<String>),
    /// `--spanning`: only the rules that span parts, on the whole snapshot (what part 1
    /// of N > 1 does); the job that completes a set of `--select` runs.
    Spanning,
}

/// The components `prefixes` select: those with a device whose name or config file name
/// (under `configs/`), or an internal zone whose name, starts with one of them. Ascending.
pub fn select(snap: &Snapshot, comps: &[Component], prefixes: &[String]) -> Vec<usize> {
    let hit = |name: &str| prefixes.iter().any(|p| name.starts_with(p.as_str()));
    // `configs/edge.txt` → `edge.txt`; a Linux device's `configs/gw1/…` → `gw1`.
    let file_name = |f: &str| {
        let f = f.strip_prefix("configs/").unwrap_or(f);
        f.split('/').next().unwrap_or(f).to_string()
    };
    (0..comps.len())
        .filter(|&c| {
            comps[c].devices.iter().any(|&d| {
                let dev = &snap.devices[d];
                hit(&dev.name) || hit(&file_name(&dev.file))
            }) || comps[c].zones.iter().any(|&z| hit(&snap.zones[z].name))
        })
        .collect()
}

/// The connected components of the snapshot, in order of their first device (then
/// first zone): devices and internal zones are nodes; links, observed links, subnets
/// shared between devices, zone locations (subnets, `attach`, hosts, `vlans`) and
/// declared flows are edges. External zones are not nodes: they are what parts share.
pub fn components(snap: &Snapshot) -> Vec<Component> {
    let nd = snap.devices.len();
    let node_of_zone = |z: usize| nd + z;
    let mut uf = UnionFind::<usize>::new(nd + snap.zones.len());
    let internal = |z: usize| snap.zones[z].tier != Tier::External;
    let dev: HashMap<&str, usize> = snap
        .devices
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.as_str(), i))
        .collect();
    let host: HashMap<&str, usize> = snap
        .hosts
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.as_str(), i))
        .collect();
    // A link end's node: a device, or the zone of a host (if internal).
    let end = |e: &LinkEnd| match e {
        LinkEnd::Port { device, .. } => dev.get(device.as_str()).copied(),
        LinkEnd::Host(h) => host
            .get(h.as_str())
            .map(|&h| snap.hosts[h].zone)
            .filter(|&z| internal(z))
            .map(node_of_zone),
    };
    for l in snap.links.iter().chain(&snap.observed_links) {
        if let (Some(a), Some(b)) = (end(&l.a), end(&l.b)) {
            uf.union(a, b);
        }
    }
    // Every live address, sorted (hosts owned by a device). Devices of two parts that
    // share a subnet without a link stay apart: each part is told the other parts'
    // addresses ([`SplitContext::outside`]), which is all the lowering asks of them.
    let mut addrs: Vec<(u32, usize)> = vec![];
    for (di, d) in snap.devices.iter().enumerate() {
        for i in d.interfaces.iter().filter(|i| !i.shutdown) {
            addrs.extend(i.addresses.iter().map(|(a, _)| (u32::from(*a), di)));
        }
    }
    addrs.sort_unstable();
    let in_range = |lo: u32, hi: u32| {
        let from = addrs.partition_point(|x| x.0 < lo);
        addrs[from..].iter().take_while(move |x| x.0 <= hi)
    };
    for (zi, z) in snap.zones.iter().enumerate().filter(|(z, _)| internal(*z)) {
        let zn = node_of_zone(zi);
        let mut present = !z.attach.is_empty();
        for (d, _) in &z.attach {
            if let Some(&di) = dev.get(d.as_str()) {
                uf.union(zn, di);
            }
        }
        // An interface in the zone's subnet, or a connected subnet holding the zone.
        for (di, d) in snap.devices.iter().enumerate() {
            for i in d.interfaces.iter().filter(|i| !i.shutdown) {
                for &(a, len) in &i.addresses {
                    let Ok(net) = ipnetwork::Ipv4Network::new(a, len) else {
                        continue;
                    };
                    let overlaps = z.subnets.iter().any(|s| {
                        (net.contains(s.network()) && s.prefix() >= net.prefix())
                            || (s.prefix() > 0 && s.contains(net.network()))
                    });
                    if overlaps {
                        uf.union(zn, di);
                        present = true;
                    }
                }
            }
        }
        // A zone placed by `vlans` alone may be placed in any switched domain that
        // carries one of them (or be ambiguous there): all of those belong with it.
        if !present && !z.vlans.is_empty() {
            for (di, d) in snap.devices.iter().enumerate() {
                let carries = z.vlans.iter().any(|&v| {
                    d.vlans.contains_key(&v)
                        || d.interfaces.iter().any(|i| match &i.mode {
                            IfMode::Access { vlan } | IfMode::Svi { vlan } => *vlan == v,
                            IfMode::Trunk { allowed, native } => {
                                *native == v || allowed.contains(v)
                            }
                            IfMode::Routed => i.parent.as_ref().is_some_and(|p| p.1 == v),
                        })
                });
                if carries {
                    uf.union(zn, di);
                }
            }
        }
    }
    // Hosts: a device owning a host's address serves its zone.
    for h in snap.hosts.iter().filter(|h| internal(h.zone)) {
        let ip = u32::from(h.ip);
        for &(_, di) in in_range(ip, ip) {
            uf.union(node_of_zone(h.zone), di);
        }
    }
    // Declared flows are judged as one subject: both ends in one part.
    let ep = |e: Endpoint| {
        let z = match e {
            Endpoint::Zone(z) => z,
            Endpoint::Host(h) => snap.hosts[h].zone,
        };
        internal(z).then(|| node_of_zone(z))
    };
    for f in snap.tokutei.iter().chain(&snap.mugaika) {
        if let (Some(a), Some(b)) = (ep(f.from), ep(f.to)) {
            uf.union(a, b);
        }
    }
    let mut by_root: BTreeMap<usize, Component> = BTreeMap::new();
    let mut order: Vec<usize> = vec![];
    let nodes = (0..nd).chain(
        (0..snap.zones.len())
            .filter(|&z| internal(z))
            .map(node_of_zone),
    );
    for n in nodes {
        let root = uf.find(n);
        let c = by_root.entry(root).or_insert_with(|| {
            order.push(root);
            Component::default()
        });
        if n < nd {
            c.devices.push(n);
            c.weight += 1 + snap.devices[n].lines as u64;
        } else {
            c.zones.push(n - nd);
            c.weight += 1;
        }
    }
    order
        .into_iter()
        .map(|r| by_root.remove(&r).expect("component of a root"))
        .collect()
}

/// Assign components to `count` parts, balanced by weight: heaviest first, each to the
/// lightest part so far (ties: the lower part, then the earlier component). Returns the
/// component indices of each part, ascending. Deterministic: every job of a split
/// computes the same assignment from the same snapshot.
pub fn assign(comps: &[Component], count: usize) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..comps.len()).collect();
    idx.sort_by(|&a, &b| comps[b].weight.cmp(&comps[a].weight).then(a.cmp(&b)));
    let mut load = vec![0u64; count.max(1)];
    let mut parts: Vec<Vec<usize>> = vec![vec![]; count.max(1)];
    for c in idx {
        let p = (0..load.len())
            .min_by_key(|&p| (load[p], p))
            .expect("at least one part");
        load[p] += comps[c].weight;
        parts[p].push(c);
    }
    for p in &mut parts {
        p.sort_unstable();
    }
    parts
}

/// External zones the lowering places by presence (`net/zones.rs`: an interface in or
/// around their subnet, a linked host of theirs, `attach`) on `devices` (all if `None`).
/// A zone present nowhere is placed at every exit its routes leave by; present
/// somewhere, it is placed only there. So a part must know which shared zones other
/// parts place: see [`Snapshot::restrict`]. `Err` names a zone placed by `vlans`, whose
/// placement depends on switched domains a part cannot see.
pub fn present_external(
    snap: &Snapshot,
    devices: Option<&BTreeSet<usize>>,
) -> Result<BTreeSet<usize>, String> {
    let mut out = BTreeSet::new();
    let mine = |d: usize| devices.is_none_or(|s| s.contains(&d));
    let dev_of = |name: &str| snap.devices.iter().position(|d| d.name == name);
    for (zi, z) in snap.zones.iter().enumerate() {
        if z.tier != Tier::External {
            continue;
        }
        if !z.vlans.is_empty() {
            return Err(format!(
                "external zone {} is placed by vlans; a split run cannot place it exactly",
                z.name
            ));
        }
        let by_attach = z.attach.iter().any(|(d, _)| dev_of(d).is_some_and(mine));
        let by_l3 = snap
            .devices
            .iter()
            .enumerate()
            .filter(|(d, _)| mine(*d))
            .any(|(_, d)| {
                d.interfaces.iter().filter(|i| !i.shutdown).any(|i| {
                    i.addresses.iter().any(|&(a, len)| {
                        ipnetwork::Ipv4Network::new(a, len).is_ok_and(|net| {
                            z.subnets.iter().any(|s| {
                                (net.contains(s.network()) && s.prefix() >= net.prefix())
                                    || (s.prefix() > 0 && s.contains(net.network()))
                            })
                        })
                    })
                })
            });
        let by_host = snap.links.iter().any(|l| {
            let host_here = |e: &LinkEnd| match e {
                LinkEnd::Host(h) => snap.hosts.iter().any(|x| x.name == *h && x.zone == zi),
                LinkEnd::Port { .. } => false,
            };
            let port_mine = |e: &LinkEnd| match e {
                LinkEnd::Port { device, .. } => dev_of(device).is_some_and(mine),
                LinkEnd::Host(_) => false,
            };
            (host_here(&l.a) && port_mine(&l.b)) || (host_here(&l.b) && port_mine(&l.a))
        });
        if by_attach || by_l3 || by_host {
            out.insert(zi);
        }
    }
    Ok(out)
}

/// What one part's snapshot knows of the rest of the whole snapshot: the lowering's
/// global inputs, so the part's graph is the whole graph's restriction.
#[derive(Clone, Debug, Default)]
pub struct SplitContext {
    /// Whole-snapshot index of each device of the part (ascending).
    pub device_index: Vec<usize>,
    /// The whole snapshot's VLAN universe (trunks carry every VLAN they allow of it).
    pub vlan_universe: BTreeSet<u16>,
    /// Live addresses of the other parts' devices: ports sharing a subnet with them
    /// have a peer (`net/zones.rs`, `peers`), not an exit.
    pub outside: Vec<OutsideAddr>,
}

#[derive(Clone, Debug)]
pub struct OutsideAddr {
    pub ip: std::net::Ipv4Addr,
    pub device: String,
    pub interface: String,
    /// Whole-snapshot device index and interface index (the lowering's order).
    pub device_index: usize,
    pub interface_index: usize,
}

impl Snapshot {
    /// VLAN universe: every VLAN anything declares or uses (in a part: the whole
    /// snapshot's).
    pub fn vlan_universe(&self) -> BTreeSet<u16> {
        if let Some(s) = &self.split {
            return s.vlan_universe.clone();
        }
        let mut universe = BTreeSet::new();
        for d in &self.devices {
            universe.extend(d.vlans.keys().copied());
            for i in &d.interfaces {
                match &i.mode {
                    IfMode::Access { vlan } | IfMode::Svi { vlan } => {
                        universe.insert(*vlan);
                    }
                    IfMode::Trunk { native, .. } => {
                        universe.insert(*native);
                    }
                    IfMode::Routed => {}
                }
                if let Some((_, t)) = &i.parent {
                    universe.insert(*t);
                }
            }
        }
        for z in &self.zones {
            universe.extend(z.vlans.iter().copied());
        }
        universe
    }
}

/// What a part keeps of the whole snapshot, with the index maps back to it.
pub struct Restricted {
    pub snapshot: Snapshot,
    /// Whole-snapshot index of each kept zone, link (of `links`) and observed link.
    pub zone_index: Vec<usize>,
    pub link_index: Vec<usize>,
}

impl Snapshot {
    /// The part of the snapshot made of `devices` and internal `zones` (whole-snapshot
    /// indices), with every external zone: hosts of kept zones, flows whose ends are
    /// kept, links and state of kept devices. Order is kept everywhere, so what a part
    /// reports comes in the whole run's order. File errors, inputs and sources stay
    /// whole (they are the snapshot's identity and what reports quote).
    ///
    /// `elsewhere`: shared zones other parts place but this part does not
    /// ([`present_external`]): they get an `attach` that names no device, so the part
    /// places them nowhere (not at its exits), as the whole run does.
    pub fn restrict(
        &self,
        devices: &BTreeSet<usize>,
        zones: &BTreeSet<usize>,
        elsewhere: &BTreeSet<usize>,
    ) -> Restricted {
        let zone_index: Vec<usize> = (0..self.zones.len())
            .filter(|z| self.zones[*z].tier == Tier::External || zones.contains(z))
            .collect();
        let zmap: HashMap<usize, usize> = zone_index
            .iter()
            .enumerate()
            .map(|(new, &old)| (old, new))
            .collect();
        let mut hmap: HashMap<usize, usize> = HashMap::new();
        let mut hosts = vec![];
        for (i, h) in self.hosts.iter().enumerate() {
            if let Some(&z) = zmap.get(&h.zone) {
                hmap.insert(i, hosts.len());
                let mut h = h.clone();
                h.zone = z;
                hosts.push(h);
            }
        }
        let ep = |e: Endpoint| match e {
            Endpoint::Zone(z) => zmap.get(&z).map(|&z| Endpoint::Zone(z)),
            Endpoint::Host(h) => hmap.get(&h).map(|&h| Endpoint::Host(h)),
        };
        let flows = |fs: &[super::Flow]| {
            fs.iter()
                .filter_map(|f| {
                    let (from, to) = (ep(f.from)?, ep(f.to)?);
                    let mut f = f.clone();
                    f.from = from;
                    f.to = to;
                    Some(f)
                })
                .collect::<Vec<_>>()
        };
        let names: BTreeSet<&str> = devices
            .iter()
            .map(|&d| self.devices[d].name.as_str())
            .collect();
        let kept_hosts: BTreeSet<&str> =
            hmap.keys().map(|&h| self.hosts[h].name.as_str()).collect();
        let keep_end = |e: &LinkEnd| match e {
            LinkEnd::Port { device, .. } => names.contains(device.as_str()),
            LinkEnd::Host(h) => kept_hosts.contains(h.as_str()),
        };
        let link_index: Vec<usize> = (0..self.links.len())
            .filter(|&i| keep_end(&self.links[i].a) && keep_end(&self.links[i].b))
            .collect();
        let snapshot = Snapshot {
            root: self.root.clone(),
            name: self.name.clone(),
            model: self.model.clone(),
            zones: zone_index
                .iter()
                .map(|&z| {
                    let mut zone = self.zones[z].clone();
                    if elsewhere.contains(&z) {
                        zone.attach = vec![(String::new(), String::new())];
                    }
                    zone
                })
                .collect(),
            tokutei: flows(&self.tokutei),
            mugaika: flows(&self.mugaika),
            hosts,
            links: link_index.iter().map(|&i| self.links[i].clone()).collect(),
            devices: devices.iter().map(|&d| self.devices[d].clone()).collect(),
            file_errors: self.file_errors.clone(),
            lgwan_allowed: self.lgwan_allowed.clone(),
            inputs: self.inputs.clone(),
            sources: self.sources.clone(),
            state: self
                .state
                .iter()
                .filter(|(d, _)| names.contains(d.as_str()))
                .map(|(d, s)| (d.clone(), s.clone()))
                .collect(),
            observed_links: self
                .observed_links
                .iter()
                .filter(|l| keep_end(&l.a) && keep_end(&l.b))
                .cloned()
                .collect(),
            split: Some(SplitContext {
                device_index: devices.iter().copied().collect(),
                vlan_universe: self.vlan_universe(),
                outside: self
                    .devices
                    .iter()
                    .enumerate()
                    .filter(|(d, _)| !devices.contains(d))
                    .flat_map(|(d, dev)| {
                        dev.interfaces
                            .iter()
                            .enumerate()
                            .filter(|(_, i)| !i.shutdown)
                            .flat_map(move |(ii, i)| {
                                i.addresses.iter().map(move |(a, _)| OutsideAddr {
                                    ip: *a,
                                    device: dev.name.clone(),
                                    interface: i.name.clone(),
                                    device_index: d,
                                    interface_index: ii,
                                })
                            })
                    })
                    .collect(),
            }),
        };
        Restricted {
            snapshot,
            zone_index,
            link_index,
        }
    }
}

//! Snapshot loading: `sanso.toml` (inventory), `topology.toml` (links) and `configs/`.
//! Every inventory error is reported once, with file:line, as an [`InputError`].

use crate::ingest as dialect;
use crate::model::{
    canon_ifname, parse_mac, Device, Dialect, Endpoint, FileError, Flow, Host, IfMode,
    InferredLink, InputError, Link, LinkEnd, ObservedLink, PortSpec, Snapshot, SourceFile, Span,
    Tier, Zone,
};
use ipnetwork::Ipv4Network;
use rayon::prelude::*;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use toml::Spanned;

// ---- raw TOML shapes -------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInventory {
    organization: Spanned<RawOrg>,
    #[serde(default)]
    zone: Vec<Spanned<RawZone>>,
    #[serde(default)]
    host: Vec<Spanned<RawHost>>,
    #[serde(default)]
    tokutei: Vec<Spanned<RawFlow>>,
    #[serde(default)]
    mugaika: Vec<Spanned<RawFlow>>,
    #[serde(default)]
    device: Vec<Spanned<RawDevice>>,
    #[serde(default)]
    lgwan: Option<Spanned<RawLgwan>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrg {
    name: String,
    #[serde(default = "default_model")]
    model: String,
}

fn default_model() -> String {
    "alpha".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawZone {
    name: String,
    tier: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    subnets: Vec<String>,
    #[serde(default)]
    vlans: Vec<u16>,
    #[serde(default)]
    attach: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHost {
    name: String,
    ip: String,
    #[serde(default)]
    mac: Option<String>,
    zone: String,
    #[serde(default)]
    role: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlow {
    name: String,
    #[serde(default)]
    method: Option<String>,
    from: String,
    to: String,
    ports: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDevice {
    file: String,
    #[serde(default)]
    dialect: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLgwan {
    allowed: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopology {
    #[serde(default)]
    link: Vec<Spanned<RawLink>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    a: String,
    b: String,
}

/// The placeholder `sanso init` writes for a tier the user must choose.
pub const UNSET_TIER: &str = "TODO";

fn is_unset_tier(t: &str) -> bool {
    t.trim().is_empty() || t.eq_ignore_ascii_case(UNSET_TIER)
}

/// Device index by name or by config file stem (topology.toml and `attach` may use
/// either): the first device that either names, as a scan in device order would find,
/// without a scan per reference (quadratic at prefecture scale).
fn device_index(devices: &[Device]) -> HashMap<String, usize> {
    let mut m = HashMap::with_capacity(devices.len() * 2);
    for (i, d) in devices.iter().enumerate() {
        m.entry(d.name.clone()).or_insert(i);
        m.entry(dialect::stem(&d.file)).or_insert(i);
    }
    m
}

fn line_of(text: &str, offset: usize) -> u32 {
    text[..offset.min(text.len())].matches('\n').count() as u32 + 1
}

/// [`line_of`] for many offsets into one text: the newlines are found once and each
/// lookup is a binary search (a count per entry was quadratic in a prefecture's
/// sanso.toml and topology.toml).
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        LineIndex(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }
    fn line(&self, offset: usize) -> u32 {
        self.0.partition_point(|&nl| nl < offset) as u32 + 1
    }
}

/// Read an input file once: its hash, length and text are kept in the snapshot.
fn read(path: &Path, rel: &str) -> Result<SourceFile, InputError> {
    dialect::source::read(path).map_err(|e| InputError {
        file: rel.to_string(),
        line: None,
        message: format!("cannot read: {e}"),
    })
}

fn toml_error(file: &str, text: &str, e: toml::de::Error) -> InputError {
    InputError {
        file: file.to_string(),
        line: e.span().map(|s| line_of(text, s.start)),
        message: e.message().trim().to_string(),
    }
}

impl Snapshot {
    pub fn load(root: &Path) -> Result<Snapshot, InputError> {
        let inv_path = root.join("sanso.toml");
        if !inv_path.is_file() {
            return Err(InputError {
                file: root.display().to_string(),
                line: None,
                message: "not a snapshot: sanso.toml is missing".into(),
            });
        }
        let inv_src = read(&inv_path, "sanso.toml")?;
        let inv_text = inv_src.text();
        let raw: RawInventory =
            toml::from_str(inv_text).map_err(|e| toml_error("sanso.toml", inv_text, e))?;
        let err = |line: u32, message: String| InputError {
            file: "sanso.toml".into(),
            line: Some(line),
            message,
        };
        let inv_lines = LineIndex::new(inv_text);
        let ln = |s: &std::ops::Range<usize>| inv_lines.line(s.start);

        let org_line = ln(&raw.organization.span());
        let org = raw.organization.into_inner();
        if !["alpha", "alpha-prime", "beta", "beta-prime"].contains(&org.model.as_str()) {
            return Err(err(
                org_line,
                format!(
                    "unknown model \"{}\" (alpha | alpha-prime | beta | beta-prime)",
                    org.model
                ),
            ));
        }

        // A draft (`sanso init`) leaves every tier for the user: name them all at once.
        let unset: Vec<String> = raw
            .zone
            .iter()
            .filter(|z| is_unset_tier(&z.get_ref().tier))
            .map(|z| format!("{} (line {})", z.get_ref().name, ln(&z.span())))
            .collect();
        if !unset.is_empty() {
            return Err(InputError {
                file: "sanso.toml".into(),
                line: None,
                message: format!(
                    "{} zone(s) still need a tier (mynumber | lgwan | internet | external): {}",
                    unset.len(),
                    unset.join(", ")
                ),
            });
        }
        let mut zones = Vec::new();
        let mut zone_idx: HashMap<String, usize> = HashMap::new();
        for z in raw.zone {
            let line = ln(&z.span());
            let z = z.into_inner();
            let tier = Tier::parse(&z.tier).ok_or_else(|| {
                err(
                    line,
                    format!(
                        "zone {}: unknown tier \"{}\" (mynumber | lgwan | internet | external)",
                        z.name, z.tier
                    ),
                )
            })?;
            let mut subnets = Vec::new();
            for s in &z.subnets {
                let net: Ipv4Network = s
                    .parse()
                    .map_err(|e| err(line, format!("zone {}: bad CIDR \"{s}\": {e}", z.name)))?;
                if net.network() != net.ip() {
                    return Err(err(
                        line,
                        format!(
                            "zone {}: \"{s}\" has host bits set (did you mean {}/{}?)",
                            z.name,
                            net.network(),
                            net.prefix()
                        ),
                    ));
                }
                subnets.push(net);
            }
            for v in &z.vlans {
                if !(1..=4094).contains(v) {
                    return Err(err(
                        line,
                        format!("zone {}: VLAN {v} out of 1-4094", z.name),
                    ));
                }
            }
            let mut attach = Vec::new();
            for a in &z.attach {
                let (d, i) = a.split_once(':').ok_or_else(|| {
                    err(
                        line,
                        format!("zone {}: attach \"{a}\" must be device:interface", z.name),
                    )
                })?;
                attach.push((d.to_string(), i.to_string()));
            }
            if zone_idx.insert(z.name.clone(), zones.len()).is_some() {
                return Err(err(line, format!("duplicate zone name \"{}\"", z.name)));
            }
            zones.push(Zone {
                name: z.name,
                tier,
                kind: z.kind,
                subnets,
                vlans: z.vlans,
                attach,
                line,
            });
        }

        // One subnet, one tier: the zone of an address decides its tier, so the same
        // subnet declared in zones of two tiers leaves it undecided.
        for (i, z) in zones.iter().enumerate() {
            for o in &zones[..i] {
                if o.tier == z.tier {
                    continue;
                }
                if let Some(n) = z.subnets.iter().find(|n| o.subnets.contains(n)) {
                    return Err(err(
                        z.line,
                        format!(
                            "zone {}: subnet {n} is also in zone {} (sanso.toml:{}) of another tier",
                            z.name, o.name, o.line
                        ),
                    ));
                }
            }
        }

        let mut hosts = Vec::new();
        let mut host_idx: HashMap<String, usize> = HashMap::new();
        for h in raw.host {
            let line = ln(&h.span());
            let h = h.into_inner();
            let ip: Ipv4Addr = h.ip.parse().map_err(|_| {
                err(
                    line,
                    format!("host {}: bad IPv4 address \"{}\"", h.name, h.ip),
                )
            })?;
            let mac = match &h.mac {
                None => None,
                Some(m) => Some(parse_mac(m).ok_or_else(|| {
                    err(line, format!("host {}: bad MAC address \"{m}\"", h.name))
                })?),
            };
            let zone = *zone_idx.get(&h.zone).ok_or_else(|| {
                err(
                    line,
                    format!("host {}: unknown zone \"{}\"", h.name, h.zone),
                )
            })?;
            if !zones[zone].subnets.iter().any(|n| n.contains(ip)) {
                return Err(err(
                    line,
                    format!(
                        "host {}: {ip} is not inside any subnet of zone {}",
                        h.name, h.zone
                    ),
                ));
            }
            if zone_idx.contains_key(&h.name)
                || host_idx.insert(h.name.clone(), hosts.len()).is_some()
            {
                return Err(err(line, format!("duplicate name \"{}\"", h.name)));
            }
            if let Some(o) = hosts.iter().find(|o: &&Host| o.ip == ip) {
                return Err(err(
                    line,
                    format!(
                        "host {}: address {ip} is also host {} (sanso.toml:{})",
                        h.name, o.name, o.line
                    ),
                ));
            }
            if let Some(m) = mac {
                if let Some(o) = hosts.iter().find(|o: &&Host| o.mac == Some(m)) {
                    return Err(err(
                        line,
                        format!(
                            "host {}: MAC {m} is also host {} (sanso.toml:{})",
                            h.name, o.name, o.line
                        ),
                    ));
                }
            }
            hosts.push(Host {
                name: h.name,
                ip,
                mac,
                zone,
                role: h.role,
                line,
            });
        }

        let endpoint = |name: &str, line: u32, what: &str| -> Result<Endpoint, InputError> {
            if let Some(&h) = host_idx.get(name) {
                Ok(Endpoint::Host(h))
            } else if let Some(&z) = zone_idx.get(name) {
                Ok(Endpoint::Zone(z))
            } else {
                Err(InputError {
                    file: "sanso.toml".into(),
                    line: Some(line),
                    message: format!("{what}: unknown host or zone \"{name}\""),
                })
            }
        };
        let flows = |raw: Vec<Spanned<RawFlow>>, what: &str| -> Result<Vec<Flow>, InputError> {
            let mut out = Vec::new();
            let mut names = HashSet::new();
            for f in raw {
                let line = ln(&f.span());
                let f = f.into_inner();
                let label = format!("{what} \"{}\"", f.name);
                if !names.insert(f.name.clone()) {
                    return Err(err(line, format!("duplicate {what} name \"{}\"", f.name)));
                }
                let mut ports = Vec::new();
                for p in &f.ports {
                    ports.push(PortSpec::parse(p).ok_or_else(|| {
                        err(
                            line,
                            format!("{label}: bad port \"{p}\" (use tcp/443, udp/1000-2000, icmp)"),
                        )
                    })?);
                }
                if ports.is_empty() {
                    return Err(err(line, format!("{label}: ports must not be empty")));
                }
                if let Some(m) = &f.method {
                    if !crate::model::MUGAIKA_METHODS.contains(&m.as_str()) {
                        return Err(err(
                            line,
                            format!(
                                "{label}: unknown method \"{m}\" ({})",
                                crate::model::MUGAIKA_METHODS.join(" | ")
                            ),
                        ));
                    }
                }
                out.push(Flow {
                    from: endpoint(&f.from, line, &label)?,
                    to: endpoint(&f.to, line, &label)?,
                    name: f.name,
                    method: f.method,
                    ports,
                    line,
                });
            }
            Ok(out)
        };
        let tokutei = flows(raw.tokutei, "tokutei")?;
        let mugaika = flows(raw.mugaika, "mugaika")?;
        for m in &mugaika {
            if m.method.is_none() {
                return Err(err(
                    m.line,
                    format!("mugaika \"{}\": method is required", m.name),
                ));
            }
        }
        let lgwan_allowed = match raw.lgwan {
            None => None,
            Some(l) => {
                let line = ln(&l.span());
                let mut v = Vec::new();
                for p in &l.into_inner().allowed {
                    v.push(
                        PortSpec::parse(p)
                            .ok_or_else(|| err(line, format!("lgwan.allowed: bad port \"{p}\"")))?,
                    );
                }
                Some(v)
            }
        };

        // Dialect overrides.
        let mut overrides: HashMap<String, (Dialect, u32)> = HashMap::new();
        for d in raw.device {
            let line = ln(&d.span());
            let d = d.into_inner();
            if let Some(ds) = &d.dialect {
                let dia = dialect::by_id(ds).map(|x| Dialect(x.id())).ok_or_else(|| {
                    err(
                        line,
                        format!(
                            "device {}: unknown dialect \"{ds}\" ({})",
                            d.file,
                            dialect::ids().join(" | ")
                        ),
                    )
                })?;
                overrides.insert(
                    d.file.trim_start_matches("configs/").to_string(),
                    (dia, line),
                );
            }
        }

        for (f, (_, line)) in &overrides {
            if !root.join("configs").join(f).is_file() {
                return Err(err(
                    *line,
                    format!("device file configs/{f} does not exist"),
                ));
            }
        }
        let Configs {
            mut devices,
            inputs: cfg_inputs,
            mut sources,
            mut file_errors,
        } = load_configs(root, &overrides)?;
        let mut inputs = vec!["sanso.toml".to_string()];
        inputs.extend(cfg_inputs);

        // Device state: `state/<hostname>/<command>.txt` (read here, interpreted by the
        // readers in `ingest::state`).
        let found = dialect::state::discover(root, &devices);
        for (rel, src) in found.sources {
            inputs.push(rel.clone());
            sources.insert(rel, src);
        }
        file_errors.extend(found.errors);
        let state = found.files;
        // OSPF routes from the configs (ingest/routing), computed before the dumps
        // replace routes; a routing-table dump gives its device's routes
        // (ingest/state/routes) and wins over the computation.
        let dynamic = dialect::routing::compute(&devices, &sources);
        let dumped = dialect::state::routes::apply(&mut devices, &state, &sources);
        dialect::routing::install(&mut devices, dynamic, &dumped);
        dialect::routing::runtime_address_taints(&mut devices, &sources);
        let tables = dialect::state::read_tables(&mut devices, &state, &sources);
        let observed_links =
            dialect::state::topology::neighbor_links(&mut devices, &tables, &sources);

        // Topology.
        let mut links = Vec::new();
        let mut used: HashMap<LinkEnd, u32> = HashMap::new();
        let dev_ix = device_index(&devices);
        let topo_path = root.join("topology.toml");
        if topo_path.is_file() {
            inputs.push("topology.toml".into());
            let src = read(&topo_path, "topology.toml")?;
            let text = src.text();
            let raw: RawTopology =
                toml::from_str(text).map_err(|e| toml_error("topology.toml", text, e))?;
            let topo_lines = LineIndex::new(text);
            for l in raw.link {
                let line = topo_lines.line(l.span().start);
                let l = l.into_inner();
                let terr = |message: String| InputError {
                    file: "topology.toml".into(),
                    line: Some(line),
                    message,
                };
                let mut ends = Vec::new();
                for s in [&l.a, &l.b] {
                    let end = match s.split_once(':') {
                        Some((dev, ifn)) => {
                            let d = dev_ix.get(dev).map(|&i| &devices[i]).ok_or_else(|| {
                                terr(format!("link end \"{s}\": unknown device \"{dev}\""))
                            })?;
                            let want = canon_ifname(ifn);
                            let i = d
                                .interfaces
                                .iter()
                                .find(|i| canon_ifname(&i.name) == want)
                                .ok_or_else(|| {
                                    terr(format!(
                                        "link end \"{s}\": device {} has no interface \"{ifn}\"",
                                        d.name
                                    ))
                                })?;
                            LinkEnd::Port {
                                device: d.name.clone(),
                                interface: i.name.clone(),
                            }
                        }
                        None => {
                            if !host_idx.contains_key(s.as_str()) {
                                return Err(terr(format!(
                                    "link end \"{s}\": unknown host (use device:interface for ports)"
                                )));
                            }
                            LinkEnd::Host(s.clone())
                        }
                    };
                    if let Some(prev) = used.insert(end.clone(), line) {
                        return Err(terr(format!(
                            "{end} is already linked at topology.toml:{prev}"
                        )));
                    }
                    ends.push(end);
                }
                let b = ends.pop().expect("two ends");
                let a = ends.pop().expect("two ends");
                if matches!((&a, &b), (LinkEnd::Host(_), LinkEnd::Host(_))) {
                    return Err(terr("a link needs at least one device port".into()));
                }
                links.push(Link {
                    a,
                    b,
                    line,
                    inferred: None,
                    observed: None,
                });
            }
            sources.insert("topology.toml".into(), src);
        }

        // Batfish's layer-1 topology, then the neighbour tables: links topology.toml does
        // not speak for (an end it names is never re-linked).
        let mut ends: HashSet<LinkEnd> = used.keys().cloned().collect();
        let bf = root.join("batfish").join("layer1_topology.json");
        if bf.is_file() {
            let rel = "batfish/layer1_topology.json";
            inputs.push(rel.into());
            let src = read(&bf, rel)?;
            for l in batfish_links(&devices, rel, src.text())? {
                if !ends.contains(&l.a) && !ends.contains(&l.b) {
                    ends.insert(l.a.clone());
                    ends.insert(l.b.clone());
                    links.push(l);
                }
            }
            sources.insert(rel.into(), src);
        }
        for l in &observed_links {
            if !ends.contains(&l.a) && !ends.contains(&l.b) {
                ends.insert(l.a.clone());
                ends.insert(l.b.clone());
                links.push(l.clone());
            }
        }

        // Zone attachments must name real interfaces.
        for z in &mut zones {
            for (dev, ifn) in &mut z.attach {
                let d = dev_ix
                    .get(dev.as_str())
                    .map(|&i| &devices[i])
                    .ok_or_else(|| {
                        err(
                            z.line,
                            format!("zone {}: attach: unknown device \"{dev}\"", z.name),
                        )
                    })?;
                let want = canon_ifname(ifn);
                let i = d
                    .interfaces
                    .iter()
                    .find(|i| canon_ifname(&i.name) == want)
                    .ok_or_else(|| {
                        err(
                            z.line,
                            format!(
                                "zone {}: attach: {} has no interface \"{ifn}\"",
                                z.name, d.name
                            ),
                        )
                    })?;
                *dev = d.name.clone();
                *ifn = i.name.clone();
            }
        }

        // Links the configs make certain (topology.toml overrides: an end it names, or an
        // interface a zone attaches to, is never linked by inference).
        let taken: HashSet<(String, String)> = ends
            .iter()
            .filter_map(|e| match e {
                LinkEnd::Port { device, interface } => Some((device.clone(), interface.clone())),
                LinkEnd::Host(_) => None,
            })
            .chain(zones.iter().flat_map(|z| z.attach.iter().cloned()))
            .collect();
        let host_ips: Vec<Ipv4Addr> = hosts.iter().map(|h| h.ip).collect();
        links.extend(infer_links(&devices, &taken, &host_ips));

        // Hosts the MAC and ARP tables place, where no link says where they are.
        let linked_hosts: HashSet<String> = links
            .iter()
            .flat_map(|l| [&l.a, &l.b])
            .filter_map(|e| match e {
                LinkEnd::Host(h) => Some(h.clone()),
                LinkEnd::Port { .. } => None,
            })
            .collect();
        let used_ports: HashSet<(String, String)> = links
            .iter()
            .flat_map(|l| [&l.a, &l.b])
            .filter_map(|e| match e {
                LinkEnd::Port { device, interface } => Some((device.clone(), interface.clone())),
                LinkEnd::Host(_) => None,
            })
            .chain(taken.iter().cloned())
            .collect();
        links.extend(dialect::state::topology::host_links(
            &devices,
            &hosts,
            &tables,
            &linked_hosts,
            &used_ports,
        ));

        sources.insert("sanso.toml".into(), inv_src);
        // Reasons quote the words a parser stumbled on: never a secret in any output.
        for d in &mut devices {
            for u in &mut d.unrecognized {
                u.reason = crate::ingest::redact::redact_reason(&u.reason);
            }
        }
        Ok(Snapshot {
            root: root.to_path_buf(),
            name: org.name,
            model: org.model,
            zones,
            hosts,
            tokutei,
            mugaika,
            links,
            devices,
            file_errors,
            lgwan_allowed,
            inputs,
            sources,
            state,
            observed_links,
            split: None,
        })
    }
}

/// The devices of `root/configs/`, parsed in parallel and folded in file order: every
/// file read (inputs, sources), and the files that could not be parsed. `overrides`
/// maps a file name under configs/ to its dialect (sanso.toml `[[device]]`).
pub struct Configs {
    pub devices: Vec<Device>,
    pub inputs: Vec<String>,
    pub sources: BTreeMap<String, SourceFile>,
    pub file_errors: Vec<FileError>,
}

pub fn load_configs(
    root: &Path,
    overrides: &HashMap<String, (Dialect, u32)>,
) -> Result<Configs, InputError> {
    // Configs.
    let mut inputs = vec![];
    let mut sources: BTreeMap<String, SourceFile> = BTreeMap::new();
    let mut devices = Vec::new();
    let mut file_errors = Vec::new();
    let cfg_dir = root.join("configs");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&cfg_dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            return Err(InputError {
                file: "configs/".into(),
                line: None,
                message: format!("cannot read configs directory: {e}"),
            })
        }
    };
    files.sort();
    // One file's outcome; files are read and parsed in parallel (they are
    // independent), then folded in sorted file order so devices, inputs and errors
    // come out exactly as a sequential load would give them.
    enum Loaded {
        Skip,
        Device(Box<Device>, Vec<String>, Vec<(String, SourceFile)>),
        Error(Option<(String, SourceFile)>, FileError),
        Fatal(InputError),
    }
    let loaded: Vec<Loaded> = files
        .par_iter()
        .map(|path| {
            let fname = path
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            // A folder of `ip`/`nft` dumps is one Linux device (docs/linux.md).
            if !fname.starts_with('.') && dialect::linux::is_device_dir(path) {
                return match dialect::linux::load_sources(path, &format!("configs/{fname}")) {
                    Ok((d, mut read)) => {
                        let mut inp = vec![d.file.clone()];
                        inp.extend(d.extra_files.iter().map(|(f, _)| f.clone()));
                        // Only the files the device was built from are inputs.
                        let src = inp
                            .iter()
                            .filter_map(|f| read.remove(f).map(|s| (f.clone(), s)))
                            .collect();
                        Loaded::Device(Box::new(d), inp, src)
                    }
                    Err(e) => Loaded::Error(
                        None,
                        FileError {
                            file: e.file,
                            line: e.line,
                            message: e.message,
                        },
                    ),
                };
            }
            if fname.starts_with('.') || !path.is_file() {
                return Loaded::Skip;
            }
            let rel = format!("configs/{fname}");
            let src = match read(path, &rel) {
                Ok(t) => t,
                Err(e) => return Loaded::Fatal(e),
            };
            let text = src.text();
            let dia = match overrides.get(&fname) {
                Some((d, _)) => Some(*d),
                None => dialect::detect(text),
            };
            let Some(dia) = dia else {
                return Loaded::Error(
                    Some((rel.clone(), src)),
                    FileError {
                        file: rel,
                        line: 1,
                        message: format!(
                            "dialect not recognised (set it with [[device]] file/dialect in sanso.toml: {})",
                            dialect::ids().join(" | ")
                        ),
                    },
                );
            };
            match dialect::parse(dia, &rel, text) {
                Ok(d) => Loaded::Device(Box::new(d), vec![rel.clone()], vec![(rel, src)]),
                Err(e) => Loaded::Error(
                    Some((rel, src)),
                    FileError {
                        file: e.file,
                        line: e.line,
                        message: e.message,
                    },
                ),
            }
        })
        .collect();
    for l in loaded {
        match l {
            Loaded::Skip => {}
            Loaded::Device(d, inp, src) => {
                inputs.extend(inp);
                sources.extend(src);
                devices.push(*d);
            }
            Loaded::Error(inp, e) => {
                if let Some((rel, src)) = inp {
                    inputs.push(rel.clone());
                    sources.insert(rel, src);
                }
                file_errors.push(e);
            }
            Loaded::Fatal(e) => return Err(e),
        }
    }
    if devices.is_empty() && file_errors.is_empty() {
        return Err(InputError {
            file: "configs/".into(),
            line: None,
            message: "no device configurations: nothing to audit".into(),
        });
    }
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for d in &devices {
        if let Some(prev) = seen.insert(d.name.clone(), d.file.clone()) {
            return Err(InputError {
                file: d.file.clone(),
                line: None,
                message: format!("duplicate device name \"{}\" (also in {prev})", d.name),
            });
        }
    }

    Ok(Configs {
        devices,
        inputs,
        sources,
        file_errors,
    })
}

/// Links of Batfish's `batfish/layer1_topology.json` (`{"edges": [{"node1": {"hostname",
/// "interfaceName"}, "node2": {…}}]}`), each once (Batfish lists both directions), its
/// node names matched to hostnames case-insensitively (Batfish lower-cases them) and its
/// interface names as topology.toml's are. A name that matches nothing is an error, as in
/// topology.toml.
fn batfish_links(devices: &[Device], rel: &str, text: &str) -> Result<Vec<Link>, InputError> {
    let err = |line: Option<u32>, message: String| InputError {
        file: rel.to_string(),
        line,
        message,
    };
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| err(Some(e.line() as u32), format!("not JSON: {e}")))?;
    let edges = v
        .get("edges")
        .and_then(|e| e.as_array())
        .ok_or_else(|| err(None, "no \"edges\" array (Batfish layer-1 topology)".into()))?;
    // The line of the k-th edge: where its k-th `"node1"` key is.
    let index = LineIndex::new(text);
    let lines: Vec<u32> = text
        .match_indices("\"node1\"")
        .map(|(i, _)| index.line(i))
        .collect();
    let mut seen: HashSet<(LinkEnd, LinkEnd)> = HashSet::new();
    let mut out = vec![];
    for (k, e) in edges.iter().enumerate() {
        let line = lines.get(k).copied();
        let mut pair = vec![];
        for key in ["node1", "node2"] {
            let n = e.get(key);
            let host = n.and_then(|n| n.get("hostname")).and_then(|x| x.as_str());
            let ifn = n
                .and_then(|n| n.get("interfaceName"))
                .and_then(|x| x.as_str());
            let (Some(host), Some(ifn)) = (host, ifn) else {
                return Err(err(
                    line,
                    format!("edge {}: {key} needs hostname and interfaceName", k + 1),
                ));
            };
            let di = dialect::state::topology::device_by_sysname(devices, host)
                .ok_or_else(|| err(line, format!("edge {}: unknown device \"{host}\"", k + 1)))?;
            let ii =
                dialect::state::topology::interface_of(&devices[di], ifn).ok_or_else(|| {
                    err(
                        line,
                        format!(
                            "edge {}: device {} has no interface \"{ifn}\"",
                            k + 1,
                            devices[di].name
                        ),
                    )
                })?;
            pair.push(LinkEnd::Port {
                device: devices[di].name.clone(),
                interface: devices[di].interfaces[ii].name.clone(),
            });
        }
        let (b, a) = (pair.pop().expect("two"), pair.pop().expect("two"));
        let key = if a <= b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        if a == b || !seen.insert(key) {
            continue;
        }
        out.push(Link {
            a,
            b,
            line: 0,
            inferred: None,
            observed: Some(ObservedLink {
                from: "Batfish layer-1".into(),
                evidence: vec![Span::new(rel, line.unwrap_or(1))],
            }),
        });
    }
    Ok(out)
}

/// Links missing from topology.toml that the configs make certain: two cable-able routed
/// interfaces (a routed port, a sub-interface — whose parent port is the cable — or a
/// firewall port; not SVIs, loopbacks or tunnels) on two different devices that hold the
/// only two addresses of a subnet anywhere in the snapshot, where the subnet is a /30 or
/// /31, or is larger but holds no declared host. Ends in `taken` (linked by topology.toml
/// or named by a zone's `attach`) are never linked; a port that would be linked to two
/// different peers is left alone (ambiguous).
pub fn infer_links(
    devices: &[Device],
    taken: &HashSet<(String, String)>,
    host_ips: &[Ipv4Addr],
) -> Vec<Link> {
    // Every address of every live L3 interface (SVIs included: an SVI in the subnet means
    // a switched segment, not a cable), per subnet.
    struct Addr {
        dev: usize,
        ifi: usize,
        ip: Ipv4Addr,
        cable: Option<(String, Option<u16>)>,
    }
    let mut by_net: BTreeMap<(u32, u8), Vec<Addr>> = BTreeMap::new();
    for (di, d) in devices.iter().enumerate() {
        for (ii, i) in d.interfaces.iter().enumerate() {
            if i.shutdown {
                continue;
            }
            let lname = i.name.to_ascii_lowercase();
            let virtual_if = lname == "lo"
                || ["loopback", "null", "tunnel", "bvi", "ssl.", "dialer"]
                    .iter()
                    .any(|p| lname.starts_with(p));
            let cable = match (&i.mode, &i.parent) {
                (IfMode::Routed, None) if !virtual_if => Some((i.name.clone(), None)),
                (IfMode::Routed, Some((p, tag))) => d
                    .interfaces
                    .iter()
                    .find(|x| &x.name == p && !x.shutdown && x.mode == IfMode::Routed)
                    .map(|x| (x.name.clone(), Some(*tag))),
                _ => None,
            };
            for (a, len) in &i.addresses {
                if *len > 31 {
                    continue;
                }
                let Ok(n) = Ipv4Network::new(*a, *len) else {
                    continue;
                };
                by_net
                    .entry((u32::from(n.network()), *len))
                    .or_default()
                    .push(Addr {
                        dev: di,
                        ifi: ii,
                        ip: *a,
                        cable: cable.clone(),
                    });
            }
        }
    }
    // Candidate (port, port) pairs, keyed by the two ends.
    type End = (usize, String);
    let mut cands: Vec<(End, End, usize, usize, String)> = vec![];
    for ((net, len), v) in &by_net {
        if v.len() != 2 || v[0].dev == v[1].dev || v[0].ip == v[1].ip {
            continue;
        }
        let (Some(ca), Some(cb)) = (&v[0].cable, &v[1].cable) else {
            continue;
        };
        if ca.1 != cb.1 {
            continue; // untagged against tagged, or two tags: not one wire
        }
        let n = Ipv4Network::new(Ipv4Addr::from(*net), *len).expect("valid");
        if *len < 30 && host_ips.iter().any(|h| n.contains(*h)) {
            continue;
        }
        cands.push((
            (v[0].dev, ca.0.clone()),
            (v[1].dev, cb.0.clone()),
            v[0].ifi,
            v[1].ifi,
            format!("{}/{}", n.network(), len),
        ));
    }
    // A port paired with two different peers (sub-interfaces to two devices) is ambiguous.
    let mut peers: HashMap<End, HashSet<End>> = HashMap::new();
    for (a, b, ..) in &cands {
        peers.entry(a.clone()).or_default().insert(b.clone());
        peers.entry(b.clone()).or_default().insert(a.clone());
    }
    let mut done: HashSet<(End, End)> = HashSet::new();
    let mut out = vec![];
    for (a, b, ia, ib, subnet) in cands {
        let free = |e: &End| {
            peers[e].len() == 1 && !taken.contains(&(devices[e.0].name.clone(), e.1.clone()))
        };
        if !free(&a) || !free(&b) || !done.insert((a.clone(), b.clone())) {
            continue;
        }
        let end = |e: &End| LinkEnd::Port {
            device: devices[e.0].name.clone(),
            interface: e.1.clone(),
        };
        out.push(Link {
            a: end(&a),
            b: end(&b),
            line: 0,
            observed: None,
            inferred: Some(InferredLink {
                a_span: devices[a.0].interfaces[ia].span.clone(),
                b_span: devices[b.0].interfaces[ib].span.clone(),
                subnet,
            }),
        });
    }
    out
}

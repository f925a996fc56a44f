//! The independent reference checker: decides every check per concrete packet with the
//! simulator (`sanso_testkit::sim::Sim`, one packet hop by hop), the generator's ground truth for
//! zones, hosts and flows, and the meaning of each check (shared/DOMAIN.md,
//! docs/semantics.md) written out again here — no engine reach sets, no rule evaluators,
//! no sanso zone location.

use super::town::{Ep, TFlow, TPoint, Truth};
use sanso::hs::Packet;
use sanso::model::Mac;
use sanso::model::Snapshot;
use sanso::net::Graph;
use sanso_testkit::sim::Sim;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

pub const CHECKS: [&str; 16] = [
    "MN-ISOLATION",
    "MN-TOKUTEI-ONLY",
    "TOKUTEI-IP",
    "TOKUTEI-PORT",
    "TOKUTEI-MAC",
    "TOKUTEI-PATH",
    "SPLIT-MUGAIKA-ONLY",
    "LGWAN-PROTOCOLS",
    "TOKUTEI-DEST-NO-INTERNET",
    "LGWAN-EXTERNAL-TOKUTEI",
    "INTERNET-VIA-CLOUD",
    "VPN-MAINT-TOKUTEI",
    "BRANCH-CLOSED",
    "NO-INTERNET-UPDATES",
    "PRINTER-NOT-SHARED",
    "DUAL-HOMED-FW",
];

/// The checks about a 特定通信 entry (the others are about a zone pair).
pub fn flow_check(c: &str) -> bool {
    matches!(
        c,
        "TOKUTEI-IP" | "TOKUTEI-PORT" | "TOKUTEI-MAC" | "TOKUTEI-PATH"
    )
}

/// External kinds of 特定通信 destinations (TOKUTEI-DEST-NO-INTERNET).
const TOKUTEI_KINDS: [&str; 6] = [
    "juki-net",
    "chukan-server",
    "conveni",
    "lgwan-asp",
    "backup-center",
    "dedicated-line",
];

/// What a violation is about: a zone pair, or a 特定通信 destination / flow with the
/// flows a finding may name for it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pair {
    pub src: String,
    pub dst: String,
    /// For flow checks: the flow names any of which a finding may carry.
    pub flows: Vec<String>,
}

impl std::fmt::Display for Pair {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{} → {}", self.src, self.dst)?;
        if !self.flows.is_empty() {
            write!(f, " [{}]", self.flows.join(" | "))?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub struct Example {
    pub src_point: String,
    pub dst_point: String,
    pub pkt: Packet,
}

#[derive(Clone, Debug, Default)]
pub struct Verdict {
    pub pairs: BTreeMap<Pair, Example>,
}

pub struct Referee<'a> {
    pub truth: &'a Truth,
    pub g: &'a Graph,
    sim: Sim<'a>,
    /// Truth of each graph point (None: a point the generator did not place).
    pub pts: Vec<Option<TPoint>>,
    pub keys: Vec<String>,
    pub sims: usize,
}

fn mac(v: u64) -> Mac {
    let b = v.to_be_bytes();
    Mac::new(b[2], b[3], b[4], b[5], b[6], b[7])
}
pub fn mac_of(m: Mac) -> u64 {
    sanso::hs::mac_u64(m)
}

pub const FOREIGN_MAC: u64 = 0x02_00_00_00_00_01;

pub fn packet(src: u32, dst: u32, svc: (u8, u16), m: u64) -> Packet {
    let (proto, port) = svc;
    let ports = proto == 6 || proto == 17;
    Packet {
        src_mac: mac(m),
        dst_mac: mac(0x00_00_0c_9f_f0_01),
        vlan: 0,
        src_ip: Ipv4Addr::from(src),
        dst_ip: Ipv4Addr::from(dst),
        proto,
        src_port: if ports { 49152 } else { 0 },
        dst_port: if ports { port } else { 0 },
        icmp_type: if proto == 1 { port as u8 } else { 0 },
        icmp_code: 0,
        established: false,
    }
}

fn port_in(p: &Packet, specs: &[(u8, u16, u16)]) -> bool {
    specs.iter().any(|s| {
        s.0 == p.proto
            && if p.proto == 1 {
                (s.1 as u32) <= p.icmp_type as u32 && p.icmp_type as u32 <= s.2 as u32
            } else {
                s.1 <= p.dst_port && p.dst_port <= s.2
            }
    })
}

impl<'a> Referee<'a> {
    pub fn new(truth: &'a Truth, snap: &'a Snapshot, g: &'a Graph) -> Referee<'a> {
        let keys: Vec<String> = g
            .points
            .iter()
            .map(|p| super::town::point_key(&p.device, &p.interface))
            .collect();
        let pts = keys.iter().map(|k| truth.points.get(k).cloned()).collect();
        Referee {
            truth,
            g,
            sim: Sim::new(snap, g),
            pts,
            keys,
            sims: 0,
        }
    }

    /// Generator points that the graph does not list (a harness error if any).
    pub fn missing_points(&self) -> Vec<String> {
        self.truth
            .points
            .keys()
            .filter(|k| !self.keys.contains(k))
            .cloned()
            .collect()
    }

    pub fn point_index(&self, key: &str) -> Option<usize> {
        self.keys.iter().position(|k| k == key)
    }

    /// The sinks `p` sent from `src` reaches, each with the packet as delivered there.
    pub fn deliveries(&mut self, src: usize, p: &Packet) -> Vec<(usize, Packet)> {
        self.sims += 1;
        self.sim.deliveries(self.g, src, p)
    }

    fn tier(&self, z: usize) -> &str {
        self.truth.zones[z].tier
    }
    fn kind(&self, z: usize) -> &str {
        &self.truth.zones[z].kind
    }
    fn mn(&self, z: usize) -> bool {
        self.tier(z) == "mynumber"
    }
    fn lg(&self, z: usize) -> bool {
        self.tier(z) == "lgwan"
    }
    /// インターネット接続系 or the Internet itself.
    fn inet_side(&self, z: usize) -> bool {
        self.tier(z) == "internet"
            || (self.tier(z) == "external" && matches!(self.kind(z), "internet" | "security-cloud"))
    }
    /// The Internet itself (a direct line or the security cloud).
    fn internet(&self, z: usize) -> bool {
        self.tier(z) == "external" && matches!(self.kind(z), "internet" | "security-cloud")
    }
    fn internal(&self, z: usize) -> bool {
        self.tier(z) != "external"
    }
    /// 住基ネット, 中間サーバ, LGWAN … (external, not the Internet).
    fn ext_closed(&self, z: usize) -> bool {
        self.tier(z) == "external" && !matches!(self.kind(z), "internet" | "security-cloud")
    }

    /// Does check `c` have anything to judge in this town (else it is not applicable)?
    pub fn applies(&self, c: &str) -> bool {
        match c {
            "INTERNET-VIA-CLOUD" => (0..self.truth.zones.len())
                .any(|z| self.tier(z) == "external" && self.kind(z) == "internet"),
            // The role checks: a host of the role in the tiers they are about.
            "NO-INTERNET-UPDATES" => self.truth.hosts.iter().any(|h| {
                matches!(h.role, "wsus" | "av-pattern") && (self.mn(h.zone) || self.lg(h.zone))
            }),
            "PRINTER-NOT-SHARED" => self
                .truth
                .hosts
                .iter()
                .any(|h| h.role == "printer" && self.internal(h.zone)),
            "DUAL-HOMED-FW" => self
                .truth
                .hosts
                .iter()
                .any(|h| h.role == "jalert" && self.internal(h.zone)),
            _ => true,
        }
    }

    /// `p` (as sent) from the flow's source on its ports, delivered to `dst` in its
    /// destination.
    fn flow_covers(&self, f: &TFlow, p: &Packet, dst: u32) -> bool {
        self.truth.ep_has(f.from, u32::from(p.src_ip))
            && self.truth.ep_has(f.to, dst)
            && port_in(p, &f.ports)
    }

    /// Does the delivery (source point `ps`, packet `p` as sent, sink `pd`, where it
    /// arrives as `got`) violate `rule`, and about what? The meaning of each check, per
    /// packet: source and ports as sent, the destination as delivered (a port forward
    /// into a tier is traffic into that tier).
    pub fn judge(
        &self,
        rule: &str,
        ps: usize,
        p: &Packet,
        pd: usize,
        got: &Packet,
    ) -> Option<Pair> {
        let t = self.truth;
        let (Some(s), Some(d)) = (&self.pts[ps], &self.pts[pd]) else {
            return None;
        };
        if p.established || ps == pd {
            return None;
        }
        let (sz, dz) = (s.zone, d.zone);
        let src = u32::from(p.src_ip);
        let dst = u32::from(got.dst_ip);
        let zname = |z: usize| t.zones[z].name.clone();
        let pair = |a: usize, b: usize| Pair {
            src: zname(a),
            dst: zname(b),
            flows: vec![],
        };
        // Zone-pair checks: delivered to a point of another zone, addressed into it.
        let addressed = sz != dz && t.zone_of(dst) == Some(dz);
        match rule {
            "MN-ISOLATION" => {
                let other = |z: usize| self.lg(z) || self.inet_side(z);
                (addressed && ((self.mn(sz) && other(dz)) || (other(sz) && self.mn(dz))))
                    .then(|| pair(sz, dz))
            }
            "MN-TOKUTEI-ONLY" => {
                let applies =
                    (self.mn(sz) && self.ext_closed(dz)) || (self.ext_closed(sz) && self.mn(dz));
                if !addressed || !applies {
                    return None;
                }
                // The destination decides (TOKUTEI-IP/PORT judge the rest).
                let ok = t.tokutei.iter().any(|f| {
                    self.tier(t.ep_zone(f.from)) == self.tier(sz)
                        && t.ep_zone(f.to) == dz
                        && t.ep_has(f.to, dst)
                });
                (!ok).then(|| pair(sz, dz))
            }
            "SPLIT-MUGAIKA-ONLY" => {
                let applies =
                    (self.lg(sz) && self.inet_side(dz)) || (self.inet_side(sz) && self.lg(dz));
                if !addressed || !applies {
                    return None;
                }
                // A J-ALERT-like host's declared 特定通信 is the exception 3.(4)⑧ allows,
                // held to its exact source, destination and ports like a 無害化 path.
                let jalert =
                    |f: &&TFlow| matches!(f.from, Ep::Host(h) if t.hosts[h].role == "jalert");
                let ok = t
                    .mugaika
                    .iter()
                    .chain(t.tokutei.iter().filter(jalert))
                    .any(|f| {
                        t.ep_zone(f.from) == sz
                            && t.ep_zone(f.to) == dz
                            && self.flow_covers(f, p, dst)
                    });
                (!ok).then(|| pair(sz, dz))
            }
            "LGWAN-PROTOCOLS" => {
                let applies = (self.mn(sz) || self.lg(sz))
                    && self.tier(dz) == "external"
                    && matches!(self.kind(dz), "lgwan" | "lgwan-asp");
                (addressed && applies && !port_in(p, &t.lgwan_allowed)).then(|| pair(sz, dz))
            }
            "INTERNET-VIA-CLOUD" => (addressed
                && self.internal(sz)
                && self.tier(dz) == "external"
                && self.kind(dz) == "internet")
                .then(|| pair(sz, dz)),
            "VPN-MAINT-TOKUTEI" => (addressed && self.internet(sz) && (self.mn(dz) || self.lg(dz)))
                .then(|| pair(sz, dz)),
            "BRANCH-CLOSED" => {
                // Internal traffic of the closed tiers leaving by an Internet line.
                let to_closed = t.zone_of(dst).is_some_and(|z| self.mn(z) || self.lg(z));
                ((self.mn(sz) || self.lg(sz)) && self.internet(dz) && to_closed)
                    .then(|| pair(sz, dz))
            }
            // A WSUS / AV-pattern server of the closed tiers, sending from its own port
            // with its own address, delivered into the Internet.
            "NO-INTERNET-UPDATES" => {
                let h = s.host?;
                let host = &t.hosts[h];
                let applies = matches!(host.role, "wsus" | "av-pattern")
                    && (self.mn(host.zone) || self.lg(host.zone))
                    && src == host.ip
                    && self.internet(dz);
                (addressed && applies).then(|| Pair {
                    src: host.name.clone(),
                    dst: zname(dz),
                    flows: vec![],
                })
            }
            // A printer on one side of the インターネット接続系 line delivered a new flow,
            // addressed to it, from a zone on the other side (from any source address,
            // as any zone's sender may use).
            "PRINTER-NOT-SHARED" => {
                let h = d.host?;
                let host = &t.hosts[h];
                if host.role != "printer" || dst != host.ip || sz == host.zone {
                    return None;
                }
                let inet = |z: usize| self.tier(z) == "internet";
                let closed = |z: usize| self.mn(z) || self.lg(z);
                let shared = (inet(host.zone) && closed(sz)) || (closed(host.zone) && inet(sz));
                shared.then(|| Pair {
                    src: zname(sz),
                    dst: host.name.clone(),
                    flows: vec![],
                })
            }
            // The J-ALERT receiver (from its port, with its address) delivered into an
            // LGWAN接続系 / インターネット接続系 zone or the Internet outside the 特定通信
            // declared from it (destination and ports).
            "DUAL-HOMED-FW" => {
                let h = s.host?;
                let host = &t.hosts[h];
                let sink = self.lg(dz) || self.tier(dz) == "internet" || self.internet(dz);
                if host.role != "jalert" || !self.internal(host.zone) || src != host.ip {
                    return None;
                }
                if !addressed || !sink {
                    return None;
                }
                let declared = t.tokutei.iter().any(|f| {
                    f.from == Ep::Host(h)
                        && t.ep_zone(f.to) == dz
                        && t.ep_has(f.to, dst)
                        && port_in(p, &f.ports)
                });
                (!declared).then(|| Pair {
                    src: host.name.clone(),
                    dst: zname(dz),
                    flows: vec![],
                })
            }
            "TOKUTEI-DEST-NO-INTERNET" => {
                if !addressed || !self.internet(dz) {
                    return None;
                }
                let kind_src =
                    |z: usize| self.tier(z) == "external" && TOKUTEI_KINDS.contains(&self.kind(z));
                // Sources: zones of those kinds, zones that are a 特定通信 destination, and
                // destination hosts outside such zones (the Internet itself aside).
                let zone_src = |z: usize| {
                    !self.internet(z)
                        && (kind_src(z) || t.tokutei.iter().any(|f| f.to == Ep::Zone(z)))
                };
                if zone_src(sz) {
                    return Some(pair(sz, dz));
                }
                t.tokutei.iter().find_map(|f| match f.to {
                    Ep::Host(h)
                        if t.hosts[h].zone == sz && t.hosts[h].ip == src && !self.internet(sz) =>
                    {
                        Some(Pair {
                            src: t.hosts[h].name.clone(),
                            dst: zname(dz),
                            flows: vec![],
                        })
                    }
                    _ => None,
                })
            }
            "LGWAN-EXTERNAL-TOKUTEI" => {
                let other = |z: usize| {
                    self.tier(z) == "external"
                        && !matches!(self.kind(z), "lgwan" | "internet" | "security-cloud")
                };
                let applies = (self.lg(sz) && other(dz)) || (other(sz) && self.lg(dz));
                if !addressed || !applies {
                    return None;
                }
                let ok = t.tokutei.iter().any(|f| {
                    self.tier(t.ep_zone(f.from)) == self.tier(sz)
                        && t.ep_zone(f.to) == dz
                        && t.ep_has(f.to, dst)
                });
                (!ok).then(|| pair(sz, dz))
            }
            "TOKUTEI-IP" | "TOKUTEI-PORT" => {
                // Per packet: the declared flows whose destination holds its address
                // (several may, e.g. a host and the zone around it), each judged from
                // senders of its source's tier.
                let cands: Vec<&TFlow> = t
                    .tokutei
                    .iter()
                    .filter(|f| {
                        let tz = t.ep_zone(f.to);
                        self.tier(sz) == self.tier(t.ep_zone(f.from))
                            && sz != tz
                            && dz == tz
                            && t.ep_has(f.to, dst)
                    })
                    .collect();
                if cands.is_empty() {
                    return None;
                }
                let src_tier = self.tier(sz).to_string();
                let named = |fs: Vec<&&TFlow>| Pair {
                    src: src_tier.clone(),
                    dst: t.ep_name(fs[0].to).to_string(),
                    flows: fs.iter().map(|f| f.name.clone()).collect(),
                };
                if rule == "TOKUTEI-IP" {
                    // A declared port of some flow to this address, from a source that no
                    // flow declares for this packet.
                    let on_port: Vec<&&TFlow> =
                        cands.iter().filter(|f| port_in(p, &f.ports)).collect();
                    if on_port.is_empty() || t.tokutei.iter().any(|f| self.flow_covers(f, p, dst)) {
                        return None;
                    }
                    // Attributed to the flows declaring that port, nearest declared
                    // source to the sender first.
                    let near = |f: &&&TFlow| match f.from {
                        Ep::Host(h) => (t.hosts[h].ip ^ src).leading_zeros(),
                        Ep::Zone(_) => 0,
                    };
                    let best = on_port.iter().map(near).max().unwrap_or(0);
                    Some(named(
                        on_port.into_iter().filter(|f| near(f) == best).collect(),
                    ))
                } else {
                    // An undeclared port: no declared flow to this address has it.
                    let declared = t
                        .tokutei
                        .iter()
                        .any(|f| t.ep_has(f.to, dst) && port_in(p, &f.ports));
                    if declared {
                        return None;
                    }
                    let own: Vec<&&TFlow> =
                        cands.iter().filter(|f| t.ep_has(f.from, src)).collect();
                    Some(if own.is_empty() {
                        named(cands.iter().collect())
                    } else {
                        named(own)
                    })
                }
            }
            "TOKUTEI-MAC" | "TOKUTEI-PATH" => {
                for f in &t.tokutei {
                    let Ep::Host(h) = f.from else { continue };
                    let host = &t.hosts[h];
                    let tz = t.ep_zone(f.to);
                    if src != host.ip || dz != tz || !t.ep_has(f.to, dst) || !port_in(p, &f.ports) {
                        continue;
                    }
                    let at_host = s.host == Some(h);
                    let hit = if rule == "TOKUTEI-MAC" {
                        at_host && host.mac.is_some_and(|m| m != mac_of(p.src_mac))
                    } else {
                        !at_host && sz != tz
                    };
                    if hit {
                        return Some(Pair {
                            src: host.name.clone(),
                            dst: t.ep_name(f.to).into(),
                            flows: vec![f.name.clone()],
                        });
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// Candidate destination addresses of a zone: boundaries and hosts.
    fn zone_dsts(&self, z: usize, b: u8) -> (Vec<u32>, Vec<u32>) {
        let t = self.truth;
        let zn = &t.zones[z];
        let mut primary: Vec<u32> = t
            .hosts
            .iter()
            .filter(|h| h.zone == z)
            .map(|h| h.ip)
            .collect();
        let mut edge = vec![];
        if zn.len == 0 {
            primary.push(u32::from_be_bytes([198, 51, 100, 7]));
            edge.extend([
                u32::from_be_bytes([8, 8, 8, 8]),
                u32::from_be_bytes([10, b, 99, 99]),
                u32::from_be_bytes([10, b, 250, 200]),
                u32::from_be_bytes([255, 255, 255, 254]),
                1,
            ]);
        } else {
            let size = 1u32 << (32 - zn.len);
            primary.push(zn.net + if size > 32 { 10 } else { size / 2 + 1 });
            edge.extend([zn.net, zn.net + 1, zn.net + size - 1, zn.net + size - 2]);
            for h in t.hosts.iter().filter(|h| h.zone == z) {
                edge.push(h.ip + 1);
                edge.push(h.ip - 1);
            }
            // Just outside.
            edge.push(zn.net.wrapping_sub(1));
            edge.push(zn.net.wrapping_add(size));
        }
        primary.sort();
        primary.dedup();
        edge.sort();
        edge.dedup();
        edge.retain(|a| !primary.contains(a));
        (primary, edge)
    }

    /// Every service worth a packet: each port in the network, ±1, and odd protocols.
    fn services(&self) -> Vec<(u8, u16)> {
        let mut v: BTreeSet<(u8, u16)> = BTreeSet::new();
        for &(pr, port) in &self.truth.ports {
            v.insert((pr, port));
            v.insert((pr, port.saturating_sub(1)));
            v.insert((pr, port.saturating_add(1)));
        }
        for x in [
            (6, 0),
            (6, 65535),
            (17, 0),
            (17, 65535),
            (1, 8),
            (47, 0),
            (6, 25),
            (6, 443),
            (17, 53),
        ] {
            v.insert(x);
        }
        v.into_iter().collect()
    }

    /// Inject the candidate packets at every edge point; judge every delivery.
    pub fn decide(
        &mut self,
        b: u8,
        rng: &mut crate::common::Rng,
    ) -> BTreeMap<&'static str, Verdict> {
        let t = self.truth;
        let mut out: BTreeMap<&'static str, Verdict> =
            CHECKS.iter().map(|c| (*c, Verdict::default())).collect();
        let svcs = self.services();
        let few: Vec<(u8, u16)> = vec![(6, 443), (17, 53), (6, 25), (1, 8)];
        let nz = t.zones.len();
        let dsts: Vec<(Vec<u32>, Vec<u32>)> = (0..nz).map(|z| self.zone_dsts(z, b)).collect();
        let all_src: Vec<u32> = dsts.iter().flat_map(|d| d.0.clone()).collect();
        for ps in 0..self.pts.len() {
            let Some(s) = self.pts[ps].clone() else {
                continue;
            };
            let mut pkts: Vec<Packet> = vec![];
            for (dz, (primary, edge)) in dsts.iter().enumerate() {
                // Same-tier destinations matter too (BRANCH-CLOSED: to another site's
                // zone; TOKUTEI-DEST-NO-INTERNET: external to external).
                if dz == s.zone {
                    continue;
                }
                for &d in primary {
                    for &sv in &svcs {
                        pkts.push(packet(s.src_ip, d, sv, s.mac));
                    }
                }
                for &d in edge {
                    for &sv in &few {
                        pkts.push(packet(s.src_ip, d, sv, s.mac));
                    }
                    pkts.push(packet(s.src_ip, d, rng.pick(&svcs), s.mac));
                }
                // Spoofed sources.
                for _ in 0..3 {
                    let d = rng.pick(primary);
                    pkts.push(packet(rng.pick(&all_src), d, rng.pick(&svcs), s.mac));
                }
            }
            // Port forwards: addressed to a device, delivered into a zone.
            for &d in &t.forwards {
                for &sv in &svcs {
                    pkts.push(packet(s.src_ip, d, sv, s.mac));
                }
            }
            // 特定通信: spoofing the declared source, its neighbours, foreign MACs.
            for f in &t.tokutei {
                let Ep::Host(h) = f.from else { continue };
                let hip = t.hosts[h].ip;
                let tz = t.ep_zone(f.to);
                let mut tos = dsts[tz].0.clone();
                tos.truncate(3);
                let mut fsv: Vec<(u8, u16)> = vec![];
                for p in t.tokutei.iter().flat_map(|f| f.ports.iter()) {
                    for port in [p.1, p.2, p.1.saturating_sub(1), p.2.saturating_add(1)] {
                        fsv.push((p.0, port));
                    }
                }
                fsv.push((6, 22));
                fsv.push((17, 161));
                for &d in &tos {
                    for &sv in &fsv {
                        for sip in [hip, hip + 1, hip - 1, s.src_ip] {
                            pkts.push(packet(sip, d, sv, s.mac));
                        }
                        if s.host == Some(h) {
                            pkts.push(packet(hip, d, sv, FOREIGN_MAC));
                        }
                    }
                }
            }
            // Random packets.
            for _ in 0..40 {
                let dz = rng.index(nz);
                let d = if rng.chance(50) {
                    rng.pick(&dsts[dz].0)
                } else if dsts[dz].1.is_empty() {
                    dsts[dz].0[0]
                } else {
                    rng.pick(&dsts[dz].1)
                };
                let sip = if rng.chance(70) {
                    s.src_ip
                } else {
                    rng.pick(&all_src)
                };
                let m = if rng.chance(80) { s.mac } else { FOREIGN_MAC };
                pkts.push(packet(sip, d, rng.pick(&svcs), m));
            }
            pkts.sort_by_key(|p| {
                (
                    p.src_ip,
                    p.dst_ip,
                    p.proto,
                    p.dst_port,
                    p.icmp_type,
                    mac_of(p.src_mac),
                )
            });
            pkts.dedup_by_key(|p| {
                (
                    p.src_ip,
                    p.dst_ip,
                    p.proto,
                    p.dst_port,
                    p.icmp_type,
                    mac_of(p.src_mac),
                )
            });
            for p in pkts {
                for (pd, got) in self.deliveries(ps, &p) {
                    for c in CHECKS {
                        if let Some(pair) = self.judge(c, ps, &p, pd, &got) {
                            out.get_mut(c)
                                .unwrap()
                                .pairs
                                .entry(pair)
                                .or_insert_with(|| Example {
                                    src_point: self.keys[ps].clone(),
                                    dst_point: self.keys[pd].clone(),
                                    pkt: p.clone(),
                                });
                        }
                    }
                }
            }
        }
        out
    }
}

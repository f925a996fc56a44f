//! Random networks as plain data: routers (nftables or iptables), hosts, Linux bridges as
//! L2 switches, veth wires, static routes, filter and NAT rules. Rendering to commands is
//! in `render.rs`; nothing here touches the kernel.

use super::rng::Rng;
use std::net::Ipv4Addr;

pub type MacBytes = [u8; 6];

pub fn mac_str(m: &MacBytes) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[derive(Clone, Debug)]
pub struct Iface {
    pub name: String,
    pub mac: MacBytes,
    pub addr: Option<(Ipv4Addr, u8)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Router(usize),
    Switch(usize),
    Host(usize),
}

/// One veth pair.
#[derive(Clone, Debug)]
pub struct Wire {
    pub a: (Node, usize),
    pub b: (Node, usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fw {
    Nft,
    /// iptables; `legacy` = the xtables backend (`iptables-legacy`), else `iptables-nft`.
    /// One router never mixes the two.
    Ipt {
        legacy: bool,
    },
}

#[derive(Clone, Debug)]
pub enum RouteKind {
    Via(Ipv4Addr),
    Blackhole,
}

#[derive(Clone, Debug)]
pub struct RouteSpec {
    pub prefix: Ipv4Addr,
    pub len: u8,
    pub kind: RouteKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// Filter chain on prerouting (nft priority -150 / iptables raw table).
    Prerouting,
    Input,
    Forward,
    Output,
}

#[derive(Clone, Debug)]
pub enum Cond {
    Saddr {
        neg: bool,
        nets: Vec<(Ipv4Addr, u8)>,
    },
    Daddr {
        neg: bool,
        nets: Vec<(Ipv4Addr, u8)>,
    },
    /// nft named set `@trusted` (only on nft routers).
    SaddrSet,
    SrcRange(Ipv4Addr, Ipv4Addr),
    Proto(u8),
    /// Port ranges of `proto` (6/17); more than one = a set / multiport.
    Dport {
        proto: u8,
        ports: Vec<(u16, u16)>,
    },
    Sport {
        proto: u8,
        ports: Vec<(u16, u16)>,
    },
    IcmpEcho,
    Ct(Vec<&'static str>),
    /// Name; a trailing `*` is a prefix wildcard (`eth*` / `eth+`).
    Iif {
        neg: bool,
        name: String,
    },
    Oif {
        neg: bool,
        name: String,
    },
    SrcMac(MacBytes),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    Drop,
    Reject,
    /// No verdict: a counter-only rule.
    Counter,
    Jump(String),
    Goto(String),
    Return,
}

#[derive(Clone, Debug)]
pub struct RuleSpec {
    pub conds: Vec<Cond>,
    pub verdict: Verdict,
    /// Cleared by the shrinker.
    pub enabled: bool,
}

#[derive(Clone, Debug)]
pub struct ChainSpec {
    pub name: String,
    pub hook: Option<Hook>,
    pub policy_drop: bool,
    /// 0 = the main filter table, 1 = a second nft table with its own base chain.
    pub table: u8,
    pub rules: Vec<RuleSpec>,
}

#[derive(Clone, Debug)]
pub enum NatKind {
    /// `daddr vip [proto dport port] → to[:to_port]`.
    Dnat {
        vip: Ipv4Addr,
        proto: u8,
        port: Option<u16>,
        to: Ipv4Addr,
        to_port: Option<u16>,
        target_host: usize,
    },
    Snat {
        src: (Ipv4Addr, u8),
        oif: Option<String>,
        to: Ipv4Addr,
    },
    Masquerade {
        oif: String,
    },
}

#[derive(Clone, Debug)]
pub struct NatRule {
    pub kind: NatKind,
    pub enabled: bool,
}

#[derive(Clone, Debug)]
pub struct Router {
    pub name: String,
    pub ifaces: Vec<Iface>,
    pub routes: Vec<RouteSpec>,
    pub fw: Fw,
    pub forward: bool,
    pub ipv6: bool,
    /// nft family of the filter table (`inet` or `ip`).
    pub family: &'static str,
    pub set: Vec<(Ipv4Addr, u8)>,
    pub chains: Vec<ChainSpec>,
    pub nat: Vec<NatRule>,
}

#[derive(Clone, Debug)]
pub struct Host {
    pub name: String,
    pub iface: Iface,
    pub gw: Ipv4Addr,
}

#[derive(Clone, Debug)]
pub struct Switch {
    pub name: String,
    pub ports: Vec<Iface>,
    /// VLAN-filtering bridge: access VLAN per port (index-aligned with `ports`).
    pub vlans: Option<Vec<u16>>,
}

#[derive(Clone, Debug)]
pub struct Net {
    pub seed: u64,
    pub routers: Vec<Router>,
    pub switches: Vec<Switch>,
    pub hosts: Vec<Host>,
    pub wires: Vec<Wire>,
    /// Host subnets (one zone each).
    pub segments: Vec<(Ipv4Addr, u8)>,
}

impl Net {
    pub fn iface(&self, (n, i): (Node, usize)) -> &Iface {
        match n {
            Node::Router(r) => &self.routers[r].ifaces[i],
            Node::Switch(s) => &self.switches[s].ports[i],
            Node::Host(h) => &self.hosts[h].iface,
        }
    }
    pub fn node_name(&self, n: Node) -> &str {
        match n {
            Node::Router(r) => &self.routers[r].name,
            Node::Switch(s) => &self.switches[s].name,
            Node::Host(h) => &self.hosts[h].name,
        }
    }
    pub fn nodes(&self) -> Vec<Node> {
        let mut v: Vec<Node> = (0..self.routers.len()).map(Node::Router).collect();
        v.extend((0..self.switches.len()).map(Node::Switch));
        v.extend((0..self.hosts.len()).map(Node::Host));
        v
    }

    /// L2 domains: the L3 endpoints (router interfaces, hosts) that share a wire or bridge.
    pub fn l2_domains(&self) -> Vec<Vec<(Node, usize)>> {
        let mut doms: Vec<Vec<(Node, usize)>> = vec![];
        for (si, _) in self.switches.iter().enumerate() {
            let mut d = vec![];
            for w in &self.wires {
                for (x, y) in [(w.a, w.b), (w.b, w.a)] {
                    if x.0 == Node::Switch(si) {
                        d.push(y);
                    }
                }
            }
            doms.push(d);
        }
        for w in &self.wires {
            if !matches!(w.a.0, Node::Switch(_)) && !matches!(w.b.0, Node::Switch(_)) {
                doms.push(vec![w.a, w.b]);
            }
        }
        doms
    }

    /// The MAC owning `ip` in the L2 domain of `from` (for next-hop resolution).
    pub fn mac_in_domain(&self, from: (Node, usize), ip: Ipv4Addr) -> Option<MacBytes> {
        self.l2_domains()
            .into_iter()
            .find(|d| d.contains(&from))?
            .into_iter()
            .map(|e| self.iface(e))
            .find(|i| i.addr.is_some_and(|(a, _)| a == ip))
            .map(|i| i.mac)
    }

    pub fn host_ifref(&self, h: usize) -> (Node, usize) {
        (Node::Host(h), 0)
    }

    /// Number of enabled rules (for the shrinker's report).
    pub fn rule_count(&self) -> usize {
        self.routers
            .iter()
            .map(|r| {
                r.chains
                    .iter()
                    .map(|c| c.rules.iter().filter(|x| x.enabled).count())
                    .sum::<usize>()
                    + r.nat.iter().filter(|n| n.enabled).count()
            })
            .sum()
    }
}

pub fn in_net(ip: Ipv4Addr, (n, len): (Ipv4Addr, u8)) -> bool {
    let m = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    u32::from(ip) & m == u32::from(n) & m
}

fn mac(kind: u8, idx: usize, port: usize) -> MacBytes {
    [0x02, 0x5a, kind, idx as u8, port as u8, 0x01]
}

/// Addresses that no interface owns, used as spoofed sources.
pub const OUTSIDE: [Ipv4Addr; 3] = [
    Ipv4Addr::new(198, 51, 100, 7),
    Ipv4Addr::new(203, 0, 113, 9),
    Ipv4Addr::new(10, 99, 0, 5),
];

/// MACs that no interface owns, used as spoofed source MACs.
pub const SPOOF_MACS: [MacBytes; 2] = [
    [0x02, 0x66, 0, 0, 0, 0x01],
    [0x0a, 0xbb, 0xcc, 0, 0x11, 0x22],
];

/// Options of a run (not of a network).
#[derive(Clone, Copy, Debug)]
pub struct GenOpts {
    /// No filter or NAT rules at all (harness self-test).
    pub rules: bool,
    /// The kernel supports VLAN-filtering bridges.
    pub vlan_bridges: bool,
}

pub fn generate(seed: u64, o: GenOpts) -> Net {
    let mut r = Rng::new(seed);
    let nr = r.range(1, 3) as usize;
    let mut routers: Vec<Router> = (0..nr)
        .map(|i| Router {
            name: format!("r{}", i + 1),
            ifaces: vec![],
            routes: vec![],
            fw: if r.chance(50) {
                Fw::Nft
            } else {
                Fw::Ipt {
                    legacy: r.chance(30),
                }
            },
            forward: !r.chance(4),
            ipv6: r.chance(40),
            family: if r.chance(50) { "inet" } else { "ip" },
            set: vec![],
            chains: vec![],
            nat: vec![],
        })
        .collect();
    let mut wires = vec![];
    let add_if = |rt: &mut Router, ri: usize, addr: Option<(Ipv4Addr, u8)>| {
        let n = rt.ifaces.len();
        rt.ifaces.push(Iface {
            name: format!("eth{n}"),
            mac: mac(1, ri, n),
            addr,
        });
        n
    };
    // Router tree over /30 transit links.
    let mut parent = vec![None; nr];
    let mut subnets: Vec<((Ipv4Addr, u8), usize, usize)> = vec![]; // (net, owner router, iface)
    for i in 1..nr {
        let p = r.below(i as u64) as usize;
        parent[i] = Some(p);
        let net = Ipv4Addr::new(10, 200, i as u8, 0);
        let pi = add_if(
            &mut routers[p],
            p,
            Some((Ipv4Addr::new(10, 200, i as u8, 1), 30)),
        );
        let ci = add_if(
            &mut routers[i],
            i,
            Some((Ipv4Addr::new(10, 200, i as u8, 2), 30)),
        );
        subnets.push(((net, 30), p, pi));
        subnets.push(((net, 30), i, ci));
        wires.push(Wire {
            a: (Node::Router(p), pi),
            b: (Node::Router(i), ci),
        });
    }
    // Host segments: 2..=4 subnets, 2..=5 hosts; some behind a Linux bridge.
    let nseg = r.range(2, 4) as usize;
    let mut hosts: Vec<Host> = vec![];
    let mut switches: Vec<Switch> = vec![];
    let mut segments = vec![];
    for s in 0..nseg {
        let ri = r.below(nr as u64) as usize;
        let net = Ipv4Addr::new(10, (s + 1) as u8, 0, 0);
        let gw = Ipv4Addr::new(10, (s + 1) as u8, 0, 1);
        segments.push((net, 24));
        let gi = add_if(&mut routers[ri], ri, Some((gw, 24)));
        subnets.push(((net, 24), ri, gi));
        let room = 5usize.saturating_sub(hosts.len() + (nseg - s - 1));
        let nh = if room >= 2 && r.chance(40) {
            r.range(2, room.min(3) as u64) as usize
        } else {
            1
        };
        let mk_host = |hosts: &mut Vec<Host>, k: usize| {
            let h = hosts.len();
            hosts.push(Host {
                name: format!("h{}", h + 1),
                iface: Iface {
                    name: "eth0".into(),
                    mac: mac(3, h, 0),
                    addr: Some((Ipv4Addr::new(10, (s + 1) as u8, 0, 10 + k as u8), 24)),
                },
                gw,
            });
            h
        };
        if nh == 1 && !r.chance(15) {
            let h = mk_host(&mut hosts, 0);
            wires.push(Wire {
                a: (Node::Router(ri), gi),
                b: (Node::Host(h), 0),
            });
            continue;
        }
        // A bridge between the router and the hosts of this segment.
        let si = switches.len();
        let vlan = (o.vlan_bridges && r.chance(60)).then(|| r.range(2, 40) as u16);
        let mut sw = Switch {
            name: format!("sw{}", si + 1),
            ports: vec![],
            vlans: vlan.map(|_| vec![]),
        };
        for k in 0..=nh {
            sw.ports.push(Iface {
                name: format!("swp{}", k + 1),
                mac: mac(2, si, k),
                addr: None,
            });
            if let (Some(v), Some(vs)) = (vlan, sw.vlans.as_mut()) {
                vs.push(v);
            }
        }
        wires.push(Wire {
            a: (Node::Router(ri), gi),
            b: (Node::Switch(si), 0),
        });
        for k in 0..nh {
            let h = mk_host(&mut hosts, k);
            wires.push(Wire {
                a: (Node::Switch(si), k + 1),
                b: (Node::Host(h), 0),
            });
        }
        switches.push(sw);
    }

    // Static routes along the tree, with random gaps, blackholes and defaults.
    let neigh_toward = |from: usize, to: usize| -> usize {
        // The tree neighbour of `from` on the path to `to`.
        let mut anc = vec![to];
        let mut x = to;
        while let Some(p) = parent[x] {
            anc.push(p);
            x = p;
        }
        if let Some(pos) = anc.iter().position(|&a| a == from) {
            anc[pos - 1]
        } else {
            parent[from].expect("non-root")
        }
    };
    let transit_addr = |a: usize, b: usize| -> Ipv4Addr {
        // Address of router b on the transit link between a and b.
        let child = if parent[b] == Some(a) { b } else { a };
        Ipv4Addr::new(10, 200, child as u8, if child == b { 2 } else { 1 })
    };
    for ri in 0..nr {
        let use_default = parent[ri].is_some() && r.chance(30);
        if use_default {
            let p = parent[ri].unwrap();
            routers[ri].routes.push(RouteSpec {
                prefix: Ipv4Addr::UNSPECIFIED,
                len: 0,
                kind: RouteKind::Via(transit_addr(ri, p)),
            });
        }
        let mut done = vec![];
        for &(net, owner, _) in &subnets {
            if owner == ri || done.contains(&net) || subnets.iter().any(|s| s.0 == net && s.1 == ri)
            {
                continue;
            }
            done.push(net);
            let nb = neigh_toward(ri, owner);
            if use_default && Some(nb) == parent[ri] && !r.chance(20) {
                continue;
            }
            if r.chance(8) {
                continue;
            }
            let kind = if r.chance(5) {
                RouteKind::Blackhole
            } else {
                RouteKind::Via(transit_addr(ri, nb))
            };
            routers[ri].routes.push(RouteSpec {
                prefix: net.0,
                len: net.1,
                kind,
            });
        }
    }

    let mut net = Net {
        seed,
        routers,
        switches,
        hosts,
        wires,
        segments,
    };
    if o.rules {
        for ri in 0..nr {
            gen_rules(&mut r, &mut net, ri);
        }
    }
    net
}

/// The tier of each host segment: `mynumber` or one of `lgwan` / `internet`, at least one
/// of each side. Drawn from the network's seed apart from `generate` (so networks, and
/// the seeds printed by earlier runs, stay the same).
pub fn tiers(net: &Net) -> Vec<&'static str> {
    let mut r = Rng::new(super::rng::mix(net.seed ^ 0x7135_71e4));
    let n = net.segments.len();
    let mut t: Vec<&'static str> = (0..n)
        .map(|_| *r.pick(&["mynumber", "lgwan", "internet"]))
        .collect();
    if !t.contains(&"mynumber") {
        t[r.below(n as u64) as usize] = "mynumber";
    }
    if t.iter().all(|&x| x == "mynumber") {
        let i = r.below(n as u64) as usize;
        t[i] = *r.pick(&["lgwan", "internet"]);
    }
    t
}

/// Is host `h` in a My Number segment?
pub fn host_is_mn(net: &Net, tiers: &[&str], h: usize) -> bool {
    let ip = net.hosts[h].iface.addr.expect("addressed").0;
    net.segments
        .iter()
        .position(|s| in_net(ip, *s))
        .is_some_and(|i| tiers[i] == "mynumber")
}

/// Port numbers probes and rules draw from, so they meet often.
pub const PORTS: [u16; 7] = [22, 53, 80, 443, 3389, 8080, 1500];

fn port_ranges(r: &mut Rng) -> Vec<(u16, u16)> {
    let one = |r: &mut Rng| {
        if r.chance(30) {
            let lo = r.range(1000, 9000) as u16;
            (lo, lo + r.range(0, 3000) as u16)
        } else {
            let p = *r.pick(&PORTS);
            (p, p)
        }
    };
    let mut v: Vec<(u16, u16)> = (0..if r.chance(30) { r.range(2, 3) } else { 1 })
        .map(|_| one(r))
        .collect();
    // nft rejects overlapping intervals in one set: merge them.
    v.sort();
    let mut out: Vec<(u16, u16)> = vec![];
    for (lo, hi) in v {
        match out.last_mut() {
            Some(l) if lo <= l.1.saturating_add(1) => l.1 = l.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// Drop prefixes nested in (or equal to) an earlier one: nft rejects overlapping elements.
fn disjoint(v: Vec<(Ipv4Addr, u8)>) -> Vec<(Ipv4Addr, u8)> {
    let mut kept: Vec<(Ipv4Addr, u8)> = vec![];
    for n in v {
        if !kept.iter().any(|k| in_net(n.0, *k) || in_net(k.0, n)) {
            kept.push(n);
        }
    }
    kept
}

fn net_pool(net: &Net) -> Vec<(Ipv4Addr, u8)> {
    let mut v: Vec<(Ipv4Addr, u8)> = net.segments.clone();
    for h in &net.hosts {
        v.push((h.iface.addr.unwrap().0, 32));
    }
    v.push((Ipv4Addr::new(10, 0, 0, 0), 8));
    v.push((Ipv4Addr::new(10, 0, 0, 0), 14));
    v.push((Ipv4Addr::new(198, 51, 100, 0), 24));
    v.push((Ipv4Addr::new(10, 200, 0, 0), 16));
    v
}

fn gen_cond(r: &mut Rng, net: &Net, ri: usize, hook: Hook, used_proto: &mut Option<u8>) -> Cond {
    let pool = net_pool(net);
    let ifs: Vec<String> = net.routers[ri]
        .ifaces
        .iter()
        .map(|i| i.name.clone())
        .collect();
    let nft = net.routers[ri].fw == Fw::Nft;
    loop {
        match r.below(11) {
            0 | 1 => {
                let neg = r.chance(20);
                let n = if neg { 1 } else { r.range(1, 2) };
                return Cond::Saddr {
                    neg,
                    nets: disjoint((0..n).map(|_| *r.pick(&pool)).collect()),
                };
            }
            2 | 3 => {
                let neg = r.chance(20);
                let n = if neg { 1 } else { r.range(1, 2) };
                return Cond::Daddr {
                    neg,
                    nets: disjoint((0..n).map(|_| *r.pick(&pool)).collect()),
                };
            }
            4 | 5 if used_proto.is_none() => {
                let p = *r.pick(&[6u8, 17, 6, 17, 1]);
                *used_proto = Some(p);
                return match p {
                    1 if r.chance(60) => Cond::IcmpEcho,
                    1 => Cond::Proto(1),
                    _ if r.chance(25) => Cond::Proto(p),
                    _ if r.chance(20) => Cond::Sport {
                        proto: p,
                        ports: vec![{
                            let lo = r.range(1024, 60000) as u16;
                            (lo, lo.saturating_add(r.range(2000, 30000) as u16))
                        }],
                    },
                    _ => Cond::Dport {
                        proto: p,
                        ports: port_ranges(r),
                    },
                };
            }
            6 => {
                let states: &[&[&'static str]] = &[
                    &["new"],
                    &["established", "related"],
                    &["new", "established"],
                    &["invalid"],
                ];
                return Cond::Ct(r.pick(states).to_vec());
            }
            7 if hook != Hook::Output => {
                let name = if r.chance(20) {
                    "eth*".to_string()
                } else {
                    r.pick(&ifs).clone()
                };
                return Cond::Iif {
                    neg: r.chance(25),
                    name,
                };
            }
            8 if matches!(hook, Hook::Forward | Hook::Output) => {
                let name = if r.chance(20) {
                    "eth*".to_string()
                } else {
                    r.pick(&ifs).clone()
                };
                return Cond::Oif {
                    neg: r.chance(25),
                    name,
                };
            }
            9 if hook != Hook::Output => {
                let mut macs: Vec<MacBytes> = net.hosts.iter().map(|h| h.iface.mac).collect();
                macs.extend(SPOOF_MACS);
                return Cond::SrcMac(*r.pick(&macs));
            }
            10 => {
                if nft && !net.routers[ri].set.is_empty() && r.chance(60) {
                    return Cond::SaddrSet;
                }
                let s = *r.pick(&net.segments);
                let base = u32::from(s.0);
                let lo = base + r.range(2, 12) as u32;
                return Cond::SrcRange(
                    Ipv4Addr::from(lo),
                    Ipv4Addr::from(lo + r.range(0, 8) as u32),
                );
            }
            _ => {}
        }
    }
}

fn gen_rule(
    r: &mut Rng,
    net: &Net,
    ri: usize,
    hook: Hook,
    jump_targets: &[String],
    in_user: bool,
) -> RuleSpec {
    let mut proto = None;
    // Unconditional rules are rare: they make the rest of a chain dead.
    let nconds = if r.chance(8) { 0 } else { r.range(1, 3) };
    let mut conds: Vec<Cond> = vec![];
    for _ in 0..nconds {
        let c = gen_cond(r, net, ri, hook, &mut proto);
        // One condition of each kind per rule (iptables cannot repeat `-s`, `-i`, ...).
        if !conds
            .iter()
            .any(|x| std::mem::discriminant(x) == std::mem::discriminant(&c))
        {
            conds.push(c);
        }
    }
    // iptables refuses `!` on addresses when a rule lists several addresses.
    let multi = conds.iter().any(
        |c| matches!(c, Cond::Saddr { nets, .. } | Cond::Daddr { nets, .. } if nets.len() > 1),
    );
    if multi {
        for c in &mut conds {
            if let Cond::Saddr { neg, .. } | Cond::Daddr { neg, .. } = c {
                *neg = false;
            }
        }
    }
    let verdict = loop {
        match r.below(100) {
            0..=34 => break Verdict::Accept,
            35..=64 => break Verdict::Drop,
            65..=72 => break Verdict::Reject,
            73..=79 => break Verdict::Counter,
            80..=91 if !jump_targets.is_empty() => {
                let t = r.pick(jump_targets).clone();
                break if r.chance(70) {
                    Verdict::Jump(t)
                } else {
                    Verdict::Goto(t)
                };
            }
            92..=99 if in_user => break Verdict::Return,
            _ => {}
        }
    };
    RuleSpec {
        conds,
        verdict,
        enabled: true,
    }
}

fn gen_rules(r: &mut Rng, net: &mut Net, ri: usize) {
    if r.chance(12) {
        return; // an unfiltered router
    }
    let nft = net.routers[ri].fw == Fw::Nft;
    if nft && r.chance(30) {
        let pool = net_pool(net);
        let set = (0..r.range(1, 3)).map(|_| *r.pick(&pool)).collect();
        net.routers[ri].set = disjoint(set);
    }
    let mut chains = vec![];
    // User chains first (so base chains can jump to them); chain i jumps only to j > i.
    let nuser = if r.chance(35) { r.range(1, 2) } else { 0 } as usize;
    let names: Vec<String> = (0..nuser).map(|i| format!("uc{i}")).collect();
    for i in 0..nuser {
        let rules = (0..r.range(1, 3))
            .map(|_| gen_rule(r, net, ri, Hook::Forward, &names[i + 1..], true))
            .collect();
        chains.push(ChainSpec {
            name: names[i].clone(),
            hook: None,
            policy_drop: false,
            table: 0,
            rules,
        });
    }
    let fwd_drop = r.chance(45);
    let mut fwd = vec![];
    if fwd_drop && r.chance(70) {
        fwd.push(RuleSpec {
            conds: vec![Cond::Ct(vec!["established", "related"])],
            verdict: Verdict::Accept,
            enabled: true,
        });
    }
    for _ in 0..r.range(1, 6) {
        fwd.push(gen_rule(r, net, ri, Hook::Forward, &names, false));
    }
    chains.push(ChainSpec {
        name: "forward".into(),
        hook: Some(Hook::Forward),
        policy_drop: fwd_drop,
        table: 0,
        rules: fwd,
    });
    for (hook, name, pct) in [
        (Hook::Input, "input", 50),
        (Hook::Output, "output", 25),
        (Hook::Prerouting, "prerouting", 15),
    ] {
        if r.chance(pct) {
            let rules = (0..r.range(1, 3))
                .map(|_| {
                    let mut x = gen_rule(r, net, ri, hook, &[], false);
                    if hook == Hook::Prerouting {
                        // No interface is known yet there, and keep the hook filter-only.
                        x.conds.retain(|c| !matches!(c, Cond::Oif { .. }));
                        if !matches!(x.verdict, Verdict::Accept | Verdict::Drop) {
                            x.verdict = Verdict::Drop;
                        }
                    }
                    x
                })
                .collect();
            chains.push(ChainSpec {
                name: name.into(),
                hook: Some(hook),
                policy_drop: hook == Hook::Input && r.chance(30),
                table: 0,
                rules,
            });
        }
    }
    if nft && r.chance(15) {
        // A second table hooking forward too: a packet must pass both.
        let rules = (0..r.range(1, 2))
            .map(|_| {
                let mut x = gen_rule(r, net, ri, Hook::Forward, &[], false);
                if matches!(x.verdict, Verdict::Jump(_) | Verdict::Goto(_)) {
                    x.verdict = Verdict::Drop;
                }
                // The named set lives in the first table.
                for c in &mut x.conds {
                    if matches!(c, Cond::SaddrSet) {
                        *c = Cond::Saddr {
                            neg: false,
                            nets: net.routers[ri].set.clone(),
                        };
                    }
                }
                x
            })
            .collect();
        chains.push(ChainSpec {
            name: "forward2".into(),
            hook: Some(Hook::Forward),
            policy_drop: false,
            table: 1,
            rules,
        });
    }
    net.routers[ri].chains = chains;

    // NAT: DNAT from one of the router's own addresses to a host; SNAT / masquerade.
    let rt = net.routers[ri].clone();
    if r.chance(35) {
        for _ in 0..r.range(1, 2) {
            let vip = r
                .pick(&rt.ifaces)
                .addr
                .expect("router interfaces are addressed")
                .0;
            let th = r.below(net.hosts.len() as u64) as usize;
            let proto = *r.pick(&[6u8, 17, 6, 1]);
            let port = (proto != 1).then(|| *r.pick(&PORTS));
            let to_port = (proto != 1 && r.chance(40)).then(|| *r.pick(&PORTS));
            net.routers[ri].nat.push(NatRule {
                kind: NatKind::Dnat {
                    vip,
                    proto,
                    port,
                    to: net.hosts[th].iface.addr.unwrap().0,
                    to_port,
                    target_host: th,
                },
                enabled: true,
            });
        }
    }
    if r.chance(30) {
        let oi = r.pick(&rt.ifaces).clone();
        let kind = if r.chance(50) {
            NatKind::Masquerade { oif: oi.name }
        } else {
            NatKind::Snat {
                src: *r.pick(&net.segments),
                oif: r.chance(50).then(|| oi.name.clone()),
                to: oi.addr.unwrap().0,
            }
        };
        net.routers[ri].nat.push(NatRule {
            kind,
            enabled: true,
        });
    }
}

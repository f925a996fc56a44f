//! The engine's exact answers against the brute-force per-packet simulator, on random
//! small networks (switches with VLANs/trunks/SVIs/ACLs/port security, routers with
//! static routes, policy firewalls with sub-interfaces) and random packets.

mod common;
use common::Rng;
use proptest::prelude::*;
use sanso::hs::{Field, Packet};
use sanso::model::*;
use sanso::model::{Host, Link, LinkEnd, Snapshot};
use sanso::net::{Graph, LOCAL};
use sanso_testkit::sim::Sim;
use std::net::Ipv4Addr;

const VLANS: [u16; 3] = [10, 20, 30];
const PORTS: [u16; 6] = [0, 22, 53, 80, 443, 1000];
fn macs() -> Vec<Mac> {
    vec![Mac::new(0, 0x1b, 0, 0, 0, 1), Mac::new(0, 0x1b, 0, 0, 0, 2)]
}

fn addr(r: &mut Rng) -> Ipv4Addr {
    Ipv4Addr::new(10, 0, r.below(6) as u8, r.pick(&[1u8, 2, 3, 5, 200]))
}

fn ipmatch(r: &mut Rng) -> IpMatch {
    match r.below(4) {
        0 => IpMatch::Any,
        1 => IpMatch::prefix(addr(r), 24),
        2 => IpMatch::host(addr(r)),
        _ => IpMatch::Wildcard {
            addr: addr(r),
            wildcard: Ipv4Addr::new(0, 0, 4, 255),
        },
    }
}

fn rand_match(r: &mut Rng) -> Match {
    let mut m = Match::any();
    m.src = AddrSet::one(ipmatch(r));
    m.dst = AddrSet {
        items: (0..1 + r.below(2)).map(|_| ipmatch(r)).collect(),
    };
    m.services = match r.below(6) {
        0 => vec![],
        1 => vec![Service::tcp_dport(r.pick(&PORTS), r.pick(&PORTS).max(443))],
        2 => vec![Service::udp_dport(53, 53), Service::tcp_dport(22, 22)],
        3 => vec![Service {
            icmp_type: Some(8),
            ..Service::proto(proto::ICMP)
        }],
        4 => vec![Service {
            sport: PortRange { lo: 1000, hi: 2000 },
            ..Service::proto(proto::UDP)
        }],
        _ => vec![Service::proto(47)],
    };
    if r.chance(15) {
        m.established = Some(r.chance(50));
    }
    m
}

fn span() -> Span {
    Span::new("configs/x", 1)
}

fn rand_net(seed: u64) -> Snapshot {
    let mut r = Rng(seed | 1);
    let nd = 2 + r.below(3) as usize;
    let mut devices = vec![];
    for di in 0..nd {
        let linux = r.chance(30);
        let fw = !linux && r.chance(35);
        let mut d = Device::new(
            format!("d{di}"),
            format!("configs/d{di}"),
            if fw {
                sanso::ingest::fortios::DIALECT
            } else if linux {
                sanso::ingest::nftables::DIALECT
            } else {
                sanso::ingest::cisco_ios::DIALECT
            },
        );
        d.policy_based = fw;
        d.stateful = fw;
        let nports = 3 + r.below(4) as usize;
        for pi in 0..nports {
            let mut i = Interface::new(format!("p{pi}"), span());
            if linux && r.chance(50) {
                // Routed packets leave with it: later `ether saddr` rules see the router.
                i.mac = Some(r.pick(&macs()));
            }
            if fw || linux {
                i.mode = IfMode::Routed;
                if r.chance(70) {
                    i.addresses
                        .push((Ipv4Addr::new(10, 0, r.below(6) as u8, 1 + di as u8), 24));
                }
            } else {
                i.mode = match r.below(4) {
                    0 | 1 => IfMode::Access {
                        vlan: r.pick(&VLANS),
                    },
                    2 => {
                        let mut allowed = VlanSet::none();
                        for v in VLANS {
                            if r.chance(60) {
                                allowed.add(v, v);
                            }
                        }
                        IfMode::Trunk {
                            allowed,
                            native: r.pick(&[1, 10, 20]),
                        }
                    }
                    _ => {
                        let mut x = IfMode::Routed;
                        if r.chance(80) {
                            i.addresses
                                .push((Ipv4Addr::new(10, 0, r.below(6) as u8, 1 + di as u8), 24));
                        } else {
                            x = IfMode::Access { vlan: 10 };
                        }
                        x
                    }
                };
                if matches!(i.mode, IfMode::Access { .. } | IfMode::Trunk { .. }) && r.chance(20) {
                    i.port_security = Some(PortSecurity {
                        macs: vec![r.pick(&macs())],
                        span: span(),
                    });
                }
                if matches!(i.mode, IfMode::Access { .. }) && r.chance(30) {
                    i.port_auth = Some(PortAuth {
                        admit: match r.below(5) {
                            0 => AuthAdmit::Any,
                            1 => AuthAdmit::Nothing,
                            _ => AuthAdmit::LinkedHosts,
                        },
                        span: span(),
                    });
                }
            }
            i.shutdown = r.chance(8);
            d.interfaces.push(i);
        }
        if linux {
            d.netfilter = Some(rand_netfilter(&mut r, d.interfaces.len()));
        }
        if (fw || linux) && r.chance(60) {
            let mut s = Interface::new("p0.10", span());
            s.parent = Some(("p0".into(), r.pick(&VLANS)));
            s.addresses
                .push((Ipv4Addr::new(10, 0, 4 + r.below(2) as u8, 1 + di as u8), 24));
            d.interfaces.push(s);
        }
        if !fw && !linux {
            for v in VLANS {
                if r.chance(50) {
                    let mut s = Interface::new(format!("Vlan{v}"), span());
                    s.mode = IfMode::Svi { vlan: v };
                    s.addresses
                        .push((Ipv4Addr::new(10, 0, (v / 10) as u8, 1 + di as u8), 24));
                    s.shutdown = r.chance(10);
                    d.interfaces.push(s);
                }
                if r.chance(50) {
                    d.vlans.insert(v, span());
                }
            }
            for a in 0..1 + r.below(3) {
                let name = format!("A{a}");
                let rules = (0..1 + r.below(4))
                    .map(|_| AclRule {
                        action: if r.chance(60) {
                            Action::Permit
                        } else {
                            Action::Deny
                        },
                        m: rand_match(&mut r),
                        span: span(),
                    })
                    .collect();
                d.acls.insert(
                    name.clone(),
                    Acl {
                        name,
                        rules,
                        span: span(),
                    },
                );
            }
            let n = d.interfaces.len();
            for _ in 0..r.below(4) {
                let i = r.below(n as u64) as usize;
                let aref = AclRef {
                    name: format!("A{}", r.below(4)),
                    span: span(),
                };
                if r.chance(50) {
                    d.interfaces[i].acl_in = Some(aref);
                } else {
                    d.interfaces[i].acl_out = Some(aref);
                }
            }
            // Interface NAT (IOS / RTX order): inside / outside interfaces, statics
            // (some with ports), dynamic rules by ACL or source set to an interface's
            // address or a pool.
            if r.chance(40) {
                let names: Vec<String> = d.interfaces.iter().map(|i| i.name.clone()).collect();
                let mut nat = IfNat {
                    inside: vec![],
                    outside: vec![],
                    statics: vec![],
                    dynamic: vec![],
                    filters_see_inside: r.chance(50),
                    lines: vec![span()],
                };
                for x in &names {
                    match r.below(10) {
                        0..=3 => nat.inside.push(x.clone()),
                        4..=6 => nat.outside.push(x.clone()),
                        _ => {}
                    }
                }
                for _ in 0..r.below(3) {
                    let proto = r.chance(50).then(|| r.pick(&[6u8, 17, 50]));
                    let ports = proto
                        .filter(|p| *p != 50 && r.chance(70))
                        .map(|_| (r.pick(&PORTS), r.pick(&PORTS)));
                    nat.statics.push(NatStatic {
                        local: addr(&mut r),
                        global: addr(&mut r),
                        proto,
                        ports,
                        span: span(),
                    });
                }
                for _ in 0..r.below(3) {
                    let from = if r.chance(50) {
                        NatFrom::Acl(format!("A{}", r.below(4)))
                    } else {
                        NatFrom::Src(rand_match(&mut r).src)
                    };
                    let to = if r.chance(50) {
                        NatAddr::Interface(r.pick(&names))
                    } else {
                        let a = addr(&mut r);
                        NatAddr::Pool(vec![(a, a)])
                    };
                    nat.dynamic.push(NatDynamic {
                        from,
                        to,
                        span: span(),
                    });
                }
                d.nat.push(nat);
            }
        } else if fw {
            let names: Vec<String> = d.interfaces.iter().map(|i| i.name.clone()).collect();
            for k in 0..1 + r.below(5) {
                let mut any = names.clone();
                any.push("any".into());
                d.policies.push(Policy {
                    id: k.to_string(),
                    src_intf: vec![r.pick(&any)],
                    dst_intf: vec![r.pick(&any), r.pick(&any)],
                    m: rand_match(&mut r),
                    action: if r.chance(70) {
                        Action::Permit
                    } else {
                        Action::Deny
                    },
                    enabled: r.chance(90),
                    span: span(),
                    lines: vec![span()],
                    field_lines: vec![],
                    snat: match r.below(4) {
                        0 => Some(PolicySnat::Egress),
                        1 => {
                            let a = addr(&mut r);
                            Some(PolicySnat::Pool(vec![(a, a)]))
                        }
                        _ => None,
                    },
                    dnat: vec![],
                });
            }
            // VIPs (destination NAT), named by some policies' dstaddr.
            for k in 0..r.below(3) {
                let a = addr(&mut r);
                let port = r.chance(50).then(|| {
                    let ext = r.pick(&PORTS);
                    let to = r.chance(50).then(|| r.pick(&PORTS));
                    (r.pick(&[6u8, 17]), PortRange::single(ext), to)
                });
                let mut in_intf = vec![r.pick(&names)];
                if r.chance(40) {
                    in_intf = vec!["any".into()];
                }
                d.dnats.push(Dnat {
                    name: format!("vip{k}"),
                    in_intf,
                    ext: (a, a),
                    mapped: addr(&mut r),
                    port,
                    // A source-conditioned destination NAT (ASA twice NAT with
                    // `destination`): other sources pass untranslated.
                    src: r.chance(40).then(|| AddrSet {
                        items: (0..1 + r.below(2)).map(|_| ipmatch(&mut r)).collect(),
                    }),
                    span: span(),
                    lines: vec![span()],
                });
                let n = d.policies.len() as u64;
                for _ in 0..1 + r.below(2) {
                    let pi = r.below(n) as usize;
                    d.policies[pi].dnat.push(k as usize);
                }
            }
        }
        for _ in 0..r.below(4) {
            let len = r.pick(&[0u8, 16, 24, 28]);
            let net = ipnetwork::Ipv4Network::new(addr(&mut r), len).unwrap();
            d.routes.push(Route {
                prefix: net.network(),
                len,
                next_hop: Some(addr(&mut r)),
                interface: None,
                discard: r.chance(15),
                span: span(),
            });
        }
        devices.push(d);
    }
    // Random point-to-point links between distinct devices.
    let mut free: Vec<(usize, String)> = devices
        .iter()
        .enumerate()
        .flat_map(|(di, d)| {
            d.interfaces
                .iter()
                .filter(|i| i.parent.is_none() && !matches!(i.mode, IfMode::Svi { .. }))
                .map(move |i| (di, i.name.clone()))
        })
        .collect();
    let mut links = vec![];
    for _ in 0..nd + 1 {
        if free.len() < 2 {
            break;
        }
        let a = free.remove(r.below(free.len() as u64) as usize);
        let cands: Vec<usize> = (0..free.len()).filter(|&k| free[k].0 != a.0).collect();
        if cands.is_empty() {
            break;
        }
        let b = free.remove(cands[r.below(cands.len() as u64) as usize]);
        let end = |(d, i): (usize, String)| LinkEnd::Port {
            device: format!("d{d}"),
            interface: i,
        };
        links.push(Link {
            a: end(a),
            b: end(b),
            line: 1,
            inferred: None,
            observed: None,
        });
    }
    // Hosts on some of the remaining ports (802.1X admits their registered MACs); a port
    // may carry several hosts, a host may have no MAC.
    let mut hosts = vec![];
    for k in 0..r.below(5) {
        if free.is_empty() {
            break;
        }
        let (d, i) = free[r.below(free.len() as u64) as usize].clone();
        hosts.push(Host {
            name: format!("h{k}"),
            ip: addr(&mut r),
            mac: (!r.chance(20)).then(|| r.pick(&macs())),
            zone: 0,
            role: "terminal".into(),
            line: 1,
        });
        links.push(Link {
            a: LinkEnd::Host(format!("h{k}")),
            b: LinkEnd::Port {
                device: format!("d{d}"),
                interface: i,
            },
            line: 1,
            inferred: None,
            observed: None,
        });
    }
    Snapshot {
        root: "/nonexistent".into(),
        name: "random".into(),
        model: "alpha".into(),
        zones: vec![],
        hosts,
        tokutei: vec![],
        mugaika: vec![],
        links,
        devices,
        file_errors: vec![],
        lgwan_allowed: None,
        inputs: vec![],
        sources: Default::default(),
        state: Default::default(),
        observed_links: vec![],
        split: None,
    }
}

fn rand_cond(r: &mut Rng, nports: usize) -> NfCond {
    let m = match r.below(9) {
        0 => NfMatch::SrcIp(AddrSet::one(ipmatch(r))),
        1 => NfMatch::DstIp(AddrSet::one(ipmatch(r))),
        2 => NfMatch::Proto(vec![r.pick(&[6u8, 17, 1])]),
        3 => NfMatch::DstPort(vec![PortRange {
            lo: r.pick(&PORTS),
            hi: r.pick(&PORTS).max(443),
        }]),
        4 => NfMatch::IcmpType(vec![8]),
        5 => {
            let one = format!("p{}", r.below(nports as u64));
            NfMatch::Iif(vec![r.pick(&[one, "p*".to_string(), "p0.1+".to_string()])])
        }
        6 => NfMatch::Oif(vec![format!("p{}", r.below(nports as u64))]),
        7 => NfMatch::SrcMac(vec![r.pick(&macs())]),
        _ => NfMatch::CtState(vec![r.pick(&[
            CtState::New,
            CtState::Established,
            CtState::Invalid,
        ])]),
    };
    NfCond {
        neg: r.chance(20),
        m,
    }
}

fn rand_rules(r: &mut Rng, nports: usize, user: bool, nat: Option<bool>) -> Vec<NfRule> {
    (0..r.below(5))
        .map(|_| {
            let conds = (0..r.below(3)).map(|_| rand_cond(r, nports)).collect();
            let verdict = match (nat, r.below(7)) {
                (Some(true), 0..=3) => {
                    let a = addr(r);
                    NfVerdict::Dnat(NatTo {
                        addr: Some((a, a)),
                        port: r.chance(50).then(|| PortRange::single(r.pick(&PORTS))),
                    })
                }
                (Some(false), 0..=1) => NfVerdict::Masquerade,
                (Some(false), 2..=3) => {
                    let a = addr(r);
                    NfVerdict::Snat(NatTo {
                        addr: Some((a, a)),
                        port: None,
                    })
                }
                (_, 0 | 1) => NfVerdict::Accept,
                (_, 2) => NfVerdict::Drop,
                (_, 3) => NfVerdict::Continue,
                (_, 4) if user => NfVerdict::Return,
                (_, 4) => NfVerdict::Jump("ip filter c1".into()),
                (_, 5) if !user => NfVerdict::Goto("ip filter c1".into()),
                _ => NfVerdict::Reject,
            };
            NfRule {
                conds,
                verdict,
                span: span(),
            }
        })
        .collect()
}

fn rand_netfilter(r: &mut Rng, nports: usize) -> Netfilter {
    let mut nf = Netfilter {
        ip_forward: r.chance(85),
        chains: vec![],
    };
    let base =
        |r: &mut Rng, id: &str, hook: NfHook, kind: NfKind, prio: i32, nat: Option<bool>| NfChain {
            id: id.into(),
            base: Some((hook, kind, prio)),
            policy: if nat.is_some() || r.chance(60) {
                Action::Permit
            } else {
                Action::Deny
            },
            rules: rand_rules(r, nports, false, nat),
            span: span(),
        };
    nf.chains.push(base(
        r,
        "ip filter forward",
        NfHook::Forward,
        NfKind::Filter,
        0,
        None,
    ));
    if r.chance(30) {
        nf.chains.push(base(
            r,
            "ip f2 forward",
            NfHook::Forward,
            NfKind::Filter,
            -10,
            None,
        ));
    }
    if r.chance(60) {
        nf.chains.push(base(
            r,
            "ip filter input",
            NfHook::Input,
            NfKind::Filter,
            0,
            None,
        ));
    }
    if r.chance(40) {
        nf.chains.push(base(
            r,
            "ip filter output",
            NfHook::Output,
            NfKind::Filter,
            0,
            None,
        ));
    }
    if r.chance(40) {
        let c = base(
            r,
            "ip nat pre",
            NfHook::Prerouting,
            NfKind::Nat,
            -100,
            Some(true),
        );
        nf.chains.push(c);
    }
    if r.chance(40) {
        let c = base(
            r,
            "ip nat post",
            NfHook::Postrouting,
            NfKind::Nat,
            100,
            Some(false),
        );
        nf.chains.push(c);
    }
    nf.chains.push(NfChain {
        id: "ip filter c1".into(),
        base: None,
        policy: Action::Permit,
        rules: rand_rules(r, nports, true, None),
        span: span(),
    });
    nf
}

fn rand_packet(r: &mut Rng) -> Packet {
    let mut p = Packet::zero();
    p.src_ip = addr(r);
    p.dst_ip = addr(r);
    p.proto = r.pick(&[6u8, 6, 17, 1, 47]);
    p.src_port = r.pick(&[1500u16, 80, 3000]);
    p.dst_port = r.pick(&PORTS);
    p.icmp_type = r.pick(&[0u8, 8]);
    p.established = r.chance(30);
    p.vlan = r.pick(&[0u16, 0, 10, 20, 30, 99]);
    p.src_mac = r.pick(&macs());
    p
}

fn check(seed: u64) -> Result<usize, String> {
    let snap = rand_net(seed);
    let mut g = Graph::build(&snap);
    let sim = Sim::new(&snap, &g);
    let mut r = Rng(seed.wrapping_mul(31) | 1);
    let mut compared = 0;
    let full = g.engine.full();
    for si in 0..g.points.len() {
        // Without rewrites one fixpoint from everything answers every packet (its atom
        // reaches a sink or not); with NAT each packet gets its own run.
        let reach = g
            .engine
            .reach(&[(g.points[si].src, full.clone())], |_, _| {});
        for _ in 0..40 {
            let p = rand_packet(&mut r);
            let by_engine: Vec<usize> = if g.engine.has_rewrites() {
                g.deliveries(si, &p).into_iter().collect()
            } else {
                let atom = g.engine.atom_of(&p);
                (0..g.points.len())
                    .filter(|&k| reach[g.points[k].sink as usize].get(atom))
                    .collect()
            };
            let by_sim: Vec<usize> = sim.run(&g, si, &p).into_iter().collect();
            if by_engine != by_sim {
                return Err(format!(
                    "seed {seed}: from {}:{} packet {p:?}\n engine → {by_engine:?}\n sim    → {by_sim:?}\n points {:?}",
                    g.points[si].device,
                    g.points[si].interface,
                    g.points.iter().map(|p| format!("{}:{}", p.device, p.interface)).collect::<Vec<_>>()
                ));
            }
            compared += 1;
        }
    }
    Ok(compared)
}

/// Set reachability (`Graph::build_sets` + `Engine::reach_sets`, the audit's path)
/// against the simulator; `path_packet` (no rewrites) and `witness_path` (any network,
/// rewrites included) give paths that really carry the packet.
fn check_sets(seed: u64) -> Result<usize, String> {
    let snap = rand_net(seed);
    let g = Graph::build_sets(&snap);
    assert!(!g.engine.bits_exact);
    let rewrites = g.engine.has_rewrites();
    let sim = Sim::new(&snap, &g);
    let mut space = g.engine.space.clone();
    let mut r = Rng(seed.wrapping_mul(37) | 1);
    let mut compared = 0;
    for (si, sp) in g.points.iter().enumerate() {
        // Without rewrites one fixpoint from everything answers every packet as sent;
        // across rewrites a sink holds packets as they arrive, so each packet runs alone.
        let all = (!rewrites).then(|| {
            g.engine
                .reach_sets(&mut space, &[(sp.src, sanso::hs::TRUE)], |_| {})
        });
        for _ in 0..40 {
            let p = rand_packet(&mut r);
            let one = space.packet(&p);
            let reach = match &all {
                Some(a) => a.clone(),
                None => g.engine.reach_sets(&mut space, &[(sp.src, one)], |_| {}),
            };
            let by_engine: Vec<usize> = (0..g.points.len())
                .filter(|&k| {
                    let at = reach[g.points[k].sink as usize];
                    if rewrites {
                        at != sanso::hs::FALSE
                    } else {
                        space.contains(at, &p)
                    }
                })
                .collect();
            let by_sim: Vec<usize> = sim.run(&g, si, &p).into_iter().collect();
            if by_engine != by_sim {
                return Err(format!(
                    "seed {seed}: sets from {}:{} packet {p:?}\n engine → {by_engine:?}\n sim    → {by_sim:?}",
                    sp.device, sp.interface
                ));
            }
            for &k in &by_engine {
                let sink = g.points[k].sink;
                if !rewrites {
                    let (start, path) = g
                        .engine
                        .path_packet(&[sp.src], &p, sink)
                        .ok_or_else(|| format!("seed {seed}: no packet path to point {k}"))?;
                    if start != sp.src
                        || path
                            .iter()
                            .any(|&e| !space.contains(g.engine.edge_pred[e as usize], &p))
                    {
                        return Err(format!("seed {seed}: bad packet path {path:?}"));
                    }
                }
                // Walk back from what arrives to what was sent.
                let single = g.engine.reach_sets(&mut space, &[(sp.src, one)], |_| {});
                let arrived = space
                    .witness(single[sink as usize], &[])
                    .ok_or_else(|| format!("seed {seed}: nothing arrives at point {k}"))?;
                let (start, steps) = g
                    .engine
                    .witness_path(&mut space, &[(sp.src, one)], sink, &arrived, &[])
                    .ok_or_else(|| format!("seed {seed}: no witness path to point {k}"))?;
                check_steps(&g, &mut space, sp.src, sink, &p, &arrived, start, &steps)
                    .map_err(|e| format!("seed {seed}: witness path to point {k}: {e}"))?;
            }
            compared += 1;
        }
    }
    Ok(compared)
}

/// A witness path starts at `src` with `sent`, each edge admits the packet entering it,
/// the packet changes only by the edge's rewrite, and `arrived` comes out at `sink`.
#[allow(clippy::too_many_arguments)]
fn check_steps(
    g: &Graph,
    space: &mut sanso::hs::Space,
    src: u32,
    sink: u32,
    sent: &Packet,
    arrived: &Packet,
    start: u32,
    steps: &[(u32, Packet)],
) -> Result<(), String> {
    if start != src {
        return Err(format!("starts at node {start}, not {src}"));
    }
    let first = steps.first().map_or(arrived, |s| &s.1);
    if first != sent {
        return Err(format!("sends {first:?}, not {sent:?}"));
    }
    let mut at = src;
    for (i, (e, pk)) in steps.iter().enumerate() {
        let (from, to) = g.engine.edges[*e as usize];
        if from != at || !space.contains(g.engine.edge_pred[*e as usize], pk) {
            return Err(format!("edge {e} does not carry {pk:?} from node {at}"));
        }
        let next = steps.get(i + 1).map_or(arrived, |s| &s.1);
        let one = space.packet(pk);
        let out = match g.engine.rewrite_of(*e) {
            Some(rw) => rw.image(space, one),
            None => one,
        };
        if !space.contains(out, next) {
            return Err(format!(
                "edge {e} turns {pk:?} into something else than {next:?}"
            ));
        }
        at = to;
    }
    if at != sink {
        return Err(format!("ends at node {at}, not {sink}"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]
    #[test]
    fn engine_agrees_with_simulator(seed in any::<u64>()) {
        if let Err(e) = check(seed) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn set_reachability_agrees_with_simulator(seed in any::<u64>()) {
        if let Err(e) = check_sets(seed) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// Guard against a vacuous property: the random networks must actually deliver packets.
#[test]
fn random_networks_deliver_something() {
    let mut via_linux = 0;
    let mut nat_nets = std::collections::BTreeSet::new();
    let mut forti_nat_nets = std::collections::BTreeSet::new();
    let mut vip_deliveries = 0;
    let (mut vip_own_src, mut vip_foreign_src) = (0, 0);
    let mut ifnat_nets = std::collections::BTreeSet::new();
    let mut static_deliveries = 0;
    let mut delivered = 0;
    let mut total = 0;
    for seed in 1..60u64 {
        let snap = rand_net(seed * 7919);
        let g = Graph::build(&snap);
        let sim = Sim::new(&snap, &g);
        let mut r = Rng(seed | 1);
        for si in 0..g.points.len() {
            for _ in 0..10 {
                let mut p = rand_packet(&mut r);
                // A host's own stack sends with its own addresses (mostly: the rest
                // checks that other sources are refused).
                if g.points[si].interface == LOCAL && r.chance(80) {
                    let own: Vec<_> = snap
                        .devices
                        .iter()
                        .filter(|d| d.name == g.points[si].device)
                        .flat_map(|d| d.interfaces.iter())
                        .filter(|i| !i.shutdown)
                        .flat_map(|i| i.addresses.iter().map(|a| a.0))
                        .collect();
                    if !own.is_empty() {
                        p.src_ip = r.pick(&own);
                    }
                }
                total += 1;
                let got = sim.run(&g, si, &p);
                if got.iter().any(|&k| k != si) {
                    delivered += 1;
                }
                // Linux paths: to or from a host's own stack, and across NAT.
                if !got.is_empty()
                    && got
                        .iter()
                        .chain([&si])
                        .any(|&k| g.points[k].interface == LOCAL)
                {
                    via_linux += 1;
                }
                // NAT proper, not only a router's own source MAC.
                let nat = (0..g.engine.edges.len() as u32).any(|e| {
                    g.engine
                        .rewrite_of(e)
                        .is_some_and(|rw| rw.set.iter().any(|(f, _)| *f != Field::SrcMac))
                });
                if nat && !got.is_empty() {
                    nat_nets.insert(seed);
                }
                // FortiOS NAT: rewrite edges of a policy-based device, and packets sent
                // to a VIP's external address that arrive somewhere.
                let forti_rw = (0..g.engine.edges.len() as u32).any(|e| {
                    g.engine.rewrite_of(e).is_some()
                        && g.info[e as usize].device.as_ref().is_some_and(|n| {
                            snap.devices.iter().any(|d| &d.name == n && d.policy_based)
                        })
                });
                if forti_rw && got.iter().any(|&k| k != si) {
                    forti_nat_nets.insert(seed);
                }
                // Interface NAT (IOS / RTX): rewrite edges of a device with `nat`.
                let ifnat_rw = (0..g.engine.edges.len() as u32).any(|e| {
                    g.engine.rewrite_of(e).is_some()
                        && g.info[e as usize].device.as_ref().is_some_and(|n| {
                            snap.devices
                                .iter()
                                .any(|d| &d.name == n && !d.nat.is_empty())
                        })
                });
                if ifnat_rw && got.iter().any(|&k| k != si) {
                    ifnat_nets.insert(seed);
                }
            }
        }
        // Packets aimed at each VIP from every point: the engine (across the rewrites)
        // and the simulator agree, and some arrive.
        let mut g = g;
        for d in &snap.devices {
            for v in &d.dnats {
                // Four packets per point: the source varies (source-conditioned VIPs).
                for si in (0..g.points.len()).flat_map(|si| [si; 4]) {
                    let mut p = rand_packet(&mut r);
                    p.dst_ip = v.ext.0;
                    p.established = false;
                    if let Some((pr, ext, _)) = v.port {
                        p.proto = pr;
                        p.dst_port = ext.lo;
                    }
                    // Half the time from one of the VIP's sources (when it names them),
                    // else from a random one, which it may not translate.
                    if let Some(IpMatch::Wildcard { addr, .. } | IpMatch::Range { lo: addr, .. }) =
                        v.src.as_ref().and_then(|s| s.items.first())
                    {
                        if r.chance(50) {
                            p.src_ip = *addr;
                        }
                    }
                    let got = sim.run(&g, si, &p);
                    let by_engine = g.deliveries(si, &p);
                    assert_eq!(by_engine, got, "seed {seed}: VIP packet {p:?}");
                    // Delivered packets to a source-conditioned VIP, by whether their
                    // source is one it translates.
                    if let Some(s) = v.src.as_ref().filter(|_| got.iter().any(|&k| k != si)) {
                        if s.contains(p.src_ip) {
                            vip_own_src += 1;
                        } else {
                            vip_foreign_src += 1;
                        }
                    }
                    if got.iter().any(|&k| k != si) {
                        vip_deliveries += 1;
                    }
                }
            }
        }
        // Packets aimed at each static NAT's global address: engine and simulator agree.
        for d in &snap.devices {
            for st in d.nat.iter().flat_map(|n| n.statics.iter()) {
                for si in 0..g.points.len() {
                    let mut p = rand_packet(&mut r);
                    p.dst_ip = st.global;
                    p.established = false;
                    if let Some(pr) = st.proto {
                        p.proto = pr;
                    }
                    if let Some((_, gp)) = st.ports {
                        p.dst_port = gp;
                    }
                    let got = sim.run(&g, si, &p);
                    let by_engine = g.deliveries(si, &p);
                    assert_eq!(by_engine, got, "seed {seed}: static NAT packet {p:?}");
                    if got.iter().any(|&k| k != si) {
                        static_deliveries += 1;
                    }
                }
            }
        }
        assert!(check(seed * 7919).is_ok());
    }
    eprintln!(
        "interface NAT networks delivering: {}, deliveries to a static global: {static_deliveries}",
        ifnat_nets.len()
    );
    assert!(
        ifnat_nets.len() > 3,
        "only {} networks with interface NAT delivered",
        ifnat_nets.len()
    );
    assert!(
        static_deliveries > 3,
        "only {static_deliveries} deliveries to static NAT globals"
    );
    assert!(
        delivered * 20 > total,
        "only {delivered}/{total} packets delivered anywhere"
    );
    assert!(
        via_linux > 50,
        "only {via_linux} deliveries via a Linux stack"
    );
    eprintln!(
        "FortiOS NAT networks delivering: {}, deliveries to a VIP address: {vip_deliveries}",
        forti_nat_nets.len()
    );
    assert!(
        forti_nat_nets.len() > 5,
        "only {} networks with FortiOS NAT delivered",
        forti_nat_nets.len()
    );
    assert!(
        vip_deliveries > 3,
        "only {vip_deliveries} deliveries to VIPs"
    );
    eprintln!(
        "deliveries to source-conditioned VIPs: {vip_own_src} from their sources, \
         {vip_foreign_src} from others"
    );
    assert!(
        vip_own_src > 0 && vip_foreign_src > 0,
        "source-conditioned VIPs barely exercised: {vip_own_src} / {vip_foreign_src}"
    );
    assert!(
        nat_nets.len() > 5,
        "only {} NAT networks delivered",
        nat_nets.len()
    );
}

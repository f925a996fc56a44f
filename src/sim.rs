//! Brute-force reference: forwards ONE concrete packet through the model, hop by hop,
//! with no header-space algebra. Tests compare the engine's exact sets against it on
//! random networks and random packets. It shares only the model, the FIB resolution
//! (`graph::routes`) and the edge-point list with the engine.

use crate::graph::{routes, Graph};
use crate::hs::{mac_u64, Packet};
use crate::model::{Action, Device, IfMode, Match, Service};
use crate::snapshot::{LinkEnd, Snapshot};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

fn svc_ok(s: &Service, p: &Packet) -> bool {
    if let Some(pr) = s.proto {
        if p.proto != pr {
            return false;
        }
    }
    let inr = |r: crate::model::PortRange, v: u16| r.lo <= v && v <= r.hi;
    inr(s.sport, p.src_port)
        && inr(s.dport, p.dst_port)
        && s.icmp_type.is_none_or(|t| t == p.icmp_type)
        && s.icmp_code.is_none_or(|c| c == p.icmp_code)
}

/// Reference semantics of a model [`Match`] on one packet.
pub fn matches(m: &Match, p: &Packet) -> bool {
    m.src.contains(p.src_ip)
        && m.dst.contains(p.dst_ip)
        && (m.services.is_empty() || m.services.iter().any(|s| svc_ok(s, p)))
        && m.established
            .is_none_or(|e| p.proto == 6 && p.established == e)
        && m.src_mac
            .as_ref()
            .is_none_or(|l| l.iter().any(|x| mac_u64(*x) == mac_u64(p.src_mac)))
}

fn acl_permits(d: &Device, name: &str, p: &Packet) -> bool {
    match d.acls.get(name) {
        None => true,
        Some(a) => a
            .rules
            .iter()
            .find(|r| matches(&r.m, p))
            .is_some_and(|r| r.action == Action::Permit),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Loc {
    Seg(usize, u16),
    In(usize, usize),
    Out(usize, usize),
}

pub struct Sim<'a> {
    snap: &'a Snapshot,
    peer: HashMap<(usize, usize), (usize, usize)>,
    edge: HashMap<(usize, usize), usize>,
}

impl<'a> Sim<'a> {
    pub fn new(snap: &'a Snapshot, g: &Graph) -> Sim<'a> {
        let dev = |n: &str| {
            snap.devices
                .iter()
                .position(|d| d.name == n)
                .expect("device")
        };
        let ifx = |d: usize, n: &str| {
            snap.devices[d]
                .interfaces
                .iter()
                .position(|i| i.name == n)
                .expect("iface")
        };
        let mut peer = HashMap::new();
        for l in &snap.links {
            if let (
                LinkEnd::Port {
                    device: da,
                    interface: ia,
                },
                LinkEnd::Port {
                    device: db,
                    interface: ib,
                },
            ) = (&l.a, &l.b)
            {
                let a = (dev(da), ifx(dev(da), ia));
                let b = (dev(db), ifx(dev(db), ib));
                peer.insert(a, b);
                peer.insert(b, a);
            }
        }
        let edge = g
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let d = dev(&p.device);
                ((d, ifx(d, &p.interface)), i)
            })
            .collect();
        Sim { snap, peer, edge }
    }

    /// Where a frame with wire tag `tag` arriving on port (d, i) goes, if admitted.
    fn ingress(&self, d: usize, i: usize, tag: Option<u16>, p: &Packet) -> Option<Loc> {
        let dev = &self.snap.devices[d];
        let itf = &dev.interfaces[i];
        if itf.shutdown {
            return None;
        }
        let switchport = matches!(itf.mode, IfMode::Access { .. } | IfMode::Trunk { .. });
        if switchport {
            if let Some(ps) = &itf.port_security {
                if !ps.macs.is_empty() && !ps.macs.iter().any(|m| mac_u64(*m) == mac_u64(p.src_mac))
                {
                    return None;
                }
            }
            if let Some(a) = &itf.acl_in {
                if !acl_permits(dev, &a.name, p) {
                    return None;
                }
            }
        }
        match (&itf.mode, tag) {
            (IfMode::Access { vlan }, None) => Some(Loc::Seg(d, *vlan)),
            (IfMode::Trunk { allowed, native }, None) => {
                allowed.contains(*native).then_some(Loc::Seg(d, *native))
            }
            (IfMode::Trunk { allowed, native }, Some(t)) => {
                (t != *native && allowed.contains(t) && self.known_vlan(t))
                    .then_some(Loc::Seg(d, t))
            }
            (IfMode::Routed, None) => {
                (itf.parent.is_none() && !itf.addresses.is_empty()).then_some(Loc::In(d, i))
            }
            (IfMode::Routed, Some(t)) => dev
                .interfaces
                .iter()
                .position(|s| {
                    !s.shutdown
                        && s.parent
                            .as_ref()
                            .is_some_and(|(pn, pt)| *pn == itf.name && *pt == t)
                })
                .map(|s| Loc::In(d, s)),
            _ => None,
        }
    }

    /// VLANs anything in the snapshot declares or uses (the engine's VLAN universe).
    fn known_vlan(&self, v: u16) -> bool {
        self.snap.zones.iter().any(|z| z.vlans.contains(&v))
            || self.snap.devices.iter().any(|d| {
                d.vlans.contains_key(&v) || d.interfaces.iter().any(|i| {
                    matches!(i.mode, IfMode::Access { vlan } | IfMode::Svi { vlan } if vlan == v)
                        || matches!(i.mode, IfMode::Trunk { native, .. } if native == v)
                        || i.parent.as_ref().is_some_and(|(_, t)| *t == v)
                })
            })
    }

    /// Send out of physical port (d, i) with wire tag `tag`.
    fn wire(
        &self,
        d: usize,
        i: usize,
        tag: Option<u16>,
        p: &Packet,
        next: &mut Vec<Loc>,
        sinks: &mut BTreeSet<usize>,
    ) {
        if self.snap.devices[d].interfaces[i].shutdown {
            return;
        }
        if let Some(&(pd, pi)) = self.peer.get(&(d, i)) {
            if let Some(l) = self.ingress(pd, pi, tag, p) {
                next.push(l);
            }
        } else if let Some(&e) = self.edge.get(&(d, i)) {
            sinks.insert(e);
        }
    }

    /// Sink points (indices into `Graph::points`) that receive `p` injected at point `src`.
    pub fn run(&self, g: &Graph, src: usize, p: &Packet) -> BTreeSet<usize> {
        let pt = &g.points[src];
        let d = self
            .snap
            .devices
            .iter()
            .position(|x| x.name == pt.device)
            .expect("device");
        let i = self.snap.devices[d]
            .interfaces
            .iter()
            .position(|x| x.name == pt.interface)
            .expect("iface");
        let tag = (p.vlan != 0).then_some(p.vlan);
        let mut sinks = BTreeSet::new();
        let mut seen = HashSet::new();
        let mut q = VecDeque::new();
        if let Some(l) = self.ingress(d, i, tag, p) {
            q.push_back(l);
        }
        while let Some(l) = q.pop_front() {
            if !seen.insert(l) {
                continue;
            }
            let mut next = vec![];
            match l {
                Loc::Seg(d, v) => {
                    let dev = &self.snap.devices[d];
                    for (ii, itf) in dev.interfaces.iter().enumerate() {
                        if itf.shutdown {
                            continue;
                        }
                        match &itf.mode {
                            IfMode::Access { vlan } if *vlan == v => {
                                self.wire(d, ii, None, p, &mut next, &mut sinks)
                            }
                            IfMode::Trunk { allowed, native } if allowed.contains(v) => {
                                let t = if *native == v { None } else { Some(v) };
                                self.wire(d, ii, t, p, &mut next, &mut sinks)
                            }
                            IfMode::Svi { vlan } if *vlan == v => next.push(Loc::In(d, ii)),
                            _ => {}
                        }
                    }
                }
                Loc::Out(d, i) => {
                    let itf = &self.snap.devices[d].interfaces[i];
                    match (&itf.mode, &itf.parent) {
                        (IfMode::Svi { vlan }, _) => next.push(Loc::Seg(d, *vlan)),
                        (_, Some((pn, t))) => {
                            if let Some(pi) = self.snap.devices[d]
                                .interfaces
                                .iter()
                                .position(|x| x.name == *pn)
                            {
                                self.wire(d, pi, Some(*t), p, &mut next, &mut sinks);
                            }
                        }
                        _ => self.wire(d, i, None, p, &mut next, &mut sinks),
                    }
                }
                Loc::In(d, i) => {
                    let dev = &self.snap.devices[d];
                    let itf = &dev.interfaces[i];
                    if !dev.policy_based {
                        if let Some(a) = &itf.acl_in {
                            if !acl_permits(dev, &a.name, p) {
                                continue;
                            }
                        }
                    }
                    for o in self.lookup(dev, p) {
                        let out = &dev.interfaces[o];
                        let ok = if dev.policy_based {
                            dev.policies
                                .iter()
                                .filter(|x| x.enabled)
                                .filter(|x| x.src_intf.iter().any(|n| *n == itf.name || n == "any"))
                                .filter(|x| x.dst_intf.iter().any(|n| *n == out.name || n == "any"))
                                .find(|x| matches(&x.m, p))
                                .is_some_and(|x| x.action == Action::Permit)
                        } else {
                            out.acl_out
                                .as_ref()
                                .is_none_or(|a| acl_permits(dev, &a.name, p))
                        };
                        if ok {
                            next.push(Loc::Out(d, o));
                        }
                    }
                }
            }
            q.extend(next);
        }
        sinks
    }

    /// Longest-prefix match (all entries of the longest length: ECMP); discard wins nothing.
    fn lookup(&self, dev: &Device, p: &Packet) -> Vec<usize> {
        let fib = routes(dev);
        let a = u32::from(p.dst_ip);
        let hit = |f: &crate::graph::Fib| {
            f.len == 0 || (a >> (32 - f.len)) == (u32::from(f.prefix) >> (32 - f.len))
        };
        let Some(best) = fib.iter().filter(|f| hit(f)).map(|f| f.len).max() else {
            return vec![];
        };
        let mut outs: Vec<usize> = fib
            .iter()
            .filter(|f| f.len == best && hit(f))
            .filter_map(|f| f.out)
            .filter(|o| {
                let i = &dev.interfaces[*o];
                !i.shutdown
                    && (matches!(i.mode, IfMode::Svi { .. })
                        || (i.mode == IfMode::Routed && !i.addresses.is_empty()))
            })
            .collect();
        outs.sort();
        outs.dedup();
        outs
    }
}

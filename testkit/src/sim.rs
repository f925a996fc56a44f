//! Brute-force reference: forwards ONE concrete packet through the model, hop by hop,
//! with no header-space algebra. Tests compare the engine's exact sets against it on
//! random networks and random packets. It shares only the model, the FIB resolution
//! (`graph::routes`) and the edge-point list with the engine.

use sanso::hs::{mac_u64, Packet};
use sanso::model::{Action, AuthAdmit, CtState, Device, IfMode, Match, PolicySnat, Service};
use sanso::model::{LinkEnd, Snapshot};
use sanso::model::{
    NatAddr, NatFrom, NatTo, Netfilter, NfChain, NfHook, NfKind, NfMatch, NfVerdict,
};
use sanso::net::{routes, Graph, LOCAL};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

fn svc_ok(s: &Service, p: &Packet) -> bool {
    if let Some(pr) = s.proto {
        if p.proto != pr {
            return false;
        }
    }
    let inr = |r: sanso::model::PortRange, v: u16| r.lo <= v && v <= r.hi;
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
    /// A Linux device's own stack sending.
    LocalOut(usize),
}

pub struct Sim<'a> {
    snap: &'a Snapshot,
    peer: HashMap<(usize, usize), (usize, usize)>,
    edge: HashMap<(usize, usize), usize>,
    /// Linux device → its local point.
    local: HashMap<usize, usize>,
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
        let mut edge = HashMap::new();
        let mut local = HashMap::new();
        for (i, p) in g.points.iter().enumerate() {
            let d = dev(&p.device);
            if p.interface == LOCAL {
                local.insert(d, i);
            } else {
                edge.insert((d, ifx(d, &p.interface)), i);
            }
        }
        Sim {
            snap,
            peer,
            edge,
            local,
        }
    }
}

/// The routed aggregator (FortiOS aggregate / redundant) whose member port `i` is.
fn routed_aggregator(dev: &Device, i: usize) -> Option<usize> {
    let name = &dev.interfaces[i].name;
    let (agg, _) = dev.aggregates.iter().find(|(_, m)| m.contains(name))?;
    dev.interfaces
        .iter()
        .position(|x| x.name == *agg && x.mode == IfMode::Routed)
}

impl<'a> Sim<'a> {
    /// Where a frame with wire tag `tag` arriving on port (d, i) goes, if admitted.
    fn ingress(&self, d: usize, i: usize, tag: Option<u16>, p: &Packet) -> Option<Loc> {
        let dev = &self.snap.devices[d];
        let itf = &dev.interfaces[i];
        if itf.shutdown {
            return None;
        }
        // A frame on a member of a routed aggregator arrives on the aggregator.
        if let Some(a) = routed_aggregator(dev, i) {
            return self.ingress(d, a, tag, p);
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
            if let Some(pa) = &itf.port_auth {
                if !self.auth_admits(&dev.name, &itf.name, pa.admit, p) {
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

    /// 802.1X / MAB: linked hosts' registered MACs; none registered = any MAC.
    fn auth_admits(&self, dev: &str, itf: &str, admit: AuthAdmit, p: &Packet) -> bool {
        match admit {
            AuthAdmit::Any => true,
            AuthAdmit::Nothing => false,
            AuthAdmit::LinkedHosts => {
                let mut macs = vec![];
                for l in &self.snap.links {
                    for (x, y) in [(&l.a, &l.b), (&l.b, &l.a)] {
                        if let (LinkEnd::Host(h), LinkEnd::Port { device, interface }) = (x, y) {
                            if device == dev && interface == itf {
                                if let Some(m) = self
                                    .snap
                                    .hosts
                                    .iter()
                                    .find(|z| &z.name == h)
                                    .and_then(|z| z.mac)
                                {
                                    macs.push(mac_u64(m));
                                }
                            }
                        }
                    }
                }
                macs.is_empty() || macs.contains(&mac_u64(p.src_mac))
            }
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
        sinks: &mut Vec<(usize, Packet)>,
    ) {
        let dev = &self.snap.devices[d];
        if dev.interfaces[i].shutdown {
            return;
        }
        // A routed aggregator that is not itself a link end or an edge point sends by
        // its members.
        if !self.peer.contains_key(&(d, i)) && !self.edge.contains_key(&(d, i)) {
            if let Some(ms) = dev.aggregates.get(&dev.interfaces[i].name) {
                if dev.interfaces[i].mode == IfMode::Routed {
                    for m in ms {
                        if let Some(mi) = dev.interfaces.iter().position(|x| x.name == *m) {
                            self.wire(d, mi, tag, p, next, sinks);
                        }
                    }
                    return;
                }
            }
        }
        if let Some(&(pd, pi)) = self.peer.get(&(d, i)) {
            if let Some(l) = self.ingress(pd, pi, tag, p) {
                next.push(l);
            }
        } else if let Some(&e) = self.edge.get(&(d, i)) {
            sinks.push((e, p.clone()));
        }
    }

    /// Sink points (indices into `Graph::points`) that receive `p` injected at point `src`.
    pub fn run(&self, g: &Graph, src: usize, p: &Packet) -> BTreeSet<usize> {
        self.deliveries(g, src, p)
            .into_iter()
            .map(|x| x.0)
            .collect()
    }

    /// Each sink point that receives `p` injected at point `src`, with the packet as it
    /// arrives there (after every rewrite on the way), in sink order, without repeats.
    pub fn deliveries(&self, g: &Graph, src: usize, p: &Packet) -> Vec<(usize, Packet)> {
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
            .position(|x| x.name == pt.interface);
        assert!(i.is_some() || pt.interface == LOCAL, "unknown interface");
        let tag = (p.vlan != 0).then_some(p.vlan);
        let mut sinks: Vec<(usize, Packet)> = vec![];
        let mut seen = HashSet::new();
        let mut q: VecDeque<(Loc, Packet)> = VecDeque::new();
        match i {
            None => q.push_back((Loc::LocalOut(d), p.clone())),
            Some(i) => {
                if let Some(l) = self.ingress(d, i, tag, p) {
                    q.push_back((l, p.clone()));
                }
            }
        }
        while let Some((l, pk)) = q.pop_front() {
            if !seen.insert((l, pk.clone())) {
                continue;
            }
            let p = &pk;
            let mut next = vec![];
            match l {
                Loc::LocalOut(d) => {
                    let dev = &self.snap.devices[d];
                    let nf = dev.netfilter.as_ref().expect("linux device");
                    if is_local(dev, p.dst_ip) {
                        continue;
                    }
                    // A host sends only with one of its own (configured, up) addresses.
                    let own = dev
                        .interfaces
                        .iter()
                        .filter(|i| !i.shutdown)
                        .any(|i| i.addresses.iter().any(|(a, _)| *a == p.src_ip));
                    if !own {
                        continue;
                    }
                    for o in self.lookup(dev, p) {
                        let oif = &dev.interfaces[o];
                        let ctx = Hook {
                            iif: None,
                            oif: Some(oif),
                        };
                        if let Some(p2) = nf_hook(nf, NfHook::Output, ctx, p)
                            .and_then(|p2| nf_hook(nf, NfHook::Postrouting, ctx, &p2))
                        {
                            q.push_back((Loc::Out(d, o), routed_from(oif, p2)));
                        }
                    }
                }
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
                Loc::In(d, i) if self.snap.devices[d].netfilter.is_some() => {
                    let dev = &self.snap.devices[d];
                    let nf = dev.netfilter.as_ref().expect("checked");
                    let itf = &dev.interfaces[i];
                    let ctx = Hook {
                        iif: Some(itf),
                        oif: None,
                    };
                    let Some(p1) = nf_hook(nf, NfHook::Prerouting, ctx, p) else {
                        continue;
                    };
                    if is_local(dev, p1.dst_ip) {
                        if nf_hook(nf, NfHook::Input, ctx, &p1).is_some() {
                            sinks.push((self.local[&d], p1.clone()));
                        }
                        continue;
                    }
                    if !nf.ip_forward {
                        continue;
                    }
                    for o in self.lookup(dev, &p1) {
                        let ctx = Hook {
                            iif: Some(itf),
                            oif: Some(&dev.interfaces[o]),
                        };
                        if let Some(p2) = nf_hook(nf, NfHook::Forward, ctx, &p1)
                            .and_then(|p2| nf_hook(nf, NfHook::Postrouting, ctx, &p2))
                        {
                            q.push_back((Loc::Out(d, o), routed_from(&dev.interfaces[o], p2)));
                        }
                    }
                }
                Loc::In(d, i) if self.snap.devices[d].policy_based => {
                    // FortiOS: VIP (destination NAT) on arrival, routing on the translated
                    // destination, policy lookup, the policy's source NAT.
                    let dev = &self.snap.devices[d];
                    let itf = &dev.interfaces[i];
                    let named = |vi: usize| {
                        dev.policies
                            .iter()
                            .any(|x| x.enabled && x.dnat.contains(&vi))
                    };
                    let vip = dev.dnats.iter().enumerate().find(|(vi, v)| {
                        named(*vi)
                            && v.in_intf.iter().any(|n| n == "any" || *n == itf.name)
                            && v.ext.0 <= p.dst_ip
                            && p.dst_ip <= v.ext.1
                            && v.src.as_ref().is_none_or(|s| s.contains(p.src_ip))
                            && v.port.is_none_or(|(pr, r, _)| {
                                p.proto == pr && r.lo <= p.dst_port && p.dst_port <= r.hi
                            })
                    });
                    let mut p1 = p.clone();
                    if let Some((_, v)) = vip {
                        p1.dst_ip = v.mapped;
                        if let Some((_, _, Some(to))) = v.port {
                            p1.dst_port = to;
                        }
                    }
                    for o in self.lookup(dev, &p1) {
                        let out = &dev.interfaces[o];
                        let pol = dev
                            .policies
                            .iter()
                            .filter(|x| x.enabled)
                            .filter(|x| x.src_intf.iter().any(|n| *n == itf.name || n == "any"))
                            .filter(|x| x.dst_intf.iter().any(|n| *n == out.name || n == "any"))
                            .find(|x| match vip {
                                Some((vi, _)) => {
                                    let mut m = x.m.clone();
                                    m.src = x.m.src.clone();
                                    m.dst = sanso::model::AddrSet::any();
                                    x.dnat.contains(&vi) && matches(&m, &p1)
                                }
                                None => matches(&x.m, &p1),
                            });
                        let Some(pol) = pol.filter(|x| x.action == Action::Permit) else {
                            continue;
                        };
                        let mut p2 = p1.clone();
                        match &pol.snat {
                            None => {}
                            Some(PolicySnat::Egress) => match out.addresses.first() {
                                Some((a, _)) => p2.src_ip = *a,
                                None => continue,
                            },
                            Some(PolicySnat::Pool(rs)) => match rs.first() {
                                Some((lo, _)) => p2.src_ip = *lo,
                                None => continue,
                            },
                        }
                        q.push_back((Loc::Out(d, o), p2));
                    }
                }
                Loc::In(d, i) if !self.snap.devices[d].nat.is_empty() => {
                    // Interface NAT (IOS / RTX): destination statics on outside arrival,
                    // source translation from inside to outside; filters before (IOS)
                    // or inside (RTX) the translation.
                    let dev = &self.snap.devices[d];
                    let itf = &dev.interfaces[i];
                    let acl_ok = |a: &Option<sanso::model::AclRef>, p: &Packet| {
                        a.as_ref().is_none_or(|a| acl_permits(dev, &a.name, p))
                    };
                    let outside_of =
                        |n: &str| dev.nat.iter().find(|x| x.outside.iter().any(|o| o == n));
                    let mut p1 = p.clone();
                    match outside_of(&itf.name) {
                        Some(n) => {
                            if !n.filters_see_inside && !acl_ok(&itf.acl_in, &p1) {
                                continue;
                            }
                            if let Some(st) = n.statics.iter().find(|st| {
                                st.global == p1.dst_ip
                                    && st.proto.is_none_or(|pr| p1.proto == pr)
                                    && st.ports.is_none_or(|(_, gp)| p1.dst_port == gp)
                            }) {
                                p1.dst_ip = st.local;
                                if let Some((lp, _)) = st.ports {
                                    p1.dst_port = lp;
                                }
                            }
                            if n.filters_see_inside && !acl_ok(&itf.acl_in, &p1) {
                                continue;
                            }
                        }
                        None => {
                            if !acl_ok(&itf.acl_in, &p1) {
                                continue;
                            }
                        }
                    }
                    for o in self.lookup(dev, &p1) {
                        let out = &dev.interfaces[o];
                        let nat = outside_of(&out.name).filter(|n| n.inside.contains(&itf.name));
                        let Some(n) = nat else {
                            if acl_ok(&out.acl_out, &p1) {
                                q.push_back((Loc::Out(d, o), p1.clone()));
                            }
                            continue;
                        };
                        if n.filters_see_inside && !acl_ok(&out.acl_out, &p1) {
                            continue;
                        }
                        let mut p2 = p1.clone();
                        if let Some(st) = n.statics.iter().find(|st| {
                            st.local == p1.src_ip
                                && st.proto.is_none_or(|pr| p1.proto == pr)
                                && st.ports.is_none_or(|(lp, _)| p1.src_port == lp)
                        }) {
                            p2.src_ip = st.global;
                            if let Some((_, gp)) = st.ports {
                                p2.src_port = gp;
                            }
                        } else if let Some(dy) = n.dynamic.iter().find(|dy| match &dy.from {
                            NatFrom::Acl(a) => acl_permits(dev, a, &p1),
                            NatFrom::Src(s) => s.contains(p1.src_ip),
                        }) {
                            let to = match &dy.to {
                                NatAddr::Interface(x) => dev
                                    .interface(x)
                                    .and_then(|x| x.addresses.first())
                                    .map(|a| a.0),
                                NatAddr::Pool(rs) => rs.first().map(|r| r.0),
                            };
                            let Some(to) = to else { continue };
                            p2.src_ip = to;
                        }
                        if !n.filters_see_inside && !acl_ok(&out.acl_out, &p2) {
                            continue;
                        }
                        q.push_back((Loc::Out(d, o), p2));
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
            q.extend(next.into_iter().map(|l| (l, pk.clone())));
        }
        let mut once = HashSet::new();
        sinks.retain(|x| once.insert(x.clone()));
        sinks.sort_by_key(|x| x.0);
        sinks
    }

    /// Longest-prefix match (all entries of the longest length: ECMP); discard wins nothing.
    fn lookup(&self, dev: &Device, p: &Packet) -> Vec<usize> {
        let fib = routes(dev);
        let a = u32::from(p.dst_ip);
        let hit = |f: &sanso::net::Fib| {
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

/// A routed packet leaves with the output interface's MAC as source, when known.
fn routed_from(oif: &sanso::model::Interface, mut p: Packet) -> Packet {
    if let Some(m) = oif.mac {
        p.src_mac = m;
    }
    p
}

fn is_local(dev: &Device, a: std::net::Ipv4Addr) -> bool {
    dev.interfaces
        .iter()
        .filter(|i| !i.shutdown)
        .any(|i| i.addresses.iter().any(|(x, _)| *x == a))
}

/// Interfaces known at a netfilter hook.
#[derive(Clone, Copy)]
struct Hook<'a> {
    iif: Option<&'a sanso::model::Interface>,
    oif: Option<&'a sanso::model::Interface>,
}

enum Verdict {
    Accept,
    Drop,
    Nat(NfVerdict),
    /// Fell off the end or `return`ed.
    Back,
}

fn wildcard(pat: &str, name: &str) -> bool {
    if let Some(pre) = pat.strip_suffix('*').or_else(|| pat.strip_suffix('+')) {
        name.starts_with(pre)
    } else {
        pat == name
    }
}

fn holds(m: &NfMatch, p: &Packet, h: Hook) -> Option<bool> {
    let has_ports = matches!(p.proto, 6 | 17 | 132 | 136);
    let inr = |rs: &[sanso::model::PortRange], v: u16| rs.iter().any(|r| r.lo <= v && v <= r.hi);
    // `None`: the packet lacks the header field, so the condition fails either way.
    Some(match m {
        NfMatch::SrcIp(a) => a.contains(p.src_ip),
        NfMatch::DstIp(a) => a.contains(p.dst_ip),
        NfMatch::Proto(ps) => ps.contains(&p.proto),
        NfMatch::SrcPort(rs) => has_ports.then(|| inr(rs, p.src_port))?,
        NfMatch::DstPort(rs) => has_ports.then(|| inr(rs, p.dst_port))?,
        NfMatch::IcmpType(ts) => (p.proto == 1).then(|| ts.contains(&p.icmp_type))?,
        NfMatch::IcmpCode(cs) => (p.proto == 1).then(|| cs.contains(&p.icmp_code))?,
        NfMatch::Iif(ns) => {
            let i = h.iif?;
            ns.iter().any(|n| wildcard(n, &i.name))
        }
        NfMatch::Oif(ns) => {
            let o = h.oif?;
            ns.iter().any(|n| wildcard(n, &o.name))
        }
        NfMatch::SrcMac(ms) => ms.iter().any(|m| mac_u64(*m) == mac_u64(p.src_mac)),
        NfMatch::DstMac(ms) => ms.iter().any(|m| mac_u64(*m) == mac_u64(p.dst_mac)),
        NfMatch::Vlan(rs) => {
            (p.vlan != 0).then(|| rs.iter().any(|&(lo, hi)| lo <= p.vlan && p.vlan <= hi))?
        }
        NfMatch::CtState(st) => st.iter().any(|s| match s {
            CtState::New => !p.established,
            CtState::Established | CtState::Related => p.established,
            CtState::Invalid | CtState::Untracked => false,
        }),
    })
}

fn run_chain(nf: &Netfilter, c: &NfChain, p: &Packet, h: Hook, depth: usize) -> Verdict {
    for r in &c.rules {
        let ok = r
            .conds
            .iter()
            .all(|c| holds(&c.m, p, h).is_some_and(|x| x != c.neg));
        if !ok {
            continue;
        }
        match &r.verdict {
            NfVerdict::Continue => {}
            NfVerdict::Accept => return Verdict::Accept,
            NfVerdict::Drop | NfVerdict::Reject => return Verdict::Drop,
            NfVerdict::Return => return Verdict::Back,
            NfVerdict::Jump(t) => {
                // A missing target is skipped (the graph marks the result unproven).
                let Some(t) = nf
                    .chain(t)
                    .filter(|_| depth < sanso::net::netfilter::MAX_DEPTH)
                else {
                    continue;
                };
                match run_chain(nf, t, p, h, depth + 1) {
                    Verdict::Back => {}
                    v => return v,
                }
            }
            NfVerdict::Goto(t) => {
                let Some(t) = nf
                    .chain(t)
                    .filter(|_| depth < sanso::net::netfilter::MAX_DEPTH)
                else {
                    return Verdict::Back;
                };
                return run_chain(nf, t, p, h, depth + 1);
            }
            v => return Verdict::Nat(v.clone()),
        }
    }
    Verdict::Back
}

/// One packet through the base chains of `hook`: `None` if dropped, else the packet as it
/// leaves (rewritten by NAT; ranges take their lowest value).
fn nf_hook(nf: &Netfilter, hook: NfHook, h: Hook, p: &Packet) -> Option<Packet> {
    let mut chains: Vec<(i32, usize, &NfChain)> = nf
        .chains
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c.base {
            Some((hk, _, prio)) if hk == hook => Some((prio, i, c)),
            _ => None,
        })
        .collect();
    chains.sort_by_key(|x| (x.0, x.1));
    let mut pk = p.clone();
    for (_, _, c) in chains {
        let nat = matches!(c.base, Some((_, NfKind::Nat, _)));
        if nat && pk.established {
            continue;
        }
        match run_chain(nf, c, &pk, h, 0) {
            Verdict::Accept => {}
            Verdict::Drop => return None,
            Verdict::Back => {
                if c.policy == Action::Deny {
                    return None;
                }
            }
            Verdict::Nat(v) => {
                let first = |i: Option<&sanso::model::Interface>| {
                    i.and_then(|i| i.addresses.first().map(|a| a.0))
                };
                let to = |n: &NatTo, ip: &mut std::net::Ipv4Addr, port: &mut u16| {
                    if let Some((lo, _)) = n.addr {
                        *ip = lo;
                    }
                    if let Some(r) = n.port {
                        *port = r.lo;
                    }
                };
                match &v {
                    NfVerdict::Dnat(n) => to(n, &mut pk.dst_ip, &mut pk.dst_port),
                    NfVerdict::Snat(n) => to(n, &mut pk.src_ip, &mut pk.src_port),
                    NfVerdict::Masquerade => pk.src_ip = first(h.oif)?,
                    NfVerdict::Redirect(port) => {
                        pk.dst_ip = first(h.iif)?;
                        if let Some(r) = port {
                            pk.dst_port = r.lo;
                        }
                    }
                    _ => unreachable!("only NAT verdicts"),
                }
            }
        }
    }
    Some(pk)
}

//! APKeep's Stanford network (`topo.txt`, `vlan.txt`, `updates`): incremental
//! verification over atoms, and compilation of a snapshot into the audit [`Engine`].
//!
//! State kept per update:
//! * a global [`Atomizer`], refined by each inserted forwarding prefix and by each
//!   ACL's permit set after an ACL update, so every predicate below is an exact union
//!   of atoms. Atoms are never merged, so
//!   there are more of them than APKeep's (which merges); exactness does not depend
//!   on the partition being coarsest;
//! * per router, the installed rules in a `BTreeMap` by (prefix, length); the port
//!   predicates as atom bitsets. Inserting `P/len → q` moves `P` minus the installed
//!   longer prefixes inside `P` from the port of `P`'s longest installed ancestor (or
//!   `default`) to `q`; removal moves it back. Priorities equal lengths in this data;
//!   rules with the same prefix are rejected as duplicates, as in APKeep;
//! * per ACL, the ordered rules (larger priority first, implicit deny) and the
//!   permit set.
//!
//! Loop check after each update, as APKeep's `Checker.checkProperty`: from the updated
//! router, each port's share of the moved packets is pushed depth-first along the
//! topology; a hop (device, port) already on the path closes a loop, recorded as the
//! path from its first occurrence; loops equal up to rotation count once per update;
//! the total is the sum over updates.

use super::bad;
use crate::engine::{Atomizer, Engine, NetBuilder, NodeId, ReachScratch};
use crate::hs::bdd::FastMap;
use crate::hs::{Bdd, Field, Space, FALSE, TRUE};
use std::collections::{BTreeMap, HashSet};
use std::io;
use std::net::Ipv4Addr;
use std::path::Path;

type Hop = u32;

/// Growable atom bitset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set(pub Vec<u64>);

impl Set {
    fn set(&mut self, i: usize) {
        if self.0.len() <= i / 64 {
            self.0.resize(i / 64 + 1, 0);
        }
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
    fn and(&self, o: &Set) -> Set {
        Set(self.0.iter().zip(&o.0).map(|(a, b)| a & b).collect())
    }
    fn minus_assign(&mut self, o: &Set) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a &= !b;
        }
    }
    fn or_assign(&mut self, o: &Set) {
        if self.0.len() < o.0.len() {
            self.0.resize(o.0.len(), 0);
        }
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

#[derive(Clone, Debug)]
pub enum Update {
    Fwd {
        insert: bool,
        router: String,
        prefix: u32,
        len: u8,
        port: String,
    },
    Acl {
        insert: bool,
        acl: String,
        permit: bool,
        priority: i64,
        /// The rule text after the ACL name (for identity on removal).
        key: String,
        pred: AclMatch,
    },
}

#[derive(Clone, Debug)]
pub struct AclMatch {
    pub proto: (u8, u8),
    pub src: (u32, u32),
    pub sport: Option<(u16, u16)>,
    pub dst: (u32, u32),
    pub dport: Option<(u16, u16)>,
}

fn addr(a: &str, w: &str) -> io::Result<(u32, u32)> {
    // (value, care); `any` is everything, wildcard `null` is one host.
    if a == "any" {
        return Ok((0, 0));
    }
    let v = u32::from(a.parse::<Ipv4Addr>().map_err(bad)?);
    let care = if w == "null" {
        u32::MAX
    } else {
        !u32::from(w.parse::<Ipv4Addr>().map_err(bad)?)
    };
    Ok((v & care, care))
}

fn port_range(lo: &str, hi: &str) -> io::Result<Option<(u16, u16)>> {
    if lo == "null" {
        return Ok(None);
    }
    let lo: u16 = lo.parse().map_err(bad)?;
    // `<port> null` is a single port (`eq`).
    let hi: u16 = if hi == "null" {
        lo
    } else {
        hi.parse().map_err(bad)?
    };
    Ok(Some((lo, hi)))
}

pub fn parse_updates(text: &str) -> io::Result<Vec<Update>> {
    let mut out = vec![];
    for line in text.lines() {
        out.push(parse_update(line).map_err(|e| bad(format!("{e}: {line}")))?);
    }
    Ok(out)
}

fn parse_update(line: &str) -> io::Result<Update> {
    let mut out = vec![];
    {
        let t: Vec<&str> = line.split_whitespace().collect();
        let insert = match t[0] {
            "+" => true,
            "-" => false,
            x => return Err(bad(format!("bad op {x}"))),
        };
        match t[1] {
            "fwd" if t.len() == 7 => out.push(Update::Fwd {
                insert,
                router: t[2].to_string(),
                prefix: t[3].parse::<u64>().map_err(bad)? as u32,
                len: t[4].parse().map_err(bad)?,
                port: t[5].to_string(),
            }),
            "acl" if t.len() == 17 => out.push(Update::Acl {
                insert,
                acl: t[2].to_string(),
                permit: t[5] == "permit",
                priority: t[16].parse().map_err(bad)?,
                key: t[3..].join(" "),
                pred: AclMatch {
                    proto: (t[6].parse().map_err(bad)?, t[7].parse().map_err(bad)?),
                    src: addr(t[8], t[9])?,
                    sport: port_range(t[10], t[11])?,
                    dst: addr(t[12], t[13])?,
                    dport: port_range(t[14], t[15])?,
                },
            }),
            _ => return Err(bad(format!("bad update line: {line}"))),
        }
    }
    out.pop().ok_or_else(|| bad("empty update line"))
}

impl Update {
    pub fn is_insert(&self) -> bool {
        match self {
            Update::Fwd { insert, .. } | Update::Acl { insert, .. } => *insert,
        }
    }
}

impl AclMatch {
    pub fn bdd(&self, s: &mut Space) -> Bdd {
        let mut b = s.range(Field::Proto, self.proto.0 as u64, self.proto.1 as u64);
        let src =
            s.m.masked(Field::SrcIp.vars(), self.src.0 as u64, self.src.1 as u64);
        let dst =
            s.m.masked(Field::DstIp.vars(), self.dst.0 as u64, self.dst.1 as u64);
        b = s.and(b, src);
        b = s.and(b, dst);
        if let Some((lo, hi)) = self.sport {
            let r = s.range(Field::SrcPort, lo as u64, hi as u64);
            b = s.and(b, r);
        }
        if let Some((lo, hi)) = self.dport {
            let r = s.range(Field::DstPort, lo as u64, hi as u64);
            b = s.and(b, r);
        }
        b
    }
}

fn ones(s: &Set) -> impl Iterator<Item = usize> + '_ {
    s.0.iter().enumerate().flat_map(|(i, &w)| {
        let mut w = w;
        std::iter::from_fn(move || {
            if w == 0 {
                return None;
            }
            let t = w.trailing_zeros() as usize;
            w &= w - 1;
            Some(i * 64 + t)
        })
    })
}

fn prefix_bdd(s: &mut Space, prefix: u32, len: u8) -> Bdd {
    s.prefix(Field::DstIp, Ipv4Addr::from(prefix), len)
}

fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len)
    }
}

struct Router {
    /// (prefix, len) → (port index, match atoms).
    rules: BTreeMap<(u32, u8), (usize, usize)>,
    /// Port names; 0 = "default".
    ports: Vec<String>,
    port_idx: FastMap<String, usize>,
    /// Atom set per port, index into `State::sets`.
    port_set: Vec<usize>,
    /// Physical hops of each port (VLAN expanded); empty for default/self.
    port_hops: Vec<Vec<(Hop, String)>>,
}

struct Acl {
    /// (priority, permit, key, match bdd)
    rules: Vec<(i64, bool, String, Bdd)>,
    permit_set: usize,
    deny_set: usize,
    permit_bdd: Bdd,
}

/// The APKeep network and its incremental state.
pub struct ApkNet {
    pub space: Space,
    /// Atoms of the forwarding predicates (destination prefixes) and, separately, of
    /// the ACL permit sets (APKeep's "division"): a packet set on a path is always
    /// `F ∧ A` with `F` a union of forwarding atoms and `A` a union of ACL atoms, because
    /// both filters only intersect. Keeping the two partitions apart avoids their
    /// product (prefix cuts × multi-field ACL regions), which exploded to >50,000
    /// atoms in one shared partition.
    pub fwd_atoms: Atomizer,
    pub acl_atoms: Atomizer,
    /// Forwarding-atom sets and ACL-atom sets that must follow splits.
    sets: Vec<Set>,
    acl_sets: Vec<Set>,
    /// For each ACL atom, the forwarding atoms it intersects.
    overlap: Vec<Set>,
    routers: Vec<Router>,
    router_idx: FastMap<String, usize>,
    acls: Vec<Acl>,
    acl_idx: FastMap<String, usize>,
    hop_name: Vec<(String, String)>,
    hop_idx: FastMap<(String, String), Hop>,
    /// Topology: hop → connected hops.
    topo: FastMap<Hop, Vec<Hop>>,
    /// Element of each connected hop's device: Ok(router) or Err(acl).
    device_elem: FastMap<String, Result<usize, usize>>,
    vlans: FastMap<(String, String), Vec<String>>,
    /// Loops found, summed over updates.
    pub loops: usize,
}

impl ApkNet {
    pub fn load(dir: &Path) -> io::Result<(ApkNet, Vec<Update>)> {
        let topo = std::fs::read_to_string(dir.join("topo.txt"))?;
        let vlan = std::fs::read_to_string(dir.join("vlan.txt"))?;
        let updates = parse_updates(&std::fs::read_to_string(dir.join("updates"))?)?;
        let mut net = ApkNet {
            space: Space::new(),
            fwd_atoms: Atomizer::new(),
            acl_atoms: Atomizer::new(),
            sets: vec![],
            acl_sets: vec![],
            overlap: vec![Set(vec![1])],
            routers: vec![],
            router_idx: FastMap::default(),
            acls: vec![],
            acl_idx: FastMap::default(),
            hop_name: vec![],
            hop_idx: FastMap::default(),
            topo: FastMap::default(),
            device_elem: FastMap::default(),
            vlans: FastMap::default(),
            loops: 0,
        };
        for l in vlan.lines() {
            let t: Vec<&str> = l.split_whitespace().collect();
            if t.len() >= 3 {
                net.vlans.insert(
                    (t[0].to_string(), t[1].to_string()),
                    t[2..].iter().map(|s| s.to_string()).collect(),
                );
            }
        }
        for l in topo.lines() {
            let t: Vec<&str> = l.split_whitespace().collect();
            if t.len() != 4 {
                continue;
            }
            for d in [t[0], t[2]] {
                let _ = net.device(d);
            }
            let a = net.hop(t[0], t[1]);
            let b = net.hop(t[2], t[3]);
            let v = net.topo.entry(a).or_default();
            if !v.contains(&b) {
                v.push(b);
            }
        }
        Ok((net, updates))
    }

    fn hop(&mut self, d: &str, p: &str) -> Hop {
        let k = (d.to_string(), p.to_string());
        if let Some(&h) = self.hop_idx.get(&k) {
            return h;
        }
        let h = self.hop_name.len() as Hop;
        self.hop_name.push(k.clone());
        self.hop_idx.insert(k, h);
        h
    }

    fn new_set(&mut self, s: Set) -> usize {
        self.sets.push(s);
        self.sets.len() - 1
    }

    fn device(&mut self, d: &str) -> Result<usize, usize> {
        if let Some(&e) = self.device_elem.get(d) {
            return e;
        }
        let e = if d.ends_with("_in") || d.ends_with("_out") {
            let name = d.split('_').take(3).collect::<Vec<_>>().join("_");
            Err(self.acl(&name))
        } else {
            Ok(self.router(d))
        };
        self.device_elem.insert(d.to_string(), e);
        e
    }

    fn acl(&mut self, name: &str) -> usize {
        if let Some(&i) = self.acl_idx.get(name) {
            return i;
        }
        let mut all = Set::default();
        for i in 0..self.acl_atoms.len() {
            all.set(i);
        }
        self.acl_sets.push(Set::default());
        self.acl_sets.push(all);
        let (permit_set, deny_set) = (self.acl_sets.len() - 2, self.acl_sets.len() - 1);
        self.acls.push(Acl {
            rules: vec![],
            permit_set,
            deny_set,
            permit_bdd: FALSE,
        });
        self.acl_idx.insert(name.to_string(), self.acls.len() - 1);
        self.acls.len() - 1
    }

    fn router(&mut self, name: &str) -> usize {
        if let Some(&i) = self.router_idx.get(name) {
            return i;
        }
        let mut all = Set::default();
        for i in 0..self.fwd_atoms.len() {
            all.set(i);
        }
        let def = self.new_set(all);
        let mut port_idx = FastMap::default();
        port_idx.insert("default".to_string(), 0);
        self.routers.push(Router {
            rules: BTreeMap::new(),
            ports: vec!["default".into()],
            port_idx,
            port_set: vec![def],
            port_hops: vec![vec![]],
        });
        self.router_idx
            .insert(name.to_string(), self.routers.len() - 1);
        self.routers.len() - 1
    }

    fn router_port(&mut self, r: usize, router: &str, port: &str) -> usize {
        if let Some(&i) = self.routers[r].port_idx.get(port) {
            return i;
        }
        let phys: Vec<String> = if port.starts_with("vlan") {
            self.vlans
                .get(&(router.to_string(), port.to_string()))
                .cloned()
                .unwrap_or_default()
        } else {
            vec![port.to_string()]
        };
        let hops = phys
            .into_iter()
            .map(|p| (self.hop(router, &p), p))
            .collect();
        let s = self.new_set(Set::default());
        let rt = &mut self.routers[r];
        rt.ports.push(port.to_string());
        rt.port_idx.insert(port.to_string(), rt.ports.len() - 1);
        rt.port_set.push(s);
        rt.port_hops.push(hops);
        rt.ports.len() - 1
    }

    /// Refine the forwarding atoms by `p`; propagate splits to sets and overlaps.
    fn refine(&mut self, p: Bdd) {
        if self.fwd_atoms.refine(&mut self.space.m, p) == 0 {
            return;
        }
        for (old, new) in self.fwd_atoms.take_splits() {
            let (old, new) = (old as usize, new as usize);
            for s in &mut self.sets {
                if s.get(old) {
                    s.set(new);
                }
            }
            let (fo, fnew) = (self.fwd_atoms.atom(old), self.fwd_atoms.atom(new));
            for a in 0..self.overlap.len() {
                if self.overlap[a].get(old) {
                    let ab = self.acl_atoms.atom(a);
                    if self.space.m.and(fnew, ab) != FALSE {
                        self.overlap[a].set(new);
                    }
                    if self.space.m.and(fo, ab) == FALSE {
                        self.overlap[a].0[old / 64] &= !(1 << (old % 64));
                    }
                }
            }
        }
    }

    /// Refine the ACL atoms by `p`; propagate splits to ACL sets and overlaps.
    fn refine_acl(&mut self, p: Bdd) {
        if self.acl_atoms.refine(&mut self.space.m, p) == 0 {
            return;
        }
        for (old, new) in self.acl_atoms.take_splits() {
            let (old, new) = (old as usize, new as usize);
            for s in &mut self.acl_sets {
                if s.get(old) {
                    s.set(new);
                }
            }
            let (ao, an) = (self.acl_atoms.atom(old), self.acl_atoms.atom(new));
            let mut keep = Set::default();
            let mut fresh = Set::default();
            let ones: Vec<usize> = ones(&self.overlap[old]).collect();
            for f in ones {
                let fb = self.fwd_atoms.atom(f);
                if self.space.m.and(fb, ao) != FALSE {
                    keep.set(f);
                }
                if self.space.m.and(fb, an) != FALSE {
                    fresh.set(f);
                }
            }
            self.overlap[old] = keep;
            debug_assert_eq!(self.overlap.len(), new);
            self.overlap.push(fresh);
        }
    }

    fn bits(&mut self, p: Bdd) -> Set {
        let b = self.fwd_atoms.bits_of(&mut self.space.m, p, 1);
        Set(b.0)
    }

    /// Is `F ∧ A` non-empty (`A = None`: every ACL atom)?
    fn nonempty(&self, f: &Set, a: Option<&Set>) -> bool {
        if f.is_empty() {
            return false;
        }
        match a {
            None => true,
            Some(a) => ones(a).any(|i| !f.and(&self.overlap[i]).is_empty()),
        }
    }

    /// Apply one update; returns the loops found by the check that follows it.
    pub fn apply(&mut self, u: &Update) -> usize {
        match u {
            Update::Fwd {
                insert,
                router,
                prefix,
                len,
                port,
            } => self.apply_fwd(*insert, router, *prefix, *len, port),
            Update::Acl {
                insert,
                acl,
                permit,
                priority,
                key,
                pred,
            } => {
                let b = pred.bdd(&mut self.space);
                self.apply_acl(*insert, acl, *permit, *priority, key, b);
                0
            }
        }
    }

    fn apply_fwd(&mut self, insert: bool, router: &str, prefix: u32, len: u8, port: &str) -> usize {
        let r = match self.device(router) {
            Ok(r) => r,
            Err(_) => return 0,
        };
        let prefix = prefix & mask(len);
        let key = (prefix, len);
        if insert && self.routers[r].rules.contains_key(&key) {
            return 0; // duplicate
        }
        if !insert && !self.routers[r].rules.contains_key(&key) {
            return 0; // not found
        }
        let pb = prefix_bdd(&mut self.space, prefix, len);
        let (match_set, q) = if insert {
            self.refine(pb);
            let ms = self.bits(pb);
            let ms = self.new_set(ms);
            (ms, self.router_port(r, router, port))
        } else {
            let (q, ms) = self.routers[r].rules[&key];
            (ms, q)
        };
        // Hit: the match minus installed longer prefixes inside it.
        let end = prefix | !mask(len);
        let mut hit = self.sets[match_set].clone();
        let rules = &self.routers[r].rules;
        let desc = (len < 32).then(|| rules.range((prefix, len + 1)..=(end, 32)));
        for (&(_, l2), &(_, ms2)) in desc.into_iter().flatten() {
            if l2 > len {
                hit.minus_assign(&self.sets[ms2]);
            }
        }
        // The longest installed ancestor's port (or default).
        let mut other = 0;
        for l in (0..len).rev() {
            if let Some(&(p, _)) = self.routers[r].rules.get(&(prefix & mask(l), l)) {
                other = p;
                break;
            }
        }
        if insert {
            self.routers[r].rules.insert(key, (q, match_set));
        } else {
            self.routers[r].rules.remove(&key);
        }
        let (from, to) = if insert { (other, q) } else { (q, other) };
        if from == to || hit.is_empty() {
            return 0;
        }
        let (fs, ts) = (self.routers[r].port_set[from], self.routers[r].port_set[to]);
        self.sets[fs].minus_assign(&hit);
        self.sets[ts].or_assign(&hit);
        let n = self.check_loops(r, &hit);
        self.loops += n;
        n
    }

    fn apply_acl(
        &mut self,
        insert: bool,
        acl: &str,
        permit: bool,
        priority: i64,
        key: &str,
        b: Bdd,
    ) {
        let Some(&a) = self.acl_idx.get(acl) else {
            return;
        };
        if insert {
            let rules = &mut self.acls[a].rules;
            let pos = rules
                .iter()
                .position(|r| r.0 < priority)
                .unwrap_or(rules.len());
            rules.insert(pos, (priority, permit, key.to_string(), b));
        } else if let Some(i) = self.acls[a].rules.iter().position(|r| r.2 == key) {
            self.acls[a].rules.remove(i);
        } else {
            return;
        }
        // Permit set: first match wins, implicit deny.
        let mut p = FALSE;
        let rules: Vec<(bool, Bdd)> = self.acls[a]
            .rules
            .iter()
            .rev()
            .map(|r| (r.1, r.3))
            .collect();
        for (permit, m) in rules {
            p = if permit {
                self.space.or(m, p)
            } else {
                self.space.diff(p, m)
            };
        }
        self.acls[a].permit_bdd = p;
        // Refine by the permit set only (refining by every ACL line's match would
        // multiply atoms across fields for nothing: only port predicates matter).
        self.refine_acl(p);
        let ps = Set(self.acl_atoms.bits_of(&mut self.space.m, p, 1).0);
        let mut all = Set::default();
        for i in 0..self.acl_atoms.len() {
            all.set(i);
        }
        let mut deny = all;
        deny.minus_assign(&ps);
        let (pi, di) = (self.acls[a].permit_set, self.acls[a].deny_set);
        self.acl_sets[pi] = ps;
        self.acl_sets[di] = deny;
    }

    /// APKeep's loop check from router `r` for the moved packets `moved`.
    fn check_loops(&mut self, r: usize, moved: &Set) -> usize {
        let mut found: HashSet<Vec<Hop>> = HashSet::new();
        let mut history = vec![];
        for port in 1..self.routers[r].ports.len() {
            let aps = moved.and(&self.sets[self.routers[r].port_set[port]]);
            if aps.is_empty() {
                continue;
            }
            for &(h, _) in &self.routers[r].port_hops[port] {
                history.clear();
                self.traverse(h, &aps, None, &mut history, &mut found);
            }
        }
        found.len()
    }

    fn traverse(
        &self,
        cur: Hop,
        aps: &Set,
        acl: Option<&Set>,
        history: &mut Vec<Hop>,
        found: &mut HashSet<Vec<Hop>>,
    ) {
        if !self.nonempty(aps, acl) {
            return;
        }
        if let Some(i) = history.iter().position(|&h| h == cur) {
            let mut cyc: Vec<Hop> = history[i..].to_vec();
            // Canonical rotation (APKeep compares loops up to rotation).
            let n = cyc.len();
            let best = (0..n)
                .min_by(|&a, &b| {
                    let ra = cyc[a..].iter().chain(&cyc[..a]);
                    let rb = cyc[b..].iter().chain(&cyc[..b]);
                    ra.cmp(rb)
                })
                .unwrap_or(0);
            cyc.rotate_left(best);
            found.insert(cyc);
            return;
        }
        let Some(next) = self.topo.get(&cur) else {
            return;
        };
        let depth = history.len();
        history.push(cur);
        for &c in next {
            let (dev, cport) = &self.hop_name[c as usize];
            match self.device_elem.get(dev) {
                Some(Ok(r)) => {
                    let rt = &self.routers[*r];
                    for port in 1..rt.ports.len() {
                        if &rt.ports[port] == cport || rt.port_hops[port].is_empty() {
                            continue;
                        }
                        let a2 = aps.and(&self.sets[rt.port_set[port]]);
                        if a2.is_empty() {
                            continue;
                        }
                        for (h, pname) in &rt.port_hops[port] {
                            if pname == cport {
                                continue;
                            }
                            history.push(c);
                            self.traverse(*h, &a2, acl, history, found);
                            history.truncate(depth + 1);
                        }
                    }
                }
                Some(Err(a)) => {
                    let permit = &self.acl_sets[self.acls[*a].permit_set];
                    let a2 = match acl {
                        None => permit.clone(),
                        Some(x) => x.and(permit),
                    };
                    if a2.is_empty() {
                        continue;
                    }
                    if let Some(&h) = self.hop_idx.get(&(dev.clone(), "permit".to_string())) {
                        history.push(c);
                        self.traverse(h, aps, Some(&a2), history, found);
                        history.truncate(depth + 1);
                    }
                }
                None => {}
            }
        }
        history.truncate(depth);
    }

    /// (forwarding atoms, ACL atoms).
    pub fn atoms(&self) -> (usize, usize) {
        (self.fwd_atoms.len(), self.acl_atoms.len())
    }

    /// Compile the current state into the audit engine: `in`/`out` nodes per router
    /// port, one node pair per ACL node; router edges `in(p) → out(q)` for `q ≠ p`
    /// carry the longest-prefix-match predicate of `q`, ACL edges the permit set.
    pub fn snapshot(&mut self) -> ApkSnapshot {
        let mut nb = NetBuilder::new();
        // Rebuild the predicates as BDDs in the new builder's space.
        let mut fwd: Vec<Vec<Bdd>> = vec![];
        for rt in &self.routers {
            let mut per_port = vec![FALSE; rt.ports.len()];
            // Hit of each rule: its prefix minus the longer installed prefixes inside.
            let rules: Vec<(u32, u8, usize)> = rt
                .rules
                .iter()
                .map(|(&(p, l), &(q, _))| (p, l, q))
                .collect();
            for &(p, l, q) in &rules {
                let mut h = prefix_bdd(&mut nb.space, p, l);
                let end = p | !mask(l);
                if l == 32 {
                    per_port[q] = nb.space.or(per_port[q], h);
                    continue;
                }
                for (&(p2, l2), _) in rt.rules.range((p, l + 1)..=(end, 32)) {
                    if l2 > l {
                        let x = prefix_bdd(&mut nb.space, p2, l2);
                        h = nb.space.diff(h, x);
                    }
                }
                per_port[q] = nb.space.or(per_port[q], h);
            }
            fwd.push(per_port);
        }
        let mut in_node: FastMap<Hop, NodeId> = FastMap::default();
        let mut out_node: FastMap<Hop, NodeId> = FastMap::default();
        let mut acl_done: FastMap<String, ()> = FastMap::default();
        let mut sources = vec![];
        let links: Vec<(Hop, Vec<Hop>)> = self.topo.iter().map(|(&a, b)| (a, b.clone())).collect();
        let node = |m: &mut FastMap<Hop, NodeId>, nb: &mut NetBuilder, h: Hop| {
            *m.entry(h).or_insert_with(|| nb.add_node())
        };
        for (a, bs) in &links {
            let u = node(&mut out_node, &mut nb, *a);
            for &b in bs {
                let v = node(&mut in_node, &mut nb, b);
                nb.add_edge(u, v, TRUE);
            }
        }
        // Router and ACL internals.
        let ins: Vec<Hop> = in_node.keys().copied().collect();
        for h in ins {
            let (dev, port) = self.hop_name[h as usize].clone();
            let u = in_node[&h];
            match self.device_elem.get(&dev) {
                Some(Ok(r)) => {
                    sources.push((h, u));
                    let rt = &self.routers[*r];
                    for (q, &pred) in fwd[*r].iter().enumerate().skip(1) {
                        if rt.ports[q] == port || pred == FALSE {
                            continue;
                        }
                        for (oh, pname) in &rt.port_hops[q] {
                            if *pname == port {
                                continue;
                            }
                            let v = node(&mut out_node, &mut nb, *oh);
                            nb.add_edge(u, v, pred);
                        }
                    }
                }
                Some(Err(a)) => {
                    if acl_done.insert(dev.clone(), ()).is_some() {
                        continue;
                    }
                    // Re-express the permit set in the builder's space.
                    let mut p = FALSE;
                    let rules: Vec<(bool, String)> = self.acls[*a]
                        .rules
                        .iter()
                        .rev()
                        .map(|r| (r.1, r.2.clone()))
                        .collect();
                    for (permit, key) in rules {
                        let line = format!("+ acl x {key}");
                        let m = match parse_updates(&line).ok().and_then(|v| v.into_iter().next()) {
                            Some(Update::Acl { pred, .. }) => pred.bdd(&mut nb.space),
                            _ => continue,
                        };
                        p = if permit {
                            nb.space.or(m, p)
                        } else {
                            nb.space.diff(p, m)
                        };
                    }
                    if let Some(&ph) = self.hop_idx.get(&(dev.clone(), "permit".to_string())) {
                        let v = node(&mut out_node, &mut nb, ph);
                        nb.add_edge(u, v, p);
                    }
                }
                None => {}
            }
        }
        sources.sort();
        let outputs: Vec<(NodeId, Hop)> = out_node.iter().map(|(&h, &n)| (n, h)).collect();
        ApkSnapshot {
            engine: nb.compile(),
            sources: sources.into_iter().map(|(_, n)| n).collect(),
            outputs,
        }
    }
}

/// A compiled snapshot of the APKeep network.
pub struct ApkSnapshot {
    pub engine: Engine,
    /// Router input nodes (one per router port that receives a link).
    pub sources: Vec<NodeId>,
    pub outputs: Vec<(NodeId, Hop)>,
}

impl ApkSnapshot {
    /// Number of output hops reached from source node `s` (all headers injected).
    pub fn reach_count(&self, s: NodeId, scratch: &mut ReachScratch) -> usize {
        let full = self.engine.full();
        self.engine.reach_into(&[(s, &full)], scratch);
        let w = self.engine.words;
        self.outputs
            .iter()
            .filter(|(n, _)| scratch.node_nonempty(*n, w))
            .count()
    }
}

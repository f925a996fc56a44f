//! APKeep's Stanford network (`topo.txt`, `vlan.txt`, `updates`): incremental
//! verification of forwarding loops, and compilation of a state into the audit [`Engine`].
//!
//! Model (as APKeep's `Network` in division mode, which it enters whenever ACLs exist):
//! * **Forwarding atoms are destination intervals.** Every forwarding rule matches a
//!   destination prefix, so the coarsest-enough partition is the set of elementary
//!   intervals cut by the inserted prefixes' bounds. Per router and atom we keep the
//!   output port and the length of the longest installed prefix covering it, so an
//!   insertion of `P/len → q` moves exactly the atoms of `P` whose best length is below
//!   `len` (longest-prefix match; priorities equal lengths in this data), and a removal
//!   moves the atoms whose best length is `len` to the longest installed ancestor. No
//!   BDD work on the forwarding side; atoms are split, never merged (exactness does not
//!   need the coarsest partition).
//! * **ACLs** are first-match lists with an implicit deny; their permit sets are BDDs
//!   over the full header. A path's packets are `(∪ its forwarding atoms) ∧ (∧ permit
//!   sets of the ACL nodes passed)`; non-emptiness is decided by one BDD `and` per
//!   (ACL combination, atom interval), memoised until the next ACL update.
//!
//! Loop check after a forwarding update (APKeep's `Checker.checkPropertyDivision`):
//! from the updated router, the moved atoms on each output port are pushed depth-first
//! along the topology; a position (device, port) already on the path closes a loop,
//! recorded as the path from its first occurrence. APKeep's `Evaluator` adds every
//! update's loops to one set whose equality is "same cyclic sequence of positions", so
//! its "Number of loops" is the number of **distinct cycles over the whole run**
//! ([`ApkNet::distinct_loops`]); the per-update sum is kept too ([`ApkNet::loop_reports`]).
//! As in APKeep, ACL updates trigger no loop check (in this data they only happen
//! before the first and after the last forwarding rule, when no loop can exist).

use super::bad;
use sanso::engine::{Engine, NetBuilder, NodeId, ReachScratch};
use sanso::hs::bdd::FastMap;
use sanso::hs::{Bdd, Field, Space, FALSE, TRUE};
use std::collections::{BTreeMap, HashSet};
use std::io;
use std::net::Ipv4Addr;
use std::path::Path;

/// A position (device, port) of the topology.
pub type Hop = u32;
type Atom = u32;

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
        if t.len() < 2 {
            return Err(bad(format!("bad update line: {line}")));
        }
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

fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len.min(32))
    }
}

/// What is behind a topology position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dev {
    Router(u16),
    /// ACL element, and the node's `permit` position.
    Acl(u16, Hop),
    None,
}

struct Router {
    name: String,
    /// Installed rules: (prefix, length) → port index.
    rules: FastMap<(u32, u8), u16>,
    /// Port names; 0 = "default" (no rule: dropped).
    ports: Vec<String>,
    port_idx: FastMap<String, u16>,
    /// Physical positions of each port (VLANs expanded); empty for "default".
    port_hops: Vec<Vec<Hop>>,
    /// Per atom: output port and best (longest) covering prefix length, -1 = none.
    port_of: Vec<u16>,
    best: Vec<i8>,
}

struct Acl {
    /// (priority, permit, key, match), larger priority first.
    rules: Vec<(i64, bool, String, Bdd)>,
    /// Prefix folds: `den[j]`/`acc[j]` = what the first j rules deny/permit (disjoint,
    /// their union is what they match); an update at position i refolds from i only (appending or
    /// dropping the last rule, as this data does, is O(1)).
    den: Vec<Bdd>,
    acc: Vec<Bdd>,
    permit: Bdd,
}

/// The APKeep network and its incremental state.
pub struct ApkNet {
    pub space: Space,
    hop_name: Vec<(String, String)>,
    hop_idx: FastMap<(String, String), Hop>,
    /// Topology: position → connected positions.
    topo: Vec<Vec<Hop>>,
    dev: Vec<Dev>,
    routers: Vec<Router>,
    router_idx: FastMap<String, usize>,
    acls: Vec<Acl>,
    acl_idx: FastMap<String, usize>,
    vlans: FastMap<(String, String), Vec<String>>,
    /// Atom intervals `[lo, hi]` and the atom starting at each bound.
    atom_lo: Vec<u32>,
    atom_hi: Vec<u32>,
    starts: BTreeMap<u32, Atom>,
    /// Loops found by each update's check, summed over updates.
    pub loop_reports: usize,
    /// Distinct cycles found so far (canonical rotation), APKeep's loop count.
    cycles: HashSet<Vec<Hop>>,
    // Check scratch, reused across updates (no per-update allocation once warm).
    moved: Vec<Atom>,
    history: Vec<Hop>,
    acl_stack: Vec<u16>,
    atom_bufs: Vec<Vec<Atom>>,
    pair_bufs: Vec<Vec<(u16, Atom)>>,
    found: Vec<Vec<Hop>>,
    /// Memo: ACL set (bit mask) → conjunction of permits, destinations only.
    combo: FastMap<u64, Bdd>,
}

impl ApkNet {
    pub fn load(dir: &Path) -> io::Result<(ApkNet, Vec<Update>)> {
        let topo = std::fs::read_to_string(dir.join("topo.txt"))?;
        let vlan = std::fs::read_to_string(dir.join("vlan.txt"))?;
        let updates = parse_updates(&std::fs::read_to_string(dir.join("updates"))?)?;
        Ok((ApkNet::new(&topo, &vlan), updates))
    }

    /// Build from the text of `topo.txt` and `vlan.txt` (malformed lines are skipped).
    pub fn new(topo: &str, vlan: &str) -> ApkNet {
        let mut starts = BTreeMap::new();
        starts.insert(0, 0);
        let mut net = ApkNet {
            space: Space::new(),
            hop_name: vec![],
            hop_idx: FastMap::default(),
            topo: vec![],
            dev: vec![],
            routers: vec![],
            router_idx: FastMap::default(),
            acls: vec![],
            acl_idx: FastMap::default(),
            vlans: FastMap::default(),
            atom_lo: vec![0],
            atom_hi: vec![u32::MAX],
            starts,
            loop_reports: 0,
            cycles: HashSet::new(),
            moved: vec![],
            history: vec![],
            acl_stack: vec![],
            atom_bufs: vec![],
            pair_bufs: vec![],
            found: vec![],
            combo: FastMap::default(),
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
        let mut links = vec![];
        for l in topo.lines() {
            let t: Vec<&str> = l.split_whitespace().collect();
            if t.len() != 4 {
                continue;
            }
            let a = net.hop(t[0], t[1]);
            let b = net.hop(t[2], t[3]);
            links.push((a, b));
        }
        for (a, b) in links {
            if !net.topo[a as usize].contains(&b) {
                net.topo[a as usize].push(b);
            }
        }
        // Resolve what is behind every position that receives a link.
        for h in 0..net.hop_name.len() {
            let d = net.hop_name[h].0.clone();
            net.dev[h] = if d.ends_with("_in") || d.ends_with("_out") {
                // `<router>_<acl>_<port>_<dir>`: the element is the first three tokens.
                let name = d.split('_').take(3).collect::<Vec<_>>().join("_");
                let a = net.acl(&name);
                let p = net.hop(&d, "permit");
                Dev::Acl(a as u16, p)
            } else {
                Dev::Router(net.router(&d) as u16)
            };
        }
        net
    }

    fn hop(&mut self, d: &str, p: &str) -> Hop {
        let k = (d.to_string(), p.to_string());
        if let Some(&h) = self.hop_idx.get(&k) {
            return h;
        }
        let h = self.hop_name.len() as Hop;
        self.hop_name.push(k.clone());
        self.hop_idx.insert(k, h);
        self.topo.push(vec![]);
        self.dev.push(Dev::None);
        h
    }

    fn acl(&mut self, name: &str) -> usize {
        if let Some(&i) = self.acl_idx.get(name) {
            return i;
        }
        self.acls.push(Acl {
            rules: vec![],
            den: vec![FALSE],
            acc: vec![FALSE],
            permit: FALSE,
        });
        self.acl_idx.insert(name.to_string(), self.acls.len() - 1);
        self.acls.len() - 1
    }

    fn router(&mut self, name: &str) -> usize {
        if let Some(&i) = self.router_idx.get(name) {
            return i;
        }
        let mut port_idx = FastMap::default();
        port_idx.insert("default".to_string(), 0);
        let n = self.atom_lo.len();
        self.routers.push(Router {
            name: name.to_string(),
            rules: FastMap::default(),
            ports: vec!["default".into()],
            port_idx,
            port_hops: vec![vec![]],
            port_of: vec![0; n],
            best: vec![-1; n],
        });
        self.router_idx
            .insert(name.to_string(), self.routers.len() - 1);
        self.routers.len() - 1
    }

    fn router_port(&mut self, r: usize, port: &str) -> u16 {
        if let Some(&i) = self.routers[r].port_idx.get(port) {
            return i;
        }
        let router = self.routers[r].name.clone();
        let phys: Vec<String> = if port.starts_with("vlan") {
            self.vlans
                .get(&(router.clone(), port.to_string()))
                .cloned()
                .unwrap_or_default()
        } else {
            vec![port.to_string()]
        };
        let hops = phys.iter().map(|p| self.hop(&router, p)).collect();
        let rt = &mut self.routers[r];
        rt.ports.push(port.to_string());
        let i = (rt.ports.len() - 1) as u16;
        rt.port_idx.insert(port.to_string(), i);
        rt.port_hops.push(hops);
        i
    }

    /// Make `x` the first address of an atom.
    fn split_at(&mut self, x: u32) {
        let (&lo, &a) = match self.starts.range(..=x).next_back() {
            Some(e) => e,
            None => return,
        };
        if lo == x {
            return;
        }
        let n = self.atom_lo.len() as Atom;
        self.atom_lo.push(x);
        self.atom_hi.push(self.atom_hi[a as usize]);
        self.atom_hi[a as usize] = x - 1;
        self.starts.insert(x, n);
        for rt in &mut self.routers {
            let (p, b) = (rt.port_of[a as usize], rt.best[a as usize]);
            rt.port_of.push(p);
            rt.best.push(b);
        }
    }

    /// Number of forwarding atoms (destination intervals) and of ACL elements.
    pub fn atoms(&self) -> (usize, usize) {
        (self.atom_lo.len(), self.acls.len())
    }

    /// APKeep's loop count: distinct cycles found by all checks so far.
    pub fn distinct_loops(&self) -> usize {
        self.cycles.len()
    }

    /// The distinct cycles as `device,port` paths (canonical rotation), sorted.
    pub fn loops(&self) -> Vec<Vec<String>> {
        let mut v: Vec<Vec<String>> = self
            .cycles
            .iter()
            .map(|c| {
                c.iter()
                    .map(|&h| {
                        let (d, p) = &self.hop_name[h as usize];
                        format!("{d},{p}")
                    })
                    .collect()
            })
            .collect();
        v.sort();
        v
    }

    /// The port router `router` sends destination `dst` to (`None`: no rule, dropped).
    pub fn port_for(&self, router: &str, dst: u32) -> Option<String> {
        let rt = &self.routers[*self.router_idx.get(router)?];
        let (_, &a) = self.starts.range(..=dst).next_back()?;
        let p = rt.port_of[a as usize] as usize;
        (p != 0).then(|| rt.ports[p].clone())
    }

    /// Apply one update; returns the number of loops its check found.
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
                self.apply_acl(*insert, acl, *permit, *priority, key, pred);
                0
            }
        }
    }

    fn apply_fwd(&mut self, insert: bool, router: &str, prefix: u32, len: u8, port: &str) -> usize {
        let Some(&r) = self.router_idx.get(router) else {
            return 0; // a router without links: nothing to verify
        };
        let len = len.min(32);
        let prefix = prefix & mask(len);
        let end = prefix | !mask(len);
        let key = (prefix, len);
        let exists = self.routers[r].rules.contains_key(&key);
        // Same prefix twice: APKeep keeps the first (same priority, "duplicate").
        if insert == exists {
            return 0;
        }
        self.moved.clear();
        if insert {
            let q = self.router_port(r, port);
            self.split_at(prefix);
            if end < u32::MAX {
                self.split_at(end + 1);
            }
            let rt = &mut self.routers[r];
            rt.rules.insert(key, q);
            for (_, &a) in self.starts.range(prefix..=end) {
                let a = a as usize;
                if rt.best[a] < len as i8 {
                    if rt.port_of[a] != q {
                        self.moved.push(a as Atom);
                    }
                    rt.port_of[a] = q;
                    rt.best[a] = len as i8;
                }
            }
        } else {
            let rt = &mut self.routers[r];
            rt.rules.remove(&key);
            let (q, l) = (0..len)
                .rev()
                .find_map(|l| rt.rules.get(&(prefix & mask(l), l)).map(|&q| (q, l as i8)))
                .unwrap_or((0, -1));
            for (_, &a) in self.starts.range(prefix..=end) {
                let a = a as usize;
                if rt.best[a] == len as i8 {
                    if rt.port_of[a] != q {
                        self.moved.push(a as Atom);
                    }
                    rt.port_of[a] = q;
                    rt.best[a] = l;
                }
            }
        }
        if self.moved.is_empty() {
            return 0;
        }
        let n = self.check_loops(r);
        self.loop_reports += n;
        n
    }

    fn apply_acl(
        &mut self,
        insert: bool,
        acl: &str,
        permit: bool,
        priority: i64,
        key: &str,
        pred: &AclMatch,
    ) {
        let Some(&a) = self.acl_idx.get(acl) else {
            return; // not applied anywhere in the topology
        };
        let from = if insert {
            let b = pred.bdd(&mut self.space);
            let rules = &mut self.acls[a].rules;
            let pos = rules
                .iter()
                .position(|r| r.0 < priority)
                .unwrap_or(rules.len());
            rules.insert(pos, (priority, permit, key.to_string(), b));
            pos
        } else if let Some(i) = self.acls[a].rules.iter().position(|r| r.2 == key) {
            self.acls[a].rules.remove(i);
            i
        } else {
            return;
        };
        // First match wins, implicit deny.
        let acl = &mut self.acls[a];
        acl.den.truncate(from + 1);
        acl.acc.truncate(from + 1);
        for j in from..acl.rules.len() {
            let (_, permit, _, m) = acl.rules[j];
            // A rule takes what it matches less what the other verdict already took:
            // two operations per rule (not `m − covered` and two unions).
            let (d, p) = (acl.den[j], acl.acc[j]);
            if permit {
                let fresh = self.space.diff(m, d);
                acl.acc.push(self.space.or(p, fresh));
                acl.den.push(d);
            } else {
                let fresh = self.space.diff(m, p);
                acl.den.push(self.space.or(d, fresh));
                acl.acc.push(p);
            }
        }
        let p = acl.acc[acl.rules.len()];
        self.acls[a].permit = p;
        self.combo.clear();
    }

    /// APKeep's check from router `r` for the atoms in `self.moved`.
    fn check_loops(&mut self, r: usize) -> usize {
        self.found.clear();
        let mut pairs = self.take_pairs(0);
        for &a in &self.moved {
            pairs.push((self.routers[r].port_of[a as usize], a));
        }
        pairs.sort_unstable();
        let mut group = self.take_atoms(0);
        let mut i = 0;
        while i < pairs.len() {
            let p = pairs[i].0;
            group.clear();
            while i < pairs.len() && pairs[i].0 == p {
                group.push(pairs[i].1);
                i += 1;
            }
            if p == 0 {
                continue;
            }
            for k in 0..self.routers[r].port_hops[p as usize].len() {
                let h = self.routers[r].port_hops[p as usize][k];
                self.history.clear();
                self.acl_stack.clear();
                self.dfs(h, &group, 1);
            }
        }
        self.atom_bufs[0] = group;
        self.pair_bufs[0] = pairs;
        // `found` is deduplicated within the update, as APKeep's per-check loop set.
        let n = self.found.len();
        for c in self.found.drain(..) {
            self.cycles.insert(c);
        }
        n
    }

    fn take_atoms(&mut self, d: usize) -> Vec<Atom> {
        while self.atom_bufs.len() <= d {
            self.atom_bufs.push(vec![]);
        }
        let mut v = std::mem::take(&mut self.atom_bufs[d]);
        v.clear();
        v
    }

    fn take_pairs(&mut self, d: usize) -> Vec<(u16, Atom)> {
        while self.pair_bufs.len() <= d {
            self.pair_bufs.push(vec![]);
        }
        let mut v = std::mem::take(&mut self.pair_bufs[d]);
        v.clear();
        v
    }

    /// Push the packets of atoms `f` (and of the ACLs on `acl_stack`) out of position `h`.
    fn dfs(&mut self, h: Hop, f: &[Atom], depth: usize) {
        if f.is_empty() {
            return;
        }
        if let Some(i) = self.history.iter().position(|&x| x == h) {
            if self.acl_stack.is_empty() || self.overlaps(f) {
                self.record(i);
            }
            return;
        }
        self.history.push(h);
        for k in 0..self.topo[h as usize].len() {
            let c = self.topo[h as usize][k];
            match self.dev[c as usize] {
                Dev::Router(r2) => {
                    let r2 = r2 as usize;
                    let mut pairs = self.take_pairs(depth);
                    for &a in f {
                        let p = self.routers[r2].port_of[a as usize];
                        if p != 0 {
                            pairs.push((p, a));
                        }
                    }
                    pairs.sort_unstable();
                    let mut group = self.take_atoms(depth);
                    let mut i = 0;
                    while i < pairs.len() {
                        let p = pairs[i].0;
                        group.clear();
                        while i < pairs.len() && pairs[i].0 == p {
                            group.push(pairs[i].1);
                            i += 1;
                        }
                        for j in 0..self.routers[r2].port_hops[p as usize].len() {
                            let h2 = self.routers[r2].port_hops[p as usize][j];
                            // Never back out of the input port (APKeep skips it too).
                            if h2 == c {
                                continue;
                            }
                            self.history.push(c);
                            self.dfs(h2, &group, depth + 1);
                            self.history.pop();
                        }
                    }
                    self.atom_bufs[depth] = group;
                    self.pair_bufs[depth] = pairs;
                }
                Dev::Acl(a, permit) => {
                    self.acl_stack.push(a);
                    if self.overlaps(f) {
                        self.history.push(c);
                        self.dfs(permit, f, depth + 1);
                        self.history.pop();
                    }
                    self.acl_stack.pop();
                }
                Dev::None => {}
            }
        }
        self.history.pop();
    }

    /// Is `(∪ atoms f) ∧ (∧ permits on acl_stack)` non-empty?
    fn overlaps(&mut self, f: &[Atom]) -> bool {
        // ACL sets as a bit mask (conjunction is idempotent and commutative); the
        // memo is used only when every ACL fits in 64 bits.
        let memo = self.acls.len() <= 64;
        let mut key = 0u64;
        for &a in &self.acl_stack {
            key |= 1u64 << (a % 64);
        }
        let combo = match memo.then(|| self.combo.get(&key).copied()).flatten() {
            Some(c) => c,
            None => {
                let mut c = TRUE;
                for i in 0..self.acl_stack.len() {
                    let p = self.acls[self.acl_stack[i] as usize].permit;
                    c = self.space.and(c, p);
                }
                // Only destinations are asked about: forget the fields above them.
                let c = self.space.m.exists(c, 0..Field::DstIp.vars().start);
                if memo {
                    self.combo.insert(key, c);
                }
                c
            }
        };
        if combo == FALSE {
            return false;
        }
        // No BDD is built per atom: a walk down the range's bounds.
        f.iter().any(|&a| {
            let (lo, hi) = (self.atom_lo[a as usize], self.atom_hi[a as usize]);
            self.space
                .meets_range(combo, Field::DstIp, lo as u64, hi as u64)
        })
    }

    /// Record the loop `history[i..]` (closed by `history[i]`), canonically rotated.
    fn record(&mut self, i: usize) {
        let cyc = &self.history[i..];
        let n = cyc.len();
        let best = (0..n)
            .min_by(|&a, &b| {
                cyc[a..]
                    .iter()
                    .chain(&cyc[..a])
                    .cmp(cyc[b..].iter().chain(&cyc[..b]))
            })
            .unwrap_or(0);
        let mut v = Vec::with_capacity(n);
        v.extend_from_slice(&cyc[best..]);
        v.extend_from_slice(&cyc[..best]);
        if !self.found.contains(&v) {
            self.found.push(v);
        }
    }

    /// Compile the current state into the audit engine: `in`/`out` nodes per position;
    /// links `out(a) → in(b)`; router edges `in(p) → out(q)` (q ≠ p) carry the
    /// destinations routed to q's port; ACL edges `in → out(permit)` the permit set.
    pub fn snapshot(&self) -> ApkSnapshot {
        let mut nb = NetBuilder::new();
        nb.space = self.space.clone();
        // Atoms in address order; maximal runs with one port become one range.
        let order: Vec<Atom> = self.starts.values().copied().collect();
        let mut fwd: Vec<Vec<Bdd>> = vec![];
        for rt in &self.routers {
            let mut per_port = vec![FALSE; rt.ports.len()];
            let mut i = 0;
            while i < order.len() {
                let p = rt.port_of[order[i] as usize];
                let mut j = i;
                while j + 1 < order.len() && rt.port_of[order[j + 1] as usize] == p {
                    j += 1;
                }
                if p != 0 {
                    let (lo, hi) = (
                        self.atom_lo[order[i] as usize],
                        self.atom_hi[order[j] as usize],
                    );
                    let b = nb.space.range(Field::DstIp, lo as u64, hi as u64);
                    per_port[p as usize] = nb.space.or(per_port[p as usize], b);
                }
                i = j + 1;
            }
            fwd.push(per_port);
        }
        let n = self.hop_name.len();
        let mut in_node: Vec<Option<NodeId>> = vec![None; n];
        let mut out_node: Vec<Option<NodeId>> = vec![None; n];
        fn node(v: &mut [Option<NodeId>], nb: &mut NetBuilder, h: Hop) -> NodeId {
            *v[h as usize].get_or_insert_with(|| nb.add_node())
        }
        for a in 0..n {
            for &b in &self.topo[a] {
                let u = node(&mut out_node, &mut nb, a as Hop);
                let v = node(&mut in_node, &mut nb, b);
                nb.add_edge(u, v, TRUE);
            }
        }
        let mut sources = vec![];
        for (h, u) in in_node.iter().enumerate() {
            let Some(u) = *u else { continue };
            match self.dev[h] {
                Dev::Router(r) => {
                    sources.push(u);
                    let rt = &self.routers[r as usize];
                    for (q, &pred) in fwd[r as usize].iter().enumerate().skip(1) {
                        if pred == FALSE {
                            continue;
                        }
                        for &oh in &rt.port_hops[q] {
                            if oh as usize == h {
                                continue;
                            }
                            let v = node(&mut out_node, &mut nb, oh);
                            nb.add_edge(u, v, pred);
                        }
                    }
                }
                Dev::Acl(a, permit) => {
                    let v = node(&mut out_node, &mut nb, permit);
                    nb.add_edge(u, v, self.acls[a as usize].permit);
                }
                Dev::None => {}
            }
        }
        let outputs: Vec<(NodeId, Hop)> = out_node
            .iter()
            .enumerate()
            .filter_map(|(h, n)| n.map(|n| (n, h as Hop)))
            .collect();
        ApkSnapshot {
            engine: nb.compile(),
            sources,
            outputs,
        }
    }
}

/// A compiled snapshot of the APKeep network.
pub struct ApkSnapshot {
    pub engine: Engine,
    /// Router input nodes (one per router position that receives a link).
    pub sources: Vec<NodeId>,
    pub outputs: Vec<(NodeId, Hop)>,
}

impl ApkSnapshot {
    /// Number of output positions reached from source node `s` (all headers injected).
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

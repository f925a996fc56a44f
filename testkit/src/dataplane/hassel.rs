//! Hassel text transfer functions (`*.tf`, written by hsa-python) and their
//! compilation into an atomic-predicate [`Engine`].
//!
//! Semantics (as Hassel-C evaluates them, see the dataset README):
//! * a header at port `p` meets the rules listing `p` in file order; a rule forwards
//!   its match minus the `affected by` intersections whose port list holds `p`, to each
//!   of its out ports except `p` itself; `rw` rules also rewrite. An overlap is
//!   subtracted only when the higher-priority rule *applied* at `p`, i.e. it drops or
//!   has an out port other than `p`: a best route pointing back out of the input port
//!   lets the header fall through to the next matching rule (without this, 0 of the
//!   202 Stanford sources match the reference; with it, all 202 do);
//! * Internet2 has no `affected by` entries, so *every* matching rule forwards;
//! * multi-stage models (Internet2: 2) apply the router's rules again at the internal
//!   port `router × 100000`; "except the input port" holds per router hop in physical
//!   terms: output `q` (`+20000`) is never the entry port `q − 20000` (without this,
//!   122 of 345 Internet2 sources match; with it, all 345);
//! * a port's result set is non-empty iff some header reaches it.
//!
//! Exactness of set semantics: without rewrites a walk that revisits a node can be
//! cut at the repeat and still carries the same header, so "reached over some
//! loop-free path" equals "reached in the least fixpoint". The Internet2 stage-2 rules
//! rewrite the VLAN to a constant; the model carries the VLAN in the node instead of
//! the header (`in(port, vlan)`, `out(port, vlan)`), so every edge predicate is over the
//! destination address only and no rewrite remains. The tests compare every source
//! with the Hassel-C reference.

use super::bad;
use sanso::engine::{Engine, NetBuilder, NodeId, ReachScratch};
use sanso::hs::bdd::FastMap;
use sanso::hs::{Bdd, Field, FALSE, TRUE};
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;

/// Edge predicates of a one-stage model: (in port, out port) → headers.
pub type EdgePreds = BTreeMap<(u32, u32), Bdd>;

/// A ternary bit string, most significant first, at most 64 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Wildcard {
    pub value: u64,
    /// 1 where the bit is fixed.
    pub care: u64,
    pub len: u8,
}

impl Wildcard {
    pub fn parse(s: &str) -> io::Result<Wildcard> {
        let mut value = 0u64;
        let mut care = 0u64;
        let mut len = 0u8;
        for c in s.bytes() {
            match c {
                b',' => continue,
                b'0' => {
                    value <<= 1;
                    care = (care << 1) | 1;
                }
                b'1' => {
                    value = (value << 1) | 1;
                    care = (care << 1) | 1;
                }
                b'x' | b'X' => {
                    value <<= 1;
                    care <<= 1;
                }
                _ => return Err(bad(format!("unsupported wildcard character in {s:?}"))),
            }
            len += 1;
        }
        if len > 64 {
            return Err(bad("wildcard longer than 64 bits"));
        }
        Ok(Wildcard { value, care, len })
    }
    /// Bits `[from, from + width)` counted from the most significant end.
    pub fn slice(&self, from: u8, width: u8) -> Wildcard {
        let shift = self.len - from - width;
        let m = if width == 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        Wildcard {
            value: (self.value >> shift) & m,
            care: (self.care >> shift) & m,
            len: width,
        }
    }
    pub fn matches(&self, v: u64) -> bool {
        (v ^ self.value) & self.care == 0
    }
    pub fn is_all_x(&self) -> bool {
        self.care == 0
    }
    pub fn is_exact(&self) -> bool {
        self.len == 64 && self.care == u64::MAX || self.care == (1u64 << self.len) - 1
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Fwd,
    Rw,
    Link,
}

#[derive(Clone, Debug)]
pub struct Affected {
    pub rule: usize,
    pub inter: Wildcard,
    pub ports: Vec<u32>,
}

#[derive(Clone, Debug)]
pub struct TfRule {
    pub kind: Kind,
    pub in_ports: Vec<u32>,
    pub matches: Option<Wildcard>,
    pub mask: Option<Wildcard>,
    pub rewrite: Option<Wildcard>,
    pub out_ports: Vec<u32>,
    pub affected: Vec<Affected>,
    pub id: String,
}

/// One `.tf` file.
#[derive(Clone, Debug)]
pub struct Tf {
    pub name: String,
    /// Header length in bits.
    pub bits: u8,
    pub rules: Vec<TfRule>,
}

fn ports(s: &str) -> io::Result<Vec<u32>> {
    let s = s.trim().trim_start_matches('[').trim_end_matches(']');
    if s.trim().is_empty() {
        return Ok(vec![]);
    }
    s.split(',')
        .map(|x| x.trim().parse::<u32>().map_err(bad))
        .collect()
}

fn opt_wc(s: &str) -> io::Result<Option<Wildcard>> {
    if s == "None" || s.is_empty() {
        Ok(None)
    } else {
        Wildcard::parse(s).map(Some)
    }
}

impl Tf {
    pub fn parse(text: &str) -> io::Result<Tf> {
        let mut lines = text.lines();
        let head = lines.next().ok_or_else(|| bad("empty tf"))?;
        let h: Vec<&str> = head.split('$').collect();
        let bytes2: u32 = h[0].parse().map_err(bad)?;
        let name = h.get(1).unwrap_or(&"").to_string();
        let mut rules = vec![];
        for line in lines {
            if line.is_empty() || line == "#" {
                continue;
            }
            let f: Vec<&str> = line.split('$').collect();
            if f.len() < 13 {
                return Err(bad(format!("short rule line: {line}")));
            }
            let kind = match f[0] {
                "fwd" => Kind::Fwd,
                "rw" => Kind::Rw,
                "link" => Kind::Link,
                k => return Err(bad(format!("unknown rule type {k}"))),
            };
            let mut affected = vec![];
            for e in f[8].split('#').filter(|e| !e.is_empty()) {
                let parts: Vec<&str> = e.split(';').collect();
                if parts.len() != 3 {
                    return Err(bad(format!("bad affected-by entry {e}")));
                }
                affected.push(Affected {
                    rule: parts[0].parse().map_err(bad)?,
                    inter: Wildcard::parse(parts[1])?,
                    ports: ports(parts[2])?,
                });
            }
            rules.push(TfRule {
                kind,
                in_ports: ports(f[1])?,
                matches: opt_wc(f[2])?,
                mask: opt_wc(f[3])?,
                rewrite: opt_wc(f[4])?,
                out_ports: ports(f[7])?,
                affected,
                id: f[12].to_string(),
            });
        }
        Ok(Tf {
            name,
            bits: (bytes2 / 2 * 8) as u8,
            rules,
        })
    }

    pub fn load(path: &Path) -> io::Result<Tf> {
        Tf::parse(&std::fs::read_to_string(path)?)
    }
}

/// A Hassel network: router transfer functions, topology, stage count.
#[derive(Clone, Debug)]
pub struct HasselNet {
    pub routers: Vec<Tf>,
    pub topology: Tf,
    pub stages: u32,
}

impl HasselNet {
    /// Load `<dir>/*.tf` (`topology.tf` is the links) and `<dir>/stages` (default 1).
    pub fn load(dir: &Path) -> io::Result<HasselNet> {
        let mut names: Vec<_> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "tf"))
            .collect();
        names.sort();
        let mut routers = vec![];
        let mut topology = None;
        for p in names {
            let tf = Tf::load(&p)?;
            if p.file_stem().is_some_and(|s| s == "topology") {
                topology = Some(tf);
            } else {
                routers.push(tf);
            }
        }
        let stages = match std::fs::read_to_string(dir.join("stages")) {
            Ok(s) => s.trim().parse().map_err(bad)?,
            Err(_) => 1,
        };
        Ok(HasselNet {
            routers,
            topology: topology.ok_or_else(|| bad("topology.tf missing"))?,
            stages,
        })
    }

    /// Compile into an engine (see the module docs for the model).
    pub fn compile(&self) -> io::Result<HasselModel> {
        match (self.stages, self.routers.first().map(|r| r.bits)) {
            (1, Some(32)) => self.compile_single_stage(),
            (2, Some(48)) => self.compile_vlan_two_stage(),
            (s, b) => Err(bad(format!(
                "unsupported model: {s} stages, {b:?} header bits"
            ))),
        }
    }

    /// The edge predicates `(in port, out port) → headers` of a one-stage model, built
    /// with BDD operations: any wildcard shape.
    fn single_stage_edges_by_bdds(
        &self,
        nb: &mut NetBuilder,
        in_node: &mut BTreeMap<u32, NodeId>,
    ) -> io::Result<EdgePreds> {
        let mut acc: BTreeMap<(u32, u32), Bdd> = BTreeMap::new();
        let dst = Field::DstIp.vars();
        // The same prefixes recur across routers and in every affected-by intersection:
        // building each once saves most of the node constructions of the compile.
        let mut wc_memo: FastMap<(u64, u64), Bdd> = FastMap::default();
        for tf in &self.routers {
            let mut wc_bdd = |nb: &mut NetBuilder, w: &Wildcard| {
                *wc_memo
                    .entry((w.value, w.care))
                    .or_insert_with(|| nb.space.m.masked(dst.clone(), w.value, w.care))
            };
            let match_bdds: Vec<Bdd> = tf
                .rules
                .iter()
                .map(|r| r.matches.map(|m| wc_bdd(nb, &m)).unwrap_or(TRUE))
                .collect();
            // Per (rule, set of applicable affected-by entries) the forwarded set.
            for (ri, r) in tf.rules.iter().enumerate() {
                if r.kind != Kind::Fwd {
                    return Err(bad(format!(
                        "{}: unexpected rule type in a one-stage model",
                        r.id
                    )));
                }
                let mut by_key: FastMap<Vec<bool>, Bdd> = FastMap::default();
                for &p in &r.in_ports {
                    // Hassel-C subtracts a higher-priority overlap only if that rule
                    // applied at `p`: it lists `p` and forwards somewhere other than `p`
                    // (or drops). A rule whose only output is the input port produces
                    // nothing there, so lower-priority rules see its headers.
                    let key: Vec<bool> = r
                        .affected
                        .iter()
                        .map(|a| {
                            let hi = &tf.rules[a.rule];
                            a.ports.contains(&p)
                                && (hi.out_ports.is_empty() || hi.out_ports.iter().any(|&q| q != p))
                        })
                        .collect();
                    let eff = match by_key.get(&key) {
                        Some(&b) => b,
                        None => {
                            let mut b = match_bdds[ri];
                            for (a, &on) in r.affected.iter().zip(&key) {
                                if on {
                                    let x = wc_bdd(nb, &a.inter);
                                    b = nb.space.m.diff(b, x);
                                }
                            }
                            by_key.insert(key, b);
                            b
                        }
                    };
                    if eff == FALSE {
                        continue;
                    }
                    for &q in &r.out_ports {
                        if q == p {
                            continue;
                        }
                        let e = acc.entry((p, q)).or_insert(FALSE);
                        *e = nb.space.m.or(*e, eff);
                    }
                }
                for &p in &r.in_ports {
                    in_node.entry(p).or_insert_with(|| nb.add_node());
                }
            }
        }
        Ok(acc)
    }

    /// Whether every match and `affected by` intersection of the routers is a
    /// destination prefix, so that every edge predicate is a union of address intervals.
    pub fn all_prefixes(&self) -> bool {
        self.routers.iter().flat_map(|tf| &tf.rules).all(|r| {
            r.matches.is_none_or(|w| prefix_interval(&w).is_some())
                && r.affected
                    .iter()
                    .all(|a| prefix_interval(&a.inter).is_some())
        })
    }

    /// The same edge predicates as [`Self::single_stage_edges_by_bdds`], for models whose
    /// wildcards are all prefixes: each rule's forwarded set is its interval minus the
    /// applied overlaps, the edge is the union of those, and only that union is turned
    /// into a BDD (one `mk` per node of the result). Folding them with `or` built every
    /// intermediate union: 900,000 nodes on Stanford for a result a tenth of that.
    fn single_stage_edges_by_intervals(
        &self,
        nb: &mut NetBuilder,
        in_node: &mut BTreeMap<u32, NodeId>,
    ) -> EdgePreds {
        let mut acc: BTreeMap<(u32, u32), Vec<(u32, u32)>> = BTreeMap::new();
        let all = (0, u32::MAX);
        for tf in &self.routers {
            for r in &tf.rules {
                let m = r
                    .matches
                    .map(|w| prefix_interval(&w).unwrap_or(all))
                    .unwrap_or(all);
                let mut by_key: FastMap<Vec<bool>, Vec<(u32, u32)>> = FastMap::default();
                for &p in &r.in_ports {
                    // As in the BDD construction: an overlap is cut only where the
                    // higher-priority rule applied at `p`.
                    let key: Vec<bool> = r
                        .affected
                        .iter()
                        .map(|a| {
                            let hi = &tf.rules[a.rule];
                            a.ports.contains(&p)
                                && (hi.out_ports.is_empty() || hi.out_ports.iter().any(|&q| q != p))
                        })
                        .collect();
                    let eff = by_key.entry(key).or_insert_with_key(|key| {
                        let mut cuts: Vec<(u32, u32)> = r
                            .affected
                            .iter()
                            .zip(key)
                            .filter(|(_, &on)| on)
                            .filter_map(|(a, _)| prefix_interval(&a.inter))
                            .collect();
                        interval_minus(m, &mut cuts)
                    });
                    for &q in &r.out_ports {
                        if q != p && !eff.is_empty() {
                            acc.entry((p, q)).or_default().extend_from_slice(eff);
                        }
                    }
                }
                for &p in &r.in_ports {
                    in_node.entry(p).or_insert_with(|| nb.add_node());
                }
            }
        }
        let v0 = Field::DstIp.vars().start;
        acc.into_iter()
            .map(|(k, mut iv)| {
                normalize_intervals(&mut iv);
                (k, intervals_bdd(&mut nb.space.m, v0, &iv, 0, 0))
            })
            .collect()
    }

    /// The one-stage edge predicates built both ways in one manager, intervals first
    /// (a test hook: canonical BDDs, so an exact construction gives equal ids).
    #[doc(hidden)]
    pub fn single_stage_edges_both_ways(&self) -> io::Result<(EdgePreds, EdgePreds)> {
        let mut nb = NetBuilder::new();
        let mut in_node = BTreeMap::new();
        let a = self.single_stage_edges_by_intervals(&mut nb, &mut in_node);
        let b = self.single_stage_edges_by_bdds(&mut nb, &mut in_node)?;
        Ok((a, b))
    }

    /// Stanford `hassel-tf`: one stage, 32-bit destination address.
    fn compile_single_stage(&self) -> io::Result<HasselModel> {
        let mut nb = NetBuilder::new();
        let mut in_node: BTreeMap<u32, NodeId> = BTreeMap::new();
        let mut out_node: BTreeMap<u32, NodeId> = BTreeMap::new();
        let acc = if self.all_prefixes() {
            self.single_stage_edges_by_intervals(&mut nb, &mut in_node)
        } else {
            self.single_stage_edges_by_bdds(&mut nb, &mut in_node)?
        };
        for (&(p, q), &b) in &acc {
            let u = *in_node.entry(p).or_insert_with(|| nb.add_node());
            let v = *out_node.entry(q).or_insert_with(|| nb.add_node());
            nb.add_edge(u, v, b);
        }
        for l in &self.topology.rules {
            for &a in &l.in_ports {
                for &b in &l.out_ports {
                    let u = *out_node.entry(a).or_insert_with(|| nb.add_node());
                    let v = *in_node.entry(b).or_insert_with(|| nb.add_node());
                    nb.add_edge(u, v, TRUE);
                }
            }
        }
        let sources = in_node.iter().map(|(&p, &n)| (p, vec![n])).collect();
        let outputs = out_node.iter().map(|(&q, &n)| (n, q)).collect();
        Ok(HasselModel::new(nb, sources, outputs))
    }

    /// Internet2: stage 1 (`fwd`, VLAN match, any destination) takes input ports to the
    /// internal port; stage 2 (`rw`, destination match, VLAN := constant) takes the
    /// internal port to output ports. Nodes carry the VLAN, edges only the destination.
    fn compile_vlan_two_stage(&self) -> io::Result<HasselModel> {
        let mut nb = NetBuilder::new();
        let dst = Field::DstIp.vars();
        // Output (port, vlan) and input (port, vlan) nodes; source nodes (any VLAN).
        let mut out_node: BTreeMap<(u32, u64), NodeId> = BTreeMap::new();
        let mut src_node: BTreeMap<u32, NodeId> = BTreeMap::new();
        // Stage-1 rules by input port: (vlan wildcard, dst bdd, internal port).
        let mut stage1: BTreeMap<u32, Vec<(Wildcard, Bdd, u32)>> = BTreeMap::new();
        // Stage-2 destination matches per (internal port, out port, VLAN); their union
        // is built once at the end (`dst_union`).
        let mut stage2: BTreeMap<(u32, u32, u64), Vec<Wildcard>> = BTreeMap::new();
        let mut wc_memo: FastMap<(u64, u64), Bdd> = FastMap::default();
        for tf in &self.routers {
            for r in &tf.rules {
                let m = r
                    .matches
                    .ok_or_else(|| bad(format!("{}: no match", r.id)))?;
                let vlan = m.slice(0, 16);
                let d = m.slice(16, 32);
                let is_internal = |p: u32| p.is_multiple_of(100000);
                match r.kind {
                    Kind::Fwd => {
                        if !r.out_ports.iter().all(|&q| is_internal(q)) {
                            return Err(bad(format!(
                                "{}: stage-1 rule to a non-internal port",
                                r.id
                            )));
                        }
                        let db = *wc_memo
                            .entry((d.value, d.care))
                            .or_insert_with(|| nb.space.m.masked(dst.clone(), d.value, d.care));
                        for &p in &r.in_ports {
                            for &q in &r.out_ports {
                                stage1.entry(p).or_default().push((vlan, db, q));
                            }
                        }
                    }
                    Kind::Rw => {
                        let mask = r.mask.ok_or_else(|| bad("rw without mask"))?;
                        let rw = r.rewrite.ok_or_else(|| bad("rw without rewrite"))?;
                        let (mv, md) = (mask.slice(0, 16), mask.slice(16, 32));
                        // mask: 1 = keep. The VLAN must be fully rewritten, dst kept, and
                        // the match must not look at the VLAN.
                        if !(vlan.is_all_x() && mv.value == 0 && md.value == 0xffff_ffff) {
                            return Err(bad(format!("{}: unsupported rewrite shape", r.id)));
                        }
                        if !r.in_ports.iter().all(|&p| is_internal(p)) {
                            return Err(bad(format!(
                                "{}: stage-2 rule on a non-internal port",
                                r.id
                            )));
                        }
                        let c = rw.slice(0, 16).value;
                        for &p in &r.in_ports {
                            for &q in &r.out_ports {
                                if q == p {
                                    continue;
                                }
                                stage2.entry((p, q, c)).or_default().push(d);
                            }
                        }
                    }
                    Kind::Link => return Err(bad("link rule in a router tf")),
                }
            }
        }
        let stage2: BTreeMap<(u32, u32, u64), Bdd> = stage2
            .into_iter()
            .map(|(k, ws)| (k, dst_union(&mut nb.space.m, &ws)))
            .collect();
        for &(_, q, c) in stage2.keys() {
            out_node.entry((q, c)).or_insert_with(|| nb.add_node());
        }
        // Links: out(a, c) → in(b, c). Input nodes are created per VLAN value arriving.
        let mut links: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for l in &self.topology.rules {
            for &a in &l.in_ports {
                links
                    .entry(a)
                    .or_default()
                    .extend(l.out_ports.iter().copied());
            }
        }
        let mut in_node: BTreeMap<(u32, u64), NodeId> = BTreeMap::new();
        let outs: Vec<((u32, u64), NodeId)> = out_node.iter().map(|(&k, &v)| (k, v)).collect();
        for ((a, c), u) in outs {
            for &b in links.get(&a).map(|v| v.as_slice()).unwrap_or(&[]) {
                let v = *in_node.entry((b, c)).or_insert_with(|| nb.add_node());
                nb.add_edge(u, v, TRUE);
            }
        }
        // Stage 1 into internal(router, entry port): the router must not send the packet
        // back out of the physical port it entered by (output `q` is physical
        // `q - 20000`), so the internal node remembers the entry port.
        let mut internal: BTreeMap<(u32, u32), NodeId> = BTreeMap::new();
        let mut stage1_edges = |nb: &mut NetBuilder, u: NodeId, p: u32, vlan: Option<u64>| {
            let mut acc: BTreeMap<u32, Bdd> = BTreeMap::new();
            for &(vw, db, q) in stage1.get(&p).map(|v| v.as_slice()).unwrap_or(&[]) {
                if vlan.is_none_or(|c| vw.matches(c)) && q != p {
                    let e = acc.entry(q).or_insert(FALSE);
                    *e = nb.space.m.or(*e, db);
                }
            }
            for (q, b) in acc {
                let v = *internal.entry((q, p)).or_insert_with(|| nb.add_node());
                nb.add_edge(u, v, b);
            }
        };
        let ins: Vec<((u32, u64), NodeId)> = in_node.iter().map(|(&k, &v)| (k, v)).collect();
        for ((p, c), u) in ins {
            stage1_edges(&mut nb, u, p, Some(c));
        }
        let src_ports: Vec<u32> = stage1.keys().copied().collect();
        for p in src_ports {
            let u = *src_node.entry(p).or_insert_with(|| nb.add_node());
            stage1_edges(&mut nb, u, p, None);
        }
        let physical = |q: u32| if (q / 10000) % 10 == 2 { q - 20000 } else { q };
        for (&(r, p), &u) in &internal {
            for (&(r2, q, c), &b) in stage2.range((r, 0, 0)..=(r, u32::MAX, u64::MAX)) {
                debug_assert_eq!(r2, r);
                if physical(q) != p {
                    nb.add_edge(u, out_node[&(q, c)], b);
                }
            }
        }
        let sources = src_node.iter().map(|(&p, &n)| (p, vec![n])).collect();
        let outputs = out_node.iter().map(|(&(q, _), &n)| (n, q)).collect();
        Ok(HasselModel::new(nb, sources, outputs))
    }
}

/// The closed interval of destination addresses a 32-bit prefix wildcard matches, or
/// `None` if the wildcard is not a prefix (a cared bit below an uncared one).
pub fn prefix_interval(w: &Wildcard) -> Option<(u32, u32)> {
    if w.care >> 32 != 0 {
        return None;
    }
    let care = w.care as u32;
    if care.leading_ones() + care.trailing_zeros() != 32 && care != 0 {
        return None;
    }
    let lo = w.value as u32 & care;
    Some((lo, lo | !care))
}

/// `[lo, hi]` minus the union of `cuts` (sorted here), as sorted disjoint intervals.
pub fn interval_minus((lo, hi): (u32, u32), cuts: &mut [(u32, u32)]) -> Vec<(u32, u32)> {
    cuts.sort_unstable();
    let mut out = vec![];
    let mut next = lo as u64; // first address not yet decided
    for &(a, b) in cuts.iter() {
        if (b as u64) < next || a > hi {
            continue;
        }
        if (a as u64) > next {
            out.push((next as u32, a - 1));
        }
        next = next.max(b as u64 + 1);
    }
    if next <= hi as u64 {
        out.push((next as u32, hi));
    }
    out
}

/// Sorts intervals and merges the overlapping and adjacent ones, so that a range is
/// covered exactly when one interval covers it.
pub fn normalize_intervals(iv: &mut Vec<(u32, u32)>) {
    iv.sort_unstable();
    let mut w = 0;
    for i in 0..iv.len() {
        let (a, b) = iv[i];
        if w > 0 && a as u64 <= iv[w - 1].1 as u64 + 1 {
            iv[w - 1].1 = iv[w - 1].1.max(b);
        } else {
            iv[w] = (a, b);
            w += 1;
        }
    }
    iv.truncate(w);
}

/// The union of 32-bit destination wildcards: by intervals when all are prefixes (one
/// `mk` per node of the result), else folded with `or`.
pub fn dst_union(m: &mut sanso::hs::bdd::Manager, ws: &[Wildcard]) -> Bdd {
    let dst = Field::DstIp.vars();
    let iv: Option<Vec<(u32, u32)>> = ws.iter().map(prefix_interval).collect();
    match iv {
        Some(mut iv) => {
            normalize_intervals(&mut iv);
            intervals_bdd(m, dst.start, &iv, 0, 0)
        }
        None => ws.iter().fold(FALSE, |acc, w| {
            let b = m.masked(dst.clone(), w.value, w.care);
            m.or(acc, b)
        }),
    }
}

/// The BDD of the addresses in `iv` (normalized, each meeting the range of this call:
/// the `2^(32 - depth)` addresses from `base`), over the 32 variables from `v0`, most
/// significant bit first as [`sanso::hs::bdd::Manager::masked`] orders them.
pub fn intervals_bdd(
    m: &mut sanso::hs::bdd::Manager,
    v0: u16,
    iv: &[(u32, u32)],
    depth: u16,
    base: u64,
) -> Bdd {
    let end = base + (1u64 << (32 - depth)) - 1;
    match iv.first() {
        None => return FALSE,
        Some(&(a, b)) if a as u64 <= base && b as u64 >= end => return TRUE,
        _ => {}
    }
    let mid = base + (1u64 << (31 - depth));
    let left = &iv[..iv.partition_point(|&(a, _)| (a as u64) < mid)];
    let right = &iv[iv.partition_point(|&(_, b)| (b as u64) < mid)..];
    let lo = intervals_bdd(m, v0, left, depth + 1, base);
    let hi = intervals_bdd(m, v0, right, depth + 1, mid);
    m.mk(v0 + depth, lo, hi)
}

/// A compiled Hassel network: the engine plus the port ↔ node maps.
pub struct HasselModel {
    pub engine: Engine,
    /// Source port → injection nodes.
    pub sources: BTreeMap<u32, Vec<NodeId>>,
    /// Output nodes with the port ID they report.
    pub outputs: Vec<(NodeId, u32)>,
    /// Compile time (predicate building excluded), for reporting.
    pub compile_ms: f64,
}

impl HasselModel {
    fn new(
        nb: NetBuilder,
        sources: BTreeMap<u32, Vec<NodeId>>,
        outputs: Vec<(NodeId, u32)>,
    ) -> Self {
        let t = std::time::Instant::now();
        let engine = nb.compile();
        HasselModel {
            engine,
            sources,
            outputs,
            compile_ms: t.elapsed().as_secs_f64() * 1e3,
        }
    }

    /// The distinct output ports reached from source port `src` with the all-wildcard
    /// header (empty if `src` has no rules).
    pub fn reached_ports(&self, src: u32, scratch: &mut ReachScratch) -> BTreeSet<u32> {
        let Some(nodes) = self.sources.get(&src) else {
            return BTreeSet::new();
        };
        let full = self.engine.full();
        let init: Vec<(NodeId, &sanso::engine::Bits)> = nodes.iter().map(|&n| (n, &full)).collect();
        self.engine.reach_into(&init, scratch);
        let w = self.engine.words;
        self.outputs
            .iter()
            .filter(|(n, _)| scratch.node_nonempty(*n, w))
            .map(|&(_, q)| q)
            .collect()
    }

    /// [`Self::reached_ports`] for many sources on the rayon pool.
    pub fn reached_ports_par(&self, srcs: &[u32]) -> Vec<(BTreeSet<u32>, f64)> {
        use rayon::prelude::*;
        srcs.par_iter()
            .map_init(ReachScratch::default, |s, &src| {
                let t = std::time::Instant::now();
                let r = self.reached_ports(src, s);
                (r, t.elapsed().as_secs_f64() * 1e6)
            })
            .collect()
    }
}

/// Load `dir/hassel-tf`, compile it and answer every source of the Hassel-C reference
/// `dir/<reference>` (one-source-to-all reachability): a one-line summary prefixed with
/// `label` (for the examples and docs/performance.md). `verbose` prints each mismatch.
pub fn reference_run(
    label: &str,
    dir: &Path,
    reference: &str,
    verbose: bool,
) -> io::Result<String> {
    use super::{percentile, read_reference};
    use std::time::Instant;
    let t0 = Instant::now();
    let net = HasselNet::load(&dir.join("hassel-tf"))?;
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    let t1 = Instant::now();
    let model = net.compile()?;
    let build_ms = t1.elapsed().as_secs_f64() * 1e3;
    let refs = read_reference(&dir.join(reference))?;
    let mut scratch = ReachScratch::default();
    let mut times = vec![];
    let mut identical = 0;
    let t2 = Instant::now();
    for r in &refs {
        let t = Instant::now();
        let got = model.reached_ports(r.src, &mut scratch);
        times.push(t.elapsed().as_secs_f64() * 1e6);
        if got == r.out_ports {
            identical += 1;
        } else if verbose {
            let extra: Vec<_> = got.difference(&r.out_ports).collect();
            let missing: Vec<_> = r.out_ports.difference(&got).collect();
            eprintln!("{}: extra {:?} missing {:?}", r.src, extra, missing);
        }
    }
    let total_ms = t2.elapsed().as_secs_f64() * 1e3;
    Ok(format!(
        "{label}: sources={} identical={} total_ms={:.2} p50_us={:.1} max_us={:.1} load_ms={:.0} build_ms={:.0} atomize_ms={:.0} atoms={} edges={}",
        refs.len(),
        identical,
        total_ms,
        percentile(&times, 50.0),
        percentile(&times, 100.0),
        load_ms,
        build_ms,
        model.compile_ms,
        model.engine.atoms.len(),
        model.engine.edges.len()
    ))
}

//! A small shared-node (hash-consed) BDD manager. Equal sets have equal node ids, so
//! equality and emptiness are O(1); `and`/`or`/`diff` are memoised in a direct-mapped
//! cache. Variables are numbered from the root down (0 = top).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small multiplicative hasher for the unique table (keys are three small integers;
/// SipHash dominated `mk` in profiles).
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

/// `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A BDD node id. `FALSE` and `TRUE` are the terminals.
pub type Bdd = u32;
pub const FALSE: Bdd = 0;
pub const TRUE: Bdd = 1;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Node {
    var: u16,
    lo: Bdd,
    hi: Bdd,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    And = 1,
    Or = 2,
    Diff = 3,
    Not = 4,
    /// [`Manager::cut`]: a relation, cached next to the set operations.
    Cut = 5,
}

/// How a set lies against another ([`Manager::cut`]): bit 0, some of it is inside;
/// bit 1, some of it is outside.
pub const CUT_INSIDE: u32 = 1;
pub const CUT_OUTSIDE: u32 = 2;
pub const CUT_SPLIT: u32 = CUT_INSIDE | CUT_OUTSIDE;

const CACHE_BITS: u32 = 18;
/// A computed-table entry that matches no lookup.
const EMPTY: (u32, Bdd, Bdd, Bdd) = (u32::MAX, 0, 0, 0);

/// The hash bits a unique-table slot keeps next to the node id (they also give its index).
const TAG: u64 = 0xFFFF_FFFF_0000_0000;

#[derive(Clone)]
pub struct Manager {
    nodes: Vec<Node>,
    /// Unique table: open addressing (linear probing) over node ids, keyed by the node
    /// they point to; each slot is the node hash's high 32 bits (the tag, whose low bits
    /// are the home index) above the id; 0 (a terminal, never stored) marks an empty
    /// slot. The tag settles almost every probe without reading the node: at millions of
    /// nodes each read of `nodes` is a cache miss, and `mk` was 40 % of the audit.
    unique: Vec<u64>,
    unique_len: usize,
    cache: Vec<(u32, Bdd, Bdd, Bdd)>,
    nvars: u16,
}

impl Manager {
    pub fn new(nvars: u16) -> Self {
        Self::with_capacity(nvars, 0)
    }

    /// A manager expected to hold about `nodes` nodes: its unique table starts at the
    /// size it would grow to. Each doubling allocates, faults in and refills a new
    /// table (10 % of a zones-corner audit with the intermediate sizes); a wrong guess
    /// only costs memory in proportion, or the doublings as before.
    pub fn with_capacity(nvars: u16, nodes: usize) -> Self {
        let term = Node {
            var: nvars,
            lo: 0,
            hi: 0,
        };
        let slots = (nodes.saturating_mul(4) / 3 + 1)
            .next_power_of_two()
            .max(1 << 10);
        let mut all = Vec::with_capacity(nodes.max(2));
        all.extend([term, term]);
        // Empty entries name no operation. Not zero on purpose: a zeroed table is
        // mapped lazily and faulted in page by page, twice (read, then write), during
        // the first operations — 2,048 faults, a third of an APKeep update run.
        let cache = vec![EMPTY; 1 << CACHE_BITS];
        Manager {
            nodes: all,
            unique: vec![0; slots],
            unique_len: 0,
            cache,
            nvars,
        }
    }

    pub fn nvars(&self) -> u16 {
        self.nvars
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    #[inline]
    fn var(&self, b: Bdd) -> u16 {
        self.nodes[b as usize].var
    }

    /// The node (var, lo, hi), reduced and shared.
    pub fn mk(&mut self, var: u16, lo: Bdd, hi: Bdd) -> Bdd {
        if lo == hi {
            return lo;
        }
        let n = Node { var, lo, hi };
        let mask = self.unique.len() - 1;
        let tag = Self::node_hash(n) & TAG;
        let mut i = (tag >> 32) as usize & mask;
        loop {
            let slot = self.unique[i];
            if slot == 0 {
                break;
            }
            if slot & TAG == tag {
                let id = slot as Bdd;
                if self.nodes[id as usize] == n {
                    return id;
                }
            }
            i = (i + 1) & mask;
        }
        let id = self.nodes.len() as Bdd;
        self.nodes.push(n);
        self.unique[i] = tag | id as u64;
        self.unique_len += 1;
        // Load factor ≤ ¾: with tags a longer probe reads adjacent slots of the same
        // cache line, while a half-empty table cost page faults and cache footprint.
        if self.unique_len * 4 > self.unique.len() * 3 {
            self.grow_unique();
        }
        id
    }

    #[inline]
    fn node_hash(n: Node) -> u64 {
        // splitmix64's finaliser: every input bit reaches the high bits the tag keeps.
        let mut x = (n.lo as u64 | (n.hi as u64) << 32) ^ (n.var as u64).rotate_right(16);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    }

    /// Double the unique table. The slot index comes from the tag, so entries move
    /// without reading their nodes, and in table order, so the writes are nearly
    /// sequential (each entry lands at its old index or that + old size): a rehash that
    /// read every node was 12 % of the audit.
    fn grow_unique(&mut self) {
        let size = self.unique.len() * 2;
        let mask = size - 1;
        let mut t = vec![0u64; size];
        for &slot in &self.unique {
            if slot == 0 {
                continue;
            }
            let mut i = (slot >> 32) as usize & mask;
            while t[i] != 0 {
                i = (i + 1) & mask;
            }
            t[i] = slot;
        }
        self.unique = t;
    }

    #[inline]
    fn slot(op: Op, a: Bdd, b: Bdd) -> usize {
        let h = (a as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add((b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F))
            .wrapping_add(op as u64);
        (h >> (64 - CACHE_BITS)) as usize
    }

    pub fn and(&mut self, a: Bdd, b: Bdd) -> Bdd {
        self.apply(Op::And, a, b)
    }
    pub fn or(&mut self, a: Bdd, b: Bdd) -> Bdd {
        self.apply(Op::Or, a, b)
    }
    /// `a ∧ ¬b`
    pub fn diff(&mut self, a: Bdd, b: Bdd) -> Bdd {
        self.apply(Op::Diff, a, b)
    }
    pub fn not(&mut self, a: Bdd) -> Bdd {
        self.apply(Op::Not, a, TRUE)
    }

    fn apply(&mut self, op: Op, a: Bdd, b: Bdd) -> Bdd {
        // Terminal cases.
        match op {
            Op::And => {
                if a == FALSE || b == FALSE {
                    return FALSE;
                }
                if a == TRUE {
                    return b;
                }
                if b == TRUE || a == b {
                    return a;
                }
            }
            Op::Or => {
                if a == TRUE || b == TRUE {
                    return TRUE;
                }
                if a == FALSE {
                    return b;
                }
                if b == FALSE || a == b {
                    return a;
                }
            }
            Op::Diff => {
                if a == FALSE || b == TRUE || a == b {
                    return FALSE;
                }
                if b == FALSE {
                    return a;
                }
            }
            Op::Not => {
                if a <= TRUE {
                    return 1 - a;
                }
            }
            Op::Cut => unreachable!("a relation, not a set: Manager::cut"),
        }
        let (a, b) = if matches!(op, Op::And | Op::Or) && a > b {
            (b, a)
        } else {
            (a, b)
        };
        let s = Self::slot(op, a, b);
        let c = self.cache[s];
        if c.0 == op as u32 && c.1 == a && c.2 == b {
            return c.3;
        }
        let r = if op == Op::Not {
            let n = self.nodes[a as usize];
            let lo = self.apply(op, n.lo, TRUE);
            let hi = self.apply(op, n.hi, TRUE);
            self.mk(n.var, lo, hi)
        } else {
            let (va, vb) = (self.var(a), self.var(b));
            let v = va.min(vb);
            let (alo, ahi) = if va == v {
                let n = self.nodes[a as usize];
                (n.lo, n.hi)
            } else {
                (a, a)
            };
            let (blo, bhi) = if vb == v {
                let n = self.nodes[b as usize];
                (n.lo, n.hi)
            } else {
                (b, b)
            };
            let lo = self.apply(op, alo, blo);
            let hi = self.apply(op, ahi, bhi);
            // A result equal to an operand's node is that node: `mk` would find it, but
            // only after a unique-table probe that misses the cache at millions of nodes.
            // (A diff with a disjoint set, an `and` with a superset, an `or` with a subset.)
            if va == v && lo == alo && hi == ahi {
                a
            } else if vb == v && lo == blo && hi == bhi {
                b
            } else {
                self.mk(v, lo, hi)
            }
        };
        self.cache[s] = (op as u32, a, b, r);
        r
    }

    /// `∃ vars. b`: forget the variables `vars` (a contiguous range, e.g. one field).
    pub fn exists(&mut self, b: Bdd, vars: std::ops::Range<u16>) -> Bdd {
        let mut memo: FastMap<Bdd, Bdd> = FastMap::default();
        self.exists_rec(b, &vars, &mut memo)
    }

    fn exists_rec(
        &mut self,
        b: Bdd,
        vars: &std::ops::Range<u16>,
        memo: &mut FastMap<Bdd, Bdd>,
    ) -> Bdd {
        if b <= TRUE {
            return b;
        }
        let n = self.nodes[b as usize];
        // Variables are ordered, so below the range nothing changes.
        if n.var >= vars.end {
            return b;
        }
        if let Some(&r) = memo.get(&b) {
            return r;
        }
        let lo = self.exists_rec(n.lo, vars, memo);
        let hi = self.exists_rec(n.hi, vars, memo);
        let r = if vars.contains(&n.var) {
            self.or(lo, hi)
        } else {
            self.mk(n.var, lo, hi)
        };
        memo.insert(b, r);
        r
    }

    /// The node `(var, lo, hi)` of a non-terminal; `None` for `FALSE`/`TRUE`.
    pub fn node(&self, b: Bdd) -> Option<(u16, Bdd, Bdd)> {
        (b > TRUE).then(|| {
            let n = self.nodes[b as usize];
            (n.var, n.lo, n.hi)
        })
    }

    /// Rebuild `b` of manager `src` (same variable order) in this manager, so sets of
    /// two separately built networks can be compared exactly. `memo` maps `src` ids.
    pub fn import(&mut self, src: &Manager, b: Bdd, memo: &mut FastMap<Bdd, Bdd>) -> Bdd {
        if b <= TRUE {
            return b;
        }
        if let Some(&r) = memo.get(&b) {
            return r;
        }
        let n = src.nodes[b as usize];
        let lo = self.import(src, n.lo, memo);
        let hi = self.import(src, n.hi, memo);
        let r = self.mk(n.var, lo, hi);
        memo.insert(b, r);
        r
    }

    /// Whether `r` meets `p` ([`CUT_INSIDE`]) and whether it meets `¬p`
    /// ([`CUT_OUTSIDE`]), without building `r ∧ p`: a partition refinement asks this of
    /// every region it passes, and only the leaves it splits need the sets themselves.
    pub fn cut(&mut self, r: Bdd, p: Bdd) -> u32 {
        if r == FALSE {
            return 0;
        }
        if p == FALSE {
            return CUT_OUTSIDE;
        }
        if p == TRUE || r == p {
            return CUT_INSIDE;
        }
        if r == TRUE {
            return CUT_SPLIT; // p is neither empty nor everything
        }
        let s = Self::slot(Op::Cut, r, p);
        let c = self.cache[s];
        if c.0 == Op::Cut as u32 && c.1 == r && c.2 == p {
            return c.3;
        }
        let (vr, vp) = (self.var(r), self.var(p));
        let v = vr.min(vp);
        let (rlo, rhi) = if vr == v {
            let n = self.nodes[r as usize];
            (n.lo, n.hi)
        } else {
            (r, r)
        };
        let (plo, phi) = if vp == v {
            let n = self.nodes[p as usize];
            (n.lo, n.hi)
        } else {
            (p, p)
        };
        let mut f = self.cut(rlo, plo);
        if f != CUT_SPLIT {
            f |= self.cut(rhi, phi);
        }
        self.cache[s] = (Op::Cut as u32, r, p, f);
        f
    }

    /// Does `a` contain `b`?
    pub fn implies(&mut self, b: Bdd, a: Bdd) -> bool {
        self.diff(b, a) == FALSE
    }

    /// Evaluate `b` on a full assignment (`bit(var)` gives each variable's value).
    pub fn eval(&self, mut b: Bdd, bit: impl Fn(u16) -> bool) -> bool {
        while b > TRUE {
            let n = self.nodes[b as usize];
            b = if bit(n.var) { n.hi } else { n.lo };
        }
        b == TRUE
    }

    /// One satisfying assignment; unconstrained variables are `false`.
    pub fn sat_one(&self, mut b: Bdd) -> Option<Vec<bool>> {
        if b == FALSE {
            return None;
        }
        let mut out = vec![false; self.nvars as usize];
        while b > TRUE {
            let n = self.nodes[b as usize];
            if n.lo != FALSE {
                b = n.lo;
            } else {
                out[n.var as usize] = true;
                b = n.hi;
            }
        }
        Some(out)
    }

    /// `lo <= x <= hi` over the bits `vars` (most significant first).
    pub fn range(&mut self, vars: std::ops::Range<u16>, lo: u64, hi: u64) -> Bdd {
        if lo > hi {
            return FALSE;
        }
        let ge = self.cmp(vars.clone(), lo, true);
        let le = self.cmp(vars, hi, false);
        self.and(ge, le)
    }

    /// Does `b` hold some `x` with `lo <= x <= hi` over the bits `vars` (most
    /// significant first)? `b` must test no variable above `vars` (quantify those out
    /// first, [`Manager::exists`]). Builds no node: a walk down the at most two paths
    /// that stay on a bound of the range (any other branch inside the range is
    /// satisfiable iff it is not `FALSE`, the BDD being reduced), so at most
    /// 2·`vars.len()` steps.
    pub fn meets_range(&self, b: Bdd, vars: std::ops::Range<u16>, lo: u64, hi: u64) -> bool {
        debug_assert!(b <= TRUE || self.var(b) >= vars.start);
        lo <= hi && self.meets_rec(b, &vars, 0, lo, hi, true, true)
    }

    #[allow(clippy::too_many_arguments)]
    fn meets_rec(
        &self,
        n: Bdd,
        vars: &std::ops::Range<u16>,
        i: u16,
        lo: u64,
        hi: u64,
        tlo: bool,
        thi: bool,
    ) -> bool {
        if n == FALSE {
            return false;
        }
        let width = vars.len() as u16;
        if i == width || !(tlo || thi) {
            return true;
        }
        let shift = width - 1 - i;
        let (lb, hb) = ((lo >> shift) & 1, (hi >> shift) & 1);
        let var = vars.start + i;
        let node = self.nodes[n as usize];
        for bit in 0..2u64 {
            if (tlo && bit < lb) || (thi && bit > hb) {
                continue;
            }
            let child = if n > TRUE && node.var == var {
                if bit == 1 {
                    node.hi
                } else {
                    node.lo
                }
            } else {
                n
            };
            if self.meets_rec(
                child,
                vars,
                i + 1,
                lo,
                hi,
                tlo && bit == lb,
                thi && bit == hb,
            ) {
                return true;
            }
        }
        false
    }

    /// `x >= k` (ge) or `x <= k` (!ge), built bottom-up from the least significant bit.
    fn cmp(&mut self, vars: std::ops::Range<u16>, k: u64, ge: bool) -> Bdd {
        let width = vars.len() as u32;
        let mut node = TRUE;
        for i in 0..width {
            let var = vars.end - 1 - i as u16;
            let bit = (k >> i) & 1 == 1;
            node = match (ge, bit) {
                (true, true) => self.mk(var, FALSE, node),
                (true, false) => self.mk(var, node, TRUE),
                (false, true) => self.mk(var, TRUE, node),
                (false, false) => self.mk(var, node, FALSE),
            };
        }
        node
    }

    /// `x & care == value & care` over `vars` (most significant first).
    pub fn masked(&mut self, vars: std::ops::Range<u16>, value: u64, care: u64) -> Bdd {
        self.masked_on(vars, value, care, TRUE)
    }

    /// `(x & care == value & care) ∧ base`, where `base` tests only variables below
    /// `vars` (or is a terminal): the chain is built straight onto `base`, one node per
    /// cared bit, instead of an `and` that copies the chain.
    pub fn masked_on(
        &mut self,
        vars: std::ops::Range<u16>,
        value: u64,
        care: u64,
        base: Bdd,
    ) -> Bdd {
        debug_assert!(base <= TRUE || self.var(base) >= vars.end);
        let width = vars.len() as u32;
        let mut node = base;
        for i in 0..width {
            if (care >> i) & 1 == 0 {
                continue;
            }
            let var = vars.end - 1 - i as u16;
            node = if (value >> i) & 1 == 1 {
                self.mk(var, FALSE, node)
            } else {
                self.mk(var, node, FALSE)
            };
        }
        node
    }

    /// Number of satisfying assignments over all variables, as f64 (for statistics).
    pub fn sat_count(&self, b: Bdd) -> f64 {
        let mut memo = HashMap::new();
        self.count_rec(b, &mut memo) * 2f64.powi(self.level(b) as i32)
    }

    fn level(&self, b: Bdd) -> u16 {
        if b <= TRUE {
            self.nvars
        } else {
            self.var(b)
        }
    }

    fn count_rec(&self, b: Bdd, memo: &mut HashMap<Bdd, f64>) -> f64 {
        if b == FALSE {
            return 0.0;
        }
        if b == TRUE {
            return 1.0;
        }
        if let Some(&c) = memo.get(&b) {
            return c;
        }
        let n = self.nodes[b as usize];
        let lo = self.count_rec(n.lo, memo) * 2f64.powi((self.level(n.lo) - n.var - 1) as i32);
        let hi = self.count_rec(n.hi, memo) * 2f64.powi((self.level(n.hi) - n.var - 1) as i32);
        memo.insert(b, lo + hi);
        lo + hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded xorshift: `next(n)` is a number below `n` (tests need no rand crate).
    fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        }
    }

    fn val(bits: &[bool], vars: std::ops::Range<u16>) -> u64 {
        vars.fold(0, |acc, v| (acc << 1) | bits[v as usize] as u64)
    }

    /// `cut` agrees with the sets it avoids building, on unions of random ranges over two
    /// 4-bit fields (so regions and predicates share, nest, and cross variables).
    #[test]
    fn cut_is_the_relation_of_and_and_diff() {
        let mut m = Manager::new(8);
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        let mut sets = vec![FALSE, TRUE];
        for _ in 0..40 {
            let mut s = FALSE;
            for _ in 0..1 + next(3) {
                let (a, b) = (next(16), next(16));
                let x = m.range(0..4, a.min(b), a.max(b));
                let (c, d) = (next(16), next(16));
                let y = m.range(4..8, c.min(d), c.max(d));
                let xy = m.and(x, y);
                s = m.or(s, xy);
            }
            sets.push(s);
        }
        for &r in &sets {
            for &p in &sets {
                let inside = (m.and(r, p) != FALSE) as u32 * CUT_INSIDE;
                let outside = (m.diff(r, p) != FALSE) as u32 * CUT_OUTSIDE;
                assert_eq!(m.cut(r, p), inside | outside, "r={r} p={p}");
            }
        }
    }

    /// `meets_range` against brute force: random unions of boxes and of bit masks (so
    /// levels are skipped inside the field) over a 2-bit field above (quantified out),
    /// the 5-bit field asked about, and a 3-bit field below; every range of the field.
    #[test]
    fn meets_range_is_brute_force_intersection() {
        let mut m = Manager::new(10);
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        let mut sets = vec![FALSE, TRUE];
        for k in 0..60 {
            let mut s = FALSE;
            for _ in 0..1 + next(3) {
                let piece = if k % 2 == 0 {
                    let (a, b) = (next(4), next(4));
                    let x = m.range(0..2, a.min(b), a.max(b));
                    let (c, d) = (next(32), next(32));
                    let y = m.range(2..7, c.min(d), c.max(d));
                    let (e, f) = (next(8), next(8));
                    let z = m.range(7..10, e.min(f), e.max(f));
                    let xy = m.and(x, y);
                    m.and(xy, z)
                } else {
                    m.masked(0..10, next(1024), next(1024))
                };
                s = m.or(s, piece);
            }
            sets.push(s);
        }
        for &s in &sets {
            let mut has = [false; 32];
            for x in 0..1024u64 {
                let bits: Vec<bool> = (0..10).map(|v| (x >> (9 - v)) & 1 == 1).collect();
                if m.eval(s, |v| bits[v as usize]) {
                    has[val(&bits, 2..7) as usize] = true;
                }
            }
            let p = m.exists(s, 0..2);
            for lo in 0..32u64 {
                for hi in lo..32u64 {
                    let want = (lo..=hi).any(|x| has[x as usize]);
                    assert_eq!(m.meets_range(p, 2..7, lo, hi), want, "s={s} {lo}..={hi}");
                }
            }
            assert!(!m.meets_range(p, 2..7, 5, 4));
        }
    }

    #[test]
    fn ranges_are_exact() {
        let mut m = Manager::new(8);
        for (lo, hi) in [
            (0u64, 255u64),
            (3, 3),
            (10, 200),
            (0, 0),
            (255, 255),
            (17, 64),
        ] {
            let r = m.range(0..8, lo, hi);
            for x in 0..256u64 {
                let inside = m.eval(r, |v| (x >> (7 - v)) & 1 == 1);
                assert_eq!(inside, lo <= x && x <= hi, "{lo}-{hi} at {x}");
            }
            assert_eq!(m.sat_count(r) as u64, hi - lo + 1);
            let w = m.sat_one(r).unwrap();
            let x = val(&w, 0..8);
            assert!(lo <= x && x <= hi);
        }
    }

    #[test]
    fn import_rebuilds_the_same_set() {
        let mut a = Manager::new(8);
        let mut b = Manager::new(8);
        // Different construction histories give different node ids.
        let _ = b.masked(0..8, 0b1010_0000, 0b1111_0000);
        let x = a.range(0..8, 17, 200);
        let mut memo = FastMap::default();
        let y = b.import(&a, x, &mut memo);
        let expect = b.range(0..8, 17, 200);
        assert_eq!(y, expect);
        assert_eq!(b.node(FALSE), None);
        let (v, _, _) = b.node(y).unwrap();
        assert_eq!(v, 0);
    }

    #[test]
    fn boolean_laws() {
        let mut m = Manager::new(8);
        let a = m.range(0..8, 10, 100);
        let b = m.masked(0..8, 0b0100_0000, 0b1100_0000);
        let ab = m.and(a, b);
        let na = m.not(a);
        let union = m.or(ab, na);
        let nb = m.not(b);
        let expect = m.or(na, b);
        assert_eq!(union, expect);
        assert_eq!(m.diff(a, a), FALSE);
        let x = m.or(a, na);
        assert_eq!(x, TRUE);
        assert!(m.implies(ab, a));
        assert!(!m.implies(a, ab));
        let _ = nb;
        for x in 0..256u64 {
            let bit = |v: u16| (x >> (7 - v)) & 1 == 1;
            assert_eq!(m.eval(ab, bit), (10..=100).contains(&x) && (x >> 6) == 1);
        }
    }

    #[test]
    fn nodes_stay_shared_across_unique_table_growth() {
        // Enough distinct nodes for several doublings of the unique table; building the
        // same sets again must find every node (same ids, no new nodes).
        let mut m = Manager::new(24);
        let build = |m: &mut Manager| -> Vec<Bdd> {
            (0..4000u64)
                .map(|k| m.range(0..24, k * 977, k * 977 + (k % 13) * 31 + 5))
                .collect()
        };
        let first = build(&mut m);
        let n = m.node_count();
        assert!(n > 1 << 14, "only {n} nodes");
        let again = build(&mut m);
        assert_eq!(first, again);
        assert_eq!(m.node_count(), n);
        for (k, &b) in first.iter().enumerate().step_by(97) {
            let lo = k as u64 * 977;
            let hi = lo + (k as u64 % 13) * 31 + 5;
            for x in [lo.wrapping_sub(1), lo, hi, hi + 1] {
                let inside = m.eval(b, |v| (x >> (23 - v)) & 1 == 1);
                assert_eq!(inside, lo <= x && x <= hi, "{lo}-{hi} at {x}");
            }
        }
    }
}

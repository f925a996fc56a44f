//! Exact reachability with atomic predicates (Yang & Lam): every edge predicate and every
//! query predicate is split into the coarsest set of disjoint "atoms" that refines them
//! all; an edge then becomes a bitset of atoms and reachability is a bitset worklist.
//! Exactness: each predicate is exactly the union of the atoms it contains, so the
//! bitset answers equal the BDD answers.

use crate::hs::{Bdd, Packet, Space, FALSE, TRUE};
use std::collections::{HashMap, VecDeque};

pub type NodeId = u32;
pub type EdgeId = u32;
pub type QueryId = u32;

/// A fixed-width set of atoms.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bits(pub Vec<u64>);

impl Bits {
    pub fn empty(words: usize) -> Self {
        Bits(vec![0; words])
    }
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
    pub fn and(&self, o: &Bits) -> Bits {
        Bits(self.0.iter().zip(&o.0).map(|(a, b)| a & b).collect())
    }
    pub fn or_assign(&mut self, o: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }
    pub fn minus(&self, o: &Bits) -> Bits {
        Bits(self.0.iter().zip(&o.0).map(|(a, b)| a & !b).collect())
    }
    pub fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &w)| {
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
    pub fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    pub fn get(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }
    pub fn count(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

/// Network under construction: nodes, predicate-labelled edges, and the query
/// predicates that rules will ask about (they take part in the atom split).
pub struct NetBuilder {
    pub space: Space,
    nodes: u32,
    edges: Vec<(NodeId, NodeId, Bdd)>,
    queries: Vec<Bdd>,
}

impl Default for NetBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl NetBuilder {
    pub fn new() -> Self {
        NetBuilder {
            space: Space::new(),
            nodes: 0,
            edges: vec![],
            queries: vec![],
        }
    }
    pub fn add_node(&mut self) -> NodeId {
        self.nodes += 1;
        self.nodes - 1
    }
    pub fn add_edge(&mut self, from: NodeId, to: NodeId, pred: Bdd) -> EdgeId {
        self.edges.push((from, to, pred));
        (self.edges.len() - 1) as EdgeId
    }
    pub fn add_query(&mut self, pred: Bdd) -> QueryId {
        self.queries.push(pred);
        (self.queries.len() - 1) as QueryId
    }
    pub fn node_count(&self) -> usize {
        self.nodes as usize
    }

    pub fn compile(self) -> Engine {
        let NetBuilder {
            mut space,
            nodes,
            edges,
            queries,
        } = self;
        let mut preds: Vec<Bdd> = edges
            .iter()
            .map(|e| e.2)
            .chain(queries.iter().copied())
            .collect();
        preds.sort_unstable();
        preds.dedup();
        let atoms = compute_atoms(&mut space, &preds);
        let points: Vec<Vec<bool>> = atoms
            .iter()
            .map(|&a| space.m.sat_one(a).expect("atoms are non-empty"))
            .collect();
        let words = atoms.len().div_ceil(64).max(1);
        let mut memo: HashMap<Bdd, Bits> = HashMap::new();
        let mut bits_of = |p: Bdd, space: &Space| -> Bits {
            memo.entry(p)
                .or_insert_with(|| {
                    let mut b = Bits::empty(words);
                    for (i, pt) in points.iter().enumerate() {
                        if space.m.eval(p, |v| pt[v as usize]) {
                            b.set(i);
                        }
                    }
                    b
                })
                .clone()
        };
        let edge_bits: Vec<Bits> = edges.iter().map(|e| bits_of(e.2, &space)).collect();
        let query_bits: Vec<Bits> = queries.iter().map(|q| bits_of(*q, &space)).collect();
        // CSR adjacency by source node.
        let mut out_start = vec![0u32; nodes as usize + 1];
        for e in &edges {
            out_start[e.0 as usize + 1] += 1;
        }
        for i in 0..nodes as usize {
            out_start[i + 1] += out_start[i];
        }
        let mut fill = out_start.clone();
        let mut out_edges = vec![0u32; edges.len()];
        for (i, e) in edges.iter().enumerate() {
            out_edges[fill[e.0 as usize] as usize] = i as u32;
            fill[e.0 as usize] += 1;
        }
        Engine {
            space,
            atoms,
            words,
            edges: edges.iter().map(|e| (e.0, e.1)).collect(),
            edge_pred: edges.iter().map(|e| e.2).collect(),
            edge_bits,
            query_bits,
            out_start,
            out_edges,
            nodes,
        }
    }
}

/// Split header space into atoms: the coarsest partition refining every predicate.
fn compute_atoms(space: &mut Space, preds: &[Bdd]) -> Vec<Bdd> {
    let mut atoms = vec![TRUE];
    for &p in preds {
        if p == TRUE || p == FALSE {
            continue;
        }
        let mut next = Vec::with_capacity(atoms.len() + 1);
        for &a in &atoms {
            let x = space.m.and(a, p);
            if x == FALSE || x == a {
                next.push(a);
            } else {
                next.push(x);
                next.push(space.m.diff(a, p));
            }
        }
        atoms = next;
    }
    atoms
}

/// The compiled network.
pub struct Engine {
    pub space: Space,
    pub atoms: Vec<Bdd>,
    pub words: usize,
    pub edges: Vec<(NodeId, NodeId)>,
    pub edge_pred: Vec<Bdd>,
    pub edge_bits: Vec<Bits>,
    pub query_bits: Vec<Bits>,
    out_start: Vec<u32>,
    out_edges: Vec<u32>,
    nodes: u32,
}

impl Engine {
    pub fn node_count(&self) -> usize {
        self.nodes as usize
    }
    pub fn full(&self) -> Bits {
        let mut b = Bits::empty(self.words);
        for i in 0..self.atoms.len() {
            b.set(i);
        }
        b
    }
    pub fn query(&self, q: QueryId) -> &Bits {
        &self.query_bits[q as usize]
    }
    pub fn out_edges(&self, n: NodeId) -> &[u32] {
        &self.out_edges
            [self.out_start[n as usize] as usize..self.out_start[n as usize + 1] as usize]
    }

    /// Everything that reaches each node from `sources` (node, injected set).
    /// `on_edge(edge, input)` is called for every edge evaluated with a non-empty input,
    /// so callers can notice edges whose semantics are uncertain.
    #[allow(clippy::needless_range_loop)] // three parallel word arrays
    pub fn reach(
        &self,
        sources: &[(NodeId, Bits)],
        mut on_edge: impl FnMut(EdgeId, &Bits),
    ) -> Vec<Bits> {
        let n = self.nodes as usize;
        let mut reach = vec![Bits::empty(self.words); n];
        let mut delta = vec![Bits::empty(self.words); n];
        let mut queued = vec![false; n];
        let mut q = VecDeque::new();
        for (s, b) in sources {
            let s = *s as usize;
            let new = b.minus(&reach[s]);
            if !new.is_empty() {
                reach[s].or_assign(&new);
                delta[s].or_assign(&new);
                if !queued[s] {
                    queued[s] = true;
                    q.push_back(s);
                }
            }
        }
        while let Some(u) = q.pop_front() {
            queued[u] = false;
            let d = std::mem::replace(&mut delta[u], Bits::empty(self.words));
            for &e in self.out_edges(u as NodeId) {
                on_edge(e, &d);
                let (_, to) = self.edges[e as usize];
                let to = to as usize;
                let mut changed = false;
                let eb = &self.edge_bits[e as usize].0;
                for w in 0..self.words {
                    let x = d.0[w] & eb[w] & !reach[to].0[w];
                    if x != 0 {
                        reach[to].0[w] |= x;
                        delta[to].0[w] |= x;
                        changed = true;
                    }
                }
                if changed && !queued[to] {
                    queued[to] = true;
                    q.push_back(to);
                }
            }
        }
        reach
    }

    /// A shortest edge path carrying `atom` from one of `sources` to `target`.
    pub fn path(
        &self,
        sources: &[NodeId],
        atom: usize,
        target: NodeId,
    ) -> Option<(NodeId, Vec<EdgeId>)> {
        let n = self.nodes as usize;
        let mut parent: Vec<Option<EdgeId>> = vec![None; n];
        let mut seen = vec![false; n];
        let mut q = VecDeque::new();
        for &s in sources {
            if !seen[s as usize] {
                seen[s as usize] = true;
                q.push_back(s);
            }
        }
        while let Some(u) = q.pop_front() {
            if u == target {
                let mut path = vec![];
                let mut cur = u;
                while let Some(e) = parent[cur as usize] {
                    path.push(e);
                    cur = self.edges[e as usize].0;
                }
                path.reverse();
                return Some((cur, path));
            }
            for &e in self.out_edges(u) {
                if !self.edge_bits[e as usize].get(atom) {
                    continue;
                }
                let to = self.edges[e as usize].1;
                if !seen[to as usize] {
                    seen[to as usize] = true;
                    parent[to as usize] = Some(e);
                    q.push_back(to);
                }
            }
        }
        None
    }

    /// The atom holding a concrete packet.
    pub fn atom_of(&self, p: &Packet) -> usize {
        self.atoms
            .iter()
            .position(|&a| self.space.contains(a, p))
            .expect("atoms partition the header space")
    }

    /// The BDD of a set of atoms.
    pub fn to_bdd(&mut self, b: &Bits) -> Bdd {
        let atoms: Vec<Bdd> = b.ones().map(|i| self.atoms[i]).collect();
        self.space.or_all(atoms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hs::Field;

    #[test]
    fn atoms_partition_and_reach() {
        let mut nb = NetBuilder::new();
        let a = nb.add_node();
        let b = nb.add_node();
        let c = nb.add_node();
        let p1 = nb.space.range(Field::DstPort, 0, 100);
        let p2 = nb.space.range(Field::DstPort, 50, 200);
        nb.add_edge(a, b, p1);
        nb.add_edge(b, c, p2);
        let q = nb.add_query(TRUE);
        let e = nb.compile();
        assert_eq!(e.atoms.len(), 4); // 0-49, 50-100, 101-200, 201-65535
        let full = e.query(q).clone();
        let r = e.reach(&[(a, full)], |_, _| {});
        let mut pkt = Packet::zero();
        for port in [0u16, 49, 50, 100, 101, 200] {
            pkt.dst_port = port;
            let at = e.atom_of(&pkt);
            assert_eq!(
                r[c as usize].get(at),
                (50..=100).contains(&port),
                "port {port}"
            );
        }
        pkt.dst_port = 70;
        let (s, path) = e.path(&[a], e.atom_of(&pkt), c).unwrap();
        assert_eq!((s, path), (a, vec![0, 1]));
    }
}

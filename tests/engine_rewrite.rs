//! Header rewrites (NAT) in the atom engine, checked two independent ways on random
//! networks:
//! - against a symbolic BDD fixpoint (propagate sets with `and` and the rewrite's image):
//!   from a whole atom, the engine's atom sets must equal the BDD sets exactly;
//! - against concrete packets pushed edge by edge (constant rewrites): every packet the
//!   simulation delivers lies in the engine's atom answer and in the symbolic per-packet
//!   answer (`reach_bdd`), and the latter reaches exactly the simulated nodes.

mod common;
use common::Rng;
use sanso::engine::{NetBuilder, Rewrite};
use sanso::hs::{Bdd, Field, Packet, Space, FALSE};
use std::collections::{BTreeSet, VecDeque};

/// Small value domains so random predicates and rewrites interact.
const IPS: [u64; 6] = [
    0x0a00_0001,
    0x0a00_0002,
    0x0a00_0003,
    0x0a00_0100,
    0x0a00_0101,
    0,
];
const PORTS: [u64; 5] = [22, 25, 80, 443, 8080];

#[derive(Clone, Debug)]
enum Rw {
    Const(Field, u64),
    /// Ports only: any value in lo..=hi.
    Range(Field, u64, u64),
}

fn rand_pred(r: &mut Rng, s: &mut Space) -> Bdd {
    let mut b = sanso::hs::TRUE;
    if r.below(2) == 0 {
        let a = IPS[r.below(5) as usize];
        let len = [32u8, 31, 24, 23][r.below(4) as usize];
        let p = s.prefix(Field::DstIp, std::net::Ipv4Addr::from(a as u32), len);
        b = s.and(b, p);
    }
    if r.below(2) == 0 {
        let a = IPS[r.below(5) as usize];
        let p = s.prefix(Field::SrcIp, std::net::Ipv4Addr::from(a as u32), 31);
        b = s.and(b, p);
    }
    if r.below(2) == 0 {
        let lo = PORTS[r.below(5) as usize];
        let hi = lo + r.below(400);
        let p = s.range(Field::DstPort, lo, hi);
        b = s.and(b, p);
    }
    if r.below(4) == 0 {
        b = s.not(b);
    }
    b
}

fn rand_rw(r: &mut Rng, concrete_only: bool) -> Vec<Rw> {
    let mut v = vec![];
    match r.below(if concrete_only { 3 } else { 4 }) {
        0 => v.push(Rw::Const(Field::DstIp, IPS[r.below(5) as usize])),
        1 => v.push(Rw::Const(Field::SrcIp, IPS[r.below(5) as usize])),
        2 => {
            v.push(Rw::Const(Field::DstIp, IPS[r.below(5) as usize]));
            v.push(Rw::Const(Field::DstPort, PORTS[r.below(5) as usize]));
        }
        _ => {
            let lo = PORTS[r.below(5) as usize];
            v.push(Rw::Range(Field::DstPort, lo, lo + 3));
        }
    }
    v
}

fn to_rewrite(s: &mut Space, v: &[Rw]) -> Rewrite {
    Rewrite {
        set: v
            .iter()
            .map(|x| match *x {
                Rw::Const(f, c) => (f, s.eq(f, c)),
                Rw::Range(f, lo, hi) => (f, s.range(f, lo, hi)),
            })
            .collect(),
    }
}

struct Net {
    nodes: u32,
    edges: Vec<(u32, u32, Bdd, Option<Vec<Rw>>)>,
}

fn build(seed: u64, concrete_only: bool) -> (NetBuilder, Net) {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut nb = NetBuilder::new();
    let n = 4 + r.below(5) as u32;
    for _ in 0..n {
        nb.add_node();
    }
    let mut net = Net {
        nodes: n,
        edges: vec![],
    };
    for _ in 0..(n + r.below(2 * n as u64) as u32) {
        let (a, b) = (r.below(n as u64) as u32, r.below(n as u64) as u32);
        let p = rand_pred(&mut r, &mut nb.space);
        let rw = (r.below(3) == 0).then(|| rand_rw(&mut r, concrete_only));
        match &rw {
            Some(v) => {
                let x = to_rewrite(&mut nb.space, v);
                nb.add_rewrite_edge(a, b, p, x);
            }
            None => {
                nb.add_edge(a, b, p);
            }
        }
        net.edges.push((a, b, p, rw));
    }
    (nb, net)
}

#[test]
fn engine_equals_symbolic_fixpoint() {
    let mut checked = 0;
    for seed in 0..120u64 {
        let (nb, net) = build(seed, false);
        let mut e = nb.compile();
        // A second manager would not share node ids: recompute the rewrites in the
        // engine's own space, which the engine no longer mutates.
        let rws: Vec<Option<Rewrite>> = net
            .edges
            .iter()
            .map(|x| x.3.as_ref().map(|v| to_rewrite(&mut e.space, v)))
            .collect();
        for atom in 0..e.atoms.len().min(12) {
            let mut start = sanso::engine::Bits::empty(e.words);
            start.set(atom);
            let reach = e.reach(&[(0, start)], |_, _| {});
            // Symbolic fixpoint.
            let mut sets = vec![FALSE; net.nodes as usize];
            sets[0] = e.atoms[atom];
            let mut q = VecDeque::from([0u32]);
            while let Some(u) = q.pop_front() {
                for (i, &(a, b, p, _)) in net.edges.iter().enumerate() {
                    if a != u {
                        continue;
                    }
                    let mut x = e.space.and(sets[u as usize], p);
                    if let Some(rw) = &rws[i] {
                        x = rw.image(&mut e.space, x);
                    }
                    let nu = e.space.or(sets[b as usize], x);
                    if nu != sets[b as usize] {
                        sets[b as usize] = nu;
                        q.push_back(b);
                    }
                }
            }
            for n in 0..net.nodes as usize {
                let got = e.to_bdd(&reach[n]);
                assert_eq!(got, sets[n], "seed {seed} atom {atom} node {n}");
                if sets[n] != FALSE && n != 0 {
                    checked += 1;
                }
            }
        }
    }
    // Non-vacuity: many non-trivial node sets were compared.
    assert!(checked > 500, "only {checked} non-empty comparisons");
}

#[test]
fn concrete_packets_land_in_engine_answer() {
    let mut delivered = 0;
    for seed in 1000..1100u64 {
        let (nb, net) = build(seed, true);
        let mut e = nb.compile();
        let mut r = Rng(seed * 7 + 3);
        for _ in 0..20 {
            let mut p = Packet::zero();
            p.dst_ip = std::net::Ipv4Addr::from(IPS[r.below(6) as usize] as u32);
            p.src_ip = std::net::Ipv4Addr::from(IPS[r.below(6) as usize] as u32);
            p.dst_port = PORTS[r.below(5) as usize] as u16 + r.below(2) as u16;
            let mut start = sanso::engine::Bits::empty(e.words);
            start.set(e.atom_of(&p));
            let reach = e.reach(&[(0, start)], |_, _| {});
            let one = e.space.packet(&p);
            let sym = e.reach_bdd(&[(0, one)]);
            // Concrete: (node, packet) states.
            let mut seen: BTreeSet<(u32, Vec<u64>)> = BTreeSet::new();
            let key = |p: &Packet| Field::ALL.iter().map(|f| p.get(*f)).collect::<Vec<_>>();
            let mut q = VecDeque::from([(0u32, p.clone())]);
            seen.insert((0, key(&p)));
            let mut nodes_hit: BTreeSet<u32> = BTreeSet::from([0]);
            while let Some((u, pk)) = q.pop_front() {
                nodes_hit.insert(u);
                let at = e.atom_of(&pk);
                assert!(reach[u as usize].get(at), "seed {seed}: {pk:?} at node {u}");
                assert!(
                    e.space.contains(sym[u as usize], &pk),
                    "seed {seed}: {pk:?} at {u}"
                );
                for (a, b, pred, rw) in &net.edges {
                    if *a != u || !e.space.contains(*pred, &pk) {
                        continue;
                    }
                    let mut out = pk.clone();
                    for x in rw.iter().flatten() {
                        if let Rw::Const(f, c) = x {
                            out.set(*f, *c);
                        }
                    }
                    if seen.insert((*b, key(&out))) {
                        if *b != 0 {
                            delivered += 1;
                        }
                        q.push_back((*b, out));
                    }
                }
            }
            // Header-space propagation of the single packet reaches exactly its nodes.
            let engine_nodes: BTreeSet<u32> = (0..net.nodes)
                .filter(|&n| sym[n as usize] != FALSE)
                .collect();
            assert_eq!(engine_nodes, nodes_hit, "seed {seed}: {p:?}");
        }
    }
    assert!(delivered > 300, "only {delivered} concrete deliveries");
}

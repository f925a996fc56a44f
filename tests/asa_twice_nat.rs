//! Cisco ASA twice NAT with `destination static` through the policy lowering, checked
//! against the brute-force simulator: only packets from the rule's real sources have
//! their destination translated (ASA 9.x "Twice NAT"), and a static rule translates the
//! reverse direction too (from the real destination to the mapped source).
//!
//! Expected deliveries are derived by hand from the configuration: the mapped
//! destination 10.3.0.77 lies in dmz's connected subnet, the real destination
//! 198.51.100.7 only behind outside's default route, so where a packet leaves shows
//! whether its destination was translated.

use sanso::hs::Packet;
use sanso::model::*;
use sanso::net::Graph;
use sanso_testkit::sim::Sim;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

const CFG: &str = "\
ASA Version 9.8(4)
!
hostname fw1
!
interface GigabitEthernet0/0
 nameif inside
 ip address 10.1.0.1 255.255.0.0
!
interface GigabitEthernet0/1
 nameif outside
 security-level 0
 ip address 203.0.113.2 255.255.255.0
!
interface GigabitEthernet0/2
 nameif dmz
 security-level 50
 ip address 10.3.0.1 255.255.255.0
!
object network lan-a
 host 10.1.0.5
object network lan-a-pub
 host 203.0.113.50
object network srv-mapped
 host 10.3.0.77
object network srv-real
 host 198.51.100.7
!
access-list OUT_IN extended permit ip host 198.51.100.7 host 10.1.0.5
access-group OUT_IN in interface outside
route outside 0.0.0.0 0.0.0.0 203.0.113.1
nat (inside,outside) source static lan-a lan-a-pub destination static srv-mapped srv-real
";

fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn snapshot(text: &str) -> Snapshot {
    let d = sanso::ingest::cisco_asa::parse("configs/fw1.cfg", text).expect("parse");
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    Snapshot {
        root: "/nonexistent".into(),
        name: "asa-twice-nat".into(),
        model: "alpha".into(),
        zones: vec![],
        hosts: vec![],
        tokutei: vec![],
        mugaika: vec![],
        links: vec![],
        devices: vec![d],
        file_errors: vec![],
        lgwan_allowed: None,
        inputs: vec![],
        sources: Default::default(),
        state: Default::default(),
        observed_links: vec![],
        split: None,
    }
}

fn tcp(src: &str, dst: &str) -> Packet {
    let mut p = Packet::zero();
    p.src_ip = a(src);
    p.dst_ip = a(dst);
    p.proto = 6;
    p.src_port = 40000;
    p.dst_port = 443;
    p
}

/// Where `p`, sent into the firewall's interface `from`, leaves it (interface names),
/// by the engine; the simulator must say the same.
fn leaves(g: &mut Graph, sim: &Sim, from: &str, p: &Packet) -> BTreeSet<String> {
    let si = g
        .points
        .iter()
        .position(|x| x.interface == from)
        .unwrap_or_else(|| panic!("no point at {from}"));
    let by_engine = g.deliveries(si, p);
    assert_eq!(
        by_engine,
        sim.run(g, si, p),
        "engine vs simulator for {p:?}"
    );
    by_engine
        .into_iter()
        .filter(|&k| k != si)
        .map(|k| g.points[k].interface.clone())
        .collect()
}

const INSIDE: &str = "GigabitEthernet0/0";
const OUTSIDE: &str = "GigabitEthernet0/1";
const DMZ: &str = "GigabitEthernet0/2";

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn destination_is_translated_for_the_real_source_only() {
    let snap = snapshot(CFG);
    let mut g = Graph::build(&snap);
    let sim = Sim::new(&snap, &g);
    // lan-a to the mapped destination: translated to 198.51.100.7, out of outside.
    assert_eq!(
        leaves(&mut g, &sim, INSIDE, &tcp("10.1.0.5", "10.3.0.77")),
        set(&[OUTSIDE])
    );
    // Another inside host to the same address: untranslated, to the dmz host itself.
    assert_eq!(
        leaves(&mut g, &sim, INSIDE, &tcp("10.1.0.6", "10.3.0.77")),
        set(&[DMZ])
    );
    // The same packet from dmz: the rule's real interface is inside; dmz (50) reaches
    // only outside (0), so 10.3.0.77 (dmz's own subnet, no intra-interface) is dropped.
    assert_eq!(
        leaves(&mut g, &sim, DMZ, &tcp("10.1.0.5", "10.3.0.77")),
        set(&[])
    );
}

#[test]
fn static_rule_translates_the_reverse_direction_from_the_real_destination() {
    let snap = snapshot(CFG);
    let mut g = Graph::build(&snap);
    let sim = Sim::new(&snap, &g);
    // srv-real to lan-a's mapped address: the destination becomes 10.1.0.5 (the ACL
    // names real addresses and admits it), out of inside.
    assert_eq!(
        leaves(&mut g, &sim, OUTSIDE, &tcp("198.51.100.7", "203.0.113.50")),
        set(&[INSIDE])
    );
    // Another outside source to the mapped address: untranslated; 203.0.113.50 is on
    // outside's own subnet and outside reaches nothing by default: dropped.
    assert_eq!(
        leaves(&mut g, &sim, OUTSIDE, &tcp("198.51.100.8", "203.0.113.50")),
        set(&[])
    );
}

/// The translated packets' policies: the source NAT of each direction rides on a copy
/// of the admitting policy that names the destination NAT and matches no untranslated
/// packet; without a policy admitting them the translation still takes place (a deny
/// names it), so an ACL naming the mapped destination does not admit them.
#[test]
fn translated_packets_carry_the_source_translation() {
    let d = snapshot(CFG).devices.remove(0);
    assert_eq!(d.dnats.len(), 2);
    let (f, r) = (&d.dnats[0], &d.dnats[1]);
    assert_eq!(
        (f.ext, f.mapped),
        ((a("10.3.0.77"), a("10.3.0.77")), a("198.51.100.7"))
    );
    assert_eq!(f.in_intf, [INSIDE]);
    assert_eq!(f.src, Some(AddrSet::one(IpMatch::host(a("10.1.0.5")))));
    assert_eq!(
        (r.ext, r.mapped),
        ((a("203.0.113.50"), a("203.0.113.50")), a("10.1.0.5"))
    );
    assert_eq!(r.in_intf, [OUTSIDE]);
    assert_eq!(r.src, Some(AddrSet::one(IpMatch::host(a("198.51.100.7")))));
    let named = |vi: usize| -> Vec<&Policy> {
        d.policies.iter().filter(|p| p.dnat.contains(&vi)).collect()
    };
    let pool = |s: &str| Some(PolicySnat::Pool(vec![(a(s), a(s))]));
    let fwd = named(0);
    assert_eq!(fwd.len(), 1);
    assert_eq!(fwd[0].snat, pool("203.0.113.50"));
    assert_eq!(fwd[0].dst_intf, [OUTSIDE]);
    assert!(fwd[0].m.dst.items.is_empty());
    let rev = named(1);
    assert_eq!(rev.len(), 1);
    assert_eq!(rev[0].snat, pool("10.3.0.77"));
    assert_eq!(rev[0].dst_intf, [INSIDE]);

    // An inside ACL naming the mapped (not the real) destination: ASA translates first,
    // so the ACL sees 198.51.100.7, which it does not permit: dropped, not delivered
    // untranslated to the dmz host.
    let cfg = CFG.replace(
        "access-group OUT_IN in interface outside\n",
        "access-group OUT_IN in interface outside\n\
         access-list IN_OUT extended permit ip 10.1.0.0 255.255.0.0 host 10.3.0.77\n\
         access-group IN_OUT in interface inside\n",
    );
    assert_ne!(cfg, CFG);
    let snap = snapshot(&cfg);
    let mut g = Graph::build(&snap);
    let sim = Sim::new(&snap, &g);
    assert_eq!(
        leaves(&mut g, &sim, INSIDE, &tcp("10.1.0.5", "10.3.0.77")),
        set(&[])
    );
    // Other inside sources are not translated: the ACL admits them to the dmz host.
    assert_eq!(
        leaves(&mut g, &sim, INSIDE, &tcp("10.1.0.6", "10.3.0.77")),
        set(&[DMZ])
    );
}

/// A block static source (four addresses onto four) with the same destination: each
/// real address keeps its own mapped address; the reverse direction reaches the real
/// address at the same offset.
#[test]
fn block_source_translates_address_by_address() {
    let cfg = CFG
        .replace(
            "object network lan-a\n host 10.1.0.5\nobject network lan-a-pub\n host 203.0.113.50\n",
            "object network lan-a\n subnet 10.1.0.4 255.255.255.252\n\
             object network lan-a-pub\n range 203.0.113.64 203.0.113.67\n",
        )
        .replace(
            "permit ip host 198.51.100.7 host 10.1.0.5",
            "permit ip host 198.51.100.7 10.1.0.4 255.255.255.252",
        );
    assert_ne!(cfg, CFG);
    let snap = snapshot(&cfg);
    let d = &snap.devices[0];
    // One forward destination NAT and one reverse per source address.
    assert_eq!(d.dnats.len(), 5);
    let rev: Vec<(Ipv4Addr, Ipv4Addr)> = d.dnats[1..].iter().map(|v| (v.ext.0, v.mapped)).collect();
    let want: Vec<(Ipv4Addr, Ipv4Addr)> = (0..4u8)
        .map(|k| {
            (
                Ipv4Addr::new(203, 0, 113, 64 + k),
                Ipv4Addr::new(10, 1, 0, 4 + k),
            )
        })
        .collect();
    assert_eq!(rev, want);
    let mut g = Graph::build(&snap);
    let sim = Sim::new(&snap, &g);
    assert_eq!(
        leaves(&mut g, &sim, INSIDE, &tcp("10.1.0.6", "10.3.0.77")),
        set(&[OUTSIDE])
    );
    assert_eq!(
        leaves(&mut g, &sim, INSIDE, &tcp("10.1.0.8", "10.3.0.77")),
        set(&[DMZ])
    );
    assert_eq!(
        leaves(&mut g, &sim, OUTSIDE, &tcp("198.51.100.7", "203.0.113.66")),
        set(&[INSIDE])
    );
    assert_eq!(
        leaves(&mut g, &sim, OUTSIDE, &tcp("198.51.100.9", "203.0.113.66")),
        set(&[])
    );
}

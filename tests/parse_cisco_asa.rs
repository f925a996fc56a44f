//! Tests for the Cisco ASA parser: dialect detection, the shared corpus
//! (../shared/corpus/cisco-asa: no panic, every line accounted for, coverage), and
//! focused constructs whose expected values are derived by hand from the config text.

use sanso::ingest::cisco_asa::{parse, parse_with_stats, DIALECT};
use sanso::model::*;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

const F: &str = "site/fw1.cfg";

fn dev(text: &str) -> Device {
    parse(F, text).expect("parse")
}

fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn unrec_lines(d: &Device) -> BTreeSet<u32> {
    d.unrecognized.iter().map(|u| u.line).collect()
}

/// Every line is understood or unrecognized, never both, never neither.
fn check_accounting(file: &str, text: &str) -> (Device, u32) {
    let (d, understood) = parse_with_stats(file, text).expect("parse");
    let un = unrec_lines(&d);
    assert_eq!(understood as usize + un.len(), d.lines as usize, "{file}");
    assert_eq!(d.lines as usize, text.lines().count());
    (d, understood)
}

fn corpus(dialect: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(dialect);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "required corpus directory {} is missing ({e})",
                dir.display()
            )
        })
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn read(p: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(p).unwrap()).to_string()
}

// ---------------------------------------------------------------------------- corpus

#[test]
fn corpus_coverage() {
    let paths = corpus("cisco-asa");
    assert_eq!(paths.len(), 53, "the ASA corpus has 53 files");
    let (mut lines, mut understood, mut irrelevant) = (0u64, 0u64, 0u64);
    let mut left: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in &paths {
        let text = read(p);
        let name = format!("cisco-asa/{}", p.file_name().unwrap().to_string_lossy());
        let (d, u) = check_accounting(&name, &text);
        assert_eq!(d.dialect, DIALECT);
        lines += u64::from(d.lines);
        understood += u64::from(u);
        irrelevant += d.irrelevant.values().map(|n| u64::from(*n)).sum::<u64>();
        let mut seen = BTreeSet::new();
        for x in &d.unrecognized {
            assert!(!x.reason.is_empty(), "{name}:{} has no reason", x.line);
            if seen.insert(x.line) {
                left.entry(format!("{:?}: {}", x.scope, x.reason))
                    .or_default()
                    .push(format!("{name}:{} {}", x.line, x.text));
            }
        }
        println!(
            "{name:<60} {u:>4}/{:<4} understood, {} ifaces, {} acls, {} policies, {} dnats, {} routes",
            d.lines,
            d.interfaces.len(),
            d.acls.len(),
            d.policies.len(),
            d.dnats.len(),
            d.routes.len()
        );
    }
    let pct = 100.0 * understood as f64 / lines as f64;
    println!(
        "cisco-asa corpus: {understood}/{lines} lines modelled or recognised ({pct:.1}%): \
         {} modelled, {irrelevant} irrelevant, {} unrecognised",
        understood - irrelevant,
        lines - understood
    );
    let mut groups: Vec<_> = left.into_iter().collect();
    groups.sort_by_key(|(r, v)| (std::cmp::Reverse(v.len()), r.clone()));
    println!("unrecognised, by scope and reason:");
    for (r, v) in &groups {
        println!("  {:>4}  {r}", v.len());
        for l in v.iter().take(3) {
            println!("          {l}");
        }
    }
    assert_eq!(lines, 1488);
    // 1355 of 1488 when written; 1407 (94.6 %) once `router bgp|eigrp` were read as
    // routing facts (BGP lines beside a neighbour part of its fact), OSPF processes
    // without `network` as running on no interface, and DHCP clients as interfaces with
    // an unknown address; 1412 (94.9 %) with an OSPF speaker's stanza lines covered by its
    // reported `router ospf` line, crypto map entries bound to no interface as idle, and
    // static NAT of equal-size blocks (≤ 256 addresses) as per-address rewrites; 1415
    // (95.1 %) with twice NAT with `destination static`: asa-nat-twice-dynamic:22 and
    // asa-nat-twice-static:36 and :44, each wholly claimed by earlier rules (ASA's first
    // match; :22 by :21's `source dynamic` of a superset, :36 by :41's `any any` static
    // from inside and :37's static to 2.2.2.2 from outside, :44 by :43 on both sides), so
    // in effect nothing (asa-nat-twice-dynamic:20 now fails on its nameifs instead). What
    // is left (listed above) changes forwarding and is not modelled, or is deliberately
    // invalid in Batfish's tests (ASA rejects it): NAT and ACLs naming undefined objects /
    // interfaces (`inside` without a nameif), routes to undefined nameifs, the unknown
    // `object-group group` kind, `destination static interface`, static NAT between
    // groups, `aggregate-address A/len` (ASA writes `A MASK`), the `router ospf` line, a
    // tracked route whose `track` object is not defined.
    assert!(understood >= 1415, "coverage fell to {pct:.1}%");
}

/// Every corpus file that says `ASA Version` is detected as ASA; the two Batfish OSPF
/// tests without it (interfaces with `ip ospf` lines only, valid IOS too) are not; no
/// file of another dialect's corpus is.
#[test]
fn detection() {
    for p in corpus("cisco-asa") {
        let text = read(&p);
        let d = sanso::ingest::detect(&text).map(|d| d.id());
        if text.contains("ASA Version") {
            assert_eq!(d, Some("cisco-asa"), "{}", p.display());
        } else {
            assert!(p.to_string_lossy().contains("ospf-"), "{}", p.display());
            assert_ne!(d, Some("cisco-asa"), "{}", p.display());
        }
    }
    for other in [
        "cisco-ios",
        "allied-awplus",
        "fortios",
        "nftables",
        "iptables",
        "junos",
        "panos",
        "arista-eos",
        "yamaha-rtx",
    ] {
        for p in corpus(other) {
            let d = sanso::ingest::detect(&read(&p));
            assert_ne!(
                d.map(|d| d.id()),
                Some("cisco-asa"),
                "{} ({other})",
                p.display()
            );
        }
    }
    let ios = "!\nversion 15.2\nhostname r1\n!\ninterface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n!\nend\n";
    assert_eq!(
        sanso::ingest::detect(ios).map(|d| d.id()),
        Some("cisco-ios")
    );
    assert_eq!(
        sanso::ingest::by_id("asa").map(|d| d.id()),
        Some("cisco-asa")
    );
}

// ---------------------------------------------------------------------------- constructs

const BASE: &str = "\
ASA Version 9.8(4)
!
hostname fw1
names
name 10.9.9.9 jumphost
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
interface Management0/0
 nameif management
 security-level 100
 management-only
 ip address 192.168.1.1 255.255.255.0
!
";

fn pol<'a>(d: &'a Device, src: &str) -> Vec<&'a Policy> {
    d.policies.iter().filter(|p| p.src_intf == [src]).collect()
}

/// No ACL anywhere: each interface reaches the lower levels (inside 100 by default, dmz
/// 50, outside 0); management-only forwards nothing.
#[test]
fn security_level_default() {
    let d = dev(BASE);
    assert!(d.policy_based && d.stateful);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let inside = pol(&d, "GigabitEthernet0/0");
    assert_eq!(inside.len(), 1);
    assert_eq!(
        inside[0].dst_intf,
        ["GigabitEthernet0/1", "GigabitEthernet0/2"]
    );
    assert_eq!(inside[0].m, Match::any());
    let dmz = pol(&d, "GigabitEthernet0/2");
    assert_eq!(dmz[0].dst_intf, ["GigabitEthernet0/1"]);
    assert!(
        pol(&d, "GigabitEthernet0/1").is_empty(),
        "outside is the lowest"
    );
    assert!(pol(&d, "Management0/0").is_empty());
    assert!(d
        .policies
        .iter()
        .all(|p| !p.dst_intf.contains(&"Management0/0".to_string())));
}

/// `same-security-traffic permit inter-interface` opens equal levels; intra-interface
/// opens hairpin.
#[test]
fn same_security() {
    let text = BASE.replace("security-level 50", "security-level 0")
        + "same-security-traffic permit inter-interface\nsame-security-traffic permit intra-interface\n";
    let d = dev(&text);
    let out = pol(&d, "GigabitEthernet0/1");
    assert_eq!(out.len(), 1);
    // outside (0) → dmz (0) and itself; not inside (100).
    assert_eq!(
        out[0].dst_intf,
        ["GigabitEthernet0/1", "GigabitEthernet0/2"]
    );
}

/// Inbound ACL then global ACL, in order, to every other interface; the interface
/// without its own ACL still gets the global one (its security-level default is gone).
#[test]
fn acls_objects_and_global() {
    let text = BASE.to_string()
        + "\
object network web
 host 10.3.0.10
object-group network admins
 network-object host 10.1.5.5
 network-object 10.1.6.0 255.255.255.0
 group-object nested
object-group network nested
 network-object object web
object-group service webports tcp
 port-object eq www
 port-object range 8080 8081
object-group protocol tu
 protocol-object tcp
 protocol-object udp
object-group icmp-type pings
 icmp-object echo
 icmp-object echo-reply
object service ssh
 service tcp destination eq ssh
access-list OUT_IN extended permit tcp any object web object-group webports log
access-list OUT_IN remark comment
access-list OUT_IN extended deny ip any any
access-list OUT_IN extended permit object ssh host jumphost any4 inactive
access-list IN_IN extended permit object-group tu object-group admins any eq domain
access-list IN_IN extended permit icmp any any object-group pings
access-list IN_IN extended permit ip any6 any6
access-list G extended permit udp 10.0.0.0 255.0.0.0 any range 5000 5001
access-group OUT_IN in interface outside
access-group IN_IN in interface inside
access-group G global
";
    let d = dev(&text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let out = pol(&d, "GigabitEthernet0/1");
    // OUT_IN: 2 active entries (the inactive one and the remark make none), then G.
    assert_eq!(out.len(), 3);
    assert_eq!(
        out[0].dst_intf,
        ["GigabitEthernet0/0", "GigabitEthernet0/2"]
    );
    assert_eq!(out[0].m.dst, AddrSet::one(IpMatch::host(a("10.3.0.10"))));
    assert_eq!(
        out[0].m.services,
        vec![Service::tcp_dport(80, 80), Service::tcp_dport(8080, 8081)]
    );
    assert_eq!((out[1].action, &out[1].m), (Action::Deny, &Match::any()));
    assert_eq!(out[2].m.services, vec![Service::udp_dport(5000, 5001)]);
    assert_eq!(
        out[2].m.src,
        AddrSet::one(IpMatch::prefix(a("10.0.0.0"), 8))
    );
    let ins = pol(&d, "GigabitEthernet0/0");
    // IN_IN: 2 IPv4 entries (the any6 one matches no IPv4 packet), then G.
    assert_eq!(ins.len(), 3);
    assert_eq!(
        ins[0].m.src.items,
        vec![
            IpMatch::host(a("10.1.5.5")),
            IpMatch::prefix(a("10.1.6.0"), 24),
            IpMatch::host(a("10.3.0.10"))
        ]
    );
    assert_eq!(
        ins[0].m.services,
        vec![Service::tcp_dport(53, 53), Service::udp_dport(53, 53)]
    );
    let icmp: Vec<Option<u8>> = ins[1].m.services.iter().map(|s| s.icmp_type).collect();
    assert_eq!(icmp, [Some(8), Some(0)]);
    // dmz has no ACL of its own: only the global one.
    let dmz = pol(&d, "GigabitEthernet0/2");
    assert_eq!(dmz.len(), 1);
    assert_eq!(dmz[0].id, "G#1");
    // An inbound binding lives in the policies only: on a policy-based device `acl_in` is
    // a stateless filter before NAT (Junos), which an ASA inbound ACL is not.
    assert!(iface(&d, "GigabitEthernet0/1").acl_in.is_none());
}

fn iface<'a>(d: &'a Device, n: &str) -> &'a Interface {
    d.interface(n).unwrap()
}

/// Undefined objects and ACLs are reported, never read as any or none.
#[test]
fn undefined_references_are_unrecognized() {
    let text = BASE.to_string()
        + "\
access-list A extended permit tcp any object nothere eq 22
access-list A extended permit tcp any any time-range work
access-group A in interface outside
access-group B in interface dmz
access-group A in interface nosuch
route nosuch 0.0.0.0 0.0.0.0 1.2.3.4
";
    let d = dev(&text);
    let by: std::collections::BTreeMap<u32, &Scope> =
        d.unrecognized.iter().map(|u| (u.line, &u.scope)).collect();
    let first = BASE.lines().count() as u32 + 1;
    assert_eq!(by.get(&first), Some(&&Scope::Acl("A".into())));
    assert_eq!(by.get(&(first + 1)), Some(&&Scope::Acl("A".into())));
    assert_eq!(
        by.get(&(first + 3)),
        Some(&&Scope::Interface("GigabitEthernet0/2".into()))
    );
    assert_eq!(by.get(&(first + 4)), Some(&&Scope::Policy));
    assert_eq!(by.get(&(first + 5)), Some(&&Scope::Routing));
    // outside has ACL A with no readable entry: it forwards nothing.
    assert!(pol(&d, "GigabitEthernet0/1").is_empty());
}

/// `route IF NET MASK GW [metric]` exits by the nameif's interface.
#[test]
fn routes() {
    let d = dev(&(BASE.to_string() + "route outside 0.0.0.0 0.0.0.0 203.0.113.1 1\nroute dmz 172.16.0.0 255.240.0.0 10.3.0.254\n"));
    assert_eq!(d.routes.len(), 2);
    assert_eq!(d.routes[0].interface.as_deref(), Some("GigabitEthernet0/1"));
    assert_eq!((d.routes[0].prefix, d.routes[0].len), (a("0.0.0.0"), 0));
    assert_eq!(d.routes[1].next_hop, Some(a("10.3.0.254")));
    assert_eq!((d.routes[1].prefix, d.routes[1].len), (a("172.16.0.0"), 12));
}

/// Object static NAT of one host: a destination NAT on the mapped interface (ACLs name
/// the real address) and the source NAT of the host's flows out of it; dynamic PAT to
/// the interface for a subnet.
#[test]
fn nat() {
    let text = BASE.to_string()
        + "\
object network web
 host 10.3.0.10
 nat (dmz,outside) static 203.0.113.10
object network lan
 subnet 10.1.0.0 255.255.0.0
 nat (inside,outside) dynamic interface
access-list OUT_IN extended permit tcp any host 10.3.0.10 eq https
access-group OUT_IN in interface outside
";
    let d = dev(&text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(d.dnats.len(), 1);
    let v = &d.dnats[0];
    assert_eq!(
        (v.ext, v.mapped),
        ((a("203.0.113.10"), a("203.0.113.10")), a("10.3.0.10"))
    );
    assert_eq!(v.in_intf, ["GigabitEthernet0/1"]);
    // The outside ACL entry names the real address: it admits the translated packets.
    let out = pol(&d, "GigabitEthernet0/1");
    assert_eq!(out[0].dnat, [0]);
    // dmz → outside: the web host's flows leave as 203.0.113.10, before the default.
    let dmz = pol(&d, "GigabitEthernet0/2");
    assert_eq!(dmz.len(), 2);
    assert_eq!(
        dmz[0].snat,
        Some(PolicySnat::Pool(vec![(
            a("203.0.113.10"),
            a("203.0.113.10")
        )]))
    );
    assert_eq!(dmz[0].m.src, AddrSet::one(IpMatch::host(a("10.3.0.10"))));
    assert_eq!(dmz[0].dst_intf, ["GigabitEthernet0/1"]);
    assert_eq!(dmz[1].snat, None);
    // inside → outside: the LAN is translated to the interface address.
    let ins = pol(&d, "GigabitEthernet0/0");
    assert_eq!(ins[0].snat, Some(PolicySnat::Egress));
    assert_eq!(
        ins[0].m.src,
        AddrSet::one(IpMatch::prefix(a("10.1.0.0"), 16))
    );
    assert_eq!(ins[0].dst_intf, ["GigabitEthernet0/1"]);
    // Twice NAT with a destination translation is reported.
    let d =
        dev(&(text + "nat (inside,outside) source static lan lan destination static web web\n"));
    assert_eq!(d.unrecognized.len(), 1);
    assert_eq!(d.unrecognized[0].scope, Scope::Policy);
}

/// `router bgp` / `router eigrp` are routing facts as on IOS: a BGP neighbour makes the
/// process state-dependent (a taint at load), so its other lines are part of that fact;
/// without a neighbour an aggregate (which may install a discard route) stays reported
/// while `network` (only advertised) does not.
#[test]
fn bgp_and_eigrp_are_routing_facts() {
    let first = BASE.lines().count() as u32 + 1;
    let d = dev(&(BASE.to_string()
        + "router bgp 65000
 bgp router-id 1.1.1.1
 address-family ipv4 unicast
  neighbor 10.1.0.9 remote-as 65001
  neighbor 10.1.0.9 activate
  aggregate-address 10.0.0.0 255.0.0.0
 exit-address-family
!
router eigrp 5
 network 10.1.0.0 255.255.0.0
 passive-interface inside
"));
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let b = &d.routing.protocols[0];
    assert_eq!(b.kind, ProtocolKind::Bgp { asn: 65000 });
    let n = &b.neighbors[0];
    assert_eq!(
        (n.peer.as_str(), n.remote_as, n.span.line),
        ("10.1.0.9", Some(65001), first + 3)
    );
    let e = &d.routing.protocols[1];
    assert!(e.networks[0].contains(a("10.1.2.3")) && !e.networks[0].contains(a("10.2.0.1")));
    let lone = dev(&(BASE.to_string()
        + "router bgp 65000
 address-family ipv4 unicast
  network 10.1.0.0 mask 255.255.0.0
  aggregate-address 10.0.0.0 255.0.0.0
 exit-address-family
"));
    assert_eq!(unrec_lines(&lone), BTreeSet::from([first + 3]));
    assert_eq!(lone.unrecognized[0].scope, Scope::Routing);
    // Nothing feeds the BGP table (no neighbour, network or redistribute): the aggregate
    // has no contributor. OSPF without `network` runs on no interface; with one its
    // `router ospf` line is reported and covers the stanza's other lines.
    let empty = dev(&(BASE.to_string()
        + "router bgp 65000
 address-family ipv4 unicast
  aggregate-address 10.0.0.0 255.0.0.0
 exit-address-family
router ospf 1
 router-id 1.1.1.1
router ospf 2
 network 10.1.0.0 255.255.0.0 area 0
"));
    assert_eq!(unrec_lines(&empty), BTreeSet::from([first + 6]));
    assert_eq!(empty.unrecognized[0].scope, Scope::Routing);
}

/// An OSPF speaker's `router ospf` line keeps tainting the device's routing (so its
/// `network` / area lines, which act only through it, are covered); a crypto map acts
/// only once bound by `crypto map NAME interface IF`, which keeps tainting the device,
/// and a map bound nowhere encrypts nothing. Marking the enabling line irrelevant, or
/// leaving the covered lines unread, fails here.
#[test]
fn enabling_lines_keep_tainting() {
    let first = BASE.lines().count() as u32 + 1;
    let d = dev(&(BASE.to_string()
        + "router ospf 2
 network 10.1.0.0 255.255.0.0 area 0
 area 0 authentication message-digest
crypto map VPN 10 match address acl_in
crypto map VPN 10 set peer 192.0.2.1
crypto map VPN interface outside
crypto map SPARE 10 set peer 192.0.2.9
crypto dynamic-map DYN 10 set ikev1 transform-set TS
"));
    assert_eq!(
        unrec_lines(&d),
        BTreeSet::from([first, first + 5]),
        "{:?}",
        d.unrecognized
    );
    let scope = |l: u32| {
        d.unrecognized
            .iter()
            .find(|u| u.line == l)
            .unwrap()
            .scope
            .clone()
    };
    assert_eq!(scope(first), Scope::Routing);
    assert_eq!(scope(first + 5), Scope::Device);
    let irr = |p: &str| -> u32 {
        d.irrelevant
            .iter()
            .filter(|(r, _)| r.starts_with(p))
            .map(|(_, n)| *n)
            .sum()
    };
    assert_eq!(irr("OSPF setting of a process"), 2);
    // The two VPN entries and the dynamic map (a binding exists) are covered; SPARE is idle.
    assert_eq!(irr("crypto map entry of a map bound to an interface"), 3);
    assert_eq!(irr("crypto map entry of a map bound to no interface"), 1);
    // Without any binding every entry is idle and nothing is left to taint.
    let idle = dev(&(BASE.to_string()
        + "crypto map VPN 10 match address acl_in
crypto dynamic-map DYN 10 set ikev1 transform-set TS
"));
    assert!(idle.unrecognized.is_empty(), "{:?}", idle.unrecognized);
}

/// Static NAT of a block onto a block of the same size maps address by address (ASA:
/// an inline mapped address takes the real object's netmask): each pair is a destination
/// NAT on the mapped interface and a source NAT of that host's flows leaving by it.
/// Blocks of different sizes stay reported.
#[test]
fn static_nat_of_a_subnet() {
    let first = BASE.lines().count() as u32 + 1;
    let d = dev(&(BASE.to_string()
        + "object network dmz8
 subnet 10.3.0.8 255.255.255.248
 nat (dmz,outside) static 203.0.113.16
object network pub4
 range 198.51.100.4 198.51.100.7
object network lan4
 subnet 10.1.9.0 255.255.255.252
object network pub8
 subnet 198.51.100.8 255.255.255.248
nat (inside,outside) source static lan4 pub4
nat (inside,outside) source static lan4 pub8
"));
    assert_eq!(
        unrec_lines(&d),
        BTreeSet::from([first + 10]),
        "{:?}",
        d.unrecognized
    );
    let pairs: Vec<_> = d
        .dnats
        .iter()
        .map(|v| (v.ext.0, v.ext.1, v.mapped))
        .collect();
    let mut want = vec![];
    // Twice NAT first (ASA order), then object NAT.
    for k in 0..4u8 {
        let m = a(&format!("198.51.100.{}", 4 + k));
        want.push((m, m, a(&format!("10.1.9.{k}"))));
    }
    for k in 0..8u8 {
        let m = a(&format!("203.0.113.{}", 16 + k));
        want.push((m, m, a(&format!("10.3.0.{}", 8 + k))));
    }
    assert_eq!(pairs, want);
    assert!(d.dnats.iter().all(|v| v.in_intf == ["GigabitEthernet0/1"]));
    // dmz → outside: 10.3.0.13 leaves as 203.0.113.21 (offset 5), before the default.
    let dmz = pol(&d, "GigabitEthernet0/2");
    let p13 = dmz
        .iter()
        .find(|p| p.m.src == AddrSet::one(IpMatch::host(a("10.3.0.13"))))
        .expect("a source NAT policy for 10.3.0.13");
    assert_eq!(
        p13.snat,
        Some(PolicySnat::Pool(vec![(
            a("203.0.113.21"),
            a("203.0.113.21")
        )]))
    );
    assert_eq!(p13.dst_intf, ["GigabitEthernet0/1"]);
}

/// `ip address dhcp [setroute]`: an interface whose address is unknown, tainted when the
/// snapshot is loaded (tests/parse_junos.rs shows the taint); PPPoE stays unrecognised.
#[test]
fn dhcp_client_interface() {
    let first = BASE.lines().count() as u32 + 1;
    let d = dev(&(BASE.to_string()
        + "interface GigabitEthernet0/3
 nameif wan
 security-level 0
 ip address dhcp setroute
interface GigabitEthernet0/4
 nameif dsl
 ip address pppoe
"));
    assert_eq!(unrec_lines(&d), BTreeSet::from([first + 6]));
    let i = iface(&d, "GigabitEthernet0/3");
    assert!(i.addresses.is_empty());
    assert_eq!(i.dynamic_address.as_ref().map(|s| s.line), Some(first + 3));
}

/// Twice NAT with `destination static` (ASA "Twice NAT"): the destination translation is
/// a destination NAT conditioned on the real sources, whose translated packets only
/// copies of the admitting policies (carrying the source NAT, out of the mapped
/// interface) name; a dynamic rule has no reverse direction; an identity destination is
/// only a condition on the source NAT; ASA's first match decides against earlier rules.
#[test]
fn twice_nat_with_destination() {
    let objs = BASE.to_string()
        + "\
object network lan
 subnet 10.1.0.0 255.255.0.0
object network pub
 range 203.0.113.100 203.0.113.110
object network m-dst
 host 10.3.0.77
object network r-dst
 host 198.51.100.7
";
    let lan = AddrSet::one(IpMatch::prefix(a("10.1.0.0"), 16));
    // Dynamic, alone: one destination NAT from inside, for the LAN only.
    let d = dev(&(objs.clone()
        + "nat (inside,outside) source dynamic lan pub destination static m-dst r-dst\n"));
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(d.dnats.len(), 1);
    let v = &d.dnats[0];
    assert_eq!(
        (v.ext.0, v.ext.1, v.mapped),
        (a("10.3.0.77"), a("10.3.0.77"), a("198.51.100.7"))
    );
    assert_eq!(
        (v.in_intf.as_slice(), v.src.as_ref()),
        (&["GigabitEthernet0/0".to_string()][..], Some(&lan))
    );
    let named: Vec<&Policy> = d.policies.iter().filter(|p| p.dnat == [0]).collect();
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].src_intf, ["GigabitEthernet0/0"]);
    assert_eq!(named[0].dst_intf, ["GigabitEthernet0/1"]);
    assert_eq!(named[0].m.src, lan);
    assert_eq!(
        named[0].snat,
        Some(PolicySnat::Pool(vec![(
            a("203.0.113.100"),
            a("203.0.113.110")
        )]))
    );

    // Identity destination: no destination NAT; the source NAT applies to flows to it.
    let d = dev(&(objs.clone()
        + "nat (inside,outside) source dynamic lan interface destination static r-dst r-dst\n"));
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert!(d.dnats.is_empty());
    let ins = pol(&d, "GigabitEthernet0/0");
    assert_eq!(ins[0].snat, Some(PolicySnat::Egress));
    assert_eq!(ins[0].m.dst, AddrSet::one(IpMatch::host(a("198.51.100.7"))));
    assert_eq!(ins[0].m.src, lan);
    assert_eq!(ins[1].snat, None);

    // An earlier rule towards `any` of a superset claims every packet: no effect.
    let d = dev(&(objs.clone()
        + "nat (inside,any) source dynamic any pub\n\
           nat (inside,outside) source dynamic lan pub destination static m-dst r-dst\n"));
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert!(d.dnats.is_empty());
    // An earlier rule towards outside claims them only when routed there: reported.
    let first = objs.lines().count() as u32 + 1;
    let d = dev(&(objs.clone()
        + "nat (inside,outside) source dynamic any interface\n\
           nat (inside,outside) source dynamic lan pub destination static m-dst r-dst\n"));
    assert_eq!(
        unrec_lines(&d),
        BTreeSet::from([first + 1]),
        "{:?}",
        d.unrecognized
    );
    assert!(d.dnats.is_empty());
    // `destination static interface` and identity sources stay reported.
    let d = dev(&(objs.clone()
        + "nat (inside,outside) source dynamic lan interface destination static interface r-dst\n\
           nat (inside,outside) source static lan lan destination static m-dst r-dst\n"));
    assert_eq!(unrec_lines(&d), BTreeSet::from([first, first + 1]));
}

/// `unidirectional`: a static translates only flows from its real side (ASA: the mapped
/// side cannot initiate), so there is no destination NAT.
#[test]
fn unidirectional_static_has_no_destination_nat() {
    let text = BASE.to_string()
        + "\
object network web
 host 10.3.0.10
 nat (dmz,outside) static 203.0.113.10 unidirectional
";
    let d = dev(&text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert!(d.dnats.is_empty());
    let dmz = pol(&d, "GigabitEthernet0/2");
    assert_eq!(
        dmz[0].snat,
        Some(PolicySnat::Pool(vec![(
            a("203.0.113.10"),
            a("203.0.113.10")
        )]))
    );
    let d = dev(&text.replace(" unidirectional", ""));
    assert_eq!(d.dnats.len(), 1);
}

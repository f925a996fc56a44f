//! Tests for the Allied Telesis AlliedWare Plus parser: focused constructs with
//! hand-derived expectations, dialect detection, and the shared corpus
//! (../shared/corpus/allied-awplus: no panic, every line accounted for, coverage).

use sanso::ingest::awplus::{parse, parse_with_stats};
use sanso::model::*;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

const F: &str = "site/acc1.cfg";

fn dev(text: &str) -> Device {
    parse(F, text).expect("parse")
}

fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn iface<'a>(d: &'a Device, name: &str) -> &'a Interface {
    d.interface(name).unwrap_or_else(|| {
        panic!(
            "no interface {name}: {:?}",
            d.interfaces.iter().map(|i| &i.name).collect::<Vec<_>>()
        )
    })
}

fn unrec_lines(d: &Device) -> BTreeSet<u32> {
    d.unrecognized.iter().map(|u| u.line).collect()
}

/// Every line is understood or unrecognized, never both, never neither.
fn check_accounting(file: &str, text: &str) -> (Device, u32) {
    let (d, understood) = parse_with_stats(file, text).expect("parse");
    let un = unrec_lines(&d);
    assert_eq!(
        understood as usize + un.len(),
        d.lines as usize,
        "{file}: understood {understood} + unrecognized {} != {} lines",
        un.len(),
        d.lines
    );
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

/// Issue 15: every corpus line modelled, recognised as irrelevant, or listed as
/// unrecognised with a reason; the share of the first two classes printed and asserted.
#[test]
fn corpus_coverage() {
    let paths = corpus("allied-awplus");
    assert_eq!(paths.len(), 9, "the AW+ corpus has 9 files");
    let (mut lines, mut understood, mut irrelevant) = (0u64, 0u64, 0u64);
    let mut left: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in &paths {
        let text = read(p);
        let name = format!("allied-awplus/{}", p.file_name().unwrap().to_string_lossy());
        let (d, u) = check_accounting(&name, &text);
        assert_eq!(d.dialect, sanso::ingest::awplus::DIALECT);
        for x in &d.unrecognized {
            assert!(!x.reason.is_empty(), "{name}:{} has no reason", x.line);
        }
        lines += u64::from(d.lines);
        understood += u64::from(u);
        irrelevant += d.irrelevant.values().map(|n| u64::from(*n)).sum::<u64>();
        let mut seen = BTreeSet::new();
        for x in &d.unrecognized {
            if seen.insert(x.line) {
                left.entry(format!("{:?}: {}", x.scope, x.reason))
                    .or_default()
                    .push(format!("{name}:{} {}", x.line, x.text));
            }
        }
        println!(
            "{name:<45} {u:>4}/{:<4} lines understood, {} ifaces, {} acls, {} routes, {} vlans",
            d.lines,
            d.interfaces.len(),
            d.acls.len(),
            d.routes.len(),
            d.vlans.len()
        );
    }
    let pct = 100.0 * understood as f64 / lines as f64;
    println!(
        "allied-awplus corpus: {understood}/{lines} lines modelled or recognised ({pct:.1}%): \
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
    // Issue 15 asks for 95 %; measured 365/398 = 91.7 % (LACP members and BGP VRF /
    // prefix-form lines now modelled), then 390/398 = 98.0 % once NAT rules, MLAG domain
    // settings, OpenFlow agent settings and VXLAN overlay settings were read as covered by
    // their enabling lines (src/ingest/awplus/covered.rs). IPv6 (out of scope,
    // docs/semantics.md) and DHCP relay (a service of the switch) are counted. What is
    // left (listed above) changes forwarding and is not modelled: the NAT `enable` lines
    // (2), MLAG peer link and member ports (3), an OpenFlow port (1), VLAN-to-VNI maps (2).
    assert!(understood >= 390, "coverage fell to {pct:.1}%");
}

/// The corpus files are detected as AW+, except the one holding only a `router bgp`
/// stanza (no line of it is AW+-only: `network A.B.C.D/len` is EOS, ASA and IOS-XR syntax
/// too); no file of another dialect's corpus is detected as AW+.
#[test]
fn detection() {
    for p in corpus("allied-awplus") {
        let d = sanso::ingest::detect(&read(&p));
        if p.ends_with("awp_bgp_config.cfg") {
            assert_ne!(d.map(|d| d.id()), Some("allied-awplus"));
            continue;
        }
        assert_eq!(
            d.map(|d| d.id()),
            Some("allied-awplus"),
            "{} not detected as AW+",
            p.display()
        );
    }
    for other in [
        "cisco-ios",
        "fortios",
        "nftables",
        "iptables",
        "cisco-asa",
        "junos",
        "panos",
        "arista-eos",
        "yamaha-rtx",
    ] {
        for p in corpus(other) {
            let d = sanso::ingest::detect(&read(&p));
            assert_ne!(
                d.map(|d| d.id()),
                Some("allied-awplus"),
                "{} ({other}) detected as AW+",
                p.display()
            );
        }
    }
    // IOS switch configs stay IOS.
    let ios =
        "!\nhostname sw1\n!\ninterface GigabitEthernet1/0/1\n switchport mode access\n!\nend\n";
    assert_eq!(
        sanso::ingest::detect(ios).map(|d| d.id()),
        Some("cisco-ios")
    );
}

#[test]
fn registry_ids_and_aliases() {
    assert_eq!(dev("hostname x\n").dialect.id(), "allied-awplus");
    assert!(sanso::ingest::ids().contains(&"allied-awplus"));
    for alias in ["allied-awplus", "awplus", "alliedware"] {
        assert_eq!(
            sanso::ingest::by_id(alias).map(|d| d.id()),
            Some("allied-awplus"),
            "{alias}"
        );
    }
}

// ---------------------------------------------------------------------------- constructs

#[test]
fn ports_ranges_vlans_and_svis() {
    let text = "\
!
hostname acc1
!
vlan database
 vlan 10 name USERS
 vlan 20-21
 vlan 30 state enable
!
interface port1.0.1
 switchport
 switchport mode access
 switchport access vlan 10
!
interface port1.0.2-1.0.4,port1.0.6
 switchport
 switchport mode access
 switchport access vlan 20
!
interface port1.0.5
 shutdown
!
interface port1.0.24
 switchport
 switchport mode trunk
 switchport trunk allowed vlan add 10,20
 switchport trunk native vlan none
!
interface port1.0.23
 switchport mode trunk
 switchport trunk allowed vlan add 10
 switchport trunk allowed vlan add 30
 switchport trunk native vlan 20
!
interface port1.0.22
 switchport mode trunk
!
interface vlan10
 ip address 192.168.10.1/24
!
interface vlan20
 ip address 192.168.20.1/25
 shutdown
!
end
";
    let (d, _) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(d.name, "acc1");
    assert_eq!(
        d.vlans.keys().copied().collect::<Vec<_>>(),
        vec![10, 20, 21, 30]
    );
    assert_eq!(iface(&d, "port1.0.1").mode, IfMode::Access { vlan: 10 });
    for p in ["port1.0.2", "port1.0.3", "port1.0.4", "port1.0.6"] {
        assert_eq!(iface(&d, p).mode, IfMode::Access { vlan: 20 }, "{p}");
    }
    // A port with no switchport lines is an access port of VLAN 1.
    assert_eq!(iface(&d, "port1.0.5").mode, IfMode::Access { vlan: 1 });
    assert!(iface(&d, "port1.0.5").shutdown);
    // Tagged 10 and 20, no untagged VLAN.
    match &iface(&d, "port1.0.24").mode {
        IfMode::Trunk { allowed, native } => {
            assert!(allowed.contains(10) && allowed.contains(20));
            assert!(!allowed.contains(1) && !allowed.contains(30));
            assert!(!allowed.contains(*native), "native none: no untagged VLAN");
        }
        m => panic!("{m:?}"),
    }
    // Tagged 10 and 30, untagged 20.
    match &iface(&d, "port1.0.23").mode {
        IfMode::Trunk { allowed, native } => {
            assert_eq!(*native, 20);
            assert!(allowed.contains(10) && allowed.contains(20) && allowed.contains(30));
            assert!(!allowed.contains(1));
        }
        m => panic!("{m:?}"),
    }
    // A bare AW+ trunk carries only its native VLAN 1 (untagged), nothing tagged.
    match &iface(&d, "port1.0.22").mode {
        IfMode::Trunk { allowed, native } => {
            assert_eq!(*native, 1);
            assert!(allowed.contains(1) && !allowed.contains(10));
        }
        m => panic!("{m:?}"),
    }
    let v10 = iface(&d, "vlan10");
    assert_eq!(v10.mode, IfMode::Svi { vlan: 10 });
    assert_eq!(v10.addresses, vec![(a("192.168.10.1"), 24)]);
    assert!(!v10.shutdown);
    assert!(iface(&d, "vlan20").shutdown);
}

#[test]
fn hardware_acls_permit_what_no_entry_matches() {
    let text = "\
access-list 3000 permit ip 192.168.1.0/24 any
access-list 3000 deny ip any any
access-list hardware GUEST
 deny tcp any 10.0.0.0/8 eq 445
 permit icmp any any icmp-type 8
 deny proto 17 any any
!
interface port1.0.1
 access-group 3000
!
interface port1.0.2
 access-group GUEST
!
";
    let (d, _) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let a3000 = &d.acls["3000"];
    assert_eq!(a3000.rules.len(), 3, "two entries and the implicit permit");
    assert_eq!(a3000.rules[0].action, Action::Permit);
    assert_eq!(
        a3000.rules[0].m.src,
        AddrSet::one(IpMatch::Wildcard {
            addr: a("192.168.1.0"),
            wildcard: a("0.0.0.255")
        })
    );
    assert_eq!(a3000.rules[1].action, Action::Deny);
    assert_eq!(a3000.rules[2].action, Action::Permit);
    assert_eq!(a3000.rules[2].m, Match::any());
    let g = &d.acls["GUEST"];
    assert_eq!(g.rules.len(), 4);
    assert_eq!(
        g.rules[0].m.services[0].dport,
        PortRange { lo: 445, hi: 445 }
    );
    assert_eq!(g.rules[1].m.services[0].icmp_type, Some(8));
    assert_eq!(g.rules[2].m.services[0].proto, Some(17));
    assert_eq!(
        (g.rules[3].action, &g.rules[3].m),
        (Action::Permit, &Match::any())
    );
    assert_eq!(g.rules[3].span, Span::new(F, 3));
    assert_eq!(iface(&d, "port1.0.1").acl_in.as_ref().unwrap().name, "3000");
    assert_eq!(
        iface(&d, "port1.0.2").acl_in.as_ref().unwrap().name,
        "GUEST"
    );
}

#[test]
fn software_acls_deny_by_default_and_are_not_port_filters() {
    let text = "\
access-list 10 permit 192.168.1.0/24
access-list extended WEB
 10 permit tcp any host 10.1.1.1 eq 80
!
access-list 4000 permit 0000.00ab.1234 0000.0000.0000 any
interface port1.0.1
 access-group WEB
!
interface vlan10
 access-group 3000
!
";
    let (d, _) = check_accounting(F, text);
    assert_eq!(d.acls["10"].rules.len(), 1, "software: no implicit permit");
    assert_eq!(d.acls["WEB"].rules.len(), 1);
    let by_line = |l: u32| {
        d.unrecognized
            .iter()
            .filter(|u| u.line == l)
            .map(|u| (u.scope.clone(), u.reason.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(by_line(5)[0].0, Scope::Acl("4000".into()));
    assert_eq!(by_line(7)[0].0, Scope::Interface("port1.0.1".into()));
    assert!(by_line(7)[0].1.contains("software ACL"));
    assert_eq!(
        by_line(10)[0].0,
        Scope::Device,
        "VLAN ACLs filter switched traffic"
    );
    assert_eq!(unrec_lines(&d), BTreeSet::from([5, 7, 10]));
}

#[test]
fn port_security_and_port_authentication() {
    let text = "\
interface port1.0.1
 switchport mode access
 switchport port-security
 switchport port-security maximum 1
 switchport port-security violation protect
!
interface port1.0.2
 switchport mode access
 dot1x port-control auto
!
interface port1.0.3
 switchport mode access
 auth-mac enable
!
interface port1.0.4
 switchport mode access
 auth-mac enable
 auth host-mode multi-host
!
interface port1.0.5
 switchport mode access
 dot1x port-control force-unauthorized
!
interface port1.0.6
 switchport mode access
 auth-web enable
 auth guest-vlan 99
!
";
    let (d, _) = check_accounting(F, text);
    let ps = iface(&d, "port1.0.1").port_security.as_ref().unwrap();
    assert!(ps.macs.is_empty(), "dynamic learning: no static MAC known");
    assert_eq!(ps.span, Span::new(F, 3));
    let admit = |p: &str| iface(&d, p).port_auth.as_ref().map(|x| x.admit);
    assert_eq!(admit("port1.0.2"), Some(AuthAdmit::LinkedHosts));
    assert_eq!(admit("port1.0.3"), Some(AuthAdmit::LinkedHosts));
    assert_eq!(admit("port1.0.4"), Some(AuthAdmit::Any));
    assert_eq!(admit("port1.0.5"), Some(AuthAdmit::Nothing));
    assert_eq!(
        iface(&d, "port1.0.2").port_auth.as_ref().unwrap().span,
        Span::new(F, 9)
    );
    // A guest VLAN moves unauthenticated hosts: reported on the port.
    assert_eq!(unrec_lines(&d), BTreeSet::from([27]));
    assert_eq!(
        d.unrecognized[0].scope,
        Scope::Interface("port1.0.6".into())
    );
}

#[test]
fn static_routes_both_forms() {
    let text = "\
interface vlan10
 ip address 10.0.0.2/24
!
ip route 0.0.0.0/0 10.0.0.1
ip route 172.16.0.0 255.255.0.0 10.0.0.254
ip route 192.168.9.0/24 vlan10
ip route 192.168.8.0/24 10.0.0.9 255
ip route 10.9.0.0/16 10.0.0.1 20
";
    let (d, _) = check_accounting(F, text);
    let r: Vec<(Ipv4Addr, u8, Option<Ipv4Addr>, Option<String>)> = d
        .routes
        .iter()
        .map(|r| (r.prefix, r.len, r.next_hop, r.interface.clone()))
        .collect();
    assert_eq!(
        r,
        vec![
            (a("0.0.0.0"), 0, Some(a("10.0.0.1")), None),
            (a("172.16.0.0"), 16, Some(a("10.0.0.254")), None),
            (a("192.168.9.0"), 24, None, Some("vlan10".into())),
            (a("10.9.0.0"), 16, Some(a("10.0.0.1")), None),
        ]
    );
    assert_eq!(
        unrec_lines(&d),
        BTreeSet::from([7]),
        "distance 255 never installs"
    );
}

#[test]
fn management_is_irrelevant_and_forwarding_features_are_scoped() {
    let text = "\
service password-encryption
hostname sw
username manager privilege 15 password 8 $1$bJoVec4D$JwOJGPr7YqoExA0GVasdE0
snmp-server community S3cretComm rw
radius-server host 10.0.0.5 key RadK3y
ntp server 10.0.0.1
clock timezone JST plus 9
lldp run
spanning-tree mode rstp
banner motd Authorised use only
line vty 0 4
 login authentication default
aaa authentication dot1x default group radius
router ospf 1
 network 10.0.0.0/8 area 0
zone LAN
 network internal
  ip subnet 10.0.0.0/8 interface vlan1
nat
 rule 10 masq any from LAN to WAN
openflow controller oc1 tcp 10.1.2.1 6653
";
    let (d, _) = check_accounting(F, text);
    // `router ospf` with an AW+ prefix-form network statement is read as routing facts.
    // The NAT stanza has no `enable` (NAT is off) and no port runs OpenFlow: their lines
    // change nothing (`enabling_lines_keep_tainting` has them with their enabling lines).
    assert_eq!(unrec_lines(&d), BTreeSet::new(), "{:?}", d.unrecognized);
    let ospf = &d.routing.protocols[0];
    assert_eq!(ospf.networks.len(), 1);
    assert_eq!(ospf.networks[0].wildcard, a("0.255.255.255"));
    assert_eq!(ospf.networks[0].area, Some(0));
    let irr = |p: &str| -> u32 {
        d.irrelevant
            .iter()
            .filter(|(r, _)| r.starts_with(p))
            .map(|(_, n)| *n)
            .sum()
    };
    assert_eq!(
        irr("AW+ NAT stanza without `enable`"),
        2,
        "`nat` and its rule"
    );
    assert_eq!(irr("AW+ OpenFlow agent setting with no port"), 1);
    for u in &d.unrecognized {
        assert!(!u.text.contains("S3cretComm") && !u.text.contains("RadK3y"));
    }
}

/// NAT rules, MLAG domain settings, OpenFlow agent settings and VXLAN overlay settings act
/// only through their enabling lines (`enable` in `nat`, `peer-link` and member `mlag N`,
/// a port's `openflow`, `map-access`): those stay unrecognised and taint the device, the
/// settings are recognised as covered by them (src/ingest/awplus/covered.rs). An enabling
/// line read as irrelevant, or a setting that is not a pure setting, fails here.
#[test]
fn enabling_lines_keep_tainting() {
    let text = "\
hostname sw
service mlag
nat
 rule 10 masq any from LAN to WAN
 enable
mlag domain 10
  peer-link port1.0.19
  peer-address 10.0.0.2
  source-address 10.0.0.1
  session-timeout 120
  keepalive-interval 50
openflow controller oc1 tcp 10.1.2.1 6653
openflow native vlan 4090
openflow failmode standalone
openflow hybrid enable
nvo vxlan
 host-reachability-protocol evpn-bgp
 source-interface lo
 map-access vlan 10 vni 2000
interface port1.0.1
 switchport
 openflow
interface port1.0.2
 switchport
 mlag 10
";
    let (d, _) = check_accounting(F, text);
    // Enabling lines (5 `enable`, 7 `peer-link`, 19 `map-access`, 22 port `openflow`,
    // 25 member `mlag 10`) and the unknown `openflow hybrid` stay unrecognised.
    assert_eq!(
        unrec_lines(&d),
        BTreeSet::from([5, 7, 15, 19, 22, 25]),
        "{:?}",
        d.unrecognized
    );
    for u in &d.unrecognized {
        assert_eq!(u.scope, Scope::Device, "{u:?}");
    }
    let irr = |p: &str| -> u32 {
        d.irrelevant
            .iter()
            .filter(|(r, _)| r.starts_with(p))
            .map(|(_, n)| *n)
            .sum()
    };
    assert_eq!(irr("AW+ NAT rule / stanza line"), 2);
    assert_eq!(irr("AW+ MLAG domain setting"), 6);
    assert_eq!(irr("AW+ OpenFlow agent setting: acts only"), 3);
    assert_eq!(irr("AW+ VXLAN overlay setting"), 3);
    // Scope `Device` is what makes checks crossing the switch unproven
    // (tests/taint_relevance.rs). Without the enabling lines the same settings change
    // nothing and leave no taint.
    let bare = "\
hostname sw
service mlag
mlag domain 10
  session-timeout 120
nvo vxlan
 source-interface lo
nat
 rule 10 masq any from LAN to WAN
";
    let (b, _) = check_accounting(F, bare);
    assert_eq!(unrec_lines(&b), BTreeSet::new(), "{:?}", b.unrecognized);
    let birr = |p: &str| -> u32 {
        b.irrelevant
            .iter()
            .filter(|(r, _)| r.starts_with(p))
            .map(|(_, n)| *n)
            .sum()
    };
    assert_eq!(birr("AW+ MLAG setting with no"), 3);
    assert_eq!(birr("AW+ VXLAN overlay with no"), 2);
    assert_eq!(birr("AW+ NAT stanza without"), 2);
}

/// IPv6 is out of scope and DHCP relay is a service of the switch: both counted as
/// recognised for AW+, with their reasons (IOS recognises IPv6 alike and lists the relay).
#[test]
fn ipv6_and_dhcp_relay_are_recognised() {
    let text = "\
interface vlan10
 ip address 10.1.0.1/24
 ip helper-address 10.9.0.5
 ipv6 enable
 ipv6 address 2001:db8::1/64
ipv6 route ::/0 2001:db8::fe
";
    let (d, _) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(d.irrelevant[sanso::ingest::IPV6_OUT_OF_SCOPE], 3);
    assert_eq!(
        d.irrelevant
            .iter()
            .filter(|(r, _)| r.starts_with("DHCP relay"))
            .map(|(_, n)| *n)
            .sum::<u32>(),
        1
    );
    let ios = sanso::ingest::cisco_ios::parse(
        "configs/r.conf",
        "interface Vlan10\n ip helper-address 10.9.0.5\n ipv6 enable\n",
    )
    .unwrap();
    assert_eq!(
        ios.unrecognized.iter().map(|u| u.line).collect::<Vec<_>>(),
        [2]
    );
    assert_eq!(ios.irrelevant[sanso::ingest::IPV6_OUT_OF_SCOPE], 1);
}

/// Link aggregation: members carry their aggregator's switchport settings; an
/// aggregator without a stanza is created with its members' settings; members that
/// disagree with their aggregator, or join a routed one, stay unrecognised.
#[test]
fn link_aggregation_members_carry_the_aggregate() {
    let text = "\
interface port1.0.1-1.0.2
 switchport
 switchport mode trunk
 switchport trunk allowed vlan add 10,20
 channel-group 1 mode active
!
interface po1
 switchport
 switchport mode trunk
 switchport trunk allowed vlan add 10,20
 access-group HW
!
interface port1.0.3
 switchport
 switchport mode access
 switchport access vlan 30
 static-channel-group 2
!
interface port1.0.4
 switchport
 switchport mode access
 switchport access vlan 30
 static-channel-group 2
!
interface port1.0.5
 switchport
 switchport mode access
 switchport access vlan 40
 channel-group 3 mode passive
!
interface po3
 switchport
 switchport mode access
 switchport access vlan 50
 shutdown
!
interface port1.0.6
 channel-group 4 mode active
!
interface po4
 ip address 10.0.0.1/30
!
interface port1.0.7
 channel-group 0 mode active
 channel-group 5 mode on
 static-channel-group 6 member-filters
!
interface vlan10
 channel-group 7 mode active
!
access-list hardware HW
 deny ip any any
!
";
    let (d, _) = check_accounting(F, text);
    // Trunk of tagged 10 and 20 (no native line: native VLAN 1 untagged), from po1.
    let trunk = |m: &IfMode| match m {
        IfMode::Trunk { allowed, native } => {
            *native == 1 && allowed.contains(10) && allowed.contains(20) && !allowed.contains(30)
        }
        _ => false,
    };
    for p in ["port1.0.1", "port1.0.2", "po1"] {
        assert!(trunk(&iface(&d, p).mode), "{p}: {:?}", iface(&d, p).mode);
    }
    // po1's port ACL (line 11) filters on its members.
    assert_eq!(
        iface(&d, "port1.0.2")
            .acl_in
            .as_ref()
            .map(|r| (r.name.as_str(), r.span.line)),
        Some(("HW", 11))
    );
    // sa2 has no stanza: created from its members (access VLAN 30) at the first
    // static-channel-group line.
    assert_eq!(iface(&d, "sa2").mode, IfMode::Access { vlan: 30 });
    assert_eq!(iface(&d, "sa2").span, Span::new(F, 17));
    assert_eq!(iface(&d, "port1.0.4").mode, IfMode::Access { vlan: 30 });
    // port1.0.5 says VLAN 40, its aggregator po3 VLAN 50 and shutdown: po3's wins and
    // the disagreement is reported on the channel-group line.
    assert_eq!(iface(&d, "port1.0.5").mode, IfMode::Access { vlan: 50 });
    assert!(iface(&d, "port1.0.5").shutdown);
    let aggs: Vec<(&str, Vec<&str>)> = d
        .aggregates
        .iter()
        .map(|(a, m)| (a.as_str(), m.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        aggs,
        vec![
            ("po1", vec!["port1.0.1", "port1.0.2"]),
            ("po3", vec!["port1.0.5"]),
            ("sa2", vec!["port1.0.3", "port1.0.4"]),
        ],
        "po4 is routed: no aggregate of switch ports"
    );
    let scope_of = |l: u32| {
        d.unrecognized
            .iter()
            .filter(|u| u.line == l)
            .map(|u| u.scope.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(scope_of(29), vec![Scope::Interface("port1.0.5".into())]);
    assert_eq!(scope_of(38), vec![Scope::Interface("port1.0.6".into())]);
    assert!(d
        .unrecognized
        .iter()
        .any(|u| u.line == 38 && u.reason.contains("routed")));
    assert_eq!(unrec_lines(&d), BTreeSet::from([29, 38, 44, 45, 46, 49]));
}

/// BGP with AW+ prefix-form networks and a VRF address family: read as the BGP routing
/// fact (each neighbour, the VRF's too, makes routing state-dependent).
#[test]
fn bgp_prefix_networks_and_vrf_address_family() {
    let text = "\
router bgp 100
 neighbor 1.1.1.1 remote-as 1
 network 10.1.0.0/16
 address-family ipv4 vrf red
  network 2.2.2.2/32 route-map f
  neighbor 6.6.6.6 remote-as 3
 exit-address-family
 network 10.2.0.0/33
 address-family ipv6
";
    let (d, _) = check_accounting(F, text);
    assert_eq!(unrec_lines(&d), BTreeSet::from([8, 9]));
    let bgp = &d.routing.protocols[0];
    let nets: Vec<(Ipv4Addr, Ipv4Addr)> =
        bgp.networks.iter().map(|n| (n.addr, n.wildcard)).collect();
    assert_eq!(
        nets,
        vec![
            (a("10.1.0.0"), a("0.0.255.255")),
            (a("2.2.2.2"), a("0.0.0.0"))
        ]
    );
    let peers: Vec<&str> = bgp.neighbors.iter().map(|n| n.peer.as_str()).collect();
    assert_eq!(peers, vec!["1.1.1.1", "6.6.6.6"]);
}

#[test]
fn malformed_values_never_panic() {
    for text in [
        "interface port1.0.5-1.0.2\n",
        "interface port1.0.1-2.0.4\n",
        "interface vlan5000\n",
        "interface\n",
        "interface port1.0.1\n switchport access vlan 0\n switchport trunk allowed vlan add 9999\n",
        "access-list 3000 permit ip 10.0.0.0/33 any\n",
        "access-list 3000\n permit\n",
        "access-list hardware\n",
        "ip route 10.0.0.0/40 1.1.1.1\n",
        "vlan database\n vlan x\n vlan 10 state disable\n",
        "interface port1.0.1\n access-group\n access-group A B\n",
    ] {
        let (d, _) = check_accounting(F, text);
        assert!(!d.unrecognized.is_empty(), "{text:?}");
    }
}

//! Tests for the Cisco IOS / IOS-XE parser: focused constructs plus the shared corpus.

use sanso::ingest::cisco_ios::{parse, parse_with_stats};
use sanso::model::*;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::Path;

const F: &str = "site/sw1.cfg";

fn dev(text: &str) -> Device {
    parse(F, text).expect("parse")
}

fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn wc(addr: &str, w: &str) -> IpMatch {
    IpMatch::Wildcard {
        addr: a(addr),
        wildcard: a(w),
    }
}

fn iface<'a>(d: &'a Device, name: &str) -> &'a Interface {
    d.interface(name)
        .unwrap_or_else(|| panic!("no interface {name}: {:?}", names(d)))
}

fn names(d: &Device) -> Vec<String> {
    d.interfaces.iter().map(|i| i.name.clone()).collect()
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

fn assert_no_secrets(file: &str, d: &Device) {
    for u in &d.unrecognized {
        let toks: Vec<&str> = u.text.split_whitespace().collect();
        for w in toks.windows(3) {
            let kw = w[0].to_ascii_lowercase();
            if matches!(kw.as_str(), "secret" | "password" | "key" | "key-string")
                && w[1].chars().all(|c| c.is_ascii_digit())
            {
                assert_eq!(
                    w[2], "<redacted>",
                    "{file}:{} leaks a secret: {}",
                    u.line, u.text
                );
            }
        }
        for w in toks.windows(2) {
            let kw = w[0].to_ascii_lowercase();
            if matches!(
                kw.as_str(),
                "secret" | "password" | "community" | "pre-shared-key" | "md5"
            ) {
                // `pre-shared-key address A key <redacted>`: the address stays readable and
                // the `key` window checks the value.
                let peer = kw == "pre-shared-key" && matches!(w[1], "address" | "hostname");
                // Route-map `set community 3:1` / `match community LIST` are BGP, not SNMP.
                let bgp = kw == "community" && matches!(toks[0], "set" | "match");
                assert!(
                    peer || bgp || w[1] == "<redacted>" || w[1].chars().all(|c| c.is_ascii_digit()),
                    "{file}:{} leaks a secret: {}",
                    u.line,
                    u.text
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------- basics

#[test]
fn hostname_and_default_name() {
    let d = dev("hostname core-sw1\n!\nend\n");
    assert_eq!(d.name, "core-sw1");
    assert_eq!(d.file, F);
    assert_eq!(d.dialect, sanso::ingest::cisco_ios::DIALECT);
    assert!(!d.stateful && !d.policy_based);
    assert_eq!(d.lines, 3);
    let d = dev("!\nversion 15.2\n");
    assert_eq!(d.name, "sw1");
}

#[test]
fn empty_file_is_an_error() {
    assert!(parse(F, "").is_err());
    assert!(parse(F, "\n  \n").is_err());
}

#[test]
fn vlans_with_names() {
    let text = "vlan 10\n name USERS\n!\nvlan 20,30-32\n name X\n";
    let (d, _) = check_accounting(F, text);
    let ids: Vec<u16> = d.vlans.keys().copied().collect();
    assert_eq!(ids, vec![10, 20, 30, 31, 32]);
    assert_eq!(d.vlans[&10], Span::new(F, 1));
    assert_eq!(d.vlans[&31], Span::new(F, 4));
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
}

#[test]
fn bad_vlan_is_unrecognized_not_error() {
    let (d, _) = check_accounting(F, "vlan 5000\n name BIG\nvlan 10\n");
    assert_eq!(d.vlans.keys().copied().collect::<Vec<_>>(), vec![10]);
    assert_eq!(unrec_lines(&d), BTreeSet::from([1, 2]));
    assert!(d.unrecognized[0].reason.contains("VLAN"));
}

// ---------------------------------------------------------------------------- interfaces

#[test]
fn interface_name_canonicalisation() {
    use sanso::ingest::cisco_ios::canon_if;
    for (i, o) in [
        ("Gi1/0/1", "GigabitEthernet1/0/1"),
        ("gigabitethernet0/0", "GigabitEthernet0/0"),
        ("Te1/1/1", "TenGigabitEthernet1/1/1"),
        ("Fa0/1", "FastEthernet0/1"),
        ("vlan110", "Vlan110"),
        ("Po1", "Port-channel1"),
        ("port-channel1.10", "Port-channel1.10"),
        ("Lo0", "Loopback0"),
        ("Et0/0", "Ethernet0/0"),
        ("ethernet 1/11", "Ethernet1/11"),
        ("Null0", "Null0"),
        ("tunnel0", "Tunnel0"),
        ("Crypto-Engine1/2/3", "Crypto-Engine1/2/3"),
    ] {
        assert_eq!(canon_if(i), o, "{i}");
    }
}

#[test]
fn access_and_trunk_ports() {
    let text = "\
vlan 10
!
interface Gi1/0/1
 description users
 switchport mode access
 switchport access vlan 10
 spanning-tree portfast
!
interface GigabitEthernet1/0/2
 switchport mode trunk
 switchport trunk allowed vlan 10,20-22
 switchport trunk allowed vlan add 30
 switchport trunk allowed vlan remove 21
 switchport trunk native vlan 99
!
interface Gi1/0/3
 switchport mode trunk
!
interface Gi1/0/4
!
interface Gi1/0/5
 no switchport
 ip address 10.0.0.1 255.255.255.252
!
interface Vlan110
 ip address 192.168.110.1 255.255.255.0
 ip address 192.168.111.1 255.255.255.0 secondary
 no shutdown
!
interface Gi1/0/6
 switchport trunk allowed vlan except 2-4094
 switchport mode trunk
";
    let (d, _) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let p1 = iface(&d, "GigabitEthernet1/0/1");
    assert_eq!(p1.mode, IfMode::Access { vlan: 10 });
    assert_eq!(p1.span, Span::new(F, 3));
    assert_eq!(p1.lines.len(), 5);
    let p2 = iface(&d, "GigabitEthernet1/0/2");
    assert_eq!(
        p2.mode,
        IfMode::Trunk {
            allowed: VlanSet {
                ranges: vec![(10, 10), (20, 20), (22, 22), (30, 30)]
            },
            native: 99
        }
    );
    assert_eq!(
        iface(&d, "GigabitEthernet1/0/3").mode,
        IfMode::Trunk {
            allowed: VlanSet::all(),
            native: 1
        }
    );
    // A switch port without switchport lines on a switch: access VLAN 1.
    assert_eq!(
        iface(&d, "GigabitEthernet1/0/4").mode,
        IfMode::Access { vlan: 1 }
    );
    let p5 = iface(&d, "GigabitEthernet1/0/5");
    assert_eq!(p5.mode, IfMode::Routed);
    assert_eq!(p5.addresses, vec![(a("10.0.0.1"), 30)]);
    let svi = iface(&d, "Vlan110");
    assert_eq!(svi.mode, IfMode::Svi { vlan: 110 });
    assert_eq!(
        svi.addresses,
        vec![(a("192.168.110.1"), 24), (a("192.168.111.1"), 24)]
    );
    assert!(!svi.shutdown);
    assert_eq!(
        iface(&d, "GigabitEthernet1/0/6").mode,
        IfMode::Trunk {
            allowed: VlanSet {
                ranges: vec![(1, 1)]
            },
            native: 1
        }
    );
}

#[test]
fn router_physical_ports_are_routed() {
    let text = "\
interface GigabitEthernet0/0
 ip address 10.1.1.1 255.255.255.0
 shutdown
interface GigabitEthernet0/1
 no ip address
interface GigabitEthernet0/0.10
 encapsulation dot1Q 10
 ip address 10.10.0.1 255.255.255.0
interface GigabitEthernet0/0.20
 encapsulation dot1Q 20 native
interface Loopback0
 ip address 1.1.1.1 255.255.255.255
";
    let (d, _) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let g0 = iface(&d, "GigabitEthernet0/0");
    assert_eq!(g0.mode, IfMode::Routed);
    assert!(g0.shutdown);
    assert_eq!(iface(&d, "GigabitEthernet0/1").mode, IfMode::Routed);
    assert!(iface(&d, "GigabitEthernet0/1").addresses.is_empty());
    let sub = iface(&d, "GigabitEthernet0/0.10");
    assert_eq!(sub.mode, IfMode::Routed);
    assert_eq!(sub.parent, Some(("GigabitEthernet0/0".into(), 10)));
    assert_eq!(
        iface(&d, "GigabitEthernet0/0.20").parent,
        Some(("GigabitEthernet0/0".into(), 20))
    );
    assert_eq!(iface(&d, "Loopback0").mode, IfMode::Routed);
}

#[test]
fn primary_address_is_replaced_and_cleared() {
    let text = "\
interface Gi0/0
 ip address 10.0.0.1 255.255.255.0
 ip address 10.0.1.1 255.255.255.0 secondary
 ip address 10.0.2.1 255.255.255.0
interface Gi0/1
 ip address 10.9.0.1 255.255.255.0
 no ip address
";
    let d = dev(text);
    assert_eq!(
        iface(&d, "GigabitEthernet0/0").addresses,
        vec![(a("10.0.2.1"), 24), (a("10.0.1.1"), 24)]
    );
    assert!(iface(&d, "GigabitEthernet0/1").addresses.is_empty());
}

#[test]
fn interface_range_expansion() {
    let text = "\
interface range Gi1/0/1 - 4, Gi1/0/10
 switchport mode access
 switchport access vlan 20
 channel-group 1 mode active
!
interface range Fa0/1-2
 shutdown
";
    let (d, _) = check_accounting(F, text);
    assert_eq!(
        names(&d),
        vec![
            "GigabitEthernet1/0/1",
            "GigabitEthernet1/0/2",
            "GigabitEthernet1/0/3",
            "GigabitEthernet1/0/4",
            "GigabitEthernet1/0/10",
            "FastEthernet0/1",
            "FastEthernet0/2",
            // IOS creates the port-channel of a `channel-group` without a stanza.
            "Port-channel1"
        ]
    );
    for n in names(&d).iter().take(5) {
        let i = iface(&d, n);
        assert_eq!(i.mode, IfMode::Access { vlan: 20 });
        assert_eq!(i.span, Span::new(F, 1));
    }
    assert!(iface(&d, "FastEthernet0/2").shutdown);
    // The five members form Port-channel1, which takes their (common) settings.
    assert!(d.unrecognized.iter().all(|u| u.line != 4));
    assert_eq!(d.aggregates["Port-channel1"], names(&d)[..5].to_vec());
    assert_eq!(iface(&d, "Port-channel1").mode, IfMode::Access { vlan: 20 });
}

/// EtherChannel (issue 12: a core-to-access uplink is a port-channel on most real
/// switches): every bundling mode makes the port a member that forwards with its
/// port-channel's switchport settings; other forms stay unrecognised.
#[test]
fn etherchannel_members_take_their_port_channel_settings() {
    let text = "\
interface Port-channel2
 switchport trunk allowed vlan 10,20
 switchport mode trunk
 ip access-group EDGE in
!
interface GigabitEthernet1/0/1
 switchport trunk allowed vlan 10,20
 switchport mode trunk
 channel-protocol lacp
 channel-group 2 mode active
!
interface GigabitEthernet1/0/2
 switchport trunk allowed vlan 10,20
 switchport mode trunk
 channel-group 2 mode desirable non-silent
!
interface GigabitEthernet1/0/3
 switchport mode access
 switchport access vlan 30
 channel-group 2 mode on
!
interface GigabitEthernet1/0/4
 channel-group 3
!
interface GigabitEthernet1/0/5
 channel-group 4 mode sometimes
!
interface Vlan10
 channel-group 5 mode active
!
ip access-list extended EDGE
 permit ip any any
";
    let (d, _) = check_accounting(F, text);
    let line =
        |needle: &str| -> u32 { text.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1 };
    let unrec = unrec_lines(&d);
    // Bundled with the same settings: modelled, and the port ACL comes from Po2.
    for m in ["GigabitEthernet1/0/1", "GigabitEthernet1/0/2"] {
        let i = iface(&d, m);
        assert!(matches!(i.mode, IfMode::Trunk { .. }), "{m}: {:?}", i.mode);
        assert_eq!(i.acl_in.as_ref().map(|a| a.name.as_str()), Some("EDGE"));
    }
    assert!(!unrec.contains(&line("channel-group 2 mode active")));
    assert!(!unrec.contains(&line("mode desirable non-silent")));
    assert!(!unrec.contains(&line("channel-protocol lacp")));
    // A member whose VLANs differ from its port-channel's: which applies is not modelled.
    assert!(unrec.contains(&line("channel-group 2 mode on")));
    // No mode (platform-dependent), an unknown mode, a logical interface: unrecognised.
    assert!(unrec.contains(&line("channel-group 3")));
    assert!(unrec.contains(&line("mode sometimes")));
    assert!(unrec.contains(&line("channel-group 5 mode active")));
    assert_eq!(
        d.aggregates["Port-channel2"],
        vec![
            "GigabitEthernet1/0/1".to_string(),
            "GigabitEthernet1/0/2".to_string(),
            "GigabitEthernet1/0/3".to_string()
        ]
    );
    assert!(!d.aggregates.contains_key("Port-channel3"));
}

/// A routed port-channel forwards by its members as one L3 interface: members that are
/// routed ports without an address or ACL of their own are modelled; a member that is a
/// switch port or has its own address stays unrecognised (IOS suspends it).
#[test]
fn routed_port_channel_members_forward_as_it() {
    let text = "\
interface Port-channel7
 no switchport
 ip address 10.0.0.1 255.255.255.252
!
interface GigabitEthernet0/1
 no switchport
 channel-group 7 mode active
!
interface GigabitEthernet0/2
 no switchport
 ip address 10.9.9.1 255.255.255.0
 channel-group 7 mode active
!
interface GigabitEthernet0/3
 switchport mode access
 channel-group 7 mode active
";
    let (d, _) = check_accounting(F, text);
    let unrec = unrec_lines(&d);
    assert!(!unrec.contains(&7), "{unrec:?}");
    assert!(unrec.contains(&12));
    assert!(unrec.contains(&16));
    assert_eq!(
        d.aggregates["Port-channel7"],
        vec![
            "GigabitEthernet0/1".to_string(),
            "GigabitEthernet0/2".to_string(),
            "GigabitEthernet0/3".to_string()
        ]
    );
    assert_eq!(iface(&d, "GigabitEthernet0/1").mode, IfMode::Routed);
}

#[test]
fn acl_binding_and_port_security() {
    let text = "\
interface Gi1/0/1
 switchport mode access
 switchport access vlan 10
 ip access-group USERS_IN in
 ip access-group 101 out
 switchport port-security maximum 2
 switchport port-security
 switchport port-security mac-address 0011.2233.4455
 switchport port-security mac-address sticky 0011.2233.4466
 switchport port-security violation restrict
interface Gi1/0/2
 switchport port-security
interface Gi1/0/3
 switchport port-security mac-address 0011.2233.4455
interface Gi1/0/4
 switchport port-security mac-address aaaa.bbbb.cccc
 switchport port-security
ip access-list extended USERS_IN
 permit ip any any
access-list 101 permit ip any any
";
    let (d, _) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let p = iface(&d, "GigabitEthernet1/0/1");
    assert_eq!(
        p.acl_in,
        Some(AclRef {
            name: "USERS_IN".into(),
            span: Span::new(F, 4)
        })
    );
    assert_eq!(p.acl_out.as_ref().map(|r| r.name.as_str()), Some("101"));
    let ps = p.port_security.as_ref().expect("port security");
    assert_eq!(ps.span, Span::new(F, 6));
    assert_eq!(
        ps.macs,
        vec![
            Mac::new(0x00, 0x11, 0x22, 0x33, 0x44, 0x55),
            Mac::new(0x00, 0x11, 0x22, 0x33, 0x44, 0x66)
        ]
    );
    // Enabled, no MACs: dynamic learning.
    let p2 = iface(&d, "GigabitEthernet1/0/2");
    assert_eq!(p2.port_security.as_ref().map(|p| p.macs.len()), Some(0));
    // MACs configured but port security never enabled: not enforced.
    assert_eq!(iface(&d, "GigabitEthernet1/0/3").port_security, None);
    let p4 = iface(&d, "GigabitEthernet1/0/4");
    let ps4 = p4.port_security.as_ref().unwrap();
    assert_eq!(ps4.span, Span::new(F, 16));
    assert_eq!(ps4.macs, vec![Mac::new(0xaa, 0xaa, 0xbb, 0xbb, 0xcc, 0xcc)]);
}

#[test]
fn unknown_interface_lines_are_scoped() {
    let text = "\
interface Gi0/1
 ip address 10.0.0.1 255.255.255.0
 ip nat enable
 ip ospf authentication message-digest
 ipv6 address 2001:db8::1/64
 speed 1000
 service instance 1 ethernet
  encapsulation default
!
";
    let (d, _) = check_accounting(F, text);
    let by_line = |l: u32| d.unrecognized.iter().find(|u| u.line == l).unwrap();
    assert_eq!(
        by_line(3).scope,
        Scope::Interface("GigabitEthernet0/1".into())
    );
    assert_eq!(by_line(4).scope, Scope::Routing);
    assert_eq!(
        by_line(7).scope,
        Scope::Interface("GigabitEthernet0/1".into())
    );
    // Line 8 configures only the `service instance` of line 7, which stays: covered by it.
    assert_eq!(unrec_lines(&d), BTreeSet::from([3, 4, 7]));
    // IPv6 is outside the IPv4 header space (docs/semantics.md, Scope): recognised.
    assert_eq!(d.irrelevant[sanso::ingest::IPV6_OUT_OF_SCOPE], 1);
}

// ---------------------------------------------------------------------------- ACLs

#[test]
fn numbered_standard_acl() {
    let text = "\
access-list 10 remark mgmt hosts
access-list 10 permit host 10.1.1.1
access-list 10 permit 10.2.0.0 0.0.255.255 log
access-list 10 deny 10.3.3.3
access-list 10 permit any
access-list 1300 deny any
";
    let (d, _) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let acl = &d.acls["10"];
    assert_eq!(acl.span, Span::new(F, 1));
    let srcs: Vec<IpMatch> = acl.rules.iter().map(|r| r.m.src.items[0].clone()).collect();
    assert_eq!(
        srcs,
        vec![
            IpMatch::host(a("10.1.1.1")),
            wc("10.2.0.0", "0.0.255.255"),
            IpMatch::host(a("10.3.3.3")),
            IpMatch::Any
        ]
    );
    assert_eq!(acl.rules[2].action, Action::Deny);
    assert_eq!(acl.rules[2].span, Span::new(F, 4));
    assert_eq!(acl.rules[0].m.dst, AddrSet::any());
    assert!(acl.rules[0].m.services.is_empty());
    assert_eq!(d.acls["1300"].rules.len(), 1);
}

#[test]
fn numbered_extended_acl() {
    let text = "\
access-list 101 permit tcp 10.0.0.0 0.0.0.255 range 1024 2048 host 192.168.1.10 eq www
access-list 101 permit tcp any any neq 23
access-list 101 permit tcp any 10.0.0.0 0.255.0.255 established
access-list 101 deny udp any eq domain any gt 1023 log
access-list 101 permit icmp any any echo-reply
access-list 101 permit icmp any any 3 4
access-list 101 permit tcp any any eq 80 443 8080
access-list 101 permit gre any any
access-list 101 permit ip any any
";
    let (d, _) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let r = &d.acls["101"].rules;
    assert_eq!(r.len(), 9);
    assert_eq!(r[0].m.src, AddrSet::one(wc("10.0.0.0", "0.0.0.255")));
    assert_eq!(r[0].m.dst, AddrSet::one(IpMatch::host(a("192.168.1.10"))));
    assert_eq!(
        r[0].m.services,
        vec![Service {
            proto: Some(6),
            sport: PortRange { lo: 1024, hi: 2048 },
            dport: PortRange::single(80),
            icmp_type: None,
            icmp_code: None
        }]
    );
    assert_eq!(
        r[1].m.services,
        vec![Service::tcp_dport(0, 22), Service::tcp_dport(24, 65535)]
    );
    assert_eq!(r[2].m.established, Some(true));
    // Non-contiguous wildcard kept as is.
    assert_eq!(r[2].m.dst, AddrSet::one(wc("10.0.0.0", "0.255.0.255")));
    assert!(r[2].m.dst.contains(a("10.7.0.9")));
    assert!(!r[2].m.dst.contains(a("10.7.1.9")));
    assert_eq!(r[3].action, Action::Deny);
    assert_eq!(
        r[3].m.services,
        vec![Service {
            proto: Some(17),
            sport: PortRange::single(53),
            dport: PortRange {
                lo: 1024,
                hi: 65535
            },
            icmp_type: None,
            icmp_code: None
        }]
    );
    assert_eq!(r[4].m.services[0].icmp_type, Some(0));
    assert_eq!(r[4].m.services[0].icmp_code, None);
    assert_eq!(
        (r[5].m.services[0].icmp_type, r[5].m.services[0].icmp_code),
        (Some(3), Some(4))
    );
    assert_eq!(
        r[6].m.services,
        vec![
            Service::tcp_dport(80, 80),
            Service::tcp_dport(443, 443),
            Service::tcp_dport(8080, 8080)
        ]
    );
    assert_eq!(r[7].m.services, vec![Service::proto(47)]);
    assert_eq!(r[8].m, Match::any());
}

#[test]
fn named_acls_with_sequence_numbers() {
    let text = "\
ip access-list extended WEB
 remark allow web
 20 permit tcp any host 10.0.0.5 eq 443
 10 permit tcp any host 10.0.0.5 eq 80
 deny ip any any log
ip access-list standard MGMT
 10 permit 10.9.0.0 0.0.0.255
 20 deny any
";
    let (d, _) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let web = &d.acls["WEB"];
    assert_eq!(web.span, Span::new(F, 1));
    // Ordered by sequence number; an entry without one goes after the highest.
    let lines: Vec<u32> = web.rules.iter().map(|r| r.span.line).collect();
    assert_eq!(lines, vec![4, 3, 5]);
    assert_eq!(web.rules[0].m.services, vec![Service::tcp_dport(80, 80)]);
    let mgmt = &d.acls["MGMT"];
    assert_eq!(mgmt.rules.len(), 2);
    assert_eq!(
        mgmt.rules[0].m.src,
        AddrSet::one(wc("10.9.0.0", "0.0.0.255"))
    );
}

#[test]
fn unsupported_acl_lines_are_reported_never_approximated() {
    let text = "\
ip access-list extended X
 permit tcp any any eq 22
 permit object-group SVC any any
 permit tcp any any eq 80 time-range WORK
 permit ip any any fragments
 permit ip any any dscp ef
 deny tcp any any eq frobnicate
 permit tcp any addrgroup G any
 evaluate REFL
access-list 150 permit tcp any any reflect R
";
    let (d, _) = check_accounting(F, text);
    assert_eq!(d.acls["X"].rules.len(), 1);
    assert_eq!(d.acls["150"].rules.len(), 0);
    assert_eq!(unrec_lines(&d), (3..=10).collect());
    for u in &d.unrecognized {
        let want = if u.line == 10 { "150" } else { "X" };
        assert_eq!(u.scope, Scope::Acl(want.into()), "{u:?}");
    }
}

// ---------------------------------------------------------------------------- routes

#[test]
fn static_routes() {
    let text = "\
ip route 0.0.0.0 0.0.0.0 10.0.0.1
ip route 10.10.0.0 255.255.0.0 Null0
ip route 172.16.0.0 255.240.0.0 Gi0/1 10.0.0.2 5 name BACKUP permanent tag 7
ip route 192.168.5.0 255.255.255.0 GigabitEthernet0/2
ip route vrf MGMT 0.0.0.0 0.0.0.0 10.9.9.1
ip route 10.20.0.0 255.255.0.0 10.0.0.1 track 5
ip default-gateway 10.0.0.254
interface Gi0/1
interface Gi0/2
";
    let (d, _) = check_accounting(F, text);
    let r = &d.routes;
    assert_eq!(r.len(), 5);
    assert_eq!(
        r[0],
        Route {
            prefix: a("0.0.0.0"),
            len: 0,
            next_hop: Some(a("10.0.0.1")),
            interface: None,
            discard: false,
            span: Span::new(F, 1)
        }
    );
    assert!(r[1].discard);
    assert_eq!((r[1].prefix, r[1].len), (a("10.10.0.0"), 16));
    assert_eq!(r[2].interface.as_deref(), Some("GigabitEthernet0/1"));
    assert_eq!(r[2].next_hop, Some(a("10.0.0.2")));
    assert_eq!(r[2].len, 12);
    assert_eq!(r[3].interface.as_deref(), Some("GigabitEthernet0/2"));
    assert_eq!(r[3].next_hop, None);
    assert_eq!(r[4].next_hop, Some(a("10.0.0.254")));
    assert_eq!(r[4].span.line, 7);
    assert_eq!(unrec_lines(&d), BTreeSet::from([5, 6]));
    assert!(d.unrecognized.iter().all(|u| u.scope == Scope::Routing));
}

/// Routing protocol stanzas are read as facts (model::Routing); what sanso does not model
/// in them stays unrecognised with routing scope and is recorded on the process.
#[test]
fn routing_protocols_are_read_as_facts() {
    let text = "\
router ospf 1
 network 10.0.0.0 0.255.255.255 area 0
 passive-interface default
 no passive-interface Gi0/1
 area 1 stub
 redistribute static subnets metric 30 metric-type 1
 redistribute bgp 65000 subnets
 redistribute connected route-map RM
 default-information originate always
!
router bgp 65000
 neighbor 1.2.3.4 remote-as 65001
 address-family ipv4
  neighbor 1.2.3.4 activate
  neighbor 1.2.3.4 route-map IN in
 exit-address-family
router eigrp 10
 network 10.1.0.0 0.0.255.255
 no auto-summary
router rip
 version 2
 network 172.16.0.0
ip routing
no ip routing
interface GigabitEthernet0/1
 ip address 10.0.0.1 255.255.255.0
 bandwidth 10000
 ip ospf cost 7
 ip ospf 1 area 0.0.0.2
 ip ospf authentication message-digest
";
    let (d, _) = check_accounting(F, text);
    // Line 15 (a BGP neighbour's route-map) only shapes BGP routes, which the neighbour
    // line taints: recognised. The OSPF lines 5 and 8 open the OSPF domain: listed.
    assert_eq!(unrec_lines(&d), BTreeSet::from([5, 8, 24, 30]));
    assert!(d.unrecognized.iter().all(|u| u.scope == Scope::Routing));
    let r = &d.routing;
    let o = &r.protocols[0];
    assert_eq!(o.kind, ProtocolKind::Ospf { process: 1 });
    assert!(o.passive_default.is_some());
    assert!(o.is_passive("GigabitEthernet0/2") && !o.is_passive("GigabitEthernet0/1"));
    assert_eq!(
        o.unmodelled.iter().map(|s| s.line).collect::<Vec<_>>(),
        [5, 8]
    );
    assert_eq!(o.redistribute.len(), 2);
    assert_eq!(o.redistribute[0].source, RedistSource::Static);
    assert!(o.redistribute[0].subnets && o.redistribute[0].type1);
    assert_eq!(o.redistribute[0].metric, Some(30));
    assert_eq!(
        o.redistribute[1].source,
        RedistSource::Other("bgp 65000".into())
    );
    assert_eq!(o.default_originate.as_ref().map(|d| d.0), Some(true));
    assert_eq!(r.protocols[1].kind, ProtocolKind::Bgp { asn: 65000 });
    assert_eq!(r.protocols[1].neighbors[0].remote_as, Some(65001));
    assert_eq!(r.protocols[2].networks[0].wildcard, a("0.0.255.255"));
    // RIP `network` is classful.
    assert_eq!(r.protocols[3].networks[0].wildcard, a("0.0.255.255"));
    let i = &r.interfaces["GigabitEthernet0/1"];
    assert_eq!(i.bandwidth_kbps.as_ref().map(|b| b.0), Some(10000));
    assert_eq!(i.ospf_cost.as_ref().map(|c| c.0), Some(7));
    assert_eq!(i.ospf_area.as_ref().map(|x| (x.0, x.1)), Some((1, 2)));
    assert_eq!(
        i.unmodelled.iter().map(|s| s.line).collect::<Vec<_>>(),
        [30]
    );
}

// ---------------------------------------------------------------------------- top level

#[test]
fn irrelevant_top_level_lines_are_understood() {
    let text = "\
Building configuration...
Current configuration : 1234 bytes
version 15.2
service timestamps debug datetime msec
no service pad
hostname R1
boot-start-marker
boot-end-marker
logging buffered 4096
enable secret 5 $1$abcd$XYZXYZXYZ
username admin privilege 15 secret 9 $9$qqqqqqq
aaa new-model
aaa group server radius RAD
 server name R1
clock timezone JST 9 0
ip domain-name example.jp
no ip domain-lookup
ip ssh version 2
ip http server
ip cef
ipv6 unicast-routing
spanning-tree mode rapid-pvst
vtp mode transparent
cdp run
lldp run
errdisable recovery cause all
snmp-server community S3cr3t RO
ntp server 10.0.0.1
banner motd ^C
Authorized access only!
interface Gi0/0
^C
banner login #one-line#
crypto pki trustpoint TP
 enrollment selfsigned
crypto pki certificate chain TP
 certificate self-signed 01
  3082022B 30820194 A0030201
quit
line con 0
 password 7 0822455D0A16
 login
line vty 0 4
 transport input ssh
archive
 path flash:
exit
end
";
    let (d, understood) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(understood, d.lines);
    // Banner text `interface Gi0/0` was not taken for a command.
    assert!(d.interfaces.is_empty());
}

#[test]
fn unknown_stanzas_and_secret_redaction() {
    let text = "\
crypto isakmp key SuperSecret123 address 1.2.3.4
crypto map CM 10 ipsec-isakmp
 set peer 1.2.3.4
ip nat inside source list 1 interface Gi0/0 overload
frobnicate everything
 sub line
key config-key password-encrypt Hunter2
tacacs-server host 10.0.0.1 key 7 0822455D0A16
";
    let (d, _) = check_accounting(F, text);
    let s = |l: u32| {
        d.unrecognized
            .iter()
            .find(|u| u.line == l)
            .unwrap()
            .scope
            .clone()
    };
    // VPN parameters act only through the (unrecognized) crypto map: irrelevant alone.
    assert!(!unrec_lines(&d).contains(&1));
    assert!(d.irrelevant.keys().any(|k| k.starts_with("VPN parameters")));
    // A crypto map applied to no interface encrypts nothing: its entry is recognised.
    assert!(!unrec_lines(&d).contains(&2) && !unrec_lines(&d).contains(&3));
    assert!(d
        .irrelevant
        .contains_key("crypto map `CM` entry of a map applied to no interface (no effect)"));
    assert_eq!(s(4), Scope::Device);
    assert_eq!(s(5), Scope::Device);
    assert_eq!(s(6), Scope::Device);
    for u in &d.unrecognized {
        assert!(!u.text.contains("SuperSecret123"), "{}", u.text);
        assert!(!u.text.contains("Hunter2"), "{}", u.text);
        assert!(!u.text.contains("0822455D0A16"), "{}", u.text);
    }
    assert_no_secrets(F, &d);
}

#[test]
fn malformed_values_never_panic() {
    let text = "\
interface Vlan9999
 ip address 10.0.0.1 255.255.255.0
interface Gi0/0
 ip address 300.1.1.1 255.255.255.0
 ip address 10.0.0.1 255.0.255.0
 switchport access vlan 5000
 switchport trunk allowed vlan 10-5
 encapsulation dot1Q 10
 ip access-group
access-list 101 permit tcp any
access-list 101 permit tcp any any range 10
access-list 99 permit 10.0.0.300
access-list 101 permit tcp any any lt 0
ip route 10.0.0.0 255.0.255.0 1.1.1.1
ip route 10.0.0.0
interface range Gi0/1 - 99999999
banner motd
hostname
interface
vlan
access-list
ip access-list extended
\u{3}\u{0}\u{ffff}
 \t
";
    let (d, _) = check_accounting(F, text);
    assert!(d.routes.is_empty());
    assert!(d.interface("Vlan9999").is_none());
    let g = iface(&d, "GigabitEthernet0/0");
    assert!(g.addresses.is_empty());
    assert!(g.parent.is_none());
    assert!(d.acls["101"].rules.is_empty());
}

// ---------------------------------------------------------------------------- corpus

#[test]
fn corpus_every_line_accounted_for() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/cisco-ios");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "required corpus directory {} is missing ({e}); it must sit beside the crate",
            dir.display()
        )
    });
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    assert!(
        !paths.is_empty(),
        "corpus directory {} is empty",
        dir.display()
    );
    let (mut tot_u, mut tot_l, mut tot_files) = (0u64, 0u64, 0);
    for p in paths {
        let bytes = std::fs::read(&p).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let name = format!("cisco-ios/{}", p.file_name().unwrap().to_string_lossy());
        let (d, understood) = check_accounting(&name, &text);
        assert_no_secrets(&name, &d);
        for u in &d.unrecognized {
            assert!(
                !u.text.contains("secret 5 $"),
                "{name}:{}: {}",
                u.line,
                u.text
            );
            assert!(
                !u.text.contains("secret 9 $"),
                "{name}:{}: {}",
                u.line,
                u.text
            );
        }
        for i in &d.interfaces {
            assert_eq!(i.span.file, name);
        }
        eprintln!(
            "{:<70} {:>4}/{:<4} lines understood ({:5.1}%), {} ifaces, {} acls, {} routes",
            name,
            understood,
            d.lines,
            100.0 * f64::from(understood) / f64::from(d.lines.max(1)),
            d.interfaces.len(),
            d.acls.len(),
            d.routes.len()
        );
        tot_u += u64::from(understood);
        tot_l += u64::from(d.lines);
        tot_files += 1;
    }
    eprintln!(
        "TOTAL {tot_files} files: {tot_u}/{tot_l} lines understood ({:.1}%)",
        100.0 * tot_u as f64 / tot_l.max(1) as f64
    );
}

/// Issue 12: the share of corpus lines that are modelled or recognised as irrelevant, and
/// what is left, grouped by reason (run with `--nocapture` to see it).
#[test]
fn corpus_coverage() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/cisco-ios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let (mut lines, mut understood, mut irrelevant) = (0u64, 0u64, 0u64);
    let mut left: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut irr_by: std::collections::BTreeMap<String, u64> = Default::default();
    for p in paths {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).to_string();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let (d, u) = parse_with_stats(&name, &text).unwrap();
        lines += u64::from(d.lines);
        understood += u64::from(u);
        for (r, n) in &d.irrelevant {
            irrelevant += u64::from(*n);
            *irr_by.entry(r.clone()).or_default() += u64::from(*n);
        }
        let mut seen = BTreeSet::new();
        for x in &d.unrecognized {
            if seen.insert(x.line) {
                let reason = match x.reason.strip_prefix("inside `") {
                    Some(r) => format!(
                        "inside `{}`",
                        r.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
                    ),
                    None => x.reason.clone(),
                };
                left.entry(reason)
                    .or_default()
                    .push(format!("{name}:{} {}", x.line, x.text));
            }
        }
    }
    let pct = 100.0 * understood as f64 / lines as f64;
    println!(
        "cisco-ios corpus: {understood}/{lines} lines modelled or recognised ({pct:.1}%): \
         {} modelled, {irrelevant} irrelevant",
        understood - irrelevant
    );
    for (r, n) in &irr_by {
        println!("  irrelevant {n:>5}  {r}");
    }
    let mut groups: Vec<_> = left.into_iter().collect();
    groups.sort_by_key(|(r, v)| (std::cmp::Reverse(v.len()), r.clone()));
    println!("still unrecognized, by reason:");
    for (r, v) in &groups {
        println!("  {:>5}  {r}", v.len());
        for l in v.iter().take(3) {
            println!("           {l}");
        }
    }
    // Issue 12 asks for 98 %; the corpus is mostly BGP/OSPF/EIGRP/VRF/IPsec/NAT test
    // configurations. Routing protocols read as facts took it from 83.2 % to 89.6 %;
    // IPv6 (out of scope), multicast without `ip multicast-routing`, the knobs of
    // tainting BGP/EIGRP processes and the route-maps only they or unrecognised lines use
    // to 95.6 %; settings covered by the line that enables them (VRF definitions by
    // `vrf forwarding`, crypto map entries by `crypto map` on an interface, tunnel settings
    // by `tunnel destination`, zone-firewall definitions by `zone-member security`,
    // interface sub-mode lines by their header), MPLS knobs on a device without label
    // switching and a few physical / default-restating interface lines to 98.0 %
    // (12391/12641); EtherChannel membership (`channel-group N mode …`, `channel-protocol`)
    // to 98.1 % (12398/12641), members of routed port-channels 12400. What is left (the
    // enabling lines, NAT forms, OSPF redistribution, the synthetic interface file) changes forwarding and stays
    // unrecognised until modelled (see the list above). This floor ratchets the number.
    assert!(
        understood * 50 >= lines * 49,
        "coverage fell to {pct:.2}% (issue 12 asks 98 %)"
    );
}

#[test]
#[ignore]
fn dump_unrecognized() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/cisco-ios");
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).to_string();
        let d = parse("x", &text).unwrap();
        for u in &d.unrecognized {
            println!("{:?}\t{}\t{}", u.scope, u.reason, u.text);
        }
    }
}

#[test]
fn unterminated_banner_does_not_hide_config() {
    let text = "hostname R\nbanner motd ^C\nhello\naccess-list 10 permit any\n";
    let (d, understood) = check_accounting(F, text);
    assert_eq!(understood, 1);
    assert_eq!(unrec_lines(&d), BTreeSet::from([2, 3, 4]));
    assert!(d.unrecognized.iter().all(|u| u.scope == Scope::Device));
    let text = "banner exec #\nline one\n#\nbanner login XhiX\naccess-list 10 permit any\n";
    let (d, understood) = check_accounting(F, text);
    assert_eq!(understood, 5);
    assert_eq!(d.acls["10"].rules.len(), 1);
}

/// Multicast settings do nothing without `ip multicast-routing` (IOS keeps multicast on
/// its segment); with it, multicast between interfaces is traffic sanso does not model, so
/// the lines stay listed and taint (the device, the PIM interfaces).
#[test]
fn multicast_counts_only_with_multicast_routing() {
    let body = "\
interface Gi0/1
 ip address 10.0.0.1 255.255.255.0
 ip pim sparse-mode
 ip igmp version 3
ip pim rp-address 10.9.9.9
";
    let (d, _) = check_accounting(F, body);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let off = d
        .irrelevant
        .iter()
        .find(|(r, _)| r.contains("without `ip multicast-routing`"))
        .map(|(_, n)| *n);
    assert_eq!(off, Some(3));
    let text = format!("ip multicast-routing\n{body}");
    let (d, _) = check_accounting(F, &text);
    assert_eq!(unrec_lines(&d), BTreeSet::from([1, 4, 5, 6]));
    let scope = |l: u32| {
        d.unrecognized
            .iter()
            .find(|u| u.line == l)
            .unwrap()
            .scope
            .clone()
    };
    assert_eq!(scope(1), Scope::Device);
    assert_eq!(scope(4), Scope::Interface("GigabitEthernet0/1".into()));
    assert_eq!(scope(6), Scope::Device);
}

/// A route-map is recognised when every line that uses it is itself listed (OSPF
/// redistribution) or lies in a BGP process whose neighbour taints, or when nothing uses
/// it; policy routing and uses by recognised lines (`ip access-group MGMT`) keep it listed.
#[test]
fn route_maps_by_their_uses() {
    let text = "\
router ospf 1
 network 10.0.0.0 0.255.255.255 area 0
 redistribute connected route-map RM-OSPF
router bgp 65000
 neighbor 1.2.3.4 remote-as 65001
 neighbor 1.2.3.4 route-map RM-BGP in
interface Gi0/1
 ip address 10.0.0.1 255.255.255.0
 ip policy route-map RM-PBR
route-map RM-OSPF permit 10
 match ip address prefix-list RM-OSPF
route-map RM-BGP permit 10
 set local-preference 200
route-map RM-PBR permit 10
 set ip next-hop 10.0.0.2
route-map RM-UNUSED permit 10
 set metric 5
ip prefix-list RM-OSPF seq 5 permit 10.0.0.0/8 le 32
route-map MGMT permit 10
interface Gi0/2
 ip access-group MGMT in
ip access-list standard MGMT
 permit any
route-map 20 permit 10
access-list 20 permit any
";
    let (d, _) = check_accounting(F, text);
    assert_eq!(unrec_lines(&d), BTreeSet::from([3, 9, 14, 15, 19]));
    let n = |needle: &str| {
        d.irrelevant
            .iter()
            .filter(|(r, _)| r.starts_with(needle))
            .map(|(_, n)| *n)
            .sum::<u32>()
    };
    assert_eq!(n("route-map used only by"), 4);
    // RM-UNUSED, and route-map 20: an ACL definition is no use of a route-map.
    assert_eq!(n("route-map used by no command"), 3);
    assert_eq!(n("BGP / EIGRP / RIP setting"), 1);
    // A BGP process without neighbours learns nothing and taints nothing: its lines stay.
    let (d, _) = check_accounting(F, "router bgp 65000\n bgp bestpath med confed\n");
    assert_eq!(unrec_lines(&d), BTreeSet::from([2]));
}

/// Covered-by (docs/semantics.md, Cisco IOS): the settings of a VRF, a crypto map and the
/// dynamic map it names, a zone-based firewall, a tunnel and an interface sub-mode act only
/// through the line that enables them, which stays unrecognised with its own scope; they
/// are recognised with a reason that names that line. Marking an enabling line irrelevant
/// would empty the taint: the first assertion lists them.
#[test]
fn settings_covered_by_their_enabling_line() {
    let text = "\
vrf definition CUST
 rd 65000:1
 address-family ipv4
  route-target import 65000:1
  export ipv4 unicast map LEAK
 exit-address-family
crypto map CM 10 ipsec-isakmp
 set peer 192.0.2.1
 match address 101
crypto map CM 20 ipsec-isakmp dynamic DYN
crypto dynamic-map DYN 5
 set transform-set ts1
zone security inside
zone-pair security zp source inside destination self
 service-policy type inspect pmi
interface Gi0/1
 vrf forwarding CUST
 ip address 10.0.0.1 255.255.255.0
 crypto map CM
 zone-member security inside
 port security
  maximum 5
interface Tunnel1
 ip address 10.9.9.1 255.255.255.252
 tunnel source Gi0/1
 tunnel mode ipsec ipv4
 tunnel destination 192.0.2.9
 tunnel protection ipsec profile P
access-list 101 permit ip any any
";
    let (d, _) = check_accounting(F, text);
    // The enabling lines (and the VRF's leak into the global table, line 5) stay.
    assert_eq!(unrec_lines(&d), BTreeSet::from([5, 17, 19, 20, 21, 27]));
    let scope = |l: u32| {
        d.unrecognized
            .iter()
            .find(|u| u.line == l)
            .unwrap()
            .scope
            .clone()
    };
    let gi = Scope::Interface("GigabitEthernet0/1".into());
    assert_eq!(scope(17), gi);
    assert_eq!(scope(19), gi);
    assert_eq!(scope(20), gi);
    assert_eq!(scope(27), Scope::Interface("Tunnel1".into()));
    assert_eq!(scope(5), Scope::Routing);
    let n = |d: &Device, needle: &str| {
        d.irrelevant
            .iter()
            .filter(|(r, _)| r.starts_with(needle))
            .map(|(_, n)| *n)
            .sum::<u32>()
    };
    let vrf = n(
        &d,
        "VRF `CUST` setting: acts only through the lines that use the VRF (`vrf forwarding CUST`",
    );
    assert_eq!(vrf, 5); // lines 1-4, 6
    assert_eq!(
        n(
            &d,
            "crypto map `CM` entry: acts only through `crypto map CM` applied on an interface"
        ),
        4
    );
    assert_eq!(
        n(&d, "crypto dynamic-map `DYN` entry: acts only through"),
        2
    );
    assert_eq!(
        n(
            &d,
            "zone-based firewall definition: acts only on interfaces with `zone-member security`"
        ),
        3
    );
    assert_eq!(n(&d, "tunnel setting: acts only on the packets the tunnel carries, and the tunnel's `tunnel destination`"), 3);
    assert_eq!(
        n(
            &d,
            "setting inside an interface sub-mode: acts only through its header line"
        ),
        1
    );

    // Without the enabling lines the same settings change nothing.
    let (d, _) = check_accounting(F, &text.lines().take(15).collect::<Vec<_>>().join("\n"));
    assert_eq!(unrec_lines(&d), BTreeSet::from([5]));
    assert_eq!(
        n(
            &d,
            "VRF `CUST` setting of a VRF no interface, route or process uses"
        ),
        5
    );
    assert_eq!(
        n(&d, "crypto map `CM` entry of a map applied to no interface"),
        4
    );
    assert_eq!(
        n(
            &d,
            "zone-based firewall definition on a device with no `zone-member security`"
        ),
        3
    );
    // With `vnet trunk` (EVN) a VRF is carried without being named: it stays listed.
    let evn = format!("{text}interface Gi0/2\n vnet trunk\n");
    let (d, _) = check_accounting(F, &evn);
    assert!(unrec_lines(&d).is_superset(&BTreeSet::from([1, 2, 3, 4, 6])));
    // A tunnel without `tunnel destination` keeps its lines.
    let (d, _) = check_accounting(
        F,
        "interface Tunnel2\n tunnel source Gi0/1\n tunnel mode gre multipoint\n",
    );
    assert_eq!(unrec_lines(&d), BTreeSet::from([2, 3]));
}

/// `!` in column 0 ends no mode: the address family after it is still `router bgp`'s.
#[test]
fn comment_inside_a_stanza() {
    let text = "\
router bgp 65000
 neighbor 1.2.3.4 remote-as 65001
!
 address-family ipv4
  neighbor 1.2.3.4 activate
 exit-address-family
";
    let (d, understood) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(understood, 6);
}

#[test]
fn trunk_native_and_sub_mode_scopes() {
    let text = "\
interface Gi0/1
 ipv6 nd ra interval 200
  ipv6 redirects
 service instance 1 ethernet
  encapsulation default
 switchport
 no switchport
interface Gi0/2
";
    let (d, _) = check_accounting(F, text);
    let s = |l: u32| {
        d.unrecognized
            .iter()
            .find(|u| u.line == l)
            .unwrap()
            .scope
            .clone()
    };
    // IPv6 lines and their sub-mode lines are recognised (IPv4 only).
    assert!(!unrec_lines(&d).contains(&2) && !unrec_lines(&d).contains(&3));
    // The `service instance` header keeps the interface's taint; line 5 is covered by it.
    assert_eq!(s(4), Scope::Interface("GigabitEthernet0/1".into()));
    assert!(!unrec_lines(&d).contains(&5));
    assert_eq!(iface(&d, "GigabitEthernet0/1").mode, IfMode::Routed);
    // `no switchport` marks the device as a switch: bare ports are access VLAN 1.
    assert_eq!(
        iface(&d, "GigabitEthernet0/2").mode,
        IfMode::Access { vlan: 1 }
    );
}

#[test]
fn untyped_named_acl_and_crypto_scopes() {
    let text = "\
ip access-list abc
   10 permit tcp any any
interface Gi0/0
 ip access-group abc in
 crypto map CM
 vrf forwarding RED
";
    let (d, _) = check_accounting(F, text);
    assert!(!d.acls.contains_key("abc"));
    assert_eq!(
        iface(&d, "GigabitEthernet0/0")
            .acl_in
            .as_ref()
            .map(|r| r.name.as_str()),
        Some("abc")
    );
    let s = |l: u32| {
        d.unrecognized
            .iter()
            .find(|u| u.line == l)
            .unwrap()
            .scope
            .clone()
    };
    assert_eq!(s(1), Scope::Acl("abc".into()));
    assert_eq!(s(2), Scope::Acl("abc".into()));
    assert_eq!(s(5), Scope::Interface("GigabitEthernet0/0".into()));
    assert_eq!(s(6), Scope::Interface("GigabitEthernet0/0".into()));
}

// ---------------------------------------------------------------------------- issue 12

#[test]
fn object_groups_in_extended_acls() {
    let (d, _) = check_accounting(F, OG);
    let acl = &d.acls["A"];
    // 10, 20 and the unnumbered deny; 30 (undefined group) and 40 (bad member) are not.
    assert_eq!(acl.rules.len(), 3, "{:?}", acl.rules);
    let srv = AddrSet {
        items: vec![
            IpMatch::host(a("10.1.1.10")),
            wc("10.1.2.0", "0.0.0.255"),
            IpMatch::Range {
                lo: a("10.1.3.5"),
                hi: a("10.1.3.6"),
            },
            IpMatch::host(a("10.9.9.9")),
        ],
    };
    assert_eq!(acl.rules[0].m.src, srv);
    assert_eq!(acl.rules[0].m.services, vec![Service::tcp_dport(22, 22)]);
    assert_eq!(acl.rules[0].span, Span::new(F, 19));
    let r2 = &acl.rules[1].m;
    assert_eq!(r2.src, AddrSet::any());
    assert_eq!(r2.dst, srv);
    assert_eq!(
        r2.services,
        vec![
            Service::tcp_dport(80, 80),
            Service::tcp_dport(443, 443),
            Service::udp_dport(5000, 5001),
            Service::tcp_dport(53, 53),
            Service::udp_dport(53, 53),
            Service {
                icmp_type: Some(8),
                ..Service::proto(1)
            },
            Service::proto(50),
        ]
    );
    assert_eq!(acl.rules[2].action, Action::Deny);
    let by_line = |l: u32| d.unrecognized.iter().filter(move |u| u.line == l);
    let u30: Vec<_> = by_line(21).collect();
    assert_eq!(u30.len(), 1, "{:?}", d.unrecognized);
    assert_eq!(u30[0].scope, Scope::Acl("A".into()));
    assert!(
        u30[0].reason.contains("`NOPE` is not defined"),
        "{}",
        u30[0].reason
    );
    let u40: Vec<_> = by_line(22).collect();
    assert!(
        u40[0].reason.contains("could not read (line 17)"),
        "{}",
        u40[0].reason
    );
    assert_eq!(by_line(17).next().unwrap().scope, Scope::None);
    // NX-OS style addrgroup / portgroup.
    let b = &d.acls["B"].rules;
    assert_eq!(b.len(), 1);
    assert_eq!(
        b[0].m.src,
        AddrSet {
            items: vec![
                IpMatch::host(a("1.1.1.1")),
                IpMatch::prefix(a("10.0.0.0"), 8)
            ]
        }
    );
    assert_eq!(
        b[0].m.services,
        vec![Service::tcp_dport(80, 80), Service::tcp_dport(1000, 2000)]
    );
    // Undefined ACL on an interface: unrecognized for that interface, never "permit all".
    let um: Vec<_> = by_line(34).collect();
    assert_eq!(um.len(), 1);
    assert_eq!(um[0].scope, Scope::Interface("GigabitEthernet0/1".into()));
    assert!(um[0].reason.contains("`MISSING`"));
    assert_eq!(unrec_lines(&d), BTreeSet::from([17, 21, 22, 34]));
}

const OG: &str = "\
hostname og
object-group network SRV
 description servers
 host 10.1.1.10
 10.1.2.0 255.255.255.0
 range 10.1.3.5 10.1.3.6
 group-object MORE
object-group network MORE
 host 10.9.9.9
object-group service WEB
 tcp eq 80 443
 udp range 5000 5001
 tcp-udp eq 53
 icmp echo
 group-object ESP
object-group network BAD
 host 999.1.1.1
ip access-list extended A
 10 permit tcp object-group SRV any eq 22
 20 permit object-group WEB any object-group SRV
 30 permit ip object-group NOPE any
 40 permit ip object-group BAD any
 deny ip any any
object-group ip address NX
 10 host 1.1.1.1
 20 10.0.0.0/8
object-group ip port P
 10 eq 80
 20 range 1000 2000
ip access-list extended B
 permit tcp addrgroup NX any portgroup P
interface Gi0/1
 ip access-group A in
 ip access-group MISSING out
object-group service ESP
 esp
";

#[test]
fn object_group_defined_after_use_and_empty_groups() {
    let text = "\
ip access-list extended X
 permit ip object-group LATE any
 permit tcp any any portgroup EMPTY
object-group network LATE
 host 10.0.0.1
object-group ip port EMPTY
";
    let (d, _) = check_accounting(F, text);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let r = &d.acls["X"].rules;
    assert_eq!(r[0].m.src, AddrSet::one(IpMatch::host(a("10.0.0.1"))));
    // An empty port group matches nothing, never any service.
    assert!(r[1].m.src.items.is_empty());
}

#[test]
fn dot1x_and_mab_ports() {
    let text = "\
aaa new-model
dot1x system-auth-control
interface Gi1/0/1
 switchport mode access
 switchport access vlan 10
 authentication port-control auto
 authentication host-mode multi-auth
 authentication order dot1x mab
 mab
 dot1x pae authenticator
 dot1x timeout tx-period 10
interface Gi1/0/2
 switchport mode access
 authentication port-control auto
 authentication open
interface Gi1/0/3
 switchport mode access
 access-session port-control auto
interface Gi1/0/4
 switchport mode access
 access-session port-control auto
 access-session closed
interface Gi1/0/5
 switchport mode access
 dot1x pae authenticator
interface Gi1/0/6
 switchport mode access
 authentication port-control force-unauthorized
interface Gi1/0/7
 switchport mode access
 authentication port-control auto
 authentication event fail action authorize vlan 99
interface Gi1/0/8
 switchport mode trunk
 authentication port-control auto
";
    let (d, _) = check_accounting(F, text);
    let adm = |n: &str| iface(&d, n).port_auth.as_ref().map(|p| p.admit);
    assert_eq!(adm("GigabitEthernet1/0/1"), Some(AuthAdmit::LinkedHosts));
    assert_eq!(
        iface(&d, "GigabitEthernet1/0/1")
            .port_auth
            .as_ref()
            .unwrap()
            .span,
        Span::new(F, 6)
    );
    assert_eq!(adm("GigabitEthernet1/0/2"), Some(AuthAdmit::Any));
    assert_eq!(adm("GigabitEthernet1/0/3"), Some(AuthAdmit::Any));
    assert_eq!(adm("GigabitEthernet1/0/4"), Some(AuthAdmit::LinkedHosts));
    assert_eq!(adm("GigabitEthernet1/0/5"), None);
    assert_eq!(adm("GigabitEthernet1/0/6"), Some(AuthAdmit::Nothing));
    assert_eq!(adm("GigabitEthernet1/0/7"), Some(AuthAdmit::LinkedHosts));
    assert_eq!(adm("GigabitEthernet1/0/8"), None);
    // The VLAN-moving event and 802.1X on a trunk are unrecognized for their port.
    assert_eq!(unrec_lines(&d), BTreeSet::from([32, 35]));
    assert!(d
        .unrecognized
        .iter()
        .all(|u| matches!(&u.scope, Scope::Interface(_))));
    assert_eq!(
        d.irrelevant.get("management, logging, AAA and platform"),
        Some(&1)
    );
}

// ------------------------------------------------------------------ NAT (issue 12)

const NAT_CFG: &str = "hostname r1
ip access-list standard LAN
 permit 10.0.0.0 0.0.0.255
interface GigabitEthernet0/0
 ip address 10.0.0.1 255.255.255.0
 ip nat inside
interface GigabitEthernet0/1
 ip address 203.0.113.1 255.255.255.0
 ip nat outside
interface GigabitEthernet0/2
 ip address 10.0.1.1 255.255.255.0
 ip nat inside
 ip nat outside
ip nat pool P1 203.0.113.10 203.0.113.20 netmask 255.255.255.0
ip nat inside source static 10.0.0.5 203.0.113.5
ip nat inside source static tcp 10.0.0.6 8080 203.0.113.6 80
ip nat inside source list LAN interface GigabitEthernet0/1 overload
ip nat translation timeout 300
";

#[test]
fn ios_nat_inside_outside_static_and_overload() {
    let d = dev(NAT_CFG);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(d.nat.len(), 1);
    let n = &d.nat[0];
    assert_eq!(n.inside, vec!["GigabitEthernet0/0".to_string()]);
    // Marked both ways: the last marking stands.
    assert_eq!(
        n.outside,
        vec![
            "GigabitEthernet0/1".to_string(),
            "GigabitEthernet0/2".to_string()
        ]
    );
    assert!(!n.filters_see_inside);
    assert_eq!(n.statics.len(), 2);
    assert_eq!(
        (
            n.statics[0].local,
            n.statics[0].global,
            n.statics[0].proto,
            n.statics[0].ports
        ),
        (a("10.0.0.5"), a("203.0.113.5"), None, None)
    );
    assert_eq!(n.statics[0].span.line, 15);
    assert_eq!(
        (n.statics[1].proto, n.statics[1].ports),
        (Some(6), Some((8080, 80)))
    );
    assert_eq!(n.dynamic.len(), 1);
    assert_eq!(n.dynamic[0].from, NatFrom::Acl("LAN".into()));
    assert_eq!(
        n.dynamic[0].to,
        NatAddr::Interface("GigabitEthernet0/1".into())
    );
}

#[test]
fn ios_nat_pool() {
    let d = dev(&NAT_CFG.replace("interface GigabitEthernet0/1 overload", "pool P1 overload"));
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(
        d.nat[0].dynamic[0].to,
        NatAddr::Pool(vec![(a("203.0.113.10"), a("203.0.113.20"))])
    );
    let d = dev(&NAT_CFG
        .replace("interface GigabitEthernet0/1 overload", "pool P1")
        .replace("netmask 255.255.255.0", "prefix-length 24"));
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(d.nat[0].dynamic.len(), 1);
}

/// Forms not modelled exactly stay unrecognized with the device's scope, and the rest
/// of the NAT is still read.
#[test]
fn ios_nat_forms_not_modelled_stay_unrecognized() {
    for (extra, why) in [
        (
            "ip nat outside source static 1.1.1.1 2.2.2.2\n",
            "outside source",
        ),
        (
            "ip nat inside source static 10.0.0.7 203.0.113.7 extendable\n",
            "static NAT form",
        ),
        (
            "ip nat inside source static network 10.0.9.0 203.0.113.0 /24\n",
            "static NAT form",
        ),
        (
            "ip nat inside source route-map RM interface GigabitEthernet0/1 overload\n",
            "inside source form",
        ),
        (
            "ip nat inside source list LAN pool P1 vrf V\n",
            "dynamic NAT form",
        ),
        (
            "ip nat inside source list LAN pool P1\n",
            "second dynamic NAT rule",
        ),
        (
            "ip nat inside destination list LAN pool P1\n",
            "not modelled",
        ),
    ] {
        let d = dev(&format!("{NAT_CFG}{extra}"));
        assert_eq!(d.unrecognized.len(), 1, "{extra}: {:?}", d.unrecognized);
        let u = &d.unrecognized[0];
        assert_eq!(u.line, 19, "{extra}");
        assert!(u.reason.contains(why), "{extra}: {}", u.reason);
        assert_eq!(u.scope, Scope::Device, "{extra}");
        assert_eq!(d.nat[0].statics.len(), 2, "{extra}");
        assert_eq!(d.nat[0].dynamic.len(), 1, "{extra}");
    }
}

#[test]
fn ios_nat_dangling_references_stay_unrecognized() {
    for (from, to, why) in [
        ("list LAN ", "list NOPE ", "not defined"),
        (
            "interface GigabitEthernet0/1 overload",
            "pool NOPE",
            "not defined",
        ),
        (
            "interface GigabitEthernet0/1 overload",
            "interface Dialer0 overload",
            "no configured address",
        ),
    ] {
        let d = dev(&NAT_CFG.replace(from, to));
        assert_eq!(d.unrecognized.len(), 1, "{to}: {:?}", d.unrecognized);
        assert!(
            d.unrecognized[0].reason.contains(why),
            "{:?}",
            d.unrecognized
        );
        assert_eq!(d.unrecognized[0].line, 17);
        assert!(d.nat[0].dynamic.is_empty());
    }
    // An interface NAT option outside the model (NAT virtual interface).
    let d = dev(&NAT_CFG.replace(
        " ip nat inside\ninterface GigabitEthernet0/1",
        " ip nat enable\ninterface GigabitEthernet0/1",
    ));
    assert_eq!(d.unrecognized.len(), 1, "{:?}", d.unrecognized);
    assert_eq!(
        d.unrecognized[0].scope,
        Scope::Interface("GigabitEthernet0/0".into())
    );
}

/// A switchport without `switchport mode` is dynamic (DTP): with trunk settings it forms
/// that trunk with a trunking peer (the Stanford backbone's inter-router ports are written
/// so), without them it stays the access default. Expected by reading the lines.
#[test]
fn a_port_without_mode_but_with_trunk_lines_is_a_trunk() {
    use sanso::model::IfMode;
    let d = parse(
        "dtp.cfg",
        "hostname sw\n!\ninterface TenGigabitEthernet2/3\n switchport\n switchport trunk encapsulation dot1q\n switchport trunk allowed vlan 1,10\n switchport trunk allowed vlan add 20-22\n!\ninterface GigabitEthernet1/1\n switchport\n switchport access vlan 30\n!\n",
    )
    .unwrap();
    let m = |n: &str| &d.interfaces.iter().find(|i| i.name == n).unwrap().mode;
    match m("TenGigabitEthernet2/3") {
        IfMode::Trunk { allowed, native } => {
            assert_eq!(*native, 1);
            let v: Vec<u16> = allowed.iter().collect();
            assert_eq!(v, vec![1, 10, 20, 21, 22]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(m("GigabitEthernet1/1"), &IfMode::Access { vlan: 30 });
}

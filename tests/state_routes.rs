//! Routing state as input (`state/<device>/<command>.txt`, ingest/state/routes): the
//! readers on real-format outputs, the config lines a dump covers, and a town whose
//! cross-core routes exist only as OSPF, audited with and without its dumps.

mod common;
use common::{copy_dir, fresh_dir, root};
use sanso::ingest::cisco_ios;
use sanso::ingest::state::routes::{blank_prompts, cisco, covered_by_rib, rtx, NextHop};
use sanso::model::{ProtocolKind, Scope};
use serde_json::Value;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}
fn via(a: &str, i: Option<&str>) -> NextHop {
    NextHop::Via {
        addr: ip(a),
        interface: i.map(str::to_string),
    }
}

/// IOS-XE 16 `show ip route` as printed, with its prompt, every code family, a row whose
/// prefix is too long for its column (next hop on the next line), ECMP and BGP.
const IOS: &str = "\
core1#show ip route
Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       o - ODR, P - periodic downloaded static route, H - NHRP, l - LISP
       a - application route
       + - replicated route, % - next hop override, p - overrides from PfR

Gateway of last resort is 10.0.0.1 to network 0.0.0.0

S*    0.0.0.0/0 [1/0] via 10.0.0.1
      10.0.0.0/8 is variably subnetted, 9 subnets, 3 masks
C        10.0.0.0/30 is directly connected, GigabitEthernet0/0
L        10.0.0.2/32 is directly connected, GigabitEthernet0/0
O        10.1.0.0/24 [110/2] via 10.0.0.1, 2d01h, GigabitEthernet0/0
                     [110/2] via 10.0.0.6, 2d01h, GigabitEthernet0/1
O IA     10.2.0.0/16 [110/3] via 10.0.0.1, 00:10:11, GigabitEthernet0/0
O E1     10.3.0.0/16 [110/30] via 10.0.0.6, 00:10:11, GigabitEthernet0/1
O E2     10.4.128.0/17 
           [110/20] via 10.0.0.6, 00:10:11, GigabitEthernet0/1
D        10.5.0.0/16 [90/3072] via 10.0.0.6, 1w2d, GigabitEthernet0/1
D EX     10.6.0.0/16 [170/3072] via 10.0.0.6, 1w2d, GigabitEthernet0/1
R        10.7.0.0/16 [120/1] via 10.0.0.1, 00:00:12, GigabitEthernet0/0
      172.16.0.0/24 is subnetted, 1 subnets
B        172.16.5.0 [20/0] via 192.0.2.9, 3d04h
S        192.168.9.0/24 is directly connected, Null0
core1#
";

#[test]
fn ios_show_ip_route_every_code() {
    let text = blank_prompts(IOS, "show_ip_route");
    // Prompt lines are blanked, not removed: line numbers stay the file's.
    assert_eq!(text.lines().count(), IOS.lines().count());
    let fib = cisco::parse_show_ip_route("state/core1/show_ip_route.txt", &text);
    assert!(fib.unrecognized.is_empty(), "{:?}", fib.unrecognized);
    // (code, prefix, line, next hops), read off the text above.
    let want: Vec<(&str, &str, u8, u32, Vec<NextHop>)> = vec![
        ("S*", "0.0.0.0", 0, 14, vec![via("10.0.0.1", None)]),
        (
            "C",
            "10.0.0.0",
            30,
            16,
            vec![NextHop::Attached {
                interface: "GigabitEthernet0/0".into(),
            }],
        ),
        ("L", "10.0.0.2", 32, 17, vec![NextHop::Receive]),
        (
            "O",
            "10.1.0.0",
            24,
            18,
            vec![
                via("10.0.0.1", Some("GigabitEthernet0/0")),
                via("10.0.0.6", Some("GigabitEthernet0/1")),
            ],
        ),
        (
            "O IA",
            "10.2.0.0",
            16,
            20,
            vec![via("10.0.0.1", Some("GigabitEthernet0/0"))],
        ),
        (
            "O E1",
            "10.3.0.0",
            16,
            21,
            vec![via("10.0.0.6", Some("GigabitEthernet0/1"))],
        ),
        (
            "O E2",
            "10.4.128.0",
            17,
            22,
            vec![via("10.0.0.6", Some("GigabitEthernet0/1"))],
        ),
        (
            "D",
            "10.5.0.0",
            16,
            24,
            vec![via("10.0.0.6", Some("GigabitEthernet0/1"))],
        ),
        (
            "D EX",
            "10.6.0.0",
            16,
            25,
            vec![via("10.0.0.6", Some("GigabitEthernet0/1"))],
        ),
        (
            "R",
            "10.7.0.0",
            16,
            26,
            vec![via("10.0.0.1", Some("GigabitEthernet0/0"))],
        ),
        ("B", "172.16.5.0", 24, 28, vec![via("192.0.2.9", None)]),
        ("S", "192.168.9.0", 24, 29, vec![NextHop::Drop]),
    ];
    let got: Vec<_> = fib
        .entries
        .iter()
        .map(|e| {
            (
                e.code.as_str(),
                e.prefix,
                e.len,
                e.line,
                e.next_hops.clone(),
            )
        })
        .collect();
    let want: Vec<_> = want
        .into_iter()
        .map(|(c, p, l, n, h)| (c, ip(p), l, n, h))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn truncated_and_malformed_rows_are_listed() {
    // Cut mid-row (a wrapped row without its next line), a cut address, an unknown form,
    // an ECMP row with nothing above: each listed with its line, nothing panics.
    let text = "\
O        10.1.0.0/24 [110/2] via 10.0.0.1, 2d01h, Gi0/0
O        10.9.0.0/24 [110/2] via 10.0.0.
% Invalid input detected at '^' marker.
O E2     10.4.128.0/17
";
    let fib = cisco::parse_show_ip_route("x", text);
    assert_eq!(fib.entries.len(), 1);
    let lines: Vec<u32> = fib.unrecognized.iter().map(|u| u.line).collect();
    assert_eq!(lines, vec![2, 3, 4]);
    assert!(fib.unrecognized.iter().all(|u| u.scope == Scope::Routing));
    let fib = cisco::parse_show_ip_route("x", "   [110/2] via 10.0.0.1, 2d, Gi0/0\n");
    assert_eq!(fib.unrecognized.len(), 1);
    // Every prefix of the IOS sample cut at every byte: never a panic.
    for cut in 0..IOS.len() {
        if IOS.is_char_boundary(cut) {
            let _ = cisco::parse_show_ip_route("x", &IOS[..cut]);
            let _ = cisco::parse_show_ip_cef("x", &IOS[..cut]);
        }
    }
}

/// FortiOS 7.2 `get router info routing-table all`: `[1/0]` weights after the interface,
/// `recursive via`, the VRF header.
#[test]
fn fortios_routing_table() {
    let text = "\
FGT-1 # get router info routing-table all
Codes: K - kernel, C - connected, S - static, R - RIP, B - BGP
       O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       i - IS-IS, L1 - IS-IS level-1, L2 - IS-IS level-2, ia - IS-IS inter area
       V - BGP VPNv4
       * - candidate default

Routing table for VRF=0
S*      0.0.0.0/0 [10/0] via 203.0.113.1, wan1, [1/0]
C       10.0.0.0/30 is directly connected, port1
O       10.1.0.0/24 [110/2] via 10.0.0.1, port1, 00:12:03, [1/0]
                    [110/2] via 10.0.0.5, port2, 00:12:03, [1/0]
B       10.8.0.0/16 [200/0] via 10.9.9.9 (recursive via 10.0.0.1, port1), 1d02h, [1/0]
C       203.0.113.0/30 is directly connected, wan1
";
    let t = blank_prompts(text, "get_router_info_routing-table_all");
    let fib = cisco::parse_show_ip_route("f", &t);
    assert!(fib.unrecognized.is_empty(), "{:?}", fib.unrecognized);
    let got: Vec<_> = fib
        .entries
        .iter()
        .map(|e| (e.code.as_str(), e.len, e.line, e.next_hops.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("S*", 0, 11, vec![via("203.0.113.1", Some("wan1"))]),
            (
                "C",
                30,
                12,
                vec![NextHop::Attached {
                    interface: "port1".into()
                }]
            ),
            (
                "O",
                24,
                13,
                vec![
                    via("10.0.0.1", Some("port1")),
                    via("10.0.0.5", Some("port2"))
                ]
            ),
            ("B", 16, 15, vec![via("10.9.9.9", Some("port1"))]),
            (
                "C",
                30,
                16,
                vec![NextHop::Attached {
                    interface: "wan1".into()
                }]
            ),
        ]
    );
}

/// AlliedWare Plus `show ip route` (same layout, VLAN interface names).
#[test]
fn awplus_show_ip_route() {
    let text = "\
awplus#show ip route
Codes: C - connected, S - static, R - RIP, B - BGP
       O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       * - candidate default

Gateway of last resort is 192.168.1.254 to network 0.0.0.0

S*      0.0.0.0/0 [1/0] via 192.168.1.254, vlan1
C       192.168.1.0/24 is directly connected, vlan1
O       192.168.20.0/24 [110/2] via 192.168.1.2, vlan1, 00:03:21
";
    let fib = cisco::parse_show_ip_route("a", &blank_prompts(text, "show_ip_route"));
    assert!(fib.unrecognized.is_empty(), "{:?}", fib.unrecognized);
    assert_eq!(fib.entries.len(), 3);
    assert_eq!(
        fib.entries[2].next_hops,
        vec![via("192.168.1.2", Some("vlan1"))]
    );
}

/// Yamaha RTX `show ip route` as the router prints it (Japanese header, prompt lines):
/// connected (`implicit`), static via an address, into a pp and a tunnel, a discard,
/// OSPF with its additional information, two equal-cost rows of one destination.
const RTX: &str = "\
# show ip route
宛先ネットワーク    ゲートウェイ     インタフェース  種別  付加情報
default             203.0.113.1      LAN2      static
10.10.10.0/24       10.10.10.1       LAN1    implicit
10.20.10.0/24       10.20.10.1       LAN2    implicit
10.30.0.0/16        PP[01]           PP[01]    static
10.40.0.0/16        TUNNEL[1]     TUNNEL[1]    static
10.50.0.0/16        NULL             NULL      static
10.60.0.0/16        10.10.10.254     LAN1        OSPF  cost=20
10.70.0.0/16        10.10.10.2       LAN1      static
10.70.0.0/16        10.10.10.3       LAN1      static
10.80.1.0/24        10.20.10.9       LAN2/1    static
#
";

#[test]
fn rtx_show_ip_route() {
    let fib = rtx::parse_show_ip_route("r", &blank_prompts(RTX, "show_ip_route"));
    assert!(fib.unrecognized.is_empty(), "{:?}", fib.unrecognized);
    let att = |i: &str| NextHop::Attached {
        interface: i.to_string(),
    };
    let got: Vec<(Ipv4Addr, u8, &str, Vec<NextHop>, u32)> = fib
        .entries
        .iter()
        .map(|e| {
            (
                e.prefix,
                e.len,
                e.code.as_str(),
                e.next_hops.clone(),
                e.line,
            )
        })
        .collect();
    // By hand from the rows above (line numbers of the text, prompt line 1).
    assert_eq!(
        got,
        vec![
            (
                ip("0.0.0.0"),
                0,
                "S",
                vec![via("203.0.113.1", Some("lan2"))],
                3
            ),
            (ip("10.10.10.0"), 24, "C", vec![att("lan1")], 4),
            (ip("10.20.10.0"), 24, "C", vec![att("lan2")], 5),
            (ip("10.30.0.0"), 16, "S", vec![att("pp1")], 6),
            (ip("10.40.0.0"), 16, "S", vec![att("tunnel1")], 7),
            (ip("10.50.0.0"), 16, "S", vec![NextHop::Drop], 8),
            (
                ip("10.60.0.0"),
                16,
                "O",
                vec![via("10.10.10.254", Some("lan1"))],
                9
            ),
            (
                ip("10.70.0.0"),
                16,
                "S",
                vec![
                    via("10.10.10.2", Some("lan1")),
                    via("10.10.10.3", Some("lan1"))
                ],
                10
            ),
            (
                ip("10.80.1.0"),
                24,
                "S",
                vec![via("10.20.10.9", Some("lan2/1"))],
                12
            ),
        ]
    );
}

#[test]
fn rtx_truncated_and_malformed_rows_are_listed() {
    let text = "\
Destination         Gateway          Interface       Kind  Additional Info.
default             192.168.0.1      LAN2          static
10.1.0.0/16         192.168.0.
10.2.0.0/33         192.168.0.1      LAN2          static
10.3.0.0/16         192.168.0.1      LAN2       temporary
10.4.0.0/16         192.168.0.1      WAN9          static
10.5.0.0/16         gw               LAN2          static
10.6.1.0/16         192.168.0.1      LAN2          static
PP[]
";
    let fib = rtx::parse_show_ip_route("x", text);
    assert_eq!(fib.entries.len(), 1);
    let lines: Vec<u32> = fib.unrecognized.iter().map(|u| u.line).collect();
    // 3 truncated, 4 /33, 5 unknown kind, 6 unknown interface, 7 gateway, 8 host bits
    // set, 9 junk.
    assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9]);
    assert!(fib.unrecognized.iter().all(|u| u.scope == Scope::Routing));
    for cut in 0..RTX.len() {
        if RTX.is_char_boundary(cut) {
            let _ = rtx::parse_show_ip_route("x", &RTX[..cut]);
        }
    }
}

/// An RTX device with a dump: its routes are the dump's (fixtures/rtx-town).
#[test]
fn rtx_dump_replaces_the_config_routes() {
    let snap = tmp("rtx");
    copy_dir(&root().join("fixtures/rtx-town"), &snap);
    put(
        &snap,
        "state/rtx-edge/show_ip_route.txt",
        "# show ip route\n宛先ネットワーク    ゲートウェイ     インタフェース  種別  付加情報\n10.10.10.0/24       10.10.10.1       LAN1    implicit\n10.20.10.0/24       10.20.10.1       LAN2    implicit\n10.99.0.0/16        10.20.10.7       LAN2      static\n",
    );
    let s = sanso::model::Snapshot::load(&snap).unwrap();
    let d = s.devices.iter().find(|d| d.name == "rtx-edge").unwrap();
    let f = "state/rtx-edge/show_ip_route.txt";
    let got: Vec<_> = d
        .routes
        .iter()
        .filter(|r| r.next_hop.is_some())
        .map(|r| (r.prefix, r.len, r.next_hop, r.span.to_string()))
        .collect();
    assert_eq!(
        got,
        vec![(
            ip("10.99.0.0"),
            16,
            Some(ip("10.20.10.7")),
            format!("{f}:5")
        )]
    );
    // The static route is in the dump but not in the config: listed (stale dump or
    // unsaved config), citing the dump's line; the connected rows match the config.
    let from_dump: Vec<(u32, bool)> = d
        .unrecognized
        .iter()
        .filter(|u| u.file.as_deref() == Some(f))
        .map(|u| (u.line, u.reason.contains("is not in configs/rtx-edge.conf")))
        .collect();
    assert_eq!(from_dump, vec![(5, true)], "{:?}", d.unrecognized);
    let _ = std::fs::remove_dir_all(&snap);
}

#[test]
fn prompt_lines_only_when_they_type_the_command() {
    assert_eq!(
        blank_prompts("r1#sh ip ro\nC 1\n", "show_ip_route"),
        "\nC 1\n"
    );
    assert_eq!(
        blank_prompts("$ ip -j route\n[]\n", "ip_-j_route"),
        "\n[]\n"
    );
    // Not the command: kept (and then reported by the reader).
    assert_eq!(
        blank_prompts("r1#show version\nC 1\n", "show_ip_route"),
        "r1#show version\nC 1\n"
    );
}

/// The config lines a dump covers: the routing protocol stanzas and interface protocol
/// settings, not VRFs, tracking or policy routing.
#[test]
fn dynamic_routing_lines_are_what_a_dump_covers() {
    let cfg = "\
hostname r1
interface GigabitEthernet0/0
 ip address 10.0.0.2 255.255.255.252
 ip ospf cost 10
 ip policy route-map PBR
!
router ospf 1
 router-id 1.1.1.1
 network 10.0.0.0 0.0.0.3 area 0
 area 1 stub
!
router bgp 65001
 neighbor 192.0.2.9 remote-as 65002
 address-family ipv4
  network 10.0.0.0 mask 255.255.255.252
  neighbor 192.0.2.9 route-map IN in
 exit-address-family
!
track 1 ip sla 1 reachability
!
";
    let d = cisco_ios::parse("configs/r1.cfg", cfg).unwrap();
    let covered: Vec<u32> = d
        .unrecognized
        .iter()
        .filter(|u| covered_by_rib(u))
        .map(|u| u.line)
        .collect();
    // The OSPF and BGP lines sanso models are understood (not "covered"); what it does
    // not model in OSPF (a stub area) is. A route-map on a BGP neighbour (line 16) is
    // recognised already: it shapes only routes the neighbour line taints.
    assert_eq!(covered, vec![10]);
    assert!(!d.unrecognized.iter().any(|u| u.line == 16));
    let p = &d.routing.protocols;
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!(p[0].kind, ProtocolKind::Ospf { process: 1 });
    assert_eq!(p[0].networks.len(), 1);
    assert_eq!(p[0].networks[0].area, Some(0));
    assert_eq!(p[0].networks[0].span.line, 9);
    assert_eq!(p[1].kind, ProtocolKind::Bgp { asn: 65001 });
    assert_eq!(p[1].neighbors[0].peer, "192.0.2.9");
    assert_eq!(p[1].neighbors[0].remote_as, Some(65002));
    assert_eq!(
        d.routing.interfaces["GigabitEthernet0/0"]
            .ospf_cost
            .as_ref()
            .map(|c| c.0),
        Some(10)
    );
    // Policy routing and tracking stay unrecognized.
    let rest: Vec<u32> = d
        .unrecognized
        .iter()
        .filter(|u| !covered_by_rib(u))
        .map(|u| u.line)
        .collect();
    assert!(rest.contains(&5) && rest.contains(&19), "{rest:?}");

    let fgt = "\
config system global
    set hostname \"fw1\"
end
config system interface
    edit \"port1\"
        set ip 10.0.0.1 255.255.255.252
    next
end
config router ospf
    set router-id 10.0.0.1
    config network
        edit 1
            set prefix 10.0.0.0 255.255.255.252
        next
    end
end
config router policy
    edit 1
        set input-device \"port1\"
        set gateway 10.0.0.2
    next
end
";
    let d = sanso::ingest::fortios::parse("configs/fw1.conf", fgt).unwrap();
    let (cov, rest): (Vec<_>, Vec<_>) = d.unrecognized.iter().partition(|u| covered_by_rib(u));
    assert!(
        !cov.is_empty() && cov.iter().all(|u| (9..=16).contains(&u.line)),
        "{cov:?}"
    );
    assert!(rest.iter().any(|u| (17..=22).contains(&u.line)), "{rest:?}");
}

// ---------------------------------------------------------------------------------------
// The OSPF town: sample-city-violating with its cross-core routes moved into OSPF.

fn tmp(tag: &str) -> PathBuf {
    fresh_dir("rib", tag)
}

fn edit(snap: &Path, file: &str, from: &str, to: &str) {
    let p = snap.join(file);
    let t = std::fs::read_to_string(&p).unwrap();
    assert!(t.contains(from), "{from} not in {file}");
    std::fs::write(&p, t.replacen(from, to, 1)).unwrap();
}

fn put(snap: &Path, file: &str, text: &str) {
    let p = snap.join(file);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const IOS_CODES: &str = "\
Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       o - ODR, P - periodic downloaded static route, H - NHRP, l - LISP
       a - application route
       + - replicated route, % - next hop override, p - overrides from PfR
";

/// sample-city-violating with mn-core's route to lg-core's terminals replaced by OSPF
/// between the two cores (`lg_extra`: more lines of lg-core's `router ospf`).
fn mn_lg_ospf(snap: &Path, lg_extra: &str) {
    copy_dir(&root().join("fixtures/sample-city-violating"), snap);
    edit(
        snap,
        "configs/mn-core.cfg",
        "ip route 10.20.10.0 255.255.255.0 10.99.0.2\n",
        "router ospf 1\n router-id 10.99.0.1\n passive-interface default\n no passive-interface GigabitEthernet1/0/24\n network 10.99.0.0 0.0.0.3 area 0\n",
    );
    edit(
        snap,
        "configs/lg-core.cfg",
        "ip route 0.0.0.0 0.0.0.0 10.20.254.2\n",
        &format!("ip route 0.0.0.0 0.0.0.0 10.20.254.2\n!\nrouter ospf 1\n router-id 10.99.0.2\n network 10.99.0.0 0.0.0.3 area 0\n network 10.20.10.0 0.0.0.255 area 0\n{lg_extra}"),
    );
}

/// mn-core learns lg-core's terminal subnet over the maintenance link by OSPF (the static
/// route of the violating city is gone); inet-core learns the LGWAN-side /16 from
/// fw-lgwan, which redistributes its static route into OSPF. lg-core advertises its
/// terminals and learns nothing (mn-core advertises only the link). Each dump is written
/// by hand from the configs' interfaces and the routes just described.
fn ospf_town(with_dumps: bool) -> PathBuf {
    let snap = tmp(if with_dumps { "dumps" } else { "nodumps" });
    mn_lg_ospf(&snap, "");
    edit(
        &snap,
        "configs/inet-core.cfg",
        "ip route 10.20.0.0 255.255.0.0 10.30.254.1\n",
        "router ospf 1\n router-id 10.30.254.2\n network 10.30.254.0 0.0.0.3 area 0\n!\n",
    );
    let fw = std::fs::read_to_string(snap.join("configs/fw-lgwan.conf")).unwrap();
    put(
        &snap,
        "configs/fw-lgwan.conf",
        &format!(
            "{fw}config router ospf\n    set router-id 10.30.254.1\n    config area\n        edit 0.0.0.0\n        next\n    end\n    config network\n        edit 1\n            set prefix 10.30.254.0 255.255.255.252\n        next\n    end\n    config redistribute \"static\"\n        set status enable\n    end\nend\n"
        ),
    );
    if !with_dumps {
        return snap;
    }
    put(
        &snap,
        "state/mn-core/show_ip_route.txt",
        &format!(
            "mn-core#show ip route\n{IOS_CODES}\nGateway of last resort is 10.10.254.2 to network 0.0.0.0\n\n\
S*    0.0.0.0/0 [1/0] via 10.10.254.2
      10.0.0.0/8 is variably subnetted, 9 subnets, 3 masks
C        10.10.10.0/24 is directly connected, Vlan110
L        10.10.10.1/32 is directly connected, Vlan110
C        10.10.20.0/24 is directly connected, Vlan120
L        10.10.20.1/32 is directly connected, Vlan120
C        10.10.254.0/30 is directly connected, GigabitEthernet1/0/47
L        10.10.254.1/32 is directly connected, GigabitEthernet1/0/47
O        10.20.10.0/24 [110/2] via 10.99.0.2, 00:42:17, GigabitEthernet1/0/24
C        10.99.0.0/30 is directly connected, GigabitEthernet1/0/24
L        10.99.0.1/32 is directly connected, GigabitEthernet1/0/24
mn-core#
"
        ),
    );
    put(
        &snap,
        "state/lg-core/show_ip_route.txt",
        &format!(
            "{IOS_CODES}\nGateway of last resort is 10.20.254.2 to network 0.0.0.0\n\n\
S*    0.0.0.0/0 [1/0] via 10.20.254.2
      10.0.0.0/8 is variably subnetted, 8 subnets, 3 masks
C        10.20.10.0/24 is directly connected, Vlan210
L        10.20.10.1/32 is directly connected, Vlan210
C        10.20.20.0/24 is directly connected, Vlan220
L        10.20.20.1/32 is directly connected, Vlan220
C        10.20.254.0/30 is directly connected, Vlan290
L        10.20.254.1/32 is directly connected, Vlan290
C        10.99.0.0/30 is directly connected, Gi1/0/24
L        10.99.0.2/32 is directly connected, Gi1/0/24
"
        ),
    );
    put(
        &snap,
        "state/inet-core/show_ip_route.txt",
        &format!(
            "inet-core#show ip route\n{IOS_CODES}\nGateway of last resort is 203.0.113.1 to network 0.0.0.0\n\n\
S*    0.0.0.0/0 [1/0] via 203.0.113.1
      10.0.0.0/8 is variably subnetted, 7 subnets, 4 masks
O E2     10.20.0.0/16 
           [110/20] via 10.30.254.1, 00:42:17, GigabitEthernet1/0/47
C        10.30.10.0/24 is directly connected, Vlan310
L        10.30.10.1/32 is directly connected, Vlan310
C        10.30.20.0/24 is directly connected, Vlan320
L        10.30.20.1/32 is directly connected, Vlan320
C        10.30.254.0/30 is directly connected, GigabitEthernet1/0/47
L        10.30.254.2/32 is directly connected, GigabitEthernet1/0/47
      203.0.113.0/24 is variably subnetted, 2 subnets, 2 masks
C        203.0.113.0/30 is directly connected, GigabitEthernet1/0/48
L        203.0.113.2/32 is directly connected, GigabitEthernet1/0/48
"
        ),
    );
    put(
        &snap,
        "state/fw-lgwan/get_router_info_routing-table_all.txt",
        "fw-lgwan # get router info routing-table all
Codes: K - kernel, C - connected, S - static, R - RIP, B - BGP
       O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2
       i - IS-IS, L1 - IS-IS level-1, L2 - IS-IS level-2, ia - IS-IS inter area
       * - candidate default

Routing table for VRF=0
S       10.20.0.0/16 [10/0] via 10.20.254.1, lg-transit, [1/0]
C       10.20.254.0/30 is directly connected, lg-transit
S       10.30.0.0/16 [10/0] via 10.30.254.2, port3, [1/0]
C       10.30.254.0/30 is directly connected, port3
S       172.20.0.0/16 [10/0] via 172.31.0.1, port2, [1/0]
C       172.31.0.0/30 is directly connected, port2
",
    );
    snap
}

fn audit(snap: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_sanso"))
        .args(["audit", "--format", "json", "--lang", "en"])
        .arg(snap)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn findings(r: &Value) -> Vec<(String, String, String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("rule"), s("src"), s("dst"), s("flow"))
        })
        .collect()
}

fn statuses(r: &Value) -> Vec<(String, String)> {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["rule"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn ospf_town_with_dumps_has_exactly_the_planted_violations() {
    // The planted violations are those of sample-city-violating, derived by hand and
    // pinned in tests/fixtures.rs; the OSPF town moves routes, not policy.
    let reference = audit(&root().join("fixtures/sample-city-violating"));
    let snap = ospf_town(true);
    let r = audit(&snap);
    assert_eq!(findings(&r), findings(&reference));
    assert_eq!(statuses(&r), statuses(&reference));
    // Every line understood: the OSPF stanzas are covered by the dumps, every dump line
    // is read, and no config route disagrees with a dump.
    for p in r["parse"].as_array().unwrap() {
        assert!(
            p["unrecognized"].as_array().unwrap().is_empty(),
            "{}: {:?}",
            p["file"],
            p["unrecognized"]
        );
    }
    // The maintenance-link witness now cites the OSPF route of mn-core's dump (line 22:
    // prompt, 9 legend lines, blank, gateway, blank, S*, subnetted header, 6 C/L rows).
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "MN-ISOLATION")
        .unwrap();
    let lines: Vec<&str> = f["path"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["lines"].as_array().unwrap().iter())
        .filter_map(|l| l.as_str())
        .collect();
    assert!(
        lines.contains(&"state/mn-core/show_ip_route.txt:22"),
        "{lines:?}"
    );
    let _ = std::fs::remove_dir_all(&snap);
}

#[test]
fn ospf_town_without_dumps_is_unproven() {
    let snap = ospf_town(false);
    let r = audit(&snap);
    let st: std::collections::BTreeMap<String, String> = statuses(&r).into_iter().collect();
    // mn-core's `router ospf` taints its routing: the isolation of the My Number tier
    // (whose plant crosses mn-core) cannot be proven either way.
    assert_eq!(st["MN-ISOLATION"], "unproven", "{st:?}");
    assert!(findings(&r).iter().all(|f| f.0 != "MN-ISOLATION"));
    // The reason names the open adjacency: lg-core runs OSPF on its terminal VLAN
    // (`network 10.20.10.0 0.0.0.255 area 0`, not passive) where no router of the
    // snapshot is, and asks for mn-core's routing table.
    let lg = std::fs::read_to_string(snap.join("configs/lg-core.cfg")).unwrap();
    let open_line = line_of(&lg, " network 10.20.10.0 0.0.0.255 area 0");
    let mn = std::fs::read_to_string(snap.join("configs/mn-core.cfg")).unwrap();
    let ospf_line = line_of(&mn, "router ospf 1");
    let check = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "MN-ISOLATION")
        .unwrap();
    let by: Vec<&str> = check["unproven_by"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let cited = format!("configs/mn-core.cfg:{ospf_line}:");
    assert!(by.iter().any(|b| b.starts_with(&cited)), "{by:?}");
    let reason = unrec_reason(&r, "configs/mn-core.cfg", ospf_line);
    assert!(
        reason.contains(&format!("configs/lg-core.cfg:{open_line}"))
            && reason.contains("Vlan210")
            && reason.contains("no OSPF neighbour")
            && reason.contains("state/mn-core/show_ip_route.txt"),
        "{reason}"
    );
    // inet-core's neighbour fw-lgwan runs FortiOS OSPF, which sanso does not model.
    let inet = std::fs::read_to_string(snap.join("configs/inet-core.cfg")).unwrap();
    let reason = unrec_reason(&r, "configs/inet-core.cfg", line_of(&inet, "router ospf 1"));
    assert!(reason.contains("fw-lgwan"), "{reason}");
    let _ = std::fs::remove_dir_all(&snap);
}

/// 1-based line of the first line of `text` equal to `l`.
fn line_of(text: &str, l: &str) -> u32 {
    text.lines()
        .position(|x| x == l)
        .unwrap_or_else(|| panic!("{l}")) as u32
        + 1
}

fn unrec_reason(r: &Value, file: &str, line: u32) -> String {
    let p = r["parse"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["file"] == file)
        .unwrap();
    p["unrecognized"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["line"] == line)
        .unwrap_or_else(|| panic!("no {file}:{line} in {}", p["unrecognized"]))["reason"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The two cores' OSPF domain closed (lg-core's terminal VLAN passive) and no dump: the
/// routes are computed, and the audit gives exactly the planted violations of
/// sample-city-violating (pinned by hand in tests/fixtures.rs), the maintenance-link
/// witness citing both cores' OSPF lines instead of the static route.
#[test]
fn closed_ospf_domain_without_dumps_has_exactly_the_planted_violations() {
    let reference = audit(&root().join("fixtures/sample-city-violating"));
    let snap = tmp("closed");
    mn_lg_ospf(&snap, " passive-interface Vlan210\n");
    let r = audit(&snap);
    assert_eq!(findings(&r), findings(&reference));
    assert_eq!(statuses(&r), statuses(&reference));
    for p in r["parse"].as_array().unwrap() {
        if p["file"] == "configs/mn-core.cfg" || p["file"] == "configs/lg-core.cfg" {
            assert!(
                p["unrecognized"].as_array().unwrap().is_empty(),
                "{}: {:?}",
                p["file"],
                p["unrecognized"]
            );
        }
    }
    let mn = std::fs::read_to_string(snap.join("configs/mn-core.cfg")).unwrap();
    let lg = std::fs::read_to_string(snap.join("configs/lg-core.cfg")).unwrap();
    // mn-core's route to 10.20.10.0/24: its own network statement for the link, lg-core's
    // for the link (the neighbour) and lg-core's for the terminal VLAN (the originator).
    let want = [
        format!(
            "configs/mn-core.cfg:{}",
            line_of(&mn, " network 10.99.0.0 0.0.0.3 area 0")
        ),
        format!(
            "configs/lg-core.cfg:{}",
            line_of(&lg, " network 10.99.0.0 0.0.0.3 area 0")
        ),
        format!(
            "configs/lg-core.cfg:{}",
            line_of(&lg, " network 10.20.10.0 0.0.0.255 area 0")
        ),
    ];
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "MN-ISOLATION")
        .unwrap();
    let lines: Vec<&str> = f["path"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["lines"].as_array().unwrap().iter())
        .filter_map(|l| l.as_str())
        .collect();
    for w in &want {
        assert!(lines.contains(&w.as_str()), "{w} not in {lines:?}");
    }
    let _ = std::fs::remove_dir_all(&snap);
}

#[test]
fn a_dump_that_disagrees_with_the_config_is_reported_with_both_lines() {
    let snap = ospf_town(true);
    // The config gains a static route the dump lacks (unsaved config or stale dump).
    edit(
        &snap,
        "configs/lg-core.cfg",
        "ip route 0.0.0.0 0.0.0.0 10.20.254.2\n",
        "ip route 0.0.0.0 0.0.0.0 10.20.254.2\nip route 10.77.0.0 255.255.0.0 10.20.254.2\n",
    );
    let r = audit(&snap);
    let p = r["parse"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["file"] == "configs/lg-core.cfg")
        .unwrap();
    let u = p["unrecognized"].as_array().unwrap();
    assert_eq!(u.len(), 1, "{u:?}");
    let reason = u[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("state/lg-core/show_ip_route.txt") && reason.contains("stale dump"),
        "{reason}"
    );
    assert_eq!(u[0]["text"], "ip route 10.77.0.0 255.255.0.0 10.20.254.2");
    let _ = std::fs::remove_dir_all(&snap);
}

/// Linux: `state/<folder>/ip_-j_route.txt` (prompt line included) gives the device's
/// routes, read by the same reader as `configs/<folder>/ip-route.json`; an ECMP route
/// (`nexthops`) gives one route per hop, a route of another table is listed.
#[test]
fn linux_ip_json_route_state() {
    let snap = tmp("linux");
    copy_dir(&root().join("fixtures/linux-fw-own-traffic"), &snap);
    put(
        &snap,
        "state/fw/ip_-j_route.txt",
        r#"admin@fw:~$ ip -j route
[{"dst":"10.30.0.0/16","protocol":"ospf","metric":20,"nexthops":[{"gateway":"10.10.20.2","dev":"eth0","weight":1},{"gateway":"10.20.10.2","dev":"eth1","weight":1}]},
{"dst":"10.10.20.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"10.10.20.1"},
{"dst":"10.20.10.0/24","dev":"eth1","protocol":"kernel","scope":"link","prefsrc":"10.20.10.1"},
{"dst":"10.40.0.0/16","gateway":"10.10.20.3","dev":"eth0","table":"100"}]
"#,
    );
    let s = sanso::model::Snapshot::load(&snap).unwrap();
    let d = s.devices.iter().find(|d| d.name == "fw").unwrap();
    let f = "state/fw/ip_-j_route.txt";
    let got: Vec<_> = d
        .routes
        .iter()
        .map(|r| {
            (
                r.prefix,
                r.len,
                r.next_hop,
                r.interface.as_deref(),
                r.span.to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                ip("10.30.0.0"),
                16,
                Some(ip("10.10.20.2")),
                Some("eth0"),
                format!("{f}:2")
            ),
            (
                ip("10.30.0.0"),
                16,
                Some(ip("10.20.10.2")),
                Some("eth1"),
                format!("{f}:2")
            ),
        ]
    );
    let un: Vec<(Option<&str>, u32)> = d
        .unrecognized
        .iter()
        .map(|u| (u.file.as_deref(), u.line))
        .collect();
    assert_eq!(un, vec![(Some(f), 5)]);
    assert!(d.extra_files.iter().any(|(x, n)| x == f && *n == 5));
    let _ = std::fs::remove_dir_all(&snap);
}

/// Issue 17's done-when town: cross-core routes only as OSPF in RIB dumps (the OSPF town)
/// and device links only in LLDP / CDP / FortiOS neighbour output (tests/data/lldp-town,
/// topology.toml removed). Its violations are sample-city-violating's, planted by hand and
/// pinned in tests/fixtures.rs; the maintenance link is observed, the route over it is the
/// dump's OSPF row, and both are cited.
#[test]
fn ospf_dumps_and_lldp_only_links_give_exactly_the_planted_violations() {
    let reference = audit(&root().join("fixtures/sample-city-violating"));
    let snap = ospf_town(true);
    std::fs::remove_file(snap.join("topology.toml")).unwrap();
    copy_dir(
        &root().join("tests/data/lldp-town/state"),
        &snap.join("state"),
    );
    let r = audit(&snap);
    assert_eq!(statuses(&r), statuses(&reference));
    assert_eq!(findings(&r), findings(&reference));
    for p in r["parse"].as_array().unwrap() {
        assert!(
            p["unrecognized"].as_array().unwrap().is_empty(),
            "{}: {:?}",
            p["file"],
            p["unrecognized"]
        );
    }
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "MN-ISOLATION")
        .unwrap();
    let cited: Vec<&str> = f["path"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["lines"].as_array().unwrap().iter())
        .chain(f["cause"].as_array().unwrap().iter())
        .filter_map(|l| l.as_str())
        .collect();
    // The OSPF row of mn-core's dump (line 22, as in the dump-only town) and the
    // neighbour lines that observed the maintenance link (tests/state_topology.rs).
    for want in [
        "state/mn-core/show_ip_route.txt:22",
        "state/lg-core/show_lldp_neighbors_detail.txt:24",
        "state/mn-core/show_cdp_neighbors_detail.txt:7",
    ] {
        assert!(cited.contains(&want), "{want} not in {cited:?}");
    }
    assert!(
        !cited.iter().any(|c| c.starts_with("topology.toml")),
        "{cited:?}"
    );
    let _ = std::fs::remove_dir_all(&snap);
}

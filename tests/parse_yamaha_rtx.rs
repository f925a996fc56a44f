//! Yamaha RTX parser: focused constructs with hand-derived expectations, the shared
//! corpus (every line accounted for, coverage printed and asserted), secrets, detection.

#[path = "golden/summary.rs"]
mod golden;

use sanso::ingest::yamaha_rtx::{parse, parse_with_stats};
use sanso::model::*;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn dev(text: &str) -> Device {
    let (d, understood) = parse_with_stats("configs/rtx.conf", text).unwrap();
    let un: BTreeSet<u32> = d.unrecognized.iter().map(|u| u.line).collect();
    assert_eq!(understood + un.len() as u32, d.lines);
    d
}

fn unrec_at(d: &Device, line: u32) -> Vec<&Unrecognized> {
    d.unrecognized.iter().filter(|u| u.line == line).collect()
}

/// Corpus: no panic, every line accounted for, ≥ 95 % modelled or recognised.
#[test]
fn corpus_coverage() {
    let (mut lines, mut understood, mut v6) = (0u32, 0u32, 0u32);
    let mut failures = vec![];
    for p in golden::corpus("yamaha-rtx") {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        let fname = p.file_name().unwrap().to_string_lossy().into_owned();
        let name = format!("yamaha-rtx/{fname}");
        assert_eq!(
            sanso::ingest::detect(&text).map(|d| d.id()),
            Some("yamaha-rtx"),
            "{name} not detected as RTX"
        );
        let (d, u) = parse_with_stats(&name, &text).expect("parse");
        assert_eq!(d.lines as usize, text.lines().count(), "{name}");
        let un: BTreeSet<u32> = d.unrecognized.iter().map(|u| u.line).collect();
        assert_eq!(u + un.len() as u32, d.lines, "{name}");
        for x in &d.unrecognized {
            assert!(!x.reason.is_empty(), "{name}:{} no reason", x.line);
        }
        let only_none: BTreeSet<u32> = un
            .iter()
            .copied()
            .filter(|l| {
                d.unrecognized
                    .iter()
                    .filter(|x| x.line == *l)
                    .all(|x| x.scope == Scope::None)
            })
            .collect();
        eprintln!(
            "{name}: {u}/{} understood, {} unrecognised ({} of them scope none)",
            d.lines,
            un.len(),
            only_none.len()
        );
        // Golden summary (reviewed by hand; regenerate with SANSO_BLESS=1).
        let summary = golden::summary(&name, &d, Some(u));
        if let Some(f) = golden::check("yamaha-rtx", &fname, &summary) {
            failures.push(f);
        }
        lines += d.lines;
        understood += u;
        v6 += only_none.len() as u32;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let pct = 100.0 * understood as f64 / lines as f64;
    let pct_none = 100.0 * (understood + v6) as f64 / lines as f64;
    eprintln!(
        "yamaha-rtx corpus: {understood}/{lines} lines modelled or recognised ({pct:.1}%); \
         {pct_none:.1}% counting lines listed with scope none (IPv6, unused filters)"
    );
    // Issue 15 asks for 95 %; measured 470/494 = 95.1 % (interface_filter_long_list
    // 35/43, rtx_config_raw 220/236, the other five files complete). IPv6 is out of scope
    // (docs/semantics.md) and counted; pp / tunnel are interfaces. What remains changes
    // forwarding and is not modelled: a masquerade descriptor whose outer address is a
    // DHCP-learned one, its binding and the DHCP address (10 lines), lists naming
    // undefined filters (8: RTX's behaviour for them is not documented), a bridge (2), an
    // outbound destination-MAC ethernet filter (2), a dynamic `ftp` helper (1), a pp pool
    // from DHCP leases (1). The floor is the measured value, so a regression fails.
    assert!(pct >= 95.0, "coverage {pct:.1}% below the measured 95.1%");
}

const CFG: &str = "\
# RTX1210 Rev.14.01.38 (Fri Jul 10 09:39:20 2020)
ip route default gateway 10.9.0.254
ip route 10.50.0.0/16 gateway 10.1.0.2 gateway 10.1.0.3
ip route 10.60.0.0/16 gateway pp 1
ip route 10.70.0.0/16 gateway null
ip lan1 address 10.1.0.1/24
ip lan1 secure filter in 10 11 12 13 14
ip lan2 address 10.2.0.1/255.255.255.0
ip lan2 secure filter out 20 dynamic 30 31
vlan lan1/1 802.1q vid=100
ip lan1/1 address 10.3.0.1/24
lan type lan3 port-based-option=divide-network
ip lan3.2 address 10.4.0.1/24
ip filter 10 reject 10.1.0.5 * * * *
ip filter 11 pass 10.1.0.0/24 10.2.0.10-10.2.0.20 tcp,udp * www,1024-
ip filter 12 restrict-nolog * 192.168.1.* established
ip filter 13 pass * * icmp
ip filter 14 reject * * tcpfin * *
ip filter 20 pass * * * * *
ip filter dynamic 30 * * www
ip filter dynamic 31 * * domain syslog=off
ethernet filter 1 reject-nolog 00:11:22:33:44:55 *:*:*:*:*:*
ethernet filter 2 pass * *
ethernet lan2 filter in 1 2
login password Lp4ss
administrator password Adm1nPw
login user alice AlicePw
ipsec ike pre-shared-key 1 text PskVal
pp select 1
 pp auth myname isp-user IspPw
 pp enable 1
pp select none
l2tp tunnel auth on L2Key
ipv6 lan1 address 2001:db8::1/64
syslog host 10.9.9.9
";

fn svc(p: u8, dlo: u16, dhi: u16) -> Service {
    Service {
        proto: Some(p),
        dport: PortRange { lo: dlo, hi: dhi },
        ..Service::any()
    }
}

#[test]
fn interfaces_vlans_port_separation() {
    let d = dev(CFG);
    assert_eq!(d.dialect.id(), "yamaha-rtx");
    let i = |n: &str| d.interface(n).unwrap_or_else(|| panic!("no {n}"));
    assert_eq!(i("lan1").addresses, vec![(ip("10.1.0.1"), 24)]);
    assert_eq!(i("lan2").addresses, vec![(ip("10.2.0.1"), 24)]);
    assert_eq!(i("lan1/1").parent, Some(("lan1".into(), 100)));
    assert_eq!(i("lan1/1").addresses, vec![(ip("10.3.0.1"), 24)]);
    assert_eq!(i("lan3.2").addresses, vec![(ip("10.4.0.1"), 24)]);
    assert!(d.vlans.contains_key(&100));
}

#[test]
fn routes() {
    let d = dev(CFG);
    let r: Vec<(Ipv4Addr, u8, Option<Ipv4Addr>, bool)> = d
        .routes
        .iter()
        .map(|r| (r.prefix, r.len, r.next_hop, r.discard))
        .collect();
    assert_eq!(
        r,
        vec![
            (ip("0.0.0.0"), 0, Some(ip("10.9.0.254")), false),
            (ip("10.50.0.0"), 16, Some(ip("10.1.0.2")), false),
            (ip("10.50.0.0"), 16, Some(ip("10.1.0.3")), false),
            (ip("10.60.0.0"), 16, None, false),
            (ip("10.70.0.0"), 16, None, true),
        ]
    );
    // The route into pp 1 (line 4) leaves by the interface pp1, which `pp enable 1`
    // (line 31) brings up.
    assert_eq!(d.routes[3].interface.as_deref(), Some("pp1"));
    assert!(unrec_at(&d, 4).is_empty());
    assert!(!d.interface("pp1").unwrap().shutdown);
}

#[test]
fn static_filter_list_is_a_first_match_acl() {
    let d = dev(CFG);
    let lan1 = d.interface("lan1").unwrap();
    assert_eq!(lan1.acl_in.as_ref().unwrap().name, "lan1 in");
    let acl = &d.acls["lan1 in"];
    // Filter 14 (reject tcpfin) cannot be expressed, but it is the last of the list: a
    // packet reaching it is discarded whether it matches (reject) or not (no filter
    // matched), so leaving it out is exact and line 18 is not reported.
    let lines: Vec<u32> = acl.rules.iter().map(|r| r.span.line).collect();
    // 11 names two protocols: one rule each, same line, same action (a union).
    assert_eq!(lines, vec![14, 15, 15, 16, 17]);
    assert!(unrec_at(&d, 18).is_empty());
    // 10: reject host 10.1.0.5.
    assert_eq!(acl.rules[0].action, Action::Deny);
    assert_eq!(
        acl.rules[0].m.src.items,
        vec![IpMatch::host(ip("10.1.0.5"))]
    );
    assert!(acl.rules[0].m.services.is_empty());
    // 11: tcp and udp to 80 or 1024-65535, destination range.
    let m = &acl.rules[1].m;
    assert_eq!(acl.rules[1].action, Action::Permit);
    assert_eq!(m.src.items, vec![IpMatch::prefix(ip("10.1.0.0"), 24)]);
    assert_eq!(
        m.dst.items,
        vec![IpMatch::Range {
            lo: ip("10.2.0.10"),
            hi: ip("10.2.0.20")
        }]
    );
    assert_eq!(m.services, vec![svc(6, 80, 80), svc(6, 1024, 65535)]);
    assert_eq!(
        acl.rules[2].m.services,
        vec![svc(17, 80, 80), svc(17, 1024, 65535)]
    );
    assert_eq!(acl.rules[2].m.dst, m.dst);
    // 12: restrict = pass; established = TCP with ACK or RST; octet wildcard.
    let m = &acl.rules[3].m;
    assert_eq!(acl.rules[3].action, Action::Permit);
    assert_eq!(m.established, Some(true));
    assert_eq!(m.services, vec![Service::proto(6)]);
    assert_eq!(m.dst.items, vec![IpMatch::prefix(ip("192.168.1.0"), 24)]);
    assert_eq!(acl.rules[4].m.services, vec![Service::proto(1)]);
}

#[test]
fn dynamic_filters_are_permits_and_make_the_device_stateful() {
    let d = dev(CFG);
    assert!(d.stateful);
    let acl = &d.acls["lan2 out"];
    let got: Vec<(Action, u32, Vec<Service>)> = acl
        .rules
        .iter()
        .map(|r| (r.action, r.span.line, r.m.services.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Action::Permit, 19, vec![]),
            (Action::Permit, 20, vec![svc(6, 80, 80), svc(6, 443, 443)]),
            (Action::Permit, 21, vec![svc(17, 53, 53), svc(6, 53, 53)]),
        ]
    );
    // Filter 20 passes everything, so the dynamic filters' order does not matter: no taint.
    assert!(d
        .unrecognized
        .iter()
        .all(|u| u.scope != Scope::Acl("lan2 out".into())));
}

#[test]
fn ethernet_source_mac_filter_is_combined_with_the_ip_list() {
    let d = dev(CFG);
    let lan2 = d.interface("lan2").unwrap();
    assert_eq!(lan2.acl_in.as_ref().unwrap().name, "lan2 in");
    let acl = &d.acls["lan2 in"];
    let mac = parse_mac("00:11:22:33:44:55").unwrap();
    assert_eq!(acl.rules.len(), 2);
    assert_eq!(acl.rules[0].action, Action::Deny);
    assert_eq!(acl.rules[0].m.src_mac, Some(vec![mac]));
    assert_eq!(acl.rules[1].action, Action::Permit);
    assert_eq!(acl.rules[1].m, Match::any());
}

#[test]
fn tunnels_ipv6_management() {
    let d = dev(CFG);
    let text = |l: u32| unrec_at(&d, l).first().map(|u| u.scope.clone());
    assert_eq!(text(31), None, "pp enable 1 is modelled (pp1 up)");
    assert_eq!(text(34), None, "ipv6 is counted as out of scope");
    assert_eq!(d.irrelevant[sanso::ingest::IPV6_OUT_OF_SCOPE], 1);
    assert_eq!(text(35), None, "syslog is irrelevant");
    assert!(d.irrelevant.values().sum::<u32>() >= 8);
}

/// An inexpressible filter is left out only where that cannot change a verdict.
#[test]
fn inexpressible_filter_left_out_only_when_decided_alike() {
    let cfg = "\
ip filter 1 restrict * * tcpfin * www
ip filter 2 pass 10.0.0.0/8 * * * *
ip filter 3 pass * * * * *
ip filter 4 reject 10.0.0.0/8 * * * *
ip filter 5 reject * * tcprst * *
ip lan1 secure filter in 1 2 3
ip lan2 secure filter in 1 4 3
ip lan3 secure filter in 5 4
ip lan4 secure filter in 5 4 dynamic 6
ip filter dynamic 6 * * www
";
    let d = dev(cfg);
    let scopes =
        |l: u32| -> Vec<Scope> { unrec_at(&d, l).iter().map(|u| u.scope.clone()).collect() };
    // lan1: after 1 (pass) only passes up to the catch-all 3: exact without it.
    // lan2: 4 rejects what 1 might pass: reported for lan2 in.
    assert_eq!(scopes(1), vec![Scope::Acl("lan2 in".into())]);
    // lan3: 5 (reject) followed only by rejects and the implicit discard: exact.
    // lan4: the dynamic filter may admit what 5 rejects: reported for lan4 in.
    assert_eq!(scopes(5), vec![Scope::Acl("lan4 in".into())]);
    assert_eq!(d.acls["lan1 in"].rules.len(), 2);
    assert_eq!(d.acls["lan3 in"].rules.len(), 1);
}

/// pp / tunnel interfaces: enabled or not (in file order), their filters, routes into
/// them and a remote-access address pool.
#[test]
fn tunnels_are_interfaces() {
    let cfg = "\
ip filter 1 pass 10.1.0.0/24 * * * *
ip route 10.20.0.0/16 gateway tunnel 1
ip route 10.30.0.0/16 gateway tunnel 2
tunnel select 1
 tunnel encapsulation ipsec
 ip tunnel secure filter in 1
 tunnel enable 1
tunnel select 2
 tunnel enable 2
tunnel select none
no tunnel enable all
tunnel enable 1
pp select anonymous
 ip pp remote address pool 10.100.0.10-10.100.0.50
 pp enable anonymous
tunnel select 3
 ip tunnel secure filter in 1
";
    let d = dev(cfg);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let i = |n: &str| d.interface(n).unwrap_or_else(|| panic!("no {n}"));
    // `no tunnel enable all` (line 11) disables 2; line 12 enables 1 again; 3 never.
    assert!(!i("tunnel1").shutdown);
    assert!(i("tunnel2").shutdown);
    assert!(i("tunnel3").shutdown);
    assert!(!i("pp-anonymous").shutdown);
    assert_eq!(i("tunnel1").acl_in.as_ref().unwrap().name, "tunnel1 in");
    assert_eq!(d.acls["tunnel1 in"].rules.len(), 1);
    let r: Vec<(Ipv4Addr, u8, Option<&str>)> = d
        .routes
        .iter()
        .map(|r| (r.prefix, r.len, r.interface.as_deref()))
        .collect();
    // 10.100.0.10-50 by hand: .10/31, .12/30, .16/28, .32/28, .48/31, .50/32.
    let pp = Some("pp-anonymous");
    assert_eq!(
        r,
        vec![
            (ip("10.20.0.0"), 16, Some("tunnel1")),
            (ip("10.30.0.0"), 16, Some("tunnel2")),
            (ip("10.100.0.10"), 31, pp),
            (ip("10.100.0.12"), 30, pp),
            (ip("10.100.0.16"), 28, pp),
            (ip("10.100.0.32"), 28, pp),
            (ip("10.100.0.48"), 31, pp),
            (ip("10.100.0.50"), 32, pp),
        ]
    );
    // `ip tunnel …` outside a tunnel context is reported, not guessed.
    let d = dev("ip tunnel secure filter in 1\nip filter 1 pass * *\n");
    assert_eq!(unrec_at(&d, 1)[0].scope, Scope::Device);
}

#[test]
fn secrets_never_reach_the_model() {
    let mut text = CFG.to_string();
    // Make every secret line unrecognised too, so its text is quoted.
    text.push_str("login password Lp4ss extra-token\n");
    let d = parse("configs/rtx.conf", &text).unwrap();
    let json = serde_json::to_string(&d).unwrap();
    for s in ["Lp4ss", "Adm1nPw", "AlicePw", "PskVal", "IspPw", "L2Key"] {
        assert!(!json.contains(s), "{s} leaked");
    }
    for (l, s) in [
        ("login user alice AlicePw", "AlicePw"),
        (" pp auth myname isp-user IspPw", "IspPw"),
        ("pp auth username bob BobPw myname x y", "BobPw"),
        ("l2tp tunnel auth on L2Key", "L2Key"),
        ("ipsec ike pre-shared-key 1 text PskVal", "PskVal"),
        ("administrator password Adm1nPw", "Adm1nPw"),
        ("login password Lp4ss", "Lp4ss"),
    ] {
        let r = sanso::ingest::redact::redact_line(l);
        assert!(!r.contains(s) && r.contains("<redacted>"), "{l} -> {r}");
    }
}

#[test]
fn detection_and_registry() {
    use sanso::ingest::{by_id, detect, ids};
    assert_eq!(detect(CFG).map(|d| d.id()), Some("yamaha-rtx"));
    assert_eq!(
        detect("ip lan1 address 192.168.0.1/24\n").map(|d| d.id()),
        Some("yamaha-rtx")
    );
    assert_eq!(by_id("rtx").map(|d| d.id()), Some("yamaha-rtx"));
    assert_eq!(by_id("yamaha").map(|d| d.id()), Some("yamaha-rtx"));
    assert!(ids().contains(&"yamaha-rtx"));
    // Other dialects' corpora are not taken.
    for other in ["cisco-ios", "fortios", "nftables", "iptables"] {
        for p in golden::corpus(other) {
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            assert_ne!(
                detect(&text).map(|d| d.id()),
                Some("yamaha-rtx"),
                "{} taken as RTX",
                p.display()
            );
        }
    }
}

#[test]
fn bad_input_never_panics() {
    for t in [
        "ip filter 1 pass",
        "ip filter x",
        "ip filter 1 pass 1.2.3.4/99 * tcp 1-0 *",
        "ip lan1 secure filter in",
        "ip lan1 secure filter up 1",
        "ip lan1 address 1.2.3.4/33",
        "ip route",
        "ip route default gateway",
        "ip route 1.2.3.0/24 gateway dhcp",
        "vlan lan1/1 802.1q vid=9999",
        "ethernet lan1 filter in x",
        "ethernet filter 1 pass 00:11 *",
        "nat descriptor",
        "ip filter dynamic 1 * *",
        "pp",
        "tunnel",
        "lan",
        "ip",
        "\u{3000}",
    ] {
        let _ = parse("x.conf", t);
    }
}

/// fixtures/rtx-town: an RTX holding both tiers; its filters keep them apart. Removing
/// the reject of LGWAN-bound traffic on lan1 (filter 100) and the catch-all reject (199)
/// lets MN traffic reach the LGWAN terminals.
#[test]
fn rtx_town_fixture_verdicts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rtx-town");
    let status = |dir: &std::path::Path| {
        let a = sanso::checks::audit::run(dir).unwrap();
        for d in &a.snapshot.devices {
            assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
            assert_eq!(d.dialect.id(), "yamaha-rtx");
        }
        let c = a
            .eval
            .checks
            .iter()
            .find(|c| c.rule == "MN-ISOLATION")
            .unwrap();
        c.status.id().to_string()
    };
    assert_eq!(status(&root), "pass");
    let tmp = std::env::temp_dir().join(format!("sanso-rtx-town-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("configs")).unwrap();
    for f in ["sanso.toml", "topology.toml"] {
        std::fs::copy(root.join(f), tmp.join(f)).unwrap();
    }
    let cfg = std::fs::read_to_string(root.join("configs/rtx-edge.conf")).unwrap();
    let open = cfg.replace(
        "ip lan1 secure filter in 100 101 199",
        "ip lan1 secure filter in 101",
    );
    assert_ne!(open, cfg);
    let open = open.replace("ip lan1 secure filter in 101", "ip lan1 secure filter in 101\nip filter 102 pass * * tcp * 443\nip lan1 secure filter in 101 102");
    std::fs::write(tmp.join("configs/rtx-edge.conf"), open).unwrap();
    assert_eq!(status(&tmp), "violated");
    let _ = std::fs::remove_dir_all(&tmp);
}

/// The `[[device]] dialect` override and the undetected-file message list every
/// registered dialect (from REGISTRY, so RTX is there without editing the messages).
#[test]
fn dialect_messages_list_every_dialect() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rtx-town");
    let tmp = std::env::temp_dir().join(format!("sanso-rtx-dialects-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("configs")).unwrap();
    std::fs::copy(root.join("topology.toml"), tmp.join("topology.toml")).unwrap();
    std::fs::copy(
        root.join("configs/rtx-edge.conf"),
        tmp.join("configs/rtx-edge.conf"),
    )
    .unwrap();
    let toml = std::fs::read_to_string(root.join("sanso.toml")).unwrap();
    std::fs::write(
        tmp.join("sanso.toml"),
        toml.replace("dialect = \"rtx\"", "dialect = \"no-such\""),
    )
    .unwrap();
    let e = format!(
        "{:?}",
        sanso::checks::audit::run(&tmp).err().expect("error")
    );
    for id in sanso::ingest::ids() {
        assert!(e.contains(id), "{id} missing from {e}");
    }
    assert!(e.contains("yamaha-rtx"), "{e}");
    // An undetectable file: its error lists the dialects too.
    std::fs::write(
        tmp.join("sanso.toml"),
        toml.replace(
            "[[device]]\nfile    = \"configs/rtx-edge.conf\"\ndialect = \"rtx\"\n",
            "",
        ),
    )
    .unwrap();
    std::fs::write(tmp.join("topology.toml"), "").unwrap();
    std::fs::write(tmp.join("configs/rtx-edge.conf"), "hello\n").unwrap();
    let msg = match sanso::checks::audit::run(&tmp) {
        Ok(a) => a
            .snapshot
            .file_errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("\n"),
        Err(e) => format!("{e:?}"),
    };
    assert!(
        msg.contains("yamaha-rtx") && msg.contains("cisco-ios"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

// ------------------------------------------------------------------ NAT (issue 15)

const NAT: &str = "ip lan1 address 192.168.0.1/24
ip lan2 address 203.0.113.1/24
ip lan3 address 10.0.0.1/24
ip lan2 nat descriptor 1
nat descriptor type 1 masquerade
nat descriptor address outer 1 primary
nat descriptor address inner 1 192.168.0.1-192.168.0.254
nat descriptor masquerade static 1 1 192.168.0.10 tcp 8080=www
nat descriptor static 1 2 203.0.113.100=192.168.0.100 2
nat descriptor masquerade incoming 1 reject
nat descriptor timer 1 900
";

#[test]
fn rtx_nat_descriptor_masquerade_and_statics() {
    let d = dev(NAT);
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(d.nat.len(), 1);
    let n = &d.nat[0];
    assert_eq!(n.outside, vec!["lan2".to_string()]);
    assert_eq!(n.inside, vec!["lan1".to_string(), "lan3".to_string()]);
    assert!(n.filters_see_inside);
    assert_eq!(n.dynamic.len(), 1);
    assert_eq!(
        n.dynamic[0].from,
        NatFrom::Src(AddrSet::one(IpMatch::Range {
            lo: ip("192.168.0.1"),
            hi: ip("192.168.0.254")
        }))
    );
    assert_eq!(n.dynamic[0].to, NatAddr::Interface("lan2".into()));
    let st: Vec<_> = n
        .statics
        .iter()
        .map(|s| (s.local, s.global, s.proto, s.ports, s.span.line))
        .collect();
    assert_eq!(
        st,
        vec![
            // static … count 2: two one-to-one pairs.
            (ip("192.168.0.100"), ip("203.0.113.100"), None, None, 9),
            (ip("192.168.0.101"), ip("203.0.113.101"), None, None, 9),
            // masquerade static: outer 203.0.113.1 tcp/8080 → inner tcp/80.
            (
                ip("192.168.0.10"),
                ip("203.0.113.1"),
                Some(6),
                Some((80, 8080)),
                8
            ),
        ]
    );
}

#[test]
fn rtx_nat_types_and_outer_ranges() {
    let d = dev(&NAT
        .replace("type 1 masquerade", "type 1 nat")
        .replace("outer 1 primary", "outer 1 203.0.113.10-203.0.113.20")
        .replace(
            "nat descriptor masquerade static 1 1 192.168.0.10 tcp 8080=www\n",
            "",
        )
        .replace("inner 1 192.168.0.1-192.168.0.254", "inner 1 auto"));
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let n = &d.nat[0];
    assert_eq!(n.dynamic[0].from, NatFrom::Src(AddrSet::any()));
    assert_eq!(
        n.dynamic[0].to,
        NatAddr::Pool(vec![(ip("203.0.113.10"), ip("203.0.113.20"))])
    );
}

/// A descriptor without `type` is of type none (the command reference's initial value):
/// it translates nothing, so the binding is modelled as no NAT, as is an explicit `none`
/// even with the default (ipcp) outer address. Static entries under none stay reported.
#[test]
fn rtx_nat_descriptor_without_type_translates_nothing() {
    for def in [
        "",
        "nat descriptor type 1 none\n",
        "nat descriptor address inner 1 auto\n",
    ] {
        let d = dev(&format!(
            "ip lan1 address 10.0.0.1/24\nip lan1 nat descriptor 1\n{def}"
        ));
        assert!(d.nat.is_empty(), "{def}");
        assert!(d.unrecognized.is_empty(), "{def}: {:?}", d.unrecognized);
    }
    let d = dev("ip lan1 address 10.0.0.1/24\nip lan1 nat descriptor 1\nnat descriptor static 1 1 1.1.1.1=10.0.0.5\n");
    assert!(d.nat.is_empty());
    assert_eq!(unrec_at(&d, 3).len(), 1);
    assert_eq!(unrec_at(&d, 2).len(), 1);
}

/// A descriptor with a line outside the model is not modelled at all: the binding and
/// every line of it are reported with the outer interface's scope, the culprit with its
/// own reason.
#[test]
fn rtx_nat_forms_not_modelled_stay_unrecognized() {
    for (from, to, line, why) in [
        ("outer 1 primary", "outer 1 ipcp", 5, "ipcp"),
        (
            "incoming 1 reject",
            "incoming 1 forward 192.168.0.5",
            10,
            "not modelled",
        ),
        ("tcp 8080=www", "icmp", 8, "not modelled"),
        ("tcp 8080=www", "esp 500", 8, "not read"),
        (
            "203.0.113.100=192.168.0.100 2",
            "203.0.113.100=192.168.0.100 1000",
            9,
            "1000",
        ),
        (
            "ip lan2 nat descriptor 1",
            "ip lan2 nat descriptor 1 2",
            4,
            "several",
        ),
    ] {
        let d = dev(&NAT.replace(from, to));
        assert!(d.nat.is_empty(), "{to}");
        let u = unrec_at(&d, line);
        assert!(
            u.iter().any(|u| u.reason.contains(why)),
            "{to}: {:?}",
            d.unrecognized
        );
        // Binding and all eight descriptor lines.
        let lines: BTreeSet<u32> = d.unrecognized.iter().map(|u| u.line).collect();
        assert_eq!(lines, (4..=11).collect(), "{to}: {:?}", d.unrecognized);
        assert!(d
            .unrecognized
            .iter()
            .all(|u| u.scope == Scope::Interface("lan2".into())));
    }
    // Never panics on fragments.
    for t in [
        "nat descriptor static 1 1 x=y",
        "nat descriptor static 1 1 1.2.3.4=5.6.7.8 4294967295",
        "nat descriptor static 1 1 255.255.255.255=1.1.1.1 2",
        "nat descriptor address outer 1 5.5.5.5-1.1.1.1",
        "nat descriptor masquerade static 1 1 1.1.1.1 tcp 1=",
    ] {
        let _ = dev(&format!("ip lan2 address 1.1.1.1/24\nip lan2 nat descriptor 1\nnat descriptor type 1 masquerade\n{t}\n"));
    }
}

/// fixtures/rtx-town with masquerade on the LGWAN side (lan2): modelled, MN-ISOLATION
/// still proven. A masquerade static forwarding tcp/443 of the router's lan2 address to
/// mn-db, admitted by a lan2 filter written with the inner address (RTX filters sit
/// inside NAT), lets the LGWAN side reach the マイナンバー tier; the same filter written
/// with the outer address admits nothing (the packet is translated before the filter).
#[test]
fn rtx_town_with_nat_descriptor() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rtx-town");
    let run = |tag: &str, cfg: &str| {
        let tmp = std::env::temp_dir().join(format!("sanso-rtx-nat-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("configs")).unwrap();
        for f in ["sanso.toml", "topology.toml"] {
            std::fs::copy(root.join(f), tmp.join(f)).unwrap();
        }
        std::fs::write(tmp.join("configs/rtx-edge.conf"), cfg).unwrap();
        let a = sanso::checks::audit::run(&tmp).unwrap();
        for d in &a.snapshot.devices {
            assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
            assert_eq!(d.nat.len(), 1);
        }
        let c = a
            .eval
            .checks
            .iter()
            .find(|c| c.rule == "MN-ISOLATION")
            .unwrap();
        let _ = std::fs::remove_dir_all(&tmp);
        c.status.id().to_string()
    };
    let base = std::fs::read_to_string(root.join("configs/rtx-edge.conf")).unwrap();
    let nat = format!(
        "{base}ip lan2 nat descriptor 1\nnat descriptor type 1 masquerade\nnat descriptor address outer 1 primary\n"
    );
    assert_eq!(run("masq", &nat), "pass");
    let fwd = |addr: &str| {
        format!("{nat}nat descriptor masquerade static 1 1 10.10.10.20 tcp 443\nip filter 202 pass * {addr} tcp * 443\n")
            .replace("ip lan2 secure filter in 200 201 299", "ip lan2 secure filter in 202 200 201 299")
    };
    assert_eq!(run("fwd-inner", &fwd("10.10.10.20")), "violated");
    assert_eq!(run("fwd-outer", &fwd("10.20.10.1")), "pass");
}

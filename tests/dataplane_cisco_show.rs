//! `show ip cef` / `show ip route` reader against the Stanford router outputs
//! (`shared/datasets/stanford/configs/*_route.txt`, 12 routers) and against the Hassel
//! transfer functions compiled from those same files.
use sanso_testkit::dataplane::cisco_show::{parse, parse_show_ip_route, NextHop};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

fn data() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/stanford");
    assert!(
        d.join("configs").is_dir(),
        "dataset missing: {}",
        d.display()
    );
    d
}

fn route_files() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(data().join("configs"))
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let router = name.strip_suffix("_route.txt")?.to_string();
            let text = std::fs::read_to_string(data().join("configs").join(&name)).ok()?;
            Some((router, text))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_stanford_cef_line_is_understood() {
    let files = route_files();
    assert_eq!(files.len(), 12);
    let (mut rows, mut cont, mut entries, mut total) = (0, 0, 0, 0);
    for (router, text) in &files {
        let fib = parse(&format!("{router}_route.txt"), text);
        assert!(
            fib.unrecognized.is_empty(),
            "{router}: {:?}",
            &fib.unrecognized[..fib.unrecognized.len().min(3)]
        );
        // Rows that start with a prefix are entries; indented rows are extra next hops.
        let r = text
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
            .count();
        let c = text
            .lines()
            .filter(|l| l.starts_with(' ') && !l.trim().is_empty())
            .count();
        assert_eq!(fib.entries.len(), r, "{router}");
        let extra: usize = fib.entries.iter().map(|e| e.next_hops.len() - 1).sum();
        assert_eq!(extra, c, "{router}");
        rows += r;
        cont += c;
        total += text.lines().filter(|l| !l.trim().is_empty()).count();
        entries += fib.entries.len();
    }
    // Every non-blank line is one of: 12 headers, prefix rows, continuation rows
    // (the dataset README counts 23,338 lines with `wc -l`).
    assert_eq!(rows + cont + 12, total);
    assert!(total >= 23_338 - 12, "{total}");
    assert_eq!(entries, rows);
}

#[test]
fn spot_checked_rows_match_the_file() {
    for (router, text) in route_files() {
        let fib = parse("x", &text);
        let lines: Vec<&str> = text.lines().collect();
        // Every 97th entry: its line, read here, has the same prefix and first hop.
        for e in fib.entries.iter().step_by(97) {
            let cols: Vec<&str> = lines[e.line as usize - 1].split_whitespace().collect();
            assert_eq!(
                cols[0],
                format!("{}/{}", e.prefix, e.len),
                "{router}:{}",
                e.line
            );
            match &e.next_hops[0] {
                NextHop::Via { addr, interface } => {
                    assert_eq!(cols[1], addr.to_string());
                    assert_eq!(cols.get(2).copied(), interface.as_deref());
                }
                NextHop::Attached { interface } => {
                    assert_eq!(cols[1], "attached");
                    assert_eq!(cols[2], interface);
                }
                NextHop::Receive => assert_eq!(cols[1], "receive"),
                NextHop::Drop => assert!(cols[1] == "drop" || cols[2].starts_with("Null")),
                NextHop::Multicast => assert_eq!(cols[1], "multicast"),
            }
        }
    }
    // Two rows read by eye from bbra_rtr_route.txt.
    let text = std::fs::read_to_string(data().join("configs/bbra_rtr_route.txt")).unwrap();
    let fib = parse("bbra_rtr_route.txt", &text);
    let e = &fib.entries[0];
    assert_eq!((e.prefix, e.len, e.line), (Ipv4Addr::UNSPECIFIED, 0, 2));
    assert_eq!(
        e.next_hops,
        vec![NextHop::Via {
            addr: "172.20.4.2".parse().unwrap(),
            interface: Some("Vlan2".into())
        }]
    );
    let hit = fib.lookup("128.12.0.2".parse().unwrap()).unwrap();
    assert_eq!((hit.len, hit.line), (32, 149));
    // Routes for the model: receive/multicast rows are not forwarding routes.
    let routes = fib.to_routes();
    assert!(routes.iter().all(|r| r.span.file == "bbra_rtr_route.txt"));
    assert!(routes.iter().any(|r| r.discard && r.len == 8));
    let receive = fib
        .entries
        .iter()
        .filter(|e| e.next_hops.iter().all(|n| *n == NextHop::Receive))
        .count();
    assert!(receive > 0);
    assert!(routes.len() < fib.entries.iter().map(|e| e.next_hops.len()).sum::<usize>());
}

/// The Hassel transfer functions were compiled from these files; each forwarding rule
/// cites the 0-based lines it came from. The prefix read at every cited line must lie
/// inside the rule's match, and the cited lines must cover the rules of all 12 routers.
#[test]
fn consistent_with_hassel_transfer_functions() {
    let mut cited = 0;
    for (router, text) in route_files() {
        let fib = parse("x", &text);
        let tf = std::fs::read_to_string(data().join(format!("hassel-tf/{router}.tf"))).unwrap();
        for rule in tf.lines().skip(2) {
            let f: Vec<&str> = rule.split('$').collect();
            if f.len() < 13 || f[0] != "fwd" || !f[10].ends_with(&format!("{router}_route.txt")) {
                continue;
            }
            let wc = f[2];
            assert_eq!(wc.len(), 32);
            for n in f[11].split(',').filter(|s| !s.is_empty()) {
                let n: u32 = n.parse().unwrap();
                let e = fib
                    .entries
                    .iter()
                    .find(|e| e.line == n + 1)
                    .unwrap_or_else(|| panic!("{router}: no entry at line {}", n + 1));
                let bits = u32::from(e.prefix);
                for (i, c) in wc.chars().enumerate() {
                    let b = (bits >> (31 - i)) & 1;
                    match c {
                        'x' => {}
                        '0' | '1' => {
                            assert!((i as u8) < e.len, "{router}:{} bit {i} fixed", n + 1);
                            assert_eq!(b, c.to_digit(2).unwrap(), "{router}:{}", n + 1);
                        }
                        _ => panic!("bad wildcard {wc}"),
                    }
                }
                cited += 1;
            }
        }
    }
    assert!(cited > 3_000, "{cited}");
}

#[test]
fn show_ip_route_text() {
    let text = "\
Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       * - candidate default, U - per-user static route, o - ODR

Gateway of last resort is 10.0.0.1 to network 0.0.0.0

S*    0.0.0.0/0 [1/0] via 10.0.0.1
      10.0.0.0/8 is variably subnetted, 4 subnets, 2 masks
C        10.0.0.0/30 is directly connected, GigabitEthernet0/0
L        10.0.0.2/32 is directly connected, GigabitEthernet0/0
O IA     10.20.0.0/16 [110/3] via 10.0.0.1, 2d01h, GigabitEthernet0/0
                      [110/3] via 10.0.0.5, 2d01h, GigabitEthernet0/1
      172.16.0.0/24 is subnetted, 1 subnets
D EX     172.16.5.0 [170/28] via 10.0.0.5, 00:01:02, GigabitEthernet0/1
S        192.168.9.0/24 is directly connected, Null0
this line is garbage
";
    let fib = parse_show_ip_route("r1/show-ip-route.txt", text);
    assert_eq!(fib.entries.len(), 6);
    assert_eq!(fib.unrecognized.len(), 1);
    assert_eq!(fib.unrecognized[0].line, 16);
    let oia = &fib.entries[3];
    assert_eq!((oia.code.as_str(), oia.len, oia.line), ("O IA", 16, 11));
    assert_eq!(oia.next_hops.len(), 2);
    let dex = &fib.entries[4];
    assert_eq!((dex.prefix, dex.len), ("172.16.5.0".parse().unwrap(), 24));
    assert_eq!(fib.entries[2].next_hops, vec![NextHop::Receive]);
    assert_eq!(fib.entries[5].next_hops, vec![NextHop::Drop]);
    // Auto-detection picks the route parser for this text.
    assert_eq!(
        parse("x", text),
        sanso_testkit::dataplane::cisco_show::Fib {
            file: "x".into(),
            ..fib.clone()
        }
    );
    let routes = fib.to_routes();
    // Receive (L) is left out; the ECMP row gives two routes.
    assert_eq!(routes.len(), 6);
    assert!(routes
        .iter()
        .any(|r| r.len == 0 && r.next_hop == Some("10.0.0.1".parse().unwrap())));
}

#[test]
fn bad_input_is_reported_not_fatal() {
    let fib = parse(
        "x",
        "Prefix  Next Hop  Interface\n10.0.0.0/33 1.2.3.4 Vlan1\n  \u{0}\u{ff}\n10.1.0.0/16 wat\n",
    );
    assert!(fib.entries.is_empty());
    assert_eq!(
        fib.unrecognized.iter().map(|u| u.line).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
    let fib = parse_show_ip_route("x", "O 10.0.0.0/8\n[110/2] via\n");
    assert!(fib.entries.is_empty());
    assert_eq!(fib.unrecognized.len(), 2);
}

/// Per port, against Hassel: every forwarding rule Hassel compiled from a `show ip cef`
/// line sends the header out of ports that carry that entry's interface — the routed port
/// or sub-interface's parent, or for `VlanN` a switch port whose VLANs (sanso's reading of
/// the router's config) include N. Which ports of a VLAN Hassel picks follows spanning tree
/// and the MAC table, which sanso does not model (a VLAN is one L2 domain), so the check is
/// inclusion, per rule and port. Two kinds of rows are Hassel's own reading, listed:
/// `receive` rows with an interface (a subnet's network and broadcast address: sanso
/// delivers them to the router, Hassel floods them on the interface), and 11 rows whose
/// next hop Hassel placed from the MAC table on a trunk whose allowed list (the config)
/// does not carry that VLAN — the dumps and the config disagree (rozb Te2/3 learnt
/// 0010.dbff.2080 in VLAN 206, which its allowed list omits).
#[test]
fn cef_interfaces_carry_the_hassel_ports() {
    use sanso::model::IfMode;
    const MAC_TABLE_ONLY: &[(&str, u32)] = &[
        ("bbra_rtr", 834),
        ("bbra_rtr", 863),
        ("bbra_rtr", 868),
        ("bbrb_rtr", 736),
        ("rozb_rtr", 41),
        ("rozb_rtr", 42),
        ("rozb_rtr", 805),
        ("rozb_rtr", 806),
        ("rozb_rtr", 941),
        ("rozb_rtr", 942),
        ("rozb_rtr", 1300),
    ];
    let names = std::fs::read_to_string(data().join("hassel-tf-simple-port-names.tsv")).unwrap();
    let port_name: std::collections::HashMap<u32, (String, String)> = names
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f[0].parse().ok()?, (f[1].to_string(), f[2].to_string())))
        })
        .collect();
    let (mut checked, mut vlan_ports, mut receive) = (0, 0, 0);
    let mut unexplained = vec![];
    let mut mac_only = std::collections::BTreeSet::new();
    for (router, text) in route_files() {
        let fib = parse("x", &text);
        let cfg =
            std::fs::read_to_string(data().join(format!("configs/{router}_config.txt"))).unwrap();
        let dev = sanso::ingest::cisco_ios::parse(&format!("{router}_config.txt"), &cfg).unwrap();
        let tf = std::fs::read_to_string(data().join(format!("hassel-tf/{router}.tf"))).unwrap();
        for rule in tf.lines().skip(2) {
            let f: Vec<&str> = rule.split('$').collect();
            if f.len() < 13 || f[0] != "fwd" || !f[10].ends_with(&format!("{router}_route.txt")) {
                continue;
            }
            let outs: Vec<u32> = f[7]
                .trim_matches(|c| c == '[' || c == ']')
                .split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect();
            for n in f[11].split(',').filter(|s| !s.is_empty()) {
                let line: u32 = n.parse::<u32>().unwrap() + 1;
                let e = fib.entries.iter().find(|e| e.line == line).unwrap();
                if e.next_hops == [NextHop::Receive] {
                    receive += 1;
                    continue;
                }
                let ifaces: Vec<String> = e
                    .next_hops
                    .iter()
                    .filter_map(|h| match h {
                        NextHop::Via { interface, .. } => interface.clone(),
                        NextHop::Attached { interface } => Some(interface.clone()),
                        _ => None,
                    })
                    .map(|i| sanso::ingest::cisco_ios::canon_if(&i))
                    .collect();
                for o in &outs {
                    let (r, p) = &port_name[o];
                    assert_eq!(r, &router, "port {o}");
                    // A Hassel port may stand for several physical ports (`gi2/3|gi3/3`).
                    let members: Vec<String> = p
                        .split('|')
                        .map(sanso::ingest::cisco_ios::canon_if)
                        .collect();
                    let carried = ifaces.iter().any(|i| {
                        let phys = i.split('.').next().unwrap_or(i);
                        if members.iter().any(|m| m.eq_ignore_ascii_case(phys)) {
                            return true;
                        }
                        let Some(v) = i.strip_prefix("Vlan").and_then(|v| v.parse::<u16>().ok())
                        else {
                            return false;
                        };
                        dev.interfaces.iter().any(|x| {
                            members.iter().any(|m| x.name.eq_ignore_ascii_case(m))
                                && match &x.mode {
                                    IfMode::Access { vlan } => *vlan == v,
                                    IfMode::Trunk { allowed, .. } => allowed.contains(v),
                                    _ => false,
                                }
                        })
                    });
                    checked += 1;
                    if carried {
                        vlan_ports += usize::from(ifaces.iter().any(|i| i.starts_with("Vlan")));
                    } else if MAC_TABLE_ONLY.contains(&(router.as_str(), line)) {
                        mac_only.insert((router.clone(), line));
                    } else {
                        unexplained.push(format!(
                            "{router}_route.txt:{line}: Hassel port {o} ({p}) is not on {ifaces:?}"
                        ));
                    }
                }
            }
        }
    }
    assert!(unexplained.is_empty(), "{}", unexplained.join("\n"));
    assert_eq!(mac_only.len(), MAC_TABLE_ONLY.len(), "{mac_only:?}");
    // Both kinds occur: routed ports and VLAN members; the receive rows are a minority.
    assert!(
        checked > 30_000 && vlan_ports > 10_000,
        "{checked} {vlan_ports}"
    );
    assert!(receive < checked / 5, "{receive}");
}

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

//! Linux device folders: interfaces, bridges/VLANs, routes, sysctl, merged rulesets and
//! per-file coverage; the real-tool dumps in fixtures/linux-dumps and hand-written
//! `ip -j` / `bridge -j` inputs.

use sanso::ingest::linux::{from_texts, load};
use sanso::model::*;
use std::collections::BTreeMap;
use std::path::Path;

fn dumps(dev: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/linux-dumps")
        .join(dev)
}
fn a(s: &str) -> std::net::Ipv4Addr {
    s.parse().unwrap()
}
fn iface<'a>(d: &'a Device, n: &str) -> &'a Interface {
    d.interface(n).unwrap_or_else(|| panic!("no interface {n}"))
}
fn dev(files: &[(&'static str, &str)]) -> Device {
    let m: BTreeMap<&str, String> = files.iter().map(|(k, v)| (*k, v.to_string())).collect();
    from_texts("h1", "configs/h1", &m).expect("load")
}

#[test]
fn real_nft_router_folder() {
    let d = load(&dumps("gw1"), "configs/gw1").unwrap();
    assert_eq!(d.name, "gw1");
    assert_eq!(d.file, "configs/gw1/ruleset.nft");
    assert_eq!(d.dialect, sanso::ingest::nftables::DIALECT);
    assert!(d.stateful && !d.policy_based);
    let nf = d.netfilter.as_ref().unwrap();
    assert!(nf.ip_forward, "sysctl.txt says net.ipv4.ip_forward = 1");
    assert_eq!(nf.chains.len(), 8);
    let names: Vec<&str> = d.interfaces.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["wan0", "lan0", "dmz0", "spare0"], "lo is ignored");
    assert_eq!(iface(&d, "wan0").addresses, vec![(a("203.0.113.2"), 30)]);
    assert_eq!(
        iface(&d, "lan0").addresses,
        vec![(a("10.10.0.1"), 24), (a("10.10.1.1"), 24)]
    );
    assert!(!iface(&d, "lan0").shutdown);
    assert!(iface(&d, "spare0").shutdown, "spare0 was never set up");
    assert_eq!(iface(&d, "wan0").mode, IfMode::Routed);
    // Spans point at the line where the interface object starts.
    let text = std::fs::read_to_string(dumps("gw1").join("ip-addr.json")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let sp = &iface(&d, "wan0").span;
    assert_eq!(sp.file, "configs/gw1/ip-addr.json");
    assert!(lines[sp.line as usize - 1].contains('{'));
    let next_ifname = lines[sp.line as usize..]
        .iter()
        .find(|l| l.contains("\"ifname\""))
        .unwrap();
    assert!(next_ifname.contains("\"wan0\""), "{next_ifname}");
    // Routes: default, one static, three discards; connected (proto kernel) skipped.
    let r: Vec<(std::net::Ipv4Addr, u8, Option<std::net::Ipv4Addr>, bool)> = d
        .routes
        .iter()
        .map(|r| (r.prefix, r.len, r.next_hop, r.discard))
        .collect();
    assert_eq!(
        r,
        vec![
            (a("0.0.0.0"), 0, Some(a("203.0.113.1")), false),
            (a("10.97.0.0"), 16, None, true),
            (a("10.98.0.0"), 16, None, true),
            (a("10.99.0.0"), 16, None, true),
            (a("192.168.100.0"), 24, Some(a("10.10.0.254")), false),
        ]
    );
    assert_eq!(d.routes[0].interface.as_deref(), Some("wan0"));
    // Every file of the folder is accounted for.
    let extra: Vec<&str> = d.extra_files.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        extra,
        [
            "configs/gw1/ruleset.json",
            "configs/gw1/ip-addr.json",
            "configs/gw1/ip-route.json",
            "configs/gw1/sysctl.txt"
        ]
    );
    let json_unrec: Vec<&Unrecognized> = d
        .unrecognized
        .iter()
        .filter(|u| u.file.as_deref() == Some("configs/gw1/ruleset.json"))
        .collect();
    assert_eq!(json_unrec.len(), 1, "ruleset.json is listed as not read");
    assert!(d.unrecognized.iter().filter(|u| u.file.is_none()).count() >= 3);
}

#[test]
fn real_iptables_folder() {
    let d = load(&dumps("ipt1"), "configs/ipt1").unwrap();
    assert_eq!(d.dialect, sanso::ingest::iptables::DIALECT);
    assert_eq!(d.file, "configs/ipt1/iptables.rules");
    assert_eq!(iface(&d, "eth1").addresses, vec![(a("10.40.0.1"), 24)]);
    let nf = d.netfilter.as_ref().unwrap();
    assert!(nf.chain("filter FORWARD").is_some());
    assert_eq!(d.routes.len(), 1);
}

const ADDR: &str = r#"[
 {"ifname": "lo", "flags": ["LOOPBACK", "UP"], "operstate": "UNKNOWN", "addr_info": []},
 {"ifname": "eth0", "flags": ["BROADCAST", "UP", "LOWER_UP"], "operstate": "UP",
  "addr_info": [{"family": "inet", "local": "192.0.2.1", "prefixlen": 24},
                {"family": "inet6", "local": "fe80::1", "prefixlen": 64}]},
 {"ifname": "eth0.20", "link": "eth0", "flags": ["UP"], "operstate": "UP",
  "addr_info": [{"family": "inet", "local": "10.20.0.1", "prefixlen": 24}]},
 {"ifname": "vlan30", "link": "eth0", "flags": ["UP"], "operstate": "UP",
  "linkinfo": {"info_kind": "vlan", "info_data": {"protocol": "802.1Q", "id": 30}},
  "addr_info": []},
 {"ifname": "eth1", "master": "br0", "flags": ["UP"], "operstate": "UP", "addr_info": []},
 {"ifname": "eth2", "master": "br0", "flags": ["UP"], "operstate": "UP", "addr_info": []},
 {"ifname": "eth3", "flags": ["BROADCAST"], "operstate": "DOWN", "addr_info": []},
 {"ifname": "br0", "flags": ["UP"], "operstate": "UP",
  "addr_info": [{"family": "inet", "local": "10.1.0.1", "prefixlen": 24}]},
 {"ifname": "br0.10", "link": "br0", "flags": ["UP"], "operstate": "UP",
  "addr_info": [{"family": "inet", "local": "10.10.0.1", "prefixlen": 24}]}
]"#;

const VLANS: &str = r#"[
 {"ifname": "eth1", "vlans": [{"vlan": 10, "flags": ["PVID", "Egress Untagged"]}]},
 {"ifname": "eth2", "vlans": [{"vlan": 1, "flags": ["PVID", "Egress Untagged"]},
                              {"vlan": 10}, {"vlan": 20, "vlanEnd": 30}]},
 {"ifname": "br0", "vlans": [{"vlan": 1, "flags": ["PVID", "Egress Untagged"]}, {"vlan": 10}]}
]"#;

#[test]
fn interfaces_vlans_and_vlan_filtering_bridge() {
    let d = dev(&[
        ("ip-addr.json", ADDR),
        ("bridge-vlan.json", VLANS),
        ("ruleset.nft", "table inet f {\n}\n"),
    ]);
    assert!(d.interface("lo").is_none());
    assert_eq!(iface(&d, "eth0").addresses, vec![(a("192.0.2.1"), 24)]);
    assert_eq!(
        iface(&d, "eth0").span,
        Span::new("configs/h1/ip-addr.json", 3)
    );
    assert_eq!(iface(&d, "eth0.20").parent, Some(("eth0".into(), 20)));
    assert_eq!(iface(&d, "vlan30").parent, Some(("eth0".into(), 30)));
    assert!(iface(&d, "eth3").shutdown);
    assert!(!iface(&d, "eth0").shutdown);
    assert_eq!(iface(&d, "eth1").mode, IfMode::Access { vlan: 10 });
    assert_eq!(
        iface(&d, "eth2").mode,
        IfMode::Trunk {
            allowed: VlanSet {
                ranges: vec![(1, 1), (10, 10), (20, 30)]
            },
            native: 1
        }
    );
    assert_eq!(iface(&d, "br0").mode, IfMode::Svi { vlan: 1 });
    assert_eq!(iface(&d, "br0.10").mode, IfMode::Svi { vlan: 10 });
    assert_eq!(iface(&d, "br0.10").parent, None);
    let vl: Vec<u16> = d.vlans.keys().copied().collect();
    let mut want = vec![1, 10];
    want.extend(20..=30);
    assert_eq!(vl, want);
    assert!(d.unrecognized.is_empty(), "{:#?}", d.unrecognized);
    assert!(
        d.netfilter.as_ref().unwrap().ip_forward,
        "no sysctl.txt: forwarding assumed on"
    );
}

#[test]
fn bridge_without_vlan_filtering_and_two_bridges() {
    let addr = r#"[{"ifname": "p1", "flags": ["UP"], "operstate": "UP"},
 {"ifname": "br0", "flags": ["UP"], "operstate": "UP"},
 {"ifname": "p2", "flags": ["UP"], "operstate": "UP"},
 {"ifname": "br1", "flags": ["UP"], "operstate": "UP"}]"#;
    let link = r#"[{"ifindex": 1, "ifname": "p1", "master": "br0", "state": "forwarding"}]"#;
    let d = dev(&[("ip-addr.json", addr), ("bridge-link.json", link)]);
    assert_eq!(iface(&d, "p1").mode, IfMode::Access { vlan: 1 });
    assert_eq!(iface(&d, "br0").mode, IfMode::Svi { vlan: 1 });
    assert_eq!(iface(&d, "p2").mode, IfMode::Routed);
    assert!(d.unrecognized.is_empty());
    assert_eq!(
        d.file, "configs/h1/ip-addr.json",
        "no ruleset: the address dump is the main file"
    );
    assert!(d.netfilter.as_ref().unwrap().chains.is_empty());
    let link2 = r#"[{"ifname": "p1", "master": "br0"}, {"ifname": "p2", "master": "br1"}]"#;
    let d = dev(&[("ip-addr.json", addr), ("bridge-link.json", link2)]);
    let u = &d.unrecognized[0];
    assert_eq!(u.scope, Scope::Device);
    assert!(u.reason.contains("2 bridges"), "{}", u.reason);
}

#[test]
fn routes_sysctl_and_merged_rulesets() {
    let routes = r#"[{"dst": "default", "gateway": "192.0.2.254", "dev": "eth0"},
 {"dst": "10.5.0.0/16", "nexthops": [{"gateway": "10.1.0.2", "dev": "br0"}, {"gateway": "10.1.0.3", "dev": "br0"}]},
 {"type": "blackhole", "dst": "10.6.0.0/16"},
 {"dst": "10.7.0.0/16", "gateway": "10.1.0.9", "table": "100"},
 {"type": "local", "dst": "192.0.2.1", "table": "local", "dev": "eth0"},
 {"dst": "192.0.2.0/24", "dev": "eth0", "protocol": "kernel", "scope": "link"}]"#;
    let nft = "table ip filter {\n\tchain forward {\n\t\ttype filter hook forward priority 0; policy drop;\n\t\tlimit rate 1/second accept\n\t}\n}\n";
    let ipt = "*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -m limit --limit 1/s -j ACCEPT\nCOMMIT\n";
    let d = dev(&[
        ("ip-route.json", routes),
        ("ruleset.nft", nft),
        ("iptables.rules", ipt),
        (
            "sysctl.txt",
            "# forwarding\nnet.ipv4.ip_forward = 0\nnet.ipv4.conf.all.rp_filter=1\n",
        ),
    ]);
    let nf = d.netfilter.as_ref().unwrap();
    assert!(!nf.ip_forward);
    let ids: Vec<&str> = nf.chains.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["ip filter forward", "filter FORWARD"]);
    let r: Vec<(std::net::Ipv4Addr, u8, Option<std::net::Ipv4Addr>, bool)> = d
        .routes
        .iter()
        .map(|r| (r.prefix, r.len, r.next_hop, r.discard))
        .collect();
    assert_eq!(
        r,
        vec![
            (a("0.0.0.0"), 0, Some(a("192.0.2.254")), false),
            (a("10.5.0.0"), 16, Some(a("10.1.0.2")), false),
            (a("10.5.0.0"), 16, Some(a("10.1.0.3")), false),
            (a("10.6.0.0"), 16, None, true),
        ]
    );
    assert_eq!(d.routes[3].span, Span::new("configs/h1/ip-route.json", 3));
    // Per-file coverage: each report names its file.
    let by_file: Vec<(Option<&str>, u32, Scope)> = d
        .unrecognized
        .iter()
        .map(|u| (u.file.as_deref(), u.line, u.scope.clone()))
        .collect();
    assert_eq!(
        by_file,
        vec![
            (None, 4, Scope::Policy),
            (Some("configs/h1/iptables.rules"), 3, Scope::Policy),
            (Some("configs/h1/sysctl.txt"), 3, Scope::None),
            (Some("configs/h1/ip-route.json"), 4, Scope::Routing),
        ]
    );
    assert_eq!(d.file, "configs/h1/ruleset.nft");
    assert_eq!(d.lines, 6);
    assert_eq!(
        d.extra_files,
        vec![
            ("configs/h1/iptables.rules".to_string(), 4),
            ("configs/h1/ip-route.json".to_string(), 6),
            ("configs/h1/sysctl.txt".to_string(), 3),
        ]
    );
}

#[test]
fn broken_json_is_a_file_error_not_a_panic() {
    let m: BTreeMap<&str, String> = [("ip-addr.json", "[{\"ifname\": ".to_string())].into();
    let e = from_texts("h1", "configs/h1", &m).unwrap_err();
    assert_eq!(e.file, "configs/h1/ip-addr.json");
    let m: BTreeMap<&str, String> = [("ip-addr.json", "[1, \"x\", {}]".to_string())].into();
    let d = from_texts("h1", "configs/h1", &m).unwrap();
    assert_eq!(
        d.unrecognized.len(),
        3,
        "entries without ifname are reported"
    );
    assert!(from_texts("h1", "configs/h1", &BTreeMap::new()).is_err());
}

#[test]
fn snapshot_loads_a_linux_folder() {
    let root = std::env::temp_dir().join(format!("sanso-linux-snap-{}", std::process::id()));
    let cfg = root.join("configs/gw1");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::create_dir_all(root.join("configs/notes")).unwrap();
    for f in ["ruleset.nft", "ip-addr.json", "ip-route.json", "sysctl.txt"] {
        std::fs::copy(dumps("gw1").join(f), cfg.join(f)).unwrap();
    }
    std::fs::write(
        root.join("sanso.toml"),
        "[organization]\nname = \"t\"\n\n[[zone]]\nname = \"lan\"\ntier = \"lgwan\"\nsubnets = [\"10.10.0.0/24\"]\nattach = [\"gw1:lan0\"]\n",
    )
    .unwrap();
    let snap = sanso::model::Snapshot::load(&root);
    std::fs::remove_dir_all(&root).ok();
    let snap = snap.expect("snapshot");
    assert_eq!(
        snap.devices.len(),
        1,
        "the empty `notes` folder is not a device"
    );
    assert_eq!(snap.devices[0].name, "gw1");
    assert_eq!(
        snap.inputs,
        [
            "sanso.toml",
            "configs/gw1/ruleset.nft",
            "configs/gw1/ip-addr.json",
            "configs/gw1/ip-route.json",
            "configs/gw1/sysctl.txt"
        ]
    );
    assert_eq!(
        snap.zones[0].attach,
        vec![("gw1".to_string(), "lan0".to_string())]
    );
}

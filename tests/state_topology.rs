//! Device state as topology: the neighbour, ARP and MAC table readers on real-format
//! outputs (expected entries derived by hand from the text), no panic on truncated or
//! garbled output, and a town whose links exist only in its devices' tables.

mod common;
use common::{cli, copy_dir, root};
use sanso::ingest::state::{arp, mac, neighbors};
use sanso::model::{parse_mac, Snapshot};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn town_data(p: &str) -> String {
    std::fs::read_to_string(root().join("tests/data/lldp-town/state").join(p)).unwrap()
}

/// (local, remote name, remote port, protocol, line) of each entry.
fn entries(
    r: &sanso::ingest::state::Read<neighbors::Neighbor>,
) -> Vec<(&str, &str, &str, &str, u32)> {
    r.items
        .iter()
        .map(|n| {
            (
                n.local_if.as_str(),
                n.remote_name.as_str(),
                n.remote_port.as_str(),
                n.protocol,
                n.line,
            )
        })
        .collect()
}

#[test]
fn cisco_lldp_detail() {
    let r = neighbors::read(
        "show_lldp_neighbors_detail",
        &town_data("mn-core/show_lldp_neighbors_detail.txt"),
    )
    .unwrap();
    assert_eq!(
        entries(&r),
        vec![
            ("Gi1/0/1", "mn-floor1.city.lg.jp", "Gi1/0/48", "LLDP", 3),
            ("Gi1/0/2", "kikan-gw", "001b.210a.0b30", "LLDP", 28),
        ]
    );
    assert_eq!(
        r.items[0].remote_port_desc.as_deref(),
        Some("uplink mn-core")
    );
    assert!(r.unrecognized.is_empty(), "{:?}", r.unrecognized);
}

#[test]
fn cisco_cdp_detail() {
    let r = neighbors::read(
        "show_cdp_neighbors_detail",
        &town_data("mn-core/show_cdp_neighbors_detail.txt"),
    )
    .unwrap();
    assert_eq!(
        entries(&r),
        vec![
            (
                "GigabitEthernet1/0/24",
                "lg-core.city.lg.jp",
                "GigabitEthernet1/0/24",
                "CDP",
                7
            ),
            (
                "GigabitEthernet1/0/1",
                "mn-floor1.city.lg.jp",
                "GigabitEthernet1/0/48",
                "CDP",
                27
            ),
        ]
    );
    assert!(r.unrecognized.is_empty(), "{:?}", r.unrecognized);
}

const AWPLUS_LLDP: &str = "\
awplus#show lldp neighbors detail
Local port1.0.1:
  Neighbors table last updated 0 hrs 0 mins 46 secs ago
  Chassis ID Type ............... MAC address
  Chassis ID .................... 0000.cd24.daeb
  Port ID Type .................. Interface alias
  Port ID ....................... port1.0.6
  TTL ........................... 120 (secs)
  Port Description .............. uplink
  System Name ................... floor-2.city.lg.jp
  System Description ............ Allied Telesis router/switch, AW+ v5.5.2
  System Capabilities - Supported  .. Bridge, Router
                      - Enabled .... Bridge
  Management Address ............ 10.1.0.6
  Port VLAN ID (PVID) ........... 1
Local port1.0.2:
  Neighbors table last updated 0 hrs 2 mins 10 secs ago
  Chassis ID Type ............... MAC address
  Chassis ID .................... 0000.cd24.0001
  Port ID Type .................. MAC address
  Port ID ....................... 0000.cd24.0001
  TTL ........................... 120 (secs)
  System Name ................... ap-3f
  Chassis ID Type ............... MAC address
  Chassis ID .................... 0000.cd24.0002
  Port ID Type .................. Interface name
  Port ID ....................... eth0
  this line is not lldp
";

#[test]
fn awplus_lldp_detail() {
    let r = neighbors::read("show_lldp_neighbors_detail", AWPLUS_LLDP).unwrap();
    assert_eq!(
        entries(&r),
        vec![
            ("port1.0.1", "floor-2.city.lg.jp", "port1.0.6", "LLDP", 4),
            ("port1.0.2", "ap-3f", "0000.cd24.0001", "LLDP", 18),
        ]
    );
    // The second neighbour on port1.0.2 (from line 24) has no System Name, and line 28
    // is not a field: both listed, in line order.
    let lines: Vec<u32> = r.unrecognized.iter().map(|u| u.0).collect();
    assert_eq!(lines, vec![24, 28], "{:?}", r.unrecognized);
}

#[test]
fn fortios_lldprx() {
    let r = neighbors::read(
        "diagnose_lldprx_neighbor_summary",
        &town_data("fw-lgwan/diagnose_lldprx_neighbor_summary.txt"),
    )
    .unwrap();
    assert_eq!(
        entries(&r),
        vec![
            ("port1", "lg-core", "Gi1/0/48", "LLDP", 2),
            ("port3", "inet-core.city.lg.jp", "Gi1/0/47", "LLDP", 3),
        ]
    );
    assert!(r.unrecognized.is_empty());
    // The form of the Fortinet community article (third-party switch).
    let r = neighbors::read(
        "diagnose_lldprx_neighbor",
        "1 port 'wan1' 5 mac 6C:41:6A:D8:CE:AF chassis 6C:41:6A:D8:CE:80 port 'Te1/0/1' system 'Switch'\nNeighbor Summary:\n",
    )
    .unwrap();
    assert_eq!(entries(&r), vec![("wan1", "Switch", "Te1/0/1", "LLDP", 1)]);
    assert_eq!(r.unrecognized.len(), 1);
    assert_eq!(r.unrecognized[0].0, 2);
}

#[test]
fn arp_tables_of_three_vendors() {
    let m = |s: &str| parse_mac(s).unwrap();
    let r = arp::read("show_ip_arp", &town_data("lg-core/show_ip_arp.txt")).unwrap();
    let got: Vec<_> = r
        .items
        .iter()
        .map(|e| (e.ip.to_string(), e.mac, e.interface.clone(), e.line))
        .collect();
    // Seven rows, the Incomplete one (line 7) has no MAC: six entries.
    assert_eq!(got.len(), 6);
    assert_eq!(
        got[3],
        (
            "10.20.20.25".into(),
            m("00aa.0220.0025"),
            Some("Vlan220".into()),
            6
        )
    );
    assert!(r.unrecognized.is_empty());
    let awp = "IP Address      MAC Address     Interface          Port          Type\n\
               10.1.10.21      001b.210a.0b0c  vlan10             port1.0.3     dynamic\n\
               garbage here\n";
    let r = arp::read("show_arp", awp).unwrap();
    assert_eq!(r.items.len(), 1);
    assert_eq!(r.items[0].interface.as_deref(), Some("vlan10"));
    assert_eq!(r.items[0].port.as_deref(), Some("port1.0.3"));
    assert_eq!(
        r.unrecognized.iter().map(|u| u.0).collect::<Vec<_>>(),
        vec![3]
    );
    let fgt = "Address           Age(min)   Hardware Addr      Interface\n\
               10.10.254.1       0          00:aa:01:00:00:2f  port1\n";
    let r = arp::read("get_system_arp", fgt).unwrap();
    assert_eq!(r.items[0].mac, m("00:aa:01:00:00:2f"));
    assert_eq!(r.items[0].interface.as_deref(), Some("port1"));
}

#[test]
fn mac_tables_of_two_vendors() {
    let r = mac::read(
        "show_mac_address-table",
        &town_data("mn-core/show_mac_address-table.txt"),
    )
    .unwrap();
    let got: Vec<_> = r
        .items
        .iter()
        .map(|e| (e.vlan, e.port.as_str(), e.line))
        .collect();
    // The two CPU entries are the switch itself.
    assert_eq!(
        got,
        vec![
            (Some(110), "Gi1/0/1", 9),
            (Some(110), "Gi1/0/2", 10),
            (Some(120), "Gi1/0/1", 11),
            (Some(900), "Gi1/0/47", 12)
        ]
    );
    assert!(r.unrecognized.is_empty());
    let awp = "VLAN  port             mac             fwd\n\
               1     port1.0.1        0000.cd24.daa8  forward   dynamic\n\
               1     port1.0.2\n";
    let r = mac::read("show_mac_address-table", awp).unwrap();
    assert_eq!(r.items.len(), 1);
    assert_eq!(r.items[0].port, "port1.0.1");
    assert_eq!(
        r.unrecognized.iter().map(|u| u.0).collect::<Vec<_>>(),
        vec![3]
    );
}

/// Every cut of every sample, and every sample with a line dropped: no panic, and every
/// listed line exists.
#[test]
fn truncated_and_garbled_outputs_never_panic() {
    let mut samples: Vec<(&str, String)> =
        vec![("show_lldp_neighbors_detail", AWPLUS_LLDP.to_string())];
    for (cmd, f) in [
        (
            "show_lldp_neighbors_detail",
            "mn-core/show_lldp_neighbors_detail.txt",
        ),
        (
            "show_cdp_neighbors_detail",
            "mn-core/show_cdp_neighbors_detail.txt",
        ),
        (
            "diagnose_lldprx_neighbor_summary",
            "fw-lgwan/diagnose_lldprx_neighbor_summary.txt",
        ),
        ("show_ip_arp", "lg-core/show_ip_arp.txt"),
        (
            "show_mac_address-table",
            "mn-core/show_mac_address-table.txt",
        ),
    ] {
        samples.push((cmd, town_data(f)));
    }
    for (cmd, text) in &samples {
        let mut variants: Vec<String> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .map(|i| text[..i].to_string())
            .collect();
        let lines: Vec<&str> = text.lines().collect();
        for k in 0..lines.len() {
            let mut l = lines.clone();
            l.remove(k);
            variants.push(l.join("\n"));
        }
        for v in variants {
            let n = v.lines().count() as u32;
            let check = |u: &[(u32, String)]| {
                for (line, _) in u {
                    assert!(*line >= 1 && *line <= n, "{cmd}: line {line} of {n}");
                }
            };
            if let Some(r) = neighbors::read(cmd, &v) {
                check(&r.unrecognized);
            } else if let Some(r) = arp::read(cmd, &v) {
                check(&r.unrecognized);
            } else if let Some(r) = mac::read(cmd, &v) {
                check(&r.unrecognized);
            }
        }
    }
    // A Cisco entry cut before its System Name is listed, not linked.
    let full = town_data("mn-core/show_lldp_neighbors_detail.txt");
    let cut: String = full.lines().take(5).collect::<Vec<_>>().join("\n");
    let r = neighbors::read("show_lldp_neighbors_detail", &cut).unwrap();
    assert!(r.items.is_empty());
    assert_eq!(r.unrecognized.len(), 1);
    assert!(
        r.unrecognized[0].1.contains("neighbour name"),
        "{:?}",
        r.unrecognized
    );
}

// ---- the LLDP-only town -------------------------------------------------------------

/// sample-city-violating without topology.toml, with the state files of
/// tests/data/lldp-town (and `extra` files written on top).
fn town(tag: &str, extra: &[(&str, &str)]) -> PathBuf {
    let t = std::env::temp_dir().join(format!("sanso-lldp-town-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&t);
    copy_dir(&root().join("fixtures/sample-city-violating"), &t);
    std::fs::remove_file(t.join("topology.toml")).unwrap();
    copy_dir(&root().join("tests/data/lldp-town/state"), &t.join("state"));
    for (p, text) in extra {
        let f = t.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, text).unwrap();
    }
    t
}

fn audit_json(dir: &Path) -> Value {
    let (code, out, err) = cli(&[
        "audit",
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--lang",
        "en",
    ]);
    assert!(code == 0 || code == 1, "{code}: {err}");
    serde_json::from_str(&out).unwrap()
}

/// Every pair the findings cover (a finding is one cause; `also` holds its other pairs).
fn findings(r: &Value) -> Vec<(String, String, String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            std::iter::once(f)
                .chain(f["also"].as_array().into_iter().flatten())
                .map(|p| {
                    (
                        f["rule"].as_str().unwrap().into(),
                        p["src"].as_str().unwrap().into(),
                        p["dst"].as_str().unwrap().into(),
                        f["flow"].as_str().unwrap_or("").into(),
                    )
                })
        })
        .collect()
}

/// The 11 links of sample-city-violating's topology.toml, as unordered pairs.
fn declared_pairs() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("fixtures/sample-city-violating/topology.toml"))
        .unwrap();
    let v: toml::Value = toml::from_str(&text).unwrap();
    let mut out: Vec<(String, String)> = v["link"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let (a, b) = (
                l["a"].as_str().unwrap().to_string(),
                l["b"].as_str().unwrap().to_string(),
            );
            if a <= b {
                (a, b)
            } else {
                (b, a)
            }
        })
        .collect();
    out.sort();
    out
}

#[test]
fn lldp_only_town_has_exactly_its_planted_violations() {
    let t = town("plain", &[]);
    let snap = Snapshot::load(&t).unwrap();
    // Hand-derived from the state files: six device links (LLDP / CDP / FortiOS), five
    // hosts placed from MAC tables (three through ARP), i.e. topology.toml's 11 links.
    let mut got: Vec<(String, String)> = snap
        .links
        .iter()
        .map(|l| {
            let (a, b) = (l.a.to_string(), l.b.to_string());
            if a <= b {
                (a, b)
            } else {
                (b, a)
            }
        })
        .collect();
    got.sort();
    assert_eq!(got, declared_pairs());
    assert!(snap.links.iter().all(|l| l.observed.is_some()));
    assert_eq!(snap.observed_links.len(), 6);
    // The planted findings of tests/fixtures.rs (15: 11 planted, 4 ONLY-ALLOWED-DEVICES),
    // the same as with the hand-written topology.toml.
    let r = audit_json(&t);
    let reference = audit_json(&root().join("fixtures/sample-city-violating"));
    assert_eq!(findings(&r).len(), 15);
    assert_eq!(findings(&r), findings(&reference));
    assert!(findings(&r).contains(&(
        "MN-ISOLATION".into(),
        "mn-terminals".into(),
        "lg-terminals".into(),
        "".into()
    )));
    // Neighbour links are reported with their lines; the record check has no record.
    let links = r["inferred_links"].as_array().unwrap();
    let maint = links
        .iter()
        .find(|l| l["a"] == "lg-core:GigabitEthernet1/0/24")
        .expect("maintenance link reported");
    assert_eq!(maint["from"], "CDP, LLDP");
    assert_eq!(
        maint["evidence"],
        serde_json::json!([
            "state/lg-core/show_lldp_neighbors_detail.txt:24",
            "state/mn-core/show_cdp_neighbors_detail.txt:7"
        ])
    );
    let rec = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "TOPOLOGY-RECORD")
        .unwrap();
    assert_eq!(rec["status"], "not-applicable");
    // The terminal summary says where each link came from.
    let (_, text, _) = cli(&["audit", t.to_str().unwrap(), "--lang", "en"]);
    for l in [
        "link from CDP, LLDP: lg-core:GigabitEthernet1/0/24 — mn-core:GigabitEthernet1/0/24 (state/lg-core/show_lldp_neighbors_detail.txt:24, state/mn-core/show_cdp_neighbors_detail.txt:7)",
        "link from MAC table: juki-cs — mn-floor1:GigabitEthernet1/0/1 (state/mn-floor1/show_mac_address-table.txt:7)",
        "link from MAC table: lgwan-mail — lg-core:GigabitEthernet1/0/10 (state/lg-core/show_mac_address-table.txt:8, state/lg-core/show_ip_arp.txt:6)",
    ] {
        assert!(text.contains(l), "{l}\n{text}");
    }
    // Not a single state line left unread.
    for p in r["parse"].as_array().unwrap() {
        if p["file"].as_str().unwrap().starts_with("state/") {
            assert_eq!(p["unrecognized"], serde_json::json!([]), "{p}");
        }
    }
    let _ = std::fs::remove_dir_all(&t);
}

#[test]
fn a_record_that_neighbours_contradict_is_a_finding() {
    let orig = std::fs::read_to_string(root().join("fixtures/sample-city-violating/topology.toml"))
        .unwrap();
    // Consistent record: no record finding, the same planted findings.
    let t = town("same", &[("topology.toml", &orig)]);
    let r = audit_json(&t);
    let rec = |r: &Value| -> Vec<(String, String, String, String)> {
        findings(r)
            .into_iter()
            .filter(|f| f.0 == "TOPOLOGY-RECORD")
            .collect()
    };
    assert_eq!(rec(&r), vec![]);
    assert_eq!(findings(&r).len(), 15);
    let _ = std::fs::remove_dir_all(&t);
    // The record forgets the maintenance link: a record finding, and the link the
    // neighbours show still carries MN-ISOLATION.
    let forgot = orig.replace(
        "[[link]]\na = \"mn-core:GigabitEthernet1/0/24\"\nb = \"lg-core:GigabitEthernet1/0/24\"\n",
        "",
    );
    assert_ne!(forgot, orig);
    let t = town("forgot", &[("topology.toml", &forgot)]);
    let r = audit_json(&t);
    assert_eq!(
        rec(&r),
        vec![(
            "TOPOLOGY-RECORD".into(),
            "lg-core:GigabitEthernet1/0/24 — mn-core:GigabitEthernet1/0/24".into(),
            "CDP, LLDP".into(),
            "".into()
        )]
    );
    assert!(findings(&r).contains(&(
        "MN-ISOLATION".into(),
        "mn-terminals".into(),
        "lg-terminals".into(),
        "".into()
    )));
    assert_eq!(findings(&r).len(), 16);
    let _ = std::fs::remove_dir_all(&t);
    // The record puts lg-floor1's uplink on the wrong port: a contradiction, and the
    // record still wins (lg-floor1's real uplink is then unlinked, lg-terminals located
    // nowhere, MN-ISOLATION unproven rather than judged on the neighbours' word).
    let wrong = orig.replace(
        "lg-floor1:GigabitEthernet1/0/48",
        "lg-floor1:GigabitEthernet1/0/47",
    );
    assert_ne!(wrong, orig);
    let t = town("wrong", &[("topology.toml", &wrong)]);
    let r = audit_json(&t);
    assert_eq!(
        rec(&r),
        vec![(
            "TOPOLOGY-RECORD".into(),
            "lg-core:GigabitEthernet1/0/1 — lg-floor1:GigabitEthernet1/0/47".into(),
            "lg-core:GigabitEthernet1/0/1 — lg-floor1:GigabitEthernet1/0/48, CDP".into(),
            "".into()
        )]
    );
    let iso = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "MN-ISOLATION")
        .unwrap();
    assert_eq!(iso["status"], "unproven");
    let _ = std::fs::remove_dir_all(&t);
}

#[test]
fn batfish_layer1_topology_is_a_topology_source() {
    // The six device links as Batfish writes them (lower-case hostnames, both
    // directions, full interface names); the hosts stay in topology.toml. No state.
    let edge = |a: &str, ai: &str, b: &str, bi: &str| {
        format!(
            "{{\"node1\": {{\"hostname\": \"{a}\", \"interfaceName\": \"{ai}\"}}, \"node2\": {{\"hostname\": \"{b}\", \"interfaceName\": \"{bi}\"}}}}"
        )
    };
    let pairs = [
        (
            "mn-core",
            "GigabitEthernet1/0/1",
            "mn-floor1",
            "GigabitEthernet1/0/48",
        ),
        ("mn-core", "GigabitEthernet1/0/47", "fw-mn", "port1"),
        (
            "lg-core",
            "GigabitEthernet1/0/1",
            "lg-floor1",
            "GigabitEthernet1/0/48",
        ),
        ("lg-core", "GigabitEthernet1/0/48", "fw-lgwan", "port1"),
        ("inet-core", "GigabitEthernet1/0/47", "fw-lgwan", "port3"),
        (
            "mn-core",
            "GigabitEthernet1/0/24",
            "lg-core",
            "GigabitEthernet1/0/24",
        ),
    ];
    let mut edges = vec![];
    for (a, ai, b, bi) in pairs {
        edges.push(edge(a, ai, b, bi));
        edges.push(edge(b, bi, a, ai));
    }
    let json = format!("{{\"edges\": [\n{}\n]}}\n", edges.join(",\n"));
    let orig = std::fs::read_to_string(root().join("fixtures/sample-city-violating/topology.toml"))
        .unwrap();
    let hosts_only: String = orig
        .split("[[link]]")
        .filter(|b| {
            !b.contains(':')
                || b.contains("a = \"juki")
                || b.contains("a = \"kikan")
                || b.contains("a = \"lgwan-mail")
                || b.contains("a = \"inet-mail")
                || b.contains("a = \"vdi")
        })
        .collect::<Vec<_>>()
        .join("[[link]]");
    let t = std::env::temp_dir().join(format!("sanso-batfish-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&t);
    copy_dir(&root().join("fixtures/sample-city-violating"), &t);
    std::fs::write(t.join("topology.toml"), &hosts_only).unwrap();
    std::fs::create_dir_all(t.join("batfish")).unwrap();
    std::fs::write(t.join("batfish/layer1_topology.json"), &json).unwrap();
    let snap = Snapshot::load(&t).unwrap();
    let bf: Vec<_> = snap
        .links
        .iter()
        .filter(|l| {
            l.observed
                .as_ref()
                .is_some_and(|o| o.from == "Batfish layer-1")
        })
        .collect();
    assert_eq!(bf.len(), 6);
    // Edge k starts on line k + 2 (line 1 is `{"edges": [`); the first of each pair cites.
    assert_eq!(
        bf[0].observed.as_ref().unwrap().evidence[0].to_string(),
        "batfish/layer1_topology.json:2"
    );
    let r = audit_json(&t);
    let reference = audit_json(&root().join("fixtures/sample-city-violating"));
    assert_eq!(findings(&r), findings(&reference));
    // topology.toml wins: an end it names is not re-linked by Batfish.
    std::fs::write(
        t.join("topology.toml"),
        format!("{hosts_only}\n[[link]]\na = \"mn-core:Gi1/0/1\"\nb = \"mn-floor1:Gi1/0/47\"\n"),
    )
    .unwrap();
    let snap = Snapshot::load(&t).unwrap();
    assert!(!snap.links.iter().any(|l| l.observed.is_some()
        && (l.a.to_string() == "mn-core:GigabitEthernet1/0/1"
            || l.b.to_string() == "mn-core:GigabitEthernet1/0/1")));
    // An unknown node is an error naming the edge's line.
    std::fs::write(
        t.join("batfish/layer1_topology.json"),
        "{\"edges\": [\n".to_string() + &edge("nosuch", "Gi0/1", "mn-core", "Gi1/0/1") + "\n]}\n",
    )
    .unwrap();
    let e = Snapshot::load(&t).unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.to_string().contains("unknown device \"nosuch\""), "{e}");
    let _ = std::fs::remove_dir_all(&t);
}

#[test]
fn a_port_hearing_two_neighbours_links_nothing() {
    // lg-floor1's uplink also hears inet-core (a hub, or a stale entry): neither link is
    // certain, both reports are listed, and the rest of the town is unchanged.
    let lldp = "lg-floor1#show lldp neighbors detail\n\
                ------------------------------------------------\n\
                Local Intf: Gi1/0/48\n\
                Chassis id: 00aa.0300.0000\n\
                Port id: Gi1/0/1\n\
                System Name: inet-core\n\
                \n\
                Total entries displayed: 1\n";
    let t = town(
        "two",
        &[("state/lg-floor1/show_lldp_neighbors_detail.txt", lldp)],
    );
    let snap = Snapshot::load(&t).unwrap();
    let touches = |l: &sanso::model::Link, e: &str| l.a.to_string() == e || l.b.to_string() == e;
    assert!(!snap
        .links
        .iter()
        .any(|l| touches(l, "lg-floor1:GigabitEthernet1/0/48")));
    assert!(!snap
        .links
        .iter()
        .any(|l| touches(l, "inet-core:GigabitEthernet1/0/1")));
    assert_eq!(snap.observed_links.len(), 5);
    let d = snap.devices.iter().find(|d| d.name == "lg-floor1").unwrap();
    let mut notes: Vec<(String, u32)> = d
        .unrecognized
        .iter()
        .filter(|u| u.reason.contains("ambiguous"))
        .map(|u| (u.file.clone().unwrap(), u.line))
        .collect();
    notes.sort();
    assert_eq!(
        notes,
        vec![
            (
                "state/lg-floor1/show_cdp_neighbors_detail.txt".to_string(),
                7
            ),
            (
                "state/lg-floor1/show_lldp_neighbors_detail.txt".to_string(),
                3
            ),
        ]
    );
    let _ = std::fs::remove_dir_all(&t);
}

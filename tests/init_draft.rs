//! `sanso init`: the draft of a bundled fixture has one zone per network its configs
//! serve (derived by hand below), loads once tiers are set, is refused with every unset
//! zone named before, and never overwrites without --force.

mod common;
use common::{cli, copy_dir, root};
use sanso::model::Snapshot;
use std::path::PathBuf;

fn folder(tag: &str, with_state: bool) -> PathBuf {
    let t = std::env::temp_dir().join(format!("sanso-init-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&t);
    copy_dir(
        &root().join("fixtures/sample-city-violating/configs"),
        &t.join("configs"),
    );
    if with_state {
        copy_dir(&root().join("tests/data/lldp-town/state"), &t.join("state"));
    }
    t
}

/// (name, subnet) of each drafted zone.
fn zones(text: &str) -> Vec<(String, String)> {
    let v: toml::Value = toml::from_str(text).unwrap();
    v["zone"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| {
            let s = z["subnets"].as_array().unwrap();
            assert_eq!(s.len(), 1);
            (
                z["name"].as_str().unwrap().to_string(),
                s[0].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn draft_of_the_violating_city() {
    let t = folder("city", true);
    let (code, out, err) = cli(&["init", t.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("10 zones, 4 hosts"), "{out}");
    let s = std::fs::read_to_string(t.join("sanso.toml")).unwrap();
    // By hand from the configs: the SVIs Vlan110/120 (mn-core), 210/220 (lg-core),
    // 310/320 (inet-core) named by their VLANs; fw-mn port2/port3 (aliases in Japanese
    // only: named after the port); the /30s only one device holds (fw-lgwan port2,
    // inet-core Gi1/0/48). Left out: the /30s two devices share (10.99.0.0, 10.10.254.0,
    // 10.20.254.0, 10.30.254.0) — transit links.
    let mut got = zones(&s);
    got.sort();
    let mut want: Vec<(String, String)> = [
        ("lgwan", "172.31.0.0/30"),
        ("fw-mn-port2", "192.168.100.0/24"),
        ("fw-mn-port3", "192.168.200.0/24"),
        ("inet-core-gigabitethernet1-0-48", "203.0.113.0/30"),
        ("inet-terminals", "10.30.10.0/24"),
        ("inet-dmz", "10.30.20.0/24"),
        ("lg-terminals", "10.20.10.0/24"),
        ("lg-servers", "10.20.20.0/24"),
        ("mn-servers", "10.10.10.0/24"),
        ("mn-terminals", "10.10.20.0/24"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want);
    // The six VLAN-named zones carry the names the fixture's own sanso.toml gives them.
    let fixture =
        std::fs::read_to_string(root().join("fixtures/sample-city-violating/sanso.toml")).unwrap();
    let fixed = zones(&fixture);
    for (n, net) in &got {
        if let Some((fname, _)) = fixed.iter().find(|(_, fnet)| fnet == net) {
            if !n.starts_with("fw-mn") {
                assert_eq!(n, fname, "{net}");
            }
        }
    }

    // Unlabelled: refused, naming all ten zones.
    let (code, _, err) = cli(&["audit", t.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(code, 2);
    assert!(err.contains("10 zone(s) still need a tier"), "{err}");
    for (n, _) in &got {
        assert!(err.contains(&format!("{n} (line ")), "{n}: {err}");
    }

    // Labelled with the fixture's tiers (external for the two uplinks): the draft loads,
    // its links are the topology of the state files, and it audits.
    let tier_of = |net: &str| -> &str {
        match net {
            "10.10.10.0/24" | "10.10.20.0/24" => "mynumber",
            "10.20.10.0/24" | "10.20.20.0/24" => "lgwan",
            "10.30.10.0/24" | "10.30.20.0/24" => "internet",
            _ => "external",
        }
    };
    let mut labelled = String::new();
    let mut pending = None;
    for line in s.lines() {
        if line.starts_with("tier ") {
            pending = Some(labelled.len());
        }
        if let (Some(at), Some(net)) = (pending, line.strip_prefix("subnets = [\"")) {
            let net = net.trim_end_matches("\"]");
            let fixed_line = format!("tier = \"{}\"\n", tier_of(net));
            let rest = labelled.split_off(at);
            let rest = rest.split_once('\n').map(|x| x.1).unwrap_or("");
            labelled.push_str(&fixed_line);
            labelled.push_str(rest);
            pending = None;
        }
        labelled.push_str(line);
        labelled.push('\n');
    }
    std::fs::write(t.join("sanso.toml"), &labelled).unwrap();
    let snap = Snapshot::load(&t).unwrap();
    assert_eq!(snap.zones.len(), 10);
    assert_eq!(snap.hosts.len(), 4);
    // Six device links from the neighbour tables, three hosts on access ports (the fourth,
    // 10.20.10.31, is learnt on a trunk only); topology.toml now holds them all.
    assert_eq!(snap.links.len(), 9);
    assert!(snap.links.iter().all(|l| l.line > 0));
    let (code, _, err) = cli(&["audit", t.to_str().unwrap(), "--lang", "en"]);
    assert!(code == 0 || code == 1, "{err}");
    let rec = cli(&["audit", t.to_str().unwrap(), "--format", "json"]).1;
    let r: serde_json::Value = serde_json::from_str(&rec).unwrap();
    let c = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "TOPOLOGY-RECORD")
        .unwrap();
    assert_eq!(
        c["status"], "pass",
        "the draft's record agrees with the neighbours"
    );

    // Never overwrite without --force.
    let before = std::fs::read_to_string(t.join("sanso.toml")).unwrap();
    let (code, _, err) = cli(&["init", t.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(t.join("sanso.toml")).unwrap(),
        before
    );
    let (code, _, _) = cli(&["init", t.to_str().unwrap(), "--force"]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(t.join("sanso.toml")).unwrap(), s);
    let _ = std::fs::remove_dir_all(&t);
}

#[test]
fn draft_without_state_links_shared_subnets_only() {
    let t = folder("nostate", false);
    let (code, _, err) = cli(&["init", t.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let topo = std::fs::read_to_string(t.join("topology.toml")).unwrap();
    let v: toml::Value = toml::from_str(&topo).unwrap();
    let mut got: Vec<(String, String)> = v
        .get("link")
        .and_then(|l| l.as_array())
        .map(|a| {
            a.iter()
                .map(|l| {
                    (
                        l["a"].as_str().unwrap().to_string(),
                        l["b"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    got.sort();
    // Routed ports on two devices holding a /30's only two addresses: mn-core Gi1/0/24 ↔
    // lg-core Gi1/0/24 (10.99.0.0/30), mn-core Gi1/0/47 ↔ fw-mn port1 (10.10.254.0/30),
    // inet-core Gi1/0/47 ↔ fw-lgwan port3 (10.30.254.0/30). lg-core reaches fw-lgwan
    // port1 by an SVI (Vlan290): a switched segment, not a cable.
    let mut want = vec![
        (
            "lg-core:GigabitEthernet1/0/24".to_string(),
            "mn-core:GigabitEthernet1/0/24".to_string(),
        ),
        (
            "fw-mn:port1".to_string(),
            "mn-core:GigabitEthernet1/0/47".to_string(),
        ),
        (
            "fw-lgwan:port3".to_string(),
            "inet-core:GigabitEthernet1/0/47".to_string(),
        ),
    ];
    let norm = |v: &mut Vec<(String, String)>| {
        for p in v.iter_mut() {
            if p.0 > p.1 {
                std::mem::swap(&mut p.0, &mut p.1);
            }
        }
        v.sort();
    };
    norm(&mut got);
    norm(&mut want);
    assert_eq!(got, want);
    assert!(!std::fs::read_to_string(t.join("sanso.toml"))
        .unwrap()
        .contains("[[host]]"));
    let _ = std::fs::remove_dir_all(&t);
}

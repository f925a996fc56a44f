//! Issue 18 item 1: one finding per cause. A prefecture generated here (not a fixture) gets
//! a rogue routed maintenance link between the マイナンバー and LGWAN cores of one
//! municipality — the fault the issue saw produce one finding per zone pair. Expected
//! values come from the fault as written: the link's own topology.toml line, the two
//! cores, and the zone pairs the servers' per-host ACLs (`permit ip host X any`) open.

use sanso::checks::audit;
use sanso::gen::{generate, GenOptions};
use sanso::render::html::Html;
use sanso::render::Render;
use sanso::report::Lang;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn prefecture(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sanso-rootcause-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let g = generate(&GenOptions {
        municipalities: 3,
        seed: 7,
        ..GenOptions::default()
    });
    g.write(&dir).unwrap();
    dir
}

fn edit(path: &Path, old: &str, new: &str) {
    let s = std::fs::read_to_string(path).unwrap();
    assert!(s.contains(old), "{}: {old:?} not found", path.display());
    std::fs::write(path, s.replacen(old, new, 1)).unwrap();
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

/// Link municipality `m`'s two cores by a routed /30 on their first unused port, each
/// routing the other tier's /18 over it (MN is 10.x.0.0/18, LGWAN 10.x.64.0/18 in the
/// generator's plan). Returns the line of the link in topology.toml.
fn rogue_link(dir: &Path, m: usize) -> u32 {
    let x = m + 1; // municipality m uses 10.(m+1).0.0/16
    let range = "interface range GigabitEthernet1/0/4 - 21\n";
    let port = |ip: &str| {
        format!(
            "interface GigabitEthernet1/0/4\n description maintenance\n no switchport\n ip address {ip} 255.255.255.252\n!\ninterface range GigabitEthernet1/0/5 - 21\n"
        )
    };
    let mn = dir.join(format!("configs/c{m:03}-mn-core1.cfg"));
    let lg = dir.join(format!("configs/c{m:03}-lg-core1.cfg"));
    edit(&mn, range, &port(&format!("10.{x}.252.1")));
    edit(&lg, range, &port(&format!("10.{x}.252.2")));
    append(
        &mn,
        &format!("ip route 10.{x}.64.0 255.255.192.0 10.{x}.252.2\n"),
    );
    append(
        &lg,
        &format!("ip route 10.{x}.0.0 255.255.192.0 10.{x}.252.1\n"),
    );
    let topo = dir.join("topology.toml");
    let before = std::fs::read_to_string(&topo).unwrap().lines().count() as u32;
    append(
        &topo,
        &format!(
            "\n[[link]]\na = \"c{m:03}-mn-core1:GigabitEthernet1/0/4\"\nb = \"c{m:03}-lg-core1:GigabitEthernet1/0/4\"\n"
        ),
    );
    before + 2
}

fn mn_isolation(dir: &Path) -> (String, Vec<serde_json::Value>) {
    let a = audit::run(dir).unwrap();
    let r = serde_json::to_value(a.report(Lang::En)).unwrap();
    let status = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == "MN-ISOLATION")
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string();
    let fs = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "MN-ISOLATION")
        .cloned()
        .collect();
    (status, fs)
}

fn pairs(f: &serde_json::Value) -> BTreeSet<(String, String)> {
    let mut s = BTreeSet::new();
    s.insert((
        f["src"].as_str().unwrap().to_string(),
        f["dst"].as_str().unwrap().to_string(),
    ));
    for a in f["also"].as_array().into_iter().flatten() {
        s.insert((
            a["src"].as_str().unwrap().to_string(),
            a["dst"].as_str().unwrap().to_string(),
        ));
    }
    s
}

#[test]
fn a_rogue_link_is_one_cause_per_direction_citing_the_link_first() {
    let dir = prefecture("one");
    let (status, fs) = mn_isolation(&dir);
    assert_eq!(status, "pass", "the generated prefecture is compliant");
    assert!(fs.is_empty());

    let line = rogue_link(&dir, 1);
    let (status, fs) = mn_isolation(&dir);
    assert_eq!(status, "violated");
    // One cause per direction: LGWAN → MN enters mn-core1 by the link, MN → LGWAN enters
    // lg-core1 by it.
    assert_eq!(fs.len(), 2, "{fs:#?}");
    let link = format!("topology.toml:{line}");
    let mut all = BTreeSet::new();
    for f in &fs {
        let cause: Vec<&str> = f["cause"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(cause[0], link, "the link is the deciding line: {cause:?}");
        // The route that sends the packet over it is cited too.
        assert!(
            cause.iter().any(|c| c.starts_with("configs/c001-")
                && c.contains("-core1.cfg:")
                && std::fs::read_to_string(dir.join(c.rsplit_once(':').unwrap().0))
                    .unwrap()
                    .lines()
                    .nth(c.rsplit_once(':').unwrap().1.parse::<usize>().unwrap() - 1)
                    .unwrap()
                    .starts_with("ip route 10.2.")),
            "{cause:?}"
        );
        let p = pairs(f);
        // Every pair is within municipality c001, across MN and LGWAN.
        for (s, d) in &p {
            assert!(
                s.starts_with("c001-") && d.starts_with("c001-"),
                "{s} → {d}"
            );
            assert_ne!(
                s.starts_with("c001-mn-"),
                d.starts_with("c001-mn-"),
                "{s} → {d}"
            );
        }
        all.extend(p);
    }
    // The server zones' ACLs permit anything from their hosts: servers reach servers
    // both ways, and both directions are separate causes.
    for want in [
        ("c001-mn-servers", "c001-lg-servers"),
        ("c001-lg-servers", "c001-mn-servers"),
    ] {
        assert!(
            all.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} in {all:?}"
        );
    }
    assert!(
        fs.iter()
            .any(|f| f["src"].as_str().unwrap().starts_with("c001-mn-"))
            && fs
                .iter()
                .any(|f| f["src"].as_str().unwrap().starts_with("c001-lg-"))
    );

    // The report page shows each cause (the link quoted first) and its other pairs.
    let a = audit::run(&dir).unwrap();
    let r = a.report(Lang::Ja);
    let page = Html { generated_at: 0 }.render(&a, &r);
    let also: usize = fs
        .iter()
        .filter(|f| f["also"].as_array().is_some_and(|x| !x.is_empty()))
        .count();
    assert_eq!(page.matches("<ul class=\"also\">").count(), also);
    assert!(page.contains(&format!(
        "<h4>原因（決定行が先頭）</h4>\n<div class=\"cause\">\n<div class=\"cite\"><code class=\"loc\">{link}</code> <code class=\"src\">[[link]]</code></div>"
    )));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_faults_are_two_causes_each_citing_its_own_link() {
    let dir = prefecture("two");
    let l0 = rogue_link(&dir, 0);
    let l2 = rogue_link(&dir, 2);
    let (status, fs) = mn_isolation(&dir);
    assert_eq!(status, "violated");
    assert_eq!(fs.len(), 4, "two causes per link: {fs:#?}");
    for f in &fs {
        let m = &f["src"].as_str().unwrap()[..4];
        let want = if m == "c000" { l0 } else { l2 };
        assert!(m == "c000" || m == "c002", "{m}");
        assert_eq!(f["cause"][0], format!("topology.toml:{want}"));
        for (s, d) in pairs(f) {
            assert!(s.starts_with(m) && d.starts_with(m), "{s} → {d} under {m}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A FortiGate policy's cause cites the part of its match the check is about first:
/// read from the fixture's text, not from sanso's output. In sample-city-violating,
/// fw-mn policy 1 admits SSH beside HTTPS to 住基ネット (TOKUTEI-PORT: the service line),
/// policy 2 admits every MN server rather than the declared one (TOKUTEI-IP: the source
/// addresses), and fw-lgwan policy 10 admits services beyond the LGWAN allowlist
/// (LGWAN-PROTOCOLS: the service line).
#[test]
fn a_firewall_policy_cause_starts_with_the_deciding_match_line() {
    let snap = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample-city-violating");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sanso"))
        .args(["audit", snap.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text_of = |cite: &str| {
        let (file, line) = cite.rsplit_once(':').unwrap();
        let t = std::fs::read_to_string(snap.join(file)).unwrap();
        t.lines()
            .nth(line.parse::<usize>().unwrap() - 1)
            .unwrap()
            .trim()
            .to_string()
    };
    for (rule, starts) in [
        ("TOKUTEI-PORT", "set service \"HTTPS\" \"SSH\""),
        ("TOKUTEI-IP", "set srcaddr \"mn-servers\""),
        ("LGWAN-PROTOCOLS", "set service"),
    ] {
        let fs: Vec<&serde_json::Value> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .collect();
        assert!(!fs.is_empty(), "{rule}");
        for f in fs {
            let first = f["cause"][0].as_str().unwrap();
            assert!(
                text_of(first).starts_with(starts),
                "{rule}: {first} {}",
                text_of(first)
            );
            // The object behind a named address follows its `set` line.
            if rule == "TOKUTEI-IP" {
                assert_eq!(
                    text_of(f["cause"][1].as_str().unwrap()),
                    "edit \"mn-servers\""
                );
                assert!(
                    text_of(f["cause"][2].as_str().unwrap()).starts_with("set subnet 10.10.10.0")
                );
            }
            // The policy header stays cited behind it.
            assert!(f["cause"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| text_of(c.as_str().unwrap()).starts_with("edit ")));
        }
    }
}

/// 誤配線 at L2: a spare access port of municipality 1's first マイナンバー floor switch is
/// cabled to a spare port of its first LGWAN floor switch. Both VLANs become one L2
/// domain; no router or filter is involved, so the decisive lines are the cable (its
/// topology.toml line) and the two ports — cited first on every finding, not the floor
/// ports the witness happens to enter by.
#[test]
fn a_miswired_cable_is_cited_first() {
    let dir = prefecture("miswire");
    let spare = "interface range GigabitEthernet1/0/21 - 23\n shutdown\n!\n";
    let mut port_lines = vec![];
    for k in ["mn", "lg"] {
        let p = dir.join(format!("configs/c001-{k}-floor1.cfg"));
        let text = std::fs::read_to_string(&p).unwrap();
        let vlan: String = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("switchport access vlan "))
            .unwrap()
            .to_string();
        edit(
            &p,
            spare,
            &format!(
                "interface GigabitEthernet1/0/21\n switchport access vlan {vlan}\n switchport mode access\n!\ninterface range GigabitEthernet1/0/22 - 23\n shutdown\n!\n"
            ),
        );
        let text = std::fs::read_to_string(&p).unwrap();
        let n = text
            .lines()
            .position(|l| l == "interface GigabitEthernet1/0/21")
            .unwrap()
            + 1;
        port_lines.push(format!("configs/c001-{k}-floor1.cfg:{n}"));
    }
    let topo = dir.join("topology.toml");
    let link = std::fs::read_to_string(&topo).unwrap().lines().count() + 2;
    append(
        &topo,
        "\n[[link]]\na = \"c001-mn-floor1:GigabitEthernet1/0/21\"\nb = \"c001-lg-floor1:GigabitEthernet1/0/21\"\n",
    );
    let (status, fs) = mn_isolation(&dir);
    assert_eq!(status, "violated");
    assert!(!fs.is_empty() && fs.len() <= 4, "{} findings", fs.len());
    for f in &fs {
        let cause: Vec<&str> = f["cause"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(cause[0], format!("topology.toml:{link}"), "{cause:?}");
        for l in &port_lines {
            assert!(cause[1..3].contains(&l.as_str()), "{l} not in {cause:?}");
        }
        // Only municipality 1's zones are involved.
        for (s, d) in pairs(f) {
            assert!(
                s.starts_with("c001-") && d.starts_with("c001-"),
                "{s} → {d}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

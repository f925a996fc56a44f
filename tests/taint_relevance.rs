//! A line sanso does not understand makes a check unproven only if the check's packets
//! meet it and, from there, could still reach the check's sinks (issue 12, item 4).

mod common;
use common::{cli, copy_dir, root};
use serde_json::Value;
use std::path::PathBuf;

fn edited(fixture: &str, tag: &str, edit: impl Fn(&str) -> String) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("sanso-taint-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join(fixture), &dir);
    let f = dir.join("configs/mn-core.cfg");
    let text = std::fs::read_to_string(&f).unwrap();
    let new = edit(&text);
    assert_ne!(new, text, "edit did not apply");
    std::fs::write(&f, &new).unwrap();
    let line = new.lines().position(|l| l.contains("frobnicate")).unwrap() + 1;
    (dir, format!("configs/mn-core.cfg:{line}"))
}

fn check(r: &Value, id: &str) -> Value {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
        .clone()
}

fn audit(dir: &std::path::Path) -> Value {
    let (_, out, err) = cli(&["audit", dir.to_str().unwrap(), "--format", "json"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
}

fn cites(c: &Value, line: &str) -> bool {
    c["unproven_by"]
        .as_array()
        .is_some_and(|v| v.iter().any(|x| x.as_str().unwrap().starts_with(line)))
}

/// An unreadable entry in the out ACL of the マイナンバー terminals' SVI: what it could let
/// through stays inside the マイナンバー side (VLAN 120, back into mn-core, on to fw-mn and
/// 住基ネット), so it cannot decide whether マイナンバー meets LGWAN or the Internet —
/// MN-ISOLATION passes — while the checks judged at 住基ネット and 中間サーバ, which
/// packets from there can reach, are unproven by exactly that line.
#[test]
fn a_line_whose_effect_cannot_reach_the_sinks_does_not_taint() {
    let (dir, line) = edited("fixtures/sample-city", "mn-svi", |t| {
        t.replacen(
            "interface Vlan120\n",
            "interface Vlan120\n ip access-group MN-TERM-OUT out\n",
            1,
        )
        .replacen(
            "\nip route",
            "\nip access-list extended MN-TERM-OUT\n 5 frobnicate ip any any\n 10 permit ip any any\n!\nip route",
            1,
        )
    });
    let r = audit(&dir);
    let mn = check(&r, "MN-ISOLATION");
    assert_eq!(mn["status"], "pass", "{mn}");
    assert!(mn.get("unproven_by").is_none(), "{mn}");
    let tok = check(&r, "MN-TOKUTEI-ONLY");
    assert_eq!(tok["status"], "unproven", "{tok}");
    assert!(cites(&tok, &line), "{tok} should cite {line}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same kind of line on the rogue maintenance link's out ACL (now `deny ip any any`
/// after it): that link leads into LGWAN接続系, so MN-ISOLATION is unproven by it.
#[test]
fn a_line_on_the_way_to_the_sinks_taints() {
    let (dir, line) = edited("fixtures/sample-city-violating", "maint", |t| {
        t.replacen(
            " 10 permit ip 10.10.20.0 0.0.0.255 10.20.10.0 0.0.0.255\n",
            " 5 frobnicate ip any any\n 10 deny ip any any\n",
            1,
        )
    });
    let r = audit(&dir);
    let mn = check(&r, "MN-ISOLATION");
    assert_eq!(mn["status"], "unproven", "{mn}");
    assert!(cites(&mn, &line), "{mn} should cite {line}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A crypto map's entries are recognised as covered by `crypto map NAME` on the interface
/// (docs/semantics.md, covered-by); that line itself must keep tainting: the maintenance
/// link that carries the violation gets a crypto map, and the maintenance ACL is made to
/// deny: MN-ISOLATION, whose packets still meet that interface, becomes unproven by
/// exactly that line — not by the entries.
#[test]
fn an_enabling_line_keeps_its_taint() {
    let (dir, line) = edited("fixtures/sample-city-violating", "cmap", |t| {
        t.replacen(
            " 10 permit ip 10.10.20.0 0.0.0.255 10.20.10.0 0.0.0.255\n",
            " 10 deny ip any any\n",
            1,
        )
        .replacen(
            " ip access-group MAINT-OUT out\n",
            " ip access-group MAINT-OUT out\n crypto map frobnicate\n",
            1,
        )
        .replacen(
            "\nip route",
            "\ncrypto map frobnicate 10 ipsec-isakmp\n set peer 10.99.0.2\n match address 150\n!\nip route",
            1,
        )
    });
    let r = audit(&dir);
    let mn = check(&r, "MN-ISOLATION");
    assert_eq!(mn["status"], "unproven", "{mn}");
    assert!(cites(&mn, &line), "{mn} should cite {line}");
    // The entries (recognised as covered by that line) are not cited.
    let text = std::fs::read_to_string(dir.join("configs/mn-core.cfg")).unwrap();
    let first = text
        .lines()
        .position(|l| l.starts_with("crypto map frobnicate 10"))
        .unwrap()
        + 1;
    let cited: Vec<&str> = mn["unproven_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    for l in first..first + 3 {
        let e = format!("configs/mn-core.cfg:{l}");
        assert!(!cited.contains(&e.as_str()), "{mn} cites entry line {l}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A trunk that leads to no modelled device is an edge port like any other: whoever is behind
/// it may send packets that look like a 特定通信 (issue 12: dangling ports as TOKUTEI-PATH
/// sources). The passing TOKUTEI-PATH example gets a spare trunk carrying the 住基 CS's VLAN
/// 110 and no peer; the spoofed flow enters there, tagged 110, and leaves to 住基ネット.
#[test]
fn a_dangling_trunk_is_a_tokutei_path_source() {
    let dir = common::fresh_dir("taint", "dangling-trunk");
    copy_dir(&root().join("rules/TOKUTEI-PATH/examples/pass"), &dir);
    assert_eq!(check(&audit(&dir), "TOKUTEI-PATH")["status"], "pass");
    let f = dir.join("configs/mn-sw.cfg");
    let text = std::fs::read_to_string(&f).unwrap();
    let new = text.replacen(
        "interface GigabitEthernet1/0/24\n",
        "interface GigabitEthernet1/0/23\n switchport trunk allowed vlan 110\n switchport mode trunk\n!\ninterface GigabitEthernet1/0/24\n",
        1,
    );
    assert_ne!(new, text);
    std::fs::write(&f, new).unwrap();
    let r = audit(&dir);
    assert_eq!(check(&r, "TOKUTEI-PATH")["status"], "violated");
    let found: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "TOKUTEI-PATH")
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let f = found[0];
    assert_eq!(f["src_point"], "mn-sw:GigabitEthernet1/0/23");
    assert_eq!(f["witness"]["vlan"], 110);
    assert_eq!(f["witness"]["src_ip"], "10.10.10.21");
    assert_eq!(f["witness"]["dst_ip"], "192.168.100.10");
    assert_eq!(f["witness"]["dst_port"], 443);
    let _ = std::fs::remove_dir_all(&dir);
}

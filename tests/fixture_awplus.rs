//! fixtures/awplus-town: サンプル市 with its two floor switches rewritten as Allied Telesis
//! AlliedWare Plus (hardware ACLs, `auth-mac`, 802.1X, AW+ port security and trunks)
//! behind the IOS cores and FortiGates. Verdicts with the expectations derived from AW+
//! semantics, edits that must turn a check, and the `[[device]] dialect` override.

mod common;
use common::{cli, copy_dir, fresh_dir, root};
use serde_json::Value;
use std::path::{Path, PathBuf};

const FX: &str = "fixtures/awplus-town";

fn audit_json(dir: &str) -> (i32, Value) {
    let (code, out, err) = cli(&["audit", dir, "--format", "json", "--lang", "en"]);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

fn status(r: &Value, rule: &str) -> String {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == rule)
        .map(|c| c["status"].as_str().unwrap().to_string())
        .unwrap()
}

fn tmp_copy(tag: &str) -> PathBuf {
    let d = fresh_dir("awplus", tag);
    copy_dir(&root().join(FX), &d);
    d
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let t = std::fs::read_to_string(&p).unwrap();
    assert!(t.contains(from), "{file} lacks {from:?}");
    std::fs::write(&p, t.replacen(from, to, 1)).unwrap();
}

#[test]
fn awplus_town_is_compliant_and_fully_read() {
    let (code, r) = audit_json(FX);
    assert_eq!(code, 0, "{r}");
    // Nothing to judge for the checks about a direct Internet line and hosts of roles the
    // town does not have (wsus/av-pattern, printer, jalert); everything else passes.
    let na = [
        "INTERNET-VIA-CLOUD",
        "NO-INTERNET-UPDATES",
        "PRINTER-NOT-SHARED",
        "DUAL-HOMED-FW",
        "TOPOLOGY-RECORD",
    ];
    for c in r["checks"].as_array().unwrap() {
        let want = if na.contains(&c["rule"].as_str().unwrap()) {
            "not-applicable"
        } else {
            "pass"
        };
        assert_eq!(c["status"], want, "{c}");
    }
    let parse = r["parse"].as_array().unwrap();
    assert_eq!(parse.len(), 7);
    for p in parse {
        assert!(p["unrecognized"].as_array().unwrap().is_empty(), "{p}");
        let want = if p["device"].as_str().unwrap().ends_with("floor1") {
            "allied-awplus"
        } else {
            p["dialect"].as_str().unwrap()
        };
        assert_eq!(p["dialect"], want, "{p}");
    }
}

/// Without `auth-mac enable`, juki-cs's port admits any source MAC: TOKUTEI-MAC.
#[test]
fn no_mac_authentication_on_the_tokutei_port_is_a_finding() {
    let d = tmp_copy("nomac");
    edit(&d, "configs/mn-floor1.cfg", " auth-mac enable\n", "");
    let (code, r) = audit_json(d.to_str().unwrap());
    assert_eq!(code, 1);
    assert_eq!(status(&r, "TOKUTEI-MAC"), "violated");
    assert_eq!(status(&r, "MN-ISOLATION"), "pass");
    let _ = std::fs::remove_dir_all(&d);
}

/// A hardware ACL permits what no entry matches: without its `deny ip any any`, the
/// terminal ports' ACL no longer stops a terminal from sending as juki-cs
/// (10.10.10.21), whose 特定通信 then leaves from an undeclared port: TOKUTEI-PATH.
#[test]
fn hardware_acl_without_final_deny_lets_terminals_spoof() {
    let d = tmp_copy("nodeny");
    edit(
        &d,
        "configs/mn-floor1.cfg",
        " permit ip 10.10.20.0/24 any\n deny ip any any\n",
        " permit ip 10.10.20.0/24 any\n",
    );
    let (code, r) = audit_json(d.to_str().unwrap());
    assert_eq!(code, 1);
    assert_eq!(status(&r, "TOKUTEI-PATH"), "violated");
    let _ = std::fs::remove_dir_all(&d);
}

/// The MN floor switch's uplink as an LACP aggregate of port1.0.47-48 whose VLANs are
/// on `po1`: a link naming `po1` links both members, so the town stays compliant and
/// fully read. A link naming only port1.0.48 leaves member port1.0.47 an unlinked trunk
/// of VLAN 110, from which a plugged-in host could send as juki-cs: TOKUTEI-PATH.
#[test]
fn lacp_uplink_links_every_member() {
    let d = tmp_copy("lacp");
    edit(
        &d,
        "configs/mn-floor1.cfg",
        "interface port1.0.9-1.0.47\n",
        "interface port1.0.9-1.0.46\n",
    );
    edit(
        &d,
        "configs/mn-floor1.cfg",
        "interface port1.0.48\n description uplink mn-core\n switchport\n switchport mode trunk\n switchport trunk allowed vlan add 110,120\n switchport trunk native vlan none\n!\n",
        "interface port1.0.47-1.0.48\n description uplink mn-core\n switchport\n switchport mode trunk\n switchport trunk allowed vlan add 110,120\n switchport trunk native vlan none\n channel-group 1 mode active\n!\ninterface po1\n switchport\n switchport mode trunk\n switchport trunk allowed vlan add 110,120\n switchport trunk native vlan none\n!\n",
    );
    edit(
        &d,
        "topology.toml",
        "\"mn-floor1:port1.0.48\"",
        "\"mn-floor1:po1\"",
    );
    let (code, r) = audit_json(d.to_str().unwrap());
    assert_eq!(code, 0, "{r}");
    assert_eq!(status(&r, "TOKUTEI-PATH"), "pass");
    for p in r["parse"].as_array().unwrap() {
        assert!(p["unrecognized"].as_array().unwrap().is_empty(), "{p}");
    }
    edit(
        &d,
        "topology.toml",
        "\"mn-floor1:po1\"",
        "\"mn-floor1:port1.0.48\"",
    );
    let (code, r) = audit_json(d.to_str().unwrap());
    assert_eq!(code, 1);
    assert_eq!(status(&r, "TOKUTEI-PATH"), "violated");
    assert_eq!(status(&r, "MN-ISOLATION"), "pass");
    let _ = std::fs::remove_dir_all(&d);
}

/// `[[device]] dialect` accepts the AW+ id and its aliases; an unknown one is an error
/// that lists every registered dialect.
#[test]
fn dialect_override() {
    let d = tmp_copy("override");
    let toml = d.join("sanso.toml");
    let base = std::fs::read_to_string(&toml).unwrap();
    let with = |dialect: &str| {
        std::fs::write(
            &toml,
            format!(
                "{base}\n[[device]]\nfile    = \"configs/lg-floor1.cfg\"\ndialect = \"{dialect}\"\n"
            ),
        )
        .unwrap();
    };
    for id in ["allied-awplus", "awplus", "alliedware"] {
        with(id);
        let (code, _) = audit_json(d.to_str().unwrap());
        assert_eq!(code, 0, "{id}");
    }
    with("no-such-dialect");
    let (code, out, err) = cli(&["audit", d.to_str().unwrap()]);
    assert_ne!(code, 0);
    let msg = format!("{out}{err}");
    assert!(msg.contains("no-such-dialect"), "{msg}");
    for id in sanso::ingest::ids() {
        assert!(msg.contains(id), "message does not list {id}: {msg}");
    }
    assert!(msg.contains("allied-awplus"));
    let _ = std::fs::remove_dir_all(&d);
}

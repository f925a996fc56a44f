//! fixtures/asa-town: the AW+ サンプル町 with its LGWAN boundary firewall rewritten as a
//! Cisco ASA (sub-interface on the lg-core trunk, nameif / security-level, objects and
//! object-groups, inbound ACLs on every interface, a management-only interface). The
//! ASA admits exactly what the FortiGate it replaces admitted, so every check passes;
//! edits whose effect is derived by hand from ASA semantics must turn checks.

mod common;
use common::{cli, copy_dir, fresh_dir, root};
use serde_json::Value;
use std::path::{Path, PathBuf};

const FX: &str = "fixtures/asa-town";
const FW: &str = "configs/fw-lgwan.cfg";

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
    let d = fresh_dir("asa", tag);
    copy_dir(&root().join(FX), &d);
    d
}

fn edit(dir: &Path, from: &str, to: &str) {
    let p = dir.join(FW);
    let t = std::fs::read_to_string(&p).unwrap();
    assert!(t.contains(from), "{FW} lacks {from:?}");
    std::fs::write(&p, t.replacen(from, to, 1)).unwrap();
}

#[test]
fn asa_town_is_compliant_and_fully_read() {
    let (code, r) = audit_json(FX);
    assert_eq!(code, 0, "{r}");
    let na = [
        "INTERNET-VIA-CLOUD",
        "NO-INTERNET-UPDATES",
        "PRINTER-NOT-SHARED",
        "DUAL-HOMED-FW",
        // No neighbour tables in state/: nothing to compare topology.toml with.
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
    }
    let fw = parse.iter().find(|p| p["device"] == "fw-lgwan").unwrap();
    assert_eq!(fw["dialect"], "cisco-asa");
}

/// Without its inbound ACL, lgwan-side (level 100) falls back to the security-level
/// default: any packet to the lower-level lgwan (10) and internet (0) interfaces. LGWAN
/// terminals then reach the Internet tier on any port (SPLIT-MUGAIKA-ONLY) and LGWAN on
/// any protocol (LGWAN-PROTOCOLS).
#[test]
fn unbound_acl_falls_back_to_security_levels() {
    let d = tmp_copy("unbound");
    edit(&d, "access-group LGSIDE_IN in interface lgwan-side\n", "");
    let (code, r) = audit_json(d.to_str().unwrap());
    assert_eq!(code, 1);
    assert_eq!(status(&r, "SPLIT-MUGAIKA-ONLY"), "violated");
    assert_eq!(status(&r, "LGWAN-PROTOCOLS"), "violated");
    assert_eq!(status(&r, "MN-ISOLATION"), "pass");
    let _ = std::fs::remove_dir_all(&d);
}

/// The same, with the interface levels reversed (internet 100, lgwan-side 0) and the
/// binding removed: lgwan-side is now the lowest level and reaches nothing, so the
/// split holds; LGWAN-PROTOCOLS still passes (nothing new reaches LGWAN).
#[test]
fn lowest_level_without_acl_reaches_nothing() {
    let d = tmp_copy("levels");
    edit(&d, "access-group LGSIDE_IN in interface lgwan-side\n", "");
    edit(
        &d,
        "nameif lgwan-side\n security-level 100",
        "nameif lgwan-side\n security-level 0",
    );
    edit(
        &d,
        "nameif internet\n security-level 0",
        "nameif internet\n security-level 100",
    );
    let (_, r) = audit_json(d.to_str().unwrap());
    assert_eq!(status(&r, "SPLIT-MUGAIKA-ONLY"), "pass");
    assert_eq!(status(&r, "LGWAN-PROTOCOLS"), "pass");
    let _ = std::fs::remove_dir_all(&d);
}

/// Widening the inbound mail entry to every protocol opens inet-mail-relay → lgwan-mail
/// beyond tcp/25: an undeclared path across the split.
#[test]
fn widened_mail_entry_is_a_finding() {
    let d = tmp_copy("wide");
    edit(
        &d,
        "permit tcp object inet-mail-relay object lgwan-mail eq smtp",
        "permit ip object inet-mail-relay object lgwan-mail",
    );
    let (code, r) = audit_json(d.to_str().unwrap());
    assert_eq!(code, 1);
    assert_eq!(status(&r, "SPLIT-MUGAIKA-ONLY"), "violated");
    let _ = std::fs::remove_dir_all(&d);
}

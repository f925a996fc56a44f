//! Issue 12 regressions on the sample city, reshaped by hand: 特定通信 judged per entry
//! (a host destination inside another entry's zone destination; two loose entries to one
//! destination each keep a finding). See docs/semantics.md, "特定通信 attribution".

mod common;
use common::{copy_dir, fresh_dir, root};
use sanso::checks::Status;
use std::path::PathBuf;

/// The sample city with `edit` applied to (sanso.toml, fw-mn.conf).
fn city(tag: &str, edit: impl Fn(String, String) -> (String, String)) -> PathBuf {
    let dir = fresh_dir("tokutei", tag);
    copy_dir(&root().join("fixtures/sample-city"), &dir);
    let inv = std::fs::read_to_string(dir.join("sanso.toml")).unwrap();
    let fw = std::fs::read_to_string(dir.join("configs/fw-mn.conf")).unwrap();
    let (inv, fw) = edit(inv, fw);
    std::fs::write(dir.join("sanso.toml"), inv).unwrap();
    std::fs::write(dir.join("configs/fw-mn.conf"), fw).unwrap();
    dir
}

fn status(a: &sanso::checks::audit::Audit, rule: &str) -> Status {
    a.eval
        .checks
        .iter()
        .find(|c| c.rule == rule)
        .unwrap()
        .status
}

fn flows(a: &sanso::checks::audit::Audit, rule: &str) -> Vec<String> {
    let mut v: Vec<String> = a
        .eval
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .filter_map(|f| f.subject.flow.clone())
        .collect();
    v.sort();
    v
}

/// 中間サーバ連携 retargeted at the whole 住基ネット zone (its firewall policy too): the CS's
/// declared packets to the server inside that zone are legitimate, not a TOKUTEI-IP finding.
#[test]
fn host_destination_inside_a_zone_destination_is_not_loose() {
    let dir = city("host-in-zone", |inv, fw| {
        let inv = inv.replacen(
            "from  = \"kikan-gw\"\nto    = \"chukan-server\"",
            "from  = \"kikan-gw\"\nto    = \"juki-net\"",
            1,
        );
        let fw = fw
            .replacen(
                "    edit \"chukan-server\"",
                "    edit \"juki-net-all\"\n        set subnet 192.168.100.0 255.255.255.0\n    next\n    edit \"chukan-server\"",
                1,
            )
            .replacen(
                "        set dstintf \"port3\"\n        set action accept\n        set srcaddr \"kikan-gw\"\n        set dstaddr \"chukan-server\"",
                "        set dstintf \"port2\"\n        set action accept\n        set srcaddr \"kikan-gw\"\n        set dstaddr \"juki-net-all\"",
                1,
            );
        (inv, fw)
    });
    let a = sanso::checks::audit::run(&dir).unwrap();
    assert!(a.snapshot.file_errors.is_empty());
    assert_eq!(
        status(&a, "TOKUTEI-IP"),
        Status::Pass,
        "{:?}",
        flows(&a, "TOKUTEI-IP")
    );
    assert_eq!(status(&a, "TOKUTEI-PORT"), Status::Pass);
}

/// Two entries to the 住基ネット server on different ports, both policies opened to the
/// whole server segment: each entry has its own TOKUTEI-IP finding (one used to hide the
/// other); a third, tight entry on a port of its own is not named.
#[test]
fn two_loose_entries_to_one_destination_each_keep_a_finding() {
    let dir = city("two-loose", |inv, fw| {
        let inv = inv
            .replacen(
                "from  = \"kikan-gw\"\nto    = \"chukan-server\"\nports = [\"tcp/443\"]",
                "from  = \"kikan-gw\"\nto    = \"juki-net-server\"\nports = [\"tcp/8443\"]",
                1,
            )
            .replacen(
                "# ---- 無害化通信 ----",
                "[[tokutei]]\nname  = \"バックアップ連携\"\nfrom  = \"juki-cs\"\nto    = \"juki-net-server\"\nports = [\"tcp/873\"]\n\n# ---- 無害化通信 ----",
                1,
            );
        let fw = fw
            .replacen(
                "config firewall policy\n",
                "config firewall service custom\n    edit \"TCP8443\"\n        set tcp-portrange 8443\n    next\n    edit \"RSYNC\"\n        set tcp-portrange 873\n    next\nend\nconfig firewall address\n    edit \"mn-servers-all\"\n        set subnet 10.10.10.0 255.255.255.0\n    next\nend\nconfig firewall policy\n",
                1,
            )
            .replacen(
                "        set srcaddr \"juki-cs\"\n        set dstaddr \"juki-net-server\"",
                "        set srcaddr \"mn-servers-all\"\n        set dstaddr \"juki-net-server\"",
                1,
            )
            .replacen(
                "        set dstintf \"port3\"\n        set action accept\n        set srcaddr \"kikan-gw\"\n        set dstaddr \"chukan-server\"\n        set schedule \"always\"\n        set service \"HTTPS\"",
                "        set dstintf \"port2\"\n        set action accept\n        set srcaddr \"mn-servers-all\"\n        set dstaddr \"juki-net-server\"\n        set schedule \"always\"\n        set service \"TCP8443\"",
                1,
            )
            .replacen(
                "end\nconfig router static",
                "    edit 3\n        set name \"バックアップ連携\"\n        set srcintf \"port1\"\n        set dstintf \"port2\"\n        set action accept\n        set srcaddr \"juki-cs\"\n        set dstaddr \"juki-net-server\"\n        set schedule \"always\"\n        set service \"RSYNC\"\n    next\nend\nconfig router static",
                1,
            );
        (inv, fw)
    });
    let a = sanso::checks::audit::run(&dir).unwrap();
    assert!(
        a.snapshot.file_errors.is_empty(),
        "{:?}",
        a.snapshot.file_errors
    );
    assert_eq!(status(&a, "TOKUTEI-IP"), Status::Violated);
    assert_eq!(
        flows(&a, "TOKUTEI-IP"),
        vec![
            "中間サーバ連携".to_string(),
            "住基ネット CS 連携".to_string()
        ]
    );
    for f in a.eval.findings.iter().filter(|f| f.rule == "TOKUTEI-IP") {
        let w = f.witness.as_ref().unwrap();
        // This entry's port, from an address other than its declared source.
        let (port, own) = if f.subject.flow.as_deref() == Some("中間サーバ連携") {
            (8443, "10.10.10.30")
        } else {
            (443, "10.10.10.21")
        };
        assert_eq!(w.dst_port, port, "{f:?}");
        assert_ne!(w.src_ip.to_string(), own, "{f:?}");
    }
    assert_eq!(status(&a, "TOKUTEI-PORT"), Status::Pass);
}

//! FortiOS NAT on the bundled city (issue 12): source NAT on the Internet egress policy no
//! longer leaves MN-ISOLATION unproven, and a VIP port forward shows in `sanso trace`.

mod common;
use common::{cli, copy_dir, root};
use serde_json::Value;
use std::path::PathBuf;

/// A copy of fixtures/sample-city with `edit` applied to configs/fw-lgwan.conf.
fn city_with(tag: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sanso-fortios-nat-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("fixtures/sample-city"), &dir);
    let f = dir.join("configs/fw-lgwan.conf");
    let text = std::fs::read_to_string(&f).unwrap();
    let new = edit(&text);
    assert_ne!(new, text, "edit did not apply");
    std::fs::write(&f, new).unwrap();
    dir
}

#[test]
fn nat_on_the_internet_egress_policy_leaves_mn_isolation_proven() {
    let dir = city_with("snat", |t| {
        t.replacen(
            "        set service \"RDP-VDI\"\n",
            "        set service \"RDP-VDI\"\n        set nat enable\n",
            1,
        )
    });
    let (_, out, err) = cli(&["audit", dir.to_str().unwrap(), "--format", "json"]);
    let r: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let mn = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "MN-ISOLATION" || c["rule"] == "MN-ISOLATION")
        .unwrap_or_else(|| panic!("no MN-ISOLATION in {}", r["checks"]));
    assert_eq!(mn["status"], "pass", "{mn}");
    let parse = r["parse"].as_array().unwrap();
    assert!(
        parse
            .iter()
            .all(|p| p["unrecognized"].as_array().unwrap().is_empty()),
        "{parse:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn check<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id || c["rule"] == id)
        .unwrap_or_else(|| panic!("no {id} in {}", r["checks"]))
}

/// The 画面転送 policy (lg-terminals → vdi-gw, tcp/3389, declared [[mugaika]]) translates
/// the terminals' source to the firewall's port3 address. The flow is still the declared
/// one (judged on the packet as the terminal sends it): SPLIT-MUGAIKA-ONLY passes. With
/// SSH added to the same policy, the violation is found and its witness is the packet
/// as sent — from a terminal address, to vdi-gw on tcp/22.
#[test]
fn source_nat_on_the_vdi_policy_keeps_the_declared_flow_declared() {
    let nat = |t: &str| {
        t.replacen(
            "        set service \"RDP-VDI\"\n    next\n    edit 99",
            "        set service \"RDP-VDI\"\n        set nat enable\n    next\n    edit 99",
            1,
        )
    };
    let dir = city_with("vdi-nat", nat);
    let (_, out, err) = cli(&["audit", dir.to_str().unwrap(), "--format", "json"]);
    let r: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!(check(&r, "SPLIT-MUGAIKA-ONLY")["status"], "pass", "{out}");
    let _ = std::fs::remove_dir_all(&dir);

    let dir = city_with("vdi-nat-ssh", |t| {
        nat(t).replacen(
            "        set service \"RDP-VDI\"\n        set nat enable",
            "        set service \"RDP-VDI\" \"SSH\"\n        set nat enable",
            1,
        )
    });
    let (_, out, err) = cli(&["audit", dir.to_str().unwrap(), "--format", "json"]);
    let r: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let c = check(&r, "SPLIT-MUGAIKA-ONLY");
    assert_eq!(c["status"], "violated", "{c}");
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "SPLIT-MUGAIKA-ONLY")
        .unwrap();
    let w = &f["witness"];
    // lg-terminals is 10.20.10.0/24 and vdi-gw 10.30.20.50 in sanso.toml.
    assert!(
        w["src_ip"].as_str().unwrap().starts_with("10.20.10."),
        "{w}"
    );
    assert_eq!(w["dst_ip"], "10.30.20.50", "{w}");
    assert_eq!(w["dst_port"], 22, "{w}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn vip_port_forward_is_traced_with_the_rewritten_packet() {
    let dir = city_with("vip", |t| {
        t.replacen(
            "config firewall policy\n",
            "config firewall vip\n    edit \"mail-in\"\n        set extip 10.30.254.1\n        set extintf \"port3\"\n        set mappedip \"10.20.20.25\"\n        set portforward enable\n        set extport 2525\n        set mappedport 25\n    next\nend\nconfig firewall policy\n    edit 25\n        set srcintf \"port3\"\n        set dstintf \"lgwan-side\"\n        set action accept\n        set srcaddr \"inet-mail-relay\"\n        set dstaddr \"mail-in\"\n        set schedule \"always\"\n        set service \"SMTP\"\n    next\n",
            1,
        )
    });
    let (code, out, err) = cli(&[
        "trace",
        dir.to_str().unwrap(),
        "--src",
        "inet-mail-relay",
        "--dst",
        "10.30.254.1",
        "--proto",
        "tcp",
        "--dport",
        "2525",
        "--format",
        "json",
    ]);
    let t: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    // Exit 0 when the verdict is delivered, 1 otherwise (the verdict is about the address
    // as sent; see below).
    assert_eq!(code, i32::from(t["verdict"] != "delivered"), "{err}");
    // Translated to the mail server (10.20.20.25:25 in lg-servers) by the VIP, through the
    // policy naming it; the trace cites the VIP and the policy lines. (The verdict is about
    // the zone of the address as sent, 10.30.254.1.)
    let cfg = std::fs::read_to_string(dir.join("configs/fw-lgwan.conf")).unwrap();
    let line = |needle: &str| {
        format!(
            "configs/fw-lgwan.conf:{}",
            cfg.lines().position(|l| l.contains(needle)).unwrap() + 1
        )
    };
    let (vip, pol) = (line("edit \"mail-in\""), line("set dstaddr \"mail-in\""));
    let d = t["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["zones"]
                .as_array()
                .unwrap()
                .contains(&"lg-servers".into())
        })
        .unwrap_or_else(|| panic!("not delivered to lg-servers: {t}"));
    let fw = d["path"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["device"] == "fw-lgwan")
        .unwrap();
    let lines: Vec<&str> = fw["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        lines.contains(&vip.as_str()) && lines.contains(&pol.as_str()),
        "{fw}"
    );
    assert_eq!(fw["out"], "lg-transit");
    // The rewrite is placed on the firewall (the hops after it see the mapped packet).
    let rw = d["rewrites"].as_array().unwrap();
    assert_eq!(rw.len(), 1, "{d}");
    assert_eq!(rw[0]["device"], "fw-lgwan");
    assert_eq!(rw[0]["leaves_as"]["dst_ip"], "10.20.20.25");
    assert_eq!(rw[0]["leaves_as"]["dst_port"], 25);
    // Without the VIP the same packet goes nowhere past the firewall.
    let (_, plain, _) = cli(&[
        "trace",
        "fixtures/sample-city",
        "--src",
        "inet-mail-relay",
        "--dst",
        "10.30.254.1",
        "--proto",
        "tcp",
        "--dport",
        "2525",
        "--format",
        "json",
    ]);
    assert!(!plain.contains("lg-servers"), "{plain}");
    let _ = std::fs::remove_dir_all(&dir);
}

//! The Linux mail sanitiser fixture: SPLIT-MUGAIKA-ONLY is proven through the nftables
//! rules of `mail-gw` (a real `nft list ruleset` dump), and each way of breaking those
//! rules — a wider forward rule, a DNAT port-forward, an unknown construct — changes the
//! verdict with the nft line cited.

mod common;
use common::{copy_dir, root};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const FIXTURE: &str = "fixtures/sample-mailgw";
const NFT: &str = "configs/mail-gw/ruleset.nft";

fn audit(dir: &Path) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_sanso"))
        .args(["audit", dir.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (out.status.code().unwrap(), v)
}

/// A copy of the fixture with `edit` applied to mail-gw's ruleset.
fn variant(name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let dst = std::env::temp_dir().join(format!("sanso-mailgw-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    copy_dir(&root().join(FIXTURE), &dst);
    let p = dst.join(NFT);
    let text = std::fs::read_to_string(&p).unwrap();
    let new = edit(text.clone());
    assert_ne!(new, text, "edit {name} changed nothing");
    std::fs::write(p, new).unwrap();
    dst
}

fn status(r: &Value, rule: &str) -> String {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == rule)
        .unwrap_or_else(|| panic!("no check {rule}"))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

fn nft_line(text: &str, needle: &str) -> String {
    let n = text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    format!("{NFT}:{n}")
}

fn cited(f: &Value) -> Vec<String> {
    f["path"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["lines"].as_array().unwrap().iter())
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn sanitiser_rules_prove_the_split() {
    let (code, r) = audit(&root().join(FIXTURE));
    assert_eq!(code, 0, "{r}");
    assert_eq!(status(&r, "SPLIT-MUGAIKA-ONLY"), "pass");
    assert_eq!(status(&r, "LGWAN-PROTOCOLS"), "pass");
    assert!(r["findings"].as_array().unwrap().is_empty());
    // Every line of the Linux folder was understood.
    let text = serde_json::to_string(&r).unwrap();
    assert!(!text.contains("unrecognized\":[{"), "{text}");
}

#[test]
fn wider_forward_rule_is_a_direct_crossing() {
    let dir = variant("wide", |t| {
        t.replace(
            "ip daddr 10.20.20.30 tcp dport 25 accept comment",
            "ip daddr 10.20.20.0/24 accept comment",
        )
    });
    let (code, r) = audit(&dir);
    assert_eq!(code, 1);
    assert_eq!(status(&r, "SPLIT-MUGAIKA-ONLY"), "violated");
    let f = &r["findings"].as_array().unwrap()[0];
    assert_eq!(f["src"], "inet-dmz");
    assert_eq!(f["dst"], "lg-servers");
    // The witness is not the declared SMTP flow, and the widened rule is cited.
    let w = &f["witness"];
    assert!(
        !(w["dst_ip"] == "10.20.20.30" && w["dst_port"] == 25),
        "{w}"
    );
    let text = std::fs::read_to_string(dir.join(NFT)).unwrap();
    assert!(
        cited(f).contains(&nft_line(&text, "ip daddr 10.20.20.0/24 accept")),
        "{f}"
    );
}

const DNAT: &str = "table ip nat {\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tiifname \"eth0\" tcp dport 2222 dnat to 10.20.20.40:22\n\t}\n}\n";

/// `sanso trace` of the port-forward probe: relay → mail-gw:2222.
fn trace_probe(dir: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_sanso"))
        .args(["trace", dir.to_str().unwrap(), "--src", "inet-mail-relay"])
        .args(["--dst", "10.30.20.25", "--proto", "tcp", "--dport", "2222"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn delivered_to(t: &Value, point: &str) -> Option<Value> {
    t["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["point"] == point)
        .cloned()
}

#[test]
fn dnat_port_forward_into_lgwan_is_found() {
    // A port-forward on the Internet side to the LGWAN ops terminal's SSH. The probe is
    // addressed to mail-gw itself; only the DNAT makes it cross.
    let dir = variant("dnat", |t| {
        let fwd = "\t\tct state established,related accept\n\t\tiifname \"eth0\" oifname";
        t.replacen(
            fwd,
            "\t\tct state established,related accept\n\t\tiifname \"eth0\" ip daddr 10.20.20.40 tcp dport 22 accept\n\t\tiifname \"eth0\" oifname",
            1,
        ) + DNAT
    });
    let (code, r) = audit(&dir);
    assert_eq!(code, 1, "{r}");
    assert_eq!(status(&r, "SPLIT-MUGAIKA-ONLY"), "violated");
    // Every witness, replayed by `trace`, arrives where the finding says.
    for f in r["findings"].as_array().unwrap() {
        let w = &f["witness"];
        let out = Command::new(env!("CARGO_BIN_EXE_sanso"))
            .args(["trace", dir.to_str().unwrap(), "--format", "json"])
            .args(["--src", w["src_ip"].as_str().unwrap()])
            .args(["--dst", w["dst_ip"].as_str().unwrap()])
            .args(["--proto", w["proto"].as_str().unwrap()])
            .args(["--dport", &w["dst_port"].to_string()])
            .args(["--sport", &w["src_port"].to_string()])
            .output()
            .unwrap();
        let t: Value = serde_json::from_slice(&out.stdout).unwrap();
        let dst = f["dst_point"].as_str().unwrap();
        assert!(delivered_to(&t, dst).is_some(), "{f}\n{t}");
    }
    let text = std::fs::read_to_string(dir.join(NFT)).unwrap();
    let t = trace_probe(&dir);
    let d = delivered_to(&t, "lg-sw:GigabitEthernet1/0/3").unwrap_or_else(|| panic!("{t}"));
    let lines: Vec<String> = d["path"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["lines"].as_array().unwrap().iter())
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    for needle in [
        "dnat to 10.20.20.40:22",
        "ip daddr 10.20.20.40 tcp dport 22 accept",
    ] {
        assert!(lines.contains(&nft_line(&text, needle)), "{needle}: {d}");
    }

    // Without the forward rule the DNAT alone crosses nothing: the forward chain sees the
    // rewritten packet and drops it.
    let closed = variant("dnat-closed", |t| t + DNAT);
    let (code, r) = audit(&closed);
    assert_eq!(code, 0, "{r}");
    let t = trace_probe(&closed);
    assert!(
        t["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| !d["point"].as_str().unwrap().starts_with("lg-sw")),
        "{t}"
    );
}

#[test]
fn unknown_construct_makes_the_split_unproven() {
    let dir = variant("unknown", |t| {
        t.replacen(
            "\t\tct state established,related accept\n\t\tiifname \"eth0\" oifname",
            "\t\tct state established,related accept\n\t\tmeta skuid 0 fib daddr type local accept\n\t\tiifname \"eth0\" oifname",
            1,
        )
    });
    let (code, r) = audit(&dir);
    assert_ne!(code, 0, "{r}");
    assert_eq!(status(&r, "SPLIT-MUGAIKA-ONLY"), "unproven", "{r}");
    let text = serde_json::to_string(&r).unwrap();
    assert!(
        text.contains("fib daddr type local"),
        "the line is named: {text}"
    );
}

/// A copy of the fixture with `edit` applied to its sanso.toml.
fn variant_inventory(
    name: &str,
    edit: impl Fn(String) -> String,
    nft: impl Fn(String) -> String,
) -> PathBuf {
    let dir = variant(name, nft);
    let p = dir.join("sanso.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(p, edit(text)).unwrap();
    dir
}

/// Issue 12: mail-gw's own stack speaks for a tier only as a declared host, and then with
/// its own addresses (any but the one declared on the other side). With the source check
/// dropped from its OUTPUT rule towards lgwan-mail, the relay can send as its Internet
/// side (10.30.20.25) into LGWAN: a crossing while it is declared on both sides, and none
/// of a tier's business when it is declared nowhere.
#[test]
fn relay_speaks_for_each_declared_side_with_that_sides_address() {
    let wide_out = |t: String| {
        t.replace(
            "oifname \"eth1\" ip saddr 10.20.20.25 ip daddr 10.20.20.30",
            "oifname \"eth1\" ip daddr 10.20.20.30",
        )
    };
    let dir = variant("out-declared", wide_out);
    let (code, r) = audit(&dir);
    assert_eq!(code, 1, "{r}");
    assert_eq!(status(&r, "SPLIT-MUGAIKA-ONLY"), "violated");
    let f = &r["findings"].as_array().unwrap()[0];
    assert_eq!(f["src"], "inet-dmz", "{f}");
    assert_eq!(f["dst"], "lg-servers", "{f}");
    assert_eq!(f["src_point"], "mail-gw:(local)", "{f}");
    assert_eq!(f["witness"]["src_ip"], "10.30.20.25", "{f}");

    let undeclared = variant_inventory(
        "out-undeclared",
        |t| {
            let cut = t.find("[[host]]\nname = \"mail-gw-lg\"").unwrap();
            let end = t.find("# ---- 無害化通信 ----").unwrap();
            format!("{}{}", &t[..cut], &t[end..])
        },
        wide_out,
    );
    let (code, r) = audit(&undeclared);
    assert_eq!(code, 0, "{r}");
    assert_eq!(status(&r, "SPLIT-MUGAIKA-ONLY"), "pass");
}

//! Issue 12: a Linux firewall that keeps the default `OUTPUT ACCEPT` and drops every new
//! flow in FORWARD isolates its tiers. Its own stack sends only with its own addresses,
//! and only as a zone it is declared in as a `[[host]]`.

mod common;
use common::{copy_dir, root};
use serde_json::Value;
use std::path::Path;

const FIXTURE: &str = "fixtures/linux-fw-own-traffic";

fn audit(dir: &Path) -> Value {
    let a = sanso::checks::audit::run(dir).unwrap();
    serde_json::to_value(a.report(sanso::report::Lang::En)).unwrap()
}

fn status(r: &Value, rule: &str) -> String {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rule"] == rule)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn undeclared_firewall_own_traffic_is_not_tier_traffic() {
    let r = audit(&root().join(FIXTURE));
    assert_eq!(status(&r, "MN-ISOLATION"), "pass", "{r}");
    assert!(r["findings"].as_array().unwrap().is_empty(), "{r}");
}

#[test]
fn declared_firewall_sends_as_its_zone_with_its_own_addresses() {
    // Declared as an LGWAN host, the firewall's own traffic is LGWAN traffic: OUTPUT
    // ACCEPT lets it open flows into the My Number segment it has a leg in.
    let dir = std::env::temp_dir().join(format!("sanso-own-traffic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join(FIXTURE), &dir);
    let toml = dir.join("sanso.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str(
        "\n[[host]]\nname = \"fw-mgmt\"\nip   = \"10.20.10.1\"\nzone = \"lg-office\"\nrole = \"server\"\n",
    );
    std::fs::write(&toml, text).unwrap();
    let r = audit(&dir);
    assert_eq!(status(&r, "MN-ISOLATION"), "violated", "{r}");
    let fs = r["findings"].as_array().unwrap();
    assert_eq!(fs.len(), 1, "{r}");
    let f = &fs[0];
    assert_eq!(f["src"], "lg-office", "{f}");
    assert_eq!(f["dst"], "mn-office", "{f}");
    assert_eq!(f["src_point"], "fw:(local)", "{f}");
    // One of its own addresses, never a spoofed LGWAN host's.
    let src = f["witness"]["src_ip"].as_str().unwrap();
    assert!(["10.20.10.1", "10.10.20.1"].contains(&src), "{f}");
    let _ = std::fs::remove_dir_all(&dir);
}

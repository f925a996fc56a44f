//! Cisco IOS NAT as header rewrites (issue 12): a マイナンバー router that NATs towards
//! 住基ネット with a static entry for the 住基 CS and overload for the terminals.
//! Expectations are derived by hand from the config below (IOS order: inbound ACL,
//! translate outside→inside, route; route, translate inside→outside, outbound ACL).

mod common;
use common::cli;
use serde_json::Value;
use std::path::{Path, PathBuf};

const TOML: &str = r#"
[organization]
name  = "NAT の町"
model = "alpha"

[[zone]]
name    = "mn-servers"
tier    = "mynumber"
kind    = "servers"
subnets = ["10.10.10.0/24"]

[[zone]]
name    = "mn-terminals"
tier    = "mynumber"
kind    = "terminals"
subnets = ["10.10.20.0/24"]

[[zone]]
name    = "juki-net"
tier    = "external"
kind    = "juki-net"
subnets = ["192.168.100.0/24"]

[[host]]
name = "juki-cs"
ip   = "10.10.10.21"
zone = "mn-servers"
role = "server"

[[host]]
name = "juki-net-server"
ip   = "192.168.100.10"
zone = "juki-net"
role = "server"

[[tokutei]]
name  = "住基ネット CS 連携"
from  = "juki-cs"
to    = "juki-net-server"
ports = ["tcp/443"]
"#;

const TOPOLOGY: &str = "[[link]]\na = \"juki-cs\"\nb = \"mn-rtr:GigabitEthernet0/0\"\n";

/// 住基 CS 10.10.10.21 appears as 192.168.100.21 (static); the terminals leave as the
/// router's own 192.168.100.1 (overload) but may not reach 住基ネット (TERM-IN); from
/// 住基ネット only replies come in (JUKI-IN).
const CFG: &str = "hostname mn-rtr
!
ip access-list extended CS-OUT
 10 permit tcp host 10.10.10.21 host 192.168.100.10 eq 443
!
ip access-list extended TERM-IN
 10 deny ip any 192.168.100.0 0.0.0.255
 20 permit ip any any
!
ip access-list extended JUKI-IN
 10 permit tcp any any established
!
ip access-list standard TERM-NAT
 10 permit 10.10.20.0 0.0.0.255
!
interface GigabitEthernet0/0
 ip address 10.10.10.1 255.255.255.0
 ip access-group CS-OUT in
 ip nat inside
!
interface GigabitEthernet0/1
 ip address 192.168.100.1 255.255.255.0
 ip access-group JUKI-IN in
 ip nat outside
!
interface GigabitEthernet0/2
 ip address 10.10.20.1 255.255.255.0
 ip access-group TERM-IN in
 ip nat inside
!
ip nat inside source static 10.10.10.21 192.168.100.21
ip nat inside source list TERM-NAT interface GigabitEthernet0/1 overload
!
end
";

fn town(tag: &str, cfg: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sanso-ios-nat-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::fs::write(dir.join("sanso.toml"), TOML).unwrap();
    std::fs::write(dir.join("topology.toml"), TOPOLOGY).unwrap();
    std::fs::write(dir.join("configs/mn-rtr.cfg"), cfg).unwrap();
    dir
}

fn audit(dir: &Path) -> Value {
    let (_, out, err) = cli(&["audit", dir.to_str().unwrap(), "--format", "json"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
}

fn status(r: &Value, id: &str) -> String {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id || c["rule"] == id)
        .unwrap_or_else(|| panic!("no {id} in {}", r["checks"]))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

fn finding<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == id)
        .unwrap_or_else(|| panic!("no {id} finding in {}", r["findings"]))
}

const CHECKS: [&str; 4] = [
    "MN-TOKUTEI-ONLY",
    "TOKUTEI-IP",
    "TOKUTEI-PORT",
    "TOKUTEI-PATH",
];

/// Modelled NAT: every 住基 check is proven (pass), nothing is unrecognized. The same
/// static entry in a form sanso does not model (`extendable`) leaves them unproven, as
/// every NAT line did before NAT was lowered.
#[test]
fn static_and_overload_towards_juki_net_are_proven() {
    let dir = town("ok", CFG);
    let r = audit(&dir);
    for id in CHECKS {
        assert_eq!(status(&r, id), "pass", "{id}: {}", r["checks"]);
    }
    let parse = r["parse"].as_array().unwrap();
    assert!(
        parse
            .iter()
            .all(|p| p["unrecognized"].as_array().unwrap().is_empty()),
        "{parse:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let dir = town(
        "extendable",
        &CFG.replace("192.168.100.21\n", "192.168.100.21 extendable\n"),
    );
    let r = audit(&dir);
    for id in ["MN-TOKUTEI-ONLY", "TOKUTEI-PORT"] {
        assert_eq!(status(&r, id), "unproven", "{id}: {}", r["checks"]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// CS-OUT without the port: the CS reaches 住基ネット on any TCP port. The finding's
/// witness is the packet the CS sends (source 10.10.10.21, not the translated
/// 192.168.100.21), on a port other than 443, from the CS's own port.
#[test]
fn a_loose_cs_acl_is_found_with_the_packet_as_sent() {
    let dir = town(
        "port",
        &CFG.replace("host 192.168.100.10 eq 443", "host 192.168.100.10"),
    );
    let r = audit(&dir);
    assert_eq!(status(&r, "TOKUTEI-PORT"), "violated");
    let f = finding(&r, "TOKUTEI-PORT");
    let w = &f["witness"];
    assert_eq!(w["src_ip"], "10.10.10.21", "{f}");
    assert_eq!(w["dst_ip"], "192.168.100.10", "{f}");
    assert_eq!(w["proto"], "tcp", "{f}");
    assert_ne!(w["dst_port"], 443, "{f}");
    assert_eq!(f["src_point"], "mn-rtr:GigabitEthernet0/0", "{f}");
    // The path cites the static NAT line (31 in CFG).
    let lines = f["path"][0]["lines"].as_array().unwrap();
    assert!(lines.contains(&"configs/mn-rtr.cfg:31".into()), "{lines:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// JUKI-IN admitting new flows to the CS's global address: IOS checks the inbound ACL
/// before translating, so only packets sent to 192.168.100.21 pass, and the static
/// entry delivers them to the CS (10.10.10.21) — 住基ネット opens flows into the
/// マイナンバー tier. The witness is the packet as sent (to 192.168.100.21).
/// Admitting new flows to the overload address 192.168.100.1 instead opens nothing:
/// dynamic NAT admits no new flows from outside (the address is the router's own).
#[test]
fn static_nat_admits_juki_net_into_the_cs_and_overload_does_not() {
    let dir = town(
        "inbound",
        &CFG.replace(
            " 10 permit tcp any any established\n",
            " 10 permit tcp any any established\n 20 permit tcp any host 192.168.100.21 eq 22\n",
        ),
    );
    let r = audit(&dir);
    assert_eq!(status(&r, "MN-TOKUTEI-ONLY"), "violated", "{}", r["checks"]);
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "MN-TOKUTEI-ONLY" && f["src"] == "juki-net")
        .unwrap_or_else(|| panic!("no juki-net → mn finding: {}", r["findings"]));
    let w = &f["witness"];
    assert_eq!(w["dst_ip"], "192.168.100.21", "{f}");
    assert_eq!(w["dst_port"], 22, "{f}");
    assert_eq!(f["src_point"], "mn-rtr:GigabitEthernet0/1", "{f}");
    assert_eq!(f["dst_point"], "mn-rtr:GigabitEthernet0/0", "{f}");
    let _ = std::fs::remove_dir_all(&dir);

    let dir = town(
        "inbound-overload",
        &CFG.replace(
            " 10 permit tcp any any established\n",
            " 10 permit tcp any any established\n 20 permit ip any host 192.168.100.1\n",
        ),
    );
    let r = audit(&dir);
    for id in CHECKS {
        assert_eq!(status(&r, id), "pass", "{id}: {}", r["checks"]);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Terminals allowed towards 住基ネット (TERM-IN without its deny): translated by
/// overload, they reach it; the witness is sent from the terminals' port.
#[test]
fn overload_carries_terminals_to_juki_net_when_the_acl_lets_them() {
    let dir = town(
        "term",
        &CFG.replace(" 10 deny ip any 192.168.100.0 0.0.0.255\n", ""),
    );
    let r = audit(&dir);
    assert_eq!(status(&r, "MN-TOKUTEI-ONLY"), "violated");
    let f = finding(&r, "MN-TOKUTEI-ONLY");
    assert_eq!(f["src"], "mn-terminals", "{f}");
    assert_eq!(f["src_point"], "mn-rtr:GigabitEthernet0/2", "{f}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `sanso trace` of the CS's declared flow: delivered to 住基ネット, arriving with the
/// translated source 192.168.100.21 (same ports, same destination).
#[test]
fn trace_shows_the_translated_packet() {
    let dir = town("trace", CFG);
    let d = dir.to_str().unwrap();
    let args = [
        "trace",
        d,
        "--src",
        "juki-cs",
        "--dst",
        "192.168.100.10",
        "--proto",
        "tcp",
        "--dport",
        "443",
    ];
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let (code, out, err) = cli(&json);
    assert_eq!(code, 0, "{out}{err}");
    let t: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(t["verdict"], "delivered", "{t}");
    let del = &t["deliveries"][0];
    assert_eq!(del["point"], "mn-rtr:GigabitEthernet0/1", "{t}");
    let a = &del["arrives_as"];
    assert_eq!(a["src_ip"], "192.168.100.21", "{t}");
    assert_eq!(a["dst_ip"], "192.168.100.10", "{t}");
    assert_eq!(a["dst_port"], 443, "{t}");
    assert_eq!(t["packet"]["src_ip"], "10.10.10.21", "{t}");
    // The hop that rewrote it: mn-rtr, the only NAT device.
    let rw = del["rewrites"].as_array().unwrap();
    assert_eq!(rw.len(), 1, "{t}");
    assert_eq!(rw[0]["device"], "mn-rtr", "{t}");
    assert_eq!(rw[0]["leaves_as"]["src_ip"], "192.168.100.21", "{t}");
    let (_, text, _) = cli(&args);
    assert!(text.contains("mn-rtr で NAT"), "{text}");
    assert!(
        text.contains("192.168.100.21:49152 → 192.168.100.10:443"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

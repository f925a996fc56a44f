//! Regression snapshots for two connectivity-graph semantics (issue 12):
//! - a zone's `vlans` select VLANs only in the switched domains where the zone is present
//!   (VLAN ids are local: VLAN 10 at another site is another domain);
//! - a link missing from topology.toml does not fail open: links the configs make certain
//!   are inferred (and reported as such), and an interface that leads to no modelled device
//!   taints what leaves by it, so the checks say "unproven" instead of "pass".

use sanso::model::{LinkEnd, Snapshot};
use sanso::net::Graph;
use std::path::{Path, PathBuf};

fn write(dir: &Path, files: &[(&str, &str)]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    for (p, t) in files {
        std::fs::write(dir.join(p), t).unwrap();
    }
}

fn tmp(tag: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    base.join("net-semantics")
        .join(format!("{tag}-{}", std::process::id()))
}

fn status(dir: &Path, rule: &str) -> (String, Vec<String>) {
    let a = sanso::checks::audit::run(dir).unwrap();
    let c = a.eval.checks.iter().find(|c| c.rule == rule).unwrap();
    (
        c.status.id().to_string(),
        c.unproven_by
            .iter()
            .map(|u| format!("{}:{} {}", u.file, u.line, u.reason))
            .collect(),
    )
}

// ---- zone VLANs are local to a switched domain -------------------------------------

/// Site A: VLAN 10 is the マイナンバー segment (SVI in its subnet, both ways denied).
const SW_A: &str = "hostname sw-a
!
vlan 10
vlan 30
!
ip access-list extended DENY-ALL
 10 deny ip any any
!
interface GigabitEthernet1/0/1
 switchport access vlan 10
 switchport mode access
!
interface GigabitEthernet1/0/2
 switchport access vlan 30
 switchport mode access
!
interface Vlan10
 ip address 10.1.10.1 255.255.255.0
 ip access-group DENY-ALL in
 ip access-group DENY-ALL out
!
interface Vlan30
 ip address 10.1.30.1 255.255.255.0
!
end
";

/// Site B (no cable to site A): VLAN 10 is an LGWAN segment routed freely to an
/// internet-tier segment.
const SW_B: &str = "hostname sw-b
!
vlan 10
vlan 20
!
interface GigabitEthernet1/0/1
 switchport access vlan 10
 switchport mode access
!
interface GigabitEthernet1/0/2
 switchport access vlan 20
 switchport mode access
!
interface Vlan10
 ip address 10.2.10.1 255.255.255.0
!
interface Vlan20
 ip address 10.2.20.1 255.255.255.0
!
end
";

const VLAN_INV: &str = r#"[organization]
name  = "VLAN 町"
model = "alpha"

[[zone]]
name    = "mn"
tier    = "mynumber"
kind    = "terminals"
subnets = ["10.1.10.0/24"]
vlans   = [10]

[[zone]]
name    = "lg-a"
tier    = "lgwan"
kind    = "terminals"
subnets = ["10.1.30.0/24"]

[[zone]]
name    = "lg-b"
tier    = "lgwan"
kind    = "terminals"
subnets = ["10.2.10.0/24"]

[[zone]]
name    = "inet-b"
tier    = "internet"
kind    = "terminals"
subnets = ["10.2.20.0/24"]
"#;

#[test]
fn zone_vlans_select_only_the_domains_where_the_zone_is() {
    let dir = tmp("vlans");
    write(
        &dir,
        &[
            ("sanso.toml", VLAN_INV),
            ("configs/sw-a.cfg", SW_A),
            ("configs/sw-b.cfg", SW_B),
        ],
    );
    let snap = Snapshot::load(&dir).unwrap();
    let g = Graph::build_sets(&snap);
    let mn = snap.zones.iter().position(|z| z.name == "mn").unwrap();
    let zones_at = |dev: &str, ifn: &str| {
        g.points
            .iter()
            .find(|p| p.device == dev && p.interface == ifn)
            .unwrap()
            .zones
            .clone()
    };
    assert!(zones_at("sw-a", "GigabitEthernet1/0/1").contains(&mn));
    // Site B's VLAN 10 is another domain: not the マイナンバー zone.
    assert!(!zones_at("sw-b", "GigabitEthernet1/0/1").contains(&mn));
    // So site B's free LGWAN ↔ internet routing is not a マイナンバー leak.
    assert_eq!(status(&dir, "MN-ISOLATION").0, "pass");

    // A zone that declares VLAN 10 but has no interface in its subnet anywhere: VLAN 10
    // is two domains, so its place is ambiguous — never a silent pass.
    let ghost = VLAN_INV.to_string()
        + r#"
[[zone]]
name    = "mn-ghost"
tier    = "mynumber"
kind    = "servers"
subnets = ["10.9.0.0/24"]
vlans   = [10]
"#;
    std::fs::write(dir.join("sanso.toml"), ghost).unwrap();
    let (st, by) = status(&dir, "MN-ISOLATION");
    assert_eq!(st, "unproven", "{by:?}");
    assert!(
        by.iter()
            .any(|u| u.starts_with("sanso.toml:") && u.contains("VLAN 10")),
        "{by:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- links missing from topology.toml ----------------------------------------------

/// Two routers joined by 802.1Q sub-interfaces in a /31; topology.toml is empty.
const R1: &str = "hostname r1
!
interface GigabitEthernet0/0
 no shutdown
!
interface GigabitEthernet0/0.100
 encapsulation dot1Q 100
 ip address 10.0.0.1 255.255.255.254
!
interface GigabitEthernet0/1
 ip address 10.1.1.1 255.255.255.0
!
ip route 0.0.0.0 0.0.0.0 10.0.0.0
!
end
";

const R2: &str = "hostname r2
!
interface GigabitEthernet0/0
 no shutdown
!
interface GigabitEthernet0/0.100
 encapsulation dot1Q 100
 ip address 10.0.0.0 255.255.255.254
!
interface GigabitEthernet0/1
 ip address 10.2.2.1 255.255.255.0
!
ip route 10.1.1.0 255.255.255.0 10.0.0.1
!
end
";

const LINK_INV: &str = r#"[organization]
name  = "リンク村"
model = "alpha"

[[zone]]
name    = "mn"
tier    = "mynumber"
kind    = "terminals"
subnets = ["10.1.1.0/24"]

[[zone]]
name    = "lg"
tier    = "lgwan"
kind    = "terminals"
subnets = ["10.2.2.0/24"]

[[zone]]
name    = "internet"
tier    = "external"
kind    = "internet"
subnets = ["0.0.0.0/0"]
"#;

#[test]
fn a_certain_link_is_inferred_and_an_uncertain_one_makes_checks_unproven() {
    let dir = tmp("links");
    write(
        &dir,
        &[
            ("sanso.toml", LINK_INV),
            ("topology.toml", "# no links\n"),
            ("configs/r1.cfg", R1),
            ("configs/r2.cfg", R2),
        ],
    );
    let snap = Snapshot::load(&dir).unwrap();
    let inferred: Vec<_> = snap.links.iter().filter(|l| l.inferred.is_some()).collect();
    assert_eq!(inferred.len(), 1, "{inferred:?}");
    let l = inferred[0];
    let ends = [l.a.clone(), l.b.clone()];
    for (d, i) in [("r1", "GigabitEthernet0/0"), ("r2", "GigabitEthernet0/0")] {
        assert!(
            ends.contains(&LinkEnd::Port {
                device: d.into(),
                interface: i.into()
            }),
            "{l:?}"
        );
    }
    let inf = l.inferred.as_ref().unwrap();
    assert_eq!(inf.subnet, "10.0.0.0/31");
    assert!(inf.a_span.file.starts_with("configs/") && inf.a_span.line > 0);
    assert!(inf.b_span.file.starts_with("configs/") && inf.b_span.line > 0);
    // The inferred link carries the leak: the routers forward マイナンバー ↔ LGWAN.
    assert_eq!(status(&dir, "MN-ISOLATION").0, "violated");
    // …and the JSON report lists it as inferred, with both config lines.
    let a = sanso::checks::audit::run(&dir).unwrap();
    let j = serde_json::to_value(a.report(sanso::report::Lang::En)).unwrap();
    let il = &j["inferred_links"][0];
    assert_eq!(il["subnet"], "10.0.0.0/31", "{j}");
    assert!(il["evidence"][0].as_str().unwrap().starts_with("configs/r"));

    // topology.toml overrides: r1's port linked elsewhere is never re-linked, and r1's
    // default route now leaves by a port whose peer (r2) is not linked to it. The Internet
    // zone must not be placed there, and what leaves by it is unproven, not dropped.
    std::fs::write(
        dir.join("topology.toml"),
        "[[link]]\na = \"r2:GigabitEthernet0/0\"\nb = \"r2-spare\"\n",
    )
    .unwrap();
    let inv = LINK_INV.to_string()
        + "\n[[host]]\nname = \"r2-spare\"\nip   = \"10.2.2.50\"\nzone = \"lg\"\n";
    std::fs::write(dir.join("sanso.toml"), inv).unwrap();
    let snap = Snapshot::load(&dir).unwrap();
    assert!(snap.links.iter().all(|l| l.inferred.is_none()));
    let g = Graph::build_sets(&snap);
    let up = g
        .points
        .iter()
        .position(|p| p.device == "r1" && p.interface == "GigabitEthernet0/0")
        .unwrap();
    assert!(g.points[up].zones.is_empty(), "{:?}", g.points[up].zones);
    assert!(g.dangling.contains(&up));
    let (st, by) = status(&dir, "MN-ISOLATION");
    assert_eq!(st, "unproven", "{by:?}");
    assert!(
        by.iter().any(|u| u.starts_with("configs/r1.cfg:")
            && u.contains("r1:GigabitEthernet0/0 leads to no modelled device")),
        "{by:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- a link named by its aggregators ------------------------------------------------

/// Core: the マイナンバー SVI (VLAN 10) and an LGWAN routed port, no filter between
/// them; the access switch holds the マイナンバー terminals. Core and access meet by an
/// EtherChannel whose link topology.toml names by the two port-channels.
const PO_CORE: &str = "hostname core
!
vlan 10
!
interface Port-channel1
 switchport trunk allowed vlan 10
 switchport mode trunk
!
interface GigabitEthernet1/0/1
 switchport trunk allowed vlan 10
 switchport mode trunk
 channel-group 1 mode active
!
interface GigabitEthernet1/0/2
 switchport trunk allowed vlan 10
 switchport mode trunk
 channel-group 1 mode active
!
interface GigabitEthernet1/0/3
 no switchport
 ip address 10.3.30.1 255.255.255.0
!
interface Vlan10
 ip address 10.3.10.1 255.255.255.0
";

const PO_ACC: &str = "hostname acc
!
vlan 10
!
interface Port-channel1
 switchport trunk allowed vlan 10
 switchport mode trunk
!
interface GigabitEthernet1/0/47
 switchport trunk allowed vlan 10
 switchport mode trunk
 channel-group 1 mode passive
!
interface GigabitEthernet1/0/48
 switchport trunk allowed vlan 10
 switchport mode trunk
 channel-group 1 mode passive
!
interface GigabitEthernet1/0/5
 switchport access vlan 10
 switchport mode access
";

const PO_INV: &str = r#"[organization]
name = "po"
model = "alpha"

[[zone]]
name    = "mn"
tier    = "mynumber"
kind    = "terminals"
subnets = ["10.3.10.0/24"]

[[zone]]
name    = "lg"
tier    = "lgwan"
kind    = "terminals"
subnets = ["10.3.30.0/24"]
"#;

/// The L2 domain of a link between two aggregators is their members' (the aggregator has
/// no attachments of its own): the access switch's terminals are in the core's VLAN 10,
/// and the unfiltered core lets them reach LGWAN. Found by the verdict referee's
/// `portchan` towns (the zone was "located nowhere" and every check unproven).
#[test]
fn a_link_named_by_its_aggregators_joins_their_members_domains() {
    let dir = tmp("po");
    write(
        &dir,
        &[
            ("sanso.toml", PO_INV),
            ("configs/core.cfg", PO_CORE),
            ("configs/acc.cfg", PO_ACC),
            (
                "topology.toml",
                "[[link]]\na = \"core:Port-channel1\"\nb = \"acc:Port-channel1\"\n",
            ),
        ],
    );
    let snap = Snapshot::load(&dir).unwrap();
    let g = Graph::build_sets(&snap);
    let mn = snap.zones.iter().position(|z| z.name == "mn").unwrap();
    let at = g
        .points
        .iter()
        .find(|p| p.device == "acc" && p.interface == "GigabitEthernet1/0/5")
        .unwrap();
    assert!(at.zones.contains(&mn), "{:?}", at.zones);
    let (st, by) = status(&dir, "MN-ISOLATION");
    assert_eq!(st, "violated", "{by:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- a routed aggregate between a FortiGate and a core ------------------------------

const AGG_FW: &str = r#"config system global
    set hostname "fw"
end
config system interface
    edit "port1"
        set vdom "root"
        set type physical
    next
    edit "port2"
        set vdom "root"
        set type physical
    next
    edit "agg1"
        set vdom "root"
        set type aggregate
        set member "port1" "port2"
        set ip 10.5.0.1 255.255.255.252
    next
    edit "port3"
        set vdom "root"
        set ip 10.5.10.1 255.255.255.0
    next
end
config firewall policy
    edit 1
        set srcintf "port3"
        set dstintf "agg1"
        set srcaddr "all"
        set dstaddr "all"
        set action accept
        set schedule "always"
        set service "ALL"
    next
end
config router static
    edit 1
        set dst 10.5.30.0 255.255.255.0
        set gateway 10.5.0.2
        set device "agg1"
    next
end
"#;

const AGG_CORE: &str = "hostname core
!
interface Port-channel1
 no switchport
 ip address 10.5.0.2 255.255.255.252
!
interface GigabitEthernet0/1
 no switchport
 no ip address
 channel-group 1 mode active
!
interface GigabitEthernet0/2
 no switchport
 no ip address
 channel-group 1 mode active
!
interface GigabitEthernet0/3
 no switchport
 ip address 10.5.30.1 255.255.255.0
!
ip route 10.5.10.0 255.255.255.0 10.5.0.1
";

const AGG_INV: &str = r#"[organization]
name = "agg"
model = "alpha"

[[zone]]
name    = "mn"
tier    = "mynumber"
kind    = "terminals"
subnets = ["10.5.10.0/24"]

[[zone]]
name    = "lg"
tier    = "lgwan"
kind    = "terminals"
subnets = ["10.5.30.0/24"]
"#;

/// A FortiGate aggregate (`set type aggregate`, `set member`) facing an IOS routed
/// port-channel: each member port carries the aggregator's L3 interface, so the permissive
/// policy out of `agg1` reaches LGWAN, whether topology.toml names the two aggregators,
/// each member pair, or nothing (the /30 makes the link certain: inferred). Without the
/// members carrying it, the traffic vanished at the aggregator and MN-ISOLATION passed
/// (the verdict referee's `fw_agg` towns: 153 of 300 disagreed).
#[test]
fn a_routed_aggregate_forwards_by_its_members() {
    let dir = tmp("agg");
    for topo in [
        "[[link]]\na = \"fw:agg1\"\nb = \"core:Port-channel1\"\n",
        "[[link]]\na = \"fw:port1\"\nb = \"core:Gi0/1\"\n\n[[link]]\na = \"fw:port2\"\nb = \"core:Gi0/2\"\n",
        "# no links\n",
    ] {
        write(
            &dir,
            &[
                ("sanso.toml", AGG_INV),
                ("configs/fw.conf", AGG_FW),
                ("configs/core.cfg", AGG_CORE),
                ("topology.toml", topo),
            ],
        );
        let snap = Snapshot::load(&dir).unwrap();
        let fw = snap.devices.iter().find(|d| d.name == "fw").unwrap();
        assert!(fw.unrecognized.is_empty(), "{:?}", fw.unrecognized);
        assert_eq!(fw.aggregates["agg1"], vec!["port1", "port2"]);
        let (st, by) = status(&dir, "MN-ISOLATION");
        assert_eq!(st, "violated", "{topo}: {by:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

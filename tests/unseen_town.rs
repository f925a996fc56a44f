//! issue 14 "Done when": a town none of the checks was written against — its own names,
//! addresses and VLANs, Cisco IOS + FortiOS + AlliedWare Plus — generated here, judged
//! clean, then with ONE planted fault per check of the pack's network part: every planted
//! id is reported naming the device, config line or inventory entry that carries the
//! fault, and nothing is reported on the clean twin.
//!
//! Each plant says, from the guideline's semantics (not from sanso's output), which other
//! checks the same fault necessarily breaks (`also`): e.g. an LGWAN接続系 host reaching
//! the security cloud is a SPLIT-MUGAIKA-ONLY violation whatever else it is. A plant
//! breaking anything beyond its id and `also` fails the test.
//!
//! The table [`PLANTS`] is (id, plant, carrier, also): the configuration-hygiene ids of
//! issue 14 part 2 add a row each.

mod common;
use sanso::checks::Status;
use std::collections::BTreeSet;

/// A FortiGate policy of the town's boundary firewall.
struct Policy {
    id: u32,
    name: &'static str,
    src_if: &'static str,
    dst_if: &'static str,
    src: &'static str,
    dst: &'static str,
    service: &'static str,
}

/// ひがし町: one FortiGate as the boundary of every tier, an IOS L3 switch for
/// LGWAN接続系, an AlliedWare Plus switch for マイナンバー利用事務系.
struct Town {
    /// FortiOS address objects (name, "a.b.c.d m.m.m.m").
    addrs: Vec<(&'static str, &'static str)>,
    policies: Vec<Policy>,
    /// FortiOS static routes (dst, gateway, device).
    routes: Vec<(&'static str, &'static str, &'static str)>,
    lgsw: String,
    mnsw: String,
    inventory: String,
    topology: String,
}

const FW: &str = "configs/hg-fw.conf";
const LGSW: &str = "configs/hg-lgsw.cfg";
const MNSW: &str = "configs/hg-mnsw.cfg";

fn clean() -> Town {
    Town {
        addrs: vec![
            ("juki-cs", "10.61.10.21 255.255.255.255"),
            ("juki-srv", "192.168.161.10 255.255.255.255"),
            ("lg-net", "10.62.0.0 255.255.0.0"),
            ("lgwan-net", "172.19.0.0 255.255.0.0"),
            ("lg-mail", "10.62.30.25 255.255.255.255"),
            ("inet-relay", "10.63.1.25 255.255.255.255"),
            ("inet-office", "10.63.1.0 255.255.255.0"),
            ("lg-branch-net", "10.64.0.0 255.255.0.0"),
        ],
        policies: vec![
            Policy {
                id: 10,
                name: "住基ネット連携",
                src_if: "port5",
                dst_if: "port6",
                src: "juki-cs",
                dst: "juki-srv",
                service: "HTTPS",
            },
            Policy {
                id: 20,
                name: "LGWAN 利用",
                src_if: "port1",
                dst_if: "port3",
                src: "lg-net",
                dst: "lgwan-net",
                service: "DNS\" \"HTTPS\" \"SMTP",
            },
            Policy {
                id: 30,
                name: "メール無害化（受信）",
                src_if: "port2",
                dst_if: "port1",
                src: "inet-relay",
                dst: "lg-mail",
                service: "SMTP",
            },
            Policy {
                id: 31,
                name: "メール無害化（送信）",
                src_if: "port1",
                dst_if: "port2",
                src: "lg-mail",
                dst: "inet-relay",
                service: "SMTP",
            },
            Policy {
                id: 40,
                name: "インターネット利用",
                src_if: "port2",
                dst_if: "port4",
                src: "inet-office",
                dst: "all",
                service: "HTTP\" \"HTTPS\" \"DNS",
            },
            Policy {
                id: 50,
                name: "支所（閉域網）",
                src_if: "port1",
                dst_if: "port10",
                src: "lg-net",
                dst: "lg-branch-net",
                service: "ALL",
            },
        ],
        routes: vec![
            ("0.0.0.0 0.0.0.0", "198.51.100.1", "port4"),
            ("10.62.0.0 255.255.0.0", "10.62.255.2", "port1"),
            ("172.19.0.0 255.255.0.0", "172.18.0.1", "port3"),
            ("203.0.113.0 255.255.255.0", "192.0.2.1", "port7"),
            ("192.168.170.0 255.255.255.0", "192.168.169.1", "port9"),
            ("10.64.0.0 255.255.0.0", "10.62.253.2", "port10"),
        ],
        lgsw: LGSW_TEXT.into(),
        mnsw: MNSW_TEXT.into(),
        inventory: INVENTORY.into(),
        topology: TOPOLOGY.into(),
    }
}

const FW_INTERFACES: &[(&str, &str, &str)] = &[
    (
        "port1",
        "10.62.255.1 255.255.255.252",
        "LGWAN接続系 (hg-lgsw)",
    ),
    ("port2", "10.63.1.1 255.255.255.0", "インターネット接続系"),
    ("port3", "172.18.0.2 255.255.255.252", "LGWAN"),
    (
        "port4",
        "198.51.100.2 255.255.255.252",
        "セキュリティクラウド",
    ),
    (
        "port5",
        "10.61.10.1 255.255.255.0",
        "マイナンバー利用事務系 (hg-mnsw)",
    ),
    ("port6", "192.168.161.1 255.255.255.0", "住基ネット"),
    ("port7", "192.0.2.2 255.255.255.252", "旧 ISP 回線"),
    ("port8", "10.62.99.1 255.255.255.0", "J-ALERT"),
    (
        "port9",
        "192.168.169.2 255.255.255.252",
        "バックアップセンター",
    ),
    ("port10", "10.62.253.1 255.255.255.252", "支所 閉域網"),
];

impl Town {
    fn fw(&self) -> String {
        let mut o = String::from(
            "#config-version=FG100F-7.2.8-FW-build1639-240313:opmode=0:vdom=0:user=admin\n\
             config system global\n    set hostname \"hg-fw\"\nend\nconfig system interface\n",
        );
        for (p, ip, alias) in FW_INTERFACES {
            o.push_str(&format!(
                "    edit \"{p}\"\n        set vdom \"root\"\n        set ip {ip}\n        set alias \"{alias}\"\n    next\n"
            ));
        }
        o.push_str("end\nconfig firewall address\n");
        for (n, s) in &self.addrs {
            o.push_str(&format!(
                "    edit \"{n}\"\n        set subnet {s}\n    next\n"
            ));
        }
        o.push_str("end\nconfig firewall policy\n");
        for p in &self.policies {
            o.push_str(&format!(
                "    edit {}\n        set name \"{}\"\n        set srcintf \"{}\"\n        set dstintf \"{}\"\n        set action accept\n        set srcaddr \"{}\"\n        set dstaddr \"{}\"\n        set schedule \"always\"\n        set service \"{}\"\n    next\n",
                p.id, p.name, p.src_if, p.dst_if, p.src, p.dst, p.service
            ));
        }
        o.push_str("end\nconfig router static\n");
        for (i, (dst, gw, dev)) in self.routes.iter().enumerate() {
            o.push_str(&format!(
                "    edit {}\n        set dst {dst}\n        set gateway {gw}\n        set device \"{dev}\"\n    next\n",
                i + 1
            ));
        }
        o.push_str("end\n");
        o
    }

    fn write(&self, tag: &str) -> std::path::PathBuf {
        let dir = common::fresh_dir("unseen", tag);
        if std::env::var_os("SANSO_KEEP_TOWN").is_some() {
            eprintln!("town {tag}: {}", dir.display());
        }
        std::fs::create_dir_all(dir.join("configs")).unwrap();
        for (f, t) in [
            (FW.to_string(), self.fw()),
            (LGSW.to_string(), self.lgsw.clone()),
            (MNSW.to_string(), self.mnsw.clone()),
            ("sanso.toml".into(), self.inventory.clone()),
            ("topology.toml".into(), self.topology.clone()),
        ] {
            std::fs::write(dir.join(f), t).unwrap();
        }
        dir
    }

    /// The text of a file as written.
    fn file(&self, f: &str) -> String {
        match f {
            FW => self.fw(),
            LGSW => self.lgsw.clone(),
            MNSW => self.mnsw.clone(),
            _ => unreachable!("{f}"),
        }
    }

    fn add_policy(&mut self, p: Policy) {
        self.policies.push(p);
    }
}

/// Replace exactly one occurrence (a plant that misses its text would test nothing).
fn edit(text: &mut String, from: &str, to: &str) {
    assert_eq!(text.matches(from).count(), 1, "plant text {from:?}");
    *text = text.replacen(from, to, 1);
}

const LGSW_TEXT: &str = "!
! ひがし町 LGWAN接続系 L3 スイッチ
!
hostname hg-lgsw
!
vlan 620
 name LG-OFFICE
vlan 630
 name LG-SERVERS
!
! 送信元は各セグメント・各サーバのアドレスのみ（なりすまし防止）
ip access-list extended LG-OFFICE-IN
 10 deny   ip any 10.61.0.0 0.0.255.255
 20 permit ip 10.62.20.0 0.0.0.255 any
!
ip access-list extended LG-MAIL-IN
 10 permit ip host 10.62.30.25 any
!
ip access-list extended LG-WSUS-IN
 10 permit ip host 10.62.30.40 any
!
interface range GigabitEthernet1/0/1 - 8
 description 職員端末
 switchport access vlan 620
 switchport mode access
 authentication port-control auto
 mab
!
interface GigabitEthernet1/0/10
 description lg-mail
 switchport access vlan 630
 switchport mode access
 authentication port-control auto
 mab
 ip access-group LG-MAIL-IN in
!
interface GigabitEthernet1/0/11
 description lg-wsus
 switchport access vlan 630
 switchport mode access
 authentication port-control auto
 mab
 ip access-group LG-WSUS-IN in
!
interface GigabitEthernet1/0/40
 shutdown
!
interface GigabitEthernet1/0/48
 description hg-fw port1
 no switchport
 ip address 10.62.255.2 255.255.255.252
!
interface Vlan620
 ip address 10.62.20.1 255.255.255.0
 ip access-group LG-OFFICE-IN in
!
interface Vlan630
 ip address 10.62.30.1 255.255.255.0
!
ip route 0.0.0.0 0.0.0.0 10.62.255.1
!
end
";

const MNSW_TEXT: &str = "!
! ひがし町 マイナンバー利用事務系 フロアスイッチ
!
hostname hg-mnsw
!
aaa authentication auth-mac default group radius
!
vlan database
 vlan 610 name MN-OFFICE
!
access-list hardware JUKI-CS-IN
 permit ip 10.61.10.21/32 any
 deny ip any any
!
access-list hardware MN-TERM-IN
 permit ip 10.61.10.128/25 any
 deny ip any any
!
interface port1.0.1
 description juki-cs
 switchport
 switchport mode access
 switchport access vlan 610
 auth-mac enable
 access-group JUKI-CS-IN
!
interface port1.0.2-1.0.6
 description 窓口端末
 switchport
 switchport mode access
 switchport access vlan 610
 auth-mac enable
 access-group MN-TERM-IN
!
interface port1.0.7-1.0.19
 shutdown
!
interface port1.0.20
 shutdown
!
interface port1.0.21-1.0.23
 shutdown
!
interface port1.0.24
 description uplink hg-fw port5
 switchport
 switchport mode access
 switchport access vlan 610
!
end
";

const INVENTORY: &str = r#"# ひがし町（試験用に生成）
[organization]
name  = "ひがし町"
model = "alpha"

[[zone]]
name    = "mn-office"
tier    = "mynumber"
kind    = "office"
subnets = ["10.61.10.0/24"]
vlans   = [610]

[[zone]]
name    = "lg-office"
tier    = "lgwan"
kind    = "terminals"
subnets = ["10.62.20.0/24"]
vlans   = [620]

[[zone]]
name    = "lg-servers"
tier    = "lgwan"
kind    = "servers"
subnets = ["10.62.30.0/24"]
vlans   = [630]

[[zone]]
name    = "jalert-seg"
tier    = "lgwan"
kind    = "jalert"
subnets = ["10.62.99.0/24"]

[[zone]]
name    = "lg-branch"
tier    = "lgwan"
kind    = "branch"
subnets = ["10.64.0.0/16"]
attach  = ["hg-fw:port10"]

[[zone]]
name    = "inet-office"
tier    = "internet"
kind    = "office"
subnets = ["10.63.1.0/24"]

[[zone]]
name    = "lgwan"
tier    = "external"
kind    = "lgwan"
subnets = ["172.19.0.0/16"]

[[zone]]
name    = "sec-cloud"
tier    = "external"
kind    = "security-cloud"
subnets = ["0.0.0.0/0"]

[[zone]]
name    = "isp-direct"
tier    = "external"
kind    = "internet"
subnets = ["203.0.113.0/24"]

[[zone]]
name    = "juki-net"
tier    = "external"
kind    = "juki-net"
subnets = ["192.168.161.0/24"]

[[zone]]
name    = "bk-center"
tier    = "external"
kind    = "backup-center"
subnets = ["192.168.170.0/24"]

[[host]]
name = "juki-cs"
ip   = "10.61.10.21"
mac  = "00:1b:61:00:00:21"
zone = "mn-office"
role = "server"

[[host]]
name = "juki-srv"
ip   = "192.168.161.10"
zone = "juki-net"
role = "server"

[[host]]
name = "lg-mail"
ip   = "10.62.30.25"
zone = "lg-servers"
role = "server"

[[host]]
name = "lg-wsus"
ip   = "10.62.30.40"
zone = "lg-servers"
role = "wsus"

[[host]]
name = "hg-jalert"
ip   = "10.62.99.10"
zone = "jalert-seg"
role = "jalert"

[[host]]
name = "inet-relay"
ip   = "10.63.1.25"
zone = "inet-office"
role = "mail-sanitizer"

[[host]]
name = "inet-prn"
ip   = "10.63.1.50"
zone = "inet-office"
role = "printer"

[[tokutei]]
name  = "住基ネット連携"
from  = "juki-cs"
to    = "juki-srv"
ports = ["tcp/443"]

[[mugaika]]
name   = "メール無害化（受信）"
method = "mail-text"
from   = "inet-relay"
to     = "lg-mail"
ports  = ["tcp/25"]

[[mugaika]]
name   = "メール無害化（送信）"
method = "mail-text"
from   = "lg-mail"
to     = "inet-relay"
ports  = ["tcp/25"]
"#;

const TOPOLOGY: &str = r#"[[link]]
a = "hg-mnsw:port1.0.24"
b = "hg-fw:port5"

[[link]]
a = "hg-lgsw:GigabitEthernet1/0/48"
b = "hg-fw:port1"

[[link]]
a = "juki-cs"
b = "hg-mnsw:port1.0.1"

[[link]]
a = "lg-mail"
b = "hg-lgsw:GigabitEthernet1/0/10"

[[link]]
a = "lg-wsus"
b = "hg-lgsw:GigabitEthernet1/0/11"
"#;

/// What a planted fault's finding must name.
enum Carrier {
    /// A line of a config file: the first line containing `needle` after the line
    /// containing `after` (a FortiGate policy is `edit <id>` … `next`: any of its lines).
    Block {
        file: &'static str,
        start: &'static str,
        end: &'static str,
    },
    /// The device or inventory entry a finding is about: its subject's source or
    /// destination.
    Subject(&'static str),
}

struct Plant {
    id: &'static str,
    plant: fn(&mut Town),
    carrier: Carrier,
    /// Checks the same fault necessarily breaks too (the guideline's semantics).
    also: &'static [&'static str],
}

const PLANTS: &[Plant] = &[
    // The 住基ネット side (a 特定通信 destination) given a way to the Internet.
    Plant {
        id: "TOKUTEI-DEST-NO-INTERNET",
        plant: |t| {
            t.add_policy(Policy {
                id: 901,
                name: "住基ネット側 更新",
                src_if: "port6",
                dst_if: "port4",
                src: "juki-srv",
                dst: "all",
                service: "HTTPS",
            })
        },
        carrier: Carrier::Block {
            file: FW,
            start: "    edit 901\n",
            end: "    next\n",
        },
        also: &[],
    },
    // LGWAN接続系 reaching the backup centre with no 特定通信 declared.
    Plant {
        id: "LGWAN-EXTERNAL-TOKUTEI",
        plant: |t| {
            t.addrs.push(("bk-net", "192.168.170.0 255.255.255.0"));
            t.add_policy(Policy {
                id: 902,
                name: "バックアップ",
                src_if: "port1",
                dst_if: "port9",
                src: "lg-net",
                dst: "bk-net",
                service: "HTTPS",
            })
        },
        carrier: Carrier::Block {
            file: FW,
            start: "    edit 902\n",
            end: "    next\n",
        },
        also: &[],
    },
    // インターネット接続系 out by the old direct ISP line, not the security cloud.
    Plant {
        id: "INTERNET-VIA-CLOUD",
        plant: |t| {
            t.addrs.push(("isp-net", "203.0.113.0 255.255.255.0"));
            t.add_policy(Policy {
                id: 903,
                name: "旧回線",
                src_if: "port2",
                dst_if: "port7",
                src: "inet-office",
                dst: "isp-net",
                service: "HTTPS",
            })
        },
        carrier: Carrier::Block {
            file: FW,
            start: "    edit 903\n",
            end: "    next\n",
        },
        also: &[],
    },
    // The LGWAN接続系 WSUS fetching updates from the Internet: LGWAN ↔ the Internet is
    // outside the 無害化 paths as well.
    Plant {
        id: "NO-INTERNET-UPDATES",
        plant: |t| {
            t.addrs.push(("lg-wsus", "10.62.30.40 255.255.255.255"));
            t.add_policy(Policy {
                id: 904,
                name: "WSUS 更新",
                src_if: "port1",
                dst_if: "port4",
                src: "lg-wsus",
                dst: "all",
                service: "HTTPS",
            })
        },
        carrier: Carrier::Block {
            file: FW,
            start: "    edit 904\n",
            end: "    next\n",
        },
        also: &["SPLIT-MUGAIKA-ONLY"],
    },
    // The インターネット接続系 printer printed to from LGWAN接続系: an LGWAN → Internet-tier
    // flow outside the 無害化 paths too.
    Plant {
        id: "PRINTER-NOT-SHARED",
        plant: |t| {
            t.addrs.push(("inet-prn", "10.63.1.50 255.255.255.255"));
            t.addrs.push(("lg-office", "10.62.20.0 255.255.255.0"));
            t.add_policy(Policy {
                id: 905,
                name: "印刷",
                src_if: "port1",
                dst_if: "port2",
                src: "lg-office",
                dst: "inet-prn",
                service: "ALL",
            })
        },
        carrier: Carrier::Subject("inet-prn"),
        also: &["SPLIT-MUGAIKA-ONLY"],
    },
    // A wireless access point declared in LGWAN接続系.
    Plant {
        id: "NO-WIRELESS",
        plant: |t| {
            t.inventory.push_str(
                "\n[[host]]\nname = \"lg-ap-3f\"\nip   = \"10.62.20.240\"\nzone = \"lg-office\"\nrole = \"ap\"\n",
            )
        },
        carrier: Carrier::Subject("lg-ap-3f"),
        also: &[],
    },
    // Vendor maintenance from the Internet straight into the LGWAN server segment
    // (also an Internet → LGWAN flow outside the 無害化 paths).
    Plant {
        id: "VPN-MAINT-TOKUTEI",
        plant: |t| {
            t.addrs.push(("lg-servers", "10.62.30.0 255.255.255.0"));
            t.add_policy(Policy {
                id: 906,
                name: "保守",
                src_if: "port4",
                dst_if: "port1",
                src: "all",
                dst: "lg-servers",
                service: "SSH",
            })
        },
        carrier: Carrier::Block {
            file: FW,
            start: "    edit 906\n",
            end: "    next\n",
        },
        also: &["SPLIT-MUGAIKA-ONLY"],
    },
    // The branch reached over the Internet instead of the closed line: the route and
    // the policy leave by the security-cloud port.
    Plant {
        id: "BRANCH-CLOSED",
        plant: |t| {
            let r = t.routes.iter_mut().find(|r| r.0 == "10.64.0.0 255.255.0.0");
            let r = r.expect("branch route");
            *r = ("10.64.0.0 255.255.0.0", "198.51.100.1", "port4");
            let p = t.policies.iter_mut().find(|p| p.id == 50).unwrap();
            p.dst_if = "port4";
        },
        carrier: Carrier::Block {
            file: FW,
            start: "    edit 50\n",
            end: "    next\n",
        },
        also: &[],
    },
    // J-ALERT (LGWAN接続系) given the Internet without a declared 特定通信; an LGWAN →
    // Internet flow outside the 無害化 paths too.
    Plant {
        id: "DUAL-HOMED-FW",
        plant: |t| {
            t.addrs.push(("hg-jalert", "10.62.99.10 255.255.255.255"));
            t.add_policy(Policy {
                id: 907,
                name: "J-ALERT",
                src_if: "port8",
                dst_if: "port4",
                src: "hg-jalert",
                dst: "all",
                service: "HTTPS",
            })
        },
        carrier: Carrier::Block {
            file: FW,
            start: "    edit 907\n",
            end: "    next\n",
        },
        also: &["SPLIT-MUGAIKA-ONLY"],
    },
    // The マイナンバー switch also carries an LGWAN VLAN (linked to the LGWAN switch), on
    // a port that still authenticates: the tiers share a device, nothing routes between
    // them.
    Plant {
        id: "NO-SHARED-DEVICE",
        plant: |t| {
            edit(
                &mut t.mnsw,
                " vlan 610 name MN-OFFICE\n",
                " vlan 610 name MN-OFFICE\n vlan 620 name LG-OFFICE\n",
            );
            edit(
                &mut t.mnsw,
                "interface port1.0.20\n shutdown\n",
                "interface port1.0.20\n description 職員端末（LGWAN）\n switchport\n switchport mode access\n switchport access vlan 620\n auth-mac enable\n",
            );
            edit(
                &mut t.mnsw,
                "interface port1.0.21-1.0.23\n shutdown\n",
                "interface port1.0.21-1.0.22\n shutdown\n!\ninterface port1.0.23\n description hg-lgsw\n switchport\n switchport mode access\n switchport access vlan 620\n",
            );
            edit(
                &mut t.lgsw,
                "interface GigabitEthernet1/0/40\n shutdown\n",
                "interface GigabitEthernet1/0/40\n description hg-mnsw\n switchport access vlan 620\n switchport mode access\n",
            );
            t.topology.push_str(
                "\n[[link]]\na = \"hg-mnsw:port1.0.23\"\nb = \"hg-lgsw:GigabitEthernet1/0/40\"\n",
            );
        },
        carrier: Carrier::Subject("hg-mnsw"),
        also: &[],
    },
    // マイナンバー terminal ports that no longer authenticate.
    Plant {
        id: "ONLY-ALLOWED-DEVICES",
        plant: |t| {
            edit(
                &mut t.mnsw,
                " switchport access vlan 610\n auth-mac enable\n access-group MN-TERM-IN\n",
                " switchport access vlan 610\n access-group MN-TERM-IN\n",
            )
        },
        carrier: Carrier::Subject("hg-mnsw"),
        also: &[],
    },
    // An ACL entry fully shadowed by the one before it.
    Plant {
        id: "FILTER-HYGIENE",
        plant: |t| {
            edit(
                &mut t.lgsw,
                " 10 deny   ip any 10.61.0.0 0.0.255.255\n",
                " 10 deny   ip any 10.61.0.0 0.0.255.255\n 15 deny   ip 10.62.20.0 0.0.0.255 10.61.10.0 0.0.0.255\n",
            )
        },
        carrier: Carrier::Block {
            file: LGSW,
            start: " 15 deny",
            end: "\n",
        },
        also: &[],
    },
];

/// `file:line` of every line of the carrier block in `t` (1-based).
fn block_lines(t: &Town, file: &str, start: &str, end: &str) -> Vec<String> {
    let text = t.file(file);
    let at = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in {file}"));
    let stop = at + start.len() + text[at + start.len()..].find(end).unwrap() + end.len();
    let first = text[..at].lines().count() + 1;
    let last = text[..stop].trim_end_matches('\n').lines().count();
    (first..=last).map(|l| format!("{file}:{l}")).collect()
}

fn violated(a: &sanso::checks::audit::Audit) -> BTreeSet<String> {
    a.eval
        .checks
        .iter()
        .filter(|c| c.status == Status::Violated)
        .map(|c| c.rule.clone())
        .collect()
}

#[test]
fn clean_twin_reports_nothing() {
    let t = clean();
    let dir = t.write("clean");
    let a = sanso::checks::audit::run(&dir).unwrap();
    let unrec: Vec<String> = a
        .snapshot
        .devices
        .iter()
        .flat_map(|d| {
            d.unrecognized
                .iter()
                .map(move |u| format!("{}: {u:?}", d.name))
        })
        .collect();
    assert!(unrec.is_empty(), "{unrec:#?}");
    let dialects: BTreeSet<&str> = a.snapshot.devices.iter().map(|d| d.dialect.id()).collect();
    assert_eq!(dialects.len(), 3, "{dialects:?}");
    let bad: Vec<String> = a
        .eval
        .checks
        .iter()
        .filter(|c| !matches!(c.status, Status::Pass | Status::NotApplicable))
        .map(|c| format!("{} {:?} {:?}", c.rule, c.status, c.note))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let found: Vec<String> = a
        .eval
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} → {} ({})",
                f.rule, f.subject.src, f.subject.dst, f.severity
            )
        })
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    // Each planted check has something to judge on the clean twin (else passing it would
    // prove nothing).
    for p in PLANTS {
        let c = a.eval.checks.iter().find(|c| c.rule == p.id).unwrap();
        assert_eq!(c.status, Status::Pass, "{} on the clean twin", p.id);
    }
    remove(&dir);
}

#[test]
fn every_planted_fault_is_reported_at_its_carrier() {
    let pack = sanso::checks::load_builtin().unwrap();
    let mut failures = vec![];
    for p in PLANTS {
        assert!(
            pack.iter().any(|r| r.id == p.id),
            "{} is not in the pack",
            p.id
        );
        let mut t = clean();
        (p.plant)(&mut t);
        let dir = t.write(&p.id.to_lowercase());
        let a = sanso::checks::audit::run(&dir).unwrap();
        let got = violated(&a);
        let want: BTreeSet<String> = std::iter::once(p.id)
            .chain(p.also.iter().copied())
            .map(String::from)
            .collect();
        if got != want {
            failures.push(format!("{}: violated {got:?}, expected {want:?}", p.id));
        }
        let fs: Vec<&sanso::checks::Finding> =
            a.eval.findings.iter().filter(|f| f.rule == p.id).collect();
        let named = match &p.carrier {
            Carrier::Subject(name) => fs
                .iter()
                .any(|f| f.subject.src == *name || f.subject.dst == *name),
            Carrier::Block { file, start, end } => {
                let lines = block_lines(&t, file, start, end);
                fs.iter().any(|f| {
                    f.cause
                        .iter()
                        .chain(f.path.iter().flat_map(|h| h.lines.iter()))
                        .chain([&f.subject.src, &f.subject.dst])
                        .any(|l| lines.contains(l))
                })
            }
        };
        if !named {
            let seen: Vec<String> = fs
                .iter()
                .map(|f| format!("{} → {} cause {:?}", f.subject.src, f.subject.dst, f.cause))
                .collect();
            failures.push(format!(
                "{}: no finding names the carrier; findings {seen:#?}",
                p.id
            ));
        }
        remove(&dir);
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Remove a town unless SANSO_KEEP_TOWN asks to keep it for a look with `sanso audit`.
fn remove(dir: &std::path::Path) {
    if std::env::var_os("SANSO_KEEP_TOWN").is_none() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The clean twin declared as each model: still nothing reported (the α' and β changes
/// only admit or add what this town does not have), and checklist.csv lists exactly the
/// checks of that model and the manual items asked in it.
#[test]
fn clean_twin_under_every_model_and_its_checklist() {
    let pack = sanso::checks::load_builtin().unwrap();
    for m in sanso::checks::MODELS {
        let mut t = clean();
        edit(
            &mut t.inventory,
            "model = \"alpha\"",
            &format!("model = \"{m}\""),
        );
        let dir = t.write(m);
        let a = sanso::checks::audit::run(&dir).unwrap();
        assert_eq!(a.snapshot.model, *m);
        let bad: Vec<String> = a
            .eval
            .checks
            .iter()
            .filter(|c| !matches!(c.status, Status::Pass | Status::NotApplicable))
            .map(|c| format!("{} {:?}", c.rule, c.status))
            .collect();
        assert!(bad.is_empty() && a.eval.findings.is_empty(), "{m}: {bad:?}");
        let csv = sanso::render::checklist::checklist_csv(&a);
        let ids: Vec<&str> = csv
            .split("\r\n")
            .skip(1)
            .filter_map(|r| r.split(',').next())
            .filter(|id| !id.is_empty())
            .collect();
        let want_checks: Vec<String> = sanso::checks::for_model(&pack, m)
            .into_iter()
            .map(|r| r.id)
            .collect();
        for r in &pack {
            assert_eq!(
                ids.contains(&r.id.as_str()),
                want_checks.contains(&r.id),
                "{m}: {}",
                r.id
            );
        }
        for item in sanso::checks::MANUAL {
            assert_eq!(ids.contains(&item.id), item.applies(m), "{m}: {}", item.id);
        }
        // β' asks its three mandatory measures by hand; α does not.
        let beta_prime = ids
            .iter()
            .filter(|i| i.starts_with("MANUAL-BETA-PRIME-"))
            .count();
        assert_eq!(beta_prime, if *m == "beta-prime" { 3 } else { 0 }, "{m}");
        remove(&dir);
    }
}

/// α' in the unseen town: one LGWAN接続系 terminal opens screen transfer to a
/// マイナンバー利用事務系 VDI server, declared as `[[mugaika]] method = "screen-transfer"` and
/// pinned to that terminal by the firewall. Declared α', nothing is reported; declared α, the
/// same town violates MN-ISOLATION (and only it); α' with the policy opened to the whole
/// office segment violates MN-ISOLATION at that policy.
fn with_screen_transfer(model: &str, whole_office: bool) -> Town {
    let mut t = clean();
    edit(
        &mut t.inventory,
        "model = \"alpha\"",
        &format!("model = \"{model}\""),
    );
    t.inventory.push_str(
        r#"
[[host]]
name = "mn-vdi"
ip   = "10.61.10.30"
zone = "mn-office"
role = "vdi-gateway"

[[host]]
name = "lg-pc-07"
ip   = "10.62.20.57"
zone = "lg-office"
role = "terminal"

[[mugaika]]
name   = "画面転送（マイナンバー利用事務系）"
method = "screen-transfer"
from   = "lg-pc-07"
to     = "mn-vdi"
ports  = ["tcp/3389"]
"#,
    );
    // The switch lets the office reach the VDI's RDP port; the firewall pins the terminal.
    edit(
        &mut t.lgsw,
        " 10 deny   ip any 10.61.0.0 0.0.255.255\n",
        " 5 permit tcp 10.62.20.0 0.0.0.255 host 10.61.10.30 eq 3389\n 10 deny   ip any 10.61.0.0 0.0.255.255\n",
    );
    t.addrs.push(("mn-vdi", "10.61.10.30 255.255.255.255"));
    if whole_office {
        t.addrs.push(("lg-office", "10.62.20.0 255.255.255.0"));
    } else {
        t.addrs.push(("lg-pc-07", "10.62.20.57 255.255.255.255"));
    }
    t.add_policy(Policy {
        id: 60,
        name: "画面転送（マイナンバー）",
        src_if: "port1",
        dst_if: "port5",
        src: if whole_office {
            "lg-office"
        } else {
            "lg-pc-07"
        },
        dst: "mn-vdi",
        service: "RDP",
    });
    t
}

#[test]
fn alpha_prime_screen_transfer_in_the_unseen_town() {
    let run = |t: &Town, tag: &str| {
        let dir = t.write(tag);
        let a = sanso::checks::audit::run(&dir).unwrap();
        remove(&dir);
        a
    };
    let a = run(&with_screen_transfer("alpha-prime", false), "st-ap");
    assert!(violated(&a).is_empty(), "{:?}", violated(&a));
    assert!(a.eval.findings.is_empty());

    let a = run(&with_screen_transfer("alpha", false), "st-a");
    assert_eq!(violated(&a), BTreeSet::from(["MN-ISOLATION".to_string()]));

    let t = with_screen_transfer("alpha-prime", true);
    let a = run(&t, "st-wide");
    assert_eq!(violated(&a), BTreeSet::from(["MN-ISOLATION".to_string()]));
    let lines = block_lines(&t, FW, "    edit 60\n", "    next\n");
    let f = a
        .eval
        .findings
        .iter()
        .find(|f| f.rule == "MN-ISOLATION")
        .unwrap();
    assert!(f.cause.iter().any(|l| lines.contains(l)), "{:?}", f.cause);
    // The witness is an office address other than the declared terminal.
    let w = f.witness.as_ref().unwrap();
    assert_ne!(w.src_ip.to_string(), "10.62.20.57");
    assert_eq!(w.dst_ip.to_string(), "10.61.10.30");
}

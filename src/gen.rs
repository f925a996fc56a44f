//! Prefecture-scale snapshot generator (`sanso gen`): N municipalities, each with the three
//! tiers (マイナンバー利用事務系 / LGWAN接続系 / インターネット接続系) built from two L3 cores
//! and floor L2 switches on trunks, a FortiGate in front of the マイナンバー tier and one
//! between LGWAN接続系, LGWAN and インターネット接続系 with hundreds of policies, large core
//! ACLs; all joined by a shared LGWAN router and the prefecture's
//! 自治体情報セキュリティクラウド (an L3 core and a FortiGate towards the Internet).
//!
//! Compliant by construction: every edge port filters spoofed sources, tiers meet only in
//! the FortiGates, and their policies admit exactly the declared 特定通信 and 無害化通信 and
//! the permitted LGWAN protocols. `plant` inserts known violations (listed in the result).
//! Output is a pure function of the options (a seeded SplitMix64; no clock, no hash order).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Clone, Debug)]
pub struct GenOptions {
    pub municipalities: usize,
    pub seed: u64,
    /// Violations to plant (cycled over the kinds of [`PlantKind`]).
    pub plant: usize,
    /// Floor L2 switches per tier.
    pub floors: usize,
    /// Bulk policies per LGWAN FortiGate (± a seeded spread).
    pub policies: usize,
    /// Entries per core SVI ACL (± a seeded spread); a core carries `floors` of them.
    pub acl_entries: usize,
    /// A terminal zone per floor (`cNNN-mn-floor3`, with a 画面転送 per LGWAN floor)
    /// instead of one per tier: 3 + 3 × floors zones per municipality.
    pub zone_per_floor: bool,
    /// Access switches per floor: the first on the core's trunk, the others chained on
    /// trunks behind it (port 23 down, port 24 up).
    pub switches_per_floor: usize,
    /// VLAN ids unique across the prefecture (while they fit in 2–4094) instead of the
    /// same ids in every municipality.
    pub unique_vlans: bool,
    /// Declare each zone's VLAN in sanso.toml (`vlans = [..]`).
    pub zone_vlans: bool,
    /// LGWAN policies over address groups and service groups / custom services, with
    /// `max(60, policies / 2)` LGWAN-ASP hosts, instead of single objects.
    pub policy_groups: bool,
    /// 特定通信 per municipality beyond the two default ones (hosts with registered MACs
    /// on the マイナンバー server core towards the 中間サーバ), at most 10.
    pub extra_tokutei: usize,
    /// メール無害化 flows per municipality beyond the default ones (relays in the
    /// インターネット接続系 DMZ towards the LGWAN mail server), at most 10.
    pub extra_mugaika: usize,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            municipalities: 4,
            seed: 1,
            plant: 0,
            floors: 3,
            policies: 120,
            acl_entries: 40,
            zone_per_floor: false,
            switches_per_floor: 1,
            unique_vlans: false,
            zone_vlans: false,
            policy_groups: false,
            extra_tokutei: 0,
            extra_mugaika: 0,
        }
    }
}

/// Corners of the shape matrix at ≈2,000 devices / ≈200k ACL and policy lines
/// (docs/performance.md, scripts/shapes.sh passes the same values as `sanso gen` flags).
pub const CORNERS: [&str; 5] = ["default", "zones", "zones-unique", "acl4000", "policies800"];

/// The options of a corner of [`CORNERS`] (`None` for another name).
pub fn corner(name: &str) -> Option<GenOptions> {
    let d = GenOptions::default();
    let zones = GenOptions {
        municipalities: 24,
        floors: 12,
        zone_per_floor: true,
        switches_per_floor: 2,
        zone_vlans: true,
        acl_entries: 150,
        policies: 300,
        ..d.clone()
    };
    Some(match name {
        "default" => GenOptions {
            municipalities: 118,
            ..d
        },
        "zones-unique" => GenOptions {
            unique_vlans: true,
            extra_tokutei: 4,
            extra_mugaika: 4,
            ..zones
        },
        "zones" => zones,
        "acl4000" => GenOptions {
            municipalities: 16,
            switches_per_floor: 13,
            acl_entries: 1333,
            ..d
        },
        "policies800" => GenOptions {
            municipalities: 26,
            switches_per_floor: 8,
            policies: 800,
            policy_groups: true,
            ..d
        },
        _ => return None,
    })
}

/// Most municipalities one snapshot can hold (one 10.x.0.0/16 each).
pub const MAX_MUNICIPALITIES: usize = 250;
/// Most floors per tier: terminal subnets 10.x.(term0 + floor).0 stay inside the tier's /18
/// and the core's ports 1–21.
pub const MAX_FLOORS: usize = 13;
/// Most extra 特定通信 / 無害化 hosts per municipality (server core ports 1–22).
pub const MAX_EXTRA_FLOWS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlantKind {
    /// A floor port of the マイナンバー tier patched into an LGWAN floor switch.
    Miswire,
    /// LGWAN FortiGate: LGWAN接続系 → インターネット接続系, any service.
    SplitAny,
    /// LGWAN FortiGate: any service towards LGWAN.
    LgwanAllServices,
    /// マイナンバー FortiGate: anything towards 住基ネット.
    MnAnyJuki,
    /// The 住基 CS port loses its registered MAC.
    NoMac,
}

impl PlantKind {
    pub const ALL: [PlantKind; 5] = [
        PlantKind::Miswire,
        PlantKind::SplitAny,
        PlantKind::LgwanAllServices,
        PlantKind::MnAnyJuki,
        PlantKind::NoMac,
    ];
    /// The rule that must report it.
    pub fn rule(self) -> &'static str {
        match self {
            PlantKind::Miswire => "MN-ISOLATION",
            PlantKind::SplitAny => "SPLIT-MUGAIKA-ONLY",
            PlantKind::LgwanAllServices => "LGWAN-PROTOCOLS",
            PlantKind::MnAnyJuki => "MN-TOKUTEI-ONLY",
            PlantKind::NoMac => "TOKUTEI-MAC",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Planted {
    pub kind: PlantKind,
    /// Municipality prefix, e.g. `c007`.
    pub municipality: String,
}

#[derive(Clone, Debug, Default)]
pub struct Generated {
    /// Relative path → content (sanso.toml, topology.toml, configs/*).
    pub files: BTreeMap<String, String>,
    pub planted: Vec<Planted>,
    pub devices: usize,
    /// ACL entry and firewall policy lines (`permit`/`deny` lines and policy blocks).
    pub rule_lines: usize,
}

impl Generated {
    pub fn total_lines(&self) -> usize {
        self.files
            .iter()
            .filter(|(k, _)| k.starts_with("configs/"))
            .map(|(_, v)| v.lines().count())
            .sum()
    }

    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join("configs"))?;
        for (name, text) in &self.files {
            std::fs::write(dir.join(name), text)?;
        }
        Ok(())
    }
}

/// SplitMix64: tiny, seedable, stable across platforms and versions.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// `base` ± 25 %.
    fn around(&mut self, base: usize) -> usize {
        let spread = base / 4;
        base - spread + self.below(2 * spread + 1)
    }
}

/// LGWAN-ASP services shared by every municipality (172.20.x.y hosts).
const ASP_HOSTS: usize = 60;
/// Services a LGWAN policy may use (all inside the default LGWAN allow-list).
const LGWAN_SERVICES: &[&str] = &["HTTPS", "HTTP", "DNS", "SMTP", "LDAP"];
/// Most LGWAN-ASP hosts (172.20.1.1–172.20.10.200) with `policy_groups`.
const MAX_ASP_HOSTS: usize = 2000;
/// ASP hosts per address group with `policy_groups`.
const ASP_GROUP: usize = 3;
/// Service groups with `policy_groups` (members inside the default LGWAN allow-list).
const GROUP_SERVICES: &[(&str, &[&str])] = &[
    ("ASP-WEB", &["HTTP", "HTTPS"]),
    ("ASP-DIR", &["LDAP", "DNS"]),
];
/// Ports the core ACLs deny outright.
const DENIED_PORTS: &[u16] = &[23, 69, 135, 137, 138, 139, 161, 1433, 3306, 5900];
/// Application ports the core ACLs open towards the tier's servers.
const APP_PORTS: &[u16] = &[80, 443, 445, 8080, 8443, 3389, 22, 389, 636, 9100];

fn mac(m: usize, host: u8) -> String {
    format!("00:1b:21:{:02x}:{:02x}:{:02x}", m >> 8, m & 0xff, host)
}
fn cisco_mac(m: usize, host: u8) -> String {
    format!("001b.21{:02x}.{:02x}{:02x}", m >> 8, m & 0xff, host)
}
fn p2p(base: &str, m: usize) -> (String, String) {
    // 100.64.x.y/30 style link nets: .1 upstream, .2 municipality.
    let o3 = m >> 6;
    let o4 = (m & 63) << 2;
    (
        format!("{base}.{o3}.{}", o4 + 1),
        format!("{base}.{o3}.{}", o4 + 2),
    )
}
/// Upstream interface of municipality `m` on a shared router.
fn shared_if(m: usize) -> String {
    format!("GigabitEthernet{}/0/{}", m / 48 + 1, m % 48 + 1)
}

struct Tier {
    key: &'static str,
    /// Third octet of the server subnet; terminals follow at `term0 + k`.
    srv: u8,
    term0: u8,
    /// VLAN of the servers; terminal VLANs follow.
    vlan: u16,
    /// Link net core1↔core2 (fourth octet in 10.B.250.0).
    core_link: u8,
}

const TIERS: [Tier; 3] = [
    Tier {
        key: "mn",
        srv: 1,
        term0: 10,
        vlan: 100,
        core_link: 0,
    },
    Tier {
        key: "lg",
        srv: 65,
        term0: 70,
        vlan: 200,
        core_link: 4,
    },
    Tier {
        key: "inet",
        srv: 129,
        term0: 130,
        vlan: 300,
        core_link: 8,
    },
];

/// VLAN of tier `ti`'s servers (`slot` 0) or of its floor `slot - 1`.
fn vlan_id(o: &GenOptions, floors: usize, m: usize, ti: usize, slot: usize) -> u16 {
    if o.unique_vlans {
        // 2–4094; wraps (ids reused again) only past 4,093 VLANs in one prefecture.
        (2 + ((m * 3 + ti) * (floors + 1) + slot) % 4093) as u16
    } else if slot == 0 {
        TIERS[ti].vlan
    } else {
        TIERS[ti].vlan + 9 + slot as u16
    }
}

/// `vlans = [..]` line of a zone when the options ask for it.
fn zone_vlan_line(o: &GenOptions, v: &[u16]) -> String {
    if !o.zone_vlans {
        return String::new();
    }
    let l: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("vlans   = [{}]\n", l.join(", "))
}

/// Shut spare ports `lo`–`hi` of a switch (nothing when `lo > hi`).
fn shut(s: &mut String, lo: usize, hi: usize) {
    if lo < hi {
        let _ = writeln!(
            s,
            "interface range GigabitEthernet1/0/{lo} - {hi}\n shutdown\n!"
        );
    } else if lo == hi {
        let _ = writeln!(s, "interface GigabitEthernet1/0/{lo}\n shutdown\n!");
    }
}

struct Out {
    files: BTreeMap<String, String>,
    topo: String,
    inv: String,
    rule_lines: usize,
    devices: usize,
}

impl Out {
    fn config(&mut self, name: &str, ext: &str, text: String) {
        // ACL entries (`10 permit ...`) and every line of a firewall policy table.
        let mut in_policy = false;
        for l in text.lines() {
            let t = l.trim_start();
            if t == "config firewall policy" {
                in_policy = true;
            } else if in_policy && t == "end" {
                in_policy = false;
            } else if in_policy
                || t.split_whitespace()
                    .nth(1)
                    .is_some_and(|w| w == "permit" || w == "deny")
            {
                self.rule_lines += 1;
            }
        }
        self.files.insert(format!("configs/{name}.{ext}"), text);
        self.devices += 1;
    }
    fn link(&mut self, a: &str, b: &str) {
        let _ = writeln!(self.topo, "[[link]]\na = \"{a}\"\nb = \"{b}\"\n");
    }
}

/// Generate a prefecture snapshot.
pub fn generate(o: &GenOptions) -> Generated {
    let n = o.municipalities.clamp(1, MAX_MUNICIPALITIES);
    let floors = o.floors.clamp(1, MAX_FLOORS);
    let mut rng = Rng(o.seed ^ 0x5A45_5F53_414E_534F);
    let mut out = Out {
        files: BTreeMap::new(),
        topo: "# 生成: sanso gen\n".into(),
        inv: String::new(),
        rule_lines: 0,
        devices: 0,
    };
    // Plants: kinds cycle, municipalities drawn from the seed (distinct while possible).
    let mut planted = vec![];
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.below(i + 1);
        order.swap(i, j);
    }
    for i in 0..o.plant {
        planted.push((order[i % n], PlantKind::ALL[i % PlantKind::ALL.len()]));
    }
    let has = |m: usize, k: PlantKind| planted.iter().any(|&(pm, pk)| pm == m && pk == k);

    let _ = writeln!(
        out.inv,
        "# 生成: sanso gen --municipalities {n} --seed {} --plant {}\n[organization]\nname  = \"サンプル県（{n} 団体）\"\nmodel = \"alpha\"\n",
        o.seed, o.plant
    );
    shared_zones(&mut out.inv);
    for m in 0..n {
        municipality(&mut out, &mut rng, m, floors, o, &|k| has(m, k));
    }
    lgwan_router(&mut out, n);
    security_cloud(&mut out, n);

    let mut files = out.files;
    files.insert("sanso.toml".into(), out.inv);
    files.insert("topology.toml".into(), out.topo);
    Generated {
        files,
        planted: planted
            .into_iter()
            .map(|(m, kind)| Planted {
                kind,
                municipality: format!("c{m:03}"),
            })
            .collect(),
        devices: out.devices,
        rule_lines: out.rule_lines,
    }
}

fn shared_zones(inv: &mut String) {
    inv.push_str(
        r#"# ---- 共有の外部ネットワーク ----
[[zone]]
name    = "juki-net"
tier    = "external"
kind    = "juki-net"
subnets = ["192.168.96.0/20"]

[[zone]]
name    = "chukan"
tier    = "external"
kind    = "chukan-server"
subnets = ["192.168.112.0/20"]

[[zone]]
name    = "lgwan"
tier    = "external"
kind    = "lgwan"
subnets = ["172.20.0.0/16"]

[[zone]]
name    = "security-cloud"
tier    = "external"
kind    = "security-cloud"
subnets = ["0.0.0.0/0"]

[[host]]
name = "juki-net-server"
ip   = "192.168.96.10"
zone = "juki-net"
role = "server"

[[host]]
name = "chukan-server"
ip   = "192.168.112.10"
zone = "chukan"
role = "server"

"#,
    );
}

/// Extra 特定通信 and 無害化 hosts per municipality, clamped.
fn extra_flows(o: &GenOptions) -> (usize, usize) {
    (
        o.extra_tokutei.min(MAX_EXTRA_FLOWS),
        o.extra_mugaika.min(MAX_EXTRA_FLOWS),
    )
}
/// Fourth octet of extra 特定通信 host `j` (10.x.1.y, MAC …:y).
fn tokutei_host(j: usize) -> u8 {
    40 + j as u8
}
/// Fourth octet of extra mail relay `j` (10.x.129.y).
fn relay_host(j: usize) -> u8 {
    60 + j as u8
}

/// Static VLAN list lines.
fn vlans(c: &mut String, list: &[(u16, String)]) {
    for (v, name) in list {
        let _ = writeln!(c, "vlan {v}\n name {name}");
    }
    c.push_str("!\n");
}

fn municipality(
    out: &mut Out,
    rng: &mut Rng,
    m: usize,
    floors: usize,
    o: &GenOptions,
    plant: &dyn Fn(PlantKind) -> bool,
) {
    let c = format!("c{m:03}");
    let b = m + 1; // second octet
    let net = |o3: u8, o4: u8| format!("10.{b}.{o3}.{o4}");
    let _ = writeln!(out.inv, "# ---- {c}（市町村 {m}） ----");
    let zone_names = [
        ("mn", "mynumber", "servers", "terminals"),
        ("lg", "lgwan", "servers", "terminals"),
        ("inet", "internet", "servers", "terminals"),
    ];
    for (ti, (t, (key, tier, s, term))) in TIERS.iter().zip(zone_names).enumerate() {
        let srv_zone = if key == "inet" { "dmz" } else { "servers" };
        let _ = writeln!(
            out.inv,
            "[[zone]]\nname    = \"{c}-{key}-{srv_zone}\"\ntier    = \"{tier}\"\nkind    = \"{s}\"\nsubnets = [\"{}/24\"]\n{}",
            net(t.srv, 0),
            zone_vlan_line(o, &[vlan_id(o, floors, m, ti, 0)])
        );
        let subnet = |k: usize| format!("\"{}/24\"", net(t.term0 + k as u8, 0));
        if o.zone_per_floor {
            for k in 0..floors {
                let _ = writeln!(
                    out.inv,
                    "[[zone]]\nname    = \"{c}-{key}-floor{}\"\ntier    = \"{tier}\"\nkind    = \"{term}\"\nsubnets = [{}]\n{}",
                    k + 1,
                    subnet(k),
                    zone_vlan_line(o, &[vlan_id(o, floors, m, ti, k + 1)])
                );
            }
            continue;
        }
        let subnets: Vec<String> = (0..floors).map(subnet).collect();
        let vl: Vec<u16> = (0..floors)
            .map(|k| vlan_id(o, floors, m, ti, k + 1))
            .collect();
        let _ = writeln!(
            out.inv,
            "[[zone]]\nname    = \"{c}-{key}-terminals\"\ntier    = \"{tier}\"\nkind    = \"{term}\"\nsubnets = [{}]\n{}",
            subnets.join(", "),
            zone_vlan_line(o, &vl)
        );
    }
    let mut hosts = vec![
        (
            "juki-cs".to_string(),
            net(1, 21),
            Some(21u8),
            "mn-servers",
            "server",
        ),
        (
            "kikan-gw".into(),
            net(1, 30),
            Some(30),
            "mn-servers",
            "server",
        ),
        (
            "lgwan-mail".into(),
            net(65, 25),
            None,
            "lg-servers",
            "server",
        ),
        (
            "mail-relay".into(),
            net(129, 25),
            None,
            "inet-dmz",
            "mail-sanitizer",
        ),
        (
            "vdi-gw".into(),
            net(129, 50),
            None,
            "inet-dmz",
            "vdi-gateway",
        ),
    ];
    let (xt, xm) = extra_flows(o);
    for j in 0..xt {
        let x = tokutei_host(j);
        hosts.push((
            format!("tokutei{j:02}"),
            net(1, x),
            Some(x),
            "mn-servers",
            "server",
        ));
    }
    for j in 0..xm {
        let x = relay_host(j);
        let role = "mail-sanitizer";
        hosts.push((format!("relay{j:02}"), net(129, x), None, "inet-dmz", role));
    }
    for (h, ip, mc, z, role) in &hosts {
        let _ = write!(out.inv, "[[host]]\nname = \"{c}-{h}\"\nip   = \"{ip}\"\n");
        if let Some(x) = mc {
            let _ = writeln!(out.inv, "mac  = \"{}\"", mac(m, *x));
        }
        let _ = writeln!(out.inv, "zone = \"{c}-{z}\"\nrole = \"{role}\"\n");
    }
    let _ = writeln!(
        out.inv,
        r#"[[tokutei]]
name  = "{c} 住基ネット CS 連携"
from  = "{c}-juki-cs"
to    = "juki-net-server"
ports = ["tcp/443"]

[[tokutei]]
name  = "{c} 中間サーバ連携"
from  = "{c}-kikan-gw"
to    = "chukan-server"
ports = ["tcp/443"]

[[mugaika]]
name   = "{c} メール無害化（受信）"
method = "mail-text"
from   = "{c}-mail-relay"
to     = "{c}-lgwan-mail"
ports  = ["tcp/25"]

[[mugaika]]
name   = "{c} メール無害化（送信）"
method = "mail-text"
from   = "{c}-lgwan-mail"
to     = "{c}-mail-relay"
ports  = ["tcp/25"]

[[mugaika]]
name   = "{c} 画面転送"
method = "screen-transfer"
from   = "{c}-lg-{}"
to     = "{c}-vdi-gw"
ports  = ["tcp/3389"]"#,
        if o.zone_per_floor {
            "floor1"
        } else {
            "terminals"
        }
    );
    // Per-floor zones: every LGWAN floor uses the screen transfer the policy allows.
    for f in 2..=floors {
        if o.zone_per_floor {
            let _ = writeln!(
                out.inv,
                "\n[[mugaika]]\nname   = \"{c} 画面転送 {f}F\"\nmethod = \"screen-transfer\"\nfrom   = \"{c}-lg-floor{f}\"\nto     = \"{c}-vdi-gw\"\nports  = [\"tcp/3389\"]"
            );
        }
    }
    for j in 0..xt {
        let _ = writeln!(
            out.inv,
            "\n[[tokutei]]\nname  = \"{c} 中間サーバ連携 {j:02}\"\nfrom  = \"{c}-tokutei{j:02}\"\nto    = \"chukan-server\"\nports = [\"tcp/443\"]"
        );
    }
    for j in 0..xm {
        let _ = writeln!(
            out.inv,
            "\n[[mugaika]]\nname   = \"{c} メール無害化（受信）{j:02}\"\nmethod = \"mail-text\"\nfrom   = \"{c}-relay{j:02}\"\nto     = \"{c}-lgwan-mail\"\nports  = [\"tcp/25\"]"
        );
    }
    out.inv.push('\n');

    for t in &TIERS {
        tier_devices(out, rng, m, t, floors, o, plant);
    }
    // Host links.
    for (h, port) in [
        ("juki-cs", "mn-core2:GigabitEthernet1/0/1"),
        ("kikan-gw", "mn-core2:GigabitEthernet1/0/2"),
        ("lgwan-mail", "lg-core2:GigabitEthernet1/0/1"),
        ("mail-relay", "inet-core2:GigabitEthernet1/0/1"),
        ("vdi-gw", "inet-core2:GigabitEthernet1/0/2"),
    ] {
        out.link(&format!("{c}-{h}"), &format!("{c}-{port}"));
    }
    // Extra hosts follow the named ones on their server core (ports 3, 4, …).
    for j in 0..xt {
        out.link(
            &format!("{c}-tokutei{j:02}"),
            &format!("{c}-mn-core2:GigabitEthernet1/0/{}", 3 + j),
        );
    }
    for j in 0..xm {
        out.link(
            &format!("{c}-relay{j:02}"),
            &format!("{c}-inet-core2:GigabitEthernet1/0/{}", 3 + j),
        );
    }
    fw_mn(out, m, plant(PlantKind::MnAnyJuki), xt);
    fw_lgwan(out, rng, m, floors, o, plant);
    if plant(PlantKind::Miswire) {
        // 誤配線: a spare マイナンバー floor port patched into an LGWAN floor switch.
        out.link(
            &format!("{c}-mn-floor1:GigabitEthernet1/0/21"),
            &format!("{c}-lg-floor1:GigabitEthernet1/0/21"),
        );
    }
}

fn tier_devices(
    out: &mut Out,
    rng: &mut Rng,
    m: usize,
    t: &Tier,
    floors: usize,
    o: &GenOptions,
    plant: &dyn Fn(PlantKind) -> bool,
) {
    let c = format!("c{m:03}");
    let b = m + 1;
    let k = t.key;
    let ti = TIERS.iter().position(|x| x.key == k).unwrap_or(0);
    let term_vlans: Vec<u16> = (0..floors)
        .map(|f| vlan_id(o, floors, m, ti, f + 1))
        .collect();
    let srv_vlan = vlan_id(o, floors, m, ti, 0);
    let chain = o.switches_per_floor.max(1);
    let up = |x: &str| x.to_ascii_uppercase();

    // Floor L2 switches: 20 terminal ports (anti-spoofing ACL, 802.1X with MAB: only
    // registered terminals, as ONLY-ALLOWED-DEVICES asks),
    // spare ports shut, uplink trunk on port 24.
    for (f, &v) in term_vlans.iter().enumerate() {
        let sw = |j: usize| match j {
            0 => format!("{c}-{k}-floor{}", f + 1),
            _ => format!("{c}-{k}-floor{}s{}", f + 1, j + 1),
        };
        for j in 0..chain {
            let name = sw(j);
            let down = j + 1 < chain;
            let mut s = format!("!\n! {name} フロア L2 スイッチ\n!\nhostname {name}\n!\n");
            vlans(&mut s, &[(v, format!("{}-TERM{}", up(k), f + 1))]);
            let _ = writeln!(
                s,
                "ip access-list extended TERM-IN\n remark 送信元アドレス詐称の防止\n 10 permit ip 10.{b}.{}.0 0.0.0.255 any\n!",
                t.term0 + f as u8
            );
            let _ = writeln!(
                s,
                "interface range GigabitEthernet1/0/1 - 20\n description 端末\n switchport access vlan {v}\n switchport mode access\n authentication port-control auto\n dot1x pae authenticator\n mab\n ip access-group TERM-IN in\n!"
            );
            let miswired = k == "mn" && f == 0 && j == 0 && plant(PlantKind::Miswire);
            let lg_miswired = k == "lg" && f == 0 && j == 0 && plant(PlantKind::Miswire);
            if miswired || lg_miswired {
                let _ = writeln!(
                    s,
                    "interface GigabitEthernet1/0/21\n description 予備\n switchport access vlan {v}\n switchport mode access\n!"
                );
            }
            shut(
                &mut s,
                if miswired || lg_miswired { 22 } else { 21 },
                if down { 22 } else { 23 },
            );
            if down {
                let _ = writeln!(
                    s,
                    "interface GigabitEthernet1/0/23\n description downlink {}\n switchport trunk allowed vlan {v}\n switchport mode trunk\n!",
                    sw(j + 1)
                );
            }
            let upper = if j == 0 {
                format!("{c}-{k}-core1")
            } else {
                sw(j - 1)
            };
            let _ = writeln!(
                s,
                "interface GigabitEthernet1/0/24\n description uplink {upper}\n switchport trunk allowed vlan {v}\n switchport mode trunk\n!\ninterface Vlan1\n no ip address\n shutdown\n!\nip default-gateway 10.{b}.{}.1\n!\nend",
                t.term0 + f as u8
            );
            out.config(&name, "cfg", s);
            let upper_port = if j == 0 {
                format!("{c}-{k}-core1:GigabitEthernet1/0/{}", f + 1)
            } else {
                format!("{upper}:GigabitEthernet1/0/23")
            };
            out.link(&upper_port, &format!("{name}:GigabitEthernet1/0/24"));
        }
    }

    // core1: terminal SVIs with large ACLs, routed links to core2 and upstream.
    let name = format!("{c}-{k}-core1");
    let mut s = format!("!\n! {name} コア L3 スイッチ（端末系）\n!\nhostname {name}\n!\n");
    vlans(
        &mut s,
        &term_vlans
            .iter()
            .enumerate()
            .map(|(f, v)| (*v, format!("{}-TERM{}", up(k), f + 1)))
            .collect::<Vec<_>>(),
    );
    for f in 0..floors {
        let src = format!("10.{b}.{}.0 0.0.0.255", t.term0 + f as u8);
        let _ = writeln!(s, "ip access-list extended {}-TERM{}-IN", up(k), f + 1);
        s.push_str(" remark 端末セグメントの受信フィルタ\n");
        let entries = rng.around(o.acl_entries);
        let mut seq = 10;
        // Every entry once: a repeat is shadowed by the first (FILTER-HYGIENE), which a
        // compliant prefecture must not have.
        let mut seen = std::collections::HashSet::new();
        for i in 0..entries {
            let mut line = if let Some(p) = DENIED_PORTS.get(i) {
                format!("deny   tcp {src} any eq {p}")
            } else if i % 7 == 3 {
                format!("deny   udp {src} any eq {}", 161 + (i % 3))
            } else {
                String::new()
            };
            let mut tries = 0;
            while (line.is_empty() || seen.contains(&line)) && tries < 8 {
                let host = 10 + rng.below(200);
                let port = APP_PORTS[rng.below(APP_PORTS.len())];
                line = format!("permit tcp {src} host 10.{b}.{}.{host} eq {port}", t.srv);
                tries += 1;
            }
            if !seen.insert(line.clone()) {
                continue;
            }
            let _ = writeln!(s, " {seq} {line}");
            seq += 10;
        }
        let _ = writeln!(s, " {seq} permit udp {src} any eq 53");
        let _ = writeln!(s, " {} permit ip {src} any\n!", seq + 10);
    }
    for (f, v) in term_vlans.iter().enumerate() {
        let _ = writeln!(
            s,
            "interface GigabitEthernet1/0/{}\n description {c}-{k}-floor{}\n switchport trunk allowed vlan {v}\n switchport mode trunk\n!",
            f + 1,
            f + 1,
        );
    }
    let _ = writeln!(
        s,
        "interface range GigabitEthernet1/0/{} - 21\n shutdown\n!",
        floors + 1
    );
    let _ = writeln!(
        s,
        "interface GigabitEthernet1/0/23\n description {c}-{k}-core2\n no switchport\n ip address 10.{b}.250.{} 255.255.255.252\n!",
        t.core_link + 1
    );
    let (up_ip, up_gw, up_desc) = match k {
        "mn" => (
            format!("10.{b}.251.1"),
            format!("10.{b}.251.2"),
            format!("{c}-fw-mn port1"),
        ),
        "lg" => (
            format!("10.{b}.251.5"),
            format!("10.{b}.251.6"),
            format!("{c}-fw-lgwan port1"),
        ),
        _ => {
            let (sc, mine) = p2p("100.64", m);
            (mine, sc, "sc-core".to_string())
        }
    };
    let _ = writeln!(
        s,
        "interface GigabitEthernet1/0/24\n description {up_desc}\n no switchport\n ip address {up_ip} 255.255.255.252\n!"
    );
    if k == "inet" {
        let _ = writeln!(
            s,
            "interface GigabitEthernet1/0/22\n description {c}-fw-lgwan port3\n no switchport\n ip address 10.{b}.251.9 255.255.255.252\n!"
        );
    }
    for (f, v) in term_vlans.iter().enumerate() {
        let _ = writeln!(
            s,
            "interface Vlan{v}\n ip address 10.{b}.{}.1 255.255.255.0\n ip access-group {}-TERM{}-IN in\n!",
            t.term0 + f as u8,
            up(k),
            f + 1
        );
    }
    let _ = writeln!(
        s,
        "ip route 10.{b}.{}.0 255.255.255.0 10.{b}.250.{}",
        t.srv,
        t.core_link + 2
    );
    if k == "inet" {
        let _ = writeln!(s, "ip route 10.{b}.64.0 255.255.192.0 10.{b}.251.10");
    }
    let _ = writeln!(s, "ip route 0.0.0.0 0.0.0.0 {up_gw}\n!\nend");
    out.config(&name, "cfg", s);
    match k {
        "mn" => out.link(
            &format!("{name}:GigabitEthernet1/0/24"),
            &format!("{c}-fw-mn:port1"),
        ),
        "lg" => out.link(
            &format!("{name}:GigabitEthernet1/0/24"),
            &format!("{c}-fw-lgwan:port1"),
        ),
        _ => {
            out.link(
                &format!("{name}:GigabitEthernet1/0/24"),
                &format!("sc-core:{}", shared_if(m)),
            );
            out.link(
                &format!("{name}:GigabitEthernet1/0/22"),
                &format!("{c}-fw-lgwan:port3"),
            );
        }
    }
    out.link(
        &format!("{name}:GigabitEthernet1/0/23"),
        &format!("{c}-{k}-core2:GigabitEthernet1/0/23"),
    );

    // core2: the server segment; each server port admits only its own address.
    let name = format!("{c}-{k}-core2");
    let mut s = format!("!\n! {name} コア L3 スイッチ（サーバ系）\n!\nhostname {name}\n!\n");
    vlans(&mut s, &[(srv_vlan, format!("{}-SERVERS", up(k)))]);
    let named: &[(u8, Option<u8>)] = match k {
        "mn" => &[(21, Some(21)), (30, Some(30))],
        "lg" => &[(25, None)],
        _ => &[(25, None), (50, None)],
    };
    let extra = 4 + rng.below(5);
    let mut ports: Vec<(u8, Option<u8>)> = named.to_vec();
    let (xt, xm) = extra_flows(o);
    match k {
        "mn" => ports.extend((0..xt).map(|j| (tokutei_host(j), Some(tokutei_host(j))))),
        "inet" => ports.extend((0..xm).map(|j| (relay_host(j), None))),
        _ => {}
    }
    for i in 0..extra {
        ports.push((100 + i as u8, None));
    }
    for (i, (host, mc)) in ports.iter().enumerate() {
        let _ = writeln!(
            s,
            "ip access-list extended SRV{}-IN\n 10 permit ip host 10.{b}.{}.{host} any\n!",
            i + 1,
            t.srv
        );
        let _ = writeln!(
            s,
            "interface GigabitEthernet1/0/{}\n description server 10.{b}.{}.{host}\n switchport access vlan {}\n switchport mode access",
            i + 1,
            t.srv,
            srv_vlan
        );
        match mc {
            Some(x) if !(k == "mn" && *x == 21 && plant(PlantKind::NoMac)) => {
                let _ = writeln!(
                    s,
                    " switchport port-security\n switchport port-security mac-address {}",
                    cisco_mac(m, *x)
                );
            }
            // The planted fault: the 特定通信 host's port admits any MAC.
            Some(_) => {}
            // Servers without a registered MAC authenticate by MAB.
            None => s.push_str(" authentication port-control auto\n mab\n"),
        }
        let _ = writeln!(s, " ip access-group SRV{}-IN in\n!", i + 1);
    }
    let _ = writeln!(
        s,
        "interface range GigabitEthernet1/0/{} - 22\n shutdown\n!\ninterface GigabitEthernet1/0/23\n description {c}-{k}-core1\n no switchport\n ip address 10.{b}.250.{} 255.255.255.252\n!\ninterface GigabitEthernet1/0/24\n shutdown\n!\ninterface Vlan{}\n ip address 10.{b}.{}.1 255.255.255.0\n!\nip route 0.0.0.0 0.0.0.0 10.{b}.250.{}\n!\nend",
        ports.len() + 1,
        t.core_link + 2,
        srv_vlan,
        t.srv,
        t.core_link + 1
    );
    out.config(&name, "cfg", s);
}

fn fw_header(name: &str, model: &str) -> String {
    format!(
        "#config-version={model}-7.2.5-FW-build1517-230606:opmode=0:vdom=0:user=admin\nconfig system global\n    set hostname \"{name}\"\nend\n"
    )
}

fn fw_interfaces(s: &mut String, ifs: &[(&str, String, &str)]) {
    s.push_str("config system interface\n");
    for (n, ip, alias) in ifs {
        let _ = writeln!(
            s,
            "    edit \"{n}\"\n        set vdom \"root\"\n        set ip {ip}\n        set alias \"{alias}\"\n    next"
        );
    }
    s.push_str("end\n");
}

fn fw_addresses(s: &mut String, addrs: &[(String, String)]) {
    s.push_str("config firewall address\n");
    for (n, sub) in addrs {
        let _ = writeln!(s, "    edit \"{n}\"\n        set subnet {sub}\n    next");
    }
    s.push_str("end\n");
}

struct Pol<'a> {
    name: String,
    src_if: &'a str,
    dst_if: &'a str,
    src: String,
    dst: String,
    svc: &'a str,
    accept: bool,
}

fn fw_policies(s: &mut String, pols: &[Pol]) {
    s.push_str("config firewall policy\n");
    for (i, p) in pols.iter().enumerate() {
        let _ = writeln!(
            s,
            "    edit {}\n        set name \"{}\"\n        set srcintf \"{}\"\n        set dstintf \"{}\"\n        set action {}\n        set srcaddr \"{}\"\n        set dstaddr \"{}\"\n        set schedule \"always\"\n        set service \"{}\"\n    next",
            i + 1,
            p.name,
            p.src_if,
            p.dst_if,
            if p.accept { "accept" } else { "deny" },
            p.src,
            p.dst,
            p.svc
        );
    }
    s.push_str("end\n");
}

fn fw_routes(s: &mut String, routes: &[(String, String, &str)]) {
    s.push_str("config router static\n");
    for (i, (dst, gw, dev)) in routes.iter().enumerate() {
        let _ = writeln!(
            s,
            "    edit {}\n        set dst {dst}\n        set gateway {gw}\n        set device \"{dev}\"\n    next",
            i + 1
        );
    }
    s.push_str("end\n");
}

/// The マイナンバー FortiGate: only the two 特定通信.
fn fw_mn(out: &mut Out, m: usize, any_juki: bool, extra_tokutei: usize) {
    let c = format!("c{m:03}");
    let b = m + 1;
    let name = format!("{c}-fw-mn");
    let host = m + 20;
    let mut s = fw_header(&name, "FG100F");
    fw_interfaces(
        &mut s,
        &[
            ("port1", format!("10.{b}.251.2 255.255.255.252"), "mn-core1"),
            (
                "port2",
                format!("192.168.{}.{} 255.255.240.0", 96 + host / 256, host % 256),
                "住基ネット",
            ),
            (
                "port3",
                format!("192.168.{}.{} 255.255.240.0", 112 + host / 256, host % 256),
                "中間サーバ",
            ),
        ],
    );
    let mut addrs = vec![
        ("juki-cs".into(), format!("10.{b}.1.21 255.255.255.255")),
        ("kikan-gw".into(), format!("10.{b}.1.30 255.255.255.255")),
        (
            "juki-net-server".into(),
            "192.168.96.10 255.255.255.255".into(),
        ),
        (
            "chukan-server".into(),
            "192.168.112.10 255.255.255.255".into(),
        ),
    ];
    for j in 0..extra_tokutei {
        addrs.push((
            format!("tokutei{j:02}"),
            format!("10.{b}.1.{} 255.255.255.255", tokutei_host(j)),
        ));
    }
    fw_addresses(&mut s, &addrs);
    let mut pols = vec![];
    if any_juki {
        pols.push(Pol {
            name: "一時許可".into(),
            src_if: "port1",
            dst_if: "port2",
            src: "all".into(),
            dst: "all".into(),
            svc: "ALL",
            accept: true,
        });
    }
    pols.push(Pol {
        name: "住基ネット CS 連携".into(),
        src_if: "port1",
        dst_if: "port2",
        src: "juki-cs".into(),
        dst: "juki-net-server".into(),
        svc: "HTTPS",
        accept: true,
    });
    pols.push(Pol {
        name: "中間サーバ連携".into(),
        src_if: "port1",
        dst_if: "port3",
        src: "kikan-gw".into(),
        dst: "chukan-server".into(),
        svc: "HTTPS",
        accept: true,
    });
    for j in 0..extra_tokutei {
        pols.push(Pol {
            name: format!("中間サーバ連携 {j:02}"),
            src_if: "port1",
            dst_if: "port3",
            src: format!("tokutei{j:02}"),
            dst: "chukan-server".into(),
            svc: "HTTPS",
            accept: true,
        });
    }
    fw_policies(&mut s, &pols);
    fw_routes(
        &mut s,
        &[(
            format!("10.{b}.0.0 255.255.192.0"),
            format!("10.{b}.251.1"),
            "port1",
        )],
    );
    out.config(&name, "conf", s);
}

/// The LGWAN FortiGate: LGWAN接続系 (port1), LGWAN (port2), インターネット接続系 (port3).
fn fw_lgwan(
    out: &mut Out,
    rng: &mut Rng,
    m: usize,
    floors: usize,
    o: &GenOptions,
    plant: &dyn Fn(PlantKind) -> bool,
) {
    let c = format!("c{m:03}");
    let b = m + 1;
    let name = format!("{c}-fw-lgwan");
    let (rtr, mine) = p2p("172.31", m);
    let mut s = fw_header(&name, "FG200F");
    fw_interfaces(
        &mut s,
        &[
            ("port1", format!("10.{b}.251.6 255.255.255.252"), "lg-core1"),
            ("port2", format!("{mine} 255.255.255.252"), "LGWAN"),
            (
                "port3",
                format!("10.{b}.251.10 255.255.255.252"),
                "インターネット接続系",
            ),
        ],
    );
    let mut addrs = vec![
        (
            "lg-servers".to_string(),
            format!("10.{b}.65.0 255.255.255.0"),
        ),
        (
            "lgwan-mail".to_string(),
            format!("10.{b}.65.25 255.255.255.255"),
        ),
        (
            "mail-relay".to_string(),
            format!("10.{b}.129.25 255.255.255.255"),
        ),
        (
            "vdi-gw".to_string(),
            format!("10.{b}.129.50 255.255.255.255"),
        ),
        (
            "lgwan-net".to_string(),
            "172.20.0.0 255.255.0.0".to_string(),
        ),
    ];
    for f in 0..floors {
        addrs.push((
            format!("lg-term{}", f + 1),
            format!("10.{b}.{}.0 255.255.255.0", 70 + f),
        ));
    }
    let (_, xm) = extra_flows(o);
    for j in 0..xm {
        addrs.push((
            format!("relay{j:02}"),
            format!("10.{b}.129.{} 255.255.255.255", relay_host(j)),
        ));
    }
    let asp_hosts = if o.policy_groups {
        ASP_HOSTS.max(o.policies / 2).min(MAX_ASP_HOSTS)
    } else {
        ASP_HOSTS
    };
    for j in 0..asp_hosts {
        addrs.push((
            format!("asp-{j:03}"),
            format!("172.20.{}.{} 255.255.255.255", 1 + j / 200, j % 200 + 1),
        ));
    }
    fw_addresses(&mut s, &addrs);
    s.push_str("config firewall addrgrp\n    edit \"lg-terminals\"\n        set member");
    for f in 0..floors {
        let _ = write!(s, " \"lg-term{}\"", f + 1);
    }
    if o.policy_groups {
        // Disjoint groups of ASP_GROUP consecutive ASP hosts.
        for g in 0..asp_hosts / ASP_GROUP {
            let _ = write!(
                s,
                "\n    next\n    edit \"asp-grp-{g:03}\"\n        set member"
            );
            for j in g * ASP_GROUP..(g + 1) * ASP_GROUP {
                let _ = write!(s, " \"asp-{j:03}\"");
            }
        }
    }
    s.push_str("\n    next\nend\n");
    s.push_str("config firewall service custom\n    edit \"RDP-VDI\"\n        set tcp-portrange 3389\n    next\n");
    if o.policy_groups {
        s.push_str("    edit \"ASP-MAIL\"\n        set tcp-portrange 25\n    next\nend\nconfig firewall service group\n");
        for (g, members) in GROUP_SERVICES {
            let _ = write!(s, "    edit \"{g}\"\n        set member");
            for mbr in *members {
                let _ = write!(s, " \"{mbr}\"");
            }
            s.push_str("\n    next\n");
        }
    }
    s.push_str("end\n");

    let mut pols = vec![];
    if plant(PlantKind::SplitAny) {
        pols.push(Pol {
            name: "調査用（一時）".into(),
            src_if: "port1",
            dst_if: "port3",
            src: "all".into(),
            dst: "all".into(),
            svc: "ALL",
            accept: true,
        });
    }
    if plant(PlantKind::LgwanAllServices) {
        pols.push(Pol {
            name: "LGWAN 全許可（一時）".into(),
            src_if: "port1",
            dst_if: "port2",
            src: "lg-terminals".into(),
            dst: "lgwan-net".into(),
            svc: "ALL",
            accept: true,
        });
    }
    // Bulk: per-application LGWAN-ASP rules, some explicit denies in between.
    // Each (application, source, service) once: a repeat would be shadowed by the first
    // (FILTER-HYGIENE), which a compliant prefecture must not have.
    let count = rng.around(o.policies);
    if o.policy_groups {
        group_policies(rng, count, floors, asp_hosts, &mut pols);
    } else {
        let mut used = std::collections::HashSet::new();
        for i in 0..count {
            let asp = rng.below(ASP_HOSTS);
            let src = match rng.below(floors + 1) {
                0 => "lg-servers".to_string(),
                f => format!("lg-term{f}"),
            };
            let deny = i % 9 == 4;
            pols.push(Pol {
                name: format!("ASP-{asp:03}-{i}"),
                src_if: "port1",
                dst_if: "port2",
                src,
                dst: format!("asp-{asp:03}"),
                svc: if deny {
                    "TELNET"
                } else {
                    LGWAN_SERVICES[rng.below(LGWAN_SERVICES.len())]
                },
                accept: !deny,
            });
            let p = pols.last().expect("just pushed");
            if !used.insert((asp, p.src.clone(), p.svc)) {
                pols.pop();
            }
        }
    }
    pols.push(Pol {
        name: "LGWAN メール受信".into(),
        src_if: "port2",
        dst_if: "port1",
        src: "lgwan-net".into(),
        dst: "lgwan-mail".into(),
        svc: "SMTP",
        accept: true,
    });
    pols.push(Pol {
        name: "メール無害化（受信）".into(),
        src_if: "port3",
        dst_if: "port1",
        src: "mail-relay".into(),
        dst: "lgwan-mail".into(),
        svc: "SMTP",
        accept: true,
    });
    for j in 0..xm {
        pols.push(Pol {
            name: format!("メール無害化（受信）{j:02}"),
            src_if: "port3",
            dst_if: "port1",
            src: format!("relay{j:02}"),
            dst: "lgwan-mail".into(),
            svc: "SMTP",
            accept: true,
        });
    }
    pols.push(Pol {
        name: "メール無害化（送信）".into(),
        src_if: "port1",
        dst_if: "port3",
        src: "lgwan-mail".into(),
        dst: "mail-relay".into(),
        svc: "SMTP",
        accept: true,
    });
    pols.push(Pol {
        name: "画面転送".into(),
        src_if: "port1",
        dst_if: "port3",
        src: "lg-terminals".into(),
        dst: "vdi-gw".into(),
        svc: "RDP-VDI",
        accept: true,
    });
    pols.push(Pol {
        name: "deny-all".into(),
        src_if: "any",
        dst_if: "any",
        src: "all".into(),
        dst: "all".into(),
        svc: "ALL",
        accept: false,
    });
    fw_policies(&mut s, &pols);
    fw_routes(
        &mut s,
        &[
            (
                format!("10.{b}.64.0 255.255.192.0"),
                format!("10.{b}.251.5"),
                "port1",
            ),
            ("172.20.0.0 255.255.0.0".into(), rtr, "port2"),
            (
                format!("10.{b}.128.0 255.255.192.0"),
                format!("10.{b}.251.9"),
                "port3",
            ),
        ],
    );
    out.config(&name, "conf", s);
    out.link(
        &format!("{name}:port2"),
        &format!("lgwan-rtr:{}", shared_if(m)),
    );
}

/// LGWAN-ASP policies over address groups, service groups and a custom service. A policy
/// is kept only when it matches some (source, ASP host, service) not matched by an earlier
/// one, so none is shadowed (FILTER-HYGIENE); up to 8 draws per policy.
fn group_policies<'a>(
    rng: &mut Rng,
    count: usize,
    floors: usize,
    asp_hosts: usize,
    pols: &mut Vec<Pol<'a>>,
) {
    // What a service matches, as the predefined services it stands for.
    fn members(svc: &str) -> &[&str] {
        match svc {
            "ASP-WEB" => &["HTTP", "HTTPS"],
            "ASP-DIR" => &["LDAP", "DNS"],
            "ASP-MAIL" => &["SMTP"],
            "HTTPS" => &["HTTPS"],
            "HTTP" => &["HTTP"],
            "DNS" => &["DNS"],
            "SMTP" => &["SMTP"],
            "LDAP" => &["LDAP"],
            _ => &["TELNET"],
        }
    }
    const SVCS: &[&str] = &[
        "HTTPS", "HTTP", "DNS", "SMTP", "LDAP", "ASP-WEB", "ASP-DIR", "ASP-MAIL",
    ];
    let groups = asp_hosts / ASP_GROUP;
    let mut used = std::collections::HashSet::new();
    for i in 0..count {
        let deny = i % 9 == 4;
        for _ in 0..8 {
            let src = match rng.below(floors + 1) {
                0 => "lg-servers".to_string(),
                f => format!("lg-term{f}"),
            };
            let (dst, hosts) = if groups > 0 && rng.below(2) == 0 {
                let g = rng.below(groups);
                (
                    format!("asp-grp-{g:03}"),
                    g * ASP_GROUP..(g + 1) * ASP_GROUP,
                )
            } else {
                let a = rng.below(asp_hosts);
                (format!("asp-{a:03}"), a..a + 1)
            };
            let svc = if deny {
                "TELNET"
            } else {
                SVCS[rng.below(SVCS.len())]
            };
            let mut fresh = false;
            for h in hosts {
                for m in members(svc) {
                    fresh |= used.insert((src.clone(), h, *m));
                }
            }
            if fresh {
                pols.push(Pol {
                    name: format!("ASP-{dst}-{i}"),
                    src_if: "port1",
                    dst_if: "port2",
                    src,
                    dst,
                    svc,
                    accept: !deny,
                });
                break;
            }
        }
    }
}

/// The LGWAN access router: one link per municipality, LGWAN itself on Gi9/0/1.
fn lgwan_router(out: &mut Out, n: usize) {
    let mut s = "!\n! LGWAN 接続ルータ（県域）\n!\nhostname lgwan-rtr\n!\n".to_string();
    for m in 0..n {
        let (mine, _) = p2p("172.31", m);
        let _ = writeln!(
            s,
            "interface {}\n description c{m:03}-fw-lgwan\n no switchport\n ip address {mine} 255.255.255.252\n!",
            shared_if(m)
        );
    }
    s.push_str("interface GigabitEthernet9/0/1\n description LGWAN\n no switchport\n ip address 172.20.0.1 255.255.0.0\n!\n");
    for m in 0..n {
        let (_, fw) = p2p("172.31", m);
        let _ = writeln!(s, "ip route 10.{}.64.0 255.255.192.0 {fw}", m + 1);
    }
    s.push_str("!\nend\n");
    out.config("lgwan-rtr", "cfg", s);
}

/// 自治体情報セキュリティクラウド: an L3 core facing every municipality's
/// インターネット接続系 and a FortiGate towards the Internet.
fn security_cloud(out: &mut Out, n: usize) {
    let mut s = "!\n! 自治体情報セキュリティクラウド コア\n!\nhostname sc-core\n!\n".to_string();
    for m in 0..n {
        let (mine, _) = p2p("100.64", m);
        let _ = writeln!(
            s,
            "interface {}\n description c{m:03}-inet-core1\n no switchport\n ip address {mine} 255.255.255.252\n!",
            shared_if(m)
        );
    }
    s.push_str("interface GigabitEthernet9/0/1\n description sc-fw port1\n no switchport\n ip address 100.65.0.1 255.255.255.252\n!\n");
    for m in 0..n {
        let (_, muni) = p2p("100.64", m);
        let _ = writeln!(s, "ip route 10.{}.128.0 255.255.192.0 {muni}", m + 1);
    }
    s.push_str("ip route 0.0.0.0 0.0.0.0 100.65.0.2\n!\nend\n");
    out.config("sc-core", "cfg", s);

    let mut s = fw_header("sc-fw", "FG1800F");
    fw_interfaces(
        &mut s,
        &[
            (
                "port1",
                "100.65.0.2 255.255.255.252".into(),
                "セキュリティクラウド内部",
            ),
            (
                "port2",
                "203.0.113.2 255.255.255.252".into(),
                "インターネット",
            ),
        ],
    );
    let mut addrs = vec![];
    for m in 0..n {
        let b = m + 1;
        addrs.push((
            format!("c{m:03}-inet-terminals"),
            format!("10.{b}.128.0 255.255.192.0"),
        ));
        addrs.push((
            format!("c{m:03}-mail-relay"),
            format!("10.{b}.129.25 255.255.255.255"),
        ));
    }
    fw_addresses(&mut s, &addrs);
    s.push_str("config firewall service group\n    edit \"WEB\"\n        set member \"HTTP\" \"HTTPS\" \"DNS\"\n    next\nend\n");
    let mut pols = vec![];
    for m in 0..n {
        pols.push(Pol {
            name: format!("c{m:03} Web"),
            src_if: "port1",
            dst_if: "port2",
            src: format!("c{m:03}-inet-terminals"),
            dst: "all".into(),
            svc: "WEB",
            accept: true,
        });
        pols.push(Pol {
            name: format!("c{m:03} メール受信"),
            src_if: "port2",
            dst_if: "port1",
            src: "all".into(),
            dst: format!("c{m:03}-mail-relay"),
            svc: "SMTP",
            accept: true,
        });
    }
    fw_policies(&mut s, &pols);
    fw_routes(
        &mut s,
        &[
            ("0.0.0.0 0.0.0.0".into(), "203.0.113.1".into(), "port2"),
            ("10.0.0.0 255.0.0.0".into(), "100.65.0.1".into(), "port1"),
        ],
    );
    out.config("sc-fw", "conf", s);
    out.link("sc-core:GigabitEthernet9/0/1", "sc-fw:port1");
}

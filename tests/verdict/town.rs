//! A random, realistic, small municipality ("town"): a seeded spec ([`Town`]) rendered
//! to a real snapshot folder (sanso.toml, topology.toml, Cisco IOS and FortiOS config
//! text) together with the generator's own ground truth ([`Truth`]): which zone every
//! edge port belongs to, every host, 特定通信 and 無害化 flow, and which faults were
//! planted. The referee never asks sanso where a zone is.
//!
//! Layout: 1–3 sites, each an L3 core (Cisco IOS) carrying the three tiers as SVIs
//! separated by ACLs (in or out, per site), 0–2 access switches on trunks, VLAN ids
//! reused across sites; one FortiGate joining the sites' cores and the external
//! networks (住基ネット, 中間サーバ, LGWAN, the Internet / セキュリティクラウド).
//! Role hosts ([`Extras`], issue 14): WSUS / AV-pattern servers in site 0's closed-tier
//! server zones, printers in インターネット接続系 or LGWAN接続系 zones, and a J-ALERT receiver
//! on its own LGWAN接続系 segment behind the firewall, each with its own faults.
//! Shape `linux` (issue 12): the Internet line leaves through a Linux firewall (`inet-gw`,
//! a real device folder: ip-addr.json, ip-route.json, iptables.rules or ruleset.nft,
//! sysctl.txt) whose FORWARD chain decides which tiers reach the Internet; its own stack
//! (`OUTPUT ACCEPT`) is no zone's ([`Truth::unzoned`]). DNAT goes to the mail relay in
//! inet-dmz, and in half the towns with remote maintenance (InternetMaint) a port forward
//! into the maintained tier behind a raw-table bogon filter; a BranchOverInternet route there hairpins back (the Linux box routes the
//! internal /16 to the FortiGate), so that fault is not seen in Linux towns.
//! Shape `edge` (issue 16): the same Internet edge ([`EdgeRules`]: which sources get out,
//! the inbound permits, the relay's port forward, the same faults) rendered as a Cisco
//! ASA, a Juniper SRX (hierarchical or `display set`) or a PAN-OS firewall (XML or `set`).

use crate::common::Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    MnTerm,
    LgTerm,
    InetTerm,
    MnSrv,
    LgSrv,
    InetDmz,
}

pub const ROLES: [Role; 6] = [
    Role::MnTerm,
    Role::LgTerm,
    Role::InetTerm,
    Role::MnSrv,
    Role::LgSrv,
    Role::InetDmz,
];

impl Role {
    pub fn tier(self) -> &'static str {
        match self {
            Role::MnTerm | Role::MnSrv => "mynumber",
            Role::LgTerm | Role::LgSrv => "lgwan",
            Role::InetTerm | Role::InetDmz => "internet",
        }
    }
    fn key(self) -> &'static str {
        match self {
            Role::MnTerm => "mn-terminals",
            Role::LgTerm => "lg-terminals",
            Role::InetTerm => "inet-terminals",
            Role::MnSrv => "mn-servers",
            Role::LgSrv => "lg-servers",
            Role::InetDmz => "inet-dmz",
        }
    }
    fn idx(self) -> u32 {
        ROLES.iter().position(|r| *r == self).unwrap() as u32
    }
}

/// Planted faults: each makes at least one check violated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// An ACL line or firewall policy letting マイナンバー talk to another tier.
    RoguePermit,
    /// A 特定通信 policy admitting the source host's whole subnet.
    LooseSource,
    /// A 特定通信 policy admitting an extra port.
    LoosePort,
    /// The 特定通信 source host's port without port security.
    NoPortSecurity,
    /// A free port in the source host's VLAN without anti-spoofing ACL.
    Spoofable,
    /// LGWAN policy admitting a protocol outside the allow-list.
    LgwanLeak,
    /// LGWAN接続系 ↔ インターネット接続系 / the Internet directly.
    DirectSplit,
    /// マイナンバー terminals to 住基ネット, any service.
    MnUndeclared,
    /// The Internet zone is a direct line (kind `internet`), not the security cloud.
    DirectInternet,
    /// A policy from 住基ネット / 中間サーバ to the Internet.
    DestToInternet,
    /// A maintenance policy from the Internet into マイナンバー / LGWAN接続系.
    InternetMaint,
    /// Traffic between two sites' zones of one tier routed out by the Internet line.
    BranchOverInternet,
    /// LGWAN接続系 to 住基ネット / 中間サーバ without 特定通信.
    LgwanExternal,
    /// A firewall policy letting a WSUS / AV-pattern server of マイナンバー / LGWAN接続系
    /// reach the Internet (`at`: index in `Extras::updates`).
    UpdateToInternet,
    /// A printer reachable from the tiers on the other side of the インターネット接続系
    /// line (`at`: index in `Extras::printers`).
    SharedPrinter,
    /// The J-ALERT receiver reaching more than its declared 特定通信.
    DualHomedLeak,
    /// The Internet edge (`Shape::linux`, `Shape::edge`) forwarding マイナンバー to the
    /// Internet: a permit for the site's マイナンバー subnet, one too wide, a forgotten final
    /// drop (Linux `policy ACCEPT`; an ASA without an inside ACL, whose security levels let
    /// everything out; a trailing permit-all SRX / PAN-OS policy), or a permit without a
    /// source (`at`: site).
    LinuxMnOut,
    /// The Internet edge forwarding LGWAN接続系 to the Internet (`at`: site).
    LinuxLgOut,
}

/// The faults drawn by the main stream (the role faults come from `Extras`' own stream,
/// so that adding them left the towns of a seed as they were).
const CORE_FAULTS: [FaultKind; 13] = [
    FaultKind::RoguePermit,
    FaultKind::LooseSource,
    FaultKind::LoosePort,
    FaultKind::NoPortSecurity,
    FaultKind::Spoofable,
    FaultKind::LgwanLeak,
    FaultKind::DirectSplit,
    FaultKind::MnUndeclared,
    FaultKind::DirectInternet,
    FaultKind::DestToInternet,
    FaultKind::InternetMaint,
    FaultKind::BranchOverInternet,
    FaultKind::LgwanExternal,
];

pub const FAULTS: [FaultKind; 18] = [
    FaultKind::LinuxMnOut,
    FaultKind::LinuxLgOut,
    FaultKind::UpdateToInternet,
    FaultKind::SharedPrinter,
    FaultKind::DualHomedLeak,
    FaultKind::RoguePermit,
    FaultKind::LooseSource,
    FaultKind::LoosePort,
    FaultKind::NoPortSecurity,
    FaultKind::Spoofable,
    FaultKind::LgwanLeak,
    FaultKind::DirectSplit,
    FaultKind::MnUndeclared,
    FaultKind::DirectInternet,
    FaultKind::DestToInternet,
    FaultKind::InternetMaint,
    FaultKind::BranchOverInternet,
    FaultKind::LgwanExternal,
];

impl FaultKind {
    /// The check that must report it.
    pub fn rule(self) -> &'static str {
        match self {
            FaultKind::RoguePermit => "MN-ISOLATION",
            FaultKind::LooseSource => "TOKUTEI-IP",
            FaultKind::LoosePort => "TOKUTEI-PORT",
            FaultKind::NoPortSecurity => "TOKUTEI-MAC",
            FaultKind::Spoofable => "TOKUTEI-PATH",
            FaultKind::LgwanLeak => "LGWAN-PROTOCOLS",
            FaultKind::DirectSplit => "SPLIT-MUGAIKA-ONLY",
            FaultKind::MnUndeclared => "MN-TOKUTEI-ONLY",
            FaultKind::DirectInternet => "INTERNET-VIA-CLOUD",
            FaultKind::DestToInternet => "TOKUTEI-DEST-NO-INTERNET",
            FaultKind::InternetMaint => "VPN-MAINT-TOKUTEI",
            FaultKind::BranchOverInternet => "BRANCH-CLOSED",
            FaultKind::LgwanExternal => "LGWAN-EXTERNAL-TOKUTEI",
            FaultKind::UpdateToInternet => "NO-INTERNET-UPDATES",
            FaultKind::SharedPrinter => "PRINTER-NOT-SHARED",
            FaultKind::DualHomedLeak => "DUAL-HOMED-FW",
            FaultKind::LinuxMnOut => "MN-ISOLATION",
            FaultKind::LinuxLgOut => "SPLIT-MUGAIKA-ONLY",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    /// Site (or 特定通信 index for the 特定通信 kinds).
    pub at: usize,
    /// Variant: where/how the fault is written (ACL vs policy, which port …).
    pub variant: u8,
}

/// Shapes of town that exposed sanso bugs. `zone_vlans` and `drop_link` (fixed) are part of
/// the CI run (`ci_shape` in tests/verdict_referee.rs); the others are known bugs, asserted
/// only by the ignored `verdict_referee_known_bugs`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Zones declare `vlans`, and the VLAN ids of the tiers are permuted per site.
    pub zone_vlans: bool,
    /// Several spoofing ports, the first with port security (static MAC).
    pub spoof_portsec: bool,
    /// Several 特定通信 share one destination; faults may hit any of them.
    pub shared_dest: bool,
    /// One routed link (core ↔ firewall) is missing from topology.toml.
    pub drop_link: bool,
    /// Two 特定通信 into one external zone: one to its server (host), one to the zone.
    pub mixed_dest: bool,
    /// FortiGate policies (any of them, by chance) translate the source (`set nat
    /// enable`): judged on the packet as sent, a flow stays what it was.
    pub fgt_nat: bool,
    /// Access switches are rendered, at random, as Allied Telesis AlliedWare Plus (same
    /// truth: AW+ names, `vlan database`, hardware ACLs with an explicit final deny,
    /// `auth-mac` for the MAC-locked host ports, AW+ port security and trunks).
    pub awplus: bool,
    /// LGWAN is reached through a Yamaha RTX router (issue 15): the firewall's LGWAN /30
    /// leads to its lan1, LGWAN is connected on its lan2, with random `ip filter` lists on
    /// both LANs (first match, implicit discard, optional catch-all and dynamic filters),
    /// static routes and, at random, masquerade NAT on lan2.
    pub rtx: bool,
    /// The Internet line leaves through a Linux firewall (`inet-gw`, issue 12): the
    /// FortiGate hands every site's traffic for the Internet to it, and its FORWARD chain
    /// decides which tiers get out ([`LinuxFw`]: iptables-save or nftables, default
    /// chains, conntrack, user chains, masquerade / SNAT, a DNAT port forward to the mail
    /// relay, `ip_forward`).
    pub linux: bool,
    /// Core ↔ access trunks are, at random, EtherChannels: two member ports on each side
    /// with `channel-group K mode …` (IOS LACP / PAgP / static, AW+ LACP), the
    /// port-channel's stanza present or left to the switch to create, and topology.toml
    /// naming either the two port-channels or each member pair.
    pub portchan: bool,
    /// The FortiGate ↔ core links are, at random per site, a FortiGate aggregate
    /// (`set type aggregate`, two member ports) facing an IOS routed port-channel of two
    /// members; topology.toml names the two aggregators or each member pair.
    pub fw_agg: bool,
    /// The same Internet edge as `linux` (issue 16), rendered at random per town as a
    /// Cisco ASA, a Juniper SRX or a Palo Alto PAN-OS firewall ([`EdgeFw`]). With `linux`
    /// too, the Linux edge is drawn (one device sits on the Internet line).
    pub edge: bool,
}

impl Shape {
    pub fn all() -> Shape {
        Shape {
            zone_vlans: true,
            spoof_portsec: true,
            shared_dest: true,
            drop_link: true,
            mixed_dest: true,
            fgt_nat: true,
            awplus: true,
            rtx: true,
            linux: true,
            portchan: true,
            fw_agg: true,
            edge: true,
        }
    }
    pub fn name(&self) -> String {
        let mut v = vec![];
        if self.zone_vlans {
            v.push("zone_vlans");
        }
        if self.spoof_portsec {
            v.push("spoof_portsec");
        }
        if self.shared_dest {
            v.push("shared_dest");
        }
        if self.drop_link {
            v.push("drop_link");
        }
        if self.mixed_dest {
            v.push("mixed_dest");
        }
        if self.fgt_nat {
            v.push("fgt_nat");
        }
        if self.awplus {
            v.push("awplus");
        }
        if self.rtx {
            v.push("rtx");
        }
        if self.linux {
            v.push("linux");
        }
        if self.portchan {
            v.push("portchan");
        }
        if self.fw_agg {
            v.push("fw_agg");
        }
        if self.edge {
            v.push("edge");
        }
        if v.is_empty() {
            "default".into()
        } else {
            v.join("+")
        }
    }
}

#[derive(Clone, Debug)]
pub struct Site {
    pub name: String,
    /// Roles present (site 0 has all six).
    pub roles: Vec<Role>,
    pub vlan: BTreeMap<Role, u16>,
    pub prefix: BTreeMap<Role, u8>,
    /// Number of access switches.
    pub access: usize,
    /// Tier separation as out ACLs on the destination SVIs (else in ACLs).
    pub acl_out: bool,
}

#[derive(Clone, Debug)]
pub struct Tok {
    pub name: String,
    pub host: String,
    pub site: usize,
    pub role: Role,
    /// Last octet offset inside the subnet.
    pub off: u32,
    /// 0 = 住基ネット server, 1 = 中間サーバ, 2 = the 中間サーバ zone itself.
    pub dest: usize,
    pub ports: Vec<(u8, u16, u16)>,
    pub mac: [u8; 6],
}

/// A WSUS / AV-pattern server in site 0's マイナンバー or LGWAN server zone.
#[derive(Clone, Debug)]
pub struct Upd {
    pub name: String,
    /// `wsus` or `av-pattern`.
    pub role: &'static str,
    pub zrole: Role,
    pub off: u32,
    /// A firewall policy to LGWAN (its upstream on LGWAN-ASP): not the Internet.
    pub via_lgwan: bool,
}

/// A printer / 複合機 in one of a site's zones (インターネット接続系, or LGWAN接続系).
#[derive(Clone, Debug)]
pub struct Prn {
    pub name: String,
    pub site: usize,
    pub zrole: Role,
    pub off: u32,
}

/// The J-ALERT receiver (role `jalert`) on its own LGWAN接続系 segment (`jalert-seg`)
/// behind the firewall, through a small access switch with port security.
#[derive(Clone, Debug)]
pub struct Jalert {
    /// Its 特定通信 goes to the Internet zone itself (else to the `jalert-server` host).
    pub to_zone: bool,
    pub ports: Vec<(u8, u16, u16)>,
    /// The firewall policy for the declared flow exists.
    pub policy: bool,
    /// A policy to LGWAN as well (not a sink of DUAL-HOMED-FW).
    pub lgwan: bool,
}

/// Hosts of the role checks (NO-INTERNET-UPDATES, PRINTER-NOT-SHARED, DUAL-HOMED-FW),
/// drawn from their own stream of the seed.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    pub updates: Vec<Upd>,
    pub printers: Vec<Prn>,
    pub jalert: Option<Jalert>,
}

/// The Linux Internet edge firewall (`Shape::linux`), drawn from its own stream.
#[derive(Clone, Debug)]
pub struct LinuxFw {
    /// nftables (`ruleset.nft`), else iptables-save (`iptables.rules`).
    pub nft: bool,
    /// Interface names: 0 = eth0/eth1, 1 = ens192/ens224, 2 = enp1s0/enp2s0.
    pub names: u8,
    /// FORWARD `policy DROP` (else `policy ACCEPT` and an explicit final drop/reject).
    pub fwd_drop: bool,
    /// The final rule under `policy ACCEPT` is a reject (else a drop).
    pub reject: bool,
    /// Outbound rules in a user chain (jump, explicit `return`), else in FORWARD.
    pub user_chain: bool,
    /// 0 = masquerade, 1 = SNAT to the outside address, 2 = no source NAT.
    pub snat: u8,
    /// A DNAT port forward (tcp/25 on the outside address) to the mail relay.
    pub dnat: bool,
    /// `net.ipv4.ip_forward = 1` (else 0: nothing is forwarded).
    pub ip_forward: bool,
    /// Outbound accepts name the inside interface too (`-i`), else only `-o`.
    pub in_match: bool,
}

/// The firewall OS of an [`EdgeFw`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeOs {
    Asa,
    Srx,
    Panos,
}

/// The Internet edge firewall of `Shape::edge`, drawn from the Linux edge's stream: the
/// same truth (which sources get out, inbound rules, the relay's port forward) rendered
/// in another dialect.
#[derive(Clone, Debug)]
pub struct EdgeFw {
    pub os: EdgeOs,
    /// SRX `display set` / PAN-OS `set` commands (else the hierarchical / XML form).
    pub set_form: bool,
    /// Sources as named objects (ASA `object-group network`, SRX address book, PAN-OS
    /// address objects), else inline prefixes.
    pub objects: bool,
    /// Interface naming variant.
    pub names: u8,
    /// Source NAT of the inside to the outside address (ASA `dynamic interface`, SRX
    /// `source-nat interface`; PAN-OS source NAT is not modelled by sanso: never drawn).
    pub snat: bool,
    /// A destination NAT of tcp/25 on a second outside address to the mail relay.
    pub dnat: bool,
    /// ASA: the inside ACL ends with an explicit `deny ip any any` (else the implicit
    /// deny); SRX: a `global` deny-all policy; PAN-OS: an explicit final deny rule.
    pub final_deny: bool,
}

#[derive(Clone, Debug)]
pub struct Town {
    pub seed: u64,
    pub shape: Shape,
    /// Second octet of the internal 10.b.0.0/16.
    pub b: u8,
    pub juki: u8,
    pub chukan: u8,
    pub sites: Vec<Site>,
    pub toks: Vec<Tok>,
    pub mugaika: bool,
    pub faults: Vec<Fault>,
    /// FortiGate interface naming: 0 = portN, 1 = internalN / wan1 …
    pub fw_names: u8,
    /// Cisco interface naming: 0 = GigabitEthernet1/0/N, 1 = GigabitEthernet0/N, 2 = FastEthernet0/N.
    pub if_style: u8,
    /// Topology uses abbreviations (Gi1/0/1).
    pub abbrev: bool,
    /// `[lgwan] allowed` override (None: the default list).
    pub lgwan_allowed: Option<Vec<(u8, u16, u16)>>,
    /// LGWAN reached through a /30 and a route (else a connected 172.20.0.0/16).
    pub lgwan_routed: bool,
    /// The Internet zone's kind: security-cloud or internet.
    pub inet_kind: &'static str,
    /// Shuffle order of config blocks.
    pub shuffle: u64,
    pub extras: Extras,
    /// The Linux Internet edge (`Shape::linux`).
    pub linux: Option<LinuxFw>,
    /// The ASA / SRX / PAN-OS Internet edge (`Shape::edge`).
    pub edge: Option<EdgeFw>,
}

const SITE_NAMES: &[&str] = &[
    "honcho",
    "kita-shisho",
    "minami-shisho",
    "higashi",
    "nishi",
    "bunsho",
    "annex",
];
const TOK_HOSTS: &[&str] = &[
    "juki-cs",
    "kikan-gw",
    "kokuho-srv",
    "zei-srv",
    "fukushi-ap",
    "koseki-srv",
    "renkei-gw",
];
pub const DEFAULT_LGWAN: &[(u8, u16, u16)] = &[
    (17, 53, 53),
    (6, 53, 53),
    (17, 123, 123),
    (6, 25, 25),
    (6, 80, 80),
    (6, 443, 443),
    (6, 389, 389),
    (6, 636, 636),
];

impl Town {
    pub fn random(seed: u64, shape: Shape) -> Town {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        for _ in 0..4 {
            r.next();
        }
        let nsites = 1 + r.below(3) as usize;
        let mut names: Vec<&str> = SITE_NAMES.to_vec();
        let mut sites = vec![];
        // VLAN ids: one set per town, reused at every site (permuted per site in the
        // `zone_vlans` shape).
        let mut ids: Vec<u16> = vec![];
        let base = r.pick(&[10u16, 100, 110, 200, 300, 1000]);
        while ids.len() < 6 {
            let v = base + r.below(90) as u16 * if r.chance(50) { 1 } else { 10 };
            if (2..4000).contains(&v) && !ids.contains(&v) {
                ids.push(v);
            }
        }
        for s in 0..nsites {
            let name = names.remove(r.index(names.len()));
            let roles: Vec<Role> = if s == 0 {
                ROLES.to_vec()
            } else {
                let mut v: Vec<Role> = ROLES[..3]
                    .iter()
                    .copied()
                    .filter(|_| r.chance(75))
                    .collect();
                if v.is_empty() {
                    v.push(r.pick(&ROLES[..3]));
                }
                v
            };
            let mut perm = ids.clone();
            if shape.zone_vlans && s > 0 {
                perm.rotate_left(1 + r.index(5));
            }
            let vlan = ROLES.iter().zip(perm).map(|(ro, v)| (*ro, v)).collect();
            let prefix = ROLES
                .iter()
                .map(|ro| (*ro, r.pick(&[24u8, 24, 25, 26, 27, 28])))
                .collect();
            sites.push(Site {
                name: name.into(),
                roles,
                vlan,
                prefix,
                access: r.below(3) as usize,
                acl_out: r.chance(40),
            });
        }
        let ntok = if shape.shared_dest {
            3 + r.below(3) as usize
        } else {
            1 + r.below(2) as usize
        };
        let mut toks = vec![];
        let mut hosts: Vec<&str> = TOK_HOSTS.to_vec();
        for k in 0..ntok {
            let host = hosts.remove(r.index(hosts.len()));
            let (site, role) = if r.chance(25) && nsites > 1 {
                let s = 1 + r.index(nsites - 1);
                if sites[s].roles.contains(&Role::MnTerm) {
                    (s, Role::MnTerm)
                } else {
                    (0, Role::MnSrv)
                }
            } else {
                (0, Role::MnSrv)
            };
            let dest = if shape.shared_dest {
                0
            } else {
                // Distinct destinations outside the shared-destination shape.
                k.min(2)
            };
            let ports = match r.below(4) {
                0 => vec![(6, 443, 443)],
                1 => vec![(6, 443, 443), (6, 8443, 8443)],
                2 => vec![(6, 10443, 10449)],
                _ => vec![(17, 2049, 2049), (6, 443, 443)],
            };
            toks.push(Tok {
                name: format!("特定通信{} {host}", k + 1),
                host: host.into(),
                site,
                role,
                off: 2 + k as u32 * 2 + r.below(2) as u32,
                dest,
                ports,
                mac: [0x00, 0x1b, 0x21, r.below(256) as u8, 0x0b, 0x10 + k as u8],
            });
        }
        if shape.mixed_dest {
            if toks.len() < 2 {
                let mut x = toks[0].clone();
                x.host = hosts.remove(r.index(hosts.len())).into();
                x.name = format!("特定通信2 {}", x.host);
                x.off += 4;
                x.mac[5] += 1;
                toks.push(x);
            }
            let ports = toks[0].ports.clone();
            toks[0].dest = 1;
            toks[1].dest = 2;
            toks[1].ports = ports;
        }
        let mut faults = vec![];
        if r.chance(65) {
            let n = 1 + r.below(2);
            for _ in 0..n {
                let kind = r.pick(&CORE_FAULTS);
                let at = match kind {
                    FaultKind::LooseSource
                    | FaultKind::LoosePort
                    | FaultKind::NoPortSecurity
                    | FaultKind::Spoofable => r.index(toks.len()),
                    _ => r.index(nsites),
                };
                let f = Fault {
                    kind,
                    at,
                    variant: r.below(4) as u8,
                };
                if !faults.contains(&f) {
                    faults.push(f);
                }
            }
        }
        // The Internet zone is a direct line only as a planted fault.
        let direct = faults.iter().any(|f| f.kind == FaultKind::DirectInternet);
        let lgwan_allowed = if r.chance(30) {
            let mut v: Vec<(u8, u16, u16)> = DEFAULT_LGWAN
                .iter()
                .copied()
                .filter(|_| r.chance(70))
                .collect();
            if !v.contains(&(6, 443, 443)) {
                v.push((6, 443, 443));
            }
            Some(v)
        } else {
            None
        };
        let mut town = Town {
            seed,
            shape,
            b: 1 + r.below(200) as u8,
            juki: 96 + r.below(8) as u8,
            chukan: 112 + r.below(8) as u8,
            sites,
            toks,
            mugaika: r.chance(80),
            faults,
            fw_names: r.below(2) as u8,
            if_style: r.below(3) as u8,
            abbrev: r.chance(40),
            lgwan_allowed,
            // The RTX shape needs the routed LGWAN hand-off (its lan1 is the far end).
            lgwan_routed: r.chance(60) || shape.rtx,
            // (The draw stays, so the rest of a seed's town does not change.)
            inet_kind: {
                let _ = r.chance(70);
                if direct {
                    "internet"
                } else {
                    "security-cloud"
                }
            },
            shuffle: r.next(),
            extras: Extras::default(),
            linux: None,
            edge: None,
        };
        town.draw_extras();
        if shape.linux {
            town.draw_linux();
        } else if shape.edge {
            town.draw_edge();
        }
        town
    }

    /// The ASA / SRX / PAN-OS edge: the Linux edge's stream and faults (the same share
    /// of towns gets an edge fault), then its own rendering choices.
    fn draw_edge(&mut self) {
        self.draw_linux();
        self.linux = None;
        let mut r = Rng(self.seed.wrapping_mul(0xD6E8_FEB8_6659_FD93) | 1);
        for _ in 0..4 {
            r.next();
        }
        let os = r.pick(&[EdgeOs::Asa, EdgeOs::Srx, EdgeOs::Panos]);
        self.edge = Some(EdgeFw {
            os,
            set_form: r.chance(50),
            objects: r.chance(50),
            names: r.below(2) as u8,
            snat: os != EdgeOs::Panos && r.chance(60),
            dnat: r.chance(50),
            final_deny: r.chance(40),
        });
    }

    /// The Linux edge and its faults, from their own stream (the rest of the town is as
    /// without it). A third of the Linux towns get a Linux fault.
    fn draw_linux(&mut self) {
        let mut r = Rng(self.seed.wrapping_mul(0xC2B2_AE3D_27D4_EB4F) | 1);
        for _ in 0..4 {
            r.next();
        }
        self.linux = Some(LinuxFw {
            nft: r.chance(50),
            names: r.below(3) as u8,
            fwd_drop: r.chance(60),
            reject: r.chance(30),
            user_chain: r.chance(50),
            snat: r.below(3) as u8,
            dnat: r.chance(50),
            ip_forward: r.chance(90),
            in_match: r.chance(50),
        });
        if r.chance(35) {
            let kind = r.pick(&[FaultKind::LinuxMnOut, FaultKind::LinuxLgOut]);
            let tier = if kind == FaultKind::LinuxMnOut {
                "mynumber"
            } else {
                "lgwan"
            };
            let cands: Vec<usize> = (0..self.sites.len())
                .filter(|&s| self.sites[s].roles.iter().any(|ro| ro.tier() == tier))
                .collect();
            if !cands.is_empty() {
                let at = r.pick(&cands);
                self.faults.push(Fault {
                    kind,
                    at,
                    variant: r.below(4) as u8,
                });
            }
        }
    }

    /// Offsets taken in a site's zone (hosts; the gateway; the free ports at the top).
    fn taken(&self, s: usize, ro: Role) -> Vec<u32> {
        let size = 1u32 << (32 - self.net(s, ro).1);
        let mut v: Vec<u32> = vec![0, 1, size - 4, size - 3, size - 2, size - 1];
        for tk in self.toks.iter().filter(|tk| tk.site == s && tk.role == ro) {
            v.push(tk.off);
        }
        if s == 0 && self.mugaika {
            match ro {
                Role::LgSrv => v.push(5),
                Role::InetDmz => v.extend([5, 6]),
                _ => {}
            }
        }
        for u in self.extras.updates.iter().filter(|_| s == 0) {
            if u.zrole == ro {
                v.push(u.off);
            }
        }
        for p in &self.extras.printers {
            if p.site == s && p.zrole == ro {
                v.push(p.off);
            }
        }
        v
    }

    fn free_off(&self, r: &mut Rng, s: usize, ro: Role) -> Option<u32> {
        let size = 1u32 << (32 - self.net(s, ro).1);
        let taken = self.taken(s, ro);
        let free: Vec<u32> = (2..size).filter(|o| !taken.contains(o)).collect();
        (!free.is_empty()).then(|| r.pick(&free))
    }

    /// Update servers, printers and the J-ALERT receiver, with their faults.
    fn draw_extras(&mut self) {
        let mut r = Rng(self.seed.wrapping_mul(0xA24B_AED4_963E_E407) | 1);
        for _ in 0..4 {
            r.next();
        }
        let nupd = [0usize, 0, 0, 1, 1, 1, 2][r.index(8).min(6)];
        for i in 0..nupd {
            let zrole = r.pick(&[Role::MnSrv, Role::LgSrv]);
            let Some(off) = self.free_off(&mut r, 0, zrole) else {
                continue;
            };
            let role = r.pick(&["wsus", "av-pattern"]);
            let via_lgwan = zrole == Role::LgSrv && r.chance(40);
            self.extras.updates.push(Upd {
                name: format!(
                    "{}-{role}{}",
                    if zrole == Role::MnSrv { "mn" } else { "lg" },
                    i + 1
                ),
                role,
                zrole,
                off,
                via_lgwan,
            });
        }
        let nprn = [0usize, 0, 0, 1, 1, 1, 2][r.index(8).min(6)];
        for i in 0..nprn {
            let s = r.index(self.sites.len());
            let mut cands: Vec<Role> =
                vec![Role::InetTerm, Role::InetTerm, Role::InetDmz, Role::LgTerm];
            cands.retain(|ro| self.sites[s].roles.contains(ro));
            if cands.is_empty() {
                continue;
            }
            let zrole = r.pick(&cands);
            let Some(off) = self.free_off(&mut r, s, zrole) else {
                continue;
            };
            self.extras.printers.push(Prn {
                name: format!("fukugoki-{}", i + 1),
                site: s,
                zrole,
                off,
            });
        }
        if r.chance(30) {
            let ports = if r.chance(50) {
                vec![(6, 443, 443)]
            } else {
                vec![(6, 443, 443), (6, 8080, 8080)]
            };
            self.extras.jalert = Some(Jalert {
                to_zone: r.chance(35),
                ports,
                // (Its declared flow to the Internet is an LGWAN接続系 → Internet flow:
                // SPLIT-MUGAIKA-ONLY fires as well.)
                policy: r.chance(25),
                lgwan: r.chance(40),
            });
        }
        // Faults: each present role host faulty a fifth of the time (the CI run
        // needs a fifth of its towns compliant).
        for i in 0..self.extras.updates.len() {
            if r.chance(20) {
                self.faults.push(Fault {
                    kind: FaultKind::UpdateToInternet,
                    at: i,
                    variant: r.below(4) as u8,
                });
            }
        }
        for i in 0..self.extras.printers.len() {
            if r.chance(20) {
                self.faults.push(Fault {
                    kind: FaultKind::SharedPrinter,
                    at: i,
                    variant: r.below(4) as u8,
                });
            }
        }
        if self.extras.jalert.is_some() && r.chance(25) {
            self.faults.push(Fault {
                kind: FaultKind::DualHomedLeak,
                at: 0,
                variant: r.below(4) as u8,
            });
        }
    }

    pub fn describe(&self) -> String {
        let mut s = format!(
            "seed {:#x} shape {} sites {} toks {} mugaika {} faults [{}]",
            self.seed,
            self.shape.name(),
            self.sites
                .iter()
                .map(|s| format!(
                    "{}(roles {} access {} acl_{})",
                    s.name,
                    s.roles.len(),
                    s.access,
                    if s.acl_out { "out" } else { "in" }
                ))
                .collect::<Vec<_>>()
                .join(","),
            self.toks
                .iter()
                .map(|t| format!("{}@{}:{:?}->{}", t.host, t.site, t.role, t.dest))
                .collect::<Vec<_>>()
                .join(","),
            self.mugaika,
            self.faults
                .iter()
                .map(|f| format!("{:?}@{}v{}", f.kind, f.at, f.variant))
                .collect::<Vec<_>>()
                .join(",")
        );
        if self.lgwan_allowed.is_some() {
            s.push_str(" lgwan-allowed-override");
        }
        let x = &self.extras;
        for u in &x.updates {
            let _ = write!(
                s,
                " {}@{:?}{}",
                u.name,
                u.zrole,
                if u.via_lgwan { "+lgwan" } else { "" }
            );
        }
        for p in &x.printers {
            let _ = write!(s, " {}@{}:{:?}", p.name, p.site, p.zrole);
        }
        if let Some(j) = &x.jalert {
            let _ = write!(
                s,
                " jalert(to_zone {} policy {} lgwan {})",
                j.to_zone, j.policy, j.lgwan
            );
        }
        if let Some(l) = &self.linux {
            let _ = write!(s, " {l:?}");
        }
        if let Some(e) = &self.edge {
            let _ = write!(s, " {e:?}");
        }
        s
    }

    pub fn has(&self, k: FaultKind, at: usize) -> Option<u8> {
        self.faults
            .iter()
            .find(|f| f.kind == k && f.at == at)
            .map(|f| f.variant)
    }

    /// Network address of a role's subnet at a site.
    pub fn net(&self, s: usize, ro: Role) -> (u32, u8) {
        let a = u32::from_be_bytes([10, self.b, (s as u32 * 16 + ro.idx()) as u8, 0]);
        (a, self.sites[s].prefix[&ro])
    }
}

// ------------------------------------------------------------------ ground truth

#[derive(Clone, Debug)]
pub struct TZone {
    pub name: String,
    pub tier: &'static str,
    pub kind: String,
    pub net: u32,
    pub len: u8,
}

#[derive(Clone, Debug)]
pub struct THost {
    pub name: String,
    pub ip: u32,
    pub mac: Option<u64>,
    pub zone: usize,
    /// The inventory role (`server`, `wsus`, `av-pattern`, `printer`, `jalert`).
    pub role: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ep {
    Host(usize),
    Zone(usize),
}

#[derive(Clone, Debug)]
pub struct TFlow {
    pub name: String,
    pub from: Ep,
    pub to: Ep,
    pub ports: Vec<(u8, u16, u16)>,
}

#[derive(Clone, Debug)]
pub struct TPoint {
    pub zone: usize,
    pub host: Option<usize>,
    /// A natural source address and MAC for this port.
    pub src_ip: u32,
    pub mac: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Truth {
    pub zones: Vec<TZone>,
    pub hosts: Vec<THost>,
    pub tokutei: Vec<TFlow>,
    pub mugaika: Vec<TFlow>,
    /// canon("device:interface") → what sits there.
    pub points: BTreeMap<String, TPoint>,
    pub lgwan_allowed: Vec<(u8, u16, u16)>,
    /// Ports written anywhere in the configs (services, ACL entries).
    pub ports: BTreeSet<(u8, u16)>,
    /// Graph points that are no zone's: the own stack (`(local)`) of a Linux firewall that
    /// no `[[host]]` declares. Its packets are not tier traffic; a finding from one is a
    /// false alarm (the referee judges nothing there).
    pub unzoned: BTreeSet<String>,
    /// Addresses a device forwards ports of (DNAT on a Linux edge's outside address): in
    /// no zone of their own that the referee would aim at, so it sends to them from every
    /// point.
    pub forwards: Vec<u32>,
}

pub fn point_key(dev: &str, ifname: &str) -> String {
    format!("{}:{}", dev, sanso::model::canon_ifname(ifname))
}

impl Truth {
    pub fn zone(&self, name: &str) -> usize {
        self.zones.iter().position(|z| z.name == name).unwrap()
    }
    pub fn host(&self, name: &str) -> usize {
        self.hosts.iter().position(|h| h.name == name).unwrap()
    }
    /// Longest-prefix zone of an address.
    pub fn zone_of(&self, ip: u32) -> Option<usize> {
        let mut best: Option<(u8, usize)> = None;
        for (i, z) in self.zones.iter().enumerate() {
            if in_net(ip, z.net, z.len) && best.is_none_or(|(l, _)| z.len > l) {
                best = Some((z.len, i));
            }
        }
        best.map(|b| b.1)
    }
    pub fn ep_zone(&self, e: Ep) -> usize {
        match e {
            Ep::Host(h) => self.hosts[h].zone,
            Ep::Zone(z) => z,
        }
    }
    pub fn ep_name(&self, e: Ep) -> &str {
        match e {
            Ep::Host(h) => &self.hosts[h].name,
            Ep::Zone(z) => &self.zones[z].name,
        }
    }
    /// Does address `ip` belong to endpoint `e` (host address, or the zone's region)?
    pub fn ep_has(&self, e: Ep, ip: u32) -> bool {
        match e {
            Ep::Host(h) => self.hosts[h].ip == ip,
            Ep::Zone(z) => self.zone_of(ip) == Some(z),
        }
    }
}

/// The J-ALERT segment (10.b.200.0/28: the firewall .1, the receiver .10).
fn jalert_net(b: u8) -> u32 {
    u32::from_be_bytes([10, b, 200, 0])
}
/// The J-ALERT distribution server on the Internet.
const JALERT_SERVER: u32 = u32::from_be_bytes([198, 51, 100, 80]);
/// A role host's MAC, from its name (stable under shrinking).
fn extra_mac(name: &str) -> [u8; 6] {
    let h = name
        .bytes()
        .fold(0u32, |a, c| a.wrapping_mul(31).wrapping_add(c as u32));
    let b = h.to_be_bytes();
    [0x00, 0x1b, 0x22, b[1], b[2], b[3]]
}

pub fn in_net(ip: u32, net: u32, len: u8) -> bool {
    len == 0 || (ip >> (32 - len)) == (net >> (32 - len))
}
fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len)
    }
}
pub fn ip(a: u32) -> String {
    std::net::Ipv4Addr::from(a).to_string()
}
fn dotted_mask(len: u8) -> String {
    ip(mask(len))
}
fn wildcard(len: u8) -> String {
    ip(!mask(len))
}
fn mac_u64(m: [u8; 6]) -> u64 {
    m.iter().fold(0u64, |a, &b| (a << 8) | b as u64)
}
fn mac_colon(m: [u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}
fn mac_cisco(m: [u8; 6]) -> String {
    format!(
        "{:02x}{:02x}.{:02x}{:02x}.{:02x}{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}
fn port_spec(p: &(u8, u16, u16)) -> String {
    let proto = match p.0 {
        6 => "tcp",
        17 => "udp",
        _ => "icmp",
    };
    if p.1 == p.2 {
        format!("{proto}/{}", p.1)
    } else {
        format!("{proto}/{}-{}", p.1, p.2)
    }
}

// ------------------------------------------------------------------ rendering

pub struct Rendered {
    pub files: BTreeMap<String, String>,
    /// topology.toml with every link (the truth); `files` may lack one (drop_link).
    pub full_topology: String,
    pub truth: Truth,
}

impl Rendered {
    pub fn write(&self, dir: &std::path::Path, full: bool) {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir.join("configs")).unwrap();
        for (n, t) in &self.files {
            let t = if full && n == "topology.toml" {
                &self.full_topology
            } else {
                t
            };
            // Linux devices are folders (configs/<device>/…).
            if let Some(parent) = dir.join(n).parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(dir.join(n), t).unwrap();
        }
    }
}

struct Cisco {
    name: String,
    head: String,
    vlans: BTreeSet<u16>,
    acls: Vec<(String, Vec<String>)>,
    ifs: Vec<String>,
    tail: String,
    next_port: u32,
    /// Rendered as AlliedWare Plus.
    awp: bool,
}

/// `A.B.C.D W.W.W.W` (address, wildcard) → `A.B.C.D/len`, as AW+ ACLs are usually written.
fn awp_entry(l: &str) -> String {
    let t: Vec<&str> = l.split_whitespace().collect();
    let mut out: Vec<String> = vec![];
    let mut i = 0;
    while i < t.len() {
        let a = t[i].parse::<std::net::Ipv4Addr>();
        let w = t
            .get(i + 1)
            .and_then(|x| x.parse::<std::net::Ipv4Addr>().ok());
        if let (Ok(a), Some(w)) = (a, w) {
            let len = u32::from(w).leading_zeros();
            out.push(format!("{a}/{len}"));
            i += 2;
        } else {
            out.push(t[i].to_string());
            i += 1;
        }
    }
    out.join(" ")
}

impl Cisco {
    fn new(name: &str, desc: &str) -> Cisco {
        Cisco {
            name: name.into(),
            head: format!("!\n! {name} {desc}\n!\nversion 15.2\nhostname {name}\n!\n"),
            vlans: BTreeSet::new(),
            acls: vec![],
            ifs: vec![],
            tail: String::new(),
            next_port: 1,
            awp: false,
        }
    }
    fn new_awp(name: &str, desc: &str) -> Cisco {
        Cisco {
            head: format!(
                "!\n! {name} {desc}\n!\nservice password-encryption\n!\nhostname {name}\n!\naaa authentication auth-mac default group radius\naaa authentication dot1x default group radius\n!\nspanning-tree mode rstp\n!\n"
            ),
            awp: true,
            ..Cisco::new(name, desc)
        }
    }
    fn acl(&mut self, name: &str, lines: Vec<String>) {
        self.acls.push((name.into(), lines));
    }
    fn render(&self, r: &mut Rng) -> String {
        let mut s = self.head.clone();
        let mut blocks: Vec<String> = vec![];
        let mut v = String::new();
        if self.awp {
            v.push_str("vlan database\n");
            for id in &self.vlans {
                let _ = writeln!(v, " vlan {id} name V{id}");
            }
        } else {
            for id in &self.vlans {
                let _ = writeln!(v, "vlan {id}\n name V{id}");
            }
        }
        v.push_str("!\n");
        blocks.push(v);
        for (n, lines) in &self.acls {
            let mut a = String::new();
            if self.awp {
                // Hardware ACL: what no entry matches is permitted, so the IOS implicit
                // deny is written out.
                let _ = writeln!(a, "access-list hardware {n}");
                for l in lines {
                    let _ = writeln!(a, " {}", awp_entry(l));
                }
                a.push_str(" deny ip any any\n");
            } else {
                let _ = writeln!(a, "ip access-list extended {n}");
                for (i, l) in lines.iter().enumerate() {
                    let _ = writeln!(a, " {} {l}", (i + 1) * 10);
                }
            }
            a.push_str("!\n");
            blocks.push(a);
        }
        // Order of blocks varies: VLANs/ACLs before or after interfaces.
        let ifs: String = self.ifs.concat();
        if r.chance(50) {
            for b in blocks {
                s.push_str(&b);
            }
            s.push_str(&ifs);
        } else {
            s.push_str(&ifs);
            for b in blocks {
                s.push_str(&b);
            }
        }
        s.push_str(&self.tail);
        s.push_str("end\n");
        s
    }
}

struct Ctx<'a> {
    t: &'a Town,
    r: Rng,
    truth: Truth,
    links: Vec<(String, String)>,
    files: BTreeMap<String, String>,
}

impl Ctx<'_> {
    fn ifname(&self, n: u32) -> String {
        match self.t.if_style {
            0 => format!("GigabitEthernet1/0/{n}"),
            1 => format!("GigabitEthernet0/{n}"),
            _ => format!("FastEthernet0/{n}"),
        }
    }
    fn topo_if(&self, n: &str) -> String {
        if !self.t.abbrev {
            return n.into();
        }
        n.replace("GigabitEthernet", "Gi")
            .replace("FastEthernet", "Fa")
    }
    fn link(&mut self, a: (&str, &str), b: (&str, &str)) {
        let a = format!("{}:{}", a.0, self.topo_if(a.1));
        let b = format!("{}:{}", b.0, self.topo_if(b.1));
        self.links.push((a, b));
    }
    fn host_link(&mut self, h: &str, d: &str, i: &str) {
        let b = format!("{d}:{}", self.topo_if(i));
        self.links.push((h.into(), b));
    }
}

/// Render a town: files and the ground truth.
pub fn render(t: &Town) -> Rendered {
    let mut cx = Ctx {
        t,
        r: Rng(t.shuffle | 1),
        truth: Truth::default(),
        links: vec![],
        files: BTreeMap::new(),
    };
    let b = t.b;
    // ---- zones
    for (s, site) in t.sites.iter().enumerate() {
        for ro in &site.roles {
            let (net, len) = t.net(s, *ro);
            cx.truth.zones.push(TZone {
                name: format!("{}-{}", site.name, ro.key()),
                tier: ro.tier(),
                kind: if matches!(ro, Role::MnTerm | Role::LgTerm | Role::InetTerm) {
                    "terminals".into()
                } else {
                    "servers".into()
                },
                net,
                len,
            });
        }
    }
    let ext = |name: &str, kind: &str, net: [u8; 4], len: u8| TZone {
        name: name.into(),
        tier: "external",
        kind: kind.into(),
        net: u32::from_be_bytes(net),
        len,
    };
    cx.truth
        .zones
        .push(ext("juki-net", "juki-net", [192, 168, t.juki, 0], 24));
    cx.truth
        .zones
        .push(ext("chukan", "chukan-server", [192, 168, t.chukan, 0], 24));
    cx.truth
        .zones
        .push(ext("lgwan", "lgwan", [172, 20, 0, 0], 16));
    cx.truth
        .zones
        .push(ext("the-internet", t.inet_kind, [0, 0, 0, 0], 0));
    if t.extras.jalert.is_some() {
        cx.truth.zones.push(TZone {
            name: "jalert-seg".into(),
            tier: "lgwan",
            kind: "jalert".into(),
            net: jalert_net(b),
            len: 28,
        });
    }
    // ---- hosts
    let zone_at =
        |cx: &Ctx, s: usize, ro: Role| cx.truth.zone(&format!("{}-{}", t.sites[s].name, ro.key()));
    for tk in &t.toks {
        let (net, _) = t.net(tk.site, tk.role);
        let z = zone_at(&cx, tk.site, tk.role);
        cx.truth.hosts.push(THost {
            name: tk.host.clone(),
            ip: net + tk.off,
            mac: Some(mac_u64(tk.mac)),
            zone: z,
            role: "server",
        });
    }
    let juki_srv = u32::from_be_bytes([192, 168, t.juki, 10]);
    let chukan_srv = u32::from_be_bytes([192, 168, t.chukan, 10]);
    let jz = cx.truth.zone("juki-net");
    let cz = cx.truth.zone("chukan");
    cx.truth.hosts.push(THost {
        name: "juki-net-server".into(),
        ip: juki_srv,
        mac: None,
        zone: jz,
        role: "server",
    });
    cx.truth.hosts.push(THost {
        name: "chukan-server".into(),
        ip: chukan_srv,
        mac: None,
        zone: cz,
        role: "server",
    });
    let lgmail = t.net(0, Role::LgSrv).0 + 5;
    let relay = t.net(0, Role::InetDmz).0 + 5;
    let vdi = t.net(0, Role::InetDmz).0 + 6;
    let mac_lgmail = [0x00, 0x1b, 0x21, 0x77, 0x00, 0x25];
    let mac_relay = [0x00, 0x1b, 0x21, 0x78, 0x00, 0x25];
    let mac_vdi = [0x00, 0x1b, 0x21, 0x78, 0x00, 0x50];
    if t.mugaika {
        let lz = zone_at(&cx, 0, Role::LgSrv);
        let iz = zone_at(&cx, 0, Role::InetDmz);
        for (n, a, m, z) in [
            ("lgwan-mail", lgmail, mac_lgmail, lz),
            ("mail-relay", relay, mac_relay, iz),
            ("vdi-gw", vdi, mac_vdi, iz),
        ] {
            cx.truth.hosts.push(THost {
                name: n.into(),
                ip: a,
                mac: Some(mac_u64(m)),
                zone: z,
                role: "server",
            });
        }
    }
    // Role hosts (after the others: 特定通信 sources keep their host indices).
    for u in &t.extras.updates {
        let z = zone_at(&cx, 0, u.zrole);
        cx.truth.hosts.push(THost {
            name: u.name.clone(),
            ip: t.net(0, u.zrole).0 + u.off,
            mac: Some(mac_u64(extra_mac(&u.name))),
            zone: z,
            role: u.role,
        });
    }
    for p in &t.extras.printers {
        let z = zone_at(&cx, p.site, p.zrole);
        cx.truth.hosts.push(THost {
            name: p.name.clone(),
            ip: t.net(p.site, p.zrole).0 + p.off,
            mac: Some(mac_u64(extra_mac(&p.name))),
            zone: z,
            role: "printer",
        });
    }
    if t.extras.jalert.is_some() {
        let jz = cx.truth.zone("jalert-seg");
        let iz = cx.truth.zone("the-internet");
        cx.truth.hosts.push(THost {
            name: "jalert-rx".into(),
            ip: jalert_net(b) + 10,
            mac: Some(mac_u64(extra_mac("jalert-rx"))),
            zone: jz,
            role: "jalert",
        });
        cx.truth.hosts.push(THost {
            name: "jalert-server".into(),
            ip: JALERT_SERVER,
            mac: None,
            zone: iz,
            role: "server",
        });
    }
    // ---- flows
    for (k, tk) in t.toks.iter().enumerate() {
        let to = match tk.dest {
            0 => Ep::Host(cx.truth.host("juki-net-server")),
            1 => Ep::Host(cx.truth.host("chukan-server")),
            _ => Ep::Zone(cz),
        };
        cx.truth.tokutei.push(TFlow {
            name: tk.name.clone(),
            from: Ep::Host(k),
            to,
            ports: tk.ports.clone(),
        });
    }
    if let Some(j) = &t.extras.jalert {
        let to = if j.to_zone {
            Ep::Zone(cx.truth.zone("the-internet"))
        } else {
            Ep::Host(cx.truth.host("jalert-server"))
        };
        cx.truth.tokutei.push(TFlow {
            name: "J-ALERT 受信".into(),
            from: Ep::Host(cx.truth.host("jalert-rx")),
            to,
            ports: j.ports.clone(),
        });
    }
    if t.mugaika {
        let lm = cx.truth.host("lgwan-mail");
        let rl = cx.truth.host("mail-relay");
        let vd = cx.truth.host("vdi-gw");
        cx.truth.mugaika.push(TFlow {
            name: "メール無害化（受信）".into(),
            from: Ep::Host(rl),
            to: Ep::Host(lm),
            ports: vec![(6, 25, 25)],
        });
        cx.truth.mugaika.push(TFlow {
            name: "メール無害化（送信）".into(),
            from: Ep::Host(lm),
            to: Ep::Host(rl),
            ports: vec![(6, 25, 25)],
        });
        for (s, site) in t.sites.iter().enumerate() {
            if site.roles.contains(&Role::LgTerm) {
                let z = zone_at(&cx, s, Role::LgTerm);
                cx.truth.mugaika.push(TFlow {
                    name: format!("画面転送 {}", site.name),
                    from: Ep::Zone(z),
                    to: Ep::Host(vd),
                    ports: vec![(6, 3389, 3389)],
                });
            }
        }
    }
    cx.truth.lgwan_allowed = t
        .lgwan_allowed
        .clone()
        .unwrap_or_else(|| DEFAULT_LGWAN.to_vec());

    // ---- firewall interface names
    let fwname = "fw-honcho";
    let core_port = |s: usize| -> String {
        if fw_agg_site(t, s) {
            format!("agg{}", s + 1)
        } else if t.fw_names == 0 {
            format!("port{}", s + 1)
        } else {
            format!("internal{}", s + 1)
        }
    };
    let ext_port = |k: usize| -> String {
        if t.fw_names == 0 {
            format!("port{}", 5 + k)
        } else {
            ["dmz1", "dmz2", "wan2", "wan1"][k].to_string()
        }
    };
    let p2p = |s: usize| u32::from_be_bytes([10, b, 250, (4 * s) as u8]);

    // ---- per-site Cisco devices
    let mut dropped: Option<usize> = None;
    if t.shape.drop_link {
        dropped = Some(cx.r.index(t.sites.len()));
    }
    for (s, _) in t.sites.iter().enumerate() {
        site_devices(
            &mut cx,
            s,
            (lgmail, relay, vdi),
            (mac_lgmail, mac_relay, mac_vdi),
        );
        let core = format!("{}-core", t.sites[s].name);
        let up = cx.ifname(24);
        let cp = core_port(s);
        if !fw_agg_site(t, s) {
            cx.link((&core, &up), (fwname, &cp));
        } else if cx.r.chance(50) {
            cx.link((&core, "Port-channel9"), (fwname, &cp));
        } else {
            let fm = fw_agg_members(s);
            cx.link((&core, &cx.ifname(23)), (fwname, &fm[0]));
            cx.link((&core, &up), (fwname, &fm[1]));
        }
    }
    let _ = p2p;

    // ---- FortiGate
    fortigate(&mut cx, fwname, &core_port, &ext_port, (lgmail, relay, vdi));
    if t.shape.rtx {
        rtx_lgwan_gw(&mut cx, fwname, &ext_port(2));
    }
    if t.linux.is_some() {
        linux_inet_gw(&mut cx, fwname, &ext_port(3), (relay, vdi));
    }
    if t.edge.is_some() {
        edge_inet_gw(&mut cx, fwname, &ext_port(3), relay);
    }

    // ---- inventory
    let mut inv = format!(
        "# verdict referee town {:#x} ({})\n[organization]\nname  = \"検証町 {:#x}\"\nmodel = \"alpha\"\n\n",
        t.seed,
        t.shape.name(),
        t.seed
    );
    if let Some(a) = &t.lgwan_allowed {
        let _ = writeln!(
            inv,
            "[lgwan]\nallowed = [{}]\n",
            a.iter()
                .map(|p| format!("\"{}\"", port_spec(p)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for (zi, z) in cx.truth.zones.iter().enumerate() {
        let _ = write!(
            inv,
            "[[zone]]\nname    = \"{}\"\ntier    = \"{}\"\nkind    = \"{}\"\nsubnets = [\"{}/{}\"]\n",
            z.name,
            z.tier,
            z.kind,
            ip(z.net),
            z.len
        );
        if t.shape.zone_vlans && z.tier != "external" && z.name != "jalert-seg" {
            // Zone `vlans`: the VLAN id the zone uses at its own site.
            let (s, ro) = zone_site_role(t, zi);
            let _ = writeln!(inv, "vlans   = [{}]", t.sites[s].vlan[&ro]);
        }
        inv.push('\n');
    }
    for h in &cx.truth.hosts {
        let _ = write!(
            inv,
            "[[host]]\nname = \"{}\"\nip   = \"{}\"\n",
            h.name,
            ip(h.ip)
        );
        if let Some(m) = h.mac {
            let b = m.to_be_bytes();
            let _ = writeln!(
                inv,
                "mac  = \"{}\"",
                mac_colon([b[2], b[3], b[4], b[5], b[6], b[7]])
            );
        }
        let _ = writeln!(
            inv,
            "zone = \"{}\"\nrole = \"{}\"\n",
            cx.truth.zones[h.zone].name, h.role
        );
    }
    for f in &cx.truth.tokutei {
        let _ = writeln!(
            inv,
            "[[tokutei]]\nname  = \"{}\"\nfrom  = \"{}\"\nto    = \"{}\"\nports = [{}]\n",
            f.name,
            cx.truth.ep_name(f.from),
            cx.truth.ep_name(f.to),
            f.ports
                .iter()
                .map(|p| format!("\"{}\"", port_spec(p)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for f in &cx.truth.mugaika {
        let _ = writeln!(
            inv,
            "[[mugaika]]\nname   = \"{}\"\nmethod = \"{}\"\nfrom   = \"{}\"\nto     = \"{}\"\nports  = [{}]\n",
            f.name,
            if f.ports[0].1 == 25 { "mail-text" } else { "screen-transfer" },
            cx.truth.ep_name(f.from),
            cx.truth.ep_name(f.to),
            f.ports
                .iter()
                .map(|p| format!("\"{}\"", port_spec(p)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // ---- topology (shuffled)
    let mut links = cx.links.clone();
    for i in (1..links.len()).rev() {
        let j = cx.r.index(i + 1);
        links.swap(i, j);
    }
    // The dropped site's core ↔ firewall link: every member pair of an aggregate.
    let topo = |skip: Option<&(String, String)>| {
        let mut s = String::from("# 物理・論理リンク\n");
        for l in &links {
            if skip.is_some_and(|k| {
                k.0.split(':').next() == l.0.split(':').next() && l.1.starts_with(fwname)
            }) {
                continue;
            }
            let _ = writeln!(s, "[[link]]\na = \"{}\"\nb = \"{}\"\n", l.0, l.1);
        }
        s
    };
    let full = topo(None);
    let drop = dropped.map(|s| {
        let core = format!("{}-core", t.sites[s].name);
        cx.links
            .iter()
            .find(|l| l.0.starts_with(&format!("{core}:")) && l.1.starts_with(fwname))
            .cloned()
            .unwrap()
    });
    cx.files.insert("topology.toml".into(), topo(drop.as_ref()));
    cx.files.insert("sanso.toml".into(), inv);
    for tk in &t.toks {
        for p in &tk.ports {
            cx.truth.ports.insert((p.0, p.1));
            cx.truth.ports.insert((p.0, p.2));
        }
    }
    Rendered {
        files: cx.files,
        full_topology: full,
        truth: cx.truth,
    }
}

fn zone_site_role(t: &Town, zi: usize) -> (usize, Role) {
    let mut k = 0;
    for (s, site) in t.sites.iter().enumerate() {
        for ro in &site.roles {
            if k == zi {
                return (s, *ro);
            }
            k += 1;
        }
    }
    unreachable!("internal zone index")
}

/// Core and access switches of one site.
fn site_devices(
    cx: &mut Ctx,
    s: usize,
    (lgmail, relay, vdi): (u32, u32, u32),
    (mac_lgmail, mac_relay, mac_vdi): ([u8; 6], [u8; 6], [u8; 6]),
) {
    let t = cx.t;
    let b = t.b;
    let site = &t.sites[s];
    let core_name = format!("{}-core", site.name);
    let mut core = Cisco::new(&core_name, "コア L3 スイッチ");
    let zone_of_role = |cx: &Ctx, ro: Role| cx.truth.zone(&format!("{}-{}", site.name, ro.key()));
    // Hosts to place at this site: (name, ip, mac, role, port security?, acl host-only?)
    struct Place {
        name: String,
        ip: u32,
        mac: [u8; 6],
        role: Role,
        portsec: bool,
    }
    let mut places: Vec<Place> = vec![];
    for (k, tk) in t.toks.iter().enumerate() {
        if tk.site == s {
            let (net, _) = t.net(s, tk.role);
            places.push(Place {
                name: tk.host.clone(),
                ip: net + tk.off,
                mac: tk.mac,
                role: tk.role,
                portsec: t.has(FaultKind::NoPortSecurity, k).is_none(),
            });
        }
    }
    if s == 0 && t.mugaika {
        places.push(Place {
            name: "lgwan-mail".into(),
            ip: lgmail,
            mac: mac_lgmail,
            role: Role::LgSrv,
            portsec: true,
        });
        places.push(Place {
            name: "mail-relay".into(),
            ip: relay,
            mac: mac_relay,
            role: Role::InetDmz,
            portsec: true,
        });
        places.push(Place {
            name: "vdi-gw".into(),
            ip: vdi,
            mac: mac_vdi,
            role: Role::InetDmz,
            portsec: true,
        });
    }
    for u in t.extras.updates.iter().filter(|_| s == 0) {
        places.push(Place {
            name: u.name.clone(),
            ip: t.net(0, u.zrole).0 + u.off,
            mac: extra_mac(&u.name),
            role: u.zrole,
            portsec: true,
        });
    }
    for p in t.extras.printers.iter().filter(|p| p.site == s) {
        places.push(Place {
            name: p.name.clone(),
            ip: t.net(s, p.zrole).0 + p.off,
            mac: extra_mac(&p.name),
            role: p.zrole,
            portsec: true,
        });
    }
    // Tokutei source addresses per role (others must not spoof them).
    let tok_ips = |ro: Role| -> Vec<u32> {
        t.toks
            .iter()
            .filter(|tk| tk.site == s && tk.role == ro)
            .map(|tk| t.net(s, ro).0 + tk.off)
            .collect()
    };
    // Switches: index 0 = core, 1.. = access.
    // In the `awplus` shape each access switch is AW+ or IOS, by the seed (not the
    // renderer's random stream, so IOS towns render as before).
    let awp_sw = |a: usize| t.shape.awplus && (t.seed >> ((s * 3 + a) % 61)) & 1 == 1;
    let mut access: Vec<Cisco> = (0..site.access)
        .map(|a| {
            let n = format!("{}-acc{}", site.name, a + 1);
            if awp_sw(a) {
                Cisco::new_awp(&n, "フロア L2 スイッチ (AlliedWare Plus)")
            } else {
                Cisco::new(&n, "フロア L2 スイッチ")
            }
        })
        .collect();
    let nsw = 1 + site.access;
    let awp: Vec<bool> = (0..nsw).map(|w| w > 0 && awp_sw(w - 1)).collect();
    let mut ports_on: Vec<Vec<String>> = vec![vec![]; nsw];
    let mut acl_names: Vec<Vec<(String, Vec<String>)>> = vec![vec![]; nsw];
    let mut truth_points: Vec<(usize, String, TPoint)> = vec![];
    let mut host_links: Vec<(String, usize, String)> = vec![];
    let mut next_port = vec![1u32; nsw];
    let port_of = |cx: &Ctx, w: usize, np: &mut Vec<u32>| -> String {
        let n = np[w];
        np[w] += 1;
        if awp[w] {
            format!("port1.0.{n}")
        } else {
            cx.ifname(n)
        }
    };
    let mut spoofers_done = false;
    for ro in &site.roles {
        let v = site.vlan[ro];
        let (net, len) = t.net(s, *ro);
        let z = zone_of_role(cx, *ro);
        // Hosts of this role.
        for pl in places.iter().filter(|p| p.role == *ro) {
            let w = cx.r.index(nsw);
            let pn = port_of(cx, w, &mut next_port);
            let acl = format!("H-{}-IN", pl.name.to_ascii_uppercase());
            acl_names[w].push((
                acl.clone(),
                vec![format!("permit ip host {} any", ip(pl.ip))],
            ));
            let mut p;
            if awp[w] {
                p = format!(
                    "interface {pn}\n description {}\n switchport\n switchport mode access\n switchport access vlan {v}\n",
                    pl.name
                );
                if pl.portsec {
                    // Only the host linked to the port (its registered MAC) is admitted:
                    // what the IOS static port-security MAC says.
                    p.push_str(" auth-mac enable\n");
                }
                let _ = writeln!(p, " access-group {acl}\n spanning-tree portfast\n!");
            } else {
                p = format!(
                    "interface {pn}\n description {}\n switchport access vlan {v}\n switchport mode access\n",
                    pl.name
                );
                if pl.portsec {
                    let _ = writeln!(
                        p,
                        " switchport port-security\n switchport port-security mac-address {}",
                        mac_cisco(pl.mac)
                    );
                }
                let _ = writeln!(p, " ip access-group {acl} in\n spanning-tree portfast\n!");
            }
            ports_on[w].push(p);
            let h = cx.truth.host(&pl.name);
            truth_points.push((
                w,
                pn.clone(),
                TPoint {
                    zone: z,
                    host: Some(h),
                    src_ip: pl.ip,
                    mac: mac_u64(pl.mac),
                },
            ));
            host_links.push((pl.name.clone(), w, pn));
        }
        // One free (terminal) port for the VLAN, anti-spoofing ACL.
        let protected = tok_ips(*ro);
        let spoof_fault = t.toks.iter().enumerate().any(|(k, tk)| {
            tk.site == s && tk.role == *ro && t.has(FaultKind::Spoofable, k).is_some()
        });
        let nfree = if spoof_fault && t.shape.spoof_portsec && !spoofers_done {
            3
        } else {
            1
        };
        for fi in 0..nfree {
            let w = cx.r.index(nsw);
            let pn = port_of(cx, w, &mut next_port);
            // The top of the subnet: clear of hosts (low offsets) and the gateway (.1).
            let natural = net + (1u32 << (32 - len)) - 2 - fi as u32;
            let mac = [0x00, 0x50, 0x56, s as u8, v as u8, fi as u8 + 1];
            let static_mac = cx.r.chance(30) || (spoof_fault && t.shape.spoof_portsec && fi == 0);
            let open = spoof_fault && (fi > 0 || !t.shape.spoof_portsec || nfree == 1);
            let open = open || (spoof_fault && t.shape.spoof_portsec && fi == 0);
            let mut p = if awp[w] {
                format!(
                    "interface {pn}\n description 端末 {}\n switchport\n switchport mode access\n switchport access vlan {v}\n",
                    ro.key()
                )
            } else {
                format!(
                    "interface {pn}\n description 端末 {}\n switchport access vlan {v}\n switchport mode access\n",
                    ro.key()
                )
            };
            let group = if awp[w] {
                " access-group"
            } else {
                " ip access-group"
            };
            let dir = if awp[w] { "" } else { " in" };
            if awp[w] {
                // AW+ port security limits how many MACs a port learns; it does not pin
                // one (no check depends on a free port's MAC: the spoofer sends with the
                // point's own MAC either way).
                if static_mac || cx.r.chance(50) {
                    p.push_str(
                        " switchport port-security\n switchport port-security maximum 1\n switchport port-security violation protect\n",
                    );
                }
            } else if static_mac {
                let _ = writeln!(
                    p,
                    " switchport port-security\n switchport port-security mac-address {}",
                    mac_cisco(mac)
                );
            } else if cx.r.chance(50) {
                p.push_str(
                    " switchport port-security\n switchport port-security mac-address sticky\n",
                );
            }
            if !open {
                let acl = format!("TERM-{}-IN", v);
                if !acl_names[w].iter().any(|a| a.0 == acl) {
                    let mut lines: Vec<String> = protected
                        .iter()
                        .map(|a| format!("deny   ip host {} any", ip(*a)))
                        .collect();
                    lines.push(format!("permit ip {} {} any", ip(net), wildcard(len)));
                    acl_names[w].push((acl.clone(), lines));
                }
                let _ = writeln!(p, "{group} {acl}{dir}");
            } else if cx.r.chance(50) {
                // A port ACL that does not help.
                let acl = format!("OPEN-{}-{}", v, fi);
                acl_names[w].push((acl.clone(), vec!["permit ip any any".into()]));
                let _ = writeln!(p, "{group} {acl}{dir}");
            }
            p.push_str("!\n");
            ports_on[w].push(p);
            truth_points.push((
                w,
                pn,
                TPoint {
                    zone: z,
                    host: None,
                    src_ip: natural,
                    mac: mac_u64(mac),
                },
            ));
        }
        if spoof_fault {
            spoofers_done = true;
        }
    }
    // Trunks core ↔ access switches.
    let mut vl: Vec<u16> = site.roles.iter().map(|r| site.vlan[r]).collect();
    vl.sort();
    let allowed = vl
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",");
    for a in 0..site.access {
        if t.shape.portchan && cx.r.chance(60) {
            let k = a as u32 + 1;
            etherchannel(
                cx,
                &mut core,
                &mut access[a],
                awp[a + 1],
                k,
                &allowed,
                &mut |cx| port_of(cx, 0, &mut next_port),
            );
            access[a].vlans.extend(vl.iter().copied());
            access[a].next_port = 0;
            continue;
        }
        let cp = port_of(cx, 0, &mut next_port);
        let acc_name = access[a].name.clone();
        // Sometimes no `switchport mode` on the core side: DTP forms the trunk with the
        // access switch's explicit trunk (sanso reads trunk settings as that trunk).
        let mode = if cx.r.chance(30) {
            ""
        } else {
            " switchport mode trunk\n"
        };
        core.ifs.push(format!(
            "interface {cp}\n description uplink {acc_name}\n switchport trunk encapsulation dot1q\n switchport trunk allowed vlan {allowed}\n{mode}!\n"
        ));
        let ap = if awp[a + 1] {
            // No untagged VLAN on either side: `native vlan none`, or the default native
            // VLAN 1, which the IOS side does not carry.
            let native = if cx.r.chance(50) {
                " switchport trunk native vlan none\n"
            } else {
                ""
            };
            let ap = "port1.0.48".to_string();
            access[a].ifs.push(format!(
                "interface {ap}\n description uplink {core_name}\n switchport\n switchport mode trunk\n switchport trunk allowed vlan add {allowed}\n{native}!\n"
            ));
            ap
        } else {
            let ap = cx.ifname(48 - if t.if_style == 2 { 24 } else { 0 });
            access[a].ifs.push(format!(
                "interface {ap}\n description uplink {core_name}\n switchport trunk encapsulation dot1q\n switchport trunk allowed vlan {allowed}\n switchport mode trunk\n!\n"
            ));
            ap
        };
        cx.link((&core_name, &cp), (&acc_name, &ap));
        access[a].vlans.extend(vl.iter().copied());
        access[a].next_port = 0;
    }
    // Ports and ACLs onto the switches; unused ports shut.
    for w in 0..nsw {
        let sw = if w == 0 {
            &mut core
        } else {
            &mut access[w - 1]
        };
        for p in &ports_on[w] {
            sw.ifs.push(p.clone());
        }
        for (n, l) in &acl_names[w] {
            sw.acl(n, l.clone());
        }
    }
    for (a, acc) in access.iter_mut().enumerate() {
        let used = next_port[a + 1];
        if acc.awp {
            if used <= 47 {
                acc.ifs
                    .push(format!("interface port1.0.{used}-1.0.47\n shutdown\n!\n"));
            }
            acc.ifs.push("interface vlan1\n shutdown\n!\n".into());
            continue;
        }
        let last = if t.if_style == 2 { 23 } else { 47 };
        if used <= last {
            acc.ifs.push(format!(
                "interface range {} - {last}\n shutdown\n!\n",
                cx.ifname(used)
            ));
        }
        acc.ifs
            .push("interface Vlan1\n no ip address\n shutdown\n!\n".into());
    }
    // Core: VLANs, SVIs with tier ACLs, uplink, routes.
    core.vlans.extend(vl.iter().copied());
    let used = next_port[0];
    if used <= 20 {
        core.ifs.push(format!(
            "interface range {} - 20\n shutdown\n!\n",
            cx.ifname(used)
        ));
    }
    let up = cx.ifname(24);
    let p2p = u32::from_be_bytes([10, b, 250, (4 * s) as u8]);
    if fw_agg_site(t, s) {
        core.ifs.push(format!(
            "interface Port-channel9\n description fw-honcho\n no switchport\n ip address {} 255.255.255.252\n!\n",
            ip(p2p + 1)
        ));
        for m in [cx.ifname(23), up.clone()] {
            core.ifs.push(format!(
                "interface {m}\n description fw-honcho\n no switchport\n no ip address\n channel-group 9 mode active\n!\n"
            ));
        }
    } else {
        core.ifs.push(format!(
            "interface {up}\n description fw-honcho\n no switchport\n ip address {} 255.255.255.252\n!\n",
            ip(p2p + 1)
        ));
    }
    for ro in &site.roles {
        let (net, len) = t.net(s, *ro);
        let v = site.vlan[ro];
        let others: Vec<(u32, u8)> = site
            .roles
            .iter()
            .filter(|o| o.tier() != ro.tier())
            .map(|o| t.net(s, *o))
            .collect();
        let own = format!("{} {}", ip(net), wildcard(len));
        // Declared 無害化 flows that start in this role (site 0 only).
        let mut mug_from: Vec<String> = vec![];
        let mut mug_into: Vec<String> = vec![];
        if t.mugaika && s == 0 {
            match ro {
                Role::LgSrv => mug_from.push(format!(
                    "permit tcp host {} host {} eq 25",
                    ip(lgmail),
                    ip(relay)
                )),
                Role::InetDmz => {
                    mug_from.push(format!(
                        "permit tcp host {} host {} eq 25",
                        ip(relay),
                        ip(lgmail)
                    ));
                    mug_into.push(format!(
                        "permit tcp host {} host {} eq 25",
                        ip(lgmail),
                        ip(relay)
                    ));
                    mug_into.push(format!(
                        "permit tcp {} {} host {} eq 3389",
                        ip(t.net(0, Role::LgTerm).0),
                        wildcard(t.net(0, Role::LgTerm).1),
                        ip(vdi)
                    ));
                }
                Role::LgTerm => mug_from.push(format!("permit tcp {own} host {} eq 3389", ip(vdi))),
                _ => {}
            }
            if *ro == Role::LgSrv {
                mug_into.push(format!(
                    "permit tcp host {} host {} eq 25",
                    ip(relay),
                    ip(lgmail)
                ));
            }
        }
        // Faults at the core of this site.
        let mut rogue_from: Vec<String> = vec![];
        let mut rogue_into: Vec<String> = vec![];
        if let Some(var) = t.has(FaultKind::RoguePermit, s) {
            if var % 2 == 0 && *ro == Role::MnTerm {
                if let Some(o) = site.roles.iter().find(|o| o.tier() != "mynumber") {
                    let (on, ol) = t.net(s, *o);
                    rogue_from.push(format!("permit ip {own} {} {}", ip(on), wildcard(ol)));
                }
            }
            if var % 2 == 0 && ro.tier() != "mynumber" && site.roles.contains(&Role::MnTerm) {
                let first_other = site.roles.iter().find(|o| o.tier() != "mynumber");
                if first_other == Some(ro) {
                    let (mn, ml) = t.net(s, Role::MnTerm);
                    rogue_into.push(format!("permit ip {} {} {own}", ip(mn), wildcard(ml)));
                }
            }
        }
        if let Some(var) = t.has(FaultKind::DirectSplit, s) {
            if var % 2 == 0 && *ro == Role::LgTerm && site.roles.contains(&Role::InetTerm) {
                let (inet, il) = t.net(s, Role::InetTerm);
                rogue_from.push(format!(
                    "permit tcp {own} {} {} eq 80",
                    ip(inet),
                    wildcard(il)
                ));
            }
            if var % 2 == 0 && *ro == Role::InetTerm && site.roles.contains(&Role::LgTerm) {
                let (lg, ll) = t.net(s, Role::LgTerm);
                rogue_into.push(format!(
                    "permit tcp {} {} {own} eq 80",
                    ip(lg),
                    wildcard(ll)
                ));
            }
        }
        // A printer of this site printed to from the other side through the core.
        for (i, pr) in t.extras.printers.iter().enumerate() {
            let Some(PrinterPath::Core(other)) = printer_path(t, i) else {
                continue;
            };
            if pr.site != s {
                continue;
            }
            let pip = ip(net_of(t, s, pr.zrole) + pr.off);
            let port = PRINT_PORTS[i % PRINT_PORTS.len()];
            cx.truth.ports.insert((6, port));
            if !site.acl_out && *ro == other {
                rogue_from.push(format!("permit tcp {own} host {pip} eq {port}"));
            }
            if site.acl_out && *ro == pr.zrole {
                let (on, ol) = t.net(s, other);
                rogue_into.push(format!(
                    "permit tcp {} {} host {pip} eq {port}",
                    ip(on),
                    wildcard(ol)
                ));
            }
        }
        let in_name = format!("{}-IN", ro.key().to_ascii_uppercase());
        let out_name = format!("{}-OUT", ro.key().to_ascii_uppercase());
        let mut svi = format!(
            "interface Vlan{v}\n description {}\n ip address {} {}\n",
            ro.key(),
            ip(net + 1),
            dotted_mask(len)
        );
        if !site.acl_out {
            let mut l = rogue_from.clone();
            l.extend(mug_from.clone());
            for (on, ol) in &others {
                l.push(format!("deny   ip any {} {}", ip(*on), wildcard(*ol)));
            }
            l.push(format!("permit ip {own} any"));
            core.acl(&in_name, l);
            let _ = writeln!(svi, " ip access-group {in_name} in");
        } else {
            core.acl(&in_name, vec![format!("permit ip {own} any")]);
            let mut l = rogue_into.clone();
            l.extend(mug_into.clone());
            for (on, ol) in &others {
                l.push(format!("deny   ip {} {} any", ip(*on), wildcard(*ol)));
            }
            l.push("permit ip any any".into());
            core.acl(&out_name, l);
            let _ = writeln!(
                svi,
                " ip access-group {in_name} in\n ip access-group {out_name} out"
            );
        }
        svi.push_str("!\n");
        core.ifs.push(svi);
    }
    core.tail = format!("ip route 0.0.0.0 0.0.0.0 {}\n!\n", ip(p2p + 2));
    // Truth: points and host links.
    let names: Vec<String> = std::iter::once(core_name.clone())
        .chain(access.iter().map(|a| a.name.clone()))
        .collect();
    for (w, pn, tp) in truth_points {
        cx.truth.points.insert(point_key(&names[w], &pn), tp);
    }
    for (h, w, pn) in host_links {
        let d = names[w].clone();
        cx.host_link(&h, &d, &pn);
    }
    let mut rr = Rng(cx.r.next() | 1);
    let text = core.render(&mut rr);
    cx.files.insert(format!("configs/{core_name}.cfg"), text);
    for a in &access {
        let text = a.render(&mut rr);
        cx.files.insert(format!("configs/{}.cfg", a.name), text);
    }
}

fn fortigate(
    cx: &mut Ctx,
    name: &str,
    core_port: &dyn Fn(usize) -> String,
    ext_port: &dyn Fn(usize) -> String,
    (lgmail, relay, vdi): (u32, u32, u32),
) {
    let t = cx.t;
    let b = t.b;
    let mut s = format!(
        "#config-version=FG100F-7.2.5-FW-build1517-230606:opmode=0:vdom=0:user=admin\nconfig system global\n    set hostname \"{name}\"\nend\n"
    );
    // Interfaces.
    let mut ifs: Vec<(String, String, String)> = vec![];
    for (si, site) in t.sites.iter().enumerate() {
        let p2p = u32::from_be_bytes([10, b, 250, (4 * si) as u8]);
        ifs.push((
            core_port(si),
            format!("{} 255.255.255.252", ip(p2p + 2)),
            format!("{}-core", site.name),
        ));
    }
    ifs.push((
        ext_port(0),
        format!("192.168.{}.1 255.255.255.0", t.juki),
        "住基ネット".into(),
    ));
    ifs.push((
        ext_port(1),
        format!("192.168.{}.1 255.255.255.0", t.chukan),
        "中間サーバ".into(),
    ));
    if t.lgwan_routed {
        ifs.push((
            ext_port(2),
            format!("172.31.{}.2 255.255.255.252", b),
            "LGWAN".into(),
        ));
    } else {
        ifs.push((ext_port(2), "172.20.0.1 255.255.0.0".into(), "LGWAN".into()));
    }
    ifs.push((
        ext_port(3),
        "203.0.113.2 255.255.255.252".into(),
        "インターネット".into(),
    ));
    let jport = if t.fw_names == 0 {
        "port9"
    } else {
        "internal7"
    };
    if t.extras.jalert.is_some() {
        ifs.push((
            jport.into(),
            format!("{} 255.255.255.240", ip(jalert_net(b) + 1)),
            "J-ALERT".into(),
        ));
    }
    s.push_str("config system interface\n");
    for si in (0..t.sites.len()).filter(|&si| fw_agg_site(t, si)) {
        for m in fw_agg_members(si) {
            let _ = writeln!(
                s,
                "    edit \"{m}\"\n        set vdom \"root\"\n        set type physical\n    next"
            );
        }
    }
    for (n, a, alias) in &ifs {
        let agg = (0..t.sites.len())
            .find(|&si| fw_agg_site(t, si) && core_port(si) == *n)
            .map(|si| {
                let [m1, m2] = fw_agg_members(si);
                format!("        set type aggregate\n        set member \"{m1}\" \"{m2}\"\n")
            })
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "    edit \"{n}\"\n        set vdom \"root\"\n{agg}        set ip {a}\n        set allowaccess ping\n        set alias \"{alias}\"\n    next"
        );
    }
    s.push_str("end\n");
    // Truth: external points.
    let zones = [
        ("juki-net", u32::from_be_bytes([192, 168, t.juki, 99])),
        ("chukan", u32::from_be_bytes([192, 168, t.chukan, 99])),
        ("lgwan", u32::from_be_bytes([172, 20, 9, 9])),
        ("the-internet", u32::from_be_bytes([198, 51, 100, 7])),
    ];
    for (k, (zn, natural)) in zones.iter().enumerate() {
        let z = cx.truth.zone(zn);
        cx.truth.points.insert(
            point_key(name, &ext_port(k)),
            TPoint {
                zone: z,
                host: None,
                src_ip: *natural,
                mac: 0x0000_5e00_5300 + k as u64,
            },
        );
    }
    // Addresses.
    let mut addrs: Vec<(String, String)> = vec![];
    let mut grp: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (si, site) in t.sites.iter().enumerate() {
        for ro in &site.roles {
            let (net, len) = t.net(si, *ro);
            let n = format!("{}-{}", site.name, ro.key());
            addrs.push((n.clone(), format!("{} {}", ip(net), dotted_mask(len))));
            grp.entry(format!("{}-{}", site.name, ro.tier()))
                .or_default()
                .push(n);
        }
    }
    for tk in &t.toks {
        let (net, len) = t.net(tk.site, tk.role);
        addrs.push((
            tk.host.clone(),
            format!("{} 255.255.255.255", ip(net + tk.off)),
        ));
        let _ = len;
    }
    addrs.push((
        "juki-net-server".into(),
        format!("192.168.{}.10 255.255.255.255", t.juki),
    ));
    addrs.push((
        "chukan-server".into(),
        format!("192.168.{}.10 255.255.255.255", t.chukan),
    ));
    addrs.push((
        "chukan-net".into(),
        format!("192.168.{}.0 255.255.255.0", t.chukan),
    ));
    addrs.push(("lgwan-net".into(), "172.20.0.0 255.255.0.0".into()));
    if t.mugaika {
        addrs.push((
            "lgwan-mail".into(),
            format!("{} 255.255.255.255", ip(lgmail)),
        ));
        addrs.push((
            "mail-relay".into(),
            format!("{} 255.255.255.255", ip(relay)),
        ));
        addrs.push(("vdi-gw".into(), format!("{} 255.255.255.255", ip(vdi))));
    }
    for u in &t.extras.updates {
        let a = t.net(0, u.zrole).0 + u.off;
        addrs.push((u.name.clone(), format!("{} 255.255.255.255", ip(a))));
    }
    for p in &t.extras.printers {
        let a = t.net(p.site, p.zrole).0 + p.off;
        addrs.push((p.name.clone(), format!("{} 255.255.255.255", ip(a))));
    }
    if t.extras.jalert.is_some() {
        addrs.push((
            "jalert-rx".into(),
            format!("{} 255.255.255.255", ip(jalert_net(b) + 10)),
        ));
        addrs.push((
            "jalert-server".into(),
            format!("{} 255.255.255.255", ip(JALERT_SERVER)),
        ));
    }
    s.push_str("config firewall address\n");
    for (n, sub) in &addrs {
        let _ = writeln!(s, "    edit \"{n}\"\n        set subnet {sub}\n    next");
    }
    s.push_str("end\n");
    s.push_str("config firewall addrgrp\n");
    for (g, m) in &grp {
        let _ = writeln!(
            s,
            "    edit \"{g}\"\n        set member {}\n    next",
            m.iter()
                .map(|x| format!("\"{x}\""))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    s.push_str("end\n");
    // Services.
    let mut svcs: Vec<(String, String)> = vec![];
    let spec_line = |ports: &[(u8, u16, u16)]| -> String {
        let mut tcp = vec![];
        let mut udp = vec![];
        for p in ports {
            let r = if p.1 == p.2 {
                p.1.to_string()
            } else {
                format!("{}-{}", p.1, p.2)
            };
            if p.0 == 6 {
                tcp.push(r)
            } else {
                udp.push(r)
            }
        }
        let mut l = String::new();
        if !tcp.is_empty() {
            let _ = writeln!(l, "        set tcp-portrange {}", tcp.join(" "));
        }
        if !udp.is_empty() {
            let _ = writeln!(l, "        set udp-portrange {}", udp.join(" "));
        }
        l
    };
    for (k, tk) in t.toks.iter().enumerate() {
        let mut ports = tk.ports.clone();
        if let Some(v) = t.has(FaultKind::LoosePort, k) {
            match v % 3 {
                0 => ports.push((6, 22, 22)),
                1 => {
                    let p = ports[0];
                    ports[0] = (p.0, p.1, p.2 + 1);
                }
                _ => ports.push((17, 161, 161)),
            }
        }
        for p in &ports {
            cx.truth.ports.insert((p.0, p.1));
            cx.truth.ports.insert((p.0, p.2));
        }
        svcs.push((format!("TOK-{}", k + 1), spec_line(&ports)));
    }
    svcs.push(("RDP-VDI".into(), "        set tcp-portrange 3389\n".into()));
    // The firewall's print service (only the ports written count as the network's).
    if (0..t.extras.printers.len()).any(|i| matches!(printer_path(t, i), Some(PrinterPath::Fw(..))))
    {
        svcs.push(("PRINT".into(), spec_line(&[(6, 9100, 9100), (6, 631, 631)])));
        cx.truth.ports.insert((6, 9100));
        cx.truth.ports.insert((6, 631));
    }
    if let Some(j) = &t.extras.jalert {
        svcs.push(("TOK-J".into(), spec_line(&j.ports)));
        for p in &j.ports {
            cx.truth.ports.insert((p.0, p.1));
            cx.truth.ports.insert((p.0, p.2));
        }
    }
    let lg_allowed = cx.truth.lgwan_allowed.clone();
    svcs.push(("LGWAN-SVC".into(), spec_line(&lg_allowed)));
    for p in &lg_allowed {
        cx.truth.ports.insert((p.0, p.1));
    }
    for p in [
        (6u8, 22u16),
        (17, 161),
        (6, 23),
        (6, 8080),
        (6, 25),
        (6, 3389),
        (6, 80),
    ] {
        cx.truth.ports.insert(p);
    }
    s.push_str("config firewall service custom\n");
    for (n, l) in &svcs {
        let _ = write!(s, "    edit \"{n}\"\n{l}    next\n");
    }
    s.push_str("end\n");
    // Policies.
    struct Pol {
        name: String,
        si: String,
        di: String,
        sa: String,
        da: String,
        svc: String,
        accept: bool,
        nat: bool,
    }
    let pol = |name: &str, si: String, di: String, sa: &str, da: &str, svc: &str| Pol {
        name: name.into(),
        si,
        di,
        sa: sa.into(),
        da: da.into(),
        svc: svc.into(),
        accept: true,
        nat: false,
    };
    let mut pols: Vec<Pol> = vec![];
    let mut early: Vec<Pol> = vec![];
    for (k, tk) in t.toks.iter().enumerate() {
        let src = if t.has(FaultKind::LooseSource, k).is_some() {
            format!("{}-{}", t.sites[tk.site].name, tk.role.key())
        } else {
            tk.host.clone()
        };
        let (di, da) = match tk.dest {
            0 => (ext_port(0), "juki-net-server"),
            1 => (ext_port(1), "chukan-server"),
            _ => (ext_port(1), "chukan-net"),
        };
        pols.push(pol(
            &tk.name,
            core_port(tk.site),
            di,
            &src,
            da,
            &format!("TOK-{}", k + 1),
        ));
    }
    for (si, site) in t.sites.iter().enumerate() {
        let has = |ro: Role| site.roles.contains(&ro);
        if has(Role::LgTerm) || has(Role::LgSrv) {
            let g = format!("{}-lgwan", site.name);
            let svc = match t.has(FaultKind::LgwanLeak, si) {
                Some(v) if v % 2 == 0 => "LGWAN-SVC\" \"TELNET".to_string(),
                Some(_) => "ALL".to_string(),
                None => "LGWAN-SVC".to_string(),
            };
            pols.push(pol(
                &format!("LGWAN {}", site.name),
                core_port(si),
                ext_port(2),
                &g,
                "lgwan-net",
                &svc,
            ));
        }
        if t.linux.is_some() || t.edge.is_some() {
            // The Internet edge filters the Internet line: the FortiGate hands it all.
            pols.push(pol(
                &format!("Internet {}", site.name),
                core_port(si),
                ext_port(3),
                "all",
                "all",
                "ALL",
            ));
        } else if has(Role::InetTerm) || has(Role::InetDmz) {
            let g = format!("{}-internet", site.name);
            pols.push(pol(
                &format!("Internet {}", site.name),
                core_port(si),
                ext_port(3),
                &g,
                "all",
                "ALL",
            ));
        }
        if let Some(v) = t.has(FaultKind::DirectSplit, si) {
            if v % 2 == 1 || !(has(Role::LgTerm) && has(Role::InetTerm)) {
                let g = format!("{}-lgwan", site.name);
                if has(Role::LgTerm) || has(Role::LgSrv) {
                    early.push(pol(
                        "調査用（一時）",
                        core_port(si),
                        ext_port(3),
                        &g,
                        "all",
                        "HTTP",
                    ));
                }
            }
        }
        if let Some(v) = t.has(FaultKind::MnUndeclared, si) {
            let g = format!("{}-mynumber", site.name);
            if has(Role::MnTerm) || has(Role::MnSrv) {
                let svc = if v % 2 == 0 { "ALL" } else { "SSH" };
                early.push(pol(
                    "保守（一時）",
                    core_port(si),
                    ext_port(0),
                    &g,
                    "all",
                    svc,
                ));
            }
        }
        if let Some(v) = t.has(FaultKind::DestToInternet, si) {
            early.push(pol(
                "外部連携先からインターネット（一時）",
                ext_port((v % 2) as usize),
                ext_port(3),
                "all",
                "all",
                "ALL",
            ));
        }
        if let Some(v) = t.has(FaultKind::InternetMaint, si) {
            let tier = if v % 2 == 0 && (has(Role::MnTerm) || has(Role::MnSrv)) {
                "mynumber"
            } else {
                "lgwan"
            };
            if site.roles.iter().any(|r| r.tier() == tier) {
                early.push(pol(
                    "リモート保守（一時）",
                    ext_port(3),
                    core_port(si),
                    "all",
                    &format!("{}-{tier}", site.name),
                    "SSH",
                ));
            }
        }
        if let Some(v) = t.has(FaultKind::LgwanExternal, si) {
            if has(Role::LgTerm) || has(Role::LgSrv) {
                early.push(pol(
                    "LGWAN から外部連携（一時）",
                    core_port(si),
                    ext_port((v % 2) as usize),
                    &format!("{}-lgwan", site.name),
                    "all",
                    "HTTPS",
                ));
            }
        }
        if let Some((ro, other)) = branch_fault(t, si) {
            // Site `si`'s zone of role `ro` reached from site `other` by the Internet line.
            let tier = ro.tier();
            early.push(pol(
                "拠点間（インターネット経由）",
                core_port(other),
                ext_port(3),
                &format!("{}-{tier}", t.sites[other].name),
                &format!("{}-{}", site.name, ro.key()),
                "ALL",
            ));
        }
        if let Some(v) = t.has(FaultKind::RoguePermit, si) {
            if v % 2 == 1 && (has(Role::MnTerm) || has(Role::MnSrv)) {
                // Cross-site (or back to the same core when alone): マイナンバー → LGWAN接続系.
                let other = (si + 1) % t.sites.len();
                let os = &t.sites[other];
                if os.roles.contains(&Role::LgTerm) && other != si {
                    let g = format!("{}-mynumber", site.name);
                    let dg = format!("{}-lgwan", os.name);
                    early.push(pol(
                        "拠点間（一時）",
                        core_port(si),
                        core_port(other),
                        &g,
                        &dg,
                        "ALL",
                    ));
                } else {
                    let g = format!("{}-mynumber", site.name);
                    early.push(pol(
                        "保守回線（一時）",
                        core_port(si),
                        ext_port(3),
                        &g,
                        "all",
                        "HTTPS",
                    ));
                }
            }
        }
        // Intra-tier between sites.
        for (oi, os) in t.sites.iter().enumerate() {
            if oi == si {
                continue;
            }
            for tier in ["mynumber", "lgwan", "internet"] {
                let a = site.roles.iter().any(|r| r.tier() == tier);
                let c = os.roles.iter().any(|r| r.tier() == tier);
                if a && c {
                    pols.push(pol(
                        &format!("{tier} {}→{}", site.name, os.name),
                        core_port(si),
                        core_port(oi),
                        &format!("{}-{tier}", site.name),
                        &format!("{}-{tier}", os.name),
                        "ALL",
                    ));
                }
            }
            if t.mugaika && oi == 0 && site.roles.contains(&Role::LgTerm) {
                pols.push(pol(
                    &format!("画面転送 {}", site.name),
                    core_port(si),
                    core_port(0),
                    &format!("{}-lg-terminals", site.name),
                    "vdi-gw",
                    "RDP-VDI",
                ));
            }
        }
    }
    if t.mugaika {
        pols.push(pol(
            "メール受信",
            ext_port(3),
            core_port(0),
            "all",
            "mail-relay",
            "SMTP",
        ));
        pols.push(pol(
            "LGWAN メール",
            ext_port(2),
            core_port(0),
            "lgwan-net",
            "lgwan-mail",
            "SMTP",
        ));
    }
    // Update servers: upstream on LGWAN (not the Internet), or a fault to the Internet.
    let site0 = &t.sites[0].name;
    for (i, u) in t.extras.updates.iter().enumerate() {
        if u.via_lgwan {
            pols.push(pol(
                &format!("{} 上位（LGWAN-ASP）", u.name),
                core_port(0),
                ext_port(2),
                &u.name,
                "lgwan-net",
                "HTTPS",
            ));
        }
        if let Some(v) = t.has(FaultKind::UpdateToInternet, i) {
            let group = format!("{site0}-{}", u.zrole.tier());
            let (sa, svc) = match v {
                0 => (u.name.as_str(), "HTTPS"),
                1 => (group.as_str(), "HTTP"),
                2 => (u.name.as_str(), "ALL"),
                _ => (group.as_str(), "HTTPS"),
            };
            early.push(pol(
                &format!("{} 更新（一時）", u.name),
                core_port(0),
                ext_port(3),
                sa,
                "all",
                svc,
            ));
        }
    }
    // Printers printed to from another site's tier of the other side.
    for (i, p) in t.extras.printers.iter().enumerate() {
        if let Some(PrinterPath::Fw(o, tier)) = printer_path(t, i) {
            early.push(pol(
                "印刷（一時）",
                core_port(o),
                core_port(p.site),
                &format!("{}-{tier}", t.sites[o].name),
                &p.name,
                "PRINT",
            ));
        }
    }
    // J-ALERT: its declared flow to the Internet, LGWAN, and the faults.
    if let Some(j) = &t.extras.jalert {
        let fault = t.has(FaultKind::DualHomedLeak, 0);
        let da = if j.to_zone { "all" } else { "jalert-server" };
        if j.policy || matches!(fault, Some(0 | 1)) {
            let (da, svc) = match fault {
                Some(0) => (da, "ALL"),
                Some(1) if j.to_zone => (da, "TOK-J\" \"SSH"),
                Some(1) => ("all", "TOK-J"),
                _ => (da, "TOK-J"),
            };
            pols.push(pol(
                "J-ALERT 受信",
                jport.into(),
                ext_port(3),
                "jalert-rx",
                da,
                svc,
            ));
        }
        if j.lgwan {
            pols.push(pol(
                "J-ALERT LGWAN",
                jport.into(),
                ext_port(2),
                "jalert-rx",
                "lgwan-net",
                "HTTPS",
            ));
        }
        match fault {
            Some(2) => early.push(pol(
                "J-ALERT 配信（一時）",
                jport.into(),
                core_port(0),
                "jalert-rx",
                &format!("{site0}-lgwan"),
                "ALL",
            )),
            Some(3) => early.push(pol(
                "J-ALERT 配信（一時）",
                jport.into(),
                core_port(0),
                "jalert-rx",
                &format!("{site0}-internet"),
                "HTTPS",
            )),
            _ => {}
        }
    }
    // Order: accept policies are disjoint in effect (shuffled); faults first.
    for i in (1..pols.len()).rev() {
        let j = cx.r.index(i + 1);
        pols.swap(i, j);
    }
    early.extend(pols);
    if cx.r.chance(50) {
        early.push(Pol {
            name: "deny-all".into(),
            si: "any".into(),
            di: "any".into(),
            sa: "all".into(),
            da: "all".into(),
            svc: "ALL".into(),
            accept: false,
            nat: false,
        });
    }
    if t.shape.fgt_nat {
        for p in early.iter_mut().filter(|p| p.accept) {
            p.nat = cx.r.chance(50);
        }
    }
    s.push_str("config firewall policy\n");
    for (i, p) in early.iter().enumerate() {
        let _ = writeln!(
            s,
            "    edit {}\n        set name \"{}\"\n        set srcintf \"{}\"\n        set dstintf \"{}\"\n        set action {}\n        set srcaddr \"{}\"\n        set dstaddr \"{}\"\n        set schedule \"always\"\n        set service \"{}\"\n{}        set logtraffic all\n    next",
            (i + 1) * 3,
            p.name,
            p.si,
            p.di,
            if p.accept { "accept" } else { "deny" },
            p.sa,
            p.da,
            p.svc,
            if p.nat { "        set nat enable\n" } else { "" }
        );
    }
    s.push_str("end\n");
    // Routes.
    s.push_str("config router static\n");
    let mut k = 1;
    for (si, _) in t.sites.iter().enumerate() {
        let p2p = u32::from_be_bytes([10, b, 250, (4 * si) as u8]);
        let _ = writeln!(
            s,
            "    edit {k}\n        set dst 10.{b}.{}.0 255.255.240.0\n        set gateway {}\n        set device \"{}\"\n    next",
            si * 16,
            ip(p2p + 1),
            core_port(si)
        );
        k += 1;
    }
    if t.lgwan_routed {
        let _ = writeln!(
            s,
            "    edit {k}\n        set dst 172.20.0.0 255.255.0.0\n        set gateway 172.31.{b}.1\n        set device \"{}\"\n    next",
            ext_port(2)
        );
        k += 1;
    }
    for (si, _) in t.sites.iter().enumerate() {
        if let Some((ro, _)) = branch_fault(t, si) {
            let (net, len) = t.net(si, ro);
            let _ = writeln!(
                s,
                "    edit {k}\n        set dst {} {}\n        set gateway 203.0.113.1\n        set device \"{}\"\n    next",
                ip(net),
                dotted_mask(len),
                ext_port(3)
            );
            k += 1;
        }
    }
    let _ = writeln!(
        s,
        "    edit {k}\n        set dst 0.0.0.0 0.0.0.0\n        set gateway 203.0.113.1\n        set device \"{}\"\n    next",
        ext_port(3)
    );
    s.push_str("end\n");
    cx.files.insert(format!("configs/{name}.conf"), s);
    if t.extras.jalert.is_some() {
        jalert_switch(cx, name, jport);
    }
}

/// The J-ALERT segment's access switch: the receiver's port (static port-security MAC)
/// and the untagged uplink to the firewall's J-ALERT port.
fn jalert_switch(cx: &mut Ctx, fwname: &str, jport: &str) {
    let t = cx.t;
    let name = "jalert-sw";
    let mut sw = Cisco::new(name, "J-ALERT L2 スイッチ");
    sw.vlans.insert(99);
    let up = cx.ifname(1);
    let hp = cx.ifname(2);
    let jip = jalert_net(t.b) + 10;
    let mac = extra_mac("jalert-rx");
    sw.ifs.push(format!(
        "interface {up}\n description uplink {fwname}\n switchport access vlan 99\n switchport mode access\n!\n"
    ));
    sw.ifs.push(format!(
        "interface {hp}\n description jalert-rx\n switchport access vlan 99\n switchport mode access\n switchport port-security\n switchport port-security mac-address {}\n ip access-group H-JALERT-IN in\n spanning-tree portfast\n!\n",
        mac_cisco(mac)
    ));
    sw.acl(
        "H-JALERT-IN",
        vec![format!("permit ip host {} any", ip(jip))],
    );
    sw.ifs.push(format!(
        "interface range {} - 8\n shutdown\n!\ninterface Vlan1\n no ip address\n shutdown\n!\n",
        cx.ifname(3)
    ));
    let mut rr = Rng(t.shuffle.rotate_left(7) | 1);
    let text = sw.render(&mut rr);
    cx.files.insert(format!("configs/{name}.cfg"), text);
    cx.link((name, &up), (fwname, jport));
    cx.host_link("jalert-rx", name, &hp);
    let jz = cx.truth.zone("jalert-seg");
    let h = cx.truth.host("jalert-rx");
    cx.truth.points.insert(
        point_key(name, &hp),
        TPoint {
            zone: jz,
            host: Some(h),
            src_ip: jip,
            mac: mac_u64(mac),
        },
    );
}

/// The RTX between the firewall's LGWAN port and LGWAN (`Shape::rtx`). Its own random
/// stream (from the seed), so the rest of the town renders as without it. The LGWAN
/// zone's point moves from the firewall port (now linked) to the RTX's lan2, where
/// 172.20.0.0/16 is connected.
fn rtx_lgwan_gw(cx: &mut Ctx, fwname: &str, fw_port: &str) {
    let t = cx.t;
    let b = t.b;
    let name = "lgwan-gw";
    let mut r = Rng(t.seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
    let internal = format!("10.{b}.0.0/16");
    let lg = "172.20.0.0/16";
    let site_net = |r: &mut Rng| {
        let s = r.index(t.sites.len());
        let site = &t.sites[s];
        let ro = site.roles[r.index(site.roles.len())];
        let (net, len) = t.net(s, ro);
        format!("{}/{len}", ip(net))
    };
    let mut ports: Vec<(u8, u16)> = vec![];
    let mut filters: Vec<String> = vec![];
    let mut next = 100u32;
    // One list: random entries, then a catch-all (pass, reject) or none (implicit
    // discard); dynamic filters only after a catch-all (else the binding is reported).
    let mut list = |r: &mut Rng,
                    outward: bool,
                    filters: &mut Vec<String>,
                    ports: &mut Vec<(u8, u16)>|
     -> String {
        let mut nums = vec![];
        let (here, there) = if outward {
            (internal.as_str(), lg)
        } else {
            (lg, internal.as_str())
        };
        for _ in 0..1 + r.below(5) {
            let act = r.pick(&[
                "pass",
                "pass",
                "reject",
                "restrict-nolog",
                "pass-log",
                "reject-nolog",
            ]);
            let src = match r.below(4) {
                0 => "*".to_string(),
                1 => here.to_string(),
                _ if outward => site_net(r),
                _ => here.to_string(),
            };
            let dst = match r.below(3) {
                0 => "*".to_string(),
                1 => there.to_string(),
                _ if !outward => site_net(r),
                _ => there.to_string(),
            };
            let body = match r.below(6) {
                0 => "* * *".to_string(),
                1 => "established * *".to_string(),
                2 => "icmp * *".to_string(),
                _ => {
                    let (p, pn) = r.pick(&[(6u8, "tcp"), (17, "udp"), (6, "tcp")]);
                    let port = r.pick(&[25u16, 53, 80, 123, 389, 443, 445, 636, 3389, 22]);
                    ports.push((p, port));
                    if r.chance(30) {
                        let hi = port + 1 + r.below(20) as u16;
                        ports.push((p, hi));
                        format!("{pn} * {port}-{hi}")
                    } else {
                        format!("{pn} * {port}")
                    }
                }
            };
            filters.push(format!("ip filter {next} {act} {src} {dst} {body}"));
            nums.push(next.to_string());
            next += 1;
        }
        // Catch-all: pass (half the lists, so traffic crosses), reject, or none.
        let catch_all = [0u64, 0, 1, 2][r.index(4)];
        if catch_all < 2 {
            let act = if catch_all == 0 { "pass" } else { "reject" };
            filters.push(format!("ip filter {next} {act} * * * * *"));
            nums.push(next.to_string());
            next += 1;
        }
        if catch_all < 2 && r.chance(30) {
            let d = r.pick(&["www", "domain", "smtp", "tcp", "udp"]);
            filters.push(format!("ip filter dynamic {next} * * {d}"));
            nums.push(format!("dynamic {next}"));
            next += 1;
        }
        nums.join(" ")
    };
    let mut c =
        String::from("# RTX1210 Rev.14.01.38 (Fri Jul 10 09:39:20 2020)\n# LGWAN 接続ルーター\n");
    let gw = format!("172.31.{b}.2");
    match r.below(3) {
        0 => {
            let _ = writeln!(c, "ip route default gateway {gw}");
        }
        1 => {
            let _ = writeln!(c, "ip route {internal} gateway {gw}");
        }
        _ => {
            let _ = writeln!(c, "ip route {internal} gateway {gw}");
            let _ = writeln!(c, "ip route 192.168.0.0/16 gateway {gw}");
        }
    }
    let _ = writeln!(c, "ip lan1 address 172.31.{b}.1/30");
    if r.chance(75) {
        let l = list(&mut r, true, &mut filters, &mut ports);
        let _ = writeln!(c, "ip lan1 secure filter in {l}");
    }
    let _ = writeln!(c, "ip lan2 address 172.20.0.1/16");
    if r.chance(75) {
        let l = list(&mut r, false, &mut filters, &mut ports);
        let _ = writeln!(c, "ip lan2 secure filter in {l}");
    }
    let nat = r.chance(40);
    if nat {
        c.push_str("ip lan2 nat descriptor 1\n");
    }
    for f in &filters {
        let _ = writeln!(c, "{f}");
    }
    if nat {
        c.push_str("nat descriptor type 1 masquerade\nnat descriptor address outer 1 primary\n");
    }
    c.push_str("syslog notice on\ntimezone +09:00\n");
    cx.files.insert(format!("configs/{name}.conf"), c);
    for p in ports {
        cx.truth.ports.insert(p);
    }
    cx.link((fwname, fw_port), (name, "lan1"));
    let lz = cx.truth.zone("lgwan");
    let old = cx.truth.points.remove(&point_key(fwname, fw_port));
    cx.truth.points.insert(
        point_key(name, "lan2"),
        TPoint {
            zone: lz,
            host: None,
            src_ip: u32::from_be_bytes([172, 20, 9, 9]),
            mac: old.map_or(0x0000_5e00_5302, |p| p.mac),
        },
    );
}

/// Printer ports (JetDirect, LPD, IPP).
const PRINT_PORTS: [u16; 3] = [9100, 515, 631];

fn net_of(t: &Town, s: usize, ro: Role) -> u32 {
    t.net(s, ro).0
}

/// How a SharedPrinter fault reaches printer `i`: an ACL line on its site's core from a
/// zone of the other side at that site, or a firewall policy from another site's tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrinterPath {
    Core(Role),
    Fw(usize, &'static str),
}

pub fn printer_path(t: &Town, i: usize) -> Option<PrinterPath> {
    let v = t.has(FaultKind::SharedPrinter, i)? as usize;
    let p = &t.extras.printers[i];
    let others: &[&str] = if p.zrole.tier() == "internet" {
        &["mynumber", "lgwan"]
    } else {
        &["internet"]
    };
    let same: Vec<Role> = t.sites[p.site]
        .roles
        .iter()
        .copied()
        .filter(|r| others.contains(&r.tier()))
        .collect();
    let mut cross: Vec<(usize, &'static str)> = vec![];
    for (o, site) in t.sites.iter().enumerate() {
        for tier in others {
            if o != p.site && site.roles.iter().any(|r| r.tier() == *tier) {
                cross.push((o, tier));
            }
        }
    }
    if (v.is_multiple_of(2) || cross.is_empty()) && !same.is_empty() {
        Some(PrinterPath::Core(same[(v / 2) % same.len()]))
    } else if !cross.is_empty() {
        let (o, tier) = cross[(v / 2) % cross.len()];
        Some(PrinterPath::Fw(o, tier))
    } else {
        None
    }
}

/// The BranchOverInternet fault at site `si`: the role whose subnet the firewall routes
/// out by the Internet line, and the other site whose same tier sends to it (none when
/// no other site has a zone of that tier).
fn branch_fault(t: &Town, si: usize) -> Option<(Role, usize)> {
    let v = t.has(FaultKind::BranchOverInternet, si)? as usize;
    let site = &t.sites[si];
    let ro = site.roles[v % site.roles.len()];
    if ro.tier() == "internet" {
        return None;
    }
    (0..t.sites.len())
        .filter(|&o| o != si && t.sites[o].roles.iter().any(|r| r.tier() == ro.tier()))
        .map(|o| (ro, o))
        .next()
}

/// Site `s` meets the FortiGate by an aggregate (`Shape::fw_agg`): three sites in four,
/// by a hash of the seed (the same answer for the core, the FortiGate and the links).
fn fw_agg_site(t: &Town, s: usize) -> bool {
    t.shape.fw_agg && (t.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) >> (20 + 2 * s)) & 3 != 0
}

/// The FortiGate's member ports of site `s`'s aggregate.
fn fw_agg_members(s: usize) -> [String; 2] {
    [format!("port{}", 11 + 2 * s), format!("port{}", 12 + 2 * s)]
}

/// A core ↔ access trunk as an EtherChannel `Port-channelK` (AW+ access side: `poK`) of
/// two member ports per side. Members carry the trunk settings (IOS keeps them equal to
/// the port-channel's); the port-channel stanza is written or left for the switch to
/// create; topology.toml names the port-channels or each member pair.
fn etherchannel(
    cx: &mut Ctx,
    core: &mut Cisco,
    acc: &mut Cisco,
    awp: bool,
    k: u32,
    allowed: &str,
    core_port: &mut dyn FnMut(&Ctx) -> String,
) {
    let (core_name, acc_name) = (core.name.clone(), acc.name.clone());
    let trunk = format!(
        " switchport trunk encapsulation dot1q\n switchport trunk allowed vlan {allowed}\n switchport mode trunk\n"
    );
    let cm: Vec<String> = (0..2).map(|_| core_port(cx)).collect();
    let ios_mode = |cx: &mut Ctx| -> &'static str {
        cx.r.pick(&[
            "active",
            "passive",
            "on",
            "desirable",
            "auto",
            "desirable non-silent",
        ])
    };
    let core_po = format!("Port-channel{k}");
    if cx.r.chance(70) {
        core.ifs.push(format!(
            "interface {core_po}\n description uplink {acc_name}\n{trunk}!\n"
        ));
    }
    for m in &cm {
        let mode = ios_mode(cx);
        core.ifs.push(format!(
            "interface {m}\n description uplink {acc_name}\n{trunk} channel-group {k} mode {mode}\n!\n"
        ));
    }
    let (acc_po, am): (String, Vec<String>) = if awp {
        let am = vec!["port1.0.47".to_string(), "port1.0.48".to_string()];
        let settings = format!(" switchport\n switchport mode trunk\n switchport trunk allowed vlan add {allowed}\n switchport trunk native vlan none\n");
        acc.ifs.push(format!(
            "interface po{k}\n description uplink {core_name}\n{settings}!\n"
        ));
        for m in &am {
            acc.ifs.push(format!(
                "interface {m}\n description uplink {core_name}\n{settings} channel-group {k} mode active\n!\n"
            ));
        }
        (format!("po{k}"), am)
    } else {
        let off = if cx.t.if_style == 2 { 24 } else { 0 };
        let am = vec![cx.ifname(47 - off), cx.ifname(48 - off)];
        let po = format!("Port-channel{k}");
        if cx.r.chance(70) {
            acc.ifs.push(format!(
                "interface {po}\n description uplink {core_name}\n{trunk}!\n"
            ));
        }
        for m in &am {
            let mode = ios_mode(cx);
            acc.ifs.push(format!(
                "interface {m}\n description uplink {core_name}\n{trunk} channel-group {k} mode {mode}\n!\n"
            ));
        }
        (po, am)
    };
    if cx.r.chance(50) {
        cx.link((&core_name, &core_po), (&acc_name, &acc_po));
    } else {
        for (c, a) in cm.iter().zip(&am) {
            cx.link((&core_name, c), (&acc_name, a));
        }
    }
}

/// A destination port match: `(proto, "lo[:hi]")`.
type Dport = Option<(&'static str, String)>;

/// One netfilter rule of the Linux edge, rendered as iptables-save or nftables text.
#[derive(Clone, Default)]
struct NfRule {
    iif: Option<String>,
    oif: Option<String>,
    src: Option<String>,
    dst: Option<String>,
    dport: Dport,
    est: bool,
    /// ACCEPT, DROP, REJECT, RETURN, or a chain to jump to (lower case in nft).
    verdict: String,
}

impl NfRule {
    fn ipt(&self, chain: &str) -> String {
        let mut s = format!("-A {chain}");
        if let Some(i) = &self.iif {
            let _ = write!(s, " -i {i}");
        }
        if let Some(o) = &self.oif {
            let _ = write!(s, " -o {o}");
        }
        if let Some(a) = &self.src {
            let _ = write!(s, " -s {a}");
        }
        if let Some(a) = &self.dst {
            let _ = write!(s, " -d {a}");
        }
        if let Some((p, ports)) = &self.dport {
            let _ = write!(s, " -p {p} -m {p} --dport {ports}");
        }
        if self.est {
            s.push_str(" -m conntrack --ctstate RELATED,ESTABLISHED");
        }
        let _ = write!(s, " -j {}", self.verdict);
        s
    }
    fn nft(&self) -> String {
        let mut v: Vec<String> = vec![];
        if let Some(i) = &self.iif {
            v.push(format!("iifname \"{i}\""));
        }
        if let Some(o) = &self.oif {
            v.push(format!("oifname \"{o}\""));
        }
        if let Some(a) = &self.src {
            v.push(format!("ip saddr {a}"));
        }
        if let Some(a) = &self.dst {
            v.push(format!("ip daddr {a}"));
        }
        if let Some((p, ports)) = &self.dport {
            v.push(format!("{p} dport {}", ports.replace(':', "-")));
        }
        if self.est {
            v.push("ct state established,related".into());
        }
        let verdict = match self.verdict.as_str() {
            "ACCEPT" | "DROP" | "REJECT" | "RETURN" => self.verdict.to_lowercase(),
            "MASQUERADE" => "masquerade".into(),
            c if c.starts_with("DNAT ") => format!("dnat to {}", &c[5..]),
            c if c.starts_with("SNAT ") => format!("snat to {}", &c[5..]),
            c => format!("jump {}", c.to_lowercase()),
        };
        v.push(verdict);
        v.join(" ")
    }
}

/// A port match of an edge rule: `(proto, lo, hi)`, `None` for any.
type EPort = Option<(u8, u16, u16)>;

/// What the Internet edge (Linux, ASA, SRX or PAN-OS) lets through, whatever its dialect.
struct EdgeRules {
    /// Outbound permits (inside → outside), all accepts: source prefix (`None`: any) and
    /// port.
    out: Vec<(Option<(u32, u8)>, EPort)>,
    /// Inbound maintenance permits (outside → inside): destination prefix and port.
    maint: Vec<((u32, u8), EPort)>,
    /// The final deny is missing: everything goes out (fault variant 2).
    open: bool,
}

/// The edge's permits: the インターネット接続系 subnets and the J-ALERT segment, the
/// FortiGate's planted faults that cross the Internet line, and the edge faults
/// ([`FaultKind::LinuxMnOut`], [`FaultKind::LinuxLgOut`]) inserted at random places.
fn edge_rules(t: &Town, r: &mut Rng) -> EdgeRules {
    let b = t.b;
    let internal = (u32::from_be_bytes([10, b, 0, 0]), 16u8);
    let mut out: Vec<(Option<(u32, u8)>, EPort)> = vec![];
    for (s, site) in t.sites.iter().enumerate() {
        for ro in &site.roles {
            if ro.tier() == "internet" {
                out.push((Some(t.net(s, *ro)), None));
            }
        }
    }
    if t.extras.jalert.is_some() {
        out.push((Some((jalert_net(b), 28)), None));
    }
    // The FortiGate's planted faults across the Internet line pass here too.
    let site_tier = |s: usize, tier: &str| -> Vec<(u32, u8)> {
        t.sites[s]
            .roles
            .iter()
            .filter(|ro| ro.tier() == tier)
            .map(|ro| t.net(s, *ro))
            .collect()
    };
    let mut maint = vec![];
    for (i, u) in t.extras.updates.iter().enumerate() {
        if t.has(FaultKind::UpdateToInternet, i).is_some() {
            out.push((Some((t.net(0, u.zrole).0 + u.off, 32)), None));
        }
    }
    for (si, site) in t.sites.iter().enumerate() {
        let has = |ro: Role| site.roles.contains(&ro);
        if let Some(v) = t.has(FaultKind::DestToInternet, si) {
            let x = if v % 2 == 0 { t.juki } else { t.chukan };
            out.push((Some((u32::from_be_bytes([192, 168, x, 0]), 24)), None));
        }
        if t.has(FaultKind::DirectSplit, si).is_some() {
            for n in site_tier(si, "lgwan") {
                out.push((Some(n), Some((6, 80, 80))));
            }
        }
        if let Some(v) = t.has(FaultKind::RoguePermit, si) {
            let other = (si + 1) % t.sites.len();
            let cross = t.sites[other].roles.contains(&Role::LgTerm) && other != si;
            if v % 2 == 1 && (has(Role::MnTerm) || has(Role::MnSrv)) && !cross {
                for n in site_tier(si, "mynumber") {
                    out.push((Some(n), Some((6, 443, 443))));
                }
            }
        }
        if t.has(FaultKind::InternetMaint, si).is_some() {
            maint.push((internal, Some((6, 22, 22))));
        }
    }
    let mut open = false;
    for f in &t.faults {
        match f.kind {
            FaultKind::LinuxMnOut => {
                let pos = r.index(out.len() + 1);
                match f.variant {
                    // (A shrunk town may have lost the site's tier: nothing to let out.)
                    0 => {
                        if let Some(n) = site_tier(f.at, "mynumber").first() {
                            out.insert(pos, (Some(*n), None));
                        }
                    }
                    1 => out.insert(pos, (Some(internal), None)),
                    2 => open = true,
                    _ => out.insert(pos, (None, None)),
                }
            }
            FaultKind::LinuxLgOut => {
                let pos = r.index(out.len() + 1);
                let Some(n) = site_tier(f.at, "lgwan").first().copied() else {
                    continue;
                };
                let e = match f.variant {
                    0 => (Some(n), None),
                    1 => (Some(n), Some((6, 443, 443))),
                    2 => (
                        Some((u32::from_be_bytes([10, b, (f.at * 16) as u8, 0]), 20)),
                        None,
                    ),
                    _ => (Some(n), Some((6, 80, 443))),
                };
                out.insert(pos, e);
            }
            _ => {}
        }
    }
    EdgeRules { out, maint, open }
}

/// The Linux firewall on the Internet line (`Shape::linux`): the FortiGate's Internet
/// port (203.0.113.2/30) leads to its inside interface (.1), the Internet is on its
/// outside interface (100.64.b.2/30, default route to the ISP's .1). The FortiGate hands
/// it every site's Internet traffic; its FORWARD chain lets out the インターネット接続系
/// subnets (and the J-ALERT segment), mirrors the FortiGate's planted faults that cross
/// the Internet line, and carries the Linux faults ([`FaultKind::LinuxMnOut`],
/// [`FaultKind::LinuxLgOut`]). The Internet zone's point moves to the outside interface;
/// the firewall's own stack is no zone's (`Truth::unzoned`): it declares no host, so its
/// `OUTPUT ACCEPT` packets are not tier traffic.
///
/// DNAT: to the mail relay in inet-dmz (インターネット接続系), and (InternetMaint, half the
/// seeds) a port forward of tcp/2222 to tcp/22 of a host in the maintained closed tier, the
/// direct path cut by a raw-table drop of 10/8 from outside. The referee judges the
/// destination as delivered, so the forwarded packet is traffic into that tier; it sends to
/// the outside address from every point (`Truth::forwards`).
fn linux_inet_gw(cx: &mut Ctx, fwname: &str, fw_port: &str, (relay, _vdi): (u32, u32)) {
    let t = cx.t;
    let l = t.linux.clone().expect("linux edge");
    let b = t.b;
    let name = "inet-gw";
    let (ifin, ifout) = match l.names {
        0 => ("eth0", "eth1"),
        1 => ("ens192", "ens224"),
        _ => ("enp1s0", "enp2s0"),
    };
    let out_ip = format!("100.64.{b}.2");
    let cidr = |net: u32, len: u8| format!("{}/{len}", ip(net));
    let internal = format!("10.{b}.0.0/16");
    let mut r = Rng(t.seed.wrapping_mul(0x94D0_49BB_1331_11EB) | 1);
    let e = edge_rules(t, &mut r);
    let forgot_drop = e.open;
    let dport = |p: EPort| -> Dport {
        p.map(|(pr, lo, hi)| {
            let pr = if pr == 6 { "tcp" } else { "udp" };
            if lo == hi {
                (pr, lo.to_string())
            } else {
                (pr, format!("{lo}:{hi}"))
            }
        })
    };
    let out: Vec<(Option<String>, Dport)> = e
        .out
        .iter()
        .map(|(src, p)| (src.map(|(n, len)| cidr(n, len)), dport(*p)))
        .collect();
    let inbound: Vec<NfRule> = e
        .maint
        .iter()
        .map(|((n, len), p)| NfRule {
            iif: Some(ifout.into()),
            oif: Some(ifin.into()),
            dst: Some(cidr(*n, *len)),
            dport: dport(*p),
            verdict: "ACCEPT".into(),
            ..Default::default()
        })
        .collect();
    // Half the time (InternetMaint) the maintenance comes in by a port forward (tcp/2222
    // on the outside address to tcp/22 of a host in the FortiGate's maintenance tier) and
    // a raw-table bogon filter drops packets from outside addressed to 10/8: the tier is
    // reached only as delivered, never as addressed.
    let mut maint_fwd: Option<u32> = None;
    for (si, site) in t.sites.iter().enumerate() {
        let Some(v) = t.has(FaultKind::InternetMaint, si) else {
            continue;
        };
        let has = |ro: Role| site.roles.contains(&ro);
        let tier = if v % 2 == 0 && (has(Role::MnTerm) || has(Role::MnSrv)) {
            "mynumber"
        } else {
            "lgwan"
        };
        if (t.seed >> 9) % 2 == 1 && maint_fwd.is_none() {
            if let Some(ro) = site.roles.iter().find(|ro| ro.tier() == tier) {
                maint_fwd = Some(t.net(si, *ro).0 + 5);
            }
        }
    }
    let fwd_drop = l.fwd_drop && !forgot_drop;
    let iif = l.in_match.then(|| ifin.to_string());
    let mut fwd: Vec<NfRule> = vec![NfRule {
        est: true,
        verdict: "ACCEPT".into(),
        ..Default::default()
    }];
    let mut user: Vec<NfRule> = vec![];
    let out_rules: Vec<NfRule> = out
        .iter()
        .map(|(src, dport)| NfRule {
            iif: if l.user_chain { None } else { iif.clone() },
            oif: if l.user_chain {
                None
            } else {
                Some(ifout.into())
            },
            src: src.clone(),
            dport: dport.clone(),
            verdict: "ACCEPT".into(),
            ..Default::default()
        })
        .collect();
    if l.user_chain {
        fwd.push(NfRule {
            iif: iif.clone(),
            oif: Some(ifout.into()),
            verdict: "INET_OUT".into(),
            ..Default::default()
        });
        user = out_rules;
        if r.chance(60) {
            user.push(NfRule {
                verdict: "RETURN".into(),
                ..Default::default()
            });
        }
    } else {
        fwd.extend(out_rules);
    }
    if t.mugaika {
        fwd.push(NfRule {
            iif: Some(ifout.into()),
            oif: Some(ifin.into()),
            dst: Some(format!("{}/32", ip(relay))),
            dport: Some(("tcp", "25".into())),
            verdict: "ACCEPT".into(),
            ..Default::default()
        });
    }
    fwd.extend(inbound);
    if !fwd_drop && !forgot_drop {
        fwd.push(NfRule {
            verdict: if l.reject { "REJECT" } else { "DROP" }.into(),
            ..Default::default()
        });
    }
    let input = vec![
        NfRule {
            iif: Some("lo".into()),
            verdict: "ACCEPT".into(),
            ..Default::default()
        },
        NfRule {
            est: true,
            verdict: "ACCEPT".into(),
            ..Default::default()
        },
        NfRule {
            iif: Some(ifin.into()),
            src: Some(internal.clone()),
            dport: Some(("tcp", "22".into())),
            verdict: "ACCEPT".into(),
            ..Default::default()
        },
    ];
    let mut pre: Vec<NfRule> = vec![];
    if l.dnat && t.mugaika {
        pre.push(NfRule {
            iif: Some(ifout.into()),
            dst: Some(format!("{out_ip}/32")),
            dport: Some(("tcp", "25".into())),
            verdict: format!("DNAT {}:25", ip(relay)),
            ..Default::default()
        });
    }
    let mut raw: Vec<NfRule> = vec![];
    if let Some(h) = maint_fwd {
        pre.push(NfRule {
            iif: Some(ifout.into()),
            dst: Some(format!("{out_ip}/32")),
            dport: Some(("tcp", "2222".into())),
            verdict: format!("DNAT {}:22", ip(h)),
            ..Default::default()
        });
        raw.push(NfRule {
            iif: Some(ifout.into()),
            dst: Some("10.0.0.0/8".into()),
            verdict: "DROP".into(),
            ..Default::default()
        });
    }
    let mut post: Vec<NfRule> = vec![];
    match l.snat {
        0 => post.push(NfRule {
            oif: Some(ifout.into()),
            verdict: "MASQUERADE".into(),
            ..Default::default()
        }),
        1 => post.push(NfRule {
            oif: Some(ifout.into()),
            verdict: format!("SNAT {out_ip}"),
            ..Default::default()
        }),
        _ => {}
    }
    let dir = format!("configs/{name}");
    if l.nft {
        let mut s = String::from("table inet filter {\n");
        let chain = |s: &mut String, n: &str, head: Option<&str>, rules: &[NfRule]| {
            let _ = writeln!(s, "\tchain {n} {{");
            if let Some(h) = head {
                let _ = writeln!(s, "\t\t{h}");
            }
            for ru in rules {
                let _ = writeln!(s, "\t\t{}", ru.nft());
            }
            s.push_str("\t}\n");
        };
        chain(
            &mut s,
            "input",
            Some("type filter hook input priority filter; policy drop;"),
            &input,
        );
        chain(
            &mut s,
            "forward",
            Some(if fwd_drop {
                "type filter hook forward priority filter; policy drop;"
            } else {
                "type filter hook forward priority filter; policy accept;"
            }),
            &fwd,
        );
        if l.user_chain {
            chain(&mut s, "inet_out", None, &user);
        }
        chain(
            &mut s,
            "output",
            Some("type filter hook output priority filter; policy accept;"),
            &[],
        );
        s.push_str("}\n");
        if !pre.is_empty() || !post.is_empty() {
            s.push_str("table ip nat {\n");
            chain(
                &mut s,
                "prerouting",
                Some("type nat hook prerouting priority dstnat; policy accept;"),
                &pre,
            );
            chain(
                &mut s,
                "postrouting",
                Some("type nat hook postrouting priority srcnat; policy accept;"),
                &post,
            );
            s.push_str("}\n");
        }
        if !raw.is_empty() {
            s.push_str("table ip raw {\n");
            chain(
                &mut s,
                "prerouting",
                Some("type filter hook prerouting priority raw; policy accept;"),
                &raw,
            );
            s.push_str("}\n");
        }
        cx.files.insert(format!("{dir}/ruleset.nft"), s);
    } else {
        let mut s = String::new();
        let stamp = "Mon Jun  2 09:00:00 2025";
        if !pre.is_empty() || !post.is_empty() {
            let _ = writeln!(s, "# Generated by iptables-save v1.8.7 on {stamp}\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]");
            for ru in &pre {
                let _ = writeln!(
                    s,
                    "{}",
                    ru.ipt("PREROUTING")
                        .replace("DNAT ", "DNAT --to-destination ")
                );
            }
            for ru in &post {
                let _ = writeln!(
                    s,
                    "{}",
                    ru.ipt("POSTROUTING").replace("SNAT ", "SNAT --to-source ")
                );
            }
            let _ = writeln!(s, "COMMIT\n# Completed on {stamp}");
        }
        if !raw.is_empty() {
            let _ = writeln!(s, "# Generated by iptables-save v1.8.7 on {stamp}\n*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]");
            for ru in &raw {
                let _ = writeln!(s, "{}", ru.ipt("PREROUTING"));
            }
            let _ = writeln!(s, "COMMIT\n# Completed on {stamp}");
        }
        let _ = writeln!(
            s,
            "# Generated by iptables-save v1.8.7 on {stamp}\n*filter\n:INPUT DROP [0:0]\n:FORWARD {} [0:0]\n:OUTPUT ACCEPT [0:0]",
            if fwd_drop { "DROP" } else { "ACCEPT" }
        );
        if l.user_chain {
            s.push_str(":INET_OUT - [0:0]\n");
        }
        for ru in &input {
            let _ = writeln!(s, "{}", ru.ipt("INPUT"));
        }
        for ru in &fwd {
            let _ = writeln!(s, "{}", ru.ipt("FORWARD"));
        }
        for ru in &user {
            let _ = writeln!(s, "{}", ru.ipt("INET_OUT"));
        }
        let _ = writeln!(s, "COMMIT\n# Completed on {stamp}");
        cx.files.insert(format!("{dir}/iptables.rules"), s);
    }
    // ip -j addr / ip -j route.
    let iface = |idx: u32, n: &str, a: &str, len: u8, mac: &str| {
        format!(
            "{{\"ifindex\":{idx},\"ifname\":\"{n}\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],\"mtu\":1500,\"qdisc\":\"fq_codel\",\"operstate\":\"UP\",\"group\":\"default\",\"txqlen\":1000,\"link_type\":\"ether\",\"address\":\"{mac}\",\"broadcast\":\"ff:ff:ff:ff:ff:ff\",\"addr_info\":[{{\"family\":\"inet\",\"local\":\"{a}\",\"prefixlen\":{len},\"scope\":\"global\",\"label\":\"{n}\",\"valid_life_time\":4294967295,\"preferred_life_time\":4294967295}}]}}"
        )
    };
    let lo = "{\"ifindex\":1,\"ifname\":\"lo\",\"flags\":[\"LOOPBACK\",\"UP\",\"LOWER_UP\"],\"mtu\":65536,\"qdisc\":\"noqueue\",\"operstate\":\"UNKNOWN\",\"group\":\"default\",\"txqlen\":1000,\"link_type\":\"loopback\",\"address\":\"00:00:00:00:00:00\",\"broadcast\":\"00:00:00:00:00:00\",\"addr_info\":[{\"family\":\"inet\",\"local\":\"127.0.0.1\",\"prefixlen\":8,\"scope\":\"host\",\"label\":\"lo\",\"valid_life_time\":4294967295,\"preferred_life_time\":4294967295}]}";
    let addr = format!(
        "[{lo},\n{},\n{}]\n",
        iface(
            2,
            ifin,
            "203.0.113.1",
            30,
            &format!("52:54:00:{b:02x}:00:01")
        ),
        iface(3, ifout, &out_ip, 30, &format!("52:54:00:{b:02x}:00:02"))
    );
    cx.files.insert(format!("{dir}/ip-addr.json"), addr);
    let mut routes = vec![
        format!("{{\"dst\":\"default\",\"gateway\":\"100.64.{b}.1\",\"dev\":\"{ifout}\",\"protocol\":\"static\",\"flags\":[]}}"),
        format!("{{\"dst\":\"{internal}\",\"gateway\":\"203.0.113.2\",\"dev\":\"{ifin}\",\"protocol\":\"static\",\"flags\":[]}}"),
        format!("{{\"dst\":\"100.64.{b}.0/30\",\"dev\":\"{ifout}\",\"protocol\":\"kernel\",\"scope\":\"link\",\"prefsrc\":\"{out_ip}\",\"flags\":[]}}"),
        format!("{{\"dst\":\"203.0.113.0/30\",\"dev\":\"{ifin}\",\"protocol\":\"kernel\",\"scope\":\"link\",\"prefsrc\":\"203.0.113.1\",\"flags\":[]}}"),
    ];
    if r.chance(50) {
        routes.push(format!("{{\"dst\":\"192.168.0.0/16\",\"gateway\":\"203.0.113.2\",\"dev\":\"{ifin}\",\"protocol\":\"static\",\"flags\":[]}}"));
    }
    cx.files.insert(
        format!("{dir}/ip-route.json"),
        format!("[{}]\n", routes.join(",\n")),
    );
    cx.files.insert(
        format!("{dir}/sysctl.txt"),
        format!("net.ipv4.ip_forward = {}\n", u8::from(l.ip_forward)),
    );
    for p in [(6u8, 22u16), (6, 25), (6, 80), (6, 443), (6, 2222)] {
        cx.truth.ports.insert(p);
    }
    if !pre.is_empty() {
        cx.truth.forwards.push(u32::from_be_bytes([100, 64, b, 2]));
    }
    cx.link((fwname, fw_port), (name, ifin));
    let iz = cx.truth.zone("the-internet");
    let old = cx.truth.points.remove(&point_key(fwname, fw_port));
    cx.truth.points.insert(
        point_key(name, ifout),
        TPoint {
            zone: iz,
            host: None,
            src_ip: u32::from_be_bytes([198, 51, 100, 7]),
            mac: old.map_or(0x0000_5e00_5303, |p| p.mac),
        },
    );
    cx.truth.unzoned.insert(point_key(name, sanso::net::LOCAL));
}

/// A configuration tree kept in insertion order: Junos statements (segments such as
/// `unit 0` or `address 10.0.0.1/24`) or PAN-OS nodes (words, `@name` for an `<entry>`).
#[derive(Default)]
struct CfgTree {
    kids: Vec<(String, CfgTree)>,
    /// PAN-OS: the node's text, or its `<member>` list.
    val: Option<Vec<String>>,
    members: bool,
}

impl CfgTree {
    fn node<S: AsRef<str>>(&mut self, path: &[S]) -> &mut CfgTree {
        let mut n = self;
        for seg in path {
            let seg = seg.as_ref();
            let i = match n.kids.iter().position(|(k, _)| k == seg) {
                Some(i) => i,
                None => {
                    n.kids.push((seg.to_string(), CfgTree::default()));
                    n.kids.len() - 1
                }
            };
            n = &mut n.kids[i].1;
        }
        n
    }
    /// A statement (Junos) or a valueless entry (PAN-OS).
    fn add<S: AsRef<str>>(&mut self, path: &[S]) {
        self.node(path);
    }
    /// PAN-OS: a text value.
    fn text<S: AsRef<str>>(&mut self, path: &[S], v: &str) {
        self.node(path).val = Some(vec![v.to_string()]);
    }
    /// PAN-OS: a member list.
    fn members<S: AsRef<str>>(&mut self, path: &[S], v: &[&str]) {
        let n = self.node(path);
        n.val = Some(v.iter().map(|s| s.to_string()).collect());
        n.members = true;
    }
    /// `set` lines (both dialects): one per leaf.
    fn set_lines(&self, prefix: &str, out: &mut String) {
        for (k, n) in &self.kids {
            let p = format!("{prefix} {}", k.trim_start_matches('@'));
            match &n.val {
                Some(v) if v.len() == 1 => {
                    let _ = writeln!(out, "{p} {}", v[0]);
                }
                Some(v) => {
                    let _ = writeln!(out, "{p} [ {} ]", v.join(" "));
                }
                None if n.kids.is_empty() => {
                    let _ = writeln!(out, "{p}");
                }
                None => n.set_lines(&p, out),
            }
        }
    }
    /// Junos hierarchical form.
    fn junos(&self, depth: usize, out: &mut String) {
        let ind = "    ".repeat(depth);
        for (k, n) in &self.kids {
            if n.kids.is_empty() {
                let _ = writeln!(out, "{ind}{k};");
            } else {
                let _ = writeln!(out, "{ind}{k} {{");
                n.junos(depth + 1, out);
                let _ = writeln!(out, "{ind}}}");
            }
        }
    }
    /// PAN-OS XML.
    fn xml(&self, depth: usize, out: &mut String) {
        let ind = "  ".repeat(depth);
        for (k, n) in &self.kids {
            let (open, close) = match k.strip_prefix('@') {
                Some(name) => (format!("entry name=\"{name}\""), "entry".to_string()),
                None => (k.clone(), k.clone()),
            };
            match &n.val {
                Some(v) if n.members => {
                    let m: String = v.iter().map(|x| format!("<member>{x}</member>")).collect();
                    let _ = writeln!(out, "{ind}<{open}>{m}</{close}>");
                }
                Some(v) => {
                    let _ = writeln!(out, "{ind}<{open}>{}</{close}>", v[0]);
                }
                None if n.kids.is_empty() => {
                    let _ = writeln!(out, "{ind}<{open}/>");
                }
                None => {
                    let _ = writeln!(out, "{ind}<{open}>");
                    n.xml(depth + 1, out);
                    let _ = writeln!(out, "{ind}</{close}>");
                }
            }
        }
    }
}

/// What every edge dialect renders: the rules ([`EdgeRules`]) and the addressing.
struct EdgePlan {
    rules: EdgeRules,
    /// The relay's inbound tcp/25 (メール無害化 in use).
    relay: Option<u32>,
    /// The relay's public address for the port forward (a second outside address).
    dnat: Option<u32>,
    /// A route for 192.168.0.0/16 back to the FortiGate too.
    route_192: bool,
}

/// The ASA / SRX / PAN-OS firewall on the Internet line (`Shape::edge`, issue 16), in the
/// Linux edge's place ([`linux_inet_gw`]): inside 203.0.113.1/30 towards the FortiGate,
/// outside 100.64.b.2/29 (ISP .1; .3 the relay's port forward), default route out, the
/// internal /16 back in. Outbound permits are the Linux edge's (source, port) list, the
/// rest denied (ASA: the inside ACL's implicit deny; SRX / PAN-OS: the default /
/// interzone deny); fault variant 2 ([`EdgeRules::open`]) is an ASA without an inside
/// ACL (the security-level default lets everything out) or a trailing permit-all policy
/// (SRX, PAN-OS). Inbound: tcp/25 to the relay, the InternetMaint ssh permits.
fn edge_inet_gw(cx: &mut Ctx, fwname: &str, fw_port: &str, relay: u32) {
    let t = cx.t;
    let e = t.edge.clone().expect("edge firewall");
    let b = t.b;
    let name = "inet-gw";
    let mut r = Rng(t.seed.wrapping_mul(0x94D0_49BB_1331_11EB) | 1);
    let rules = edge_rules(t, &mut r);
    let plan = EdgePlan {
        rules,
        relay: t.mugaika.then_some(relay),
        dnat: (e.dnat && t.mugaika).then_some(u32::from_be_bytes([100, 64, b, 3])),
        route_192: r.chance(50),
    };
    let (file, text, ifin, ifout) = match e.os {
        EdgeOs::Asa => {
            let (i, o) = if e.names == 0 {
                ("GigabitEthernet0/0", "GigabitEthernet0/1")
            } else {
                ("GigabitEthernet1/1", "GigabitEthernet1/2")
            };
            ("inet-gw.cfg", asa_edge(t, &e, &plan, (i, o)), i, o)
        }
        EdgeOs::Srx => {
            let (i, o) = if e.names == 0 {
                ("ge-0/0/0", "ge-0/0/1")
            } else {
                ("ge-0/0/2", "ge-0/0/3")
            };
            let text = srx_edge(t, &e, &plan, (i, o));
            let ext = if e.set_form { "set" } else { "conf" };
            (ext, text, i, o)
        }
        EdgeOs::Panos => {
            let (i, o) = if e.names == 0 {
                ("ethernet1/1", "ethernet1/2")
            } else {
                ("ethernet1/3", "ethernet1/4")
            };
            let text = panos_edge(t, &e, &plan, (i, o));
            let ext = if e.set_form { "txt" } else { "xml" };
            (ext, text, i, o)
        }
    };
    let file = if file.contains('.') {
        file.to_string()
    } else {
        format!("{name}.{file}")
    };
    cx.files.insert(format!("configs/{file}"), text);
    if let Some(d) = plan.dnat {
        cx.truth.forwards.push(d);
    }
    // Junos points are logical units.
    let unit = |i: &str| {
        if e.os == EdgeOs::Srx {
            format!("{i}.0")
        } else {
            i.to_string()
        }
    };
    for p in [(6u8, 22u16), (6, 25), (6, 80), (6, 443)] {
        cx.truth.ports.insert(p);
    }
    cx.link((fwname, fw_port), (name, &unit(ifin)));
    let iz = cx.truth.zone("the-internet");
    let old = cx.truth.points.remove(&point_key(fwname, fw_port));
    cx.truth.points.insert(
        point_key(name, &unit(ifout)),
        TPoint {
            zone: iz,
            host: None,
            src_ip: u32::from_be_bytes([198, 51, 100, 7]),
            mac: old.map_or(0x0000_5e00_5303, |p| p.mac),
        },
    );
    cx.truth.unzoned.insert(point_key(name, sanso::net::LOCAL));
}

/// ASA port names as `show running-config` prints them.
fn asa_port(p: u16) -> String {
    match p {
        22 => "ssh".into(),
        25 => "smtp".into(),
        80 => "www".into(),
        443 => "https".into(),
        p => p.to_string(),
    }
}

/// `proto src dst [eq|range …]` of an ASA ACE (destination `any`).
fn asa_ace(src: &str, dst: &str, p: EPort) -> String {
    match p {
        None => format!("ip {src} {dst}"),
        Some((pr, lo, hi)) => {
            let pr = if pr == 6 { "tcp" } else { "udp" };
            if lo == hi {
                format!("{pr} {src} {dst} eq {}", asa_port(lo))
            } else {
                format!("{pr} {src} {dst} range {} {}", asa_port(lo), asa_port(hi))
            }
        }
    }
}

fn asa_edge(t: &Town, e: &EdgeFw, plan: &EdgePlan, (ifin, ifout): (&str, &str)) -> String {
    let b = t.b;
    let net = |(n, len): (u32, u8)| format!("{} {}", ip(n), dotted_mask(len));
    let mut s = format!(
        ": Saved\n:\n: Hardware:   ASA5516, 8192 MB RAM\n:\nASA Version 9.16(4)\n!\nhostname inet-gw\nnames\n!\n\
         interface {ifin}\n description fw-honcho\n nameif inside\n security-level 100\n ip address 203.0.113.1 255.255.255.252\n!\n\
         interface {ifout}\n description Internet\n nameif outside\n security-level 0\n ip address 100.64.{b}.2 255.255.255.248\n!\n"
    );
    let mut objs = String::new();
    let mut acl_in: Vec<String> = vec![];
    if e.objects {
        // Permits only: grouping the sources of one port changes nothing.
        let mut ports: Vec<EPort> = vec![];
        for (_, p) in &plan.rules.out {
            if !ports.contains(p) {
                ports.push(*p);
            }
        }
        for (k, p) in ports.iter().enumerate() {
            let srcs: Vec<Option<(u32, u8)>> = plan
                .rules
                .out
                .iter()
                .filter(|(_, q)| q == p)
                .map(|(a, _)| *a)
                .collect();
            let src = if srcs.contains(&None) {
                "any".to_string()
            } else {
                let g = format!("INET-OUT-{}", k + 1);
                let _ = writeln!(objs, "object-group network {g}");
                for a in srcs.iter().flatten() {
                    if a.1 == 32 {
                        let _ = writeln!(objs, " network-object host {}", ip(a.0));
                    } else {
                        let _ = writeln!(objs, " network-object {}", net(*a));
                    }
                }
                format!("object-group {g}")
            };
            acl_in.push(asa_ace(&src, "any", *p));
        }
    } else {
        for (a, p) in &plan.rules.out {
            let src = match a {
                None => "any".to_string(),
                Some((n, 32)) => format!("host {}", ip(*n)),
                Some(a) => net(*a),
            };
            acl_in.push(asa_ace(&src, "any", *p));
        }
    }
    let mut acl_out: Vec<String> = vec![];
    if let Some(rl) = plan.relay {
        let _ = writeln!(objs, "object network mail-relay\n host {}", ip(rl));
        acl_out.push(asa_ace("any", "object mail-relay", Some((6, 25, 25))));
    }
    for (d, p) in &plan.rules.maint {
        acl_out.push(asa_ace("any", &net(*d), *p));
    }
    if e.snat {
        let _ = writeln!(
            objs,
            "object network inside-nets\n subnet 10.{b}.0.0 255.255.0.0"
        );
    }
    s.push_str(&objs);
    // No inside ACL (fault): the security-level default lets everything out.
    let inside_acl = !plan.rules.open;
    if inside_acl {
        let _ = writeln!(s, "access-list INSIDE_IN remark インターネット接続系のみ");
        for l in &acl_in {
            let _ = writeln!(s, "access-list INSIDE_IN extended permit {l}");
        }
        if e.final_deny {
            let _ = writeln!(s, "access-list INSIDE_IN extended deny ip any any log");
        }
    }
    for l in &acl_out {
        let _ = writeln!(s, "access-list OUTSIDE_IN extended permit {l}");
    }
    let _ = writeln!(s, "pager lines 24\nlogging enable\nmtu inside 1500\nmtu outside 1500\nicmp unreachable rate-limit 1 burst-size 1\narp timeout 14400");
    // Object NAT sits under the objects, printed after the access lists.
    if let Some(m) = plan.dnat {
        let _ = writeln!(
            s,
            "object network mail-relay\n nat (inside,outside) static {} service tcp smtp smtp",
            ip(m)
        );
    }
    if e.snat {
        let _ = writeln!(
            s,
            "object network inside-nets\n nat (inside,outside) dynamic interface"
        );
    }
    if inside_acl {
        let _ = writeln!(s, "access-group INSIDE_IN in interface inside");
    }
    if !acl_out.is_empty() {
        let _ = writeln!(s, "access-group OUTSIDE_IN in interface outside");
    }
    let _ = writeln!(
        s,
        "route outside 0.0.0.0 0.0.0.0 100.64.{b}.1 1\nroute inside 10.{b}.0.0 255.255.0.0 203.0.113.2 1"
    );
    if plan.route_192 {
        let _ = writeln!(s, "route inside 192.168.0.0 255.255.0.0 203.0.113.2 1");
    }
    s.push_str("timeout xlate 3:00:00\ntimeout conn 1:00:00\nssh 10.0.0.0 255.0.0.0 inside\nssh timeout 5\n!\nclass-map inspection_default\n match default-inspection-traffic\n!\npolicy-map global_policy\n class inspection_default\n  inspect dns\n  inspect icmp\n!\nservice-policy global_policy global\nprompt hostname context\nCryptochecksum:00000000000000000000000000000000\n: end\n");
    s
}

/// A Junos application for a port: predefined where Junos has one.
fn srx_app(p: EPort, apps: &mut Vec<String>, tree: &mut CfgTree) -> String {
    match p {
        None => "any".into(),
        Some((6, 22, 22)) => "junos-ssh".into(),
        Some((6, 25, 25)) => "junos-smtp".into(),
        Some((6, 80, 80)) => "junos-http".into(),
        Some((6, 443, 443)) => "junos-https".into(),
        Some((pr, lo, hi)) => {
            let prn = if pr == 6 { "tcp" } else { "udp" };
            let n = format!("{prn}-{lo}-{hi}");
            if !apps.contains(&n) {
                apps.push(n.clone());
                let dp = if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                };
                tree.add(&[
                    "applications",
                    &format!("application {n}"),
                    &format!("protocol {prn}"),
                ]);
                tree.add(&[
                    "applications",
                    &format!("application {n}"),
                    &format!("destination-port {dp}"),
                ]);
            }
            n
        }
    }
}

fn srx_edge(t: &Town, e: &EdgeFw, plan: &EdgePlan, (ifin, ifout): (&str, &str)) -> String {
    let b = t.b;
    let cidr = |(n, len): (u32, u8)| format!("{}/{len}", ip(n));
    let aname = |(n, len): (u32, u8)| format!("net-{}-{len}", ip(n).replace('.', "-"));
    let mut c = CfgTree::default();
    c.add(&["system", "host-name inet-gw"]);
    c.add(&[
        "interfaces",
        ifin,
        "unit 0",
        "family inet",
        "address 203.0.113.1/30",
    ]);
    c.add(&[
        "interfaces",
        ifout,
        "unit 0",
        "family inet",
        &format!("address 100.64.{b}.2/29"),
    ]);
    let rt = "routing-options";
    c.add(&[
        rt,
        "static",
        "route 0.0.0.0/0",
        &format!("next-hop 100.64.{b}.1"),
    ]);
    c.add(&[
        rt,
        "static",
        &format!("route 10.{b}.0.0/16"),
        "next-hop 203.0.113.2",
    ]);
    if plan.route_192 {
        c.add(&[rt, "static", "route 192.168.0.0/16", "next-hop 203.0.113.2"]);
    }
    let zone = |z: &str| format!("security-zone {z}");
    c.add(&[
        "security",
        "zones",
        &zone("trust"),
        "interfaces",
        &format!("{ifin}.0"),
    ]);
    c.add(&[
        "security",
        "zones",
        &zone("untrust"),
        "interfaces",
        &format!("{ifout}.0"),
    ]);
    // Address book entries: the global book, or the zone's own.
    let mut book: Vec<String> = vec![];
    let mut addr = |c: &mut CfgTree, z: &str, a: (u32, u8)| -> String {
        let n = aname(a);
        if !book.contains(&n) {
            book.push(n.clone());
            let stmt = format!("address {n} {}", cidr(a));
            if e.objects {
                c.add(&["security", "address-book", "global", &stmt]);
            } else {
                c.add(&["security", "zones", &zone(z), "address-book", &stmt]);
            }
        }
        n
    };
    let mut apps: Vec<String> = vec![];
    // (from, to, name, source, destination, application), all permits.
    let mut pols: Vec<(&str, &str, String, String, String, String)> = vec![];
    for (k, (a, p)) in plan.rules.out.iter().enumerate() {
        let src = a.map_or("any".to_string(), |a| addr(&mut c, "trust", a));
        let app = srx_app(*p, &mut apps, &mut c);
        pols.push((
            "trust",
            "untrust",
            format!("out-{}", k + 1),
            src,
            "any".into(),
            app,
        ));
    }
    if plan.rules.open {
        pols.push((
            "trust",
            "untrust",
            "temp-any".into(),
            "any".into(),
            "any".into(),
            "any".into(),
        ));
    }
    if let Some(rl) = plan.relay {
        let d = addr(&mut c, "trust", (rl, 32));
        pols.push((
            "untrust",
            "trust",
            "mail-in".into(),
            "any".into(),
            d,
            "junos-smtp".into(),
        ));
    }
    for (k, (d, p)) in plan.rules.maint.iter().enumerate() {
        let d = addr(&mut c, "trust", *d);
        let app = srx_app(*p, &mut apps, &mut c);
        pols.push((
            "untrust",
            "trust",
            format!("maint-{}", k + 1),
            "any".into(),
            d,
            app,
        ));
    }
    for (from, to, n, src, dst, app) in &pols {
        let pair = format!("from-zone {from} to-zone {to}");
        let pol = format!("policy {n}");
        let base = ["security", "policies", pair.as_str(), pol.as_str()];
        let with = |x: &[&str]| -> Vec<String> {
            base.iter().chain(x.iter()).map(|s| s.to_string()).collect()
        };
        for path in [
            with(&["match", &format!("source-address {src}")]),
            with(&["match", &format!("destination-address {dst}")]),
            with(&["match", &format!("application {app}")]),
            with(&["then", "permit"]),
        ] {
            let v: Vec<&str> = path.iter().map(String::as_str).collect();
            c.add(&v);
        }
    }
    if e.final_deny {
        let g = ["security", "policies", "global", "policy deny-all"];
        for x in [
            ["match", "source-address any"],
            ["match", "destination-address any"],
            ["match", "application any"],
            ["then", "deny"],
        ] {
            let v: Vec<&str> = g.iter().chain(x.iter()).copied().collect();
            c.add(&v);
        }
    }
    if e.snat {
        let rs = ["security", "nat", "source", "rule-set trust-to-untrust"];
        let v: Vec<&str> = rs.iter().copied().chain(["from zone trust"]).collect();
        c.add(&v);
        let v: Vec<&str> = rs.iter().copied().chain(["to zone untrust"]).collect();
        c.add(&v);
        let src = format!("source-address 10.{b}.0.0/16");
        let v: Vec<&str> = rs
            .iter()
            .copied()
            .chain(["rule snat", "match", src.as_str()])
            .collect();
        c.add(&v);
        let v: Vec<&str> = rs
            .iter()
            .copied()
            .chain(["rule snat", "then", "source-nat", "interface"])
            .collect();
        c.add(&v);
    }
    if let (Some(m), Some(rl)) = (plan.dnat, plan.relay) {
        let pool = ["security", "nat", "destination", "pool mail-relay"];
        let a = format!("address {}/32", ip(rl));
        let v: Vec<&str> = pool.iter().copied().chain([a.as_str()]).collect();
        c.add(&v);
        let rs = ["security", "nat", "destination", "rule-set from-internet"];
        let v: Vec<&str> = rs.iter().copied().chain(["from zone untrust"]).collect();
        c.add(&v);
        let d = format!("destination-address {}/32", ip(m));
        for x in [
            ["rule smtp", "match", d.as_str()],
            ["rule smtp", "match", "destination-port 25"],
            ["rule smtp", "match", "protocol tcp"],
            ["rule smtp", "then", "destination-nat pool mail-relay"],
        ] {
            let v: Vec<&str> = rs.iter().chain(x.iter()).copied().collect();
            c.add(&v);
        }
    }
    let mut s = String::new();
    if e.set_form {
        c.set_lines("set", &mut s);
    } else {
        s.push_str("## Last commit: 2026-11-30 10:12:44 JST by admin\nversion 21.4R3-S5.4;\n");
        c.junos(0, &mut s);
    }
    s
}

fn panos_edge(t: &Town, e: &EdgeFw, plan: &EdgePlan, (ifin, ifout): (&str, &str)) -> String {
    let b = t.b;
    let cidr = |(n, len): (u32, u8)| format!("{}/{len}", ip(n));
    let mut dev = CfgTree::default();
    let mut vsys = CfgTree::default();
    dev.text(&["deviceconfig", "system", "hostname"], "inet-gw");
    let eth = ["network", "interface", "ethernet"];
    let ifa = |i: &str| format!("@{i}");
    let (ain, aout) = (ifa(ifin), ifa(ifout));
    dev.add(&[
        eth[0],
        eth[1],
        eth[2],
        &ain,
        "layer3",
        "ip",
        "@203.0.113.1/30",
    ]);
    let o = format!("@100.64.{b}.2/29");
    dev.add(&[eth[0], eth[1], eth[2], &aout, "layer3", "ip", &o]);
    let vr = ["network", "virtual-router", "@default"];
    let v: Vec<&str> = vr.iter().copied().chain(["interface"]).collect();
    dev.members(&v, &[ifin, ifout]);
    let mut routes = vec![
        (
            "default-route",
            "0.0.0.0/0".to_string(),
            format!("100.64.{b}.1"),
            ifout,
        ),
        (
            "internal",
            format!("10.{b}.0.0/16"),
            "203.0.113.2".into(),
            ifin,
        ),
    ];
    if plan.route_192 {
        routes.push((
            "juki-chukan",
            "192.168.0.0/16".into(),
            "203.0.113.2".into(),
            ifin,
        ));
    }
    for (n, d, gw, i) in &routes {
        let base: Vec<String> = vr
            .iter()
            .map(|s| s.to_string())
            .chain(["routing-table", "ip", "static-route"].map(String::from))
            .chain([format!("@{n}")])
            .collect();
        let p = |x: &[&str]| -> Vec<String> {
            base.iter()
                .cloned()
                .chain(x.iter().map(|s| s.to_string()))
                .collect()
        };
        dev.text(&p(&["destination"]), d);
        dev.text(&p(&["nexthop", "ip-address"]), gw);
        dev.text(&p(&["interface"]), i);
    }
    vsys.members(&["zone", "@trust", "network", "layer3"], &[ifin]);
    vsys.members(&["zone", "@untrust", "network", "layer3"], &[ifout]);
    // Addresses: named objects, or inline prefixes.
    let addr = |vsys: &mut CfgTree, a: (u32, u8)| -> String {
        if e.objects {
            let n = format!("net-{}-{}", ip(a.0), a.1);
            vsys.text(&["address", &format!("@{n}"), "ip-netmask"], &cidr(a));
            n
        } else {
            cidr(a)
        }
    };
    let svc = |vsys: &mut CfgTree, p: EPort| -> String {
        match p {
            None => "any".into(),
            Some((6, 443, 443)) => "service-https".into(),
            Some((pr, lo, hi)) => {
                let prn = if pr == 6 { "tcp" } else { "udp" };
                let port = if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                };
                let n = format!("{prn}-{port}");
                vsys.text(
                    &["service", &format!("@{n}"), "protocol", prn, "port"],
                    &port,
                );
                n
            }
        }
    };
    // (name, from, to, source, destination, service, action)
    let mut rules: Vec<(String, &str, &str, String, String, String, &str)> = vec![];
    for (k, (a, p)) in plan.rules.out.iter().enumerate() {
        let src = a.map_or("any".to_string(), |a| addr(&mut vsys, a));
        let sv = svc(&mut vsys, *p);
        rules.push((
            format!("out-{}", k + 1),
            "trust",
            "untrust",
            src,
            "any".into(),
            sv,
            "allow",
        ));
    }
    if plan.rules.open {
        rules.push((
            "temp-any".into(),
            "trust",
            "untrust",
            "any".into(),
            "any".into(),
            "any".into(),
            "allow",
        ));
    }
    if let Some(rl) = plan.relay {
        let d = addr(&mut vsys, (rl, 32));
        let sv = svc(&mut vsys, Some((6, 25, 25)));
        rules.push((
            "mail-in".into(),
            "untrust",
            "trust",
            "any".into(),
            d,
            sv,
            "allow",
        ));
        if let Some(m) = plan.dnat {
            // Security rules name the pre-NAT address and the post-NAT zone.
            let d = addr(&mut vsys, (m, 32));
            let sv = svc(&mut vsys, Some((6, 25, 25)));
            rules.push((
                "mail-in-nat".into(),
                "untrust",
                "trust",
                "any".into(),
                d.clone(),
                sv.clone(),
                "allow",
            ));
            let n = ["rulebase", "nat", "rules", "@mail-relay"];
            let p = |x: &str| -> Vec<String> {
                n.iter().copied().chain([x]).map(String::from).collect()
            };
            vsys.members(&p("from"), &["untrust"]);
            vsys.members(&p("to"), &["untrust"]);
            vsys.members(&p("source"), &["any"]);
            vsys.members(&p("destination"), &[d.as_str()]);
            vsys.text(&p("service"), &sv);
            let dt: Vec<&str> = n
                .iter()
                .copied()
                .chain(["destination-translation"])
                .collect();
            let mut ta = dt.clone();
            ta.push("translated-address");
            vsys.text(&ta, &ip(rl));
            let mut tp = dt.clone();
            tp.push("translated-port");
            vsys.text(&tp, "25");
        }
    }
    for (k, (d, p)) in plan.rules.maint.iter().enumerate() {
        let d = addr(&mut vsys, *d);
        let sv = svc(&mut vsys, *p);
        rules.push((
            format!("maint-{}", k + 1),
            "untrust",
            "trust",
            "any".into(),
            d,
            sv,
            "allow",
        ));
    }
    if e.final_deny {
        rules.push((
            "deny-all".into(),
            "any",
            "any",
            "any".into(),
            "any".into(),
            "any".into(),
            "deny",
        ));
    }
    for (n, from, to, src, dst, sv, act) in &rules {
        let base = ["rulebase", "security", "rules"];
        let en = format!("@{n}");
        let p = |x: &str| -> Vec<String> {
            base.iter()
                .copied()
                .chain([en.as_str(), x])
                .map(String::from)
                .collect()
        };
        vsys.members(&p("from"), &[from]);
        vsys.members(&p("to"), &[to]);
        vsys.members(&p("source"), &[src.as_str()]);
        vsys.members(&p("destination"), &[dst.as_str()]);
        vsys.members(&p("service"), &[sv.as_str()]);
        vsys.members(&p("application"), &["any"]);
        vsys.text(&p("action"), act);
    }
    let mut s = String::new();
    if e.set_form {
        dev.set_lines("set", &mut s);
        vsys.set_lines("set", &mut s);
    } else {
        s.push_str("<?xml version=\"1.0\"?>\n<config version=\"10.2.0\" urldb=\"paloaltonetworks\">\n  <devices>\n    <entry name=\"localhost.localdomain\">\n");
        dev.xml(3, &mut s);
        s.push_str("      <vsys>\n        <entry name=\"vsys1\">\n");
        vsys.xml(5, &mut s);
        s.push_str("        </entry>\n      </vsys>\n    </entry>\n  </devices>\n</config>\n");
    }
    s
}

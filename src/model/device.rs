//! Vendor-neutral device model: what every dialect parser produces and what the graph
//! builder consumes. Parsers resolve vendor object names (address groups, services, zones)
//! into these plain types; nothing downstream reads config text again.
//!
//! Every object carries a [`Span`] (file:line) so findings can cite the exact lines.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

/// A 1-based line in a config file (path relative to the snapshot root).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub file: String,
    pub line: u32,
}

impl Span {
    pub fn new(file: impl Into<String>, line: u32) -> Self {
        Span {
            file: file.into(),
            line,
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A 48-bit MAC address.
pub type Mac = pnet_base::MacAddr;

/// Inclusive range of 16-bit values (ports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PortRange {
    pub lo: u16,
    pub hi: u16,
}

impl PortRange {
    pub const ANY: PortRange = PortRange { lo: 0, hi: 65535 };
    pub fn single(p: u16) -> Self {
        PortRange { lo: p, hi: p }
    }
    pub fn is_any(&self) -> bool {
        *self == Self::ANY
    }
}

/// One IPv4 address constraint. Parsers normalise vendor syntax (host, any, mask,
/// wildcard, range) into one of these.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum IpMatch {
    Any,
    /// Address with a Cisco wildcard (1 bits = don't care); may be non-contiguous.
    Wildcard {
        addr: Ipv4Addr,
        wildcard: Ipv4Addr,
    },
    /// Inclusive address range.
    Range {
        lo: Ipv4Addr,
        hi: Ipv4Addr,
    },
}

impl IpMatch {
    pub fn host(a: Ipv4Addr) -> Self {
        IpMatch::Wildcard {
            addr: a,
            wildcard: Ipv4Addr::new(0, 0, 0, 0),
        }
    }
    pub fn prefix(a: Ipv4Addr, len: u8) -> Self {
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        IpMatch::Wildcard {
            addr: Ipv4Addr::from(u32::from(a) & mask),
            wildcard: Ipv4Addr::from(!mask),
        }
    }
    /// Does this constraint admit address `a`? (Reference semantics for the simulator.)
    pub fn contains(&self, a: Ipv4Addr) -> bool {
        match self {
            IpMatch::Any => true,
            IpMatch::Wildcard { addr, wildcard } => {
                let w = u32::from(*wildcard);
                (u32::from(a) & !w) == (u32::from(*addr) & !w)
            }
            IpMatch::Range { lo, hi } => *lo <= a && a <= *hi,
        }
    }
}

/// A set of IPv4 addresses as a union of constraints. Empty `items` with `any=false`
/// is the empty set (e.g. an address group whose members could not be resolved).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct AddrSet {
    pub items: Vec<IpMatch>,
}

impl AddrSet {
    pub fn any() -> Self {
        AddrSet {
            items: vec![IpMatch::Any],
        }
    }
    pub fn one(m: IpMatch) -> Self {
        AddrSet { items: vec![m] }
    }
    pub fn contains(&self, a: Ipv4Addr) -> bool {
        self.items.iter().any(|m| m.contains(a))
    }
}

/// IP protocol numbers used by the model.
pub mod proto {
    pub const ICMP: u8 = 1;
    pub const TCP: u8 = 6;
    pub const UDP: u8 = 17;
    pub const SCTP: u8 = 132;
}

/// One service term: protocol plus (for TCP/UDP/SCTP) port ranges, or ICMP type/code.
/// `proto: None` means any IP protocol (then ports/icmp must be unconstrained).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Service {
    pub proto: Option<u8>,
    pub sport: PortRange,
    pub dport: PortRange,
    pub icmp_type: Option<u8>,
    pub icmp_code: Option<u8>,
}

impl Service {
    pub fn any() -> Self {
        Service {
            proto: None,
            sport: PortRange::ANY,
            dport: PortRange::ANY,
            icmp_type: None,
            icmp_code: None,
        }
    }
    pub fn proto(p: u8) -> Self {
        Service {
            proto: Some(p),
            ..Service::any()
        }
    }
    pub fn tcp_dport(lo: u16, hi: u16) -> Self {
        Service {
            proto: Some(proto::TCP),
            dport: PortRange { lo, hi },
            ..Service::any()
        }
    }
    pub fn udp_dport(lo: u16, hi: u16) -> Self {
        Service {
            proto: Some(proto::UDP),
            dport: PortRange { lo, hi },
            ..Service::any()
        }
    }
}

/// A packet filter term: all fields must match (conjunction); each list is a union.
/// `services` empty means any service. `established: Some(true)` is Cisco `established`
/// (TCP with ACK or RST set), `Some(false)` only new flows, `None` either.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Match {
    pub src: AddrSet,
    pub dst: AddrSet,
    pub services: Vec<Service>,
    pub established: Option<bool>,
    /// Source MAC constraint (MAC ACLs); `None` = any.
    pub src_mac: Option<Vec<Mac>>,
}

impl Match {
    pub fn any() -> Self {
        Match {
            src: AddrSet::any(),
            dst: AddrSet::any(),
            services: vec![],
            established: None,
            src_mac: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Permit,
    Deny,
}

/// One ACL entry (first match wins; implicit deny at the end).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AclRule {
    pub action: Action,
    pub m: Match,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Acl {
    pub name: String,
    pub rules: Vec<AclRule>,
    /// The line that opens the ACL (named header or first numbered line).
    pub span: Span,
}

/// How an interface behaves at L2/L3.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum IfMode {
    /// Switchport in access mode: untagged frames belong to `vlan`.
    Access { vlan: u16 },
    /// Switchport trunk: tagged frames of `allowed` VLANs; untagged = `native`.
    Trunk { allowed: VlanSet, native: u16 },
    /// Routed (L3) port or firewall interface. `vlan_tag`: for sub-interfaces
    /// (`encapsulation dot1Q N`, FortiOS `set vlanid N`) the tag on `parent`.
    Routed,
    /// VLAN interface (SVI) of `vlan`.
    Svi { vlan: u16 },
}

/// A set of VLAN ids (1..=4094).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VlanSet {
    pub ranges: Vec<(u16, u16)>,
}

impl VlanSet {
    pub fn all() -> Self {
        VlanSet {
            ranges: vec![(1, 4094)],
        }
    }
    pub fn none() -> Self {
        VlanSet { ranges: vec![] }
    }
    pub fn contains(&self, v: u16) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= v && v <= hi)
    }
    /// Normalise: sort and merge overlapping/adjacent ranges.
    pub fn normalize(&mut self) {
        self.ranges.sort();
        let mut out: Vec<(u16, u16)> = Vec::new();
        for &(lo, hi) in &self.ranges {
            if let Some(last) = out.last_mut() {
                if lo <= last.1.saturating_add(1) {
                    last.1 = last.1.max(hi);
                    continue;
                }
            }
            out.push((lo, hi));
        }
        self.ranges = out;
    }
    pub fn add(&mut self, lo: u16, hi: u16) {
        self.ranges.push((lo, hi));
        self.normalize();
    }
    pub fn remove(&mut self, lo: u16, hi: u16) {
        let mut out = Vec::new();
        for &(a, b) in &self.ranges {
            if hi < a || lo > b {
                out.push((a, b));
                continue;
            }
            if a < lo {
                out.push((a, lo - 1));
            }
            if b > hi {
                out.push((hi + 1, b));
            }
        }
        self.ranges = out;
    }
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.ranges.iter().flat_map(|&(lo, hi)| lo..=hi)
    }
}

/// Port security / static MAC binding on a switch port: only these source MACs pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortSecurity {
    pub macs: Vec<Mac>,
    pub span: Span,
}

/// Which source MACs an 802.1X / MAB port (`authentication port-control auto`,
/// `access-session port-control auto`) admits once authentication is enforced. See
/// docs/semantics.md ("802.1X and MAB").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthAdmit {
    /// Only authenticated devices: the registered MACs of the hosts that topology.toml
    /// links to this port. With no linked host that has a MAC, any source MAC (who
    /// authenticates is decided by the RADIUS server, which sanso does not see).
    LinkedHosts,
    /// Any source MAC: open access (`authentication open`, IBNS 2.0 without
    /// `access-session closed`) or multi-host mode (one authentication opens the port).
    Any,
    /// Nothing (`port-control force-unauthorized`).
    Nothing,
}

/// 802.1X / MAB on a switch port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortAuth {
    pub admit: AuthAdmit,
    /// The `port-control auto` line (and the line that decided `admit`, if another).
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AclRef {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Interface {
    /// Canonical full name (`GigabitEthernet1/0/1`, `Vlan110`, `port1`).
    pub name: String,
    pub span: Span,
    pub mode: IfMode,
    /// For sub-interfaces: parent physical interface and 802.1Q tag.
    pub parent: Option<(String, u16)>,
    pub shutdown: bool,
    /// Primary first, then secondaries.
    pub addresses: Vec<(Ipv4Addr, u8)>,
    pub acl_in: Option<AclRef>,
    pub acl_out: Option<AclRef>,
    pub port_security: Option<PortSecurity>,
    /// 802.1X / MAB port authentication (switch ports).
    pub port_auth: Option<PortAuth>,
    /// The interface's own MAC when the input says it (Linux `ip -j addr`): a routed
    /// packet leaves with it as source MAC.
    pub mac: Option<Mac>,
    /// Lines of this interface stanza that were understood (for evidence paths).
    pub lines: Vec<Span>,
    /// The line saying the address is learnt at run time (DHCP client): the subnet and
    /// any route the server hands out are not in the config. The interface has no
    /// address in the model, and loading the snapshot taints it
    /// (`ingest::routing::runtime_address_taints`, docs/semantics.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dynamic_address: Option<Span>,
}

impl Interface {
    pub fn new(name: impl Into<String>, span: Span) -> Self {
        Interface {
            name: name.into(),
            lines: vec![span.clone()],
            span,
            mode: IfMode::Routed,
            parent: None,
            shutdown: false,
            addresses: vec![],
            acl_in: None,
            acl_out: None,
            port_security: None,
            port_auth: None,
            mac: None,
            dynamic_address: None,
        }
    }
}

/// Static route (connected routes are derived from interface addresses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Route {
    pub prefix: Ipv4Addr,
    pub len: u8,
    /// Next-hop address, if given.
    pub next_hop: Option<Ipv4Addr>,
    /// Exit interface, if given (FortiOS `device`, IOS `ip route P M Gi0/1`).
    pub interface: Option<String>,
    /// `Null0` / blackhole.
    pub discard: bool,
    pub span: Span,
}

/// A firewall policy (FortiOS-style): interfaces are already resolved from zones;
/// `"any"` stands for every interface. Evaluated in `policies` order, first match wins,
/// implicit deny.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Policy {
    pub id: String,
    pub src_intf: Vec<String>,
    pub dst_intf: Vec<String>,
    pub m: Match,
    pub action: Action,
    pub enabled: bool,
    /// The `edit N` line and the lines that set the fields, for evidence.
    pub span: Span,
    pub lines: Vec<Span>,
    /// The lines that set each part of the match (among `lines`): a cause cites the
    /// part a check is about first (a 特定通信 admitted on too many ports: the service).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_lines: Vec<(MatchField, Span)>,
    /// Source NAT of the flows this policy admits (FortiOS `set nat enable`).
    pub snat: Option<PolicySnat>,
    /// Destination NATs (indices into [`Device::dnats`]) named in the destination: the
    /// policy matches their translated packets (FortiOS VIPs in `dstaddr`).
    pub dnat: Vec<usize>,
}

/// A part of a policy's match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchField {
    Src,
    Dst,
    Service,
}

/// What a policy's source NAT writes into the source address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicySnat {
    /// The primary address of the egress interface.
    Egress,
    /// One address of these inclusive ranges (IP pools; the device picks which).
    Pool(Vec<(Ipv4Addr, Ipv4Addr)>),
}

/// A destination NAT applied to packets on arrival, before routing and policy lookup
/// (FortiOS virtual IP). Only packets a policy admits through it are forwarded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dnat {
    pub name: String,
    /// Input interfaces it applies on; `"any"` = all.
    pub in_intf: Vec<String>,
    /// External destination addresses (inclusive range).
    pub ext: (Ipv4Addr, Ipv4Addr),
    /// The new destination address.
    pub mapped: Ipv4Addr,
    /// Port forwarding: protocol, external destination ports, new destination port
    /// (`None` = unchanged).
    pub port: Option<(u8, PortRange, Option<u16>)>,
    /// Only packets whose source is in this set are translated (`None` = any source):
    /// Cisco ASA twice NAT with `destination`, whose destination translation belongs to
    /// the rule's real sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src: Option<AddrSet>,
    pub span: Span,
    pub lines: Vec<Span>,
}

/// Interface-bound NAT between *inside* and *outside* interfaces (Cisco IOS `ip nat
/// inside|outside` with `ip nat inside source …`; Yamaha RTX `nat descriptor` bound to
/// its outer interface, every other interface inside). Meaning for first packets of new
/// flows (docs/semantics.md, "Interface NAT"):
/// - a packet routed from an inside to an outside interface: the first static entry
///   whose local side it matches sets its source to the global side; else the first
///   dynamic entry whose selector admits it sets its source to one of `to`;
/// - a packet arriving on an outside interface whose destination matches a static
///   entry's global side gets the local side as destination, before routing;
/// - dynamic entries admit no new flows from outside (their addresses are the router's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IfNat {
    pub inside: Vec<String>,
    pub outside: Vec<String>,
    /// One-to-one translations, first match wins.
    pub statics: Vec<NatStatic>,
    /// Dynamic source NAT (pools, overload / masquerade), first match wins.
    pub dynamic: Vec<NatDynamic>,
    /// The outside interfaces' filters see inside (untranslated) addresses: NAT is
    /// applied outside the filters (Yamaha RTX). `false`: Cisco IOS order (inbound ACL,
    /// translate, route; route, translate, outbound ACL).
    pub filters_see_inside: bool,
    /// The lines that mark interfaces inside / outside.
    pub lines: Vec<Span>,
}

/// A static one-to-one translation: inside local `local` ↔ inside global `global`,
/// optionally only for one protocol (`proto`) and, for TCP / UDP, one port translated
/// too (`ports`: local port, global port).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NatStatic {
    pub local: Ipv4Addr,
    pub global: Ipv4Addr,
    pub proto: Option<u8>,
    pub ports: Option<(u16, u16)>,
    pub span: Span,
}

/// Which packets a dynamic source NAT translates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NatFrom {
    /// The permits of this ACL of the device (IOS `list ACL`).
    Acl(String),
    /// Packets with a source in this set (RTX `nat descriptor address inner`).
    Src(AddrSet),
}

/// The source a dynamic NAT writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NatAddr {
    /// The primary address of this interface (IOS `interface IF overload`).
    Interface(String),
    /// One address of these inclusive ranges (a pool; the router picks which).
    Pool(Vec<(Ipv4Addr, Ipv4Addr)>),
}

/// A dynamic source NAT entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NatDynamic {
    pub from: NatFrom,
    pub to: NatAddr,
    pub span: Span,
}

/// Which dialect a device was read from: the registered id of its parser
/// (`crate::ingest::REGISTRY`). An open id, so adding a dialect does not touch the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(transparent)]
pub struct Dialect(pub &'static str);

impl Dialect {
    pub fn id(&self) -> &'static str {
        self.0
    }
}

/// What a not-understood line may influence; decides which results become "unproven".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
pub enum Scope {
    /// Inside this ACL.
    Acl(String),
    /// Inside this interface stanza.
    Interface(String),
    /// Firewall policy table of the device.
    Policy,
    /// Routing (static routes, unknown routing protocols).
    Routing,
    /// Top-level line of unknown effect: could change forwarding anywhere on the device.
    Device,
    /// Known not to affect forwarding (still listed so nothing is lost silently).
    None,
}

/// A line the parser did not understand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unrecognized {
    /// File of the line when it is not [`Device::file`] (devices read from several files,
    /// e.g. a Linux device folder); `None` = `Device::file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub line: u32,
    /// The line's text with secrets redacted.
    pub text: String,
    pub reason: String,
    pub scope: Scope,
}

/// The parsed form of one device config.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Device {
    pub name: String,
    /// Path relative to the snapshot root, as used in spans.
    pub file: String,
    pub dialect: Dialect,
    /// Stateful firewalls admit replies of flows they admitted.
    pub stateful: bool,
    /// Policy-based forwarding between interfaces (FortiOS, nftables forward chain):
    /// transit traffic needs a matching `policies` entry.
    pub policy_based: bool,
    pub interfaces: Vec<Interface>,
    /// Declared VLANs (id → span of `vlan N`).
    pub vlans: BTreeMap<u16, Span>,
    pub acls: BTreeMap<String, Acl>,
    pub policies: Vec<Policy>,
    /// Destination NATs on arrival (FortiOS VIPs), in configuration order (first wins).
    pub dnats: Vec<Dnat>,
    /// Interface-bound NAT (Cisco IOS `ip nat inside|outside`, Yamaha RTX `nat
    /// descriptor`); an interface is outside of at most one entry.
    pub nat: Vec<IfNat>,
    pub routes: Vec<Route>,
    /// Linux netfilter state (nftables / iptables devices); `None` for other dialects.
    pub netfilter: Option<Netfilter>,
    /// Total lines in the file.
    pub lines: u32,
    pub unrecognized: Vec<Unrecognized>,
    /// Lines recognised and irrelevant to forwarding (management, logging, AAA, NTP, SNMP,
    /// banners, line vty, crypto PKI, spanning tree …), counted by reason. They never taint.
    pub irrelevant: BTreeMap<String, u32>,
    /// Conditions beyond packet headers under which a policy admits (PAN-OS App-ID,
    /// User-ID): keyed by the policy's `span`. The policy is modelled as if they held
    /// (an over-approximation) and a finding whose path crosses it says "admitted if …".
    pub conditions: Vec<(Span, String)>,
    /// Further input files of this device besides `file` (path relative to the snapshot
    /// root, total lines), e.g. `ip-addr.json` of a Linux device folder.
    pub extra_files: Vec<(String, u32)>,
    /// Security hygiene facts (management services, SNMP, secrets, version, features).
    pub facts: super::facts::ConfigFacts,
    /// Dynamic routing protocols as configured, and the OSPF routes computed from them.
    #[serde(skip_serializing_if = "super::Routing::is_empty")]
    pub routing: super::Routing,
    /// Link aggregates (AlliedWare Plus `poN` / `saN`, Cisco IOS `Port-channelN`):
    /// aggregator → member ports. The members carry the aggregator's switchport settings;
    /// the aggregator is no port of its own, and a link naming it links every member
    /// (docs/semantics.md).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub aggregates: BTreeMap<String, Vec<String>>,
}

impl Device {
    pub fn new(name: impl Into<String>, file: impl Into<String>, dialect: Dialect) -> Self {
        Device {
            name: name.into(),
            file: file.into(),
            dialect,
            stateful: false,
            policy_based: false,
            interfaces: vec![],
            vlans: BTreeMap::new(),
            acls: BTreeMap::new(),
            policies: vec![],
            dnats: vec![],
            nat: vec![],
            routes: vec![],
            netfilter: None,
            lines: 0,
            unrecognized: vec![],
            irrelevant: BTreeMap::new(),
            conditions: vec![],
            extra_files: vec![],
            facts: Default::default(),
            routing: Default::default(),
            aggregates: BTreeMap::new(),
        }
    }
    /// Count one line as recognised and irrelevant to forwarding, for `reason`.
    pub fn irrelevant_line(&mut self, reason: &str) {
        *self.irrelevant.entry(reason.to_string()).or_default() += 1;
    }

    /// File of an unrecognized entry.
    pub fn unrecognized_file<'a>(&'a self, u: &'a Unrecognized) -> &'a str {
        u.file.as_deref().unwrap_or(&self.file)
    }
    pub fn interface(&self, name: &str) -> Option<&Interface> {
        self.interfaces.iter().find(|i| i.name == name)
    }
    pub fn span(&self, line: u32) -> Span {
        Span::new(self.file.clone(), line)
    }
}

// ---------------------------------------------------------------------------------------
// Linux netfilter (nftables and iptables both map here; see docs/linux.md).
// The parsers keep chains, jumps and NAT as written; the graph gives them meaning.

/// Where a base chain is attached in the IPv4 packet path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NfHook {
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
}

/// What a base chain may do: filter (accept/drop) or nat (rewrite the first packet).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NfKind {
    Filter,
    Nat,
}

/// Connection-tracking states as `ct state` / `-m conntrack --ctstate` name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CtState {
    New,
    Established,
    Related,
    Invalid,
    Untracked,
}

/// One condition of a rule (all conditions of a rule must hold).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NfMatch {
    SrcIp(AddrSet),
    DstIp(AddrSet),
    /// IP protocol numbers (`meta l4proto`, `ip protocol`, `-p`).
    Proto(Vec<u8>),
    /// Transport ports; the protocol is a separate `Proto` condition when the rule names one
    /// (`tcp dport 22` → Proto([6]) + DstPort), `th dport` has none.
    SrcPort(Vec<PortRange>),
    DstPort(Vec<PortRange>),
    IcmpType(Vec<u8>),
    IcmpCode(Vec<u8>),
    /// Interface names; a trailing `*` (nft) or `+` (iptables) is kept as written and
    /// means "any name with this prefix".
    Iif(Vec<String>),
    Oif(Vec<String>),
    SrcMac(Vec<Mac>),
    DstMac(Vec<Mac>),
    /// 802.1Q VLAN ids (inclusive ranges).
    Vlan(Vec<(u16, u16)>),
    CtState(Vec<CtState>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct NfCond {
    /// `!=` / `!`: the packet must NOT match.
    pub neg: bool,
    pub m: NfMatch,
}

/// Address and port a NAT rule writes (`None` = leave as is).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct NatTo {
    pub addr: Option<(Ipv4Addr, Ipv4Addr)>,
    pub port: Option<PortRange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NfVerdict {
    Accept,
    Drop,
    /// `reject`: dropped for reachability purposes (an error is sent back).
    Reject,
    /// No verdict (counter/log-only rules): continue with the next rule.
    Continue,
    Jump(String),
    Goto(String),
    Return,
    Dnat(NatTo),
    Snat(NatTo),
    /// Source NAT to the primary address of the output interface.
    Masquerade,
    /// DNAT to the input interface's primary address (and `port` if set).
    Redirect(Option<PortRange>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NfRule {
    pub conds: Vec<NfCond>,
    pub verdict: NfVerdict,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NfChain {
    /// Unique within the device: `family table chain` (nft) / `table chain` (iptables).
    pub id: String,
    /// Base chain: hook, kind and priority (lower runs first); `None` for user chains.
    pub base: Option<(NfHook, NfKind, i32)>,
    /// Policy of a base chain (accept when not stated).
    pub policy: Action,
    pub rules: Vec<NfRule>,
    pub span: Span,
}

/// Everything netfilter-related on one Linux device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct Netfilter {
    /// IPv4 forwarding enabled (`net.ipv4.ip_forward`); assumed on unless the snapshot
    /// says otherwise, so a missing setting can only over-report.
    pub ip_forward: bool,
    pub chains: Vec<NfChain>,
}

impl Netfilter {
    pub fn chain(&self, id: &str) -> Option<&NfChain> {
        self.chains.iter().find(|c| c.id == id)
    }
}

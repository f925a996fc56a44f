//! Cisco ASA parser.
//!
//! ASA is a zone-style firewall written in IOS-like lines, so this dialect reuses the IOS
//! token helpers (addresses, masks, ports, ICMP names, `permit|deny`) but has its own
//! line engine: its interfaces are named by `nameif`, its ACLs use netmasks and inline
//! objects, and forwarding between interfaces is decided by `security-level`, ACLs bound
//! with `access-group … in|out interface IF` or `global`, and NAT.
//!
//! The device is lowered as a policy-based firewall (`policy_based`, `stateful`): the
//! parser synthesises, per inbound interface, the first-match policy list that ASA
//! applies (the interface's inbound ACL, then the global ACL; or, with neither, the
//! security-level default), see [`policies`] and docs/dialects/cisco-asa.md. Outbound ACLs
//! stay interface ACLs (`acl_out`), which the graph applies after the policy.

mod acls;
mod facts;
mod nat;
mod objects;
mod policies;
pub mod secrets;

use super::cisco_ios::lexing::{ip, mask_len};
use super::cisco_ios::{BANNER, COMMENT};
use super::ParseError;
use crate::ingest::redact::FileRedaction;
use crate::model::{
    Device, Dialect, IfMode, Interface, ProtocolKind, Route, RoutingProtocol, RpNeighbor,
    RpNetwork, Scope, Span, Unrecognized,
};
use objects::{Def, Kind, Objects};
use std::collections::BTreeMap;

/// The `cisco-asa` dialect ([`crate::ingest::REGISTRY`]).
pub struct CiscoAsa;
pub const SYNTAX: CiscoAsa = CiscoAsa;
pub const DIALECT: Dialect = Dialect("cisco-asa");

impl super::Syntax for CiscoAsa {
    fn id(&self) -> &'static str {
        "cisco-asa"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["asa"]
    }
    /// Every ASA configuration (`show running-config`, `write terminal`, a saved file)
    /// carries `ASA Version X`; IOS writes `version X` and no other dialect this line.
    fn marker(&self, l: &str) -> super::Marker {
        if l.starts_with("ASA Version ") {
            super::Marker::Decisive
        } else {
            super::Marker::None
        }
    }
    fn parse(&self, file: &str, text: &str) -> Result<Device, ParseError> {
        parse(file, text)
    }
    fn facts(&self, text: &str, dev: &mut Device) {
        facts::scan(text, dev);
    }
}

/// Parse one ASA configuration.
pub fn parse(file: &str, text: &str) -> Result<Device, ParseError> {
    parse_with_stats(file, text).map(|(d, _)| d)
}

/// Parse and also return the number of understood lines (every line without an
/// [`Unrecognized`] entry).
pub fn parse_with_stats(file: &str, text: &str) -> Result<(Device, u32), ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError {
            file: file.to_string(),
            line: 1,
            message: "empty configuration".into(),
        });
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut p = Parser::new(file);
    p.red = FileRedaction::new(lines.iter().copied());
    p.src = lines.iter().map(|l| l.to_string()).collect();
    let mut total = 0;
    for (i, raw) in lines.iter().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        total = ln;
        match p.line(ln, raw) {
            Out::Ok => {}
            Out::Irr(r) => p.dev.irrelevant_line(r),
            Out::Un(reason, scope) => p.unrec(ln, reason, scope),
        }
    }
    let mut dev = p.finish();
    dev.lines = total;
    let unrec: std::collections::BTreeSet<u32> = dev.unrecognized.iter().map(|u| u.line).collect();
    let understood = total.saturating_sub(u32::try_from(unrec.len()).unwrap_or(u32::MAX));
    Ok((dev, understood))
}

/// Outcome of one line.
enum Out {
    Ok,
    Irr(&'static str),
    Un(String, Scope),
}

fn un(reason: impl Into<String>, scope: Scope) -> Out {
    Out::Un(reason.into(), scope)
}

const MGMT: &str = "management, logging, AAA and platform";
const VPN: &str = "VPN / remote-access parameters (effective only through crypto maps and tunnel groups, which are unrecognized)";
const ROUTING_OBJ: &str =
    "routing policy object (acts only through dynamic routing or PBR, which are reported)";
const INSPECT: &str = "inspection / service policy (does not admit flows the ACLs deny)";
const IFPHYS: &str = "interface physical / management setting";
const OSPF_COVERED: &str = "OSPF setting of a process whose `router ospf` line is reported (it taints the device's routing; the setting acts only through that process)";
const CRYPTO_COVERED: &str = "crypto map entry of a map bound to an interface (acts only through its `crypto map NAME interface IF` line, which is reported)";
const CRYPTO_IDLE: &str =
    "crypto map entry of a map bound to no interface (no `crypto map NAME interface IF`: it encrypts nothing)";

#[derive(Clone)]
enum Ctx {
    Top,
    Iface(usize),
    /// Object or group stanza: members are kept for [`Objects`].
    Obj(String),
    Skip(&'static str),
    Unknown(Scope, String),
    /// `router bgp|eigrp` stanza: index into `dev.routing.protocols`.
    Router(usize),
    /// `router ospf` stanza: index into `Parser::ospf`.
    Ospf(usize),
}

/// Per-interface state beyond the model.
#[derive(Default)]
struct AsaIf {
    nameif: Option<(String, Span)>,
    level: Option<(u8, Span)>,
    mgmt_only: bool,
    access_vlan: Option<u16>,
    switchport: bool,
}

/// An `access-group` binding.
struct Binding {
    acl: String,
    span: Span,
}

struct Parser {
    dev: Device,
    hostname: Option<String>,
    ctx: Ctx,
    aux: Vec<AsaIf>,
    objs: Objects,
    /// ACL name → (line, tokens after the name, standard?) in file order, read at the end.
    acl_lines: BTreeMap<String, Vec<(u32, Vec<String>, bool)>>,
    acl_first: BTreeMap<String, u32>,
    bind_in: BTreeMap<String, Binding>,
    bind_out: BTreeMap<String, Binding>,
    bind_global: Option<Binding>,
    /// `same-security-traffic permit inter-interface|intra-interface`.
    inter: Option<Span>,
    intra: Option<Span>,
    /// `route` lines: (line, nameif, prefix, len, gateway).
    routes: Vec<(u32, String, std::net::Ipv4Addr, u8, std::net::Ipv4Addr)>,
    nat: nat::NatLines,
    /// `router ospf` stanzas: header line, its text, every line, has a `network`?
    /// Decided in `finish`.
    ospf: Vec<(u32, String, Vec<u32>, bool)>,
    /// BGP processes (index into `dev.routing.protocols`) with `network` / `redistribute`.
    bgp_fed: std::collections::BTreeSet<usize>,
    red: FileRedaction,
    src: Vec<String>,
}

impl Parser {
    fn new(file: &str) -> Self {
        let mut dev = Device::new(super::stem(file), file, DIALECT);
        dev.stateful = true;
        dev.policy_based = true;
        Parser {
            dev,
            hostname: None,
            ctx: Ctx::Top,
            aux: vec![],
            objs: Objects::default(),
            acl_lines: BTreeMap::new(),
            acl_first: BTreeMap::new(),
            bind_in: BTreeMap::new(),
            bind_out: BTreeMap::new(),
            bind_global: None,
            inter: None,
            intra: None,
            routes: vec![],
            nat: Default::default(),
            ospf: vec![],
            bgp_fed: Default::default(),
            red: FileRedaction::default(),
            src: vec![],
        }
    }

    fn span(&self, ln: u32) -> Span {
        self.dev.span(ln)
    }

    fn unrec(&mut self, ln: u32, reason: String, scope: Scope) {
        let raw = self
            .src
            .get((ln as usize).saturating_sub(1))
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        self.dev.unrecognized.push(Unrecognized {
            file: None,
            line: ln,
            text: self.red.line(ln, &raw),
            reason,
            scope,
        });
    }

    fn line(&mut self, ln: u32, raw: &str) -> Out {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Out::Irr(COMMENT);
        }
        let indent = raw.len() - raw.trim_start().len();
        if trimmed.starts_with('!') || trimmed.starts_with(':') {
            if indent == 0 {
                self.ctx = Ctx::Top;
            }
            return Out::Irr(COMMENT);
        }
        let t: Vec<&str> = trimmed.split_whitespace().collect();
        if indent == 0 {
            self.ctx = Ctx::Top;
            return self.top(ln, trimmed, &t);
        }
        match self.ctx.clone() {
            Ctx::Top => un("indented line outside a known stanza", Scope::Device),
            Ctx::Skip(r) => Out::Irr(r),
            Ctx::Unknown(scope, what) => un(format!("inside `{what}`"), scope),
            Ctx::Iface(i) => self.iface_sub(ln, i, &t),
            Ctx::Obj(name) => self.obj_member(ln, &name, &t),
            Ctx::Router(i) => self.router_sub(ln, i, &t),
            Ctx::Ospf(i) => {
                let o = &mut self.ospf[i];
                o.2.push(ln);
                o.3 |= t.first() == Some(&"network");
                Out::Ok
            }
        }
    }

    /// `router bgp AS` / `router eigrp AS`: read into `model::Routing` like IOS
    /// (docs/semantics.md, "Dynamic routing"): routes are not computed, and each BGP
    /// neighbour, or EIGRP with networks, makes the device's routing state-dependent.
    fn router(&mut self, ln: u32, trimmed: &str, t: &[&str]) -> Out {
        let kind = match (t.get(1), t.get(2).map(|a| a.parse::<u32>())) {
            (Some(&"bgp"), Some(Ok(asn))) if t.len() == 3 => ProtocolKind::Bgp { asn },
            (Some(&"eigrp"), Some(Ok(_))) if t.len() == 3 => ProtocolKind::Eigrp {
                asn: t[2].to_string(),
            },
            _ => {
                return self.unknown_stanza(
                    trimmed,
                    Scope::Routing,
                    "dynamic routing protocol (not modelled)",
                )
            }
        };
        let span = self.span(ln);
        self.dev
            .routing
            .protocols
            .push(RoutingProtocol::new(kind, span));
        self.ctx = Ctx::Router(self.dev.routing.protocols.len() - 1);
        Out::Ok
    }

    /// A line of a `router bgp|eigrp` stanza. BGP: `neighbor A remote-as N` is a
    /// neighbour; structure, router id, `network` and `redistribute` (which only feed
    /// what BGP advertises) are read; any other line (per-neighbour settings, aggregates,
    /// timers) is part of the neighbours' state-dependent fact, kept in `unmodelled` and
    /// reported in `finish` when the process has no neighbour (an aggregate may then
    /// still install a discard route). EIGRP: `network A MASK` and passive interfaces.
    fn router_sub(&mut self, ln: u32, i: usize, t: &[&str]) -> Out {
        let span = self.span(ln);
        let p = &mut self.dev.routing.protocols[i];
        let bgp = matches!(p.kind, ProtocolKind::Bgp { .. });
        match t {
            ["address-family", "ipv4", ..] | ["exit-address-family"] => Out::Ok,
            ["address-family", ..] => Out::Irr(super::IPV6_OUT_OF_SCOPE),
            ["bgp", "router-id", _] | ["router-id", _] | ["bgp", "log-neighbor-changes"] => Out::Ok,
            ["neighbor", a, "remote-as", n] if bgp && ip(a).is_some() => {
                match p.neighbors.iter_mut().find(|x| x.peer == *a) {
                    Some(x) => x.remote_as = n.parse().ok(),
                    None => p.neighbors.push(RpNeighbor {
                        peer: a.to_string(),
                        remote_as: n.parse().ok(),
                        span,
                    }),
                }
                Out::Ok
            }
            ["network", ..] | ["redistribute", ..] if bgp => {
                self.bgp_fed.insert(i);
                Out::Ok
            }
            ["network", a, m] if !bgp => match (ip(a), ip(m)) {
                (Some(addr), Some(mask)) => {
                    p.networks.push(RpNetwork {
                        addr,
                        wildcard: std::net::Ipv4Addr::from(!u32::from(mask)),
                        area: None,
                        span,
                    });
                    Out::Ok
                }
                _ => un("malformed EIGRP network", Scope::Routing),
            },
            ["passive-interface", ..] if !bgp => Out::Ok,
            _ if bgp => {
                p.unmodelled.push(span);
                Out::Ok
            }
            _ => un("EIGRP statement not modelled", Scope::Routing),
        }
    }

    fn skip(&mut self, r: &'static str) -> Out {
        self.ctx = Ctx::Skip(r);
        Out::Irr(r)
    }

    fn unknown_stanza(&mut self, trimmed: &str, scope: Scope, reason: &str) -> Out {
        let what: String = self
            .red
            .line(0, trimmed)
            .chars()
            .take(60)
            .collect::<String>();
        self.ctx = Ctx::Unknown(scope.clone(), what);
        un(reason, scope)
    }

    fn top(&mut self, ln: u32, trimmed: &str, t: &[&str]) -> Out {
        let k0 = t.first().copied().unwrap_or("");
        let k1 = t.get(1).copied().unwrap_or("");
        match k0 {
            "ASA" | "PIX" if k1 == "Version" => Out::Ok,
            _ if k0.starts_with("Cryptochecksum:") => Out::Irr(MGMT),
            "hostname" if t.len() == 2 => {
                self.hostname = Some(t[1].to_string());
                Out::Ok
            }
            "interface" if t.len() == 2 => self.interface(ln, t[1]),
            "object" | "object-group" => self.obj_header(ln, trimmed, t),
            "access-list" => self.access_list(ln, t),
            "access-group" => self.access_group(ln, t),
            "route" => self.route(ln, t),
            "nat" => self.nat.top(ln, t),
            "names" => Out::Ok,
            // Aerleon's ASA output starts each ACL by clearing it.
            "clear" if k1 == "configure" && t.get(2) == Some(&"access-list") && t.len() == 4 => {
                self.acl_lines.remove(t[3]);
                self.acl_first.remove(t[3]);
                Out::Ok
            }
            "name" => match (t.get(1).and_then(|a| ip(a)), t.get(2)) {
                (Some(a), Some(n)) if t.len() == 3 || t.get(3) == Some(&"description") => {
                    self.objs.names.insert(n.to_string(), a);
                    Out::Ok
                }
                _ if t.get(1).is_some_and(|a| a.contains(':')) => {
                    Out::Irr("IPv6 (outside the IPv4 model)")
                }
                _ => un("malformed `name`", Scope::Policy),
            },
            "same-security-traffic" if k1 == "permit" && t.len() == 3 => match t[2] {
                "inter-interface" => {
                    self.inter = Some(self.span(ln));
                    Out::Ok
                }
                "intra-interface" => {
                    self.intra = Some(self.span(ln));
                    Out::Ok
                }
                _ => un("unknown same-security-traffic option", Scope::Policy),
            },
            "banner" => Out::Irr(BANNER),
            "router" if k1 == "bgp" || k1 == "eigrp" => self.router(ln, trimmed, t),
            "router" if k1 == "ospf" => {
                self.ospf
                    .push((ln, trimmed.chars().take(60).collect(), vec![ln], false));
                self.ctx = Ctx::Ospf(self.ospf.len() - 1);
                Out::Ok
            }
            "router" => self.unknown_stanza(
                trimmed,
                Scope::Routing,
                "dynamic routing protocol (not modelled)",
            ),
            "route-map" | "prefix-list" | "community-list" | "as-path" => self.skip(ROUTING_OBJ),
            "ip" => match k1 {
                "local" => self.skip(VPN),
                "verify" | "audit" => self.skip(MGMT),
                _ => self.unknown_stanza(trimmed, Scope::Device, "unknown top-level `ip` command"),
            },
            "ipv6" => self.skip("IPv6 (outside the IPv4 model)"),
            "crypto" => match k1 {
                "map" | "dynamic-map" => self.unknown_stanza(
                    trimmed,
                    Scope::Device,
                    "crypto map (IPsec changes forwarding)",
                ),
                _ => self.skip(VPN),
            },
            "tunnel-group" | "group-policy" | "webvpn" | "anyconnect" | "vpn-sessiondb" | "ssl"
            | "sysopt"
                if k0 != "sysopt" || k1 == "connection" =>
            {
                self.skip(VPN)
            }
            // The standby unit runs this same configuration.
            "failover" => self.skip("failover (the standby unit mirrors this configuration)"),
            // Content filters (Java, ActiveX, URL) only drop, inside admitted flows.
            "filter" => self.skip("content filtering inside admitted flows"),
            "dns-group-map" | "dns-group" => self.skip(MGMT),
            "xlate"
            | "timeout"
            | "threat-detection"
            | "dynamic-access-policy-record"
            | "class-map"
            | "policy-map"
            | "service-policy"
            | "inspect" => self.skip(INSPECT),
            "icmp"
            | "arp"
            | "mtu"
            | "dns"
            | "domain-name"
            | "ftp"
            | "clock"
            | "boot"
            | "logging"
            | "ntp"
            | "snmp-server"
            | "aaa"
            | "aaa-server"
            | "username"
            | "enable"
            | "passwd"
            | "ssh"
            | "http"
            | "telnet"
            | "console"
            | "pager"
            | "user-identity"
            | "asdm"
            | "no"
            | "license"
            | "call-home"
            | "prompt"
            | "terminal"
            | "command-alias"
            | "service"
            | "dhcpd"
            | "dhcprelay"
            | "management-access"
            | "firewall"
            | "cryptochecksum"
            | "end"
            | "privilege"
            | "smtp-server"
            | "priority-queue"
            | "jumbo-frame"
            | "checkheaps"
            | "tls-proxy"
            | "scansafe"
            | "hpm"
            | "dns-guard"
            | "auth-prompt"
            | "vpdn"
            | "quit"
            | "ldap"
            | "email"
            | "compression"
            | "vpn"
            | "tftp-server"
            | "wccp"
            | "flow-export"
            | "nve"
            | "profile"
            | "password-policy"
            | "vpn-addr-assign"
            | "object-group-search"
            | "regex"
            | "sla"
            | "track"
            | "monitor-interface"
            | "access-list-compile"
            | "igmp"
            | "multicast-routing"
                if !(k0 == "sla" || k0 == "track" || k0 == "multicast-routing") =>
            {
                if k0 == "no" && k1 == "failover" {
                    return Out::Ok;
                }
                if k0 == "no"
                    && !matches!(
                        k1,
                        "vpn-addr-assign"
                            | "failover"
                            | "logging"
                            | "snmp-server"
                            | "threat-detection"
                            | "call-home"
                            | "aaa"
                            | "pager"
                            | "asdm"
                            | "service"
                            | "arp"
                            | "mac-address"
                            | "ssh"
                            | "http"
                            | "telnet"
                            | "dhcpd"
                            | "names"
                            | "ntp"
                    )
                {
                    return self.unknown_stanza(
                        trimmed,
                        Scope::Device,
                        "unknown top-level `no` command",
                    );
                }
                self.skip(MGMT)
            }
            "sla" | "track" => self.unknown_stanza(
                trimmed,
                Scope::Routing,
                "object tracking (can withdraw tracked routes; not modelled)",
            ),
            "multicast-routing" => self.skip("multicast (outside the unicast model)"),
            "mac-address" | "vlan" | "lacp" | "port-channel" => self.skip(IFPHYS),
            _ => self.unknown_stanza(trimmed, Scope::Device, "unknown top-level command"),
        }
    }

    // ------------------------------------------------------------------ interfaces

    fn interface(&mut self, ln: u32, name: &str) -> Out {
        let name = super::cisco_ios::canon_if(name);
        let idx = match self.dev.interfaces.iter().position(|i| i.name == name) {
            Some(i) => i,
            None => {
                let mut itf = Interface::new(name.clone(), self.span(ln));
                if let Some((parent, tag)) = name.split_once('.') {
                    if let Ok(tag) = tag.parse::<u16>() {
                        itf.parent = Some((parent.to_string(), tag));
                    }
                }
                self.dev.interfaces.push(itf);
                self.aux.push(AsaIf::default());
                self.dev.interfaces.len() - 1
            }
        };
        self.ctx = Ctx::Iface(idx);
        Out::Ok
    }

    fn iface_sub(&mut self, ln: u32, idx: usize, t: &[&str]) -> Out {
        let name = self.dev.interfaces[idx].name.clone();
        let scope = Scope::Interface(name);
        let sp = self.span(ln);
        let k: Vec<&str> = t.to_vec();
        let out = match k.as_slice() {
            ["nameif", n] => {
                self.aux[idx].nameif = Some((n.to_string(), sp.clone()));
                Out::Ok
            }
            ["no", "nameif"] => {
                self.aux[idx].nameif = None;
                Out::Ok
            }
            ["security-level", l] => match l.parse::<u8>() {
                Ok(v) if v <= 100 => {
                    self.aux[idx].level = Some((v, sp.clone()));
                    Out::Ok
                }
                _ => un("bad security-level", scope),
            },
            ["no", "security-level"] => {
                self.aux[idx].level = None;
                Out::Ok
            }
            // A DHCP client: an interface whose address is unknown (`dynamic_address`;
            // the snapshot taints the device's routing, `setroute` or not).
            ["ip", "address", "dhcp"] | ["ip", "address", "dhcp", "setroute"] => {
                self.dev.interfaces[idx].dynamic_address = Some(sp.clone());
                Out::Ok
            }
            ["ip", "address", a, m] | ["ip", "address", a, m, "standby", _] => {
                match (ip(a), ip(m).and_then(mask_len)) {
                    (Some(a), Some(l)) => {
                        self.dev.interfaces[idx].addresses = vec![(a, l)];
                        Out::Ok
                    }
                    _ => un("bad interface address", scope),
                }
            }
            ["ip", "address", "dhcp", ..] | ["ip", "address", "pppoe", ..] => un(
                "address learned at run time (DHCP / PPPoE; subnet and any default route unknown)",
                scope,
            ),
            ["no", "ip", "address"] => {
                self.dev.interfaces[idx].addresses.clear();
                Out::Ok
            }
            ["shutdown"] => {
                self.dev.interfaces[idx].shutdown = true;
                Out::Ok
            }
            ["no", "shutdown"] => {
                self.dev.interfaces[idx].shutdown = false;
                Out::Ok
            }
            ["management-only"] => {
                self.aux[idx].mgmt_only = true;
                Out::Ok
            }
            ["no", "management-only"] => {
                self.aux[idx].mgmt_only = false;
                Out::Ok
            }
            ["vlan", v] => match v.parse::<u16>() {
                Ok(tag) if (1..=4094).contains(&tag) => {
                    let itf = &mut self.dev.interfaces[idx];
                    let parent = itf
                        .name
                        .split_once('.')
                        .map(|(p, _)| p.to_string())
                        .unwrap_or_else(|| itf.name.clone());
                    itf.parent = Some((parent, tag));
                    Out::Ok
                }
                _ => un("bad vlan tag", scope),
            },
            ["switchport", "access", "vlan", v] => match v.parse::<u16>() {
                Ok(vl) if (1..=4094).contains(&vl) => {
                    self.aux[idx].access_vlan = Some(vl);
                    self.aux[idx].switchport = true;
                    Out::Ok
                }
                _ => un("bad access vlan", scope),
            },
            ["description", ..]
            | ["speed", ..]
            | ["duplex", ..]
            | ["mac-address", ..]
            | ["no", "ipv6", ..]
            | ["ipv6", ..]
            | ["delay", ..]
            | ["flowcontrol", ..]
            | ["member-interface", _]
            | ["channel-group", ..]
            | ["lacp", ..]
            | ["no", "shutdown", ..]
            | ["media-type", ..]
            | ["nve-only", ..]
            | ["mtu", ..]
            | ["no", "ip", "proxy-arp"]
            | ["authentication", ..]
            | ["ddns", ..]
            | ["dhcp", "client", ..]
            | ["no", "switchport", "protected"] => Out::Irr(IFPHYS),
            ["switchport", "protected"] => Out::Irr(IFPHYS),
            ["ospf", ..]
            | ["pim", ..]
            | ["igmp", ..]
            | ["no", "pim"]
            | ["no", "igmp"]
            | ["ip", "ospf" | "pim" | "igmp", ..] => {
                Out::Irr("dynamic routing interface setting (the protocol itself is reported)")
            }
            ["policy-route", ..] => un("policy-based routing (not modelled)", scope),
            ["switchport", ..] => un("unsupported switchport setting", scope),
            _ => un("unsupported interface setting", scope),
        };
        if matches!(out, Out::Ok | Out::Irr(_)) {
            self.dev.interfaces[idx].lines.push(sp);
        }
        out
    }

    // ------------------------------------------------------------------ objects

    fn obj_header(&mut self, ln: u32, trimmed: &str, t: &[&str]) -> Out {
        let kind = match (t.first().copied(), t.get(1).copied(), t.len()) {
            (Some("object"), Some("network"), 3) => Some(Kind::NetObj),
            (Some("object"), Some("service"), 3) => Some(Kind::SvcObj),
            (Some("object-group"), Some("network"), 3) => Some(Kind::NetGrp),
            (Some("object-group"), Some("service"), 3) => Some(Kind::SvcGrp),
            (Some("object-group"), Some("service"), 4) => match t[3] {
                "tcp" => Some(Kind::PortGrp(&[6])),
                "udp" => Some(Kind::PortGrp(&[17])),
                "tcp-udp" => Some(Kind::PortGrp(&[6, 17])),
                _ => None,
            },
            (Some("object-group"), Some("protocol"), 3) => Some(Kind::ProtoGrp),
            (Some("object-group"), Some("icmp-type"), 3) => Some(Kind::IcmpGrp),
            _ => None,
        };
        let Some(kind) = kind else {
            return self.unknown_stanza(
                trimmed,
                Scope::None,
                "unsupported object kind (ACL entries using it are reported)",
            );
        };
        let name = t[2].to_string();
        match self.objs.defs.get(&name) {
            Some(d) if d.kind != kind => {
                return self.unknown_stanza(
                    trimmed,
                    Scope::None,
                    "object name already used by another kind (ACL entries using it are reported)",
                );
            }
            Some(_) => {}
            None => {
                self.objs.defs.insert(
                    name.clone(),
                    Def {
                        kind,
                        line: ln,
                        members: vec![],
                    },
                );
            }
        }
        self.ctx = Ctx::Obj(name);
        Out::Ok
    }

    fn obj_member(&mut self, ln: u32, name: &str, t: &[&str]) -> Out {
        // Batfish's test configs end some member lines with `! comment`.
        let t = match t.iter().position(|x| x.starts_with('!')) {
            Some(i) => &t[..i],
            None => t,
        };
        if t.first() == Some(&"nat") {
            return self.nat.object(ln, name, t);
        }
        if let Some(d) = self.objs.defs.get_mut(name) {
            // Names stay case-sensitive (object names), keywords are lower case in
            // running configurations.
            d.members
                .push((ln, t.iter().map(|s| s.to_string()).collect()));
        }
        Out::Ok
    }

    // ------------------------------------------------------------------ ACLs

    fn access_list(&mut self, ln: u32, t: &[&str]) -> Out {
        let Some(name) = t.get(1).map(|s| s.to_string()) else {
            return un("malformed access-list", Scope::Device);
        };
        let scope = Scope::Acl(name.clone());
        let mut i = 2;
        if t.get(i) == Some(&"line") {
            return un(
                "`line N` insertion (not a running-configuration form)",
                scope,
            );
        }
        let standard = match t.get(i).copied() {
            Some("remark") => return Out::Ok,
            Some("extended") => false,
            Some("standard") => true,
            Some("ethertype" | "webtype" | "rename") => {
                return un("non-IP access list (not modelled)", scope)
            }
            _ => return un("unsupported access-list form", scope),
        };
        i += 1;
        self.acl_first.entry(name.clone()).or_insert(ln);
        self.acl_lines.entry(name).or_default().push((
            ln,
            t[i..].iter().map(|s| s.to_string()).collect(),
            standard,
        ));
        Out::Ok
    }

    fn access_group(&mut self, ln: u32, t: &[&str]) -> Out {
        let b = |acl: &str, p: &Self| Binding {
            acl: acl.to_string(),
            span: p.span(ln),
        };
        match t {
            [_, acl, "global"] => {
                self.bind_global = Some(b(acl, self));
                Out::Ok
            }
            [_, _, "in", "interface", _, "control-plane"] => {
                Out::Irr("to-the-box access rule (control plane)")
            }
            [_, acl, dir @ ("in" | "out"), "interface", ifn, rest @ ..]
                if rest.is_empty() || rest == ["per-user-override"] =>
            {
                let bind = b(acl, self);
                if *dir == "in" {
                    self.bind_in.insert(ifn.to_string(), bind);
                } else {
                    self.bind_out.insert(ifn.to_string(), bind);
                }
                Out::Ok
            }
            _ => un("unsupported access-group form", Scope::Policy),
        }
    }

    // ------------------------------------------------------------------ routes

    fn route(&mut self, ln: u32, t: &[&str]) -> Out {
        match t {
            [_, ifn, net, mask, rest @ ..]
                if ifn.eq_ignore_ascii_case("null0")
                    && rest.iter().all(|x| x.parse::<u8>().is_ok())
                    && rest.len() <= 1 =>
            {
                match (ip(net), ip(mask).and_then(mask_len)) {
                    (Some(n), Some(len)) => {
                        self.dev.routes.push(Route {
                            prefix: n,
                            len,
                            next_hop: None,
                            interface: None,
                            discard: true,
                            span: self.span(ln),
                        });
                        Out::Ok
                    }
                    _ => un("malformed route", Scope::Routing),
                }
            }
            [_, ifn, net, mask, gw, rest @ ..] => {
                let (Some(n), Some(m), Some(g)) = (ip(net), ip(mask), ip(gw)) else {
                    if net.contains(':') || gw.contains(':') {
                        return Out::Irr("IPv6 (outside the IPv4 model)");
                    }
                    return un("malformed route", Scope::Routing);
                };
                let Some(len) = mask_len(m) else {
                    return un("route with a non-contiguous mask", Scope::Routing);
                };
                match rest {
                    [] | [_] if rest.iter().all(|x| x.parse::<u8>().is_ok()) => {
                        self.routes.push((ln, ifn.to_string(), n, len, g));
                        Out::Ok
                    }
                    _ => un(
                        "route option (track / tunneled) not modelled",
                        Scope::Routing,
                    ),
                }
            }
            _ => un("malformed route", Scope::Routing),
        }
    }

    // ------------------------------------------------------------------ finish

    fn unrec_line(&mut self, ln: u32, reason: String, scope: Scope) {
        self.unrec(ln, reason, scope);
    }

    /// `crypto map NAME …` entries act on traffic only once the map is bound to an
    /// interface by `crypto map NAME interface IF`. The binding stays unrecognised (scope
    /// device: IPsec changes forwarding); the map's other entries are covered by it, and
    /// a map bound nowhere (or a `crypto dynamic-map` in a file without any binding)
    /// encrypts nothing.
    fn crypto_maps(&mut self) {
        let mut bound = std::collections::BTreeSet::new();
        let mut entries: Vec<(u32, Option<String>)> = vec![];
        for (i, raw) in self.src.iter().enumerate() {
            if raw.len() != raw.trim_start().len() {
                continue;
            }
            let t: Vec<&str> = raw.split_whitespace().collect();
            let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
            match t.as_slice() {
                ["crypto", "map", name, "interface", ..] => {
                    bound.insert(name.to_string());
                }
                ["crypto", "map", name, _, ..] => entries.push((ln, Some(name.to_string()))),
                ["crypto", "dynamic-map", ..] => entries.push((ln, None)),
                _ => {}
            }
        }
        for (ln, name) in entries {
            let reason = match &name {
                Some(n) if bound.contains(n) => CRYPTO_COVERED,
                Some(_) => CRYPTO_IDLE,
                // A dynamic map acts through the static map entries that name it.
                None if bound.is_empty() => CRYPTO_IDLE,
                None => CRYPTO_COVERED,
            };
            let on_line = |u: &Unrecognized| u.line == ln && u.file.is_none();
            let only_crypto = self
                .dev
                .unrecognized
                .iter()
                .filter(|u| on_line(u))
                .all(|u| u.reason.starts_with("crypto map"));
            if only_crypto && self.dev.unrecognized.iter().any(on_line) {
                self.dev.unrecognized.retain(|u| !on_line(u));
                self.dev.irrelevant_line(reason);
            }
        }
    }

    fn finish(mut self) -> Device {
        // BGP lines read as part of the neighbours' fact, in a process without any. With
        // no `network` / `redistribute` either, the BGP table stays empty: an aggregate
        // has no contributor and nothing else can act, so they stay read.
        let lone: Vec<(u32, u32)> = self
            .dev
            .routing
            .protocols
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match p.kind {
                ProtocolKind::Bgp { asn }
                    if p.neighbors.is_empty() && self.bgp_fed.contains(&i) =>
                {
                    Some((asn, p))
                }
                _ => None,
            })
            .flat_map(|(asn, p)| p.unmodelled.iter().map(move |s| (asn, s.line)))
            .collect();
        for (asn, l) in lone {
            self.unrec(
                l,
                format!("inside `router bgp {asn}`: not modelled (no neighbour)"),
                Scope::Routing,
            );
        }
        // ASA enables OSPF on interfaces only by `network` statements: a process without
        // any runs on no interface (no adjacency, no route). With one it is a real OSPF
        // speaker, not modelled on ASA: its `router ospf` line is reported (scope routing)
        // and the stanza's other lines, which act only through that process, are covered
        // by it (as IOS BGP settings are by their neighbour lines).
        for (head, what, lines, network) in std::mem::take(&mut self.ospf) {
            for l in lines {
                if network && l == head {
                    self.unrec(
                        l,
                        format!("dynamic routing protocol (not modelled): `{what}`"),
                        Scope::Routing,
                    );
                } else if network {
                    self.dev.irrelevant_line(OSPF_COVERED);
                } else {
                    self.dev.irrelevant_line(
                        "OSPF process without `network` statements (runs on no interface)",
                    );
                }
            }
        }
        self.crypto_maps();
        if let Some(h) = self.hostname.take() {
            self.dev.name = h;
        }
        // ASA 5505-style switch ports: VLAN interfaces are SVIs, ports access ports.
        let switch = self.aux.iter().any(|a| a.switchport);
        for (itf, aux) in self.dev.interfaces.iter_mut().zip(self.aux.iter()) {
            if switch {
                itf.mode = if let Some(v) = itf
                    .name
                    .strip_prefix("Vlan")
                    .and_then(|v| v.parse::<u16>().ok())
                {
                    IfMode::Svi { vlan: v }
                } else {
                    IfMode::Access {
                        vlan: aux.access_vlan.unwrap_or(1),
                    }
                };
            }
        }
        // nameif → interface index.
        let mut by_nameif: BTreeMap<String, usize> = BTreeMap::new();
        for (i, a) in self.aux.iter().enumerate() {
            if let Some((n, _)) = &a.nameif {
                by_nameif.insert(n.clone(), i);
                let addr = self.dev.interfaces[i].addresses.first().map(|x| x.0);
                self.objs.if_addr.insert(n.clone(), addr);
            }
        }
        for (ln, e) in self.objs.check_all() {
            self.unrec_line(
                ln,
                format!("object: {e} (ACL entries and NAT using it are reported)"),
                Scope::None,
            );
        }
        // ACLs.
        for (name, lines) in std::mem::take(&mut self.acl_lines) {
            let mut rules = vec![];
            for (ln, kw, standard) in lines {
                let r = if standard {
                    acls::standard(&self.objs, &kw)
                } else {
                    acls::extended(&self.objs, &kw)
                };
                match r {
                    Ok(Some((action, m))) => rules.push(crate::model::AclRule {
                        action,
                        m,
                        span: self.span(ln),
                    }),
                    Ok(None) => {}
                    Err(e) => self.unrec_line(ln, e, Scope::Acl(name.clone())),
                }
            }
            let span = self.span(self.acl_first.get(&name).copied().unwrap_or(1));
            self.dev
                .acls
                .insert(name.clone(), crate::model::Acl { name, rules, span });
        }
        // Routes.
        for (ln, ifn, prefix, len, gw) in std::mem::take(&mut self.routes) {
            match by_nameif.get(&ifn) {
                Some(&i) => self.dev.routes.push(Route {
                    prefix: std::net::Ipv4Addr::from(
                        u32::from(prefix) & u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0),
                    ),
                    len,
                    next_hop: Some(gw),
                    interface: Some(self.dev.interfaces[i].name.clone()),
                    discard: false,
                    span: self.span(ln),
                }),
                None if ifn.eq_ignore_ascii_case("null0") => self.dev.routes.push(Route {
                    prefix,
                    len,
                    next_hop: None,
                    interface: None,
                    discard: true,
                    span: self.span(ln),
                }),
                None => self.unrec_line(
                    ln,
                    format!("route names interface `{ifn}`, which is not a nameif"),
                    Scope::Routing,
                ),
            }
        }
        policies::build(&mut self, &by_nameif);
        self.dev
    }
}

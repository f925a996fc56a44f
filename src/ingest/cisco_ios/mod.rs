//! Cisco IOS / IOS-XE parser.
//!
//! The parser walks the configuration line by line. Every line ends up either
//! *understood* (it changed the model, or it is known not to affect forwarding) or in
//! [`Device::unrecognized`] with a [`Scope`] saying what it may influence. Nothing is
//! dropped silently and no ACL line is approximated: an ACL entry that cannot be
//! represented exactly is reported, never half-parsed.
//!
//! Stanzas are recognised by indentation: a line without leading whitespace is a
//! top-level command, indented lines belong to the last top-level command.

// The stages are shared with the dialects whose syntax is IOS-like (AlliedWare Plus,
// `ingest::awplus`): they run this parser with another [`Flavor`] and add their own
// commands as `impl Parser` blocks in their folder.
pub(in crate::ingest) mod acls;
mod aggregates;
mod covered;
pub(in crate::ingest) mod facts;
pub(in crate::ingest) mod interfaces;
pub(in crate::ingest) mod lexing;
pub(in crate::ingest) mod nat;
pub(in crate::ingest) mod objects;
pub(in crate::ingest) mod routes;
pub(in crate::ingest) mod routing;
pub mod secrets;

use super::ParseError;
use crate::ingest::redact::{redact_line, FileRedaction};
use crate::model::{
    Acl, AclRule, AuthAdmit, Device, Dialect, IfMode, Mac, PortAuth, PortSecurity, Route, Scope,
    Span, Unrecognized, VlanSet,
};
use interfaces::resolve_mode;
use lexing::ip;
use objects::{GroupKind, Groups};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// The `cisco-ios` dialect ([`crate::ingest::REGISTRY`]).
pub struct CiscoIos;
pub const SYNTAX: CiscoIos = CiscoIos;
pub const DIALECT: Dialect = Dialect("cisco-ios");

impl super::Syntax for CiscoIos {
    fn id(&self) -> &'static str {
        "cisco-ios"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["ios", "ios-xe"]
    }
    fn marker(&self, l: &str) -> super::Marker {
        let weak = l.starts_with("hostname ")
            || l.starts_with("interface ")
            || l.starts_with("ip access-list ")
            || l.starts_with("access-list ")
            || l.starts_with("version ")
            || l.starts_with("!RANCID-CONTENT-TYPE: cisco")
            || l == "!";
        if weak {
            super::Marker::Weak
        } else {
            super::Marker::None
        }
    }
    fn parse(&self, file: &str, text: &str) -> Result<Device, ParseError> {
        parse(file, text)
    }
    fn facts(&self, text: &str, dev: &mut Device) {
        facts::scan(text, dev, false);
    }
}

/// Parse one IOS / IOS-XE configuration.
pub fn parse(file: &str, text: &str) -> Result<Device, ParseError> {
    parse_with_stats(file, text).map(|(d, _)| d)
}

/// Parse and also return the number of understood lines. Every line of the file is
/// either understood or has at least one [`Unrecognized`] entry (a line inside an
/// `interface range` stanza gets one entry per member interface), so
/// `understood + distinct unrecognized line numbers == device.lines`.
pub fn parse_with_stats(file: &str, text: &str) -> Result<(Device, u32), ParseError> {
    parse_flavoured(file, text, Flavor::Ios)
}

/// Which IOS-like syntax the shared parser reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::ingest) enum Flavor {
    /// Cisco IOS / IOS-XE.
    Ios,
    /// Allied Telesis AlliedWare Plus (`ingest::awplus`): its own top-level and interface
    /// commands, interface names (`port1.0.1`, `vlan10`), hardware ACLs (implicit permit),
    /// trunks that carry no tagged VLAN until `allowed vlan add`.
    AwPlus,
}

/// [`parse_with_stats`] for one [`Flavor`].
pub(in crate::ingest) fn parse_flavoured(
    file: &str,
    text: &str,
    flavor: Flavor,
) -> Result<(Device, u32), ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError {
            file: file.to_string(),
            line: 1,
            message: "empty configuration".into(),
        });
    }
    let mut p = Parser::new(file, flavor);
    let mut total: u32 = 0;
    let lines: Vec<&str> = text.lines().collect();
    p.red = FileRedaction::new(lines.iter().copied());
    p.src = lines.iter().map(|l| l.to_string()).collect();
    for (i, raw) in lines.iter().copied().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        total = ln;
        match p.line(ln, raw) {
            Out::Ok => {}
            Out::Irr(r) => p.dev.irrelevant_line(r),
            Out::Un(reason, scope) => p.unrec(ln, raw, reason, scope),
            Out::UnMany(reason, scopes) => {
                if scopes.is_empty() {
                    p.unrec(ln, raw, reason, Scope::Device);
                } else {
                    for s in scopes {
                        p.unrec(ln, raw, reason.clone(), s);
                    }
                }
            }
        }
    }
    if p.banner.is_some() || p.hex {
        // A banner or certificate block that never ends swallowed the rest of the file:
        // none of those lines can be trusted to be irrelevant.
        let reason = if p.banner.is_some() { BANNER } else { PKI };
        for ln in std::mem::take(&mut p.provisional) {
            let raw = lines
                .get((ln as usize).saturating_sub(1))
                .copied()
                .unwrap_or("");
            if let Some(n) = p.dev.irrelevant.get_mut(reason) {
                *n = n.saturating_sub(1);
            }
            p.unrec(
                ln,
                raw,
                "unterminated banner or certificate block".into(),
                Scope::Device,
            );
        }
    }
    let mut dev = p.finish();
    dev.lines = total;
    dev.irrelevant.retain(|_, n| *n > 0);
    // Understood = every line without an unrecognized entry (some entries are only made
    // at the end: ACL lines naming undefined object-groups, dangling references).
    let unrec: std::collections::BTreeSet<u32> = dev.unrecognized.iter().map(|u| u.line).collect();
    let understood = total.saturating_sub(u32::try_from(unrec.len()).unwrap_or(u32::MAX));
    Ok((dev, understood))
}

/// Outcome of one line.
pub(in crate::ingest) enum Out {
    /// Modelled.
    Ok,
    /// Recognised and irrelevant to forwarding, for this reason.
    Irr(&'static str),
    Un(String, Scope),
    /// One unrecognized entry per scope (interface ranges).
    UnMany(String, Vec<Scope>),
}

pub(in crate::ingest) const BANNER: &str = "banner";
pub(in crate::ingest) const PKI: &str = "crypto PKI / keys";
pub(in crate::ingest) const COMMENT: &str = "comment or blank line";
pub(in crate::ingest) const IFPHYS: &str = "interface physical / management setting";
/// Multicast lines (`ip multicast-routing`, `ip pim`, `ip igmp`, `ip mfib`, …): multicast
/// between interfaces is tier traffic sanso does not model. Without `ip multicast-routing`
/// IOS forwards none, and the lines are recognised at the end (`covered`).
pub(in crate::ingest) const MCAST: &str =
    "multicast routing (multicast between interfaces is traffic sanso does not model)";

pub(in crate::ingest) fn un(reason: impl Into<String>, scope: Scope) -> Out {
    Out::Un(reason.into(), scope)
}

#[derive(Clone)]
pub(in crate::ingest) enum Ctx {
    Top,
    /// Interface stanza: indices into `dev.interfaces`; `base` = indent of sub-lines.
    Iface {
        idx: Vec<usize>,
        base: Option<usize>,
        /// Scope of the last base-level line if it was not understood (sub-mode lines
        /// below it share its effect).
        parent: Option<Scope>,
        /// The last base-level line was irrelevant: its sub-mode lines are too.
        irr_parent: Option<&'static str>,
    },
    Vlan,
    /// AlliedWare Plus `vlan database`.
    VlanDb,
    /// AlliedWare Plus ACL stanza (`access-list hardware|standard|extended NAME`, or a
    /// bare `access-list N`): entries in its grammar (prefix lengths, `icmp-type`, …).
    AwAcl {
        name: String,
        kind: AclKind,
    },
    Acl {
        name: String,
        extended: bool,
    },
    /// Object-group stanza: members.
    Group {
        kind: GroupKind,
        name: String,
    },
    /// `router ospf|bgp|eigrp|rip` stanza: index into `dev.routing.protocols`.
    Router {
        idx: usize,
    },
    /// Stanza known not to affect forwarding: sub-lines irrelevant, for this reason.
    Skip(&'static str),
    /// Certificate / public key chain: like Skip, and hex blocks run until `quit`.
    HexChain,
    /// Stanza not understood: sub-lines reported with this scope.
    Unknown {
        scope: Scope,
        what: String,
    },
}

/// Entry grammar of an ACL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::ingest) enum AclKind {
    Standard,
    Extended,
    /// AlliedWare Plus hardware ACL: extended grammar, what no entry matches is permitted.
    Hardware,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(in crate::ingest) enum SwMode {
    Access,
    Trunk,
}

/// Per-interface parse state that is resolved into [`IfMode`] at the end.
#[derive(Clone)]
pub(in crate::ingest) struct IfAux {
    pub(in crate::ingest) switchport_lines: bool,
    pub(in crate::ingest) no_switchport: bool,
    /// `no switchport` was seen: the platform is a switch.
    pub(in crate::ingest) seen_no_switchport: bool,
    pub(in crate::ingest) mode: Option<SwMode>,
    /// `switchport trunk …` lines were seen (a port without `switchport mode` that has
    /// them is taken as the trunk DTP forms with a trunking peer).
    pub(in crate::ingest) trunk_lines: bool,
    pub(in crate::ingest) access_vlan: Option<u16>,
    pub(in crate::ingest) allowed: VlanSet,
    pub(in crate::ingest) native: u16,
    /// AlliedWare Plus `switchport trunk native vlan none`.
    pub(in crate::ingest) native_none: bool,
    pub(in crate::ingest) has_primary: bool,
    pub(in crate::ingest) psec_enabled: bool,
    pub(in crate::ingest) psec_span: Option<Span>,
    pub(in crate::ingest) psec_macs: Vec<Mac>,
    pub(in crate::ingest) psec_max: u32,
    /// 802.1X / MAB: `port-control` value and its line.
    pub(in crate::ingest) auth_control: Option<(AuthCtl, Span)>,
    /// `access-session port-control` (IBNS 2.0: open unless `access-session closed`).
    pub(in crate::ingest) auth_ibns: bool,
    pub(in crate::ingest) auth_closed: bool,
    /// `authentication open`.
    pub(in crate::ingest) auth_open: bool,
    /// `host-mode multi-host`.
    pub(in crate::ingest) auth_multi_host: bool,
    /// `mab` on the port (MAB needs no global 802.1X switch).
    pub(in crate::ingest) auth_mab: bool,
    /// AlliedWare Plus `channel-group N` / `static-channel-group N`: the aggregator
    /// (`poN` / `saN`) this port is a member of, and the line that says so.
    pub(in crate::ingest) aggregate: Option<(String, Span)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(in crate::ingest) enum AuthCtl {
    Auto,
    ForceAuthorized,
    ForceUnauthorized,
}

impl Default for IfAux {
    fn default() -> Self {
        IfAux {
            switchport_lines: false,
            no_switchport: false,
            seen_no_switchport: false,
            mode: None,
            trunk_lines: false,
            access_vlan: None,
            allowed: VlanSet::all(),
            native: 1,
            native_none: false,
            has_primary: false,
            psec_enabled: false,
            psec_span: None,
            psec_macs: vec![],
            psec_max: 1,
            auth_control: None,
            auth_ibns: false,
            auth_closed: false,
            auth_open: false,
            auth_multi_host: false,
            auth_mab: false,
            aggregate: None,
        }
    }
}

pub(in crate::ingest) struct PendingAcl {
    pub(in crate::ingest) span: Span,
    pub(in crate::ingest) rules: Vec<(u64, AclRule)>,
    pub(in crate::ingest) next_seq: u64,
    /// Entries naming object-groups, parsed at the end: (sequence, line, extended,
    /// index of the `permit|deny` token).
    pub(in crate::ingest) deferred: Vec<(u64, u32, bool, usize)>,
}

pub(in crate::ingest) struct Parser {
    pub(in crate::ingest) dev: Device,
    pub(in crate::ingest) hostname: Option<String>,
    pub(in crate::ingest) ctx: Ctx,
    pub(in crate::ingest) aux: Vec<IfAux>,
    pub(in crate::ingest) acls: BTreeMap<String, PendingAcl>,
    pub(in crate::ingest) banner: Option<String>,
    pub(in crate::ingest) hex: bool,
    /// Lines of the open banner / hex block (reported if it never closes).
    pub(in crate::ingest) provisional: Vec<u32>,
    /// Redaction context of every line (key and certificate blocks).
    pub(in crate::ingest) red: FileRedaction,
    /// The file's lines, for entries made at the end.
    pub(in crate::ingest) src: Vec<String>,
    pub(in crate::ingest) groups: Groups,
    /// `dot1x system-auth-control`: 802.1X is enabled on the switch.
    pub(in crate::ingest) dot1x_global: bool,
    pub(in crate::ingest) flavor: Flavor,
    /// AlliedWare Plus hardware ACLs: any packet no entry matches is permitted.
    pub(in crate::ingest) hw_acls: std::collections::BTreeSet<String>,
    /// `ip nat …` lines, assembled into [`Device::nat`] at the end.
    pub(in crate::ingest) nat: nat::IosNat,
    /// `ip multicast-routing` was seen.
    pub(in crate::ingest) mcast_routing: bool,
}

impl Parser {
    fn new(file: &str, flavor: Flavor) -> Self {
        let dialect = match flavor {
            Flavor::Ios => DIALECT,
            Flavor::AwPlus => super::awplus::DIALECT,
        };
        Parser {
            dev: Device::new(super::stem(file), file, dialect),
            hostname: None,
            ctx: Ctx::Top,
            aux: vec![],
            acls: BTreeMap::new(),
            banner: None,
            hex: false,
            provisional: vec![],
            red: FileRedaction::default(),
            src: vec![],
            groups: Groups::default(),
            // AlliedWare Plus has no global 802.1X switch: a port with `dot1x
            // port-control auto` or `auth-mac enable` authenticates.
            dot1x_global: flavor == Flavor::AwPlus,
            flavor,
            hw_acls: Default::default(),
            nat: Default::default(),
            mcast_routing: false,
        }
    }

    pub(in crate::ingest) fn span(&self, ln: u32) -> Span {
        self.dev.span(ln)
    }

    /// An unrecognized entry for line `ln`, made after the line was read.
    fn unrec_late(&mut self, ln: u32, reason: String, scope: Scope) {
        let raw = self
            .src
            .get((ln as usize).saturating_sub(1))
            .cloned()
            .unwrap_or_default();
        self.unrec(ln, &raw, reason, scope);
    }

    pub(in crate::ingest) fn unrec(&mut self, ln: u32, raw: &str, reason: String, scope: Scope) {
        self.dev.unrecognized.push(Unrecognized {
            file: None,
            line: ln,
            text: self.red.line(ln, raw.trim()),
            reason,
            scope,
        });
    }

    // ------------------------------------------------------------------ top level

    pub(in crate::ingest) fn top(
        &mut self,
        ln: u32,
        trimmed: &str,
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let k0 = kw.first().map(String::as_str).unwrap_or("");
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        let k2 = kw.get(2).map(String::as_str).unwrap_or("");
        match k0 {
            "hostname" => match t.get(1) {
                Some(h) if t.len() == 2 => {
                    self.hostname = Some(h.trim_matches('"').to_string());
                    Out::Ok
                }
                _ => un("malformed hostname", Scope::None),
            },
            "interface" => self.interface_header(ln, t, kw),
            "vlan" => self.vlan_header(ln, t, kw),
            "access-list" => self.numbered_acl(ln, t, kw),
            "router" => self.router_header(ln, trimmed, t),
            "banner" => self.banner_start(ln, trimmed, kw),
            "ip" => self.top_ip(ln, trimmed, t, kw),
            "no" => self.top_no(trimmed, kw),
            "ipv6" => match k1 {
                "unicast-routing" | "cef" => self.skip("IPv6 switching setting"),
                _ => self.ipv6_stanza(),
            },
            "crypto" => match k1 {
                "pki" | "ca" if k2 == "certificate" && kw.get(3).map(String::as_str) == Some("chain") => {
                    self.ctx = Ctx::HexChain;
                    Out::Ok
                }
                "key" if k2 == "pubkey-chain" => {
                    self.ctx = Ctx::HexChain;
                    Out::Ok
                }
                "pki" | "ca" | "key" => self.skip(PKI),
                "map" | "dynamic-map" => self.unknown_stanza(
                    trimmed,
                    Scope::Device,
                    "crypto map (IPsec changes forwarding)",
                ),
                // Parameters only: they act through crypto maps and tunnel protection,
                // which stay unrecognized and taint what they touch.
                _ => self.skip("VPN parameters (effective only through crypto maps / tunnel protection, which are unrecognized)"),
            },
            "object-group" => {
                let kind = match (k1, k2) {
                    ("network", _) => Some((GroupKind::Network, 2)),
                    ("service", _) => Some((GroupKind::Service, 2)),
                    ("ip", "address") => Some((GroupKind::IpAddress, 3)),
                    ("ip", "port") => Some((GroupKind::IpPort, 3)),
                    _ => None,
                };
                match kind {
                    Some((kind, at)) if t.len() == at + 1 => {
                        let name = t[at].to_string();
                        self.groups.open(kind, &name);
                        self.ctx = Ctx::Group { kind, name };
                        Out::Ok
                    }
                    _ => self.unknown_stanza(
                        trimmed,
                        Scope::None,
                        "unsupported object-group kind (ACL lines using it are reported separately)",
                    ),
                }
            }
            "route-map" => self.unknown_stanza(
                trimmed,
                Scope::Routing,
                "route-map (routing policy / PBR / NAT, not modelled)",
            ),
            "mac" => self.unknown_stanza(trimmed, Scope::Device, "MAC access list (not modelled)"),
            "zone" | "zone-pair" | "class-map" | "policy-map" | "parameter-map" => self
                .unknown_stanza(
                    trimmed,
                    Scope::Device,
                    "zone firewall / QoS policy (not modelled)",
                ),
            "vrf" => self.unknown_stanza(trimmed, Scope::Routing, "VRF (not modelled)"),
            "track" => self.unknown_stanza(trimmed, Scope::Routing, "object tracking (not modelled)"),
            "dot1x" => {
                if k1 == "system-auth-control" && kw.len() == 2 {
                    self.dot1x_global = true;
                    Out::Ok
                } else {
                    self.skip("802.1X / AAA global setting")
                }
            }
            "key" if k1 == "chain" => self.skip("key chain (routing protocol authentication)"),
            "mls" => match k1 {
                "qos" | "netflow" | "nde" | "flow" | "aging" | "cef" | "rate-limit" | "exclude" => {
                    self.skip("QoS / NetFlow")
                }
                _ => self.unknown_stanza(trimmed, Scope::Device, "unknown mls command"),
            },
            "spanning-tree" | "vtp" | "cdp" | "lldp" | "errdisable" | "udld" => self.skip("L2 control protocols (STP, VTP, CDP, LLDP, UDLD, errdisable)"),
            "version" | "service" | "boot" | "boot-start-marker" | "boot-end-marker"
            | "logging" | "ntp" | "snmp-server" | "aaa" | "username" | "enable" | "clock"
            | "end" | "exit" | "license" | "diagnostic" | "multilink" | "memory-size"
            | "mmi" | "scheduler" | "default-value" | "privilege" | "alias" | "hw-module"
            | "archive" | "line" | "control-plane" | "redundancy" | "call-home"
            | "virtual-service" | "subscriber" | "login" | "file" | "platform"
            | "transceiver" | "power" | "port-channel" | "system" | "process"
            | "security" | "tacacs-server" | "tacacs" | "radius-server" | "radius"
            | "exception" | "dial-peer" | "voice" | "memory" | "service-template"
            | "netconf-yang" | "netconf" | "restconf" | "snmp" | "wsma"
            | "ip-sla" | "monitor" | "fhrp" | "username-secret" | "secure" | "macro"
            | "gatekeeper" | "mgcp" | "module" | "switch" => {
                self.skip("management, logging, AAA and platform")
            }
            _ if trimmed.starts_with("Building configuration")
                || trimmed.starts_with("Current configuration")
                || trimmed.starts_with("!RANCID") =>
            {
                Out::Ok
            }
            _ => self.unknown_stanza(trimmed, Scope::Device, "unknown top-level command"),
        }
    }

    /// Irrelevant line that may open a stanza of irrelevant sub-lines.
    pub(in crate::ingest) fn skip(&mut self, reason: &'static str) -> Out {
        self.ctx = Ctx::Skip(reason);
        Out::Irr(reason)
    }

    /// A top-level `ipv6 …` stanza: recognised, as docs/semantics.md "Scope: IPv4 only"
    /// says for every dialect (an IPv6 line cannot change an IPv4 verdict).
    fn ipv6_stanza(&mut self) -> Out {
        self.skip(super::IPV6_OUT_OF_SCOPE)
    }

    pub(in crate::ingest) fn unknown_stanza(
        &mut self,
        trimmed: &str,
        scope: Scope,
        reason: &str,
    ) -> Out {
        let what: String = redact_line(trimmed).chars().take(60).collect();
        self.ctx = Ctx::Unknown {
            scope: scope.clone(),
            what,
        };
        un(reason, scope)
    }

    pub(in crate::ingest) fn banner_start(&mut self, ln: u32, trimmed: &str, kw: &[String]) -> Out {
        let mut rest = trimmed.get(6..).unwrap_or("").trim_start();
        const TYPES: &[&str] = &[
            "motd",
            "exec",
            "login",
            "incoming",
            "prompt-timeout",
            "slip-ppp",
            "config-save",
        ];
        if let Some(k1) = kw.get(1) {
            if TYPES.contains(&k1.as_str()) {
                rest = rest.get(k1.len()..).unwrap_or("").trim_start();
            }
        }
        let delim: String = if rest.starts_with("^C") {
            "^C".into()
        } else if let Some(c) = rest.chars().next() {
            c.to_string()
        } else {
            return un("banner without delimiter", Scope::None);
        };
        let after = rest.get(delim.len()..).unwrap_or("");
        if !after.contains(delim.as_str()) {
            self.banner = Some(delim);
            self.provisional = vec![ln];
        }
        Out::Ok
    }

    pub(in crate::ingest) fn top_ip(
        &mut self,
        ln: u32,
        trimmed: &str,
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        let k2 = kw.get(2).map(String::as_str).unwrap_or("");
        match k1 {
            "route" => {
                if k2 == "vrf" {
                    un("static route in a VRF (not modelled)", Scope::Routing)
                } else {
                    self.ip_route(ln, t, kw)
                }
            }
            "default-gateway" => match t.get(2).and_then(|s| ip(s)) {
                Some(gw) if t.len() == 3 => {
                    let span = self.span(ln);
                    self.dev.routes.push(Route {
                        prefix: Ipv4Addr::UNSPECIFIED,
                        len: 0,
                        next_hop: Some(gw),
                        interface: None,
                        discard: false,
                        span,
                    });
                    Out::Ok
                }
                _ => un("malformed ip default-gateway", Scope::Routing),
            },
            "access-list" => match k2 {
                "standard" | "extended" => match t.get(3) {
                    Some(name) if t.len() == 4 => {
                        let name = name.to_string();
                        self.ensure_acl(&name, ln);
                        self.ctx = Ctx::Acl {
                            name,
                            extended: k2 == "extended",
                        };
                        Out::Ok
                    }
                    _ => un("malformed ip access-list header", Scope::Device),
                },
                "logging" | "log-update" => self.skip("logging"),
                _ => {
                    // `ip access-list NAME` (no type) or other ACL kinds.
                    let scope = match t.get(2) {
                        Some(n) if t.len() == 3 => Scope::Acl(n.to_string()),
                        _ => Scope::Device,
                    };
                    self.unknown_stanza(trimmed, scope, "unsupported ip access-list form")
                }
            },
            "routing" if t.len() == 2 => Out::Ok,
            "domain-name"
            | "domain"
            | "domain-lookup"
            | "name-server"
            | "ssh"
            | "http"
            | "cef"
            | "ftp"
            | "tftp"
            | "scp"
            | "forward-protocol"
            | "tcp"
            | "subnet-zero"
            | "classless"
            | "source-route"
            | "finger"
            | "bootp"
            | "gratuitous-arps"
            | "icmp"
            | "host"
            | "rcmd"
            | "options"
            | "flow-export"
            | "flow-cache"
            | "flow-top-talkers"
            | "accounting-threshold"
            | "telnet"
            | "radius"
            | "tacacs"
            | "dns"
            | "ssh-server" => self.skip("management services (DNS, SSH, HTTP, TFTP, …)"),
            "dhcp" => match k2 {
                "pool" | "excluded-address" | "database" | "conflict" | "ping" => {
                    self.skip("DHCP server")
                }
                _ => self.unknown_stanza(
                    trimmed,
                    Scope::Device,
                    "DHCP snooping / relay option (not modelled)",
                ),
            },
            // Definitions read only by routing protocols and route-maps, which stay
            // unrecognized (scope routing) themselves.
            "prefix-list" | "community-list" | "as-path" | "bgp-community" | "extcommunity-list" => {
                self.skip("routing policy definition (used only by routing protocols / route-maps, which are unrecognized)")
            }
            "sla" | "policy-list" | "vrf" | "explicit-path"
            | "load-sharing" => {
                self.unknown_stanza(trimmed, Scope::Routing, "routing policy (not modelled)")
            }
            "multicast-routing" | "multicast" | "pim" | "igmp" | "mroute" | "msdp" => {
                if k1 == "multicast-routing" {
                    self.mcast_routing = true;
                }
                self.unknown_stanza(trimmed, Scope::Device, MCAST)
            }
            "nat" => self.top_nat(ln, t, kw),
            // Parameters and rule definitions only: they act through `ip admission` /
            // `ip auth-proxy` on an interface, which stays unrecognised and taints it.
            "auth-proxy" | "admission" => self.skip(
                "authentication proxy parameters (effective only through `ip admission` / `ip auth-proxy` on interfaces, which are unrecognized)",
            ),
            _ => self.unknown_stanza(trimmed, Scope::Device, "unknown top-level ip command"),
        }
    }

    pub(in crate::ingest) fn top_no(&mut self, trimmed: &str, kw: &[String]) -> Out {
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        let k2 = kw.get(2).map(String::as_str).unwrap_or("");
        match k1 {
            "service"
            | "aaa"
            | "logging"
            | "cdp"
            | "lldp"
            | "platform"
            | "mmi"
            | "scheduler"
            | "boot"
            | "snmp-server"
            | "vtp"
            | "spanning-tree"
            | "errdisable"
            | "memory"
            | "network-clock-participate"
            | "banner"
            | "exec"
            | "login"
            | "clock"
            | "license"
            | "call-home"
            | "process"
            | "virtual-service"
            | "udld"
            | "archive" => self.skip("management, logging, AAA and platform"),
            "ip" => match k2 {
                "routing" => self.unknown_stanza(
                    trimmed,
                    Scope::Routing,
                    "`no ip routing` (device does not route)",
                ),
                "domain-lookup" | "domain" | "http" | "bootp" | "source-route" | "finger"
                | "gratuitous-arps" | "cef" | "icmp" | "forward-protocol" | "ftp" | "tftp"
                | "rcmd" | "ssh" | "subnet-zero" | "dhcp" | "options" | "identd" | "scp"
                | "telnet" | "dns" | "name-server" | "mfib" => self.skip("management services (DNS, SSH, HTTP, TFTP, …)"),
                "classless" => self.unknown_stanza(trimmed, Scope::Routing, "`no ip classless`"),
                _ => {
                    self.unknown_stanza(trimmed, Scope::Device, "unknown top-level `no ip` command")
                }
            },
            "ipv6" => self.ipv6_stanza(),
            // As `crypto …` parameters (`top_crypto`): they act only through crypto maps and
            // tunnel protection, which stay unrecognized and taint what they touch.
            "crypto" => self.skip("VPN parameters (effective only through crypto maps / tunnel protection, which are unrecognized)"),
            _ => self.unknown_stanza(trimmed, Scope::Device, "unknown top-level `no` command"),
        }
    }

    // ------------------------------------------------------------------ finish

    fn finish(mut self) -> Device {
        if let Some(h) = self.hostname.take() {
            self.dev.name = h;
        }
        let is_switch = !self.dev.vlans.is_empty()
            || self
                .aux
                .iter()
                .any(|a| a.switchport_lines || a.seen_no_switchport);
        let mut late: Vec<(Span, String, String)> = vec![];
        for (itf, aux) in self.dev.interfaces.iter_mut().zip(self.aux.iter()) {
            itf.mode = resolve_mode(itf, aux, is_switch, self.flavor);
            if let Some((ctl, span)) = &aux.auth_control {
                let admit = match ctl {
                    AuthCtl::ForceAuthorized => None,
                    AuthCtl::ForceUnauthorized => Some(AuthAdmit::Nothing),
                    // Classic 802.1X enforces only with `dot1x system-auth-control`
                    // (MAB and IBNS 2.0 need no global switch).
                    AuthCtl::Auto => Some(
                        if !(self.dot1x_global || aux.auth_mab || aux.auth_ibns)
                            || aux.auth_multi_host
                            || aux.auth_open
                            || (aux.auth_ibns && !aux.auth_closed)
                        {
                            AuthAdmit::Any
                        } else {
                            AuthAdmit::LinkedHosts
                        },
                    ),
                };
                if let Some(admit) = admit {
                    if matches!(itf.mode, IfMode::Access { .. }) {
                        itf.port_auth = Some(PortAuth {
                            admit,
                            span: span.clone(),
                        });
                    } else {
                        late.push((
                            span.clone(),
                            itf.name.clone(),
                            "802.1X / MAB port-control on a port that is not an access switchport (IOS rejects it)".into(),
                        ));
                    }
                }
            }
            if aux.psec_enabled {
                let macs = if (aux.psec_macs.len() as u64) < u64::from(aux.psec_max) {
                    // Room left for dynamically learned MACs.
                    vec![]
                } else {
                    aux.psec_macs.clone()
                };
                itf.port_security = Some(PortSecurity {
                    macs,
                    span: aux.psec_span.clone().unwrap_or_else(|| itf.span.clone()),
                });
            }
        }
        late.extend(self.link_aggregates());
        self.resolve_deferred();
        for (span, ifname, reason) in late {
            self.unrec_late(span.line, reason, Scope::Interface(ifname));
        }
        for (name, p) in std::mem::take(&mut self.acls) {
            let mut rules = p.rules;
            rules.sort_by_key(|(s, _)| *s);
            if self.hw_acls.contains(&name) {
                // AlliedWare Plus hardware ACLs permit what no entry matches.
                rules.push((
                    u64::MAX,
                    AclRule {
                        action: crate::model::Action::Permit,
                        m: crate::model::Match::any(),
                        span: p.span.clone(),
                    },
                ));
            }
            self.dev.acls.insert(
                name.clone(),
                Acl {
                    name,
                    rules: rules.into_iter().map(|(_, r)| r).collect(),
                    span: p.span,
                },
            );
        }
        // References to things that do not exist: never silently read.
        let mut dangling = vec![];
        if self.flavor == Flavor::AwPlus {
            dangling.extend(self.awp_binding_checks());
        }
        for itf in &self.dev.interfaces {
            for r in [&itf.acl_in, &itf.acl_out].into_iter().flatten() {
                if !self.dev.acls.contains_key(&r.name) {
                    dangling.push((
                        r.span.line,
                        format!(
                            "access-group names ACL `{}`, which is not defined (IOS would filter nothing; not assumed)",
                            r.name
                        ),
                        Scope::Interface(itf.name.clone()),
                    ));
                }
            }
        }
        let names: std::collections::BTreeSet<String> =
            self.dev.interfaces.iter().map(|i| i.name.clone()).collect();
        let mut routes = std::mem::take(&mut self.dev.routes);
        routes.retain(|r| match &r.interface {
            Some(i) if !names.contains(i) => {
                dangling.push((
                    r.span.line,
                    format!("ip route exits by interface `{i}`, which is not configured"),
                    Scope::Routing,
                ));
                false
            }
            _ => true,
        });
        self.dev.routes = routes;
        self.resolve_ios_nat();
        for (ln, reason, scope) in dangling {
            self.unrec_late(ln, reason, scope);
        }
        match self.flavor {
            Flavor::Ios => self.recognise_covered(),
            Flavor::AwPlus => self.awp_recognise_covered(),
        }
        self.dev
    }
}

pub use interfaces::canon_if;

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

pub mod secrets;

mod objects;

use super::ParseError;
use crate::ingest::redact::{redact_line, FileRedaction};
use crate::model::{
    proto, Acl, AclRef, AclRule, Action, AddrSet, AuthAdmit, Device, Dialect, IfMode, Interface,
    IpMatch, Mac, Match, PortAuth, PortRange, PortSecurity, Route, Scope, Service, Span,
    Unrecognized, VlanSet,
};
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
    if text.trim().is_empty() {
        return Err(ParseError {
            file: file.to_string(),
            line: 1,
            message: "empty configuration".into(),
        });
    }
    let mut p = Parser::new(file);
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
enum Out {
    /// Modelled.
    Ok,
    /// Recognised and irrelevant to forwarding, for this reason.
    Irr(&'static str),
    Un(String, Scope),
    /// One unrecognized entry per scope (interface ranges).
    UnMany(String, Vec<Scope>),
}

const BANNER: &str = "banner";
const PKI: &str = "crypto PKI / keys";
const COMMENT: &str = "comment or blank line";
const IFPHYS: &str = "interface physical / management setting";

fn un(reason: impl Into<String>, scope: Scope) -> Out {
    Out::Un(reason.into(), scope)
}

#[derive(Clone)]
enum Ctx {
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
    Acl {
        name: String,
        extended: bool,
    },
    /// Object-group stanza: members.
    Group {
        kind: GroupKind,
        name: String,
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum SwMode {
    Access,
    Trunk,
}

/// Per-interface parse state that is resolved into [`IfMode`] at the end.
#[derive(Clone)]
struct IfAux {
    switchport_lines: bool,
    no_switchport: bool,
    /// `no switchport` was seen: the platform is a switch.
    seen_no_switchport: bool,
    mode: Option<SwMode>,
    access_vlan: Option<u16>,
    allowed: VlanSet,
    native: u16,
    has_primary: bool,
    psec_enabled: bool,
    psec_span: Option<Span>,
    psec_macs: Vec<Mac>,
    psec_max: u32,
    /// 802.1X / MAB: `port-control` value and its line.
    auth_control: Option<(AuthCtl, Span)>,
    /// `access-session port-control` (IBNS 2.0: open unless `access-session closed`).
    auth_ibns: bool,
    auth_closed: bool,
    /// `authentication open`.
    auth_open: bool,
    /// `host-mode multi-host`.
    auth_multi_host: bool,
    /// `mab` on the port (MAB needs no global 802.1X switch).
    auth_mab: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AuthCtl {
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
            access_vlan: None,
            allowed: VlanSet::all(),
            native: 1,
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
        }
    }
}

struct PendingAcl {
    span: Span,
    rules: Vec<(u64, AclRule)>,
    next_seq: u64,
    /// Entries naming object-groups, parsed at the end: (sequence, line, extended,
    /// index of the `permit|deny` token).
    deferred: Vec<(u64, u32, bool, usize)>,
}

struct Parser {
    dev: Device,
    hostname: Option<String>,
    ctx: Ctx,
    aux: Vec<IfAux>,
    acls: BTreeMap<String, PendingAcl>,
    banner: Option<String>,
    hex: bool,
    /// Lines of the open banner / hex block (reported if it never closes).
    provisional: Vec<u32>,
    /// Redaction context of every line (key and certificate blocks).
    red: FileRedaction,
    /// The file's lines, for entries made at the end.
    src: Vec<String>,
    groups: Groups,
    /// `dot1x system-auth-control`: 802.1X is enabled on the switch.
    dot1x_global: bool,
}

impl Parser {
    fn new(file: &str) -> Self {
        Parser {
            dev: Device::new(super::stem(file), file, DIALECT),
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
            dot1x_global: false,
        }
    }

    fn span(&self, ln: u32) -> Span {
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

    fn unrec(&mut self, ln: u32, raw: &str, reason: String, scope: Scope) {
        self.dev.unrecognized.push(Unrecognized {
            file: None,
            line: ln,
            text: self.red.line(ln, raw.trim()),
            reason,
            scope,
        });
    }

    fn line(&mut self, ln: u32, raw: &str) -> Out {
        // Multi-line banner text runs until the closing delimiter.
        if let Some(delim) = &self.banner {
            if raw.contains(delim.as_str()) {
                self.banner = None;
                self.provisional.clear();
            } else {
                self.provisional.push(ln);
            }
            return Out::Irr(BANNER);
        }
        let trimmed = raw.trim();
        // Certificate / key hex blocks run until `quit`, whatever their indentation.
        if self.hex {
            if trimmed == "quit" {
                self.hex = false;
                self.provisional.clear();
            } else {
                self.provisional.push(ln);
            }
            return Out::Irr(PKI);
        }
        if trimmed.is_empty() {
            return Out::Irr(COMMENT);
        }
        let indent = raw.len() - raw.trim_start().len();
        if trimmed.starts_with('!') {
            if indent == 0 {
                self.ctx = Ctx::Top;
            }
            return Out::Irr(COMMENT);
        }
        let toks: Vec<&str> = trimmed.split_whitespace().collect();
        let kw: Vec<String> = toks.iter().map(|t| t.to_ascii_lowercase()).collect();
        if indent == 0 {
            self.ctx = Ctx::Top;
            return self.top(ln, trimmed, &toks, &kw);
        }
        let ctx = self.ctx.clone();
        match ctx {
            Ctx::Top => un("indented line outside a known stanza", Scope::Device),
            Ctx::Skip(r) => Out::Irr(r),
            Ctx::Group { kind, name } => self.groups.member(ln, kind, &name, &toks, &kw),
            Ctx::HexChain => {
                if matches!(
                    kw.first().map(String::as_str),
                    Some("certificate" | "key-string")
                ) {
                    self.hex = true;
                    self.provisional = vec![ln];
                }
                Out::Irr(PKI)
            }
            Ctx::Unknown { scope, what } => un(format!("inside `{what}`"), scope),
            Ctx::Vlan => self.vlan_sub(&kw),
            Ctx::Acl { name, extended } => self.acl_sub(ln, &name, extended, &toks, &kw),
            Ctx::Iface {
                idx,
                base,
                parent,
                irr_parent,
            } => {
                let base = base.unwrap_or(indent);
                let nested = indent > base;
                let scopes: Vec<Scope> = idx
                    .iter()
                    .filter_map(|&i| self.dev.interfaces.get(i))
                    .map(|i| Scope::Interface(i.name.clone()))
                    .collect();
                let out = if nested {
                    match (&parent, irr_parent) {
                        (None, Some(r)) => Out::Irr(r),
                        (parent, _) => match parent {
                            Some(s) if !matches!(s, Scope::Interface(_)) => {
                                un("line in a sub-mode of an unsupported command", s.clone())
                            }
                            _ => {
                                Out::UnMany("line in an interface sub-mode".into(), scopes.clone())
                            }
                        },
                    }
                } else {
                    self.iface_sub(ln, &idx, &toks, &kw)
                };
                if !nested {
                    let irr_parent = match &out {
                        Out::Irr(r) => Some(*r),
                        _ => None,
                    };
                    let parent = match &out {
                        Out::Ok | Out::Irr(_) => None,
                        Out::Un(_, s) => Some(s.clone()),
                        Out::UnMany(..) => Some(Scope::Interface(String::new())),
                    };
                    self.ctx = Ctx::Iface {
                        idx: idx.clone(),
                        base: Some(base),
                        parent,
                        irr_parent,
                    };
                }
                match out {
                    Out::Ok | Out::Irr(_) => {
                        let sp = self.span(ln);
                        for &i in &idx {
                            if let Some(itf) = self.dev.interfaces.get_mut(i) {
                                itf.lines.push(sp.clone());
                            }
                        }
                        out
                    }
                    Out::Un(reason, Scope::Interface(_)) => Out::UnMany(reason, scopes),
                    other => other,
                }
            }
        }
    }

    // ------------------------------------------------------------------ top level

    fn top(&mut self, ln: u32, trimmed: &str, t: &[&str], kw: &[String]) -> Out {
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
            "router" => self.unknown_stanza(
                trimmed,
                Scope::Routing,
                "dynamic routing protocol (not modelled)",
            ),
            "banner" => self.banner_start(ln, trimmed, kw),
            "ip" => self.top_ip(ln, trimmed, t, kw),
            "no" => self.top_no(trimmed, kw),
            "ipv6" => match k1 {
                "unicast-routing" | "cef" => self.skip("IPv6 switching setting"),
                _ => self.unknown_stanza(trimmed, Scope::None, "IPv6 (outside the IPv4 model)"),
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
    fn skip(&mut self, reason: &'static str) -> Out {
        self.ctx = Ctx::Skip(reason);
        Out::Irr(reason)
    }

    fn unknown_stanza(&mut self, trimmed: &str, scope: Scope, reason: &str) -> Out {
        let what: String = redact_line(trimmed).chars().take(60).collect();
        self.ctx = Ctx::Unknown {
            scope: scope.clone(),
            what,
        };
        un(reason, scope)
    }

    fn banner_start(&mut self, ln: u32, trimmed: &str, kw: &[String]) -> Out {
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

    fn top_ip(&mut self, ln: u32, trimmed: &str, t: &[&str], kw: &[String]) -> Out {
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
            "multicast-routing" | "multicast" | "pim" | "igmp" | "mroute" | "msdp" => self
                .unknown_stanza(
                    trimmed,
                    Scope::None,
                    "multicast (outside the unicast model)",
                ),
            "nat" => self.unknown_stanza(
                trimmed,
                Scope::Device,
                "IOS NAT rewrites addresses (not lowered to header rewrites yet)",
            ),
            "auth-proxy" | "admission" => self.unknown_stanza(
                trimmed,
                Scope::None,
                "authentication proxy parameters (interfaces using it are reported separately)",
            ),
            _ => self.unknown_stanza(trimmed, Scope::Device, "unknown top-level ip command"),
        }
    }

    fn top_no(&mut self, trimmed: &str, kw: &[String]) -> Out {
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
            "ipv6" => self.unknown_stanza(trimmed, Scope::None, "IPv6 (outside the IPv4 model)"),
            "crypto" => self.unknown_stanza(
                trimmed,
                Scope::None,
                "VPN parameters (effective only through crypto maps or tunnel protection, reported separately)",
            ),
            _ => self.unknown_stanza(trimmed, Scope::Device, "unknown top-level `no` command"),
        }
    }

    // ------------------------------------------------------------------ static routes

    fn ip_route(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let (Some(prefix), Some(mask)) =
            (t.get(2).and_then(|s| ip(s)), t.get(3).and_then(|s| ip(s)))
        else {
            return un("malformed ip route (prefix / mask)", Scope::Routing);
        };
        let Some(len) = mask_len(mask) else {
            return un("ip route with a non-contiguous mask", Scope::Routing);
        };
        let mut i = 4;
        let mut next_hop = None;
        let mut interface = None;
        let mut discard = false;
        match t.get(i) {
            None => return un("ip route without next hop", Scope::Routing),
            Some(tok) => {
                if let Some(a) = ip(tok) {
                    next_hop = Some(a);
                    i += 1;
                } else {
                    let k = kw.get(i).map(String::as_str).unwrap_or("");
                    if matches!(
                        k,
                        "dhcp"
                            | "vrf"
                            | "profile"
                            | "static"
                            | "name"
                            | "tag"
                            | "track"
                            | "permanent"
                            | "global"
                            | "multicast"
                    ) {
                        return un(
                            format!("ip route with `{k}` next hop (not modelled)"),
                            Scope::Routing,
                        );
                    }
                    if !tok.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        return un(
                            format!("malformed ip route next hop `{tok}`"),
                            Scope::Routing,
                        );
                    }
                    let name = canon_if(tok);
                    if name == "Null0" {
                        discard = true;
                    } else {
                        interface = Some(name);
                    }
                    i += 1;
                    if let Some(a) = t.get(i).and_then(|s| ip(s)) {
                        next_hop = Some(a);
                        i += 1;
                    }
                }
            }
        }
        while i < t.len() {
            let k = kw.get(i).map(String::as_str).unwrap_or("");
            match k {
                "permanent" => i += 1,
                "name" | "tag" if i + 1 < t.len() => i += 2,
                _ => {
                    if let Ok(d) = k.parse::<u16>() {
                        if d == 255 {
                            return un(
                                "administrative distance 255: route is never installed",
                                Scope::Routing,
                            );
                        }
                        if (1..=254).contains(&d) {
                            i += 1;
                            continue;
                        }
                    }
                    return un(format!("unsupported ip route option `{k}`"), Scope::Routing);
                }
            }
        }
        let m = if len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(len))
        };
        let span = self.span(ln);
        self.dev.routes.push(Route {
            prefix: Ipv4Addr::from(u32::from(prefix) & m),
            len,
            next_hop,
            interface,
            discard,
            span,
        });
        Out::Ok
    }

    // ------------------------------------------------------------------ VLANs

    fn vlan_header(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        if k1 == "internal" {
            return self.skip("VLAN allocation policy");
        }
        if t.len() != 2 {
            let trimmed = t.join(" ");
            return self.unknown_stanza(&trimmed, Scope::Device, "unsupported vlan command");
        }
        match parse_vlan_list(k1) {
            Ok(set) => {
                let span = self.span(ln);
                for v in set.iter() {
                    self.dev.vlans.entry(v).or_insert_with(|| span.clone());
                }
                self.ctx = Ctx::Vlan;
                Out::Ok
            }
            Err(e) => {
                let trimmed = t.join(" ");
                self.unknown_stanza(&trimmed, Scope::Device, &format!("invalid VLAN list: {e}"))
            }
        }
    }

    fn vlan_sub(&mut self, kw: &[String]) -> Out {
        let k0 = kw.first().map(String::as_str).unwrap_or("");
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        match (k0, k1) {
            ("name", _) | ("exit", _) | ("state", "active") | ("no", "shutdown") => Out::Ok,
            _ => un("unsupported vlan sub-command", Scope::Device),
        }
    }

    // ------------------------------------------------------------------ interfaces

    fn interface_header(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        let names: Vec<String> = if k1 == "range" {
            let rest = t.get(2..).map(|r| r.join(" ")).unwrap_or_default();
            match expand_range(&rest) {
                Ok(v) => v,
                Err(e) => {
                    let trimmed = t.join(" ");
                    return self.unknown_stanza(
                        &trimmed,
                        Scope::Device,
                        &format!("unsupported interface range: {e}"),
                    );
                }
            }
        } else {
            let parts: Vec<&str> = t
                .get(1..)
                .unwrap_or(&[])
                .iter()
                .copied()
                .filter(|p| {
                    let l = p.to_ascii_lowercase();
                    l != "point-to-point" && l != "multipoint"
                })
                .collect();
            if parts.is_empty() {
                return un("interface without a name", Scope::Device);
            }
            vec![canon_if(&parts.concat())]
        };
        // Validate SVIs.
        for n in &names {
            if let Some(rest) = n.strip_prefix("Vlan") {
                match rest.parse::<u16>() {
                    Ok(v) if (1..=4094).contains(&v) => {}
                    _ => {
                        let trimmed = t.join(" ");
                        return self.unknown_stanza(
                            &trimmed,
                            Scope::Interface(n.clone()),
                            "invalid VLAN interface number",
                        );
                    }
                }
            }
        }
        let span = self.span(ln);
        let mut idx = vec![];
        for n in names {
            let i = match self.dev.interfaces.iter().position(|x| x.name == n) {
                Some(i) => {
                    if let Some(itf) = self.dev.interfaces.get_mut(i) {
                        itf.lines.push(span.clone());
                    }
                    i
                }
                None => {
                    self.dev.interfaces.push(Interface::new(n, span.clone()));
                    self.aux.push(IfAux::default());
                    self.dev.interfaces.len() - 1
                }
            };
            idx.push(i);
        }
        self.ctx = Ctx::Iface {
            idx,
            base: None,
            parent: None,
            irr_parent: None,
        };
        Out::Ok
    }

    fn iface_sub(&mut self, ln: u32, idx: &[usize], t: &[&str], kw: &[String]) -> Out {
        let k0 = kw.first().map(String::as_str).unwrap_or("");
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        let k2 = kw.get(2).map(String::as_str).unwrap_or("");
        let ifs = Scope::Interface(String::new()); // replaced by the caller per interface
        let n = t.len();
        match k0 {
            "description" | "speed" | "duplex" | "mtu" | "cdp" | "lldp" | "spanning-tree"
            | "storm-control" | "load-interval" | "negotiation" | "keepalive" | "bandwidth"
            | "delay" | "carrier-delay" | "logging" | "snmp" | "flowcontrol" | "hold-queue"
            | "media-type" | "power" | "mdix" | "udld" | "dampening" | "priority-queue"
            | "srr-queue" | "auto" | "arp" | "mop" | "exit" | "macro" | "clock"
            | "tx-ring-limit" | "ntp" | "autostate" | "small-frame" | "errdisable" | "lacp"
            | "link" | "shape" | "qos" | "network-clock" | "service-policy"
                if !(k0 == "service-policy" && k2 == "control") =>
            {
                Out::Irr(IFPHYS)
            }
            "authentication" | "dot1x" | "mab" | "access-session" => self.port_auth(ln, idx, kw),
            "vrf" => un("interface in a VRF (not modelled)", ifs),
            "mls" if k1 == "qos" => Out::Irr(IFPHYS),
            "shutdown" if n == 1 => {
                self.each_if(idx, |itf, _| itf.shutdown = true);
                Out::Ok
            }
            "ip" => self.iface_ip(ln, idx, t, kw),
            "ipv6" | "ospfv3" => un("IPv6 (outside the IPv4 model)", Scope::None),
            "isis" | "mpls" | "clns" | "bfd" | "tag-switching" | "bgp-policy" => un(
                "routing protocol interface setting (not modelled)",
                Scope::Routing,
            ),
            "no" => match k1 {
                "shutdown" if n == 2 => {
                    self.each_if(idx, |itf, _| itf.shutdown = false);
                    Out::Ok
                }
                "description" | "cdp" | "lldp" | "mop" | "keepalive" | "negotiation" | "snmp"
                | "logging" | "spanning-tree" | "storm-control" | "autostate" | "mdix" | "clns"
                | "bgp-policy" | "mls" | "flowcontrol" | "lacp" | "udld" | "power" | "macro"
                | "ntp" | "load-interval" | "carrier-delay" | "h323-gateway" | "mka" | "medium"
                | "bandwidth" | "synchronous" => Out::Irr(IFPHYS),
                "ipv6" => un("IPv6 (outside the IPv4 model)", Scope::None),
                "ip" => match k2 {
                    "address" if n == 3 => {
                        self.each_if(idx, |itf, aux| {
                            itf.addresses.clear();
                            aux.has_primary = false;
                        });
                        Out::Ok
                    }
                    "redirects" | "unreachables" | "proxy-arp" | "route-cache" | "mroute-cache"
                    | "directed-broadcast" | "mask-reply" | "local-proxy-arp"
                    | "information-reply" | "flow" | "nbar" | "virtual-reassembly"
                    | "sticky-arp" | "split-horizon" | "flowspec" | "accounting" => {
                        Out::Irr(IFPHYS)
                    }
                    "ospf" | "pim" | "igmp" | "passive-interface" | "summary-address" => un(
                        "routing protocol interface setting (not modelled)",
                        Scope::Routing,
                    ),
                    _ => un("unsupported interface command", ifs),
                },
                "switchport" => {
                    if n == 2 {
                        self.each_if(idx, |_, aux| {
                            aux.no_switchport = true;
                            aux.seen_no_switchport = true;
                        });
                        Out::Ok
                    } else {
                        match k2 {
                            "block" | "monitor" | "nonegotiate" | "priority" => Out::Ok,
                            "port-security" if n == 3 => {
                                self.each_if(idx, |_, aux| aux.psec_enabled = false);
                                Out::Ok
                            }
                            _ => un("unsupported interface command", ifs),
                        }
                    }
                }
                _ => un("unsupported interface command", ifs),
            },
            "encapsulation" => {
                let tag = kw.get(2).and_then(|s| s.parse::<u16>().ok());
                let native_ok =
                    n == 3 || (n == 4 && kw.get(3).map(String::as_str) == Some("native"));
                match (k1, tag) {
                    ("dot1q", Some(v)) if (1..=4094).contains(&v) && native_ok => {
                        let mut bad = false;
                        let names: Vec<String> = idx
                            .iter()
                            .filter_map(|&i| self.dev.interfaces.get(i))
                            .map(|i| i.name.clone())
                            .collect();
                        for (&i, name) in idx.iter().zip(names) {
                            match name.rsplit_once('.') {
                                Some((parent, _)) => {
                                    if let Some(itf) = self.dev.interfaces.get_mut(i) {
                                        itf.parent = Some((parent.to_string(), v));
                                    }
                                }
                                None => bad = true,
                            }
                        }
                        if bad {
                            un("encapsulation dot1Q on a non-sub-interface", ifs)
                        } else {
                            Out::Ok
                        }
                    }
                    _ => un("unsupported encapsulation", ifs),
                }
            }
            "switchport" => self.switchport(ln, idx, t, kw),
            _ => un("unsupported interface command", ifs),
        }
    }

    fn each_if(&mut self, idx: &[usize], mut f: impl FnMut(&mut Interface, &mut IfAux)) {
        for &i in idx {
            if let (Some(itf), Some(aux)) = (self.dev.interfaces.get_mut(i), self.aux.get_mut(i)) {
                f(itf, aux);
            }
        }
    }

    fn iface_ip(&mut self, ln: u32, idx: &[usize], t: &[&str], kw: &[String]) -> Out {
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        let k2 = kw.get(2).map(String::as_str).unwrap_or("");
        let n = t.len();
        let ifs = Scope::Interface(String::new());
        match k1 {
            "address" => {
                let (addr, len, rest) = match (t.get(2), t.get(3)) {
                    (Some(a), _) if a.contains('/') => match parse_cidr(a) {
                        Some((a, l)) => (a, l, 3),
                        None => return un("malformed ip address", ifs),
                    },
                    (Some(a), Some(m)) => match (ip(a), ip(m)) {
                        (Some(a), Some(m)) => match mask_len(m) {
                            Some(l) => (a, l, 4),
                            None => return un("non-contiguous interface mask", ifs),
                        },
                        _ => return un(format!("unsupported ip address form `{k2}`"), ifs),
                    },
                    _ => return un("unsupported ip address form", ifs),
                };
                if len == 0 {
                    // IOS rejects it ("Bad mask"); read as /0 it would put every
                    // address on this interface's connected network.
                    return un("interface mask 0.0.0.0 (/0) is not a valid address", ifs);
                }
                let secondary = match kw.get(rest).map(String::as_str) {
                    None => false,
                    Some("secondary") if n == rest + 1 => true,
                    Some(o) => return un(format!("unsupported ip address option `{o}`"), ifs),
                };
                self.each_if(idx, |itf, aux| {
                    if secondary {
                        if !itf.addresses.contains(&(addr, len)) {
                            itf.addresses.push((addr, len));
                        }
                    } else if aux.has_primary && !itf.addresses.is_empty() {
                        itf.addresses[0] = (addr, len);
                    } else {
                        itf.addresses.insert(0, (addr, len));
                        aux.has_primary = true;
                    }
                });
                Out::Ok
            }
            "access-group" => {
                let (Some(name), Some(dir)) = (t.get(2), kw.get(3)) else {
                    return un("malformed ip access-group", ifs);
                };
                if n != 4 {
                    return un("unsupported ip access-group form", ifs);
                }
                let r = AclRef {
                    name: name.to_string(),
                    span: self.span(ln),
                };
                match dir.as_str() {
                    "in" => self.each_if(idx, |itf, _| itf.acl_in = Some(r.clone())),
                    "out" => self.each_if(idx, |itf, _| itf.acl_out = Some(r.clone())),
                    _ => return un("unsupported ip access-group direction", ifs),
                }
                Out::Ok
            }
            "redirects" | "unreachables" | "proxy-arp" | "mtu" | "route-cache" | "mroute-cache"
            | "flow" | "nbar" | "virtual-reassembly" | "directed-broadcast" | "local-proxy-arp"
            | "accounting" | "mask-reply" | "information-reply" | "sticky-arp" | "load-sharing"
            | "split-horizon" => Out::Irr(IFPHYS),
            "tcp" if k2 == "adjust-mss" => Out::Irr(IFPHYS),
            "cef" if k2 == "accounting" => Out::Irr(IFPHYS),
            "ospf" | "router" | "summary-address" | "authentication" | "hello-interval"
            | "hold-time" | "bandwidth-percent" | "rip" | "eigrp" | "bgp" | "passive-interface"
            | "next-hop-self" => un(
                "routing protocol interface setting (not modelled)",
                Scope::Routing,
            ),
            "pim" | "igmp" | "multicast" | "mfib" | "cgmp" => {
                un("multicast (outside the unicast model)", Scope::None)
            }
            "vrf" => un("interface in a VRF (not modelled)", ifs),
            "nat" => un(
                "IOS NAT inside/outside marking (NAT not lowered to header rewrites yet)",
                ifs,
            ),
            "helper-address" => un("DHCP relay forwards broadcasts (not modelled)", ifs),
            _ => un("unsupported interface ip command", ifs),
        }
    }

    fn switchport(&mut self, ln: u32, idx: &[usize], t: &[&str], kw: &[String]) -> Out {
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        let k2 = kw.get(2).map(String::as_str).unwrap_or("");
        let n = t.len();
        let ifs = Scope::Interface(String::new());
        self.each_if(idx, |_, aux| aux.switchport_lines = true);
        match k1 {
            "" => {
                self.each_if(idx, |_, aux| aux.no_switchport = false);
                Out::Ok
            }
            "host" if n == 2 => {
                self.each_if(idx, |_, aux| aux.mode = Some(SwMode::Access));
                Out::Ok
            }
            "mode" if n == 3 => match k2 {
                "access" => {
                    self.each_if(idx, |_, aux| aux.mode = Some(SwMode::Access));
                    Out::Ok
                }
                "trunk" => {
                    self.each_if(idx, |_, aux| aux.mode = Some(SwMode::Trunk));
                    Out::Ok
                }
                _ => un(format!("switchport mode {k2} (not modelled)"), ifs),
            },
            "access" if k2 == "vlan" && n == 4 => match kw.get(3).and_then(|s| vlan_id(s)) {
                Some(v) => {
                    self.each_if(idx, |_, aux| aux.access_vlan = Some(v));
                    Out::Ok
                }
                None => un("invalid access VLAN", ifs),
            },
            "trunk" => match k2 {
                "native" if kw.get(3).map(String::as_str) == Some("vlan") && n == 5 => {
                    match kw.get(4).and_then(|s| vlan_id(s)) {
                        Some(v) => {
                            self.each_if(idx, |_, aux| aux.native = v);
                            Out::Ok
                        }
                        None => un("invalid native VLAN", ifs),
                    }
                }
                "allowed" if kw.get(3).map(String::as_str) == Some("vlan") => {
                    let op = kw.get(4).map(String::as_str).unwrap_or("");
                    let list = kw.get(5).map(String::as_str);
                    let apply: Box<dyn Fn(&mut VlanSet)> = match (op, list, n) {
                        ("all", None, 5) => Box::new(|s: &mut VlanSet| *s = VlanSet::all()),
                        ("none", None, 5) => Box::new(|s: &mut VlanSet| *s = VlanSet::none()),
                        ("add" | "remove" | "except", Some(l), 6) => {
                            let set = match parse_vlan_list(l) {
                                Ok(s) => s,
                                Err(e) => return un(format!("invalid VLAN list: {e}"), ifs),
                            };
                            match op {
                                "add" => Box::new(move |s: &mut VlanSet| {
                                    for &(a, b) in &set.ranges {
                                        s.add(a, b);
                                    }
                                }),
                                "remove" => Box::new(move |s: &mut VlanSet| {
                                    for &(a, b) in &set.ranges {
                                        s.remove(a, b);
                                    }
                                }),
                                _ => Box::new(move |s: &mut VlanSet| {
                                    let mut all = VlanSet::all();
                                    for &(a, b) in &set.ranges {
                                        all.remove(a, b);
                                    }
                                    *s = all;
                                }),
                            }
                        }
                        (l, None, 5) => match parse_vlan_list(l) {
                            Ok(set) => Box::new(move |s: &mut VlanSet| *s = set.clone()),
                            Err(e) => return un(format!("invalid VLAN list: {e}"), ifs),
                        },
                        _ => return un("malformed switchport trunk allowed vlan", ifs),
                    };
                    self.each_if(idx, |_, aux| apply(&mut aux.allowed));
                    Out::Ok
                }
                "encapsulation" if kw.get(3).map(String::as_str) == Some("dot1q") && n == 4 => {
                    Out::Ok
                }
                "pruning" => Out::Ok,
                _ => un("unsupported switchport trunk command", ifs),
            },
            "nonegotiate" | "block" => Out::Ok,
            "port-security" => self.port_security(ln, idx, t, kw),
            _ => un("unsupported switchport command", ifs),
        }
    }

    /// 802.1X / MAB lines (`authentication …`, `dot1x …`, `mab`, `access-session …`).
    fn port_auth(&mut self, ln: u32, idx: &[usize], kw: &[String]) -> Out {
        let k = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        let (k0, k1, k2) = (k(0), k(1), k(2));
        let n = kw.len();
        let ifs = Scope::Interface(String::new());
        let span = self.span(ln);
        let moves = "802.1X / MAB option that may authorise unauthenticated hosts or move them to another VLAN (not modelled)";
        match (k0, k1) {
            (_, "port-control") if n == 3 && k0 != "mab" => {
                let ctl = match k2 {
                    "auto" => AuthCtl::Auto,
                    "force-authorized" => AuthCtl::ForceAuthorized,
                    "force-unauthorized" => AuthCtl::ForceUnauthorized,
                    _ => return un(format!("unknown port-control `{k2}`"), ifs),
                };
                let ibns = k0 == "access-session";
                self.each_if(idx, |_, aux| {
                    aux.auth_control = Some((ctl, span.clone()));
                    aux.auth_ibns = ibns;
                });
                Out::Ok
            }
            ("mab", "") | ("mab", "eap") if n <= 2 => {
                self.each_if(idx, |_, aux| aux.auth_mab = true);
                Out::Ok
            }
            ("dot1x", "pae") if n == 3 => Out::Ok,
            ("authentication", "open") if n == 2 => {
                self.each_if(idx, |_, aux| aux.auth_open = true);
                Out::Ok
            }
            ("access-session", "closed") if n == 2 => {
                self.each_if(idx, |_, aux| aux.auth_closed = true);
                Out::Ok
            }
            ("authentication" | "dot1x" | "access-session", "host-mode") if n == 3 => match k2 {
                "single-host" | "multi-auth" | "multi-domain" => Out::Ok,
                "multi-host" => {
                    self.each_if(idx, |_, aux| aux.auth_multi_host = true);
                    Out::Ok
                }
                _ => un(format!("unknown host-mode `{k2}`"), ifs),
            },
            (
                "authentication" | "dot1x" | "access-session",
                "order" | "priority" | "periodic" | "timer" | "violation" | "control-direction"
                | "timeout" | "max-req" | "max-reauth-req" | "max-start" | "reauthentication",
            ) => Out::Ok,
            ("authentication", "event") => {
                // `… action next-method` and `… action reinitialize` (no VLAN) only retry.
                let last = kw.last().map(String::as_str).unwrap_or("");
                if k(n.saturating_sub(2)) == "action"
                    && matches!(last, "next-method" | "reinitialize")
                {
                    Out::Ok
                } else {
                    un(moves, ifs)
                }
            }
            _ => un(moves, ifs),
        }
    }

    fn port_security(&mut self, ln: u32, idx: &[usize], t: &[&str], kw: &[String]) -> Out {
        let k2 = kw.get(2).map(String::as_str).unwrap_or("");
        let n = t.len();
        let ifs = Scope::Interface(String::new());
        let span = self.span(ln);
        let mark = |aux: &mut IfAux| {
            if aux.psec_span.is_none() {
                aux.psec_span = Some(span.clone());
            }
        };
        match k2 {
            "" => {
                self.each_if(idx, |_, aux| {
                    mark(aux);
                    aux.psec_enabled = true;
                });
                Out::Ok
            }
            "violation" | "aging" => {
                self.each_if(idx, |_, aux| mark(aux));
                Out::Ok
            }
            "maximum" if n == 4 => match kw.get(3).and_then(|s| s.parse::<u32>().ok()) {
                Some(m) if m >= 1 => {
                    self.each_if(idx, |_, aux| {
                        mark(aux);
                        aux.psec_max = m;
                    });
                    Out::Ok
                }
                _ => un("invalid port-security maximum", ifs),
            },
            "mac-address" => {
                let k3 = kw.get(3).map(String::as_str).unwrap_or("");
                let mac_tok = if k3 == "sticky" { kw.get(4) } else { kw.get(3) };
                let expected = if k3 == "sticky" { 5 } else { 4 };
                if k3 == "sticky" && n == 4 {
                    // Sticky learning: learned MACs are kept; nothing static yet.
                    self.each_if(idx, |_, aux| mark(aux));
                    return Out::Ok;
                }
                if n != expected {
                    return un("unsupported port-security mac-address form", ifs);
                }
                match mac_tok.and_then(|s| parse_mac(s)) {
                    Some(m) => {
                        self.each_if(idx, |_, aux| {
                            mark(aux);
                            if !aux.psec_macs.contains(&m) {
                                aux.psec_macs.push(m);
                            }
                        });
                        Out::Ok
                    }
                    None => un("invalid MAC address", ifs),
                }
            }
            _ => un("unsupported port-security command", ifs),
        }
    }

    // ------------------------------------------------------------------ ACLs

    fn ensure_acl(&mut self, name: &str, ln: u32) {
        if !self.acls.contains_key(name) {
            let span = self.span(ln);
            self.acls.insert(
                name.to_string(),
                PendingAcl {
                    span,
                    rules: vec![],
                    next_seq: 10,
                    deferred: vec![],
                },
            );
        }
    }

    fn numbered_acl(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let Some(num_s) = t.get(1) else {
            return un("malformed access-list", Scope::Device);
        };
        let Ok(num) = num_s.parse::<u32>() else {
            return un("access-list with a non-numeric name", Scope::Device);
        };
        let extended = match num {
            1..=99 | 1300..=1999 => false,
            100..=199 | 2000..=2699 => true,
            _ => {
                return un(
                    "access-list number of a non-IP type (not modelled)",
                    Scope::Device,
                )
            }
        };
        let name = num.to_string();
        self.ensure_acl(&name, ln);
        let scope = Scope::Acl(name.clone());
        match kw.get(2).map(String::as_str) {
            Some("remark") => Out::Ok,
            Some("permit" | "deny") if uses_groups(kw) => self
                .defer(&name, None, ln, extended, 2)
                .unwrap_or_else(|e| un(e, scope)),
            Some("permit" | "deny") => {
                let res = if extended {
                    parse_extended(
                        t.get(2..).unwrap_or(&[]),
                        kw.get(2..).unwrap_or(&[]),
                        &NO_GROUPS,
                    )
                } else {
                    parse_standard(t.get(2..).unwrap_or(&[]), kw.get(2..).unwrap_or(&[]))
                };
                match res {
                    Ok((action, m)) => self
                        .push_rule(&name, None, action, m, ln)
                        .unwrap_or_else(|e| un(e, scope)),
                    Err(e) => un(e, scope),
                }
            }
            Some(o) => un(format!("unsupported access-list entry `{o}`"), scope),
            None => un("access-list without an entry", scope),
        }
    }

    fn acl_sub(&mut self, ln: u32, name: &str, extended: bool, t: &[&str], kw: &[String]) -> Out {
        let scope = Scope::Acl(name.to_string());
        let mut start = 0;
        let mut seq = None;
        if let Some(first) = kw.first() {
            if first.bytes().all(|b| b.is_ascii_digit()) {
                match first.parse::<u64>() {
                    Ok(s) => {
                        seq = Some(s);
                        start = 1;
                    }
                    Err(_) => return un("invalid sequence number", scope),
                }
            }
        }
        let toks = t.get(start..).unwrap_or(&[]);
        let kws = kw.get(start..).unwrap_or(&[]);
        match kws.first().map(String::as_str) {
            Some("remark") => Out::Ok,
            Some("statistics") if seq.is_none() => Out::Ok,
            Some("exit") if seq.is_none() => Out::Ok,
            Some("permit" | "deny") if uses_groups(kws) => self
                .defer(name, seq, ln, extended, start)
                .unwrap_or_else(|e| un(e, scope)),
            Some("permit" | "deny") => {
                let res = if extended {
                    parse_extended(toks, kws, &NO_GROUPS)
                } else {
                    parse_standard(toks, kws)
                };
                match res {
                    Ok((action, m)) => self
                        .push_rule(name, seq, action, m, ln)
                        .unwrap_or_else(|e| un(e, scope)),
                    Err(e) => un(e, scope),
                }
            }
            Some(o) => un(format!("unsupported ACL entry `{o}`"), scope),
            None => un("empty ACL entry", scope),
        }
    }

    /// Reserve the entry's place; it is parsed at the end, when every group is known.
    fn defer(
        &mut self,
        name: &str,
        seq: Option<u64>,
        ln: u32,
        extended: bool,
        start: usize,
    ) -> Result<Out, String> {
        let Some(acl) = self.acls.get_mut(name) else {
            return Err("internal: ACL not opened".into());
        };
        let s = match seq {
            Some(s) => {
                if acl.rules.iter().any(|(x, _)| *x == s) || acl.deferred.iter().any(|d| d.0 == s) {
                    return Err(format!("duplicate sequence number {s}"));
                }
                s
            }
            None => acl.next_seq,
        };
        acl.next_seq = acl.next_seq.max(s.saturating_add(10));
        acl.deferred.push((s, ln, extended, start));
        Ok(Out::Ok)
    }

    /// Parse the deferred entries of every ACL.
    fn resolve_deferred(&mut self) {
        let mut late = vec![];
        for (name, acl) in self.acls.iter_mut() {
            for (seq, ln, extended, start) in std::mem::take(&mut acl.deferred) {
                let raw = self
                    .src
                    .get((ln as usize).saturating_sub(1))
                    .cloned()
                    .unwrap_or_default();
                let t: Vec<&str> = raw.split_whitespace().collect();
                let kw: Vec<String> = t.iter().map(|x| x.to_ascii_lowercase()).collect();
                let (t, kw) = (
                    t.get(start..).unwrap_or(&[]),
                    kw.get(start..).unwrap_or(&[]),
                );
                let res = if extended {
                    parse_extended(t, kw, &self.groups)
                } else {
                    parse_standard(t, kw)
                };
                match res {
                    Ok((action, m)) => acl.rules.push((
                        seq,
                        AclRule {
                            action,
                            m,
                            span: self.dev.span(ln),
                        },
                    )),
                    Err(e) => late.push((ln, e, Scope::Acl(name.clone()))),
                }
            }
        }
        for (ln, e, scope) in late {
            self.unrec_late(ln, e, scope);
        }
    }

    fn push_rule(
        &mut self,
        name: &str,
        seq: Option<u64>,
        action: Action,
        m: Match,
        ln: u32,
    ) -> Result<Out, String> {
        let span = self.span(ln);
        let Some(acl) = self.acls.get_mut(name) else {
            return Err("internal: ACL not opened".into());
        };
        let s = match seq {
            Some(s) => {
                if acl.rules.iter().any(|(x, _)| *x == s) || acl.deferred.iter().any(|d| d.0 == s) {
                    return Err(format!("duplicate sequence number {s}"));
                }
                s
            }
            None => acl.next_seq,
        };
        acl.next_seq = acl.next_seq.max(s.saturating_add(10));
        acl.rules.push((s, AclRule { action, m, span }));
        Ok(Out::Ok)
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
            itf.mode = resolve_mode(itf, aux, is_switch);
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
        self.resolve_deferred();
        for (span, ifname, reason) in late {
            self.unrec_late(span.line, reason, Scope::Interface(ifname));
        }
        for (name, p) in std::mem::take(&mut self.acls) {
            let mut rules = p.rules;
            rules.sort_by_key(|(s, _)| *s);
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
        for (ln, reason, scope) in dangling {
            self.unrec_late(ln, reason, scope);
        }
        self.dev
    }
}

fn resolve_mode(itf: &Interface, aux: &IfAux, is_switch: bool) -> IfMode {
    if let Some(v) = itf
        .name
        .strip_prefix("Vlan")
        .and_then(|s| s.parse::<u16>().ok())
    {
        return IfMode::Svi { vlan: v };
    }
    if aux.no_switchport || itf.parent.is_some() || itf.name.contains('.') {
        return IfMode::Routed;
    }
    let switchport = if aux.switchport_lines {
        true
    } else {
        is_switch && is_physical(&itf.name) && itf.addresses.is_empty()
    };
    if !switchport {
        return IfMode::Routed;
    }
    match aux.mode {
        Some(SwMode::Trunk) => IfMode::Trunk {
            allowed: aux.allowed.clone(),
            native: aux.native,
        },
        _ => IfMode::Access {
            vlan: aux.access_vlan.unwrap_or(1),
        },
    }
}

fn is_physical(name: &str) -> bool {
    const PHYS: &[&str] = &[
        "GigabitEthernet",
        "TenGigabitEthernet",
        "FastEthernet",
        "Ethernet",
        "TwoGigabitEthernet",
        "FiveGigabitEthernet",
        "TwentyFiveGigE",
        "FortyGigabitEthernet",
        "HundredGigE",
        "Port-channel",
    ];
    let letters: String = name
        .chars()
        .take_while(|c| c.is_ascii_alphabetic() || *c == '-')
        .collect();
    PHYS.contains(&letters.as_str()) && !name.contains('.')
}

// ---------------------------------------------------------------------- helpers

fn ip(s: &str) -> Option<Ipv4Addr> {
    s.parse().ok()
}

/// Prefix length of a contiguous netmask.
fn mask_len(m: Ipv4Addr) -> Option<u8> {
    let v = u32::from(m);
    let len = v.leading_ones();
    if v.checked_shl(len).unwrap_or(0) == 0 {
        u8::try_from(len).ok()
    } else {
        None
    }
}

fn parse_cidr(s: &str) -> Option<(Ipv4Addr, u8)> {
    let (a, l) = s.split_once('/')?;
    let l: u8 = l.parse().ok()?;
    (l <= 32).then_some(())?;
    Some((ip(a)?, l))
}

fn vlan_id(s: &str) -> Option<u16> {
    s.parse::<u16>().ok().filter(|v| (1..=4094).contains(v))
}

/// `10,20-30` → set. Errors name the bad item.
pub(crate) fn parse_vlan_list(s: &str) -> Result<VlanSet, String> {
    let mut set = VlanSet::none();
    for item in s.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err("empty item".into());
        }
        let (a, b) = match item.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (item, item),
        };
        let (Some(a), Some(b)) = (vlan_id(a), vlan_id(b)) else {
            return Err(format!("`{item}` is not a VLAN id / range in 1-4094"));
        };
        if a > b {
            return Err(format!("`{item}` is a reversed range"));
        }
        set.add(a, b);
    }
    Ok(set)
}

fn parse_mac(s: &str) -> Option<Mac> {
    let mut bytes = [0u8; 6];
    let groups: Vec<&str> = s.split('.').collect();
    if groups.len() == 3 {
        for (gi, g) in groups.iter().enumerate() {
            if g.is_empty() || g.len() > 4 {
                return None;
            }
            let v = u16::from_str_radix(g, 16).ok()?;
            let [hi, lo] = v.to_be_bytes();
            bytes[gi * 2] = hi;
            bytes[gi * 2 + 1] = lo;
        }
    } else {
        let parts: Vec<&str> = s.split([':', '-']).collect();
        if parts.len() != 6 {
            return None;
        }
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || p.len() > 2 {
                return None;
            }
            bytes[i] = u8::from_str_radix(p, 16).ok()?;
        }
    }
    Some(Mac::new(
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5],
    ))
}

/// Canonical interface type names and the shortest accepted abbreviation.
const IF_TYPES: &[(&str, usize)] = &[
    ("GigabitEthernet", 2),
    ("TenGigabitEthernet", 2),
    ("TwoGigabitEthernet", 3),
    ("TwentyFiveGigE", 3),
    ("FiveGigabitEthernet", 2),
    ("FortyGigabitEthernet", 2),
    ("FastEthernet", 2),
    ("HundredGigE", 2),
    ("Ethernet", 2),
    ("Vlan", 2),
    ("Port-channel", 2),
    ("Loopback", 2),
    ("Tunnel", 2),
    ("Null", 2),
    ("Serial", 2),
    ("BDI", 3),
    ("Dialer", 2),
    ("Virtual-Template", 7),
    ("AppGigabitEthernet", 2),
];

/// Canonicalise an interface name: `gi1/0/1` → `GigabitEthernet1/0/1`. Unknown types
/// keep their spelling (spaces removed).
pub fn canon_if(s: &str) -> String {
    let s: String = s.split_whitespace().collect();
    let bytes = s.as_bytes();
    // Type: letters, and hyphens followed by a letter.
    let mut end = 0;
    while end < bytes.len() {
        let c = bytes[end];
        if c.is_ascii_alphabetic()
            || (c == b'-' && bytes.get(end + 1).is_some_and(|n| n.is_ascii_alphabetic()))
        {
            end += 1;
        } else {
            break;
        }
    }
    let (ty, rest) = s.split_at(end);
    let lt = ty.to_ascii_lowercase();
    // Special abbreviations that are not simple prefixes.
    let special = match lt.as_str() {
        "tengige" => Some("TenGigabitEthernet"),
        "twe" => Some("TwentyFiveGigE"),
        "tw" => Some("TwoGigabitEthernet"),
        "fortygige" => Some("FortyGigabitEthernet"),
        "hundredgigabitethernet" => Some("HundredGigE"),
        "po" | "portchannel" => Some("Port-channel"),
        _ => None,
    };
    if let Some(c) = special {
        return format!("{c}{rest}");
    }
    for (canon, min) in IF_TYPES {
        let lc = canon.to_ascii_lowercase();
        if lt.len() >= *min && lc.starts_with(&lt) {
            return format!("{canon}{rest}");
        }
    }
    s
}

/// Expand `Gi1/0/1 - 4, Gi1/0/10` into canonical names.
fn expand_range(s: &str) -> Result<Vec<String>, String> {
    let mut out = vec![];
    for item in s.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err("empty range item".into());
        }
        let bytes = item.as_bytes();
        // Find the range dash: a '-' not followed by a letter.
        let mut dash = None;
        for (i, &c) in bytes.iter().enumerate() {
            if c == b'-' && !bytes.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic()) {
                dash = Some(i);
                break;
            }
        }
        let Some(d) = dash else {
            out.push(canon_if(item));
            continue;
        };
        let (first, last) = (item[..d].trim(), item[d + 1..].trim());
        let first = canon_if(first);
        let Ok(hi) = last.parse::<u32>() else {
            return Err(format!("bad range end `{last}`"));
        };
        // The trailing digits; `rfind(..) + 1` would split inside a multi-byte char.
        let split = first.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (stem, lo_s) = first.split_at(split);
        let Ok(lo) = lo_s.parse::<u32>() else {
            return Err(format!("bad range start `{first}`"));
        };
        if lo > hi || hi - lo > 4096 || stem.is_empty() {
            return Err(format!("bad range `{item}`"));
        }
        for n in lo..=hi {
            out.push(format!("{stem}{n}"));
        }
    }
    if out.is_empty() {
        return Err("empty range".into());
    }
    Ok(out)
}

// ---------------------------------------------------------------------- ACL entries

fn action(k: &str) -> Result<Action, String> {
    match k {
        "permit" => Ok(Action::Permit),
        "deny" => Ok(Action::Deny),
        o => Err(format!("unsupported ACL action `{o}`")),
    }
}

/// Standard entry: `permit|deny SRC [log]`.
fn parse_standard(t: &[&str], kw: &[String]) -> Result<(Action, Match), String> {
    let act = action(kw.first().map(String::as_str).unwrap_or(""))?;
    let mut i = 1;
    let src = parse_addr(t, kw, &mut i, true)?;
    parse_log(kw, i)?;
    Ok((
        act,
        Match {
            src: AddrSet::one(src),
            ..Match::any()
        },
    ))
}

/// Only `log` / `log-input` may follow.
fn parse_log(kw: &[String], mut i: usize) -> Result<(), String> {
    while let Some(k) = kw.get(i) {
        match k.as_str() {
            "log" | "log-input" => i += 1,
            o => return Err(format!("unsupported ACL option `{o}`")),
        }
    }
    Ok(())
}

fn parse_addr(t: &[&str], kw: &[String], i: &mut usize, standard: bool) -> Result<IpMatch, String> {
    let Some(k) = kw.get(*i) else {
        return Err("missing address".into());
    };
    match k.as_str() {
        "any" => {
            *i += 1;
            Ok(IpMatch::Any)
        }
        "host" => {
            let a = t
                .get(*i + 1)
                .and_then(|s| ip(s))
                .ok_or_else(|| "bad host address".to_string())?;
            *i += 2;
            Ok(IpMatch::host(a))
        }
        other => {
            let Some(a) = ip(t.get(*i).copied().unwrap_or("")) else {
                return Err(format!("unsupported address `{other}`"));
            };
            match t.get(*i + 1).and_then(|s| ip(s)) {
                Some(w) => {
                    *i += 2;
                    let wv = u32::from(w);
                    Ok(IpMatch::Wildcard {
                        addr: Ipv4Addr::from(u32::from(a) & !wv),
                        wildcard: w,
                    })
                }
                None if standard => {
                    *i += 1;
                    Ok(IpMatch::host(a))
                }
                None => Err(format!("address `{other}` without wildcard")),
            }
        }
    }
}

static NO_GROUPS: std::sync::LazyLock<Groups> = std::sync::LazyLock::new(Groups::default);

/// Does an ACL entry name an object-group?
fn uses_groups(kw: &[String]) -> bool {
    kw.iter()
        .any(|k| matches!(k.as_str(), "object-group" | "addrgroup" | "portgroup"))
}

/// An address, or `object-group NAME` / `addrgroup NAME`.
fn parse_addr_set(t: &[&str], kw: &[String], i: &mut usize, g: &Groups) -> Result<AddrSet, String> {
    match kw.get(*i).map(String::as_str) {
        Some("object-group" | "addrgroup") => {
            let name = t.get(*i + 1).ok_or("missing object-group name")?;
            *i += 2;
            Ok(AddrSet {
                items: g.net(name)?,
            })
        }
        _ => parse_addr(t, kw, i, false).map(AddrSet::one),
    }
}

/// Ports, or `portgroup NAME`.
fn parse_ports_g(
    t: &[&str],
    kw: &[String],
    i: &mut usize,
    has_ports: bool,
    g: &Groups,
) -> Result<Vec<PortRange>, String> {
    if kw.get(*i).map(String::as_str) == Some("portgroup") {
        if !has_ports {
            return Err("portgroup on a protocol without ports".into());
        }
        let name = t.get(*i + 1).ok_or("missing portgroup name")?;
        *i += 2;
        return g.port(name);
    }
    parse_ports(kw, i, has_ports)
}

fn proto_num(k: &str) -> Result<Option<u8>, String> {
    Ok(Some(match k {
        "ip" => return Ok(None),
        "icmp" => proto::ICMP,
        "igmp" => 2,
        "ipinip" => 4,
        "tcp" => proto::TCP,
        "udp" => proto::UDP,
        "gre" => 47,
        "esp" => 50,
        "ahp" => 51,
        "eigrp" => 88,
        "ospf" => 89,
        "nos" => 94,
        "pim" => 103,
        "pcp" => 108,
        "sctp" => proto::SCTP,
        o => match o.parse::<u8>() {
            Ok(n) => n,
            Err(_) => return Err(format!("unsupported protocol `{o}`")),
        },
    }))
}

fn port_name(k: &str) -> Option<u16> {
    if let Ok(n) = k.parse::<u16>() {
        return Some(n);
    }
    Some(match k {
        "echo" => 7,
        "discard" => 9,
        "daytime" => 13,
        "chargen" => 19,
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "time" => 37,
        "nameserver" => 42,
        "whois" => 43,
        "tacacs" => 49,
        "domain" => 53,
        "bootps" => 67,
        "bootpc" => 68,
        "tftp" => 69,
        "gopher" => 70,
        "finger" => 79,
        "www" | "http" => 80,
        "hostname" => 101,
        "pop2" => 109,
        "pop3" => 110,
        "sunrpc" => 111,
        "ident" => 113,
        "nntp" => 119,
        "ntp" => 123,
        "msrpc" => 135,
        "netbios-ns" => 137,
        "netbios-dgm" => 138,
        "netbios-ss" => 139,
        "imap" | "imap4" => 143,
        "snmp" => 161,
        "snmptrap" => 162,
        "xdmcp" => 177,
        "bgp" => 179,
        "irc" => 194,
        "dnsix" => 195,
        "ldap" => 389,
        "mobile-ip" => 434,
        "https" => 443,
        "pim-auto-rp" => 496,
        "isakmp" => 500,
        "exec" | "biff" => 512,
        "login" | "who" => 513,
        "cmd" | "syslog" => 514,
        "lpd" => 515,
        "talk" => 517,
        "rip" => 520,
        "uucp" => 540,
        "klogin" => 543,
        "kshell" => 544,
        "ldaps" => 636,
        "non500-isakmp" => 4500,
        _ => return None,
    })
}

/// Optional port operator; returns the admitted ranges (ANY if none given).
fn parse_ports(kw: &[String], i: &mut usize, has_ports: bool) -> Result<Vec<PortRange>, String> {
    let op = kw.get(*i).map(String::as_str).unwrap_or("");
    if !matches!(op, "eq" | "neq" | "lt" | "gt" | "range") {
        return Ok(vec![PortRange::ANY]);
    }
    if !has_ports {
        return Err(format!("port operator `{op}` on a protocol without ports"));
    }
    let port = |j: usize| -> Result<u16, String> {
        let k = kw.get(j).map(String::as_str).unwrap_or("");
        port_name(k).ok_or_else(|| format!("unknown port `{k}`"))
    };
    let out = match op {
        "eq" => {
            let mut v = vec![PortRange::single(port(*i + 1)?)];
            *i += 2;
            while let Some(p) = kw.get(*i).and_then(|k| port_name(k)) {
                v.push(PortRange::single(p));
                *i += 1;
            }
            return Ok(v);
        }
        "neq" => {
            let p = port(*i + 1)?;
            let mut v = vec![];
            if p > 0 {
                v.push(PortRange { lo: 0, hi: p - 1 });
            }
            if p < u16::MAX {
                v.push(PortRange {
                    lo: p + 1,
                    hi: u16::MAX,
                });
            }
            *i += 2;
            v
        }
        "lt" => {
            let p = port(*i + 1)?;
            if p == 0 {
                return Err("`lt 0` matches no port".into());
            }
            *i += 2;
            vec![PortRange { lo: 0, hi: p - 1 }]
        }
        "gt" => {
            let p = port(*i + 1)?;
            if p == u16::MAX {
                return Err("`gt 65535` matches no port".into());
            }
            *i += 2;
            vec![PortRange {
                lo: p + 1,
                hi: u16::MAX,
            }]
        }
        _ => {
            let (lo, hi) = (port(*i + 1)?, port(*i + 2)?);
            if lo > hi {
                return Err("reversed port range".into());
            }
            *i += 3;
            vec![PortRange { lo, hi }]
        }
    };
    Ok(out)
}

fn icmp_name(k: &str) -> Option<(u8, Option<u8>)> {
    Some(match k {
        "echo-reply" => (0, None),
        "unreachable" => (3, None),
        "net-unreachable" => (3, Some(0)),
        "host-unreachable" => (3, Some(1)),
        "protocol-unreachable" => (3, Some(2)),
        "port-unreachable" => (3, Some(3)),
        "packet-too-big" => (3, Some(4)),
        "source-route-failed" => (3, Some(5)),
        "network-unknown" => (3, Some(6)),
        "host-unknown" => (3, Some(7)),
        "host-isolated" => (3, Some(8)),
        "dod-net-prohibited" => (3, Some(9)),
        "dod-host-prohibited" => (3, Some(10)),
        "net-tos-unreachable" => (3, Some(11)),
        "host-tos-unreachable" => (3, Some(12)),
        "administratively-prohibited" => (3, Some(13)),
        "host-precedence-unreachable" => (3, Some(14)),
        "precedence-unreachable" => (3, Some(15)),
        "source-quench" => (4, None),
        "redirect" => (5, None),
        "net-redirect" => (5, Some(0)),
        "host-redirect" => (5, Some(1)),
        "net-tos-redirect" => (5, Some(2)),
        "host-tos-redirect" => (5, Some(3)),
        "alternate-address" => (6, None),
        "echo" => (8, None),
        "router-advertisement" => (9, None),
        "router-solicitation" => (10, None),
        "time-exceeded" => (11, None),
        "ttl-exceeded" => (11, Some(0)),
        "reassembly-timeout" => (11, Some(1)),
        "parameter-problem" => (12, None),
        "general-parameter-problem" => (12, Some(0)),
        "option-missing" => (12, Some(1)),
        "timestamp-request" => (13, None),
        "timestamp-reply" => (14, None),
        "information-request" => (15, None),
        "information-reply" => (16, None),
        "mask-request" => (17, None),
        "mask-reply" => (18, None),
        "traceroute" => (30, None),
        "conversion-error" => (31, None),
        "mobile-redirect" => (32, None),
        _ => return None,
    })
}

/// Extended entry: `permit|deny PROTO SRC [PORTS] DST [PORTS] [options]`.
fn parse_extended(t: &[&str], kw: &[String], g: &Groups) -> Result<(Action, Match), String> {
    let act = action(kw.first().map(String::as_str).unwrap_or(""))?;
    let pk = kw.get(1).map(String::as_str).unwrap_or("");
    // `permit object-group SVC SRC DST`: the service group takes the protocol's place.
    let (p, mut i, svc_group) = if pk == "object-group" {
        let name = t.get(2).ok_or("missing service object-group name")?;
        (None, 3, Some(g.svc(name)?))
    } else {
        (proto_num(pk)?, 2, None)
    };
    let has_ports = matches!(p, Some(proto::TCP | proto::UDP | proto::SCTP));
    let src = parse_addr_set(t, kw, &mut i, g)?;
    let sports = parse_ports_g(t, kw, &mut i, has_ports, g)?;
    let dst = parse_addr_set(t, kw, &mut i, g)?;
    let dports = parse_ports_g(t, kw, &mut i, has_ports, g)?;
    let mut icmp: Option<(u8, Option<u8>)> = None;
    if p == Some(proto::ICMP) {
        if let Some(k) = kw.get(i) {
            if let Ok(ty) = k.parse::<u8>() {
                i += 1;
                let code = match kw.get(i).and_then(|c| c.parse::<u8>().ok()) {
                    Some(c) => {
                        i += 1;
                        Some(c)
                    }
                    None => None,
                };
                icmp = Some((ty, code));
            } else if let Some(tc) = icmp_name(k) {
                i += 1;
                icmp = Some(tc);
            }
        }
    }
    let mut established = None;
    if let Some(svcs) = svc_group {
        while let Some(k) = kw.get(i) {
            match k.as_str() {
                "log" | "log-input" => i += 1,
                o => {
                    return Err(format!(
                        "unsupported ACL option `{o}` after a service object-group"
                    ))
                }
            }
        }
        // An empty group matches nothing (an empty `services` list would mean any).
        let (src, services) = if svcs.is_empty() {
            (AddrSet { items: vec![] }, vec![])
        } else {
            (src, svcs)
        };
        return Ok((
            act,
            Match {
                src,
                dst,
                services,
                established: None,
                src_mac: None,
            },
        ));
    }
    while let Some(k) = kw.get(i) {
        match k.as_str() {
            "log" | "log-input" => i += 1,
            "established" if p == Some(proto::TCP) => {
                established = Some(true);
                i += 1;
            }
            o => return Err(format!("unsupported ACL option `{o}`")),
        }
    }
    let services = match p {
        None => vec![],
        Some(pn) if has_ports => {
            if sports == [PortRange::ANY] && dports == [PortRange::ANY] {
                vec![Service::proto(pn)]
            } else {
                let mut v = vec![];
                for s in &sports {
                    for d in &dports {
                        v.push(Service {
                            proto: Some(pn),
                            sport: *s,
                            dport: *d,
                            icmp_type: None,
                            icmp_code: None,
                        });
                    }
                }
                v
            }
        }
        Some(pn) => vec![Service {
            icmp_type: icmp.map(|(t, _)| t),
            icmp_code: icmp.and_then(|(_, c)| c),
            ..Service::proto(pn)
        }],
    };
    // An empty port group matches nothing (an empty `services` list would mean any).
    let src = if has_ports && (sports.is_empty() || dports.is_empty()) {
        AddrSet { items: vec![] }
    } else {
        src
    };
    Ok((
        act,
        Match {
            src,
            dst,
            services,
            established,
            src_mac: None,
        },
    ))
}

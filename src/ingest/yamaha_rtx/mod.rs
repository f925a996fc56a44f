//! Yamaha RTX routers (`show config` output).
//!
//! RTX configuration is flat: one command a line, `#` comments, and `pp select N` /
//! `tunnel select N` switching the context of the lines after them (show config indents
//! those by one blank). Every line ends up modelled, recognised as irrelevant, or listed
//! as [`Unrecognized`] with a scope. What is modelled and why is in
//! docs/dialects/yamaha-rtx.md.
//!
//! Stages: [`lexing`] (addresses, ports, protocols), [`interfaces`] (`ip lanN …`, VLANs,
//! port separation), [`filters`] (static, dynamic and ethernet filters and the lists that
//! apply them), [`nat`] (NAT descriptors, reported), [`routes`] (`ip route`), [`secrets`]
//! (redaction keyword forms).

mod facts;
mod filters;
mod interfaces;
pub mod lexing;
mod nat;
mod routes;
pub mod secrets;

use super::ParseError;
use crate::ingest::redact::FileRedaction;
use crate::model::{Device, Dialect, Interface, Scope, Unrecognized};
use std::collections::{BTreeMap, BTreeSet};

/// The `yamaha-rtx` dialect ([`crate::ingest::REGISTRY`]).
pub struct YamahaRtx;
pub const SYNTAX: YamahaRtx = YamahaRtx;
pub const DIALECT: Dialect = Dialect("yamaha-rtx");

impl super::Syntax for YamahaRtx {
    fn id(&self) -> &'static str {
        "yamaha-rtx"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["rtx", "yamaha"]
    }
    fn marker(&self, l: &str) -> super::Marker {
        if decisive(l) {
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

/// Lines only RTX writes: the `# RTX1210 Rev.…` header of show config and its command
/// forms (`ip lan1 …`, `ip filter N pass …`, `nat descriptor`, `pp select`, …).
fn decisive(l: &str) -> bool {
    let digit_after = |p: &str| {
        l.strip_prefix(p)
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    };
    if l.starts_with("# RTX") || digit_after("ip lan") || digit_after("ethernet lan") {
        return true;
    }
    if let Some(r) = l.strip_prefix("ip filter ") {
        let w = r.split_whitespace().next().unwrap_or("");
        if w == "dynamic" || (!w.is_empty() && w.bytes().all(|c| c.is_ascii_digit())) {
            return true;
        }
    }
    [
        "ethernet filter ",
        "nat descriptor ",
        "pp select ",
        "tunnel select ",
        "dns server select ",
        "dns domain ",
        "dns service ",
        "dns static ",
        "login user ",
        "user attribute ",
        "administrator password",
        "ip route default gateway ",
        "lan type lan",
        "vlan lan",
    ]
    .iter()
    .any(|p| l.starts_with(p))
}

/// A [`tunnel_ifname`] name.
fn is_tunnel_if(name: &str) -> bool {
    ["pp", "tunnel"].iter().any(|k| {
        name.strip_prefix(k)
            .is_some_and(|r| r.starts_with('-') || r.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// Parse one RTX configuration.
pub fn parse(file: &str, text: &str) -> Result<Device, ParseError> {
    parse_with_stats(file, text).map(|(d, _)| d)
}

/// Parse and also return the number of understood lines (modelled or recognised as
/// irrelevant): every other line has at least one [`Unrecognized`] entry.
pub fn parse_with_stats(file: &str, text: &str) -> Result<(Device, u32), ParseError> {
    if text.trim().is_empty() {
        return Err(ParseError {
            file: file.to_string(),
            line: 1,
            message: "empty configuration".into(),
        });
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut p = Parser {
        dev: Device::new(super::stem(file), file, DIALECT),
        red: FileRedaction::new(lines.iter().copied()),
        src: lines.iter().map(|l| l.to_string()).collect(),
        ctx: Ctx::Top,
        statics: BTreeMap::new(),
        dynamics: BTreeMap::new(),
        ethers: BTreeMap::new(),
        binds: vec![],
        ebinds: vec![],
        nat_binds: vec![],
        nat_defs: BTreeMap::new(),
        enabled: BTreeSet::new(),
    };
    for (i, raw) in lines.iter().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match p.line(ln, raw) {
            Out::Ok => {}
            Out::Irr(r) => p.dev.irrelevant_line(r),
            Out::Un(reason, scope) => p.unrec(ln, reason, scope),
        }
    }
    p.finish();
    let mut dev = p.dev;
    dev.lines = u32::try_from(lines.len()).unwrap_or(u32::MAX);
    let unrec: BTreeSet<u32> = dev.unrecognized.iter().map(|u| u.line).collect();
    dev.unrecognized
        .sort_by(|a, b| (a.line, &a.scope).cmp(&(b.line, &b.scope)));
    let understood = dev
        .lines
        .saturating_sub(u32::try_from(unrec.len()).unwrap_or(u32::MAX));
    Ok((dev, understood))
}

/// Outcome of one line.
pub(crate) enum Out {
    /// Modelled (or decided at the end, [`Parser::finish`]).
    Ok,
    /// Recognised and irrelevant to forwarding, for this reason.
    Irr(&'static str),
    Un(String, Scope),
}

pub(crate) fn un(reason: impl Into<String>, scope: Scope) -> Out {
    Out::Un(reason.into(), scope)
}

const COMMENT: &str = "comment or blank line";
const MGMT: &str =
    "management, logging and services of the router itself (login, console, syslog, SNMP, NTP, DNS, DHCP, sshd, httpd)";
const TUNNEL: &str =
    "pp / tunnel / IPsec / L2TP transport parameter (how the tunnel is built, not what it forwards: its `ip pp|tunnel` lines, routes into it and its enable line are modelled)";

/// Which `pp select` / `tunnel select` context the lines are in (the interface name of
/// that pp / tunnel, [`tunnel_ifname`]).
#[derive(Clone, PartialEq, Eq)]
enum Ctx {
    Top,
    Pp(String),
    Tunnel(String),
}

/// The model interface of `pp N` / `tunnel N` (`pp anonymous` → `pp-anonymous`): a routed
/// point-to-point interface without a connected subnet whose far side is outside the
/// snapshot unless topology.toml links it (an edge point, like a free LAN port).
pub(crate) fn tunnel_ifname(kind: &str, id: &str) -> String {
    if id.bytes().all(|c| c.is_ascii_digit()) {
        format!("{kind}{id}")
    } else {
        format!("{kind}-{}", id.to_ascii_lowercase())
    }
}

/// `ip IF secure filter DIR STATIC… [dynamic DYN…]`.
pub(crate) struct Bind {
    pub ifname: String,
    pub dir: Dir,
    pub statics: Vec<u32>,
    pub dynamics: Vec<u32>,
    pub line: u32,
}

/// `ethernet IF filter DIR LIST…`.
pub(crate) struct EBind {
    pub ifname: String,
    pub dir: Dir,
    pub list: Vec<u32>,
    pub line: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Dir {
    In,
    Out,
}

impl Dir {
    fn parse(s: &str) -> Option<Dir> {
        match s {
            "in" => Some(Dir::In),
            "out" => Some(Dir::Out),
            _ => None,
        }
    }
    fn word(self) -> &'static str {
        match self {
            Dir::In => "in",
            Dir::Out => "out",
        }
    }
}

pub(crate) struct Parser {
    pub dev: Device,
    red: FileRedaction,
    src: Vec<String>,
    ctx: Ctx,
    /// Filter number → definition (a later definition replaces an earlier one).
    pub statics: BTreeMap<u32, filters::Static>,
    pub dynamics: BTreeMap<u32, filters::Dynamic>,
    pub ethers: BTreeMap<u32, filters::Ether>,
    pub binds: Vec<Bind>,
    pub ebinds: Vec<EBind>,
    /// `ip IF nat descriptor N…`: (interface, descriptors, line).
    pub nat_binds: Vec<(String, Vec<u32>, u32)>,
    /// Descriptor number → its definition lines.
    pub nat_defs: BTreeMap<u32, Vec<u32>>,
    /// pp / tunnel interfaces enabled by the lines read so far (`pp enable N`, `tunnel
    /// enable N`, minus `pp disable …` / `no tunnel enable …`).
    enabled: BTreeSet<String>,
}

impl Parser {
    pub fn unrec(&mut self, ln: u32, reason: String, scope: Scope) {
        let raw = self
            .src
            .get((ln as usize).saturating_sub(1))
            .cloned()
            .unwrap_or_default();
        let u = Unrecognized {
            file: None,
            line: ln,
            text: self.red.line(ln, raw.trim()),
            reason,
            scope,
        };
        if !self.dev.unrecognized.contains(&u) {
            self.dev.unrecognized.push(u);
        }
    }

    /// The interface `name`, created (routed, no address) on first mention.
    pub fn iface(&mut self, name: &str, ln: u32) -> usize {
        if let Some(i) = self.dev.interfaces.iter().position(|i| i.name == name) {
            let span = self.dev.span(ln);
            if !self.dev.interfaces[i].lines.contains(&span) {
                self.dev.interfaces[i].lines.push(span);
            }
            return i;
        }
        let span = self.dev.span(ln);
        self.dev.interfaces.push(Interface::new(name, span));
        self.dev.interfaces.len() - 1
    }

    fn line(&mut self, ln: u32, raw: &str) -> Out {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            return Out::Irr(COMMENT);
        }
        let t: Vec<&str> = l.split_whitespace().collect();
        let t1 = t.get(1).copied().unwrap_or("");
        match t[0] {
            "ip" => self.ip(ln, &t),
            "ipv6" => Out::Irr(super::IPV6_OUT_OF_SCOPE),
            "ethernet" => self.ethernet(ln, &t),
            "nat" => self.nat_def(ln, &t),
            "vlan" => self.vlan(ln, &t),
            "lan" => self.lan(ln, &t),
            "pp" | "tunnel" => self.select(ln, &t),
            "ppp" | "pppoe" | "provider" | "ipsec" | "l2tp" | "pptp" | "isdn" | "mobile"
            | "wan1" | "ike" => Out::Irr(TUNNEL),
            "description" if self.ctx != Ctx::Top => Out::Irr(TUNNEL),
            "bridge" => un(
                "bridge: its members (LAN ports, tunnels) share one L2 segment; not modelled",
                Scope::Device,
            ),
            "no" if (t1 == "tunnel" || t1 == "pp") && t.get(2) == Some(&"enable") => {
                self.enable(ln, t1, t.get(3).copied().unwrap_or(""), false)
            }
            "no" if t1 == "tunnel" || t1 == "pp" => Out::Irr(TUNNEL),
            "ospf" | "bgp" | "rip" => un("dynamic routing protocol (not modelled)", Scope::Routing),
            "schedule" => un(
                "schedule runs commands at set times: the configuration may change",
                Scope::Device,
            ),
            "login" | "administrator" | "user" | "timezone" | "console" | "security"
            | "telnetd" | "sshd" | "sftpd" | "httpd" | "tftp" | "syslog" | "snmp" | "snmpv2c"
            | "snmpv3" | "ntpdate" | "sntpd" | "dns" | "dhcp" | "statistics" | "system"
            | "switch" | "lan-map" | "operation" | "external-memory" | "description" | "alarm"
            | "ngn" | "sip" | "upnp" | "netvolante-dns" | "mail" | "heartbeat" | "lua" | "wins"
            | "usbhost" | "sd" | "status-led" | "radius" | "auth" | "show" | "save" | "remote"
            | "queue" | "speed" | "url" | "cooperation" | "date" | "time" => Out::Irr(MGMT),
            _ => un("RTX command not modelled", Scope::Device),
        }
    }

    /// `pp …` / `tunnel …` lines: context switches, enabling, parameters.
    fn select(&mut self, ln: u32, t: &[&str]) -> Out {
        let what = t[0];
        let id = t.get(2).copied().unwrap_or("");
        match t.get(1).copied().unwrap_or("") {
            "select" => {
                self.ctx = match (what, id) {
                    (_, "none") | (_, "") => Ctx::Top,
                    ("pp", _) => Ctx::Pp(tunnel_ifname("pp", id)),
                    _ => Ctx::Tunnel(tunnel_ifname("tunnel", id)),
                };
                Out::Irr(TUNNEL)
            }
            "enable" => self.enable(ln, what, id, true),
            "disable" => self.enable(ln, what, id, false),
            _ => Out::Irr(TUNNEL),
        }
    }

    /// `pp|tunnel enable|disable N|anonymous|all`: the interface is up from here on (or
    /// down); [`Parser::finish`] marks the pp / tunnel interfaces not enabled at the end as
    /// shut down.
    fn enable(&mut self, ln: u32, what: &str, id: &str, on: bool) -> Out {
        let prefix = what.to_string();
        if id == "all" {
            if on {
                return un(format!("{what} enable all"), Scope::Device);
            }
            self.enabled.retain(|n| !n.starts_with(&prefix));
            return Out::Ok;
        }
        if id.is_empty() {
            return un(format!("{what} enable without a number"), Scope::Device);
        }
        let name = tunnel_ifname(what, id);
        if on {
            self.iface(&name, ln);
            self.enabled.insert(name);
        } else {
            self.enabled.remove(&name);
        }
        Out::Ok
    }

    fn ip(&mut self, ln: u32, t: &[&str]) -> Out {
        let t1 = t.get(1).copied().unwrap_or("");
        let t2 = t.get(2).copied().unwrap_or("");
        match t1 {
            "route" if t2 == "change" => Out::Irr(MGMT),
            "route" => self.route(ln, &t[2..]),
            "filter" => match t2 {
                "dynamic" if t.get(3) == Some(&"timer") => {
                    Out::Irr("dynamic filter timers (how long an idle session stays open)")
                }
                "dynamic" => match t.get(3).and_then(|n| n.parse::<u32>().ok()) {
                    Some(n) => {
                        let body = filters::parse_dynamic(&t[3..]);
                        self.dynamics.insert(n, filters::Dynamic { line: ln, body });
                        Out::Ok
                    }
                    None => un("malformed dynamic filter", Scope::None),
                },
                "source-route" | "directed-broadcast" => {
                    Out::Irr("drops source-routed / directed-broadcast packets only")
                }
                n if n.parse::<u32>().is_ok() => {
                    let n = n.parse::<u32>().unwrap_or(0);
                    let body = filters::parse_static(&t[2..]);
                    let action = filters::action_word(t.get(3).copied().unwrap_or(""));
                    self.statics.insert(
                        n,
                        filters::Static {
                            line: ln,
                            action,
                            body,
                        },
                    );
                    Out::Ok
                }
                _ => un("ip filter form not modelled", Scope::Device),
            },
            "routing" if t2 == "process" => Out::Irr("forwarding engine choice"),
            "host" | "icmp" | "stealth" => Out::Irr(MGMT),
            "pp" | "tunnel" => match &self.ctx {
                Ctx::Pp(n) if t1 == "pp" => {
                    let n = n.clone();
                    self.ip_if(ln, n, t)
                }
                Ctx::Tunnel(n) if t1 == "tunnel" => {
                    let n = n.clone();
                    self.ip_if(ln, n, t)
                }
                _ => un(
                    format!("ip {t1} outside a `{t1} select` context"),
                    Scope::Device,
                ),
            },
            _ if t1.starts_with("loopback") => Out::Irr("loopback address of the router itself"),
            _ if t1.starts_with("bridge") => un(
                "bridge interface: its members share one L2 segment; not modelled",
                Scope::Device,
            ),
            _ if lexing::is_lan(t1) => self.ip_if(ln, lexing::ifname(t1), t),
            // `ip tunnel1 …` / `ip pp1 …`: the interface named directly.
            _ if is_tunnel_if(&lexing::ifname(t1)) => self.ip_if(ln, lexing::ifname(t1), t),
            _ => un("RTX ip command not modelled", Scope::Device),
        }
    }

    /// Resolve what needed the whole file: filter lists, NAT descriptors.
    fn finish(&mut self) {
        // A pp / tunnel not enabled at the end of the file forwards nothing.
        for itf in &mut self.dev.interfaces {
            if is_tunnel_if(&itf.name) && !self.enabled.contains(&itf.name) {
                itf.shutdown = true;
            }
        }
        self.resolve_filters();
        self.resolve_nat();
    }
}

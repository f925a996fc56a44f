//! Juniper Junos / SRX configuration parser (dialect `junos`, alias `srx`).
//!
//! Three passes:
//! 1. [`lexing`] turns either format (hierarchical or `display set`) into one list of
//!    set-paths with their lines, deactivated statements marked, `apply-groups` expanded;
//! 2. every set-path is classified by its hierarchy (this file, [`filters`],
//!    [`security`]): modelled, recognised and irrelevant to forwarding, or unrecognised
//!    with a scope; objects are collected;
//! 3. references are resolved (zones → interfaces, address books, applications, prefix
//!    lists, filters) into the vendor-neutral model.
//!
//! A configuration with security zones or policies is an SRX in flow mode: a stateful,
//! policy-based firewall (policies per zone pair in order, then global policies, then the
//! default policy). Without them it is a router: interface filters and routes only.

mod facts;
mod filters;
pub mod lexing;
mod nat;
pub mod objects;
mod routing;
pub mod secrets;
mod security;

use super::{ParseError, IPV6_OUT_OF_SCOPE};
use crate::ingest::redact::FileRedaction;
use crate::model::*;
use lexing::Leaf;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// The `junos` dialect ([`crate::ingest::REGISTRY`]).
pub struct Junos;
pub const SYNTAX: Junos = Junos;
pub const DIALECT: Dialect = Dialect("junos");

impl super::Syntax for Junos {
    fn id(&self) -> &'static str {
        "junos"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["srx", "juniper"]
    }
    fn marker(&self, l: &str) -> super::Marker {
        // Statements only Junos writes, in either format.
        const DECISIVE: &[&str] = &[
            "set system host-name ",
            "set interfaces ge-",
            "set interfaces xe-",
            "set interfaces et-",
            "set interfaces lo0 unit ",
            "set security zones ",
            "set security policies ",
            "set routing-options ",
            "set policy-options ",
            "set firewall family ",
            "set firewall filter ",
            "set protocols ",
            "set version ",
            "set security address-book ",
            "set applications application",
            "routing-options {",
            "policy-options {",
            "security-zone ",
            "from-zone ",
        ];
        if DECISIVE.iter().any(|d| l.starts_with(d)) {
            return super::Marker::Decisive;
        }
        let v = l.strip_prefix("version ").unwrap_or("");
        let junos_version = v.ends_with(';')
            && v.chars().next().is_some_and(|c| c.is_ascii_digit())
            && v.contains(['R', 'X']);
        // Lines arrive without their indentation: `system {` is PAN-OS's too.
        let host = l.starts_with("host-name ") && l.ends_with(';');
        let family = l.starts_with("family inet") || l.starts_with("family ethernet-switching");
        if junos_version || host || family || l.starts_with("## Last commit") {
            return super::Marker::Decisive;
        }
        super::Marker::None
    }
    fn parse(&self, file: &str, text: &str) -> Result<Device, ParseError> {
        parse(file, text)
    }
    fn facts(&self, text: &str, dev: &mut Device) {
        facts::scan(text, dev);
    }
}

/// Parse a Junos configuration (either format) into a [`Device`].
pub fn parse(file: &str, text: &str) -> Result<Device, ParseError> {
    parse_with_stats(file, text).map(|(d, _)| d)
}

/// Parse and also return the number of understood lines: every line is understood or
/// listed once in `Device::unrecognized`.
pub fn parse_with_stats(file: &str, text: &str) -> Result<(Device, u32), ParseError> {
    let raw: Vec<&str> = text.lines().collect();
    if raw.len() >= u32::MAX as usize {
        return Err(ParseError {
            file: file.into(),
            line: 1,
            message: "file too large".into(),
        });
    }
    let lexed = lexing::lex(text);
    let mut j = J::new(file);
    for i in &lexed.issues {
        j.acc.bad(i.line, &i.reason, Scope::Device);
    }
    for &l in &lexed.commands {
        j.acc.ok(l);
    }
    for &l in &lexed.prompts {
        j.acc.irr(l, "CLI prompt line");
    }
    for &l in &lexed.policy_inserts {
        j.acc.irr(
            l,
            "term order of a routing policy (acts only through the routing protocols that use it)",
        );
    }
    let ex = lexing::expand_groups(lexed.leaves);
    for &l in &ex.unused {
        j.acc.irr(l, "configuration group not applied");
    }
    for &l in &ex.applied {
        j.acc.ok(l);
    }
    for (l, r) in &ex.bad {
        j.acc.bad(*l, r, Scope::Device);
    }
    j.zoned = ex.leaves.iter().any(|l| {
        l.active && l.starts(&["security", "zones"]) || l.starts(&["security", "policies"])
    });
    j.mgmt_instance = ex
        .leaves
        .iter()
        .any(|l| l.active && l.starts(&["system", "management-instance"]));
    for l in &ex.leaves {
        if !l.active {
            j.acc.irr(l.line, "deactivated statement (inactive)");
            continue;
        }
        j.leaf(l);
    }
    j.fw.apply_paths(&mut j.acc, &ex.leaves);
    let d = j.finish(&raw);
    Ok(d)
}

// ---------------------------------------------------------------------------------------
// Line accounting

#[derive(Clone, Debug)]
enum St {
    Irr(String),
    Ok,
    Unrec(String, Scope),
}

#[derive(Default)]
struct Acc {
    st: BTreeMap<u32, St>,
}

impl Acc {
    fn ok(&mut self, line: u32) {
        match self.st.get(&line) {
            Some(St::Unrec(..)) | Some(St::Ok) => {}
            _ => {
                self.st.insert(line, St::Ok);
            }
        }
    }
    fn irr(&mut self, line: u32, reason: &str) {
        self.st
            .entry(line)
            .or_insert_with(|| St::Irr(reason.to_string()));
    }
    fn bad(&mut self, line: u32, reason: &str, scope: Scope) {
        let rank = |s: &Scope| match s {
            Scope::None => 0,
            Scope::Device => 2,
            _ => 1,
        };
        match self.st.get_mut(&line) {
            Some(St::Unrec(r, sc)) => {
                if !r.split("; ").any(|x| x == reason) {
                    r.push_str("; ");
                    r.push_str(reason);
                }
                if rank(&scope) > rank(sc) {
                    *sc = scope;
                }
            }
            _ => {
                self.st.insert(line, St::Unrec(reason.to_string(), scope));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Collected objects

#[derive(Default, Debug)]
struct Unit {
    vlan: Option<u16>,
    addrs: Vec<(Ipv4Addr, u8)>,
    filter_in: Option<(String, u32)>,
    filter_out: Option<(String, u32)>,
    /// First `family inet dhcp` line: the address is learnt at run time.
    dhcp: Option<u32>,
    disabled: bool,
    lines: Vec<u32>,
}

#[derive(Default, Debug)]
struct Phys {
    disabled: bool,
    lines: Vec<u32>,
    units: Vec<(String, Unit)>,
}

/// The parser state: accounting plus everything collected from the set-paths.
struct J {
    file: String,
    acc: Acc,
    hostname: Option<String>,
    zoned: bool,
    /// `system management-instance`: fxp0 / em0 live in the `mgmt_junos` instance.
    mgmt_instance: bool,
    /// `vlans V vlan-id N` / `description` lines: decided in `finish` (a VLAN no port
    /// can join switches nothing).
    bare_vlans: Vec<(String, u32)>,
    /// VLANs with any other statement (members, `l3-interface`, VXLAN).
    busy_vlans: std::collections::BTreeSet<String>,
    /// A unit or range in L2 mode (`family ethernet-switching` / `bridge`).
    l2_ports: bool,
    phys: Vec<(String, Phys)>,
    routes: Vec<Route>,
    /// `protocols ospf|bgp` (junos/routing.rs).
    routing: Routing,
    fw: filters::Filters,
    sec: security::Security,
}

impl J {
    fn new(file: &str) -> J {
        J {
            file: file.to_string(),
            acc: Acc::default(),
            hostname: None,
            zoned: false,
            mgmt_instance: false,
            bare_vlans: vec![],
            busy_vlans: Default::default(),
            l2_ports: false,
            phys: vec![],
            routes: vec![],
            routing: Default::default(),
            fw: Default::default(),
            sec: Default::default(),
        }
    }

    fn span(&self, line: u32) -> Span {
        Span::new(self.file.clone(), line)
    }

    fn leaf(&mut self, l: &Leaf) {
        let ln = l.line;
        if l.w.iter().any(|w| w == "apply-macro") {
            return self.acc.irr(ln, "apply-macro (data for scripts)");
        }
        match l.at(0) {
            "version" => self.acc.irr(ln, "software version"),
            "system" => {
                if l.at(1) == "host-name" && l.w.len() == 3 {
                    self.hostname = Some(l.w[2].clone());
                    self.acc.ok(ln);
                } else {
                    self.acc.irr(
                        ln,
                        "system management (login, services, syslog, NTP, name servers)",
                    );
                }
            }
            "snmp" => self.acc.irr(ln, "SNMP"),
            "chassis" => self.acc.irr(ln, "chassis settings"),
            "event-options"
            | "poe"
            | "accounting-options"
            | "access"
            | "virtual-chassis"
            | "ethernet-switching-options" => self.acc.irr(ln, "management or platform settings"),
            "class-of-service" => self.acc.irr(ln, "class of service (QoS)"),
            "services" => match l.at(1) {
                "application-identification" | "rpm" | "ssl" | "analytics" | "web-filter" => {
                    self.acc.irr(ln, "management or platform settings")
                }
                _ => self.acc.bad(
                    ln,
                    "services stanza (service sets, NAT) not modelled",
                    Scope::Device,
                ),
            },
            "interfaces" => self.interface(l),
            "routing-options" => self.routing_options(l),
            "protocols" => self.protocols(l),
            "policy-options" => self.fw.policy_options(&mut self.acc, l),
            "firewall" => self.fw.firewall(&mut self.acc, l),
            "security" => security::leaf(self, l),
            "applications" => self.sec.applications(&mut self.acc, l),
            "forwarding-options" => match l.at(1) {
                "dhcp-relay" | "helpers" => self.acc.irr(ln, "DHCP relay / helpers"),
                "sampling" | "port-mirroring" | "analyzer" | "storm-control-profiles" => {
                    self.acc.irr(
                        ln,
                        "sampling and mirroring (copies, no effect on forwarding)",
                    )
                }
                _ => self.acc.bad(
                    ln,
                    "forwarding-options statement not modelled",
                    Scope::Device,
                ),
            },
            // The management instance holds only the out-of-band management port, which
            // carries no transit traffic: its routes serve the device's own sessions.
            "routing-instances" if l.at(1) == "mgmt_junos" && self.mgmt_instance => self.acc.irr(
                ln,
                "management routing instance (out-of-band port; no transit traffic)",
            ),
            "routing-instances" => self.acc.bad(
                ln,
                "routing instance (VRF / virtual router) not modelled",
                Scope::Routing,
            ),
            "vlans"
                if matches!(
                    l.w.get(2).map(String::as_str),
                    Some("vlan-id" | "description")
                ) =>
            {
                self.bare_vlans.push((l.at(1).to_string(), ln))
            }
            "vlans" | "bridge-domains" | "switch-options" => {
                if l.at(0) == "vlans" {
                    self.busy_vlans.insert(l.at(1).to_string());
                }
                self.acc.bad(
                    ln,
                    "L2 switching (VLANs, bridge domains, EVPN/VXLAN) not modelled",
                    Scope::Device,
                )
            }
            "logical-systems" | "tenants" => {
                self.acc
                    .bad(ln, "logical systems / tenants not modelled", Scope::Device)
            }
            _ => self
                .acc
                .bad(ln, "top-level statement not modelled", Scope::Device),
        }
    }

    fn phys_mut(&mut self, name: &str) -> &mut Phys {
        if let Some(i) = self.phys.iter().position(|p| p.0 == name) {
            return &mut self.phys[i].1;
        }
        self.phys.push((name.to_string(), Phys::default()));
        &mut self.phys.last_mut().expect("just pushed").1
    }

    fn interface(&mut self, l: &Leaf) {
        let ln = l.line;
        let name = l.at(1).to_string();
        let scope = Scope::Interface(name.clone());
        if l.w
            .iter()
            .any(|w| w == "ethernet-switching" || w == "bridge")
        {
            self.l2_ports = true;
        }
        if name == "interface-range" {
            return self
                .acc
                .bad(ln, "interface-range not modelled", Scope::Device);
        }
        if name.is_empty() || l.w.len() < 3 {
            self.phys_mut(&name).lines.push(ln);
            return self.acc.ok(ln);
        }
        let r: Vec<&str> = l.w[2..].iter().map(String::as_str).collect();
        if r[0] != "unit" {
            let p = self.phys_mut(&name);
            p.lines.push(ln);
            match r.as_slice() {
                ["disable"] => {
                    p.disabled = true;
                    self.acc.ok(ln)
                }
                ["enable"]
                | ["vlan-tagging"]
                | ["flexible-vlan-tagging"]
                | ["encapsulation", ..] => self.acc.ok(ln),
                ["gigether-options" | "ether-options", "802.3ad", ..]
                | ["gigether-options" | "ether-options", "redundant-parent", ..] => self.acc.bad(
                    ln,
                    "member of an aggregated / redundant interface: not modelled",
                    scope,
                ),
                ["native-vlan-id", ..] => self.acc.bad(ln, "native VLAN not modelled", scope),
                ["description", ..]
                | ["mtu", ..]
                | ["speed", ..]
                | ["link-mode", ..]
                | ["hold-time", ..]
                | ["traps"]
                | ["no-traps"]
                | ["mac", ..]
                | ["gigether-options", ..]
                | ["ether-options", ..]
                | ["aggregated-ether-options", ..]
                | ["redundant-ether-options", ..]
                | ["damping", ..]
                | ["optics-options", ..]
                | ["per-unit-scheduler"]
                | ["esi", ..] => self.acc.irr(ln, "interface physical settings"),
                _ => self.acc.bad(ln, "interface statement not modelled", scope),
            }
            return;
        }
        let unit = l.at(3).to_string();
        let full = format!("{name}.{unit}");
        let scope = Scope::Interface(full.clone());
        let p = self.phys_mut(&name);
        if let Some(u) = p.units.iter_mut().find(|u| u.0 == unit) {
            u.1.lines.push(ln);
        } else {
            p.units.push((
                unit.clone(),
                Unit {
                    lines: vec![ln],
                    ..Default::default()
                },
            ));
        }
        let u = &mut p.units.iter_mut().find(|u| u.0 == unit).expect("present").1;
        let r: Vec<&str> =
            l.w.get(4..)
                .unwrap_or(&[])
                .iter()
                .map(String::as_str)
                .collect();
        match r.as_slice() {
            [] => self.acc.ok(ln),
            ["vlan-id", v] => match v.parse::<u16>() {
                Ok(v) if (1..=4094).contains(&v) => {
                    u.vlan = Some(v);
                    self.acc.ok(ln)
                }
                _ => self.acc.bad(ln, "vlan-id out of range", scope),
            },
            ["disable"] => {
                u.disabled = true;
                self.acc.ok(ln)
            }
            ["family", "inet"] => self.acc.ok(ln),
            ["family", "inet", "address", a, rest @ ..] => match objects::prefix(a) {
                Ok((a, len)) => {
                    if !u.addrs.contains(&(a, len)) {
                        u.addrs.push((a, len));
                    }
                    match rest {
                        [] | ["primary"] | ["preferred"] => self.acc.ok(ln),
                        ["vrrp-group", ..] => self.acc.irr(ln, "VRRP (first-hop redundancy)"),
                        _ => self.acc.irr(ln, "interface address attribute"),
                    }
                }
                Err(e) => self.acc.bad(ln, &e, scope),
            },
            ["family", "inet", "filter", dir @ ("input" | "output"), f] => {
                let slot = if *dir == "input" {
                    &mut u.filter_in
                } else {
                    &mut u.filter_out
                };
                *slot = Some((f.to_string(), ln));
                self.acc.ok(ln)
            }
            ["family", "inet", "filter", ..] => {
                self.acc
                    .bad(ln, "filter lists / groups not modelled", scope)
            }
            // The unit is a DHCP client: modelled as an interface whose address is
            // unknown (`Interface::dynamic_address`; the snapshot taints it).
            ["family", "inet", "dhcp" | "dhcp-client", ..] => {
                u.dhcp.get_or_insert(ln);
                self.acc.ok(ln)
            }
            ["family", "inet", "rpf-check", ..] => self.acc.bad(
                ln,
                "unicast RPF check (drops spoofed sources) not modelled",
                scope,
            ),
            ["family", "inet", "mtu" | "no-redirects" | "targeted-broadcast" | "sampling", ..] => {
                self.acc
                    .irr(ln, "interface settings without effect on reachability")
            }
            ["family", "inet6", ..] => self.acc.irr(ln, IPV6_OUT_OF_SCOPE),
            ["family", "iso" | "mpls", ..] => self.acc.bad(
                ln,
                "IS-IS / MPLS on the interface (routing) not modelled",
                Scope::Routing,
            ),
            ["family", ..] => self.acc.bad(
                ln,
                "interface family (L2 switching, bridging) not modelled",
                scope,
            ),
            ["tunnel", ..] => self
                .acc
                .bad(ln, "tunnel interface not modelled", Scope::Routing),
            ["vlan-tags", ..] => self.acc.bad(ln, "stacked VLAN tags not modelled", scope),
            ["description", ..]
            | ["encapsulation", ..]
            | ["proxy-arp", ..]
            | ["mac", ..]
            | ["traps"]
            | ["no-traps"]
            | ["bandwidth", ..] => self
                .acc
                .irr(ln, "interface settings without effect on reachability"),
            _ => self
                .acc
                .bad(ln, "interface unit statement not modelled", scope),
        }
    }

    fn routing_options(&mut self, l: &Leaf) {
        let ln = l.line;
        let r: Vec<&str> = l.w[1..].iter().map(String::as_str).collect();
        let (rib, r) = match r.as_slice() {
            ["rib", rib, rest @ ..] => (*rib, rest),
            _ => ("inet.0", r.as_slice()),
        };
        if rib.starts_with("inet6") {
            return self.acc.irr(ln, IPV6_OUT_OF_SCOPE);
        }
        if rib != "inet.0" {
            return self.acc.bad(
                ln,
                "routing table other than inet.0 not modelled",
                Scope::Routing,
            );
        }
        match r {
            ["static", "route", p, rest @ ..] => self.static_route(ln, p, rest),
            ["static", "defaults", ..] => self.acc.irr(ln, "static route defaults (attributes)"),
            // A forwarding-table export policy decides which of several equal-cost next
            // hops are installed (`load-balance per-packet`); the OSPF computation assumes
            // Junos' default of one.
            ["forwarding-table", "export", ..] => self.acc.bad(
                ln,
                "forwarding-table export policy (ECMP load balancing) not modelled",
                Scope::Routing,
            ),
            ["router-id", ..]
            | ["route-distinguisher-id", ..]
            | ["autonomous-system", ..]
            | ["confederation", ..]
            | ["graceful-restart", ..]
            | ["nonstop-routing"]
            | ["forwarding-table", ..]
            | ["maximum-paths", ..]
            | ["maximum-prefixes", ..]
            | ["options", ..]
            | ["ppm", ..] => self.acc.irr(
                ln,
                "routing parameter (used by routing protocols; no route of its own)",
            ),
            _ => self.acc.bad(
                ln,
                "routing-options statement (aggregate/generate routes, RIB groups, …) not modelled",
                Scope::Routing,
            ),
        }
    }

    fn static_route(&mut self, ln: u32, p: &str, rest: &[&str]) {
        let (prefix, len) = match objects::prefix(p) {
            Ok(x) => x,
            Err(e) if e.contains("IPv6") => return self.acc.irr(ln, IPV6_OUT_OF_SCOPE),
            Err(e) => return self.acc.bad(ln, &e, Scope::Routing),
        };
        let mut route = Route {
            prefix,
            len,
            next_hop: None,
            interface: None,
            discard: false,
            span: self.span(ln),
        };
        match rest {
            ["next-hop" | "qualified-next-hop", nh, ..] => {
                if rest.len() > 2 && rest[0] == "qualified-next-hop" {
                    // `qualified-next-hop A preference N`: attributes of one next hop.
                    if self.routes.iter().any(|r| {
                        (r.prefix, r.len) == (prefix, len)
                            && r.next_hop.map(|a| a.to_string()).as_deref() == Some(nh)
                    }) {
                        return self.acc.ok(ln);
                    }
                }
                match nh.parse::<Ipv4Addr>() {
                    Ok(a) => route.next_hop = Some(a),
                    Err(_) if nh.contains('.') && !nh.contains(':') => {
                        route.interface = Some(nh.to_string())
                    }
                    Err(_) => return self.acc.bad(ln, "next-hop not IPv4", Scope::Routing),
                }
            }
            ["discard"] | ["reject"] => route.discard = true,
            ["preference" | "metric" | "tag" | "no-readvertise" | "readvertise" | "resolve"
            | "no-resolve" | "retain" | "no-retain" | "install" | "active" | "passive"
            | "community" | "as-path" | "description", ..] => {
                return self.acc.irr(ln, "static route attribute")
            }
            [] => return self.acc.ok(ln),
            _ => {
                return self.acc.bad(
                    ln,
                    "static route form (next-table, LSP, no-install, …) not modelled",
                    Scope::Routing,
                )
            }
        }
        self.routes.push(route);
        self.acc.ok(ln)
    }

    fn protocols(&mut self, l: &Leaf) {
        let ln = l.line;
        match l.at(1) {
            "ospf" => self.ospf(l),
            "bgp" => self.bgp(l),
            "lldp"
            | "lldp-med"
            | "rstp"
            | "mstp"
            | "vstp"
            | "stp"
            | "igmp-snooping"
            | "mld-snooping"
            | "sflow"
            | "dcbx"
            | "layer2-control"
            | "lacp"
            | "uplink-failure-detection"
            | "oam"
            | "bfd"
            | "connections" => self
                .acc
                .irr(ln, "L2 / link protocol (no effect on IPv4 forwarding)"),
            "router-advertisement" | "ospf3" | "ripng" => self.acc.irr(ln, IPV6_OUT_OF_SCOPE),
            _ => self.acc.bad(
                ln,
                "routing protocol (can change forwarding) not modelled",
                Scope::Routing,
            ),
        }
    }

    /// Turn the collected state into the device, lines into unrecognised entries.
    fn finish(mut self, raw: &[&str]) -> (Device, u32) {
        let mut d = Device::new(super::stem(&self.file), self.file.clone(), DIALECT);
        d.lines = raw.len() as u32;
        // Interfaces: one per unit (`ge-0/0/0.0`); a tagged unit is a sub-interface.
        for (pname, p) in &self.phys {
            for (unit, u) in &p.units {
                let name = format!("{pname}.{unit}");
                let first = u.lines.first().copied().unwrap_or(1);
                let mut i = Interface::new(name, self.span(first));
                i.lines = u.lines.iter().map(|&l| self.span(l)).collect();
                i.shutdown = p.disabled || u.disabled;
                i.addresses = u.addrs.clone();
                i.dynamic_address = u.dhcp.map(|l| self.span(l));
                if let Some(v) = u.vlan {
                    i.parent = Some((pname.clone(), v));
                }
                for (slot, f) in [
                    (&mut i.acl_in, &u.filter_in),
                    (&mut i.acl_out, &u.filter_out),
                ] {
                    if let Some((f, l)) = f {
                        *slot = Some(AclRef {
                            name: f.clone(),
                            span: self.span(*l),
                        });
                        if !self.fw.defined(f) {
                            self.acc.bad(
                                *l,
                                &format!("filter {f} is not defined"),
                                Scope::Interface(i.name.clone()),
                            );
                        }
                    }
                }
                d.interfaces.push(i);
            }
        }
        self.finish_bgp();
        // A VLAN defined only by its id and name (the factory `vlans default vlan-id 1`)
        // has no member port and no L3 interface unless some unit switches (an
        // `ethernet-switching` unit without members joins `default`): then it forwards
        // nothing; otherwise it stays reported with the rest of L2 switching.
        for (v, l) in std::mem::take(&mut self.bare_vlans) {
            let only_bare = !self.l2_ports && !self.busy_vlans.contains(&v);
            if only_bare {
                self.acc.irr(
                    l,
                    "VLAN without member ports or L3 interface (switches nothing)",
                );
            } else {
                self.acc.bad(
                    l,
                    "L2 switching (VLANs, bridge domains, EVPN/VXLAN) not modelled",
                    Scope::Device,
                );
            }
        }
        d.acls = self.fw.build(&mut self.acc, &self.file);
        d.routes = std::mem::take(&mut self.routes);
        d.routing = std::mem::take(&mut self.routing);
        if self.zoned {
            d.policy_based = true;
            d.stateful = true;
            security::build(&mut self, &mut d);
        }
        if let Some(h) = self.hostname.take() {
            d.name = h;
        }
        let red = FileRedaction::new(raw.iter().copied());
        let mut understood = 0u32;
        for (i, text) in raw.iter().enumerate() {
            let line = i as u32 + 1;
            match self.acc.st.remove(&line) {
                None | Some(St::Ok) => understood += 1,
                Some(St::Irr(r)) => {
                    understood += 1;
                    d.irrelevant_line(&r);
                }
                Some(St::Unrec(reason, scope)) => d.unrecognized.push(Unrecognized {
                    file: None,
                    line,
                    text: red.line(line, text),
                    reason,
                    scope,
                }),
            }
        }
        (d, understood)
    }
}

//! FortiOS (FortiGate) configuration parser.
//!
//! Two passes:
//! 1. A generic, line-numbered tree of `config` / `edit` / `set` / `next` / `end`
//!    statements (tolerant of missing `next`/`end` and stray `end`).
//! 2. Interpretation of the sections that matter for forwarding (interfaces, zones,
//!    addresses, services, policies, static routes) into the vendor-neutral model.
//!
//! Every line of the file ends up either understood or in `Device::unrecognized`.
//! Repeated `config X` blocks and repeated `edit N` of the same entry merge, as on the
//! device; `rename`, `delete`, `purge`, `move` and `clone` table commands are applied.

mod facts;
mod interfaces;
mod lexing;
mod objects;
mod policies;
mod routes;
pub mod secrets;

use super::ParseError;
use crate::ingest::redact::FileRedaction;
use crate::model::*;
use interfaces::{interfaces, zones};
use lexing::{
    block_has_content, build_table, inert_by_default, is_enable, lex, mark_block, mark_irrelevant,
    mark_obj_ok, no_reset, walk_top, Block, Stmt, TreeBuilder,
};
use objects::{Addresses, Nat, Services};
use policies::policies;
use routes::{bgp, routes};

/// The `fortios` dialect ([`crate::ingest::REGISTRY`]).
pub struct Fortios;
pub const SYNTAX: Fortios = Fortios;
pub const DIALECT: Dialect = Dialect("fortios");

impl super::Syntax for Fortios {
    fn id(&self) -> &'static str {
        "fortios"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["fortigate"]
    }
    fn marker(&self, l: &str) -> super::Marker {
        let decisive = l.starts_with("config system ")
            || l.starts_with("config firewall ")
            || l.starts_with("config router ")
            || l.starts_with("#config-version=");
        if decisive {
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

/// Parse a FortiOS configuration into a [`Device`].
pub fn parse(file: &str, text: &str) -> Result<Device, ParseError> {
    parse_with_stats(file, text).map(|(d, _)| d)
}

/// Parse and also return the number of understood lines. Every line is either
/// understood or listed once in `Device::unrecognized`, so
/// `understood + unrecognized.len() == lines`.
pub fn parse_with_stats(file: &str, text: &str) -> Result<(Device, u32), ParseError> {
    let raw: Vec<&str> = text.lines().collect();
    if raw.len() >= u32::MAX as usize {
        return Err(ParseError {
            file: file.to_string(),
            line: 1,
            message: "file too large".into(),
        });
    }
    let mut ctx = Ctx {
        file,
        raw: raw.clone(),
        st: vec![St::Pending; raw.len()],
        irr: None,
        irrelevant: Default::default(),
    };
    let stmts = lex(&mut ctx, &raw);
    let heuristic = !stmts.iter().any(|s| {
        s.toks.len() == 2 && s.toks[0] == "config" && (s.toks[1] == "vdom" || s.toks[1] == "global")
    });
    let mut tb = TreeBuilder {
        stmts: &stmts,
        i: 0,
        indent_heuristic: heuristic,
    };
    let top = tb.items(false, 0).0;
    let mut sections: Vec<Block> = Vec::new();
    let mut vdoms: Vec<String> = Vec::new();
    walk_top(&mut ctx, top, &mut sections, &mut vdoms);
    let device = interpret(&mut ctx, sections);
    Ok(ctx.finish(device))
}

// ---------------------------------------------------------------------------
// Line accounting

#[derive(Clone, Debug)]
enum St {
    Pending,
    Ok,
    Unrec(String, Scope),
}

struct Ctx<'a> {
    file: &'a str,
    raw: Vec<&'a str>,
    st: Vec<St>,
    /// While set, lines marked understood are counted as irrelevant for this reason.
    irr: Option<String>,
    irrelevant: std::collections::BTreeMap<String, u32>,
}

fn scope_rank(s: &Scope) -> u8 {
    match s {
        Scope::None => 0,
        Scope::Device => 2,
        _ => 1,
    }
}

impl<'a> Ctx<'a> {
    fn span(&self, line: u32) -> Span {
        Span::new(self.file, line)
    }

    fn ok(&mut self, line: u32) {
        if let Some(s) = line
            .checked_sub(1)
            .and_then(|i| self.st.get_mut(i as usize))
        {
            if matches!(s, St::Pending) {
                *s = St::Ok;
                if let Some(r) = &self.irr {
                    *self.irrelevant.entry(r.clone()).or_default() += 1;
                }
            }
        }
    }

    fn ok_stmt(&mut self, s: &Stmt) {
        for l in s.first..=s.last {
            self.ok(l);
        }
    }

    fn bad(&mut self, line: u32, reason: &str, scope: &Scope) {
        if let Some(s) = line
            .checked_sub(1)
            .and_then(|i| self.st.get_mut(i as usize))
        {
            match s {
                St::Unrec(r, sc) => {
                    if !r.split("; ").any(|x| x == reason) {
                        r.push_str("; ");
                        r.push_str(reason);
                    }
                    if scope_rank(scope) > scope_rank(sc) {
                        *sc = scope.clone();
                    }
                }
                _ => *s = St::Unrec(reason.to_string(), scope.clone()),
            }
        }
    }

    fn bad_stmt(&mut self, s: &Stmt, reason: &str, scope: &Scope) {
        for l in s.first..=s.last {
            self.bad(l, reason, scope);
        }
    }

    fn finish(self, mut d: Device) -> (Device, u32) {
        let mut understood = 0u32;
        let red = FileRedaction::new(self.raw.iter().copied());
        for (i, st) in self.st.into_iter().enumerate() {
            let line = i as u32 + 1;
            let (reason, scope) = match st {
                St::Ok => {
                    understood += 1;
                    continue;
                }
                St::Pending => (
                    "line not interpreted by the FortiOS parser".to_string(),
                    Scope::Device,
                ),
                St::Unrec(r, s) => (r, s),
            };
            d.unrecognized.push(Unrecognized {
                file: None,
                line,
                text: red.line(line, self.raw[i]),
                reason,
                scope,
            });
        }
        d.lines = self.raw.len() as u32;
        for (r, n) in self.irrelevant {
            *d.irrelevant.entry(r).or_default() += n;
        }
        (d, understood)
    }
}

// ---------------------------------------------------------------------------
// Section classification

enum Kind {
    Global,
    Interface,
    Zone,
    Address,
    AddrGrp,
    SvcCustom,
    SvcGroup,
    Policy,
    RouterStatic,
    Bgp,
    Vip,
    VipGrp,
    IpPool,
    Settings,
    /// Understood: no effect on IPv4 forwarding.
    Ignore,
    /// Not modeled.
    Unmodeled(Scope),
}

fn classify(path: &[String]) -> Kind {
    let p: Vec<&str> = path.iter().map(|s| s.as_str()).collect();
    let first = p.first().copied().unwrap_or("");
    let second = p.get(1).copied().unwrap_or("");
    match (first, second) {
        ("system", "global") if p.len() == 2 => Kind::Global,
        ("system", "interface") if p.len() == 2 => Kind::Interface,
        ("system", "zone") if p.len() == 2 => Kind::Zone,
        ("system", "settings") if p.len() == 2 => Kind::Settings,
        ("firewall", "address") if p.len() == 2 => Kind::Address,
        ("firewall", "addrgrp") if p.len() == 2 => Kind::AddrGrp,
        ("firewall", "service") if p == ["firewall", "service", "custom"] => Kind::SvcCustom,
        ("firewall", "service") if p == ["firewall", "service", "group"] => Kind::SvcGroup,
        ("firewall", "service") => Kind::Ignore, // category
        ("firewall", "policy") if p.len() == 2 => Kind::Policy,
        ("firewall", "vip") if p.len() == 2 => Kind::Vip,
        ("firewall", "vipgrp") if p.len() == 2 => Kind::VipGrp,
        ("firewall", "ippool") if p.len() == 2 => Kind::IpPool,
        ("router", "static") if p.len() == 2 => Kind::RouterStatic,
        ("router", "bgp") if p.len() == 2 => Kind::Bgp,
        ("system", s) => match s {
            "accprofile"
            | "admin"
            | "api-user"
            | "sso-admin"
            | "custom-language"
            | "dns"
            | "ntp"
            | "snmp"
            | "replacemsg"
            | "replacemsg-image"
            | "replacemsg-group"
            | "storage"
            | "console"
            | "email-server"
            | "fortiguard"
            | "automation-trigger"
            | "automation-action"
            | "automation-stitch"
            | "automation-destination"
            | "auto-install"
            | "ftm-push"
            | "object-tagging"
            | "password-policy"
            | "password-policy-guest-admin"
            | "fortisandbox"
            | "central-management"
            | "csf"
            | "auto-scale"
            | "alarm"
            | "sms-server"
            | "dhcp"
            | "ddns"
            | "fm"
            | "fortimanager"
            | "vdom-property"
            | "resource-limits"
            | "vdom-dns"
            | "dns-database"
            | "dns-server"
            | "ips-urlfilter-dns"
            | "ips-urlfilter-dns6"
            | "fips-cc"
            | "mem-mgr"
            | "tos-based-priority"
            | "external-resource"
            | "ptp"
            | "saml"
            | "federated-upgrade"
            | "fortiai"
            | "ipam"
            | "lte-modem"
            | "affinity-interrupt"
            | "affinity-packet-redistribution"
            | "global6"
            | "speed-test-server"
            | "speed-test-schedule"
            | "sflow"
            | "netflow"
            | "probe-response"
            // ALG helpers: they admit only the related sessions of flows a policy admitted.
            | "session-helper"
            // NPU offload tuning: speed, not forwarding decisions.
            | "np6"
            | "np6xlite"
            | "npu" => Kind::Ignore,
            "ha" | "ha-monitor" | "cluster-sync" | "standalone-cluster" | "session-ttl" => Kind::Unmodeled(Scope::None),
            "sdwan" | "virtual-wan-link" | "link-monitor" => Kind::Unmodeled(Scope::Routing),
            _ => Kind::Unmodeled(Scope::Device),
        },
        ("firewall", s) => match s {
            "address6"
            | "addrgrp6"
            | "multicast-address"
            | "multicast-address6"
            | "wildcard-fqdn"
            | "internet-service-name"
            | "internet-service-definition"
            | "internet-service-extension"
            | "internet-service-custom"
            | "internet-service-custom-group"
            | "internet-service-group"
            | "internet-service-addition"
            | "internet-service-append"
            | "schedule"
            | "ssh"
            | "ssl-ssh-profile"
            | "profile-protocol-options"
            | "profile-group"
            | "shaper"
            | "ldb-monitor"
            | "ssl"
            | "address6-template"
            | "decrypted-traffic-mirror"
            | "traffic-class"
            | "auth-portal"
            | "ssl-server"
            | "vendor-mac" => Kind::Ignore,
            "identity-based-route" => Kind::Unmodeled(Scope::Routing),
            _ => Kind::Unmodeled(Scope::Policy),
        },
        ("router", s) => match s {
            "access-list" | "access-list6" | "prefix-list" | "prefix-list6" | "route-map"
            | "aspath-list" | "community-list" | "extcommunity-list" | "key-chain" => Kind::Ignore,
            _ => Kind::Unmodeled(Scope::Routing),
        },
        ("vpn", "certificate") => Kind::Ignore,
        ("vpn", "ssl") if p.get(2) == Some(&"web") => Kind::Ignore,
        ("vpn", "ssl") => Kind::Unmodeled(Scope::None),
        ("web-proxy", "global") => Kind::Ignore,
        ("web-proxy", "explicit") => Kind::Unmodeled(Scope::Policy),
        (
            "switch-controller",
            "qos"
            | "lldp-profile"
            | "lldp-settings"
            | "initial-config"
            | "security-policy"
            | "storm-control-policy"
            | "storm-control"
            | "auto-config"
            | "ptp"
            | "remote-log"
            | "switch-profile"
            | "traffic-policy"
            | "switch-log"
            | "system"
            | "global"
            | "igmp-snooping"
            | "network-monitor-settings"
            | "mac-sync-settings"
            | "sflow"
            | "802-1X-settings"
            | "stp-settings"
            | "snmp-sysinfo"
            | "snmp-trap-threshold"
            | "snmp-community"
            | "snmp-user"
            | "custom-command"
            | "location"
            | "switch-interface-tag",
        ) => {
            // Profiles and templates: no effect until applied to a managed switch.
            Kind::Ignore
        }
        ("log", _)
        | ("report", _)
        | ("webfilter", _)
        | ("antivirus", _)
        | ("ips", _)
        | ("application", _)
        | ("user", _)
        | ("dlp", _)
        | ("emailfilter", _)
        | ("spamfilter", _)
        | ("dnsfilter", _)
        | ("icap", _)
        | ("waf", _)
        | ("voip", _)
        | ("wanopt", _)
        | ("certificate", _)
        | ("alertemail", _)
        | ("endpoint-control", _)
        | ("file-filter", _)
        | ("ssh-filter", _)
        | ("videofilter", _)
        | ("credential-store", _)
        | ("authentication", _)
        | ("dpdk", _)
        | ("gui", _)
        | ("ftp-proxy", _)
        | ("cifs", _)
        | ("sctp-filter", _)
        | ("automation", _) => Kind::Ignore,
        (
            "wireless-controller",
            "wids-profile" | "utm-profile" | "ble-profile" | "arrp-profile" | "setting" | "timers"
            | "log" | "global" | "qos-profile" | "bonjour-profile" | "region" | "apcfg-profile"
            | "mpsk-profile" | "syslog-profile" | "snmp" | "inter-controller",
        ) => {
            // Wireless profiles and controller settings: no effect until an SSID (vap)
            // or AP profile using them exists, and those stay unrecognised.
            Kind::Ignore
        }
        ("switch-controller", _)
        | ("wireless-controller", _)
        | ("extender-controller", _)
        | ("extension-controller", _)
        | ("web-proxy", _) => Kind::Unmodeled(Scope::None),
        _ => Kind::Unmodeled(Scope::Device),
    }
}

// ---------------------------------------------------------------------------
// Interpretation

struct Sections {
    by_kind: Vec<(Kind, Block)>,
}

impl Sections {
    fn take(&self, f: fn(&Kind) -> bool) -> Vec<Block> {
        self.by_kind
            .iter()
            .filter(|(k, _)| f(k))
            .map(|(_, b)| b.clone())
            .collect()
    }
}

/// A resolved address object: its IPv4 items, and why it is not fully known.
#[derive(Clone, Debug)]
struct Resolved<T> {
    items: Vec<T>,
    problems: Vec<String>,
    /// The lines that define it (the object's `edit` and value lines, a group's and its
    /// members'), cited behind a policy that uses it.
    spans: Vec<Span>,
}

impl<T> Default for Resolved<T> {
    fn default() -> Self {
        Resolved {
            items: Vec::new(),
            problems: Vec::new(),
            spans: Vec::new(),
        }
    }
}

fn interpret(ctx: &mut Ctx, sections: Vec<Block>) -> Device {
    let mut by_kind = Vec::new();
    for b in sections {
        let k = classify(&b.path);
        match &k {
            Kind::Ignore => {
                let p: Vec<&str> = b.path.iter().take(2).map(|s| s.as_str()).collect();
                let reason = format!(
                    "`config {}`: management, logging, profiles or ALG helpers (no effect on forwarding)",
                    p.join(" ")
                );
                mark_irrelevant(ctx, &b, &reason)
            }
            Kind::Unmodeled(sc) => {
                if block_has_content(&b) && !inert_by_default(&b) {
                    let reason = format!("`config {}` is not modeled", b.path.join(" "));
                    mark_block(ctx, &b, Some((&reason, sc)));
                } else {
                    // An empty section leaves the defaults in place: no effect.
                    mark_block(ctx, &b, None);
                }
            }
            _ => by_kind.push((k, b)),
        }
    }
    let secs = Sections { by_kind };

    // system global
    let mut name = super::stem(ctx.file);
    let g = build_table(
        ctx,
        &secs.take(|k| matches!(k, Kind::Global)),
        &Scope::None,
        no_reset,
    );
    for o in &g.objs {
        for s in &o.opens {
            ctx.bad_stmt(s, "unexpected edit in system global", &Scope::None);
        }
        mark_obj_ok(ctx, o);
    }
    if let Some(h) = g.direct.val("hostname") {
        if !h.is_empty() {
            name = h.to_string();
        }
    }
    mark_obj_ok(ctx, &g.direct);

    let mut dev = Device::new(name, ctx.file, DIALECT);
    dev.stateful = true;
    dev.policy_based = true;

    settings(ctx, &secs.take(|k| matches!(k, Kind::Settings)));
    let (ifaces, members) = interfaces(ctx, &secs.take(|k| matches!(k, Kind::Interface)));
    dev.interfaces = ifaces;
    dev.aggregates = members;
    let (zones, intrazone) = zones(
        ctx,
        &secs.take(|k| matches!(k, Kind::Zone)),
        &dev.interfaces,
    );
    let addrs = Addresses::build(
        ctx,
        &secs.take(|k| matches!(k, Kind::Address)),
        &secs.take(|k| matches!(k, Kind::AddrGrp)),
        &dev.interfaces,
    );
    let svcs = Services::build(
        ctx,
        &secs.take(|k| matches!(k, Kind::SvcCustom)),
        &secs.take(|k| matches!(k, Kind::SvcGroup)),
    );
    dev.policies = intrazone;
    let nat = Nat::build(
        ctx,
        &secs.take(|k| matches!(k, Kind::Vip)),
        &secs.take(|k| matches!(k, Kind::VipGrp)),
        &secs.take(|k| matches!(k, Kind::IpPool)),
        &dev.interfaces,
        &zones,
    );
    let pol = policies(
        ctx,
        &secs.take(|k| matches!(k, Kind::Policy)),
        &dev.interfaces,
        &zones,
        &addrs,
        &svcs,
        &nat,
    );
    dev.dnats = nat.vips.iter().filter_map(|v| v.1.clone()).collect();
    dev.policies.extend(pol);
    dev.routes = routes(
        ctx,
        &secs.take(|k| matches!(k, Kind::RouterStatic)),
        &dev.interfaces,
    );
    let bgp = bgp(ctx, &secs.take(|k| matches!(k, Kind::Bgp)));
    dev.routing.protocols.extend(bgp);
    dev
}

fn settings(ctx: &mut Ctx, blocks: &[Block]) {
    let sc = Scope::Device;
    let t = build_table(ctx, blocks, &sc, no_reset);
    for o in &t.objs {
        for s in &o.opens {
            ctx.bad_stmt(s, "unexpected edit in system settings", &sc);
        }
        mark_obj_ok(ctx, o);
    }
    for a in &t.direct.attrs {
        let ok = match a.key.as_str() {
            "opmode" => a.vals.first().map(|v| v == "nat").unwrap_or(false),
            "central-nat" if !is_enable(a) => true,
            "central-nat" => {
                for s in &a.stmts {
                    ctx.bad_stmt(
                        s,
                        "central NAT (`config firewall central-snat-map`) not modeled: policy NAT settings do not apply",
                        &sc,
                    );
                }
                continue;
            }
            "comments" | "status" => true,
            k => k.starts_with("gui-"),
        };
        for s in &a.stmts {
            if ok {
                ctx.ok_stmt(s);
            } else {
                ctx.bad_stmt(s, &format!("system setting `{}` not modeled", a.key), &sc);
            }
        }
    }
    for b in &t.direct.subs {
        mark_block(ctx, b, Some(("system settings sub-block not modeled", &sc)));
    }
}

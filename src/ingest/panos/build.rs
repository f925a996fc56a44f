//! The model, built once from the normalised tree (see `mod.rs` for where paths sit).

use super::tree::{Lines, Node};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

type R<T> = Result<T, String>;

struct B<'a> {
    d: &'a mut Device,
    l: &'a mut Lines,
    root: &'a Node,
}

/// Object containers searched for a name, most specific first (vsys, device groups from
/// the device's own up, pushed Panorama objects, shared).
type Scopes<'a> = Vec<&'a Node>;

pub fn build(d: &mut Device, root: &Node, l: &mut Lines) {
    let mut b = B { d, l, root };
    for top in &root.kids {
        match top.key.as_str() {
            "dev" | "vsys" | "shared" | "dg" | "pushed" => {}
            "mgt-config" => b.l.irr(top, "management users and settings"),
            "panorama" => b.l.irr(top, "Panorama server settings"),
            "readonly" => b.l.irr(top, "Panorama bookkeeping (readonly)"),
            "template" => b.l.ok(top),
            "template-stack" => {
                b.l.ok(top);
                if top
                    .kids
                    .iter()
                    .any(|s| s.get("templates").is_some_and(|t| t.kids.len() > 1))
                {
                    let n = top.line();
                    b.l.bad_line(
                        n,
                        "several templates merged without the stack's priority order",
                        &Scope::Device,
                    );
                }
            }
            super::STRUCTURE => b.l.ok(top),
            _ => {
                b.l.bad(top, "top-level PAN-OS section not modelled", &Scope::Device)
            }
        }
    }
    if let Some(dev) = root.get("dev") {
        b.device(dev);
    }
    let shared = root.get("shared");
    if let Some(s) = shared {
        b.objects_section(s, "shared");
    }
    let panorama = root.get("pushed");
    if let Some(p) = panorama {
        b.objects_section(p, "pushed Panorama");
    }
    let dgs = b.device_groups();
    for g in root
        .get("dg")
        .map(|g| g.kids.iter().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        b.objects_section(g, "device group");
    }
    let routes_done = b.routes();
    let _ = routes_done;
    let vsyses: Vec<&Node> = root
        .get("vsys")
        .map(|v| v.kids.iter().collect())
        .unwrap_or_default();
    let multi = vsyses.len() > 1;
    for v in vsyses {
        let mut scopes: Scopes = vec![v];
        scopes.extend(dgs.iter().rev().copied());
        scopes.extend(panorama);
        scopes.extend(shared);
        b.objects_section(v, "vsys");
        b.vsys(v, &scopes, &dgs, multi);
    }
}

fn ip(s: &str) -> Option<Ipv4Addr> {
    s.parse().ok()
}

fn u(a: Ipv4Addr) -> u32 {
    u32::from(a)
}

/// `a.b.c.d`, `a.b.c.d/n`: address and length.
fn prefix(s: &str) -> Option<(Ipv4Addr, u8)> {
    match s.split_once('/') {
        Some((a, n)) => {
            let n: u8 = n.parse().ok().filter(|n| *n <= 32)?;
            Some((ip(a)?, n))
        }
        None => Some((ip(s)?, 32)),
    }
}

fn range(s: &str) -> Option<(Ipv4Addr, Ipv4Addr)> {
    let (a, b) = s.split_once('-')?;
    Some((ip(a)?, ip(b)?))
}

/// An IPv6 literal (outside the IPv4 model: matches no IPv4 packet).
fn v6(s: &str) -> bool {
    s.contains(':')
}

/// Inclusive ranges of one constraint, when it has any (non-contiguous wildcards have not).
fn as_ranges(m: &IpMatch) -> Option<(u32, u32)> {
    match m {
        IpMatch::Any => Some((0, u32::MAX)),
        IpMatch::Range { lo, hi } => Some((u(*lo), u(*hi))),
        IpMatch::Wildcard { addr, wildcard } => {
            let w = u(*wildcard);
            // Contiguous: w + 1 is a power of two (or w is all ones).
            (w == u32::MAX || (w.wrapping_add(1) & w) == 0).then(|| {
                let lo = u(*addr) & !w;
                (lo, lo | w)
            })
        }
    }
}

/// The addresses not in `items`, as ranges (`negate-source` / `negate-destination`).
fn complement(items: &[IpMatch]) -> R<Vec<IpMatch>> {
    let mut rs: Vec<(u32, u32)> = items
        .iter()
        .map(|m| as_ranges(m).ok_or("negated wildcard address not modelled".to_string()))
        .collect::<R<_>>()?;
    rs.sort_unstable();
    let mut out = vec![];
    let mut next: u64 = 0;
    for (lo, hi) in rs {
        if u64::from(lo) > next {
            out.push(IpMatch::Range {
                lo: Ipv4Addr::from(next as u32),
                hi: Ipv4Addr::from(lo - 1),
            });
        }
        next = next.max(u64::from(hi) + 1);
    }
    if next <= u64::from(u32::MAX) {
        out.push(IpMatch::Range {
            lo: Ipv4Addr::from(next as u32),
            hi: Ipv4Addr::from(u32::MAX),
        });
    }
    Ok(out)
}

fn find<'a>(scopes: &[&'a Node], kind: &str, name: &str) -> Option<&'a Node> {
    scopes.iter().find_map(|s| s.get(kind)?.get(name))
}

/// Default ports of the applications the over-approximation knows (App-ID recognises
/// them on any port when a rule names them with an explicit service; with
/// `application-default` they are admitted on these).
fn app_default(app: &str) -> Option<Vec<Service>> {
    let t = |p: u16| Service::tcp_dport(p, p);
    let ud = |p: u16| Service::udp_dport(p, p);
    Some(match app {
        "web-browsing" => vec![t(80)],
        "ssl" => vec![t(443)],
        "ssh" => vec![t(22)],
        "telnet" => vec![t(23)],
        "ftp" => vec![t(21)],
        "smtp" => vec![t(25), t(587)],
        "dns" => vec![t(53), ud(53)],
        "ntp" => vec![ud(123)],
        "snmp" => vec![ud(161), ud(162)],
        "ldap" => vec![t(389)],
        "ms-rdp" => vec![t(3389)],
        "http-proxy" => vec![t(8080)],
        "icmp" | "ping" | "traceroute" => vec![Service::proto(proto::ICMP)],
        _ => return None,
    })
}

/// Applications App-ID identifies by the IP protocol alone (decidable from headers).
const HEADER_APPS: &[&str] = &["icmp"];

/// Fields of a security rule that restrict what it matches beyond headers; an allow
/// rule is read as if they held (and findings say so), a deny rule cannot be placed.
const EXTRA_CONDITIONS: &[(&str, &str)] = &[
    ("source-user", "the user is"),
    ("category", "the URL category is"),
    ("source-hip", "the source HIP profile is"),
    ("destination-hip", "the destination HIP profile is"),
    ("hip-profiles", "the HIP profile is"),
    ("schedule", "the schedule is active:"),
    ("source-imei", "the IMEI is"),
    ("source-imsi", "the IMSI is"),
];

/// Rule fields with no effect on which packets pass.
const RULE_INERT: &[&str] = &[
    "description",
    "tag",
    "log-setting",
    "log-start",
    "log-end",
    "profile-setting",
    "option",
    "group-tag",
    "uuid",
    "qos",
    "icmp-unreachable",
    "disable-server-response-inspection",
    "rule-type",
    "disabled",
];

impl<'a> B<'a> {
    fn span(&self, n: u32) -> Span {
        self.d.span(n)
    }

    // ------------------------------------------------------------------ device level

    fn device(&mut self, dev: &'a Node) {
        for k in &dev.kids {
            match k.key.as_str() {
                "network" => self.network(k),
                "deviceconfig" => self.l.irr(k, "system settings (deviceconfig)"),
                "mgt-config" => self.l.irr(k, "management users and settings"),
                "shared" => {}
                "log-collector" | "log-collector-group" | "plugins" | "platform" => {
                    self.l.irr(k, "logging and platform settings")
                }
                _ => self.l.bad(
                    k,
                    "device-level PAN-OS section not modelled",
                    &Scope::Device,
                ),
            }
        }
    }

    fn network(&mut self, net: &'a Node) {
        for k in &net.kids {
            match k.key.as_str() {
                "interface" => self.interfaces(k),
                "virtual-router" => {} // routes()
                "profiles" => self
                    .l
                    .irr(k, "interface, monitor and zone-protection profiles"),
                "ike" => self
                    .l
                    .irr(k, "IKE gateways (tunnels are reported where they forward)"),
                "qos" => self.l.irr(k, "QoS"),
                "lldp" => self.l.irr(k, "LLDP"),
                "dns-proxy" => self.l.irr(k, "DNS proxy"),
                "dhcp" => self.l.irr(k, "DHCP server and relay"),
                "shared-gateway" | "vlan" | "virtual-wire" => self.l.bad(
                    k,
                    "layer-2 / virtual wire / shared gateway forwarding not modelled",
                    &Scope::Device,
                ),
                "tunnel" | "gre" | "logical-router" | "vxlan" => self.l.bad(
                    k,
                    "tunnels and logical routers not modelled",
                    &Scope::Routing,
                ),
                _ => self
                    .l
                    .bad(k, "network section not modelled", &Scope::Device),
            }
        }
    }

    fn interfaces(&mut self, n: &'a Node) {
        for kind in &n.kids {
            match kind.key.as_str() {
                "ethernet" | "aggregate-ethernet" => {
                    self.l.ok_line(kind.line());
                    for e in &kind.kids {
                        self.ethernet(e);
                    }
                }
                "loopback" => {
                    for k in &kind.kids {
                        match k.key.as_str() {
                            "units" => {
                                for un in &k.kids {
                                    self.unit(un, None, 0);
                                }
                            }
                            "ip" => {
                                let mut i = Interface::new("loopback", self.span(kind.line()));
                                self.ip_list(k, &mut i);
                                self.d.interfaces.push(i);
                            }
                            _ => self.if_attr(k, "loopback"),
                        }
                    }
                }
                "tunnel" => self.l.bad(
                    kind,
                    "tunnel interfaces (VPN) not modelled",
                    &Scope::Routing,
                ),
                "vlan" => self.l.bad(
                    kind,
                    "VLAN interfaces over layer-2 ports not modelled",
                    &Scope::Device,
                ),
                _ => self
                    .l
                    .bad(kind, "interface type not modelled", &Scope::Device),
            }
        }
    }

    fn ethernet(&mut self, e: &'a Node) {
        let mut i = Interface::new(e.key.clone(), self.span(e.line()));
        let mut keep = false;
        for k in &e.kids {
            match k.key.as_str() {
                "layer3" => {
                    keep = true;
                    for a in &k.kids {
                        match a.key.as_str() {
                            "ip" => self.ip_list(a, &mut i),
                            "units" => {
                                for un in &a.kids {
                                    self.unit(un, Some(e.key.as_str()), 0);
                                }
                                self.l.ok_line(a.line());
                            }
                            "dhcp-client" => self.l.bad(
                                a,
                                "address from DHCP: not known to sanso",
                                &Scope::Interface(e.key.clone()),
                            ),
                            _ => self.if_attr(a, &e.key),
                        }
                    }
                }
                "link-state" => {
                    i.shutdown = k.values() == ["down"];
                    self.l.ok(k);
                }
                "aggregate-group" => self.l.ok(k),
                "layer2" | "virtual-wire" => self.l.bad(
                    k,
                    "layer-2 / virtual wire interface not modelled",
                    &Scope::Device,
                ),
                "tap" | "ha" | "decrypt-mirror" | "log-card" => self
                    .l
                    .irr(k, "tap, HA and mirror ports (no transit forwarding)"),
                _ => self.if_attr(k, &e.key),
            }
        }
        if keep {
            i.lines = e.all_lines().into_iter().map(|l| self.span(l)).collect();
            self.d.interfaces.push(i);
        } else {
            self.l.ok_line(e.line());
        }
    }

    fn unit(&mut self, un: &'a Node, parent: Option<&str>, _d: u8) {
        let mut i = Interface::new(un.key.clone(), self.span(un.line()));
        let mut tag = None;
        for k in &un.kids {
            match k.key.as_str() {
                "ip" => self.ip_list(k, &mut i),
                "tag" => match k.values().first().and_then(|t| t.parse::<u16>().ok()) {
                    Some(t) if (1..=4094).contains(&t) => {
                        tag = Some(t);
                        self.l.ok(k);
                    }
                    _ => self
                        .l
                        .bad(k, "invalid 802.1Q tag", &Scope::Interface(un.key.clone())),
                },
                _ => self.if_attr(k, &un.key),
            }
        }
        if let (Some(p), Some(t)) = (parent, tag) {
            i.parent = Some((p.to_string(), t));
        }
        i.lines = un.all_lines().into_iter().map(|l| self.span(l)).collect();
        self.d.interfaces.push(i);
    }

    fn ip_list(&mut self, n: &'a Node, i: &mut Interface) {
        self.l.ok_line(n.line());
        for a in &n.kids {
            let v = a.key.as_str();
            let got = prefix(v).or_else(|| {
                // An address object naming the interface address.
                let o = self
                    .root
                    .path(&["vsys", "vsys1", "address", v])
                    .or_else(|| self.root.path(&["shared", "address", v]))?;
                prefix(o.val("ip-netmask")?)
            });
            match got {
                Some(p) => {
                    i.addresses.push(p);
                    self.l.ok(a);
                }
                None if v6(v) => self.l.ok(a),
                None => self.l.bad(
                    a,
                    &format!("interface address `{v}` is not an IPv4 prefix or address object"),
                    &Scope::Interface(i.name.clone()),
                ),
            }
        }
    }

    fn if_attr(&mut self, k: &'a Node, ifname: &str) {
        match k.key.as_str() {
            "comment"
            | "mtu"
            | "adjust-tcp-mss"
            | "netflow-profile"
            | "interface-management-profile"
            | "link-speed"
            | "link-duplex"
            | "lldp"
            | "lacp"
            | "arp"
            | "ndp-proxy"
            | "ipv6"
            | "untagged-sub-interface"
            | "lacp-port-priority"
            | "poe"
            | "bonjour"
            | "ddns-config"
            | "sdwan-link-settings"
            | "dhcp-server" => self
                .l
                .irr(k, "interface settings without effect on IPv4 forwarding"),
            _ => self.l.bad(
                k,
                "interface setting not modelled",
                &Scope::Interface(ifname.to_string()),
            ),
        }
    }

    // ------------------------------------------------------------------ routes

    fn routes(&mut self) -> bool {
        let Some(vrs) = self.root.path(&["dev", "network", "virtual-router"]) else {
            return false;
        };
        let mut with_ifs = 0;
        let scopes: Scopes = ["vsys", "shared"]
            .iter()
            .filter_map(|k| match *k {
                "vsys" => self.root.path(&["vsys", "vsys1"]),
                _ => self.root.get("shared"),
            })
            .collect();
        for vr in &vrs.kids {
            self.l.ok_line(vr.line());
            for k in &vr.kids {
                match k.key.as_str() {
                    "interface" => {
                        self.l.ok(k);
                        with_ifs += 1;
                        if with_ifs == 2 {
                            self.l.bad_line(
                                k.line(),
                                "several virtual routers: their static routes are merged into one table",
                                &Scope::Routing,
                            );
                        }
                    }
                    "routing-table" => {
                        for fam in &k.kids {
                            if fam.key != "ip" {
                                self.l.ok(fam); // ipv6
                                continue;
                            }
                            for sr in fam.kids.iter().flat_map(|x| x.kids.iter()) {
                                self.static_route(sr, &scopes);
                            }
                            self.l.ok(fam);
                        }
                    }
                    "protocol" => {
                        for p in &k.kids {
                            self.l.ok(p);
                            let on = p.val("enable") == Some("yes");
                            let dynamic =
                                !matches!(p.key.as_str(), "redist-profile" | "redist-profile-ipv6");
                            if on && dynamic {
                                let line = p.get("enable").map(|e| e.line()).unwrap_or(p.line());
                                self.l.bad_line(
                                    line,
                                    &format!(
                                        "{} routing enabled: learned routes not known to sanso",
                                        p.key
                                    ),
                                    &Scope::Routing,
                                );
                            }
                        }
                    }
                    "ecmp" | "admin-dists" | "multicast" => self.l.ok(k),
                    _ => self
                        .l
                        .bad(k, "virtual-router setting not modelled", &Scope::Routing),
                }
            }
        }
        true
    }

    fn static_route(&mut self, sr: &'a Node, scopes: &[&'a Node]) {
        let sc = Scope::Routing;
        let dst = sr.val("destination").unwrap_or("");
        let dst = prefix(dst).or_else(|| prefix(find(scopes, "address", dst)?.val("ip-netmask")?));
        let Some((p, len)) = dst else {
            self.l
                .bad(sr, "static route without a valid IPv4 destination", &sc);
            return;
        };
        let mut r = Route {
            prefix: Ipv4Addr::from(if len == 0 {
                0
            } else {
                u(p) & (u32::MAX << (32 - len))
            }),
            len,
            next_hop: None,
            interface: sr.val("interface").map(str::to_string),
            discard: false,
            span: self.span(sr.line()),
        };
        if let Some(nh) = sr.get("nexthop") {
            match (
                nh.kids.first().map(|k| k.key.as_str()),
                nh.kids
                    .first()
                    .and_then(|k| k.kids.first())
                    .map(|k| k.key.as_str()),
            ) {
                (Some("ip-address"), Some(a)) => {
                    let a = ip(a).or_else(|| {
                        prefix(find(scopes, "address", a)?.val("ip-netmask")?).map(|x| x.0)
                    });
                    match a {
                        Some(a) => r.next_hop = Some(a),
                        None => {
                            self.l.bad(nh, "next hop is not an IPv4 address", &sc);
                            return;
                        }
                    }
                }
                (Some("discard"), _) => r.discard = true,
                (Some("ipv6-address"), _) => {
                    self.l.ok(sr);
                    return;
                }
                (Some("next-vr"), _) => {
                    self.l
                        .bad(nh, "route to another virtual router not modelled", &sc);
                    return;
                }
                _ => {
                    self.l.bad(nh, "next hop not modelled", &sc);
                    return;
                }
            }
        }
        for k in &sr.kids {
            match k.key.as_str() {
                "destination" | "nexthop" | "interface" | "metric" | "admin-dist"
                | "route-table" | "bfd" => {}
                "path-monitor" => self.l.bad(k, "path monitoring may withdraw the route", &sc),
                _ => self.l.bad(k, "static route setting not modelled", &sc),
            }
        }
        self.l.ok(sr);
        self.d.routes.push(r);
    }

    // ------------------------------------------------------------------ objects

    /// Object sections are read when rules name them; here they are only accounted for.
    fn objects_section(&mut self, s: &'a Node, what: &str) {
        for k in &s.kids {
            match k.key.as_str() {
                // Definitions: what they mean is read where a rule names them (an
                // invalid definition is reported on the rule's line).
                "address" | "address-group" | "service" | "service-group" | "application"
                | "application-group" | "application-filter" | "schedule" | "external-list"
                | "import" | "devices" | "description" | "parent-dg" => self.l.ok(k),
                "zone" | "rulebase" | "pre-rulebase" | "post-rulebase" => {}
                "tag"
                | "profiles"
                | "profile-group"
                | "log-settings"
                | "setting"
                | "display-name"
                | "botnet"
                | "reports"
                | "report-group"
                | "pdf-summary-report"
                | "email-scheduler"
                | "admin-role"
                | "content-preview"
                | "region"
                | "response-page"
                | "threats"
                | "local-user-database"
                | "authentication-profile"
                | "certificate"
                | "certificate-profile"
                | "ssl-tls-service-profile"
                | "server-profile"
                | "application-tag"
                | "dynamic-user-group"
                | "user-id-collector"
                | "captive-portal"
                | "ocsp-responder"
                | "global-protect"
                | "master-device"
                | "reference-templates"
                | "authorization-code"
                | "to-sw-version" => self.l.irr(k, "profiles, tags, logging and other objects"),
                _ => self
                    .l
                    .bad(k, &format!("{what} section not modelled"), &Scope::Policy),
            }
        }
    }

    fn device_groups(&mut self) -> Vec<&'a Node> {
        let Some(dgs) = self.root.get("dg") else {
            return vec![];
        };
        // Parents: `readonly devices D device-group G parent-dg P` or `device-group G parent-dg P`.
        let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
        if let Some(ro) = self.root.path(&["readonly", "devices"]) {
            for dev in &ro.kids {
                if let Some(g) = dev.get("device-group") {
                    for x in &g.kids {
                        if let Some(p) = x.val("parent-dg") {
                            parent.insert(x.key.as_str(), p);
                        }
                    }
                }
            }
        }
        for g in &dgs.kids {
            if let Some(p) = g.val("parent-dg") {
                parent.insert(g.key.as_str(), p);
            }
        }
        let is_parent: BTreeSet<&str> = parent.values().copied().collect();
        let leaves: Vec<&Node> = dgs
            .kids
            .iter()
            .filter(|g| !is_parent.contains(g.key.as_str()))
            .collect();
        let Some(leaf) = leaves.first() else {
            return vec![];
        };
        let has_rules =
            |g: &Node| g.get("pre-rulebase").is_some() || g.get("post-rulebase").is_some();
        for other in leaves[1..].iter().filter(|g| has_rules(g)) {
            self.l.bad_line(
                other.line(),
                "several device groups: only the first one's rules are applied to this firewall",
                &Scope::Policy,
            );
        }
        // Top ancestor first.
        let mut chain = vec![*leaf];
        let mut seen = BTreeSet::from([leaf.key.as_str()]);
        let mut cur = leaf.key.as_str();
        while let Some(p) = parent.get(cur) {
            if !seen.insert(p) {
                break;
            }
            match dgs.get(p) {
                Some(n) => chain.push(n),
                None => break,
            }
            cur = p;
        }
        chain.reverse();
        chain
    }

    /// Addresses of one rule member: `any`, a literal, an address or a static group.
    fn addr(&self, scopes: &[&'a Node], name: &str, depth: u8) -> R<(Vec<IpMatch>, Vec<u32>)> {
        if depth > 16 {
            return Err(format!("address group `{name}` nests too deep (a cycle?)"));
        }
        if name == "any" {
            return Ok((vec![IpMatch::Any], vec![]));
        }
        if let Some((a, n)) = prefix(name) {
            return Ok((vec![IpMatch::prefix(a, n)], vec![]));
        }
        if let Some((lo, hi)) = range(name) {
            return if lo <= hi {
                Ok((vec![IpMatch::Range { lo, hi }], vec![]))
            } else {
                Err(format!(
                    "address range `{name}` is empty (PAN-OS rejects it)"
                ))
            };
        }
        if v6(name) {
            return Ok((vec![], vec![]));
        }
        if let Some(o) = find(scopes, "address", name) {
            let lines = o.all_lines();
            let v = if let Some(p) = o.val("ip-netmask") {
                if v6(p) {
                    vec![]
                } else {
                    let (a, n) =
                        prefix(p).ok_or(format!("address `{name}`: bad ip-netmask `{p}`"))?;
                    vec![IpMatch::prefix(a, n)]
                }
            } else if let Some(r) = o.val("ip-range") {
                if v6(r) {
                    vec![]
                } else {
                    let (lo, hi) = range(r)
                        .filter(|(a, b)| a <= b)
                        .ok_or(format!("address `{name}`: bad ip-range `{r}`"))?;
                    vec![IpMatch::Range { lo, hi }]
                }
            } else if let Some(w) = o.val("ip-wildcard") {
                let (a, m) = w
                    .split_once('/')
                    .ok_or(format!("address `{name}`: bad ip-wildcard"))?;
                let (a, m) = (ip(a), ip(m));
                let (Some(a), Some(m)) = (a, m) else {
                    return Err(format!("address `{name}`: bad ip-wildcard"));
                };
                vec![IpMatch::Wildcard {
                    addr: a,
                    wildcard: m,
                }]
            } else if o.get("fqdn").is_some() {
                return Err(format!("address `{name}` is an FQDN: its addresses are resolved by the firewall at run time"));
            } else {
                return Err(format!("address `{name}` has no IPv4 value"));
            };
            return Ok((v, lines));
        }
        if let Some(g) = find(scopes, "address-group", name) {
            let mut lines = g.all_lines();
            let Some(st) = g.get("static") else {
                return Err(format!(
                    "address group `{name}` is dynamic (tag-based): members known only at run time"
                ));
            };
            let mut v = vec![];
            for m in st.values() {
                let (x, ls) = self.addr(scopes, m, depth + 1)?;
                v.extend(x);
                lines.extend(ls);
            }
            return Ok((v, lines));
        }
        if find(scopes, "external-list", name).is_some() {
            return Err(format!("`{name}` is an external dynamic list"));
        }
        Err(format!("address `{name}` is not defined"))
    }

    fn svc(&self, scopes: &[&'a Node], name: &str, depth: u8) -> R<(Vec<Service>, Vec<u32>)> {
        if depth > 16 {
            return Err(format!("service group `{name}` nests too deep (a cycle?)"));
        }
        match name {
            "any" => return Ok((vec![Service::any()], vec![])),
            "service-http" => {
                return Ok((
                    vec![Service::tcp_dport(80, 80), Service::tcp_dport(8080, 8080)],
                    vec![],
                ))
            }
            "service-https" => return Ok((vec![Service::tcp_dport(443, 443)], vec![])),
            _ => {}
        }
        if let Some(o) = find(scopes, "service", name) {
            let lines = o.all_lines();
            let p = o
                .get("protocol")
                .and_then(|p| p.kids.first())
                .ok_or(format!("service `{name}` has no protocol"))?;
            let pn = match p.key.as_str() {
                "tcp" => proto::TCP,
                "udp" => proto::UDP,
                "sctp" => proto::SCTP,
                x => return Err(format!("service `{name}`: protocol `{x}` not modelled")),
            };
            let ports = |k: &str| -> R<Vec<PortRange>> {
                match p.val(k) {
                    None => Ok(vec![PortRange::ANY]),
                    Some(s) => s
                        .split(',')
                        .map(|x| {
                            port_range(x.trim()).ok_or(format!("service `{name}`: bad port `{x}`"))
                        })
                        .collect(),
                }
            };
            if p.get("port").is_none() {
                return Err(format!("service `{name}` has no destination port"));
            }
            let (dp, sp) = (ports("port")?, ports("source-port")?);
            let mut v = vec![];
            for d in &dp {
                for s in &sp {
                    v.push(Service {
                        proto: Some(pn),
                        sport: *s,
                        dport: *d,
                        icmp_type: None,
                        icmp_code: None,
                    });
                }
            }
            return Ok((v, lines));
        }
        if let Some(g) = find(scopes, "service-group", name) {
            let mut lines = g.all_lines();
            let mut v = vec![];
            for m in g.get("members").map(|m| m.values()).unwrap_or_default() {
                let (x, ls) = self.svc(scopes, m, depth + 1)?;
                v.extend(x);
                lines.extend(ls);
            }
            return Ok((v, lines));
        }
        Err(format!("service `{name}` is not defined"))
    }

    /// The applications a member names (groups expanded); unknown names are kept (custom
    /// or predefined applications alike: the over-approximation treats them the same).
    fn apps(&self, scopes: &[&'a Node], name: &str, out: &mut Vec<String>, depth: u8) {
        if depth > 16 {
            return;
        }
        match find(scopes, "application-group", name).and_then(|g| g.get("members")) {
            Some(m) => {
                for x in m.values() {
                    self.apps(scopes, x, out, depth + 1);
                }
            }
            None => out.push(name.to_string()),
        }
    }

    /// Services `application-default` admits for these applications: the known default
    /// ports, or any service for an application whose defaults sanso does not know.
    fn app_services(&self, scopes: &[&'a Node], apps: &[String]) -> Vec<Service> {
        let mut v = vec![];
        for a in apps {
            // A custom application with `default port tcp/N`.
            if let Some(c) = find(scopes, "application", a) {
                let ports: Vec<&str> = c
                    .path(&["default", "port"])
                    .map(|p| p.values())
                    .unwrap_or_default();
                let mut ok = !ports.is_empty();
                let mut s = vec![];
                for p in ports {
                    let parsed = p.split_once('/').and_then(|(pr, ps)| {
                        let pn = match pr {
                            "tcp" => proto::TCP,
                            "udp" => proto::UDP,
                            _ => return None,
                        };
                        ps.split(',')
                            .map(|x| {
                                port_range(x).map(|r| Service {
                                    proto: Some(pn),
                                    dport: r,
                                    ..Service::any()
                                })
                            })
                            .collect::<Option<Vec<_>>>()
                    });
                    match parsed {
                        Some(x) => s.extend(x),
                        None => ok = false,
                    }
                }
                if ok {
                    v.extend(s);
                    continue;
                }
                return vec![Service::any()];
            }
            match app_default(a) {
                Some(s) => v.extend(s),
                None => return vec![Service::any()],
            }
        }
        v
    }

    // ------------------------------------------------------------------ vsys

    fn vsys(&mut self, v: &'a Node, scopes: &[&'a Node], dgs: &[&'a Node], multi: bool) {
        self.l.ok_line(v.line());
        // Zones → interfaces.
        let mut zones: BTreeMap<String, (Vec<String>, u32)> = BTreeMap::new();
        if let Some(zs) = v.get("zone") {
            for z in &zs.kids {
                let mut ifs = vec![];
                for k in &z.kids {
                    match k.key.as_str() {
                        "network" => {
                            for t in &k.kids {
                                match t.key.as_str() {
                                    "layer3" => {
                                        for i in &t.kids {
                                            if self.d.interface(&i.key).is_some() {
                                                ifs.push(i.key.clone());
                                                self.l.ok(i);
                                            } else {
                                                self.l.bad(i, &format!("zone `{}`: interface `{}` is not a layer-3 interface of this config", z.key, i.key), &Scope::Policy);
                                            }
                                        }
                                        self.l.ok_line(t.line());
                                    }
                                    "zone-protection-profile" | "log-setting" | "enable-packet-buffer-protection" | "net-inspection" => self.l.irr(t, "zone protection and logging"),
                                    _ => self.l.bad(t, "zone type not modelled (layer-2, virtual wire, tap, tunnel, external)", &Scope::Policy),
                                }
                            }
                        }
                        "enable-user-identification"
                        | "user-acl"
                        | "enable-device-identification"
                        | "device-acl" => self.l.irr(k, "User-ID settings"),
                        _ => self.l.bad(k, "zone setting not modelled", &Scope::Policy),
                    }
                }
                self.l.ok_line(z.line());
                zones.insert(z.key.clone(), (ifs, z.line()));
            }
        }
        let prefix = if multi {
            format!("{}/", v.key)
        } else {
            String::new()
        };
        let marks = (self.d.policies.len(), self.d.dnats.len());
        // Rulebases in evaluation order.
        let mut bases: Vec<&'a Node> = vec![];
        let shared = self.root.get("shared");
        let pano = self.root.get("pushed");
        if let Some(n) = shared.and_then(|s| s.get("pre-rulebase")) {
            bases.push(n)
        }
        for g in dgs {
            if let Some(n) = g.get("pre-rulebase") {
                bases.push(n)
            }
        }
        if let Some(n) = pano.and_then(|s| s.get("pre-rulebase")) {
            bases.push(n)
        }
        if let Some(n) = v.get("rulebase") {
            bases.push(n)
        }
        if let Some(n) = pano.and_then(|s| s.get("post-rulebase")) {
            bases.push(n)
        }
        for g in dgs.iter().rev() {
            if let Some(n) = g.get("post-rulebase") {
                bases.push(n)
            }
        }
        if let Some(n) = shared.and_then(|s| s.get("post-rulebase")) {
            bases.push(n)
        }
        let mut intrazone_default = true;
        let mut interzone_default: Option<u32> = None;
        let mut intra_line = None;
        for base in &bases {
            for rb in &base.kids {
                match rb.key.as_str() {
                    "security" => {
                        self.l.ok_line(rb.line());
                        for k in &rb.kids {
                            if k.key == "rules" {
                                self.l.ok_line(k.line());
                                for r in &k.kids {
                                    self.rule(r, scopes, &zones, &prefix);
                                }
                            } else {
                                self.l.bad(
                                    k,
                                    "security rulebase section not modelled",
                                    &Scope::Policy,
                                );
                            }
                        }
                    }
                    "default-security-rules" => {
                        for r in rb
                            .path(&["rules"])
                            .map(|r| r.kids.iter().collect::<Vec<_>>())
                            .unwrap_or_default()
                        {
                            let act = r.val("action");
                            match (r.key.as_str(), act) {
                                (
                                    "intrazone-default",
                                    Some(
                                        "deny" | "drop" | "reset-client" | "reset-server"
                                        | "reset-both",
                                    ),
                                ) => {
                                    intrazone_default = false;
                                    intra_line = Some(r.line());
                                }
                                ("intrazone-default", _) => {}
                                ("interzone-default", Some("allow")) => {
                                    interzone_default =
                                        Some(r.get("action").map(|a| a.line()).unwrap_or(r.line()))
                                }
                                ("interzone-default", _) => {}
                                _ => self
                                    .l
                                    .bad(r, "unknown default security rule", &Scope::Policy),
                            }
                            for k in &r.kids {
                                match k.key.as_str() {
                                    "action" => {}
                                    "log-setting" | "log-start" | "log-end" | "profile-setting" => {
                                    }
                                    _ => self.l.bad(
                                        k,
                                        "default rule setting not modelled",
                                        &Scope::Policy,
                                    ),
                                }
                            }
                        }
                        self.l.ok(rb);
                    }
                    "nat" => self.nat(rb, scopes, &zones),
                    "application-override" => self.l.irr(
                        rb,
                        "application override (App-ID only; applications are over-approximated)",
                    ),
                    "decryption"
                    | "qos"
                    | "dos"
                    | "authentication"
                    | "tunnel-inspect"
                    | "network-packet-broker" => self
                        .l
                        .irr(rb, "decryption, QoS, DoS and authentication policy"),
                    "pbf" | "sdwan" => {
                        self.l
                            .bad(rb, "policy-based forwarding not modelled", &Scope::Routing)
                    }
                    _ => self.l.bad(rb, "rulebase not modelled", &Scope::Policy),
                }
            }
        }
        let _ = intra_line;
        let (first_pol, first_dnat) = marks;
        // Defaults: intra-zone allow (unless overridden), inter-zone deny (unless overridden).
        if intrazone_default {
            for (z, (ifs, line)) in &zones {
                if ifs.is_empty() {
                    continue;
                }
                let sp = self.span(*line);
                self.d.policies.push(policy(
                    format!("{prefix}intrazone-default ({z})"),
                    ifs.clone(),
                    ifs.clone(),
                    Match::any(),
                    Action::Permit,
                    sp,
                ));
            }
        }
        if let Some(line) = interzone_default {
            let all: Vec<String> = zones.values().flat_map(|z| z.0.iter().cloned()).collect();
            let sp = self.span(line);
            self.d.policies.push(policy(
                format!("{prefix}interzone-default"),
                all.clone(),
                all,
                Match::any(),
                Action::Permit,
                sp,
            ));
        }
        self.link_dnats(first_pol, first_dnat);
    }

    fn rule(
        &mut self,
        r: &'a Node,
        scopes: &[&'a Node],
        zones: &BTreeMap<String, (Vec<String>, u32)>,
        prefix: &str,
    ) {
        let sc = Scope::Policy;
        let head = r.line();
        self.l.ok(r);
        let vals = |k: &str| r.get(k).map(|n| n.values()).unwrap_or_default();
        let action = match r.val("action") {
            Some("allow") => Action::Permit,
            Some("deny" | "drop" | "reset-client" | "reset-server" | "reset-both") => Action::Deny,
            other => {
                let why = match other {
                    None => "security rule without an action".to_string(),
                    Some(a) => format!("unknown action `{a}`"),
                };
                self.l
                    .bad_line(r.get("action").map(|a| a.line()).unwrap_or(head), &why, &sc);
                return;
            }
        };
        let enabled = r.val("disabled") != Some("yes");
        let mut ok = true;
        let mut lines: Vec<u32> = r.all_lines();
        // Zones.
        let zs = |k: &str, me: &mut Self| -> Vec<(String, Vec<String>)> {
            let mut out = vec![];
            let Some(n) = r.get(k) else {
                me.l.bad_line(head, &format!("security rule without `{k}`"), &sc);
                return out;
            };
            for m in &n.kids {
                if m.key == "any" {
                    out.extend(zones.iter().map(|(z, (i, _))| (z.clone(), i.clone())));
                } else if let Some((i, _)) = zones.get(&m.key) {
                    out.push((m.key.clone(), i.clone()));
                } else if enabled {
                    me.l.bad(m, &format!("zone `{}` is not defined", m.key), &sc);
                }
            }
            out
        };
        let from = zs("from", self);
        let to = zs("to", self);
        // Addresses.
        let side = |k: &str, neg: &str, me: &mut Self, lines: &mut Vec<u32>| -> Option<AddrSet> {
            let mut items = vec![];
            let members = vals(k);
            let members = if members.is_empty() {
                vec!["any"]
            } else {
                members
            };
            for m in members {
                match me.addr(scopes, m, 0) {
                    Ok((v, ls)) => {
                        items.extend(v);
                        lines.extend(ls);
                    }
                    Err(e) => {
                        if enabled {
                            let n = r
                                .get(k)
                                .and_then(|n| n.get(m))
                                .map(|n| n.line())
                                .unwrap_or(head);
                            me.l.bad_line(n, &e, &sc);
                        }
                    }
                }
            }
            if r.val(neg) == Some("yes") {
                match complement(&items) {
                    Ok(c) => items = c,
                    Err(e) => {
                        me.l.bad_line(r.get(neg).map(|n| n.line()).unwrap_or(head), &e, &sc);
                        return None;
                    }
                }
            }
            Some(AddrSet { items })
        };
        let Some(src) = side("source", "negate-source", self, &mut lines) else {
            return;
        };
        let Some(dst) = side("destination", "negate-destination", self, &mut lines) else {
            return;
        };
        // Applications and services.
        let mut apps = vec![];
        for a in vals("application") {
            self.apps(scopes, a, &mut apps, 0);
        }
        apps.sort();
        apps.dedup();
        let any_app = apps.is_empty() || apps.iter().any(|a| a == "any");
        let mut services = vec![];
        let svc = vals("service");
        if svc.is_empty() {
            self.l
                .bad_line(head, "security rule without `service` (read as any)", &sc);
        }
        for s in if svc.is_empty() { vec!["any"] } else { svc } {
            if s == "application-default" {
                services.extend(if any_app {
                    vec![Service::any()]
                } else {
                    self.app_services(scopes, &apps)
                });
                continue;
            }
            match self.svc(scopes, s, 0) {
                Ok((v, ls)) => {
                    services.extend(v);
                    lines.extend(ls);
                }
                Err(e) => {
                    if enabled {
                        let n = r
                            .get("service")
                            .and_then(|n| n.get(s))
                            .map(|n| n.line())
                            .unwrap_or(head);
                        self.l.bad_line(n, &e, &sc);
                    }
                }
            }
        }
        // Applications App-ID tells by the IP protocol alone (`icmp`): with service any
        // or application-default the rule is exactly that protocol, no condition left.
        let header_only = !any_app && apps.iter().all(|a| HEADER_APPS.contains(&a.as_str()));
        let by_header = header_only
            && (services.is_empty() || services.iter().all(|s| *s == Service::any()) || {
                let d = self.app_services(scopes, &apps);
                services.iter().all(|s| d.contains(s))
            });
        if by_header {
            services = self.app_services(scopes, &apps);
        }
        if services.iter().any(|s| *s == Service::any()) {
            services = vec![];
        } else if services.is_empty() {
            // Nothing resolved: the rule matches no packet.
            ok = false;
        }
        // Conditions beyond headers.
        let mut conds: Vec<String> = vec![];
        if !any_app && !by_header {
            conds.push(format!("the application is {}", apps.join(", ")));
        }
        for (k, say) in EXTRA_CONDITIONS {
            let v = vals(k);
            if !v.is_empty() && v != ["any"] && v != ["none"] {
                conds.push(format!("{say} {}", v.join(", ")));
            }
        }
        for k in &r.kids {
            let key = k.key.as_str();
            let known = matches!(
                key,
                "from"
                    | "to"
                    | "source"
                    | "destination"
                    | "service"
                    | "application"
                    | "action"
                    | "negate-source"
                    | "negate-destination"
                    | "target"
            ) || RULE_INERT.contains(&key)
                || EXTRA_CONDITIONS.iter().any(|(x, _)| *x == key);
            if !known {
                self.l.bad(k, "security rule field not modelled", &sc);
            }
            if key == "target" && k.get("devices").is_some() {
                self.l
                    .bad(k, "rule targets some managed firewalls only", &sc);
            }
        }
        let mut enabled = enabled;
        if !conds.is_empty() && action == Action::Deny && enabled {
            // Which packets a deny restricted by App-ID or user stops is not known.
            let n = r.get("application").map(|n| n.line()).unwrap_or(head);
            self.l.bad_line(
                n,
                &format!(
                    "deny rule restricted beyond headers ({}): not placed",
                    conds.join("; ")
                ),
                &sc,
            );
            enabled = false;
        }
        let m = Match {
            src,
            dst,
            services,
            established: None,
            src_mac: None,
        };
        let mut lines: Vec<Span> = {
            lines.sort_unstable();
            lines.dedup();
            lines.into_iter().map(|l| self.span(l)).collect()
        };
        lines.retain(|s| s.line > 0);
        let name = format!("{prefix}{}", r.key);
        let ifs = |v: &[(String, Vec<String>)]| -> Vec<String> {
            let mut x: Vec<String> = v.iter().flat_map(|z| z.1.iter().cloned()).collect();
            x.sort();
            x.dedup();
            x
        };
        let add = |id: String, s: Vec<String>, d: Vec<String>, me: &mut Self| {
            let mut p = policy(id, s, d, m.clone(), action, me.span(head));
            p.enabled = enabled && ok;
            p.lines = lines.clone();
            if !conds.is_empty() {
                me.d.conditions.push((me.span(head), conds.join("; ")));
            }
            me.d.policies.push(p);
        };
        match r.val("rule-type") {
            Some("intrazone") => {
                for (z, i) in &from {
                    if to.iter().any(|t| &t.0 == z) {
                        add(format!("{name} ({z})"), i.clone(), i.clone(), self);
                    }
                }
            }
            Some("interzone") => {
                for (a, i) in &from {
                    for (b, o) in &to {
                        if a != b {
                            add(format!("{name} ({a}→{b})"), i.clone(), o.clone(), self);
                        }
                    }
                }
            }
            _ => add(name, ifs(&from), ifs(&to), self),
        }
    }

    // ------------------------------------------------------------------ NAT

    /// Security rules match the original destination (pre-NAT) and the zone after NAT: a
    /// destination NAT of this vsys belongs to an allow that names any of its original
    /// address, and to a deny that names all of it.
    fn link_dnats(&mut self, first_pol: usize, first_dnat: usize) {
        for vi in first_dnat..self.d.dnats.len() {
            let (lo, hi) = self.d.dnats[vi].ext;
            let (lo, hi) = (u(lo), u(hi));
            for p in &mut self.d.policies[first_pol..] {
                let rs: Vec<(u32, u32)> = p.m.dst.items.iter().filter_map(as_ranges).collect();
                let all = rs.iter().any(|&(a, b)| a <= lo && hi <= b);
                let some = rs.iter().any(|&(a, b)| a <= hi && lo <= b);
                if (p.action == Action::Permit && some) || all {
                    p.dnat.push(vi);
                }
            }
        }
    }

    fn nat(
        &mut self,
        rb: &'a Node,
        scopes: &[&'a Node],
        zones: &BTreeMap<String, (Vec<String>, u32)>,
    ) {
        let sc = Scope::Policy;
        self.l.ok_line(rb.line());
        let Some(rules) = rb.get("rules") else {
            self.l.bad(rb, "NAT rulebase not modelled", &sc);
            return;
        };
        self.l.ok_line(rules.line());
        for r in &rules.kids {
            self.l.ok(r);
            if r.val("disabled") == Some("yes") {
                continue;
            }
            let st = r.get("source-translation");
            let dt = r.get("destination-translation");
            if let Some(s) = st {
                self.l.bad(s, "source NAT not modelled (the source after translation is unknown to the checks)", &sc);
            }
            if let Some(n) = r.get("dynamic-destination-translation") {
                self.l.bad(n, "dynamic destination NAT not modelled", &sc);
            }
            let Some(dt) = dt else { continue };
            match self.dnat(r, dt, scopes, zones) {
                Ok(x) => {
                    self.d.dnats.push(x);
                }
                Err(e) => self.l.bad(dt, &e, &sc),
            }
        }
    }

    fn dnat(
        &self,
        r: &'a Node,
        dt: &'a Node,
        scopes: &[&'a Node],
        zones: &BTreeMap<String, (Vec<String>, u32)>,
    ) -> R<Dnat> {
        let vals = |k: &str| r.get(k).map(|n| n.values()).unwrap_or_default();
        if vals("source").iter().any(|s| *s != "any") {
            return Err("destination NAT restricted by source not modelled".into());
        }
        let dst = vals("destination");
        let [d] = dst.as_slice() else {
            return Err("destination NAT needs one original destination".into());
        };
        let (items, _) = self.addr(scopes, d, 0)?;
        let ext = match items.as_slice() {
            [m] => as_ranges(m)
                .filter(|(a, b)| a == b || !matches!(m, IpMatch::Any))
                .ok_or("destination NAT of a wildcard")?,
            _ => return Err("destination NAT needs one original address or range".into()),
        };
        if ext.0 != ext.1 {
            return Err("destination NAT of an address range not modelled".into());
        }
        let ta = dt
            .val("translated-address")
            .ok_or("destination NAT without translated-address")?;
        let (mapped, _) = self.addr(scopes, ta, 0)?;
        let mapped = match mapped.as_slice() {
            [IpMatch::Wildcard { addr, wildcard }] if u(*wildcard) == 0 => *addr,
            _ => {
                return Err(
                    "destination NAT to several addresses (load sharing) not modelled".into(),
                )
            }
        };
        let mut in_intf: Vec<String> = vec![];
        for f in vals("from") {
            if f == "any" {
                in_intf.extend(zones.values().flat_map(|z| z.0.iter().cloned()));
            } else {
                in_intf.extend(
                    zones
                        .get(f)
                        .ok_or(format!("zone `{f}` is not defined"))?
                        .0
                        .iter()
                        .cloned(),
                );
            }
        }
        let svc = r.val("service").unwrap_or("any");
        let port = match (svc, dt.val("translated-port")) {
            ("any", None) => None,
            ("any", Some(_)) => return Err("port translation without a service".into()),
            (s, tp) => {
                let (v, _) = self.svc(scopes, s, 0)?;
                let [x] = v.as_slice() else {
                    return Err("NAT service with several ports".into());
                };
                let tp = match tp {
                    Some(t) => Some(
                        t.parse::<u16>()
                            .map_err(|_| format!("bad translated-port `{t}`"))?,
                    ),
                    None => None,
                };
                Some((x.proto.unwrap_or(proto::TCP), x.dport, tp))
            }
        };
        Ok(Dnat {
            name: r.key.clone(),
            in_intf,
            ext: (Ipv4Addr::from(ext.0), Ipv4Addr::from(ext.1)),
            mapped,
            port,
            src: None,
            span: self.span(r.line()),
            lines: r.all_lines().into_iter().map(|l| self.span(l)).collect(),
        })
    }
}

fn port_range(s: &str) -> Option<PortRange> {
    match s.split_once('-') {
        Some((a, b)) => {
            let (lo, hi) = (a.parse().ok()?, b.parse().ok()?);
            (lo <= hi).then_some(PortRange { lo, hi })
        }
        None => s.parse().ok().map(PortRange::single),
    }
}

fn policy(
    id: String,
    s: Vec<String>,
    d: Vec<String>,
    m: Match,
    action: Action,
    span: Span,
) -> Policy {
    Policy {
        id,
        src_intf: s,
        dst_intf: d,
        m,
        action,
        enabled: true,
        lines: vec![span.clone()],
        field_lines: vec![],
        span,
        snat: None,
        dnat: vec![],
    }
}

//! VLAN and interface stanzas: addresses, switchport, port security, 802.1X / MAB, and
//! the interface-name helpers (canonical names, ranges, physical ports).

use super::lexing::{ip, mask_len, parse_cidr, parse_mac, parse_vlan_list, vlan_id};
use super::{un, AuthCtl, Ctx, Flavor, IfAux, Out, Parser, SwMode, IFPHYS};
use crate::model::{AclRef, IfMode, Interface, Scope, VlanSet};

/// `no …` forms that restate what IOS does without the line.
const DEFAULT_RESTATED: &str = "restates the IOS default (no effect)";

impl Parser {
    // ------------------------------------------------------------------ VLANs

    pub(in crate::ingest) fn vlan_header(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
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

    pub(in crate::ingest) fn vlan_sub(&mut self, kw: &[String]) -> Out {
        let k0 = kw.first().map(String::as_str).unwrap_or("");
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        match (k0, k1) {
            ("name", _) | ("exit", _) | ("state", "active") | ("no", "shutdown") => Out::Ok,
            _ => un("unsupported vlan sub-command", Scope::Device),
        }
    }

    // ------------------------------------------------------------------ interfaces

    pub(in crate::ingest) fn interface_header(
        &mut self,
        ln: u32,
        t: &[&str],
        kw: &[String],
    ) -> Out {
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
        self.open_interfaces(ln, t, names)
    }

    /// Open (or reopen) the stanza of these interfaces (canonical names).
    pub(in crate::ingest) fn open_interfaces(
        &mut self,
        ln: u32,
        t: &[&str],
        names: Vec<String>,
    ) -> Out {
        // Validate SVIs.
        for n in &names {
            if let Some(rest) = n.strip_prefix("Vlan").or_else(|| n.strip_prefix("vlan")) {
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
                    let mut aux = IfAux::default();
                    if self.flavor == Flavor::AwPlus {
                        // An AlliedWare Plus trunk carries no tagged VLAN until
                        // `switchport trunk allowed vlan add|all`.
                        aux.allowed = VlanSet::none();
                    }
                    self.aux.push(aux);
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

    pub(in crate::ingest) fn iface_sub(
        &mut self,
        ln: u32,
        idx: &[usize],
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let k0 = kw.first().map(String::as_str).unwrap_or("");
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        let k2 = kw.get(2).map(String::as_str).unwrap_or("");
        let ifs = Scope::Interface(String::new()); // replaced by the caller per interface
        let n = t.len();
        match k0 {
            "bandwidth" if self.iface_bandwidth(ln, idx, t) => Out::Ok,
            "description" | "speed" | "duplex" | "mtu" | "cdp" | "lldp" | "spanning-tree"
            | "storm-control" | "load-interval" | "negotiation" | "keepalive" | "bandwidth"
            | "delay" | "carrier-delay" | "logging" | "snmp" | "flowcontrol" | "hold-queue"
            | "media-type" | "power" | "mdix" | "udld" | "dampening" | "priority-queue"
            | "srr-queue" | "auto" | "arp" | "mop" | "exit" | "macro" | "clock"
            | "tx-ring-limit" | "ntp" | "autostate" | "small-frame" | "errdisable" | "lacp"
            | "link" | "shape" | "qos" | "network-clock" | "service-policy"
            // Egress queue scheduling (as `srr-queue`), priority flow control (as
            // `flowcontrol`), radio channel / antenna / DFS / STBC and line modes: how the
            // link carries frames, not which IPv4 packets pass it.
            | "tx-queue" | "priority-flow-control" | "antenna" | "channel" | "dfs" | "stbc"
            | "gig-default" | "dsl"
                if !(k0 == "service-policy" && k2 == "control") =>
            {
                Out::Irr(IFPHYS)
            }
            // Link OAM (802.3ah) PDU rates and timeouts, like `udld`.
            "ethernet" if k1 == "oam" && matches!(k2, "max-rate" | "min-rate" | "timeout") => {
                Out::Irr(IFPHYS)
            }
            "ethernet" if k1 == "oam" && k2 == "remote-loopback" && kw.get(3).map(String::as_str) == Some("timeout") =>
            {
                Out::Irr(IFPHYS)
            }
            "authentication" | "dot1x" | "mab" | "access-session" => self.port_auth(ln, idx, kw),
            "channel-group" => self.ios_channel_group(ln, idx, t, kw),
            // Which protocol negotiates the bundle, not what it forwards.
            "channel-protocol" if n == 2 && matches!(k1, "lacp" | "pagp") => Out::Irr(IFPHYS),
            "vrf" => un("interface in a VRF (not modelled)", ifs),
            "mls" if k1 == "qos" => Out::Irr(IFPHYS),
            "shutdown" if n == 1 => {
                self.each_if(idx, |itf, _| itf.shutdown = true);
                Out::Ok
            }
            "ip" => self.iface_ip(ln, idx, t, kw),
            "ipv6" | "ospfv3" if self.flavor == Flavor::AwPlus => {
                Out::Irr(crate::ingest::IPV6_OUT_OF_SCOPE)
            }
            "ipv6" => Out::Irr(crate::ingest::IPV6_OUT_OF_SCOPE),
            // OSPFv3 carries IPv4 routes too (`address-family ipv4` in `router ospfv3`).
            "ospfv3" => un(
                "OSPFv3 interface setting (OSPFv3 can carry IPv4 routes; not modelled)",
                Scope::Routing,
            ),
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
                | "bandwidth" | "synchronous" | "negotiate" => Out::Irr(IFPHYS),
                "ipv6" => Out::Irr(crate::ingest::IPV6_OUT_OF_SCOPE),
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
                    "pim" | "igmp" => un(super::MCAST, ifs),
                    // Each restates the IOS default (ports untrusted for DHCP snooping and
                    // dynamic ARP inspection, relay without trusted option 82, subnet
                    // broadcasts or smart relay): the same as no line.
                    "dhcp" | "arp"
                        if n == 5
                            && matches!(
                                (k2, kw.get(3).map(String::as_str), kw.get(4).map(String::as_str)),
                                ("dhcp", Some("snooping"), Some("trust"))
                                    | ("arp", Some("inspection"), Some("trust"))
                                    | ("dhcp", Some("relay"), Some("subnet-broadcast"))
                            ) =>
                    {
                        Out::Irr(DEFAULT_RESTATED)
                    }
                    "dhcp"
                        if (n == 6
                            && kw[3..6] == ["relay", "information", "trusted"])
                            || (n == 4 && kw[3] == "smart-relay") =>
                    {
                        Out::Irr(DEFAULT_RESTATED)
                    }
                    "ospf" | "passive-interface" | "summary-address" => un(
                        "routing protocol interface setting (not modelled)",
                        Scope::Routing,
                    ),
                    _ => un("unsupported interface command", ifs),
                },
                // Load deferral is off by default.
                "port-channel" if n == 4 && k2 == "port" && kw[3] == "load-defer" => {
                    Out::Irr(DEFAULT_RESTATED)
                }
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

    pub(in crate::ingest) fn each_if(
        &mut self,
        idx: &[usize],
        mut f: impl FnMut(&mut Interface, &mut IfAux),
    ) {
        for &i in idx {
            if let (Some(itf), Some(aux)) = (self.dev.interfaces.get_mut(i), self.aux.get_mut(i)) {
                f(itf, aux);
            }
        }
    }

    pub(in crate::ingest) fn iface_ip(
        &mut self,
        ln: u32,
        idx: &[usize],
        t: &[&str],
        kw: &[String],
    ) -> Out {
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
            // ARP cache ageing and gratuitous ARP announcements: when entries are refreshed
            // and whether the address is announced, not which packets the interface passes.
            "arp" if matches!(k2, "timeout" | "gratuitous") => Out::Irr(IFPHYS),
            "cef" if k2 == "accounting" => Out::Irr(IFPHYS),
            "ospf" => self.iface_ospf(ln, idx, t, kw),
            "router" | "summary-address" | "authentication" | "hello-interval" | "hold-time"
            | "bandwidth-percent" | "rip" | "eigrp" | "bgp" | "passive-interface"
            | "next-hop-self" => un(
                "routing protocol interface setting (not modelled)",
                Scope::Routing,
            ),
            // SAP: the listener for multicast session announcements.
            "pim" | "igmp" | "multicast" | "mfib" | "cgmp" | "sap" => un(super::MCAST, ifs),
            // RTP header compression: both ends restore the headers; what passes is unchanged.
            "rtp" if k2 == "header-compression" => Out::Irr(IFPHYS),
            "vrf" => un("interface in a VRF (not modelled)", ifs),
            "nat" => self.iface_nat(ln, idx, kw),
            // AW+: the relay agent takes the clients' DHCP broadcasts and re-sends their
            // DHCP messages itself, from its own address, to the configured server: an
            // application relay for DHCP only, like the DNS proxy of a router, not
            // forwarding of client packets (docs/dialects/allied-awplus.md). IOS keeps
            // the listing.
            "helper-address" if self.flavor == Flavor::AwPlus => Out::Irr(
                "DHCP relay (the switch re-sends DHCP messages from its own address; no client packet is forwarded)",
            ),
            "helper-address" => un("DHCP relay forwards broadcasts (not modelled)", ifs),
            _ => un("unsupported interface ip command", ifs),
        }
    }

    pub(in crate::ingest) fn switchport(
        &mut self,
        ln: u32,
        idx: &[usize],
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        let k2 = kw.get(2).map(String::as_str).unwrap_or("");
        let n = t.len();
        let ifs = Scope::Interface(String::new());
        self.each_if(idx, |_, aux| aux.switchport_lines = true);
        if k1 == "trunk" {
            self.each_if(idx, |_, aux| aux.trunk_lines = true);
        }
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
    pub(in crate::ingest) fn port_auth(&mut self, ln: u32, idx: &[usize], kw: &[String]) -> Out {
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

    pub(in crate::ingest) fn port_security(
        &mut self,
        ln: u32,
        idx: &[usize],
        t: &[&str],
        kw: &[String],
    ) -> Out {
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
}

pub(in crate::ingest) fn resolve_mode(
    itf: &Interface,
    aux: &IfAux,
    is_switch: bool,
    flavor: Flavor,
) -> IfMode {
    let svi = match flavor {
        Flavor::Ios => itf.name.strip_prefix("Vlan"),
        Flavor::AwPlus => itf.name.strip_prefix("vlan"),
    };
    if let Some(v) = svi.and_then(|s| s.parse::<u16>().ok()) {
        return IfMode::Svi { vlan: v };
    }
    if flavor == Flavor::AwPlus {
        // Switch ports (`port1.0.1`) and aggregators (`sa1`, `po1`) are switchports
        // unless they carry an address; anything else (`eth1`, `lo`) is routed.
        let port = crate::ingest::awplus::is_switch_port(&itf.name);
        if !port || aux.no_switchport || !itf.addresses.is_empty() {
            return IfMode::Routed;
        }
        return match aux.mode {
            Some(SwMode::Trunk) => {
                let mut allowed = aux.allowed.clone();
                // The native VLAN travels untagged whatever the allowed (tagged) list
                // says; `native vlan none`: no untagged frames (a native id outside the
                // list, for the model's "native ∈ allowed" rule).
                let native = if aux.native_none {
                    (1..=4094u16).find(|v| !allowed.contains(*v)).unwrap_or(1)
                } else {
                    allowed.add(aux.native, aux.native);
                    aux.native
                };
                IfMode::Trunk { allowed, native }
            }
            _ => IfMode::Access {
                vlan: aux.access_vlan.unwrap_or(1),
            },
        };
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
        // No `switchport mode` but trunk settings: DTP (the default dynamic mode) forms
        // the trunk they describe with a trunking peer; taken as that trunk (it carries at
        // least what the access default would: its native VLAN untagged).
        Some(SwMode::Trunk) => IfMode::Trunk {
            allowed: aux.allowed.clone(),
            native: aux.native,
        },
        None if aux.trunk_lines => IfMode::Trunk {
            allowed: aux.allowed.clone(),
            native: aux.native,
        },
        _ => IfMode::Access {
            vlan: aux.access_vlan.unwrap_or(1),
        },
    }
}

pub(in crate::ingest) fn is_physical(name: &str) -> bool {
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

/// Canonical interface type names and the shortest accepted abbreviation.
pub(in crate::ingest) const IF_TYPES: &[(&str, usize)] = &[
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
pub(in crate::ingest) fn expand_range(s: &str) -> Result<Vec<String>, String> {
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

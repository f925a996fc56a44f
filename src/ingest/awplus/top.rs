//! Top-level AlliedWare Plus commands; what AW+ shares with IOS goes to the IOS
//! top-level reader.

use crate::ingest::cisco_ios::lexing::{parse_cidr, parse_vlan_list};
use crate::ingest::cisco_ios::{un, Ctx, Out, Parser, BANNER};
use crate::model::Scope;

const MGMT: &str = "management, logging, AAA and platform";
const FW_DEF: &str =
    "firewall entity / application definition (used only by firewall and NAT rules, which are unrecognized)";

impl Parser {
    pub(in crate::ingest) fn awp_top(
        &mut self,
        ln: u32,
        trimmed: &str,
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let k = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        let (k0, k1, k2) = (k(0), k(1), k(2));
        match k0 {
            "interface" => self.awp_interface_header(ln, t),
            "vlan" if k1 == "database" && t.len() == 2 => {
                self.ctx = Ctx::VlanDb;
                Out::Ok
            }
            "vlan" => self.unknown_stanza(trimmed, Scope::Device, "unsupported vlan command"),
            "access-list" => self.awp_access_list(ln, trimmed, t, kw),
            "ip" if k1 == "route" => self.awp_ip_route(ln, t, kw),
            "ip" if k1 == "dhcp-client" => self.skip("DHCP client options"),
            // A one-line banner; AW+ has no delimited multi-line form in its configs.
            "banner" => self.skip(BANNER),
            "zone" | "application" => self.skip(FW_DEF),
            "firewall" => self.unknown_stanza(
                trimmed,
                Scope::Device,
                "AlliedWare Plus firewall rules (not modelled)",
            ),
            "nat" => self.unknown_stanza(
                trimmed,
                Scope::Device,
                "AlliedWare Plus NAT rewrites addresses (not modelled)",
            ),
            "nvo" => self.unknown_stanza(
                trimmed,
                Scope::Device,
                "VXLAN overlay (network virtualisation, not modelled)",
            ),
            "mlag" => self.unknown_stanza(
                trimmed,
                Scope::Device,
                "MLAG domain (multi-chassis link aggregation, not modelled)",
            ),
            "openflow" => self.unknown_stanza(
                trimmed,
                Scope::Device,
                "OpenFlow (a controller decides forwarding; not modelled)",
            ),
            "service" => match k1 {
                "mlag" => self.unknown_stanza(
                    trimmed,
                    Scope::Device,
                    "MLAG (multi-chassis link aggregation, not modelled)",
                ),
                "dhcp-server" => self.skip("DHCP server"),
                _ => self.skip(MGMT),
            },
            "ssh" | "log" | "stack" | "atmf" | "power-inline" | "ecofriendly" | "mail" | "http"
            | "auth-web-server" | "sflow" | "exception" | "terminal" | "telnet" | "user"
            | "security-password" | "system" | "feature" | "usb" | "trigger" | "clock" | "line"
            | "username" | "aaa" | "radius-server" | "tacacs-server" | "snmp-server" | "ntp"
            | "enable" | "hostname" | "end" | "exit" | "crypto" | "logging" | "license"
            | "version" => self.awp_shared_top(ln, trimmed, t, kw),
            "platform" => self.skip("platform resource allocation (jumbo frames, ACL/TCAM modes)"),
            "lacp" | "loop-protection" | "lldp" | "spanning-tree" | "epsr" | "udld"
            | "errdisable" => self.skip("L2 control protocols (STP, LACP, LLDP, loop protection)"),
            "auth-mac" | "auth-web" | "auth" | "dot1x" => self.skip("802.1X / AAA global setting"),
            "mac" if k1 == "address-table" && k2 == "static" => self.unknown_stanza(
                trimmed,
                Scope::Device,
                "static MAC table entry (not modelled)",
            ),
            "mac" if k1 == "address-table" => self.skip("MAC table ageing / learning setting"),
            "no" => match (k1, k2) {
                ("ip", "multicast-routing") => self.skip("multicast routing disabled"),
                ("service" | "banner" | "clock" | "lldp" | "spanning-tree" | "snmp-server", _)
                | ("ssh" | "http" | "telnet" | "log" | "platform" | "lacp", _) => self.skip(MGMT),
                _ => self.awp_shared_top(ln, trimmed, t, kw),
            },
            _ => self.awp_shared_top(ln, trimmed, t, kw),
        }
    }

    /// Commands AW+ writes as IOS does (hostname, `ip` management services, routing
    /// protocols, QoS maps, AAA …).
    fn awp_shared_top(&mut self, ln: u32, trimmed: &str, t: &[&str], kw: &[String]) -> Out {
        match kw.first().map(String::as_str).unwrap_or("") {
            // Their AW+ forms differ from IOS: reported, not read with IOS meaning.
            "interface" | "vlan" | "access-list" | "banner" => {
                self.unknown_stanza(trimmed, Scope::Device, "unknown top-level command")
            }
            "ssh" | "log" | "stack" | "atmf" | "power-inline" | "ecofriendly" | "mail" | "http"
            | "auth-web-server" | "sflow" | "terminal" | "telnet" | "user"
            | "security-password" | "feature" | "usb" | "trigger" => {
                self.skip("management, logging, AAA and platform")
            }
            _ => self.top(ln, trimmed, t, kw),
        }
    }

    /// `vlan database` sub-lines: `vlan 10`, `vlan 10 name X`, `vlan 20-30`,
    /// `vlan 10 state enable`, `vlan 10 mtu N`.
    pub(in crate::ingest) fn awp_vlan_db(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let k = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        if k(0) != "vlan" {
            return un("unsupported vlan database command", Scope::Device);
        }
        let set = match parse_vlan_list(k(1)) {
            Ok(s) => s,
            Err(e) => return un(format!("invalid VLAN list: {e}"), Scope::Device),
        };
        let ok = match (k(2), t.len()) {
            ("", 2) => true,
            ("name", 4) | ("mtu", 4) => true,
            ("state", 4) if k(3) == "enable" => true,
            _ => false,
        };
        if !ok {
            return un(
                "unsupported vlan database option (a disabled VLAN does not forward)",
                Scope::Device,
            );
        }
        let span = self.span(ln);
        for v in set.iter() {
            self.dev.vlans.entry(v).or_insert_with(|| span.clone());
        }
        Out::Ok
    }

    /// `ip route A.B.C.D/len GW|IF [distance]` and `ip route A.B.C.D M.M.M.M GW|IF
    /// [distance]`, read by the IOS route reader; interface next hops keep their AW+ name.
    fn awp_ip_route(&mut self, ln: u32, t: &[&str], kw: &[String]) -> Out {
        let mut toks: Vec<String> = t.iter().map(|s| s.to_string()).collect();
        if let Some(p) = t.get(2).filter(|p| p.contains('/')) {
            let Some((a, len)) = parse_cidr(p) else {
                return un("malformed ip route prefix", Scope::Routing);
            };
            let m = if len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(len))
            };
            toks.splice(
                2..3,
                [a.to_string(), std::net::Ipv4Addr::from(m).to_string()],
            );
        }
        let hop = toks.get(4).cloned();
        let tt: Vec<&str> = toks.iter().map(String::as_str).collect();
        let kk: Vec<String> = tt.iter().map(|x| x.to_ascii_lowercase()).collect();
        let _ = kw;
        let before = self.dev.routes.len();
        let out = self.ip_route(ln, &tt, &kk);
        if self.dev.routes.len() > before {
            if let (Some(r), Some(h)) = (self.dev.routes.last_mut(), hop) {
                if r.interface.is_some() {
                    r.interface = Some(h.to_ascii_lowercase());
                }
            }
        }
        out
    }
}

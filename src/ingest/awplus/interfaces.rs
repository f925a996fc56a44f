//! AlliedWare Plus interface stanzas: names and ranges, and the interface commands AW+
//! writes differently from IOS (the rest goes to the IOS interface reader).

use crate::ingest::cisco_ios::{un, AuthCtl, Out, Parser, IFPHYS};
use crate::model::Scope;

/// Expand an AW+ interface list: `port1.0.1`, `port1.0.2-1.0.4`, `po7-8`,
/// `port1.0.1-1.0.4,port1.0.6`, `vlan10`. Names are lower case, as AW+ writes them.
pub fn expand_names(s: &str) -> Result<Vec<String>, String> {
    let mut out = vec![];
    for item in s.split(',') {
        let item = item.trim().to_ascii_lowercase();
        if item.is_empty() {
            return Err("empty interface list item".into());
        }
        let ty: String = item
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        if ty.is_empty() {
            return Err(format!("`{item}` has no interface type"));
        }
        let Some((first, last)) = item.split_once('-') else {
            out.push(item);
            continue;
        };
        let lo_parts: Vec<&str> = first[ty.len()..].split('.').collect();
        let last = last.strip_prefix(ty.as_str()).unwrap_or(last);
        let hi_parts: Vec<&str> = last.split('.').collect();
        let num = |p: &str| p.parse::<u32>().ok();
        if lo_parts.len() != hi_parts.len()
            || lo_parts.iter().chain(&hi_parts).any(|p| num(p).is_none())
            || lo_parts[..lo_parts.len() - 1] != hi_parts[..hi_parts.len() - 1]
        {
            return Err(format!("unsupported interface range `{item}`"));
        }
        let (Some(lo), Some(hi)) = (
            lo_parts.last().and_then(|p| num(p)),
            hi_parts.last().and_then(|p| num(p)),
        ) else {
            return Err(format!("unsupported interface range `{item}`"));
        };
        if lo > hi || hi - lo > 4096 {
            return Err(format!("bad interface range `{item}`"));
        }
        let stem = lo_parts[..lo_parts.len() - 1]
            .iter()
            .map(|p| format!("{p}."))
            .collect::<String>();
        for n in lo..=hi {
            out.push(format!("{ty}{stem}{n}"));
        }
    }
    Ok(out)
}

impl Parser {
    pub(in crate::ingest) fn awp_interface_header(&mut self, ln: u32, t: &[&str]) -> Out {
        let list = t.get(1..).map(|r| r.concat()).unwrap_or_default();
        if list.is_empty() {
            return un("interface without a name", Scope::Device);
        }
        match expand_names(&list) {
            Ok(names) => {
                for n in &names {
                    if let Some(v) = n.strip_prefix("vlan") {
                        if !v.parse::<u16>().is_ok_and(|v| (1..=4094).contains(&v)) {
                            return self.unknown_stanza(
                                &t.join(" "),
                                Scope::Interface(n.clone()),
                                "invalid VLAN interface number",
                            );
                        }
                    }
                }
                self.open_interfaces(ln, t, names)
            }
            Err(e) => self.unknown_stanza(
                &t.join(" "),
                Scope::Device,
                &format!("unsupported interface list: {e}"),
            ),
        }
    }

    pub(in crate::ingest) fn awp_iface_sub(
        &mut self,
        ln: u32,
        idx: &[usize],
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let k = |i: usize| kw.get(i).map(String::as_str).unwrap_or("");
        let (k0, k1, k2) = (k(0), k(1), k(2));
        let n = t.len();
        let ifs = Scope::Interface(String::new());
        match k0 {
            "access-group" => self.awp_access_group(ln, idx, t, 1),
            "ip" if k1 == "access-group" => self.awp_access_group(ln, idx, t, 2),
            "ip" if k1 == "dhcp-client" => Out::Irr("DHCP client options"),
            "ip" if k1 == "address" && k2 == "dhcp" => {
                un("address from DHCP (not known from the config)", ifs)
            }
            "switchport" => match (k1, k2) {
                ("trunk", "native") if k(3) == "vlan" && k(4) == "none" && n == 5 => {
                    self.each_if(idx, |_, aux| {
                        aux.switchport_lines = true;
                        aux.native_none = true;
                    });
                    Out::Ok
                }
                ("trunk", "native") => {
                    self.each_if(idx, |_, aux| aux.native_none = false);
                    self.switchport(ln, idx, t, kw)
                }
                ("port-security", "mac-address") => {
                    un("unsupported port-security command", ifs)
                }
                ("trunk", "encapsulation") | ("nonegotiate" | "block", _) => {
                    un("unsupported switchport command", ifs)
                }
                _ => self.switchport(ln, idx, t, kw),
            },
            "dot1x" => self.port_auth(ln, idx, kw),
            "auth-mac" | "auth-web" => match k1 {
                "enable" if n == 2 => {
                    let span = self.span(ln);
                    let mab = k0 == "auth-mac";
                    self.each_if(idx, |_, aux| {
                        if aux.auth_control.is_none() {
                            aux.auth_control = Some((AuthCtl::Auto, span.clone()));
                        }
                        aux.auth_mab |= mab;
                    });
                    Out::Ok
                }
                "method" | "reauth-relearning" | "username" | "password" => Out::Ok,
                _ => un("unsupported port authentication option", ifs),
            },
            "auth" => match k1 {
                "host-mode" if n == 3 => match k2 {
                    "single-host" | "multi-supplicant" => Out::Ok,
                    "multi-host" => {
                        self.each_if(idx, |_, aux| aux.auth_multi_host = true);
                        Out::Ok
                    }
                    _ => un(format!("unknown host-mode `{k2}`"), ifs),
                },
                "reauthentication" | "timeout" | "max-supplicant" | "priority" => Out::Ok,
                _ => un(
                    "port authentication option that may authorise unauthenticated hosts or move them to another VLAN (not modelled)",
                    ifs,
                ),
            },
            "channel-group" | "static-channel-group" => self.awp_channel_group(ln, idx, t, kw),
            "mlag" => un(
                "MLAG member (multi-chassis link aggregation, not modelled)",
                Scope::Device,
            ),
            "openflow" => un(
                "OpenFlow port (a controller decides forwarding; not modelled)",
                Scope::Device,
            ),
            "power-inline" | "polarity" | "ecofriendly" | "thrash-limiting"
            | "egress-rate-limit" | "loop-protection" | "link-flap" | "lacp" | "lldp" => {
                Out::Irr(IFPHYS)
            }
            "no" if matches!(k1, "switchport") && n == 2 => {
                un("`no switchport` (not an AW+ switch port command)", ifs)
            }
            _ => self.iface_sub(ln, idx, t, kw),
        }
    }
}

impl Parser {
    /// `channel-group N mode active|passive` (LACP, aggregator `poN`) and
    /// `static-channel-group N` (static, aggregator `saN`) on switch ports.
    fn awp_channel_group(&mut self, ln: u32, idx: &[usize], t: &[&str], kw: &[String]) -> Out {
        let ifs = Scope::Interface(String::new());
        let stat = kw[0] == "static-channel-group";
        let form = if stat {
            t.len() == 2
        } else {
            t.len() == 4 && kw[2] == "mode" && matches!(kw[3].as_str(), "active" | "passive")
        };
        let num = t
            .get(1)
            .and_then(|x| x.parse::<u16>().ok())
            .filter(|v| *v >= 1);
        let Some(num) = num.filter(|_| form) else {
            return un("unsupported link aggregation command", ifs);
        };
        let not_port = idx
            .iter()
            .filter_map(|&i| self.dev.interfaces.get(i))
            .any(|i| !(i.name.starts_with("port") && super::is_switch_port(&i.name)));
        if not_port {
            return un("link aggregation member that is not a switch port", ifs);
        }
        let agg = format!("{}{num}", if stat { "sa" } else { "po" });
        let span = self.span(ln);
        self.each_if(idx, |_, aux| {
            aux.aggregate = Some((agg.clone(), span.clone()))
        });
        Out::Ok
    }
}

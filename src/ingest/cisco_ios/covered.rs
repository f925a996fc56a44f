//! Lines recognised only once the whole file is read, because their effect is nil on this
//! device or lies wholly inside another line's taint (listing them would repeat it):
//!
//! - multicast settings on a device without `ip multicast-routing`: IOS keeps multicast on
//!   the segment it was sent on (Cisco IOS IP Configuration Guide, "Enabling IP Multicast
//!   Routing"); with it, they stay unrecognised and taint (docs/semantics.md, Scope);
//! - the unmodelled lines of a BGP / EIGRP / RIP process whose routes taint the device's
//!   routing ([`crate::model::RoutingProtocol::taints_routing`]), the same scope;
//! - route-maps whose every use is an unrecognised line (OSPF `redistribute … route-map`,
//!   NAT, a VRF) or a line of such a process, and route-maps nothing uses. A route-map used
//!   for policy routing (`ip policy` / `ip local policy route-map`) or by any recognised
//!   line stays unrecognised: it would change forwarding on its own.

use super::{Parser, MCAST};
use crate::model::{Scope, Unrecognized};
use std::collections::{BTreeMap, BTreeSet};

const MCAST_OFF: &str =
    "multicast setting on a device without `ip multicast-routing` (IOS forwards no multicast between interfaces)";
const RT_COVERED: &str = "BGP / EIGRP / RIP setting of a process whose routes sanso does not compute (its neighbour or `router` line taints the device's routing)";
const RM_COVERED: &str = "route-map used only by unrecognised lines or by a BGP / EIGRP / RIP process that taints (the taint is reported there)";
const RM_UNUSED: &str = "route-map used by no command (no effect)";

fn line_no(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

impl Parser {
    pub(super) fn recognise_covered(&mut self) {
        if !self.mcast_routing {
            self.recognise(|u| u.reason == MCAST, MCAST_OFF);
        }
        let rt: BTreeSet<u32> = self
            .dev
            .routing
            .protocols
            .iter()
            .filter(|p| p.taints_routing())
            .flat_map(|p| p.unmodelled.iter().map(|s| s.line))
            .collect();
        let mut covered = self.recognise(
            |u| rt.contains(&u.line) && u.reason.starts_with("inside `router "),
            RT_COVERED,
        );
        covered.extend(self.vrfs(&covered));
        let dynamic = self.named_blocks(
            |t| match t {
                [c, d, name, seq, ..]
                    if c.eq_ignore_ascii_case("crypto")
                        && d.eq_ignore_ascii_case("dynamic-map")
                        && seq.parse::<u32>().is_ok() =>
                {
                    Some(name.to_string())
                }
                _ => None,
            },
            |u| {
                u.reason == "crypto map (IPsec changes forwarding)"
                    || u.reason.starts_with("inside `crypto dynamic-map ")
            },
            &covered,
            &BTreeSet::new(),
            |n| {
                format!(
                    "crypto dynamic-map `{n}` entry: acts only through the crypto map entries \
                     that name it (`crypto map … dynamic {n}`), which stay unrecognised or are \
                     covered by `crypto map` on an interface"
                )
            },
            |n| format!("crypto dynamic-map `{n}` entry that no crypto map names (no effect)"),
        );
        covered.extend(dynamic);
        let maps = self.named_blocks(
            |t| match t {
                [c, m, name, seq, ..]
                    if c.eq_ignore_ascii_case("crypto")
                        && m.eq_ignore_ascii_case("map")
                        && seq.parse::<u32>().is_ok() =>
                {
                    Some(name.to_string())
                }
                _ => None,
            },
            |u| {
                u.reason == "crypto map (IPsec changes forwarding)"
                    || u.reason.starts_with("inside `crypto map ")
            },
            &covered,
            &BTreeSet::new(),
            |n| {
                format!(
                    "crypto map `{n}` entry: acts only through `crypto map {n}` applied on an \
                     interface, which stays unrecognised and taints that interface"
                )
            },
            |n| format!("crypto map `{n}` entry of a map applied to no interface (no effect)"),
        );
        covered.extend(maps);
        self.zone_firewall();
        self.tunnels();
        self.sub_modes();
        self.mpls();
        self.route_maps(&covered);
    }

    /// VRF definitions (`vrf definition X`, `ip vrf X`) and their `rd`, `route-target`,
    /// `address-family`, `import map` / `export map` lines: a VRF changes forwarding only
    /// for the interfaces put in it (`vrf forwarding X`) and the routes and processes that
    /// name it (`ip route vrf X`, `address-family ipv4 vrf X`, NAT `vrf X`). When every such
    /// line stays unrecognised (or is itself covered), the definition adds no taint of its
    /// own. `export ipv4|ipv6 unicast` leaks the VRF's routes into the global table and stays.
    fn vrfs(&mut self, covered: &BTreeSet<u32>) -> BTreeSet<u32> {
        // `vnet trunk` (EVN) carries every VRF with a `vnet tag` without naming it: such a
        // VRF has uses this reading cannot see, so none is recognised.
        if self.src.iter().any(|l| {
            let w: Vec<&str> = l.split_whitespace().take(2).collect();
            matches!(w.as_slice(), [v, t] if v.eq_ignore_ascii_case("vnet") && t.eq_ignore_ascii_case("trunk"))
        }) {
            return BTreeSet::new();
        }
        // A routing process's `address-family ipv4 [unicast] vrf X` and its lines fill only
        // the VRF's table, which only the VRF's interfaces consult (as `routing.rs` reads
        // it): a use of the VRF (or of a peer-group that shares its name) that adds nothing.
        let indent = |s: &str| s.len() - s.trim_start().len();
        let mut af = BTreeSet::new();
        let mut open: Option<usize> = None;
        for (i, raw) in self.src.iter().enumerate() {
            let t = raw.trim();
            if t.is_empty() || t.starts_with('!') {
                continue;
            }
            if let Some(h) = open {
                if indent(raw) > h {
                    af.insert(line_no(i));
                    continue;
                }
                open = None;
            }
            let l = t.to_ascii_lowercase();
            if indent(raw) > 0
                && l.starts_with("address-family ipv4")
                && l.split_whitespace().any(|w| w == "vrf")
            {
                af.insert(line_no(i));
                open = Some(indent(raw));
            }
        }
        self.named_blocks(
            |t| match t {
                [v, d, name] if v.eq_ignore_ascii_case("vrf") && d.eq_ignore_ascii_case("definition") => {
                    Some(name.to_string())
                }
                [i, v, name] if i.eq_ignore_ascii_case("ip") && v.eq_ignore_ascii_case("vrf") => {
                    Some(name.to_string())
                }
                _ => None,
            },
            |u| {
                let t: Vec<String> = u
                    .text
                    .split_whitespace()
                    .take(2)
                    .map(str::to_ascii_lowercase)
                    .collect();
                let leak = t.first().map(String::as_str) == Some("export")
                    && matches!(t.get(1).map(String::as_str), Some("ipv4" | "ipv6"));
                !leak
                    && (u.reason == "VRF (not modelled)"
                        || u.reason == "routing policy (not modelled)"
                        || u.reason.starts_with("inside `vrf definition ")
                        || u.reason.starts_with("inside `ip vrf "))
            },
            covered,
            &af,
            |n| {
                format!(
                    "VRF `{n}` setting: acts only through the lines that use the VRF \
                     (`vrf forwarding {n}` on interfaces, `ip route vrf {n}`, …), which stay \
                     unrecognised and taint their scope, and its routing processes' address \
                     families"
                )
            },
            |n| format!("VRF `{n}` setting of a VRF no interface, route or process uses (no effect on forwarding)"),
        )
    }

    /// Named top-level blocks (`header` gives a column-0 line's block name; the block runs to
    /// the next column-0 line that is not a comment) whose every use — a line outside the
    /// blocks with the name as a token — is an unrecognised line that taints, or a line in
    /// `covered`: their entries that `pick` selects are recognised as covered by those uses,
    /// or as without effect when there is no use. Returns the lines recognised.
    fn named_blocks(
        &mut self,
        header: impl Fn(&[&str]) -> Option<String>,
        pick: impl Fn(&Unrecognized) -> bool,
        covered: &BTreeSet<u32>,
        also: &BTreeSet<u32>,
        covered_reason: impl Fn(&str) -> String,
        unused_reason: impl Fn(&str) -> String,
    ) -> BTreeSet<u32> {
        let mut blocks: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
        let mut in_block = BTreeSet::new();
        let mut cur: Option<String> = None;
        for (i, raw) in self.src.iter().enumerate() {
            let t = raw.trim();
            let top = raw.len() == raw.trim_start().len();
            if top && !t.is_empty() && !t.starts_with('!') {
                let toks: Vec<&str> = t.split_whitespace().collect();
                cur = header(&toks);
            }
            if let Some(n) = &cur {
                blocks.entry(n.clone()).or_default().insert(line_no(i));
                in_block.insert(line_no(i));
            }
        }
        let mut all = BTreeSet::new();
        if blocks.is_empty() {
            return all;
        }
        let mut uses: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (i, raw) in self.src.iter().enumerate() {
            let ln = line_no(i);
            if in_block.contains(&ln) {
                continue;
            }
            let named: BTreeSet<&str> = raw
                .split_whitespace()
                .filter_map(|t| blocks.get_key_value(t).map(|(k, _)| k.as_str()))
                .collect();
            for name in named {
                uses.entry(name).or_default().push(ln);
            }
        }
        let tainting: BTreeSet<u32> = self
            .dev
            .unrecognized
            .iter()
            .filter(|u| u.file.is_none() && u.scope != Scope::None)
            .map(|u| u.line)
            .collect();
        let mut verdicts = vec![];
        for (name, lines) in &blocks {
            let u = uses.get(name.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            if u.iter()
                .all(|ln| covered.contains(ln) || tainting.contains(ln) || also.contains(ln))
            {
                let reason = if u.is_empty() {
                    unused_reason(name)
                } else {
                    covered_reason(name)
                };
                verdicts.push((lines.clone(), reason));
            }
        }
        for (lines, reason) in verdicts {
            all.extend(self.recognise(|u| lines.contains(&u.line) && pick(u), &reason));
        }
        all
    }

    /// IOS zone-based firewall definitions (`zone security`, `zone-pair security`,
    /// `policy-map|class-map|parameter-map type inspect` and their lines) act only on
    /// traffic that enters or leaves an interface with `zone-member security`: those lines
    /// stay unrecognised and taint their interfaces; without any, the definitions filter
    /// nothing that crosses the device.
    fn zone_firewall(&mut self) {
        let members = self.dev.unrecognized.iter().any(|u| {
            u.file.is_none()
                && matches!(u.scope, Scope::Interface(_))
                && u.text.trim_start().starts_with("zone-member")
        });
        let any_member = self.src.iter().any(|l| {
            l.trim_start()
                .to_ascii_lowercase()
                .starts_with("zone-member")
        });
        if any_member && !members {
            return; // a member line was read somehow: keep everything
        }
        let reason = if members {
            "zone-based firewall definition: acts only on interfaces with `zone-member security`, which stay unrecognised and taint them"
        } else {
            "zone-based firewall definition on a device with no `zone-member security` interface (filters nothing)"
        };
        let zbf = |s: &str| {
            let s = s.to_ascii_lowercase();
            [
                "zone security ",
                "zone-pair security ",
                "policy-map type inspect ",
                "class-map type inspect ",
                "parameter-map type inspect ",
            ]
            .iter()
            .any(|p| s.starts_with(p))
        };
        self.recognise(
            |u| {
                (u.reason == "zone firewall / QoS policy (not modelled)" && zbf(&u.text))
                    || u.reason.strip_prefix("inside `").is_some_and(&zbf)
            },
            reason,
        );
    }

    /// Lines of a tunnel interface other than `tunnel destination` (`tunnel source`,
    /// `tunnel mode`, `tunnel protection`, `tunnel key`, …) shape only the packets the tunnel
    /// carries; the interface's `tunnel destination` stays unrecognised and taints it, so
    /// every such packet is already unproven.
    fn tunnels(&mut self) {
        let dest: BTreeSet<Scope> = self
            .dev
            .unrecognized
            .iter()
            .filter(|u| {
                u.file.is_none()
                    && u.text
                        .to_ascii_lowercase()
                        .starts_with("tunnel destination ")
            })
            .map(|u| u.scope.clone())
            .collect();
        self.recognise(
            |u| {
                let t = u.text.to_ascii_lowercase();
                matches!(&u.scope, Scope::Interface(n) if n.to_ascii_lowercase().starts_with("tunnel"))
                    && dest.contains(&u.scope)
                    && u.reason == "unsupported interface command"
                    && t.starts_with("tunnel ")
                    && !t.starts_with("tunnel destination")
            },
            "tunnel setting: acts only on the packets the tunnel carries, and the tunnel's `tunnel destination` stays unrecognised and taints the interface",
        );
    }

    /// `mpls mtu` and `mpls mldp` on an interface set how labelled packets are sent and
    /// which label bindings are learnt. On a device where no line enables label switching
    /// (`mpls ip`, `mpls bgp forwarding`, `mpls traffic-eng tunnels`, `tag-switching ip`)
    /// IOS neither sends nor accepts labelled packets: they have no effect.
    fn mpls(&mut self) {
        let enabled = self.src.iter().any(|l| {
            let w: Vec<String> = l
                .split_whitespace()
                .take(3)
                .map(str::to_ascii_lowercase)
                .collect();
            let w: Vec<&str> = w.iter().map(String::as_str).collect();
            matches!(
                w.as_slice(),
                ["mpls" | "tag-switching", "ip", ..]
                    | ["mpls", "bgp", "forwarding"]
                    | ["mpls", "traffic-eng", "tunnels"]
            )
        });
        if enabled {
            return;
        }
        self.recognise(
            |u| {
                let t = u.text.to_ascii_lowercase();
                u.reason == "routing protocol interface setting (not modelled)"
                    && (t.starts_with("mpls mtu ") || t.trim_end() == "mpls mldp")
            },
            "MPLS interface setting (`mpls mtu`, `mpls mldp`) on a device where no line enables label switching (`mpls ip`, `mpls bgp forwarding`, `mpls traffic-eng tunnels`): no labelled packet is sent or accepted",
        );
    }

    /// Lines inside an interface sub-mode (`port security`, `pvc`, `service instance`, …)
    /// configure only their header line; when the header stays unrecognised and taints,
    /// they add nothing to it.
    fn sub_modes(&mut self) {
        const SUB: &str = "line in an interface sub-mode";
        let tainting: BTreeSet<u32> = self
            .dev
            .unrecognized
            .iter()
            .filter(|u| u.file.is_none() && u.scope != Scope::None && u.reason != SUB)
            .map(|u| u.line)
            .collect();
        let indent = |s: &str| s.len() - s.trim_start().len();
        let mut ok = BTreeSet::new();
        for u in &self.dev.unrecognized {
            if u.reason != SUB || u.file.is_some() {
                continue;
            }
            let i = (u.line as usize).saturating_sub(1);
            let Some(me) = self.src.get(i) else { continue };
            let mut want = indent(me);
            // The nearest less-indented non-blank line, up to the header (the first one
            // that is not itself a sub-mode line).
            for j in (0..i).rev() {
                let l = &self.src[j];
                if l.trim().is_empty() || l.trim_start().starts_with('!') {
                    continue;
                }
                if indent(l) < want {
                    want = indent(l);
                    let ln = line_no(j);
                    if tainting.contains(&ln) {
                        ok.insert(u.line);
                        break;
                    }
                    if want == 0
                        || !self
                            .dev
                            .unrecognized
                            .iter()
                            .any(|x| x.line == ln && x.reason == SUB)
                    {
                        break;
                    }
                }
            }
        }
        self.recognise(
            |u| u.reason == SUB && ok.contains(&u.line),
            "setting inside an interface sub-mode: acts only through its header line, which stays unrecognised and taints the interface",
        );
    }

    /// Count as recognised, for `reason`, every line all of whose unrecognised entries `pick`
    /// selects; returns those lines.
    pub(in crate::ingest) fn recognise(
        &mut self,
        pick: impl Fn(&Unrecognized) -> bool,
        reason: &str,
    ) -> BTreeSet<u32> {
        let mut all: BTreeMap<u32, bool> = BTreeMap::new();
        for u in &self.dev.unrecognized {
            *all.entry(u.line).or_insert(true) &= u.file.is_none() && pick(u);
        }
        let lines: BTreeSet<u32> = all
            .into_iter()
            .filter(|(_, ok)| *ok)
            .map(|(l, _)| l)
            .collect();
        self.dev.unrecognized.retain(|u| !lines.contains(&u.line));
        for _ in &lines {
            self.dev.irrelevant_line(reason);
        }
        lines
    }

    /// Route-maps whose effect is covered elsewhere or nil (module doc).
    fn route_maps(&mut self, covered_rt: &BTreeSet<u32>) {
        // Each route-map's stanza lines: from a column-0 `route-map NAME …` to the next
        // column-0 line that is not a comment.
        let mut blocks: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
        let mut in_block = BTreeSet::new();
        let mut cur: Option<String> = None;
        for (i, raw) in self.src.iter().enumerate() {
            let t = raw.trim();
            let top = raw.len() == raw.trim_start().len();
            if top && !t.is_empty() && !t.starts_with('!') {
                let toks: Vec<&str> = t.split_whitespace().collect();
                cur = match toks.as_slice() {
                    [k, name, ..] if k.eq_ignore_ascii_case("route-map") => Some(name.to_string()),
                    _ => None,
                };
            }
            if let Some(n) = &cur {
                blocks.entry(n.clone()).or_default().insert(line_no(i));
                in_block.insert(line_no(i));
            }
        }
        if blocks.is_empty() {
            return;
        }
        // Every line outside the stanzas that names a route-map is a use of it (a name
        // that is also an ACL number or an interface makes more uses: never fewer).
        let mut uses: BTreeMap<&str, Vec<(u32, bool)>> = BTreeMap::new();
        for (i, raw) in self.src.iter().enumerate() {
            let ln = line_no(i);
            if in_block.contains(&ln) {
                continue;
            }
            let toks: Vec<&str> = raw.split_whitespace().collect();
            // List and ACL definitions name only themselves (a prefix-list often shares
            // its route-map's name, an ACL number a NAT route-map's): `ip prefix-list|
            // community-list|extcommunity-list|as-path|access-list`, `access-list N`.
            let definition = match toks.as_slice() {
                [ip, kind, ..] if ip.eq_ignore_ascii_case("ip") => [
                    "prefix-list",
                    "community-list",
                    "extcommunity-list",
                    "as-path",
                    "access-list",
                ]
                .iter()
                .any(|k| kind.eq_ignore_ascii_case(k)),
                [acl, ..] => acl.eq_ignore_ascii_case("access-list"),
                [] => false,
            };
            if definition && raw.len() == raw.trim_start().len() {
                continue;
            }
            // `ip policy route-map`, `ip local policy route-map`: policy routing.
            let pbr = toks.windows(2).any(|w| {
                w[0].eq_ignore_ascii_case("ip")
                    && (w[1].eq_ignore_ascii_case("policy") || w[1].eq_ignore_ascii_case("local"))
            });
            let named: BTreeSet<&str> = toks
                .iter()
                .filter_map(|t| blocks.get_key_value(*t).map(|(k, _)| k.as_str()))
                .collect();
            for name in named {
                uses.entry(name).or_default().push((ln, pbr));
            }
        }
        let tainting: BTreeSet<u32> = self
            .dev
            .unrecognized
            .iter()
            .filter(|u| u.file.is_none() && u.scope != Scope::None)
            .map(|u| u.line)
            .collect();
        let mut verdicts: Vec<(BTreeSet<u32>, &'static str)> = vec![];
        for (name, lines) in &blocks {
            let u = uses.get(name.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            let covered = u
                .iter()
                .all(|(ln, pbr)| !pbr && (covered_rt.contains(ln) || tainting.contains(ln)));
            if covered {
                let reason = if u.is_empty() { RM_UNUSED } else { RM_COVERED };
                verdicts.push((lines.clone(), reason));
            }
        }
        for (lines, reason) in verdicts {
            self.recognise(
                |u| {
                    lines.contains(&u.line)
                        && (u.reason.starts_with("route-map (")
                            || u.reason.starts_with("inside `route-map "))
                },
                reason,
            );
        }
    }
}

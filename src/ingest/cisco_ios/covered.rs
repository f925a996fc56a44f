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
        let rt = self.recognise(
            |u| rt.contains(&u.line) && u.reason.starts_with("inside `router "),
            RT_COVERED,
        );
        self.route_maps(&rt);
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

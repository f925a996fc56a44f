//! Link aggregation shared by the IOS-like dialects: the members of an aggregate (AW+
//! `channel-group` / `static-channel-group`, IOS EtherChannel `channel-group N mode …`)
//! forward as one logical port with their aggregator's switchport settings; the members of
//! an IOS routed port-channel carry its L3 interface (src/net/l2.rs).

use super::{un, IfAux, Out, Parser};
use crate::model::{IfMode, Interface, Scope, Span};
use std::collections::BTreeMap;

/// IOS EtherChannel modes that bundle the port: LACP (`active`, `passive`), PAgP
/// (`desirable`, `auto`, optionally `silent` / `non-silent`) and static (`on`).
fn ios_bundle_mode(kw: &[String]) -> bool {
    match kw {
        [m] => matches!(
            m.as_str(),
            "active" | "passive" | "on" | "desirable" | "auto"
        ),
        [m, s] => {
            matches!(m.as_str(), "desirable" | "auto")
                && matches!(s.as_str(), "silent" | "non-silent")
        }
        _ => false,
    }
}

impl Parser {
    /// IOS `channel-group N mode MODE` on a physical port: a member of `Port-channelN`
    /// (created with the member's settings when the config has no stanza for it). Without
    /// `mode` (platform-dependent), on a logical interface or with another number form, the
    /// line stays unrecognised.
    pub(in crate::ingest) fn ios_channel_group(
        &mut self,
        ln: u32,
        idx: &[usize],
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let ifs = Scope::Interface(String::new());
        let num = t
            .get(1)
            .and_then(|x| x.parse::<u16>().ok())
            .filter(|v| (1..=512).contains(v));
        let form = kw.len() >= 4 && kw[2] == "mode" && ios_bundle_mode(&kw[3..]);
        let Some(num) = num.filter(|_| form) else {
            return un("unsupported EtherChannel command (not modelled)", ifs);
        };
        let logical = idx
            .iter()
            .filter_map(|&i| self.dev.interfaces.get(i))
            .any(|i| {
                [
                    "Port-channel",
                    "Vlan",
                    "Loopback",
                    "Tunnel",
                    "BVI",
                    "Dialer",
                    "Virtual",
                ]
                .iter()
                .any(|p| i.name.starts_with(p))
                    || i.parent.is_some()
            });
        if logical {
            return un("EtherChannel member that is not a physical port", ifs);
        }
        let agg = format!("Port-channel{num}");
        let span = self.span(ln);
        self.each_if(idx, |_, aux| {
            aux.aggregate = Some((agg.clone(), span.clone()))
        });
        Out::Ok
    }

    /// Members of a link aggregate form one logical port (docs/semantics.md, "Link
    /// aggregation (AlliedWare Plus, Cisco IOS)"): each member carries its aggregator's switchport
    /// settings (VLANs, port ACL, shutdown), so a link to a member or to the aggregator
    /// forwards as the aggregate does ([`crate::model::Device::aggregates`]). An aggregator without a stanza of its own is
    /// created with its members' settings (AW+ and IOS create it with the first member).
    /// Returns (line, interface, reason) for members whose own settings disagree with
    /// the aggregator's, or whose aggregator is routed: those stay unrecognised.
    pub(in crate::ingest) fn link_aggregates(&mut self) -> Vec<(Span, String, String)> {
        let mut groups: BTreeMap<String, Vec<(usize, Span)>> = BTreeMap::new();
        for (i, aux) in self.aux.iter().enumerate() {
            if let Some((agg, span)) = &aux.aggregate {
                groups
                    .entry(agg.clone())
                    .or_default()
                    .push((i, span.clone()));
            }
        }
        let mut out = vec![];
        for (agg, members) in groups {
            let ai = match self.dev.interfaces.iter().position(|x| x.name == agg) {
                Some(ai) => ai,
                None => {
                    let (first, span) = &members[0];
                    let mut itf = Interface::new(agg.clone(), span.clone());
                    itf.mode = self.dev.interfaces[*first].mode.clone();
                    self.dev.interfaces.push(itf);
                    self.aux.push(IfAux::default());
                    self.dev.interfaces.len() - 1
                }
            };
            let a = self.dev.interfaces[ai].clone();
            // An IOS routed port-channel forwards by its members as one L3 interface (the
            // graph gives each member the port-channel's attachment); AW+ has none.
            let routed = a.mode == IfMode::Routed;
            let routed_ok = routed && self.flavor != super::Flavor::AwPlus;
            if !routed || routed_ok {
                let names = members
                    .iter()
                    .map(|(m, _)| self.dev.interfaces[*m].name.clone())
                    .collect();
                self.dev.aggregates.insert(agg.clone(), names);
            }
            for (m, span) in members {
                let itf = &mut self.dev.interfaces[m];
                let why = if routed && !routed_ok {
                    Some(format!(
                        "member of `{agg}`, a routed aggregator (not modelled)"
                    ))
                } else if routed {
                    let own = itf.mode != IfMode::Routed
                        || !itf.addresses.is_empty()
                        || itf.acl_in.is_some()
                        || itf.acl_out.is_some()
                        || itf.parent.is_some();
                    own.then(|| {
                        format!(
                            "member of the routed `{agg}` that is a switch port or has its own address or ACL (IOS suspends it; not modelled)"
                        )
                    })
                } else if itf.mode != a.mode {
                    Some(format!(
                        "member's VLAN settings differ from its aggregator `{agg}`'s (the switch keeps one set per group or suspends the member; which applies is not modelled)"
                    ))
                } else if matches!((&itf.acl_in, &a.acl_in), (Some(x), Some(y)) if x.name != y.name)
                {
                    Some(format!(
                        "member's port ACL differs from its aggregator `{agg}`'s (not modelled)"
                    ))
                } else {
                    None
                };
                if a.mode != IfMode::Routed {
                    itf.mode = a.mode.clone();
                    itf.shutdown |= a.shutdown;
                    if itf.acl_in.is_none() {
                        itf.acl_in = a.acl_in.clone();
                    }
                    for l in &a.lines {
                        if !itf.lines.contains(l) {
                            itf.lines.push(l.clone());
                        }
                    }
                }
                if let Some(why) = why {
                    out.push((span, itf.name.clone(), why));
                }
            }
        }
        out
    }
}

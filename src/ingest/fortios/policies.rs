//! `config firewall policy`.

use super::lexing::{build_table, is_enable, mark_block, no_reset, Block};
use super::objects::{Addresses, Nat, Services, Union};
use super::{Ctx, Resolved};
use crate::model::*;
use std::collections::HashMap;
use std::net::Ipv4Addr;

// --- policies --------------------------------------------------------------

pub(super) const POLICY_IGNORED: &[&str] = &[
    "name",
    "uuid",
    "logtraffic",
    "logtraffic-start",
    "comments",
    "comment",
    "utm-status",
    "av-profile",
    "webfilter-profile",
    "dnsfilter-profile",
    "emailfilter-profile",
    "spamfilter-profile",
    "dlp-sensor",
    "file-filter-profile",
    "ips-sensor",
    "application-list",
    "voip-profile",
    "icap-profile",
    "waf-profile",
    "ssh-filter-profile",
    "videofilter-profile",
    "cifs-profile",
    "ssl-ssh-profile",
    "inspection-mode",
    "profile-protocol-options",
    "profile-type",
    "profile-group",
    "global-label",
    "label",
    "fsso",
    "fsso-agent-for-ntlm",
    "send-deny-packet",
    "auto-asic-offload",
    "np-acceleration",
    "tcp-mss-sender",
    "tcp-mss-receiver",
    "session-ttl",
    "timeout-send-rst",
    "traffic-shaper",
    "traffic-shaper-reverse",
    "per-ip-shaper",
    "capture-packet",
    "delay-tcp-npu-session",
    "ssl-mirror",
    "ssl-mirror-intf",
    "disclaimer",
    "vlan-cos-fwd",
    "vlan-cos-rev",
    "diffserv-forward",
    "diffserv-reverse",
    "diffservcode-forward",
    "diffservcode-rev",
    "wccp",
    "wanopt",
    "wanopt-detection",
    "wanopt-passive-opt",
    "wanopt-profile",
    "wanopt-peer",
    "webcache",
    "webcache-https",
    "block-notification",
    "replacemsg-override-group",
    "captive-portal-exempt",
    "email-collect",
    "permit-any-host",
    "permit-stun-host",
    "anti-replay",
    "vlan-filter",
    "policy-expiry",
    "match-vip-only",
    "fixedport",
    "cgn-session-quota",
    "cgn-resource-quota",
    "cgn-eif",
    "cgn-eim",
    "radius-mac-auth-bypass",
    "decrypted-traffic-mirror",
    "dynamic-shaping",
    "passive-wan-health-measurement",
    "app-monitor",
    "geoip-anycast",
    "geoip-match",
    "rtp-nat",
    "tcp-timeout-pid",
    "udp-timeout-pid",
    "schedule-timeout",
];

pub(super) fn policies(
    ctx: &mut Ctx,
    blocks: &[Block],
    ifaces: &[Interface],
    zones: &HashMap<String, Vec<String>>,
    addrs: &Addresses,
    svcs: &Services,
    nat: &Nat,
) -> Vec<Policy> {
    let sc = Scope::Policy;
    let t = build_table(ctx, blocks, &sc, no_reset);
    for a in &t.direct.attrs {
        for s in &a.stmts {
            ctx.bad_stmt(s, "attribute outside of a policy entry", &sc);
        }
    }
    for b in &t.direct.subs {
        mark_block(ctx, b, Some(("unexpected block in firewall policy", &sc)));
    }
    let mut out = Vec::new();
    for o in &t.objs {
        // The lines of the address and service objects the policy uses, by part of the
        // match: cited after the policy's own lines.
        let mut objects: Vec<(MatchField, Span)> = vec![];
        let mut p = Policy {
            id: o.name.clone(),
            src_intf: vec![],
            dst_intf: vec![],
            m: Match {
                src: AddrSet { items: vec![] },
                dst: AddrSet { items: vec![] },
                services: vec![],
                established: None,
                src_mac: None,
            },
            action: Action::Deny,
            enabled: true,
            span: ctx.span(o.line()),
            lines: o.opens.iter().map(|s| ctx.span(s.first)).collect(),
            field_lines: vec![],
            snat: None,
            dnat: vec![],
        };
        let mut matches_nothing = false;
        for a in &o.attrs {
            let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
            let res: Result<(), String> = match a.key.as_str() {
                "srcintf" | "dstintf" => {
                    let mut list = Vec::new();
                    let mut unknown = Vec::new();
                    for v in &a.vals {
                        let members: Vec<String> =
                            if v == "any" || ifaces.iter().any(|i| &i.name == v) {
                                vec![v.clone()]
                            } else if let Some(m) = zones.get(v) {
                                m.clone()
                            } else {
                                unknown.push(format!("`{v}`"));
                                vec![v.clone()]
                            };
                        for m in members {
                            if !list.contains(&m) {
                                list.push(m);
                            }
                        }
                    }
                    if a.key == "srcintf" {
                        p.src_intf = list;
                    } else {
                        p.dst_intf = list;
                    }
                    if unknown.is_empty() {
                        Ok(())
                    } else {
                        Err(format!(
                            "undefined interface or zone {}",
                            unknown.join(", ")
                        ))
                    }
                }
                "srcaddr" | "dstaddr" => {
                    let mut u = Union::new();
                    for v in &a.vals {
                        if a.key == "dstaddr" {
                            if let Some(r) = nat.vip_refs(v) {
                                match r {
                                    Ok(ids) => {
                                        for i in ids {
                                            if !p.dnat.contains(&i) {
                                                p.dnat.push(i);
                                            }
                                        }
                                    }
                                    Err(e) => u.add_problem(&e),
                                }
                                continue;
                            }
                        }
                        u.add(&addrs.resolve(v));
                    }
                    let Resolved {
                        mut items,
                        problems,
                        spans,
                    } = u.finish();
                    let f = if a.key == "srcaddr" {
                        MatchField::Src
                    } else {
                        MatchField::Dst
                    };
                    objects.extend(spans.into_iter().map(|sp| (f, sp)));
                    if items.contains(&IpMatch::Any) {
                        items = vec![IpMatch::Any];
                    }
                    let set = AddrSet { items };
                    if a.key == "srcaddr" {
                        p.m.src = set;
                    } else {
                        p.m.dst = set;
                    }
                    if problems.is_empty() {
                        Ok(())
                    } else {
                        Err(format!("policy {}: {}", o.name, problems.join("; ")))
                    }
                }
                "service" => {
                    let mut u = Union::new();
                    for v in &a.vals {
                        u.add(&svcs.resolve(v));
                    }
                    let Resolved {
                        items,
                        problems,
                        spans,
                    } = u.finish();
                    objects.extend(spans.into_iter().map(|sp| (MatchField::Service, sp)));
                    if items.contains(&Service::any()) {
                        p.m.services = vec![];
                    } else if items.is_empty() {
                        // No IPv4 traffic matches (e.g. only ICMP6 / unresolved services).
                        matches_nothing = true;
                    } else {
                        p.m.services = items;
                    }
                    if problems.is_empty() {
                        Ok(())
                    } else {
                        Err(format!("policy {}: {}", o.name, problems.join("; ")))
                    }
                }
                "action" => match v0 {
                    "accept" => {
                        p.action = Action::Permit;
                        Ok(())
                    }
                    "deny" => {
                        p.action = Action::Deny;
                        Ok(())
                    }
                    "ipsec" => {
                        p.action = Action::Permit;
                        Err("IPsec tunnel policy not modeled".into())
                    }
                    other => Err(format!("policy action `{other}` not modeled")),
                },
                "status" => match v0 {
                    "enable" => Ok(()),
                    "disable" => {
                        p.enabled = false;
                        Ok(())
                    }
                    other => Err(format!("unknown status `{other}`")),
                },
                "schedule" => {
                    if v0 == "always" {
                        Ok(())
                    } else {
                        Err(format!(
                            "schedule `{v0}` restricts the policy by time (not modeled)"
                        ))
                    }
                }
                "nat" | "ippool" => Ok(()),
                "poolname" => {
                    let mut bad = vec![];
                    for v in &a.vals {
                        match nat.pools.get(v) {
                            Some(Ok(_)) => {}
                            Some(Err(e)) => bad.push(format!("IP pool `{v}`: {e}")),
                            None => bad.push(format!("undefined IP pool `{v}`")),
                        }
                    }
                    if bad.is_empty() {
                        Ok(())
                    } else {
                        Err(bad.join("; "))
                    }
                }
                "srcaddr-negate"
                | "dstaddr-negate"
                | "service-negate"
                | "internet-service"
                | "internet-service-src"
                | "match-vip"
                | "ntlm"
                | "ntlm-guest"
                | "internet-service-negate"
                | "internet-service-src-negate"
                | "natinbound"
                | "natoutbound"
                | "inbound"
                | "outbound"
                | "ssl-mirror-enable"
                | "reputation-direction" => {
                    if is_enable(a) {
                        Err(format!("`{} enable` not modeled", a.key))
                    } else {
                        Ok(())
                    }
                }
                "tcp-session-without-syn" => {
                    if v0 == "disable" {
                        Ok(())
                    } else {
                        Err(
                            "tcp-session-without-syn changes stateful matching (not modeled)"
                                .into(),
                        )
                    }
                }
                "tos" | "tos-mask" => {
                    if v0 == "0x00" || v0 == "0" {
                        Ok(())
                    } else {
                        Err(format!("`{}` match not modeled", a.key))
                    }
                }
                "tos-negate" => {
                    if is_enable(a) {
                        Err("`tos-negate enable` not modeled".into())
                    } else {
                        Ok(())
                    }
                }
                "groups" | "users" | "fsso-groups" => {
                    Err("user identity restriction not modeled".into())
                }
                "srcaddr6" | "dstaddr6" => Err("IPv6 not modeled".into()),
                k if POLICY_IGNORED.contains(&k) => Ok(()),
                k => Err(format!("policy attribute `{k}` not modeled")),
            };
            let field = match a.key.as_str() {
                "srcaddr" => Some(MatchField::Src),
                "dstaddr" => Some(MatchField::Dst),
                "service" => Some(MatchField::Service),
                _ => None,
            };
            for st in &a.stmts {
                match &res {
                    Ok(()) => {
                        ctx.ok_stmt(st);
                        p.lines.push(ctx.span(st.first));
                        if let Some(f) = field {
                            p.field_lines.push((f, ctx.span(st.first)));
                        }
                    }
                    Err(e) => {
                        let scope = if a.key.ends_with("addr6") {
                            Scope::None
                        } else {
                            sc.clone()
                        };
                        ctx.bad_stmt(st, e, &scope);
                    }
                }
            }
        }
        let missing: Vec<&str> = ["srcintf", "dstintf", "srcaddr", "dstaddr", "service"]
            .into_iter()
            .filter(|k| o.get(k).is_none())
            .collect();
        if !missing.is_empty() {
            // FortiOS does not accept such a policy: it matches nothing.
            matches_nothing = true;
            ctx.bad(
                o.line(),
                &format!(
                    "incomplete policy (missing {}): treated as matching nothing",
                    missing.join(", ")
                ),
                &sc,
            );
        }
        if matches_nothing {
            p.m.src = AddrSet { items: vec![] };
            p.dnat.clear();
        }
        if o.get("nat").map(is_enable).unwrap_or(false) {
            let pools: Vec<(Ipv4Addr, Ipv4Addr)> =
                if o.get("ippool").map(is_enable).unwrap_or(false) {
                    o.get("poolname")
                        .map(|a| {
                            a.vals
                                .iter()
                                .filter_map(|v| nat.pools.get(v).and_then(|r| r.clone().ok()))
                                .collect()
                        })
                        .unwrap_or_default()
                } else {
                    vec![]
                };
            p.snat = Some(if o.get("ippool").map(is_enable).unwrap_or(false) {
                if pools.is_empty() && o.get("poolname").is_none() {
                    ctx.bad(
                        o.get("ippool").map(|a| a.line()).unwrap_or(o.line()),
                        "`ippool enable` without a poolname",
                        &sc,
                    );
                }
                PolicySnat::Pool(pools)
            } else {
                PolicySnat::Egress
            });
        }
        for b in &o.subs {
            mark_block(ctx, b, Some(("policy block not modeled", &sc)));
        }
        p.lines.sort();
        p.lines.dedup();
        for (f, sp) in objects {
            if !p.lines.contains(&sp) {
                p.lines.push(sp.clone());
            }
            p.field_lines.push((f, sp));
        }
        out.push(p);
    }
    out
}

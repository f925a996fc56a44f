//! Routing: BGP (recognised, not modelled) and static routes.

use super::lexing::{
    block_has_content, build_table, is_enable, mark_block, mark_node, mark_obj_ok, no_reset,
    parse_addr_mask, Block, Node,
};
use super::Ctx;
use crate::model::*;
use std::net::Ipv4Addr;

// --- BGP -------------------------------------------------------------------

/// `config router bgp`: the routing fact of [`crate::ingest::routing`] (as IOS / Junos
/// BGP). What BGP does to this device's forwarding is the routes it learns from its
/// neighbors, which no configuration says: each neighbor (or neighbor group / range) is an
/// [`RpNeighbor`], and [`crate::ingest::routing::compute`] gives the device one
/// routing taint per neighbor naming its line unless a routing-table dump gives the
/// routes. Everything else (AS, router id, timers, multipath, what it advertises:
/// `network`, `redistribute`) only shapes those learned routes or other devices' tables
/// and is understood. A block without neighbors learns nothing. Values FortiOS would
/// reject stay unrecognised.
pub(super) fn bgp(ctx: &mut Ctx, blocks: &[Block]) -> Vec<RoutingProtocol> {
    let sc = Scope::Routing;
    let u32_ok = |v: &str| v.parse::<u32>().map(|n| n > 0).unwrap_or(false);
    let mut out = vec![];
    for b in blocks {
        let mut p = RoutingProtocol::new(ProtocolKind::Bgp { asn: 0 }, ctx.span(b.open.first));
        ctx.ok_stmt(&b.open);
        match &b.close {
            Some(c) => ctx.ok_stmt(c),
            None => ctx.bad(b.open.first, "config block without matching end", &sc),
        }
        for n in &b.items {
            match n {
                Node::Cmd(s) => {
                    let key = s.toks.get(1).map(|x| x.as_str()).unwrap_or("");
                    let v = s.toks.get(2).map(|x| x.as_str()).unwrap_or("");
                    let r: Result<(), String> = match (s.kw(), key) {
                        ("set", "as") if u32_ok(v) => {
                            p.kind = ProtocolKind::Bgp {
                                asn: v.parse().unwrap_or(0),
                            };
                            Ok(())
                        }
                        ("set", "as") => Err(format!("invalid BGP AS `{v}` (FortiOS rejects it)")),
                        ("set", "router-id") if v.parse::<Ipv4Addr>().is_ok() => {
                            p.router_id = v.parse().ok();
                            Ok(())
                        }
                        ("set", "router-id") => Err(format!("invalid router-id `{v}`")),
                        ("set" | "unset", _) => Ok(()),
                        _ => Err("unexpected statement in router bgp".into()),
                    };
                    match r {
                        Ok(()) => ctx.ok_stmt(s),
                        Err(e) => ctx.bad_stmt(s, &e, &sc),
                    }
                }
                Node::Edit(e) => mark_node(
                    ctx,
                    &Node::Edit(e.clone()),
                    Some(("edit outside of a table in router bgp", &sc)),
                ),
                Node::Block(sub) => {
                    let head = sub.path.first().map(|x| x.as_str()).unwrap_or("");
                    match head {
                        "neighbor" | "neighbor-group" | "neighbor-range" => {
                            bgp_neighbors(ctx, sub, head, &sc, &mut p)
                        }
                        // Advertisements and IPv6: no effect on this device's IPv4 table.
                        "network" | "network6" | "redistribute" | "redistribute6" | "neighbor6"
                        | "neighbor-range6" => {
                            let bad_id = sub.items.iter().any(|it| {
                                matches!(it, Node::Edit(e) if head.starts_with("network")
                                    && !u32_ok(&e.name))
                            });
                            mark_block(ctx, sub, None);
                            if bad_id {
                                for it in &sub.items {
                                    if let Node::Edit(e) = it {
                                        if !u32_ok(&e.name) {
                                            ctx.bad(
                                                e.open.first,
                                                &format!(
                                                    "invalid BGP network id `{}` (FortiOS rejects it)",
                                                    e.name
                                                ),
                                                &sc,
                                            );
                                        }
                                    }
                                }
                            }
                        }
                        _ if !block_has_content(sub) => mark_block(ctx, sub, None),
                        _ => {
                            let r = format!("`config router bgp` block `{}` not modeled", head);
                            mark_block(ctx, sub, Some((&r, &sc)));
                        }
                    }
                }
            }
        }
        out.push(p);
    }
    out
}

pub(super) fn bgp_neighbors(
    ctx: &mut Ctx,
    b: &Block,
    head: &str,
    sc: &Scope,
    p: &mut RoutingProtocol,
) {
    mark_block(ctx, b, None);
    for it in &b.items {
        let Node::Edit(e) = it else {
            if let Node::Cmd(s) = it {
                ctx.bad_stmt(s, "attribute outside of a BGP neighbor entry", sc);
            }
            continue;
        };
        let valid = head == "neighbor-range"
            || head == "neighbor-group"
            || e.name
                .parse::<Ipv4Addr>()
                .map(|a| !a.is_unspecified())
                .unwrap_or(false);
        if !valid {
            ctx.bad(
                e.open.first,
                &format!(
                    "invalid BGP neighbor address `{}` (FortiOS rejects it)",
                    e.name
                ),
                sc,
            );
            continue;
        }
        let mut remote_as = None;
        for n in &e.items {
            if let Node::Cmd(s) = n {
                let key = s.toks.get(1).map(|x| x.as_str()).unwrap_or("");
                let v = s.toks.get(2).map(|x| x.as_str()).unwrap_or("");
                if s.kw() == "set"
                    && key == "remote-as"
                    && !v.parse::<u32>().map(|n| n > 0).unwrap_or(false)
                {
                    ctx.bad_stmt(
                        s,
                        &format!("invalid BGP remote-as `{v}` (FortiOS rejects it)"),
                        sc,
                    );
                } else if s.kw() == "set" && key == "remote-as" {
                    remote_as = v.parse().ok();
                }
            }
        }
        p.neighbors.push(RpNeighbor {
            peer: e.name.clone(),
            remote_as,
            span: ctx.span(e.open.first),
        });
    }
}

// --- routes ----------------------------------------------------------------

pub(super) fn routes(ctx: &mut Ctx, blocks: &[Block], ifaces: &[Interface]) -> Vec<Route> {
    let sc = Scope::Routing;
    let t = build_table(ctx, blocks, &sc, no_reset);
    for a in &t.direct.attrs {
        for s in &a.stmts {
            ctx.bad_stmt(s, "attribute outside of a static route entry", &sc);
        }
    }
    for b in &t.direct.subs {
        mark_block(ctx, b, Some(("unexpected block in router static", &sc)));
    }
    let mut out = Vec::new();
    for o in &t.objs {
        if o.get("status")
            .map(|a| a.vals.first().map(|v| v == "disable").unwrap_or(false))
            == Some(true)
        {
            // A disabled route has no effect.
            mark_obj_ok(ctx, o);
            continue;
        }
        let mut r = Route {
            prefix: Ipv4Addr::UNSPECIFIED,
            len: 0,
            next_hop: None,
            interface: None,
            discard: false,
            span: ctx.span(o.line()),
        };
        let mut usable = true;
        for a in &o.attrs {
            let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
            let res: Result<(), String> = match a.key.as_str() {
                "dst" => match parse_addr_mask(&a.vals) {
                    Ok((ip, len)) => {
                        let m = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                        r.prefix = Ipv4Addr::from(u32::from(ip) & m);
                        r.len = len;
                        Ok(())
                    }
                    Err(e) => {
                        usable = false;
                        Err(e)
                    }
                },
                "gateway" => match v0.parse::<Ipv4Addr>() {
                    Ok(g) => {
                        if !g.is_unspecified() {
                            r.next_hop = Some(g);
                        }
                        Ok(())
                    }
                    Err(_) => Err(format!("malformed gateway `{v0}`")),
                },
                "device" => {
                    if v0.is_empty() {
                        Ok(())
                    } else if !ifaces.iter().any(|i| i.name == v0) {
                        // FortiOS rejects the route: it does not exist.
                        usable = false;
                        Err(format!(
                            "static route device `{v0}` is not a defined interface (FortiOS rejects it)"
                        ))
                    } else {
                        r.interface = Some(v0.to_string());
                        Ok(())
                    }
                }
                "blackhole" => {
                    r.discard = is_enable(a);
                    Ok(())
                }
                "status"
                | "distance"
                | "priority"
                | "weight"
                | "comment"
                | "bfd"
                | "seq-num"
                | "link-monitor-exempt" => Ok(()),
                "sdwan" | "virtual-wan-link" | "dynamic-gateway" => {
                    if is_enable(a) {
                        Err(format!("`{} enable` not modeled", a.key))
                    } else {
                        Ok(())
                    }
                }
                "vrf" => {
                    if v0 == "0" {
                        Ok(())
                    } else {
                        Err("VRF not modeled".into())
                    }
                }
                "internet-service" => {
                    if v0 == "0" {
                        Ok(())
                    } else {
                        Err("internet-service route not modeled".into())
                    }
                }
                "dstaddr" | "internet-service-custom" | "src" | "sdwan-zone" => {
                    if v0.is_empty() || v0 == "0.0.0.0" {
                        Ok(())
                    } else {
                        Err(format!("static route `{}` not modeled", a.key))
                    }
                }
                k => Err(format!("static route attribute `{k}` not modeled")),
            };
            for st in &a.stmts {
                match &res {
                    Ok(()) => ctx.ok_stmt(st),
                    Err(e) => ctx.bad_stmt(st, e, &sc),
                }
            }
        }
        for b in &o.subs {
            mark_block(ctx, b, Some(("static route block not modeled", &sc)));
        }
        if usable {
            out.push(r);
        }
    }
    out
}

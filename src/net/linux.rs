//! Linux lowering: netfilter hooks (semantics in net/netfilter.rs) around routing, the
//! host's own stack, and a routed packet's source MAC.

use super::netfilter::{self as nfsem, HookCtx};
use super::{Builder, EdgeInfo, Taint};
use crate::engine::{NodeId, Rewrite};
use crate::hs::{Bdd, Field, FALSE, TRUE};
use crate::model::{Device, NfHook, Scope, Span};
use std::collections::HashMap;

impl Builder<'_> {
    /// Run the base chains of `hook` from node `from`; returns the node where what they
    /// all accept arrives. Each chain becomes edges to a fresh node: one edge for what it
    /// accepts unchanged, one rewrite edge per NAT rule.
    fn hook_stage(
        &mut self,
        d: &Device,
        from: NodeId,
        hook: NfHook,
        ctx: HookCtx,
        names: (Option<&str>, Option<&str>),
    ) -> NodeId {
        let nf = d.netfilter.as_ref().expect("linux device");
        let mut taint = self.dev_taint(d, |s| *s == Scope::Policy);
        let mut cur = from;
        for chain in nfsem::hook_chains(nf, hook) {
            let next = self.nb.add_node();
            let (pieces, broken) = nfsem::base_chain(&mut self.nb.space, nf, chain, TRUE, ctx);
            for sp in broken {
                taint.push(Taint::new(
                    sp.file.clone(),
                    sp.line,
                    String::new(),
                    "jump/goto target missing or nested too deep".into(),
                ));
            }
            let info = |pieces: Vec<(Bdd, Vec<Span>)>| EdgeInfo {
                device: Some(d.name.clone()),
                in_if: names.0.map(str::to_string),
                out_if: names.1.map(str::to_string),
                pieces,
                taint: taint.clone(),
            };
            let plain: Vec<(Bdd, Vec<Span>)> = pieces
                .iter()
                .filter(|p| p.rw.is_none())
                .map(|p| (p.pred, p.lines.clone()))
                .collect();
            if !plain.is_empty() || !taint.is_empty() {
                self.edge(cur, next, info(plain));
            }
            for p in pieces.into_iter().filter(|p| p.rw.is_some()) {
                let rw = p.rw.expect("filtered");
                self.rewrite_edge(cur, next, info(vec![(p.pred, p.lines)]), rw);
            }
            cur = next;
        }
        cur
    }

    /// The last step of a routed packet out of interface `o`: it leaves with that
    /// interface's MAC as source (when known), so filters on later hops see the router.
    fn leave(&mut self, d: &Device, o: usize, from: NodeId, to: NodeId, info: EdgeInfo) {
        match d.interfaces[o].mac {
            Some(m) => {
                let v = self.nb.space.eq(Field::SrcMac, crate::hs::mac_u64(m));
                let rw = Rewrite {
                    set: vec![(Field::SrcMac, v)],
                };
                self.rewrite_edge(from, to, info, rw);
            }
            None => self.edge(from, to, info),
        }
    }

    /// A Linux host or router: PREROUTING, then local delivery (INPUT) or forwarding
    /// (routing, FORWARD, POSTROUTING); its own traffic goes routing, OUTPUT, POSTROUTING.
    pub(super) fn linux_edges(
        &mut self,
        di: usize,
        d: &Device,
        l3: &[usize],
        route_pieces: &HashMap<usize, Vec<(Bdd, Vec<Span>)>>,
        route_taint: &[Taint],
    ) {
        let nf = d.netfilter.as_ref().expect("linux device");
        let primary = |ii: usize| d.interfaces[ii].addresses.first().map(|a| a.0);
        let mut local = FALSE;
        for i in d.interfaces.iter().filter(|i| !i.shutdown) {
            for (a, _) in &i.addresses {
                let b = self.nb.space.prefix(Field::DstIp, *a, 32);
                local = self.nb.space.or(local, b);
            }
        }
        let local_src = self.nb.add_node();
        let local_sink = self.nb.add_node();
        self.local.insert(di, (local_src, local_sink));
        let plain =
            |pieces: Vec<(Bdd, Vec<Span>)>, inf: Option<&str>, outf: Option<&str>| EdgeInfo {
                device: Some(d.name.clone()),
                in_if: inf.map(str::to_string),
                out_if: outf.map(str::to_string),
                pieces,
                taint: vec![],
            };
        // Routing towards `o`, minus the host's own addresses (those are delivered locally).
        let mut routed: HashMap<usize, Vec<(Bdd, Vec<Span>)>> = HashMap::new();
        for &o in l3 {
            let v = route_pieces
                .get(&o)
                .map(|v| {
                    v.iter()
                        .map(|(b, l)| (self.nb.space.diff(*b, local), l.clone()))
                        .filter(|(b, _)| *b != FALSE)
                        .collect()
                })
                .unwrap_or_default();
            routed.insert(o, v);
        }
        for &i in l3 {
            let iname = d.interfaces[i].name.as_str();
            let ctx_in = HookCtx {
                iif: Some(iname),
                iif_addr: primary(i),
                ..HookCtx::default()
            };
            let from = self.l3in[&(di, i)];
            let pre = self.hook_stage(d, from, NfHook::Prerouting, ctx_in, (Some(iname), None));
            // Local delivery.
            let n = self.nb.add_node();
            self.edge(pre, n, plain(vec![(local, vec![])], Some(iname), None));
            let end = self.hook_stage(d, n, NfHook::Input, ctx_in, (Some(iname), None));
            self.edge(
                end,
                local_sink,
                plain(vec![(TRUE, vec![])], Some(iname), None),
            );
            if !nf.ip_forward {
                continue;
            }
            for &o in l3 {
                let oname = d.interfaces[o].name.as_str();
                let ctx = HookCtx {
                    oif: Some(oname),
                    oif_addr: primary(o),
                    ..ctx_in
                };
                let n = self.nb.add_node();
                let mut info = plain(routed[&o].clone(), Some(iname), Some(oname));
                info.taint = route_taint.to_vec();
                self.edge(pre, n, info);
                let names = (Some(iname), Some(oname));
                let f = self.hook_stage(d, n, NfHook::Forward, ctx, names);
                let p = self.hook_stage(d, f, NfHook::Postrouting, ctx, names);
                let to = self.l3out[&(di, o)];
                let info = plain(vec![(TRUE, vec![])], Some(iname), Some(oname));
                self.leave(d, o, p, to, info);
            }
        }
        // The host's own packets carry one of its own addresses (any of them: the kernel
        // picks the route's preferred source or the egress interface's address, and a
        // process may bind any local address). docs/semantics.md, "Linux devices".
        let mut own_src = FALSE;
        for i in d.interfaces.iter().filter(|i| !i.shutdown) {
            for (a, _) in &i.addresses {
                let b = self.nb.space.prefix(Field::SrcIp, *a, 32);
                own_src = self.nb.space.or(own_src, b);
            }
        }
        for &o in l3 {
            let oname = d.interfaces[o].name.as_str();
            let ctx = HookCtx {
                oif: Some(oname),
                oif_addr: primary(o),
                ..HookCtx::default()
            };
            let n = self.nb.add_node();
            let pieces = routed[&o]
                .iter()
                .map(|(b, l)| (self.nb.space.and(*b, own_src), l.clone()))
                .filter(|(b, _)| *b != FALSE)
                .collect();
            let mut info = plain(pieces, None, Some(oname));
            info.taint = route_taint.to_vec();
            self.edge(local_src, n, info);
            let names = (None, Some(oname));
            let out = self.hook_stage(d, n, NfHook::Output, ctx, names);
            let p = self.hook_stage(d, out, NfHook::Postrouting, ctx, names);
            let to = self.l3out[&(di, o)];
            let info = plain(vec![(TRUE, vec![])], None, Some(oname));
            self.leave(d, o, p, to, info);
        }
    }
}

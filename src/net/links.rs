//! Links of topology.toml: edges between linked ports, and hosts on ports.

use super::l2::{Att, Attachments};
use super::{Builder, EdgeInfo, Index};
use crate::model::{LinkEnd, Span};
use std::collections::{BTreeMap, HashMap};

/// Ports linked to another device (with the far end), and ports a host is linked to.
pub(super) struct Linked {
    pub(super) linked: BTreeMap<(usize, usize), LinkEnd>,
    pub(super) host_port: HashMap<(usize, usize), usize>,
}

impl Builder<'_> {
    /// Links.
    pub(super) fn links(
        &mut self,
        ix: &Index,
        atts: &HashMap<(usize, usize), Attachments>,
    ) -> Linked {
        let snap = self.snap;
        let b = self;
        let mut linked: BTreeMap<(usize, usize), LinkEnd> = BTreeMap::new();
        let mut host_port: HashMap<(usize, usize), usize> = HashMap::new();
        let host_idx: HashMap<&str, usize> = snap
            .hosts
            .iter()
            .enumerate()
            .map(|(i, h)| (h.name.as_str(), i))
            .collect();
        for l in &snap.links {
            // The ports of a link end: the interface, or an aggregator's member ports.
            let res = |e: &LinkEnd| match e {
                LinkEnd::Port { device, interface } => {
                    let d = ix.dev[device.as_str()];
                    let members = snap.devices[d].aggregates.get(interface.as_str());
                    let ports: Vec<(usize, usize)> = match members {
                        Some(m) => m
                            .iter()
                            .filter_map(|n| Some((d, ix.if_idx(d, n)?)))
                            .collect(),
                        None => vec![(d, ix.if_idx(d, interface).expect("validated at load"))],
                    };
                    Some(ports)
                }
                LinkEnd::Host(_) => None,
            };
            match (res(&l.a), res(&l.b)) {
                (Some(ports_a), Some(ports_b)) => {
                    // The line that makes the link: topology.toml's, the first interface
                    // of an inferred subnet, or the first state / Batfish line that
                    // reports it.
                    let span = match (&l.inferred, &l.observed) {
                        (Some(inf), _) => inf.a_span.clone(),
                        (None, Some(o)) if !o.evidence.is_empty() => o.evidence[0].clone(),
                        _ => Span::new("topology.toml", l.line),
                    };
                    for &pa in &ports_a {
                        linked.insert(pa, l.b.clone());
                    }
                    for &pb in &ports_b {
                        linked.insert(pb, l.a.clone());
                    }
                    for &pa in &ports_a {
                        for &pb in &ports_b {
                            b.link(pa, pb, &atts[&pa], &atts[&pb], &span);
                            b.link(pb, pa, &atts[&pb], &atts[&pa], &span);
                        }
                    }
                }
                (Some(ports), None) | (None, Some(ports)) => {
                    let h = match (&l.a, &l.b) {
                        (LinkEnd::Host(h), _) | (_, LinkEnd::Host(h)) => host_idx[h.as_str()],
                        _ => unreachable!(),
                    };
                    for p in ports {
                        host_port.insert(p, h);
                    }
                }
                (None, None) => {}
            }
        }
        Linked { linked, host_port }
    }

    pub(super) fn link(
        &mut self,
        pa: (usize, usize),
        pb: (usize, usize),
        aa: &[(Option<u16>, Att)],
        ab: &[(Option<u16>, Att)],
        span: &Span,
    ) {
        let ingress = self.port_ingress(pb.0, pb.1);
        let da = &self.snap.devices[pa.0];
        let db = &self.snap.devices[pb.0];
        for (ta, xa) in aa {
            for (tb, xb) in ab {
                if ta != tb {
                    continue;
                }
                let pieces = ingress
                    .0
                    .iter()
                    .map(|(p, l)| {
                        let mut l = l.clone();
                        l.insert(0, span.clone());
                        (*p, l)
                    })
                    .collect();
                let from = self.out_node(*xa);
                let to = self.in_node(*xb);
                self.edge(
                    from,
                    to,
                    EdgeInfo {
                        device: None,
                        in_if: Some(format!("{}:{}", db.name, db.interfaces[pb.1].name)),
                        out_if: Some(format!("{}:{}", da.name, da.interfaces[pa.1].name)),
                        pieces,
                        taint: ingress.1.clone(),
                    },
                );
            }
        }
    }
}

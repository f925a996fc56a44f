//! L2: VLAN attachments of interfaces, the VLAN universe, the union-find over
//! attachments (L2 domains) and switched domains ("fabrics").

use super::{Builder, Index};
use crate::engine::NodeId;
use crate::model::{Device, IfMode, LinkEnd};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Per interface: (wire tag, where the frame goes). `None` = untagged.
pub(super) type Attachments = Vec<(Option<u16>, Att)>;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub(super) enum Att {
    Seg(usize, u16),
    L3(usize, usize),
}

/// The routed aggregator whose member port `ii` is (its index), if any.
pub(crate) fn routed_aggregator(d: &Device, ii: usize) -> Option<usize> {
    let name = &d.interfaces[ii].name;
    let (agg, _) = d.aggregates.iter().find(|(_, m)| m.contains(name))?;
    d.interfaces
        .iter()
        .position(|x| x.name == *agg && x.mode == IfMode::Routed)
}

/// Canonical VLAN attachments of an interface: (wire tag, attachment). `None` = untagged.
fn attachments(
    d: &Device,
    di: usize,
    ii: usize,
    universe: &BTreeSet<u16>,
) -> Vec<(Option<u16>, Att)> {
    let i = &d.interfaces[ii];
    // An aggregator forwards through its member ports only.
    if i.shutdown || d.aggregates.contains_key(&i.name) {
        return vec![];
    }
    // A member of a routed aggregator (FortiOS aggregate / redundant) carries the
    // aggregator's L3 interface and its VLAN sub-interfaces.
    let ii = routed_aggregator(d, ii).unwrap_or(ii);
    let i = &d.interfaces[ii];
    if i.shutdown {
        return vec![];
    }
    let mut out = vec![];
    match &i.mode {
        IfMode::Access { vlan } => out.push((None, Att::Seg(di, *vlan))),
        IfMode::Trunk { allowed, native } => {
            if allowed.contains(*native) {
                out.push((None, Att::Seg(di, *native)));
            }
            for &v in universe {
                if v != *native && allowed.contains(v) {
                    out.push((Some(v), Att::Seg(di, v)));
                }
            }
        }
        IfMode::Svi { .. } => {}
        IfMode::Routed => {
            if i.parent.is_none() && !i.addresses.is_empty() {
                out.push((None, Att::L3(di, ii)));
            }
            for (si, s) in d.interfaces.iter().enumerate() {
                if let Some((p, tag)) = &s.parent {
                    if *p == i.name && !s.shutdown {
                        out.push((Some(*tag), Att::L3(di, si)));
                    }
                }
            }
        }
    }
    out
}

/// Union-find over attachments, for L2 domains.
pub(super) struct Dsu(pub(super) Vec<usize>);
impl Dsu {
    pub(super) fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut c = x;
        while self.0[c] != r {
            let n = self.0[c];
            self.0[c] = r;
            c = n;
        }
        r
    }
    pub(super) fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a] = b;
        }
    }
}

/// Attachment ids, the pairs of attachments joined by links or SVIs, and the L2 domains.
pub(super) struct Domains {
    pub(super) att_ids: HashMap<Att, usize>,
    pub(super) pairs: Vec<(Att, Att)>,
    pub(super) dsu: Dsu,
}

/// L2 domains: union attachments joined by links, and SVIs with their VLAN.
pub(super) fn l2_domains(
    ix: &Index,
    atts: &HashMap<(usize, usize), Attachments>,
    linked: &BTreeMap<(usize, usize), LinkEnd>,
    l3in: &HashMap<(usize, usize), NodeId>,
) -> Domains {
    let snap = ix.snap;
    let mut att_ids: HashMap<Att, usize> = HashMap::new();
    let id = |a: Att, m: &mut HashMap<Att, usize>| {
        let n = m.len();
        *m.entry(a).or_insert(n)
    };
    let mut pairs = vec![];
    for ((pa, pb), _) in linked.iter().map(|(k, v)| ((*k, v), ())) {
        if let LinkEnd::Port { device, interface } = pb {
            let db = ix.dev[device.as_str()];
            // A far end naming an aggregator is its member ports (the aggregator itself
            // has no attachments), as in `Builder::links`.
            let far: Vec<usize> = match snap.devices[db].aggregates.get(interface.as_str()) {
                Some(m) => m.iter().filter_map(|n| ix.if_idx(db, n)).collect(),
                None => vec![ix.if_idx(db, interface).expect("validated")],
            };
            for ib in far {
                for (ta, xa) in &atts[&pa] {
                    for (tb, xb) in &atts[&(db, ib)] {
                        if ta == tb {
                            pairs.push((*xa, *xb));
                        }
                    }
                }
            }
        }
    }
    for (di, d) in snap.devices.iter().enumerate() {
        for (ii, i) in d.interfaces.iter().enumerate() {
            if let (IfMode::Svi { vlan }, false) = (&i.mode, i.shutdown) {
                pairs.push((Att::Seg(di, *vlan), Att::L3(di, ii)));
            }
        }
    }
    for (a, c) in pairs.iter() {
        id(*a, &mut att_ids);
        id(*c, &mut att_ids);
    }
    for v in atts.values() {
        for (_, a) in v {
            id(*a, &mut att_ids);
        }
    }
    for (di, d) in snap.devices.iter().enumerate() {
        for ii in 0..d.interfaces.len() {
            if l3in.contains_key(&(di, ii)) {
                id(Att::L3(di, ii), &mut att_ids);
            }
        }
    }
    let mut dsu = Dsu((0..att_ids.len()).collect());
    for (a, c) in pairs.iter() {
        dsu.union(att_ids[a], att_ids[c]);
    }
    Domains {
        att_ids,
        pairs,
        dsu,
    }
}

/// Switched domains ("fabrics"): every VLAN segment of one device is in one fabric
/// (a switch's VLAN ids are one namespace), links join fabrics, and a routed port or
/// SVI joins the fabric of the segment it sits on. VLAN ids are local to a fabric:
/// VLAN 110 at two unconnected sites is two domains.
pub(super) fn fabrics(dom: &Domains) -> Dsu {
    let (att_ids, pairs) = (&dom.att_ids, &dom.pairs);
    let mut fab = Dsu((0..att_ids.len()).collect());
    for (a, c) in pairs.iter() {
        fab.union(att_ids[a], att_ids[c]);
    }
    let mut dev_seg: HashMap<usize, usize> = HashMap::new();
    for (att, &aid) in att_ids.iter() {
        if let Att::Seg(d, _) = att {
            match dev_seg.get(d) {
                Some(&o) => fab.union(o, aid),
                None => {
                    dev_seg.insert(*d, aid);
                }
            }
        }
    }
    fab
}

impl Builder<'_> {
    /// Per-device attachments and nodes.
    pub(super) fn attach(
        &mut self,
        universe: &BTreeSet<u16>,
    ) -> HashMap<(usize, usize), Attachments> {
        let snap = self.snap;
        let b = self;
        let mut atts: HashMap<(usize, usize), Attachments> = HashMap::new();
        for (di, d) in snap.devices.iter().enumerate() {
            for ii in 0..d.interfaces.len() {
                let a = attachments(d, di, ii, universe);
                for (_, att) in &a {
                    b.node_for(*att);
                }
                atts.insert((di, ii), a);
                let i = &d.interfaces[ii];
                if !i.shutdown
                    && (matches!(i.mode, IfMode::Svi { .. })
                        || (i.mode == IfMode::Routed && !i.addresses.is_empty()))
                {
                    b.node_for(Att::L3(di, ii));
                }
            }
        }
        atts
    }

    pub(super) fn node_for(&mut self, a: Att) {
        match a {
            Att::Seg(d, v) => {
                if !self.seg.contains_key(&(d, v)) {
                    let n = self.nb.add_node();
                    self.seg.insert((d, v), n);
                }
            }
            Att::L3(d, i) => {
                if !self.l3in.contains_key(&(d, i)) {
                    let a = self.nb.add_node();
                    let b = self.nb.add_node();
                    self.l3in.insert((d, i), a);
                    self.l3out.insert((d, i), b);
                }
            }
        }
    }
    pub(super) fn in_node(&self, a: Att) -> NodeId {
        match a {
            Att::Seg(d, v) => self.seg[&(d, v)],
            Att::L3(d, i) => self.l3in[&(d, i)],
        }
    }
    pub(super) fn out_node(&self, a: Att) -> NodeId {
        match a {
            Att::Seg(d, v) => self.seg[&(d, v)],
            Att::L3(d, i) => self.l3out[&(d, i)],
        }
    }
}

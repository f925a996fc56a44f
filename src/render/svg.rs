//! Inline SVG picture of the network for `report.html`: one column per tier, zones and
//! devices as boxes, links between them, and violating paths drawn on top.
//!
//! The picture is an illustration, not a proof: zone placement is read from the inventory
//! (subnets on interfaces, VLANs, `attach`, host links) plus the edge points named by
//! findings. Layout is integer arithmetic over name-sorted nodes, so it is deterministic.

use crate::model::{LinkEnd, Snapshot, Tier};
use crate::report::{tier_name, Lang};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const TIERS: [Tier; 4] = [Tier::Mynumber, Tier::Lgwan, Tier::Internet, Tier::External];

const MARGIN: i32 = 16;
const COL_W: i32 = 250;
const COL_GAP: i32 = 40;
const HEAD: i32 = 40;
const NODE_W: i32 = 200;
const DEV_H: i32 = 40;
const ZONE_H: i32 = 46;
const PITCH: i32 = 58;
const SECTION_GAP: i32 = 14;
/// Free band under the boxes for lines that cross a whole column.
const LANE: i32 = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Zone,
    Device,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    pub name: String,
    /// Second text line: subnets for zones, dialect for devices.
    pub sub: String,
    pub col: usize,
    pub x: i32,
    pub y: i32,
    pub h: i32,
}

#[derive(Clone, Debug)]
pub struct Diagram {
    pub width: i32,
    pub height: i32,
    /// (tier, column index) of the columns drawn.
    pub columns: Vec<Tier>,
    pub nodes: Vec<Node>,
    /// Device–device links (node indices, a < b).
    pub links: BTreeSet<(usize, usize)>,
    /// Zone–device attachments (zone node, device node).
    pub attach: BTreeSet<(usize, usize)>,
}

/// One path to highlight: node indices in travel order.
#[derive(Clone, Debug, Default)]
pub struct Route {
    pub nodes: Vec<usize>,
}

fn device_index(snap: &Snapshot, name: &str) -> Option<usize> {
    snap.devices
        .iter()
        .position(|d| d.name == name)
        .or_else(|| {
            snap.devices.iter().position(|d| {
                std::path::Path::new(&d.file)
                    .file_stem()
                    .is_some_and(|s| s.to_string_lossy() == name)
            })
        })
}

pub fn zone_of_name(snap: &Snapshot, name: &str) -> Option<usize> {
    snap.zones
        .iter()
        .position(|z| z.name == name)
        .or_else(|| snap.hosts.iter().find(|h| h.name == name).map(|h| h.zone))
}

/// Zone–device attachments (zone index, device index) from the inventory.
fn attachments(snap: &Snapshot, extra: &[(String, String)]) -> BTreeSet<(usize, usize)> {
    let mut out = BTreeSet::new();
    for (di, d) in snap.devices.iter().enumerate() {
        for itf in &d.interfaces {
            for &(a, _) in &itf.addresses {
                // A /0 zone would swallow every transit link; it is placed by route only.
                if let Some(z) = snap.zone_of(a) {
                    if snap.zones[z].subnets.iter().any(|n| n.prefix() > 0) {
                        out.insert((z, di));
                    }
                }
            }
            let vlan = match &itf.mode {
                crate::model::IfMode::Access { vlan } | crate::model::IfMode::Svi { vlan } => {
                    Some(*vlan)
                }
                _ => None,
            };
            if let Some(v) = vlan {
                for (zi, z) in snap.zones.iter().enumerate() {
                    if z.vlans.contains(&v) {
                        out.insert((zi, di));
                    }
                }
            }
        }
    }
    for (zi, z) in snap.zones.iter().enumerate() {
        for (dev, _) in &z.attach {
            if let Some(di) = device_index(snap, dev) {
                out.insert((zi, di));
            }
        }
    }
    for l in &snap.links {
        for (h, p) in [(&l.a, &l.b), (&l.b, &l.a)] {
            if let (LinkEnd::Host(h), LinkEnd::Port { device, .. }) = (h, p) {
                let zone = snap.hosts.iter().find(|x| &x.name == h).map(|x| x.zone);
                if let (Some(z), Some(di)) = (zone, device_index(snap, device)) {
                    out.insert((z, di));
                }
            }
        }
    }
    for (zone, dev) in extra {
        if let (Some(z), Some(di)) = (zone_of_name(snap, zone), device_index(snap, dev)) {
            out.insert((z, di));
        }
    }
    out
}

fn device_links(snap: &Snapshot) -> BTreeSet<(usize, usize)> {
    let mut out = BTreeSet::new();
    for l in &snap.links {
        if let (LinkEnd::Port { device: a, .. }, LinkEnd::Port { device: b, .. }) = (&l.a, &l.b) {
            if let (Some(a), Some(b)) = (device_index(snap, a), device_index(snap, b)) {
                if a != b {
                    out.insert((a.min(b), a.max(b)));
                }
            }
        }
    }
    out
}

fn tier_col(t: Tier) -> usize {
    TIERS.iter().position(|x| *x == t).unwrap_or(3)
}

/// Lay out the snapshot. `extra` adds (zone or host, device) attachments seen in findings.
pub fn layout(snap: &Snapshot, extra: &[(String, String)]) -> Diagram {
    let att = attachments(snap, extra);
    let dlinks = device_links(snap);
    // A device sits in the lowest internal tier among its zones; devices without zones
    // inherit from linked neighbours; the rest go to the external column.
    let mut dev_col: Vec<Option<usize>> = vec![None; snap.devices.len()];
    for &(z, d) in &att {
        let t = snap.zones[z].tier;
        if t != Tier::External {
            let c = tier_col(t);
            dev_col[d] = Some(dev_col[d].map_or(c, |o| o.min(c)));
        }
    }
    loop {
        let mut changed = false;
        for &(a, b) in &dlinks {
            for (x, y) in [(a, b), (b, a)] {
                if dev_col[x].is_none() {
                    if let Some(c) = dev_col[y] {
                        dev_col[x] = Some(c);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut per_col: Vec<(Vec<usize>, Vec<usize>)> = vec![(vec![], vec![]); TIERS.len()];
    for (zi, z) in snap.zones.iter().enumerate() {
        per_col[tier_col(z.tier)].0.push(zi);
    }
    for (di, c) in dev_col.iter().enumerate() {
        per_col[c.unwrap_or(3)].1.push(di);
    }
    for (zs, ds) in per_col.iter_mut() {
        zs.sort_by(|&a, &b| snap.zones[a].name.cmp(&snap.zones[b].name));
        ds.sort_by(|&a, &b| snap.devices[a].name.cmp(&snap.devices[b].name));
    }
    let mut nodes = vec![];
    let mut zone_node = vec![usize::MAX; snap.zones.len()];
    let mut dev_node = vec![usize::MAX; snap.devices.len()];
    let mut columns = vec![];
    let mut height = 0;
    for (ti, (zs, ds)) in per_col.iter().enumerate() {
        if zs.is_empty() && ds.is_empty() {
            continue;
        }
        let col = columns.len();
        columns.push(TIERS[ti]);
        let x = MARGIN + col as i32 * (COL_W + COL_GAP) + (COL_W - NODE_W) / 2;
        let mut y = MARGIN + HEAD;
        for &z in zs {
            let zone = &snap.zones[z];
            let mut sub: Vec<String> = zone.subnets.iter().map(|n| n.to_string()).collect();
            if sub.len() > 2 {
                let more = sub.len() - 2;
                sub.truncate(2);
                sub.push(format!("+{more}"));
            }
            zone_node[z] = nodes.len();
            nodes.push(Node {
                kind: Kind::Zone,
                name: zone.name.clone(),
                sub: sub.join(", "),
                col,
                x,
                y,
                h: ZONE_H,
            });
            y += PITCH;
        }
        if !zs.is_empty() && !ds.is_empty() {
            y += SECTION_GAP;
        }
        for &d in ds {
            let dev = &snap.devices[d];
            dev_node[d] = nodes.len();
            nodes.push(Node {
                kind: Kind::Device,
                name: dev.name.clone(),
                sub: dev.dialect.id().to_string(),
                col,
                x,
                y,
                h: DEV_H,
            });
            y += PITCH;
        }
        height = height.max(y);
    }
    let links = dlinks
        .iter()
        .map(|&(a, b)| {
            let (a, b) = (dev_node[a], dev_node[b]);
            (a.min(b), a.max(b))
        })
        .collect();
    let attach = att
        .iter()
        .map(|&(z, d)| (zone_node[z], dev_node[d]))
        .collect();
    Diagram {
        width: MARGIN * 2 + columns.len().max(1) as i32 * (COL_W + COL_GAP) - COL_GAP,
        height: height.max(MARGIN + HEAD + PITCH) + LANE + MARGIN,
        columns,
        nodes,
        links,
        attach,
    }
}

impl Diagram {
    pub fn find(&self, kind: Kind, name: &str) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.kind == kind && n.name == name)
    }

    /// Route of a finding: source zone, devices hop by hop, destination zone.
    pub fn route(&self, snap: &Snapshot, src: &str, devices: &[String], dst: &str) -> Route {
        let zone = |n: &str| {
            zone_of_name(snap, n).and_then(|z| self.find(Kind::Zone, &snap.zones[z].name))
        };
        let mut nodes = vec![];
        nodes.extend(zone(src));
        for d in devices {
            let idx =
                device_index(snap, d).and_then(|i| self.find(Kind::Device, &snap.devices[i].name));
            if let Some(i) = idx {
                if nodes.last() != Some(&i) {
                    nodes.push(i);
                }
            }
        }
        if let Some(z) = zone(dst) {
            if nodes.last() != Some(&z) {
                nodes.push(z);
            }
        }
        Route { nodes }
    }
}

/// SVG path data between two nodes: right side to left side across columns, an outward
/// bulge on the right within a column. Drawn from `a` to `b` so arrowheads point forward.
fn curve(d: &Diagram, a: usize, b: usize) -> String {
    let (na, nb) = (&d.nodes[a], &d.nodes[b]);
    let (ya, yb) = (na.y + na.h / 2, nb.y + nb.h / 2);
    if na.col == nb.col {
        let x = na.x + NODE_W;
        let bulge = 24 + (ya - yb).abs() / 6;
        return format!("M{x} {ya} C{} {ya} {} {yb} {x} {yb}", x + bulge, x + bulge);
    }
    let (xa, xb) = if na.col < nb.col {
        (na.x + NODE_W, nb.x)
    } else {
        (na.x, nb.x + NODE_W)
    };
    if na.col.abs_diff(nb.col) > 1 {
        // Across a column: go down the gaps and along the free lane under every column,
        // so the line never passes behind an unrelated box.
        let inner = (COL_W - NODE_W) / 2 + COL_GAP / 2;
        let (ga, gb) = if na.col < nb.col {
            (xa + inner, xb - inner)
        } else {
            (xa - inner, xb + inner)
        };
        let lane = d.height - MARGIN - LANE / 2;
        return format!("M{xa} {ya} H{ga} V{lane} H{gb} V{yb} H{xb}");
    }
    let mid = (xa + xb) / 2;
    format!("M{xa} {ya} C{mid} {ya} {mid} {yb} {xb} {yb}")
}

fn tier_fill(t: Tier) -> (&'static str, &'static str) {
    match t {
        Tier::Mynumber => ("#f3ecfa", "#7b4fa8"),
        Tier::Lgwan => ("#e8f5e6", "#3a7d34"),
        Tier::Internet => ("#e6f0fb", "#2f6aa8"),
        Tier::External => ("#f2f2f2", "#666666"),
    }
}

/// Cut a label to about `max` columns (CJK counts double) so it fits its box.
fn fit(s: &str, max: usize) -> String {
    let mut w = 0;
    let mut out = String::new();
    for c in s.chars() {
        w += if c.is_ascii() { 1 } else { 2 };
        if w > max {
            out.push('…');
            return out;
        }
        out.push(c);
    }
    out
}

/// Render the diagram with `routes` highlighted. `id` makes marker ids unique per SVG.
pub fn render(d: &Diagram, routes: &[Route], lang: Lang, id: &str, title: &str) -> String {
    let esc = crate::render::esc;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology\" id=\"{id}\" \
         viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-label=\"{t}\" font-family=\"'Noto Sans CJK JP','Noto Sans JP','IPAGothic',sans-serif\">",
        w = d.width,
        h = d.height,
        t = esc(title),
    );
    let _ = write!(
        s,
        "<title>{}</title><defs><marker id=\"{id}-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" \
         refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\">\
         <path d=\"M0 0 L10 5 L0 10 z\" fill=\"#d62728\"/></marker></defs>",
        esc(title)
    );
    for (c, t) in d.columns.iter().enumerate() {
        let (fill, stroke) = tier_fill(*t);
        let x = MARGIN + c as i32 * (COL_W + COL_GAP);
        let _ = write!(
            s,
            "<g class=\"tier tier-{tid}\"><rect x=\"{x}\" y=\"{MARGIN}\" width=\"{COL_W}\" \
             height=\"{h}\" rx=\"10\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>\
             <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"14\" \
             font-weight=\"bold\" fill=\"{stroke}\">{name}</text></g>",
            tid = t.id(),
            h = d.height - 2 * MARGIN,
            tx = x + COL_W / 2,
            ty = MARGIN + 25,
            name = esc(tier_name(*t, lang)),
        );
    }
    let hot_nodes: BTreeSet<usize> = routes.iter().flat_map(|r| r.nodes.clone()).collect();
    s.push_str("<g class=\"edges\" fill=\"none\">");
    for &(z, dv) in &d.attach {
        let _ = write!(
            s,
            "<path class=\"attach\" d=\"{}\" stroke=\"#9a9a9a\" stroke-width=\"1.2\" \
             stroke-dasharray=\"4 3\"/>",
            curve(d, z, dv)
        );
    }
    for &(a, b) in &d.links {
        let _ = write!(
            s,
            "<path class=\"link\" d=\"{}\" stroke=\"#555555\" stroke-width=\"2\"/>",
            curve(d, a, b)
        );
    }
    s.push_str("</g>");
    // Violating paths above plain edges but below boxes: they meet boxes at their sides.
    s.push_str("<g class=\"violations\" fill=\"none\">");
    for (i, r) in routes.iter().enumerate() {
        let _ = write!(s, "<g class=\"violation\" data-route=\"{}\">", i + 1);
        for w in r.nodes.windows(2) {
            let _ = write!(
                s,
                "<path class=\"hl\" d=\"{}\" stroke=\"#d62728\" stroke-width=\"3.5\" \
                 stroke-opacity=\"0.8\" marker-end=\"url(#{id}-arrow)\"/>",
                curve(d, w[0], w[1])
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</g>");
    for (ni, n) in d.nodes.iter().enumerate() {
        let (_, stroke) = tier_fill(d.columns[n.col]);
        let hot = hot_nodes.contains(&ni);
        let (class, bg, fg, rx) = match n.kind {
            Kind::Zone => ("zone", "#ffffff", stroke, 18),
            Kind::Device => ("device", stroke, "#ffffff", 4),
        };
        let border = if hot { "#d62728" } else { stroke };
        let bw = if hot { 3 } else { 1 };
        let _ = write!(
            s,
            "<g class=\"node {class}{h}\" data-name=\"{name}\"><title>{name} ({sub})</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{ht}\" rx=\"{rx}\" \
             fill=\"{bg}\" stroke=\"{border}\" stroke-width=\"{bw}\"/>\
             <text x=\"{cx}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"13\" \
             font-weight=\"bold\" fill=\"{fg}\">{label}</text>\
             <text x=\"{cx}\" y=\"{sy}\" text-anchor=\"middle\" font-size=\"11\" \
             fill=\"{fg}\">{subl}</text></g>",
            h = if hot { " hot" } else { "" },
            name = esc(&n.name),
            sub = esc(&n.sub),
            x = n.x,
            y = n.y,
            ht = n.h,
            cx = n.x + NODE_W / 2,
            ty = n.y + n.h / 2 - 2,
            sy = n.y + n.h / 2 + 13,
            label = esc(&fit(&n.name, 28)),
            subl = esc(&fit(&n.sub, 32)),
        );
    }
    s.push_str("</svg>");
    s
}

/// Zone/host names and device names of the edge points findings name, for [`layout`].
pub fn points_of(findings: &[(String, Option<String>)]) -> Vec<(String, String)> {
    let mut out: BTreeMap<(String, String), ()> = BTreeMap::new();
    for (zone, point) in findings {
        if let Some(p) = point {
            if let Some((dev, _)) = p.split_once(':') {
                out.insert((zone.clone(), dev.to_string()), ());
            }
        }
    }
    out.into_keys().collect()
}

/// One box of a finding's path picture ([`chain`]).
pub struct Step {
    pub kind: Kind,
    pub name: String,
    /// Second text line (zone: tier name; device: dialect).
    pub sub: String,
    pub tier: Tier,
}

const CHAIN_W: i32 = 560;
const CHAIN_BOX_W: i32 = 260;
const CHAIN_BOX_H: i32 = 36;
const CHAIN_PITCH: i32 = 64;

/// A finding's path as a vertical chain in travel order: source zone, each device
/// numbered by hop, destination zone; `labels[i]` names the interfaces between box `i`
/// and box `i + 1` (out → in). Independent of the size of the network, so it stays
/// legible and fits an A4 page whatever the snapshot.
pub fn chain(steps: &[Step], labels: &[String], id: &str, title: &str) -> String {
    let esc = crate::render::esc;
    let n = steps.len() as i32;
    let h = MARGIN * 2 + n.max(1) * CHAIN_PITCH - (CHAIN_PITCH - CHAIN_BOX_H);
    let x = MARGIN;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology chain\" id=\"{id}\" \
         viewBox=\"0 0 {CHAIN_W} {h}\" width=\"{CHAIN_W}\" height=\"{h}\" role=\"img\" \
         aria-label=\"{t}\" font-family=\"'Noto Sans CJK JP','Noto Sans JP','IPAGothic',sans-serif\">\
         <title>{t}</title><defs><marker id=\"{id}-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" \
         refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\">\
         <path d=\"M0 0 L10 5 L0 10 z\" fill=\"#d62728\"/></marker></defs>",
        t = esc(title),
    );
    let cx = x + CHAIN_BOX_W / 2;
    s.push_str("<g class=\"violations\" fill=\"none\"><g class=\"violation\" data-route=\"1\">");
    for i in 1..n {
        let (y0, y1) = (
            MARGIN + (i - 1) * CHAIN_PITCH + CHAIN_BOX_H,
            MARGIN + i * CHAIN_PITCH,
        );
        let _ = write!(
            s,
            "<path class=\"hl\" d=\"M{cx} {y0} V{y1}\" stroke=\"#d62728\" stroke-width=\"3.5\" \
             stroke-opacity=\"0.8\" marker-end=\"url(#{id}-arrow)\"/>"
        );
    }
    s.push_str("</g></g>");
    for (i, label) in labels
        .iter()
        .enumerate()
        .take(steps.len().saturating_sub(1))
    {
        if label.is_empty() {
            continue;
        }
        let y = MARGIN + i as i32 * CHAIN_PITCH + CHAIN_BOX_H + (CHAIN_PITCH - CHAIN_BOX_H) / 2 + 4;
        let _ = write!(
            s,
            "<text class=\"ifname\" x=\"{}\" y=\"{y}\" font-size=\"11.5\" fill=\"#333333\">{}</text>",
            cx + 12,
            esc(&fit(label, 60))
        );
    }
    let mut hop = 0;
    for (i, st) in steps.iter().enumerate() {
        let (_, stroke) = tier_fill(st.tier);
        let y = MARGIN + i as i32 * CHAIN_PITCH;
        let (class, bg, fg, rx) = match st.kind {
            Kind::Zone => ("zone", "#ffffff", stroke, 18),
            Kind::Device => ("device", stroke, "#ffffff", 4),
        };
        let label = match st.kind {
            Kind::Device => {
                hop += 1;
                format!("{hop}. {}", st.name)
            }
            Kind::Zone => st.name.clone(),
        };
        let _ = write!(
            s,
            "<g class=\"node {class} hot\" data-name=\"{name}\"><title>{name} ({sub})</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{CHAIN_BOX_W}\" height=\"{CHAIN_BOX_H}\" rx=\"{rx}\" \
             fill=\"{bg}\" stroke=\"#d62728\" stroke-width=\"2\"/>\
             <text x=\"{cx}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"13\" \
             font-weight=\"bold\" fill=\"{fg}\">{l}</text>\
             <text x=\"{cx}\" y=\"{sy}\" text-anchor=\"middle\" font-size=\"11\" \
             fill=\"{fg}\">{subl}</text></g>",
            name = esc(&st.name),
            sub = esc(&st.sub),
            ty = y + CHAIN_BOX_H / 2 - 2,
            sy = y + CHAIN_BOX_H / 2 + 13,
            l = esc(&fit(&label, 36)),
            subl = esc(&fit(&st.sub, 40)),
        );
    }
    s.push_str("</svg>");
    s
}

/// The group a zone or device belongs to in the overview of a large snapshot: the name's
/// part before the first `-` when at least two of `names` share it (a municipality's
/// prefix), else `None` (shared or unprefixed parts, drawn as one group).
pub fn groups(names: &[&str]) -> Vec<Option<String>> {
    let prefix = |n: &str| n.split_once('-').map(|(p, _)| p.to_string());
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for n in names {
        if let Some(p) = prefix(n) {
            *count.entry(p).or_default() += 1;
        }
    }
    names
        .iter()
        .map(|n| prefix(n).filter(|p| count[p] >= 2))
        .collect()
}

/// [`layout`] of the zones for which `keep` holds and the devices attached to them (the
/// drill-down picture of one part of a large snapshot).
pub fn layout_part(
    snap: &Snapshot,
    extra: &[(String, String)],
    keep: &dyn Fn(usize) -> bool,
) -> Diagram {
    let full = layout(snap, extra);
    let att = attachments(snap, extra);
    let zones: BTreeSet<&str> = snap
        .zones
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, z)| z.name.as_str())
        .collect();
    let devs: BTreeSet<&str> = att
        .iter()
        .filter(|(z, _)| keep(*z))
        .map(|&(_, d)| snap.devices[d].name.as_str())
        .collect();
    let kept: Vec<bool> = full
        .nodes
        .iter()
        .map(|n| match n.kind {
            Kind::Zone => zones.contains(n.name.as_str()),
            Kind::Device => devs.contains(n.name.as_str()),
        })
        .collect();
    // Re-stack the kept nodes of each column from the top, keeping their order.
    let mut map = vec![usize::MAX; full.nodes.len()];
    let mut nodes: Vec<Node> = vec![];
    let mut cols: Vec<Tier> = vec![];
    let mut height = 0;
    for (c, t) in full.columns.iter().enumerate() {
        let in_col: Vec<usize> = (0..full.nodes.len())
            .filter(|&i| kept[i] && full.nodes[i].col == c)
            .collect();
        if in_col.is_empty() {
            continue;
        }
        let col = cols.len();
        cols.push(*t);
        let x = MARGIN + col as i32 * (COL_W + COL_GAP) + (COL_W - NODE_W) / 2;
        let mut y = MARGIN + HEAD;
        let mut last = None;
        for i in in_col {
            let n = &full.nodes[i];
            if last == Some(Kind::Zone) && n.kind == Kind::Device {
                y += SECTION_GAP;
            }
            last = Some(n.kind);
            map[i] = nodes.len();
            nodes.push(Node {
                col,
                x,
                y,
                ..n.clone()
            });
            y += PITCH;
        }
        height = height.max(y);
    }
    let pick = |set: &BTreeSet<(usize, usize)>| -> BTreeSet<(usize, usize)> {
        set.iter()
            .filter(|(a, b)| kept[*a] && kept[*b])
            .map(|&(a, b)| (map[a], map[b]))
            .collect()
    };
    Diagram {
        width: MARGIN * 2 + cols.len().max(1) as i32 * (COL_W + COL_GAP) - COL_GAP,
        height: height.max(MARGIN + HEAD + PITCH) + LANE + MARGIN,
        columns: cols,
        links: pick(&full.links)
            .into_iter()
            .map(|(a, b)| (a.min(b), a.max(b)))
            .collect(),
        attach: pick(&full.attach),
        nodes,
    }
}

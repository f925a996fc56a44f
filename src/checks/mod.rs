//! Rule registry and evaluators. Rules are data (`rules/*.toml`, embedded at build time);
//! each names an evaluator `kind` with parameters. Evaluators only combine reachability
//! answers from the engine — they never read config text.
//!
//! Evaluation runs in two phases: every rule computes exact violating header sets with
//! set reachability (`Engine::reach_sets`) and draws its witnesses; paths are then drawn,
//! so output order and content are deterministic.

pub mod audit;
pub mod manual;

use crate::engine::{EdgeId, NodeId};
use crate::hs::{Bdd, Field, Packet, Space, FALSE};
use crate::model::{Endpoint, PortSpec, Snapshot, Tier};
pub use crate::net::path::Hop;
use crate::net::{portspec_bdd, Graph, Taint};
pub use manual::{ManualItem, MANUAL};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

/// The rule pack shipped with sanso: `(id, rule.toml text)` for every `rules/<ID>/` folder,
/// discovered by build.rs.
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/rule_pack.rs"));

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    /// Position in reports (the pack's narrative order; ties by id).
    pub order: u32,
    pub kind: String,
    pub severity: String,
    pub clause: String,
    pub models: Vec<String>,
    pub title_ja: String,
    pub title_en: String,
    pub rationale_ja: String,
    pub rationale_en: String,
    pub remediation_ja: String,
    pub remediation_en: String,
    #[serde(default)]
    pub params: Params,
    #[serde(default)]
    pub example: Vec<Example>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Source side tiers.
    #[serde(default)]
    pub from: Vec<String>,
    /// Destination side tiers.
    #[serde(default)]
    pub to: Vec<String>,
    /// External zone kinds counted on the destination side (for `to` containing "external"
    /// these restrict; for other rules they add).
    #[serde(default)]
    pub to_kinds: Vec<String>,
    /// External zone kinds excluded from the destination side.
    #[serde(default)]
    pub exclude_kinds: Vec<String>,
    /// Check both directions.
    #[serde(default)]
    pub both_ways: bool,
    /// `tokutei` or `mugaika`.
    #[serde(default)]
    pub declared: String,
    /// For flow-tightness: ip | port | mac | path.
    #[serde(default)]
    pub aspect: String,
    /// For protocol-allowlist.
    #[serde(default)]
    pub allowed: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub snapshot: String,
    pub expect: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct RuleError {
    pub file: String,
    pub message: String,
}

const KINDS: &[&str] = &[
    "isolation",
    "only-declared-flows",
    "flow-tightness",
    "protocol-allowlist",
];

pub fn load_builtin() -> Result<Vec<Rule>, RuleError> {
    let mut rules = vec![];
    for (id, text) in BUILTIN {
        let file = format!("rules/{id}/rule.toml");
        let r = parse_rule(&file, text)?;
        if r.id != *id {
            return Err(RuleError {
                file,
                message: format!("id {} differs from its folder name {id}", r.id),
            });
        }
        rules.push(r);
    }
    rules.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
    Ok(rules)
}

pub fn parse_rule(file: &str, text: &str) -> Result<Rule, RuleError> {
    let r: Rule = toml::from_str(text).map_err(|e| RuleError {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    if !KINDS.contains(&r.kind.as_str()) {
        return Err(RuleError {
            file: file.into(),
            message: format!("unknown kind {}", r.kind),
        });
    }
    Ok(r)
}

/// A hash of the rule pack (for manifests): FNV-1a over the embedded files.
pub fn pack_version() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (f, t) in BUILTIN {
        for b in f.bytes().chain(t.bytes()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The services the checks will ask the graph about (registered as queries when it is
/// built): every declared flow's ports and the LGWAN allow-list in force.
pub fn query_ports(rules: &[Rule], snap: &Snapshot) -> Vec<PortSpec> {
    let mut v: Vec<PortSpec> = snap
        .tokutei
        .iter()
        .chain(&snap.mugaika)
        .flat_map(|f| f.ports.iter().copied())
        .collect();
    if rules.iter().any(|r| r.kind == "protocol-allowlist") && snap.lgwan_allowed.is_none() {
        v.extend(default_lgwan_allowed());
    }
    v
}

pub fn default_lgwan_allowed() -> Vec<PortSpec> {
    [
        "udp/53", "tcp/53", "udp/123", "tcp/25", "tcp/80", "tcp/443", "tcp/389", "tcp/636",
    ]
    .iter()
    .filter_map(|s| PortSpec::parse(s))
    .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Violated,
    Unproven,
    NotApplicable,
}

impl Status {
    pub fn id(&self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Violated => "violated",
            Status::Unproven => "unproven",
            Status::NotApplicable => "not-applicable",
        }
    }
}

/// Structured finding text, rendered per language by the report.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Subject {
    pub src: String,
    pub dst: String,
    /// Name of the 特定通信 / 無害化 entry concerned, if any.
    pub flow: Option<String>,
    /// Extra detail key for messages.
    pub detail: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: String,
    pub clause: String,
    pub subject: Subject,
    pub witness: Option<Packet>,
    /// The witness as it arrives, when NAT on the path changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered: Option<Packet>,
    pub path: Vec<Hop>,
    /// Source edge point of the witness (device:interface).
    pub src_point: Option<String>,
    pub dst_point: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckResult {
    pub rule: String,
    pub status: Status,
    /// Lines that could change this result but were not understood.
    pub unproven_by: Vec<Taint>,
    pub note: Option<String>,
}

/// A violation with its witness drawn, before its path is.
struct Raw {
    subject: Subject,
    /// The violating set (in the worker's space) until the witness is drawn.
    viol: Bdd,
    witness: Option<Packet>,
    /// Source nodes with what each injects.
    sources: Vec<(NodeId, Bdd)>,
    sink: NodeId,
    prefs: Vec<(Field, u64)>,
    src_point: Option<usize>,
    dst_point: usize,
}

/// A witness-free finding (inventory-level).
struct Plain {
    subject: Subject,
}

struct Outcome {
    raws: Vec<Raw>,
    plains: Vec<Plain>,
    taint: BTreeSet<Taint>,
    not_applicable: Option<String>,
    unproven_note: Option<String>,
}

impl Outcome {
    fn new() -> Self {
        Outcome {
            raws: vec![],
            plains: vec![],
            taint: BTreeSet::new(),
            not_applicable: None,
            unproven_note: None,
        }
    }
}

/// What [`Ctx::zone_pairs`] allows from a source zone to a sink zone: `pair(sz, dz)`,
/// and a set `all` that every pair allows (a lower bound, for restricting reaches).
struct Allowed<'a> {
    pair: &'a dyn Fn(&mut Space, usize, usize) -> Bdd,
    all: Bdd,
}

/// What a set of sources reaches: (point, set at its sink) for every point reached, in
/// point order, and the uncertain lines evaluated on the way.
struct Reached {
    sinks: Vec<(usize, Bdd)>,
    taint: Vec<Taint>,
}

impl Reached {
    fn at(&self, point: usize) -> Bdd {
        match self.sinks.binary_search_by_key(&point, |x| x.0) {
            Ok(i) => self.sinks[i].1,
            Err(_) => FALSE,
        }
    }
}

/// Reach results by (source points, injected set).
/// Reach results by (source points, injected set, zone a Linux stack speaks for).
type ReachCache = HashMap<(Vec<usize>, Bdd, Option<usize>), Rc<Reached>>;

/// Taint of the full reaches by (source zones, injected set).
type TaintCache = HashMap<(Vec<usize>, Bdd), Vec<Taint>>;

pub struct Ctx<'a> {
    pub snap: &'a Snapshot,
    pub g: &'a Graph,
    /// Edge points of each zone, in point order.
    zone_points: Vec<Vec<usize>>,
    /// Reach results by (source points, injected set): several rules start from the
    /// same zones with the same injection.
    cache: RefCell<ReachCache>,
    /// Does any edge carry taint? If not, no reach can be tainted.
    any_taint: bool,
    /// Taint of the full reaches from a set of zones: [`Ctx::zones_taint`].
    taint_cache: RefCell<TaintCache>,
}

fn tiers(v: &[String]) -> Vec<Tier> {
    v.iter().filter_map(|s| Tier::parse(s)).collect()
}

impl<'a> Ctx<'a> {
    pub fn new(snap: &'a Snapshot, g: &'a Graph) -> Self {
        let mut zone_points = vec![vec![]; snap.zones.len()];
        for (pi, p) in g.points.iter().enumerate() {
            for &z in &p.zones {
                if zone_points[z].last() != Some(&pi) {
                    zone_points[z].push(pi);
                }
            }
        }
        Ctx {
            snap,
            g,
            zone_points,
            cache: RefCell::new(HashMap::new()),
            any_taint: g.info.iter().any(|i| !i.taint.is_empty()),
            taint_cache: RefCell::new(HashMap::new()),
        }
    }

    fn zone_in(&self, zi: usize, tiers: &[Tier], kinds: &[String], exclude: &[String]) -> bool {
        let z = &self.snap.zones[zi];
        if exclude.contains(&z.kind) && z.tier == Tier::External {
            return false;
        }
        if z.tier == Tier::External && tiers.contains(&Tier::External) {
            return kinds.is_empty() || kinds.contains(&z.kind);
        }
        tiers.contains(&z.tier) || (z.tier == Tier::External && kinds.contains(&z.kind))
    }

    /// Reach from `points` (injecting `inject`), recording taint.
    fn reach_from(
        &self,
        sp: &mut Space,
        points: &[usize],
        inject: Bdd,
        taint: &mut BTreeSet<Taint>,
    ) -> Rc<Reached> {
        self.reach_from_zone(sp, points, inject, None, taint)
    }

    /// As [`Ctx::reach_from`]; with `zone`, a Linux device's own stack (a member of every
    /// zone it has an address in) sends only with source addresses of that zone: it
    /// relays between tiers by design, and what it sends as the other side is judged
    /// with that side's zone.
    fn reach_from_zone(
        &self,
        sp: &mut Space,
        points: &[usize],
        inject: Bdd,
        zone: Option<usize>,
        taint: &mut BTreeSet<Taint>,
    ) -> Rc<Reached> {
        let key = (points.to_vec(), inject, zone);
        if let Some(r) = self.cache.borrow().get(&key) {
            taint.extend(r.taint.iter().cloned());
            return r.clone();
        }
        let sources = self.injected(sp, points, inject, zone);
        let r = Rc::new(self.reach_nodes(sp, &sources));
        taint.extend(r.taint.iter().cloned());
        self.cache.borrow_mut().insert(key, r.clone());
        r
    }

    /// Reach from `(node, injected set)` sources, uncached.
    /// What each of `points` injects for [`Ctx::reach_from_zone`].
    fn injected(
        &self,
        sp: &mut Space,
        points: &[usize],
        inject: Bdd,
        zone: Option<usize>,
    ) -> Vec<(NodeId, Bdd)> {
        points
            .iter()
            .map(|&p| {
                let pt = &self.g.points[p];
                match zone {
                    Some(z) if pt.interface == crate::net::LOCAL => {
                        (pt.src, sp.and(inject, self.q(self.g.q.zone_src[z])))
                    }
                    _ => (pt.src, inject),
                }
            })
            .collect()
    }

    fn reach_nodes(&self, sp: &mut Space, sources: &[(NodeId, Bdd)]) -> Reached {
        let mut seen = BTreeSet::new();
        let reach = self.g.engine.reach_sets(sp, sources, |edge: EdgeId| {
            for t in &self.g.info[edge as usize].taint {
                seen.insert(t.clone());
            }
        });
        Reached {
            sinks: self
                .g
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| (i, reach[p.sink as usize]))
                .filter(|x| x.1 != FALSE)
                .collect(),
            taint: seen.into_iter().collect(),
        }
    }

    fn points_of_zone(&self, zi: usize) -> &[usize] {
        &self.zone_points[zi]
    }

    fn q(&self, id: u32) -> Bdd {
        self.g.engine.query_pred[id as usize]
    }

    fn ports_bdd(&self, sp: &mut Space, ports: &[PortSpec]) -> Bdd {
        let mut b = FALSE;
        for p in ports {
            let x = portspec_bdd(sp, p);
            b = sp.or(b, x);
        }
        b
    }

    fn ep_dst(&self, e: Endpoint) -> Bdd {
        match e {
            Endpoint::Host(h) => self.q(self.g.q.host_dst[h]),
            Endpoint::Zone(z) => self.q(self.g.q.zone_dst[z]),
        }
    }
    fn ep_src(&self, e: Endpoint) -> Bdd {
        match e {
            Endpoint::Host(h) => self.q(self.g.q.host_src[h]),
            Endpoint::Zone(z) => self.q(self.g.q.zone_src[z]),
        }
    }

    pub(crate) fn src_prefs(&self, zi: usize, host: Option<usize>) -> Vec<(Field, u64)> {
        let mut v = vec![];
        if let Some(h) = host {
            let h = &self.snap.hosts[h];
            v.push((Field::SrcIp, u32::from(h.ip) as u64));
            if let Some(m) = h.mac {
                v.push((Field::SrcMac, crate::hs::mac_u64(m)));
            }
        }
        if let Some(n) = self.snap.zones[zi].subnets.first() {
            // A plausible host address inside the source zone.
            v.push((
                Field::SrcIp,
                (u32::from(n.network()) + if n.prefix() < 31 { 10 } else { 0 }) as u64,
            ));
        }
        v
    }

    pub(crate) fn dst_prefs(&self, zi: usize) -> Vec<(Field, u64)> {
        let z = &self.snap.zones[zi];
        let mut v: Vec<(Field, u64)> = self
            .snap
            .hosts
            .iter()
            .filter(|h| h.zone == zi)
            .map(|h| (Field::DstIp, u32::from(h.ip) as u64))
            .collect();
        if let Some(n) = z.subnets.first() {
            if n.prefix() < 31 {
                for k in [10u32, 11, 100] {
                    v.push((Field::DstIp, (u32::from(n.network()) + k) as u64));
                }
            }
        }
        v
    }

    /// For every source zone in `from` and sink zone in `to`: the new flows the sink
    /// receives addressed into that zone, minus `allowed(src_zone, dst_zone)`.
    ///
    /// Without header rewrites an edge only filters, so the reach of `inject ∧ Y` is the
    /// reach of `inject`, ∩ Y, at every node. With Y ⊇ every `zone_dst(dz) ∖ allowed`
    /// judged for the source zone, the violations computed from the restricted reach are
    /// exactly those of the full one; only packets that could violate are propagated (an
    /// internet zone's full reach spans every municipality, its restricted one stops at
    /// the first filter). The taint is that of the full reaches: see [`Ctx::zones_taint`].
    fn zone_pairs(
        &self,
        sp: &mut Space,
        from: &dyn Fn(usize) -> bool,
        to: &dyn Fn(usize) -> bool,
        allowed: Allowed,
        detail: &str,
        out: &mut Outcome,
    ) {
        let Allowed {
            pair: allowed,
            all: allowed_all,
        } = allowed;
        let nz = self.snap.zones.len();
        let inject = self.q(self.g.q.new_flow);
        let sources: Vec<usize> = (0..nz)
            .filter(|&z| from(z) && !self.points_of_zone(z).is_empty())
            .collect();
        let restrict = !self.g.engine.has_rewrites();
        let mut y = FALSE;
        if restrict {
            self.zones_taint(sp, &sources, inject, &mut out.taint);
            for dz in (0..nz).filter(|&z| to(z) && !self.points_of_zone(z).is_empty()) {
                y = sp.or(y, self.q(self.g.q.zone_dst[dz]));
            }
            y = sp.diff(y, allowed_all);
        }
        for sz in sources {
            let pts = self.points_of_zone(sz);
            let reach = if !restrict {
                self.reach_from_zone(sp, pts, inject, Some(sz), &mut out.taint)
            } else if y == FALSE {
                continue;
            } else {
                let inj = sp.and(inject, y);
                // Its taint is part of the zones' taint, added above.
                self.reach_from_zone(sp, pts, inj, Some(sz), &mut BTreeSet::new())
            };
            for dz in (0..nz).filter(|&z| to(z) && z != sz) {
                let zd = self.q(self.g.q.zone_dst[dz]);
                let mut ok = None;
                for &pi in self.points_of_zone(dz) {
                    let p = &self.g.points[pi];
                    let at = reach.at(pi);
                    if at == FALSE || pts.contains(&pi) {
                        continue;
                    }
                    let ok = *ok.get_or_insert_with(|| allowed(sp, sz, dz));
                    let v = sp.and(at, zd);
                    let v = sp.diff(v, ok);
                    if v == FALSE {
                        continue;
                    }
                    out.raws.push(Raw {
                        subject: Subject {
                            src: self.snap.zones[sz].name.clone(),
                            dst: self.snap.zones[dz].name.clone(),
                            flow: None,
                            detail: detail.into(),
                        },
                        viol: v,
                        witness: None,
                        sources: self.injected(sp, pts, inject, Some(sz)),
                        sink: p.sink,
                        prefs: {
                            let mut v = self.src_prefs(sz, None);
                            v.extend(self.dst_prefs(dz));
                            v
                        },
                        src_point: None,
                        dst_point: pi,
                    });
                    break;
                }
            }
        }
    }

    /// The taint of the full reaches from each of `zones` (injecting `inject`), without
    /// computing them one by one: a reach visits the out-edges of every node it reaches,
    /// and the reach from all zones at once reaches exactly the nodes some zone's reach
    /// reaches (every edge's image distributes over union), so its taint is the union.
    fn zones_taint(
        &self,
        sp: &mut Space,
        zones: &[usize],
        inject: Bdd,
        taint: &mut BTreeSet<Taint>,
    ) {
        if !self.any_taint {
            return;
        }
        if let Some(t) = self.taint_cache.borrow().get(&(zones.to_vec(), inject)) {
            taint.extend(t.iter().cloned());
            return;
        }
        let mut sources = vec![];
        for &z in zones {
            sources.extend(self.injected(sp, self.points_of_zone(z), inject, Some(z)));
        }
        let r = self.reach_nodes(sp, &sources);
        taint.extend(r.taint.iter().cloned());
        self.taint_cache
            .borrow_mut()
            .insert((zones.to_vec(), inject), r.taint);
    }
}

fn evaluate_rule(rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome {
    let mut out = Outcome::new();
    let p = &rule.params;
    let snap = cx.snap;
    let from_t = tiers(&p.from);
    let to_t = tiers(&p.to);
    match rule.kind.as_str() {
        "isolation" => {
            let a = |z: usize| cx.zone_in(z, &from_t, &[], &[]);
            let b = |z: usize| cx.zone_in(z, &to_t, &p.to_kinds, &p.exclude_kinds);
            let none = |_: &mut Space, _: usize, _: usize| FALSE;
            cx.zone_pairs(
                sp,
                &a,
                &b,
                Allowed {
                    pair: &none,
                    all: FALSE,
                },
                "isolation",
                &mut out,
            );
            if p.both_ways {
                cx.zone_pairs(
                    sp,
                    &b,
                    &a,
                    Allowed {
                        pair: &none,
                        all: FALSE,
                    },
                    "isolation",
                    &mut out,
                );
            }
        }
        "only-declared-flows" => {
            let declared: &[crate::model::Flow] = if p.declared == "mugaika" {
                &snap.mugaika
            } else {
                &snap.tokutei
            };
            let a = |z: usize| cx.zone_in(z, &from_t, &[], &[]);
            let b = |z: usize| cx.zone_in(z, &to_t, &p.to_kinds, &p.exclude_kinds);
            let exact = p.declared == "mugaika";
            // Declared flows that the tier model forbids outright.
            if !exact {
                for f in declared {
                    let (fz, tz) = (snap.endpoint_zone(f.from), snap.endpoint_zone(f.to));
                    let bad = |z: usize| matches!(snap.zones[z].tier, Tier::Lgwan | Tier::Internet);
                    let mn = |z: usize| snap.zones[z].tier == Tier::Mynumber;
                    if (mn(fz) && bad(tz)) || (mn(tz) && bad(fz)) {
                        out.plains.push(Plain {
                            subject: Subject {
                                src: snap.endpoint_name(f.from).into(),
                                dst: snap.endpoint_name(f.to).into(),
                                flow: Some(f.name.clone()),
                                detail: "tokutei-to-internal-tier".into(),
                            },
                        });
                    }
                }
            }
            let allowed = |sp: &mut Space, sz: usize, dz: usize| {
                let mut acc = FALSE;
                for f in declared {
                    // 無害化 flows must match exactly (source, destination, ports); for
                    // 特定通信 the destination decides, and TOKUTEI-IP/PORT/PATH judge the rest.
                    let (fz, tz) = (snap.endpoint_zone(f.from), snap.endpoint_zone(f.to));
                    let same_dir = if exact {
                        fz == sz
                    } else {
                        snap.zones[fz].tier == snap.zones[sz].tier
                    };
                    if !same_dir || tz != dz {
                        continue;
                    }
                    let x = if exact {
                        let sd = sp.and(cx.ep_src(f.from), cx.ep_dst(f.to));
                        let pb = cx.ports_bdd(sp, &f.ports);
                        sp.and(sd, pb)
                    } else {
                        cx.ep_dst(f.to)
                    };
                    acc = sp.or(acc, x);
                }
                acc
            };
            cx.zone_pairs(
                sp,
                &a,
                &b,
                Allowed {
                    pair: &allowed,
                    all: FALSE,
                },
                &p.declared,
                &mut out,
            );
            if p.both_ways {
                cx.zone_pairs(
                    sp,
                    &b,
                    &a,
                    Allowed {
                        pair: &allowed,
                        all: FALSE,
                    },
                    &p.declared,
                    &mut out,
                );
            }
        }
        "protocol-allowlist" => {
            let specs = if p.allowed.is_empty() {
                snap.lgwan_allowed
                    .clone()
                    .unwrap_or_else(default_lgwan_allowed)
            } else {
                p.allowed
                    .iter()
                    .filter_map(|s| PortSpec::parse(s))
                    .collect()
            };
            let specs = snap.lgwan_allowed.clone().unwrap_or(specs);
            let ok = cx.ports_bdd(sp, &specs);
            let a = |z: usize| cx.zone_in(z, &from_t, &[], &[]);
            let b = |z: usize| cx.zone_in(z, &to_t, &p.to_kinds, &p.exclude_kinds);
            if !(0..snap.zones.len()).any(b) {
                out.not_applicable = Some("no-lgwan-zone".into());
            }
            let allowed = |_: &mut Space, _: usize, _: usize| ok;
            cx.zone_pairs(
                sp,
                &a,
                &b,
                Allowed {
                    pair: &allowed,
                    all: ok,
                },
                "protocol",
                &mut out,
            );
        }
        "flow-tightness" => tightness(rule, cx, sp, &mut out),
        _ => unreachable!("validated kinds"),
    }
    out
}

/// One 特定通信 to check: reach from `sources` injecting `inject`; what arrives at a
/// `dst_points` sink inside `viol_filter` is a finding.
struct Job<'s> {
    t: &'s crate::model::Flow,
    fz: usize,
    tz: usize,
    src_host: Option<usize>,
    dst_points: Vec<usize>,
    sources: Vec<usize>,
    inject: Bdd,
    viol_filter: Bdd,
    detail: &'s str,
}

/// TOKUTEI-PATH reaches, shared: one reach from every edge port per 特定通信 was
/// quadratic. Without header rewrites an edge only filters, so reach is additive in the
/// injected set and never leaves it. Jobs are put in groups whose injections are
/// pairwise disjoint; each group runs one reach in which a source point injects the
/// union of the injections of the group's jobs that start there. At any node, that
/// reach ∩ a job's injection is exactly the job's own reach (the others' parts lie
/// outside it), and the edges visited — hence the taint — are the union of the jobs'.
fn shared_path_reaches(
    cx: &Ctx,
    sp: &mut Space,
    jobs: &[Job],
    taint: &mut BTreeSet<Taint>,
) -> Vec<Option<Rc<Reached>>> {
    let mut groups: Vec<(Bdd, Vec<usize>)> = vec![];
    for (ji, j) in jobs.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|(u, _)| sp.and(*u, j.inject) == FALSE)
        {
            Some((u, members)) => {
                *u = sp.or(*u, j.inject);
                members.push(ji);
            }
            None => groups.push((j.inject, vec![ji])),
        }
    }
    let n = cx.g.points.len();
    let mut res = vec![None; jobs.len()];
    for (union, members) in groups {
        // Points that some member does not start from (its host and destination ports).
        let mut missing: Vec<Vec<usize>> = vec![vec![]; n];
        for &ji in &members {
            let mut it = jobs[ji].sources.iter().peekable();
            for (p, miss) in missing.iter_mut().enumerate() {
                if it.peek() == Some(&&p) {
                    it.next();
                } else {
                    miss.push(ji);
                }
            }
        }
        let mut sources = vec![];
        for (p, miss) in missing.iter().enumerate() {
            let inj = if miss.is_empty() {
                union
            } else {
                let mut acc = FALSE;
                for &ji in members.iter().filter(|ji| !miss.contains(ji)) {
                    acc = sp.or(acc, jobs[ji].inject);
                }
                acc
            };
            if inj != FALSE {
                sources.push((cx.g.points[p].src, inj));
            }
        }
        let r = Rc::new(cx.reach_nodes(sp, &sources));
        taint.extend(r.taint.iter().cloned());
        for ji in members {
            res[ji] = Some(r.clone());
        }
    }
    res
}

/// TOKUTEI-IP / PORT / MAC / PATH: how tightly the network limits each 特定通信.
fn tightness(rule: &Rule, cx: &Ctx, sp: &mut Space, out: &mut Outcome) {
    let snap = cx.snap;
    let g = cx.g;
    if snap.tokutei.is_empty() {
        out.not_applicable = Some("no-tokutei".into());
        return;
    }
    let mut notes = vec![];
    let mut done_dst: BTreeSet<(usize, String)> = BTreeSet::new();
    let mut jobs: Vec<Job> = vec![];
    for t in &snap.tokutei {
        let fz = snap.endpoint_zone(t.from);
        let tz = snap.endpoint_zone(t.to);
        // All declared flows to the same destination.
        let same_dst: Vec<&crate::model::Flow> =
            snap.tokutei.iter().filter(|o| o.to == t.to).collect();
        let mut ports_any = FALSE;
        let mut allowed = FALSE;
        for o in &same_dst {
            let pb = cx.ports_bdd(sp, &o.ports);
            ports_any = sp.or(ports_any, pb);
            let x = sp.and(cx.ep_src(o.from), pb);
            allowed = sp.or(allowed, x);
        }
        let dst = cx.ep_dst(t.to);
        let dst_points: Vec<usize> = cx.points_of_zone(tz).to_vec();
        let src_host = match t.from {
            Endpoint::Host(h) => Some(h),
            Endpoint::Zone(_) => None,
        };
        let host_point = src_host.and_then(|h| g.points.iter().position(|p| p.host == Some(h)));
        let new_flow = cx.q(g.q.new_flow);
        let (sources, inject, viol_filter, detail): (Vec<usize>, Bdd, Bdd, &str) =
            match rule.params.aspect.as_str() {
                "ip" | "port" => {
                    // Once per destination: the rule concerns what reaches it.
                    let key = (tz, format!("{:?}", t.to));
                    if !done_dst.insert(key) {
                        continue;
                    }
                    let src_tier = snap.zones[fz].tier;
                    let pts: Vec<usize> = (0..g.points.len())
                        .filter(|&p| {
                            g.points[p]
                                .zones
                                .iter()
                                .any(|&z| snap.zones[z].tier == src_tier)
                                && !dst_points.contains(&p)
                        })
                        .collect();
                    let filt = if rule.params.aspect == "ip" {
                        let x = sp.and(dst, ports_any);
                        sp.diff(x, allowed)
                    } else {
                        sp.diff(dst, ports_any)
                    };
                    (pts, new_flow, filt, rule.params.aspect.as_str())
                }
                "mac" | "path" => {
                    let Some(h) = src_host else { continue };
                    let Some(hp) = host_point else {
                        notes.push(format!("{}: host-port-unknown", snap.hosts[h].name));
                        continue;
                    };
                    let flow = sp.and(new_flow, cx.ep_src(t.from));
                    let pb = cx.ports_bdd(sp, &t.ports);
                    let flow = sp.and(flow, pb);
                    if rule.params.aspect == "mac" {
                        let Some(mq) = g.q.host_mac[h] else {
                            notes.push(format!("{}: no-mac-registered", snap.hosts[h].name));
                            continue;
                        };
                        (vec![hp], sp.diff(flow, cx.q(mq)), dst, "mac")
                    } else {
                        let pts: Vec<usize> = (0..g.points.len())
                            .filter(|&p| p != hp && !dst_points.contains(&p))
                            .collect();
                        (pts, flow, dst, "path")
                    }
                }
                other => {
                    notes.push(format!("unknown aspect {other}"));
                    continue;
                }
            };
        if sources.is_empty() {
            continue;
        }
        jobs.push(Job {
            t,
            fz,
            tz,
            src_host,
            dst_points,
            sources,
            inject,
            viol_filter,
            detail,
        });
    }
    let shared = if rule.params.aspect == "path" && !g.engine.has_rewrites() {
        shared_path_reaches(cx, sp, &jobs, &mut out.taint)
    } else {
        vec![None; jobs.len()]
    };
    for (j, shared) in jobs.into_iter().zip(shared) {
        let Job {
            t,
            fz,
            tz,
            src_host,
            dst_points,
            sources,
            inject,
            viol_filter,
            detail,
        } = j;
        let reach = match &shared {
            Some(r) => r.clone(),
            None => cx.reach_from(sp, &sources, inject, &mut out.taint),
        };
        for &dp in &dst_points {
            let mut at = reach.at(dp);
            if shared.is_some() {
                at = sp.and(at, inject);
            }
            let v = sp.and(at, viol_filter);
            if v == FALSE {
                continue;
            }
            // For "path", name the spoofing port: the first source that reaches alone.
            let (srcs, src_point) = if detail == "path" || detail == "mac" {
                let sink = g.points[dp].sink as usize;
                let sp_ = sources
                    .iter()
                    .copied()
                    .find(|&s| {
                        let r = g
                            .engine
                            .reach_sets(sp, &[(g.points[s].src, inject)], |_| {});
                        let x = r[sink];
                        sp.and(x, viol_filter) != FALSE
                    })
                    .expect("a union's member reaches");
                (vec![(g.points[sp_].src, inject)], Some(sp_))
            } else {
                (cx.injected(sp, &sources, inject, None), None)
            };
            let mut prefs = vec![];
            if detail == "path" || detail == "mac" {
                let h = &snap.hosts[src_host.expect("host")];
                prefs.push((Field::SrcIp, u32::from(h.ip) as u64));
                if detail == "mac" {
                    // A locally administered address: visibly not the registered MAC.
                    prefs.push((Field::SrcMac, 0x02_00_00_00_00_01));
                }
            }
            prefs.extend(cx.src_prefs(fz, None));
            prefs.extend(cx.dst_prefs(tz));
            out.raws.push(Raw {
                subject: Subject {
                    src: snap.endpoint_name(t.from).into(),
                    dst: snap.endpoint_name(t.to).into(),
                    flow: Some(t.name.clone()),
                    detail: detail.into(),
                },
                viol: v,
                witness: None,
                sources: srcs,
                sink: g.points[dp].sink,
                prefs,
                src_point,
                dst_point: dp,
            });
            break;
        }
    }
    if !notes.is_empty() {
        out.unproven_note = Some(notes.join("; "));
    }
}

pub struct Evaluation {
    pub checks: Vec<CheckResult>,
    pub findings: Vec<Finding>,
}

/// Run every rule that applies to the snapshot's model.
///
/// Rules run one after another on the engine's BDD space, sharing reach results (most
/// rules start from the same zones); cloning the space per parallel worker cost more
/// than it saved on 2 cores. A witness depends only on the violating set, so results
/// are deterministic. Paths are drawn afterwards.
pub fn evaluate(rules: &[Rule], snap: &Snapshot, g: &mut Graph) -> Evaluation {
    let mut sp = std::mem::take(&mut g.engine.space);
    let outcomes: Vec<(usize, Outcome)> = {
        let cx = Ctx::new(snap, g);
        rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.models.contains(&snap.model))
            .map(|(i, r)| {
                let mut o = evaluate_rule(r, &cx, &mut sp);
                for raw in &mut o.raws {
                    let mut prefs = raw.prefs.clone();
                    prefs.extend(Space::default_prefs());
                    raw.witness = Some(sp.witness(raw.viol, &prefs).expect("non-empty violation"));
                }
                (i, o)
            })
            .collect()
    };
    g.engine.space = sp;
    let mut checks = vec![];
    let mut findings = vec![];
    let file_taint: Vec<Taint> = snap
        .file_errors
        .iter()
        .map(|e| Taint {
            file: e.file.clone(),
            line: e.line,
            text: String::new(),
            reason: e.message.clone(),
        })
        .collect();
    for (i, o) in outcomes {
        let r = &rules[i];
        let mut fs = vec![];
        for p in o.plains {
            fs.push(Finding {
                rule: r.id.clone(),
                severity: r.severity.clone(),
                clause: r.clause.clone(),
                subject: p.subject,
                witness: None,
                delivered: None,
                path: vec![],
                src_point: None,
                dst_point: None,
            });
        }
        for raw in o.raws {
            fs.push(draw(r, raw, g));
        }
        fs.sort_by(|a, b| a.subject.cmp(&b.subject));
        let mut taint: Vec<Taint> = o.taint.into_iter().collect();
        taint.extend(file_taint.iter().cloned());
        let status = if !fs.is_empty() {
            Status::Violated
        } else if !taint.is_empty() || o.unproven_note.is_some() {
            Status::Unproven
        } else if o.not_applicable.is_some() {
            Status::NotApplicable
        } else {
            Status::Pass
        };
        checks.push(CheckResult {
            rule: r.id.clone(),
            status,
            unproven_by: taint,
            note: o.unproven_note.or(o.not_applicable),
        });
        findings.extend(fs);
    }
    Evaluation { checks, findings }
}

/// The hop-by-hop path of a drawn witness, with config lines. Across NAT (or a router
/// giving the frame its own MAC) the path is searched backwards from the witness as it
/// arrives, which recovers the packet actually sent.
fn draw(r: &Rule, raw: Raw, g: &mut Graph) -> Finding {
    let w = raw.witness.clone().expect("witness drawn");
    let (start, steps) = if g.engine.has_rewrites() {
        let mut prefs = raw.prefs.clone();
        prefs.extend(Space::default_prefs());
        let mut space = std::mem::take(&mut g.engine.space);
        let r = g
            .engine
            .witness_path(&mut space, &raw.sources, raw.sink, &w, &prefs);
        g.engine.space = space;
        r.expect("witness reaches the sink")
    } else {
        // Nothing changes on the way: the sources that inject the witness itself.
        let srcs: Vec<NodeId> = raw
            .sources
            .iter()
            .filter(|(_, b)| g.engine.space.contains(*b, &w))
            .map(|s| s.0)
            .collect();
        let (start, edges) = g
            .engine
            .path_packet(&srcs, &w, raw.sink)
            .expect("witness reaches the sink");
        (start, edges.into_iter().map(|e| (e, w.clone())).collect())
    };
    let sent = steps.first().map_or_else(|| w.clone(), |s| s.1.clone());
    let src_point = raw
        .src_point
        .or_else(|| g.points.iter().position(|p| p.src == start));
    let hops = crate::net::path::hops_seq(g, &steps);
    let pt = |i: usize| format!("{}:{}", g.points[i].device, g.points[i].interface);
    Finding {
        rule: r.id.clone(),
        severity: r.severity.clone(),
        clause: r.clause.clone(),
        subject: raw.subject,
        delivered: (sent != w).then_some(w),
        witness: Some(sent),
        path: hops,
        src_point: src_point.map(pt),
        dst_point: Some(pt(raw.dst_point)),
    }
}

/// docs/rules.md, generated from the rule pack (a test keeps the file current).
pub fn markdown(rules: &[Rule]) -> String {
    let mut o = String::from(
        "# Rules\n\nGenerated from `rules/*.toml` (`sanso rules --markdown`). Do not edit by hand.\n",
    );
    for r in rules {
        o.push_str(&format!(
            "\n## {} — {}\n\n{}\n\n- 条項 / clause: {}\n- severity: {}\n- kind: `{}`\n- models: {}\n\n{}\n\n{}\n\n対処 / remediation: {} / {}\n",
            r.id,
            r.title_ja,
            r.title_en,
            r.clause,
            r.severity,
            r.kind,
            r.models.join(", "),
            r.rationale_ja,
            r.rationale_en,
            r.remediation_ja,
            r.remediation_en
        ));
        if !r.example.is_empty() {
            o.push_str("\nExamples:\n");
            for e in &r.example {
                o.push_str(&format!("- `{}` → {}\n", e.snapshot, e.expect));
            }
        }
    }
    o
}

//! The rule pack and its evaluation. A rule is a folder (`rules/<ID>/rule.toml`, embedded
//! at build time) naming an evaluator kind (`kinds/`) with parameters. Evaluators only
//! combine reachability answers from the engine — they never read config text.
//!
//! Evaluation runs in two phases: every rule computes exact violating header sets with
//! set reachability (`Engine::reach_sets`) and draws its witnesses; paths are then drawn,
//! so output order and content are deterministic.

pub mod audit;
mod cause;
mod ctx;
pub mod kinds;
pub mod manual;

use ctx::Raw;
pub use ctx::{Ctx, Outcome};

use crate::engine::EdgeId;
use crate::engine::NodeId;
use crate::hs::{Packet, Space};
use crate::model::{PortSpec, Snapshot};
pub use crate::net::path::Hop;
use crate::net::{Graph, Taint, TaintReach};
pub use manual::{manual_for, ManualItem, MANUAL};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    /// What changes in a model (`[model.alpha-prime]` …): kind, severity, clause and
    /// parameters (merged key by key over `[params]`), with a note for docs/rules.md.
    /// Resolved by [`Rule::in_model`]; a model absent from `models` does not run the rule.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub model: BTreeMap<String, ModelOverride>,
    #[serde(default)]
    pub example: Vec<Example>,
}

/// The models a snapshot may declare (sanso.toml `model`).
pub const MODELS: &[&str] = &["alpha", "alpha-prime", "beta", "beta-prime"];

/// One model's changes to a rule (see docs/models.md).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ModelOverride {
    pub kind: Option<String>,
    pub severity: Option<String>,
    pub clause: Option<String>,
    /// What the model changes and why, one sentence (docs/rules.md).
    #[serde(default)]
    pub note: String,
    /// Keys replacing those of `[params]`.
    #[serde(default)]
    pub params: toml::Table,
}

impl Rule {
    /// The rule as it runs under `model` (its overrides applied), or None when the rule
    /// does not apply in that model. Overrides were validated when the pack loaded.
    pub fn in_model(&self, model: &str) -> Option<Rule> {
        if !self.models.iter().any(|m| m == model) {
            return None;
        }
        let mut r = self.clone();
        r.model = BTreeMap::new();
        let Some(o) = self.model.get(model) else {
            return Some(r);
        };
        if let Some(k) = &o.kind {
            r.kind = k.clone();
        }
        if let Some(s) = &o.severity {
            r.severity = s.clone();
        }
        if let Some(c) = &o.clause {
            r.clause = c.clone();
        }
        r.params = merge_params(&self.params, &o.params).ok()?;
        Some(r)
    }
}

/// `[params]` with the keys of an override replaced.
fn merge_params(base: &Params, over: &toml::Table) -> Result<Params, String> {
    let mut t = toml::Table::try_from(base).map_err(|e| e.to_string())?;
    for (k, v) in over {
        t.insert(k.clone(), v.clone());
    }
    t.try_into()
        .map_err(|e: toml::de::Error| e.message().to_string())
}

/// The rules that run under `model`, resolved ([`Rule::in_model`]), in pack order.
pub fn for_model(rules: &[Rule], model: &str) -> Vec<Rule> {
    rules.iter().filter_map(|r| r.in_model(model)).collect()
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
    /// External zone kinds counted on the source side (for `from` containing "external"
    /// these restrict).
    #[serde(default)]
    pub from_kinds: Vec<String>,
    /// Host roles (sanso.toml `role`): the sources (or subjects) are the hosts of these
    /// roles in the `from` tiers instead of whole zones.
    #[serde(default)]
    pub roles: Vec<String>,
    /// For no-egress: the destination of every [[tokutei]] is a source as well.
    #[serde(default)]
    pub tokutei_dest: bool,
    /// For no-egress: which destination addresses count — "" (addressed into the sink
    /// zone) or "from-tiers" (addressed into a zone of the `from` tiers: internal traffic
    /// leaving by the sink).
    #[serde(default)]
    pub dst: String,
    /// The finding sentence (one of the kind's message details) for kinds with several.
    #[serde(default)]
    pub detail: String,
    /// Severity of the lesser findings of kinds that grade them (sticky learning, tiers
    /// separated by ACLs on a shared device, unused objects: "info" findings never make a
    /// check violated).
    #[serde(default)]
    pub minor_severity: String,
    /// For only-declared-flows with `declared = "mugaika"`: only the declared paths of
    /// these methods open flows (empty: every method).
    #[serde(default)]
    pub methods: Vec<String>,
    /// For only-declared-flows: only declared flows opened from these tiers count (empty:
    /// any), e.g. α' screen transfer into マイナンバー利用事務系 from LGWAN接続系 only.
    #[serde(default)]
    pub declared_from: Vec<String>,
    /// For only-declared-flows with `declared = "mugaika"`: a 特定通信 declared from a host
    /// of these roles opens its flow too, matched as exactly as a 無害化 path (source,
    /// destination, ports): the guideline's exception for J-ALERT-like systems joined to
    /// both LGWAN接続系 and the Internet behind a firewall (3.(4)⑧).
    #[serde(default)]
    pub tokutei_roles: Vec<String>,
    /// For role-presence: subjects in these tiers are the lesser finding
    /// (`minor_severity`), e.g. wireless in LGWAN接続系 under α'.
    #[serde(default)]
    pub minor_from: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The example snapshot, relative to the rule's folder (`rules/<ID>/`), e.g.
    /// `examples/pass`.
    pub snapshot: String,
    pub expect: String,
    /// The model the example's sanso.toml declares (default alpha): a model-specific
    /// behaviour is shown by examples of that model.
    #[serde(default = "default_model")]
    pub model: String,
}

fn default_model() -> String {
    "alpha".into()
}

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct RuleError {
    pub file: String,
    pub message: String,
}

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
    let Some(kind) = kinds::by_id(&r.kind) else {
        let known: Vec<&str> = kinds::KINDS.iter().map(|k| k.id()).collect();
        return Err(RuleError {
            file: file.into(),
            message: format!("unknown kind {} ({})", r.kind, known.join(" | ")),
        });
    };
    kind.check_params(&r.params).map_err(|message| RuleError {
        file: file.into(),
        message,
    })?;
    // `file:line` of a model's table (or of the rule when it cannot be found).
    let at = |m: &str| {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with(&format!("[model.{m}")))
            .map_or(1, |i| i + 1);
        format!("{file}:{line}")
    };
    for m in r.models.iter().chain(r.example.iter().map(|e| &e.model)) {
        if !MODELS.contains(&m.as_str()) {
            return Err(RuleError {
                file: file.into(),
                message: format!("unknown model {m:?} ({})", MODELS.join(" | ")),
            });
        }
    }
    for (m, o) in &r.model {
        if !MODELS.contains(&m.as_str()) {
            return Err(RuleError {
                file: at(m),
                message: format!("unknown model {m:?} ({})", MODELS.join(" | ")),
            });
        }
        if !r.models.contains(m) {
            return Err(RuleError {
                file: at(m),
                message: format!("[model.{m}] changes a rule that is not in models"),
            });
        }
        if let Some(s) = &o.severity {
            if !SEVERITIES.contains(&s.as_str()) {
                return Err(RuleError {
                    file: at(m),
                    message: format!(
                        "model {m}: severity {s:?} is not {}",
                        SEVERITIES.join(" | ")
                    ),
                });
            }
        }
        let kid = o.kind.as_deref().unwrap_or(&r.kind);
        let Some(k) = kinds::by_id(kid) else {
            return Err(RuleError {
                file: at(m),
                message: format!("model {m}: unknown kind {kid}"),
            });
        };
        let p = merge_params(&r.params, &o.params).map_err(|e| RuleError {
            file: at(m),
            message: format!("model {m}: params: {e}"),
        })?;
        k.check_params(&p).map_err(|e| RuleError {
            file: at(m),
            message: format!("model {m}: {e}"),
        })?;
    }
    Ok(r)
}

/// A hash of the rule pack (for manifests): FNV-1a over the embedded files.
/// The compiled date of data/kev.toml (KNOWN-EXPLOITED-VERSION's table), for reports.
pub fn kev_compiled() -> String {
    kinds::known_exploited::kev().compiled.clone()
}

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

/// Whether a rule judges subjects across the parts of a split run (`--part K/N`), so
/// one part must run it on the whole snapshot: 特定通信 tightness (every source of the
/// source's tier, anywhere, towards the destination; what all entries declare) and
/// rules from shared external zones to shared external zones (住基ネット → the
/// Internet: every part's devices may carry it). Every other rule judges a subject
/// only over the part that holds its zone, device or flow.
pub fn spans_parts(r: &Rule) -> bool {
    let ext = |v: &[String]| v.iter().any(|t| t == "external");
    r.kind == "flow-tightness"
        || r.params.tokutei_dest
        || (ext(&r.params.from) && ext(&r.params.to))
}

/// The services the checks will ask the graph about (registered as queries when it is
/// built): each rule's kind says which.
pub fn query_ports(rules: &[Rule], snap: &Snapshot) -> Vec<PortSpec> {
    rules
        .iter()
        .filter_map(|r| kinds::by_id(&r.kind).map(|k| k.ports(&r.params, snap)))
        .flatten()
        .collect()
}

pub fn default_lgwan_allowed() -> Vec<PortSpec> {
    [
        "udp/53", "tcp/53", "udp/123", "tcp/25", "tcp/80", "tcp/443", "tcp/389", "tcp/636",
    ]
    .iter()
    .filter_map(|s| PortSpec::parse(s))
    .collect()
}

/// Severities a rule (or a model's override) may carry.
pub const SEVERITIES: &[&str] = &["critical", "high", "warning"];

/// The severity of findings that are listed but never make a check violated.
pub const INFO: &str = "info";

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
    /// Lines not understood on the witness's path (in path order, each once): they
    /// could stop this packet, so the finding says so (`report::CAVEAT_CITED` cited).
    pub may_be_stopped_by: Vec<Taint>,
    /// Conditions beyond headers (App-ID, User-ID) of the policies on the witness's path:
    /// the packet is admitted only if they hold (the model assumed they do).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub admitted_if: Vec<String>,
    /// The lines that let the violating traffic in where it leaves the source's tier,
    /// deciding line first (`file:line`; see `cause.rs`). Empty when not drawn from a path.
    pub cause: Vec<String>,
    /// Further subjects the same cause lets through, each with its own witness.
    pub also: Vec<Affected>,
}

/// Another subject (zone pair) of a finding's cause.
#[derive(Clone, Debug, Serialize)]
pub struct Affected {
    pub subject: Subject,
    pub witness: Option<Packet>,
    pub delivered: Option<Packet>,
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
    /// What `note` and `status` were made of, for joining parts (`sanso merge`).
    #[serde(skip)]
    pub parts: NoteParts,
}

/// The pieces of a check's note: the kind's unproven note, internal inconsistencies
/// and the reason it does not apply.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteParts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unproven: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internal: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
}

impl NoteParts {
    /// The check's note, as the evaluation writes it.
    pub fn note(&self) -> Option<String> {
        if self.internal.is_empty() {
            self.unproven.clone().or(self.not_applicable.clone())
        } else {
            Some(
                self.unproven
                    .iter()
                    .chain(&self.internal)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        }
    }

    /// The check's status, given whether it has a finding that is not `info` and
    /// whether any line makes it unproven.
    pub fn status(&self, violated: bool, tainted: bool) -> Status {
        if violated {
            Status::Violated
        } else if tainted || self.unproven.is_some() || !self.internal.is_empty() {
            Status::Unproven
        } else if self.not_applicable.is_some() {
            Status::NotApplicable
        } else {
            Status::Pass
        }
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
    evaluate_with(rules, snap, g, &mut |_, _| {})
}

/// [`evaluate`], calling `on_check(done, total)` after each check that applies.
pub fn evaluate_with(
    rules: &[Rule],
    snap: &Snapshot,
    g: &mut Graph,
    on_check: &mut dyn FnMut(usize, usize),
) -> Evaluation {
    let mut sp = g.take_space();
    let total = rules
        .iter()
        .filter(|r| r.models.contains(&snap.model))
        .count();
    let mut done = 0;
    let outcomes: Vec<(usize, Outcome)> = {
        let cx = Ctx::new(snap, g);
        rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.models.contains(&snap.model))
            .inspect(|_| {
                on_check(done, total);
                done += 1;
            })
            .map(|(i, r)| {
                let Some(kind) = kinds::by_id(&r.kind) else {
                    // Kinds are checked when the pack loads.
                    let mut o = Outcome::new();
                    o.internal
                        .push(format!("internal: unknown kind {}", r.kind));
                    return (i, o);
                };
                let mut o = kind.evaluate(r, &cx, &mut sp);
                let mut internal = vec![];
                o.raws.retain_mut(|raw| {
                    let mut prefs = raw.prefs.clone();
                    prefs.extend(Space::default_prefs());
                    raw.witness = sp.witness(raw.viol, &prefs);
                    if raw.witness.is_none() {
                        internal.push(format!(
                            "internal: empty violating set for {}",
                            subject_text(&raw.subject)
                        ));
                    }
                    raw.witness.is_some()
                });
                o.internal.extend(internal);
                (i, o)
            })
            .collect()
    };
    on_check(total, total);
    g.put_space(sp);
    let taints: Vec<BTreeSet<Taint>> = {
        let rel = Relevance::new(g);
        outcomes
            .iter()
            .map(|(_, o)| {
                let mut t = rel.taint(&o.taint, &o.sinks);
                for (edges, sinks) in &o.taint_groups {
                    t.extend(rel.taint(edges, sinks));
                }
                t
            })
            .collect()
    };
    let mut checks = vec![];
    let mut findings = vec![];
    let tiers = cause::Tiers::new(snap, g);
    let file_taint: Vec<Taint> = snap
        .file_errors
        .iter()
        .map(|e| Taint::new(e.file.clone(), e.line, String::new(), e.message.clone()))
        .collect();
    for ((i, o), check_taint) in outcomes.into_iter().zip(taints) {
        let r = &rules[i];
        let mut fs = vec![];
        for p in o.plains {
            fs.push(Finding {
                rule: r.id.clone(),
                severity: if p.minor {
                    r.params.minor_severity.clone()
                } else {
                    r.severity.clone()
                },
                clause: r.clause.clone(),
                subject: p.subject,
                witness: None,
                delivered: None,
                path: p.evidence,
                src_point: None,
                dst_point: None,
                may_be_stopped_by: vec![],
                cause: vec![],
                also: vec![],
                admitted_if: vec![],
            });
        }
        let mut internal = o.internal;
        for raw in o.raws {
            match draw(r, raw, g) {
                Ok(f) => fs.push(f),
                Err(e) => internal.push(e),
            }
        }
        fs.sort_by(|a, b| a.subject.cmp(&b.subject));
        let first = kinds::by_id(&r.kind)
            .map(|k| k.decided_by(&r.params))
            .unwrap_or(&[]);
        let fs = cause::group(fs, snap, &tiers, first);
        let mut taint: Vec<Taint> = check_taint.into_iter().collect();
        taint.extend(file_taint.iter().cloned());
        let parts = NoteParts {
            unproven: o.unproven_note,
            internal,
            not_applicable: o.not_applicable,
        };
        // Informational findings (unused objects) are listed, never a violation.
        let status = parts.status(fs.iter().any(|f| f.severity != INFO), !taint.is_empty());
        checks.push(CheckResult {
            rule: r.id.clone(),
            status,
            unproven_by: taint,
            note: parts.note(),
            parts,
        });
        findings.extend(fs);
    }
    Evaluation { checks, findings }
}

/// Which tainted edges concern a check: those whose line could still carry the check's
/// packets to one of its sinks ([`crate::net::TaintReach`]). "Could" is structural (any
/// edge, whatever its predicate), so the answer over-approximates: never a line dropped
/// that might matter.
struct Relevance<'g> {
    g: &'g Graph,
    /// Closure (nodes that structurally reach one of the sinks) by sink set.
    closures: std::cell::RefCell<HashMap<Vec<NodeId>, std::rc::Rc<Vec<bool>>>>,
}

impl<'g> Relevance<'g> {
    fn new(g: &'g Graph) -> Self {
        Relevance {
            g,
            closures: Default::default(),
        }
    }

    fn closure(&self, sinks: &BTreeSet<NodeId>) -> std::rc::Rc<Vec<bool>> {
        let key: Vec<NodeId> = sinks.iter().copied().collect();
        if let Some(c) = self.closures.borrow().get(&key) {
            return c.clone();
        }
        let mut seen = vec![false; self.g.engine.node_count()];
        let mut stack: Vec<NodeId> = key.clone();
        for &n in &key {
            seen[n as usize] = true;
        }
        while let Some(n) = stack.pop() {
            for &e in self.g.engine.edges_into(n) {
                let from = self.g.engine.edges[e as usize].0;
                if !seen[from as usize] {
                    seen[from as usize] = true;
                    stack.push(from);
                }
            }
        }
        let c = std::rc::Rc::new(seen);
        self.closures.borrow_mut().insert(key, c.clone());
        c
    }

    /// The lines of the tainted `edges` that concern a check judging at `sinks`.
    fn taint(&self, edges: &BTreeSet<EdgeId>, sinks: &BTreeSet<NodeId>) -> BTreeSet<Taint> {
        let all = || {
            edges
                .iter()
                .flat_map(|&e| self.g.info[e as usize].taint.iter().cloned())
                .collect()
        };
        if sinks.is_empty() || edges.is_empty() {
            return all();
        }
        let c = self.closure(sinks);
        let mut out = BTreeSet::new();
        let mut dev_ok: HashMap<&str, bool> = HashMap::new();
        for &e in edges {
            let info = &self.g.info[e as usize];
            let head = self.g.engine.edges[e as usize].1;
            for t in &info.taint {
                let keep = match (t.reach, &info.device) {
                    (TaintReach::Always, _) => true,
                    (TaintReach::Edge, _) | (TaintReach::Device, None) => c[head as usize],
                    (TaintReach::Device, Some(d)) => {
                        *dev_ok.entry(d.as_str()).or_insert_with(|| {
                            self.g
                                .device_nodes
                                .get(d.as_str())
                                .is_some_and(|ns| ns.iter().any(|&n| c[n as usize]))
                        })
                    }
                };
                if keep {
                    out.insert(t.clone());
                }
            }
        }
        out
    }
}

/// The hop-by-hop path of a drawn witness, with config lines. Across NAT (or a router
/// giving the frame its own MAC) the path is searched backwards from the witness as it
/// arrives, which recovers the packet actually sent.
/// An internal inconsistency (a witness the path search cannot re-derive) is an `Err`
/// naming it: the caller makes the check `unproven` unless other findings stand.
fn draw(r: &Rule, raw: Raw, g: &mut Graph) -> Result<Finding, String> {
    let fail = |what: &str, raw: &Raw| {
        format!(
            "internal: {what} for {} (witness {})",
            subject_text(&raw.subject),
            raw.witness
                .as_ref()
                .map_or_else(|| "none".into(), |w| format!("{} → {}", w.src_ip, w.dst_ip))
        )
    };
    let Some(w) = raw.witness.clone() else {
        return Err(fail("no witness drawn", &raw));
    };
    let (start, steps) = if g.engine.has_rewrites() {
        let mut prefs = raw.prefs.clone();
        prefs.extend(Space::default_prefs());
        let mut space = g.take_space();
        let found = g
            .engine
            .witness_path(&mut space, &raw.sources, raw.sink, &w, &prefs);
        g.put_space(space);
        match found {
            Some(x) => x,
            None => return Err(fail("witness path not found", &raw)),
        }
    } else {
        // Nothing changes on the way: the sources that inject the witness itself.
        let srcs: Vec<NodeId> = raw
            .sources
            .iter()
            .filter(|(_, b)| g.space().contains(*b, &w))
            .map(|s| s.0)
            .collect();
        let Some((start, edges)) = g.engine.path_packet(&srcs, &w, raw.sink) else {
            return Err(fail("witness path not found", &raw));
        };
        (start, edges.into_iter().map(|e| (e, w.clone())).collect())
    };
    let sent = steps.first().map_or_else(|| w.clone(), |s| s.1.clone());
    let src_point = raw
        .src_point
        .or_else(|| g.points.iter().position(|p| p.src == start));
    let hops = crate::net::path::hops_seq(g, &steps);
    let mut may_be_stopped_by: Vec<Taint> = vec![];
    let mut seen = std::collections::HashSet::new();
    for (e, _) in &steps {
        for t in &g.info[*e as usize].taint {
            if seen.insert(t.clone()) {
                may_be_stopped_by.push(t.clone());
            }
        }
    }
    let mut admitted_if: Vec<String> = vec![];
    if !g.conditions.is_empty() {
        for (e, pkt) in &steps {
            let info = &g.info[*e as usize];
            let piece = info
                .pieces
                .iter()
                .find(|(b, _)| g.space().contains(*b, pkt));
            for sp in piece.map(|p| p.1.as_slice()).unwrap_or_default() {
                if let Some(c) = g.conditions.get(sp) {
                    if !admitted_if.contains(c) {
                        admitted_if.push(c.clone());
                    }
                }
            }
        }
    }
    let pt = |i: usize| format!("{}:{}", g.points[i].device, g.points[i].interface);
    Ok(Finding {
        rule: r.id.clone(),
        severity: r.severity.clone(),
        clause: r.clause.clone(),
        subject: raw.subject,
        delivered: (sent != w).then_some(w),
        witness: Some(sent),
        path: hops,
        src_point: src_point.map(pt),
        dst_point: Some(pt(raw.dst_point)),
        may_be_stopped_by,
        cause: vec![],
        also: vec![],
        admitted_if,
    })
}

/// A subject as plain text for internal notes.
fn subject_text(s: &Subject) -> String {
    match &s.flow {
        Some(f) => format!("{} → {} [{f}] ({})", s.src, s.dst, s.detail),
        None => format!("{} → {} ({})", s.src, s.dst, s.detail),
    }
}

/// docs/rules.md, generated from the rule pack (a test keeps the file current).
pub fn markdown(rules: &[Rule]) -> String {
    let mut o = String::from(
        "# Rules\n\nGenerated from `rules/<ID>/rule.toml` (`sanso rules --markdown`). Do not edit by hand.\n",
    );
    o.push_str(&model_table(rules));
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
        if !r.model.is_empty() {
            o.push_str("\nBy model:\n");
            for (m, ov) in &r.model {
                o.push_str(&format!("- {}: {}\n", model_label(m), ov.note));
            }
        }
        if !r.example.is_empty() {
            o.push_str("\nExamples:\n");
            for e in &r.example {
                // Example paths are relative to the rule folder.
                let model = if e.model == "alpha" {
                    String::new()
                } else {
                    format!(" (model {})", e.model)
                };
                o.push_str(&format!(
                    "- `rules/{}/{}`{model} → {}\n",
                    r.id, e.snapshot, e.expect
                ));
            }
        }
    }
    o
}

/// α, α', β, β' for `alpha` … (the guideline's names).
pub fn model_label(m: &str) -> &str {
    match m {
        "alpha" => "α",
        "alpha-prime" => "α'",
        "beta" => "β",
        "beta-prime" => "β'",
        x => x,
    }
}

/// The check × model table of docs/rules.md: each cell the severity, evaluator kind and
/// clause the check runs with in that model (see docs/models.md for why), or that it does
/// not run.
fn model_table(rules: &[Rule]) -> String {
    let mut o = String::from(
        "\n## Checks by model\n\nWhat each check runs with under the snapshot's `model` (sanso.toml); \
         what each model changes and the guideline text behind it: docs/models.md. A cell \
         marked ★ differs from α.\n\n| check |",
    );
    for m in MODELS {
        o.push_str(&format!(" {} |", model_label(m)));
    }
    o.push_str("\n|---|");
    o.push_str(&"---|".repeat(MODELS.len()));
    o.push('\n');
    let cell = |t: &str| t.replace('|', "\\|");
    for r in rules {
        o.push_str(&format!("| {} |", r.id));
        let alpha = r.in_model("alpha");
        for m in MODELS {
            match r.in_model(m) {
                Some(x) => {
                    let changed = alpha.as_ref().is_none_or(|a| {
                        a.severity != x.severity
                            || a.kind != x.kind
                            || a.clause != x.clause
                            || toml::to_string(&a.params).ok() != toml::to_string(&x.params).ok()
                    });
                    o.push_str(&format!(
                        " {}{} · `{}` · {} |",
                        if changed { "★ " } else { "" },
                        x.severity,
                        x.kind,
                        cell(&x.clause)
                    ));
                }
                None => o.push_str(" — (not run) |"),
            }
        }
        o.push('\n');
    }
    o
}

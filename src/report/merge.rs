//! Split runs: what a part's report carries besides the report (`part`, the facts), and
//! `sanso merge`, which joins the parts' reports into the report of the whole run, byte
//! for byte.
//!
//! Why the join is exact. The parts are unions of components that meet only at the
//! shared external zones (`model::part`), so a packet from one part's zones never
//! crosses another part's devices, and every device, internal zone, host, declared flow
//! and link belongs to one part:
//!
//! * `parse`: one entry per file of the part's devices; file errors are global (every
//!   part has them: kept once). Sorted by file, as the whole run sorts.
//! * `findings`: a subject (zone pair, flow, device, port) lives in the part of its
//!   zones or device, its violating set is the same there (the reach cannot leave the
//!   part) and so is its witness, path and cause (causes are lines of one device, so
//!   groups never span parts). The whole run lists a rule's findings by subject; so does
//!   the join. A subject whose both ends are shared external zones (TOKUTEI-DEST-NO-
//!   INTERNET: 住基ネット → the Internet) is judged in every part: when two parts find it,
//!   its whole-run witness is drawn from the union of their sets and cannot be joined —
//!   merge refuses (exit 2) rather than guess.
//! * `checks`: status and note are recomputed from the parts' pieces ([`NoteParts`]):
//!   unproven-by lines are the union (the whole run's set, in its order, then the file
//!   errors); "not applicable" holds when it holds in every part; a zone located nowhere
//!   is one no part places; counts are sums. Combinations the pieces cannot decide
//!   (two parts with other unproven notes or internal notes; parts not applicable for
//!   different reasons) are refused, never guessed.
//! * `inferred_links`: in the whole snapshot's link order (each part says its indices).

use super::{CheckOut, TAINT_CITED};
use crate::checks::audit::Audit;
use crate::checks::{NoteParts, Status, INFO};
use crate::model::part::Share;
use crate::net::{Taint, TaintReach};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, BTreeSet};

/// What a part's report says for `sanso merge` (the `part` member; absent in a whole run).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartFacts {
    /// `K` and `N` of `--part K/N`; both 0 for `--select` and `--spanning` runs.
    pub index: usize,
    pub count: usize,
    /// SHA-256 over the snapshot's inputs and their hashes (the same in every part).
    pub inputs: String,
    /// Components of the snapshot, and how many this part audited.
    pub components: usize,
    pub own_components: usize,
    /// The zones of the part (every shared external zone, the part's own), in order.
    pub zones: Vec<ZoneFact>,
    /// Whole-snapshot index of each entry of `inferred_links`.
    pub links: Vec<usize>,
    /// Unproven-by lines of every check that come from file errors (global).
    pub file_taint: Vec<TaintFact>,
    pub checks: Vec<CheckFacts>,
    /// Per entry of `findings`: the subject's detail key and those of its `also`.
    pub findings: Vec<FindingFact>,
    /// Rules that span parts: part 1 ran them on the whole snapshot and its report has
    /// their checks and findings as the whole run's; the other parts do not run them.
    #[serde(default)]
    pub global_rules: Vec<String>,
    /// `--select` and `--spanning` runs: what the run audited (absent for `--part`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<SelectFacts>,
}

/// A run of `--select PREFIX,…` (or `--spanning`): merge checks that the runs audit
/// every component once, and that one `--spanning` run judged the rules that span parts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SelectFacts {
    /// `--spanning`: the rules that span parts, no component.
    pub spanning: bool,
    pub prefixes: Vec<String>,
    /// Whole-snapshot indices of the components audited, ascending.
    pub components: Vec<usize>,
}

impl PartFacts {
    /// How messages name the run: `part 2/5`, `--select c001-`, `--spanning`.
    fn label(&self) -> String {
        match &self.select {
            None => format!("part {}/{}", self.index, self.count),
            Some(s) if s.spanning => "--spanning".into(),
            Some(s) => format!("--select {}", s.prefixes.join(",")),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ZoneFact {
    pub name: String,
    /// Index in the whole snapshot's zones.
    pub index: usize,
    pub shared: bool,
    /// Whether the part's graph places it anywhere.
    pub located: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaintFact {
    pub file: String,
    pub line: u32,
    pub text: String,
    pub reason: String,
    pub reach: TaintReach,
}

impl TaintFact {
    fn of(t: &Taint) -> TaintFact {
        TaintFact {
            file: t.file.clone(),
            line: t.line,
            text: t.text.clone(),
            reason: t.reason.clone(),
            reach: t.reach,
        }
    }
    fn taint(&self) -> Taint {
        Taint::scoped(
            self.file.clone(),
            self.line,
            self.text.clone(),
            self.reason.clone(),
            self.reach,
        )
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckFacts {
    pub rule: String,
    /// Every unproven-by line but the file errors' (all of them, not only the cited).
    pub taint: Vec<TaintFact>,
    pub notes: NoteParts,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FindingFact {
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
}

/// The position of a rule in the pack's order, for a part's audit and its designated
/// whole-snapshot audit together.
pub(super) fn rule_position(a: &Audit) -> impl Fn(&str) -> (u32, String) + '_ {
    let global = a.part.as_ref().and_then(|p| p.global.as_deref());
    move |id: &str| {
        let r = a
            .rules
            .iter()
            .chain(global.iter().flat_map(|g| g.rules.iter()))
            .find(|r| r.id == id);
        (r.map_or(u32::MAX, |r| r.order), id.to_string())
    }
}

/// The facts of a part run, `None` for a whole run.
pub(super) fn facts(a: &Audit) -> Option<PartFacts> {
    let p = a.part.as_ref()?;
    // Findings in the order of the report (see `Audit::report`).
    let pos = rule_position(a);
    let mut all: Vec<&crate::checks::Finding> = a.eval.findings.iter().collect();
    if let Some(g) = p.global.as_deref() {
        all.extend(&g.eval.findings);
        all.sort_by_key(|f| pos(&f.rule));
    }
    let snap = &a.snapshot;
    let nfe = snap.file_errors.len();
    let file_taint: Vec<TaintFact> = a
        .eval
        .checks
        .first()
        .map(|c| {
            c.unproven_by[c.unproven_by.len() - nfe..]
                .iter()
                .map(TaintFact::of)
                .collect()
        })
        .unwrap_or_default();
    let (index, count, select) = match &p.share {
        Share::Part(spec) => (spec.index, spec.count, None),
        Share::Select(prefixes) => (0, 0, Some((false, prefixes.clone()))),
        Share::Spanning => (0, 0, Some((true, vec![]))),
    };
    Some(PartFacts {
        index,
        count,
        select: select.map(|(spanning, prefixes)| SelectFacts {
            spanning,
            prefixes,
            components: p.own.clone(),
        }),
        inputs: p.inputs.clone(),
        components: p.components,
        own_components: p.own.len(),
        zones: snap
            .zones
            .iter()
            .enumerate()
            .map(|(i, z)| ZoneFact {
                name: z.name.clone(),
                index: p.zone_index[i],
                shared: z.tier == crate::model::Tier::External,
                located: p.located[i],
            })
            .collect(),
        links: snap
            .links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.inferred.is_some() || l.observed.is_some())
            .map(|(i, _)| p.link_index[i])
            .collect(),
        file_taint,
        checks: a
            .eval
            .checks
            .iter()
            .map(|c| CheckFacts {
                rule: c.rule.clone(),
                taint: c.unproven_by[..c.unproven_by.len() - nfe]
                    .iter()
                    .map(TaintFact::of)
                    .collect(),
                notes: c.parts.clone(),
            })
            .collect(),
        global_rules: p.global_rules.clone(),
        findings: all
            .iter()
            .map(|f| FindingFact {
                detail: f.subject.detail.clone(),
                also: f.also.iter().map(|x| x.subject.detail.clone()).collect(),
            })
            .collect(),
    })
}

/// Why parts cannot be merged (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

fn err<T>(m: impl Into<String>) -> Result<T, MergeError> {
    Err(MergeError(m.into()))
}

/// A part's report as read: the members merge copies verbatim (their exact text) and
/// the facts.
#[derive(Deserialize)]
struct Doc<'a> {
    schema: String,
    #[serde(borrow)]
    tool: &'a RawValue,
    #[serde(borrow)]
    snapshot: &'a RawValue,
    #[serde(borrow)]
    parse: Vec<&'a RawValue>,
    #[serde(borrow)]
    checks: Vec<&'a RawValue>,
    #[serde(borrow)]
    findings: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    inferred_links: Vec<&'a RawValue>,
    part: Option<PartFacts>,
}

#[derive(Deserialize)]
struct ParseKey {
    file: String,
    device: Option<String>,
}

#[derive(Deserialize)]
struct CheckKey {
    rule: String,
    title: String,
    clause: String,
}

#[derive(Deserialize)]
struct FindingKey {
    rule: String,
    severity: String,
    src: String,
    dst: String,
    flow: Option<String>,
    #[serde(default)]
    also: Vec<AlsoKey>,
}

#[derive(Deserialize)]
struct AlsoKey {
    src: String,
    dst: String,
}

fn read<'a, T: Deserialize<'a>>(name: &str, raw: &'a RawValue) -> Result<T, MergeError> {
    serde_json::from_str(raw.get()).map_err(|e| MergeError(format!("{name}: {e}")))
}

/// The result of a merge: the report's text and the exit status `audit` would give.
pub struct Merged {
    pub json: String,
    pub exit_code: i32,
}

/// Join the part reports `(name, text)` (the JSON of `sanso audit --part K/N --format
/// json`, or an evidence bundle's findings.json) into the whole run's report.
pub fn merge(parts: &[(String, String)]) -> Result<Merged, MergeError> {
    if parts.is_empty() {
        return err("no part reports given");
    }
    let mut docs: Vec<(&str, Doc, PartFacts)> = vec![];
    for (name, text) in parts {
        let mut d: Doc = serde_json::from_str(text)
            .map_err(|e| MergeError(format!("{name}: not a sanso report: {e}")))?;
        if d.schema != super::SCHEMA {
            return err(format!(
                "{name}: schema {} (expected {})",
                d.schema,
                super::SCHEMA
            ));
        }
        let Some(f) = d.part.take() else {
            return err(format!(
                "{name}: not a part report (made without --part K/N)"
            ));
        };
        if d.findings.len() != f.findings.len() {
            return err(format!("{name}: part facts do not match the report"));
        }
        docs.push((name, d, f));
    }
    let selections = docs.iter().filter(|d| d.2.select.is_some()).count();
    if selections != 0 && selections != docs.len() {
        return err("give either --part K/N runs or --select/--spanning runs, not both");
    }
    if selections == 0 {
        docs.sort_by_key(|(_, _, f)| f.index);
    } else {
        // The --spanning run first: it stands where part 1 does.
        docs.sort_by_key(|(_, _, f)| !f.select.as_ref().is_some_and(|s| s.spanning));
    }
    // One snapshot, one tool and rule pack, every part once.
    let (n0, d0, f0) = &docs[0];
    for (name, d, f) in &docs[1..] {
        if f.inputs != f0.inputs || d.snapshot.get() != d0.snapshot.get() {
            return err(format!("{name} and {n0} are parts of different snapshots"));
        }
        if d.tool.get() != d0.tool.get() {
            return err(format!(
                "{name} and {n0} were made by different sanso versions or rule packs"
            ));
        }
        if selections == 0 && f.count != f0.count {
            return err(format!(
                "{name} is a part of {} and {n0} a part of {}",
                f.count, f0.count
            ));
        }
    }
    if selections != 0 {
        check_selections(&docs)?;
    }
    let mut seen: BTreeMap<usize, &str> = BTreeMap::new();
    for (name, _, f) in docs.iter().filter(|_| selections == 0) {
        if let Some(other) = seen.insert(f.index, name) {
            return err(format!(
                "part {}/{} given twice ({other}, {name})",
                f.index, f.count
            ));
        }
    }
    let missing: Vec<String> = (1..=f0.count)
        .filter(|_| selections == 0)
        .filter(|k| !seen.contains_key(k))
        .map(|k| format!("{k}/{}", f0.count))
        .collect();
    if !missing.is_empty() {
        return err(format!("missing part(s) {}", missing.join(", ")));
    }
    // The checks of the whole run, in its order: part 1's (it has the rules that span
    // parts as well); every part judged the same others.
    let rules: Vec<String> = d0
        .checks
        .iter()
        .map(|c| read::<CheckKey>(n0, c).map(|k| k.rule))
        .collect::<Result<_, _>>()?;
    let local: Vec<&String> = rules
        .iter()
        .filter(|r| !f0.global_rules.contains(r))
        .collect();
    for (i, (name, d, f)) in docs.iter().enumerate() {
        if f.global_rules != f0.global_rules
            || f.checks.iter().map(|c| &c.rule).ne(local.iter().copied())
            || (i != 0 && d.checks.len() != f.checks.len())
        {
            return err(format!("{name}: other checks than {n0}"));
        }
    }

    let parse = merge_parse(&docs)?;
    let (checks, findings, exit_code) = merge_checks(&docs, &rules)?;
    let mut links: Vec<(usize, &str)> = vec![];
    for (_, d, f) in &docs {
        links.extend(
            f.links
                .iter()
                .copied()
                .zip(d.inferred_links.iter().map(|r| r.get())),
        );
    }
    links.sort_by_key(|l| l.0);
    links.dedup();

    // The report as `render::json` prints it: members in `Report` order, pretty with two
    // spaces; the copied members keep their exact text (same depth in both documents).
    let d0 = &docs[0].1;
    let arr = |items: &[String]| {
        if items.is_empty() {
            "[]".to_string()
        } else {
            format!("[\n    {}\n  ]", items.join(",\n    "))
        }
    };
    let mut o = String::from("{\n");
    o.push_str(&format!(
        "  \"schema\": {},\n  \"tool\": {},\n  \"snapshot\": {},\n",
        serde_json::to_string(super::SCHEMA).expect("string"),
        d0.tool.get(),
        d0.snapshot.get()
    ));
    o.push_str(&format!("  \"parse\": {},\n", arr(&parse)));
    o.push_str(&format!("  \"checks\": {},\n", arr(&checks)));
    o.push_str(&format!("  \"findings\": {}", arr(&findings)));
    if !links.is_empty() {
        let l: Vec<String> = links.iter().map(|l| l.1.to_string()).collect();
        o.push_str(&format!(",\n  \"inferred_links\": {}", arr(&l)));
    }
    o.push_str("\n}\n");
    Ok(Merged { json: o, exit_code })
}

/// `--select`/`--spanning` runs: one `--spanning` run, and every component audited by
/// exactly one `--select` run (the selections are the whole snapshot, once).
fn check_selections(docs: &[(&str, Doc, PartFacts)]) -> Result<(), MergeError> {
    let spanning = |f: &PartFacts| f.select.as_ref().is_some_and(|s| s.spanning);
    match docs.iter().filter(|d| spanning(&d.2)).count() {
        0 => return err("no --spanning run (it judges the rules that span parts)"),
        1 => {}
        _ => return err("--spanning given twice"),
    }
    let mut owner: BTreeMap<usize, &str> = BTreeMap::new();
    for (name, _, f) in docs {
        for &c in f.select.as_ref().map_or(&[][..], |s| &s.components[..]) {
            if let Some(other) = owner.insert(c, name) {
                return err(format!(
                    "component {c} audited by both {other} and {name} ({} and {}): each component in one selection",
                    docs.iter().find(|d| d.0 == other).map_or(String::new(), |d| d.2.label()),
                    f.label()
                ));
            }
        }
    }
    let total = docs[0].2.components;
    let missing: Vec<String> = (0..total)
        .filter(|c| !owner.contains_key(c))
        .map(|c| c.to_string())
        .collect();
    if !missing.is_empty() {
        return err(format!(
            "component(s) {} of {total} selected by no run",
            missing.join(", ")
        ));
    }
    Ok(())
}

fn merge_parse(docs: &[(&str, Doc, PartFacts)]) -> Result<Vec<String>, MergeError> {
    // (file, file error?) → text; file errors are in every part, once in the whole.
    let mut out: BTreeMap<(String, bool), &str> = BTreeMap::new();
    for (name, d, _) in docs {
        for r in &d.parse {
            let k: ParseKey = read(name, r)?;
            let key = (k.file.clone(), k.device.is_none());
            match out.get(&key) {
                Some(t) if key.1 && *t == r.get() => {}
                Some(_) => {
                    return err(format!("{name}: {} is in two parts", k.file));
                }
                None => {
                    out.insert(key, r.get());
                }
            }
        }
    }
    Ok(out.into_values().map(str::to_string).collect())
}

type Subject = (String, String, Option<String>, String);

/// The checks (rendered) and findings (copied) of the whole run, and its exit status.
fn merge_checks(
    docs: &[(&str, Doc, PartFacts)],
    rules: &[String],
) -> Result<(Vec<String>, Vec<String>, i32), MergeError> {
    let global = &docs[0].2.global_rules;
    // Findings per rule, keyed by subject; every subject (with `also`) at most in one part.
    let mut by_rule: BTreeMap<&str, Vec<(Subject, usize, &str, FindingKey)>> = BTreeMap::new();
    let mut owner: BTreeMap<(String, Subject), usize> = BTreeMap::new();
    for (pi, (name, d, f)) in docs.iter().enumerate() {
        for (r, ff) in d.findings.iter().zip(&f.findings) {
            let k: FindingKey = read(name, r)?;
            let subj: Subject = (
                k.src.clone(),
                k.dst.clone(),
                k.flow.clone(),
                ff.detail.clone(),
            );
            let Some(rule) = rules.iter().find(|x| **x == k.rule) else {
                return err(format!("{name}: finding of unknown check {}", k.rule));
            };
            if global.contains(rule) {
                if pi != 0 {
                    return err(format!(
                        "{name}: finding of {rule}, which {} runs",
                        docs[0].2.label()
                    ));
                }
            } else {
                if k.also.len() != ff.also.len() {
                    return err(format!("{name}: part facts do not match the report"));
                }
                let alsos = k
                    .also
                    .iter()
                    .zip(&ff.also)
                    .map(|(a, det)| (a.src.clone(), a.dst.clone(), None, det.clone()));
                for s in std::iter::once(subj.clone()).chain(alsos) {
                    if let Some(&other) = owner.get(&(k.rule.clone(), s.clone())) {
                        if other != pi {
                            return err(format!(
                                "{} {} → {}: found by {} and {}; its witness is drawn from the whole snapshot, which a split run cannot join — audit it whole",
                                k.rule, s.0, s.1, docs[other].2.label(), f.label()
                            ));
                        }
                    }
                    owner.insert((k.rule.clone(), s), pi);
                }
            }
            by_rule
                .entry(rule.as_str())
                .or_default()
                .push((subj, pi, r.get(), k));
        }
    }
    let mut checks = vec![];
    let mut findings = vec![];
    let (mut bad, mut all_na) = (false, true);
    let (name0, d0, _) = &docs[0];
    for (ci, rule) in rules.iter().enumerate() {
        let mut fs = by_rule.remove(rule.as_str()).unwrap_or_default();
        let head: CheckKey = read(name0, d0.checks[ci])?;
        if global.contains(rule) {
            // Judged whole by part 1: its check and findings are the whole run's.
            let st: StatusKey = read(name0, d0.checks[ci])?;
            bad |= st.status == "violated" || st.status == "unproven";
            all_na &= st.status == "not-applicable";
            checks.push(d0.checks[ci].get().to_string());
            findings.extend(fs.into_iter().map(|x| x.2.to_string()));
            continue;
        }
        // Stable: one part's findings of one subject keep their order.
        fs.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        for (name, d, f) in &docs[1..] {
            let Some(j) = f.checks.iter().position(|c| c.rule == *rule) else {
                return err(format!("{name}: no check {rule}"));
            };
            let h: CheckKey = read(name, d.checks[j])?;
            if (&h.rule, &h.title, &h.clause) != (&head.rule, &head.title, &head.clause) {
                return err(format!("{name}: check {} differs from {name0}'s", h.rule));
            }
        }
        let facts: Vec<&CheckFacts> = docs
            .iter()
            .map(|(_, _, f)| {
                f.checks
                    .iter()
                    .find(|c| c.rule == *rule)
                    .expect("checked above")
            })
            .collect();
        let notes = merge_notes(docs, &facts)?;
        let mut taint: BTreeSet<Taint> = BTreeSet::new();
        for c in &facts {
            taint.extend(c.taint.iter().map(TaintFact::taint));
        }
        let mut taint: Vec<Taint> = taint.into_iter().collect();
        taint.extend(docs[0].2.file_taint.iter().map(TaintFact::taint));
        let violated = fs.iter().any(|x| x.3.severity != INFO);
        let status = notes.status(violated, !taint.is_empty());
        bad |= matches!(status, Status::Violated | Status::Unproven);
        all_na &= status == Status::NotApplicable;
        let out = CheckOut {
            rule: rule.clone(),
            status: status.id(),
            title: head.title,
            clause: head.clause,
            unproven_by: taint
                .iter()
                .take(TAINT_CITED)
                .map(super::taint_str)
                .collect(),
            unproven_by_more: taint.len().saturating_sub(TAINT_CITED),
            note: notes.note(),
            findings: fs.len(),
            pairs: fs.iter().map(|x| 1 + x.3.also.len()).sum(),
        };
        let text = serde_json::to_string_pretty(&out).expect("check serialises");
        checks.push(text.replace('\n', "\n    "));
        findings.extend(fs.into_iter().map(|x| x.2.to_string()));
    }
    Ok((checks, findings, (bad || all_na) as i32))
}

#[derive(Deserialize)]
struct StatusKey {
    status: String,
}

const NOWHERE: &str = "zone-located-nowhere: ";

/// The whole run's note pieces of check `ci` from the parts' (see the module comment).
fn merge_notes(
    all: &[(&str, Doc, PartFacts)],
    facts: &[&CheckFacts],
) -> Result<NoteParts, MergeError> {
    let rule = &facts[0].rule;
    let refuse = |why: &str| err(format!("{rule}: {why}; audit the snapshot whole"));
    // A part given no component (more parts than components) judged nothing at all.
    let judging: Vec<usize> = match (0..all.len())
        .filter(|&i| all[i].2.own_components > 0)
        .collect::<Vec<_>>()
    {
        v if v.is_empty() => (0..all.len()).collect(),
        v => v,
    };
    let docs: Vec<&(&str, Doc, PartFacts)> = judging.iter().map(|&i| &all[i]).collect();
    let notes: Vec<&NoteParts> = judging.iter().map(|&i| &facts[i].notes).collect();
    let judged: Vec<usize> = (0..docs.len())
        .filter(|&i| notes[i].not_applicable.is_none())
        .collect();
    if judged.is_empty() {
        if notes.iter().all(|n| *n == notes[0]) {
            return Ok(notes[0].clone());
        }
        return refuse("not applicable in every part for different reasons");
    }
    // A part where the check does not apply judged nothing; the whole run would still
    // name that part's zones that are placed nowhere, which the part did not look at.
    for (i, (_, _, f)) in docs.iter().enumerate() {
        if notes[i].not_applicable.is_some() && f.zones.iter().any(|z| !z.shared && !z.located) {
            return refuse(&format!(
                "not applicable in {}, which has a zone placed nowhere",
                f.label()
            ));
        }
    }
    let mut internal: Vec<String> = vec![];
    let with_internal: Vec<usize> = judged
        .iter()
        .copied()
        .filter(|&i| !notes[i].internal.is_empty())
        .collect();
    match with_internal.as_slice() {
        [] => {}
        [i] => internal = notes[*i].internal.clone(),
        _ => return refuse("internal notes in several parts"),
    }
    let with_note: Vec<usize> = judged
        .iter()
        .copied()
        .filter(|&i| notes[i].unproven.is_some())
        .collect();
    let nowhere = |i: usize| {
        notes[i]
            .unproven
            .as_deref()
            .and_then(|n| n.strip_prefix(NOWHERE))
    };
    let unproven = if with_note.iter().all(|&i| nowhere(i).is_some()) {
        // Zones placed nowhere: a part's own zone as that part says, a shared zone when
        // no part places it; in the whole snapshot's zone order.
        let mut zones: BTreeMap<usize, String> = BTreeMap::new();
        for &i in &with_note {
            let f = &docs[i].2;
            let by_name: BTreeMap<&str, &ZoneFact> =
                f.zones.iter().map(|z| (z.name.as_str(), z)).collect();
            for name in nowhere(i).unwrap_or_default().split(", ") {
                let Some(z) = by_name.get(name) else {
                    return refuse(&format!("cannot read the note of {}", f.label()));
                };
                let placed = z.shared
                    && all
                        .iter()
                        .any(|(_, _, g)| g.zones.iter().any(|y| y.index == z.index && y.located));
                if !placed {
                    zones.insert(z.index, name.to_string());
                }
            }
        }
        (!zones.is_empty()).then(|| {
            format!(
                "{NOWHERE}{}",
                zones.into_values().collect::<Vec<_>>().join(", ")
            )
        })
    } else {
        match with_note.as_slice() {
            [i] => notes[*i].unproven.clone(),
            _ => return refuse("unproven notes in several parts"),
        }
    };
    Ok(NoteParts {
        unproven,
        internal,
        not_applicable: None,
    })
}

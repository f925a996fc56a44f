//! Reports: the data every output is rendered from (the `sanso.report/v2` JSON document),
//! in Japanese (default) or English, and the cited config lines quoted from the snapshot
//! as loaded. Everything here reads data already computed; it never touches the engine or
//! the disk. The renderings themselves live in `crate::render`.

use crate::checks::{CheckResult, Evaluation, Finding, Hop, Rule};
use crate::hs::Packet;
use crate::model::{Snapshot, Tier};
use crate::net::Taint;
use serde::Serialize;
use std::fmt::Write;

pub mod merge;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

pub const SCHEMA: &str = "sanso.report/v2";

#[derive(Serialize)]
pub struct Report {
    /// The language the texts of this report are in (not part of the JSON document).
    #[serde(skip)]
    pub lang: Lang,
    pub schema: &'static str,
    pub tool: ToolInfo,
    pub snapshot: SnapInfo,
    pub parse: Vec<ParseInfo>,
    pub checks: Vec<CheckOut>,
    pub findings: Vec<FindingOut>,
    /// Links not in topology.toml that sanso inferred from the configs (additive field,
    /// absent when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inferred_links: Vec<InferredLinkOut>,
    /// Facts for `sanso merge`, only in the report of one part of a split run
    /// (`--part K/N`): see [`merge`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<merge::PartFacts>,
}

/// A link not in topology.toml: `a`/`b` are `device:interface` (or a host), `evidence`
/// the lines that say so (`file:line`): the two interfaces' config lines for a shared
/// subnet, or with `from` (`LLDP`, `CDP`, `MAC table`, `Batfish layer-1`) the state or
/// topology lines that report it.
#[derive(Serialize)]
pub struct InferredLinkOut {
    pub a: String,
    pub b: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subnet: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub evidence: Vec<String>,
}

#[derive(Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub rules: String,
    /// The compiled date of the known-exploited vulnerability table (data/kev.toml) that
    /// KNOWN-EXPLOITED-VERSION judged with.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kev_table: String,
}

#[derive(Serialize)]
pub struct SnapInfo {
    pub name: String,
    pub model: String,
}

#[derive(Serialize)]
pub struct ParseInfo {
    pub file: String,
    pub dialect: String,
    pub device: Option<String>,
    pub lines: u32,
    /// Lines recognised as irrelevant to forwarding (management, logging, AAA …): they
    /// never make a check unproven. With `lines` and `unrecognized`, the three counts of
    /// the file (the rest is modelled, blank or comment).
    pub irrelevant: u32,
    pub unrecognized: Vec<Unrec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Serialize)]
pub struct Unrec {
    pub line: u32,
    pub text: String,
    pub reason: String,
}

#[derive(Serialize)]
pub struct CheckOut {
    pub rule: String,
    pub status: &'static str,
    pub title: String,
    pub clause: String,
    /// The first [`TAINT_CITED`] lines that make the check unproven; each line's text is
    /// in `parse[].unrecognized` once, whatever the number of checks it affects.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unproven_by: Vec<String>,
    /// How many more lines make it unproven than `unproven_by` lists.
    #[serde(skip_serializing_if = "is_zero")]
    pub unproven_by_more: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Findings of the check (one per cause) and the subjects (zone pairs, flows) they
    /// cover together.
    #[serde(skip_serializing_if = "is_zero")]
    pub findings: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub pairs: usize,
}

/// Lines cited per unproven check: a file of thousands of unknown lines must not be
/// repeated once per check (output stays linear in the input).
pub const TAINT_CITED: usize = 20;

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
pub struct WitnessOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_mac: Option<String>,
    pub src_ip: String,
    pub dst_ip: String,
    pub proto: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icmp_type: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
}

#[derive(Serialize)]
pub struct FindingOut {
    pub rule: String,
    pub severity: String,
    pub status: &'static str,
    pub clause: String,
    pub message: String,
    pub src: String,
    pub dst: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_point: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_point: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<WitnessOut>,
    /// The witness's source address is not one of its source's (a spoofed address).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub spoofed: bool,
    pub path: Vec<Hop>,
    /// Lines on the witness's path that sanso does not understand (the first
    /// [`CAVEAT_CITED`], as `file:line`): the packet may be stopped there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub may_be_stopped_by: Vec<String>,
    #[serde(skip_serializing_if = "is_zero")]
    pub may_be_stopped_by_more: usize,
    /// That caveat as a sentence in the report's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
    /// The lines that let the traffic in where it leaves the source's tier, deciding line
    /// first (`file:line`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cause: Vec<String>,
    /// The other subjects this cause lets through, each with its own witness.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<AlsoOut>,
}

/// Another subject of a finding's cause.
#[derive(Serialize)]
pub struct AlsoOut {
    pub message: String,
    pub src: String,
    pub dst: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_point: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_point: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<WitnessOut>,
}

/// Lines cited per finding caveat.
pub const CAVEAT_CITED: usize = 5;

fn caveat(f: &crate::checks::Finding, lang: Lang) -> Option<String> {
    let cond = (!f.admitted_if.is_empty()).then(|| {
        let c = f.admitted_if.join("; ");
        match lang {
            Lang::Ja => format!(
                "このパケットは「{c}」の場合に許可されます（ヘッダーでは判定できない条件で、sanso は成り立つものとして扱います）"
            ),
            Lang::En => format!(
                "admitted if {c} (a condition headers cannot show; sanso assumes it holds)"
            ),
        }
    });
    let ts = &f.may_be_stopped_by;
    if ts.is_empty() {
        return cond;
    }
    let cited: Vec<String> = ts
        .iter()
        .take(CAVEAT_CITED)
        .map(|t| format!("{}:{}", t.file, t.line))
        .collect();
    let more = ts.len().saturating_sub(CAVEAT_CITED);
    let taint = match lang {
        Lang::Ja => format!(
            "この証拠パケットは、sanso が解釈できない {}{} で止められる可能性があります",
            cited.join(", "),
            if more > 0 {
                format!(" ほか {more} 行")
            } else {
                String::new()
            }
        ),
        Lang::En => format!(
            "this packet may be stopped by {}{}, which sanso does not understand",
            cited.join(", "),
            if more > 0 {
                format!(" and {more} more lines")
            } else {
                String::new()
            }
        ),
    };
    Some(match cond {
        Some(c) => format!("{c}; {taint}"),
        None => taint,
    })
}

pub fn proto_name(p: u8) -> String {
    match p {
        1 => "icmp".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        132 => "sctp".into(),
        n => n.to_string(),
    }
}

pub fn witness_out(w: &Packet) -> WitnessOut {
    let ports = w.has_ports();
    WitnessOut {
        src_mac: (w.src_mac != crate::model::Mac::zero()).then(|| w.src_mac.to_string()),
        src_ip: w.src_ip.to_string(),
        dst_ip: w.dst_ip.to_string(),
        proto: proto_name(w.proto),
        src_port: ports.then_some(w.src_port),
        dst_port: ports.then_some(w.dst_port),
        icmp_type: (w.proto == 1).then_some(w.icmp_type),
        vlan: (w.vlan != 0).then_some(w.vlan),
    }
}

pub fn tier_name(t: Tier, lang: Lang) -> &'static str {
    match (t, lang) {
        (Tier::Mynumber, _) => "マイナンバー利用事務系",
        (Tier::Lgwan, _) => "LGWAN接続系",
        (Tier::Internet, _) => "インターネット接続系",
        (Tier::External, Lang::Ja) => "外部",
        (Tier::External, Lang::En) => "external",
    }
}

fn zone_label(snap: &Snapshot, name: &str, lang: Lang) -> String {
    let zone = snap
        .zones
        .iter()
        .position(|z| z.name == name)
        .or_else(|| snap.hosts.iter().find(|h| h.name == name).map(|h| h.zone));
    match zone {
        Some(z) if lang == Lang::Ja => format!("{name}（{}）", tier_name(snap.zones[z].tier, lang)),
        Some(z) => format!("{name} ({})", tier_name(snap.zones[z].tier, lang)),
        None => name.to_string(),
    }
}

pub fn message(f: &Finding, snap: &Snapshot, lang: Lang) -> String {
    subject_message(&f.subject, snap, lang)
}

fn subject_message(s: &crate::checks::Subject, snap: &Snapshot, lang: Lang) -> String {
    let src = zone_label(snap, &s.src, lang);
    let dst = zone_label(snap, &s.dst, lang);
    let flow = s.flow.clone().unwrap_or_default();
    // The sentence comes from the evaluator kind that produced the finding.
    match crate::checks::kinds::message(&s.detail) {
        Some(m) => {
            let t = if lang == Lang::Ja { m.ja } else { m.en };
            t.replace("{src}", &src)
                .replace("{dst}", &dst)
                .replace("{flow}", &flow)
        }
        None => format!("{}: {src} → {dst}", s.detail),
    }
}

/// Whether `ip` is an address `side` (a zone or host of the snapshot) does not own. Sides
/// that are neither (a device, a group) are never called spoofed.
fn spoofed(snap: &Snapshot, side: &str, ip: std::net::Ipv4Addr) -> bool {
    if let Some(z) = snap.zones.iter().find(|z| z.name == side) {
        return !z.subnets.is_empty() && !z.subnets.iter().any(|n| n.contains(ip));
    }
    snap.hosts
        .iter()
        .find(|h| h.name == side)
        .is_some_and(|h| h.ip != ip)
}

fn taint_str(t: &Taint) -> String {
    format!("{}:{}: {} ({})", t.file, t.line, t.text.trim(), t.reason)
}

impl crate::checks::audit::Audit {
    /// The report every output is rendered from.
    pub fn report(&self, lang: Lang) -> Report {
        let mut r = build(&self.snapshot, &self.rules, &self.eval, lang);
        if let Some(g) = self.part.as_ref().and_then(|p| p.global.as_deref()) {
            // The designated part's rules that span parts, judged on the whole
            // snapshot (their messages name zones of every part): in pack order.
            let rg = build(&g.snapshot, &g.rules, &g.eval, lang);
            let pos = merge::rule_position(self);
            let mut checks: Vec<CheckOut> = r.checks.drain(..).chain(rg.checks).collect();
            checks.sort_by_key(|c| pos(&c.rule));
            let mut findings: Vec<FindingOut> = r.findings.drain(..).chain(rg.findings).collect();
            findings.sort_by_key(|f| pos(&f.rule));
            r.checks = checks;
            r.findings = findings;
        }
        r.part = merge::facts(self);
        r
    }
}

pub fn build(snap: &Snapshot, rules: &[Rule], ev: &Evaluation, lang: Lang) -> Report {
    // One entry per input file; a device read from several files (a Linux device
    // folder) gets one entry for each, with the unrecognized lines of that file.
    let mut parse: Vec<ParseInfo> = snap
        .devices
        .iter()
        .flat_map(|d| {
            std::iter::once((d.file.clone(), d.lines))
                .chain(d.extra_files.iter().cloned())
                .map(move |(file, lines)| ParseInfo {
                    dialect: d.dialect.id().into(),
                    device: Some(d.name.clone()),
                    lines,
                    // Counted per device; a device's first file carries them.
                    irrelevant: if file == d.file {
                        d.irrelevant.values().sum()
                    } else {
                        0
                    },
                    unrecognized: d
                        .unrecognized
                        .iter()
                        .filter(|u| d.unrecognized_file(u) == file)
                        .map(|u| Unrec {
                            line: u.line,
                            text: crate::ingest::redact::redact_line(&u.text),
                            reason: u.reason.clone(),
                        })
                        .collect(),
                    file,
                    error: None,
                })
        })
        .collect();
    for e in &snap.file_errors {
        parse.push(ParseInfo {
            file: e.file.clone(),
            dialect: "unknown".into(),
            device: None,
            lines: 0,
            irrelevant: 0,
            unrecognized: vec![],
            error: Some(format!("line {}: {}", e.line, e.message)),
        });
    }
    parse.sort_by(|a, b| a.file.cmp(&b.file));
    let rule = |id: &str| rules.iter().find(|r| r.id == id).expect("rule exists");
    let checks = ev
        .checks
        .iter()
        .map(|c: &CheckResult| {
            let r = rule(&c.rule);
            CheckOut {
                rule: c.rule.clone(),
                status: c.status.id(),
                title: if lang == Lang::Ja {
                    r.title_ja.clone()
                } else {
                    r.title_en.clone()
                },
                clause: r.clause.clone(),
                unproven_by: c
                    .unproven_by
                    .iter()
                    .take(TAINT_CITED)
                    .map(taint_str)
                    .collect(),
                unproven_by_more: c.unproven_by.len().saturating_sub(TAINT_CITED),
                note: c.note.clone(),
                findings: ev.findings.iter().filter(|f| f.rule == c.rule).count(),
                pairs: ev
                    .findings
                    .iter()
                    .filter(|f| f.rule == c.rule)
                    .map(|f| 1 + f.also.len())
                    .sum(),
            }
        })
        .collect();
    let findings = ev
        .findings
        .iter()
        .map(|f| FindingOut {
            rule: f.rule.clone(),
            severity: f.severity.clone(),
            status: "violated",
            clause: f.clause.clone(),
            message: message(f, snap, lang),
            src: f.subject.src.clone(),
            dst: f.subject.dst.clone(),
            flow: f.subject.flow.clone(),
            src_point: f.src_point.clone(),
            dst_point: f.dst_point.clone(),
            witness: f.witness.as_ref().map(witness_out),
            spoofed: f
                .witness
                .as_ref()
                .is_some_and(|w| spoofed(snap, &f.subject.src, w.src_ip)),
            path: f.path.clone(),
            may_be_stopped_by: f
                .may_be_stopped_by
                .iter()
                .take(CAVEAT_CITED)
                .map(|t| format!("{}:{}", t.file, t.line))
                .collect(),
            may_be_stopped_by_more: f.may_be_stopped_by.len().saturating_sub(CAVEAT_CITED),
            caveat: caveat(f, lang),
            cause: f.cause.clone(),
            also: f
                .also
                .iter()
                .map(|a| AlsoOut {
                    message: subject_message(&a.subject, snap, lang),
                    src: a.subject.src.clone(),
                    dst: a.subject.dst.clone(),
                    src_point: a.src_point.clone(),
                    dst_point: a.dst_point.clone(),
                    witness: a.witness.as_ref().map(witness_out),
                })
                .collect(),
        })
        .collect();
    Report {
        lang,
        schema: SCHEMA,
        tool: ToolInfo {
            name: "sanso",
            version: env!("CARGO_PKG_VERSION"),
            rules: crate::checks::pack_version(),
            kev_table: crate::checks::kev_compiled(),
        },
        snapshot: SnapInfo {
            name: snap.name.clone(),
            model: snap.model.clone(),
        },
        parse,
        checks,
        findings,
        inferred_links: snap
            .links
            .iter()
            .filter_map(|l| match (&l.inferred, &l.observed) {
                (Some(i), _) => Some(InferredLinkOut {
                    a: l.a.to_string(),
                    b: l.b.to_string(),
                    subnet: i.subnet.clone(),
                    from: None,
                    evidence: vec![
                        format!("{}:{}", i.a_span.file, i.a_span.line),
                        format!("{}:{}", i.b_span.file, i.b_span.line),
                    ],
                }),
                (None, Some(o)) => Some(InferredLinkOut {
                    a: l.a.to_string(),
                    b: l.b.to_string(),
                    subnet: String::new(),
                    from: Some(o.from.clone()),
                    evidence: o.evidence.iter().map(|s| s.to_string()).collect(),
                }),
                (None, None) => None,
            })
            .collect(),
        part: None,
    }
}

pub fn witness_text(w: &WitnessOut) -> String {
    let mut s = String::new();
    if let Some(m) = &w.src_mac {
        let _ = write!(s, "{m} ");
    }
    let _ = write!(s, "{}", w.src_ip);
    if let Some(p) = w.src_port {
        let _ = write!(s, ":{p}");
    }
    let _ = write!(s, " → {}", w.dst_ip);
    if let Some(p) = w.dst_port {
        let _ = write!(s, ":{p}");
    }
    let _ = write!(s, " {}", w.proto);
    if let Some(t) = w.icmp_type {
        let _ = write!(s, " type {t}");
    }
    if let Some(v) = w.vlan {
        let _ = write!(s, " vlan {v}");
    }
    s
}

/// The text of line `n` (1-based) of the input file `file` as loaded, line end and
/// trailing blanks removed and redacted in the context of the lines before it (a line
/// inside a key block is secret as a whole); `None` if
/// the snapshot read no such file or line.
pub fn quote(snap: &Snapshot, file: &str, n: usize) -> Option<String> {
    let src = snap.sources.get(file)?;
    let line = src.line(n)?;
    Some(crate::ingest::redact::FileRedaction::line_in(
        &src.redaction,
        n,
        line.trim_end(),
    ))
}

/// [`quote`] for a `file:line` citation.
pub fn quote_cite(snap: &Snapshot, cite: &str) -> Option<String> {
    let (file, line) = cite.rsplit_once(':')?;
    quote(snap, file, line.parse().ok()?)
}

//! Reports: the `sanso.report/v1` JSON document and the terminal summary, in Japanese
//! (default) or English. Everything here renders data already computed; it never
//! touches the engine. Output is deterministic for identical inputs.

use crate::checks::{CheckResult, Evaluation, Finding, Hop, Rule, Status};
use crate::hs::Packet;
use crate::model::{Snapshot, Tier};
use crate::net::Taint;
use serde::Serialize;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

pub const SCHEMA: &str = "sanso.report/v1";

#[derive(Serialize)]
pub struct Report {
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
}

/// A link inferred from two configs: `a`/`b` are `device:interface`, `evidence` the two
/// interfaces' config lines (`file:line`).
#[derive(Serialize)]
pub struct InferredLinkOut {
    pub a: String,
    pub b: String,
    pub subnet: String,
    pub evidence: [String; 2],
}

#[derive(Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub rules: String,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unproven_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
    pub path: Vec<Hop>,
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
    let s = &f.subject;
    let src = zone_label(snap, &s.src, lang);
    let dst = zone_label(snap, &s.dst, lang);
    let flow = s.flow.clone().unwrap_or_default();
    match (s.detail.as_str(), lang) {
        ("isolation", Lang::Ja) => format!("{src} から {dst} へ通信できます（領域間の分離違反）"),
        ("isolation", Lang::En) => format!("{src} can open flows to {dst} (tiers not isolated)"),
        ("tokutei", Lang::Ja) => format!("{src} から {dst} への特定通信として宣言されていない通信が可能です"),
        ("tokutei", Lang::En) => format!("{src} can reach {dst} with traffic that is not a declared 特定通信"),
        ("tokutei-to-internal-tier", Lang::Ja) => format!("特定通信「{flow}」は {src} と {dst} の間に宣言されていますが、LGWAN接続系・インターネット接続系との特定通信は認められません"),
        ("tokutei-to-internal-tier", Lang::En) => format!("特定通信 \"{flow}\" is declared between {src} and {dst}; 特定通信 with LGWAN接続系 or インターネット接続系 is not allowed"),
        ("mugaika", Lang::Ja) => format!("{src} から {dst} へ無害化経路以外の通信が可能です"),
        ("mugaika", Lang::En) => format!("{src} can reach {dst} outside the declared 無害化 paths"),
        ("protocol", Lang::Ja) => format!("{src} から {dst} へ LGWAN で許可されていないプロトコルの通信が可能です"),
        ("protocol", Lang::En) => format!("{src} can reach {dst} with a protocol LGWAN does not permit"),
        ("ip", Lang::Ja) => format!("特定通信「{flow}」の宛先 {dst} へ、宣言された送信元以外の IP アドレスから到達できます"),
        ("ip", Lang::En) => format!("The destination {dst} of 特定通信 \"{flow}\" admits packets from a source address other than the declared one"),
        ("port", Lang::Ja) => format!("特定通信「{flow}」の宛先 {dst} へ、宣言されていないポートで到達できます"),
        ("port", Lang::En) => format!("The destination {dst} of 特定通信 \"{flow}\" admits ports that are not declared"),
        ("mac", Lang::Ja) => format!("特定通信「{flow}」の送信元 {src} の接続ポートが、登録 MAC アドレス以外からの通信を通します"),
        ("mac", Lang::En) => format!("The access port of {src}, source of 特定通信 \"{flow}\", passes frames from MAC addresses other than the registered one"),
        ("path", Lang::Ja) => format!("特定通信「{flow}」と同じ送信元 IP・ポートのパケットを、{src} 以外のエッジポートから {dst} へ送れます（送信元詐称）"),
        ("path", Lang::En) => format!("Another edge port than {src}'s can send packets matching 特定通信 \"{flow}\" to {dst} (source spoofing)"),
        (d, _) => format!("{d}: {src} → {dst}"),
    }
}

fn taint_str(t: &Taint) -> String {
    format!("{}:{}: {} ({})", t.file, t.line, t.text.trim(), t.reason)
}

impl crate::checks::audit::Audit {
    /// The report every output is rendered from.
    pub fn report(&self, lang: Lang) -> Report {
        build(&self.snapshot, &self.rules, &self.eval, lang)
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
                unproven_by: c.unproven_by.iter().map(taint_str).collect(),
                note: c.note.clone(),
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
            path: f.path.clone(),
        })
        .collect();
    Report {
        schema: SCHEMA,
        tool: ToolInfo {
            name: "sanso",
            version: env!("CARGO_PKG_VERSION"),
            rules: crate::checks::pack_version(),
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
            .filter_map(|l| {
                let i = l.inferred.as_ref()?;
                Some(InferredLinkOut {
                    a: l.a.to_string(),
                    b: l.b.to_string(),
                    subnet: i.subnet.clone(),
                    evidence: [
                        format!("{}:{}", i.a_span.file, i.a_span.line),
                        format!("{}:{}", i.b_span.file, i.b_span.line),
                    ],
                })
            })
            .collect(),
    }
}

fn status_label(s: &str, lang: Lang) -> &'static str {
    match (s, lang) {
        ("pass", Lang::Ja) => "適合",
        ("violated", Lang::Ja) => "違反",
        ("unproven", Lang::Ja) => "未証明",
        ("not-applicable", Lang::Ja) => "対象外",
        ("pass", Lang::En) => "pass",
        ("violated", Lang::En) => "VIOLATED",
        ("unproven", Lang::En) => "unproven",
        _ => "n/a",
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

pub fn terminal(r: &Report, lang: Lang) -> String {
    let mut o = String::new();
    let ja = lang == Lang::Ja;
    let total: u32 = r.parse.iter().map(|p| p.lines).sum();
    let unrec: usize = r.parse.iter().map(|p| p.unrecognized.len()).sum();
    if ja {
        let _ = writeln!(
            o,
            "sanso 監査結果: {}（モデル {}）",
            r.snapshot.name, r.snapshot.model
        );
        let _ = writeln!(
            o,
            "設定ファイル {} 件 / {} 行、未解釈 {} 行",
            r.parse.len(),
            total,
            unrec
        );
    } else {
        let _ = writeln!(
            o,
            "sanso audit: {} (model {})",
            r.snapshot.name, r.snapshot.model
        );
        let _ = writeln!(
            o,
            "{} config files / {} lines, {} not understood",
            r.parse.len(),
            total,
            unrec
        );
    }
    for p in &r.parse {
        if let Some(e) = &p.error {
            let _ = writeln!(o, "  ! {} — {}", p.file, e);
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", if ja { "検査項目:" } else { "Checks:" });
    for c in &r.checks {
        let _ = writeln!(
            o,
            "  [{:<8}] {:<20} {}",
            status_label(c.status, lang),
            c.rule,
            c.title
        );
        for t in c.unproven_by.iter().take(5) {
            let _ = writeln!(
                o,
                "             {} {}",
                if ja { "未解釈:" } else { "not understood:" },
                t
            );
        }
        if c.unproven_by.len() > 5 {
            let _ = writeln!(o, "             … +{}", c.unproven_by.len() - 5);
        }
        if let (Some(n), "unproven") = (&c.note, c.status) {
            let _ = writeln!(o, "             {n}");
        }
    }
    if !r.findings.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{} ({}):",
            if ja { "検出事項" } else { "Findings" },
            r.findings.len()
        );
    }
    for (i, f) in r.findings.iter().enumerate() {
        let _ = writeln!(o, "{}. [{}] {} — {}", i + 1, f.severity, f.rule, f.message);
        let _ = writeln!(
            o,
            "   {}: {}",
            if ja { "根拠条項" } else { "clause" },
            f.clause
        );
        if let Some(w) = &f.witness {
            let _ = writeln!(
                o,
                "   {}: {}",
                if ja { "証拠パケット" } else { "witness" },
                witness_text(w)
            );
        }
        if let Some(sp) = &f.src_point {
            let _ = writeln!(
                o,
                "   {}: {} → {}",
                if ja { "入口/出口" } else { "from/to" },
                sp,
                f.dst_point.clone().unwrap_or_default()
            );
        }
        for h in &f.path {
            let _ = writeln!(
                o,
                "     - {} [{} → {}] {}",
                h.device,
                h.in_if.clone().unwrap_or_else(|| "-".into()),
                h.out.clone().unwrap_or_else(|| "-".into()),
                h.lines.join(", ")
            );
        }
    }
    let violated = r
        .checks
        .iter()
        .filter(|c| c.status == Status::Violated.id())
        .count();
    let unproven = r
        .checks
        .iter()
        .filter(|c| c.status == Status::Unproven.id())
        .count();
    let _ = writeln!(o);
    if ja {
        let _ = writeln!(o, "結果: 違反 {violated} 項目、未証明 {unproven} 項目");
    } else {
        let _ = writeln!(o, "Result: {violated} violated, {unproven} unproven");
    }
    o
}

//! `sanso diff` as text and HTML, from the [`Diff`] document.

use crate::query::diff::{CheckDiff, Diff, FlowRange, FlowSet};
use crate::render::esc;
use crate::report::{self, FindingOut, Lang};
use std::fmt::Write;

fn status_label(s: &str, ja: bool) -> &'static str {
    match (s, ja) {
        ("pass", true) => "適合",
        ("violated", true) => "違反",
        ("unproven", true) => "未証明",
        ("not-applicable", true) => "対象外",
        ("absent", true) => "なし",
        ("pass", false) => "pass",
        ("violated", false) => "violated",
        ("unproven", false) => "unproven",
        ("not-applicable", false) => "n/a",
        _ => "absent",
    }
}

fn services_text(r: &FlowRange) -> String {
    r.services
        .iter()
        .map(|s| s.label.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn other_tag(r: &FlowRange, ja: bool) -> &'static str {
    match (r.other_headers_only, ja) {
        (false, _) => "",
        (true, true) => "  [他ヘッダのみ]",
        (true, false) => "  [other headers only]",
    }
}

fn flowset_text(o: &mut String, sign: char, fs: &FlowSet, ja: bool) {
    for r in &fs.ranges {
        let _ = writeln!(
            o,
            "    {sign} {} → {}  {}{}",
            r.src,
            r.dst,
            services_text(r),
            other_tag(r, ja)
        );
        let _ = writeln!(
            o,
            "        {}: {}",
            if ja { "例" } else { "e.g." },
            report::witness_text(&r.witness)
        );
    }
    if !fs.complete {
        let _ = writeln!(
            o,
            "    {sign} … {}",
            if ja {
                "（一覧は上限で打ち切り。集合の差は厳密）"
            } else {
                "(listing cut at the limit; the set difference is exact)"
            }
        );
    }
}

fn finding_text(o: &mut String, sign: char, f: &FindingOut, ja: bool) {
    let _ = writeln!(o, "    {sign} [{}] {} — {}", f.severity, f.rule, f.message);
    if let Some(w) = &f.witness {
        let _ = writeln!(
            o,
            "        {}: {}",
            if ja { "証拠パケット" } else { "witness" },
            report::witness_text(w)
        );
    }
}

/// Terminal text (Japanese by default).
pub fn text(d: &Diff, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: {} → {}",
        if ja { "sanso 差分" } else { "sanso diff" },
        d.old.name,
        d.new.name
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{}",
        if ja {
            "ゾーン間の新規通信の変化 (+ 追加 / - 削除):"
        } else {
            "New flows between zones (+ gained / - lost):"
        }
    );
    if d.flows.is_empty() {
        let _ = writeln!(o, "  {}", if ja { "変化なし" } else { "no change" });
    }
    for p in &d.flows {
        let _ = writeln!(o, "  {} → {}", p.src, p.dst);
        flowset_text(&mut o, '+', &p.gained, ja);
        flowset_text(&mut o, '-', &p.lost, ja);
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", if ja { "検出事項:" } else { "Findings:" });
    let f = &d.findings;
    let _ = writeln!(
        o,
        "  {} ({}):",
        if ja { "新規" } else { "new" },
        f.new.len()
    );
    for x in &f.new {
        finding_text(&mut o, '+', x, ja);
    }
    let _ = writeln!(
        o,
        "  {} ({}):",
        if ja { "解消" } else { "fixed" },
        f.fixed.len()
    );
    for x in &f.fixed {
        finding_text(&mut o, '-', x, ja);
    }
    let _ = writeln!(
        o,
        "  {} ({})",
        if ja { "変化なし" } else { "unchanged" },
        f.unchanged.len()
    );
    let changed: Vec<&CheckDiff> = d.checks.iter().filter(|c| c.old != c.new).collect();
    if !changed.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "{}",
            if ja {
                "検査項目の変化:"
            } else {
                "Checks changed:"
            }
        );
        for c in changed {
            let _ = writeln!(
                o,
                "  {:<20} {} → {}  {}",
                c.rule,
                status_label(c.old, ja),
                status_label(c.new, ja),
                c.title
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{}",
        match (d.verdict.violation_added, ja) {
            (true, true) => "判定: この変更は違反（または未証明）を追加します",
            (true, false) => "Verdict: this change adds a violation (or an unproven check)",
            (false, true) => "判定: この変更による違反の追加はありません",
            (false, false) => "Verdict: this change adds no violation",
        }
    );
    let _ = writeln!(
        o,
        "{}",
        if ja {
            "注: 範囲は差分集合の (送信元IP, 宛先IP, プロトコル, 宛先ポート) への厳密な射影です。\n    [他ヘッダのみ] = 同じ組は変更前後とも通り、差は送信元MAC・VLAN・送信元ポート等だけ。"
        } else {
            "Note: ranges are the exact projection of the difference onto (source IP, destination IP, protocol, destination port).\n    [other headers only] = the same tuples pass on both sides; only source MAC, VLAN, source port etc. differ."
        }
    );
    o
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}\
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}.gain{color:#a00}.lose{color:#070}\
code{font-family:ui-monospace,monospace}.verdict{font-weight:bold}";

fn html_flows(o: &mut String, sign: &str, class: &str, fs: &FlowSet, ja: bool) {
    for r in &fs.ranges {
        let _ = writeln!(
            o,
            "<tr class=\"{class}\"><td>{sign}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code>{}</td><td><code>{}</code></td></tr>",
            esc(&r.src),
            esc(&r.dst),
            esc(&services_text(r)),
            esc(other_tag(r, ja)),
            esc(&report::witness_text(&r.witness))
        );
    }
    if !fs.complete {
        let _ = writeln!(
            o,
            "<tr class=\"{class}\"><td>{sign}</td><td colspan=\"4\">…</td></tr>"
        );
    }
}

fn html_findings(o: &mut String, title: &str, fs: &[FindingOut], ja: bool) {
    let _ = writeln!(o, "<h3>{} ({})</h3>", esc(title), fs.len());
    if fs.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        if ja { "重大度" } else { "severity" },
        if ja { "検査項目" } else { "rule" },
        if ja { "内容" } else { "finding" },
        if ja { "証拠パケット" } else { "witness" }
    );
    for f in fs {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&f.severity),
            esc(&f.rule),
            esc(&f.message),
            esc(&f
                .witness
                .as_ref()
                .map(report::witness_text)
                .unwrap_or_default())
        );
    }
    let _ = writeln!(o, "</table>");
}

/// A self-contained HTML page (inline CSS, no scripts, every text escaped).
pub fn html(d: &Diff, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let mut o = String::new();
    let title = format!(
        "{}: {} → {}",
        if ja { "sanso 差分" } else { "sanso diff" },
        d.old.name,
        d.new.name
    );
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>",
        if ja { "ja" } else { "en" },
        esc(&title)
    );
    let _ = writeln!(o, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        o,
        "<p class=\"verdict\">{}</p>",
        match (d.verdict.violation_added, ja) {
            (true, true) => "この変更は違反（または未証明）を追加します",
            (true, false) => "This change adds a violation (or an unproven check)",
            (false, true) => "この変更による違反の追加はありません",
            (false, false) => "This change adds no violation",
        }
    );
    let _ = writeln!(
        o,
        "<h2>{}</h2>",
        if ja {
            "ゾーン間の新規通信の変化"
        } else {
            "New flows between zones"
        }
    );
    if d.flows.is_empty() {
        let _ = writeln!(o, "<p>{}</p>", if ja { "変化なし" } else { "No change" });
    }
    for p in &d.flows {
        let _ = writeln!(o, "<h3>{} → {}</h3>", esc(&p.src), esc(&p.dst));
        let _ = writeln!(
            o,
            "<table><tr><th></th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            if ja { "送信元" } else { "source" },
            if ja { "宛先" } else { "destination" },
            if ja { "サービス" } else { "services" },
            if ja { "例" } else { "example" }
        );
        html_flows(&mut o, "+", "gain", &p.gained, ja);
        html_flows(&mut o, "-", "lose", &p.lost, ja);
        let _ = writeln!(o, "</table>");
    }
    let _ = writeln!(o, "<h2>{}</h2>", if ja { "検出事項" } else { "Findings" });
    html_findings(&mut o, if ja { "新規" } else { "New" }, &d.findings.new, ja);
    html_findings(
        &mut o,
        if ja { "解消" } else { "Fixed" },
        &d.findings.fixed,
        ja,
    );
    html_findings(
        &mut o,
        if ja { "変化なし" } else { "Unchanged" },
        &d.findings.unchanged,
        ja,
    );
    let _ = writeln!(o, "<h2>{}</h2>", if ja { "検査項目" } else { "Checks" });
    let _ = writeln!(
        o,
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        if ja { "検査項目" } else { "rule" },
        if ja { "内容" } else { "title" },
        if ja { "変更前" } else { "before" },
        if ja { "変更後" } else { "after" }
    );
    for c in &d.checks {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.rule),
            esc(&c.title),
            status_label(c.old, ja),
            status_label(c.new, ja)
        );
    }
    let _ = writeln!(o, "</table>");
    let _ = writeln!(
        o,
        "<p>{}</p></body></html>",
        if ja {
            "範囲は差分集合の (送信元IP, 宛先IP, プロトコル, 宛先ポート) への厳密な射影です。"
        } else {
            "Ranges are the exact projection of the difference onto (source IP, destination IP, protocol, destination port)."
        }
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

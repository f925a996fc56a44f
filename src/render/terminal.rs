//! The terminal summary of an audit (`sanso audit`, the default format).

use crate::checks::audit::Audit;
use crate::checks::Status;
use crate::model::Snapshot;
use crate::render::Render;
use crate::report::{quote_cite, witness_text, Lang, Report};
use std::fmt::Write;

/// `sanso audit --format text`.
pub struct Terminal;

impl Render for Terminal {
    fn name(&self) -> &'static str {
        "text"
    }
    fn extension(&self) -> &'static str {
        "txt"
    }
    fn render(&self, audit: &Audit, report: &Report) -> String {
        terminal(report, report.lang, Some(&audit.snapshot))
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

/// A cited line with its (redacted) text when the snapshot is at hand.
fn cited(c: &str, snap: Option<&Snapshot>) -> String {
    match snap.and_then(|s| quote_cite(s, c)) {
        Some(t) => format!("{c}  {}", t.trim()),
        None => c.to_string(),
    }
}

/// The summary of `r` in `lang`; with the snapshot, cited lines are quoted.
pub fn terminal(r: &Report, lang: Lang, snap: Option<&Snapshot>) -> String {
    let mut o = String::new();
    let ja = lang == Lang::Ja;
    let total: u32 = r.parse.iter().map(|p| p.lines).sum();
    let unrec: usize = r.parse.iter().map(|p| p.unrecognized.len()).sum();
    let irrelevant: u32 = r.parse.iter().map(|p| p.irrelevant).sum();
    if ja {
        let _ = writeln!(
            o,
            "sanso 監査結果: {}（モデル {}）",
            r.snapshot.name, r.snapshot.model
        );
        let _ = writeln!(
            o,
            "設定ファイル {} 件 / {} 行、未解釈 {} 行{}",
            r.parse.len(),
            total,
            unrec,
            if irrelevant > 0 {
                format!("（転送に無関係と認識した行 {irrelevant}）")
            } else {
                String::new()
            }
        );
    } else {
        let _ = writeln!(
            o,
            "sanso audit: {} (model {})",
            r.snapshot.name, r.snapshot.model
        );
        let _ = writeln!(
            o,
            "{} config files / {} lines, {} not understood{}",
            r.parse.len(),
            total,
            unrec,
            if irrelevant > 0 {
                format!(" ({irrelevant} recognised as irrelevant to forwarding)")
            } else {
                String::new()
            }
        );
    }
    for p in &r.parse {
        if let Some(e) = &p.error {
            let _ = writeln!(o, "  ! {} — {}", p.file, e);
        }
    }
    // Links taken from device state or Batfish rather than topology.toml, with the lines
    // that report them (links inferred from shared subnets are in the JSON report).
    for l in &r.inferred_links {
        if let Some(from) = &l.from {
            let ev = l.evidence.join(", ");
            if ja {
                let _ = writeln!(o, "  リンク（{from} より）: {} — {}（{ev}）", l.a, l.b);
            } else {
                let _ = writeln!(o, "  link from {from}: {} — {} ({ev})", l.a, l.b);
            }
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", if ja { "検査項目:" } else { "Checks:" });
    for c in &r.checks {
        let _ = writeln!(
            o,
            "  [{:<8}] {:<20} {}{}",
            status_label(c.status, lang),
            c.rule,
            c.title,
            match (c.findings, ja) {
                (0, _) => String::new(),
                (n, true) => format!("（原因 {n} 件、{} 組）", c.pairs),
                (n, false) => format!(" (causes {n}, pairs {})", c.pairs),
            }
        );
        for t in c.unproven_by.iter().take(5) {
            let _ = writeln!(
                o,
                "             {} {}",
                if ja { "未解釈:" } else { "not understood:" },
                t
            );
        }
        let more = c.unproven_by.len().saturating_sub(5) + c.unproven_by_more;
        if more > 0 {
            let _ = writeln!(o, "             … +{more}");
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
                "   {}: {}{}",
                if ja { "証拠パケット" } else { "witness" },
                witness_text(w),
                match (f.spoofed, ja) {
                    (false, _) => "",
                    (true, true) => "（送信元アドレス詐称）",
                    (true, false) => " (spoofed source address)",
                }
            );
        }
        if !f.cause.is_empty() {
            let _ = writeln!(
                o,
                "   {}:",
                if ja {
                    "原因（決定行が先頭）"
                } else {
                    "cause (deciding line first)"
                }
            );
            for c in &f.cause {
                let _ = writeln!(o, "     {}", cited(c, snap));
            }
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
                "     - {} [{} → {}]",
                h.device,
                h.in_if.clone().unwrap_or_else(|| "-".into()),
                h.out.clone().unwrap_or_else(|| "-".into()),
            );
            for l in &h.lines {
                let _ = writeln!(o, "         {}", cited(l, snap));
            }
        }
        if !f.also.is_empty() {
            let _ = writeln!(
                o,
                "   {} ({}):",
                if ja {
                    "同じ原因で通信できる他の組"
                } else {
                    "other pairs with the same cause"
                },
                f.also.len()
            );
            for a in &f.also {
                let _ = writeln!(
                    o,
                    "     {} → {}{}",
                    a.src,
                    a.dst,
                    a.witness
                        .as_ref()
                        .map(|w| format!(" ({})", witness_text(w)))
                        .unwrap_or_default()
                );
            }
        }
        if let Some(c) = &f.caveat {
            let _ = writeln!(o, "   {}: {c}", if ja { "注意" } else { "caveat" });
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

/// ANSI colour for the bracketed status and severity tags of terminal text (`[違反 …]`,
/// `[VIOLATED]`, `[critical]` red; unproven, warning, medium yellow; pass green; not
/// applicable dim). Only for a terminal: the caller decides (NO_COLOR, pipes, files).
pub fn paint(text: &str) -> String {
    const TAGS: [(&str, &str); 13] = [
        ("違反", "1;31"),
        ("VIOLATED", "1;31"),
        ("critical", "1;31"),
        ("high", "31"),
        ("未証明", "33"),
        ("unproven", "33"),
        ("warning", "33"),
        ("medium", "33"),
        ("low", "36"),
        ("適合", "32"),
        ("pass", "32"),
        ("対象外", "2"),
        ("n/a", "2"),
    ];
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        // The first `[tag…]` of a line, when the tag is a status or severity.
        let hit = line.find('[').and_then(|a| {
            let b = a + line[a..].find(']')?;
            let tag = line[a + 1..b].trim_end();
            TAGS.iter()
                .find(|(t, _)| *t == tag)
                .map(|(_, code)| (a, b, *code))
        });
        match hit {
            Some((a, b, code)) => {
                out.push_str(&line[..a]);
                out.push_str(&format!("\x1b[{code}m{}\x1b[0m", &line[a..=b]));
                out.push_str(&line[b + 1..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod paint_tests {
    use super::paint;

    #[test]
    fn tags_are_coloured_and_nothing_else_changes() {
        assert_eq!(
            paint("  [違反      ] MN-ISOLATION\n  [適合      ] X\n"),
            "  \x1b[1;31m[違反      ]\x1b[0m MN-ISOLATION\n  \x1b[32m[適合      ]\x1b[0m X\n"
        );
        assert_eq!(
            paint("1. [critical] R — a [b]\n"),
            "1. \x1b[1;31m[critical]\x1b[0m R — a [b]\n"
        );
        // Not a status: left alone.
        assert_eq!(paint("[mn-core] x\nplain"), "[mn-core] x\nplain");
    }
}

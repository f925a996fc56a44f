//! `sanso diff` as text and HTML, from the [`Diff`] document.

use crate::query::diff::{CheckDiff, Diff, FlowRange, FlowSet};
use crate::render::esc;
use crate::report::{self, FindingOut, Lang};
use std::fmt::Write;
use std::net::Ipv4Addr;

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

fn services_text(r: &FlowRange, ja: bool) -> String {
    services_readable(&r.services, ja)
}

/// The smallest set of CIDR blocks covering exactly `first..=last`.
pub fn cidrs(first: u32, last: u32) -> Vec<String> {
    crate::model::range_prefixes(Ipv4Addr::from(first), Ipv4Addr::from(last))
        .into_iter()
        .map(|(a, l)| format!("{a}/{l}"))
        .collect()
}

/// A union of address intervals (sorted, disjoint, non-empty) as a person reads it: its
/// CIDR blocks when there are few, else the smallest block enclosing it minus what is
/// missing (`全アドレス（10.10.20.0/24 を除く）`, `192.168.100.0/24（192.168.100.10 を除く）`)
/// when that is shorter, else its intervals.
pub fn addrs_readable(iv: &[[u32; 2]], ja: bool) -> String {
    let short = |b: &str| b.strip_suffix("/32").unwrap_or(b).to_string();
    let list = |v: &[String]| v.iter().map(|b| short(b)).collect::<Vec<_>>().join(", ");
    let blocks: Vec<String> = iv.iter().flat_map(|r| cidrs(r[0], r[1])).collect();
    let (Some(first), Some(last)) = (iv.first(), iv.last()) else {
        return String::new();
    };
    let (lo, hi) = (first[0], last[1]);
    let bits = (lo ^ hi).leading_zeros();
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    let (elo, ehi) = (lo & mask, (lo & mask) | !mask);
    let mut comp = vec![];
    let mut next = elo as u64;
    for r in iv {
        if (r[0] as u64) > next {
            comp.extend(cidrs(next as u32, r[0] - 1));
        }
        next = r[1] as u64 + 1;
    }
    if next <= ehi as u64 {
        comp.extend(cidrs(next as u32, ehi));
    }
    let whole = if bits == 0 {
        (if ja { "全アドレス" } else { "any" }).to_string()
    } else {
        short(&format!("{}/{bits}", Ipv4Addr::from(elo)))
    };
    if comp.is_empty() {
        return whole;
    }
    if blocks.len() <= 3 {
        return list(&blocks);
    }
    if comp.len() + 1 < blocks.len() {
        return if ja {
            format!("{whole}（{} を除く）", list(&comp))
        } else {
            format!("{whole} except {}", list(&comp))
        };
    }
    iv.iter()
        .map(|r| match cidrs(r[0], r[1]).as_slice() {
            [one] => short(one),
            _ => format!("{}-{}", Ipv4Addr::from(r[0]), Ipv4Addr::from(r[1])),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn proto_label(p: u8) -> String {
    match p {
        1 | 6 | 17 | 132 => report::proto_name(p),
        _ => format!("proto {p}"),
    }
}

fn ports_join(ports: &[[u16; 2]]) -> String {
    ports
        .iter()
        .map(|r| {
            if r[0] == r[1] {
                r[0].to_string()
            } else {
                format!("{}-{}", r[0], r[1])
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Services as read by a person: the labels as they are when that is short, else "all
/// ports except" what is missing (`全ポート（tcp/25, 53, 443 を除く）`) when the
/// complement over protocols × destination ports is the shorter text.
pub fn services_readable(svcs: &[crate::query::diff::Service], ja: bool) -> String {
    let plain = svcs
        .iter()
        .map(|s| s.label.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    // Ports covered per protocol (port-less protocols: all or nothing).
    let has_ports = |p: u8| matches!(p, 6 | 17 | 132);
    let mut covered: Vec<Vec<[u16; 2]>> = vec![vec![]; 256];
    for s in svcs {
        for p in s.proto[0]..=s.proto[1] {
            if has_ports(p) {
                covered[p as usize].extend(s.dst_ports.iter().copied());
            } else {
                covered[p as usize] = vec![[0, 65535]];
            }
        }
    }
    let mut missing: Vec<String> = vec![];
    let mut whole_missing: Vec<u8> = vec![];
    for p in 0..=255u8 {
        let mut c = covered[p as usize].clone();
        c.sort_unstable();
        let mut gaps: Vec<[u16; 2]> = vec![];
        let mut next: u32 = 0;
        for r in &c {
            if r[0] as u32 > next {
                gaps.push([next as u16, r[0] - 1]);
            }
            next = next.max(r[1] as u32 + 1);
        }
        if next <= 65535 {
            gaps.push([next as u16, 65535]);
        }
        if gaps == [[0, 65535]] {
            whole_missing.push(p);
        } else if !gaps.is_empty() {
            missing.push(format!("{}/{}", proto_label(p), ports_join(&gaps)));
        }
    }
    // Whole protocols missing, as ranges.
    let mut runs: Vec<[u8; 2]> = vec![];
    for p in whole_missing {
        match runs.last_mut() {
            Some(r) if r[1] as u16 + 1 == p as u16 => r[1] = p,
            _ => runs.push([p, p]),
        }
    }
    for r in runs {
        missing.push(if r[0] == r[1] {
            proto_label(r[0])
        } else {
            format!("proto {}-{}", r[0], r[1])
        });
    }
    let all = if ja {
        "全サービス"
    } else {
        "all services"
    };
    if missing.is_empty() {
        return all.into();
    }
    let except = missing.join("; ");
    if except.len() >= plain.len() {
        return plain;
    }
    if ja {
        format!("全ポート（{except} を除く）")
    } else {
        format!("all ports except {except}")
    }
}

/// The ranges of a flow set merged for reading: boxes with the same destination and
/// services become one line with the union of their sources (then the same over
/// destinations), addresses written as CIDR blocks or complements. Each line keeps the
/// witness of its first box.
pub fn readable(fs: &FlowSet, ja: bool) -> Vec<(String, String, String, &FlowRange)> {
    let u = |a: Ipv4Addr| u32::from(a);
    let merge = |mut v: Vec<[u32; 2]>| {
        v.sort_unstable();
        let mut out: Vec<[u32; 2]> = vec![];
        for r in v {
            match out.last_mut() {
                Some(l) if l[1] as u64 + 1 >= r[0] as u64 => l[1] = l[1].max(r[1]),
                _ => out.push(r),
            }
        }
        out
    };
    // By (dst, services, tag): union of sources.
    type Key = (Vec<[u32; 2]>, String, bool);
    let mut by_dst: Vec<(Key, Vec<[u32; 2]>, &FlowRange)> = vec![];
    for r in &fs.ranges {
        let key = (
            vec![[u(r.dst_range[0]), u(r.dst_range[1])]],
            services_text(r, ja),
            r.other_headers_only,
        );
        let src = [u(r.src_range[0]), u(r.src_range[1])];
        match by_dst.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, v, _)) => v.push(src),
            None => by_dst.push((key, vec![src], r)),
        }
    }
    // Then by (sources, services, tag): union of destinations.
    let mut by_src: Vec<(Key, Vec<[u32; 2]>, &FlowRange)> = vec![];
    for ((dst, svc, tag), srcs, r) in by_dst {
        let key = (merge(srcs), svc, tag);
        match by_src.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, v, _)) => v.extend(dst),
            None => by_src.push((key, dst, r)),
        }
    }
    by_src
        .into_iter()
        .map(|((srcs, svc, _), dsts, r)| {
            (
                addrs_readable(&srcs, ja),
                addrs_readable(&merge(dsts), ja),
                svc,
                r,
            )
        })
        .collect()
}

fn other_tag(r: &FlowRange, ja: bool) -> &'static str {
    match (r.other_headers_only, ja) {
        (false, _) => "",
        (true, true) => "  [他ヘッダのみ]",
        (true, false) => "  [other headers only]",
    }
}

fn flowset_text(o: &mut String, sign: char, fs: &FlowSet, ja: bool) {
    for (src, dst, svc, r) in readable(fs, ja) {
        let _ = writeln!(o, "    {sign} {src} → {dst}  {svc}{}", other_tag(r, ja));
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
    for (i, x) in f.new.iter().enumerate() {
        finding_text(&mut o, '+', x, ja);
        for c in d.changed_lines.iter().filter(|c| c.finding == i) {
            let _ = writeln!(
                o,
                "        {} {}:",
                if ja {
                    "変更された設定行"
                } else {
                    "changed lines in"
                },
                c.file
            );
            for h in &c.hunks {
                for (k, l) in h.removed.iter().enumerate() {
                    let _ = writeln!(o, "          OLD {:>5} - {l}", h.old_line + k);
                }
                for (k, l) in h.added.iter().enumerate() {
                    let _ = writeln!(o, "          NEW {:>5} + {l}", h.new_line + k);
                }
            }
            if !c.complete {
                let _ = writeln!(o, "          …");
            }
        }
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

fn html_flows(o: &mut String, sign: &str, class: &str, fs: &FlowSet, ja: bool) {
    for (src, dst, svc, r) in readable(fs, ja) {
        let _ = writeln!(
            o,
            "<tr class=\"{class}\"><td>{sign}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code>{}</td><td><code>{}</code></td></tr>",
            esc(&src),
            esc(&dst),
            esc(&svc),
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

/// `changes`: the diff whose new findings these are, to show the lines behind each.
fn html_findings(o: &mut String, title: &str, fs: &[FindingOut], ja: bool, changes: Option<&Diff>) {
    let _ = writeln!(o, "<h3>{} ({})</h3>", esc(title), fs.len());
    if fs.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
        if ja { "重大度" } else { "severity" },
        if ja { "検査項目" } else { "rule" },
        if ja { "内容" } else { "finding" },
        if ja { "証拠パケット" } else { "witness" }
    );
    for (i, f) in fs.iter().enumerate() {
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
        if let Some(d) = changes {
            html_changes(o, d, i, ja);
        }
    }
    let _ = writeln!(o, "</table>");
}

/// Lines changed behind new finding `i`, as a table (OLD/NEW line numbers, - / +).
fn html_changes(o: &mut String, d: &Diff, i: usize, ja: bool) {
    for c in d.changed_lines.iter().filter(|c| c.finding == i) {
        let _ = writeln!(
            o,
            "<tr class=\"changes\"><td></td><td colspan=\"3\"><b>{}</b> <code>{}</code><table class=\"linediff\">",
            if ja { "変更された設定行" } else { "Changed lines in" },
            esc(&c.file)
        );
        for h in &c.hunks {
            for (k, l) in h.removed.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "<tr class=\"lose\"><td>OLD {}</td><td>-</td><td><code>{}</code></td></tr>",
                    h.old_line + k,
                    esc(l)
                );
            }
            for (k, l) in h.added.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "<tr class=\"gain\"><td>NEW {}</td><td>+</td><td><code>{}</code></td></tr>",
                    h.new_line + k,
                    esc(l)
                );
            }
        }
        if !c.complete {
            o.push_str("<tr><td colspan=\"3\">…</td></tr>");
        }
        o.push_str("</table></td></tr>\n");
    }
}

/// A self-contained HTML page in the style of report.html (shared CSS, A4 print layout,
/// contents, tool and rule-pack versions, guideline edition, generation time and the
/// SHA-256 of both snapshots' inputs); no scripts, every text escaped.
pub fn html(d: &Diff, lang: Lang, generated_at: u64) -> String {
    use crate::render::html::{inputs_table, meta_list, page_open, provenance, toc};
    let ja = lang == Lang::Ja;
    let mut o = String::new();
    let title = format!(
        "{}: {} → {}",
        if ja { "sanso 差分" } else { "sanso diff" },
        d.old.name,
        d.new.name
    );
    page_open(&mut o, lang, d.tool.version, &title);
    let _ = writeln!(o, "<header>\n<h1>{}</h1>", esc(&title));
    let side = |s: &crate::query::diff::SideInfo| match lang {
        Lang::Ja => format!(
            "{}（モデル {}、設定ファイル {} 件、未解釈 {} 行）",
            s.name, s.model, s.config_files, s.unrecognized
        ),
        Lang::En => format!(
            "{} (model {}, {} config files, {} lines not understood)",
            s.name, s.model, s.config_files, s.unrecognized
        ),
    };
    let mut rows: Vec<(&str, String)> = vec![
        (
            if ja {
                "変更前 (OLD)"
            } else {
                "Before (OLD)"
            },
            side(&d.old),
        ),
        (
            if ja { "変更後 (NEW)" } else { "After (NEW)" },
            side(&d.new),
        ),
    ];
    rows.extend(provenance(
        lang,
        d.tool.version,
        &d.tool.rules,
        generated_at,
    ));
    meta_list(&mut o, &rows);
    let (class, text) = match (d.verdict.violation_added, ja) {
        (true, true) => ("bad", "この変更は違反（または未証明）を追加します"),
        (true, false) => ("bad", "This change adds a violation (or an unproven check)"),
        (false, true) => ("good", "この変更による違反の追加はありません"),
        (false, false) => ("good", "This change adds no violation"),
    };
    let _ = writeln!(
        o,
        "<p class=\"verdict {class}\" id=\"verdict\">{text}</p>\n</header>"
    );
    let sections: Vec<(&str, String)> = vec![
        (
            "flows",
            (if ja {
                "ゾーン間の新規通信の変化"
            } else {
                "New flows between zones"
            })
            .into(),
        ),
        (
            "findings",
            (if ja { "検出事項" } else { "Findings" }).into(),
        ),
        ("checks", (if ja { "検査項目" } else { "Checks" }).into()),
        (
            "inputs",
            (if ja {
                "入力ファイルと SHA-256"
            } else {
                "Input files and SHA-256"
            })
            .into(),
        ),
    ];
    toc(&mut o, lang, &sections);
    let _ = writeln!(
        o,
        "<section id=\"flows\">\n<h2>{}</h2>",
        esc(&sections[0].1)
    );
    if d.flows.is_empty() {
        let _ = writeln!(o, "<p>{}</p>", if ja { "変化なし" } else { "No change" });
    }
    for p in &d.flows {
        let _ = writeln!(o, "<h3>{} → {}</h3>", esc(&p.src), esc(&p.dst));
        let _ = writeln!(
            o,
            "<table><thead><tr><th></th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
            if ja { "送信元" } else { "source" },
            if ja { "宛先" } else { "destination" },
            if ja { "サービス" } else { "services" },
            if ja { "例" } else { "example" }
        );
        html_flows(&mut o, "+", "gain", &p.gained, ja);
        html_flows(&mut o, "-", "lose", &p.lost, ja);
        let _ = writeln!(o, "</table>");
    }
    let _ = writeln!(
        o,
        "<p class=\"small\">{}</p>\n</section>",
        if ja {
            "範囲は差分集合の (送信元IP, 宛先IP, プロトコル, 宛先ポート) への厳密な射影です。"
        } else {
            "Ranges are the exact projection of the difference onto (source IP, destination IP, protocol, destination port)."
        }
    );
    let _ = writeln!(
        o,
        "<section id=\"findings\">\n<h2>{}</h2>",
        esc(&sections[1].1)
    );
    html_findings(
        &mut o,
        if ja { "新規" } else { "New" },
        &d.findings.new,
        ja,
        Some(d),
    );
    html_findings(
        &mut o,
        if ja { "解消" } else { "Fixed" },
        &d.findings.fixed,
        ja,
        None,
    );
    html_findings(
        &mut o,
        if ja { "変化なし" } else { "Unchanged" },
        &d.findings.unchanged,
        ja,
        None,
    );
    let _ = writeln!(
        o,
        "</section>\n<section id=\"checks\">\n<h2>{}</h2>",
        esc(&sections[2].1)
    );
    let _ = writeln!(
        o,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
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
    let _ = writeln!(
        o,
        "</table>\n</section>\n<section id=\"inputs\">\n<h2>{}</h2>",
        esc(&sections[3].1)
    );
    for (tag, s) in [("OLD", &d.old), ("NEW", &d.new)] {
        let rows: Vec<(String, String, u64)> = s
            .inputs
            .iter()
            .map(|i| (i.path.clone(), i.sha256.clone(), i.bytes))
            .collect();
        inputs_table(&mut o, lang, Some(&format!("{tag}: {}", s.name)), &rows);
    }
    let _ = write!(
        o,
        "</section>\n<footer>sanso {} · {} {} · {} · {}</footer>\n</body>\n</html>\n",
        esc(d.tool.version),
        if ja {
            "ルールパック"
        } else {
            "rule pack"
        },
        esc(&d.tool.rules),
        esc(&crate::render::clause::guideline()),
        esc(&crate::render::html::utc(generated_at))
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

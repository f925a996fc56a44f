//! `report.html`: one self-contained auditor report (inline CSS and SVG, no scripts, no
//! external assets). It renders data the audit already computed; cited config lines are
//! quoted from the snapshot as loaded ([`crate::report::quote`], redacted) and
//! HTML-escaped.

use crate::checks::audit::Audit;
use crate::checks::{Status, MANUAL};
use crate::render::{esc, status_ja, svg, tr, Render};
use crate::report::{self, FindingOut, Lang, Report};
use std::collections::BTreeMap;
use std::fmt::Write;

/// `report.html`, dated `generated_at` (Unix seconds) in its footer and header.
pub struct Html {
    pub generated_at: u64,
}

impl Render for Html {
    fn name(&self) -> &'static str {
        "html"
    }
    fn extension(&self) -> &'static str {
        "html"
    }
    fn render(&self, audit: &Audit, report: &Report) -> String {
        html(audit, report, self.generated_at)
    }
}

/// Worst first: what a clause shared by several rules is judged by.
fn rank(s: &str) -> u8 {
    match s {
        "violated" => 3,
        "unproven" => 2,
        "pass" => 1,
        _ => 0,
    }
}

fn status_label(s: &str, lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => status_ja(s),
        Lang::En => match s {
            "pass" => "pass",
            "violated" => "violated",
            "unproven" => "unproven",
            _ => "not applicable",
        },
    }
}

fn badge(s: &str, lang: Lang) -> String {
    format!(
        "<span class=\"badge st-{}\">{}</span>",
        esc(s),
        status_label(s, lang)
    )
}

/// `YYYY-MM-DD HH:MM:SS UTC` from Unix seconds (proleptic Gregorian calendar).
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days since 1970-01-01 to civil date (Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

const CSS: &str = r#"
:root{--mn:#7b4fa8;--lg:#3a7d34;--in:#2f6aa8;--bad:#d62728;--warn:#b26b00;--ok:#2e7d32}
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK JP","Noto Sans JP","IPAGothic","Hiragino Sans","Yu Gothic",Meiryo,sans-serif;
margin:0;padding:24px 32px;color:#1d1d1d;background:#fff;line-height:1.55;font-size:14px}
h1{font-size:24px;margin:0 0 6px}h2{font-size:19px;border-bottom:2px solid #333;padding-bottom:3px;margin-top:32px}
h3{font-size:16px;margin:0 0 6px}h4{font-size:14px;margin:12px 0 4px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #c8c8c8;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#f0f0f0;font-weight:600}
code,pre{font-family:"Noto Sans Mono CJK JP","DejaVu Sans Mono",monospace;font-size:12.5px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}
dl.meta dt{font-weight:600}dl.meta dd{margin:0}
.badge{display:inline-block;white-space:nowrap;padding:1px 8px;border-radius:10px;font-weight:700;font-size:12.5px;color:#fff}
.st-violated{background:var(--bad)}.st-unproven{background:var(--warn)}.st-pass{background:var(--ok)}.st-not-applicable{background:#888}
.verdict{font-size:17px;font-weight:700;padding:10px 14px;border-radius:6px;margin:12px 0}
.verdict.bad{background:#fde8e8;border:2px solid var(--bad)}.verdict.good{background:#e8f5e9;border:2px solid var(--ok)}
.verdict.warn{background:#fff4e0;border:2px solid var(--warn)}
.finding{border:1px solid #ccc;border-left:6px solid var(--bad);border-radius:4px;padding:12px 16px;margin:14px 0;page-break-inside:avoid}
.finding .msg{font-size:15px;margin:4px 0 8px}
.cite{margin:1px 0}.cite .loc{color:#555}.cite .src{background:#f6f6f6;padding:0 4px;white-space:pre-wrap}
.missing{color:var(--bad)}
figure{margin:8px 0;overflow-x:auto}figure svg{max-width:100%;height:auto}
.small{font-size:12.5px;color:#444}
.unrec td.text{white-space:pre-wrap}
footer{margin-top:36px;color:#666;font-size:12px;border-top:1px solid #ccc;padding-top:6px}
"#;

/// Render `report.html` of `r` (built from `a`, in `r.lang`) for `generated_at` (Unix
/// seconds).
pub fn html(a: &Audit, r: &Report, generated_at: u64) -> String {
    let lang = r.lang;
    let mut o = String::new();
    let title = format!(
        "{} {}",
        tr(lang, "三層の構え 監査報告書:", "三層の構え audit report:"),
        r.snapshot.name
    );
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"generator\" content=\"sanso {}\">\n<title>{}</title>\n<style>{}</style>\n\
         </head>\n<body>\n",
        tr(lang, "ja", "en"),
        esc(r.tool.version),
        esc(&title),
        CSS
    );
    header(&mut o, a, r, lang, generated_at, &title);
    clauses(&mut o, a, r, lang);
    checks(&mut o, a, r, lang);
    let extra: Vec<(String, Option<String>)> = r
        .findings
        .iter()
        .flat_map(|f| {
            [
                (f.src.clone(), f.src_point.clone()),
                (f.dst.clone(), f.dst_point.clone()),
            ]
        })
        .collect();
    let diagram = svg::layout(&a.snapshot, &svg::points_of(&extra));
    let routes: Vec<svg::Route> = r
        .findings
        .iter()
        .filter(|f| !f.path.is_empty())
        .map(|f| route(&diagram, a, f))
        .collect();
    let _ = write!(
        o,
        "<section id=\"topology\">\n<h2>{}</h2>\n<p class=\"small\">{}</p>\n<figure>{}</figure>\n</section>\n",
        tr(lang, "構成図", "Network picture"),
        tr(
            lang,
            "領域（ゾーン）を層ごとに列で示し、機器とリンクを描いています。赤線は検出事項の経路です。点線はゾーンの接続位置（設定から推定した図示用の配置）です。",
            "Zones are grouped by tier in columns, with devices and links. Red lines are the paths of findings; dashed lines show where zones attach (placement inferred for the picture)."
        ),
        svg::render(
            &diagram,
            &routes,
            lang,
            "topo-all",
            tr(lang, "ネットワーク構成と違反経路", "Network and violating paths")
        )
    );
    findings(&mut o, a, r, lang, &diagram);
    coverage(&mut o, r, lang);
    manual(&mut o, lang);
    ransomware(&mut o, a, lang);
    let _ = write!(
        o,
        "<footer>sanso {} · {} {} · {}</footer>\n</body>\n</html>\n",
        esc(r.tool.version),
        tr(lang, "ルールパック", "rule pack"),
        esc(&r.tool.rules),
        esc(&utc(generated_at))
    );
    o
}

fn route(d: &svg::Diagram, a: &Audit, f: &FindingOut) -> svg::Route {
    let devices: Vec<String> = f.path.iter().map(|h| h.device.clone()).collect();
    d.route(&a.snapshot, &f.src, &devices, &f.dst)
}

fn header(o: &mut String, a: &Audit, r: &Report, lang: Lang, at: u64, title: &str) {
    let lines: u32 = r.parse.iter().map(|p| p.lines).sum();
    let unrec: usize = r.parse.iter().map(|p| p.unrecognized.len()).sum();
    let _ = write!(o, "<header>\n<h1>{}</h1>\n<dl class=\"meta\">", esc(title));
    let rows: [(&str, String); 6] = [
        (tr(lang, "団体", "Organisation"), r.snapshot.name.clone()),
        (tr(lang, "モデル", "Model"), r.snapshot.model.clone()),
        (
            tr(lang, "設定ファイル", "Config files"),
            match lang {
                Lang::Ja => format!("{} 件 / {} 行、未解釈 {} 行", r.parse.len(), lines, unrec),
                Lang::En => format!(
                    "{} files / {} lines, {} not understood",
                    r.parse.len(),
                    lines,
                    unrec
                ),
            },
        ),
        (
            tr(lang, "ツール", "Tool"),
            format!("sanso {}", r.tool.version),
        ),
        (tr(lang, "ルールパック", "Rule pack"), r.tool.rules.clone()),
        (tr(lang, "作成日時", "Generated"), utc(at)),
    ];
    for (k, v) in rows {
        let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    o.push_str("</dl>\n");
    let count = |s: Status| a.eval.checks.iter().filter(|c| c.status == s).count();
    let (v, u, p) = (
        count(Status::Violated),
        count(Status::Unproven),
        count(Status::Pass),
    );
    let class = if v > 0 {
        "bad"
    } else if u > 0 {
        "warn"
    } else {
        "good"
    };
    let text = match lang {
        Lang::Ja => format!(
            "総合判定: 違反 {v} 項目、未証明 {u} 項目、適合 {p} 項目（検出事項 {} 件）",
            r.findings.len()
        ),
        Lang::En => format!(
            "Overall: {v} violated, {u} unproven, {p} pass ({} findings)",
            r.findings.len()
        ),
    };
    let _ = write!(
        o,
        "<p class=\"verdict {class}\" id=\"verdict\">{}</p>\n</header>\n",
        esc(&text)
    );
}

/// Verdict per guideline clause: each rule's clause field lists clause ids separated by
/// `;`; a clause is as bad as the worst rule citing it.
fn clauses(o: &mut String, a: &Audit, r: &Report, lang: Lang) {
    let mut by: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
    for c in &r.checks {
        let rule = a.rules.iter().find(|x| x.id == c.rule);
        let clause = rule.map(|x| x.clause.as_str()).unwrap_or(&c.clause);
        for part in clause.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            by.entry(part.to_string())
                .or_default()
                .push((c.rule.as_str(), c.status));
        }
    }
    let _ = write!(
        o,
        "<section id=\"clauses\">\n<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        tr(lang, "条項別判定", "Verdict per guideline clause"),
        tr(lang, "ガイドライン条項", "Guideline clause"),
        tr(lang, "判定", "Verdict"),
        tr(lang, "検査項目", "Checks"),
    );
    for (clause, rules) in &by {
        let worst = rules
            .iter()
            .map(|(_, s)| *s)
            .max_by_key(|s| rank(s))
            .unwrap_or("not-applicable");
        let list: Vec<String> = rules
            .iter()
            .map(|(id, s)| format!("<a href=\"#rule-{0}\">{0}</a> {1}", esc(id), badge(s, lang)))
            .collect();
        let _ = writeln!(
            o,
            "<tr class=\"clause\"><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(clause),
            badge(worst, lang),
            list.join("<br>")
        );
    }
    o.push_str("</table>\n</section>\n");
}

fn checks(o: &mut String, a: &Audit, r: &Report, lang: Lang) {
    let _ = write!(
        o,
        "<section id=\"checks\">\n<h2>{}</h2>\n<table>\n<tr><th>ID</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        tr(lang, "検査項目", "Checks"),
        tr(lang, "項目", "Check"),
        tr(lang, "根拠条項", "Clause"),
        tr(lang, "判定", "Verdict"),
        tr(lang, "検出件数", "Findings"),
        tr(lang, "趣旨・是正策", "Rationale and remediation"),
    );
    for c in &r.checks {
        let n = r.findings.iter().filter(|f| f.rule == c.rule).count();
        let rule = a.rules.iter().find(|x| x.id == c.rule);
        let (why, fix) = match (rule, lang) {
            (Some(x), Lang::Ja) => (x.rationale_ja.as_str(), x.remediation_ja.as_str()),
            (Some(x), Lang::En) => (x.rationale_en.as_str(), x.remediation_en.as_str()),
            (None, _) => ("", ""),
        };
        let _ = write!(
            o,
            "<tr id=\"rule-{id}\" class=\"check\"><td><code>{id}</code></td><td>{title}</td><td>{clause}</td><td>{st}</td><td>{n}</td>\
             <td class=\"small\"><p>{why}</p><p><b>{fixl}</b> {fix}</p>",
            id = esc(&c.rule),
            title = esc(&c.title),
            clause = esc(&c.clause),
            st = badge(c.status, lang),
            why = esc(why.trim()),
            fixl = tr(lang, "是正策:", "Remediation:"),
            fix = esc(fix.trim()),
        );
        if !c.unproven_by.is_empty() {
            let _ = write!(
                o,
                "<p><b>{}</b></p><ul class=\"taint\">",
                tr(
                    lang,
                    "判定に影響しうる未解釈行:",
                    "Lines not understood that may change this result:"
                )
            );
            for t in &c.unproven_by {
                let _ = write!(o, "<li><code>{}</code></li>", esc(&redact_cite(t)));
            }
            if c.unproven_by_more > 0 {
                let _ = write!(
                    o,
                    "<li>{}</li>",
                    match lang {
                        Lang::Ja => format!(
                            "ほか {} 行（各ファイルの未解釈行は「解析結果」に一覧）",
                            c.unproven_by_more
                        ),
                        Lang::En => format!(
                            "and {} more (every file's lines not understood are listed under parse coverage)",
                            c.unproven_by_more
                        ),
                    }
                );
            }
            o.push_str("</ul>");
        }
        if let (Some(note), "unproven") = (&c.note, c.status) {
            let _ = write!(o, "<p>{}</p>", esc(note));
        }
        o.push_str("</td></tr>\n");
    }
    o.push_str("</table>\n</section>\n");
}

/// `file:line: text (reason)` with the text part redacted once more (defence in depth).
fn redact_cite(t: &str) -> String {
    crate::ingest::redact::redact_line(t)
}

fn findings(o: &mut String, a: &Audit, r: &Report, lang: Lang, d: &svg::Diagram) {
    let _ = write!(
        o,
        "<section id=\"findings\">\n<h2>{} ({})</h2>\n",
        tr(lang, "検出事項", "Findings"),
        r.findings.len()
    );
    if r.findings.is_empty() {
        let _ = writeln!(
            o,
            "<p>{}</p>",
            tr(lang, "検出事項はありません。", "No findings.")
        );
    }
    for (i, f) in r.findings.iter().enumerate() {
        let n = i + 1;
        let rule = a.rules.iter().find(|x| x.id == f.rule);
        let title = rule
            .map(|x| match lang {
                Lang::Ja => x.title_ja.as_str(),
                Lang::En => x.title_en.as_str(),
            })
            .unwrap_or("");
        let _ = write!(
            o,
            "<article class=\"finding sev-{sev}\" id=\"finding-{n}\" data-rule=\"{id}\">\n\
             <h3>{n}. <code class=\"rule\">{id}</code> [{sev}] {title}</h3>\n<p class=\"msg\">{msg}</p>\n<dl class=\"meta\">",
            sev = esc(&f.severity),
            id = esc(&f.rule),
            title = esc(title),
            msg = esc(&f.message),
        );
        let mut meta = vec![
            (tr(lang, "根拠条項", "Clause"), f.clause.clone()),
            (tr(lang, "送信元", "Source"), f.src.clone()),
            (tr(lang, "宛先", "Destination"), f.dst.clone()),
        ];
        if let Some(flow) = &f.flow {
            meta.push((tr(lang, "対象の通信", "Declared flow"), flow.clone()));
        }
        if let Some(p) = &f.src_point {
            meta.push((tr(lang, "入口", "Enters at"), p.clone()));
        }
        if let Some(p) = &f.dst_point {
            meta.push((tr(lang, "出口", "Leaves at"), p.clone()));
        }
        for (k, v) in meta {
            let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
        }
        o.push_str("</dl>\n");
        if let Some(c) = &f.caveat {
            let _ = writeln!(
                o,
                "<p class=\"caveat\">{}: {}</p>",
                tr(lang, "注意", "Caveat"),
                esc(c)
            );
        }
        if let Some(w) = &f.witness {
            let _ = write!(
                o,
                "<h4>{}</h4>\n<p><code class=\"witness\">{}</code></p>\n<table class=\"witness\">",
                tr(lang, "証拠パケット", "Witness packet"),
                esc(&report::witness_text(w))
            );
            let mut rows: Vec<(&str, String)> = vec![];
            if let Some(m) = &w.src_mac {
                rows.push((tr(lang, "送信元 MAC", "Source MAC"), m.clone()));
            }
            rows.push((tr(lang, "送信元 IP", "Source IP"), w.src_ip.clone()));
            if let Some(p) = w.src_port {
                rows.push((tr(lang, "送信元ポート", "Source port"), p.to_string()));
            }
            rows.push((tr(lang, "宛先 IP", "Destination IP"), w.dst_ip.clone()));
            if let Some(p) = w.dst_port {
                rows.push((tr(lang, "宛先ポート", "Destination port"), p.to_string()));
            }
            rows.push((tr(lang, "プロトコル", "Protocol"), w.proto.clone()));
            if let Some(t) = w.icmp_type {
                rows.push(("ICMP type", t.to_string()));
            }
            if let Some(v) = w.vlan {
                rows.push(("VLAN", v.to_string()));
            }
            for (k, v) in rows {
                let _ = write!(o, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
            }
            o.push_str("</table>\n");
        }
        if !f.path.is_empty() {
            let _ = write!(
                o,
                "<h4>{}</h4>\n<table class=\"path\"><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
                tr(lang, "経路（機器ごと）", "Path (hop by hop)"),
                tr(lang, "機器", "Device"),
                tr(lang, "入力", "In"),
                tr(lang, "出力", "Out"),
                tr(lang, "通過を許した設定行", "Config lines that let it through"),
            );
            for (k, h) in f.path.iter().enumerate() {
                let _ = write!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>",
                    k + 1,
                    esc(&h.device),
                    esc(h.in_if.as_deref().unwrap_or("-")),
                    esc(h.out.as_deref().unwrap_or("-")),
                );
                for cite in &h.lines {
                    match report::quote_cite(&a.snapshot, cite) {
                        Some(text) => {
                            let _ = write!(
                                o,
                                "<div class=\"cite\"><code class=\"loc\">{}</code> <code class=\"src\">{}</code></div>",
                                esc(cite),
                                esc(&text)
                            );
                        }
                        None => {
                            let _ = write!(
                                o,
                                "<div class=\"cite\"><code class=\"loc\">{}</code> <span class=\"missing\">{}</span></div>",
                                esc(cite),
                                tr(lang, "（行を読めません）", "(line unavailable)")
                            );
                        }
                    }
                }
                o.push_str("</td></tr>\n");
            }
            o.push_str("</table>\n");
            let _ = writeln!(
                o,
                "<figure>{}</figure>",
                svg::render(
                    d,
                    &[route(d, a, f)],
                    lang,
                    &format!("topo-{n}"),
                    &format!("{} {n}", tr(lang, "検出事項", "Finding")),
                )
            );
        }
        if let Some(x) = rule {
            let fix = match lang {
                Lang::Ja => &x.remediation_ja,
                Lang::En => &x.remediation_en,
            };
            let _ = write!(
                o,
                "<h4>{}</h4>\n<p>{}</p>\n",
                tr(lang, "是正策", "Remediation"),
                esc(fix.trim())
            );
        }
        o.push_str("</article>\n");
    }
    o.push_str("</section>\n");
}

fn coverage(o: &mut String, r: &Report, lang: Lang) {
    let _ = write!(
        o,
        "<section id=\"coverage\">\n<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        tr(lang, "設定ファイルの解釈状況", "Parse coverage"),
        tr(lang, "ファイル", "File"),
        tr(lang, "方言", "Dialect"),
        tr(lang, "機器", "Device"),
        tr(lang, "行数", "Lines"),
        tr(lang, "解釈済み", "Understood"),
        tr(lang, "未解釈", "Not understood"),
        tr(lang, "解釈率", "Coverage"),
    );
    for p in &r.parse {
        let un = p.unrecognized.len() as u32;
        let ok = p.lines.saturating_sub(un);
        // Per-mille in integers: no float formatting differences between platforms.
        let pm = if p.lines == 0 {
            0
        } else {
            u64::from(ok) * 1000 / u64::from(p.lines)
        };
        let _ = writeln!(
            o,
            "<tr class=\"file\"><td><a href=\"#unrec-{f}\"><code>{f}</code></a></td><td>{}</td><td>{}</td><td>{}</td><td>{ok}</td><td>{un}</td><td>{}.{}%</td></tr>",
            esc(&p.dialect),
            esc(p.device.as_deref().unwrap_or("-")),
            p.lines,
            pm / 10,
            pm % 10,
            f = esc(&p.file),
        );
    }
    o.push_str("</table>\n");
    for p in &r.parse {
        let _ = writeln!(
            o,
            "<h3 id=\"unrec-{f}\"><code>{f}</code></h3>",
            f = esc(&p.file)
        );
        if let Some(e) = &p.error {
            let _ = writeln!(
                o,
                "<p class=\"missing\">{} {}</p>",
                tr(
                    lang,
                    "解析できません（全検査項目が未証明になります）:",
                    "Cannot be parsed (every check becomes unproven):"
                ),
                esc(e)
            );
            continue;
        }
        if p.unrecognized.is_empty() {
            let _ = writeln!(
                o,
                "<p class=\"small\">{}</p>",
                tr(
                    lang,
                    "すべての行を解釈しました。",
                    "Every line was understood."
                )
            );
            continue;
        }
        let _ = writeln!(
            o,
            "<table class=\"unrec\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            tr(lang, "行", "Line"),
            tr(lang, "内容", "Text"),
            tr(lang, "理由", "Reason"),
        );
        for u in &p.unrecognized {
            let _ = writeln!(
                o,
                "<tr><td>{}:{}</td><td class=\"text\"><code>{}</code></td><td>{}</td></tr>",
                esc(&p.file),
                u.line,
                esc(&crate::ingest::redact::redact_line(&u.text)),
                esc(&u.reason)
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str("</section>\n");
}

fn manual(o: &mut String, lang: Lang) {
    let _ = write!(
        o,
        "<section id=\"manual\">\n<h2>{}</h2>\n<p class=\"small\">{}</p>\n<ul>",
        tr(lang, "要手動確認項目", "Items to confirm by hand"),
        tr(
            lang,
            "設定からは証明できないため、監査人が別途確認してください。",
            "Configuration cannot prove these; the auditor confirms them separately."
        )
    );
    for m in MANUAL {
        let label = match lang {
            Lang::Ja => m.title_ja,
            Lang::En => m.title_en,
        };
        let _ = write!(
            o,
            "<li><code>{}</code> {} <span class=\"small\">({})</span></li>",
            esc(m.id),
            esc(label),
            esc(m.clause)
        );
    }
    o.push_str("</ul>\n</section>\n");
}

/// The 11 ransomware items (data/ransomware-11.toml) with the checks that cover them.
fn ransomware(o: &mut String, a: &Audit, lang: Lang) {
    let (source, items) = crate::checks::manual::ransomware();
    let _ = write!(
        o,
        "<section id=\"ransomware\">\n<h2>{}</h2>\n<p class=\"small\">{}</p>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        tr(lang, "ランサムウェア対策 11項目", "The 11 ransomware items"),
        esc(&source),
        tr(lang, "項番", "No."),
        tr(lang, "確認項目", "Item"),
        tr(lang, "判定", "Verdict"),
        tr(lang, "対応するチェック", "Checks"),
        tr(lang, "手動確認", "To confirm by hand"),
    );
    for it in &items {
        let (verdict, _, checks) = crate::render::checklist::ransom_verdict(a, it);
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            it.no,
            esc(&it.text),
            esc(verdict),
            esc(&checks),
            esc(&it.manual)
        );
    }
    o.push_str("</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("三層の構え"), "三層の構え");
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(4_107_542_399), "2100-02-28 23:59:59 UTC");
    }
}

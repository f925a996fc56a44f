//! `report.html`: one self-contained auditor report (inline CSS and SVG, no scripts, no
//! external assets). It renders data the audit already computed; cited config lines are
//! quoted from the snapshot as loaded ([`crate::report::quote`], redacted) and
//! HTML-escaped.

use crate::checks::audit::Audit;
use crate::checks::Status;
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
nav.toc ol{margin:4px 0 0;padding-left:22px}nav.toc{border:1px solid #ccc;border-radius:4px;padding:8px 14px;margin:12px 0}
td.num,th.num{text-align:right}td.hash code{font-size:11px;word-break:break-all}
tr.group th{background:#e4e4e4}
details{margin:4px 0}details>summary{cursor:pointer;font-weight:600}
tr,.cite,figure,dl.meta,.verdict,nav.toc,li{break-inside:avoid;page-break-inside:avoid}
h2,h3,h4{break-after:avoid;page-break-after:avoid}
thead{display:table-header-group}
@page{size:A4;margin:14mm 12mm 16mm}
@media print{
body{padding:0;font-size:10pt;line-height:1.4}
section{break-before:page;page-break-before:always}
h2{margin-top:0}
figure{overflow:visible}figure svg{max-width:100%;height:auto}
.finding{break-inside:auto;page-break-inside:auto}
a{color:inherit;text-decoration:none}
details>summary{list-style:none}
}
"#;

/// `<!DOCTYPE html>` … `<body>` of a sanso page: language, generator, title, the shared
/// CSS (screen and A4 print). `report.html` and `diff.html` both start with it.
pub(crate) fn page_open(o: &mut String, lang: Lang, version: &str, title: &str) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"generator\" content=\"sanso {}\">\n<title>{}</title>\n<style>{}</style>\n\
         </head>\n<body>\n",
        tr(lang, "ja", "en"),
        esc(version),
        esc(title),
        CSS
    );
}

/// Provenance rows shared by every page: tool and rule-pack versions, the guideline
/// edition the clauses cite, the generation time.
pub(crate) fn provenance(
    lang: Lang,
    version: &str,
    rules: &str,
    at: u64,
) -> [(&'static str, String); 4] {
    [
        (tr(lang, "ツール", "Tool"), format!("sanso {version}")),
        (tr(lang, "ルールパック", "Rule pack"), rules.to_string()),
        (
            tr(lang, "準拠ガイドライン", "Guideline cited"),
            crate::render::clause::guideline(),
        ),
        (tr(lang, "作成日時", "Generated"), utc(at)),
    ]
}

/// `<dl class="meta">` of label/value rows.
pub(crate) fn meta_list(o: &mut String, rows: &[(&str, String)]) {
    o.push_str("<dl class=\"meta\">");
    for (k, v) in rows {
        let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    o.push_str("</dl>\n");
}

/// A table of contents over `(anchor, label)` entries.
pub(crate) fn toc(o: &mut String, lang: Lang, entries: &[(&str, String)]) {
    let _ = write!(
        o,
        "<nav class=\"toc\" id=\"toc\"><b>{}</b><ol>",
        tr(lang, "目次", "Contents")
    );
    for (id, label) in entries {
        let _ = write!(o, "<li><a href=\"#{}\">{}</a></li>", esc(id), esc(label));
    }
    o.push_str("</ol></nav>\n");
}

/// One table of input files with their size and SHA-256, as the loader recorded them
/// (`caption` names the snapshot on a diff page).
pub(crate) fn inputs_table(
    o: &mut String,
    lang: Lang,
    caption: Option<&str>,
    inputs: &[(String, String, u64)],
) {
    o.push_str("<table class=\"inputs\">");
    if let Some(c) = caption {
        let _ = write!(o, "<caption>{}</caption>", esc(c));
    }
    let _ = writeln!(
        o,
        "<thead><tr><th>{}</th><th class=\"num\">{}</th><th>SHA-256</th></tr></thead>",
        tr(lang, "ファイル", "File"),
        tr(lang, "バイト数", "Bytes"),
    );
    for (path, sha, len) in inputs {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td class=\"num\">{len}</td><td class=\"hash\"><code>{}</code></td></tr>",
            esc(path),
            esc(sha)
        );
    }
    o.push_str("</table>\n");
}

/// Above this many zones and devices the overview shows parts (municipalities) as
/// aggregates with a picture per part, not one picture of everything.
const OVERVIEW_DETAIL_MAX: usize = 60;

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
    page_open(&mut o, lang, r.tool.version, &title);
    header(&mut o, a, r, lang, generated_at, &title);
    let sections: Vec<(&str, String)> = vec![
        (
            "clauses",
            tr(lang, "条項別判定", "Verdict per guideline clause").into(),
        ),
        ("checks", tr(lang, "検査項目", "Checks").into()),
        ("topology", tr(lang, "構成図", "Network picture").into()),
        (
            "findings",
            format!(
                "{} ({})",
                tr(lang, "検出事項", "Findings"),
                r.findings.len()
            ),
        ),
        (
            "devices",
            tr(
                lang,
                "機器ごとの読み取り結果",
                "What sanso read, per device",
            )
            .into(),
        ),
        (
            "manual",
            tr(lang, "要手動確認項目", "Items to confirm by hand").into(),
        ),
        (
            "ransomware",
            tr(lang, "ランサムウェア対策 11項目", "The 11 ransomware items").into(),
        ),
        (
            "inputs",
            tr(lang, "入力ファイルと SHA-256", "Input files and SHA-256").into(),
        ),
    ];
    toc(&mut o, lang, &sections);
    clauses(&mut o, a, r, lang);
    checks(&mut o, a, r, lang);
    topology(&mut o, a, r, lang);
    findings(&mut o, a, r, lang);
    devices(&mut o, r, lang);
    manual(&mut o, &r.snapshot.model, lang);
    ransomware(&mut o, a, lang);
    let _ = write!(
        o,
        "<section id=\"inputs\">\n<h2>{}</h2>\n<p class=\"small\">{}</p>\n",
        tr(lang, "入力ファイルと SHA-256", "Input files and SHA-256"),
        tr(
            lang,
            "監査に用いた設定ファイル・インベントリのハッシュ値（読み込んだ時点のもの）。",
            "Hashes of the configuration and inventory files audited, as they were read."
        )
    );
    inputs_table(&mut o, lang, None, &a.snapshot.input_hashes());
    o.push_str("</section>\n");
    let _ = write!(
        o,
        "<footer>sanso {} · {} {} · {} {} · {} · {}</footer>\n</body>\n</html>\n",
        esc(r.tool.version),
        tr(lang, "ルールパック", "rule pack"),
        esc(&r.tool.rules),
        tr(
            lang,
            "既知の悪用脆弱性表",
            "known-exploited vulnerability table"
        ),
        esc(&r.tool.kev_table),
        esc(&crate::render::clause::guideline()),
        esc(&utc(generated_at))
    );
    o
}

/// The overview picture. A small snapshot is drawn whole with every finding's route; a
/// large one (a prefecture) as a table of parts — municipalities by zone-name prefix —
/// per tier, each part's own picture folded under it.
fn topology(o: &mut String, a: &Audit, r: &Report, lang: Lang) {
    let snap = &a.snapshot;
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
    let points = svg::points_of(&extra);
    let _ = write!(
        o,
        "<section id=\"topology\">\n<h2>{}</h2>\n",
        tr(lang, "構成図", "Network picture")
    );
    if snap.zones.len() + snap.devices.len() <= OVERVIEW_DETAIL_MAX {
        let diagram = svg::layout(snap, &points);
        let routes: Vec<svg::Route> = r
            .findings
            .iter()
            .filter(|f| !f.path.is_empty())
            .map(|f| {
                let devices: Vec<String> = f.path.iter().map(|h| h.device.clone()).collect();
                diagram.route(snap, &f.src, &devices, &f.dst)
            })
            .collect();
        let _ = write!(
            o,
            "<p class=\"small\">{}</p>\n<figure>{}</figure>\n</section>\n",
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
        return;
    }
    // Parts: zones by name prefix; findings count for the parts of their source and
    // destination zones.
    let znames: Vec<&str> = snap.zones.iter().map(|z| z.name.as_str()).collect();
    let zgroup = svg::groups(&znames);
    // A device belongs to the municipality its name prefix names, if that is a part.
    let dgroup: Vec<Option<String>> = snap
        .devices
        .iter()
        .map(|d| {
            d.name
                .split_once('-')
                .map(|(p, _)| p.to_string())
                .filter(|p| zgroup.iter().any(|g| g.as_deref() == Some(p.as_str())))
        })
        .collect();
    let other = tr(lang, "共通・その他", "Shared / other").to_string();
    let key = |g: &Option<String>| g.clone().unwrap_or_else(|| other.clone());
    let mut parts: BTreeMap<String, ([usize; 4], [usize; 4], usize)> = BTreeMap::new();
    let col = |t: crate::model::Tier| match t {
        crate::model::Tier::Mynumber => 0,
        crate::model::Tier::Lgwan => 1,
        crate::model::Tier::Internet => 2,
        crate::model::Tier::External => 3,
    };
    for (z, g) in snap.zones.iter().zip(&zgroup) {
        parts.entry(key(g)).or_default().0[col(z.tier)] += 1;
    }
    let dtier = device_tiers(a);
    for (i, g) in dgroup.iter().enumerate() {
        parts.entry(key(g)).or_default().1[col(dtier[i])] += 1;
    }
    let zone_part = |name: &str| -> String {
        let z = svg::zone_of_name(snap, name);
        key(&z.and_then(|z| zgroup[z].clone()))
    };
    for f in &r.findings {
        let (s, d) = (zone_part(&f.src), zone_part(&f.dst));
        parts.entry(s.clone()).or_default().2 += 1;
        if d != s {
            parts.entry(d).or_default().2 += 1;
        }
    }
    let tiers = [
        crate::model::Tier::Mynumber,
        crate::model::Tier::Lgwan,
        crate::model::Tier::Internet,
        crate::model::Tier::External,
    ];
    let _ = write!(
        o,
        "<p class=\"small\">{}</p>\n<table class=\"overview\"><thead><tr><th>{}</th>",
        esc(&match lang {
            Lang::Ja => format!(
                "ゾーン {} 件・機器 {} 台のため、団体（ゾーン名の先頭「-」より前）ごとに集計して示します。各団体の構成図は行の下の「構成図」を開いてください。",
                snap.zones.len(),
                snap.devices.len()
            ),
            Lang::En => format!(
                "{} zones and {} devices: shown per part (municipality: the zone name before its first `-`). Open a part's picture under its row.",
                snap.zones.len(),
                snap.devices.len()
            ),
        }),
        tr(lang, "団体", "Part"),
    );
    for t in tiers {
        let _ = write!(o, "<th>{}</th>", esc(crate::report::tier_name(t, lang)));
    }
    let _ = writeln!(
        o,
        "<th class=\"num\">{}</th></tr></thead>",
        tr(lang, "検出事項", "Findings")
    );
    let cell = |z: usize, d: usize| match lang {
        Lang::Ja => format!("ゾーン {z} / 機器 {d}"),
        Lang::En => format!("{z} zones / {d} devices"),
    };
    for (name, (zs, ds, nf)) in &parts {
        let _ = write!(o, "<tr class=\"part\"><th>{}</th>", esc(name));
        for c in 0..4 {
            let _ = write!(o, "<td>{}</td>", esc(&cell(zs[c], ds[c])));
        }
        let _ = writeln!(o, "<td class=\"num\">{nf}</td></tr>");
    }
    o.push_str("</table>\n");
    for name in parts.keys() {
        let keep = |z: usize| key(&zgroup[z]) == *name;
        let d = svg::layout_part(snap, &points, &keep);
        let _ = writeln!(
            o,
            "<details class=\"part\"><summary>{} {}</summary><figure>{}</figure></details>",
            esc(name),
            tr(lang, "構成図", "picture"),
            svg::render(
                &d,
                &[],
                lang,
                &format!("topo-part-{}", esc(name)),
                &format!("{} {}", name, tr(lang, "構成図", "picture"))
            )
        );
    }
    o.push_str("</section>\n");
}

/// The tier each device is drawn in (lowest internal tier among its zones), per device.
fn device_tiers(a: &Audit) -> Vec<crate::model::Tier> {
    let d = svg::layout(&a.snapshot, &[]);
    a.snapshot
        .devices
        .iter()
        .map(|dev| {
            d.find(svg::Kind::Device, &dev.name)
                .map_or(crate::model::Tier::External, |i| d.columns[d.nodes[i].col])
        })
        .collect()
}

fn header(o: &mut String, a: &Audit, r: &Report, lang: Lang, at: u64, title: &str) {
    let lines: u32 = r.parse.iter().map(|p| p.lines).sum();
    let unrec: usize = r.parse.iter().map(|p| p.unrecognized.len()).sum();
    let _ = write!(o, "<header>\n<h1>{}</h1>\n", esc(title));
    let mut rows: Vec<(&str, String)> = vec![
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
    ];
    rows.extend(provenance(lang, r.tool.version, &r.tool.rules, at));
    rows.push((
        tr(lang, "入力の SHA-256", "Input SHA-256"),
        match lang {
            Lang::Ja => format!(
                "{} 件（末尾の「入力ファイルと SHA-256」）",
                a.snapshot.input_hashes().len()
            ),
            Lang::En => format!(
                "{} files (see “Input files and SHA-256” at the end)",
                a.snapshot.input_hashes().len()
            ),
        },
    ));
    meta_list(o, &rows);
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

/// Verdict per guideline section: each rule's clause string (kept whole, never split at
/// `;`) under every section it cites, headed by the section's full Japanese heading; a
/// section is as bad as the worst rule citing it.
fn clauses(o: &mut String, a: &Audit, r: &Report, lang: Lang) {
    use crate::render::clause;
    let mut by: BTreeMap<String, Vec<(&str, &str, &str)>> = BTreeMap::new();
    for c in &r.checks {
        let rule = a.rules.iter().find(|x| x.id == c.rule);
        let text = rule.map(|x| x.clause.as_str()).unwrap_or(&c.clause);
        for sec in clause::sections(text) {
            by.entry(sec)
                .or_default()
                .push((c.rule.as_str(), text, c.status));
        }
    }
    let _ = write!(
        o,
        "<section id=\"clauses\">\n<h2>{}</h2>\n<p class=\"small\">{}</p>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n",
        tr(lang, "条項別判定", "Verdict per guideline clause"),
        esc(&clause::guideline()),
        tr(lang, "検査項目", "Check"),
        tr(lang, "ガイドライン条項", "Guideline clause"),
        tr(lang, "判定", "Verdict"),
    );
    for (sec, rules) in &by {
        let worst = rules
            .iter()
            .map(|(_, _, s)| *s)
            .max_by_key(|s| rank(s))
            .unwrap_or("not-applicable");
        let _ = writeln!(
            o,
            "<tr class=\"group\" data-section=\"{sec}\"><th colspan=\"2\">{sec} {head}</th><th>{}</th></tr>",
            badge(worst, lang),
            sec = esc(sec),
            head = esc(&clause::heading(sec)),
        );
        for (id, text, st) in rules {
            let _ = writeln!(
                o,
                "<tr class=\"clause\"><td><a href=\"#rule-{0}\">{0}</a></td><td>{1}</td><td>{2}</td></tr>",
                esc(id),
                esc(text),
                badge(st, lang)
            );
        }
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

fn findings(o: &mut String, a: &Audit, r: &Report, lang: Lang) {
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
    let tiers = device_tiers(a);
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
        if !f.cause.is_empty() {
            let _ = writeln!(
                o,
                "<h4>{}</h4>\n<div class=\"cause\">",
                tr(lang, "原因（決定行が先頭）", "Cause (deciding line first)")
            );
            for cite in &f.cause {
                cite_html(o, a, cite, lang);
            }
            o.push_str("</div>\n");
        }
        if !f.also.is_empty() {
            let _ = writeln!(
                o,
                "<h4>{} ({})</h4>\n<ul class=\"also\">",
                tr(
                    lang,
                    "同じ原因で通信できる他の組",
                    "Other pairs with the same cause"
                ),
                f.also.len()
            );
            for x in &f.also {
                let _ = writeln!(
                    o,
                    "<li>{} → {}{}</li>",
                    esc(&x.src),
                    esc(&x.dst),
                    x.witness
                        .as_ref()
                        .map(|w| format!(
                            " <code class=\"witness\">{}</code>",
                            esc(&report::witness_text(w))
                        ))
                        .unwrap_or_default()
                );
            }
            o.push_str("</ul>\n");
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
                    cite_html(o, a, cite, lang);
                }
                o.push_str("</td></tr>\n");
            }
            o.push_str("</table>\n");
            let _ = writeln!(
                o,
                "<figure>{}</figure>",
                path_picture(a, f, lang, n, &tiers)
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

/// A finding's path in travel order: source zone, the devices numbered by hop, the
/// destination zone, with the interfaces each hop enters and leaves by between them.
fn path_picture(
    a: &Audit,
    f: &FindingOut,
    lang: Lang,
    n: usize,
    tiers: &[crate::model::Tier],
) -> String {
    let snap = &a.snapshot;
    let zone_step = |name: &str| {
        let tier = svg::zone_of_name(snap, name)
            .map_or(crate::model::Tier::External, |z| snap.zones[z].tier);
        svg::Step {
            kind: svg::Kind::Zone,
            name: name.to_string(),
            sub: crate::report::tier_name(tier, lang).to_string(),
            tier,
        }
    };
    let mut steps = vec![zone_step(&f.src)];
    let mut labels = vec![];
    let mut prev_out: Option<&str> = None;
    for (k, h) in f.path.iter().enumerate() {
        let i = snap.devices.iter().position(|d| d.name == h.device);
        let into = h.in_if.as_deref().unwrap_or("");
        labels.push(match (k, prev_out) {
            (0, _) if into.is_empty() => String::new(),
            (0, _) => format!("→ {into}"),
            (_, Some(out)) if !out.is_empty() && !into.is_empty() => format!("{out} → {into}"),
            (_, Some(out)) if !out.is_empty() => format!("{out} →"),
            _ if !into.is_empty() => format!("→ {into}"),
            _ => String::new(),
        });
        steps.push(svg::Step {
            kind: svg::Kind::Device,
            name: h.device.clone(),
            sub: i.map_or(String::new(), |i| snap.devices[i].dialect.id().to_string()),
            tier: i.map_or(crate::model::Tier::External, |i| tiers[i]),
        });
        prev_out = h.out.as_deref();
    }
    labels.push(match prev_out {
        Some(out) if !out.is_empty() => format!("{out} →"),
        _ => String::new(),
    });
    steps.push(zone_step(&f.dst));
    svg::chain(
        &steps,
        &labels,
        &format!("topo-{n}"),
        &format!("{} {n}", tr(lang, "検出事項", "Finding")),
    )
}

/// What sanso read, per device and file: lines modelled, recognised but irrelevant to
/// forwarding, and not understood — the last listed line by line (redacted), since they
/// are what can leave a check unproven.
fn devices(o: &mut String, r: &Report, lang: Lang) {
    let _ = write!(
        o,
        "<section id=\"devices\">\n<h2>{}</h2>\n<p class=\"small\">{}</p>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th></tr></thead>\n",
        tr(lang, "機器ごとの読み取り結果", "What sanso read, per device"),
        tr(
            lang,
            "モデル化: 転送に関わる設定として読み取った行（空行・コメントを含む）。対象外: 解釈したが転送に関係しない行（管理・ログ・認証など）。未解釈: 読み取れなかった行（関係する検査項目は未証明になります）。",
            "Modelled: lines read as forwarding configuration (blank lines and comments included). Irrelevant: understood, but no effect on forwarding (management, logging, AAA …). Not understood: lines sanso could not read (checks they may affect become unproven)."
        ),
        tr(lang, "機器", "Device"),
        tr(lang, "ファイル", "File"),
        tr(lang, "方言", "Dialect"),
        tr(lang, "行数", "Lines"),
        tr(lang, "モデル化", "Modelled"),
        tr(lang, "対象外", "Irrelevant"),
        tr(lang, "未解釈", "Not understood"),
        tr(lang, "解釈率", "Coverage"),
    );
    for p in &r.parse {
        let un = p.unrecognized.len() as u32;
        let ok = p.lines.saturating_sub(un);
        let modelled = ok.saturating_sub(p.irrelevant);
        // Per-mille in integers: no float formatting differences between platforms.
        let pm = if p.lines == 0 {
            0
        } else {
            u64::from(ok) * 1000 / u64::from(p.lines)
        };
        let _ = writeln!(
            o,
            "<tr class=\"file\"><td>{}</td><td><a href=\"#unrec-{f}\"><code>{f}</code></a></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{modelled}</td><td class=\"num\">{}</td><td class=\"num\">{un}</td><td class=\"num\">{}.{}%</td></tr>",
            esc(p.device.as_deref().unwrap_or("-")),
            esc(&p.dialect),
            p.lines,
            p.irrelevant,
            pm / 10,
            pm % 10,
            f = esc(&p.file),
        );
    }
    o.push_str("</table>\n");
    for p in &r.parse {
        let _ = writeln!(
            o,
            "<h3 id=\"unrec-{f}\">{d} <code>{f}</code></h3>",
            d = esc(p.device.as_deref().unwrap_or("")),
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

fn manual(o: &mut String, model: &str, lang: Lang) {
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
    for m in crate::checks::manual_for(model) {
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

/// One cited line with its (redacted) text as loaded, or a note that it cannot be read.
fn cite_html(o: &mut String, a: &Audit, cite: &str, lang: Lang) {
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

//! `sanso evidence`: a reproducible audit evidence bundle (findings, checklist, HTML report,
//! SARIF, manifest with SHA-256 of every input and output).

use crate::checks::audit::Audit;
use crate::checks::{self as rules, Status};
use crate::report::Lang;
use sha2::{Digest, Sha256};
use std::path::Path;

pub const FINDINGS: &str = "findings.json";
pub const CHECKLIST: &str = "checklist.csv";
pub const MANIFEST: &str = "manifest.json";
pub const HTML: &str = "report.html";
pub const SARIF: &str = "report.sarif";

/// Guideline items that configuration cannot prove; listed for manual confirmation.
pub const MANUAL: [(&str, &str); 4] = [
    ("MANUAL-MFA", "多要素認証"),
    ("MANUAL-USB", "USB 持ち出し制御"),
    ("MANUAL-CCTV", "監視カメラ"),
    ("MANUAL-OPS", "運用体制"),
];

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn status_ja(s: Status) -> &'static str {
    match s {
        Status::Pass => "適合",
        Status::Violated => "違反",
        Status::Unproven => "未証明",
        Status::NotApplicable => "対象外",
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn findings_json(a: &Audit) -> String {
    let r = a.report(Lang::Ja);
    format!(
        "{}\n",
        serde_json::to_string_pretty(&r).expect("report serialises")
    )
}

/// UTF-8 with BOM, CRLF line ends (opens correctly in spreadsheet software).
pub fn checklist_csv(a: &Audit) -> String {
    let mut out = String::from("\u{feff}ルールID,項目,ガイドライン条項,判定,検出件数\r\n");
    for c in &a.eval.checks {
        let rule = a.rules.iter().find(|r| r.id == c.rule);
        let n = a.eval.findings.iter().filter(|f| f.rule == c.rule).count();
        let row = [
            c.rule.clone(),
            rule.map(|r| r.title_ja.clone()).unwrap_or_default(),
            rule.map(|r| r.clause.clone()).unwrap_or_default(),
            status_ja(c.status).to_string(),
            n.to_string(),
        ];
        let row: Vec<String> = row.iter().map(|s| csv_field(s)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    for (id, title) in MANUAL {
        out.push_str(&format!("{id},{title},-,要手動確認,\r\n"));
    }
    out
}

/// `SOURCE_DATE_EPOCH` if set (reproducible builds convention), else now.
pub fn generated_at() -> u64 {
    if let Some(v) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return v;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Write the bundle into `dir` (created if missing), report texts in Japanese.
pub fn write(a: &Audit, dir: &Path) -> std::io::Result<Vec<String>> {
    write_lang(a, dir, Lang::Ja)
}

/// Write the bundle; `lang` selects the language of report.html and report.sarif
/// (findings.json and the 自己点検票 stay Japanese). Returns the files written.
pub fn write_lang(a: &Audit, dir: &Path, lang: Lang) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let at = generated_at();
    let mut outputs = [
        (FINDINGS, findings_json(a)),
        (CHECKLIST, checklist_csv(a)),
        (HTML, crate::render::html::render(a, lang, at)),
        (SARIF, crate::render::sarif::render(a, lang)),
    ];
    outputs.sort_by_key(|(name, _)| *name);
    let mut inputs: Vec<String> = a.snapshot.inputs.clone();
    inputs.sort();
    inputs.dedup();
    let mut input_rows = vec![];
    for rel in &inputs {
        let bytes = std::fs::read(a.snapshot.root.join(rel))?;
        input_rows.push(serde_json::json!({"path": rel, "sha256": sha256_hex(&bytes)}));
    }
    let mut output_rows = vec![];
    for (name, text) in &outputs {
        std::fs::write(dir.join(name), text.as_bytes())?;
        output_rows.push(serde_json::json!({"path": name, "sha256": sha256_hex(text.as_bytes())}));
    }
    let manifest = serde_json::json!({
        "schema": "sanso.evidence/v1",
        "tool": {"name": "sanso", "version": env!("CARGO_PKG_VERSION")},
        "rules_version": rules::pack_version(),
        "snapshot": a.snapshot.name,
        "generated_at": at,
        "inputs": input_rows,
        "outputs": output_rows,
    });
    let text = format!(
        "{}\n",
        serde_json::to_string_pretty(&manifest).expect("manifest serialises")
    );
    std::fs::write(dir.join(MANIFEST), text)?;
    let mut files: Vec<String> = outputs.iter().map(|(n, _)| n.to_string()).collect();
    files.push(MANIFEST.into());
    Ok(files)
}

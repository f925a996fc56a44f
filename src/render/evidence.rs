//! `sanso evidence`: a reproducible audit evidence bundle (findings, checklist, HTML report,
//! SARIF, manifest with SHA-256 of every input and output). The bundle writer is the one
//! module that calls the other renderers; input hashes are those the snapshot loader
//! recorded, so the manifest describes exactly the files that were audited.

use crate::checks::audit::Audit;
use crate::checks::{self as rules};
use crate::ingest::source::sha256_hex;
use crate::render::{Checklist, Html, Json, Render, Sarif};
use crate::report::Lang;
use std::path::Path;

pub const FINDINGS: &str = "findings.json";
pub const CHECKLIST: &str = "checklist.csv";
pub const MANIFEST: &str = "manifest.json";
pub const HTML: &str = "report.html";
pub const SARIF: &str = "report.sarif";

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
    let ja = a.report(Lang::Ja);
    let other = (lang != Lang::Ja).then(|| a.report(lang));
    let localised = other.as_ref().unwrap_or(&ja);
    let html = Html { generated_at: at };
    let parts: [(&str, &dyn Render, _); 4] = [
        (FINDINGS, &Json, &ja),
        (CHECKLIST, &Checklist, &ja),
        (HTML, &html, localised),
        (SARIF, &Sarif, localised),
    ];
    let mut outputs: Vec<(&str, String)> = parts
        .iter()
        .map(|(name, out, r)| (*name, out.render(a, r)))
        .collect();
    outputs.sort_by_key(|(name, _)| *name);
    let mut input_rows = vec![];
    for (rel, sha, _) in a.snapshot.input_hashes() {
        if sha.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{rel}: not read when the snapshot was loaded"),
            ));
        }
        input_rows.push(serde_json::json!({"path": rel, "sha256": sha}));
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

/// The manifest of a merged bundle (`sanso merge` over part bundles): the parts'
/// manifests `(name, text)` must describe the same inputs; the merged bundle holds
/// `findings.json` (text `findings`) and lists the part manifests it was made from.
pub fn merged_manifest(parts: &[(String, String)], findings: &str) -> Result<String, String> {
    let mut inputs: Option<(&str, serde_json::Value)> = None;
    let mut merged_from = vec![];
    for (name, text) in parts {
        let m: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        if m["schema"] != "sanso.evidence/v1" {
            return Err(format!("{name}: not a sanso evidence manifest"));
        }
        let key = serde_json::json!([m["tool"], m["rules_version"], m["snapshot"], m["inputs"]]);
        match &inputs {
            Some((first, k)) if *k != key => {
                return Err(format!(
                    "{name} and {first} describe different inputs, tools or rule packs"
                ))
            }
            Some(_) => {}
            None => inputs = Some((name, key)),
        }
        merged_from.push(serde_json::json!({"path": name, "sha256": sha256_hex(text.as_bytes())}));
    }
    let Some((_, key)) = inputs else {
        return Err("no part manifests".into());
    };
    let manifest = serde_json::json!({
        "schema": "sanso.evidence/v1",
        "tool": key[0],
        "rules_version": key[1],
        "snapshot": key[2],
        "generated_at": generated_at(),
        "inputs": key[3],
        "outputs": [{"path": FINDINGS, "sha256": sha256_hex(findings.as_bytes())}],
        "merged_from": merged_from,
    });
    Ok(format!(
        "{}\n",
        serde_json::to_string_pretty(&manifest).expect("manifest serialises")
    ))
}

//! `report.sarif`: SARIF 2.1.0 for code-scanning tools. Each finding is a result located at
//! the config line that lets its witness through (file:line relative to the snapshot),
//! with the other cited lines as related locations and the hop-by-hop path as a code flow.
//! A finding's level follows its rule's severity ([`level`]: critical and high are
//! `error`, medium/warning `warning`, low `note`), and each rule carries the numeric
//! `security-severity` code-scanning UIs sort by ([`security_severity`]); every line that
//! leaves a check unproven is a `warning`. Every URI is relative to the base id
//! `SNAPSHOT` (the snapshot folder, declared in `originalUriBaseIds`). The run names its
//! category (`automationDetails`, from the snapshot name) and its invocation's exit code.
//! Artifact hashes and quoted snippets are those of the files as loaded.

use crate::checks::audit::Audit;
use crate::checks::Status;
use crate::ingest::source::sha256_hex;
use crate::model::Snapshot;
use crate::render::Render;
use crate::report::{self, Lang, Report};
use serde_json::{json, Value};

/// `report.sarif`.
pub struct Sarif;

impl Render for Sarif {
    fn name(&self) -> &'static str {
        "sarif"
    }
    fn extension(&self) -> &'static str {
        "sarif"
    }
    fn render(&self, audit: &Audit, report: &Report) -> String {
        sarif(audit, report)
    }
}

pub const VERSION: &str = "2.1.0";
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Base id of every artifact URI: the snapshot folder.
pub const BASE: &str = "SNAPSHOT";

/// `MN-ISOLATION` → `MnIsolation` (SARIF's friendly rule name).
fn pascal(id: &str) -> String {
    id.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}

/// SARIF level of a finding of a rule of `severity`.
pub fn level(severity: &str) -> &'static str {
    match severity {
        "critical" | "high" => "error",
        "low" | "note" | "info" => "note",
        _ => "warning",
    }
}

/// The `security-severity` property (a CVSS-like score as a string, as GitHub code
/// scanning reads it): critical 9.5, high 8.0, medium (or warning) 5.5, low 3.0.
pub fn security_severity(severity: &str) -> &'static str {
    match severity {
        "critical" => "9.5",
        "high" => "8.0",
        "low" | "note" | "info" => "3.0",
        _ => "5.5",
    }
}

/// The heading anchor of rule `id` titled `title` on docs/rules.md (`## ID — title`), as
/// GitHub writes it: lower case, letters, digits, `-` and `_` kept, spaces to `-`,
/// everything else dropped.
pub fn rules_anchor(id: &str, title: &str) -> String {
    format!("{id} — {title}")
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The rules page (docs/rules.md) in the project's repository (`repository` of
/// Cargo.toml), at the tag of this version; `None` when the package names no repository
/// (SARIF wants an absolute URI there).
fn rules_doc() -> Option<String> {
    let repo = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    (!repo.is_empty()).then(|| format!("{repo}/blob/v{}/docs/rules.md", env!("CARGO_PKG_VERSION")))
}

/// `automationDetails.id`: the category `sanso/<snapshot>/` (one per audited snapshot,
/// so uploads of several snapshots of one repository do not replace each other).
fn automation_id(snapshot: &str) -> String {
    let name: String = snapshot
        .chars()
        .map(|c| {
            if c == '/' || c.is_whitespace() {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("sanso/{name}/")
}

fn text(s: &str) -> Value {
    json!({ "text": s.trim() })
}

struct Ctx<'a> {
    artifacts: Vec<String>,
    snap: &'a Snapshot,
}

impl Ctx<'_> {
    /// A physical location; the snippet is the redacted line, present only if it exists.
    fn location(&mut self, file: &str, line: Option<u32>) -> Value {
        let mut art = json!({ "uri": file, "uriBaseId": BASE });
        if let Some(i) = self.artifacts.iter().position(|a| a == file) {
            art["index"] = json!(i);
        }
        let mut phys = json!({ "artifactLocation": art });
        if let Some(n) = line.filter(|&n| n > 0) {
            let mut region = json!({ "startLine": n });
            if let Some(t) = report::quote(self.snap, file, n as usize) {
                region["snippet"] = text(&t);
            }
            phys["region"] = region;
        }
        json!({ "physicalLocation": phys })
    }

    fn cite(&mut self, cite: &str) -> Option<Value> {
        let (file, line) = cite.rsplit_once(':')?;
        let n: u32 = line.parse().ok()?;
        Some(self.location(file, Some(n)))
    }
}

/// Where an inventory-level finding (no path) is declared: the flow or zone in sanso.toml.
fn inventory_line(a: &Audit, flow: Option<&str>, src: &str) -> Option<u32> {
    let s = &a.snapshot;
    if let Some(f) = flow {
        if let Some(x) = s.tokutei.iter().chain(&s.mugaika).find(|x| x.name == f) {
            return Some(x.line);
        }
    }
    s.zones
        .iter()
        .find(|z| z.name == src)
        .map(|z| z.line)
        .or_else(|| s.hosts.iter().find(|h| h.name == src).map(|h| h.line))
}

/// The SARIF log of `r` (built from `a`, in `r.lang`).
pub fn sarif(a: &Audit, r: &Report) -> String {
    let lang = r.lang;
    let mut inputs = a.snapshot.inputs.clone();
    inputs.sort();
    inputs.dedup();
    let artifacts: Vec<Value> = inputs
        .iter()
        .map(|p| {
            let mut v = json!({ "location": { "uri": p, "uriBaseId": BASE } });
            if let Some(src) = a.snapshot.sources.get(p) {
                v["hashes"] = json!({ "sha-256": src.sha256 });
                v["length"] = json!(src.len);
            }
            v
        })
        .collect();
    let mut cx = Ctx {
        artifacts: inputs,
        snap: &a.snapshot,
    };
    let docs = rules_doc();
    let rules: Vec<Value> = a
        .rules
        .iter()
        .map(|x| {
            let (title, why, fix) = match lang {
                Lang::Ja => (&x.title_ja, &x.rationale_ja, &x.remediation_ja),
                Lang::En => (&x.title_en, &x.rationale_en, &x.remediation_en),
            };
            let level = level(&x.severity);
            let mut rule = json!({
                "id": x.id,
                "name": pascal(&x.id),
                "shortDescription": text(title),
                "fullDescription": text(why),
                "help": text(fix),
                "defaultConfiguration": { "level": level },
                "properties": {
                    "clause": x.clause,
                    "severity": x.severity,
                    "kind": x.kind,
                    "models": x.models,
                    "tags": ["security", "三層の構え", x.kind],
                    "security-severity": security_severity(&x.severity),
                    "precision": "very-high",
                },
            });
            if let Some(doc) = &docs {
                rule["helpUri"] = json!(format!("{doc}#{}", rules_anchor(&x.id, &x.title_ja)));
            }
            rule
        })
        .collect();
    let rule_index = |id: &str| a.rules.iter().position(|x| x.id == id);
    let mut results = vec![];
    for f in &r.findings {
        // The deciding line first (primary location), then the rest of the path.
        let mut cites: Vec<&String> = f.cause.iter().collect();
        for c in f.path.iter().flat_map(|h| &h.lines) {
            if !cites.contains(&c) {
                cites.push(c);
            }
        }
        let primary = match cites.first().and_then(|c| cx.cite(c)) {
            Some(l) => l,
            None => {
                let line = inventory_line(a, f.flow.as_deref(), &f.src);
                cx.location("sanso.toml", line)
            }
        };
        let mut res = json!({
            "ruleId": f.rule,
            "level": level(&f.severity),
            "kind": if f.severity == crate::checks::INFO { "informational" } else { "fail" },
            "message": text(&match &f.caveat {
                Some(c) => format!("{} ({c})", f.message),
                None => f.message.clone(),
            }),
            "locations": [primary],
            "partialFingerprints": {
                "sansoFinding/v1": sha256_hex(
                    format!("{}\0{}\0{}\0{}", f.rule, f.src, f.dst, f.flow.as_deref().unwrap_or(""))
                        .as_bytes(),
                )[..32].to_string(),
            },
            "properties": {
                "clause": f.clause,
                "severity": f.severity,
                "source": f.src,
                "destination": f.dst,
            },
        });
        if let Some(i) = rule_index(&f.rule) {
            res["ruleIndex"] = json!(i);
        }
        if let Some(w) = &f.witness {
            res["properties"]["witness"] = json!(report::witness_text(w));
            res["properties"]["witnessPacket"] = serde_json::to_value(w).unwrap_or(Value::Null);
        }
        if let Some(flow) = &f.flow {
            res["properties"]["flow"] = json!(flow);
        }
        if !f.may_be_stopped_by.is_empty() {
            res["properties"]["mayBeStoppedBy"] = json!(f.may_be_stopped_by);
        }
        if !f.also.is_empty() {
            let pairs: Vec<String> = f
                .also
                .iter()
                .map(|x| format!("{} → {}", x.src, x.dst))
                .collect();
            res["properties"]["alsoAffects"] = json!(pairs);
        }
        let related: Vec<Value> = cites
            .iter()
            .skip(1)
            .enumerate()
            .filter_map(|(i, c)| {
                let mut l = cx.cite(c)?;
                l["id"] = json!(i + 1);
                Some(l)
            })
            .collect();
        if !related.is_empty() {
            res["relatedLocations"] = json!(related);
        }
        if !f.path.is_empty() {
            let steps: Vec<Value> = f
                .path
                .iter()
                .map(|h| {
                    let msg = format!(
                        "{} [{} → {}]",
                        h.device,
                        h.in_if.as_deref().unwrap_or("-"),
                        h.out.as_deref().unwrap_or("-")
                    );
                    let mut loc = h
                        .lines
                        .first()
                        .and_then(|c| cx.cite(c))
                        .unwrap_or_else(|| json!({}));
                    loc["message"] = text(&msg);
                    json!({ "location": loc })
                })
                .collect();
            res["codeFlows"] = json!([{ "threadFlows": [{ "locations": steps }] }]);
        }
        results.push(res);
    }
    for c in &a.eval.checks {
        if c.status != Status::Unproven {
            continue;
        }
        for t in c.unproven_by.iter().take(crate::report::TAINT_CITED) {
            let line_text = crate::ingest::redact::redact_line(t.text.trim());
            let msg = match lang {
                Lang::Ja => format!(
                    "{}: 未証明 — {}:{} の行（{}）を解釈できず、判定に影響しうる: {}",
                    c.rule, t.file, t.line, line_text, t.reason
                ),
                Lang::En => format!(
                    "{}: unproven — {}:{} ({}) is not understood and may change the result: {}",
                    c.rule, t.file, t.line, line_text, t.reason
                ),
            };
            let mut res = json!({
                "ruleId": c.rule,
                "level": "warning",
                "kind": "fail",
                "message": text(&msg),
                "locations": [cx.location(&t.file, Some(t.line))],
                "properties": { "status": "unproven" },
            });
            if let Some(i) = rule_index(&c.rule) {
                res["ruleIndex"] = json!(i);
            }
            results.push(res);
        }
    }
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": VERSION,
        "runs": [{
            "tool": { "driver": {
                "name": "sanso",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
                "properties": { "rulePack": crate::checks::pack_version() },
            }},
            "automationDetails": { "id": automation_id(&r.snapshot.name) },
            "invocations": [{
                "executionSuccessful": true,
                "exitCode": a.exit_code(),
            }],
            "originalUriBaseIds": {
                BASE: { "description": text(match lang {
                    Lang::Ja => "監査したスナップショットのフォルダ",
                    Lang::En => "the audited snapshot folder",
                }) }
            },
            "artifacts": artifacts,
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": { "snapshot": r.snapshot.name, "model": r.snapshot.model },
        }],
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).expect("SARIF serialises")
    )
}

#[cfg(test)]
mod tests {
    use super::{automation_id, level, pascal, rules_anchor, security_severity};

    #[test]
    fn friendly_rule_names() {
        assert_eq!(pascal("MN-ISOLATION"), "MnIsolation");
        assert_eq!(pascal("TOKUTEI-PORT"), "TokuteiPort");
    }

    #[test]
    fn levels_and_scores_follow_severity() {
        assert_eq!(level("critical"), "error");
        assert_eq!(level("high"), "error");
        assert_eq!(level("warning"), "warning");
        assert_eq!(level("medium"), "warning");
        assert_eq!(level("low"), "note");
        assert_eq!(security_severity("critical"), "9.5");
        assert_eq!(security_severity("high"), "8.0");
        assert_eq!(security_severity("warning"), "5.5");
        assert_eq!(security_severity("low"), "3.0");
    }

    #[test]
    fn github_heading_anchor() {
        // `## TOKUTEI-PATH — 特定通信の通信経路の限定`: the em dash goes, its two spaces
        // stay as two hyphens.
        assert_eq!(
            rules_anchor("TOKUTEI-PATH", "特定通信の通信経路の限定"),
            "tokutei-path--特定通信の通信経路の限定"
        );
        assert_eq!(
            rules_anchor("TOKUTEI-IP", "特定通信の送信元 IP アドレスの限定"),
            "tokutei-ip--特定通信の送信元-ip-アドレスの限定"
        );
    }

    #[test]
    fn automation_category_per_snapshot() {
        assert_eq!(automation_id("サンプル市"), "sanso/サンプル市/");
        assert_eq!(automation_id("a/b c"), "sanso/a_b_c/");
    }
}

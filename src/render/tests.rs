//! The renderers on a small hand-built audit. The snapshot's root does not exist: every
//! quoted line and input hash must come from what the loader recorded
//! ([`crate::model::SourceFile`]). Expected values are worked out by hand from the inputs
//! below (SHA-256 values are the FIPS 180-2 test vectors).

use super::*;
use crate::checks::{CheckResult, Evaluation, Finding, Hop, Rule, Status, Subject};
use crate::ingest::source::{from_bytes, sha256_hex};
use crate::model::{Device, Snapshot, Tier, Zone};
use crate::query::matrix::{Cell, Matrix};
use crate::report::Lang;
use serde_json::Value;

/// SHA-256 of `abc` (FIPS 180-2).
const SHA_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

const CFG: &str =
    "hostname sw1\r\ninterface Gi1\r\n permit ip any any   \r\n snmp-server community hunter2 RO\r\n";

fn zone(name: &str, tier: Tier, line: u32) -> Zone {
    Zone {
        name: name.into(),
        tier,
        kind: "servers".into(),
        subnets: vec![],
        vlans: vec![],
        attach: vec![],
        line,
    }
}

fn rule() -> Rule {
    Rule {
        id: "TEST-RULE".into(),
        order: 1,
        kind: "isolation".into(),
        severity: "high".into(),
        clause: "1.2, 3.4".into(),
        models: vec!["alpha".into()],
        title_ja: "テスト規則".into(),
        title_en: "Test rule".into(),
        rationale_ja: "理由".into(),
        rationale_en: "Why".into(),
        remediation_ja: "是正".into(),
        remediation_en: "Fix".into(),
        params: Default::default(),
        model: Default::default(),
        example: vec![],
    }
}

/// One violated check, one finding through `sw1` citing an existing line (3), a secret
/// line (4) and a line past the end of the file (99).
fn audit() -> Audit {
    let mut sources = std::collections::BTreeMap::new();
    sources.insert("sanso.toml".to_string(), from_bytes(b"abc"));
    sources.insert("configs/sw1.cfg".to_string(), from_bytes(CFG.as_bytes()));
    let snapshot = Snapshot {
        root: "/nonexistent/sanso-render-test".into(),
        name: "テスト市".into(),
        model: "alpha".into(),
        zones: vec![
            zone("mn-a", Tier::Mynumber, 5),
            zone("lg-b", Tier::Lgwan, 11),
        ],
        hosts: vec![],
        tokutei: vec![],
        mugaika: vec![],
        links: vec![],
        devices: vec![Device::new(
            "sw1",
            "configs/sw1.cfg",
            crate::ingest::cisco_ios::DIALECT,
        )],
        file_errors: vec![],
        lgwan_allowed: None,
        inputs: vec!["sanso.toml".into(), "configs/sw1.cfg".into()],
        sources,
        state: Default::default(),
        observed_links: vec![],
        split: None,
    };
    let finding = Finding {
        rule: "TEST-RULE".into(),
        severity: "high".into(),
        clause: "1.2, 3.4".into(),
        subject: Subject {
            src: "mn-a".into(),
            dst: "lg-b".into(),
            flow: None,
            detail: "isolation".into(),
        },
        witness: None,
        delivered: None,
        path: vec![Hop {
            device: "sw1".into(),
            in_if: Some("Gi1".into()),
            out: Some("Gi2".into()),
            lines: vec![
                "configs/sw1.cfg:3".into(),
                "configs/sw1.cfg:4".into(),
                "configs/sw1.cfg:99".into(),
            ],
        }],
        src_point: None,
        dst_point: None,
        may_be_stopped_by: vec![],
        cause: vec![],
        also: vec![],
        admitted_if: vec![],
    };
    Audit {
        snapshot,
        rules: vec![rule()],
        eval: Evaluation {
            checks: vec![CheckResult {
                rule: "TEST-RULE".into(),
                status: Status::Violated,
                unproven_by: vec![],
                note: None,
                parts: Default::default(),
            }],
            findings: vec![finding],
        },
        part: None,
    }
}

#[test]
fn renderers_have_distinct_names_and_extensions() {
    let all: [&dyn Render; 5] = [
        &Terminal,
        &Json,
        &Html { generated_at: 0 },
        &Sarif,
        &Checklist,
    ];
    let mut names: Vec<&str> = all.iter().map(|r| r.name()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 5);
    let exts: Vec<&str> = all.iter().map(|r| r.extension()).collect();
    assert_eq!(exts, ["txt", "json", "html", "sarif", "csv"]);
}

#[test]
fn report_quotes_from_the_loaded_text_redacted() {
    let a = audit();
    // Line 3 without its CRLF and trailing blanks, leading indentation kept.
    assert_eq!(
        crate::report::quote_cite(&a.snapshot, "configs/sw1.cfg:3").as_deref(),
        Some(" permit ip any any")
    );
    let secret = crate::report::quote(&a.snapshot, "configs/sw1.cfg", 4).unwrap();
    assert!(!secret.contains("hunter2"), "{secret}");
    assert_eq!(
        crate::report::quote(&a.snapshot, "configs/sw1.cfg", 5),
        None
    );
    assert_eq!(
        crate::report::quote(&a.snapshot, "configs/sw1.cfg", 0),
        None
    );
    assert_eq!(
        crate::report::quote(&a.snapshot, "configs/other.cfg", 1),
        None
    );
    assert_eq!(
        crate::report::quote_cite(&a.snapshot, "configs/sw1.cfg"),
        None
    );
}

#[test]
fn terminal_summary_counts_and_pads() {
    let a = audit();
    let r = a.report(Lang::Ja);
    let t = Terminal.render(&a, &r);
    assert!(
        t.starts_with("sanso 監査結果: テスト市（モデル alpha）\n"),
        "{t}"
    );
    // One parse entry (the device's file), 0 lines: Device::new counts none.
    assert!(t.contains("設定ファイル 1 件 / 0 行、未解釈 0 行\n"), "{t}");
    // `{:<8}` pads 違反 (2 chars) with 6 blanks, `{:<20}` TEST-RULE (9) with 11.
    assert!(
        t.contains("\n  [違反      ] TEST-RULE            テスト規則（原因 1 件、1 組）\n"),
        "{t}"
    );
    assert!(
        // Each cited line with its text (trailing blanks cut, the community redacted);
        // line 99 is past the end of the file: cited bare.
        t.contains(
            "     - sw1 [Gi1 → Gi2]\n         configs/sw1.cfg:3  permit ip any any\n         configs/sw1.cfg:4  snmp-server community <redacted> RO\n         configs/sw1.cfg:99\n"
        ),
        "{t}"
    );
    assert!(t.ends_with("\n結果: 違反 1 項目、未証明 0 項目\n"), "{t}");
    let e = Terminal.render(&a, &a.report(Lang::En));
    assert!(
        e.contains("\n  [VIOLATED] TEST-RULE            Test rule (causes 1, pairs 1)\n"),
        "{e}"
    );
    assert!(e.ends_with("\nResult: 1 violated, 0 unproven\n"), "{e}");
}

#[test]
fn json_is_the_report_document_without_its_language() {
    let a = audit();
    let r = a.report(Lang::En);
    let text = Json.render(&a, &r);
    assert!(text.ends_with("}\n"));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema"], "sanso.report/v2");
    assert!(v.get("lang").is_none());
    assert_eq!(v["checks"][0]["status"], "violated");
    assert_eq!(
        v["findings"][0]["path"][0]["lines"][2],
        "configs/sw1.cfg:99"
    );
}

#[test]
fn html_quotes_cited_lines_from_memory() {
    let a = audit();
    let r = a.report(Lang::En);
    let h = Html {
        generated_at: 1_700_000_000,
    }
    .render(&a, &r);
    assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(h.contains(
        "<code class=\"loc\">configs/sw1.cfg:3</code> <code class=\"src\"> permit ip any any</code>"
    ));
    assert!(h.contains(
        "<code class=\"loc\">configs/sw1.cfg:99</code> <span class=\"missing\">(line unavailable)</span>"
    ));
    assert!(!h.contains("hunter2"));
    assert!(!h.contains("<script"));
    // Every manual item of the report's model, in English; none of another model.
    for m in crate::checks::MANUAL {
        let shown = h.contains(&format!(
            "<li><code>{}</code> {} <span class=\"small\">({})</span></li>",
            m.id,
            esc(m.title_en),
            esc(m.clause)
        ));
        assert_eq!(shown, m.applies(&r.snapshot.model), "{}", m.id);
    }
    assert!(h.contains("2023-11-14 22:13:20 UTC"));
}

#[test]
fn sarif_hashes_and_snippets_are_the_load_time_ones() {
    let a = audit();
    let r = a.report(Lang::Ja);
    let v: Value = serde_json::from_str(&Sarif.render(&a, &r)).unwrap();
    let run = &v["runs"][0];
    // Artifacts in sorted path order: configs/sw1.cfg, sanso.toml.
    assert_eq!(run["artifacts"][1]["location"]["uri"], "sanso.toml");
    assert_eq!(run["artifacts"][1]["hashes"]["sha-256"], SHA_ABC);
    assert_eq!(run["artifacts"][1]["length"], 3);
    assert_eq!(run["artifacts"][0]["length"], CFG.len());
    let res = &run["results"][0];
    let region = &res["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["snippet"]["text"], "permit ip any any");
    assert_eq!(
        res["locations"][0]["physicalLocation"]["artifactLocation"]["index"],
        0
    );
    // Line 99 does not exist: a location without a snippet.
    let rel = &res["relatedLocations"][1]["physicalLocation"]["region"];
    assert_eq!(rel["startLine"], 99);
    assert!(rel.get("snippet").is_none());
    assert!(!v.to_string().contains("hunter2"));
}

#[test]
fn checklist_rows() {
    let a = audit();
    let csv = Checklist.render(&a, &a.report(Lang::En));
    let rows: Vec<&str> = csv.split("\r\n").collect();
    // Header, one check, five manual items, 11 ransomware items, and the empty rest after
    // the last CRLF.
    assert_eq!(rows.len(), 1 + 1 + 5 + 11 + 1, "{csv}");
    assert_eq!(
        rows[0],
        "\u{feff}ルールID,項目,ガイドライン条項,判定,検出件数,ランサムウェア対策11項目,確認者,確認日,備考"
    );
    // Japanese whatever the report's language; the clause holds a comma, so it is quoted.
    // 確認者 / 確認日 / 備考 are empty, for the reviewer.
    assert_eq!(rows[1], "TEST-RULE,テスト規則,\"1.2, 3.4\",違反,1,,,,");
    assert_eq!(
        rows[2],
        "MANUAL-MFA,多要素認証,3.(1)②(ア) 情報のアクセス対策,要手動確認,,,,,"
    );
    // Every row cites a clause (third column; row 1's is quoted with its comma).
    for r in &rows[2..18] {
        let clause = r.split(',').nth(2).unwrap();
        assert!(!clause.is_empty() && clause != "-", "{r}");
    }
    // Item 4 (awareness) has no check: manual, no count. Item 1's checks are not in this
    // one-rule pack: marked, no count.
    assert!(rows[10].starts_with("RANSOM-04,"), "{}", rows[10]);
    assert!(
        rows[10].ends_with(",11項目 4,要手動確認,,,,,"),
        "{}",
        rows[10]
    );
    assert!(rows[7].starts_with("RANSOM-01,"));
    assert!(
        rows[7].contains(",11項目 1,対象外,,INTERNET-VIA-CLOUD（未搭載） "),
        "{}",
        rows[7]
    );
    assert_eq!(rows[18], "");
}

#[test]
fn bundle_manifest_hashes_the_audited_inputs() {
    let a = audit();
    let dir = std::env::temp_dir().join(format!("sanso-render-bundle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = evidence::write_lang(&a, &dir, Lang::En).unwrap();
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let m: Value = serde_json::from_str(&read(evidence::MANIFEST)).unwrap();
    assert_eq!(m["inputs"][1]["path"], "sanso.toml");
    assert_eq!(m["inputs"][1]["sha256"], SHA_ABC);
    assert_eq!(m["inputs"][0]["sha256"], sha256_hex(CFG.as_bytes()));
    for o in m["outputs"].as_array().unwrap() {
        let name = o["path"].as_str().unwrap();
        assert_eq!(o["sha256"], sha256_hex(read(name).as_bytes()), "{name}");
    }
    // findings.json stays Japanese; report.html follows --lang.
    assert!(read(evidence::FINDINGS).contains("テスト規則"));
    assert!(read(evidence::HTML).contains("<html lang=\"en\">"));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(files.last().map(String::as_str), Some(evidence::MANIFEST));
}

#[test]
fn matrix_cells_and_csv_quoting() {
    let cell = |empty, any, services: &[&str]| Cell {
        empty,
        any,
        services: services.iter().map(|s| s.to_string()).collect(),
    };
    let all: Vec<&str> = vec![
        "tcp/22", "tcp/25", "tcp/53", "tcp/80", "tcp/443", "tcp/445", "tcp/3389", "udp/53",
        "udp/123", "icmp", "other",
    ];
    assert_eq!(matrix::summary(&cell(true, true, &all)), "-");
    assert_eq!(matrix::summary(&cell(false, true, &all)), "any all-svc");
    assert_eq!(
        matrix::summary(&cell(false, false, &["tcp/22", "icmp"])),
        "tcp/22 icmp"
    );
    let m = Matrix {
        zones: vec!["a".into(), "b,c".into()],
        cells: vec![
            vec![cell(true, false, &[]), cell(false, false, &["tcp/22"])],
            vec![
                cell(false, false, &["tcp/22", "icmp"]),
                cell(true, false, &[]),
            ],
        ],
    };
    assert_eq!(
        matrix::csv(&m, Lang::En),
        "\u{feff}from\\to,a,\"b,c\"\r\na,-,tcp/22\r\n\"b,c\",tcp/22 icmp,-\r\n"
    );
    // Rows are sources, columns destinations; columns padded to their widest cell.
    let t = matrix::text(&m, Lang::En);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines[0], "from\\to | a           | b,c");
    assert_eq!(lines[1], "--------+-------------+-------");
    assert_eq!(lines[2], "a       | -           | tcp/22");
    assert_eq!(lines[3], "b,c     | tcp/22 icmp | -");
}

#[test]
fn trace_packet_text() {
    let mut p = crate::hs::Packet {
        src_mac: crate::model::Mac::zero(),
        dst_mac: crate::model::Mac::zero(),
        vlan: 0,
        src_ip: "10.0.0.1".parse().unwrap(),
        dst_ip: "10.0.0.2".parse().unwrap(),
        proto: 6,
        src_port: 49152,
        dst_port: 443,
        icmp_type: 0,
        icmp_code: 0,
        established: false,
    };
    assert_eq!(trace::packet_text(&p), "tcp 10.0.0.1:49152 → 10.0.0.2:443");
    p.proto = 1;
    assert_eq!(trace::packet_text(&p), "icmp 10.0.0.1 → 10.0.0.2");
}

//! The command line as the ecosystem expects it (issue 18): exit codes in `--help` and in
//! practice, every output format, one protocol notation in JSON, the locale, shell
//! completions and man pages, and `gen` argument checks.

mod common;
use common::root;
use serde_json::Value;
use std::process::Command;

/// (exit code, stdout, stderr), run from the repository root with `env` set and the
/// locale variables cleared unless `env` sets them.
fn run_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sanso"));
    c.args(args).current_dir(root());
    for k in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        c.env_remove(k);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_env(args, &[])
}

const BAD: &str = "fixtures/sample-city-violating";
const OK: &str = "fixtures/sample-city";

#[test]
fn help_documents_exit_codes() {
    for (cmd, one) in [
        ("audit", "violated or unproven"),
        ("evidence", "violated or unproven"),
        ("diff", "adds a violation"),
        ("trace", "not delivered"),
    ] {
        let (code, help, _) = run(&[cmd, "--help"]);
        assert_eq!(code, 0);
        assert!(help.contains("Exit status:"), "{cmd}: {help}");
        assert!(help.contains("1  "), "{cmd}: {help}");
        assert!(help.contains(one), "{cmd}: {help}");
        assert!(help.contains("2  input error"), "{cmd}: {help}");
    }
}

#[test]
fn exit_codes_of_audit_evidence_trace() {
    // -q and --quiet together are one flag given twice, not an error.
    let (code, _, err) = run(&["audit", OK, "-q", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(run(&["audit", BAD, "-q"]).0, 1);
    assert_eq!(run(&["audit", "fixtures/no-such-snapshot"]).0, 2);

    let t = std::env::temp_dir().join(format!("sanso-clifit-ev-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&t);
    let (code, out, _) = run(&["evidence", BAD, "-o", t.join("bad").to_str().unwrap()]);
    assert_eq!(code, 1, "violating: bundle written, exit 1");
    assert!(out.contains("manifest.json"));
    assert!(t.join("bad/report.sarif").is_file());
    assert_eq!(
        run(&["evidence", OK, "-o", t.join("ok").to_str().unwrap()]).0,
        0
    );
    let _ = std::fs::remove_dir_all(&t);

    // juki-cs → juki-net-server HTTPS is the declared 特定通信 (delivered); MN terminal →
    // LGWAN terminal is not routed at all (dropped).
    let ok = ["trace", OK, "--src", "juki-cs", "--dst", "juki-net-server"];
    assert_eq!(run(&ok).0, 0);
    let drop = ["trace", OK, "--src", "10.10.20.10", "--dst", "10.20.10.10"];
    assert_eq!(run(&drop).0, 1);
    let bad = ["trace", OK, "--src", "no-such-host", "--dst", "10.20.10.10"];
    assert_eq!(run(&bad).0, 2);
}

#[test]
fn audit_formats_are_the_bundle_renderers() {
    let (code, sarif, _) = run(&["audit", BAD, "--format", "sarif"]);
    assert_eq!(code, 1);
    let s: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let (code, html, _) = run(&["audit", BAD, "--format", "html"]);
    assert_eq!(code, 1);
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    let (code, csv, _) = run(&["audit", OK, "--format", "csv"]);
    assert_eq!(code, 0);
    assert!(csv.starts_with("\u{feff}ルールID,"), "{csv}");
    // The HTML is the bundle's report.html (same timestamp, same bytes).
    let t = std::env::temp_dir().join(format!("sanso-clifit-html-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&t);
    let epoch = [("SOURCE_DATE_EPOCH", "1700000000")];
    run_env(&["evidence", BAD, "-o", t.to_str().unwrap()], &epoch);
    let (_, html, _) = run_env(&["audit", BAD, "--format", "html"], &epoch);
    assert_eq!(
        html,
        std::fs::read_to_string(t.join("report.html")).unwrap()
    );
    let _ = std::fs::remove_dir_all(&t);
}

#[test]
fn json_outputs_have_schema_ids_and_protocol_names() {
    let (code, out, _) = run(&["matrix", OK, "--format", "json"]);
    assert_eq!(code, 0);
    let m: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(m["schema"], "sanso.matrix/v1");
    let pair = |from: &str, to: &str| {
        m["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["from"] == from && p["to"] == to)
            .cloned()
    };
    // As the CSV: 住基 servers reach 住基ネット by HTTPS only; no MN → LGWAN terminal flow.
    assert_eq!(
        pair("mn-servers", "juki-net").unwrap()["services"],
        serde_json::json!(["tcp/443"])
    );
    assert!(pair("mn-terminals", "lg-terminals").is_none());
    assert!(m["zones"]
        .as_array()
        .unwrap()
        .iter()
        .any(|z| z == "juki-net"));

    let (_, out, _) = run(&[
        "trace",
        OK,
        "--src",
        "juki-cs",
        "--dst",
        "juki-net-server",
        "--format",
        "json",
    ]);
    let t: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(t["schema"], "sanso.trace/v1");
    assert_eq!(t["packet"]["proto"], "tcp");
    assert_eq!(t["packet"]["dst_port"], 443);
    let (_, out, _) = run(&[
        "trace",
        OK,
        "--src",
        "juki-cs",
        "--dst",
        "10.20.10.10",
        "--proto",
        "47",
        "--format",
        "json",
    ]);
    let t: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(t["packet"]["proto"], "47");
}

#[test]
fn locale_chooses_the_language_when_lang_is_absent() {
    let (_, en, _) = run_env(&["rules"], &[("LANG", "en_US.UTF-8")]);
    assert!(en.contains("Isolation of the My Number tier"), "{en}");
    let (_, ja, _) = run_env(&["rules"], &[("LANG", "C.UTF-8")]);
    assert!(!ja.contains("Isolation of the My Number tier"), "{ja}");
    // LC_ALL wins over LANG; --lang over both.
    let (_, ja, _) = run_env(
        &["rules"],
        &[("LANG", "en_US.UTF-8"), ("LC_ALL", "ja_JP.UTF-8")],
    );
    assert!(!ja.contains("Isolation of the My Number tier"), "{ja}");
    let (_, en, _) = run_env(&["rules", "--lang", "en"], &[("LC_ALL", "ja_JP.UTF-8")]);
    assert!(en.contains("Isolation of the My Number tier"), "{en}");
}

#[test]
fn completions_and_man_pages() {
    for (shell, mark) in [
        ("bash", "_sanso()"),
        ("zsh", "#compdef sanso"),
        ("fish", "complete -c sanso"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, out, _) = run(&["completions", shell]);
        assert_eq!(code, 0);
        assert!(out.contains(mark), "{shell}: {out}");
        assert!(out.contains("evidence"), "{shell}");
    }
    let (code, man, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(man.contains(".TH sanso 1"), "{man}");
    let t = std::env::temp_dir().join(format!("sanso-clifit-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&t);
    let (code, _, _) = run(&["man", "--out-dir", t.to_str().unwrap()]);
    assert_eq!(code, 0);
    for page in ["sanso.1", "sanso-audit.1", "sanso-trace.1", "sanso-man.1"] {
        assert!(t.join(page).is_file(), "{page}");
    }
    let audit = std::fs::read_to_string(t.join("sanso-audit.1")).unwrap();
    assert!(audit.contains("Exit status"), "{audit}");
    let _ = std::fs::remove_dir_all(&t);
}

#[test]
fn gen_checks_its_ranges_and_refuses_a_used_folder() {
    let t = std::env::temp_dir().join(format!("sanso-clifit-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&t);
    let out = t.to_str().unwrap();
    for n in ["0", "251"] {
        let (code, _, err) = run(&["gen", "--municipalities", n, "-o", out]);
        assert_eq!(code, 2, "{n}");
        assert!(err.contains("1–250"), "{err}");
    }
    // 5 plant kinds × 1 municipality.
    let (code, _, err) = run(&["gen", "--municipalities", "1", "--plant", "6", "-o", out]);
    assert_eq!(code, 2);
    assert!(err.contains("at most 5"), "{err}");
    assert!(!t.exists(), "nothing written on bad arguments");

    let (code, _, _) = run(&["gen", "--municipalities", "1", "--plant", "1", "-o", out]);
    assert_eq!(code, 0);
    assert!(t.join("PLANTED.tsv").is_file());
    let (code, _, err) = run(&["gen", "--municipalities", "1", "-o", out]);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    std::fs::write(t.join("notes.txt"), "mine").unwrap();
    let (code, _, _) = run(&["gen", "--municipalities", "1", "-o", out, "--force"]);
    assert_eq!(code, 0);
    assert!(!t.join("PLANTED.tsv").exists(), "stale PLANTED.tsv removed");
    assert!(t.join("notes.txt").is_file(), "other files left alone");
    let _ = std::fs::remove_dir_all(&t);
}

/// Colour is for terminals only: captured (piped) output has no escape codes, whatever
/// NO_COLOR says (the terminal case is unit-tested in src/cli and render::terminal).
#[test]
fn no_colour_in_pipes() {
    for args in [
        &["audit", BAD][..],
        &["audit", BAD, "--lang", "en"][..],
        &["diff", "fixtures/sample-city", BAD][..],
    ] {
        let (_, out, _) = run(args);
        assert!(!out.is_empty() && !out.contains('\u{1b}'), "{args:?}");
    }
}

/// A packet flooded out of every access port of the destination's VLAN (generated
/// municipality: the servers' VLAN on the second core) is one path in the text plus
/// "flooded to N ports", N and the ports being the deliveries the JSON lists one by one.
#[test]
fn trace_collapses_flooding_into_one_path() {
    let dir = std::env::temp_dir().join(format!("sanso-clifit-flood-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let (code, _, err) = run(&["gen", "--municipalities", "1", "--seed", "7", "-o", d]);
    assert_eq!(code, 0, "{err}");
    let args = [
        "trace",
        d,
        "--src",
        "10.1.10.10",
        "--dst",
        "10.1.1.10",
        "--lang",
        "en",
    ];
    let (code, text, _) = run(&args);
    let mut j = args.to_vec();
    j.extend(["--format", "json"]);
    let (_, json, _) = run(&j);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).unwrap();
    let points: Vec<&str> = v["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["point"].as_str().unwrap())
        .collect();
    assert!(points.len() > 1, "{json}");
    let (dev, _) = points[0].split_once(':').unwrap();
    assert!(points.iter().all(|p| p.starts_with(&format!("{dev}:"))));
    assert_eq!(text.matches("Reaches destination").count(), 1, "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("flooded to"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains(&format!("flooded to {} ports of {dev}:", points.len())),
        "{line}"
    );
    for p in &points {
        let port = p.split_once(':').unwrap().1;
        assert!(
            line.contains(&format!(" {port},")) || line.ends_with(&format!(" {port}")),
            "{port}"
        );
    }
}

/// `matrix --group tier|prefix`: a group cell has new flows exactly when one of its zone
/// pairs has (ungrouped JSON as the reference), with the union of their services.
#[test]
fn matrix_groups_by_tier_and_prefix() {
    let (_, full, _) = run(&["matrix", BAD, "--format", "json"]);
    let full: Value = serde_json::from_str(&full).unwrap();
    let sn = sanso::model::Snapshot::load(&root().join(BAD)).unwrap();
    for (group, key) in [
        (
            "tier",
            Box::new(|z: &str| {
                let t = sn.zones.iter().find(|x| x.name == z).unwrap().tier;
                sanso::report::tier_name(t, sanso::report::Lang::En).to_string()
            }) as Box<dyn Fn(&str) -> String>,
        ),
        (
            "prefix",
            Box::new(|z: &str| z.split('-').next().unwrap().to_string()),
        ),
    ] {
        let (code, out, _) = run(&[
            "matrix", BAD, "--format", "json", "--group", group, "--lang", "en",
        ]);
        assert_eq!(code, 0);
        let g: Value = serde_json::from_str(&out).unwrap();
        let mut want: std::collections::BTreeMap<(String, String), Vec<String>> =
            Default::default();
        for p in full["pairs"].as_array().unwrap() {
            let k = (
                key(p["from"].as_str().unwrap()),
                key(p["to"].as_str().unwrap()),
            );
            let e = want.entry(k).or_default();
            for s in p["services"].as_array().unwrap() {
                let s = s.as_str().unwrap().to_string();
                if !e.contains(&s) {
                    e.push(s);
                }
            }
        }
        let mut got: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
        for p in g["pairs"].as_array().unwrap() {
            let mut s: Vec<String> = p["services"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect();
            s.sort();
            got.insert(
                (
                    p["from"].as_str().unwrap().into(),
                    p["to"].as_str().unwrap().into(),
                ),
                s,
            );
        }
        for v in want.values_mut() {
            v.sort();
        }
        assert_eq!(got, want, "--group {group}");
    }
    // By hand: the planted core-to-core link makes My Number → LGWAN non-empty; nothing
    // goes from My Number to the Internet tier.
    let (_, out, _) = run(&[
        "matrix", BAD, "--format", "json", "--group", "tier", "--lang", "en",
    ]);
    let g: Value = serde_json::from_str(&out).unwrap();
    let has = |f: &str, t: &str| {
        g["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["from"] == f && p["to"] == t)
    };
    let (mn, lg, inet) = (
        sanso::report::tier_name(sanso::model::Tier::Mynumber, sanso::report::Lang::En),
        sanso::report::tier_name(sanso::model::Tier::Lgwan, sanso::report::Lang::En),
        sanso::report::tier_name(sanso::model::Tier::Internet, sanso::report::Lang::En),
    );
    assert!(has(mn, lg));
    assert!(!has(mn, inet));
}

/// Item 8: long runs report their phases with counts — the devices read and each check as
/// it is done — so the progress bar can show them and an ETA. The violating sample city has
/// 7 device files and every check of the pack (all rules apply to model alpha), as its report lists.
#[test]
fn phases_report_devices_read_and_checks_done() {
    use sanso::checks::audit::{run_with, Phase};
    let mut seen = vec![];
    let a = run_with(
        &common::root().join("fixtures/sample-city-violating"),
        &mut |p| seen.push(p),
    )
    .unwrap();
    assert_eq!(seen[0], Phase::Parse);
    assert_eq!(seen[1], Phase::Parsed { devices: 7 });
    assert_eq!(seen[2], Phase::Graph);
    assert_eq!(seen[3], Phase::Rules);
    let checks: Vec<(usize, usize)> = seen[4..]
        .iter()
        .map(|p| match p {
            Phase::Checked { done, total } => (*done, *total),
            other => panic!("unexpected phase {other:?}"),
        })
        .collect();
    let n = common::pack_size();
    let want: Vec<(usize, usize)> = (0..=n).map(|d| (d, n)).collect();
    assert_eq!(checks, want);
    assert_eq!(a.eval.checks.len(), n);
}

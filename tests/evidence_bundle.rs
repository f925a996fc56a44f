//! The evidence bundle's report.html and report.sarif, checked on content: SARIF structure
//! and locations against the fixture files, HTML findings/coverage/escaping, and no secret
//! in any bundle file even when planted on lines that become evidence.

mod common;
use common::{copy_dir, root};
use sanso::ingest::redact::redact_line;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tmp(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sanso-bundle-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Run `sanso evidence SNAP -o OUT [extra]`; returns the output folder.
fn evidence(snap: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    let st = Command::new(env!("CARGO_BIN_EXE_sanso"))
        .arg("evidence")
        .arg(snap)
        .arg("-o")
        .arg(out)
        .args(extra)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    // Written: 0 when every check passes, 1 when one is violated or unproven.
    assert!(
        matches!(st.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    out.to_path_buf()
}

/// Insert `lines` after the first line of `file` equal (trimmed) to `after`.
fn plant(snap: &Path, file: &str, after: &str, lines: &[&str]) {
    let p = snap.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    let mut out: Vec<String> = vec![];
    let mut done = false;
    for l in text.lines() {
        out.push(l.to_string());
        if !done && l.trim() == after {
            out.extend(lines.iter().map(|s| s.to_string()));
            done = true;
        }
    }
    assert!(done, "{after} not in {file}");
    std::fs::write(&p, out.join("\n") + "\n").unwrap();
}

/// 1-based number of the first line of `file` containing `needle`.
fn line_no(snap: &Path, file: &str, needle: &str) -> usize {
    std::fs::read_to_string(snap.join(file))
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {file}"))
        + 1
}

fn file_lines(snap: &Path, uri: &str) -> Vec<String> {
    assert!(!uri.contains(".."), "{uri}");
    std::fs::read_to_string(snap.join(uri))
        .unwrap_or_else(|e| panic!("{uri}: {e}"))
        .lines()
        .map(str::to_string)
        .collect()
}

fn json(dir: &Path, f: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(f)).unwrap()).unwrap()
}

fn text_of(v: &Value) -> &str {
    v["text"].as_str().unwrap_or_else(|| panic!("no text: {v}"))
}

/// Check a SARIF physicalLocation against the snapshot: the file exists, the line exists,
/// the snippet is that line (redacted). Returns `uri:line`.
fn check_location(snap: &Path, loc: &Value) -> String {
    let phys = &loc["physicalLocation"];
    let art = &phys["artifactLocation"];
    let uri = art["uri"].as_str().expect("artifactLocation.uri");
    assert_eq!(art["uriBaseId"], "SNAPSHOT");
    let lines = file_lines(snap, uri);
    let Some(n) = phys["region"]["startLine"].as_u64() else {
        return uri.to_string();
    };
    assert!(
        n >= 1 && (n as usize) <= lines.len(),
        "{uri}:{n} out of range"
    );
    let want = redact_line(lines[n as usize - 1].trim_end());
    assert_eq!(
        phys["region"]["snippet"]["text"].as_str().unwrap(),
        want.trim(),
        "snippet of {uri}:{n}"
    );
    format!("{uri}:{n}")
}

#[test]
fn sarif_is_valid_2_1_0_and_points_at_fixture_lines() {
    let snap = root().join("fixtures/sample-city-violating");
    let dir = evidence(&snap, &tmp("sarif"), &[]);
    let s = json(&dir, "report.sarif");
    let f = json(&dir, "findings.json");
    assert_eq!(s["version"], "2.1.0");
    assert!(s["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = s["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "sanso");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));

    // Rules: every built-in rule, with its texts and clause.
    let builtin = sanso::checks::load_builtin().unwrap();
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), builtin.len());
    let mut ids = BTreeSet::new();
    for (r, b) in rules.iter().zip(&builtin) {
        assert_eq!(r["id"], b.id.as_str());
        assert!(ids.insert(b.id.clone()), "duplicate rule {}", b.id);
        let name = r["name"].as_str().unwrap();
        assert!(!name.is_empty() && !name.contains('-'), "{name}");
        assert_eq!(text_of(&r["shortDescription"]), b.title_ja.trim());
        assert_eq!(text_of(&r["fullDescription"]), b.rationale_ja.trim());
        assert_eq!(text_of(&r["help"]), b.remediation_ja.trim());
        assert_eq!(r["properties"]["clause"], b.clause.as_str());
    }

    // Artifacts: every input with its SHA-256.
    let artifacts = run["artifacts"].as_array().unwrap();
    let manifest = json(&dir, "manifest.json");
    let inputs = manifest["inputs"].as_array().unwrap();
    assert_eq!(artifacts.len(), inputs.len());
    for (a, i) in artifacts.iter().zip(inputs) {
        assert_eq!(a["location"]["uri"], i["path"]);
        assert_eq!(a["hashes"]["sha-256"], i["sha256"]);
    }

    // Results: one error per finding, in order, each at a line its path cites.
    let results = run["results"].as_array().unwrap();
    let findings = f["findings"].as_array().unwrap();
    // 11 planted, 4 ONLY-ALLOWED-DEVICES (terminal ports without 802.1X; see tests/diff.rs),
    // two pairs of which share a cause with another (plants 2 and 7).
    assert_eq!(findings.len(), 13);
    assert_eq!(
        results.len(),
        findings.len(),
        "compliant parse: no warnings"
    );
    for (res, fi) in results.iter().zip(findings) {
        let id = res["ruleId"].as_str().unwrap();
        assert!(ids.contains(id), "{id} not among rules");
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id);
        assert_eq!(id, fi["rule"]);
        // Level from the rule's severity: critical/high are errors, warning rules warnings.
        let want = match fi["severity"].as_str().unwrap() {
            "critical" | "high" => "error",
            _ => "warning",
        };
        assert_eq!(res["level"], want, "{id}");
        assert_eq!(text_of(&res["message"]), fi["message"].as_str().unwrap());
        // The cause's lines (deciding line first) lead, then the path's not already cited.
        let mut cited: Vec<String> = fi["cause"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        for l in fi["path"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|h| h["lines"].as_array().unwrap().iter())
        {
            let l = l.as_str().unwrap().to_string();
            if !cited.contains(&l) {
                cited.push(l);
            }
        }
        let locs = res["locations"].as_array().unwrap();
        assert_eq!(locs.len(), 1);
        let primary = check_location(&snap, &locs[0]);
        assert_eq!(primary, cited[0], "{id}");
        let related: Vec<String> = res["relatedLocations"]
            .as_array()
            .map(|v| v.iter().map(|l| check_location(&snap, l)).collect())
            .unwrap_or_default();
        assert_eq!(related, cited[1..].to_vec(), "{id}");
        let steps = res["codeFlows"][0]["threadFlows"][0]["locations"]
            .as_array()
            .unwrap();
        assert_eq!(steps.len(), fi["path"].as_array().unwrap().len());
        for (st, hop) in steps.iter().zip(fi["path"].as_array().unwrap()) {
            let msg = text_of(&st["location"]["message"]);
            assert!(msg.starts_with(hop["device"].as_str().unwrap()), "{msg}");
        }
        if let Some(w) = fi.get("witness") {
            let ws = res["properties"]["witness"].as_str().unwrap();
            assert!(ws.contains(w["src_ip"].as_str().unwrap()), "{ws}");
            assert!(ws.contains(w["dst_ip"].as_str().unwrap()), "{ws}");
        }
    }

    // The compliant city has no results; English texts on request.
    let dir = evidence(&root().join("fixtures/sample-city"), &tmp("sarif-ok"), &[]);
    let s = json(&dir, "report.sarif");
    assert!(s["runs"][0]["results"].as_array().unwrap().is_empty());
    let dir = evidence(&snap, &tmp("sarif-en"), &["--lang", "en"]);
    let s = json(&dir, "report.sarif");
    let r0 = &s["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(text_of(&r0["shortDescription"]), builtin[0].title_en.trim());
    let m = text_of(&s["runs"][0]["results"][0]["message"]);
    assert!(m.contains("can open flows"), "{m}");
    for d in ["sarif", "sarif-ok", "sarif-en"] {
        let _ = std::fs::remove_dir_all(tmp(d));
    }
}

#[test]
fn unproven_lines_are_sarif_warnings_and_html_is_escaped() {
    let t = tmp("unproven");
    let snap = t.join("snap");
    copy_dir(&root().join("fixtures/sample-city"), &snap);
    // An unknown top-level command on a switch of the LGWAN path: every check whose
    // reachability crosses it becomes unproven. Its text carries markup.
    let evil = "frobnicate <script>alert(\"x\")</script> & <b>bold</b>";
    plant(&snap, "configs/lg-core.cfg", "!", &[evil]);
    let n = line_no(&snap, "configs/lg-core.cfg", "frobnicate");
    let dir = evidence(&snap, &t.join("out"), &[]);

    let s = json(&dir, "report.sarif");
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty(), "no unproven results");
    let f = json(&dir, "findings.json");
    let unproven: BTreeSet<&str> = f["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "unproven")
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    assert!(!unproven.is_empty());
    let mut warned = BTreeSet::new();
    for r in results {
        assert_eq!(r["level"], "warning");
        assert_eq!(r["kind"], "fail");
        let at = check_location(&snap, &r["locations"][0]);
        assert_eq!(at, format!("configs/lg-core.cfg:{n}"));
        warned.insert(r["ruleId"].as_str().unwrap());
    }
    assert_eq!(warned, unproven);

    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(!html.contains("<script"), "unescaped markup");
    assert!(!html.contains("<b>bold"), "unescaped markup");
    assert!(html.contains(
        "frobnicate &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    ));
    assert!(html.contains(&format!("configs/lg-core.cfg:{n}")));
    assert!(html.contains("st-unproven"));
    let _ = std::fs::remove_dir_all(&t);
}

/// Text between `<article … id="finding-N"` and the next `</article>`.
fn article(html: &str, n: usize) -> &str {
    let start = html
        .find(&format!("id=\"finding-{n}\""))
        .unwrap_or_else(|| panic!("finding-{n} missing"));
    let end = start + html[start..].find("</article>").unwrap();
    &html[start..end]
}

fn esc(s: &str) -> String {
    sanso::render::esc(s)
}

#[test]
fn html_report_shows_clauses_findings_paths_and_coverage() {
    let snap = root().join("fixtures/sample-city-violating");
    let dir = evidence(&snap, &tmp("html"), &[]);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let f = json(&dir, "findings.json");

    // Self-contained: no scripts, no external resources.
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"ja\">"));
    for bad in [
        "<script",
        "src=\"http",
        "href=\"http",
        "<link",
        "@import",
        "url(http",
    ] {
        assert!(!html.contains(bad), "{bad}");
    }

    // Verdict per clause: every rule's clause string whole (never split at `;` into
    // orphan rows such as `解説 (1)①`) with its own status, under a heading row per
    // guideline section that carries the full Japanese heading and the worst status.
    let rules = sanso::checks::load_builtin().unwrap();
    let clauses = &html[html.find("id=\"clauses\"").unwrap()..html.find("id=\"checks\"").unwrap()];
    let a = sanso::checks::audit::run(&root().join("fixtures/sample-city-violating")).unwrap();
    let status = |id: &str| {
        a.eval
            .checks
            .iter()
            .find(|c| c.rule == id)
            .unwrap()
            .status
            .id()
    };
    for r in &rules {
        let row = format!(
            "<tr class=\"clause\"><td><a href=\"#rule-{0}\">{0}</a></td><td>{1}</td><td><span class=\"badge st-{2}\">",
            r.id,
            esc(&r.clause),
            status(&r.id)
        );
        assert!(clauses.contains(&row), "{row}");
    }
    assert!(!clauses.contains("<td>解説"), "orphan clause row");
    assert!(!html.contains("例文 and"), "English inside Japanese");
    assert!(html.contains("平成30年9月版"), "guideline edition");
    // 3.(1)① (cited by MN-ISOLATION, violated here): the heading as the guideline words
    // it, and the worst status of the rules citing it.
    let g = &clauses[clauses.find("data-section=\"3.(1)①\"").unwrap()..];
    let g = g.split("</tr>").next().unwrap();
    for part in [
        "情報システム全体の強靭性の向上",
        "(1) マイナンバー利用事務系",
        "① マイナンバー利用事務系と他の領域との分離",
        "st-violated",
    ] {
        assert!(g.contains(part), "{part}: {g}");
    }
    // 3.(4)① (PRINTER-NOT-SHARED only, nothing to judge here) is not violated.
    let g = &clauses[clauses.find("data-section=\"3.(4)①\"").unwrap()..];
    assert!(g
        .split("</tr>")
        .next()
        .unwrap()
        .contains("st-not-applicable"));

    // Every finding: rule, message, witness fields, and each cited line with its text.
    let findings = f["findings"].as_array().unwrap();
    for (i, fi) in findings.iter().enumerate() {
        let a = article(&html, i + 1);
        assert!(a.contains(&format!("data-rule=\"{}\"", fi["rule"].as_str().unwrap())));
        assert!(a.contains(&esc(fi["message"].as_str().unwrap())));
        // Configuration-level findings (ONLY-ALLOWED-DEVICES) have lines, no witness.
        let w = &fi["witness"];
        if !w.is_null() {
            for k in ["src_ip", "dst_ip", "proto"] {
                assert!(a.contains(w[k].as_str().unwrap()), "finding {} {k}", i + 1);
            }
            if let Some(p) = w["dst_port"].as_u64() {
                assert!(a.contains(&format!("<td>{p}</td>")));
            }
        }
        for hop in fi["path"].as_array().unwrap() {
            assert!(a.contains(&format!("<td>{}</td>", hop["device"].as_str().unwrap())));
            for l in hop["lines"].as_array().unwrap() {
                let cite = l.as_str().unwrap();
                let (file, n) = cite.rsplit_once(':').unwrap();
                let text = &file_lines(&snap, file)[n.parse::<usize>().unwrap() - 1];
                let want = format!(
                    "<code class=\"loc\">{}</code> <code class=\"src\">{}</code>",
                    esc(cite),
                    esc(&redact_line(text.trim_end()))
                );
                assert!(a.contains(&want), "finding {}: {want}", i + 1);
            }
        }
        // Its own picture: the path in hop order (devices numbered 1, 2, … as the JSON
        // lists them, between the source and destination zones) with the interfaces
        // each hop enters and leaves by.
        let at = a
            .find(&format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology chain\" id=\"topo-{}\"",
                i + 1
            ))
            .expect("path picture");
        let pic = &a[at..at + a[at..].find("</svg>").unwrap()];
        let mut from = 0;
        let mut names = vec![fi["src"].as_str().unwrap().to_string()];
        for (k, hop) in fi["path"].as_array().unwrap().iter().enumerate() {
            names.push(format!("{}. {}", k + 1, hop["device"].as_str().unwrap()));
        }
        names.push(fi["dst"].as_str().unwrap().to_string());
        // Configuration-level findings name no zone pair: only the hop order counts.
        if fi["witness"].is_null() {
            names.pop();
            names.remove(0);
        }
        for name in &names {
            let label = format!(">{}</text>", esc(name));
            let pos = pic[from..]
                .find(&label)
                .unwrap_or_else(|| panic!("finding {}: {name} out of order", i + 1));
            from += pos + label.len();
        }
        for hop in fi["path"].as_array().unwrap() {
            for k in ["in", "out"] {
                if let Some(itf) = hop[k].as_str() {
                    assert!(
                        pic.contains(&esc(itf)),
                        "finding {}: interface {itf}",
                        i + 1
                    );
                }
            }
        }
        if !w.is_null() {
            assert_eq!(a.matches("class=\"violation\"").count(), 1);
            assert!(a.contains("class=\"hl\""));
        }
    }

    // The overview picture: tiers, every zone and device, one route per finding.
    let topo = &html[html.find("id=\"topology\"").unwrap()..html.find("id=\"findings\"").unwrap()];
    for t in [
        "マイナンバー利用事務系",
        "LGWAN接続系",
        "インターネット接続系",
    ] {
        assert!(topo.contains(t), "{t}");
    }
    let sn = sanso::model::Snapshot::load(&snap).unwrap();
    assert!(topo.contains("class=\"node zone"), "zones drawn");
    for z in &sn.zones {
        assert!(
            topo.contains(&format!("data-name=\"{}\"", esc(&z.name))),
            "{}",
            z.name
        );
    }
    for d in &sn.devices {
        assert!(
            topo.contains(&format!("data-name=\"{}\"", esc(&d.name))),
            "{}",
            d.name
        );
    }
    assert_eq!(topo.matches("class=\"violation\"").count(), findings.len());
    // The planted mn-core ↔ lg-core link carries the MN-ISOLATION route: both ends hot.
    for dev in ["mn-core", "lg-core", "lg-floor1", "mn-floor1"] {
        let a = article(&html, 1);
        let at = a.find(&format!("data-name=\"{dev}\"")).unwrap();
        let open = a[..at].rfind("<g class=\"node").unwrap();
        assert!(a[open..at].contains(" hot"), "{dev} not highlighted");
    }

    // What sanso read, per device: one row per file with the lines modelled, irrelevant
    // and not understood (the three add up to the file's lines), and every line not
    // understood listed with file:line.
    let cov = &html[html.find("id=\"devices\"").unwrap()..];
    for p in f["parse"].as_array().unwrap() {
        let file = p["file"].as_str().unwrap();
        let lines = p["lines"].as_u64().unwrap();
        let irr = p["irrelevant"].as_u64().unwrap();
        let un = p["unrecognized"].as_array().unwrap().len() as u64;
        let row = format!(
            "<td class=\"num\">{lines}</td><td class=\"num\">{}</td><td class=\"num\">{irr}</td><td class=\"num\">{un}</td>",
            lines - irr - un
        );
        let at = cov.find(&format!("<code>{file}</code></a>")).unwrap();
        assert!(
            cov[at..].split("</tr>").next().unwrap().contains(&row),
            "{file}: {row}"
        );
        for u in p["unrecognized"].as_array().unwrap() {
            let loc = format!("<td>{file}:{}</td>", u["line"]);
            assert!(cov.contains(&loc), "{loc}");
        }
    }

    // English on request.
    let en = evidence(&snap, &tmp("html-en"), &["--lang", "en"]);
    let html = std::fs::read_to_string(en.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Verdict per guideline clause"));
    assert!(html.contains("Witness packet"));
    assert!(
        html.contains("マイナンバー利用事務系"),
        "guideline terms stay Japanese"
    );
    for d in ["html", "html-en"] {
        let _ = std::fs::remove_dir_all(tmp(d));
    }
}

#[test]
fn planted_secrets_never_reach_any_bundle_file() {
    let t = tmp("secrets");
    let snap = t.join("snap");
    copy_dir(&root().join("fixtures/sample-city-violating"), &snap);
    // IOS: realistic top-level secrets, and the same kinds inside a stanza sanso does not
    // model (so they are listed as unrecognised lines), and inside the SVI that the
    // MN-ISOLATION path cites.
    plant(
        &snap,
        "configs/mn-core.cfg",
        "hostname mn-core",
        &[
            "enable secret 5 $1$PlAnTeD$EnableSecretXYZ",
            "username auditor password 7 PlantedUserPw7",
            "snmp-server community PlantedCommunityTop RW",
            "key chain KC",
            " key 1",
            "  key-string 7 PlantedKeyChainString",
            "crypto isakmp key PlantedIsakmpKey address 0.0.0.0",
            "wpa-psk ascii 0 PlantedWpaPsk",
            "router ospf 1",
            " enable secret 5 $1$PlAnTeD$InsideStanza",
            " username ops password 7 PlantedStanzaUserPw",
            " snmp-server community PlantedStanzaCommunity RO",
            " key-string 7 PlantedStanzaKeyString",
            " neighbor 10.0.0.1 password PlantedNeighborPw",
        ],
    );
    plant(
        &snap,
        "configs/mn-core.cfg",
        "interface Vlan120",
        &[
            " ip ospf message-digest-key 1 md5 PlantedMd5Key",
            " ip ospf authentication-key 7 PlantedOspfAuthKey",
        ],
    );
    // FortiOS: secrets in an unmodelled block and inside the cited 特定通信 policy, plus a
    // comment on a cited line.
    plant(
        &snap,
        "configs/fw-mn.conf",
        "end",
        &[
            "config vpn ipsec phase1-interface",
            "    edit \"vpn1\"",
            "        set interface \"port2\"",
            "        set psksecret ENC PlantedPskEncValue==",
            "        set passphrase \"PlantedPassphrase\"",
            "    next",
            "end",
            "config system admin",
            "    edit \"ops\"",
            "        set passwd ENC PlantedAdminPasswdEnc",
            "    next",
            "end",
        ],
    );
    plant(
        &snap,
        "configs/fw-mn.conf",
        "set name \"住基ネット CS 連携\"",
        &[
            "        set comments \"temporary key-string PlantedCommentKey\"",
            "        set psksecret ENC PlantedPolicyPsk==",
            "        set passwd ENC PlantedPolicyPasswd",
        ],
    );
    let secrets = [
        "EnableSecretXYZ",
        "PlantedUserPw7",
        "PlantedCommunityTop",
        "PlantedKeyChainString",
        "PlantedIsakmpKey",
        "PlantedWpaPsk",
        "PlantedPassphrase",
        "InsideStanza",
        "PlantedStanzaUserPw",
        "PlantedStanzaCommunity",
        "PlantedStanzaKeyString",
        "PlantedNeighborPw",
        "PlantedMd5Key",
        "PlantedOspfAuthKey",
        "PlantedPskEncValue",
        "PlantedAdminPasswdEnc",
        "PlantedCommentKey",
        "PlantedPolicyPsk",
        "PlantedPolicyPasswd",
        // Already in the fixture.
        "Mn-C0mmunity",
        "0822455D0A16",
        "SH2nBLmN8DbG2J6Qx0vFQ1jTGf1vmSdS1Qe3k",
    ];
    // Planted lines that must show up as evidence (cited or listed as not understood),
    // so the absence of their secrets is not just absence of the line.
    let evidence_lines = [
        // `crypto isakmp key` is recognised as irrelevant to forwarding (VPN parameters;
        // the crypto maps that would use it stay unrecognised), so it is not cited.
        ("configs/mn-core.cfg", "PlantedWpaPsk"),
        ("configs/fw-mn.conf", "PlantedPassphrase"),
        ("configs/mn-core.cfg", "InsideStanza"),
        ("configs/mn-core.cfg", "PlantedStanzaUserPw"),
        ("configs/mn-core.cfg", "PlantedStanzaCommunity"),
        ("configs/mn-core.cfg", "PlantedStanzaKeyString"),
        ("configs/mn-core.cfg", "PlantedNeighborPw"),
        ("configs/mn-core.cfg", "PlantedMd5Key"),
        ("configs/mn-core.cfg", "PlantedOspfAuthKey"),
        ("configs/fw-mn.conf", "PlantedPskEncValue"),
        ("configs/fw-mn.conf", "PlantedCommentKey"),
        ("configs/fw-mn.conf", "PlantedPolicyPsk"),
        ("configs/fw-mn.conf", "PlantedPolicyPasswd"),
    ];
    let mut dirs = vec![];
    for lang in ["ja", "en"] {
        dirs.push(evidence(&snap, &t.join(lang), &["--lang", lang]));
    }
    // The audit and trace outputs too.
    let audit = Command::new(env!("CARGO_BIN_EXE_sanso"))
        .args(["audit", snap.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let audit = String::from_utf8(audit.stdout).unwrap();
    for d in &dirs {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "checklist.csv",
                "findings.json",
                "manifest.json",
                "report.html",
                "report.sarif"
            ]
        );
        for n in &names {
            let text = String::from_utf8(std::fs::read(d.join(n)).unwrap()).unwrap();
            for s in secrets {
                assert!(!text.contains(s), "{s} leaked into {n}");
            }
        }
        let html = std::fs::read_to_string(d.join("report.html")).unwrap();
        for (file, needle) in evidence_lines {
            let at = format!("{file}:{}", line_no(&snap, file, needle));
            assert!(html.contains(&at), "{at} ({needle}) not in report.html");
        }
        assert!(html.contains("&lt;redacted&gt;"));
    }
    for s in secrets {
        assert!(!audit.contains(s), "{s} leaked into audit JSON");
    }
    let _ = std::fs::remove_dir_all(&t);
}

/// At prefecture scale the overview is a table of municipalities (zone-name prefix) by
/// tier with one folded picture each, and every finding's picture is its own path (its
/// size does not grow with the network). Expected counts come from the generator's
/// design: per municipality 2 zones in each internal tier, 3 × (2 cores + 3 floors) + 2
/// FortiGates = 17 devices; the shared part holds the external zones and 3 devices.
#[test]
fn html_overview_aggregates_a_prefecture_per_municipality() {
    use sanso::gen::{generate, GenOptions};
    let dir = std::env::temp_dir().join(format!("sanso-html-pref-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = GenOptions {
        municipalities: 6,
        seed: 7,
        plant: 3,
        ..GenOptions::default()
    };
    generate(&o).write(&dir).unwrap();
    let a = sanso::checks::audit::run(&dir).unwrap();
    let html = sanso::render::html::html(&a, &a.report(sanso::report::Lang::Ja), 0);
    let _ = std::fs::remove_dir_all(&dir);
    let topo = &html[html.find("id=\"topology\"").unwrap()..html.find("id=\"findings\"").unwrap()];
    let rows: Vec<&str> = topo
        .split("<tr class=\"part\">")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap())
        .collect();
    assert_eq!(rows.len(), 6 + 1, "{topo}");
    let numbers = |cell: &str| -> (usize, usize) {
        let n: Vec<usize> = cell
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        (n[0], n[1])
    };
    for m in 0..6 {
        let name = format!("c{m:03}");
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("<th>{name}</th>")))
            .unwrap_or_else(|| panic!("{name}"));
        let cells: Vec<(usize, usize)> = row
            .split("<td>")
            .skip(1)
            .take(4)
            .map(|c| numbers(c.split("</td>").next().unwrap()))
            .collect();
        let zones: Vec<usize> = cells.iter().map(|c| c.0).collect();
        assert_eq!(zones, [2, 2, 2, 0], "{name}: {row}");
        assert_eq!(
            cells.iter().map(|c| c.1).sum::<usize>(),
            17,
            "{name}: {row}"
        );
        // Its folded picture holds its own zones and no other municipality's.
        let at = topo
            .find(&format!("<details class=\"part\"><summary>{name} "))
            .unwrap();
        let pic = &topo[at..at + topo[at..].find("</details>").unwrap()];
        assert_eq!(pic.matches("class=\"node zone").count(), 6, "{name}");
        for other in (0..6).filter(|&k| k != m) {
            assert!(!pic.contains(&format!("data-name=\"c{other:03}-")));
        }
    }
    let shared = rows
        .iter()
        .find(|r| r.starts_with("<th>共通・その他</th>"))
        .unwrap();
    let zones: usize = shared
        .split("<td>")
        .skip(1)
        .take(4)
        .map(|c| numbers(c.split("</td>").next().unwrap()).0)
        .sum();
    assert_eq!(zones, 4, "juki-net, chukan, lgwan, security-cloud");
    assert_eq!(topo.matches("<details class=\"part\">").count(), 7);
    // No whole-network picture per finding: each finding stays small.
    let arts: Vec<&str> = html.split("<article ").skip(1).collect();
    assert!(!arts.is_empty());
    for art in arts {
        let art = art.split("</article>").next().unwrap();
        assert!(art.len() < 40_000, "finding of {} bytes", art.len());
    }
}

//! Rule pack integrity (each rule's examples hold; docs/rules.md is current) and inventory
//! errors (file:line, exit code 2, never a panic).

mod common;
use common::{copy_dir, root};
use std::process::Command;

#[test]
fn every_rule_example_holds() {
    let rules = sanso::checks::load_builtin().unwrap();
    assert_eq!(rules.len(), common::pack_size());
    for r in &rules {
        assert!(
            r.example.iter().any(|e| e.expect == "pass"),
            "{} has no passing example",
            r.id
        );
        assert!(
            r.example.iter().any(|e| e.expect == "violated"),
            "{} has no failing example",
            r.id
        );
        // An example's snapshot path is relative to its rule folder: a rule is one folder.
        let folder = root().join("rules").join(&r.id);
        for e in &r.example {
            let dir = folder.join(&e.snapshot);
            assert!(
                dir.starts_with(&folder) && !e.snapshot.contains(".."),
                "{}: example {} lies outside rules/{}/",
                r.id,
                e.snapshot,
                r.id
            );
            let a = sanso::checks::audit::run(&dir)
                .unwrap_or_else(|err| panic!("{} on {}: {err}", r.id, e.snapshot));
            // An example cannot hold by being half-parsed.
            let unrec: Vec<String> = a
                .snapshot
                .devices
                .iter()
                .flat_map(|d| {
                    d.unrecognized
                        .iter()
                        .map(move |u| format!("{}: {u:?}", d.unrecognized_file(u)))
                })
                .collect();
            assert!(
                unrec.is_empty(),
                "{} on {}: unrecognised lines {unrec:#?}",
                r.id,
                e.snapshot
            );
            // The example shows the behaviour of the model it says it does.
            assert_eq!(a.snapshot.model, e.model, "{} on {}", r.id, e.snapshot);
            let c = a.eval.checks.iter().find(|c| c.rule == r.id).unwrap();
            assert_eq!(c.status.id(), e.expect, "{} on {}", r.id, e.snapshot);
        }
    }
}

/// A model's override runs with that model's kind, severity, clause and parameters; other
/// models keep the rule as written; a model missing from `models` does not run it.
#[test]
fn model_overrides_resolve_per_model() {
    let rules = sanso::checks::load_builtin().unwrap();
    let r = rules.iter().find(|r| r.id == "MN-ISOLATION").unwrap();
    let ap = r.in_model("alpha-prime").unwrap();
    assert_eq!(ap.kind, "only-declared-flows");
    assert_eq!(ap.params.declared, "mugaika");
    assert_eq!(ap.params.methods, ["screen-transfer"]);
    assert_eq!(ap.params.declared_from, ["lgwan"]);
    // Keys the override does not name come from [params].
    assert_eq!(ap.params.from, ["mynumber"]);
    assert!(ap.params.both_ways);
    let a = r.in_model("alpha").unwrap();
    assert_eq!(a.kind, "isolation");
    assert!(a.params.methods.is_empty());
    let mut narrow = r.clone();
    narrow.models = vec!["alpha".into()];
    assert!(narrow.in_model("beta").is_none());
    let b = sanso::checks::for_model(&rules, "beta");
    assert_eq!(b.len(), rules.len());
    let oad = b.iter().find(|r| r.id == "ONLY-ALLOWED-DEVICES").unwrap();
    assert_eq!(oad.params.from, ["mynumber", "lgwan", "internet"]);
}

/// An unknown model (or a bad override) is an input error naming the file and the line of
/// the model's table.
#[test]
fn model_override_errors_name_file_and_line() {
    let base = std::fs::read_to_string(root().join("rules/NO-WIRELESS/rule.toml")).unwrap();
    let line_of =
        |t: &str, needle: &str| t.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let bad = base
        .replace("[model.alpha-prime]", "[model.gamma]")
        .replace("[model.alpha-prime.params]", "[model.gamma.params]");
    let e = sanso::checks::parse_rule("rules/NO-WIRELESS/rule.toml", &bad).unwrap_err();
    assert_eq!(
        e.file,
        format!(
            "rules/NO-WIRELESS/rule.toml:{}",
            line_of(&bad, "[model.gamma]")
        )
    );
    assert!(
        e.message.contains("unknown model \"gamma\""),
        "{}",
        e.message
    );

    let bad = base.replace("minor_from = [\"lgwan\"]", "minor_from = [\"internet\"]");
    let e = sanso::checks::parse_rule("rules/NO-WIRELESS/rule.toml", &bad).unwrap_err();
    assert_eq!(
        e.file,
        format!(
            "rules/NO-WIRELESS/rule.toml:{}",
            line_of(&bad, "[model.alpha-prime]")
        )
    );
    assert!(
        e.message.contains("model alpha-prime: params.minor_from"),
        "{}",
        e.message
    );

    let bad = base.replace(
        "[model.alpha-prime]\n",
        "[model.alpha-prime]\nseverity = \"urgent\"\n",
    );
    let e = sanso::checks::parse_rule("rules/NO-WIRELESS/rule.toml", &bad).unwrap_err();
    assert!(e.message.contains("severity \"urgent\""), "{}", e.message);

    let bad = base.replace(
        "models = [\"alpha\", \"alpha-prime\", \"beta\", \"beta-prime\"]",
        "models = [\"alpha\", \"beta\"]",
    );
    let e = sanso::checks::parse_rule("rules/NO-WIRELESS/rule.toml", &bad).unwrap_err();
    assert!(e.message.contains("not in models"), "{}", e.message);

    let bad = base.replace(
        "[model.alpha-prime.params]\n",
        "[model.alpha-prime.params]\nfrom_tiers = [\"lgwan\"]\n",
    );
    let e = sanso::checks::parse_rule("rules/NO-WIRELESS/rule.toml", &bad).unwrap_err();
    assert!(e.message.contains("from_tiers"), "{}", e.message);

    let bad = base.replacen(
        "expect = \"pass\"\n",
        "expect = \"pass\"\nmodel = \"alfa\"\n",
        1,
    );
    let e = sanso::checks::parse_rule("rules/NO-WIRELESS/rule.toml", &bad).unwrap_err();
    assert!(
        e.message.contains("unknown model \"alfa\""),
        "{}",
        e.message
    );
}

#[test]
fn docs_rules_md_is_generated_from_the_pack() {
    let rules = sanso::checks::load_builtin().unwrap();
    let doc = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    assert_eq!(
        doc,
        sanso::checks::markdown(&rules),
        "run: sanso rules --markdown > docs/rules.md"
    );
}

/// Copy the compliant fixture, apply `edit` to one file, run the CLI.
fn mutated(tag: &str, file: &str, edit: impl Fn(String) -> String) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("sanso-inv-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("fixtures/sample-city"), &dir);
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, edit(text)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sanso"))
        .args(["audit", dir.to_str().unwrap(), "--lang", "en"])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn line_with(file_text: &str, needle: &str) -> usize {
    file_text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn inventory_errors_name_file_and_line() {
    let inv = std::fs::read_to_string(root().join("fixtures/sample-city/sanso.toml")).unwrap();
    // Bad CIDR: reported at the [[zone]] table holding it.
    let (code, err) = mutated("cidr", "sanso.toml", |t| {
        t.replace("10.20.10.0/24", "10.20.10.0/33")
    });
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad CIDR"), "{err}");
    let zone_line = inv[..inv.find("10.20.10.0/24").unwrap()]
        .rfind("[[zone]]")
        .map(|i| inv[..i].lines().count() + 1)
        .unwrap();
    assert!(err.contains(&format!("sanso.toml:{zone_line}:")), "{err}");

    let (code, err) = mutated("zone", "sanso.toml", |t| {
        t.replacen("zone = \"mn-servers\"", "zone = \"nowhere\"", 1)
    });
    assert_eq!(code, 2);
    assert!(err.contains("unknown zone \"nowhere\""), "{err}");

    let (code, err) = mutated("dup", "sanso.toml", |t| {
        t.replace("name = \"kikan-gw\"", "name = \"juki-cs\"")
    });
    assert_eq!(code, 2);
    assert!(err.contains("duplicate name \"juki-cs\""), "{err}");

    let topo = std::fs::read_to_string(root().join("fixtures/sample-city/topology.toml")).unwrap();
    let (code, err) = mutated("link", "topology.toml", |t| {
        t.replace("b = \"fw-mn:port1\"", "b = \"fw-mn:port9\"")
    });
    assert_eq!(code, 2);
    let l = topo[..topo.find("b = \"fw-mn:port1\"").unwrap()]
        .rfind("[[link]]")
        .map(|i| topo[..i].lines().count() + 1)
        .unwrap();
    assert!(
        err.contains(&format!("topology.toml:{l}:")) && err.contains("no interface \"port9\""),
        "{err}"
    );

    let (code, err) = mutated("syntax", "sanso.toml", |t| {
        t.replace(
            "[[host]]\nname = \"juki-cs\"",
            "[[host]\nname = \"juki-cs\"",
        )
    });
    assert_eq!(code, 2);
    let l = line_with(&inv, "name = \"juki-cs\"") - 1;
    assert!(err.contains(&format!("sanso.toml:{l}:")), "{err}");

    let (code, err) = mutated("hostip", "sanso.toml", |t| {
        t.replace("ip   = \"10.10.10.21\"", "ip   = \"10.10.99.21\"")
    });
    assert_eq!(code, 2);
    assert!(err.contains("not inside any subnet"), "{err}");
}

#[test]
fn unknown_line_in_a_checked_acl_makes_checks_unproven() {
    let dir = std::env::temp_dir().join(format!("sanso-unproven-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("fixtures/sample-city"), &dir);
    let p = dir.join("configs/mn-floor1.cfg");
    let t = std::fs::read_to_string(&p).unwrap();
    // An ACL entry sanso does not model, inside the terminals' port ACL.
    let t = t.replace(
        " 10 permit ip 10.10.20.0 0.0.0.255 any",
        " 5 permit ip any any dscp ef\n 10 permit ip 10.10.20.0 0.0.0.255 any",
    );
    std::fs::write(&p, &t).unwrap();
    let line = t.lines().position(|l| l.contains("dscp ef")).unwrap() + 1;
    let a = sanso::checks::audit::run(&dir).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(a.exit_code(), 1);
    let check = |id: &str| a.eval.checks.iter().find(|c| c.rule == id).unwrap();
    // The terminals' traffic meets the line and goes on (mn-core, fw-mn) to 住基ネット and
    // 中間サーバ: the checks judged there are unproven by it.
    let tok = check("MN-TOKUTEI-ONLY");
    assert_eq!(tok.status.id(), "unproven");
    assert!(tok
        .unproven_by
        .iter()
        .any(|u| u.file == "configs/mn-floor1.cfg" && u.line as usize == line));
    // Nothing on the マイナンバー side leads to LGWAN接続系 or the Internet (no route, link
    // or policy does), so whatever the entry admits cannot decide MN-ISOLATION (issue 12:
    // a line taints only the checks whose sinks its effect could still reach).
    assert_eq!(check("MN-ISOLATION").status.id(), "pass");
    // A check whose paths never evaluate that ACL stays proven.
    let split = a
        .eval
        .checks
        .iter()
        .find(|c| c.rule == "SPLIT-MUGAIKA-ONLY")
        .unwrap();
    assert_eq!(split.status.id(), "pass");
}

/// Rule parameters are typed: a mistyped tier, external kind, declared-flow kind or
/// aspect is a load error naming the rule file, never a silently empty set.
#[test]
fn rule_parameters_are_validated() {
    let base = sanso::checks::BUILTIN
        .iter()
        .find(|(id, _)| *id == "LGWAN-PROTOCOLS")
        .unwrap()
        .1;
    assert!(sanso::checks::parse_rule("ok.toml", base).is_ok());
    let bad = [
        (
            r#"from = ["mynumber", "lgwan"]"#,
            r#"from = ["mynumbr", "lgwan"]"#,
            "mynumbr",
        ),
        (
            r#"to_kinds = ["lgwan", "lgwan-asp"]"#,
            r#"to_kinds = ["lgwan", "lgwanasp"]"#,
            "lgwanasp",
        ),
        (
            "kind = \"protocol-allowlist\"",
            "kind = \"protocol-allow\"",
            "protocol-allow",
        ),
    ];
    for (from, to, word) in bad {
        assert!(base.contains(from), "{from}");
        let e =
            sanso::checks::parse_rule("rules/X/rule.toml", &base.replace(from, to)).expect_err(to);
        assert_eq!(e.file, "rules/X/rule.toml");
        assert!(e.message.contains(word), "{}", e.message);
    }
    let flows = sanso::checks::BUILTIN
        .iter()
        .find(|(id, _)| *id == "MN-TOKUTEI-ONLY")
        .unwrap()
        .1;
    assert!(flows.contains("declared = \"tokutei\""));
    let e = sanso::checks::parse_rule(
        "x",
        &flows.replace("declared = \"tokutei\"", "declared = \"tokuteii\""),
    )
    .expect_err("typo in declared");
    assert!(e.message.contains("tokuteii"), "{}", e.message);
    let tight = sanso::checks::BUILTIN
        .iter()
        .find(|(id, _)| *id == "TOKUTEI-IP")
        .unwrap()
        .1;
    let e = sanso::checks::parse_rule("x", &tight.replace("aspect = \"ip\"", "aspect = \"ipp\""))
        .expect_err("typo in aspect");
    assert!(e.message.contains("ipp"), "{}", e.message);
}

/// Inventory sanity: what would leave a verdict undecided is an input error with file:line.
#[test]
fn ambiguous_inventory_is_an_input_error() {
    let inv = std::fs::read_to_string(root().join("fixtures/sample-city/sanso.toml")).unwrap();
    // Two hosts with one address.
    let (code, err) = mutated("dupip", "sanso.toml", |t| {
        t.replace("ip   = \"10.10.10.30\"", "ip   = \"10.10.10.21\"")
    });
    assert_eq!(code, 2, "{err}");
    let l = line_with(&inv, "name = \"kikan-gw\"") - 1;
    assert!(
        err.contains(&format!("sanso.toml:{l}:")) && err.contains("also host juki-cs"),
        "{err}"
    );
    // Two hosts with one MAC.
    let (code, err) = mutated("dupmac", "sanso.toml", |t| {
        t.replace(
            "mac  = \"00:1b:21:0a:0b:30\"",
            "mac  = \"00:1b:21:0a:0b:0c\"",
        )
    });
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("MAC") && err.contains("also host juki-cs"),
        "{err}"
    );
    // One subnet in zones of two tiers (an LGWAN zone given the MN terminals' subnet).
    let (code, err) = mutated("tiers", "sanso.toml", |t| {
        t.replace(
            "subnets = [\"10.20.10.0/24\"]",
            "subnets = [\"10.10.20.0/24\"]",
        )
    });
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("10.10.20.0/24 is also in zone mn-terminals"),
        "{err}"
    );
    // No device configurations at all.
    let dir = std::env::temp_dir().join(format!("sanso-inv-{}-empty", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("fixtures/sample-city"), &dir);
    for e in std::fs::read_dir(dir.join("configs")).unwrap().flatten() {
        std::fs::remove_file(e.path()).unwrap();
    }
    std::fs::remove_file(dir.join("topology.toml")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sanso"))
        .args(["audit", dir.to_str().unwrap(), "--lang", "en"])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no device configurations"));
}

/// Nothing to judge is not a pass: without a マイナンバー zone the MN checks are
/// not applicable; a zone whose subnet the network places nowhere makes the checks about
/// it unproven, naming it.
#[test]
fn nothing_to_judge_is_not_a_pass() {
    let a = sanso::checks::audit::run(&root().join("fixtures/sample-mailgw")).unwrap();
    let st = |id: &str| {
        a.eval
            .checks
            .iter()
            .find(|c| c.rule == id)
            .map(|c| (c.status, c.note.clone()))
            .unwrap()
    };
    let inv = std::fs::read_to_string(root().join("fixtures/sample-mailgw/sanso.toml")).unwrap();
    assert!(
        !inv.contains("\"mynumber\""),
        "the fixture has no マイナンバー zone"
    );
    assert_eq!(st("MN-ISOLATION").0, sanso::checks::Status::NotApplicable);
    assert_eq!(
        st("MN-TOKUTEI-ONLY").0,
        sanso::checks::Status::NotApplicable
    );

    let dir = std::env::temp_dir().join(format!("sanso-inv-{}-nowhere", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("fixtures/sample-city"), &dir);
    let p = dir.join("sanso.toml");
    let t = std::fs::read_to_string(&p).unwrap();
    // A mistyped subnet: the LGWAN terminals' zone now matches nothing in the network.
    assert!(t.contains("subnets = [\"10.20.10.0/24\"]"));
    std::fs::write(
        &p,
        t.replace(
            "subnets = [\"10.20.10.0/24\"]",
            "subnets = [\"10.21.10.0/24\"]",
        ),
    )
    .unwrap();
    let b = sanso::checks::audit::run(&dir).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let mn = b
        .eval
        .checks
        .iter()
        .find(|c| c.rule == "MN-ISOLATION")
        .unwrap();
    assert_eq!(mn.status, sanso::checks::Status::Unproven, "{mn:?}");
    assert!(
        mn.note.as_deref().unwrap_or("").contains("lg-terminals"),
        "{mn:?}"
    );
    assert_eq!(b.exit_code(), 1);
}

/// The ransomware mapping names checks of the pack, or the configuration-hygiene checks of
/// DOMAIN.md that another part of issue 14 adds.
#[test]
fn ransomware_items_name_known_checks() {
    let rules = sanso::checks::load_builtin().unwrap();
    let hygiene = [
        "MGMT-PLAINTEXT",
        "SNMP-DEFAULT-COMMUNITY",
        "PASSWORD-REUSE",
        "WEAK-PASSWORD-STORAGE",
        "KNOWN-EXPLOITED-VERSION",
    ];
    let (_, items) = sanso::checks::manual::ransomware();
    assert_eq!(items.len(), 11);
    for it in &items {
        for c in &it.checks {
            assert!(
                rules.iter().any(|r| &r.id == c) || hygiene.contains(&c.as_str()),
                "item {} names unknown check {c}",
                it.no
            );
        }
    }
    // Every network check of the pack that covers an item says so in the checklist.
    for id in [
        "INTERNET-VIA-CLOUD",
        "SPLIT-MUGAIKA-ONLY",
        "FILTER-HYGIENE",
        "NO-INTERNET-UPDATES",
    ] {
        assert!(
            items.iter().any(|it| it.checks.iter().any(|c| c == id)),
            "{id}"
        );
    }
}

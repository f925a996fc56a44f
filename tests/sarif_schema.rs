//! `sanso audit --format sarif` against the OASIS SARIF 2.1.0 JSON schema (vendored in
//! tests/data with its licence), and the properties code-scanning UIs read: levels from
//! the rules' severities, security-severity, automationDetails, invocations, base ids.

mod common;
use common::{cli, copy_dir, root};
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// SARIF of `audit SNAP` in `lang`, validated against the schema; (exit code, log).
fn sarif(snap: &str, lang: &str) -> (i32, Value) {
    let (code, out, err) = cli(&["audit", snap, "--format", "sarif", "--lang", lang]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let errors: Vec<String> = validator()
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{snap}: {}", errors.join("\n"));
    (code, v)
}

/// Every artifactLocation anywhere in the log.
fn artifact_locations<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "artifactLocation" || (k == "location" && x.get("uri").is_some()) {
                    out.push(x);
                }
                artifact_locations(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| artifact_locations(x, out)),
        _ => {}
    }
}

#[test]
fn sarif_validates_and_carries_what_code_scanning_reads() {
    let (code, s) = sarif("fixtures/sample-city-violating", "ja");
    assert_eq!(code, 1, "violating snapshot: exit 1");
    // The validator does reject what SARIF forbids: a level outside its enumeration.
    let mut bad = s.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator().is_valid(&bad));
    let run = &s["runs"][0];

    // Rules: severity → level and score (rules/*/rule.toml: MN-ISOLATION critical,
    // TOKUTEI-MAC high, TOKUTEI-PATH warning).
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap().clone();
    let want = [
        ("MN-ISOLATION", "error", "9.5"),
        ("TOKUTEI-MAC", "error", "8.0"),
        ("TOKUTEI-PATH", "warning", "5.5"),
    ];
    for (id, level, score) in want {
        let r = rule(id);
        assert_eq!(r["defaultConfiguration"]["level"], level, "{id}");
        assert_eq!(r["properties"]["security-severity"], score, "{id}");
        let tags = r["properties"]["tags"].as_array().unwrap();
        assert!(tags.iter().any(|t| t == "security"), "{id}");
    }

    // Results: the fixture's 13 findings (11 pairs about reachability in 9 causes — plants
    // 2 and 7 each let two zones through one policy — and 4 ONLY-ALLOWED-DEVICES: three
    // ports with neither port security nor 802.1X (high), one sticky-only port (a warning
    // finding)); the two TOKUTEI-PATH ones (a warning rule) and the sticky one are
    // warnings, the ten of critical/high severity errors.
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 13);
    let path: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "TOKUTEI-PATH")
        .collect();
    assert_eq!(path.len(), 2);
    assert!(path.iter().all(|r| r["level"] == "warning"));
    let errors = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(errors, 10);
    let warnings = results.iter().filter(|r| r["level"] == "warning").count();
    assert_eq!(warnings, 3);

    // The run: its category from the snapshot name, the invocation's exit code.
    let name = run["properties"]["snapshot"].as_str().unwrap();
    assert_eq!(
        run["automationDetails"]["id"],
        format!("sanso/{name}/").as_str()
    );
    assert_eq!(run["invocations"][0]["exitCode"], 1);
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);

    // Every URI is relative to SNAPSHOT, which the run declares.
    assert!(run["originalUriBaseIds"]["SNAPSHOT"].is_object());
    let mut locs = vec![];
    artifact_locations(run, &mut locs);
    assert!(locs.len() > results.len());
    for l in locs {
        assert_eq!(l["uriBaseId"], "SNAPSHOT", "{l}");
    }
}

#[test]
fn sarif_of_compliant_and_unproven_snapshots_validates() {
    let (code, s) = sarif("fixtures/sample-city", "en");
    assert_eq!(code, 0);
    assert!(s["runs"][0]["results"].as_array().unwrap().is_empty());
    assert_eq!(s["runs"][0]["invocations"][0]["exitCode"], 0);

    // An unknown line on the LGWAN core: checks crossing it become unproven (exit 1), one
    // warning result per such line.
    let t = std::env::temp_dir().join(format!("sanso-sarif-schema-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&t);
    copy_dir(&root().join("fixtures/sample-city"), &t);
    let cfg = t.join("configs/lg-core.cfg");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("frobnicate everything\n{text}")).unwrap();
    let (code, s) = sarif(t.to_str().unwrap(), "ja");
    assert_eq!(code, 1);
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(r["level"], "warning");
        assert_eq!(r["properties"]["status"], "unproven");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "configs/lg-core.cfg");
        assert_eq!(loc["region"]["startLine"], 1);
    }
    assert_eq!(s["runs"][0]["invocations"][0]["exitCode"], 1);
    let _ = std::fs::remove_dir_all(&t);
}

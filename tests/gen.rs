//! `sanso gen`: generated prefecture snapshots parse completely, audit clean when
//! compliant, and every planted violation is reported by its rule for its municipality.

mod common;
use sanso::checks::Status;
use sanso::gen::{generate, GenOptions, PlantKind};
use std::path::PathBuf;

fn write(tag: &str, o: &GenOptions) -> (PathBuf, sanso::gen::Generated) {
    let dir = std::env::temp_dir().join(format!("sanso-gen-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let g = generate(o);
    g.write(&dir).unwrap();
    (dir, g)
}

#[test]
fn compliant_prefecture_parses_fully_and_passes() {
    let o = GenOptions {
        municipalities: 3,
        seed: 7,
        ..GenOptions::default()
    };
    let (dir, g) = write("ok", &o);
    // 3 × (3 tiers × (2 cores + 3 floors) + 2 FortiGates) + LGWAN router + cloud core + cloud FW.
    assert_eq!(g.devices, 3 * 17 + 3);
    assert!(g.rule_lines > 3 * 1000, "bulk: {}", g.rule_lines);
    let a = sanso::checks::audit::run(&dir).unwrap();
    assert_eq!(a.snapshot.devices.len(), g.devices);
    assert!(a.snapshot.file_errors.is_empty());
    for d in &a.snapshot.devices {
        assert!(
            d.unrecognized.is_empty(),
            "{}: {:?}",
            d.file,
            d.unrecognized.first()
        );
    }
    // Policies and ACLs really are in the model (not silently skipped).
    let fw = a
        .snapshot
        .devices
        .iter()
        .find(|d| d.name == "c000-fw-lgwan")
        .unwrap();
    assert!(fw.policies.len() >= 90, "{}", fw.policies.len());
    assert_eq!(a.eval.checks.len(), common::pack_size());
    // Every check passes; nothing to judge for the checks about a direct Internet line
    // and hosts of roles the generator does not write (wsus, printer, jalert).
    let na = [
        "INTERNET-VIA-CLOUD",
        "NO-INTERNET-UPDATES",
        "PRINTER-NOT-SHARED",
        "DUAL-HOMED-FW",
        "TOPOLOGY-RECORD",
    ];
    for c in &a.eval.checks {
        let want = if na.contains(&c.rule.as_str()) {
            Status::NotApplicable
        } else {
            Status::Pass
        };
        assert_eq!(c.status, want, "{}: {:?}", c.rule, c.unproven_by);
    }
    assert!(a.eval.findings.is_empty());
    assert_eq!(a.exit_code(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn planted_violations_are_found_by_their_rules() {
    let o = GenOptions {
        municipalities: 5,
        seed: 11,
        plant: 5,
        ..GenOptions::default()
    };
    let (dir, g) = write("plant", &o);
    assert_eq!(g.planted.len(), 5);
    let kinds: Vec<PlantKind> = g.planted.iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&PlantKind::Miswire) && kinds.contains(&PlantKind::NoMac));
    let a = sanso::checks::audit::run(&dir).unwrap();
    for p in &g.planted {
        let rule = p.kind.rule();
        let check = a.eval.checks.iter().find(|c| c.rule == rule).unwrap();
        assert_eq!(check.status, Status::Violated, "{rule}");
        let prefix = format!("{}-", p.municipality);
        assert!(
            a.eval.findings.iter().any(|f| f.rule == rule
                && (f.subject.src.starts_with(&prefix) || f.subject.dst.starts_with(&prefix))),
            "{rule} for {} not reported: {:#?}",
            p.municipality,
            a.eval
                .findings
                .iter()
                .map(|f| (&f.rule, &f.subject))
                .collect::<Vec<_>>()
        );
    }
    // Municipalities without a plant stay clean: every finding names a planted one.
    let planted: Vec<String> = g
        .planted
        .iter()
        .map(|p| format!("{}-", p.municipality))
        .collect();
    for f in a
        .eval
        .findings
        .iter()
        .filter(|f| !CONFIG_LEVEL.contains(&f.rule.as_str()))
    {
        assert!(
            planted
                .iter()
                .any(|m| f.subject.src.starts_with(m) || f.subject.dst.starts_with(m)),
            "unexpected finding {:?}",
            f.subject
        );
        assert!(f.witness.is_some() && !f.path.is_empty(), "{:?}", f.subject);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generation_is_deterministic_per_seed() {
    let o = GenOptions {
        municipalities: 2,
        seed: 3,
        plant: 2,
        ..GenOptions::default()
    };
    let a = generate(&o);
    let b = generate(&o);
    assert_eq!(a.files, b.files);
    let c = generate(&GenOptions { seed: 4, ..o });
    assert_ne!(a.files, c.files);
    assert_eq!(a.files.len(), c.files.len());
}

/// Checks judged on configuration facts, not reachability: their findings carry config
/// lines, no witness.
const CONFIG_LEVEL: [&str; 4] = [
    "NO-WIRELESS",
    "NO-SHARED-DEVICE",
    "ONLY-ALLOWED-DEVICES",
    "FILTER-HYGIENE",
];

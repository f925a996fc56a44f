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

/// Shapes unlike the defaults (a zone per floor, chained access switches, VLANs declared
/// and unique, policies over groups, extra 特定通信 and 無害化 hosts) with the same plants:
/// every check's verdict equals the default shape's (whose plants the test above checks
/// against PLANTED), and each reachability finding names exactly a municipality planted
/// with its rule's fault.
#[test]
fn other_shapes_find_exactly_their_planted_violations() {
    let base = GenOptions {
        municipalities: 5,
        seed: 11,
        plant: 5,
        ..GenOptions::default()
    };
    let shapes = [
        GenOptions {
            floors: 6,
            zone_per_floor: true,
            switches_per_floor: 2,
            zone_vlans: true,
            ..base.clone()
        },
        GenOptions {
            floors: 2,
            switches_per_floor: 3,
            unique_vlans: true,
            zone_vlans: true,
            policies: 200,
            policy_groups: true,
            acl_entries: 80,
            extra_tokutei: 2,
            extra_mugaika: 2,
            ..base.clone()
        },
    ];
    let verdicts = |a: &sanso::checks::audit::Audit| -> Vec<(String, Status)> {
        a.eval
            .checks
            .iter()
            .map(|c| (c.rule.clone(), c.status))
            .collect()
    };
    let dir = common::fresh_dir("gen", "shape-base");
    generate(&base).write(&dir).unwrap();
    let want = verdicts(&sanso::checks::audit::run(&dir).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    for (i, o) in shapes.iter().enumerate() {
        let dir = common::fresh_dir("gen", &format!("shape{i}"));
        let g = generate(o);
        g.write(&dir).unwrap();
        let a = sanso::checks::audit::run(&dir).unwrap();
        for d in &a.snapshot.devices {
            assert!(d.unrecognized.is_empty(), "shape {i} {}", d.file);
        }
        assert_eq!(verdicts(&a), want, "shape {i}");
        // (rule, municipality) of the reachability findings = the planted ones.
        let mut found: Vec<(String, String)> = a
            .eval
            .findings
            .iter()
            .filter(|f| !CONFIG_LEVEL.contains(&f.rule.as_str()))
            .map(|f| {
                // `cNNN-…` names a municipality's zone or host.
                let muni = |s: &str| {
                    let b = s.as_bytes();
                    (b.len() > 4 && b[0] == b'c' && b[1..4].iter().all(u8::is_ascii_digit))
                        .then(|| s[..4].to_string())
                };
                let m = muni(&f.subject.src).or_else(|| muni(&f.subject.dst));
                (f.rule.clone(), m.unwrap_or_default())
            })
            .collect();
        found.sort();
        found.dedup();
        // Planted faults and their consequences, by hand: a miswired マイナンバー floor
        // shares a VLAN with an LGWAN floor, so its terminals also reach LGWAN (not a
        // 特定通信); anything towards 住基ネット widens every municipality's 住基 flow, whose
        // destination server is shared, in sources and ports.
        let mut want: Vec<(String, String)> = vec![];
        for p in &g.planted {
            let m = p.municipality.clone();
            want.push((p.kind.rule().to_string(), m.clone()));
            match p.kind {
                PlantKind::Miswire => want.push(("MN-TOKUTEI-ONLY".into(), m)),
                PlantKind::MnAnyJuki => {
                    for k in 0..o.municipalities {
                        want.push(("TOKUTEI-IP".into(), format!("c{k:03}")));
                        want.push(("TOKUTEI-PORT".into(), format!("c{k:03}")));
                    }
                }
                _ => {}
            }
        }
        want.sort();
        want.dedup();
        assert_eq!(found, want, "shape {i}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! Split runs (`sanso audit --part K/N`, `sanso merge`): the split as N processes
//! (examples/split/local.sh, the same steps as the Slurm and Kubernetes scripts) merges
//! into the single-machine report byte for byte on planted prefectures, and merge
//! refuses parts that do not make one whole.

mod common;
use sanso::gen::{generate, GenOptions, PlantKind};
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sanso");

/// A generated prefecture with planted violations. Without `hubs`, the shared devices
/// (LGWAN router, security-cloud core and firewall: every file not named after a
/// municipality `cNNN-`) and their links are removed, as in a snapshot of the
/// municipalities' own networks: the shared networks are then outside, past the exits.
fn prefecture(tag: &str, o: &GenOptions, hubs: bool) -> (PathBuf, sanso::gen::Generated) {
    let dir = common::fresh_dir("part", tag);
    let g = generate(o);
    g.write(&dir).unwrap();
    if !hubs {
        let own = |s: &str| {
            s.len() > 5
                && s.starts_with('c')
                && s[1..4].chars().all(|c| c.is_ascii_digit())
                && &s[4..5] == "-"
        };
        let mut hub_names = vec![];
        for e in std::fs::read_dir(dir.join("configs")).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().to_string();
            if !own(&name) {
                std::fs::remove_file(dir.join("configs").join(&name)).unwrap();
                hub_names.push(name.split('.').next().unwrap().to_string());
            }
        }
        assert_eq!(hub_names.len(), 3, "{hub_names:?}");
        let topo = std::fs::read_to_string(dir.join("topology.toml")).unwrap();
        let kept: Vec<&str> = topo
            .split("\n[[link]]")
            .enumerate()
            .filter(|(i, b)| *i == 0 || !hub_names.iter().any(|h| b.contains(&format!("\"{h}:"))))
            .map(|(_, b)| b)
            .collect();
        std::fs::write(dir.join("topology.toml"), kept.join("\n[[link]]")).unwrap();
    }
    (dir, g)
}

fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// examples/split/local.sh: N `audit --part K/N` processes, then merge.
fn split(snap: &Path, n: usize, out: &Path) -> i32 {
    let script = common::root().join("examples/split/local.sh");
    let s = Command::new("sh")
        .arg(script)
        .arg(snap)
        .arg(n.to_string())
        .arg(out)
        .env("SANSO", BIN)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .status()
        .unwrap();
    s.code().unwrap_or(-1)
}

fn assert_split_is_whole(snap: &Path, tag: &str) {
    let s = snap.to_str().unwrap();
    let (code, whole, err) = run(&["--quiet", "audit", "--format", "json", s]);
    assert_eq!(code, 1, "planted violations: exit 1 ({err})");
    for n in [1, 2, 3, 5] {
        let out = common::fresh_dir("part-out", &format!("{tag}-{n}"));
        let merged_code = split(snap, n, &out);
        let merged = std::fs::read(out.join("report.json")).unwrap();
        assert!(
            merged == whole,
            "{tag}: {n} parts merged differ from the whole run (see {} and the whole report)",
            out.display()
        );
        assert_eq!(merged_code, code, "{tag}: merge exits as audit, N = {n}");
        let _ = std::fs::remove_dir_all(&out);
    }
}

fn opts(municipalities: usize, plant: usize, seed: u64) -> GenOptions {
    GenOptions {
        municipalities,
        plant,
        seed,
        ..GenOptions::default()
    }
}

#[test]
fn split_without_shared_devices_merges_to_the_whole_report() {
    let (dir, g) = prefecture("own", &opts(5, 9, 11), false);
    assert_eq!(g.planted.len(), 9);
    assert_split_is_whole(&dir, "own");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn split_with_shared_devices_merges_to_the_whole_report() {
    let (dir, _) = prefecture("hubs", &opts(4, 7, 3), true);
    assert_split_is_whole(&dir, "hubs");
    let _ = std::fs::remove_dir_all(&dir);
}

/// examples/split/select.sh: one `audit --select PREFIX` process per prefix, one
/// `--spanning`, then merge. Returns merge's exit code, stderr and the merged report.
fn select(snap: &Path, prefixes: &[&str], tag: &str) -> (i32, String, Option<Vec<u8>>) {
    let out = common::fresh_dir("part-sel", tag);
    let script = common::root().join("examples/split/select.sh");
    let s = Command::new("sh")
        .arg(script)
        .arg(snap)
        .arg(&out)
        .args(prefixes)
        .env("SANSO", BIN)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let merged = std::fs::read(out.join("report.json")).ok();
    let _ = std::fs::remove_dir_all(&out);
    (
        s.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&s.stderr).into_owned(),
        merged,
    )
}

/// One selection per municipality (`cNNN-`, the generator's zone and device names) plus
/// the `--spanning` run merge into the whole run's report byte for byte; prefixes that
/// leave a municipality out, select one twice, or no `--spanning` run are refused.
#[test]
fn per_municipality_selections_merge_to_the_whole_report() {
    let (dir, g) = prefecture("select", &opts(4, 8, 21), false);
    assert_eq!(g.planted.len(), 8);
    let s = dir.to_str().unwrap();
    let (code, whole, err) = run(&["--quiet", "audit", "--format", "json", s]);
    assert_eq!(code, 1, "planted violations: exit 1 ({err})");
    // The generator numbers municipalities from c000.
    let all = ["c000-", "c001-", "c002-", "c003-"];
    let (c, err, merged) = select(&dir, &all, "all");
    assert_eq!(c, 1, "{err}");
    assert!(
        merged.as_deref() == Some(&whole[..]),
        "merged selections differ from the whole run"
    );
    // Two municipalities in one run (comma-separated prefixes) is the same split.
    let (c, err, merged) = select(&dir, &["c000-,c002-", "c001-", "c003-"], "pairs");
    assert_eq!(c, 1, "{err}");
    assert!(merged.as_deref() == Some(&whole[..]));
    // c003 left out: its two components (マイナンバー side, LGWAN+Internet side) are missing.
    let (c, err, merged) = select(&dir, &all[..3], "missing");
    assert_eq!((c, merged), (2, None), "{err}");
    assert!(err.contains("selected by no run"), "{err}");
    // `c00` selects every municipality again.
    let (c, err, _) = select(&dir, &["c000-", "c001-", "c002-", "c003-", "c00"], "twice");
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("audited by both"), "{err}");
    // Without the --spanning run.
    let tmp = common::fresh_dir("part-sel", "nospan");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut files = vec![];
    for p in all {
        let (c, json, err) = run(&["--quiet", "audit", "--select", p, "--format", "json", s]);
        assert!(c <= 1, "{err}");
        let f = tmp.join(format!("{p}.json"));
        std::fs::write(&f, json).unwrap();
        files.push(f.display().to_string());
    }
    let mut args = vec!["merge"];
    args.extend(files.iter().map(String::as_str));
    let (c, _, err) = run(&args);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("no --spanning run"), "{err}");
    // Selections do not mix with --part runs.
    let (c, json, err) = run(&["--quiet", "audit", "--part", "1/2", "--format", "json", s]);
    assert!(c <= 1, "{err}");
    let p1 = tmp.join("p1.json");
    std::fs::write(&p1, json).unwrap();
    let (c, _, err) = run(&["merge", &files[0], p1.to_str().unwrap()]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("not both"), "{err}");
    for d in [&dir, &tmp] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// With the shared LGWAN router and security-cloud devices, every municipality's LGWAN
/// and Internet side is one component: each municipality's selection holds it, and merge
/// refuses rather than count it twice.
#[test]
fn selections_sharing_a_component_are_refused() {
    let (dir, _) = prefecture("select-hubs", &opts(3, 3, 4), true);
    let (c, err, merged) = select(&dir, &["c000-", "c001-", "c002-"], "hubs");
    assert_eq!((c, merged), (2, None), "{err}");
    assert!(err.contains("audited by both"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The components, by hand from the generator's layout: a municipality's マイナンバー
/// side (cores, floors, its FortiGate) is one component and its LGWAN and Internet
/// sides (joined by the LGWAN FortiGate) another — unless a planted miswire patches a
/// マイナンバー floor port into an LGWAN floor switch, which joins them. The shared
/// devices join every LGWAN and Internet side into one.
#[test]
fn components_follow_the_municipalities() {
    let o = opts(6, 12, 5);
    for hubs in [false, true] {
        let (dir, g) = prefecture(if hubs { "comp-hubs" } else { "comp" }, &o, hubs);
        let miswired: std::collections::BTreeSet<&str> = g
            .planted
            .iter()
            .filter(|p| p.kind == PlantKind::Miswire)
            .map(|p| p.municipality.as_str())
            .collect();
        let snap = sanso::model::Snapshot::load(&dir).unwrap();
        let comps = sanso::model::part::components(&snap);
        let m = o.municipalities;
        let expected = if hubs {
            1 + (m - miswired.len())
        } else {
            2 * m - miswired.len()
        };
        assert_eq!(comps.len(), expected, "hubs {hubs}, miswired {miswired:?}");
        // Every device and internal zone in exactly one component.
        let devices: usize = comps.iter().map(|c| c.devices.len()).sum();
        assert_eq!(devices, snap.devices.len());
        let internal = snap
            .zones
            .iter()
            .filter(|z| z.tier != sanso::model::Tier::External)
            .count();
        assert_eq!(comps.iter().map(|c| c.zones.len()).sum::<usize>(), internal);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn assignment_is_balanced_heaviest_first() {
    use sanso::model::part::{assign, Component};
    let c = |w| Component {
        weight: w,
        ..Component::default()
    };
    // 5 → part 1 (5); 4 → part 2 (4); 3 → part 2 (4 < 5: 7); 3 → part 1 (5 < 7: 8);
    // 1 → part 2 (7 < 8: 8).
    let comps = [c(5), c(4), c(3), c(3), c(1)];
    assert_eq!(assign(&comps, 2), vec![vec![0, 3], vec![1, 2, 4]]);
    // Ties go to the lower part: 2, 2 → one each.
    assert_eq!(assign(&[c(2), c(2)], 2), vec![vec![0], vec![1]]);
    // More parts than components: the extra parts are empty.
    assert_eq!(assign(&comps[..1], 3), vec![vec![0], vec![], vec![]]);
}

#[test]
fn evidence_bundles_merge_to_the_whole_findings() {
    let (dir, _) = prefecture("evidence", &opts(3, 4, 8), false);
    let s = dir.to_str().unwrap();
    let whole = common::fresh_dir("part-ev", "whole");
    let (code, _, err) = run(&["--quiet", "evidence", s, "-o", whole.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let mut parts = vec![];
    for k in 1..=2 {
        let d = common::fresh_dir("part-ev", &format!("p{k}"));
        let (c, _, err) = run(&[
            "--quiet",
            "evidence",
            "--part",
            &format!("{k}/2"),
            s,
            "-o",
            d.to_str().unwrap(),
        ]);
        assert!(c <= 1, "{err}");
        parts.push(d);
    }
    let out = common::fresh_dir("part-ev", "merged");
    let mut args = vec!["merge".to_string()];
    args.extend(parts.iter().map(|p| p.display().to_string()));
    args.extend(["-o".into(), out.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (c, _, err) = run(&args);
    assert_eq!(c, 1, "{err}");
    assert_eq!(
        std::fs::read(out.join("findings.json")).unwrap(),
        std::fs::read(whole.join("findings.json")).unwrap()
    );
    let man = |d: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(d.join("manifest.json")).unwrap()).unwrap()
    };
    let (m, w) = (man(&out), man(&whole));
    assert_eq!(m["inputs"], w["inputs"]);
    assert_eq!(m["rules_version"], w["rules_version"]);
    assert_eq!(m["merged_from"].as_array().unwrap().len(), 2);
    let findings_sha =
        sanso::ingest::source::sha256_hex(&std::fs::read(out.join("findings.json")).unwrap());
    assert_eq!(m["outputs"][0]["sha256"], findings_sha.as_str());
    for d in parts.iter().chain([&whole, &out, &dir]) {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn merge_refuses_parts_that_are_not_one_whole() {
    let (a, _) = prefecture("refuse-a", &opts(3, 3, 1), false);
    let (b, _) = prefecture("refuse-b", &opts(3, 3, 2), false);
    let tmp = common::fresh_dir("part-refuse", "out");
    std::fs::create_dir_all(&tmp).unwrap();
    let part = |snap: &Path, k: usize, n: usize| {
        let (c, json, err) = run(&[
            "--quiet",
            "audit",
            "--part",
            &format!("{k}/{n}"),
            "--format",
            "json",
            snap.to_str().unwrap(),
        ]);
        assert!(c <= 1, "{err}");
        let p = tmp.join(format!(
            "{}-{k}-{n}.json",
            snap.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&p, json).unwrap();
        p.display().to_string()
    };
    let (a1, a2, b2, a13) = (
        part(&a, 1, 2),
        part(&a, 2, 2),
        part(&b, 2, 2),
        part(&a, 1, 3),
    );
    let (_, whole, _) = run(&["--quiet", "audit", "--format", "json", a.to_str().unwrap()]);
    let whole_path = tmp.join("whole.json");
    std::fs::write(&whole_path, whole).unwrap();
    let whole_path = whole_path.display().to_string();
    let cases: [(&[&str], &str); 5] = [
        (&[&a1], "missing part(s) 2/2"),
        (&[&a1, &a2, &a1], "given twice"),
        (&[&a1, &b2], "different snapshots"),
        (&[&a1, &a2, &a13], "a part of 3"),
        (&[&a1, &whole_path], "not a part report"),
    ];
    for (files, says) in cases {
        let mut args = vec!["merge"];
        args.extend_from_slice(files);
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{files:?}: {err}");
        assert!(err.contains(says), "{files:?}: {err}");
        assert!(out.is_empty());
    }
    // And the two halves of one snapshot do make one.
    let (code, _, err) = run(&["merge", &a2, &a1]);
    assert_eq!(code, 1, "{err}");
    for bad in ["0/2", "3/2", "x/2", "2"] {
        let (code, _, err) = run(&["audit", "--part", bad, a.to_str().unwrap()]);
        assert_eq!(code, 2, "--part {bad}: {err}");
    }
    for d in [&a, &b, &tmp] {
        let _ = std::fs::remove_dir_all(d);
    }
}

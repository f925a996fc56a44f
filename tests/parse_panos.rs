//! Tests for the PAN-OS parser: the shared corpus (no panic, every line accounted for,
//! coverage), dialect detection, and constructs with hand-derived expectations in the
//! three input forms (set, brace, XML).

use sanso::ingest::panos::{parse, parse_with_stats};
use sanso::model::*;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn corpus(dialect: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(dialect);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("required corpus directory {} is missing ({e})", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn read(p: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(p).unwrap()).to_string()
}

fn check_accounting(file: &str, text: &str) -> (Device, u32) {
    let (d, understood) = parse_with_stats(file, text).expect("parse");
    let un: BTreeSet<u32> = d.unrecognized.iter().map(|u| u.line).collect();
    assert_eq!(un.len(), d.unrecognized.len(), "{file}: a line listed twice");
    assert_eq!(understood as usize + un.len(), d.lines as usize, "{file}");
    assert_eq!(d.lines as usize, text.lines().count());
    (d, understood)
}

#[test]
fn corpus_coverage() {
    let paths = corpus("panos");
    assert_eq!(paths.len(), 60, "the PAN-OS corpus has 60 files");
    let (mut lines, mut understood, mut irrelevant) = (0u64, 0u64, 0u64);
    let mut left: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in &paths {
        let text = read(p);
        let name = format!("panos/{}", p.file_name().unwrap().to_string_lossy());
        let (d, u) = check_accounting(&name, &text);
        for x in &d.unrecognized {
            assert!(!x.reason.is_empty(), "{name}:{} has no reason", x.line);
            left.entry(format!("{:?}: {}", x.scope, x.reason))
                .or_default()
                .push(format!("{name}:{} {}", x.line, x.text));
        }
        lines += u64::from(d.lines);
        understood += u64::from(u);
        irrelevant += d.irrelevant.values().map(|n| u64::from(*n)).sum::<u64>();
        println!(
            "{name:<58} {u:>4}/{:<4} understood, {} ifaces, {} policies, {} routes, {} dnats",
            d.lines,
            d.interfaces.len(),
            d.policies.len(),
            d.routes.len(),
            d.dnats.len()
        );
    }
    let pct = 100.0 * understood as f64 / lines as f64;
    println!(
        "panos corpus: {understood}/{lines} lines modelled or recognised ({pct:.1}%): \
         {} modelled, {irrelevant} irrelevant, {} unrecognised",
        understood - irrelevant,
        lines - understood
    );
    let mut groups: Vec<_> = left.into_iter().collect();
    groups.sort_by_key(|(r, v)| (std::cmp::Reverse(v.len()), r.clone()));
    println!("unrecognised, by scope and reason:");
    for (r, v) in &groups {
        println!("  {:>4}  {r}", v.len());
        for l in v.iter().take(3) {
            println!("          {l}");
        }
    }
    assert!(pct >= 0.0, "coverage fell to {pct:.1}%");
}

//! Golden summaries of parsed corpus files (shared by the nftables / iptables tests).
//! Regenerate with `SANSO_BLESS=1 cargo test --test parse_nftables --test parse_iptables`.

use sanso::model::{Device, NfChain, Scope};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn scope(s: &Scope) -> String {
    match s {
        Scope::Acl(n) => format!("acl:{n}"),
        Scope::Interface(n) => format!("interface:{n}"),
        Scope::Policy => "policy".into(),
        Scope::Routing => "routing".into(),
        Scope::Device => "device".into(),
        Scope::None => "none".into(),
    }
}

fn chain_line(c: &NfChain) -> String {
    let base = match &c.base {
        Some((h, k, p)) => format!("{h:?}/{k:?}/{p} policy {:?}", c.policy).to_lowercase(),
        None => "user".into(),
    };
    format!("  {} [{}] {} rules", c.id, base, c.rules.len())
}

/// Human-readable summary: counts, chains, every unrecognised line with its reason.
pub fn summary(name: &str, d: &Device, understood: Option<u32>) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "file {name}");
    match understood {
        Some(u) => {
            let _ = writeln!(o, "lines {} understood {u}", d.lines);
        }
        None => {
            let _ = writeln!(o, "lines {}", d.lines);
        }
    }
    let chains = d
        .netfilter
        .as_ref()
        .map(|n| n.chains.as_slice())
        .unwrap_or(&[]);
    let rules: usize = chains.iter().map(|c| c.rules.len()).sum();
    let _ = writeln!(o, "chains {} rules {rules}", chains.len());
    for c in chains {
        let _ = writeln!(o, "{}", chain_line(c));
    }
    let _ = writeln!(o, "unrecognized {}", d.unrecognized.len());
    for u in &d.unrecognized {
        let _ = writeln!(
            o,
            "  {} [{}] {} | {}",
            u.line,
            scope(&u.scope),
            u.reason,
            u.text
        );
    }
    o
}

/// Compare `actual` with `tests/golden/<dir>/<file>.golden` (or write it when blessing).
/// Returns a description of the mismatch, if any.
pub fn check(dir: &str, file: &str, actual: &str) -> Option<String> {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(dir)
        .join(format!("{file}.golden"));
    if std::env::var_os("SANSO_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return None;
    }
    match std::fs::read_to_string(&path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => {
            let diff: Vec<String> = expected
                .lines()
                .zip(actual.lines())
                .filter(|(a, b)| a != b)
                .take(3)
                .map(|(a, b)| format!("    expected: {a}\n    actual:   {b}"))
                .collect();
            Some(format!(
                "{}: golden differs ({} vs {} lines)\n{}",
                path.display(),
                expected.lines().count(),
                actual.lines().count(),
                diff.join("\n")
            ))
        }
        Err(_) => Some(format!(
            "{}: golden file missing (run with SANSO_BLESS=1)",
            path.display()
        )),
    }
}

/// Sorted files of a corpus folder beside the crate (`../shared/corpus/<dialect>`).
pub fn corpus(dialect: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(dialect);
    let rd = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "required corpus directory {} is missing ({e}); it must sit beside the crate",
            dir.display()
        )
    });
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    assert!(!v.is_empty(), "corpus {} is empty", dir.display());
    v
}

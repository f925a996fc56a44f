//! FortiOS parser tests: focused hand-checked cases plus a robustness run over the
//! third-party corpus in `../shared/corpus/fortios`.

use sanso::dialect::fortios::{parse, parse_with_stats};
use sanso::model::*;
use std::net::Ipv4Addr;
use std::path::Path;

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

#[test]
fn corpus_parses_and_accounts_for_every_line() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/fortios");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "FortiOS corpus folder {} is missing ({e}); it lives in shared/ beside the repo",
            dir.display()
        )
    });
    let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    assert!(!files.is_empty(), "no files in {}", dir.display());
    let (mut tot_lines, mut tot_ok) = (0u64, 0u64);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let rel = format!("fortios/{}", path.file_name().unwrap().to_string_lossy());
        let (dev, understood) =
            parse_with_stats(&rel, &text).unwrap_or_else(|e| panic!("{rel}: parse error {e}"));
        let total = text.lines().count() as u32;
        assert_eq!(dev.lines, total, "{rel}: line count");
        assert_eq!(
            understood + dev.unrecognized.len() as u32,
            total,
            "{rel}: every line must be understood or unrecognized exactly once"
        );
        let mut seen = std::collections::HashSet::new();
        for u in &dev.unrecognized {
            assert!(u.line >= 1 && u.line <= total, "{rel}: bad line {}", u.line);
            assert!(seen.insert(u.line), "{rel}: line {} listed twice", u.line);
            let t = &u.text;
            if let Some(i) = t.find("ENC ") {
                assert!(
                    t[i + 4..].starts_with(sanso::redact::REDACTED),
                    "{rel}:{}: secret leaked: {t}",
                    u.line
                );
            }
        }
        let json = serde_json::to_string(&dev).unwrap();
        assert!(!json.contains("ENC fw"), "{rel}: ENC secret in output");
        tot_lines += total as u64;
        tot_ok += understood as u64;
        let pct = if total == 0 {
            100.0
        } else {
            100.0 * understood as f64 / total as f64
        };
        eprintln!(
            "{rel}: {understood}/{total} understood ({pct:.1}%), {} unrecognized, {} ifaces, {} policies, {} routes",
            dev.unrecognized.len(),
            dev.interfaces.len(),
            dev.policies.len(),
            dev.routes.len()
        );
    }
    eprintln!(
        "fortios corpus total: {tot_ok}/{tot_lines} understood ({:.1}%)",
        100.0 * tot_ok as f64 / tot_lines.max(1) as f64
    );
}

//! iptables-save parser: hand-written inputs with exact expected model pieces, a real
//! `iptables-save` dump (fixtures/linux-dumps) and golden summaries of the shared corpus.

#[path = "golden/summary.rs"]
mod golden;

use sanso::dialect::iptables::{parse, parse_with_stats};
use sanso::model::*;

#[test]
fn corpus_golden() {
    let mut failures = vec![];
    for p in golden::corpus("iptables") {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        let fname = p.file_name().unwrap().to_string_lossy().into_owned();
        let name = format!("iptables/{fname}");
        let (d, understood) = parse_with_stats(&name, &text).expect("parse");
        assert_eq!(d.lines as usize, text.lines().count(), "{name}");
        let reported: std::collections::BTreeSet<u32> =
            d.unrecognized.iter().map(|u| u.line).collect();
        assert_eq!(
            understood as usize + reported.len(),
            d.lines as usize,
            "{name}"
        );
        let s = golden::summary(&name, &d, Some(understood));
        if let Some(f) = golden::check("iptables", &fname, &s) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! nftables parser: hand-written rulesets with exact expected model pieces, real `nft`
//! dumps (fixtures/linux-dumps), and golden summaries of the shared corpus.

#[path = "golden/summary.rs"]
mod golden;

use sanso::dialect::nftables::{parse, parse_json, parse_with_stats};
use sanso::model::*;

#[test]
fn corpus_golden() {
    let mut failures = vec![];
    for p in golden::corpus("nftables") {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        let fname = p.file_name().unwrap().to_string_lossy().into_owned();
        let name = format!("nftables/{fname}");
        let (d, understood) = parse_with_stats(&name, &text).expect("parse");
        assert_eq!(d.lines as usize, text.lines().count(), "{name}");
        let s = golden::summary(&name, &d, Some(understood));
        if let Some(f) = golden::check("nftables", &fname, &s) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Discovers the rule pack: every `rules/<ID>/rule.toml` is embedded, in id order, so adding
//! a rule is adding its folder (docs/architecture.md).

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut ids: Vec<String> = std::fs::read_dir("rules")
        .expect("rules/ beside Cargo.toml")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("rule.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let mut out = String::from("&[\n");
    for id in &ids {
        println!("cargo:rerun-if-changed=rules/{id}/rule.toml");
        let path = Path::new(&root).join("rules").join(id).join("rule.toml");
        writeln!(
            out,
            "    ({id:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    out.push(']');
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_pack.rs");
    std::fs::write(dest, out).expect("write rule_pack.rs");
}

//! The pipeline's layering, enforced: a stage of `src/` may import only itself and earlier
//! stages (docs/architecture.md). A back-import — say `net` calling into `checks` — fails
//! here, naming the file and the line, so the data flow stays visible without review.

use std::path::{Path, PathBuf};

/// The stages in pipeline order. `gen` writes generated snapshots for `sanso gen` and
/// imports nothing of the crate; it sits with the commands.
const STAGES: &[&str] = &[
    "model", "ingest", "hs", "engine", "net", "checks", "report", "query", "render", "gen",
];

fn rank(stage: &str) -> Option<usize> {
    STAGES.iter().position(|s| *s == stage)
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every `crate::<stage>` a line names (in `use` and in paths).
fn crate_refs(line: &str) -> Vec<&str> {
    let mut v = vec![];
    let mut rest = line;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + 7..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        v.push(&after[..end]);
        rest = &after[end..];
    }
    v
}

/// The offending imports under `src/`: (file:line, importing stage, imported stage).
fn back_imports(src: &Path) -> Vec<String> {
    let mut files = vec![];
    rs_files(src, &mut files);
    files.sort();
    let mut bad = vec![];
    for f in files {
        let rel = f.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let stage = top.trim_end_matches(".rs");
        let Some(own) = rank(stage) else {
            // lib.rs, main.rs and cli/ sit on top of every stage.
            continue;
        };
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for r in crate_refs(code) {
                match rank(r) {
                    Some(k) if k > own => bad.push(format!(
                        "src/{}:{}: `{stage}` imports the later stage `{r}`",
                        rel.display(),
                        i + 1
                    )),
                    Some(_) => {}
                    None => bad.push(format!(
                        "src/{}:{}: `crate::{r}` is not a pipeline stage (tests/layering.rs STAGES)",
                        rel.display(),
                        i + 1
                    )),
                }
            }
        }
    }
    bad
}

#[test]
fn no_stage_imports_a_later_stage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = back_imports(&src);
    assert!(bad.is_empty(), "layering broken:\n{}", bad.join("\n"));
}

#[test]
fn every_stage_is_a_module_of_the_library() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for s in STAGES {
        assert!(
            lib.contains(&format!("pub mod {s};")),
            "src/lib.rs lacks `pub mod {s};`"
        );
    }
}

/// The checker itself: a planted back-import is found, a forward one is not.
#[test]
fn a_planted_back_import_is_caught() {
    let dir = std::env::temp_dir().join(format!("sanso-layering-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("net")).unwrap();
    std::fs::write(
        dir.join("net/mod.rs"),
        "use crate::engine::Engine;\n// crate::checks in a comment is fine\nfn f() { crate::checks::evaluate(); }\n",
    )
    .unwrap();
    std::fs::write(dir.join("model.rs"), "use crate::model::Mac;\n").unwrap();
    let bad = back_imports(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].starts_with("src/net/mod.rs:3: `net` imports the later stage `checks`"));
}

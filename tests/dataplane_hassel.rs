//! Exactness against Hassel-C: for every source port the set of reached output ports
//! equals the reference `out_ports` column.
use sanso::engine::ReachScratch;
use sanso_testkit::dataplane::{hassel::HasselNet, read_reference};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn datasets() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets");
    assert!(
        d.join("stanford/hassel-tf").is_dir() && d.join("internet2/hassel-tf").is_dir(),
        "datasets missing: expected {} (see /work/shared/datasets/README.md)",
        d.display()
    );
    d
}

fn check(tf_dir: &Path, reference: &Path, expect_rows: usize) {
    let t = Instant::now();
    let model = HasselNet::load(tf_dir).unwrap().compile().unwrap();
    let build = t.elapsed();
    let refs = read_reference(reference).unwrap();
    assert_eq!(refs.len(), expect_rows);
    let mut scratch = ReachScratch::default();
    let mut bad = vec![];
    let t = Instant::now();
    for r in &refs {
        let got = model.reached_ports(r.src, &mut scratch);
        if got != r.out_ports {
            bad.push(r.src);
        }
    }
    eprintln!(
        "{}: build {:?}, {} sources in {:?}",
        tf_dir.display(),
        build,
        refs.len(),
        t.elapsed()
    );
    assert!(
        bad.is_empty(),
        "{} sources differ from the reference: {:?}",
        bad.len(),
        bad
    );
}

#[test]
fn stanford_matches_hassel_reference() {
    let d = datasets().join("stanford");
    check(
        &d.join("hassel-tf"),
        &d.join("hassel-reference-simple.tsv"),
        202,
    );
}

#[test]
fn internet2_matches_hassel_reference() {
    let d = datasets().join("internet2");
    check(&d.join("hassel-tf"), &d.join("hassel-reference.tsv"), 345);
}

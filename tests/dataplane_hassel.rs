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

/// Stanford's wildcards are all prefixes, so `compile` takes the interval construction;
/// it must give the very BDDs (canonical: equal ids in one manager) of the `or`/`diff`
/// fold that any wildcard shape uses.
#[test]
fn stanford_edges_by_intervals_equal_the_bdd_fold() {
    let net = HasselNet::load(&datasets().join("stanford/hassel-tf")).unwrap();
    assert!(net.all_prefixes());
    let (by_intervals, by_bdds) = net.single_stage_edges_both_ways().unwrap();
    assert_eq!(by_intervals.len(), 3068);
    assert!(by_intervals == by_bdds);
}

mod intervals {
    use proptest::prelude::*;
    use sanso::hs::{Field, Space, FALSE};
    use sanso_testkit::dataplane::hassel::{
        interval_minus, intervals_bdd, normalize_intervals, prefix_interval, Wildcard,
    };

    fn prefix(value: u32, len: u8) -> Wildcard {
        let care = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        Wildcard {
            value: value as u64,
            care: care as u64,
            len: 32,
        }
    }

    proptest! {
        /// (one prefix minus several) ∪ (another minus several), by intervals, equals the
        /// same sets folded with BDD `diff` and `or` over the same variables. Short
        /// prefixes over a few high bits make overlaps, adjacency and full cover common.
        #[test]
        fn interval_union_equals_bdd_fold(
            parts in prop::collection::vec(
                ((any::<u32>(), 0u8..=6), prop::collection::vec((any::<u32>(), 0u8..=8), 0..4)),
                0..6,
            ),
            low in any::<bool>(),
        ) {
            let mut sp = Space::new();
            let dst = Field::DstIp.vars();
            // `low`: long prefixes near the bottom of the space instead of short ones.
            let mk = |(v, l): (u32, u8)| if low { prefix(v & 0xff, 24 + l.min(8)) } else { prefix(v, l) };
            let mut fold = FALSE;
            let mut iv = vec![];
            for (m, cuts) in &parts {
                let mw = mk(*m);
                let mut b = sp.m.masked(dst.clone(), mw.value, mw.care);
                let mut cut_iv = vec![];
                for &c in cuts {
                    let cw = mk(c);
                    let cb = sp.m.masked(dst.clone(), cw.value, cw.care);
                    b = sp.m.diff(b, cb);
                    cut_iv.push(prefix_interval(&cw).unwrap());
                }
                fold = sp.m.or(fold, b);
                iv.extend(interval_minus(prefix_interval(&mw).unwrap(), &mut cut_iv));
            }
            normalize_intervals(&mut iv);
            prop_assert_eq!(intervals_bdd(&mut sp.m, dst.start, &iv, 0, 0), fold);
        }
    }

    #[test]
    fn a_cared_bit_below_a_wildcard_is_not_a_prefix() {
        let w = Wildcard {
            value: 0,
            care: 0b1011 << 28,
            len: 32,
        };
        assert_eq!(prefix_interval(&w), None);
        assert_eq!(
            prefix_interval(&prefix(0x0a00_0000, 8)),
            Some((0x0a00_0000, 0x0aff_ffff))
        );
        assert_eq!(prefix_interval(&prefix(7, 0)), Some((0, u32::MAX)));
    }
}

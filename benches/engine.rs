//! Criterion benches: engine build, one-source-to-all, all sources on 1 and 2 rayon
//! threads, and incremental update (APKeep Stanford: 400 updates on 1- and 2-thread pools, all
//! 9,052 from empty, and the post-insert snapshot compiled and reached). Needs
//! ../shared/datasets. The prefecture-scale audit benches are in benches/prefecture.rs.
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use sanso::engine::ReachScratch;
use sanso_testkit::dataplane::apkeep::{ApkNet, Update};
use sanso_testkit::dataplane::hassel::HasselNet;
use std::path::{Path, PathBuf};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets")
}

fn hassel(c: &mut Criterion) {
    for (name, dir) in [
        ("stanford", "stanford/hassel-tf"),
        ("internet2", "internet2/hassel-tf"),
    ] {
        let net = HasselNet::load(&data().join(dir)).expect("dataset");
        let mut g = c.benchmark_group(name);
        g.sample_size(10);
        g.bench_function("build", |b| b.iter(|| net.compile().unwrap()));
        // The issue-13 goal (Stanford ≤ 100 ms, Internet2 ≤ 250 ms): parse the files,
        // build, and answer every source, as a user's run would.
        g.bench_function("load_build_all_sources", |b| {
            b.iter(|| {
                let model = HasselNet::load(&data().join(dir))
                    .unwrap()
                    .compile()
                    .unwrap();
                let mut scratch = ReachScratch::default();
                let srcs: Vec<u32> = model.sources.keys().copied().collect();
                srcs.iter()
                    .map(|&s| model.reached_ports(s, &mut scratch).len())
                    .sum::<usize>()
            })
        });
        let model = net.compile().unwrap();
        let srcs: Vec<u32> = model.sources.keys().copied().collect();
        let mut scratch = ReachScratch::default();
        let mut i = 0;
        g.bench_function("one_source_to_all", |b| {
            b.iter(|| {
                i = (i + 1) % srcs.len();
                model.reached_ports(srcs[i], &mut scratch)
            })
        });
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            g.bench_with_input(
                BenchmarkId::new("all_sources", threads),
                &threads,
                |b, _| b.iter(|| pool.install(|| model.reached_ports_par(&srcs))),
            );
        }
        g.finish();
    }
}

fn apkeep(c: &mut Criterion) {
    let dir = data().join("stanford/apkeep");
    let (mut net, updates) = ApkNet::load(&dir).expect("dataset");
    let n_insert = updates.iter().take_while(|u| u.is_insert()).count();
    // All insertions but the last 200 forwarding rules, then bench insert+remove of them.
    let tail: Vec<Update> = updates[n_insert - 200..n_insert].to_vec();
    for u in &updates[..n_insert - 200] {
        net.apply(u);
    }
    let undo: Vec<Update> = tail
        .iter()
        .map(|u| match u.clone() {
            Update::Fwd {
                router,
                prefix,
                len,
                port,
                ..
            } => Update::Fwd {
                insert: false,
                router,
                prefix,
                len,
                port,
            },
            a => a,
        })
        .collect();
    let mut g = c.benchmark_group("apkeep_stanford");
    g.sample_size(20);
    // Updates are sequential; the pools show whether anything in them uses rayon.
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        g.bench_with_input(
            BenchmarkId::new("update_insert_remove_200", threads),
            &threads,
            |b, _| {
                b.iter(|| {
                    pool.install(|| {
                        for u in &tail {
                            net.apply(u);
                        }
                        for u in undo.iter().rev() {
                            net.apply(u);
                        }
                    })
                })
            },
        );
    }
    // The issue-13 goals: every update of the dataset from an empty network (divide by
    // 9,052 for the mean; loading is setup), and the post-insert state compiled into the
    // audit engine and reached from all 88 sources.
    g.bench_function("all_9052_updates_from_empty", |b| {
        b.iter_batched(
            || ApkNet::load(&dir).expect("dataset"),
            |(mut net, updates)| {
                for u in &updates {
                    net.apply(u);
                }
                net.distinct_loops()
            },
            BatchSize::LargeInput,
        )
    });
    let (mut full, updates) = ApkNet::load(&dir).expect("dataset");
    for u in &updates[..n_insert] {
        full.apply(u);
    }
    g.bench_function("snapshot_compile_and_all_sources", |b| {
        b.iter(|| {
            let snap = full.snapshot();
            let mut scratch = ReachScratch::default();
            snap.sources
                .iter()
                .map(|&s| snap.reach_count(s, &mut scratch))
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, hassel, apkeep);
criterion_main!(benches);

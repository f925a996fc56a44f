//! Criterion benches on a generated prefecture snapshot (`sanso::gen`, 8 municipalities):
//! engine build (graph + predicates, no atoms), one zone to all, the all-pairs zone
//! matrix, and the full audit, each on local rayon pools of 1 and 2 threads. The
//! incremental-update bench is APKeep's (benches/engine.rs). `corners`: the full audit of
//! each corner of the shape matrix (`sanso::gen::corner`: many zones, unique VLANs, large
//! core ACLs, large policy sets) scaled to 1/8 of its municipalities, on 2 threads, without
//! and with planted violations.
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use rayon::prelude::*;
use sanso::gen::{generate, GenOptions};
use sanso::hs::{Bdd, Space, FALSE};
use sanso::model::Snapshot;
use sanso::net::Graph;
use std::path::PathBuf;

const MUNICIPALITIES: usize = 8;

fn snapshot_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sanso-bench-prefecture-{MUNICIPALITIES}"));
    let g = generate(&GenOptions {
        municipalities: MUNICIPALITIES,
        ..GenOptions::default()
    });
    g.write(&dir).expect("write snapshot");
    dir
}

/// Reach from every point of zone `z` with the new-flow injection.
fn zone_reach(g: &Graph, sp: &mut Space, z: usize) -> Vec<Bdd> {
    let inject = g.engine.query_pred[g.q.new_flow as usize];
    let src: Vec<(u32, Bdd)> = g
        .points
        .iter()
        .filter(|p| p.zones.contains(&z))
        .map(|p| (p.src, inject))
        .collect();
    g.engine.reach_sets(sp, &src, |_| {})
}

/// Row `z` of the zone matrix: which zones receive new flows addressed into them.
fn matrix_row(g: &Graph, sp: &mut Space, z: usize, zones: usize) -> Vec<bool> {
    let reach = zone_reach(g, sp, z);
    (0..zones)
        .map(|d| {
            let region = g.engine.query_pred[g.q.zone_dst[d] as usize];
            g.points
                .iter()
                .filter(|p| p.zones.contains(&d))
                .any(|p| sp.and(reach[p.sink as usize], region) != FALSE)
        })
        .collect()
}

fn prefecture(c: &mut Criterion) {
    let dir = snapshot_dir();
    let snap = Snapshot::load(&dir).expect("generated snapshot loads");
    let g = Graph::build_sets(&snap);
    let zones = snap.zones.len();
    let mn = snap
        .zones
        .iter()
        .position(|z| z.name == "c000-mn-terminals")
        .expect("zone");
    let mut grp = c.benchmark_group("prefecture8");
    grp.sample_size(10);
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        grp.bench_with_input(
            BenchmarkId::new("engine_build", threads),
            &threads,
            |b, _| b.iter(|| pool.install(|| Graph::build_sets(&snap))),
        );
        grp.bench_with_input(
            BenchmarkId::new("one_zone_to_all", threads),
            &threads,
            |b, _| {
                // A fresh copy of the space each time: measure cold BDD work, not cache hits.
                b.iter_batched(
                    || g.engine.space.clone(),
                    |mut sp| pool.install(|| zone_reach(&g, &mut sp, mn)),
                    BatchSize::LargeInput,
                )
            },
        );
        grp.bench_with_input(
            BenchmarkId::new("zone_matrix_all_pairs", threads),
            &threads,
            |b, _| {
                // Source zones in parallel, one copy of the BDD space per worker.
                b.iter(|| {
                    pool.install(|| {
                        (0..zones)
                            .into_par_iter()
                            .map_init(
                                || g.engine.space.clone(),
                                |sp, z| matrix_row(&g, sp, z, zones),
                            )
                            .collect::<Vec<_>>()
                    })
                })
            },
        );
        grp.bench_with_input(BenchmarkId::new("full_audit", threads), &threads, |b, _| {
            b.iter(|| pool.install(|| sanso::checks::audit::run(&dir).expect("audit")))
        });
    }
    grp.finish();
}

/// Each shape-matrix corner at 1/8 of its municipalities (≈250 devices, ≈25k lines).
fn corners(c: &mut Criterion) {
    let mut grp = c.benchmark_group("corners");
    grp.sample_size(10);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    for name in sanso::gen::CORNERS {
        let mut o = sanso::gen::corner(name).expect("corner");
        o.municipalities = o.municipalities.div_ceil(8);
        let dir = std::env::temp_dir().join(format!("sanso-bench-corner-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        generate(&o).write(&dir).expect("write snapshot");
        grp.bench_function(BenchmarkId::new("full_audit", name), |b| {
            b.iter(|| pool.install(|| sanso::checks::audit::run(&dir).expect("audit")))
        });
        // With violations planted (two per municipality): thousands of findings, whose
        // causes are grouped (`checks::cause`), once 90 % of a planted audit.
        o.plant = 2 * o.municipalities;
        let planted = std::env::temp_dir().join(format!("sanso-bench-corner-{name}-planted"));
        let _ = std::fs::remove_dir_all(&planted);
        generate(&o).write(&planted).expect("write snapshot");
        grp.bench_function(BenchmarkId::new("full_audit_planted", name), |b| {
            b.iter(|| pool.install(|| sanso::checks::audit::run(&planted).expect("audit")))
        });
    }
    grp.finish();
}

criterion_group!(benches, prefecture, corners);
criterion_main!(benches);

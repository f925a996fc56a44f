//! APKeep's Stanford network with ACLs and VLANs: every update applied one by one with
//! APKeep's loop check, then all-sources reachability over the final snapshot.
//! Usage: `cargo run --release --example stanford_acl -- <stanford/apkeep dir>`.
use sanso::dataplane::{apkeep::ApkNet, percentile};
use sanso::engine::ReachScratch;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/datasets/stanford/apkeep".into()),
    );
    let (mut net, updates) = ApkNet::load(&dir).expect("load apkeep network");
    let n_insert = updates.iter().take_while(|u| u.is_insert()).count();
    // Insertions, one by one, each followed by the loop check.
    let mut times = Vec::with_capacity(updates.len());
    for u in &updates[..n_insert] {
        let t = Instant::now();
        net.apply(u);
        times.push(t.elapsed().as_secs_f64() * 1e6);
        if std::env::var_os("VERBOSE").is_some() && times.len() % 250 == 0 {
            eprintln!(
                "{} updates, atoms {:?}, loops {}, last {:.0} us",
                times.len(),
                net.atoms(),
                net.loops,
                times.last().unwrap()
            );
        }
    }
    let loops_after_insert = net.loops;
    let atoms_after_insert = net.atoms();
    // All-sources reachability over the network after the insertions.
    let t = Instant::now();
    let snap = net.snapshot();
    let build_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut scratch = ReachScratch::default();
    let t = Instant::now();
    let mut reached = 0;
    for &s in &snap.sources {
        reached += snap.reach_count(s, &mut scratch);
    }
    let total_ms = t.elapsed().as_secs_f64() * 1e3;
    // Removals.
    for u in &updates[n_insert..] {
        let t = Instant::now();
        net.apply(u);
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "stanford-acl: sources={} total_ms={:.2} loops={} update_mean_us={:.2} update_p95_us={:.2} updates={} loops_all_updates={} atoms_incremental={:?} atoms_snapshot={} snapshot_build_ms={:.0} reached_pairs={} update_max_us={:.0}",
        snap.sources.len(),
        total_ms,
        loops_after_insert,
        mean,
        percentile(&times, 95.0),
        times.len(),
        net.loops,
        atoms_after_insert,
        snap.engine.atoms.len(),
        build_ms,
        reached,
        percentile(&times, 100.0),
    );
}

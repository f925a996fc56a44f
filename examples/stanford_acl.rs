//! APKeep's Stanford network with ACLs and VLANs: the 4,526 insertions one by one, each
//! followed by APKeep's loop check; all-sources reachability over the resulting network;
//! then the 4,526 removals, also checked.
//! Usage: `cargo run --release --example stanford_acl -- <stanford/apkeep dir>`.
//! `VERBOSE=1` also prints the distinct loops.
use sanso::engine::ReachScratch;
use sanso_testkit::dataplane::{
    apkeep::{ApkNet, Update},
    percentile,
};
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
    let mut times = Vec::with_capacity(updates.len());
    for u in &updates[..n_insert] {
        let t = Instant::now();
        net.apply(u);
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let loops_after_insert = net.distinct_loops();
    let reports_after_insert = net.loop_reports;
    let atoms_after_insert = net.atoms().0;
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
    for u in &updates[n_insert..] {
        let t = Instant::now();
        net.apply(u);
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    // Mean per kind of update: + acl, + fwd, - fwd, - acl.
    let mut kinds: std::collections::BTreeMap<String, (f64, usize)> = Default::default();
    for (u, t) in updates.iter().zip(&times) {
        let k = match u {
            Update::Fwd { insert: true, .. } => "fwd_insert",
            Update::Fwd { .. } => "fwd_remove",
            Update::Acl { insert: true, .. } => "acl_insert",
            Update::Acl { .. } => "acl_remove",
        };
        let e = kinds.entry(k.to_string()).or_default();
        e.0 += t;
        e.1 += 1;
    }
    let by_kind: Vec<String> = kinds
        .iter()
        .map(|(k, (s, n))| format!("{k}_mean_us={:.2}", s / *n as f64))
        .collect();
    println!(
        "stanford-acl: sources={} total_ms={:.2} loops={} update_mean_us={:.2} update_p95_us={:.2} updates={} {} update_max_us={:.0} loop_reports={} loops_all_updates={} atoms_after_insert={} snapshot_atoms={} snapshot_build_ms={:.0} reached_pairs={}",
        snap.sources.len(),
        total_ms,
        loops_after_insert,
        mean,
        percentile(&times, 95.0),
        times.len(),
        by_kind.join(" "),
        percentile(&times, 100.0),
        reports_after_insert,
        net.distinct_loops(),
        atoms_after_insert,
        snap.engine.atoms.len(),
        build_ms,
        reached,
    );
    if std::env::var_os("VERBOSE").is_some() {
        for l in net.loops() {
            println!("  loop: {}", l.join(" "));
        }
    }
}

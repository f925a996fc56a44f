//! Per-phase timing of `sanso audit` on one snapshot (used by scripts/curve.sh):
//! `cargo run --release --example prefecture -- DIR [threads]`.
//! Prints one tab-separated line: devices, config lines, ACL/policy lines, unrecognised
//! lines, graph nodes, edges, BDD nodes, and milliseconds for load, graph, rules, report.

use sanso::checks as rules;
use sanso::model::Snapshot;
use sanso::net::Graph;
use sanso::report::{self, Lang};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: prefecture DIR [threads]");
    let threads: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| run(&dir));
}

/// CPU seconds of this process (user + system) from /proc: on a shared machine wall time
/// also counts other tenants' work.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name.
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn run(dir: &str) {
    let c0 = cpu();
    let t = Instant::now();
    let snap = Snapshot::load(std::path::Path::new(dir)).expect("snapshot loads");
    let load = t.elapsed();
    let t = Instant::now();
    let mut g = Graph::build_sets(&snap);
    let graph = t.elapsed();
    let c1 = cpu();
    let rules = rules::load_builtin().expect("rule pack");
    let t = Instant::now();
    let eval = rules::evaluate(&rules, &snap, &mut g);
    let eval_t = t.elapsed();
    let c2 = cpu();
    let t = Instant::now();
    let r = report::build(&snap, &rules, &eval, Lang::Ja);
    let text = sanso::render::terminal::terminal(&r, Lang::Ja, Some(&snap));
    let rep = t.elapsed();
    let lines: usize = snap.devices.iter().map(|d| d.lines as usize).sum();
    let unrec: usize = snap.devices.iter().map(|d| d.unrecognized.len()).sum();
    let acl: usize = snap
        .devices
        .iter()
        .map(|d| d.acls.values().map(|a| a.rules.len()).sum::<usize>() + d.policies.len())
        .sum();
    // Counted apart: on a generated prefecture the checks about an Internet line, update
    // servers, printers, J-ALERT and neighbour tables do not apply (n/a), which is not a
    // failure.
    let count = |s: rules::Status| eval.checks.iter().filter(|c| c.status == s).count();
    let (violated, unproven, na) = (
        count(rules::Status::Violated),
        count(rules::Status::Unproven),
        count(rules::Status::NotApplicable),
    );
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "cpu_ms(load+graph)={:.0}\tcpu_ms(rules)={:.0}\tdevices={}\tlines={}\tacl_entries+policies={}\tunrecognised={}\tnodes={}\tedges={}\tbdd_nodes={}\tload_ms={:.0}\tgraph_ms={:.0}\trules_ms={:.0}\treport_ms={:.0}\tchecks_violated={}\tchecks_unproven={}\tchecks_na={}\tfindings={}\treport_bytes={}",
        (c1 - c0) * 1e3,
        (c2 - c1) * 1e3,
        snap.devices.len(),
        lines,
        acl,
        unrec,
        g.engine.node_count(),
        g.engine.edges.len(),
        g.engine.space.m.node_count(),
        ms(load),
        ms(graph),
        ms(eval_t),
        ms(rep),
        violated,
        unproven,
        na,
        eval.findings.len(),
        text.len()
    );
    let steps: Vec<String> = g
        .timings
        .iter()
        .map(|(n, d)| format!("{n}={:.0}", ms(*d)))
        .collect();
    println!("graph_steps_ms\t{}", steps.join("\t"));
}

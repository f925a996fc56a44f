//! One-source-to-all reachability on the Internet2 model, compared with the
//! Hassel-C reference. Usage: `cargo run --release --example internet2 -- <dataset dir>`.
use sanso::dataplane::{hassel::HasselNet, percentile, read_reference};
use sanso::engine::ReachScratch;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/datasets/internet2".into()),
    );
    let t0 = Instant::now();
    let net = HasselNet::load(&dir.join("hassel-tf")).expect("load hassel-tf");
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    let t1 = Instant::now();
    let model = net.compile().expect("compile");
    let build_ms = t1.elapsed().as_secs_f64() * 1e3;
    let refs = read_reference(&dir.join("hassel-reference.tsv")).expect("reference");
    let mut scratch = ReachScratch::default();
    let mut times = vec![];
    let mut identical = 0;
    let t2 = Instant::now();
    for r in &refs {
        let t = Instant::now();
        let got = model.reached_ports(r.src, &mut scratch);
        times.push(t.elapsed().as_secs_f64() * 1e6);
        if got == r.out_ports {
            identical += 1;
        } else if std::env::var_os("VERBOSE").is_some() {
            let extra: Vec<_> = got.difference(&r.out_ports).collect();
            let missing: Vec<_> = r.out_ports.difference(&got).collect();
            eprintln!("{}: extra {:?} missing {:?}", r.src, extra, missing);
        }
    }
    let total_ms = t2.elapsed().as_secs_f64() * 1e3;
    println!(
        "internet2: sources={} identical={} total_ms={:.2} p50_us={:.1} max_us={:.1} load_ms={:.0} build_ms={:.0} atoms={} edges={}",
        refs.len(),
        identical,
        total_ms,
        percentile(&times, 50.0),
        percentile(&times, 100.0),
        load_ms,
        build_ms,
        model.engine.atoms.len(),
        model.engine.edges.len()
    );
}

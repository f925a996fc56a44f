//! One-source-to-all reachability on the Internet2 model, compared with the
//! Hassel-C reference. Usage: `cargo run --release --example internet2 -- <dataset dir>`.
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/datasets/internet2".into()),
    );
    let verbose = std::env::var_os("VERBOSE").is_some();
    match sanso_testkit::dataplane::hassel::reference_run(
        "internet2",
        &dir,
        "hassel-reference.tsv",
        verbose,
    ) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("internet2: {}: {e}", dir.display());
            std::process::exit(2);
        }
    }
}

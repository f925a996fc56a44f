//! One-source-to-all reachability on the Stanford `hassel-tf` model, compared with the
//! Hassel-C reference. Usage: `cargo run --release --example stanford -- <dataset dir>`.
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/datasets/stanford".into()),
    );
    let verbose = std::env::var_os("VERBOSE").is_some();
    match sanso_testkit::dataplane::hassel::reference_run(
        "stanford",
        &dir,
        "hassel-reference-simple.tsv",
        verbose,
    ) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("stanford: {}: {e}", dir.display());
            std::process::exit(2);
        }
    }
}

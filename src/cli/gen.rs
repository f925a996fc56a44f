//! `sanso gen`: write a generated prefecture-scale snapshot.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct GenArgs {
    /// Number of municipalities (1–250).
    #[arg(long, default_value_t = 4)]
    municipalities: usize,
    /// Output folder.
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Violations to plant (listed in PLANTED.tsv).
    #[arg(long, default_value_t = 0)]
    plant: usize,
}

/// Exit 0 when written, 2 on write errors.
pub fn run(a: GenArgs) -> ExitCode {
    let opts = sanso::gen::GenOptions {
        municipalities: a.municipalities,
        seed: a.seed,
        plant: a.plant,
        ..Default::default()
    };
    let g = sanso::gen::generate(&opts);
    let mut files = g.files.clone();
    if !g.planted.is_empty() {
        let mut t = String::from("rule\tmunicipality\n");
        for p in &g.planted {
            t.push_str(&format!("{}\t{}\n", p.kind.rule(), p.municipality));
        }
        files.insert("PLANTED.tsv".into(), t);
    }
    let written = sanso::gen::Generated { files, ..g.clone() };
    if let Err(e) = written.write(&a.out) {
        eprintln!("sanso: {}: {e}", a.out.display());
        return ExitCode::from(2);
    }
    outln!(
        "{}: {} devices, {} config lines, {} ACL/policy lines, {} planted",
        a.out.display(),
        g.devices,
        g.total_lines(),
        g.rule_lines,
        g.planted.len()
    );
    ExitCode::SUCCESS
}

//! `sanso gen`: write a generated prefecture-scale snapshot.

use clap::Args;
use sanso::gen::{PlantKind, MAX_MUNICIPALITIES};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct GenArgs {
    /// Number of municipalities, 1–250, e.g. `--municipalities 60`.
    #[arg(long, default_value_t = 4)]
    municipalities: usize,
    /// Output folder; must be empty or missing unless --force, e.g. `-o /tmp/pref`.
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
    /// Seed of the generator (same seed, same snapshot).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Violations to plant (listed in PLANTED.tsv), at most 5 per municipality, e.g. `--plant 3`.
    #[arg(long, default_value_t = 0)]
    plant: usize,
    /// Write into a non-empty folder: first remove what gen writes there (sanso.toml,
    /// topology.toml, PLANTED.tsv, configs/), leaving other files alone.
    #[arg(long)]
    force: bool,
}

/// Why the arguments cannot be used, if they cannot.
fn check(a: &GenArgs) -> Result<(), String> {
    if !(1..=MAX_MUNICIPALITIES).contains(&a.municipalities) {
        return Err(format!(
            "--municipalities {}: must be 1–{MAX_MUNICIPALITIES}",
            a.municipalities
        ));
    }
    let most = a.municipalities * PlantKind::ALL.len();
    if a.plant > most {
        return Err(format!(
            "--plant {}: at most {most} ({} kinds × {} municipalities)",
            a.plant,
            PlantKind::ALL.len(),
            a.municipalities
        ));
    }
    Ok(())
}

/// Refuse a non-empty folder without `--force`; with it, remove what gen writes.
fn prepare(dir: &Path, force: bool) -> Result<(), String> {
    let non_empty = match std::fs::read_dir(dir) {
        Ok(mut it) => it.next().is_some(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    if !non_empty {
        return Ok(());
    }
    if !force {
        return Err(format!(
            "{}: folder is not empty (use --force to replace a generated snapshot)",
            dir.display()
        ));
    }
    let gone = |r: std::io::Result<()>| match r {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("{}: {e}", dir.display()))
        }
        _ => Ok(()),
    };
    for f in ["sanso.toml", "topology.toml", "PLANTED.tsv"] {
        gone(std::fs::remove_file(dir.join(f)))?;
    }
    gone(std::fs::remove_dir_all(dir.join("configs")))
}

/// Exit 0 when written, 2 on bad arguments or write errors.
pub fn run(a: GenArgs) -> ExitCode {
    if let Err(e) = check(&a).and_then(|()| prepare(&a.out, a.force)) {
        eprintln!("sanso: gen: {e}");
        return ExitCode::from(2);
    }
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

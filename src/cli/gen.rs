//! `sanso gen`: write a generated prefecture-scale snapshot.

use clap::Args;
use sanso::gen::{PlantKind, MAX_EXTRA_FLOWS, MAX_FLOORS, MAX_MUNICIPALITIES};
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
    /// Floors (access VLANs) per tier, 1–13.
    #[arg(long, default_value_t = 3)]
    floors: usize,
    /// A terminal zone per floor instead of one per tier (3 + 3 × floors zones per municipality).
    #[arg(long)]
    zone_per_floor: bool,
    /// Access switches per floor, chained on trunks, e.g. `--switches-per-floor 4`.
    #[arg(long, default_value_t = 1)]
    switches_per_floor: usize,
    /// VLAN ids unique across the prefecture instead of the same ids in every municipality.
    #[arg(long)]
    unique_vlans: bool,
    /// Declare each zone's VLANs in sanso.toml.
    #[arg(long)]
    zone_vlans: bool,
    /// Entries per core ACL (one ACL per floor on each tier's core), e.g. `--acl-entries 1300`.
    #[arg(long, default_value_t = 40)]
    acl_entries: usize,
    /// LGWAN-ASP policies per LGWAN FortiGate, e.g. `--policies 800`.
    #[arg(long, default_value_t = 120)]
    policies: usize,
    /// LGWAN policies over address groups, service groups and custom services.
    #[arg(long)]
    policy_groups: bool,
    /// Extra 特定通信 per municipality (hosts with registered MACs), 0–10.
    #[arg(long, default_value_t = 0)]
    extra_tokutei: usize,
    /// Extra メール無害化 flows per municipality, 0–10.
    #[arg(long, default_value_t = 0)]
    extra_mugaika: usize,
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
    let ranges = [
        ("--floors", a.floors, 1, MAX_FLOORS),
        ("--switches-per-floor", a.switches_per_floor, 1, 60),
        ("--acl-entries", a.acl_entries, 1, 2000),
        ("--policies", a.policies, 1, 4000),
        ("--extra-tokutei", a.extra_tokutei, 0, MAX_EXTRA_FLOWS),
        ("--extra-mugaika", a.extra_mugaika, 0, MAX_EXTRA_FLOWS),
    ];
    for (flag, v, lo, hi) in ranges {
        if !(lo..=hi).contains(&v) {
            return Err(format!("{flag} {v}: must be {lo}–{hi}"));
        }
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
        floors: a.floors,
        policies: a.policies,
        acl_entries: a.acl_entries,
        zone_per_floor: a.zone_per_floor,
        switches_per_floor: a.switches_per_floor,
        unique_vlans: a.unique_vlans,
        zone_vlans: a.zone_vlans,
        policy_groups: a.policy_groups,
        extra_tokutei: a.extra_tokutei,
        extra_mugaika: a.extra_mugaika,
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

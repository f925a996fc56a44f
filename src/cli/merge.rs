//! `sanso merge`: join the reports of a split run (`audit --part K/N`) into the report
//! of the whole run, or the part bundles of `evidence --part K/N` into one bundle.

use clap::Args;
use sanso::render::evidence::{merged_manifest, FINDINGS, MANIFEST};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct MergeArgs {
    /// The parts' JSON reports (`audit --part K/N --format json`), or their evidence
    /// bundle folders (`evidence --part K/N`), every part 1…N once, in any order.
    #[arg(required = true, value_name = "PART")]
    parts: Vec<PathBuf>,
    /// Output: the merged JSON report (default: stdout), or for bundle folders the
    /// folder to write findings.json and manifest.json into, e.g. `-o merged.json`.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
}

fn read(p: &Path) -> Result<(String, String), String> {
    std::fs::read_to_string(p)
        .map(|t| (p.display().to_string(), t))
        .map_err(|e| format!("{}: {e}", p.display()))
}

/// Exit as `audit` would on the whole snapshot (0 every check passes, 1 a check is
/// violated or unproven); 2 when the parts cannot be joined (different snapshots or rule
/// packs, a part missing or given twice, a finding only the whole run can draw) or on
/// read/write errors.
pub fn run(a: MergeArgs) -> ExitCode {
    match merge(&a) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("sanso: merge: {e}");
            ExitCode::from(2)
        }
    }
}

fn merge(a: &MergeArgs) -> Result<i32, String> {
    let dirs = a.parts.iter().filter(|p| p.is_dir()).count();
    if dirs != 0 && dirs != a.parts.len() {
        return Err("give either JSON reports or bundle folders, not both".into());
    }
    let bundles = dirs != 0;
    let reports = a
        .parts
        .iter()
        .map(|p| read(&if bundles { p.join(FINDINGS) } else { p.clone() }))
        .collect::<Result<Vec<_>, _>>()?;
    let m = sanso::report::merge::merge(&reports).map_err(|e| e.to_string())?;
    if bundles {
        let manifests = a
            .parts
            .iter()
            .map(|p| read(&p.join(MANIFEST)))
            .collect::<Result<Vec<_>, _>>()?;
        let manifest = merged_manifest(&manifests, &m.json)?;
        let Some(out) = &a.out else {
            return Err("bundle folders need -o OUT (the merged bundle's folder)".into());
        };
        let w = |name: &str, text: &str| {
            std::fs::write(out.join(name), text).map_err(|e| format!("{}: {e}", out.display()))
        };
        std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
        w(FINDINGS, &m.json)?;
        w(MANIFEST, &manifest)?;
        outln!("{}", out.join(FINDINGS).display());
        outln!("{}", out.join(MANIFEST).display());
    } else {
        match &a.out {
            Some(out) => {
                std::fs::write(out, &m.json).map_err(|e| format!("{}: {e}", out.display()))?
            }
            None => out!("{}", m.json),
        }
    }
    Ok(m.exit_code)
}

//! `sanso matrix`: zone × zone matrix of new flows.

use super::progress::Progress;
use super::{input_error, LangArg};
use clap::{Args, ValueEnum};
use sanso::checks::audit::Phase;
use sanso::model::Snapshot;
use sanso::net::Graph;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum MatrixFormat {
    Text,
    Csv,
    Json,
}

/// `matrix --group`: one row and column per tier, or per zone-name prefix.
#[derive(Clone, Copy, ValueEnum)]
pub enum MatrixGroup {
    Tier,
    Prefix,
}

#[derive(Args)]
pub struct MatrixArgs {
    /// The snapshot folder, e.g. `fixtures/tiny`.
    snapshot: PathBuf,
    /// Output format: text, csv (UTF-8 with BOM) or json (sanso.matrix/v1), e.g. `--format csv > matrix.csv`.
    #[arg(long, value_enum, default_value = "text")]
    format: MatrixFormat,
    /// Output language (default: from LC_ALL / LANG, else ja).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Group zones: by tier, or by name prefix before the first `-` (a municipality of a
    /// prefecture snapshot), e.g. `--group prefix`.
    #[arg(long, value_enum)]
    group: Option<MatrixGroup>,
}

/// Exit 0, or 2 on input errors.
pub fn run(a: MatrixArgs, quiet: bool) -> ExitCode {
    let lang = super::lang(a.lang);
    let mut bar = Progress::new(3, quiet, lang);
    bar.phase(Phase::Parse);
    let snap = match Snapshot::load(&a.snapshot) {
        Ok(s) => s,
        Err(e) => {
            bar.finish();
            return input_error(lang, &e);
        }
    };
    bar.phase(Phase::Graph);
    let mut g = Graph::build_sets(&snap);
    bar.phase(Phase::ZonePairs);
    let mut m = sanso::query::matrix::compute(&snap, &mut g);
    bar.finish();
    match a.group {
        Some(MatrixGroup::Tier) => {
            m = sanso::query::matrix::group(&m, &|z| {
                sanso::report::tier_name(snap.zones[z].tier, lang).to_string()
            })
        }
        Some(MatrixGroup::Prefix) => {
            m = sanso::query::matrix::group(&m, &|z| {
                let n = &snap.zones[z].name;
                n.split_once('-').map_or(n.as_str(), |(p, _)| p).to_string()
            })
        }
        None => {}
    }
    match a.format {
        MatrixFormat::Text => out!("{}", sanso::render::matrix::text(&m, lang)),
        MatrixFormat::Csv => out!("{}", sanso::render::matrix::csv(&m, lang)),
        MatrixFormat::Json => out!("{}", sanso::render::matrix::json(&m)),
    }
    ExitCode::SUCCESS
}

//! `sanso diff`: change review between two snapshots.

use super::progress::Progress;
use super::{input_error, LangArg};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
    Html,
}

#[derive(Args)]
pub struct DiffArgs {
    /// The snapshot before the change, e.g. `snapshots/2025-03`.
    old: PathBuf,
    /// The snapshot after the change, e.g. `snapshots/2025-04`.
    new: PathBuf,
    /// Output language (default: from LC_ALL / LANG, else ja).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Output format: text, json (sanso.diff/v2) or html.
    #[arg(long, value_enum, default_value = "text")]
    format: DiffFormat,
}

/// Exit 1 when the change adds a violation, 0 otherwise, 2 on input errors.
pub fn run(a: DiffArgs, quiet: bool) -> ExitCode {
    let lang = super::lang(a.lang);
    let mut bar = Progress::new(6, quiet, lang);
    let res = sanso::query::diff::run(&a.old, &a.new, lang, &mut |p| bar.phase(p));
    bar.finish();
    let d = match res {
        Ok(d) => d,
        Err(e) => return input_error(lang, &e),
    };
    match a.format {
        DiffFormat::Text if super::colour() => out!(
            "{}",
            sanso::render::terminal::paint(&sanso::render::diff::text(&d, lang))
        ),
        DiffFormat::Text => out!("{}", sanso::render::diff::text(&d, lang)),
        DiffFormat::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&d).expect("diff serialises")
        ),
        DiffFormat::Html => out!(
            "{}",
            sanso::render::diff::html(&d, lang, sanso::render::evidence::generated_at())
        ),
    }
    ExitCode::from(d.exit_code() as u8)
}

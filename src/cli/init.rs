//! `sanso init`: write a draft sanso.toml and topology.toml from a folder's configs/ and
//! state/ (`sanso::ingest::draft`).

use super::LangArg;
use clap::Args;
use sanso::report::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct InitArgs {
    /// Snapshot folder holding configs/ (and optionally state/), e.g. `sanso init mycity`.
    dir: PathBuf,
    /// Overwrite an existing sanso.toml / topology.toml.
    #[arg(long)]
    force: bool,
    /// Language of messages (default: from the locale).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
}

/// Exit 0 when written, 2 on an input error or when a file exists without --force.
pub fn run(a: InitArgs) -> ExitCode {
    let lang = super::lang(a.lang);
    let ja = lang == Lang::Ja;
    let targets = [a.dir.join("sanso.toml"), a.dir.join("topology.toml")];
    if !a.force {
        if let Some(p) = targets.iter().find(|p| p.exists()) {
            eprintln!(
                "sanso: init: {}: {}",
                p.display(),
                if ja {
                    "既に存在します（上書きするには --force）"
                } else {
                    "already exists (use --force to overwrite)"
                }
            );
            return ExitCode::from(2);
        }
    }
    let d = match sanso::ingest::draft::draft(&a.dir) {
        Ok(d) => d,
        Err(e) => return super::input_error(lang, &e),
    };
    for (p, text) in targets.iter().zip([&d.sanso_toml, &d.topology_toml]) {
        if let Err(e) = std::fs::write(p, text) {
            eprintln!("sanso: {}: {e}", p.display());
            return ExitCode::from(2);
        }
    }
    if ja {
        outln!(
            "{}: sanso.toml（ゾーン {}、ホスト {}）と topology.toml（リンク {}）を書きました。各ゾーンの tier を設定してください。",
            a.dir.display(),
            d.zones,
            d.hosts,
            d.links
        );
    } else {
        outln!(
            "{}: wrote sanso.toml ({} zones, {} hosts) and topology.toml ({} links); set the tier of every zone.",
            a.dir.display(),
            d.zones,
            d.hosts,
            d.links
        );
    }
    ExitCode::SUCCESS
}

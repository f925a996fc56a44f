//! `sanso evidence`: write the evidence bundle and list the files written.

use super::progress::Progress;
use super::{input_error, LangArg};
use clap::Args;
use sanso::report::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct EvidenceArgs {
    /// The snapshot folder, e.g. `fixtures/tiny`.
    snapshot: PathBuf,
    /// Output folder (created if missing), e.g. `-o evidence/2025-04`.
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
    /// Language of report.html and report.sarif (default: from LC_ALL / LANG, else ja).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    #[command(flatten)]
    split: super::SplitArgs,
}

/// Exit as `audit` once the bundle is written (0 every check passes, 1 a check is violated
/// or unproven), 2 on input or write errors. Progress and input errors are in Japanese
/// whatever `--lang` says (as they always were).
pub fn run(a: EvidenceArgs, quiet: bool) -> ExitCode {
    let mut bar = Progress::new(3, quiet, Lang::Ja);
    let res = match a.split.share() {
        Some(share) => sanso::checks::audit::run_part(&a.snapshot, share, &mut |p| bar.phase(p)),
        None => sanso::checks::audit::run_with(&a.snapshot, &mut |p| bar.phase(p)),
    };
    bar.finish();
    let audit = match res {
        Ok(a) => a,
        Err(e) => return input_error(Lang::Ja, &e),
    };
    match sanso::render::evidence::write_lang(&audit, &a.out, super::lang(a.lang)) {
        Ok(files) => {
            for f in files {
                outln!("{}", a.out.join(f).display());
            }
            ExitCode::from(audit.exit_code() as u8)
        }
        Err(e) => {
            eprintln!("sanso: {}: {e}", a.out.display());
            ExitCode::from(2)
        }
    }
}

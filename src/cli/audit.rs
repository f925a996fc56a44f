//! `sanso audit`: prove the checks, print the terminal summary or the JSON report.

use super::progress::Progress;
use super::{input_error, Format, LangArg};
use clap::Args;
use sanso::render::{Json, Render, Terminal};
use sanso::report::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct AuditArgs {
    snapshot: PathBuf,
    /// Output language.
    #[arg(long, value_enum, default_value = "ja")]
    lang: LangArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Exit 0 when every check passes, 1 when any is violated or unproven, 2 on input errors.
pub fn run(a: AuditArgs, quiet: bool) -> ExitCode {
    let lang = Lang::from(a.lang);
    let mut bar = Progress::new(3, quiet, lang);
    let res = sanso::checks::audit::run_with(&a.snapshot, &mut |p| bar.phase(p));
    bar.finish();
    let audit = match res {
        Ok(a) => a,
        Err(e) => return input_error(lang, &e),
    };
    let r = audit.report(lang);
    let out: &dyn Render = match a.format {
        Format::Text => &Terminal,
        Format::Json => &Json,
    };
    out!("{}", out.render(&audit, &r));
    ExitCode::from(audit.exit_code() as u8)
}

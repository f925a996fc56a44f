//! `sanso audit`: prove the checks and print one output: the terminal summary, the JSON
//! report, SARIF, the HTML report or the 自己点検票 CSV (the evidence bundle's renderers).

use super::progress::Progress;
use super::{input_error, AuditFormat, LangArg};
use clap::Args;
use sanso::render::{Checklist, Html, Json, Render, Sarif, Terminal};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct AuditArgs {
    /// The snapshot folder, e.g. `fixtures/tiny`.
    snapshot: PathBuf,
    /// Output language (default: from LC_ALL / LANG, else ja).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Output format: text, json (sanso.report/v2), sarif (SARIF 2.1.0), html, csv
    /// (自己点検票, always Japanese), e.g. `--format sarif > sanso.sarif`.
    #[arg(long, value_enum, default_value = "text")]
    format: AuditFormat,
    #[command(flatten)]
    split: super::SplitArgs,
}

/// Exit 0 when every check passes, 1 when any is violated or unproven, 2 on input errors.
pub fn run(a: AuditArgs, quiet: bool) -> ExitCode {
    let lang = super::lang(a.lang);
    let mut bar = Progress::new(3, quiet, lang);
    let res = match a.split.share() {
        Some(share) => sanso::checks::audit::run_part(&a.snapshot, share, &mut |p| bar.phase(p)),
        None => sanso::checks::audit::run_with(&a.snapshot, &mut |p| bar.phase(p)),
    };
    bar.finish();
    let audit = match res {
        Ok(a) => a,
        Err(e) => return input_error(lang, &e),
    };
    let r = audit.report(lang);
    let html = Html {
        generated_at: sanso::render::evidence::generated_at(),
    };
    let out: &dyn Render = match a.format {
        AuditFormat::Text => &Terminal,
        AuditFormat::Json => &Json,
        AuditFormat::Sarif => &Sarif,
        AuditFormat::Html => &html,
        AuditFormat::Csv => &Checklist,
    };
    let text = out.render(&audit, &r);
    if matches!(a.format, AuditFormat::Text) && super::colour() {
        out!("{}", sanso::render::terminal::paint(&text));
    } else {
        out!("{text}");
    }
    ExitCode::from(audit.exit_code() as u8)
}

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
    /// Audit only part K of N (1 ≤ K ≤ N) and add the facts `sanso merge` joins, e.g.
    /// `--part 2/5 --format json > part2.json`. The snapshot splits into components
    /// that meet only at shared external zones (LGWAN, security cloud, 住基ネット …);
    /// each part gets a balanced, deterministic share. 分割監査: N 台で分担し merge で結合。
    #[arg(long, value_name = "K/N")]
    part: Option<sanso::model::part::PartSpec>,
}

/// Exit 0 when every check passes, 1 when any is violated or unproven, 2 on input errors.
pub fn run(a: AuditArgs, quiet: bool) -> ExitCode {
    let lang = super::lang(a.lang);
    let mut bar = Progress::new(3, quiet, lang);
    let res = match a.part {
        Some(spec) => sanso::checks::audit::run_part(&a.snapshot, spec, &mut |p| bar.phase(p)),
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

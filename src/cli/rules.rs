//! `sanso rules`: list the built-in rule pack (or print docs/rules.md).

use super::LangArg;
use clap::Args;
use std::process::ExitCode;

#[derive(Args)]
pub struct RulesArgs {
    /// Output language (default: from LC_ALL / LANG, else ja).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Print docs/rules.md instead of the list.
    #[arg(long)]
    markdown: bool,
}

/// Exit 0, or 2 when the rule pack does not load.
pub fn run(a: RulesArgs) -> ExitCode {
    let rules = match sanso::checks::load_builtin() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sanso: {e}");
            return ExitCode::from(2);
        }
    };
    if a.markdown {
        out!("{}", sanso::checks::markdown(&rules));
        return ExitCode::SUCCESS;
    }
    for r in rules {
        let title = if super::lang(a.lang) == sanso::report::Lang::Ja {
            &r.title_ja
        } else {
            &r.title_en
        };
        outln!("{:<20} {:<9} {}  [{}]", r.id, r.severity, title, r.clause);
    }
    ExitCode::SUCCESS
}

//! The commands of the `sanso` binary, one file each; `main` parses the arguments and
//! hands each command its own. Shared here: the argument value types, the language
//! mapping and the input-error exit.

pub mod audit;
pub mod diff;
pub mod evidence;
pub mod gen;
pub mod matrix;
pub mod progress;
pub mod rules;
pub mod trace;

use clap::ValueEnum;
use sanso::model::InputError;
use sanso::report::Lang;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    Ja,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Ja => Lang::Ja,
            LangArg::En => Lang::En,
        }
    }
}

/// `audit` and `trace`: terminal text or JSON.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// `sanso: 入力エラー: …` (or `input error`) on stderr; exit code 2.
pub fn input_error(lang: Lang, e: &InputError) -> ExitCode {
    eprintln!(
        "sanso: {}: {e}",
        if lang == Lang::Ja {
            "入力エラー"
        } else {
            "input error"
        }
    );
    ExitCode::from(2)
}

//! The commands of the `sanso` binary, one file each; `main` parses the arguments and
//! hands each command its own. Shared here: the argument value types, the language
//! mapping and the input-error exit.

/// `print!` to stdout that ends quietly when the reader has gone (`sanso … | head`):
/// a broken pipe drops the rest of the output; any other write error exits 2.
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::emit(&format!($($t)*)) };
}

/// [`out!`] with a line end, as `println!`.
macro_rules! outln {
    ($($t:tt)*) => { $crate::cli::emit(&format!("{}\n", format!($($t)*))) };
}

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

/// Writes command output to stdout; see [`out!`].
pub fn emit(s: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            drop(out);
            eprintln!("sanso: stdout: {e}");
            std::process::exit(2);
        }
    }
}

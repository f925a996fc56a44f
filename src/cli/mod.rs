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
pub mod init;
pub mod manual;
pub mod matrix;
pub mod merge;
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

/// The language of a command: `--lang` when given, else the locale (`LC_ALL`, then
/// `LC_MESSAGES`, then `LANG`, the first one set and non-empty: `en…` is English, `ja…`
/// Japanese), else Japanese.
pub fn lang(arg: Option<LangArg>) -> Lang {
    if let Some(l) = arg {
        return l.into();
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    lang_of_locale(
        env("LC_ALL")
            .or_else(|| env("LC_MESSAGES"))
            .or_else(|| env("LANG"))
            .as_deref(),
    )
}

/// `en_US.UTF-8` → English; anything else (`ja_JP.UTF-8`, `C`, unset) → Japanese.
fn lang_of_locale(locale: Option<&str>) -> Lang {
    match locale {
        Some(l) if l.to_ascii_lowercase().starts_with("en") => Lang::En,
        _ => Lang::Ja,
    }
}

/// `trace`: terminal text or JSON.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// `audit`: terminal text, the `sanso.report/v2` JSON, SARIF 2.1.0, the HTML report or
/// the 自己点検票 CSV (the same renderers as the evidence bundle).
#[derive(Clone, Copy, ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    Sarif,
    Html,
    Csv,
}

/// Which share of a split run `audit` and `evidence` judge (docs/outputs.md, "Split
/// runs"); none of the flags: the whole snapshot.
#[derive(clap::Args)]
pub struct SplitArgs {
    /// Audit only part K of N (1 ≤ K ≤ N) and add the facts `sanso merge` joins, e.g.
    /// `--part 2/5 --format json > part2.json`. The snapshot splits into components
    /// that meet only at shared external zones (LGWAN, security cloud, 住基ネット …);
    /// each part gets a balanced, deterministic share. 分割監査: N 台で分担し merge で結合。
    #[arg(long, value_name = "K/N", conflicts_with_all = ["select", "spanning"])]
    part: Option<sanso::model::part::PartSpec>,
    /// Audit only the components holding a device or internal zone whose name starts
    /// with PREFIX (several: comma-separated or repeated), e.g. one municipality:
    /// `--select c001- --format json`; without the rules that span parts, which one
    /// `--spanning` run judges. merge joins the selections and that run. 団体ごとの監査。
    #[arg(
        long,
        value_name = "PREFIX",
        value_delimiter = ',',
        conflicts_with = "spanning"
    )]
    select: Vec<String>,
    /// Judge only the rules that span parts (特定通信 tightness, …) on the whole snapshot:
    /// the run that completes a set of `--select` runs for `sanso merge`.
    #[arg(long)]
    spanning: bool,
}

impl SplitArgs {
    pub fn share(&self) -> Option<sanso::model::part::Share> {
        use sanso::model::part::Share;
        match (self.part, self.select.is_empty(), self.spanning) {
            (Some(spec), _, _) => Some(Share::Part(spec)),
            (None, false, _) => Some(Share::Select(self.select.clone())),
            (None, true, true) => Some(Share::Spanning),
            (None, true, false) => None,
        }
    }
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

/// Colour for terminal text: only when stdout is a terminal and `NO_COLOR` is unset or
/// empty (https://no-color.org); never in pipes or files.
pub fn colour() -> bool {
    use std::io::IsTerminal;
    colour_for(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

fn colour_for(tty: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    tty && no_color.is_none_or(|v| v.is_empty())
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

#[cfg(test)]
mod tests {
    use super::{colour_for, lang_of_locale, Lang};

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        let set = std::ffi::OsStr::new("1");
        let empty = std::ffi::OsStr::new("");
        assert!(colour_for(true, None));
        assert!(colour_for(true, Some(empty)));
        assert!(!colour_for(true, Some(set)));
        assert!(!colour_for(false, None));
    }

    #[test]
    fn locale_chooses_the_language() {
        assert_eq!(lang_of_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(lang_of_locale(Some("EN")), Lang::En);
        assert_eq!(lang_of_locale(Some("ja_JP.UTF-8")), Lang::Ja);
        assert_eq!(lang_of_locale(Some("C.UTF-8")), Lang::Ja);
        assert_eq!(lang_of_locale(None), Lang::Ja);
    }
}

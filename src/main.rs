use clap::{Parser, Subcommand, ValueEnum};
use sanso::report::{self, Lang};
use std::path::PathBuf;
use std::process::ExitCode;

/// sanso — 三層の構え (three-tier model) auditor for municipal networks.
#[derive(Parser)]
#[command(name = "sanso", version, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Prove the 三層 checks on a snapshot folder (sanso.toml, topology.toml, configs/).
    Audit {
        snapshot: PathBuf,
        /// Output language.
        #[arg(long, value_enum, default_value = "ja")]
        lang: LangArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// List the rules of the built-in rule pack.
    Rules {
        #[arg(long, value_enum, default_value = "ja")]
        lang: LangArg,
        /// Print docs/rules.md instead of the list.
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Ja,
    En,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Audit {
            snapshot,
            lang,
            format,
        } => {
            let lang = match lang {
                LangArg::Ja => Lang::Ja,
                LangArg::En => Lang::En,
            };
            let audit = match sanso::audit::run(&snapshot) {
                Ok(a) => a,
                Err(e) => {
                    eprintln!(
                        "sanso: {}: {e}",
                        if lang == Lang::Ja {
                            "入力エラー"
                        } else {
                            "input error"
                        }
                    );
                    return ExitCode::from(2);
                }
            };
            let r = audit.report(lang);
            match format {
                Format::Text => print!("{}", report::terminal(&r, lang)),
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&r).expect("report serialises")
                ),
            }
            ExitCode::from(audit.exit_code() as u8)
        }
        Cmd::Rules { lang, markdown } => {
            let rules = match sanso::rules::load_builtin() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("sanso: {e}");
                    return ExitCode::from(2);
                }
            };
            if markdown {
                print!("{}", sanso::rules::markdown(&rules));
                return ExitCode::SUCCESS;
            }
            for r in rules {
                let title = if matches!(lang, LangArg::Ja) {
                    &r.title_ja
                } else {
                    &r.title_en
                };
                println!("{:<20} {:<9} {}  [{}]", r.id, r.severity, title, r.clause);
            }
            ExitCode::SUCCESS
        }
    }
}

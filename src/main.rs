#[path = "cli/progress.rs"]
mod progress;

use clap::{Parser, Subcommand, ValueEnum};
use progress::Progress;
use sanso::checks::audit::Phase;
use sanso::model::{InputError, Snapshot};
use sanso::net::Graph;
use sanso::report::{self, Lang};
use std::path::PathBuf;
use std::process::ExitCode;

/// sanso — 三層の構え (three-tier model) auditor for municipal networks.
#[derive(Parser)]
#[command(name = "sanso", version, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    /// No progress bar on stderr.
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
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
    /// Follow one concrete packet hop by hop.
    Trace {
        snapshot: PathBuf,
        #[arg(long)]
        src: String,
        #[arg(long)]
        dst: String,
        #[arg(long, default_value = "tcp")]
        proto: String,
        #[arg(long, default_value_t = 443)]
        dport: u16,
        #[arg(long, default_value_t = 49152)]
        sport: u16,
        #[arg(long)]
        src_mac: Option<String>,
        #[arg(long, value_enum, default_value = "ja")]
        lang: LangArg,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Zone × zone matrix of new flows.
    Matrix {
        snapshot: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: MatrixFormat,
        #[arg(long, value_enum, default_value = "ja")]
        lang: LangArg,
    },
    /// Write an evidence bundle (findings.json, checklist.csv, report.html, report.sarif, manifest.json).
    Evidence {
        snapshot: PathBuf,
        /// Output folder.
        #[arg(short = 'o', long = "out")]
        out: PathBuf,
        /// Language of report.html and report.sarif.
        #[arg(long, value_enum, default_value = "ja")]
        lang: LangArg,
    },
    /// Change review: flows gained/lost per zone pair and findings new/fixed (exit 1 when
    /// the change adds a violation).
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long, value_enum, default_value = "ja")]
        lang: LangArg,
        #[arg(long, value_enum, default_value = "text")]
        format: DiffFormat,
    },
    /// Generate a prefecture-scale snapshot (N municipalities) for tests and benchmarks.
    Gen {
        /// Number of municipalities (1–250).
        #[arg(long, default_value_t = 4)]
        municipalities: usize,
        /// Output folder.
        #[arg(short = 'o', long = "out")]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Violations to plant (listed in PLANTED.tsv).
        #[arg(long, default_value_t = 0)]
        plant: usize,
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
enum MatrixFormat {
    Text,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    Text,
    Json,
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = cli.quiet;
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
            let mut bar = Progress::new(3, quiet, lang);
            let res = sanso::checks::audit::run_with(&snapshot, &mut |p| bar.phase(p));
            bar.finish();
            let audit = match res {
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
                Format::Text => emit(&report::terminal(&r, lang)),
                Format::Json => emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&r).expect("report serialises")
                )),
            }
            ExitCode::from(audit.exit_code() as u8)
        }
        Cmd::Trace {
            snapshot,
            src,
            dst,
            proto,
            dport,
            sport,
            src_mac,
            lang,
            format,
        } => {
            let lang = to_lang(lang);
            let snap = match Snapshot::load(&snapshot) {
                Ok(s) => s,
                Err(e) => return input_error(lang, &e),
            };
            let mut g = Graph::build_sets(&snap);
            let args = sanso::query::trace::TraceArgs {
                src,
                dst,
                proto,
                dport,
                sport,
                src_mac,
            };
            match sanso::query::trace::run(&snap, &mut g, &args) {
                Ok(t) => {
                    match format {
                        Format::Text => emit(&sanso::query::trace::text(&t, lang)),
                        Format::Json => emit(&format!(
                            "{}\n",
                            serde_json::to_string_pretty(&t).expect("trace serialises")
                        )),
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("sanso: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Cmd::Matrix {
            snapshot,
            format,
            lang,
        } => {
            let lang = to_lang(lang);
            let mut bar = Progress::new(3, quiet, lang);
            bar.phase(Phase::Parse);
            let snap = match Snapshot::load(&snapshot) {
                Ok(s) => s,
                Err(e) => {
                    bar.finish();
                    return input_error(lang, &e);
                }
            };
            bar.phase(Phase::Graph);
            let mut g = Graph::build_sets(&snap);
            bar.phase(Phase::ZonePairs);
            let m = sanso::query::matrix::compute(&snap, &mut g);
            bar.finish();
            match format {
                MatrixFormat::Text => emit(&sanso::query::matrix::text(&m, lang)),
                MatrixFormat::Csv => emit(&sanso::query::matrix::csv(&m, lang)),
            }
            ExitCode::SUCCESS
        }
        Cmd::Evidence {
            snapshot,
            out,
            lang,
        } => {
            let mut bar = Progress::new(3, quiet, Lang::Ja);
            let res = sanso::checks::audit::run_with(&snapshot, &mut |p| bar.phase(p));
            bar.finish();
            let audit = match res {
                Ok(a) => a,
                Err(e) => return input_error(Lang::Ja, &e),
            };
            match sanso::render::evidence::write_lang(&audit, &out, to_lang(lang)) {
                Ok(files) => {
                    for f in files {
                        emit(&format!("{}\n", out.join(f).display()));
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("sanso: {}: {e}", out.display());
                    ExitCode::from(2)
                }
            }
        }
        Cmd::Diff {
            old,
            new,
            lang,
            format,
        } => {
            let lang = to_lang(lang);
            let mut bar = Progress::new(6, quiet, lang);
            let res = sanso::query::diff::run(&old, &new, lang, &mut |p| bar.phase(p));
            bar.finish();
            let d = match res {
                Ok(d) => d,
                Err(e) => return input_error(lang, &e),
            };
            match format {
                DiffFormat::Text => emit(&sanso::render::diff::text(&d, lang)),
                DiffFormat::Json => emit(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&d).expect("diff serialises")
                )),
                DiffFormat::Html => emit(&sanso::render::diff::html(&d, lang)),
            }
            ExitCode::from(d.exit_code() as u8)
        }
        Cmd::Gen {
            municipalities,
            out,
            seed,
            plant,
        } => {
            let opts = sanso::gen::GenOptions {
                municipalities,
                seed,
                plant,
                ..Default::default()
            };
            let g = sanso::gen::generate(&opts);
            let mut files = g.files.clone();
            if !g.planted.is_empty() {
                let mut t = String::from("rule\tmunicipality\n");
                for p in &g.planted {
                    t.push_str(&format!("{}\t{}\n", p.kind.rule(), p.municipality));
                }
                files.insert("PLANTED.tsv".into(), t);
            }
            let written = sanso::gen::Generated { files, ..g.clone() };
            if let Err(e) = written.write(&out) {
                eprintln!("sanso: {}: {e}", out.display());
                return ExitCode::from(2);
            }
            emit(&format!(
                "{}: {} devices, {} config lines, {} ACL/policy lines, {} planted\n",
                out.display(),
                g.devices,
                g.total_lines(),
                g.rule_lines,
                g.planted.len()
            ));
            ExitCode::SUCCESS
        }
        Cmd::Rules { lang, markdown } => {
            let rules = match sanso::checks::load_builtin() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("sanso: {e}");
                    return ExitCode::from(2);
                }
            };
            if markdown {
                emit(&sanso::checks::markdown(&rules));
                return ExitCode::SUCCESS;
            }
            for r in rules {
                let title = if matches!(lang, LangArg::Ja) {
                    &r.title_ja
                } else {
                    &r.title_en
                };
                emit(&format!(
                    "{:<20} {:<9} {}  [{}]\n",
                    r.id, r.severity, title, r.clause
                ));
            }
            ExitCode::SUCCESS
        }
    }
}

/// Write to stdout. A reader that went away (`sanso matrix … | head -1`) is not an error:
/// the rest of the output is dropped quietly and the command keeps its exit code. Any
/// other write error is reported and exits with 2.
fn emit(s: &str) {
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

fn to_lang(l: LangArg) -> Lang {
    match l {
        LangArg::Ja => Lang::Ja,
        LangArg::En => Lang::En,
    }
}

fn input_error(lang: Lang, e: &InputError) -> ExitCode {
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

//! `sanso trace`: follow one concrete packet hop by hop.

use super::{input_error, Format, LangArg};
use clap::Args;
use sanso::model::Snapshot;
use sanso::net::Graph;
use sanso::query::trace::TraceArgs;
use sanso::report::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct TraceCmd {
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
}

/// Exit 0 when traced (delivered or dropped), 2 on input errors or a bad packet.
pub fn run(a: TraceCmd) -> ExitCode {
    let lang = Lang::from(a.lang);
    let snap = match Snapshot::load(&a.snapshot) {
        Ok(s) => s,
        Err(e) => return input_error(lang, &e),
    };
    let mut g = Graph::build_sets(&snap);
    let args = TraceArgs {
        src: a.src,
        dst: a.dst,
        proto: a.proto,
        dport: a.dport,
        sport: a.sport,
        src_mac: a.src_mac,
    };
    match sanso::query::trace::run(&snap, &mut g, &args) {
        Ok(t) => {
            match a.format {
                Format::Text => out!("{}", sanso::render::trace::text(&t, lang)),
                Format::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&t).expect("trace serialises")
                ),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sanso: {e}");
            ExitCode::from(2)
        }
    }
}

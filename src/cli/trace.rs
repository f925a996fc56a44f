//! `sanso trace`: follow one concrete packet hop by hop.

use super::{input_error, Format, LangArg};
use clap::Args;
use sanso::model::Snapshot;
use sanso::net::Graph;
use sanso::query::trace::TraceArgs;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct TraceCmd {
    /// The snapshot folder, e.g. `fixtures/tiny`.
    snapshot: PathBuf,
    /// Source: a host name from sanso.toml or an IPv4 address, e.g. `--src juki-cs`.
    #[arg(long)]
    src: String,
    /// Destination: a host name or an IPv4 address, e.g. `--dst 10.1.20.5`.
    #[arg(long)]
    dst: String,
    /// Protocol: tcp, udp, icmp or a number, e.g. `--proto udp`.
    #[arg(long, default_value = "tcp")]
    proto: String,
    /// Destination port, e.g. `--dport 25`.
    #[arg(long, default_value_t = 443)]
    dport: u16,
    /// Source port.
    #[arg(long, default_value_t = 49152)]
    sport: u16,
    /// Source MAC address (where the source is an access port), e.g. `--src-mac 00:11:22:33:44:55`.
    #[arg(long)]
    src_mac: Option<String>,
    /// Output language (default: from LC_ALL / LANG, else ja).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
    /// Output format: text or json (sanso.trace/v1).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Exit 0 when the packet is delivered to the destination, 1 when it is not, 2 on input
/// errors or a bad packet.
pub fn run(a: TraceCmd) -> ExitCode {
    let lang = super::lang(a.lang);
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
            ExitCode::from(if t.verdict == "delivered" { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("sanso: {e}");
            ExitCode::from(2)
        }
    }
}

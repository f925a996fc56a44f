mod cli;

use clap::{Parser, Subcommand};
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
    Audit(cli::audit::AuditArgs),
    /// Follow one concrete packet hop by hop.
    Trace(cli::trace::TraceCmd),
    /// Zone × zone matrix of new flows.
    Matrix(cli::matrix::MatrixArgs),
    /// Write an evidence bundle (findings.json, checklist.csv, report.html, report.sarif, manifest.json).
    Evidence(cli::evidence::EvidenceArgs),
    /// Change review: flows gained/lost per zone pair and findings new/fixed (exit 1 when
    /// the change adds a violation).
    Diff(cli::diff::DiffArgs),
    /// Generate a prefecture-scale snapshot (N municipalities) for tests and benchmarks.
    Gen(cli::gen::GenArgs),
    /// List the rules of the built-in rule pack.
    Rules(cli::rules::RulesArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = cli.quiet;
    match cli.cmd {
        Cmd::Audit(a) => cli::audit::run(a, quiet),
        Cmd::Trace(a) => cli::trace::run(a),
        Cmd::Matrix(a) => cli::matrix::run(a, quiet),
        Cmd::Evidence(a) => cli::evidence::run(a, quiet),
        Cmd::Diff(a) => cli::diff::run(a, quiet),
        Cmd::Gen(a) => cli::gen::run(a),
        Cmd::Rules(a) => cli::rules::run(a),
    }
}

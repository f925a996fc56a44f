mod cli;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

/// Exit statuses of `audit` and `evidence`.
const EXIT_AUDIT: &str = "\
Exit status:
  0  every check passes
  1  a check is violated or unproven (evidence: the bundle is written all the same)
  2  input error (unreadable snapshot, bad sanso.toml, cannot write the output)";

/// Exit statuses of `merge`.
const EXIT_MERGE: &str = "\
Exit status (as `audit` on the whole snapshot):
  0  every check passes
  1  a check is violated or unproven
  2  the parts cannot be joined (different snapshots or rule packs, a part missing or
     given twice, a finding only a whole run can draw), or a read/write error";

/// Exit statuses of `diff`.
const EXIT_DIFF: &str = "\
Exit status:
  0  the change adds no violation
  1  the change adds a violation, or makes a check unproven
  2  input error (the message names OLD or NEW)";

/// Exit statuses of `trace`.
const EXIT_TRACE: &str = "\
Exit status:
  0  the packet is delivered to the destination
  1  the packet is not delivered (dropped, or no forwarding path)
  2  input error or a packet that cannot be built";

/// Exit statuses of the commands that only write (matrix, gen, rules, completions, man).
const EXIT_WRITE: &str = "\
Exit status:
  0  written
  2  input or write error";

/// sanso — 三層の構え (three-tier model) auditor for municipal networks.
#[derive(Parser)]
#[command(
    name = "sanso",
    version,
    about,
    args_override_self = true,
    after_help = "Language: --lang, else LC_ALL / LC_MESSAGES / LANG (en… = English), else Japanese."
)]
pub struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    /// No progress bar on stderr.
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// Prove the 三層 checks on a snapshot folder (sanso.toml, topology.toml, configs/).
    #[command(after_help = EXIT_AUDIT)]
    Audit(cli::audit::AuditArgs),
    /// Follow one concrete packet hop by hop.
    #[command(after_help = EXIT_TRACE)]
    Trace(cli::trace::TraceCmd),
    /// Zone × zone matrix of new flows.
    #[command(after_help = EXIT_WRITE)]
    Matrix(cli::matrix::MatrixArgs),
    /// Write an evidence bundle (findings.json, checklist.csv, report.html, report.sarif, manifest.json).
    #[command(after_help = EXIT_AUDIT)]
    Evidence(cli::evidence::EvidenceArgs),
    /// Join the JSON reports (or evidence bundles) of `audit --part K/N` into the whole run's report.
    #[command(after_help = EXIT_MERGE)]
    Merge(cli::merge::MergeArgs),
    /// Change review: flows gained/lost per zone pair and findings new/fixed.
    #[command(after_help = EXIT_DIFF)]
    Diff(cli::diff::DiffArgs),
    /// Draft sanso.toml and topology.toml from a folder's configs/ and state/ (tiers left to set).
    #[command(after_help = EXIT_WRITE)]
    Init(cli::init::InitArgs),
    /// Generate a prefecture-scale snapshot (N municipalities) for tests and benchmarks.
    #[command(after_help = EXIT_WRITE)]
    Gen(cli::gen::GenArgs),
    /// List the rules of the built-in rule pack.
    #[command(after_help = EXIT_WRITE)]
    Rules(cli::rules::RulesArgs),
    /// Print a shell completion script (e.g. `sanso completions bash > /etc/bash_completion.d/sanso`).
    #[command(after_help = EXIT_WRITE)]
    Completions(cli::manual::CompletionsArgs),
    /// Print the man page (roff) of sanso, or write one page per command into --out-dir.
    #[command(after_help = EXIT_WRITE)]
    Man(cli::manual::ManArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet = cli.quiet;
    match cli.cmd {
        Cmd::Audit(a) => cli::audit::run(a, quiet),
        Cmd::Trace(a) => cli::trace::run(a),
        Cmd::Matrix(a) => cli::matrix::run(a, quiet),
        Cmd::Evidence(a) => cli::evidence::run(a, quiet),
        Cmd::Merge(a) => cli::merge::run(a),
        Cmd::Diff(a) => cli::diff::run(a, quiet),
        Cmd::Init(a) => cli::init::run(a),
        Cmd::Gen(a) => cli::gen::run(a),
        Cmd::Rules(a) => cli::rules::run(a),
        Cmd::Completions(a) => cli::manual::completions(a, Cli::command()),
        Cmd::Man(a) => cli::manual::man(a, Cli::command()),
    }
}

//! `sanso completions` and `sanso man`: shell completion scripts (clap_complete) and roff
//! man pages (clap_mangen), both generated from the command definition behind `--help`.

use clap::{Args, Command, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to complete for, e.g. `bash`.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Args)]
pub struct ManArgs {
    /// Write sanso.1 and one sanso-COMMAND.1 per command into this folder (created if
    /// missing) instead of printing sanso.1, e.g. `--out-dir target/man`.
    #[arg(long)]
    out_dir: Option<PathBuf>,
}

/// Exit 0.
pub fn completions(a: CompletionsArgs, mut cmd: Command) -> ExitCode {
    use clap_complete::{generate, shells};
    let mut buf: Vec<u8> = vec![];
    match a.shell {
        Shell::Bash => generate(shells::Bash, &mut cmd, "sanso", &mut buf),
        Shell::Zsh => generate(shells::Zsh, &mut cmd, "sanso", &mut buf),
        Shell::Fish => generate(shells::Fish, &mut cmd, "sanso", &mut buf),
        Shell::Powershell => generate(shells::PowerShell, &mut cmd, "sanso", &mut buf),
    }
    out!("{}", String::from_utf8_lossy(&buf));
    ExitCode::SUCCESS
}

fn page(cmd: Command) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![];
    clap_mangen::Man::new(cmd).render(&mut buf)?;
    Ok(buf)
}

/// Exit 0 when printed or written, 2 on write errors.
pub fn man(a: ManArgs, cmd: Command) -> ExitCode {
    let Some(dir) = a.out_dir else {
        return match page(cmd) {
            Ok(b) => {
                out!("{}", String::from_utf8_lossy(&b));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("sanso: man: {e}");
                ExitCode::from(2)
            }
        };
    };
    let write = || -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(&dir)?;
        let mut cmd = cmd;
        cmd.build();
        let mut pages = vec![("sanso.1".to_string(), cmd.clone())];
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let name = format!("sanso-{}", sub.get_name());
            pages.push((format!("{name}.1"), sub.clone().display_name(name)));
        }
        let mut written = vec![];
        for (file, c) in pages {
            let p = dir.join(file);
            std::fs::write(&p, page(c)?)?;
            written.push(p);
        }
        Ok(written)
    };
    match write() {
        Ok(files) => {
            for f in files {
                outln!("{}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sanso: {}: {e}", dir.display());
            ExitCode::from(2)
        }
    }
}

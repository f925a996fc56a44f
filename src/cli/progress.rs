//! Progress bar on stderr for long runs (a module of the binary: the library only
//! reports phases through a callback). Hidden when stderr is not a terminal or with
//! `--quiet`, so piped and captured output stays clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sanso::checks::audit::Phase;
use sanso::report::Lang;
use std::io::IsTerminal;
use std::time::Duration;

pub struct Progress {
    bar: Option<ProgressBar>,
    lang: Lang,
    started: u64,
    /// Bar position where the checks phase began.
    checks_base: u64,
}

impl Progress {
    /// A bar of `steps` phases (hidden when `quiet` or stderr is not a TTY).
    pub fn new(steps: u64, quiet: bool, lang: Lang) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr());
            // Phases are the bar's steps; within the checks phase each check is a step too,
            // so the ETA indicatif derives from the rate means something.
            let template = if lang == Lang::Ja {
                "{spinner} [{bar:20}] {msg} 経過 {elapsed} 残り約 {eta}"
            } else {
                "{spinner} [{bar:20}] {msg} elapsed {elapsed} ETA {eta}"
            };
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            b.set_style(style);
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Progress {
            bar,
            lang,
            started: 0,
            checks_base: 0,
        }
    }

    /// A phase starts (the previous one is done), or reports its counts.
    pub fn phase(&mut self, p: Phase) {
        let Some(b) = &self.bar else { return };
        let ja = self.lang == Lang::Ja;
        match p {
            Phase::Parsed { devices } => {
                b.set_message(if ja {
                    format!("設定の読み込み: {devices} 台")
                } else {
                    format!("parse: {devices} devices")
                });
                return;
            }
            Phase::Checked { done, total } => {
                // The checks phase spreads over `total` steps of the bar.
                if done == 0 {
                    b.set_length(b.length().unwrap_or(0) + total as u64);
                    self.checks_base = b.position();
                }
                b.set_position(self.checks_base + done as u64);
                b.set_message(if ja {
                    format!("検査 {done}/{total}")
                } else {
                    format!("checks {done}/{total}")
                });
                return;
            }
            _ => {}
        }
        b.set_position(b.position().max(self.started));
        self.started = b.position() + 1;
        b.set_message(match (p, ja) {
            (Phase::Parse, true) => "設定の読み込み",
            (Phase::Parse, false) => "parse",
            (Phase::Graph, true) => "接続グラフの構築",
            (Phase::Graph, false) => "graph",
            (Phase::Rules, true) => "検査",
            (Phase::Rules, false) => "rules",
            (Phase::ZonePairs, true) => "ゾーン間通信",
            (Phase::ZonePairs, false) => "zone pairs",
            (Phase::Parsed { .. } | Phase::Checked { .. }, _) => "",
        });
    }

    pub fn finish(self) {
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}

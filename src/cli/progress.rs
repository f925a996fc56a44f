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
}

impl Progress {
    /// A bar of `steps` phases (hidden when `quiet` or stderr is not a TTY).
    pub fn new(steps: u64, quiet: bool, lang: Lang) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr());
            let style =
                ProgressStyle::with_template("{spinner} [{bar:20}] {pos}/{len} {msg} {elapsed}")
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
        }
    }

    /// A phase starts: the previous one is done.
    pub fn phase(&mut self, p: Phase) {
        let Some(b) = &self.bar else { return };
        b.set_position(self.started);
        self.started += 1;
        let ja = self.lang == Lang::Ja;
        b.set_message(match (p, ja) {
            (Phase::Parse, true) => "設定の読み込み",
            (Phase::Parse, false) => "parse",
            (Phase::Graph, true) => "接続グラフの構築",
            (Phase::Graph, false) => "graph",
            (Phase::Rules, true) => "検査",
            (Phase::Rules, false) => "rules",
            (Phase::ZonePairs, true) => "ゾーン間通信",
            (Phase::ZonePairs, false) => "zone pairs",
        });
    }

    pub fn finish(self) {
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}

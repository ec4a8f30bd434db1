//! Progress on stderr: an indicatif bar per stage on a terminal, one line per finished
//! stage otherwise (logs, CI), nothing with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use stemme::Progress;

pub struct Bars {
    quiet: bool,
    terminal: bool,
    current: Mutex<Option<(String, ProgressBar)>>,
}

impl Bars {
    pub fn new(quiet: bool) -> Bars {
        Bars {
            quiet,
            terminal: std::io::stderr().is_terminal(),
            current: Mutex::new(None),
        }
    }

    /// A message line on stderr (unless quiet).
    pub fn message(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// Removes any bar still drawn.
    pub fn clear(&self) {
        if let Ok(mut cur) = self.current.lock() {
            if let Some((_, bar)) = cur.take() {
                bar.finish_and_clear();
            }
        }
    }
}

impl Progress for Bars {
    fn stage(&self, name: &str, total: u64) {
        let bar = if self.quiet || !self.terminal {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden())
        } else {
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(name.to_string());
            bar
        };
        if let Ok(mut cur) = self.current.lock() {
            *cur = Some((name.to_string(), bar));
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(cur) = self.current.lock() {
            if let Some((_, bar)) = cur.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn finish(&self, message: &str) {
        let Ok(mut cur) = self.current.lock() else { return };
        if let Some((name, bar)) = cur.take() {
            let elapsed = bar.elapsed();
            bar.finish_and_clear();
            if !self.quiet {
                eprintln!("{name:>8}: {message} ({:.2} s)", elapsed.as_secs_f64());
            }
        }
    }
}

//! Progress on stderr: an indicatif bar per stage on a terminal, one line per finished
//! stage otherwise (logs, CI), nothing with `--quiet`. Each finished stage gives its wall
//! time, the CPU time the process spent in it (all threads; on a shared machine the
//! steadier figure) and the process's peak memory so far. Each stage begins by handing the
//! memory the last one freed back to the system ([`crate::return_freed_memory`]).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use stemme::Progress;

pub struct Bars {
    quiet: bool,
    terminal: bool,
    /// The running stage: its name, bar and the process CPU time when it began.
    current: Mutex<Option<(String, ProgressBar, f64)>>,
}

/// CPU seconds (user and system, all threads) this process has used so far, and its peak
/// resident memory in MB.
fn usage() -> (f64, u64) {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return (0.0, 0);
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let peak_mb = u64::try_from(usage.ru_maxrss).unwrap_or(0) / 1024;
    (secs(usage.ru_utime) + secs(usage.ru_stime), peak_mb)
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
            if let Some((_, bar, _)) = cur.take() {
                bar.finish_and_clear();
            }
        }
    }
}

impl Progress for Bars {
    fn stage(&self, name: &str, total: u64) {
        crate::return_freed_memory();
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
            *cur = Some((name.to_string(), bar, usage().0));
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(cur) = self.current.lock() {
            if let Some((_, bar, _)) = cur.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn finish(&self, message: &str) {
        let Ok(mut cur) = self.current.lock() else { return };
        if let Some((name, bar, cpu_at_start)) = cur.take() {
            let elapsed = bar.elapsed();
            bar.finish_and_clear();
            if !self.quiet {
                let (cpu, peak_mb) = usage();
                eprintln!(
                    "{name:>8}: {message} ({:.2} s, CPU {:.2} s, peak {peak_mb} MB)",
                    elapsed.as_secs_f64(),
                    cpu - cpu_at_start
                );
            }
        }
    }
}

//! Progress of an audit run: indicatif bars on a terminal, plain periodic
//! log lines otherwise, nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often plain log lines are written when not on a terminal.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// Counters shown while an audit runs (shared by all tasks).
#[derive(Debug)]
pub struct Progress {
    total: u64,
    done: AtomicU64,
    pages: AtomicU64,
    errors: AtomicU64,
    started: Instant,
    mode: Mode,
    last_line: Mutex<Instant>,
}

#[derive(Debug)]
enum Mode {
    Bar(ProgressBar),
    Lines,
    Quiet,
}

impl Progress {
    /// Progress over `total` municipalities, `already` of them done before (a resumed run).
    pub fn new(total: u64, already: u64, quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} kommuner · {msg} · kvar ca {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_position(already);
            bar.enable_steady_tick(Duration::from_millis(250));
            Mode::Bar(bar)
        } else {
            Mode::Lines
        };
        Self {
            total,
            done: AtomicU64::new(already),
            pages: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            started: Instant::now(),
            mode,
            last_line: Mutex::new(Instant::now()),
        }
    }

    /// One page fetched (from the network or replayed).
    pub fn page(&self, failed: bool) {
        self.pages.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.refresh();
    }

    /// One municipality finished.
    pub fn municipality_done(&self, name: &str, status: &str) {
        self.done.fetch_add(1, Ordering::Relaxed);
        if let Mode::Bar(bar) = &self.mode {
            bar.inc(1);
            if status != "ok" {
                bar.println(format!("{name}: {status}"));
            }
        }
        self.refresh();
    }

    fn message(&self) -> String {
        let pages = self.pages.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        format!(
            "{pages} sidor ({:.1}/s) · {} fel",
            pages as f64 / secs,
            self.errors.load(Ordering::Relaxed)
        )
    }

    fn refresh(&self) {
        match &self.mode {
            Mode::Bar(bar) => bar.set_message(self.message()),
            Mode::Lines => {
                let Ok(mut last) = self.last_line.lock() else {
                    return;
                };
                if last.elapsed() >= LOG_EVERY {
                    *last = Instant::now();
                    eprintln!(
                        "[{:>6.0} s] {}/{} kommuner · {}",
                        self.started.elapsed().as_secs_f64(),
                        self.done.load(Ordering::Relaxed),
                        self.total,
                        self.message()
                    );
                }
            }
            Mode::Quiet => {}
        }
    }

    /// Clears the bar (before the final summary is printed).
    pub fn finish(&self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }

    /// Pages counted so far.
    pub fn pages(&self) -> u64 {
        self.pages.load(Ordering::Relaxed)
    }
}

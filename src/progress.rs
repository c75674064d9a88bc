//! The build's progress bar on stderr, for builds that take a while: shown only when stderr is a
//! terminal, never when asked to be quiet, and only once the build has run for half a second, so
//! quick rebuilds stay silent. Nothing it shows is written anywhere.

use std::time::Instant;

pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        use std::io::IsTerminal;
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                None,
                indicatif::ProgressDrawTarget::hidden(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} running experiments {pos}/{len} {wide_bar} {elapsed}",
                )
                .expect("a valid template"),
            );
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
        }
    }

    /// `done` of `total` experiments have finished.
    pub fn update(&self, done: usize, total: usize) {
        let Some(bar) = &self.bar else { return };
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if bar.is_hidden() && self.started.elapsed().as_millis() >= 500 {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

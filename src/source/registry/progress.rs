//! Per-layer download progress on stderr, only when stderr is a terminal
//! and `--quiet` is off: CI logs get nothing extra.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::image::Digest;

#[derive(Clone)]
pub struct Progress(Option<MultiProgress>);

impl Progress {
    pub fn new(wanted: bool) -> Progress {
        Progress(
            (wanted && std::io::stderr().is_terminal())
                .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        )
    }

    /// A bar for one blob; `None` when progress is off.
    pub fn bar(&self, digest: &Digest, size: Option<u64>) -> Option<ProgressBar> {
        let multi = self.0.as_ref()?;
        let bar = match size {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::no_length(),
        };
        let style = ProgressStyle::with_template(
            "{prefix} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec}",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(digest.short().to_string());
        Some(multi.add(bar))
    }
}

//! A progress bar on stderr for long scans, only when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use plimsoll_engine::Progress;
use plimsoll_oci::{Image, LayerRef};

pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    pub fn new(image: &Image, enabled: bool) -> Self {
        if !enabled || !std::io::stderr().is_terminal() {
            return Bar { bar: None };
        }
        let total: u64 = image.layers.iter().filter_map(|l| l.size).sum();
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg:30} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_message(format!("reading {} layers", image.layers.len()));
        Bar { bar: Some(bar) }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn bytes(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    fn layer_finished(&self, layer: &LayerRef, from_cache: bool) {
        if let Some(b) = &self.bar {
            if from_cache {
                b.inc(layer.size.unwrap_or(0));
            }
            b.set_message(format!(
                "layer {} {}",
                layer.index,
                if from_cache { "cached" } else { "done" }
            ));
        }
    }
}

/// A download bar on stderr for `db update` and the scan's automatic
/// refresh, only when stderr is a terminal (CI logs get the summary lines).
#[derive(Debug)]
pub struct DownloadBar {
    bar: ProgressBar,
}

impl DownloadBar {
    /// `None` when stderr is not a terminal.
    pub fn on_terminal() -> Option<std::sync::Arc<dyn plimsoll_vuln::update::DownloadProgress>> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg:24} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Some(std::sync::Arc::new(DownloadBar { bar }))
    }
}

impl plimsoll_vuln::update::DownloadProgress for DownloadBar {
    fn archive_started(&self, ecosystem: &str, total: Option<u64>) {
        self.bar.reset();
        match total {
            Some(t) => self.bar.set_length(t),
            None => self.bar.unset_length(),
        }
        self.bar.set_message(ecosystem.to_string());
    }

    fn bytes(&self, n: u64) {
        self.bar.inc(n);
    }

    fn archive_finished(&self, _ecosystem: &str, _outcome: plimsoll_vuln::update::Outcome) {
        // The callers print a line per archive once the download is over.
        self.bar.set_message(String::new());
    }
}

impl Drop for DownloadBar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

//! Showing a stack's events as they come: one line per event when standard output is not a
//! terminal (CI logs), a spinner with the latest event and the failures kept above it on one.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// The display of one stack operation.
pub struct Progress {
    bar: Option<ProgressBar>,
    events: usize,
}

impl Progress {
    /// A display for `stack`.
    pub fn new(stack: &str) -> Self {
        let bar = std::io::stdout().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {prefix}: {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(stack.to_owned());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress { bar, events: 0 }
    }

    /// One stack event.
    pub fn event(&mut self, status: &str, resource_type: &str, logical_id: &str, reason: Option<&str>) {
        self.events += 1;
        let line = match reason {
            Some(reason) if !reason.is_empty() => format!("{status:<20} {resource_type:<40} {logical_id}: {reason}"),
            _ => format!("{status:<20} {resource_type:<40} {logical_id}"),
        };
        match &self.bar {
            Some(bar) if status.ends_with("_FAILED") => bar.println(line),
            Some(bar) => bar.set_message(format!("{} events; {line}", self.events)),
            None => println!("{line}"),
        }
    }

    /// Clears the spinner.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

//! What an apply shows while it runs: on a terminal, a spinner per call in flight with its
//! elapsed time (indicatif) above the lines of finished calls; elsewhere, one line per finished,
//! failed or skipped call; with `--json`, every event as one JSON object per line.

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use isopod_apply::{Call, Event, Summary};
use isopod_catalog::ResourceId;
use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::sync::Mutex;
use std::time::Duration;

/// How progress is shown.
enum Mode {
    /// Spinners on a terminal.
    Live(MultiProgress),
    /// One line per finished call.
    Lines,
    /// JSON events.
    Json,
}

/// The progress of one apply.
pub struct Progress {
    mode: Mode,
    spinners: Mutex<HashMap<ResourceId, ProgressBar>>,
}

fn verb(call: Call) -> (&'static str, &'static str) {
    match call {
        Call::Create => ("creating", "created"),
        Call::Update => ("updating", "updated"),
        Call::Delete => ("deleting", "deleted"),
    }
}

impl Progress {
    /// JSON events with `json`, else spinners when stdout is a terminal and not `quiet`, else
    /// lines.
    pub fn new(json: bool, quiet: bool) -> Progress {
        let mode = if json {
            Mode::Json
        } else if std::io::stdout().is_terminal() && !quiet {
            Mode::Live(MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stdout()))
        } else {
            Mode::Lines
        };
        Progress { mode, spinners: Mutex::new(HashMap::new()) }
    }

    /// Shows `event`.
    pub fn event(&self, event: &Event) {
        match &self.mode {
            Mode::Json => emit(&serde_json::to_string(event).expect("events serialize")),
            Mode::Lines => {
                if let Some(line) = line(event) {
                    emit(&line);
                }
            }
            Mode::Live(multi) => self.live(multi, event),
        }
    }

    fn live(&self, multi: &MultiProgress, event: &Event) {
        let mut spinners = self.spinners.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match event {
            Event::Started { id, call } => {
                let spinner = multi.add(ProgressBar::new_spinner());
                spinner.set_style(
                    ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("the template is valid"),
                );
                spinner.set_message(format!("{} {id}", verb(*call).0));
                spinner.enable_steady_tick(Duration::from_millis(120));
                spinners.insert(id.clone(), spinner);
            }
            Event::Provisioning { id } => {
                if let Some(spinner) = spinners.get(id) {
                    spinner.set_message(format!("{id}: the cloud is provisioning it"));
                }
            }
            _ => {
                let id = match event {
                    Event::Finished { id, .. } | Event::Failed { id, .. } | Event::Skipped { id, .. } => id,
                    _ => unreachable!("handled above"),
                };
                if let Some(spinner) = spinners.remove(id) {
                    spinner.finish_and_clear();
                }
                if let Some(line) = line(event) {
                    let _ = multi.println(line);
                }
            }
        }
    }

    /// The final summary line, of `command` (`apply` or `destroy`).
    pub fn summary(&self, summary: &Summary, command: &str) {
        if let Mode::Json = self.mode {
            emit(&serde_json::json!({ "event": "summary", "summary": summary }).to_string());
            return;
        }
        let title = if command == "destroy" { "Destroy" } else { "Apply" };
        let outcome = if summary.succeeded() { "complete" } else { "incomplete" };
        emit(&format!(
            "{title} {outcome}: {} created, {} updated, {} replaced, {} deleted, {} failed, {} skipped, in {:.1} s.",
            summary.created,
            summary.updated,
            summary.replaced,
            summary.deleted,
            summary.failed,
            summary.skipped,
            summary.seconds
        ));
    }
}

/// Writes `line` on stdout. A reader that went away (`| head`) must not stop an apply half-way:
/// what cannot be written is dropped.
fn emit(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// The line of a finished, failed or skipped call.
fn line(event: &Event) -> Option<String> {
    match event {
        Event::Finished { id, call, adopted, seconds, .. } => {
            let how = if *adopted { " (found, already created)" } else { "" };
            Some(format!("{} {id}{how} in {seconds:.1} s", verb(*call).1))
        }
        Event::Failed { id, call, error, .. } => Some(format!("failed {} {id}: {error}", verb(*call).0)),
        Event::Skipped { id, call, because } => {
            Some(format!("skipped {} {id}: it waits for {because}, which failed", verb(*call).0))
        }
        Event::Started { .. } | Event::Provisioning { .. } => None,
    }
}

/// How long the steps before a plan run before a progress line shows.
const STEP_LINE_DELAY: Duration = Duration::from_secs(1);

/// One line on stderr saying what a command is doing before it prints anything (discovering,
/// lowering, diffing), shown only on a terminal and only once the work has taken more than a
/// second; cleared when dropped. Silent off a terminal, so logs and pipes get nothing.
pub struct StepLine {
    bar: Option<ProgressBar>,
}

impl StepLine {
    /// A line saying `message`, shown after a second if stderr is a terminal.
    pub fn start(message: impl Into<String>) -> StepLine {
        if !std::io::stderr().is_terminal() {
            return StepLine { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        bar.set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("a valid template"));
        bar.set_message(message.into());
        let shown = bar.clone();
        // Shown from a thread of its own, so that a single long step (a slow cloud) shows too.
        let _ = std::thread::Builder::new().name("isopod-step-line".into()).spawn(move || {
            std::thread::sleep(STEP_LINE_DELAY);
            if !shown.is_finished() {
                shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
            }
        });
        StepLine { bar: Some(bar) }
    }

    /// Says what is being done now.
    pub fn set(&self, message: impl Into<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.into());
        }
    }
}

impl Drop for StepLine {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

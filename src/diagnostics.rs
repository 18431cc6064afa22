//! Rendering diagnostics for people: miette's graphical reports on stderr, without colour when
//! stderr is not a terminal or `NO_COLOR` is set.

use isopod_lang::{Code, Diagnostic, SourceMap};
use miette::{GraphicalReportHandler, GraphicalTheme};
use std::io::IsTerminal as _;

/// Renders one diagnostic to text.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100);
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
    let mut out = String::new();
    handler.render_report(&mut out, &diagnostic.with_source(sources)).expect("rendering to a String cannot fail");
    out
}

/// Whether stderr gets colours: a terminal, and `NO_COLOR` unset.
pub fn stderr_colored() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Renders diagnostics, each followed by a blank line, with a closing count (empty when there
/// are none). Keys written in plain text are masked in every report, not only in the one about
/// them.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let secrets = diagnostics.iter().filter(|d| d.code == Code::PlaintextSecret).map(Diagnostic::span);
    let sources = sources.masked(secrets);
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&render(diagnostic, &sources, color));
        out.push('\n');
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if !diagnostics.is_empty() {
        out.push_str(&count(errors, diagnostics.len() - errors));
        out.push('\n');
    }
    out
}

fn count(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

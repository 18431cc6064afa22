//! Rendering diagnostics for people: miette's graphical reports on stderr, without colour when
//! stderr is not a terminal or `NO_COLOR` is set.

use isopod_lang::{Code, Diagnostic, Severity, SourceMap};
use isopod_planner::problem::Problem;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use std::io::IsTerminal as _;

/// Renders one diagnostic to text.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let handler = handler(color);
    let mut out = String::new();
    handler.render_report(&mut out, &diagnostic.with_source(sources)).expect("rendering to a String cannot fail");
    out
}

/// miette's graphical handler, in colour when `color`, as wide as the terminal says.
fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let width = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(100);
    GraphicalReportHandler::new_themed(theme).with_width(width)
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

/// Renders the problems of a plan for people, as the language's diagnostics are: the code, the
/// message, the place in the configuration when there is one, and the help; each followed by a
/// blank line. The one rendering of plan problems, for `plan`, `apply`, `comment` and `watch`.
pub fn render_problems(problems: &[Problem], sources: &SourceMap, color: bool) -> String {
    let handler = handler(color);
    let mut out = String::new();
    for problem in problems {
        let severity = match problem.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        let mut diagnostic =
            MietteDiagnostic::new(problem.message.clone()).with_code(problem.code.as_str()).with_severity(severity);
        if let Some(help) = &problem.help {
            diagnostic = diagnostic.with_help(help.clone());
        }
        let report = match problem.span {
            Some(span) => {
                let file = sources.get(span.file);
                let label = LabeledSpan::new_with_span(Some(problem.code.summary().to_string()), span.range());
                let source = NamedSource::new(file.name.clone(), file.text.clone());
                miette::Report::new(diagnostic.with_label(label)).with_source_code(source)
            }
            None => miette::Report::new(diagnostic),
        };
        handler.render_report(&mut out, report.as_ref()).expect("rendering to a String cannot fail");
        out.push('\n');
    }
    out
}

/// Renders a diagnostic of another crate (a price book's) as the language's are rendered.
pub fn render_report(diagnostic: &dyn miette::Diagnostic, color: bool) -> String {
    let handler = handler(color);
    let mut out = String::new();
    handler.render_report(&mut out, diagnostic).expect("rendering to a String cannot fail");
    out
}

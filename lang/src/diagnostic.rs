//! Diagnostics: problems in the user's configuration, as plain data.
//!
//! A [`Diagnostic`] carries a stable [`Code`], spans with labels and an optional help. Rendering
//! is a separate step: [`Diagnostic::with_source`] pairs one with the [`SourceMap`] so that any
//! `miette` handler can draw it; the binary picks the handler.

use crate::span::{FileId, SourceMap, Span};
use serde::Serialize;
use std::fmt;

pub use crate::codes::Code;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The configuration cannot be used.
    Error,
    /// The configuration works, but probably not as intended.
    Warning,
}

/// One span of a diagnostic and what is wrong there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is wrong at that spot (may be empty).
    pub message: String,
}

/// A problem found in the configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// The stable code, e.g. `iso::resolve::unknown_reference`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The primary label first, then secondary ones.
    pub labels: Vec<Label>,
    /// A hint on how to fix it, such as "did you mean `network.app`?".
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error of `code` at `span`, labelled `label`.
    pub fn error(code: Code, span: Span, label: impl Into<String>) -> Self {
        Diagnostic { code, severity: Severity::Error, labels: vec![Label { span, message: label.into() }], help: None }
    }

    /// A warning of `code` at `span`, labelled `label`.
    pub fn warning(code: Code, span: Span, label: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Self::error(code, span, label) }
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: label.into() });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line when there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// The primary span.
    pub fn span(&self) -> Span {
        self.labels[0].span
    }

    /// The fixed summary of this diagnostic's code.
    pub fn message(&self) -> &'static str {
        self.code.summary()
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Pairs the diagnostic with its sources, for rendering through `miette`.
    pub fn with_source<'a>(&'a self, sources: &'a SourceMap) -> SourcedDiagnostic<'a> {
        let file = self.span().file;
        let text = NamedText::of(sources, file);
        SourcedDiagnostic { diagnostic: self, sources, file, text, related: Vec::new() }.with_related_files()
    }
}

/// A [`Diagnostic`] with the source text it points into; implements [`miette::Diagnostic`].
///
/// Labels in other files than the primary one are rendered as related diagnostics, each with
/// its own file, because a miette report draws one source per diagnostic.
pub struct SourcedDiagnostic<'a> {
    diagnostic: &'a Diagnostic,
    sources: &'a SourceMap,
    file: FileId,
    text: NamedText<'a>,
    related: Vec<SourcedDiagnostic<'a>>,
}

/// A file's text with its name, so that rendered reports say which file they point into.
struct NamedText<'a> {
    name: &'a str,
    text: &'a str,
}

impl miette::SourceCode for NamedText<'_> {
    fn read_span<'b>(
        &'b self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let contents = self.text.read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

impl<'a> NamedText<'a> {
    fn of(sources: &'a SourceMap, file: FileId) -> Self {
        let file = sources.get(file);
        NamedText { name: &file.name, text: &file.text }
    }
}

impl<'a> SourcedDiagnostic<'a> {
    fn with_related_files(mut self) -> Self {
        let mut other_files: Vec<FileId> = Vec::new();
        for label in &self.diagnostic.labels {
            if label.span.file != self.file && !other_files.contains(&label.span.file) {
                other_files.push(label.span.file);
            }
        }
        self.related = other_files
            .into_iter()
            .map(|file| SourcedDiagnostic {
                diagnostic: self.diagnostic,
                sources: self.sources,
                file,
                text: NamedText::of(self.sources, file),
                related: Vec::new(),
            })
            .collect();
        self
    }

    fn is_primary(&self) -> bool {
        self.file == self.diagnostic.span().file
    }
}

impl fmt::Debug for SourcedDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for SourcedDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_primary() {
            f.write_str(self.diagnostic.message())
        } else {
            write!(f, "see also {}", self.sources.get(self.file).name)
        }
    }
}

impl std::error::Error for SourcedDiagnostic<'_> {}

impl miette::Diagnostic for SourcedDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.is_primary().then(|| Box::new(self.diagnostic.code.as_str()) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        if !self.is_primary() {
            return Some(miette::Severity::Advice);
        }
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.diagnostic.help.as_ref().filter(|_| self.is_primary())?;
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.text as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let file = self.file;
        let labels = self.diagnostic.labels.iter().enumerate().filter(move |(_, l)| l.span.file == file);
        Some(Box::new(labels.map(|(idx, label)| {
            let text = (!label.message.is_empty()).then(|| label.message.clone());
            let span = miette::SourceSpan::from(label.span.range());
            if idx == 0 {
                miette::LabeledSpan::new_primary_with_span(text, span)
            } else {
                miette::LabeledSpan::new_with_span(text, span)
            }
        })))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|d| d as &dyn miette::Diagnostic)))
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        None
    }
}

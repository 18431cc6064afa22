//! The `.iso` language: parse, evaluate, check and format Isopod configurations.
//!
//! **Architecture invariant:** this crate does no I/O of its own and reads no clock, environment
//! or randomness. It takes source text through a [`SourceMap`]; the few functions that look
//! outside the configuration (`env`, `file`) go through the [`Host`] the caller passes in.
//! Parsing never fails: every stage returns what it could build together with diagnostics.
//!
//! ```
//! use isopod_lang::{SourceMap, MemoryHost, Inputs, load};
//! let mut sources = SourceMap::new();
//! sources.add("main.iso", r#"
//! stack "demo" {}
//! cloud "aws" "prod" { region = "us-east-1" }
//! network "app" {
//!   cloud = cloud.aws.prod
//!   cidr  = "10.10.0.0/16"
//! }
//! "#);
//! let checked = load(&sources, &Inputs::default(), &MemoryHost::default());
//! assert!(checked.diagnostics.is_empty());
//! assert_eq!(checked.topology.unwrap().networks[0].cidr.value.to_string(), "10.10.0.0/16");
//! ```

pub mod catalog;
mod check;
pub mod cidr;
mod codes;
pub mod diagnostic;
mod eval;
pub mod fmt;
mod host;
pub mod schema;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod topology;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use eval::functions::{FOREIGN_FUNCTIONS, FUNCTIONS, ForeignFunction, Function};
pub use host::{Host, Inputs, MemoryHost};
pub use span::{FileId, SourceFile, SourceMap, Span, Spanned};
pub use topology::Topology;

/// The result of loading a configuration.
#[derive(Debug)]
pub struct Checked {
    /// The topology, when the configuration has no errors.
    pub topology: Option<Topology>,
    /// Every problem found, errors and warnings, in the order of the files.
    pub diagnostics: Vec<Diagnostic>,
    /// Names of the input values given for variables the configuration does not declare.
    pub undeclared_inputs: Vec<String>,
    /// The names of the declared variables, for suggestions.
    pub variables: Vec<String>,
    /// The value of each local and variable that evaluated, as `.iso` text (secrets shown as
    /// `(sensitive)`), by reference (`local.base`, `var.region`): what the language server's
    /// hover shows.
    pub values: Vec<(String, String)>,
}

impl Checked {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses, evaluates and checks all files of a configuration (one folder's `.iso` files).
pub fn load(sources: &SourceMap, inputs: &Inputs, host: &dyn Host) -> Checked {
    let (checked, files) = load_keeping_syntax(sources, inputs, host);
    drop_in_background(files);
    checked
}

/// Like [`load`], also returning each file's syntax tree (in the order of `sources`), for tools
/// that look at what was written, such as the language server.
pub fn load_keeping_syntax(sources: &SourceMap, inputs: &Inputs, host: &dyn Host) -> (Checked, Vec<syntax::ast::File>) {
    let parses = sources.iter().map(|(id, file)| syntax::parse(id, &file.text)).collect();
    check_parsed(sources, parses, inputs, host)
}

/// Like [`load_keeping_syntax`], for files parsed already: `parses[i]` is the parse of the
/// `i`th file of `sources` (the language server parses again only what an edit touched, with
/// [`syntax::reparse`]).
pub fn check_parsed(
    sources: &SourceMap,
    parses: Vec<syntax::Parse>,
    inputs: &Inputs,
    host: &dyn Host,
) -> (Checked, Vec<syntax::ast::File>) {
    let mut diagnostics = Vec::new();
    let files: Vec<syntax::ast::File> = sources
        .iter()
        .zip(parses)
        .map(|((_, file), parse)| {
            diagnostics.extend(invalid_utf8(file));
            diagnostics.extend(parse.diagnostics);
            parse.file
        })
        .collect();
    let had_syntax_errors = !diagnostics.is_empty();
    let decls = check::structure::check(&files, &mut diagnostics);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let (lowered, mut evaluated) = check::lower::lower_all(&decls, inputs, host, threads);
    let check::lower::Lowered { topology, values } = lowered;
    diagnostics.append(&mut evaluated);
    check::semantics::check(&topology, &mut diagnostics);
    if had_syntax_errors {
        // What a syntax error lost would be reported again as missing: one mistake, one report.
        diagnostics.retain(|d| !matches!(d.code, Code::UnknownReference | Code::MissingStack));
    }
    let variables: Vec<String> = decls.names_in("var").map(String::from).collect();
    let mut undeclared_inputs: Vec<String> =
        inputs.vars.keys().filter(|name| decls.find("var", name).is_none()).cloned().collect();
    undeclared_inputs.sort();
    diagnostics.retain(|d| d.code == Code::ParseInvalidUtf8 || !caused_by_invalid_utf8(d, sources));
    sort(&mut diagnostics);
    let topology = Some(topology).filter(|_| !diagnostics.iter().any(Diagnostic::is_error));
    drop(decls);
    (Checked { topology, diagnostics, undeclared_inputs, variables, values }, files)
}

/// The most invalid sequences of one file that a diagnostic marks.
const INVALID_UTF8_MARKS: usize = 5;

/// One diagnostic for a file's bytes that are not UTF-8 (see [`SourceMap::add_bytes`]), at the
/// first of them; `None` when the file was UTF-8. [`load`] reports it; `fmt` refuses such a file.
pub fn invalid_utf8(file: &SourceFile) -> Option<Diagnostic> {
    let (first, rest) = file.invalid_utf8.split_first()?;
    let label = match rest.len() {
        0 => "this byte is not UTF-8".to_string(),
        more => format!("this byte is not UTF-8 ({} such bytes in this file)", more + 1),
    };
    let mut diagnostic = Diagnostic::error(Code::ParseInvalidUtf8, *first, label)
        .with_help("save the file as UTF-8; the text shows each such sequence as `\u{FFFD}`");
    for span in rest.iter().take(INVALID_UTF8_MARKS - 1) {
        diagnostic = diagnostic.with_label(*span, "not UTF-8");
    }
    Some(diagnostic)
}

/// Whether a diagnostic is about a token (its span within one line) that holds a byte replaced
/// by [`SourceMap::add_bytes`]: a consequence of that byte, reported already.
fn caused_by_invalid_utf8(diagnostic: &Diagnostic, sources: &SourceMap) -> bool {
    let span = diagnostic.span();
    let replaced = &sources.get(span.file).invalid_utf8;
    !replaced.is_empty()
        && !sources.snippet(span).contains('\n')
        && replaced.iter().any(|r| span.start <= r.start && r.end <= span.end)
}

/// Frees a large value on another thread, so that the caller does not wait for it; in place when
/// no thread can be started.
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    // When the thread cannot start, `spawn` drops the closure, and with it the value, in place.
    let _ = std::thread::Builder::new().name("isopod-drop".into()).spawn(move || drop(value));
}

/// Orders diagnostics by file and position, keeping the first of each code and span.
pub(crate) fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_key(|d| (d.span().file, d.span().start, d.span().end));
    let mut seen = std::collections::HashSet::new();
    diagnostics.retain(|d| seen.insert((d.code, d.span())));
}

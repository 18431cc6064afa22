//! Syntax: the `.iso` grammar and the syntax tree it produces.
//!
//! Parsing never fails: [`parse`] returns a tree and the diagnostics of every syntax error,
//! resuming at the next top-level item after each one.

pub mod ast;
mod depth;
mod incremental;
mod lexical;
mod parser;
mod trim;

pub use incremental::{Edit, reparse};

use crate::diagnostic::Diagnostic;
use crate::span::FileId;

/// The result of parsing one file.
#[derive(Debug)]
pub struct Parse {
    /// The syntax tree, holding every item that parsed.
    pub file: ast::File,
    /// The syntax errors, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the text of one file, large files on as many threads as the machine has cores (at
/// most 8).
pub fn parse(file: FileId, text: &str) -> Parse {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    parse_with_threads(file, text, threads)
}

/// Parses the text of one file using at most `threads` threads; the result does not depend on
/// the number.
pub fn parse_with_threads(file: FileId, text: &str, threads: usize) -> Parse {
    let (file, diagnostics) = parser::parse_file(file, text, threads.max(1));
    Parse { file, diagnostics }
}

#[cfg(test)]
mod tests;

//! Syntax: the `.iso` grammar and the syntax tree it produces.
//!
//! Parsing never fails: [`parse`] returns a tree and the diagnostics of every syntax error,
//! resuming at the next top-level item after each one.

pub mod ast;
mod lexical;
mod parser;
mod trim;

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

/// Parses the text of one file.
pub fn parse(file: FileId, text: &str) -> Parse {
    let (file, diagnostics) = parser::parse_file(file, text);
    Parse { file, diagnostics }
}

#[cfg(test)]
mod tests;

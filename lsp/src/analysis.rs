//! One configuration checked: the language's diagnostics, the syntax trees and their index, and
//! the conversions of each file's positions. Everything a request needs, computed once per change.

use crate::index::Index;
use crate::position::{Encoding, Positions};
use crate::workspace::Folder;
use isopod_lang::syntax::ast::File;
use isopod_lang::syntax::{Edit, Parse};
use isopod_lang::{Diagnostic, FileId, Host, Inputs, SourceMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A configuration, checked as `isopod validate` checks it.
pub struct Analysis {
    /// The texts, by file id.
    pub sources: SourceMap,
    /// Each file's path, by file id.
    pub paths: Vec<PathBuf>,
    /// Each file's syntax tree, by file id.
    pub files: Vec<File>,
    /// Every problem, as `validate` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// The value of each local and variable that evaluated, by reference (`local.base`).
    pub values: std::collections::HashMap<String, String>,
    /// The texts as hovers may show them: keys written in plain text masked, as every report of
    /// the binary masks them (`None` when there are none).
    masked: Option<SourceMap>,
    /// Which files parsed without errors (whose trees the next analysis may reuse).
    parsed_cleanly: Vec<bool>,
    index: OnceLock<Index>,
    positions: Vec<Positions>,
}

impl Analysis {
    /// Checks a folder's files, reusing what `previous` (the last analysis of the folder) parsed
    /// of the files that did not change, and of those that changed, what their edits did not
    /// touch.
    pub fn new(
        folder: Folder,
        previous: Option<Analysis>,
        inputs: &Inputs,
        host: &dyn Host,
        encoding: Encoding,
    ) -> Analysis {
        let Folder { sources, paths, edits } = folder;
        let parses = parse(&sources, &paths, &edits, previous);
        let parsed_cleanly = parses.iter().map(|parse| parse.diagnostics.is_empty()).collect();
        let (checked, files) = isopod_lang::check_parsed(&sources, parses, inputs, host);
        let positions = sources.iter().map(|(_, file)| Positions::new(&file.text, encoding)).collect();
        // The language server needs no topology: it is freed off the path to the diagnostics.
        drop_in_background(checked.topology);
        let diagnostics = checked.diagnostics;
        let values = checked.values.into_iter().collect();
        let secrets: Vec<_> =
            diagnostics.iter().filter(|d| d.code == isopod_lang::Code::PlaintextSecret).map(|d| d.span()).collect();
        let masked = Some(secrets).filter(|spans| !spans.is_empty()).map(|spans| sources.masked(spans));
        let index = OnceLock::new();
        Analysis { sources, paths, files, diagnostics, values, masked, parsed_cleanly, index, positions }
    }

    /// Declarations and references, indexed on first use (diagnostics need none).
    pub fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::new(&self.files))
    }

    /// The id of the file at `path`.
    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        let (id, _) = self.sources.iter().find(|(id, _)| self.paths[id.index()] == path)?;
        Some(id)
    }

    /// The positions of a file.
    pub fn positions(&self, file: FileId) -> &Positions {
        &self.positions[file.index()]
    }

    /// The text a span covers, as a hover may show it (plain-text keys masked).
    pub fn shown(&self, span: isopod_lang::Span) -> &str {
        self.masked.as_ref().unwrap_or(&self.sources).snippet(span)
    }

    /// The text of a file.
    pub fn text(&self, file: FileId) -> &str {
        &self.sources.get(file).text
    }
}

/// Each file's parse: the previous tree when the file did not change, the previous tree with
/// only what the edit touched parsed again when it did, a whole parse otherwise.
fn parse(sources: &SourceMap, paths: &[PathBuf], edits: &[Option<Edit>], previous: Option<Analysis>) -> Vec<Parse> {
    let mut reusable: Vec<Option<(PathBuf, String, Parse)>> = match previous {
        None => Vec::new(),
        Some(previous) => {
            let Analysis { sources: old_sources, paths: old_paths, files, parsed_cleanly, .. } = previous;
            let texts = old_sources.iter().map(|(_, file)| file.text.clone());
            old_paths
                .into_iter()
                .zip(texts)
                .zip(files.into_iter().zip(parsed_cleanly))
                .map(|((path, text), (file, clean))| {
                    clean.then(|| (path, text, Parse { file, diagnostics: Vec::new() }))
                })
                .collect()
        }
    };
    let parses = sources
        .iter()
        .map(|(id, file)| {
            let path = &paths[id.index()];
            let found = reusable.iter_mut().find(|slot| slot.as_ref().is_some_and(|(p, _, _)| p == path));
            match (found.and_then(Option::take), edits[id.index()]) {
                (Some((_, text, parse)), None) if text == file.text && parse.file.id == id => parse,
                (Some((_, _, parse)), Some(edit)) => isopod_lang::syntax::reparse(id, parse, &file.text, edit),
                _ => isopod_lang::syntax::parse(id, &file.text),
            }
        })
        .collect();
    drop_in_background(reusable);
    parses
}

/// Frees a value on another thread, so that the caller does not wait for it.
fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().name("isopod-lsp-drop".into()).spawn(move || drop(value));
}

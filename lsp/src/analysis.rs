//! One configuration checked: the language's diagnostics, the syntax trees and their index, and
//! the conversions of each file's positions. Everything a request needs, computed once per change.

use crate::index::Index;
use crate::position::{Encoding, Positions};
use crate::workspace::Folder;
use isopod_lang::syntax::ast::File;
use isopod_lang::{Diagnostic, FileId, Host, Inputs, SourceMap};
use std::path::{Path, PathBuf};

/// A configuration, checked as `isopod validate` checks it.
pub struct Analysis {
    /// The folder.
    pub dir: PathBuf,
    /// The texts, by file id.
    pub sources: SourceMap,
    /// Each file's path, by file id.
    pub paths: Vec<PathBuf>,
    /// Each file's syntax tree, by file id.
    pub files: Vec<File>,
    /// Every problem, as `validate` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// Declarations and references.
    pub index: Index,
    positions: Vec<Positions>,
}

impl Analysis {
    /// Checks a folder's files.
    pub fn new(folder: Folder, inputs: &Inputs, host: &dyn Host, encoding: Encoding) -> Analysis {
        let Folder { dir, sources, paths } = folder;
        let (checked, files) = isopod_lang::load_keeping_syntax(&sources, inputs, host);
        let index = Index::new(&files);
        let positions = sources.iter().map(|(_, file)| Positions::new(&file.text, encoding)).collect();
        Analysis { dir, sources, paths, files, diagnostics: checked.diagnostics, index, positions }
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

    /// The text of a file.
    pub fn text(&self, file: FileId) -> &str {
        &self.sources.get(file).text
    }
}

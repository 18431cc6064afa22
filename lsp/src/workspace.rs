//! The texts the server works on: the documents the editor has open (their latest text, which
//! may not be saved) over the `.iso` files on disk. A configuration is one folder's `.iso` files,
//! as for every other command. The only module that reads files.

use isopod_lang::SourceMap;
use isopod_lang::syntax::Edit;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The open documents.
#[derive(Default)]
pub struct Workspace {
    open: HashMap<PathBuf, Document>,
}

/// An open document.
struct Document {
    text: String,
    /// What changed since the folder was last read, as one edit.
    edit: Option<Edit>,
}

/// The files of one configuration, read: the sources in path order and each one's path.
pub struct Folder {
    /// Each file's text, open documents' as the editor has them.
    pub sources: SourceMap,
    /// The path of each file, by [`isopod_lang::FileId`] index.
    pub paths: Vec<PathBuf>,
    /// For each open document, what changed since the folder was last read.
    pub edits: Vec<Option<Edit>>,
}

impl Workspace {
    /// Records a document's whole text, when it is opened.
    pub fn open(&mut self, path: PathBuf, text: String) {
        self.open.insert(path, Document { text, edit: None });
    }

    /// Replaces bytes `start..end` of an open document's text (all of it without a range).
    pub fn edit(&mut self, path: &Path, range: Option<(usize, usize)>, inserted: &str) {
        let Some(document) = self.open.get_mut(path) else { return };
        let (start, end) = range.unwrap_or((0, document.text.len()));
        document.text.replace_range(start..end, inserted);
        let edit = Edit { start, old_end: end, new_end: start + inserted.len() };
        document.edit = Some(document.edit.map_or(edit, |before| before.then(edit)));
    }

    /// The open document's text.
    pub fn text(&self, path: &Path) -> Option<&str> {
        self.open.get(path).map(|document| document.text.as_str())
    }

    /// Forgets a closed document: the file on disk counts again.
    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
    }

    /// The configuration `dir` holds: its `.iso` files (not its subfolders'), sorted, with open
    /// documents in place of their files and open documents not yet saved included. Their edits
    /// are handed over: the next call reports only what changed after this one.
    pub fn folder(&mut self, dir: &Path) -> Folder {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "iso") && path.is_file())
            .collect();
        paths.extend(self.open.keys().filter(|path| path.parent() == Some(dir)).cloned());
        paths.sort();
        paths.dedup();
        let mut sources = SourceMap::new();
        let mut edits = Vec::with_capacity(paths.len());
        for path in &paths {
            let name = path.display().to_string();
            match self.open.get_mut(path) {
                Some(document) => {
                    sources.add(name, document.text.as_str());
                    edits.push(document.edit.take());
                }
                None => {
                    sources.add_bytes(name, &std::fs::read(path).unwrap_or_default());
                    edits.push(None);
                }
            };
        }
        Folder { sources, paths, edits }
    }
}

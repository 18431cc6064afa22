//! The texts the server works on: the documents the editor has open (their latest text, which
//! may not be saved) over the `.iso` files on disk. A configuration is one folder's `.iso` files,
//! as for every other command. The only module that reads files.

use isopod_lang::SourceMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The open documents.
#[derive(Default)]
pub struct Workspace {
    open: HashMap<PathBuf, String>,
}

/// The files of one configuration, read: the sources in path order and each one's path.
pub struct Folder {
    /// The folder.
    pub dir: PathBuf,
    /// Each file's text, open documents' as the editor has them.
    pub sources: SourceMap,
    /// The path of each file, by [`isopod_lang::FileId`] index.
    pub paths: Vec<PathBuf>,
}

impl Workspace {
    /// Records a document's whole text, when it is opened or replaced.
    pub fn set(&mut self, path: PathBuf, text: String) {
        self.open.insert(path, text);
    }

    /// The open document's text.
    pub fn text_mut(&mut self, path: &Path) -> Option<&mut String> {
        self.open.get_mut(path)
    }

    /// The open document's text, or the file's on disk.
    pub fn text(&self, path: &Path) -> Option<String> {
        match self.open.get(path) {
            Some(text) => Some(text.clone()),
            None => std::fs::read(path).ok().map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        }
    }

    /// Forgets a closed document: the file on disk counts again.
    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
    }

    /// The configuration `dir` holds: its `.iso` files (not its subfolders'), sorted, with open
    /// documents in place of their files and open documents not yet saved included.
    pub fn folder(&self, dir: &Path) -> Folder {
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
        for path in &paths {
            let name = path.display().to_string();
            match self.open.get(path) {
                Some(text) => sources.add(name, text.as_str()),
                None => sources.add_bytes(name, &std::fs::read(path).unwrap_or_default()),
            };
        }
        Folder { dir: dir.to_path_buf(), sources, paths }
    }
}

//! The folder backend: the state folder beside the configuration (`.isopod/`, or
//! `ISOPOD_STATE_DIR`). One stack per folder, so the stack's name is not part of any path.

use crate::{Document, Run, RunJournal, StackLease, StackState, StateError, Versioned};
use isopod_apply::lock::LockGuard;
use isopod_apply::{Call, Fenced, FileJournal, FileLock, Holder, Journal, LockError, Operation};
use isopod_catalog::ResourceId;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The journal's file name.
const JOURNAL: &str = "journal.jsonl";
/// The history's file name: one run per line.
const RUNS: &str = "runs.jsonl";

/// A state folder.
pub struct Folder {
    dir: PathBuf,
}

impl Folder {
    /// The state kept in `dir`.
    pub fn new(dir: PathBuf) -> Folder {
        Folder { dir }
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StateError + '_ {
        move |source| StateError::Io { path: path.to_path_buf(), source }
    }
}

/// A file lock: fenced by the OS (released when the process ends, however it ends), so its token
/// is always 0.
struct FolderLease {
    _guard: Box<dyn LockGuard>,
}

impl LockGuard for FolderLease {}

impl StackLease for FolderLease {
    fn token(&self) -> u64 {
        0
    }

    fn is_lost(&self) -> bool {
        false
    }
}

/// The file journal of a run, closed once.
struct FolderJournal(Mutex<Option<FileJournal>>);

impl FolderJournal {
    fn with(&self, write: impl FnOnce(&FileJournal) -> Result<(), Fenced>) -> Result<(), Fenced> {
        match self.0.lock().expect("not poisoned").as_ref() {
            Some(journal) => write(journal),
            None => Ok(()),
        }
    }
}

impl Journal for FolderJournal {
    fn started(&self, operation: &Operation) -> Result<(), Fenced> {
        self.with(|journal| journal.started(operation))
    }

    fn finished(&self, operation: &Operation, provider_id: Option<&str>) -> Result<(), Fenced> {
        self.with(|journal| journal.finished(operation, provider_id))
    }

    fn failed(&self, operation: &Operation) -> Result<(), Fenced> {
        self.with(|journal| journal.failed(operation))
    }
}

impl RunJournal for FolderJournal {
    fn close(&self) -> Result<(), StateError> {
        let Some(journal) = self.0.lock().expect("not poisoned").take() else { return Ok(()) };
        let path = journal.path().to_path_buf();
        journal.close().map_err(Folder::io(&path))
    }
}

impl StackState for Folder {
    fn acquire(&self, _stack: &str, holder: &Holder, timeout: Duration) -> Result<Box<dyn StackLease>, LockError> {
        Ok(Box::new(FolderLease { _guard: FileLock::new(&self.dir).acquire(holder, timeout)? }))
    }

    fn unfinished(&self, _stack: &str) -> Result<Vec<(ResourceId, Call)>, StateError> {
        Ok(FileJournal::unfinished(&self.dir.join(JOURNAL)))
    }

    fn clear_journal(&self, _stack: &str, _lease: &dyn StackLease) -> Result<(), StateError> {
        let path = self.dir.join(JOURNAL);
        FileJournal::clear(&path).map_err(Folder::io(&path))
    }

    fn start_journal(
        &self,
        _stack: &str,
        _lease: &dyn StackLease,
        carried: &[(ResourceId, Call)],
    ) -> Result<Arc<dyn RunJournal>, StateError> {
        let path = self.dir.join(JOURNAL);
        let journal = FileJournal::create(&path, carried).map_err(Folder::io(&path))?;
        Ok(Arc::new(FolderJournal(Mutex::new(Some(journal)))))
    }

    fn read(&self, _stack: &str, document: Document) -> Result<Option<Versioned>, StateError> {
        let path = self.dir.join(document.file_name());
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(Versioned { text, version: 0 })),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(Folder::io(&path)(err)),
        }
    }

    fn write(&self, _stack: &str, document: Document, text: &str, _read_at: Option<u64>) -> Result<u64, StateError> {
        let path = self.dir.join(document.file_name());
        std::fs::create_dir_all(&self.dir).map_err(Folder::io(&self.dir))?;
        // Replaced atomically (a reader never sees it half written) by a unique temporary file
        // beside it, readable by its owner only (the sealed secrets are private).
        use std::os::unix::fs::PermissionsExt as _;
        let io = Folder::io(&path);
        let mut staged = tempfile::NamedTempFile::new_in(&self.dir).map_err(Folder::io(&self.dir))?;
        let written = staged
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .and_then(|()| staged.write_all(text.as_bytes()))
            .and_then(|()| staged.as_file().sync_all());
        written.map_err(Folder::io(&path))?;
        staged.persist(&path).map(|_| 0).map_err(|err| io(err.error))
    }

    fn record_run(&self, _stack: &str, run: &Run) -> Result<(), StateError> {
        let path = self.dir.join(RUNS);
        std::fs::create_dir_all(&self.dir).map_err(Folder::io(&self.dir))?;
        let mut line = serde_json::to_string(run).expect("runs serialize");
        line.push('\n');
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(Folder::io(&path))?;
        file.write_all(line.as_bytes()).map_err(Folder::io(&path))
    }

    fn runs(&self, _stack: &str, limit: usize) -> Result<Vec<Run>, StateError> {
        let path = self.dir.join(RUNS);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(Folder::io(&path)(err)),
        };
        let mut runs: Vec<Run> = text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
        runs.reverse();
        runs.truncate(limit);
        Ok(runs)
    }
}

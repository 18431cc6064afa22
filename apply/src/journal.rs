//! The journal of an apply: an entry when each call starts and when it ends, written before the
//! call is made. A run that stops part-way (a crash, `kill -9`) leaves the calls it had in
//! flight there; the next run names them and looks for what they may have created before
//! creating it again. A run that finishes removes its journal.
//!
//! [`Journal`] is what the executor writes to; [`FileJournal`] keeps it in a file
//! (`.isopod/journal.jsonl`), and a shared backend keeps it in a database, where a write also
//! proves the run still holds the stack's lease ([`Fenced`]).

use isopod_catalog::ResourceId;
use isopod_planner::order::{Call, Operation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One line of the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Entry {
    /// A call is about to be made.
    Started {
        /// The resource.
        id: ResourceId,
        /// The call.
        call: Call,
    },
    /// The call succeeded.
    Finished {
        /// The resource.
        id: ResourceId,
        /// The call.
        call: Call,
        /// The resource's cloud id.
        provider_id: Option<String>,
    },
    /// The call failed.
    Failed {
        /// The resource.
        id: ResourceId,
        /// The call.
        call: Call,
    },
}

/// The run no longer holds the stack's lease (another took it after it expired): it must make
/// no further call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the stack's lease was lost: {0}")]
pub struct Fenced(pub String);

/// Where the executor records its calls. An entry is written before the call it announces is
/// made; a write refused with [`Fenced`] stops the run before its next call.
pub trait Journal: Send + Sync {
    /// Records that `operation` is about to be made.
    fn started(&self, operation: &Operation) -> Result<(), Fenced>;
    /// Records that `operation` succeeded.
    fn finished(&self, operation: &Operation, provider_id: Option<&str>) -> Result<(), Fenced>;
    /// Records that `operation` failed.
    fn failed(&self, operation: &Operation) -> Result<(), Fenced>;
    /// Confirms, right before a change is sent to a cloud, that the run still holds the stack.
    fn confirm(&self) -> Result<(), Fenced> {
        Ok(())
    }
}

/// The calls still open in `entries` (started, never finished nor failed), in order.
pub fn open_calls(entries: impl IntoIterator<Item = Entry>) -> Vec<(ResourceId, Call)> {
    let mut open: BTreeMap<(ResourceId, Call), ()> = BTreeMap::new();
    for entry in entries {
        match entry {
            Entry::Started { id, call } => {
                open.insert((id, call), ());
            }
            Entry::Finished { id, call, .. } | Entry::Failed { id, call } => {
                open.remove(&(id, call));
            }
        }
    }
    open.into_keys().collect()
}

/// The journal of one run in a file.
#[derive(Debug)]
pub struct FileJournal {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl FileJournal {
    /// The calls a previous run left in flight at `path` (started, never finished nor failed).
    pub fn unfinished(path: &Path) -> Vec<(ResourceId, Call)> {
        let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
        // A line cut by a crash does not parse and is skipped.
        open_calls(text.lines().filter_map(|line| serde_json::from_str::<Entry>(line).ok()))
    }

    /// Starts the journal of a run at `path`, replacing a previous run's but keeping open the
    /// calls of `carried` (left in flight before, and planned again in this run), so that a
    /// second interruption does not forget them.
    pub fn create(path: &Path, carried: &[(ResourceId, Call)]) -> std::io::Result<FileJournal> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = std::fs::File::create(path)?;
        let journal = FileJournal { path: path.to_path_buf(), file: Mutex::new(file) };
        for (id, call) in carried {
            let _ = journal.write(&Entry::Started { id: id.clone(), call: *call });
        }
        Ok(journal)
    }

    /// Removes the journal at `path`, if any: nothing is in flight.
    pub fn clear(path: &Path) -> std::io::Result<()> {
        match std::fs::remove_file(path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Ends the run: the journal is removed when nothing is left in flight, and kept (with the
    /// creations whose outcome is unknown) otherwise.
    pub fn close(self) -> std::io::Result<()> {
        if FileJournal::unfinished(&self.path).is_empty() { FileJournal::clear(&self.path) } else { Ok(()) }
    }

    /// Appends `entry` and syncs it. A journal that cannot be written is reported once per line
    /// and does not stop the apply: ownership marks, not the journal, make a rerun converge.
    fn write(&self, entry: &Entry) -> Result<(), Fenced> {
        let mut line = serde_json::to_string(entry).expect("entries serialize");
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(err) = file.write_all(line.as_bytes()).and_then(|()| file.sync_data()) {
            eprintln!("warning: cannot write the journal {}: {err}", self.path.display());
        }
        Ok(())
    }
}

impl Journal for FileJournal {
    fn started(&self, operation: &Operation) -> Result<(), Fenced> {
        self.write(&Entry::Started { id: operation.id.clone(), call: operation.call })
    }

    fn finished(&self, operation: &Operation, provider_id: Option<&str>) -> Result<(), Fenced> {
        let provider_id = provider_id.map(str::to_string);
        self.write(&Entry::Finished { id: operation.id.clone(), call: operation.call, provider_id })
    }

    fn failed(&self, operation: &Operation) -> Result<(), Fenced> {
        self.write(&Entry::Failed { id: operation.id.clone(), call: operation.call })
    }
}

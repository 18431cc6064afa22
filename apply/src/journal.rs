//! The journal of an apply (`.isopod/journal.jsonl`): a line when each call starts and when it
//! ends, synced to disk before the call is made. A run that stops part-way (a crash, `kill -9`)
//! leaves the calls it had in flight there; the next run names them and looks for what they may
//! have created before creating it again. A run that finishes removes its journal.

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

/// The journal of one run.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl Journal {
    /// The calls a previous run left in flight at `path` (started, never finished nor failed).
    pub fn unfinished(path: &Path) -> Vec<(ResourceId, Call)> {
        let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
        let mut open: BTreeMap<(ResourceId, Call), ()> = BTreeMap::new();
        // A line cut by a crash does not parse and is skipped.
        for entry in text.lines().filter_map(|line| serde_json::from_str::<Entry>(line).ok()) {
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

    /// Starts the journal of a run at `path`, replacing a previous run's but keeping open the
    /// calls of `carried` (left in flight before, and planned again in this run), so that a
    /// second interruption does not forget them.
    pub fn create(path: &Path, carried: &[(ResourceId, Call)]) -> std::io::Result<Journal> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = std::fs::File::create(path)?;
        let journal = Journal { path: path.to_path_buf(), file: Mutex::new(file) };
        for (id, call) in carried {
            journal.write(&Entry::Started { id: id.clone(), call: *call });
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

    /// Records that `operation` is about to be made.
    pub fn started(&self, operation: &Operation) {
        self.write(&Entry::Started { id: operation.id.clone(), call: operation.call });
    }

    /// Records that `operation` succeeded.
    pub fn finished(&self, operation: &Operation, provider_id: Option<&str>) {
        let provider_id = provider_id.map(str::to_string);
        self.write(&Entry::Finished { id: operation.id.clone(), call: operation.call, provider_id });
    }

    /// Records that `operation` failed.
    pub fn failed(&self, operation: &Operation) {
        self.write(&Entry::Failed { id: operation.id.clone(), call: operation.call });
    }

    /// Ends the run: the journal is removed when nothing is left in flight, and kept (with the
    /// creations whose outcome is unknown) otherwise.
    pub fn close(self) -> std::io::Result<()> {
        if Journal::unfinished(&self.path).is_empty() { Journal::clear(&self.path) } else { Ok(()) }
    }

    /// Appends `entry` and syncs it. A journal that cannot be written is reported once per line
    /// and does not stop the apply: ownership marks, not the journal, make a rerun converge.
    fn write(&self, entry: &Entry) {
        let mut line = serde_json::to_string(entry).expect("entries serialize");
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(err) = file.write_all(line.as_bytes()).and_then(|()| file.sync_data()) {
            eprintln!("warning: cannot write the journal {}: {err}", self.path.display());
        }
    }
}

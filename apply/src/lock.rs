//! The stack lock of a state folder: two applies on one stack never interleave. A lock on a
//! local file (`.isopod/lock`, an OS advisory lock released when the process ends, however it
//! ends), whose holder is described in `.isopod/lock.json`. Several machines share a stack
//! through `isopod-state`'s PostgreSQL leases instead, behind the same [`LockGuard`].

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Who holds a lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The process id.
    pub pid: u32,
    /// The machine.
    pub host: String,
    /// What it runs, e.g. `isopod apply`.
    pub command: String,
    /// Since when, in seconds since the Unix epoch.
    pub since: u64,
}

impl Holder {
    /// This process, running `command`.
    pub fn this_process(command: &str) -> Holder {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_default();
        Holder { pid: std::process::id(), host, command: command.to_string(), since }
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` (process {} on {}, since {} s after the epoch)", self.command, self.pid, self.host, self.since)
    }
}

/// Why a lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Someone else holds it.
    #[error("the stack is locked by {}", .0.as_ref().map_or("another process".to_string(), ToString::to_string))]
    Held(Option<Holder>),
    /// The lock cannot be used.
    #[error("cannot use the lock {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A lock held; dropping it releases the lock.
pub trait LockGuard: Send {}

/// The default lock: a file beside the configuration's state.
pub struct FileLock {
    path: PathBuf,
}

impl FileLock {
    /// The lock of the state folder `dir`.
    pub fn new(dir: &Path) -> FileLock {
        FileLock { path: dir.join("lock") }
    }

    fn holder_path(&self) -> PathBuf {
        self.path.with_extension("json")
    }
}

struct FileGuard {
    _file: std::fs::File,
    holder: PathBuf,
}

impl LockGuard for FileGuard {}

impl Drop for FileGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.holder);
    }
}

impl FileLock {
    /// Takes the lock for `holder`, waiting up to `timeout` while another holds it.
    pub fn acquire(&self, holder: &Holder, timeout: Duration) -> Result<Box<dyn LockGuard>, LockError> {
        let io = |source| LockError::Io { path: self.path.clone(), source };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&self.path).map_err(io)?;
        let deadline = Instant::now() + timeout;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let holder = std::fs::read_to_string(self.holder_path())
                        .ok()
                        .and_then(|text| serde_json::from_str(&text).ok());
                    return Err(LockError::Held(holder));
                }
                Err(std::fs::TryLockError::Error(err)) => return Err(io(err)),
            }
        }
        // The holder's description, replaced atomically so that a waiting apply never reads it
        // half written; removed when the lock is released.
        let text = serde_json::to_string(holder).expect("holders serialize");
        let staged = self.path.with_extension(format!("json.{}", std::process::id()));
        std::fs::write(&staged, text).and_then(|()| std::fs::rename(&staged, self.holder_path())).map_err(io)?;
        Ok(Box::new(FileGuard { _file: file, holder: self.holder_path() }))
    }
}

//! Where a stack's state is kept between runs, and how runs on several machines share it.
//!
//! The clouds stay the only truth about resources (there is no state file of resources); what is
//! kept here is the coordination around them: who may apply a stack now (a lease), the calls a
//! run has in flight (the journal), where the stack has resources and its sealed secrets
//! (documents), and the history of runs.
//!
//! Two backends, one trait ([`StackState`]):
//! - [`Folder`]: the default, `.isopod/` beside the configuration (or `ISOPOD_STATE_DIR`): an OS
//!   file lock, a journal file, JSON files. It protects only processes that share the folder.
//! - [`Postgres`]: a PostgreSQL database named by `ISOPOD_STATE=postgres://...` or `--state`,
//!   shared by any number of machines. The lock is a lease with a fencing token that expires
//!   unless renewed; every journal entry is written only while the run's token still holds the
//!   lease, so a run that lost it (its machine paused past the lease, its connection cut) is
//!   refused before its next call ([`isopod_apply::Fenced`]). Schema migrations are versioned
//!   and applied on connection.
//!
//! Secrets stay sealed by the key, which never leaves the machine that holds it: the backends
//! store the sealed store as it is.

mod folder;
mod postgres;

pub use folder::Folder;
pub use postgres::{DEFAULT_LEASE, Lease, Postgres};

use isopod_apply::journal::Entry;
use isopod_apply::lock::LockGuard;
use isopod_apply::{Call, Holder, Journal, LockError};
use isopod_catalog::ResourceId;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The environment variable naming a shared state backend (`postgres://...`).
pub const STATE_ENV: &str = "ISOPOD_STATE";

/// Where the state is: a folder, or a PostgreSQL database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A state folder.
    Folder(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl Location {
    /// The location `text` names: a PostgreSQL URL, else a folder.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::Folder(PathBuf::from(text))
        }
    }

    /// The location as it can be shown: a URL without its password.
    pub fn redacted(&self) -> String {
        match self {
            Location::Folder(path) => path.display().to_string(),
            Location::Postgres(url) => redact(url),
        }
    }
}

/// `url` with the password of its user part, if any, replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, path) = rest.split_once('/').map_or((rest, None), |(a, p)| (a, Some(p)));
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => format!("{user}@{host}"),
        },
        None => authority.to_string(),
    };
    match path {
        Some(path) => format!("{scheme}://{authority}/{path}"),
        None => format!("{scheme}://{authority}"),
    }
}

/// Why the state could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The folder could not be used.
    #[error("cannot use the state folder {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database could not be reached or refused a statement.
    #[error("the state database {location}: {message}")]
    Database {
        /// The database, without its password.
        location: String,
        /// What went wrong.
        message: String,
    },
}

/// One run of a command on a stack, as the history keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The command (`apply`, `destroy`).
    pub command: String,
    /// The revision of the configuration, when a watcher runs it.
    pub revision: Option<String>,
    /// When it started and ended, in seconds since the Unix epoch.
    pub started: f64,
    /// When it ended.
    pub finished: f64,
    /// Whether every change was made.
    pub succeeded: bool,
    /// What it did: counts of changes, failures and timings, as the executor summed them.
    pub summary: serde_json::Value,
}

/// A run's journal, closed when the run ends.
pub trait RunJournal: Journal {
    /// Ends the run: the journal is removed when nothing is left in flight, and kept (with the
    /// creations whose outcome is unknown) otherwise.
    fn close(&self) -> Result<(), StateError>;
}

/// The documents a stack keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    /// The sealed secret store.
    Secrets,
    /// The scopes where the stack has resources.
    Scopes,
}

impl Document {
    /// Its name (and, in a folder, its file's name).
    pub fn file_name(self) -> &'static str {
        match self {
            Document::Secrets => "secrets.json",
            Document::Scopes => "scopes.json",
        }
    }
}

/// What a stack's state offers, whatever keeps it.
pub trait StackState: Send + Sync {
    /// Takes the stack's lock for `holder`, waiting up to `timeout` while another holds it.
    fn acquire(&self, stack: &str, holder: &Holder, timeout: Duration) -> Result<Box<dyn StackLease>, LockError>;
    /// The calls a previous run left in flight.
    fn unfinished(&self, stack: &str) -> Result<Vec<(ResourceId, Call)>, StateError>;
    /// Forgets the previous run's journal: nothing is in flight.
    fn clear_journal(&self, stack: &str, lease: &dyn StackLease) -> Result<(), StateError>;
    /// Starts the journal of a run holding `lease`, keeping open the calls of `carried`.
    fn start_journal(
        &self,
        stack: &str,
        lease: &dyn StackLease,
        carried: &[(ResourceId, Call)],
    ) -> Result<Arc<dyn RunJournal>, StateError>;
    /// A document, if it was written.
    fn read(&self, stack: &str, document: Document) -> Result<Option<String>, StateError>;
    /// Writes a document.
    fn write(&self, stack: &str, document: Document, text: &str) -> Result<(), StateError>;
    /// Adds a run to the history.
    fn record_run(&self, stack: &str, run: &Run) -> Result<(), StateError>;
    /// The last `limit` runs, newest first.
    fn runs(&self, stack: &str, limit: usize) -> Result<Vec<Run>, StateError>;
}

/// A held lock; dropping it releases it.
pub trait StackLease: LockGuard {
    /// Its fencing token: larger for every later holder of the stack's lock.
    fn token(&self) -> u64;
}

/// The state at `location`; for PostgreSQL, connected and migrated, with leases of `lease`.
pub fn open(location: &Location, lease: Duration) -> Result<Arc<dyn StackState>, StateError> {
    Ok(match location {
        Location::Folder(path) => Arc::new(Folder::new(path.clone())),
        Location::Postgres(url) => Arc::new(Postgres::connect(url, lease)?),
    })
}

/// The entries of a journal's text, one JSON object per line; a line cut by a crash is skipped.
fn entries(lines: impl IntoIterator<Item = String>) -> Vec<Entry> {
    lines.into_iter().filter_map(|line| serde_json::from_str(&line).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_urls_or_folders_and_passwords_are_never_shown() {
        assert_eq!(Location::parse("/var/lib/isopod"), Location::Folder("/var/lib/isopod".into()));
        let url = "postgresql://isopod:s3cret@db.internal:5432/isopod?sslmode=require";
        assert_eq!(Location::parse(url), Location::Postgres(url.into()));
        assert_eq!(Location::parse(url).redacted(), "postgresql://isopod:***@db.internal:5432/isopod?sslmode=require");
        assert_eq!(redact("postgres://isopod@127.0.0.1:5432/postgres"), "postgres://isopod@127.0.0.1:5432/postgres");
        assert_eq!(redact("postgres://127.0.0.1"), "postgres://127.0.0.1");
    }
}

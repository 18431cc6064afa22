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
mod watchers;

pub use folder::Folder;
pub use postgres::{DEFAULT_LEASE, Lease, Postgres};
pub use watchers::{Alone, Claim, Heartbeat, Watchers};

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
    /// The location `text` names: a PostgreSQL URL (`postgres://` or `postgresql://`), or a
    /// folder (a path, or `file:PATH`). Anything else with a scheme, or libpq's `key=value`
    /// form, is refused rather than taken for a folder by mistake.
    pub fn parse(text: &str) -> Result<Location, String> {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Location::Postgres(text.to_string()));
        }
        if let Some(path) = text.strip_prefix("file:") {
            return Ok(Location::Folder(PathBuf::from(path.trim_start_matches("//"))));
        }
        if text.contains("://") || text.split_whitespace().any(|word| word.contains('=')) {
            return Err(format!(
                "`{}` is neither a PostgreSQL URL (postgres://USER@HOST/DB) nor a folder",
                if text.contains("://") { text.split("://").next().unwrap_or_default() } else { "key=value" }
            ));
        }
        Ok(Location::Folder(PathBuf::from(text)))
    }

    /// The location as it can be shown: a URL without its password.
    pub fn redacted(&self) -> String {
        match self {
            Location::Folder(path) => path.display().to_string(),
            Location::Postgres(url) => redact(url),
        }
    }
}

/// `url` as it can be shown: rebuilt from what the driver reads in it (user, hosts, ports,
/// database), so that a password, in the user part or as a `password=` parameter, is never
/// shown (`***` says there is one).
pub fn redact(url: &str) -> String {
    let Ok(config) = url.parse::<::postgres::Config>() else {
        return "a PostgreSQL URL that does not parse".to_string();
    };
    let user = config.get_user().unwrap_or_default();
    let password = if config.get_password().is_some() { ":***" } else { "" };
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(n, host)| {
            let name = match host {
                ::postgres::config::Host::Tcp(name) => name.clone(),
                ::postgres::config::Host::Unix(path) => path.display().to_string(),
            };
            match ports.get(n).or(ports.first()) {
                Some(port) => format!("{name}:{port}"),
                None => name,
            }
        })
        .collect();
    let at = if user.is_empty() && password.is_empty() { String::new() } else { format!("{user}{password}@") };
    format!("postgres://{at}{}/{}", hosts.join(","), config.get_dbname().unwrap_or_default())
}

/// Why the state could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// `--state` or `ISOPOD_STATE` names no state Isopod knows.
    #[error("--state or {STATE_ENV}: {0}")]
    Location(String),
    /// The folder could not be used.
    #[error("cannot use the state folder {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Another run wrote the document since it was read: nothing was written.
    #[error("{document} of stack `{stack}` was changed by another run since it was read; nothing was written")]
    Conflict {
        /// The stack.
        stack: String,
        /// The document's name.
        document: &'static str,
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
    /// The last plan a watcher made (`isopod plan --json`).
    Plan,
    /// The topology map of that plan, with what is live and the tunnels' states.
    Map,
    /// What the watcher following the stack last did (revisions, plans, applies, drift).
    Status,
}

impl Document {
    /// Its name (and, in a folder, its file's name).
    pub fn file_name(self) -> &'static str {
        match self {
            Document::Secrets => "secrets.json",
            Document::Scopes => "scopes.json",
            Document::Plan => "plan.json",
            Document::Map => "map.json",
            Document::Status => "status.json",
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
    /// A document, if it was written, with the version it was read at.
    fn read(&self, stack: &str, document: Document) -> Result<Option<Versioned>, StateError>;
    /// Writes a document read at version `read_at` (`None`: it did not exist then). A shared
    /// state refuses the write with [`StateError::Conflict`] when another run wrote it since; a
    /// folder (one machine) writes it whatever happened.
    fn write(&self, stack: &str, document: Document, text: &str, read_at: Option<u64>) -> Result<u64, StateError>;
    /// Writes a document whatever was written since: for a document one writer keeps (the
    /// reports of the watcher following the stack), where the last word is the right one.
    fn replace(&self, stack: &str, document: Document, text: &str) -> Result<(), StateError> {
        let mut tries = 0;
        loop {
            let read_at = self.read(stack, document)?.map(|read| read.version);
            match self.write(stack, document, text, read_at) {
                Err(StateError::Conflict { .. }) if tries < 3 => tries += 1,
                written => return written.map(drop),
            }
        }
    }

    /// Adds a run to the history.
    fn record_run(&self, stack: &str, run: &Run) -> Result<(), StateError>;
    /// The last `limit` runs, newest first.
    fn runs(&self, stack: &str, limit: usize) -> Result<Vec<Run>, StateError>;
}

/// A document's text and the version it was read at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versioned {
    /// The text.
    pub text: String,
    /// The version: larger after every write.
    pub version: u64,
}

/// A held lock; dropping it releases it.
pub trait StackLease: LockGuard {
    /// Its fencing token: larger for every later holder of the stack's lock.
    fn token(&self) -> u64;
    /// Whether the lock is known lost (a lease that could not be renewed, or was taken).
    fn is_lost(&self) -> bool;
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
        assert_eq!(Location::parse("/var/lib/isopod"), Ok(Location::Folder("/var/lib/isopod".into())));
        assert_eq!(Location::parse("file:///var/lib/isopod"), Ok(Location::Folder("/var/lib/isopod".into())));
        let url = "postgresql://isopod:s3cret@db.internal:5432/isopod?sslmode=require";
        assert_eq!(Location::parse(url), Ok(Location::Postgres(url.into())));
        assert_eq!(Location::parse(url).unwrap().redacted(), "postgres://isopod:***@db.internal:5432/isopod");
        assert!(Location::parse("Postgres://db/isopod").is_ok(), "schemes are case-insensitive");
        assert!(Location::parse("mysql://db/isopod").is_err());
        assert!(Location::parse("host=db user=isopod").is_err());
        assert_eq!(redact("postgres://isopod@127.0.0.1:5432/postgres"), "postgres://isopod@127.0.0.1:5432/postgres");
        // A `/` in the password, and a password given as a parameter.
        for url in ["postgres://u:pa/ss@h/db", "postgres://u@h/db?password=hunter2"] {
            let shown = redact(url);
            assert!(!shown.contains("ss@") && !shown.contains("hunter2"), "{shown}");
            assert!(shown.starts_with("postgres://u:***@h"), "{shown}");
        }
    }
}

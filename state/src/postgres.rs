//! The PostgreSQL backend: the state of any number of stacks in one database, shared by the
//! machines that run Isopod.
//!
//! - **Leases.** One row per stack in `leases`: the holder, a fencing token drawn from the
//!   sequence `fencing_tokens` (so every later holder has a larger one), and an expiry. A lease
//!   is taken only when there is none or it has expired (a watcher's claim, also by its own
//!   holder again: see `watchers.rs`), renewed by a thread of its own every
//!   third of its length, and deleted when released. A holder that dies stops renewing; another
//!   takes the stack once the lease expires.
//! - **Fencing.** Every journal entry is inserted by a statement that checks, in the same
//!   statement, that the run's token still holds an unexpired lease; when it does not (or the
//!   database cannot be reached to say so), the entry is refused with [`Fenced`] and the
//!   executor makes no further call. A run paused past its lease, whose stack another machine
//!   now applies, cannot write a step.
//! - **Migrations.** `schema_migrations` records the versions applied; each connection applies
//!   the missing ones in order, in one transaction under an advisory lock, so that two machines
//!   starting together do not race.

use crate::{Document, Run, RunJournal, StackLease, StackState, StateError, Versioned, entries, redact};
use isopod_apply::journal::{Entry, open_calls};
use isopod_apply::lock::LockGuard;
use isopod_apply::{Call, Fenced, Holder, Journal, LockError, Operation};
use isopod_catalog::ResourceId;
use postgres::{Client, NoTls};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a lease lasts unless renewed.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// The schema, one migration per version, applied in order and never edited once released.
const MIGRATIONS: &[&str] = &[
    // 1: leases with fencing tokens, the journal, documents, the history of runs.
    "CREATE SEQUENCE fencing_tokens;
     CREATE TABLE leases (
         stack TEXT PRIMARY KEY,
         token BIGINT NOT NULL,
         holder TEXT NOT NULL,
         expires_at TIMESTAMPTZ NOT NULL
     );
     CREATE TABLE journal (
         seq BIGSERIAL PRIMARY KEY,
         stack TEXT NOT NULL,
         token BIGINT NOT NULL,
         entry TEXT NOT NULL
     );
     CREATE INDEX journal_by_stack ON journal (stack, seq);
     CREATE TABLE documents (
         stack TEXT NOT NULL,
         name TEXT NOT NULL,
         body TEXT NOT NULL,
         version BIGINT NOT NULL,
         updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
         PRIMARY KEY (stack, name)
     );
     CREATE TABLE runs (
         id BIGSERIAL PRIMARY KEY,
         stack TEXT NOT NULL,
         run TEXT NOT NULL,
         recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
     );
     CREATE INDEX runs_by_stack ON runs (stack, id DESC);",
];

/// The advisory lock key under which migrations run (any fixed number; "isopod" in ASCII).
const MIGRATION_LOCK: i64 = 0x6973_6f70_6f64;

/// A PostgreSQL state database; clones share one connection.
#[derive(Clone)]
pub struct Postgres {
    pub(crate) url: String,
    client: Arc<Mutex<Client>>,
    pub(crate) lease: Duration,
}

impl Postgres {
    /// Connects to `url` and applies the migrations it lacks; leases last `lease`.
    pub fn connect(url: &str, lease: Duration) -> Result<Postgres, StateError> {
        let state = Postgres { url: url.to_string(), client: Arc::new(Mutex::new(connect(url)?)), lease };
        if let Err(version) = state.db(migrate).map_err(|err| database(url, &err))? {
            return Err(StateError::Database {
                location: redact(url),
                message: format!(
                    "its schema is at version {version}, newer than this isopod knows ({}): upgrade isopod",
                    MIGRATIONS.len()
                ),
            });
        }
        Ok(state)
    }

    /// The URL it was connected with (with its password: pass it on, never show it).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<i32, StateError> {
        let row = self.db(|client| client.query_one("SELECT max(version) FROM schema_migrations", &[]));
        row.map(|row| row.get(0)).map_err(|err| self.error(&err))
    }

    /// Runs `job` on the connection, on a thread of its own: the synchronous client drives a
    /// runtime of its own, which cannot run inside the executor's (journal entries are written
    /// from its tasks). A scoped thread costs microseconds; a statement, a round trip.
    /// A connection that broke is made again first (a cut that lasts fails the statement).
    pub(crate) fn db<T: Send>(&self, job: impl FnOnce(&mut Client) -> T + Send) -> T {
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| {
                let mut client = self.client.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                if client.is_closed()
                    && let Ok(fresh) = config(&self.url).and_then(|config| config.connect(NoTls))
                {
                    *client = fresh;
                }
                job(&mut client)
            });
            worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    /// Whether `token` still holds the lease of `stack` (`FOR SHARE`: a take-over waits for
    /// this statement, and is seen by the next).
    fn holds(&self, stack: &str, token: i64) -> Result<(), Fenced> {
        let held = self.db(|client| {
            client.query_opt(
                "SELECT 1 FROM leases WHERE stack = $1 AND token = $2 AND expires_at > now() FOR SHARE",
                &[&stack, &token],
            )
        });
        match held {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(Fenced(format!("token {token} of stack `{stack}` no longer holds its lease"))),
            Err(err) => Err(Fenced(format!("the state database cannot confirm the lease: {}", self.error(&err)))),
        }
    }

    pub(crate) fn error(&self, err: &postgres::Error) -> StateError {
        database(&self.url, err)
    }

    /// Takes the lease `key` for `holder` if it is free or expired (or, with `again`, already
    /// the holder's): its new token.
    pub(crate) fn take_lease(&self, key: &str, holder: &str, again: bool) -> Result<Option<i64>, postgres::Error> {
        let row = self.db(|client| {
            client.query_opt(
                "INSERT INTO leases (stack, token, holder, expires_at)
                 VALUES ($1, nextval('fencing_tokens'), $2, now() + make_interval(secs => $3))
                 ON CONFLICT (stack) DO UPDATE
                     SET token = EXCLUDED.token, holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
                     WHERE leases.expires_at <= now() OR ($4 AND leases.holder = EXCLUDED.holder)
                 RETURNING token",
                &[&key, &holder, &self.lease.as_secs_f64(), &again],
            )
        })?;
        Ok(row.map(|row| row.get(0)))
    }

    /// Who holds the lease `key` now (unexpired), if anyone.
    pub(crate) fn holder(&self, key: &str) -> Result<Option<Holder>, StateError> {
        let row = self.db(|client| {
            client.query_opt("SELECT holder FROM leases WHERE stack = $1 AND expires_at > now()", &[&key])
        });
        let row = row.map_err(|err| self.error(&err))?;
        Ok(row.and_then(|row| serde_json::from_str(&row.get::<_, String>(0)).ok()))
    }

    /// Inserts a journal entry of `stack`, only while `token` holds its lease.
    fn append(&self, stack: &str, token: i64, entry: &Entry) -> Result<(), Fenced> {
        let text = serde_json::to_string(entry).expect("entries serialize");
        let inserted = self.db(|client| {
            client.execute(
                "INSERT INTO journal (stack, token, entry)
                 SELECT $1, $2, $3 WHERE EXISTS (
                     SELECT 1 FROM leases WHERE stack = $1 AND token = $2 AND expires_at > now() FOR SHARE)",
                &[&stack, &token, &text],
            )
        });
        match inserted {
            Ok(1) => Ok(()),
            Ok(_) => Err(Fenced(format!("token {token} of stack `{stack}` no longer holds its lease"))),
            Err(err) => Err(Fenced(format!("the state database cannot confirm the lease: {}", self.error(&err)))),
        }
    }
}

/// A holder as the `leases` table keeps it.
pub(crate) fn described(holder: &Holder) -> String {
    serde_json::to_string(holder).expect("holders serialize")
}

/// How long making a connection may take, and a statement run: well under a lease's third.
const TIMEOUT: Duration = Duration::from_secs(5);

/// The connection settings of `url`, with timeouts and keepalives, so that a database that
/// stops answering is an error, not a run that hangs past its lease.
pub(crate) fn config(url: &str) -> Result<postgres::Config, postgres::Error> {
    let mut config: postgres::Config = url.parse()?;
    config.connect_timeout(TIMEOUT).keepalives(true).keepalives_idle(Duration::from_secs(10));
    config.options(&format!("-c statement_timeout={}", TIMEOUT.as_millis()));
    Ok(config)
}

/// A connection to `url`, made on a thread of its own (see [`Postgres::db`]).
fn connect(url: &str) -> Result<Client, StateError> {
    let connected = std::thread::scope(|scope| scope.spawn(|| config(url)?.connect(NoTls)).join());
    connected.unwrap_or_else(|panic| std::panic::resume_unwind(panic)).map_err(|err| database(url, &err))
}

fn database(url: &str, err: &postgres::Error) -> StateError {
    // The driver's message, with its causes (a refused connection, a timeout); it may quote the
    // URL it was given, whose password never goes further.
    let mut message = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(inner) = cause {
        message.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    let message = message.replace(url, &redact(url));
    StateError::Database { location: redact(url), message }
}

/// Applies the migrations the database lacks, in one transaction under an advisory lock.
/// `Err(version)`: the database is at a version this binary does not know (a newer Isopod
/// migrated it), and nothing is changed.
fn migrate(client: &mut Client) -> Result<Result<(), i32>, postgres::Error> {
    let mut transaction = client.transaction()?;
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    transaction.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )?;
    let applied: i32 = transaction.query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[])?.get(0);
    if applied as usize > MIGRATIONS.len() {
        return Ok(Err(applied));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        transaction.batch_execute(migration)?;
        let version = index as i32 + 1;
        transaction.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[&version])?;
    }
    transaction.commit().map(Ok)
}

/// A lease held: renewed by a thread of its own, released when dropped.
pub struct Lease {
    stack: String,
    token: i64,
    url: String,
    /// Set once a renewal finds the lease gone (or cannot renew it before it expires).
    lost: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    renewer: Option<std::thread::JoinHandle<()>>,
}

impl Lease {
    /// Renews the lease every third of `length` on a connection of its own until stopped.
    fn renew_in_background(&mut self, length: Duration) {
        let (stack, token, url) = (self.stack.clone(), self.token, self.url.clone());
        let (lost, stop) = (self.lost.clone(), self.stop.clone());
        self.renewer = Some(std::thread::spawn(move || {
            let mut client: Option<Client> = None;
            let mut renewed = Instant::now();
            let mut failing = false;
            while !stop.load(Ordering::SeqCst) {
                let step = Duration::from_millis(50);
                let mut waited = Duration::ZERO;
                // After a failure, try again within a second rather than a third of the lease.
                let wait = if failing { (length / 3).min(Duration::from_secs(1)) } else { length / 3 };
                while waited < wait && !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(step);
                    waited += step;
                }
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                if client.is_none() {
                    client = config(&url).and_then(|config| config.connect(NoTls)).ok();
                }
                let outcome = client.as_mut().map(|client| {
                    client.execute(
                        "UPDATE leases SET expires_at = now() + make_interval(secs => $3)
                         WHERE stack = $1 AND token = $2 AND expires_at > now()",
                        &[&stack, &token, &length.as_secs_f64()],
                    )
                });
                failing = !matches!(outcome, Some(Ok(1)));
                match outcome {
                    Some(Ok(1)) => renewed = Instant::now(),
                    Some(Ok(_)) => {
                        lost.store(true, Ordering::SeqCst);
                        break;
                    }
                    // Unreachable: try again until the lease would have expired.
                    Some(Err(_)) | None => {
                        client = None;
                        if renewed.elapsed() >= length {
                            lost.store(true, Ordering::SeqCst);
                            break;
                        }
                    }
                }
            }
        }));
    }
}

impl LockGuard for Lease {}

impl StackLease for Lease {
    fn token(&self) -> u64 {
        self.token as u64
    }

    fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(renewer) = self.renewer.take() {
            let _ = renewer.join();
        }
        // On a thread of its own: the lease may be dropped inside an async runtime.
        std::thread::scope(|scope| {
            scope.spawn(|| {
                if let Ok(mut client) = config(&self.url).and_then(|config| config.connect(NoTls)) {
                    let _ = client
                        .execute("DELETE FROM leases WHERE stack = $1 AND token = $2", &[&self.stack, &self.token]);
                }
            });
        });
    }
}

/// The journal of one run: entries written under the run's token.
struct PgJournal {
    state: Postgres,
    stack: String,
    token: i64,
}

impl Journal for PgJournal {
    fn started(&self, operation: &Operation) -> Result<(), Fenced> {
        self.state.append(&self.stack, self.token, &Entry::Started { id: operation.id.clone(), call: operation.call })
    }

    fn finished(&self, operation: &Operation, provider_id: Option<&str>) -> Result<(), Fenced> {
        let provider_id = provider_id.map(str::to_string);
        let entry = Entry::Finished { id: operation.id.clone(), call: operation.call, provider_id };
        self.state.append(&self.stack, self.token, &entry)
    }

    fn failed(&self, operation: &Operation) -> Result<(), Fenced> {
        self.state.append(&self.stack, self.token, &Entry::Failed { id: operation.id.clone(), call: operation.call })
    }

    fn confirm(&self) -> Result<(), Fenced> {
        self.state.holds(&self.stack, self.token)
    }
}

impl RunJournal for PgJournal {
    fn close(&self) -> Result<(), StateError> {
        if self.state.unfinished(&self.stack)?.is_empty() {
            self.state.delete_journal(&self.stack, self.token)?;
        }
        Ok(())
    }
}

impl Postgres {
    /// Deletes the journal of `stack` while `token` holds its lease.
    fn delete_journal(&self, stack: &str, token: i64) -> Result<(), StateError> {
        self.db(|client| {
            client.execute(
                "DELETE FROM journal WHERE stack = $1 AND EXISTS (
                     SELECT 1 FROM leases WHERE stack = $1 AND token = $2 AND expires_at > now() FOR SHARE)",
                &[&stack, &token],
            )
        })
        .map(drop)
        .map_err(|err| self.error(&err))
    }
}

impl StackState for Postgres {
    fn acquire(&self, stack: &str, holder: &Holder, timeout: Duration) -> Result<Box<dyn StackLease>, LockError> {
        let described = described(holder);
        let deadline = Instant::now() + timeout;
        loop {
            let token = self.take_lease(stack, &described, false).map_err(|err| LockError::Io {
                path: redact(&self.url).into(),
                source: std::io::Error::other(self.error(&err).to_string()),
            })?;
            if let Some(token) = token {
                let mut lease = Lease {
                    stack: stack.to_string(),
                    token,
                    url: self.url.clone(),
                    lost: Arc::default(),
                    stop: Arc::default(),
                    renewer: None,
                };
                lease.renew_in_background(self.lease);
                return Ok(Box::new(lease));
            }
            if Instant::now() >= deadline {
                return Err(LockError::Held(self.holder(stack).ok().flatten()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn unfinished(&self, stack: &str) -> Result<Vec<(ResourceId, Call)>, StateError> {
        let rows = self
            .db(|client| client.query("SELECT entry FROM journal WHERE stack = $1 ORDER BY seq", &[&stack]))
            .map_err(|err| self.error(&err))?;
        Ok(open_calls(entries(rows.iter().map(|row| row.get::<_, String>(0)))))
    }

    fn clear_journal(&self, stack: &str, lease: &dyn StackLease) -> Result<(), StateError> {
        self.delete_journal(stack, lease.token() as i64)
    }

    fn start_journal(
        &self,
        stack: &str,
        lease: &dyn StackLease,
        carried: &[(ResourceId, Call)],
    ) -> Result<Arc<dyn RunJournal>, StateError> {
        let token = lease.token() as i64;
        let entries: Vec<String> = carried
            .iter()
            .map(|(id, call)| serde_json::to_string(&Entry::Started { id: id.clone(), call: *call }))
            .collect::<Result<_, _>>()
            .expect("entries serialize");
        // In one transaction: a crash never loses the calls carried over.
        let started = self.db(|client| -> Result<bool, postgres::Error> {
            let mut transaction = client.transaction()?;
            let held = transaction.query_opt(
                "SELECT 1 FROM leases WHERE stack = $1 AND token = $2 AND expires_at > now() FOR SHARE",
                &[&stack, &token],
            )?;
            if held.is_none() {
                return Ok(false);
            }
            transaction.execute("DELETE FROM journal WHERE stack = $1", &[&stack])?;
            for entry in &entries {
                transaction.execute(
                    "INSERT INTO journal (stack, token, entry) VALUES ($1, $2, $3)",
                    &[&stack, &token, entry],
                )?;
            }
            transaction.commit().map(|()| true)
        });
        match started.map_err(|err| self.error(&err))? {
            true => Ok(Arc::new(PgJournal { state: self.clone(), stack: stack.to_string(), token })),
            false => Err(StateError::Database {
                location: redact(&self.url),
                message: format!("token {token} of stack `{stack}` no longer holds its lease"),
            }),
        }
    }

    fn read(&self, stack: &str, document: Document) -> Result<Option<Versioned>, StateError> {
        let name = document.file_name();
        let row = self
            .db(|client| {
                client.query_opt("SELECT body, version FROM documents WHERE stack = $1 AND name = $2", &[&stack, &name])
            })
            .map_err(|err| self.error(&err))?;
        Ok(row.map(|row| Versioned { text: row.get(0), version: row.get::<_, i64>(1) as u64 }))
    }

    fn write(&self, stack: &str, document: Document, text: &str, read_at: Option<u64>) -> Result<u64, StateError> {
        let name = document.file_name();
        // Compare and swap: written only if no one wrote it since it was read.
        let written = self.db(|client| match read_at {
            None => client.execute(
                "INSERT INTO documents (stack, name, body, version) VALUES ($1, $2, $3, 1)
                 ON CONFLICT (stack, name) DO NOTHING",
                &[&stack, &name, &text],
            ),
            Some(version) => client.execute(
                "UPDATE documents SET body = $3, version = version + 1, updated_at = now()
                 WHERE stack = $1 AND name = $2 AND version = $4",
                &[&stack, &name, &text, &(version as i64)],
            ),
        });
        match written.map_err(|err| self.error(&err))? {
            1 => Ok(read_at.map_or(1, |version| version + 1)),
            _ => Err(StateError::Conflict { stack: stack.to_string(), document: name }),
        }
    }

    fn record_run(&self, stack: &str, run: &Run) -> Result<(), StateError> {
        let text = serde_json::to_string(run).expect("runs serialize");
        self.db(|client| client.execute("INSERT INTO runs (stack, run) VALUES ($1, $2)", &[&stack, &text]))
            .map(drop)
            .map_err(|err| self.error(&err))
    }

    fn runs(&self, stack: &str, limit: usize) -> Result<Vec<Run>, StateError> {
        let limit = limit as i64;
        let rows = self
            .db(|client| {
                client.query("SELECT run FROM runs WHERE stack = $1 ORDER BY id DESC LIMIT $2", &[&stack, &limit])
            })
            .map_err(|err| self.error(&err))?;
        Ok(rows.iter().filter_map(|row| serde_json::from_str(&row.get::<_, String>(0)).ok()).collect())
    }
}

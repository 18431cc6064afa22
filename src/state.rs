//! Where this run keeps the stack's state: `--state URL` or `ISOPOD_STATE` (a PostgreSQL
//! database that several machines share), else the state folder beside the configuration
//! (`.isopod/`, or `ISOPOD_STATE_DIR`). The command picks it once, at its start
//! ([`select`]); the stores and the apply open it through [`open`].

use crate::config;
use anyhow::{Context as _, Result};
use isopod_state::{Location, STATE_ENV, StackState};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// The `--state` of this run, once the command has read its arguments.
static SELECTED: OnceLock<Option<String>> = OnceLock::new();
/// The backend opened last, kept so that one run connects to a database once.
static OPENED: Mutex<Option<(Location, Arc<dyn StackState>)>> = Mutex::new(None);

/// Records the command's `--state`, which wins over `ISOPOD_STATE`.
pub fn select(flag: Option<&str>) {
    let _ = SELECTED.set(flag.map(str::to_string));
}

/// The state this run names (`--state`, else `ISOPOD_STATE`), as written.
pub fn named() -> Option<String> {
    SELECTED.get().cloned().flatten().or_else(|| std::env::var(STATE_ENV).ok()).filter(|text| !text.is_empty())
}

/// Where the state of the configuration at `dir` is.
pub fn location(dir: &Path) -> Result<Location> {
    match named() {
        Some(text) => Ok(Location::parse(&text).map_err(isopod_state::StateError::Location)?),
        None => Ok(Location::Folder(config::state_dir(dir))),
    }
}

/// The environment variable setting how long a lease in a shared state lasts unless renewed
/// (e.g. `30s`, the default): how soon another machine takes a stack whose holder died.
pub const LEASE_ENV: &str = "ISOPOD_STATE_LEASE";

/// The length of leases: `ISOPOD_STATE_LEASE`, else 30 s.
pub fn lease() -> Result<std::time::Duration> {
    match std::env::var(LEASE_ENV) {
        Ok(text) if !text.is_empty() => {
            crate::cli::parse_duration(&text).map_err(|err| anyhow::anyhow!("{LEASE_ENV}: {err}")).and_then(|lease| {
                anyhow::ensure!(lease >= std::time::Duration::from_secs(1), "{LEASE_ENV} must be at least 1s");
                Ok(lease)
            })
        }
        _ => Ok(isopod_state::DEFAULT_LEASE),
    }
}

/// Whether the state is shared (a database), so that documents are kept by the stack's name.
pub fn is_shared(dir: &Path) -> Result<bool> {
    Ok(matches!(location(dir)?, Location::Postgres(_)))
}

/// The state of the configuration at `dir`, connected (and migrated) on first use.
pub fn open(dir: &Path) -> Result<Arc<dyn StackState>> {
    let location = location(dir)?;
    let mut opened = OPENED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((at, state)) = opened.as_ref()
        && *at == location
    {
        return Ok(state.clone());
    }
    let state = isopod_state::open(&location, lease()?)
        .with_context(|| format!("cannot use the state {}", location.redacted()))?;
    *opened = Some((location, state.clone()));
    Ok(state)
}

//! Where a stack has resources: the cloud blocks and regions in which `plan` found resources the
//! stack owns, recorded beside the configuration (`.isopod/scopes.json`). `plan` looks there as
//! well as in the regions the configuration names, so that resources left in a region the
//! configuration no longer uses are found and deleted. It is a record of where to look, not of
//! what exists: losing it loses nothing but that reach.

use crate::config;
use anyhow::{Context as _, Result};
use isopod_catalog::{ObservedResource, Scope};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The file's name in the state folder.
const FILE: &str = "scopes.json";

/// The recorded scopes of one configuration.
pub struct ScopeRecord {
    path: PathBuf,
    scopes: BTreeSet<Scope>,
}

impl ScopeRecord {
    /// The record of the configuration at `dir`; empty when there is none. A damaged record is
    /// reported and treated as empty, since it only widens where `plan` looks.
    pub fn open(dir: &Path) -> ScopeRecord {
        let path = config::state_dir(dir).join(FILE);
        let scopes = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|err| {
                eprintln!("warning: ignoring {}: {err}", path.display());
                BTreeSet::new()
            }),
            Err(_) => BTreeSet::new(),
        };
        ScopeRecord { path, scopes }
    }

    /// The recorded scopes.
    pub fn scopes(&self) -> &BTreeSet<Scope> {
        &self.scopes
    }

    /// Adds `scopes` (where an apply just made changes) to the record.
    pub fn remember(&mut self, scopes: impl IntoIterator<Item = Scope>) -> Result<()> {
        let before = self.scopes.len();
        self.scopes.extend(scopes);
        if self.scopes.len() == before {
            return Ok(());
        }
        self.save()
    }

    fn save(&self) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        config::write_atomically(&self.path, &serde_json::to_string_pretty(&self.scopes)?)
    }

    /// Records where `stack` now has resources, keeping the scopes that could not be looked at
    /// (`unreachable`: their cloud block is gone); writes the file when that changes.
    pub fn update(&mut self, stack: &str, observed: &[ObservedResource], unreachable: &BTreeSet<Scope>) -> Result<()> {
        let mut scopes: BTreeSet<Scope> =
            observed.iter().filter(|r| r.owned_by(stack).is_some()).map(|r| r.scope.clone()).collect();
        scopes.extend(unreachable.iter().cloned());
        if scopes == self.scopes {
            return Ok(());
        }
        self.scopes = scopes;
        self.save()
    }
}

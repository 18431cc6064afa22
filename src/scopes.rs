//! Where a stack has resources: the cloud blocks and regions in which `plan` found resources the
//! stack owns, recorded in its state (`.isopod/scopes.json` beside the configuration, or the
//! stack's document in a shared state). `plan` looks there as
//! well as in the regions the configuration names, so that resources left in a region the
//! configuration no longer uses are found and deleted. It is a record of where to look, not of
//! what exists: losing it loses nothing but that reach.

use anyhow::Result;
use isopod_catalog::{ObservedResource, Scope};
use isopod_state::{Document, StackState};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// The recorded scopes of one stack.
pub struct ScopeRecord {
    state: Arc<dyn StackState>,
    stack: String,
    scopes: BTreeSet<Scope>,
}

impl ScopeRecord {
    /// The record of stack `stack`, configured at `dir`; empty when there is none. A damaged
    /// record is reported and treated as empty, since it only widens where `plan` looks.
    pub fn open(dir: &Path, stack: &str) -> Result<ScopeRecord> {
        let state = crate::state::open(dir)?;
        let scopes = match state.read(stack, Document::Scopes)? {
            Some(text) => serde_json::from_str(&text).unwrap_or_else(|err| {
                eprintln!("warning: ignoring the record of where stack `{stack}` has resources: {err}");
                BTreeSet::new()
            }),
            None => BTreeSet::new(),
        };
        Ok(ScopeRecord { state, stack: stack.to_string(), scopes })
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
        Ok(self.state.write(&self.stack, Document::Scopes, &serde_json::to_string_pretty(&self.scopes)?)?)
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

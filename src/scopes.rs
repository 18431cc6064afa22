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
    /// The version read, so that a write never undoes another run's.
    version: Option<u64>,
}

impl ScopeRecord {
    /// The record of stack `stack`, configured at `dir`; empty when there is none. A damaged
    /// record is reported and treated as empty, since it only widens where `plan` looks.
    pub fn open(dir: &Path, stack: &str) -> Result<ScopeRecord> {
        let state = crate::state::open(dir)?;
        let mut record = ScopeRecord { state, stack: stack.to_string(), scopes: BTreeSet::new(), version: None };
        record.reload()?;
        Ok(record)
    }

    /// Reads the record again.
    fn reload(&mut self) -> Result<()> {
        let read = self.state.read(&self.stack, Document::Scopes)?;
        self.version = read.as_ref().map(|read| read.version);
        self.scopes = match read {
            Some(read) => serde_json::from_str(&read.text).unwrap_or_else(|err| {
                eprintln!("warning: ignoring the record of where stack `{}` has resources: {err}", self.stack);
                BTreeSet::new()
            }),
            None => BTreeSet::new(),
        };
        Ok(())
    }

    /// The recorded scopes.
    pub fn scopes(&self) -> &BTreeSet<Scope> {
        &self.scopes
    }

    /// Adds `scopes` (where an apply is about to make changes) to the record; when another run
    /// wrote it meanwhile, its scopes are read again and these added to them.
    pub fn remember(&mut self, scopes: impl IntoIterator<Item = Scope>) -> Result<()> {
        let added: Vec<Scope> = scopes.into_iter().collect();
        for _ in 0..5 {
            let before = self.scopes.len();
            self.scopes.extend(added.iter().cloned());
            if self.scopes.len() == before {
                return Ok(());
            }
            match self.save() {
                Err(err) if is_conflict(&err) => self.reload()?,
                done => return done,
            }
        }
        anyhow::bail!("the record of where stack `{}` has resources keeps changing under this run", self.stack)
    }

    fn save(&mut self) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.scopes)?;
        self.version = Some(self.state.write(&self.stack, Document::Scopes, &text, self.version)?);
        Ok(())
    }

    /// Records where `stack` now has resources, keeping the scopes that could not be looked at
    /// (`unreachable`: their cloud block is gone); writes the record when that changes. When
    /// another run wrote it since it was read (an apply adding a region), the record is left
    /// as that run wrote it: the next plan narrows it.
    pub fn update(&mut self, stack: &str, observed: &[ObservedResource], unreachable: &BTreeSet<Scope>) -> Result<()> {
        let mut scopes: BTreeSet<Scope> =
            observed.iter().filter(|r| r.owned_by(stack).is_some()).map(|r| r.scope.clone()).collect();
        scopes.extend(unreachable.iter().cloned());
        if scopes == self.scopes {
            return Ok(());
        }
        self.scopes = scopes;
        match self.save() {
            Err(err) if is_conflict(&err) => self.reload(),
            done => done,
        }
    }
}

/// Whether `err` is a write refused because another run wrote the document first.
fn is_conflict(err: &anyhow::Error) -> bool {
    matches!(err.downcast_ref::<isopod_state::StateError>(), Some(isopod_state::StateError::Conflict { .. }))
}

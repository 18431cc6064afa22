//! The plan: the changes of a diff in the order the executor carries them out ([`crate::order`]).

use crate::diff::{Action, Change, Changes};
use crate::lower::Desired;
use crate::order::Operations;
use isopod_catalog::{ObservedResource, ResourceId};
use serde::{Deserialize, Serialize};

/// An ordered change set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The stack the plan is for.
    pub stack: String,
    /// Every change, no-ops included, in an order that respects dependencies: creations and
    /// updates after what they depend on, deletions before what they depended on.
    pub changes: Vec<Change>,
}

/// A dependency cycle between desired resources: the full path, first resource repeated last.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("dependency cycle: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" -> "))]
pub struct Cycle(pub Vec<ResourceId>);

impl Plan {
    /// Orders `changes` (of `desired` against `observed`) as the executor will carry them out:
    /// see [`Operations::sequence`].
    pub fn new(desired: &Desired, changes: impl Into<Changes>, observed: &[ObservedResource]) -> Result<Plan, Cycle> {
        let Changes { list: changes, dependencies } = changes.into();
        let order =
            Operations::new(&changes, desired, observed).sequence(&changes, desired, dependencies.as_deref())?;
        let mut changes: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
        let changes = order.into_iter().map(|idx| changes[idx].take().expect("each change is listed once")).collect();
        Ok(Plan { stack: desired.stack.clone(), changes })
    }

    /// True when the plan deletes resources and keeps or creates none: what an empty folder or
    /// a wrong path would do, and what applying must refuse without an explicit flag.
    pub fn deletes_everything(&self) -> bool {
        self.changes.iter().any(|change| change.action == Action::Delete)
            && self.changes.iter().all(|change| change.action == Action::Delete)
    }

    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.changes.iter().all(|change| change.action == Action::NoOp)
    }

    /// How many changes of each action the plan holds.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for change in &self.changes {
            match change.action {
                Action::NoOp => {}
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::DeleteThenCreate => summary.replace += 1,
                Action::Delete => summary.delete += 1,
            }
        }
        summary
    }
}

/// Counts of a plan's changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Resources to create.
    pub create: usize,
    /// Resources to change in place.
    pub update: usize,
    /// Resources to replace.
    pub replace: usize,
    /// Resources to delete.
    pub delete: usize,
}

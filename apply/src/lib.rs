//! Applying a plan: the [`Operations`] (provider calls, from the planner's one ordering) that
//! carry out its changes, the [`executor`] that runs them in parallel, idempotently and safely after a crash, the
//! [`Journal`] of calls in flight (a file, or a shared backend's, which also fences a run that lost its lease), and the [`FileLock`] that keeps two applies of a state folder apart.
//!
//! Safety rests on the clouds, not on local state: every created resource carries its ownership
//! from its create call, so a rerun plans again from what is live and converges; the journal
//! only says which creations may have happened without a reply, so that they are looked for
//! before being tried again.

pub mod executor;
mod gate;
pub mod journal;
pub mod lock;
mod priority;

pub use executor::{Context, Event, Settings, Summary, execute};
pub use isopod_planner::order::{Bounds, Call, Operation, Operations};
pub use journal::{Fenced, FileJournal, Journal};
pub use lock::{FileLock, Holder, LockError};

//! What `isopod watch` is made of: the stacks it follows ([`fleet`]), each one's repository
//! ([`git`]) and follower ([`follow`]), the sharing of stacks between watchers ([`share`]), the
//! HTTP server ([`server`]: webhook, health, metrics, the [`api`] and the web [`view`]), and
//! the figures it reports ([`metrics`]). The command itself is `commands/watch.rs`.

pub mod api;
pub mod fleet;
pub mod follow;
pub mod git;
pub mod metrics;
pub mod server;
pub mod share;
pub mod view;

use isopod_state::StackState;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, OnceLock};

/// A stack the watcher knows, shared by its follower, the sharing and the server.
pub struct Followed {
    /// How it is followed.
    pub spec: fleet::StackSpec,
    /// Its name: from the fleet, or read from its configuration.
    pub name: OnceLock<String>,
    /// What its follower did last, on this watcher.
    pub status: Mutex<metrics::StackStatus>,
    /// Where its state is: the shared database, or its own state folder.
    pub state: Arc<dyn StackState>,
    /// The shared database's URL, passed to its plans and applies (`None`: its state folder).
    pub shared_state: Option<String>,
    /// Whether it is planned and applied against the simulator.
    pub simulate: bool,
    /// Tells its follower to act now.
    pub trigger: Sender<Trigger>,
    /// When its follower last went round its loop (seconds since the epoch; 0: not yet).
    pub tick: std::sync::atomic::AtomicU64,
}

/// What a follower is told to do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Fetch (a push arrived): a new revision is planned.
    Fetch,
    /// Fetch, and plan the revision in force even if it is not new (and apply it by the policy).
    Reconcile,
}

impl Trigger {
    /// The message other watchers are told: `fetch NAME` or `reconcile NAME`.
    pub fn announcement(self, stack: &str) -> String {
        match self {
            Trigger::Fetch => format!("fetch {stack}"),
            Trigger::Reconcile => format!("reconcile {stack}"),
        }
    }

    /// What an announcement asks, of which stack.
    pub fn announced(message: &str) -> Option<(Trigger, &str)> {
        match message.split_once(' ')? {
            ("fetch", stack) => Some((Trigger::Fetch, stack)),
            ("reconcile", stack) => Some((Trigger::Reconcile, stack)),
            _ => None,
        }
    }
}

impl Followed {
    /// Records that the follower went round its loop.
    pub fn ticked(&self) {
        self.tick.store(metrics::now() as u64, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether the follower went round its loop within `stale` (not stuck in a round).
    pub fn alive(&self, stale: std::time::Duration) -> bool {
        let tick = self.tick.load(std::sync::atomic::Ordering::Relaxed);
        tick > 0 && metrics::now() - tick as f64 <= stale.as_secs_f64()
    }

    /// Its status as the stack's state keeps it (written by whichever watcher follows it), or,
    /// before any was written, what this watcher knows.
    pub fn kept_status(&self) -> metrics::StackStatus {
        let local = self.status.lock().expect("status lock").clone();
        let Some(name) = self.name.get() else { return local };
        match self.state.read(name, isopod_state::Document::Status) {
            Ok(Some(kept)) => serde_json::from_str(&kept.text).unwrap_or(local),
            _ => local,
        }
    }

    /// A document of the stack, as its state keeps it (`None`: not written yet).
    pub fn document(&self, document: isopod_state::Document) -> Result<Option<String>, isopod_state::StateError> {
        let Some(name) = self.name.get() else { return Ok(None) };
        Ok(self.state.read(name, document)?.map(|kept| kept.text))
    }
}

#[cfg(test)]
mod tests {
    use super::Trigger;

    #[test]
    fn announcements_say_what_to_do_with_which_stack() {
        for trigger in [Trigger::Fetch, Trigger::Reconcile] {
            assert_eq!(Trigger::announced(&trigger.announcement("core")), Some((trigger, "core")));
        }
        assert_eq!(Trigger::announced("core"), None);
        assert_eq!(Trigger::announced("delete core"), None);
    }
}

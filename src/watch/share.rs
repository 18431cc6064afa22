//! Sharing stacks with the other watchers of one state: a watcher follows a stack only while it
//! holds the stack's claim ([`isopod_state::Watchers`]). A heartbeat every third of the lease
//! renews the claims and counts the watchers alive; each takes its share (the stacks divided by
//! the watchers, rounded up), preferring the stacks that rank it highest (rendezvous hashing, so
//! that watchers prefer different stacks and a stack's follower rarely changes), and gives back,
//! between rounds, what it holds beyond its share once another watcher joins. A watcher that
//! dies stops renewing: its stacks are free once their claims expire, and the others take them.

use isopod_apply::Holder;
use isopod_state::{Claim, Watchers};
use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// This watcher's part of the sharing.
pub struct Share {
    watchers: Arc<dyn Watchers>,
    me: Holder,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The stacks this watcher holds the claim of.
    followed: BTreeSet<String>,
    /// Those of them in the middle of a round (never given back then).
    busy: BTreeSet<String>,
}

impl Share {
    /// The sharing of `me` through `watchers`.
    pub fn new(watchers: Arc<dyn Watchers>, me: Holder) -> Share {
        Share { watchers, me, inner: Mutex::default() }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("share lock")
    }

    /// This watcher, as the others see it.
    pub fn me(&self) -> &Holder {
        &self.me
    }

    /// Whether this watcher follows `stack` now.
    pub fn follows(&self, stack: &str) -> bool {
        self.inner().followed.contains(stack)
    }

    /// Who follows `stack` now, as `process PID on HOST`: this watcher, or the holder of its
    /// claim (`None`: nobody, or nobody known).
    pub fn follower(&self, stack: &str) -> Option<String> {
        let holder = if self.follows(stack) { Some(self.me.clone()) } else { self.watchers.follower(stack).ok()? };
        holder.map(|holder| describe(&holder))
    }

    /// Starts a round of `stack` if this watcher follows it: it is not given back until
    /// [`Share::end`].
    pub fn begin(&self, stack: &str) -> bool {
        let mut inner = self.inner();
        inner.followed.contains(stack) && inner.busy.insert(stack.to_string())
    }

    /// Ends the round of `stack`.
    pub fn end(&self, stack: &str) {
        self.inner().busy.remove(stack);
    }

    /// Tells the other watchers `message`.
    pub fn announce(&self, message: &str) {
        if let Err(err) = self.watchers.announce(message) {
            tracing::warn!(message, error = %err, "cannot tell the other watchers");
        }
    }

    /// Heartbeats and takes or gives back stacks every `period`, until `stop`; then gives every
    /// stack back for the others to take at once. `stacks` tells the names known now.
    pub fn run(&self, stacks: impl Fn() -> Vec<String>, period: Duration, stop: &AtomicBool) {
        // A first heartbeat makes this watcher known; waiting a little lets watchers started
        // together see each other before any takes its share.
        self.round(&[], false);
        sleep_unless(period.min(Duration::from_secs(2)), stop);
        while !stop.load(Ordering::Relaxed) {
            self.round(&stacks(), true);
            sleep_unless(period, stop);
        }
        if let Err(err) = self.watchers.leave(&self.me) {
            tracing::warn!(error = %err, "cannot give the stacks back; the others take them when the claims expire");
        }
    }

    /// One heartbeat; with `take`, claims up to this watcher's share of `stacks` and gives back
    /// what is beyond it.
    fn round(&self, stacks: &[String], take: bool) {
        let held: Vec<String> = self.inner().followed.iter().cloned().collect();
        let beat = match self.watchers.heartbeat(&self.me, &held) {
            Ok(beat) => beat,
            Err(err) => {
                // The claims expire unless renewed: the others take the stacks then.
                tracing::error!(error = %err, "heartbeat failed");
                return;
            }
        };
        let renewed: BTreeSet<String> = beat.followed.into_iter().collect();
        {
            let mut inner = self.inner();
            for lost in inner.followed.difference(&renewed) {
                tracing::warn!(stack = %lost, "the claim on the stack was lost: another watcher may follow it now");
            }
            inner.followed = renewed;
        }
        if !take || stacks.is_empty() {
            return;
        }
        let share = stacks.len().div_ceil(beat.watchers.max(1));
        let mut ranked: Vec<&String> = stacks.iter().collect();
        ranked.sort_by_key(|stack| std::cmp::Reverse(self.rank(stack)));
        for stack in &ranked {
            if self.inner().followed.len() >= share {
                break;
            }
            if self.follows(stack) {
                continue;
            }
            match self.watchers.claim(stack, &self.me) {
                Ok(Claim::Taken) => {
                    tracing::info!(stack = %stack, "following the stack");
                    self.inner().followed.insert(stack.to_string());
                }
                Ok(Claim::HeldBy(_)) => {}
                Err(err) => tracing::error!(stack = %stack, error = %err, "cannot claim the stack"),
            }
        }
        // Beyond the share (a watcher joined): give back the least preferred, between rounds.
        for stack in ranked.iter().rev() {
            let mut inner = self.inner();
            if inner.followed.len() <= share {
                break;
            }
            if !inner.followed.contains(stack.as_str()) || inner.busy.contains(stack.as_str()) {
                continue;
            }
            inner.followed.remove(stack.as_str());
            drop(inner);
            tracing::info!(stack = %stack, "handing the stack over: another watcher joined");
            if let Err(err) = self.watchers.release(stack, &self.me) {
                tracing::warn!(stack = %stack, error = %err, "cannot give the stack back; it is free once its claim expires");
            }
        }
    }

    /// How much `stack` prefers this watcher.
    fn rank(&self, stack: &str) -> u64 {
        let mut hasher = DefaultHasher::new();
        (&self.me.host, self.me.pid, self.me.since, stack).hash(&mut hasher);
        hasher.finish()
    }
}

/// A watcher as people read it: `process PID on HOST`.
pub fn describe(watcher: &Holder) -> String {
    format!("process {} on {}", watcher.pid, watcher.host)
}

fn sleep_unless(wait: Duration, stop: &AtomicBool) {
    let step = Duration::from_millis(100);
    let mut waited = Duration::ZERO;
    while waited < wait && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(step.min(wait - waited));
        waited += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use isopod_state::{Alone, Heartbeat, StateError};

    /// Watchers sharing one table of claims, in memory.
    #[derive(Default)]
    struct Table {
        claims: Mutex<std::collections::BTreeMap<String, u32>>,
        members: Mutex<BTreeSet<u32>>,
    }

    impl Watchers for Table {
        fn claim(&self, stack: &str, watcher: &Holder) -> Result<Claim, StateError> {
            let mut claims = self.claims.lock().unwrap();
            let holder = *claims.entry(stack.to_string()).or_insert(watcher.pid);
            Ok(if holder == watcher.pid { Claim::Taken } else { Claim::HeldBy(None) })
        }
        fn heartbeat(&self, watcher: &Holder, _: &[String]) -> Result<Heartbeat, StateError> {
            self.members.lock().unwrap().insert(watcher.pid);
            let claims = self.claims.lock().unwrap();
            let followed = claims.iter().filter(|(_, pid)| **pid == watcher.pid).map(|(s, _)| s.clone()).collect();
            Ok(Heartbeat { followed, watchers: self.members.lock().unwrap().len() })
        }
        fn follower(&self, stack: &str) -> Result<Option<Holder>, StateError> {
            let pid = self.claims.lock().unwrap().get(stack).copied();
            Ok(pid.map(|pid| Holder { pid, host: "h".into(), command: "isopod watch".into(), since: 0 }))
        }
        fn release(&self, stack: &str, watcher: &Holder) -> Result<(), StateError> {
            self.claims.lock().unwrap().retain(|s, pid| !(s == stack && *pid == watcher.pid));
            Ok(())
        }
        fn leave(&self, watcher: &Holder) -> Result<(), StateError> {
            self.claims.lock().unwrap().retain(|_, pid| *pid != watcher.pid);
            self.members.lock().unwrap().remove(&watcher.pid);
            Ok(())
        }
        fn announce(&self, _: &str) -> Result<(), StateError> {
            Ok(())
        }
        fn announcements(&self) -> Option<std::sync::mpsc::Receiver<String>> {
            None
        }
    }

    fn watcher(table: &Arc<Table>, pid: u32) -> Share {
        Share::new(table.clone(), Holder { pid, host: "h".into(), command: "isopod watch".into(), since: 0 })
    }

    #[test]
    fn watchers_take_their_share_give_back_the_excess_and_never_share_a_stack() {
        let stacks: Vec<String> = (0..20).map(|n| format!("s{n:02}")).collect();
        let table = Arc::new(Table::default());
        let (a, b, c) = (watcher(&table, 1), watcher(&table, 2), watcher(&table, 3));
        // Alone, `a` takes everything.
        a.round(&stacks, true);
        assert_eq!(a.inner().followed.len(), 20);
        // `b` and `c` join; `a` keeps the stack it is in the middle of.
        b.round(&[], false);
        c.round(&[], false);
        assert!(a.begin("s00"));
        a.round(&stacks, true);
        assert!(a.follows("s00"));
        a.end("s00");
        for _ in 0..2 {
            for share in [&a, &b, &c] {
                share.round(&stacks, true);
            }
        }
        let counts: Vec<usize> = [&a, &b, &c].iter().map(|s| s.inner().followed.len()).collect();
        assert_eq!(counts.iter().sum::<usize>(), 20, "{counts:?}");
        assert!(counts.iter().all(|n| *n <= 7), "each at most its share: {counts:?}");
        for stack in &stacks {
            assert_eq!([&a, &b, &c].iter().filter(|s| s.follows(stack)).count(), 1, "{stack}");
        }
        // `c` leaves: the others take its stacks.
        table.leave(c.me()).unwrap();
        for share in [&a, &b] {
            share.round(&stacks, true);
        }
        assert_eq!(a.inner().followed.len() + b.inner().followed.len(), 20);
        // One machine alone follows every stack it knows.
        let alone = Share::new(Arc::new(Alone), a.me().clone());
        alone.round(&stacks, true);
        alone.round(&stacks, true);
        assert_eq!(alone.inner().followed.len(), 20);
    }
}

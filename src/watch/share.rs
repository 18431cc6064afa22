//! Sharing stacks with the other watchers of one state: a watcher follows a stack only while it
//! holds the stack's claim ([`isopod_state::Watchers`]). A heartbeat every third of the lease
//! renews the claims and counts the watchers alive of its group (those given the same stacks);
//! each takes its share (its stacks divided by those watchers, rounded up), trying first the
//! stacks it ranks highest (a hash of the watcher and the stack, so that watchers try different
//! stacks first; the first claim wins), and gives back, between rounds, what it holds beyond its
//! share once another watcher joins. A watcher that dies stops renewing: its stacks are free
//! once their claims expire, and the others take them. A watcher that stops gives each stack
//! back as soon as its round ends.

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
    /// When a heartbeat last succeeded.
    last_beat: Option<std::time::Instant>,
}

/// What a round does after its heartbeat.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing more (the first round: let the other watchers be counted).
    Beat,
    /// Take this watcher's share, give back what is beyond it.
    Take,
    /// Give back every stack not in a round (the watcher is stopping).
    Drain,
}

/// The group of watchers given `stacks`: a name for the set of them, whatever their order.
fn group(stacks: &[String]) -> String {
    let mut sorted: Vec<&String> = stacks.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut hasher = DefaultHasher::new();
    sorted.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
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

    /// Heartbeats and takes or gives back stacks every `period` (a third of the lease), until
    /// `done` (every follower has ended). Once `stop` is set, takes nothing more and gives each
    /// stack back as soon as its round ends; at `done`, leaves. `stacks` tells the names known
    /// now.
    pub fn run(&self, stacks: impl Fn() -> Vec<String>, period: Duration, stop: &AtomicBool, done: &AtomicBool) {
        // A first heartbeat makes this watcher known; waiting a little lets watchers started
        // together see each other before any takes its share.
        self.round(&stacks(), Mode::Beat, period * 3);
        sleep_unless(period.min(Duration::from_secs(2)), stop);
        while !done.load(Ordering::Relaxed) {
            let mode = if stop.load(Ordering::Relaxed) { Mode::Drain } else { Mode::Take };
            self.round(&stacks(), mode, period * 3);
            sleep_unless(if mode == Mode::Drain { Duration::from_millis(200) } else { period }, done);
        }
        if let Err(err) = self.watchers.leave(&self.me) {
            tracing::warn!(error = %err, "cannot give the stacks back; the others take them when the claims expire");
        }
    }

    /// One heartbeat, then: claims up to this watcher's share of `stacks` and gives back what is
    /// beyond it ([`Mode::Take`]), or gives back every stack not in a round ([`Mode::Drain`]).
    /// Claims that could not be renewed for a whole `lease` are taken as lost.
    fn round(&self, stacks: &[String], mode: Mode, lease: Duration) {
        let held: Vec<String> = self.inner().followed.iter().cloned().collect();
        let beat = match self.watchers.heartbeat(&self.me, &group(stacks), &held) {
            Ok(beat) => {
                self.inner().last_beat = Some(std::time::Instant::now());
                beat
            }
            Err(err) => {
                // The claims expire unless renewed: the others take the stacks then.
                tracing::error!(error = %err, "heartbeat failed");
                let mut inner = self.inner();
                if inner.last_beat.is_some_and(|at| at.elapsed() >= lease) && !inner.followed.is_empty() {
                    tracing::warn!("no heartbeat for a whole lease: every claim is taken as lost");
                    inner.followed.clear();
                }
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
        if mode == Mode::Drain {
            let idle: Vec<String> = {
                let inner = self.inner();
                inner.followed.difference(&inner.busy).cloned().collect()
            };
            for stack in idle {
                self.give_back(&stack, "handing the stack over: this watcher is stopping");
            }
            return;
        }
        if mode == Mode::Beat || stacks.is_empty() {
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
                Ok(Claim::Held) => {}
                Err(err) => tracing::error!(stack = %stack, error = %err, "cannot claim the stack"),
            }
        }
        // Beyond the share (a watcher joined): give back the least preferred, between rounds.
        for stack in ranked.iter().rev() {
            let inner = self.inner();
            if inner.followed.len() <= share {
                break;
            }
            if !inner.followed.contains(stack.as_str()) || inner.busy.contains(stack.as_str()) {
                continue;
            }
            drop(inner);
            self.give_back(stack, "handing the stack over: another watcher joined");
        }
    }

    /// Gives `stack` back to the other watchers, saying `why`.
    fn give_back(&self, stack: &str, why: &str) {
        self.inner().followed.remove(stack);
        tracing::info!(stack, "{why}");
        if let Err(err) = self.watchers.release(stack, &self.me) {
            tracing::warn!(stack, error = %err, "cannot give the stack back; it is free once its claim expires");
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
            Ok(if holder == watcher.pid { Claim::Taken } else { Claim::Held })
        }
        fn heartbeat(&self, watcher: &Holder, _: &str, _: &[String]) -> Result<Heartbeat, StateError> {
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

    const LEASE: Duration = Duration::from_secs(30);

    fn watcher(table: &Arc<Table>, pid: u32) -> Share {
        Share::new(table.clone(), Holder { pid, host: "h".into(), command: "isopod watch".into(), since: 0 })
    }

    #[test]
    fn watchers_take_their_share_give_back_the_excess_and_never_share_a_stack() {
        let stacks: Vec<String> = (0..20).map(|n| format!("s{n:02}")).collect();
        let table = Arc::new(Table::default());
        let (a, b, c) = (watcher(&table, 1), watcher(&table, 2), watcher(&table, 3));
        // Alone, `a` takes everything.
        a.round(&stacks, Mode::Take, LEASE);
        assert_eq!(a.inner().followed.len(), 20);
        // `b` and `c` join; `a` keeps the stack it is in the middle of.
        b.round(&[], Mode::Beat, LEASE);
        c.round(&[], Mode::Beat, LEASE);
        assert!(a.begin("s00"));
        a.round(&stacks, Mode::Take, LEASE);
        assert!(a.follows("s00"));
        a.end("s00");
        for _ in 0..2 {
            for share in [&a, &b, &c] {
                share.round(&stacks, Mode::Take, LEASE);
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
            share.round(&stacks, Mode::Take, LEASE);
        }
        assert_eq!(a.inner().followed.len() + b.inner().followed.len(), 20);
        // Stopping: stacks not in a round are given back at once, the busy one when it ends.
        assert!(a.begin("s00") || !a.follows("s00"));
        let busy = a.follows("s00");
        a.round(&stacks, Mode::Drain, LEASE);
        assert_eq!(a.inner().followed.len(), usize::from(busy), "only the stack in its round is kept");
        a.end("s00");
        a.round(&stacks, Mode::Drain, LEASE);
        assert!(a.inner().followed.is_empty());
        assert_eq!(group(&["b".into(), "a".into()]), group(&["a".into(), "b".into(), "a".into()]));
        assert_ne!(group(&["a".into()]), group(&["a".into(), "b".into()]));
        // One machine alone follows every stack it knows.
        let alone = Share::new(Arc::new(Alone), a.me().clone());
        alone.round(&stacks, Mode::Take, LEASE);
        alone.round(&stacks, Mode::Take, LEASE);
        assert_eq!(alone.inner().followed.len(), 20);
    }
}

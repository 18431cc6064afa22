//! What every provider call of an apply passes through: at most `parallelism` calls in flight
//! (a resource that the cloud is provisioning holds no place while it waits), and, per cloud, at
//! most `rate` calls started per second, spaced evenly, so that the clouds' rate limits are kept
//! by the client instead of being hit and retried.
//!
//! Calls waiting for a place among those in flight, and under a rate for a cloud's next slot,
//! take it by priority, not by arrival (the executor's [`priorities`](crate::priority)), so that
//! what others wait for (an AWS VPN connection that GCP tunnels need) is not queued behind
//! thousands of calls nothing waits for. A freed place goes straight to the next caller; one
//! task per cloud hands the slots out, waking only the caller whose turn it is.

use isopod_catalog::Cloud;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::Instant;

/// How far behind its schedule a cloud's pace may hand out the slots it missed: the timer's
/// grain, and no more.
const CATCH_UP: Duration = Duration::from_millis(2);

/// The gate of one apply.
pub struct Gate {
    in_flight: Arc<Places>,
    /// Per cloud: its pace.
    paces: BTreeMap<Cloud, Arc<Pace>>,
    interval: Option<Duration>,
}

/// The places among the calls in flight: how many are free, and who waits for one.
struct Places {
    state: Mutex<PlacesState>,
}

struct PlacesState {
    free: usize,
    waiting: Line<Place>,
}

/// A place held by a call in flight; given on to the next caller when dropped.
struct Place {
    /// `None` once given back (a place that found no one to take it).
    places: Option<Arc<Places>>,
}

impl Places {
    fn new(count: usize) -> Arc<Places> {
        let state = PlacesState { free: count, waiting: Line::default() };
        Arc::new(Places { state: Mutex::new(state) })
    }

    /// A place, when one is free and no caller of higher priority (or as high and earlier) waits.
    async fn take(places: &Arc<Places>, priority: u64) -> Place {
        let receiver = {
            let mut state = places.state.lock().expect("not poisoned");
            if state.free > 0 && state.waiting.is_empty() {
                state.free -= 1;
                return Place { places: Some(places.clone()) };
            }
            state.waiting.join(priority)
        };
        // Every waiter is answered while the places live, and the caller holds them.
        receiver.await.expect("a waiting caller is given a place")
    }

    /// Gives a freed place to the first in line, or keeps it free. A caller that stopped
    /// waiting is passed over; one that stops after being given it gives it back when the
    /// place is dropped unreceived.
    fn give_back(places: &Arc<Places>) {
        let mut state = places.state.lock().expect("not poisoned");
        if let Err(mut unwanted) = state.waiting.hand(Place { places: Some(places.clone()) }) {
            unwanted.places = None;
            state.free += 1;
        }
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some(places) = self.places.take() {
            Places::give_back(&places);
        }
    }
}

/// One cloud's pace: when its next call may start, and who waits for it.
struct Pace {
    state: Mutex<PaceState>,
}

struct PaceState {
    next: Instant,
    waiting: Line<()>,
    /// Whether a task is handing out the slots.
    dispatching: bool,
}

/// Callers waiting for their turn, each sent a `T` when it comes: the highest priority first,
/// then the earliest to arrive.
struct Line<T> {
    waiting: BinaryHeap<Waiting<T>>,
    arrivals: u64,
}

impl<T> Default for Line<T> {
    fn default() -> Self {
        Line { waiting: BinaryHeap::new(), arrivals: 0 }
    }
}

impl<T> Line<T> {
    fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// A place in the line at `priority`; the receiver gets the `T` when the turn comes.
    fn join(&mut self, priority: u64) -> oneshot::Receiver<T> {
        self.arrivals += 1;
        let (turn, receiver) = oneshot::channel();
        self.waiting.push(Waiting { rank: (priority, Reverse(self.arrivals)), turn });
        receiver
    }

    /// Gives `value` to the first in line who still waits (a caller whose future was dropped
    /// is passed over); `value` back when no one does.
    fn hand(&mut self, mut value: T) -> Result<(), T> {
        while let Some(waiting) = self.waiting.pop() {
            match waiting.turn.send(value) {
                Ok(()) => return Ok(()),
                Err(refused) => value = refused,
            }
        }
        Err(value)
    }
}

/// A caller in a [`Line`].
struct Waiting<T> {
    rank: (u64, Reverse<u64>),
    turn: oneshot::Sender<T>,
}

impl<T> PartialEq for Waiting<T> {
    fn eq(&self, other: &Self) -> bool {
        self.rank == other.rank
    }
}

impl<T> Eq for Waiting<T> {}

impl<T> PartialOrd for Waiting<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Waiting<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank.cmp(&other.rank)
    }
}

impl Gate {
    /// A gate letting `parallelism` calls through at once, and `rate` per second per cloud.
    pub fn new(parallelism: usize, rate: Option<u32>) -> Gate {
        let now = Instant::now();
        let pace = || {
            let state = PaceState { next: now, waiting: Line::default(), dispatching: false };
            Arc::new(Pace { state: Mutex::new(state) })
        };
        let paces = [Cloud::Aws, Cloud::Azure, Cloud::Gcp, Cloud::Host].into_iter().map(|c| (c, pace())).collect();
        let interval = rate.filter(|rate| *rate > 0).map(|rate| Duration::from_secs(1) / rate);
        Gate { in_flight: Places::new(parallelism.max(1)), paces, interval }
    }

    /// Runs `call` to `cloud` when the gate lets it through; calls of higher `priority` take
    /// the places in flight, and under a rate the cloud's slots, first.
    pub async fn call<T>(&self, cloud: Cloud, priority: u64, call: impl Future<Output = T>) -> T {
        self.through(cloud, priority, priority, call).await
    }

    /// Runs `look`, a look at what the cloud is provisioning, when the gate lets it through: by
    /// `priority` for the cloud's slots, after every call for the places in flight (a look
    /// that finds the resource still pending has used its place for nothing, so it goes when
    /// no call that changes something waits). The price: while the places are all taken, a
    /// look at a resource that others wait for waits too. Giving looks their resource's
    /// priority instead made 3% more calls in the apply bench, for no shorter apply.
    pub async fn look<T>(&self, cloud: Cloud, priority: u64, look: impl Future<Output = T>) -> T {
        self.through(cloud, priority, 0, look).await
    }

    async fn through<T>(
        &self,
        cloud: Cloud,
        pace_priority: u64,
        place_priority: u64,
        call: impl Future<Output = T>,
    ) -> T {
        // The cloud's pace first: a call waiting for its slot holds no place among those in
        // flight, so calls to other clouds go on.
        if let (Some(interval), Some(pace)) = (self.interval, self.paces.get(&cloud)) {
            Pace::turn(pace, pace_priority, interval).await;
        }
        let _place = Places::take(&self.in_flight, place_priority).await;
        call.await
    }
}

impl Pace {
    /// Waits until the cloud's next slot is this caller's.
    async fn turn(pace: &Arc<Pace>, priority: u64, interval: Duration) {
        let receiver = {
            let mut state = pace.state.lock().expect("not poisoned");
            let now = Instant::now();
            if state.waiting.is_empty() && state.next <= now {
                state.next = now + interval;
                return;
            }
            let receiver = state.waiting.join(priority);
            if !std::mem::replace(&mut state.dispatching, true) {
                tokio::spawn(Pace::dispatch(pace.clone(), interval));
            }
            receiver
        };
        // The dispatcher never drops a waiter unanswered; a closed channel can only mean the
        // runtime is shutting down, when there is nothing left to wait for.
        let _ = receiver.await;
    }

    /// Hands the slots out, one per `interval`, to the first in line, until no one waits. A
    /// caller that stopped waiting (its future dropped) is passed over without using a slot.
    async fn dispatch(pace: Arc<Pace>, interval: Duration) {
        loop {
            let at = {
                let mut state = pace.state.lock().expect("not poisoned");
                if state.waiting.is_empty() {
                    state.dispatching = false;
                    return;
                }
                state.next
            };
            tokio::time::sleep_until(at).await;
            // The timer wakes at a millisecond's grain, later than a short interval: every slot
            // that has come since is handed out now, so that the rate is kept, not the grain's.
            // Slots missed while no one waited are not made up for (no burst after a pause).
            let now = Instant::now();
            let mut state = pace.state.lock().expect("not poisoned");
            state.next = state.next.max(now.checked_sub(CATCH_UP).unwrap_or(now));
            while state.next <= now && state.waiting.hand(()).is_ok() {
                state.next += interval;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn under_a_rate_the_higher_priority_goes_first_and_the_pace_holds() {
        let gate = Arc::new(Gate::new(8, Some(10)));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut calls = tokio::task::JoinSet::new();
        for (name, priority) in [("first", 0), ("low", 1), ("high", 9), ("middle", 5)] {
            let (gate, order) = (gate.clone(), order.clone());
            calls.spawn(async move {
                gate.call(Cloud::Aws, priority, async { order.lock().unwrap().push((name, Instant::now())) }).await
            });
            tokio::task::yield_now().await;
        }
        while calls.join_next().await.is_some() {}
        let order = order.lock().unwrap();
        let names: Vec<&str> = order.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["first", "high", "middle", "low"], "the first arrival found the slot free");
        for pair in order.windows(2) {
            assert!(pair[1].1 - pair[0].1 >= Duration::from_millis(100), "10 calls a second: {order:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_freed_place_goes_to_the_waiting_call_of_highest_priority() {
        let gate = Arc::new(Gate::new(1, None));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut calls = tokio::task::JoinSet::new();
        for (name, priority) in [("first", 0), ("low", 1), ("high", 9), ("middle", 5)] {
            let (gate, order) = (gate.clone(), order.clone());
            calls.spawn(async move {
                gate.call(Cloud::Aws, priority, async {
                    order.lock().unwrap().push(name);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                })
                .await
            });
            tokio::task::yield_now().await;
        }
        while calls.join_next().await.is_some() {}
        assert_eq!(*order.lock().unwrap(), ["first", "high", "middle", "low"], "the first found the place free");
    }

    #[tokio::test(start_paused = true)]
    async fn a_place_given_to_a_caller_that_stopped_waiting_goes_on_to_the_next() {
        let gate = Arc::new(Gate::new(1, None));
        let held = Places::take(&gate.in_flight, 0).await;
        let gave_up = tokio::time::timeout(Duration::from_millis(10), gate.call(Cloud::Aws, 9, async {})).await;
        assert!(gave_up.is_err(), "the only place was held");
        drop(held);
        let next = tokio::time::timeout(Duration::from_millis(10), gate.call(Cloud::Aws, 0, async {})).await;
        assert!(next.is_ok(), "the place came back");
    }

    #[tokio::test(start_paused = true)]
    async fn a_caller_that_stops_waiting_does_not_hold_the_line() {
        let gate = Arc::new(Gate::new(8, Some(10)));
        gate.call(Cloud::Gcp, 0, async {}).await;
        let gave_up = tokio::time::timeout(Duration::from_millis(10), gate.call(Cloud::Gcp, 9, async {})).await;
        assert!(gave_up.is_err(), "the slot was 100 ms away");
        let started = Instant::now();
        gate.call(Cloud::Gcp, 0, async {}).await;
        assert!(Instant::now() - started <= Duration::from_millis(100), "the next slot went to the one still waiting");
    }
}

//! What every provider call of an apply passes through: at most `parallelism` calls in flight
//! (a resource that the cloud is provisioning holds no place while it waits), and, per cloud, at
//! most `rate` calls started per second, spaced evenly, so that the clouds' rate limits are kept
//! by the client instead of being hit and retried.

use isopod_catalog::Cloud;
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;
use tokio::sync::{Mutex, Semaphore};
use tokio::time::Instant;

/// The gate of one apply.
pub struct Gate {
    in_flight: Semaphore,
    /// Per cloud: when the next call may start.
    next: BTreeMap<Cloud, Mutex<Instant>>,
    interval: Option<Duration>,
}

impl Gate {
    /// A gate letting `parallelism` calls through at once, and `rate` per second per cloud.
    pub fn new(parallelism: usize, rate: Option<u32>) -> Gate {
        let now = Instant::now();
        let next =
            [Cloud::Aws, Cloud::Azure, Cloud::Gcp, Cloud::Host].into_iter().map(|c| (c, Mutex::new(now))).collect();
        let interval = rate.filter(|rate| *rate > 0).map(|rate| Duration::from_secs(1) / rate);
        Gate { in_flight: Semaphore::new(parallelism.max(1)), next, interval }
    }

    /// Runs `call` to `cloud` when the gate lets it through.
    pub async fn call<T>(&self, cloud: Cloud, call: impl Future<Output = T>) -> T {
        // The cloud's pace first: a call waiting for its slot holds no place among those in
        // flight, so calls to other clouds go on.
        if let (Some(interval), Some(next)) = (self.interval, self.next.get(&cloud)) {
            let start = {
                let mut next = next.lock().await;
                let start = (*next).max(Instant::now());
                *next = start + interval;
                start
            };
            tokio::time::sleep_until(start).await;
        }
        let _permit = self.in_flight.acquire().await.expect("the semaphore is never closed");
        call.await
    }
}

//! Retries of what a cloud may accept a moment later (throttled and transient errors), with
//! exponential backoff and jitter, as the clouds' API guides ask of clients. Backoff and jitter
//! come from `backon`, whose jitter adds a random share, up to the whole, of each delay; the
//! policy of what to retry is ours ([`ErrorKind::is_retryable`]).

use crate::{ErrorKind, ProviderError};
use backon::{ExponentialBuilder, Retryable as _};
use std::future::Future;
use std::time::Duration;

/// How a call is retried.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// The first delay.
    pub min_delay: Duration,
    /// The longest delay before jitter (jitter may add up to as much again).
    pub max_delay: Duration,
    /// How many times a call is retried after its first try.
    pub max_retries: usize,
}

impl Default for RetryPolicy {
    /// 8 retries, from 200 ms doubling to at most 20 s, each with up to as much again of
    /// jitter: a throttled call is tried for one to two minutes before the error is reported.
    fn default() -> Self {
        RetryPolicy { min_delay: Duration::from_millis(200), max_delay: Duration::from_secs(20), max_retries: 8 }
    }
}

/// Runs `call` until it succeeds, fails with an error that is not worth retrying, or has been
/// retried `policy.max_retries` times; returns its last result. A throttled or transient error
/// that outlasts the retries says how many tries it took.
pub async fn retrying<T, F, Fut>(policy: &RetryPolicy, call: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let backoff = ExponentialBuilder::default()
        .with_min_delay(policy.min_delay)
        .with_max_delay(policy.max_delay)
        .with_max_times(policy.max_retries)
        .with_jitter();
    call.retry(backoff).when(|err: &ProviderError| err.kind.is_retryable()).await.map_err(|mut err| {
        if matches!(err.kind, ErrorKind::Throttled | ErrorKind::Transient) {
            err.message = format!("{} (after {} tries)", err.message, policy.max_retries + 1);
        }
        err
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn quick() -> RetryPolicy {
        RetryPolicy { min_delay: Duration::from_millis(1), max_delay: Duration::from_millis(2), max_retries: 3 }
    }

    fn run<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(future)
    }

    #[test]
    fn retries_throttled_and_transient_errors_until_success() {
        let tries = AtomicUsize::new(0);
        let result = run(retrying(&quick(), || async {
            match tries.fetch_add(1, Ordering::SeqCst) {
                0 => Err(ProviderError::new(ErrorKind::Throttled, "slow down")),
                1 => Err(ProviderError::new(ErrorKind::Transient, "503")),
                n => Ok(n),
            }
        }));
        assert_eq!(result, Ok(2));
    }

    #[test]
    fn gives_up_after_the_retries_and_never_retries_other_errors() {
        let tries = AtomicUsize::new(0);
        let result: Result<(), _> = run(retrying(&quick(), || async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(ProviderError::new(ErrorKind::Throttled, "slow down"))
        }));
        assert_eq!(tries.load(Ordering::SeqCst), 4);
        assert_eq!(result.unwrap_err().message, "slow down (after 4 tries)");

        let tries = AtomicUsize::new(0);
        let result: Result<(), _> = run(retrying(&quick(), || async {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(ProviderError::new(ErrorKind::Conflict, "in use"))
        }));
        assert_eq!(tries.load(Ordering::SeqCst), 1);
        assert_eq!(result.unwrap_err().message, "in use");
    }
}

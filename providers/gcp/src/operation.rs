//! Waiting for Compute Engine's long-running operations: every insert, patch and delete answers
//! an `Operation`, polled (`regionOperations.get` or `globalOperations.get`) with a growing
//! delay until it is `DONE`, within a bound. A `DONE` operation can still have failed: its
//! `error` is checked and returned classified (the SDK's own poller would return it as success).

use crate::Clients;
use crate::errors::{classify, operation_failed};
use google_cloud_compute_v1::model::Operation;
use isopod_provider::{ErrorKind, ProviderError};
use std::time::{Duration, Instant};

/// How operations are polled.
#[derive(Clone, Debug)]
pub struct Polling {
    /// The first delay between two polls.
    pub first: Duration,
    /// The longest delay between two polls.
    pub longest: Duration,
    /// How long an operation may take before the call fails (transient: a rerun picks it up).
    pub bound: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        // An HA VPN gateway or tunnel takes a minute or two; nothing takes a quarter of an hour.
        Polling { first: Duration::from_millis(500), longest: Duration::from_secs(10), bound: Duration::from_secs(900) }
    }
}

/// Waits until `operation` (in `project`) is done; its error, if it failed, says `what` it was.
pub(crate) async fn wait(
    clients: &Clients,
    project: &str,
    what: &str,
    mut operation: Operation,
    polling: &Polling,
) -> Result<(), ProviderError> {
    let started = Instant::now();
    let mut delay = polling.first;
    loop {
        if is_done(&operation) {
            return finished(what, &operation);
        }
        if started.elapsed() > polling.bound {
            return Err(ProviderError::new(
                ErrorKind::Transient,
                format!("{what}: the operation was not done after {} s", polling.bound.as_secs()),
            ));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 3 / 2).min(polling.longest);
        let name = operation.name.clone().unwrap_or_default();
        let polled = match operation.region.as_deref().and_then(last_segment) {
            Some(region) => {
                let request = clients.region_operations.get().set_project(project).set_region(region);
                request.set_operation(&name).send().await
            }
            None => clients.global_operations.get().set_project(project).set_operation(&name).send().await,
        };
        match polled.map_err(classify) {
            Ok(next) => operation = next,
            // A poll that failed for rate or an outage is polled again.
            Err(err) if err.kind.is_retryable() => continue,
            Err(err) => return Err(err),
        }
    }
}

fn is_done(operation: &Operation) -> bool {
    operation.status.as_ref().and_then(|status| status.name()) == Some("DONE")
}

fn finished(what: &str, operation: &Operation) -> Result<(), ProviderError> {
    let Some(error) = operation.error.as_ref().filter(|error| !error.errors.is_empty()) else { return Ok(()) };
    let errors = error.errors.iter().map(|e| (e.code.clone(), e.message.clone()));
    Err(operation_failed(what, operation.http_error_status_code, errors))
}

/// The last segment of a URL or path: the name it refers to.
pub(crate) fn last_segment(url: &str) -> Option<&str> {
    url.rsplit('/').next().filter(|name| !name.is_empty())
}

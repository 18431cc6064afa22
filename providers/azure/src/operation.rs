//! ARM's long-running operations, polled with bounds. A PUT that provisions answers with an
//! `Azure-AsyncOperation` URL, whose body says `InProgress`, `Succeeded`, `Failed` or `Canceled`;
//! a DELETE answers 202 with a `Location` URL, which answers 202 until the deletion is done.
//! Each look waits what the service asks (`retry-after-ms`, `x-ms-retry-after-ms` or
//! `Retry-After`, read by azure_core) within [`Polling`]'s bounds, or, when it asks nothing, a
//! wait that grows from `first` to `longest`: never a tight loop, never azure_core's 30 s.

use crate::clients::Clients;
use crate::errors::arm_error;
use azure_core::headers::{AZURE_ASYNCOPERATION, Headers, LOCATION};
use isopod_provider::{ErrorKind, ProviderError};
use std::time::{Duration, Instant};

/// How long-running operations are polled.
#[derive(Clone, Debug)]
pub struct Polling {
    /// The shortest wait between two looks, and the first when the service asks none.
    pub first: Duration,
    /// The longest wait between two looks.
    pub longest: Duration,
    /// How long an operation the provider waits for may take.
    pub timeout: Duration,
}

impl Default for Polling {
    fn default() -> Polling {
        Polling {
            first: Duration::from_secs(1),
            longest: Duration::from_secs(15),
            timeout: Duration::from_secs(20 * 60),
        }
    }
}

/// Where an answer says its operation can be followed: `Azure-AsyncOperation` (PUT), else
/// `Location` (DELETE, resource groups).
pub(crate) fn operation_url(headers: &Headers) -> Option<String> {
    headers
        .get_optional_string(&AZURE_ASYNCOPERATION)
        .map(|url| (url, Follow::Status))
        .or_else(|| headers.get_optional_string(&LOCATION).map(|url| (url, Follow::Location)))
        .map(|(url, follow)| format!("{}{url}", follow.prefix()))
}

/// The wait the service asks for, if any.
pub(crate) fn retry_after(headers: &Headers) -> Option<Duration> {
    let read = |name: &str| headers.get_optional_str(&azure_core::headers::HeaderName::from(name.to_string()));
    read("retry-after-ms")
        .or_else(|| read("x-ms-retry-after-ms"))
        .and_then(|ms| ms.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .or_else(|| read("retry-after").and_then(|s| s.trim().parse::<u64>().ok()).map(Duration::from_secs))
}

/// How an operation URL is read.
#[derive(Clone, Copy)]
enum Follow {
    /// An `Azure-AsyncOperation` status body.
    Status,
    /// A `Location`: 202 while running, 200 or 204 when done.
    Location,
}

impl Follow {
    /// The URLs are kept as text, marked with how they are followed.
    fn prefix(self) -> &'static str {
        match self {
            Follow::Status => "status:",
            Follow::Location => "location:",
        }
    }
}

/// Waits until the operation at `marked` (as [`operation_url`] gives it) is done; its failure
/// as ARM reports it, classified.
pub(crate) async fn wait(clients: &Clients, polling: &Polling, what: &str, marked: &str) -> Result<(), ProviderError> {
    follow(clients, polling, what, marked).await.map(drop)
}

/// What the operation of an action answers at its `Location` (`location`, the header's URL)
/// once done: the action's result, as JSON.
pub(crate) async fn result(
    clients: &Clients,
    polling: &Polling,
    what: &str,
    location: &str,
) -> Result<serde_json::Value, ProviderError> {
    let body = follow(clients, polling, what, &format!("{}{location}", Follow::Location.prefix())).await?;
    serde_json::from_slice(&body)
        .map_err(|err| ProviderError::new(ErrorKind::Invalid, format!("{what}: ARM's result is not JSON: {err}")))
}

/// Looks at the operation at `marked` until it is done; the body of the last look.
async fn follow(clients: &Clients, polling: &Polling, what: &str, marked: &str) -> Result<Vec<u8>, ProviderError> {
    let (follow, url) = match marked.split_once(':') {
        Some(("status", url)) => (Follow::Status, url),
        Some(("location", url)) => (Follow::Location, url),
        _ => return Err(ProviderError::new(ErrorKind::Invalid, format!("{what}: no operation to follow"))),
    };
    let deadline = Instant::now() + polling.timeout;
    let mut backoff = polling.first;
    loop {
        let (status, asked, body) = clients.get_url(url).await?;
        let done = match follow {
            Follow::Location => match status {
                202 => false,
                200..=299 => true,
                _ => return Err(failure(what, status, &body)),
            },
            Follow::Status => {
                let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                match body["status"].as_str().unwrap_or_default() {
                    "Succeeded" => true,
                    "Failed" | "Canceled" => {
                        let error = &body["error"];
                        let code = error["code"].as_str();
                        let message = error["message"].as_str().unwrap_or("the operation failed");
                        return Err(arm_error(what, 200, code.or(Some("OperationFailed")), message));
                    }
                    _ => false,
                }
            }
        };
        if done {
            return Ok(body);
        }
        let now = Instant::now();
        if now >= deadline {
            let message = format!("{what}: still running after {} s", polling.timeout.as_secs());
            return Err(ProviderError::new(ErrorKind::Transient, message));
        }
        let wait = asked.unwrap_or(backoff).clamp(polling.first, polling.longest);
        tokio::time::sleep(wait.min(deadline - now)).await;
        backoff = (backoff * 3 / 2).min(polling.longest);
    }
}

/// A failed look at a `Location`: its ARM error.
fn failure(what: &str, status: u16, body: &[u8]) -> ProviderError {
    let body: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let error = &body["error"];
    arm_error(what, status, error["code"].as_str(), error["message"].as_str().unwrap_or("the operation failed"))
}

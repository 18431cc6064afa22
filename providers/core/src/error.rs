//! Provider errors, classified so that the executor knows what to retry.

use std::fmt;

/// The classes of provider errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The API refused for rate: retry with backoff.
    Throttled,
    /// A timeout or server error: retry with backoff.
    Transient,
    /// The resource does not exist.
    NotFound,
    /// The resource is in a state that forbids the call (in use, pending, already exists).
    Conflict,
    /// The credentials may not do this.
    Permission,
    /// The request is wrong and will stay wrong.
    Invalid,
}

impl ErrorKind {
    /// Whether retrying the same call may succeed.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorKind::Throttled | ErrorKind::Transient)
    }
}

/// An error from a cloud's API.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ProviderError {
    /// Its class.
    pub kind: ErrorKind,
    /// The API's message (never holding secrets).
    pub message: String,
    /// The API's request id, when it gives one, for support cases.
    pub request_id: Option<String>,
}

impl ProviderError {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ProviderError { kind, message: message.into(), request_id: None }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)?;
        if let Some(request_id) = &self.request_id {
            write!(f, " (request id {request_id})")?;
        }
        Ok(())
    }
}

//! GCP's errors, classified for the executor: the HTTP status and the `reason` of Google's error
//! body (`errors[].reason`, carried by the SDK as an `ErrorInfo`), with a hint where the fix is
//! known. Messages are the API's own: GCP never echoes a shared secret in them.

use google_cloud_gax::error::Error;
use google_cloud_gax::error::rpc::StatusDetails;
use isopod_provider::{ErrorKind, ProviderError};

/// The class of an SDK error.
pub(crate) fn classify(err: Error) -> ProviderError {
    if err.is_authentication() {
        return ProviderError::new(
            ErrorKind::Permission,
            format!(
                "no usable Google credentials: {err} (set GOOGLE_APPLICATION_CREDENTIALS, run \
                 `gcloud auth application-default login`, or run where the metadata server answers)"
            ),
        );
    }
    if err.is_timeout() || err.is_connect() || err.is_io() || err.is_transport() {
        return ProviderError::new(ErrorKind::Transient, format!("cannot reach the GCP API: {err}"));
    }
    let status = err.http_status_code();
    let reason = reason(&err);
    let message = err.status().map(|s| s.message.clone()).filter(|m| !m.is_empty()).unwrap_or_else(|| err.to_string());
    let kind = kind_of(status, reason.as_deref());
    let mut text = match &reason {
        Some(reason) => format!("{message} ({reason})"),
        None => message,
    };
    if let Some(hint) = hint(kind, reason.as_deref()) {
        text = format!("{text}: {hint}");
    }
    ProviderError::new(kind, text)
}

/// The reason of Google's error body, `errors[0].reason` (`notFound`, `alreadyExists`...).
fn reason(err: &Error) -> Option<String> {
    err.status()?.details.iter().find_map(|detail| match detail {
        StatusDetails::ErrorInfo(info) if !info.reason.is_empty() => Some(info.reason.clone()),
        _ => None,
    })
}

/// The class of an HTTP status and reason, as Compute Engine's error guide describes them.
pub(crate) fn kind_of(status: Option<u16>, reason: Option<&str>) -> ErrorKind {
    match (status, reason) {
        (_, Some("rateLimitExceeded" | "userRateLimitExceeded" | "RATE_LIMIT_EXCEEDED")) => ErrorKind::Throttled,
        (Some(429), _) => ErrorKind::Throttled,
        (_, Some("resourceNotReady" | "backendError" | "internalError")) => ErrorKind::Transient,
        (Some(500 | 502 | 503 | 504), _) => ErrorKind::Transient,
        (Some(404), _) | (_, Some("notFound")) => ErrorKind::NotFound,
        (Some(409 | 412), _) | (_, Some("resourceInUseByAnotherResource" | "alreadyExists" | "containerNotEmpty")) => {
            ErrorKind::Conflict
        }
        (Some(401 | 403), _) => ErrorKind::Permission,
        _ => ErrorKind::Invalid,
    }
}

fn hint(kind: ErrorKind, reason: Option<&str>) -> Option<&'static str> {
    match (kind, reason) {
        (_, Some("resourceInUseByAnotherResource")) => {
            Some("something else still uses it; Isopod deletes what uses it first, so it may be someone else's")
        }
        (_, Some("QUOTA_EXCEEDED" | "quotaExceeded")) => {
            Some("ask for more quota in the console (IAM & Admin > Quotas) or plan fewer resources")
        }
        (ErrorKind::Permission, _) => {
            Some("the credentials need roles/compute.networkAdmin (and roles/dns.admin for relays) on the project")
        }
        _ => None,
    }
}

/// A finished operation's error, as GCP's operation resource reports it: the first error's code
/// and message, classified by the operation's HTTP status.
pub(crate) fn operation_failed(
    what: &str,
    status: Option<i32>,
    errors: impl IntoIterator<Item = (Option<String>, Option<String>)>,
) -> ProviderError {
    let errors: Vec<(Option<String>, Option<String>)> = errors.into_iter().collect();
    let code = errors.iter().find_map(|(code, _)| code.clone());
    let message = errors.iter().filter_map(|(_, message)| message.clone()).collect::<Vec<_>>().join("; ");
    let status = status.and_then(|s| u16::try_from(s).ok());
    let kind = match code.as_deref() {
        // Quota is not a rate: retrying will not help until someone raises it.
        Some("QUOTA_EXCEEDED") => ErrorKind::Invalid,
        code => kind_of(status, code),
    };
    let code_text = code.clone().unwrap_or_else(|| "operation failed".into());
    let mut text = format!("{what}: {message} ({code_text})");
    if let Some(hint) = hint(kind, code.as_deref()) {
        text = format!("{text}: {hint}");
    }
    ProviderError::new(kind, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_reasons_are_classified_as_compute_engine_documents_them() {
        assert_eq!(kind_of(Some(403), Some("rateLimitExceeded")), ErrorKind::Throttled);
        assert_eq!(kind_of(Some(429), None), ErrorKind::Throttled);
        assert_eq!(kind_of(Some(503), Some("backendError")), ErrorKind::Transient);
        assert_eq!(kind_of(Some(400), Some("resourceNotReady")), ErrorKind::Transient);
        assert_eq!(kind_of(Some(404), Some("notFound")), ErrorKind::NotFound);
        assert_eq!(kind_of(Some(409), Some("alreadyExists")), ErrorKind::Conflict);
        assert_eq!(kind_of(Some(400), Some("resourceInUseByAnotherResource")), ErrorKind::Conflict);
        // Cloud DNS: a zone that still has record sets.
        assert_eq!(kind_of(Some(400), Some("containerNotEmpty")), ErrorKind::Conflict);
        assert_eq!(kind_of(Some(403), Some("forbidden")), ErrorKind::Permission);
        assert_eq!(kind_of(Some(400), Some("invalid")), ErrorKind::Invalid);
    }

    #[test]
    fn a_failed_operation_says_its_code_and_message() {
        let err = operation_failed(
            "creating projects/p/regions/r/vpnTunnels/t",
            Some(403),
            [(Some("QUOTA_EXCEEDED".to_string()), Some("Quota 'VPN_TUNNELS' exceeded.".to_string()))],
        );
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert!(err.message.contains("Quota 'VPN_TUNNELS' exceeded. (QUOTA_EXCEEDED)"), "{}", err.message);
        assert!(err.message.contains("more quota"), "{}", err.message);
    }
}

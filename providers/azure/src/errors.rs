//! ARM's errors, classified for the executor: the HTTP status and ARM's error `code` (the body's
//! `error.code`, read by azure_core), with a hint where the fix is known. Messages are ARM's code
//! and message only: never the response's body or headers, which azure_core's own rendering of
//! an error includes (and which may echo a request).

use azure_core::error::{Error, ErrorKind as CoreKind};
use isopod_provider::{ErrorKind, ProviderError};

/// The class of an SDK error, `what` saying which call failed (`creating virtualNetworks/x`).
pub(crate) fn classify(what: &str, err: Error) -> ProviderError {
    match err.kind() {
        CoreKind::Credential => ProviderError::new(
            ErrorKind::Permission,
            format!(
                "{what}: no usable Azure credentials ({}): set AZURE_CLIENT_ID, AZURE_TENANT_ID and \
                 AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE), run `az login`, or run where a \
                 managed identity is assigned",
                first_line(&err)
            ),
        ),
        CoreKind::Io => ProviderError::new(
            ErrorKind::Transient,
            format!("{what}: cannot reach the Azure API: {}", first_line(&err)),
        ),
        CoreKind::HttpResponse { status, error_code } => {
            let http = err.as_http_error();
            let code = error_code.as_deref().or_else(|| http.and_then(|h| h.error_code()));
            let message = http.and_then(|h| h.error_message()).unwrap_or("no message");
            arm_error(what, *status as u16, code, message)
        }
        CoreKind::DataConversion => ProviderError::new(
            ErrorKind::Invalid,
            format!("{what}: ARM's answer does not fit the SDK's model: {}", first_line(&err)),
        ),
        _ => ProviderError::new(ErrorKind::Transient, format!("{what}: {}", first_line(&err))),
    }
}

/// An error ARM answered (or an operation ended with): `status`, ARM's `code` and `message`.
pub(crate) fn arm_error(what: &str, status: u16, code: Option<&str>, message: &str) -> ProviderError {
    let kind = kind_of(status, code);
    let code_text = code.unwrap_or("no code");
    let mut text = format!("{what}: {message} ({status} {code_text})");
    if let Some(hint) = hint(kind, code) {
        text = format!("{text}: {hint}");
    }
    ProviderError::new(kind, text)
}

/// The class of a status and ARM error code, as ARM's and the Network resource provider's error
/// references describe them.
pub(crate) fn kind_of(status: u16, code: Option<&str>) -> ErrorKind {
    let code = code.unwrap_or_default();
    match (status, code) {
        (429, _) | (_, "SubscriptionRequestsThrottled" | "TooManyRequests") => ErrorKind::Throttled,
        // A gateway runs one operation at a time, and what refers to a resource still being
        // provisioned must wait for it: both pass, so both are retried.
        (_, "AnotherOperationInProgress" | "ReferencedResourceNotProvisioned" | "RetryableError") => {
            ErrorKind::Transient
        }
        (500..=599, _) => ErrorKind::Transient,
        (
            _,
            "InvalidResourceReference"
            | "ResourceNotFound"
            | "ResourceGroupNotFound"
            | "NotFound"
            | "ParentResourceNotFound",
        ) => ErrorKind::NotFound,
        (404, _) => ErrorKind::NotFound,
        (_, code)
            if code.starts_with("InUse")
                || code.contains("CannotDelete")
                || code.contains("CannotBeDeleted")
                || code.ends_with("InUse") =>
        {
            ErrorKind::Conflict
        }
        (409 | 412, _) => ErrorKind::Conflict,
        (401 | 403, _) => ErrorKind::Permission,
        _ => ErrorKind::Invalid,
    }
}

fn hint(kind: ErrorKind, code: Option<&str>) -> Option<&'static str> {
    match (kind, code) {
        (_, Some("ResourceGroupNotFound")) => {
            Some("check `resource_group` in the cloud block, or let Isopod create its own")
        }
        (_, Some("SubscriptionNotFound" | "InvalidSubscriptionId")) => Some("check `subscription` in the cloud block"),
        (ErrorKind::Conflict, Some(code))
            if code.starts_with("InUse") || code.contains("CannotDelete") || code.contains("CannotBeDeleted") =>
        {
            Some("something else still uses it; Isopod deletes what uses it first, so it may be someone else's")
        }
        (_, Some("PreconditionFailed")) => {
            Some("a resource of that name exists and is not this stack's: rename or remove it")
        }
        (ErrorKind::Permission, _) => Some(
            "the identity needs the Network Contributor role on the subscription or resource group (and \
             Private DNS Zone Contributor for relays)",
        ),
        _ => None,
    }
}

/// The first line of an error's text: azure_core's own rendering of an HTTP error carries its
/// body and headers, which a message never shows.
fn first_line(err: &Error) -> String {
    err.to_string().lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified_as_arm_documents_them() {
        assert_eq!(kind_of(429, Some("SubscriptionRequestsThrottled")), ErrorKind::Throttled);
        assert_eq!(kind_of(409, Some("AnotherOperationInProgress")), ErrorKind::Transient);
        assert_eq!(kind_of(400, Some("ReferencedResourceNotProvisioned")), ErrorKind::Transient);
        assert_eq!(kind_of(503, None), ErrorKind::Transient);
        assert_eq!(kind_of(404, Some("ResourceGroupNotFound")), ErrorKind::NotFound);
        assert_eq!(kind_of(400, Some("InvalidResourceReference")), ErrorKind::NotFound);
        assert_eq!(kind_of(400, Some("InUseSubnetCannotBeDeleted")), ErrorKind::Conflict);
        assert_eq!(kind_of(400, Some("CannotDeleteZoneWithVirtualNetworkLinks")), ErrorKind::Conflict);
        assert_eq!(kind_of(400, Some("PublicIPAddressInUse")), ErrorKind::Conflict);
        assert_eq!(kind_of(400, Some("PublicIPAddressCannotBeDeleted")), ErrorKind::Conflict);
        assert_eq!(kind_of(412, Some("PreconditionFailed")), ErrorKind::Conflict);
        assert_eq!(kind_of(403, Some("AuthorizationFailed")), ErrorKind::Permission);
        assert_eq!(kind_of(400, Some("InvalidRequestFormat")), ErrorKind::Invalid);
    }

    #[test]
    fn a_message_has_the_code_and_a_hint() {
        let err =
            arm_error("deleting subnets/GatewaySubnet", 400, Some("InUseSubnetCannotBeDeleted"), "Subnet in use.");
        assert_eq!(err.kind, ErrorKind::Conflict);
        assert!(
            err.message.contains("Subnet in use. (400 InUseSubnetCannotBeDeleted): something else"),
            "{}",
            err.message
        );
    }
}

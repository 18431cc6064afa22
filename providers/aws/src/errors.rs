//! EC2's (and Route 53's) errors, classified for the executor: `RequestLimitExceeded`,
//! `Throttling` and `PriorRequestNotComplete` are throttled; timeouts, connection failures and
//! 5xx transient; `*.NotFound` and `NoSuch*` not found; `DependencyViolation`, `IncorrectState`
//! and `HostedZoneNotEmpty` conflicts; `UnauthorizedOperation` and `AuthFailure` permission; the
//! rest invalid. The AWS request id is kept for support cases.

use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::operation::RequestId;
use isopod_provider::{ErrorKind, ProviderError};

/// The class of an EC2 error code.
pub(super) fn kind_of_code(code: &str) -> ErrorKind {
    match code {
        "RequestLimitExceeded" | "Throttling" | "ThrottlingException" | "PriorRequestNotComplete" => {
            ErrorKind::Throttled
        }
        "InternalError" | "InternalFailure" | "ServiceUnavailable" | "Unavailable" => ErrorKind::Transient,
        "DependencyViolation"
        | "IncorrectState"
        | "IncorrectInstanceState"
        | "InvalidStateTransition"
        | "HostedZoneNotEmpty"
        | "ConflictingDomainExists" => ErrorKind::Conflict,
        "UnauthorizedOperation" | "AuthFailure" | "Blocked" | "OptInRequired" => ErrorKind::Permission,
        // EC2's `*.NotFound`, Route 53's `NoSuch*`.
        code if code.ends_with("NotFound") || code.starts_with("NoSuch") => ErrorKind::NotFound,
        _ => ErrorKind::Invalid,
    }
}

/// The `<RequestID>` of an EC2 error document.
fn request_id_in(body: &str) -> Option<String> {
    let start = body.find("<RequestID>")? + "<RequestID>".len();
    let end = start + body[start..].find("</RequestID>")?;
    Some(body[start..end].trim().to_string())
}

/// `err` as a provider error.
pub(super) fn classify<E>(err: SdkError<E>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    // The SDK reads the request id from the `x-amzn-requestid` header; EC2's error documents
    // carry it as `<RequestID>` too.
    let request_id = err.request_id().map(str::to_string).or_else(|| match &err {
        SdkError::ServiceError(context) => {
            context.raw().body().bytes().and_then(|body| request_id_in(&String::from_utf8_lossy(body)))
        }
        _ => None,
    });
    let kind = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => ErrorKind::Transient,
        SdkError::ServiceError(context) => {
            let status = context.raw().status().as_u16();
            match context.err().code() {
                Some(code) => kind_of_code(code),
                None if status >= 500 => ErrorKind::Transient,
                None => ErrorKind::Invalid,
            }
        }
        _ => ErrorKind::Invalid,
    };
    let message = match &err {
        SdkError::ServiceError(context) => {
            let code = context.err().code().unwrap_or("error");
            format!("{code}: {}", context.err().message().unwrap_or("(no message)"))
        }
        other => DisplayErrorContext(other).to_string(),
    };
    ProviderError { kind, message, request_id }
}

/// The first refusal of a call EC2 answers item by item rather than with an error (deleting
/// endpoints, creating and deleting flow logs), classified by its code.
pub(super) fn refused(items: &[aws_sdk_ec2::types::UnsuccessfulItem]) -> Result<(), ProviderError> {
    match items.first().and_then(|item| item.error()) {
        None => Ok(()),
        Some(error) => {
            let code = error.code().unwrap_or("error");
            let message = format!("{code}: {}", error.message().unwrap_or("(no message)"));
            Err(ProviderError::new(kind_of_code(code), message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified_as_the_executor_needs() {
        assert_eq!(kind_of_code("RequestLimitExceeded"), ErrorKind::Throttled);
        assert_eq!(kind_of_code("InvalidVpcID.NotFound"), ErrorKind::NotFound);
        assert_eq!(kind_of_code("NoSuchHostedZone"), ErrorKind::NotFound);
        assert_eq!(kind_of_code("HostedZoneNotEmpty"), ErrorKind::Conflict);
        assert_eq!(kind_of_code("DependencyViolation"), ErrorKind::Conflict);
        assert_eq!(kind_of_code("UnauthorizedOperation"), ErrorKind::Permission);
        assert_eq!(kind_of_code("InternalError"), ErrorKind::Transient);
        assert_eq!(kind_of_code("InvalidParameterValue"), ErrorKind::Invalid);
    }
}

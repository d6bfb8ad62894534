//! Every error the endpoint can answer with: its `__type` (with the namespace
//! prefix the real service uses), HTTP status and message.

use std::fmt;

/// The kinds of error, service-modelled ones first, then protocol and
/// authentication errors of the awsJson (coral) front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    // Modelled by the Data Pipeline service (namespace com.amazon.setl.webservice).
    InvalidRequest,
    PipelineNotFound,
    PipelineDeleted,
    TaskNotFound,
    InternalServiceError,
    // Protocol errors (com.amazon.coral.service / com.amazon.coral.validate).
    UnknownOperation,
    Serialization,
    Validation,
    /// Only the socket layer (feature `server`) reads bodies, so only it refuses one.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    RequestEntityTooLarge,
    // Authentication errors (com.amazon.coral.service).
    MissingAuthenticationToken,
    IncompleteSignature,
    InvalidSignature,
    UnrecognizedClient,
}

impl ErrorKind {
    /// The short type name, as clients report it.
    pub fn type_name(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "InvalidRequestException",
            ErrorKind::PipelineNotFound => "PipelineNotFoundException",
            ErrorKind::PipelineDeleted => "PipelineDeletedException",
            ErrorKind::TaskNotFound => "TaskNotFoundException",
            ErrorKind::InternalServiceError => "InternalServiceError",
            ErrorKind::UnknownOperation => "UnknownOperationException",
            ErrorKind::Serialization => "SerializationException",
            ErrorKind::Validation => "ValidationException",
            ErrorKind::RequestEntityTooLarge => "RequestEntityTooLargeException",
            ErrorKind::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            ErrorKind::IncompleteSignature => "IncompleteSignatureException",
            ErrorKind::InvalidSignature => "InvalidSignatureException",
            ErrorKind::UnrecognizedClient => "UnrecognizedClientException",
        }
    }

    /// The namespace in front of `#` in `__type`.
    fn namespace(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest
            | ErrorKind::PipelineNotFound
            | ErrorKind::PipelineDeleted
            | ErrorKind::TaskNotFound
            | ErrorKind::InternalServiceError => "com.amazon.setl.webservice",
            ErrorKind::Validation => "com.amazon.coral.validate",
            // inferred: the 413 body reuses the coral service namespace like
            // the other front-end errors (the real type name is UNK).
            _ => "com.amazon.coral.service",
        }
    }

    /// The full `__type` value.
    pub fn wire_type(self) -> String {
        format!("{}#{}", self.namespace(), self.type_name())
    }

    /// HTTP status: 500 for the service fault, 413 for an oversize body, 400
    /// for every other (client) error, authentication included, as the
    /// awsJson services answer them.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::InternalServiceError => 500,
            ErrorKind::RequestEntityTooLarge => 413,
            _ => 400,
        }
    }
}

/// An error answer: kind and human-readable message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::InvalidRequest, message)
    }

    pub fn serialization(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Serialization, message)
    }

    pub fn pipeline_not_found(id: &str) -> ApiError {
        ApiError::new(
            ErrorKind::PipelineNotFound,
            format!("Pipeline with id: {id} does not exist."),
        )
    }

    pub fn pipeline_deleted(id: &str) -> ApiError {
        ApiError::new(
            ErrorKind::PipelineDeleted,
            format!("Pipeline with id: {id} was deleted."),
        )
    }

    pub fn task_not_found(what: &str) -> ApiError {
        ApiError::new(ErrorKind::TaskNotFound, what.to_string())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.type_name(), self.message)
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_statuses() {
        assert_eq!(
            ErrorKind::PipelineNotFound.wire_type(),
            "com.amazon.setl.webservice#PipelineNotFoundException"
        );
        assert_eq!(
            ErrorKind::Validation.wire_type(),
            "com.amazon.coral.validate#ValidationException"
        );
        assert_eq!(
            ErrorKind::UnknownOperation.wire_type(),
            "com.amazon.coral.service#UnknownOperationException"
        );
        assert_eq!(ErrorKind::InternalServiceError.status(), 500);
        assert_eq!(ErrorKind::RequestEntityTooLarge.status(), 413);
        assert_eq!(ErrorKind::UnrecognizedClient.status(), 400);
    }
}

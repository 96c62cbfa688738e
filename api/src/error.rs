//! The API's one error type and its rendering as `{"error": {"code", "message"}}`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use mongodb::error::{ErrorKind, WriteFailure};
use shared::{ErrorBody, ErrorCode, ErrorDetail};

/// Seconds a client should wait before retrying after a `503`.
pub const RETRY_AFTER_SECONDS: u32 = 2;

/// Every way a request can fail. Each variant's doc names its HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `invalid_input`: one field failed validation.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// 422 `invalid_input`: a value the OpenAPI document allows, refused by
    /// a rule it cannot state (across fields, by the clock, by settings).
    #[error("{field}: {message}")]
    Unacceptable { field: String, message: String },
    /// 400 with `invalid_json`, `invalid_input` or `invalid_query`: the
    /// request could not be parsed; `field` names where, when known.
    #[error("{message}")]
    BadRequest {
        code: ErrorCode,
        field: Option<String>,
        message: String,
    },
    /// 401 `unauthenticated`: no valid session.
    #[error("log in first: this needs a valid session")]
    Unauthenticated,
    /// 401 `invalid_credentials`: email and password do not match (either one).
    #[error("the email or password is incorrect")]
    InvalidCredentials,
    /// 403 `forbidden`: logged in, but not allowed.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404 `not_found`: the named thing does not exist or is not the caller's.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 409 `slot_taken`: another reservation holds part of the range; the
    /// range in the way is reported when known.
    #[error("{message}")]
    SlotTaken {
        message: String,
        conflict: Option<shared::TimeRange>,
    },
    /// 409 `seat_taken`: these seats are held or booked by someone else.
    #[error("{} already taken", describe_seats(.0))]
    SeatsTaken(Vec<String>),
    /// 422 `idempotency_key_reused`: the key was first used for another request.
    #[error("this Idempotency-Key was already used for a different request; use a new key")]
    IdempotencyKeyReused,
    /// Not a response: a transaction found its `Idempotency-Key` already
    /// recorded, and the handler answers with the recorded response.
    #[error("idempotency key already recorded")]
    AlreadyRecorded,
    /// 403 with an `admission_*` code: the sale is queued and the request
    /// carries no valid admission.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    /// 409 with a specific code: the request conflicts with stored state.
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    /// 405 `method_not_allowed`: a known path, another method; `allow`
    /// lists the methods it takes (the `Allow` header).
    #[error("{method} is not allowed here; this path takes {allow}")]
    MethodNotAllowed { method: String, allow: String },
    /// 413 `payload_too_large`.
    #[error("the request body is too large (at most {0} bytes)")]
    PayloadTooLarge(usize),
    /// 415 `unsupported_media_type`: what to send instead.
    #[error("{0}")]
    UnsupportedMediaType(&'static str),
    /// 429 `rate_limited` or `login_throttled`: too many requests; the
    /// client may try again after `retry_after` seconds (`Retry-After`).
    #[error("{message}")]
    TooManyRequests {
        code: ErrorCode,
        message: String,
        retry_after: u64,
    },
    /// 503 `unavailable`: the database is not ready (yet) to serve this.
    #[error("{0}")]
    Unavailable(&'static str),
    /// 503 when the database cannot be reached, 500 otherwise.
    #[error("database error")]
    Database(#[from] mongodb::error::Error),
    /// 500: a bug. The message goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// See [`ApiError::Unacceptable`].
    pub fn unacceptable(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Unacceptable {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// Whether this is a `503`: no primary could be reached (or the
    /// database is not ready), so the client should retry later.
    pub fn is_unavailable(&self) -> bool {
        self.code() == ErrorCode::Unavailable
    }

    /// The error code as clients see it, e.g. `seat_taken`.
    pub fn code_name(&self) -> String {
        match serde_json::to_value(self.code()) {
            Ok(serde_json::Value::String(name)) => name,
            _ => "internal".to_owned(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid { .. } | Self::Unacceptable { .. } => ErrorCode::InvalidInput,
            Self::BadRequest { code, .. }
            | Self::Conflict { code, .. }
            | Self::Refused { code, .. }
            | Self::TooManyRequests { code, .. } => *code,
            Self::Unauthenticated => ErrorCode::Unauthenticated,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            Self::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::SeatsTaken(_) => ErrorCode::SeatTaken,
            Self::SlotTaken { .. } => ErrorCode::SlotTaken,
            Self::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            Self::AlreadyRecorded => ErrorCode::Internal,
            Self::Database(e) if is_unavailable(e) => ErrorCode::Unavailable,
            Self::Database(_) | Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message a client may see: never driver or internal text.
    fn public_message(&self) -> String {
        match self.code() {
            ErrorCode::Unavailable => match self {
                Self::Unavailable(reason) => (*reason).to_owned(),
                _ => "the database is unreachable; retry shortly".to_owned(),
            },
            ErrorCode::Internal => "an internal error occurred; it has been logged".to_owned(),
            _ => self.to_string(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        if let Self::Unacceptable { .. } = self {
            return StatusCode::UNPROCESSABLE_ENTITY;
        }
        match self.code() {
            ErrorCode::InvalidInput | ErrorCode::InvalidJson | ErrorCode::InvalidQuery => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden
            | ErrorCode::CrossSiteRequest
            | ErrorCode::AdmissionRequired
            | ErrorCode::AdmissionInvalid
            | ErrorCode::AdmissionExpired
            | ErrorCode::AdmissionRevoked => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RateLimited | ErrorCode::LoginThrottled => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::CONFLICT,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            log_server_error(self);
        }
        let field = match self {
            Self::Invalid { field, .. } | Self::Unacceptable { field, .. } => Some(field.clone()),
            Self::BadRequest { field, .. } => field.clone(),
            _ => None,
        };
        let seats = match self {
            Self::SeatsTaken(seats) => seats.clone(),
            _ => Vec::new(),
        };
        let conflict = match self {
            Self::SlotTaken { conflict, .. } => *conflict,
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.public_message(),
                field,
                seats,
                conflict,
            },
        };
        let mut response = HttpResponse::build(status);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS)));
        }
        if let Self::TooManyRequests { retry_after, .. } = self {
            response.insert_header((
                header::RETRY_AFTER,
                HeaderValue::from((*retry_after).max(1)),
            ));
        }
        if let Self::MethodNotAllowed { allow, .. } = self
            && let Ok(value) = HeaderValue::from_str(allow)
        {
            response.insert_header((header::ALLOW, value));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        response.json(body)
    }
}

fn describe_seats(seats: &[String]) -> String {
    match seats {
        [one] => format!("seat {one} is"),
        many => format!("seats {} are", many.join(", ")),
    }
}

fn log_server_error(error: &ApiError) {
    let mut chain = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    if let ApiError::Database(e) = error {
        chain.push_str(&format!(" ({:?})", e.kind));
    }
    tracing::error!(error = %chain, "request failed");
}

/// Whether a driver error means "no usable primary right now" rather than a bug.
pub fn is_unavailable(error: &mongodb::error::Error) -> bool {
    const UNAVAILABLE_CODES: &[i32] = &[
        6,     // HostUnreachable
        7,     // HostNotFound
        64,    // WriteConcernFailed (timed out waiting for a majority)
        89,    // NetworkTimeout
        91,    // ShutdownInProgress
        189,   // PrimarySteppedDown
        10107, // NotWritablePrimary
        11600, // InterruptedAtShutdown
        11602, // InterruptedDueToReplStateChange
        13435, // NotPrimaryNoSecondaryOk
        13436, // NotPrimaryOrSecondary
    ];
    match error.kind.as_ref() {
        ErrorKind::ServerSelection { .. }
        | ErrorKind::Io(_)
        | ErrorKind::ConnectionPoolCleared { .. }
        | ErrorKind::DnsResolve { .. }
        | ErrorKind::Shutdown => true,
        ErrorKind::Command(e) => UNAVAILABLE_CODES.contains(&e.code),
        ErrorKind::Write(WriteFailure::WriteConcernError(e)) => UNAVAILABLE_CODES.contains(&e.code),
        ErrorKind::Write(WriteFailure::WriteError(e)) => UNAVAILABLE_CODES.contains(&e.code),
        _ => error.contains_label("RetryableWriteError"),
    }
}

/// The duplicate-key code MongoDB reports when a unique index refuses a write.
pub const DUPLICATE_KEY: i32 = 11000;

/// Whether a driver error is a unique-index violation.
pub fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
    match error.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(e)) => e.code == DUPLICATE_KEY,
        ErrorKind::InsertMany(e) => e
            .write_errors
            .iter()
            .flatten()
            .any(|w| w.code == DUPLICATE_KEY),
        ErrorKind::BulkWrite(e) => e.write_errors.values().any(|w| w.code == DUPLICATE_KEY),
        ErrorKind::Command(e) => e.code == DUPLICATE_KEY,
        _ => false,
    }
}

impl From<crate::domain::FieldError> for ApiError {
    fn from(e: crate::domain::FieldError) -> Self {
        let (field, message) = (e.field.to_owned(), e.message);
        if e.rule {
            Self::Unacceptable { field, message }
        } else {
            Self::Invalid { field, message }
        }
    }
}

/// Turns a storage conflict into the right client error where it happens.
pub trait ResultExt<T> {
    /// Maps a unique-index violation to the error `f` builds; other errors pass through.
    fn on_duplicate_key(self, f: impl FnOnce() -> ApiError) -> Result<T, ApiError>;
}

impl<T, E: Into<ApiError>> ResultExt<T> for Result<T, E> {
    fn on_duplicate_key(self, f: impl FnOnce() -> ApiError) -> Result<T, ApiError> {
        self.map_err(|e| match e.into() {
            ApiError::Database(db) if is_duplicate_key(&db) => f(),
            other => other,
        })
    }
}

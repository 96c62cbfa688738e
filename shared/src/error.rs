//! The one error shape every failing API call returns.

use serde::{Deserialize, Serialize};

/// Body of every error response: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// A machine-matchable code plus a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable snake_case code clients can match on.
    pub code: ErrorCode,
    /// Human-readable explanation, safe to show to a user.
    pub message: String,
    /// The request field at fault, for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The seats in conflict, for `seat_taken`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seats: Vec<String>,
    /// The reserved range in the way, for `slot_taken`, when it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<crate::reservations::TimeRange>,
}

/// Stable error codes. New codes may be added; existing ones never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: a field is missing, malformed or out of range; `field` names
    /// it. 422 when the value is one the OpenAPI document allows but a
    /// rule it cannot state refuses (an end before its start, a time in
    /// the past, a cursor from another list, a configured maximum).
    InvalidInput,
    /// 400: the body is not valid JSON for this endpoint.
    InvalidJson,
    /// 400: a query-string parameter is malformed.
    InvalidQuery,
    /// 401: no valid session; log in first.
    Unauthenticated,
    /// 401: the email and password do not match an account.
    InvalidCredentials,
    /// 403: the caller is logged in but may not do this.
    Forbidden,
    /// 404: no such resource (or not visible to the caller).
    NotFound,
    /// 409: an account already uses this email.
    EmailTaken,
    /// 409: a room already uses this name.
    RoomNameTaken,
    /// 409: another reservation already holds part of this time range.
    SlotTaken,
    /// 409: the reservation's status does not allow this change.
    InvalidStatus,
    /// 409: the room still has upcoming reservations.
    RoomInUse,
    /// 409: the change would leave the caller without the admin role.
    LastAdmin,
    /// 409: a venue already uses this name.
    VenueNameTaken,
    /// 409: the venue has performances on sale or yet to be played; its
    /// seats, tier colours and time zone cannot change until they are over
    /// or cancelled.
    VenueInUse,
    /// 409: some of the seats are held or booked by someone else; `seats` names them.
    SeatTaken,
    /// 409: the caller would hold or own more seats of the performance than allowed.
    SeatLimitExceeded,
    /// 409: the hold expired (or was released) before it was confirmed.
    HoldExpired,
    /// 409: the wallet's balance does not cover the price.
    InsufficientPoints,
    /// 409: seats for this performance are not on sale yet.
    SaleNotOpen,
    /// 409: the performance has started; its seats can no longer be sold or cancelled.
    PerformanceStarted,
    /// 409: the performance was cancelled; its seats are not for sale.
    PerformanceCancelled,
    /// 403: this performance's sale is queued; join the queue and send the
    /// `Admission-Token` it gives when admitted.
    AdmissionRequired,
    /// 403: the `Admission-Token` is malformed, forged, or for another
    /// performance or buyer.
    AdmissionInvalid,
    /// 403: the admission's shopping time is over, or it was used for a
    /// booking; join the queue again.
    AdmissionExpired,
    /// 403: an administrator revoked this admission.
    AdmissionRevoked,
    /// 409: the performance has no waiting room now; go straight to the seats.
    QueueClosed,
    /// 409: a reconciliation is running already; try again once it has finished.
    ReconcileRunning,
    /// 409: the caller has as many API keys as allowed; revoke one first.
    ApiKeyLimit,
    /// 409: this provider sign-in is linked to another account already.
    IdentityLinked,
    /// 422: this `Idempotency-Key` was used before with a different request.
    IdempotencyKeyReused,
    /// 405: the path exists but not with this method; `Allow` lists those it takes.
    MethodNotAllowed,
    /// 413: the request body is too large.
    PayloadTooLarge,
    /// 403: a state-changing request came from another site's page with
    /// this site's session cookie; it is refused (cross-site request forgery).
    CrossSiteRequest,
    /// 429: too many requests of this kind from this client, account or
    /// user; retry after `Retry-After` seconds.
    RateLimited,
    /// 429: too many failed logins for this account; retry after
    /// `Retry-After` seconds (a browser that logged in before is not held up).
    LoginThrottled,
    /// 415: the body is not sent as `application/json`.
    UnsupportedMediaType,
    /// 503: the database is unreachable; retry after `Retry-After` seconds.
    Unavailable,
    /// 500: a bug on our side; the details are in the server log.
    Internal,
}

impl ErrorCode {
    /// The snake_case form used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::InvalidJson => "invalid_json",
            Self::InvalidQuery => "invalid_query",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::EmailTaken => "email_taken",
            Self::RoomNameTaken => "room_name_taken",
            Self::SlotTaken => "slot_taken",
            Self::InvalidStatus => "invalid_status",
            Self::RoomInUse => "room_in_use",
            Self::LastAdmin => "last_admin",
            Self::VenueNameTaken => "venue_name_taken",
            Self::VenueInUse => "venue_in_use",
            Self::SeatTaken => "seat_taken",
            Self::SeatLimitExceeded => "seat_limit_exceeded",
            Self::HoldExpired => "hold_expired",
            Self::InsufficientPoints => "insufficient_points",
            Self::SaleNotOpen => "sale_not_open",
            Self::PerformanceStarted => "performance_started",
            Self::PerformanceCancelled => "performance_cancelled",
            Self::AdmissionRequired => "admission_required",
            Self::AdmissionInvalid => "admission_invalid",
            Self::AdmissionExpired => "admission_expired",
            Self::AdmissionRevoked => "admission_revoked",
            Self::QueueClosed => "queue_closed",
            Self::ReconcileRunning => "reconcile_running",
            Self::ApiKeyLimit => "api_key_limit",
            Self::IdentityLinked => "identity_linked",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::CrossSiteRequest => "cross_site_request",
            Self::RateLimited => "rate_limited",
            Self::LoginThrottled => "login_throttled",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_snake_case_names() {
        for code in [
            ErrorCode::SlotTaken,
            ErrorCode::InvalidInput,
            ErrorCode::LastAdmin,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}

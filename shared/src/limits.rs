//! The limits this server enforces, published so clients can say them up front.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limits {
    /// Longest room reservation, in minutes.
    pub max_reservation_minutes: i64,
    /// How many days ahead a room reservation may start.
    pub max_days_ahead: i64,
    /// Seats one user may hold or own per performance (also per request).
    pub max_seats_per_user: u32,
    /// How long a hold keeps its seats, in seconds.
    pub hold_ttl_seconds: i64,
    /// Largest single wallet charge, in points.
    pub max_charge: i64,
}

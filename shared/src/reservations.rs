//! Room reservations.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::{ReservationId, RoomId, UserId};

/// Where a reservation is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReservationStatus {
    /// Waiting for an admin; holds its time slots.
    Pending,
    /// Confirmed; holds its time slots.
    Approved,
    /// Refused by an admin; its slots are free.
    Rejected,
    /// Cancelled by its owner or an admin; its slots are free.
    Cancelled,
}

impl ReservationStatus {
    /// The snake_case form used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether a reservation in this status holds its room's time slots.
    pub fn holds_slots(self) -> bool {
        matches!(self, Self::Pending | Self::Approved)
    }
}

/// A reservation of a room for a time range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reservation {
    /// The reservation's id.
    pub id: ReservationId,
    /// The reserved room.
    pub room_id: RoomId,
    /// The room's name when the reservation was made.
    pub room_name: String,
    /// The room's IANA time zone when the reservation was made, for showing
    /// its times as the room's local times.
    pub time_zone: String,
    /// Who made the reservation.
    pub user_id: UserId,
    /// The owner's display name.
    pub user_name: String,
    /// Start of the range (inclusive).
    pub start: DateTime<Utc>,
    /// End of the range (exclusive).
    pub end: DateTime<Utc>,
    /// What the room is for.
    pub purpose: String,
    /// Current status.
    pub status: ReservationStatus,
    /// When the reservation was made.
    pub created_at: DateTime<Utc>,
    /// When the status last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/reservations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateReservation {
    /// The room to reserve.
    pub room_id: RoomId,
    /// Start, RFC 3339 with offset; aligned to the room's slot granularity.
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub start: DateTime<FixedOffset>,
    /// End, RFC 3339 with offset; after `start`, aligned like it.
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub end: DateTime<FixedOffset>,
    /// What the room is for, 1 to 200 characters.
    pub purpose: String,
}

/// Filters of `GET /api/v1/reservations`. All are optional and combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ReservationQuery {
    /// Only this room's reservations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_id: Option<RoomId>,
    /// Only reservations ending after this instant.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::rfc3339_opt"
    )]
    pub from: Option<DateTime<FixedOffset>>,
    /// Only reservations starting before this instant.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::rfc3339_opt"
    )]
    pub to: Option<DateTime<FixedOffset>>,
    /// Only reservations that ended at or before this instant (the past).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::rfc3339_opt"
    )]
    pub ends_before: Option<DateTime<FixedOffset>>,
    /// Only reservations in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReservationStatus>,
    /// Admins only: `true` lists everyone's reservations instead of their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<bool>,
    /// `asc` (default, earliest start first) or `desc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<SortOrder>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; absent or empty: the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// Direction of a list sorted by time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Earliest first.
    #[default]
    Asc,
    /// Latest first.
    Desc,
}

/// A span of time, start inclusive, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeRange {
    /// Start (inclusive).
    pub start: DateTime<Utc>,
    /// End (exclusive).
    pub end: DateTime<Utc>,
}

/// When a room is taken, without who or why: `GET /api/v1/rooms/{id}/busy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BusyRange {
    /// Start (inclusive).
    pub start: DateTime<Utc>,
    /// End (exclusive).
    pub end: DateTime<Utc>,
    /// `pending` (awaiting approval) or `approved`.
    pub status: ReservationStatus,
    /// The reservation's id, present only when it is the caller's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<ReservationId>,
}

/// Parameters of `GET /api/v1/rooms/{id}/busy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct BusyQuery {
    /// Start of the window, RFC 3339 with offset.
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub from: DateTime<FixedOffset>,
    /// End of the window, after `from` and at most 62 days later.
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub to: DateTime<FixedOffset>,
}

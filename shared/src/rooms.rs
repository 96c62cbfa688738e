//! Meeting rooms.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::RoomId;

/// A bookable meeting room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Room {
    /// The room's id.
    pub id: RoomId,
    /// Unique name, e.g. `A101`.
    pub name: String,
    /// Where the room is, e.g. a floor or building.
    pub location: String,
    /// How many people fit.
    pub capacity: u32,
    /// Whether a projector is installed.
    pub has_projector: bool,
    /// Free-form notes (equipment, access).
    pub notes: String,
    /// IANA time zone the room's local times are in, e.g. `Asia/Seoul`.
    pub time_zone: String,
    /// Whether reservations start `pending` and need an admin's approval.
    pub requires_approval: bool,
    /// Reservations start and end on multiples of this many minutes (local time).
    pub slot_minutes: u32,
    /// When the room was created.
    pub created_at: DateTime<Utc>,
    /// When the room was last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/rooms` (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRoom {
    /// Unique name, 1 to 100 characters (case-insensitive uniqueness).
    pub name: String,
    /// Location, up to 200 characters.
    #[serde(default)]
    pub location: String,
    /// Capacity, 1 to 10000.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10000))]
    pub capacity: u32,
    /// Whether a projector is installed (default false).
    #[serde(default)]
    pub has_projector: bool,
    /// Notes, up to 2000 characters.
    #[serde(default)]
    pub notes: String,
    /// IANA time zone (default `Asia/Seoul`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Whether reservations need approval (default false).
    #[serde(default)]
    pub requires_approval: bool,
    /// Slot granularity in minutes: 5, 10, 15, 20, 30 or 60 (default 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_minutes: Option<u32>,
}

/// `PATCH /api/v1/rooms/{id}` (admin): only the fields present change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateRoom {
    /// New unique name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// New capacity, 1 to 10000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10000))]
    pub capacity: Option<u32>,
    /// New projector flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_projector: Option<bool>,
    /// New notes (an empty string clears them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// New IANA time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// New approval requirement; affects new reservations only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_approval: Option<bool>,
    /// New slot granularity; affects new reservations only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_minutes: Option<u32>,
}

/// Filters of `GET /api/v1/rooms`. All are optional and combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct RoomQuery {
    /// Only rooms holding at least this many people (at most 10,000, the
    /// largest capacity a room may have).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(maximum = 10_000))]
    pub min_capacity: Option<u32>,
    /// Only rooms with (`true`) or without (`false`) a projector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_projector: Option<bool>,
    /// Only rooms whose location contains this text (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// With `to`: only rooms free for the whole range [`from`, `to`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::rfc3339_opt"
    )]
    pub from: Option<DateTime<FixedOffset>>,
    /// With `from`: end of the range that must be free.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::rfc3339_opt"
    )]
    pub to: Option<DateTime<FixedOffset>>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; absent or empty: the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

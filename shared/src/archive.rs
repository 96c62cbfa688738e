//! The archive: finished reservations and bookings of past performances,
//! moved out of the live collections by `api archive --before DATE`, each
//! one self-contained (the user, room, show and seats as they were).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    BookingId, BookingStatus, PerformanceId, ReservationId, ReservationStatus, RoomId, ShowId,
    UserId,
};

/// The account behind an archived record, as it was when archived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchivedUser {
    pub id: UserId,
    pub name: String,
    /// Empty when the account no longer existed.
    pub email: String,
}

/// The room of an archived reservation, as it was when archived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchivedRoom {
    pub id: RoomId,
    pub name: String,
    pub location: String,
    pub capacity: u32,
    /// IANA zone the reservation was made in.
    pub time_zone: String,
}

/// A finished reservation, archived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchivedReservation {
    /// The reservation's id, unchanged.
    pub id: ReservationId,
    pub user: ArchivedUser,
    pub room: ArchivedRoom,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub purpose: String,
    /// Its last status.
    pub status: ReservationStatus,
    pub created_at: DateTime<Utc>,
    pub archived_at: DateTime<Utc>,
}

/// The show of an archived booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchivedShow {
    pub id: ShowId,
    pub title: String,
    pub running_minutes: u32,
}

/// The performance of an archived booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchivedPerformance {
    pub id: PerformanceId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub venue_name: String,
    /// The venue's IANA zone.
    pub time_zone: String,
    /// The performance was cancelled.
    pub cancelled: bool,
}

/// One seat of an archived booking, as sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchivedSeat {
    pub label: String,
    pub section: String,
    pub row: String,
    pub number: u32,
    pub tier: String,
    /// Price in points.
    pub price: u32,
}

/// A booking of a past performance, archived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArchivedBooking {
    /// The booking's id, unchanged (the wallet's ledger still names it).
    pub id: BookingId,
    pub user: ArchivedUser,
    pub show: ArchivedShow,
    pub performance: ArchivedPerformance,
    pub seats: Vec<ArchivedSeat>,
    /// Price paid, in points.
    pub total: u32,
    /// Its last status.
    pub status: BookingStatus,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Points refunded when cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded: Option<u32>,
    pub archived_at: DateTime<Utc>,
}

/// `GET /api/v1/archive/reservations`: newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ArchivedReservationQuery {
    /// The user's e-mail address (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The room's name (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// Starting at or after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Starting before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `GET /api/v1/archive/bookings`: newest performance first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ArchivedBookingQuery {
    /// The buyer's e-mail address (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The show's title (any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show: Option<String>,
    /// Performances starting at or after this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Performances starting before this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// What one `api archive` run did, per kind of record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveCount {
    /// Live records older than the date when the run began.
    pub eligible: u64,
    /// Moved by this run (each read back from the archive before its live
    /// copy was deleted).
    pub archived: u64,
    /// Live records older than the date when the run ended (0 unless a
    /// record changed meanwhile).
    pub left: u64,
    /// Records in the archive collection after the run.
    pub in_archive: u64,
}

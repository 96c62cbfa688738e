//! Seat maps, holds and bookings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{BookingId, HoldId, PerformanceId, ShowId};

/// What a seat is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeatState {
    /// Free to hold or book.
    Available,
    /// Held by someone (maybe the caller: see `mine`) until the hold expires.
    Held,
    /// Sold.
    Booked,
}

/// One seat on the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Seat {
    /// Label, e.g. `A1`.
    pub label: String,
    /// Seat number within the row.
    pub number: u32,
    /// Price tier.
    pub tier: String,
    /// Price in points.
    pub price: u32,
    /// Current state.
    pub state: SeatState,
    /// The caller holds or booked this seat.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mine: bool,
    /// A gap or an aisle follows this seat in its row.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gap_after: bool,
}

/// A row of seats on the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatRow {
    /// Row label, e.g. `A`.
    pub label: String,
    /// Seats left to right.
    pub seats: Vec<Seat>,
}

/// A section of the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatSection {
    /// Section name.
    pub name: String,
    /// Rows front to back.
    pub rows: Vec<SeatRow>,
}

/// `GET /api/v1/performances/{id}/seats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatMap {
    /// The performance.
    pub performance_id: PerformanceId,
    /// Sections in display order.
    pub sections: Vec<SeatSection>,
    /// How many seats are available.
    pub available: u32,
    /// Colour of each price tier, `#rrggbb`.
    #[serde(default)]
    pub tier_colors: std::collections::BTreeMap<String, String>,
}

/// One seat's new state, pushed by `GET /api/v1/performances/{id}/seats/events`
/// as an `event: seat` whenever it changes, through any instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatEvent {
    /// Label, e.g. `A1`.
    pub label: String,
    /// The seat's state now.
    pub state: SeatState,
    /// The caller holds or booked this seat.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mine: bool,
    /// For a held seat: when the hold runs out and the seat is free again,
    /// unless it is booked first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_until: Option<DateTime<Utc>>,
}

/// `POST /api/v1/performances/{id}/holds` and `/bookings`: the seats wanted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SeatRequest {
    /// Seat labels, e.g. `["A1", "A2"]`, each once; all or none are taken.
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub seats: Vec<String>,
}

/// Seats set aside for their holder until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hold {
    /// The hold's id.
    pub id: HoldId,
    /// The performance.
    pub performance_id: PerformanceId,
    /// The held seats.
    pub seats: Vec<String>,
    /// Price of all the seats, in points.
    pub total: u32,
    /// After this instant the seats are free again unless confirmed.
    pub expires_at: DateTime<Utc>,
}

/// Where a booking is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Paid; the seats are the holder's.
    Confirmed,
    /// Cancelled and refunded; the seats are free again.
    Cancelled,
}

/// Paid seats for a performance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Booking {
    /// The booking's id.
    pub id: BookingId,
    /// The performance.
    pub performance_id: PerformanceId,
    /// The show.
    pub show_id: ShowId,
    /// The show's title.
    pub show_title: String,
    /// The venue's name.
    pub venue_name: String,
    /// The venue's IANA time zone, for showing local times.
    pub time_zone: String,
    /// Curtain up.
    pub starts_at: DateTime<Utc>,
    /// The booked seats.
    pub seats: Vec<String>,
    /// Points paid.
    pub total: u32,
    /// Current status.
    pub status: BookingStatus,
    /// When it was booked.
    pub created_at: DateTime<Utc>,
    /// When it was cancelled, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Points refunded on cancellation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded: Option<u32>,
    /// Cancelled because the performance was cancelled (not by the buyer).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub performance_cancelled: bool,
}

/// Parameters of `GET /api/v1/bookings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct BookingQuery {
    /// Only bookings in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<BookingStatus>,
    /// `true`: performances not started yet; `false`: those that have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upcoming: Option<bool>,
    /// Sort by the performance's start, `asc` (soonest first) or `desc`;
    /// without it, the newest booking comes first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<crate::SortOrder>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; absent or empty: the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

//! Shows and their performances.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::{PerformanceId, ShowId, VenueId};

/// `POST /api/v1/shows` (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateShow {
    /// Title, 1 to 200 characters.
    pub title: String,
    /// Poster image: an `http(s)://` URL or a path on this server.
    #[serde(default)]
    pub poster_url: String,
    /// Description, up to 5000 characters.
    #[serde(default)]
    pub description: String,
    /// Where it plays (city or venue name), up to 200 characters.
    #[serde(default)]
    pub location: String,
    /// Running time in minutes, 1 to 1440.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1440))]
    pub running_minutes: u32,
}

/// `POST /api/v1/shows/{id}/performances` (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePerformance {
    /// The venue whose seat map is used.
    pub venue_id: VenueId,
    /// Curtain up, RFC 3339 with offset; in the future.
    #[serde(deserialize_with = "crate::time::rfc3339")]
    pub starts_at: DateTime<FixedOffset>,
    /// Price in points for every tier of the venue.
    pub prices: BTreeMap<String, u32>,
    /// When seats go on sale (default: at once); before `starts_at`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::time::rfc3339_opt"
    )]
    pub sale_opens_at: Option<DateTime<FixedOffset>>,
}

/// Seat counts of a performance or a whole show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Availability {
    /// All seats.
    pub total_seats: u32,
    /// Seats neither booked nor held.
    pub remaining_seats: u32,
    /// Seats booked.
    pub booked_seats: u32,
    /// No seat remains.
    pub sold_out: bool,
}

/// One performance of a show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Performance {
    /// The performance's id.
    pub id: PerformanceId,
    /// The show it belongs to.
    pub show_id: ShowId,
    /// The show's title.
    pub show_title: String,
    /// The venue.
    pub venue_id: VenueId,
    /// The venue's name.
    pub venue_name: String,
    /// The venue's IANA time zone, for showing local times.
    pub time_zone: String,
    /// Curtain up.
    pub starts_at: DateTime<Utc>,
    /// Curtain down (start plus the show's running time).
    pub ends_at: DateTime<Utc>,
    /// When seats go on sale.
    pub sale_opens_at: DateTime<Utc>,
    /// Price in points per tier.
    pub prices: BTreeMap<String, u32>,
    /// Seat counts.
    pub availability: Availability,
    /// When it was cancelled, if it was: nothing more is sold, and every
    /// booking is cancelled and refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Why, as the organiser told the buyers (may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
}

/// `POST /api/v1/performances/{id}/cancel` (admin).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelPerformance {
    /// Why, told to the buyers; up to 500 characters.
    #[serde(default)]
    pub reason: String,
}

/// What cancelling a performance did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceCancellation {
    /// The performance, cancelled.
    pub performance: Performance,
    /// Bookings this request cancelled and refunded.
    pub bookings_cancelled: u32,
    /// Points this request refunded.
    pub points_refunded: u64,
    /// Live holds this request released.
    pub holds_released: u32,
    /// Confirmed bookings still left (`0` when done; a background job
    /// finishes them, as does sending the request again).
    pub bookings_left: u32,
}

/// A show as listed and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Show {
    /// The show's id.
    pub id: ShowId,
    /// Title.
    pub title: String,
    /// Poster image URL (absolute, or a path on this server).
    pub poster_url: String,
    /// Description.
    pub description: String,
    /// Where it plays.
    pub location: String,
    /// Running time in minutes.
    pub running_minutes: u32,
    /// When the show was added.
    pub created_at: DateTime<Utc>,
    /// Lowest price over its performances, if it has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_price: Option<u32>,
    /// Seat counts over all its performances.
    pub availability: Availability,
    /// For a logged-in caller: whether they hold a confirmed booking for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booked_by_me: Option<bool>,
}

/// A show with its performances (`GET /api/v1/shows/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowDetail {
    /// The show.
    #[serde(flatten)]
    pub show: Show,
    /// Its performances, earliest first.
    pub performances: Vec<Performance>,
}

/// Order of the show list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShowSort {
    /// Newest first.
    #[default]
    Latest,
    /// Most booked seats first.
    Popular,
}

/// Parameters of `GET /api/v1/shows`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ShowQuery {
    /// `latest` (default) or `popular`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<ShowSort>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; absent or empty: the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

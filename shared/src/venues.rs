//! Venues and their seat maps.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::VenueId;

/// `POST /api/v1/venues` (admin): a named seat map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateVenue {
    /// Unique name, 1 to 100 characters.
    pub name: String,
    /// Address or area, up to 200 characters.
    #[serde(default)]
    pub location: String,
    /// IANA time zone performances here are shown in (default `Asia/Seoul`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Sections in display order; at least one seat in all.
    pub sections: Vec<SectionSpec>,
}

/// A section of the seat map, e.g. `Floor` or `Balcony`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SectionSpec {
    /// Section name, 1 to 50 characters.
    pub name: String,
    /// Rows front to back.
    pub rows: Vec<RowSpec>,
}

/// A row of seats labelled `{label}{number}`, e.g. `A1` to `A14`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RowSpec {
    /// Row label, 1 to 5 letters or digits, e.g. `A`.
    pub label: String,
    /// Number of seats in the row, 1 to 200.
    pub seats: u32,
    /// Number of the first seat (default 1).
    #[serde(default = "first_seat", skip_serializing_if = "is_first_seat")]
    pub first_number: u32,
    /// Price tier of every seat in the row, e.g. `R` or `S`.
    pub tier: String,
}

fn first_seat() -> u32 {
    1
}

fn is_first_seat(n: &u32) -> bool {
    *n == 1
}

/// A venue with its seat map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Venue {
    /// The venue's id.
    pub id: VenueId,
    /// Unique name.
    pub name: String,
    /// Address or area.
    pub location: String,
    /// IANA time zone performances here are shown in.
    pub time_zone: String,
    /// The seat map as created.
    pub sections: Vec<SectionSpec>,
    /// Price tiers used by the seat map, in first-use order.
    pub tiers: Vec<String>,
    /// Number of seats.
    pub seat_count: u32,
    /// When the venue was created.
    pub created_at: DateTime<Utc>,
}

//! Venues and their seat maps.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::VenueId;

/// `POST /api/v1/venues` (admin): a named seat map; `PUT /api/v1/venues/{id}`
/// replaces one.
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
    /// Colour of each price tier on the seat map, `#rrggbb`; tiers left out
    /// take one from the default palette.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tier_colors: BTreeMap<String, String>,
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
    /// Seat numbers followed by a gap or an aisle, e.g. `[4, 10]` for an
    /// aisle between seats 4 and 5 and another between 10 and 11.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps_after: Vec<u32>,
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
    /// Colour of every tier, `#rrggbb`.
    pub tier_colors: BTreeMap<String, String>,
    /// Number of seats.
    pub seat_count: u32,
    /// When the venue was created.
    pub created_at: DateTime<Utc>,
}

/// Colours tiers take when the venue names none, in first-use order.
pub const TIER_PALETTE: [&str; 8] = [
    "#2f9e6b", "#d9480f", "#1c7ed6", "#ae3ec9", "#f08c00", "#0c8599", "#c2255c", "#5c940d",
];

/// The colour of the `index`th tier when none was chosen.
pub fn default_tier_color(index: usize) -> &'static str {
    TIER_PALETTE[index % TIER_PALETTE.len()]
}

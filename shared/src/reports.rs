//! Reports for admins: how sales are going, per performance, per show and
//! over time.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{PerformanceId, ShowId};

/// How a report is sent: JSON (the default) or CSV for a spreadsheet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    #[default]
    Json,
    Csv,
}

/// The width of one step of a timeline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Hour,
    #[default]
    Day,
}

/// `GET /api/v1/reports/sales`: which performances, and how to send them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SalesQuery {
    /// Only this show's performances (a show id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(pattern = "^[0-9a-fA-F]{24}$"))]
    pub show_id: Option<String>,
    /// Only performances starting at or after this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<FixedOffset>>,
    /// Only performances starting before this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<FixedOffset>>,
    /// The timeline's step (default `day`, in the time zone of the first
    /// performance's venue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<Bucket>,
    /// `json` (default) or `csv` (one line per performance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ReportFormat>,
}

/// Seats and money of one performance, as stored now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceSales {
    pub performance_id: PerformanceId,
    pub show_id: ShowId,
    pub show_title: String,
    pub venue_name: String,
    pub starts_at: DateTime<Utc>,
    /// The venue's time zone.
    pub time_zone: String,
    /// Every seat of the performance.
    pub seats: u32,
    /// Seats booked.
    pub sold: u32,
    /// Seats in a hold that has not expired.
    pub held: u32,
    /// Seats anyone may take.
    pub free: u32,
    /// Points paid for the bookings that stand.
    pub revenue: u64,
    /// Points given back for cancelled bookings.
    pub refunded: u64,
}

/// The same, summed over a show's performances in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShowSales {
    pub show_id: ShowId,
    pub show_title: String,
    pub performances: u32,
    pub seats: u32,
    pub sold: u32,
    pub held: u32,
    pub free: u32,
    pub revenue: u64,
    pub refunded: u64,
}

/// One step of the timeline: bookings made and cancelled in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesPoint {
    /// Where the step begins.
    pub at: DateTime<Utc>,
    /// Seats booked in the step (also those cancelled later).
    pub seats_sold: u32,
    /// Points paid in the step.
    pub revenue: u64,
    /// Seats whose booking was cancelled in the step.
    pub seats_cancelled: u32,
}

/// `GET /api/v1/reports/sales`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SalesReport {
    /// Performances in order of start.
    pub performances: Vec<PerformanceSales>,
    /// Shows, most revenue first.
    pub shows: Vec<ShowSales>,
    pub bucket: Bucket,
    /// The time zone the timeline's steps are cut in.
    pub time_zone: String,
    /// Steps with any sale or cancellation, oldest first.
    pub timeline: Vec<SalesPoint>,
    /// When the figures were read.
    pub generated_at: DateTime<Utc>,
}

/// `GET /api/v1/reports/occupancy`: which rooms, over which time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct OccupancyQuery {
    /// Start of the period (RFC 3339; default 30 days before `to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<FixedOffset>>,
    /// End of the period (RFC 3339; default now). At most 366 days after `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<FixedOffset>>,
    /// Only this room (a room id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(pattern = "^[0-9a-fA-F]{24}$"))]
    pub room_id: Option<String>,
    /// `json` (default) or `csv` (one line per room, weekday and hour).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ReportFormat>,
}

/// Minutes reserved in one hour of the week, in the room's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatCell {
    /// 1 (Monday) to 7 (Sunday).
    pub weekday: u8,
    /// 0 to 23.
    pub hour: u8,
    /// Minutes reserved in this hour over the whole period.
    pub minutes: u64,
}

/// How much one room was reserved over the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoomOccupancy {
    pub room_id: crate::ids::RoomId,
    pub room_name: String,
    pub time_zone: String,
    /// Approved reservations overlapping the period.
    pub reservations: u32,
    /// Minutes reserved inside the period.
    pub minutes: u64,
    /// `minutes` over every minute of the period, 0 to 1.
    pub share: f64,
    /// Hours of the week with any reservation, Monday 00:00 first.
    pub heatmap: Vec<HeatCell>,
    /// Reservations nobody checked in to; `null` while rooms have no
    /// check-in.
    pub no_shows: Option<u32>,
}

/// `GET /api/v1/reports/occupancy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OccupancyReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every room asked for, busiest first.
    pub rooms: Vec<RoomOccupancy>,
    pub generated_at: DateTime<Utc>,
}

//! The waiting room in front of a performance's sale.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::PerformanceId;

/// `PUT /api/v1/performances/{id}/queue`: how the waiting room admits buyers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QueueSettings {
    /// Whether buyers must queue; while on, holding or booking seats needs an
    /// admission token.
    pub enabled: bool,
    /// Admit at most this many buyers per minute (1 to 100000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000))]
    pub admit_per_minute: Option<u32>,
    /// Keep at most this many admitted buyers shopping at once (1 to 100000).
    /// At least one of `admit_per_minute` and `max_active` is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100000))]
    pub max_active: Option<u32>,
    /// How long an admitted buyer may shop, in seconds (10 to 7200).
    #[cfg_attr(feature = "openapi", schema(minimum = 10, maximum = 7200))]
    pub shop_seconds: u32,
    /// How long a waiting buyer may go without polling before the line
    /// skips them, in seconds (5 to 3600).
    #[cfg_attr(feature = "openapi", schema(minimum = 5, maximum = 3600))]
    pub grace_seconds: u32,
    /// Buyers who join before the sale opens are put in a random order at
    /// the opening, ahead of everyone who joins later.
    #[serde(default)]
    pub pre_queue: bool,
}

/// Where a buyer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueueStatus {
    /// In line; keep polling.
    Waiting,
    /// It is the buyer's turn: `admission` holds the token for the sale.
    Admitted,
    /// The buyer's place is gone: silent past the grace period, shopping
    /// time over, revoked, or already used for a booking. Join again to
    /// queue at the back.
    Expired,
    /// The performance has no waiting room now: go straight to the seats.
    Closed,
}

/// An admitted buyer's pass to the sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Admission {
    /// Send as the `Admission-Token` header when holding or booking seats.
    pub token: String,
    /// The buyer may shop until then.
    pub expires_at: DateTime<Utc>,
}

/// `POST /api/v1/performances/{id}/queue` and `GET /api/v1/queue/{ticket}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueTicket {
    /// Poll `GET /api/v1/queue/{ticket}` with this; it may change (once the
    /// buyer's place is drawn), so always keep the latest.
    pub ticket: String,
    /// The performance queued for.
    pub performance_id: PerformanceId,
    /// Where the buyer stands.
    pub status: QueueStatus,
    /// Place in line, from 1; absent until drawn (pre-queue before the sale opens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    /// Places still ahead (buyers who left are counted until the line reaches them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ahead: Option<u64>,
    /// Estimated seconds until admission, from the measured admission rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_wait_seconds: Option<u64>,
    /// When the sale opens, while the place is not drawn yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_opens_at: Option<DateTime<Utc>>,
    /// Poll again after this many milliseconds (sooner near the front).
    pub poll_after_ms: u64,
    /// The pass, once admitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission: Option<Admission>,
}

/// `GET /api/v1/performances/{id}/queue` (admin): settings and live figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueOverview {
    /// The performance.
    pub performance_id: PerformanceId,
    /// Current settings; absent if the queue was never set up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<QueueSettings>,
    /// Buyers in line.
    pub waiting: u64,
    /// Admitted buyers whose shopping time is not over.
    pub active: u64,
    /// Buyers admitted in the last minute.
    pub admitted_last_minute: u64,
    /// Buyers admitted since the queue was set up.
    pub admitted_total: u64,
    /// Highest place the line has reached (admitted or skipped).
    pub frontier: u64,
    /// Whether pre-queued buyers have been drawn (always true without a pre-queue).
    pub drawn: bool,
}

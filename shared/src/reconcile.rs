//! Reconciliation: every derived fact checked against its source of truth
//! (admin only).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which derived fact disagreed with its source of truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// A seat's state, holder, hold or booking disagrees with the confirmed
    /// bookings and live holds of its performance.
    SeatState,
    /// The booked-seat guard (one document per booked seat, which refuses
    /// a seat in two bookings) disagrees with the confirmed bookings.
    BookedSeat,
    /// A buyer's seat-limit guard disagrees with their live holds and
    /// confirmed bookings of a performance.
    SeatGuard,
    /// A performance's seat count disagrees with its seat documents.
    SeatCount,
    /// A room's claimed five-minute cells disagree with its active
    /// reservations.
    RoomCell,
    /// A wallet's balance disagrees with the sum of its ledger.
    WalletBalance,
    /// A room's occupancy roll-up of a sealed day disagrees with its
    /// approved reservations.
    OccupancyDay,
}

impl DriftKind {
    pub const ALL: [Self; 7] = [
        Self::SeatState,
        Self::BookedSeat,
        Self::SeatGuard,
        Self::SeatCount,
        Self::RoomCell,
        Self::WalletBalance,
        Self::OccupancyDay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SeatState => "seat_state",
            Self::BookedSeat => "booked_seat",
            Self::SeatGuard => "seat_guard",
            Self::SeatCount => "seat_count",
            Self::RoomCell => "room_cell",
            Self::WalletBalance => "wallet_balance",
            Self::OccupancyDay => "occupancy_day",
        }
    }
}

/// One disagreement, with the ids to look it up by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Drift {
    pub kind: DriftKind,
    /// What holds the derived fact: `performance`, `room` or `wallet`.
    pub target_type: String,
    /// That target's id.
    pub target_id: String,
    /// What disagrees, naming the seat, cell, booking, hold or reservation.
    pub detail: String,
    /// Whether this run fixed it. Only derived data is ever changed;
    /// drift whose fix would change a source of truth (two confirmed
    /// bookings of one seat, two active reservations of one cell) is
    /// reported and left for a person.
    pub repaired: bool,
}

/// Who started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReconcileTrigger {
    /// The periodic job (`reconcile.every_seconds`).
    Schedule,
    /// An admin, through the API or the web app.
    Admin,
    /// `api reconcile` on the command line.
    Command,
}

/// How much a run looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReconcileCounts {
    pub performances: u64,
    pub seats: u64,
    pub bookings: u64,
    pub holds: u64,
    pub rooms: u64,
    pub reservations: u64,
    pub wallets: u64,
}

/// One reconciliation run and what it found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reconciliation {
    pub id: String,
    pub trigger: ReconcileTrigger,
    /// Whether the run fixed what it found.
    pub repair: bool,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub checked: ReconcileCounts,
    /// Every drift found (the first 1,000 when there are more; `drift_count`
    /// counts them all).
    pub drifts: Vec<Drift>,
    pub drift_count: u64,
    /// How many drifts of each kind were found (all of them).
    pub drift_by_kind: BTreeMap<DriftKind, u64>,
    /// How many were repaired.
    pub repaired_count: u64,
}

/// `POST /api/v1/admin/reconciliations`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RunReconciliation {
    /// Fix derived data that drifted (default `false`: only report).
    #[serde(default)]
    pub repair: bool,
}

/// `GET /api/v1/reconciliations`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ReconciliationQuery {
    /// How many of the latest runs, 1 to 100 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

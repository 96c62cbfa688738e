//! The waiting room's stored documents.

use bson::oid::ObjectId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::queue::QueueRules;

/// Admissions of one scheduler tick, kept for a minute to measure the rate.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Admitted {
    pub at: bson::DateTime,
    pub n: i64,
}

/// One queued performance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueueStateDoc {
    /// The performance's id.
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub rules: QueueRules,
    pub sale_opens_at: bson::DateTime,
    /// Pre-queued buyers have places (always true without a pre-queue).
    pub drawn: bool,
    /// Every place up to here is admitted, skipped or gone.
    pub frontier: i64,
    /// Admissions the rate allows and the line has not used yet.
    pub credit: f64,
    /// The database's time at the last scheduler tick.
    pub last_tick: bson::DateTime,
    pub admitted_total: i64,
    #[serde(default)]
    pub recent: Vec<Admitted>,
}

impl QueueStateDoc {
    /// Buyers admitted in the minute before `now`.
    pub fn admitted_last_minute(&self, now: DateTime<Utc>) -> u64 {
        let since = now - chrono::Duration::minutes(1);
        self.recent
            .iter()
            .filter(|a| a.at.to_chrono() > since)
            .map(|a| u64::try_from(a.n).unwrap_or(0))
            .sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Waiting,
    Admitted,
    /// Skipped while silent, or the shopping time ran out.
    Expired,
    /// Used for a booking.
    Done,
    Revoked,
}

/// One buyer's place in one performance's line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub performance_id: ObjectId,
    pub user_id: ObjectId,
    pub position: Option<i64>,
    /// Joined before a pre-queued sale opened: drawn at random.
    pub pre: bool,
    pub draw_key: i64,
    pub status: TicketStatus,
    /// The database's time of the buyer's last poll.
    pub seen_at: bson::DateTime,
    pub joined_at: bson::DateTime,
    /// The scheduler's (database) time of admission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admitted_at: Option<bson::DateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admitted_until: Option<bson::DateTime>,
    /// When the turn ended: skipped, timed out, used or revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<bson::DateTime>,
}

impl TicketDoc {
    /// Admitted and still within the shopping time at `now`.
    pub fn is_shopping(&self, now: DateTime<Utc>) -> bool {
        self.status == TicketStatus::Admitted
            && self.admitted_until.is_some_and(|u| u.to_chrono() > now)
    }

    /// Still has a place or a turn at `now`: joining again keeps it.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.status == TicketStatus::Waiting || self.is_shopping(now)
    }
}

impl TicketStatus {
    pub fn name(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Admitted => "admitted",
            Self::Expired => "expired",
            Self::Done => "done",
            Self::Revoked => "revoked",
        }
    }
}

//! The points wallet and its ledger.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::BookingId;

/// A user's points. The balance always equals the sum of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Wallet {
    /// Points available; never negative.
    pub balance: i64,
    /// When the balance last changed, if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/wallet/charge`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChargeWallet {
    /// Points to add: positive, at most the configured maximum per charge.
    pub amount: i64,
}

/// Why the balance moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Points added by the user.
    Charge,
    /// Points paid for a booking.
    Payment,
    /// Points returned for a cancelled booking.
    Refund,
}

/// One movement of the balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntry {
    /// The entry's id.
    pub id: String,
    /// Signed change: positive for charges and refunds, negative for payments.
    pub amount: i64,
    /// Why.
    pub kind: LedgerKind,
    /// The booking paid or refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<BookingId>,
    /// The balance right after this entry.
    pub balance_after: i64,
    /// When it happened.
    pub created_at: DateTime<Utc>,
}

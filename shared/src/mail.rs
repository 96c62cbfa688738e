//! E-mail to users: which kinds there are, and each user's choices.

use serde::{Deserialize, Serialize};

/// The language a user reads e-mail in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Ko,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Self::Ko => "ko",
            Self::En => "en",
        }
    }
}

/// A kind of e-mail the product sends; each can be turned off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// Seats booked and paid.
    BookingConfirmed,
    /// A booking cancelled, with the points refunded.
    BookingCancelled,
    /// A reservation that needed approval was approved.
    ReservationApproved,
    /// A reservation that needed approval was rejected.
    ReservationRejected,
    /// An administrator cancelled the user's reservation.
    ReservationCancelled,
    /// A reservation or performance starts soon (`mail.reminder_minutes`).
    Reminder,
}

impl MailKind {
    pub const ALL: [Self; 6] = [
        Self::BookingConfirmed,
        Self::BookingCancelled,
        Self::ReservationApproved,
        Self::ReservationRejected,
        Self::ReservationCancelled,
        Self::Reminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BookingConfirmed => "booking_confirmed",
            Self::BookingCancelled => "booking_cancelled",
            Self::ReservationApproved => "reservation_approved",
            Self::ReservationRejected => "reservation_rejected",
            Self::ReservationCancelled => "reservation_cancelled",
            Self::Reminder => "reminder",
        }
    }
}

/// `GET` and `PUT /api/v1/me/notifications`: the caller's e-mail
/// language and the kinds of e-mail they turned off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// The language of e-mail to this account.
    pub language: Language,
    /// Kinds of e-mail not to send; empty sends every kind.
    #[serde(default)]
    pub muted: Vec<MailKind>,
}

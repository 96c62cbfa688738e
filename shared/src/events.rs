//! Events: what changed, who changed it, and where it was sent.
//!
//! Every state change writes one event in the same transaction as the
//! change. The admin-only audit log reads them; webhooks deliver them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::UserId;

/// The kinds of event, as `aggregate.happening`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventType {
    /// A room reservation was made (pending or approved).
    #[serde(rename = "reservation.created")]
    ReservationCreated,
    /// The room started requiring approval as the reservation was made.
    #[serde(rename = "reservation.pending")]
    ReservationPending,
    /// An admin approved a pending reservation.
    #[serde(rename = "reservation.approved")]
    ReservationApproved,
    /// An admin rejected a pending reservation.
    #[serde(rename = "reservation.rejected")]
    ReservationRejected,
    /// The owner or an admin cancelled a reservation.
    #[serde(rename = "reservation.cancelled")]
    ReservationCancelled,
    /// A reservation made while its room was deleted, removed again.
    #[serde(rename = "reservation.withdrawn")]
    ReservationWithdrawn,
    /// A finished reservation moved to the archive (`api archive`); it is
    /// no longer among the live reservations.
    #[serde(rename = "reservation.archived")]
    ReservationArchived,
    /// Seats were set aside for a few minutes.
    #[serde(rename = "hold.created")]
    HoldCreated,
    /// The buyer let a hold go.
    #[serde(rename = "hold.released")]
    HoldReleased,
    /// A hold ran out before it was paid.
    #[serde(rename = "hold.expired")]
    HoldExpired,
    /// A hold was paid and became a booking.
    #[serde(rename = "hold.confirmed")]
    HoldConfirmed,
    /// Seats were booked and paid.
    #[serde(rename = "booking.confirmed")]
    BookingConfirmed,
    /// A booking was cancelled and refunded.
    #[serde(rename = "booking.cancelled")]
    BookingCancelled,
    /// A booking of a past performance moved to the archive (`api archive`).
    #[serde(rename = "booking.archived")]
    BookingArchived,
    /// Points were added to a wallet.
    #[serde(rename = "wallet.charged")]
    WalletCharged,
    /// Points were paid from a wallet.
    #[serde(rename = "wallet.debited")]
    WalletDebited,
    /// Points went back to a wallet.
    #[serde(rename = "wallet.refunded")]
    WalletRefunded,
    /// A room was created.
    #[serde(rename = "room.created")]
    RoomCreated,
    /// A room's details changed.
    #[serde(rename = "room.updated")]
    RoomUpdated,
    /// A room was deleted.
    #[serde(rename = "room.deleted")]
    RoomDeleted,
    /// A venue was created.
    #[serde(rename = "venue.created")]
    VenueCreated,
    /// A venue's name, location or seat map changed.
    #[serde(rename = "venue.updated")]
    VenueUpdated,
    /// A show was created.
    #[serde(rename = "show.created")]
    ShowCreated,
    /// A show's details or poster changed.
    #[serde(rename = "show.updated")]
    ShowUpdated,
    /// A performance was scheduled.
    #[serde(rename = "performance.created")]
    PerformanceCreated,
    /// A performance's sale (its waiting room) was set up or changed.
    #[serde(rename = "performance.updated")]
    PerformanceUpdated,
    /// A performance was cancelled; its bookings are cancelled and refunded
    /// one by one (each with its `booking.cancelled`).
    #[serde(rename = "performance.cancelled")]
    PerformanceCancelled,
    /// An account was created.
    #[serde(rename = "user.created")]
    UserCreated,
    /// An account's role changed.
    #[serde(rename = "user.role_changed")]
    UserRoleChanged,
    /// An admin disabled an account; its sessions ended.
    #[serde(rename = "user.disabled")]
    UserDisabled,
    /// An admin enabled a disabled account again.
    #[serde(rename = "user.enabled")]
    UserEnabled,
    /// An account's password changed; its other sessions ended.
    #[serde(rename = "user.password_changed")]
    UserPasswordChanged,
    /// A sign-in provider's identity was linked to an existing account.
    #[serde(rename = "user.identity_linked")]
    UserIdentityLinked,
}

impl EventType {
    pub const ALL: [EventType; 33] = [
        Self::ReservationCreated,
        Self::ReservationPending,
        Self::ReservationApproved,
        Self::ReservationRejected,
        Self::ReservationCancelled,
        Self::ReservationWithdrawn,
        Self::ReservationArchived,
        Self::HoldCreated,
        Self::HoldReleased,
        Self::HoldExpired,
        Self::HoldConfirmed,
        Self::BookingConfirmed,
        Self::BookingCancelled,
        Self::BookingArchived,
        Self::WalletCharged,
        Self::WalletDebited,
        Self::WalletRefunded,
        Self::RoomCreated,
        Self::RoomUpdated,
        Self::RoomDeleted,
        Self::VenueCreated,
        Self::VenueUpdated,
        Self::ShowCreated,
        Self::ShowUpdated,
        Self::PerformanceCreated,
        Self::PerformanceUpdated,
        Self::PerformanceCancelled,
        Self::UserCreated,
        Self::UserRoleChanged,
        Self::UserDisabled,
        Self::UserEnabled,
        Self::UserPasswordChanged,
        Self::UserIdentityLinked,
    ];

    /// The wire name, e.g. `booking.confirmed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReservationCreated => "reservation.created",
            Self::ReservationPending => "reservation.pending",
            Self::ReservationApproved => "reservation.approved",
            Self::ReservationRejected => "reservation.rejected",
            Self::ReservationCancelled => "reservation.cancelled",
            Self::ReservationWithdrawn => "reservation.withdrawn",
            Self::ReservationArchived => "reservation.archived",
            Self::HoldCreated => "hold.created",
            Self::HoldReleased => "hold.released",
            Self::HoldExpired => "hold.expired",
            Self::HoldConfirmed => "hold.confirmed",
            Self::BookingConfirmed => "booking.confirmed",
            Self::BookingCancelled => "booking.cancelled",
            Self::BookingArchived => "booking.archived",
            Self::WalletCharged => "wallet.charged",
            Self::WalletDebited => "wallet.debited",
            Self::WalletRefunded => "wallet.refunded",
            Self::RoomCreated => "room.created",
            Self::RoomUpdated => "room.updated",
            Self::RoomDeleted => "room.deleted",
            Self::VenueCreated => "venue.created",
            Self::VenueUpdated => "venue.updated",
            Self::ShowCreated => "show.created",
            Self::ShowUpdated => "show.updated",
            Self::PerformanceCreated => "performance.created",
            Self::PerformanceUpdated => "performance.updated",
            Self::PerformanceCancelled => "performance.cancelled",
            Self::UserCreated => "user.created",
            Self::UserRoleChanged => "user.role_changed",
            Self::UserDisabled => "user.disabled",
            Self::UserEnabled => "user.enabled",
            Self::UserPasswordChanged => "user.password_changed",
            Self::UserIdentityLinked => "user.identity_linked",
        }
    }

    /// The event type with this wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The kind of thing the event is about: `booking` for `booking.confirmed`.
    pub fn aggregate(self) -> &'static str {
        self.as_str().split('.').next().unwrap_or_default()
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who made a change and from where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventActor {
    /// The account that made the change; absent for the system's own jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// That account's e-mail address when the change was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// For the system's own jobs: which one (e.g. `hold-sweep`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// The client's network address, as the API saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The request's id, also in the API's logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One change in the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// The event's id; webhooks carry it as `webhook-id`.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The kind of thing changed: `reservation`, `booking`, `wallet`, ...
    pub target_type: String,
    /// Its id (a wallet's id is its owner's).
    pub target_id: String,
    /// The change's place among its target's changes: 1, 2, 3, ...
    pub seq: i64,
    /// Who did it, from where.
    pub actor: EventActor,
    /// When it was committed.
    pub occurred_at: DateTime<Utc>,
    /// Fields that changed, as `{"field": [before, after]}`; for the
    /// target's first recorded change, every field with `null` before.
    pub changes: serde_json::Map<String, serde_json::Value>,
    /// The target's whole state after the change.
    pub data: serde_json::Value,
}

/// Filters of `GET /api/v1/audit`; each narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only changes made by this account (a user id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(pattern = "^[0-9a-fA-F]{24}$"))]
    pub actor: Option<String>,
    /// Only this event type, e.g. `booking.cancelled`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub event_type: Option<String>,
    /// Only changes to this kind of thing, e.g. `room`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// Only changes to this one thing (needs `target_type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(pattern = "^[0-9a-fA-F]{24}$"))]
    pub target_id: Option<String>,
    /// Only changes at or after this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<DateTime<Utc>>,
    /// Only changes before this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; absent or empty: the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

//! Data transfer objects shared by the API server and the web client.
//!
//! Everything here is plain serde data and compiles for `wasm32-unknown-unknown`.
//! Server-only derives (the OpenAPI schema) sit behind the `openapi` feature.

pub mod api_keys;
pub mod archive;
pub mod auth;
pub mod error;
pub mod events;
pub mod health;
pub mod ids;
pub mod imports;
pub mod limits;
pub mod mail;
pub mod page;
pub mod queue;
pub mod reconcile;
pub mod reports;
pub mod reservations;
pub mod rooms;
pub mod seats;
pub mod shows;
pub mod sso;
pub mod time;
pub mod venues;
pub mod wallet;
pub mod webhooks;

pub use api_keys::{ApiKey, ApiKeyScope, CreateApiKey, CreatedApiKey};
pub use archive::{
    ArchiveCount, ArchivedBooking, ArchivedBookingQuery, ArchivedPerformance, ArchivedReservation,
    ArchivedReservationQuery, ArchivedRoom, ArchivedSeat, ArchivedShow, ArchivedUser,
};
pub use auth::{
    ChangePassword, ChangeRole, LoginResponse, LoginUser, RegisterUser, Role, Session,
    SessionsEnded, SetDisabled, User,
};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use events::{AuditEntry, AuditQuery, EventActor, EventType};
pub use health::{Health, Readiness, ReplicaSetMember};
pub use ids::{BookingId, HoldId, PerformanceId, ReservationId, RoomId, ShowId, UserId, VenueId};
pub use imports::{
    CalendarUpload, ImportCheck, ImportCounts, ImportProblem, ImportProblemKind, ImportReport,
    ImportRequest, TablesUpload,
};
pub use limits::Limits;
pub use mail::{Language, MailKind, NotificationSettings};
pub use page::{Page, PageQuery};
pub use queue::{Admission, QueueOverview, QueueSettings, QueueStatus, QueueTicket};
pub use reconcile::{
    Drift, DriftKind, ReconcileCounts, ReconcileTrigger, Reconciliation, ReconciliationQuery,
    RunReconciliation,
};
pub use reports::{
    Bucket, HeatCell, OccupancyQuery, OccupancyReport, PerformanceSales, ReportFormat,
    RoomOccupancy, SalesPoint, SalesQuery, SalesReport, ShowSales,
};
pub use reservations::{
    BusyQuery, BusyRange, CreateReservation, Reservation, ReservationQuery, ReservationStatus,
    SortOrder, TimeRange,
};
pub use rooms::{CreateRoom, Room, RoomQuery, UpdateRoom};
pub use seats::{
    Booking, BookingQuery, BookingStatus, Hold, Seat, SeatEvent, SeatMap, SeatRequest, SeatRow,
    SeatSection, SeatState,
};
pub use shows::{
    Availability, CancelPerformance, CreatePerformance, CreateShow, Performance,
    PerformanceCancellation, Show, ShowDetail, ShowQuery, ShowSort,
};
pub use sso::{ConfirmLink, PendingLink, SsoError, SsoProvider};
pub use venues::{CreateVenue, RowSpec, SectionSpec, TIER_PALETTE, Venue, default_tier_color};
pub use wallet::{ChargeWallet, LedgerEntry, LedgerKind, Wallet};
pub use webhooks::{
    CreateWebhook, CreatedWebhook, DeliveryAttempt, DeliveryCounts, DeliveryQuery, DeliveryStatus,
    UpdateWebhook, WebhookDelivery, WebhookEndpoint,
};

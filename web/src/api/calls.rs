//! One function per endpoint the web app uses, typed with the shared DTOs.

use gloo_net::http::Method;
use shared::{
    ApiKey, ArchivedBooking, ArchivedBookingQuery, ArchivedReservation, ArchivedReservationQuery,
    AuditEntry, AuditQuery, Booking, BookingId, BookingQuery, BusyQuery, BusyRange,
    CancelPerformance, ChangePassword, ChangeRole, ChargeWallet, ConfirmLink, CreateApiKey,
    CreatePerformance, CreateReservation, CreateRoom, CreateShow, CreateVenue, CreateWebhook,
    CreatedApiKey, CreatedWebhook, DeliveryQuery, ImportReport, ImportRequest, LedgerEntry, Limits,
    LoginResponse, LoginUser, NotificationSettings, OccupancyQuery, OccupancyReport, Page,
    PageQuery, PendingLink, Performance, PerformanceCancellation, PerformanceId, QueueOverview,
    QueueSettings, QueueTicket, Reconciliation, RegisterUser, Reservation, ReservationId,
    ReservationQuery, Room, RoomId, RoomQuery, RunReconciliation, SalesQuery, SalesReport, SeatMap,
    SeatRequest, Session, SessionsEnded, SetDisabled, Show, ShowDetail, ShowId, ShowQuery,
    SsoProvider, UpdateRoom, UpdateWebhook, User, UserId, Venue, VenueId, Wallet, WebhookDelivery,
    WebhookEndpoint,
};

use super::{
    ApiError, BASE, Fresh, IdempotencyKey, Request, decode, get_if_changed, json, segment, send,
    send_file, send_once, with_query,
};

pub type Call<T> = std::pin::Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// What the server allows: reservation lengths, seats per person, the
/// largest charge.
pub fn limits() -> Call<Limits> {
    Box::pin(send(Method::GET, "/limits".into(), None))
}

pub fn me() -> Call<User> {
    Box::pin(send(Method::GET, "/me".into(), None))
}

pub fn register(body: &RegisterUser) -> Call<User> {
    Box::pin(send(Method::POST, "/auth/register".into(), json(body)))
}

pub fn log_in(body: &LoginUser) -> Call<LoginResponse> {
    Box::pin(send(Method::POST, "/auth/login".into(), json(body)))
}

pub fn log_out() -> Call<()> {
    Box::pin(send(Method::POST, "/auth/logout".into(), None))
}

/// The sign-in providers the server is configured with.
pub fn sso_providers() -> Call<Vec<SsoProvider>> {
    Box::pin(send(Method::GET, "/auth/oidc/providers".into(), None))
}

/// Where a "Continue with ..." link goes: the API sends the browser on to
/// the provider and, once back, to `next` signed in.
pub fn sso_start_href(provider: &str, next: &str) -> String {
    format!(
        "{BASE}/auth/oidc/{}/start?return_to={}",
        segment(provider),
        segment(next)
    )
}

/// A provider sign-in waiting for the existing account's password.
pub fn pending_link() -> Call<PendingLink> {
    Box::pin(send(Method::GET, "/auth/oidc/link".into(), None))
}

pub fn confirm_link(body: &ConfirmLink) -> Call<LoginResponse> {
    Box::pin(send(Method::POST, "/auth/oidc/link".into(), json(body)))
}

pub fn cancel_link() -> Call<()> {
    Box::pin(send(Method::DELETE, "/auth/oidc/link".into(), None))
}

pub fn list_rooms(query: &RoomQuery) -> Call<Page<Room>> {
    Box::pin(send(Method::GET, with_query("/rooms", query), None))
}

pub fn get_room(id: &RoomId) -> Call<Room> {
    Box::pin(send(
        Method::GET,
        format!("/rooms/{}", segment(&id.0)),
        None,
    ))
}

pub fn create_room(body: &CreateRoom) -> Call<Room> {
    Box::pin(send(Method::POST, "/rooms".into(), json(body)))
}

pub fn update_room(id: &RoomId, body: &UpdateRoom) -> Call<Room> {
    let path = format!("/rooms/{}", segment(&id.0));
    Box::pin(send(Method::PATCH, path, json(body)))
}

pub fn delete_room(id: &RoomId) -> Call<()> {
    Box::pin(send(
        Method::DELETE,
        format!("/rooms/{}", segment(&id.0)),
        None,
    ))
}

/// When the room is taken, by anyone, without who or why.
pub fn room_busy(id: &RoomId, query: &BusyQuery) -> Call<Vec<BusyRange>> {
    let path = with_query(&format!("/rooms/{}/busy", segment(&id.0)), query);
    Box::pin(send(Method::GET, path, None))
}

pub fn list_reservations(query: &ReservationQuery) -> Call<Page<Reservation>> {
    Box::pin(send(Method::GET, with_query("/reservations", query), None))
}

pub fn create_reservation(body: &CreateReservation) -> Call<Reservation> {
    Box::pin(send(Method::POST, "/reservations".into(), json(body)))
}

/// `action` is `cancel`, `approve` or `reject`.
fn decide(id: &ReservationId, action: &str) -> Call<Reservation> {
    let path = format!("/reservations/{}/{action}", segment(&id.0));
    Box::pin(send(Method::POST, path, None))
}

pub fn cancel_reservation(id: &ReservationId) -> Call<Reservation> {
    decide(id, "cancel")
}

pub fn approve_reservation(id: &ReservationId) -> Call<Reservation> {
    decide(id, "approve")
}

pub fn reject_reservation(id: &ReservationId) -> Call<Reservation> {
    decide(id, "reject")
}

pub fn list_users(query: &PageQuery) -> Call<Page<User>> {
    Box::pin(send(Method::GET, with_query("/users", query), None))
}

pub fn change_role(id: &UserId, body: &ChangeRole) -> Call<User> {
    let path = format!("/users/{}/role", segment(&id.0));
    Box::pin(send(Method::PUT, path, json(body)))
}

pub fn list_shows(query: &ShowQuery) -> Call<Page<Show>> {
    Box::pin(send(Method::GET, with_query("/shows", query), None))
}

pub fn get_show(id: &ShowId) -> Call<ShowDetail> {
    Box::pin(send(
        Method::GET,
        format!("/shows/{}", segment(&id.0)),
        None,
    ))
}

/// Creates a show (admin).
pub fn create_show(body: &CreateShow) -> Call<Show> {
    Box::pin(send(Method::POST, "/shows".into(), json(body)))
}

/// Replaces a show's details (admin).
pub fn update_show(id: &ShowId, body: &CreateShow) -> Call<Show> {
    let path = format!("/shows/{}", segment(&id.0));
    Box::pin(send(Method::PUT, path, json(body)))
}

/// Uploads a show's poster image (admin).
pub fn upload_poster(id: &ShowId, file: web_sys::File) -> Call<Show> {
    let path = format!("/shows/{}/poster", segment(&id.0));
    Box::pin(send_file(Method::PUT, path, file))
}

/// Every venue, by name.
pub fn list_venues() -> Call<Vec<Venue>> {
    Box::pin(send(Method::GET, "/venues".into(), None))
}

/// One venue with its seat map.
pub fn get_venue(id: &VenueId) -> Call<Venue> {
    Box::pin(send(
        Method::GET,
        format!("/venues/{}", segment(&id.0)),
        None,
    ))
}

/// Creates a venue (admin).
pub fn create_venue(body: &CreateVenue) -> Call<Venue> {
    Box::pin(send(Method::POST, "/venues".into(), json(body)))
}

/// Redraws a venue (admin).
pub fn update_venue(id: &VenueId, body: &CreateVenue) -> Call<Venue> {
    let path = format!("/venues/{}", segment(&id.0));
    Box::pin(send(Method::PUT, path, json(body)))
}

/// Adds a performance to a show (admin).
pub fn create_performance(show: &ShowId, body: &CreatePerformance) -> Call<Performance> {
    let path = format!("/shows/{}/performances", segment(&show.0));
    Box::pin(send(Method::POST, path, json(body)))
}

/// Cancels a performance and refunds its bookings (admin).
pub fn cancel_performance(
    id: &PerformanceId,
    body: &CancelPerformance,
) -> Call<PerformanceCancellation> {
    let path = format!("/performances/{}/cancel", segment(&id.0));
    Box::pin(send(Method::POST, path, json(body)))
}

/// The seat map, unless it is still what `etag` names.
pub fn seat_map(id: &PerformanceId, etag: Option<String>) -> Call<Fresh<SeatMap>> {
    let path = format!("/performances/{}/seats", segment(&id.0));
    Box::pin(get_if_changed(path, etag))
}

/// Holds and pays for the seats in one step (all or none). While the
/// performance's waiting room is on, `admission` is the token the line
/// gave; without it the server refuses with `admission_required`.
pub fn book_seats(
    id: &PerformanceId,
    body: &SeatRequest,
    key: &IdempotencyKey,
    admission: Option<String>,
) -> Call<Booking> {
    let path = format!("/performances/{}/bookings", segment(&id.0));
    Box::pin(
        Request::new(Method::POST, path, json(body))
            .header("Idempotency-Key", Some(key.to_string()))
            .header("Admission-Token", admission)
            .send_then(decode),
    )
}

/// Takes (or finds again) the caller's place in the performance's waiting
/// room; `queue_closed` when it has none.
pub fn join_queue(id: &PerformanceId) -> Call<QueueTicket> {
    let path = format!("/performances/{}/queue", segment(&id.0));
    Box::pin(send(Method::POST, path, None))
}

/// Where a ticket stands now; also says the buyer is still there.
pub fn queue_ticket(ticket: &str) -> Call<QueueTicket> {
    Box::pin(send(
        Method::GET,
        format!("/queue/{}", segment(ticket)),
        None,
    ))
}

/// The waiting room's settings and figures (admins).
pub fn queue_overview(id: &PerformanceId) -> Call<QueueOverview> {
    let path = format!("/performances/{}/queue", segment(&id.0));
    Box::pin(send(Method::GET, path, None))
}

/// Changes the waiting room's settings (admins).
pub fn set_queue(id: &PerformanceId, body: &QueueSettings) -> Call<QueueOverview> {
    let path = format!("/performances/{}/queue", segment(&id.0));
    Box::pin(send(Method::PUT, path, json(body)))
}

pub fn list_bookings(query: &BookingQuery) -> Call<Page<Booking>> {
    Box::pin(send(Method::GET, with_query("/bookings", query), None))
}

pub fn cancel_booking(id: &BookingId, key: &IdempotencyKey) -> Call<Booking> {
    let path = format!("/bookings/{}/cancel", segment(&id.0));
    Box::pin(send_once(Method::POST, path, None, key))
}

pub fn wallet() -> Call<Wallet> {
    Box::pin(send(Method::GET, "/wallet".into(), None))
}

pub fn charge_wallet(body: &ChargeWallet, key: &IdempotencyKey) -> Call<Wallet> {
    Box::pin(send_once(
        Method::POST,
        "/wallet/charge".into(),
        json(body),
        key,
    ))
}

pub fn ledger(query: &PageQuery) -> Call<Page<LedgerEntry>> {
    Box::pin(send(Method::GET, with_query("/wallet/ledger", query), None))
}

/// Every webhook endpoint with its delivery counts (admins).
pub fn list_webhooks() -> Call<Vec<WebhookEndpoint>> {
    Box::pin(send(Method::GET, "/webhooks".into(), None))
}

/// Registers an endpoint; the answer holds its secret, shown once.
pub fn create_webhook(body: &CreateWebhook) -> Call<CreatedWebhook> {
    Box::pin(send(Method::POST, "/webhooks".into(), json(body)))
}

pub fn update_webhook(id: &str, body: &UpdateWebhook) -> Call<WebhookEndpoint> {
    let path = format!("/webhooks/{}", segment(id));
    Box::pin(send(Method::PATCH, path, json(body)))
}

/// An endpoint's deliveries, newest first.
pub fn list_deliveries(id: &str, query: &DeliveryQuery) -> Call<Page<WebhookDelivery>> {
    let path = format!("/webhooks/{}/deliveries", segment(id));
    Box::pin(send(Method::GET, with_query(&path, query), None))
}

/// Sends a delivered or dead delivery again.
pub fn redeliver(endpoint: &str, delivery: &str) -> Call<WebhookDelivery> {
    let path = format!(
        "/webhooks/{}/deliveries/{}/redeliver",
        segment(endpoint),
        segment(delivery)
    );
    Box::pin(send(Method::POST, path, None))
}

/// The audit log, newest first (admins).
pub fn audit(query: &AuditQuery) -> Call<Page<AuditEntry>> {
    Box::pin(send(Method::GET, with_query("/audit", query), None))
}

/// Archived reservations, newest first (admins).
pub fn archived_reservations(query: &ArchivedReservationQuery) -> Call<Page<ArchivedReservation>> {
    Box::pin(send(
        Method::GET,
        with_query("/archive/reservations", query),
        None,
    ))
}

/// Archived bookings, newest performance first (admins).
pub fn archived_bookings(query: &ArchivedBookingQuery) -> Call<Page<ArchivedBooking>> {
    Box::pin(send(
        Method::GET,
        with_query("/archive/bookings", query),
        None,
    ))
}

/// The latest reconciliation runs, newest first (admins).
pub fn reconciliations(limit: u32) -> Call<Vec<Reconciliation>> {
    Box::pin(send(
        Method::GET,
        format!("/reconciliations?limit={limit}"),
        None,
    ))
}

/// Runs a reconciliation now; answers once it is done.
pub fn run_reconciliation(body: &RunReconciliation) -> Call<Reconciliation> {
    Box::pin(send(Method::POST, "/reconciliations".into(), json(body)))
}

/// Imports an export or a calendar (or only looks, with `dry_run`).
pub fn run_import(body: &ImportRequest) -> Call<ImportReport> {
    Box::pin(send(Method::POST, "/imports".into(), json(body)))
}

/// The caller's e-mail language and the kinds they turned off.
pub fn notification_settings() -> Call<NotificationSettings> {
    Box::pin(send(Method::GET, "/me/notifications".into(), None))
}

pub fn set_notification_settings(body: &NotificationSettings) -> Call<NotificationSettings> {
    Box::pin(send(Method::PUT, "/me/notifications".into(), json(body)))
}

pub fn my_sessions() -> Call<Vec<Session>> {
    Box::pin(send(Method::GET, "/me/sessions".into(), None))
}

pub fn end_session(id: &str) -> Call<()> {
    let path = format!("/me/sessions/{}", segment(id));
    Box::pin(send(Method::DELETE, path, None))
}

pub fn end_other_sessions() -> Call<SessionsEnded> {
    Box::pin(send(Method::DELETE, "/me/sessions".into(), None))
}

pub fn change_password(body: &ChangePassword) -> Call<SessionsEnded> {
    Box::pin(send(Method::PUT, "/me/password".into(), json(body)))
}

pub fn end_user_sessions(id: &UserId) -> Call<SessionsEnded> {
    let path = format!("/users/{}/sessions/end", segment(&id.0));
    Box::pin(send(Method::POST, path, None))
}

pub fn set_disabled(id: &UserId, disabled: bool) -> Call<User> {
    let path = format!("/users/{}/disabled", segment(&id.0));
    Box::pin(send(Method::PUT, path, json(&SetDisabled { disabled })))
}

pub fn my_api_keys() -> Call<Vec<ApiKey>> {
    Box::pin(send(Method::GET, "/me/api-keys".into(), None))
}

pub fn create_api_key(body: &CreateApiKey) -> Call<CreatedApiKey> {
    Box::pin(send(Method::POST, "/me/api-keys".into(), json(body)))
}

pub fn revoke_api_key(id: &str) -> Call<()> {
    let path = format!("/me/api-keys/{}", segment(id));
    Box::pin(send(Method::DELETE, path, None))
}

pub fn sales_report(query: &SalesQuery) -> Call<SalesReport> {
    Box::pin(send(Method::GET, with_query("/reports/sales", query), None))
}

pub fn occupancy_report(query: &OccupancyQuery) -> Call<OccupancyReport> {
    Box::pin(send(
        Method::GET,
        with_query("/reports/occupancy", query),
        None,
    ))
}

/// Where the sales report downloads as CSV (the session cookie goes along).
pub fn sales_csv_href(query: &SalesQuery) -> String {
    format!("{BASE}{}", with_query("/reports/sales", query))
}

pub fn occupancy_csv_href(query: &OccupancyQuery) -> String {
    format!("{BASE}{}", with_query("/reports/occupancy", query))
}

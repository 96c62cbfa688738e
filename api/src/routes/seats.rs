//! Seat maps, holds and one-step bookings of a performance.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use bson::oid::ObjectId;
use chrono::{DateTime, Utc};
use shared::{
    Booking, ErrorBody, Hold, PerformanceId, Seat, SeatMap, SeatRequest, SeatRow, SeatSection,
    SeatState,
};

use super::AppConfig;
use super::sale::{Sale, Take, check_not_cancelled, check_not_started};
use crate::auth::AuthUser;
use crate::catalogue::Catalogue;
use crate::error::ApiError;
use crate::extract::Json;
use crate::http::{IdempotencyHeader, MaybeUser, json_with_etag, replay_or};
use crate::queue::WaitingRoom;
use crate::store::seats::{SeatDoc, SeatStateDoc};
use crate::store::shows::PerformanceDoc;
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_seat_map)
        .service(hold_seats)
        .service(book_seats)
        .service(confirm_hold)
        .service(release_hold);
}

/// A seat as `caller` sees it at `now`: its state (an expired hold is
/// available) and whether it is the caller's.
pub(super) fn shown(
    doc: &SeatDoc,
    now: DateTime<Utc>,
    caller: Option<ObjectId>,
) -> (SeatState, bool) {
    let state = match doc.state {
        SeatStateDoc::Booked => SeatState::Booked,
        _ if doc.is_busy(now) => SeatState::Held,
        _ => SeatState::Available,
    };
    let mine = state != SeatState::Available && caller.is_some() && doc.holder == caller;
    (state, mine)
}

pub(super) fn seat_map(
    performance: &PerformanceDoc,
    seats: &[SeatDoc],
    caller: Option<ObjectId>,
    now: DateTime<Utc>,
) -> SeatMap {
    let mut sections: Vec<SeatSection> = Vec::new();
    let mut available = 0;
    for doc in seats {
        let (state, mine) = shown(doc, now, caller);
        if state == SeatState::Available {
            available += 1;
        }
        let seat = Seat {
            label: doc.label.clone(),
            number: doc.number,
            tier: doc.tier.clone(),
            price: doc.price,
            state,
            mine,
            gap_after: doc.gap_after,
        };
        if sections.last().is_none_or(|s| s.name != doc.section) {
            sections.push(SeatSection {
                name: doc.section.clone(),
                rows: Vec::new(),
            });
        }
        let Some(section) = sections.last_mut() else {
            continue;
        };
        if section.rows.last().is_none_or(|r| r.label != doc.row) {
            section.rows.push(SeatRow {
                label: doc.row.clone(),
                seats: Vec::new(),
            });
        }
        if let Some(row) = section.rows.last_mut() {
            row.seats.push(seat);
        }
    }
    SeatMap {
        performance_id: PerformanceId(performance.id.to_hex()),
        sections,
        available,
        tier_colors: performance.tier_colors.clone(),
    }
}

/// The seat map: every seat `available`, `held` or `booked`; the caller's
/// own holds and bookings are marked `mine`. Expired holds show as available.
#[utoipa::path(
    tag = "seats",
    params(("id" = String, Path, description = "The performance's id")),
    responses(
        (status = 200, description = "The seat map", body = SeatMap,
            headers(("ETag" = String, description = "Send back as If-None-Match"))),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/performances/{id}/seats")]
#[tracing::instrument(skip_all, fields(performance_id = %path))]
async fn get_seat_map(
    req: HttpRequest,
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    user: MaybeUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = object_id(&path, "performance")?;
    let performance = catalogue.existing_performance(&store, id).await?;
    let seats = catalogue.seats(&store, id).await?;
    let map = seat_map(
        &performance.doc,
        &seats,
        user.0.as_ref().map(AuthUser::id),
        Utc::now(),
    );
    json_with_etag(&req, &map)
}

/// Holds seats, all or none, until `expires_at`. Accepts `Idempotency-Key`.
#[utoipa::path(
    tag = "seats",
    params(
        ("id" = String, Path, description = "The performance's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key and body return the first response; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = "^[!-~]+$"),
        ("Admission-Token" = Option<String>, Header, description = "While the performance's waiting room is on: the token from `GET /api/v1/queue/{ticket}` once admitted"),
    ),
    request_body = SeatRequest,
    responses(
        (status = 201, description = "Held", body = Hold),
        (status = 400, description = "No seats, duplicates, too many, or unknown labels; or `Idempotency-Key` is not 1 to 255 visible ASCII characters", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The waiting room is on and the admission is missing (`admission_required`), not valid here (`admission_invalid`), over (`admission_expired`) or withdrawn (`admission_revoked`)", body = ErrorBody),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 409, description = "`seat_taken` (with `seats`), `seat_limit_exceeded`, `sale_not_open` or `performance_started`", body = ErrorBody),
        (status = 422, description = "`idempotency_key_reused`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many holds, bookings and reservations by this user; see `Retry-After`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/performances/{id}/holds")]
#[tracing::instrument(skip_all, fields(performance_id = %path, user_id = %sale.user.id()))]
async fn hold_seats(
    sale: Sale,
    idempotency: IdempotencyHeader,
    path: web::Path<String>,
    body: Json<SeatRequest>,
) -> Result<HttpResponse, ApiError> {
    let ttl = sale.config.events.hold_ttl;
    let store = sale.store.clone();
    sale.run(Take::Hold, &path, idempotency, body.0, async |order| {
        store.hold_seats(order, ttl).await
    })
    .await
}

/// Holds, pays and books seats in one step. Accepts `Idempotency-Key`.
#[utoipa::path(
    tag = "seats",
    params(
        ("id" = String, Path, description = "The performance's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key and body return the first response; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = "^[!-~]+$"),
        ("Admission-Token" = Option<String>, Header, description = "While the performance's waiting room is on: the token from `GET /api/v1/queue/{ticket}` once admitted"),
    ),
    request_body = SeatRequest,
    responses(
        (status = 201, description = "Booked and paid", body = Booking),
        (status = 400, description = "No seats, duplicates, too many, or unknown labels; or `Idempotency-Key` is not 1 to 255 visible ASCII characters", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The waiting room is on and the admission is missing (`admission_required`), not valid here (`admission_invalid`), over (`admission_expired`) or withdrawn (`admission_revoked`)", body = ErrorBody),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 409, description = "`seat_taken` (with `seats`), `insufficient_points`, `seat_limit_exceeded`, `sale_not_open` or `performance_started`", body = ErrorBody),
        (status = 422, description = "`idempotency_key_reused`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many holds, bookings and reservations by this user; see `Retry-After`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/performances/{id}/bookings")]
#[tracing::instrument(skip_all, fields(performance_id = %path, user_id = %sale.user.id()))]
async fn book_seats(
    sale: Sale,
    idempotency: IdempotencyHeader,
    path: web::Path<String>,
    body: Json<SeatRequest>,
) -> Result<HttpResponse, ApiError> {
    let store = sale.store.clone();
    sale.run(Take::Book, &path, idempotency, body.0, async |order| {
        store.book_seats(order).await
    })
    .await
}

/// Pays for a live hold from the wallet and turns it into a booking.
/// Accepts `Idempotency-Key`.
#[utoipa::path(
    tag = "seats",
    params(
        ("id" = String, Path, description = "The hold's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key return the first response; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = "^[!-~]+$"),
    ),
    responses(
        (status = 201, description = "Booked and paid", body = Booking),
        (status = 400, description = "`Idempotency-Key` is not 1 to 255 visible ASCII characters", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such hold, or not the caller's", body = ErrorBody),
        (status = 409, description = "`hold_expired`, `insufficient_points`, `invalid_status` (already confirmed), `seat_limit_exceeded` or `performance_started`", body = ErrorBody),
        (status = 422, description = "`idempotency_key_reused`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/holds/{id}/confirm")]
#[tracing::instrument(skip_all, fields(hold_id = %path, user_id = %user.id()))]
async fn confirm_hold(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    config: web::Data<AppConfig>,
    room: web::Data<WaitingRoom>,
    user: AuthUser,
    idempotency: IdempotencyHeader,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let hold_id = object_id(&path, "hold")?;
    let key = idempotency.key(&user, &format!("confirm {hold_id}"), &())?;
    replay_or(&store, key.as_ref(), StatusCode::CREATED, async {
        let hold = store
            .hold(hold_id)
            .await?
            .filter(|h| h.user_id == user.id())
            .ok_or(ApiError::NotFound("hold"))?;
        let performance = catalogue
            .existing_performance(&store, hold.performance_id)
            .await?;
        let now = Utc::now();
        check_not_cancelled(&performance.doc)?;
        check_not_started(&performance.doc, now)?;
        let booking = store
            .confirm_hold(
                user.id(),
                hold_id,
                &performance.doc,
                (now, config.events.max_seats_per_user),
                (key.as_ref(), &user.actor()),
            )
            .await;
        if booking.is_ok() {
            room.finish(&store, performance.doc.id, user.id()).await;
        }
        catalogue.settle(&store, performance.doc.id, booking).await
    })
    .await
}

/// Releases a hold early; its seats are free at once. Releasing an expired
/// or already released hold is not an error.
#[utoipa::path(
    tag = "seats",
    params(("id" = String, Path, description = "The hold's id")),
    responses(
        (status = 204, description = "Released"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such hold, or not the caller's", body = ErrorBody),
        (status = 409, description = "`invalid_status`: already confirmed", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/holds/{id}")]
#[tracing::instrument(skip_all, fields(hold_id = %path, user_id = %user.id()))]
async fn release_hold(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let hold_id = object_id(&path, "hold")?;
    let performance = store
        .release_hold(user.id(), hold_id, &user.actor())
        .await?;
    catalogue.changed(&store, performance).await;
    Ok(HttpResponse::NoContent().finish())
}

//! Seat maps, holds and one-step bookings of a performance.

use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, post, web};
use bson::oid::ObjectId;
use chrono::{DateTime, Utc};
use futures::future::LocalBoxFuture;
use shared::{
    Booking, ErrorBody, ErrorCode, Hold, PerformanceId, Seat, SeatMap, SeatRequest, SeatRow,
    SeatSection, SeatState,
};

use super::AppConfig;
use crate::auth::AuthUser;
use crate::catalogue::{Catalogue, PerformanceInfo};
use crate::domain::booking::SeatSelection;
use crate::error::ApiError;
use crate::extract::Json;
use crate::http::{IdempotencyHeader, MaybeUser, json_with_etag, replay_or};
use crate::seat_queue::SeatQueue;
use crate::store::holds::SeatOrder;
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

fn seat_map(
    performance: ObjectId,
    seats: &[SeatDoc],
    caller: Option<ObjectId>,
    now: DateTime<Utc>,
) -> SeatMap {
    let mut sections: Vec<SeatSection> = Vec::new();
    let mut available = 0;
    for doc in seats {
        let state = match doc.state {
            SeatStateDoc::Booked => SeatState::Booked,
            _ if doc.is_busy(now) => SeatState::Held,
            _ => SeatState::Available,
        };
        if state == SeatState::Available {
            available += 1;
        }
        let seat = Seat {
            label: doc.label.clone(),
            number: doc.number,
            tier: doc.tier.clone(),
            price: doc.price,
            state,
            mine: state != SeatState::Available && caller.is_some() && doc.holder == caller,
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
        performance_id: PerformanceId(performance.to_hex()),
        sections,
        available,
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
    if catalogue.performance(&store, id).await?.is_none() {
        return Err(ApiError::NotFound("performance"));
    }
    let seats = catalogue.seats(&store, id).await?;
    let map = seat_map(id, &seats, user.0.as_ref().map(AuthUser::id), Utc::now());
    json_with_etag(&req, &map)
}

/// The performance, if seats may be sold for it at `now`.
async fn on_sale(
    store: &Store,
    catalogue: &Catalogue,
    id: ObjectId,
    now: DateTime<Utc>,
) -> Result<Arc<PerformanceInfo>, ApiError> {
    let performance = catalogue
        .performance(store, id)
        .await?
        .ok_or(ApiError::NotFound("performance"))?;
    check_not_started(&performance.doc, now)?;
    let opens = performance.doc.sale_opens_at.to_chrono();
    if now < opens {
        return Err(ApiError::conflict(
            ErrorCode::SaleNotOpen,
            format!("seats go on sale at {}", opens.to_rfc3339()),
        ));
    }
    Ok(performance)
}

pub fn check_not_started(performance: &PerformanceDoc, now: DateTime<Utc>) -> Result<(), ApiError> {
    if performance.starts_at.to_chrono() <= now {
        return Err(ApiError::conflict(
            ErrorCode::PerformanceStarted,
            "the performance has started; its seats can no longer be sold or cancelled",
        ));
    }
    Ok(())
}

/// The total price of `labels`, refusing labels the venue does not have.
fn price_of(performance: &PerformanceInfo, labels: &[String]) -> Result<u32, ApiError> {
    let mut total: u32 = 0;
    let mut unknown = Vec::new();
    for label in labels {
        match performance.prices.get(label) {
            Some(price) => total = total.saturating_add(*price),
            None => unknown.push(label.as_str()),
        }
    }
    if !unknown.is_empty() {
        return Err(ApiError::invalid(
            "seats",
            format!("this performance has no seat {}", unknown.join(", ")),
        ));
    }
    Ok(total)
}

/// A logged-in caller about to take seats, with what taking them needs.
/// Extracting it answers `401` without a session.
struct Sale {
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    queue: web::Data<SeatQueue>,
    config: web::Data<AppConfig>,
    user: AuthUser,
}

impl FromRequest for Sale {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        fn data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, ApiError> {
            req.app_data::<web::Data<T>>()
                .cloned()
                .ok_or_else(|| ApiError::Internal("app data missing".into()))
        }
        let parts = (data(req), data(req), data(req), data(req));
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            Ok(Sale {
                store: parts.0?,
                catalogue: parts.1?,
                queue: parts.2?,
                config: parts.3?,
                user: user.await?,
            })
        })
    }
}

impl Sale {
    /// Checks the request and the sale window, prices the seats, then runs
    /// `take` (the transaction) under the request's idempotency key.
    async fn run<T: serde::Serialize>(
        &self,
        operation: &str,
        performance: &str,
        idempotency: IdempotencyHeader,
        body: SeatRequest,
        take: impl AsyncFnOnce(&SeatOrder<'_>) -> Result<T, ApiError>,
    ) -> Result<HttpResponse, ApiError> {
        let id = object_id(performance, "performance")?;
        let key = idempotency.key(&self.user, &format!("{operation} {id}"), &body)?;
        replay_or(&self.store, key.as_ref(), StatusCode::CREATED, async {
            let selection = SeatSelection::parse(body, self.config.events.max_seats_per_user)?;
            let performance = on_sale(&self.store, &self.catalogue, id, Utc::now()).await?;
            let total = price_of(&performance, &selection.0)?;
            // The buyer takes turns too: one buyer's parallel claims all
            // write their seat-limit guard, and would otherwise conflict
            // until some ran out of retries.
            let mut turns = selection.0.clone();
            turns.push(format!("buyer {}", self.user.id()));
            let arrived = Instant::now();
            let turn = self.queue.turn(id, &turns).await;
            let now = Utc::now();
            if turn.waited {
                let seen = self.queue.taken_since(id, &selection.0, arrived);
                if !seen.is_empty() {
                    return Err(ApiError::SeatsTaken(seen));
                }
                let busy = self.store.busy_seats(id, &selection.0, now).await?;
                if !busy.is_empty() {
                    return Err(ApiError::SeatsTaken(busy));
                }
            }
            let order = SeatOrder {
                user: self.user.id(),
                performance: &performance.doc,
                seats: &selection.0,
                total,
                seat_limit: self.config.events.max_seats_per_user,
                now,
                idempotency: key.as_ref(),
            };
            let outcome = take(&order).await;
            if outcome.is_ok() {
                self.queue.record_taken(id, &selection.0);
            }
            // The next in line may go while the show list is recounted.
            drop(turn);
            self.catalogue.settle(&self.store, id, outcome).await
        })
        .await
    }
}

/// Holds seats, all or none, until `expires_at`. Accepts `Idempotency-Key`.
#[utoipa::path(
    tag = "seats",
    params(
        ("id" = String, Path, description = "The performance's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key and body return the first response"),
    ),
    request_body = SeatRequest,
    responses(
        (status = 201, description = "Held", body = Hold),
        (status = 400, description = "No seats, duplicates, too many, or unknown labels", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 409, description = "`seat_taken` (with `seats`), `seat_limit_exceeded`, `sale_not_open` or `performance_started`", body = ErrorBody),
        (status = 422, description = "`idempotency_key_reused`", body = ErrorBody),
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
    sale.run("hold", &path, idempotency, body.0, async |order| {
        store.hold_seats(order, ttl).await
    })
    .await
}

/// Holds, pays and books seats in one step. Accepts `Idempotency-Key`.
#[utoipa::path(
    tag = "seats",
    params(
        ("id" = String, Path, description = "The performance's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key and body return the first response"),
    ),
    request_body = SeatRequest,
    responses(
        (status = 201, description = "Booked and paid", body = Booking),
        (status = 400, description = "No seats, duplicates, too many, or unknown labels", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 409, description = "`seat_taken` (with `seats`), `insufficient_points`, `seat_limit_exceeded`, `sale_not_open` or `performance_started`", body = ErrorBody),
        (status = 422, description = "`idempotency_key_reused`", body = ErrorBody),
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
    sale.run("book", &path, idempotency, body.0, async |order| {
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
        ("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key return the first response"),
    ),
    responses(
        (status = 201, description = "Booked and paid", body = Booking),
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
            .performance(&store, hold.performance_id)
            .await?
            .ok_or(ApiError::NotFound("performance"))?;
        let now = Utc::now();
        check_not_started(&performance.doc, now)?;
        let booking = store
            .confirm_hold(
                user.id(),
                hold_id,
                &performance.doc,
                (now, config.events.max_seats_per_user),
                key.as_ref(),
            )
            .await;
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
    let performance = store.release_hold(user.id(), hold_id).await?;
    catalogue.changed(&store, performance).await;
    Ok(HttpResponse::NoContent().finish())
}

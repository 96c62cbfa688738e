//! The caller's bookings, and cancelling them with a refund.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use shared::{Booking, BookingQuery, BookingStatus, ErrorBody, ErrorCode, Page};

use crate::auth::AuthUser;
use crate::catalogue::Catalogue;
use crate::domain::page::PageRequest;
use crate::error::ApiError;
use crate::extract::Query;
use crate::http::{IdempotencyHeader, replay_or};
use crate::store::bookings::{BookingDoc, BookingFilter};
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_bookings)
        .service(get_booking)
        .service(cancel_booking);
}

/// The caller's bookings, newest first; optionally only upcoming (or
/// started) performances, or one status.
#[utoipa::path(
    tag = "bookings",
    params(BookingQuery),
    responses(
        (status = 200, description = "One page of bookings", body = Page<Booking>),
        (status = 400, description = "Bad `limit`", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/bookings")]
#[tracing::instrument(skip_all, fields(user_id = %user.id()))]
async fn list_bookings(
    store: web::Data<Store>,
    user: AuthUser,
    query: Query<BookingQuery>,
) -> Result<web::Json<Page<Booking>>, ApiError> {
    let query = query.0;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let filter = BookingFilter {
        status: query.status,
        upcoming: query.upcoming,
        by_start: query.order,
        now: Utc::now(),
    };
    Ok(web::Json(
        store.user_bookings(user.id(), &filter, &page).await?,
    ))
}

/// A booking the caller may see: their own, or any for admins.
async fn visible_booking(store: &Store, user: &AuthUser, id: &str) -> Result<BookingDoc, ApiError> {
    store
        .booking(object_id(id, "booking")?)
        .await?
        .filter(|b| b.user_id == user.id() || user.is_admin())
        .ok_or(ApiError::NotFound("booking"))
}

/// One booking (the caller's own, or any for admins).
#[utoipa::path(
    tag = "bookings",
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "The booking", body = Booking),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such booking, or not the caller's", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/bookings/{id}")]
async fn get_booking(
    store: web::Data<Store>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<Booking>, ApiError> {
    Ok(web::Json(
        visible_booking(&store, &user, &path).await?.to_dto(),
    ))
}

/// Cancels a booking before its performance starts: the seats are free
/// again and the price goes back to the wallet. Owner or admin. Accepts
/// `Idempotency-Key`.
#[utoipa::path(
    tag = "bookings",
    params(
        ("id" = String, Path, description = "The booking's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key return the first response; 1 to 255 visible ASCII characters", min_length = 1, max_length = 255, pattern = "^[!-~]+$"),
    ),
    responses(
        (status = 200, description = "Cancelled and refunded", body = Booking),
        (status = 400, description = "`Idempotency-Key` is not 1 to 255 visible ASCII characters", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such booking, or not the caller's", body = ErrorBody),
        (status = 409, description = "`invalid_status` (already cancelled) or `performance_started`", body = ErrorBody),
        (status = 422, description = "`idempotency_key_reused`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/bookings/{id}/cancel")]
#[tracing::instrument(skip_all, fields(booking_id = %path, user_id = %user.id()))]
async fn cancel_booking(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    user: AuthUser,
    idempotency: IdempotencyHeader,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency.key(&user, &format!("cancel booking {path}"), &())?;
    replay_or(&store, key.as_ref(), StatusCode::OK, async {
        let booking = visible_booking(&store, &user, &path).await?;
        if booking.status == BookingStatus::Cancelled {
            return Err(ApiError::conflict(
                ErrorCode::InvalidStatus,
                "this booking is already cancelled",
            ));
        }
        let now = Utc::now();
        if booking.starts_at.to_chrono() <= now {
            return Err(ApiError::conflict(
                ErrorCode::PerformanceStarted,
                "the performance has started; the booking can no longer be cancelled",
            ));
        }
        let cancelled = store
            .cancel_booking(&booking, now, (key.as_ref(), &user.actor()), false)
            .await;
        catalogue
            .settle(&store, booking.performance_id, cancelled)
            .await
    })
    .await
}

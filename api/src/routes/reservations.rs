//! Room reservations: users book and cancel their own; admins see all,
//! approve and reject.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use chrono_tz::Tz;
use shared::{CreateReservation, ErrorBody, ErrorCode, Page, Reservation, ReservationQuery};

use super::AppConfig;
use crate::auth::{Admin, AuthUser};
use crate::domain::page::PageRequest;
use crate::domain::reservation::{ReservationRequest, Transition};
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::security::limits::RateLimits;
use crate::store::reservations::{ReservationDraft, ReservationFilter};
use crate::store::rooms::RoomDoc;
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_reservation)
        .service(list_reservations)
        .service(get_reservation)
        .service(cancel_reservation)
        .service(approve_reservation)
        .service(reject_reservation);
}

fn check_alignment(request: &ReservationRequest, room: &RoomDoc) -> Result<(), ApiError> {
    let tz: Tz = room.time_zone.parse().map_err(|_| {
        ApiError::Internal(format!("room {} has time zone {}", room.id, room.time_zone))
    })?;
    Ok(request.check_alignment(tz, room.slot_minutes)?)
}

/// Reserves a room. The reservation is `pending` when the room requires
/// approval, else `approved`. Ranges that merely touch (10:00-11:00 and
/// 11:00-12:00) do not conflict.
#[utoipa::path(
    tag = "reservations",
    request_body = CreateReservation,
    responses(
        (status = 201, description = "Reserved", body = Reservation,
            headers(("Location" = String, description = "The reservation's URL"))),
        (status = 400, description = "A field is malformed (a blank `purpose`, a time without an offset...); `field` names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 409, description = "`slot_taken`: part of the range is already reserved", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many reservations, holds and bookings by this user; see `Retry-After`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/reservations")]
#[tracing::instrument(skip_all, fields(user_id = %user.id()))]
async fn create_reservation(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    limits: web::Data<RateLimits>,
    user: AuthUser,
    body: Json<CreateReservation>,
) -> Result<HttpResponse, ApiError> {
    limits.booking(user.id())?;
    let request = ReservationRequest::parse(body.0, &config.reservation_rules, chrono::Utc::now())?;
    let room_id = object_id(&request.room_id, "room")?;
    let room = store
        .room(room_id)
        .await?
        .ok_or(ApiError::NotFound("room"))?;
    check_alignment(&request, &room)?;
    let draft = ReservationDraft {
        room_id,
        user_id: user.id(),
        user_name: user.0.name.clone(),
        start: request.start,
        end: request.end,
        purpose: request.purpose.clone(),
        status: None,
        import_ref: None,
    };
    let reservation = store
        .create_reservation(
            &draft,
            &room,
            |room| check_alignment(&request, room),
            &user.actor(),
        )
        .await?;
    tracing::info!(reservation_id = %reservation.id, room_id = %room_id, "reserved");
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/reservations/{}", reservation.id),
        ))
        .json(reservation))
}

/// The caller's reservations (or, for admins with `all=true`, everyone's),
/// ordered by start.
#[utoipa::path(
    tag = "reservations",
    params(ReservationQuery),
    responses(
        (status = 200, description = "One page of reservations", body = Page<Reservation>),
        (status = 400, description = "A filter is malformed", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "`all=true` from a non-admin", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/reservations")]
#[tracing::instrument(skip_all, fields(user_id = %user.id()))]
async fn list_reservations(
    store: web::Data<Store>,
    user: AuthUser,
    query: Query<ReservationQuery>,
) -> Result<web::Json<Page<Reservation>>, ApiError> {
    let query = query.0;
    let everyone = query.all.unwrap_or(false);
    if everyone && !user.is_admin() {
        return Err(ApiError::Forbidden(
            "only admins can list everyone's reservations",
        ));
    }
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let room_id = match &query.room_id {
        Some(id) => Some(
            object_id(&id.0, "room")
                .map_err(|_| ApiError::invalid("room_id", "is not a room id"))?,
        ),
        None => None,
    };
    if let (Some(from), Some(to)) = (query.from, query.to)
        && to <= from
    {
        return Err(ApiError::unacceptable("to", "must be after from"));
    }
    let filter = ReservationFilter {
        user_id: if everyone { None } else { Some(user.id()) },
        room_id,
        from: query.from.map(|t| t.to_utc()),
        to: query.to.map(|t| t.to_utc()),
        ends_before: query.ends_before.map(|t| t.to_utc()),
        status: query.status,
        order: query.order.unwrap_or_default(),
    };
    Ok(web::Json(store.list_reservations(&filter, &page).await?))
}

/// Loads a reservation the caller may see: their own, or any for admins.
/// Others' reservations are reported as missing rather than forbidden.
async fn visible_reservation(
    store: &Store,
    user: &AuthUser,
    id: &str,
) -> Result<crate::store::reservations::ReservationDoc, ApiError> {
    let reservation = store
        .reservation(object_id(id, "reservation")?)
        .await?
        .ok_or(ApiError::NotFound("reservation"))?;
    if reservation.user_id != user.id() && !user.is_admin() {
        return Err(ApiError::NotFound("reservation"));
    }
    Ok(reservation)
}

/// One reservation (the caller's own, or any for admins).
#[utoipa::path(
    tag = "reservations",
    params(("id" = String, Path, description = "The reservation's id")),
    responses(
        (status = 200, description = "The reservation", body = Reservation),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such reservation, or not the caller's", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/reservations/{id}")]
#[tracing::instrument(skip_all, fields(reservation_id = %path))]
async fn get_reservation(
    store: web::Data<Store>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<Reservation>, ApiError> {
    Ok(web::Json(
        visible_reservation(&store, &user, &path).await?.to_dto(),
    ))
}

/// Cancels a pending or approved reservation that has not ended; its time
/// is free again at once. Owner or admin.
#[utoipa::path(
    tag = "reservations",
    params(("id" = String, Path, description = "The reservation's id")),
    responses(
        (status = 200, description = "Cancelled", body = Reservation),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such reservation, or not the caller's", body = ErrorBody),
        (status = 409, description = "`invalid_status`: already cancelled, rejected or over", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/reservations/{id}/cancel")]
#[tracing::instrument(skip_all, fields(reservation_id = %path))]
async fn cancel_reservation(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<web::Json<Reservation>, ApiError> {
    let reservation = visible_reservation(&store, &user, &path).await?;
    if reservation.end.to_chrono() <= chrono::Utc::now() {
        return Err(ApiError::conflict(
            ErrorCode::InvalidStatus,
            "the reservation has already ended and can no longer be cancelled",
        ));
    }
    let cancelled = store
        .transition_reservation(
            reservation.id,
            Transition::Cancel,
            &user.actor(),
            config.reservation_rules.max_duration,
        )
        .await?;
    tracing::info!("reservation cancelled");
    Ok(web::Json(cancelled))
}

async fn decide(
    (store, config): (&Store, &AppConfig),
    admin: &Admin,
    id: &str,
    transition: Transition,
) -> Result<web::Json<Reservation>, ApiError> {
    let id = object_id(id, "reservation")?;
    let longest = config.reservation_rules.max_duration;
    let reservation = store
        .transition_reservation(id, transition, &admin.0.actor(), longest)
        .await?;
    tracing::info!(status = reservation.status.as_str(), "reservation decided");
    Ok(web::Json(reservation))
}

/// Approves a pending reservation (admin).
#[utoipa::path(
    tag = "reservations",
    params(("id" = String, Path, description = "The reservation's id")),
    responses(
        (status = 200, description = "Approved", body = Reservation),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such reservation", body = ErrorBody),
        (status = 409, description = "`invalid_status`: not pending", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/reservations/{id}/approve")]
#[tracing::instrument(skip_all, fields(reservation_id = %path))]
async fn approve_reservation(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<web::Json<Reservation>, ApiError> {
    decide((&store, &config), &admin, &path, Transition::Approve).await
}

/// Rejects a pending reservation (admin); its time is free again at once.
#[utoipa::path(
    tag = "reservations",
    params(("id" = String, Path, description = "The reservation's id")),
    responses(
        (status = 200, description = "Rejected", body = Reservation),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such reservation", body = ErrorBody),
        (status = 409, description = "`invalid_status`: not pending", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/reservations/{id}/reject")]
#[tracing::instrument(skip_all, fields(reservation_id = %path))]
async fn reject_reservation(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<web::Json<Reservation>, ApiError> {
    decide((&store, &config), &admin, &path, Transition::Reject).await
}

//! The archive, read-only (admins): reservations and bookings that
//! `api archive` moved out of the live collections.

use actix_web::{get, web};
use shared::{
    ArchivedBooking, ArchivedBookingQuery, ArchivedReservation, ArchivedReservationQuery,
    ErrorBody, Page,
};

use crate::auth::Admin;
use crate::domain::page::PageRequest;
use crate::error::ApiError;
use crate::extract::Query;
use crate::store::archive::ArchiveSearch;
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_archived_reservations)
        .service(get_archived_reservation)
        .service(list_archived_bookings)
        .service(get_archived_booking);
}

fn search(
    user: &Option<String>,
    subject: &Option<String>,
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<ArchiveSearch, ApiError> {
    if let (Some(from), Some(to)) = (from, to)
        && from >= to
    {
        return Err(ApiError::unacceptable("to", "must be after `from`"));
    }
    Ok(ArchiveSearch {
        user: user.clone(),
        subject: subject.clone(),
        from,
        to,
    })
}

/// Archived reservations, latest start first: by the user's e-mail
/// address, the room's name (both in any case) and a range of starts.
#[utoipa::path(
    tag = "archive",
    params(ArchivedReservationQuery),
    responses(
        (status = 200, description = "One page of archived reservations", body = Page<ArchivedReservation>),
        (status = 400, description = "A malformed filter or a bad `limit`; `field` names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "`to` not after `from`, or a cursor this list did not return", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/archive/reservations")]
#[tracing::instrument(skip_all)]
async fn list_archived_reservations(
    store: web::Data<Store>,
    _admin: Admin,
    query: Query<ArchivedReservationQuery>,
) -> Result<web::Json<Page<ArchivedReservation>>, ApiError> {
    let q = query.0;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let search = search(&q.user, &q.room, q.from, q.to)?;
    Ok(web::Json(
        store.archived_reservations(&search, &page).await?,
    ))
}

/// One archived reservation, with its user and room as they were.
#[utoipa::path(
    tag = "archive",
    params(("id" = String, Path, description = "The reservation's id")),
    responses(
        (status = 200, description = "The archived reservation", body = ArchivedReservation),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "Not in the archive", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/archive/reservations/{id}")]
#[tracing::instrument(skip_all)]
async fn get_archived_reservation(
    store: web::Data<Store>,
    _admin: Admin,
    path: web::Path<String>,
) -> Result<web::Json<ArchivedReservation>, ApiError> {
    let id = object_id(&path, "archived reservation")?;
    store
        .archived_reservation(id)
        .await?
        .map(web::Json)
        .ok_or(ApiError::NotFound("archived reservation"))
}

/// Archived bookings, latest performance first: by the buyer's e-mail
/// address, the show's title (both in any case) and a range of
/// performance starts.
#[utoipa::path(
    tag = "archive",
    params(ArchivedBookingQuery),
    responses(
        (status = 200, description = "One page of archived bookings", body = Page<ArchivedBooking>),
        (status = 400, description = "A malformed filter or a bad `limit`; `field` names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "`to` not after `from`, or a cursor this list did not return", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/archive/bookings")]
#[tracing::instrument(skip_all)]
async fn list_archived_bookings(
    store: web::Data<Store>,
    _admin: Admin,
    query: Query<ArchivedBookingQuery>,
) -> Result<web::Json<Page<ArchivedBooking>>, ApiError> {
    let q = query.0;
    let page = PageRequest::parse(q.limit, q.cursor.as_deref())?;
    let search = search(&q.user, &q.show, q.from, q.to)?;
    Ok(web::Json(store.archived_bookings(&search, &page).await?))
}

/// One archived booking, with its buyer, show, performance and seats as
/// they were.
#[utoipa::path(
    tag = "archive",
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "The archived booking", body = ArchivedBooking),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "Not in the archive", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/archive/bookings/{id}")]
#[tracing::instrument(skip_all)]
async fn get_archived_booking(
    store: web::Data<Store>,
    _admin: Admin,
    path: web::Path<String>,
) -> Result<web::Json<ArchivedBooking>, ApiError> {
    let id = object_id(&path, "archived booking")?;
    store
        .archived_booking(id)
        .await?
        .map(web::Json)
        .ok_or(ApiError::NotFound("archived booking"))
}

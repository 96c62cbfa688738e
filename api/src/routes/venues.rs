//! Venues and their seat maps (admins create; anyone reads).

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, put, web};
use shared::{CreateVenue, ErrorBody, Venue};

use crate::auth::Admin;
use crate::domain::venue::NewVenue;
use crate::error::ApiError;
use crate::extract::Json;
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_venue)
        .service(list_venues)
        .service(get_venue)
        .service(update_venue);
}

/// Creates a venue from sections of rows; labels must be unique.
#[utoipa::path(
    tag = "venues",
    request_body = CreateVenue,
    responses(
        (status = 201, description = "Venue created", body = Venue),
        (status = 400, description = "Invalid layout (no section, a section without rows, a bad label or seat count...)", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "`venue_name_taken`", body = ErrorBody),
        (status = 422, description = "A seat twice, a gap outside its row, a colour for a tier no row has", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/venues")]
#[tracing::instrument(skip_all)]
async fn create_venue(
    store: web::Data<Store>,
    admin: Admin,
    body: Json<CreateVenue>,
) -> Result<HttpResponse, ApiError> {
    let venue = NewVenue::try_from(body.0)?;
    let stored = store.insert_venue(&venue, &admin.0.actor()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/venues/{}", stored.id)))
        .json(stored.to_dto()))
}

/// Every venue, by name.
#[utoipa::path(
    tag = "venues",
    responses(
        (status = 200, description = "The venues", body = Vec<Venue>),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/venues")]
async fn list_venues(store: web::Data<Store>) -> Result<web::Json<Vec<Venue>>, ApiError> {
    Ok(web::Json(store.list_venues().await?))
}

/// One venue.
#[utoipa::path(
    tag = "venues",
    params(("id" = String, Path, description = "The venue's id")),
    responses(
        (status = 200, description = "The venue", body = Venue),
        (status = 404, description = "No such venue", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/venues/{id}")]
async fn get_venue(
    store: web::Data<Store>,
    path: web::Path<String>,
) -> Result<web::Json<Venue>, ApiError> {
    let venue = store
        .venue(object_id(&path, "venue")?)
        .await?
        .ok_or(ApiError::NotFound("venue"))?;
    Ok(web::Json(venue.to_dto()))
}

/// Replaces a venue's name, location, time zone and seat map (the same body
/// as creating one). While performances there are on sale or yet to be
/// played, its seats, tier colours and time zone cannot change (`409
/// venue_in_use`); its name and location can (performances keep the name
/// they were announced under).
#[utoipa::path(
    tag = "venues",
    params(("id" = String, Path, description = "The venue's id")),
    request_body = CreateVenue,
    responses(
        (status = 200, description = "The venue as changed", body = Venue),
        (status = 400, description = "Invalid layout (no section, a section without rows, a bad label, seat count or colour...)", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such venue", body = ErrorBody),
        (status = 409, description = "`venue_name_taken`, or `venue_in_use`: performances here are on sale or yet to be played", body = ErrorBody),
        (status = 422, description = "A seat twice, a gap outside its row, a colour for a tier no row has", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[put("/venues/{id}")]
#[tracing::instrument(skip_all, fields(venue_id = %path))]
async fn update_venue(
    store: web::Data<Store>,
    admin: Admin,
    path: web::Path<String>,
    body: Json<CreateVenue>,
) -> Result<web::Json<Venue>, ApiError> {
    let id = object_id(&path, "venue")?;
    let venue = NewVenue::try_from(body.0)?;
    let stored = store.update_venue(id, &venue, &admin.0.actor()).await?;
    Ok(web::Json(stored.to_dto()))
}

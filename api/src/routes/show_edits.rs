//! Editing a show (admin) and its uploaded poster, served with caching.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, put, web};
use serde::Deserialize;
use shared::{CreateShow, ErrorBody, Show};

use crate::auth::Admin;
use crate::catalogue::{Catalogue, show_dto};
use crate::domain::poster::{MAX_POSTER_BYTES, PosterError, check_poster};
use crate::domain::show::NewShow;
use crate::error::ApiError;
use crate::extract::{BodyLimit, Json, Query, RawBody};
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(update_show).service(
        web::resource("/shows/{id}/poster")
            .app_data(web::PayloadConfig::new(MAX_POSTER_BYTES))
            .app_data(BodyLimit(MAX_POSTER_BYTES))
            .route(web::get().to(get_poster))
            .route(web::put().to(upload_poster))
            // Another method: `405` with `Allow`, like every route.
            .default_service(web::to(crate::startup::api_not_found)),
    );
}

/// Replaces a show's details (admin). Its performances take the new title
/// and running time; bookings keep the title they were bought under.
#[utoipa::path(
    tag = "shows",
    params(("id" = String, Path, description = "The show's id")),
    request_body = CreateShow,
    responses(
        (status = 200, description = "The show as changed", body = Show),
        (status = 400, description = "A field is invalid", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such show", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[put("/shows/{id}")]
#[tracing::instrument(skip_all, fields(show_id = %path))]
async fn update_show(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    admin: Admin,
    path: web::Path<String>,
    body: Json<CreateShow>,
) -> Result<HttpResponse, ApiError> {
    let id = object_id(&path, "show")?;
    let show = NewShow::try_from(body.0)?;
    let updated = store.update_show(id, show, &admin.0.actor()).await?;
    catalogue.invalidate_shows();
    Ok(HttpResponse::Ok().json(show_dto(updated)))
}

/// The image's bytes (named for the document only).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PosterImage(pub Vec<u8>);

/// Uploads the show's poster (admin): a PNG, JPEG or WebP image of at
/// most 2 MiB, sent as the body with its `Content-Type`. The show's
/// `poster_url` then points at it, with a version that changes with
/// the image.
#[utoipa::path(
    put,
    path = "/shows/{id}/poster",
    tag = "shows",
    params(("id" = String, Path, description = "The show's id")),
    request_body(
        description = "The image itself",
        content(
            (inline(PosterImage) = "image/png"),
            (inline(PosterImage) = "image/jpeg"),
            (inline(PosterImage) = "image/webp")
        )
    ),
    responses(
        (status = 200, description = "Stored; the show with its new `poster_url`", body = Show),
        (status = 400, description = "A malformed id", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such show", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the image is over 2 MiB", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: not `image/png`, `image/jpeg` or `image/webp`", body = ErrorBody),
        (status = 422, description = "`invalid_input`: the file is empty or not an image of the type sent", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[tracing::instrument(skip_all, fields(show_id = %path))]
pub async fn upload_poster(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    admin: Admin,
    path: web::Path<String>,
    body: RawBody,
) -> Result<HttpResponse, ApiError> {
    let id = object_id(&path, "show")?;
    let kind = check_poster(&body.content_type, &body.bytes).map_err(|e| match e {
        PosterError::Type => {
            ApiError::UnsupportedMediaType("send the poster as image/png, image/jpeg or image/webp")
        }
        PosterError::Content(message) => ApiError::unacceptable("body", message),
    })?;
    let updated = store
        .set_poster(id, kind, body.bytes.to_vec(), &admin.0.actor())
        .await?;
    catalogue.invalidate_shows();
    Ok(HttpResponse::Ok().json(show_dto(updated)))
}

/// `GET /shows/{id}/poster`'s query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PosterQuery {
    /// The version in the show's `poster_url`; with the current one the
    /// image may be cached for a year.
    #[param(max_length = 64)]
    pub v: Option<String>,
}

/// The show's uploaded poster. Cached for a year when asked with the
/// current version (`poster_url`), else revalidated by `ETag`.
#[utoipa::path(
    get,
    path = "/shows/{id}/poster",
    tag = "shows",
    params(("id" = String, Path, description = "The show's id"), PosterQuery),
    responses(
        (status = 200, description = "The image", content(("image/png"), ("image/jpeg"), ("image/webp")),
            headers(("ETag" = String, description = "Send back as If-None-Match"))),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 400, description = "A malformed id or query", body = ErrorBody),
        (status = 404, description = "No such show, or it has no uploaded poster", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
pub async fn get_poster(
    req: HttpRequest,
    store: web::Data<Store>,
    path: web::Path<String>,
    query: Query<PosterQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = object_id(&path, "show")?;
    if query.0.v.as_ref().is_some_and(|v| v.chars().count() > 64) {
        return Err(ApiError::invalid("v", "must be at most 64 characters"));
    }
    let poster = store
        .poster(id)
        .await?
        .ok_or(ApiError::NotFound("poster"))?;
    let etag = format!("\"{}\"", poster.sha256);
    let current = query
        .0
        .v
        .as_deref()
        .is_some_and(|v| !v.is_empty() && poster.sha256.starts_with(v));
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    };
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache));
    if unchanged {
        return Ok(response.finish());
    }
    Ok(response
        .content_type(poster.content_type)
        .body(poster.data.bytes))
}

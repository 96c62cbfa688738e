//! Shows and performances: public reads from the catalogue cache, admin writes.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use shared::{
    CreatePerformance, CreateShow, ErrorBody, Page, Performance, Show, ShowDetail, ShowQuery,
    ShowSort,
};

use crate::auth::Admin;
use crate::catalogue::{Catalogue, ShowsView, performance_dto, show_dto};
use crate::domain::page::{PageRequest, encode_cursor};
use crate::domain::show::{NewPerformance, NewShow};
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::http::{MaybeUser, json_with_etag};
use crate::store::shows::SeatCounts;
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_shows)
        .service(create_show)
        .service(get_show)
        .service(create_performance)
        .service(get_performance);
}

/// Shows with their seat counts, newest or most booked first. For a
/// logged-in caller each says whether they hold a booking for it.
#[utoipa::path(
    tag = "shows",
    params(ShowQuery),
    responses(
        (status = 200, description = "One page of shows", body = Page<Show>,
            headers(("ETag" = String, description = "Send back as If-None-Match"))),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 400, description = "Bad `sort` or `limit`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/shows")]
#[tracing::instrument(skip_all)]
async fn list_shows(
    req: HttpRequest,
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    user: MaybeUser,
    query: Query<ShowQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let sort = query.sort.unwrap_or_default();
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let view = catalogue.shows(&store).await?;
    let start = match &page.after {
        None => 0,
        Some((kind, offset)) if kind == sort_name(sort) => offset
            .parse::<usize>()
            .map_err(|_| ApiError::unacceptable("cursor", "is not a cursor this list returned"))?,
        Some(_) => {
            return Err(ApiError::invalid(
                "cursor",
                "belongs to a list in another order",
            ));
        }
    };
    let order: Box<dyn Iterator<Item = usize>> = match sort {
        ShowSort::Latest => Box::new(0..view.latest.len()),
        ShowSort::Popular => Box::new(view.popular.iter().copied()),
    };
    let booked = match &user.0 {
        Some(user) => Some(store.shows_booked_by(user.id()).await?),
        None => None,
    };
    let items: Vec<Show> = order
        .skip(start)
        .take(page.limit as usize)
        .map(|i| {
            let entry = &view.latest[i];
            let mut show = entry.show.clone();
            show.booked_by_me = booked.as_ref().map(|b| b.contains(&entry.id));
            show
        })
        .collect();
    let end = start + items.len();
    let next_cursor =
        (end < view.latest.len()).then(|| encode_cursor(sort_name(sort), &end.to_string()));
    json_with_etag(&req, &Page { items, next_cursor })
}

fn sort_name(sort: ShowSort) -> &'static str {
    match sort {
        ShowSort::Latest => "latest",
        ShowSort::Popular => "popular",
    }
}

/// Creates a show (admin).
#[utoipa::path(
    tag = "shows",
    request_body = CreateShow,
    responses(
        (status = 201, description = "Show created", body = Show),
        (status = 400, description = "A field is invalid", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/shows")]
#[tracing::instrument(skip_all)]
async fn create_show(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    admin: Admin,
    body: Json<CreateShow>,
) -> Result<HttpResponse, ApiError> {
    let show = store
        .insert_show(NewShow::try_from(body.0)?, &admin.0.actor())
        .await?;
    catalogue.invalidate_shows();
    // Answered from what was written: the catalogue may read a secondary
    // that has not seen it yet.
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/shows/{}", show.id)))
        .json(show_dto(show)))
}

fn show_detail(
    view: &ShowsView,
    id: bson::oid::ObjectId,
    user: &MaybeUser,
    booked: bool,
) -> Option<ShowDetail> {
    let entry = view.show(id)?;
    let mut show = entry.show.clone();
    show.booked_by_me = user.0.as_ref().map(|_| booked);
    Some(ShowDetail {
        show,
        performances: entry.performances.iter().map(|p| p.dto.clone()).collect(),
    })
}

/// One show with its performances and their seat counts.
#[utoipa::path(
    tag = "shows",
    params(("id" = String, Path, description = "The show's id")),
    responses(
        (status = 200, description = "The show", body = ShowDetail,
            headers(("ETag" = String, description = "Send back as If-None-Match"))),
        (status = 304, description = "Unchanged since the given ETag"),
        (status = 404, description = "No such show", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/shows/{id}")]
#[tracing::instrument(skip_all, fields(show_id = %path))]
async fn get_show(
    req: HttpRequest,
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    user: MaybeUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = object_id(&path, "show")?;
    let view = catalogue.shows(&store).await?;
    let booked = match &user.0 {
        Some(user) => store.shows_booked_by(user.id()).await?.contains(&id),
        None => false,
    };
    let detail = show_detail(&view, id, &user, booked).ok_or(ApiError::NotFound("show"))?;
    json_with_etag(&req, &detail)
}

/// Adds a performance in one of the venues, with a price for each of its tiers (admin).
#[utoipa::path(
    tag = "shows",
    params(("id" = String, Path, description = "The show's id")),
    request_body = CreatePerformance,
    responses(
        (status = 201, description = "Performance created with all its seats available", body = Performance),
        (status = 400, description = "A field is malformed, or a price above the maximum", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such show or venue", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/shows/{id}/performances")]
#[tracing::instrument(skip_all, fields(show_id = %path))]
async fn create_performance(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    admin: Admin,
    path: web::Path<String>,
    body: Json<CreatePerformance>,
) -> Result<HttpResponse, ApiError> {
    let show = store
        .show(object_id(&path, "show")?)
        .await?
        .ok_or(ApiError::NotFound("show"))?;
    let venue_id = object_id(&body.0.venue_id.0, "venue")
        .map_err(|_| ApiError::invalid("venue_id", "is not a venue id"))?;
    let venue = store
        .venue(venue_id)
        .await?
        .ok_or(ApiError::NotFound("venue"))?;
    let performance = NewPerformance::parse(body.0, &venue.tiers, chrono::Utc::now())?;
    let stored = store
        .insert_performance(&show, venue.id, &performance, &admin.0.actor())
        .await?;
    catalogue.invalidate_shows();
    // Every seat of a new performance is free.
    let dto = performance_dto(&stored, SeatCounts::default());
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/performances/{}", stored.id),
        ))
        .json(dto))
}

/// One performance with its seat counts.
#[utoipa::path(
    tag = "shows",
    params(("id" = String, Path, description = "The performance's id")),
    responses(
        (status = 200, description = "The performance", body = Performance),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/performances/{id}")]
async fn get_performance(
    req: HttpRequest,
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = object_id(&path, "performance")?;
    let view = catalogue.shows(&store).await?;
    let performance = view
        .performance(id)
        .ok_or(ApiError::NotFound("performance"))?;
    json_with_etag(&req, &performance.dto)
}

//! Rooms: anyone may browse; admins create, change and delete.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use shared::{BusyQuery, BusyRange, CreateRoom, ErrorBody, Page, Room, RoomQuery, UpdateRoom};

use crate::auth::Admin;
use crate::domain::page::PageRequest;
use crate::domain::room::{NewRoom, RoomChanges};
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::http::MaybeUser;
use crate::store::reservations::BusyViewer;
use crate::store::rooms::RoomFilter;
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_rooms)
        .service(create_room)
        .service(get_room)
        .service(room_busy)
        .service(update_room)
        .service(delete_room);
}

/// Rooms matching every given filter, ordered by name.
#[utoipa::path(
    tag = "rooms",
    params(RoomQuery),
    responses(
        (status = 200, description = "One page of rooms", body = Page<Room>),
        (status = 400, description = "A filter is malformed; the message names it", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/rooms")]
#[tracing::instrument(skip_all)]
async fn list_rooms(
    store: web::Data<Store>,
    query: Query<RoomQuery>,
) -> Result<web::Json<Page<Room>>, ApiError> {
    let query = query.0;
    let page = PageRequest::parse(query.limit, query.cursor.as_deref())?;
    let free_between = match (query.from, query.to) {
        (Some(from), Some(to)) if to > from => Some((from.to_utc(), to.to_utc())),
        (Some(_), Some(_)) => return Err(ApiError::unacceptable("to", "must be after from")),
        (Some(_), None) => return Err(ApiError::unacceptable("to", "is needed with from")),
        (None, Some(_)) => return Err(ApiError::unacceptable("from", "is needed with to")),
        (None, None) => None,
    };
    if query
        .min_capacity
        .is_some_and(|m| m > crate::domain::room::MAX_CAPACITY)
    {
        return Err(ApiError::invalid(
            "min_capacity",
            format!(
                "must be at most {}, the largest capacity a room may have",
                crate::domain::room::MAX_CAPACITY
            ),
        ));
    }
    let filter = RoomFilter {
        min_capacity: query.min_capacity,
        has_projector: query.has_projector,
        location: query
            .location
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_owned()),
        free_between,
    };
    Ok(web::Json(store.list_rooms(&filter, &page).await?))
}

/// Creates a room.
#[utoipa::path(
    tag = "rooms",
    request_body = CreateRoom,
    responses(
        (status = 201, description = "Room created", body = Room,
            headers(("Location" = String, description = "The new room's URL"))),
        (status = 400, description = "A field is invalid; `field` names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "`room_name_taken`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/rooms")]
#[tracing::instrument(skip_all)]
async fn create_room(
    store: web::Data<Store>,
    admin: Admin,
    body: Json<CreateRoom>,
) -> Result<HttpResponse, ApiError> {
    let room = store
        .insert_room(NewRoom::try_from(body.0)?, &admin.0.actor())
        .await?;
    tracing::info!(room_id = %room.id, "room created");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/rooms/{}", room.id)))
        .json(room))
}

/// One room.
#[utoipa::path(
    tag = "rooms",
    params(("id" = String, Path, description = "The room's id")),
    responses(
        (status = 200, description = "The room", body = Room),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/rooms/{id}")]
#[tracing::instrument(skip_all, fields(room_id = %path))]
async fn get_room(
    store: web::Data<Store>,
    path: web::Path<String>,
) -> Result<web::Json<Room>, ApiError> {
    let room = store
        .room(object_id(&path, "room")?)
        .await?
        .ok_or(ApiError::NotFound("room"))?;
    Ok(web::Json(room.to_dto()))
}

/// Longest window `GET /rooms/{id}/busy` answers for.
const MAX_BUSY_WINDOW_DAYS: i64 = 62;

/// When the room is taken (pending or approved reservations) within
/// [`from`, `to`), earliest first, without who or why: a public schedule.
/// A logged-in caller's own reservations carry their `reservation_id`;
/// an admin gets every id.
#[utoipa::path(
    tag = "rooms",
    params(("id" = String, Path, description = "The room's id"), BusyQuery),
    responses(
        (status = 200, description = "The busy ranges", body = Vec<BusyRange>),
        (status = 400, description = "`from` or `to` missing or malformed", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/rooms/{id}/busy")]
#[tracing::instrument(skip_all, fields(room_id = %path))]
async fn room_busy(
    store: web::Data<Store>,
    user: MaybeUser,
    path: web::Path<String>,
    query: Query<BusyQuery>,
) -> Result<web::Json<Vec<BusyRange>>, ApiError> {
    let (from, to) = (query.0.from.to_utc(), query.0.to.to_utc());
    if to <= from {
        return Err(ApiError::unacceptable("to", "must be after from"));
    }
    if to - from > chrono::Duration::days(MAX_BUSY_WINDOW_DAYS) {
        return Err(ApiError::unacceptable(
            "to",
            format!("must be at most {MAX_BUSY_WINDOW_DAYS} days after from"),
        ));
    }
    let id = object_id(&path, "room")?;
    store.room(id).await?.ok_or(ApiError::NotFound("room"))?;
    let viewer = match &user.0 {
        Some(user) if user.is_admin() => BusyViewer::Admin,
        Some(user) => BusyViewer::User(user.id()),
        None => BusyViewer::Anonymous,
    };
    Ok(web::Json(store.busy_ranges(id, from, to, viewer).await?))
}

/// Changes the fields present in the body; the others stay as they are.
#[utoipa::path(
    tag = "rooms",
    params(("id" = String, Path, description = "The room's id")),
    request_body = UpdateRoom,
    responses(
        (status = 200, description = "The updated room", body = Room),
        (status = 400, description = "A field is invalid", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 409, description = "`room_name_taken`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[patch("/rooms/{id}")]
#[tracing::instrument(skip_all, fields(room_id = %path))]
async fn update_room(
    store: web::Data<Store>,
    admin: Admin,
    path: web::Path<String>,
    body: Json<UpdateRoom>,
) -> Result<web::Json<Room>, ApiError> {
    let id = object_id(&path, "room")?;
    let changes = RoomChanges::try_from(body.0)?;
    if changes.is_empty() {
        return Err(ApiError::unacceptable("body", "names no field to change"));
    }
    Ok(web::Json(
        store.update_room(id, changes, &admin.0.actor()).await?,
    ))
}

/// Deletes a room that has no upcoming pending or approved reservations.
#[utoipa::path(
    tag = "rooms",
    params(("id" = String, Path, description = "The room's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 409, description = "`room_in_use`: upcoming reservations exist", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/rooms/{id}")]
#[tracing::instrument(skip_all, fields(room_id = %path))]
async fn delete_room(
    store: web::Data<Store>,
    admin: Admin,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    store
        .delete_room(
            object_id(&path, "room")?,
            chrono::Utc::now(),
            &admin.0.actor(),
        )
        .await?;
    tracing::info!("room deleted");
    Ok(HttpResponse::NoContent().finish())
}

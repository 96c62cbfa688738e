//! The waiting room: joining, polling, and the admins' settings.

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::Utc;
use shared::{ErrorBody, ErrorCode, QueueOverview, QueueSettings, QueueTicket};

use super::sale::check_not_started;
use crate::auth::{Admin, AuthUser};
use crate::catalogue::Catalogue;
use crate::domain::queue::QueueRules;
use crate::error::ApiError;
use crate::extract::Json;
use crate::queue::WaitingRoom;
use crate::store::queue::{QueueStateDoc, TicketStatus};
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(join_queue)
        .service(poll_queue)
        .service(set_queue)
        .service(get_queue)
        .service(revoke_admission);
}

/// Takes a place in the performance's waiting room, or returns the
/// caller's place if they have one (another tab, a retry, a refresh).
#[utoipa::path(
    tag = "queue",
    params(("id" = String, Path, description = "The performance's id")),
    responses(
        (status = 201, description = "A new place at the back of the line", body = QueueTicket),
        (status = 200, description = "The caller's existing place", body = QueueTicket),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 409, description = "`queue_closed` (no waiting room: go straight to the seats) or `performance_started`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/performances/{id}/queue")]
#[tracing::instrument(skip_all, fields(performance_id = %path, user_id = %user.id()))]
async fn join_queue(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    room: web::Data<WaitingRoom>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = object_id(&path, "performance")?;
    let performance = catalogue.existing_performance(&store, id).await?;
    check_not_started(&performance.doc, Utc::now())?;
    let state = store
        .queue_state(id)
        .await?
        .filter(|s| s.rules.enabled)
        .ok_or_else(|| {
            ApiError::conflict(
                ErrorCode::QueueClosed,
                "this performance has no waiting room now: go straight to the seats",
            )
        })?;
    let (ticket, new) = store.join_queue(&state, user.id()).await?;
    let view = room.describe(&store, &ticket, Utc::now()).await?;
    Ok(if new {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// Where the ticket's holder stands; also tells the line they are still
/// there. Poll again after `poll_after_ms`, always with the latest ticket.
#[utoipa::path(
    tag = "queue",
    params(("ticket" = String, Path, description = "The `ticket` from joining or the last poll")),
    responses(
        (status = 200, description = "The place in line, or the admission", body = QueueTicket),
        (status = 404, description = "Not a ticket this service issued", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/queue/{ticket}")]
async fn poll_queue(
    store: web::Data<Store>,
    room: web::Data<WaitingRoom>,
    path: web::Path<String>,
) -> Result<web::Json<QueueTicket>, ApiError> {
    Ok(web::Json(room.poll(&store, &path).await?))
}

fn overview(
    state: Option<&QueueStateDoc>,
    id: bson::oid::ObjectId,
    counts: (u64, u64),
) -> QueueOverview {
    let now = Utc::now();
    QueueOverview {
        performance_id: shared::PerformanceId(id.to_hex()),
        settings: state.map(|s| QueueSettings::from(s.rules)),
        waiting: counts.0,
        active: counts.1,
        admitted_last_minute: state.map_or(0, |s| s.admitted_last_minute(now)),
        admitted_total: state.map_or(0, |s| u64::try_from(s.admitted_total).unwrap_or(0)),
        frontier: state.map_or(0, |s| u64::try_from(s.frontier).unwrap_or(0)),
        drawn: state.is_none_or(|s| s.drawn),
    }
}

/// Sets up, changes, or turns off the performance's waiting room. On every
/// instance within `queue.board_refresh_ms`, holding and booking its seats
/// then needs an admission.
#[utoipa::path(
    tag = "queue",
    params(("id" = String, Path, description = "The performance's id")),
    request_body = QueueSettings,
    responses(
        (status = 200, description = "The settings and the line now", body = QueueOverview),
        (status = 400, description = "A setting out of range", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[put("/performances/{id}/queue")]
#[tracing::instrument(skip_all, fields(performance_id = %path))]
async fn set_queue(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    room: web::Data<WaitingRoom>,
    admin: Admin,
    path: web::Path<String>,
    body: Json<QueueSettings>,
) -> Result<web::Json<QueueOverview>, ApiError> {
    let id = object_id(&path, "performance")?;
    let rules = QueueRules::try_from(body.0)?;
    let performance = catalogue.existing_performance(&store, id).await?;
    let now = store.server_time().await?;
    let opens = performance.doc.sale_opens_at.to_chrono();
    let state = store
        .set_queue(id, rules, (opens, now), &admin.0.actor())
        .await?;
    room.refresh(&store).await?;
    let counts = store.queue_counts(id, now).await?;
    Ok(web::Json(overview(Some(&state), id, counts)))
}

/// The waiting room's settings and live figures.
#[utoipa::path(
    tag = "queue",
    params(("id" = String, Path, description = "The performance's id")),
    responses(
        (status = 200, description = "Settings (absent if never set up) and the line now", body = QueueOverview),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/performances/{id}/queue")]
async fn get_queue(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    _admin: Admin,
    path: web::Path<String>,
) -> Result<web::Json<QueueOverview>, ApiError> {
    let id = object_id(&path, "performance")?;
    catalogue.existing_performance(&store, id).await?;
    let state = store.queue_state(id).await?;
    let counts = store.queue_counts(id, Utc::now()).await?;
    Ok(web::Json(overview(state.as_ref(), id, counts)))
}

/// Withdraws a buyer's admission: their token stops working at once.
#[utoipa::path(
    tag = "queue",
    params(
        ("id" = String, Path, description = "The performance's id"),
        ("user_id" = String, Path, description = "The buyer's id"),
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "The buyer holds no admission for this performance", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/performances/{id}/queue/admissions/{user_id}")]
async fn revoke_admission(
    store: web::Data<Store>,
    _admin: Admin,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = object_id(&path.0, "performance")?;
    let user = object_id(&path.1, "admission")?;
    if !store.end_admission(id, user, TicketStatus::Revoked).await? {
        return Err(ApiError::NotFound("admission"));
    }
    Ok(HttpResponse::NoContent().finish())
}

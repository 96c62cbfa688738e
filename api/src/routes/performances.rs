//! Cancelling a performance (admin).

use std::time::Duration;

use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use shared::{CancelPerformance, ErrorBody, PerformanceCancellation};

use super::sale::check_not_started;
use crate::auth::Admin;
use crate::catalogue::{Catalogue, performance_dto};
use crate::domain::bounded_text;
use crate::error::ApiError;
use crate::extract::Json;
use crate::store::{Store, object_id};

/// How long the request refunds before answering; the background sweep
/// finishes what is left.
const REQUEST_BUDGET: Duration = Duration::from_secs(20);

/// The longest reason, in characters.
const REASON_MAX: usize = 500;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(cancel_performance);
}

/// Cancels a performance (admin): nothing more is sold, live holds are
/// released, and every booking is cancelled with its price refunded to
/// the buyer's wallet; each buyer is told as for a cancellation of their
/// own (`booking.cancelled`, and its e-mail, with the reason). Large
/// performances finish in the background (`bookings_left`); sending the
/// request again for a cancelled performance finishes what is left and
/// changes nothing else.
#[utoipa::path(
    tag = "shows",
    params(("id" = String, Path, description = "The performance's id")),
    request_body = CancelPerformance,
    responses(
        (status = 200, description = "Cancelled; what was refunded", body = PerformanceCancellation),
        (status = 400, description = "A field is malformed, or the reason is too long", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such performance", body = ErrorBody),
        (status = 409, description = "`performance_started`: it has started and was not cancelled before", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/performances/{id}/cancel")]
#[tracing::instrument(skip_all, fields(performance_id = %path))]
async fn cancel_performance(
    store: web::Data<Store>,
    catalogue: web::Data<Catalogue>,
    admin: Admin,
    path: web::Path<String>,
    body: Json<CancelPerformance>,
) -> Result<HttpResponse, ApiError> {
    let id = object_id(&path, "performance")?;
    let reason = bounded_text("reason", &body.0.reason, 0, REASON_MAX)?;
    let reason = reason.as_str();
    let existing = store
        .performance(id)
        .await?
        .ok_or(ApiError::NotFound("performance"))?;
    let now = Utc::now();
    if existing.cancelled_at.is_none() {
        check_not_started(&existing, now)?;
    }
    let actor = admin.0.actor();
    let performance = store.close_performance(id, reason, now, &actor).await?;
    catalogue.invalidate_shows();
    let outcome = store
        .finish_cancellation(&performance, &actor, REQUEST_BUDGET)
        .await;
    catalogue.changed(&store, id).await;
    let refunds = outcome?;
    let counts = store
        .seat_counts_of(Utc::now(), &[id])
        .await?
        .get(&id)
        .copied()
        .unwrap_or_default();
    Ok(HttpResponse::Ok().json(PerformanceCancellation {
        performance: performance_dto(&performance, counts),
        bookings_cancelled: refunds.bookings,
        points_refunded: refunds.points,
        holds_released: refunds.holds,
        bookings_left: refunds.left,
    }))
}

//! Reconciliation runs (admins only): the latest, and one started now.

use actix_web::{HttpResponse, get, post, web};
use shared::{ErrorBody, ReconcileTrigger, Reconciliation, ReconciliationQuery, RunReconciliation};

use crate::auth::Admin;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::metrics::Metrics;
use crate::store::Store;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_reconciliations)
        .service(run_reconciliation);
}

/// The latest reconciliation runs, newest first: what each checked, every
/// drift it found (with ids) and whether it repaired them. Runs come from
/// the periodic job (`reconcile.every_seconds`), admins and
/// `api reconcile`.
#[utoipa::path(
    tag = "reconciliation",
    params(ReconciliationQuery),
    responses(
        (status = 200, description = "The latest runs, newest first", body = [Reconciliation]),
        (status = 400, description = "A bad `limit`", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/reconciliations")]
#[tracing::instrument(skip_all)]
async fn list_reconciliations(
    store: web::Data<Store>,
    _admin: Admin,
    query: Query<ReconciliationQuery>,
) -> Result<web::Json<Vec<Reconciliation>>, ApiError> {
    let limit = query.0.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 100"));
    }
    Ok(web::Json(store.reconciliations(i64::from(limit)).await?))
}

/// Checks every derived fact against its source of truth now and, with
/// `repair`, fixes the derived data that drifted (never a booking,
/// reservation or ledger entry). Answers when the run is done.
#[utoipa::path(
    tag = "reconciliation",
    request_body = RunReconciliation,
    responses(
        (status = 201, description = "The finished run", body = Reconciliation),
        (status = 400, description = "A malformed body", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "`reconcile_running`: another run is under way", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/reconciliations")]
#[tracing::instrument(skip_all)]
async fn run_reconciliation(
    store: web::Data<Store>,
    metrics: web::Data<Metrics>,
    admin: Admin,
    body: Json<RunReconciliation>,
) -> Result<HttpResponse, ApiError> {
    tracing::info!(admin = %admin.0.0.id, repair = body.0.repair, "reconciliation asked for");
    let run = crate::reconcile::run_once(&store, body.0.repair, ReconcileTrigger::Admin).await?;
    metrics.set_reconciliation(&run);
    Ok(HttpResponse::Created().json(run))
}

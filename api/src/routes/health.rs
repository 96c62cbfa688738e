//! Liveness and readiness.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use shared::{Health, Readiness};

use crate::error::RETRY_AFTER_SECONDS;
use crate::store::Store;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health).service(ready);
}

/// Liveness: answers while the process runs, whatever the database does.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The process is up", body = Health))
)]
#[get("/health")]
async fn health() -> web::Json<Health> {
    web::Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// Readiness: a primary is known, so bookings can be written, and the
/// booking indexes exist. Reports every member of the replica set with its
/// state and replication lag (from `replSetGetStatus` when the database
/// user may run it, otherwise from `hello`). During an election it answers
/// `503` without a `primary`.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve requests", body = Readiness),
        (status = 503, description = "Not ready (no database, no primary, or indexes not built yet); the body says why", body = Readiness,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
#[get("/health/ready")]
#[tracing::instrument(skip_all)]
async fn ready(store: web::Data<Store>) -> HttpResponse {
    let report = store.replica_set_report().await;
    let indexes_ready = store.indexes_ready();
    let is_ready = report.reachable && report.writable && indexes_ready;
    let body = Readiness {
        status: if is_ready { "ready" } else { "unavailable" }.into(),
        database_reachable: report.reachable,
        indexes_ready,
        replica_set: report.replica_set,
        primary: report.primary,
        members: report.members,
        members_source: report.members_source.map(str::to_owned),
    };
    if is_ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS))
            .json(body)
    }
}

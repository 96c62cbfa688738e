//! Liveness and readiness.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use bson::doc;
use shared::{Health, Readiness, ReplicaSetMember};

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

/// Readiness: the database answers, has a primary, and the booking indexes exist.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve requests", body = Readiness),
        (status = 503, description = "Not ready; the body says why", body = Readiness,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
#[get("/health/ready")]
#[tracing::instrument(skip_all)]
async fn ready(store: web::Data<Store>) -> HttpResponse {
    let hello = store.run_command(doc! { "hello": 1 }).await.ok();
    let reachable = hello.is_some();
    let text = |key: &str| {
        hello
            .as_ref()
            .and_then(|h| h.get_str(key).ok())
            .map(str::to_owned)
    };
    let list = |key: &str| -> Vec<String> {
        hello
            .as_ref()
            .and_then(|h| h.get_array(key).ok())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let primary = text("primary");
    let replica_set = text("setName");
    let mut members: Vec<ReplicaSetMember> = list("hosts")
        .into_iter()
        .map(|host| ReplicaSetMember {
            role: if Some(&host) == primary.as_ref() {
                "primary".into()
            } else {
                "secondary".into()
            },
            host,
        })
        .collect();
    for (key, role) in [("passives", "passive"), ("arbiters", "arbiter")] {
        members.extend(list(key).into_iter().map(|host| ReplicaSetMember {
            host,
            role: role.into(),
        }));
    }
    // A standalone server has no primary field but accepts writes itself.
    let writable = hello
        .as_ref()
        .is_some_and(|h| h.get_bool("isWritablePrimary").unwrap_or(false))
        || primary.is_some();
    let indexes_ready = store.indexes_ready();
    let is_ready = reachable && writable && indexes_ready;
    let body = Readiness {
        status: if is_ready { "ready" } else { "unavailable" }.into(),
        database_reachable: reachable,
        indexes_ready,
        replica_set,
        primary,
        members,
    };
    if is_ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS))
            .json(body)
    }
}

//! The HTTP side: booking and reservation outcomes by the error code
//! answered, and the `/metrics` endpoint.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, get, web};
use prometheus::{Encoder, TextEncoder};

use super::Metrics;
use crate::error::ApiError;
use crate::store::Store;

/// Which requests are bookings or reservations, by method and route
/// pattern, and the operation each one is.
pub(super) const OUTCOME_ROUTES: [(&str, &str, &str, &str); 9] = [
    ("POST", "/api/v1/performances/{id}/holds", "seat", "hold"),
    ("POST", "/api/v1/performances/{id}/bookings", "seat", "book"),
    ("POST", "/api/v1/holds/{id}/confirm", "seat", "confirm"),
    ("DELETE", "/api/v1/holds/{id}", "seat", "release"),
    ("POST", "/api/v1/bookings/{id}/cancel", "seat", "cancel"),
    ("POST", "/api/v1/reservations", "room", "reserve"),
    ("POST", "/api/v1/reservations/{id}/cancel", "room", "cancel"),
    (
        "POST",
        "/api/v1/reservations/{id}/approve",
        "room",
        "approve",
    ),
    ("POST", "/api/v1/reservations/{id}/reject", "room", "reject"),
];

/// Counts the outcome of every booking and reservation request: `ok`,
/// `replayed` (an `Idempotency-Key` repeat), or the error code answered.
pub async fn record_outcomes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // Every counted operation is a POST or DELETE: reads skip the lookup.
    let method = req.method().as_str();
    let counted = method == "POST" || method == "DELETE";
    let route = counted
        .then(|| req.match_pattern())
        .flatten()
        .and_then(|pattern| {
            OUTCOME_ROUTES
                .iter()
                .find(|(m, path, _, _)| *path == pattern && *m == method)
        });
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let response = next.call(req).await;
    if let (Some((_, _, kind, operation)), Some(metrics)) = (route, metrics) {
        let result = match &response {
            Ok(response) => outcome_of(response),
            Err(error) => code_of(error),
        };
        metrics.outcome(kind, operation, &result);
    }
    response
}

/// The code the API answered an error with, e.g. `seat_taken`.
fn code_of(error: &actix_web::Error) -> String {
    error
        .as_error::<ApiError>()
        .map_or_else(|| "error".to_owned(), ApiError::code_name)
}

fn outcome_of<B>(response: &ServiceResponse<B>) -> String {
    if let Some(error) = response.response().error() {
        return code_of(error);
    }
    if response.headers().contains_key("Idempotent-Replayed") {
        "replayed".to_owned()
    } else if response.status().is_success() {
        "ok".to_owned()
    } else {
        format!("status_{}", response.status().as_u16())
    }
}

/// Prometheus scrapes this instance's metrics here. Each scrape also asks
/// the replica set for its members' states and lag (as readiness does).
#[get("/metrics")]
pub async fn metrics_endpoint(
    metrics: web::Data<Metrics>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let report = store.replica_set_report().await;
    metrics.set_members(&report.members);
    Ok(HttpResponse::Ok()
        .content_type(TextEncoder::new().format_type())
        .body(metrics.render()?))
}

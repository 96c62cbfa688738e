//! The limits this server enforces.

use actix_web::{get, web};
use shared::Limits;

use super::AppConfig;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_limits);
}

/// What this server allows: reservation lengths, seats per user, hold time,
/// the largest charge. Clients can state them before a request is refused.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "The limits", body = Limits))
)]
#[get("/limits")]
async fn get_limits(config: web::Data<AppConfig>) -> web::Json<Limits> {
    let rules = &config.reservation_rules;
    web::Json(Limits {
        max_reservation_minutes: rules.max_duration.num_minutes(),
        max_days_ahead: rules.max_ahead.num_days(),
        max_seats_per_user: config.events.max_seats_per_user,
        hold_ttl_seconds: config.events.hold_ttl.num_seconds(),
        max_charge: config.events.max_charge,
    })
}

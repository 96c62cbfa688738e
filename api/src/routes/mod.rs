//! HTTP routes, one module per resource, all under `/api/v1`.

pub mod auth;
pub mod health;
pub mod reservations;
pub mod rooms;
pub mod users;

use actix_web::web;

use crate::auth::password::HashCost;
use crate::domain::reservation::ReservationRules;

/// Settings handlers need, shared read-only.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub hash_cost: HashCost,
    pub session_ttl: chrono::Duration,
    pub cookie_secure: bool,
    pub reservation_rules: ReservationRules,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    health::configure(cfg);
    auth::configure(cfg);
    users::configure(cfg);
    rooms::configure(cfg);
    reservations::configure(cfg);
}

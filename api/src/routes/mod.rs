//! HTTP routes, one module per resource, all under `/api/v1`.

pub mod auth;
pub mod bookings;
pub mod health;
pub mod limits;
pub mod posters;
pub mod queue;
pub mod reservations;
pub mod rooms;
mod sale;
pub mod seats;
pub mod shows;
pub mod users;
pub mod venues;
pub mod wallet;

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
    pub events: EventRules,
}

/// Seated-event limits from configuration.
#[derive(Debug, Clone)]
pub struct EventRules {
    pub hold_ttl: chrono::Duration,
    pub max_seats_per_user: u32,
    pub max_charge: i64,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    health::configure(cfg);
    limits::configure(cfg);
    auth::configure(cfg);
    users::configure(cfg);
    rooms::configure(cfg);
    reservations::configure(cfg);
    venues::configure(cfg);
    shows::configure(cfg);
    seats::configure(cfg);
    queue::configure(cfg);
    bookings::configure(cfg);
    wallet::configure(cfg);
}

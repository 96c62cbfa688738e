//! Black-box tests of the HTTP API against a real MongoDB-compatible
//! server. Every test starts the application on its own database.

mod api_keys;
mod audit;
mod auth;
mod cancellation;
mod concurrency;
mod demo_data;
mod deploy;
mod health;
mod import;
mod live;
mod mail;
mod metrics;
mod occupancy_rollups;
mod openapi;
mod outage;
mod ownership;
mod queue;
mod rate_limits;
mod reconcile;
mod reports;
mod reservations;
mod room_deletion;
mod rooms;
mod seat_limit;
mod seat_races;
mod seats;
mod security;
mod sessions;
mod show_edits;
mod shows;
mod sso;
mod users;
mod venue_edits;
mod wallet;
mod webhooks;

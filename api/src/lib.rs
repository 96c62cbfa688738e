//! The reservation platform's HTTP API.

pub mod auth;
pub mod background;
pub mod catalogue;
pub mod configuration;
pub mod dispatch;
pub mod domain;
pub mod error;
pub mod extract;
pub mod http;
pub mod import;
pub mod live;
pub mod mail;
pub mod metrics;
pub mod oidc;
pub mod openapi;
pub mod queue;
pub mod reconcile;
pub mod routes;
pub mod seat_queue;
pub mod security;
pub mod seed;
pub mod startup;
pub mod store;
pub mod telemetry;

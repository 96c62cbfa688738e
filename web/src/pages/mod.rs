//! One module per page.

pub mod admin;
pub mod api_keys;
pub mod auth;
pub mod booking;
pub mod bookings;
pub mod my;
pub mod not_found;
pub mod notifications;
pub mod room;
pub mod rooms;
pub mod seats;
pub mod security;
pub mod show;
pub mod shows;
pub mod sso;
pub mod timeline;
pub mod wallet;

//! One module per page.

pub mod admin;
pub mod auth;
pub mod booking;
pub mod my;
pub mod not_found;
pub mod room;
pub mod rooms;
pub mod timeline;

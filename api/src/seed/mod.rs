//! Demo data: the meeting-room data set from a file, and a generated
//! seated-event catalogue. Both loaders are idempotent.

pub mod catalog;
pub mod rooms;

pub use rooms::load_file;

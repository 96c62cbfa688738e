//! Demo data: the meeting-room data set from a file, and a generated
//! seated-event catalogue. Both loaders are idempotent.

pub mod catalog;
pub mod rooms;

pub use rooms::load_file;

/// Demo data is recorded as the `demo-data` job's doing.
fn demo_actor() -> crate::store::outbox::Actor {
    crate::store::outbox::Actor::system("demo-data")
}

//! Every index the API relies on, created at startup from this one place.
//! `createIndexes` is idempotent, so every start (and every test database)
//! runs it.

use std::time::Duration;

use bson::{Document, doc};
use mongodb::options::IndexOptions;
use mongodb::{Database, IndexModel};

pub const USERS: &str = "users";
pub const SESSIONS: &str = "sessions";
pub const ROOMS: &str = "rooms";
pub const RESERVATIONS: &str = "reservations";
pub const ROOM_SLOTS: &str = "room_slots";

fn index(keys: Document, name: &str) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(IndexOptions::builder().name(name.to_owned()).build())
        .build()
}

fn unique(keys: Document, name: &str) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(
            IndexOptions::builder()
                .name(name.to_owned())
                .unique(true)
                .build(),
        )
        .build()
}

pub async fn ensure(db: &Database) -> Result<(), mongodb::error::Error> {
    let plan: [(&str, Vec<IndexModel>); 5] = [
        (USERS, vec![unique(doc! { "email_key": 1 }, "email_unique")]),
        (
            SESSIONS,
            vec![
                index(doc! { "user_id": 1 }, "by_user"),
                // Tidies expired sessions; lookups check the expiry themselves.
                IndexModel::builder()
                    .keys(doc! { "expires_at": 1 })
                    .options(
                        IndexOptions::builder()
                            .name("expiry_ttl".to_owned())
                            .expire_after(Duration::ZERO)
                            .build(),
                    )
                    .build(),
            ],
        ),
        (ROOMS, vec![unique(doc! { "name_key": 1 }, "name_unique")]),
        (
            RESERVATIONS,
            vec![
                index(doc! { "user_id": 1, "start": 1, "_id": 1 }, "by_user_start"),
                index(doc! { "room_id": 1, "start": 1, "_id": 1 }, "by_room_start"),
                index(
                    doc! { "status": 1, "start": 1, "_id": 1 },
                    "by_status_start",
                ),
                index(doc! { "start": 1, "_id": 1 }, "by_start"),
            ],
        ),
        (
            ROOM_SLOTS,
            vec![
                // The guarantee: one claim per (room, five-minute cell).
                unique(doc! { "room_id": 1, "cell": 1 }, "room_cell_unique"),
                index(doc! { "reservation_id": 1 }, "by_reservation"),
            ],
        ),
    ];
    for (collection, models) in plan {
        db.collection::<Document>(collection)
            .create_indexes(models)
            .await?;
    }
    Ok(())
}

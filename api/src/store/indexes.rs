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
pub const VENUES: &str = "venues";
pub const SHOWS: &str = "shows";
pub const PERFORMANCES: &str = "performances";
pub const POSTERS: &str = "posters";
pub const SEATS: &str = "seats";
pub const SEAT_GUARDS: &str = "seat_guards";
pub const HOLDS: &str = "holds";
pub const BOOKINGS: &str = "bookings";
pub const BOOKED_SEATS: &str = "booked_seats";
pub const WALLETS: &str = "wallets";
pub const LEDGER: &str = "ledger";
pub const IDEMPOTENCY: &str = "idempotency";
pub const QUEUE_STATES: &str = "queue_states";
pub const QUEUE_COUNTERS: &str = "queue_counters";
pub const QUEUE_TICKETS: &str = "queue_tickets";
pub const LEASES: &str = "leases";
pub const SECRETS: &str = "secrets";
pub const EVENTS: &str = "events";
pub const WEBHOOKS: &str = "webhooks";
pub const DELIVERIES: &str = "deliveries";
pub const RECONCILIATIONS: &str = "reconciliations";
pub const MAILS: &str = "mails";
pub const NOTIFICATION_SETTINGS: &str = "notification_settings";
pub const LOGIN_FAILURES: &str = "login_failures";
pub const LOGIN_DEVICES: &str = "login_devices";
pub const API_KEYS: &str = "api_keys";
pub const IDENTITIES: &str = "identities";
pub const OIDC_LOGINS: &str = "oidc_logins";
pub const OIDC_LINKS: &str = "oidc_links";

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

/// Documents are removed once the time in `keys`' one field has passed.
fn ttl(keys: Document) -> IndexModel {
    with_options(
        keys,
        IndexOptions::builder()
            .name("expiry_ttl".to_owned())
            .expire_after(Duration::ZERO)
            .build(),
    )
}

fn with_options(keys: Document, options: IndexOptions) -> IndexModel {
    IndexModel::builder().keys(keys).options(options).build()
}

pub async fn ensure(db: &Database) -> Result<(), mongodb::error::Error> {
    let plan: [(&str, Vec<IndexModel>); 39] = [
        (
            API_KEYS,
            vec![
                unique(doc! { "key_hash": 1 }, "key_unique"),
                index(doc! { "user_id": 1, "_id": -1 }, "by_user"),
            ],
        ),
        // Forgotten once their wait (and, before a lock, a quiet spell) is over.
        (LOGIN_FAILURES, vec![ttl(doc! { "expires_at": 1 })]),
        (IDENTITIES, vec![index(doc! { "user_id": 1 }, "by_user")]),
        (OIDC_LOGINS, vec![ttl(doc! { "expires_at": 1 })]),
        (OIDC_LINKS, vec![ttl(doc! { "expires_at": 1 })]),
        (
            LOGIN_DEVICES,
            vec![
                index(doc! { "user_id": 1 }, "by_user"),
                ttl(doc! { "expires_at": 1 }),
            ],
        ),
        (
            MAILS,
            vec![
                index(doc! { "status": 1, "due_at": 1 }, "due"),
                index(doc! { "user_id": 1, "created_at": -1 }, "by_user"),
            ],
        ),
        (NOTIFICATION_SETTINGS, vec![]),
        // Runs are read newest first, by `_id`.
        (RECONCILIATIONS, vec![]),
        // Occupancy roll-ups (`store/reports/rollup.rs`): one per room and
        // local day, read by room and day; seals by room (`_id`).
        (
            crate::store::reports::OCCUPANCY_DAYS,
            vec![unique(doc! { "room_id": 1, "start": 1 }, "room_day")],
        ),
        (crate::store::reports::OCCUPANCY_MARKS, vec![]),
        // The archive (`store/archive/`): searched by user, by room or
        // show, by date, newest first.
        (
            crate::store::archive::RESERVATIONS_ARCHIVE,
            archive_indexes(),
        ),
        (crate::store::archive::BOOKINGS_ARCHIVE, archive_indexes()),
        (crate::store::archive::ARCHIVE_MARKS, vec![]),
        (USERS, vec![unique(doc! { "email_key": 1 }, "email_unique")]),
        (
            SESSIONS,
            vec![
                index(doc! { "user_id": 1 }, "by_user"),
                // Tidies expired sessions; lookups check the expiry themselves.
                ttl(doc! { "expires_at": 1 }),
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
                // Finished ones, for the archive (`store/archive/`).
                index(doc! { "end": 1 }, "by_end"),
                // An imported row is stored once, however often the
                // import runs (`import/`).
                with_options(
                    doc! { "import_ref": 1 },
                    IndexOptions::builder()
                        .name("import_ref_unique".to_owned())
                        .unique(true)
                        .sparse(true)
                        .build(),
                ),
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
        (VENUES, vec![unique(doc! { "name_key": 1 }, "name_unique")]),
        (
            SHOWS,
            vec![index(doc! { "created_at": -1, "_id": -1 }, "latest")],
        ),
        // One uploaded poster per show, by the show's id.
        (POSTERS, vec![]),
        (
            PERFORMANCES,
            vec![
                index(doc! { "show_id": 1, "starts_at": 1 }, "by_show"),
                // Reminders look for performances starting soon.
                index(doc! { "starts_at": 1 }, "by_start"),
                // A venue's performances still to come (`store/venues.rs`).
                index(doc! { "venue_id": 1, "ends_at": 1 }, "by_venue"),
                // Cancellations still refunding (`store/cancellation.rs`).
                with_options(
                    doc! { "refunds_pending": 1 },
                    IndexOptions::builder()
                        .name("refunds_pending".to_owned())
                        .sparse(true)
                        .build(),
                ),
            ],
        ),
        (
            SEATS,
            vec![
                // One document per seat of a performance.
                unique(doc! { "performance_id": 1, "label": 1 }, "seat_unique"),
                index(doc! { "performance_id": 1, "position": 1 }, "layout"),
                index(doc! { "performance_id": 1, "holder": 1 }, "by_holder"),
                index(doc! { "hold_id": 1 }, "by_hold"),
                index(doc! { "booking_id": 1 }, "by_booking"),
                index(doc! { "state": 1, "hold_expires_at": 1 }, "by_state"),
            ],
        ),
        (SEAT_GUARDS, vec![]),
        (
            HOLDS,
            vec![
                index(doc! { "user_id": 1, "_id": -1 }, "by_user"),
                index(doc! { "status": 1, "expires_at": 1 }, "by_expiry"),
                // A cancelled performance's live holds.
                index(doc! { "performance_id": 1, "status": 1 }, "by_performance"),
            ],
        ),
        (
            BOOKINGS,
            vec![
                index(doc! { "user_id": 1, "_id": -1 }, "by_user"),
                index(
                    doc! { "user_id": 1, "starts_at": 1, "_id": 1 },
                    "by_user_start",
                ),
                index(
                    doc! { "user_id": 1, "status": 1, "show_id": 1 },
                    "by_user_show",
                ),
                // Reports: a performance's bookings.
                index(
                    doc! { "performance_id": 1, "created_at": 1 },
                    "by_performance",
                ),
                // A cancelled performance's confirmed bookings.
                index(
                    doc! { "performance_id": 1, "status": 1 },
                    "by_performance_status",
                ),
            ],
        ),
        (
            BOOKED_SEATS,
            vec![
                // Second line of defence: no seat in two confirmed bookings.
                unique(
                    doc! { "performance_id": 1, "label": 1 },
                    "booked_seat_unique",
                ),
                index(doc! { "booking_id": 1 }, "by_booking"),
            ],
        ),
        (WALLETS, vec![]),
        (
            LEDGER,
            vec![
                unique(doc! { "entry_key": 1 }, "entry_unique"),
                index(doc! { "user_id": 1, "_id": -1 }, "by_user"),
            ],
        ),
        (
            IDEMPOTENCY,
            vec![with_options(
                doc! { "created_at": 1 },
                IndexOptions::builder()
                    .name("expiry_ttl".to_owned())
                    .expire_after(Duration::from_secs(24 * 3600))
                    .build(),
            )],
        ),
        (QUEUE_STATES, vec![]),
        (QUEUE_COUNTERS, vec![]),
        (
            QUEUE_TICKETS,
            vec![
                // One place in line per buyer and performance: joining twice
                // keeps the first place.
                unique(doc! { "performance_id": 1, "user_id": 1 }, "one_place"),
                // Waiting buyers in order, and those without a place yet.
                index(
                    doc! { "performance_id": 1, "status": 1, "position": 1 },
                    "line",
                ),
                // Every place in order, walked by the scheduler.
                index(doc! { "performance_id": 1, "position": 1 }, "places"),
            ],
        ),
        (LEASES, vec![]),
        (SECRETS, vec![]),
        (
            EVENTS,
            vec![
                // A target's changes are numbered 1, 2, 3, ... once each.
                unique(
                    doc! { "target_type": 1, "target_id": 1, "seq": 1 },
                    "seq_unique",
                ),
                // Events not fanned out yet.
                with_options(
                    doc! { "pending": 1 },
                    IndexOptions::builder()
                        .name("pending".to_owned())
                        .sparse(true)
                        .build(),
                ),
                // The audit log's filters, newest first.
                index(doc! { "actor.user_id": 1, "_id": -1 }, "by_actor"),
                index(doc! { "type": 1, "_id": -1 }, "by_type"),
                index(doc! { "target_type": 1, "_id": -1 }, "by_target_type"),
            ],
        ),
        (WEBHOOKS, vec![]),
        (
            DELIVERIES,
            vec![
                // One delivery per event and endpoint; a lane is one
                // endpoint and one target, delivered in `seq` order.
                unique(doc! { "lane": 1, "seq": 1 }, "lane_seq_unique"),
                index(doc! { "lane": 1, "status": 1, "seq": 1 }, "lane_order"),
                // What is due next.
                index(doc! { "status": 1, "due_at": 1 }, "due"),
                // An endpoint's history, newest first.
                index(doc! { "endpoint_id": 1, "_id": -1 }, "by_endpoint"),
                index(
                    doc! { "endpoint_id": 1, "status": 1, "_id": -1 },
                    "by_endpoint_status",
                ),
            ],
        ),
    ];
    let existing = db.list_collection_names().await?;
    for (collection, models) in plan {
        if models.is_empty() {
            // Created up front: transactions are simplest on existing collections.
            if !existing.iter().any(|c| c == collection) {
                match db.create_collection(collection).await {
                    Ok(()) => {}
                    // Another instance created it meanwhile (NamespaceExists).
                    Err(e) if matches!(e.kind.as_ref(), mongodb::error::ErrorKind::Command(c) if c.code == 48) =>
                        {}
                    Err(e) => return Err(e),
                }
            }
            continue;
        }
        db.collection::<Document>(collection)
            .create_indexes(models)
            .await?;
    }
    Ok(())
}

fn archive_indexes() -> Vec<IndexModel> {
    vec![
        index(doc! { "user_key": 1, "at": -1, "_id": -1 }, "by_user"),
        index(doc! { "subject_key": 1, "at": -1, "_id": -1 }, "by_subject"),
        index(doc! { "at": -1, "_id": -1 }, "by_at"),
    ]
}

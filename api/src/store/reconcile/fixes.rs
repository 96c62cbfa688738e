//! The changes a reconciliation may make: to derived documents only.

use bson::oid::ObjectId;
use bson::{Bson, Document, doc};
use mongodb::ClientSession;

use crate::error::ApiError;
use crate::store::Store;
use crate::store::indexes::{BOOKED_SEATS, PERFORMANCES, ROOM_SLOTS, SEAT_GUARDS, SEATS, WALLETS};

#[derive(Debug, Clone)]
pub(super) enum Fix {
    /// Sets a seat's state fields, removing the others.
    Seat {
        id: ObjectId,
        set: Document,
        unset: Vec<&'static str>,
    },
    BookedSeatMissing {
        performance: ObjectId,
        label: String,
        booking: ObjectId,
    },
    BookedSeatOwner {
        id: ObjectId,
        booking: ObjectId,
    },
    BookedSeatExtra {
        id: ObjectId,
    },
    /// Replaces a seat-limit guard's entries (creating the guard).
    Guard {
        id: String,
        live: Vec<Document>,
    },
    SeatCount {
        performance: ObjectId,
        total: u32,
    },
    CellMissing {
        room: ObjectId,
        cell: bson::DateTime,
        reservation: ObjectId,
    },
    CellOwner {
        id: ObjectId,
        reservation: ObjectId,
    },
    CellExtra {
        id: ObjectId,
    },
    Balance {
        user: ObjectId,
        balance: i64,
    },
    /// Recomputes a room's occupancy roll-ups of local days `[from, until)`
    /// (cut in `zone`) from its reservations, whatever their length.
    OccupancyDays {
        room: ObjectId,
        zone: chrono_tz::Tz,
        from: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    },
}

impl Fix {
    /// Applies the fix inside the transaction that judged it.
    pub(super) async fn apply(
        &self,
        store: &Store,
        session: &mut ClientSession,
    ) -> Result<(), ApiError> {
        let docs = |name: &str| store.collection::<Document>(name);
        match self {
            Self::Seat { id, set, unset } => {
                let mut update = doc! { "$set": set.clone() };
                if !unset.is_empty() {
                    let fields: Document = unset
                        .iter()
                        .map(|f| ((*f).to_owned(), Bson::String(String::new())))
                        .collect();
                    update.insert("$unset", fields);
                }
                docs(SEATS)
                    .update_one(doc! { "_id": id }, update)
                    .session(&mut *session)
                    .await?;
            }
            Self::BookedSeatMissing {
                performance,
                label,
                booking,
            } => {
                docs(BOOKED_SEATS)
                    .insert_one(doc! {
                        "performance_id": performance,
                        "label": label,
                        "booking_id": booking,
                    })
                    .session(&mut *session)
                    .await?;
            }
            Self::BookedSeatOwner { id, booking } => {
                docs(BOOKED_SEATS)
                    .update_one(
                        doc! { "_id": id },
                        doc! { "$set": { "booking_id": booking } },
                    )
                    .session(&mut *session)
                    .await?;
            }
            Self::BookedSeatExtra { id } => {
                docs(BOOKED_SEATS)
                    .delete_one(doc! { "_id": id })
                    .session(&mut *session)
                    .await?;
            }
            Self::Guard { id, live } => {
                docs(SEAT_GUARDS)
                    .update_one(
                        doc! { "_id": id },
                        doc! { "$set": { "live": live.clone() } },
                    )
                    .upsert(true)
                    .session(&mut *session)
                    .await?;
            }
            Self::SeatCount { performance, total } => {
                docs(PERFORMANCES)
                    .update_one(
                        doc! { "_id": performance },
                        doc! { "$set": { "total_seats": i64::from(*total) } },
                    )
                    .session(&mut *session)
                    .await?;
            }
            Self::CellMissing {
                room,
                cell,
                reservation,
            } => {
                docs(ROOM_SLOTS)
                    .insert_one(
                        doc! { "room_id": room, "cell": cell, "reservation_id": reservation },
                    )
                    .session(&mut *session)
                    .await?;
            }
            Self::CellOwner { id, reservation } => {
                docs(ROOM_SLOTS)
                    .update_one(
                        doc! { "_id": id },
                        doc! { "$set": { "reservation_id": reservation } },
                    )
                    .session(&mut *session)
                    .await?;
            }
            Self::CellExtra { id } => {
                docs(ROOM_SLOTS)
                    .delete_one(doc! { "_id": id })
                    .session(&mut *session)
                    .await?;
            }
            Self::Balance { user, balance } => {
                docs(WALLETS)
                    .update_one(
                        doc! { "_id": user },
                        doc! { "$set": { "balance": balance } },
                    )
                    .session(&mut *session)
                    .await?;
            }
            Self::OccupancyDays {
                room,
                zone,
                from,
                until,
            } => {
                // From `from` only: earlier days may be the archive's record.
                let stale = doc! {
                    "room_id": room,
                    "start": {
                        "$gte": crate::store::to_bson_time(*from),
                        "$lt": crate::store::to_bson_time(*until),
                    },
                };
                let any_length = chrono::Duration::days(36_500);
                store
                    .recompute_days(session, *room, *zone, (*from, *until, any_length), stale)
                    .await?;
            }
        }
        Ok(())
    }
}

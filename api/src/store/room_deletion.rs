//! Deleting a room without making every reservation write the room.
//!
//! A reservation and a deletion of its room must not both succeed. Under
//! snapshot isolation that needs a write both touch, and the room document
//! used to be it: every reservation incremented a counter on it, so all
//! reservations of one room queued behind each other on write conflicts.
//!
//! Instead, each side writes its own flag and then reads the other's:
//! a reservation commits, then reads whether its room carries a deletion
//! tombstone; a deletion commits the tombstone, then counts the room's
//! upcoming reservations. Both reads go to the primary with majority read
//! concern after majority commits, so at least one side sees the other
//! (whichever read came second follows both commits). A reservation that
//! sees a tombstone takes itself back and answers `404`; a deletion that
//! sees a reservation removes its tombstone and answers `room_in_use`. If
//! both see each other both give up, which is safe; if a reservation's
//! process dies before taking itself back, the deletion sees it and gives
//! up. One case is left for the sweep: a reservation that commits after
//! the deletion's last count and then cannot take itself back (its check
//! fails, or its process dies) was never acknowledged, and
//! [`Store::sweep_orphan_reservations`] removes it.
//!
//! A tombstone older than [`TOMBSTONE_LIFETIME`] is ignored, so a deletion
//! whose process died between its steps does not close the room for good;
//! a deletion slower than [`DELETION_BUDGET`] gives up before that, so an
//! ignored tombstone never belongs to a deletion still going on.

use std::time::{Duration, Instant};

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use shared::{ErrorCode, EventType};

use super::indexes::{RESERVATIONS, ROOM_SLOTS, ROOMS};
use super::outbox::{Actor, Fact};
use super::reservations::ReservationDoc;
use super::rooms::RoomDoc;
use super::{Store, to_bson_time};
use crate::error::ApiError;

/// How long a tombstone closes its room to new reservations.
const TOMBSTONE_LIFETIME: chrono::Duration = chrono::Duration::minutes(5);
/// Longest a deletion may take from its tombstone to removing the room;
/// far below [`TOMBSTONE_LIFETIME`], with room for clocks that disagree.
const DELETION_BUDGET: Duration = Duration::from_secs(60);

/// Matches room `id` unless a deletion of it is under way.
pub(super) fn live_room(id: ObjectId, now: DateTime<Utc>) -> Document {
    doc! {
        "_id": id,
        "$or": [
            { "deleting": { "$exists": false } },
            { "deleting.at": { "$lt": to_bson_time(now - TOMBSTONE_LIFETIME) } },
        ],
    }
}

fn room_in_use(count: u64) -> ApiError {
    ApiError::conflict(
        ErrorCode::RoomInUse,
        format!("the room has {count} upcoming reservation(s); cancel or reject them first"),
    )
}

impl Store {
    /// After a reservation of room `id` committed: the room as it is now,
    /// unless it is gone or being deleted (see the module documentation).
    pub(super) async fn room_still_open(&self, id: ObjectId) -> Result<Option<RoomDoc>, ApiError> {
        Ok(self
            .collection::<RoomDoc>(ROOMS)
            .find_one(live_room(id, Utc::now()))
            .await?)
    }

    /// Removes upcoming reservations made in the last ten minutes whose
    /// room no longer exists, with their cells; returns how many. They can only
    /// come from a reservation that committed just after a deletion's last
    /// count and then could not take itself back (its check failed, or its
    /// process died), so it was never acknowledged. Run by the sweep.
    pub async fn sweep_orphan_reservations(&self) -> Result<u64, ApiError> {
        // The smallest id of that second: ids start with their creation
        // time in seconds.
        let seconds = (Utc::now() - chrono::Duration::minutes(10)).timestamp();
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&u32::try_from(seconds).unwrap_or(0).to_be_bytes());
        let since = ObjectId::from_bytes(bytes);
        // By `_id` alone, which orders by creation time (see `seats::update_if`).
        let recent: Vec<Document> = self
            .collection::<Document>(RESERVATIONS)
            .find(doc! { "_id": { "$gt": since } })
            .projection(doc! { "room_id": 1, "status": 1, "end": 1 })
            .await?
            .try_collect()
            .await?;
        // Only what a deletion forbids: upcoming pending or approved ones.
        // Cancelled, rejected and past reservations keep the room's name
        // for the record.
        let now = bson::DateTime::now();
        let recent: Vec<Document> = recent
            .into_iter()
            .filter(|r| {
                r.get_str("status")
                    .is_ok_and(|s| s == "pending" || s == "approved")
                    && r.get_datetime("end").is_ok_and(|end| *end > now)
            })
            .collect();
        let mut rooms: Vec<ObjectId> = recent
            .iter()
            .filter_map(|r| r.get_object_id("room_id").ok())
            .collect();
        rooms.sort_unstable();
        rooms.dedup();
        if rooms.is_empty() {
            return Ok(0);
        }
        let existing: Vec<ObjectId> = self
            .collection::<Document>(ROOMS)
            .find(doc! { "_id": { "$in": &rooms } })
            .projection(doc! { "_id": 1 })
            .await?
            .try_collect::<Vec<Document>>()
            .await?
            .iter()
            .filter_map(|r| r.get_object_id("_id").ok())
            .collect();
        let orphans: Vec<ObjectId> = recent
            .iter()
            .filter(|r| {
                r.get_object_id("room_id")
                    .is_ok_and(|room| !existing.contains(&room))
            })
            .filter_map(|r| r.get_object_id("_id").ok())
            .collect();
        let actor = Actor::system("orphan-sweep");
        let mut removed = 0;
        for orphan in orphans {
            if self.withdraw_reservation(orphan, &actor).await? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Removes one reservation and its cells, recording
    /// `reservation.withdrawn`; `false` if it was already gone.
    pub(super) async fn withdraw_reservation(
        &self,
        id: ObjectId,
        actor: &Actor,
    ) -> Result<bool, ApiError> {
        // Owned captures: the sweep runs this in a spawned task.
        let (store, actor) = (self.clone(), actor.clone());
        self.transaction(async move |session| {
            let Some(gone) = store
                .collection::<ReservationDoc>(RESERVATIONS)
                .find_one_and_delete(doc! { "_id": id })
                .session(&mut *session)
                .await?
            else {
                return Ok(false);
            };
            store
                .collection::<Document>(ROOM_SLOTS)
                .delete_many(doc! { "reservation_id": id })
                .session(&mut *session)
                .await?;
            let fact = Fact::new(
                EventType::ReservationWithdrawn,
                id,
                gone.version + 1,
                &gone.to_dto(),
            )?;
            store.record_one(session, &actor, fact).await?;
            Ok(true)
        })
        .await
    }

    async fn upcoming_reservations(
        &self,
        id: ObjectId,
        now: DateTime<Utc>,
    ) -> Result<u64, ApiError> {
        Ok(self
            .collection::<Document>(RESERVATIONS)
            .count_documents(doc! {
                "room_id": id,
                "status": { "$in": ["pending", "approved"] },
                "end": { "$gt": to_bson_time(now) },
            })
            .await?)
    }

    /// Deletes a room with no upcoming pending or approved reservations,
    /// together with the cells its past reservations claimed. Past
    /// reservations keep the room's name for the record.
    pub async fn delete_room(
        &self,
        id: ObjectId,
        now: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<(), ApiError> {
        let started = Instant::now();
        let rooms = self.collection::<Document>(ROOMS);
        let in_use = self.upcoming_reservations(id, now).await?;
        if in_use > 0 {
            return Err(room_in_use(in_use));
        }
        let token = ObjectId::new();
        let marked = rooms
            .update_one(
                live_room(id, Utc::now()),
                doc! { "$set": { "deleting": { "token": token, "at": bson::DateTime::now() } } },
            )
            .await?;
        if marked.matched_count == 0 {
            return Err(match self.room(id).await? {
                Some(_) => ApiError::conflict(
                    ErrorCode::RoomInUse,
                    "the room is already being deleted; try again in a moment",
                ),
                None => ApiError::NotFound("room"),
            });
        }
        let mine = doc! { "_id": id, "deleting.token": token };
        let give_up = async |error: ApiError| -> Result<(), ApiError> {
            rooms
                .update_one(mine.clone(), doc! { "$unset": { "deleting": "" } })
                .await?;
            Err(error)
        };
        // A reservation that committed before the tombstone shows up here.
        let in_use = self.upcoming_reservations(id, now).await?;
        if in_use > 0 {
            return give_up(room_in_use(in_use)).await;
        }
        if started.elapsed() > DELETION_BUDGET {
            return give_up(ApiError::Unavailable(
                "deleting the room took too long; try again",
            ))
            .await;
        }
        let slots = self.collection::<Document>(ROOM_SLOTS);
        self.transaction(async |session| {
            let Some(deleted) = self
                .collection::<RoomDoc>(ROOMS)
                .find_one_and_delete(mine.clone())
                .session(&mut *session)
                .await?
            else {
                return Err(ApiError::conflict(
                    ErrorCode::RoomInUse,
                    "the room changed while it was being deleted; try again",
                ));
            };
            slots
                .delete_many(doc! { "room_id": id })
                .session(&mut *session)
                .await?;
            let fact = Fact::new(
                EventType::RoomDeleted,
                id,
                deleted.version + 1,
                &deleted.to_dto(),
            )?;
            self.record_one(session, actor, fact).await
        })
        .await
    }
}

//! Occupancy roll-ups: per room and local day, the minutes reserved in
//! each local hour and the reservations that started, kept for days long
//! past so that a report over a year reads a few hundred small documents
//! per room instead of every reservation.
//!
//! A day is *sealed* once it ended [`seal_after`] ago in the room's zone.
//! `occupancy_marks` holds, per room, the local midnight before which every
//! day is sealed (and the zone it was cut in); `occupancy_days` one document
//! per sealed day with any use. Reports read sealed days from there and
//! everything else from the reservations.
//!
//! Staying right: reservations are made only in the future and cancelled
//! only before they end, so a day long past changes only when an old
//! pending reservation is decided. Every status change of a reservation
//! that began before the sealing horizon recomputes the days it touches in
//! its own transaction ([`Store::refresh_occupancy_days`]); the sealer
//! writes the same documents, so a write conflict makes one of the two
//! retry and neither works from a stale picture. Data written straight
//! into the reservations (the demo seed, an import, a benchmark) calls
//! [`Store::reset_occupancy`] so those rooms are sealed again from scratch.

use bson::{Document, doc, oid::ObjectId};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use futures::TryStreamExt;
use mongodb::ClientSession;

use super::days::{DayUse, day_ceil, day_floor, day_uses};
use crate::error::ApiError;
use crate::store::reservations::ReservationDoc;
use crate::store::rooms::RoomDoc;
use crate::store::{Store, to_bson_time};

pub const OCCUPANCY_DAYS: &str = "occupancy_days";
pub const OCCUPANCY_MARKS: &str = "occupancy_marks";

/// At most this many days are sealed in one transaction.
const CHUNK_DAYS: i64 = 92;

/// How long after a day ends (in its room's zone) it is sealed.
pub fn seal_after() -> Duration {
    Duration::days(2)
}

/// How much earlier than [`seal_after`] a change refreshes the days it
/// touches: room for other instances' clocks and for transactions still
/// in flight.
fn margin() -> Duration {
    Duration::hours(1)
}

/// A room's seal: every local day before `until` (cut in `zone`) is sealed.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub until: DateTime<Utc>,
    pub zone: String,
}

impl Store {
    pub(crate) fn occupancy_days(&self) -> mongodb::Collection<Document> {
        self.collection(OCCUPANCY_DAYS)
    }

    fn occupancy_marks(&self) -> mongodb::Collection<Document> {
        self.collection(OCCUPANCY_MARKS)
    }

    /// Every room's seal, by room.
    pub(crate) async fn occupancy_marks_of(
        &self,
        rooms: &[ObjectId],
    ) -> Result<Vec<(ObjectId, Mark)>, ApiError> {
        let found: Vec<Document> = self
            .occupancy_marks()
            .find(doc! { "_id": { "$in": rooms } })
            .await?
            .try_collect()
            .await?;
        Ok(found.iter().filter_map(mark_of).collect())
    }

    /// Seals, for every room, the days that ended [`seal_after`] before
    /// `now`; returns how many day documents were written. `longest` is
    /// the longest a reservation may last. Safe to run on every instance
    /// at once.
    pub async fn seal_occupancy(
        &self,
        now: DateTime<Utc>,
        longest: Duration,
    ) -> Result<u64, ApiError> {
        let rooms: Vec<RoomDoc> = self.rooms().find(doc! {}).await?.try_collect().await?;
        let mut written = 0;
        for room in rooms {
            written += self.seal_room(&room, now, longest).await?;
        }
        Ok(written)
    }

    async fn seal_room(
        &self,
        room: &RoomDoc,
        now: DateTime<Utc>,
        longest: Duration,
    ) -> Result<u64, ApiError> {
        let Ok(zone) = room.time_zone.parse::<Tz>() else {
            return Ok(0);
        };
        let target = day_floor(zone, now - seal_after());
        let mut written = 0;
        loop {
            // Owned values only: a background job's future must be `Send`.
            let (store, id, time_zone) = (self.clone(), room.id, room.time_zone.clone());
            // Everything is read in the transaction's snapshot and the
            // mark is written last: a concurrent sealer or reset writes the
            // same mark, so one of the two retries with the other's result
            // in sight.
            let (count, done) = self
                .transaction(async move |session| {
                    let seen = store
                        .occupancy_marks()
                        .find_one(doc! { "_id": id })
                        .session(&mut *session)
                        .await?
                        .as_ref()
                        .and_then(|m| mark_of(m).map(|(_, mark)| mark))
                        .filter(|mark| mark.zone == time_zone);
                    let from = match &seen {
                        Some(mark) if mark.until >= target => return Ok((0, true)),
                        Some(mark) => mark.until,
                        // Never sealed, reset, or cut in another zone: from
                        // the first reservation on, every old day dropped.
                        None => match store.first_reservation_start(session, id).await? {
                            Some(first) => day_floor(zone, first).min(target),
                            None => target,
                        },
                    };
                    let until = day_floor(zone, from + Duration::days(CHUNK_DAYS)).min(target);
                    let until = if until <= from { target } else { until };
                    let mut range = doc! { "room_id": id };
                    if seen.is_some() {
                        range.insert(
                            "start",
                            doc! { "$gte": to_bson_time(from), "$lt": to_bson_time(until) },
                        );
                    }
                    let uses = store
                        .recompute_days(session, id, zone, (from, until, longest), range)
                        .await?;
                    store
                        .occupancy_marks()
                        .update_one(
                            doc! { "_id": id },
                            doc! { "$set": {
                                "until": to_bson_time(until),
                                "zone": &time_zone,
                            } },
                        )
                        .upsert(true)
                        .session(&mut *session)
                        .await?;
                    Ok((uses, until >= target))
                })
                .await?;
            written += count;
            if done {
                return Ok(written);
            }
        }
    }

    async fn first_reservation_start(
        &self,
        session: &mut ClientSession,
        room: ObjectId,
    ) -> Result<Option<DateTime<Utc>>, ApiError> {
        Ok(self
            .reservations()
            .find_one(doc! { "room_id": room, "status": "approved" })
            .sort(doc! { "room_id": 1, "start": 1 })
            .session(session)
            .await?
            .map(|r| r.start.to_chrono()))
    }

    /// Replaces, in `session`'s transaction, the day documents `stale`
    /// selects with those of `room`'s approved reservations over local
    /// days `[from, until)`, reservations lasting at most `longest`.
    /// Returns how many it wrote.
    pub(crate) async fn recompute_days(
        &self,
        session: &mut ClientSession,
        room: ObjectId,
        zone: Tz,
        (from, until, longest): (DateTime<Utc>, DateTime<Utc>, Duration),
        stale: Document,
    ) -> Result<u64, ApiError> {
        let mut found = self
            .reservations()
            .find(doc! {
                "room_id": room,
                "status": "approved",
                "start": { "$gte": to_bson_time(from - longest), "$lt": to_bson_time(until) },
                "end": { "$gt": to_bson_time(from) },
            })
            .session(&mut *session)
            .await?;
        let mut spans = Vec::new();
        while let Some(r) = found.next(&mut *session).await.transpose()? {
            spans.push((r.start.to_chrono(), r.end.to_chrono()));
        }
        let uses = day_uses(zone, from, until, &spans);
        self.occupancy_days()
            .delete_many(stale)
            .session(&mut *session)
            .await?;
        if !uses.is_empty() {
            let docs: Vec<Document> = uses.iter().map(|u| day_doc(room, u)).collect();
            self.occupancy_days()
                .insert_many(docs)
                .session(&mut *session)
                .await?;
        }
        Ok(uses.len() as u64)
    }

    /// Recomputes, in `session`'s transaction, the day documents of the
    /// days `reservation` touches when one of them may be sealed: to be
    /// called by every change of a reservation's status, after the change.
    pub(crate) async fn refresh_occupancy_days(
        &self,
        session: &mut ClientSession,
        reservation: &ReservationDoc,
        now: DateTime<Utc>,
        longest: Duration,
    ) -> Result<(), ApiError> {
        if reservation.start.to_chrono() >= now - seal_after() + margin() {
            return Ok(());
        }
        let room = self
            .rooms()
            .find_one(doc! { "_id": reservation.room_id })
            .session(&mut *session)
            .await?;
        let Some(zone) = room.and_then(|r| r.time_zone.parse::<Tz>().ok()) else {
            return Ok(());
        };
        let from = day_floor(zone, reservation.start.to_chrono());
        let until = day_ceil(zone, reservation.end.to_chrono());
        let stale = doc! {
            "room_id": reservation.room_id,
            "start": { "$gte": to_bson_time(from), "$lt": to_bson_time(until) },
        };
        self.recompute_days(
            session,
            reservation.room_id,
            zone,
            (from, until, longest),
            stale,
        )
        .await?;
        Ok(())
    }

    /// Forgets the roll-ups of `rooms`, to be sealed again from their
    /// reservations: for data written straight into the collection, after
    /// it is written.
    pub async fn reset_occupancy(&self, rooms: &[ObjectId]) -> Result<(), ApiError> {
        let rooms = rooms.to_vec();
        let store = self.clone();
        self.transaction(async move |session| {
            // Not a deletion: a sealer that read these rooms before the new
            // reservations were written writes the same mark document, so
            // one of the two meets a write conflict and the sealer retries
            // with the reservations in sight.
            for room in &rooms {
                store
                    .occupancy_marks()
                    .update_one(
                        doc! { "_id": room },
                        doc! {
                            "$set": { "reset_at": bson::DateTime::now() },
                            "$unset": { "until": "", "zone": "" },
                        },
                    )
                    .upsert(true)
                    .session(&mut *session)
                    .await?;
            }
            store
                .occupancy_days()
                .delete_many(doc! { "room_id": { "$in": &rooms } })
                .session(&mut *session)
                .await?;
            Ok(())
        })
        .await
    }
}

fn mark_of(doc: &Document) -> Option<(ObjectId, Mark)> {
    Some((
        doc.get_object_id("_id").ok()?,
        Mark {
            until: doc.get_datetime("until").ok()?.to_chrono(),
            zone: doc.get_str("zone").ok()?.to_owned(),
        },
    ))
}

/// One day's document: its hours as `h0` to `h23`, only those with minutes.
fn day_doc(room: ObjectId, day: &DayUse) -> Document {
    let mut doc = doc! {
        "room_id": room,
        "start": to_bson_time(day.start),
        "weekday": i32::from(day.weekday),
        "starts": i64::from(day.starts),
    };
    for (hour, minutes) in day.minutes.iter().enumerate() {
        if *minutes > 0 {
            doc.insert(
                format!("h{hour}"),
                i64::try_from(*minutes).unwrap_or(i64::MAX),
            );
        }
    }
    doc
}

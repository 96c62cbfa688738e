//! The per-buyer seat limit, kept in one guard document per (buyer,
//! performance): the buyer's live claims, each a hold (until it expires)
//! or a booking (until cancelled) with its number of seats.
//!
//! A claim records itself and reads what was there in one write, which
//! also makes two concurrent claims by the same buyer conflict, so they
//! cannot both pass the limit. (Before, each claim upserted the guard and
//! then counted the buyer's seats: two round trips.) Expired holds need no
//! job: entries past their time are dropped by the next claim and never
//! counted. Guards written before entries were kept are rebuilt from the
//! seats the first time they are used.

use bson::oid::ObjectId;
use bson::{Bson, Document, doc};
use chrono::{DateTime, Utc};
use mongodb::ClientSession;
use mongodb::options::ReturnDocument;
use shared::ErrorCode;

use super::indexes::SEAT_GUARDS;
use super::seats::SeatDoc;
use super::{Store, to_bson_time};
use crate::error::ApiError;

/// Seats taken by one hold or booking.
pub struct Claim {
    /// The hold's or the booking's id.
    pub id: ObjectId,
    pub seats: usize,
    /// A hold's expiry; `None` for a booking.
    pub until: Option<bson::DateTime>,
}

/// A seat-limit guard's id: one per (buyer, performance).
pub(crate) fn guard_id(user: ObjectId, performance: ObjectId) -> String {
    format!("{}:{}", user.to_hex(), performance.to_hex())
}

fn entry(id: ObjectId, seats: usize, until: Option<bson::DateTime>) -> Document {
    doc! {
        "id": id,
        "n": i64::try_from(seats).unwrap_or(i64::MAX),
        "until": until.map_or(Bson::Null, Bson::DateTime),
    }
}

/// Whether a stored entry still counts at `now`.
fn counts(entry: &Document, now: DateTime<Utc>) -> bool {
    match entry.get("until") {
        Some(Bson::DateTime(until)) => until.to_chrono() > now,
        _ => true,
    }
}

/// Seats of the `entries` that count at `now`.
fn owned_at(entries: &[Bson], now: DateTime<Utc>) -> u64 {
    entries
        .iter()
        .filter_map(Bson::as_document)
        .filter(|e| counts(e, now))
        .map(seats_of)
        .sum()
}

fn seats_of(entry: &Document) -> u64 {
    entry
        .get_i64("n")
        .or_else(|_| entry.get_i32("n").map(i64::from))
        .map_or(0, |n| u64::try_from(n).unwrap_or(0))
}

fn limit_exceeded(limit: u32) -> ApiError {
    ApiError::conflict(
        ErrorCode::SeatLimitExceeded,
        format!("you may hold or book at most {limit} seats of this performance"),
    )
}

impl Store {
    fn guards(&self) -> mongodb::Collection<Document> {
        self.collection(SEAT_GUARDS)
    }

    /// Inside a transaction, once the claim's seats are taken: records the
    /// claim and fails with `seat_limit_exceeded` if the buyer would then
    /// hold or own more than `limit` seats of the performance.
    pub async fn claim_within_limit(
        &self,
        session: &mut ClientSession,
        user: ObjectId,
        performance: ObjectId,
        claim: &Claim,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let still_live = doc! { "$filter": {
            "input": { "$ifNull": ["$live", []] },
            "as": "c",
            "cond": { "$or": [
                { "$eq": [{ "$ifNull": ["$$c.until", null] }, null] },
                { "$gt": ["$$c.until", to_bson_time(now)] },
            ] },
        } };
        let added = entry(claim.id, claim.seats, claim.until);
        let before = self
            .guards()
            .find_one_and_update(
                doc! { "_id": guard_id(user, performance) },
                vec![doc! { "$set": {
                    "live": { "$concatArrays": [still_live, { "$literal": [added] }] },
                } }],
            )
            .upsert(true)
            .return_document(ReturnDocument::Before)
            .session(&mut *session)
            .await?;
        let owned = match before.as_ref().map(|b| b.get_array("live")) {
            None => claim.seats as u64,
            Some(Ok(entries)) => owned_at(entries, now) + claim.seats as u64,
            // Written before entries were kept: count the seats instead.
            Some(Err(_)) => self.rebuild_guard(session, user, performance, now).await?,
        };
        if owned > u64::from(limit) {
            return Err(limit_exceeded(limit));
        }
        Ok(())
    }

    /// Inside a transaction: `confirmed`'s hold became booking `booking`,
    /// whose seats count until it is cancelled. If another claim already
    /// dropped the hold's entry as expired (its instance's clock ran
    /// ahead, or its moment came just after this one's), the booking is
    /// added back and the limit checked again, so it is never uncounted.
    pub async fn guard_confirm(
        &self,
        session: &mut ClientSession,
        user: ObjectId,
        performance: ObjectId,
        confirmed: &Claim,
        booking: ObjectId,
        (limit, now): (u32, DateTime<Utc>),
    ) -> Result<(), ApiError> {
        let hold = confirmed.id;
        let renamed = doc! { "$map": {
            "input": "$live",
            "as": "c",
            "in": { "$cond": [
                { "$eq": ["$$c.id", hold] },
                { "id": booking, "n": "$$c.n", "until": null },
                "$$c",
            ] },
        } };
        let added = entry(booking, confirmed.seats, None);
        let updated = doc! { "$cond": [
            { "$gt": [{ "$size": { "$filter": {
                "input": { "$ifNull": ["$live", []] },
                "as": "c",
                "cond": { "$eq": ["$$c.id", hold] },
            } } }, 0] },
            renamed,
            { "$concatArrays": ["$live", { "$literal": [added] }] },
        ] };
        let after = self
            .guards()
            .find_one_and_update(
                doc! { "_id": guard_id(user, performance) },
                vec![doc! { "$set": {
                    "live": { "$cond": [{ "$isArray": "$live" }, updated, "$$REMOVE"] },
                } }],
            )
            .return_document(ReturnDocument::After)
            .session(&mut *session)
            .await?;
        let owned = after
            .as_ref()
            .and_then(|g| g.get_array("live").ok())
            .map_or(0, |entries| owned_at(entries, now));
        if owned > u64::from(limit) {
            return Err(limit_exceeded(limit));
        }
        Ok(())
    }

    /// Inside a transaction: the hold was released or the booking
    /// cancelled, so its seats no longer count.
    pub async fn guard_forget(
        &self,
        session: &mut ClientSession,
        user: ObjectId,
        performance: ObjectId,
        id: ObjectId,
    ) -> Result<(), ApiError> {
        self.guards()
            .update_one(
                doc! { "_id": guard_id(user, performance) },
                doc! { "$pull": { "live": { "id": id } } },
            )
            .session(&mut *session)
            .await?;
        Ok(())
    }

    /// Replaces a guard's entries with the buyer's seats as stored (this
    /// transaction's claim included); returns how many count at `now`.
    async fn rebuild_guard(
        &self,
        session: &mut ClientSession,
        user: ObjectId,
        performance: ObjectId,
        now: DateTime<Utc>,
    ) -> Result<u64, ApiError> {
        let mut cursor = self
            .seats()
            .find(doc! { "performance_id": performance, "holder": user })
            .session(&mut *session)
            .await?;
        let mut seats: Vec<SeatDoc> = Vec::new();
        while let Some(seat) = cursor.next(&mut *session).await.transpose()? {
            seats.push(seat);
        }
        let mut entries: Vec<(ObjectId, usize, Option<bson::DateTime>)> = Vec::new();
        for seat in seats.iter().filter(|s| s.is_busy(now)) {
            let (Some(id), until) = (seat.booking_id.or(seat.hold_id), seat.hold_expires_at) else {
                continue;
            };
            let until = seat.booking_id.is_none().then_some(until).flatten();
            match entries.iter_mut().find(|e| e.0 == id) {
                Some(e) => e.1 += 1,
                None => entries.push((id, 1, until)),
            }
        }
        let owned = entries.iter().map(|e| e.1 as u64).sum();
        let live: Vec<Document> = entries
            .into_iter()
            .map(|(id, n, until)| entry(id, n, until))
            .collect();
        self.guards()
            .update_one(
                doc! { "_id": guard_id(user, performance) },
                doc! { "$set": { "live": live } },
            )
            .session(&mut *session)
            .await?;
        Ok(owned)
    }
}

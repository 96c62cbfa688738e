//! One document per (performance, seat). Holding or booking seats is a
//! conditional update that only matches free seats; whoever writes a seat
//! first wins it, and a transaction makes several seats all-or-nothing.

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::ClientSession;
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};
use shared::{ErrorCode, EventType};

use super::indexes::SEATS;
use super::outbox::{Actor, next_version};
use super::{Store, to_bson_time};
use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatStateDoc {
    Available,
    /// Held until `hold_expires_at`; after that it counts as available.
    Held,
    Booked,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeatDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub performance_id: ObjectId,
    pub label: String,
    /// Place in the venue's layout, for drawing the map in order.
    pub position: u32,
    pub section: String,
    pub row: String,
    pub number: u32,
    pub tier: String,
    pub price: u32,
    pub state: SeatStateDoc,
    /// Who holds or booked the seat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_expires_at: Option<bson::DateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<ObjectId>,
    /// The performance was cancelled: no one may take the seat again
    /// (`store/cancellation.rs`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
    /// A gap or an aisle follows it in its row.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gap_after: bool,
}

impl SeatDoc {
    /// Whether the seat is taken at `now` (an expired hold is not).
    pub fn is_busy(&self, now: DateTime<Utc>) -> bool {
        match self.state {
            SeatStateDoc::Available => false,
            SeatStateDoc::Booked => true,
            SeatStateDoc::Held => self.hold_expires_at.is_some_and(|t| t.to_chrono() > now),
        }
    }
}

/// An update as an aggregation pipeline that applies `set` and `unset`
/// only to the documents for which `condition` (an aggregation
/// expression) holds, leaving the others untouched, so they do not count
/// as modified.
///
/// Seat updates filter on index keys alone and put the rest of their
/// condition here: SecantusDB reads the whole collection for a filter with
/// any predicate outside the index it uses (a claim by performance and
/// label took 24 ms with a predicate on `state` against 1.4 ms without,
/// at 48,000 seats; it grows with the collection).
pub fn update_if(condition: Document, set: Document, unset: &[&str]) -> Vec<Document> {
    let mut fields = Document::new();
    for (name, value) in set {
        let keep = format!("${name}");
        fields.insert(
            name,
            doc! { "$cond": [condition.clone(), { "$literal": value }, keep] },
        );
    }
    for name in unset {
        let keep = format!("${name}");
        fields.insert(
            *name,
            doc! { "$cond": [condition.clone(), "$$REMOVE", keep] },
        );
    }
    vec![doc! { "$set": fields }]
}

/// Whether a seat is free at `now` (as [`SeatDoc::is_busy`] says): not
/// booked, and not held past `now`.
pub fn is_free(now: DateTime<Utc>) -> Document {
    doc! { "$and": [
        { "$ne": ["$state", "booked"] },
        { "$not": [{ "$gt": ["$hold_expires_at", to_bson_time(now)] }] },
    ] }
}

/// Whether a seat may be taken at `now`: free, and its performance not
/// cancelled. Cancelling closes every seat in the transaction that marks
/// the performance, so a claim racing it meets it in a write conflict.
pub fn is_open_and_free(now: DateTime<Utc>) -> Document {
    doc! { "$and": [is_free(now), is_open()] }
}

/// Whether a seat's performance is not cancelled.
pub fn is_open() -> Document {
    doc! { "$ne": ["$closed", true] }
}

/// Whether a seat is in `state`.
pub fn is_in(state: &str) -> Document {
    doc! { "$eq": ["$state", state] }
}

/// Makes seats in `state` available again.
pub fn release_from(state: &str) -> Vec<Document> {
    update_if(
        is_in(state),
        doc! { "state": "available" },
        &["holder", "hold_id", "hold_expires_at", "booking_id"],
    )
}

/// A claim lost to someone else; the caller names the seats after the
/// transaction has been rolled back.
fn seats_taken() -> ApiError {
    ApiError::conflict(ErrorCode::SeatTaken, "some of these seats are taken")
}

async fn seats_in_order(
    seats: &mongodb::Collection<SeatDoc>,
    performance_id: ObjectId,
) -> Result<Vec<SeatDoc>, ApiError> {
    Ok(seats
        .find(doc! { "performance_id": performance_id })
        .sort(doc! { "position": 1 })
        .await?
        .try_collect()
        .await?)
}

impl Store {
    pub fn seats(&self) -> mongodb::Collection<SeatDoc> {
        self.collection(SEATS)
    }

    /// Every seat of a performance in layout order, for the public seat
    /// map: it may come from a secondary (`database.read_preference`).
    pub async fn performance_seats(
        &self,
        performance_id: ObjectId,
    ) -> Result<Vec<SeatDoc>, ApiError> {
        seats_in_order(&self.catalogue_collection(SEATS), performance_id).await
    }

    /// The same from the primary: the start of a live seat map, which
    /// must not be older than the change stream that follows it.
    pub async fn current_seats(&self, performance_id: ObjectId) -> Result<Vec<SeatDoc>, ApiError> {
        seats_in_order(&self.seats(), performance_id).await
    }

    /// Label to price of every seat of a performance.
    pub async fn seat_prices(
        &self,
        performance_id: ObjectId,
    ) -> Result<std::collections::HashMap<String, u32>, ApiError> {
        let mut cursor = self
            .collection::<Document>(SEATS)
            .find(doc! { "performance_id": performance_id })
            .projection(doc! { "_id": 0, "label": 1, "price": 1 })
            .await?;
        let mut prices = std::collections::HashMap::new();
        while let Some(seat) = cursor.try_next().await? {
            let label = seat
                .get_str("label")
                .map_err(|e| ApiError::Internal(format!("seat without label: {e}")))?;
            let price = seat
                .get_i64("price")
                .or_else(|_| seat.get_i32("price").map(i64::from))
                .map_err(|e| ApiError::Internal(format!("seat without price: {e}")))?;
            prices.insert(label.to_owned(), u32::try_from(price).unwrap_or(u32::MAX));
        }
        Ok(prices)
    }

    /// Inside a transaction: takes all `labels` if every one is free at
    /// `now`, setting `set` and removing `unset`; otherwise fails with
    /// `seat_taken`.
    pub async fn claim_seats(
        &self,
        session: &mut ClientSession,
        performance_id: ObjectId,
        labels: &[String],
        (set, unset): (Document, &[&str]),
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        self.refuse_if_cancelled(session, performance_id).await?;
        let result = self
            .seats()
            .update_many(
                doc! { "performance_id": performance_id, "label": { "$in": labels.to_vec() } },
                update_if(is_open_and_free(now), set, unset),
            )
            .session(&mut *session)
            .await?;
        if result.modified_count != labels.len() as u64 {
            // Taken by someone else: a closed seat's performance is marked
            // cancelled in any snapshot that shows it closed, so that was
            // refused above.
            return Err(seats_taken());
        }
        Ok(())
    }

    /// Inside a transaction: `performance_cancelled` once the performance is
    /// marked cancelled, on every instance, before its seats are closed.
    pub async fn refuse_if_cancelled(
        &self,
        session: &mut ClientSession,
        performance_id: ObjectId,
    ) -> Result<(), ApiError> {
        let cancelled = self
            .collection::<Document>(super::indexes::PERFORMANCES)
            .find_one(doc! { "_id": performance_id, "cancelled_at": { "$ne": null } })
            .projection(doc! { "_id": 1 })
            .session(&mut *session)
            .await?;
        match cancelled {
            Some(_) => Err(super::cancellation::cancelled()),
            None => Ok(()),
        }
    }

    /// Which of `labels` are held or booked at `now`, as last committed.
    pub async fn busy_seats(
        &self,
        performance_id: ObjectId,
        labels: &[String],
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, ApiError> {
        let seats: Vec<SeatDoc> = self
            .seats()
            .find(doc! { "performance_id": performance_id, "label": { "$in": labels.to_vec() } })
            .await?
            .try_collect()
            .await?;
        Ok(seats
            .into_iter()
            .filter(|s| s.is_busy(now))
            .map(|s| s.label)
            .collect())
    }

    /// The `seat_taken` error naming the seats of `labels` that are busy now.
    pub async fn seats_taken_error(&self, performance_id: ObjectId, labels: &[String]) -> ApiError {
        match self.busy_seats(performance_id, labels, Utc::now()).await {
            Ok(busy) if !busy.is_empty() => ApiError::SeatsTaken(busy),
            _ => ApiError::SeatsTaken(labels.to_vec()),
        }
    }

    /// The database's clock, for jobs that several instances run: their
    /// own clocks may disagree.
    pub async fn server_time(&self) -> Result<DateTime<Utc>, ApiError> {
        let hello = self.database().run_command(doc! { "hello": 1 }).await?;
        hello
            .get_datetime("localTime")
            .map(|t| t.to_chrono())
            .map_err(|e| ApiError::Internal(format!("hello without localTime: {e}")))
    }

    /// Frees seats whose hold expired and marks those holds expired, each
    /// with its `hold.expired` event. Only tidying: requests already treat
    /// an expired hold as free.
    pub async fn sweep_expired_holds(&self, now: DateTime<Utc>) -> Result<(u64, u64), ApiError> {
        let expired = doc! { "state": "held", "hold_expires_at": { "$lte": to_bson_time(now) } };
        let seats = self
            .seats()
            .update_many(expired, release_from("held"))
            .await?;
        let due = doc! { "status": "active", "expires_at": { "$lte": to_bson_time(now) } };
        let ids: Vec<ObjectId> = self
            .collection::<Document>(super::indexes::HOLDS)
            .find(due.clone())
            .projection(doc! { "_id": 1 })
            .limit(1000)
            .await?
            .try_collect::<Vec<Document>>()
            .await?
            .iter()
            .filter_map(|d| d.get_object_id("_id").ok())
            .collect();
        let actor = Actor::system("hold-sweep");
        let mut holds = 0;
        for id in ids {
            let mut this = due.clone();
            this.insert("_id", id);
            let (store, actor) = (self.clone(), actor.clone());
            let marked = self
                .transaction(async move |session| {
                    let Some(hold) = store
                        .holds()
                        .find_one_and_update(
                            this.clone(),
                            doc! { "$set": { "status": "expired" }, "$inc": next_version() },
                        )
                        .return_document(ReturnDocument::After)
                        .session(&mut *session)
                        .await?
                    else {
                        // Confirmed, released or swept meanwhile.
                        return Ok(false);
                    };
                    store
                        .record_one(session, &actor, hold.fact(EventType::HoldExpired)?)
                        .await?;
                    Ok(true)
                })
                .await?;
            holds += u64::from(marked);
        }
        Ok((seats.modified_count, holds))
    }
}

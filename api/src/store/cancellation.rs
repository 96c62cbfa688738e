//! Cancelling a performance. A small transaction marks it cancelled (new
//! requests are refused from then on); then its seats are closed, a few at
//! a time, each batch in a transaction that a claim of the same seats meets
//! in a write conflict, so no hold, booking or confirmation of a seat can
//! commit once it is closed. Only after every seat is closed are the live
//! holds released and the bookings cancelled and refunded, each in its own
//! transaction, exactly as the buyer's own cancellation would, with its
//! `booking.cancelled` event (and so its e-mail): every booking that could
//! ever commit is seen. Until all are refunded the performance keeps
//! `refunds_pending`: the background sweep (`background.rs`) and the same
//! request sent again finish the work after a crash or when the request's
//! time budget runs out.
//!
//! Seats are closed in batches rather than in the marking transaction: one
//! transaction writing every seat lost to the sale's own claims, again and
//! again, for as long as a rush lasted.

use std::time::{Duration, Instant};

use bson::doc;
use bson::oid::ObjectId;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::options::ReturnDocument;
use shared::{ErrorCode, EventType};

use super::bookings::BookingDoc;
use super::holds::HoldDoc;
use super::outbox::{Actor, Fact, next_version};
use super::seats::{is_open, update_if};
use super::shows::{PerformanceDoc, SeatCounts};
use super::{Store, to_bson_time};
use crate::error::ApiError;

/// Bookings read and refunded per round.
const BATCH: i64 = 100;

/// Seats closed per transaction.
const SEAT_BATCH: usize = 25;

/// The refusal of anything that would take a cancelled performance's seats.
pub fn cancelled() -> ApiError {
    ApiError::conflict(
        ErrorCode::PerformanceCancelled,
        "this performance was cancelled; its seats are not for sale",
    )
}

/// What one pass of [`Store::finish_cancellation`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refunds {
    pub bookings: u32,
    pub points: u64,
    pub holds: u32,
    /// Confirmed bookings left when the pass ended.
    pub left: u32,
}

impl Store {
    /// Marks the performance cancelled with `reason`, unless it is
    /// cancelled already; returns it as stored either way.
    pub async fn close_performance(
        &self,
        id: ObjectId,
        reason: &str,
        now: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<PerformanceDoc, ApiError> {
        self.transaction(async |session| {
            let closed = self
                .performances()
                .find_one_and_update(
                    doc! { "_id": id, "cancelled_at": null },
                    doc! {
                        "$set": {
                            "cancelled_at": to_bson_time(now),
                            "cancel_reason": reason,
                            "refunds_pending": true,
                        },
                        "$inc": next_version(),
                    },
                )
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await?;
            let Some(performance) = closed else {
                return self
                    .performances()
                    .find_one(doc! { "_id": id })
                    .session(&mut *session)
                    .await?
                    .ok_or(ApiError::NotFound("performance"));
            };
            // As the API shows it once every booking is refunded (the
            // audit log compares it with the performance's previous event).
            let data = crate::catalogue::view::performance_dto(&performance, SeatCounts::default());
            let fact = Fact::new(
                EventType::PerformanceCancelled,
                id,
                performance.version,
                &data,
            )?;
            self.record_one(session, actor, fact).await?;
            Ok(performance)
        })
        .await
    }

    /// Closes every seat of the performance, `SEAT_BATCH` per transaction.
    async fn close_seats(&self, id: ObjectId) -> Result<(), ApiError> {
        let labels: Vec<String> = self
            .collection::<bson::Document>(super::indexes::SEATS)
            .find(doc! { "performance_id": id })
            .projection(doc! { "_id": 0, "label": 1 })
            .await?
            .try_collect::<Vec<bson::Document>>()
            .await?
            .iter()
            .filter_map(|seat| seat.get_str("label").ok().map(str::to_owned))
            .collect();
        for batch in labels.chunks(SEAT_BATCH) {
            let (store, batch) = (self.clone(), batch.to_vec());
            self.transaction(async move |session| {
                store
                    .seats()
                    .update_many(
                        doc! { "performance_id": id, "label": { "$in": batch.clone() } },
                        update_if(is_open(), doc! { "closed": true }, &[]),
                    )
                    .session(&mut *session)
                    .await?;
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    /// Closes the seats of a cancelled performance, then releases its live
    /// holds and cancels and refunds its bookings, for up to `budget`.
    /// Clears `refunds_pending` once no confirmed booking is left. Safe to
    /// run on several instances at once: each booking is cancelled once.
    pub async fn finish_cancellation(
        &self,
        performance: &PerformanceDoc,
        actor: &Actor,
        budget: Duration,
    ) -> Result<Refunds, ApiError> {
        if performance.cancelled_at.is_none() {
            return Err(ApiError::Internal(format!(
                "performance {} is not cancelled",
                performance.id
            )));
        }
        let id = performance.id;
        let started = Instant::now();
        let mut done = Refunds::default();
        self.close_seats(id).await?;
        let holds: Vec<HoldDoc> = self
            .holds()
            .find(doc! { "performance_id": id, "status": "active" })
            .await?
            .try_collect()
            .await?;
        for hold in holds {
            match self.release_hold(hold.user_id, hold.id, actor).await {
                Ok(_) => done.holds += 1,
                // Confirmed meanwhile: its booking is refunded below.
                Err(ApiError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let confirmed = doc! { "performance_id": id, "status": "confirmed" };
        loop {
            let batch: Vec<BookingDoc> = self
                .bookings()
                .find(confirmed.clone())
                .limit(BATCH)
                .await?
                .try_collect()
                .await?;
            if batch.is_empty() {
                break;
            }
            if started.elapsed() >= budget {
                done.left = u32::try_from(self.bookings().count_documents(confirmed).await?)
                    .unwrap_or(u32::MAX);
                return Ok(done);
            }
            for booking in batch {
                match self
                    .cancel_booking(&booking, Utc::now(), (None, actor), true)
                    .await
                {
                    Ok(cancelled) => {
                        done.bookings += 1;
                        done.points += u64::from(cancelled.refunded.unwrap_or_default());
                    }
                    // The buyer (or another instance) cancelled it first.
                    Err(ApiError::Conflict {
                        code: ErrorCode::InvalidStatus,
                        ..
                    }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        self.performances()
            .update_one(
                doc! { "_id": id },
                doc! { "$unset": { "refunds_pending": "" } },
            )
            .await?;
        Ok(done)
    }

    /// Finishes every cancellation left unfinished, each for up to
    /// `budget`; returns the bookings refunded.
    pub async fn finish_cancellations(&self, budget: Duration) -> Result<u32, ApiError> {
        let pending: Vec<PerformanceDoc> = self
            .performances()
            .find(doc! { "refunds_pending": true })
            .await?
            .try_collect()
            .await?;
        let actor = Actor::system("performance-cancellation");
        let mut refunded = 0;
        for performance in pending {
            refunded += self
                .finish_cancellation(&performance, &actor, budget)
                .await?
                .bookings;
        }
        Ok(refunded)
    }
}

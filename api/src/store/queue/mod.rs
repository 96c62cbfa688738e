//! The waiting room's documents: one state per queued performance (its
//! settings and how far the line has got, written by admins and the
//! scheduler), one counter handing out places, and one ticket per buyer.
//!
//! A place comes from the counter (`$inc`), so places are unique and in
//! order of arrival. Before a pre-queued sale opens, buyers get a ticket
//! without a place; the scheduler draws their places at the opening.

mod docs;
pub mod line;

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::options::ReturnDocument;
use shared::EventType;

use super::indexes::{QUEUE_COUNTERS, QUEUE_STATES, QUEUE_TICKETS};
use super::outbox::{Actor, Fact, next_version};
use super::seats::update_if;
use super::{Store, to_bson_time};
use crate::domain::queue::QueueRules;
use crate::error::{ApiError, is_duplicate_key};

pub use docs::{Admitted, QueueStateDoc, TicketDoc, TicketStatus};
pub use line::{Gaps, TickOutcome};

/// Filters use index keys only (see `seats::update_if`); this is the
/// rest of the condition.
fn is_admitted() -> Document {
    doc! { "$eq": ["$status", "admitted"] }
}

impl Store {
    pub fn queue_states(&self) -> mongodb::Collection<QueueStateDoc> {
        self.collection(QUEUE_STATES)
    }

    pub fn queue_tickets(&self) -> mongodb::Collection<TicketDoc> {
        self.collection(QUEUE_TICKETS)
    }

    /// Creates or changes a performance's queue settings, recording the
    /// change as `performance.updated`.
    pub async fn set_queue(
        &self,
        performance: ObjectId,
        rules: QueueRules,
        (sale_opens_at, now): (DateTime<Utc>, DateTime<Utc>),
        actor: &Actor,
    ) -> Result<QueueStateDoc, ApiError> {
        let rules_doc =
            bson::to_bson(&rules).map_err(|e| ApiError::Internal(format!("queue rules: {e}")))?;
        let data = serde_json::json!({
            "performance_id": performance.to_hex(),
            "queue": shared::QueueSettings::from(rules),
        });
        let drawn = !rules.pre_queue || now >= sale_opens_at;
        self.transaction(async |session| {
            let version = self
                .performances()
                .find_one_and_update(doc! { "_id": performance }, doc! { "$inc": next_version() })
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await?
                .ok_or(ApiError::NotFound("performance"))?
                .version;
            self.queue_states()
                .update_one(
                    doc! { "_id": performance },
                    doc! {
                        "$set": { "rules": rules_doc.clone(), "sale_opens_at": to_bson_time(sale_opens_at) },
                        "$setOnInsert": {
                            "drawn": drawn,
                            "frontier": 0_i64,
                            "credit": 0.0,
                            "last_tick": to_bson_time(now),
                            "admitted_total": 0_i64,
                            "recent": [],
                        },
                    },
                )
                .upsert(true)
                .session(&mut *session)
                .await?;
            if !rules.pre_queue {
                // Buyers already waiting for a draw get places in order of
                // arrival instead, at the scheduler's next tick.
                self.queue_states()
                    .update_one(
                        doc! { "_id": performance, "drawn": false },
                        doc! { "$set": { "drawn": true } },
                    )
                    .session(&mut *session)
                    .await?;
            }
            let fact = Fact::new(EventType::PerformanceUpdated, performance, version, &data)?;
            self.record_one(session, actor, fact).await
        })
        .await?;
        self.queue_state(performance)
            .await?
            .ok_or_else(|| ApiError::Internal("queue state vanished".into()))
    }

    pub async fn queue_state(
        &self,
        performance: ObjectId,
    ) -> Result<Option<QueueStateDoc>, ApiError> {
        Ok(self
            .queue_states()
            .find_one(doc! { "_id": performance })
            .await?)
    }

    /// Every performance whose queue is on.
    pub async fn enabled_queues(&self) -> Result<Vec<QueueStateDoc>, ApiError> {
        Ok(self
            .queue_states()
            .find(doc! { "rules.enabled": true })
            .await?
            .try_collect()
            .await?)
    }

    /// The buyer's place in the line, joining at the back unless they
    /// already have a live one. `true` with a new place.
    pub async fn join_queue(
        &self,
        state: &QueueStateDoc,
        user: ObjectId,
    ) -> Result<(TicketDoc, bool), ApiError> {
        let mine = doc! { "performance_id": state.id, "user_id": user };
        // A join is also a sign of life.
        let existing = self
            .queue_tickets()
            .find_one_and_update(mine.clone(), doc! { "$currentDate": { "seen_at": true } })
            .return_document(mongodb::options::ReturnDocument::After)
            .await?;
        // The database's now: just written into an existing ticket, else asked.
        let now = match &existing {
            Some(ticket) => ticket.seen_at.to_chrono(),
            None => self.server_time().await?,
        };
        if let Some(ticket) = &existing
            && ticket.is_live(now)
        {
            return Ok((ticket.clone(), false));
        }
        let undrawn = !state.drawn;
        let position = if undrawn {
            None
        } else {
            Some(self.next_places(state.id, 1).await?)
        };
        let ticket = TicketDoc {
            id: existing.as_ref().map_or_else(ObjectId::new, |t| t.id),
            performance_id: state.id,
            user_id: user,
            position,
            pre: undrawn && now < state.sale_opens_at.to_chrono(),
            draw_key: rand::random::<i64>(),
            status: TicketStatus::Waiting,
            seen_at: to_bson_time(now),
            joined_at: to_bson_time(now),
            admitted_at: None,
            admitted_until: None,
            ended_at: None,
        };
        let written = match &existing {
            // Back of the line after a place that is over, unless another
            // tab got there first.
            Some(old) => {
                let fields = bson::to_document(&ticket)
                    .map_err(|e| ApiError::Internal(format!("queue ticket: {e}")))?;
                let unchanged = doc! { "$and": [
                    { "$eq": ["$status", old.status.name()] },
                    { "$eq": ["$joined_at", old.joined_at] },
                ] };
                let mut set = fields;
                set.remove("_id");
                self.queue_tickets()
                    .update_one(
                        doc! { "_id": old.id },
                        update_if(
                            unchanged,
                            set,
                            &["admitted_at", "admitted_until", "ended_at"],
                        ),
                    )
                    .await
                    .map(|r| r.modified_count == 1)
            }
            None => self.queue_tickets().insert_one(&ticket).await.map(|_| true),
        };
        match written {
            Ok(true) => Ok((ticket, true)),
            // Another tab joined (or rejoined) at the same moment: its
            // place is the buyer's place.
            Ok(false) => self.ticket_of(state.id, user).await.map(|t| (t, false)),
            Err(e) if is_duplicate_key(&e) => {
                self.ticket_of(state.id, user).await.map(|t| (t, false))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn ticket_of(
        &self,
        performance: ObjectId,
        user: ObjectId,
    ) -> Result<TicketDoc, ApiError> {
        self.queue_tickets()
            .find_one(doc! { "performance_id": performance, "user_id": user })
            .await?
            .ok_or_else(|| ApiError::Internal("queue ticket vanished".into()))
    }

    pub async fn queue_ticket(&self, id: ObjectId) -> Result<Option<TicketDoc>, ApiError> {
        Ok(self.queue_tickets().find_one(doc! { "_id": id }).await?)
    }

    /// Reserves `n` places; returns the first.
    async fn next_places(&self, performance: ObjectId, n: i64) -> Result<i64, ApiError> {
        let counter = self
            .collection::<Document>(QUEUE_COUNTERS)
            .find_one_and_update(doc! { "_id": performance }, doc! { "$inc": { "next": n } })
            .upsert(true)
            .return_document(mongodb::options::ReturnDocument::After)
            .await?
            .ok_or_else(|| ApiError::Internal("queue counter missing after upsert".into()))?;
        let last = counter
            .get_i64("next")
            .or_else(|_| counter.get_i32("next").map(i64::from))
            .map_err(|e| ApiError::Internal(format!("queue counter: {e}")))?;
        Ok(last - n + 1)
    }

    /// Records that these tickets' buyers polled (the database's time).
    pub async fn queue_heartbeats(&self, tickets: Vec<ObjectId>) -> Result<(), ApiError> {
        for chunk in tickets.chunks(1000) {
            self.queue_tickets()
                .update_many(
                    doc! { "_id": { "$in": chunk } },
                    doc! { "$currentDate": { "seen_at": true } },
                )
                .await?;
        }
        Ok(())
    }

    /// Ends the buyer's admission as `Done` (used for a booking) or
    /// `Revoked` (by an admin), freeing room for the next buyer; `false` if
    /// they had none.
    pub async fn end_admission(
        &self,
        performance: ObjectId,
        user: ObjectId,
        ending: TicketStatus,
    ) -> Result<bool, ApiError> {
        let r = self
            .queue_tickets()
            .update_one(
                doc! { "performance_id": performance, "user_id": user },
                update_if(
                    is_admitted(),
                    doc! { "status": ending.name(), "ended_at": to_bson_time(Utc::now()) },
                    &[],
                ),
            )
            .await?;
        Ok(r.modified_count == 1)
    }
}

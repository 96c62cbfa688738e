//! The scheduler's side of the line: giving places, admitting in order,
//! skipping the silent. Only the lease holder runs it, and every change
//! of a ticket is conditional on its status, so even two schedulers at
//! once could not admit a buyer twice.

use std::collections::HashMap;

use bson::doc;
use bson::oid::ObjectId;
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use std::future::IntoFuture;

use super::{QueueStateDoc, TicketDoc, TicketStatus, is_admitted};
use crate::domain::queue::{accrue, admissible};
use crate::error::ApiError;
use crate::store::seats::update_if;
use crate::store::{Store, to_bson_time};

/// Most waiting tickets one tick looks at, so a line full of silent
/// buyers is skipped over several ticks instead of one long one.
const MAX_SCAN: i64 = 2000;

/// What one tick did to one performance's line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickOutcome {
    pub placed: u64,
    pub admitted: u64,
    pub skipped: u64,
    pub timed_out: u64,
}

/// How long the line waits for a place whose ticket has not appeared:
/// normally it is written milliseconds after the place is handed out; a
/// place stays empty for good only if its buyer's join failed after
/// taking it.
const GAP_PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

/// Places the scheduler found missing, and since when (its own clock).
#[derive(Debug, Default)]
pub struct Gaps(HashMap<(ObjectId, i64), std::time::Instant>);

impl Gaps {
    /// Whether the line has waited long enough for `place` to stop waiting.
    fn given_up(&mut self, performance: ObjectId, place: i64) -> bool {
        let since = self
            .0
            .entry((performance, place))
            .or_insert_with(std::time::Instant::now);
        since.elapsed() >= GAP_PATIENCE
    }

    fn forget_through(&mut self, performance: ObjectId, frontier: i64) {
        self.0
            .retain(|(p, place), _| *p != performance || *place > frontier);
    }
}

fn is_waiting() -> bson::Document {
    doc! { "$eq": ["$status", "waiting"] }
}

impl Store {
    /// One scheduler tick for one queued performance at the database's
    /// `now`: places for buyers without one, then admissions.
    /// Stops admitting at `deadline` (before the scheduler's lease could
    /// run out under it).
    pub async fn tick_queue(
        &self,
        state: &QueueStateDoc,
        now: DateTime<Utc>,
        gaps: &mut Gaps,
        deadline: std::time::Instant,
    ) -> Result<TickOutcome, ApiError> {
        // `now` is the database's time as of this call; time spent in here
        // is added to it, so stamps err late, never early.
        let entered = std::time::Instant::now();
        // Never before the last tick's stamp: a tick whose clock reading
        // was slow to come back stamps late, and the next one, reading the
        // clock quickly, would otherwise stamp its admissions before that
        // earlier tick's (place 80 "admitted" before place 79).
        let now = now.max(state.last_tick.to_chrono());
        let rules = state.rules;
        let mut outcome = TickOutcome::default();
        if now < state.sale_opens_at.to_chrono() {
            // Nothing accrues before the opening.
            self.queue_states()
                .update_one(
                    doc! { "_id": state.id },
                    doc! { "$max": { "last_tick": to_bson_time(now) } },
                )
                .await?;
            return Ok(outcome);
        }
        outcome.placed = self.give_places(state).await?;
        let (active, timed_out) = self.active_admissions(state.id, now).await?;
        outcome.timed_out = timed_out;
        // Admissions are stamped no earlier than the count they rely on:
        // every turn that count saw ending had ended by then. (Counting
        // from the count's own start missed the time giving places took,
        // and a stored turn could then seem to overlap one more.)
        let now = now + Duration::from_std(entered.elapsed()).unwrap_or_default();
        let elapsed = (now - state.last_tick.to_chrono()).num_milliseconds();
        let credit = match rules.admit_per_minute {
            Some(rate) => accrue(state.credit, rate, elapsed),
            None => 0.0,
        };
        let wanted = admissible(&rules, credit, active);
        let mut frontier = state.frontier;
        if wanted > 0 {
            // Every place after the frontier, whatever its status: a place
            // is handed out before its ticket is written, so a missing one
            // may still be on its way and the line waits for it a moment.
            let line: Vec<TicketDoc> = self
                .queue_tickets()
                .find(doc! {
                    "performance_id": state.id,
                    "position": { "$gt": state.frontier },
                })
                .sort(doc! { "position": 1 })
                .limit(MAX_SCAN)
                .await?
                .try_collect()
                .await?;
            let silent_before = now - Duration::seconds(i64::from(rules.grace_seconds));
            let until = now + Duration::seconds(i64::from(rules.shop_seconds));
            for ticket in line {
                let Some(position) = ticket.position else {
                    continue;
                };
                if position > frontier + 1 && !gaps.given_up(state.id, frontier + 1) {
                    break;
                }
                if std::time::Instant::now() >= deadline {
                    break;
                }
                if ticket.status == TicketStatus::Waiting {
                    let silent = ticket.seen_at.to_chrono() < silent_before;
                    if !silent && outcome.admitted >= wanted {
                        break;
                    }
                    let change = if silent {
                        doc! { "status": "expired", "ended_at": to_bson_time(now) }
                    } else {
                        doc! {
                            "status": "admitted",
                            "admitted_at": to_bson_time(now),
                            "admitted_until": to_bson_time(until),
                        }
                    };
                    let r = self
                        .queue_tickets()
                        .update_one(
                            doc! { "_id": ticket.id },
                            update_if(is_waiting(), change, &[]),
                        )
                        .await?;
                    if r.modified_count == 1 {
                        if silent {
                            outcome.skipped += 1;
                        } else {
                            outcome.admitted += 1;
                        }
                    }
                }
                frontier = position;
            }
        }
        gaps.forget_through(state.id, frontier);
        let left = if rules.admit_per_minute.is_some() {
            (credit - outcome.admitted as f64).max(0.0)
        } else {
            0.0
        };
        let mut update = doc! {
            "$max": { "frontier": frontier, "last_tick": to_bson_time(now) },
            "$set": { "credit": left },
            "$inc": { "admitted_total": outcome.admitted as i64 },
        };
        if outcome.admitted > 0 {
            update.insert(
                "$push",
                doc! { "recent": {
                    "$each": [{ "at": to_bson_time(now), "n": outcome.admitted as i64 }],
                    "$slice": -120,
                } },
            );
        }
        self.queue_states()
            .update_one(doc! { "_id": state.id }, update)
            .await?;
        Ok(outcome)
    }

    /// Gives places to waiting buyers without one: at the opening, those
    /// who joined before it in a random order; then anyone who joined
    /// while places were being drawn, in order of arrival.
    async fn give_places(&self, state: &QueueStateDoc) -> Result<u64, ApiError> {
        let mut unplaced: Vec<TicketDoc> = self
            .queue_tickets()
            .find(doc! { "performance_id": state.id, "status": "waiting", "position": null })
            .await?
            .try_collect()
            .await?;
        let draw = !state.drawn;
        unplaced.sort_by_key(|t| match (draw && t.pre, t.draw_key) {
            (true, key) => (0, key, t.id),
            (false, _) => (1, 0, t.id),
        });
        let n = unplaced.len() as i64;
        if n > 0 {
            let first = self.next_places(state.id, n).await?;
            let unplaced_only = doc! { "$eq": [{ "$ifNull": ["$position", null] }, null] };
            let tickets = self.queue_tickets();
            let mut updates = Vec::with_capacity(unplaced.len());
            for (i, ticket) in unplaced.iter().enumerate() {
                let place = doc! { "position": first + i as i64 };
                updates.push(
                    tickets
                        .update_one(
                            doc! { "_id": ticket.id },
                            update_if(unplaced_only.clone(), place, &[]),
                        )
                        .into_future(),
                );
            }
            let mut updates = updates.into_iter();
            loop {
                let batch: Vec<_> = updates.by_ref().take(16).collect();
                if batch.is_empty() {
                    break;
                }
                futures::future::try_join_all(batch).await?;
            }
        }
        if draw {
            self.queue_states()
                .update_one(doc! { "_id": state.id }, doc! { "$set": { "drawn": true } })
                .await?;
        }
        Ok(n as u64)
    }

    /// Admitted buyers still shopping at `now`; those whose time is over
    /// are marked expired on the way. Returns (shopping, timed out).
    async fn active_admissions(
        &self,
        performance: ObjectId,
        now: DateTime<Utc>,
    ) -> Result<(u64, u64), ApiError> {
        let admitted = self.admitted_tickets(performance).await?;
        let (shopping, over): (Vec<_>, Vec<_>) =
            admitted.into_iter().partition(|t| t.is_shopping(now));
        let over: Vec<ObjectId> = over.iter().map(|t| t.id).collect();
        let mut timed_out = 0;
        for chunk in over.chunks(500) {
            let r = self
                .queue_tickets()
                .update_many(
                    doc! { "_id": { "$in": chunk } },
                    update_if(
                        is_admitted(),
                        doc! { "status": "expired", "ended_at": to_bson_time(now) },
                        &[],
                    ),
                )
                .await?;
            timed_out += r.modified_count;
        }
        Ok((shopping.len() as u64, timed_out))
    }

    /// Tickets marked admitted, shopping or past their time.
    async fn admitted_tickets(&self, performance: ObjectId) -> Result<Vec<TicketDoc>, ApiError> {
        Ok(self
            .queue_tickets()
            .find(doc! { "performance_id": performance, "status": "admitted" })
            .await?
            .try_collect()
            .await?)
    }

    /// Live figures for the admin page.
    pub async fn queue_counts(
        &self,
        performance: ObjectId,
        now: DateTime<Utc>,
    ) -> Result<(u64, u64), ApiError> {
        let waiting = self
            .queue_tickets()
            .count_documents(doc! { "performance_id": performance, "status": "waiting" })
            .await?;
        let admitted = self.admitted_tickets(performance).await?;
        let active = admitted.iter().filter(|t| t.is_shopping(now)).count() as u64;
        Ok((waiting, active))
    }
}

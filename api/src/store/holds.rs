//! Holds: seats set aside for a few minutes, then confirmed into a booking,
//! released, or left to expire. Expiry needs no job: an expired hold's
//! seats simply count as free.

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Duration, Utc};
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};
use shared::{Booking, ErrorCode, EventType, Hold, HoldId, LedgerKind, PerformanceId};

use super::bookings::BookingDoc;
use super::indexes::{BOOKED_SEATS, BOOKINGS, HOLDS, LEDGER};
use super::outbox::{Actor, Fact, event_inserts, next_version};
use super::seat_limit::Claim;
use super::seats::{is_in, is_open, release_from, update_if};
use super::shows::PerformanceDoc;
use super::wallet::Movement;
use super::{Store, to_bson_time, to_document};
use crate::domain::booking::IdempotencyKey;
use crate::error::{ApiError, ResultExt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldStatus {
    Active,
    Confirmed,
    Released,
    /// Set by the sweep; an active hold past `expires_at` is expired too.
    Expired,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HoldDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub user_id: ObjectId,
    pub performance_id: ObjectId,
    pub seats: Vec<String>,
    pub total: u32,
    pub expires_at: bson::DateTime,
    pub status: HoldStatus,
    pub created_at: bson::DateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<ObjectId>,
    /// Counts its changes; its events' `seq` (`store/outbox.rs`).
    #[serde(default)]
    pub version: i64,
}

impl HoldDoc {
    pub fn to_dto(&self) -> Hold {
        Hold {
            id: HoldId(self.id.to_hex()),
            performance_id: PerformanceId(self.performance_id.to_hex()),
            seats: self.seats.clone(),
            total: self.total,
            expires_at: self.expires_at.to_chrono(),
        }
    }

    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.status == HoldStatus::Active && self.expires_at.to_chrono() > now
    }

    /// The event recording this hold's latest change, `event_type`.
    pub fn fact(&self, event_type: EventType) -> Result<Fact, ApiError> {
        Fact::new(event_type, self.id, self.version, &self.to_dto())
    }
}

/// What a hold or booking request needs besides the seats.
pub struct SeatOrder<'a> {
    pub user: ObjectId,
    pub performance: &'a PerformanceDoc,
    pub seats: &'a [String],
    /// Sum of the seats' prices.
    pub total: u32,
    pub seat_limit: u32,
    pub now: DateTime<Utc>,
    pub idempotency: Option<&'a IdempotencyKey>,
    /// Who orders, from where: recorded with the events.
    pub actor: &'a Actor,
}

impl Store {
    pub fn holds(&self) -> mongodb::Collection<HoldDoc> {
        self.collection(HOLDS)
    }

    pub async fn hold(&self, id: ObjectId) -> Result<Option<HoldDoc>, ApiError> {
        Ok(self.holds().find_one(doc! { "_id": id }).await?)
    }

    /// Holds every seat of the order or none.
    pub async fn hold_seats(&self, order: &SeatOrder<'_>, ttl: Duration) -> Result<Hold, ApiError> {
        let hold = HoldDoc {
            id: ObjectId::new(),
            user_id: order.user,
            performance_id: order.performance.id,
            seats: order.seats.to_vec(),
            total: order.total,
            expires_at: to_bson_time(order.now + ttl),
            status: HoldStatus::Active,
            created_at: to_bson_time(order.now),
            booking_id: None,
            version: 1,
        };
        let created = hold.fact(EventType::HoldCreated)?;
        let claim = doc! {
            "state": "held",
            "holder": order.user,
            "hold_id": hold.id,
            "hold_expires_at": hold.expires_at,
        };
        let result = self
            .transaction(async |session| {
                let mine = Claim {
                    id: hold.id,
                    seats: order.seats.len(),
                    until: Some(hold.expires_at),
                };
                self.claim_for(session, order, (claim.clone(), &["booking_id"]), &mine)
                    .await?;
                let mut inserts = vec![(HOLDS, to_document(&hold)?)];
                inserts.extend(event_inserts(order.actor, vec![created.clone()])?);
                self.insert_together(session, inserts, true).await?;
                let dto = hold.to_dto();
                self.record_response(session, order.idempotency, 201, &dto)
                    .await?;
                Ok(dto)
            })
            .await;
        self.name_taken_seats(result, order).await
    }

    /// Inside a transaction: claims the order's seats with `update`, then
    /// records `claim` against the buyer's seat limit.
    pub async fn claim_for(
        &self,
        session: &mut mongodb::ClientSession,
        order: &SeatOrder<'_>,
        update: (Document, &[&str]),
        claim: &Claim,
    ) -> Result<(), ApiError> {
        let performance = order.performance.id;
        self.claim_seats(session, performance, order.seats, update, order.now)
            .await?;
        self.claim_within_limit(
            session,
            order.user,
            performance,
            claim,
            order.seat_limit,
            order.now,
        )
        .await
    }

    /// Turns the generic `seat_taken` of a rolled-back claim into one naming
    /// the seats.
    pub async fn name_taken_seats<T>(
        &self,
        result: Result<T, ApiError>,
        order: &SeatOrder<'_>,
    ) -> Result<T, ApiError> {
        match result {
            Err(ApiError::Conflict {
                code: ErrorCode::SeatTaken,
                ..
            }) => Err(self
                .seats_taken_error(order.performance.id, order.seats)
                .await),
            other => other,
        }
    }

    /// Pays for a live hold and turns it into a booking, in one transaction.
    pub async fn confirm_hold(
        &self,
        user: ObjectId,
        hold_id: ObjectId,
        performance: &PerformanceDoc,
        (now, seat_limit): (DateTime<Utc>, u32),
        (idempotency, actor): (Option<&IdempotencyKey>, &Actor),
    ) -> Result<Booking, ApiError> {
        let booking_id = ObjectId::new();
        self.transaction(async |session| {
            self.refuse_if_cancelled(session, performance.id).await?;
            let hold = self
                .holds()
                .find_one_and_update(
                    doc! {
                        "_id": hold_id,
                        "user_id": user,
                        "status": "active",
                        "expires_at": { "$gt": to_bson_time(now) },
                    },
                    doc! {
                        "$set": { "status": "confirmed", "booking_id": booking_id },
                        "$inc": next_version(),
                    },
                )
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await?;
            let Some(hold) = hold else {
                return Err(self.hold_refusal(user, hold_id).await);
            };
            let still_held = doc! { "$and": [
                is_in("held"),
                { "$gt": ["$hold_expires_at", to_bson_time(now)] },
                is_open(),
            ] };
            let booked = self
                .seats()
                .update_many(
                    doc! { "hold_id": hold_id },
                    update_if(
                        still_held,
                        doc! { "state": "booked", "booking_id": booking_id },
                        &["hold_id", "hold_expires_at"],
                    ),
                )
                .session(&mut *session)
                .await?;
            if booked.modified_count != hold.seats.len() as u64 {
                return Err(hold_expired());
            }
            let booking = BookingDoc::new(
                booking_id,
                user,
                performance,
                hold.seats.clone(),
                hold.total,
                now,
            );
            let confirmed = hold.fact(EventType::HoldConfirmed)?;
            self.pay_and_store_booking(session, &booking, (actor, vec![confirmed]))
                .await?;
            // Last, so that a buyer's parallel confirms that cannot be
            // paid fail at the wallet without writing the shared guard.
            let confirmed = Claim {
                id: hold_id,
                seats: hold.seats.len(),
                until: Some(hold.expires_at),
            };
            self.guard_confirm(
                session,
                user,
                performance.id,
                &confirmed,
                booking_id,
                (seat_limit, now),
            )
            .await?;
            let dto = booking.to_dto();
            self.record_response(session, idempotency, 201, &dto)
                .await?;
            Ok(dto)
        })
        .await
    }

    /// Why a hold cannot be confirmed: not the caller's (404), or no
    /// longer live (409), perhaps because its performance was cancelled.
    async fn hold_refusal(&self, user: ObjectId, hold_id: ObjectId) -> ApiError {
        match self.hold(hold_id).await {
            Ok(Some(hold)) if hold.user_id == user => match hold.status {
                HoldStatus::Confirmed => ApiError::conflict(
                    ErrorCode::InvalidStatus,
                    "this hold is already confirmed; see your bookings",
                ),
                _ => match self.performance(hold.performance_id).await {
                    Ok(Some(p)) if p.cancelled_at.is_some() => super::cancellation::cancelled(),
                    Ok(_) => hold_expired(),
                    Err(e) => e,
                },
            },
            Ok(_) => ApiError::NotFound("hold"),
            Err(e) => e,
        }
    }

    /// Releases a live hold early. Releasing an expired or released hold
    /// changes nothing; a confirmed one is refused.
    pub async fn release_hold(
        &self,
        user: ObjectId,
        hold_id: ObjectId,
        actor: &Actor,
    ) -> Result<ObjectId, ApiError> {
        let hold = self
            .hold(hold_id)
            .await?
            .filter(|h| h.user_id == user)
            .ok_or(ApiError::NotFound("hold"))?;
        if hold.status == HoldStatus::Confirmed {
            return Err(ApiError::conflict(
                ErrorCode::InvalidStatus,
                "this hold is already confirmed; cancel the booking instead",
            ));
        }
        let (store, actor) = (self.clone(), actor.clone());
        let (user, performance) = (user, hold.performance_id);
        // Owned, so that the background sweep (`store/cancellation.rs`)
        // can run it on any thread.
        self.transaction(async move |session| {
            let released = store
                .holds()
                .find_one_and_update(
                    doc! { "_id": hold_id, "status": { "$in": ["active", "expired"] } },
                    doc! { "$set": { "status": "released" }, "$inc": next_version() },
                )
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await?;
            if let Some(released) = released {
                store
                    .record_one(session, &actor, released.fact(EventType::HoldReleased)?)
                    .await?;
            }
            store
                .seats()
                .update_many(doc! { "hold_id": hold_id }, release_from("held"))
                .session(&mut *session)
                .await?;
            store
                .guard_forget(session, user, performance, hold_id)
                .await?;
            Ok(())
        })
        .await?;
        Ok(hold.performance_id)
    }

    /// Inside a transaction: debits the buyer and stores the booking with
    /// its ledger entry and one `booked_seats` document per seat, whose
    /// unique (performance, label) index refuses a seat in two bookings
    /// even if the seat documents were ever wrong; records `earlier`
    /// events, `booking.confirmed` and the debit's. Everything after the
    /// debit goes in one round trip (`store/together.rs`).
    pub async fn pay_and_store_booking(
        &self,
        session: &mut mongodb::ClientSession,
        booking: &BookingDoc,
        (actor, earlier): (&Actor, Vec<Fact>),
    ) -> Result<(), ApiError> {
        let (_, entry, paid) = self
            .move_balance(
                session,
                Movement {
                    user_id: booking.user_id,
                    amount: -i64::from(booking.total),
                    kind: LedgerKind::Payment,
                    booking_id: Some(booking.id),
                    entry_key: format!("payment:{}", booking.id.to_hex()),
                },
            )
            .await?;
        let mut inserts: Vec<(&'static str, Document)> = booking
            .seats
            .iter()
            .map(|label| {
                let booked = doc! {
                    "performance_id": booking.performance_id,
                    "label": label,
                    "booking_id": booking.id,
                };
                (BOOKED_SEATS, booked)
            })
            .collect();
        inserts.push((LEDGER, to_document(&entry)?));
        inserts.push((BOOKINGS, to_document(booking)?));
        let mut facts = earlier;
        facts.push(booking.confirmed()?);
        facts.push(paid);
        inserts.extend(event_inserts(actor, facts)?);
        self.insert_together(session, inserts, true)
            .await
            .on_duplicate_key(|| ApiError::SeatsTaken(booking.seats.clone()))
    }
}

fn hold_expired() -> ApiError {
    ApiError::conflict(
        ErrorCode::HoldExpired,
        "this hold expired or was released; its seats may be taken now, so hold them again",
    )
}

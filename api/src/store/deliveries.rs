//! Deliveries: one per event and endpoint, made by the fan-out from the
//! outbox and worked off by every instance's dispatcher (`webhooks/`).
//!
//! A delivery is claimed by moving its `due_at` to the claim's expiry and
//! writing a claim token, in one conditional update: whoever claims it
//! sends it, and if that instance dies the delivery is due again when the
//! claim runs out. A result is written only under the same token, so a
//! dispatcher that lost its claim cannot overwrite another's.
//!
//! A lane is one endpoint and one target (a booking, a wallet, ...): its
//! deliveries go out in `seq` order, each waiting for the one before it
//! to be delivered or parked as a dead letter.

use bson::oid::ObjectId;
use bson::{Document, doc};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};
use shared::{DeliveryAttempt, DeliveryStatus, EventType, Page, WebhookDelivery};

use super::indexes::DELIVERIES;
use super::outbox::EventDoc;
use super::page::newest_first;
use super::{Store, to_bson_time};
use crate::domain::page::PageRequest;
use crate::error::{ApiError, DUPLICATE_KEY};
use mongodb::error::ErrorKind;

/// Attempts kept on a delivery for its history.
const HISTORY: usize = 10;
/// How many earlier events of its target a delivery checks are fanned out.
const FAN_OUT_WINDOW: i64 = 64;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttemptDoc {
    pub at: bson::DateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub latency_ms: i64,
}

impl AttemptDoc {
    fn to_dto(&self) -> DeliveryAttempt {
        DeliveryAttempt {
            at: self.at.to_chrono(),
            status: self.status,
            error: self.error.clone(),
            latency_ms: u64::try_from(self.latency_ms).unwrap_or(0),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub event_id: ObjectId,
    pub event_type: EventType,
    pub endpoint_id: ObjectId,
    /// `endpoint:target_type:target_id`.
    pub lane: String,
    pub seq: i64,
    pub target_type: String,
    pub target_id: ObjectId,
    pub status: DeliveryStatus,
    /// The next attempt, or while claimed, the claim's expiry.
    pub due_at: bson::DateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<ObjectId>,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_attempt_at: Option<bson::DateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<bson::DateTime>,
    pub created_at: bson::DateTime,
    #[serde(default)]
    pub history: Vec<AttemptDoc>,
}

impl DeliveryDoc {
    pub fn to_dto(&self) -> WebhookDelivery {
        let last = self.history.last();
        WebhookDelivery {
            id: self.id.to_hex(),
            event_id: self.event_id.to_hex(),
            event_type: self.event_type,
            status: self.status,
            attempts: self.attempts,
            last_status: last.and_then(|a| a.status),
            last_latency_ms: last.map(|a| u64::try_from(a.latency_ms).unwrap_or(0)),
            last_error: last.and_then(|a| a.error.clone()),
            next_attempt_at: (self.status == DeliveryStatus::Pending)
                .then(|| self.due_at.to_chrono()),
            delivered_at: self.delivered_at.map(|t| t.to_chrono()),
            created_at: self.created_at.to_chrono(),
            history: self.history.iter().map(AttemptDoc::to_dto).collect(),
        }
    }
}

/// How an attempt ended, and what follows.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub attempt: AttemptDoc,
    /// `Delivered`, `Dead`, or `Pending` with the next attempt's time.
    pub status: DeliveryStatus,
    pub retry_at: Option<DateTime<Utc>>,
}

/// Whether an unordered insert failed only on documents that exist
/// already, and was otherwise written and acknowledged.
pub(super) fn only_duplicates(error: &mongodb::error::Error) -> bool {
    match error.kind.as_ref() {
        ErrorKind::InsertMany(e) => {
            e.write_concern_error.is_none()
                && e.write_errors
                    .as_ref()
                    .is_some_and(|errors| errors.iter().all(|w| w.code == DUPLICATE_KEY))
        }
        _ => false,
    }
}

fn status_bson(status: DeliveryStatus) -> Result<bson::Bson, ApiError> {
    bson::to_bson(&status).map_err(|e| ApiError::Internal(format!("delivery status: {e}")))
}

impl Store {
    pub fn deliveries(&self) -> mongodb::Collection<DeliveryDoc> {
        self.collection(DELIVERIES)
    }

    /// Makes the deliveries (and e-mail jobs, `store/mails.rs`) of up to
    /// `batch` events not fanned out yet, oldest first, then marks those
    /// events done; returns how many
    /// events it took. Idempotent, so every instance may run it at once: a
    /// delivery made twice is refused by the unique (lane, seq) index.
    pub async fn fan_out(&self, batch: i64) -> Result<usize, ApiError> {
        let events: Vec<EventDoc> = self
            .events()
            .find(doc! { "pending": true })
            .sort(doc! { "_id": 1 })
            .limit(batch)
            .await?
            .try_collect()
            .await?;
        if events.is_empty() {
            return Ok(0);
        }
        let endpoints = self.all_webhooks().await?;
        let now = bson::DateTime::now();
        let deliveries: Vec<DeliveryDoc> = events
            .iter()
            .flat_map(|event| {
                endpoints
                    .iter()
                    .filter(|endpoint| endpoint.accepts(event.event_type))
                    .map(move |endpoint| DeliveryDoc {
                        id: ObjectId::new(),
                        event_id: event.id,
                        event_type: event.event_type,
                        endpoint_id: endpoint.id,
                        lane: format!(
                            "{}:{}:{}",
                            endpoint.id.to_hex(),
                            event.target_type,
                            event.target_id.to_hex()
                        ),
                        seq: event.seq,
                        target_type: event.target_type.clone(),
                        target_id: event.target_id,
                        status: DeliveryStatus::Pending,
                        due_at: now,
                        claim: None,
                        attempts: 0,
                        first_attempt_at: None,
                        delivered_at: None,
                        created_at: event.occurred_at,
                        history: Vec::new(),
                    })
            })
            .collect();
        if !deliveries.is_empty() {
            match self
                .deliveries()
                .insert_many(&deliveries)
                .ordered(false)
                .await
            {
                Ok(_) => {}
                // Another instance made some of them first; any other
                // failure leaves the events pending for the next round.
                Err(e) if only_duplicates(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.make_mails(&events).await?;
        let ids: Vec<ObjectId> = events.iter().map(|e| e.id).collect();
        self.events()
            .update_many(
                doc! { "_id": { "$in": ids } },
                doc! { "$unset": { "pending": "" } },
            )
            .await?;
        Ok(events.len())
    }

    /// Claims the delivery due first, until `claim_until`; `None` when
    /// nothing is due.
    pub async fn claim_delivery(
        &self,
        now: DateTime<Utc>,
        claim_until: DateTime<Utc>,
    ) -> Result<Option<DeliveryDoc>, ApiError> {
        Ok(self
            .deliveries()
            .find_one_and_update(
                doc! {
                    "status": status_bson(DeliveryStatus::Pending)?,
                    "due_at": { "$lte": to_bson_time(now) },
                },
                doc! { "$set": { "due_at": to_bson_time(claim_until), "claim": ObjectId::new() } },
            )
            .sort(doc! { "status": 1, "due_at": 1 })
            .return_document(ReturnDocument::After)
            .await?)
    }

    /// Until when a delivery must wait for an earlier change of its
    /// target, if it must: while an earlier event is not fanned out yet
    /// (it would put a delivery before this one on the lane), or an
    /// earlier delivery on the lane is still being tried (until that
    /// one's next attempt, or shortly while it is being sent). The events are read first: once an event is
    /// seen fanned out, its deliveries are already there to be seen.
    pub async fn delivery_waits(
        &self,
        delivery: &DeliveryDoc,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, ApiError> {
        let soon = now + chrono::Duration::milliseconds(500);
        // By index keys only (see `seats::update_if`): the events just
        // before this one. An event further back that is still not fanned
        // out would have waited for the fan-out for many rounds.
        let unfanned = self
            .collection::<Document>(super::indexes::EVENTS)
            .find(doc! {
                "target_type": &delivery.target_type,
                "target_id": delivery.target_id,
                "seq": { "$gte": delivery.seq - FAN_OUT_WINDOW, "$lt": delivery.seq },
            })
            .projection(doc! { "pending": 1 })
            .await?
            .try_collect::<Vec<Document>>()
            .await?
            .iter()
            .any(|event| event.get_bool("pending").unwrap_or(false));
        if unfanned {
            return Ok(Some(soon));
        }
        let earlier = self
            .collection::<Document>(DELIVERIES)
            .find_one(doc! {
                "lane": &delivery.lane,
                "status": status_bson(DeliveryStatus::Pending)?,
                "seq": { "$lt": delivery.seq },
            })
            .projection(doc! { "due_at": 1, "claim": 1 })
            .await?;
        Ok(earlier.map(|blocking| {
            if blocking.contains_key("claim") {
                // Being sent now: its due time is only its claim's expiry.
                return soon;
            }
            let due = blocking
                .get_datetime("due_at")
                .map(|t| t.to_chrono())
                .unwrap_or(soon);
            due.max(soon)
        }))
    }

    /// Extends a delivery's claim until `until` just before it is sent;
    /// `false` if the claim was lost (another instance may be sending it).
    pub async fn renew_claim(
        &self,
        delivery: &DeliveryDoc,
        until: DateTime<Utc>,
    ) -> Result<bool, ApiError> {
        let renewed = self
            .deliveries()
            .update_one(
                doc! { "_id": delivery.id, "claim": delivery.claim },
                doc! { "$set": { "due_at": to_bson_time(until) } },
            )
            .await?;
        Ok(renewed.matched_count == 1)
    }

    /// Removes a claimed delivery whose endpoint is gone (made by a
    /// fan-out that read the endpoints just before the deletion).
    pub async fn drop_delivery(&self, delivery: &DeliveryDoc) -> Result<(), ApiError> {
        self.deliveries()
            .delete_one(doc! { "_id": delivery.id, "claim": delivery.claim })
            .await?;
        Ok(())
    }

    /// Gives a claimed delivery back, due again at `at`.
    pub async fn postpone_delivery(
        &self,
        delivery: &DeliveryDoc,
        at: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        self.deliveries()
            .update_one(
                doc! { "_id": delivery.id, "claim": delivery.claim },
                doc! { "$set": { "due_at": to_bson_time(at) }, "$unset": { "claim": "" } },
            )
            .await?;
        Ok(())
    }

    /// Records an attempt under the delivery's claim; `false` if the
    /// claim was lost meanwhile (the result is then not written).
    pub async fn finish_attempt(
        &self,
        delivery: &DeliveryDoc,
        outcome: Outcome,
    ) -> Result<bool, ApiError> {
        let attempt = bson::to_bson(&outcome.attempt)
            .map_err(|e| ApiError::Internal(format!("delivery attempt: {e}")))?;
        let mut set = doc! { "status": status_bson(outcome.status)? };
        if delivery.first_attempt_at.is_none() {
            set.insert("first_attempt_at", outcome.attempt.at);
        }
        match outcome.status {
            DeliveryStatus::Delivered => {
                set.insert("delivered_at", outcome.attempt.at);
            }
            DeliveryStatus::Pending => {
                let at = outcome.retry_at.unwrap_or_else(Utc::now);
                set.insert("due_at", to_bson_time(at));
            }
            DeliveryStatus::Dead => {}
        }
        let written = self
            .deliveries()
            .update_one(
                doc! { "_id": delivery.id, "claim": delivery.claim },
                doc! {
                    "$set": set,
                    "$unset": { "claim": "" },
                    "$inc": { "attempts": 1 },
                    "$push": { "history": { "$each": [attempt], "$slice": -(HISTORY as i32) } },
                },
            )
            .await?;
        Ok(written.modified_count == 1)
    }

    /// An endpoint's deliveries, newest first.
    pub async fn endpoint_deliveries(
        &self,
        endpoint: ObjectId,
        status: Option<DeliveryStatus>,
        page: &PageRequest,
    ) -> Result<Page<WebhookDelivery>, ApiError> {
        let mut filter = doc! { "endpoint_id": endpoint };
        if let Some(status) = status {
            filter.insert("status", status_bson(status)?);
        }
        newest_first(
            self.deliveries(),
            filter,
            page,
            |d| d.id,
            DeliveryDoc::to_dto,
        )
        .await
    }

    /// Sends a delivery again now (a dead letter, or a delivered one the
    /// receiver lost); its retry period starts over.
    pub async fn redeliver(
        &self,
        endpoint: ObjectId,
        id: ObjectId,
    ) -> Result<WebhookDelivery, ApiError> {
        let claimed = self
            .deliveries()
            .find_one(doc! { "_id": id, "endpoint_id": endpoint })
            .await?
            .ok_or(ApiError::NotFound("delivery"))?;
        if claimed.status == DeliveryStatus::Pending {
            return Err(ApiError::conflict(
                shared::ErrorCode::InvalidStatus,
                "this delivery is still being attempted; wait for it to be delivered or dead",
            ));
        }
        self.deliveries()
            .find_one_and_update(
                doc! { "_id": id, "status": status_bson(claimed.status)? },
                doc! {
                    "$set": { "status": status_bson(DeliveryStatus::Pending)?, "due_at": bson::DateTime::now() },
                    "$unset": { "first_attempt_at": "", "claim": "" },
                },
            )
            .return_document(ReturnDocument::After)
            .await?
            .map(|d| d.to_dto())
            .ok_or_else(|| {
                ApiError::conflict(
                    shared::ErrorCode::InvalidStatus,
                    "this delivery changed meanwhile; look at it again",
                )
            })
    }
}

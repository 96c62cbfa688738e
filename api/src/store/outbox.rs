//! The outbox: every state change writes its event in the same transaction,
//! so there is no event without its change and no change without its event.
//!
//! Each changed document (a reservation, a hold, a wallet, ...) carries a
//! `version` that the change increments; the event's `seq` is that version,
//! so a target's events are numbered 1, 2, 3, ... in the order their
//! changes committed (two changes of one document conflict, so they never
//! commit out of order), and a unique index refuses a number twice.
//!
//! Events are never changed or removed by the API: they are also the audit
//! log. The one field that goes away is `pending`, once the fan-out has
//! made the event's deliveries (`store/deliveries.rs`).

use bson::oid::ObjectId;
use bson::{Document, doc};
use mongodb::ClientSession;
use serde::{Deserialize, Serialize};
use shared::{EventActor, EventType, UserId};

use super::Store;
use super::indexes::EVENTS;
use crate::error::ApiError;

/// Who makes a change and from where, recorded with its events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<ObjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Actor {
    /// One of the system's own jobs (a sweep, the demo loader).
    pub fn system(job: &str) -> Self {
        Self {
            job: Some(job.to_owned()),
            ..Self::default()
        }
    }

    /// An account, without a request (tools and tests).
    pub fn user(id: ObjectId, email: &str) -> Self {
        Self {
            user_id: Some(id),
            email: Some(email.to_owned()),
            ..Self::default()
        }
    }

    pub fn to_dto(&self) -> EventActor {
        EventActor {
            user_id: self.user_id.map(|id| UserId(id.to_hex())),
            email: self.email.clone(),
            job: self.job.clone(),
            address: self.address.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// A change to record: what happened to which document, its new version
/// and its new state.
#[derive(Debug, Clone)]
pub struct Fact {
    pub event_type: EventType,
    pub target: ObjectId,
    pub seq: i64,
    pub data: Document,
}

impl Fact {
    /// `data` is the target's state after the change, as the API shows it.
    pub fn new(
        event_type: EventType,
        target: ObjectId,
        seq: i64,
        data: &impl Serialize,
    ) -> Result<Self, ApiError> {
        let data = bson::to_document(data)
            .map_err(|e| ApiError::Internal(format!("event {event_type} data: {e}")))?;
        Ok(Self {
            event_type,
            target,
            seq,
            data,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// `booking` for `booking.confirmed`.
    pub target_type: String,
    pub target_id: ObjectId,
    pub seq: i64,
    pub actor: Actor,
    pub occurred_at: bson::DateTime,
    pub data: Document,
    /// Present until the fan-out has made this event's deliveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<bool>,
}

impl Store {
    pub fn events(&self) -> mongodb::Collection<EventDoc> {
        self.collection(EVENTS)
    }

    /// Inside the change's transaction: writes its events, in one command.
    pub async fn record(
        &self,
        session: &mut ClientSession,
        actor: &Actor,
        facts: Vec<Fact>,
    ) -> Result<(), ApiError> {
        if facts.is_empty() {
            return Ok(());
        }
        self.events()
            .insert_many(event_docs(actor, facts))
            .session(&mut *session)
            .await?;
        Ok(())
    }

    /// Inside a transaction: the one event of a change.
    pub async fn record_one(
        &self,
        session: &mut ClientSession,
        actor: &Actor,
        fact: Fact,
    ) -> Result<(), ApiError> {
        self.record(session, actor, vec![fact]).await
    }
}

/// The events recording `facts`, made by `actor` now.
pub fn event_docs(actor: &Actor, facts: Vec<Fact>) -> Vec<EventDoc> {
    let now = bson::DateTime::now();
    facts
        .into_iter()
        .map(|fact| EventDoc {
            id: ObjectId::new(),
            event_type: fact.event_type,
            target_type: fact.event_type.aggregate().to_owned(),
            target_id: fact.target,
            seq: fact.seq,
            actor: actor.clone(),
            occurred_at: now,
            data: fact.data,
            pending: Some(true),
        })
        .collect()
}

/// The same events as documents for [`Store::insert_together`].
pub fn event_inserts(
    actor: &Actor,
    facts: Vec<Fact>,
) -> Result<Vec<(&'static str, Document)>, ApiError> {
    event_docs(actor, facts)
        .iter()
        .map(|event| {
            bson::to_document(event)
                .map(|doc| (EVENTS, doc))
                .map_err(|e| ApiError::Internal(format!("event document: {e}")))
        })
        .collect()
}

/// The update that bumps a document's version along with a change.
pub fn next_version() -> Document {
    doc! { "version": 1_i64 }
}

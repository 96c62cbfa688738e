//! Webhook endpoints, registered by admins.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bson::oid::ObjectId;
use bson::{Document, doc};
use futures::TryStreamExt;
use mongodb::options::ReturnDocument;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use shared::{DeliveryCounts, DeliveryStatus, EventType, WebhookEndpoint};

use super::Store;
use super::indexes::{DELIVERIES, WEBHOOKS};
use crate::domain::webhook::{EndpointChanges, NewEndpoint};
use crate::error::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub url: String,
    pub description: String,
    /// Empty: every type.
    pub event_types: Vec<EventType>,
    pub enabled: bool,
    /// `whsec_` and base64: the key signing every delivery. The API shows
    /// it once, at registration.
    pub secret: String,
    pub created_at: bson::DateTime,
}

impl WebhookDoc {
    pub fn accepts(&self, event_type: EventType) -> bool {
        self.enabled && (self.event_types.is_empty() || self.event_types.contains(&event_type))
    }

    pub fn to_dto(&self, counts: DeliveryCounts) -> WebhookEndpoint {
        WebhookEndpoint {
            id: self.id.to_hex(),
            url: self.url.clone(),
            description: self.description.clone(),
            event_types: self.event_types.clone(),
            enabled: self.enabled,
            created_at: self.created_at.to_chrono(),
            counts,
        }
    }
}

/// A new signing secret: 24 random bytes, as the Standard Webhooks
/// specification writes them.
fn new_secret() -> String {
    let mut key = [0u8; 24];
    rand::rng().fill_bytes(&mut key);
    format!("whsec_{}", STANDARD.encode(key))
}

impl Store {
    pub fn webhooks(&self) -> mongodb::Collection<WebhookDoc> {
        self.collection(WEBHOOKS)
    }

    /// Registers an endpoint; the answer carries its secret.
    pub async fn insert_webhook(&self, new: NewEndpoint) -> Result<WebhookDoc, ApiError> {
        let doc = WebhookDoc {
            id: ObjectId::new(),
            url: new.url,
            description: new.description,
            event_types: new.event_types,
            enabled: new.enabled,
            secret: new_secret(),
            created_at: bson::DateTime::now(),
        };
        self.webhooks().insert_one(&doc).await?;
        Ok(doc)
    }

    pub async fn webhook(&self, id: ObjectId) -> Result<Option<WebhookDoc>, ApiError> {
        Ok(self.webhooks().find_one(doc! { "_id": id }).await?)
    }

    /// Every endpoint, oldest first (there are few).
    pub async fn all_webhooks(&self) -> Result<Vec<WebhookDoc>, ApiError> {
        Ok(self
            .webhooks()
            .find(doc! {})
            .sort(doc! { "_id": 1 })
            .await?
            .try_collect()
            .await?)
    }

    pub async fn update_webhook(
        &self,
        id: ObjectId,
        changes: EndpointChanges,
    ) -> Result<WebhookDoc, ApiError> {
        let mut set = Document::new();
        if let Some(url) = changes.url {
            set.insert("url", url);
        }
        if let Some(description) = changes.description {
            set.insert("description", description);
        }
        if let Some(types) = changes.event_types {
            let types = bson::to_bson(&types)
                .map_err(|e| ApiError::Internal(format!("event types: {e}")))?;
            set.insert("event_types", types);
        }
        if let Some(enabled) = changes.enabled {
            set.insert("enabled", enabled);
        }
        self.webhooks()
            .find_one_and_update(doc! { "_id": id }, doc! { "$set": set })
            .return_document(ReturnDocument::After)
            .await?
            .ok_or(ApiError::NotFound("webhook"))
    }

    /// Removes an endpoint and its deliveries: nothing more is sent to it.
    pub async fn delete_webhook(&self, id: ObjectId) -> Result<(), ApiError> {
        let deleted = self.webhooks().delete_one(doc! { "_id": id }).await?;
        if deleted.deleted_count == 0 {
            return Err(ApiError::NotFound("webhook"));
        }
        self.collection::<Document>(DELIVERIES)
            .delete_many(doc! { "endpoint_id": id })
            .await?;
        Ok(())
    }

    /// How many of an endpoint's deliveries are in each state.
    pub async fn delivery_counts(&self, endpoint: ObjectId) -> Result<DeliveryCounts, ApiError> {
        let deliveries = self.collection::<Document>(DELIVERIES);
        let count = async |status: DeliveryStatus| -> Result<u64, ApiError> {
            let status = bson::to_bson(&status)
                .map_err(|e| ApiError::Internal(format!("delivery status: {e}")))?;
            Ok(deliveries
                .count_documents(doc! { "endpoint_id": endpoint, "status": status })
                .await?)
        };
        let (pending, delivered, dead) = futures::try_join!(
            count(DeliveryStatus::Pending),
            count(DeliveryStatus::Delivered),
            count(DeliveryStatus::Dead),
        )?;
        Ok(DeliveryCounts {
            pending,
            delivered,
            dead,
        })
    }
}

//! Stored first responses of requests sent with an `Idempotency-Key`.
//!
//! The record is inserted inside the same transaction as the change it
//! describes, so a key is recorded exactly when its change commits. A
//! concurrent or later repeat hits the unique `_id`, and gets the stored
//! response instead of changing anything again.

use bson::doc;
use mongodb::ClientSession;
use serde::{Deserialize, Serialize};

use super::Store;
use super::indexes::IDEMPOTENCY;
use crate::domain::booking::IdempotencyKey;
use crate::error::{ApiError, is_duplicate_key};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdempotencyDoc {
    #[serde(rename = "_id")]
    pub id: String,
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
    pub created_at: bson::DateTime,
}

impl Store {
    fn idempotency(&self) -> mongodb::Collection<IdempotencyDoc> {
        self.collection(IDEMPOTENCY)
    }

    pub async fn idempotent_response(
        &self,
        key: &IdempotencyKey,
    ) -> Result<Option<IdempotencyDoc>, ApiError> {
        Ok(self.idempotency().find_one(doc! { "_id": &key.id }).await?)
    }

    /// Records the response inside the caller's transaction. A repeat of
    /// the key fails with [`ApiError::AlreadyRecorded`].
    pub async fn record_response<T: Serialize>(
        &self,
        session: &mut ClientSession,
        key: Option<&IdempotencyKey>,
        status: u16,
        response: &T,
    ) -> Result<(), ApiError> {
        let Some(key) = key else {
            return Ok(());
        };
        let body = serde_json::to_string(response)
            .map_err(|e| ApiError::Internal(format!("response serialisation: {e}")))?;
        let record = IdempotencyDoc {
            id: key.id.clone(),
            fingerprint: key.fingerprint.clone(),
            status,
            body,
            created_at: bson::DateTime::now(),
        };
        match self.idempotency().insert_one(record).session(session).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Err(ApiError::AlreadyRecorded),
            Err(e) => Err(e.into()),
        }
    }
}

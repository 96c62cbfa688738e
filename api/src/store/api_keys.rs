//! API keys, stored as the SHA-256 of their secret (like sessions): a
//! leaked database holds no usable keys.

use bson::doc;
use bson::oid::ObjectId;
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use shared::{ApiKey, ApiKeyScope};

use super::indexes::API_KEYS;
use super::users::{UserDoc, enabled_owner};
use super::{Store, to_bson_time};
use crate::error::ApiError;

/// How stale `last_used_at` may get before a request refreshes it.
const USED_EVERY: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiKeyDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub key_hash: String,
    pub user_id: ObjectId,
    pub name: String,
    pub scopes: Vec<ApiKeyScope>,
    pub prefix: String,
    pub created_at: bson::DateTime,
    #[serde(default)]
    pub expires_at: Option<bson::DateTime>,
    #[serde(default)]
    pub last_used_at: Option<bson::DateTime>,
}

impl ApiKeyDoc {
    pub fn to_dto(&self) -> ApiKey {
        ApiKey {
            id: self.id.to_hex(),
            name: self.name.clone(),
            scopes: self.scopes.clone(),
            prefix: self.prefix.clone(),
            created_at: self.created_at.to_chrono(),
            expires_at: self.expires_at.map(|t| t.to_chrono()),
            last_used_at: self.last_used_at.map(|t| t.to_chrono()),
        }
    }
}

#[derive(Debug, Deserialize)]
struct KeyUser {
    #[serde(flatten)]
    key: ApiKeyDoc,
    user: UserDoc,
}

impl Store {
    fn api_keys(&self) -> mongodb::Collection<ApiKeyDoc> {
        self.collection(API_KEYS)
    }

    pub async fn insert_api_key(&self, key: &ApiKeyDoc) -> Result<(), ApiError> {
        self.api_keys().insert_one(key).await?;
        Ok(())
    }

    /// The unexpired key with this hash and its enabled owner, in one
    /// round trip; notes its use every few minutes.
    pub async fn api_key_user(
        &self,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(UserDoc, ApiKeyDoc)>, ApiError> {
        // The expiry is checked below: the match stays on the index.
        let mut pipeline = vec![doc! { "$match": { "key_hash": key_hash } }];
        pipeline.extend(enabled_owner());
        let mut cursor = self.api_keys().aggregate(pipeline).await?;
        let Some(found) = cursor.try_next().await? else {
            return Ok(None);
        };
        let found: KeyUser = bson::from_document(found)
            .map_err(|e| ApiError::Internal(format!("stored API key unreadable: {e}")))?;
        if found.key.expires_at.is_some_and(|at| at.to_chrono() <= now) {
            return Ok(None);
        }
        let stale = found
            .key
            .last_used_at
            .is_none_or(|used| used.to_chrono() < now - USED_EVERY);
        if stale {
            self.api_keys()
                .update_one(
                    doc! { "_id": found.key.id },
                    doc! { "$set": { "last_used_at": to_bson_time(now) } },
                )
                .await?;
        }
        Ok(Some((found.user, found.key)))
    }

    /// The user's keys, newest first.
    pub async fn user_api_keys(&self, user_id: ObjectId) -> Result<Vec<ApiKey>, ApiError> {
        let keys: Vec<ApiKeyDoc> = self
            .api_keys()
            .find(doc! { "user_id": user_id })
            .sort(doc! { "_id": -1 })
            .limit(500)
            .await?
            .try_collect()
            .await?;
        Ok(keys.iter().map(ApiKeyDoc::to_dto).collect())
    }

    pub async fn count_api_keys(&self, user_id: ObjectId) -> Result<u64, ApiError> {
        Ok(self
            .api_keys()
            .count_documents(doc! { "user_id": user_id })
            .await?)
    }

    /// Revokes (deletes) the user's key; whether there was one.
    pub async fn revoke_api_key(&self, user_id: ObjectId, id: ObjectId) -> Result<bool, ApiError> {
        let gone = self
            .api_keys()
            .delete_one(doc! { "_id": id, "user_id": user_id })
            .await?;
        Ok(gone.deleted_count == 1)
    }
}

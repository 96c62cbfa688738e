//! Login sessions: the token's SHA-256 is the key, so a leaked database
//! holds no usable tokens. Each also has a public id, by which its owner
//! lists and ends it.

use bson::doc;
use bson::oid::ObjectId;
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use super::indexes::SESSIONS;
use super::users::{UserDoc, enabled_owner};
use super::{Store, to_bson_time};
use crate::error::ApiError;

/// How stale a session's `last_seen_at` may get before a request
/// refreshes it: one write per session every few minutes, not per request.
const SEEN_EVERY: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionDoc {
    #[serde(rename = "_id")]
    token_hash: String,
    /// Missing on sessions made before sessions could be listed; listing
    /// gives them one.
    #[serde(default)]
    public_id: Option<ObjectId>,
    user_id: ObjectId,
    created_at: bson::DateTime,
    expires_at: bson::DateTime,
    #[serde(default)]
    last_seen_at: Option<bson::DateTime>,
    #[serde(default)]
    user_agent: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

/// Where a session is used from, as a request shows it.
#[derive(Debug, Clone, Default)]
pub struct Device {
    pub user_agent: Option<String>,
    pub address: Option<String>,
}

/// The account behind a session, and which session it is.
#[derive(Debug, Clone, Deserialize)]
struct SessionUser {
    user: UserDoc,
    #[serde(default)]
    public_id: Option<ObjectId>,
    #[serde(default)]
    last_seen_at: Option<bson::DateTime>,
}

impl Store {
    fn sessions(&self) -> mongodb::Collection<SessionDoc> {
        self.collection(SESSIONS)
    }

    pub async fn create_session(
        &self,
        token_hash: String,
        user_id: ObjectId,
        expires_at: DateTime<Utc>,
        device: Device,
    ) -> Result<(), ApiError> {
        let now = bson::DateTime::now();
        let session = SessionDoc {
            token_hash,
            public_id: Some(ObjectId::new()),
            user_id,
            created_at: now,
            expires_at: to_bson_time(expires_at),
            last_seen_at: Some(now),
            user_agent: device.user_agent,
            address: device.address,
        };
        self.sessions().insert_one(session).await?;
        Ok(())
    }

    /// The enabled account behind an unexpired session and the session's
    /// public id, in one round trip: every authenticated request pays for
    /// this lookup. Notes when and where the session was seen, every few
    /// minutes.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        device: &Device,
    ) -> Result<Option<(UserDoc, Option<ObjectId>)>, ApiError> {
        let mut pipeline = vec![
            doc! { "$match": { "_id": token_hash, "expires_at": { "$gt": to_bson_time(now) } } },
        ];
        pipeline.extend(enabled_owner());
        pipeline.push(doc! { "$project": { "user": 1, "public_id": 1, "last_seen_at": 1 } });
        let mut cursor = self.sessions().aggregate(pipeline).await?;
        let Some(found) = cursor.try_next().await? else {
            return Ok(None);
        };
        let found: SessionUser = bson::from_document(found)
            .map_err(|e| ApiError::Internal(format!("stored session unreadable: {e}")))?;
        let stale = found
            .last_seen_at
            .is_none_or(|seen| seen.to_chrono() < now - SEEN_EVERY);
        if stale {
            self.sessions()
                .update_one(
                    doc! { "_id": token_hash },
                    doc! { "$set": {
                        "last_seen_at": to_bson_time(now),
                        "address": device.address.clone(),
                        "user_agent": device.user_agent.clone(),
                    } },
                )
                .await?;
        }
        Ok(Some((found.user, found.public_id)))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), ApiError> {
        self.sessions()
            .delete_one(doc! { "_id": token_hash })
            .await?;
        Ok(())
    }

    /// The user's unexpired sessions, most recently seen first.
    pub async fn user_sessions(
        &self,
        user_id: ObjectId,
        now: DateTime<Utc>,
        current: Option<ObjectId>,
    ) -> Result<Vec<shared::Session>, ApiError> {
        let found: Vec<SessionDoc> = self
            .sessions()
            .find(doc! { "user_id": user_id, "expires_at": { "$gt": to_bson_time(now) } })
            .limit(500)
            .await?
            .try_collect()
            .await?;
        let mut sessions = Vec::with_capacity(found.len());
        for session in found {
            let id = match session.public_id {
                Some(id) => id,
                None => {
                    let id = ObjectId::new();
                    self.sessions()
                        .update_one(
                            doc! { "_id": &session.token_hash, "public_id": { "$exists": false } },
                            doc! { "$set": { "public_id": id } },
                        )
                        .await?;
                    id
                }
            };
            sessions.push(shared::Session {
                id: id.to_hex(),
                created_at: session.created_at.to_chrono(),
                last_seen_at: session
                    .last_seen_at
                    .unwrap_or(session.created_at)
                    .to_chrono(),
                expires_at: session.expires_at.to_chrono(),
                user_agent: session.user_agent,
                address: session.address,
                current: Some(id) == current,
            });
        }
        sessions.sort_by_key(|s| std::cmp::Reverse(s.last_seen_at));
        Ok(sessions)
    }

    /// Ends the user's session with this public id; whether there was one.
    pub async fn end_session(&self, user_id: ObjectId, id: ObjectId) -> Result<bool, ApiError> {
        let ended = self
            .sessions()
            .delete_one(doc! { "user_id": user_id, "public_id": id })
            .await?;
        Ok(ended.deleted_count == 1)
    }

    /// Ends every session of the user but `keep` (its public id); how many.
    pub async fn end_sessions(
        &self,
        user_id: ObjectId,
        keep: Option<ObjectId>,
    ) -> Result<u64, ApiError> {
        let mut filter = doc! { "user_id": user_id };
        if let Some(keep) = keep {
            filter.insert("public_id", doc! { "$ne": keep });
        }
        Ok(self.sessions().delete_many(filter).await?.deleted_count)
    }
}

//! Login sessions: the token's SHA-256 is the key, so a leaked database
//! holds no usable tokens.

use bson::doc;
use bson::oid::ObjectId;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use super::indexes::{SESSIONS, USERS};
use super::users::UserDoc;
use super::{Store, to_bson_time};
use crate::error::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionDoc {
    #[serde(rename = "_id")]
    token_hash: String,
    user_id: ObjectId,
    created_at: bson::DateTime,
    expires_at: bson::DateTime,
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
    ) -> Result<(), ApiError> {
        let session = SessionDoc {
            token_hash,
            user_id,
            created_at: bson::DateTime::now(),
            expires_at: to_bson_time(expires_at),
        };
        self.sessions().insert_one(session).await?;
        Ok(())
    }

    /// The account behind an unexpired session, in one round trip: every
    /// authenticated request pays for this lookup.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserDoc>, ApiError> {
        let pipeline = vec![
            doc! { "$match": { "_id": token_hash, "expires_at": { "$gt": to_bson_time(now) } } },
            doc! { "$lookup": {
                "from": USERS,
                "localField": "user_id",
                "foreignField": "_id",
                "as": "user",
            } },
            doc! { "$unwind": "$user" },
            doc! { "$replaceRoot": { "newRoot": "$user" } },
        ];
        let mut cursor = self.sessions().aggregate(pipeline).await?;
        match cursor.try_next().await? {
            Some(user) => Ok(Some(bson::from_document(user).map_err(|e| {
                ApiError::Internal(format!("stored user unreadable: {e}"))
            })?)),
            None => Ok(None),
        }
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), ApiError> {
        self.sessions()
            .delete_one(doc! { "_id": token_hash })
            .await?;
        Ok(())
    }
}

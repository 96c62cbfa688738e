//! Changes to an account's standing: disabled by an admin, or a new
//! password. Each is recorded as an event, and ends sessions.

use bson::doc;
use bson::oid::ObjectId;
use mongodb::options::ReturnDocument;
use shared::{ErrorCode, EventType, User};

use super::Store;
use super::outbox::{Actor, Fact, next_version};
use crate::error::ApiError;

impl Store {
    /// Disables or enables an account. Disabling ends all its sessions;
    /// an admin cannot disable their own account.
    pub async fn set_disabled(
        &self,
        actor: &Actor,
        target: ObjectId,
        disabled: bool,
    ) -> Result<User, ApiError> {
        if disabled && actor.user_id == Some(target) {
            return Err(ApiError::conflict(
                ErrorCode::LastAdmin,
                "you cannot disable your own account; ask another admin",
            ));
        }
        // Owned captures, as for every transaction body here.
        let (store, actor) = (self.clone(), actor.clone());
        let changed = self
            .transaction(async move |session| {
                // Only if it differs: the same change twice records one event.
                let Some(after) = store
                    .users()
                    .find_one_and_update(
                        doc! { "_id": target, "disabled": { "$ne": disabled } },
                        doc! { "$set": { "disabled": disabled }, "$inc": next_version() },
                    )
                    .return_document(ReturnDocument::After)
                    .session(&mut *session)
                    .await?
                else {
                    return Ok(None);
                };
                let dto = after.to_dto();
                let kind = if disabled {
                    EventType::UserDisabled
                } else {
                    EventType::UserEnabled
                };
                let fact = Fact::new(kind, target, after.version, &dto)?;
                store.record_one(session, &actor, fact).await?;
                Ok(Some(dto))
            })
            .await?;
        let user = match changed {
            Some(user) => user,
            None => self
                .user_by_id(target)
                .await?
                .ok_or(ApiError::NotFound("user"))?
                .to_dto(),
        };
        if user.disabled {
            // Lookups refuse a disabled account's sessions already; this
            // tidies them away (and repeats harmlessly).
            self.end_sessions(target, None).await?;
        }
        Ok(user)
    }

    /// Stores a new password hash and ends every session of the account
    /// but `keep`; how many ended.
    pub async fn set_password_hash(
        &self,
        actor: &Actor,
        target: ObjectId,
        password_hash: String,
        keep: Option<ObjectId>,
    ) -> Result<u64, ApiError> {
        let (store, actor) = (self.clone(), actor.clone());
        self.transaction(async move |session| {
            let after = store
                .users()
                .find_one_and_update(
                    doc! { "_id": target },
                    doc! { "$set": { "password_hash": &password_hash }, "$inc": next_version() },
                )
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await?
                .ok_or(ApiError::NotFound("user"))?;
            let fact = Fact::new(
                EventType::UserPasswordChanged,
                target,
                after.version,
                &after.to_dto(),
            )?;
            store.record_one(session, &actor, fact).await
        })
        .await?;
        self.end_sessions(target, keep).await
    }
}

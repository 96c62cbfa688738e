//! Accounts.

use bson::doc;
use bson::oid::ObjectId;
use serde::{Deserialize, Serialize};
use shared::{ErrorCode, EventType, Page, Role, User, UserId};

use super::Store;
use super::identities::IdentityDoc;
use super::indexes::USERS;
use super::outbox::{Actor, Fact, next_version};
use super::page::{Order, SortField, keyset_page};
use crate::domain::page::PageRequest;
use crate::domain::user::Email;
use crate::error::{ApiError, ResultExt};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub email: String,
    pub email_key: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: bson::DateTime,
    /// Counts its changes; its events' `seq` (`store/outbox.rs`).
    #[serde(default)]
    pub version: i64,
    /// Set by an admin: no login, no sessions.
    #[serde(default)]
    pub disabled: bool,
}

impl UserDoc {
    /// A new account; an empty `password_hash` means it has no password
    /// (it signs in through a provider only).
    pub fn new(email: &Email, name: &str, password_hash: String, role: Role) -> Self {
        Self {
            id: ObjectId::new(),
            email: email.display.clone(),
            email_key: email.key.clone(),
            name: name.to_owned(),
            password_hash,
            role,
            created_at: bson::DateTime::now(),
            version: 1,
            disabled: false,
        }
    }

    /// Who created this new account (itself, unless someone else acts),
    /// and the event saying so.
    pub(super) fn creation(&self, actor: &Actor) -> Result<(Actor, Fact), ApiError> {
        let mut actor = actor.clone();
        if actor.user_id.is_none() && actor.job.is_none() {
            actor.user_id = Some(self.id);
            actor.email = Some(self.email.clone());
        }
        let fact = Fact::new(EventType::UserCreated, self.id, 1, &self.to_dto())?;
        Ok((actor, fact))
    }

    /// The stored password hash; `None` for an account without a password.
    pub fn password(&self) -> Option<&str> {
        Some(self.password_hash.as_str()).filter(|h| !h.is_empty())
    }

    pub fn to_dto(&self) -> User {
        User {
            id: UserId(self.id.to_hex()),
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
            created_at: self.created_at.to_chrono(),
            disabled: self.disabled,
        }
    }
}

/// Aggregation stages that join a document's `user_id` to its account as
/// `user`, keeping only enabled accounts: how sessions and API keys find
/// their caller in one round trip.
pub(super) fn enabled_owner() -> [bson::Document; 3] {
    [
        doc! { "$lookup": {
            "from": USERS,
            "localField": "user_id",
            "foreignField": "_id",
            "as": "user",
        } },
        doc! { "$unwind": "$user" },
        doc! { "$match": { "user.disabled": { "$ne": true } } },
    ]
}

fn email_taken() -> ApiError {
    ApiError::conflict(
        ErrorCode::EmailTaken,
        "an account with this email already exists",
    )
}

impl Store {
    pub(crate) fn users(&self) -> mongodb::Collection<UserDoc> {
        self.collection(USERS)
    }

    pub async fn insert_user(
        &self,
        email: &Email,
        name: &str,
        password_hash: String,
        role: Role,
        actor: &Actor,
    ) -> Result<UserDoc, ApiError> {
        let user = UserDoc::new(email, name, password_hash, role);
        self.insert_new_user(user, None, actor).await
    }

    /// Inserts a new account, with the provider identity it signs in
    /// through if any, and records `user.created`, all in one transaction:
    /// `409 email_taken` if the address was registered meanwhile.
    pub(super) async fn insert_new_user(
        &self,
        user: UserDoc,
        identity: Option<IdentityDoc>,
        actor: &Actor,
    ) -> Result<UserDoc, ApiError> {
        let (actor, fact) = user.creation(actor)?;
        // Owned captures: startup may run this in a spawned task.
        let (store, doc) = (self.clone(), user.clone());
        self.transaction(async move |session| {
            store
                .users()
                .insert_one(&doc)
                .session(&mut *session)
                .await
                .on_duplicate_key(email_taken)?;
            if let Some(identity) = &identity {
                store.insert_identity(session, identity).await?;
            }
            store.record_one(session, &actor, fact.clone()).await
        })
        .await?;
        Ok(user)
    }

    pub async fn user_by_email(&self, email_key: &str) -> Result<Option<UserDoc>, ApiError> {
        Ok(self
            .users()
            .find_one(doc! { "email_key": email_key })
            .await?)
    }

    pub async fn user_by_id(&self, id: ObjectId) -> Result<Option<UserDoc>, ApiError> {
        Ok(self.users().find_one(doc! { "_id": id }).await?)
    }

    /// Everyone, ordered by email.
    pub async fn list_users(&self, page: &PageRequest) -> Result<Page<User>, ApiError> {
        keyset_page(
            self.users(),
            doc! {},
            page,
            Order::ascending(SortField::Text("email_key")),
            |u| (u.email_key.clone().into(), u.id),
            UserDoc::to_dto,
        )
        .await
    }

    /// Changes a role. An admin cannot drop their own admin role, so the
    /// acting admin always remains one.
    pub async fn set_role(
        &self,
        actor: &Actor,
        target: ObjectId,
        role: Role,
    ) -> Result<User, ApiError> {
        if actor.user_id == Some(target) && role != Role::Admin {
            return Err(ApiError::conflict(
                ErrorCode::LastAdmin,
                "you cannot remove your own admin role; ask another admin",
            ));
        }
        let current = self
            .user_by_id(target)
            .await?
            .ok_or(ApiError::NotFound("user"))?;
        if current.role == role {
            return Ok(current.to_dto());
        }
        // Owned captures: startup may run this in a spawned task.
        let (store, actor) = (self.clone(), actor.clone());
        let changed = self
            .transaction(async move |session| {
                // Only if the role differs: two admins (or instances) setting
                // the same role at once record one change, not two.
                let Some(after) = store
                    .users()
                    .find_one_and_update(
                        doc! { "_id": target, "role": { "$ne": role.as_str() } },
                        doc! { "$set": { "role": role.as_str() }, "$inc": next_version() },
                    )
                    .return_document(mongodb::options::ReturnDocument::After)
                    .session(&mut *session)
                    .await?
                else {
                    return Ok(None);
                };
                let dto = after.to_dto();
                let fact = Fact::new(EventType::UserRoleChanged, target, after.version, &dto)?;
                store.record_one(session, &actor, fact).await?;
                Ok(Some(dto))
            })
            .await?;
        match changed {
            Some(dto) => Ok(dto),
            None => Ok(self
                .user_by_id(target)
                .await?
                .ok_or(ApiError::NotFound("user"))?
                .to_dto()),
        }
    }

    /// Creates the configured bootstrap admin, or makes sure it is an admin.
    /// An existing account keeps its password.
    pub async fn ensure_admin(
        &self,
        email: &Email,
        name: &str,
        password_hash: impl FnOnce() -> Result<String, ApiError>,
    ) -> Result<(), ApiError> {
        let actor = Actor::system("bootstrap-admin");
        match self.user_by_email(&email.key).await? {
            Some(user) => {
                self.set_role(&actor, user.id, Role::Admin).await?;
            }
            None => match self
                .insert_user(email, name, password_hash()?, Role::Admin, &actor)
                .await
            {
                // Another instance created it first.
                Err(ApiError::Conflict {
                    code: ErrorCode::EmailTaken,
                    ..
                }) => {}
                other => {
                    other?;
                }
            },
        }
        Ok(())
    }
}

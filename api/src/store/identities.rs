//! Single sign-on in the database: provider identities linked to accounts,
//! sign-ins in progress (between sending the browser to the provider and
//! its return), and first sign-ins waiting for the existing account's
//! password before they are linked. Every instance can finish what
//! another began.

use bson::doc;
use bson::oid::ObjectId;
use chrono::{DateTime, Utc};
use mongodb::ClientSession;
use mongodb::options::ReturnDocument;
use serde::{Deserialize, Serialize};
use shared::{ErrorCode, EventType, Role};

use super::indexes::{IDENTITIES, OIDC_LINKS, OIDC_LOGINS};
use super::outbox::{Actor, Fact, next_version};
use super::users::UserDoc;
use super::{Store, to_bson_time};
use crate::domain::user::Email;
use crate::error::{ApiError, ResultExt};

/// A sign-in sent to a provider, found again by its `state`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcLogin {
    /// SHA-256 of the `state` sent to the provider.
    #[serde(rename = "_id")]
    pub state_hash: String,
    pub provider: String,
    /// SHA-256 of the cookie binding the sign-in to the browser that began it.
    pub browser_hash: String,
    pub pkce_verifier: String,
    pub nonce: String,
    pub return_to: String,
    pub expires_at: bson::DateTime,
}

/// A provider's account linked to one of ours.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct IdentityDoc {
    /// `provider:subject`, unique by construction.
    #[serde(rename = "_id")]
    key: String,
    provider: String,
    subject: String,
    user_id: ObjectId,
    /// The e-mail the provider gave when it was linked.
    email: Option<String>,
    linked_at: bson::DateTime,
}

/// A first sign-in whose e-mail belongs to an existing account: linked once
/// that account's password is given.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcLink {
    /// SHA-256 of the `oidc_link` cookie.
    #[serde(rename = "_id")]
    pub token_hash: String,
    pub provider: String,
    pub subject: String,
    pub email: Option<String>,
    pub user_id: ObjectId,
    pub return_to: String,
    pub expires_at: bson::DateTime,
}

fn identity_key(provider: &str, subject: &str) -> String {
    format!("{provider}:{subject}")
}

fn identity_taken() -> ApiError {
    ApiError::conflict(
        ErrorCode::IdentityLinked,
        "this provider sign-in is linked to another account already",
    )
}

impl Store {
    pub async fn save_oidc_login(&self, login: &OidcLogin) -> Result<(), ApiError> {
        self.collection::<OidcLogin>(OIDC_LOGINS)
            .insert_one(login)
            .await?;
        Ok(())
    }

    /// The unexpired sign-in with this state, removed so it serves once.
    pub async fn take_oidc_login(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OidcLogin>, ApiError> {
        Ok(self
            .collection::<OidcLogin>(OIDC_LOGINS)
            .find_one_and_delete(
                doc! { "_id": state_hash, "expires_at": { "$gt": to_bson_time(now) } },
            )
            .await?)
    }

    /// The account a provider's subject is linked to.
    pub async fn identity_user(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<UserDoc>, ApiError> {
        let Some(identity) = self
            .collection::<IdentityDoc>(IDENTITIES)
            .find_one(doc! { "_id": identity_key(provider, subject) })
            .await?
        else {
            return Ok(None);
        };
        Ok(self
            .users()
            .find_one(doc! { "_id": identity.user_id })
            .await?)
    }

    /// A new account without a password, linked to the provider's subject,
    /// in one transaction: `409 email_taken` if the address was
    /// registered meanwhile, `409 conflict` if the subject was linked.
    pub async fn create_sso_user(
        &self,
        email: &Email,
        name: &str,
        provider: &str,
        subject: &str,
        actor: &Actor,
    ) -> Result<UserDoc, ApiError> {
        let user = UserDoc::new(email, name, String::new(), Role::User);
        let identity = identity_doc(provider, subject, user.id, Some(&user.email));
        self.insert_new_user(user, Some(identity), actor).await
    }

    /// Inside a transaction: `409 identity_linked` if the subject is
    /// linked already.
    pub(super) async fn insert_identity(
        &self,
        session: &mut ClientSession,
        identity: &IdentityDoc,
    ) -> Result<(), ApiError> {
        self.collection::<IdentityDoc>(IDENTITIES)
            .insert_one(identity)
            .session(session)
            .await
            .on_duplicate_key(identity_taken)?;
        Ok(())
    }

    /// Links the provider's subject to an existing account (recorded as
    /// `user.identity_linked`).
    pub async fn link_identity(
        &self,
        user_id: ObjectId,
        provider: &str,
        subject: &str,
        email: Option<&str>,
        actor: &Actor,
    ) -> Result<UserDoc, ApiError> {
        let identity = identity_doc(provider, subject, user_id, email);
        let (store, actor) = (self.clone(), actor.clone());
        self.transaction(async move |session| {
            store.insert_identity(session, &identity).await?;
            let user = store
                .users()
                .find_one_and_update(doc! { "_id": user_id }, doc! { "$inc": next_version() })
                .return_document(ReturnDocument::After)
                .session(&mut *session)
                .await?
                .ok_or(ApiError::NotFound("user"))?;
            let fact = Fact::new(
                EventType::UserIdentityLinked,
                user_id,
                user.version,
                &user.to_dto(),
            )?;
            store.record_one(session, &actor, fact).await?;
            Ok(user)
        })
        .await
    }

    pub async fn save_oidc_link(&self, link: &OidcLink) -> Result<(), ApiError> {
        self.collection::<OidcLink>(OIDC_LINKS)
            .insert_one(link)
            .await?;
        Ok(())
    }

    pub async fn oidc_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<OidcLink>, ApiError> {
        Ok(self
            .collection::<OidcLink>(OIDC_LINKS)
            .find_one(doc! { "_id": token_hash, "expires_at": { "$gt": to_bson_time(now) } })
            .await?)
    }

    pub async fn delete_oidc_link(&self, token_hash: &str) -> Result<(), ApiError> {
        self.collection::<OidcLink>(OIDC_LINKS)
            .delete_one(doc! { "_id": token_hash })
            .await?;
        Ok(())
    }
}

fn identity_doc(
    provider: &str,
    subject: &str,
    user_id: ObjectId,
    email: Option<&str>,
) -> IdentityDoc {
    IdentityDoc {
        key: identity_key(provider, subject),
        provider: provider.to_owned(),
        subject: subject.to_owned(),
        user_id,
        email: email.map(str::to_owned),
        linked_at: bson::DateTime::now(),
    }
}

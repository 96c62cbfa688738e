//! Who is calling: opaque session tokens from `Authorization: Bearer` or the
//! `session` cookie, resolved to an account on every request.

pub mod password;

use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bson::oid::ObjectId;
use futures::future::LocalBoxFuture;
use rand::RngCore;
use sha2::{Digest, Sha256};
use shared::{ApiKeyScope, Role};

use crate::error::ApiError;
use crate::store::Store;
use crate::store::outbox::Actor;
use crate::store::sessions::Device;
use crate::store::users::UserDoc;

/// Name of the HttpOnly cookie carrying the session token.
pub const SESSION_COOKIE: &str = "session";

/// Name of the HttpOnly cookie marking a browser that logged in before:
/// failed logins by others do not hold it up (`store/login_guard.rs`).
pub const DEVICE_COOKIE: &str = "device";

/// A fresh token: 256 random bits, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores instead of the token.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The token a request carries: the bearer header wins over the cookie.
pub fn request_token(req: &HttpRequest) -> Option<String> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned());
    bearer
        .filter(|t| !t.is_empty())
        .or_else(|| req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()))
}

/// Where a request came from, for the audit log: the client's address as
/// the API saw it and the request's id (also in the logs).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub address: Option<String>,
    pub request_id: Option<String>,
}

impl Origin {
    pub fn of(req: &HttpRequest) -> Self {
        Self {
            address: crate::security::client::client_address(req).map(|a| a.to_string()),
            request_id: req
                .extensions()
                .get::<tracing_actix_web::RequestId>()
                .map(ToString::to_string),
        }
    }

    /// An anonymous caller (registering) or `user`, from here.
    pub fn actor(&self, user: Option<&UserDoc>) -> Actor {
        Actor {
            user_id: user.map(|u| u.id),
            email: user.map(|u| u.email.clone()),
            job: None,
            address: self.address.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

impl FromRequest for Origin {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Self::of(req)))
    }
}

/// What a caller authenticated with.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A login session, by its public id.
    Session(Option<ObjectId>),
    /// An API key, with its scopes.
    ApiKey {
        id: ObjectId,
        scopes: Vec<ApiKeyScope>,
    },
}

/// Secrets of API keys start with this; session tokens never do.
pub const API_KEY_PREFIX: &str = "rk_";

/// A logged-in caller, from where, and with what. Extracting it answers
/// `401` without a valid session or API key (or for a disabled account),
/// and `403` for a change made with a read-only key.
#[derive(Debug, Clone)]
pub struct AuthUser(pub UserDoc, pub Origin, pub Credential);

impl AuthUser {
    pub fn id(&self) -> ObjectId {
        self.0.id
    }

    pub fn is_admin(&self) -> bool {
        self.0.role == Role::Admin
    }

    /// The caller's session's public id, when they use a session.
    pub fn session_id(&self) -> Option<ObjectId> {
        match &self.2 {
            Credential::Session(id) => *id,
            Credential::ApiKey { .. } => None,
        }
    }

    /// Refuses API keys: managing keys, sessions and the password takes
    /// the owner logged in, so a leaked key cannot make itself more.
    pub fn require_session(&self) -> Result<(), ApiError> {
        match self.2 {
            Credential::Session(_) => Ok(()),
            Credential::ApiKey { .. } => Err(ApiError::Forbidden(
                "API keys cannot manage keys, sessions or the password; log in",
            )),
        }
    }

    fn key_allows(&self, scope: ApiKeyScope) -> bool {
        match &self.2 {
            Credential::Session(_) => true,
            Credential::ApiKey { scopes, .. } => scopes.contains(&scope),
        }
    }

    /// This caller, from where the request came, as changes record it.
    pub fn actor(&self) -> Actor {
        self.1.actor(Some(&self.0))
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = request_token(req);
        let store = req.app_data::<web::Data<Store>>().cloned();
        let origin = Origin::of(req);
        let device = device(req, &origin);
        let changes = !matches!(*req.method(), Method::GET | Method::HEAD);
        Box::pin(async move {
            let token = token.ok_or(ApiError::Unauthenticated)?;
            let store =
                store.ok_or_else(|| ApiError::Internal("store missing from app data".into()))?;
            let now = chrono::Utc::now();
            if !token.starts_with(API_KEY_PREFIX) {
                return store
                    .session_user(&token_hash(&token), now, &device)
                    .await?
                    .map(|(user, session)| AuthUser(user, origin, Credential::Session(session)))
                    .ok_or(ApiError::Unauthenticated);
            }
            let (user, key) = store
                .api_key_user(&token_hash(&token), now)
                .await?
                .ok_or(ApiError::Unauthenticated)?;
            let caller = AuthUser(
                user,
                origin,
                Credential::ApiKey {
                    id: key.id,
                    scopes: key.scopes,
                },
            );
            if changes
                && !caller.key_allows(ApiKeyScope::Book)
                && !caller.key_allows(ApiKeyScope::Admin)
            {
                return Err(ApiError::Forbidden(
                    "this API key has only the read scope; changes need the book scope",
                ));
            }
            Ok(caller)
        })
    }
}

/// The browser or program and address a request came from, as its
/// session records them.
pub fn device(req: &HttpRequest, origin: &Origin) -> Device {
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|agent| agent.chars().take(256).collect::<String>())
        .filter(|agent| !agent.is_empty());
    Device {
        user_agent,
        address: origin.address.clone(),
    }
}

/// A logged-in admin. Extracting it answers `401` without a session and
/// `403` for other accounts.
#[derive(Debug, Clone)]
pub struct Admin(pub AuthUser);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            if !user.is_admin() {
                return Err(ApiError::Forbidden("this needs the admin role"));
            }
            if !user.key_allows(ApiKeyScope::Admin) {
                return Err(ApiError::Forbidden("this API key lacks the admin scope"));
            }
            Ok(Admin(user))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }

    #[test]
    fn the_stored_hash_is_hex_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

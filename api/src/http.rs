//! Request and response helpers shared by the seated-event handlers:
//! optional authentication, `Idempotency-Key` replays and `ETag`s.

use std::future::Future;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use futures::future::LocalBoxFuture;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::{AuthUser, request_token};
use crate::domain::booking::IdempotencyKey;
use crate::error::ApiError;
use crate::store::Store;

/// The caller if a valid session came with the request; anonymous otherwise.
/// An outage still fails the request rather than silently hiding the user.
pub struct MaybeUser(pub Option<AuthUser>);

impl FromRequest for MaybeUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let has_token = request_token(req).is_some();
        let user = AuthUser::from_request(req, payload);
        Box::pin(async move {
            if !has_token {
                return Ok(MaybeUser(None));
            }
            match user.await {
                Ok(user) => Ok(MaybeUser(Some(user))),
                Err(ApiError::Unauthenticated) => Ok(MaybeUser(None)),
                Err(e) => Err(e),
            }
        })
    }
}

/// The raw `Idempotency-Key` header, if one was sent.
pub struct IdempotencyHeader(Option<String>);

impl FromRequest for IdempotencyHeader {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = match req.headers().get("Idempotency-Key") {
            None => Ok(None),
            Some(v) => v.to_str().map(|s| Some(s.to_owned())).map_err(|_| {
                ApiError::invalid(
                    "Idempotency-Key",
                    "may only contain visible ASCII characters",
                )
            }),
        };
        std::future::ready(value.map(IdempotencyHeader))
    }
}

impl IdempotencyHeader {
    /// Scopes the key to the caller and fingerprints the operation and its
    /// (normalised) body, so the same key with another body is told apart.
    pub fn key(
        &self,
        user: &AuthUser,
        operation: &str,
        body: &impl Serialize,
    ) -> Result<Option<IdempotencyKey>, ApiError> {
        let Some(key) = &self.0 else {
            return Ok(None);
        };
        let body = serde_json::to_string(body)
            .map_err(|e| ApiError::Internal(format!("request serialisation: {e}")))?;
        let request = format!("{operation}\n{body}");
        Ok(Some(IdempotencyKey::parse(
            &user.id().to_hex(),
            key,
            &request,
        )?))
    }
}

/// Answers with the stored first response when `key` was used before;
/// otherwise runs `work`, whose transaction records its response under the
/// key. A repeat that raced the first one is answered the same way. Failed
/// attempts record nothing, so a retry after a failure runs again.
pub async fn replay_or<T, F>(
    store: &Store,
    key: Option<&IdempotencyKey>,
    status: StatusCode,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    F: Future<Output = Result<T, ApiError>>,
{
    if let Some(key) = key
        && let Some(first) = store.idempotent_response(key).await?
    {
        return replay(first, key);
    }
    match (work.await, key) {
        (Ok(value), _) => Ok(HttpResponse::build(status).json(value)),
        // Without a primary there is nothing to look up: answer 503 now.
        (Err(error), Some(_)) if error.is_unavailable() => Err(error),
        // A concurrent repeat committed first: whatever this attempt ran
        // into (the recorded key, or the seats the first one took), the
        // answer is the first response.
        (Err(error), Some(key)) => match store.idempotent_response(key).await? {
            Some(first) => replay(first, key),
            None if matches!(error, ApiError::AlreadyRecorded) => {
                Err(ApiError::Internal("recorded response vanished".into()))
            }
            None => Err(error),
        },
        (Err(error), None) => Err(error),
    }
}

fn replay(
    first: crate::store::idempotency::IdempotencyDoc,
    key: &IdempotencyKey,
) -> Result<HttpResponse, ApiError> {
    if first.fingerprint != key.fingerprint {
        return Err(ApiError::IdempotencyKeyReused);
    }
    let status = StatusCode::from_u16(first.status)
        .map_err(|_| ApiError::Internal(format!("stored status {}", first.status)))?;
    Ok(HttpResponse::build(status)
        .insert_header(("Idempotent-Replayed", "true"))
        .content_type("application/json")
        .body(first.body))
}

/// A JSON `200` with a strong `ETag`, or `304` when `If-None-Match` matches.
/// Bodies may differ per caller, so caches must revalidate and key on the
/// credentials.
pub fn json_with_etag(req: &HttpRequest, value: &impl Serialize) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value)
        .map_err(|e| ApiError::Internal(format!("response serialisation: {e}")))?;
    let digest = Sha256::digest(&body);
    let tag: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let etag = format!("\"{tag}\"");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((
            header::VARY,
            HeaderValue::from_static("Cookie, Authorization"),
        ));
    if matches {
        return Ok(response.finish());
    }
    Ok(response.content_type("application/json").body(body))
}

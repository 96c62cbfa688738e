//! The caller's API keys: created (the secret shown once), listed,
//! revoked. Managing keys takes a login session, not a key.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use bson::oid::ObjectId;
use chrono::{Duration, Utc};
use shared::{ApiKey, ApiKeyScope, CreateApiKey, CreatedApiKey, ErrorBody, ErrorCode};

use crate::auth::{API_KEY_PREFIX, AuthUser, new_token, token_hash};
use crate::error::ApiError;
use crate::extract::Json;
use crate::store::api_keys::ApiKeyDoc;
use crate::store::{Store, object_id, to_bson_time};

/// Keys one account may have at once.
const MAX_KEYS: u64 = 50;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_api_key)
        .service(list_api_keys)
        .service(revoke_api_key);
}

/// Creates an API key. Send its `secret` as `Authorization: Bearer`;
/// it is shown only in this answer.
#[utoipa::path(
    tag = "auth",
    request_body = CreateApiKey,
    responses(
        (status = 201, description = "Created; the only time the secret is shown", body = CreatedApiKey,
            headers(("Location" = String, description = "The key's URL"))),
        (status = 400, description = "`name` or `scopes` is invalid, or `expires_at` malformed; `field` names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "The `admin` scope without the admin role, or asked with an API key", body = ErrorBody),
        (status = 409, description = "`api_key_limit`: 50 keys already", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/me/api-keys")]
#[tracing::instrument(skip_all, fields(user_id = %user.id()))]
async fn create_api_key(
    store: web::Data<Store>,
    user: AuthUser,
    body: Json<CreateApiKey>,
) -> Result<HttpResponse, ApiError> {
    user.require_session()?;
    let body = body.0;
    let name = crate::domain::bounded_text("name", &body.name, 1, 100)?;
    let mut scopes = body.scopes;
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(ApiError::invalid(
            "scopes",
            "name at least one of read, book, admin",
        ));
    }
    if scopes.contains(&ApiKeyScope::Admin) && !user.is_admin() {
        return Err(ApiError::Forbidden(
            "only admins may create keys with the admin scope",
        ));
    }
    let now = Utc::now();
    if let Some(at) = body.expires_at
        && (at <= now || at > now + Duration::days(5 * 366))
    {
        return Err(ApiError::unacceptable(
            "expires_at",
            "must be in the future and at most 5 years ahead",
        ));
    }
    if store.count_api_keys(user.id()).await? >= MAX_KEYS {
        return Err(ApiError::conflict(
            ErrorCode::ApiKeyLimit,
            format!("you have {MAX_KEYS} API keys already; revoke one first"),
        ));
    }
    let secret = format!("{API_KEY_PREFIX}{}", new_token());
    let key = ApiKeyDoc {
        id: ObjectId::new(),
        key_hash: token_hash(&secret),
        user_id: user.id(),
        name,
        scopes,
        prefix: secret.chars().take(API_KEY_PREFIX.len() + 4).collect(),
        created_at: to_bson_time(now),
        expires_at: body.expires_at.map(to_bson_time),
        last_used_at: None,
    };
    store.insert_api_key(&key).await?;
    tracing::info!(key_id = %key.id, "API key created");
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/me/api-keys/{}", key.id)))
        .json(CreatedApiKey {
            key: key.to_dto(),
            secret,
        }))
}

/// The caller's API keys, newest first, without their secrets.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The keys", body = Vec<ApiKey>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Asked with an API key: this takes a login session", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/me/api-keys")]
async fn list_api_keys(
    store: web::Data<Store>,
    user: AuthUser,
) -> Result<web::Json<Vec<ApiKey>>, ApiError> {
    user.require_session()?;
    Ok(web::Json(store.user_api_keys(user.id()).await?))
}

/// Revokes one of the caller's API keys: it stops working at once.
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Asked with an API key: this takes a login session", body = ErrorBody),
        (status = 404, description = "No such key of the caller's (or not an id)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/me/api-keys/{id}")]
#[tracing::instrument(skip_all, fields(user_id = %user.id()))]
async fn revoke_api_key(
    store: web::Data<Store>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    user.require_session()?;
    let id = object_id(&path, "API key")?;
    if !store.revoke_api_key(user.id(), id).await? {
        return Err(ApiError::NotFound("API key"));
    }
    tracing::info!(key_id = %id, "API key revoked");
    Ok(HttpResponse::NoContent().finish())
}

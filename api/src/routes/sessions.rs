//! The caller's sessions and password; an admin ending a user's sessions
//! or disabling the account.

use actix_web::{HttpResponse, delete, get, post, put, web};
use shared::{ChangePassword, ErrorBody, Session, SessionsEnded, SetDisabled, User};

use super::AppConfig;
use super::auth::{blocking, proves_password};
use crate::auth::{Admin, AuthUser};
use crate::domain::user::Password;
use crate::error::ApiError;
use crate::extract::Json;
use crate::store::{Store, object_id};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_sessions)
        .service(end_other_sessions)
        .service(end_session)
        .service(change_password)
        .service(end_user_sessions)
        .service(set_disabled);
}

/// The caller's unexpired sessions, most recently used first; `current`
/// marks the one making this request.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The sessions", body = Vec<Session>),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Asked with an API key: this takes a login session", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/me/sessions")]
async fn list_sessions(
    store: web::Data<Store>,
    user: AuthUser,
) -> Result<web::Json<Vec<Session>>, ApiError> {
    user.require_session()?;
    let sessions = store
        .user_sessions(user.id(), chrono::Utc::now(), user.session_id())
        .await?;
    Ok(web::Json(sessions))
}

/// Ends one of the caller's sessions (the current one too: that logs out).
#[utoipa::path(
    tag = "auth",
    params(("id" = String, Path, description = "The session's id from the list")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Asked with an API key: this takes a login session", body = ErrorBody),
        (status = 404, description = "No such session of the caller's (or not an id)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/me/sessions/{id}")]
#[tracing::instrument(skip_all, fields(user_id = %user.id()))]
async fn end_session(
    store: web::Data<Store>,
    user: AuthUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    user.require_session()?;
    let id = object_id(&path, "session")?;
    if !store.end_session(user.id(), id).await? {
        return Err(ApiError::NotFound("session"));
    }
    tracing::info!(session = %id, "session ended");
    Ok(HttpResponse::NoContent().finish())
}

/// Ends every session of the caller's except the one making this request.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "How many ended", body = SessionsEnded),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Asked with an API key: this takes a login session", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[delete("/me/sessions")]
#[tracing::instrument(skip_all, fields(user_id = %user.id()))]
async fn end_other_sessions(
    store: web::Data<Store>,
    user: AuthUser,
) -> Result<web::Json<SessionsEnded>, ApiError> {
    user.require_session()?;
    let ended = store.end_sessions(user.id(), user.session_id()).await?;
    tracing::info!(ended, "other sessions ended");
    Ok(web::Json(SessionsEnded { ended }))
}

/// Changes the caller's password and ends every other session of theirs.
/// Wrong current passwords count as failed logins for the account.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Changed; how many other sessions ended", body = SessionsEnded),
        (status = 400, description = "`current_password` is wrong (or the account has none: it signs in through a provider), or `new_password` too short or long; `field` names it", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Asked with an API key: this takes a login session", body = ErrorBody),
        (status = 429, description = "`login_throttled`: too many wrong passwords for this account; see `Retry-After`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[put("/me/password")]
#[tracing::instrument(skip_all, fields(user_id = %user.id()))]
async fn change_password(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    user: AuthUser,
    body: Json<ChangePassword>,
) -> Result<web::Json<SessionsEnded>, ApiError> {
    user.require_session()?;
    let body = body.0;
    let new_password = Password::parse(&body.new_password)
        .map_err(|e| ApiError::invalid("new_password", e.message))?;
    if user.0.password().is_none() {
        return Err(ApiError::invalid(
            "current_password",
            "this account has no password: it signs in through a provider",
        ));
    }
    if !proves_password(&store, &config, &user.0, body.current_password).await? {
        return Err(ApiError::invalid(
            "current_password",
            "is not this account's password",
        ));
    }
    let cost = config.hash_cost;
    let hash = blocking(move || cost.hash(&new_password.0)).await?;
    let ended = store
        .set_password_hash(&user.actor(), user.id(), hash, user.session_id())
        .await?;
    tracing::info!(ended, "password changed");
    Ok(web::Json(SessionsEnded { ended }))
}

/// Ends every session of an account (admins only).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "How many ended", body = SessionsEnded),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such account (or not an id)", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[post("/users/{id}/sessions/end")]
#[tracing::instrument(skip_all, fields(user_id = %path))]
async fn end_user_sessions(
    store: web::Data<Store>,
    _admin: Admin,
    path: web::Path<String>,
) -> Result<web::Json<SessionsEnded>, ApiError> {
    let target = object_id(&path, "user")?;
    store
        .user_by_id(target)
        .await?
        .ok_or(ApiError::NotFound("user"))?;
    let ended = store.end_sessions(target, None).await?;
    tracing::info!(ended, "sessions ended by an admin");
    Ok(web::Json(SessionsEnded { ended }))
}

/// Disables an account (it cannot log in, and its sessions end) or
/// enables it again (admins only; not one's own).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "The account's id")),
    request_body = SetDisabled,
    responses(
        (status = 200, description = "The account as it is now", body = User),
        (status = 400, description = "The body is not `{\"disabled\": true|false}`", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such account (or not an id)", body = ErrorBody),
        (status = 409, description = "`last_admin`: an admin cannot disable their own account", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[put("/users/{id}/disabled")]
#[tracing::instrument(skip_all, fields(user_id = %path))]
async fn set_disabled(
    store: web::Data<Store>,
    admin: Admin,
    path: web::Path<String>,
    body: Json<SetDisabled>,
) -> Result<web::Json<User>, ApiError> {
    let target = object_id(&path, "user")?;
    let user = store
        .set_disabled(&admin.0.actor(), target, body.0.disabled)
        .await?;
    tracing::info!(disabled = user.disabled, "account standing changed");
    Ok(web::Json(user))
}

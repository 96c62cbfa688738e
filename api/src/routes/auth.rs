//! Registration, login, logout and the caller's own account.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use shared::{ErrorBody, LoginResponse, LoginUser, RegisterUser, Role, User};

use super::AppConfig;
use crate::auth::{AuthUser, Origin, SESSION_COOKIE, new_token, request_token, token_hash};
use crate::domain::user::{Credentials, NewUser};
use crate::error::ApiError;
use crate::extract::Json;
use crate::store::Store;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(register_user)
        .service(log_in)
        .service(log_out)
        .service(get_me);
}

/// Runs slow password hashing off the request threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    web::block(work)
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
}

/// Creates an account with the `user` role.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterUser,
    responses(
        (status = 201, description = "Account created", body = User),
        (status = 400, description = "A field is invalid; `field` names it", body = ErrorBody),
        (status = 409, description = "`email_taken`: the email is already registered", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[post("/auth/register")]
#[tracing::instrument(skip_all)]
async fn register_user(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    origin: Origin,
    body: Json<RegisterUser>,
) -> Result<HttpResponse, ApiError> {
    let new_user = NewUser::try_from(body.0)?;
    let cost = config.hash_cost;
    let password = new_user.password.0.clone();
    let hash = blocking(move || cost.hash(&password)).await?;
    let user = store
        .insert_user(
            &new_user.email,
            &new_user.name,
            hash,
            Role::User,
            &origin.actor(None),
        )
        .await?;
    tracing::info!(user_id = %user.id, "account registered");
    Ok(HttpResponse::Created().json(user.to_dto()))
}

/// Logs in. The token is returned and also set as an HttpOnly cookie.
/// A wrong password and an unknown email get the same answer.
#[utoipa::path(
    tag = "auth",
    request_body = LoginUser,
    responses(
        (status = 200, description = "Logged in; `Set-Cookie: session=...` is set too", body = LoginResponse),
        (status = 400, description = "Email or password missing", body = ErrorBody),
        (status = 401, description = "`invalid_credentials`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[post("/auth/login")]
#[tracing::instrument(skip_all)]
async fn log_in(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    body: Json<LoginUser>,
) -> Result<HttpResponse, ApiError> {
    let credentials = Credentials::try_from(body.0)?;
    let user = store.user_by_email(&credentials.email_key).await?;
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    let cost = config.hash_cost;
    let password = credentials.password;
    let matches = blocking(move || cost.verify(&password, stored_hash.as_deref())).await?;
    let user = match user {
        Some(user) if matches => user,
        _ => return Err(ApiError::InvalidCredentials),
    };
    let token = new_token();
    let expires_at = chrono::Utc::now() + config.session_ttl;
    store
        .create_session(token_hash(&token), user.id, expires_at)
        .await?;
    let cookie = Cookie::build(SESSION_COOKIE, token.clone())
        .http_only(true)
        .secure(config.cookie_secure)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time::Duration::seconds(config.session_ttl.num_seconds()))
        .finish();
    tracing::info!(user_id = %user.id, "logged in");
    Ok(HttpResponse::Ok().cookie(cookie).json(LoginResponse {
        token,
        expires_at,
        user: user.to_dto(),
    }))
}

/// Ends the caller's session, if any, and clears the cookie. Always `204`.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204, description = "Logged out"),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[post("/auth/logout")]
#[tracing::instrument(skip_all)]
async fn log_out(store: web::Data<Store>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if let Some(token) = request_token(&req) {
        store.delete_session(&token_hash(&token)).await?;
    }
    let mut removal = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    removal.make_removal();
    Ok(HttpResponse::NoContent().cookie(removal).finish())
}

/// The logged-in account.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "The caller's account", body = User),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
#[get("/me")]
async fn get_me(user: AuthUser) -> web::Json<User> {
    web::Json(user.0.to_dto())
}

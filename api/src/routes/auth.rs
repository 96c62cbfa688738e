//! Registration, login, logout and the caller's own account.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, get, post, web};
use shared::{ErrorBody, ErrorCode, LoginResponse, LoginUser, RegisterUser, Role, User};

use super::AppConfig;
use crate::auth::{
    AuthUser, DEVICE_COOKIE, Origin, SESSION_COOKIE, new_token, request_token, token_hash,
};
use crate::domain::user::{Credentials, NewUser};
use crate::error::ApiError;
use crate::extract::Json;
use crate::metrics::Metrics;
use crate::security::client::client_address;
use crate::security::limits::RateLimits;
use crate::store::Store;
use crate::store::users::UserDoc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(register_user)
        .service(log_in)
        .service(log_out)
        .service(get_me);
}

/// Runs slow password hashing off the request threads.
pub(super) async fn blocking<T: Send + 'static>(
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
        (status = 429, description = "`rate_limited`: too many registrations from this address; see `Retry-After`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[post("/auth/register")]
#[tracing::instrument(skip_all)]
async fn register_user(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    limits: web::Data<RateLimits>,
    req: HttpRequest,
    body: Json<RegisterUser>,
) -> Result<HttpResponse, ApiError> {
    limits.register(client_address(&req))?;
    let origin = Origin::of(&req);
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
/// A wrong password and an unknown email get the same answer. Failed
/// attempts for one account make the next ones wait, then lock it for a
/// while; a browser that logged in to the account before (its `device`
/// cookie) is not held up.
#[utoipa::path(
    tag = "auth",
    request_body = LoginUser,
    responses(
        (status = 200, description = "Logged in; `Set-Cookie: session=...` is set too", body = LoginResponse),
        (status = 400, description = "Email or password missing", body = ErrorBody),
        (status = 401, description = "`invalid_credentials`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the password is right but an admin disabled the account", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many attempts from this address; `login_throttled`: too many failed attempts for this account. See `Retry-After`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[post("/auth/login")]
#[tracing::instrument(skip_all)]
async fn log_in(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    limits: web::Data<RateLimits>,
    metrics: web::Data<Metrics>,
    req: HttpRequest,
    body: Json<LoginUser>,
) -> Result<HttpResponse, ApiError> {
    let credentials = Credentials::try_from(body.0)?;
    limits.login(client_address(&req))?;
    let now = chrono::Utc::now();
    let user = store.user_by_email(&credentials.email_key).await?;
    let device = req.cookie(DEVICE_COOKIE).map(|c| token_hash(c.value()));
    let trusted = match (&user, &device) {
        (Some(user), Some(device)) => store.is_trusted_device(device, user.id, now).await?,
        _ => false,
    };
    if !trusted
        && let Some(until) = store
            .login_blocked_until(&credentials.email_key, now)
            .await?
    {
        metrics.rate_limited("login_failures");
        return Err(throttled(until, now));
    }
    // Accounts without a password (provider sign-in only) match nothing.
    let stored_hash = user.as_ref().and_then(|u| u.password().map(str::to_owned));
    let cost = config.hash_cost;
    let password = credentials.password;
    let matches = blocking(move || cost.verify(&password, stored_hash.as_deref())).await?;
    let user = match user {
        Some(user) if matches && user.disabled => {
            return Err(ApiError::Forbidden(
                "this account is disabled; ask an administrator",
            ));
        }
        Some(user) if matches => user,
        _ => {
            // A trusted browser's typo does not count against its owner.
            if !trusted {
                let failures = store
                    .record_login_failure(&credentials.email_key, &config.login_policy, now)
                    .await?;
                tracing::info!(failures, "login failed");
            }
            return Err(ApiError::InvalidCredentials);
        }
    };
    // The owner's own browser getting in does not lift what strangers'
    // failures imposed; anyone else knowing the password does.
    if !trusted {
        store.clear_login_failures(&credentials.email_key).await?;
    }
    let mut response = HttpResponse::Ok();
    let login = open_session(&store, &config, &req, &user, trusted, &mut response).await?;
    tracing::info!(user_id = %user.id, "logged in");
    Ok(response.json(login))
}

/// Starts a session for `user`: stores it, sets the `session` cookie on
/// `response` and, for a browser not `trusted` yet, a `device` cookie
/// marking it as the owner's. What a client that reads bodies gets.
pub(super) async fn open_session(
    store: &Store,
    config: &AppConfig,
    req: &HttpRequest,
    user: &UserDoc,
    trusted: bool,
    response: &mut HttpResponseBuilder,
) -> Result<LoginResponse, ApiError> {
    let now = chrono::Utc::now();
    let token = new_token();
    let expires_at = now + config.session_ttl;
    let device = crate::auth::device(req, &Origin::of(req));
    store
        .create_session(token_hash(&token), user.id, expires_at, device)
        .await?;
    response.cookie(cookie(
        SESSION_COOKIE,
        token.clone(),
        "/",
        config.session_ttl,
        config.cookie_secure,
    ));
    if !trusted {
        let device = new_token();
        store
            .trust_device(
                token_hash(&device),
                user.id,
                now + config.trusted_device_ttl,
            )
            .await?;
        response.cookie(cookie(
            DEVICE_COOKIE,
            device,
            "/api/v1/auth",
            config.trusted_device_ttl,
            config.cookie_secure,
        ));
    }
    Ok(LoginResponse {
        token,
        expires_at,
        user: user.to_dto(),
    })
}

/// `429 login_throttled` until `until`.
/// Checks `password` against `user`'s own, as a login does, for proofs
/// of ownership beyond the login form (changing the password, linking a
/// provider sign-in): refused while failed logins hold the account
/// (`429 login_throttled`), and a mismatch counts as one more failure.
/// `Ok(false)` on a mismatch, or for an account without a password.
pub(super) async fn proves_password(
    store: &Store,
    config: &AppConfig,
    user: &UserDoc,
    password: String,
) -> Result<bool, ApiError> {
    let now = chrono::Utc::now();
    if let Some(until) = store.login_blocked_until(&user.email_key, now).await? {
        return Err(throttled(until, now));
    }
    let cost = config.hash_cost;
    let stored = user.password().map(str::to_owned);
    let matches = blocking(move || cost.verify(&password, stored.as_deref())).await?;
    if !matches {
        store
            .record_login_failure(&user.email_key, &config.login_policy, now)
            .await?;
    }
    Ok(matches)
}

pub(super) fn throttled(
    until: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiError {
    let wait = (until - now).num_milliseconds().max(0);
    let retry_after = u64::try_from((wait + 999) / 1000).unwrap_or(1).max(1);
    ApiError::TooManyRequests {
        code: ErrorCode::LoginThrottled,
        message: format!("too many failed logins for this account; try again in {retry_after} s"),
        retry_after,
    }
}

/// An HttpOnly cookie that no other site's page makes the browser send.
pub(super) fn cookie(
    name: &'static str,
    value: String,
    path: &'static str,
    lifetime: chrono::Duration,
    secure: bool,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path(path)
        .max_age(time::Duration::seconds(lifetime.num_seconds()))
        .finish()
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

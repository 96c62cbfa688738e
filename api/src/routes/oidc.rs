//! Single sign-on: the provider list, the browser's trip to a provider and
//! back, and linking a first provider sign-in to an existing account.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::Deserialize;
use shared::{ConfirmLink, ErrorBody, LoginResponse, PendingLink, SsoError, SsoProvider};

use super::AppConfig;
use super::auth::{open_session, proves_password};
use crate::auth::{DEVICE_COOKIE, Origin, new_token, token_hash};
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::oidc::{Failure, Identity, Provider, Providers};
use crate::security::client::client_address;
use crate::security::limits::RateLimits;
use crate::store::Store;
use crate::store::identities::{OidcLink, OidcLogin};
use crate::store::to_bson_time;
use crate::store::users::UserDoc;

/// Binds a sign-in to the browser that began it. `Lax`, because the
/// provider's redirect back is a navigation from another site.
const BROWSER_COOKIE: &str = "oidc_browser";
/// Marks a first sign-in waiting for the existing account's password.
const LINK_COOKIE: &str = "oidc_link";
const COOKIE_PATH: &str = "/api/v1/auth/oidc";
/// How long the trip to the provider, and a link offer, may take.
const PENDING_MINUTES: i64 = 10;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_providers)
        .service(start)
        .service(callback)
        .service(pending_link)
        .service(confirm_link)
        .service(cancel_link);
}

/// The configured sign-in providers, for "Continue with ..." buttons.
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "Providers, in configuration order", body = [SsoProvider]))
)]
#[get("/auth/oidc/providers")]
async fn list_providers(providers: web::Data<Providers>) -> web::Json<Vec<SsoProvider>> {
    web::Json(providers.list())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct StartQuery {
    /// Where the web app goes after signing in: a path on this site.
    #[param(max_length = 512, pattern = "^/")]
    return_to: Option<String>,
}

/// Sends the browser to the provider (authorization code flow with PKCE).
/// It comes back to `/callback`, which ends at `return_to` signed in, or at
/// the web app's `/login?sso_error=...`.
#[utoipa::path(
    tag = "auth",
    params(("provider" = String, Path, description = "A provider's id"), StartQuery),
    responses(
        (status = 303, description = "To the provider's authorization page; or, when the provider cannot be reached, to `/login?sso_error=provider_unavailable`"),
        (status = 400, description = "`return_to` is not a path on this site", body = ErrorBody),
        (status = 404, description = "No such provider", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many sign-ins from this address", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/auth/oidc/{provider}/start")]
#[tracing::instrument(skip_all, fields(provider = %path))]
async fn start(
    store: web::Data<Store>,
    providers: web::Data<Providers>,
    limits: web::Data<RateLimits>,
    req: HttpRequest,
    path: web::Path<String>,
    query: Query<StartQuery>,
) -> Result<HttpResponse, ApiError> {
    let provider = find(&providers, &path)?;
    let return_to = return_path(query.0.return_to)?;
    limits.login(client_address(&req))?;
    let authorization = match provider.authorize(providers.http()).await {
        Ok(authorization) => authorization,
        Err(failure) => return Ok(failed(&providers, &failure, &return_to)),
    };
    let browser = new_token();
    store
        .save_oidc_login(&OidcLogin {
            state_hash: token_hash(&authorization.state),
            provider: provider.id.clone(),
            browser_hash: token_hash(&browser),
            pkce_verifier: authorization.verifier,
            nonce: authorization.nonce,
            return_to,
            expires_at: to_bson_time(pending_until()),
        })
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, authorization.url))
        .cookie(pending_cookie(BROWSER_COOKIE, browser, SameSite::Lax, &req))
        .finish())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct CallbackQuery {
    /// The authorization code.
    code: Option<String>,
    /// The state `start` sent.
    state: Option<String>,
    /// Set instead of `code` when the provider declined.
    error: Option<String>,
}

/// Where the provider sends the browser back. Exchanges the code, checks
/// the ID token, then signs in the linked account, creates one (the
/// provider must have verified the e-mail address), or, when an account
/// has that address already, asks for its password first
/// (`/login?sso=link`).
#[utoipa::path(
    tag = "auth",
    params(("provider" = String, Path, description = "A provider's id"), CallbackQuery),
    responses(
        (status = 303, description = "Signed in (`Set-Cookie: session=...`) to `return_to`; to `/login?sso=link` to confirm a link; or to `/login?sso_error=<reason>`"),
        (status = 404, description = "No such provider", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/auth/oidc/{provider}/callback")]
#[tracing::instrument(skip_all, fields(provider = %path))]
async fn callback(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    providers: web::Data<Providers>,
    req: HttpRequest,
    path: web::Path<String>,
    query: Query<CallbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let provider = find(&providers, &path)?;
    let query = query.0;
    let now = chrono::Utc::now();
    let login = match &query.state {
        Some(state) => store.take_oidc_login(&token_hash(state), now).await?,
        None => None,
    };
    let Some(login) = login.filter(|l| l.provider == provider.id) else {
        return Ok(failed(&providers, &SsoError::Expired.into(), "/"));
    };
    let return_to = login.return_to.clone();
    let fail = |failure: Failure| Ok(failed(&providers, &failure, &return_to));
    if let Some(error) = query.error {
        return fail(Failure::new(SsoError::Denied, error));
    }
    let browser = req.cookie(BROWSER_COOKIE).map(|c| token_hash(c.value()));
    if browser.as_deref() != Some(login.browser_hash.as_str()) {
        return fail(SsoError::BrowserMismatch.into());
    }
    let Some(code) = query.code else {
        return fail(Failure::new(SsoError::Rejected, "no code in the callback"));
    };
    let identity = match provider
        .finish(providers.http(), code, login.pkce_verifier, login.nonce)
        .await
    {
        Ok(identity) => identity,
        Err(failure) => return fail(failure),
    };
    let origin = Origin::of(&req);
    let user = match account_for(&store, provider, &identity, &origin).await? {
        Ok(user) => user,
        Err(Outcome::Failed(failure)) => return fail(failure),
        Err(Outcome::LinkFirst(user)) => {
            let token = new_token();
            store
                .save_oidc_link(&OidcLink {
                    token_hash: token_hash(&token),
                    provider: provider.id.clone(),
                    subject: identity.subject,
                    email: identity.email,
                    user_id: user.id,
                    return_to: return_to.clone(),
                    expires_at: to_bson_time(pending_until()),
                })
                .await?;
            tracing::info!(user_id = %user.id, "sign-in waits for the account's password");
            return Ok(HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!("{}/login?sso=link", providers.base_url),
                ))
                .cookie(pending_cookie(LINK_COOKIE, token, SameSite::Strict, &req))
                .cookie(removal(BROWSER_COOKIE))
                .finish());
        }
    };
    let trusted = match req.cookie(DEVICE_COOKIE) {
        Some(device) => {
            store
                .is_trusted_device(&token_hash(device.value()), user.id, now)
                .await?
        }
        None => false,
    };
    let mut response = HttpResponse::SeeOther();
    open_session(&store, &config, &req, &user, trusted, &mut response).await?;
    tracing::info!(user_id = %user.id, "signed in through a provider");
    Ok(response
        .insert_header((
            header::LOCATION,
            format!("{}{return_to}", providers.base_url),
        ))
        .cookie(removal(BROWSER_COOKIE))
        .finish())
}

/// Why a sign-in does not go straight in.
enum Outcome {
    Failed(Failure),
    /// An account has the address; its password must be given first.
    LinkFirst(Box<UserDoc>),
}

/// The account this provider identity signs in to, made or linked as the
/// rules say.
async fn account_for(
    store: &Store,
    provider: &Provider,
    identity: &Identity,
    origin: &Origin,
) -> Result<Result<UserDoc, Outcome>, ApiError> {
    if let Some(user) = store.identity_user(&provider.id, &identity.subject).await? {
        return Ok(enabled(user));
    }
    let Some(email) = identity.email.as_deref() else {
        return Ok(Err(Outcome::Failed(SsoError::EmailMissing.into())));
    };
    // An address the provider has not checked proves nothing about who
    // owns it, so it neither makes nor links an account.
    if !identity.email_verified {
        return Ok(Err(Outcome::Failed(SsoError::EmailUnverified.into())));
    }
    let email = crate::domain::user::Email::parse(email).inspect_err(|e| {
        tracing::warn!(error = %e.message, "provider gave an unusable e-mail address");
    });
    let Ok(email) = email else {
        return Ok(Err(Outcome::Failed(SsoError::EmailMissing.into())));
    };
    if let Some(user) = store.user_by_email(&email.key).await? {
        if !provider.link_by_email {
            return Ok(Err(Outcome::LinkFirst(Box::new(user))));
        }
        let user = store
            .link_identity(
                user.id,
                &provider.id,
                &identity.subject,
                Some(&email.display),
                &origin.actor(Some(&user)),
            )
            .await?;
        return Ok(enabled(user));
    }
    let name = display_name(identity, &email.display);
    match store
        .create_sso_user(
            &email,
            &name,
            &provider.id,
            &identity.subject,
            &origin.actor(None),
        )
        .await
    {
        Ok(user) => Ok(Ok(user)),
        // The same person finishing two sign-ins at once: the other made it.
        Err(ApiError::Conflict { .. }) => {
            match store.identity_user(&provider.id, &identity.subject).await? {
                Some(user) => Ok(enabled(user)),
                None => Ok(Err(Outcome::LinkFirst(Box::new(
                    store
                        .user_by_email(&email.key)
                        .await?
                        .ok_or(ApiError::NotFound("user"))?,
                )))),
            }
        }
        Err(e) => Err(e),
    }
}

fn enabled(user: UserDoc) -> Result<UserDoc, Outcome> {
    if user.disabled {
        Err(Outcome::Failed(SsoError::Disabled.into()))
    } else {
        Ok(user)
    }
}

/// The provider's name for the user, or the address's local part; at most
/// 100 characters, as registration allows.
fn display_name(identity: &Identity, email: &str) -> String {
    let name = identity
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email));
    name.chars().filter(|c| !c.is_control()).take(100).collect()
}

/// The sign-in waiting to be linked, for the web app to ask for the password.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "A link is waiting (the `oidc_link` cookie names it)", body = PendingLink),
        (status = 404, description = "None is waiting, or it lapsed", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[get("/auth/oidc/link")]
async fn pending_link(
    store: web::Data<Store>,
    providers: web::Data<Providers>,
    req: HttpRequest,
) -> Result<web::Json<PendingLink>, ApiError> {
    let (link, user) = waiting_link(&store, &req).await?;
    let provider_name = providers
        .get(&link.provider)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| link.provider.clone());
    Ok(web::Json(PendingLink {
        provider: link.provider,
        provider_name,
        email: user.email,
        return_to: link.return_to,
        expires_at: link.expires_at.to_chrono(),
    }))
}

/// Links the waiting provider sign-in to the existing account, given that
/// account's password, and signs in. Wrong passwords count as failed
/// logins for the account.
#[utoipa::path(
    tag = "auth",
    request_body = ConfirmLink,
    responses(
        (status = 200, description = "Linked and signed in; `Set-Cookie: session=...` is set too", body = LoginResponse),
        (status = 400, description = "`password` missing", body = ErrorBody),
        (status = 401, description = "`invalid_credentials`: not the account's password", body = ErrorBody),
        (status = 404, description = "No link is waiting, or it lapsed", body = ErrorBody),
        (status = 409, description = "`identity_linked`: the provider sign-in was linked to an account meanwhile", body = ErrorBody),
        (status = 429, description = "`login_throttled`: too many failed logins for the account; see `Retry-After`", body = ErrorBody),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[post("/auth/oidc/link")]
#[tracing::instrument(skip_all)]
async fn confirm_link(
    store: web::Data<Store>,
    config: web::Data<AppConfig>,
    req: HttpRequest,
    body: Json<ConfirmLink>,
) -> Result<HttpResponse, ApiError> {
    if body.0.password.is_empty() {
        return Err(ApiError::invalid("password", "must not be empty"));
    }
    let (link, user) = waiting_link(&store, &req).await?;
    if !proves_password(&store, &config, &user, body.0.password).await? {
        return Err(ApiError::InvalidCredentials);
    }
    let origin = Origin::of(&req);
    let user = store
        .link_identity(
            user.id,
            &link.provider,
            &link.subject,
            link.email.as_deref(),
            &origin.actor(Some(&user)),
        )
        .await?;
    store.delete_oidc_link(&link.token_hash).await?;
    store.clear_login_failures(&user.email_key).await?;
    let mut response = HttpResponse::Ok();
    let login = open_session(&store, &config, &req, &user, false, &mut response).await?;
    tracing::info!(user_id = %user.id, provider = %link.provider, "provider sign-in linked");
    Ok(response.cookie(removal(LINK_COOKIE)).json(login))
}

/// Drops the waiting link. Always `204`.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204, description = "Nothing is waiting any more"),
        (status = 503, description = "Database unavailable", body = ErrorBody),
    )
)]
#[delete("/auth/oidc/link")]
async fn cancel_link(store: web::Data<Store>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    if let Some(cookie) = req.cookie(LINK_COOKIE) {
        store.delete_oidc_link(&token_hash(cookie.value())).await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(removal(LINK_COOKIE))
        .finish())
}

/// The unexpired link this browser's cookie names, and its enabled account.
async fn waiting_link(store: &Store, req: &HttpRequest) -> Result<(OidcLink, UserDoc), ApiError> {
    let missing = ApiError::NotFound("sign-in waiting to be linked");
    let Some(cookie) = req.cookie(LINK_COOKIE) else {
        return Err(missing);
    };
    let now = chrono::Utc::now();
    let Some(link) = store.oidc_link(&token_hash(cookie.value()), now).await? else {
        return Err(missing);
    };
    let user = store
        .user_by_id(link.user_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or(missing)?;
    Ok((link, user))
}

fn find<'a>(providers: &'a Providers, id: &str) -> Result<&'a Provider, ApiError> {
    providers
        .get(id)
        .ok_or(ApiError::NotFound("sign-in provider"))
}

/// `return_to` as a path on this site, so the sign-in cannot be used to
/// send people elsewhere; `/` when absent.
fn return_path(return_to: Option<String>) -> Result<String, ApiError> {
    let Some(path) = return_to.filter(|p| !p.is_empty()) else {
        return Ok("/".into());
    };
    let on_this_site = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control);
    if !on_this_site || path.len() > 512 {
        return Err(ApiError::invalid(
            "return_to",
            "must be a path on this site, like /rooms, of at most 512 characters",
        ));
    }
    Ok(path)
}

/// To the web app's login page, saying why (the log says more).
fn failed(providers: &Providers, failure: &Failure, return_to: &str) -> HttpResponse {
    tracing::info!(reason = failure.error.as_str(), detail = %failure.detail, "provider sign-in failed");
    let mut location = format!(
        "{}/login?sso_error={}",
        providers.base_url,
        failure.error.as_str()
    );
    if return_to != "/" {
        location.push_str("&next=");
        location.extend(form_urlencoded::byte_serialize(return_to.as_bytes()));
    }
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .cookie(removal(BROWSER_COOKIE))
        .finish()
}

fn pending_until() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::Duration::minutes(PENDING_MINUTES)
}

fn pending_cookie(
    name: &'static str,
    value: String,
    same_site: SameSite,
    req: &HttpRequest,
) -> Cookie<'static> {
    let secure = req
        .app_data::<web::Data<AppConfig>>()
        .is_some_and(|c| c.cookie_secure);
    Cookie::build(name, value)
        .http_only(true)
        .secure(secure)
        .same_site(same_site)
        .path(COOKIE_PATH)
        .max_age(time::Duration::minutes(PENDING_MINUTES))
        .finish()
}

fn removal(name: &'static str) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, "").path(COOKIE_PATH).finish();
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_returned_to() {
        assert_eq!(return_path(None).unwrap(), "/");
        assert_eq!(return_path(Some(String::new())).unwrap(), "/");
        assert_eq!(
            return_path(Some("/rooms?x=1".into())).unwrap(),
            "/rooms?x=1"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "rooms",
            "/a\nb",
        ] {
            assert!(return_path(Some(bad.into())).is_err(), "{bad}");
        }
        assert!(return_path(Some(format!("/{}", "a".repeat(512)))).is_err());
    }

    #[test]
    fn names_come_from_the_provider_or_the_address() {
        let mut identity = Identity {
            subject: "s".into(),
            email: None,
            email_verified: true,
            name: Some("  Kim Minji ".into()),
        };
        assert_eq!(display_name(&identity, "minji@example.com"), "Kim Minji");
        identity.name = Some(" ".into());
        assert_eq!(display_name(&identity, "minji@example.com"), "minji");
        identity.name = Some("x".repeat(300));
        assert_eq!(display_name(&identity, "a@b.c").chars().count(), 100);
    }
}

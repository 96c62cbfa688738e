//! Browser safety and abuse limits: security headers on every response,
//! refusal of cross-site state changes made with the session cookie, the
//! client's address behind trusted proxies, and request rate limits.

pub mod client;
pub mod limits;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::auth::SESSION_COOKIE;
use crate::configuration::SecuritySettings;
use crate::error::ApiError;
use client::{TrustedProxies, client_address};
use limits::RateLimits;
use shared::ErrorCode;

/// The web app's policy: scripts only from our own files (the WebAssembly
/// module needs `wasm-unsafe-eval`, no inline script or `eval`), styles
/// from our style sheet, no plugins, no framing.
const APP_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// API answers are data, never a page to render.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The interactive API documentation (Swagger UI) sets inline styles.
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// What the middleware here needs, checked from the settings at startup.
#[derive(Debug, Clone)]
pub struct Security {
    hsts: Option<HeaderValue>,
    /// Origins other than the request's own host that may change things
    /// with the session cookie, e.g. `https://book.example.com`.
    allowed_origins: Vec<String>,
    pub proxies: TrustedProxies,
}

impl Security {
    pub fn from_settings(settings: &SecuritySettings) -> Result<Self, String> {
        let hsts = (settings.hsts_seconds > 0)
            .then(|| {
                HeaderValue::from_str(&format!(
                    "max-age={}; includeSubDomains",
                    settings.hsts_seconds
                ))
            })
            .transpose()
            .map_err(|e| format!("security.hsts_seconds: {e}"))?;
        let mut allowed_origins = Vec::new();
        for origin in split_list(&settings.allowed_origins) {
            let parsed = url::Url::parse(origin)
                .map_err(|e| format!("security.allowed_origins: `{origin}`: {e}"))?;
            let serialized = parsed.origin().ascii_serialization();
            if serialized == "null" || parsed.path() != "/" {
                return Err(format!(
                    "security.allowed_origins: `{origin}` is not an origin such as https://book.example.com"
                ));
            }
            allowed_origins.push(serialized);
        }
        Ok(Self {
            hsts,
            allowed_origins,
            proxies: TrustedProxies::parse(&settings.trusted_proxies)?,
        })
    }
}

/// The entries of a comma-separated setting.
pub fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Adds the security headers to every response: the content security
/// policy fitting what is answered, no MIME sniffing, no referrer beyond
/// our own origin, no framing, and HSTS where configured.
pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let hsts = req
        .app_data::<web::Data<Security>>()
        .and_then(|s| s.hsts.clone());
    let path = req.path();
    let policy = if path.starts_with("/api/docs") {
        DOCS_POLICY
    } else if path.starts_with("/api/") || path == "/metrics" {
        API_POLICY
    } else {
        APP_POLICY
    };
    // Inner middleware answers its refusals (403, 429, 503) as responses,
    // see `refuse`, so they get the headers too.
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: HeaderValue| {
        if !headers.contains_key(&name) {
            headers.insert(name, value);
        }
    };
    set(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    set(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    set(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    set(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if let Some(hsts) = hsts {
        set(header::STRICT_TRANSPORT_SECURITY, hsts);
    }
    Ok(response)
}

/// Refuses a state-changing API request that a browser sent from another
/// site's page (`Sec-Fetch-Site`, else `Origin`; origins in
/// `security.allowed_origins` excepted), unless it authenticates
/// with an `Authorization` header, which another site cannot make a
/// browser send. Clients that are not browsers send neither header and
/// pass. The session cookie is also `SameSite=Strict`; this check covers
/// browsers that ignore that and sibling sites, which `SameSite` counts
/// as the same site.
pub async fn same_origin<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if let Some(reason) = cross_site(&req) {
        tracing::warn!(path = req.path(), reason, "cross-site request refused");
        let error = ApiError::Refused {
            code: ErrorCode::CrossSiteRequest,
            message: format!(
                "this request came from another site's page ({reason}); \
                 changes with the session cookie are only accepted from this site"
            ),
        };
        return Ok(refuse(req, error));
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// A middleware's refusal as a response (not an `Err`, which would skip
/// the outer middleware's headers).
pub fn refuse<B>(req: ServiceRequest, error: ApiError) -> ServiceResponse<EitherBody<B>> {
    req.error_response(error).map_into_right_body()
}

/// Why `req` counts as a cross-site change, or `None`.
fn cross_site(req: &ServiceRequest) -> Option<&'static str> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.headers().contains_key(header::AUTHORIZATION) {
        return None;
    }
    let header_text = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    let origin = header_text("origin");
    let allowed = req
        .app_data::<web::Data<Security>>()
        .is_some_and(|s| s.allowed_origins.iter().any(|o| Some(o) == origin.as_ref()));
    if allowed {
        return None;
    }
    if let Some(site) = header_text("sec-fetch-site") {
        // `none`: typed or bookmarked by the user; never a script's doing.
        return match site.as_str() {
            "same-origin" | "none" => None,
            _ => Some("Sec-Fetch-Site is not same-origin"),
        };
    }
    match origin {
        Some(origin) if Some(&origin) != own_origin(req).as_ref() => Some("Origin is another site"),
        _ => None,
    }
}

/// This request's own origin as the browser addressed it.
fn own_origin(req: &ServiceRequest) -> Option<String> {
    let info = req.connection_info();
    Some(format!("{}://{}", info.scheme(), info.host()).to_ascii_lowercase())
}

/// Counts reads without credentials against their client address's limit
/// (health checks excepted: balancers poll them).
pub async fn public_reads<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let anonymous =
        !req.headers().contains_key(header::AUTHORIZATION) && req.cookie(SESSION_COOKIE).is_none();
    if read && anonymous && !req.path().starts_with("/api/v1/health") {
        let limits = req.app_data::<web::Data<RateLimits>>();
        if let (Some(limits), Some(address)) = (limits, client_address(req.request()))
            && let Err(error) = limits.public_read(address)
        {
            return Ok(refuse(req, error));
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}
